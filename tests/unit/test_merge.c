/*
 * test_merge.c - merging the snapshots of a series (model/merge.c).
 *
 * The group setup writes one archive with a service per scenario (removed
 * by the group teardown); T0 = 1795515300 = 2026-11-24T10:15:00Z and
 * snapshot i is at T0 + 10 i seconds:
 *
 *   rate      Go CPU x3      cpu: main;a 10 20 30, main;b 5 - -, main;c - - 1
 *   mono      mutex x3       contentions: main;lock 10 15 22, main;other 1 1 2
 *   restart   mutex x4       contentions: main;lock 10 15 4 9 (total drops)
 *   deltas    mutex x2       contentions: A 10 5, B 2 20 (A falls, total not)
 *   vanish    mutex x3       contentions: X 900 900 900, Y 100 - - (Y's
 *                            stack disappears: the total falls, X goes on)
 *   gauge     Go heap x3     inuse_space: X 100 200 301, Y 5 - -;
 *                            alloc_space: X 900 1000 1100, Y 5 5 5
 *   half      inuse_space x2 P 1 2, Q -1 -2, R 3 -, T 1 -
 *   bad       Go CPU x3      the second has a valid header but a sample
 *                            referencing a missing location
 *   gone      Go CPU x2      both like bad's second
 *
 * and, for label nodes (labels in brackets; cpu totals 20 22 39 = 81):
 *
 *   tagged    Go CPU x3      cpu: main;a 10 [endpoint=/users] 20 [same]
 *                            30 [same], main;a 3 [endpoint=/admin] - -,
 *                            main;b 5 [endpoint=/users size=4096 bytes] -
 *                            7 [size=4096 bytes], main;c 2 2 2 [none]
 *   tagmutex  mutex x3       contentions: main;A 10 5 6 [role=db],
 *                            main;A - 7 9 [role=cache], main;B 2 20 21
 *                            [role=db], main;C - - 4 [none]: the node is
 *                            cumulative (A 10 12 15), role=db alone is not
 *                            (A falls while its total rises)
 *   tagbad    Go CPU x3      main;a 10 [endpoint=/users], a bad's second,
 *                            main;a 4 [endpoint=/admin]
 *   tagfold   collapsed x2   main;a 3, then main;a 4 and main;b 1
 *   tagmany   Go CPU x5      main;a 10 20 30 - 50 [endpoint=/users],
 *                            main;b 1 1 1 - 1 [endpoint=/admin]; the fourth
 *                            is like bad's second (enough members to
 *                            decode ahead on threads)
 *
 * Values are compared as text (mkprof_stacks_text: sorted lines), label
 * sets too (set_text).
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

#include "../../model/labels.h"
#include "../../model/archive.h"
#include "../../model/merge.h"
#include "../support/fixture.h"

#define SEC 1000000000LL
#define T0 1795515300LL
#define MAX_SNAPS 8

/* ---- the archive ------------------------------------------------------- */

static struct mkprof *go_cpu(int i)
{
	return fixture_go_cpu((T0 + 10 * i) * SEC);
}

static struct mkprof *go_mutex(int i)
{
	return mkprof_go_mutex((T0 + 10 * i) * SEC);
}

static struct mkprof *go_heap(int i)
{
	return mkprof_go_heap((T0 + 10 * i) * SEC);
}

static struct mkprof *inuse(int i)
{
	struct mkprof *p = mkprof_new();

	mkprof_sample_type(p, "inuse_space", "bytes");
	mkprof_time(p, (T0 + 10 * i) * SEC);
	return p;
}

/* Write p as ROOT/svc/<kind>-<T0 + 10 i>.pb.gz and free it. */
static int put(struct fixture *f, struct mkprof *p, const char *svc,
	       const char *kind, int i)
{
	return fixture_putf(f, p, 1, "%s/%s-%lld.pb.gz", svc, kind, T0 + 10 * i);
}

/* A Go CPU profile whose only sample references location 99. */
static struct mkprof *corrupt_cpu(int i)
{
	struct mkprof *p = go_cpu(i);

	mkprof_sample(p, (int64_t[]){ 1, 10 }, "main;a");
	mkprof_message(p)->sample[0]->location_id[0] = 99;
	return p;
}

