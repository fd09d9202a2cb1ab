/*
 * top.c - top.txt: `pprof -top -sample_index=<type>` computed from stacks.
 *
 * pprof builds a call graph whose nodes are functions (here: frames with the
 * same node name), each with a flat value (stacks ending in it) and a cum
 * value (stacks containing it, counted once per stack however often it
 * recurs).  It then drops nodes whose |cum| is below 0.5% of the graph's
 * flat sum and rebuilds the graph from the stacks with the kept nodes only.
 * Flat and cum of a kept node do not change in the rebuild, so we compute
 * them once; the rebuild only matters for the call edges, which decide the
 * "(inline)" / "(partial-inline)" markers:
 *
 *   - an edge caller -> callee is added once per stack, skipping dropped
 *     frames in between and self edges; it is inline when the callee frame
 *     is an inlined line of the caller's location (PYRO_REF_INLINE), and an
 *     edge stays inline only if every stack adding it says so;
 *   - edges with |weight| below 0.1% of the flat sum are removed;
 *   - a node is "(inline)" when all its remaining in-edges are inline,
 *     "(partial-inline)" when some are.
 *
 * Rows are sorted by |flat| desc, name asc, |cum| desc (pprof's
 * FlatNameOrder), or for top-cum.txt (`pprof -top -cum`) by |cum| desc,
 * name asc, |flat| desc (CumNameOrder); nothing else differs, the "sum%"
 * column included, which stays the running sum of flat.  The output unit is pprof's selectOutputUnit: the unit of
 * the smallest non-zero |flat| (else |cum|) among the shown nodes; when the
 * total would print in another unit and that minimum is under 1% of it, the
 * unit of 100 x minimum instead (so the minimum still shows as >= 0.01).
 *
 * Everything is linear in the stack references plus a sort of the nodes:
 * frame ids map to node indexes through an array, edges live in an
 * open-addressing hash keyed by (caller, callee).
 */
#include "render.h"
#include "report.h"
#include "text.h"
#include "units.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NODE_FRACTION 0.005     /* pprof -nodefraction default */
#define EDGE_FRACTION 0.001     /* pprof -edgefraction default */
#define NO_NODE UINT32_MAX

/* One function of the report.  stamp avoids counting a stack twice. */
struct top_node {
	uint32_t name;          /* strtab id of the node name */
	int64_t flat;           /* sum of stacks whose leaf is this node */
	int64_t cum;            /* sum of stacks containing this node */
	size_t stamp;           /* last stack (index + 1) that added cum */
	bool may_inline;        /* reached by an inline ref in some stack */
	bool in_graph;          /* takes part in the final graph's edges */
	bool shown;             /* printed as a row */
	bool in_inline;         /* has a kept inline in-edge */
	bool in_noinline;       /* has a kept non-inline in-edge */
};

/* A call edge of the final graph, kept only into may_inline nodes. */
struct top_edge {
	uint32_t src, dst;      /* node indexes */
	int64_t weight;         /* summed once per stack */
	size_t stamp;           /* last stack (index + 1) that added weight */
	bool is_inline;         /* every contributing stack was inline */
};

/* A shown node with its sort keys, so the comparison needs no context. */
struct top_row {
	int64_t abs_flat, abs_cum;
	struct pyro_str name;
	uint32_t node;
};

/* The whole computation; released by top_release(). */
struct top {
	const struct pyro_stacks *s;
	uint32_t *frame_node;   /* frame id -> node index */
	uint8_t *frame_flags;   /* frame id -> its node's FF_* bits */
	struct top_node *nodes;
	uint32_t nnodes;
	struct top_edge *edges;
	size_t nedges, edges_cap;
	uint32_t *edge_slots;   /* edge index + 1, 0 = empty */
	size_t edge_nslots;     /* power of two */
	struct top_row *rows;   /* shown nodes, in print order */
	uint32_t nrows;
	int64_t total;          /* sum of |value|: pprof's report total */
	int64_t flat_total;     /* signed sum of flats: the cutoffs' base */
	uint32_t dropped;       /* nodes under the node cutoff */
	const char *unit;       /* sample unit, never NULL */
	char out_unit[PYRO_LABEL_MAX];  /* selectOutputUnit's choice */
	bool cum_order;         /* top-cum.txt: rows by cum, not flat */
};

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

