/*
 * stacks.h - the aggregated call stacks of one node: what every renderer reads.
 *
 * A node (one snapshot's sample type, or a merge of many snapshots) reduces to
 * a multiset of call stacks with a value each.  Renderers need nothing else:
 * folded prints the stacks, the flame graph lays out their prefix tree, and
 * top.txt computes pprof's flat/cum per function from them.
 *
 * Frames.  A frame is one line of a pprof Location: an inlined call is a frame
 * of its own.  Each frame carries two names because pprof itself uses two:
 *   name  the function name as stored, or "0x4f1984" (the location address in
 *         lowercase hex) for a location without line information: what
 *         folded and flame.svg show;
 *   node  pprof's report node name at function granularity: the function
 *         name, or "[binary]" (basename of the mapping file) or "<unknown>"
 *         for a location without line information: what top.txt shows.
 * A frame of a profile with source information also carries its file and
 * line (pprof's Function.filename and Line.line), which only profile.pb.gz
 * exports (for `pprof -list`).  They are part of the frame's identity, so
 * stacks that differ only by line stay apart; every text renderer merges
 * frames by name or node, as pprof -top merges lines into functions.
 *
 * Stacks.  A stack is `depth` frame references stored root first in `refs`,
 * starting at `off`.  A reference is a frame id, with PYRO_REF_INLINE set when
 * that frame is an inlined callee of the next outer frame of the same
 * location (pprof prints "(inline)" for functions reached only that way).
 * Identical reference sequences are aggregated: every stack is distinct.
 * Values are the raw integers of the node's sample type (no unit scaling);
 * a stack may hold 0 (renderers skip it) or, in diffs, a negative value.
 *
 * Depth bound.  A stack deeper than PYRO_MAX_DEPTH frames is cut when added:
 * its PYRO_KEEP_ROOT outermost and its PYRO_MAX_DEPTH - PYRO_KEEP_ROOT - 1
 * innermost frames stay, and one frame named "[truncated N frames]" (N the
 * frames left out) stands between them, so every renderer shows where the
 * cut is, callers and the leaf keep their figures, and no output grows with
 * the square of a hostile depth (tree.txt indents every level).  Real stacks
 * are far shallower: Go records at most 128 frames, Linux perf 127.
 *
 * Ownership: a pyro_stacks owns all its arrays, strings and meta strings.
 * Error convention: 0 or a negative errno.
 */
#ifndef PYRO_STACKS_H
#define PYRO_STACKS_H

#include <stddef.h>
#include <stdint.h>

#include "strtab.h"

#define PYRO_REF_INLINE 0x80000000u     /* flag bit in a frame reference */
#define PYRO_MAX_DEPTH 1024u            /* frames a stack keeps, at most */
#define PYRO_KEEP_ROOT 512u             /* of which the outermost */
#define PYRO_REF_FRAME(r) ((r) & ~PYRO_REF_INLINE)

#define PYRO_NO_FILE UINT32_MAX          /* a frame without source file */

struct pyro_frame {
	uint32_t name;          /* strtab id: function name or "0x..." address */
	uint32_t node;          /* strtab id: pprof node name for top.txt */
	uint32_t file;          /* strtab id of the source file, or
				 * PYRO_NO_FILE */
	uint32_t mapping;       /* strtab id of the mapping's file (the
				 * binary's path) of the first location that
				 * gave this frame, or PYRO_NO_FILE: what
				 * pprof's name filters also match (not part
				 * of the frame's identity) */
	int64_t line;           /* source line, 0 if unknown */
};

struct pyro_stack {
	size_t off;             /* index of the root frame reference in refs */
	uint32_t depth;         /* frame references; 0 is a valid empty stack */
	int64_t value;          /* summed raw sample value */
};

/* How the snapshots of a node were combined. */
enum pyro_merge_rule {
	PYRO_MERGE_SINGLE = 0,  /* one snapshot, nothing merged */
	PYRO_MERGE_SUM,         /* per-stack sum, as `pprof -top a b c` */
	PYRO_MERGE_INCREASE,    /* cumulative series: increase over the span */
	PYRO_MERGE_MEAN,        /* gauge: per-stack mean, rounded */
	PYRO_MERGE_SERVER_SUM,  /* per-stack sum done by a Pyroscope server
				 * (source_remote.c); combines as SUM */
};

/* The rule's name as headers and the user.pyrofs.rule xattr print it:
 * "single", "sum", "increase", "mean", "sum by the server"; "unknown" for
 * any other value.
 * A static string. */
const char *pyro_merge_rule_name(enum pyro_merge_rule rule);

/* PYRO_MERGE_MEAN's value of a stack (or a label's total) summing to sum
 * over n > 0 snapshots: sum / n rounded half away from zero. */
