/*
 * test_flame.c - unit tests of render/flame.c (flame.svg and icicle.svg).
 *
 * Stacks are built by hand; assertions look for exact substrings of the
 * SVG (layout numbers, escaping, subtitle, colours) and every output is
 * checked with `xmllint --noout -` when /usr/bin/xmllint exists.  The
 * behaviour of the inline script is tested in a real browser by
 * tests/browser/run.sh.
 *
 * Golden files: test_golden compares the whole output for a small fixed
 * tree with tests/unit/golden/flame_small.svg (flame) and
 * flame_small_icicle.svg (icicle), paths relative to the repo root, where
 * `make` runs the tests.  After an intended change of the output, refresh
 * them with
 *
 *     PYRO_UPDATE_GOLDEN=1 out/tests/test_flame
 *
 * and review the diff of the golden files before committing them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model/diff.h"
#include "model/stacks.h"
#include "render/embedded.h"
#include "render/render.h"

#define GOLDEN_FLAME "tests/unit/golden/flame_small.svg"
#define GOLDEN_ICICLE "tests/unit/golden/flame_small_icicle.svg"
#define XMLLINT "/usr/bin/xmllint"

typedef int (*render_fn)(const struct pyro_stacks *, struct pyro_buf *);

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
	/* Called again to override init()'s values: free those first. */
	free(s->meta.service);
	free(s->meta.type);
	free(s->meta.span);
	free(s->meta.sample_type);
	free(s->meta.sample_unit);
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

/* Render s with fn into b (released by the caller) and check it is XML. */
static void render_with(render_fn fn, const struct pyro_stacks *s,
			struct pyro_buf *b)
{
	*b = (struct pyro_buf)PYRO_BUF_INIT;
	assert_int_equal(fn(s, b), 0);
	assert_non_null(b->data);
	assert_int_equal(strlen(b->data), b->len);
	assert_xml_ok(b);
}

static void render(const struct pyro_stacks *s, struct pyro_buf *b)
{
	render_with(pyro_flame_render, s, b);
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

/* The fill of the box whose title starts with "<title>NAME (". */
static unsigned fill_of(const struct pyro_buf *b, const char *name)
{
	char key[256];
	const char *p;
	unsigned rgb;

	snprintf(key, sizeof(key), "<title>%s (", name);
	p = strstr(b->data, key);
	if (!p)
		fail_msg("no box %s", name);
	p = strstr(p, "fill=\"#");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "fill=\"#%6x\"", &rgb), 1);
	return rgb;
}

/* Hue in degrees [0, 360) of a colour. */
static double hue_of(unsigned rgb)
{
	double r = (rgb >> 16) / 255.0, g = (rgb >> 8 & 0xff) / 255.0,
	       b = (rgb & 0xff) / 255.0;
	double mx = fmax(r, fmax(g, b)), mn = fmin(r, fmin(g, b)), d = mx - mn, h;

	assert_true(d > 0);
	if (mx == r)
		h = fmod((g - b) / d, 6.0);
	else if (mx == g)
		h = (b - r) / d + 2;
	else
		h = (r - g) / d + 4;
	h *= 60;
	return h < 0 ? h + 360 : h;
}

