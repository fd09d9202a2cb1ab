/*
 * test_jfr.c - the Java Flight Recorder reader (model/jfr_parse.c,
 * model/jfr_meta.c, model/fmt_jfr.c): its integers, chunk headers, metadata, strings and
 * pools, and whole recordings from tests/support/mkjfr converted and read
 * back by the real pprof decoder.  Recordings from a real JVM are checked
 * against the JDK's own reader in tests/integration/jfr.sh.
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

#include "../../model/format.h"
#include "../../model/jfr_parse.h"
#include "../../model/labels.h"
#include "../../model/profile.h"
#include "../support/fmtcheck.h"
#include "../support/mkjfr.h"

static struct pyro_jfr_rd rd(const void *p, size_t n, int compressed)
{
	return (struct pyro_jfr_rd){ p, (const unsigned char *)p + n,
				     compressed };
}

static void test_varint(void **state)
{
	static const unsigned char one[] = { 0x7f };
	static const unsigned char two[] = { 0x80, 0x01 };
	static const unsigned char nine[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	static const unsigned char cut[] = { 0x80, 0x80 };
	static const unsigned char neg_int[] = { 0xff, 0xff, 0xff, 0xff, 0x0f };
	struct pyro_jfr_rd r;
	uint64_t v;
	int64_t l;
	int32_t i;

	(void)state;
	r = rd(one, sizeof(one), 1);
	assert_int_equal(pyro_jfr_varint(&r, &v), 0);
	assert_int_equal(v, 127);
	assert_ptr_equal(r.p, r.end);
	r = rd(two, sizeof(two), 1);
	assert_int_equal(pyro_jfr_varint(&r, &v), 0);
	assert_int_equal(v, 128);
	/* The ninth byte of a long takes all eight bits. */
	r = rd(nine, sizeof(nine), 1);
	assert_int_equal(pyro_jfr_long(&r, &l), 0);
	assert_int_equal(l, -1);
	assert_ptr_equal(r.p, r.end);
	r = rd(cut, sizeof(cut), 1);
	assert_int_equal(pyro_jfr_varint(&r, &v), -EINVAL);
	/* An int is the low 32 bits, as the JDK reads it. */
	r = rd(neg_int, sizeof(neg_int), 1);
	assert_int_equal(pyro_jfr_int(&r, &i), 0);
	assert_int_equal(i, -1);
	/* Without compression, big-endian. */
	r = rd(nine, 4, 0);
	assert_int_equal(pyro_jfr_int(&r, &i), 0);
	assert_int_equal(i, -1);
	r = rd(two, sizeof(two), 0);
	assert_int_equal(pyro_jfr_long(&r, &l), -EINVAL);
}

static void test_count(void **state)
{
	static const unsigned char three[] = { 0x03, 'a', 'b', 'c' };
	static const unsigned char huge[] = { 0xff, 0xff, 0xff, 0xff, 0x07, 'a' };
	static const unsigned char negative[] = { 0xff, 0xff, 0xff, 0xff, 0x0f };
	struct pyro_jfr_rd r;
	size_t n;

	(void)state;
	r = rd(three, sizeof(three), 1);
	assert_int_equal(pyro_jfr_count(&r, &n), 0);
	assert_int_equal(n, 3);
	r = rd(three, 3, 1);            /* one byte short */
	assert_int_equal(pyro_jfr_count(&r, &n), -EOVERFLOW);
	r = rd(huge, sizeof(huge), 1);
	assert_int_equal(pyro_jfr_count(&r, &n), -EOVERFLOW);
	r = rd(negative, sizeof(negative), 1);
	assert_int_equal(pyro_jfr_count(&r, &n), -EOVERFLOW);
}

static void test_strings(void **state)
{
	/* null, empty, UTF-8, UTF-16 chars, Latin-1 (é is 0xe9). */
	static const unsigned char s[] = {
		0, 1, 3, 2, 'h', 'i', 4, 2, 0xe9, 0x01, 'x', 5, 2, 'c', 0xe9,
		9,
	};
	struct pyro_jfr_rd r = rd(s, sizeof(s), 1);
	struct pyro_buf out = PYRO_BUF_INIT;
	int is_null;

	(void)state;
	assert_int_equal(pyro_jfr_string(NULL, &r, &out, &is_null), 0);
	assert_true(is_null);
	assert_int_equal(pyro_jfr_string(NULL, &r, &out, &is_null), 0);
	assert_false(is_null);
	assert_int_equal(out.len, 0);
	assert_int_equal(pyro_jfr_string(NULL, &r, &out, &is_null), 0);
	assert_int_equal(pyro_jfr_string(NULL, &r, &out, &is_null), 0);
	assert_int_equal(pyro_jfr_string(NULL, &r, &out, &is_null), 0);
	assert_int_equal(out.len, 8);
	assert_memory_equal(out.data, "hi\xc3\xa9x" "c\xc3\xa9", 8);
	/* An unknown tag. */
	assert_int_equal(pyro_jfr_string(NULL, &r, &out, &is_null), -EINVAL);
	pyro_buf_release(&out);
}

