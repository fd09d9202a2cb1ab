/*
 * merge.c - build a node's stacks from its snapshots; see merge.h.
 *
 * One pass over the snapshots, oldest first.  Each snapshot's stacks are
 * mapped into the union (out): its frames re-interned, its stacks looked up
 * or added.  Per union stack three accumulators run side by side - sum,
 * increase and the previous value - so the rule can be chosen at the end,
 * after the content has shown whether a cumulative series really is one.
 * Memory is O(union stacks), whatever the number of snapshots.
 *
 * Decoding a member (inflate, decode, aggregate) costs far more than
 * folding it in, and members decode independently: a merge of several
 * decodes ahead on the threads of a pool shared by every merge of the
 * source (see "Decoding ahead") while the calling thread folds the members
 * in, strictly in order.
 */
#include "archive.h"
#include "merge.h"

#include "collapsed.h"
#include "decode_pool.h"
#include "labels.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct acc {
	int64_t *sum;           /* per union stack: sum of values */
	int64_t *inc;           /* per union stack: increase */
	int64_t *prev;          /* per union stack: value in the last snapshot */
	int64_t *cur;           /* per union stack: value in this snapshot */
	size_t cap;
	int64_t prev_total;     /* total of the last snapshot */
	int monotonic;          /* no stack fell without a restart */
};

