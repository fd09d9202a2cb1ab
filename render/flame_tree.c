/*
 * flame_tree.c - the prefix tree a flame graph draws, and pruning: the
 * stacks sorted by their names' bytes and merged into a tree stored in
 * preorder (in a diff, every stack of either side, each as wide as |base| +
 * |target|), then which of its nodes are drawn under the size bound (see
 * "Pruning" at the top of flame.c).  flame.c draws the result as SVG;
 * flame_priv.h is what the two files share.
 */
#include "flame_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A stack with a positive value, in the order tree_build() sorts them. */
struct flame_stack {
	const struct pyro_stacks *s;
	const uint32_t *refs;
	uint32_t depth;
	int64_t value;          /* the width: in a diff |base| + |target| */
	int64_t delta;          /* diffs: target - base */
	int64_t base;           /* diffs: the base */
};

/* ---- prefix tree ---------------------------------------------------- */

/* Compare two frame references by name bytes. */
static int ref_cmp(const struct pyro_stacks *s, uint32_t a, uint32_t b)
{
	uint32_t ia = s->frames[PYRO_REF_FRAME(a)].name;
	uint32_t ib = s->frames[PYRO_REF_FRAME(b)].name;
	struct pyro_str x, y;
	int r;

	if (ia == ib)
		return 0;
	x = frame_name(s, ia);
	y = frame_name(s, ib);
	r = memcmp(x.ptr, y.ptr, x.len < y.len ? x.len : y.len);
	if (r)
		return r;
	return x.len < y.len ? -1 : x.len > y.len;
}

/* Lexicographic order of the name sequences: a prefix sorts first. */
static int stack_cmp(const void *pa, const void *pb)
{
	const struct flame_stack *a = pa, *b = pb;
	uint32_t i, n = a->depth < b->depth ? a->depth : b->depth;
	int r;

	for (i = 0; i < n; i++) {
		r = ref_cmp(a->s, a->refs[i], b->refs[i]);
		if (r)
			return r;
	}
	return a->depth < b->depth ? -1 : a->depth > b->depth;
}

static int tree_push(struct flame_tree *t, uint32_t name, uint32_t depth,
		     int64_t value, int64_t delta, int64_t base)
{
	int rc;

	if (t->n == t->cap &&
	    (rc = pyro_grow_array(&t->nodes, &t->cap, t->n + 1, sizeof(*t->nodes))))
		return rc;
	t->nodes[t->n++] = (struct flame_node){ name, depth, value, delta, base };
	if (depth > t->maxdepth)
		t->maxdepth = depth;
	return 0;
}

/* A diff's stack k as drawn: both sides, and its width |base| + |target|,
 * so a stack keeps its place whichever side it is in (Pyroscope's diff
 * view does the same): a frame that vanished is drawn at its base's
 * width, one that is new at its target's, and every frame's base and
 * target are the full sums of both sides.  -EOVERFLOW past 64 bits. */
static int diff_width(const struct pyro_stacks *s, size_t k,
		      struct flame_stack *fs)
{
	int64_t b = s->base[k], t, w;

	fs->delta = s->stacks[k].value;
	fs->base = b;
	if (__builtin_add_overflow(fs->delta, b, &t) || t == INT64_MIN ||
	    b == INT64_MIN ||
	    __builtin_add_overflow(t < 0 ? -t : t, b < 0 ? -b : b, &w))
		return -EOVERFLOW;
	fs->value = w;
	return 0;
}

/* The stacks of s drawn (positive values; in a diff every stack of either
 * side), sorted; *total receives the sum of their widths, *delta of their
 * target - base. */
static int sorted_stacks(const struct pyro_stacks *s, struct flame_stack **out,
			 size_t *n, int64_t *total, int64_t *delta,
			 uint32_t *maxdepth)
{
	struct flame_stack *v = malloc((s->nstacks ? s->nstacks : 1) * sizeof(*v));
	size_t k;

	if (!v)
		return -ENOMEM;
	*n = 0;
	*total = 0;
	*delta = 0;
	*maxdepth = 0;
	for (k = 0; k < s->nstacks; k++) {
		const struct pyro_stack *st = &s->stacks[k];
		struct flame_stack fs = { s, pyro_stack_refs(s, st), st->depth,
					  st->value, 0, 0 };

		if (s->base && diff_width(s, k, &fs)) {
			free(v);
			return -EOVERFLOW;
		}
		if (fs.value <= 0)
			continue;
		if (__builtin_add_overflow(*total, fs.value, total) ||
		    __builtin_add_overflow(*delta, fs.delta, delta)) {
			free(v);
			return -EOVERFLOW;
		}
		v[(*n)++] = fs;
		if (st->depth > *maxdepth)
			*maxdepth = st->depth;
	}
	qsort(v, *n, sizeof(*v), stack_cmp);
	*out = v;
	return 0;
}

