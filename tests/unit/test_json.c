/*
 * test_json.c - the pull reader of JSON (model/json.c): strings with
 * escapes, numbers, skipping, and where errors point.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "../../model/json.h"

static void test_walk(void **state)
{
	static const char in[] =
		" {\"a\" : [1, -2, 3.5e1, {\"x\": [[]]}, \"s\\\"\\n\\u00e9\\ud83d\\ude00\"],"
		" \"b\": true, \"c\": null, \"d\": \"\\ud800x\"} trailing";
	struct pyro_json j;
	struct pyro_buf s = PYRO_BUF_INIT;
	size_t m = 0, k = 0, klen;
	const char *key;
	int64_t i;
	double d;

	(void)state;
	pyro_json_init(&j, in, sizeof(in) - 1);
	assert_int_equal(pyro_json_peek(&j), PYRO_JSON_OBJECT);
	assert_int_equal(pyro_json_enter(&j, '{'), 0);
	assert_int_equal(pyro_json_member(&j, &m, &key, &klen), 1);
	assert_true(pyro_json_key_is(key, klen, "a"));
	assert_int_equal(pyro_json_enter(&j, '['), 0);
	assert_int_equal(pyro_json_item(&j, &k), 1);
	assert_int_equal(pyro_json_int(&j, &i), 0);
	assert_int_equal(i, 1);
	assert_int_equal(pyro_json_item(&j, &k), 1);
	assert_int_equal(pyro_json_int(&j, &i), 0);
	assert_int_equal(i, -2);
	assert_int_equal(pyro_json_item(&j, &k), 1);
	assert_int_equal(pyro_json_int(&j, &i), 0);       /* 3.5e1 is 35 */
	assert_int_equal(i, 35);
	assert_int_equal(pyro_json_item(&j, &k), 1);
	assert_int_equal(pyro_json_skip(&j), 0);
	assert_int_equal(pyro_json_item(&j, &k), 1);
	assert_int_equal(pyro_json_string(&j, &s), 0);
	assert_string_equal(s.data, "s\"\n\xc3\xa9\xf0\x9f\x98\x80");
	assert_int_equal(pyro_json_item(&j, &k), 0);
	assert_int_equal(pyro_json_member(&j, &m, &key, &klen), 1);
	assert_int_equal(pyro_json_peek(&j), PYRO_JSON_BOOL);
	assert_int_equal(pyro_json_skip(&j), 0);
	assert_int_equal(pyro_json_member(&j, &m, &key, &klen), 1);
	assert_int_equal(pyro_json_peek(&j), PYRO_JSON_NULL);
	assert_int_equal(pyro_json_double(&j, &d), -EINVAL);
	assert_string_equal(j.why, "expected a number");
	pyro_json_init(&j, in, sizeof(in) - 1);
	m = 0;
	assert_int_equal(pyro_json_enter(&j, '{'), 0);
	while (pyro_json_member(&j, &m, &key, &klen) == 1 &&
	       !pyro_json_key_is(key, klen, "d"))
		assert_int_equal(pyro_json_skip(&j), 0);
	assert_int_equal(pyro_json_string(&j, &s), 0);
	assert_string_equal(s.data, "\xef\xbf\xbdx");   /* lone surrogate */
	pyro_buf_release(&s);
}

static void test_errors(void **state)
{
	struct pyro_json j;
	size_t m = 0, klen;
	const char *key;
	int64_t i;

	(void)state;
	pyro_json_init(&j, "{\"a\" 1}", 7);
	assert_int_equal(pyro_json_enter(&j, '{'), 0);
	assert_int_equal(pyro_json_member(&j, &m, &key, &klen), -EINVAL);
	assert_string_equal(j.why, "expected ':'");
	assert_int_equal(pyro_json_offset(&j), 5);
	pyro_json_init(&j, "[1 2]", 5);
	m = 0;
	assert_int_equal(pyro_json_enter(&j, '['), 0);
	assert_int_equal(pyro_json_item(&j, &m), 1);
	assert_int_equal(pyro_json_int(&j, &i), 0);
	assert_int_equal(pyro_json_item(&j, &m), -EINVAL);
	assert_string_equal(j.why, "expected ','");
	pyro_json_init(&j, "1.5", 3);
	assert_int_equal(pyro_json_int(&j, &i), -EINVAL);
	assert_string_equal(j.why, "expected an integer");
	pyro_json_init(&j, "1e300", 5);
	assert_int_equal(pyro_json_int(&j, &i), -EINVAL);
	/* 19 digits: exact while they fit (not through a double), refused
	 * past INT64_MAX; the fuzzer found the overflow of 10 x 18 digits. */
	pyro_json_init(&j, "9223372036854775807", 19);
	assert_int_equal(pyro_json_int(&j, &i), 0);
	assert_true(i == INT64_MAX);
	pyro_json_init(&j, "-1234567890123456789", 20);
	assert_int_equal(pyro_json_int(&j, &i), 0);
	assert_true(i == -1234567890123456789LL);
	pyro_json_init(&j, "9999999999999999999", 19);
	assert_int_equal(pyro_json_int(&j, &i), -EINVAL);
	pyro_json_init(&j, "[[[", 3);
	assert_int_equal(pyro_json_skip(&j), -EINVAL);
	assert_string_equal(j.why, "truncated");
	pyro_json_init(&j, "]", 1);
	assert_int_equal(pyro_json_skip(&j), -EINVAL);
	pyro_json_init(&j, "tru", 3);
	assert_int_equal(pyro_json_skip(&j), -EINVAL);
	assert_string_equal(j.why, "bad literal");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