/* pprof's abs64(int64(float64(base) * fraction)). */
static int64_t cutoff(int64_t base, double fraction)
{
	return abs64((int64_t)((double)base * fraction));
}

/* The hot loops walk every frame reference of every stack and land on a
 * random node each time: they read small arrays (16-byte accumulators,
 * one byte of flags per frame) rather than the nodes, whose working set
 * would not stay in cache on a profile of 20,000 functions. */
#define FF_IN_GRAPH 1           /* the frame's node takes part in edges */
#define FF_MAY_INLINE 2         /* the frame's node may be inline */

struct top_acc {
	int64_t cum;
	uint32_t stamp;         /* last stack (index + 1) that added cum */
	uint32_t may_inline;
};

static void top_release(struct top *t)
{
	free(t->frame_node);
	free(t->frame_flags);
	free(t->nodes);
	free(t->edges);
	free(t->edge_slots);
	free(t->rows);
}

/* Give every distinct node name a node; map frames onto them. */
static int make_nodes(struct top *t)
{
	const struct pyro_stacks *s = t->s;
	uint32_t *by_str = NULL, i;
	int rc = -ENOMEM;

	t->frame_node = malloc((s->nframes ? s->nframes : 1) * sizeof(uint32_t));
	t->nodes = calloc(s->nframes ? s->nframes : 1, sizeof(*t->nodes));
	by_str = malloc((s->strs.count ? s->strs.count : 1) * sizeof(uint32_t));
	if (!t->frame_node || !t->nodes || !by_str)
		goto cleanup;
	memset(by_str, 0xff, (s->strs.count ? s->strs.count : 1) * sizeof(uint32_t));
	for (i = 0; i < s->nframes; i++) {
		uint32_t str = s->frames[i].node;

		if (by_str[str] == NO_NODE) {
			by_str[str] = t->nnodes;
			t->nodes[t->nnodes++].name = str;
		}
		t->frame_node[i] = by_str[str];
	}
	rc = 0;
cleanup:
	free(by_str);
	return rc;
}

/* Flat, cum and the flat sum, in one pass over the stacks. */
static int accumulate(struct top *t)
{
	const struct pyro_stacks *s = t->s;
	struct top_acc *acc = calloc(t->nnodes ? t->nnodes : 1, sizeof(*acc));
	const uint32_t *fn = t->frame_node;
	size_t i;
	uint32_t d;

	if (!acc)
		return -ENOMEM;
	for (i = 0; i < s->nstacks; i++) {
		const struct pyro_stack *st = &s->stacks[i];
		const uint32_t *refs = pyro_stack_refs(s, st);
		uint32_t stamp = (uint32_t)(i + 1);     /* nstacks < UINT32_MAX */

		if (st->value == 0 || st->depth == 0)
			continue;
		for (d = 0; d < st->depth; d++) {
			struct top_acc *a = &acc[fn[PYRO_REF_FRAME(refs[d])]];

			if (a->stamp != stamp) {
				a->stamp = stamp;
				a->cum += st->value;
			}
			if (refs[d] & PYRO_REF_INLINE)
				a->may_inline = 1;
		}
		t->nodes[fn[PYRO_REF_FRAME(refs[st->depth - 1])]].flat += st->value;
		t->flat_total += st->value;
	}
	for (d = 0; d < t->nnodes; d++) {
		t->nodes[d].cum = acc[d].cum;
		t->nodes[d].may_inline = acc[d].may_inline != 0;
	}
	free(acc);
	return 0;
}

/*
 * pprof's DiscardLowFrequencyNodes: nodes with all-zero values are not in
 * the graph at all; of the others, those under the cutoff are dropped and
 * the graph is rebuilt from the kept ones.  Without a rebuild the first
 * graph stays, whose edges involve every node.
 */
