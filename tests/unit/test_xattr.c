/*
 * test_xattr.c - the user.pyrofs.* extended attributes without FUSE
 * (pyro_node_xattr, pyro_node_xattr_list in fs/xattr.c).
 *
 * The group setup writes this archive with mkprof (removed by the group
 * teardown) and opens it with pyro_fs_open:
 *
 *   api/heap-1795000000.pb.gz   alloc_space 100 (main;alloc), 2026-11-18T11-06-40Z
 *   api/heap-1795000010.pb.gz   alloc_space 250,              2026-11-18T11-06-50Z
 *   api/heap-1795000020.pb.gz   alloc_space 400,              2026-11-18T11-07-00Z
 *   api/cpu-1795000000.pb.gz    cpu 30 (main;work) + 10 (main;idle)
 *
 * alloc_space is cumulative, so all/ is an increase (400) and a range from
 * the second snapshot is measured from the first (baseline).
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

#include "../../fs/fs.h"
#include "../support/fixture.h"

#define SEC 1000000000LL
#define T0 1795000000LL
#define SNAP0 "2026-11-18T11-06-40Z"
#define SNAP1 "2026-11-18T11-06-50Z"
#define HEAP0 "api/heap-1795000000.pb.gz"
#define HEAP1 "api/heap-1795000010.pb.gz"
#define HEAP2 "api/heap-1795000020.pb.gz"

static struct mkprof *heap(int64_t secs, int64_t space)
{
	struct mkprof *p = mkprof_new();

	mkprof_sample_type(p, "alloc_space", "bytes");
	mkprof_time(p, secs * SEC);
	mkprof_mapping(p, "/usr/bin/api");
	mkprof_sample(p, (int64_t[]){ space }, "main;alloc");
	return p;
}

static int write_archive(struct fixture *f)
{
	struct mkprof *p = mkprof_new();

	mkprof_sample_type(p, "cpu", "nanoseconds");
	mkprof_time(p, T0 * SEC);
	mkprof_sample(p, (int64_t[]){ 30 }, "main;work");
	mkprof_sample(p, (int64_t[]){ 10 }, "main;idle");
	if (fixture_put(f, heap(T0, 100), HEAP0, 1) ||
	    fixture_put(f, heap(T0 + 10, 250), HEAP1, 1) ||
	    fixture_put(f, heap(T0 + 20, 400), HEAP2, 1)) {
		mkprof_free(p);
		return -1;
	}
	return fixture_put(f, p, "api/cpu-1795000000.pb.gz", 1);
}

static int group_setup(void **state)
{
	return fixture_setup(state, write_archive, FIXTURE_FS);
}

/* Resolve path and hand back a node that borrows the index: the fs keeps
 * the index alive (these tests never rescan), so the reference that
 * pyro_resolve took is dropped at once and the node needs no release. */
static struct pyro_node resolve(void **state, const char *path)
{
	struct fixture *f = *state;
	struct pyro_index *ix;
	struct pyro_node n;
	int rc = pyro_resolve(f->fs, path, &n);

	if (rc)
		fail_msg("resolve \"%s\": %d", path, rc);
	ix = n.ix;
	pyro_node_release(&n);
	n.ix = ix;
	return n;
}

/* The value of attribute name at path must be expected (NULL: ENODATA). */
static void check_attr(void **state, const char *path, const char *name,
		       const char *expected)
{
	struct fixture *f = *state;
	struct pyro_node n = resolve(state, path);
	struct pyro_buf b = PYRO_BUF_INIT;
	int rc = pyro_node_xattr(f->fs, &n, name, &b);

	if (!expected) {
		assert_int_equal(rc, -ENODATA);
		assert_int_equal(b.len, 0);
	} else {
		assert_int_equal(rc, 0);
		assert_int_equal(b.len, strlen(expected));
		assert_memory_equal(b.data, expected, b.len);
	}
	pyro_buf_release(&b);
}

/* The attribute list at path, NULs shown as spaces, must be expected. */
static void check_list(void **state, const char *path, const char *expected)
{
	struct pyro_node n = resolve(state, path);
	struct pyro_buf b = PYRO_BUF_INIT;
	size_t i;

	assert_int_equal(pyro_node_xattr_list(&n, &b), 0);
	assert_int_equal(b.len, strlen(expected));
	for (i = 0; i < b.len; i++) {
		assert_true(i + 1 < b.len || b.data[i] == '\0');
		if (b.data[i] == '\0')
			b.data[i] = ' ';
	}
	if (b.len)
		assert_memory_equal(b.data, expected, b.len);
	pyro_buf_release(&b);
}

