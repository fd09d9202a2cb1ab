/*
 * test_merge_parallel.c - merges of many members (model/merge.c decodes
 * them ahead on worker threads) equal a sequential fold, byte for byte.
 *
 * The group setup writes one archive of 40-member series, opened twice:
 * `a` is merged, `ref` feeds the reference, a fold written here from the
 * rules of README "Merges" over the members' text (mkprof_stacks_text),
 * one member after the other.  Snapshot i is at T0 + 10 i seconds.
 *
 *   rate    Go CPU      random values, stacks present at random; members
 *                       9, 10 and 23 reference a missing location, 31 is
 *                       overwritten with garbage after indexing
 *   cumul   mutex       counters that only grow, a process restart at 21
 *                       (every counter falls, so does the total), stacks
 *                       that appear late; 6, 20 (just before the restart)
 *                       and 33 corrupt
 *   deltas  mutex       values up and down: not cumulative, summed; 15
 *                       corrupt
 *   heap    Go heap     inuse_space (gauge, negative values too, halves)
 *                       and alloc_space (cumulative); 4 and 30 corrupt
 *   allbad  Go CPU x6   every member corrupt
 *
 * Merges of every span, of windows (with a baseline, some of them corrupt)
 * and of short runs around the thread threshold are compared with the
 * reference: stacks text, rule, meta, problems, error.  The archive's
 * decode pool has two threads; the cases run again on pools of one and of
 * none, and merges of every series run at once from several threads on a
 * pool of one, as concurrent readers share the daemon's.  Merges taking
 * members already decoded (a cache's) equal those decoding all.  No
 * timing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../model/archive.h"
#include "../../model/decode_pool.h"
#include "../../model/merge.h"
#include "../support/fixture.h"

#define SEC 1000000000LL
#define T0 1795515300LL
#define NSNAPS 40
#define MAX_KEYS 256

/* ---- the archive ------------------------------------------------------- */

/* Frames of mkprof syntax: inlined calls and unsymbolized locations too. */
static const char *const pool[] = {
	"main;srv.Serve;srv.handle+json.Marshal",
	"main;srv.Serve;srv.handle+json.Marshal;reflect.Value.Field",
	"main;srv.Serve;srv.handle;db.Query;net.Read",
	"main;srv.Serve;srv.handle;db.Query;net.Write",
	"main;srv.Serve;srv.handle;cache.Get+cache.hash",
	"main;srv.Serve;@0x4f1984",
	"main;srv.Serve;@0x4f19a0;runtime.mallocgc",
	"main;gc.worker;gc.mark+gc.scan+gc.greyobject",
	"main;gc.worker;gc.sweep",
	"runtime.goexit;runtime.main;main.init",
	"runtime.mcall;runtime.park_m;runtime.schedule",
	"main;srv.Serve;srv.handle;tmpl.Execute;tmpl.walk;tmpl.walk",
	"main;srv.Serve;srv.handle;tmpl.Execute;tmpl.walk;fmt.Fprintf",
	"main;log.Printf;fmt.Sprintf;strconv.Itoa",
	"main;log.Printf;os.(*File).Write;syscall.write",
	"",
};
#define NPOOL (sizeof(pool) / sizeof(pool[0]))

static uint64_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

static struct mkprof *go_cpu(int i)
{
	return fixture_go_cpu((T0 + 10 * i) * SEC);
}

static struct mkprof *go_mutex(int i)
{
	struct mkprof *p = mkprof_go_mutex((T0 + 10 * i) * SEC);

	mkprof_duration(p, (i % 3) * SEC);
	return p;
}

static struct mkprof *go_heap(int i)
{
	return mkprof_go_heap((T0 + 10 * i) * SEC);
}

/* Break p: its first sample references location 99 (valid header). */
static struct mkprof *corrupt(struct mkprof *p)
{
	int64_t v[4] = { 1, 1, 1, 1 };

