/*
 * test_top.c - top.txt (render/top.c) and pprof units (render/units.c).
 *
 * Each case builds stacks by hand (tests/support/stacks_builder.h) and
 * compares the whole rendered report with the bytes `pprof -top` prints for
 * the same samples.  The conformance corpus checks real profiles; these
 * cases pin down one rule each: units, headers, inline markers, recursion,
 * node dropping, edge trimming, merge line, label filter, empty and
 * negative input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../render/render.h"
#include "../../render/units.h"
#include "../support/stacks_builder.h"

#define COLS "      flat  flat%   sum%        cum   cum%\n"

/* Render s and compare with expected; releases s. */
static void check_top(struct pyro_stacks *s, const char *expected)
{
	struct pyro_buf out = PYRO_BUF_INIT;

	assert_int_equal(pyro_top_render(s, &out), 0);
	assert_non_null(out.data);
	assert_string_equal(out.data, expected);
	assert_int_equal(out.len, strlen(expected));
	pyro_buf_release(&out);
	pyro_stacks_release(s);
}

static void build(struct pyro_stacks *s, const char *text, const char *type,
		  const char *unit)
{
	assert_int_equal(sb_build(s, text), 0);
	assert_int_equal(sb_type(s, type, unit), 0);
}

static void test_count(void **state)
{
	struct pyro_stacks s;

	build(&s, "main;foo;bar 10\nmain;foo 5\nmain;baz 3\nmain;zero 0\n",
	      "samples", "count");
	check_top(&s,
		  "Type: samples\n"
		  "Showing nodes accounting for 18, 100% of 18 total\n"
		  COLS
		  "        10 55.56% 55.56%         10 55.56%  bar\n"
		  "         5 27.78% 83.33%         15 83.33%  foo\n"
		  "         3 16.67%   100%          3 16.67%  baz\n"
		  "         0     0%   100%         18   100%  main\n");
}

/* Equal flat values sort by name, bytewise: a prefix comes first. */
static void test_sort_ties(void **state)
{
	struct pyro_stacks s;

	build(&s, "b 2\na 2\nroot;c 1\nroot2;d 1\nroot2;e 1\n", "samples", "count");
	check_top(&s,
		  "Type: samples\n"
		  "Showing nodes accounting for 7, 100% of 7 total\n"
		  COLS
		  "         2 28.57% 28.57%          2 28.57%  a\n"
		  "         2 28.57% 57.14%          2 28.57%  b\n"
		  "         1 14.29% 71.43%          1 14.29%  c\n"
		  "         1 14.29% 85.71%          1 14.29%  d\n"
		  "         1 14.29%   100%          1 14.29%  e\n"
		  "         0     0%   100%          1 14.29%  root\n"
		  "         0     0%   100%          2 28.57%  root2\n");
}

/* Time and Duration lines; the x100 rule picks s over ms. */
static void test_nanoseconds(void **state)
{
	struct pyro_stacks s;

	build(&s, "main;work 1500000000\nmain;idle 10000000\n",
	      "cpu", "nanoseconds");
	s.meta.time_nanos = 1506718679123456789LL;
	s.meta.duration_nanos = 2000000000;
	check_top(&s,
		  "Type: cpu\n"
		  "Time: 2017-09-29 20:57:59 UTC\n"
		  "Duration: 2s, Total samples = 1.51s (75.50%)\n"
		  "Showing nodes accounting for 1.51s, 100% of 1.51s total\n"
		  COLS
		  "     1.50s 99.34% 99.34%      1.50s 99.34%  work\n"
		  "     0.01s  0.66%   100%      0.01s  0.66%  idle\n"
		  "         0     0%   100%      1.51s   100%  main\n");
}

/* Without the x100 rule the smallest value's unit wins. */
static void test_milliseconds(void **state)
{
	struct pyro_stacks s;

	build(&s, "main;work 1500000000\nmain;idle 260000000\n",
	      "cpu", "nanoseconds");
	check_top(&s,
		  "Type: cpu\n"
		  "Showing nodes accounting for 1760ms, 100% of 1760ms total\n"
		  COLS
		  "    1500ms 85.23% 85.23%     1500ms 85.23%  work\n"
		  "     260ms 14.77%   100%      260ms 14.77%  idle\n"
		  "         0     0%   100%     1760ms   100%  main\n");
}

