/*
 * folded.c - collapsed stacks ("root;child;leaf 123"), the input format of
 * flamegraph.pl, inferno and speedscope.
 *
 * One line per distinct stack of frame names, sorted bytewise, zero sums
 * left out.  Two model stacks may fold to the same line (they differed only
 * in inline flags or in pprof node names), so lines are merged after sorting.
 * A frame name is written as stored except that ';' and control bytes
 * (< 0x20 and 0x7f) become "\xNN": otherwise a name could split a frame or a
 * line, and every consumer would misread the file.
 *
 * A diff prints two counts per line, "stack BASE TARGET", as difffolded.pl
 * writes them for flamegraph.pl; lines where both are zero are left out.
 */
#include "render.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Sorting without the text.  Lines are sorted by their bytes, but a line's
 * bytes are only its frames' (escaped) names joined by ';', so two stacks
 * compare frame by frame: equal name ids are equal text and are skipped
 * (stacks share long root prefixes), and only the first differing pair of
 * names is compared byte by byte.  The text is then written once, straight
 * into the output: no copy of the whole file is built and sorted first
 * (on a profile of 100,000 stacks that copy was 120 MB).
 */
struct line {
	size_t stack;           /* index in s->stacks */
	int64_t value;
	int64_t base;           /* diffs: the base value */
};

/* A frame name as written: the stored bytes, or an escaped copy. */
struct fname {
	const char *ptr;
	size_t len;
};

struct sort_ctx {
	const struct pyro_stacks *s;
	const struct fname *names;      /* by strtab id; only frame names set */
};

static int needs_escape(unsigned char c)
{
	return c == ';' || c < 0x20 || c == 0x7f;
}

static int put_escaped(struct pyro_buf *b, struct pyro_str s)
{
	static const char hex[] = "0123456789abcdef";
	uint32_t i, start = 0;
	int rc = 0;

	for (i = 0; i < s.len && !rc; i++) {
		unsigned char c = (unsigned char)s.ptr[i];
		char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

		if (!needs_escape(c))
			continue;
		rc = pyro_buf_add(b, s.ptr + start, i - start);
		if (!rc)
			rc = pyro_buf_add(b, esc, sizeof(esc));
		start = i + 1;
	}
	if (!rc)
		rc = pyro_buf_add(b, s.ptr + start, s.len - start);
	return rc;
}

/* The written form of every frame name.  Escaped copies live in esc;
 * their offsets become pointers once esc stops moving. */
static int frame_names(const struct pyro_stacks *s, struct fname *names,
		       struct pyro_buf *esc)
{
	uint8_t *state = calloc(s->strs.count ? s->strs.count : 1, 1);
	uint32_t f, id;
	int rc = 0;

	if (!state)
		return -ENOMEM;
	for (f = 0; f < s->nframes && !rc; f++) {
		struct pyro_str str;
		uint32_t i;

		id = s->frames[f].name;
		if (state[id])
			continue;
		str = pyro_strtab_get(&s->strs, id);
		for (i = 0; i < str.len && !needs_escape((unsigned char)str.ptr[i]); i++)
			;
		if (i == str.len) {
			names[id].ptr = str.ptr;
			names[id].len = str.len;
			state[id] = 1;
			continue;
		}
		names[id].ptr = (const char *)(uintptr_t)esc->len;
		rc = put_escaped(esc, str);
		names[id].len = esc->len - (size_t)(uintptr_t)names[id].ptr;
		state[id] = 2;
	}
	for (id = 0; id < s->strs.count && !rc; id++)
		if (state[id] == 2)
			names[id].ptr = esc->data + (size_t)(uintptr_t)names[id].ptr;
	free(state);
	return rc;
}