/* The services of label nodes (see the top comment). */
static int write_labelled(struct fixture *f)
{
	static const int64_t a_db[] = { 10, 5, 6 }, a_cache[] = { 0, 7, 9 };
	static const int64_t b_db[] = { 2, 20, 21 };
	static const char *const folded[] = { "main;a 3\n", "main;a 4\nmain;b 1\n" };
	char rel[64], path[MKPROF_PATH_MAX];
	struct mkprof *p;
	int i, rc = 0;

	p = go_cpu(0);
	mkprof_sample(p, (int64_t[]){ 1, 10 }, "main;a");
	mkprof_label(p, "endpoint", "/users");
	mkprof_sample(p, (int64_t[]){ 1, 3 }, "main;a");
	mkprof_label(p, "endpoint", "/admin");
	mkprof_sample(p, (int64_t[]){ 1, 5 }, "main;b");
	mkprof_label(p, "endpoint", "/users");
	mkprof_num_label(p, "size", 4096, "bytes");
	mkprof_sample(p, (int64_t[]){ 1, 2 }, "main;c");
	if (put(f, p, "tagged", "cpu", 0))
		rc = -1;
	p = go_cpu(1);
	mkprof_sample(p, (int64_t[]){ 2, 20 }, "main;a");
	mkprof_label(p, "endpoint", "/users");
	mkprof_sample(p, (int64_t[]){ 1, 2 }, "main;c");
	if (put(f, p, "tagged", "cpu", 1))
		rc = -1;
	p = go_cpu(2);
	mkprof_sample(p, (int64_t[]){ 3, 30 }, "main;a");
	mkprof_label(p, "endpoint", "/users");
	mkprof_sample(p, (int64_t[]){ 1, 7 }, "main;b");
	mkprof_num_label(p, "size", 4096, "bytes");
	mkprof_sample(p, (int64_t[]){ 1, 2 }, "main;c");
	if (put(f, p, "tagged", "cpu", 2))
		rc = -1;

	for (i = 0; i < 3; i++) {
		p = go_mutex(i);
		mkprof_sample(p, (int64_t[]){ a_db[i], a_db[i] }, "main;A");
		mkprof_label(p, "role", "db");
		if (a_cache[i]) {
			mkprof_sample(p, (int64_t[]){ a_cache[i], a_cache[i] }, "main;A");
			mkprof_label(p, "role", "cache");
		}
		mkprof_sample(p, (int64_t[]){ b_db[i], b_db[i] }, "main;B");
		mkprof_label(p, "role", "db");
		if (i == 2)
			mkprof_sample(p, (int64_t[]){ 4, 4 }, "main;C");
		if (put(f, p, "tagmutex", "mutex", i))
			rc = -1;
	}

	p = go_cpu(0);
	mkprof_sample(p, (int64_t[]){ 1, 10 }, "main;a");
	mkprof_label(p, "endpoint", "/users");
	if (put(f, p, "tagbad", "cpu", 0))
		rc = -1;
	if (put(f, corrupt_cpu(1), "tagbad", "cpu", 1))
		rc = -1;
	p = go_cpu(2);
	mkprof_sample(p, (int64_t[]){ 1, 4 }, "main;a");
	mkprof_label(p, "endpoint", "/admin");
	if (put(f, p, "tagbad", "cpu", 2))
		rc = -1;

	for (i = 0; i < 5; i++) {
		if (i == 3) {
			if (put(f, corrupt_cpu(i), "tagmany", "cpu", i))
				rc = -1;
			continue;
		}
		p = go_cpu(i);
		mkprof_sample(p, (int64_t[]){ 1, 10 * (i + 1) }, "main;a");
		mkprof_label(p, "endpoint", "/users");
		mkprof_sample(p, (int64_t[]){ 1, 1 }, "main;b");
		mkprof_label(p, "endpoint", "/admin");
		if (put(f, p, "tagmany", "cpu", i))
			rc = -1;
	}

	for (i = 0; i < 2; i++) {
		snprintf(rel, sizeof(rel), "tagfold/cpu-%lld.txt", T0 + 10 * i);
		mkprof_join(path, f->root, rel);
		if (mkprof_write_file(path, folded[i], strlen(folded[i])))
			rc = -1;
	}
	return rc;
}

static int write_archive(struct fixture *f)
{
	static const int64_t mono[] = { 10, 15, 22 }, restart[] = { 10, 15, 4, 9 };
	static const int64_t x[] = { 100, 200, 301 };
	struct mkprof *p;
	int i, rc = 0;

	for (i = 0; i < 3; i++) {
		p = go_cpu(i);
		mkprof_sample(p, (int64_t[]){ i + 1, 10 * (i + 1) }, "main;a");
		if (i == 0)
			mkprof_sample(p, (int64_t[]){ 1, 5 }, "main;b");
		if (i == 2)
			mkprof_sample(p, (int64_t[]){ 1, 1 }, "main;c");
		if (put(f, p, "rate", "cpu", i))
			rc = -1;

		p = go_mutex(i);
		mkprof_sample(p, (int64_t[]){ mono[i], 10 * mono[i] }, "main;lock");
		mkprof_sample(p, (int64_t[]){ i == 2 ? 2 : 1, 7 }, "main;other");
		if (put(f, p, "mono", "mutex", i))
			rc = -1;

		p = go_heap(i);
		mkprof_sample(p, (int64_t[]){ 9, 900 + 100 * i, 1, x[i] }, "main;x");
		mkprof_sample(p, (int64_t[]){ 1, 5, i == 0, i == 0 ? 5 : 0 }, "main;y");
		if (put(f, p, "gauge", "heap", i))
			rc = -1;

		if (i == 1) {
			p = corrupt_cpu(i);
		} else {
			p = go_cpu(i);
			mkprof_sample(p, (int64_t[]){ 1, 10 }, "main;a");
		}
		if (put(f, p, "bad", "cpu", i))
			rc = -1;
	}
	for (i = 0; i < 4; i++) {
		p = go_mutex(i);
		mkprof_sample(p, (int64_t[]){ restart[i], restart[i] }, "main;lock");
		if (put(f, p, "restart", "mutex", i))
			rc = -1;
	}
	for (i = 0; i < 3; i++) {
		p = go_mutex(i);
		mkprof_sample(p, (int64_t[]){ 900, 900 }, "main;X");
		if (i == 0)
			mkprof_sample(p, (int64_t[]){ 100, 100 }, "main;Y");
		if (put(f, p, "vanish", "mutex", i))
			rc = -1;
	}
	for (i = 0; i < 2; i++) {
		p = go_mutex(i);
		mkprof_sample(p, (int64_t[]){ i ? 5 : 10, 1 }, "main;A");
		mkprof_sample(p, (int64_t[]){ i ? 20 : 2, 1 }, "main;B");
		if (put(f, p, "deltas", "mutex", i))
			rc = -1;

		p = inuse(i);
		mkprof_sample(p, (int64_t[]){ i ? 2 : 1 }, "main;P");
		mkprof_sample(p, (int64_t[]){ i ? -2 : -1 }, "main;Q");
		if (i == 0) {
			mkprof_sample(p, (int64_t[]){ 3 }, "main;R");
			mkprof_sample(p, (int64_t[]){ 1 }, "main;T");
		}
		if (put(f, p, "half", "inuse", i))
			rc = -1;

		if (put(f, corrupt_cpu(i), "gone", "cpu", i))
			rc = -1;
	}
	/* Issue 20: the second of three snapshots overflows the sum of the
	 * first (it is left out, the rest merge); a cumulative series whose
	 * first value is negative, so the rise c - p overflows. */
	for (i = 0; i < 3; i++) {
		static const int64_t big[] = { INT64_MAX - 10, 100, 5 };

		p = go_cpu(i);
		mkprof_sample(p, (int64_t[]){ big[i], 1 }, i == 2 ? "main;b" : "main;a");
		if (put(f, p, "ovf", "cpu", i))
			rc = -1;
	}
	for (i = 0; i < 2; i++) {
		p = go_mutex(i);
		mkprof_sample(p, (int64_t[]){ i ? INT64_MAX - 1 : -5, 1 }, "main;lock");
		if (put(f, p, "negprev", "mutex", i))
			rc = -1;
	}
	if (write_labelled(f))
		rc = -1;
	return rc ? -1 : 0;
}