#define BASIC "user.pyrofs.total user.pyrofs.unit user.pyrofs.type " \
	      "user.pyrofs.rule user.pyrofs.sources "

/* Unknown names and listing never build a node: nothing enters the cache.
 * (Runs first, on a fresh cache.) */
static void test_cheap(void **state)
{
	struct fixture *f = *state;

	check_attr(state, "/api/alloc_space/all", "user.pyrofs.nope", NULL);
	check_attr(state, "/api/alloc_space/all/top.txt", "security.selinux", NULL);
	check_attr(state, "/api/alloc_space/all", "system.posix_acl_access", NULL);
	check_list(state, "/api/alloc_space/all/flame.svg", BASIC);
	check_attr(state, "/api/alloc_space/all", "user.pyrofs.unit", "bytes");
	check_attr(state, "/api/alloc_space/all", "user.pyrofs.sources",
		   HEAP0 "\n" HEAP1 "\n" HEAP2);
	assert_int_equal(pyro_cache_used(f->fs->cache), 0);
	check_attr(state, "/api/alloc_space/all", "user.pyrofs.total", "400");
	assert_true(pyro_cache_used(f->fs->cache) > 0);
}

static void test_snapshot(void **state)
{
	check_list(state, "/api/cpu/latest", BASIC);
	check_attr(state, "/api/cpu/latest", "user.pyrofs.total", "40");
	check_attr(state, "/api/cpu/latest/tree.txt", "user.pyrofs.total", "40");
	check_attr(state, "/api/cpu/" SNAP0 "/top.txt", "user.pyrofs.unit",
		   "nanoseconds");
	check_attr(state, "/api/cpu/" SNAP0, "user.pyrofs.type", "cpu");
	check_attr(state, "/api/cpu/" SNAP0, "user.pyrofs.rule", "single");
	check_attr(state, "/api/cpu/" SNAP0, "user.pyrofs.sources",
		   "api/cpu-1795000000.pb.gz");
	check_attr(state, "/api/cpu/" SNAP0, "user.pyrofs.baseline", NULL);
	check_attr(state, "/api/cpu/" SNAP0, "user.pyrofs.base_sources", NULL);
}

static void test_merge(void **state)
{
	check_attr(state, "/api/alloc_space/all", "user.pyrofs.rule", "increase");
	check_attr(state, "/api/alloc_space/all/folded", "user.pyrofs.type",
		   "alloc_space");
	check_attr(state, "/api/alloc_space/all", "user.pyrofs.baseline", NULL);
}

/* A range after the first snapshot: increase from the one before it. */
static void test_baseline(void **state)
{
	const char *r = "/api/alloc_space/" SNAP1 "..latest";
	char file[256];

	check_list(state, r, BASIC "user.pyrofs.baseline ");
	check_attr(state, r, "user.pyrofs.sources", HEAP1 "\n" HEAP2);
	check_attr(state, r, "user.pyrofs.baseline", HEAP0);
	check_attr(state, r, "user.pyrofs.total", "300");
	snprintf(file, sizeof(file), "%s/top.txt", r);
	check_attr(state, file, "user.pyrofs.baseline", HEAP0);
}

static void test_diff(void **state)
{
	const char *d = "/api/alloc_space/diff/" SNAP0 "/all";

	check_list(state, d, BASIC "user.pyrofs.base_sources ");
	check_attr(state, d, "user.pyrofs.sources", HEAP0 "\n" HEAP1 "\n" HEAP2);
	check_attr(state, d, "user.pyrofs.base_sources", HEAP0);
	check_attr(state, d, "user.pyrofs.total", "300");
	check_attr(state, "/api/alloc_space/diff/all/" SNAP0 "/tree.txt",
		   "user.pyrofs.total", "-300");
	check_attr(state, d, "user.pyrofs.baseline", NULL);
}

/* Other nodes have no attributes. */
static void test_other_nodes(void **state)
{
	static const char *const paths[] = {
		"/", "/.pyrofs", "/.pyrofs/errors", "/api", "/api/cpu",
		"/api/cpu/timeline.txt", "/api/cpu/diff",
		"/api/cpu/diff/" SNAP0,
	};
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		check_list(state, paths[i], "");
		check_attr(state, paths[i], "user.pyrofs.total", NULL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cheap),
		cmocka_unit_test(test_snapshot),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_baseline),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_other_nodes),
	};

	return cmocka_run_group_tests(tests, group_setup, fixture_teardown);
}
