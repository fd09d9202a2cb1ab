/*
 * mkhostile.c - write the hostile archive of tests/integration/hostile.sh.
 *
 *   out/tests/mkhostile DIR
 *
 * creates DIR (and parents) with three services:
 *
 *   good/cpu-1795000000.pb.gz, good/cpu-1795000010.pb.gz
 *       two valid Go CPU profiles (samples/count + cpu/nanoseconds, period
 *       type cpu/nanoseconds 10000000, mapping /usr/local/bin/good).
 *
 *   bad/<case>.pb.gz, one file per hostile case (the list in `cases` below;
 *   hostile.sh pins what each must give).  Every profile in bad/ has its
 *   own time_nanos, 1795100000 + 60 s * case number, so each is one
 *   snapshot.  The malformed profiles are Go CPU profiles broken in one
 *   place; the valid-but-extreme ones (deep stacks, 1 M samples, hostile
 *   function names, negative values) have a sample type of their own, so
 *   each is a type directory of its own (bad/deep/latest/...).
 *
 *   ovf/pair-1795200000.pb.gz, ovf/pair-1795200060.pb.gz
 *       two snapshots of type "pair" whose values (INT64_MAX - 10, then
 *       100) overflow 64 bits when summed: all/ must still serve the
 *       first and name the second in errors (issue 20).
 *
 * bad/abyss.pb.gz is one function repeated 100,000 times under main.main
 * (issue 20: uncut, tree.txt would need about 10 GB).
 *
 * The 1 M-sample profile is written by hand after its packed header: 1 M
 * samples of 2 locations each, unpacked (8 bytes a sample), so that it
 * inflates to less than the 8 MiB max_profile_size hostile.sh mounts with;
 * the bomb inflates to 64 MiB of zeros.
 *
 * Prints nothing on success; on failure a message and exit status 1 (2 for
 * bad usage).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/mkprof.h"

#define SEC 1000000000LL
#define GOOD_T0 1795000000LL
#define BAD_T0 1795100000LL

#define DEEP_FRAMES 10000
#define ABYSS_FRAMES 100000
#define OVF_T0 1795200000LL
#define MILLION 1000000
#define BOMB_BYTES (64u << 20)

static const char *dir;
static int failed;

static void report(const char *rel, int rc)
{
	if (rc) {
		fprintf(stderr, "mkhostile: %s/%s: %s\n", dir, rel, strerror(-rc));
		failed = 1;
	}
}

static void write_prof(struct mkprof *p, const char *rel, int gzip)
{
	char path[MKPROF_PATH_MAX];

	mkprof_join(path, dir, rel);
	report(rel, mkprof_write(p, path, gzip));
	mkprof_free(p);
}

static void write_bytes(const char *rel, const void *data, size_t len)
{
	char path[MKPROF_PATH_MAX];

	mkprof_join(path, dir, rel);
	report(rel, mkprof_write_file(path, data, len));
}

static void write_gzip(const char *rel, const void *data, size_t len)
{
	struct pyro_buf gz = PYRO_BUF_INIT;
	int rc = mkprof_gzip(data, len, &gz);

	if (rc)
		report(rel, rc);
	else
		write_bytes(rel, gz.data, gz.len);
	pyro_buf_release(&gz);
}

/* A Go CPU profile (as runtime/pprof writes one) at time t seconds. */
static struct mkprof *go_cpu(int64_t t, const char *binary)
{
	struct mkprof *p = mkprof_new();

	mkprof_sample_type(p, "samples", "count");
	mkprof_sample_type(p, "cpu", "nanoseconds");
	mkprof_period_type(p, "cpu", "nanoseconds", 10000000);
	mkprof_time(p, t * SEC);
	mkprof_duration(p, 10 * SEC);
	mkprof_mapping(p, binary);
	return p;
}

/* A small valid Go CPU profile: 3 functions, 3 locations, 3 samples. */
static struct mkprof *small_cpu(int64_t t)
{
	struct mkprof *p = go_cpu(t, "/usr/local/bin/bad");

