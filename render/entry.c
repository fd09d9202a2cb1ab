/*
 * entry.c - the entry points of a mount: README.txt and index.html at the
 * root, summary.txt and index.html in each service, index.html in each
 * type directory.
 *
 * They answer the first three questions a newcomer has ("what is slow
 * now", "is something leaking", "what changed since yesterday") with this
 * archive's own names, and link everything below.  They are built only
 * from what any source offers (the index, histories, stacks), so they work
 * the same for a local archive and a server.  Cost decides which data each
 * page takes: the root's pages and a service's index.html take the index
 * alone (no profile is decoded to stat or read them, so `ls -l` of the
 * root stays instant); summary.txt takes every series' history and newest
 * stacks of its service; a type's index.html takes its series' history.
 * The heavy pictures (timeline.svg, flame.svg) are linked or embedded by
 * URL, so the browser asks for them only when a page is shown.
 *
 * The HTML works from file:// without a server: relative links only, no
 * script, no external resource; every name is escaped as XML text (pages
 * are also valid XHTML fragments) and percent-encoded in URLs.
 */
#include "render.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../model/source.h"
#include "text.h"
#include "units.h"

/* ---- shared: escaping, times, examples -------------------------------------- */

static int put_text(struct pyro_buf *out, const char *s)
{
	return pyro_buf_put_safe(out, s, strlen(s));
}

static int put_html(struct pyro_buf *out, const char *s)
{
	return pyro_xml_put(out, s, strlen(s));
}

/* One path component of a relative URL: every byte outside RFC 3986's
 * unreserved set percent-encoded, so the result is also safe in an
 * attribute. */
static int put_url(struct pyro_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	int rc = 0;

	for (p = (const unsigned char *)s; *p && !rc; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p))
			rc = pyro_buf_putc(out, (char)*p);
		else
			rc = pyro_buf_printf(out, "%%%c%c", hex[*p >> 4],
					     hex[*p & 15]);
	}
	return rc;
}

/* A name as one shell word: bare when it holds only safe characters,
 * else in single quotes (a quote as '\''), control bytes as \xNN. */
static int put_shell(struct pyro_buf *out, const char *s)
{
	const char *p;
	int rc = 0;

	if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789._-+:@,=") == strlen(s))
		return pyro_buf_puts(out, s);
	rc = pyro_buf_putc(out, '\'');
	for (p = s; *p && !rc; p++)
		rc = *p == '\'' ? pyro_buf_puts(out, "'\\''") :
				  pyro_buf_put_safe(out, p, 1);
	return rc ? rc : pyro_buf_putc(out, '\'');
}

/* "2026-11-24 10:15:00 UTC to 2026-11-24 10:30:00 UTC" */
static int put_period(struct pyro_buf *out, int64_t first, int64_t last)
{
	char a[40], b[40];

	pyro_utc_time(a, first);
	pyro_utc_time(b, last);
	return first == last ? pyro_buf_puts(out, a) :
			       pyro_buf_printf(out, "%s to %s", a, b);
}

static const struct pyro_index_series *
find_series(const struct pyro_index_service *svc, const char *type, int kind)
{
	size_t i;

	for (i = 0; i < svc->nseries; i++)
		if (type ? !strcmp(svc->series[i].type, type) :
			   (int)svc->series[i].kind == kind)
			return &svc->series[i];
	return NULL;
}

/* The series the README's examples use: the first service's `type`, or
 * failing that of any service; else the first series of that kind. */
static const struct pyro_index_series *
example(const struct pyro_index *ix, const char *type, int kind)
{
	const struct pyro_index_series *se = NULL;
	size_t i;

	for (i = 0; i < ix->nservices && !se; i++)
		se = find_series(&ix->services[i], type, kind);
	for (i = 0; i < ix->nservices && !se; i++)
		se = find_series(&ix->services[i], NULL, kind);
	return se;
}

/* Spaces up to column `col` from line start `start`, at least two. */
static int put_pad(struct pyro_buf *out, size_t start, size_t col)
{
	size_t used = out->len - start;

	return pyro_buf_printf(out, "%*s", (int)(used + 2 < col ? col - used : 2),
			       "");
}

/* "    cat SERVICE/TYPE/REST   # WHY" with the names quoted for a shell;
 * se NULL: "SERVICE/REST" of service svc. */
