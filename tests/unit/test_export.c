/*
 * test_export.c - profile.pb.gz (render/export.c): the round trip.
 *
 * Each case builds stacks by hand (tests/support/stacks_builder.h), exports
 * them, reads the export back with the project's own decoder (gunzipped by
 * pyro_profile_read from a temp file, or raw through pyro_profile_decode)
 * and checks that pyro_profile_stacks gives the same stacks (exactly, with
 * inline flags and node names: mkprof_stacks_text), the same folded and
 * top.txt bytes, and the same meta.  `go tool pprof` on real nodes is
 * tests/integration/interop.sh's part.
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
#include "../../render/render.h"
#include "../support/fixture.h"
#include "../support/stacks_builder.h"

/* The group state: a temp directory (fixture.h) for files of the cases. */
static int group_setup(void **state)
{
	return fixture_setup(state, NULL, FIXTURE_DIR);
}

/* Render s with fn into a fresh string (caller frees). */
static char *rendered(const struct pyro_stacks *s,
		      int (*fn)(const struct pyro_stacks *, struct pyro_buf *),
		      size_t *len)
{
	struct pyro_buf b = PYRO_BUF_INIT;

	assert_int_equal(fn(s, &b), 0);
	if (!b.data)
		assert_int_equal(pyro_buf_grow(&b, 1), 0);
	return pyro_buf_detach(&b, len);
}

static char *stacks_text(const struct pyro_stacks *s, int skip_zero)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	struct pyro_buf out = PYRO_BUF_INIT;
	char *line, *save = NULL;

	assert_int_equal(mkprof_stacks_text(s, &b), 0);
	assert_int_equal(pyro_buf_puts(&out, ""), 0);
	for (line = strtok_r(b.data ? b.data : (char[]){ "" }, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *sp = strrchr(line, ' ');

		if (skip_zero && sp && !strcmp(sp, " 0"))
			continue;
		assert_int_equal(pyro_buf_printf(&out, "%s\n", line), 0);
	}
	pyro_buf_release(&b);
	return pyro_buf_detach(&out, NULL);
}

static void assert_same_str(const char *a, const char *b)
{
	if (!a || !*a)
		assert_true(!b || !*b);
	else
		assert_string_equal(a, b);
}

/* Export s, decode it through a gzipped temp file, compare everything. */
static void round_trip(void **state, struct pyro_stacks *s)
{
	struct pyro_buf gz = PYRO_BUF_INIT, raw = PYRO_BUF_INIT, raw2 = PYRO_BUF_INIT;
	struct pyro_profile *p = NULL;
	struct pyro_stacks back;
	char path[MKPROF_PATH_MAX], err[PYRO_ERR_MAX] = "";
	char *a, *b;
	size_t alen, blen, i;
	int compressed = 0;

	assert_int_equal(pyro_export_pprof(s, &gz), 0);
	assert_true(gz.len > 20);
	assert_int_equal((unsigned char)gz.data[0], 0x1f);
	assert_int_equal((unsigned char)gz.data[1], 0x8b);
	mkprof_join(path, fixture_root(state), "export.pb.gz");
	assert_int_equal(mkprof_write_file(path, gz.data, gz.len), 0);
	assert_int_equal(pyro_profile_read(path, 1 << 30, &raw, &compressed, err), 0);
	assert_int_equal(compressed, 1);
	/* The gzip member holds exactly the raw export. */
	assert_int_equal(pyro_export_pprof_raw(s, &raw2), 0);
	assert_int_equal(raw.len, raw2.len);
	assert_memory_equal(raw.data, raw2.data, raw.len);

	if (pyro_profile_decode(raw.data, raw.len, &p, err))
		fail_msg("decode: %s", err);
	assert_int_equal(pyro_profile_ntypes(p), 1);
	if (pyro_profile_stacks(p, 0, &back, err))
		fail_msg("stacks: %s", err);

	a = stacks_text(s, 1);
	b = stacks_text(&back, 1);
	assert_string_equal(a, b);
	free(a);
	free(b);
	/* A diff's folded has two counts per line; its values are checked
	 * above. */
	if (!s->base) {
		a = rendered(s, pyro_folded_render, &alen);
		b = rendered(&back, pyro_folded_render, &blen);
		assert_int_equal(alen, blen);
		assert_memory_equal(a, b, alen);
		free(a);
		free(b);
	}
	if (s->meta.rule == PYRO_MERGE_SINGLE && !s->base) {
		a = rendered(s, pyro_top_render, &alen);
		b = rendered(&back, pyro_top_render, &blen);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}

	assert_same_str(s->meta.sample_type, back.meta.sample_type);
	assert_same_str(s->meta.sample_unit, back.meta.sample_unit);
	assert_same_str(s->meta.file, back.meta.file);
	assert_same_str(s->meta.build_id, back.meta.build_id);
	assert_same_str(s->meta.doc_url, back.meta.doc_url);
	assert_int_equal(s->meta.ncomments, back.meta.ncomments);
	for (i = 0; i < s->meta.ncomments; i++)
		assert_string_equal(s->meta.comments[i], back.meta.comments[i]);
	assert_int_equal(s->meta.time_nanos, back.meta.time_nanos);
	assert_int_equal(s->meta.duration_nanos, back.meta.duration_nanos);

	pyro_stacks_release(&back);
	pyro_profile_free(p);
	pyro_buf_release(&gz);
	pyro_buf_release(&raw);
	pyro_buf_release(&raw2);
}