static int group_setup(void **state)
{
	return fixture_setup(state, write_archive, FIXTURE_ARCHIVE);
}

/* ---- helpers ------------------------------------------------------------- */

struct merged {
	struct pyro_stacks s;
	int rc;
	char err[PYRO_ERR_MAX];
};

/* The members of a node: snapshots [first, first + n) of svc/type (n 0:
 * all of them), with the snapshot before them as baseline if asked. */
struct members {
	const struct pyro_service *sv;
	const struct pyro_series *se;
	const struct pyro_snapshot *snaps[MAX_SNAPS];
	size_t n;
	const struct pyro_snapshot *baseline;
};

static void pick_members(struct fixture *f, const char *svc, const char *type,
			 size_t first, size_t n, int with_baseline,
			 struct members *mb)
{
	size_t i;

	mb->sv = pyro_archive_service(f->a, svc);
	assert_non_null(mb->sv);
	mb->se = pyro_service_series(mb->sv, type);
	assert_non_null(mb->se);
	if (!n)
		n = mb->se->nsnaps - first;
	assert_true(first + n <= mb->se->nsnaps && n <= MAX_SNAPS);
	for (i = 0; i < n; i++)
		mb->snaps[i] = &mb->se->snaps[first + i];
	mb->n = n;
	mb->baseline = with_baseline && first ? &mb->se->snaps[first - 1] : NULL;
}

static void merge_impl(struct fixture *f, const char *svc, const char *type,
		       size_t first, size_t n, enum pyro_merge_policy policy,
		       const char *span, int with_baseline, struct merged *m)
{
	struct members mb;

	pick_members(f, svc, type, first, n, with_baseline, &mb);
	m->err[0] = '\0';
	m->rc = pyro_merge_build(f->a, mb.sv, mb.se, mb.snaps, mb.n, mb.baseline,
				 policy, span, &m->s, m->err);
}

static void merge(struct fixture *f, const char *svc, const char *type,
		  size_t first, size_t n, enum pyro_merge_policy policy,
		  const char *span, struct merged *m)
{
	merge_impl(f, svc, type, first, n, policy, span, 0, m);
}

/* A window: increases are measured from the snapshot before it. */
static void merge_window(struct fixture *f, const char *svc, const char *type,
			 size_t first, size_t n, struct merged *m)
{
	merge_impl(f, svc, type, first, n, PYRO_POLICY_AUTO, "w", 1, m);
}

/* The merge succeeded with rule and stacks text expected; releases m. */
static void check(struct merged *m, enum pyro_merge_rule rule,
		  const char *expected)
{
	struct pyro_buf text = PYRO_BUF_INIT;

	if (m->rc)
		fail_msg("merge failed (%d): %s", m->rc, m->err);
	assert_int_equal(m->s.meta.rule, rule);
	assert_int_equal(mkprof_stacks_text(&m->s, &text), 0);
	assert_string_equal(text.data ? text.data : "", expected);
	pyro_buf_release(&text);
	pyro_stacks_release(&m->s);
}

/* A label filter key=value of a node merged by rule to total whole. */
static struct pyro_merge_filter filter(const char *key, const char *value,
				       enum pyro_merge_rule rule, int64_t whole)
{
	return (struct pyro_merge_filter){
		.key = key, .key_len = strlen(key),
		.value = value, .value_len = strlen(value),
		.rule = rule, .whole_total = whole,
	};
}

/* merge_impl of the samples passing fl, with the AUTO policy. */
static void merge_filtered(struct fixture *f, const char *svc,
			   const char *type, size_t first, size_t n,
			   int with_baseline, const char *span,
			   const struct pyro_merge_filter *fl, struct merged *m)
{
	struct members mb;

	pick_members(f, svc, type, first, n, with_baseline, &mb);
	m->err[0] = '\0';
	m->rc = pyro_merge_build_filtered(f->a, mb.sv, mb.se, mb.snaps, mb.n,
					  mb.baseline, PYRO_POLICY_AUTO, span, fl,
					  &m->s, m->err);
}

struct labelled {
	struct pyro_label_set ls;
	int rc;
	char err[PYRO_ERR_MAX];
};

/* pyro_merge_labels of the members of svc/type (as pick_members). */
static void labels(struct fixture *f, const char *svc, const char *type,
		   size_t first, size_t n, int with_baseline,
		   enum pyro_merge_rule rule, struct labelled *l)
{
	struct members mb;

	pick_members(f, svc, type, first, n, with_baseline, &mb);
	l->err[0] = '\0';
	l->rc = pyro_merge_labels(f->a, mb.snaps, mb.n, mb.baseline, rule,
				  &l->ls, l->err);
}

/*
 * A finished label set as text, in its order (by total, largest first):
 *
 *     cpu nanoseconds: 81 in 3         type, unit: total in nsnapshots
 *     size 12 without 69 in bytes      key, its totals, unit if numeric
 *       4096 12 (number)               value, total, kinds if a number
 */
