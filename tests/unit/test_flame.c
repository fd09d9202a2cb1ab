/*
 * test_flame.c - unit tests of render/flame.c (flame.svg).
 *
 * Stacks are built by hand; assertions look for exact substrings of the
 * SVG (layout numbers, escaping, subtitle) and every output is checked with
 * `xmllint --noout -` when /usr/bin/xmllint exists.
 *
 * Golden file: test_golden compares the whole output for a small fixed tree
 * with tests/unit/golden/flame_small.svg (path relative to the repo root,
 * where `make` runs the tests).  After an intended change of the output,
 * refresh it with
 *
 *     PYRO_UPDATE_GOLDEN=1 out/tests/test_flame
 *
 * and review the diff of the golden file before committing it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model/stacks.h"
#include "render/render.h"

#define GOLDEN_SMALL "tests/unit/golden/flame_small.svg"
#define XMLLINT "/usr/bin/xmllint"

/* ---- helpers -------------------------------------------------------- */

static uint32_t frame_n(struct pyro_stacks *s, const char *name, size_t len)
{
	uint32_t id;

	assert_int_equal(pyro_stacks_frame(s, name, len, name, len, &id), 0);
	return id;
}

static uint32_t frame(struct pyro_stacks *s, const char *name)
{
	return frame_n(s, name, strlen(name));
}

/* Add value to the stack of the NULL-terminated frame names (root first). */
static void add(struct pyro_stacks *s, int64_t value, ...)
{
	uint32_t refs[64];
	uint32_t depth = 0;
	const char *name;
	va_list ap;

	va_start(ap, value);
	while ((name = va_arg(ap, const char *)) != NULL) {
		assert_true(depth < 64);
		refs[depth++] = frame(s, name);
	}
	va_end(ap);
	assert_int_equal(pyro_stacks_add(s, refs, depth, value, NULL), 0);
}

static void meta(struct pyro_stacks *s, const char *service, const char *type,
		 const char *span, const char *stype, const char *unit)
{
	s->meta.service = strdup(service);
	s->meta.type = strdup(type);
	s->meta.span = strdup(span);
	s->meta.sample_type = strdup(stype);
	s->meta.sample_unit = strdup(unit);
	assert_non_null(s->meta.service);
	assert_non_null(s->meta.sample_unit);
}

static void init(struct pyro_stacks *s)
{
	assert_int_equal(pyro_stacks_init(s), 0);
	meta(s, "svc", "contentions", "all", "contentions", "count");
}

