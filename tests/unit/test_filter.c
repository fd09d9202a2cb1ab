/*
 * test_filter.c - pprof's name filters, a function's callers and callees,
 * the list of functions (model/filter.c) and peek.txt (render/top.c).
 *
 * Stacks are built by hand with tests/support/stacks_builder.h and the
 * results compared as text: one "frames value" line per stack, sorted,
 * frames in the builder's syntax ("^" marks an inlined frame), so which
 * frames stay, which stay inline and what sums together show at once.
 * Each case is what pprof's profile/filter.go does with the same stacks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../model/filter.h"
#include "../../render/render.h"
#include "../support/stacks_builder.h"

/* ---- helpers ------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "frames value[ base]\n" per stack of s, sorted bytewise. */
static char *stacks_text(const struct pyro_stacks *s)
{
	char **lines = calloc(s->nstacks + 1, sizeof(*lines));
	struct pyro_buf out = PYRO_BUF_INIT;
	size_t k;

	assert_non_null(lines);
	for (k = 0; k < s->nstacks; k++) {
		const struct pyro_stack *st = &s->stacks[k];
		const uint32_t *refs = pyro_stack_refs(s, st);
		struct pyro_buf line = PYRO_BUF_INIT;
		uint32_t i;

		for (i = 0; i < st->depth; i++) {
			struct pyro_str n = pyro_ref_name(s, refs[i]);

			assert_int_equal(pyro_buf_printf(&line, "%s%s%.*s",
							 i ? ";" : "",
							 refs[i] & PYRO_REF_INLINE ? "^" : "",
							 (int)n.len, n.ptr), 0);
		}
		assert_int_equal(pyro_buf_printf(&line, " %" PRId64, st->value), 0);
		if (s->base)
			assert_int_equal(pyro_buf_printf(&line, " %" PRId64,
							 s->base[k]), 0);
		assert_int_equal(pyro_buf_puts(&line, "\n"), 0);
		lines[k] = strdup(line.data);
		assert_non_null(lines[k]);
		pyro_buf_release(&line);
	}
	qsort(lines, s->nstacks, sizeof(*lines), cmp_str);
	for (k = 0; k < s->nstacks; k++) {
		assert_int_equal(pyro_buf_puts(&out, lines[k]), 0);
		free(lines[k]);
	}
	free(lines);
	assert_int_equal(pyro_buf_putc(&out, '\0'), 0);
	return out.data;
}

/* The group of filters "kind=RE" ... (NULL-terminated) applied to the
 * stacks of text; the result as stacks_text, or "ERR <errno>". */
static char *filtered(const char *text, ...)
{
	struct pyro_regex *re[PYRO_FILTER_NKINDS] = { 0 };
	struct pyro_name_filter f = { { 0 }, { 0 } };
	struct pyro_stacks in, out;
	char err[PYRO_ERR_MAX], *res;
	const char *arg;
	va_list ap;
	unsigned k;
	int rc;

	assert_int_equal(sb_build(&in, text), 0);
	va_start(ap, text);
	while ((arg = va_arg(ap, const char *))) {
		const char *eq = strchr(arg, '=');
		enum pyro_filter_kind kind;

		assert_non_null(eq);
		assert_int_equal(pyro_filter_kind_parse(arg, (size_t)(eq - arg),
							&kind), 0);
		assert_int_equal(pyro_regex_compile(eq + 1, strlen(eq + 1),
						    &re[kind], err), 0);
		f.re[kind] = re[kind];
		f.text[kind] = eq + 1;
	}
	va_end(ap);
	rc = pyro_stacks_filter(&in, &f, &out);
	if (rc) {
		res = malloc(32);
		assert_non_null(res);
		snprintf(res, 32, "ERR %d", rc);
	} else {
		res = stacks_text(&out);
	}
	pyro_stacks_release(&out);
	pyro_stacks_release(&in);
	for (k = 0; k < PYRO_FILTER_NKINDS; k++)
		pyro_regex_free(re[k]);
	return res;
}

#define assert_filtered(want, ...) do {                                  \
		char *got_ = filtered(__VA_ARGS__, (const char *)NULL);   \
		assert_string_equal(got_, want);                          \
		free(got_);                                               \
	} while (0)