static void test_header(void **state)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	struct pyro_jfr_header h;
	char err[PYRO_ERR_MAX] = "";

	(void)state;
	mkjfr_build(&b, MKJFR_GOOD, 1);
	assert_int_equal(pyro_jfr_header_parse((unsigned char *)b.data, b.len,
					       &h, err), 0);
	assert_int_equal(h.major, 2);
	assert_int_equal(h.size, b.len);
	assert_int_equal(h.ticks_per_second, 1000000);
	assert_int_equal(h.features & 1, 1);
	assert_int_equal(h.start_nanos, 1795515300000000000LL);
	/* One byte short of the chunk's size. */
	assert_int_equal(pyro_jfr_header_parse((unsigned char *)b.data,
					       b.len - 1, &h, err), -EINVAL);
	assert_non_null(strstr(err, "truncated"));
	assert_int_equal(pyro_jfr_header_parse((unsigned char *)b.data, 67,
					       &h, err), -EINVAL);
	b.data[5] = 9;          /* major version 9 */
	assert_int_equal(pyro_jfr_header_parse((unsigned char *)b.data, b.len,
					       &h, err), -EINVAL);
	assert_string_equal(err, "version 9.1 not supported");
	b.data[5] = 2;
	memset(b.data + 8, 0, 8);       /* size 0: the JVM is still writing */
	assert_int_equal(pyro_jfr_header_parse((unsigned char *)b.data, b.len,
					       &h, err), -EINVAL);
	assert_string_equal(err, "unfinished chunk (size 0)");
	b.data[0] = 'G';
	assert_int_equal(pyro_jfr_header_parse((unsigned char *)b.data, b.len,
					       &h, err), -EINVAL);
	assert_string_equal(err, "no FLR magic");
	pyro_buf_release(&b);
}

static const struct pyro_jfr_field *field(const struct pyro_jfr_chunk *c,
					  const struct pyro_jfr_class *cls,
					  size_t i)
{
	assert_true(i < cls->nfields);
	return &c->meta.fields[cls->field0 + i];
}

