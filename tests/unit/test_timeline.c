/*
 * test_timeline.c - the series renderers (render/timeline.c, growth.c):
 * timeline.txt and growth.txt byte for byte, timeline.svg for validity.
 *
 * Histories are constructed by hand (struct pyro_history, no archive), so
 * each figure the renderers print is stated here.  T0 = 1795515300 =
 * 2026-11-24T10:15:00Z; snapshot k is at T0 + 30 k minutes.
 *
 * timeline.svg is checked with `xmllint --noout -` when xmllint is
 * installed (the check is skipped, with a note, when it is not).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "../../render/render.h"

#define SEC 1000000000LL
#define T0 1795515300LL
#define MAXSNAPS 8

/* Snapshot names live here; the history borrows them. */
static char names[MAXSNAPS][PYRO_TIME_NAME_MAX];

struct fn {
	const char *name;
	size_t len;             /* 0: strlen(name) */
	int64_t flat_first, flat_last, cum_first, cum_last;
	unsigned rises, falls;
	double slope;
	const char *path;       /* hottest caller path, or NULL */
};

/* A history of n snapshots with totals[] and functions fns[0..nf). */
static void make(struct pyro_history *h, const char *service,
		 const char *type, const char *unit, const int64_t *totals,
		 size_t n, double slope, const struct fn *fns, size_t nf)
{
	size_t k;

	memset(h, 0, sizeof(*h));
	assert_int_equal(pyro_strtab_init(&h->strs), 0);
	h->service = strdup(service);
	h->type = strdup(type);
	h->sample_type = strdup(type);
	h->sample_unit = strdup(unit);
	h->times = calloc(n, sizeof(*h->times));
	h->names = calloc(n, sizeof(*h->names));
	h->totals = calloc(n, sizeof(*h->totals));
	h->funcs = calloc(nf + 1, sizeof(*h->funcs));
	assert_true(h->service && h->type && h->sample_type && h->sample_unit &&
		    h->times && h->names && h->totals && h->funcs);
	assert_true(n <= MAXSNAPS);
	h->nsnaps = n;
	h->nfolded = n;
	for (k = 0; k < n; k++) {
		h->times[k] = (T0 + 1800 * (int64_t)k) * SEC;
		pyro_time_name(h->times[k], names[k]);
		memcpy(h->names[k], names[k], sizeof(h->names[k]));
		h->totals[k] = totals[k];
	}
	h->slope = slope;
	for (k = 0; k < nf; k++) {
		struct pyro_history_func *f = &h->funcs[k];
		size_t len = fns[k].len ? fns[k].len : strlen(fns[k].name);

		assert_int_equal(pyro_strtab_intern(&h->strs, fns[k].name, len,
						    &f->name), 0);
		f->flat_first = fns[k].flat_first;
		f->flat_last = fns[k].flat_last;
		f->cum_first = fns[k].cum_first;
		f->cum_last = fns[k].cum_last;
		f->flat_prev = fns[k].flat_last;
		f->rises = fns[k].rises;
		f->falls = fns[k].falls;
		f->slope = fns[k].slope;
		if (fns[k].path) {
			assert_int_equal(pyro_strtab_intern(&h->strs, fns[k].path,
							    strlen(fns[k].path),
							    &f->path), 0);
			f->has_path = true;
		}
		/* The sampled series: every snapshot, flat going straight
		 * from first to last. */
		if (fns[k].flat_first || fns[k].flat_last) {
			size_t j;

			f->series = calloc(PYRO_HISTORY_SLOTS, sizeof(*f->series));
			assert_non_null(f->series);
			for (j = 0; j < n; j++)
				f->series[j] = fns[k].flat_first + (n > 1 ?
					(fns[k].flat_last - fns[k].flat_first) *
					(int64_t)j / (int64_t)(n - 1) : 0);
			h->nseries++;
		}
	}
	h->nfuncs = nf;
	h->slot_step = 1;
	h->nslots = n;
	for (k = 0; k < n; k++)
		h->slot_snap[k] = k;
}

