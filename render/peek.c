/*
 * peek.c - peek.txt: `pprof -peek '^name$'` of one function, computed from
 * stacks: its callers and callees, each with the weight of the call edge.
 *
 * The graph is top.c's (top_priv.h): nodes are functions with their flat
 * and cum.  Unlike top.txt, pprof's peek trims nothing: every node takes
 * part and the output unit is chosen over all of them.  An edge caller ->
 * callee is added once per stack, between consecutive frames of different
 * nodes (no frame is dropped, so no edge is residual), and it is "(inline)"
 * when every stack adding it reached the callee as an inlined line of the
 * caller's location.  Edges are printed by |weight| desc, then the other
 * end's name.
 *
 * Only the peeked node's edges matter, so they are kept in two arrays
 * indexed by the other node (one for callers, one for callees): linear in
 * the stack references, no hash.
 */
#include "render.h"
#include "report.h"
#include "top_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
		uint32_t stamp = (uint32_t)(i + 1), parent = PYRO_TOP_NO_NODE;

		if (st->value == 0 || st->depth == 0)
			continue;
		for (d = 0; d < st->depth; d++) {
			uint32_t n = fn[PYRO_REF_FRAME(refs[d])];
			int inl = (refs[d] & PYRO_REF_INLINE) != 0;

			if (parent != PYRO_TOP_NO_NODE && n != parent) {
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
	int64_t wx = pyro_abs64(e->weight[x]), wy = pyro_abs64(e->weight[y]);
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

		pyro_top_value(&p->t, w, e->weight[o]);
		pyro_percentage(pct, e->weight[o], target->cum);
		rc = pyro_put_padded(out, w, 50);
		if (!rc)
			rc = pyro_put_strs(out, " ", pct, " |   ", NULL);
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
	const struct top_node *n = &t->nodes[p->target];
	char flat[PYRO_LABEL_MAX], cum[PYRO_LABEL_MAX], pf[PYRO_LABEL_MAX];
	char pc[PYRO_LABEL_MAX];
	struct pyro_str name = pyro_strtab_get(&t->s->strs, n->name);
	int rc;

	rc = pyro_report_head(t->s, t->total, t->out_unit, t->flat_total, out);
	if (!rc)
		rc = pyro_put_strs(out, PEEK_SEPARATOR, PEEK_LEGEND, PEEK_SEPARATOR, NULL);
	if (!rc)
		rc = put_edges(p, &p->in, out);
	pyro_top_value(t, flat, n->flat);
	pyro_top_value(t, cum, n->cum);
	pyro_percentage(pf, n->flat, t->total);
	pyro_percentage(pc, n->cum, t->total);
	if (!rc)
		rc = pyro_put_padded(out, flat, 10);
	/* sum% of the one node printed is its own flat% */
	if (!rc)
		rc = pyro_put_strs(out, " ", pf, " ", pf, " ", NULL);
	if (!rc)
		rc = pyro_put_padded(out, cum, 10);
	if (!rc)
		rc = pyro_put_strs(out, " ", pc, "                | ", NULL);
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
	struct peek p = { .target = PYRO_TOP_NO_NODE };
	size_t start = out->len;
	uint32_t i;
	int rc;

	rc = pyro_top_graph(s, &p.t);
	for (i = 0; !rc && i < p.t.nnodes; i++) {
		struct pyro_str nm = pyro_strtab_get(&s->strs, p.t.nodes[i].name);

		if (nm.len == len && !memcmp(nm.ptr, name, len))
			p.target = i;
	}
	if (!rc && p.target == PYRO_TOP_NO_NODE)
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
	pyro_top_select_unit(&p.t);
	peek_edges(&p);
	side_sort(&p, &p.in);
	side_sort(&p, &p.out);
	rc = put_peek(&p, out);
cleanup:
	if (rc)
		pyro_buf_truncate(out, start);
	side_release(&p.in);
	side_release(&p.out);
	pyro_top_release(&p.t);
	return rc;
}
