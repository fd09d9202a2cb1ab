/*
 * test_pprof_build.c - the profile.proto builder that foreign-format
 * readers write through (model/pprof_build.c), read back by the real
 * decoder (model/profile.c): what a reader describes is what pyrofs sees.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "../../model/format.h"
#include "../../model/labels.h"
#include "../../model/pprof_build.h"
#include "../../model/profile.h"

/* Build: two types (samples/count, cpu/nanoseconds), functions main (a.js
 * line 1), work (a.js line 10, two call sites: lines 12 and 14), one
 * address-only frame; three samples, one labelled thread=worker, one with
 * a numeric label, one sharing the stack of the first. */
static void build(struct pyro_buf *out, size_t max)
{
	struct pyro_pbuild *b;
	uint64_t fmain, fwork, lmain, lw12, lw14, laddr;
	const struct pyro_pbuild_label thread = {
		"thread", 6, "worker", 6, 0, NULL
	};
	const struct pyro_pbuild_label bytes = {
		"bytes", 5, NULL, 0, 4096, "bytes"
	};

	assert_int_equal(pyro_pbuild_new(max, &b), 0);
	assert_int_equal(pyro_pbuild_sample_type(b, "samples", "count"), 0);
	assert_int_equal(pyro_pbuild_sample_type(b, "cpu", "nanoseconds"), 0);
	assert_int_equal(pyro_pbuild_period(b, "cpu", "nanoseconds", 1000000), 0);
	pyro_pbuild_time(b, 1795515300000000000LL, 10000000000LL);
	assert_int_equal(pyro_pbuild_comment(b, "made by a test", 14), 0);
	assert_int_equal(pyro_pbuild_function(b, "main", 4, "a.js", 4, 1, &fmain), 0);
	assert_int_equal(pyro_pbuild_function(b, "work", 4, "a.js", 4, 10, &fwork), 0);
	assert_int_equal(pyro_pbuild_function(b, "main", 4, "a.js", 4, 1, &lmain), 0);
	assert_int_equal(lmain, fmain);         /* deduplicated */
	assert_int_equal(pyro_pbuild_location(b, fmain, 2, 0, &lmain), 0);
	assert_int_equal(pyro_pbuild_location(b, fwork, 12, 0, &lw12), 0);
	assert_int_equal(pyro_pbuild_location(b, fwork, 14, 0, &lw14), 0);
	assert_int_equal(pyro_pbuild_location(b, 0, 0, 0x4000, &laddr), 0);
	assert_int_not_equal(lw12, lw14);
	/* Leaf first. */
	assert_int_equal(pyro_pbuild_sample(b, (uint64_t[]){ lw12, lmain }, 2,
					    (int64_t[]){ 3, 3000000 }, 2,
					    &thread, 1), 0);
	assert_int_equal(pyro_pbuild_sample(b, (uint64_t[]){ laddr, lw14, lmain }, 3,
					    (int64_t[]){ 1, 1000000 }, 2,
					    &bytes, 1), 0);
	assert_int_equal(pyro_pbuild_sample(b, (uint64_t[]){ lw12, lmain }, 2,
					    (int64_t[]){ 2, 2000000 }, 2,
					    NULL, 0), 0);
	/* A sample with the wrong number of values fails, and stays failed. */
	assert_int_equal(pyro_pbuild_sample(b, &lmain, 1, (int64_t[]){ 1 }, 1,
					    NULL, 0), -EINVAL);
	assert_int_equal(pyro_pbuild_finish(b, out), -EINVAL);
	pyro_pbuild_free(b);
}

