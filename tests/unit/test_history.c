/*
 * test_history.c - a series over time (model/history.c): per-snapshot
 * totals and per-function figures, built from real profiles.
 *
 * The group setup writes one archive (removed by the group teardown).  T0 =
 * 1795515300 = 2026-11-24T10:15:00Z; snapshot i is at T0 + i hours.
 *
 *   leaky    Go heap x5      inuse_space (alloc_* and inuse_objects hold
 *                            other numbers):
 *                              main;leak        100 200 300 400 500
 *                              main;steady       50  50  50  50  50
 *                              main;churn        10  40  20  30  10
 *                              main;late;grow     -   -   5   6   8
 *   recur    inuse_space x2  main;r;r 10 | main;r;r 30, main;r 5
 *   broken   inuse_space x3  main;a 10 | (sample references location 99:
 *                            the header reads, the decode fails) | main;a 30
 *   gone     inuse_space x2  both like broken's second
 *   long     inuse_space x99 main;hold;leak 10 i (snapshot i, every
 *                            minute), main;hot;spike 1000 at even i, 0 at
 *                            odd, main;hot;spike;deep 7 at the last
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../model/archive.h"
#include "../../model/history.h"
#include "../../render/render.h"
#include "../support/fixture.h"

#define SEC 1000000000LL
#define HOUR (3600 * SEC)
#define T0 1795515300LL

/* ---- the archive ------------------------------------------------------- */

static struct mkprof *go_heap(int i)
{
	struct mkprof *p = mkprof_go_heap(T0 * SEC + i * HOUR);

	mkprof_mapping(p, "/usr/bin/leaky");
	return p;
}

static struct mkprof *inuse(int i)
{
	struct mkprof *p = mkprof_new();

	mkprof_sample_type(p, "inuse_space", "bytes");
	mkprof_time(p, T0 * SEC + i * HOUR);
	return p;
}

static struct mkprof *corrupt(int i)
{
	struct mkprof *p = inuse(i);

	mkprof_sample(p, (int64_t[]){ 1 }, "main;a");
	mkprof_message(p)->sample[0]->location_id[0] = 99;
	return p;
}

/* Write p as ROOT/svc/heap-<T0 + 3600 i>.pb.gz and free it. */
static int put(struct fixture *f, struct mkprof *p, const char *svc, int i)
{
	return fixture_putf(f, p, 1, "%s/heap-%lld.pb.gz", svc, T0 + 3600LL * i);
}

static int write_archive(struct fixture *f)
{
	static const int64_t leak[] = { 100, 200, 300, 400, 500 };
	static const int64_t churn[] = { 10, 40, 20, 30, 10 };
	static const int64_t grow[] = { 0, 0, 5, 6, 8 };
	struct mkprof *p;
	int i, rc = 0;

	for (i = 0; i < 5; i++) {
		p = go_heap(i);
		mkprof_sample(p, (int64_t[]){ i + 1, 1000 * (i + 1), 1, leak[i] },
			      "main;leak");
		mkprof_sample(p, (int64_t[]){ 3, 3000, 2, 50 }, "main;steady");
		mkprof_sample(p, (int64_t[]){ 9, 9000, 4, churn[i] }, "main;churn");
		if (grow[i])
			mkprof_sample(p, (int64_t[]){ 1, 1, 1, grow[i] },
				      "main;late;grow");
		if (put(f, p, "leaky", i))
			rc = -1;
	}
	p = inuse(0);
	mkprof_sample(p, (int64_t[]){ 10 }, "main;r;r");
	if (put(f, p, "recur", 0))
		rc = -1;
	p = inuse(1);
	mkprof_sample(p, (int64_t[]){ 30 }, "main;r;r");
	mkprof_sample(p, (int64_t[]){ 5 }, "main;r");
	if (put(f, p, "recur", 1))
		rc = -1;

	p = inuse(0);
	mkprof_sample(p, (int64_t[]){ 10 }, "main;a");
	if (put(f, p, "broken", 0))
		rc = -1;
	if (put(f, corrupt(1), "broken", 1))
		rc = -1;
	p = inuse(2);
	mkprof_sample(p, (int64_t[]){ 30 }, "main;a");
	if (put(f, p, "broken", 2))
		rc = -1;

	if (put(f, corrupt(0), "gone", 0))
		rc = -1;
	if (put(f, corrupt(1), "gone", 1))
		rc = -1;

	for (i = 0; i < 99; i++) {
		p = inuse(0);
		mkprof_time(p, T0 * SEC + i * 60 * SEC);
		mkprof_sample(p, (int64_t[]){ 10 * i }, "main;hold;leak");
		if (i % 2 == 0)
			mkprof_sample(p, (int64_t[]){ 1000 }, "main;hot;spike");
		if (i == 98)
			mkprof_sample(p, (int64_t[]){ 7 }, "main;hot;spike;deep");
		if (fixture_putf(f, p, 1, "long/heap-%d.pb.gz", i))
			rc = -1;
	}

	/* Times 580 years apart each way: their difference overflows 64
	 * bits (issue 20). */
	for (i = 0; i < 2; i++) {
		p = mkprof_new();
		mkprof_sample_type(p, "inuse_space", "bytes");
		mkprof_time(p, i ? INT64_MAX - 1 : INT64_MIN + 1);
		mkprof_sample(p, (int64_t[]){ i ? 20 : 10 }, "main;a");
		if (put(f, p, "centuries", i))
			rc = -1;
	}
	return rc ? -1 : 0;
}