typedef int (*renderer)(const struct pyro_history *, struct pyro_buf *);

/* Render h with fn and compare with expected (NUL-free text). */
static void check(renderer fn, const struct pyro_history *h,
		  const char *expected)
{
	struct pyro_buf out = PYRO_BUF_INIT;

	assert_int_equal(fn(h, &out), 0);
	assert_int_equal(pyro_buf_putc(&out, '\0'), 0);
	if (strcmp(out.data, expected)) {
		fprintf(stderr, "got:\n%s---\nwant:\n%s---\n", out.data, expected);
		fail();
	}
	pyro_buf_release(&out);
}

/* The example of most cases: a heap that grows 1 MiB per hour, with a
 * dip, and functions to rank. */
static const int64_t heap_totals[] = { 1048576, 2097152, 1572864, 3145728 };

static const struct fn heap_fns[] = {
	/* name                     flat first/last       cum first/last      r  f  slope */
	{ "main.tieB", 0,           1024, 3072,           1024, 3072,         2, 0, 1000, NULL },
	{ "main.cacheSession", 0,   0, 2097152,           0, 2097152,         3, 0, 1398101.5,
	  "main.main;main.serve" },
	{ "main.tieA", 0,           1024, 3072,           5000, 9000,         1, 1, 1000, NULL },
	{ "main.steep", 0,          0, 2048,              0, 2048,            3, 0, 2000, NULL },
	{ "main.main", 0,           0, 0,                 1048576, 3145728,   0, 0, 0, NULL },
	{ "main.shrink", 0,         4096, 1024,           4096, 1024,         0, 3, -2000, NULL },
	{ "bad\x01na\nme\x7f", 0,   10, 11,               10, 11,             1, 0, 0.5, NULL },
	{ "main.flat", 0,           512, 512,             512, 512,           1, 1, 0, NULL },
	{ "nul\0byte", 8,           0, 1,                 0, 1,               1, 0, 0.25, NULL },
};

#define NHEAP_FNS (sizeof(heap_fns) / sizeof(heap_fns[0]))

/* ---- timeline.txt --------------------------------------------------------- */

static void test_timeline_txt(void **state)
{
	struct pyro_history h;

	(void)state;
	make(&h, "leaky", "inuse_space", "bytes", heap_totals, 4, 1398101.5,
	     heap_fns, NHEAP_FNS);
	check(pyro_timeline_render, &h,
	      "Timeline: leaky inuse_space (inuse_space, bytes)\n"
	      "Snapshots: 4, 2026-11-24 10:15:00 UTC to 2026-11-24 11:45:00 UTC\n"
	      "\n"
	      "snapshot                        total       change          exact total\n"
	      "2026-11-24T10-15-00Z              1MB            -              1048576\n"
	      "2026-11-24T10-45-00Z              2MB         +1MB              2097152\n"
	      "2026-11-24T11-15-00Z           1.50MB       -512kB              1572864\n"
	      "2026-11-24T11-45-00Z              3MB      +1.50MB              3145728\n"
	      "\n"
	      "Trend: +1.33MB per hour (least squares); rose in 2 of 3 intervals, "
	      "went down in some\n");
	pyro_history_release(&h);
}

static void test_timeline_monotonic(void **state)
{
	static const int64_t totals[] = { 3, 5, 5, 9 };
	struct pyro_history h;

	(void)state;
	make(&h, "api", "goroutines", "count", totals, 4, 3.6, NULL, 0);
	check(pyro_timeline_render, &h,
	      "Timeline: api goroutines (goroutines, count)\n"
	      "Snapshots: 4, 2026-11-24 10:15:00 UTC to 2026-11-24 11:45:00 UTC\n"
	      "\n"
	      "snapshot                        total       change          exact total\n"
	      "2026-11-24T10-15-00Z                3            -                    3\n"
	      "2026-11-24T10-45-00Z                5           +2                    5\n"
	      "2026-11-24T11-15-00Z                5            0                    5\n"
	      "2026-11-24T11-45-00Z                9           +4                    9\n"
	      "\n"
	      "Trend: +3.60 per hour (least squares); rose in 2 of 3 intervals, "
	      "never went down\n");
	pyro_history_release(&h);
}

