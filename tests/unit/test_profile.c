/*
 * test_profile.c - reading, peeking and decoding pprof files (model/profile.c).
 *
 * Profiles are written by tests/support/mkprof into a temp directory that
 * the group setup creates and the group teardown removes (it runs even when
 * a case fails).  Malformed profiles are made by corrupting one field of
 * the message before packing; each case checks the return code and the
 * exact one-line reason that /.pyrofs/errors would show.  Decoded stacks
 * are compared as text (mkprof_stacks_text: sorted, "^" inline, "=node").
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

#include "../../model/profile.h"
#include "../support/fixture.h"

#define SEC 1000000000LL
#define MB (1024 * 1024)

/* ---- fixture and helpers ------------------------------------------------ */

/* The group state: a temp directory (fixture.h) for files of the cases. */
static int group_setup(void **state)
{
	return fixture_setup(state, NULL, FIXTURE_DIR);
}

/* path = the temp directory / name */
static void path_of(void **state, const char *name, char path[MKPROF_PATH_MAX])
{
	mkprof_join(path, fixture_root(state), name);
}

static void write_bytes(void **state, const char *name, const void *data,
			size_t len, char path[MKPROF_PATH_MAX])
{
	path_of(state, name, path);
	assert_int_equal(mkprof_write_file(path, data, len), 0);
}

/* A Go CPU profile: samples/count + cpu/nanoseconds. */
static struct mkprof *go_cpu(void)
{
	return fixture_go_cpu(1795664261 * SEC);
}

static struct pyro_profile *decode_ok(struct mkprof *p)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	struct pyro_profile *prof = NULL;
	char err[PYRO_ERR_MAX] = "";

	assert_int_equal(mkprof_pack(p, &b), 0);
	if (pyro_profile_decode(b.data, b.len, &prof, err))
		fail_msg("decode failed: %s", err);
	pyro_buf_release(&b);
	return prof;
}

/* The stacks of sample type index of prof, as text. */
static void check_stacks(const struct pyro_profile *prof, size_t index,
			 const char *expected)
{
	struct pyro_stacks s;
	struct pyro_buf text = PYRO_BUF_INIT;
	char err[PYRO_ERR_MAX] = "";

	assert_int_equal(pyro_profile_stacks(prof, index, &s, err), 0);
	assert_int_equal(mkprof_stacks_text(&s, &text), 0);
	assert_string_equal(text.data ? text.data : "", expected);
	pyro_buf_release(&text);
	pyro_stacks_release(&s);
}

/* Decoding p fails with rc and exactly msg; frees p. */
static void expect_decode_error(struct mkprof *p, int rc, const char *msg)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	struct pyro_profile *prof = (struct pyro_profile *)&b;
	char err[PYRO_ERR_MAX] = "";

	assert_int_equal(mkprof_pack(p, &b), 0);
	assert_int_equal(pyro_profile_decode(b.data, b.len, &prof, err), rc);
	assert_null(prof);
	assert_string_equal(err, msg);
	pyro_buf_release(&b);
	mkprof_free(p);
}

/* Peeking at p succeeds (the header is valid). */
static void expect_peek_ok(struct mkprof *p)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	struct pyro_profile_header h;
	char err[PYRO_ERR_MAX] = "";

	assert_int_equal(mkprof_pack(p, &b), 0);
	if (pyro_profile_peek_data(b.data, b.len, &h, err))
		fail_msg("peek failed: %s", err);
	pyro_profile_header_release(&h);
	pyro_buf_release(&b);
}

/* ---- reading: gzip or raw ------------------------------------------------ */

