/*
 * test_timefmt.c - time directory names and times in file names
 * (model/timefmt.c).  Expected values were computed with `date -u`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "../../model/timefmt.h"

#define SEC 1000000000LL
#define T_2026_11_24_101500 1795515300LL   /* 2026-11-24T10:15:00Z */

static const char *name_of(int64_t nanos)
{
	static char out[PYRO_TIME_NAME_MAX];

	pyro_time_name(nanos, out);
	return out;
}

static void test_time_name(void **state)
{
	assert_string_equal(name_of(0), "1970-01-01T00-00-00Z");
	assert_string_equal(name_of(1795664261 * SEC), "2026-11-26T03-37-41Z");
	/* Fractions are truncated, also before the epoch. */
	assert_string_equal(name_of(1795664261 * SEC + 999999999),
			    "2026-11-26T03-37-41Z");
	assert_string_equal(name_of(T_2026_11_24_101500 * SEC), "2026-11-24T10-15-00Z");
	assert_string_equal(name_of(-1), "1969-12-31T23-59-59Z");
	assert_string_equal(name_of(-SEC), "1969-12-31T23-59-59Z");
}

/* Parse base; expect success and nanos. */
static void check(const char *base, int64_t nanos)
{
	int64_t got = -1;

	if (pyro_time_from_filename(base, &got) != 0)
		fail_msg("no time found in \"%s\"", base);
	if (got != nanos)
		fail_msg("\"%s\": got %lld, want %lld", base, (long long)got,
			 (long long)nanos);
}

static void check_none(const char *base)
{
	int64_t got = 12345;

	assert_int_equal(pyro_time_from_filename(base, &got), -ENOENT);
	assert_int_equal(got, 12345);
}

static void test_unix_digits(void **state)
{
	check("cpu-1795664261.pb.gz", 1795664261 * SEC);
	check("cpu-1795664261123.pb.gz", 1795664261123000000LL);
	check("cpu-1795664261123456.pb.gz", 1795664261123456000LL);
	check("cpu-1795664261123456789.pb.gz", 1795664261123456789LL);
	check("1795664261", 1795664261 * SEC);
	/* The first run of a valid length wins. */
	check("v12-cpu-1795664261-7.pb.gz", 1795664261 * SEC);
}

static void test_iso(void **state)
{
	const int64_t t = T_2026_11_24_101500 * SEC;

	check("heap-2026-11-24T10:15:00Z.pb.gz", t);
	check("heap-2026-11-24T10-15-00Z.pb.gz", t);
	check("2026-11-24T10-15-00Z", t);
	check("20261124T101500Z", t);
	check("cpu_20261124T101500Z.pprof", t);
	check("2026-11-24T10:15:00.25Z", t + 250000000);
	check("2026-11-24T10:15:00,5Z", t + 500000000);
	check("2026-11-24T10:15:00.123456789123Z", t + 123456789);
	check("2026-11-24T12:15:00+02:00", t);
	check("2026-11-24T12:15:00.5+02:00.pb.gz", t + 500000000);
	check("2026-11-24T08:45:00-0130", t);
	/* Without a zone: UTC. */
	check("2026-11-24T10:15:00", t);
}

static void test_no_time(void **state)
{
	check_none("profile");
	check_none("heap.pprof");
	check_none("");
	check_none("run-12345.pb.gz");          /* too few digits */
	check_none("run-12345678901.pb.gz");    /* 11 digits: no unit */
	check_none("cpu-0000000001.pb.gz");     /* before 2001-09-09 */
	check_none("cpu-99999999999999999999.pb.gz");   /* 20 digits */
	check_none("2026-13-24T10:15:00Z");     /* month 13 */
	check_none("2026-11-24");               /* a date without time */
	/* What does not exist is no time (span.c's range ends agree). */
	check_none("2026-02-31T10:15:00Z");     /* Feb 31 */
	check_none("2026-11-24T10:15:60Z");     /* second 60 */
	check_none("20260229T101500Z");         /* 2026 is no leap year */
}

/* One parser, two spellings: both reject the same impossible times. */
static void test_iso_forms(void **state)
{
	static const char *const impossible[] = {
		"2026-02-31T10-15-00", "2026-04-31T10-15-00",
		"2026-11-24T10-15-60", "2026-11-24T24-00-00",
		"2026-13-01T00-00-00", "9999-12-31T00-00-00",
	};
	struct pyro_iso_time t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(impossible) / sizeof(impossible[0]); i++) {
		const char *s = impossible[i];

		assert_int_equal(pyro_iso_parse(s, strlen(s), PYRO_ISO_FILE, &t),
				 -EINVAL);
		assert_int_equal(pyro_iso_parse(s, strlen(s), PYRO_ISO_SPAN, &t),
				 -EINVAL);
	}
	assert_int_equal(pyro_iso_parse("2026-11-24T10-15-00Z", 20,
					PYRO_ISO_SPAN, &t), 0);
	assert_int_equal(t.nanos, T_2026_11_24_101500 * SEC);
	assert_int_equal(t.width_secs, 1);
	assert_int_equal(pyro_iso_parse("2026-11-24T10-15-00Z.pb", 23,
					PYRO_ISO_FILE, &t), 0);
	assert_int_equal(t.nanos, T_2026_11_24_101500 * SEC);
	assert_int_equal(t.used, 19);
	/* A file name's time is whole to the second; a range end need not be. */
	assert_int_equal(pyro_iso_parse("2026-11-24T10", 13, PYRO_ISO_FILE, &t),
			 -EINVAL);
	assert_int_equal(pyro_iso_parse("2026-11-24T10", 13, PYRO_ISO_SPAN, &t), 0);
	assert_int_equal(t.width_secs, 3600);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_name),
		cmocka_unit_test(test_unix_digits),
		cmocka_unit_test(test_iso),
		cmocka_unit_test(test_no_time),
		cmocka_unit_test(test_iso_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
