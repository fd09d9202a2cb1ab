/*
 * graph_dot.c - graph.dot: `pprof -dot`, the call graph in Graphviz's DOT
 * language, with pprof's node and edge selection, labels, colours and
 * legend (Go 1.19's pprof, internal/report newTrimmedGraph and
 * internal/graph ComposeDot, re-derived here).
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
 * Labels.  pprof also draws sample labels as "nodelets" (boxes hanging
 * from a node) and counts them against the 80; stacks here carry no
 * labels (model/stacks.h), so graph.dot is pprof's graph of the profile
 * with labels hidden (`-taghide=.`, less that filter's legend line).
 *
 * Size: the graph of step 1 is linear in the stack references; steps 2-4
 * work on at most 80 nodes once the first rebuild is done, and the output
 * has at most 80 nodes and their edges, whatever the profile.
 */
#include "graph_priv.h"
#include "render.h"
#include "report.h"
#include "units.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NODE_FRACTION 0.005     /* pprof's -nodefraction default */
#define EDGE_FRACTION 0.001     /* pprof's -edgefraction default */
#define NODE_COUNT 80           /* pprof's -nodecount default for -dot */
#define NO_NODE UINT32_MAX

struct g_node {
	uint32_t name;          /* strtab id of the node name */
	bool is_func;           /* a function (else "[binary]", "<unknown>") */
	bool kept;              /* takes part in the current build */
	bool in_graph;          /* kept, and flat or cum non-zero */
	int64_t flat, cum;
	uint32_t stamp;         /* last sample (add_stack) that added cum */
	int64_t score;          /* sort key: entropy score */
	uint32_t id;            /* 1-based output id, in final order */
	uint32_t in_off, out_off;       /* CSR: first in / out edge slot */
	uint32_t nin, nout;
	uint32_t seen;          /* redundancy search generation */
};

struct g_edge {
	uint32_t src, dst;      /* node indexes */
	int64_t weight;
	uint32_t stamp;         /* last sample (add_stack) that added weight */
	bool residual;          /* skips nodes that were not kept */
	bool is_inline;         /* every contributing stack was inline */
	bool alive;             /* not trimmed nor removed */
	bool back;              /* for Graphviz: closes a cycle (mark_back) */
};

/* The whole computation; released by graph_release(). */
struct graph {
	const struct pyro_stacks *s;
	uint32_t *frame_node;   /* frame id -> node index */
	struct g_node *nodes;
	uint32_t nnodes;
	struct g_edge *edges;
	size_t nedges, edges_cap;
	uint32_t *edge_slots;   /* edge index + 1, 0 = empty */
	size_t edge_nslots;     /* power of two */
	uint32_t *adj;          /* CSR edge indexes: in-lists, then out */
	uint32_t *order;        /* graph nodes, in print order */
	uint32_t norder;
	uint32_t *queue;        /* redundancy search */
	int64_t total;          /* pprof's report total */
	bool for_graphviz;      /* the DOT graph.svg lays out */
	const char *unit;       /* sample unit, never NULL */
	char out_unit[PYRO_LABEL_MAX];
};

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

static int64_t cutoff(int64_t base, double fraction)
{
	return abs64((int64_t)((double)base * fraction));
}