static const char *const base_stacks =
	"main;serve;handle;json.Marshal 10\n"
	"main;serve;handle;db.Query 20\n"
	"main;gc;mark 5\n"
	"main;serve;^inl;leaf 7\n";

/* ---- focus and ignore ---------------------------------------------------- */

static void test_focus(void **state)
{
	(void)state;
	assert_filtered("main;serve;handle;json.Marshal 10\n",
			base_stacks, "focus=json");
	/* anywhere in the name, and more than one frame may match */
	assert_filtered("main;serve;^inl;leaf 7\n"
			"main;serve;handle;db.Query 20\n"
			"main;serve;handle;json.Marshal 10\n",
			base_stacks, "focus=serve");
	assert_filtered("", base_stacks, "focus=nomatch");
}

static void test_ignore_wins(void **state)
{
	(void)state;
	assert_filtered("main;gc;mark 5\n", base_stacks, "ignore=serve");
	assert_filtered("main;serve;^inl;leaf 7\n"
			"main;serve;handle;db.Query 20\n",
			base_stacks, "focus=serve", "ignore=json");
	/* a stack matching both is dropped */
	assert_filtered("", "a;b 1\n", "focus=a", "ignore=b");
}

/* ---- hide and show --------------------------------------------------------- */

static void test_hide(void **state)
{
	(void)state;
	/* hidden frames leave the stack; stacks made equal add up */
	assert_filtered("main;x 3\n",
			"main;h1;x 1\nmain;h2;x 2\n", "hide=^h");
	/* a stack with every frame hidden is dropped */
	assert_filtered("keep 4\n", "h1;h2 1\nkeep 4\n", "hide=h");
	/* the inlined frame whose outer frame is hidden is its location's
	 * outermost now: no longer inline */
	assert_filtered("main;inl;leaf 7\n", "main;serve;^inl;leaf 7\n",
			"hide=serve");
	assert_filtered("main;serve;leaf 7\n", "main;serve;^inl;leaf 7\n",
			"hide=inl");
}

static void test_show(void **state)
{
	(void)state;
	assert_filtered("handle;db.Query 20\n"
			"handle;json.Marshal 10\n"
			"leaf 7\n",
			base_stacks, "show=handle|json|db|leaf");
	assert_filtered("", "a;b 1\n", "show=c");
}

/* focus and ignore judge the stack as read, before hide removes frames. */
static void test_focus_before_hide(void **state)
{
	(void)state;
	/* hide removes handle, focus keeps the stacks that had it */
	assert_filtered("main;serve;db.Query 20\n"
			"main;serve;json.Marshal 10\n",
			"main;serve;handle;json.Marshal 10\n"
			"main;serve;handle;db.Query 20\n"
			"main;gc;mark 5\n", "focus=handle", "hide=handle");
}

/* ---- show_from -------------------------------------------------------------- */

static void test_show_from(void **state)
{
	(void)state;
	assert_filtered("handle;db.Query 20\n"
			"handle;json.Marshal 10\n",
			base_stacks, "show_from=handle");
	/* from the outermost match: recursion keeps its inner calls */
	assert_filtered("f;g;f;h 1\n", "main;f;g;f;h 1\n", "show_from=^f$");
	/* an inlined match starts its location: outer lines go, and the
	 * match is no longer inline */
	assert_filtered("inl;leaf 7\n", "main;serve;^inl;leaf 7\n",
			"show_from=inl");
	/* pprof trims the matching location itself, so its outer lines go
	 * in stacks cut higher up too */
	assert_filtered("x;inl;leaf 7\n", "x;serve;^inl;leaf 7\n",
			"show_from=^(x|inl)$");
	/* after hide and show */
	assert_filtered("serve;json.Marshal 10\n",
			"main;serve;handle;json.Marshal 10\n",
			"hide=handle", "show_from=serve");
}

/* ---- what matches ------------------------------------------------------------ */

static void test_match_rules(void **state)
{
	(void)state;
	/* an address frame matches by its mapping's base name, not its
	 * address */
	assert_filtered("main;0x4f 3\n", "main;0x4f=[app] 3\nmain;x 1\n",
			"focus=^app$");
	assert_filtered("", "main;0x4f=[app] 3\n", "focus=0x4f");
	/* RE2 syntax that POSIX regex lacks */
	assert_filtered("f1;g 1\n", "f1;g 1\nf;g 2\n", "focus=\\d");
	assert_filtered("Foo 1\n", "Foo 1\nbar 2\n", "focus=(?i)^foo$");
	assert_filtered("ab 1\n", "ab 1\nb 2\n", "focus=a.*?b");
}