/* Check well-formedness with xmllint when it is installed. */
static void assert_xml_ok(const struct pyro_buf *b)
{
	FILE *p;
	int st;

	if (access(XMLLINT, X_OK) != 0)
		return;
	p = popen(XMLLINT " --noout -", "w");
	assert_non_null(p);
	assert_int_equal(fwrite(b->data, 1, b->len, p), b->len);
	st = pclose(p);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* Render s into b (released by the caller) and check it is XML. */
static void render(const struct pyro_stacks *s, struct pyro_buf *b)
{
	*b = (struct pyro_buf)PYRO_BUF_INIT;
	assert_int_equal(pyro_flame_render(s, b), 0);
	assert_non_null(b->data);
	assert_int_equal(strlen(b->data), b->len);
	assert_xml_ok(b);
}

static void assert_has(const struct pyro_buf *b, const char *needle)
{
	if (!strstr(b->data, needle))
		fail_msg("missing in SVG: %s", needle);
}

static void assert_lacks(const struct pyro_buf *b, const char *needle)
{
	if (strstr(b->data, needle))
		fail_msg("unexpected in SVG: %s", needle);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (hay = strstr(hay, needle); hay; hay = strstr(hay + 1, needle))
		n++;
	return n;
}

/* Every byte sequence is valid UTF-8 and no C0 control but tab or LF. */
static void assert_clean_utf8(const struct pyro_buf *b)
{
	const unsigned char *p = (const unsigned char *)b->data;
	size_t i = 0, len, k;

	while (i < b->len) {
		if (p[i] < 0x80) {
			assert_true(p[i] >= 0x20 || p[i] == '\n' || p[i] == '\t');
			i++;
			continue;
		}
		len = p[i] >= 0xf0 ? 4 : p[i] >= 0xe0 ? 3 : 2;
		assert_true(p[i] >= 0xc2 && p[i] <= 0xf4);
		assert_true(i + len <= b->len);
		for (k = 1; k < len; k++)
			assert_int_equal(p[i + k] & 0xc0, 0x80);
		i += len;
	}
}

/* ---- tests ---------------------------------------------------------- */

/* all=8: a=4 {b=3, c=1}, d=4.  Rows: y = 60 + (maxdepth - depth) * 16. */
static void test_layout(void **state)
{
	struct pyro_stacks s;
	struct pyro_buf b;

	init(&s);
	add(&s, 4, "d", NULL);
	add(&s, 1, "a", "c", NULL);
	add(&s, 3, "a", "b", NULL);
	render(&s, &b);
	assert_has(&b, "width=\"1200\" height=\"142\" viewBox=\"0 0 1200 142\"");
	assert_has(&b, "<g data-o=\"0\" data-v=\"8\"><title>all (8 contentions, 100%)"
		   "</title><rect x=\"0.00\" y=\"92\" width=\"1200.00\" height=\"15\"");
	assert_has(&b, "<g data-o=\"0\" data-v=\"4\"><title>a (4 contentions, 50.00%)"
		   "</title><rect x=\"0.00\" y=\"76\" width=\"600.00\" height=\"15\"");
	assert_has(&b, "<title>d (4 contentions, 50.00%)</title>"
		   "<rect x=\"600.00\" y=\"76\" width=\"600.00\" height=\"15\"");
	assert_has(&b, "<title>b (3 contentions, 37.50%)</title>"
		   "<rect x=\"0.00\" y=\"60\" width=\"450.00\" height=\"15\"");
	assert_has(&b, "<g data-o=\"3\" data-v=\"1\"><title>c (1 contentions, 12.50%)"
		   "</title><rect x=\"450.00\" y=\"60\" width=\"150.00\" height=\"15\"");
	assert_has(&b, "<text x=\"603.00\" y=\"87\">d</text>");
	assert_has(&b, ">Total: 8 contentions</text>");
	assert_has(&b, "<title>svc contentions all</title>");
	/* preorder, children by name: all, a, b, c, d */
	assert_true(strstr(b.data, "<title>a (") < strstr(b.data, "<title>b ("));
	assert_true(strstr(b.data, "<title>b (") < strstr(b.data, "<title>c ("));
	assert_true(strstr(b.data, "<title>c (") < strstr(b.data, "<title>d ("));
	assert_lacks(&b, "merged");
	assert_lacks(&b, "hidden");
	pyro_buf_release(&b);
	pyro_stacks_release(&s);
}

/* Frames merge by name: inline bit and node name do not split a box. */
static void test_merge_by_name(void **state)
{
	struct pyro_stacks s;
	struct pyro_buf b;
	uint32_t id, refs[2];

	init(&s);
	refs[0] = frame(&s, "main");
	refs[1] = frame(&s, "work");
	assert_int_equal(pyro_stacks_add(&s, refs, 2, 2, NULL), 0);
	refs[1] |= PYRO_REF_INLINE;
	assert_int_equal(pyro_stacks_add(&s, refs, 2, 3, NULL), 0);
	assert_int_equal(pyro_stacks_frame(&s, "work", 4, "[bin]", 5, &id), 0);
	refs[1] = id;
	assert_int_equal(pyro_stacks_add(&s, refs, 2, 5, NULL), 0);
	add(&s, 0, "main", "zero", NULL);
	add(&s, -4, "main", "negative", NULL);
	render(&s, &b);
	assert_int_equal(count(b.data, "<title>work ("), 1);
	assert_has(&b, "<title>work (10 contentions, 100%)</title>"
		   "<rect x=\"0.00\" y=\"60\" width=\"1200.00\"");
	assert_lacks(&b, "zero");
	assert_lacks(&b, "negative");
	pyro_buf_release(&b);
	pyro_stacks_release(&s);
}

/* Labels: cut with ".." to (width - 6) / 7.25 characters, none under 3. */
static void test_labels(void **state)
{
	struct pyro_stacks s;
	struct pyro_buf b;

	init(&s);
	add(&s, 1, "abcdefghijklmnopqrstuvwxyz", NULL);   /* 150 px: 19 chars */
	add(&s, 6, "big", NULL);
	add(&s, 1, "zz_tiny_label_does_not_fit_at_all", "x", NULL);
	render(&s, &b);
	assert_has(&b, "<text x=\"3.00\" y=\"87\">abcdefghijklmnopq..</text>");
	assert_has(&b, "<text x=\"153.00\" y=\"87\">big</text>");
	/* a short name is shown whole */
	assert_has(&b, ">x</text>");
	pyro_buf_release(&b);

	/* a box of 20 px holds (20 - 6) / 7.25 < 3 characters: no label */
	pyro_stacks_release(&s);
	init(&s);
	add(&s, 1, "narrow", NULL);
	add(&s, 59, "wide", NULL);
	render(&s, &b);
	assert_has(&b, "<title>narrow (1 contentions, 1.67%)</title>"
		   "<rect x=\"0.00\" y=\"60\" width=\"20.00\" height=\"15\" fill=\"#");
	assert_lacks(&b, "<text x=\"3.00\" y=\"71\">");
	pyro_buf_release(&b);
	pyro_stacks_release(&s);
}

/* Untrusted names: escaped, made valid UTF-8 and valid XML. */
static void test_escaping(void **state)
{
	static const char nasty[] = "ctl\x01\x1b\x7f\ttab\nnl\0nul";
	struct pyro_stacks s;
	struct pyro_buf b;
	char *longname = malloc(10001);
	uint32_t refs[2];

	assert_non_null(longname);
	memset(longname, 'L', 10000);
	memcpy(longname + 5000, "<&>", 3);
	longname[10000] = '\0';
	assert_int_equal(pyro_stacks_init(&s), 0);
	meta(&s, "<svc>&", "t\"'", "]]>", "a<b", "count");
	add(&s, 1, "main", "<script>alert(1)</script>", NULL);
	add(&s, 1, "main", "a&b", NULL);
	add(&s, 1, "main", "say \"hi\" 'there'", NULL);
	add(&s, 1, "main", "x]]>y", NULL);
	add(&s, 1, "main", "bad\xff\xfe\xc0\xaf\xed\xa0\x80\xef\xbf\xbf\xe6\x97", NULL);
	add(&s, 1, "main", "ok \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\xa5", NULL);
	add(&s, 1, "main", longname, NULL);
	refs[0] = frame(&s, "main");
	refs[1] = frame_n(&s, nasty, sizeof(nasty) - 1);
	assert_int_equal(pyro_stacks_add(&s, refs, 2, 1, NULL), 0);
	render(&s, &b);
	assert_clean_utf8(&b);
	assert_lacks(&b, "<script>alert");
	assert_has(&b, "&lt;script&gt;alert(1)&lt;/script&gt;");
	assert_has(&b, ">a&amp;b (");
	assert_has(&b, ">say &quot;hi&quot; &apos;there&apos; (");
	assert_has(&b, ">x]]&gt;y (");
	/* the two CDATA sections (style, script) are the only "]]>" */
	assert_int_equal(count(b.data, "]]>"), 2);
	assert_has(&b, ">bad\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		   "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		   "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd (");
	assert_has(&b, ">ok \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\xa5 (");
	assert_has(&b, ">ctl\xef\xbf\xbd\xef\xbf\xbd\x7f\xef\xbf\xbdtab"
		   "\xef\xbf\xbdnl\xef\xbf\xbdnul (");
	assert_has(&b, "LLLL&lt;&amp;&gt;LLLL");
	assert_has(&b, "<title>&lt;svc&gt;&amp; t&quot;&apos; ]]&gt;</title>");
	assert_has(&b, ">Total: 8 a&lt;b</text>");
	/* the script holds no data: it ends right after its fixed text */
	assert_int_equal(count(b.data, "<script"), 1);
	pyro_buf_release(&b);
	pyro_stacks_release(&s);
	free(longname);
}

/* Narrow boxes are left out, counted with their descendants. */
static void test_prune(void **state)
{
	struct pyro_stacks s;
	struct pyro_buf b;
	char name[16];
	int i;

	init(&s);
	add(&s, 1000000, "big", NULL);
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "tiny%02d", i);
		add(&s, 1, name, NULL);
	}
	add(&s, 1, "tiny00", "deep", "deeper", NULL);
	render(&s, &b);
	assert_has(&b, "Total: 1000101 contentions; 102 frames narrower than "
		   "0.5px hidden (101 contentions, 0.01%)</text>");
	assert_lacks(&b, "tiny");
	assert_lacks(&b, "deep");
	/* hidden frames do not make the picture taller */
	assert_has(&b, "height=\"126\"");
	pyro_buf_release(&b);
	pyro_stacks_release(&s);

	/* exactly 0.5 px stays */
	init(&s);
	add(&s, 2399, "big", NULL);
	add(&s, 1, "edge", NULL);
	render(&s, &b);
	assert_has(&b, "<title>edge (1 contentions, 0.042%)</title>"
		   "<rect x=\"1199.50\" y=\"60\" width=\"0.50\"");
	assert_lacks(&b, "hidden");
	pyro_buf_release(&b);
	pyro_stacks_release(&s);
}