static void test_metadata_and_pools(void **state)
{
	struct pyro_buf b = PYRO_BUF_INIT, s = PYRO_BUF_INIT;
	const struct pyro_jfr_class *cls;
	const struct pyro_jfr_field *f;
	struct pyro_jfr_chunk c;
	struct pyro_jfr_rd at;
	size_t budget = 1 << 20;
	char err[PYRO_ERR_MAX] = "";
	int is_null;

	(void)state;
	mkjfr_build(&b, MKJFR_GOOD, 1);
	assert_int_equal(pyro_jfr_chunk_open((unsigned char *)b.data, b.len,
					     &budget, &c, err), 0);
	assert_int_equal(c.meta.nclasses, 14);
	cls = pyro_jfr_class_by_name(&c.meta, "jdk.ExecutionSample");
	assert_non_null(cls);
	assert_int_equal(cls->id, 40);
	assert_ptr_equal(pyro_jfr_class_by_id(&c.meta, 40), cls);
	assert_int_equal(cls->nfields, 3);
	assert_string_equal(field(&c, cls, 1)->name, "sampledThread");
	assert_true(field(&c, cls, 1)->cp);
	assert_int_equal(pyro_jfr_class_by_name(&c.meta, "long")->kind,
			 PYRO_JFR_LONG);
	assert_int_equal(pyro_jfr_class_by_name(&c.meta, "java.lang.String")->kind,
			 PYRO_JFR_STRING);
	cls = pyro_jfr_class_by_name(&c.meta, "jdk.types.StackTrace");
	assert_true(field(&c, cls, 1)->array);
	assert_null(pyro_jfr_class_by_id(&c.meta, 999));
	assert_int_equal(c.string_class, 23);
	/* The pools: 1 + 2 + 2 + 3 + 2 + 2 entries; the budget paid for the
	 * index. */
	assert_int_equal(c.cp_used, 12);
	assert_true(budget < (1 << 20));
	/* Method 2's name is a pooled string: followed. */
	cls = pyro_jfr_class_by_name(&c.meta, "jdk.types.Method");
	assert_int_equal(pyro_jfr_cp_get(&c, cls->id, 2, &at), 0);
	assert_int_equal(pyro_jfr_seek(&c, &at, cls, "name", &f), 0);
	assert_int_equal(pyro_jfr_string(&c, &at, &s, &is_null), 0);
	assert_int_equal(s.len, 4);
	assert_memory_equal(s.data, "work", 4);
	assert_int_equal(pyro_jfr_seek(&c, &at, cls, "nothing", &f), -ENOENT);
	/* A missing key reads as null. */
	assert_int_equal(pyro_jfr_cp_get(&c, cls->id, 99, &at), 1);
	/* A class's name through its Symbol. */
	cls = pyro_jfr_class_by_name(&c.meta, "java.lang.Class");
	assert_int_equal(pyro_jfr_cp_get(&c, cls->id, 2, &at), 0);
	pyro_buf_truncate(&s, 0);
	assert_int_equal(pyro_jfr_seek(&c, &at, cls, "name", &f), 0);
	{
		struct pyro_jfr_rd sym;

		assert_int_equal(pyro_jfr_deref(&c, &at, f, &sym), 0);
		assert_int_equal(pyro_jfr_text(&c, &sym, pyro_jfr_class_by_id(
					       &c.meta, f->type), &s, &is_null), 0);
	}
	assert_int_equal(s.len, 13);
	assert_memory_equal(s.data, "app/util/Spin", 13);
	pyro_jfr_chunk_release(&c);

	/* A budget too small for the index. */
	budget = 100;
	assert_int_equal(pyro_jfr_chunk_open((unsigned char *)b.data, b.len,
					     &budget, &c, err), -EFBIG);
	pyro_jfr_chunk_release(&c);
	pyro_buf_release(&s);
	pyro_buf_release(&b);
}

/* Values of a class with no fields take no bytes: an array of arrays of
 * them is its counts only, and skipping it does not loop count x count. */
static void test_skip_empty(void **state)
{
	struct pyro_jfr_class classes[] = {
		{ 1, "Empty", PYRO_JFR_STRUCT, 0, 0 },
		{ 2, "Outer", PYRO_JFR_STRUCT, 0, 1 },
	};
	struct pyro_jfr_field fields[] = {
		{ "items", 1, 0, 1 },           /* Outer: Empty[] */
		{ "all", 2, 0, 1 },             /* Outer[] */
	};
	/* 3 Outers of 3, 2 and 1 Empties (a count may not pass the bytes
	 * left), then one more byte. */
	static const unsigned char in[] = { 3, 3, 2, 1, 0xaa };
	struct pyro_jfr_chunk c;
	struct pyro_jfr_rd r = rd(in, sizeof(in), 1);

	(void)state;
	memset(&c, 0, sizeof(c));
	c.meta.classes = classes;
	c.meta.nclasses = 2;
	c.meta.fields = fields;
	c.meta.nfields = 2;
	assert_int_equal(pyro_jfr_skip_field(&c, &r, &fields[1]), 0);
	assert_ptr_equal(r.p, in + 4);
}

/* The thread_name label of type `type`: "worker" (the thread's Java name)
 * with worker_total, "os-thread" (no Java name: its OS name) with
 * os_total. */
static void expect_threads(const struct pyro_profile *p, size_t type,
			   int64_t worker_total, int64_t os_total)
{
	struct pyro_label_set ls;
	size_t i;

	assert_int_equal(pyro_profile_labels(p, type, &ls), 0);
	assert_int_equal(ls.nkeys, 1);
	assert_string_equal(ls.keys[0].text, "thread_name");
	assert_int_equal(ls.keys[0].nvalues, 2);
	for (i = 0; i < 2; i++) {
		if (!strcmp(ls.keys[0].values[i].text, "worker")) {
			assert_int_equal(ls.keys[0].values[i].total,
					 worker_total);
		} else {
			assert_string_equal(ls.keys[0].values[i].text,
					    "os-thread");
			assert_int_equal(ls.keys[0].values[i].total, os_total);
		}
	}
	pyro_label_set_release(&ls);
}

