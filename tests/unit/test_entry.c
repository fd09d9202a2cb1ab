/*
 * test_entry.c - the entry pages (render/entry.c): README.txt and
 * summary.txt byte for byte, the three index.html pages for escaping,
 * links and well-formedness.
 *
 * The index is built by hand (static structs, no archive): service "api"
 * with cpu (3 points) and inuse_space (3 points), and a hostile service
 * named `it's <b>&"` whose names must come out quoted for a shell in
 * text and escaped in HTML.  T0 = 1795515300 = 2026-11-24T10:15:00Z;
 * point k is at T0 + 30 k minutes.  The pages are also checked with
 * `xmllint --noout -` when xmllint is installed: escaping mistakes make
 * them ill-formed.
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

#include "../../model/source.h"
#include "../../render/render.h"
#include "../support/stacks_builder.h"

#define SEC 1000000000LL
#define T0 1795515300LL
#define HOSTILE "it's <b>&\""

static struct pyro_point pts[3][3];
static struct pyro_index_series api_series[2], bad_series[1];
static struct pyro_index_service services[2];
static struct pyro_index ix;

static int setup(void **state)
{
	static const char *const tn[3] = { "cpu", "inuse_space", "x<y" };
	size_t s, k;

	(void)state;
	for (s = 0; s < 3; s++)
		for (k = 0; k < 3; k++) {
			pts[s][k].time_nanos = (T0 + 1800 * (int64_t)k) * SEC;
			pyro_time_name(pts[s][k].time_nanos, pts[s][k].name);
		}
	for (s = 0; s < 2; s++) {
		api_series[s] = (struct pyro_index_series){
			.service = &services[0], .type = (char *)tn[s],
			.sample_type = (char *)tn[s],
			.sample_unit = s ? "bytes" : "nanoseconds",
			.kind = s ? PYRO_KIND_GAUGE : PYRO_KIND_RATE,
			.points = pts[s], .npoints = 3,
		};
	}
	bad_series[0] = (struct pyro_index_series){
		.service = &services[1], .type = (char *)tn[2],
		.sample_type = "x", .sample_unit = "count",
		.kind = PYRO_KIND_GAUGE, .points = pts[2], .npoints = 3,
	};
	services[0] = (struct pyro_index_service){
		.name = "api", .series = api_series, .nseries = 2,
	};
	services[1] = (struct pyro_index_service){
		.name = HOSTILE, .series = bad_series, .nseries = 1,
	};
	ix.services = services;
	ix.nservices = 2;
	return 0;
}

static char *text_of(int rc, struct pyro_buf *out)
{
	assert_int_equal(rc, 0);
	assert_int_equal(pyro_buf_putc(out, '\0'), 0);
	return out->data;
}

static void expect(const char *got, const char *want)
{
	if (strcmp(got, want)) {
		fprintf(stderr, "got:\n%s---\nwant:\n%s---\n", got, want);
		fail();
	}
}

/* xmllint accepts text as XML (skipped without xmllint). */
static void well_formed(const char *text)
{
	FILE *p;
	int st;

	if (system("command -v xmllint >/dev/null 2>&1")) {
		fprintf(stderr, "note: no xmllint, well-formedness not checked\n");
		return;
	}
	p = popen("xmllint --noout - 2>&1 >/dev/null", "w");
	assert_non_null(p);
	fputs(text, p);
	st = pclose(p);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "%s\n", text);
		fail_msg("xmllint rejects the page");
	}
}

/* Nothing of the hostile name gets out raw into HTML. */
static void no_raw_hostile(const char *html)
{
	assert_null(strstr(html, "<b>"));
	assert_null(strstr(html, "&\""));
	assert_null(strstr(html, "it's"));
}

/* ---- README.txt -------------------------------------------------------- */

