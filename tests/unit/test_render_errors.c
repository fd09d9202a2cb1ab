/*
 * test_render_errors.c - every renderer leaves `out` as it was when it fails
 * (render/render.h, "Failure leaves out as it was").
 *
 * The binary is linked with -Wl,--wrap for malloc, calloc and realloc (see
 * the Makefile), so every allocation the library makes goes through the
 * wrappers below.  For each renderer and input, allocation number n fails,
 * for n = 0, 1, 2, ... until a run makes no allocation that far: each run
 * writes after a prefix already in the buffer, and must either fail with
 * the buffer holding exactly the prefix again, or succeed with exactly the
 * output of an undisturbed run.  So every failure point of every renderer
 * is tried, the buffer's own growth included.
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

#include "../../model/diff.h"
#include "../../model/labels.h"
#include "../../model/source.h"
#include "../../model/stacks.h"
#include "../../render/render.h"

#define PREFIX "already here\n"

/* ---- failing allocations ------------------------------------------------ */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static long fail_at = -1;       /* the allocation to fail; -1: none */
static long nallocs;            /* allocations since arm() */
static int injected;            /* fail_at was reached */

static void arm(long n)
{
	fail_at = n;
	nallocs = 0;
	injected = 0;
}

static void disarm(void)
{
	fail_at = -1;
}

static int fail_now(void)
{
	if (fail_at < 0 || nallocs++ != fail_at)
		return 0;
	injected = 1;
	return 1;
}

void *__wrap_malloc(size_t n)
{
	return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __real_realloc(p, n);
}

/* ---- the check ---------------------------------------------------------- */

typedef int (*render_fn)(const void *in, struct pyro_buf *out);

static void check_rollback(const char *what, render_fn fn, const void *in)
{
	struct pyro_buf ref = PYRO_BUF_INIT, out = PYRO_BUF_INIT;
	size_t plen = strlen(PREFIX);
	long n;
	int rc, failures = 0;

	assert_int_equal(pyro_buf_puts(&ref, PREFIX), 0);
	assert_int_equal(fn(in, &ref), 0);
	assert_true(ref.len > plen);
	for (n = 0;; n++) {
		assert_int_equal(pyro_buf_puts(&out, PREFIX), 0);
		arm(n);
		rc = fn(in, &out);
		disarm();
		if (rc) {
			failures++;
			if (!injected)
				fail_msg("%s: %d without a failed allocation", what, rc);
			if (out.len != plen || memcmp(out.data, PREFIX, plen + 1))
				fail_msg("%s: allocation %ld failed (%d) and left "
					 "%zu bytes, not the %zu of before", what,
					 n, rc, out.len, plen);
		} else if (out.len != ref.len || memcmp(out.data, ref.data, ref.len)) {
			fail_msg("%s: allocation %ld %s and the output differs",
				 what, n, injected ? "failed" : "did not fail");
		}
		pyro_buf_release(&out);
		if (!injected)
			break;
	}
	/* Each renderer allocates, and some failure reached the caller. */
	if (n == 0 || failures == 0)
		fail_msg("%s: %ld allocations, %d failures", what, n, failures);
	pyro_buf_release(&ref);
}

/* ---- inputs ------------------------------------------------------------- */

static void add(struct pyro_stacks *s, int64_t value, const char *a,
		const char *b, const char *c)
{
	const char *names[] = { a, b, c };
	uint32_t refs[3], depth = 0;
	size_t i;

	for (i = 0; i < 3 && names[i]; i++)
		assert_int_equal(pyro_stacks_frame(s, names[i], strlen(names[i]),
						   names[i], strlen(names[i]),
						   &refs[depth++]), 0);
	assert_int_equal(pyro_stacks_add(s, refs, depth, value, NULL), 0);
}

static void stacks(struct pyro_stacks *s, const char *span, int scale)
{
	assert_int_equal(pyro_stacks_init(s), 0);
	s->meta.service = strdup("api");
	s->meta.type = strdup("cpu");
	s->meta.span = strdup(span);
	s->meta.sample_type = strdup("cpu");
	s->meta.sample_unit = strdup("nanoseconds");
	s->meta.file = strdup("server");
	s->meta.time_nanos = 1795515300000000000LL;
	s->meta.duration_nanos = 10000000000LL;
	s->meta.nsnapshots = 3;
	s->meta.rule = PYRO_MERGE_SUM;
	assert_non_null(s->meta.sample_unit);
	add(s, 300000000 * scale, "main", "serve", "json.Marshal");
	add(s, 120000000, "main", "serve", "sql.Query<&>");
	add(s, 80000000, "main", "gc", NULL);
	add(s, 5000000 * scale, "runtime.mcall", NULL, NULL);
}

