/*
 * test_diff.c - the difference of two nodes (model/diff.c), and its folded
 * rendering "stack BASE TARGET" (render/folded.c).
 *
 * Stacks are built by hand with tests/support/stacks_builder.h.  The diff's
 * stacks are compared as text: one "frames value base" line per stack,
 * sorted, where frames use the builder's syntax ("^" marks an inlined
 * frame), so the union, the values and the base values show at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../model/diff.h"
#include "../../render/render.h"
#include "../support/stacks_builder.h"

#define SEC 1000000000LL

/* ---- helpers ------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "frames value base\n" per stack of the diff d, sorted bytewise. */
static char *diff_text(const struct pyro_stacks *d)
{
	char **lines = calloc(d->nstacks + 1, sizeof(*lines));
	struct pyro_buf out = PYRO_BUF_INIT;
	size_t k;

	assert_non_null(lines);
	assert_non_null(d->base);
	for (k = 0; k < d->nstacks; k++) {
		const struct pyro_stack *st = &d->stacks[k];
		const uint32_t *refs = pyro_stack_refs(d, st);
		struct pyro_buf line = PYRO_BUF_INIT;
		uint32_t i;

		for (i = 0; i < st->depth; i++) {
			struct pyro_str s = pyro_ref_name(d, refs[i]);

			assert_int_equal(pyro_buf_printf(&line, "%s%s%.*s",
							 i ? ";" : "",
							 refs[i] & PYRO_REF_INLINE ? "^" : "",
							 (int)s.len, s.ptr), 0);
		}
		assert_int_equal(pyro_buf_printf(&line, " %" PRId64 " %" PRId64 "\n",
						 st->value, d->base[k]), 0);
		lines[k] = strdup(line.data);
		assert_non_null(lines[k]);
		pyro_buf_release(&line);
	}
	qsort(lines, d->nstacks, sizeof(*lines), cmp_str);
	for (k = 0; k < d->nstacks; k++) {
		assert_int_equal(pyro_buf_puts(&out, lines[k]), 0);
		free(lines[k]);
	}
	free(lines);
	assert_int_equal(pyro_buf_putc(&out, '\0'), 0);
	return out.data;
}

struct pair {
	struct pyro_stacks base, target, diff;
};

static void build_pair(struct pair *p, const char *base, const char *target)
{
	assert_int_equal(sb_build(&p->base, base), 0);
	assert_int_equal(sb_build(&p->target, target), 0);
	assert_int_equal(sb_type(&p->base, "inuse_space", "bytes"), 0);
	assert_int_equal(sb_type(&p->target, "inuse_space", "bytes"), 0);
}

static void release_pair(struct pair *p)
{
	pyro_stacks_release(&p->base);
	pyro_stacks_release(&p->target);
	pyro_stacks_release(&p->diff);
}

/* The diff of base and target has exactly the stacks `expected`. */
static void check_diff(const char *base, const char *target,
		       const char *expected)
{
	struct pair p;
	char *text;

	build_pair(&p, base, target);
	assert_int_equal(pyro_diff_build(&p.base, &p.target, "b", &p.diff), 0);
	text = diff_text(&p.diff);
	assert_string_equal(text, expected);
	free(text);
	release_pair(&p);
}

/* folded of the diff of base and target is exactly `expected`. */
static void check_folded(const char *base, const char *target,
			 const char *expected)
{
	struct pyro_buf out = PYRO_BUF_INIT;
	struct pair p;

	build_pair(&p, base, target);
	assert_int_equal(pyro_diff_build(&p.base, &p.target, "b", &p.diff), 0);
	assert_int_equal(pyro_folded_render(&p.diff, &out), 0);
	assert_int_equal(pyro_buf_putc(&out, '\0'), 0);
	assert_string_equal(out.data, expected);
	pyro_buf_release(&out);
	release_pair(&p);
}

/* ---- pyro_diff_build ------------------------------------------------------ */