static void test_readme(void **state)
{
	struct pyro_buf out = PYRO_BUF_INIT;
	struct pyro_index one = { .services = services, .nservices = 1 };

	(void)state;
	expect(text_of(pyro_readme_render(&one, &out), &out),
"pyrofs: 1 service of profiles, rendered on read\n"
"\n"
"What is slow now?\n"
"    cat api/cpu/latest/top.txt                  # hottest functions\n"
"    cat api/cpu/latest/flame.svg                # open in a browser\n"
"Is something leaking?\n"
"    cat api/inuse_space/growth.txt              # leak suspects first\n"
"    cat api/inuse_space/timeline.txt            # does it ever come down?\n"
"    cat api/summary.txt                         # every type at a glance\n"
"What changed since yesterday?\n"
"    cat api/cpu/diff/latest-24h/latest/top.txt  # newest minus a day back\n"
"    cat api/cpu/diff/prev/latest/top.txt        # newest minus the one before\n"
"\n"
"The tree\n"
"    SERVICE/summary.txt      per type: newest total and trend, top 5,\n"
"                             leak suspects (reads every snapshot once)\n"
"    SERVICE/TYPE/latest/     the newest snapshot: top.txt tree.txt\n"
"                             flame.svg icicle.svg folded profile.pb.gz\n"
"                             top-cum.txt traces.txt graph.dot graph.svg\n"
"                             labels.txt labels/ (not listed in a\n"
"                             snapshot, but cd latest/labels works)\n"
"                             Not listed, typed: functions/ (then\n"
"                             NAME/peek.txt callers/ callees/) and\n"
"                             focus=RE/ ignore=RE/ hide=RE/ show=RE/\n"
"                             show_from=RE/ over any of the above\n"
"    SERVICE/TYPE/all/        every snapshot merged; 2026-11-24/ a day,\n"
"                             2026-11-24T10/ an hour, one directory per\n"
"                             snapshot\n"
"    SERVICE/TYPE/            timeline.txt timeline.svg growth.txt\n"
"                             index.html, and diff/\n"
"    SERVICE/TYPE/diff/BASE/TIME/   TIME minus BASE, same files\n"
"    index.html               these pages in a browser (file://)\n"
"    .pyrofs/errors           what could not be read, and why\n"
"\n"
"Time names, wherever a time goes (both sides of diff/ too)\n"
"    latest prev first        newest, the one before, the oldest\n"
"    latest~3                 three snapshots before the newest\n"
"    latest-24h latest-7d     the snapshot nearest a day (a week) back\n"
"    all, 2026-11-24, 2026-11-24T10, FROM..TO, last-1h\n"
"                             merges: every snapshot, a day, an hour,\n"
"                             a range, the last hour of the series\n"
"Names starting with 0- (0-latest, 0-index.html, ...) are the same\n"
"entries, named to sort before the snapshots.\n"
"Sizes: summary.txt and a type's timeline.txt, timeline.svg,\n"
"growth.txt and index.html read the whole series, so listing their\n"
"directory does not make them: ls -l shows the size of their cached\n"
"rendering, 0 before it is made (as in /proc).  stat FILE and cat\n"
"read them whole; tar of the directory stores 0 bytes for those\n"
"not yet read.\n"
"\n"
"Services (1)\n"
"    api/\n"
"        cpu/  3 snapshots, 2026-11-24 10:15:00 UTC to 2026-11-24 11:15:00 UTC\n"
"        inuse_space/  3 snapshots, 2026-11-24 10:15:00 UTC to 2026-11-24 11:15:00 UTC\n");
	pyro_buf_release(&out);
}

/* Examples quote names for a shell; listings never print a control byte. */
static void test_readme_hostile(void **state)
{
	struct pyro_buf out = PYRO_BUF_INIT;
	struct pyro_index bad = { .services = &services[1], .nservices = 1 };
	const char *t;

	(void)state;
	t = text_of(pyro_readme_render(&bad, &out), &out);
	assert_non_null(strstr(t, "    cat 'it'\\''s <b>&\"'/'x<y'/growth.txt"));
	assert_non_null(strstr(t, "    cat 'it'\\''s <b>&\"'/summary.txt"));
	/* No rate series: no "slow" or "yesterday" example. */
	assert_null(strstr(t, "latest/top.txt  "));
	assert_non_null(strstr(t, "        x<y/  3 snapshots, 2026-11-24 10:15:00 UTC to 2026-11-24 11:15:00 UTC\n"));
	pyro_buf_release(&out);
}

/* ---- index.html --------------------------------------------------------- */

static void test_index_root(void **state)
{
	struct pyro_buf out = PYRO_BUF_INIT;
	const char *t;

	(void)state;
	t = text_of(pyro_index_html_root(&ix, &out), &out);
	well_formed(t);
	no_raw_hostile(t);
	assert_non_null(strstr(t, "<a href=\"api/cpu/index.html\">cpu</a>"));
	assert_non_null(strstr(t, "<a href=\"api/cpu/latest/flame.svg\">"));
	assert_non_null(strstr(t, "<a href=\"api/inuse_space/growth.txt\">"));
	assert_non_null(strstr(t, "<a href=\"it%27s%20%3Cb%3E%26%22/index.html\">"
			       "it&apos;s &lt;b&gt;&amp;&quot;</a>"));
	assert_non_null(strstr(t, "<a href=\"it%27s%20%3Cb%3E%26%22/x%3Cy/"
			       "timeline.svg\">"));
	/* Self-contained: no script, no absolute URL. */
	assert_null(strstr(t, "<script"));
	assert_null(strstr(t, "://"));
	assert_null(strstr(t, "href=\"/"));
	pyro_buf_release(&out);
}