static void test_timeline_single(void **state)
{
	static const int64_t totals[] = { 2500000 };
	struct pyro_history h;

	(void)state;
	make(&h, "svc\x1b[31m", "cpu", "nanoseconds", totals, 1, 0, NULL, 0);
	check(pyro_timeline_render, &h,
	      "Timeline: svc\\x1b[31m cpu (cpu, nanoseconds)\n"
	      "Snapshots: 1, 2026-11-24 10:15:00 UTC to 2026-11-24 10:15:00 UTC\n"
	      "\n"
	      "snapshot                        total       change          exact total\n"
	      "2026-11-24T10-15-00Z           2.50ms            -              2500000\n"
	      "\n"
	      "Trend: one snapshot, no trend yet\n");
	pyro_history_release(&h);
}

/* ---- growth.txt ------------------------------------------------------------- */

#define GROWTH_HEAD \
	"Functions whose flat value grew from the first snapshot to the last, largest growth first.\n" \
	"share: part of the total's growth.  verdict: \"suspect\" never fell and rose in at least half\n" \
	"the intervals (memory that is not released), \"step\" never fell but rose seldom,\n" \
	"\"churn\" also fell.  \"via\": the hottest caller path at the last snapshot.\n" \
	"\n"

static void test_growth_ranking(void **state)
{
	struct pyro_history h;

	(void)state;
	make(&h, "leaky", "inuse_space", "bytes", heap_totals, 4, 1398101.5,
	     heap_fns, NHEAP_FNS);
	/* Growth first, then slope (steep before the ties), then name
	 * (tieA before tieB); shrinking, flat and unchanged functions are
	 * left out; names are escaped. */
	check(pyro_growth_render, &h,
	      "Growth: leaky inuse_space over 4 snapshots (2026-11-24T10-15-00Z to 2026-11-24T11-45-00Z)\n"
	      GROWTH_HEAD
	      "    growth  share   slope/hour flat first  flat last  cum first   cum last  verdict                        function\n"
	      "      +2MB 100.0%      +1.33MB          0        2MB          0        2MB  suspect: rose 3/3, never fell  main.cacheSession\n"
	      "                               via main.main;main.serve\n"
	      "      +2kB   0.1%      +1.95kB          0        2kB          0        2kB  suspect: rose 3/3, never fell  main.steep\n"
	      "      +2kB   0.1%       +1000B        1kB        3kB     4.88kB     8.79kB  churn: rose 1/3, fell 1/3      main.tieA\n"
	      "      +2kB   0.1%       +1000B        1kB        3kB        1kB        3kB  suspect: rose 2/3, never fell  main.tieB\n"
	      "       +1B   0.0%       +0.50B        10B        11B        10B        11B  step: rose 1/3, never fell     bad\\x01na\\x0ame\\x7f\n"
	      "       +1B   0.0%       +0.25B          0         1B          0         1B  step: rose 1/3, never fell     nul\\x00byte\n");
	pyro_history_release(&h);
}

static void test_growth_none(void **state)
{
	static const struct fn fns[] = {
		{ "main.a", 0, 5, 5, 5, 5, 1, 1, 0, NULL },
		{ "main.b", 0, 5, 3, 5, 3, 0, 1, -2, NULL },
	};
	static const int64_t totals[] = { 10, 8 };
	struct pyro_history h;

	(void)state;
	make(&h, "api", "mutex_count", "count", totals, 2, -4, fns, 2);
	check(pyro_growth_render, &h,
	      "Growth: api mutex_count over 2 snapshots (2026-11-24T10-15-00Z to 2026-11-24T10-45-00Z)\n"
	      GROWTH_HEAD
	      "    growth  share    slope/min flat first  flat last  cum first   cum last  verdict                        function\n"
	      "(no function grew)\n");
	pyro_history_release(&h);
}