static int put_cat(struct pyro_buf *out, const struct pyro_index_service *svc,
		   const struct pyro_index_series *se, const char *rest,
		   const char *why)
{
	size_t start = out->len;
	int rc = pyro_buf_puts(out, "    cat ");

	if (!rc)
		rc = put_shell(out, se ? se->service->name : svc->name);
	if (!rc)
		rc = pyro_buf_putc(out, '/');
	if (!rc && se)
		rc = put_shell(out, se->type);
	if (!rc && se)
		rc = pyro_buf_putc(out, '/');
	if (!rc)
		rc = pyro_buf_puts(out, rest);
	if (!rc)
		rc = put_pad(out, start, 48);
	if (!rc)
		rc = pyro_buf_printf(out, "# %s\n", why);
	return rc;
}

/* ---- README.txt --------------------------------------------------------------- */

static int readme_questions(const struct pyro_index *ix, struct pyro_buf *out)
{
	const struct pyro_index_series *slow, *mem;
	int rc;

	slow = example(ix, "cpu", PYRO_KIND_RATE);
	if (!slow)
		slow = example(ix, NULL, PYRO_KIND_CUMULATIVE);
	mem = example(ix, "inuse_space", PYRO_KIND_GAUGE);
	rc = pyro_buf_puts(out, "What is slow now?\n");
	if (!rc && slow)
		rc = put_cat(out, NULL, slow, "latest/top.txt",
			     "hottest functions");
	if (!rc && slow)
		rc = put_cat(out, NULL, slow, "latest/flame.svg",
			     "open in a browser");
	if (!rc)
		rc = pyro_buf_puts(out, "Is something leaking?\n");
	if (!rc && mem)
		rc = put_cat(out, NULL, mem, "growth.txt", "leak suspects first");
	if (!rc && mem)
		rc = put_cat(out, NULL, mem, "timeline.txt",
			     "does it ever come down?");
	if (!rc && (mem || slow))
		rc = put_cat(out, (mem ? mem : slow)->service, NULL,
			     "summary.txt", "every type at a glance");
	if (!rc)
		rc = pyro_buf_puts(out, "What changed since yesterday?\n");
	if (!rc && slow)
		rc = put_cat(out, NULL, slow, "diff/latest-24h/latest/top.txt",
			     "newest minus a day back");
	if (!rc && slow)
		rc = put_cat(out, NULL, slow, "diff/prev/latest/top.txt",
			     "newest minus the one before");
	if (!rc && !slow && !mem)
		rc = pyro_buf_puts(out, "    (no profile yet: see .pyrofs/errors)\n");
	return rc;
}

static int readme_tree(struct pyro_buf *out)
{
	return pyro_buf_puts(out,
		"\nThe tree\n"
		"    SERVICE/summary.txt      per type: newest total and trend, top 5,\n"
		"                             leak suspects (reads every snapshot once)\n"
		"    SERVICE/TYPE/latest/     the newest snapshot: top.txt tree.txt\n"
		"                             flame.svg icicle.svg folded profile.pb.gz\n"
		"                             labels.txt labels/\n"
		"    SERVICE/TYPE/all/        every snapshot merged; 2026-11-24/ a day,\n"
		"                             2026-11-24T10/ an hour, one directory per\n"
		"                             snapshot\n"
		"    SERVICE/TYPE/            timeline.txt timeline.svg growth.txt\n"
		"                             index.html, and diff/\n"
		"    SERVICE/TYPE/diff/BASE/TIME/   TIME minus BASE, same files\n"
		"    index.html               these pages in a browser (file://)\n"
		"    .pyrofs/errors           what could not be read, and why\n"
		"\nTime names, wherever a time goes (both sides of diff/ too)\n"
		"    latest prev first        newest, the one before, the oldest\n"
		"    latest~3                 three snapshots before the newest\n"
		"    latest-24h latest-7d     the snapshot nearest a day (a week) back\n"
		"    all, 2026-11-24, 2026-11-24T10, FROM..TO, last-1h\n"
		"                             merges: every snapshot, a day, an hour,\n"
		"                             a range, the last hour of the series\n"
		"Names starting with 0- (0-latest, 0-index.html, ...) are the same\n"
		"entries, named to sort before the snapshots.\n");
}

