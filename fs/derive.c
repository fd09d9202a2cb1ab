/*
 * derive.c - derived time nodes: a time node is a span of a series, and a
 * derivation says what is made of it instead of its own stacks.
 *
 *   none    the span's stacks, from the source
 *   diff    diff/<base>/<time>: time's stacks minus base's (model/diff.h)
 *   label   <time>/labels/<key>/<value>: the span's samples carrying
 *           key=value, merged by the rule the whole span merged by, with
 *           percentages of its total (the source's filtered stacks)
 *
 * Every question that depends on the derivation (its path, its stacks,
 * what its identity is made of, how new it is, which attributes and files
 * it has) is one lookup in derivations[] - no flags tested elsewhere.
 * The pieces a derivation builds from are views (struct pyro_tview) of
 * the same node: the base of a diff and the plain span under a label node
 * are built and cached as their own time nodes, so `diff/a/b` reuses the
 * stacks of `a` and `b`.
 */
#include "node.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../model/diff.h"

const struct pyro_derivation pyro_deriv_none = { .kind = PYRO_DERIV_NONE };

void pyro_tview_of(const struct pyro_node *n, struct pyro_tview *v)
{
	v->n = n;
	v->time = &n->time;
	v->deriv = &n->deriv;
}

void pyro_tview_plain(const struct pyro_node *n, struct pyro_tview *v)
{
	v->n = n;
	v->time = &n->time;
	v->deriv = &pyro_deriv_none;
}

static int put(char *out, size_t size, int len)
{
	return len < 0 || (size_t)len >= size ? -ENAMETOOLONG : 0;
}

/* ---- none ------------------------------------------------------------------- */

static int none_key(const struct pyro_tview *v, char *out, size_t size)
{
	return put(out, size, snprintf(out, size, "%s", v->time->name));
}

/* ---- diff --------------------------------------------------------------------- */

static int diff_key(const struct pyro_tview *v, char *out, size_t size)
{
	return put(out, size, snprintf(out, size, "%s/%s/%s", DIFF_DIR,
				       v->deriv->arg.base.name,
				       v->time->name));
}

/* The diff of the base and the target, built from their (cached) stacks. */
static int diff_build(struct pyro_fs *fs, const struct pyro_tview *v,
		      struct pyro_stacks *out)
{
	struct pyro_shared_stacks *base = NULL, *target = NULL;
	struct pyro_tview b = { v->n, &v->deriv->arg.base, &pyro_deriv_none };
	struct pyro_tview t = { v->n, v->time, &pyro_deriv_none };
	int rc;

	rc = pyro_content_stacks(fs, &b, &base);
	if (!rc)
		rc = pyro_content_stacks(fs, &t, &target);
	if (!rc)
		rc = pyro_diff_build(&base->s, &target->s,
				     v->deriv->arg.base.name, out);
	else
		memset(out, 0, sizeof(*out));
	if (base)
		pyro_obj_put(&base->obj);
	if (target)
		pyro_obj_put(&target->obj);
	return rc;
}

static void diff_ident(const struct pyro_fs *fs, const struct pyro_tview *v,
		       uint64_t *h, int *open)
{
	int o = 0;

	*h = pyro_ident_mix(*h, 1);
	fs->src->ops->ident(fs->src, v->n->ix, v->n->series,
			    &v->deriv->arg.base.span, h, &o);
	*open |= o;
}

static int64_t diff_newest(const struct pyro_tview *v)
{
	const struct pyro_span *sp = &v->deriv->arg.base.span;

	return v->n->series->points[sp->first + sp->count - 1].time_nanos;
}

/* ---- label -------------------------------------------------------------------- */

static int label_key(const struct pyro_tview *v, char *out, size_t size)
{
	return put(out, size, snprintf(out, size, "%s/%s/%s/%s",
				       v->time->name, LABELS_DIR,
				       v->n->label_key, v->deriv->arg.value));
}

/* The samples of the plain span carrying the label, merged by the plain
 * span's rule, percentages of its total. */
