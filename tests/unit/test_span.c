/*
 * test_span.c - time names (model/span.c): parsing time points, resolving
 * names to runs of snapshots, and the listed day and hour windows.
 *
 * The series is built by hand (no archive, no I/O); names come from
 * pyro_time_name, except the second snapshot of one second ("...Z-2"):
 *
 *   0  2026-11-23T23-50-00Z
 *   1  2026-11-24T09-59-59Z
 *   2  2026-11-24T10-15-00Z
 *   3  2026-11-24T10-15-00Z-2      (10:15:00.5)
 *   4  2026-11-24T10-45-30Z
 *   5  2026-11-24T11-00-00Z
 *   6  2026-11-25T00-00-00Z        (the newest: last-* windows end here)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../model/source.h"
#include "../../model/span.h"

#define NS 1000000000LL
#define DAY24 1795478400LL              /* 2026-11-24T00:00:00Z, seconds */
#define NSNAPS 7

static const int64_t times[NSNAPS] = {
	(DAY24 - 600) * NS,
	(DAY24 + 9 * 3600 + 59 * 60 + 59) * NS,
	(DAY24 + 10 * 3600 + 15 * 60) * NS,
	(DAY24 + 10 * 3600 + 15 * 60) * NS + NS / 2,
	(DAY24 + 10 * 3600 + 45 * 60 + 30) * NS,
	(DAY24 + 11 * 3600) * NS,
	(DAY24 + 86400) * NS,
};

static struct pyro_point snaps[NSNAPS];
static struct pyro_index_series series = {
	.type = "inuse_space", .sample_type = "inuse_space",
	.sample_unit = "bytes", .points = snaps, .npoints = NSNAPS,
};

static int setup(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NSNAPS; i++) {
		snaps[i].time_nanos = times[i];
		pyro_time_name(times[i], snaps[i].name);
	}
	strcat(snaps[3].name, "-2");
	return 0;
}

/* ---- pyro_span_parse_time ---------------------------------------------- */

static void parses(const char *s, int64_t lo, int64_t hi)
{
	int64_t l = 0, h = 0;
	int rc = pyro_span_parse_time(s, strlen(s), &l, &h);

	if (rc)
		fail_msg("\"%s\": %d", s, rc);
	if (l != lo || h != hi)
		fail_msg("\"%s\": [%lld, %lld], want [%lld, %lld]", s,
			 (long long)l, (long long)h, (long long)lo, (long long)hi);
}

static void rejects(const char *s, size_t len)
{
	int64_t l = 7, h = 7;
	int rc = pyro_span_parse_time(s, len, &l, &h);

	if (rc != -EINVAL)
		fail_msg("\"%.*s\": %d, want -EINVAL", (int)len, s, rc);
}

static void rejects_str(const char *s)
{
	rejects(s, strlen(s));
}

static void test_parse_precisions(void **state)
{
	const int64_t d = DAY24 * NS, h10 = d + 10 * 3600 * NS;

	(void)state;
	parses("2026-11-24", d, d + 86400 * NS - 1);
	parses("2026-11-24T10", h10, h10 + 3600 * NS - 1);
	parses("2026-11-24T10Z", h10, h10 + 3600 * NS - 1);
	parses("2026-11-24t10", h10, h10 + 3600 * NS - 1);
	parses("2026-11-24T10-15", h10 + 900 * NS, h10 + 960 * NS - 1);
	parses("2026-11-24T10:15", h10 + 900 * NS, h10 + 960 * NS - 1);
	parses("2026-11-24T10-15Z", h10 + 900 * NS, h10 + 960 * NS - 1);
	parses("2026-11-24T10-15-30", h10 + 930 * NS, h10 + 931 * NS - 1);
	parses("2026-11-24T10-15-30Z", h10 + 930 * NS, h10 + 931 * NS - 1);
	parses("2026-11-24T10:15:30Z", h10 + 930 * NS, h10 + 931 * NS - 1);
	parses("2026:11:24T10:15:30", h10 + 930 * NS, h10 + 931 * NS - 1);
	parses("2026-11-24T23-59-59Z", d + 86399 * NS, d + 86400 * NS - 1);
	parses("1970-01-01", 0, 86400 * NS - 1);
	parses("1969-12-31T23-59-59", -NS, -1);
	parses("2028-02-29", 1835395200LL * NS, 1835481600LL * NS - 1);
	/* The edges of int64 nanoseconds: a period beyond them ends there. */
	parses("2262-04-11", 9223286400LL * NS, INT64_MAX);
	parses("1677-09-22", -9223286400LL * NS, -9223200000LL * NS - 1);
	/* len bounds the text: the rest is not looked at. */
	{
		int64_t l, h;

		assert_int_equal(pyro_span_parse_time("2026-11-24T10xyz", 13, &l, &h), 0);
		assert_int_equal(l, h10);
	}
}