static int readme_services(const struct pyro_index *ix, struct pyro_buf *out)
{
	const struct pyro_index_series *se;
	size_t i, k;
	int rc = pyro_buf_printf(out, "\nServices (%zu)\n", ix->nservices);

	for (i = 0; i < ix->nservices && !rc; i++) {
		rc = pyro_buf_puts(out, "    ");
		if (!rc)
			rc = put_text(out, ix->services[i].name);
		if (!rc)
			rc = pyro_buf_puts(out, "/\n");
		for (k = 0; k < ix->services[i].nseries && !rc; k++) {
			se = &ix->services[i].series[k];
			rc = pyro_buf_puts(out, "        ");
			if (!rc)
				rc = put_text(out, se->type);
			if (!rc)
				rc = pyro_buf_printf(out, "/  %zu snapshot%s, ",
						     se->npoints,
						     se->npoints == 1 ? "" : "s");
			if (!rc)
				rc = put_period(out, se->points[0].time_nanos,
						se->points[se->npoints - 1].time_nanos);
			if (!rc)
				rc = pyro_buf_putc(out, '\n');
		}
	}
	return rc;
}

static int readme(const struct pyro_index *ix, struct pyro_buf *out)
{
	int rc = pyro_buf_printf(out, "pyrofs: %zu service%s of profiles, "
				 "rendered on read\n\n", ix->nservices,
				 ix->nservices == 1 ? "" : "s");

	if (!rc)
		rc = readme_questions(ix, out);
	if (!rc)
		rc = readme_tree(out);
	if (!rc)
		rc = readme_services(ix, out);
	return rc;
}

int pyro_readme_render(const struct pyro_index *ix, struct pyro_buf *out)
{
	size_t start = out->len;
	int rc = readme(ix, out);

	if (rc)
		pyro_buf_truncate(out, start);  /* as it was (render.h) */
	return rc;
}

/* ---- HTML ------------------------------------------------------------------------ */

static const char html_style[] =
	"<style>body{font:14px/1.4 sans-serif;margin:1em 2em;color:#222}"
	"h1{font-size:20px}h2{font-size:16px;margin-top:1.5em}"
	"table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left}"
	"td.n{text-align:right;font-family:monospace}"
	"tr:nth-child(even){background:#f4f4f4}"
	"img.tl{max-width:100%;border:1px solid #ccc}"
	"iframe{width:100%;height:520px;border:1px solid #ccc}</style>\n";

/* Everything before the body's content; title is plain text. */
static int html_head(struct pyro_buf *out, const char *title,
		     const char *title2)
{
	int rc = pyro_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
			       "<meta charset=\"utf-8\"/><title>");

	if (!rc)
		rc = put_html(out, title);
	if (!rc && title2)
		rc = pyro_buf_puts(out, " / ");
	if (!rc && title2)
		rc = put_html(out, title2);
	if (!rc)
		rc = pyro_buf_puts(out, " - pyrofs</title>\n");
	if (!rc)
		rc = pyro_buf_puts(out, html_style);
	if (!rc)
		rc = pyro_buf_puts(out, "</head><body>\n");
	return rc;
}

static int html_tail(struct pyro_buf *out)
{
	return pyro_buf_puts(out, "</body></html>\n");
}

/* <a href="A/B/C">TEXT</a>: a, b are URL components (NULL: none), c the
 * literal rest ("latest/flame.svg"), text plain text. */
static int html_link(struct pyro_buf *out, const char *a, const char *b,
		     const char *c, const char *text)
{
	int rc = pyro_buf_puts(out, "<a href=\"");

	if (!rc && a)
		rc = put_url(out, a);
	if (!rc && a)
		rc = pyro_buf_putc(out, '/');
	if (!rc && b)
		rc = put_url(out, b);
	if (!rc && b)
		rc = pyro_buf_putc(out, '/');
	if (!rc)
		rc = pyro_buf_puts(out, c);
	if (!rc)
		rc = pyro_buf_puts(out, "\">");
	if (!rc)
		rc = put_html(out, text);
	if (!rc)
		rc = pyro_buf_puts(out, "</a>");
	return rc;
}

/* One table row of a type: name (to its index.html), snapshots, period,
 * links to its newest flame graph, timeline and growth.  a: the service
 * component of the links (NULL from the service's own page). */
