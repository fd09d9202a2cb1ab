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
 * frame ids map to node indexes through an array, edges are found by
 * (caller, callee) through report.h's edge index.
 *
 * The function graph (nodes, flat, cum) is shared with peek.txt (peek.c,
 * through top_priv.h); the header lines are report.c's.
 */
#include "render.h"
#include "report.h"
#include "top_priv.h"
#include "units.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_NODE PYRO_TOP_NO_NODE

/* A call edge of the final graph, kept only into may_inline nodes. */
struct top_edge {
	uint32_t src, dst;      /* node indexes */
	int64_t weight;         /* summed once per stack */
	size_t stamp;           /* last stack (index + 1) that added weight */
	bool is_inline;         /* every contributing stack was inline */
};

/* The hot loops walk every frame reference of every stack and land on a
 * random node each time: they read small arrays (16-byte accumulators,
 * one word of node and flags per frame, one byte "edges may go into it")
 * rather than the nodes, whose working set would not stay in cache on a
 * profile of 20,000 functions. */
#define FK_IN_GRAPH 0x80000000u /* the frame's node takes part in edges */
#define FK_MAY_INLINE 0x40000000u /* the frame's node may be inline */
#define FK_EDGE (FK_IN_GRAPH | FK_MAY_INLINE)
#define FK_NODE 0x3fffffffu     /* the rest: the node index */

struct top_acc {
	int64_t cum;
	uint32_t stamp;         /* last stack (index + 1) that added cum */
	uint32_t may_inline;
};

/*
 * The two walks over every reference (flat and cum; the edges) are split
 * in two halves of the stacks when there are many: the second half on a
 * thread of its own, each half into its own accumulators and edges, then
 * added up.  Sums and "inline in every stack" do not depend on the order
 * in which stacks are taken, so the report is the same byte for byte; on
 * the 100,000-stack profile (3.2 million references) the walks were
 * 16 ms of a cold top.txt on one core while the other had nothing to do.
 * large.cpu (half a million) gained 0.15 ms of 1.2 and, when the other
 * core was busy, lost more waiting for it: it stays on one thread.
 */
#define SPLIT_MIN_REFS ((size_t)1 << 19)

struct top_pass {
	struct top *t;          /* read only while passes run */
	size_t from, to;        /* the stacks [from, to) */
	struct top_acc *acc;    /* accumulate: per node */
	int64_t *flat;          /* accumulate: per node */
	int64_t flat_total;
	struct top_edge *edges; /* mark_inline: this half's edges */
	size_t nedges, edges_cap;
	struct pyro_edge_index edge_ix;
	int (*walk)(struct top_pass *);
	int rc;
};

