/*
 * graph_priv.h - what graph.dot and graph.svg share (inside render/):
 * the node label rules of graph_name.c.  Nothing outside render/ includes
 * it; render.h has the interface.
 */
#ifndef PYRO_GRAPH_PRIV_H
#define PYRO_GRAPH_PRIV_H

#include <stddef.h>

#include "../model/buf.h"
#include "../model/stacks.h"

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