static int html_type_row(struct pyro_buf *out, const char *a,
			 const struct pyro_index_series *se)
{
	int rc = pyro_buf_puts(out, "<tr><td>");

	if (!rc)
		rc = html_link(out, a, se->type, "index.html", se->type);
	if (!rc)
		rc = pyro_buf_printf(out, "</td><td class=\"n\">%zu</td><td>",
				     se->npoints);
	if (!rc)
		rc = put_period(out, se->points[0].time_nanos,
				se->points[se->npoints - 1].time_nanos);
	if (!rc)
		rc = pyro_buf_puts(out, "</td><td>");
	if (!rc)
		rc = html_link(out, a, se->type, "latest/flame.svg", "flame graph");
	if (!rc)
		rc = pyro_buf_puts(out, " ");
	if (!rc)
		rc = html_link(out, a, se->type, "latest/top.txt", "top");
	if (!rc)
		rc = pyro_buf_puts(out, " ");
	if (!rc)
		rc = html_link(out, a, se->type, "timeline.svg", "timeline");
	if (!rc)
		rc = pyro_buf_puts(out, " ");
	if (!rc)
		rc = html_link(out, a, se->type, "growth.txt", "growth");
	if (!rc)
		rc = pyro_buf_puts(out, "</td></tr>\n");
	return rc;
}

static const char type_table_head[] =
	"<table><tr><th>type</th><th>snapshots</th><th>period</th>"
	"<th>newest</th></tr>\n";

static int index_root(const struct pyro_index *ix, struct pyro_buf *out)
{
	const struct pyro_index_service *svc;
	size_t i, k;
	int rc = html_head(out, "profiles", NULL);

	if (!rc)
		rc = pyro_buf_printf(out, "<h1>%zu service%s</h1>\n<p>",
				     ix->nservices,
				     ix->nservices == 1 ? "" : "s");
	if (!rc)
		rc = html_link(out, NULL, NULL, "README.txt", "README.txt");
	if (!rc)
		rc = pyro_buf_puts(out, ": what the tree holds and how to ask it. ");
	if (!rc)
		rc = html_link(out, NULL, NULL, ".pyrofs/errors", "errors");
	if (!rc)
		rc = pyro_buf_puts(out, ": what could not be read.</p>\n");
	for (i = 0; i < ix->nservices && !rc; i++) {
		svc = &ix->services[i];
		rc = pyro_buf_puts(out, "<h2>");
		if (!rc)
			rc = html_link(out, svc->name, NULL, "index.html",
				       svc->name);
		if (!rc)
			rc = pyro_buf_puts(out, " <small>");
		if (!rc)
			rc = html_link(out, svc->name, NULL, "summary.txt",
				       "summary");
		if (!rc)
			rc = pyro_buf_puts(out, "</small></h2>\n");
		if (!rc)
			rc = pyro_buf_puts(out, type_table_head);
		for (k = 0; k < svc->nseries && !rc; k++)
			rc = html_type_row(out, svc->name, &svc->series[k]);
		if (!rc)
			rc = pyro_buf_puts(out, "</table>\n");
	}
	if (!rc)
		rc = html_tail(out);
	return rc;
}

int pyro_index_html_root(const struct pyro_index *ix, struct pyro_buf *out)
{
	size_t start = out->len;
	int rc = index_root(ix, out);

	if (rc)
		pyro_buf_truncate(out, start);
	return rc;
}

static int index_service(const struct pyro_index_service *svc,
			 struct pyro_buf *out)
{
	const struct pyro_index_series *se;
	size_t k;
	int rc = html_head(out, svc->name, NULL);

	if (!rc)
		rc = pyro_buf_puts(out, "<p>");
	if (!rc)
		rc = html_link(out, NULL, NULL, "../index.html", "all services");
	if (!rc)
		rc = pyro_buf_puts(out, "</p>\n<h1>");
	if (!rc)
		rc = put_html(out, svc->name);
	if (!rc)
		rc = pyro_buf_puts(out, "</h1>\n<p>");
	if (!rc)
		rc = html_link(out, NULL, NULL, "summary.txt", "summary.txt");
	if (!rc)
		rc = pyro_buf_puts(out, ": every type's newest total, trend, top "
				   "functions and leak suspects.</p>\n");
	if (!rc)
		rc = pyro_buf_puts(out, type_table_head);
	for (k = 0; k < svc->nseries && !rc; k++)
		rc = html_type_row(out, NULL, &svc->series[k]);
	if (!rc)
		rc = pyro_buf_puts(out, "</table>\n");
	/* Each timeline is fetched by the browser when shown, not by stat. */
	for (k = 0; k < svc->nseries && !rc; k++) {
		se = &svc->series[k];
		rc = pyro_buf_puts(out, "<h2>");
		if (!rc)
			rc = html_link(out, se->type, NULL, "index.html", se->type);
		if (!rc)
			rc = pyro_buf_puts(out, "</h2>\n<a href=\"");
		if (!rc)
			rc = put_url(out, se->type);
		if (!rc)
			rc = pyro_buf_puts(out, "/timeline.svg\"><img class=\"tl\" "
					   "loading=\"lazy\" alt=\"timeline of ");
		if (!rc)
			rc = put_html(out, se->type);
		if (!rc)
			rc = pyro_buf_puts(out, "\" src=\"");
		if (!rc)
			rc = put_url(out, se->type);
		if (!rc)
			rc = pyro_buf_puts(out, "/timeline.svg\"/></a>\n");
	}
	if (!rc)
		rc = html_tail(out);
	return rc;
}