static int group_setup(void **state)
{
	return fixture_setup(state, write_archive, FIXTURE_ARCHIVE);
}

/* ---- helpers ------------------------------------------------------------- */

/* Build the history of svc/type into h; returns pyro_history_build's rc. */
static int build(struct fixture *f, const char *svc, const char *type,
		 struct pyro_history *h, char err[PYRO_ERR_MAX])
{
	const struct pyro_service *sv = pyro_archive_service(f->a, svc);
	const struct pyro_series *se;

	assert_non_null(sv);
	se = pyro_service_series(sv, type);
	assert_non_null(se);
	err[0] = '\0';
	return pyro_history_build(f->a, sv, se, h, err);
}

static const struct pyro_history_func *func(const struct pyro_history *h,
					    const char *name)
{
	size_t i;

	for (i = 0; i < h->nfuncs; i++) {
		struct pyro_str s = pyro_strtab_get(&h->strs, h->funcs[i].name);

		if (s.len == strlen(name) && !memcmp(s.ptr, name, s.len))
			return &h->funcs[i];
	}
	fail_msg("no function %s", name);
	return NULL;
}

/* The function's figures, as one comparable line. */
static void check_func(const struct pyro_history *h, const char *name,
		       int64_t flat_first, int64_t flat_last, int64_t cum_first,
		       int64_t cum_last, unsigned rises, unsigned falls,
		       double slope)
{
	const struct pyro_history_func *fn = func(h, name);

	if (fn->flat_first != flat_first || fn->flat_last != flat_last ||
	    fn->cum_first != cum_first || fn->cum_last != cum_last ||
	    fn->rises != rises || fn->falls != falls || fn->slope != slope)
		fail_msg("%s: flat %lld..%lld cum %lld..%lld rises %u falls %u "
			 "slope %.17g; want %lld..%lld %lld..%lld %u %u %.17g",
			 name, (long long)fn->flat_first, (long long)fn->flat_last,
			 (long long)fn->cum_first, (long long)fn->cum_last,
			 fn->rises, fn->falls, fn->slope, (long long)flat_first,
			 (long long)flat_last, (long long)cum_first,
			 (long long)cum_last, rises, falls, slope);
}

static const char *problem_of(struct pyro_archive *a, const char *path)
{
	size_t i;

	for (i = 0; i < a->nproblems; i++)
		if (!strcmp(a->problems[i].path, path))
			return a->problems[i].reason;
	return NULL;
}

/* ---- cases ---------------------------------------------------------------- */

static void test_leak_totals(void **state)
{
	static const int64_t totals[] = { 160, 290, 375, 486, 568 };
	static const char *const names[] = {
		"2026-11-24T10-15-00Z", "2026-11-24T11-15-00Z",
		"2026-11-24T12-15-00Z", "2026-11-24T13-15-00Z",
		"2026-11-24T14-15-00Z",
	};
	struct pyro_history h;
	char err[PYRO_ERR_MAX];
	size_t k;

	assert_int_equal(build(*state, "leaky", "inuse_space", &h, err), 0);
	assert_string_equal(h.service, "leaky");
	assert_string_equal(h.type, "inuse_space");
	assert_string_equal(h.sample_type, "inuse_space");
	assert_string_equal(h.sample_unit, "bytes");
	assert_int_equal(h.nsnaps, 5);
	for (k = 0; k < 5; k++) {
		assert_int_equal(h.times[k], T0 * SEC + (int64_t)k * HOUR);
		assert_string_equal(h.names[k], names[k]);
		assert_int_equal(h.totals[k], totals[k]);
	}
	/* sum 1879, sum t*v 4770: (5 * 4770 - 10 * 1879) / 50 */
	assert_true(h.slope == 101.2);
	assert_int_equal(h.nfuncs, 6);
	pyro_history_release(&h);
}

/* The sampled series (history.h): 99 snapshots fill the 64 slots, which
 * then keep every other snapshot: 0, 2, ..., 98, 50 slots; a function
 * gets its series once its flat is non-zero. */