void pyro_top_release(struct top *t)
{
	free(t->frame_node);
	free(t->frame_key);
	free(t->frame_edge);
	free(t->nodes);
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

static void pass_release(struct top_pass *h)
{
	free(h->acc);
	free(h->flat);
	free(h->edges);
	pyro_edge_index_release(&h->edge_ix);
}

static void *pass_thread(void *arg)
{
	struct top_pass *h = arg;

	h->rc = h->walk(h);
	return NULL;
}

/* Run walk over all stacks: in two halves on two threads when there are
 * many references (h[1] empty otherwise).  If no thread can be started,
 * the caller walks both halves itself. */
static int run_passes(struct top *t, struct top_pass h[2],
		      int (*walk)(struct top_pass *))
{
	size_t n = t->s->nstacks;
	pthread_t tid;
	int threaded;

	memset(h, 0, 2 * sizeof(*h));
	h[0].t = h[1].t = t;
	h[0].walk = h[1].walk = walk;
	h[0].to = n;
	if (t->s->nrefs >= SPLIT_MIN_REFS && n >= 2) {
		h[0].to = h[1].from = n / 2;
		h[1].to = n;
	}
	threaded = h[1].to > h[1].from &&
		   pthread_create(&tid, NULL, pass_thread, &h[1]) == 0;
	h[0].rc = walk(&h[0]);
	if (threaded)
		pthread_join(tid, NULL);
	else if (h[1].to > h[1].from)
		h[1].rc = walk(&h[1]);
	return h[0].rc ? h[0].rc : h[1].rc;
}

/* Flat, cum and the flat sum of one pass's stacks. */
static int accumulate_walk(struct top_pass *h)
{
	const struct pyro_stacks *s = h->t->s;
	const uint32_t *fn = h->t->frame_node;
	size_t i, nn = h->t->nnodes ? h->t->nnodes : 1;
	uint32_t d;

	h->acc = calloc(nn, sizeof(*h->acc));
	h->flat = calloc(nn, sizeof(*h->flat));
	if (!h->acc || !h->flat)
		return -ENOMEM;
	for (i = h->from; i < h->to; i++) {
		const struct pyro_stack *st = &s->stacks[i];
		const uint32_t *refs = pyro_stack_refs(s, st);
		uint32_t stamp = (uint32_t)(i + 1);     /* nstacks < UINT32_MAX */

		if (st->value == 0 || st->depth == 0)
			continue;
		for (d = 0; d < st->depth; d++) {
			struct top_acc *a = &h->acc[fn[PYRO_REF_FRAME(refs[d])]];

			if (a->stamp != stamp) {
				a->stamp = stamp;
				a->cum += st->value;
			}
			if (refs[d] & PYRO_REF_INLINE)
				a->may_inline = 1;
		}
		h->flat[fn[PYRO_REF_FRAME(refs[st->depth - 1])]] += st->value;
		h->flat_total += st->value;
	}
	return 0;
}

/* Flat, cum and the flat sum, in one pass over the stacks (two halves). */
static int accumulate(struct top *t)
{
	struct top_pass h[2];
	uint32_t d;
	int rc = run_passes(t, h, accumulate_walk);

	for (d = 0; !rc && d < t->nnodes; d++) {
		struct top_node *n = &t->nodes[d];

		n->cum = h[0].acc[d].cum;
		n->flat = h[0].flat[d];
		n->may_inline = h[0].acc[d].may_inline != 0;
		if (h[1].acc) {
			n->cum += h[1].acc[d].cum;
			n->flat += h[1].flat[d];
			n->may_inline |= h[1].acc[d].may_inline != 0;
		}
	}
	t->flat_total = h[0].flat_total + h[1].flat_total;
	pass_release(&h[0]);
	pass_release(&h[1]);
	return rc;
}

int pyro_top_graph(const struct pyro_stacks *s, struct top *t)
{
	int rc;

	t->s = s;
	t->unit = s->meta.sample_unit ? s->meta.sample_unit : "";
	rc = pyro_stacks_percent_total(s, &t->total);
	if (!rc)
		rc = make_nodes(t);
	return rc ? rc : accumulate(t);
}

/*
 * pprof's DiscardLowFrequencyNodes: nodes with all-zero values are not in
 * the graph at all; of the others, those under the cutoff are dropped and
 * the graph is rebuilt from the kept ones.  Without a rebuild the first
 * graph stays, whose edges involve every node.
 */
static void select_nodes(struct top *t)
{
	int64_t cut = pyro_report_cutoff(t->flat_total, PYRO_NODE_FRACTION);
	uint32_t i;

	for (i = 0; i < t->nnodes; i++) {
		struct top_node *n = &t->nodes[i];
		bool present = n->cum != 0 || n->flat != 0;

		n->shown = present && (cut <= 0 || pyro_abs64(n->cum) >= cut);
		if (present && !n->shown)
			t->dropped++;
	}
	for (i = 0; i < t->nnodes; i++)
		t->nodes[i].in_graph = t->dropped ? t->nodes[i].shown : true;
}

static int flag_frames(struct top *t)
{
	uint32_t f;

	/* The node index shares the word with the flags. */
	if (t->nnodes > FK_NODE)
		return -EOVERFLOW;
	t->frame_key = malloc((t->s->nframes ? t->s->nframes : 1) * sizeof(uint32_t));
	if (!t->frame_key)
		return -ENOMEM;
	t->frame_edge = malloc(t->s->nframes ? t->s->nframes : 1);
	if (!t->frame_edge)
		return -ENOMEM;
	for (f = 0; f < t->s->nframes; f++) {
		const struct top_node *n = &t->nodes[t->frame_node[f]];

		t->frame_key[f] = t->frame_node[f] |
				  (n->in_graph ? FK_IN_GRAPH : 0) |
				  (n->may_inline ? FK_MAY_INLINE : 0);
		t->frame_edge[f] = (t->frame_key[f] & FK_EDGE) == FK_EDGE;
	}
	return 0;
}

/* The edge src -> dst of pass h (created empty if new); *created
 * whether it was. */
static int edge_get(struct top_pass *h, uint32_t src, uint32_t dst,
		    struct top_edge **e, bool *created)
{
	uint32_t k;
	int rc = pyro_edge_index_get(&h->edge_ix, src, dst, &k, created);

	if (rc)
		return rc;
	if (*created) {
		rc = pyro_grow_array(&h->edges, &h->edges_cap, (size_t)k + 1,
				     sizeof(*h->edges));
		if (rc)
			return rc;
		memset(&h->edges[k], 0, sizeof(h->edges[k]));
		h->edges[k].src = src;
		h->edges[k].dst = dst;
		h->nedges = (size_t)k + 1;
	}
	*e = &h->edges[k];
	return 0;
}

/* Fold value into e (just created, or not): weights add up, and an edge
 * is inline only if inline everywhere it was seen. */
static void edge_fold(struct top_edge *e, bool created, bool inl, int64_t value)
{
	e->is_inline = created ? inl : e->is_inline && inl;
	e->weight += value;
}

/* Add stack idx's weight to the edge src -> dst, once per stack. */
static int add_edge(struct top_pass *h, uint32_t src, uint32_t dst, bool inl,
		    size_t idx, int64_t value)
{
	struct top_edge *e;
	bool created;
	int rc = edge_get(h, src, dst, &e, &created);

	if (rc)
		return rc;
	if (created || e->stamp != idx + 1) {
		edge_fold(e, created, inl, value);
		e->stamp = idx + 1;
	}
	return 0;
}

/* Add one stack's edges (once each) into nodes that may be inline.  The
 * parent is the nearest caller in the graph; frames of dropped nodes are
 * skipped.  One word per frame holds its node and flags, and the parent
 * moves without a branch: this walks every reference of every stack. */
static int stack_edges(struct top_pass *h, size_t idx)
{
	const struct top *t = h->t;
	const struct pyro_stack *st = &t->s->stacks[idx];
	const uint32_t *refs = pyro_stack_refs(t->s, st);
	const uint32_t *fk = t->frame_key;
	uint32_t parent = NO_NODE, d, in;
	int rc;

	/* Most stacks of a profile with few inline functions have no
	 * edge to add: a byte per frame (in L1 where a word per frame is
	 * not) says so quickly. */
	for (d = 0; d < st->depth; d++)
		if (t->frame_edge[PYRO_REF_FRAME(refs[d])])
			break;
	if (d == st->depth)
		return 0;
	for (d = 0; d < st->depth; d++) {
		uint32_t k = fk[PYRO_REF_FRAME(refs[d])], n = k & FK_NODE;

		if ((k & FK_EDGE) == FK_EDGE && parent != NO_NODE && n != parent) {
			rc = add_edge(h, parent, n, (refs[d] & PYRO_REF_INLINE) != 0,
				      idx, st->value);
			if (rc)
				return rc;
		}
		/* parent = in graph ? n : parent, as arithmetic: compilers
		 * made a branch of it, which mispredicted. */
		in = 0u - (k >> 31);
		parent = (n & in) | (parent & ~in);
	}
	return 0;
}

static int edges_walk(struct top_pass *h)
{
	size_t i;
	int rc;

	for (i = h->from; i < h->to; i++) {
		if (h->t->s->stacks[i].value == 0)
			continue;
		rc = stack_edges(h, i);
		if (rc)
			return rc;
	}
	return 0;
}

/* The second half's edges into the first's: weights add up, an edge is
 * inline if it is in both. */
static int merge_edges(struct top_pass *into, const struct top_pass *from)
{
	size_t i;
	int rc;

	for (i = 0; i < from->nedges; i++) {
		const struct top_edge *f = &from->edges[i];
		struct top_edge *e;
		bool created;

		rc = edge_get(into, f->src, f->dst, &e, &created);
		if (rc)
			return rc;
		edge_fold(e, created, f->is_inline, f->weight);
	}
	return 0;
}

/* Build the final graph's edges, trim light ones, mark inline nodes. */
static int mark_inline(struct top *t)
{
	int64_t cut = pyro_report_cutoff(t->flat_total, PYRO_EDGE_FRACTION);
	struct top_pass h[2];
	size_t i;
	int rc = run_passes(t, h, edges_walk);

	if (!rc)
		rc = merge_edges(&h[0], &h[1]);
	for (i = 0; !rc && i < h[0].nedges; i++) {
		const struct top_edge *e = &h[0].edges[i];

		if (pyro_abs64(e->weight) < cut)
			continue;
		if (e->is_inline)
			t->nodes[e->dst].in_inline = true;
		else
			t->nodes[e->dst].in_noinline = true;
	}
	pass_release(&h[0]);
	pass_release(&h[1]);
	return rc;
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
		r->abs_flat = pyro_abs64(n->flat);
		r->abs_cum = pyro_abs64(n->cum);
		r->name = pyro_strtab_get(&t->s->strs, n->name);
		r->node = i;
		t->nrows++;
	}
	qsort(t->rows, t->nrows, sizeof(*t->rows),
	      t->cum_order ? row_cmp_cum : row_cmp);
	return 0;
}