/* Remove every ' y="N"' and the data-dir value from b (len unchanged). */
static void strip_rows(struct pyro_buf *b)
{
	char *r = b->data, *w = b->data;

	while (*r) {
		if (!strncmp(r, " y=\"", 4)) {
			r = strchr(r + 4, '"') + 1;
			continue;
		}
		if (!strncmp(r, "data-dir=\"", 10)) {
			r = strchr(r + 10, '"') + 1;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
}

/* The bytes between "<script" and "</script>". */
static char *script_of(const struct pyro_buf *b)
{
	const char *p = strstr(b->data, "<script"), *e;

	assert_non_null(p);
	e = strstr(p, "</script>");
	assert_non_null(e);
	return strndup(p, (size_t)(e - p));
}

/* ---- layout --------------------------------------------------------- */

/* all=8: a=4 {b=3, c=1}, d=4, in both orientations.  Flame rows:
 * y = 60 + (maxdepth - depth) * 16; icicle rows: y = 60 + depth * 16. */
static void build_small(struct pyro_stacks *s)
{
	init(s);
	add(s, 4, "d", NULL);
	add(s, 1, "a", "c", NULL);
	add(s, 3, "a", "b", NULL);
}

static void test_layout(void **state)
{
	struct pyro_stacks s;
	struct pyro_buf b;

	build_small(&s);
	render(&s, &b);
	/* 142 px tall: twice that without script (thumbnails; flame.c) */
	assert_has(&b, "width=\"1200\" height=\"284\" viewBox=\"0 0 1200 142\" "
		   "preserveAspectRatio=\"none\"");
	assert_has(&b, "<g id=\"frames\" data-dir=\"up\" data-total=\"8\">");
	assert_has(&b, "<g data-o=\"0\" data-v=\"8\"><title>all (8 contentions, 100%)"
		   "</title><rect x=\"0\" y=\"92\" width=\"1200\" height=\"15\"");
	assert_has(&b, "<g data-o=\"0\" data-v=\"4\"><title>a (4 contentions, 50.00%)"
		   "</title><rect x=\"0\" y=\"76\" width=\"600\" height=\"15\"");
	assert_has(&b, "<g data-o=\"4\" data-v=\"4\"><title>d (4 contentions, 50.00%)"
		   "</title><rect x=\"600\" y=\"76\" width=\"600\" height=\"15\"");
	assert_has(&b, "<g data-o=\"0\" data-v=\"3\"><title>b (3 contentions, 37.50%)"
		   "</title><rect x=\"0\" y=\"60\" width=\"450\" height=\"15\"");
	assert_has(&b, "<g data-o=\"3\" data-v=\"1\"><title>c (1 contentions, 12.50%)"
		   "</title><rect x=\"450\" y=\"60\" width=\"150\" height=\"15\"");
	assert_has(&b, "<text x=\"603\" y=\"87\">d</text>");
	assert_has(&b, "<text x=\"3\" y=\"103\">all</text>");
	assert_has(&b, ">Total: 8 contentions</text>");
	assert_has(&b, "<title>svc/contentions/all</title>");
	assert_has(&b, "<text id=\"details\" x=\"10\" y=\"128\"> </text>");
	/* preorder, children by name: all, a, b, c, d */
	assert_true(strstr(b.data, "<title>a (") < strstr(b.data, "<title>b ("));
	assert_true(strstr(b.data, "<title>b (") < strstr(b.data, "<title>c ("));
	assert_true(strstr(b.data, "<title>c (") < strstr(b.data, "<title>d ("));
	assert_int_equal(count(b.data, "<g data-o="), 5);
	assert_lacks(&b, "merged");
	assert_lacks(&b, " hidden (");
	pyro_buf_release(&b);
	pyro_stacks_release(&s);
}

/* The same tree top-down: same x and widths, rows mirrored. */
static void test_layout_icicle(void **state)
{
	struct pyro_stacks s;
	struct pyro_buf b, f;

	build_small(&s);
	render_with(pyro_icicle_render, &s, &b);
	/* 142 px tall: twice that without script (thumbnails; flame.c) */
	assert_has(&b, "width=\"1200\" height=\"284\" viewBox=\"0 0 1200 142\" "
		   "preserveAspectRatio=\"none\"");
	assert_has(&b, "<g id=\"frames\" data-dir=\"down\" data-total=\"8\">");
	assert_has(&b, "<title>all (8 contentions, 100%)</title>"
		   "<rect x=\"0\" y=\"60\" width=\"1200\" height=\"15\"");
	assert_has(&b, "<title>a (4 contentions, 50.00%)</title>"
		   "<rect x=\"0\" y=\"76\" width=\"600\" height=\"15\"");
	assert_has(&b, "<title>d (4 contentions, 50.00%)</title>"
		   "<rect x=\"600\" y=\"76\" width=\"600\" height=\"15\"");
	assert_has(&b, "<title>b (3 contentions, 37.50%)</title>"
		   "<rect x=\"0\" y=\"92\" width=\"450\" height=\"15\"");
	assert_has(&b, "<g data-o=\"3\" data-v=\"1\"><title>c (1 contentions, 12.50%)"
		   "</title><rect x=\"450\" y=\"92\" width=\"150\" height=\"15\"");
	assert_has(&b, "<text x=\"3\" y=\"71\">all</text>");
	assert_has(&b, "<text x=\"603\" y=\"87\">d</text>");
	/* one renderer: only rows and data-dir differ */
	render(&s, &f);
	strip_rows(&b);
	strip_rows(&f);
	assert_string_equal(b.data, f.data);
	pyro_buf_release(&f);
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
		   "<rect x=\"0\" y=\"60\" width=\"1200\"");
	assert_lacks(&b, "zero");
	assert_lacks(&b, "negative");
	pyro_buf_release(&b);
	pyro_stacks_release(&s);
}

/* Labels: (width - 6) / 7.25 characters; a longer name loses its package
 * path, then is cut with ".."; none under 3 characters. */
static void test_labels(void **state)
{
	struct pyro_stacks s;
	struct pyro_buf b;

	init(&s);
	add(&s, 1, "abcdefghijklmnopqrstuvwxyz", NULL);   /* 150 px: 19 chars */
	add(&s, 6, "big", NULL);
	add(&s, 1, "zz_tiny_label_does_not_fit_at_all", "x", NULL);
	render(&s, &b);
	assert_has(&b, "<text x=\"3\" y=\"87\">abcdefghijklmnopq..</text>");
	assert_has(&b, "<text x=\"153\" y=\"87\">big</text>");
	assert_has(&b, "<text x=\"1053\" y=\"87\">zz_tiny_label_doe..</text>");
	/* a short name is shown whole */
	assert_has(&b, "<text x=\"1053\" y=\"71\">x</text>");
	pyro_buf_release(&b);
	pyro_stacks_release(&s);

	/* too long: the package path goes first, then the tail is cut */
	init(&s);
	add(&s, 6, "big", NULL);
	add(&s, 1, "github.com/acme/api/pkg0.(*T).Method", NULL);
	add(&s, 1, "net/http.(*conn).serveLongerName", NULL);
	render(&s, &b);
	assert_has(&b, "<text x=\"903\" y=\"71\">pkg0.(*T).Method</text>");
	assert_has(&b, "<text x=\"1053\" y=\"71\">http.(*conn).serv..</text>");
	pyro_buf_release(&b);
	pyro_stacks_release(&s);

	/* a box of 20 px holds (20 - 6) / 7.25 < 3 characters: no label;
	 * characters are code points, not bytes */
	init(&s);
	add(&s, 1, "narrow", NULL);
	add(&s, 59, "\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9"
		    "\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9"
		    "\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9"
		    "\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9"
		    "\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9"
		    "\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9"
		    "\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9"
		    "\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9"
		    "\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9"
		    "\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9"
		    "\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9"
		    "\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9"
		    "\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9"
		    "\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9", NULL);
	render(&s, &b);
	assert_has(&b, "<title>narrow (1 contentions, 1.67%)</title>"
		   "<rect x=\"0\" y=\"60\" width=\"20\" height=\"15\" fill=\"#");
	assert_lacks(&b, "<text x=\"3\" y=\"71\">");
	/* 1180 px: (1180 - 6) / 7.25 = 161 characters, 159 kept + ".." */
	assert_has(&b, "<text x=\"23\" y=\"71\">\xc3\xa9t\xc3\xa9\xc3\xa9t\xc3\xa9");
	{
		const char *p = strstr(b.data, "<text x=\"23\" y=\"71\">");
		const char *e = strstr(p, "</text>");
		size_t chars = 0;

		for (p += strlen("<text x=\"23\" y=\"71\">"); p < e; p++)
			chars += ((unsigned char)*p & 0xc0) != 0x80;
		assert_int_equal(chars, 161);
		assert_memory_equal(e - 2, "..", 2);
	}
	pyro_buf_release(&b);
	pyro_stacks_release(&s);
}

/* ---- safety --------------------------------------------------------- */

/* Untrusted names: escaped, made valid UTF-8 and valid XML, never script. */
static void test_escaping(void **state)
{
	static const char nasty[] = "ctl\x01\x1b\x7f\ttab\nnl\0nul";
	struct pyro_stacks s, plain;
	struct pyro_buf b, pb;
	char *longname = malloc(10001), *want, *s1, *s2;
	uint32_t refs[2];

	assert_non_null(longname);
	memset(longname, 'L', 10000);
	memcpy(longname + 100, "<&>", 3);
	memcpy(longname + 9000, "]]>", 3);
	longname[10000] = '\0';
	assert_int_equal(pyro_stacks_init(&s), 0);
	meta(&s, "<svc>&", "t\"'", "]]>", "a<b", "count");
	add(&s, 1, "main", "<script>alert(1)</script>", NULL);
	add(&s, 1, "main", "a&b", NULL);
	add(&s, 1, "main", "say \"hi\" 'there'", NULL);
	add(&s, 1, "main", "x]]>y", NULL);
	add(&s, 1, "main", "<![CDATA[z", NULL);
	add(&s, 1, "main", "javascript:alert(2)", NULL);
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
	assert_has(&b, ">&lt;![CDATA[z (");
	/* the two CDATA sections (style, script) are the only ones */
	assert_int_equal(count(b.data, "]]>"), 2);
	assert_int_equal(count(b.data, "<![CDATA["), 2);
	assert_has(&b, ">bad\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		   "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		   "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd (");
	assert_has(&b, ">ok \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\xa5 (");
	assert_has(&b, ">ctl\xef\xbf\xbd\xef\xbf\xbd\x7f\xef\xbf\xbdtab"
		   "\xef\xbf\xbdnl\xef\xbf\xbdnul (");
	/* a 10,000-character name is cut to 500 characters and ".." */
	want = malloc(600);
	assert_non_null(want);
	memset(want, 'L', 100);
	strcpy(want + 100, "&lt;&amp;&gt;");
	memset(want + 113, 'L', 397);
	strcpy(want + 510, ".. (");
	assert_has(&b, want);
	assert_lacks(&b, "LLLL]]");
	/* meta strings too; a sample type that is not a plain word is dropped */
	assert_has(&b, "<title>&lt;svc&gt;&amp;/t&quot;&apos;/]]&gt;</title>");
	assert_has(&b, ">Total: 10</text>");
	assert_lacks(&b, "a<b");
	assert_lacks(&b, "a&lt;b");
	/* nothing points outside the file: no link, no import, no URL */
	assert_lacks(&b, "href");
	assert_lacks(&b, "@import");
	assert_int_equal(count(b.data, "://"), 3);  /* svg, xhtml, svg ns */
	/* the script is one fixed text: the same for any input */
	assert_int_equal(count(b.data, "<script"), 1);
	assert_int_equal(pyro_stacks_init(&plain), 0);
	add(&plain, 5, "x", NULL);
	render(&plain, &pb);
	s1 = script_of(&b);
	s2 = script_of(&pb);
	assert_string_equal(s1, s2);
	free(s1);
	free(s2);
	pyro_buf_release(&pb);
	pyro_stacks_release(&plain);
	pyro_buf_release(&b);
	pyro_stacks_release(&s);
	free(want);
	free(longname);
}

/* ---- pruning -------------------------------------------------------- */

/* Narrow boxes are left out, counted with their descendants. */
static void test_prune_min_width(void **state)
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
	assert_has(&b, ">Total: 1000101 contentions; 102 frames hidden (narrower "
		   "than 0.5px): 101 contentions, 0.01%</text>");
	assert_lacks(&b, "tiny");
	assert_lacks(&b, "deep");
	/* the run of hidden siblings is 0.12 px: not drawn either */
	assert_lacks(&b, "class=\"rest\"");
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
		   "<rect x=\"1199.5\" y=\"60\" width=\"0.5\"");
	assert_lacks(&b, " hidden (");
	pyro_buf_release(&b);
	pyro_stacks_release(&s);
}

