/*
 * source_archive_read.c - the local archive source's operations that read
 * a published index (source.h): a span's stacks (merge.c, taking members
 * fs/ already decoded), its label sets, a series' history, the identities
 * and paths of the files behind a node, and the problems of every part.
 * Building and following the index is source_archive.c's.
 */
#include "source_archive_priv.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "labels.h"
#include "merge.h"

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

/* Members of a merge from fs/'s decoded snapshots: member i of the span
 * starting at point `first` of se is point first + i. */
struct span_members {
	const struct pyro_snapshot_cache *sc;
	const struct pyro_index *ix;
	const struct pyro_index_series *se;
	size_t first;
};

static int span_member_get(void *ctx, size_t i, const struct pyro_stacks **st,
			   void **hold)
{
	const struct span_members *sm = ctx;

	return sm->sc->get(sm->sc->ctx, sm->ix, sm->se, sm->first + i, st,
			   hold);
}

static void span_member_put(void *ctx, void *hold)
{
	const struct span_members *sm = ctx;

	sm->sc->put(sm->sc->ctx, hold);
}

int pyro_asrc_stacks(struct pyro_src *src, const struct pyro_index *ix,
			  const struct pyro_index_series *se,
			  const struct pyro_span *sp, const char *span_name,
			  const struct pyro_merge_filter *f,
			  struct pyro_stacks *out, char err[PYRO_ERR_MAX])
{
	const struct pyro_snapshot **snaps, *base;
	const struct svc_ref *ref = ref_of(se);
	const struct pyro_snapshot_cache *sc = to_src(src)->conf.snapshots;
	struct span_members sm = { sc, ix, se, sp->first };
	struct pyro_merge_members mm = { span_member_get, span_member_put,
					 &sm };
	int rc;

	snaps = members(se, sp, &base);
	if (!snaps) {
		/* out must be releasable whatever happens. */
		memset(out, 0, sizeof(*out));
		return -ENOMEM;
	}
	rc = pyro_merge_build_reusing(ref->a, ref->svc, se->priv, snaps,
				      sp->count, base, to_src(src)->conf.merge,
				      span_name, f, sc ? &mm : NULL, out, err);
	free(snaps);
	return rc;
}

int pyro_asrc_labels(struct pyro_src *src, const struct pyro_index *ix,
			  const struct pyro_index_series *se,
			  const struct pyro_span *sp, enum pyro_merge_rule rule,
			  struct pyro_label_set *out, char err[PYRO_ERR_MAX])
{
	const struct pyro_snapshot **snaps, *base;
	int rc;

	(void)src;
	(void)ix;
	snaps = members(se, sp, &base);
	if (!snaps) {
		memset(out, 0, sizeof(*out));
		return -ENOMEM;
	}
	rc = pyro_merge_labels(ref_of(se)->a, snaps, sp->count, base, rule,
			       out, err);
	free(snaps);
	return rc;
}

int pyro_asrc_history(struct pyro_src *src, const struct pyro_index *ix,
			   const struct pyro_index_series *se,
			   struct pyro_history *out, char err[PYRO_ERR_MAX])
{
	(void)src;
	(void)ix;
	return pyro_history_build(ref_of(se)->a, ref_of(se)->svc, se->priv,
				  out, err);
}

/* The identities of the files the span reads (path, size, mtime, inode:
 * archive.h), baseline included, and which sample type of each.  A file
 * rewritten in place is a new identity; nothing is ever open. */
void pyro_asrc_ident(struct pyro_src *src, const struct pyro_index *ix,
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
int pyro_asrc_sources(struct pyro_src *src, const struct pyro_index *ix,
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

/* Every archive of a view: its problems are the view's. */
static int archives_of(const struct archive_index *ai,
		       struct pyro_archive ***out, size_t *n)
{
	struct pyro_archive **as = calloc(ai->nparts + 2, sizeof(*as));
	size_t i, k = 0;

	*out = as;
	if (!as)
		return -ENOMEM;
	if (ai->gone)
		as[k++] = ai->gone;
	if (ai->root)
		as[k++] = ai->root->a;
	for (i = 0; i < ai->nparts; i++)
		if (ai->parts[i]->a)
			as[k++] = ai->parts[i]->a;
	*n = k;
	return 0;
}

int pyro_asrc_problems(struct pyro_src *src, const struct pyro_index *ix,
			    struct pyro_buf *out)
{
	struct pyro_archive **as;
	size_t n;
	int rc;

	(void)src;
	rc = archives_of(view_of(ix), &as, &n);
	if (!rc)
		rc = pyro_archive_problems_text_many(as, n, out);
	free(as);
	return rc;
}

/* A problem fs/ found at a node path ("api/cpu/all/tree.txt"): its
 * service's part keeps it (and forgets it when indexed again). */
int pyro_asrc_problem(struct pyro_src *src, const struct pyro_index *ix,
			   const char *what, const char *reason)
{
	const struct archive_index *ai = view_of(ix);
	char svc[NAME_MAX + 1];
	const char *slash = strchr(what, '/');
	const struct pyro_index_service *s = NULL;

	(void)src;
	if (slash && (size_t)(slash - what) < sizeof(svc)) {
		memcpy(svc, what, (size_t)(slash - what));
		svc[slash - what] = '\0';
		s = pyro_index_service(ix, svc);
	}
	if (s && !s->pending)
		return pyro_archive_problem(((const struct svc_ref *)s->priv)->a,
					    what, reason);
	if (ai->root)
		return pyro_archive_problem(ai->root->a, what, reason);
	if (ai->gone)
		return pyro_archive_problem(ai->gone, what, reason);
	return 0;
}

