/*
 * render.h - turn model data into bytes.
 *
 * Every renderer appends to a pyro_buf and returns 0 or a negative errno.
 * Renderers do no I/O and know nothing of FUSE; offsets and caching belong
 * to fs/.  Output depends only on the input, so equal inputs give equal bytes.
 *
 * Failure leaves `out` as it was: a renderer that fails (-ENOMEM, an
 * -EOVERFLOW of the input, ...) returns the error with out->len and the
 * bytes before it unchanged (the capacity may have grown), so a caller can
 * append several files into one buffer, or report the error, without
 * cleaning up half a file.  Each renderer undoes its own appends with
 * pyro_buf_truncate(); tests/unit/test_render_errors.c fails every
 * allocation of every renderer in turn and checks it.
 */
#ifndef PYRO_RENDER_H
#define PYRO_RENDER_H

#include "../model/buf.h"
#include "../model/history.h"
#include "../model/stacks.h"

/* top.txt: `pprof -top` for the node's sample type (header, rows, units,
 * default node fraction 0.005), plus one "Merge:" header line for merged
 * nodes naming the rule and the number of snapshots. */
int pyro_top_render(const struct pyro_stacks *s, struct pyro_buf *out);

/* top-cum.txt: `pprof -top -cum`: top.txt with the rows sorted by |cum|
 * desc, name, |flat| desc. */
int pyro_top_cum_render(const struct pyro_stacks *s, struct pyro_buf *out);

/* traces.txt: `pprof -traces`: the header lines, then every stack with
 * frames leaf first between separator lines, in the order first seen;
 * labels are not part of stacks, so none is printed.  See traces.c. */
int pyro_traces_render(const struct pyro_stacks *s, struct pyro_buf *out);

/* graph.dot: `pprof -dot`: the call graph of at most 80 functions, with
 * pprof's selection, labels, colours and legend; sample labels are not
 * drawn (stacks have none).  See graph_dot.c. */
int pyro_graph_dot_render(const struct pyro_stacks *s, struct pyro_buf *out);

/* graph.svg: graph.dot laid out by Graphviz (libgvc, in-process, under
 * one lock: libgvc is not known to be thread-safe), self-contained, with a
 * script that pans (drag) and zooms (wheel) it.  See graph_svg.c. */
int pyro_graph_svg_render(const struct pyro_stacks *s, struct pyro_buf *out);

/* peek.txt of one function: `pprof -peek '^name$'` (name quoted), its
 * callers and callees with the weight of each call edge, over the whole
 * untrimmed graph as pprof's peek has it.  -ENOENT when no frame of s
 * has the report name name[0..len). */
int pyro_peek_render(const struct pyro_stacks *s, const char *name,
		     size_t len, struct pyro_buf *out);

/* folded: collapsed stacks "root;child;leaf VALUE\n", one line per distinct
 * stack, zero sums left out, sorted bytewise.  In names, ';' and control
 * bytes (< 0x20, 0x7f) are written as "\xNN" so a line always parses. */
int pyro_folded_render(const struct pyro_stacks *s, struct pyro_buf *out);

/* flame.svg: a self-contained interactive SVG flame graph, root at the
 * bottom.  Boxes under 0.5 px and beyond the 2500 widest are left out and
 * the subtitle says how much; see flame.c for the whole rule. */
int pyro_flame_render(const struct pyro_stacks *s, struct pyro_buf *out);

/* icicle.svg: the same graph top-down (root at the top, as Pyroscope draws
 * it); same boxes, colours, behaviour and pruning as flame.svg. */
int pyro_icicle_render(const struct pyro_stacks *s, struct pyro_buf *out);

/* tree.txt: the call tree as indented text, roots first, each line
 * "cum cum% flat flat%  <indent>name" by frame name (as folded); children
 * by |cum| desc then name, those under 0.5% of the total folded into one
 * "… N more (X)" line per parent.  See tree.c. */
int pyro_tree_render(const struct pyro_stacks *s, struct pyro_buf *out);

