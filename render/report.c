/*
 * report.c - the lines of pprof's text report that top.txt, top-cum.txt,
 * peek.txt, traces.txt and graph.dot's legend print alike (report.h): the
 * profile's labels ("File:" ... "Duration:"), the "Active filters:"
 * legend, the head of a top-style report, pprof's choice of output unit,
 * Go's right-aligned padding; and the index of call edges by (caller,
 * callee) that top.txt's and graph.dot's graphs are built with.  Each rule is written here once; the
 * renderers call it, so their headers cannot drift apart.
 */
#include "report.h"
#include "text.h"
#include "../model/timefmt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void pyro_report_output_unit(const char *unit, int64_t min, int64_t total,
			     char out[PYRO_LABEL_MAX])
{
	const char *min_unit, *max_unit, *u;
	int64_t v;

	if (min == 0)
		min = total;
	pyro_unit_scale(min, unit, "minimum", &min_unit);
	pyro_unit_scale(total, unit, "minimum", &max_unit);
	u = min_unit;
	/* Go's int64 multiply wraps; so does this one, without UB. */
	v = (int64_t)((uint64_t)min * 100);
	if (strcmp(min_unit, max_unit) && v < total)
		pyro_unit_scale(v, unit, "minimum", &u);
	snprintf(out, PYRO_LABEL_MAX, "%s", *u ? u : unit);
}

/* Length in bytes of the UTF-8 sequence at p, or 1 if it is invalid: how
 * Go's utf8 decoder steps, so that counting steps counts Go's runes. */
static size_t utf8_step(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (p[0] < 0xc2 || p[0] > 0xf4)
		return 1;
	n = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	for (i = 1; i < n; i++, lo = 0x80, hi = 0xbf)
		if (p[i] < lo || p[i] > hi)
			return 1;
	return n;
}

int pyro_put_padded(struct pyro_buf *out, const char *s, int width)
{
	const unsigned char *p = (const unsigned char *)s;
	int runes = 0, rc = 0;

	for (; *p; p += utf8_step(p))
		runes++;
	for (; runes < width && !rc; runes++)
		rc = pyro_buf_putc(out, ' ');
	return rc ? rc : pyro_buf_puts(out, s);
}

int pyro_put_strs(struct pyro_buf *out, const char *first, ...)
{
	const char *p;
	va_list ap;
	int rc = 0;

	va_start(ap, first);
	for (p = first; p && !rc; p = va_arg(ap, const char *))
		rc = pyro_buf_puts(out, p);
	va_end(ap);
	return rc;
}

