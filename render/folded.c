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
#include <stdlib.h>
#include <string.h>

struct line {
	size_t off;             /* start of the stack text in the text buffer */
	size_t len;
	int64_t value;
	int64_t base;           /* diffs: the base value */
};

static int put_name(struct pyro_buf *b, struct pyro_str s)
{
	static const char hex[] = "0123456789abcdef";
	uint32_t i, start = 0;
	int rc = 0;

	for (i = 0; i < s.len && !rc; i++) {
		unsigned char c = (unsigned char)s.ptr[i];
		char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

		if (c != ';' && c >= 0x20 && c != 0x7f)
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

/* qsort has no context argument in C11: the text travels in a struct. */
struct sort_ctx {
	const char *text;
};

static int cmp_lines(const void *a, const void *b, void *arg)
{
	const struct line *x = a, *y = b;
	const struct sort_ctx *ctx = arg;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(ctx->text + x->off, ctx->text + y->off, n);

	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

int pyro_folded_render(const struct pyro_stacks *s, struct pyro_buf *out)
{
	struct pyro_buf text = PYRO_BUF_INIT;
	struct line *lines = NULL;
	struct sort_ctx ctx;
	size_t n = 0, k, i;
	int rc = 0;

	lines = malloc((s->nstacks ? s->nstacks : 1) * sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	for (k = 0; k < s->nstacks && !rc; k++) {
		const struct pyro_stack *st = &s->stacks[k];
		const uint32_t *refs = pyro_stack_refs(s, st);
		uint32_t d;

		int64_t base = s->base ? s->base[k] : 0;

		if (st->value == 0 && base == 0)
			continue;
		lines[n].off = text.len;
		for (d = 0; d < st->depth && !rc; d++) {
			if (d)
				rc = pyro_buf_putc(&text, ';');
			if (!rc)
				rc = put_name(&text, pyro_ref_name(s, refs[d]));
		}
		lines[n].len = text.len - lines[n].off;
		lines[n].value = st->value;
		lines[n].base = base;
		n++;
	}
	ctx.text = text.data;
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
		rc = pyro_buf_add(out, text.data + lines[i].off, lines[i].len);
		if (!rc && s->base)
			rc = pyro_buf_printf(out, " %" PRId64 " %" PRId64 "\n", base,
					     target);
		else if (!rc)
			rc = pyro_buf_printf(out, " %" PRId64 "\n", sum);
	}
	free(lines);
	pyro_buf_release(&text);
	return rc;
}