/* profile.pb.gz: the stacks as a gzipped pprof profile with the node's one
 * sample type, from which `go tool pprof -top` prints top.txt (less its
 * "Merge:" line) and pyro_profile_stacks() gives back equal stacks.
 * Diffs export their values, target minus base.  See export.c. */
int pyro_export_pprof(const struct pyro_stacks *s, struct pyro_buf *out);

/* The same profile as raw protobuf, not gzipped. */
int pyro_export_pprof_raw(const struct pyro_stacks *s, struct pyro_buf *out);

/* timeline.txt: one line per snapshot (time, total, change, exact total)
 * and the trend: least-squares slope per hour, intervals rising/falling. */
int pyro_timeline_render(const struct pyro_history *h, struct pyro_buf *out);

/* timeline.svg: the totals as a line chart with labelled axes. */
int pyro_timeline_svg_render(const struct pyro_history *h,
			     struct pyro_buf *out);

/* growth.txt: functions whose flat value grew, largest growth first, with
 * intervals rising/falling, slope, and flat/cum at the first and last
 * snapshot: the leak suspects of inuse_space. */
int pyro_growth_render(const struct pyro_history *h, struct pyro_buf *out);

struct pyro_label_set;  /* model/labels.h */

/* labels.txt: the node's label keys and values as they are (quoted where
 * needed), each with its total and its share of the node's total, keys
 * and values by total, largest first, values of zero total left out;
 * numeric keys with their unit, and their values as a histogram (powers
 * of two) unless flags has PYRO_LABELS_EACH_NUMBER (a line per value, as
 * labels/ then has a directory per value).  See labels.c. */
#define PYRO_LABELS_EACH_NUMBER 1u
int pyro_labels_render_flags(const struct pyro_label_set *ls, unsigned flags,
			     struct pyro_buf *out);

/* pyro_labels_render_flags with flags 0: the default tree's labels.txt. */
int pyro_labels_render(const struct pyro_label_set *ls, struct pyro_buf *out);

/* ---- entry points (entry.c, entry_html.c) ------------------------------- */

struct pyro_index;              /* model/source.h */
struct pyro_index_service;
struct pyro_index_series;

/* README.txt of the root: the three first questions answered with this
 * archive's own names, the tree, the time names, every service and type
 * with its snapshot count and period.  From the index alone. */
int pyro_readme_render(const struct pyro_index *ix, struct pyro_buf *out);

/* index.html of the root: every service and type, linked (to each type's
 * index.html, newest flame graph, top, timeline, growth).  From the index
 * alone.  Like every page here: relative links, no script, no external
 * resource, names escaped as XML text and percent-encoded in URLs. */
int pyro_index_html_root(const struct pyro_index *ix, struct pyro_buf *out);

/* index.html of a service: its types linked, and each type's timeline.svg
 * shown (the browser fetches it, not the render).  From the index alone. */
int pyro_index_html_service(const struct pyro_index_service *svc,
			    struct pyro_buf *out);

/* index.html of a type directory: links, timeline, the functions that
 * grew in every interval (from h), the newest flame graph in a frame,
 * every point of se newest first with its total (from h).  h may be NULL
 * (unreadable): the page says so and links the rest. */
int pyro_index_html_type(const struct pyro_index_series *se,
			 const struct pyro_history *h, struct pyro_buf *out);

/* What summary.txt knows of one type: its history and newest stacks, each
 * NULL when it could not be read (the summary says so and goes on). */
struct pyro_summary_part {
	const struct pyro_index_series *se;
	const struct pyro_history *h;
	const struct pyro_stacks *latest;
};

/* summary.txt of a service: per type, the newest total and trend, the top
 * 5 functions of the newest snapshot by flat value, the functions whose
 * flat value rose in every interval (leak suspects for gauges; 3
 * snapshots needed), the snapshot count and period. */
int pyro_summary_render(const struct pyro_index_service *svc,
			const struct pyro_summary_part *parts, size_t n,
			struct pyro_buf *out);

#endif
