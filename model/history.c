/*
 * history.c - fold every snapshot of a series into per-function figures;
 * see history.h.
 */
#include "history.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "merge.h"

#define NO_FUNC UINT32_MAX
#define NS_PER_HOUR 3.6e12

/* Working state while folding snapshots in. */
struct build {
	uint32_t *func_of;      /* strtab id -> function index, NO_FUNC */
	size_t func_of_cap;
	int64_t *cur_flat;      /* per function, this snapshot */
	int64_t *cur_cum;
	size_t cur_cap;
	size_t stamp;           /* stacks seen so far, for cum-once */
	size_t nfolds;          /* snapshots folded in so far */
	double sum_t, sum_tt;   /* over folded snapshots, t in hours */
};

double pyro_slope(const double *t, const double *v, size_t n)
{
	double st = 0, sv = 0, stt = 0, stv = 0, den;
	size_t i;

	if (n < 2)
		return 0;
	for (i = 0; i < n; i++) {
		st += t[i];
		sv += v[i];
		stt += t[i] * t[i];
		stv += t[i] * v[i];
	}
	den = (double)n * stt - st * st;
	return den == 0 ? 0 : ((double)n * stv - st * sv) / den;
}

void pyro_history_release(struct pyro_history *h)
{
	free(h->service);
	free(h->type);
	free(h->sample_type);
	free(h->sample_unit);
	free(h->times);
	free(h->names);
	free(h->totals);
	free(h->durations);
	for (size_t f = 0; f < h->nfuncs; f++)
		free(h->funcs[f].series);
	free(h->funcs);
	pyro_strtab_release(&h->strs);
	memset(h, 0, sizeof(*h));
}

static int grow_u32(uint32_t **p, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 256, i;
	uint32_t *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * sizeof(*q));
	if (!q)
		return -ENOMEM;
	for (i = *cap; i < n; i++)
		q[i] = NO_FUNC;
	*p = q;
	*cap = n;
	return 0;
}

/* The function index of a node name, creating the function if new. */
static int func_index(struct pyro_history *h, struct build *b,
		      struct pyro_str name, uint32_t *out)
{
	uint32_t id;
	int rc = pyro_strtab_intern(&h->strs, name.ptr, name.len, &id);

	if (!rc)
		rc = grow_u32(&b->func_of, &b->func_of_cap, (size_t)id + 1);
	if (rc)
		return rc;
	if (b->func_of[id] == NO_FUNC) {
		if (h->nfuncs == b->cur_cap) {
			size_t cap = b->cur_cap ? b->cur_cap * 2 : 256;
			struct pyro_history_func *f = realloc(h->funcs, cap * sizeof(*f));
			int64_t *fl = realloc(b->cur_flat, cap * sizeof(*fl));
			int64_t *cu;

			if (f)
				h->funcs = f;
			if (fl)
				b->cur_flat = fl;
			cu = realloc(b->cur_cum, cap * sizeof(*cu));
			if (cu)
				b->cur_cum = cu;
			if (!f || !fl || !cu)
				return -ENOMEM;
			b->cur_cap = cap;
		}
		memset(&h->funcs[h->nfuncs], 0, sizeof(h->funcs[0]));
		h->funcs[h->nfuncs].name = id;
		b->cur_flat[h->nfuncs] = 0;
		b->cur_cum[h->nfuncs] = 0;
		b->func_of[id] = (uint32_t)h->nfuncs++;
	}
	*out = b->func_of[id];
	return 0;
}

/* Hours from t0 to t: exact in 64 bits when the difference fits, else in
 * double (times centuries apart, hostile or broken, overflow it). */
static double hours_between(int64_t t, int64_t t0)
{
	int64_t d;

	if (__builtin_sub_overflow(t, t0, &d))
		return ((double)t - (double)t0) / NS_PER_HOUR;
	return (double)d / NS_PER_HOUR;
}