static void graph_release(struct graph *g)
{
	free(g->frame_node);
	free(g->nodes);
	free(g->edges);
	free(g->edge_slots);
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

static uint64_t edge_hash(uint32_t src, uint32_t dst)
{
	uint64_t h = ((uint64_t)src << 32) | dst;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static int edges_rehash(struct graph *g, size_t nslots)
{
	uint32_t *slots = calloc(nslots, sizeof(*slots));
	size_t i, j;

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < g->nedges; i++) {
		j = edge_hash(g->edges[i].src, g->edges[i].dst) & (nslots - 1);
		while (slots[j])
			j = (j + 1) & (nslots - 1);
		slots[j] = (uint32_t)(i + 1);
	}
	free(g->edge_slots);
	g->edge_slots = slots;
	g->edge_nslots = nslots;
	return 0;
}

/* Find or create the edge src -> dst. */
static int edge_get(struct graph *g, uint32_t src, uint32_t dst,
		    struct g_edge **e)
{
	size_t j;
	int rc;

	if (g->edge_nslots < 2 * (g->nedges + 1)) {
		rc = edges_rehash(g, g->edge_nslots ? 2 * g->edge_nslots : 1024);
		if (rc)
			return rc;
	}
	for (j = edge_hash(src, dst) & (g->edge_nslots - 1); g->edge_slots[j];
	     j = (j + 1) & (g->edge_nslots - 1)) {
		struct g_edge *x = &g->edges[g->edge_slots[j] - 1];

		if (x->src == src && x->dst == dst) {
			*e = x;
			return 0;
		}
	}
	if (g->nedges >= UINT32_MAX - 1)
		return -EOVERFLOW;
	rc = pyro_grow_array(&g->edges, &g->edges_cap, g->nedges + 1,
			     sizeof(*g->edges));
	if (rc)
		return rc;
	*e = &g->edges[g->nedges++];
	memset(*e, 0, sizeof(**e));
	(*e)->src = src;
	(*e)->dst = dst;
	(*e)->is_inline = true;
	(*e)->alive = true;
	g->edge_slots[j] = (uint32_t)g->nedges;
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
	if (g->edge_slots)
		memset(g->edge_slots, 0, g->edge_nslots * sizeof(uint32_t));
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

/* In- and out-lists of the live edges between graph nodes. */
static int make_adjacency(struct graph *g)
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
			total += abs64(g->edges[adj[i]].weight);
	if (total == 0)
		return 0;
	for (i = 0; i < n; i++) {
		frac = (double)abs64(g->edges[adj[i]].weight) / (double)total;
		score += -frac * log2(frac);
	}
	if (self > 0) {
		frac = (double)abs64(self) / (double)total;
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

static struct pyro_str node_name(const struct graph *g, uint32_t n)
{
	return pyro_strtab_get(&g->s->strs, g->nodes[n].name);
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
	int rc = make_adjacency(g);

	if (rc || !items) {
		free(items);
		return rc ? rc : -ENOMEM;
	}
	for (i = 0; i < g->norder; i++) {
		const struct g_node *n = &g->nodes[g->order[i]];
		int64_t sc = entropy_score(g, n);

		items[i].node = g->order[i];
		items[i].abs_score = go_abs(sc);   /* INT64_MIN stays so */
		items[i].abs_flat = abs64(n->flat);
		items[i].name = node_name(g, g->order[i]);
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
		    g->nodes[e->dst].in_graph && abs64(e->weight) < cut) {
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

/* Sort the edge indexes v[0..n) into print order. */
static int sort_edges(const struct graph *g, uint32_t *v, size_t n)
{
	struct edge_item *items = malloc((n ? n : 1) * sizeof(*items));
	size_t i;

	if (!items)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct g_edge *e = &g->edges[v[i]];

		items[i].abs_weight = abs64(e->weight);
		items[i].src = node_name(g, e->src);
		items[i].dst = node_name(g, e->dst);
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
	int rc = make_adjacency(g);

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
		rc = sort_edges(g, in, n->nin);
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
	node_cut = cutoff(flat_total, NODE_FRACTION);
	edge_cut = cutoff(flat_total, EDGE_FRACTION);
	present = g->norder;
	if (node_cut > 0) {
		uint32_t kept = 0;

		for (i = 0; i < g->nnodes; i++) {
			struct g_node *n = &g->nodes[i];

			n->kept = n->in_graph && abs64(n->cum) >= node_cut;
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

static void format_value(const struct graph *g, char dst[PYRO_LABEL_MAX],
			 int64_t v)
{
	pyro_unit_label(dst, v, g->unit, g->out_unit);
}

/* measurement.Percentage with its padding trimmed. */
static const char *percent(char dst[PYRO_LABEL_MAX], int64_t v, int64_t total)
{
	const char *p;

	pyro_percentage(dst, v, total);
	for (p = dst; *p == ' '; p++)
		;
	return p;
}

static void select_unit(struct graph *g)
{
	int64_t min = 0, v;
	uint32_t i;

	strcpy(g->out_unit, "minimum");
	if (!g->norder)
		return;
	for (i = 0; i < g->norder; i++) {
		const struct g_node *n = &g->nodes[g->order[i]];

		v = n->flat ? abs64(n->flat) : abs64(n->cum);
		if (v > 0 && (min == 0 || v < min))
			min = v;
	}
	pyro_report_output_unit(g->unit, min, g->total, g->out_unit);
}

/* The legend's lines, each ending in '\n' (pprof's reportLabels with full
 * headers). */
static int legend_lines(const struct graph *g, uint32_t dropped_nodes,
			uint32_t dropped_edges, uint32_t orig_count,
			struct pyro_buf *out)
{
	char a[PYRO_LABEL_MAX], b[PYRO_LABEL_MAX], c[PYRO_LABEL_MAX];
	int64_t flat_sum = 0;
	uint32_t i;
	int rc;

	rc = pyro_report_profile_labels(g->s, g->total, g->out_unit, out);
	if (!rc && (g->s->meta.filter || g->s->meta.name_filters))
		rc = pyro_report_filter(&g->s->meta, out);
	for (i = 0; i < g->norder; i++)
		flat_sum += g->nodes[g->order[i]].flat;
	format_value(g, a, flat_sum);
	format_value(g, c, g->total);
	if (!rc)
		rc = pyro_buf_printf(out, "Showing nodes accounting for %s, %s of %s total\n",
				     a, percent(b, flat_sum, g->total), c);
	if (!rc && g->total != 0 && dropped_nodes > 0) {
		format_value(g, a, cutoff(g->total, NODE_FRACTION));
		rc = pyro_buf_printf(out, "Dropped %u node%s (cum <= %s)\n",
				     dropped_nodes, dropped_nodes > 1 ? "s" : "", a);
	}
	if (!rc && g->total != 0 && dropped_edges > 0) {
		format_value(g, a, cutoff(g->total, EDGE_FRACTION));
		rc = pyro_buf_printf(out, "Dropped %u edge%s (freq <= %s)\n",
				     dropped_edges, dropped_edges > 1 ? "s" : "", a);
	}
	if (!rc && g->total != 0 && g->norder > 0 && g->norder < orig_count)
		rc = pyro_buf_printf(out, "Showing top %u nodes out of %u\n",
				     g->norder, orig_count);
	if (!rc)
		rc = pyro_buf_puts(out, "\nSee https://git.io/JfYMW for how to read the graph\n");
	return rc;
}

/* The title as pprof writes it (raw), or escaped for Graphviz (escape:
 * the DOT is for graph.svg, pyro_graph_dot_build). */
static int put_title(struct pyro_buf *out, const char *title, int escape)
{
	return escape ? pyro_dot_escape(out, title, strlen(title)) :
			pyro_buf_puts(out, title);
}

static int put_legend(const struct graph *g, const char *title, int escape,
		      uint32_t dropped_nodes, uint32_t dropped_edges,
		      uint32_t orig_count, struct pyro_buf *out)
{
	struct pyro_buf l = PYRO_BUF_INIT;
	const char *nl;
	int rc = legend_lines(g, dropped_nodes, dropped_edges, orig_count, &l);

	if (rc)
		goto cleanup;
	nl = memchr(l.data, '\n', l.len);   /* every line ends in one */
	/* Graphviz 2.43's dot leaks the virtual nodes of every cluster's
	 * skeleton (build_skeleton), some 600 bytes a layout: the graph
	 * Graphviz lays out keeps the legend in a plain subgraph. */
	rc = pyro_buf_puts(out, escape ? "subgraph legend_L { \"" :
					 "subgraph cluster_L { \"");
	if (!rc)
		rc = pyro_dot_escape(out, l.data, (size_t)(nl - l.data));
	if (!rc)
		rc = pyro_buf_puts(out, "\" [shape=box fontsize=16 label=\"");
	if (!rc)
		rc = pyro_dot_escape(out, l.data, l.len);
	if (!rc)
		rc = pyro_buf_puts(out, "\"");
	if (!rc && title)
		rc = pyro_buf_puts(out, " tooltip=\"");
	if (!rc && title)
		rc = put_title(out, title, escape);
	if (!rc && title)
		rc = pyro_buf_putc(out, '"');
	if (!rc)
		rc = pyro_buf_puts(out, "] }\n");
cleanup:
	pyro_buf_release(&l);
	return rc;
}

/* Go's uint8(f) for f in [0, 255] and NaN (0 on amd64). */
static unsigned go_u8(double f)
{
	return isnan(f) ? 0 : (unsigned)(uint8_t)(int64_t)f;
}

/* pprof's dotColor: score in [-1, 1] (score_of clamps it) from green
 * through grey to red; a NaN (a zero total) gives what Go gives. */
static void dot_color(char dst[8], double score, bool background)
{
	const double shift = 0.7;
	double sat = background ? 0.1 : 1.0, val = background ? 0.93 : 0.7;
	double r, gr, b;

	if (fabs(score) < 0.2)
		sat *= fabs(score) / 0.2;
	if (score > 0.0)
		score = pow(score, 1.0 - shift);
	if (score < 0.0)
		score = -pow(-score, 1.0 - shift);
	if (score < 0.0) {
		gr = val;
		r = val * (1 + sat * score);
	} else {
		r = val;
		gr = val * (1 - sat * score);
	}
	b = val * (1 - sat);
	snprintf(dst, 8, "#%02x%02x%02x", go_u8(r * 255.0) & 0xff,
		 go_u8(gr * 255.0) & 0xff, go_u8(b * 255.0) & 0xff);
}

/* Go's math.Max/Min propagate NaN; C's fmax/fmin drop it. */
static double score_of(int64_t v, int64_t total)
{
	double s = (double)v / (double)abs64(total);

	return isnan(s) ? s : fmax(-1.0, fmin(1.0, s));
}

static int put_node(const struct graph *g, uint32_t idx, double max_flat,
		    struct pyro_buf *out)
{
	const struct g_node *n = &g->nodes[idx];
	struct pyro_str name = node_name(g, idx);
	char flat[PYRO_LABEL_MAX], cum[PYRO_LABEL_MAX], pct[PYRO_LABEL_MAX];
	char fg[8], bg[8];
	int font = 8, rc;

	format_value(g, flat, n->flat);
	strcpy(cum, flat);
	rc = pyro_buf_puts(out, "N");
	if (!rc)
		rc = pyro_buf_printf(out, "%u [label=\"", n->id);
	if (!rc)
		rc = pyro_graph_label_name(name.ptr, name.len, n->is_func, out);
	if (!rc && n->flat != 0)
		rc = pyro_buf_printf(out, "%s (%s)", flat,
				     percent(pct, n->flat, g->total));
	else if (!rc)
		rc = pyro_buf_puts(out, "0");
	if (!rc && n->cum != n->flat) {
		format_value(g, cum, n->cum);
		rc = pyro_buf_printf(out, "%sof %s (%s)",
				     n->flat != 0 ? "\\n" : " ", cum,
				     percent(pct, n->cum, g->total));
	}
	/* Font 8 to 24 by the square root of the flat share. */
	if (max_flat != 0 && n->flat != 0 && (double)abs64(n->flat) <= max_flat)
		font += (int)ceil(16.0 * sqrt((double)abs64(n->flat) / max_flat));
	dot_color(fg, score_of(n->cum, g->total), false);
	dot_color(bg, score_of(n->cum, g->total), true);
	if (!rc)
		rc = pyro_buf_printf(out, "\" id=\"node%u\" fontsize=%d shape=box tooltip=\"",
				     n->id, font);
	if (!rc)
		rc = pyro_dot_escape(out, name.ptr, name.len);
	if (!rc)
		rc = pyro_buf_printf(out, " (%s)\" color=\"%s\" fillcolor=\"%s\"]\n",
				     cum, fg, bg);
	return rc;
}

/* Go's int64 product (wrapping) and truncating division. */
static int64_t share(int64_t w, int64_t k, int64_t total)
{
	int64_t v = (int64_t)((uint64_t)w * (uint64_t)k);

	if (total == -1)
		return (int64_t)(0 - (uint64_t)v);
	v /= total;
	return v < 0 ? -v : v;
}

static int put_edge_tooltip(const struct graph *g, const struct g_edge *e,
			    const char *w, struct pyro_buf *out)
{
	struct pyro_str a = node_name(g, e->src), b = node_name(g, e->dst);
	int rc = pyro_buf_putc(out, '"');

	if (!rc)
		rc = pyro_dot_escape(out, a.ptr, a.len);
	if (!rc)
		rc = pyro_buf_puts(out, e->residual ? " ... " : " -> ");
	if (!rc)
		rc = pyro_dot_escape(out, b.ptr, b.len);
	return rc ? rc : pyro_buf_printf(out, " (%s)\"", w);
}

static int put_edge(const struct graph *g, const struct g_edge *e,
		    struct pyro_buf *out)
{
	struct pyro_buf tip = PYRO_BUF_INIT;
	char w[PYRO_LABEL_MAX], color[8];
	int64_t weight, width;
	int rc;

	format_value(g, w, e->weight);
	/* A back edge goes to Graphviz reversed, drawn with its arrow at
	 * the callee all the same (mark_back says why). */
	rc = pyro_buf_printf(out, "N%u -> N%u [%slabel=\" %s%s\"",
			     g->nodes[e->back ? e->dst : e->src].id,
			     g->nodes[e->back ? e->src : e->dst].id,
			     e->back ? "dir=back " : "", w,
			     e->is_inline ? "\\n (inline)" : "");
	if (!rc && g->total != 0) {
		weight = share(e->weight, 100, g->total);
		width = share(e->weight, 5, g->total);
		weight = 1 + (weight < 0 || weight > 100 ? 100 : weight);
		width = 1 + (width < 0 || width > 5 ? 5 : width);
		if (weight > 1)
			rc = pyro_buf_printf(out, " weight=%lld", (long long)weight);
		if (!rc && width > 1)
			rc = pyro_buf_printf(out, " penwidth=%lld", (long long)width);
		dot_color(color, score_of(e->weight, g->total), false);
		if (!rc)
			rc = pyro_buf_printf(out, " color=\"%s\"", color);
	}
	if (!rc)
		rc = put_edge_tooltip(g, e, w, &tip);
	/* Names may hold NUL bytes: no %s for them. */
	if (!rc)
		rc = pyro_buf_puts(out, " tooltip=");
	if (!rc)
		rc = pyro_buf_add(out, tip.data, tip.len);
	if (!rc)
		rc = pyro_buf_puts(out, " labeltooltip=");
	if (!rc)
		rc = pyro_buf_add(out, tip.data, tip.len);
	if (!rc && e->residual)
		rc = pyro_buf_puts(out, " style=\"dotted\"");
	if (!rc)
		rc = pyro_buf_puts(out, "]\n");
	pyro_buf_release(&tip);
	return rc;
}

/* Depth-first from n: an out-edge to a node still on the path closes a
 * cycle.  Depth is at most the graph's 80 nodes. */
static void dfs_back(struct graph *g, uint32_t n)
{
	struct g_node *nd = &g->nodes[n];
	uint32_t j;

	nd->seen = 1;           /* on the path */
	for (j = 0; j < nd->nout; j++) {
		struct g_edge *e = &g->edges[g->adj[nd->out_off + j]];

		if (g->nodes[e->dst].seen == 1)
			e->back = true;
		else if (g->nodes[e->dst].seen == 0)
			dfs_back(g, e->dst);
	}
	nd->seen = 2;           /* done */
}

/*
 * For Graphviz only: mark the edges that close a cycle (mutual recursion),
 * which put_edge writes reversed, so the graph Graphviz ranks is acyclic.
 * Graphviz 2.43's dot breaks cycles itself, by the same reversal, but
 * leaks a virtual edge for each (acyclic, new_virtual_edge): some 400
 * bytes a layout that the daemon cannot afford.
 */
static void mark_back(struct graph *g)
{
	uint32_t i;

	for (i = 0; i < g->nnodes; i++)
		g->nodes[i].seen = 0;
	for (i = 0; i < g->norder; i++)
		if (g->nodes[g->order[i]].seen == 0)
			dfs_back(g, g->order[i]);
}

static int put_graph(struct graph *g, struct pyro_buf *out)
{
	uint32_t *ev = NULL, i, j, nev = 0;
	double max_flat = 0;
	int rc = 0;

	if (!g->norder)
		return 0;
	for (i = 0; i < g->norder; i++) {
		struct g_node *n = &g->nodes[g->order[i]];

		n->id = i + 1;
		if (i == 0 || (double)abs64(n->flat) > max_flat)
			max_flat = (double)abs64(n->flat);
	}
	for (i = 0; !rc && i < g->norder; i++)
		rc = put_node(g, g->order[i], max_flat, out);
	if (rc)
		return rc;
	rc = make_adjacency(g);
	if (rc)
		return rc;
	if (g->for_graphviz)
		mark_back(g);
	ev = malloc((g->nedges + 1) * sizeof(uint32_t));
	if (!ev)
		return -ENOMEM;
	for (i = 0; i < g->norder; i++) {
		const struct g_node *n = &g->nodes[g->order[i]];

		for (j = 0; j < n->nout; j++)
			ev[nev++] = g->adj[n->out_off + j];
	}
	rc = sort_edges(g, ev, nev);
	for (i = 0; !rc && i < nev; i++)
		rc = put_edge(g, &g->edges[ev[i]], out);
	free(ev);
	return rc;
}

int pyro_graph_dot_build(const struct pyro_stacks *s, int for_graphviz,
			 struct pyro_buf *out)
{
	struct graph g = { .s = s, .for_graphviz = for_graphviz != 0 };
	uint32_t dropped_nodes = 0, dropped_edges = 0, orig_count = 0;
	const char *title = s->meta.file && *s->meta.file ? s->meta.file : NULL;
	size_t start = out->len;
	int rc;

	g.unit = s->meta.sample_unit ? s->meta.sample_unit : "";
	rc = pyro_stacks_percent_total(s, &g.total);
	if (!rc)
		rc = make_nodes(&g);
	if (!rc)
		rc = select_graph(&g, &dropped_nodes, &dropped_edges, &orig_count);
	if (rc)
		goto cleanup;
	select_unit(&g);
	rc = pyro_buf_puts(out, "digraph \"");
	if (!rc)
		rc = put_title(out, title ? title : "unnamed", for_graphviz);
	if (!rc)
		rc = pyro_buf_puts(out, "\" {\n"
				   "node [style=filled fillcolor=\"#f8f8f8\"]\n");
	if (!rc)
		rc = put_legend(&g, title, for_graphviz, dropped_nodes,
				dropped_edges, orig_count, out);
	if (!rc)
		rc = put_graph(&g, out);
	if (!rc)
		rc = pyro_buf_puts(out, "}\n");
cleanup:
	if (rc)
		pyro_buf_truncate(out, start);  /* as it was (render.h) */
	graph_release(&g);
	return rc;
}

int pyro_graph_dot_render(const struct pyro_stacks *s, struct pyro_buf *out)
{
	return pyro_graph_dot_build(s, 0, out);
}
