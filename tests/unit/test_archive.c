/*
 * test_archive.c - indexing an archive (model/archive.c).
 *
 * The group setup writes one archive with mkprof into a temp directory
 * (removed by the group teardown):
 *
 *   archive/api/2026/11/24/cpu-1795515300.pb.gz   Go CPU, 10:15:00
 *   archive/api/cpu-1795515310.pb.gz              Go CPU, 10:15:10
 *   archive/api/cpu-b.pb.gz                       Go CPU, 10:15:10.5
 *   archive/api/cpu-c.pb.gz                       Go CPU, 10:15:10.5
 *   archive/api/heap-1795515300.pb.gz             Go heap (4 types)
 *   archive/api/.tmp-cpu.pb.gz, api/.git/x.pb.gz  dotfiles: ignored
 *   archive/billing/cpu-1795515400.pb.gz          py-spy, time_nanos 0:
 *                                                 time from the name
 *   archive/billing/profile                       py-spy, raw, no time:
 *                                                 mtime 1795515450
 *   archive/billing/notes.txt                     text: a problem
 *   archive/billing/broken.pb.gz                  truncated: a problem
 *   archive/cpu-1795515500.pb.gz                  in the root: service
 *                                                 "archive"
 *   archive/.hidden.pb.gz                         ignored
 *
 * 1795515300 is 2026-11-24T10:15:00Z.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../model/archive.h"
#include "../support/fixture.h"

#define SEC 1000000000LL
#define T0 1795515300LL         /* 2026-11-24T10:15:00Z */
#define MAXP FIXTURE_MAX_PROFILE

static struct mkprof *go_cpu(int64_t nanos)
{
	struct mkprof *p = mkprof_go_cpu(nanos);

	mkprof_sample(p, (int64_t[]){ 1, 10000000 }, "main;work");
	return p;
}

static struct mkprof *go_heap(int64_t nanos)
{
	struct mkprof *p = mkprof_go_heap(nanos);

	mkprof_sample(p, (int64_t[]){ 1, 2, 3, 4 }, "main;alloc");
	return p;
}

static struct mkprof *pyspy(void)
{
	struct mkprof *p = mkprof_new();

	mkprof_sample_type(p, "samples", "count");
	mkprof_period_type(p, "", "", 0);
	mkprof_sample(p, (int64_t[]){ 3 }, "main (app.py);run (app.py)");
	return p;
}

/* The first 20 bytes of a gzipped profile: truncated gzip data. */
static int put_truncated(struct fixture *f, const char *rel)
{
	struct pyro_buf raw = PYRO_BUF_INIT, gz = PYRO_BUF_INIT;
	struct mkprof *p = go_cpu(T0 * SEC);
	char path[MKPROF_PATH_MAX];
	int rc;

	rc = mkprof_pack(p, &raw);
	mkprof_free(p);
	if (!rc)
		rc = mkprof_gzip(raw.data, raw.len, &gz);
	mkprof_join(path, f->root, rel);
	if (!rc)
		rc = mkprof_write_file(path, gz.data, 20);
	pyro_buf_release(&raw);
	pyro_buf_release(&gz);
	return rc;
}

static int write_archive(struct fixture *f)
{
	struct timespec mtime[2] = { { T0 + 150, 0 }, { T0 + 150, 0 } };
	char path[MKPROF_PATH_MAX];

	if (fixture_put(f, go_cpu(T0 * SEC), "api/2026/11/24/cpu-1795515300.pb.gz", 1) ||
	    fixture_put(f, go_cpu((T0 + 10) * SEC), "api/cpu-1795515310.pb.gz", 1) ||
	    fixture_put(f, go_cpu((T0 + 10) * SEC + SEC / 2), "api/cpu-c.pb.gz", 1) ||
	    fixture_put(f, go_cpu((T0 + 10) * SEC + SEC / 2), "api/cpu-b.pb.gz", 1) ||
	    fixture_put(f, go_heap(T0 * SEC), "api/heap-1795515300.pb.gz", 1) ||
	    fixture_put(f, go_cpu(T0 * SEC), "api/.tmp-cpu.pb.gz", 1) ||
	    fixture_put(f, go_cpu(T0 * SEC), "api/.git/x.pb.gz", 1) ||
	    fixture_put(f, pyspy(), "billing/cpu-1795515400.pb.gz", 1) ||
	    fixture_put(f, pyspy(), "billing/profile", 0) ||
	    fixture_put(f, go_cpu((T0 + 200) * SEC), "cpu-1795515500.pb.gz", 1) ||
	    fixture_put(f, go_cpu(T0 * SEC), ".hidden.pb.gz", 1))
		return -1;
	mkprof_join(path, f->root, "billing/profile");
	if (utimensat(AT_FDCWD, path, mtime, 0) != 0)
		return -1;
	mkprof_join(path, f->root, "billing/notes.txt");
	if (mkprof_write_file(path, "not a profile\n", 14))
		return -1;
	return put_truncated(f, "billing/broken.pb.gz");
}