int pyro_index_html_service(const struct pyro_index_service *svc,
			    struct pyro_buf *out)
{
	size_t start = out->len;
	int rc = index_service(svc, out);

	if (rc)
		pyro_buf_truncate(out, start);
	return rc;
}

/* ---- growth suspects, shared by summary.txt and a type's index.html ----------- */

/* A function whose flat value rose in every interval and never fell. */
static int is_suspect(const struct pyro_history *h,
		      const struct pyro_history_func *f)
{
	return h->nsnaps >= 3 && f->flat_last > f->flat_first &&
	       f->falls == 0 && f->rises == h->nsnaps - 1;
}

static int cmp_suspect(const void *a, const void *b, void *arg)
{
	const struct pyro_history *h = arg;
	const struct pyro_history_func *x = &h->funcs[*(const size_t *)a];
	const struct pyro_history_func *y = &h->funcs[*(const size_t *)b];
	int64_t gx = x->flat_last - x->flat_first;
	int64_t gy = y->flat_last - y->flat_first;
	struct pyro_str nx, ny;
	int c;

	if (gx != gy)
		return gx < gy ? 1 : -1;
	nx = pyro_strtab_get(&h->strs, x->name);
	ny = pyro_strtab_get(&h->strs, y->name);
	c = memcmp(nx.ptr, ny.ptr, nx.len < ny.len ? nx.len : ny.len);
	return c ? c : (nx.len > ny.len) - (nx.len < ny.len);
}

/* Indexes of up to `max` suspects, largest growth first, into *out
 * (malloc'ed, the caller frees); *n their number. */
static int suspects(const struct pyro_history *h, size_t max, size_t **out,
		    size_t *n)
{
	size_t i, k = 0, *idx = malloc((h->nfuncs + 1) * sizeof(*idx));

	if (!idx)
		return -ENOMEM;
	for (i = 0; i < h->nfuncs; i++)
		if (is_suspect(h, &h->funcs[i]))
			idx[k++] = i;
	qsort_r(idx, k, sizeof(*idx), cmp_suspect, (void *)h);
	*out = idx;
	*n = k < max ? k : max;
	return 0;
}

static const char *suspect_word(const struct pyro_index_series *se)
{
	return se->kind == PYRO_KIND_GAUGE ? "leak suspects" : "steady risers";
}

/* ---- summary.txt ----------------------------------------------------------------- */

struct flat_row {
	uint32_t node;          /* strtab id of the node name */
	int64_t flat;
};

static int cmp_flat(const void *a, const void *b, void *arg)
{
	const struct pyro_stacks *s = arg;
	const struct flat_row *x = a, *y = b;
	int64_t ax = x->flat < 0 ? -x->flat : x->flat;
	int64_t ay = y->flat < 0 ? -y->flat : y->flat;
	struct pyro_str nx, ny;
	int c;

	if (ax != ay)
		return ax < ay ? 1 : -1;
	nx = pyro_strtab_get(&s->strs, x->node);
	ny = pyro_strtab_get(&s->strs, y->node);
	c = memcmp(nx.ptr, ny.ptr, nx.len < ny.len ? nx.len : ny.len);
	return c ? c : (nx.len > ny.len) - (nx.len < ny.len);
}

/* The 5 functions (top.txt's node names) with the largest flat value. */
static int summary_top(const struct pyro_stacks *s, const char *unit,
		       struct pyro_buf *out)
{
	int64_t *flat, total = 0;
	struct flat_row *rows;
	size_t i, n = 0;
	int rc = 0;

