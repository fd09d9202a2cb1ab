/*
 * diff.c - union of two stack sets with per-stack base values; see diff.h.
 */
#include "diff.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int merge_meta(struct pyro_meta *m, const struct pyro_meta *base,
		      const char *base_span)
{
	if (base->time_nanos && (!m->time_nanos || base->time_nanos < m->time_nanos))
		m->time_nanos = base->time_nanos;
	if (base->newest_nanos > m->newest_nanos)
		m->newest_nanos = base->newest_nanos;
	if (__builtin_add_overflow(m->duration_nanos, base->duration_nanos,
				   &m->duration_nanos))
		m->duration_nanos = INT64_MAX;
	m->base_span = strdup(base_span);
	return m->base_span ? 0 : -ENOMEM;
}

int pyro_diff_build(const struct pyro_stacks *base,
		    const struct pyro_stacks *target, const char *base_span,
		    struct pyro_stacks *out)
{
	size_t *bidx = NULL, *tidx = NULL, k;
	int64_t *tval = NULL;
	int rc;

	rc = pyro_stacks_init(out);
	if (!rc)
		rc = pyro_meta_copy(&out->meta, &target->meta);
	if (!rc)
		rc = merge_meta(&out->meta, &base->meta, base_span);
	if (!rc)
		rc = pyro_stacks_total(base, &out->meta.base_total);
	if (rc)
		return rc;
	bidx = malloc((base->nstacks + 1) * sizeof(*bidx));
	tidx = malloc((target->nstacks + 1) * sizeof(*tidx));
	if (!bidx || !tidx) {
		rc = -ENOMEM;
		goto out;
	}
	rc = pyro_stacks_import(out, target, tidx);
	if (!rc)
		rc = pyro_stacks_import(out, base, bidx);
	if (rc)
		goto out;
	out->base = calloc(out->nstacks + 1, sizeof(*out->base));
	tval = calloc(out->nstacks + 1, sizeof(*tval));
	if (!out->base || !tval) {
		rc = -ENOMEM;
		goto out;
	}
	for (k = 0; k < target->nstacks; k++)
		tval[tidx[k]] = target->stacks[k].value;
	for (k = 0; k < base->nstacks; k++)
		out->base[bidx[k]] = base->stacks[k].value;
	for (k = 0; k < out->nstacks; k++) {
		if (__builtin_sub_overflow(tval[k], out->base[k],
					   &out->stacks[k].value)) {
			rc = -EOVERFLOW;
			goto out;
		}
	}
out:
	free(bidx);
	free(tidx);
	free(tval);
	return rc;
}