/* At most 2500 frames: the widest, a tie at the cap hidden whole.
 * 100 chains "cNNN_DD" of 30 frames, chain NNN of value NNN (100..199):
 * 3001 frames, all at least 8 px.  Sorted by value the root comes first,
 * then 30 frames of each value from 199 down; the 2501st widest has value
 * 116, so chains 100..116 are hidden: 510 frames worth 100 + .. + 116 =
 * 1836 of 14950.  They are the first 17 children of the root (names sort
 * so): one hidden run, drawn as one hatched box of 1836/14950 * 1200 px. */
static void test_prune_cap(void **state)
{
	struct pyro_stacks s;
	struct pyro_buf b;
	uint32_t refs[30];
	char name[16];
	int i, d;

	init(&s);
	for (i = 100; i < 200; i++) {
		for (d = 0; d < 30; d++) {
			snprintf(name, sizeof(name), "c%03d_%02d", i, d);
			refs[d] = frame(&s, name);
		}
		assert_int_equal(pyro_stacks_add(&s, refs, 30, i, NULL), 0);
	}
	render(&s, &b);
	assert_has(&b, ">Total: 14950 contentions; 510 frames hidden (at most "
		   "9.31px wide; cap 2500 boxes): 1836 contentions, 12.28%</text>");
	assert_int_equal(count(b.data, "<g data-o="), 1 + 83 * 30);
	assert_lacks(&b, "<title>c116_");
	assert_has(&b, "<title>c117_00 (117 contentions, 0.78%)</title>"
		   "<rect x=\"147.37\" y=\"524\" width=\"9.39\"");
	assert_has(&b, "<title>c199_29 (");
	assert_has(&b, "<g class=\"rest\" data-o=\"0\" data-v=\"1836\"><title>"
		   "510 hidden frames (1836 contentions, 12.28%)</title>"
		   "<rect x=\"0\" y=\"524\" width=\"147.37\" height=\"15\" "
		   "fill=\"url(#rest)\"/><text x=\"3\" y=\"535\">510 hidden frames"
		   "</text></g>");
	assert_int_equal(count(b.data, "class=\"rest\""), 1);
	/* 60 + 31 rows * 16 + 34 */
	assert_has(&b, "height=\"590\"");
	pyro_buf_release(&b);
	pyro_stacks_release(&s);
}