static void build(struct pyro_stacks *s, const char *text, const char *type,
		  const char *unit)
{
	assert_int_equal(sb_build(s, text), 0);
	assert_int_equal(sb_type(s, type, unit), 0);
}

static void test_plain(void **state)
{
	struct pyro_stacks s;

	build(&s, "main;foo;bar 10\nmain;foo 5\nmain;baz 3\nmain;zero 0\n",
	      "samples", "count");
	round_trip(state, &s);
	pyro_stacks_release(&s);
}

/* File, Build ID, comments, doc URL, time and duration come back. */
static void test_meta(void **state)
{
	struct pyro_stacks s;

	build(&s, "main;work 1500000000\nmain;idle 10000000\n",
	      "cpu", "nanoseconds");
	assert_int_equal(sb_set(&s.meta.file, "api"), 0);
	assert_int_equal(sb_set(&s.meta.build_id, "abc123"), 0);
	assert_int_equal(sb_set(&s.meta.doc_url, "https://example.com/doc"), 0);
	s.meta.comments = calloc(2, sizeof(char *));
	assert_non_null(s.meta.comments);
	s.meta.comments[0] = strdup("first comment");
	s.meta.comments[1] = strdup("#hidden from top");
	s.meta.ncomments = 2;
	s.meta.time_nanos = 1506718679123456789LL;
	s.meta.duration_nanos = 2000000000;
	round_trip(state, &s);
	pyro_stacks_release(&s);
}

/* Inlined calls become one location of several lines, so the inline
 * flags (and top.txt's "(inline)" markers) survive; the same function
 * reached inline and not stays partial. */
static void test_inline(void **state)
{
	struct pyro_stacks s;

	build(&s, "main;^inl;bar 5\n"
		  "main;^inl;^deeper 3\n"
		  "main;inl 2\n"
		  "other;^inl 1\n"
		  "main;^inl;bar;^inl 4\n",
	      "samples", "count");
	round_trip(state, &s);
	pyro_stacks_release(&s);
}

/* Address-only frames: "[binary]" nodes get mappings (the main one for
 * meta.file), "<unknown>" none; a nameless function keeps its file. */
/* The frames of stacks s as "name@file:line" text, one stack a line in
 * stack order with its value: what pprof -list and -lines read. */