static void test_bytes(void **state)
{
	struct pyro_stacks s;

	build(&s, "main;alloc 1048576\nmain;small 8192\n", "alloc_space", "bytes");
	check_top(&s,
		  "Type: alloc_space\n"
		  "Showing nodes accounting for 1032kB, 100% of 1032kB total\n"
		  COLS
		  "    1024kB 99.22% 99.22%     1024kB 99.22%  alloc\n"
		  "       8kB  0.78%   100%        8kB  0.78%  small\n"
		  "         0     0%   100%     1032kB   100%  main\n");
}

/* A count profile with a duration: no ratio, and a trailing space. */
static void test_count_duration(void **state)
{
	struct pyro_stacks s;

	build(&s, "main 4\n", "contentions", "count");
	s.meta.duration_nanos = 90 * 1000000000LL;
	check_top(&s,
		  "Type: contentions\n"
		  "Duration: 90s, Total samples = 4 \n"
		  "Showing nodes accounting for 4, 100% of 4 total\n"
		  COLS
		  "         4   100%   100%          4   100%  main\n");
}

/* File, Build ID, comments (not '#'), Type, Doc, in pprof's order. */
static void test_header_fields(void **state)
{
	struct pyro_stacks s;
	char **c = calloc(2, sizeof(*c));

	build(&s, "0x4f1984=[app] 3\n", "samples", "count");
	assert_non_null(c);
	c[0] = strdup("# hidden");
	c[1] = strdup("note: shown");
	s.meta.comments = c;
	s.meta.ncomments = 2;
	assert_int_equal(sb_set(&s.meta.file, "app"), 0);
	assert_int_equal(sb_set(&s.meta.build_id, "abc123"), 0);
	assert_int_equal(sb_set(&s.meta.doc_url, "https://example.com/doc"), 0);
	check_top(&s,
		  "File: app\n"
		  "Build ID: abc123\n"
		  "note: shown\n"
		  "Type: samples\n"
		  "Doc: https://example.com/doc\n"
		  "Showing nodes accounting for 3, 100% of 3 total\n"
		  COLS
		  "         3   100%   100%          3   100%  [app]\n");
}

/*
 * inl is reached inline from main and by a call from other: partial.
 * pure is only ever inline.  dup's one edge from main is inline in one
 * stack and not in the other, so the edge is not inline: no marker.
 */
/* test_inline's report, and test_inline_halves's: the same stacks. */
#define INLINE_TOP \
	"Type: samples\n" \
	"Showing nodes accounting for 24, 100% of 24 total\n" \
	COLS \
	"        15 62.50% 62.50%         15 62.50%  inl (partial-inline)\n" \
	"         6 25.00% 87.50%          6 25.00%  pure (inline)\n" \
	"         3 12.50%   100%          3 12.50%  dup\n" \
	"         0     0%   100%         24   100%  main\n" \
	"         0     0%   100%          5 20.83%  other\n"

static void test_inline(void **state)
{
	struct pyro_stacks s;

	build(&s,
	      "main;^inl 10\n"
	      "main;other;inl 5\n"
	      "main;^pure 6\n"
	      "main;^dup 2\n"
	      "main;dup 1\n",
	      "samples", "count");
	check_top(&s, INLINE_TOP);
}

/*
 * test_inline's stacks on either side of enough stacks of value 0 (600,000
 * references) that the walks split the set in two halves, one on another
 * thread: main -> dup is inline in the first half only, other -> inl and
 * all of pure are in the second.  Only edges added up across the halves
 * give test_inline's markers.
 */
static void test_inline_halves(void **state)
{
	struct pyro_buf text = PYRO_BUF_INIT;
	struct pyro_stacks s;
	int i, d;

	assert_int_equal(pyro_buf_puts(&text, "main;^inl 10\nmain;^dup 2\n"), 0);
	for (i = 0; i < 6000; i++) {
		for (d = 0; d < 99; d++)
			assert_int_equal(pyro_buf_puts(&text, "pad;"), 0);
		assert_int_equal(pyro_buf_printf(&text, "x%d 0\n", i), 0);
	}
	assert_int_equal(pyro_buf_puts(&text, "main;other;inl 5\nmain;dup 1\n"
				       "main;^pure 6\n"), 0);
	build(&s, text.data, "samples", "count");
	pyro_buf_release(&text);
	assert_true(s.nrefs >= 600000);
	check_top(&s, INLINE_TOP);
}

