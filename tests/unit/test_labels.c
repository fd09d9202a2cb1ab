/*
 * test_labels.c - sample labels: pyro_profile_labels and
 * pyro_profile_stacks_filtered (model/pprof_stacks.c), label sets, their merges
 * and directory names (model/labels.c), labels.txt (render/labels.c).
 *
 * A profile written by tests/support/mkprof holds string, numeric,
 * repeated, odd and broken labels; its figures are worked out by hand in
 * the comments.  Real profiles from the conformance corpus
 * (${PYRO_CORPUS:-../shared/corpus}/profiles, skipped when absent) and the
 * demo archive are checked against `go tool pprof -tags -unit=<unit>` and
 * `go tool pprof -top -nodefraction=0 -tagfocus=KEY=^VALUE$`, whose figures
 * are copied here.
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
#include <unistd.h>

#include "../../model/labels.h"
#include "../../model/profile.h"
#include "../../render/render.h"
#include "../support/mkprof.h"

/* ---- helpers ---------------------------------------------------------- */

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

/* The stacks of type index restricted to key=value (value NULL: without
 * key), as mkprof_stacks_text prints them. */
static void check_filtered(const struct pyro_profile *prof, size_t index,
			   const char *key, const char *value, size_t value_len,
			   const char *expected)
{
	struct pyro_buf text = PYRO_BUF_INIT;
	char err[PYRO_ERR_MAX] = "";
	struct pyro_stacks s;

	assert_int_equal(pyro_profile_stacks_filtered(prof, index, key, strlen(key),
						      value, value_len, &s, err), 0);
	assert_int_equal(mkprof_stacks_text(&s, &text), 0);
	assert_string_equal(text.data ? text.data : "", expected);
	pyro_buf_release(&text);
	pyro_stacks_release(&s);
}

static void check_filtered_str(const struct pyro_profile *prof, size_t index,
			       const char *key, const char *value,
			       const char *expected)
{
	check_filtered(prof, index, key, value, value ? strlen(value) : 0, expected);
}

static const struct pyro_label_key *key_of(const struct pyro_label_set *ls,
					   const char *text)
{
	size_t i;

	for (i = 0; i < ls->nkeys; i++)
		if (ls->keys[i].len == strlen(text) && !memcmp(ls->keys[i].text, text, ls->keys[i].len))
			return &ls->keys[i];
	fail_msg("no key %s", text);
	return NULL;
}

static const struct pyro_label_value *value_of(const struct pyro_label_key *k,
					       const char *text, size_t len)
{
	size_t i;

	for (i = 0; i < k->nvalues; i++)
		if (k->values[i].len == len && !memcmp(k->values[i].text, text, len))
			return &k->values[i];
	fail_msg("no value %.*s", (int)len, text);
	return NULL;
}

static int64_t value_total(const struct pyro_label_set *ls, const char *key,
			   const char *value)
{
	return value_of(key_of(ls, key), value, strlen(value))->total;
}

/* ---- a profile with every kind of label --------------------------------- */

#define ODD ".hid/den%\x01"     /* a value needing every escape */

/*
 * samples/count, cpu/nanoseconds; values { n, 10 n }:
 *   1 main;a    endpoint=/users worker=1 (number, no unit)
 *   2 main;b    endpoint=/orders size=4096 bytes
 *   4 main;a    endpoint=/users twice
 *   8 main;c    no label
 *  16 main;b    endpoint=/users endpoint=/orders
 *  32 main      request=1024 (no unit: bytes), a label of zeros (none)
 *  64 main;d    odd=ODD zero=0 count
 * 128 main;e    a label whose key, one whose value lies outside the
 *               string table (both ignored)
 * cpu total 2550; endpoint 230 (/users 210, /orders 180), without 2320.
 */
static struct mkprof *labelled(void)
{
	struct mkprof *p = mkprof_new();
	Pprof__Profile *msg;

