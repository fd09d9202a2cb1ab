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
#include <string.h>

int pyro_list_root(struct pyro_fs *fs, const struct pyro_node *n,
		   pyro_list_fn *fn, void *ctx)
{
	struct pyro_node c = { .ix = n->ix };
	size_t i;

	(void)fs;
	c.kind = PYRO_NODE_META;
	if (fn(ctx, META_DIR, &c))
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

int pyro_list_service(struct pyro_fs *fs, const struct pyro_node *n,
		      pyro_list_fn *fn, void *ctx)
{
	struct pyro_node c = { .ix = n->ix, .svc = n->svc };
	size_t i;

	(void)fs;
	c.kind = PYRO_NODE_TYPE;
	for (i = 0; i < n->svc->nseries; i++) {
		c.series = &n->svc->series[i];
		if (fn(ctx, c.series->type, &c))
			return 0;
	}
	return 0;
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

/* all, latest, day and hour windows, points, series files, diff/. */
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
	pyro_time_resolve(n->series, LATEST_NAME, &c->time);
	c->kind = PYRO_NODE_LATEST;
	if (fn(ctx, LATEST_NAME, c))
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
	c->kind = PYRO_NODE_DIFF;
	fn(ctx, DIFF_DIR, c);
	return 0;
}

/* The files of a time node, then labels/ where the derivation has it. */
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
	c.kind = PYRO_NODE_LABELS;
	if (pyro_labels_shown(fs, n))
		fn(ctx, LABELS_DIR, &c);
	return 0;
}

int pyro_labels_shown(const struct pyro_fs *fs, const struct pyro_node *n)
{
	return deriv_of(&n->deriv)->labels &&
	       fs->opts.labels != PYRO_LABELS_OFF;
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
	/* diff/ and diff/<base>/ have no list: listing every pair of time
	 * names would make `ls -R` and file managers walk N^2 directories. */
	return k->list ? k->list(fs, n, fn, ctx) : 0;
}
