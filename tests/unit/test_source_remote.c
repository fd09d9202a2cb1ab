/*
 * test_source_remote.c - the Pyroscope source (model/source_remote.c)
 * through its operations, against the test server (tests/remote) serving
 * demo/archive, compared with the same archive opened as a local source
 * (model/source_archive.c): both through model/source.h, as fs/ uses them.
 *
 * The remote source is opened with -o step=1s, so each demo profile is a
 * point of its own and the points carry the local snapshots' names; time
 * names resolve through model/span.c over either index.  Merges are
 * compared under -o merge=pprof (a plain sum on both sides), gauges also
 * under auto (the mean of the profiles).  folded must be equal; top.txt
 * from its "Showing nodes" line on (the header above names the merge).
 *
 * Skipped when node or the server's packages are missing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../model/labels.h"
#include "../../model/remote_source.h"
#include "../../model/source.h"
#include "../../model/span.h"
#include "../../render/render.h"
#include "../support/remote_server.h"

static struct test_server server;
static int server_rc = -1;
static char cache_dir[] = "/tmp/pyrofs-remote-cache.XXXXXX";

/* The disk cache of merge answers (remote_disk.c) goes to a temporary
 * XDG_CACHE_HOME, empty at the start, removed at the end. */
static int group_setup(void **state)
{
	if (!mkdtemp(cache_dir))
		return -1;
	setenv("XDG_CACHE_HOME", cache_dir, 1);
	unsetenv("PYROFS_INDEX_CACHE");
	server_rc = test_server_start(&server, "demo/archive", NULL);
	return server_rc == 0 || server_rc == 77 ? 0 : -1;
}