static void test_parse_invalid(void **state)
{
	static const char *const bad[] = {
		"", "Z", "T", "garbage", "2026", "2026-11", "2026-11-",
		"2026-1-24", "26-11-24", "2026/11/24", "2026-11-24 10",
		"2026-02-31", "2026-02-29", "2026-04-31", "2026-00-10",
		"2026-13-01", "2026-11-00", "2026-11-32", "2026-11-24T24",
		"2026-11-24T10-60", "2026-11-24T10-15-60", "2026-11-24T23-59-60",
		"2026-11-24T10-15-99", "2026-11-24T", "2026-11-24T1",
		"2026-11-24T10-", "2026-11-24T10-1", "2026-11-24T10-15-",
		"2026-11-24T10-15-3", "2026-11-24T101530", "2026-11-24T10-15-30-00",
		"2026-11-24T10-15-30.5Z", "2026-11-24x", "2026-11-24T10-15-30Zx",
		"2026-11-24T10-15-30ZZ", "2026-11-24..", "x2026-11-24",
		" 2026-11-24", "2026-11-24 ", "-2026-11-24", "+026-11-24",
		"99999-11-24", "2026-111-24", "2026-11-244",
		"2026-11-24T99999999999999999999",
		"9999-12-31", "0000-01-01", "1677-09-21", "2262-04-12",
		"2026-11-24T10-15-30Z-2", "latest", "all",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		rejects_str(bad[i]);
	/* A NUL inside the given length is junk too. */
	rejects("2026-11-24\0", 11);
	rejects("2026\0-11-24", 11);
}

/* ---- pyro_span_resolve --------------------------------------------------- */

/* name resolves to kind, first, count, has_baseline. */
static void resolves(const char *name, enum pyro_span_kind kind, size_t first,
		     size_t count, int has_baseline)
{
	struct pyro_span sp;
	int rc = pyro_span_resolve(&series, name, &sp);

	if (rc)
		fail_msg("\"%s\": %d", name, rc);
	if (sp.kind != kind || sp.first != first || sp.count != count ||
	    sp.has_baseline != has_baseline)
		fail_msg("\"%s\": kind %d first %zu count %zu baseline %d, want "
			 "%d %zu %zu %d", name, sp.kind, sp.first, sp.count,
			 sp.has_baseline, kind, first, count, has_baseline);
}

static void window(const char *name, size_t first, size_t count)
{
	resolves(name, PYRO_SPAN_WINDOW, first, count, first > 0);
}

static void enoent(const char *name)
{
	struct pyro_span sp;
	int rc = pyro_span_resolve(&series, name, &sp);

	if (rc != -ENOENT)
		fail_msg("\"%s\": %d (first %zu count %zu), want -ENOENT", name,
			 rc, sp.first, sp.count);
}

static void test_names(void **state)
{
	size_t i;

	(void)state;
	assert_string_equal(snaps[0].name, "2026-11-23T23-50-00Z");
	assert_string_equal(snaps[3].name, "2026-11-24T10-15-00Z-2");
	assert_string_equal(snaps[6].name, "2026-11-25T00-00-00Z");
	for (i = 0; i < NSNAPS; i++)
		resolves(snaps[i].name, PYRO_SPAN_SNAPSHOT, i, 1, 0);
	resolves("latest", PYRO_SPAN_RELATIVE, 6, 1, 0);
	resolves("all", PYRO_SPAN_ALL, 0, NSNAPS, 0);
	enoent("2026-11-24T10-15-00Z-3");
	enoent("Latest");
	enoent("ALL");
	enoent("latest/");
}

/* Relative names: one snapshot, counted or timed back from the newest. */
static void test_relative(void **state)
{
	(void)state;
	resolves("prev", PYRO_SPAN_RELATIVE, 5, 1, 0);
	resolves("first", PYRO_SPAN_RELATIVE, 0, 1, 0);
	resolves("latest~0", PYRO_SPAN_RELATIVE, 6, 1, 0);
	resolves("latest~1", PYRO_SPAN_RELATIVE, 5, 1, 0);
	resolves("latest~6", PYRO_SPAN_RELATIVE, 0, 1, 0);
	resolves("latest~0006", PYRO_SPAN_RELATIVE, 0, 1, 0);
	enoent("latest~7");
	enoent("latest~99999999999999999999999");
	/* The nearest snapshot to newest - d (newest: 2026-11-25T00:00). */
	resolves("latest-24h", PYRO_SPAN_RELATIVE, 0, 1, 0);
	resolves("latest-1d", PYRO_SPAN_RELATIVE, 0, 1, 0);
	resolves("latest-13h", PYRO_SPAN_RELATIVE, 5, 1, 0);
	resolves("latest-14h", PYRO_SPAN_RELATIVE, 1, 1, 0);
	resolves("latest-795m", PYRO_SPAN_RELATIVE, 4, 1, 0);
	resolves("latest-1s", PYRO_SPAN_RELATIVE, 6, 1, 0);
	resolves("latest-7w", PYRO_SPAN_RELATIVE, 0, 1, 0);
	resolves("latest-99999999999999999999d", PYRO_SPAN_RELATIVE, 0, 1, 0);
	/* 17:30 is as near 11:00 as the next 00:00: the older wins. */
	resolves("latest-390m", PYRO_SPAN_RELATIVE, 5, 1, 0);
	/* As range ends. */
	window("prev..latest", 5, 2);
	window("latest-24h..prev", 0, 6);
	window("latest~4..latest~3", 2, 2);
	enoent("latest~1..latest~2");
	enoent("latest~");
	enoent("latest~-1");
	enoent("latest~1x");
	enoent("latest-0h");
	enoent("latest-");
	enoent("latest-5");
	enoent("latest-5y");
	enoent("latest--1h");
	enoent("latest-1h ");
	enoent("Prev");
	enoent("prev~1");
	enoent("first-1h");
}

static void test_day_hour_windows(void **state)
{
	(void)state;
	window("2026-11-23", 0, 1);
	window("2026-11-24", 1, 5);
	window("2026-11-25", 6, 1);
	enoent("2026-11-22");
	enoent("2026-11-26");
	window("2026-11-23T23", 0, 1);
	window("2026-11-24T09", 1, 1);
	window("2026-11-24T10", 2, 3);
	window("2026-11-24T11", 5, 1);
	window("2026-11-25T00", 6, 1);
	enoent("2026-11-24T12");
	enoent("2026-11-24T08");
	/* Finer periods resolve on lookup; colons work too. */
	window("2026-11-24T10-15", 2, 2);
	window("2026-11-24T10:15", 2, 2);
	window("2026-11-24T10-45", 4, 1);
	enoent("2026-11-24T10-16");
	/* A second that is not a snapshot name is the window of that second;
	 * with the Z it is the snapshot itself. */
	window("2026-11-24T10-15-00", 2, 2);
	window("2026-11-24T10-45-30", 4, 1);
	resolves("2026-11-24T10-45-30Z", PYRO_SPAN_SNAPSHOT, 4, 1, 0);
	enoent("2026-11-24T10-45-31Z");
	enoent("2026-02-31");
}

static void test_ranges(void **state)
{
	(void)state;
	/* Snapshot-name ends: inclusive. */
	window("2026-11-24T09-59-59Z..2026-11-24T10-15-00Z-2", 1, 3);
	window("2026-11-24T10-15-00Z..2026-11-24T10-15-00Z", 2, 1);
	window("2026-11-24T10-15-00Z-2..2026-11-24T10-15-00Z-2", 3, 1);
	window("2026-11-23T23-50-00Z..latest", 0, NSNAPS);
	window("2026-11-24T10-15-00Z..latest", 2, 5);
	window("latest..latest", 6, 1);
	window("latest..2026-11-25", 6, 1);
	/* Time ends cover their whole period. */
	window("2026-11-24..2026-11-25", 1, 6);
	window("2026-11-24..2026-11-24", 1, 5);
	window("2026-11-23..2026-11-24T09", 0, 2);
	window("2026-11-24T10..2026-11-24T10", 2, 3);
	window("2026-11-24T10-15..2026-11-24T10-45", 2, 3);
	window("2026-11-24T10:15..2026-11-24T10:45", 2, 3);
	window("2026-11-24T10-15-00..2026-11-24T10-45-29", 2, 2);
	window("2026-11-24T10-15-00Z..2026-11-24T10-45-30", 2, 3);
	window("2026-11-24T10-15-01..2026-11-24T10-45-30Z", 4, 1);
	window("2026-11-24T10-15-00..2026-11-24T10-15-00", 2, 2);
	/* Ends beyond the data clip to it. */
	window("2000-01-01..2030-12-31", 0, NSNAPS);
	window("2000-01-01..2026-11-23", 0, 1);
	window("2026-11-24T11..2099-01-01", 5, 2);
	window("2026-11-24T10-15-00Z-2..2262-04-11", 3, 4);
	/* Reversed and empty ranges. */
	enoent("latest..2026-11-24");
	enoent("2026-11-24T11..2026-11-24T10");
	enoent("2026-11-24T10-45-30Z..2026-11-24T10-15-00Z");
	enoent("2026-11-24T12..2026-11-24T13");
	enoent("2026-11-26..2026-11-30");
	enoent("2000-01-01..2000-01-02");
	/* Malformed. */
	enoent("..");
	enoent("...");
	enoent("a..");
	enoent("..b");
	enoent("x..y");
	enoent("all..latest");
	enoent("latest..all");
	enoent("2026-11-24..");
	enoent("..2026-11-24");
	enoent("2026-11-24...2026-11-25");
	enoent("2026-11-24..2026-11-25..2026-11-26");
	enoent("2026-02-31..2026-11-25");
	enoent("2026-11-24..2026-13-01");
	enoent("2026-11-24 ..2026-11-25");
	enoent("last-1h..latest");
}

static void test_last(void **state)
{
	(void)state;
	/* (newest - d, newest]; newest is 2026-11-25T00:00:00Z. */
	window("last-1s", 6, 1);
	window("last-15m", 6, 1);
	window("last-1h", 6, 1);
	window("last-13h", 6, 1);               /* 11:00 is the open end */
	window("last-46801s", 5, 2);            /* 13 h + 1 s */
	window("last-781m", 5, 2);
	window("last-14h", 2, 5);               /* 09:59:59 is before 10:00 */
	window("last-1d", 1, 6);                /* 2026-11-24T00 excluded */
	window("last-24h", 1, 6);
	window("last-1450m", 1, 6);             /* 23:50 is the open end */
	window("last-1451m", 0, NSNAPS);
	window("last-2d", 0, NSNAPS);
	window("last-1w", 0, NSNAPS);
	window("last-0014h", 2, 5);
	/* Far too long: the whole series, with no overflow. */
	window("last-15251w", 0, NSNAPS);
	window("last-1000000000w", 0, NSNAPS);
	window("last-99999999999w", 0, NSNAPS);
	window("last-99999999999s", 0, NSNAPS);
	window("last-9223372036854775807s", 0, NSNAPS);
	window("last-9223372036854775808d", 0, NSNAPS);
	window("last-100000000000000000000000000000000000000000h", 0, NSNAPS);
	/* Malformed. */
	enoent("last-0h");
	enoent("last-000s");
	enoent("last-h");
	enoent("last-");
	enoent("last-1");
	enoent("last-1x");
	enoent("last-1H");
	enoent("last-1hh");
	enoent("last-1h ");
	enoent("last--1h");
	enoent("last-+1h");
	enoent("last- 1h");
	enoent("last-1.5h");
	enoent("last-1h-");
	enoent("last1h");
	enoent("Last-1h");
	enoent("last-99999999999");
}

static void test_malformed(void **state)
{
	char junk[301];
	size_t i;

	(void)state;
	enoent("");
	enoent("x");
	enoent("diff");
	enoent("timeline.txt");
	enoent(".");
	enoent("2026-11-24T10-15-00Z ");
	enoent("2026-11-24T10-15-00z");
	for (i = 0; i < 300; i++)
		junk[i] = (char)('!' + (i * 7) % 90);
	junk[300] = '\0';
	enoent(junk);
	memset(junk, '.', 300);
	enoent(junk);
	memcpy(junk, "2026-11-24..", 12);
	memset(junk + 12, '9', 288);
	enoent(junk);
	memcpy(junk, "last-", 5);
	memset(junk + 5, 'h', 295);
	enoent(junk);
	/* 300 bytes, but a well-formed last-N: the whole series. */
	memset(junk + 5, '9', 294);
	junk[299] = 'm';
	window(junk, 0, NSNAPS);
	/* All bytes, one at a time, after a valid prefix. */
	for (i = 1; i < 256; i++) {
		char name[32];

		snprintf(name, sizeof(name), "2026-11-24T10%c", (char)i);
		if (i != 'Z' && i != 'z')
			enoent(name);
	}
	enoent("2026-11-24T10z");
}

/* A series without snapshots resolves nothing. */
static void test_empty_series(void **state)
{
	struct pyro_index_series none = { .type = "cpu", .npoints = 0 };
	static const char *const names[] = {
		"all", "latest", "2026-11-24", "last-1h", "2026-11-24..latest",
		"",
	};
	struct pyro_span sp;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_int_equal(pyro_span_resolve(&none, names[i], &sp), -ENOENT);
}

/* One snapshot: its day and hour have no baseline. */
static void test_single_snapshot(void **state)
{
	struct pyro_index_series one = series;
	struct pyro_span sp;

	(void)state;
	one.points = &snaps[4];
	one.npoints = 1;
	assert_int_equal(pyro_span_resolve(&one, "2026-11-24T10", &sp), 0);
	assert_int_equal(sp.kind, PYRO_SPAN_WINDOW);
	assert_int_equal(sp.first, 0);
	assert_int_equal(sp.count, 1);
	assert_int_equal(sp.has_baseline, 0);
	assert_int_equal(pyro_span_resolve(&one, "last-1s", &sp), 0);
	assert_int_equal(sp.count, 1);
	assert_int_equal(pyro_span_resolve(&one, "latest", &sp), 0);
	assert_int_equal(sp.kind, PYRO_SPAN_RELATIVE);
	assert_int_equal(sp.first, 0);
	/* Nothing before the only snapshot; first and a day back are it. */
	assert_int_equal(pyro_span_resolve(&one, "prev", &sp), -ENOENT);
	assert_int_equal(pyro_span_resolve(&one, "latest~1", &sp), -ENOENT);
	assert_int_equal(pyro_span_resolve(&one, "first", &sp), 0);
	assert_int_equal(sp.first, 0);
	assert_int_equal(pyro_span_resolve(&one, "latest-24h", &sp), 0);
	assert_int_equal(sp.first, 0);
}

/* ---- pyro_span_windows --------------------------------------------------- */

struct collect {
	char text[1024];
	int calls;
	int stop_after;         /* return 5 at this call (1-based); 0 never */
};

static int collect(void *ctx, const char *name)
{
	struct collect *c = ctx;

	strcat(c->text, name);
	strcat(c->text, "\n");
	c->calls++;
	return c->calls == c->stop_after ? 5 : 0;
}

static void test_windows(void **state)
{
	struct collect c = { "", 0, 0 };
	struct pyro_index_series none = { .type = "cpu", .npoints = 0 };

	(void)state;
	assert_int_equal(pyro_span_windows(&series, collect, &c), 0);
	assert_string_equal(c.text,
			    "2026-11-23\n"
			    "2026-11-24\n"
			    "2026-11-25\n"
			    "2026-11-23T23\n"
			    "2026-11-24T09\n"
			    "2026-11-24T10\n"
			    "2026-11-24T11\n"
			    "2026-11-25T00\n");
	/* Each listed window resolves to a window of snapshots. */
	window("2026-11-23T23", 0, 1);
	/* fn's non-zero return stops the walk and is returned. */
	memset(&c, 0, sizeof(c));
	c.stop_after = 4;
	assert_int_equal(pyro_span_windows(&series, collect, &c), 5);
	assert_int_equal(c.calls, 4);
	assert_string_equal(c.text, "2026-11-23\n2026-11-24\n2026-11-25\n"
			    "2026-11-23T23\n");
	memset(&c, 0, sizeof(c));
	assert_int_equal(pyro_span_windows(&none, collect, &c), 0);
	assert_int_equal(c.calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_precisions),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_relative),
		cmocka_unit_test(test_day_hour_windows),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_last),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_empty_series),
		cmocka_unit_test(test_single_snapshot),
		cmocka_unit_test(test_windows),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