static void set_text(const struct pyro_label_set *ls, struct pyro_buf *out)
{
	size_t i, j;

	assert_int_equal(pyro_buf_printf(out, "%s %s: %lld in %u\n",
					 ls->sample_type, ls->sample_unit,
					 (long long)ls->total, ls->nsnapshots), 0);
	for (i = 0; i < ls->nkeys; i++) {
		const struct pyro_label_key *k = &ls->keys[i];

		assert_int_equal(pyro_buf_printf(out, "%s %lld without %lld%s%s\n",
						 k->text, (long long)k->total,
						 (long long)k->without,
						 k->unit ? " in " : "",
						 k->unit ? k->unit : ""), 0);
		for (j = 0; j < k->nvalues; j++) {
			const struct pyro_label_value *v = &k->values[j];

			assert_int_equal(pyro_buf_printf(out, "  %s %lld%s\n", v->text,
							 (long long)v->total,
							 v->kinds & PYRO_LABEL_NUMBER ?
							 " (number)" : ""), 0);
		}
	}
}

/* The label merge succeeded with set text expected; releases l. */
static void check_labels(struct labelled *l, const char *expected)
{
	struct pyro_buf text = PYRO_BUF_INIT;

	if (l->rc)
		fail_msg("label merge failed (%d): %s", l->rc, l->err);
	assert_true(l->ls.finished);
	set_text(&l->ls, &text);
	assert_string_equal(text.data, expected);
	pyro_buf_release(&text);
	pyro_label_set_release(&l->ls);
}

/* The recorded problem of path, or NULL. */
static const char *problem_of(struct pyro_archive *a, const char *path)
{
	size_t i;

	for (i = 0; i < a->nproblems; i++)
		if (!strcmp(a->problems[i].path, path))
			return a->problems[i].reason;
	return NULL;
}

/* ---- cases ---------------------------------------------------------------- */

static void test_index(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(f->a->nservices, 16);
	assert_int_equal(f->a->nproblems, 0);       /* headers are all valid */
	assert_int_equal(pyro_service_series(pyro_archive_service(f->a, "half"),
					     "inuse_space")->kind, PYRO_KIND_GAUGE);
}

/* A member whose values overflow the sum so far is left out and named in
 * the problems; the others still merge (issue 20). */
static void test_overflow_skips_member(void **state)
{
	struct fixture *f = *state;
	char path[256];
	const char *why;
	struct merged m;

	merge(f, "ovf", "samples", 0, 0, PYRO_POLICY_AUTO, "all", &m);
	assert_int_equal(m.rc, 0);
	assert_int_equal(m.s.meta.nsnapshots, 2);
	check(&m, PYRO_MERGE_SUM, "main;a 9223372036854775797\nmain;b 5\n");
	snprintf(path, sizeof(path), "ovf/cpu-%lld.pb.gz", T0 + 10);
	why = problem_of(f->a, path);
	assert_non_null(why);
	assert_non_null(strstr(why, "left out of merges"));
	/* The other sample type of the same files merges whole. */
	merge(f, "ovf", "cpu", 0, 0, PYRO_POLICY_AUTO, "all", &m);
	assert_int_equal(m.s.meta.nsnapshots, 3);
	check(&m, PYRO_MERGE_SUM, "main;a 2\nmain;b 1\n");
}

/* A negative previous value: the rise c - p does not fit, so c counts
 * whole, as after a restart (was signed overflow, issue 20). */
static void test_increase_negative_prev(void **state)
{
	struct merged m;

	merge(*state, "negprev", "mutex_count", 0, 0, PYRO_POLICY_AUTO, "all", &m);
	check(&m, PYRO_MERGE_INCREASE, "main;lock 9223372036854775801\n");
}

/* Label totals: the overflowing member is left out there too.  A node's
 * label total is pprof's, the sum of |sample|: the hostile -5 counts 5, and
 * then the second member's INT64_MAX - 1 no longer fits beside it. */
static void test_labels_hostile_values(void **state)
{
	struct labelled l;

	labels(*state, "ovf", "samples", 0, 0, 0, PYRO_MERGE_SUM, &l);
	check_labels(&l, "samples count: 9223372036854775802 in 2\n");
	labels(*state, "negprev", "mutex_count", 0, 0, 0, PYRO_MERGE_INCREASE, &l);
	check_labels(&l, "contentions count: 5 in 1\n");
}

static void test_rate_sum(void **state)
{
	struct merged m;

	merge(*state, "rate", "cpu", 0, 0, PYRO_POLICY_AUTO, "all", &m);
	assert_int_equal(m.rc, 0);
	assert_string_equal(m.s.meta.service, "rate");
	assert_string_equal(m.s.meta.type, "cpu");
	assert_string_equal(m.s.meta.span, "all");
	assert_string_equal(m.s.meta.sample_type, "cpu");
	assert_string_equal(m.s.meta.sample_unit, "nanoseconds");
	assert_string_equal(m.s.meta.file, "api");
	assert_int_equal(m.s.meta.time_nanos, T0 * SEC);
	assert_int_equal(m.s.meta.newest_nanos, (T0 + 20) * SEC);
	assert_int_equal(m.s.meta.duration_nanos, 30 * SEC);
	assert_int_equal(m.s.meta.nsnapshots, 3);
	check(&m, PYRO_MERGE_SUM, "main;a 60\nmain;b 5\nmain;c 1\n");

	merge(*state, "rate", "samples", 1, 2, PYRO_POLICY_AUTO, "x", &m);
	assert_int_equal(m.s.meta.time_nanos, (T0 + 10) * SEC);
	assert_int_equal(m.s.meta.duration_nanos, 20 * SEC);
	assert_int_equal(m.s.meta.nsnapshots, 2);
	check(&m, PYRO_MERGE_SUM, "main;a 5\nmain;c 1\n");
}

