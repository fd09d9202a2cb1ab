/*
 * filter.c - pprof's name filters, a function's callers and callees, and
 * the list of functions; see filter.h for what each keeps.
 *
 * Every filter is decided per frame once (a byte of flags per frame of the
 * input), then each stack is walked once: a location is the run of a
 * frame without PYRO_REF_INLINE and the inlined frames after it, which is
 * how pprof's per-location rules (show_from trims the lines of the
 * matching location above its outermost match, in every stack, since
 * pprof edits the location itself) become per-frame ones here.
 *
 * Regular expressions: PCRE2, the library that reads nearly all of RE2's
 * syntax (\d, non-greedy repeats, (?i), \pL, \Q..\E, named groups), which
 * POSIX regex does not.  Compiled in UTF mode accepting invalid UTF-8 in
 * subjects (function names are untrusted bytes), `$` at the very end only
 * (Go's `$` without (?m)), \C refused (Go has none).  Every match runs
 * under a match and a depth limit: a backtracking bomb fails with -ERANGE.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include "filter.h"

#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Backtracking steps and nesting one match may take: far above what any
 * sane expression needs on a function name, far below a hang. */
#define MATCH_LIMIT 200000u
#define DEPTH_LIMIT 2000u

/* Per-frame flags. */
#define F_FOCUS 1u
#define F_IGNORE 2u
#define F_HIDE 4u
#define F_SHOW 8u
#define F_FROM 16u      /* show_from, or the function of callees/callers */

static const char *const kind_names[PYRO_FILTER_NKINDS] = {
	"focus", "ignore", "hide", "show", "show_from",
};

const char *pyro_filter_kind_name(enum pyro_filter_kind k)
{
	return (unsigned)k < PYRO_FILTER_NKINDS ? kind_names[k] : "unknown";
}

int pyro_filter_kind_parse(const char *s, size_t len,
			   enum pyro_filter_kind *out)
{
	unsigned k;

	for (k = 0; k < PYRO_FILTER_NKINDS; k++)
		if (strlen(kind_names[k]) == len && !memcmp(kind_names[k], s, len)) {
			*out = (enum pyro_filter_kind)k;
			return 0;
		}
	return -ENOENT;
}

/* ---- regular expressions ------------------------------------------------------ */

struct pyro_regex {
	pcre2_code *code;
	pcre2_match_context *mctx;
};

void pyro_regex_free(struct pyro_regex *re)
{
	if (!re)
		return;
	pcre2_match_context_free(re->mctx);
	pcre2_code_free(re->code);
	free(re);
}

int pyro_regex_compile(const char *pattern, size_t len,
		       struct pyro_regex **out, char err[PYRO_ERR_MAX])
{
	struct pyro_regex *re = calloc(1, sizeof(*re));
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE off = 0;
	int code = 0;

	*out = NULL;
	if (!re)
		return -ENOMEM;
	re->code = pcre2_compile((PCRE2_SPTR)pattern, len,
				 PCRE2_UTF | PCRE2_MATCH_INVALID_UTF |
				 PCRE2_DOLLAR_ENDONLY | PCRE2_NEVER_BACKSLASH_C,
				 &code, &off, NULL);
	if (!re->code) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(err, PYRO_ERR_MAX, "bad regular expression at byte %zu: %s",
			 (size_t)off, (const char *)msg);
		pyro_regex_free(re);
		return -EINVAL;
	}
	re->mctx = pcre2_match_context_create(NULL);
	if (!re->mctx) {
		pyro_regex_free(re);
		return -ENOMEM;
	}
	pcre2_set_match_limit(re->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(re->mctx, DEPTH_LIMIT);
	*out = re;
	return 0;
}

int pyro_regex_match(const struct pyro_regex *re, const char *s, size_t len)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	int rc;

	if (!md)
		return -ENOMEM;
	rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, md, re->mctx);
	pcre2_match_data_free(md);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc == PCRE2_ERROR_NOMEMORY)
		return -ENOMEM;
	return -ERANGE;
}

int pyro_regex_quote(const char *s, size_t len, struct pyro_buf *out)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < len && !rc; i++) {
		if (strchr("\\.+*?()|[]{}^$", s[i]) && s[i])
			rc = pyro_buf_putc(out, '\\');
		if (!rc)
			rc = pyro_buf_putc(out, s[i]);
	}
	return rc;
}

