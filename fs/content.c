/*
 * content.c - what nodes are made of, built through the source and kept in
 * the cache: the stacks of time nodes, the label sets of plain spans, the
 * history of series, and the rendered bytes of files.
 *
 * Cache keys.  "S:<time node path>", "L:<time node path>", "H:<type path>"
 * and "B:<file path>", each followed by "#<content identity>" (kinds.c,
 * derive.c), in one byte-bounded LRU (cache.c).  A key never names stale
 * content: when the source changes what a node reads, its identity
 * changes.  Building happens outside the cache lock; two threads missing
 * the same key at once both build it and the second put wins, which costs
 * time but never correctness since output is deterministic.
 */
#include "node.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../render/render.h"

/* The files of time nodes.  Adding a file kind is one line here. */
const struct pyro_file_kind pyro_file_kinds[] = {
	{ "flame.svg", pyro_flame_render, NULL },
	{ "folded", pyro_folded_render, NULL },
	{ "graph.dot", pyro_graph_dot_render, NULL },
	{ "graph.svg", pyro_graph_svg_render, NULL },
	{ "icicle.svg", pyro_icicle_render, NULL },
	{ "labels.txt", NULL, pyro_labels_render_flags },
	{ "profile.pb.gz", pyro_export_pprof, NULL },
	{ "top-cum.txt", pyro_top_cum_render, NULL },
	{ "top.txt", pyro_top_render, NULL },
	{ "traces.txt", pyro_traces_render, NULL },
	{ "tree.txt", pyro_tree_render, NULL },
};

const size_t pyro_nfile_kinds = sizeof(pyro_file_kinds) /
				sizeof(pyro_file_kinds[0]);

/* The files of every type directory, from the series' history. */
const struct pyro_series_file pyro_series_files[] = {
	{ "growth.txt", pyro_growth_render },
	{ "timeline.svg", pyro_timeline_svg_render },
	{ "timeline.txt", pyro_timeline_render },
};

const size_t pyro_nseries_files = sizeof(pyro_series_files) /
				  sizeof(pyro_series_files[0]);

/* The pages of the root and of services: from the index alone. */
const struct pyro_page pyro_pages[] = {
	{ "README.txt", 0, pyro_readme_render, NULL },
	{ "index.html", 0, pyro_index_html_root, NULL },
	{ "index.html", 1, NULL, pyro_index_html_service },
};

const size_t pyro_npages = sizeof(pyro_pages) / sizeof(pyro_pages[0]);

const struct pyro_page *pyro_page_find(const char *name, int service)
{
	size_t i;

	for (i = 0; i < pyro_npages; i++)
		if (pyro_pages[i].service == service &&
		    !strcmp(pyro_pages[i].name, name))
			return &pyro_pages[i];
	return NULL;
}

const struct pyro_file_kind *pyro_file_kind_find(const char *name)
{
	size_t i;

	for (i = 0; i < pyro_nfile_kinds; i++)
		if (!strcmp(pyro_file_kinds[i].name, name))
			return &pyro_file_kinds[i];
	return NULL;
}

const struct pyro_series_file *pyro_series_file_find(const char *name)
{
	size_t i;

	for (i = 0; i < pyro_nseries_files; i++)
		if (!strcmp(pyro_series_files[i].name, name))
			return &pyro_series_files[i];
	return NULL;
}

int pyro_time_has_file(const struct pyro_node *n,
		       const struct pyro_file_kind *fk)
{
	return fk->render || (deriv_of(&n->deriv)->labels && !n->deriv.chain[0]);
}

int pyro_read_error(int rc)
{
	return rc == -ENOMEM || rc == -ETIMEDOUT ? rc : -EIO;
}

/* key = "<tag>:<path>#<identity>". */
static int make_key(char tag, const char *path, uint64_t ident, char *key,
		    size_t size)
{
	int len = snprintf(key, size, "%c:%s#%016llx", tag, path,
			   (unsigned long long)ident);

	return len < 0 || (size_t)len >= size ? -ENAMETOOLONG : 0;
}

static int tview_cache_key(const struct pyro_fs *fs,
			   const struct pyro_tview *v, char tag, char *key,
			   size_t size)
{
	char path[PATH_MAX];
	int rc = pyro_tview_key(v, path, sizeof(path));

	if (rc)
		return rc;
	return make_key(tag, path, pyro_tview_ident(fs, v, NULL), key, size);
}