	mkprof_sample(p, (int64_t[]){ 3, 30000000 }, "main.main;main.work");
	mkprof_sample(p, (int64_t[]){ 1, 10000000 }, "main.main;main.idle");
	mkprof_sample(p, (int64_t[]){ 2, 20000000 }, "main.main");
	return p;
}

/* A profile with one sample type of its own (its type directory). */
static struct mkprof *own_type(int64_t t, const char *type)
{
	struct mkprof *p = mkprof_new();

	mkprof_sample_type(p, type, "count");
	mkprof_time(p, t * SEC);
	mkprof_mapping(p, "/usr/local/bin/bad");
	return p;
}

/* Deterministic garbage: 0xff (field 31, wire type 7: invalid), then a
 * linear congruential sequence. */
static void garbage(unsigned char *b, size_t len)
{
	uint32_t x = 12345;
	size_t i;

	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = i == 0 ? 0xff : (unsigned char)(x >> 16);
	}
}

static void put_varint(struct pyro_buf *b, uint64_t v)
{
	do {
		unsigned char c = v & 0x7f;

		v >>= 7;
		if (v)
			c |= 0x80;
		pyro_buf_putc(b, (char)c);
	} while (v);
}

static void good(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		struct mkprof *p = go_cpu(GOOD_T0 + 10 * i, "/usr/local/bin/good");
		char rel[64];

		mkprof_sample(p, (int64_t[]){ 5 + i, (5 + i) * 10000000LL },
			      "main.main;main.serve;main.handle");
		mkprof_sample(p, (int64_t[]){ 2, 20000000 },
			      "main.main;main.serve;encoding/json.Marshal");
		mkprof_sample(p, (int64_t[]){ 1 + i, (1 + i) * 10000000LL },
			      "runtime.gcBgMarkWorker;runtime.scanobject");
		snprintf(rel, sizeof(rel), "good/cpu-%lld.pb.gz", GOOD_T0 + 10 * i);
		write_prof(p, rel, 1);
	}
}