/* The union of both sides; value = target - base; base kept per stack. */
static void test_union(void **state)
{
	(void)state;
	check_diff("main;a 10\n"
		   "main;b 5\n"
		   "main;c 3\n",
		   "main;a 25\n"
		   "main;b 5\n"
		   "main;d 7\n",
		   "main;a 15 10\n"
		   "main;b 0 5\n"
		   "main;c -3 3\n"       /* only in base: negative */
		   "main;d 7 0\n");      /* only in target */
}

/* Inline flags and the empty stack take part in identity. */
static void test_identity(void **state)
{
	(void)state;
	check_diff("main;^x 1\n"
		   "main;x 2\n"
		   " 4\n",
		   "main;x 5\n"
		   " 1\n"
		   "main;x;y 6\n",
		   " -3 4\n"
		   "main;^x -1 1\n"
		   "main;x 3 2\n"
		   "main;x;y 6 0\n");
}

static void test_empty_sides(void **state)
{
	(void)state;
	check_diff("", "main;a 3\n", "main;a 3 0\n");
	check_diff("main;a 3\n", "", "main;a -3 3\n");
	check_diff("", "", "");
	/* Equal sides: every value 0, every base kept. */
	check_diff("main;a 3\nmain;b 4\n", "main;b 4\nmain;a 3\n",
		   "main;a 0 3\nmain;b 0 4\n");
}

/* A base that is itself signed (a diff, or negative samples). */
static void test_signed(void **state)
{
	struct pair p;

	(void)state;
	check_diff("main;a -2\nmain;b 5\n", "main;a 3\n",
		   "main;a 5 -2\nmain;b -5 5\n");
	build_pair(&p, "main;a -2\nmain;b 5\n", "main;a 3\n");
	assert_int_equal(pyro_diff_build(&p.base, &p.target, "b", &p.diff), 0);
	assert_int_equal(p.diff.meta.base_total, 7);        /* |-2| + |5| */
	release_pair(&p);
}

static void test_overflow(void **state)
{
	struct pair p;

	(void)state;
	build_pair(&p, "main;a -1\n", "main;a 9223372036854775807\n");
	assert_int_equal(pyro_diff_build(&p.base, &p.target, "b", &p.diff),
			 -EOVERFLOW);
	release_pair(&p);
	build_pair(&p, "main;a 1\n", "main;a -9223372036854775807\n");
	assert_int_equal(pyro_diff_build(&p.base, &p.target, "b", &p.diff), 0);
	assert_int_equal(p.diff.stacks[0].value, INT64_MIN);
	release_pair(&p);
}

