/*
 * graph_priv.h - what graph.dot and graph.svg share (inside render/): the
 * call graph of graph_build.c, the DOT of graph_dot.c and the node label
 * rules of graph_name.c.  Nothing outside render/ includes it; render.h
 * has the interface.
 */
#ifndef PYRO_GRAPH_PRIV_H
#define PYRO_GRAPH_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../model/buf.h"
#include "../model/stacks.h"
#include "report.h"
#include "units.h"

/* ---- the call graph (graph_build.c) ------------------------------------ */

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

/* The whole computation; released by pyro_graph_release(). */
struct graph {
	const struct pyro_stacks *s;
	uint32_t *frame_node;   /* frame id -> node index */
	struct g_node *nodes;
	uint32_t nnodes;
	struct g_edge *edges;
	size_t nedges, edges_cap;
	struct pyro_edge_index edge_ix; /* (src, dst) -> index in edges */
	uint32_t *adj;          /* CSR edge indexes: in-lists, then out */
	uint32_t *order;        /* graph nodes, in print order */
	uint32_t norder;
	uint32_t *queue;        /* redundancy search */
	int64_t total;          /* pprof's report total */
	bool for_graphviz;      /* the DOT graph.svg lays out */
	const char *unit;       /* sample unit, never NULL */
	char out_unit[PYRO_LABEL_MAX];
	struct pyro_unit_conv conv;     /* unit -> out_unit (select_unit) */
};

/* Select the graph of g->s (g zeroed but for s, total, unit and
 * for_graphviz): the nodes and edges that graph_build.c's steps 1-4 keep,
 * g->order the nodes in print order.  For the legend: *dropped_nodes
 * under the node cutoff, *dropped_edges under the edge cutoff (counted
 * only after a rebuild, as in pprof) and *orig_count, the nodes before
 * the 80 were chosen. */
int pyro_graph_select(struct graph *g, uint32_t *dropped_nodes,
		      uint32_t *dropped_edges, uint32_t *orig_count);

/* g->adj, the in- and out-lists of the live edges between graph nodes
 * (each node's in_off, nin, out_off, nout). */
int pyro_graph_adjacency(struct graph *g);

/* Sort the edge indexes v[0..n) into print order: |weight| desc, caller
 * name, callee name. */
int pyro_graph_sort_edges(const struct graph *g, uint32_t *v, size_t n);

/* Free what g holds; g may be half built. */
void pyro_graph_release(struct graph *g);

static inline struct pyro_str pyro_graph_node_name(const struct graph *g,
						   uint32_t n)
{
	return pyro_strtab_get(&g->s->strs, g->nodes[n].name);
}

/* ---- DOT (graph_dot.c) and names (graph_name.c) ------------------------ */


/* graph.dot's bytes (pyro_graph_dot_render), or with for_graphviz the
 * DOT graph.svg lays out: the title escaped (pprof writes it raw, which
 * breaks on a '"'), the legend in a plain subgraph, not a cluster, and
 * the edges that close a cycle reversed (dir=back), as dot would reverse
 * them: Graphviz 2.43 leaks memory on every cluster and every cycle it
 * lays out. */
int pyro_graph_dot_build(const struct pyro_stacks *s, int for_graphviz,
			 struct pyro_buf *out);

/* pprof's ShortenFunctionName of name[0..len), appended to out. */
int pyro_graph_shorten(const char *name, size_t len, struct pyro_buf *out);

/* pprof's escapeForDot: '\' -> "\\", '"' -> "\"", newline -> "\l". */
int pyro_dot_escape(struct pyro_buf *out, const char *s, size_t len);

/* A node's name as its label starts: shortened, escaped, one line per
 * "::"- or "."-separated part, each line ended by "\n" (the two bytes);
 * a node that is no function ("[binary]", "<unknown>") as it is. */
int pyro_graph_label_name(const char *name, size_t len, int is_function,
			  struct pyro_buf *out);

#endif
