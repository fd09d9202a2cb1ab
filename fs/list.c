/*
 * list.c - the children of each directory kind, in listing order.
 *
 * A listing fills one child node and offers it to the callback once per
 * name, changing only what differs between siblings.  Above time nodes a
 * child is made from the parent's pointers; below, it starts as a copy of
 * the parent (one per listing call, not per child), since the children of
 * a time node share its span, derivation and label key.  The child
 * borrows the parent's index reference and is valid during the callback
 * only.
 */
#include "node.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../model/filter.h"
#include "../model/labels.h"

const char *const pyro_listed_relatives[] = { "latest", "prev", "first" };
const size_t pyro_nlisted_relatives = sizeof(pyro_listed_relatives) /
				      sizeof(pyro_listed_relatives[0]);

/* The entries of a directory that have a "0-" alias: the root's and a
 * service's pages (and summary.txt), a type's all, latest, series files
 * and index.html.  Calls fn(ctx, name) for each; stops at non-zero. */
static int each_head(const struct pyro_node *n,
		     int (*fn)(void *ctx, const char *name), void *ctx)
{
	static const char *const type_heads[] = { "all", LATEST_NAME };
	size_t i;

	if (n->series) {
		for (i = 0; i < 2; i++)
			if (fn(ctx, type_heads[i]))
				return 1;
		for (i = 0; i < pyro_nseries_files; i++)
			if (fn(ctx, pyro_series_files[i].name))
				return 1;
		return fn(ctx, INDEX_FILE);
	}
	for (i = 0; i < pyro_npages; i++)
		if (pyro_pages[i].service == (n->svc != NULL) &&
		    fn(ctx, pyro_pages[i].name))
			return 1;
	return n->svc && fn(ctx, SUMMARY_FILE);
}

static int is_name(void *ctx, const char *name)
{
	return !strcmp(ctx, name);
}

int pyro_alias_target(const struct pyro_node *n, const char *comp)
{
	size_t plen = strlen(ALIAS_PREFIX);

	return !strncmp(comp, ALIAS_PREFIX, plen) &&
	       each_head(n, is_name, (void *)(comp + plen));
}

struct alias_ctx {
	struct pyro_node child;
	pyro_list_fn *fn;
	void *ctx;
};

static int offer_alias(void *arg, const char *name)
{
	struct alias_ctx *ac = arg;
	char alias[NAME_MAX + 1];

	/* Listed as the alias; the node holds its target. */
	snprintf(alias, sizeof(alias), "%s%s", ALIAS_PREFIX, name);
	snprintf(ac->child.time.name, sizeof(ac->child.time.name), "%s", name);
	return ac->fn(ac->ctx, alias, &ac->child);
}

/* The "0-" aliases of n's directory. */
static int list_aliases(const struct pyro_node *n, pyro_list_fn *fn,
			void *ctx)
{
	struct alias_ctx ac = {
		.child = { .ix = n->ix, .svc = n->svc, .series = n->series,
			   .kind = PYRO_NODE_ALIAS },
		.fn = fn, .ctx = ctx,
	};

	return each_head(n, offer_alias, &ac);
}

/* The pages of the root or of service n->svc, then summary.txt. */
static int list_pages(const struct pyro_node *n, pyro_list_fn *fn, void *ctx)
{
	struct pyro_node c = { .ix = n->ix, .svc = n->svc };
	int service = n->svc != NULL;
	size_t i;

	c.kind = PYRO_NODE_PAGE;
	for (i = 0; i < pyro_npages; i++) {
		c.page = &pyro_pages[i];
		if (c.page->service != service)
			continue;
		/* A service or type of that name hides the page. */
		if (service ? pyro_index_series(n->svc, c.page->name) != NULL :
			      pyro_index_service(n->ix, c.page->name) != NULL)
			continue;
		if (fn(ctx, c.page->name, &c))
			return 1;
	}
	c.kind = PYRO_NODE_SUMMARY;
	if (service && !pyro_index_series(n->svc, SUMMARY_FILE) &&
	    fn(ctx, SUMMARY_FILE, &c))
		return 1;
	return list_aliases(n, fn, ctx);
}