static void test_gzip_and_raw(void **state)
{
	struct mkprof *p = go_cpu();
	struct pyro_buf packed = PYRO_BUF_INIT, a = PYRO_BUF_INIT, b = PYRO_BUF_INIT;
	struct pyro_profile_header ha, hb;
	struct pyro_profile *pa, *pb;
	char raw[MKPROF_PATH_MAX], gz[MKPROF_PATH_MAX], err[PYRO_ERR_MAX];
	int ca = -1, cb = -1;

	mkprof_sample(p, (int64_t[]){ 3, 30 }, "main;handle;work");
	mkprof_sample(p, (int64_t[]){ 1, 10 }, "main;handle+parse");
	path_of(state, "cpu.pb", raw);
	path_of(state, "cpu.pb.gz", gz);
	assert_int_equal(mkprof_write(p, raw, 0), 0);
	assert_int_equal(mkprof_write(p, gz, 1), 0);
	assert_int_equal(mkprof_pack(p, &packed), 0);
	mkprof_free(p);

	assert_int_equal(pyro_profile_read(raw, MB, &a, &ca, err), 0);
	assert_int_equal(pyro_profile_read(gz, MB, &b, &cb, err), 0);
	assert_int_equal(ca, 0);
	assert_int_equal(cb, 1);
	assert_int_equal(a.len, packed.len);
	assert_int_equal(b.len, packed.len);
	assert_memory_equal(a.data, packed.data, packed.len);
	assert_memory_equal(b.data, packed.data, packed.len);

	assert_int_equal(pyro_profile_peek(raw, MB, &ha, err), 0);
	assert_int_equal(pyro_profile_peek(gz, MB, &hb, err), 0);
	assert_int_equal(ha.compressed, 0);
	assert_int_equal(hb.compressed, 1);
	assert_int_equal(ha.ntypes, hb.ntypes);
	assert_string_equal(ha.types[1].type, hb.types[1].type);
	assert_int_equal(ha.time_nanos, hb.time_nanos);
	pyro_profile_header_release(&ha);
	pyro_profile_header_release(&hb);

	assert_int_equal(pyro_profile_load(raw, MB, &pa, err), 0);
	assert_int_equal(pyro_profile_load(gz, MB, &pb, err), 0);
	check_stacks(pa, 1, "main;handle;^parse 10\nmain;handle;work 30\n");
	check_stacks(pb, 1, "main;handle;^parse 10\nmain;handle;work 30\n");
	pyro_profile_free(pa);
	pyro_profile_free(pb);
	pyro_buf_release(&packed);
	pyro_buf_release(&a);
	pyro_buf_release(&b);
}

/* Content decides, not the name. */
static void test_gz_name_not_gzipped(void **state)
{
	struct mkprof *p = go_cpu();
	struct pyro_profile_header h;
	char path[MKPROF_PATH_MAX], err[PYRO_ERR_MAX];

	mkprof_sample(p, (int64_t[]){ 1, 10 }, "main");
	path_of(state, "plain.pb.gz", path);
	assert_int_equal(mkprof_write(p, path, 0), 0);
	mkprof_free(p);
	assert_int_equal(pyro_profile_peek(path, MB, &h, err), 0);
	assert_int_equal(h.compressed, 0);
	assert_int_equal(h.ntypes, 2);
	pyro_profile_header_release(&h);
}

static void test_empty_file(void **state)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	struct pyro_profile_header h;
	char path[MKPROF_PATH_MAX], err[PYRO_ERR_MAX] = "";
	int c;

	write_bytes(state, "empty.pb.gz", "", 0, path);
	assert_int_equal(pyro_profile_read(path, MB, &b, &c, err), -EINVAL);
	assert_string_equal(err, "empty file");
	assert_int_equal(pyro_profile_peek(path, MB, &h, err), -EINVAL);
	assert_string_equal(err, "empty file");
	pyro_buf_release(&b);
}

static void test_missing_file(void **state)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	char path[MKPROF_PATH_MAX], err[PYRO_ERR_MAX] = "";
	int c;

	path_of(state, "no-such-file", path);
	assert_int_equal(pyro_profile_read(path, MB, &b, &c, err), -ENOENT);
	assert_string_equal(err, "open: No such file or directory");
	pyro_buf_release(&b);
}

/* Cut in the deflate data and cut before the trailer: both truncated. */
static void test_truncated_gzip(void **state)
{
	struct mkprof *p = go_cpu();
	struct pyro_buf raw = PYRO_BUF_INIT, gz = PYRO_BUF_INIT, out = PYRO_BUF_INIT;
	struct pyro_profile_header h;
	char path[MKPROF_PATH_MAX], err[PYRO_ERR_MAX] = "";
	int c;

	mkprof_sample(p, (int64_t[]){ 1, 10 }, "main;handle");
	assert_int_equal(mkprof_pack(p, &raw), 0);
	mkprof_free(p);
	assert_int_equal(mkprof_gzip(raw.data, raw.len, &gz), 0);
	assert_true(gz.len > 28);

	write_bytes(state, "cut20.pb.gz", gz.data, 20, path);
	assert_int_equal(pyro_profile_read(path, MB, &out, &c, err), -EIO);
	assert_string_equal(err, "truncated gzip data");
	assert_int_equal(pyro_profile_peek(path, MB, &h, err), -EIO);
	assert_string_equal(err, "truncated gzip data");

	write_bytes(state, "notrailer.pb.gz", gz.data, gz.len - 4, path);
	strcpy(err, "");
	assert_int_equal(pyro_profile_read(path, MB, &out, &c, err), -EIO);
	assert_string_equal(err, "truncated gzip data");

	/* The magic alone. */
	write_bytes(state, "magic.pb.gz", gz.data, 2, path);
	assert_int_equal(pyro_profile_read(path, MB, &out, &c, err), -EIO);
	assert_string_equal(err, "truncated gzip data");

	pyro_buf_release(&out);
	pyro_buf_release(&raw);
	pyro_buf_release(&gz);
}