/* Units, merges, empty input, overflow. */
static void test_meta_and_edges(void **state)
{
	struct pyro_stacks s;
	struct pyro_buf b;

	assert_int_equal(pyro_stacks_init(&s), 0);
	meta(&s, "api", "cpu", "2026-11-24T10-15-00Z", "cpu", "nanoseconds");
	s.meta.nsnapshots = 12;
	s.meta.rule = PYRO_MERGE_SUM;
	add(&s, 4500000000, "main", "work", NULL);
	add(&s, 1170000000, "main", NULL);
	render(&s, &b);
	assert_has(&b, ">Total: 5.67s; merged 12 snapshots (sum)</text>");
	assert_has(&b, "<title>work (4.50s, 79.37%)</title>");
	assert_has(&b, ">api cpu 2026-11-24T10-15-00Z</text>");
	pyro_buf_release(&b);
	pyro_stacks_release(&s);

	/* no positive stack: a valid picture saying so */
	init(&s);
	add(&s, 0, "main", NULL);
	add(&s, -3, "main", "x", NULL);
	render(&s, &b);
	assert_has(&b, ">Total: 0 contentions; no samples</text>");
	assert_lacks(&b, "<g data-o");
	pyro_buf_release(&b);
	pyro_stacks_release(&s);

	/* no stacks and no meta at all */
	assert_int_equal(pyro_stacks_init(&s), 0);
	render(&s, &b);
	assert_has(&b, ">Flame Graph</text>");
	pyro_buf_release(&b);
	pyro_stacks_release(&s);

	/* the total does not fit in 64 bits */
	init(&s);
	add(&s, INT64_MAX / 2 + 1, "a", NULL);
	add(&s, INT64_MAX / 2 + 1, "b", NULL);
	b = (struct pyro_buf)PYRO_BUF_INIT;
	assert_int_equal(pyro_flame_render(&s, &b), -EOVERFLOW);
	pyro_buf_release(&b);
	pyro_stacks_release(&s);
}