/* One process's cumulative series merges to its last snapshot. */
static void test_cumulative_increase(void **state)
{
	struct merged m;

	merge(*state, "mono", "mutex_count", 0, 0, PYRO_POLICY_AUTO, "all", &m);
	assert_int_equal(m.s.meta.nsnapshots, 3);
	check(&m, PYRO_MERGE_INCREASE, "main;lock 22\nmain;other 2\n");
	merge(*state, "mono", "mutex_duration", 0, 0, PYRO_POLICY_AUTO, "all", &m);
	check(&m, PYRO_MERGE_INCREASE, "main;lock 220\nmain;other 7\n");
	/* A later span: the first member counts whole. */
	merge(*state, "mono", "mutex_count", 1, 2, PYRO_POLICY_AUTO, "x", &m);
	check(&m, PYRO_MERGE_INCREASE, "main;lock 22\nmain;other 2\n");
}

/* The total drops at the third snapshot: it counts whole. */
static void test_cumulative_restart(void **state)
{
	struct merged m;

	merge(*state, "restart", "mutex_count", 0, 0, PYRO_POLICY_AUTO, "all", &m);
	assert_int_equal(m.s.meta.nsnapshots, 4);
	check(&m, PYRO_MERGE_INCREASE, "main;lock 24\n");
}

/* Windows measure cumulative increase from the snapshot before them; gauges
 * and rates ignore the baseline. */
static void test_window_baseline(void **state)
{
	struct merged m;

	/* mono: lock 10 15 22, other 1 1 2; the window is the last two. */
	merge_window(*state, "mono", "mutex_count", 1, 2, &m);
	assert_int_equal(m.s.meta.nsnapshots, 2);
	check(&m, PYRO_MERGE_INCREASE, "main;lock 12\nmain;other 1\n");
	/* One member with a baseline is still a merge: what happened in it. */
	merge_window(*state, "mono", "mutex_count", 2, 1, &m);
	assert_int_equal(m.s.meta.nsnapshots, 1);
	check(&m, PYRO_MERGE_INCREASE, "main;lock 7\nmain;other 1\n");
	/* restart: 10 15 4 9; window of the last two: 4 counts whole (reset). */
	merge_window(*state, "restart", "mutex_count", 2, 2, &m);
	check(&m, PYRO_MERGE_INCREASE, "main;lock 9\n");
	/* gauge X 100 200 301: mean of the window's members only.  Y lived
	 * only in the baseline: it stays in the set with 0 (renderers skip
	 * zero stacks, as stacks.h allows). */
	merge_window(*state, "gauge", "inuse_space", 1, 2, &m);
	check(&m, PYRO_MERGE_MEAN, "main;x 251\nmain;y 0\n");
	/* rate a 10 20 30: sum of the members only. */
	merge_window(*state, "rate", "cpu", 1, 2, &m);
	check(&m, PYRO_MERGE_SUM, "main;a 50\nmain;b 0\nmain;c 1\n");
}

/* A stack that disappears resets only itself: X is not counted again. */
static void test_cumulative_vanished_stack(void **state)
{
	struct merged m;

	merge(*state, "vanish", "mutex_count", 0, 0, PYRO_POLICY_AUTO, "all", &m);
	check(&m, PYRO_MERGE_INCREASE, "main;X 900\nmain;Y 100\n");
}

/* A stack falls while the total grows: deltas, not cumulative: summed. */
static void test_cumulative_deltas(void **state)
{
	struct merged m;

	merge(*state, "deltas", "mutex_count", 0, 0, PYRO_POLICY_AUTO, "all", &m);
	check(&m, PYRO_MERGE_SUM, "main;A 15\nmain;B 22\n");
}

static void test_gauge_mean(void **state)
{
	struct merged m;

	merge(*state, "gauge", "inuse_space", 0, 0, PYRO_POLICY_AUTO, "all", &m);
	assert_int_equal(m.s.meta.nsnapshots, 3);
	/* X: 601 / 3 = 200.33; Y: 5 / 3 = 1.67 (absent counts 0). */
	check(&m, PYRO_MERGE_MEAN, "main;x 200\nmain;y 2\n");
	/* A cumulative type of the same files: x 900 1000 1100, y 5 5 5. */
	merge(*state, "gauge", "alloc_space", 0, 0, PYRO_POLICY_AUTO, "all", &m);
	check(&m, PYRO_MERGE_INCREASE, "main;x 1100\nmain;y 5\n");
}

/* Halves round away from zero. */
static void test_gauge_halves(void **state)
{
	struct merged m;

	merge(*state, "half", "inuse_space", 0, 0, PYRO_POLICY_AUTO, "all", &m);
	check(&m, PYRO_MERGE_MEAN, "main;P 2\nmain;Q -2\nmain;R 2\nmain;T 1\n");
}

static void test_policy_pprof(void **state)
{
	struct merged m;

	merge(*state, "mono", "mutex_count", 0, 0, PYRO_POLICY_PPROF, "all", &m);
	check(&m, PYRO_MERGE_SUM, "main;lock 47\nmain;other 4\n");
	merge(*state, "gauge", "inuse_space", 0, 0, PYRO_POLICY_PPROF, "all", &m);
	check(&m, PYRO_MERGE_SUM, "main;x 601\nmain;y 5\n");
}

static void test_single(void **state)
{
	struct merged m;

	merge(*state, "mono", "mutex_count", 2, 1, PYRO_POLICY_AUTO,
	      "2026-11-24T10-15-20Z", &m);
	assert_string_equal(m.s.meta.span, "2026-11-24T10-15-20Z");
	assert_string_equal(m.s.meta.service, "mono");
	assert_string_equal(m.s.meta.type, "mutex_count");
	assert_int_equal(m.s.meta.nsnapshots, 1);
	assert_int_equal(m.s.meta.time_nanos, (T0 + 20) * SEC);
	check(&m, PYRO_MERGE_SINGLE, "main;lock 22\nmain;other 2\n");
	/* Even for a gauge, and with the pprof policy. */
	merge(*state, "gauge", "inuse_space", 0, 1, PYRO_POLICY_PPROF, "all", &m);
	check(&m, PYRO_MERGE_SINGLE, "main;x 100\nmain;y 5\n");
}