static int group_setup(void **state)
{
	return fixture_setup(state, write_archive, FIXTURE_ARCHIVE);
}

static const char *const cpu_names[] = {
	"2026-11-24T10-15-00Z", "2026-11-24T10-15-10Z",
	"2026-11-24T10-15-10Z-2", "2026-11-24T10-15-10Z-3",
};

/* ---- cases ---------------------------------------------------------------- */

static void test_root(void **state)
{
	struct fixture *f = *state;
	char *real = realpath(f->root, NULL);

	assert_non_null(real);
	assert_string_equal(f->a->root, real);
	free(real);
	assert_int_equal(f->a->max_profile_size, MAXP);
	assert_int_equal(f->a->nsources, 8);
}

static void test_services(void **state)
{
	struct fixture *f = *state;
	const struct pyro_archive *a = f->a;

	assert_int_equal(a->nservices, 3);
	assert_string_equal(a->services[0].name, "api");
	assert_string_equal(a->services[1].name, "archive");
	assert_string_equal(a->services[2].name, "billing");
	assert_ptr_equal(pyro_archive_service(a, "api"), &a->services[0]);
	assert_ptr_equal(pyro_archive_service(a, "billing"), &a->services[2]);
	assert_null(pyro_archive_service(a, "nope"));
	assert_null(pyro_archive_service(a, ".hidden.pb.gz"));
	assert_null(pyro_archive_service(a, ""));
}

static void test_series(void **state)
{
	static const char *const api_types[] = {
		"alloc_objects", "alloc_space", "cpu", "inuse_objects",
		"inuse_space", "samples",
	};
	static const enum pyro_series_kind api_kinds[] = {
		PYRO_KIND_CUMULATIVE, PYRO_KIND_CUMULATIVE, PYRO_KIND_RATE,
		PYRO_KIND_GAUGE, PYRO_KIND_GAUGE, PYRO_KIND_RATE,
	};
	struct fixture *f = *state;
	const struct pyro_service *api = &f->a->services[0];
	const struct pyro_service *root = &f->a->services[1];
	const struct pyro_service *billing = &f->a->services[2];
	size_t i;

	assert_int_equal(api->nseries, 6);
	for (i = 0; i < 6; i++) {
		assert_string_equal(api->series[i].type, api_types[i]);
		assert_int_equal(api->series[i].kind, api_kinds[i]);
	}
	assert_string_equal(api->series[2].sample_type, "cpu");
	assert_string_equal(api->series[2].sample_unit, "nanoseconds");
	assert_string_equal(api->series[5].sample_type, "samples");
	assert_string_equal(api->series[4].sample_unit, "bytes");
	assert_ptr_equal(pyro_service_series(api, "cpu"), &api->series[2]);
	assert_null(pyro_service_series(api, "wall"));

	assert_int_equal(root->nseries, 2);
	assert_string_equal(root->series[0].type, "cpu");
	assert_string_equal(root->series[1].type, "samples");

	assert_int_equal(billing->nseries, 1);
	assert_string_equal(billing->series[0].type, "cpu");
	assert_string_equal(billing->series[0].sample_type, "samples");
	assert_string_equal(billing->series[0].sample_unit, "count");
	assert_int_equal(billing->series[0].kind, PYRO_KIND_RATE);
}

/* Oldest first; same second gets -2, -3; equal times sort by path. */
/* The snapshot's directory name is want (it is formatted, not stored). */
static void assert_snapshot_named(const struct pyro_snapshot *sn,
				  const char *want)
{
	char name[PYRO_TIME_NAME_MAX];

	pyro_snapshot_name(sn, name);
	assert_string_equal(name, want);
}