static void test_round_trip(void **state)
{
	struct pyro_buf data = PYRO_BUF_INIT;
	struct pyro_profile *p;
	struct pyro_stacks s;
	struct pyro_label_set ls;
	char err[PYRO_ERR_MAX];
	struct pyro_pbuild *b;
	uint64_t f, l;
	int64_t total;
	size_t i, nfour = 0;

	(void)state;
	/* The failing build above writes nothing. */
	build(&data, 1 << 20);
	assert_int_equal(data.len, 0);

	/* A good build, as build() does without its last bad sample. */
	assert_int_equal(pyro_pbuild_new(1 << 20, &b), 0);
	assert_int_equal(pyro_pbuild_sample_type(b, "samples", "count"), 0);
	assert_int_equal(pyro_pbuild_sample_type(b, "cpu", "nanoseconds"), 0);
	assert_int_equal(pyro_pbuild_default_type(b, "cpu"), 0);
	pyro_pbuild_time(b, 1795515300000000000LL, 10000000000LL);
	assert_int_equal(pyro_pbuild_function(b, "main", 4, "a.js", 4, 1, &f), 0);
	assert_int_equal(pyro_pbuild_location(b, f, 2, 0, &l), 0);
	{
		uint64_t fw, l12, l14;
		const struct pyro_pbuild_label thread = {
			"thread", 6, "worker", 6, 0, NULL
		};
		const struct pyro_pbuild_label bytes = {
			"bytes", 5, NULL, 0, 4096, "bytes"
		};

		assert_int_equal(pyro_pbuild_function(b, "work", 4, "a.js", 4,
						      10, &fw), 0);
		assert_int_equal(pyro_pbuild_location(b, fw, 12, 0, &l12), 0);
		assert_int_equal(pyro_pbuild_location(b, fw, 14, 0, &l14), 0);
		assert_int_equal(pyro_pbuild_sample(b, (uint64_t[]){ l12, l }, 2,
						    (int64_t[]){ 3, 3000000 }, 2,
						    &thread, 1), 0);
		assert_int_equal(pyro_pbuild_sample(b, (uint64_t[]){ l14, l }, 2,
						    (int64_t[]){ 1, -1000000 }, 2,
						    &bytes, 1), 0);
	}
	assert_int_equal(pyro_pbuild_finish(b, &data), 0);
	pyro_pbuild_free(b);

	assert_int_equal(pyro_profile_decode(data.data, data.len, &p, err), 0);
	assert_int_equal(pyro_profile_ntypes(p), 2);
	assert_int_equal(pyro_profile_stacks(p, 1, &s, err), 0);
	assert_string_equal(s.meta.sample_type, "cpu");
	assert_string_equal(s.meta.sample_unit, "nanoseconds");
	assert_int_equal(s.meta.time_nanos, 1795515300000000000LL);
	assert_int_equal(s.meta.duration_nanos, 10000000000LL);
	/* Two stacks: main;work at line 12 and at line 14 (lines kept). */
	assert_int_equal(s.nstacks, 2);
	for (i = 0; i < s.nstacks; i++) {
		const uint32_t *refs = pyro_stack_refs(&s, &s.stacks[i]);
		struct pyro_str root = pyro_ref_name(&s, refs[0]);
		struct pyro_str leaf = pyro_ref_name(&s, refs[1]);
		const struct pyro_frame *fr = &s.frames[PYRO_REF_FRAME(refs[1])];

		assert_int_equal(s.stacks[i].depth, 2);
		assert_memory_equal(root.ptr, "main", 4);
		assert_memory_equal(leaf.ptr, "work", 4);
		assert_memory_equal(pyro_strtab_get(&s.strs, fr->file).ptr,
				    "a.js", 4);
		if (fr->line == 14) {
			assert_int_equal(s.stacks[i].value, -1000000);
			nfour++;
		} else {
			assert_int_equal(fr->line, 12);
			assert_int_equal(s.stacks[i].value, 3000000);
		}
	}
	assert_int_equal(nfour, 1);
	assert_int_equal(pyro_stacks_total(&s, &total), 0);
	assert_int_equal(total, 4000000);       /* pprof's: sum of |value| */
	pyro_stacks_release(&s);

	assert_int_equal(pyro_profile_labels(p, 1, &ls), 0);
	assert_int_equal(ls.nkeys, 2);
	for (i = 0; i < ls.nkeys; i++) {
		if (!strcmp(ls.keys[i].text, "thread")) {
			assert_int_equal(ls.keys[i].nvalues, 1);
			assert_string_equal(ls.keys[i].values[0].text, "worker");
			assert_int_equal(ls.keys[i].total, 3000000);
		} else {
			assert_string_equal(ls.keys[i].text, "bytes");
			assert_string_equal(ls.keys[i].unit, "bytes");
			assert_int_equal(ls.keys[i].values[0].num, 4096);
		}
	}
	pyro_label_set_release(&ls);
	pyro_profile_free(p);
	pyro_buf_release(&data);
}

/* The bound: a builder given 200 bytes refuses the sample that crosses
 * it, stays failed, and finish writes nothing. */