/* Gzip that inflates to text, and raw text: not profiles. */
static void test_garbage(void **state)
{
	static const char text[] = "not a profile\n";
	struct pyro_buf gz = PYRO_BUF_INIT;
	struct pyro_profile_header h;
	struct pyro_profile *prof;
	char path[MKPROF_PATH_MAX], err[PYRO_ERR_MAX] = "";

	assert_int_equal(mkprof_gzip(text, strlen(text), &gz), 0);
	write_bytes(state, "text.pb.gz", gz.data, gz.len, path);
	assert_int_equal(pyro_profile_peek(path, MB, &h, err), -EINVAL);
	assert_string_equal(err, "not a pprof profile (invalid protobuf wire format)");
	assert_int_equal(pyro_profile_load(path, MB, &prof, err), -EINVAL);
	assert_null(prof);
	assert_string_equal(err, "not a pprof profile (protobuf does not decode as a Profile)");

	write_bytes(state, "notes.txt", text, strlen(text), path);
	assert_int_equal(pyro_profile_peek(path, MB, &h, err), -EINVAL);
	assert_string_equal(err, "not a pprof profile (invalid protobuf wire format)");
	assert_int_equal(pyro_profile_load(path, MB, &prof, err), -EINVAL);
	assert_string_equal(err, "not a pprof profile (protobuf does not decode as a Profile)");
	pyro_buf_release(&gz);
}

/* 10 MB of zeros gzip to ~10 kB; with max 1 MB they are refused without
 * inflating them whole. */
static void test_gzip_bomb(void **state)
{
	const size_t n = 10 * MB;
	char *zeros = calloc(1, n);
	struct pyro_buf gz = PYRO_BUF_INIT, out = PYRO_BUF_INIT;
	char path[MKPROF_PATH_MAX], err[PYRO_ERR_MAX] = "";
	int c;

	assert_non_null(zeros);
	assert_int_equal(mkprof_gzip(zeros, n, &gz), 0);
	free(zeros);
	assert_true(gz.len < 64 * 1024);
	write_bytes(state, "bomb.pb.gz", gz.data, gz.len, path);
	assert_int_equal(pyro_profile_read(path, MB, &out, &c, err), -EFBIG);
	assert_string_equal(err, "decompressed size exceeds max_profile_size (1048576 bytes)");
	assert_true(out.len <= MB + 1);
	pyro_buf_release(&out);
	pyro_buf_release(&gz);

	/* A raw file over the limit. */
	zeros = calloc(1, 2 * MB);
	assert_non_null(zeros);
	write_bytes(state, "big.pb", zeros, 2 * MB, path);
	free(zeros);
	assert_int_equal(pyro_profile_read(path, MB, &out, &c, err), -EFBIG);
	assert_string_equal(err, "file exceeds max_profile_size (1048576 bytes)");
	pyro_buf_release(&out);
}

/* The limit is exact: max_profile_size bytes inflate, one more is refused,
 * and refusing allocates no more than the limit (and the NUL) either. */
static void test_gzip_limit_exact(void **state)
{
	char *zeros = calloc(1, MB + 1);
	struct pyro_buf gz = PYRO_BUF_INIT, out = PYRO_BUF_INIT;
	char path[MKPROF_PATH_MAX], err[PYRO_ERR_MAX] = "";
	int c;

	assert_non_null(zeros);
	assert_int_equal(mkprof_gzip(zeros, MB, &gz), 0);
	write_bytes(state, "exact.pb.gz", gz.data, gz.len, path);
	assert_int_equal(pyro_profile_read(path, MB, &out, &c, err), 0);
	assert_int_equal(out.len, MB);
	assert_true(out.cap <= MB + 2);
	pyro_buf_release(&out);

	gz.len = 0;
	assert_int_equal(mkprof_gzip(zeros, MB + 1, &gz), 0);
	write_bytes(state, "over.pb.gz", gz.data, gz.len, path);
	assert_int_equal(pyro_profile_read(path, MB, &out, &c, err), -EFBIG);
	assert_string_equal(err, "decompressed size exceeds max_profile_size (1048576 bytes)");
	assert_int_equal(out.len, MB + 1);
	assert_true(out.cap <= MB + 2);
	pyro_buf_release(&out);

	/* The same bytes as two members: the limit is on the whole. */
	gz.len = 0;
	assert_int_equal(mkprof_gzip(zeros, MB / 2, &gz), 0);
	assert_int_equal(mkprof_gzip(zeros, MB / 2 + 1, &gz), 0);
	write_bytes(state, "over2.pb.gz", gz.data, gz.len, path);
	assert_int_equal(pyro_profile_read(path, MB, &out, &c, err), -EFBIG);
	assert_int_equal(out.len, MB + 1);
	pyro_buf_release(&out);
	free(zeros);
	pyro_buf_release(&gz);
}