	mkprof_sample(p, v, "main;a");
	mkprof_message(p)->sample[0]->location_id[0] = 99;
	return p;
}

static int is_one_of(int i, const int *list, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (list[k] == i)
			return 1;
	return 0;
}

/* Write p as ROOT/svc/<kind>-<T0 + 10 i>.pb.gz and free it. */
static int put(struct fixture *f, struct mkprof *p, const char *svc,
	       const char *kind, int i)
{
	return fixture_putf(f, p, 1, "%s/%s-%lld.pb.gz", svc, kind, T0 + 10 * i);
}

static int write_rate(struct fixture *f, uint64_t *s)
{
	static const int bad[] = { 9, 10, 23 };
	int i, rc = 0;
	size_t k;

	for (i = 0; i < NSNAPS; i++) {
		struct mkprof *p = go_cpu(i);

		if (is_one_of(i, bad, 3)) {
			if (put(f, corrupt(p), "rate", "cpu", i))
				rc = -1;
			continue;
		}
		for (k = 0; k < NPOOL; k++) {
			int64_t n = (int64_t)(rnd(s) % 40);

			if (rnd(s) % 3)
				mkprof_sample(p, (int64_t[]){ n, n * 10000000 },
					      pool[k]);
		}
		if (put(f, p, "rate", "cpu", i))
			rc = -1;
	}
	return rc;
}

static int write_cumul(struct fixture *f, uint64_t *s)
{
	static const int bad[] = { 6, 20, 33 };
	int64_t count[NPOOL] = { 0 };
	int i, rc = 0;
	size_t k;

	for (i = 0; i < NSNAPS; i++) {
		struct mkprof *p = go_mutex(i);

		for (k = 0; k < NPOOL; k++) {
			if (i == 21)    /* the restart: everything counts anew */
				count[k] = (int64_t)(rnd(s) % 3);
			else
				count[k] += (int64_t)(rnd(s) % 50);
			/* Stacks 8.. appear one by one, later. */
			if (k >= 8 && i < 2 * (int)k - 8)
				count[k] = 0;
			if (count[k])
				mkprof_sample(p, (int64_t[]){ count[k],
							      count[k] * 1000 },
					      pool[k]);
		}
		if (put(f, is_one_of(i, bad, 3) ? corrupt(p) : p, "cumul",
			  "mutex", i))
			rc = -1;
	}
	return rc;
}

static int write_deltas(struct fixture *f, uint64_t *s)
{
	int i, rc = 0;
	size_t k;

	for (i = 0; i < NSNAPS; i++) {
		struct mkprof *p = go_mutex(i);

		for (k = 0; k < NPOOL; k++) {
			int64_t n = (int64_t)(rnd(s) % 100) + 1;

			mkprof_sample(p, (int64_t[]){ n, n * 7 }, pool[k]);
		}
		if (put(f, i == 15 ? corrupt(p) : p, "deltas", "mutex", i))
			rc = -1;
	}
	return rc;
}

static int write_heap(struct fixture *f, uint64_t *s)
{
	static const int bad[] = { 4, 30 };
	int64_t alloc[NPOOL] = { 0 };
	int i, rc = 0;
	size_t k;

	for (i = 0; i < NSNAPS; i++) {
		struct mkprof *p = go_heap(i);

		for (k = 0; k < NPOOL; k++) {
			int64_t inuse = (int64_t)(rnd(s) % 9) - 2;

			alloc[k] += (int64_t)(rnd(s) % 4096);
			if (rnd(s) % 4 == 0)
				inuse = 0;      /* absent: counts 0 */
			mkprof_sample(p, (int64_t[]){ 1, alloc[k], 1, inuse },
				      pool[k]);
		}
		if (put(f, is_one_of(i, bad, 2) ? corrupt(p) : p, "heap",
			  "heap", i))
			rc = -1;
	}
	return rc;
}