/* A member that fails to decode is a problem and is left out. */
static void test_bad_member(void **state)
{
	struct fixture *f = *state;
	struct merged m;

	merge(f, "bad", "cpu", 0, 0, PYRO_POLICY_AUTO, "all", &m);
	assert_int_equal(m.s.meta.nsnapshots, 2);
	assert_int_equal(m.s.meta.time_nanos, T0 * SEC);
	assert_int_equal(m.s.meta.duration_nanos, 20 * SEC);
	check(&m, PYRO_MERGE_SUM, "main;a 20\n");
	assert_string_equal(problem_of(f->a, "bad/cpu-1795515310.pb.gz"),
			    "malformed profile: sample 0 references missing location 99");
	assert_null(problem_of(f->a, "bad/cpu-1795515300.pb.gz"));
}

/* No member decodes: -EIO with the reason. */
static void test_all_bad(void **state)
{
	static const char reason[] =
		"malformed profile: sample 0 references missing location 99";
	struct fixture *f = *state;
	struct merged m;

	merge(f, "gone", "cpu", 0, 0, PYRO_POLICY_AUTO, "all", &m);
	assert_int_equal(m.rc, -EIO);
	assert_string_equal(m.err, reason);
	pyro_stacks_release(&m.s);
	merge(f, "gone", "cpu", 1, 1, PYRO_POLICY_AUTO, "all", &m);
	assert_int_equal(m.rc, -EIO);
	assert_string_equal(m.err, reason);
	pyro_stacks_release(&m.s);
	assert_string_equal(problem_of(f->a, "gone/cpu-1795515300.pb.gz"), reason);
	assert_string_equal(problem_of(f->a, "gone/cpu-1795515310.pb.gz"), reason);
}

/* ---- label nodes ---------------------------------------------------------- */

/* tagged/cpu: a sum of the samples carrying a label, string or number. */
static void test_filter_sum(void **state)
{
	struct pyro_merge_filter fl;
	struct merged m;
	int64_t whole;

	merge(*state, "tagged", "cpu", 0, 0, PYRO_POLICY_AUTO, "all", &m);
	assert_int_equal(pyro_stacks_total(&m.s, &whole), 0);
	assert_int_equal(whole, 81);
	assert_null(m.s.meta.filter);
	assert_int_equal(m.s.meta.whole_total, 0);
	check(&m, PYRO_MERGE_SUM, "main;a 63\nmain;b 12\nmain;c 6\n");

	fl = filter("endpoint", "/users", PYRO_MERGE_SUM, whole);
	merge_filtered(*state, "tagged", "cpu", 0, 0, 0, "all", &fl, &m);
	assert_int_equal(m.rc, 0);
	assert_string_equal(m.s.meta.filter, "endpoint=/users");
	assert_int_equal(m.s.meta.whole_total, 81);
	assert_string_equal(m.s.meta.service, "tagged");
	assert_string_equal(m.s.meta.type, "cpu");
	assert_string_equal(m.s.meta.span, "all");
	assert_string_equal(m.s.meta.sample_type, "cpu");
	assert_int_equal(m.s.meta.nsnapshots, 3);
	assert_int_equal(m.s.meta.time_nanos, T0 * SEC);
	assert_int_equal(m.s.meta.duration_nanos, 30 * SEC);
	check(&m, PYRO_MERGE_SUM, "main;a 60\nmain;b 5\n");

	/* A numeric label's value is its decimal text. */
	fl = filter("size", "4096", PYRO_MERGE_SUM, whole);
	fl.unit = "bytes";
	merge_filtered(*state, "tagged", "cpu", 0, 0, 0, "all", &fl, &m);
	assert_string_equal(m.s.meta.filter, "size=4096");
	assert_string_equal(m.s.meta.filter_unit, "bytes");
	check(&m, PYRO_MERGE_SUM, "main;b 12\n");
}

/* Five members decode ahead on threads, filtered there; the bad one is
 * left out and recorded. */
static void test_filter_many(void **state)
{
	struct pyro_merge_filter fl = filter("endpoint", "/users",
					     PYRO_MERGE_SUM, 114);
	struct fixture *f = *state;
	struct merged m;

	merge_filtered(f, "tagmany", "cpu", 0, 0, 0, "all", &fl, &m);
	assert_int_equal(m.s.meta.nsnapshots, 4);
	assert_int_equal(m.s.meta.duration_nanos, 40 * SEC);
	assert_string_equal(m.s.meta.filter, "endpoint=/users");
	assert_int_equal(m.s.meta.whole_total, 114);
	check(&m, PYRO_MERGE_SUM, "main;a 110\n");
	assert_string_equal(problem_of(f->a, "tagmany/cpu-1795515330.pb.gz"),
			    "malformed profile: sample 0 references missing location 99");
}

/*
 * tagmutex: the node is cumulative, so role=db merges by increase too,
 * although on its own it looks like deltas (A falls 10 -> 5 while the
 * subset's total rises 12 -> 25).  A: 10, then 5 counts whole (a fall),
 * then +1: 16; B: 2 + 18 + 1 = 21.
 */
