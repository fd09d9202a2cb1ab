/*
 * test_types.c - type directory names and series kinds (model/types.c).
 *
 * One case per row of the naming table (README "Type names"): a header is
 * built by hand from "type/unit" strings, and pyro_type_name must give the
 * directory name for each sample type.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../model/types.h"

#define MAX_TYPES 8

/* A header owning nothing: strings point into the test's literals. */
struct hdr {
	struct pyro_profile_header h;
	struct pyro_value_type types[MAX_TYPES];
};

/* Fill x from "type/unit" strings (a NULL-terminated list; the last '/'
 * splits, so "a/b/count" is type "a/b"); period is "type/unit", or NULL for
 * no period type. */
static void hdr(struct hdr *x, const char *period, ...)
{
	static char buf[MAX_TYPES + 1][2][64];
	const char *t;
	size_t n = 0;
	va_list ap;

	memset(x, 0, sizeof(*x));
	va_start(ap, period);
	while ((t = va_arg(ap, const char *)) != NULL) {
		const char *slash = strrchr(t, '/');

		assert_non_null(slash);
		assert_true(n < MAX_TYPES);
		snprintf(buf[n][0], sizeof(buf[n][0]), "%.*s", (int)(slash - t), t);
		snprintf(buf[n][1], sizeof(buf[n][1]), "%s", slash + 1);
		x->types[n].type = buf[n][0];
		x->types[n].unit = buf[n][1];
		n++;
	}
	va_end(ap);
	if (period) {
		const char *slash = strrchr(period, '/');

		assert_non_null(slash);
		snprintf(buf[MAX_TYPES][0], 64, "%.*s", (int)(slash - period), period);
		snprintf(buf[MAX_TYPES][1], 64, "%s", slash + 1);
		x->h.period_type.type = buf[MAX_TYPES][0];
		x->h.period_type.unit = buf[MAX_TYPES][1];
	}
	x->h.types = x->types;
	x->h.ntypes = n;
}

/* The name of type index of x found at path. */
static const char *name_of(const struct hdr *x, size_t index, const char *path)
{
	static char name[PYRO_NAME_MAX];

	pyro_type_name(&x->h, index, path, name);
	return name;
}

static void test_go_cpu(void **state)
{
	struct hdr x;

	hdr(&x, "cpu/nanoseconds", "samples/count", "cpu/nanoseconds", NULL);
	assert_string_equal(name_of(&x, 0, "api/cpu.pb.gz"), "samples");
	assert_string_equal(name_of(&x, 1, "api/cpu.pb.gz"), "cpu");
}

/* py-spy, rbspy: one samples/count type is their CPU profile, with an
 * empty, a "cpu" or no period type; not with another period type. */
static void test_single_samples(void **state)
{
	struct hdr x;

	hdr(&x, "/", "samples/count", NULL);
	assert_string_equal(name_of(&x, 0, "billing/profile"), "cpu");
	hdr(&x, "cpu/nanoseconds", "samples/count", NULL);
	assert_string_equal(name_of(&x, 0, "profile"), "cpu");
	hdr(&x, NULL, "samples/count", NULL);
	assert_string_equal(name_of(&x, 0, "profile"), "cpu");
	hdr(&x, NULL, "sample/count", NULL);
	assert_string_equal(name_of(&x, 0, "profile"), "cpu");
	hdr(&x, "wall/nanoseconds", "samples/count", NULL);
	assert_string_equal(name_of(&x, 0, "profile"), "samples");
}

static void test_go_heap(void **state)
{
	struct hdr x;

	hdr(&x, "space/bytes", "alloc_objects/count", "alloc_space/bytes",
	    "inuse_objects/count", "inuse_space/bytes", NULL);
	assert_string_equal(name_of(&x, 0, "heap.pb.gz"), "alloc_objects");
	assert_string_equal(name_of(&x, 1, "heap.pb.gz"), "alloc_space");
	assert_string_equal(name_of(&x, 2, "heap.pb.gz"), "inuse_objects");
	assert_string_equal(name_of(&x, 3, "heap.pb.gz"), "inuse_space");
}

/* Legacy heaps say objects/space: in-use; alone they keep their names. */
static void test_legacy_heap(void **state)
{
	struct hdr x;

	hdr(&x, "space/bytes", "objects/count", "space/bytes", NULL);
	assert_string_equal(name_of(&x, 0, "heap"), "inuse_objects");
	assert_string_equal(name_of(&x, 1, "heap"), "inuse_space");
	hdr(&x, NULL, "objects/count", NULL);
	assert_string_equal(name_of(&x, 0, "heap"), "objects");
}

static void test_goroutines(void **state)
{
	struct hdr x;

	hdr(&x, "goroutine/count", "goroutine/count", NULL);
	assert_string_equal(name_of(&x, 0, "goroutine-1.pb.gz"), "goroutines");
	hdr(&x, NULL, "goroutines/count", NULL);
	assert_string_equal(name_of(&x, 0, "x"), "goroutines");
}

/* contentions/delay: mutex or block by path (file name first, then the
 * nearest directory), then by period type, else mutex. */