/* Recursion: cum counts a function once per stack. */
static void test_recursion(void **state)
{
	struct pyro_stacks s;

	build(&s, "main;rec;rec;rec 10\nmain;rec;leaf 5\n", "samples", "count");
	check_top(&s,
		  "Type: samples\n"
		  "Showing nodes accounting for 15, 100% of 15 total\n"
		  COLS
		  "        10 66.67% 66.67%         15   100%  rec\n"
		  "         5 33.33%   100%          5 33.33%  leaf\n"
		  "         0     0%   100%         15   100%  main\n");
}

/* cum below 0.5% of the total is dropped; the cutoff is printed. */
static void test_dropped(void **state)
{
	struct pyro_stacks s;

	build(&s, "main;hot 1000\nmain;cold 4\nmain;warm 6\nmain;cool;x 1\n",
	      "samples", "count");
	check_top(&s,
		  "Type: samples\n"
		  "Showing nodes accounting for 1006, 99.51% of 1011 total\n"
		  "Dropped 3 nodes (cum <= 5)\n"
		  COLS
		  "      1000 98.91% 98.91%       1000 98.91%  hot\n"
		  "         6  0.59% 99.51%          6  0.59%  warm\n"
		  "         0     0% 99.51%       1011   100%  main\n");
}

/*
 * Edges under 0.1% of the total do not count for markers: g -> f weighs 5
 * of 10000, so f is "(inline)" although g calls it.  Dropping "tiny" makes
 * main -> h a residual edge that keeps h's own inline flag, so h, also
 * called by other, is "(partial-inline)".
 */
static void test_edge_cutoff(void **state)
{
	struct pyro_stacks s;

	build(&s,
	      "main;^f 100\n"
	      "main;g;f 5\n"
	      "main;g 60\n"
	      "main;tiny;^h 40\n"
	      "other;h 60\n"
	      "main;big 9735\n",
	      "samples", "count");
	check_top(&s,
		  "Type: samples\n"
		  "Showing nodes accounting for 10000, 100% of 10000 total\n"
		  "Dropped 1 node (cum <= 50)\n"
		  COLS
		  "      9735 97.35% 97.35%       9735 97.35%  big\n"
		  "       105  1.05% 98.40%        105  1.05%  f (inline)\n"
		  "       100  1.00% 99.40%        100  1.00%  h (partial-inline)\n"
		  "        60   0.6%   100%         65  0.65%  g\n"
		  "         0     0%   100%       9940 99.40%  main\n"
		  "         0     0%   100%         60   0.6%  other\n");
}

static void test_merge_line(void **state)
{
	struct pyro_stacks s;

	build(&s, "main;lock 7\n", "contentions", "count");
	s.meta.rule = PYRO_MERGE_INCREASE;
	s.meta.nsnapshots = 5;
	s.meta.time_nanos = 1000000000;
	check_top(&s,
		  "Type: contentions\n"
		  "Time: 1970-01-01 00:00:01 UTC\n"
		  "Merge: increase of 5 snapshots\n"
		  "Showing nodes accounting for 7, 100% of 7 total\n"
		  COLS
		  "         7   100%   100%          7   100%  lock\n"
		  "         0     0%   100%          7   100%  main\n");
}

static void test_merge_rules(void **state)
{
	static const struct { enum pyro_merge_rule rule; const char *line; } c[] = {
		{ PYRO_MERGE_SUM, "Merge: sum of 3 snapshots\n" },
		{ PYRO_MERGE_MEAN, "Merge: mean of 3 snapshots\n" },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct pyro_stacks s;
		struct pyro_buf out = PYRO_BUF_INIT;

		build(&s, "main 1\n", "goroutine", "count");
		s.meta.rule = c[i].rule;
		s.meta.nsnapshots = 3;
		assert_int_equal(pyro_top_render(&s, &out), 0);
		assert_non_null(strstr(out.data, c[i].line));
		pyro_buf_release(&out);
		pyro_stacks_release(&s);
	}
}

/*
 * A label node reads like `pprof -top -tagfocus=endpoint=/users`: pprof
 * keeps the unfiltered total, so percentages and the Total samples ratio
 * are of the whole node.  Its node cutoff, though, is 0.5% of the kept
 * samples (pprof's graph is built of them), while the Dropped line prints
 * 0.5% of the report total: cold's 4 goes against 1004 kept (cut 5), and
 * the line says 50, of 10000.
 */