int pyro_list_root(struct pyro_fs *fs, const struct pyro_node *n,
		   pyro_list_fn *fn, void *ctx)
{
	struct pyro_node c = { .ix = n->ix };
	size_t i;

	(void)fs;
	c.kind = PYRO_NODE_META;
	if (fn(ctx, META_DIR, &c))
		return 0;
	if (list_pages(n, fn, ctx))
		return 0;
	c.kind = PYRO_NODE_SERVICE;
	for (i = 0; i < n->ix->nservices; i++) {
		c.svc = &n->ix->services[i];
		if (fn(ctx, c.svc->name, &c))
			return 0;
	}
	return 0;
}

int pyro_list_meta(struct pyro_fs *fs, const struct pyro_node *n,
		   pyro_list_fn *fn, void *ctx)
{
	struct pyro_node c = { .ix = n->ix };

	c.kind = PYRO_NODE_ERRORS;
	if (fn(ctx, ERRORS_FILE, &c))
		return 0;
	c.kind = PYRO_NODE_STATS;
	if (fs->src->ops->stats)
		fn(ctx, STATS_FILE, &c);
	return 0;
}

static void list_types(const struct pyro_node *n, pyro_list_fn *fn, void *ctx)
{
	struct pyro_node c = { .ix = n->ix, .svc = n->svc };
	size_t i;

	if (list_pages(n, fn, ctx))
		return;
	c.kind = PYRO_NODE_TYPE;
	for (i = 0; i < n->svc->nseries; i++) {
		c.series = &n->svc->series[i];
		if (fn(ctx, c.series->type, &c))
			return;
	}
}

int pyro_list_service(struct pyro_fs *fs, const struct pyro_node *n,
		      pyro_list_fn *fn, void *ctx)
{
	struct pyro_node m;
	int rc;

	if (!n->svc->pending) {
		list_types(n, fn, ctx);
		return 0;
	}
	/* Listing a service is looking into it: index it, and list it in
	 * the index that has it (a reference of our own). */
	m = *n;
	pyro_index_get(m.ix);
	rc = pyro_node_load_service(fs, &m);
	if (!rc)
		list_types(&m, fn, ctx);
	pyro_node_release(&m);
	return rc;
}

struct list_ctx {
	struct pyro_node child;
	pyro_list_fn *fn;
	void *ctx;
};

/* Offer one time name of a type directory as a child directory. */
static int offer_time(void *arg, const char *name)
{
	struct list_ctx *lc = arg;

	if (pyro_time_resolve(lc->child.series, name, &lc->child.time))
		return 0;
	lc->child.kind = PYRO_NODE_TIME;
	return lc->fn(lc->ctx, name, &lc->child);
}

/* all, latest, prev, first, day and hour windows, points, series files,
 * diff/, the aliases. */
int pyro_list_type(struct pyro_fs *fs, const struct pyro_node *n,
		   pyro_list_fn *fn, void *ctx)
{
	struct list_ctx lc = {
		.child = { .ix = n->ix, .svc = n->svc, .series = n->series },
		.fn = fn, .ctx = ctx,
	};
	struct pyro_node *c = &lc.child;
	size_t i;

	(void)fs;
	if (offer_time(&lc, "all"))
		return 0;
	/* Symlinks, so `ls -R` and find walk each point once. */
	c->kind = PYRO_NODE_LATEST;
	for (i = 0; i < pyro_nlisted_relatives; i++)
		if (!pyro_time_resolve(n->series, pyro_listed_relatives[i],
				       &c->time) &&
		    fn(ctx, pyro_listed_relatives[i], c))
			return 0;
	if (pyro_span_windows(n->series, offer_time, &lc))
		return 0;
	for (i = 0; i < n->series->npoints; i++)
		if (offer_time(&lc, n->series->points[i].name))
			return 0;
	c->kind = PYRO_NODE_SERIES_FILE;
	for (i = 0; i < pyro_nseries_files; i++) {
		c->sfile = &pyro_series_files[i];
		if (fn(ctx, pyro_series_files[i].name, c))
			return 0;
	}
	c->kind = PYRO_NODE_TYPE_PAGE;
	if (fn(ctx, INDEX_FILE, c))
		return 0;
	c->kind = PYRO_NODE_DIFF;
	if (fn(ctx, DIFF_DIR, c))
		return 0;
	list_aliases(n, fn, ctx);
	return 0;
}

/* The bases diff/ lists: the relative names a type directory lists, and a
 * day back, each when it names a point other than the newest and than
 * the bases before it.  Other bases resolve on lookup. */