static int cmp_lines(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *ctx = arg;
	const struct pyro_stacks *s = ctx->s;
	const struct pyro_stack *sx = &s->stacks[((const struct line *)a)->stack];
	const struct pyro_stack *sy = &s->stacks[((const struct line *)b)->stack];
	const uint32_t *rx = pyro_stack_refs(s, sx), *ry = pyro_stack_refs(s, sy);
	uint32_t d;

	for (d = 0;; d++) {
		const struct fname *fx, *fy;
		uint32_t nx, ny;
		size_t m;
		int c, cx, cy;

		if (d == sx->depth || d == sy->depth) { /* a line ends */
			const struct pyro_stack *lg = d == sx->depth ? sy : sx;
			const uint32_t *rl = d == sx->depth ? ry : rx;

			if (sx->depth == sy->depth)
				return 0;
			/* An empty stack and one frame of an empty name are
			 * both the empty text; otherwise the longer line goes
			 * on (with ';' or a name byte) and sorts after. */
			if (d == 0 && lg->depth == 1 &&
			    ctx->names[s->frames[PYRO_REF_FRAME(rl[0])].name].len == 0)
				return 0;
			return d == sx->depth ? -1 : 1;
		}
		nx = s->frames[PYRO_REF_FRAME(rx[d])].name;
		ny = s->frames[PYRO_REF_FRAME(ry[d])].name;
		if (nx == ny)
			continue;
		fx = &ctx->names[nx];
		fy = &ctx->names[ny];
		m = fx->len < fy->len ? fx->len : fy->len;
		c = memcmp(fx->ptr, fy->ptr, m);
		if (c)
			return c;
		if (fx->len == fy->len)         /* different names, same text */
			continue;
		/* One name is a prefix of the other: what follows it in its
		 * line (';', or the end of the stack text) against the next
		 * byte of the longer one.  Names hold no ';'. */
		if (fx->len < fy->len) {
			cx = d + 1 < sx->depth ? ';' : -1;
			cy = (unsigned char)fy->ptr[m];
		} else {
			cx = (unsigned char)fx->ptr[m];
			cy = d + 1 < sy->depth ? ';' : -1;
		}
		return cx < cy ? -1 : 1;
	}
}

static int put_line(struct pyro_buf *out, const struct pyro_stacks *s,
		    const struct fname *names, const struct pyro_stack *st)
{
	const uint32_t *refs = pyro_stack_refs(s, st);
	size_t len = st->depth ? st->depth - 1 : 0;
	uint32_t d;
	char *p;
	int rc;

	for (d = 0; d < st->depth; d++)
		len += names[s->frames[PYRO_REF_FRAME(refs[d])].name].len;
	rc = pyro_buf_grow(out, len);     /* not more: the bound is exact */
	if (rc)
		return rc;
	p = out->data + out->len;
	for (d = 0; d < st->depth; d++) {
		const struct fname *n = &names[s->frames[PYRO_REF_FRAME(refs[d])].name];

		if (d)
			*p++ = ';';
		memcpy(p, n->ptr, n->len);
		p += n->len;
	}
	out->len += len;
	out->data[out->len] = '\0';
	return 0;
}

static int folded(const struct pyro_stacks *s, struct pyro_buf *out)
{
	struct pyro_buf esc = PYRO_BUF_INIT;
	struct fname *names = NULL;
	struct line *lines = NULL;
	struct sort_ctx ctx;
	size_t n = 0, k, i;
	int rc = 0;

	lines = malloc((s->nstacks ? s->nstacks : 1) * sizeof(*lines));
	names = calloc(s->strs.count ? s->strs.count : 1, sizeof(*names));
	if (!lines || !names) {
		rc = -ENOMEM;
		goto out;
	}
	rc = frame_names(s, names, &esc);
	for (k = 0; k < s->nstacks && !rc; k++) {
		int64_t base = s->base ? s->base[k] : 0;

		if (s->stacks[k].value == 0 && base == 0)
			continue;
		lines[n].stack = k;
		lines[n].value = s->stacks[k].value;
		lines[n].base = base;
		n++;
	}
	ctx.s = s;
	ctx.names = names;
	if (!rc && n)
		qsort_r(lines, n, sizeof(*lines), cmp_lines, &ctx);
	for (i = 0; i < n && !rc; i = k) {
		int64_t sum = lines[i].value, base = lines[i].base, target;

		for (k = i + 1; k < n && !cmp_lines(&lines[i], &lines[k], &ctx); k++)
			if (__builtin_add_overflow(sum, lines[k].value, &sum) ||
			    __builtin_add_overflow(base, lines[k].base, &base))
				rc = -EOVERFLOW;
		if (!rc && __builtin_add_overflow(sum, base, &target))
			rc = -EOVERFLOW;
		if (rc || (sum == 0 && !s->base) || (s->base && base == 0 && target == 0))
			continue;
		rc = put_line(out, s, names, &s->stacks[lines[i].stack]);
		if (!rc && s->base)
			rc = pyro_buf_printf(out, " %" PRId64 " %" PRId64 "\n", base,
					     target);
		else if (!rc)
			rc = pyro_buf_printf(out, " %" PRId64 "\n", sum);
	}
out:
	free(lines);
	free(names);
	pyro_buf_release(&esc);
	return rc;
}

int pyro_folded_render(const struct pyro_stacks *s, struct pyro_buf *out)
{
	size_t start = out->len;
	int rc = folded(s, out);

	if (rc)
		pyro_buf_truncate(out, start);  /* as it was (render.h) */
	return rc;
}
