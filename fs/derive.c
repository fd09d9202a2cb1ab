/*
 * derive.c - derived time nodes: a time node is a span of a series, and a
 * derivation says what is made of it instead of its own stacks.
 *
 *   none    the span's stacks, from the source
 *   diff    diff/<base>/<time>: time's stacks minus base's (model/diff.h)
 *   label   <time>/labels/<key>/<value>: the span's samples carrying
 *           key=value, merged by the rule the whole span merged by, with
 *           percentages of its total (the source's filtered stacks)
 *
 * Every question that depends on the derivation (its path, its stacks,
 * what its identity is made of, how new it is, which attributes and files
 * it has) is one lookup in derivations[] - no flags tested elsewhere.
 * The pieces a derivation builds from are views (struct pyro_tview) of
 * the same node: the base of a diff and the plain span under a label node
 * are built and cached as their own time nodes, so `diff/a/b` reuses the
 * stacks of `a` and `b`.
 */
#include "node.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../model/diff.h"
#include "../model/filter.h"
#include "../model/labels.h"

const struct pyro_derivation pyro_deriv_none = { .kind = PYRO_DERIV_NONE };

void pyro_tview_of(const struct pyro_node *n, struct pyro_tview *v)
{
	v->n = n;
	v->time = &n->time;
	v->deriv = &n->deriv;
}

void pyro_tview_plain(const struct pyro_node *n, struct pyro_tview *v)
{
	v->n = n;
	v->time = &n->time;
	v->deriv = &pyro_deriv_none;
}

static int put(char *out, size_t size, int len)
{
	return len < 0 || (size_t)len >= size ? -ENAMETOOLONG : 0;
}

/* ---- none ------------------------------------------------------------------- */

static int none_key(const struct pyro_tview *v, char *out, size_t size)
{
	return put(out, size, snprintf(out, size, "%s", v->time->name));
}

/* ---- diff --------------------------------------------------------------------- */

static int diff_key(const struct pyro_tview *v, char *out, size_t size)
{
	return put(out, size, snprintf(out, size, "%s/%s/%s", DIFF_DIR,
				       v->deriv->arg.base.name,
				       v->time->name));
}

/* The diff of the base and the target, built from their (cached) stacks. */
static int diff_build(struct pyro_fs *fs, const struct pyro_tview *v,
		      struct pyro_stacks *out)
{
	struct pyro_shared_stacks *base = NULL, *target = NULL;
	struct pyro_tview b = { v->n, &v->deriv->arg.base, &pyro_deriv_none };
	struct pyro_tview t = { v->n, v->time, &pyro_deriv_none };
	int rc;

	rc = pyro_content_stacks(fs, &b, &base);
	if (!rc)
		rc = pyro_content_stacks(fs, &t, &target);
	if (!rc)
		rc = pyro_diff_build(&base->s, &target->s,
				     v->deriv->arg.base.name, out);
	else
		memset(out, 0, sizeof(*out));
	if (base)
		pyro_obj_put(&base->obj);
	if (target)
		pyro_obj_put(&target->obj);
	return rc;
}

static void diff_ident(const struct pyro_fs *fs, const struct pyro_tview *v,
		       uint64_t *h, int *open)
{
	int o = 0;

	*h = pyro_ident_mix(*h, 1);
	fs->src->ops->ident(fs->src, v->n->ix, v->n->series,
			    &v->deriv->arg.base.span, h, &o);
	*open |= o;
}

static int64_t diff_newest(const struct pyro_tview *v)
{
	const struct pyro_span *sp = &v->deriv->arg.base.span;

	return v->n->series->points[sp->first + sp->count - 1].time_nanos;
}

/* ---- label -------------------------------------------------------------------- */

static int label_key(const struct pyro_tview *v, char *out, size_t size)
{
	return put(out, size, snprintf(out, size, "%s/%s/%s/%s",
				       v->time->name, LABELS_DIR,
				       v->n->label_key, v->deriv->arg.value));
}

/* The samples of the plain span carrying the label, merged by the plain
 * span's rule, percentages of its total. */