int pyro_list_diff(struct pyro_fs *fs, const struct pyro_node *n,
		   pyro_list_fn *fn, void *ctx)
{
	static const char *const day = "latest-24h";
	const struct pyro_index_series *se = n->series;
	size_t newest = se->npoints - 1, seen[8], nseen = 0, i, k;
	struct pyro_node c = *n;
	const char *name;

	(void)fs;
	c.kind = PYRO_NODE_DIFF_BASE;
	for (i = 0; i <= pyro_nlisted_relatives; i++) {
		name = i < pyro_nlisted_relatives ? pyro_listed_relatives[i] : day;
		/* A day back only when the series reaches that far. */
		if (name == day && se->points[newest].time_nanos -
		    se->points[0].time_nanos < 86400 * NS_PER_SEC)
			continue;
		if (pyro_time_resolve(se, name, &c.deriv.arg.base) ||
		    c.deriv.arg.base.span.first == newest)
			continue;
		for (k = 0; k < nseen; k++)
			if (seen[k] == c.deriv.arg.base.span.first)
				break;
		if (k < nseen)
			continue;
		seen[nseen++] = c.deriv.arg.base.span.first;
		if (fn(ctx, name, &c))
			return 0;
	}
	return 0;
}

/* diff/<base>/ lists `latest`, the change since the base; any other time
 * name resolves on lookup. */
int pyro_list_diff_base(struct pyro_fs *fs, const struct pyro_node *n,
			pyro_list_fn *fn, void *ctx)
{
	struct pyro_node c = *n;

	(void)fs;
	if (pyro_time_resolve(n->series, LATEST_NAME, &c.time))
		return 0;
	c.deriv.kind = PYRO_DERIV_DIFF;
	c.kind = PYRO_NODE_TIME;
	fn(ctx, LATEST_NAME, &c);
	return 0;
}

/* Whether a time node lists labels/.  A label directory holds a node's
 * worth of files per value, so in every snapshot it doubled what find,
 * grep -r and du walk (the corpus's Go runtime series: 6,263 entries
 * against 3,157 without labels/).  Merges (all, windows, ranges) are few and
 * are where labels are asked about, so they list it; a single snapshot
 * resolves labels/ on lookup all the same (cd latest/labels), and its
 * labels.txt names every value. */
static int labels_listed(const struct pyro_fs *fs, const struct pyro_node *n)
{
	enum pyro_span_kind k = n->time.span.kind;

	return pyro_labels_shown(fs, n) && k != PYRO_SPAN_SNAPSHOT &&
	       k != PYRO_SPAN_RELATIVE;
}

/* The files of a time node, then labels/ where it is listed. */
int pyro_list_time(struct pyro_fs *fs, const struct pyro_node *n,
		   pyro_list_fn *fn, void *ctx)
{
	struct pyro_node c = *n;
	size_t i;

	(void)fs;
	c.kind = PYRO_NODE_FILE;
	for (i = 0; i < pyro_nfile_kinds; i++) {
		c.file = &pyro_file_kinds[i];
		if (pyro_time_has_file(n, c.file) && fn(ctx, c.file->name, &c))
			return 0;
	}
	/* functions/ resolves in every time node but is not listed, as
	 * filters and ranges are not: listed, it would add some fifteen
	 * entries per function to every time node, and `find`, `ls -R` and
	 * file managers would walk them all (and, through callees/, for
	 * ever). */
	c.kind = PYRO_NODE_LABELS;
	if (labels_listed(fs, n))
		fn(ctx, LABELS_DIR, &c);
	return 0;
}

int pyro_labels_shown(const struct pyro_fs *fs, const struct pyro_node *n)
{
	return deriv_of(&n->deriv)->labels && !n->deriv.chain[0] &&
	       fs->opts.labels != PYRO_LABELS_OFF;
}

/* functions/: one directory per function of the node's stacks, its name
 * encoded as a label value's. */
int pyro_list_functions(struct pyro_fs *fs, const struct pyro_node *n,
			pyro_list_fn *fn, void *ctx)
{
	struct pyro_buf name = PYRO_BUF_INIT;
	struct pyro_shared_stacks *ss;
	struct pyro_node c = *n;
	struct pyro_tview v;
	uint32_t *ids = NULL;
	size_t count = 0, i;
	int rc;

	pyro_tview_of(n, &v);
	rc = pyro_content_stacks(fs, &v, &ss);
	if (rc)
		return rc;
	rc = pyro_stacks_functions(&ss->s, &ids, &count);
	c.kind = PYRO_NODE_FUNCTION;
	for (i = 0; !rc && i < count; i++) {
		struct pyro_str f = pyro_strtab_get(&ss->s.strs, ids[i]);

		name.len = 0;
		rc = pyro_label_encode(f.ptr, f.len, &name);
		if (!rc)
			rc = pyro_buf_putc(&name, '\0');
		if (rc)
			break;
		memcpy(c.func, name.data, name.len);
		if (fn(ctx, c.func, &c))
			break;
	}
	pyro_buf_release(&name);
	free(ids);
	pyro_obj_put(&ss->obj);
	return rc;
}