/* "Time: 2006-01-02 15:04:05 UTC", Go's layout in UTC. */
static int put_time(struct pyro_buf *out, int64_t nanos)
{
	time_t sec = (time_t)(nanos / PYRO_NS_PER_SEC);
	struct tm tm;

	if (nanos % PYRO_NS_PER_SEC < 0)
		sec--;
	if (!gmtime_r(&sec, &tm))
		return 0;
	return pyro_buf_printf(out, "Time: %04d-%02d-%02d %02d:%02d:%02d UTC\n",
			       tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			       tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* "Duration: D, Total samples = T (R%)"; no ratio unless T is a time.
 * T is total in out_unit; unit is the sample unit. */
static int put_duration(const struct pyro_meta *m, int64_t total,
			const char *unit, const char *out_unit,
			struct pyro_buf *out)
{
	char dur[PYRO_LABEL_MAX], tot[PYRO_LABEL_MAX], pct[PYRO_LABEL_MAX];
	const char *u;
	double ns = pyro_unit_scale(total, unit, "nanoseconds", &u);

	pyro_unit_label(dur, m->duration_nanos, "nanoseconds", "auto");
	pyro_unit_label(tot, total, unit, out_unit);
	if (strcmp(u, "ns") || ns == 0)
		return pyro_buf_printf(out, "Duration: %s, Total samples = %s \n",
				       dur, tot);
	/* Go's out-of-range float -> int64 gives INT64_MIN on amd64. */
	pyro_percentage(pct, ns < 9.2e18 && ns > -9.2e18 ? (int64_t)ns : INT64_MIN,
			m->duration_nanos);
	return pyro_buf_printf(out, "Duration: %s, Total samples = %s (%s)\n",
			       dur, tot, pct);
}

static int nonempty(const char *s)
{
	return s && *s;
}

/* pprof's ProfileLabels, each line only when the profile has the field. */
int pyro_report_profile_labels(const struct pyro_stacks *s, int64_t total,
			       const char *out_unit, struct pyro_buf *out)
{
	const struct pyro_meta *m = &s->meta;
	const char *unit = m->sample_unit ? m->sample_unit : "";
	size_t i;
	int rc = 0;

	if (nonempty(m->file))
		rc = pyro_buf_printf(out, "File: %s\n", m->file);
	if (!rc && nonempty(m->build_id))
		rc = pyro_buf_printf(out, "Build ID: %s\n", m->build_id);
	for (i = 0; !rc && i < m->ncomments; i++)
		if (m->comments[i] && m->comments[i][0] != '#')
			rc = pyro_buf_printf(out, "%s\n", m->comments[i]);
	if (!rc && nonempty(m->sample_type))
		rc = pyro_buf_printf(out, "Type: %s\n", m->sample_type);
	if (!rc && nonempty(m->doc_url))
		rc = pyro_buf_printf(out, "Doc: %s\n", m->doc_url);
	if (!rc && m->time_nanos != 0)
		rc = put_time(out, m->time_nanos);
	if (!rc && m->duration_nanos != 0)
		rc = put_duration(m, total, unit, out_unit, out);
	return rc;
}


/* One entry of pprof's legend, which cuts an entry over 80 bytes to its
 * first 80 and an ellipsis. */
static int put_legend_entry(const char *s, size_t len, struct pyro_buf *out)
{
	int rc = pyro_buf_puts(out, "   ");

	if (!rc)
		rc = pyro_buf_add(out, s, len > 80 ? 80 : len);
	if (!rc && len > 80)
		rc = pyro_buf_puts(out, "\xe2\x80\xa6");     /* … */
	return rc ? rc : pyro_buf_putc(out, '\n');
}

/* A filtered node reads like `pprof -top -focus=RE ...` (meta.name_filters,
 * in pprof's order), a label node like `-tagfocus=key=value`, which comes
 * after them. */
int pyro_report_filter(const struct pyro_meta *m, struct pyro_buf *out)
{
	struct pyro_buf f = PYRO_BUF_INIT;
	const char *p = m->name_filters, *e;
	int rc = pyro_buf_puts(out, "Active filters:\n");

	while (!rc && p && *p) {
		e = strchr(p, '\n');
		if (!e)
			e = p + strlen(p);
		rc = put_legend_entry(p, (size_t)(e - p), out);
		p = *e ? e + 1 : e;
	}
	if (!rc && m->filter) {
		rc = pyro_buf_puts(&f, "tagfocus=");
		if (!rc)
			rc = pyro_filter_text(m, &f);
		if (!rc)
			rc = put_legend_entry(f.data, f.len, out);
	}
	pyro_buf_release(&f);
	return rc;
}

int pyro_report_head(const struct pyro_stacks *s, int64_t total,
		     const char *out_unit, int64_t shown, struct pyro_buf *out)
{
	const struct pyro_meta *m = &s->meta;
	const char *unit = m->sample_unit ? m->sample_unit : "";
	char sh[PYRO_LABEL_MAX], pct[PYRO_LABEL_MAX], tot[PYRO_LABEL_MAX];
	const char *p;
	int rc;

	rc = pyro_report_profile_labels(s, total, out_unit, out);
	if (!rc && m->rule != PYRO_MERGE_SINGLE)
		rc = pyro_buf_printf(out, "Merge: %s of %u snapshot%s\n",
				     pyro_merge_rule_name(m->rule), m->nsnapshots,
				     m->nsnapshots == 1 ? "" : "s");
	if (!rc && (m->filter || m->name_filters))
		rc = pyro_report_filter(m, out);
	pyro_unit_label(sh, shown, unit, out_unit);
	pyro_unit_label(tot, total, unit, out_unit);
	pyro_percentage(pct, shown, total);
	for (p = pct; *p == ' '; p++)
		;
	if (!rc)
		rc = pyro_buf_printf(out, "Showing nodes accounting for %s, %s of %s total\n",
				     sh, p, tot);
	return rc;
}

/* ---- call edges --------------------------------------------------------- */

static uint64_t edge_hash(uint64_t key)
{
	uint64_t h = key;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static int edges_rehash(struct pyro_edge_index *x, size_t nslots)
{
	uint32_t *slots = calloc(nslots, sizeof(*slots));
	size_t i, j;

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < x->n; i++) {
		j = edge_hash(x->keys[i]) & (nslots - 1);
		while (slots[j])
			j = (j + 1) & (nslots - 1);
		slots[j] = (uint32_t)(i + 1);
	}
	free(x->slots);
	x->slots = slots;
	x->nslots = nslots;
	return 0;
}

int pyro_edge_index_get(struct pyro_edge_index *x, uint32_t src,
			uint32_t dst, uint32_t *edge, bool *created)
{
	uint64_t key = (uint64_t)src << 32 | dst;
	size_t j;
	int rc;

	if (x->nslots < 2 * (x->n + 1)) {
		rc = edges_rehash(x, x->nslots ? 2 * x->nslots : 1024);
		if (rc)
			return rc;
	}
	for (j = edge_hash(key) & (x->nslots - 1); x->slots[j];
	     j = (j + 1) & (x->nslots - 1)) {
		if (x->keys[x->slots[j] - 1] == key) {
			*edge = x->slots[j] - 1;
			*created = false;
			return 0;
		}
	}
	if (x->n >= UINT32_MAX - 1)
		return -EOVERFLOW;
	rc = pyro_grow_array(&x->keys, &x->cap, x->n + 1, sizeof(*x->keys));
	if (rc)
		return rc;
	x->keys[x->n] = key;
	*edge = (uint32_t)x->n++;
	x->slots[j] = (uint32_t)x->n;
	*created = true;
	return 0;
}

void pyro_edge_index_clear(struct pyro_edge_index *x)
{
	x->n = 0;
	if (x->slots)
		memset(x->slots, 0, x->nslots * sizeof(*x->slots));
}

void pyro_edge_index_release(struct pyro_edge_index *x)
{
	free(x->keys);
	free(x->slots);
	memset(x, 0, sizeof(*x));
}