static void test_snapshots(void **state)
{
	static const char *const cpu_paths[] = {
		"api/2026/11/24/cpu-1795515300.pb.gz", "api/cpu-1795515310.pb.gz",
		"api/cpu-b.pb.gz", "api/cpu-c.pb.gz",
	};
	struct fixture *f = *state;
	const struct pyro_service *api = &f->a->services[0];
	const struct pyro_series *cpu = &api->series[2];
	const struct pyro_series *samples = &api->series[5];
	char want[PATH_MAX], err[PYRO_ERR_MAX];
	struct stat got, st;
	int fd;
	size_t i;

	assert_int_equal(cpu->nsnaps, 4);
	assert_int_equal(samples->nsnaps, 4);
	for (i = 0; i < 4; i++) {
		assert_snapshot_named(&cpu->snaps[i], cpu_names[i]);
		assert_string_equal(cpu->snaps[i].src->path, cpu_paths[i]);
		assert_int_equal(cpu->snaps[i].src->origin, PYRO_TIME_PROFILE);
		assert_int_equal(cpu->snaps[i].type_index, 1);
		assert_snapshot_named(&samples->snaps[i], cpu_names[i]);
		assert_int_equal(samples->snaps[i].type_index, 0);
		/* One source per file, shared by its sample types. */
		assert_ptr_equal(samples->snaps[i].src, cpu->snaps[i].src);
		assert_ptr_equal(pyro_series_snapshot(cpu, cpu_names[i]),
				 &cpu->snaps[i]);
	}
	assert_int_equal(cpu->snaps[0].src->time_nanos, T0 * SEC);
	assert_int_equal(cpu->snaps[3].src->time_nanos, (T0 + 10) * SEC + SEC / 2);
	assert_null(pyro_series_snapshot(cpu, "2026-11-24T10-15-10Z-4"));
	assert_null(pyro_series_snapshot(cpu, "latest"));

	/* A source opens as its own file, beneath the root. */
	fd = pyro_source_open(f->a, cpu->snaps[1].src, err);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &got), 0);
	close(fd);
	mkprof_join(want, f->a->root, "api/cpu-1795515310.pb.gz");
	assert_int_equal(stat(want, &st), 0);
	assert_int_equal(got.st_ino, st.st_ino);
	assert_string_equal(cpu->snaps[1].src->path, "api/cpu-1795515310.pb.gz");

	/* The heap file: four series of one snapshot each. */
	for (i = 0; i < 4; i++) {
		static const size_t heap_series[] = { 0, 1, 3, 4 };
		const struct pyro_series *se = &api->series[heap_series[i]];

		assert_int_equal(se->nsnaps, 1);
		assert_snapshot_named(&se->snaps[0], "2026-11-24T10-15-00Z");
		assert_string_equal(se->snaps[0].src->path, "api/heap-1795515300.pb.gz");
	}
	assert_int_equal(api->series[0].snaps[0].type_index, 0);
	assert_int_equal(api->series[1].snaps[0].type_index, 1);
	assert_int_equal(api->series[3].snaps[0].type_index, 2);
	assert_int_equal(api->series[4].snaps[0].type_index, 3);
}

/* time_nanos 0: the file name's time, else the mtime. */
static void test_time_origins(void **state)
{
	struct fixture *f = *state;
	const struct pyro_series *root_cpu = &f->a->services[1].series[0];
	const struct pyro_series *cpu = &f->a->services[2].series[0];

	assert_int_equal(cpu->nsnaps, 2);
	assert_snapshot_named(&cpu->snaps[0], "2026-11-24T10-16-40Z");
	assert_string_equal(cpu->snaps[0].src->path, "billing/cpu-1795515400.pb.gz");
	assert_int_equal(cpu->snaps[0].src->origin, PYRO_TIME_FILENAME);
	assert_int_equal(cpu->snaps[0].src->time_nanos, (T0 + 100) * SEC);
	assert_snapshot_named(&cpu->snaps[1], "2026-11-24T10-17-30Z");
	assert_string_equal(cpu->snaps[1].src->path, "billing/profile");
	assert_int_equal(cpu->snaps[1].src->origin, PYRO_TIME_MTIME);
	assert_int_equal(cpu->snaps[1].src->time_nanos, (T0 + 150) * SEC);

	assert_int_equal(root_cpu->nsnaps, 1);
	assert_string_equal(root_cpu->snaps[0].src->path, "cpu-1795515500.pb.gz");
	assert_snapshot_named(&root_cpu->snaps[0], "2026-11-24T10-18-20Z");
}

static void test_problems(void **state)
{
	struct fixture *f = *state;
	struct pyro_buf b = PYRO_BUF_INIT;

	assert_int_equal(pyro_archive_problems_text(f->a, &b), 0);
	assert_string_equal(b.data,
			    "billing/broken.pb.gz: truncated gzip data\n"
			    "billing/notes.txt: not a pprof profile (invalid protobuf wire format)\n");
	pyro_buf_release(&b);
}