/* A frame matches by its mapping's file too, as pprof's: the binary's
 * path, for frames with a function as well. */
static void test_mapping(void **state)
{
	struct pyro_regex *re = NULL;
	struct pyro_name_filter nf = { { 0 }, { 0 } };
	struct pyro_stacks in, out;
	char err[PYRO_ERR_MAX], *got;
	uint32_t f;

	(void)state;
	assert_int_equal(sb_build(&in, "main;f 1\nmain;g 2\nmain;0x9=[libc.so] 4\n"), 0);
	for (f = 0; f < in.nframes; f++) {
		struct pyro_str n = pyro_strtab_get(&in.strs, in.frames[f].name);

		if (!strcmp(n.ptr, "g") || !strcmp(n.ptr, "0x9"))
			assert_int_equal(pyro_stacks_frame_mapping(
				&in, f, "/lib/libc.so", 12), 0);
	}
	assert_int_equal(pyro_regex_compile("^/lib/", 6, &re, err), 0);
	nf.re[PYRO_FILTER_FOCUS] = re;
	nf.text[PYRO_FILTER_FOCUS] = "^/lib/";
	assert_int_equal(pyro_stacks_filter(&in, &nf, &out), 0);
	got = stacks_text(&out);
	assert_string_equal(got, "main;0x9 4\nmain;g 2\n");
	free(got);
	pyro_stacks_release(&out);
	nf.re[PYRO_FILTER_FOCUS] = NULL;
	nf.re[PYRO_FILTER_HIDE] = re;
	nf.text[PYRO_FILTER_HIDE] = "^/lib/";
	assert_int_equal(pyro_stacks_filter(&in, &nf, &out), 0);
	got = stacks_text(&out);
	assert_string_equal(got, "main 6\nmain;f 1\n");
	free(got);
	pyro_stacks_release(&out);
	pyro_stacks_release(&in);
	pyro_regex_free(re);
}

static void test_regex_errors(void **state)
{
	char err[PYRO_ERR_MAX], subject[64];
	struct pyro_regex *re = NULL;

	(void)state;
	assert_int_equal(pyro_regex_compile("(", 1, &re, err), -EINVAL);
	assert_null(re);
	assert_non_null(strstr(err, "bad regular expression"));
	assert_int_equal(pyro_regex_compile("a\\C", 3, &re, err), -EINVAL);
	/* a backtracking bomb stops at the match limit */
	assert_int_equal(pyro_regex_compile("(a+)+$", 6, &re, err), 0);
	memset(subject, 'a', sizeof(subject) - 1);
	subject[sizeof(subject) - 1] = '!';
	assert_int_equal(pyro_regex_match(re, subject, sizeof(subject)), -ERANGE);
	assert_int_equal(pyro_regex_match(re, "aaa", 3), 1);
	pyro_regex_free(re);
	/* $ is the end of the text, as Go's, not before a final newline */
	assert_int_equal(pyro_regex_compile("a$", 2, &re, err), 0);
	assert_int_equal(pyro_regex_match(re, "a\n", 2), 0);
	assert_int_equal(pyro_regex_match(re, "ba", 2), 1);
	pyro_regex_free(re);
	/* invalid UTF-8 in names matches byte by byte, never fails */
	assert_int_equal(pyro_regex_compile("x", 1, &re, err), 0);
	assert_int_equal(pyro_regex_match(re, "\xff\xfex", 3), 1);
	pyro_regex_free(re);
}

static void test_quote(void **state)
{
	struct pyro_buf b = PYRO_BUF_INIT;

	(void)state;
	assert_int_equal(pyro_regex_quote("main.(*T).f[0]", 14, &b), 0);
	assert_int_equal(pyro_buf_putc(&b, '\0'), 0);
	assert_string_equal(b.data, "main\\.\\(\\*T\\)\\.f\\[0\\]");
	pyro_buf_release(&b);
}

/* ---- meta: the legend and the total ---------------------------------------- */