static char *positions_text(const struct pyro_stacks *s)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	size_t k;
	uint32_t d;

	assert_int_equal(pyro_buf_puts(&b, ""), 0);
	for (k = 0; k < s->nstacks; k++) {
		const uint32_t *refs = pyro_stack_refs(s, &s->stacks[k]);

		for (d = 0; d < s->stacks[k].depth; d++) {
			const struct pyro_frame *f = &s->frames[PYRO_REF_FRAME(refs[d])];
			struct pyro_str n = pyro_strtab_get(&s->strs, f->name);
			struct pyro_str file = f->file == PYRO_NO_FILE ?
				(struct pyro_str){ "-", 1 } :
				pyro_strtab_get(&s->strs, f->file);

			assert_int_equal(pyro_buf_printf(&b, "%s%.*s@%.*s:%lld%s",
							 d ? ";" : "", (int)n.len, n.ptr,
							 (int)file.len, file.ptr,
							 (long long)f->line,
							 refs[d] & PYRO_REF_INLINE ? "^" : ""), 0);
		}
		assert_int_equal(pyro_buf_printf(&b, " %lld\n",
						 (long long)s->stacks[k].value), 0);
	}
	return pyro_buf_detach(&b, NULL);
}

/* Source files and lines (pprof -list's input) survive the export; two
 * lines of one function stay two stacks, yet folded and top.txt merge
 * them by name, as before. */
static void test_lines(void **state)
{
	struct pyro_stacks s, back;
	struct pyro_buf raw = PYRO_BUF_INIT;
	struct pyro_profile *p = NULL;
	char err[PYRO_ERR_MAX] = "";
	uint32_t main10, work20, work21, inl7, plain, refs[3];
	char *a, *b;
	size_t alen, blen;

	assert_int_equal(pyro_stacks_init(&s), 0);
	assert_int_equal(sb_type(&s, "cpu", "nanoseconds"), 0);
	assert_int_equal(pyro_stacks_frame_at(&s, "main.main", 9, "main.main", 9,
					      "app/main.go", 11, 10, &main10), 0);
	assert_int_equal(pyro_stacks_frame_at(&s, "main.work", 9, "main.work", 9,
					      "app/work.go", 11, 20, &work20), 0);
	assert_int_equal(pyro_stacks_frame_at(&s, "main.work", 9, "main.work", 9,
					      "app/work.go", 11, 21, &work21), 0);
	assert_int_equal(pyro_stacks_frame_at(&s, "main.inl", 8, "main.inl", 8,
					      "app/inl.go", 10, 7, &inl7), 0);
	assert_int_equal(pyro_stacks_frame(&s, "plain", 5, "plain", 5, &plain), 0);
	assert_true(work20 != work21);
	refs[0] = main10;
	refs[1] = work20;
	refs[2] = inl7 | PYRO_REF_INLINE;
	assert_int_equal(pyro_stacks_add(&s, refs, 3, 30, NULL), 0);
	refs[1] = work21;
	assert_int_equal(pyro_stacks_add(&s, refs, 2, 12, NULL), 0);
	refs[1] = plain;
	assert_int_equal(pyro_stacks_add(&s, refs, 2, 5, NULL), 0);
	assert_int_equal(s.nstacks, 3);

	assert_int_equal(pyro_export_pprof_raw(&s, &raw), 0);
	if (pyro_profile_decode(raw.data, raw.len, &p, err))
		fail_msg("decode: %s", err);
	if (pyro_profile_stacks(p, 0, &back, err))
		fail_msg("stacks: %s", err);
	a = positions_text(&s);
	b = positions_text(&back);
	assert_string_equal(a, "main.main@app/main.go:10;main.work@app/work.go:20;"
			       "main.inl@app/inl.go:7^ 30\n"
			       "main.main@app/main.go:10;main.work@app/work.go:21 12\n"
			       "main.main@app/main.go:10;plain@-:0 5\n");
	assert_string_equal(a, b);
	free(a);
	free(b);
	/* the text renderers merge the two lines of main.work */
	a = rendered(&s, pyro_folded_render, &alen);
	assert_string_equal(a, "main.main;main.work 12\n"
			       "main.main;main.work;main.inl 30\n"
			       "main.main;plain 5\n");
	b = rendered(&back, pyro_folded_render, &blen);
	assert_string_equal(a, b);
	free(a);
	free(b);
	a = rendered(&s, pyro_top_render, &alen);
	b = rendered(&back, pyro_top_render, &blen);
	assert_string_equal(a, b);
	assert_non_null(strstr(a, "main.work"));
	free(a);
	free(b);
	pyro_stacks_release(&back);
	pyro_profile_free(p);
	pyro_buf_release(&raw);
	pyro_stacks_release(&s);
}

