/*
 * top_priv.h - the function graph of top.c that peek.c reads too (inside
 * render/; render.h has the interface).  Nodes are functions: frames with
 * the same node name, each with its flat and cum values, computed once by
 * pyro_top_graph(); top.c goes on to trim the graph and mark inline nodes
 * for top.txt and top-cum.txt, peek.c takes the edges of one node from
 * the stacks for peek.txt.
 */
#ifndef PYRO_TOP_PRIV_H
#define PYRO_TOP_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../model/buf.h"
#include "../model/stacks.h"
#include "report.h"
#include "units.h"

#define PYRO_TOP_NO_NODE UINT32_MAX     /* no node (index) */

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

/* A shown node with its sort keys, so the comparison needs no context. */
struct top_row {
	int64_t abs_flat, abs_cum;
	struct pyro_str name;
	uint32_t node;
};

/* The whole computation; released by pyro_top_release(). */
struct top {
	const struct pyro_stacks *s;
	uint32_t *frame_node;   /* frame id -> node index */
	uint32_t *frame_key;    /* frame id -> node index | FK_* bits */
	uint8_t *frame_edge;    /* frame id -> 1 if edges may go into it */
	struct top_node *nodes;
	uint32_t nnodes;
	struct top_row *rows;   /* shown nodes, in print order */
	uint32_t nrows;
	int64_t total;          /* sum of |value|: pprof's report total */
	int64_t flat_total;     /* signed sum of flats: the cutoffs' base */
	uint32_t dropped;       /* nodes under the node cutoff */
	const char *unit;       /* sample unit, never NULL */
	char out_unit[PYRO_LABEL_MAX];  /* selectOutputUnit's choice */
	struct pyro_unit_conv conv;     /* unit -> out_unit, looked up once
					 * (pyro_top_select_unit sets it) */
	bool cum_order;         /* top-cum.txt: rows by cum, not flat */
};

/* Start t (zeroed, but for cum_order) on s: unit, total, one node per
 * distinct node name with frames mapped onto them, flat and cum. */
int pyro_top_graph(const struct pyro_stacks *s, struct top *t);

/* pprof's selectOutputUnit over the nodes of t->rows into t->out_unit;
 * "minimum" when there is no row.  Call before pyro_top_value. */
void pyro_top_select_unit(struct top *t);

/* Free what t holds; t may be half built. */
void pyro_top_release(struct top *t);

/* v as the report prints it: in t's output unit. */
static inline void pyro_top_value(const struct top *t,
				  char dst[PYRO_LABEL_MAX], int64_t v)
{
	pyro_unit_conv_label(&t->conv, dst, v);
}

#endif
