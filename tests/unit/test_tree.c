/*
 * test_tree.c - tree.txt (render/tree.c): exact bytes.
 *
 * Each case builds stacks by hand (tests/support/stacks_builder.h) and
 * compares the whole rendered tree: order (|cum| desc, then name), flat and
 * cum per call path, folding of children under 0.5% of the total, units,
 * header lines, recursion, diffs, label nodes, names as folded writes
 * them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../render/render.h"
#include "../support/stacks_builder.h"

#define COLS "       cum   cum%       flat  flat%\n"
#define MORE "                                     " /* 37 columns */

/* Render s, compare with expected, release s. */
static void check_tree(struct pyro_stacks *s, const char *expected)
{
	struct pyro_buf out = PYRO_BUF_INIT;

	assert_int_equal(pyro_tree_render(s, &out), 0);
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

static void test_basic(void **state)
{
	struct pyro_stacks s;

	build(&s, "main;foo;bar 10\nmain;foo 5\nmain;baz 3\nmain;zero 0\nother 2\n",
	      "samples", "count");
	check_tree(&s,
		   "Type: samples\n"
		   "Total: 20\n"
		   COLS
		   "        18 90.00%          0     0%  main\n"
		   "        15 75.00%          5 25.00%    foo\n"
		   "        10 50.00%         10 50.00%      bar\n"
		   "         3 15.00%          3 15.00%    baz\n"
		   "         2 10.00%          2 10.00%  other\n");
}

/* Equal cum sorts by name, bytewise; stacks sharing a prefix share lines. */
static void test_ties(void **state)
{
	struct pyro_stacks s;

	build(&s, "b 2\na 2\nroot;c 1\nroot;d 1\nroot;b 1\nroot2;e 3\n",
	      "samples", "count");
	check_tree(&s,
		   "Type: samples\n"
		   "Total: 10\n"
		   COLS
		   "         3 30.00%          0     0%  root\n"
		   "         1 10.00%          1 10.00%    b\n"
		   "         1 10.00%          1 10.00%    c\n"
		   "         1 10.00%          1 10.00%    d\n"
		   "         3 30.00%          0     0%  root2\n"
		   "         3 30.00%          3 30.00%    e\n"
		   "         2 20.00%          2 20.00%  a\n"
		   "         2 20.00%          2 20.00%  b\n");
}

/* Children under 0.5% of the total (here 990: cum <= 4) fold into one
 * line per parent, below the shown ones; their subtrees are not printed.
 * An empty stack counts in the total only. */
static void test_fold(void **state)
{
	struct pyro_stacks s;

	build(&s, "main;big1 195\nmain;big2 195\nmain;big3 195\nmain;big4 195\n"
		  "main;big5 195\nmain;s1 4\nmain;s2 4\nmain;s2;deep 1\n"
		  "main;s3 1\ntiny 4\n 1\n",
	      "samples", "count");
	check_tree(&s,
		   "Type: samples\n"
		   "Total: 990\n"
		   COLS
		   "       985 99.49%          0     0%  main\n"
		   "       195 19.70%        195 19.70%    big1\n"
		   "       195 19.70%        195 19.70%    big2\n"
		   "       195 19.70%        195 19.70%    big3\n"
		   "       195 19.70%        195 19.70%    big4\n"
		   "       195 19.70%        195 19.70%    big5\n"
		   "         5  0.51%          4   0.4%    s2\n"
		   MORE "    \xe2\x80\xa6 1 more (1)\n"
		   MORE "  \xe2\x80\xa6 2 more (5)\n"
		   MORE "\xe2\x80\xa6 1 more (4)\n");
}

/* Units per value, Time and Merge lines. */
static void test_units_merge(void **state)
{
	struct pyro_stacks s;

	build(&s, "main;work 1500000000\nmain;work;io 500000000\nmain;idle 10000000\n",
	      "cpu", "nanoseconds");
	s.meta.time_nanos = 1506718679123456789LL;
	s.meta.rule = PYRO_MERGE_MEAN;
	s.meta.nsnapshots = 3;
	check_tree(&s,
		   "Type: cpu\n"
		   "Time: 2017-09-29 20:57:59 UTC\n"
		   "Merge: mean of 3 snapshots\n"
		   "Total: 2.01s\n"
		   COLS
		   "     2.01s   100%          0     0%  main\n"
		   "        2s 99.50%      1.50s 74.63%    work\n"
		   "     500ms 24.88%      500ms 24.88%      io\n"
		   MORE "  \xe2\x80\xa6 1 more (10ms)\n");
}

/* Recursion is just depth; names are frame names (addresses, not
 * "[binary]"), inlined frames are lines of their own, control bytes are
 * escaped. */
static void test_names(void **state)
{
	struct pyro_stacks s;

	build(&s, "main;a;a;a 3\nmain;a 1\nmain;0x4f1984=[app] 2\n"
		  "main;^inl;x\x01y 4\n",
	      "alloc_space", "bytes");
	check_tree(&s,
		   "Type: alloc_space\n"
		   "Total: 10B\n"
		   COLS
		   "       10B   100%          0     0%  main\n"
		   "        4B 40.00%         1B 10.00%    a\n"
		   "        3B 30.00%          0     0%      a\n"
		   "        3B 30.00%         3B 30.00%        a\n"
		   "        4B 40.00%          0     0%    inl\n"
		   "        4B 40.00%         4B 40.00%      x\\x01y\n"
		   "        2B 20.00%         2B 20.00%    0x4f1984\n");
}

/* A diff: signed values, sorted by |cum|, percentages of the base. */
static void test_diff(void **state)
{
	struct pyro_stacks s;
	size_t i;

	build(&s, "main;grew 30\nmain;shrank -40\nmain;same 0\n", "samples", "count");
	s.base = calloc(s.nstacks, sizeof(*s.base));
	assert_non_null(s.base);
	for (i = 0; i < s.nstacks; i++)
		s.base[i] = 50;
	s.meta.base_total = 150;
	assert_int_equal(sb_set(&s.meta.base_span, "2026-11-24T09"), 0);
	check_tree(&s,
		   "Type: samples\n"
		   "Diff: minus 2026-11-24T09, whose total 150 is 100%\n"
		   COLS
		   "       -10  6.67%          0     0%  main\n"
		   "       -40 26.67%        -40 26.67%    shrank\n"
		   "        30 20.00%         30 20.00%    grew\n");
}

/*
 * A label node: percentages and folding are of the whole node's total
 * (400: c's 1 folds, 200 x 1 < 400, though it is 2.4% of the 41 kept), and
 * a Label line gives the kept samples' share of it.
 */
static void test_label(void **state)
{
	struct pyro_stacks s;

	build(&s, "main;a 30\nmain;b 10\nmain;c 1\n", "samples", "count");
	assert_int_equal(sb_set(&s.meta.filter, "endpoint=/users"), 0);
	s.meta.whole_total = 400;
	check_tree(&s,
		   "Type: samples\n"
		   "Total: 400\n"
		   "Label: endpoint=/users, 41 (10.25%)\n"
		   COLS
		   "        41 10.25%          0     0%  main\n"
		   "        30  7.50%         30  7.50%    a\n"
		   "        10  2.50%         10  2.50%    b\n"
		   MORE "  \xe2\x80\xa6 1 more (1)\n");

	/* Units; a merge; nothing kept. */
	build(&s, "main;work 950000000\n", "cpu", "nanoseconds");
	assert_int_equal(sb_set(&s.meta.filter, "size=4096"), 0);
	s.meta.whole_total = 3570000000;
	s.meta.rule = PYRO_MERGE_SUM;
	s.meta.nsnapshots = 2;
	check_tree(&s,
		   "Type: cpu\n"
		   "Merge: sum of 2 snapshots\n"
		   "Total: 3.57s\n"
		   "Label: size=4096, 950ms (26.61%)\n"
		   COLS
		   "     950ms 26.61%          0     0%  main\n"
		   "     950ms 26.61%      950ms 26.61%    work\n");
	build(&s, "", "samples", "count");
	assert_int_equal(sb_set(&s.meta.filter, "k=v"), 0);
	s.meta.whole_total = 7;
	check_tree(&s, "Type: samples\nTotal: 7\nLabel: k=v, 0 (0%)\n" COLS);
}

static void test_empty(void **state)
{
	struct pyro_stacks s;

	build(&s, "", "samples", "count");
	check_tree(&s, "Type: samples\nTotal: 0\n" COLS);
}

/* Appends to what the buffer holds; equal input, equal bytes. */
static void test_appends(void **state)
{
	struct pyro_buf a = PYRO_BUF_INIT, b = PYRO_BUF_INIT;
	struct pyro_stacks s;

	build(&s, "x;y 1\nx;z 1\n", "samples", "count");
	assert_int_equal(pyro_buf_puts(&a, "head\n"), 0);
	assert_int_equal(pyro_tree_render(&s, &a), 0);
	assert_int_equal(pyro_tree_render(&s, &b), 0);
	assert_int_equal(a.len, b.len + 5);
	assert_memory_equal(a.data + 5, b.data, b.len);
	pyro_buf_release(&a);
	pyro_buf_release(&b);
	pyro_stacks_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_ties),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_units_merge),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_label),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_appends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
