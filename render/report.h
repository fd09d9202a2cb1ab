/*
 * report.h - the parts of pprof's text report that several renderers print
 * the same way (inside render/): top.txt and top-cum.txt (top.c), which own
 * them, traces.txt (traces.c) and graph.dot's legend (graph_dot.c).  One
 * owner per rule, so the header lines cannot drift apart.
 */
#ifndef PYRO_REPORT_H
#define PYRO_REPORT_H

#include <stdint.h>

#include "../model/buf.h"
#include "../model/stacks.h"
#include "units.h"

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

/* Append s right-aligned in width runes, as Go's %<width>s does. */
int pyro_put_padded(struct pyro_buf *out, const char *s, int width);

#endif