static void test_sampled_series(void **state)
{
	const struct pyro_history_func *leak, *spike, *deep, *hot;
	struct pyro_history h;
	char err[PYRO_ERR_MAX];
	size_t j;

	assert_int_equal(build(*state, "long", "inuse_space", &h, err), 0);
	assert_int_equal(h.nsnaps, 99);
	assert_int_equal(h.slot_step, 2);
	assert_int_equal(h.nslots, 50);
	leak = func(&h, "leak");
	spike = func(&h, "spike");
	deep = func(&h, "deep");
	hot = func(&h, "hot");
	assert_non_null(leak->series);
	assert_non_null(spike->series);
	assert_non_null(deep->series);
	assert_null(hot->series);               /* never a leaf */
	assert_int_equal(h.nseries, 3);
	for (j = 0; j < h.nslots; j++) {
		assert_int_equal(h.slot_snap[j], 2 * j);
		assert_int_equal(leak->series[j], 10 * (int64_t)(2 * j));
		assert_int_equal(spike->series[j], 1000);
		assert_int_equal(deep->series[j], j == 49 ? 7 : 0);
	}
	pyro_history_release(&h);
}

/* The hottest caller path at the last snapshot, for functions that grew:
 * callers root first, the function left out. */
static void test_caller_paths(void **state)
{
	struct pyro_history h;
	char err[PYRO_ERR_MAX];
	struct pyro_str p;

	assert_int_equal(build(*state, "leaky", "inuse_space", &h, err), 0);
	assert_true(func(&h, "leak")->has_path);
	p = pyro_strtab_get(&h.strs, func(&h, "leak")->path);
	assert_int_equal(p.len, 4);
	assert_memory_equal(p.ptr, "main", 4);
	p = pyro_strtab_get(&h.strs, func(&h, "grow")->path);
	assert_int_equal(p.len, 9);
	assert_memory_equal(p.ptr, "main;late", 9);
	assert_false(func(&h, "churn")->has_path);      /* did not grow */
	assert_false(func(&h, "steady")->has_path);
	pyro_history_release(&h);

	assert_int_equal(build(*state, "long", "inuse_space", &h, err), 0);
	p = pyro_strtab_get(&h.strs, func(&h, "deep")->path);
	assert_int_equal(p.len, 14);
	assert_memory_equal(p.ptr, "main;hot;spike", 14);
	assert_false(func(&h, "spike")->has_path);      /* 1000 -> 1000 */
	pyro_history_release(&h);
}

/* Snapshot times whose difference overflows 64 bits: the trend is still
 * computed (in double), without undefined behaviour. */
static void test_centuries_apart(void **state)
{
	struct pyro_history h;
	char err[PYRO_ERR_MAX];
	double hours = ((double)INT64_MAX - 1 - ((double)INT64_MIN + 1)) /
		       (3600.0 * 1e9);

	assert_int_equal(build(*state, "centuries", "inuse_space", &h, err), 0);
	assert_int_equal(h.nsnaps, 2);
	assert_int_equal(h.times[0], INT64_MIN + 1);
	assert_int_equal(h.times[1], INT64_MAX - 1);
	/* Rose by 10 over `hours`. */
	assert_true(h.slope > 0.99 * 10 / hours && h.slope < 1.01 * 10 / hours);
	pyro_history_release(&h);
}

/* The series renderers stop at a buffer's limit with -EFBIG (issue 20). */
static void test_series_bounds(void **state)
{
	int (*const fns[])(const struct pyro_history *, struct pyro_buf *) = {
		pyro_timeline_render, pyro_timeline_svg_render,
		pyro_growth_render,
	};
	struct pyro_history h;
	char err[PYRO_ERR_MAX];
	size_t i;

	assert_int_equal(build(*state, "leaky", "inuse_space", &h, err), 0);
	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		struct pyro_buf whole = PYRO_BUF_INIT, cut = PYRO_BUF_INIT;

		assert_int_equal(fns[i](&h, &whole), 0);
		cut.limit = whole.len;
		assert_int_equal(fns[i](&h, &cut), 0);
		pyro_buf_release(&cut);
		cut.limit = whole.len - 1;
		assert_int_equal(fns[i](&h, &cut), -EFBIG);
		assert_true(cut.len <= cut.limit);
		pyro_buf_release(&cut);
		pyro_buf_release(&whole);
	}
	pyro_history_release(&h);
}