static void select_nodes(struct top *t)
{
	int64_t cut = cutoff(t->flat_total, NODE_FRACTION);
	uint32_t i;

	for (i = 0; i < t->nnodes; i++) {
		struct top_node *n = &t->nodes[i];
		bool present = n->cum != 0 || n->flat != 0;

		n->shown = present && (cut <= 0 || abs64(n->cum) >= cut);
		if (present && !n->shown)
			t->dropped++;
	}
	for (i = 0; i < t->nnodes; i++)
		t->nodes[i].in_graph = t->dropped ? t->nodes[i].shown : true;
}

static int flag_frames(struct top *t)
{
	uint32_t f;

	t->frame_flags = malloc(t->s->nframes ? t->s->nframes : 1);
	if (!t->frame_flags)
		return -ENOMEM;
	for (f = 0; f < t->s->nframes; f++) {
		const struct top_node *n = &t->nodes[t->frame_node[f]];

		t->frame_flags[f] = (n->in_graph ? FF_IN_GRAPH : 0) |
				    (n->may_inline ? FF_MAY_INLINE : 0);
	}
	return 0;
}

static uint64_t edge_hash(uint32_t src, uint32_t dst)
{
	uint64_t h = ((uint64_t)src << 32) | dst;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static int edges_rehash(struct top *t, size_t nslots)
{
	uint32_t *slots = calloc(nslots, sizeof(*slots));
	size_t i, j;

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < t->nedges; i++) {
		j = edge_hash(t->edges[i].src, t->edges[i].dst) & (nslots - 1);
		while (slots[j])
			j = (j + 1) & (nslots - 1);
		slots[j] = (uint32_t)(i + 1);
	}
	free(t->edge_slots);
	t->edge_slots = slots;
	t->edge_nslots = nslots;
	return 0;
}

/* Find or create the edge src -> dst; *e receives it, *created whether new. */
static int edge_get(struct top *t, uint32_t src, uint32_t dst,
		    struct top_edge **e, bool *created)
{
	size_t j;
	int rc;

	if (t->edge_nslots < 2 * (t->nedges + 1)) {
		rc = edges_rehash(t, t->edge_nslots ? 2 * t->edge_nslots : 1024);
		if (rc)
			return rc;
	}
	for (j = edge_hash(src, dst) & (t->edge_nslots - 1); t->edge_slots[j];
	     j = (j + 1) & (t->edge_nslots - 1)) {
		struct top_edge *x = &t->edges[t->edge_slots[j] - 1];

		if (x->src == src && x->dst == dst) {
			*e = x;
			*created = false;
			return 0;
		}
	}
	if (t->nedges == t->edges_cap) {
		int rc;

		if (t->nedges >= UINT32_MAX - 1)
			return -EOVERFLOW;
		rc = pyro_grow_array(&t->edges, &t->edges_cap, t->nedges + 1,
				     sizeof(*t->edges));
		if (rc)
			return rc;
	}
	*e = &t->edges[t->nedges++];
	memset(*e, 0, sizeof(**e));
	(*e)->src = src;
	(*e)->dst = dst;
	t->edge_slots[j] = (uint32_t)t->nedges;
	*created = true;
	return 0;
}

/* Add one stack's edges (once each) into nodes that may be inline. */
static int stack_edges(struct top *t, size_t idx)
{
	const struct pyro_stack *st = &t->s->stacks[idx];
	const uint32_t *refs = pyro_stack_refs(t->s, st);
	const uint8_t *ff = t->frame_flags;
	uint32_t parent = NO_NODE, d, n;
	struct top_edge *e;
	bool created, inl;
	int rc;

	/* Edges only go into nodes that may be inline: most stacks have
	 * none, and one byte per frame says so. */
	for (d = 0; d < st->depth; d++)
		if (ff[PYRO_REF_FRAME(refs[d])] == (FF_IN_GRAPH | FF_MAY_INLINE))
			break;
	if (d == st->depth)
		return 0;
	for (d = 0; d < st->depth; d++) {
		uint8_t fl = ff[PYRO_REF_FRAME(refs[d])];

		if (!(fl & FF_IN_GRAPH))
			continue;
		n = t->frame_node[PYRO_REF_FRAME(refs[d])];
		if (parent != NO_NODE && n != parent && (fl & FF_MAY_INLINE)) {
			rc = edge_get(t, parent, n, &e, &created);
			if (rc)
				return rc;
			inl = (refs[d] & PYRO_REF_INLINE) != 0;
			if (created || e->stamp != idx + 1) {
				e->is_inline = created ? inl : e->is_inline && inl;
				e->stamp = idx + 1;
				e->weight += st->value;
			}
		}
		parent = n;
	}
	return 0;
}