/* A trailer's ISIZE is a hint: a forged one is neither trusted for the
 * allocation (more than deflate can make of the file) nor accepted. */
static void test_gzip_forged_isize(void **state)
{
	struct pyro_buf gz = PYRO_BUF_INIT, out = PYRO_BUF_INIT;
	char path[MKPROF_PATH_MAX], err[PYRO_ERR_MAX] = "";
	uint32_t isize = 1000000;       /* little-endian below */
	int c;

	assert_int_equal(mkprof_gzip("x", 1, &gz), 0);
	gz.data[gz.len - 4] = (char)(isize & 0xff);
	gz.data[gz.len - 3] = (char)(isize >> 8 & 0xff);
	gz.data[gz.len - 2] = (char)(isize >> 16 & 0xff);
	gz.data[gz.len - 1] = (char)(isize >> 24);
	write_bytes(state, "forged.pb.gz", gz.data, gz.len, path);
	assert_int_equal(pyro_profile_read(path, MB, &out, &c, err), -EIO);
	assert_string_equal(err, "corrupt gzip data (incorrect length check)");
	assert_true(out.cap < isize);
	pyro_buf_release(&out);
	pyro_buf_release(&gz);
}

/* Bytes after a member that are no gzip header: corrupt, as gzip -t says,
 * whether garbage or zeros; a second member cut short: truncated. */
static void test_gzip_trailing(void **state)
{
	struct pyro_buf gz = PYRO_BUF_INIT, out = PYRO_BUF_INIT;
	char path[MKPROF_PATH_MAX], err[PYRO_ERR_MAX] = "";
	size_t one;
	int c;

	assert_int_equal(mkprof_gzip("hello", 5, &gz), 0);
	one = gz.len;
	assert_int_equal(pyro_buf_add(&gz, "garbage!", 8), 0);
	write_bytes(state, "garbage.pb.gz", gz.data, gz.len, path);
	assert_int_equal(pyro_profile_read(path, MB, &out, &c, err), -EIO);
	assert_string_equal(err, "corrupt gzip data (incorrect header check)");

	memset(gz.data + one, 0, 8);
	write_bytes(state, "zeros.pb.gz", gz.data, gz.len, path);
	assert_int_equal(pyro_profile_read(path, MB, &out, &c, err), -EIO);
	assert_string_equal(err, "corrupt gzip data (incorrect header check)");

	gz.len = one;
	assert_int_equal(mkprof_gzip("world", 5, &gz), 0);
	write_bytes(state, "two.pb.gz", gz.data, gz.len, path);
	out.len = 0;
	assert_int_equal(pyro_profile_read(path, MB, &out, &c, err), 0);
	assert_int_equal(out.len, 10);
	assert_memory_equal(out.data, "helloworld", 10);
	write_bytes(state, "twocut.pb.gz", gz.data, gz.len - 3, path);
	out.len = 0;
	assert_int_equal(pyro_profile_read(path, MB, &out, &c, err), -EIO);
	assert_string_equal(err, "truncated gzip data");
	pyro_buf_release(&out);
	pyro_buf_release(&gz);
}

/* ---- validation ------------------------------------------------------------ */

static struct mkprof *small(void)
{
	struct mkprof *p = go_cpu();

	mkprof_sample(p, (int64_t[]){ 1, 10 }, "main;handle");
	mkprof_sample(p, (int64_t[]){ 2, 20 }, "main;work");
	return p;
}

static void test_missing_location(void **state)
{
	struct mkprof *p = small();

	mkprof_message(p)->sample[1]->location_id[0] = 99;
	expect_peek_ok(p);      /* the header is fine: only decoding fails */
	expect_decode_error(p, -EINVAL,
			    "malformed profile: sample 1 references missing location 99");
}

static void test_missing_function(void **state)
{
	struct mkprof *p = small();

	mkprof_message(p)->location[1]->line[0]->function_id = 42;
	expect_decode_error(p, -EINVAL,
			    "malformed profile: location 2 references missing function 42");
}