/* ---- stacks ------------------------------------------------------------------- */

static void stacks_destroy(struct pyro_obj *o)
{
	struct pyro_shared_stacks *ss = (struct pyro_shared_stacks *)o;

	pyro_stacks_release(&ss->s);
	free(ss);
}

/* What the cache charges for s: its allocated bytes (an estimate from
 * counts undercharged by a third, and the daemon outgrew its bound). */
static size_t stacks_cost(const struct pyro_stacks *s)
{
	return sizeof(struct pyro_shared_stacks) + pyro_stacks_bytes(s);
}

int pyro_content_stacks(struct pyro_fs *fs, const struct pyro_tview *v,
			struct pyro_shared_stacks **out)
{
	const struct pyro_deriv_ops *d = deriv_of(v->deriv);
	struct pyro_shared_stacks *ss;
	char key[PATH_MAX + 32], err[PYRO_ERR_MAX];
	int rc;

	rc = tview_cache_key(fs, v, 'S', key, sizeof(key));
	if (rc)
		return rc;
	*out = (struct pyro_shared_stacks *)pyro_cache_get(fs->cache, key);
	if (*out)
		return 0;
	ss = calloc(1, sizeof(*ss));
	if (!ss)
		return -ENOMEM;
	if (v->deriv->chain[0])
		rc = pyro_chain_build(fs, v, &ss->s);
	else if (d->build)
		rc = d->build(fs, v, &ss->s);
	else
		rc = fs->src->ops->stacks(fs->src, v->n->ix, v->n->series,
					  &v->time->span, v->time->name, NULL,
					  &ss->s, err);
	if (rc) {
		pyro_stacks_release(&ss->s);
		free(ss);
		/* Problems are in /.pyrofs/errors; the read says EIO. */
		return pyro_read_error(rc);
	}
	pyro_obj_init(&ss->obj, stacks_cost(&ss->s), stacks_destroy);
	pyro_cache_put(fs->cache, key, &ss->obj);
	*out = ss;
	return 0;
}

/* ---- snapshots for merges --------------------------------------------------------- */

/* Point `point` of se as its snapshot node's stacks, if the cache holds
 * them: the key is the one pyro_content_stacks gives that node. */
static int snapshot_get(void *ctx, const struct pyro_index *ix,
			const struct pyro_index_series *se, size_t point,
			const struct pyro_stacks **st, void **hold)
{
	struct pyro_fs *fs = ctx;
	/* The node is only named and identified here: ix is not changed. */
	struct pyro_node c = { .kind = PYRO_NODE_TIME,
			       .ix = (struct pyro_index *)ix,
			       .svc = se->service, .series = se };
	struct pyro_shared_stacks *ss;
	char key[PATH_MAX + 32];
	struct pyro_tview v;

	if (point >= se->npoints ||
	    pyro_time_resolve(se, se->points[point].name, &c.time) ||
	    c.time.span.first != point || c.time.span.count != 1 ||
	    c.time.span.has_baseline)
		return -ENOENT;
	pyro_tview_plain(&c, &v);
	if (tview_cache_key(fs, &v, 'S', key, sizeof(key)))
		return -ENOENT;
	ss = (struct pyro_shared_stacks *)pyro_cache_get(fs->cache, key);
	if (!ss)
		return -ENOENT;
	*st = &ss->s;
	*hold = ss;
	return 0;
}

static void snapshot_put(void *ctx, void *hold)
{
	struct pyro_shared_stacks *ss = hold;

	(void)ctx;
	pyro_obj_put(&ss->obj);
}

void pyro_content_snapshots(struct pyro_fs *fs,
			    struct pyro_snapshot_cache *out)
{
	out->get = snapshot_get;
	out->put = snapshot_put;
	out->ctx = fs;
}

/* ---- label sets ------------------------------------------------------------------ */

static void labels_destroy(struct pyro_obj *o)
{
	struct pyro_shared_labels *sl = (struct pyro_shared_labels *)o;

	pyro_label_set_release(&sl->ls);
	free(sl);
}