	flat = calloc(s->strs.count + 1, sizeof(*flat));
	rows = calloc(s->strs.count + 1, sizeof(*rows));
	if (!flat || !rows) {
		rc = -ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < s->nstacks; i++) {
		const struct pyro_stack *st = &s->stacks[i];
		uint32_t leaf;

		if (!st->depth)
			continue;
		leaf = pyro_stack_refs(s, st)[st->depth - 1];
		flat[s->frames[PYRO_REF_FRAME(leaf)].node] += st->value;
	}
	for (i = 0; i < s->strs.count; i++)
		if (flat[i])
			rows[n++] = (struct flat_row){ (uint32_t)i, flat[i] };
	qsort_r(rows, n, sizeof(*rows), cmp_flat, (void *)s);
	if (pyro_stacks_total(s, &total))
		total = 0;
	rc = pyro_buf_puts(out, "  top functions of the newest snapshot (flat):\n");
	for (i = 0; i < n && i < 5 && !rc; i++) {
		char v[PYRO_LABEL_MAX], pct[PYRO_LABEL_MAX];
		struct pyro_str name = pyro_strtab_get(&s->strs, rows[i].node);

		pyro_unit_label(v, rows[i].flat, unit, "auto");
		pyro_percentage(pct, rows[i].flat, total);
		rc = pyro_buf_printf(out, "    %10s %7s  ", v, pct);
		if (!rc)
			rc = pyro_buf_put_safe(out, name.ptr, name.len);
		if (!rc)
			rc = pyro_buf_putc(out, '\n');
	}
	if (!rc && n == 0)
		rc = pyro_buf_puts(out, "    (no samples)\n");
cleanup:
	free(flat);
	free(rows);
	return rc;
}

static int summary_trend(const struct pyro_history *h, struct pyro_buf *out)
{
	char total[PYRO_LABEL_MAX], slope[64];
	size_t k, rose = 0, fell = 0;
	int short_span;

	for (k = 1; k < h->nsnaps; k++) {
		rose += h->totals[k] > h->totals[k - 1];
		fell += h->totals[k] < h->totals[k - 1];
	}
	pyro_unit_label(total, h->totals[h->nsnaps - 1], h->sample_unit, "auto");
	if (h->nsnaps < 2)
		return pyro_buf_printf(out, "  newest total %s (one snapshot: "
				       "no trend yet)\n", total);
	/* Per hour, or per minute for a series shorter than an hour (a
	 * 12-second demo would otherwise "grow 7GB/hour"). */
	short_span = h->times[h->nsnaps - 1] - h->times[0] < 3600 * 1000000000LL;
	pyro_label_double(slope, short_span ? h->slope / 60 : h->slope,
			  h->sample_unit, 1);
	return pyro_buf_printf(out, "  newest total %s, trend %s/%s "
			       "(rose in %zu, fell in %zu of %zu intervals)\n",
			       total, slope, short_span ? "minute" : "hour",
			       rose, fell, h->nsnaps - 1);
}

static int summary_suspects(const struct pyro_index_series *se,
			    const struct pyro_history *h, struct pyro_buf *out)
{
	size_t *idx, n, i;
	int rc;

	if (h->nsnaps < 3)
		return pyro_buf_printf(out, "  %s: too few snapshots to tell "
				       "(%zu; 3 needed)\n", suspect_word(se),
				       h->nsnaps);
	if (h->nfolded == 0)    /* totals only: a server's history */
		return pyro_buf_printf(out, "  %s: not read for this page (each "
				       "point is a merge on the server): see "
				       "%s/growth.txt\n", suspect_word(se), se->type);
	rc = suspects(h, 5, &idx, &n);
	if (rc)
		return rc;
	rc = pyro_buf_printf(out, "  %s (flat rose in every interval, never "
			     "fell):%s\n", suspect_word(se), n ? "" : " none");
	for (i = 0; i < n && !rc; i++) {
		const struct pyro_history_func *f = &h->funcs[idx[i]];
		struct pyro_str name = pyro_strtab_get(&h->strs, f->name);
		char g[64];

		pyro_label_double(g, (double)(f->flat_last - f->flat_first),
				  h->sample_unit, 1);
		rc = pyro_buf_printf(out, "    %10s  ", g);
		if (!rc)
			rc = pyro_buf_put_safe(out, name.ptr, name.len);
		if (!rc)
			rc = pyro_buf_putc(out, '\n');
	}
	free(idx);
	return rc;
}