static void test_missing_mapping(void **state)
{
	struct mkprof *p = small();

	mkprof_message(p)->location[0]->mapping_id = 7;
	expect_decode_error(p, -EINVAL,
			    "malformed profile: location 1 references missing mapping 7");
}

static void test_function_id_zero(void **state)
{
	struct mkprof *p = small();

	mkprof_message(p)->function[0]->id = 0;
	expect_decode_error(p, -EINVAL,
			    "malformed profile: function with reserved id 0");
}

static void test_duplicate_location(void **state)
{
	struct mkprof *p = small();

	mkprof_message(p)->location[2]->id = 1;
	expect_decode_error(p, -EINVAL, "malformed profile: duplicate location id 1");
}

static void test_value_count(void **state)
{
	struct mkprof *p = small();

	mkprof_message(p)->sample[0]->n_value = 1;
	expect_decode_error(p, -EINVAL,
			    "malformed profile: sample 0 has 1 values for 2 sample types");
}

/* Location ids 1..n take a shortcut (profile.c, dense_loc_ids): an id 0
 * or one past n must still be refused, and errors still come in sample
 * order whichever check finds them. */
static void test_location_id_zero(void **state)
{
	struct mkprof *p = small();

	mkprof_message(p)->sample[0]->location_id[1] = 0;
	expect_decode_error(p, -EINVAL,
			    "malformed profile: sample 0 references missing location 0");
}

static void test_location_id_past_dense(void **state)
{
	struct mkprof *p = small();
	Pprof__Profile *m = mkprof_message(p);
	char expected[PYRO_ERR_MAX];

	m->sample[1]->location_id[0] = m->n_location + 1;
	snprintf(expected, sizeof(expected),
		 "malformed profile: sample 1 references missing location %zu",
		 m->n_location + 1);
	expect_decode_error(p, -EINVAL, expected);
}

static void test_errors_in_sample_order(void **state)
{
	struct mkprof *p = small();

	mkprof_message(p)->sample[0]->n_value = 1;
	mkprof_message(p)->sample[1]->location_id[0] = 99;
	expect_decode_error(p, -EINVAL,
			    "malformed profile: sample 0 has 1 values for 2 sample types");
	p = small();
	mkprof_message(p)->sample[0]->location_id[0] = 99;
	mkprof_message(p)->sample[1]->n_value = 1;
	expect_decode_error(p, -EINVAL,
			    "malformed profile: sample 0 references missing location 99");
}

static void test_string_index(void **state)
{
	struct mkprof *p = small();
	Pprof__Profile *m = mkprof_message(p);
	char msg[PYRO_ERR_MAX];

	m->function[0]->name = 1000;
	snprintf(msg, sizeof(msg),
		 "bad protobuf: function name string index 1000 outside the string table (%zu entries)",
		 m->n_string_table);
	expect_decode_error(p, -EINVAL, msg);

	p = small();
	m = mkprof_message(p);
	m->sample_type[1]->unit = -1;
	snprintf(msg, sizeof(msg),
		 "bad protobuf: sample unit string index -1 outside the string table (%zu entries)",
		 m->n_string_table);
	expect_decode_error(p, -EINVAL, msg);
}

static void test_not_a_profile(void **state)
{
	struct mkprof *p = small();

	mkprof_message(p)->n_string_table = 0;
	expect_decode_error(p, -EINVAL,
			    "not a pprof profile (string table must start with \"\")");

	p = mkprof_new();
	expect_decode_error(p, -EINVAL,
			    "not a pprof profile (no sample types and no period type)");
}

/* ---- header peek ---------------------------------------------------------- */

static void test_peek_header(void **state)
{
	struct mkprof *p = go_cpu();
	struct pyro_profile_header h;
	char path[MKPROF_PATH_MAX], err[PYRO_ERR_MAX];

	mkprof_default_type(p, "cpu");
	mkprof_sample(p, (int64_t[]){ 1, 10 }, "main");
	path_of(state, "hdr.pb.gz", path);
	assert_int_equal(mkprof_write(p, path, 1), 0);
	mkprof_free(p);

	assert_int_equal(pyro_profile_peek(path, MB, &h, err), 0);
	assert_int_equal(h.ntypes, 2);
	assert_string_equal(h.types[0].type, "samples");
	assert_string_equal(h.types[0].unit, "count");
	assert_string_equal(h.types[1].type, "cpu");
	assert_string_equal(h.types[1].unit, "nanoseconds");
	assert_string_equal(h.period_type.type, "cpu");
	assert_string_equal(h.period_type.unit, "nanoseconds");
	assert_int_equal(h.period, 10000000);
	assert_int_equal(h.time_nanos, 1795664261 * SEC);
	assert_int_equal(h.duration_nanos, 10 * SEC);
	assert_string_equal(h.default_type, "cpu");
	assert_int_equal(h.compressed, 1);
	pyro_profile_header_release(&h);
}

