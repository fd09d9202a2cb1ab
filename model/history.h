/*
 * history.h - a series over time: totals per snapshot, and how each
 * function's value moved, for timeline.txt, timeline.svg and growth.txt.
 *
 * A leak is memory that grows and never comes down; the question is which
 * function holds it.  For every function (pprof node name) the history
 * keeps its flat and cum value at the first and last snapshot, how many
 * intervals its flat value rose and fell in, and the least-squares slope of
 * flat over time.  Memory is O(functions), whatever the number of
 * snapshots: each snapshot is folded in and released.
 *
 * Two things more, for the pictures, still O(functions):
 *  - a sampled series of each function's flat value (timeline.svg draws the
 *    top growth suspects as lines): at most PYRO_HISTORY_SLOTS snapshots,
 *    evenly spaced by index.  Every slot_step-th snapshot is kept; when the
 *    slots fill up, every other one is dropped and the step doubles, so
 *    between half and all the slots hold snapshots 0, step, 2*step, ...
 *    A function gets its series only once its flat value is non-zero
 *    (callers that are never a leaf, most functions, carry none).
 *  - the hottest caller path of each function that grew: at the last
 *    snapshot, the stack with the largest value that ends in the function,
 *    its callers from the root down (growth.txt says where a leak is
 *    allocated from, not only which allocator).
 */
#ifndef PYRO_HISTORY_H
#define PYRO_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile.h"
#include "strtab.h"
#include "timefmt.h"

/* archive.h: only pointers here (see merge.h). */
struct pyro_archive;
struct pyro_service;
struct pyro_series;

/* Snapshots kept in a function's sampled series, at most. */
#define PYRO_HISTORY_SLOTS 64

/* Callers kept in a caller path, the nearest ones. */
#define PYRO_HISTORY_PATH_MAX 12

struct pyro_history_func {
	uint32_t name;          /* strtab id of the function (node) name */
	int64_t flat_first;     /* flat at the first snapshot (0 if absent) */
	int64_t flat_last;      /* flat at the last snapshot */
	int64_t cum_first;
	int64_t cum_last;
	int64_t flat_prev;      /* flat at the previous snapshot (building) */
	unsigned rises;         /* intervals in which flat rose */
	unsigned falls;         /* intervals in which flat fell */
	double sum_v;           /* sum of flat over snapshots (for the slope) */
	double sum_tv;          /* sum of t * flat, t in hours from the first */
	size_t stamp;           /* last stack that added cum (building) */
	double slope;           /* least-squares flat per hour */
	int64_t *series;        /* flat at snapshot slot_snap[j] of the
				 * history, j < nslots; NULL while flat has
				 * been 0 (then all 0); owned */
	bool has_path;          /* path is set: functions whose flat grew */
	uint32_t path;          /* strtab id of the hottest caller path at
				 * the last snapshot, frames root first joined
				 * by ';' as in folded (the function itself
				 * left out; "..;" first when cut to the
				 * PYRO_HISTORY_PATH_MAX nearest callers) */
};

struct pyro_history {
	char *service;
	char *type;
	char *sample_type;
	char *sample_unit;
	size_t nsnaps;                  /* snapshots read (unreadable skipped) */
	size_t nfolded;                 /* of them, those whose stacks were
					 * read (the functions' figures); all
					 * but on a server, where growth_points
					 * caps the merges */
	int64_t *times;                 /* per snapshot: time, ns */
	char (*names)[PYRO_TIME_NAME_MAX];  /* per snapshot: directory name;
					 * owned copies, since a history is
					 * cached beyond the index's life */
	int64_t *totals;                /* per snapshot: sum of |values| */
	int64_t *durations;             /* per snapshot: the profile's
					 * duration, ns; 0 if unknown; NULL:
					 * all unknown */
	double slope;                   /* least-squares total per hour */
	struct pyro_strtab strs;        /* function names */
	struct pyro_history_func *funcs;
	size_t nfuncs;
	size_t nseries;                 /* functions with a series */
	size_t nslots;                  /* sampled snapshots, <= SLOTS */
	size_t slot_step;               /* snapshot index step between slots */
	size_t slot_snap[PYRO_HISTORY_SLOTS];  /* snapshot index of a slot */
};

/* Read every snapshot of series se into out (initialised here; release it
 * even on failure).  Unreadable snapshots are left out (and recorded as
 * problems); -EIO if none is readable. */
int pyro_history_build(struct pyro_archive *a, const struct pyro_service *svc,
		       const struct pyro_series *se, struct pyro_history *out,
		       char err[PYRO_ERR_MAX]);

void pyro_history_release(struct pyro_history *h);

/*
 * Building a history from members a source fetches itself (a Pyroscope
 * server: totals for every point, stacks for a few of them):
 *   pyro_history_begin   h initialised for up to npoints rows, and a
 *                        builder *out (freed by pyro_history_end, even
 *                        after a failure; h is released by the caller)
 *   pyro_history_point   one timeline row, in time order (duration 0:
 *                        unknown)
 *   pyro_history_fold    the stacks of row `row` into the functions'
 *                        figures (growth.txt, the sampled series), rows in
 *                        time order; st is moved in (zeroed on return) and
 *                        the last one folded gives the caller paths.  Not
 *                        every row need be folded: first/last, rises,
 *                        falls, slopes and the sampled series are over the
 *                        folded rows
 *   pyro_history_end     the slopes and caller paths; frees the builder
 * pyro_history_build is the same with every snapshot a row and a fold.
 */
struct pyro_history_builder;
struct pyro_stacks;

int pyro_history_begin(struct pyro_history *h, const char *service,
		       const char *type, const char *sample_type,
		       const char *sample_unit, size_t npoints,
		       struct pyro_history_builder **out);
int pyro_history_point(struct pyro_history *h, struct pyro_history_builder *hb,
		       int64_t time_nanos, const char *name, int64_t total);
int pyro_history_fold(struct pyro_history *h, struct pyro_history_builder *hb,
		      size_t row, struct pyro_stacks *st);
int pyro_history_end(struct pyro_history *h, struct pyro_history_builder *hb);

/* Least-squares slope of v over t (any units): 0 with fewer than 2 points. */
double pyro_slope(const double *t, const double *v, size_t n);

#endif
