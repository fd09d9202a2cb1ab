/*
 * test_collapsed.c - collapsed stack files (model/collapsed.c): line
 * rules, bad lines and their report, sniffing against pprof, types from
 * file names, loading files.
 *
 * Stacks are compared as text (tests/support/mkprof_stacks_text: sorted,
 * " 7" for an empty stack).  The sniffing cases run over every profile of
 * the conformance corpus (${PYRO_CORPUS:-../shared/corpus}/profiles,
 * skipped when absent) and of demo/archive: none may sniff as collapsed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../model/collapsed.h"
#include "../../model/types.h"
#include "../../render/render.h"
#include "../support/fixture.h"

/* ---- helpers ------------------------------------------------------------ */

/* The group state: a temp directory (fixture.h) for files of the cases. */
static int group_setup(void **state)
{
	return fixture_setup(state, NULL, FIXTURE_DIR);
}

/* Parse data[0..len) into stacks, compare as text; rep filled. */
static void check_n(const char *data, size_t len, const char *expected,
		    struct pyro_collapsed_report *rep)
{
	struct pyro_buf text = PYRO_BUF_INIT;
	char err[PYRO_ERR_MAX] = "";
	struct pyro_stacks s;
	int rc;

	rc = pyro_collapsed_stacks(data, len, "samples", "count", &s, rep, err);
	if (rc)
		fail_msg("parse failed: %d %s", rc, err);
	assert_int_equal(mkprof_stacks_text(&s, &text), 0);
	assert_string_equal(text.data ? text.data : "", expected);
	pyro_buf_release(&text);
	pyro_stacks_release(&s);
}

static void check(const char *data, const char *expected,
		  struct pyro_collapsed_report *rep)
{
	check_n(data, strlen(data), expected, rep);
}

static void check_report(const struct pyro_collapsed_report *rep,
			 const char *expected)
{
	char text[PYRO_ERR_MAX];

	assert_int_equal(pyro_collapsed_report_text(rep, text), *expected != '\0');
	assert_string_equal(text, expected);
}

/* ---- line rules ----------------------------------------------------------- */

static void test_lines(void **state)
{
	struct pyro_collapsed_report rep;

	(void)state;
	check("main;foo;bar 10\n"
	      "main;foo;bar 5\n"                /* adds up */
	      "main;foo 3\r\n"                  /* CRLF */
	      "\n"
	      "   \t \r\n"                      /* blank */
	      "# comment 12\n"
	      "  # indented comment 3\n"
	      "main;void foo(int, long) 7\n"    /* spaces in a frame */
	      "main;;x 2\n"                     /* an empty frame */
	      ";lead 1\n"
	      " 4\n"                            /* the empty stack */
	      "main;zero 0\n"                   /* good, adds nothing */
	      "main;tab\t6\n"                   /* tab before the count */
	      "main;trailing 8  \t\n"           /* trailing blanks */
	      "main;wide   11\n"                /* several blanks */
	      "main;last 9",                    /* no final newline */
	      " 4\n"
	      "=<unknown>;lead 1\n"              /* top.txt: pprof's name */
	      "main;=<unknown>;x 2\n"
	      "main;foo 3\n"
	      "main;foo;bar 15\n"
	      "main;last 9\n"
	      "main;tab 6\n"
	      "main;trailing 8\n"
	      "main;void foo(int, long) 7\n"
	      "main;wide 11\n", &rep);
	assert_int_equal(rep.nlines, 12);
	assert_int_equal(rep.nbad, 0);
	assert_int_equal(rep.nsecond, 0);
	check_report(&rep, "");
}

/* Frames are bytes: no unescaping, UTF-8 and odd bytes kept; a UTF-8 byte
 * order mark at the start is not a frame. */