static int write_archive(struct fixture *f)
{
	uint64_t s = 42;
	int i, rc = 0;

	if (write_rate(f, &s))
		rc = -1;
	if (write_cumul(f, &s))
		rc = -1;
	if (write_deltas(f, &s))
		rc = -1;
	if (write_heap(f, &s))
		rc = -1;
	for (i = 0; i < 6; i++)
		if (put(f, corrupt(go_cpu(i)), "allbad", "cpu", i))
			rc = -1;
	return rc ? -1 : 0;
}

static int set_pool(struct fixture *f, unsigned nthreads);

static int group_setup(void **state)
{
	char path[MKPROF_PATH_MAX], rel[64];

	if (fixture_setup(state, write_archive, FIXTURE_ARCHIVE | FIXTURE_REF))
		return -1;
	/* Replaced after indexing: fails in the decoder, not the aggregation. */
	snprintf(rel, sizeof(rel), "rate/cpu-%lld.pb.gz", T0 + 10 * 31);
	mkprof_join(path, fixture_root(state), rel);
	if (mkprof_write_file(path, "garbage\n", 8)) {
		fixture_teardown(state);        /* cmocka skips it when setup fails */
		return -1;
	}
	return set_pool(*state, 2);
}

/* Give the merged archive a pool of nthreads threads, freeing its old. */
static int set_pool(struct fixture *f, unsigned nthreads)
{
	pyro_decode_pool_free(f->a->pool);
	f->a->pool = NULL;
	return pyro_decode_pool_new(nthreads, &f->a->pool) ? -1 : 0;
}

static int group_teardown(void **state)
{
	struct fixture *f = *state;
	struct pyro_decode_pool *p = f->a->pool;

	fixture_teardown(state);
	pyro_decode_pool_free(p);
	return 0;
}

/* ---- the reference: a sequential fold over the members' text ---------- */

struct fold {
	char *keys[MAX_KEYS];           /* union stacks, as text */
	size_t nkeys;
	int64_t cur[MAX_KEYS], prev[MAX_KEYS], sum[MAX_KEYS], inc[MAX_KEYS];
	int64_t prev_total;
	int monotonic;
	unsigned used;
	struct pyro_meta meta;          /* time, newest, duration, nsnapshots */
};

static size_t key_index(struct fold *fo, const char *key, size_t len)
{
	size_t u;

	for (u = 0; u < fo->nkeys; u++)
		if (strlen(fo->keys[u]) == len && !memcmp(fo->keys[u], key, len))
			return u;
	assert_true(fo->nkeys < MAX_KEYS);
	fo->keys[fo->nkeys] = strndup(key, len);
	assert_non_null(fo->keys[fo->nkeys]);
	return fo->nkeys++;
}

/* Decode snapshot sn with the reference archive; its values into fo->cur
 * and its total into *total.  Returns decode's rc, err its reason. */
static int load(struct fixture *f, const struct pyro_snapshot *sn,
		struct fold *fo, int64_t *total, struct pyro_meta *meta,
		char err[PYRO_ERR_MAX])
{
	struct pyro_stacks st;
	struct pyro_buf text = PYRO_BUF_INIT;
	const char *line, *end;
	int rc = pyro_snapshot_stacks(f->ref, sn, &st, err);

	*total = 0;
	if (rc) {
		pyro_stacks_release(&st);
		return rc;
	}
	*meta = st.meta;
	assert_int_equal(mkprof_stacks_text(&st, &text), 0);
	for (line = text.data; line && line < text.data + text.len; line = end + 1) {
		const char *sp;
		int64_t v;

		end = strchr(line, '\n');
		sp = end;
		while (*sp != ' ')
			sp--;
		v = strtoll(sp + 1, NULL, 10);
		fo->cur[key_index(fo, line, (size_t)(sp - line))] = v;
		*total += v < 0 ? -v : v;
	}
	pyro_buf_release(&text);
	memset(&st.meta, 0, sizeof(st.meta));   /* now *meta's */
	pyro_stacks_release(&st);
	return 0;
}