static int label_build(struct pyro_fs *fs, const struct pyro_tview *v,
		       struct pyro_stacks *out)
{
	struct pyro_tview whole_v = { v->n, v->time, &pyro_deriv_none };
	struct pyro_merge_filter f = { 0 };
	struct pyro_shared_stacks *whole = NULL;
	struct pyro_shared_labels *sl = NULL;
	const struct pyro_label_value *val = NULL;
	const struct pyro_label_key *k = NULL;
	char err[PYRO_ERR_MAX];
	int rc;

	memset(out, 0, sizeof(*out));
	rc = pyro_content_stacks(fs, &whole_v, &whole);
	if (!rc)
		rc = pyro_content_labels(fs, v->n, &sl);
	if (!rc)
		rc = pyro_stacks_total(&whole->s, &f.whole_total);
	if (!rc && (k = pyro_label_set_key(&sl->ls, v->n->label_key)))
		val = pyro_label_key_value(k, v->deriv->arg.value);
	if (!rc && !val)
		rc = -ENOENT;
	if (!rc) {
		f.key = k->text;
		f.key_len = k->len;
		f.value = val->text;
		f.value_len = val->len;
		if (val->kinds == PYRO_LABEL_NUMBER)
			f.unit = k->unit;
		f.rule = whole->s.meta.rule;
		rc = fs->src->ops->stacks(fs->src, v->n->ix, v->n->series,
					  &v->time->span, v->time->name, &f,
					  out, err);
	}
	if (sl)
		pyro_obj_put(&sl->obj);
	if (whole)
		pyro_obj_put(&whole->obj);
	return rc;
}

/* ---- the table ------------------------------------------------------------------ */

const struct pyro_deriv_ops pyro_derivations[PYRO_DERIV_NKINDS] = {
	[PYRO_DERIV_NONE] = {
		.name = "none",
		.time_key = none_key,
		.xattrs = PYRO_XA_BASELINE,
		.labels = 1,
		.keeps_pages = 1,
	},
	[PYRO_DERIV_DIFF] = {
		.name = "diff",
		.time_key = diff_key,
		.build = diff_build,
		.ident = diff_ident,
		.newest = diff_newest,
		.xattrs = PYRO_XA_BASE,
		.signed_total = 1,
	},
	[PYRO_DERIV_LABEL] = {
		.name = "label",
		.time_key = label_key,
		.build = label_build,
		.xattrs = PYRO_XA_BASELINE | PYRO_XA_LABEL,
		.keeps_pages = 1,
	},
};

/* ---- what every view answers ---------------------------------------------------- */

int pyro_tview_key(const struct pyro_tview *v, char *out, size_t size)
{
	int len = snprintf(out, size, "%s/%s/", v->n->svc->name,
			   v->n->series->type);

	if (len < 0 || (size_t)len >= size)
		return -ENAMETOOLONG;
	return deriv_of(v->deriv)->time_key(v, out + len, size - (size_t)len);
}

/*
 * What a time node's content is made of: the source's identity of its
 * span (local: the identity of every profile file it reads), then what
 * its derivation reads besides, over a seed of the merge policy.  It goes
 * into cache keys and file inode numbers, so when the source changes, a
 * node whose inputs changed is a new object - never stale bytes from the
 * cache, never old pages from the kernel's - while nodes whose inputs did
 * not change keep their cache.
 */
uint64_t pyro_tview_ident(const struct pyro_fs *fs, const struct pyro_tview *v,
			  int *open)
{
	const struct pyro_deriv_ops *d = deriv_of(v->deriv);
	uint64_t h = PYRO_HASH_SEED ^ (uint64_t)fs->opts.merge;
	int o = 0;

	fs->src->ops->ident(fs->src, v->n->ix, v->n->series, &v->time->span,
			    &h, &o);
	if (d->ident)
		d->ident(fs, v, &h, &o);
	if (open)
		*open = o;
	return h;
}

int64_t pyro_tview_newest(const struct pyro_tview *v)
{
	const struct pyro_deriv_ops *d = deriv_of(v->deriv);
	const struct pyro_span *sp = &v->time->span;
	int64_t t = v->n->series->points[sp->first + sp->count - 1].time_nanos;

	if (d->newest && d->newest(v) > t)
		t = d->newest(v);
	return t;
}