/* functions/<name>/: peek.txt, callees/, callers/. */
int pyro_list_function(struct pyro_fs *fs, const struct pyro_node *n,
		       pyro_list_fn *fn, void *ctx)
{
	struct pyro_node c = *n;

	(void)fs;
	c.kind = PYRO_NODE_PEEK;
	if (fn(ctx, PEEK_FILE, &c))
		return 0;
	c.kind = PYRO_NODE_TIME;
	if (pyro_chain_function(&c, CALLEES_DIR) == 0) {
		c.func[0] = '\0';
		if (fn(ctx, CALLEES_DIR, &c))
			return 0;
	}
	c = *n;
	c.kind = PYRO_NODE_TIME;
	if (pyro_chain_function(&c, CALLERS_DIR) == 0) {
		c.func[0] = '\0';
		fn(ctx, CALLERS_DIR, &c);
	}
	return 0;
}

int pyro_label_value_shown(const struct pyro_label_value *v)
{
	return v->total != 0;
}

int pyro_label_key_shown(const struct pyro_fs *fs,
			 const struct pyro_label_key *k)
{
	size_t i;

	if (fs->opts.labels == PYRO_LABELS_OFF ||
	    (fs->opts.labels == PYRO_LABELS_STRING && pyro_label_key_numeric(k)))
		return 0;
	for (i = 0; i < k->nvalues; i++)
		if (pyro_label_value_shown(&k->values[i]))
			return 1;
	return 0;
}

/* Children of labels/: the keys of the node's label set. */
int pyro_list_labels(struct pyro_fs *fs, const struct pyro_node *n,
		     pyro_list_fn *fn, void *ctx)
{
	struct pyro_shared_labels *sl;
	struct pyro_node c;
	size_t i;
	int rc = pyro_content_labels(fs, n, &sl);

	if (rc)
		return rc;
	c = *n;
	c.kind = PYRO_NODE_LABEL_KEY;
	for (i = 0; i < sl->ls.nkeys; i++) {
		if (!pyro_label_key_shown(fs, &sl->ls.keys[i]))
			continue;
		snprintf(c.label_key, sizeof(c.label_key), "%s",
			 sl->ls.keys[i].name);
		if (fn(ctx, c.label_key, &c))
			break;
	}
	pyro_obj_put(&sl->obj);
	return 0;
}

/* Children of labels/<key>: its values, each a label node. */
int pyro_list_label_key(struct pyro_fs *fs, const struct pyro_node *n,
			pyro_list_fn *fn, void *ctx)
{
	const struct pyro_label_key *k;
	struct pyro_shared_labels *sl;
	struct pyro_node c;
	size_t i;
	int rc = pyro_content_labels(fs, n, &sl);

	if (rc)
		return rc;
	k = pyro_label_set_key(&sl->ls, n->label_key);
	c = *n;
	c.kind = PYRO_NODE_TIME;
	c.deriv.kind = PYRO_DERIV_LABEL;
	if (k && !pyro_label_key_shown(fs, k))
		k = NULL;
	for (i = 0; k && i < k->nvalues; i++) {
		if (!pyro_label_value_shown(&k->values[i]))
			continue;
		snprintf(c.deriv.arg.value, sizeof(c.deriv.arg.value), "%s",
			 k->values[i].name);
		if (fn(ctx, c.deriv.arg.value, &c))
			break;
	}
	pyro_obj_put(&sl->obj);
	return 0;
}

int pyro_node_list(struct pyro_fs *fs, const struct pyro_node *n,
		   pyro_list_fn *fn, void *ctx)
{
	const struct pyro_node_kind_ops *k = kind_of(n);

	if (!S_ISDIR(k->mode))
		return -ENOTDIR;
	/* diff/ and diff/<base>/ list a few names only: listing every pair
	 * of time names would make `ls -R` and file managers walk N^2
	 * directories. */
	return k->list ? k->list(fs, n, fn, ctx) : 0;
}