static void test_leak_functions(void **state)
{
	struct pyro_history h;
	char err[PYRO_ERR_MAX];

	assert_int_equal(build(*state, "leaky", "inuse_space", &h, err), 0);
	/*          name      flat       cum      rises falls slope/h */
	check_func(&h, "main",   0,   0, 160, 568, 0, 0, 0);
	check_func(&h, "leak",   100, 500, 100, 500, 4, 0, 100);
	check_func(&h, "steady", 50,  50,  50,  50,  0, 0, 0);
	check_func(&h, "churn",  10,  10,  10,  10,  2, 2, -1);
	/* Absent at the first snapshot: 0 there, and rising into view. */
	check_func(&h, "late",   0,   0,   0,   8,   0, 0, 0);
	check_func(&h, "grow",   0,   8,   0,   8,   3, 0, 2.2);
	pyro_history_release(&h);
}

/* Another sample type of the same profiles. */
static void test_other_type(void **state)
{
	static const int64_t totals[] = { 7, 7, 8, 8, 8 };
	struct pyro_history h;
	char err[PYRO_ERR_MAX];
	size_t k;

	assert_int_equal(build(*state, "leaky", "inuse_objects", &h, err), 0);
	assert_int_equal(h.nsnaps, 5);
	for (k = 0; k < 5; k++)
		assert_int_equal(h.totals[k], totals[k]);
	check_func(&h, "grow", 0, 1, 0, 1, 1, 0, 0.3);
	assert_string_equal(h.sample_unit, "count");
	pyro_history_release(&h);
}

/* A recursive function's cum counts each stack once. */
static void test_recursion(void **state)
{
	struct pyro_history h;
	char err[PYRO_ERR_MAX];

	assert_int_equal(build(*state, "recur", "inuse_space", &h, err), 0);
	assert_int_equal(h.nsnaps, 2);
	assert_int_equal(h.totals[0], 10);
	assert_int_equal(h.totals[1], 35);
	check_func(&h, "r", 10, 35, 10, 35, 1, 0, 25);
	check_func(&h, "main", 0, 0, 10, 35, 0, 0, 0);
	assert_true(h.slope == 25);
	pyro_history_release(&h);
}

/* A snapshot that fails to decode is skipped and recorded. */
static void test_bad_snapshot(void **state)
{
	struct fixture *f = *state;
	struct pyro_history h;
	char err[PYRO_ERR_MAX];

	assert_int_equal(build(f, "broken", "inuse_space", &h, err), 0);
	assert_int_equal(h.nsnaps, 2);
	assert_int_equal(h.times[0], T0 * SEC);
	assert_int_equal(h.times[1], T0 * SEC + 2 * HOUR);
	assert_string_equal(h.names[0], "2026-11-24T10-15-00Z");
	assert_string_equal(h.names[1], "2026-11-24T12-15-00Z");
	assert_int_equal(h.totals[0], 10);
	assert_int_equal(h.totals[1], 30);
	/* One interval between the snapshots read, two hours long. */
	check_func(&h, "a", 10, 30, 10, 30, 1, 0, 10);
	assert_true(h.slope == 10);
	assert_string_equal(problem_of(f->a, "broken/heap-1795518900.pb.gz"),
			    "malformed profile: sample 0 references missing location 99");
	pyro_history_release(&h);
}

/* No snapshot decodes: -EIO with the reason. */
static void test_all_bad(void **state)
{
	struct pyro_history h;
	char err[PYRO_ERR_MAX];

	assert_int_equal(build(*state, "gone", "inuse_space", &h, err), -EIO);
	assert_string_equal(err,
			    "malformed profile: sample 0 references missing location 99");
	pyro_history_release(&h);
	pyro_history_release(&h);       /* released twice: still fine */
}

static void test_slope(void **state)
{
	static const double t[] = { 0, 1, 2, 3, 4 };
	static const double v[] = { 100, 200, 300, 400, 500 };
	static const double flat[] = { 7, 7, 7 };
	static const double same_t[] = { 2, 2, 2 };

	(void)state;
	assert_true(pyro_slope(t, v, 5) == 100);
	assert_true(pyro_slope(t, flat, 3) == 0);
	assert_true(pyro_slope(t, v, 1) == 0);
	assert_true(pyro_slope(t, v, 0) == 0);
	assert_true(pyro_slope(same_t, v, 3) == 0);     /* no spread in t */
	assert_true(pyro_slope((const double[]){ 0, 2 },
			       (const double[]){ 10, 30 }, 2) == 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leak_totals),
		cmocka_unit_test(test_leak_functions),
		cmocka_unit_test(test_other_type),
		cmocka_unit_test(test_recursion),
		cmocka_unit_test(test_bad_snapshot),
		cmocka_unit_test(test_all_bad),
		cmocka_unit_test(test_slope),
		cmocka_unit_test(test_centuries_apart),
		cmocka_unit_test(test_sampled_series),
		cmocka_unit_test(test_caller_paths),
		cmocka_unit_test(test_series_bounds),
	};

	return cmocka_run_group_tests(tests, group_setup, fixture_teardown);
}
