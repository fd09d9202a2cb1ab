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
 * This file has the text pages (README.txt, summary.txt), the helpers
 * they share and the growth suspects; the index.html pages are
 * entry_html.c, and entry_priv.h is what the two files share.
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

/* ---- shared: escaping, times, examples -------------------------------------- */

static int put_text(struct pyro_buf *out, const char *s)
{
	return pyro_buf_put_safe(out, s, strlen(s));
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
int pyro_entry_put_period(struct pyro_buf *out, int64_t first, int64_t last)
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
		"\nTime names, wherever a time goes (both sides of diff/ too)\n"
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
		"not yet read.\n");
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
				rc = pyro_entry_put_period(out, se->points[0].time_nanos,
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
int pyro_entry_suspects(const struct pyro_history *h, size_t max, size_t **out,
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
	rc = pyro_entry_suspects(h, 5, &idx, &n);
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
		rc = pyro_entry_put_period(out, se->points[0].time_nanos,
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