/* No period type, no default type, no time: NULL and 0. */
static void test_peek_minimal(void **state)
{
	struct mkprof *p = mkprof_new();
	struct pyro_buf b = PYRO_BUF_INIT;
	struct pyro_profile_header h;
	char err[PYRO_ERR_MAX];

	mkprof_sample_type(p, "samples", "count");
	mkprof_sample(p, (int64_t[]){ 1 }, "main");
	assert_int_equal(mkprof_pack(p, &b), 0);
	mkprof_free(p);
	assert_int_equal(pyro_profile_peek_data(b.data, b.len, &h, err), 0);
	assert_int_equal(h.ntypes, 1);
	assert_null(h.period_type.type);
	assert_null(h.period_type.unit);
	assert_null(h.default_type);
	assert_int_equal(h.time_nanos, 0);
	assert_int_equal(h.compressed, 0);
	pyro_profile_header_release(&h);
	pyro_buf_release(&b);
}

/* No sample types: the period type stands in, for peek and decode. */
static void test_period_type_fallback(void **state)
{
	struct mkprof *p = mkprof_new();
	struct pyro_buf b = PYRO_BUF_INIT;
	struct pyro_profile_header h;
	struct pyro_profile *prof;
	char err[PYRO_ERR_MAX];

	mkprof_period_type(p, "cpu", "nanoseconds", 10000000);
	mkprof_sample(p, (int64_t[]){ 40 }, "main;spin");
	assert_int_equal(mkprof_pack(p, &b), 0);
	assert_int_equal(pyro_profile_peek_data(b.data, b.len, &h, err), 0);
	assert_int_equal(h.ntypes, 1);
	assert_string_equal(h.types[0].type, "cpu");
	assert_string_equal(h.types[0].unit, "nanoseconds");
	pyro_profile_header_release(&h);

	prof = decode_ok(p);
	assert_int_equal(pyro_profile_ntypes(prof), 1);
	check_stacks(prof, 0, "main;spin 40\n");
	pyro_profile_free(prof);
	pyro_buf_release(&b);
	mkprof_free(p);
}

/* ---- decode to stacks --------------------------------------------------- */

/* Zero values skipped per type; identical stacks aggregated. */
static void test_stacks_plain(void **state)
{
	struct mkprof *p = go_cpu();
	struct pyro_profile *prof;
	struct pyro_stacks s;
	char err[PYRO_ERR_MAX];

	mkprof_sample(p, (int64_t[]){ 1, 10 }, "main;handle;work");
	mkprof_sample(p, (int64_t[]){ 2, 20 }, "main;handle");
	mkprof_sample(p, (int64_t[]){ 0, 5 }, "main;other");
	mkprof_sample(p, (int64_t[]){ 3, 30 }, "main;handle;work");
	mkprof_sample(p, (int64_t[]){ 0, 0 }, "main;idle");
	prof = decode_ok(p);
	mkprof_free(p);
	assert_int_equal(pyro_profile_ntypes(prof), 2);
	check_stacks(prof, 0, "main;handle 2\nmain;handle;work 4\n");
	check_stacks(prof, 1, "main;handle 20\nmain;handle;work 40\nmain;other 5\n");

	assert_int_equal(pyro_profile_stacks(prof, 1, &s, err), 0);
	assert_int_equal(s.nstacks, 3);
	pyro_stacks_release(&s);

	assert_int_equal(pyro_profile_stacks(prof, 2, &s, err), -EINVAL);
	assert_string_equal(err, "no sample type 2");
	pyro_stacks_release(&s);
	pyro_profile_free(prof);
}

/* Enough references (over 2^19) that the second half of the samples is
 * built on another thread: the stacks are the samples' in first-seen
 * order, a stack seen in both halves sums into its first place, samples
 * of value 0 add nothing (type 0; type 1 is never 0 but for sample 0). */