static int acc_grow(struct acc *acc, size_t n)
{
	int64_t **arrays[] = { &acc->sum, &acc->inc, &acc->prev, &acc->cur };
	size_t cap = acc->cap ? acc->cap : 256, i;

	if (n <= acc->cap)
		return 0;
	while (cap < n)
		cap *= 2;
	for (i = 0; i < 4; i++) {
		int64_t *p = realloc(*arrays[i], cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		memset(p + acc->cap, 0, (cap - acc->cap) * sizeof(*p));
		*arrays[i] = p;
	}
	acc->cap = cap;
	return 0;
}

static void acc_release(struct acc *acc)
{
	free(acc->sum);
	free(acc->inc);
	free(acc->prev);
	free(acc->cur);
}

/* Map snapshot stacks `src` into the union `out`, leaving each union
 * stack's value for this snapshot in acc->cur. */
static int map_into(struct pyro_stacks *out, const struct pyro_stacks *src,
		    int lines, struct acc *acc)
{
	size_t *idx = malloc((src->nstacks ? src->nstacks : 1) * sizeof(*idx));
	size_t k;
	int rc;

	if (!idx)
		return -ENOMEM;
	rc = pyro_stacks_import_as(out, src, lines, idx);
	if (!rc)
		rc = acc_grow(acc, out->nstacks);
	/* without lines, several stacks of src may be one of out: add */
	for (k = 0; k < src->nstacks && !rc; k++)
		if (__builtin_add_overflow(acc->cur[idx[k]], src->stacks[k].value,
					   &acc->cur[idx[k]]))
			rc = -EOVERFLOW;
	if (rc == -EOVERFLOW)   /* the member is left out: forget its values */
		memset(acc->cur, 0, out->nstacks * sizeof(*acc->cur));
	free(idx);
	return rc;
}

/* The increase of one stack from p to c: c itself when it fell (a
 * restart) or when the rise does not fit in 64 bits, which only a
 * hostile negative p can cause (a counter is never below zero). */
static int64_t rise(int64_t c, int64_t p, int first)
{
	int64_t d;

	if (first || c < p || __builtin_sub_overflow(c, p, &d))
		return c;
	return d;
}

/* Whether folding this snapshot (acc->cur) in keeps every per-stack sum
 * and increase, and the totals of |sum| and |inc| that top.txt reports,
 * within 64 bits. */
static int fits(const struct acc *acc, size_t nunion, int first)
{
	int64_t tsum = 0, tinc = 0, s, i;
	size_t u;

	for (u = 0; u < nunion; u++) {
		if (__builtin_add_overflow(acc->sum[u], acc->cur[u], &s) ||
		    __builtin_add_overflow(acc->inc[u],
					   rise(acc->cur[u], acc->prev[u], first),
					   &i) ||
		    s == INT64_MIN || i == INT64_MIN ||
		    __builtin_add_overflow(tsum, s < 0 ? -s : s, &tsum) ||
		    __builtin_add_overflow(tinc, i < 0 ? -i : i, &tinc))
			return 0;
	}
	return 1;
}

/* Forget this snapshot's values: it is left out of the merge. */
static void discard(struct acc *acc, size_t nunion)
{
	memset(acc->cur, 0, nunion * sizeof(*acc->cur));
}

/* Fold this snapshot's values (acc->cur) into the accumulators; the caller
 * checked that they fit.
 *
 * Increase, per stack: the first snapshot counts whole, then each one adds
 * its rise over the previous; a value that fell means the counter was reset
 * (the process restarted), so the new value counts whole.  Deciding per
 * stack keeps a stack that merely vanished (value 0) from resetting the
 * others.  Whether the series is cumulative at all is judged per snapshot:
 * a stack may fall only when the profile's total fell too (a restart);
 * anything else means values go up and down, as deltas do. */
static void accumulate(struct acc *acc, size_t nunion, int first,
		       int64_t total)
{
	int total_fell = !first && total < acc->prev_total;
	size_t u;

	for (u = 0; u < nunion; u++) {
		int64_t c = acc->cur[u], p = acc->prev[u];

		if (!first && c < p && !total_fell)
			acc->monotonic = 0;
		acc->sum[u] += c;
		acc->inc[u] += rise(c, p, first);
		acc->prev[u] = c;
		acc->cur[u] = 0;
	}
	acc->prev_total = total;
}

/* Take the baseline's values (acc->cur) as the previous snapshot's. */
static void accumulate_baseline(struct acc *acc, size_t nunion, int64_t total)
{
	size_t u;

	for (u = 0; u < nunion; u++) {
		acc->prev[u] = acc->cur[u];
		acc->cur[u] = 0;
	}
	acc->prev_total = total;
}

static enum pyro_merge_rule choose_rule(const struct pyro_series *se,
					enum pyro_merge_policy policy,
					const struct acc *acc)
{
	if (policy == PYRO_POLICY_PPROF)
		return PYRO_MERGE_SUM;
	switch (se->kind) {
	case PYRO_KIND_GAUGE:
		return PYRO_MERGE_MEAN;
	case PYRO_KIND_CUMULATIVE:
		return acc->monotonic ? PYRO_MERGE_INCREASE : PYRO_MERGE_SUM;
	default:
		return PYRO_MERGE_SUM;
	}
}

/* Keep st's meta, drop its samples: a collapsed file has no labels, so no
 * sample of it passes a label filter. */
static int drop_samples(struct pyro_stacks *st)
{
	struct pyro_stacks empty;
	int rc = pyro_stacks_init(&empty);

	if (!rc)
		rc = pyro_meta_copy(&empty.meta, &st->meta);
	pyro_stacks_release(st);
	*st = empty;
	return rc;
}

/* Load snapshot sn's profile (*p, owned by the caller: pyro_profile_free)
 * or, for a collapsed file, its stacks (*p stays NULL, st is filled). */
static int load_member(const struct pyro_archive *a,
		       const struct pyro_snapshot *sn, struct pyro_profile **p,
		       struct pyro_stacks *st, char err[PYRO_ERR_MAX])
{
	int fd, rc;

	*p = NULL;
	memset(st, 0, sizeof(*st));
	/* Beneath the archive root, no symlink, regular files only: the file
	 * or a directory above it may have been swapped since indexing. */
	fd = pyro_source_open(a, sn->src, err);
	if (fd == -ELOOP || fd == -EXDEV || fd == -EINVAL)
		return -EIO;    /* refused: the reason is in err */
	if (fd < 0)
		return fd;
	if (sn->src->collapsed) {
		rc = pyro_collapsed_load_fd(fd, sn->src->path, a->max_profile_size,
					    st, NULL, err);
		if (rc != -ENOMSG) {
			close(fd);
			return rc;
		}
		pyro_stacks_release(st);        /* it became a pprof file */
		memset(st, 0, sizeof(*st));
		if (lseek(fd, 0, SEEK_SET) != 0) {
			rc = -errno;
			snprintf(err, PYRO_ERR_MAX, "lseek: %s", strerror(-rc));
			close(fd);
			return rc;
		}
	}
	rc = pyro_profile_load_fd(fd, a->max_profile_size, p, err);
	close(fd);
	if (!rc && sn->type_index >= pyro_profile_ntypes(*p)) {
		snprintf(err, PYRO_ERR_MAX, "profile changed: sample type %u missing",
			 sn->type_index);
		rc = -EIO;
	}
	return rc;
}

/* pyro_snapshot_stacks without recording the problem, of the samples
 * passing filter f (NULL: all): safe on any thread (the archive index is
 * immutable, decoding touches nothing shared). */
static int decode_member(const struct pyro_archive *a,
			 const struct pyro_snapshot *sn,
			 const struct pyro_merge_filter *f,
			 struct pyro_stacks *st, char err[PYRO_ERR_MAX])
{
	struct pyro_profile *p;
	int rc = load_member(a, sn, &p, st, err);

	if (!rc && !p)
		return f ? drop_samples(st) : 0;
	if (!rc && f)
		rc = pyro_profile_stacks_filtered(p, sn->type_index, f->key,
						  f->key_len, f->value,
						  f->value_len, st, err);
	else if (!rc)
		rc = pyro_profile_stacks(p, sn->type_index, st, err);
	pyro_profile_free(p);
	return rc;
}

/* Record a member's decoding failure as a problem of the archive. */
static void member_problem(struct pyro_archive *a,
			   const struct pyro_snapshot *sn, int rc,
			   const char err[PYRO_ERR_MAX])
{
	if (rc && rc != -ENOMEM)
		pyro_archive_problem(a, sn->src->path, err);
}

static int snapshot_stacks(struct pyro_archive *a,
			   const struct pyro_snapshot *sn,
			   const struct pyro_merge_filter *f,
			   struct pyro_stacks *st, char err[PYRO_ERR_MAX])
{
	int rc = decode_member(a, sn, f, st, err);

	member_problem(a, sn, rc, err);
	return rc;
}

int pyro_snapshot_stacks(struct pyro_archive *a, const struct pyro_snapshot *sn,
			 struct pyro_stacks *st, char err[PYRO_ERR_MAX])
{
	int rc = decode_member(a, sn, NULL, st, err);

	member_problem(a, sn, rc, err);
	return rc;
}

/*
 * Decoding ahead, on the source's decode pool (decode_pool.h; the archive
 * borrows it, a->pool).  Pool threads decode members into a ring of slots
 * in increasing order; the calling thread takes member i, folds it in,
 * releases it and moves on, decoding a member itself when no thread has
 * taken it yet.  Everything that depends on the order - the union, the
 * accumulators, the meta, the problems recorded, the error text - stays on
 * the calling thread, so the result is the sequential one, byte for byte.
 * With no pool (or one on one core) every member decodes inline.
 */
#define AHEAD_MIN_MEMBERS 2

struct slot {
	const struct pyro_stacks *use;  /* the member: &own, or borrowed */
	void *hold;                     /* borrowed from mm: give back */
	struct pyro_stacks own;         /* the member as decoded here */
	int rc;                         /* decode_member's result */
	char err[PYRO_ERR_MAX];         /* the reason when rc != 0 */
};

/* What the pool's threads decode: the members of one merge. */
struct members {
	const struct pyro_archive *a;   /* read-only here */
	const struct pyro_snapshot *const *snaps;
	const struct pyro_merge_filter *filter; /* or NULL */
	const struct pyro_merge_members *mm;    /* or NULL */
};

/* Member i into slot (zeroed): taken from mm if it has it, else decoded. */
static void member_work(void *arg, size_t i, void *slot)
{
	const struct members *m = arg;
	struct slot *s = slot;

	if (!m->filter && m->mm &&
	    m->mm->get(m->mm->ctx, i, &s->use, &s->hold) == 0)
		return;
	s->hold = NULL;
	s->use = &s->own;
	s->rc = decode_member(m->a, m->snaps[i], m->filter, &s->own, s->err);
}

/* Bytes the merge holds for the slot: a borrowed member costs nothing. */
static size_t member_bytes(void *arg, const void *slot)
{
	const struct slot *s = slot;

	(void)arg;
	return s->hold ? 0 : pyro_stacks_bytes(&s->own);
}

static void member_discard(void *arg, void *slot)
{
	const struct members *m = arg;
	struct slot *s = slot;

	if (s->hold)
		m->mm->put(m->mm->ctx, s->hold);
	s->hold = NULL;
	pyro_stacks_release(&s->own);
}

static const struct pyro_ahead_ops member_ops = {
	.work = member_work,
	.bytes = member_bytes,
	.discard = member_discard,
};

static int set_names(struct pyro_meta *m, const struct pyro_service *svc,
		     const struct pyro_series *se, const char *span)
{
	free(m->service);
	free(m->type);
	free(m->span);
	m->service = strdup(svc->name);
	m->type = strdup(se->type);
	m->span = strdup(span);
	return m->service && m->type && m->span ? 0 : -ENOMEM;
}

/* Meta of the merge: first member's header, earliest time, summed
 * durations, newest time. */
static void merge_meta(struct pyro_meta *m, const struct pyro_meta *member)
{
	if (member->time_nanos && (!m->time_nanos || member->time_nanos < m->time_nanos))
		m->time_nanos = member->time_nanos;
	if (member->newest_nanos > m->newest_nanos)
		m->newest_nanos = member->newest_nanos;
	if (__builtin_add_overflow(m->duration_nanos, member->duration_nanos,
				   &m->duration_nanos))
		m->duration_nanos = INT64_MAX;
	m->nsnapshots++;
}

/* Load the baseline into the union as the "previous" snapshot.  It only
 * matters for increases; a baseline that cannot be read is skipped (the
 * window's first member then counts whole) - its problem is recorded. */
static int add_baseline(struct pyro_archive *a, const struct pyro_snapshot *sn,
			const struct pyro_merge_filter *f, int lines,
			struct pyro_stacks *out, struct acc *acc)
{
	struct pyro_stacks st;
	char err[PYRO_ERR_MAX];
	int64_t total = 0;
	int rc;

	rc = snapshot_stacks(a, sn, f, &st, err);
	if (!rc)
		rc = pyro_stacks_total(&st, &total);
	if (!rc)
		rc = map_into(out, &st, lines, acc);
	if (!rc)
		rc = acc_grow(acc, out->nstacks);
	if (!rc)
		accumulate_baseline(acc, out->nstacks, total);
	pyro_stacks_release(&st);
	if (rc == -ENOMEM)
		return rc;
	return rc ? 1 : 0;
}

/* A member left out of a merge for overflow: name it in the problems. */
static void overflow_problem(struct pyro_archive *a,
			     const struct pyro_snapshot *sn, const char *why)
{
	pyro_archive_problem(a, sn->src->path, why);
}

static int build_many(struct pyro_archive *a, const struct pyro_series *se,
		      const struct pyro_snapshot *const *snaps, size_t n,
		      const struct pyro_snapshot *baseline,
		      enum pyro_merge_policy policy,
		      const struct pyro_merge_filter *f,
		      const struct pyro_merge_members *mm,
		      struct pyro_stacks *out, char err[PYRO_ERR_MAX])
{
	struct acc acc = { .monotonic = 1 };
	struct members m = { a, snaps, f, mm };
	struct pyro_ahead *ah = NULL;
	enum pyro_merge_rule rule;
	size_t i, u, used = 0;
	int rc = 0, have_base = 0;
	/* Source lines (for profile.pb.gz) only where the rule is a plain
	 * sum, whose figures add up by name whatever the lines; increases
	 * and means are taken per stack, so those stacks must be the ones
	 * the text files show. */
	int lines = policy == PYRO_POLICY_PPROF ||
		    (se->kind != PYRO_KIND_GAUGE &&
		     se->kind != PYRO_KIND_CUMULATIVE);

	/* Without a run (no pool, or no memory for one) members decode
	 * inline, one after the other. */
	if (a->pool && n >= AHEAD_MIN_MEMBERS)
		pyro_ahead_start(a->pool, n, sizeof(struct slot), &member_ops,
				 &m, &ah);
	if (baseline && policy != PYRO_POLICY_PPROF) {
		rc = add_baseline(a, baseline, f, lines, out, &acc);
		if (rc < 0)
			goto out;
		have_base = rc == 0;
	}

	for (i = 0; i < n && rc != -ENOMEM; i++) {
		struct slot inline_slot, *s = &inline_slot;
		const struct pyro_stacks *st;
		int64_t total = 0;

		if (ah) {
			s = pyro_ahead_take(ah, i);
		} else {
			memset(s, 0, sizeof(*s));
			member_work(&m, i, s);
		}
		st = s->use;
		rc = s->rc;
		if (rc)
			memcpy(err, s->err, PYRO_ERR_MAX);
		member_problem(a, snaps[i], rc, err);
		if (!rc)
			rc = pyro_stacks_total(st, &total);
		if (rc == -EOVERFLOW)
			overflow_problem(a, snaps[i], "its sample values overflow 64 bits when summed");
		if (!rc) {
			rc = map_into(out, st, lines, &acc);
			if (rc == -EOVERFLOW)
				overflow_problem(a, snaps[i], "its sample values overflow 64 bits when summed");
		}
		if (!rc)
			rc = acc_grow(&acc, out->nstacks);
		if (!rc && !fits(&acc, out->nstacks, used == 0 && !have_base)) {
			discard(&acc, out->nstacks);
			overflow_problem(a, snaps[i], "left out of merges: its values overflow 64 bits summed with the snapshots before it");
			rc = -EOVERFLOW;
		}
		if (!rc && !used)
			rc = pyro_meta_copy(&out->meta, &st->meta);
		else if (!rc)
			merge_meta(&out->meta, &st->meta);
		if (!rc) {
			accumulate(&acc, out->nstacks, used == 0 && !have_base,
				   total);
			used++;
		}
		member_discard(&m, s);
		if (ah)
			pyro_ahead_done(ah, i);
	}
	if (rc == -ENOMEM)
		goto out;
	rc = 0;
	if (!used) {
		rc = -EIO;
		goto out;
	}
	/* A filtered merge takes the whole node's rule: a subset of a
	 * cumulative series may look like deltas, and the figures of a
	 * label must combine as the node's do. */
	rule = f && f->rule != PYRO_MERGE_SINGLE ? f->rule :
	       choose_rule(se, policy, &acc);
	for (u = 0; u < out->nstacks; u++) {
		int64_t *v = &out->stacks[u].value;

		if (rule == PYRO_MERGE_INCREASE)
			*v = acc.inc[u];
		else if (rule == PYRO_MERGE_MEAN)
			*v = pyro_merge_mean(acc.sum[u], (int64_t)used);
		else
			*v = acc.sum[u];
	}
	out->meta.rule = rule;
out:
	pyro_ahead_stop(ah);
	acc_release(&acc);
	return rc;
}

/* Values whose sum does not fit in 64 bits cannot be reported (totals,
 * percentages): top.txt and the SVGs refuse them, while folded, each of
 * whose lines fits, still works.  Say so in the problems rather than only
 * failing reads: a snapshot names its file, a merge names its node. */
static void report_overflow(struct pyro_archive *a,
			    const struct pyro_snapshot *const *snaps, size_t n,
			    const struct pyro_snapshot *baseline,
			    const struct pyro_stacks *out)
{
	char path[PATH_MAX];
	int64_t total;

	if (pyro_stacks_total(out, &total) != -EOVERFLOW)
		return;
	if (n == 1 && !baseline)
		snprintf(path, sizeof(path), "%s", snaps[0]->src->path);
	else
		snprintf(path, sizeof(path), "%s/%s/%s", out->meta.service,
			 out->meta.type, out->meta.span);
	pyro_archive_problem(a, path, "sample values overflow 64 bits when summed");
}

/* meta.filter and whole_total of a label node. */
static int set_filter(struct pyro_meta *m, const struct pyro_merge_filter *f)
{
	free(m->filter);
	free(m->filter_unit);
	m->filter_unit = NULL;
	m->filter = malloc(f->key_len + f->value_len + 2);
	if (!m->filter)
		return -ENOMEM;
	memcpy(m->filter, f->key, f->key_len);
	m->filter[f->key_len] = '=';
	memcpy(m->filter + f->key_len + 1, f->value, f->value_len);
	m->filter[f->key_len + 1 + f->value_len] = '\0';
	if (f->unit && !(m->filter_unit = strdup(f->unit)))
		return -ENOMEM;
	m->whole_total = f->whole_total;
	return 0;
}

int pyro_merge_build_reusing(struct pyro_archive *a,
			     const struct pyro_service *svc,
			     const struct pyro_series *se,
			     const struct pyro_snapshot *const *snaps, size_t n,
			     const struct pyro_snapshot *baseline,
			     enum pyro_merge_policy policy, const char *span,
			     const struct pyro_merge_filter *f,
			     const struct pyro_merge_members *mm,
			     struct pyro_stacks *out, char err[PYRO_ERR_MAX])
{
	int rc;

	if (n == 1 && !baseline) {
		rc = snapshot_stacks(a, snaps[0], f, out, err);
		/* As for many members: none could be read. */
		if (rc && rc != -ENOMEM)
			rc = -EIO;
	} else {
		rc = pyro_stacks_init(out);
		if (!rc)
			rc = build_many(a, se, snaps, n, baseline, policy, f, mm,
					out, err);
	}
	if (!rc)
		rc = set_names(&out->meta, svc, se, span);
	if (!rc && f)
		rc = set_filter(&out->meta, f);
	if (!rc)
		report_overflow(a, snaps, n, baseline, out);
	if (rc == -ENOMEM)
		snprintf(err, PYRO_ERR_MAX, "out of memory");
	return rc;
}

int pyro_merge_build_filtered(struct pyro_archive *a,
			      const struct pyro_service *svc,
			      const struct pyro_series *se,
			      const struct pyro_snapshot *const *snaps, size_t n,
			      const struct pyro_snapshot *baseline,
			      enum pyro_merge_policy policy, const char *span,
			      const struct pyro_merge_filter *f,
			      struct pyro_stacks *out, char err[PYRO_ERR_MAX])
{
	return pyro_merge_build_reusing(a, svc, se, snaps, n, baseline, policy,
					span, f, NULL, out, err);
}

int pyro_merge_build(struct pyro_archive *a, const struct pyro_service *svc,
		     const struct pyro_series *se,
		     const struct pyro_snapshot *const *snaps, size_t n,
		     const struct pyro_snapshot *baseline,
		     enum pyro_merge_policy policy, const char *span,
		     struct pyro_stacks *out, char err[PYRO_ERR_MAX])
{
	return pyro_merge_build_filtered(a, svc, se, snaps, n, baseline, policy,
					 span, NULL, out, err);
}

/* ---- labels ------------------------------------------------------------- */

/* The label set of one snapshot; a failure is recorded as a problem. */
static int member_labels(struct pyro_archive *a, const struct pyro_snapshot *sn,
			 struct pyro_label_set *out, char err[PYRO_ERR_MAX])
{
	struct pyro_profile *p;
	struct pyro_stacks st;
	int64_t total = 0;
	int rc = load_member(a, sn, &p, &st, err);

	memset(out, 0, sizeof(*out));
	if (!rc && p) {
		rc = pyro_profile_labels(p, sn->type_index, out);
	} else if (!rc) {
		/* Collapsed stacks: a total, no labels. */
		rc = pyro_stacks_total(&st, &total);
		if (!rc)
			rc = pyro_label_set_init(out, st.meta.sample_type,
						 st.meta.sample_unit);
		if (!rc)
			rc = pyro_label_set_sample(out, total);
		if (!rc)
			rc = pyro_label_set_finish(out);
		if (rc == -EOVERFLOW)
			snprintf(err, PYRO_ERR_MAX, "sample values overflow 64 bits when summed");
	}
	if (rc == -EOVERFLOW && p)
		snprintf(err, PYRO_ERR_MAX, "label totals overflow 64 bits");
	pyro_profile_free(p);
	pyro_stacks_release(&st);
	member_problem(a, sn, rc, err);
	return rc;
}

int pyro_merge_labels(struct pyro_archive *a,
		      const struct pyro_snapshot *const *snaps, size_t n,
		      const struct pyro_snapshot *baseline,
		      enum pyro_merge_rule rule, struct pyro_label_set *out,
		      char err[PYRO_ERR_MAX])
{
	struct pyro_label_set *sets, base;
	const struct pyro_label_set **members;
	size_t i, used = 0;
	int rc = 0, have_base = 0;

	memset(out, 0, sizeof(*out));
	memset(&base, 0, sizeof(base));
	if (n == 1 && !baseline) {
		rc = member_labels(a, snaps[0], out, err);
		return rc && rc != -ENOMEM ? -EIO : rc;
	}
	sets = calloc(n, sizeof(*sets));
	members = calloc(n, sizeof(*members));
	if (!sets || !members) {
		rc = -ENOMEM;
		goto out;
	}
	/* An unreadable baseline is ignored, as in build_many. */
	if (baseline && rule == PYRO_MERGE_INCREASE)
		have_base = member_labels(a, baseline, &base, err) == 0;
	for (i = 0; i < n && rc != -ENOMEM; i++) {
		rc = member_labels(a, snaps[i], &sets[used], err);
		if (rc) {
			pyro_label_set_release(&sets[used]);
			continue;
		}
		members[used] = &sets[used];
		used++;
	}
	if (rc == -ENOMEM)
		goto out;
	rc = used ? pyro_label_set_merge(out, members, used,
					 have_base ? &base : NULL, rule) : -EIO;
	if (rc == -EOVERFLOW)
		snprintf(err, PYRO_ERR_MAX, "merged label totals overflow 64 bits");
out:
	for (i = 0; sets && i < used; i++)
		pyro_label_set_release(&sets[i]);
	pyro_label_set_release(&base);
	free(sets);
	free(members);
	if (rc == -ENOMEM)
		snprintf(err, PYRO_ERR_MAX, "out of memory");
	return rc;
}