/* Build a few hundred stacks in an order given by step. */
static void build_mixed(struct pyro_stacks *s, unsigned step)
{
	static const char *const fns[] = { "main", "serve", "parse", "alloc",
		"gc", "write", "read", "lock", "<x>", "\xff" };
	unsigned i, k, j;

	init(s);
	for (i = 0; i < 500; i++) {
		uint32_t refs[8], depth;

		j = (i * step) % 500;
		depth = 1 + j % 7;
		for (k = 0; k < depth; k++)
			refs[k] = frame(s, fns[(j / (k + 1) + k) % 10]);
		assert_int_equal(pyro_stacks_add(s, refs, depth, 1 + j % 13, NULL), 0);
	}
}

/* Same input, same bytes, whatever the insertion order. */
static void test_deterministic(void **state)
{
	struct pyro_stacks s1, s2;
	struct pyro_buf b1, b2, b3;

	build_mixed(&s1, 1);
	build_mixed(&s2, 7);    /* 7 is prime to 500: a permutation */
	render(&s1, &b1);
	render(&s1, &b2);
	render(&s2, &b3);
	assert_int_equal(b1.len, b2.len);
	assert_memory_equal(b1.data, b2.data, b1.len);
	assert_int_equal(b1.len, b3.len);
	assert_memory_equal(b1.data, b3.data, b1.len);
	pyro_buf_release(&b1);
	pyro_buf_release(&b2);
	pyro_buf_release(&b3);
	pyro_stacks_release(&s1);
	pyro_stacks_release(&s2);
}