static void test_stacks_halves(void **state)
{
	struct mkprof *p = go_cpu();
	struct pyro_profile *prof;
	struct pyro_buf st = PYRO_BUF_INIT;
	struct pyro_stacks s;
	char err[PYRO_ERR_MAX];
	int i, d;

	/* 1200 samples of 451 locations: 541,200 location ids */
	for (i = 0; i < 1200; i++) {
		st.len = 0;
		for (d = 0; d < 450; d++)
			assert_int_equal(pyro_buf_printf(&st, "f%d;", d), 0);
		assert_int_equal(pyro_buf_printf(&st, "leaf%d", i % 1000), 0);
		mkprof_sample(p, (int64_t[]){ i < 1100, i }, st.data);
	}
	prof = decode_ok(p);
	mkprof_free(p);
	pyro_buf_release(&st);
	assert_int_equal(pyro_profile_stacks(prof, 0, &s, err), 0);
	/* leafK: sample K (first half for K < 600), and sample K + 1000
	 * (second half) of value 1 for K < 100, 0 for 100 <= K < 200 */
	assert_int_equal(s.nstacks, 1000);
	for (i = 0; i < 1000; i++) {
		const struct pyro_stack *k = &s.stacks[i];
		const uint32_t *r = pyro_stack_refs(&s, k);
		struct pyro_str leaf = pyro_strtab_get(&s.strs,
			s.frames[PYRO_REF_FRAME(r[k->depth - 1])].name);
		char want[16];
		int64_t v = i < 100 ? 2 : 1;

		snprintf(want, sizeof(want), "leaf%d", i);
		assert_int_equal(k->depth, 451);
		assert_int_equal(leaf.len, strlen(want));
		assert_memory_equal(leaf.ptr, want, leaf.len);
		assert_true(k->value == v);
	}
	pyro_stacks_release(&s);
	pyro_profile_free(prof);
}

/* A location with inlined lines: outermost first, callees flagged. */
static void test_stacks_inline(void **state)
{
	struct mkprof *p = go_cpu();
	struct pyro_profile *prof;
	struct pyro_stacks s;
	const uint32_t *refs;
	char err[PYRO_ERR_MAX];
	size_t idx;

	mkprof_sample(p, (int64_t[]){ 1, 10 }, "main;handle+parse+scan;read");
	mkprof_sample(p, (int64_t[]){ 2, 20 }, "main;parse");
	prof = decode_ok(p);
	mkprof_free(p);
	check_stacks(prof, 1, "main;handle;^parse;^scan;read 10\nmain;parse 20\n");

	/* The same frames by hand: refs root first, flags on the callees. */
	assert_int_equal(pyro_profile_stacks(prof, 1, &s, err), 0);
	for (idx = 0; idx < s.nstacks && s.stacks[idx].depth != 5; idx++)
		;
	assert_true(idx < s.nstacks);
	refs = pyro_stack_refs(&s, &s.stacks[idx]);
	assert_memory_equal(pyro_ref_name(&s, refs[0]).ptr, "main", 5);
	assert_memory_equal(pyro_ref_name(&s, refs[1]).ptr, "handle", 7);
	assert_memory_equal(pyro_ref_name(&s, refs[2]).ptr, "parse", 6);
	assert_memory_equal(pyro_ref_name(&s, refs[3]).ptr, "scan", 5);
	assert_memory_equal(pyro_ref_name(&s, refs[4]).ptr, "read", 5);
	assert_int_equal(refs[0] & PYRO_REF_INLINE, 0);
	assert_int_equal(refs[1] & PYRO_REF_INLINE, 0);
	assert_int_equal(refs[2] & PYRO_REF_INLINE, PYRO_REF_INLINE);
	assert_int_equal(refs[3] & PYRO_REF_INLINE, PYRO_REF_INLINE);
	assert_int_equal(refs[4] & PYRO_REF_INLINE, 0);
	pyro_stacks_release(&s);
	pyro_profile_free(prof);
}

/* Address-only locations: "0x..." names; "[binary]" or "<unknown>" nodes. */
static void test_stacks_address(void **state)
{
	struct mkprof *p = go_cpu();
	struct pyro_profile *prof;

	mkprof_sample(p, (int64_t[]){ 1, 10 }, "main;@0x4f1984");
	mkprof_sample(p, (int64_t[]){ 1, 20 }, "@0x4F1985");
	prof = decode_ok(p);
	mkprof_free(p);
	check_stacks(prof, 1, "0x4f1985=[api] 20\nmain;0x4f1984=[api] 10\n");
	pyro_profile_free(prof);

	p = mkprof_new();       /* no mapping */
	mkprof_sample_type(p, "cpu", "nanoseconds");
	mkprof_sample(p, (int64_t[]){ 7 }, "@0x10;@0xabc");
	prof = decode_ok(p);
	mkprof_free(p);
	check_stacks(prof, 0, "0x10=<unknown>;0xabc=<unknown> 7\n");
	pyro_profile_free(prof);
}

/* pprof's drop_frames: the first matching location after an unmatched one,
 * and everything leafward of it, is cut. */
