/*
 * graph_build.c - the call graph that graph.dot and graph.svg draw:
 * pprof's node and edge selection for `pprof -dot` (Go 1.19's pprof,
 * internal/report newTrimmedGraph and internal/graph, re-derived here).
 * graph_dot.c writes the result as DOT.
 *
 *
 * The graph.  Nodes are functions (frames with the same node name, as in
 * top.txt).  A stack adds its value once to the cum of each node on it, to
 * the flat of its leaf, and once to each edge caller -> callee between
 * consecutive kept nodes; an edge that skips nodes left out is "residual"
 * (dotted), and it is "inline" when every stack adding it reached the
 * callee as an inlined frame.  Selection, as pprof does it with its -dot
 * defaults (nodefraction 0.005, edgefraction 0.001, nodecount 80):
 *   1. nodes whose |cum| is under 0.5% of the flat sum are dropped and the
 *      graph is rebuilt from the stacks with the rest;
 *   2. nodes are ordered by an entropy score (entry and leaf nodes and
 *      nodes whose edges split the weight score higher: a pass-through
 *      scores low), then name, |flat|; edges under 0.1% are removed;
 *   3. if more than 80 nodes remain, the first 80 are kept, the graph is
 *      rebuilt and ordered again;
 *   4. edges under 0.1% are removed (counted for the legend only in the
 *      rebuilt case, as in pprof), then residual edges whose target can be
 *      reached another way, lightest first.
 * Node ids follow the final order; edges are printed by |weight| desc,
 * caller name, callee name.
 *
 *
 * Labels.  pprof also draws sample labels as "nodelets" (boxes hanging
 * from a node) and counts them against the 80; stacks here carry no
 * labels (model/stacks.h), so graph.dot is pprof's graph of the profile
 * with labels hidden (`-taghide=.`, less that filter's legend line).
 *
 * Size: the graph of step 1 is linear in the stack references; steps 2-4
 */
#include "graph_priv.h"
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NODE_COUNT 80           /* pprof's -nodecount default for -dot */
#define NO_NODE UINT32_MAX

void pyro_graph_release(struct graph *g)
{
	free(g->frame_node);
	free(g->nodes);
	free(g->edges);
	pyro_edge_index_release(&g->edge_ix);
	free(g->adj);
	free(g->order);
	free(g->queue);
}

/* One node per distinct node name; frames mapped onto them. */
static int make_nodes(struct graph *g)
{
	const struct pyro_stacks *s = g->s;
	uint32_t nstr = s->strs.count ? s->strs.count : 1, i;
	uint32_t *by_str = malloc(nstr * sizeof(uint32_t));
	int rc = -ENOMEM;

	g->frame_node = malloc((s->nframes ? s->nframes : 1) * sizeof(uint32_t));
	g->nodes = calloc(s->nframes ? s->nframes : 1, sizeof(*g->nodes));
	if (!g->frame_node || !g->nodes || !by_str)
		goto cleanup;
	memset(by_str, 0xff, nstr * sizeof(uint32_t));
	for (i = 0; i < s->nframes; i++) {
		const struct pyro_frame *f = &s->frames[i];
		uint32_t str = f->node;

		if (by_str[str] == NO_NODE) {
			by_str[str] = g->nnodes;
			g->nodes[g->nnodes].name = str;
			/* An address-only frame is named "0x..." but its node
			 * "[binary]" or "<unknown>": no function name. */
			g->nodes[g->nnodes].is_func = f->name == f->node;
			g->nodes[g->nnodes].kept = true;
			g->nnodes++;
		}
		g->frame_node[i] = by_str[str];
	}
	rc = 0;
cleanup:
	free(by_str);
	return rc;
}

/* Find or create the edge src -> dst. */
static int edge_get(struct graph *g, uint32_t src, uint32_t dst,
		    struct g_edge **e)
{
	uint32_t k;
	bool created;
	int rc = pyro_edge_index_get(&g->edge_ix, src, dst, &k, &created);

	if (rc)
		return rc;
	if (created) {
		rc = pyro_grow_array(&g->edges, &g->edges_cap, (size_t)k + 1,
				     sizeof(*g->edges));
		if (rc)
			return rc;
		memset(&g->edges[k], 0, sizeof(g->edges[k]));
		g->edges[k].src = src;
		g->edges[k].dst = dst;
		g->edges[k].is_inline = true;
		g->edges[k].alive = true;
		g->nedges = (size_t)k + 1;
	}
	*e = &g->edges[k];
	return 0;
}

/* One sample into the graph: the stack idx with value v, stamped stamp:
 * cum once per node, edges once per pair, flat to the leaf if kept. */