static void test_label_filter(void **state)
{
	struct pyro_stacks s;

	build(&s, "main;hot 1000\nmain;cold 4\n", "samples", "count");
	assert_int_equal(sb_set(&s.meta.filter, "endpoint=/users"), 0);
	s.meta.whole_total = 10000;
	s.meta.rule = PYRO_MERGE_SUM;
	s.meta.nsnapshots = 3;
	check_top(&s,
		  "Type: samples\n"
		  "Merge: sum of 3 snapshots\n"
		  "Active filters:\n"
		  "   tagfocus=endpoint=/users\n"
		  "Showing nodes accounting for 1000, 10.00% of 10000 total\n"
		  "Dropped 1 node (cum <= 50)\n"
		  COLS
		  "      1000 10.00% 10.00%       1000 10.00%  hot\n"
		  "         0     0% 10.00%       1004 10.04%  main\n");

	/* 104 kept: no cut, though cold is under 0.5% of the whole. */
	build(&s, "main;hot 100\nmain;cold 4\n", "samples", "count");
	assert_int_equal(sb_set(&s.meta.filter, "endpoint=/users"), 0);
	s.meta.whole_total = 1000;
	check_top(&s,
		  "Type: samples\n"
		  "Active filters:\n"
		  "   tagfocus=endpoint=/users\n"
		  "Showing nodes accounting for 104, 10.40% of 1000 total\n"
		  COLS
		  "       100 10.00% 10.00%        100 10.00%  hot\n"
		  "         4   0.4% 10.40%          4   0.4%  cold\n"
		  "         0     0% 10.40%        104 10.40%  main\n");

	/* The unit is pprof's minimum against the whole (100 x 300ms is not
	 * under 1.2s: ms); Total samples is the whole's. */
	build(&s, "main;work 300000000\n", "cpu", "nanoseconds");
	assert_int_equal(sb_set(&s.meta.filter, "size=4096"), 0);
	s.meta.whole_total = 1200000000;
	s.meta.duration_nanos = 10000000000;
	check_top(&s,
		  "Type: cpu\n"
		  "Duration: 10s, Total samples = 1200ms (12.00%)\n"
		  "Active filters:\n"
		  "   tagfocus=size=4096\n"
		  "Showing nodes accounting for 300ms, 25.00% of 1200ms total\n"
		  COLS
		  "     300ms 25.00% 25.00%      300ms 25.00%  work\n"
		  "         0     0% 25.00%      300ms 25.00%  main\n");

	/* An unknown whole (0): percentages of what was kept. */
	build(&s, "main 4\n", "samples", "count");
	assert_int_equal(sb_set(&s.meta.filter, "k=v"), 0);
	check_top(&s,
		  "Type: samples\n"
		  "Active filters:\n"
		  "   tagfocus=k=v\n"
		  "Showing nodes accounting for 4, 100% of 4 total\n"
		  COLS
		  "         4   100%   100%          4   100%  main\n");

	/* A number of bytes is spelled with its unit, as pprof's -tagfocus
	 * needs it; a unit pprof does not scale is left out. */
	build(&s, "main 4\n", "samples", "count");
	assert_int_equal(sb_set(&s.meta.filter, "size=4096"), 0);
	assert_int_equal(sb_set(&s.meta.filter_unit, "bytes"), 0);
	check_top(&s,
		  "Type: samples\n"
		  "Active filters:\n"
		  "   tagfocus=size=4096bytes\n"
		  "Showing nodes accounting for 4, 100% of 4 total\n"
		  COLS
		  "         4   100%   100%          4   100%  main\n");
	build(&s, "main 4\n", "samples", "count");
	assert_int_equal(sb_set(&s.meta.filter, "worker=3"), 0);
	assert_int_equal(sb_set(&s.meta.filter_unit, "worker"), 0);
	check_top(&s,
		  "Type: samples\n"
		  "Active filters:\n"
		  "   tagfocus=worker=3\n"
		  "Showing nodes accounting for 4, 100% of 4 total\n"
		  COLS
		  "         4   100%   100%          4   100%  main\n");

	/* An entry over 80 bytes ("tagfocus=" and 73 more) is cut to 80
	 * and an ellipsis, as pprof's legend does. */
	build(&s, "main 4\n", "samples", "count");
	assert_int_equal(sb_set(&s.meta.filter, "k=0123456789012345678901234567"
				"8901234567890123456789012345678901234567890"), 0);
	check_top(&s,
		  "Type: samples\n"
		  "Active filters:\n"
		  "   tagfocus=k=0123456789012345678901234567890123456789012345"
		  "67890123456789012345678\xe2\x80\xa6\n"
		  "Showing nodes accounting for 4, 100% of 4 total\n"
		  COLS
		  "         4   100%   100%          4   100%  main\n");
}