static void history(struct pyro_history *h)
{
	static const int64_t totals[] = { 1048576, 2097152, 3145728 };
	static const char *const funcs[] = { "main.leak", "main.steady" };
	size_t k;

	memset(h, 0, sizeof(*h));
	assert_int_equal(pyro_strtab_init(&h->strs), 0);
	h->service = strdup("leaky");
	h->type = strdup("inuse_space");
	h->sample_type = strdup("inuse_space");
	h->sample_unit = strdup("bytes");
	h->nsnaps = 3;
	h->nfolded = 3;
	h->times = calloc(3, sizeof(*h->times));
	h->names = calloc(3, sizeof(*h->names));
	h->totals = calloc(3, sizeof(*h->totals));
	h->funcs = calloc(2, sizeof(*h->funcs));
	assert_true(h->sample_unit && h->times && h->names && h->totals && h->funcs);
	for (k = 0; k < 3; k++) {
		h->times[k] = (1795515300LL + 1800 * (int64_t)k) * 1000000000LL;
		pyro_time_name(h->times[k], h->names[k]);
		h->totals[k] = totals[k];
	}
	h->slope = 1048576;
	for (k = 0; k < 2; k++) {
		struct pyro_history_func *f = &h->funcs[k];

		assert_int_equal(pyro_strtab_intern(&h->strs, funcs[k],
						    strlen(funcs[k]), &f->name), 0);
		f->flat_first = 1024;
		f->flat_last = k ? 1024 : 4096;
		f->cum_first = f->flat_first;
		f->cum_last = f->flat_last;
		f->rises = k ? 0 : 2;
		f->slope = k ? 0 : 1536;
	}
	h->nfuncs = 2;
}

static void label_set(struct pyro_label_set *ls)
{
	assert_int_equal(pyro_label_set_init(ls, "cpu", "nanoseconds"), 0);
	assert_int_equal(pyro_label_set_sample(ls, 300), 0);
	assert_int_equal(pyro_label_set_add(ls, "region", 6, "eu", 2,
					    PYRO_LABEL_STRING, 0, NULL, 0, 300, 1), 0);
	assert_int_equal(pyro_label_set_sample(ls, 200), 0);
	assert_int_equal(pyro_label_set_add(ls, "bytes", 5, "4096", 4,
					    PYRO_LABEL_NUMBER, 4096, "bytes", 5,
					    200, 2), 0);
	assert_int_equal(pyro_label_set_sample(ls, 100), 0);
	assert_int_equal(pyro_label_set_finish(ls), 0);
}

/* ---- one thunk per renderer --------------------------------------------- */