	mkprof_sample_type(p, "samples", "count");
	mkprof_sample_type(p, "cpu", "nanoseconds");
	mkprof_sample(p, (int64_t[]){ 1, 10 }, "main;a");
	mkprof_label(p, "endpoint", "/users");
	mkprof_num_label(p, "worker", 1, NULL);
	mkprof_sample(p, (int64_t[]){ 2, 20 }, "main;b");
	mkprof_label(p, "endpoint", "/orders");
	mkprof_num_label(p, "size", 4096, "bytes");
	mkprof_sample(p, (int64_t[]){ 4, 40 }, "main;a");
	mkprof_label(p, "endpoint", "/users");
	mkprof_label(p, "endpoint", "/users");
	mkprof_sample(p, (int64_t[]){ 8, 80 }, "main;c");
	mkprof_sample(p, (int64_t[]){ 16, 160 }, "main;b");
	mkprof_label(p, "endpoint", "/users");
	mkprof_label(p, "endpoint", "/orders");
	mkprof_sample(p, (int64_t[]){ 32, 320 }, "main");
	mkprof_num_label(p, "request", 1024, NULL);
	mkprof_num_label(p, "nothing", 0, NULL);        /* no str, num, unit */
	mkprof_sample(p, (int64_t[]){ 64, 640 }, "main;d");
	mkprof_label(p, "odd", ODD);
	mkprof_num_label(p, "zero", 0, "count");
	mkprof_sample(p, (int64_t[]){ 128, 1280 }, "main;e");
	mkprof_label(p, "badkey", "x");
	mkprof_label(p, "badvalue", "y");
	msg = mkprof_message(p);
	msg->sample[7]->label[0]->key = 9999;
	msg->sample[7]->label[1]->str = 9999;
	return p;
}

static void test_profile_labels(void **state)
{
	struct mkprof *p = labelled();
	struct pyro_profile *prof = decode_ok(p);
	const struct pyro_label_key *k;
	struct pyro_label_set ls;
	static const char *const order[] = { "odd", "zero", "request", "endpoint",
					      "size", "worker" };
	size_t i;

	(void)state;
	assert_int_equal(pyro_profile_labels(prof, 1, &ls), 0);
	assert_string_equal(ls.sample_type, "cpu");
	assert_string_equal(ls.sample_unit, "nanoseconds");
	assert_int_equal(ls.total, 2550);
	assert_int_equal(ls.nsnapshots, 1);
	/* By total desc, then name: "nothing", "badkey", "badvalue" are not
	 * labels at all. */
	assert_int_equal(ls.nkeys, 6);
	for (i = 0; i < 6; i++)
		assert_string_equal(ls.keys[i].text, order[i]);

	k = key_of(&ls, "endpoint");
	assert_int_equal(k->total, 230);        /* samples 1, 2, 4, 16 */
	assert_int_equal(k->without, 2320);
	assert_null(k->unit);
	assert_int_equal(k->nvalues, 2);
	assert_string_equal(k->values[0].text, "/users");
	assert_int_equal(k->values[0].total, 210);     /* 4 counted once */
	assert_string_equal(k->values[0].name, "%2Fusers");
	assert_int_equal(k->values[0].kinds, PYRO_LABEL_STRING);
	assert_string_equal(k->values[1].text, "/orders");
	assert_int_equal(k->values[1].total, 180);
	assert_string_equal(k->values[1].name, "%2Forders");

	k = key_of(&ls, "worker");              /* no unit: the key's name */
	assert_string_equal(k->unit, "worker");
	assert_int_equal(k->values[0].kinds, PYRO_LABEL_NUMBER);
	assert_int_equal(k->values[0].num, 1);
	assert_int_equal(k->values[0].total, 10);
	assert_string_equal(key_of(&ls, "size")->unit, "bytes");
	assert_string_equal(key_of(&ls, "request")->unit, "bytes");    /* pprof */
	assert_int_equal(value_total(&ls, "request", "1024"), 320);
	assert_string_equal(key_of(&ls, "zero")->unit, "count");
	assert_int_equal(value_total(&ls, "zero", "0"), 640);
	k = key_of(&ls, "odd");
	assert_string_equal(k->values[0].name, "%2Ehid%2Fden%25%01");
	assert_int_equal(k->values[0].total, 640);

	/* Lookups by directory name. */
	assert_ptr_equal(pyro_label_set_key(&ls, "endpoint"), key_of(&ls, "endpoint"));
	assert_null(pyro_label_set_key(&ls, "nothing"));
	assert_ptr_equal(pyro_label_key_value(key_of(&ls, "endpoint"), "%2Forders"),
			 &key_of(&ls, "endpoint")->values[1]);
	assert_null(pyro_label_key_value(key_of(&ls, "endpoint"), "/orders"));
	assert_true(pyro_label_set_bytes(&ls) > sizeof(ls));
	pyro_label_set_release(&ls);

	/* The other sample type counts the same samples. */
	assert_int_equal(pyro_profile_labels(prof, 0, &ls), 0);
	assert_int_equal(ls.total, 255);
	assert_int_equal(value_total(&ls, "endpoint", "/users"), 21);
	pyro_label_set_release(&ls);
	assert_int_equal(pyro_profile_labels(prof, 2, &ls), -EINVAL);
	pyro_label_set_release(&ls);

	pyro_profile_free(prof);
	mkprof_free(p);
}