static void test_empty(void **state)
{
	struct pyro_stacks s;

	build(&s, "", "samples", "count");
	check_top(&s,
		  "Type: samples\n"
		  "Showing nodes accounting for 0, 0% of 0 total\n"
		  COLS);
}

/* Only empty stacks: a total but no node; values in automatic units. */
static void test_no_frames(void **state)
{
	struct pyro_stacks s;

	build(&s, " 1500000\n", "cpu", "nanoseconds");
	check_top(&s,
		  "Type: cpu\n"
		  "Showing nodes accounting for 0, 0% of 1.50ms total\n"
		  COLS);
}

/* Diff-like input: the total sums |value|, sorting uses |flat|. */
static void test_negative(void **state)
{
	struct pyro_stacks s;

	build(&s, "main;a 10\nmain;b -4\n", "samples", "count");
	check_top(&s,
		  "Type: samples\n"
		  "Showing nodes accounting for 6, 42.86% of 14 total\n"
		  COLS
		  "        10 71.43% 71.43%         10 71.43%  a\n"
		  "        -4 28.57% 42.86%         -4 28.57%  b\n"
		  "         0     0% 42.86%          6 42.86%  main\n");
}

/* Equal node names are one node even when the folded names differ. */
static void test_node_names(void **state)
{
	struct pyro_stacks s;

	build(&s, "0x10=[app];0x20=[app] 3\n0x30=<unknown> 1\n", "samples", "count");
	check_top(&s,
		  "Type: samples\n"
		  "Showing nodes accounting for 4, 100% of 4 total\n"
		  COLS
		  "         3 75.00% 75.00%          3 75.00%  [app]\n"
		  "         1 25.00%   100%          1 25.00%  <unknown>\n");
}

/* The buffer is appended to, not replaced. */
static void test_appends(void **state)
{
	struct pyro_stacks s;
	struct pyro_buf out = PYRO_BUF_INIT;

	build(&s, "main 1\n", "", "count");
	assert_int_equal(pyro_buf_puts(&out, "X"), 0);
	assert_int_equal(pyro_top_render(&s, &out), 0);
	assert_string_equal(out.data,
			    "XShowing nodes accounting for 1, 100% of 1 total\n"
			    COLS
			    "         1   100%   100%          1   100%  main\n");
	pyro_buf_release(&out);
	pyro_stacks_release(&s);
}

/* ---- render/units.c ------------------------------------------------- */

static void expect_label(int64_t v, const char *from, const char *to,
			 const char *expected)
{
	char dst[PYRO_LABEL_MAX];

	pyro_unit_label(dst, v, from, to);
	assert_string_equal(dst, expected);
}

static void test_unit_label(void **state)
{
	expect_label(1500000000, "nanoseconds", "s", "1.50s");
	expect_label(1500000000, "nanoseconds", "auto", "1.50s");
	expect_label(2000000000, "nanoseconds", "s", "2s");
	expect_label(0, "nanoseconds", "s", "0");
	expect_label(-1, "nanoseconds", "s", "0");
	expect_label(-2500000, "nanoseconds", "ms", "-2.50ms");
	/* pprof drops the plural "s" of "\xce\xbcs" too, so it is unknown. */
	expect_label(1500, "\xce\xbcs", "ms", "1500ms");
	expect_label(1500, "microseconds", "auto", "1.50ms");
	expect_label(7200LL * 1000000000, "nanoseconds", "auto", "2hrs");
	expect_label(90LL * 1000000000, "nanoseconds", "auto", "90s");
	expect_label(1024, "bytes", "auto", "1kB");
	expect_label(3 << 20, "bytes", "MB", "3MB");
	expect_label(1536, "bytes", "minimum", "1.50kB");
	expect_label(512, "BYTES", "kB", "0.50kB");
	expect_label(5, "count", "count", "5");
	expect_label(5, "count", "minimum", "5");
	expect_label(5, "objects", "objects", "5objects");
	expect_label(5, "", "", "5");
	expect_label(3, "gcu", "auto", "3GCU");
	expect_label(2500, "milligcus", "GCU", "2.50GCU");
	/* A foreign target falls back to the family's default unit. */
	expect_label(3000000000LL, "nanoseconds", "bytes", "3s");
}

static void expect_pct(int64_t v, int64_t total, const char *expected)
{
	char dst[PYRO_LABEL_MAX];

	pyro_percentage(dst, v, total);
	assert_string_equal(dst, expected);
}