static void test_frame_bytes(void **state)
{
	struct pyro_collapsed_report rep;

	(void)state;
	check("\xef\xbb\xbf" "caf\xc3\xa9;a\\x3bb;[k] 2\n"
	      "java/lang/Thread.run;Foo::bar<int> 1\n",
	      "caf\xc3\xa9;a\\x3bb;[k] 2\n"
	      "java/lang/Thread.run;Foo::bar<int> 1\n", &rep);
}

static void test_bad_lines(void **state)
{
	struct pyro_collapsed_report rep;

	(void)state;
	check("a;b 1\n"                                 /* 1 */
	      "a;b\n"                                   /* 2 no count */
	      "a;b -5\n"                                /* 3 */
	      "a;b 99999999999999999999\n"              /* 4 */
	      "a;b x\n"                                 /* 5 */
	      "big 9223372036854775807\n"               /* 6 INT64_MAX */
	      "big 1\n"                                 /* 7 sum overflows */
	      "5\n"                                     /* 8 no stack */
	      "c 2\n"                                   /* 9 */
	      "a;b 9223372036854775808\n",              /* 10 */
	      "a;b 1\n"
	      "big 9223372036854775807\n"
	      "c 2\n", &rep);
	assert_int_equal(rep.nlines, 3);
	assert_int_equal(rep.nbad, 7);
	assert_int_equal(rep.bad[0].line, 2);
	assert_int_equal(rep.bad[3].line, 5);
	check_report(&rep, "7 bad lines skipped (line 2: no count after the stack; "
		     "line 3: negative count; line 4: count over 64 bits; "
		     "line 5: no count at the end of the line; ...)");

	check("a 1\nb -1\n", "a 1\n", &rep);
	check_report(&rep, "1 bad line skipped (line 2: negative count)");
}

/* difffolded.pl's "stack BEFORE AFTER": the last count is the value, as
 * flamegraph.pl sizes it. */
static void test_second_column(void **state)
{
	struct pyro_collapsed_report rep;

	(void)state;
	check("a;b 3 5\n"
	      "c 1 2\r\n"
	      "d 4\n"
	      " 12 34\n"                /* the empty stack, 34 */
	      "12 34\n"                 /* one word before: a frame "12" */
	      "e -1 6\n",               /* not a count: a frame "e -1" */
	      " 34\n"
	      "12 34\n"
	      "a;b 5\n"
	      "c 2\n"
	      "d 4\n"
	      "e -1 6\n", &rep);
	assert_int_equal(rep.nsecond, 3);
	assert_int_equal(rep.second_line, 1);
	check_report(&rep, "two count columns, the first (a diff's base) ignored (3 lines, from line 1)");

	check("x 1\ny 99999999999999999999 3\nz 2 2\n", "x 1\nz 2\n", &rep);
	check_report(&rep, "1 bad line skipped (line 2: count over 64 bits); "
		     "two count columns, the first (a diff's base) ignored (1 line, from line 3)");
}

/* A line over 1 MiB is bad (and parsing it costs no more than reading
 * it); one just under is a deep stack, cut to PYRO_MAX_DEPTH. */
static void test_long_lines(void **state)
{
	struct pyro_collapsed_report rep;
	size_t huge = 10u << 20, deep = 400000, i;
	char *big = malloc(huge + 64);
	struct pyro_stacks s;
	char err[PYRO_ERR_MAX] = "";

	(void)state;
	assert_non_null(big);
	for (i = 0; i < huge; i++)
		big[i] = i % 2 ? ';' : 'f';
	memcpy(big + huge, "f 3\nok 1\n", 10);
	check(big, "ok 1\n", &rep);
	assert_int_equal(rep.nbad, 1);
	check_report(&rep, "1 bad line skipped (line 1: line longer than 1 MiB)");

	/* 400,000 frames "f;f;...;f 3": 800,001 bytes plus the count. */
	memcpy(big + 2 * deep - 1, " 3\n", 4);
	assert_int_equal(pyro_collapsed_stacks(big, strlen(big), "samples", "count",
					       &s, &rep, err), 0);
	/* Cut to PYRO_MAX_DEPTH frames around a marker (stacks.h). */
	assert_int_equal(s.nstacks, 1);
	assert_int_equal(s.stacks[0].depth, PYRO_MAX_DEPTH);
	assert_int_equal(s.stacks[0].value, 3);
	assert_int_equal(s.nframes, 2);
	{
		struct pyro_str m = pyro_ref_name(&s, pyro_stack_refs(&s,
			&s.stacks[0])[PYRO_KEEP_ROOT]);

		assert_int_equal(m.len, strlen("[truncated 398977 frames]"));
		assert_memory_equal(m.ptr, "[truncated 398977 frames]", m.len);
	}
	pyro_stacks_release(&s);
	free(big);
}