static int label_build(struct pyro_fs *fs, const struct pyro_tview *v,
		       struct pyro_stacks *out)
{
	struct pyro_tview whole_v = { v->n, v->time, &pyro_deriv_none };
	struct pyro_merge_filter f = { 0 };
	struct pyro_shared_stacks *whole = NULL;
	struct pyro_shared_labels *sl = NULL;
	const struct pyro_label_value *val = NULL;
	const struct pyro_label_key *k = NULL;
	char err[PYRO_ERR_MAX];
	int rc;

	memset(out, 0, sizeof(*out));
	rc = pyro_content_stacks(fs, &whole_v, &whole);
	if (!rc)
		rc = pyro_content_labels(fs, v->n, &sl);
	if (!rc)
		rc = pyro_stacks_total(&whole->s, &f.whole_total);
	if (!rc && (k = pyro_label_set_key(&sl->ls, v->n->label_key)))
		val = pyro_label_key_value(k, v->deriv->arg.value);
	if (!rc && !val)
		rc = -ENOENT;
	if (!rc) {
		f.key = k->text;
		f.key_len = k->len;
		f.value = val->text;
		f.value_len = val->len;
		if (val->kinds == PYRO_LABEL_NUMBER)
			f.unit = k->unit;
		f.rule = whole->s.meta.rule;
		rc = fs->src->ops->stacks(fs->src, v->n->ix, v->n->series,
					  &v->time->span, v->time->name, &f,
					  out, err);
	}
	if (sl)
		pyro_obj_put(&sl->obj);
	if (whole)
		pyro_obj_put(&whole->obj);
	return rc;
}

/* ---- the table ------------------------------------------------------------------ */

const struct pyro_deriv_ops pyro_derivations[PYRO_DERIV_NKINDS] = {
	[PYRO_DERIV_NONE] = {
		.name = "none",
		.time_key = none_key,
		.xattrs = PYRO_XA_BASELINE,
		.labels = 1,
		.keeps_pages = 1,
	},
	[PYRO_DERIV_DIFF] = {
		.name = "diff",
		.time_key = diff_key,
		.build = diff_build,
		.ident = diff_ident,
		.newest = diff_newest,
		.xattrs = PYRO_XA_BASE,
		.signed_total = 1,
	},
	[PYRO_DERIV_LABEL] = {
		.name = "label",
		.time_key = label_key,
		.build = label_build,
		.xattrs = PYRO_XA_BASELINE | PYRO_XA_LABEL,
		.keeps_pages = 1,
	},
};

/* ---- what every view answers ---------------------------------------------------- */

int pyro_tview_key(const struct pyro_tview *v, char *out, size_t size)
{
	int len = snprintf(out, size, "%s/%s/", v->n->svc->name,
			   v->n->series->type);
	size_t used;
	int rc;

	if (len < 0 || (size_t)len >= size)
		return -ENAMETOOLONG;
	rc = deriv_of(v->deriv)->time_key(v, out + len, size - (size_t)len);
	if (rc || !v->deriv->chain[0])
		return rc;
	used = strlen(out);
	return put(out + used, size - used,
		   snprintf(out + used, size - used, "/%s", v->deriv->chain));
}

/*
 * What a time node's content is made of: the source's identity of its
 * span (local: the identity of every profile file it reads), then what
 * its derivation reads besides, over a seed of the merge policy.  It goes
 * into cache keys and file inode numbers, so when the source changes, a
 * node whose inputs changed is a new object - never stale bytes from the
 * cache, never old pages from the kernel's - while nodes whose inputs did
 * not change keep their cache.
 */
uint64_t pyro_tview_ident(const struct pyro_fs *fs, const struct pyro_tview *v,
			  int *open)
{
	const struct pyro_deriv_ops *d = deriv_of(v->deriv);
	uint64_t h = PYRO_HASH_SEED ^ (uint64_t)fs->opts.merge;
	int o = 0;

	fs->src->ops->ident(fs->src, v->n->ix, v->n->series, &v->time->span,
			    &h, &o);
	if (d->ident)
		d->ident(fs, v, &h, &o);
	if (open)
		*open = o;
	return h;
}