/* ---- which frames match ------------------------------------------------------- */

/* Whether frame f matches re, as pprof's Location.matchesName: a frame
 * with a function by its name, its file or its mapping's file; an address
 * frame ("0x..." whose report name differs) by its mapping's file, or,
 * when the source kept none, by the base name in its report name
 * "[name]". */
static int frame_matches(const struct pyro_stacks *s, uint32_t f,
			 const struct pyro_regex *re)
{
	const struct pyro_frame *fr = &s->frames[f];
	struct pyro_str name = pyro_strtab_get(&s->strs, fr->name);
	struct pyro_str node = pyro_strtab_get(&s->strs, fr->node);
	struct pyro_str file = { "", 0 };
	int rc = 0;

	if (fr->mapping != PYRO_NO_FILE) {
		struct pyro_str map = pyro_strtab_get(&s->strs, fr->mapping);

		rc = pyro_regex_match(re, map.ptr, map.len);
		if (rc)
			return rc;
	}
	if (fr->name != fr->node && name.len > 2 && !memcmp(name.ptr, "0x", 2)) {
		if (fr->mapping != PYRO_NO_FILE || node.len < 2 ||
		    node.ptr[0] != '[' || node.ptr[node.len - 1] != ']')
			return 0;
		return pyro_regex_match(re, node.ptr + 1, node.len - 2);
	}
	rc = pyro_regex_match(re, name.ptr, name.len);
	if (rc)
		return rc;
	if (fr->file != PYRO_NO_FILE)
		file = pyro_strtab_get(&s->strs, fr->file);
	return pyro_regex_match(re, file.ptr, file.len);
}

static const unsigned kind_flag[PYRO_FILTER_NKINDS] = {
	F_FOCUS, F_IGNORE, F_HIDE, F_SHOW, F_FROM,
};

/* flags[f] for every frame of s and every expression of flt. */
static int regex_flags(const struct pyro_stacks *s,
		       const struct pyro_name_filter *flt, uint8_t *flags)
{
	uint32_t f;
	unsigned k;
	int rc;

	for (f = 0; f < s->nframes; f++)
		for (k = 0; k < PYRO_FILTER_NKINDS; k++) {
			if (!flt->re[k])
				continue;
			rc = frame_matches(s, f, flt->re[k]);
			if (rc < 0)
				return rc;
			if (rc)
				flags[f] |= (uint8_t)kind_flag[k];
		}
	return 0;
}

/* flags[f] = F_FROM for the frames whose report name is name[0..len). */
static void name_flags(const struct pyro_stacks *s, const char *name,
		       size_t len, uint8_t *flags)
{
	uint32_t f;

	for (f = 0; f < s->nframes; f++) {
		struct pyro_str node = pyro_strtab_get(&s->strs,
						       s->frames[f].node);

		if (node.len == len && !memcmp(node.ptr, name, len))
			flags[f] |= F_FROM;
	}
}

/* ---- walking the stacks -------------------------------------------------------- */

/* What a walk does, besides the flags. */
struct walk {
	const struct pyro_stacks *in;
	struct pyro_stacks *out;
	const uint8_t *flags;
	unsigned set;           /* F_* bits of the filters in use */
	int callers;            /* cut below the first F_FROM frame instead */
	uint32_t *fmap;         /* in frame id -> out frame id, or UINT32_MAX */
	uint32_t *refs;         /* the stack being built (out ids) */
	uint32_t *from;         /* ... and the in frame of each */
	int64_t *base;          /* diffs: base per out stack */
	size_t base_cap;
};

static int map_frame(struct walk *w, uint32_t f, uint32_t *id)
{
	const struct pyro_frame *fr = &w->in->frames[f];
	struct pyro_str name, node, file = { NULL, 0 };
	int rc;

	if (w->fmap[f] != UINT32_MAX) {
		*id = w->fmap[f];
		return 0;
	}
	name = pyro_strtab_get(&w->in->strs, fr->name);
	node = pyro_strtab_get(&w->in->strs, fr->node);
	if (fr->file != PYRO_NO_FILE)
		file = pyro_strtab_get(&w->in->strs, fr->file);
	rc = pyro_stacks_frame_at(w->out, name.ptr, name.len, node.ptr,
				  node.len, file.ptr, file.len, fr->line, id);
	if (!rc && fr->mapping != PYRO_NO_FILE) {
		struct pyro_str map = pyro_strtab_get(&w->in->strs, fr->mapping);

		rc = pyro_stacks_frame_mapping(w->out, *id, map.ptr, map.len);
	}
	if (!rc)
		w->fmap[f] = *id;
	return rc;
}

