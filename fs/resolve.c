/*
 * resolve.c - the one resolver: a path to a typed node, one component at a
 * time, each step done by the current node's kind (node_kinds, kinds.c).
 * No other code parses paths.
 *
 * A node is filled in place: the resolver starts with the root and each
 * step turns the node into its child, so nothing is copied on the way.
 * Steps below a time node (labels/<key>/<value>) look their names up in
 * the node's label set, which is built (or found in the cache) for that.
 */
#include "node.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Copy the next path component of *p into comp; 0 at the end of path. */
static int next_component(const char **p, char comp[NAME_MAX + 1])
{
	const char *s = *p, *e;

	while (*s == '/')
		s++;
	if (!*s)
		return 0;
	for (e = s; *e && *e != '/'; e++)
		;
	if ((size_t)(e - s) > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(comp, s, (size_t)(e - s));
	comp[e - s] = '\0';
	*p = e;
	return 1;
}

int pyro_time_resolve(const struct pyro_index_series *se, const char *name,
		      struct pyro_time_ref *ref)
{
	int rc = pyro_span_resolve(se, name, &ref->span);

	if (rc)
		return rc;
	/* `latest`, `prev` ... name their point, so both share inodes and
	 * cache; the relative name stays for the symlink's own path. */
	ref->rel[0] = '\0';
	if (ref->span.kind == PYRO_SPAN_RELATIVE)
		snprintf(ref->rel, sizeof(ref->rel), "%s", name);
	snprintf(ref->name, sizeof(ref->name), "%s",
		 ref->span.kind == PYRO_SPAN_RELATIVE ?
		 se->points[ref->span.first].name : name);
	return 0;
}

/* ---- the steps, one per directory kind ------------------------------------ */

/* An entry page of the root, a service or a type, or an alias "0-<name>" (of
 * n's directory: root, service or type).  Services and types come first:
 * one that has a page's name hides the page, never the reverse, so no
 * data is lost to a name. */
static int step_page(struct pyro_fs *fs, struct pyro_node *n,
		     const char *comp, int last)
{
	const struct pyro_page *pg = n->series ? NULL :
				     pyro_page_find(comp, n->svc != NULL);
	char target[NAME_MAX + 1];

	if (pg) {
		/* A page of the root (README.txt, index.html) shows every
		 * service: they are all indexed first. */
		int rc = n->svc ? 0 : pyro_fs_load(fs, &n->ix, NULL);

		if (rc)
			return rc;
		n->page = pg;
		n->kind = PYRO_NODE_PAGE;
		return 0;
	}
	if (n->svc && !n->series && !strcmp(comp, SUMMARY_FILE)) {
		n->kind = PYRO_NODE_SUMMARY;
		return 0;
	}
	if (n->series && !strcmp(comp, INDEX_FILE)) {
		n->kind = PYRO_NODE_TYPE_PAGE;
		return 0;
	}
	if (!pyro_alias_target(n, comp))
		return -ENOENT;
	snprintf(target, sizeof(target), "%s", comp + strlen(ALIAS_PREFIX));
	if (last) {
		memcpy(n->time.name, target, sizeof(target));
		n->kind = PYRO_NODE_ALIAS;
		return 0;
	}
	/* Inside the path, an alias is what it points to (as `latest` is
	 * its point), so pyrofs-cat reads 0-latest/top.txt as the kernel
	 * does. */
	n->kind = n->series ? PYRO_NODE_TYPE :
		  n->svc ? PYRO_NODE_SERVICE : PYRO_NODE_ROOT;
	return kind_of(n)->step(fs, n, target, last);
}

int pyro_step_root(struct pyro_fs *fs, struct pyro_node *n, const char *comp,
		   int last)
{
	(void)fs;
	(void)last;
	if (!strcmp(comp, META_DIR)) {
		n->kind = PYRO_NODE_META;
		return 0;
	}
	n->svc = pyro_index_service(n->ix, comp);
	n->kind = PYRO_NODE_SERVICE;
	return n->svc ? 0 : step_page(fs, n, comp, last);
}

int pyro_step_meta(struct pyro_fs *fs, struct pyro_node *n, const char *comp,
		   int last)
{
	(void)last;
	if (!strcmp(comp, ERRORS_FILE)) {
		/* Problems are found by indexing: all of it, to be right. */
		n->kind = PYRO_NODE_ERRORS;
		return pyro_fs_load(fs, &n->ix, NULL);
	}
	if (!strcmp(comp, STATS_FILE) && fs->src->ops->stats) {
		n->kind = PYRO_NODE_STATS;
		return 0;
	}
	return -ENOENT;
}

int pyro_node_load_service(struct pyro_fs *fs, struct pyro_node *n)
{
	char name[NAME_MAX + 1];
	int rc;

	if (!n->svc->pending)
		return 0;
	snprintf(name, sizeof(name), "%s", n->svc->name);
	rc = pyro_fs_load(fs, &n->ix, name);
	if (rc)
		return rc;
	n->svc = pyro_index_service(n->ix, name);
	/* Gone meanwhile, or found empty when indexed. */
	return n->svc && !n->svc->pending ? 0 : -ENOENT;
}

int pyro_step_service(struct pyro_fs *fs, struct pyro_node *n,
		      const char *comp, int last)
{
	int rc = pyro_node_load_service(fs, n);

	(void)last;
	if (rc)
		return rc;
	n->series = pyro_index_series(n->svc, comp);
	n->kind = PYRO_NODE_TYPE;
	if (n->series)
		return 0;
	return step_page(fs, n, comp, last);
}

/* Children of a type directory: series files, diff/, time names. */
int pyro_step_type(struct pyro_fs *fs, struct pyro_node *n, const char *comp,
		   int last)
{
	int rc;

	(void)fs;
	n->sfile = pyro_series_file_find(comp);
	if (n->sfile) {
		n->kind = PYRO_NODE_SERIES_FILE;
		return 0;
	}
	if (!strcmp(comp, DIFF_DIR)) {
		n->kind = PYRO_NODE_DIFF;
		return 0;
	}
	if (!step_page(fs, n, comp, last))
		return 0;
	rc = pyro_time_resolve(n->series, comp, &n->time);
	if (rc)
		return rc;
	/* `latest`, `prev` ... are symlinks; through them, directories. */
	n->kind = last && n->time.span.kind == PYRO_SPAN_RELATIVE ?
		  PYRO_NODE_LATEST : PYRO_NODE_TIME;
	return 0;
}

/* diff/<base>: the base waits in the derivation for its target. */
int pyro_step_diff(struct pyro_fs *fs, struct pyro_node *n, const char *comp,
		   int last)
{
	(void)fs;
	(void)last;
	n->kind = PYRO_NODE_DIFF_BASE;
	return pyro_time_resolve(n->series, comp, &n->deriv.arg.base);
}

/* diff/<base>/<time>: a time node derived from two spans. */
int pyro_step_diff_base(struct pyro_fs *fs, struct pyro_node *n,
			const char *comp, int last)
{
	(void)fs;
	(void)last;
	n->deriv.kind = PYRO_DERIV_DIFF;
	n->kind = PYRO_NODE_TIME;
	return pyro_time_resolve(n->series, comp, &n->time);
}

int pyro_step_time(struct pyro_fs *fs, struct pyro_node *n, const char *comp,
		   int last)
{
	(void)last;
	int rc;

	if (!strcmp(comp, LABELS_DIR) && pyro_labels_shown(fs, n)) {
		n->kind = PYRO_NODE_LABELS;
		return 0;
	}
	if (!strcmp(comp, FUNCTIONS_DIR)) {
		n->kind = PYRO_NODE_FUNCTIONS;
		return 0;
	}
	/* focus=RE/ ...: the same time node, filtered. */
	rc = pyro_chain_step(fs, n, comp);
	if (rc != -ENOENT)
		return rc;
	n->file = pyro_file_kind_find(comp);
	n->kind = PYRO_NODE_FILE;
	return n->file && pyro_time_has_file(n, n->file) ? 0 : -ENOENT;
}

/* functions/<name>: a function of the node's stacks. */
int pyro_step_functions(struct pyro_fs *fs, struct pyro_node *n,
			const char *comp, int last)
{
	struct pyro_buf name = PYRO_BUF_INIT;
	struct pyro_shared_stacks *ss;
	struct pyro_tview v;
	size_t len = strlen(comp);
	int rc;

	(void)last;
	if (len > PYRO_LABEL_NAME_MAX)
		return -ENOENT;
	pyro_tview_of(n, &v);
	rc = pyro_content_stacks(fs, &v, &ss);
	if (rc)
		return rc;
	rc = pyro_function_find(&ss->s, comp, &name);
	pyro_buf_release(&name);
	pyro_obj_put(&ss->obj);
	if (rc)
		return rc;
	memcpy(n->func, comp, len + 1);
	n->kind = PYRO_NODE_FUNCTION;
	return 0;
}

/* functions/<name>/: peek.txt, or callees/ and callers/, time nodes. */
int pyro_step_function(struct pyro_fs *fs, struct pyro_node *n,
		       const char *comp, int last)
{
	int rc;

	(void)fs;
	(void)last;
	if (!strcmp(comp, PEEK_FILE)) {
		n->kind = PYRO_NODE_PEEK;
		return 0;
	}
	if (strcmp(comp, CALLEES_DIR) && strcmp(comp, CALLERS_DIR))
		return -ENOENT;
	rc = pyro_chain_function(n, comp);
	n->func[0] = '\0';
	n->kind = PYRO_NODE_TIME;
	return rc;
}

/* labels/<key> (want_value 0) and labels/<key>/<value> (1): names that the
 * node's label set has. */
static int step_label(struct pyro_fs *fs, struct pyro_node *n,
		      const char *comp, int want_value)
{
	const struct pyro_label_key *k;
	struct pyro_shared_labels *sl;
	size_t len = strlen(comp);
	int rc;

	if (len > PYRO_LABEL_NAME_MAX)
		return -ENOENT;
	rc = pyro_content_labels(fs, n, &sl);
	if (rc)
		return rc;
	k = pyro_label_set_key(&sl->ls, want_value ? n->label_key : comp);
	if (k && !pyro_label_key_shown(fs, k))
		k = NULL;
	if (k && want_value) {
		const struct pyro_label_value *v = pyro_label_key_value(k, comp);

		if (!v || !pyro_label_value_shown(v))
			k = NULL;
	}
	pyro_obj_put(&sl->obj);
	if (!k)
		return -ENOENT;
	if (want_value) {
		memcpy(n->deriv.arg.value, comp, len + 1);
		n->deriv.kind = PYRO_DERIV_LABEL;
		n->kind = PYRO_NODE_TIME;
	} else {
		memcpy(n->label_key, comp, len + 1);
		n->kind = PYRO_NODE_LABEL_KEY;
	}
	return 0;
}

int pyro_step_labels(struct pyro_fs *fs, struct pyro_node *n,
		     const char *comp, int last)
{
	(void)last;
	return step_label(fs, n, comp, 0);
}

int pyro_step_label_key(struct pyro_fs *fs, struct pyro_node *n,
			const char *comp, int last)
{
	(void)last;
	return step_label(fs, n, comp, 1);
}

/* ---- the resolver --------------------------------------------------------- */

/* Resolve path in n->ix (already referenced). */
static int resolve_in(struct pyro_fs *fs, const char *path,
		      struct pyro_node *n)
{
	char comp[NAME_MAX + 1];
	const char *p = path;
	int rc;

	n->kind = PYRO_NODE_ROOT;
	while ((rc = next_component(&p, comp)) > 0) {
		const struct pyro_node_kind_ops *k = kind_of(n);
		const char *rest = p;

		while (*rest == '/')
			rest++;
		if (!k->step)
			return -ENOENT;
		/* A trailing slash asks for a directory: follow `latest`. */
		rc = k->step(fs, n, comp, *p == '\0');
		if (rc)
			return rc == -ENOTDIR ? -ENOENT : rc;
		if (*rest == '\0' && *p == '/' && S_ISREG(kind_of(n)->mode))
			return -ENOTDIR;
	}
	return rc;
}

int pyro_resolve(struct pyro_fs *fs, const char *path, struct pyro_node *n)
{
	int rc;

	memset(n, 0, sizeof(*n));
	n->ix = pyro_fs_index(fs);
	rc = resolve_in(fs, path, n);
	if (rc)
		pyro_node_release(n);
	return rc;
}

void pyro_node_release(struct pyro_node *n)
{
	pyro_index_put(n->ix);
	n->ix = NULL;
}