static void test_percentage(void **state)
{
	expect_pct(1, 3, "33.33%");
	expect_pct(0, 0, "    0%");
	expect_pct(5, 0, "    0%");
	expect_pct(9996, 10000, "  100%");
	expect_pct(10004, 10000, "  100%");
	expect_pct(1, 100, " 1.00%");
	expect_pct(5, 1000, "  0.5%");
	expect_pct(17, 100000, "0.017%");
	expect_pct(1, 10000000, "1e-05%");
	expect_pct(-5, 10, "50.00%");
	expect_pct(3, 2, "150.00%");
}

/* xorshift64*: reproducible doubles of every magnitude the reports see */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 2685821657736338717ull;
}

/* A double: a random integer over a random power of ten, so that values
 * near the rounding points (x.xx5) come up as often as any. */
static double rnd_double(void)
{
	static const double scale[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e9 };
	uint64_t r = rnd();
	double v = (double)(r >> 20 & 0xffffff) / scale[r & 7];

	if (r >> 60 & 1)
		v = nextafter(v, r >> 61 & 1 ? 1e300 : -1e300);
	return r >> 62 & 1 ? -v : v;
}

/* pyro_fmt_fixed prints what printf prints, byte for byte, ties and the
 * values next to them included. */
static void test_fmt_fixed(void **state)
{
	static const double edge[] = {
		0, -0.0, 0.125, 0.375, 2.675, 1.005, 0.005, 0.015, 0.025,
		1e-320, 99.995, 999999.995, 4503599627370.495, 45035996273704.95,
		1e15, 1e30, 0.5, 1.5, 2.5, -2.5, 123.456,
	};
	char want[64], got[64];
	size_t i;
	int d;

	(void)state;
	for (i = 0; i < sizeof(edge) / sizeof(edge[0]); i++) {
		for (d = 0; d <= 5; d++) {
			snprintf(want, sizeof(want), "%.*f", d, edge[i]);
			pyro_fmt_fixed(got, edge[i], d);
			assert_string_equal(got, want);
		}
	}
	for (i = 0; i < 200000; i++) {
		double v = rnd_double();

		d = (int)(i % 6);
		snprintf(want, sizeof(want), "%.*f", d, v);
		pyro_fmt_fixed(got, v, d);
		if (strcmp(got, want))
			fail_msg("%.17g with %d decimals: got %s, printf %s", v, d, got, want);
	}
}

/* pyro_percentage's fast paths (%5.2f from 1%, %5.2g below) print what
 * printf prints, at every magnitude and across the 1e-4 edge of %g. */
static void test_percentage_printf(void **state)
{
	char want[64], got[PYRO_LABEL_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < 200000; i++) {
		int64_t total = (int64_t)(rnd() >> 24) + 1;
		int64_t v = (int64_t)(rnd() % (uint64_t)total) >> (rnd() % 40);
		double ratio = (double)v / (double)total * 100;

		if (ratio >= 99.95 && ratio <= 100.05)
			snprintf(want, sizeof(want), "  100%%");
		else if (ratio >= 1.0)
			snprintf(want, sizeof(want), "%5.2f%%", ratio);
		else
			snprintf(want, sizeof(want), "%5.2g%%", ratio);
		pyro_percentage(got, v, total);
		if (strcmp(got, want))
			fail_msg("%lld of %lld: got '%s', printf '%s'", (long long)v,
				 (long long)total, got, want);
	}
}

static void test_unit_kind(void **state)
{
	assert_int_equal(pyro_unit_kind("nanoseconds"), 1);
	assert_int_equal(pyro_unit_kind("Seconds"), 1);
	assert_int_equal(pyro_unit_kind("bytes"), 2);
	assert_int_equal(pyro_unit_kind("count"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_sort_ties),
		cmocka_unit_test(test_nanoseconds),
		cmocka_unit_test(test_milliseconds),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_count_duration),
		cmocka_unit_test(test_header_fields),
		cmocka_unit_test(test_inline),
		cmocka_unit_test(test_inline_halves),
		cmocka_unit_test(test_recursion),
		cmocka_unit_test(test_dropped),
		cmocka_unit_test(test_edge_cutoff),
		cmocka_unit_test(test_merge_line),
		cmocka_unit_test(test_merge_rules),
		cmocka_unit_test(test_label_filter),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_no_frames),
		cmocka_unit_test(test_negative),
		cmocka_unit_test(test_node_names),
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_unit_label),
		cmocka_unit_test(test_percentage),
		cmocka_unit_test(test_fmt_fixed),
		cmocka_unit_test(test_percentage_printf),
		cmocka_unit_test(test_unit_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