static void test_bound(void **state)
{
	struct pyro_buf out = PYRO_BUF_INIT;
	struct pyro_pbuild *b;
	uint64_t f, l;
	int i, rc = 0;

	(void)state;
	assert_int_equal(pyro_pbuild_new(200, &b), 0);
	assert_int_equal(pyro_pbuild_sample_type(b, "samples", "count"), 0);
	assert_int_equal(pyro_pbuild_function(b, "f", 1, NULL, 0, 0, &f), 0);
	assert_int_equal(pyro_pbuild_location(b, f, 0, 0, &l), 0);
	for (i = 0; i < 1000 && !rc; i++)
		rc = pyro_pbuild_sample(b, &l, 1, (int64_t[]){ i }, 1, NULL, 0);
	assert_int_equal(rc, -EFBIG);
	assert_true(i > 1 && i < 100);
	assert_int_equal(pyro_pbuild_function(b, "g", 1, NULL, 0, 0, &f), -EFBIG);
	assert_int_equal(pyro_pbuild_finish(b, &out), -EFBIG);
	assert_int_equal(out.len, 0);
	pyro_pbuild_free(b);
}

/* pprof bytes, gzip or not, and text are never taken for another format. */
static void test_pprof_not_foreign(void **state)
{
	struct pyro_buf data = PYRO_BUF_INIT;
	char err[PYRO_ERR_MAX];
	struct pyro_pbuild *b;
	uint64_t f, l;
	size_t len;

	(void)state;
	assert_int_equal(pyro_pbuild_new(1 << 20, &b), 0);
	assert_int_equal(pyro_pbuild_sample_type(b, "samples", "count"), 0);
	assert_int_equal(pyro_pbuild_function(b, "f", 1, NULL, 0, 0, &f), 0);
	assert_int_equal(pyro_pbuild_location(b, f, 0, 0, &l), 0);
	assert_int_equal(pyro_pbuild_sample(b, &l, 1, (int64_t[]){ 1 }, 1,
					    NULL, 0), 0);
	assert_int_equal(pyro_pbuild_finish(b, &data), 0);
	pyro_pbuild_free(b);
	assert_null(pyro_format_find(data.data, data.len));
	len = data.len;
	assert_int_equal(pyro_format_convert(&data, 1 << 20, err), 0);
	assert_int_equal(data.len, len);        /* left as it was */
	assert_null(pyro_format_find("main;work 5\n", 12));
	assert_null(pyro_format_find("", 0));
	pyro_buf_release(&data);
}

/* Stacks summed before writing: one id and one zeroed slot per distinct
 * stack, in order of first use, the stack copied back whole; the bound. */
static void test_stacks(void **state)
{
	struct pyro_pbuild_stacks st;
	const uint32_t a[] = { 3, 1, 4 }, b[] = { 3, 1 };
	uint32_t back[3];
	void *s1, *s2, *s3, *slot;

	(void)state;
	assert_int_equal(pyro_pbuild_stacks_init(&st, 2 * sizeof(int64_t)), 0);
	assert_int_equal(pyro_pbuild_stacks_add(&st, a, 3, SIZE_MAX, &s1), 0);
	assert_int_equal(((int64_t *)s1)[0], 0);
	assert_int_equal(((int64_t *)s1)[1], 0);
	((int64_t *)s1)[1] = 7;
	assert_int_equal(pyro_pbuild_stacks_add(&st, b, 2, SIZE_MAX, &s2), 0);
	assert_int_equal(((int64_t *)s2)[1], 0);
	((int64_t *)s2)[1] = 5;
	assert_int_equal(pyro_pbuild_stacks_add(&st, a, 3, SIZE_MAX, &s3), 0);
	((int64_t *)s3)[1] += 1;
	assert_int_equal(pyro_pbuild_stacks_count(&st), 3);
	assert_int_equal(pyro_pbuild_stacks_get(&st, 1, back, &slot), 3);
	assert_memory_equal(back, a, sizeof(a));
	assert_int_equal(((int64_t *)slot)[1], 8);
	assert_int_equal(pyro_pbuild_stacks_get(&st, 2, back, &slot), 2);
	assert_memory_equal(back, b, sizeof(b));
	assert_int_equal(((int64_t *)slot)[1], 5);
	/* Over the bound: the reader's -E2BIG, nothing added. */
	assert_int_equal(pyro_pbuild_stacks_add(&st, b, 1, 0, &slot), -E2BIG);
	assert_int_equal(pyro_pbuild_stacks_count(&st), 3);
	pyro_pbuild_stacks_release(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_pprof_not_foreign),
		cmocka_unit_test(test_stacks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