/* The label set of n's plain span (n may be the time node, labels/, a
 * key or a label node below it, or one of their files).  Combining
 * members needs the rule their stacks merged by: one point needs no
 * merge, anything else asks the (cached) stacks. */
int pyro_content_labels(struct pyro_fs *fs, const struct pyro_node *n,
			struct pyro_shared_labels **out)
{
	enum pyro_merge_rule rule = PYRO_MERGE_SINGLE;
	const struct pyro_span *sp = &n->time.span;
	struct pyro_shared_stacks *ss;
	struct pyro_shared_labels *sl;
	char key[PATH_MAX + 32], err[PYRO_ERR_MAX];
	struct pyro_tview v;
	int rc;

	pyro_tview_plain(n, &v);
	rc = tview_cache_key(fs, &v, 'L', key, sizeof(key));
	if (rc)
		return rc;
	*out = (struct pyro_shared_labels *)pyro_cache_get(fs->cache, key);
	if (*out)
		return 0;
	if (sp->count > 1 || sp->has_baseline) {
		rc = pyro_content_stacks(fs, &v, &ss);
		if (rc)
			return rc;
		rule = ss->s.meta.rule;
		pyro_obj_put(&ss->obj);
	}
	sl = calloc(1, sizeof(*sl));
	if (!sl)
		return -ENOMEM;
	rc = fs->src->ops->labels(fs->src, n->ix, n->series, sp, rule, &sl->ls,
				  err);
	if (rc) {
		pyro_label_set_release(&sl->ls);
		free(sl);
		return pyro_read_error(rc);
	}
	pyro_obj_init(&sl->obj, sizeof(*sl) + pyro_label_set_bytes(&sl->ls),
		      labels_destroy);
	pyro_cache_put(fs->cache, key, &sl->obj);
	*out = sl;
	return 0;
}

/* ---- histories ----------------------------------------------------------------- */

static void history_destroy(struct pyro_obj *o)
{
	struct pyro_shared_history *sh = (struct pyro_shared_history *)o;

	pyro_history_release(&sh->h);
	free(sh);
}

/* What the cache charges for a history: an estimate per function (its
 * figures and name) and per point (time, name, total). */
static size_t history_cost(const struct pyro_history *h)
{
	return sizeof(struct pyro_shared_history) +
	       h->nfuncs * (sizeof(struct pyro_history_func) + 48) +
	       h->nseries * PYRO_HISTORY_SLOTS * sizeof(int64_t) +
	       h->nsnaps * 24;
}