/* Hidden siblings between drawn ones: one hatched box per run when the run
 * is at least 2 px, counting the hidden descendants too. */
static void test_prune_runs(void **state)
{
	struct pyro_stacks s;
	struct pyro_buf b;
	char name[16];
	int i;

	init(&s);
	add(&s, 98000, "big", NULL);
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "r%02d", i);
		add(&s, 20, name, NULL);        /* 0.24 px each */
	}
	add(&s, 1000, "r25x", NULL);            /* drawn, 12 px, splits the run */
	add(&s, 5, "r03", "child", NULL);      /* hidden under a hidden frame */
	render(&s, &b);
	/* r00..r25 (26 frames + child) before r25x, r26..r49 after */
	assert_has(&b, "<g class=\"rest\" data-o=\"19600\" data-v=\"105\"><title>"
		   "27 hidden frames (525 contentions, 0.52%)</title>"
		   "<rect x=\"1175.94\" y=\"60\" width=\"6.3\"");
	assert_has(&b, "<g data-o=\"19705\" data-v=\"200\"><title>r25x (");
	assert_has(&b, "<g class=\"rest\" data-o=\"19905\" data-v=\"96\"><title>"
		   "24 hidden frames (480 contentions, 0.48%)</title>"
		   "<rect x=\"1194.24\" y=\"60\" width=\"5.76\"");
	assert_has(&b, "; 51 frames hidden (narrower than 0.5px): 1005 contentions, 1.00%<");
	pyro_buf_release(&b);
	pyro_stacks_release(&s);
}

