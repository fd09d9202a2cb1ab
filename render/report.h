/*
 * report.h - the parts of pprof's text report that several renderers print
 * the same way (inside render/): top.txt and top-cum.txt (top.c), peek.txt
 * (peek.c), traces.txt (traces.c) and graph.dot's legend (graph_dot.c).
 * report.c owns them, one owner per rule, so the header lines cannot drift
 * apart.
 */
#ifndef PYRO_REPORT_H
#define PYRO_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../model/buf.h"
#include "../model/stacks.h"
#include "units.h"

/* |v|, as pprof's abs64 (the sort keys and cutoffs of every report). */
static inline int64_t pyro_abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

#define PYRO_NODE_FRACTION 0.005        /* pprof's -nodefraction default */
#define PYRO_EDGE_FRACTION 0.001        /* pprof's -edgefraction default */

/* pprof's abs64(int64(float64(base) * fraction)): the node and edge
 * cutoffs of a graph whose flat sum (or total, for the legend) is base. */
static inline int64_t pyro_report_cutoff(int64_t base, double fraction)
{
	return pyro_abs64((int64_t)((double)base * fraction));
}

/* pprof's ProfileLabels, one line each ending in '\n', only the lines
 * whose field the node has: "File:", "Build ID:", comments, "Type:",
 * "Time:", "Duration: ..., Total samples = <total> ...", the total in
 * out_unit (a unit name, or "minimum" for the value's own best unit). */
int pyro_report_profile_labels(const struct pyro_stacks *s, int64_t total,
			       const char *out_unit, struct pyro_buf *out);

/* pprof's "Active filters:" legend: one line per filter of a filtered node
 * (m->name_filters: focus=, ignore=, hide=, show=, show_from=, in pprof's
 * order), then "tagfocus=key=value" for a label node (m->filter); each cut
 * to 80 bytes and an ellipsis as pprof does.  The caller tests that m has
 * one of them first. */
int pyro_report_filter(const struct pyro_meta *m, struct pyro_buf *out);

/* pprof's selectOutputUnit: the unit of min, the smallest non-zero
 * |flat| (else |cum|) of the shown nodes (0: none), unless total prints in
 * another unit and min is under 1% of it: then the unit of 100 x min, so
 * the minimum still shows as >= 0.01. */
void pyro_report_output_unit(const char *unit, int64_t min, int64_t total,
			     char out[PYRO_LABEL_MAX]);

/* The head of top.txt and peek.txt: the profile labels, pyrofs's
 * "Merge: <rule> of <n> snapshots" line for a merged node, the filter
 * legend for a filtered one, then "Showing nodes accounting for <shown>,
 * <shown/total%> of <total> total", values in out_unit. */
int pyro_report_head(const struct pyro_stacks *s, int64_t total,
		     const char *out_unit, int64_t shown, struct pyro_buf *out);

/* Append s right-aligned in width runes, as Go's %<width>s does. */
int pyro_put_padded(struct pyro_buf *out, const char *s, int width);

/* Append the strings, up to the NULL that ends the list: plain appends
 * for report rows, where printf's format parsing showed in profiles. */
int pyro_put_strs(struct pyro_buf *out, const char *first, ...)
	__attribute__((sentinel));

/* ---- call edges --------------------------------------------------------- */

/*
 * The call edges of pprof's graph, as top.c and graph_build.c build it:
 * one edge per (caller, callee) pair of node indexes, numbered from 0 in
 * order of creation.  The index maps a pair to its number, which is the
 * edge's place in the caller's own array (top.txt and graph.dot keep
 * different fields per edge).  Open addressing over at least twice as
 * many slots as edges, so a lookup costs about one probe.  A zeroed
 * struct is an empty index.
 */
struct pyro_edge_index {
	uint64_t *keys;         /* edge number -> src << 32 | dst */
	size_t n, cap;          /* edges; room in keys */
	uint32_t *slots;        /* edge number + 1, 0 = empty */
	size_t nslots;          /* power of two, 0 before the first edge */
};

/* *edge receives the number of the edge src -> dst.  A new pair gets the
 * next number (x->n before the call) and *created is set: the caller then
 * sets up its own edge of that number.  -ENOMEM, or -EOVERFLOW past
 * UINT32_MAX - 1 edges; after an error x is only good for release. */
int pyro_edge_index_get(struct pyro_edge_index *x, uint32_t src,
			uint32_t dst, uint32_t *edge, bool *created);

/* Forget every edge, keeping the memory (a graph about to be rebuilt). */
void pyro_edge_index_clear(struct pyro_edge_index *x);

/* Free what x holds; x is left empty. */
void pyro_edge_index_release(struct pyro_edge_index *x);

#endif