static void test_no_good_line(void **state)
{
	struct pyro_collapsed_report rep;
	char err[PYRO_ERR_MAX] = "";
	struct pyro_stacks s;

	(void)state;
	assert_int_equal(pyro_collapsed_stacks("a;b\n# x 1\n", 10, "samples",
					       "count", &s, &rep, err), -EINVAL);
	assert_string_equal(err, "no good collapsed stack line (line 1: no count after the stack)");
	pyro_stacks_release(&s);
	assert_int_equal(pyro_collapsed_stacks("", 0, "samples", "count", &s,
					       NULL, err), -EINVAL);
	assert_string_equal(err, "no collapsed stack line");
	pyro_stacks_release(&s);
}

static void test_meta(void **state)
{
	char err[PYRO_ERR_MAX] = "";
	struct pyro_stacks s;
	int64_t total = 0;

	(void)state;
	assert_int_equal(pyro_collapsed_stacks("a;b 2\na 3\n", 10, "wall", "count",
					       &s, NULL, err), 0);
	assert_string_equal(s.meta.sample_type, "wall");
	assert_string_equal(s.meta.sample_unit, "count");
	assert_int_equal(s.meta.nsnapshots, 1);
	assert_int_equal(s.meta.rule, PYRO_MERGE_SINGLE);
	assert_int_equal(s.meta.time_nanos, 0);
	assert_null(s.meta.file);
	assert_int_equal(pyro_stacks_total(&s, &total), 0);
	assert_int_equal(total, 5);
	/* Frame name and node name are the frame's text. */
	assert_int_equal(pyro_ref_node(&s, pyro_stack_refs(&s, &s.stacks[0])[1]).len, 1);
	pyro_stacks_release(&s);
}

/* Our own folded output reads back as the same stacks. */
static void test_folded_round_trip(void **state)
{
	const char *text = " 4\n;x 1\na;;b 2\nmain;foo 3\nmain;foo;bar 15\n"
			   "main;void f(int, long) 7\n";
	struct pyro_buf out = PYRO_BUF_INIT;
	char err[PYRO_ERR_MAX] = "";
	struct pyro_stacks s;

	(void)state;
	assert_int_equal(pyro_collapsed_stacks(text, strlen(text), "samples", "count",
					       &s, NULL, err), 0);
	assert_int_equal(pyro_folded_render(&s, &out), 0);
	assert_string_equal(out.data, text);
	pyro_stacks_release(&s);
	pyro_buf_release(&out);
}

/* ---- sniffing ------------------------------------------------------------ */

static int sniff(const char *s)
{
	return pyro_collapsed_sniff(s, strlen(s));
}