static void test_stacks_filtered(void **state)
{
	struct mkprof *p = labelled();
	struct pyro_profile *prof = decode_ok(p);

	(void)state;
	check_filtered_str(prof, 1, "endpoint", "/users", "main;a 50\nmain;b 160\n");
	check_filtered_str(prof, 0, "endpoint", "/users", "main;a 5\nmain;b 16\n");
	check_filtered_str(prof, 1, "endpoint", "/orders", "main;b 180\n");
	check_filtered_str(prof, 1, "endpoint", "/nowhere", "");
	/* value NULL: the samples without the key. */
	check_filtered_str(prof, 1, "endpoint", NULL,
			   "main 320\nmain;c 80\nmain;d 640\nmain;e 1280\n");
	check_filtered_str(prof, 1, "worker", "1", "main;a 10\n");
	check_filtered_str(prof, 1, "size", "4096", "main;b 20\n");
	check_filtered_str(prof, 1, "request", "1024", "main 320\n");
	/* A number matches its decimal text only. */
	check_filtered_str(prof, 1, "request", "01024", "");
	check_filtered_str(prof, 1, "request", "+1024", "");
	check_filtered_str(prof, 1, "request", "1024 ", "");
	check_filtered_str(prof, 1, "zero", "0", "main;d 640\n");
	check_filtered(prof, 1, "odd", ODD, strlen(ODD), "main;d 640\n");
	check_filtered(prof, 1, "odd", ODD, strlen(ODD) - 1, "");
	/* Not labels: the zero label, the broken ones. */
	check_filtered_str(prof, 1, "nothing", "0", "");
	check_filtered_str(prof, 1, "badvalue", "y", "");
	check_filtered_str(prof, 1, "missing", "x", "");
	check_filtered_str(prof, 1, "missing", NULL,
			   "main 320\nmain;a 50\nmain;b 180\nmain;c 80\n"
			   "main;d 640\nmain;e 1280\n");
	pyro_profile_free(prof);
	mkprof_free(p);
}

/* A string "5" and a number 5 of one key are one value; a sample with a
 * string label and a number label of a key counts once. */
static void test_string_and_number(void **state)
{
	struct mkprof *p = mkprof_new();
	struct pyro_profile *prof;
	struct pyro_label_set ls;
	const struct pyro_label_key *k;

	(void)state;
	mkprof_sample_type(p, "samples", "count");
	mkprof_sample(p, (int64_t[]){ 1 }, "a");
	mkprof_label(p, "n", "5");
	mkprof_sample(p, (int64_t[]){ 2 }, "b");
	mkprof_num_label(p, "n", 5, "ms");
	mkprof_sample(p, (int64_t[]){ 4 }, "c");
	mkprof_label(p, "n", "5");
	mkprof_num_label(p, "n", 5, NULL);
	mkprof_num_label(p, "n", 7, "s");       /* first unit wins: ms */
	prof = decode_ok(p);
	assert_int_equal(pyro_profile_labels(prof, 0, &ls), 0);
	k = key_of(&ls, "n");
	assert_int_equal(k->total, 7);
	assert_int_equal(k->nvalues, 2);
	assert_string_equal(k->values[0].text, "5");
	assert_int_equal(k->values[0].total, 7);
	assert_int_equal(k->values[0].kinds, PYRO_LABEL_STRING | PYRO_LABEL_NUMBER);
	assert_string_equal(k->values[1].text, "7");
	assert_string_equal(k->unit, "ms");
	pyro_label_set_release(&ls);
	check_filtered_str(prof, 0, "n", "5", "a 1\nb 2\nc 4\n");
	check_filtered_str(prof, 0, "n", "7", "c 4\n");
	pyro_profile_free(prof);
	mkprof_free(p);
}

/* A profile without labels has an empty set; filtering keeps nothing or,
 * without the key, everything. */
static void test_no_labels(void **state)
{
	struct mkprof *p = mkprof_new();
	struct pyro_profile *prof;
	struct pyro_label_set ls;
	struct pyro_buf out = PYRO_BUF_INIT;

	(void)state;
	mkprof_sample_type(p, "alloc_space", "bytes");
	mkprof_sample(p, (int64_t[]){ 2048 }, "main;alloc");
	prof = decode_ok(p);
	assert_int_equal(pyro_profile_labels(prof, 0, &ls), 0);
	assert_int_equal(ls.nkeys, 0);
	assert_int_equal(ls.total, 2048);
	assert_int_equal(pyro_labels_render(&ls, &out), 0);
	assert_string_equal(out.data,
			    "Type: alloc_space\n"
			    "Unit: bytes\n"
			    "Total: 2kB (1 snapshot)\n"
			    "Labels: none\n");
	pyro_buf_release(&out);
	pyro_label_set_release(&ls);
	check_filtered_str(prof, 0, "k", "v", "");
	check_filtered_str(prof, 0, "k", NULL, "main;alloc 2048\n");
	pyro_profile_free(prof);
	mkprof_free(p);
}