/* Type `type` of p is lines (pyro_test_fmt_lines). */
static void expect_lines(const struct pyro_profile *p, size_t type,
			 const char *lines)
{
	struct pyro_buf out = PYRO_BUF_INIT;

	assert_int_equal(pyro_test_fmt_lines(p, type, &out), 0);
	assert_string_equal(out.data ? out.data : "", lines);
	pyro_buf_release(&out);
}

static void test_convert(void **state)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	struct pyro_profile_header h;
	struct pyro_profile *p;
	char err[PYRO_ERR_MAX] = "";

	(void)state;
	mkjfr_build(&b, MKJFR_GOOD, 2);
	assert_non_null(pyro_format_find(b.data, b.len));
	assert_int_equal(pyro_format_convert(&b, 1 << 20, err), 0);
	assert_null(pyro_format_find(b.data, b.len));

	assert_int_equal(pyro_profile_peek_data(b.data, b.len, &h, err), 0);
	assert_int_equal(h.ntypes, 3);
	assert_string_equal(h.types[0].type, "cpu");
	assert_string_equal(h.types[0].unit, "nanoseconds");
	assert_string_equal(h.types[1].type, "mutex_count");
	assert_string_equal(h.types[1].unit, "count");
	assert_string_equal(h.types[2].type, "mutex_duration");
	assert_string_equal(h.types[2].unit, "nanoseconds");
	assert_string_equal(h.period_type.type, "cpu");
	assert_int_equal(h.period, 20000000);   /* the recording's setting */
	/* Two chunks of one second each. */
	assert_int_equal(h.time_nanos, 1795515300000000000LL);
	assert_int_equal(h.duration_nanos, 2000000000LL);
	pyro_profile_header_release(&h);

	assert_int_equal(pyro_profile_decode(b.data, b.len, &p, err), 0);
	expect_lines(p, 0,
		"app.Main.main:3;app.Main.work:12 120000000\n"
		"app.Main.main:3;app.Main.work:14;app.util.Spin.spin:7 40000000\n");
	expect_lines(p, 1,
		"app.Main.main:3;app.Main.work:14;app.util.Spin.spin:7 2\n");
	expect_lines(p, 2,      /* 2000 ticks at 1e6 a second, twice */
		"app.Main.main:3;app.Main.work:14;app.util.Spin.spin:7 4000000\n");
	expect_threads(p, 0, 120000000, 40000000);
	pyro_profile_free(p);
	pyro_buf_release(&b);
}

/* async-profiler's wall-clock samples: a `wall` type, samples x the
 * recording's wall interval (50 ms, not the 20 ms of jdk.ExecutionSample),
 * threads as labels; the recording's jdk.ExecutionSample events (its
 * "event" setting says "wall") stay `cpu` as before, and the profile's
 * period stays the CPU one. */
static void test_wall(void **state)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	struct pyro_profile_header h;
	struct pyro_profile *p;
	char err[PYRO_ERR_MAX] = "";

	(void)state;
	mkjfr_build(&b, MKJFR_WALL, 2);
	assert_int_equal(pyro_format_convert(&b, 1 << 20, err), 0);
	assert_int_equal(pyro_profile_peek_data(b.data, b.len, &h, err), 0);
	assert_int_equal(h.ntypes, 4);
	assert_string_equal(h.types[3].type, "wall");
	assert_string_equal(h.types[3].unit, "nanoseconds");
	assert_string_equal(h.period_type.type, "cpu");
	assert_int_equal(h.period, 20000000);
	pyro_profile_header_release(&h);

	assert_int_equal(pyro_profile_decode(b.data, b.len, &p, err), 0);
	expect_lines(p, 0,
		"app.Main.main:3;app.Main.work:12 120000000\n"
		"app.Main.main:3;app.Main.work:14;app.util.Spin.spin:7 40000000\n");
	expect_lines(p, 3,      /* (4) and (2 + 1) x 50 ms, twice */
		"app.Main.main:3;app.Main.work:12 400000000\n"
		"app.Main.main:3;app.Main.work:14;app.util.Spin.spin:7 300000000\n");
	expect_threads(p, 3, 500000000, 200000000);
	pyro_profile_free(p);
	pyro_buf_release(&b);
}

/* Every copy of setting value `from` in b made `to` (same length). */
static void patch(struct pyro_buf *b, const char *from, const char *to)
{
	size_t n = strlen(from), i, hits = 0;

	for (i = 0; i + n <= b->len; i++)
		if (!memcmp(b->data + i, from, n)) {
			memcpy(b->data + i, to, n);
			hits++;
		}
	assert_int_equal(hits, 2);      /* one a chunk */
}