static void test_sniff_text(void **state)
{
	char *big;
	size_t i, n;

	(void)state;
	assert_int_equal(sniff("main;a 1\n"), 1);
	assert_int_equal(sniff("a 1"), 1);
	assert_int_equal(sniff("# py-spy\n\nmain;a 1\r\nmain;b 2\r\n"), 1);
	assert_int_equal(sniff("\xef\xbb\xbfmain;a 1\n"), 1);
	assert_int_equal(sniff("main;a 1 2\n"), 1);
	assert_int_equal(sniff("a 1\nb x\nc 2\n"), 1);  /* more good than bad */

	assert_int_equal(pyro_collapsed_sniff("", 0), 0);
	assert_int_equal(sniff("\n\n# only comments 1\n"), 0);
	assert_int_equal(sniff("hello world\na 1\nb 2\n"), 0);  /* first bad */
	assert_int_equal(sniff("a 1\nb x\nc y\n"), 0);
	assert_int_equal(sniff("a 1\nb\x01 2\n"), 0);           /* control */
	assert_int_equal(sniff("a 1\x1b[0m\n"), 0);
	assert_int_equal(pyro_collapsed_sniff("a 1\n\0", 5), 0);
	assert_int_equal(pyro_collapsed_sniff("\x1f\x8b\x08\0", 4), 0);
	assert_int_equal(sniff("# Title\n\nSome prose, version 2\nmore prose.\nand more\n"), 0);
	assert_int_equal(sniff("      flat  flat%   sum%        cum   cum%\n"), 0);

	/* Lines starting within the first 64 KB decide; bytes later do not. */
	n = PYRO_COLLAPSED_SNIFF_MAX + 4096;
	big = malloc(n + 1);
	assert_non_null(big);
	for (i = 0; i + 8 <= PYRO_COLLAPSED_SNIFF_MAX; i += 8)
		memcpy(big + i, "a;b;c 1\n", 8);
	memset(big + i, 0, n - i);
	assert_int_equal(pyro_collapsed_sniff(big, n), 1);
	/* A first line longer than the window counts whole. */
	for (i = 0; i < n; i++)
		big[i] = i % 2 ? ';' : 'f';
	memcpy(big + n - 4, "f 3\n", 4);
	assert_int_equal(pyro_collapsed_sniff(big, n), 1);
	big[n - 100] = '\x02';
	assert_int_equal(pyro_collapsed_sniff(big, n), 0);
	free(big);
}

/* Collapsed text is never a pprof profile (a profile holds a NUL: the
 * empty first string), and a pprof profile never sniffs as collapsed. */
static void test_sniff_vs_pprof(void **state)
{
	struct mkprof *p = mkprof_new();
	struct pyro_buf raw = PYRO_BUF_INIT, gz = PYRO_BUF_INIT;
	struct pyro_profile_header h;
	char err[PYRO_ERR_MAX] = "";
	static const char *const texts[] = {
		"main;a 1\n", "a 1", " 4\n", "main;foo;bar 10\nmain;x 2 3\n",
		"2 2\n", "(((((((((((( 1\n", "ZZZZZZZZ 1\n",
	};
	size_t i;

	(void)state;
	mkprof_sample_type(p, "samples", "count");
	mkprof_sample(p, (int64_t[]){ 1 }, "main;a");
	assert_int_equal(mkprof_pack(p, &raw), 0);
	assert_int_equal(mkprof_gzip(raw.data, raw.len, &gz), 0);
	assert_int_equal(pyro_collapsed_sniff(raw.data, raw.len), 0);
	assert_int_equal(pyro_collapsed_sniff(gz.data, gz.len), 0);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_int_equal(sniff(texts[i]), 1);
		assert_int_not_equal(pyro_profile_peek_data(texts[i], strlen(texts[i]),
							    &h, err), 0);
	}
	pyro_buf_release(&raw);
	pyro_buf_release(&gz);
	mkprof_free(p);
}

static size_t nsniffed, nprofiles;

static int sniff_one(const char *path, const struct stat *st, int flag,
		     struct FTW *ftw)
{
	struct pyro_buf data = PYRO_BUF_INIT;
	char err[PYRO_ERR_MAX];
	int compressed;

