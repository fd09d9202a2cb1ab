/*
 * graph_dot.c - graph.dot: `pprof -dot`, the call graph in Graphviz's DOT
 * language (Go 1.19's pprof, internal/graph ComposeDot, re-derived here).
 *
 * The graph and its selection are graph_build.c's; this file writes it:
 * the legend (report.c's header lines and what selection dropped), one
 * box per node (its name as graph_name.c shortens it, flat and cum, a font
 * size by flat, a colour by cum), one arrow per edge (a colour, weight and
 * pen width by its share of the total; dotted when residual), in pprof's
 * bytes.  The same DOT with a few changes is what Graphviz lays out for
 * graph.svg (pyro_graph_dot_build in graph_priv.h says which and why).
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

static void format_value(const struct graph *g, char dst[PYRO_LABEL_MAX],
			 int64_t v)
{
	pyro_unit_conv_label(&g->conv, dst, v);
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
	for (i = 0; i < g->norder; i++) {
		const struct g_node *n = &g->nodes[g->order[i]];

		v = n->flat ? pyro_abs64(n->flat) : pyro_abs64(n->cum);
		if (v > 0 && (min == 0 || v < min))
			min = v;
	}
	if (g->norder)
		pyro_report_output_unit(g->unit, min, g->total, g->out_unit);
	pyro_unit_conv_init(&g->conv, g->unit, g->out_unit);
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
		format_value(g, a, pyro_report_cutoff(g->total, PYRO_NODE_FRACTION));
		rc = pyro_buf_printf(out, "Dropped %u node%s (cum <= %s)\n",
				     dropped_nodes, dropped_nodes > 1 ? "s" : "", a);
	}
	if (!rc && g->total != 0 && dropped_edges > 0) {
		format_value(g, a, pyro_report_cutoff(g->total, PYRO_EDGE_FRACTION));
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
	double s = (double)v / (double)pyro_abs64(total);

	return isnan(s) ? s : fmax(-1.0, fmin(1.0, s));
}

static int put_node(const struct graph *g, uint32_t idx, double max_flat,
		    struct pyro_buf *out)
{
	const struct g_node *n = &g->nodes[idx];
	struct pyro_str name = pyro_graph_node_name(g, idx);
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
	if (max_flat != 0 && n->flat != 0 && (double)pyro_abs64(n->flat) <= max_flat)
		font += (int)ceil(16.0 * sqrt((double)pyro_abs64(n->flat) / max_flat));
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
	struct pyro_str a = pyro_graph_node_name(g, e->src), b = pyro_graph_node_name(g, e->dst);
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
		if (i == 0 || (double)pyro_abs64(n->flat) > max_flat)
			max_flat = (double)pyro_abs64(n->flat);
	}
	for (i = 0; !rc && i < g->norder; i++)
		rc = put_node(g, g->order[i], max_flat, out);
	if (rc)
		return rc;
	rc = pyro_graph_adjacency(g);
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
	rc = pyro_graph_sort_edges(g, ev, nev);
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
		rc = pyro_graph_select(&g, &dropped_nodes, &dropped_edges,
				       &orig_count);
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
	pyro_graph_release(&g);
	return rc;
}

int pyro_graph_dot_render(const struct pyro_stacks *s, struct pyro_buf *out)
{
	return pyro_graph_dot_build(s, 0, out);
}