static int cmp_lines(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

struct expect {
	int rc;
	enum pyro_merge_rule rule;
	struct pyro_buf text;
	struct pyro_meta meta;          /* only the numbers are set */
	char err[PYRO_ERR_MAX];
};

/* What merging snaps[0..n) with baseline should give, one member at a
 * time: the rules of README "Merges", written afresh. */
static void reference(struct fixture *f, const struct pyro_series *se,
		      const struct pyro_snapshot *const *snaps, size_t n,
		      const struct pyro_snapshot *baseline,
		      enum pyro_merge_policy policy, struct expect *ex)
{
	struct fold *fo = calloc(1, sizeof(*fo));
	char *lines[MAX_KEYS];
	int have_base = 0;
	size_t i, u;

	assert_non_null(fo);
	memset(ex, 0, sizeof(*ex));
	fo->monotonic = 1;
	if (baseline && policy != PYRO_POLICY_PPROF) {
		struct pyro_meta bm;
		int64_t total;
		char err[PYRO_ERR_MAX];

		if (!load(f, baseline, fo, &total, &bm, err)) {
			for (u = 0; u < fo->nkeys; u++) {
				fo->prev[u] = fo->cur[u];
				fo->cur[u] = 0;
			}
			fo->prev_total = total;
			have_base = 1;
			pyro_meta_release(&bm);
		}
	}
	for (i = 0; i < n; i++) {
		struct pyro_meta mm;
		int64_t total;
		int first = fo->used == 0 && !have_base;
		int fell;

		if (load(f, snaps[i], fo, &total, &mm, ex->err))
			continue;
		fell = !first && total < fo->prev_total;
		for (u = 0; u < fo->nkeys; u++) {
			int64_t c = fo->cur[u], p = fo->prev[u];

			if (!first && c < p && !fell)
				fo->monotonic = 0;
			fo->sum[u] += c;
			fo->inc[u] += first || c < p ? c : c - p;
			fo->prev[u] = c;
			fo->cur[u] = 0;
		}
		fo->prev_total = total;
		if (!fo->used || (mm.time_nanos && (!fo->meta.time_nanos ||
					     mm.time_nanos < fo->meta.time_nanos)))
			fo->meta.time_nanos = mm.time_nanos;
		if (mm.newest_nanos > fo->meta.newest_nanos)
			fo->meta.newest_nanos = mm.newest_nanos;
		fo->meta.duration_nanos += mm.duration_nanos;
		fo->used++;
		pyro_meta_release(&mm);
	}
	if (n == 1 && !baseline)
		ex->rule = PYRO_MERGE_SINGLE;
	else if (policy == PYRO_POLICY_PPROF)
		ex->rule = PYRO_MERGE_SUM;
	else if (se->kind == PYRO_KIND_GAUGE)
		ex->rule = PYRO_MERGE_MEAN;
	else if (se->kind == PYRO_KIND_CUMULATIVE && fo->monotonic)
		ex->rule = PYRO_MERGE_INCREASE;
	else
		ex->rule = PYRO_MERGE_SUM;
	ex->rc = fo->used ? 0 : -EIO;
	fo->meta.nsnapshots = fo->used;
	ex->meta = fo->meta;
	for (u = 0; u < fo->nkeys; u++) {
		int64_t v = fo->sum[u], m = (int64_t)fo->used;

		if (ex->rule == PYRO_MERGE_INCREASE)
			v = fo->inc[u];
		else if (ex->rule == PYRO_MERGE_MEAN)   /* half away from zero */
			v = (v >= 0 ? 2 * v + m : 2 * v - m) / (2 * m);
		assert_true(asprintf(&lines[u], "%s %lld", fo->keys[u],
				     (long long)v) > 0);
		free(fo->keys[u]);
	}
	qsort(lines, fo->nkeys, sizeof(*lines), cmp_lines);
	for (u = 0; u < fo->nkeys; u++) {
		assert_int_equal(pyro_buf_add(&ex->text, lines[u], strlen(lines[u])), 0);
		assert_int_equal(pyro_buf_add(&ex->text, "\n", 1), 0);
		free(lines[u]);
	}
	free(fo);
}

/* ---- comparing ---------------------------------------------------------- */

static const char *problem_of(struct pyro_archive *a, const char *path)
{
	const char *r = NULL;
	size_t i;

	pthread_mutex_lock(&a->lock);
	for (i = 0; i < a->nproblems; i++)
		if (!strcmp(a->problems[i].path, path))
			r = a->problems[i].reason;
	pthread_mutex_unlock(&a->lock);
	return r;
}

/* Merge [first, first + n) of svc/type (n 0: to the end), with the
 * snapshot before as baseline if asked, and compare with the reference.
 * Returns the number of members that failed. */
static size_t same_as_reference(struct fixture *f, const char *svc,
				const char *type, size_t first, size_t n,
				int with_baseline, enum pyro_merge_policy policy)
{
	const struct pyro_snapshot *snaps[NSNAPS], *base = NULL;
	const struct pyro_service *sv = pyro_archive_service(f->a, svc);
	const struct pyro_series *se;
	struct pyro_buf text = PYRO_BUF_INIT;
	struct pyro_stacks out;
	struct expect ex;
	char err[PYRO_ERR_MAX] = "";
	size_t i, failed = 0;
	int rc;

	assert_non_null(sv);
	se = pyro_service_series(sv, type);
	assert_non_null(se);
	assert_int_equal(se->nsnaps, !strcmp(svc, "allbad") ? 6 : NSNAPS);
	if (!n)
		n = se->nsnaps - first;
	assert_true(first + n <= se->nsnaps);
	for (i = 0; i < n; i++)
		snaps[i] = &se->snaps[first + i];
	if (with_baseline && first)
		base = &se->snaps[first - 1];

	reference(f, se, snaps, n, base, policy, &ex);
	rc = pyro_merge_build(f->a, sv, se, snaps, n, base, policy, "w", &out, err);
	if (rc != ex.rc)
		fail_msg("%s/%s [%zu, +%zu)%s: rc %d, expected %d (%s)", svc, type,
			 first, n, base ? " with baseline" : "", rc, ex.rc, err);
	if (rc) {
		assert_string_equal(err, ex.err);
	} else {
		assert_int_equal(mkprof_stacks_text(&out, &text), 0);
		if (!text.data || strcmp(text.data, ex.text.data))
			fail_msg("%s/%s [%zu, +%zu)%s:\n%s\nexpected:\n%s", svc,
				 type, first, n, base ? " with baseline" : "",
				 text.data ? text.data : "", ex.text.data);
		assert_int_equal(out.meta.rule, ex.rule);
		assert_int_equal(out.meta.nsnapshots, ex.meta.nsnapshots);
		assert_int_equal(out.meta.time_nanos, ex.meta.time_nanos);
		assert_int_equal(out.meta.newest_nanos, ex.meta.newest_nanos);
		assert_int_equal(out.meta.duration_nanos, ex.meta.duration_nanos);
		assert_string_equal(out.meta.span, "w");
	}
	/* The problems recorded are the reference's (its decoding recorded
	 * them in f->ref). */
	for (i = 0; i < n; i++) {
		const char *want = problem_of(f->ref, snaps[i]->src->path);
		const char *got = problem_of(f->a, snaps[i]->src->path);

		if (want) {
			failed++;
			assert_non_null(got);
			assert_string_equal(got, want);
		} else {
			assert_null(got);
		}
	}
	pyro_buf_release(&text);
	pyro_buf_release(&ex.text);
	pyro_stacks_release(&out);
	return failed;
}

/* The rule the reference chose for a whole series, for the cases below to
 * check that the data exercises what it claims. */
static enum pyro_merge_rule rule_of_all(struct fixture *f, const char *svc,
					const char *type)
{
	const struct pyro_series *se =
		pyro_service_series(pyro_archive_service(f->ref, svc), type);
	const struct pyro_snapshot *snaps[NSNAPS];
	struct expect ex;
	size_t i;

	for (i = 0; i < se->nsnaps; i++)
		snaps[i] = &se->snaps[i];
	reference(f, se, snaps, se->nsnaps, NULL, PYRO_POLICY_AUTO, &ex);
	pyro_buf_release(&ex.text);
	return ex.rule;
}

/* ---- cases ---------------------------------------------------------------- */

static const struct {
	const char *svc, *type;
	enum pyro_merge_rule rule;      /* of the whole series */
	size_t nbad;
} series[] = {
	{ "rate", "cpu", PYRO_MERGE_SUM, 4 },
	{ "rate", "samples", PYRO_MERGE_SUM, 4 },
	{ "cumul", "mutex_count", PYRO_MERGE_INCREASE, 3 },
	{ "cumul", "mutex_duration", PYRO_MERGE_INCREASE, 3 },
	{ "deltas", "mutex_count", PYRO_MERGE_SUM, 1 },
	{ "heap", "inuse_space", PYRO_MERGE_MEAN, 2 },
	{ "heap", "alloc_space", PYRO_MERGE_INCREASE, 2 },
};
#define NSERIES (sizeof(series) / sizeof(series[0]))

static void test_data(void **state)
{
	size_t k;

	for (k = 0; k < NSERIES; k++)
		assert_int_equal(rule_of_all(*state, series[k].svc,
					     series[k].type), series[k].rule);
}

/* Every series whole, under both policies, several times over. */
static void test_all(void **state)
{
	int round;
	size_t k;

	for (round = 0; round < 5; round++) {
		for (k = 0; k < NSERIES; k++) {
			assert_int_equal(same_as_reference(*state, series[k].svc,
							   series[k].type, 0, 0,
							   0, PYRO_POLICY_AUTO),
					 series[k].nbad);
			same_as_reference(*state, series[k].svc, series[k].type,
					  0, 0, 0, PYRO_POLICY_PPROF);
		}
	}
}

/* Windows with a baseline (sometimes a corrupt one, sometimes across the
 * restart) and plain runs, of lengths around the threading threshold. */
static void test_windows(void **state)
{
	static const size_t firsts[] = { 1, 3, 5, 7, 10, 11, 20, 21, 22, 24, 31, 34 };
	static const size_t lens[] = { 1, 2, 3, 4, 5, 9, 17 };
	size_t k, i, j;

	for (k = 0; k < NSERIES; k++) {
		for (i = 0; i < sizeof(firsts) / sizeof(firsts[0]); i++) {
			for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
				size_t first = firsts[i], n = lens[j];

				if (first + n > NSNAPS)
					n = NSNAPS - first;
				same_as_reference(*state, series[k].svc,
						  series[k].type, first, n, 1,
						  PYRO_POLICY_AUTO);
				same_as_reference(*state, series[k].svc,
						  series[k].type, first, n, 0,
						  PYRO_POLICY_AUTO);
			}
		}
		same_as_reference(*state, series[k].svc, series[k].type, 1, 0,
				  1, PYRO_POLICY_PPROF);
	}
}