static void test_index_service(void **state)
{
	struct pyro_buf out = PYRO_BUF_INIT;
	const char *t;

	(void)state;
	t = text_of(pyro_index_html_service(&services[1], &out), &out);
	well_formed(t);
	no_raw_hostile(t);
	assert_non_null(strstr(t, "<title>it&apos;s &lt;b&gt;&amp;&quot; - "
			       "pyrofs</title>"));
	assert_non_null(strstr(t, "<a href=\"../index.html\">all services</a>"));
	assert_non_null(strstr(t, "<a href=\"x%3Cy/index.html\">x&lt;y</a>"));
	assert_non_null(strstr(t, "src=\"x%3Cy/timeline.svg\""));
	assert_non_null(strstr(t, "<a href=\"summary.txt\">"));
	assert_null(strstr(t, "<script"));
	pyro_buf_release(&out);
}

/* A history of 3 snapshots: main.leak rose twice and never fell (a
 * suspect), main.churn rose and fell, main.flat stayed. */
static void history(struct pyro_history *h, const char *service)
{
	static const char *const fn[] = { "main.leak", "main.churn", "a<b>" };
	static const int64_t ff[] = { 1024, 1024, 10 }, fl[] = { 4096, 2048, 20 };
	static const unsigned rises[] = { 2, 1, 2 }, falls[] = { 0, 1, 0 };
	size_t k;

	memset(h, 0, sizeof(*h));
	assert_int_equal(pyro_strtab_init(&h->strs), 0);
	h->service = strdup(service);
	h->type = strdup("inuse_space");
	h->sample_type = strdup("inuse_space");
	h->sample_unit = strdup("bytes");
	h->nsnaps = 3;
	h->nfolded = 3;
	h->times = calloc(3, sizeof(*h->times));
	h->names = calloc(3, sizeof(*h->names));
	h->totals = calloc(3, sizeof(*h->totals));
	h->funcs = calloc(3, sizeof(*h->funcs));
	assert_true(h->service && h->sample_unit && h->times && h->names &&
		    h->totals && h->funcs);
	for (k = 0; k < 3; k++) {
		h->times[k] = pts[1][k].time_nanos;
		memcpy(h->names[k], pts[1][k].name, sizeof(h->names[k]));
		h->totals[k] = 1048576 * (int64_t)(k + 1);
	}
	h->slope = 2097152;
	for (k = 0; k < 3; k++) {
		struct pyro_history_func *f = &h->funcs[k];

		assert_int_equal(pyro_strtab_intern(&h->strs, fn[k], strlen(fn[k]),
						    &f->name), 0);
		f->flat_first = f->cum_first = ff[k];
		f->flat_last = f->cum_last = fl[k];
		f->rises = rises[k];
		f->falls = falls[k];
	}
	h->nfuncs = 3;
}

static void test_index_type(void **state)
{
	struct pyro_buf out = PYRO_BUF_INIT;
	struct pyro_history h;
	const char *t;

	(void)state;
	history(&h, HOSTILE);
	t = text_of(pyro_index_html_type(&bad_series[0], &h, &out), &out);
	well_formed(t);
	no_raw_hostile(t);
	assert_non_null(strstr(t, "<a href=\"../../index.html\">all services</a> / "
			       "<a href=\"../index.html\">it&apos;s &lt;b&gt;"
			       "&amp;&quot;</a>"));
	assert_non_null(strstr(t, "<a href=\"latest/flame.svg\">"));
	assert_non_null(strstr(t, "src=\"timeline.svg\""));
	assert_non_null(strstr(t, "<a href=\"diff/prev/latest/flame.svg\">"));
	/* Suspects: the leak first, then a<b>; never the churn. */
	assert_non_null(strstr(t, "<td class=\"n\">+3kB</td><td class=\"n\">1kB"
			       "</td><td class=\"n\">4kB</td><td>main.leak</td>"));
	assert_non_null(strstr(t, "<td>a&lt;b&gt;</td>"));
	assert_true(strstr(t, "main.leak") < strstr(t, "a&lt;b&gt;"));
	assert_null(strstr(t, "main.churn"));
	/* Snapshots newest first, each linked to its flame graph. */
	assert_non_null(strstr(t, "<a href=\"2026-11-24T11-15-00Z/flame.svg\">"
			       "2026-11-24 11:15:00 UTC</a>"));
	assert_true(strstr(t, "2026-11-24T11-15-00Z/flame.svg") <
		    strstr(t, "2026-11-24T10-15-00Z/flame.svg"));
	pyro_buf_release(&out);
	pyro_history_release(&h);
}

/* Without a history: every point still linked, the page says why. */
static void test_index_type_unreadable(void **state)
{
	struct pyro_buf out = PYRO_BUF_INIT;
	const char *t;

	(void)state;
	t = text_of(pyro_index_html_type(&api_series[0], NULL, &out), &out);
	well_formed(t);
	assert_non_null(strstr(t, "<p>The history could not be read: see "
			       "<a href=\"../../.pyrofs/errors\">errors</a>.</p>"));
	assert_non_null(strstr(t, "<a href=\"2026-11-24T10-15-00Z/flame.svg\">"
			       "2026-11-24 10:15:00 UTC</a></td><td class=\"n\">"
			       "unreadable</td>"));
	pyro_buf_release(&out);
}

