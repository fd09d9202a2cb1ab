/*
 * flame_priv.h - what the parts of the flame graph share (inside render/).
 *
 * render.h is the interface (pyro_flame_render, pyro_icicle_render); the
 * code is two files: flame_tree.c (the prefix tree of the stacks, and
 * pruning: which boxes are drawn) and flame.c (the SVG: header, frames,
 * script).  This header holds the layout numbers, the tree and the
 * rendering context; nothing outside those files includes it.
 */
#ifndef PYRO_FLAME_PRIV_H
#define PYRO_FLAME_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../model/buf.h"
#include "../model/stacks.h"

#define FLAME_W         1200    /* image and frame area width, px */
#define FLAME_FRAME_H   16      /* row pitch, px */
#define FLAME_RECT_H    15      /* box height, px (1 px gap between rows) */
#define FLAME_TOP       60      /* title and subtitle above the frames, px */
#define FLAME_BOTTOM    34      /* details line below the frames, px */
#define FLAME_MIN_W     0.5     /* narrower boxes are left out, px */
#define FLAME_MAX_BOXES 2500    /* at most this many frames are drawn */
#define FLAME_REST_MIN_W 2.0    /* narrower runs of hidden frames: not drawn */
#define FLAME_NAME_MAX  500     /* longer names are cut, characters */
#define FLAME_CHAR_W    7.25    /* assumed glyph advance at 12px monospace */
#define FLAME_PAD       3       /* label inset from the box's left edge, px */
#define FLAME_THUMB_ASPECT 2.0  /* width / height a thumbnail should get */
#define FLAME_STRETCH   2.0     /* at most this much taller without script */

/* One node of the prefix tree, stored in preorder with children sorted by
 * name: a node's subtree is the run of following nodes deeper than it. */
struct flame_node {
	uint32_t name;          /* strtab id; unused for the root (index 0) */
	uint32_t depth;         /* 0 for the root "all" */
	int64_t value;          /* sum over the stacks through this node, > 0;
				 * in a diff |base| + |target| (diff_width) */
	int64_t delta;          /* diffs: target - base through this node */
	int64_t base;           /* diffs: the base through this node */
};

struct flame_tree {
	struct flame_node *nodes;       /* preorder; owned */
	size_t n;
	size_t cap;
	uint32_t maxdepth;              /* deepest node */
};

/* What one rendering needs besides the tree. */
struct flame_ctx {
	const struct pyro_stacks *s;
	struct pyro_buf *out;
	bool down;                      /* icicle: root at the top */
	struct pyro_buf text;           /* scratch: a cleaned name; owned */
	struct pyro_buf unit_suffix;    /* " contentions" or ""; owned */
	int64_t total;                  /* root value, > 0 unless no samples */
	int64_t quantum;                /* gcd of all node values, >= 1 */
	int64_t cut;                    /* frames of value <= cut are hidden */
	bool capped;                    /* cut comes from FLAME_MAX_BOXES */
	unsigned char *keep;            /* per node: drawn; owned */
	uint32_t maxdepth;              /* deepest drawn node */
	int height;                     /* image height, px */
	size_t nhidden;                 /* nodes left out */
	int64_t hidden_value;           /* value of the outermost hidden nodes */
	bool diff;                      /* differential: colour by change */
	const struct flame_node *root;  /* the tree's root; not owned */
	int64_t pprof_total;            /* pyro_stacks_total: sum of |sample| */
};

static inline struct pyro_str frame_name(const struct pyro_stacks *s, uint32_t id)
{
	return pyro_strtab_get(&s->strs, id);
}

static inline double width_px(int64_t value, int64_t total)
{
	return (double)value * FLAME_W / (double)total;
}

/* Build t (its nodes owned; pyro_flame_tree_release) from the stacks of s
 * drawn (see flame.c's top comment on diffs). */
int pyro_flame_tree_build(const struct pyro_stacks *s, struct flame_tree *t);
void pyro_flame_tree_release(struct flame_tree *t);

/* Decide which nodes of t are drawn (c->keep, owned by c) and fill c's
 * quantum, cut, capped, maxdepth, nhidden and hidden_value; c->total set. */
int pyro_flame_prune(struct flame_ctx *c, const struct flame_tree *t);

#endif