	(void)st;
	(void)ftw;
	if (flag != FTW_F)
		return 0;
	if (pyro_profile_read(path, 1u << 30, &data, &compressed, err) == 0) {
		struct pyro_profile_header h;

		if (pyro_collapsed_sniff(data.data, data.len)) {
			print_error("sniffed as collapsed: %s\n", path);
			nsniffed++;
		}
		if (pyro_profile_peek_data(data.data, data.len, &h, err) == 0) {
			nprofiles++;
			pyro_profile_header_release(&h);
		}
	}
	pyro_buf_release(&data);
	return 0;
}

static void sniff_tree(const char *root, size_t min_profiles)
{
	if (access(root, R_OK) != 0) {
		skip();
		return;
	}
	nsniffed = nprofiles = 0;
	assert_int_equal(nftw(root, sniff_one, 16, FTW_PHYS), 0);
	assert_int_equal(nsniffed, 0);
	assert_true(nprofiles >= min_profiles);
}

static void test_sniff_corpus(void **state)
{
	const char *root = getenv("PYRO_CORPUS");
	char path[MKPROF_PATH_MAX];

	(void)state;
	snprintf(path, sizeof(path), "%s/profiles",
		 root && *root ? root : "../shared/corpus");
	sniff_tree(path, 150);
}

static void test_sniff_demo(void **state)
{
	(void)state;
	sniff_tree("demo/archive", 50);
}

/* ---- types and headers ------------------------------------------------------ */

