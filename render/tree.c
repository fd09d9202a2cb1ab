/*
 * tree.c - tree.txt: the call tree as indented text, for a terminal.
 *
 * The tree is the prefix tree of the stacks by frame name (the names of
 * folded and flame.svg): a line per call path, roots first, each child
 * indented two spaces under its caller.  Every line reads
 *
 *        cum   cum%       flat  flat%  <indent>name
 *
 * with cum the value of the stacks passing through the path, flat that of
 * the stacks ending there, pprof's unit labels and percentages of the total
 * (of the base's total for diffs, of the whole node's for label nodes, as
 * top.txt).  Children are sorted by |cum|
 * descending, then name bytewise; those under 0.5% of the total (pprof's
 * default node fraction, compared exactly) are folded into one
 * "… N more (X)" line below their shown siblings, X their summed cum.
 *
 * Building is linear in the stack references (a hash of (parent, name) ->
 * child); printing sorts each shown node's children once and walks the tree
 * with an explicit stack, so deep recursion in a profile cannot overflow
 * ours.
 */
#include "render.h"
#include "text.h"
#include "units.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NO_NODE UINT32_MAX

struct tnode {
	uint32_t name;          /* strtab id of the frame name */
	uint32_t first_child;   /* NO_NODE if none */
	uint32_t next_sibling;  /* NO_NODE if last */
	uint32_t parent;
	int64_t cum, flat;
};

/* A line to print, or a "… N more" line when more != 0. */
struct item {
	uint32_t node;          /* the node, or the parent of a "more" line */
	uint32_t depth;
	uint32_t more;          /* folded children */
	int64_t more_cum;
};

/* A child with its sort keys. */
struct child {
	int64_t abs_cum;
	struct pyro_str name;
	uint32_t node;
};

struct tree {
	const struct pyro_stacks *s;
	struct tnode *nodes;    /* 0 is the root: every stack */
	uint32_t nnodes, cap;
	uint32_t *slots;        /* (parent, name) -> node + 1; 0 = empty */
	size_t nslots;          /* power of two, >= 2 * nnodes */
	int64_t total;          /* percentages are of this */
	int64_t fold_max;       /* children with |cum| <= this are folded:
				 * under 0.5% of the total, exactly */
	const char *unit;
};

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

