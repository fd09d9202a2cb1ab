/*
 * test_wire.c - the hand-written protobuf decoder (model/pprof_wire.c) against
 * protobuf-c, the oracle it replaced, and its inflate-while-decoding path.
 *
 * The decoder must accept and reject exactly the bytes protobuf-c's
 * pprof__profile__unpack() accepts and rejects, or files would move in and
 * out of /.pyrofs/errors.  Both are run on hand-made edge cases and on a few
 * thousand seeded mutations (bit flips, byte changes, wire-type changes,
 * truncations) of a real-looking profile; only "does it decode as a
 * Profile" is compared, since later checks (ids, references) are ours.
 * No timing is measured anywhere.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../model/profile.h"
#include "../support/mkprof.h"

#define UNDECODABLE "not a pprof profile (protobuf does not decode as a Profile)"

/* 1 if protobuf-c unpacks data as a Profile. */
static int oracle(const uint8_t *data, size_t len)
{
	Pprof__Profile *m = pprof__profile__unpack(NULL, len, data);

	if (!m)
		return 0;
	pprof__profile__free_unpacked(m, NULL);
	return 1;
}

/* 1 if our decoder gets past the wire format (it may fail later checks). */
static int ours(const uint8_t *data, size_t len)
{
	struct pyro_profile *p = NULL;
	char err[PYRO_ERR_MAX] = "";
	int rc = pyro_profile_decode(data, len, &p, err);

	pyro_profile_free(p);
	return !(rc && !strcmp(err, UNDECODABLE));
}

#define CASE(...) do {							\
	static const uint8_t b[] = { __VA_ARGS__ };			\
	if (oracle(b, sizeof(b)) != ours(b, sizeof(b)))		\
		fail_msg("wire case at line %d: protobuf-c %d, ours %d", \
			 __LINE__, oracle(b, sizeof(b)), ours(b, sizeof(b))); \
} while (0)

