/*
 * test_producers.c - files as other producers name them: go tool pprof's
 * own archive (model/archive.c, pprof_saved_binary).
 *
 * go tool pprof saves each profile it fetches as
 * pprof.<binary>.<sample types joined by '.'>.<NNN>.pb.gz.  The group
 * setup writes, with mkprof, an archive whose files lie directly in it
 * (unless said otherwise); the binary is what the name holds between
 * "pprof." and the header's sample types:
 *
 *   pprof.api.samples.cpu.001.pb.gz                Go CPU      -> api
 *   pprof.api.samples.cpu.002.pb.gz                Go CPU      -> api
 *   pprof.api.v2.samples.cpu.001.pb.gz             Go CPU      -> api.v2
 *   pprof.web.alloc_objects.alloc_space.inuse_objects.inuse_space.1234.pb.gz
 *                                                  Go heap     -> web
 *   pprof.samples.cpu.001.pb.gz                    no binary   -> archive
 *   pprof.db.samples.cpu.001.pb.gz in db/          a service directory's
 *                                                  own file    -> db
 *   pprof.db.samples.cpu.003.pb.gz                 Go CPU      -> db (the
 *                                                  same service as db/)
 *   pprof.x.alloc_space.001.pb.gz                  Go CPU: the types do
 *                                                  not match   -> archive
 *   pprof.y.samples.cpu.01.pb.gz                   two digits  -> archive
 *   pprof.y.samples.cpu.001.pb                     not .pb.gz  -> archive
 *   pprof...samples.cpu.001.pb.gz                  binary "."  -> archive
 *   pprof.z.samples.001.pb.gz                      collapsed stacks: not
 *                                                  pprof       -> archive
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../model/archive.h"
#include "../support/fixture.h"

#define SEC 1000000000LL
#define T0 1795515300LL         /* 2026-11-24T10:15:00Z */

static struct mkprof *go_cpu(int64_t secs)
{
	struct mkprof *p = mkprof_go_cpu(secs * SEC);

	mkprof_sample(p, (int64_t[]){ 1, 10000000 }, "main;work");
	return p;
}

static int write_archive(struct fixture *f)
{
	struct mkprof *heap = mkprof_go_heap(T0 * SEC);
	static const char *const cpus[] = {
		"pprof.api.samples.cpu.001.pb.gz",
		"pprof.api.samples.cpu.002.pb.gz",
		"pprof.api.v2.samples.cpu.001.pb.gz",
		"pprof.samples.cpu.001.pb.gz",
		"db/pprof.db.samples.cpu.001.pb.gz",
		"pprof.db.samples.cpu.003.pb.gz",
		"pprof.x.alloc_space.001.pb.gz",
		"pprof.y.samples.cpu.01.pb.gz",
		"pprof.y.samples.cpu.001.pb",
		"pprof...samples.cpu.001.pb.gz",
	};
	static const char folded[] = "main;work 3\n";
	char path[MKPROF_PATH_MAX];
	size_t i;
	int rc;

	mkprof_sample(heap, (int64_t[]){ 1, 2, 3, 4 }, "main;alloc");
	rc = fixture_put(f, heap, "pprof.web.alloc_objects.alloc_space."
			 "inuse_objects.inuse_space.1234.pb.gz", 1);
	for (i = 0; !rc && i < sizeof(cpus) / sizeof(cpus[0]); i++)
		rc = fixture_put(f, go_cpu(T0 + (int64_t)i), cpus[i], 1);
	if (!rc) {
		mkprof_join(path, f->root, "pprof.z.samples.001.pb.gz");
		rc = mkprof_write_file(path, folded, sizeof(folded) - 1);
	}
	return rc;
}

static int group_setup(void **state)
{
	return fixture_setup(state, write_archive, FIXTURE_ARCHIVE);
}

/* The service whose series `type` holds the snapshot read from rel. */
static const char *service_of(const struct pyro_archive *a, const char *rel)
{
	size_t i, j, k;

	for (i = 0; i < a->nservices; i++)
		for (j = 0; j < a->services[i].nseries; j++) {
			const struct pyro_series *se = &a->services[i].series[j];

			for (k = 0; k < se->nsnaps; k++)
				if (!strcmp(se->snaps[k].src->path, rel))
					return a->services[i].name;
		}
	return NULL;
}

static void test_services(void **state)
{
	struct fixture *f = *state;
	const struct pyro_archive *a = f->a;

	assert_int_equal(a->nproblems, 0);
	assert_int_equal(a->nservices, 5);
	assert_string_equal(a->services[0].name, "api");
	assert_string_equal(a->services[1].name, "api.v2");
	assert_string_equal(a->services[2].name, "archive");
	assert_string_equal(a->services[3].name, "db");
	assert_string_equal(a->services[4].name, "web");
}

static void test_binaries(void **state)
{
	const struct pyro_archive *a = ((struct fixture *)*state)->a;

	assert_string_equal(service_of(a, "pprof.api.samples.cpu.001.pb.gz"), "api");
	assert_string_equal(service_of(a, "pprof.api.samples.cpu.002.pb.gz"), "api");
	assert_string_equal(service_of(a, "pprof.api.v2.samples.cpu.001.pb.gz"),
			    "api.v2");
	assert_string_equal(service_of(a, "pprof.web.alloc_objects.alloc_space."
				       "inuse_objects.inuse_space.1234.pb.gz"), "web");
	assert_string_equal(service_of(a, "db/pprof.db.samples.cpu.001.pb.gz"), "db");
	assert_string_equal(service_of(a, "pprof.db.samples.cpu.003.pb.gz"), "db");
	/* Two snapshots in api's cpu, two in db's (directory and root). */
	assert_int_equal(pyro_service_series(pyro_archive_service(a, "api"),
					     "cpu")->nsnaps, 2);
	assert_int_equal(pyro_service_series(pyro_archive_service(a, "db"),
					     "cpu")->nsnaps, 2);
	assert_non_null(pyro_service_series(pyro_archive_service(a, "web"),
					    "inuse_space"));
}

static void test_not_saved_by_pprof(void **state)
{
	const struct pyro_archive *a = ((struct fixture *)*state)->a;
	static const char *const rest[] = {
		"pprof.samples.cpu.001.pb.gz",
		"pprof.x.alloc_space.001.pb.gz",
		"pprof.y.samples.cpu.01.pb.gz",
		"pprof.y.samples.cpu.001.pb",
		"pprof...samples.cpu.001.pb.gz",
		"pprof.z.samples.001.pb.gz",
	};
	size_t i;

	for (i = 0; i < sizeof(rest) / sizeof(rest[0]); i++) {
		const char *svc = service_of(a, rest[i]);

		assert_non_null(svc);
		assert_string_equal(svc, "archive");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_binaries),
		cmocka_unit_test(test_not_saved_by_pprof),
	};

	return cmocka_run_group_tests(tests, group_setup, fixture_teardown);
}