/* No member decodes: -EIO with the last member's reason; all recorded. */
static void test_all_bad(void **state)
{
	struct fixture *f = *state;
	size_t n;

	for (n = 1; n <= 6; n++)
		assert_int_equal(same_as_reference(f, "allbad", "cpu", 0, n, 0,
						   PYRO_POLICY_AUTO), n);
	assert_int_equal(same_as_reference(f, "allbad", "cpu", 1, 5, 1,
					   PYRO_POLICY_AUTO), 5);
	assert_non_null(problem_of(f->a, "allbad/cpu-1795515350.pb.gz"));
}

/* The same merges on a pool of one thread and on a pool of none (every
 * member decoded by the merging thread). */
static void test_other_pools(void **state)
{
	static const unsigned threads[] = { 1, 0 };
	size_t t, k;

	for (t = 0; t < 2; t++) {
		assert_int_equal(set_pool(*state, threads[t]), 0);
		for (k = 0; k < NSERIES; k++) {
			assert_int_equal(same_as_reference(*state, series[k].svc,
							   series[k].type, 0, 0,
							   0, PYRO_POLICY_AUTO),
					 series[k].nbad);
			same_as_reference(*state, series[k].svc, series[k].type,
					  11, 17, 1, PYRO_POLICY_AUTO);
			same_as_reference(*state, series[k].svc, series[k].type,
					  20, 2, 1, PYRO_POLICY_AUTO);
		}
	}
	assert_int_equal(set_pool(*state, 2), 0);
}