#define THUNK(fn) \
	static int r_##fn(const void *in, struct pyro_buf *out) \
	{ return pyro_##fn(in, out); }

THUNK(top_render)
THUNK(top_cum_render)
THUNK(traces_render)
THUNK(graph_dot_render)
THUNK(graph_svg_render)
THUNK(folded_render)
THUNK(flame_render)
THUNK(icicle_render)
THUNK(tree_render)
THUNK(export_pprof)
THUNK(export_pprof_raw)
THUNK(timeline_render)
THUNK(timeline_svg_render)
THUNK(growth_render)
THUNK(labels_render)
THUNK(readme_render)
THUNK(index_html_root)
THUNK(index_html_service)

/* An index of one service "api" with cpu and inuse_space, 3 points each,
 * and a summary input of its two types (histories, newest stacks). */
static struct pyro_point idx_points[3];
static struct pyro_index_series idx_series[2];
static struct pyro_index_service idx_service;
static struct pyro_index idx_index;

static void index_of(void)
{
	size_t k;

	for (k = 0; k < 3; k++) {
		idx_points[k].time_nanos = (1795515300LL + 1800 * (int64_t)k) *
					   1000000000LL;
		pyro_time_name(idx_points[k].time_nanos, idx_points[k].name);
	}
	idx_series[0] = (struct pyro_index_series){
		.service = &idx_service, .type = "cpu", .sample_type = "cpu",
		.sample_unit = "nanoseconds", .kind = PYRO_KIND_RATE,
		.points = idx_points, .npoints = 3,
	};
	idx_series[1] = idx_series[0];
	idx_series[1].type = "inuse_space";
	idx_series[1].sample_unit = "bytes";
	idx_series[1].kind = PYRO_KIND_GAUGE;
	idx_service = (struct pyro_index_service){
		.name = "api", .series = idx_series, .nseries = 2,
	};
	idx_index.services = &idx_service;
	idx_index.nservices = 1;
}

struct summary_in {
	struct pyro_summary_part parts[2];
};

static const struct pyro_history *type_history;

static int r_index_html_type(const void *in, struct pyro_buf *out)
{
	return pyro_index_html_type(in, type_history, out);
}

static int r_summary_render(const void *in, struct pyro_buf *out)
{
	const struct summary_in *si = in;

	return pyro_summary_render(&idx_service, si->parts, 2, out);
}

static const struct {
	const char *name;
	render_fn fn;
} stack_renderers[] = {
	{ "top.txt", r_top_render },
	{ "top-cum.txt", r_top_cum_render },
	{ "traces.txt", r_traces_render },
	{ "graph.dot", r_graph_dot_render },
	{ "graph.svg", r_graph_svg_render },
	{ "folded", r_folded_render },
	{ "flame.svg", r_flame_render },
	{ "icicle.svg", r_icicle_render },
	{ "tree.txt", r_tree_render },
	{ "profile.pb.gz", r_export_pprof },
	{ "profile.pb", r_export_pprof_raw },
};

/* ---- tests -------------------------------------------------------------- */

static void test_stacks_renderers(void **state)
{
	struct pyro_stacks s;
	size_t i;

	(void)state;
	stacks(&s, "all", 1);
	for (i = 0; i < sizeof(stack_renderers) / sizeof(stack_renderers[0]); i++)
		check_rollback(stack_renderers[i].name, stack_renderers[i].fn, &s);
	pyro_stacks_release(&s);
}

static void test_diff_renderers(void **state)
{
	struct pyro_stacks base, target, d;
	size_t i;

	(void)state;
	stacks(&base, "2026-11-24T10-15-00Z", 1);
	stacks(&target, "2026-11-24T10-45-00Z", 3);
	assert_int_equal(pyro_diff_build(&base, &target, "2026-11-24T10-15-00Z",
					 &d), 0);
	for (i = 0; i < sizeof(stack_renderers) / sizeof(stack_renderers[0]); i++)
		check_rollback(stack_renderers[i].name, stack_renderers[i].fn, &d);
	pyro_stacks_release(&d);
	pyro_stacks_release(&target);
	pyro_stacks_release(&base);
}

static void test_history_renderers(void **state)
{
	struct pyro_history h;

	(void)state;
	history(&h);
	check_rollback("timeline.txt", r_timeline_render, &h);
	check_rollback("timeline.svg", r_timeline_svg_render, &h);
	check_rollback("growth.txt", r_growth_render, &h);
	pyro_history_release(&h);
}

static void test_entry_renderers(void **state)
{
	struct summary_in si;
	struct pyro_history h;
	struct pyro_stacks s;

	(void)state;
	index_of();
	check_rollback("README.txt", r_readme_render, &idx_index);
	check_rollback("index.html (root)", r_index_html_root, &idx_index);
	check_rollback("index.html (service)", r_index_html_service,
		       &idx_service);
	history(&h);
	type_history = &h;
	check_rollback("index.html (type)", r_index_html_type, &idx_series[1]);
	type_history = NULL;
	check_rollback("index.html (type, no history)", r_index_html_type,
		       &idx_series[0]);
	stacks(&s, "2026-11-24T11-15-00Z", 1);
	si.parts[0] = (struct pyro_summary_part){ &idx_series[0], NULL, &s };
	si.parts[1] = (struct pyro_summary_part){ &idx_series[1], &h, &s };
	check_rollback("summary.txt", r_summary_render, &si);
	pyro_stacks_release(&s);
	pyro_history_release(&h);
}

static void test_labels_renderer(void **state)
{
	struct pyro_label_set ls;

	(void)state;
	label_set(&ls);
	check_rollback("labels.txt", r_labels_render, &ls);
	pyro_label_set_release(&ls);
}

/* An input that fails, not an allocation: values whose total overflows
 * 64 bits.  top.txt and tree.txt refuse it and leave the prefix alone. */
static void test_overflow_input(void **state)
{
	struct pyro_buf out = PYRO_BUF_INIT;
	struct pyro_stacks s;

	(void)state;
	stacks(&s, "all", 1);
	add(&s, INT64_MAX, "huge", NULL, NULL);
	assert_int_equal(pyro_buf_puts(&out, PREFIX), 0);
	assert_int_equal(pyro_top_render(&s, &out), -EOVERFLOW);
	assert_string_equal(out.data, PREFIX);
	assert_int_equal(pyro_tree_render(&s, &out), -EOVERFLOW);
	assert_string_equal(out.data, PREFIX);
	pyro_buf_release(&out);
	pyro_stacks_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stacks_renderers),
		cmocka_unit_test(test_diff_renderers),
		cmocka_unit_test(test_history_renderers),
		cmocka_unit_test(test_labels_renderer),
		cmocka_unit_test(test_entry_renderers),
		cmocka_unit_test(test_overflow_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