int64_t pyro_merge_mean(int64_t sum, int64_t n);

/* What the values mean and where they came from; printed in headers. */
struct pyro_meta {
	char *service;          /* archive service name */
	char *type;             /* pyrofs type directory name, e.g. "mutex_count" */
	char *span;             /* time node name, e.g. "2026-11-24T10-15-00Z", "all" */
	char *sample_type;      /* as stored in the profile, e.g. "contentions" */
	char *sample_unit;      /* as stored, e.g. "count", "nanoseconds" */
	char *file;             /* basename of mapping[0]'s file, or NULL */
	char *build_id;         /* mapping[0]'s build id, or NULL */
	char *doc_url;          /* Profile.doc_url, or NULL */
	char **comments;        /* Profile.comment strings */
	size_t ncomments;
	int64_t time_nanos;     /* earliest snapshot's time, 0 if unknown */
	int64_t duration_nanos; /* summed durations, 0 if unknown */
	int64_t newest_nanos;   /* newest member snapshot's time */
	unsigned nsnapshots;    /* snapshots combined into this node */
	enum pyro_merge_rule rule;
	int64_t base_total;     /* diffs: sum of |base values| (pprof's total) */
	char *base_span;        /* diffs: the base's time name, else NULL */
	char *filter;           /* label nodes: "key=value", the samples kept,
				 * else NULL */
	char *filter_unit;      /* label nodes of a number: its unit, else
				 * NULL */
	int64_t whole_total;    /* label nodes and name-filtered nodes: the
				 * total before filtering, which percentages
				 * are of (as pprof) */
	int from_leaf;          /* callers nodes (model/filter.h): flame.svg
				 * draws each stack from its leaf, the
				 * function, down to its roots (an icicle) */
	char *name_filters;     /* name-filtered nodes (model/filter.h): the
				 * entries of pprof's "Active filters:"
				 * legend, "focus=RE" ..., one per line in
				 * order; else NULL */
};

struct pyro_stacks {
	struct pyro_strtab strs;        /* frame names */
	struct pyro_frame *frames;      /* frame id -> names */
	uint32_t nframes;
	uint32_t frames_cap;
	uint64_t *frame_slots;          /* hash of frames: id + 1 and a hash
					 * tag (stacks.c), 0 = empty */
	uint32_t frame_nslots;          /* power of two */
	uint32_t *refs;                 /* all stacks' frame references */
	size_t nrefs;
	size_t refs_cap;
	struct pyro_stack *stacks;      /* distinct stacks */
	size_t nstacks;
	size_t stacks_cap;
	uint32_t *stack_slots;          /* hash of stacks: index + 1, 0 = empty */
	size_t stack_nslots;            /* power of two */
	int64_t *base;                  /* diffs only, else NULL: per stack the
					 * base value; `value` is then
					 * target - base (see diff.h) */
	int64_t sample_total;           /* pprof's report total of the samples
					 * as read, when it is not the sum of
					 * |value| over the stacks: samples of
					 * one stack with opposite signs (pprof
					 * sums |sample|, before netting), or
					 * samples labelled pprof::base=true
					 * (a `pprof -proto -diff_base` output:
					 * their |sum| only); else 0.  Set by
					 * the profile reader; a set built by
					 * merging or diffing leaves it 0 */
	struct pyro_meta meta;
};

/* Set up an empty set. Returns 0 or -ENOMEM. */
int pyro_stacks_init(struct pyro_stacks *s);

/* Free everything, meta strings included; s may be zeroed. */
void pyro_stacks_release(struct pyro_stacks *s);

/* Intern the frame (name, node) without source position; *id receives
 * the frame id. */
int pyro_stacks_frame(struct pyro_stacks *s, const char *name, size_t name_len,
		      const char *node, size_t node_len, uint32_t *id);

/* Intern the frame (name, node, file, line); file NULL for none. */
int pyro_stacks_frame_at(struct pyro_stacks *s, const char *name,
			 size_t name_len, const char *node, size_t node_len,
			 const char *file, size_t file_len, int64_t line,
			 uint32_t *id);

/* Set frame id's mapping file to file[0..len) unless it has one already
 * (the first location wins).  0 or -ENOMEM. */
int pyro_stacks_frame_mapping(struct pyro_stacks *s, uint32_t id,
			      const char *file, size_t len);

/* Intern the frame k whose strings are already ids of s->strs (file and
 * mapping PYRO_NO_FILE for none): pyro_stacks_frame_at without hashing the
 * strings again, for a reader that interned them once per function. */
int pyro_stacks_frame_ids(struct pyro_stacks *s, const struct pyro_frame *k,
			  uint32_t *id);

/* Start loading the hash slot where frame k (as pyro_stacks_frame_ids
 * takes it) is or would go: a reader interning many frames calls it a
 * few frames ahead, as pyro_stacks_prefetch for stacks. */