/* A server's history folds the stacks of a few points only (growth_points):
 * the header says how many of the snapshots were read. */
static void test_growth_some_folded(void **state)
{
	static const struct fn fns[] = {
		{ "main.a", 0, 5, 5, 5, 5, 1, 1, 0, NULL },
	};
	static const int64_t totals[] = { 10, 8 };
	struct pyro_history h;

	(void)state;
	make(&h, "api", "mutex_count", "count", totals, 2, -4, fns, 1);
	h.nsnaps = 2;
	h.nfolded = 1;
	check(pyro_growth_render, &h,
	      "Growth: api mutex_count over 1 of 2 snapshots (2026-11-24T10-15-00Z to "
	      "2026-11-24T10-45-00Z, evenly spaced; the timeline has all)\n"
	      GROWTH_HEAD
	      "    growth  share    slope/min flat first  flat last  cum first   cum last  verdict                        function\n"
	      "(no function grew)\n");
	pyro_history_release(&h);
}

/* Object counts are whole numbers, slopes are per minute under an hour
 * (30 minutes here), shares are of the total's growth (they may pass 100%
 * when something else fell), a root function has no caller. */
static void test_growth_counts(void **state)
{
	static const struct fn fns[] = {
		{ "main.leak", 0, 100, 4100, 100, 4100, 1, 0, 8000.6, "main.main" },
		{ "main.main", 0, 0, 10, 4100, 4110, 1, 0, 20.4, "" },
		{ "main.gone", 0, 2000, 0, 2000, 0, 0, 1, -4000, NULL },
	};
	static const int64_t totals[] = { 2100, 4110 };
	struct pyro_history h;

	(void)state;
	make(&h, "api", "inuse_objects", "count", totals, 2, 4020, fns, 3);
	check(pyro_growth_render, &h,
	      "Growth: api inuse_objects over 2 snapshots (2026-11-24T10-15-00Z to 2026-11-24T10-45-00Z)\n"
	      GROWTH_HEAD
	      "    growth  share    slope/min flat first  flat last  cum first   cum last  verdict                        function\n"
	      "     +4000 199.0%         +133        100       4100        100       4100  suspect: rose 1/1, never fell  main.leak\n"
	      "                               via main.main\n"
	      "       +10   0.5%           +0          0         10       4100       4110  suspect: rose 1/1, never fell  main.main\n"
	      "                               via (a root: no caller)\n");
	pyro_history_release(&h);
}

static void test_growth_single(void **state)
{
	static const struct fn fns[] = { { "main.a", 0, 5, 5, 5, 5, 0, 0, 0, NULL } };
	static const int64_t totals[] = { 5 };
	struct pyro_history h;

	(void)state;
	make(&h, "a\tb", "inuse_space", "bytes", totals, 1, 0, fns, 1);
	check(pyro_growth_render, &h,
	      "Growth: a\\x09b inuse_space over 1 snapshot (2026-11-24T10-15-00Z to 2026-11-24T10-15-00Z)\n"
	      GROWTH_HEAD
	      "    growth  share    slope/min flat first  flat last  cum first   cum last  verdict                        function\n"
	      "(one snapshot: nothing can have grown yet)\n");
	pyro_history_release(&h);
}

/* ---- timeline.svg ------------------------------------------------------------ */

static size_t count(const char *hay, size_t len, const char *needle)
{
	size_t n = 0, nl = strlen(needle);
	const char *p = hay, *end = hay + len;

	while ((p = memmem(p, (size_t)(end - p), needle, nl))) {
		n++;
		p += nl;
	}
	return n;
}

static int have_xmllint(void)
{
	return system("command -v xmllint >/dev/null 2>&1") == 0;
}