/* ---- colours -------------------------------------------------------- */

#define MAIN_FILL 0x7bdea8
#define RUNTIME_FILL 0xa8d569

/* A package has one colour in every graph, whatever the profile type
 * (pprof and Pyroscope colour so): hues in 0..290 (magenta is the search
 * highlight's, the same everywhere), lightness at least 0.6 so black labels
 * read. */
static void test_palette(void **state)
{
	static const char *const types[] = {
		"cpu", "wall", "alloc_space", "inuse_objects", "mutex_count",
		"block_duration", "goroutines", "exceptions",
	};
	static const char *const fns[] = {
		"main.main", "runtime.mallocgc", "net/http.(*conn).serve",
		"com.acme.Cart.add", "std::vector::push_back", "0x4f1984",
		"all",
	};
	unsigned first[sizeof(fns) / sizeof(fns[0])];
	size_t i, k;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct pyro_stacks s;
		struct pyro_buf b;

		assert_int_equal(pyro_stacks_init(&s), 0);
		meta(&s, "svc", types[i], "all", "x", "count");
		for (k = 0; k + 1 < sizeof(fns) / sizeof(fns[0]); k++)
			add(&s, 1, fns[k], NULL);
		render(&s, &b);
		for (k = 0; k < sizeof(fns) / sizeof(fns[0]); k++) {
			unsigned rgb = fill_of(&b, fns[k]);
			double h = hue_of(rgb);
			unsigned mx = 0, mn = 255, c, j;

			for (j = 0; j < 3; j++) {
				c = rgb >> (8 * j) & 0xff;
				mx = c > mx ? c : mx;
				mn = c < mn ? c : mn;
			}
			if (h > 291)
				fail_msg("%s: %s has hue %.1f", types[i], fns[k], h);
			if ((mx + mn) / 510.0 < 0.595)
				fail_msg("%s: %s is too dark: %06x", types[i], fns[k], rgb);
			if (i == 0)
				first[k] = rgb;
			else
				assert_int_equal(rgb, first[k]);
		}
		assert_has(&b, ".hit>rect{fill:#ff00e0}");
		pyro_buf_release(&b);
		pyro_stacks_release(&s);
	}
}

/* The package of a name, as the colour shows it: names of one package
 * share their colour exactly; other packages differ. */
static void test_color_stable(void **state)
{
	static const char *const same[][2] = {
		{ "net/http.(*conn).serve", "net/http.(*conn).readRequest" },
		{ "net/http.(*conn).serve", "net/http.Get" },
		{ "main.main", "main.(*T).run" },
		{ "main.main", "main.T.run" },
		{ "github.com/a/b.F", "github.com/a/b.(*G).h" },
		{ "com.acme.Cart.add", "com.acme.Order.total" },
		{ "std::vector::push_back", "std::vector::size" },
	};
	static const char *const differ[][2] = {
		{ "main.main", "runtime.mallocgc" },
		{ "net/http.Get", "net/url.Parse" },
		{ "github.com/a/b.F", "github.com/a/c.F" },
		{ "com.acme.Cart.add", "com.other.Cart.add" },
	};
	struct pyro_stacks a, c;
	struct pyro_buf ba, bc, bi;
	size_t i;

	assert_int_equal(pyro_stacks_init(&a), 0);
	meta(&a, "api", "cpu", "2026-11-24T10-15-00Z", "cpu", "nanoseconds");
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		add(&a, 10, "x", same[i][0], NULL);
		add(&a, 10, "y", same[i][1], NULL);
	}
	for (i = 0; i < sizeof(differ) / sizeof(differ[0]); i++) {
		add(&a, 10, "x", differ[i][0], NULL);
		add(&a, 10, "y", differ[i][1], NULL);
	}
	assert_int_equal(pyro_stacks_init(&c), 0);
	meta(&c, "billing", "inuse_space", "all", "inuse_space", "bytes");
	add(&c, 99, "other", "runtime.mallocgc", NULL);
	add(&c, 1, "main.main", NULL);
	render(&a, &ba);
	render(&c, &bc);
	render_with(pyro_icicle_render, &a, &bi);
	/* exact values: these are what users see, keep them stable */
	assert_int_equal(fill_of(&ba, "main.main"), MAIN_FILL);
	assert_int_equal(fill_of(&ba, "runtime.mallocgc"), RUNTIME_FILL);
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		if (fill_of(&ba, same[i][0]) != fill_of(&ba, same[i][1]))
			fail_msg("%s and %s differ", same[i][0], same[i][1]);
	for (i = 0; i < sizeof(differ) / sizeof(differ[0]); i++)
		if (fill_of(&ba, differ[i][0]) == fill_of(&ba, differ[i][1]))
			fail_msg("%s and %s share a colour", differ[i][0], differ[i][1]);
	/* another type, another graph: the same colours */
	assert_int_equal(fill_of(&bc, "main.main"), fill_of(&ba, "main.main"));
	assert_int_equal(fill_of(&bc, "runtime.mallocgc"),
			 fill_of(&ba, "runtime.mallocgc"));
	assert_int_equal(fill_of(&bi, "main.main"), fill_of(&ba, "main.main"));
	pyro_buf_release(&ba);
	pyro_buf_release(&bc);
	pyro_buf_release(&bi);
	pyro_stacks_release(&a);
	pyro_stacks_release(&c);
}

