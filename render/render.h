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

#endif
