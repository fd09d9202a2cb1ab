/*
 * source_archive.c - the local archive as a source (source.h): a directory
 * of profile files, indexed by archive.c, merged by merge.c, its series'
 * history by history.c, its label sets by merge.c and labels.c.
 *
 * This file only adapts: the index it publishes is a view of one struct
 * pyro_archive (which it keeps a reference to), each point's priv is the
 * archive's struct pyro_snapshot, each series' the struct pyro_series, each
 * service's the struct pyro_service, and the index's the archive.  Strings
 * of the view borrow from the archive for the same reason.
 *
 * Following a live archive: refresh stat-walks ARCHIVE
 * (pyro_archive_fingerprint) and indexes it again only when the walk's
 * hash differs from the current index's.  When ARCHIVE itself becomes
 * unreadable it publishes an empty index whose only problem says so, and
 * waits (no reindexing while still gone) until it comes back.
 */
#include "source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"

struct archive_src {
	struct pyro_src base;           /* first: the handle fs/ holds */
	struct pyro_src_conf conf;      /* opts not kept (borrowed at open) */
	int gone;                       /* the current index says ARCHIVE is
					 * unreadable; refresh only (serial) */
};

/* A view of one archive; everything in one allocation after it. */
struct archive_index {
	struct pyro_index ix;
	struct pyro_archive *a;         /* one reference */
};

static struct archive_src *to_src(struct pyro_src *src)
{
	return (struct archive_src *)src;
}

static struct pyro_archive *archive_of(const struct pyro_index *ix)
{
	return ix->priv;
}

/* ---- the index view --------------------------------------------------------- */

static void index_destroy(struct pyro_index *ix)
{
	struct archive_index *ai = (struct archive_index *)ix;

	pyro_archive_put(ai->a);
	free(ai);
}

static void view_series(struct pyro_index_series *vs,
			const struct pyro_index_service *vsvc,
			const struct pyro_series *se, struct pyro_point *points)
{
	size_t k;

	vs->service = vsvc;
	vs->type = se->type;
	vs->sample_type = se->sample_type;
	vs->sample_unit = se->sample_unit;
	vs->kind = se->kind;
	vs->points = points;
	vs->npoints = se->nsnaps;
	vs->priv = se;
	for (k = 0; k < se->nsnaps; k++) {
		points[k].time_nanos = se->snaps[k].src->time_nanos;
		memcpy(points[k].name, se->snaps[k].name, sizeof(points[k].name));
		points[k].priv = &se->snaps[k];
	}
}

/* Publish a view of a (one reference, handed over even on failure). */
static int index_new(struct pyro_archive *a, struct pyro_index **out)
{
	size_t i, j, nseries = 0, npoints = 0;
	struct pyro_index_service *svcs;
	struct pyro_index_series *series;
	struct pyro_point *points;
	struct archive_index *ai;

	for (i = 0; i < a->nservices; i++) {
		nseries += a->services[i].nseries;
		for (j = 0; j < a->services[i].nseries; j++)
			npoints += a->services[i].series[j].nsnaps;
	}
	ai = calloc(1, sizeof(*ai) + a->nservices * sizeof(*svcs) +
		    nseries * sizeof(*series) + npoints * sizeof(*points));
	if (!ai) {
		pyro_archive_put(a);
		return -ENOMEM;
	}
	svcs = (struct pyro_index_service *)(ai + 1);
	series = (struct pyro_index_series *)(svcs + a->nservices);
	points = (struct pyro_point *)(series + nseries);
	for (i = 0; i < a->nservices; i++) {
		const struct pyro_service *s = &a->services[i];

		svcs[i].name = s->name;
		svcs[i].series = series;
		svcs[i].nseries = s->nseries;
		svcs[i].priv = s;
		for (j = 0; j < s->nseries; j++) {
			view_series(series, &svcs[i], &s->series[j], points);
			points += s->series[j].nsnaps;
			series++;
		}
	}
	atomic_init(&ai->ix.refs, 1);
	ai->ix.services = svcs;
	ai->ix.nservices = a->nservices;
	ai->ix.destroy = index_destroy;
	ai->ix.priv = a;
	ai->a = a;
	*out = &ai->ix;
	return 0;
}