static void test_drop_frames(void **state)
{
	struct mkprof *p = go_cpu();
	struct pyro_profile *prof;

	mkprof_drop_frames(p, "malloc");
	mkprof_sample(p, (int64_t[]){ 1, 5 }, "main;handle;malloc;inner");
	mkprof_sample(p, (int64_t[]){ 1, 7 }, "main;handle+malloc+inner");
	mkprof_sample(p, (int64_t[]){ 1, 3 }, "malloc;main");
	mkprof_sample(p, (int64_t[]){ 1, 2 }, "main;malloc(unsigned long);deep");
	mkprof_sample(p, (int64_t[]){ 1, 1 }, "main;runtime.malloc");
	prof = decode_ok(p);
	mkprof_free(p);
	check_stacks(prof, 1,
		     "main 2\n"
		     "main;handle 12\n"
		     "main;runtime.malloc 1\n"
		     "malloc;main 3\n");
	pyro_profile_free(prof);

	p = go_cpu();           /* keep_frames wins over drop_frames */
	mkprof_drop_frames(p, "m.*");
	mkprof_keep_frames(p, "main");
	mkprof_sample(p, (int64_t[]){ 1, 4 }, "main;mid;main;leaf");
	prof = decode_ok(p);
	mkprof_free(p);
	check_stacks(prof, 1, "main 4\n");
	pyro_profile_free(prof);
}

static void test_meta(void **state)
{
	struct mkprof *p = go_cpu();
	struct pyro_profile *prof;
	struct pyro_stacks s;
	char err[PYRO_ERR_MAX];

	mkprof_comment(p, "first comment");
	mkprof_comment(p, "second");
	mkprof_sample(p, (int64_t[]){ 1, 10 }, "main");
	prof = decode_ok(p);
	mkprof_free(p);
	assert_int_equal(pyro_profile_stacks(prof, 1, &s, err), 0);
	assert_string_equal(s.meta.sample_type, "cpu");
	assert_string_equal(s.meta.sample_unit, "nanoseconds");
	assert_string_equal(s.meta.file, "api");
	assert_null(s.meta.build_id);
	assert_null(s.meta.doc_url);
	assert_null(s.meta.service);
	assert_int_equal(s.meta.ncomments, 2);
	assert_string_equal(s.meta.comments[0], "first comment");
	assert_string_equal(s.meta.comments[1], "second");
	assert_int_equal(s.meta.time_nanos, 1795664261 * SEC);
	assert_int_equal(s.meta.newest_nanos, 1795664261 * SEC);
	assert_int_equal(s.meta.duration_nanos, 10 * SEC);
	assert_int_equal(s.meta.nsnapshots, 1);
	assert_int_equal(s.meta.rule, PYRO_MERGE_SINGLE);
	pyro_stacks_release(&s);
	pyro_profile_free(prof);

	p = mkprof_new();       /* no mapping, no comments */
	mkprof_sample_type(p, "samples", "count");
	mkprof_sample(p, (int64_t[]){ 1 }, "main");
	prof = decode_ok(p);
	mkprof_free(p);
	assert_int_equal(pyro_profile_stacks(prof, 0, &s, err), 0);
	assert_null(s.meta.file);
	assert_int_equal(s.meta.ncomments, 0);
	assert_int_equal(s.meta.time_nanos, 0);
	pyro_stacks_release(&s);
	pyro_profile_free(prof);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gzip_and_raw),
		cmocka_unit_test(test_gz_name_not_gzipped),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_truncated_gzip),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_gzip_bomb),
		cmocka_unit_test(test_gzip_limit_exact),
		cmocka_unit_test(test_gzip_forged_isize),
		cmocka_unit_test(test_gzip_trailing),
		cmocka_unit_test(test_missing_location),
		cmocka_unit_test(test_missing_function),
		cmocka_unit_test(test_missing_mapping),
		cmocka_unit_test(test_function_id_zero),
		cmocka_unit_test(test_duplicate_location),
		cmocka_unit_test(test_value_count),
		cmocka_unit_test(test_location_id_zero),
		cmocka_unit_test(test_location_id_past_dense),
		cmocka_unit_test(test_errors_in_sample_order),
		cmocka_unit_test(test_string_index),
		cmocka_unit_test(test_not_a_profile),
		cmocka_unit_test(test_peek_header),
		cmocka_unit_test(test_peek_minimal),
		cmocka_unit_test(test_period_type_fallback),
		cmocka_unit_test(test_stacks_plain),
		cmocka_unit_test(test_stacks_inline),
		cmocka_unit_test(test_stacks_halves),
		cmocka_unit_test(test_stacks_address),
		cmocka_unit_test(test_drop_frames),
		cmocka_unit_test(test_meta),
	};

	return cmocka_run_group_tests(tests, group_setup, fixture_teardown);
}