/* ---- labels.txt ------------------------------------------------------------ */

/* Numeric keys as a histogram by powers of two (a range of one value names
 * it), values of zero total left out, text quoted where needed; with
 * PYRO_LABELS_EACH_NUMBER one line per number. */
static void test_render_histogram(void **state)
{
	struct mkprof *p = mkprof_new();
	struct pyro_profile *prof;
	struct pyro_label_set ls;
	struct pyro_buf out = PYRO_BUF_INIT;

	(void)state;
	mkprof_sample_type(p, "inuse_space", "bytes");
	mkprof_sample(p, (int64_t[]){ 256 }, "main;a");
	mkprof_num_label(p, "bytes", 256, "bytes");
	mkprof_sample(p, (int64_t[]){ 300 }, "main;a");
	mkprof_num_label(p, "bytes", 300, "bytes");
	mkprof_sample(p, (int64_t[]){ 4096 }, "main;b");
	mkprof_num_label(p, "bytes", 4096, "bytes");
	mkprof_sample(p, (int64_t[]){ 0 }, "main;c");     /* freed: total 0 */
	mkprof_num_label(p, "bytes", 8, "bytes");
	mkprof_sample(p, (int64_t[]){ 10 }, "main;d");
	mkprof_label(p, "region", "eu west");
	prof = decode_ok(p);
	assert_int_equal(pyro_profile_labels(prof, 0, &ls), 0);
	assert_int_equal(pyro_labels_render(&ls, &out), 0);
	assert_string_equal(out.data,
		"Type: inuse_space\n"
		"Unit: bytes\n"
		"Total: 4.55kB (1 snapshot)\n"
		"Labels: 2 keys, 4 values; share of the total, largest first\n"
		"     total  share  label\n"
		"    4.54kB 99.79%  bytes (numbers in bytes; 3 values, by powers of two)\n"
		"      556B 11.93%  bytes=256..511 (256B to <512B; 2 values)\n"
		"       4kB 87.86%  bytes=4096 (4kB)\n"
		"       10B  0.21%  bytes not set\n"
		"       10B  0.21%  region\n"
		"       10B  0.21%  region=\"eu west\"\n"
		"    4.54kB 99.79%  region not set\n");
	out.len = 0;
	assert_int_equal(pyro_labels_render_flags(&ls, PYRO_LABELS_EACH_NUMBER,
						  &out), 0);
	assert_non_null(strstr(out.data, "bytes (numbers in bytes)\n"
			       "       4kB 87.86%  bytes=4096 (4kB)\n"
			       "      300B  6.44%  bytes=300 (300B)\n"
			       "      256B  5.49%  bytes=256 (256B)\n"));
	pyro_buf_release(&out);
	pyro_label_set_release(&ls);
	pyro_profile_free(prof);
	mkprof_free(p);
}