/* ---- differential ---------------------------------------------------- */

/* A diff is drawn with widths |base| + |target| (a frame that vanished
 * keeps its base's width), red where a frame grew, blue where it shrank,
 * grey where it did not change; titles show both sides, the subtitle the
 * net change. */
static void test_differential(void **state)
{
	struct pyro_stacks base, target, d;
	struct pyro_buf b;
	unsigned grew, shrank, same, gone, fresh;

	(void)state;
	init(&base);
	meta(&base, "api", "cpu", "a", "cpu", "nanoseconds");
	add(&base, 40, "main", "grow", NULL);
	add(&base, 60, "main", "shrink", NULL);
	add(&base, 20, "main", "same", NULL);
	add(&base, 30, "main", "gone", NULL);
	init(&target);
	meta(&target, "api", "cpu", "b", "cpu", "nanoseconds");
	add(&target, 80, "main", "grow", NULL);
	add(&target, 20, "main", "shrink", NULL);
	add(&target, 20, "main", "same", NULL);
	add(&target, 10, "main", "new", NULL);
	assert_int_equal(pyro_diff_build(&base, &target, "a", &d), 0);
	render(&d, &b);
	assert_has(&b, "api/cpu/b minus a");
	assert_has(&b, ">Change: -20ns, -13.3%: 150ns \xe2\x86\x92 130ns; width: "
		   "base + target; red grew, blue shrank</text>");
	assert_has(&b, "<title>grow (base 40ns, target 80ns, change +40ns, +100.0%)</title>");
	assert_has(&b, "<title>shrink (base 60ns, target 20ns, change -40ns, -66.7%)</title>");
	assert_has(&b, "<title>gone (base 30ns, target 0, change -30ns, -100.0%)</title>");
	assert_has(&b, "<title>new (base 0, target 10ns, change +10ns, new)</title>");
	assert_has(&b, "data-b=\"150\" data-t=\"130\"><title>all (");
	gone = fill_of(&b, "gone");
	fresh = fill_of(&b, "new");
	assert_int_equal(gone, 0x2e2eff);                   /* full blue */
	assert_int_equal(fresh, 0xff2e2e);                  /* full red */
	grew = fill_of(&b, "grow");
	shrank = fill_of(&b, "shrink");
	same = fill_of(&b, "same");
	assert_true((grew >> 16) > (grew & 0xff));          /* red */
	assert_true((shrank & 0xff) > (shrank >> 16));      /* blue */
	assert_int_equal(same, 0xe6e6e6);                   /* grey */
	pyro_buf_release(&b);
	pyro_stacks_release(&d);
	pyro_stacks_release(&base);
	pyro_stacks_release(&target);
}

/* ---- header, units, edges ------------------------------------------- */

/* Values count in their greatest common divisor: CPU's 10 ms steps. */
static void test_quantum(void **state)
{
	struct pyro_stacks s;
	struct pyro_buf b;

	assert_int_equal(pyro_stacks_init(&s), 0);
	meta(&s, "api", "cpu", "2026-11-24T10-15-00Z", "cpu", "nanoseconds");
	add(&s, 30000000, "main", "a", NULL);
	add(&s, 20000000, "main", "b", NULL);
	add(&s, 50000000, "main", NULL);
	render(&s, &b);
	assert_has(&b, "data-total=\"10\">");
	assert_has(&b, "<g data-o=\"3\" data-v=\"2\"><title>b (20ms, 20.00%)</title>"
		   "<rect x=\"360\" y=\"60\" width=\"240\"");
	pyro_buf_release(&b);
	pyro_stacks_release(&s);
}

