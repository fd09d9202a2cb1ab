/*
 * test_rules.c - the rules that have one owner (issue 12): merge-rule
 * names and the mean's rounding, the total percentages are of, carrying
 * stacks into another set, array growth, and the escaping of untrusted
 * text (control bytes in text, XML in SVG).  Their callers' own tests
 * (top, tree, flame, merge, diff, labels, timeline) check the output that
 * uses them; these state each rule once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../model/buf.h"
#include "../../model/stacks.h"
#include "../../render/text.h"

static void test_rule_names(void **state)
{
	(void)state;
	assert_string_equal(pyro_merge_rule_name(PYRO_MERGE_SINGLE), "single");
	assert_string_equal(pyro_merge_rule_name(PYRO_MERGE_SUM), "sum");
	assert_string_equal(pyro_merge_rule_name(PYRO_MERGE_INCREASE), "increase");
	assert_string_equal(pyro_merge_rule_name(PYRO_MERGE_MEAN), "mean");
	assert_string_equal(pyro_merge_rule_name((enum pyro_merge_rule)42),
			    "unknown");
}

static void test_mean(void **state)
{
	(void)state;
	assert_int_equal(pyro_merge_mean(10, 4), 3);    /* 2.5 -> 3 */
	assert_int_equal(pyro_merge_mean(9, 4), 2);     /* 2.25 */
	assert_int_equal(pyro_merge_mean(-10, 4), -3);  /* half away from 0 */
	assert_int_equal(pyro_merge_mean(-9, 4), -2);
	assert_int_equal(pyro_merge_mean(INT64_MAX, 2), INT64_MAX / 2 + 1);
	assert_int_equal(pyro_merge_mean(7, 1), 7);
}

static void add(struct pyro_stacks *s, int64_t value, const char *a,
		const char *b)
{
	uint32_t refs[2], depth = 0;

	assert_int_equal(pyro_stacks_frame(s, a, strlen(a), a, strlen(a),
					   &refs[depth++]), 0);
	if (b)
		assert_int_equal(pyro_stacks_frame(s, b, strlen(b), b, strlen(b),
						   &refs[depth++]), 0);
	assert_int_equal(pyro_stacks_add(s, refs, depth, value, NULL), 0);
}

static void test_percent_total(void **state)
{
	struct pyro_stacks s;
	int64_t total = 0;

	(void)state;
	assert_int_equal(pyro_stacks_init(&s), 0);
	add(&s, 30, "main", "a");
	add(&s, -10, "main", "b");
	assert_int_equal(pyro_stacks_percent_total(&s, &total), 0);
	assert_int_equal(total, 40);            /* sum of |value| */
	/* A label node: of the unfiltered node's total. */
	s.meta.filter = strdup("region=eu");
	s.meta.whole_total = 100;
	assert_int_equal(pyro_stacks_percent_total(&s, &total), 0);
	assert_int_equal(total, 100);
	free(s.meta.filter);
	s.meta.filter = NULL;
	/* A diff: of the base's total. */
	s.base = calloc(s.nstacks, sizeof(*s.base));
	assert_non_null(s.base);
	s.meta.base_total = 25;
	assert_int_equal(pyro_stacks_percent_total(&s, &total), 0);
	assert_int_equal(total, 25);
	/* Overflow is an error, whatever the meta says. */
	add(&s, INT64_MAX, "huge", NULL);
	assert_int_equal(pyro_stacks_percent_total(&s, &total), -EOVERFLOW);
	pyro_stacks_release(&s);
}