/* The bad service; case k has time BAD_T0 + 60 k. */
static void bad(void)
{
	struct pyro_buf raw = PYRO_BUF_INIT;
	unsigned char junk[4096];
	struct mkprof *p;
	int64_t t = BAD_T0;
	char *buf;
	int i;

	garbage(junk, sizeof(junk));

	/* A valid profile cut in the middle of its gzip stream. */
	p = small_cpu(t += 60);
	if (!mkprof_pack(p, &raw)) {
		struct pyro_buf gz = PYRO_BUF_INIT;

		if (!mkprof_gzip(raw.data, raw.len, &gz))
			write_bytes("bad/truncated-gzip.pb.gz", gz.data, gz.len / 2);
		pyro_buf_release(&gz);
	}
	pyro_buf_release(&raw);
	mkprof_free(p);

	write_gzip("bad/gzip-of-garbage.pb.gz", junk, sizeof(junk));
	write_bytes("bad/raw-garbage.pb.gz", junk, sizeof(junk));
	write_bytes("bad/empty.pb.gz", "", 0);
	{
		static const char text[] =
			"This is not a profile.\n"
			"It is a text file that somebody gzipped and dropped here.\n";

		write_gzip("bad/gzip-of-text.pb.gz", text, sizeof(text) - 1);
	}

	p = small_cpu(t += 60);
	mkprof_message(p)->sample[0]->location_id[0] = 99;
	write_prof(p, "bad/missing-location.pb.gz", 1);

	p = small_cpu(t += 60);
	mkprof_message(p)->location[0]->line[0]->function_id = 99;
	write_prof(p, "bad/missing-function.pb.gz", 1);

	p = small_cpu(t += 60);
	mkprof_message(p)->function[0]->name = 999;
	write_prof(p, "bad/string-index.pb.gz", 1);

	p = small_cpu(t += 60);
	mkprof_message(p)->function[0]->id = 0;
	write_prof(p, "bad/function-id-0.pb.gz", 1);

	p = small_cpu(t += 60);
	mkprof_message(p)->function[1]->id = 1;
	write_prof(p, "bad/duplicate-function-id.pb.gz", 1);

	/* No sample types and no period type (small_cpu's samples keep their
	 * two values). */
	p = mkprof_new();
	mkprof_sample_type(p, "samples", "count");
	mkprof_sample_type(p, "cpu", "nanoseconds");
	mkprof_time(p, (t += 60) * SEC);
	mkprof_sample(p, (int64_t[]){ 1, 10000000 }, "main.main");
	mkprof_message(p)->n_sample_type = 0;
	write_prof(p, "bad/no-sample-types.pb.gz", 1);

	p = small_cpu(t += 60);
	mkprof_message(p)->sample[1]->n_value = 1;
	write_prof(p, "bad/value-count.pb.gz", 1);

	/* Two samples of INT64_MAX on one stack: their sum overflows. */
	p = go_cpu(t += 60, "/usr/local/bin/bad");
	mkprof_sample(p, (int64_t[]){ INT64_MAX, INT64_MAX }, "main.main;main.hot");
	mkprof_sample(p, (int64_t[]){ INT64_MAX, INT64_MAX }, "main.main;main.hot");
	write_prof(p, "bad/overflow.pb.gz", 1);

	/* Two stacks of INT64_MAX: no stack overflows, their total does. */
	p = own_type(t += 60, "overflow_total");
	mkprof_sample(p, (int64_t[]){ INT64_MAX }, "main.main;main.a");
	mkprof_sample(p, (int64_t[]){ INT64_MAX }, "main.main;main.b");
	write_prof(p, "bad/overflow-total.pb.gz", 1);

	/* Negative values (pprof accepts them: a diff profile has them). */
	p = own_type(t += 60, "negative");
	mkprof_sample(p, (int64_t[]){ -5 }, "main.main;main.shrank");
	mkprof_sample(p, (int64_t[]){ 3 }, "main.main;main.grew");
	mkprof_sample(p, (int64_t[]){ -1000000 }, "main.main;main.fell");
	write_prof(p, "bad/negative.pb.gz", 1);

	/* One location repeated 10,000 times under main.main. */
	buf = malloc(DEEP_FRAMES * 16 + 64);
	if (!buf) {
		fprintf(stderr, "mkhostile: out of memory\n");
		exit(1);
	}
	p = own_type(t += 60, "recursion");
	{
		size_t n = (size_t)sprintf(buf, "main.main");

		for (i = 0; i < DEEP_FRAMES; i++)
			n += (size_t)sprintf(buf + n, ";rec.recurse");
	}
	mkprof_sample(p, (int64_t[]){ 5 }, buf);
	mkprof_sample(p, (int64_t[]){ 2 }, "main.main;main.other");
	write_prof(p, "bad/recursion.pb.gz", 1);

	/* 10,000 distinct functions deep. */
	p = own_type(t += 60, "deep");
	{
		size_t n = 0;

		for (i = 0; i < DEEP_FRAMES; i++)
			n += (size_t)sprintf(buf + n, "%sdeep.f%05d", i ? ";" : "", i);
	}
	mkprof_sample(p, (int64_t[]){ 7 }, buf);
	mkprof_sample(p, (int64_t[]){ 1 }, "deep.f00000;deep.side");
	write_prof(p, "bad/deep.pb.gz", 1);
	free(buf);

	/* One function 100,000 deep: cut to 1024 frames when decoded. */
	buf = malloc(ABYSS_FRAMES * 8 + 64);
	if (!buf) {
		fprintf(stderr, "mkhostile: out of memory\n");
		exit(1);
	}
	p = own_type(t += 60, "abyss");
	{
		size_t n = (size_t)sprintf(buf, "main.main");

		for (i = 0; i < ABYSS_FRAMES; i++)
			n += (size_t)sprintf(buf + n, ";abyss.f");
	}
	mkprof_sample(p, (int64_t[]){ 1 }, buf);
	write_prof(p, "bad/abyss.pb.gz", 1);
	free(buf);

	/* Two snapshots whose sum overflows 64 bits. */
	p = own_type(OVF_T0, "pair");
	mkprof_sample(p, (int64_t[]){ INT64_MAX - 10 }, "main.main;pair.a");
	write_prof(p, "ovf/pair-1795200000.pb.gz", 1);
	p = own_type(OVF_T0 + 60, "pair");
	mkprof_sample(p, (int64_t[]){ 100 }, "main.main;pair.a");
	write_prof(p, "ovf/pair-1795200060.pb.gz", 1);

	/* 1,000,000 samples over 4 stacks main.main;million.fK (K = i % 4),
	 * value K + 1: the header packed, the samples appended unpacked. */
	p = own_type(t += 60, "million");
	mkprof_sample(p, (int64_t[]){ 1 }, "main.main;million.f0");
	mkprof_sample(p, (int64_t[]){ 2 }, "main.main;million.f1");
	mkprof_sample(p, (int64_t[]){ 3 }, "main.main;million.f2");
	mkprof_sample(p, (int64_t[]){ 4 }, "main.main;million.f3");
	/* Locations: 1 main.main, 2..5 million.f0..f3. */
	mkprof_message(p)->n_sample = 0;
	if (!mkprof_pack(p, &raw) && !pyro_buf_grow(&raw, (size_t)MILLION * 8)) {
		for (i = 0; i < MILLION; i++) {
			int k = i % 4;

			pyro_buf_putc(&raw, 0x12);      /* Profile.sample */
			pyro_buf_putc(&raw, 6);
			pyro_buf_putc(&raw, 0x08);      /* location_id (leaf) */
			put_varint(&raw, (uint64_t)(2 + k));
			pyro_buf_putc(&raw, 0x08);      /* location_id (root) */
			put_varint(&raw, 1);
			pyro_buf_putc(&raw, 0x10);      /* value */
			put_varint(&raw, (uint64_t)(k + 1));
		}
		write_gzip("bad/million.pb.gz", raw.data, raw.len);
	} else {
		report("bad/million.pb.gz", -ENOMEM);
	}
	pyro_buf_release(&raw);
	mkprof_free(p);

	/* Function names that are markup, control characters, bad UTF-8. */
	p = own_type(t += 60, "names");
	mkprof_sample(p, (int64_t[]){ 4 },
		      "main.main;<script>alert(1)</script>;]]>");
	mkprof_sample(p, (int64_t[]){ 3 },
		      "main.main;ctl\x01\x1b[31mred\x7f\x08\x0d");
	mkprof_sample(p, (int64_t[]){ 2 },
		      "main.main;bad\xff\xfeutf8\xc3\x28\xed\xa0\x80");
	/* ';' separates frames for mkprof: put it in afterwards, in place. */
	mkprof_sample(p, (int64_t[]){ 1 },
		      "main.main;amp&ltSquote\"'<![CDATA[x]]>&#0S");
	{
		Pprof__Profile *m = mkprof_message(p);
		size_t k, j;

		for (k = 0; k < m->n_string_table; k++) {
			ProtobufCBinaryData *d = &m->string_table[k];

			if (d->len > 6 && !memcmp(d->data, "amp&lt", 6))
				for (j = 0; j < d->len; j++)
					if (d->data[j] == 'S')
						d->data[j] = ';';
		}
	}
	write_prof(p, "bad/names.pb.gz", 1);

	/* A gzip bomb: 64 MiB of zeros. */
	{
		void *zeros = calloc(1, BOMB_BYTES);

		if (!zeros) {
			report("bad/bomb.pb.gz", -ENOMEM);
		} else {
			write_gzip("bad/bomb.pb.gz", zeros, BOMB_BYTES);
			free(zeros);
		}
	}

	/* A file name holding a newline and an escape sequence. */
	write_bytes("bad/evil\n\x1b[31mred.pb.gz", junk, 64);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkhostile DIR\n");
		return 2;
	}
	dir = argv[1];
	good();
	bad();
	return failed;
}