/* A new problem is listed in order; the same path replaces its reason. */
static void test_problem_update(void **state)
{
	struct pyro_archive *a;
	struct pyro_buf b = PYRO_BUF_INIT;
	char tmp[MKPROF_PATH_MAX], err[PYRO_ERR_MAX];

	assert_int_equal(mkprof_tmpdir(tmp), 0);
	assert_int_equal(pyro_archive_open(tmp, MAXP, &a, err), 0);
	assert_int_equal(a->nservices, 0);
	assert_int_equal(pyro_archive_problems_text(a, &b), 0);
	assert_int_equal(b.len, 0);
	assert_int_equal(pyro_archive_problem(a, "z/b", "first"), 0);
	assert_int_equal(pyro_archive_problem(a, "a/c", "other"), 0);
	assert_int_equal(pyro_archive_problem(a, "z/b", "second"), 0);
	assert_int_equal(pyro_archive_problems_text(a, &b), 0);
	assert_string_equal(b.data, "a/c: other\nz/b: second\n");
	pyro_buf_release(&b);
	pyro_archive_free(a);
	assert_int_equal(mkprof_rmtree(tmp), 0);
}

static void test_open_errors(void **state)
{
	struct fixture *f = *state;
	struct pyro_archive *a = (struct pyro_archive *)f;
	char path[MKPROF_PATH_MAX], want[PYRO_ERR_MAX + MKPROF_PATH_MAX];
	char err[PYRO_ERR_MAX];

	mkprof_join(path, f->tmp, "missing");
	assert_int_equal(pyro_archive_open(path, MAXP, &a, err), -ENOENT);
	assert_null(a);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_string_equal(err, want);

	mkprof_join(path, f->root, "billing/notes.txt");
	assert_int_equal(pyro_archive_open(path, MAXP, &a, err), -ENOTDIR);
	snprintf(want, sizeof(want), "%s: not a directory", path);
	assert_string_equal(err, want);
}

/* Directory names from the archive are made safe and unique; one type
 * directory holds one sample type and unit. */
static void test_names(void **state)
{
	struct fixture *f = *state;
	char dir[MKPROF_PATH_MAX], path[MKPROF_PATH_MAX + 64], err[PYRO_ERR_MAX];
	static const char text[] = "main;work 5\nmain;idle 2\n";
	struct pyro_archive *a;
	const struct pyro_service *svc;
	const struct pyro_series *se;
	struct mkprof *p;
	int i;

	mkprof_join(dir, f->tmp, "names");
	/* A service whose name holds a newline, an escape and a '%'. */
	snprintf(path, sizeof(path), "%s/ev\nil\x1b[31m%%x/cpu-1795515300.pb.gz", dir);
	p = go_cpu(T0 * SEC);
	assert_int_equal(mkprof_write(p, path, 1), 0);
	mkprof_free(p);
	/* A pprof cpu (ns) in three snapshots and a collapsed cpu (counts). */
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/mixed/cpu-%d.pb.gz", dir, i);
		p = go_cpu((T0 + 10 * i) * SEC);
		assert_int_equal(mkprof_write(p, path, 1), 0);
		mkprof_free(p);
	}
	snprintf(path, sizeof(path), "%s/mixed/cpu-1795515400.txt", dir);
	assert_int_equal(mkprof_write_file(path, text, sizeof(text) - 1), 0);

	assert_int_equal(pyro_archive_open(dir, MAXP, &a, err), 0);
	assert_non_null(pyro_archive_service(a, "ev%0Ail%1B[31m%25x"));
	svc = pyro_archive_service(a, "mixed");
	assert_non_null(svc);
	se = pyro_service_series(svc, "cpu");
	assert_non_null(se);
	assert_string_equal(se->sample_unit, "nanoseconds");
	assert_int_equal(se->nsnaps, 3);
	se = pyro_service_series(svc, "cpu.samples.count");
	assert_non_null(se);
	assert_int_equal(se->nsnaps, 1);
	/* Go's samples/count of the pprof files is its own directory. */
	assert_non_null(pyro_service_series(svc, "samples"));
	pyro_archive_free(a);
	(void)mkprof_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root),
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_series),
		cmocka_unit_test(test_snapshots),
		cmocka_unit_test(test_time_origins),
		cmocka_unit_test(test_problems),
		cmocka_unit_test(test_problem_update),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, group_setup, fixture_teardown);
}