/* One merge of a whole series per thread, all at once, several rounds;
 * each result is the stacks text of that series merged alone before. */
struct merger {
	pthread_t tid;
	struct fixture *f;
	size_t k;                       /* series[k] */
	char *want;                     /* its text, merged alone */
	int wrong;
};

static int merge_text(struct fixture *f, size_t k, char **text)
{
	const struct pyro_service *sv = pyro_archive_service(f->a,
							     series[k].svc);
	const struct pyro_series *se = pyro_service_series(sv, series[k].type);
	const struct pyro_snapshot *snaps[NSNAPS];
	struct pyro_buf b = PYRO_BUF_INIT;
	struct pyro_stacks out;
	char err[PYRO_ERR_MAX];
	size_t i;
	int rc;

	for (i = 0; i < se->nsnaps; i++)
		snaps[i] = &se->snaps[i];
	rc = pyro_merge_build(f->a, sv, se, snaps, se->nsnaps, NULL,
			      PYRO_POLICY_AUTO, "all", &out, err);
	if (!rc)
		rc = mkprof_stacks_text(&out, &b);
	pyro_stacks_release(&out);
	*text = b.data;
	return rc;
}

static void *merger_main(void *arg)
{
	struct merger *m = arg;
	int round;

	for (round = 0; round < 4 && !m->wrong; round++) {
		char *got = NULL;

		m->wrong = merge_text(m->f, m->k, &got) || !got ||
			   strcmp(got, m->want);
		free(got);
	}
	return NULL;
}