/* Add one snapshot's flat and cum per function into b->cur_*. */
static int add_values(struct pyro_history *h, struct build *b,
		      const struct pyro_stacks *st)
{
	size_t k;
	int rc = 0;

	for (k = 0; k < st->nstacks && !rc; k++) {
		const struct pyro_stack *s = &st->stacks[k];
		const uint32_t *refs = pyro_stack_refs(st, s);
		uint32_t d, f = NO_FUNC;

		if (s->value == 0)
			continue;
		b->stamp++;
		for (d = 0; d < s->depth && !rc; d++) {
			rc = func_index(h, b, pyro_ref_node(st, refs[d]), &f);
			if (!rc && h->funcs[f].stamp != b->stamp) {
				h->funcs[f].stamp = b->stamp;
				b->cur_cum[f] += s->value;
			}
		}
		if (!rc && f != NO_FUNC)
			b->cur_flat[f] += s->value;
	}
	return rc;
}

/* Whether snapshot k takes a slot of the sampled series; when the slots
 * are full, every other one is dropped first and the step doubles (see
 * history.h). */
static bool take_slot(struct pyro_history *h, size_t k)
{
	size_t j, f;

	if (k % h->slot_step)
		return false;
	if (h->nslots == PYRO_HISTORY_SLOTS) {
		for (j = 0; j < PYRO_HISTORY_SLOTS / 2; j++)
			h->slot_snap[j] = h->slot_snap[2 * j];
		for (f = 0; f < h->nfuncs; f++)
			for (j = 0; h->funcs[f].series && j < PYRO_HISTORY_SLOTS / 2; j++)
				h->funcs[f].series[j] = h->funcs[f].series[2 * j];
		h->nslots = PYRO_HISTORY_SLOTS / 2;
		h->slot_step *= 2;
	}
	return k % h->slot_step == 0;
}

/* Fold this snapshot's per-function values into the running figures: the
 * k-th folded, row `snap` of the history (pyro_history_build folds every
 * row, so k == snap; a source's builder may fold fewer). */
static int fold_values(struct pyro_history *h, struct build *b, size_t k,
		       size_t snap, double t)
{
	bool slot = take_slot(h, k);
	size_t f;

	for (f = 0; f < h->nfuncs; f++) {
		struct pyro_history_func *fn = &h->funcs[f];
		int64_t fl = b->cur_flat[f];

		if (k == 0) {
			fn->flat_first = fl;
			fn->cum_first = b->cur_cum[f];
		} else if (fl > fn->flat_prev) {
			fn->rises++;
		} else if (fl < fn->flat_prev) {
			fn->falls++;
		}
		if (fl && !fn->series) {
			fn->series = calloc(PYRO_HISTORY_SLOTS, sizeof(*fn->series));
			if (!fn->series)
				return -ENOMEM;
			h->nseries++;
		}
		if (slot && fn->series)
			fn->series[h->nslots] = fl;
		fn->flat_last = fl;
		fn->cum_last = b->cur_cum[f];
		fn->flat_prev = fl;
		fn->sum_v += (double)fl;
		fn->sum_tv += t * (double)fl;
		b->cur_flat[f] = 0;
		b->cur_cum[f] = 0;
	}
	if (slot)
		h->slot_snap[h->nslots++] = snap;
	b->sum_t += t;
	b->sum_tt += t * t;
	b->nfolds++;
	h->nfolded = b->nfolds;
	return 0;
}

/* Intern the callers of stack s (its leaf left out), the nearest
 * PYRO_HISTORY_PATH_MAX of them, as "a;b;c" into *id. */
static int intern_path(struct pyro_history *h, const struct pyro_stacks *st,
		       const struct pyro_stack *s, uint32_t *id)
{
	const uint32_t *refs = pyro_stack_refs(st, s);
	struct pyro_buf p = PYRO_BUF_INIT;
	uint32_t d = 0;
	int rc = 0;

	if (s->depth > PYRO_HISTORY_PATH_MAX + 1) {
		d = s->depth - 1 - PYRO_HISTORY_PATH_MAX;
		rc = pyro_buf_puts(&p, "..");
	}
	for (; d + 1 < s->depth && !rc; d++) {
		struct pyro_str n = pyro_ref_node(st, refs[d]);

		if (p.len)
			rc = pyro_buf_putc(&p, ';');
		if (!rc)
			rc = pyro_buf_add(&p, n.ptr, n.len);
	}
	if (!rc)
		rc = pyro_strtab_intern(&h->strs, p.data ? p.data : "", p.len, id);
	pyro_buf_release(&p);
	return rc;
}

