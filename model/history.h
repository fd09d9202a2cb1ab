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
 */
#ifndef PYRO_HISTORY_H
#define PYRO_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "profile.h"
#include "strtab.h"
#include "timefmt.h"

/* archive.h: only pointers here (see merge.h). */
struct pyro_archive;
struct pyro_service;
struct pyro_series;

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
};

struct pyro_history {
	char *service;
	char *type;
	char *sample_type;
	char *sample_unit;
	size_t nsnaps;                  /* snapshots read (unreadable skipped) */
	int64_t *times;                 /* per snapshot: time, ns */
	char (*names)[PYRO_TIME_NAME_MAX];  /* per snapshot: directory name;
					 * owned copies, since a history is
					 * cached beyond the index's life */
	int64_t *totals;                /* per snapshot: sum of |values| */
	double slope;                   /* least-squares total per hour */
	struct pyro_strtab strs;        /* function names */
	struct pyro_history_func *funcs;
	size_t nfuncs;
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
 *   pyro_history_point   one timeline row, in time order
 *   pyro_history_fold    one member's stacks into the functions' figures
 *                        (growth.txt), in time order, after its row; not
 *                        every row need be folded: first/last, rises,
 *                        falls and slopes are over the folded members
 *   pyro_history_end     the slopes; frees the builder
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
		      int64_t time_nanos, const struct pyro_stacks *st);
void pyro_history_end(struct pyro_history *h, struct pyro_history_builder *hb);

/* Least-squares slope of v over t (any units): 0 with fewer than 2 points. */
double pyro_slope(const double *t, const double *v, size_t n);

#endif