void pyro_stacks_frame_prefetch(const struct pyro_stacks *s,
				const struct pyro_frame *k);

/* Make room for nframes frames, so that interning them neither rehashes
 * nor reallocates (a hint, as pyro_stacks_reserve).  0 or -ENOMEM. */
int pyro_stacks_reserve_frames(struct pyro_stacks *s, uint32_t nframes);

/* Make room for nstacks distinct stacks holding nrefs references in all,
 * so that adding them neither rehashes nor reallocates (a hint: adding
 * more still works).  Returns 0 or -ENOMEM. */
int pyro_stacks_reserve(struct pyro_stacks *s, size_t nstacks, size_t nrefs);

/* Add value to the stack refs[0..depth) (root first), creating it if new;
 * a stack deeper than PYRO_MAX_DEPTH is cut first (see above).
 * If idx is not NULL it receives the stack's index.  -EOVERFLOW when the sum
 * would not fit in 64 bits (the stack keeps its previous value). */
int pyro_stacks_add(struct pyro_stacks *s, const uint32_t *refs,
		    uint32_t depth, int64_t value, size_t *idx);

/* pyro_stacks_add in two steps, for a reader adding many stacks: the
 * hash of refs[0..depth), then pyro_stacks_prefetch to start loading the
 * hash slot where the stack goes, then, after other work (building the
 * next stack), pyro_stacks_add_hashed with that hash, the same refs and the
 * same result as pyro_stacks_add.  On a profile of 100,000 distinct stacks
 * most of the time of adding one was the wait for that slot. */
uint64_t pyro_stacks_hash(const uint32_t *refs, uint32_t depth);
void pyro_stacks_prefetch(const struct pyro_stacks *s, uint64_t hash);
int pyro_stacks_add_hashed(struct pyro_stacks *s, const uint32_t *refs,
			   uint32_t depth, uint64_t hash, int64_t value,
			   size_t *idx);

/* Add every stack of src to s with value 0, its frames interned again in
 * s, and set idx[k] (src->nstacks entries, the caller's) to the index in
 * s of src's stack k: the one way a set's stacks are carried into another
 * (a merge's union, a diff).  Returns 0 or -ENOMEM; on failure the stacks
 * added so far stay in s. */
int pyro_stacks_import(struct pyro_stacks *s, const struct pyro_stacks *src,
		       size_t *idx);

/* pyro_stacks_import, with lines 0: the frames lose their file and line,
 * so stacks of src that differ only by line become one stack of s (idx
 * then repeats): what a merge whose rule is not a plain sum needs, since
 * its per-stack figures (increase, mean) must be those of the stacks the
 * text files show. */
int pyro_stacks_import_as(struct pyro_stacks *s, const struct pyro_stacks *src,
			  int lines, size_t *idx);

/* Look a stack up without adding it: its index, or -ENOENT. */
int pyro_stacks_find(const struct pyro_stacks *s, const uint32_t *refs,
		     uint32_t depth, size_t *idx);

/* Bytes s holds allocated (capacities, not counts; meta strings aside):
 * what a cache should charge for keeping it. */
size_t pyro_stacks_bytes(const struct pyro_stacks *s);

/* pprof's report total: sample_total when set, else the sum of |value|
 * over all stacks (the same figure when no stack nets samples of opposite
 * signs). -EOVERFLOW if it does not fit. */
int pyro_stacks_total(const struct pyro_stacks *s, int64_t *total);

/* The total that percentages are of, as pprof reports them: the base's
 * total for a diff (-diff_base), the unfiltered node's for a label node
 * (-tagfocus), else pyro_stacks_total.  -EOVERFLOW as that. */
int pyro_stacks_percent_total(const struct pyro_stacks *s, int64_t *total);

static inline const uint32_t *pyro_stack_refs(const struct pyro_stacks *s,
					      const struct pyro_stack *st)
{
	return s->refs + st->off;
}

/* The folded/flame name and the top.txt node name of a frame reference. */
static inline struct pyro_str pyro_ref_name(const struct pyro_stacks *s,
					    uint32_t ref)
{
	return pyro_strtab_get(&s->strs, s->frames[PYRO_REF_FRAME(ref)].name);
}

static inline struct pyro_str pyro_ref_node(const struct pyro_stacks *s,
					    uint32_t ref)
{
	return pyro_strtab_get(&s->strs, s->frames[PYRO_REF_FRAME(ref)].node);
}

/* Free the meta strings and zero the meta. */
void pyro_meta_release(struct pyro_meta *m);

/* Deep-copy src into dst (dst is overwritten, not released). */
int pyro_meta_copy(struct pyro_meta *dst, const struct pyro_meta *src);

#endif