static void test_concurrent(void **state)
{
	struct fixture *f = *state;
	struct merger ms[NSERIES];
	size_t k;

	for (k = 0; k < NSERIES; k++) {
		ms[k] = (struct merger){ .f = f, .k = k };
		assert_int_equal(merge_text(f, k, &ms[k].want), 0);
		assert_non_null(ms[k].want);
	}
	assert_int_equal(set_pool(f, 1), 0);
	for (k = 0; k < NSERIES; k++)
		assert_int_equal(pthread_create(&ms[k].tid, NULL, merger_main,
						&ms[k]), 0);
	for (k = 0; k < NSERIES; k++) {
		pthread_join(ms[k].tid, NULL);
		assert_false(ms[k].wrong);
		free(ms[k].want);
	}
	assert_int_equal(set_pool(f, 2), 0);
}

/* Members lent by a cache (struct pyro_merge_members): decoded before
 * from the reference archive, every member but each third; the merge
 * equals the one that decodes everything, and gives back each it took. */
struct lender {
	struct pyro_stacks st[NSNAPS];
	int have[NSNAPS];
	int lent, returned;             /* only the merging threads count:
					 * under lock */
	pthread_mutex_t lock;
};

static int lend(void *ctx, size_t i, const struct pyro_stacks **st,
		void **hold)
{
	struct lender *l = ctx;

	if (i >= NSNAPS || !l->have[i])
		return -ENOENT;
	pthread_mutex_lock(&l->lock);
	l->lent++;
	pthread_mutex_unlock(&l->lock);
	*st = &l->st[i];
	*hold = &l->st[i];
	return 0;
}