void pyro_top_select_unit(struct top *t)
{
	int64_t min = 0, v;
	uint32_t i;

	strcpy(t->out_unit, "minimum");
	for (i = 0; i < t->nrows; i++) {
		const struct top_node *n = &t->nodes[t->rows[i].node];

		v = n->flat ? pyro_abs64(n->flat) : pyro_abs64(n->cum);
		if (v > 0 && (min == 0 || v < min))
			min = v;
	}
	if (t->nrows)
		pyro_report_output_unit(t->unit, min, t->total, t->out_unit);
	pyro_unit_conv_init(&t->conv, t->unit, t->out_unit);
}

/* Header lines down to and including the column titles. */
static int put_header(const struct top *t, struct pyro_buf *out)
{
	char tot[PYRO_LABEL_MAX];
	int64_t shown_total = 0;
	uint32_t i;
	int rc;

	for (i = 0; i < t->nrows; i++)
		shown_total += t->nodes[t->rows[i].node].flat;
	rc = pyro_report_head(t->s, t->total, t->out_unit, shown_total, out);
	if (!rc && t->total != 0 && t->dropped > 0) {
		pyro_top_value(t, tot, pyro_report_cutoff(t->total, PYRO_NODE_FRACTION));
		rc = pyro_buf_printf(out, "Dropped %u node%s (cum <= %s)\n",
				     t->dropped, t->dropped > 1 ? "s" : "", tot);
	}
	if (!rc)
		rc = pyro_buf_puts(out, "      flat  flat%   sum%        cum   cum%\n");
	return rc;
}