static int summary_type(const struct pyro_summary_part *p, struct pyro_buf *out)
{
	const struct pyro_index_series *se = p->se;
	int rc = put_text(out, se->type);

	if (!rc)
		rc = pyro_buf_printf(out, ": %zu snapshot%s, ", se->npoints,
				     se->npoints == 1 ? "" : "s");
	if (!rc)
		rc = put_period(out, se->points[0].time_nanos,
				se->points[se->npoints - 1].time_nanos);
	if (!rc)
		rc = pyro_buf_putc(out, '\n');
	if (!rc && p->h)
		rc = summary_trend(p->h, out);
	if (!rc && !p->h)
		rc = pyro_buf_puts(out, "  (history unreadable: see .pyrofs/errors)\n");
	if (!rc && p->latest)
		rc = summary_top(p->latest, se->sample_unit, out);
	if (!rc && !p->latest)
		rc = pyro_buf_puts(out, "  (newest snapshot unreadable: see "
				   ".pyrofs/errors)\n");
	if (!rc && p->h)
		rc = summary_suspects(se, p->h, out);
	if (!rc)
		rc = pyro_buf_putc(out, '\n');
	return rc;
}

static int summary(const struct pyro_index_service *svc,
		   const struct pyro_summary_part *parts, size_t n,
		   struct pyro_buf *out)
{
	size_t i;
	int rc = pyro_buf_puts(out, "Summary: ");

	if (!rc)
		rc = put_text(out, svc->name);
	if (!rc)
		rc = pyro_buf_printf(out, ", %zu type%s\n\n", n, n == 1 ? "" : "s");
	for (i = 0; i < n && !rc; i++)
		rc = summary_type(&parts[i], out);
	if (!rc)
		rc = pyro_buf_puts(out, "More: TYPE/growth.txt (every function "
				   "that grew), TYPE/timeline.txt,\n"
				   "TYPE/latest/top.txt, "
				   "TYPE/diff/prev/latest/top.txt\n");
	return rc;
}

int pyro_summary_render(const struct pyro_index_service *svc,
			const struct pyro_summary_part *parts, size_t n,
			struct pyro_buf *out)
{
	size_t start = out->len;
	int rc = summary(svc, parts, n, out);

	if (rc)
		pyro_buf_truncate(out, start);
	return rc;
}

/* ---- a type's index.html ------------------------------------------------------------ */

static int type_links(const struct pyro_index_series *se, struct pyro_buf *out)
{
	static const char *const links[][2] = {
		{ "latest/flame.svg", "newest flame graph" },
		{ "latest/top.txt", "newest top" },
		{ "all/flame.svg", "all merged" },
		{ "timeline.txt", "timeline.txt" },
		{ "growth.txt", "growth.txt" },
	};
	size_t i;
	int rc = pyro_buf_puts(out, "<p>");

	for (i = 0; i < sizeof(links) / sizeof(links[0]) && !rc; i++) {
		rc = html_link(out, NULL, NULL, links[i][0], links[i][1]);
		if (!rc)
			rc = pyro_buf_puts(out, " | ");
	}
	if (!rc && se->npoints >= 2)
		rc = html_link(out, NULL, NULL, "diff/prev/latest/flame.svg",
			       "change since the one before");
	return rc ? rc : pyro_buf_puts(out, "</p>\n");
}

static int type_suspects(const struct pyro_history *h, struct pyro_buf *out)
{
	size_t *idx, n, i;
	int rc;

	if (!h)
		return pyro_buf_puts(out, "<p>The history could not be read: see "
				     "<a href=\"../../.pyrofs/errors\">errors</a>."
				     "</p>\n");
	if (h->nsnaps < 3)
		return pyro_buf_puts(out, "<p>Too few snapshots to find steady "
				     "growth (3 needed).</p>\n");
	rc = suspects(h, 10, &idx, &n);
	if (rc)
		return rc;
	rc = pyro_buf_puts(out, n ? "<table><tr><th>growth</th><th>flat first"
			   "</th><th>flat last</th><th>function</th></tr>\n" :
			   "<p>No function rose in every interval.</p>\n");
	for (i = 0; i < n && !rc; i++) {
		const struct pyro_history_func *f = &h->funcs[idx[i]];
		struct pyro_str name = pyro_strtab_get(&h->strs, f->name);
		char g[64], a[PYRO_LABEL_MAX], b[PYRO_LABEL_MAX];

		pyro_label_double(g, (double)(f->flat_last - f->flat_first),
				  h->sample_unit, 1);
		pyro_unit_label(a, f->flat_first, h->sample_unit, "auto");
		pyro_unit_label(b, f->flat_last, h->sample_unit, "auto");
		rc = pyro_buf_printf(out, "<tr><td class=\"n\">%s</td><td class="
				     "\"n\">%s</td><td class=\"n\">%s</td><td>",
				     g, a, b);
		if (!rc)
			rc = pyro_xml_put(out, name.ptr, name.len);
		if (!rc)
			rc = pyro_buf_puts(out, "</td></tr>\n");
	}
	if (!rc && n)
		rc = pyro_buf_puts(out, "</table>\n");
	free(idx);
	return rc;
}