/* Whether stack st survives focus and ignore. */
static int focused(const struct walk *w, const struct pyro_stack *st)
{
	const uint32_t *r = pyro_stack_refs(w->in, st);
	int hit = !(w->set & F_FOCUS);
	uint32_t d;

	for (d = 0; d < st->depth; d++) {
		uint8_t fl = w->flags[PYRO_REF_FRAME(r[d])];

		if (fl & F_IGNORE)
			return 0;
		if (fl & F_FOCUS)
			hit = 1;
	}
	return hit;
}

/* The frames of st that hide and show keep, location by location, with
 * show_from's trim of a matching location; *first is the index of the
 * first kept frame of the outermost location matching F_FROM (callees,
 * show_from) or the last frame to keep (callers), or -1.  Returns the
 * count kept into w->refs / w->from. */
static uint32_t keep_frames(struct walk *w, const struct pyro_stack *st,
			    long *first)
{
	const uint32_t *r = pyro_stack_refs(w->in, st);
	uint32_t d = 0, n = 0;

	*first = -1;
	while (d < st->depth) {
		uint32_t end = d + 1, start = n, j;
		long match = -1;

		while (end < st->depth && (r[end] & PYRO_REF_INLINE))
			end++;
		for (j = d; j < end; j++) {
			uint32_t f = PYRO_REF_FRAME(r[j]);
			uint8_t fl = w->flags[f];

			if ((w->set & F_HIDE) && (fl & F_HIDE))
				continue;
			if ((w->set & F_SHOW) && !(fl & F_SHOW))
				continue;
			if ((fl & F_FROM) && match < 0)
				match = (long)n;
			w->from[n] = f;
			w->refs[n++] = r[j] & PYRO_REF_INLINE;
		}
		if (match >= 0 && !w->callers && match > (long)start) {
			/* pprof keeps a matching location's lines from the
			 * outermost match in: drop those above it. */
			uint32_t drop = (uint32_t)match - start;

			memmove(w->from + start, w->from + match,
				(n - (uint32_t)match) * sizeof(*w->from));
			memmove(w->refs + start, w->refs + match,
				(n - (uint32_t)match) * sizeof(*w->refs));
			n -= drop;
			match = start;
		}
		if (n > start)  /* the location's outermost kept frame */
			w->refs[start] &= ~PYRO_REF_INLINE;
		if (match >= 0 && *first < 0)
			*first = match;
		d = end;
	}
	return n;
}

static int add_base(struct walk *w, size_t idx, int64_t v)
{
	if (idx >= w->base_cap) {
		size_t cap = w->base_cap ? w->base_cap * 2 : 256;
		int64_t *b;

		while (cap <= idx)
			cap *= 2;
		b = realloc(w->base, cap * sizeof(*b));
		if (!b)
			return -ENOMEM;
		memset(b + w->base_cap, 0, (cap - w->base_cap) * sizeof(*b));
		w->base = b;
		w->base_cap = cap;
	}
	if (__builtin_add_overflow(w->base[idx], v, &w->base[idx]))
		return -EOVERFLOW;
	return 0;
}

static int walk_stack(struct walk *w, size_t k)
{
	const struct pyro_stack *st = &w->in->stacks[k];
	uint32_t n, d, skip = 0;
	long first;
	size_t idx;
	int rc;

	if (st->depth == 0 || !focused(w, st))
		return 0;
	n = keep_frames(w, st, &first);
	if (n == 0)
		return 0;
	if (w->set & F_FROM) {
		if (first < 0)
			return 0;
		if (w->callers)
			n = (uint32_t)first + 1;
		else
			skip = (uint32_t)first;
	}
	for (d = skip; d < n; d++) {
		uint32_t id;

		rc = map_frame(w, w->from[d], &id);
		if (rc)
			return rc;
		w->refs[d] = id | (d == skip ? 0 : (w->refs[d] & PYRO_REF_INLINE));
	}
	rc = pyro_stacks_add(w->out, w->refs + skip, n - skip, st->value, &idx);
	if (!rc && w->in->base)
		rc = add_base(w, idx, w->in->base[k]);
	return rc;
}