static void write_file(const char *path, const struct pyro_buf *b)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		fail_msg("cannot write %s", path);
	assert_int_equal(fwrite(b->data, 1, b->len, f), b->len);
	assert_int_equal(fclose(f), 0);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	if (!f)
		fail_msg("cannot read %s (run from the repo root; "
			 "PYRO_UPDATE_GOLDEN=1 creates it)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	data = malloc((size_t)n + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return data;
}

/* The whole file for a small tree, byte for byte. */
static void test_golden(void **state)
{
	const char *update = getenv("PYRO_UPDATE_GOLDEN");
	struct pyro_stacks s;
	struct pyro_buf b;
	char *want;
	size_t len;

	assert_int_equal(pyro_stacks_init(&s), 0);
	meta(&s, "checkout", "cpu", "2026-11-24T10-15-00Z", "cpu", "nanoseconds");
	s.meta.nsnapshots = 3;
	s.meta.rule = PYRO_MERGE_SUM;
	add(&s, 300000000, "main", "serve", "json.Marshal", NULL);
	add(&s, 120000000, "main", "serve", "sql.Query", "syscall.Read", NULL);
	add(&s, 80000000, "main", "serve", NULL);
	add(&s, 50000000, "main", "gc", NULL);
	add(&s, 20000000, "main", "gc", "scan<&>", NULL);
	add(&s, 100000, "main", "gc", "tiny", NULL);
	add(&s, 10000000, "runtime.mcall", NULL);
	render(&s, &b);
	if (update && !strcmp(update, "1")) {
		write_file(GOLDEN_SMALL, &b);
	} else {
		want = read_file(GOLDEN_SMALL, &len);
		if (len != b.len || memcmp(want, b.data, len) != 0)
			fail_msg("%s differs from the output; if intended, rerun "
				 "with PYRO_UPDATE_GOLDEN=1 and review", GOLDEN_SMALL);
		free(want);
	}
	pyro_buf_release(&b);
	pyro_stacks_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_merge_by_name),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_prune),
		cmocka_unit_test(test_meta_and_edges),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_golden),
	};

	return cmocka_run_group_tests_name("flame", tests, NULL, NULL);
}