static void test_meta(void **state)
{
	struct pyro_regex *f = NULL, *h = NULL;
	struct pyro_name_filter nf = { { 0 }, { 0 } };
	struct pyro_stacks in, out;
	char err[PYRO_ERR_MAX];
	int64_t total;

	(void)state;
	assert_int_equal(sb_build(&in, base_stacks), 0);
	assert_int_equal(pyro_regex_compile("json", 4, &f, err), 0);
	assert_int_equal(pyro_regex_compile("main", 4, &h, err), 0);
	nf.re[PYRO_FILTER_FOCUS] = f;
	nf.text[PYRO_FILTER_FOCUS] = "json";
	nf.re[PYRO_FILTER_HIDE] = h;
	nf.text[PYRO_FILTER_HIDE] = "main";
	assert_int_equal(pyro_stacks_filter(&in, &nf, &out), 0);
	assert_string_equal(out.meta.name_filters, "focus=json\nhide=main");
	/* percentages stay those of the whole node, as pprof's */
	assert_int_equal(out.meta.whole_total, 42);
	assert_int_equal(pyro_stacks_percent_total(&out, &total), 0);
	assert_int_equal(total, 42);
	assert_int_equal(pyro_stacks_total(&out, &total), 0);
	assert_int_equal(total, 10);
	/* the renderers say so: pprof's legend, tree.txt's and the flame
	 * graph's title */
	{
		struct pyro_buf b = PYRO_BUF_INIT;

		assert_int_equal(sb_type(&out, "samples", "count"), 0);
		assert_int_equal(pyro_top_render(&out, &b), 0);
		assert_int_equal(pyro_buf_putc(&b, '\0'), 0);
		assert_non_null(strstr(b.data, "Active filters:\n   focus=json\n"
					       "   hide=main\nShowing nodes accounting "
					       "for 10, 23.81% of 42 total\n"));
		b.len = 0;
		assert_int_equal(pyro_tree_render(&out, &b), 0);
		assert_int_equal(pyro_buf_putc(&b, '\0'), 0);
		assert_non_null(strstr(b.data, "\nFilters: focus=json, hide=main\n"));
		b.len = 0;
		assert_int_equal(pyro_flame_render(&out, &b), 0);
		assert_int_equal(pyro_buf_putc(&b, '\0'), 0);
		assert_non_null(strstr(b.data, "(focus=json hide=main)</text>"));
		pyro_buf_release(&b);
	}
	pyro_stacks_release(&out);
	pyro_stacks_release(&in);
	pyro_regex_free(f);
	pyro_regex_free(h);
}

/* A diff keeps its base values through a filter. */
static void test_diff_base(void **state)
{
	struct pyro_regex *re = NULL;
	struct pyro_name_filter nf = { { 0 }, { 0 } };
	struct pyro_stacks in, out;
	char err[PYRO_ERR_MAX], *got;

	(void)state;
	assert_int_equal(sb_build(&in, "a;x;b 5\na;y;b 3\nc 1\n"), 0);
	in.base = calloc(in.nstacks, sizeof(*in.base));
	assert_non_null(in.base);
	in.base[0] = 2;
	in.base[1] = 4;
	in.base[2] = 9;
	assert_int_equal(pyro_regex_compile("^[xy]$", 6, &re, err), 0);
	nf.re[PYRO_FILTER_HIDE] = re;
	nf.text[PYRO_FILTER_HIDE] = "^[xy]$";
	assert_int_equal(pyro_stacks_filter(&in, &nf, &out), 0);
	got = stacks_text(&out);
	assert_string_equal(got, "a;b 8 6\nc 1 9\n");
	free(got);
	pyro_stacks_release(&out);
	pyro_stacks_release(&in);
	pyro_regex_free(re);
}

/* ---- one function's callees and callers ------------------------------------ */

static char *side(const char *text, const char *name, enum pyro_func_side sd)
{
	struct pyro_stacks in, out;
	char *res;

	assert_int_equal(sb_build(&in, text), 0);
	assert_int_equal(pyro_stacks_function(&in, name, strlen(name), sd,
					      &out), 0);
	res = stacks_text(&out);
	assert_int_equal(out.meta.from_leaf, sd == PYRO_FUNC_CALLERS);
	pyro_stacks_release(&out);
	pyro_stacks_release(&in);
	return res;
}