static void test_types(void **state)
{
	static const struct {
		const char *path, *type, *dir;
	} cases[] = {
		{ "cpu.folded", "samples", "cpu" },
		{ "profile.txt", "samples", "cpu" },
		{ "api/2026/py-spy-1795664261.txt", "samples", "cpu" },
		{ "task-clock.folded", "samples", "cpu" },
		{ "itimer.collapsed", "samples", "cpu" },
		{ "wall-1795664261.txt", "wall", "wall" },
		{ "WALLCLOCK.txt", "wall", "wall" },
		{ "alloc.collapsed.gz", "alloc_objects", "alloc_objects" },
		{ "malloc.txt", "alloc_objects", "alloc_objects" },
		{ "lock.txt", "mutex_count", "mutex_count" },
		{ "Mutex.txt", "mutex_count", "mutex_count" },
		{ "block.txt", "block_count", "block_count" },
		{ "blocking-lock.txt", "block_count", "block_count" },
		{ "alloc-cpu.txt", "alloc_objects", "alloc_objects" },
		{ "block/alloc/cpu.txt", "samples", "cpu" },   /* the name only */
		{ "block/x.txt", "samples", "cpu" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pyro_profile_header h;
		char err[PYRO_ERR_MAX] = "", name[PYRO_NAME_MAX];
		const char *type, *unit;

		pyro_collapsed_type(cases[i].path, &type, &unit);
		assert_string_equal(type, cases[i].type);
		assert_string_equal(unit, "count");
		assert_int_equal(pyro_collapsed_header("a 1\n", 4, cases[i].path, &h,
						       NULL, err), 0);
		assert_int_equal(h.ntypes, 1);
		assert_string_equal(h.types[0].type, cases[i].type);
		pyro_type_name(&h, 0, cases[i].path, name);
		if (strcmp(name, cases[i].dir))
			fail_msg("%s: type directory %s, want %s", cases[i].path,
				 name, cases[i].dir);
		pyro_profile_header_release(&h);
	}
}

static void test_header(void **state)
{
	struct pyro_collapsed_report rep;
	struct pyro_profile_header h;
	char err[PYRO_ERR_MAX] = "";

	(void)state;
	assert_int_equal(pyro_collapsed_header("a 1\nb\nc 2 3\n", 12, "x/wall.txt",
					       &h, &rep, err), 0);
	assert_string_equal(h.types[0].type, "wall");
	assert_string_equal(h.types[0].unit, "count");
	assert_null(h.period_type.type);
	assert_null(h.default_type);
	assert_int_equal(h.time_nanos, 0);
	assert_int_equal(rep.nlines, 2);
	assert_int_equal(rep.nbad, 1);
	check_report(&rep, "1 bad line skipped (line 2: no count after the stack); "
		     "two count columns, the first (a diff's base) ignored (1 line, from line 3)");
	pyro_profile_header_release(&h);
	assert_int_equal(pyro_collapsed_header("# nothing\n", 10, "cpu.txt", &h,
					       &rep, err), -EINVAL);
	assert_string_equal(err, "no collapsed stack line");
	assert_int_equal(h.ntypes, 0);
}

/* ---- files ------------------------------------------------------------------- */

static void test_load(void **state)
{
	const char *text = "main;a 2\nmain;b 3\nbroken\n";
	struct pyro_buf gz = PYRO_BUF_INIT, raw = PYRO_BUF_INIT, txt = PYRO_BUF_INIT;
	struct pyro_collapsed_report rep;
	char path[MKPROF_PATH_MAX], err[PYRO_ERR_MAX] = "";
	struct mkprof *p = mkprof_new();
	struct pyro_stacks s;

	mkprof_join(path, fixture_root(state), "svc/alloc-1795664261.txt.gz");
	assert_int_equal(mkprof_gzip(text, strlen(text), &gz), 0);
	assert_int_equal(mkprof_write_file(path, gz.data, gz.len), 0);
	assert_int_equal(pyro_collapsed_load(path, "svc/alloc-1795664261.txt.gz",
					     1 << 20, &s, &rep, err), 0);
	assert_string_equal(s.meta.sample_type, "alloc_objects");
	assert_int_equal(mkprof_stacks_text(&s, &txt), 0);
	assert_string_equal(txt.data, "main;a 2\nmain;b 3\n");
	assert_int_equal(rep.nbad, 1);
	pyro_stacks_release(&s);

	/* Too big once inflated. */
	assert_int_equal(pyro_collapsed_load(path, "x", 10, &s, &rep, err), -EFBIG);
	pyro_stacks_release(&s);

	/* A pprof profile, gzipped or raw: not ours, nothing allocated. */
	mkprof_sample_type(p, "samples", "count");
	mkprof_sample(p, (int64_t[]){ 1 }, "main;a");
	mkprof_join(path, fixture_root(state), "svc/cpu.pb.gz");
	assert_int_equal(mkprof_write(p, path, 1), 0);
	assert_int_equal(pyro_collapsed_load(path, "svc/cpu.pb.gz", 1 << 20, &s,
					     &rep, err), -ENOMSG);
	assert_null(s.stacks);
	mkprof_join(path, fixture_root(state), "svc/cpu.txt");
	assert_int_equal(mkprof_pack(p, &raw), 0);
	assert_int_equal(mkprof_write_file(path, raw.data, raw.len), 0);
	assert_int_equal(pyro_collapsed_load(path, "svc/cpu.txt", 1 << 20, &s,
					     &rep, err), -ENOMSG);
	/* Text that is not collapsed stacks; a missing file. */
	mkprof_join(path, fixture_root(state), "svc/README");
	assert_int_equal(mkprof_write_file(path, "Profiles of svc.\n", 17), 0);
	assert_int_equal(pyro_collapsed_load(path, "svc/README", 1 << 20, &s,
					     &rep, err), -ENOMSG);
	mkprof_join(path, fixture_root(state), "svc/missing");
	assert_int_equal(pyro_collapsed_load(path, "svc/missing", 1 << 20, &s,
					     &rep, err), -ENOMSG);
	mkprof_free(p);
	pyro_buf_release(&gz);
	pyro_buf_release(&raw);
	pyro_buf_release(&txt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_frame_bytes),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_second_column),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_no_good_line),
		cmocka_unit_test(test_meta),
		cmocka_unit_test(test_folded_round_trip),
		cmocka_unit_test(test_sniff_text),
		cmocka_unit_test(test_sniff_vs_pprof),
		cmocka_unit_test(test_sniff_corpus),
		cmocka_unit_test(test_sniff_demo),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, group_setup, fixture_teardown);
}