/* ---- operations ----------------------------------------------------------------- */

static int archive_refresh(struct pyro_src *src, const struct pyro_index *cur,
			   struct pyro_index **next, char err[PYRO_ERR_MAX])
{
	struct archive_src *as = to_src(src);
	struct pyro_archive *a = NULL;
	char reason[PYRO_ERR_MAX + 64];
	uint64_t fp = 0;
	int rc, gone;

	*next = NULL;
	rc = pyro_archive_fingerprint(src->name, &fp);
	if ((rc == 0 && !as->gone && fp == archive_of(cur)->fingerprint) ||
	    (rc && as->gone))
		return 0;       /* nothing new (or still gone) */
	if (rc == 0)
		rc = pyro_archive_open(src->name, as->conf.max_profile_size, &a,
				       err);
	else
		snprintf(err, PYRO_ERR_MAX, "%s", strerror(-rc));
	if (rc == -ENOMEM)
		return rc;
	gone = rc != 0;
	if (gone) {
		/* ARCHIVE itself is gone or unreadable: serve an empty tree
		 * that says so, until it comes back. */
		snprintf(reason, sizeof(reason), "archive unreadable: %s", err);
		rc = pyro_archive_empty(src->name, reason, &a);
		if (rc)
			return rc;
	}
	rc = index_new(a, next);
	if (rc)
		return rc;
	as->gone = gone;
	return 1;
}

/* The snapshots span sp of se covers, oldest first (an array owned by the
 * caller), and the baseline before them or NULL. */
static const struct pyro_snapshot **members(const struct pyro_index_series *se,
					    const struct pyro_span *sp,
					    const struct pyro_snapshot **base)
{
	const struct pyro_snapshot **snaps = calloc(sp->count, sizeof(*snaps));
	size_t i;

	for (i = 0; snaps && i < sp->count; i++)
		snaps[i] = se->points[sp->first + i].priv;
	*base = sp->has_baseline ? se->points[sp->first - 1].priv : NULL;
	return snaps;
}

static int archive_stacks(struct pyro_src *src, const struct pyro_index *ix,
			  const struct pyro_index_series *se,
			  const struct pyro_span *sp, const char *span_name,
			  const struct pyro_merge_filter *f,
			  struct pyro_stacks *out, char err[PYRO_ERR_MAX])
{
	const struct pyro_snapshot **snaps, *base;
	int rc;

	snaps = members(se, sp, &base);
	if (!snaps) {
		/* out must be releasable whatever happens. */
		memset(out, 0, sizeof(*out));
		return -ENOMEM;
	}
	rc = pyro_merge_build_filtered(archive_of(ix), se->service->priv,
				       se->priv, snaps, sp->count, base,
				       to_src(src)->conf.merge, span_name, f,
				       out, err);
	free(snaps);
	return rc;
}

static int archive_labels(struct pyro_src *src, const struct pyro_index *ix,
			  const struct pyro_index_series *se,
			  const struct pyro_span *sp, enum pyro_merge_rule rule,
			  struct pyro_label_set *out, char err[PYRO_ERR_MAX])
{
	const struct pyro_snapshot **snaps, *base;
	int rc;

	(void)src;
	snaps = members(se, sp, &base);
	if (!snaps) {
		memset(out, 0, sizeof(*out));
		return -ENOMEM;
	}
	rc = pyro_merge_labels(archive_of(ix), snaps, sp->count, base, rule,
			       out, err);
	free(snaps);
	return rc;
}

static int archive_history(struct pyro_src *src, const struct pyro_index *ix,
			   const struct pyro_index_series *se,
			   struct pyro_history *out, char err[PYRO_ERR_MAX])
{
	(void)src;
	return pyro_history_build(archive_of(ix), se->service->priv, se->priv,
				  out, err);
}

/* The identities of the files the span reads (path, size, mtime, inode:
 * archive.h), baseline included, and which sample type of each.  A file
 * rewritten in place is a new identity; nothing is ever open. */