/* A history, whole or (totals) its timeline rows only; cached apart. */
static int content_history(struct pyro_fs *fs, const struct pyro_node *n,
			   int totals, struct pyro_shared_history **out)
{
	struct pyro_shared_history *sh;
	char path[PATH_MAX], key[PATH_MAX + 32], err[PYRO_ERR_MAX];
	int rc;

	if (snprintf(path, sizeof(path), "%s/%s", n->svc->name,
		     n->series->type) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	rc = make_key(totals ? 'T' : 'H', path, pyro_node_ident(fs, n, NULL), key,
		      sizeof(key));
	if (rc)
		return rc;
	*out = (struct pyro_shared_history *)pyro_cache_get(fs->cache, key);
	if (*out)
		return 0;
	sh = calloc(1, sizeof(*sh));
	if (!sh)
		return -ENOMEM;
	rc = (totals ? fs->src->ops->history_totals : fs->src->ops->history)
		(fs->src, n->ix, n->series, &sh->h, err);
	if (rc) {
		pyro_history_release(&sh->h);
		free(sh);
		return pyro_read_error(rc);
	}
	pyro_obj_init(&sh->obj, history_cost(&sh->h), history_destroy);
	pyro_cache_put(fs->cache, key, &sh->obj);
	*out = sh;
	return 0;
}

int pyro_content_history(struct pyro_fs *fs, const struct pyro_node *n,
			 struct pyro_shared_history **out)
{
	return content_history(fs, n, 0, out);
}

int pyro_content_history_totals(struct pyro_fs *fs, const struct pyro_node *n,
				struct pyro_shared_history **out)
{
	return content_history(fs, n, fs->src->ops->history_totals != NULL, out);
}

/* ---- bytes ---------------------------------------------------------------------- */

int pyro_bytes_errors(struct pyro_fs *fs, const struct pyro_node *n,
		      struct pyro_buf *out)
{
	return fs->src->ops->problems(fs->src, n->ix, out);
}

int pyro_bytes_stats(struct pyro_fs *fs, const struct pyro_node *n,
		     struct pyro_buf *out)
{
	(void)n;
	return fs->src->ops->stats ? fs->src->ops->stats(fs->src, out) :
				     -ENOENT;
}

/* A file of a time node: from its stacks, or (labels.txt) its label set. */
int pyro_bytes_file(struct pyro_fs *fs, const struct pyro_node *n,
		    struct pyro_buf *out)
{
	struct pyro_shared_stacks *ss;
	struct pyro_shared_labels *sl;
	struct pyro_tview v;
	int rc;

	if (n->file->render_labels) {
		rc = pyro_content_labels(fs, n, &sl);
		if (rc)
			return rc;
		rc = n->file->render_labels(&sl->ls,
					    fs->opts.labels == PYRO_LABELS_ALL ?
					    PYRO_LABELS_EACH_NUMBER : 0, out);
		pyro_obj_put(&sl->obj);
		return rc;
	}
	pyro_tview_of(n, &v);
	rc = pyro_content_stacks(fs, &v, &ss);
	if (rc)
		return rc;
	rc = n->file->render(&ss->s, out);
	pyro_obj_put(&ss->obj);
	return rc;
}

int pyro_bytes_series_file(struct pyro_fs *fs, const struct pyro_node *n,
			   struct pyro_buf *out)
{
	struct pyro_shared_history *sh;
	int rc = pyro_content_history(fs, n, &sh);

	if (rc)
		return rc;
	rc = n->sfile->render(&sh->h, out);
	pyro_obj_put(&sh->obj);
	return rc;
}

/* A type's index.html: from its history, or without one when that cannot
 * be read (the page says so, and still links every point). */
int pyro_bytes_type_page(struct pyro_fs *fs, const struct pyro_node *n,
			 struct pyro_buf *out)
{
	struct pyro_shared_history *sh = NULL;
	int rc = pyro_content_history(fs, n, &sh);

	if (rc == -ENOMEM)
		return rc;
	rc = pyro_index_html_type(n->series, sh ? &sh->h : NULL, out);
	if (sh)
		pyro_obj_put(&sh->obj);
	return rc;
}

/* functions/<name>/peek.txt: from the stacks of its time node. */
int pyro_bytes_peek(struct pyro_fs *fs, const struct pyro_node *n,
		    struct pyro_buf *out)
{
	struct pyro_buf name = PYRO_BUF_INIT;
	struct pyro_shared_stacks *ss;
	struct pyro_tview v;
	int rc;

	pyro_tview_of(n, &v);
	rc = pyro_content_stacks(fs, &v, &ss);
	if (rc)
		return rc;
	rc = pyro_function_find(&ss->s, n->func, &name);
	if (!rc)
		rc = pyro_peek_render(&ss->s, name.data, name.len, out);
	pyro_buf_release(&name);
	pyro_obj_put(&ss->obj);
	return rc;
}

int pyro_bytes_page(struct pyro_fs *fs, const struct pyro_node *n,
		    struct pyro_buf *out)
{
	(void)fs;
	return n->page->service ? n->page->render_service(n->svc, out) :
				  n->page->render_root(n->ix, out);
}

/* One type of summary.txt: its history and newest stacks, each left NULL
 * when unreadable (the reason is in the problems). */
static void summary_part(struct pyro_fs *fs, const struct pyro_node *n,
			 const struct pyro_index_series *se,
			 struct pyro_summary_part *p,
			 struct pyro_shared_history **sh,
			 struct pyro_shared_stacks **ss)
{
	struct pyro_node c = { .kind = PYRO_NODE_TYPE, .ix = n->ix,
			       .svc = n->svc, .series = se };
	struct pyro_tview v;

	p->se = se;
	if (!pyro_content_history_totals(fs, &c, sh))
		p->h = &(*sh)->h;
	else
		*sh = NULL;
	c.kind = PYRO_NODE_TIME;
	if (!pyro_time_resolve(se, LATEST_NAME, &c.time)) {
		pyro_tview_of(&c, &v);
		if (!pyro_content_stacks(fs, &v, ss))
			p->latest = &(*ss)->s;
		else
			*ss = NULL;
	}
}

int pyro_bytes_summary(struct pyro_fs *fs, const struct pyro_node *n,
		       struct pyro_buf *out)
{
	size_t i, ns = n->svc->nseries;
	struct pyro_summary_part *parts = calloc(ns, sizeof(*parts));
	struct pyro_shared_history **sh = calloc(ns, sizeof(*sh));
	struct pyro_shared_stacks **ss = calloc(ns, sizeof(*ss));
	int rc = -ENOMEM;

	if (!parts || !sh || !ss)
		goto cleanup;
	for (i = 0; i < ns; i++)
		summary_part(fs, n, &n->svc->series[i], &parts[i], &sh[i],
			     &ss[i]);
	rc = pyro_summary_render(n->svc, parts, ns, out);
cleanup:
	for (i = 0; i < ns && sh && ss; i++) {
		if (sh[i])
			pyro_obj_put(&sh[i]->obj);
		if (ss[i])
			pyro_obj_put(&ss[i]->obj);
	}
	free(parts);
	free(sh);
	free(ss);
	return rc;
}

static int make_blob(struct pyro_buf *b, struct pyro_blob **out)
{
	size_t len;
	char *data;

	if (!b->data && pyro_buf_grow(b, 1))
		return -ENOMEM;
	data = pyro_buf_detach(b, &len);
	*out = pyro_blob_new(data, len);
	if (!*out) {
		free(data);
		return -ENOMEM;
	}
	return 0;
}

/* A render of n stopped at max_file_size: say so in the problems (the
 * file is never completed; the read or stat answers EFBIG). */
static int too_big(struct pyro_fs *fs, const struct pyro_node *n)
{
	char path[PATH_MAX], reason[96];

	if (!fs->src->ops->problem || pyro_node_key(n, path, sizeof(path)))
		return -EFBIG;
	snprintf(reason, sizeof(reason),
		 "rendered file exceeds max_file_size (%zu bytes)",
		 fs->opts.max_file_size);
	fs->src->ops->problem(fs->src, n->ix, path, reason);
	return -EFBIG;
}

/* The cache key of a cached file kind's rendering. */
static int bytes_key(struct pyro_fs *fs, const struct pyro_node *n,
		     char *key, size_t size)
{
	char path[PATH_MAX];
	int rc = pyro_node_key(n, path, sizeof(path));

	return rc ? rc : make_key('B', path, pyro_node_ident(fs, n, NULL), key,
				  size);
}

int pyro_node_bytes_cached(struct pyro_fs *fs, const struct pyro_node *n,
			   struct pyro_blob **out)
{
	char key[PATH_MAX + 32];
	int rc;

	*out = NULL;
	if (!kind_of(n)->bytes)
		return -EISDIR;
	if (!kind_of(n)->cached)
		return -ENOENT;
	rc = bytes_key(fs, n, key, sizeof(key));
	if (rc)
		return rc;
	*out = (struct pyro_blob *)pyro_cache_get(fs->cache, key);
	return *out ? 0 : -ENOENT;
}

int pyro_node_bytes(struct pyro_fs *fs, const struct pyro_node *n,
		    struct pyro_blob **out)
{
	const struct pyro_node_kind_ops *k = kind_of(n);
	struct pyro_buf b = PYRO_BUF_INIT;
	char key[PATH_MAX + 32];
	int rc;

	if (!k->bytes)
		return -EISDIR;
	if (k->cached) {
		rc = bytes_key(fs, n, key, sizeof(key));
		if (rc)
			return rc;
		*out = (struct pyro_blob *)pyro_cache_get(fs->cache, key);
		if (*out)
			return 0;
	}
	b.limit = fs->opts.max_file_size;
	rc = k->bytes(fs, n, &b);
	if (rc && b.full)
		rc = too_big(fs, n);
	if (!rc)
		rc = make_blob(&b, out);
	pyro_buf_release(&b);
	if (!rc && k->cached)
		pyro_cache_put(fs->cache, key, &(*out)->obj);
	return rc;
}