static void test_filter_increase(void **state)
{
	struct pyro_merge_filter fl;
	struct merged m;
	int64_t whole;

	merge(*state, "tagmutex", "mutex_count", 0, 0, PYRO_POLICY_AUTO, "all", &m);
	assert_int_equal(pyro_stacks_total(&m.s, &whole), 0);
	fl = filter("role", "db", m.s.meta.rule, whole);
	check(&m, PYRO_MERGE_INCREASE, "main;A 15\nmain;B 21\nmain;C 4\n");
	assert_int_equal(fl.rule, PYRO_MERGE_INCREASE);
	assert_int_equal(fl.whole_total, 40);

	merge_filtered(*state, "tagmutex", "mutex_count", 0, 0, 0, "all", &fl, &m);
	assert_string_equal(m.s.meta.filter, "role=db");
	assert_int_equal(m.s.meta.whole_total, 40);
	assert_int_equal(m.s.meta.nsnapshots, 3);
	check(&m, PYRO_MERGE_INCREASE, "main;A 16\nmain;B 21\n");

	/* No rule given (SINGLE): the subset judged on its own is summed -
	 * what the node's rule must override. */
	fl.rule = PYRO_MERGE_SINGLE;
	merge_filtered(*state, "tagmutex", "mutex_count", 0, 0, 0, "all", &fl, &m);
	check(&m, PYRO_MERGE_SUM, "main;A 21\nmain;B 43\n");

	/* A window of the last one: the baseline is filtered too (A 5 -> 6,
	 * B 20 -> 21; the whole node's A rose 12 -> 15). */
	fl.rule = PYRO_MERGE_INCREASE;
	merge_filtered(*state, "tagmutex", "mutex_count", 2, 1, 1, "w", &fl, &m);
	assert_int_equal(m.s.meta.nsnapshots, 1);
	check(&m, PYRO_MERGE_INCREASE, "main;A 1\nmain;B 1\n");
}

static void test_filter_single(void **state)
{
	struct pyro_merge_filter fl = filter("endpoint", "/admin",
					     PYRO_MERGE_SINGLE, 20);
	struct merged m;

	merge_filtered(*state, "tagged", "cpu", 0, 1, 0, "2026-11-24T10-15-00Z",
		       &fl, &m);
	assert_int_equal(m.rc, 0);
	assert_string_equal(m.s.meta.span, "2026-11-24T10-15-00Z");
	assert_string_equal(m.s.meta.filter, "endpoint=/admin");
	assert_int_equal(m.s.meta.whole_total, 20);
	assert_int_equal(m.s.meta.nsnapshots, 1);
	assert_int_equal(m.s.meta.time_nanos, T0 * SEC);
	check(&m, PYRO_MERGE_SINGLE, "main;a 3\n");
}

/* No sample passes: no stacks, but a node all the same. */
static void test_filter_no_match(void **state)
{
	struct pyro_merge_filter fl = filter("endpoint", "/nope",
					     PYRO_MERGE_SUM, 81);
	struct merged m;

	merge_filtered(*state, "tagged", "cpu", 0, 0, 0, "all", &fl, &m);
	assert_int_equal(m.rc, 0);
	assert_int_equal(m.s.nstacks, 0);
	assert_string_equal(m.s.meta.filter, "endpoint=/nope");
	assert_int_equal(m.s.meta.whole_total, 81);
	assert_int_equal(m.s.meta.nsnapshots, 3);
	assert_string_equal(m.s.meta.sample_type, "cpu");
	check(&m, PYRO_MERGE_SUM, "");
	/* A value of another key, in one snapshot. */
	fl = filter("size", "/users", PYRO_MERGE_SINGLE, 20);
	merge_filtered(*state, "tagged", "cpu", 0, 1, 0, "s", &fl, &m);
	assert_int_equal(m.rc, 0);
	assert_string_equal(m.s.meta.filter, "size=/users");
	assert_int_equal(m.s.meta.whole_total, 20);
	check(&m, PYRO_MERGE_SINGLE, "");
	/* Collapsed stacks carry no labels: nothing passes. */
	fl = filter("endpoint", "/users", PYRO_MERGE_SUM, 8);
	merge_filtered(*state, "tagfold", "cpu", 0, 0, 0, "all", &fl, &m);
	assert_int_equal(m.rc, 0);
	assert_int_equal(m.s.meta.nsnapshots, 2);
	assert_string_equal(m.s.meta.sample_type, "samples");
	assert_string_equal(m.s.meta.filter, "endpoint=/users");
	check(&m, PYRO_MERGE_SUM, "");
}

/* One snapshot: its own set (snapshot 0 of tagged/cpu, total 20). */
static void test_labels_single(void **state)
{
	struct labelled l;

	labels(*state, "tagged", "cpu", 0, 1, 0, PYRO_MERGE_SINGLE, &l);
	check_labels(&l,
		     "cpu nanoseconds: 20 in 1\n"
		     "endpoint 18 without 2\n"
		     "  /users 15\n"
		     "  /admin 3\n"
		     "size 5 without 15 in bytes\n"
		     "  4096 5 (number)\n");
	/* The samples type of the same file. */
	labels(*state, "tagged", "samples", 0, 1, 0, PYRO_MERGE_SINGLE, &l);
	check_labels(&l,
		     "samples count: 4 in 1\n"
		     "endpoint 3 without 1\n"
		     "  /users 2\n"
		     "  /admin 1\n"
		     "size 1 without 3 in bytes\n"
		     "  4096 1 (number)\n");
}

/*
 * tagged/cpu, per snapshot: total 20 22 39, endpoint 18 20 30 (without
 * 2 2 9), /users 15 20 30, /admin 3 0 0, size 5 0 7 (without 15 22 32).
 * A key a snapshot lacks has all its samples without it.
 */
static void test_labels_sum_mean(void **state)
{
	struct labelled l;

	labels(*state, "tagged", "cpu", 0, 0, 0, PYRO_MERGE_SUM, &l);
	check_labels(&l,
		     "cpu nanoseconds: 81 in 3\n"
		     "endpoint 68 without 13\n"
		     "  /users 65\n"
		     "  /admin 3\n"
		     "size 12 without 69 in bytes\n"
		     "  4096 12 (number)\n");
	/* Each total on its own: 81/3, 68/3 = 22.67, 13/3 = 4.33, 65/3,
	 * 3/3, 12/3, 69/3, rounded. */
	labels(*state, "tagged", "cpu", 0, 0, 0, PYRO_MERGE_MEAN, &l);
	check_labels(&l,
		     "cpu nanoseconds: 27 in 3\n"
		     "endpoint 23 without 4\n"
		     "  /users 22\n"
		     "  /admin 1\n"
		     "size 4 without 23 in bytes\n"
		     "  4096 4 (number)\n");
}