/* The hottest caller path, at the last snapshot st, of each function
 * whose flat grew (history.h). */
static int find_paths(struct pyro_history *h, struct build *b,
		      const struct pyro_stacks *st)
{
	size_t *best = malloc((h->nfuncs + 1) * sizeof(*best)), k;
	int rc = 0;

	if (!best)
		return -ENOMEM;
	for (k = 0; k < h->nfuncs; k++)
		best[k] = SIZE_MAX;
	for (k = 0; k < st->nstacks; k++) {
		const struct pyro_stack *s = &st->stacks[k];
		uint32_t f;

		if (s->value <= 0 || s->depth == 0)
			continue;
		/* Every leaf of st is a function already: a lookup. */
		rc = func_index(h, b, pyro_ref_node(st, pyro_stack_refs(st, s)[s->depth - 1]),
				&f);
		if (rc)
			break;
		if (h->funcs[f].flat_last <= h->funcs[f].flat_first)
			continue;
		if (best[f] == SIZE_MAX || s->value > st->stacks[best[f]].value)
			best[f] = k;
	}
	for (k = 0; k < h->nfuncs && !rc; k++) {
		if (best[k] == SIZE_MAX)
			continue;
		rc = intern_path(h, st, &st->stacks[best[k]], &h->funcs[k].path);
		h->funcs[k].has_path = !rc;
	}
	free(best);
	return rc;
}

static void finish_slopes(struct pyro_history *h, const struct build *b)
{
	double n = (double)b->nfolds, den = n * b->sum_tt - b->sum_t * b->sum_t;
	double *t = malloc(h->nsnaps * sizeof(*t)), *v = malloc(h->nsnaps * sizeof(*v));
	size_t f, k;

	for (f = 0; f < h->nfuncs; f++) {
		struct pyro_history_func *fn = &h->funcs[f];

		fn->slope = b->nfolds < 2 || den == 0 ? 0 :
			    (n * fn->sum_tv - b->sum_t * fn->sum_v) / den;
	}
	if (!t || !v) {
		h->slope = 0;
	} else {
		for (k = 0; k < h->nsnaps; k++) {
			t[k] = hours_between(h->times[k], h->times[0]);
			v[k] = (double)h->totals[k];
		}
		h->slope = pyro_slope(t, v, h->nsnaps);
	}
	free(t);
	free(v);
}

static int init_history(struct pyro_history *h, const struct pyro_service *svc,
			const struct pyro_series *se)
{
	memset(h, 0, sizeof(*h));
	if (pyro_strtab_init(&h->strs))
		return -ENOMEM;
	h->service = strdup(svc->name);
	h->type = strdup(se->type);
	h->sample_type = strdup(se->sample_type);
	h->sample_unit = strdup(se->sample_unit);
	h->times = calloc(se->nsnaps, sizeof(*h->times));
	h->names = calloc(se->nsnaps, sizeof(*h->names));
	h->totals = calloc(se->nsnaps, sizeof(*h->totals));
	h->durations = calloc(se->nsnaps, sizeof(*h->durations));
	h->slot_step = 1;
	if (!h->service || !h->type || !h->sample_type || !h->sample_unit ||
	    !h->times || !h->names || !h->totals || !h->durations)
		return -ENOMEM;
	return 0;
}

