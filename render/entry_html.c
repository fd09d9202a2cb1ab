/*
 * entry_html.c - the HTML entry pages: index.html at the root, in each
 * service and in each type directory (see entry.c's top comment for what
 * the entry pages answer and what each may cost).  They work from file://
 * without a server: relative links only, no script, no external resource;
 * every name is escaped as XML text (pages are also valid XHTML fragments)
 * and percent-encoded in URLs.  entry.c has the text pages; entry_priv.h
 * is what the two share.
 */
#include "render.h"
#include "entry_priv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../model/source.h"
#include "text.h"
#include "units.h"

/* ---- escaping ------------------------------------------------------------------- */

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
		rc = pyro_entry_put_period(out, se->points[0].time_nanos,
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
	rc = pyro_entry_suspects(h, 10, &idx, &n);
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
		rc = pyro_entry_put_period(out, se->points[0].time_nanos,
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
