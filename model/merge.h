/*
 * merge.h - the stacks of a node: one snapshot, or many merged.
 *
 * Merge rules (README "Merges"), chosen per series:
 *   rate-like (cpu, wall, other types)   per-stack sum, as `pprof -top a b c`
 *   cumulative (alloc_*, mutex_*, block_*: counted since process start)
 *       the increase over the span: per stack, the first snapshot counts
 *       whole, then each later one adds its rise over the previous; a value
 *       that fell means the counter restarted, and it counts whole.  So one
 *       process's archive merges to its last snapshot.  If a stack falls in
 *       a snapshot whose total did not fall (no restart), the series is not
 *       cumulative after all (deltas uploaded by an agent) and is summed.
 *   gauges (inuse_*, goroutines)         per-stack mean, rounded half away
 *                                        from zero
 * With PYRO_POLICY_PPROF every merge is a plain sum.
 * Time is the earliest member's, duration the sum of durations (as pprof).
 */
#ifndef PYRO_MERGE_H
#define PYRO_MERGE_H

#include "profile.h"
#include "stacks.h"

/* archive.h: only pointers here, so users of the types below (fs/, through
 * source.h) need not see the archive. */
struct pyro_archive;
struct pyro_service;
struct pyro_series;
struct pyro_snapshot;

enum pyro_merge_policy {
	PYRO_POLICY_AUTO,       /* rules by type and content */
	PYRO_POLICY_PPROF,      /* every merge a plain sum */
};

/* Build the stacks of snaps[0..n) (oldest first, n >= 1) of series se of
 * service svc into out (initialised here; release it even on failure).
 * baseline, if not NULL, is the snapshot just before a window: cumulative
 * increases start from it, and it is not a member (not counted, not in
 * the meta).  A window is a merge even of one member when it has a
 * baseline.  `span` names the node in meta ("all", a snapshot name).  A
 * member that fails to decode is recorded as an archive problem and left
 * out (an unreadable baseline is ignored); -EIO if no member could be
 * read, with the reason in err. */
int pyro_merge_build(struct pyro_archive *a, const struct pyro_service *svc,
		     const struct pyro_series *se,
		     const struct pyro_snapshot *const *snaps, size_t n,
		     const struct pyro_snapshot *baseline,
		     enum pyro_merge_policy policy, const char *span,
		     struct pyro_stacks *out, char err[PYRO_ERR_MAX]);

/*
 * Label nodes (labels/<key>/<value>/): the samples carrying label
 * key=value only - value as pyro_label_value.text has it, a string label's
 * bytes or a numeric label's decimal integer.  A filtered merge combines
 * its members by `rule`, the rule the unfiltered node was merged with
 * (its meta.rule), rather than judging the subset on its own: a label
 * that disappears for a while must not turn a cumulative series into
 * deltas, and a label's figures combine as the node's do.  Its meta gets
 * filter = "key=value" (a C string, so a NUL byte in a label ends it),
 * filter_unit and whole_total, which top.txt reports percentages of, as
 * `pprof -tagfocus` does.
 */
struct pyro_merge_filter {
	const char *key;
	size_t key_len;
	const char *value;
	size_t value_len;
	const char *unit;               /* a number's unit, or NULL */
	enum pyro_merge_rule rule;      /* the unfiltered node's */
	int64_t whole_total;            /* the unfiltered node's total */
};

/* pyro_merge_build of the samples passing filter f (NULL: all). */
int pyro_merge_build_filtered(struct pyro_archive *a,
			      const struct pyro_service *svc,
			      const struct pyro_series *se,
			      const struct pyro_snapshot *const *snaps, size_t n,
			      const struct pyro_snapshot *baseline,
			      enum pyro_merge_policy policy, const char *span,
			      const struct pyro_merge_filter *f,
			      struct pyro_stacks *out, char err[PYRO_ERR_MAX]);

/*
 * Members a merge need not decode: snapshots already decoded elsewhere
 * (fs/ keeps each snapshot node's stacks in its cache).  get gives member
 * i (an index into snaps) as pyro_snapshot_stacks would decode it: 0 and
 * *st, borrowed until put(ctx, *hold), or -ENOENT (decode it).  Called
 * from any thread, several at once.  Used for unfiltered members only.
 */
struct pyro_merge_members {
	int (*get)(void *ctx, size_t i, const struct pyro_stacks **st,
		   void **hold);
	void (*put)(void *ctx, void *hold);
	void *ctx;
};

/* pyro_merge_build_filtered taking what members it can from mm (NULL:
 * decode every member).  The result is the same byte for byte. */
int pyro_merge_build_reusing(struct pyro_archive *a,
			     const struct pyro_service *svc,
			     const struct pyro_series *se,
			     const struct pyro_snapshot *const *snaps, size_t n,
			     const struct pyro_snapshot *baseline,
			     enum pyro_merge_policy policy, const char *span,
			     const struct pyro_merge_filter *f,
			     const struct pyro_merge_members *mm,
			     struct pyro_stacks *out, char err[PYRO_ERR_MAX]);

struct pyro_label_set;  /* labels.h */

/* The label set of a node: its members' labels (pyro_profile_labels)
 * combined by the rule the node's stacks were merged with
 * (pyro_label_set_merge; for one snapshot without baseline the member's
 * own set).  Collapsed files carry no labels: they add their total only.
 * Members that cannot be read are left out, as pyro_merge_build does;
 * -EIO if none could be.  out is initialised here (release it with
 * pyro_label_set_release even on failure) and finished. */
int pyro_merge_labels(struct pyro_archive *a,
		      const struct pyro_snapshot *const *snaps, size_t n,
		      const struct pyro_snapshot *baseline,
		      enum pyro_merge_rule rule, struct pyro_label_set *out,
		      char err[PYRO_ERR_MAX]);

/* Decode one snapshot into out (initialised here; release it even on
 * failure).  A failure is also recorded as a problem of the archive. */
int pyro_snapshot_stacks(struct pyro_archive *a, const struct pyro_snapshot *sn,
			 struct pyro_stacks *out, char err[PYRO_ERR_MAX]);

#endif