/* Meta: the target's, with time and duration merged as pprof does. */
static void test_meta(void **state)
{
	struct pair p;
	struct pyro_meta *m = &p.diff.meta;

	(void)state;
	build_pair(&p, "main;a 10\nmain;b 8\n", "main;a 4\n");
	assert_int_equal(sb_set(&p.base.meta.span, "2026-11-24T09"), 0);
	assert_int_equal(sb_set(&p.target.meta.span, "2026-11-24T10"), 0);
	assert_int_equal(sb_set(&p.target.meta.service, "api"), 0);
	assert_int_equal(sb_set(&p.target.meta.type, "inuse_space"), 0);
	assert_int_equal(sb_set(&p.base.meta.file, "base-bin"), 0);
	assert_int_equal(sb_set(&p.target.meta.file, "target-bin"), 0);
	p.base.meta.time_nanos = 100 * SEC;
	p.base.meta.newest_nanos = 160 * SEC;
	p.base.meta.duration_nanos = 10 * SEC;
	p.base.meta.nsnapshots = 3;
	p.base.meta.rule = PYRO_MERGE_MEAN;
	p.target.meta.time_nanos = 200 * SEC;
	p.target.meta.newest_nanos = 200 * SEC;
	p.target.meta.duration_nanos = 20 * SEC;
	p.target.meta.nsnapshots = 1;
	p.target.meta.rule = PYRO_MERGE_SINGLE;
	assert_int_equal(pyro_diff_build(&p.base, &p.target, "2026-11-24T09",
					 &p.diff), 0);
	assert_int_equal(m->time_nanos, 100 * SEC);         /* the earliest */
	assert_int_equal(m->duration_nanos, 30 * SEC);      /* summed */
	assert_int_equal(m->newest_nanos, 200 * SEC);
	assert_int_equal(m->base_total, 18);
	assert_string_equal(m->base_span, "2026-11-24T09");
	assert_string_equal(m->span, "2026-11-24T10");
	assert_string_equal(m->service, "api");
	assert_string_equal(m->type, "inuse_space");
	assert_string_equal(m->file, "target-bin");
	assert_string_equal(m->sample_type, "inuse_space");
	assert_string_equal(m->sample_unit, "bytes");
	assert_int_equal(m->nsnapshots, 1);
	assert_int_equal(m->rule, PYRO_MERGE_SINGLE);
	/* The inputs are untouched. */
	assert_null(p.target.meta.base_span);
	assert_null(p.target.base);
	assert_int_equal(p.target.meta.time_nanos, 200 * SEC);
	release_pair(&p);

	/* The later base: the earlier target time stays; newest is the base's. */
	build_pair(&p, "main;a 1\n", "main;a 1\n");
	p.base.meta.time_nanos = 300 * SEC;
	p.base.meta.newest_nanos = 300 * SEC;
	p.target.meta.time_nanos = 200 * SEC;
	p.target.meta.newest_nanos = 200 * SEC;
	assert_int_equal(pyro_diff_build(&p.base, &p.target, "b", &p.diff), 0);
	assert_int_equal(m->time_nanos, 200 * SEC);
	assert_int_equal(m->newest_nanos, 300 * SEC);
	release_pair(&p);

	/* An unknown time (0) takes the other's; durations saturate. */
	build_pair(&p, "main;a 1\n", "main;a 1\n");
	p.base.meta.time_nanos = 300 * SEC;
	p.base.meta.duration_nanos = INT64_MAX - 5;
	p.target.meta.duration_nanos = 6;
	assert_int_equal(pyro_diff_build(&p.base, &p.target, "b", &p.diff), 0);
	assert_int_equal(m->time_nanos, 300 * SEC);
	assert_int_equal(m->duration_nanos, INT64_MAX);
	release_pair(&p);

	build_pair(&p, "main;a 1\n", "main;a 1\n");
	p.target.meta.time_nanos = 200 * SEC;
	assert_int_equal(pyro_diff_build(&p.base, &p.target, "b", &p.diff), 0);
	assert_int_equal(m->time_nanos, 200 * SEC);
	assert_int_equal(m->duration_nanos, 0);
	release_pair(&p);
}

/* ---- folded of a diff ------------------------------------------------------- */

static void test_folded(void **state)
{
	(void)state;
	check_folded("main;a 10\n"
		     "main;b 5\n"
		     "main;c 3\n"
		     "main;z 0\n",
		     "main;d 7\n"
		     "main;b 5\n"
		     "main;a 25\n"
		     "main;z 0\n"
		     "main;y 0\n",
		     "main;a 10 25\n"
		     "main;b 5 5\n"              /* unchanged: both shown */
		     "main;c 3 0\n"
		     "main;d 0 7\n");            /* main;y, main;z: both zero */
}

/* Lines of one text fold together, base and target separately; names are
 * escaped as in every folded file. */
static void test_folded_merge_escape(void **state)
{
	(void)state;
	check_folded("main;^x 1\n"
		     "main;x 2\n"
		     "a\tb;c 4\n",
		     "main;x 10\n"
		     "a\tb;c 4\n",
		     "a\\x09b;c 4 4\n"
		     "main;x 3 10\n");
	/* Sorted bytewise, as `LC_ALL=C sort`. */
	check_folded("b 1\nB 1\n", "a;b 2\na 1\n",
		     "B 1 0\n"
		     "a 0 1\n"
		     "a;b 0 2\n"
		     "b 1 0\n");
	check_folded("", "", "");
	check_folded(" 5\n", "", " 5 0\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_union),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_empty_sides),
		cmocka_unit_test(test_signed),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_meta),
		cmocka_unit_test(test_folded),
		cmocka_unit_test(test_folded_merge_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