static int add_sample(struct graph *g, size_t idx, int64_t v, uint32_t stamp)
{
	const struct pyro_stack *st = &g->s->stacks[idx];
	const uint32_t *refs = pyro_stack_refs(g->s, st);
	uint32_t parent = NO_NODE, d;
	bool residual = false;
	struct g_edge *e;
	int rc;

	for (d = 0; d < st->depth; d++) {
		uint32_t n = g->frame_node[PYRO_REF_FRAME(refs[d])];
		struct g_node *nd = &g->nodes[n];

		if (!nd->kept) {
			residual = true;
			continue;
		}
		if (nd->stamp != stamp) {
			nd->stamp = stamp;
			nd->cum += v;
		}
		if (parent != NO_NODE && n != parent) {
			rc = edge_get(g, parent, n, &e);
			if (rc)
				return rc;
			if (e->stamp != stamp) {
				e->stamp = stamp;
				e->weight += v;
				e->residual |= residual;
				e->is_inline &= (refs[d] & PYRO_REF_INLINE) != 0;
			}
		}
		parent = n;
		residual = false;
	}
	if (parent != NO_NODE && !residual)
		g->nodes[parent].flat += v;
	return 0;
}

/*
 * A stack as pprof's samples: one of its value; in a diff two, the
 * target's value and the base's negated (pprof -diff_base adds the base's
 * samples so), because a stack whose two sides cancel still makes its
 * edges for pprof (of weight 0), which count in the entropy order and
 * clear an edge's inline mark.  Stamps 2k+1 and 2k+2 keep them apart.
 */
static int add_stack(struct graph *g, size_t idx)
{
	int64_t v = g->s->stacks[idx].value, b = g->s->base ? g->s->base[idx] : 0;
	uint32_t stamp = (uint32_t)(2 * idx + 1);
	int rc = 0;

	if (!g->s->base)
		return v ? add_sample(g, idx, v, stamp) : 0;
	if (v + b != 0)
		rc = add_sample(g, idx, v + b, stamp);
	if (!rc && b != 0)
		rc = add_sample(g, idx, -b, stamp + 1);
	return rc;
}

/* Rebuild the graph from the stacks with the nodes marked kept. */
static int build(struct graph *g)
{
	uint32_t i;
	size_t k;
	int rc;

	g->nedges = 0;
	pyro_edge_index_clear(&g->edge_ix);
	for (i = 0; i < g->nnodes; i++) {
		g->nodes[i].flat = g->nodes[i].cum = 0;
		g->nodes[i].stamp = 0;
	}
	for (k = 0; k < g->s->nstacks; k++) {
		rc = add_stack(g, k);
		if (rc)
			return rc;
	}
	g->norder = 0;
	for (i = 0; i < g->nnodes; i++) {
		struct g_node *n = &g->nodes[i];

		n->in_graph = n->kept && (n->flat != 0 || n->cum != 0);
		if (n->in_graph)
			g->order[g->norder++] = i;
	}
	return 0;
}

int pyro_graph_adjacency(struct graph *g)
{
	uint32_t i, pos = 0;
	size_t k;

	free(g->adj);
	g->adj = malloc((2 * g->nedges + 1) * sizeof(uint32_t));
	if (!g->adj)
		return -ENOMEM;
	for (i = 0; i < g->nnodes; i++)
		g->nodes[i].nin = g->nodes[i].nout = 0;
	for (k = 0; k < g->nedges; k++) {
		const struct g_edge *e = &g->edges[k];

		if (!e->alive || !g->nodes[e->src].in_graph ||
		    !g->nodes[e->dst].in_graph)
			continue;
		g->nodes[e->dst].nin++;
		g->nodes[e->src].nout++;
	}
	for (i = 0; i < g->nnodes; i++) {
		g->nodes[i].in_off = pos;
		pos += g->nodes[i].nin;
		g->nodes[i].out_off = pos;
		pos += g->nodes[i].nout;
		g->nodes[i].nin = g->nodes[i].nout = 0;
	}
	for (k = 0; k < g->nedges; k++) {
		const struct g_edge *e = &g->edges[k];
		struct g_node *src = &g->nodes[e->src], *dst = &g->nodes[e->dst];

		if (!e->alive || !src->in_graph || !dst->in_graph)
			continue;
		g->adj[dst->in_off + dst->nin++] = (uint32_t)k;
		g->adj[src->out_off + src->nout++] = (uint32_t)k;
	}
	return 0;
}