/* Units, merges, time span, empty input, overflow. */
static void test_meta_and_edges(void **state)
{
	struct pyro_stacks s;
	struct pyro_buf b;

	assert_int_equal(pyro_stacks_init(&s), 0);
	meta(&s, "api", "cpu", "all", "cpu", "nanoseconds");
	s.meta.nsnapshots = 12;
	s.meta.rule = PYRO_MERGE_SUM;
	s.meta.time_nanos = 1795601700000000000;        /* 2026-11-25 10:15:00 */
	s.meta.newest_nanos = 1795605300123456789;      /* 11:15:00.12 */
	add(&s, 4500000000, "main", "work", NULL);
	add(&s, 1170000000, "main", NULL);
	render(&s, &b);
	assert_has(&b, ">Total: 5.67s; cpu in nanoseconds; merged 12 snapshots (sum)</text>");
	pyro_buf_release(&b);
	/* with its duration: the average cores it kept busy */
	s.meta.duration_nanos = 120000000000;
	render(&s, &b);
	assert_has(&b, ">Total: 5.67s; cpu in nanoseconds; 120s profiled, 0.05 cores "
		   "on average; merged 12 snapshots (sum)</text>");
	assert_has(&b, "<title>work (4.50s, 79.37%)</title>");
	assert_has(&b, ">api/cpu/all (2026-11-25 10:15:00 to 2026-11-25 "
		   "11:15:00 UTC)</text>");
	pyro_buf_release(&b);
	pyro_stacks_release(&s);

	/* memory and a single snapshot */
	assert_int_equal(pyro_stacks_init(&s), 0);
	meta(&s, "leaky", "inuse_space", "2026-11-24T10-15-00Z", "inuse_space", "bytes");
	s.meta.nsnapshots = 1;
	s.meta.time_nanos = 1795601700000000000;
	add(&s, 3 << 20, "main.cacheSession", NULL);
	render(&s, &b);
	assert_has(&b, ">leaky/inuse_space/2026-11-24T10-15-00Z</text>");
	assert_has(&b, ">Total: 3MB; inuse_space in bytes</text>");
	assert_has(&b, "<title>main.cacheSession (3MB, 100%)</title>");
	pyro_buf_release(&b);
	pyro_stacks_release(&s);

	/* no positive stack: a valid picture saying so */
	init(&s);
	add(&s, 0, "main", NULL);
	add(&s, -3, "main", "x", NULL);
	render(&s, &b);
	/* the total is pprof's, the sum of |sample| */
	assert_has(&b, ">Total: 3 contentions (drawn: the positive stacks, "
		   "0 contentions); no samples</text>");
	assert_lacks(&b, "<g data-o");
	assert_has(&b, "data-total=\"0\"");
	pyro_buf_release(&b);
	render_with(pyro_icicle_render, &s, &b);
	/* the total is pprof's, the sum of |sample| */
	assert_has(&b, ">Total: 3 contentions (drawn: the positive stacks, "
		   "0 contentions); no samples</text>");
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
	assert_int_equal(pyro_icicle_render(&s, &b), -EOVERFLOW);
	pyro_buf_release(&b);
	pyro_stacks_release(&s);
}

/* A label node: the label in the title, the kept samples' share of the
 * whole node in the subtitle; boxes are shares of what was kept. */
static void test_label_node(void **state)
{
	struct pyro_stacks s;
	struct pyro_buf b;

	assert_int_equal(pyro_stacks_init(&s), 0);
	meta(&s, "api", "cpu", "all", "cpu", "nanoseconds");
	s.meta.filter = strdup("endpoint=/users");
	assert_non_null(s.meta.filter);
	s.meta.whole_total = 3570000000;
	s.meta.nsnapshots = 3;
	s.meta.rule = PYRO_MERGE_SUM;
	s.meta.time_nanos = 1795601700000000000;        /* 2026-11-25 10:15:00 */
	s.meta.newest_nanos = 1795605300000000000;      /* 11:15:00 */
	add(&s, 760000000, "main", "work", NULL);
	add(&s, 190000000, "main", NULL);
	render(&s, &b);
	assert_has(&b, ">api/cpu/all with label endpoint=/users (2026-11-25 "
		   "10:15:00 to 2026-11-25 11:15:00 UTC)</text>");
	assert_has(&b, ">Total: 950ms; cpu in nanoseconds; 26.61% of the node's "
		   "3.57s; merged 3 snapshots (sum)</text>");
	assert_has(&b, "<title>work (760ms, 80.00%)</title>");
	pyro_buf_release(&b);
	render_with(pyro_icicle_render, &s, &b);
	assert_has(&b, ">api/cpu/all with label endpoint=/users (2026-11-25 "
		   "10:15:00 to 2026-11-25 11:15:00 UTC)</text>");
	assert_has(&b, ">Total: 950ms; cpu in nanoseconds; 26.61% of the node's "
		   "3.57s; merged 3 snapshots (sum)</text>");
	pyro_buf_release(&b);
	pyro_stacks_release(&s);

	/* Escaped as any label text; nothing kept; the whole unknown (0):
	 * no share. */
	init(&s);
	s.meta.filter = strdup("q=<a&b>");
	assert_non_null(s.meta.filter);
	s.meta.whole_total = 81;
	add(&s, 0, "main", NULL);
	render(&s, &b);
	assert_has(&b, ">svc/contentions/all with label q=&lt;a&amp;b&gt;</text>");
	assert_has(&b, ">Total: 0 contentions; no samples; 0% of the node's "
		   "81 contentions</text>");
	pyro_buf_release(&b);
	s.meta.whole_total = 0;
	add(&s, 5, "main", NULL);
	render(&s, &b);
	assert_has(&b, ">Total: 5 contentions</text>");
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
	static const render_fn fns[] = { pyro_flame_render, pyro_icicle_render };
	struct pyro_stacks s1, s2;
	struct pyro_buf b1, b2, b3;
	size_t i;

	build_mixed(&s1, 1);
	build_mixed(&s2, 7);    /* 7 is prime to 500: a permutation */
	for (i = 0; i < 2; i++) {
		render_with(fns[i], &s1, &b1);
		render_with(fns[i], &s1, &b2);
		render_with(fns[i], &s2, &b3);
		assert_int_equal(b1.len, b2.len);
		assert_memory_equal(b1.data, b2.data, b1.len);
		assert_int_equal(b1.len, b3.len);
		assert_memory_equal(b1.data, b3.data, b1.len);
		pyro_buf_release(&b1);
		pyro_buf_release(&b2);
		pyro_buf_release(&b3);
	}
	pyro_stacks_release(&s1);
	pyro_stacks_release(&s2);
}