static void test_callees_callers(void **state)
{
	static const char *const rec =
		"main;f;g;f;h 1\n"
		"main;k;f 2\n"
		"main;x 4\n";
	char *got;

	(void)state;
	got = side(rec, "f", PYRO_FUNC_CALLEES);
	assert_string_equal(got, "f 2\nf;g;f;h 1\n");
	free(got);
	/* recursion counts once: cut at the outermost f */
	got = side(rec, "f", PYRO_FUNC_CALLERS);
	assert_string_equal(got, "main;f 1\nmain;k;f 2\n");
	free(got);
	/* the name is the report name, matched whole, not a regex */
	got = side("a.(*T).f;b 1\na.xTxf 2\n", "a.(*T).f", PYRO_FUNC_CALLEES);
	assert_string_equal(got, "a.(*T).f;b 1\n");
	free(got);
}

static void test_reverse(void **state)
{
	struct pyro_stacks in, out;
	char *got;

	(void)state;
	assert_int_equal(sb_build(&in, "a;^b;c 1\nd;c 2\n"), 0);
	assert_int_equal(pyro_stacks_reverse(&in, &out), 0);
	got = stacks_text(&out);
	assert_string_equal(got, "c;b;a 1\nc;d 2\n");
	free(got);
	pyro_stacks_release(&out);
	pyro_stacks_release(&in);
}

static void test_functions(void **state)
{
	struct pyro_stacks s;
	uint32_t *ids;
	size_t n, i;
	struct pyro_buf b = PYRO_BUF_INIT;

	(void)state;
	/* report names (node), each once, bytewise; a zero stack adds
	 * none */
	assert_int_equal(sb_build(&s, "main;b;0x1=[app] 1\nmain;a;b 2\nzero;q 0\n"), 0);
	assert_int_equal(pyro_stacks_functions(&s, &ids, &n), 0);
	for (i = 0; i < n; i++) {
		struct pyro_str f = pyro_strtab_get(&s.strs, ids[i]);

		assert_int_equal(pyro_buf_printf(&b, "%.*s,", (int)f.len, f.ptr), 0);
	}
	assert_string_equal(b.data, "[app],a,b,main,");
	free(ids);
	pyro_buf_release(&b);
	pyro_stacks_release(&s);
}

/* ---- peek.txt ----------------------------------------------------------------- */

static void test_peek(void **state)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	struct pyro_stacks s;

	(void)state;
	assert_int_equal(sb_build(&s, "main;f;g 3\nmain;h;f 1\nmain;f;^i 2\n"), 0);
	assert_int_equal(sb_type(&s, "samples", "count"), 0);
	assert_int_equal(pyro_peek_render(&s, "f", 1, &b), 0);
	assert_int_equal(pyro_buf_putc(&b, '\0'), 0);
	assert_string_equal(b.data,
		"Type: samples\n"
		"Showing nodes accounting for 6, 100% of 6 total\n"
		"----------------------------------------------------------+-------------\n"
		"      flat  flat%   sum%        cum   cum%   calls calls% + context \t \t \n"
		"----------------------------------------------------------+-------------\n"
		"                                                 5 83.33% |   main\n"
		"                                                 1 16.67% |   h\n"
		"         1 16.67% 16.67%          6   100%                | f\n"
		"                                                 3 50.00% |   g\n"
		"                                                 2 33.33% |   i (inline)\n"
		"----------------------------------------------------------+-------------\n");
	b.len = 0;
	assert_int_equal(pyro_peek_render(&s, "nope", 4, &b), -ENOENT);
	pyro_buf_release(&b);
	pyro_stacks_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_focus),
		cmocka_unit_test(test_ignore_wins),
		cmocka_unit_test(test_hide),
		cmocka_unit_test(test_show),
		cmocka_unit_test(test_focus_before_hide),
		cmocka_unit_test(test_show_from),
		cmocka_unit_test(test_match_rules),
		cmocka_unit_test(test_mapping),
		cmocka_unit_test(test_regex_errors),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_meta),
		cmocka_unit_test(test_diff_base),
		cmocka_unit_test(test_callees_callers),
		cmocka_unit_test(test_reverse),
		cmocka_unit_test(test_functions),
		cmocka_unit_test(test_peek),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