static void test_edge_cases(void **state)
{
	(void)state;
	CASE(0x00, 0x01);                               /* field 0 */
	CASE(0x02, 0x00);
	CASE(0x80, 0x01, 0x05);                         /* unknown field 16 */
	CASE(0x85, 0x01, 1, 2, 3, 4);
	CASE(0x81, 0x01, 1, 2, 3, 4, 5, 6, 7, 8);
	CASE(0x83, 0x01);                               /* group */
	CASE(0x12, 0x02, 0x00, 0x01);                   /* sample, field 0 */
	CASE(0x12, 0x02, 0x48, 0x01);                   /* sample, unknown */
	CASE(0x12, 0x05, 0x4d, 1, 2, 3, 4);
	CASE(0x12, 0x02, 0x0a, 0x00);                   /* empty packed ids */
	CASE(0x12, 0x05, 0x0d, 0x06, 0x07, 0x1a, 0x04); /* ids as fixed32 */
	CASE(0x12, 0x04, 0x1a, 0x02, 0x28, 0x01);       /* label, unknown */
	CASE(0x1a, 0x04, 0x3a, 0x02, 0x01, 0x01);       /* bool as bytes */
	CASE(0x1a, 0x05, 0x3d, 0x01, 0x01, 0x01, 0x01); /* bool as fixed32 */
	CASE(0x1a, 0x02, 0x12, 0x00);                   /* uint64 as bytes */
	CASE(0x88, 0x80, 0x80, 0x80, 0x01, 0x01);       /* 5-byte tag */
	CASE(0x88, 0x80, 0x80, 0x80, 0x81, 0x01, 0x01); /* 6-byte tag */
	CASE(0x48, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
	CASE(0x48, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
	CASE(0x5a, 0x02, 0x08, 0x01, 0x5a, 0x02, 0x10, 0x01); /* period_type x2 */
	CASE(0x30, 0x01);                               /* string as varint */
	CASE(0x6a, 0x02, 0x01, 0x02);                   /* packed comments */
	CASE(0x6a, 0x02, 0x81, 0x82);                   /* ... unterminated */
	CASE(0x32, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00); /* 6-byte length */
	CASE(0x32, 0x05, 'a');                          /* length too long */
	CASE(0x0a, 0x02, 0x08);                         /* cut in a submessage */
	CASE(0x22, 0x04, 0x22, 0x02, 0x08, 0x01);       /* location with a line */
	CASE(0x22, 0x02, 0x20, 0x01);                   /* line as varint */
	CASE(0x08, 0x01);                               /* sample_type as varint */
	CASE(0x58, 0x01);                               /* period_type as varint */
}

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A profile with everything: types, period, labels, inlined lines,
 * several mappings, comments, drop_frames. */
static void sample_profile(struct pyro_buf *out)
{
	struct mkprof *p = mkprof_new();

	mkprof_sample_type(p, "samples", "count");
	mkprof_sample_type(p, "cpu", "nanoseconds");
	mkprof_period_type(p, "cpu", "nanoseconds", 10000000);
	mkprof_time(p, 1795664261000000000LL);
	mkprof_duration(p, 10000000000LL);
	mkprof_comment(p, "a comment");
	mkprof_drop_frames(p, "runtime\\..*");
	mkprof_mapping(p, "/usr/bin/api");
	mkprof_mapping(p, "/lib/libc.so.6");
	mkprof_sample(p, (int64_t[]){ 3, 30 }, "main;handle;work");
	mkprof_sample(p, (int64_t[]){ 1, 10 }, "main;handle+inl;leaf");
	mkprof_sample(p, (int64_t[]){ 2, 20 }, "main;@0x4f1984");
	mkprof_sample(p, (int64_t[]){ 5, 50 }, "main;runtime.mallocgc;x");
	assert_int_equal(mkprof_pack(p, out), 0);
	mkprof_free(p);
}

static void test_mutations(void **state)
{
	struct pyro_buf good = PYRO_BUF_INIT;
	uint64_t seed = 0x2545f4914f6cdd1dULL;
	uint8_t *m;
	int i, k, mismatches = 0;

	(void)state;
	sample_profile(&good);
	m = malloc(good.len);
	assert_non_null(m);
	assert_int_equal(oracle((const uint8_t *)good.data, good.len), 1);
	assert_int_equal(ours((const uint8_t *)good.data, good.len), 1);
	for (i = 0; i < 4000; i++) {
		size_t len = good.len;
		int n = 1 + (int)(rng(&seed) % 3);

		memcpy(m, good.data, len);
		for (k = 0; k < n && len; k++) {
			size_t pos = rng(&seed) % len;

			switch (rng(&seed) % 4) {
			case 0: m[pos] ^= (uint8_t)(1u << (rng(&seed) % 8)); break;
			case 1: m[pos] = (uint8_t)rng(&seed); break;
			case 2: m[pos] = (uint8_t)((m[pos] & ~7u) | (rng(&seed) % 8)); break;
			default: len = pos + 1; break;
			}
		}
		if (oracle(m, len) != ours(m, len)) {
			if (mismatches++ < 5)
				print_error("mutation %d: protobuf-c %d, ours %d\n", i,
					    oracle(m, len), ours(m, len));
		}
	}
	free(m);
	pyro_buf_release(&good);
	assert_int_equal(mismatches, 0);
}

/* A profile big enough (> 1 MB inflated) for the streaming path. */
static void big_profile(struct pyro_buf *raw)
{
	struct mkprof *p = mkprof_new();
	char stack[1024], pad[301];
	int i;

	memset(pad, 'x', 300);
	pad[300] = '\0';
	mkprof_sample_type(p, "samples", "count");
	mkprof_period_type(p, "cpu", "count", 1);
	mkprof_mapping(p, "/usr/bin/big");
	/* 4000 functions with 300-byte names: over 1 MB of string table. */
	for (i = 0; i < 4000; i++) {
		snprintf(stack, sizeof(stack), "main;pkg%d.handler;worker_%s_%d;leaf%d",
			 i % 97, pad, i, i % 13);
		mkprof_sample(p, (int64_t[]){ 1 + i % 7 }, stack);
	}
	assert_int_equal(mkprof_pack(p, raw), 0);
	mkprof_free(p);
}

/* Folded-like text of a loaded profile, to compare two loads. */
static void load_text(const char *path, struct pyro_buf *out, int expect_ok)
{
	struct pyro_profile *p = NULL;
	struct pyro_stacks s;
	char err[PYRO_ERR_MAX] = "";
	int rc = pyro_profile_load(path, 64u << 20, &p, err);

	if (!expect_ok) {
		assert_int_not_equal(rc, 0);
		assert_null(p);
		assert_int_equal(pyro_buf_puts(out, err), 0);
		return;
	}
	if (rc)
		fail_msg("%s: %s", path, err);
	assert_int_equal(pyro_profile_stacks(p, 0, &s, err), 0);
	assert_int_equal(mkprof_stacks_text(&s, out), 0);
	pyro_stacks_release(&s);
	pyro_profile_free(p);
}

/* Gzip files that the streaming path must refuse and hand back to the
 * plain path: the same stacks or the same error either way. */
static void test_streaming_fallbacks(void **state)
{
	struct pyro_buf raw = PYRO_BUF_INIT, gz = PYRO_BUF_INIT, two = PYRO_BUF_INIT;
	struct pyro_buf want = PYRO_BUF_INIT, got = PYRO_BUF_INIT;
	char dir[MKPROF_PATH_MAX], path[MKPROF_PATH_MAX];
	size_t half;

	(void)state;
	assert_int_equal(mkprof_tmpdir(dir), 0);
	big_profile(&raw);
	assert_true(raw.len > (1u << 20));
	assert_int_equal(mkprof_gzip(raw.data, raw.len, &gz), 0);

	/* plain raw protobuf: the reference */
	mkprof_join(path, dir, "raw.pb");
	assert_int_equal(mkprof_write_file(path, raw.data, raw.len), 0);
	load_text(path, &want, 1);

	/* a good gzip: streamed */
	mkprof_join(path, dir, "good.pb.gz");
	assert_int_equal(mkprof_write_file(path, gz.data, gz.len), 0);
	load_text(path, &got, 1);
	assert_string_equal(got.data, want.data);

	/* a lying ISIZE is a corrupt file (zlib checks it): the plain
	 * path's error, not a misread */
	gz.data[gz.len - 4] ^= 0x10;
	mkprof_join(path, dir, "isize.pb.gz");
	assert_int_equal(mkprof_write_file(path, gz.data, gz.len), 0);
	got.len = 0;
	load_text(path, &got, 0);
	assert_string_equal(got.data, "corrupt gzip data (incorrect length check)");
	gz.data[gz.len - 4] ^= 0x10;

	/* two gzip members (legal; as `cat a.gz b.gz`): the halves */
	half = raw.len / 2;
	assert_int_equal(mkprof_gzip(raw.data, half, &two), 0);
	assert_int_equal(mkprof_gzip(raw.data + half, raw.len - half, &two), 0);
	mkprof_join(path, dir, "two.pb.gz");
	assert_int_equal(mkprof_write_file(path, two.data, two.len), 0);
	got.len = 0;
	load_text(path, &got, 1);
	assert_string_equal(got.data, want.data);

	/* corrupt deflate data in the middle, and a bad CRC: errors */
	gz.data[gz.len / 2] ^= 0xff;
	mkprof_join(path, dir, "corrupt.pb.gz");
	assert_int_equal(mkprof_write_file(path, gz.data, gz.len), 0);
	got.len = 0;
	load_text(path, &got, 0);
	assert_non_null(strstr(got.data, "gzip"));
	gz.data[gz.len / 2] ^= 0xff;
	gz.data[gz.len - 8] ^= 0x01;
	mkprof_join(path, dir, "crc.pb.gz");
	assert_int_equal(mkprof_write_file(path, gz.data, gz.len), 0);
	got.len = 0;
	load_text(path, &got, 0);
	assert_non_null(strstr(got.data, "gzip"));

	assert_int_equal(mkprof_rmtree(dir), 0);
	pyro_buf_release(&raw);
	pyro_buf_release(&gz);
	pyro_buf_release(&two);
	pyro_buf_release(&want);
	pyro_buf_release(&got);
}

/* Location ids beyond 32 bits (some writers use addresses or hashes):
 * the same stacks as with small ids. */
static void test_wide_location_ids(void **state)
{
	struct pyro_buf a = PYRO_BUF_INIT, b = PYRO_BUF_INIT;
	struct pyro_buf ta = PYRO_BUF_INIT, tb = PYRO_BUF_INIT;
	struct mkprof *p = mkprof_new();
	Pprof__Profile *m;
	struct pyro_profile *pa, *pb;
	struct pyro_stacks sa, sb;
	char err[PYRO_ERR_MAX];
	size_t i, j;

	(void)state;
	mkprof_sample_type(p, "samples", "count");
	mkprof_sample(p, (int64_t[]){ 3 }, "main;handle;work");
	mkprof_sample(p, (int64_t[]){ 1 }, "main;handle+inl;leaf");
	mkprof_sample(p, (int64_t[]){ 2 }, "main;@0x4f1984");
	assert_int_equal(mkprof_pack(p, &a), 0);
	m = mkprof_message(p);
	for (i = 0; i < m->n_location; i++)
		m->location[i]->id += (uint64_t)7 << 40;
	for (i = 0; i < m->n_sample; i++)
		for (j = 0; j < m->sample[i]->n_location_id; j++)
			m->sample[i]->location_id[j] += (uint64_t)7 << 40;
	assert_int_equal(mkprof_pack(p, &b), 0);
	assert_int_equal(pyro_profile_decode(a.data, a.len, &pa, err), 0);
	assert_int_equal(pyro_profile_decode(b.data, b.len, &pb, err), 0);
	assert_int_equal(pyro_profile_stacks(pa, 0, &sa, err), 0);
	assert_int_equal(pyro_profile_stacks(pb, 0, &sb, err), 0);
	assert_int_equal(mkprof_stacks_text(&sa, &ta), 0);
	assert_int_equal(mkprof_stacks_text(&sb, &tb), 0);
	assert_string_equal(ta.data, tb.data);
	pyro_stacks_release(&sa);
	pyro_stacks_release(&sb);
	pyro_profile_free(pa);
	pyro_profile_free(pb);
	mkprof_free(p);
	pyro_buf_release(&a);
	pyro_buf_release(&b);
	pyro_buf_release(&ta);
	pyro_buf_release(&tb);
}

/* Packed location ids in every varint length: 1 to 5 bytes (the decoder's
 * unrolled path), overlong ones of 6 and 10 bytes (protobuf-c accepts
 * them: the generic path), 5-byte ids past 32 bits (widened) and ids
 * with bits in every byte.  Each
 * profile's samples are main;work (5 + 7 + 11): the same stacks as the
 * ids written the shortest way. */
#define HEAD 0x0a, 0x04, 0x08, 0x01, 0x10, 0x02,		/* sample_type */ \
	0x2a, 0x04, 0x08, 0x01, 0x10, 0x03,			/* function 1 main */ \
	0x2a, 0x04, 0x08, 0x02, 0x10, 0x04			/* function 2 work */
#define STRS 0x32, 0x00, 0x32, 0x07, 's', 'a', 'm', 'p', 'l', 'e', 's', \
	0x32, 0x05, 'c', 'o', 'u', 'n', 't', 0x32, 0x04, 'm', 'a', 'i', 'n', \
	0x32, 0x04, 'w', 'o', 'r', 'k'

static void stacks_of(const uint8_t *data, size_t len, struct pyro_buf *text)
{
	struct pyro_profile *p;
	struct pyro_stacks st;
	char err[PYRO_ERR_MAX];

	assert_int_equal(oracle(data, len), 1);
	assert_int_equal(pyro_profile_decode(data, len, &p, err), 0);
	assert_int_equal(pyro_profile_stacks(p, 0, &st, err), 0);
	assert_int_equal(mkprof_stacks_text(&st, text), 0);
	pyro_stacks_release(&st);
	pyro_profile_free(p);
}

static void test_varint_lengths(void **state)
{
	static const uint8_t shortest[] = {
		HEAD,
		0x22, 0x06, 0x08, 0x01, 0x22, 0x02, 0x08, 0x01,	/* location 1 */
		0x22, 0x06, 0x08, 0x02, 0x22, 0x02, 0x08, 0x02,	/* location 2 */
		0x12, 0x06, 0x0a, 0x02, 0x02, 0x01, 0x10, 0x05,
		0x12, 0x06, 0x0a, 0x02, 0x02, 0x01, 0x10, 0x07,
		0x12, 0x06, 0x0a, 0x02, 0x02, 0x01, 0x10, 0x0b,
		STRS,
	};
	static const uint8_t longer[] = {
		HEAD,
		0x22, 0x06, 0x08, 0x01, 0x22, 0x02, 0x08, 0x01,
		0x22, 0x06, 0x08, 0x02, 0x22, 0x02, 0x08, 0x02,
		/* 3 and 4 bytes */
		0x12, 0x0b, 0x0a, 0x07, 0x82, 0x80, 0x00, 0x81, 0x80, 0x80, 0x00,
		0x10, 0x05,
		/* 5 and 6 bytes */
		0x12, 0x0f, 0x0a, 0x0b, 0x82, 0x80, 0x80, 0x80, 0x00,
		0x81, 0x80, 0x80, 0x80, 0x80, 0x00, 0x10, 0x07,
		/* 10 bytes, then 1 */
		0x12, 0x0f, 0x0a, 0x0b, 0x82, 0x80, 0x80, 0x80, 0x80, 0x80,
		0x80, 0x80, 0x80, 0x00, 0x01, 0x10, 0x0b,
		STRS,
	};
	static const uint8_t wide[] = {		/* ids 2^32 + 1, 2^32 + 2 */
		HEAD,
		0x22, 0x0a, 0x08, 0x81, 0x80, 0x80, 0x80, 0x10, 0x22, 0x02, 0x08, 0x01,
		0x22, 0x0a, 0x08, 0x82, 0x80, 0x80, 0x80, 0x10, 0x22, 0x02, 0x08, 0x02,
		0x12, 0x0e, 0x0a, 0x0a, 0x82, 0x80, 0x80, 0x80, 0x10,
		0x81, 0x80, 0x80, 0x80, 0x10, 0x10, 0x05,
		0x12, 0x0e, 0x0a, 0x0a, 0x82, 0x80, 0x80, 0x80, 0x10,
		0x81, 0x80, 0x80, 0x80, 0x10, 0x10, 0x07,
		0x12, 0x0e, 0x0a, 0x0a, 0x82, 0x80, 0x80, 0x80, 0x10,
		0x81, 0x80, 0x80, 0x80, 0x10, 0x10, 0x0b,
		STRS,
	};
	static const uint8_t mid[] = {		/* ids of 5 and 4 bytes */
		HEAD,
		0x22, 0x0a, 0x08, 0xf1, 0xbd, 0xf3, 0xd5, 0x01, 0x22, 0x02, 0x08, 0x01,
		0x22, 0x09, 0x08, 0xf0, 0x9b, 0xaf, 0x05, 0x22, 0x02, 0x08, 0x02,
		0x12, 0x0d, 0x0a, 0x09, 0xf0, 0x9b, 0xaf, 0x05,
		0xf1, 0xbd, 0xf3, 0xd5, 0x01, 0x10, 0x05,
		0x12, 0x0d, 0x0a, 0x09, 0xf0, 0x9b, 0xaf, 0x05,
		0xf1, 0xbd, 0xf3, 0xd5, 0x01, 0x10, 0x07,
		0x12, 0x0d, 0x0a, 0x09, 0xf0, 0x9b, 0xaf, 0x05,
		0xf1, 0xbd, 0xf3, 0xd5, 0x01, 0x10, 0x0b,
		STRS,
	};
	struct pyro_buf want = PYRO_BUF_INIT, got = PYRO_BUF_INIT;

	(void)state;
	stacks_of(shortest, sizeof(shortest), &want);
	assert_non_null(strstr(want.data, "main;work 23"));
	stacks_of(longer, sizeof(longer), &got);
	assert_string_equal(got.data, want.data);
	got.len = 0;
	stacks_of(wide, sizeof(wide), &got);
	assert_string_equal(got.data, want.data);
	got.len = 0;
	stacks_of(mid, sizeof(mid), &got);
	assert_string_equal(got.data, want.data);
	pyro_buf_release(&want);
	pyro_buf_release(&got);
}
#undef HEAD
#undef STRS

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edge_cases),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_streaming_fallbacks),
		cmocka_unit_test(test_wide_location_ids),
		cmocka_unit_test(test_varint_lengths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