/* ---- summary.txt ----------------------------------------------------------- */

static void test_summary(void **state)
{
	struct pyro_buf out = PYRO_BUF_INIT;
	struct pyro_summary_part parts[2];
	struct pyro_stacks cpu;
	struct pyro_history h;

	(void)state;
	history(&h, "api");
	assert_int_equal(sb_build(&cpu, "main;serve;json 300\n"
				  "main;serve;sql 120\n"
				  "main;gc 80\n"
				  "main;serve 2\n"
				  "x;json 100\n"
				  "a;b;c;d 1\n"
				  "e 1\n"), 0);
	assert_int_equal(sb_type(&cpu, "cpu", "nanoseconds"), 0);
	parts[0] = (struct pyro_summary_part){ &api_series[0], NULL, &cpu };
	parts[1] = (struct pyro_summary_part){ &api_series[1], &h, NULL };
	expect(text_of(pyro_summary_render(&services[0], parts, 2, &out), &out),
"Summary: api, 2 types\n"
"\n"
"cpu: 3 snapshots, 2026-11-24 10:15:00 UTC to 2026-11-24 11:15:00 UTC\n"
"  (history unreadable: see .pyrofs/errors)\n"
"  top functions of the newest snapshot (flat):\n"
"         400ns  66.23%  json\n"
"         120ns  19.87%  sql\n"
"          80ns  13.25%  gc\n"
"           2ns   0.33%  serve\n"
"           1ns   0.17%  d\n"
"\n"
"inuse_space: 3 snapshots, 2026-11-24 10:15:00 UTC to 2026-11-24 11:15:00 UTC\n"
"  newest total 3MB, trend +2MB/hour (rose in 2, fell in 0 of 2 intervals)\n"
"  (newest snapshot unreadable: see .pyrofs/errors)\n"
"  leak suspects (flat rose in every interval, never fell):\n"
"          +3kB  main.leak\n"
"          +10B  a<b>\n"
"\n"
"More: TYPE/growth.txt (every function that grew), TYPE/timeline.txt,\n"
"TYPE/latest/top.txt, TYPE/diff/prev/latest/top.txt\n");
	pyro_buf_release(&out);
	pyro_stacks_release(&cpu);
	pyro_history_release(&h);
}

/* A series shorter than an hour states its trend per minute. */
static void test_summary_short(void **state)
{
	struct pyro_buf out = PYRO_BUF_INIT;
	struct pyro_summary_part part;
	struct pyro_history h;
	size_t k;

	(void)state;
	history(&h, "api");
	for (k = 0; k < 3; k++)
		h.times[k] = (T0 + 600 * (int64_t)k) * SEC;
	part = (struct pyro_summary_part){ &api_series[1], &h, NULL };
	assert_non_null(strstr(text_of(pyro_summary_render(&services[0], &part,
							   1, &out), &out),
			       "  newest total 3MB, trend +34.13kB/minute (rose in "
			       "2, fell in 0 of 2 intervals)\n"));
	pyro_buf_release(&out);
	pyro_history_release(&h);
}

/* A history of totals only (a server's: no stacks folded) keeps its trend
 * and points to growth.txt for the suspects. */
static void test_summary_totals_only(void **state)
{
	struct pyro_buf out = PYRO_BUF_INIT;
	struct pyro_summary_part part;
	struct pyro_history h;

	(void)state;
	history(&h, "api");
	h.nfolded = 0;
	part = (struct pyro_summary_part){ &api_series[1], &h, NULL };
	expect(strstr(text_of(pyro_summary_render(&services[0], &part, 1, &out), &out),
		      "  newest total"),
	       "  newest total 3MB, trend +2MB/hour (rose in 2, fell in 0 of 2 intervals)\n"
	       "  (newest snapshot unreadable: see .pyrofs/errors)\n"
	       "  leak suspects: not read for this page (each point is a merge on "
	       "the server): see inuse_space/growth.txt\n"
	       "\n"
	       "More: TYPE/growth.txt (every function that grew), TYPE/timeline.txt,\n"
	       "TYPE/latest/top.txt, TYPE/diff/prev/latest/top.txt\n");
	pyro_buf_release(&out);
	pyro_history_release(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readme),
		cmocka_unit_test(test_readme_hostile),
		cmocka_unit_test(test_index_root),
		cmocka_unit_test(test_index_service),
		cmocka_unit_test(test_index_type),
		cmocka_unit_test(test_index_type_unreadable),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_summary_short),
		cmocka_unit_test(test_summary_totals_only),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