static void archive_ident(struct pyro_src *src, const struct pyro_index *ix,
			  const struct pyro_index_series *se,
			  const struct pyro_span *sp, uint64_t *h, int *open)
{
	size_t i = sp->has_baseline ? sp->first - 1 : sp->first;

	(void)src;
	(void)ix;
	for (; i < sp->first + sp->count; i++) {
		const struct pyro_snapshot *sn = se->points[i].priv;

		*h = pyro_ident_mix(*h, sn->src->ident ^ sn->type_index);
	}
	*open = 0;
}

/* The archive paths of a span's snapshots, one per line. */
static int archive_sources(struct pyro_src *src, const struct pyro_index *ix,
			   const struct pyro_index_series *se,
			   const struct pyro_span *sp, struct pyro_buf *out)
{
	size_t i;
	int rc = 0;

	(void)src;
	(void)ix;
	/* One path per line: control bytes as \xNN, as in /.pyrofs/errors. */
	for (i = 0; i < sp->count && !rc; i++) {
		const struct pyro_snapshot *sn = se->points[sp->first + i].priv;

		rc = i ? pyro_buf_putc(out, '\n') : 0;
		if (!rc)
			rc = pyro_buf_put_safe(out, sn->src->path,
					       strlen(sn->src->path));
	}
	return rc;
}

static int archive_problems(struct pyro_src *src, const struct pyro_index *ix,
			    struct pyro_buf *out)
{
	(void)src;
	return pyro_archive_problems_text(archive_of(ix), out);
}

static int archive_problem(struct pyro_src *src, const struct pyro_index *ix,
			   const char *what, const char *reason)
{
	return pyro_archive_problem(archive_of(ix), what, reason);
}

static void archive_close(struct pyro_src *src)
{
	free(src->name);
	free(to_src(src));
}

static const struct pyro_src_ops archive_ops = {
	.refresh = archive_refresh,
	.stacks = archive_stacks,
	.labels = archive_labels,
	.history = archive_history,
	.ident = archive_ident,
	.sources = archive_sources,
	.problems = archive_problems,
	.problem = archive_problem,
	.stats = NULL,
	.close = archive_close,
};

/* ---- the kind ----------------------------------------------------------------- */

static int archive_match(const char *spec)
{
	(void)spec;
	return 1;
}

/* ARCHIVE must exist (pyro_archive_open says the rest). */
static int archive_check(const char *spec, char err[PYRO_ERR_MAX])
{
	char *root = realpath(spec, NULL);
	int e = errno;

	if (root) {
		free(root);
		return 0;
	}
	snprintf(err, PYRO_ERR_MAX, "archive %s: %s", spec, strerror(e));
	return -e;
}

static int archive_open(const char *spec, const struct pyro_src_conf *conf,
			struct pyro_src **out, struct pyro_index **first,
			char err[PYRO_ERR_MAX])
{
	struct archive_src *as;
	struct pyro_archive *a = NULL;
	char *root;
	int rc;

	if (conf->nopts) {
		snprintf(err, PYRO_ERR_MAX, "option %s is not for a local "
			 "archive", conf->opts[0]);
		return -EINVAL;
	}
	as = calloc(1, sizeof(*as));
	if (!as)
		return -ENOMEM;
	as->base.ops = &archive_ops;
	as->conf = *conf;
	as->conf.opts = NULL;
	as->conf.nopts = 0;
	/* The archive is where ARCHIVE leads now (a symlink given on the
	 * command line is followed once, here); the index then opens that
	 * real path without following it, so a later swap of the root for a
	 * symlink leads nowhere (archive.h). */
	root = realpath(spec, NULL);
	if (!root) {
		rc = -errno;
		snprintf(err, PYRO_ERR_MAX, "%s: %s", spec, strerror(-rc));
		archive_close(&as->base);
		return rc;
	}
	rc = pyro_archive_open(root, conf->max_profile_size, &a, err);
	free(root);
	if (!rc && !(as->base.name = strdup(a->root)))
		rc = -ENOMEM;
	if (!rc)
		rc = index_new(a, first);
	else
		pyro_archive_put(a);
	if (rc) {
		archive_close(&as->base);
		return rc;
	}
	*out = &as->base;
	return 0;
}

const struct pyro_src_kind pyro_src_archive = {
	.name = "archive",
	.match = archive_match,
	.opt = NULL,
	.help = NULL,
	.check = archive_check,
	.open = archive_open,
};