static void test_contentions(void **state)
{
	struct hdr x;

	hdr(&x, "contentions/count", "contentions/count", "delay/nanoseconds", NULL);
	assert_string_equal(name_of(&x, 0, "api/mutex-1795664261.pb.gz"), "mutex_count");
	assert_string_equal(name_of(&x, 1, "api/mutex-1795664261.pb.gz"), "mutex_duration");
	assert_string_equal(name_of(&x, 0, "api/block-1795664261.pb.gz"), "block_count");
	assert_string_equal(name_of(&x, 1, "api/block-1795664261.pb.gz"), "block_duration");
	assert_string_equal(name_of(&x, 0, "api/Block.pprof"), "block_count");
	/* A directory named block, a neutral file name. */
	assert_string_equal(name_of(&x, 0, "api/block/1795664261.pb.gz"), "block_count");
	assert_string_equal(name_of(&x, 1, "block/2026/11/24/p.pb.gz"), "block_duration");
	/* The file name beats the directories; the nearest directory wins. */
	assert_string_equal(name_of(&x, 0, "block/mutex.pb.gz"), "mutex_count");
	assert_string_equal(name_of(&x, 0, "mutex/block.pb.gz"), "block_count");
	assert_string_equal(name_of(&x, 0, "mutex/block/p.pb.gz"), "block_count");
	/* Neither: mutex. */
	assert_string_equal(name_of(&x, 0, "api/contention.pb.gz"), "mutex_count");
	assert_string_equal(name_of(&x, 1, "profile"), "mutex_duration");

	/* JFR: the period type says block; a neutral path. */
	hdr(&x, "block/count", "contentions/count", "delay/nanoseconds", NULL);
	assert_string_equal(name_of(&x, 0, "api/p.jfr.pb.gz"), "block_count");
	assert_string_equal(name_of(&x, 1, "api/p.jfr.pb.gz"), "block_duration");
	/* ... but the path comes first. */
	assert_string_equal(name_of(&x, 1, "api/mutex.pb.gz"), "mutex_duration");
}

static void test_wall_and_cpu(void **state)
{
	struct hdr x;

	hdr(&x, "wall/microseconds", "wall/microseconds", NULL);
	assert_string_equal(name_of(&x, 0, "p"), "wall");
	hdr(&x, NULL, "Wall/nanoseconds", NULL);
	assert_string_equal(name_of(&x, 0, "p"), "wall");
	hdr(&x, NULL, "CPU/nanoseconds", NULL);
	assert_string_equal(name_of(&x, 0, "p"), "cpu");
}

/* JFR and other types keep their names. */
static void test_other_names(void **state)
{
	struct hdr x;

	hdr(&x, NULL, "alloc_in_new_tlab_objects/count",
	    "alloc_in_new_tlab_bytes/bytes", "lock_count/count",
	    "lock_time/nanoseconds", NULL);
	assert_string_equal(name_of(&x, 0, "p"), "alloc_in_new_tlab_objects");
	assert_string_equal(name_of(&x, 1, "p"), "alloc_in_new_tlab_bytes");
	assert_string_equal(name_of(&x, 2, "p"), "lock_count");
	assert_string_equal(name_of(&x, 3, "p"), "lock_time");
}

static void test_unsafe_names(void **state)
{
	char out[PYRO_NAME_MAX], longer[300];
	struct hdr x;

	hdr(&x, NULL, "cache misses/count", "a/b/count", "../count", "/count",
	    "./count", NULL);
	assert_string_equal(name_of(&x, 0, "p"), "cache_misses");
	assert_string_equal(name_of(&x, 1, "p"), "a_b");
	assert_string_equal(name_of(&x, 2, "p"), "__");
	assert_string_equal(name_of(&x, 3, "p"), "unknown");
	assert_string_equal(name_of(&x, 4, "p"), "_");

	pyro_safe_name("a/b", out);
	assert_string_equal(out, "a_b");
	pyro_safe_name("..", out);
	assert_string_equal(out, "__");
	pyro_safe_name(".", out);
	assert_string_equal(out, "_");
	pyro_safe_name("", out);
	assert_string_equal(out, "unknown");
	pyro_safe_name("...", out);
	assert_string_equal(out, "...");
	pyro_safe_name("ok-Name_1.2", out);
	assert_string_equal(out, "ok-Name_1.2");
	pyro_safe_name("tab\there\xc3\xa9", out);
	assert_string_equal(out, "tab_here__");
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	pyro_safe_name(longer, out);
	assert_int_equal(strlen(out), PYRO_NAME_MAX - 1);
}

static void test_kinds(void **state)
{
	static const char *const cumulative[] = {
		"alloc_objects", "alloc_space", "mutex_count", "mutex_duration",
		"block_count", "block_duration",
	};
	static const char *const gauge[] = {
		"inuse_objects", "inuse_space", "goroutines",
	};
	static const char *const rate[] = {
		"cpu", "wall", "samples", "alloc_in_new_tlab_bytes", "lock_count",
		"objects", "unknown", "",
	};
	size_t i;

	for (i = 0; i < sizeof(cumulative) / sizeof(*cumulative); i++)
		assert_int_equal(pyro_type_kind(cumulative[i]), PYRO_KIND_CUMULATIVE);
	for (i = 0; i < sizeof(gauge) / sizeof(*gauge); i++)
		assert_int_equal(pyro_type_kind(gauge[i]), PYRO_KIND_GAUGE);
	for (i = 0; i < sizeof(rate) / sizeof(*rate); i++)
		assert_int_equal(pyro_type_kind(rate[i]), PYRO_KIND_RATE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_cpu),
		cmocka_unit_test(test_single_samples),
		cmocka_unit_test(test_go_heap),
		cmocka_unit_test(test_legacy_heap),
		cmocka_unit_test(test_goroutines),
		cmocka_unit_test(test_contentions),
		cmocka_unit_test(test_wall_and_cpu),
		cmocka_unit_test(test_other_names),
		cmocka_unit_test(test_unsafe_names),
		cmocka_unit_test(test_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