int64_t pyro_tview_newest(const struct pyro_tview *v)
{
	const struct pyro_deriv_ops *d = deriv_of(v->deriv);
	const struct pyro_span *sp = &v->time->span;
	int64_t t = v->n->series->points[sp->first + sp->count - 1].time_nanos;

	if (d->newest && d->newest(v) > t)
		t = d->newest(v);
	return t;
}

/* ---- filter chains ------------------------------------------------------------ */

/*
 * A chain is kept as the path segments that made it, so a filtered node's
 * path, cache key and inode number need nothing else; it is parsed again
 * (and its expressions compiled again) only when its stacks are built,
 * which the cache makes rare.
 */

/* The next '/'-separated segment of *p into seg (NUL-terminated); 0 at the
 * end of the chain. */
static int next_seg(const char **p, char seg[NAME_MAX + 1])
{
	const char *s = *p, *e;

	if (!*s)
		return 0;
	e = strchr(s, '/');
	if (!e)
		e = s + strlen(s);
	if ((size_t)(e - s) > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(seg, s, (size_t)(e - s));
	seg[e - s] = '\0';
	*p = *e ? e + 1 : e;
	return 1;
}

/* Decode a filter's expression: "%XX" is the byte XX (so "%2F" is '/'
 * and "%25" '%', as in label values), every other byte stands for itself
 * (a leading '.', common in expressions, needs no escape here, since the
 * segment starts with the filter's name).  -EINVAL for a '%' without two
 * hex digits. */
static int decode_re(const char *s, struct pyro_buf *out)
{
	static const char hex[] = "0123456789abcdef0123456789ABCDEF";
	int rc = 0;

	for (; *s && !rc; s++) {
		const char *hi, *lo;

		if (*s != '%') {
			rc = pyro_buf_putc(out, *s);
			continue;
		}
		hi = s[1] ? strchr(hex, s[1]) : NULL;
		lo = hi && s[2] ? strchr(hex, s[2]) : NULL;
		if (!hi || !lo)
			return -EINVAL;
		rc = pyro_buf_putc(out, (char)(((hi - hex) % 16) * 16 +
					       (lo - hex) % 16));
		s += 2;
	}
	return rc;
}

/* A filter segment "<kind>=<RE>": its kind and the decoded expression
 * (NUL-terminated in re).  -ENOENT if seg is none. */
static int parse_filter(const char *seg, enum pyro_filter_kind *kind,
			struct pyro_buf *re)
{
	const char *eq = strchr(seg, '=');
	int rc;

	if (!eq || pyro_filter_kind_parse(seg, (size_t)(eq - seg), kind))
		return -ENOENT;
	/* An empty expression is no filter to pprof: refuse it, so every
	 * filtered path filters. */
	if (!eq[1])
		return -ENOENT;
	rc = decode_re(eq + 1, re);
	if (!rc)
		rc = pyro_buf_putc(re, '\0');
	return rc == -ENOMEM ? rc : rc ? -ENOENT : 0;
}

/* The kinds used by the last group of chain (after its last function
 * side), as bits. */
static unsigned group_kinds(const char *chain)
{
	char seg[NAME_MAX + 1];
	enum pyro_filter_kind k;
	unsigned used = 0;
	const char *p = chain;

	while (next_seg(&p, seg) > 0) {
		const char *eq = strchr(seg, '=');

		if (!strcmp(seg, FUNCTIONS_DIR)) {
			/* functions/<name>/<side>: a new group after it */
			next_seg(&p, seg);
			next_seg(&p, seg);
			used = 0;
		} else if (eq && !pyro_filter_kind_parse(seg, (size_t)(eq - seg), &k)) {
			used |= 1u << k;
		}
	}
	return used;
}

static int chain_append(struct pyro_derivation *d, const char *seg)
{
	size_t len = strlen(d->chain);

	return put(d->chain + len, sizeof(d->chain) - len,
		   snprintf(d->chain + len, sizeof(d->chain) - len, "%s%s",
			    len ? "/" : "", seg));
}

/* A bad expression under path: a line in /.pyrofs/errors. */
static void bad_regex(struct pyro_fs *fs, const struct pyro_node *n,
		      const char *comp, const char *why)
{
	char path[PATH_MAX];
	struct pyro_tview v;
	size_t len;

	if (!fs->src->ops->problem)
		return;
	pyro_tview_of(n, &v);
	if (pyro_tview_key(&v, path, sizeof(path)))
		return;
	len = strlen(path);
	if (put(path + len, sizeof(path) - len,
		snprintf(path + len, sizeof(path) - len, "/%s", comp)))
		return;
	fs->src->ops->problem(fs->src, n->ix, path, why);
}

int pyro_chain_step(struct pyro_fs *fs, struct pyro_node *n, const char *comp)
{
	struct pyro_buf text = PYRO_BUF_INIT;
	struct pyro_regex *re = NULL;
	enum pyro_filter_kind kind;
	char err[PYRO_ERR_MAX];
	int rc;

	rc = parse_filter(comp, &kind, &text);
	if (!rc && (group_kinds(n->deriv.chain) & (1u << kind)))
		rc = -ENOENT;   /* one value per flag, as pprof takes */
	if (!rc) {
		rc = pyro_regex_compile(text.data, text.len - 1, &re, err);
		if (rc == -EINVAL)
			bad_regex(fs, n, comp, err);
	}
	if (!rc)
		rc = chain_append(&n->deriv, comp);
	pyro_regex_free(re);
	pyro_buf_release(&text);
	return rc;
}

int pyro_chain_function(struct pyro_node *n, const char *side)
{
	int rc = chain_append(&n->deriv, FUNCTIONS_DIR);

	if (!rc)
		rc = chain_append(&n->deriv, n->func);
	if (!rc)
		rc = chain_append(&n->deriv, side);
	return rc;
}

int pyro_function_find(const struct pyro_stacks *s, const char *dirname,
		       struct pyro_buf *name)
{
	struct pyro_buf enc = PYRO_BUF_INIT;
	uint32_t *ids = NULL;
	size_t n = 0, i;
	int rc, dec;

	dec = pyro_label_decode(dirname, name);
	if (dec && dec != -ENAMETOOLONG)
		return dec == -ENOMEM ? dec : -ENOENT;
	if (!dec) {
		/* A frame of that report name: a look at every frame, not
		 * the sorted list, since `ls -l functions/` looks up every
		 * entry (one only in stacks of value 0 resolves too). */
		uint32_t id;

		if (pyro_strtab_find(&s->strs, name->data, name->len, &id))
			return -ENOENT;
		for (i = 0; i < s->nframes; i++)
			if (s->frames[i].node == id)
				return 0;
		return -ENOENT;
	}
	rc = pyro_stacks_functions(s, &ids, &n);
	for (i = 0; !rc && i < n; i++) {
		struct pyro_str f = pyro_strtab_get(&s->strs, ids[i]);

		/* A shortened name: the function whose name encodes so. */
		enc.len = 0;
		rc = pyro_label_encode(f.ptr, f.len, &enc);
		if (!rc)
			rc = pyro_buf_putc(&enc, '\0');
		if (!rc && !strcmp(enc.data, dirname)) {
			name->len = 0;
			rc = pyro_buf_add(name, f.ptr, f.len);
			break;
		}
	}
	if (!rc && i == n)
		rc = -ENOENT;
	pyro_buf_release(&enc);
	free(ids);
	return rc;
}

/* One group of filter segments, compiled. */
struct group {
	struct pyro_name_filter f;
	struct pyro_regex *re[PYRO_FILTER_NKINDS];
	struct pyro_buf text[PYRO_FILTER_NKINDS];
	int used;
};

static void group_release(struct group *g)
{
	unsigned k;

	for (k = 0; k < PYRO_FILTER_NKINDS; k++) {
		pyro_regex_free(g->re[k]);
		pyro_buf_release(&g->text[k]);
	}
	memset(g, 0, sizeof(*g));
}

static int group_add(struct group *g, const char *seg)
{
	struct pyro_buf text = PYRO_BUF_INIT;
	enum pyro_filter_kind k;
	char err[PYRO_ERR_MAX];
	int rc = parse_filter(seg, &k, &text);

	if (!rc && g->re[k])
		rc = -ENOENT;
	if (!rc)
		rc = pyro_regex_compile(text.data, text.len - 1, &g->re[k], err);
	if (rc) {
		pyro_buf_release(&text);
		return rc;
	}
	g->text[k] = text;
	g->f.re[k] = g->re[k];
	g->f.text[k] = text.data;
	g->used = 1;
	return 0;
}

/* Stacks being transformed: the cached input, then owned results. */
struct chain_state {
	const struct pyro_stacks *cur;
	struct pyro_stacks tmp[2];
	int have;               /* index of tmp holding cur, or -1 */
};

static struct pyro_stacks *chain_next(struct chain_state *c)
{
	return &c->tmp[c->have < 0 ? 0 : !c->have];
}

/* After a step into chain_next: it becomes cur on success, and is
 * released on failure. */
static int chain_advance(struct chain_state *c, int rc)
{
	int next = c->have < 0 ? 0 : !c->have;

	if (rc) {
		pyro_stacks_release(&c->tmp[next]);
		return rc;
	}
	if (c->have >= 0)
		pyro_stacks_release(&c->tmp[c->have]);
	c->have = next;
	c->cur = &c->tmp[next];
	return 0;
}

static int chain_flush(struct chain_state *c, struct group *g)
{
	int rc = 0;

	if (g->used)
		rc = chain_advance(c, pyro_stacks_filter(c->cur, &g->f,
							 chain_next(c)));
	group_release(g);
	return rc;
}

/* "functions/<name>/<side>", the first segment read. */
static int chain_side(struct chain_state *c, const char **p)
{
	char dir[NAME_MAX + 1], side[NAME_MAX + 1];
	struct pyro_buf name = PYRO_BUF_INIT;
	int rc;

	if (next_seg(p, dir) <= 0 || next_seg(p, side) <= 0)
		return -ENOENT;
	rc = pyro_function_find(c->cur, dir, &name);
	if (!rc)
		rc = chain_advance(c, pyro_stacks_function(
			c->cur, name.data, name.len,
			!strcmp(side, CALLERS_DIR) ? PYRO_FUNC_CALLERS :
						     PYRO_FUNC_CALLEES,
			chain_next(c)));
	pyro_buf_release(&name);
	return rc;
}

int pyro_chain_build(struct pyro_fs *fs, const struct pyro_tview *v,
		     struct pyro_stacks *out)
{
	struct chain_state c = { .have = -1 };
	struct pyro_shared_stacks *whole = NULL;
	struct pyro_derivation plain = *v->deriv;
	struct pyro_tview pv = { v->n, v->time, &plain };
	struct group g = { 0 };
	char seg[NAME_MAX + 1];
	const char *p = v->deriv->chain;
	int rc;

	memset(out, 0, sizeof(*out));
	plain.chain[0] = '\0';
	rc = pyro_content_stacks(fs, &pv, &whole);
	if (rc)
		return rc;
	c.cur = &whole->s;
	while (!rc && (rc = next_seg(&p, seg)) > 0) {
		rc = 0;
		if (!strcmp(seg, FUNCTIONS_DIR)) {
			rc = chain_flush(&c, &g);
			if (!rc)
				rc = chain_side(&c, &p);
		} else {
			rc = group_add(&g, seg);
		}
	}
	if (!rc)
		rc = chain_flush(&c, &g);
	group_release(&g);
	if (!rc && c.have < 0)
		rc = -ENOENT;   /* an empty chain: not a chain node */
	if (!rc) {
		*out = c.tmp[c.have];
		memset(&c.tmp[c.have], 0, sizeof(c.tmp[0]));
	}
	pyro_stacks_release(&c.tmp[0]);
	pyro_stacks_release(&c.tmp[1]);
	pyro_obj_put(&whole->obj);
	return rc;
}