/* pprof's edgeEntropyScore over edges adj[0..n) of a node with self. */
static double edge_entropy(const struct graph *g, const uint32_t *adj,
			   uint32_t n, int64_t self)
{
	double score = 0, frac;
	int64_t total = self;
	uint32_t i;

	for (i = 0; i < n; i++)
		if (g->edges[adj[i]].weight > 0)
			total += pyro_abs64(g->edges[adj[i]].weight);
	if (total == 0)
		return 0;
	for (i = 0; i < n; i++) {
		frac = (double)pyro_abs64(g->edges[adj[i]].weight) / (double)total;
		score += -frac * log2(frac);
	}
	if (self > 0) {
		frac = (double)pyro_abs64(self) / (double)total;
		score += -frac * log2(frac);
	}
	return score;
}

/* Go's int64 arithmetic wraps; these do the same without C's UB. */
static int64_t go_add(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

static int64_t go_abs(int64_t v)
{
	return v < 0 ? (int64_t)(0 - (uint64_t)v) : v;
}

/* pprof's entropyScore.  An edge of weight 0 (a diff's stack whose sides
 * cancel) makes the score NaN (0 * log2(0)), which Go turns into INT64_MIN
 * on amd64; plus flat, its |score| is then the largest there is: such
 * nodes sort first in pprof, and here. */
static int64_t entropy_score(const struct graph *g, const struct g_node *n)
{
	double score = 0, v;
	int64_t iv;

	if (n->nin == 0)
		score++;        /* favour entry nodes */
	else
		score += edge_entropy(g, g->adj + n->in_off, n->nin, 0);
	if (n->nout == 0)
		score++;        /* favour leaves */
	else
		score += edge_entropy(g, g->adj + n->out_off, n->nout, n->flat);
	v = score * (double)n->cum;
	if (isnan(v) || v >= 9.2233720368547758e18 || v < -9.2233720368547758e18)
		iv = INT64_MIN;
	else
		iv = (int64_t)v;
	return go_add(iv, n->flat);
}

static int str_cmp(struct pyro_str a, struct pyro_str b)
{
	int c = memcmp(a.ptr, b.ptr, a.len < b.len ? a.len : b.len);

	if (c)
		return c;
	return a.len < b.len ? -1 : a.len > b.len;
}

/* qsort has no context argument; sorting goes through this pair. */
struct sort_item {
	uint32_t node;
	int64_t abs_score, abs_flat;
	struct pyro_str name;
};

/* pprof's EntropyOrder: |score| desc, name asc, |flat| desc. */
static int item_cmp(const void *pa, const void *pb)
{
	const struct sort_item *x = pa, *y = pb;
	int c;

	if (x->abs_score != y->abs_score)
		return x->abs_score > y->abs_score ? -1 : 1;
	c = str_cmp(x->name, y->name);
	if (c)
		return c;
	if (x->abs_flat != y->abs_flat)
		return x->abs_flat > y->abs_flat ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

static int sort_nodes(struct graph *g)
{
	struct sort_item *items = malloc((g->norder + 1) * sizeof(*items));
	uint32_t i;
	int rc = pyro_graph_adjacency(g);

	if (rc || !items) {
		free(items);
		return rc ? rc : -ENOMEM;
	}
	for (i = 0; i < g->norder; i++) {
		const struct g_node *n = &g->nodes[g->order[i]];
		int64_t sc = entropy_score(g, n);

		items[i].node = g->order[i];
		items[i].abs_score = go_abs(sc);   /* INT64_MIN stays so */
		items[i].abs_flat = pyro_abs64(n->flat);
		items[i].name = pyro_graph_node_name(g, g->order[i]);
	}
	qsort(items, g->norder, sizeof(*items), item_cmp);
	for (i = 0; i < g->norder; i++)
		g->order[i] = items[i].node;
	free(items);
	return 0;
}

/* Remove live edges lighter than cut; how many went. */
static uint32_t trim_edges(struct graph *g, int64_t cut)
{
	uint32_t dropped = 0;
	size_t k;

	for (k = 0; k < g->nedges; k++) {
		struct g_edge *e = &g->edges[k];

		if (e->alive && g->nodes[e->src].in_graph &&
		    g->nodes[e->dst].in_graph && pyro_abs64(e->weight) < cut) {
			e->alive = false;
			dropped++;
		}
	}
	return dropped;
}

/* An edge with its sort keys, so the comparison needs no context. */
struct edge_item {
	int64_t abs_weight;
	struct pyro_str src, dst;
	uint32_t edge;
};

/* The edges' print order: |weight| desc, caller name, callee name. */
static int edge_cmp(const void *pa, const void *pb)
{
	const struct edge_item *x = pa, *y = pb;
	int c;

	if (x->abs_weight != y->abs_weight)
		return x->abs_weight > y->abs_weight ? -1 : 1;
	c = str_cmp(x->src, y->src);
	if (c)
		return c;
	c = str_cmp(x->dst, y->dst);
	if (c)
		return c;
	return x->edge < y->edge ? -1 : x->edge > y->edge;
}

int pyro_graph_sort_edges(const struct graph *g, uint32_t *v, size_t n)
{
	struct edge_item *items = malloc((n ? n : 1) * sizeof(*items));
	size_t i;

	if (!items)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct g_edge *e = &g->edges[v[i]];

		items[i].abs_weight = pyro_abs64(e->weight);
		items[i].src = pyro_graph_node_name(g, e->src);
		items[i].dst = pyro_graph_node_name(g, e->dst);
		items[i].edge = v[i];
	}
	qsort(items, n, sizeof(*items), edge_cmp);
	for (i = 0; i < n; i++)
		v[i] = items[i].edge;
	free(items);
	return 0;
}

/* pprof's isRedundantEdge: can e's caller reach its callee without e? */
static bool redundant(struct graph *g, uint32_t ei, uint32_t gen)
{
	const struct g_edge *e = &g->edges[ei];
	uint32_t head = 0, tail = 0, i;

	g->queue[tail++] = e->dst;
	g->nodes[e->dst].seen = gen;
	while (head < tail) {
		const struct g_node *n = &g->nodes[g->queue[head++]];

		for (i = 0; i < n->nin; i++) {
			uint32_t k = g->adj[n->in_off + i];
			const struct g_edge *ie = &g->edges[k];

			if (!ie->alive || k == ei || g->nodes[ie->src].seen == gen)
				continue;
			if (ie->src == e->src)
				return true;
			g->nodes[ie->src].seen = gen;
			g->queue[tail++] = ie->src;
		}
	}
	return false;
}

/* pprof's RemoveRedundantEdges: from the last node back, its residual
 * in-edges lightest first, up to the first non-residual one. */
static int remove_redundant(struct graph *g)
{
	uint32_t i, j, gen = 0, *in;
	int rc = pyro_graph_adjacency(g);

	if (rc)
		return rc;
	g->queue = malloc((g->nnodes + 1) * sizeof(uint32_t));
	if (!g->queue)
		return -ENOMEM;
	for (i = 0; i < g->nnodes; i++)
		g->nodes[i].seen = 0;
	for (i = g->norder; i-- > 0;) {
		const struct g_node *n = &g->nodes[g->order[i]];

		in = g->adj + n->in_off;
		rc = pyro_graph_sort_edges(g, in, n->nin);
		if (rc)
			return rc;
		for (j = n->nin; j-- > 0;) {
			struct g_edge *e = &g->edges[in[j]];

			if (!e->alive)
				continue;
			if (!e->residual)
				break;
			if (redundant(g, in[j], ++gen))
				e->alive = false;
		}
	}
	return 0;
}

/* Steps 1-4 of the file comment; *dropped_nodes, *dropped_edges and
 * *orig_count for the legend. */
static int select_graph(struct graph *g, uint32_t *dropped_nodes,
			uint32_t *dropped_edges, uint32_t *orig_count)
{
	int64_t flat_total = 0, node_cut, edge_cut;
	uint32_t i, present;
	int rc;

	g->order = malloc((g->nnodes + 1) * sizeof(uint32_t));
	if (!g->order)
		return -ENOMEM;
	rc = build(g);
	if (rc)
		return rc;
	for (i = 0; i < g->norder; i++)
		flat_total += g->nodes[g->order[i]].flat;
	node_cut = pyro_report_cutoff(flat_total, PYRO_NODE_FRACTION);
	edge_cut = pyro_report_cutoff(flat_total, PYRO_EDGE_FRACTION);
	present = g->norder;
	if (node_cut > 0) {
		uint32_t kept = 0;

		for (i = 0; i < g->nnodes; i++) {
			struct g_node *n = &g->nodes[i];

			n->kept = n->in_graph && pyro_abs64(n->cum) >= node_cut;
			kept += n->kept;
		}
		if (kept != present) {
			*dropped_nodes = present - kept;
			rc = build(g);
			if (rc)
				return rc;
		}
	}
	*orig_count = g->norder;
	rc = sort_nodes(g);
	if (rc)
		return rc;
	trim_edges(g, edge_cut);
	if (g->norder > NODE_COUNT) {
		for (i = 0; i < g->nnodes; i++)
			g->nodes[i].kept = false;
		for (i = 0; i < NODE_COUNT; i++)
			g->nodes[g->order[i]].kept = true;
		rc = build(g);
		if (!rc)
			rc = sort_nodes(g);
		if (rc)
			return rc;
	}
	*dropped_edges = trim_edges(g, edge_cut);
	return remove_redundant(g);
}

int pyro_graph_select(struct graph *g, uint32_t *dropped_nodes,
		      uint32_t *dropped_edges, uint32_t *orig_count)
{
	int rc = make_nodes(g);

	return rc ? rc : select_graph(g, dropped_nodes, dropped_edges, orig_count);
}