/* ---- golden --------------------------------------------------------- */

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

static void check_golden(const char *path, const struct pyro_buf *b)
{
	const char *update = getenv("PYRO_UPDATE_GOLDEN");
	char *want;
	size_t len;

	if (update && !strcmp(update, "1")) {
		write_file(path, b);
		return;
	}
	want = read_file(path, &len);
	if (len != b->len || memcmp(want, b->data, len) != 0)
		fail_msg("%s differs from the output; if intended, rerun "
			 "with PYRO_UPDATE_GOLDEN=1 and review", path);
	free(want);
}

/* The whole file for a small tree, byte for byte, in both orientations. */
static void test_golden(void **state)
{
	struct pyro_stacks s;
	struct pyro_buf b;

	assert_int_equal(pyro_stacks_init(&s), 0);
	meta(&s, "checkout", "cpu", "all", "cpu", "nanoseconds");
	s.meta.nsnapshots = 3;
	s.meta.rule = PYRO_MERGE_SUM;
	s.meta.time_nanos = 1795601700000000000;        /* 10:15:00 */
	s.meta.newest_nanos = 1795602900000000000;      /* 10:35:00 */
	add(&s, 300000000, "main", "serve", "json.Marshal", NULL);
	add(&s, 120000000, "main", "serve", "sql.Query", "syscall.Read", NULL);
	add(&s, 80000000, "main", "serve", NULL);
	add(&s, 50000000, "main", "gc", NULL);
	add(&s, 20000000, "main", "gc", "scan<&>", NULL);
	add(&s, 100000, "main", "gc", "tiny", NULL);
	add(&s, 10000000, "runtime.mcall", NULL);
	render(&s, &b);
	check_golden(GOLDEN_FLAME, &b);
	pyro_buf_release(&b);
	render_with(pyro_icicle_render, &s, &b);
	check_golden(GOLDEN_ICICLE, &b);
	pyro_buf_release(&b);
	pyro_stacks_release(&s);
}

/* render/flame.js and flame.css are compiled in whole (scripts/embed.sh),
 * cannot end their CDATA section early, and stand in the output as they
 * are in their files. */
static void test_embedded(void **state)
{
	struct pyro_stacks s;
	struct pyro_buf b;

	(void)state;
	assert_int_equal(strlen(pyro_flame_js), pyro_flame_js_len);
	assert_int_equal(strlen(pyro_flame_css), pyro_flame_css_len);
	assert_true(pyro_flame_js_len > 1000);
	assert_null(strstr(pyro_flame_js, "]]>"));
	assert_null(strstr(pyro_flame_css, "]]>"));
	assert_int_equal(pyro_stacks_init(&s), 0);
	meta(&s, "checkout", "cpu", "all", "cpu", "nanoseconds");
	add(&s, 10, "main", NULL);
	render(&s, &b);
	assert_non_null(strstr(b.data, pyro_flame_js));
	assert_non_null(strstr(b.data, pyro_flame_css));
	pyro_buf_release(&b);
	pyro_stacks_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_embedded),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_layout_icicle),
		cmocka_unit_test(test_merge_by_name),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_prune_min_width),
		cmocka_unit_test(test_prune_cap),
		cmocka_unit_test(test_prune_runs),
		cmocka_unit_test(test_palette),
		cmocka_unit_test(test_color_stable),
		cmocka_unit_test(test_quantum),
		cmocka_unit_test(test_differential),
		cmocka_unit_test(test_meta_and_edges),
		cmocka_unit_test(test_label_node),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_golden),
	};

	return cmocka_run_group_tests_name("flame", tests, NULL, NULL);
}