static void test_render(void **state)
{
	struct mkprof *p = labelled();
	struct pyro_profile *prof = decode_ok(p);
	struct pyro_buf a = PYRO_BUF_INIT, b = PYRO_BUF_INIT;
	struct pyro_label_set ls;

	(void)state;
	assert_int_equal(pyro_profile_labels(prof, 1, &ls), 0);
	assert_int_equal(pyro_labels_render(&ls, &a), 0);
	assert_string_equal(a.data,
		"Type: cpu\n"
		"Unit: nanoseconds\n"
		"Total: 2.55us (1 snapshot)\n"
		"Labels: 6 keys, 7 values; share of the total, largest first\n"
		"     total  share  label\n"
		"     640ns 25.10%  odd\n"
		"     640ns 25.10%  odd=\".hid/den%\\x01\"\n"
		"    1.91us 74.90%  odd not set\n"
		"     640ns 25.10%  zero (numbers in count)\n"
		"     640ns 25.10%  zero=0\n"
		"    1.91us 74.90%  zero not set\n"
		"     320ns 12.55%  request (numbers in bytes)\n"
		"     320ns 12.55%  request=1024 (1kB)\n"
		"    2.23us 87.45%  request not set\n"
		"     230ns  9.02%  endpoint\n"
		"     210ns  8.24%  endpoint=/users\n"
		"     180ns  7.06%  endpoint=/orders\n"
		"    2.32us 90.98%  endpoint not set\n"
		"      20ns  0.78%  size (numbers in bytes)\n"
		"      20ns  0.78%  size=4096 (4kB)\n"
		"    2.53us 99.22%  size not set\n"
		"      10ns  0.39%  worker (numbers in worker)\n"
		"      10ns  0.39%  worker=1\n"
		"    2.54us 99.61%  worker not set\n");
	/* Deterministic. */
	assert_int_equal(pyro_labels_render(&ls, &b), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	pyro_buf_release(&a);
	pyro_buf_release(&b);
	pyro_label_set_release(&ls);
	pyro_profile_free(prof);
	mkprof_free(p);
}

/* ---- merging ---------------------------------------------------------------- */

/* A set of one key "env" from (value, amount) pairs, one sample each, plus
 * `unlabelled` in samples without labels. */
static void env_set(struct pyro_label_set *ls, int64_t unlabelled,
		    const char *v1, int64_t a1, const char *v2, int64_t a2)
{
	uint64_t sample = 1;

	assert_int_equal(pyro_label_set_init(ls, "inuse_space", "bytes"), 0);
	assert_int_equal(pyro_label_set_sample(ls, unlabelled), 0);
	if (v1) {
		assert_int_equal(pyro_label_set_sample(ls, a1), 0);
		assert_int_equal(pyro_label_set_add(ls, "env", 3, v1, strlen(v1),
						    PYRO_LABEL_STRING, 0, NULL, 0,
						    a1, sample++), 0);
	}
	if (v2) {
		assert_int_equal(pyro_label_set_sample(ls, a2), 0);
		assert_int_equal(pyro_label_set_add(ls, "env", 3, v2, strlen(v2),
						    PYRO_LABEL_STRING, 0, NULL, 0,
						    a2, sample++), 0);
	}
	assert_int_equal(pyro_label_set_finish(ls), 0);
}

static void check_env(const struct pyro_label_set *ls, int64_t total,
		      int64_t env, int64_t without, int64_t prod, int64_t dev)
{
	const struct pyro_label_key *k = key_of(ls, "env");

	assert_int_equal(ls->total, total);
	assert_int_equal(k->total, env);
	assert_int_equal(k->without, without);
	assert_int_equal(value_of(k, "prod", 4)->total, prod);
	assert_int_equal(value_of(k, "dev", 3)->total, dev);
}

static void test_merge(void **state)
{
	struct pyro_label_set a, b, base, m;
	const struct pyro_label_set *ab[2] = { &a, &b };

	(void)state;
	/* a: prod 60, dev 40, 10 unlabelled; b: prod 150, 5 unlabelled. */
	env_set(&a, 10, "prod", 60, "dev", 40);
	env_set(&b, 5, "prod", 150, NULL, 0);
	env_set(&base, 20, "prod", 50, "dev", 30);

	assert_int_equal(pyro_label_set_merge(&m, ab, 2, NULL, PYRO_MERGE_SUM), 0);
	check_env(&m, 265, 250, 15, 210, 40);
	assert_int_equal(m.nsnapshots, 2);
	assert_string_equal(m.keys[0].values[0].name, "prod");  /* sorted */
	pyro_label_set_release(&m);

	/* Mean, rounded half away from zero: 265 / 2 = 132.5 -> 133. */
	assert_int_equal(pyro_label_set_merge(&m, ab, 2, NULL, PYRO_MERGE_MEAN), 0);
	check_env(&m, 133, 125, 8, 105, 20);
	pyro_label_set_release(&m);

	/* Increase: a whole, then b's rise; dev fell to 0: counts 0. */
	assert_int_equal(pyro_label_set_merge(&m, ab, 2, NULL, PYRO_MERGE_INCREASE), 0);
	check_env(&m, 110 + 45, 100 + 50, 10 + 5, 60 + 90, 40 + 0);
	pyro_label_set_release(&m);

	/* From a baseline: a's rise over it, then b's. */
	assert_int_equal(pyro_label_set_merge(&m, ab, 2, &base, PYRO_MERGE_INCREASE), 0);
	check_env(&m, 10 + 45, 20 + 50, 10 + 5, 10 + 90, 10 + 0);
	assert_int_equal(m.nsnapshots, 2);
	pyro_label_set_release(&m);

	/* One member: itself. */
	assert_int_equal(pyro_label_set_merge(&m, ab, 1, NULL, PYRO_MERGE_SINGLE), 0);
	check_env(&m, 110, 100, 10, 60, 40);
	pyro_label_set_release(&m);
	assert_int_equal(pyro_label_set_merge(&m, ab, 0, NULL, PYRO_MERGE_SUM), -EINVAL);
	pyro_label_set_release(&m);

	pyro_label_set_release(&a);
	pyro_label_set_release(&b);
	pyro_label_set_release(&base);
}

/* Keys and values only some members have; units from the first having one. */
static void test_merge_union(void **state)
{
	struct pyro_label_set a, b, m;
	const struct pyro_label_set *ab[2] = { &a, &b };
	const struct pyro_label_key *k;

	(void)state;
	assert_int_equal(pyro_label_set_init(&a, "alloc_objects", "count"), 0);
	assert_int_equal(pyro_label_set_sample(&a, 3), 0);
	assert_int_equal(pyro_label_set_add(&a, "only_a", 6, "x", 1, PYRO_LABEL_STRING,
					    0, NULL, 0, 3, 1), 0);
	assert_int_equal(pyro_label_set_finish(&a), 0);
	assert_int_equal(pyro_label_set_init(&b, "alloc_objects", "count"), 0);
	assert_int_equal(pyro_label_set_sample(&b, 4), 0);
	assert_int_equal(pyro_label_set_add(&b, "size", 4, "64", 2, PYRO_LABEL_NUMBER,
					    64, "bytes", 5, 4, 1), 0);
	assert_int_equal(pyro_label_set_finish(&b), 0);

	assert_int_equal(pyro_label_set_merge(&m, ab, 2, NULL, PYRO_MERGE_SUM), 0);
	assert_int_equal(m.total, 7);
	k = key_of(&m, "size");
	assert_int_equal(k->total, 4);
	assert_int_equal(k->without, 3);        /* all of a */
	assert_string_equal(k->unit, "bytes");
	assert_int_equal(k->values[0].num, 64);
	assert_int_equal(k->values[0].kinds, PYRO_LABEL_NUMBER);
	k = key_of(&m, "only_a");
	assert_int_equal(k->total, 3);
	assert_int_equal(k->without, 4);
	assert_null(k->unit);
	pyro_label_set_release(&m);
	pyro_label_set_release(&a);
	pyro_label_set_release(&b);
}

/* ---- names -------------------------------------------------------------------- */

struct name_case {
	const char *value;
	size_t len;
	const char *name;
};

#define NC(v, n) { v, sizeof(v) - 1, n }

static void test_encode(void **state)
{
	static const struct name_case cases[] = {
		NC("abc", "abc"),
		NC("", "%"),
		NC("/users/42", "%2Fusers%2F42"),
		NC("50%", "50%25"),
		NC(".hidden", "%2Ehidden"),
		NC(".", "%2E"),
		NC("..", "%2E."),
		NC("a.b.", "a.b."),
		NC("tab\there", "tab%09here"),
		NC("nl\n", "nl%0A"),
		NC("a\0b", "a%00b"),
		NC("\x7f", "%7F"),
		NC("GET /a?b=c&d=e", "GET %2Fa?b=c&d=e"),
		NC("k=v:w;x y", "k=v:w;x y"),
		NC("caf\xc3\xa9", "caf\xc3\xa9"),               /* é */
		NC("\xe2\x82\xac", "\xe2\x82\xac"),             /* € */
		NC("\xf0\x9f\x94\xa5", "\xf0\x9f\x94\xa5"),     /* U+1F525 */
		NC("\xff", "%FF"),
		NC("\xc3", "%C3"),                              /* truncated */
		NC("\xc3(", "%C3("),
		NC("\xc0\xaf", "%C0%AF"),                       /* overlong '/' */
		NC("\xed\xa0\x80", "%ED%A0%80"),                /* surrogate */
		NC("\xf4\x90\x80\x80", "%F4%90%80%80"),         /* > U+10FFFF */
		NC("-3", "-3"),
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pyro_buf b = PYRO_BUF_INIT, d = PYRO_BUF_INIT;

		assert_int_equal(pyro_label_encode(cases[i].value, cases[i].len, &b), 0);
		assert_string_equal(b.data, cases[i].name);
		assert_int_equal(pyro_label_decode(b.data, &d), 0);
		assert_int_equal(d.len, cases[i].len);
		if (d.len)
			assert_memory_equal(d.data, cases[i].value, d.len);
		pyro_buf_release(&b);
		pyro_buf_release(&d);
	}
}

static void test_decode_rejects(void **state)
{
	static const char *const bad[] = {
		"", "%2", "%zz", "%G0", "a%", "%%", "%2f", "%41", "%2E%2E%2",
		"a/b", ".x", ".", "..", "\x01", "x\x7f", "\xff", "\xc3", "%5",
		"%2e", "%~", "50%2",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pyro_buf d = PYRO_BUF_INIT;
		int rc = pyro_label_decode(bad[i], &d);

		if (rc != -EINVAL && rc != -ENAMETOOLONG)
			fail_msg("decode \"%s\" gave %d", bad[i], rc);
		if (strcmp(bad[i], "%~"))
			assert_int_equal(rc, -EINVAL);
		assert_int_equal(d.len, 0);     /* nothing left behind */
		pyro_buf_release(&d);
	}
}

/* Long values: at most PYRO_LABEL_NAME_MAX bytes, a whole-character prefix,
 * a hash; not decodable; different values, different names. */
static void test_long_names(void **state)
{
	char v[600];
	struct pyro_buf a = PYRO_BUF_INIT, b = PYRO_BUF_INIT, c = PYRO_BUF_INIT;
	struct pyro_buf d = PYRO_BUF_INIT;
	size_t i;

	(void)state;
	memset(v, 'a', sizeof(v));
	assert_int_equal(pyro_label_encode(v, 200, &a), 0);     /* fits */
	assert_int_equal(a.len, 200);
	pyro_buf_release(&a);
	assert_int_equal(pyro_label_encode(v, 201, &a), 0);
	assert_int_equal(a.len, 181 + 18);
	assert_memory_equal(a.data + 181, "%~", 2);
	for (i = 183; i < a.len; i++)
		assert_non_null(strchr("0123456789abcdef", a.data[i]));
	assert_int_equal(pyro_label_decode(a.data, &d), -ENAMETOOLONG);
	assert_int_equal(d.len, 0);
	v[300] = 'b';                   /* same prefix, other value */
	assert_int_equal(pyro_label_encode(v, 400, &b), 0);
	assert_true(b.len <= PYRO_LABEL_NAME_MAX);
	assert_memory_equal(a.data, b.data, 181);
	assert_string_not_equal(a.data, b.data);
	/* Escapes are never cut: 100 '/' -> 60 whole "%2F" kept (180 bytes). */
	memset(v, '/', 100);
	assert_int_equal(pyro_label_encode(v, 100, &c), 0);
	assert_int_equal(c.len, 180 + 18);
	assert_memory_equal(c.data + 177, "%2F%~", 5);
	pyro_buf_release(&a);
	pyro_buf_release(&b);
	pyro_buf_release(&c);
	pyro_buf_release(&d);
}

/* Random byte strings round-trip, and every name is a safe file name. */
static void test_round_trip_random(void **state)
{
	static const unsigned char alphabet[] = "ab/%.\0\x01\x7f \xc3\xa9\xff\xe2\x82\xac";
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	size_t n;

	(void)state;
	for (n = 0; n < 20000; n++) {
		unsigned char v[90];
		size_t len, i;
		struct pyro_buf b = PYRO_BUF_INIT, d = PYRO_BUF_INIT;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		len = (size_t)(seed >> 58);     /* 0..63 */
		for (i = 0; i < len; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			v[i] = (seed >> 60) < 4 ? (unsigned char)(seed >> 33) :
			       alphabet[(seed >> 40) % (sizeof(alphabet) - 1)];
		}
		assert_int_equal(pyro_label_encode((const char *)v, len, &b), 0);
		assert_true(b.len > 0 && b.len <= PYRO_LABEL_NAME_MAX);
		assert_int_equal(strlen(b.data), b.len);
		assert_null(strchr(b.data, '/'));
		assert_true(b.data[0] != '.');
		for (i = 0; i < b.len; i++)
			assert_true((unsigned char)b.data[i] >= 0x20 &&
				    (unsigned char)b.data[i] != 0x7f);
		if (pyro_label_decode(b.data, &d) != 0)
			fail_msg("name \"%s\" does not decode", b.data);
		assert_int_equal(d.len, len);
		if (len)
			assert_memory_equal(d.data, v, len);
		pyro_buf_release(&b);
		pyro_buf_release(&d);
	}
}

/* ---- real profiles -------------------------------------------------------------- */

/* Load corpus/profiles/rel, or skip when the corpus is absent. */
static struct pyro_profile *corpus(const char *rel)
{
	const char *root = getenv("PYRO_CORPUS");
	char path[MKPROF_PATH_MAX], err[PYRO_ERR_MAX] = "";
	struct pyro_profile *prof = NULL;

	snprintf(path, sizeof(path), "%s/profiles/%s",
		 root && *root ? root : "../shared/corpus", rel);
	if (access(path, R_OK) != 0) {
		skip();
		return NULL;
	}
	if (pyro_profile_load(path, 1u << 30, &prof, err))
		fail_msg("%s: %s", path, err);
	return prof;
}

static int64_t filtered_total(const struct pyro_profile *prof, size_t index,
			      const char *key, const char *value)
{
	char err[PYRO_ERR_MAX] = "";
	struct pyro_stacks s;
	int64_t total = 0;

	assert_int_equal(pyro_profile_stacks_filtered(prof, index, key, strlen(key),
						      value, strlen(value), &s, err), 0);
	assert_int_equal(pyro_stacks_total(&s, &total), 0);
	pyro_stacks_release(&s);
	return total;
}

struct expect {
	const char *key, *value;
	int64_t total;
};

/* Every expected (key, value, total) in the set and as a filtered node. */
static void check_figures(const struct pyro_profile *prof, size_t index,
			   const struct expect *e, size_t n)
{
	struct pyro_label_set ls;
	size_t i;

	assert_int_equal(pyro_profile_labels(prof, index, &ls), 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(value_total(&ls, e[i].key, e[i].value), e[i].total);
		assert_int_equal(filtered_total(prof, index, e[i].key, e[i].value),
				 e[i].total);
	}
	pyro_label_set_release(&ls);
}

/* pprof -tags -unit=ms: key1 tag1 1000, tag2 100, tag3 10, tag4 10; key2
 * tag1 1010, tag2 10; key3 tag2 100 (of 1120 ms). */
static void test_corpus_cpu(void **state)
{
	static const struct expect e[] = {
		{ "key1", "tag1", 1000 }, { "key1", "tag2", 100 },
		{ "key1", "tag3", 10 }, { "key1", "tag4", 10 },
		{ "key2", "tag1", 1010 }, { "key2", "tag2", 10 },
		{ "key3", "tag2", 100 },
	};
	struct pyro_profile *prof = corpus("pprof/synthetic/cpu.pb.gz");
	struct pyro_label_set ls;

	(void)state;
	check_figures(prof, 1, e, sizeof(e) / sizeof(e[0]));
	assert_int_equal(pyro_profile_labels(prof, 1, &ls), 0);
	assert_int_equal(ls.total, 1120);
	assert_int_equal(key_of(&ls, "key1")->total, 1120);
	assert_int_equal(key_of(&ls, "key3")->without, 1020);
	pyro_label_set_release(&ls);
	pyro_profile_free(prof);
}

/* Numeric labels without units: "bytes" is its own unit, "request" bytes.
 * pprof -tags -unit=B -sample_index=inuse_space. */
static void test_corpus_heap_tags(void **state)
{
	static const struct expect e[] = {
		{ "bytes", "1638400", 65536000 }, { "bytes", "409600", 32768000 },
		{ "bytes", "204800", 4096000 }, { "bytes", "102400", 1024000 },
		{ "key1", "tag", 66560000 },
		{ "request", "1638400", 65536000 }, { "request", "102400", 1024000 },
	};
	struct pyro_profile *prof = corpus("pprof/synthetic/heap_tags.pb.gz");
	struct pyro_label_set ls;

	(void)state;
	check_figures(prof, 1, e, sizeof(e) / sizeof(e[0]));
	assert_int_equal(pyro_profile_labels(prof, 1, &ls), 0);
	assert_string_equal(key_of(&ls, "bytes")->unit, "bytes");
	assert_string_equal(key_of(&ls, "request")->unit, "bytes");
	assert_null(key_of(&ls, "key1")->unit);
	pyro_label_set_release(&ls);
	pyro_profile_free(prof);
}

/* pprof -tags -unit=ns: foo=bar 8.73s, function slow 6.74s, fast 1.5s. */
static void test_corpus_go_labels(void **state)
{
	static const struct expect e[] = {
		{ "foo", "bar", 8730000000 },
		{ "function", "slow", 6740000000 },
		{ "function", "fast", 1500000000 },
		{ "profile_id", "f9666c0d6bffec33", 40000000 },
	};
	struct pyro_profile *prof = corpus("pyroscope/pprof/go.cpu.labels.pprof");

	(void)state;
	check_figures(prof, 1, e, sizeof(e) / sizeof(e[0]));
	pyro_profile_free(prof);
}

/* The demo archive's CPU profile: pprof -tags endpoint /search 740ms,
 * /orders 620ms, /users 500ms. */
static void test_demo_cpu(void **state)
{
	static const struct expect e[] = {
		{ "endpoint", "/search", 740000000 },
		{ "endpoint", "/orders", 620000000 },
		{ "endpoint", "/users", 500000000 },
	};
	const char *path = "demo/archive/api/cpu-1795668008.pb.gz";
	char err[PYRO_ERR_MAX] = "";
	struct pyro_profile *prof = NULL;
	struct pyro_label_set ls;

	(void)state;
	if (access(path, R_OK) != 0) {
		skip();
		return;
	}
	if (pyro_profile_load(path, 1u << 30, &prof, err))
		fail_msg("%s: %s", path, err);
	check_figures(prof, 1, e, sizeof(e) / sizeof(e[0]));
	assert_int_equal(pyro_profile_labels(prof, 1, &ls), 0);
	assert_string_equal(ls.keys[0].values[0].name, "%2Fsearch");
	pyro_label_set_release(&ls);
	pyro_profile_free(prof);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile_labels),
		cmocka_unit_test(test_stacks_filtered),
		cmocka_unit_test(test_string_and_number),
		cmocka_unit_test(test_no_labels),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_render_histogram),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_merge_union),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_decode_rejects),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_round_trip_random),
		cmocka_unit_test(test_corpus_cpu),
		cmocka_unit_test(test_corpus_heap_tags),
		cmocka_unit_test(test_corpus_go_labels),
		cmocka_unit_test(test_demo_cpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