static void test_addresses(void **state)
{
	struct pyro_stacks s;

	build(&s, "main;0x4f1984=[api] 7\n"
		  "main;0x10=<unknown> 2\n"
		  "main;0xdeadbeef=[libc.so.6] 3\n"
		  "main;0x4f1984=[api];0x20=[libc.so.6] 1\n"
		  "main;file.go=[api] 4\n"
		  "main;other.go=<unknown> 6\n"
		  "main;^file.go=[api] 8\n",
	      "samples", "count");
	assert_int_equal(sb_set(&s.meta.file, "api"), 0);
	round_trip(state, &s);
	pyro_stacks_release(&s);
}

/* Without a main binary, mapping 1 is still the (nameless) main one, so
 * File: stays absent and no other binary takes its place. */
static void test_no_main(void **state)
{
	struct pyro_stacks s;

	build(&s, "main;0x4f1984=<unknown> 7\nmain;run 3\nmain;0x10=[libc.so.6] 1\n",
	      "samples", "count");
	assert_int_equal(sb_set(&s.meta.build_id, "only-a-build-id"), 0);
	round_trip(state, &s);
	pyro_stacks_release(&s);
}

/* An empty stack is a sample without locations; zero stacks are left out;
 * awkward bytes in names survive (the string table is bytes). */
static void test_edges(void **state)
{
	struct pyro_stacks s;
	uint32_t refs[2];

	build(&s, " 7\nmain 0\nmain;x 1\n", "alloc_space", "bytes");
	assert_int_equal(pyro_stacks_frame(&s, "a;b\nc", 5, "a;b\nc", 5, &refs[0]), 0);
	assert_int_equal(pyro_stacks_frame(&s, "n\0l", 3, "n\0l", 3, &refs[1]), 0);
	assert_int_equal(pyro_stacks_add(&s, refs, 2, 11, NULL), 0);
	round_trip(state, &s);
	pyro_stacks_release(&s);
}

/* A diff exports target minus base, negative values included. */
static void test_diff(void **state)
{
	struct pyro_stacks s;
	size_t i;

	build(&s, "main;grew 10\nmain;shrank -4\nmain;same 0\n", "samples", "count");
	s.base = calloc(s.nstacks, sizeof(*s.base));
	assert_non_null(s.base);
	for (i = 0; i < s.nstacks; i++)
		s.base[i] = 5;
	s.meta.base_total = 15;
	round_trip(state, &s);
	pyro_stacks_release(&s);
}

/* Equal input, equal bytes; an empty node is a valid, empty profile. */
static void test_deterministic(void **state)
{
	struct pyro_buf a = PYRO_BUF_INIT, b = PYRO_BUF_INIT;
	struct pyro_stacks s, e;

	build(&s, "main;a 1\nmain;b 2\nx;^y;z 3\n", "samples", "count");
	assert_int_equal(pyro_export_pprof(&s, &a), 0);
	assert_int_equal(pyro_export_pprof(&s, &b), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	pyro_stacks_release(&s);
	build(&e, "", "samples", "count");
	round_trip(state, &e);
	pyro_stacks_release(&e);
	pyro_buf_release(&a);
	pyro_buf_release(&b);
}

/* Appends to what the buffer already holds. */
static void test_appends(void **state)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	struct pyro_stacks s;

	build(&s, "main 1\n", "samples", "count");
	assert_int_equal(pyro_buf_puts(&b, "xy"), 0);
	assert_int_equal(pyro_export_pprof(&s, &b), 0);
	assert_memory_equal(b.data, "xy\x1f\x8b", 4);
	pyro_buf_release(&b);
	pyro_stacks_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_meta),
		cmocka_unit_test(test_inline),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_no_main),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_appends),
	};

	return cmocka_run_group_tests(tests, group_setup, fixture_teardown);
}