static int put_row(const struct top *t, struct pyro_buf *out,
		   const struct top_node *n, int64_t flat_sum)
{
	char flat[PYRO_LABEL_MAX], cum[PYRO_LABEL_MAX];
	char pf[PYRO_LABEL_MAX], ps[PYRO_LABEL_MAX], pc[PYRO_LABEL_MAX];
	struct pyro_str name = pyro_strtab_get(&t->s->strs, n->name);
	int rc;

	pyro_top_value(t, flat, n->flat);
	pyro_top_value(t, cum, n->cum);
	pyro_percentage(pf, n->flat, t->total);
	pyro_percentage(ps, flat_sum, t->total);
	pyro_percentage(pc, n->cum, t->total);
	/* Plain appends: a report has thousands of rows, and printf's
	 * format parsing was a visible part of rendering one. */
	rc = pyro_put_padded(out, flat, 10);
	if (!rc)
		rc = pyro_put_strs(out, " ", pf, " ", ps, " ", NULL);
	if (!rc)
		rc = pyro_put_padded(out, cum, 10);
	if (!rc)
		rc = pyro_put_strs(out, " ", pc, "  ", NULL);
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
	struct top t = { .cum_order = cum_order };
	size_t start = out->len;
	int rc;

	rc = pyro_top_graph(s, &t);
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
	pyro_top_select_unit(&t);
	rc = put_report(&t, out);
cleanup:
	if (rc)
		pyro_buf_truncate(out, start);  /* as it was (render.h) */
	pyro_top_release(&t);
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