/* Every point of the index, newest first (the one a reader wants is near
 * the top), with its total where the history has it: its snapshots are
 * the readable points, in the same order. */
static int type_snapshots(const struct pyro_index_series *se,
			  const struct pyro_history *h, struct pyro_buf *out)
{
	char total[PYRO_LABEL_MAX], when[40];
	size_t k, j = h ? h->nsnaps : 0;
	int rc = pyro_buf_puts(out, "<table><tr><th>snapshot</th><th>total</th>"
			       "<th></th></tr>\n");

	for (k = se->npoints; k-- > 0 && !rc;) {
		const struct pyro_point *pt = &se->points[k];

		snprintf(total, sizeof(total), "unreadable");
		if (j > 0 && !strcmp(h->names[j - 1], pt->name))
			pyro_unit_label(total, h->totals[--j], se->sample_unit,
					"auto");
		pyro_utc_time(when, pt->time_nanos);
		rc = pyro_buf_puts(out, "<tr><td>");
		if (!rc)
			rc = html_link(out, pt->name, NULL, "flame.svg", when);
		if (!rc)
			rc = pyro_buf_printf(out, "</td><td class=\"n\">%s</td><td>",
					     total);
		if (!rc)
			rc = html_link(out, pt->name, NULL, "top.txt", "top");
		if (!rc)
			rc = pyro_buf_puts(out, "</td></tr>\n");
	}
	return rc ? rc : pyro_buf_puts(out, "</table>\n");
}

static int index_type(const struct pyro_index_series *se,
		      const struct pyro_history *h, struct pyro_buf *out)
{
	const char *svc = se->service->name;
	int rc = html_head(out, svc, se->type);

	if (!rc)
		rc = pyro_buf_puts(out, "<p>");
	if (!rc)
		rc = html_link(out, NULL, NULL, "../../index.html", "all services");
	if (!rc)
		rc = pyro_buf_puts(out, " / ");
	if (!rc)
		rc = html_link(out, NULL, NULL, "../index.html", svc);
	if (!rc)
		rc = pyro_buf_puts(out, "</p>\n<h1>");
	if (!rc)
		rc = put_html(out, svc);
	if (!rc)
		rc = pyro_buf_puts(out, " / ");
	if (!rc)
		rc = put_html(out, se->type);
	if (!rc)
		rc = pyro_buf_printf(out, "</h1>\n<p>%zu snapshot%s, ", se->npoints,
				     se->npoints == 1 ? "" : "s");
	if (!rc)
		rc = put_period(out, se->points[0].time_nanos,
				se->points[se->npoints - 1].time_nanos);
	if (!rc)
		rc = pyro_buf_puts(out, "</p>\n");
	if (!rc)
		rc = type_links(se, out);
	if (!rc)
		rc = pyro_buf_puts(out, "<h2>Timeline</h2>\n<a href=\"timeline.svg\">"
				   "<img class=\"tl\" alt=\"timeline\" "
				   "src=\"timeline.svg\"/></a>\n"
				   "<h2>Growing in every interval</h2>\n");
	if (!rc)
		rc = type_suspects(h, out);
	if (!rc)
		rc = pyro_buf_puts(out, "<h2>Newest flame graph</h2>\n<iframe "
				   "title=\"newest flame graph\" loading=\"lazy\" "
				   "src=\"latest/flame.svg\"></iframe>\n"
				   "<h2>Snapshots</h2>\n");
	if (!rc)
		rc = type_snapshots(se, h, out);
	if (!rc)
		rc = html_tail(out);
	return rc;
}

int pyro_index_html_type(const struct pyro_index_series *se,
			 const struct pyro_history *h, struct pyro_buf *out)
{
	size_t start = out->len;
	int rc = index_type(se, h, out);

	if (rc)
		pyro_buf_truncate(out, start);
	return rc;
}