/* Build the prefix tree: walking the sorted stacks, each one shares a prefix
 * with the current path (those nodes gain its value) and appends the rest
 * as new nodes, which lands them in preorder with sorted children. */
int pyro_flame_tree_build(const struct pyro_stacks *s, struct flame_tree *t)
{
	struct flame_stack *v = NULL;
	size_t *path = NULL;            /* node index by depth; path[0] = root */
	size_t n, k, plen = 1;
	int64_t total, delta;
	uint32_t maxdepth, i;
	int rc;

	memset(t, 0, sizeof(*t));
	rc = sorted_stacks(s, &v, &n, &total, &delta, &maxdepth);
	if (rc)
		goto out;
	path = malloc(((size_t)maxdepth + 1) * sizeof(*path));
	rc = path ? tree_push(t, 0, 0, total, delta, 0) : -ENOMEM;
	if (rc)
		goto out;
	path[0] = 0;
	for (k = 0; k < n; k++) {
		const struct flame_stack *st = &v[k];

		t->nodes[0].base += st->base;   /* |base| <= width: no overflow */
		for (i = 0; i < st->depth && i + 1 < plen; i++) {
			struct flame_node *nd = &t->nodes[path[i + 1]];

			if (nd->name != s->frames[PYRO_REF_FRAME(st->refs[i])].name)
				break;
			nd->value += st->value;
			nd->delta += st->delta;
			nd->base += st->base;
		}
		for (; i < st->depth; i++) {
			path[i + 1] = t->n;
			rc = tree_push(t, s->frames[PYRO_REF_FRAME(st->refs[i])].name,
				       i + 1, st->value, st->delta, st->base);
			if (rc)
				goto out;
		}
		plen = (size_t)st->depth + 1;
	}
out:
	free(path);
	free(v);
	return rc;
}

void pyro_flame_tree_release(struct flame_tree *t)
{
	free(t->nodes);
	memset(t, 0, sizeof(*t));
}

/* ---- pruning -------------------------------------------------------- */

static int64_t gcd64(int64_t a, int64_t b)
{
	while (b) {
		int64_t r = a % b;

		a = b;
		b = r;
	}
	return a;
}

static int cmp_desc(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;

	return a < b ? 1 : a > b ? -1 : 0;
}

/* Decide which nodes are drawn (see the top of the file) and count the
 * hidden ones.  The hidden nodes whose parent is drawn are the outermost:
 * their values sum without overlap. */
int pyro_flame_prune(struct flame_ctx *c, const struct flame_tree *t)
{
	int64_t *vals = NULL;
	bool *drawn = NULL;             /* by depth: the last node seen drawn */
	size_t k, nwide = 0;
	int rc = -ENOMEM;

	c->keep = calloc(t->n, 1);
	drawn = calloc((size_t)t->maxdepth + 1, sizeof(*drawn));
	if (!c->keep || !drawn)
		goto out;
	c->quantum = 0;
	for (k = 0; k < t->n; k++) {
		c->quantum = gcd64(t->nodes[k].value, c->quantum);
		nwide += width_px(t->nodes[k].value, c->total) >= FLAME_MIN_W;
	}
	c->cut = 0;
	if (nwide > FLAME_MAX_BOXES) {
		size_t i = 0;

		vals = malloc(nwide * sizeof(*vals));
		if (!vals)
			goto out;
		for (k = 0; k < t->n; k++)
			if (width_px(t->nodes[k].value, c->total) >= FLAME_MIN_W)
				vals[i++] = t->nodes[k].value;
		qsort(vals, nwide, sizeof(*vals), cmp_desc);
		c->cut = vals[FLAME_MAX_BOXES];  /* the widest frame not drawn */
		c->capped = true;
	}
	for (k = 0; k < t->n; k++) {
		const struct flame_node *nd = &t->nodes[k];

		drawn[nd->depth] = k == 0 || (nd->value > c->cut &&
				   width_px(nd->value, c->total) >= FLAME_MIN_W);
		c->keep[k] = drawn[nd->depth];
		if (drawn[nd->depth]) {
			if (nd->depth > c->maxdepth)
				c->maxdepth = nd->depth;
			continue;
		}
		c->nhidden++;
		if (drawn[nd->depth - 1])
			c->hidden_value += nd->value;
	}
	rc = 0;
out:
	free(vals);
	free(drawn);
	return rc;
}