static uint64_t slot_hash(uint32_t parent, uint32_t name)
{
	uint64_t h = ((uint64_t)parent << 32) | name;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static int rehash(struct tree *t, size_t nslots)
{
	uint32_t *slots = calloc(nslots, sizeof(*slots));
	uint32_t i;
	size_t j;

	if (!slots)
		return -ENOMEM;
	for (i = 1; i < t->nnodes; i++) {
		j = slot_hash(t->nodes[i].parent, t->nodes[i].name) & (nslots - 1);
		while (slots[j])
			j = (j + 1) & (nslots - 1);
		slots[j] = i + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = nslots;
	return 0;
}

/* The child of parent called name, created if new. */
static int child(struct tree *t, uint32_t parent, uint32_t name, uint32_t *out)
{
	struct tnode *n;
	size_t j;
	int rc;

	if (t->nslots < 2 * ((size_t)t->nnodes + 1)) {
		rc = rehash(t, t->nslots ? 2 * t->nslots : 1024);
		if (rc)
			return rc;
	}
	for (j = slot_hash(parent, name) & (t->nslots - 1); t->slots[j];
	     j = (j + 1) & (t->nslots - 1)) {
		n = &t->nodes[t->slots[j] - 1];
		if (n->parent == parent && n->name == name) {
			*out = t->slots[j] - 1;
			return 0;
		}
	}
	if (t->nnodes == t->cap) {
		uint32_t cap = t->cap ? 2 * t->cap : 1024;

		if (t->cap >= UINT32_MAX / 4)
			return -EOVERFLOW;
		n = realloc(t->nodes, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		t->nodes = n;
		t->cap = cap;
	}
	n = &t->nodes[t->nnodes];
	n->name = name;
	n->parent = parent;
	n->first_child = NO_NODE;
	n->next_sibling = t->nodes[parent].first_child;
	n->cum = n->flat = 0;
	t->nodes[parent].first_child = t->nnodes;
	t->slots[j] = t->nnodes + 1;
	*out = t->nnodes++;
	return 0;
}

/* The prefix tree of every non-zero stack. */
static int build(struct tree *t)
{
	const struct pyro_stacks *s = t->s;
	size_t k;
	int rc = 0;

	t->nodes = malloc(1024 * sizeof(*t->nodes));
	if (!t->nodes)
		return -ENOMEM;
	t->cap = 1024;
	t->nnodes = 1;
	memset(&t->nodes[0], 0, sizeof(t->nodes[0]));
	t->nodes[0].first_child = t->nodes[0].next_sibling = NO_NODE;
	t->nodes[0].parent = NO_NODE;
	for (k = 0; k < s->nstacks && !rc; k++) {
		const struct pyro_stack *st = &s->stacks[k];
		const uint32_t *refs = pyro_stack_refs(s, st);
		uint32_t cur = 0, d;

		if (st->value == 0)
			continue;
		/* Sums stay within the stacks' total, checked to fit. */
		t->nodes[0].cum += st->value;
		for (d = 0; d < st->depth && !rc; d++) {
			rc = child(t, cur, s->frames[PYRO_REF_FRAME(refs[d])].name,
				   &cur);
			if (!rc)
				t->nodes[cur].cum += st->value;
		}
		t->nodes[cur].flat += st->value;
	}
	return rc;
}

/* |cum| desc, name bytewise asc. */
static int child_cmp(const void *pa, const void *pb)
{
	const struct child *x = pa, *y = pb;
	uint32_t len = x->name.len < y->name.len ? x->name.len : y->name.len;
	int c;

	if (x->abs_cum != y->abs_cum)
		return x->abs_cum > y->abs_cum ? -1 : 1;
	c = memcmp(x->name.ptr, y->name.ptr, len);
	if (c)
		return c;
	return x->name.len < y->name.len ? -1 : x->name.len > y->name.len;
}

static int put_line(const struct tree *t, struct pyro_buf *out,
		    const struct item *it)
{
	const struct tnode *n = &t->nodes[it->node];
	char cum[PYRO_LABEL_MAX], flat[PYRO_LABEL_MAX];
	char pc[PYRO_LABEL_MAX], pf[PYRO_LABEL_MAX];
	struct pyro_str name;
	int rc;

	if (it->more) {
		pyro_unit_label(cum, it->more_cum, t->unit, "auto");
		return pyro_buf_printf(out, "%37s%*s\xe2\x80\xa6 %u more (%s)\n", "",
				       (int)(2 * it->depth), "", it->more, cum);
	}
	name = pyro_strtab_get(&t->s->strs, n->name);
	pyro_unit_label(cum, n->cum, t->unit, "auto");
	pyro_unit_label(flat, n->flat, t->unit, "auto");
	pyro_percentage(pc, n->cum, t->total);
	pyro_percentage(pf, n->flat, t->total);
	rc = pyro_buf_printf(out, "%10s %s %10s %s  %*s", cum, pc, flat, pf,
			     (int)(2 * it->depth), "");
	if (!rc)
		rc = pyro_buf_put_safe(out, name.ptr, name.len);
	return rc ? rc : pyro_buf_putc(out, '\n');
}

/* Push the children of item `parent` (sorted, folded) onto the stack. */
static void push_children(const struct tree *t, uint32_t parent,
			  uint32_t depth, struct child *kids,
			  struct item *stack, size_t *sp)
{
	uint32_t c, n = 0, shown = 0, i;
	struct item more = { parent, depth, 0, 0 };

	for (c = t->nodes[parent].first_child; c != NO_NODE;
	     c = t->nodes[c].next_sibling) {
		kids[n].abs_cum = abs64(t->nodes[c].cum);
		kids[n].name = pyro_strtab_get(&t->s->strs, t->nodes[c].name);
		kids[n].node = c;
		n++;
	}
	qsort(kids, n, sizeof(*kids), child_cmp);
	for (i = 0; i < n; i++) {
		if (kids[i].abs_cum > t->fold_max) {
			shown++;
			continue;
		}
		more.more++;
		more.more_cum += t->nodes[kids[i].node].cum;
	}
	/* Sorted by |cum|, so the shown children come first. */
	if (more.more)
		stack[(*sp)++] = more;
	for (i = shown; i-- > 0;) {
		struct item it = { kids[i].node, depth, 0, 0 };

		stack[(*sp)++] = it;
	}
}

/* A label node: "Label: key=value, 0.95s (26.61%)" - its samples' share
 * of the Total above, which percentages are of. */
static int put_filter(const struct tree *t, struct pyro_buf *out)
{
	char kept[PYRO_LABEL_MAX], pct[PYRO_LABEL_MAX];
	const char *p = pct;
	struct pyro_buf f = PYRO_BUF_INIT;
	int rc;

	pyro_unit_label(kept, t->nodes[0].cum, t->unit, "auto");
	pyro_percentage(pct, t->nodes[0].cum, t->total);
	while (*p == ' ')
		p++;
	/* Label values come from the profile: escaped, as frame names. */
	rc = pyro_filter_text(&t->s->meta, &f);
	if (!rc)
		rc = pyro_buf_puts(out, "Label: ");
	if (!rc)
		rc = pyro_buf_put_safe(out, f.data, f.len);
	pyro_buf_release(&f);
	return rc ? rc : pyro_buf_printf(out, ", %s (%s)\n", kept, p);
}

/* "Filters: focus=a, hide=b": what a filtered node kept (expressions
 * come from the path: escaped, as frame names). */
static int put_name_filters(const struct pyro_meta *m, struct pyro_buf *out)
{
	const char *p = m->name_filters, *e;
	int rc = pyro_buf_puts(out, "Filters: ");

	while (!rc && *p) {
		e = strchr(p, '\n');
		if (!e)
			e = p + strlen(p);
		rc = pyro_buf_put_safe(out, p, (size_t)(e - p));
		if (!rc && *e)
			rc = pyro_buf_puts(out, ", ");
		p = *e ? e + 1 : e;
	}
	return rc ? rc : pyro_buf_putc(out, '\n');
}

static int put_header(const struct tree *t, struct pyro_buf *out)
{
	const struct pyro_meta *m = &t->s->meta;
	char tot[PYRO_LABEL_MAX], when[40];
	int rc = 0;

	if (m->sample_type && *m->sample_type)
		rc = pyro_buf_printf(out, "Type: %s\n", m->sample_type);
	if (!rc && m->time_nanos) {
		pyro_utc_time(when, m->time_nanos);
		rc = pyro_buf_printf(out, "Time: %s\n", when);
	}
	if (!rc && m->rule > PYRO_MERGE_SINGLE && m->rule <= PYRO_MERGE_SERVER_SUM)
		rc = pyro_buf_printf(out, "Merge: %s of %u snapshot%s\n",
				     pyro_merge_rule_name(m->rule), m->nsnapshots,
				     m->nsnapshots == 1 ? "" : "s");
	pyro_unit_label(tot, t->total, t->unit, "auto");
	if (!rc && t->s->base)
		rc = pyro_buf_printf(out, "Diff: minus %s, whose total %s is 100%%\n",
				     m->base_span ? m->base_span : "the base", tot);
	else if (!rc)
		rc = pyro_buf_printf(out, "Total: %s\n", tot);
	if (!rc && m->filter)
		rc = put_filter(t, out);
	if (!rc && m->name_filters)
		rc = put_name_filters(m, out);
	if (!rc)
		rc = pyro_buf_puts(out, "       cum   cum%       flat  flat%\n");
	return rc;
}

static int put_tree(const struct tree *t, struct pyro_buf *out)
{
	struct child *kids = malloc(t->nnodes * sizeof(*kids));
	struct item *stack = malloc((t->nnodes + 1) * sizeof(*stack) * 2);
	size_t sp = 0;
	int rc = 0;

	if (!kids || !stack) {
		rc = -ENOMEM;
		goto cleanup;
	}
	push_children(t, 0, 0, kids, stack, &sp);
	while (sp && !rc) {
		struct item it = stack[--sp];

		rc = put_line(t, out, &it);
		if (!rc && !it.more)
			push_children(t, it.node, it.depth + 1, kids, stack, &sp);
	}
cleanup:
	free(kids);
	free(stack);
	return rc;
}

int pyro_tree_render(const struct pyro_stacks *s, struct pyro_buf *out)
{
	struct tree t = { .s = s };
	size_t start = out->len;
	int rc;

	t.unit = s->meta.sample_unit ? s->meta.sample_unit : "";
	rc = pyro_stacks_percent_total(s, &t.total);
	if (!rc)
		rc = build(&t);
	if (rc)
		goto cleanup;
	/* 200 |cum| < total, without overflow; -1 folds nothing. */
	t.fold_max = t.total > 0 ? (t.total - 1) / 200 : -1;
	rc = put_header(&t, out);
	if (!rc)
		rc = put_tree(&t, out);
cleanup:
	if (rc)
		pyro_buf_truncate(out, start);  /* as it was (render.h) */
	free(t.nodes);
	free(t.slots);
	return rc;
}