static void give_back(void *ctx, void *hold)
{
	struct lender *l = ctx;

	pthread_mutex_lock(&l->lock);
	l->returned += hold != NULL;
	pthread_mutex_unlock(&l->lock);
}

static void test_reuse(void **state)
{
	struct fixture *f = *state;
	struct lender *l = calloc(1, sizeof(*l));
	struct pyro_merge_members mm = { lend, give_back, l };
	static const size_t spans[][2] = { { 0, NSNAPS }, { 5, 17 }, { 12, 2 } };
	size_t k, i, sp;

	assert_non_null(l);
	pthread_mutex_init(&l->lock, NULL);
	for (k = 0; k < NSERIES; k++) {
		const struct pyro_service *sv = pyro_archive_service(f->a,
								     series[k].svc);
		const struct pyro_series *se = pyro_service_series(sv,
								   series[k].type);
		const struct pyro_series *rse = pyro_service_series(
			pyro_archive_service(f->ref, series[k].svc), series[k].type);

		for (sp = 0; sp < sizeof(spans) / sizeof(spans[0]); sp++) {
			const struct pyro_snapshot *snaps[NSNAPS];
			size_t first = spans[sp][0], n = spans[sp][1];
			struct pyro_buf want = PYRO_BUF_INIT, got = PYRO_BUF_INIT;
			struct pyro_stacks a, b;
			char err[PYRO_ERR_MAX];
			int ra, rb;

			for (i = 0; i < n; i++) {
				char e[PYRO_ERR_MAX];

				snaps[i] = &se->snaps[first + i];
				l->have[i] = i % 3 &&
					     !pyro_snapshot_stacks(f->ref,
						&rse->snaps[first + i],
						&l->st[i], e);
			}
			l->lent = l->returned = 0;
			ra = pyro_merge_build(f->a, sv, se, snaps, n,
					      first ? snaps[0] - 1 : NULL,
					      PYRO_POLICY_AUTO, "w", &a, err);
			rb = pyro_merge_build_reusing(f->a, sv, se, snaps, n,
						      first ? snaps[0] - 1 : NULL,
						      PYRO_POLICY_AUTO, "w",
						      NULL, &mm, &b, err);
			assert_int_equal(ra, 0);
			assert_int_equal(rb, 0);
			assert_int_equal(mkprof_stacks_text(&a, &want), 0);
			assert_int_equal(mkprof_stacks_text(&b, &got), 0);
			assert_string_equal(got.data, want.data);
			assert_int_equal(b.meta.rule, a.meta.rule);
			assert_int_equal(b.meta.nsnapshots, a.meta.nsnapshots);
			assert_int_equal(b.meta.time_nanos, a.meta.time_nanos);
			assert_int_equal(b.meta.duration_nanos,
					 a.meta.duration_nanos);
			assert_true(l->lent > 0);
			assert_int_equal(l->returned, l->lent);
			for (i = 0; i < n; i++) {
				if (l->have[i])
					pyro_stacks_release(&l->st[i]);
				l->have[i] = 0;
			}
			pyro_buf_release(&want);
			pyro_buf_release(&got);
			pyro_stacks_release(&a);
			pyro_stacks_release(&b);
		}
	}
	pthread_mutex_destroy(&l->lock);
	free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_data),
		cmocka_unit_test(test_all),
		cmocka_unit_test(test_windows),
		cmocka_unit_test(test_all_bad),
		cmocka_unit_test(test_other_pools),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_reuse),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
