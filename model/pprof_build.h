/*
 * pprof_build.h - write a profile.proto from parts, for readers of other
 * profilers' formats.
 *
 * A reader of a foreign format (V8's .cpuprofile, speedscope, perf script,
 * JFR; see format.h) does not build pyrofs's own structures: it describes
 * its samples to a builder, which writes profile.proto bytes, and those are
 * then decoded like any pprof file.  So labels, file names and lines, the
 * merge rules, profile.pb.gz and every renderer work on foreign profiles with
 * no code of their own, and what pyrofs shows is exactly what `go tool pprof`
 * would show of the same bytes.
 *
 * Strings, functions and locations are deduplicated as they are added; ids
 * are dense from 1 in order of first use, so the output is deterministic.
 * Samples are encoded as they arrive (nothing is kept per sample), so memory
 * is the output bytes plus the distinct functions and locations.
 *
 * Bound.  The builder is created with max_size: the bytes it has written
 * (samples, tables, strings) never exceed it; the call that would cross it
 * fails with -EFBIG and the builder stays failed (every later call returns
 * -EFBIG), so a reader may check errors only where convenient.
 *
 * Errors: 0 or a negative errno (-ENOMEM, -EFBIG, -EINVAL for a sample with
 * the wrong number of values).
 */
#ifndef PYRO_PPROF_BUILD_H
#define PYRO_PPROF_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "profile.h"          /* PYRO_ERR_MAX */
#include "strtab.h"

struct pyro_pbuild;     /* opaque */

/* A label of one sample: a string (str != NULL) or a number with an
 * optional unit ("bytes"). Borrowed for the call. */
struct pyro_pbuild_label {
	const char *key;
	size_t key_len;
	const char *str;        /* NULL for a numeric label */
	size_t str_len;
	int64_t num;
	const char *num_unit;   /* NUL-terminated or NULL */
};

/* A new builder writing at most max_size bytes; *out is owned by the
 * caller: pyro_pbuild_free() it. */
int pyro_pbuild_new(size_t max_size, struct pyro_pbuild **out);
void pyro_pbuild_free(struct pyro_pbuild *b);

/* Add a sample type (NUL-terminated type and unit, e.g. "cpu",
 * "nanoseconds"), in order; every sample carries one value per type, so
 * call this before the first sample. */
int pyro_pbuild_sample_type(struct pyro_pbuild *b, const char *type,
			    const char *unit);

/* The profile's period type and period, time and duration, default sample
 * type (NULL: none): optional, any time before pyro_pbuild_finish. */
int pyro_pbuild_period(struct pyro_pbuild *b, const char *type,
		       const char *unit, int64_t period);
void pyro_pbuild_time(struct pyro_pbuild *b, int64_t time_nanos,
		      int64_t duration_nanos);
int pyro_pbuild_default_type(struct pyro_pbuild *b, const char *type);

/* A comment line (pprof prints them in its header). */
int pyro_pbuild_comment(struct pyro_pbuild *b, const char *s, size_t len);

/* The id of the function (name, file, start line), added on first use.
 * file may be NULL (none); start_line 0 for unknown. */
int pyro_pbuild_function(struct pyro_pbuild *b, const char *name,
			 size_t name_len, const char *file, size_t file_len,
			 int64_t start_line, uint64_t *id);

/* The id of the location "function func_id at line" (line 0: unknown),
 * added on first use.  An address-only location (no function) is
 * func_id 0 with a non-zero address. */
int pyro_pbuild_location(struct pyro_pbuild *b, uint64_t func_id,
			 int64_t line, uint64_t address, uint64_t *id);

/* One sample: nlocs location ids LEAF FIRST (as profile.proto orders them),
 * exactly one value per sample type, and labels (may be NULL/0).  Values
 * may be zero; a sample whose values are all zero is still written, as the
 * producer had it. */
int pyro_pbuild_sample(struct pyro_pbuild *b, const uint64_t *locs,
		       size_t nlocs, const int64_t *values, size_t nvalues,
		       const struct pyro_pbuild_label *labels, size_t nlabels);

/* The profile.proto bytes (not gzipped) appended to out; the builder may
 * only be freed afterwards.  -EFBIG if they would exceed max_size. */
int pyro_pbuild_finish(struct pyro_pbuild *b, struct pyro_buf *out);

/* ---- stacks summed before they are written ------------------------------- */

/*
 * A reader that sums its samples per distinct stack before it writes them
 * (speedscope's evented profiles, V8's .cpuprofile) keeps them here.  A
 * stack is a run of the reader's own uint32 indexes (frames, nodes), in
 * its own order; each distinct one gets an id, dense from 1 in order of
 * first use (so walking ids 1 .. count - 1 writes deterministic output),
 * and a value slot of slot_size bytes, zeroed when the stack is new, in
 * which the reader sums as it likes (doubles, pairs of int64...).
 */
struct pyro_pbuild_stacks {
	struct pyro_strtab keys;        /* stack bytes -> id (from 1) */
	unsigned char *slots;           /* slot_size bytes per id */
	size_t cap;                     /* ids with a slot */
	size_t slot_size;               /* bytes, a multiple of 8 */
};

/* The foreign readers' memory bound, worded once: 0 when a reader whose own
 * arrays take used bytes may take more (used + more <= max_size), else
 * -E2BIG with err saying it needs more memory than max_profile_size. */
int pyro_pbuild_budget(size_t used, size_t more, size_t max_size,
		       char err[PYRO_ERR_MAX]);

/* An empty set of stacks whose slots are slot_size bytes (a multiple of
 * 8, so they may hold int64 or double).  0 or -ENOMEM. */
int pyro_pbuild_stacks_init(struct pyro_pbuild_stacks *st, size_t slot_size);

/* Free everything; st may be zeroed or half-initialised. */
void pyro_pbuild_stacks_release(struct pyro_pbuild_stacks *st);

/* *slot receives the slot of stack ix[0..n) (n > 0: the empty stack
 * would be id 0, which no walk reaches), added on first use with its
 * slot zeroed.  -E2BIG when the stacks already take more than max_bytes
 * (the reader's bound: it says so in its own words), -ENOMEM. */
int pyro_pbuild_stacks_add(struct pyro_pbuild_stacks *st, const uint32_t *ix,
			   size_t n, size_t max_bytes, void **slot);

/* One more than the stacks held: their ids are 1 .. count - 1. */
static inline uint32_t pyro_pbuild_stacks_count(const struct pyro_pbuild_stacks *st)
{
	return st->keys.count;
}

/* Stack id copied into ix, which has room for the longest stack added
 * (e.g. the reader's buffer it built them in); its length.  *slot
 * receives its slot. */
size_t pyro_pbuild_stacks_get(const struct pyro_pbuild_stacks *st,
			      uint32_t id, uint32_t *ix, void **slot);

#endif