/* The wall interval's fallbacks: a value that does not parse is no
 * setting; then jdk.ExecutionSample's "interval", then 50 ms. */
static void test_wall_interval(void **state)
{
	static const struct {
		const char *wall, *exec, *folded;
	} cases[] = {
		{ "5000000x", "20000000",
		  "app.Main.main:3;app.Main.work:12 160000000\n"
		  "app.Main.main:3;app.Main.work:14;app.util.Spin.spin:7 "
		  "120000000\n" },
		{ "5000000x", "2000000x",
		  "app.Main.main:3;app.Main.work:12 400000000\n"
		  "app.Main.main:3;app.Main.work:14;app.util.Spin.spin:7 "
		  "300000000\n" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pyro_buf b = PYRO_BUF_INIT;

		mkjfr_build(&b, MKJFR_WALL, 2);
		patch(&b, "50000000", cases[i].wall);
		patch(&b, "20000000", cases[i].exec);
		assert_int_equal(pyro_test_fmt_expect_lines(b.data, b.len,
							    1 << 20, 3,
							    cases[i].folded), 0);
		pyro_buf_release(&b);
	}
}

/* async-profiler states its CPU interval as a bare "interval" of
 * jdk.ExecutionSample, not the JDK's "period" with a unit: without a
 * period, the interval (here 30 ms) values each execution sample. */
static void test_cpu_interval(void **state)
{
	struct pyro_buf b = PYRO_BUF_INIT;

	(void)state;
	mkjfr_build(&b, MKJFR_WALL, 2);
	patch(&b, "20 ms", "zz ms");            /* no JDK period */
	patch(&b, "20000000", "30000000");      /* async-profiler's interval */
	assert_int_equal(pyro_test_fmt_expect_lines(b.data, b.len, 1 << 20, 0,
		/* test_wall's samples at 30 ms */
		"app.Main.main:3;app.Main.work:12 180000000\n"
		"app.Main.main:3;app.Main.work:14;app.util.Spin.spin:7 60000000\n"),
		0);
	pyro_buf_release(&b);
}

/* Each flaw fails the file with its reason, and leaves the bytes as
 * they were. */
static void test_flaws(void **state)
{
	static const struct {
		enum mkjfr_flaw flaw;
		const char *err;
	} cases[] = {
		{ MKJFR_CP_CYCLE, "JFR: chunk 1: jdk.ExecutionSample event at "
		  "offset 88: references or nesting deeper than 32 (a loop?)" },
		{ MKJFR_HUGE_COUNT, "JFR: chunk 1 (offset 0): constant pool of "
		  "jdk.types.StackTrace: a count larger than the bytes left" },
		{ MKJFR_BAD_META, "JFR: chunk 1 (offset 0): metadata: field "
		  "gcId has unknown class 999" },
		{ MKJFR_TRUNCATED, "truncated" },
		{ MKJFR_BAD_EVENT, "JFR: chunk 1 (offset 0): bad event size at "
		  "offset 123" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pyro_buf b = PYRO_BUF_INIT;
		char err[PYRO_ERR_MAX] = "";
		size_t len;

		mkjfr_build(&b, cases[i].flaw, 2);
		len = b.len;
		assert_int_not_equal(pyro_format_convert(&b, 1 << 20, err), 0);
		if (cases[i].flaw == MKJFR_TRUNCATED)
			assert_non_null(strstr(err, "JFR: chunk 2 (offset "));
		else
			assert_string_equal(err, cases[i].err);
		assert_non_null(strstr(err, cases[i].err));
		assert_int_equal(b.len, len);
		assert_memory_equal(b.data, "FLR", 4);
		pyro_buf_release(&b);
	}
}

/* The output is bounded by max_size like an inflated profile. */
static void test_bound(void **state)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	char err[PYRO_ERR_MAX] = "";

	(void)state;
	mkjfr_build(&b, MKJFR_GOOD, 2);
	assert_int_equal(pyro_format_convert(&b, 64, err), -EFBIG);
	assert_string_equal(err, "JFR: as pprof it is over max_profile_size "
			    "(64 bytes)");
	pyro_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_varint),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_metadata_and_pools),
		cmocka_unit_test(test_skip_empty),
		cmocka_unit_test(test_convert),
		cmocka_unit_test(test_wall),
		cmocka_unit_test(test_wall_interval),
		cmocka_unit_test(test_cpu_interval),
		cmocka_unit_test(test_flaws),
		cmocka_unit_test(test_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