/* Append "kind=text" lines to out->meta.name_filters. */
static int add_legend(struct pyro_meta *m, const char *line)
{
	size_t old = m->name_filters ? strlen(m->name_filters) : 0;
	char *s = realloc(m->name_filters, old + strlen(line) + 2);

	if (!s)
		return -ENOMEM;
	if (old)
		s[old++] = '\n';
	strcpy(s + old, line);
	m->name_filters = s;
	return 0;
}

/* The arrays of a walk, for stacks as deep as in's deepest. */
static int walk_alloc(struct walk *w)
{
	uint32_t maxd = 1;
	size_t k;

	for (k = 0; k < w->in->nstacks; k++)
		if (w->in->stacks[k].depth > maxd)
			maxd = w->in->stacks[k].depth;
	w->fmap = malloc((w->in->nframes + 1) * sizeof(*w->fmap));
	w->refs = malloc(maxd * sizeof(*w->refs));
	w->from = malloc(maxd * sizeof(*w->from));
	if (!w->fmap || !w->refs || !w->from)
		return -ENOMEM;
	memset(w->fmap, 0xff, (w->in->nframes + 1) * sizeof(*w->fmap));
	return 0;
}

/* Walk every stack of in into out (set up by the caller). */
static int walk_all(struct walk *w)
{
	size_t k;
	int rc = walk_alloc(w);

	if (!rc)
		rc = pyro_stacks_reserve(w->out, w->in->nstacks, w->in->nrefs);
	for (k = 0; k < w->in->nstacks && !rc; k++)
		rc = walk_stack(w, k);
	if (!rc && w->in->base) {
		rc = add_base(w, w->out->nstacks, 0);   /* room for every stack */
		if (!rc) {
			w->out->base = w->base;
			w->base = NULL;
		}
	}
	return rc;
}

static void walk_release(struct walk *w)
{
	free(w->fmap);
	free(w->refs);
	free(w->from);
	free(w->base);
}

/* out set up with in's meta, percentages of in's total. */
static int start_out(const struct pyro_stacks *in, struct pyro_stacks *out)
{
	int64_t whole = 0;
	int rc = pyro_stacks_init(out);

	if (!rc)
		rc = pyro_meta_copy(&out->meta, &in->meta);
	if (!rc)
		rc = pyro_stacks_percent_total(in, &whole);
	if (!rc)
		out->meta.whole_total = whole;
	return rc;
}

int pyro_stacks_filter(const struct pyro_stacks *in,
		       const struct pyro_name_filter *f,
		       struct pyro_stacks *out)
{
	struct walk w = { .in = in, .out = out };
	uint8_t *flags = NULL;
	char *line = NULL;
	unsigned k;
	int rc;

	rc = start_out(in, out);
	if (rc)
		return rc;
	flags = calloc(in->nframes + 1, 1);
	if (!flags)
		return -ENOMEM;
	rc = regex_flags(in, f, flags);
	for (k = 0; k < PYRO_FILTER_NKINDS && !rc; k++) {
		if (!f->re[k])
			continue;
		w.set |= kind_flag[k];
		if (asprintf(&line, "%s=%s", kind_names[k], f->text[k]) < 0) {
			line = NULL;
			rc = -ENOMEM;
		}
		if (!rc)
			rc = add_legend(&out->meta, line);
		free(line);
		line = NULL;
	}
	w.flags = flags;
	if (!rc)
		rc = walk_all(&w);
	walk_release(&w);
	free(flags);
	return rc;
}

int pyro_stacks_function(const struct pyro_stacks *in, const char *name,
			 size_t len, enum pyro_func_side side,
			 struct pyro_stacks *out)
{
	struct walk w = { .in = in, .out = out, .set = F_FROM,
			  .callers = side == PYRO_FUNC_CALLERS };
	struct pyro_buf legend = PYRO_BUF_INIT;
	uint8_t *flags = NULL;
	int rc;