int pyro_history_build(struct pyro_archive *a, const struct pyro_service *svc,
		       const struct pyro_series *se, struct pyro_history *out,
		       char err[PYRO_ERR_MAX])
{
	struct pyro_stacks last;        /* the last readable snapshot's */
	bool have_last = false;
	struct build b;
	size_t i;
	int rc;

	memset(&b, 0, sizeof(b));
	rc = init_history(out, svc, se);
	for (i = 0; i < se->nsnaps && !rc; i++) {
		const struct pyro_snapshot *sn = &se->snaps[i];
		struct pyro_stacks st;
		size_t k = out->nsnaps;
		int64_t total = 0;

		if (pyro_snapshot_stacks(a, sn, &st, err)) {
			pyro_stacks_release(&st);
			continue;       /* recorded as a problem; the rest count */
		}
		if (pyro_stacks_total(&st, &total)) {
			pyro_archive_problem(a, sn->src->path,
					     "sample values overflow 64 bits when summed");
			pyro_stacks_release(&st);
			continue;
		}
		rc = add_values(out, &b, &st);
		if (rc) {
			pyro_stacks_release(&st);
			break;
		}
		if (have_last)
			pyro_stacks_release(&last);
		last = st;
		have_last = true;
		out->times[k] = sn->src->time_nanos;
		pyro_snapshot_name(sn, out->names[k]);
		out->totals[k] = total;
		out->durations[k] = st.meta.duration_nanos > 0 ?
				    st.meta.duration_nanos : 0;
		rc = fold_values(out, &b, k, k,
				 hours_between(sn->src->time_nanos, out->times[0]));
		out->nsnaps++;
	}
	if (!rc && out->nsnaps == 0) {
		rc = -EIO;
	} else if (!rc) {
		finish_slopes(out, &b);
		rc = find_paths(out, &b, &last);
	}
	if (rc && rc != -EIO)
		snprintf(err, PYRO_ERR_MAX, "out of memory");
	if (have_last)
		pyro_stacks_release(&last);
	free(b.func_of);
	free(b.cur_flat);
	free(b.cur_cum);
	return rc;
}

/* ---- building from a source's own members -------------------------------- */

struct pyro_history_builder {
	struct build b;
	size_t cap;                     /* rows allocated */
	struct pyro_stacks last;        /* the last folded member's stacks */
	bool have_last;
};

int pyro_history_begin(struct pyro_history *h, const char *service,
		       const char *type, const char *sample_type,
		       const char *sample_unit, size_t npoints,
		       struct pyro_history_builder **out)
{
	struct pyro_history_builder *hb = calloc(1, sizeof(*hb));

	memset(h, 0, sizeof(*h));
	*out = hb;
	if (!hb || pyro_strtab_init(&h->strs))
		return -ENOMEM;
	hb->cap = npoints ? npoints : 1;
	h->service = strdup(service);
	h->type = strdup(type);
	h->sample_type = strdup(sample_type);
	h->sample_unit = strdup(sample_unit);
	h->times = calloc(hb->cap, sizeof(*h->times));
	h->names = calloc(hb->cap, sizeof(*h->names));
	h->totals = calloc(hb->cap, sizeof(*h->totals));
	h->durations = calloc(hb->cap, sizeof(*h->durations));
	h->slot_step = 1;
	if (!h->service || !h->type || !h->sample_type || !h->sample_unit ||
	    !h->times || !h->names || !h->totals || !h->durations)
		return -ENOMEM;
	return 0;
}

int pyro_history_point(struct pyro_history *h, struct pyro_history_builder *hb,
		       int64_t time_nanos, const char *name, int64_t total)
{
	if (h->nsnaps >= hb->cap)
		return -ENOSPC;
	h->times[h->nsnaps] = time_nanos;
	snprintf(h->names[h->nsnaps], sizeof(h->names[0]), "%s", name);
	h->totals[h->nsnaps++] = total;
	return 0;
}

int pyro_history_fold(struct pyro_history *h, struct pyro_history_builder *hb,
		      size_t row, struct pyro_stacks *st)
{
	int rc;

	if (row >= h->nsnaps)
		return -EINVAL;
	rc = add_values(h, &hb->b, st);
	if (!rc)
		rc = fold_values(h, &hb->b, hb->b.nfolds, row,
				 hours_between(h->times[row], h->times[0]));
	if (hb->have_last)
		pyro_stacks_release(&hb->last);
	hb->last = *st;                 /* moved: the caller's is zeroed */
	hb->have_last = true;
	memset(st, 0, sizeof(*st));
	return rc;
}

int pyro_history_end(struct pyro_history *h, struct pyro_history_builder *hb)
{
	int rc = 0;

	if (!hb)
		return -ENOMEM;
	if (h->nsnaps > 0)
		finish_slopes(h, &hb->b);
	if (hb->have_last) {
		rc = find_paths(h, &hb->b, &hb->last);
		pyro_stacks_release(&hb->last);
	}
	free(hb->b.func_of);
	free(hb->b.cur_flat);
	free(hb->b.cur_cum);
	free(hb);
	return rc;
}