/* Build the final graph's edges, trim light ones, mark inline nodes. */
static int mark_inline(struct top *t)
{
	int64_t cut = cutoff(t->flat_total, EDGE_FRACTION);
	size_t i;
	int rc;

	for (i = 0; i < t->s->nstacks; i++) {
		if (t->s->stacks[i].value == 0)
			continue;
		rc = stack_edges(t, i);
		if (rc)
			return rc;
	}
	for (i = 0; i < t->nedges; i++) {
		const struct top_edge *e = &t->edges[i];

		if (abs64(e->weight) < cut)
			continue;
		if (e->is_inline)
			t->nodes[e->dst].in_inline = true;
		else
			t->nodes[e->dst].in_noinline = true;
	}
	return 0;
}

/* pprof's FlatNameOrder: |flat| desc, name asc (bytewise), |cum| desc. */
static int row_cmp(const void *pa, const void *pb)
{
	const struct top_row *x = pa, *y = pb;
	uint32_t len = x->name.len < y->name.len ? x->name.len : y->name.len;
	int c;

	if (x->abs_flat != y->abs_flat)
		return x->abs_flat > y->abs_flat ? -1 : 1;
	c = memcmp(x->name.ptr, y->name.ptr, len);
	if (c)
		return c;
	if (x->name.len != y->name.len)
		return x->name.len < y->name.len ? -1 : 1;
	if (x->abs_cum != y->abs_cum)
		return x->abs_cum > y->abs_cum ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

/* pprof's CumNameOrder: |cum| desc, name asc (bytewise), |flat| desc. */
static int row_cmp_cum(const void *pa, const void *pb)
{
	const struct top_row *x = pa, *y = pb;
	struct top_row a = *x, b = *y;

	if (x->abs_cum != y->abs_cum)
		return x->abs_cum > y->abs_cum ? -1 : 1;
	/* The rest is FlatNameOrder's with flat and cum swapped. */
	a.abs_flat = x->abs_cum;
	a.abs_cum = x->abs_flat;
	b.abs_flat = y->abs_cum;
	b.abs_cum = y->abs_flat;
	return row_cmp(&a, &b);
}

static int sort_rows(struct top *t)
{
	uint32_t i;

	t->rows = malloc((t->nnodes ? t->nnodes : 1) * sizeof(*t->rows));
	if (!t->rows)
		return -ENOMEM;
	for (i = 0; i < t->nnodes; i++) {
		const struct top_node *n = &t->nodes[i];
		struct top_row *r = &t->rows[t->nrows];

		if (!n->shown)
			continue;
		r->abs_flat = abs64(n->flat);
		r->abs_cum = abs64(n->cum);
		r->name = pyro_strtab_get(&t->s->strs, n->name);
		r->node = i;
		t->nrows++;
	}
	qsort(t->rows, t->nrows, sizeof(*t->rows),
	      t->cum_order ? row_cmp_cum : row_cmp);
	return 0;
}

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

/* pprof's selectOutputUnit; "minimum" when no node is shown. */
static void select_unit(struct top *t)
{
	int64_t min = 0, v;
	uint32_t i;

	strcpy(t->out_unit, "minimum");
	if (!t->nrows)
		return;
	for (i = 0; i < t->nrows; i++) {
		const struct top_node *n = &t->nodes[t->rows[i].node];

		v = n->flat ? abs64(n->flat) : abs64(n->cum);
		if (v > 0 && (min == 0 || v < min))
			min = v;
	}
	pyro_report_output_unit(t->unit, min, t->total, t->out_unit);
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

static void format_value(const struct top *t, char dst[PYRO_LABEL_MAX],
			 int64_t v)
{
	pyro_unit_label(dst, v, t->unit, t->out_unit);
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

/* "Duration: D, Total samples = T (R%)"; no ratio unless T is a time. */
static int put_duration(const struct top *t, struct pyro_buf *out)
{
	const struct pyro_meta *m = &t->s->meta;
	char dur[PYRO_LABEL_MAX], tot[PYRO_LABEL_MAX], pct[PYRO_LABEL_MAX];
	const char *unit;
	double ns = pyro_unit_scale(t->total, t->unit, "nanoseconds", &unit);

	pyro_unit_label(dur, m->duration_nanos, "nanoseconds", "auto");
	format_value(t, tot, t->total);
	if (strcmp(unit, "ns") || ns == 0)
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
static int put_profile_labels(const struct top *t, struct pyro_buf *out)
{
	const struct pyro_meta *m = &t->s->meta;
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
		rc = put_duration(t, out);
	return rc;
}

int pyro_report_profile_labels(const struct pyro_stacks *s, int64_t total,
			       const char *out_unit, struct pyro_buf *out)
{
	struct top t = { .s = s, .total = total };

	t.unit = s->meta.sample_unit ? s->meta.sample_unit : "";
	snprintf(t.out_unit, sizeof(t.out_unit), "%s", out_unit);
	return put_profile_labels(&t, out);
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

/* Header lines down to and including the column titles. */
static int put_header(const struct top *t, struct pyro_buf *out)
{
	const struct pyro_meta *m = &t->s->meta;
	char shown[PYRO_LABEL_MAX], pct[PYRO_LABEL_MAX], tot[PYRO_LABEL_MAX];
	const char *p;
	int64_t shown_total = 0;
	uint32_t i;
	int rc;

	rc = put_profile_labels(t, out);
	if (!rc && m->rule != PYRO_MERGE_SINGLE)
		rc = pyro_buf_printf(out, "Merge: %s of %u snapshot%s\n",
				     pyro_merge_rule_name(m->rule), m->nsnapshots,
				     m->nsnapshots == 1 ? "" : "s");
	if (!rc && (m->filter || m->name_filters))
		rc = pyro_report_filter(m, out);
	for (i = 0; i < t->nrows; i++)
		shown_total += t->nodes[t->rows[i].node].flat;
	format_value(t, shown, shown_total);
	format_value(t, tot, t->total);
	pyro_percentage(pct, shown_total, t->total);
	for (p = pct; *p == ' '; p++)
		;
	if (!rc)
		rc = pyro_buf_printf(out, "Showing nodes accounting for %s, %s of %s total\n",
				     shown, p, tot);
	if (!rc && t->total != 0 && t->dropped > 0) {
		format_value(t, tot, cutoff(t->total, NODE_FRACTION));
		rc = pyro_buf_printf(out, "Dropped %u node%s (cum <= %s)\n",
				     t->dropped, t->dropped > 1 ? "s" : "", tot);
	}
	if (!rc)
		rc = pyro_buf_puts(out, "      flat  flat%   sum%        cum   cum%\n");
	return rc;
}

/* Append the NULL-terminated list of strings. */
static int put_strs(struct pyro_buf *out, const char *first, ...)
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

static int put_row(const struct top *t, struct pyro_buf *out,
		   const struct top_node *n, int64_t flat_sum)
{
	char flat[PYRO_LABEL_MAX], cum[PYRO_LABEL_MAX];
	char pf[PYRO_LABEL_MAX], ps[PYRO_LABEL_MAX], pc[PYRO_LABEL_MAX];
	struct pyro_str name = pyro_strtab_get(&t->s->strs, n->name);
	int rc;

	format_value(t, flat, n->flat);
	format_value(t, cum, n->cum);
	pyro_percentage(pf, n->flat, t->total);
	pyro_percentage(ps, flat_sum, t->total);
	pyro_percentage(pc, n->cum, t->total);
	/* Plain appends: a report has thousands of rows, and printf's
	 * format parsing was a visible part of rendering one. */
	rc = pyro_put_padded(out, flat, 10);
	if (!rc)
		rc = put_strs(out, " ", pf, " ", ps, " ", NULL);
	if (!rc)
		rc = pyro_put_padded(out, cum, 10);
	if (!rc)
		rc = put_strs(out, " ", pc, "  ", NULL);
	if (!rc)
		rc = pyro_buf_add(out, name.ptr, name.len);
	if (!rc && n->in_inline)
		rc = pyro_buf_puts(out, n->in_noinline ? " (partial-inline)" : " (inline)");
	return rc ? rc : pyro_buf_putc(out, '\n');
}

static int put_report(const struct top *t, struct pyro_buf *out)
{
	int64_t flat_sum = 0;
	uint32_t i;
	int rc;

	rc = put_header(t, out);
	for (i = 0; !rc && i < t->nrows; i++) {
		const struct top_node *n = &t->nodes[t->rows[i].node];

		flat_sum += n->flat;
		rc = put_row(t, out, n, flat_sum);
	}
	return rc;
}

static int top_render(const struct pyro_stacks *s, bool cum_order,
		      struct pyro_buf *out)
{
	struct top t = { .s = s, .cum_order = cum_order };
	size_t start = out->len;
	int rc;

	t.unit = s->meta.sample_unit ? s->meta.sample_unit : "";
	rc = pyro_stacks_percent_total(s, &t.total);
	if (!rc)
		rc = make_nodes(&t);
	if (rc)
		goto cleanup;
	rc = accumulate(&t);
	if (rc)
		goto cleanup;
	select_nodes(&t);
	rc = flag_frames(&t);
	if (!rc)
		rc = mark_inline(&t);
	if (!rc)
		rc = sort_rows(&t);
	if (rc)
		goto cleanup;
	select_unit(&t);
	rc = put_report(&t, out);
cleanup:
	if (rc)
		pyro_buf_truncate(out, start);  /* as it was (render.h) */
	top_release(&t);
	return rc;
}

int pyro_top_render(const struct pyro_stacks *s, struct pyro_buf *out)
{
	return top_render(s, false, out);
}

int pyro_top_cum_render(const struct pyro_stacks *s, struct pyro_buf *out)
{
	return top_render(s, true, out);
}

/* ---- peek.txt ------------------------------------------------------------------ */

/* The call edges into (in) or out of the peeked node, one slot per other
 * node; an edge exists once a stack has added it. */
struct peek_side {
	int64_t *weight;
	uint32_t *stamp;        /* last stack (index + 1) that added it */
	uint8_t *state;         /* 0 none, 1 inline so far, 2 not inline */
	uint32_t *order;        /* the edges, sorted for printing */
	uint32_t n;
};

struct peek {
	struct top t;
	uint32_t target;
	struct peek_side in, out;
};

static int side_init(struct peek_side *e, uint32_t nnodes)
{
	size_t n = nnodes ? nnodes : 1;

	e->weight = calloc(n, sizeof(*e->weight));
	e->stamp = calloc(n, sizeof(*e->stamp));
	e->state = calloc(n, 1);
	e->order = malloc(n * sizeof(*e->order));
	return e->weight && e->stamp && e->state && e->order ? 0 : -ENOMEM;
}

static void side_release(struct peek_side *e)
{
	free(e->weight);
	free(e->stamp);
	free(e->state);
	free(e->order);
}

/* Add the edge to or from `other` for stack `stamp`, once per stack, as
 * pprof's graph adds a (caller, callee) pair. */
static void side_add(struct peek_side *e, uint32_t other, uint32_t stamp,
		     int64_t value, int is_inline)
{
	if (e->stamp[other] == stamp)
		return;
	e->stamp[other] = stamp;
	e->weight[other] += value;
	if (!e->state[other])
		e->state[other] = is_inline ? 1 : 2;
	else if (!is_inline)
		e->state[other] = 2;
}

static void peek_edges(struct peek *p)
{
	const struct pyro_stacks *s = p->t.s;
	const uint32_t *fn = p->t.frame_node;
	size_t i;
	uint32_t d;

	for (i = 0; i < s->nstacks; i++) {
		const struct pyro_stack *st = &s->stacks[i];
		const uint32_t *refs = pyro_stack_refs(s, st);
		uint32_t stamp = (uint32_t)(i + 1), parent = NO_NODE;

		if (st->value == 0 || st->depth == 0)
			continue;
		for (d = 0; d < st->depth; d++) {
			uint32_t n = fn[PYRO_REF_FRAME(refs[d])];
			int inl = (refs[d] & PYRO_REF_INLINE) != 0;

			if (parent != NO_NODE && n != parent) {
				if (n == p->target)
					side_add(&p->in, parent, stamp, st->value, inl);
				else if (parent == p->target)
					side_add(&p->out, n, stamp, st->value, inl);
			}
			parent = n;
		}
	}
}

struct edge_sort {
	const struct peek *p;
	const struct peek_side *e;
};

/* pprof's edgeList order: |weight| desc, then the other end's name (the
 * peeked end is the same for all). */
static int edge_cmp(const void *a, const void *b, void *ctx)
{
	const struct edge_sort *es = ctx;
	const struct peek *p = es->p;
	const struct peek_side *e = es->e;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int64_t wx = abs64(e->weight[x]), wy = abs64(e->weight[y]);
	struct pyro_str nx, ny;
	int c;

	if (wx != wy)
		return wx > wy ? -1 : 1;
	nx = pyro_strtab_get(&p->t.s->strs, p->t.nodes[x].name);
	ny = pyro_strtab_get(&p->t.s->strs, p->t.nodes[y].name);
	c = memcmp(nx.ptr, ny.ptr, nx.len < ny.len ? nx.len : ny.len);
	return c ? c : (nx.len > ny.len) - (nx.len < ny.len);
}

static void side_sort(struct peek *p, struct peek_side *e)
{
	struct edge_sort es = { p, e };
	uint32_t i;

	e->n = 0;
	for (i = 0; i < p->t.nnodes; i++)
		if (e->state[i])
			e->order[e->n++] = i;
	qsort_r(e->order, e->n, sizeof(*e->order), edge_cmp, &es);
}

static int put_edges(const struct peek *p, const struct peek_side *e,
		     struct pyro_buf *out)
{
	const struct top_node *target = &p->t.nodes[p->target];
	char w[PYRO_LABEL_MAX], pct[PYRO_LABEL_MAX];
	uint32_t i;
	int rc = 0;

	for (i = 0; i < e->n && !rc; i++) {
		uint32_t o = e->order[i];
		struct pyro_str name = pyro_strtab_get(&p->t.s->strs,
						       p->t.nodes[o].name);

		format_value(&p->t, w, e->weight[o]);
		pyro_percentage(pct, e->weight[o], target->cum);
		rc = pyro_put_padded(out, w, 50);
		if (!rc)
			rc = put_strs(out, " ", pct, " |   ", NULL);
		if (!rc)
			rc = pyro_buf_add(out, name.ptr, name.len);
		if (!rc && e->state[o] == 1)
			rc = pyro_buf_puts(out, " (inline)");
		if (!rc)
			rc = pyro_buf_putc(out, '\n');
	}
	return rc;
}

#define PEEK_SEPARATOR "----------------------------------------------------------+-------------\n"
#define PEEK_LEGEND "      flat  flat%   sum%        cum   cum%   calls calls% + context \t \t \n"

static int put_peek(const struct peek *p, struct pyro_buf *out)
{
	const struct top *t = &p->t;
	const struct pyro_meta *m = &t->s->meta;
	const struct top_node *n = &t->nodes[p->target];
	char shown[PYRO_LABEL_MAX], pct[PYRO_LABEL_MAX], tot[PYRO_LABEL_MAX];
	char flat[PYRO_LABEL_MAX], cum[PYRO_LABEL_MAX], pf[PYRO_LABEL_MAX];
	char pc[PYRO_LABEL_MAX];
	struct pyro_str name = pyro_strtab_get(&t->s->strs, n->name);
	const char *q;
	int rc;

	rc = put_profile_labels(t, out);
	if (!rc && m->rule != PYRO_MERGE_SINGLE)
		rc = pyro_buf_printf(out, "Merge: %s of %u snapshot%s\n",
				     pyro_merge_rule_name(m->rule), m->nsnapshots,
				     m->nsnapshots == 1 ? "" : "s");
	if (!rc && (m->filter || m->name_filters))
		rc = pyro_report_filter(m, out);
	format_value(t, shown, t->flat_total);
	format_value(t, tot, t->total);
	pyro_percentage(pct, t->flat_total, t->total);
	for (q = pct; *q == ' '; q++)
		;
	if (!rc)
		rc = pyro_buf_printf(out, "Showing nodes accounting for %s, %s of %s total\n",
				     shown, q, tot);
	if (!rc)
		rc = put_strs(out, PEEK_SEPARATOR, PEEK_LEGEND, PEEK_SEPARATOR, NULL);
	if (!rc)
		rc = put_edges(p, &p->in, out);
	format_value(t, flat, n->flat);
	format_value(t, cum, n->cum);
	pyro_percentage(pf, n->flat, t->total);
	pyro_percentage(pc, n->cum, t->total);
	if (!rc)
		rc = pyro_put_padded(out, flat, 10);
	/* sum% of the one node printed is its own flat% */
	if (!rc)
		rc = put_strs(out, " ", pf, " ", pf, " ", NULL);
	if (!rc)
		rc = pyro_put_padded(out, cum, 10);
	if (!rc)
		rc = put_strs(out, " ", pc, "                | ", NULL);
	if (!rc)
		rc = pyro_buf_add(out, name.ptr, name.len);
	if (!rc)
		rc = pyro_buf_putc(out, '\n');
	if (!rc)
		rc = put_edges(p, &p->out, out);
	return rc ? rc : pyro_buf_puts(out, PEEK_SEPARATOR);
}

int pyro_peek_render(const struct pyro_stacks *s, const char *name,
		     size_t len, struct pyro_buf *out)
{
	struct peek p = { .t = { .s = s }, .target = NO_NODE };
	size_t start = out->len;
	uint32_t i;
	int rc;

	p.t.unit = s->meta.sample_unit ? s->meta.sample_unit : "";
	rc = pyro_stacks_percent_total(s, &p.t.total);
	if (!rc)
		rc = make_nodes(&p.t);
	if (!rc)
		rc = accumulate(&p.t);
	for (i = 0; !rc && i < p.t.nnodes; i++) {
		struct pyro_str nm = pyro_strtab_get(&s->strs, p.t.nodes[i].name);

		if (nm.len == len && !memcmp(nm.ptr, name, len))
			p.target = i;
	}
	if (!rc && p.target == NO_NODE)
		rc = -ENOENT;
	if (!rc)
		rc = side_init(&p.in, p.t.nnodes);
	if (!rc)
		rc = side_init(&p.out, p.t.nnodes);
	/* No trimming (pprof's peek): every node takes part, and the unit
	 * is chosen over all of them. */
	p.t.rows = rc ? NULL : malloc((p.t.nnodes ? p.t.nnodes : 1) *
				      sizeof(*p.t.rows));
	if (!rc && !p.t.rows)
		rc = -ENOMEM;
	if (rc)
		goto cleanup;
	for (i = 0; i < p.t.nnodes; i++)
		p.t.rows[i].node = i;
	p.t.nrows = p.t.nnodes;
	select_unit(&p.t);
	peek_edges(&p);
	side_sort(&p, &p.in);
	side_sort(&p, &p.out);
	rc = put_peek(&p, out);
cleanup:
	if (rc)
		pyro_buf_truncate(out, start);
	side_release(&p.in);
	side_release(&p.out);
	top_release(&p.t);
	return rc;
}