/*
 * tagmutex/mutex_count, per snapshot: total 12 32 40, role 12 32 36
 * (without 0 0 4), db 12 25 27, cache 0 7 9.  The window of the last two
 * rises from the first: total 20 + 8, role 20 + 4, db 13 + 2, cache 7 + 2
 * (the baseline lacks it: it rises from 0).
 */
static void test_labels_increase(void **state)
{
	struct labelled l;

	labels(*state, "tagmutex", "mutex_count", 1, 2, 1, PYRO_MERGE_INCREASE, &l);
	check_labels(&l,
		     "contentions count: 28 in 2\n"
		     "role 24 without 4\n"
		     "  db 15\n"
		     "  cache 9\n");
	/* Without the baseline the first member counts whole. */
	labels(*state, "tagmutex", "mutex_count", 1, 2, 0, PYRO_MERGE_INCREASE, &l);
	check_labels(&l,
		     "contentions count: 40 in 2\n"
		     "role 36 without 4\n"
		     "  db 27\n"
		     "  cache 9\n");
}

/* Collapsed stacks: their totals (3, 5), no keys. */
static void test_labels_collapsed(void **state)
{
	struct labelled l;

	labels(*state, "tagfold", "cpu", 0, 0, 0, PYRO_MERGE_SUM, &l);
	check_labels(&l, "samples count: 8 in 2\n");
	labels(*state, "tagfold", "cpu", 1, 1, 0, PYRO_MERGE_SINGLE, &l);
	check_labels(&l, "samples count: 5 in 1\n");
}

/* An unreadable member is left out and recorded as a problem. */
static void test_labels_bad_member(void **state)
{
	struct fixture *f = *state;
	struct labelled l;

	assert_null(problem_of(f->a, "tagbad/cpu-1795515310.pb.gz"));
	labels(f, "tagbad", "cpu", 0, 0, 0, PYRO_MERGE_SUM, &l);
	check_labels(&l,
		     "cpu nanoseconds: 14 in 2\n"
		     "endpoint 14 without 0\n"
		     "  /users 10\n"
		     "  /admin 4\n");
	assert_string_equal(problem_of(f->a, "tagbad/cpu-1795515310.pb.gz"),
			    "malformed profile: sample 0 references missing location 99");
	assert_null(problem_of(f->a, "tagbad/cpu-1795515300.pb.gz"));
	assert_null(problem_of(f->a, "tagbad/cpu-1795515320.pb.gz"));
}

/* No member readable: -EIO with the reason, for one member or several. */
static void test_labels_all_bad(void **state)
{
	static const char reason[] =
		"malformed profile: sample 0 references missing location 99";
	struct labelled l;

	labels(*state, "gone", "cpu", 0, 0, 0, PYRO_MERGE_SUM, &l);
	assert_int_equal(l.rc, -EIO);
	assert_string_equal(l.err, reason);
	pyro_label_set_release(&l.ls);
	labels(*state, "gone", "cpu", 1, 1, 0, PYRO_MERGE_SINGLE, &l);
	assert_int_equal(l.rc, -EIO);
	assert_string_equal(l.err, reason);
	pyro_label_set_release(&l.ls);
	/* An unreadable baseline is ignored, as a merge's. */
	labels(*state, "tagbad", "cpu", 2, 1, 1, PYRO_MERGE_INCREASE, &l);
	check_labels(&l,
		     "cpu nanoseconds: 4 in 1\n"
		     "endpoint 4 without 0\n"
		     "  /admin 4\n");
}

/* A file replaced after indexing by garbage. */
static void test_replaced_member(void **state)
{
	struct fixture *f = *state;
	char path[MKPROF_PATH_MAX];
	struct merged m;

	mkprof_join(path, f->root, "rate/cpu-1795515310.pb.gz");
	assert_int_equal(mkprof_write_file(path, "garbage\n", 8), 0);
	merge(f, "rate", "cpu", 0, 0, PYRO_POLICY_AUTO, "all", &m);
	assert_int_equal(m.s.meta.nsnapshots, 2);
	assert_int_equal(m.s.meta.duration_nanos, 20 * SEC);
	check(&m, PYRO_MERGE_SUM, "main;a 40\nmain;b 5\nmain;c 1\n");
	assert_string_equal(problem_of(f->a, "rate/cpu-1795515310.pb.gz"),
			    "not a pprof profile (protobuf does not decode as a Profile)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_rate_sum),
		cmocka_unit_test(test_cumulative_increase),
		cmocka_unit_test(test_cumulative_restart),
		cmocka_unit_test(test_cumulative_vanished_stack),
		cmocka_unit_test(test_window_baseline),
		cmocka_unit_test(test_cumulative_deltas),
		cmocka_unit_test(test_gauge_mean),
		cmocka_unit_test(test_gauge_halves),
		cmocka_unit_test(test_policy_pprof),
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_bad_member),
		cmocka_unit_test(test_all_bad),
		cmocka_unit_test(test_filter_sum),
		cmocka_unit_test(test_filter_increase),
		cmocka_unit_test(test_filter_many),
		cmocka_unit_test(test_filter_single),
		cmocka_unit_test(test_filter_no_match),
		cmocka_unit_test(test_labels_single),
		cmocka_unit_test(test_labels_sum_mean),
		cmocka_unit_test(test_labels_increase),
		cmocka_unit_test(test_labels_collapsed),
		cmocka_unit_test(test_labels_bad_member),
		cmocka_unit_test(test_labels_all_bad),
		/* Last: it changes the archive's files. */
		cmocka_unit_test(test_replaced_member),
		cmocka_unit_test(test_overflow_skips_member),
		cmocka_unit_test(test_increase_negative_prev),
		cmocka_unit_test(test_labels_hostile_values),
	};

	return cmocka_run_group_tests(tests, group_setup, fixture_teardown);
}