/* xmllint accepts the document. */
static void check_xml(const struct pyro_buf *svg)
{
	FILE *p;
	int st;

	if (!have_xmllint()) {
		fprintf(stderr, "test_timeline: xmllint not installed, "
			"XML check skipped\n");
		return;
	}
	p = popen("xmllint --noout -", "w");
	assert_non_null(p);
	assert_int_equal(fwrite(svg->data, 1, svg->len, p), svg->len);
	st = pclose(p);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "%.*s\n", (int)svg->len, svg->data);
		fail_msg("xmllint rejects timeline.svg");
	}
}

/* Render h as timeline.svg; check its shape: one circle, each in a link,
 * per snapshot, the total and `lines` suspect lines, no script, no fixed
 * size (a viewBox only), valid XML.  The caller releases *out. */
static void check_svg(const struct pyro_history *h, size_t lines,
		      struct pyro_buf *out)
{
	const char *root;

	*out = (struct pyro_buf)PYRO_BUF_INIT;
	assert_int_equal(pyro_timeline_svg_render(h, out), 0);
	assert_int_equal(count(out->data, out->len, "<circle"), h->nsnaps);
	assert_int_equal(count(out->data, out->len, "<a href=\""), h->nsnaps);
	assert_int_equal(count(out->data, out->len, "<polyline"), 1 + lines);
	assert_int_equal(count(out->data, out->len, "<svg"), 1);
	assert_int_equal(count(out->data, out->len, "<script"), 0);
	assert_true(out->len > 6 && !memcmp(out->data + out->len - 7, "</svg>\n", 7));
	root = memmem(out->data, out->len, "<svg", 4);
	assert_non_null(root);
	assert_null(memmem(root, (size_t)(strchr(root, '>') - root), "width=", 6));
	assert_non_null(memmem(root, (size_t)(strchr(root, '>') - root),
			       "viewBox=\"0 0 960 ", 17));
	check_xml(out);
}

static void has(const struct pyro_buf *b, const char *needle)
{
	if (!memmem(b->data, b->len, needle, strlen(needle))) {
		fprintf(stderr, "%.*s\n", (int)b->len, b->data);
		fail_msg("missing: %s", needle);
	}
}

static void test_svg(void **state)
{
	static const int64_t zeros[] = { 0, 0, 0 };
	static const int64_t neg[] = { -5, 10, -20 };
	static const int64_t big[] = { INT64_MAX, 1, INT64_MAX };
	struct pyro_history h;
	struct pyro_buf b;

	(void)state;
	make(&h, "one", "cpu", "nanoseconds", heap_totals, 1, 0, NULL, 0);
	check_svg(&h, 0, &b);
	pyro_buf_release(&b);
	pyro_history_release(&h);

	make(&h, "zero", "goroutines", "count", zeros, 3, 0, NULL, 0);
	check_svg(&h, 0, &b);
	pyro_buf_release(&b);
	pyro_history_release(&h);

	make(&h, "neg", "cpu", "count", neg, 3, 0, NULL, 0);
	check_svg(&h, 0, &b);
	pyro_buf_release(&b);
	pyro_history_release(&h);

	make(&h, "big", "cpu", "count", big, 3, 0, NULL, 0);
	check_svg(&h, 0, &b);
	pyro_buf_release(&b);
	pyro_history_release(&h);

	/* Hostile names and units from the profile stay valid XML. */
	make(&h, "<svc> & \"q\" 'a' \x01\xff\xc3", "custom_type", "<b&u\x02\xfe>",
	     heap_totals, 4, 3, NULL, 0);
	check_svg(&h, 0, &b);
	pyro_buf_release(&b);
	pyro_history_release(&h);
}

/* The heap: round ticks in MB, a time label every 15 minutes over the 1.5
 * hours, the five top growth suspects as lines named in the legend
 * (hostile names escaped), each point linking to its flame graph. */
