/*
 * test_bounds.c - output size bounds (issue 20): the limit of a pyro_buf
 * (model/buf.c), the depth cut of pyro_stacks_add (model/stacks.c), and
 * every stacks renderer stopping at the bound with -EFBIG rather than
 * growing past it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../model/buf.h"
#include "../../model/stacks.h"
#include "../../render/render.h"
#include "../support/stacks_builder.h"

#define DEEP 100000u

/* ---- the buffer ---------------------------------------------------------- */

static void test_buf_limit(void **state)
{
	struct pyro_buf b = PYRO_BUF_INIT;

	(void)state;
	b.limit = 8;
	assert_int_equal(pyro_buf_puts(&b, "12345678"), 0);     /* exactly */
	assert_int_equal(b.full, 0);
	assert_int_equal(pyro_buf_putc(&b, '9'), -EFBIG);
	assert_int_equal(b.full, 1);
	assert_int_equal(b.len, 8);
	assert_string_equal(b.data, "12345678");            /* content kept */
	assert_int_equal(pyro_buf_failure(&b), -EFBIG);
	pyro_buf_release(&b);
	assert_int_equal(b.limit, 8);                        /* limit stays */

	b.full = 0;
	assert_int_equal(pyro_buf_printf(&b, "%d", 1234567), 0);
	assert_int_equal(pyro_buf_printf(&b, "%d", 12), -EFBIG);
	assert_int_equal(b.len, 7);
	/* A huge request fails without allocating it. */
	assert_int_equal(pyro_buf_grow(&b, (size_t)1 << 40), -EFBIG);
	assert_true(b.cap < 4096);
	pyro_buf_release(&b);

	/* No limit: as before, and a plain failure is ENOMEM. */
	b.limit = 0;
	b.full = 0;
	assert_int_equal(pyro_buf_puts(&b, "abc"), 0);
	assert_int_equal(pyro_buf_failure(&b), -ENOMEM);
	pyro_buf_release(&b);
}

/* ---- the depth cut ------------------------------------------------------- */

/* A stack of `depth` frames: "main", then f, f, ..., then "leaf". */
static void add_deep(struct pyro_stacks *s, uint32_t depth, int64_t value)
{
	uint32_t *refs = malloc(depth * sizeof(*refs)), main_id, f, leaf, d;

	assert_non_null(refs);
	assert_int_equal(pyro_stacks_frame(s, "main", 4, "main", 4, &main_id), 0);
	assert_int_equal(pyro_stacks_frame(s, "f", 1, "f", 1, &f), 0);
	assert_int_equal(pyro_stacks_frame(s, "leaf", 4, "leaf", 4, &leaf), 0);
	for (d = 0; d < depth; d++)
		refs[d] = f;
	refs[0] = main_id;
	refs[depth - 1] = leaf;
	assert_int_equal(pyro_stacks_add(s, refs, depth, value, NULL), 0);
	free(refs);
}

static void expect_name(const struct pyro_stacks *s, const struct pyro_stack *st,
			uint32_t d, const char *name)
{
	struct pyro_str n = pyro_ref_name(s, pyro_stack_refs(s, st)[d]);

	assert_int_equal(n.len, strlen(name));
	assert_memory_equal(n.ptr, name, n.len);
}

static void test_depth_cut(void **state)
{
	struct pyro_stacks s;
	char marker[64];

	(void)state;
	assert_int_equal(pyro_stacks_init(&s), 0);
	add_deep(&s, DEEP, 3);
	add_deep(&s, DEEP, 4);                  /* the same stack: aggregated */
	add_deep(&s, PYRO_MAX_DEPTH, 5);        /* at the bound: kept whole */
	assert_int_equal(s.nstacks, 2);
	assert_int_equal(s.stacks[0].depth, PYRO_MAX_DEPTH);
	assert_int_equal(s.stacks[0].value, 7);
	expect_name(&s, &s.stacks[0], 0, "main");
	expect_name(&s, &s.stacks[0], PYRO_KEEP_ROOT - 1, "f");
	snprintf(marker, sizeof(marker), "[truncated %u frames]",
		 DEEP - PYRO_MAX_DEPTH + 1);
	expect_name(&s, &s.stacks[0], PYRO_KEEP_ROOT, marker);
	expect_name(&s, &s.stacks[0], PYRO_MAX_DEPTH - 1, "leaf");
	assert_int_equal(s.stacks[1].depth, PYRO_MAX_DEPTH);
	expect_name(&s, &s.stacks[1], PYRO_KEEP_ROOT, "f");
	expect_name(&s, &s.stacks[1], PYRO_MAX_DEPTH - 1, "leaf");
	pyro_stacks_release(&s);
}

/* tree.txt of the deep stack: small, names the cut, keeps the leaf.
 * Uncut, it would need about 10 GB (indent grows with depth). */
static void test_deep_tree(void **state)
{
	struct pyro_buf out = PYRO_BUF_INIT;
	struct pyro_stacks s;
	char marker[64];

	(void)state;
	assert_int_equal(sb_build(&s, ""), 0);
	assert_int_equal(sb_type(&s, "samples", "count"), 0);
	add_deep(&s, DEEP, 1);
	assert_int_equal(pyro_tree_render(&s, &out), 0);
	assert_true(out.len < 4u << 20);
	snprintf(marker, sizeof(marker), "[truncated %u frames]",
		 DEEP - PYRO_MAX_DEPTH + 1);
	assert_non_null(strstr(out.data, marker));
	assert_non_null(strstr(out.data, "leaf\n"));
	pyro_buf_release(&out);
	pyro_stacks_release(&s);
}

/* ---- every renderer stops at the bound ----------------------------------- */

static void test_renderers_stop(void **state)
{
	static const struct {
		const char *name;
		int (*fn)(const struct pyro_stacks *, struct pyro_buf *);
	} r[] = {
		{ "top", pyro_top_render },
		{ "folded", pyro_folded_render },
		{ "flame", pyro_flame_render },
		{ "icicle", pyro_icicle_render },
		{ "tree", pyro_tree_render },
		{ "export", pyro_export_pprof },
		{ "export_raw", pyro_export_pprof_raw },
	};
	struct pyro_stacks s;
	size_t i;

	(void)state;
	assert_int_equal(sb_build(&s, "main;a;b 10\nmain;c 5\n"), 0);
	assert_int_equal(sb_type(&s, "samples", "count"), 0);
	add_deep(&s, 5000, 2);
	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		struct pyro_buf whole = PYRO_BUF_INIT, cut = PYRO_BUF_INIT;
		int rc;

		assert_int_equal(r[i].fn(&s, &whole), 0);
		/* Exactly the size renders; one byte less does not. */
		cut.limit = whole.len;
		rc = r[i].fn(&s, &cut);
		if (rc)
			fail_msg("%s at its own size: %d", r[i].name, rc);
		pyro_buf_release(&cut);
		cut.limit = whole.len - 1;
		cut.full = 0;
		rc = r[i].fn(&s, &cut);
		if (rc != -EFBIG)
			fail_msg("%s one byte short: %d, not -EFBIG", r[i].name, rc);
		assert_true(cut.len <= cut.limit);
		assert_int_equal(cut.full, 1);
		pyro_buf_release(&cut);
		pyro_buf_release(&whole);
	}
	pyro_stacks_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_limit),
		cmocka_unit_test(test_depth_cut),
		cmocka_unit_test(test_deep_tree),
		cmocka_unit_test(test_renderers_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