static void test_import(void **state)
{
	struct pyro_stacks a, b;
	size_t idx[2], k;

	(void)state;
	assert_int_equal(pyro_stacks_init(&a), 0);
	assert_int_equal(pyro_stacks_init(&b), 0);
	add(&a, 5, "main", "shared");
	add(&b, 7, "other", NULL);
	add(&b, 9, "main", "shared");
	assert_int_equal(pyro_stacks_import(&a, &b, idx), 0);
	assert_int_equal(a.nstacks, 2);
	assert_int_equal(idx[1], 0);            /* the stack a had */
	assert_int_equal(idx[0], 1);            /* new, value 0 */
	assert_int_equal(a.stacks[0].value, 5);
	assert_int_equal(a.stacks[1].value, 0);
	for (k = 0; k < 2; k++) {
		const struct pyro_stack *sa = &a.stacks[idx[k]], *sb = &b.stacks[k];
		uint32_t d;

		assert_int_equal(sa->depth, sb->depth);
		for (d = 0; d < sa->depth; d++) {
			struct pyro_str x = pyro_ref_name(&a, pyro_stack_refs(&a, sa)[d]);
			struct pyro_str y = pyro_ref_name(&b, pyro_stack_refs(&b, sb)[d]);

			assert_int_equal(x.len, y.len);
			assert_memory_equal(x.ptr, y.ptr, x.len);
		}
	}
	pyro_stacks_release(&a);
	pyro_stacks_release(&b);
}

static void test_grow_array(void **state)
{
	uint64_t *arr = NULL;
	size_t cap = 0, i;

	(void)state;
	assert_int_equal(pyro_grow_array(&arr, &cap, 1, sizeof(*arr)), 0);
	assert_true(cap >= 1);
	assert_int_equal(pyro_grow_array(&arr, &cap, 1000, sizeof(*arr)), 0);
	assert_true(cap >= 1000);
	for (i = 0; i < 1000; i++)
		arr[i] = i;
	/* Growing keeps what was there; a need within cap changes nothing. */
	assert_int_equal(pyro_grow_array(&arr, &cap, 5000, sizeof(*arr)), 0);
	assert_int_equal(arr[999], 999);
	assert_int_equal(pyro_grow_array(&arr, &cap, 10, sizeof(*arr)), 0);
	assert_true(cap >= 5000);
	/* A size that cannot be allocated: -ENOMEM, the array untouched. */
	i = cap;
	assert_int_equal(pyro_grow_array(&arr, &cap, SIZE_MAX / 4, sizeof(*arr)),
			 -ENOMEM);
	assert_int_equal(cap, i);
	assert_int_equal(arr[999], 999);
	free(arr);
}

static void test_put_safe(void **state)
{
	struct pyro_buf b = PYRO_BUF_INIT;

	(void)state;
	assert_int_equal(pyro_buf_put_safe(&b, "a\nb\x1b[31m\x7f\0z", 11), 0);
	assert_int_equal(b.len, strlen("a\\x0ab\\x1b[31m\\x7f\\x00z"));
	assert_string_equal(b.data, "a\\x0ab\\x1b[31m\\x7f\\x00z");
	pyro_buf_release(&b);
}

static void test_xml(void **state)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	static const char in[] = "<a href='x'>&\"\t\xff\xc3\xa9\xed\xa0\x80]]>";

	(void)state;
	assert_int_equal(pyro_xml_put(&b, in, sizeof(in) - 1), 0);
	/* Specials escaped, tab, a stray byte and a surrogate replaced,
	 * é kept. */
	assert_string_equal(b.data, "&lt;a href=&apos;x&apos;&gt;&amp;&quot;"
			    "\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9"
			    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd]]&gt;");
	assert_int_equal(pyro_xml_char_len((const unsigned char *)"\xc3\xa9", 2), 2);
	assert_int_equal(pyro_xml_char_len((const unsigned char *)"\xc3", 1), 0);
	assert_int_equal(pyro_xml_char_len((const unsigned char *)"\xc0\x80", 2), 0);
	pyro_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule_names),
		cmocka_unit_test(test_mean),
		cmocka_unit_test(test_percent_total),
		cmocka_unit_test(test_import),
		cmocka_unit_test(test_grow_array),
		cmocka_unit_test(test_put_safe),
		cmocka_unit_test(test_xml),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
