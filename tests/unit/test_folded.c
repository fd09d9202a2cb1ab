/*
 * test_folded.c - collapsed stacks (render/folded.c): exact bytes.
 *
 * Stacks are built with tests/support/stacks_builder.h, or frame by frame
 * where a name holds bytes that format cannot write (';', newlines, NUL).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "../../render/render.h"
#include "../support/stacks_builder.h"

/* Render s, compare with expected (len bytes), release s. */
static void check_n(struct pyro_stacks *s, const char *expected, size_t len)
{
	struct pyro_buf out = PYRO_BUF_INIT;

	assert_int_equal(pyro_folded_render(s, &out), 0);
	assert_int_equal(out.len, len);
	if (len)
		assert_memory_equal(out.data, expected, len);
	pyro_buf_release(&out);
	pyro_stacks_release(s);
}

static void check_text(const char *text, const char *expected)
{
	struct pyro_stacks s;

	assert_int_equal(sb_build(&s, text), 0);
	check_n(&s, expected, strlen(expected));
}

/* Bytewise: a prefix first, '-' (0x2d) before ';' (0x3b) before 'a'. */
static void test_sorted(void **state)
{
	check_text("b;c 1\n"
		   "a;b 3\n"
		   "a 2\n"
		   "a-z 4\n"
		   "B 5\n"
		   "a;b;c 6\n",
		   "B 5\n"
		   "a 2\n"
		   "a-z 4\n"
		   "a;b 3\n"
		   "a;b;c 6\n"
		   "b;c 1\n");
}

/* Stacks that differ only in inline flags or node names fold together. */
static void test_merge_equal_lines(void **state)
{
	check_text("main;^foo 2\n"
		   "main;foo 3\n"
		   "0x4f=[api] 1\n"
		   "0x4f=<unknown> 2\n"
		   "main;^foo;bar 1\n"
		   "main;foo;^bar 1\n",
		   "0x4f 3\n"
		   "main;foo 5\n"
		   "main;foo;bar 2\n");
}

/* Zero sums are left out: a zero stack, and lines that cancel. */
static void test_zero_sums(void **state)
{
	check_text("a 0\n"
		   "b;^c 2\n"
		   "b;c -2\n"
		   "d -3\n"
		   "e 1\n",
		   "d -3\n"
		   "e 1\n");
}

/* An empty stack is a line of just " VALUE"; it sorts first. */
static void test_empty_stack(void **state)
{
	check_text("a 1\n 7\n", " 7\na 1\n");
}

static void test_empty_input(void **state)
{
	struct pyro_stacks s;

	assert_int_equal(pyro_stacks_init(&s), 0);
	check_n(&s, "", 0);
	check_text("zero 0\n", "");
}

/* ';' and control bytes become \xNN; other bytes pass through. */
static void test_escaping(void **state)
{
	static const char nul_name[] = { 'n', '\0', 'l' };
	static const char expected[] =
		"a\\x3bb;x 1\n"
		"line\\x0abreak;tab\\x09 2\n"
		"n\\x00l 4\n"
		"utf8 \xc3\xa9 (x);del\\x7f\\x1f 3\n";
	struct pyro_stacks s;
	uint32_t f[8];

	assert_int_equal(pyro_stacks_init(&s), 0);
	assert_int_equal(pyro_stacks_frame(&s, "a;b", 3, "a;b", 3, &f[0]), 0);
	assert_int_equal(pyro_stacks_frame(&s, "x", 1, "x", 1, &f[1]), 0);
	assert_int_equal(pyro_stacks_add(&s, f, 2, 1, NULL), 0);
	assert_int_equal(pyro_stacks_frame(&s, "line\nbreak", 10, "n", 1, &f[0]), 0);
	assert_int_equal(pyro_stacks_frame(&s, "tab\t", 4, "t", 1, &f[1]), 0);
	assert_int_equal(pyro_stacks_add(&s, f, 2, 2, NULL), 0);
	assert_int_equal(pyro_stacks_frame(&s, "utf8 \xc3\xa9 (x)", 11, "u", 1,
					   &f[0]), 0);
	assert_int_equal(pyro_stacks_frame(&s, "del\x7f\x1f", 5, "d", 1, &f[1]), 0);
	assert_int_equal(pyro_stacks_add(&s, f, 2, 3, NULL), 0);
	assert_int_equal(pyro_stacks_frame(&s, nul_name, 3, "n", 1, &f[0]), 0);
	assert_int_equal(pyro_stacks_add(&s, f, 1, 4, NULL), 0);
	check_n(&s, expected, sizeof(expected) - 1);
}

/* Appends to what the buffer holds. */
static void test_appends(void **state)
{
	struct pyro_buf out = PYRO_BUF_INIT;
	struct pyro_stacks s;

	assert_int_equal(pyro_buf_puts(&out, "# head\n"), 0);
	assert_int_equal(sb_build(&s, "x;y 9\n"), 0);
	assert_int_equal(pyro_folded_render(&s, &out), 0);
	assert_string_equal(out.data, "# head\nx;y 9\n");
	pyro_buf_release(&out);
	pyro_stacks_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted),
		cmocka_unit_test(test_merge_equal_lines),
		cmocka_unit_test(test_zero_sums),
		cmocka_unit_test(test_empty_stack),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_appends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