	rc = start_out(in, out);
	if (rc)
		return rc;
	if (side == PYRO_FUNC_CALLERS) {
		rc = pyro_buf_puts(&legend, "callers=");
		if (!rc)
			rc = pyro_buf_add(&legend, name, len);
	} else {
		rc = pyro_buf_puts(&legend, "show_from=^");
		if (!rc)
			rc = pyro_regex_quote(name, len, &legend);
		if (!rc)
			rc = pyro_buf_putc(&legend, '$');
	}
	if (!rc)
		rc = pyro_buf_putc(&legend, '\0');
	if (!rc)
		rc = add_legend(&out->meta, legend.data);
	out->meta.from_leaf = side == PYRO_FUNC_CALLERS;
	pyro_buf_release(&legend);
	flags = rc ? NULL : calloc(in->nframes + 1, 1);
	if (!rc && !flags)
		rc = -ENOMEM;
	if (!rc) {
		name_flags(in, name, len, flags);
		w.flags = flags;
		rc = walk_all(&w);
	}
	walk_release(&w);
	free(flags);
	return rc;
}

int pyro_stacks_reverse(const struct pyro_stacks *in, struct pyro_stacks *out)
{
	struct walk w = { .in = in, .out = out };
	size_t k, idx;
	uint32_t d;
	int rc;

	rc = pyro_stacks_init(out);
	if (!rc)
		rc = pyro_meta_copy(&out->meta, &in->meta);
	if (!rc)
		rc = walk_alloc(&w);
	for (k = 0; !rc && k < in->nstacks; k++) {
		const struct pyro_stack *st = &in->stacks[k];
		const uint32_t *r = pyro_stack_refs(in, st);

		for (d = 0; d < st->depth && !rc; d++)
			rc = map_frame(&w, PYRO_REF_FRAME(r[st->depth - 1 - d]),
				       &w.refs[d]);
		if (!rc)
			rc = pyro_stacks_add(out, w.refs, st->depth, st->value,
					     &idx);
		if (!rc && in->base)
			rc = add_base(&w, idx, in->base[k]);
	}
	if (!rc && in->base) {
		rc = add_base(&w, out->nstacks, 0);
		if (!rc) {
			out->base = w.base;
			w.base = NULL;
		}
	}
	walk_release(&w);
	return rc;
}

/* ---- the functions of a node ----------------------------------------------------- */

static int cmp_str(const void *a, const void *b, void *ctx)
{
	const struct pyro_strtab *t = ctx;
	struct pyro_str x = pyro_strtab_get(t, *(const uint32_t *)a);
	struct pyro_str y = pyro_strtab_get(t, *(const uint32_t *)b);
	int c = memcmp(x.ptr, y.ptr, x.len < y.len ? x.len : y.len);

	return c ? c : (x.len > y.len) - (x.len < y.len);
}

int pyro_stacks_functions(const struct pyro_stacks *s, uint32_t **ids,
			  size_t *n)
{
	uint8_t *seen = calloc(s->strs.count + 1, 1);
	uint32_t *out = NULL;
	size_t k, count = 0;
	uint32_t d;

	*ids = NULL;
	*n = 0;
	if (!seen)
		return -ENOMEM;
	for (k = 0; k < s->nstacks; k++) {
		const struct pyro_stack *st = &s->stacks[k];
		const uint32_t *r = pyro_stack_refs(s, st);

		if (st->value == 0 && !(s->base && s->base[k]))
			continue;
		for (d = 0; d < st->depth; d++) {
			uint32_t node = s->frames[PYRO_REF_FRAME(r[d])].node;

			if (!seen[node]) {
				seen[node] = 1;
				count++;
			}
		}
	}
	out = malloc((count ? count : 1) * sizeof(*out));
	if (!out) {
		free(seen);
		return -ENOMEM;
	}
	count = 0;
	for (d = 0; d < s->strs.count; d++)
		if (seen[d])
			out[count++] = d;
	free(seen);
	qsort_r(out, count, sizeof(*out), cmp_str, (void *)&s->strs);
	*ids = out;
	*n = count;
	return 0;
}