static void test_svg_heap(void **state)
{
	struct pyro_history h;
	struct pyro_buf b;

	(void)state;
	make(&h, "leaky", "inuse_space", "bytes", heap_totals, 4, 1398101.5,
	     heap_fns, NHEAP_FNS);
	check_svg(&h, 5, &b);
	has(&b, ">0 MB</text>");
	has(&b, ">1 MB</text>");
	has(&b, ">3 MB</text>");
	assert_null(memmem(b.data, b.len, ">4 MB<", 6));
	assert_int_equal(count(b.data, b.len, "stroke=\"#eee\""), 7);
	has(&b, ">10:15</text>");
	has(&b, ">10:30</text>");
	has(&b, ">11:45</text>");
	has(&b, "<a href=\"2026-11-24T10-15-00Z/flame.svg\" "
	    "xlink:href=\"2026-11-24T10-15-00Z/flame.svg\">");
	has(&b, "<title>2026-11-24T11-45-00Z: 3MB (click: flame graph)</title>");
	has(&b, ">main.cacheSession (flat +2MB; never fell)</text>");
	has(&b, ">main.tieA (flat +2kB; fell at times)</text>");
	/* (DEL is legal XML: it stays) */
	has(&b, ">bad\xef\xbf\xbdna\xef\xbf\xbdme\x7f (flat +1B; never fell)</text>");
	assert_null(memmem(b.data, b.len, "nul", 3));     /* the sixth */
	pyro_buf_release(&b);
	pyro_history_release(&h);
}

/* CPU in cores: each snapshot's total over its duration; ticks in cores. */
static void test_svg_cores(void **state)
{
	static const int64_t totals[] = { 5 * SEC, 10 * SEC, 15 * SEC };
	struct pyro_history h;
	struct pyro_buf b;

	(void)state;
	make(&h, "api", "cpu", "nanoseconds", totals, 3, 0, NULL, 0);
	h.durations = calloc(3, sizeof(*h.durations));
	assert_non_null(h.durations);
	h.durations[0] = h.durations[1] = h.durations[2] = 10 * SEC;
	check_svg(&h, 0, &b);
	has(&b, "api cpu: CPU cores per snapshot");
	has(&b, "CPU (cores: CPU seconds per second)");
	has(&b, ">1.5 cores</text>");
	has(&b, ">0.5 cores</text>");
	has(&b, "<title>2026-11-24T10-45-00Z: 1.00 cores (10s) (click: flame graph)</title>");
	pyro_buf_release(&b);
	/* One duration unknown: seconds, as before. */
	h.durations[1] = 0;
	check_svg(&h, 0, &b);
	has(&b, "total (s)");
	has(&b, ">15 s</text>");
	pyro_buf_release(&b);
	pyro_history_release(&h);
}

/* Hostile sample types and units in the text files are escaped too. */
static void test_hostile_text(void **state)
{
	static const int64_t totals[] = { 1, 2 };
	struct pyro_history h;
	struct pyro_buf out = PYRO_BUF_INIT;

	(void)state;
	make(&h, "svc", "custom", "u\nnit", totals, 2, 3600, NULL, 0);
	free(h.sample_type);
	h.sample_type = strdup("ty\x1bpe");
	assert_non_null(h.sample_type);
	assert_int_equal(pyro_timeline_render(&h, &out), 0);
	assert_int_equal(pyro_buf_putc(&out, '\0'), 0);
	assert_non_null(strstr(out.data, "Timeline: svc custom (ty\\x1bpe, u\\x0anit)\n"));
	assert_int_equal(count(out.data, out.len - 1, "\n"), 8);
	pyro_buf_release(&out);
	pyro_history_release(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timeline_txt),
		cmocka_unit_test(test_timeline_monotonic),
		cmocka_unit_test(test_timeline_single),
		cmocka_unit_test(test_growth_ranking),
		cmocka_unit_test(test_growth_none),
		cmocka_unit_test(test_growth_some_folded),
		cmocka_unit_test(test_growth_counts),
		cmocka_unit_test(test_growth_single),
		cmocka_unit_test(test_svg),
		cmocka_unit_test(test_svg_heap),
		cmocka_unit_test(test_svg_cores),
		cmocka_unit_test(test_hostile_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