static int group_teardown(void **state)
{
	char cmd[128];

	test_server_stop(&server);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cache_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int setup(void **state)
{
	if (server_rc == 77)
		skip();
	return test_server_control(&server, "/control", NULL);
}

/* Open the remote source on url with "key=value" options. */
static int open_remote(const char *url, enum pyro_merge_policy policy,
		       const char *const *opts, size_t nopts, struct pyro_src **src,
		       struct pyro_index **ix, char err[PYRO_ERR_MAX])
{
	struct pyro_src_conf conf = {
		.max_profile_size = 512 << 20, .merge = policy, .opts = opts, .nopts = nopts,
	};

	assert_ptr_equal(pyro_src_kind_of(url), &pyro_src_pyroscope);
	return pyro_src_open(url, &conf, src, ix, err);
}

/* refresh=1s: the demo's points are 4 s apart, so every span but those
 * ending at the newest point is closed. */
static void open_demo(enum pyro_merge_policy policy, struct pyro_src **src,
		      struct pyro_index **ix)
{
	static const char *const opts[] = { "step=1s", "refresh=1s" };
	char err[PYRO_ERR_MAX];

	if (open_remote(server.url, policy, opts, 2, src, ix, err))
		fail_msg("open: %s", err);
}

/* demo/archive as a local source, every service indexed (eagerly). */
static void open_local(enum pyro_merge_policy policy, struct pyro_src **src,
		       struct pyro_index **ix)
{
	static const char *const eager[] = { "index=eager" };
	struct pyro_src_conf conf = { .max_profile_size = 512 << 20, .merge = policy,
				      .opts = eager, .nopts = 1 };
	char err[PYRO_ERR_MAX];

	assert_ptr_equal(pyro_src_kind_of("demo/archive"), &pyro_src_archive);
	if (pyro_src_open("demo/archive", &conf, src, ix, err))
		fail_msg("open demo/archive: %s", err);
}

static void close_demo(struct pyro_src *src, struct pyro_index *ix)
{
	pyro_index_put(ix);
	pyro_src_close(src);
}

/* Both sources of one policy. */
struct pair_src {
	struct pyro_src *rsrc, *lsrc;
	struct pyro_index *rix, *lix;
};

static void open_both(enum pyro_merge_policy policy, struct pair_src *p)
{
	open_demo(policy, &p->rsrc, &p->rix);
	open_local(policy, &p->lsrc, &p->lix);
}

static void close_both(struct pair_src *p)
{
	close_demo(p->rsrc, p->rix);
	close_demo(p->lsrc, p->lix);
}

static const struct pyro_index_series *find_series(const struct pyro_index *ix,
						   const char *svc, const char *type)
{
	const struct pyro_index_service *s = pyro_index_service(ix, svc);

	return s ? pyro_index_series(s, type) : NULL;
}

/* folded and top.txt (from "Showing nodes") of stacks. */
static void render(const struct pyro_stacks *s, struct pyro_buf *folded, struct pyro_buf *top)
{
	struct pyro_buf t = PYRO_BUF_INIT;
	const char *p;

	assert_int_equal(pyro_folded_render(s, folded), 0);
	assert_int_equal(pyro_top_render(s, &t), 0);
	p = strstr(t.data, "Showing nodes");
	assert_non_null(p);
	assert_int_equal(pyro_buf_puts(top, p), 0);
	pyro_buf_release(&t);
}

/* Compare remote and local folded and top.txt of one node. */
static void compare_node(const struct pair_src *p, const char *svc, const char *type,
			 const char *name, const struct pyro_merge_filter *f)
{
	const struct pyro_index_series *rse = find_series(p->rix, svc, type);
	const struct pyro_index_series *lse = find_series(p->lix, svc, type);
	struct pyro_stacks ls, rs;
	struct pyro_buf lf = PYRO_BUF_INIT, lt = PYRO_BUF_INIT;
	struct pyro_buf rf = PYRO_BUF_INIT, rt = PYRO_BUF_INIT;
	struct pyro_span lsp, rsp;
	char err[PYRO_ERR_MAX];

	assert_non_null(rse);
	assert_non_null(lse);
	if (pyro_span_resolve(lse, name, &lsp)) {
		/* A name that covers nothing locally covers nothing remotely. */
		assert_int_equal(pyro_span_resolve(rse, name, &rsp), -ENOENT);
		return;
	}
	assert_int_equal(pyro_span_resolve(rse, name, &rsp), 0);
	if (p->lsrc->ops->stacks(p->lsrc, p->lix, lse, &lsp, name, f, &ls, err))
		fail_msg("local %s/%s/%s: %s", svc, type, name, err);
	if (p->rsrc->ops->stacks(p->rsrc, p->rix, rse, &rsp, name, f, &rs, err))
		fail_msg("%s/%s/%s: %s", svc, type, name, err);
	render(&ls, &lf, &lt);
	render(&rs, &rf, &rt);
	if (strcmp(lf.data, rf.data) || strcmp(lt.data, rt.data))
		fail_msg("%s/%s/%s%s%s differs:\n--- local\n%s\n--- remote\n%s", svc, type,
			 name, f ? " label " : "", f ? f->value : "",
			 strcmp(lf.data, rf.data) ? lf.data : lt.data,
			 strcmp(lf.data, rf.data) ? rf.data : rt.data);
	assert_string_equal(rs.meta.service, svc);
	assert_string_equal(rs.meta.type, type);
	assert_string_equal(rs.meta.span, name);
	pyro_stacks_release(&ls);
	pyro_stacks_release(&rs);
	pyro_buf_release(&lf);
	pyro_buf_release(&lt);
	pyro_buf_release(&rf);
	pyro_buf_release(&rt);
}

/* Services, their types and the points' names are the local archive's. */
static void test_tree(void **state)
{
	struct pyro_buf st = PYRO_BUF_INIT;
	struct pair_src p;
	size_t i, j, k;

	assert_int_equal(test_server_control(&server, "/stats/reset", NULL), 0);
	open_both(PYRO_POLICY_PPROF, &p);
	/* Listing costs queries per profile type, not per series: 11 types,
	 * each a coarse and a fine SelectSeries, and the 3 gauge types two
	 * more (gauge_counts); then one Series, LabelNames, GetProfileStats. */
	assert_int_equal(test_server_control(&server, "/stats", &st), 0);
	assert_int_equal(test_json_int(st.data, "SelectSeries"), 11 + 11 + 2 * 3);
	assert_int_equal(test_json_int(st.data, "Series"), 1);
	assert_int_equal(test_json_int(st.data, "LabelNames"), 1);
	assert_int_equal(test_json_int(st.data, "GetProfileStats"), 1);
	assert_int_equal(test_json_int(st.data, "SelectMergeProfile"), -1);
	pyro_buf_release(&st);
	assert_int_equal(p.rix->nservices, p.lix->nservices);
	for (i = 0; i < p.lix->nservices; i++) {
		const struct pyro_index_service *ls = &p.lix->services[i];
		const struct pyro_index_service *rs = &p.rix->services[i];

		assert_string_equal(rs->name, ls->name);
		assert_int_equal(rs->nseries, ls->nseries);
		for (j = 0; j < ls->nseries; j++) {
			const struct pyro_index_series *lse = &ls->series[j];
			const struct pyro_index_series *rse = &rs->series[j];

			assert_ptr_equal(rse->service, rs);
			assert_string_equal(rse->type, lse->type);
			assert_string_equal(rse->sample_type, lse->sample_type);
			assert_string_equal(rse->sample_unit, lse->sample_unit);
			assert_int_equal(rse->kind, lse->kind);
			assert_int_equal(rse->npoints, lse->npoints);
			for (k = 0; k < lse->npoints; k++)
				assert_string_equal(rse->points[k].name, lse->points[k].name);
		}
	}
	close_both(&p);
}

/* Every series, windows of every kind: the server's sums are pprof's. */
static void test_merges(void **state)
{
	static const char *const names[] = {
		"all", "latest", "2026-11-26", "2026-11-26T04",
		"2026-11-26T04-40..2026-11-26T04-40-30", "last-15m", "last-10s",
	};
	struct pair_src p;
	size_t i, j, k;

	open_both(PYRO_POLICY_PPROF, &p);
	for (i = 0; i < p.lix->nservices; i++)
		for (j = 0; j < p.lix->services[i].nseries; j++)
			for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
				compare_node(&p, p.lix->services[i].name,
					     p.lix->services[i].series[j].type, names[k], NULL);
	close_both(&p);
}

/* Gauges under merge=auto: the mean of the span's profiles. */
static void test_gauge_mean(void **state)
{
	const struct pyro_index_series *se;
	struct pyro_stacks s;
	struct pyro_span sp;
	struct pair_src p;
	char err[PYRO_ERR_MAX];

	open_both(PYRO_POLICY_AUTO, &p);
	compare_node(&p, "leaky", "inuse_space", "all", NULL);
	compare_node(&p, "api", "goroutines", "2026-11-26T04", NULL);
	se = find_series(p.rix, "leaky", "inuse_space");
	sp = (struct pyro_span){ PYRO_SPAN_ALL, 0, se->npoints, 0 };
	assert_int_equal(p.rsrc->ops->stacks(p.rsrc, p.rix, se, &sp, "all", NULL, &s, err), 0);
	assert_int_equal(s.meta.rule, PYRO_MERGE_MEAN);
	assert_int_equal(s.meta.nsnapshots, 4);
	pyro_stacks_release(&s);
	/* Rates are sums whatever the policy, and say the server did it. */
	se = find_series(p.rix, "api", "cpu");
	sp = (struct pyro_span){ PYRO_SPAN_ALL, 0, se->npoints, 0 };
	assert_int_equal(p.rsrc->ops->stacks(p.rsrc, p.rix, se, &sp, "all", NULL, &s, err), 0);
	assert_int_equal(s.meta.rule, PYRO_MERGE_SERVER_SUM);
	assert_int_equal(s.meta.nsnapshots, 4);
	{
		struct pyro_buf top = PYRO_BUF_INIT;

		assert_int_equal(pyro_top_render(&s, &top), 0);
		assert_non_null(strstr(top.data, "\nMerge: sum by the server of 4 snapshots\n"));
		pyro_buf_release(&top);
	}
	pyro_stacks_release(&s);
	close_both(&p);
}

/* labels.txt's keys and values, and label nodes, as the local archive's
 * string labels. */
static void test_labels(void **state)
{
	const struct pyro_index_series *se, *lse;
	struct pyro_label_set ll, rl;
	struct pyro_stacks whole;
	struct pyro_span sp, lsp;
	struct pair_src p;
	char err[PYRO_ERR_MAX];
	size_t i, j, nstring = 0;

	open_both(PYRO_POLICY_PPROF, &p);
	se = find_series(p.rix, "api", "cpu");
	lse = find_series(p.lix, "api", "cpu");
	sp = (struct pyro_span){ PYRO_SPAN_ALL, 0, se->npoints, 0 };
	lsp = (struct pyro_span){ PYRO_SPAN_ALL, 0, lse->npoints, 0 };
	assert_int_equal(p.rsrc->ops->labels(p.rsrc, p.rix, se, &sp, PYRO_MERGE_SUM, &rl, err), 0);
	assert_int_equal(p.lsrc->ops->labels(p.lsrc, p.lix, lse, &lsp, PYRO_MERGE_SUM, &ll, err), 0);
	assert_int_equal(rl.total, ll.total);
	for (i = 0; i < ll.nkeys; i++) {
		const struct pyro_label_key *lk = &ll.keys[i], *rk;

		if (lk->unit)
			continue;       /* numeric labels are not series labels */
		nstring++;
		rk = pyro_label_set_key(&rl, lk->name);
		assert_non_null(rk);
		assert_int_equal(rk->total, lk->total);
		assert_int_equal(rk->nvalues, lk->nvalues);
		for (j = 0; j < lk->nvalues; j++) {
			const struct pyro_label_value *lv = &lk->values[j];
			const struct pyro_label_value *rv = pyro_label_key_value(rk, lv->name);
			struct pyro_merge_filter f = {
				.key = lk->text, .key_len = lk->len, .value = lv->text,
				.value_len = lv->len, .rule = PYRO_MERGE_SUM,
				.whole_total = ll.total,
			};

			assert_non_null(rv);
			assert_int_equal(rv->total, lv->total);
			compare_node(&p, "api", "cpu", "all", &f);
		}
	}
	assert_int_equal(rl.nkeys, nstring);
	assert_true(nstring > 0);
	/* A label node's top.txt says what it kept, of the whole. */
	{
		struct pyro_merge_filter f = {
			.key = rl.keys[0].text, .key_len = rl.keys[0].len,
			.value = rl.keys[0].values[0].text, .value_len = rl.keys[0].values[0].len,
			.rule = PYRO_MERGE_SUM, .whole_total = rl.total,
		};

		assert_int_equal(p.rsrc->ops->stacks(p.rsrc, p.rix, se, &sp, "all", &f, &whole, err), 0);
		assert_non_null(whole.meta.filter);
		assert_int_equal(whole.meta.whole_total, rl.total);
		pyro_stacks_release(&whole);
	}
	pyro_label_set_release(&ll);
	pyro_label_set_release(&rl);
	close_both(&p);
}

/* Every series' history: timeline rows (names, totals) and growth.txt's
 * figures equal the local archive's (each point one profile, every point
 * folded: 4 <= growth_points).  Slopes are not compared: a point's time is
 * its step's start, not the profile's time. */
static void test_growth(void **state)
{
	struct pair_src p;
	char err[PYRO_ERR_MAX];
	size_t i, j, f, g;

	open_both(PYRO_POLICY_AUTO, &p);
	for (i = 0; i < p.lix->nservices; i++)
		for (j = 0; j < p.lix->services[i].nseries; j++) {
			const struct pyro_index_service *ls = &p.lix->services[i];
			const struct pyro_index_series *lse = &ls->series[j];
			const struct pyro_index_series *se = find_series(p.rix, ls->name, lse->type);
			struct pyro_history lh, rh;

			assert_non_null(se);
			if (p.rsrc->ops->history(p.rsrc, p.rix, se, &rh, err))
				fail_msg("%s/%s: %s", ls->name, lse->type, err);
			assert_int_equal(p.lsrc->ops->history(p.lsrc, p.lix, lse, &lh, err), 0);
			assert_int_equal(rh.nsnaps, lh.nsnaps);
			for (f = 0; f < lh.nsnaps; f++) {
				assert_string_equal(rh.names[f], lh.names[f]);
				assert_int_equal(rh.totals[f], lh.totals[f]);
			}
			assert_int_equal(rh.nfuncs, lh.nfuncs);
			for (f = 0; f < lh.nfuncs; f++) {
				const struct pyro_history_func *lf = &lh.funcs[f], *rf = NULL;
				struct pyro_str ln = pyro_strtab_get(&lh.strs, lf->name);

				for (g = 0; g < rh.nfuncs && !rf; g++) {
					struct pyro_str rn = pyro_strtab_get(&rh.strs, rh.funcs[g].name);

					if (rn.len == ln.len && !memcmp(rn.ptr, ln.ptr, ln.len))
						rf = &rh.funcs[g];
				}
				assert_non_null(rf);
				assert_int_equal(rf->flat_first, lf->flat_first);
				assert_int_equal(rf->flat_last, lf->flat_last);
				assert_int_equal(rf->cum_first, lf->cum_first);
				assert_int_equal(rf->cum_last, lf->cum_last);
				assert_int_equal(rf->rises, lf->rises);
				assert_int_equal(rf->falls, lf->falls);
			}
			pyro_history_release(&lh);
			pyro_history_release(&rh);
		}
	close_both(&p);
}

/* growth_points=2: the first and last points are folded, nothing else. */
static void test_growth_points(void **state)
{
	static const char *const opts[] = { "step=1s", "growth_points=2" };
	const struct pyro_index_series *se;
	struct pyro_buf st = PYRO_BUF_INIT;
	struct pyro_src *src;
	struct pyro_index *ix;
	struct pyro_history h;
	char err[PYRO_ERR_MAX];

	setenv("PYROFS_INDEX_CACHE", "0", 1);  /* no answers from earlier tests */
	assert_int_equal(open_remote(server.url, PYRO_POLICY_AUTO, opts, 2, &src, &ix, err), 0);
	unsetenv("PYROFS_INDEX_CACHE");
	se = find_series(ix, "leaky", "inuse_space");
	assert_int_equal(se->npoints, 4);
	assert_int_equal(test_server_control(&server, "/stats/reset", NULL), 0);
	assert_int_equal(src->ops->history(src, ix, se, &h, err), 0);
	assert_int_equal(h.nsnaps, 4);
	assert_int_equal(test_server_control(&server, "/stats", &st), 0);
	assert_int_equal(test_json_int(st.data, "SelectMergeProfile"), 2);
	pyro_buf_release(&st);
	pyro_history_release(&h);
	close_demo(src, ix);
}

/* A failing server: EIO, one line in the problems naming the method,
 * the span, the status and the message; then recovery. */
static void test_failure(void **state)
{
	const struct pyro_index_series *se;
	struct pyro_buf text = PYRO_BUF_INIT;
	struct pyro_index *ix, *next;
	struct pyro_src *src;
	struct pyro_stacks s;
	struct pyro_span sp;
	char err[PYRO_ERR_MAX];
	static const char *const opts[] = { "step=1s", "refresh=0s" };

	assert_int_equal(open_remote(server.url, PYRO_POLICY_PPROF, opts, 2, &src, &ix, err), 0);
	se = find_series(ix, "api", "cpu");
	sp = (struct pyro_span){ PYRO_SPAN_ALL, 0, se->npoints, 0 };
	assert_int_equal(test_server_control(&server, "/control?fail=unavailable", NULL), 0);
	assert_int_equal(src->ops->stacks(src, ix, se, &sp, "all", NULL, &s, err), -EIO);
	pyro_stacks_release(&s);
	assert_int_equal(src->ops->problems(src, ix, &text), 0);
	assert_string_equal(text.data,
		"api/cpu/all: SelectMergeProfile [2026-11-26T04:40:06.001Z, "
		"2026-11-26T04:40:19.001Z): HTTP 503: unavailable: injected failure: "
		"unavailable\n");
	/* fs/'s problems join the list; a second for a node replaces it. */
	assert_int_equal(src->ops->problem(src, ix, "api/cpu/all/tree.txt", "too big"), 0);
	assert_int_equal(src->ops->problem(src, ix, "api/cpu/all/tree.txt", "bigger"), 0);
	pyro_buf_release(&text);
	assert_int_equal(src->ops->problems(src, ix, &text), 0);
	assert_non_null(strstr(text.data, "api/cpu/all/tree.txt: bigger\n"));
	assert_null(strstr(text.data, "too big"));
	/* A refresh while the server fails keeps the index. */
	assert_true(src->ops->refresh(src, ix, &next, err) < 0);
	assert_null(next);
	/* An HTML page from a proxy. */
	assert_int_equal(test_server_control(&server, "/control?html=1", NULL), 0);
	assert_int_equal(src->ops->stacks(src, ix, se, &sp, "all", NULL, &s, err), -EIO);
	pyro_stacks_release(&s);
	assert_non_null(strstr(err, "HTTP 502 Bad Gateway (a text/html answer"));
	/* Back: the same node works, and a refresh finds nothing new. */
	assert_int_equal(test_server_control(&server, "/control", NULL), 0);
	assert_int_equal(src->ops->stacks(src, ix, se, &sp, "all", NULL, &s, err), 0);
	pyro_stacks_release(&s);
	assert_int_equal(src->ops->refresh(src, ix, &next, err), 0);
	assert_null(next);
	pyro_buf_release(&text);
	assert_int_equal(src->ops->stats(src, &text), 0);
	assert_non_null(strstr(text.data, "query_failures "));
	assert_non_null(strstr(text.data, "queries_sent "));
	pyro_buf_release(&text);
	close_demo(src, ix);
}

/* Identities: stable for equal closed spans, different for others; the
 * span ending at the newest point is open. */
static void test_ident(void **state)
{
	const struct pyro_index_series *se;
	struct pyro_src *src;
	struct pyro_index *ix;
	struct pyro_span all, first, second;
	uint64_t h1 = 7, h2 = 7, h3 = 7, h4 = 7;
	int open1, open2, open3, open4;
	struct pyro_buf text = PYRO_BUF_INIT;

	open_demo(PYRO_POLICY_PPROF, &src, &ix);
	se = find_series(ix, "api", "cpu");
	all = (struct pyro_span){ PYRO_SPAN_ALL, 0, se->npoints, 0 };
	first = (struct pyro_span){ PYRO_SPAN_SNAPSHOT, 0, 1, 0 };
	second = (struct pyro_span){ PYRO_SPAN_SNAPSHOT, 1, 1, 0 };
	src->ops->ident(src, ix, se, &first, &h1, &open1);
	src->ops->ident(src, ix, se, &first, &h2, &open2);
	src->ops->ident(src, ix, se, &second, &h3, &open3);
	src->ops->ident(src, ix, se, &all, &h4, &open4);
	assert_true(h1 == h2);
	assert_true(h1 != h3);
	assert_true(h1 != h4);
	assert_int_equal(open1, 0);
	assert_int_equal(open3, 0);
	assert_int_equal(open4, 1);
	assert_int_equal(src->ops->sources(src, ix, se, &first, &text), 0);
	assert_non_null(strstr(text.data, "/querier.v1.QuerierService/SelectMergeProfile "
			       "profile_typeID=process_cpu:cpu:nanoseconds:cpu:nanoseconds "
			       "label_selector={service_name=\"api\"} start="));
	pyro_buf_release(&text);
	close_demo(src, ix);
}

/* One span under two names, or read twice: one query. */
static void test_answers_reused(void **state)
{
	const struct pyro_index_series *se;
	struct pyro_buf st = PYRO_BUF_INIT, a = PYRO_BUF_INIT, b = PYRO_BUF_INIT;
	struct pyro_src *src;
	struct pyro_index *ix;
	struct pyro_stacks s1, s2;
	struct pyro_span sp;
	char err[PYRO_ERR_MAX];

	open_demo(PYRO_POLICY_PPROF, &src, &ix);
	se = find_series(ix, "billing", "alloc_space");
	sp = (struct pyro_span){ PYRO_SPAN_SNAPSHOT, 0, 1, 0 };
	assert_int_equal(test_server_control(&server, "/stats/reset", NULL), 0);
	assert_int_equal(src->ops->stacks(src, ix, se, &sp, se->points[0].name, NULL, &s1, err), 0);
	sp.kind = PYRO_SPAN_WINDOW;
	assert_int_equal(src->ops->stacks(src, ix, se, &sp, "2026-11-26T04-40-20..2026-11-26T04-40-22",
					  NULL, &s2, err), 0);
	assert_int_equal(pyro_folded_render(&s1, &a), 0);
	assert_int_equal(pyro_folded_render(&s2, &b), 0);
	assert_string_equal(a.data, b.data);
	assert_string_equal(s2.meta.span, "2026-11-26T04-40-20..2026-11-26T04-40-22");
	assert_int_equal(test_server_control(&server, "/stats", &st), 0);
	assert_int_equal(test_json_int(st.data, "SelectMergeProfile"), 1);
	pyro_buf_release(&st);
	assert_int_equal(src->ops->stats(src, &st), 0);
	assert_non_null(strstr(st.data, "merge_answers_reused 1\n"));
	pyro_buf_release(&st);
	pyro_buf_release(&a);
	pyro_buf_release(&b);
	pyro_stacks_release(&s1);
	pyro_stacks_release(&s2);
	close_demo(src, ix);
}

/* A closed span's answer is kept on disk for the next mount; an open
 * span's is not. */
static void test_disk(void **state)
{
	const struct pyro_index_series *se;
	struct pyro_buf st = PYRO_BUF_INIT, a = PYRO_BUF_INIT, b = PYRO_BUF_INIT;
	struct pyro_src *src;
	struct pyro_index *ix;
	struct pyro_stacks s1, s2;
	struct pyro_span first, all;
	char err[PYRO_ERR_MAX];

	open_demo(PYRO_POLICY_PPROF, &src, &ix);
	se = find_series(ix, "leaky", "alloc_objects");
	first = (struct pyro_span){ PYRO_SPAN_SNAPSHOT, 0, 1, 0 };
	all = (struct pyro_span){ PYRO_SPAN_ALL, 0, se->npoints, 0 };
	assert_int_equal(src->ops->stacks(src, ix, se, &first, "first", NULL, &s1, err), 0);
	assert_int_equal(src->ops->stacks(src, ix, se, &all, "all", NULL, &s2, err), 0);
	pyro_stacks_release(&s2);
	close_demo(src, ix);

	assert_int_equal(test_server_control(&server, "/stats/reset", NULL), 0);
	open_demo(PYRO_POLICY_PPROF, &src, &ix);
	se = find_series(ix, "leaky", "alloc_objects");
	assert_int_equal(src->ops->stacks(src, ix, se, &first, "first", NULL, &s2, err), 0);
	assert_int_equal(pyro_folded_render(&s1, &a), 0);
	assert_int_equal(pyro_folded_render(&s2, &b), 0);
	assert_string_equal(a.data, b.data);
	pyro_stacks_release(&s2);
	assert_int_equal(test_server_control(&server, "/stats", &st), 0);
	assert_int_equal(test_json_int(st.data, "SelectMergeProfile"), -1);    /* none */
	pyro_buf_release(&st);
	/* The open span is asked again. */
	assert_int_equal(src->ops->stacks(src, ix, se, &all, "all", NULL, &s2, err), 0);
	pyro_stacks_release(&s2);
	assert_int_equal(test_server_control(&server, "/stats", &st), 0);
	assert_int_equal(test_json_int(st.data, "SelectMergeProfile"), 1);
	pyro_buf_release(&st);
	assert_int_equal(src->ops->stats(src, &st), 0);
	assert_non_null(strstr(st.data, "merge_answers_from_disk 1\n"));
	pyro_buf_release(&st);
	pyro_buf_release(&a);
	pyro_buf_release(&b);
	pyro_stacks_release(&s1);
	close_demo(src, ix);
}

/* make FILE in dir with mtime age seconds ago */
static void put_file(const char *dir, const char *name, time_t age)
{
	char path[PATH_MAX + 64];
	struct timespec t[2] = { { time(NULL) - age, 0 }, { time(NULL) - age, 0 } };
	FILE *f;

	assert_true(snprintf(path, sizeof(path), "%s/%s", dir, name) < (int)sizeof(path));
	assert_non_null(f = fopen(path, "w"));
	fputs("partial", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

static int file_exists(const char *dir, const char *name)
{
	char path[PATH_MAX + 64];
	struct stat st;

	assert_true(snprintf(path, sizeof(path), "%s/%s", dir, name) < (int)sizeof(path));
	return stat(path, &st) == 0;
}

/* A temporary file left by a daemon killed while writing goes once a day
 * old; one as young as a write in progress stays, and so do other files. */
static void test_disk_stale_tmp(void **state)
{
	struct pyro_buf ans = PYRO_BUF_INIT, got = PYRO_BUF_INIT;
	char dir[PATH_MAX];

	(void)state;
	assert_int_equal(pyro_remote_disk_dir("http://stale.example:4040", NULL, NULL, dir), 0);
	assert_int_equal(pyro_buf_printf(&ans, "answer"), 0);
	pyro_remote_disk_put(dir, 1, "q1", 2, &ans);             /* makes dir */
	put_file(dir, ".tmp-old123", PYRO_REMOTE_DISK_TMP_AGE + 60);
	put_file(dir, ".tmp-new456", 5);
	put_file(dir, ".keep", PYRO_REMOTE_DISK_TMP_AGE + 60);
	pyro_remote_disk_put(dir, 2, "q2", 2, &ans);             /* trims */
	assert_false(file_exists(dir, ".tmp-old123"));
	assert_true(file_exists(dir, ".tmp-new456"));
	assert_true(file_exists(dir, ".keep"));
	assert_int_equal(pyro_remote_disk_get(dir, 1, "q1", 2, 1 << 20, &got), 0);
	assert_string_equal(got.data, "answer");
	pyro_buf_release(&ans);
	pyro_buf_release(&got);
}

static void test_unreachable(void **state)
{
	struct pyro_src *src;
	struct pyro_index *ix;
	char err[PYRO_ERR_MAX];

	assert_int_equal(open_remote("http://127.0.0.1:1", PYRO_POLICY_AUTO, NULL, 0, &src,
				     &ix, err), -EIO);
	assert_null(src);
	assert_null(ix);
	assert_non_null(strstr(err, "http://127.0.0.1:1: GetProfileStats: "));
	assert_null(strchr(err, '\n'));
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

/* A server wanting credentials and a tenant. */
static void test_auth(void **state)
{
	static const char *const args[] = { "--basic", "u:p", "--tenant", "t1", NULL };
	char dir[] = "/tmp/pyrofs-auth.XXXXXX", good[64], bad[64], opt_good[80], opt_bad[80];
	char want[PYRO_ERR_MAX], err[PYRO_ERR_MAX];
	const char *opts[3];
	struct test_server s2;
	struct pyro_src *src;
	struct pyro_index *ix;

	assert_int_equal(test_server_start(&s2, "demo/archive", args), 0);
	assert_non_null(mkdtemp(dir));
	snprintf(good, sizeof(good), "%s/good", dir);
	snprintf(bad, sizeof(bad), "%s/bad", dir);
	write_file(good, "u:p\n", 0600);
	write_file(bad, "u:wrong\n", 0600);
	snprintf(opt_good, sizeof(opt_good), "auth_file=%s", good);
	snprintf(opt_bad, sizeof(opt_bad), "auth_file=%s", bad);

	opts[0] = opt_bad;
	opts[1] = "tenant=t1";
	assert_int_equal(open_remote(s2.url, PYRO_POLICY_AUTO, opts, 2, &src, &ix, err), -EACCES);
	snprintf(want, sizeof(want), "%s: 401 Unauthorized (check -o auth_file)", s2.url);
	assert_string_equal(err, want);

	opts[0] = opt_good;
	assert_int_equal(open_remote(s2.url, PYRO_POLICY_AUTO, opts, 1, &src, &ix, err), -EACCES);
	snprintf(want, sizeof(want), "%s: 401 Unauthorized (check -o tenant)", s2.url);
	assert_string_equal(err, want);

	assert_int_equal(open_remote(s2.url, PYRO_POLICY_AUTO, opts, 2, &src, &ix, err), 0);
	assert_int_equal(ix->nservices, 3);
	close_demo(src, ix);

	chmod(good, 0640);
	assert_int_equal(open_remote(s2.url, PYRO_POLICY_AUTO, opts, 2, &src, &ix, err), -EPERM);
	assert_non_null(strstr(err, "accessible by group or others"));

	/* Another kind's option is refused at open. */
	opts[2] = "rescan=5";
	assert_int_equal(open_remote(s2.url, PYRO_POLICY_AUTO, opts + 2, 1, &src, &ix, err),
			 -EINVAL);
	unlink(good);
	unlink(bad);
	rmdir(dir);
	test_server_stop(&s2);
}

static void test_opts(void **state)
{
	static const char *const good[] = {
		"tenant=t", "auth_file=/x", "selector={env=\"prod\"}", "step=15s", "step=1m",
		"lookback=7d", "timeout=500ms", "refresh=0", "max_nodes=8192",
		"max_queries=1", "qps=2.5", "growth_points=12",
	};
	static const char *const bad[] = {
		"tenant=", "selector=env", "step=0", "step=1500ms", "lookback=1x",
		"timeout=-1", "max_queries=0", "qps=x", "growth_points=1", "max_nodes=-3",
	};
	char err[PYRO_ERR_MAX];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(pyro_src_pyroscope.opt(good[i], err), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(pyro_src_pyroscope.opt(bad[i], err), -EINVAL);
		assert_non_null(strstr(err, bad[i]));
	}
	assert_int_equal(pyro_src_pyroscope.opt("rescan=2", err), 1);
	assert_int_equal(pyro_src_pyroscope.opt("merge=pprof", err), 1);
	assert_int_equal(pyro_src_pyroscope.check("http://h:4040/prefix", err), 0);
	assert_int_equal(pyro_src_pyroscope.check("https://[::1]:4040", err), 0);
	assert_int_equal(pyro_src_pyroscope.check("http://h", err), 0);
	assert_int_equal(pyro_src_pyroscope.check("http://h:99999", err), -EINVAL);
	assert_string_equal(err, "http://h:99999: bad port");
	assert_int_equal(pyro_src_pyroscope.check("http://h:", err), -EINVAL);
	assert_int_equal(pyro_src_pyroscope.check("http://", err), -EINVAL);
	assert_string_equal(err, "http://: no host");
	assert_int_equal(pyro_src_pyroscope.check("http://u:secret@h:4040", err), -EINVAL);
	assert_null(strstr(err, "secret"));
	assert_int_equal(pyro_src_pyroscope.match("https://x"), 1);
	assert_int_equal(pyro_src_pyroscope.match("/srv/profiles"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_tree, setup),
		cmocka_unit_test_setup(test_merges, setup),
		cmocka_unit_test_setup(test_gauge_mean, setup),
		cmocka_unit_test_setup(test_labels, setup),
		cmocka_unit_test_setup(test_growth, setup),
		cmocka_unit_test_setup(test_growth_points, setup),
		cmocka_unit_test_setup(test_failure, setup),
		cmocka_unit_test_setup(test_ident, setup),
		cmocka_unit_test_setup(test_answers_reused, setup),
		cmocka_unit_test_setup(test_disk, setup),
		cmocka_unit_test(test_disk_stale_tmp),
		cmocka_unit_test_setup(test_unreachable, setup),
		cmocka_unit_test_setup(test_auth, setup),
		cmocka_unit_test(test_opts),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
