/*
 * test_source.c - the source interface (model/source.h) with its first
 * implementation, the local archive (model/source_archive.c): the
 * registry, the index it publishes, its operations over spans, and
 * refresh following a changing archive.
 *
 * Each test writes its own archive with mkprof in a temporary directory:
 *
 *   api/heap-1795000000.pb.gz   alloc_space 100 (main;alloc), 2026-11-18T11-06-40Z
 *   api/heap-1795000010.pb.gz   alloc_space 250,              2026-11-18T11-06-50Z
 *   api/heap-1795000020.pb.gz   alloc_space 400,              2026-11-18T11-07-00Z
 *   web/cpu-1795000030.pb.gz    cpu 30 (main;work) + 10 (main;idle)
 *
 * alloc_space is cumulative, so `all` merges to an increase of 400.
 * The archive indexes each service when first looked into (source.h's
 * load): setup opens it and loads every service, setup_lazy leaves them
 * pending; setup_walk follows changes by stat-walking (-o watch=walk).
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
#include <unistd.h>

#include "../../model/source.h"
#include "../support/mkprof.h"

#define SEC 1000000000LL
#define T0 1795000000LL
#define SNAP0 "2026-11-18T11-06-40Z"
#define SNAP2 "2026-11-18T11-07-00Z"

struct fixture {
	char tmp[MKPROF_PATH_MAX];
	char root[MKPROF_PATH_MAX];
	struct pyro_src *src;
	struct pyro_index *ix;
};

static const struct pyro_src_conf conf = {
	.max_profile_size = 64u << 20,
	.merge = PYRO_POLICY_AUTO,
};

static int put(const char *root, struct mkprof *p, const char *rel)
{
	char path[MKPROF_PATH_MAX];
	int rc;

	mkprof_join(path, root, rel);
	rc = mkprof_write(p, path, 1);
	mkprof_free(p);
	return rc;
}

static struct mkprof *heap(int64_t secs, int64_t space)
{
	struct mkprof *p = mkprof_new();

	mkprof_sample_type(p, "alloc_space", "bytes");
	mkprof_time(p, secs * SEC);
	mkprof_sample(p, (int64_t[]){ space }, "main;alloc");
	return p;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int rc;

	if (!f)
		return 0;
	pyro_index_put(f->ix);
	pyro_src_close(f->src);
	rc = mkprof_rmtree(f->tmp);
	free(f);
	*state = NULL;
	return rc ? -1 : 0;
}

/* Index every pending service of f->ix: the index is replaced. */
static void load_all(struct fixture *f)
{
	struct pyro_index *next = NULL;
	char err[PYRO_ERR_MAX];

	assert_int_equal(f->src->ops->load(f->src, f->ix, NULL, &next, err), 1);
	pyro_index_put(f->ix);
	f->ix = next;
}

static int open_archive(void **state, const char *const *opts, size_t nopts)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct pyro_src_conf c = conf;
	char err[PYRO_ERR_MAX];
	struct mkprof *p;
	int rc = 0;

	c.opts = opts;
	c.nopts = nopts;

	if (!f || mkprof_tmpdir(f->tmp)) {
		free(f);
		return -1;
	}
	*state = f;
	mkprof_join(f->root, f->tmp, "archive");
	rc |= put(f->root, heap(T0, 100), "api/heap-1795000000.pb.gz");
	rc |= put(f->root, heap(T0 + 10, 250), "api/heap-1795000010.pb.gz");
	rc |= put(f->root, heap(T0 + 20, 400), "api/heap-1795000020.pb.gz");
	p = mkprof_new();
	mkprof_sample_type(p, "cpu", "nanoseconds");
	mkprof_time(p, (T0 + 30) * SEC);
	mkprof_sample(p, (int64_t[]){ 30 }, "main;work");
	mkprof_sample(p, (int64_t[]){ 10 }, "main;idle");
	rc |= put(f->root, p, "web/cpu-1795000030.pb.gz");
	if (rc || pyro_src_open(f->root, &c, &f->src, &f->ix, err)) {
		teardown(state);
		return -1;
	}
	return 0;
}

static int setup_lazy(void **state)
{
	return open_archive(state, NULL, 0);
}

static int setup(void **state)
{
	if (open_archive(state, NULL, 0))
		return -1;
	load_all(*state);
	return 0;
}

static int setup_walk(void **state)
{
	static const char *const walk[] = { "watch=walk" };

	if (open_archive(state, walk, 1))
		return -1;
	load_all(*state);
	return 0;
}

static const struct pyro_index_series *series(const struct pyro_index *ix,
					      const char *svc, const char *type)
{
	const struct pyro_index_service *s = pyro_index_service(ix, svc);

	assert_non_null(s);
	return pyro_index_series(s, type);
}

/* ---- the registry ------------------------------------------------------------- */

static void test_registry(void **state)
{
	char err[PYRO_ERR_MAX], missing[MKPROF_PATH_MAX + 16];
	struct fixture *f = *state;

	/* Anything that no other kind takes is a local archive. */
	assert_ptr_equal(pyro_src_kind_of(f->root), &pyro_src_archive);
	assert_ptr_equal(pyro_src_kind_of("relative/dir"), &pyro_src_archive);
	assert_int_equal(pyro_src_check(f->root, err), 0);
	snprintf(missing, sizeof(missing), "%s/missing", f->tmp);
	assert_int_equal(pyro_src_check(missing, err), -ENOENT);
	assert_true(!strncmp(err, "archive ", 8));
	assert_non_null(strstr(err, "No such file or directory"));
	/* No kind claims a key it does not know. */
	assert_int_equal(pyro_src_opt("no_such_key=1", err), 1);
	assert_non_null(f->src->name);
	/* The local archive's options are its own. */
	assert_int_equal(pyro_src_opt("watch=walk", err), 0);
	assert_int_equal(pyro_src_opt("index=eager", err), 0);
	assert_int_equal(pyro_src_opt("watch=sometimes", err), -EINVAL);
}

/* /.pyrofs/stats says how changes are followed and how much is indexed. */
static void test_stats(void **state)
{
	struct fixture *f = *state;
	struct pyro_buf b = PYRO_BUF_INIT;

	assert_non_null(f->src->ops->stats);
	assert_int_equal(f->src->ops->stats(f->src, &b), 0);
	assert_non_null(strstr(b.data, "\nservices 2\n"));
	assert_non_null(strstr(b.data, "\nservices_indexed 2\n"));
	assert_non_null(strstr(b.data, "\nsnapshots_indexed 4\n"));
	/* tmpfs or a local disk: inotify (unless the test runs on NFS). */
	assert_true(!strncmp(b.data, "watch inotify\n", 14) ||
		    !strncmp(b.data, "watch walk (network filesystem)\n", 33));
	pyro_buf_release(&b);
}

static void test_stats_walk(void **state)
{
	struct fixture *f = *state;
	struct pyro_buf b = PYRO_BUF_INIT;

	assert_int_equal(f->src->ops->stats(f->src, &b), 0);
	assert_true(!strncmp(b.data, "watch walk (-o watch=walk)\n", 27) ||
		    !strncmp(b.data, "watch walk (network filesystem)\n", 33));
	pyro_buf_release(&b);
}

/* Mounting lists services without reading them; load indexes one. */
static void test_lazy(void **state)
{
	struct fixture *f = *state;
	const struct pyro_index_service *api, *web;
	struct pyro_index *next = NULL;
	struct pyro_buf b = PYRO_BUF_INIT;
	char err[PYRO_ERR_MAX];

	assert_int_equal(f->ix->nservices, 2);
	api = pyro_index_service(f->ix, "api");
	assert_non_null(api);
	assert_true(api->pending);
	assert_int_equal(api->nseries, 0);
	assert_null(pyro_index_series(api, "alloc_space"));
	/* Its date as far as known: the directory's mtime. */
	assert_true(pyro_index_service_newest(api) > 0);
	assert_int_equal(f->src->ops->stats(f->src, &b), 0);
	assert_non_null(strstr(b.data, "\nservices_indexed 0\n"));
	pyro_buf_release(&b);

	/* Looking into api indexes api only. */
	assert_int_equal(f->src->ops->load(f->src, f->ix, "api", &next, err), 1);
	assert_false(pyro_index_service(next, "api")->pending);
	assert_int_equal(series(next, "api", "alloc_space")->npoints, 3);
	web = pyro_index_service(next, "web");
	assert_true(web->pending);
	/* The old index is untouched. */
	assert_true(pyro_index_service(f->ix, "api")->pending);
	pyro_index_put(f->ix);
	f->ix = next;
	/* Nothing pending by that name: nothing to do. */
	assert_int_equal(f->src->ops->load(f->src, f->ix, "api", &next, err), 0);
	assert_null(next);
	assert_int_equal(f->src->ops->load(f->src, f->ix, "nope", &next, err), 0);
	/* Everything: web too. */
	load_all(f);
	assert_int_equal(series(f->ix, "web", "cpu")->npoints, 1);
	assert_int_equal(series(f->ix, "api", "alloc_space")->npoints, 3);
	assert_int_equal(f->src->ops->load(f->src, f->ix, NULL, &next, err), 0);
}

/* A change inside a service that is not indexed yet costs nothing: it is
 * read when the service is. */
static void test_lazy_refresh(void **state)
{
	struct fixture *f = *state;
	struct pyro_index *next = NULL;
	char err[PYRO_ERR_MAX];

	assert_int_equal(put(f->root, heap(T0 + 40, 500),
			     "api/heap-1795000040.pb.gz"), 0);
	assert_int_equal(f->src->ops->refresh(f->src, f->ix, &next, err) >= 0, 1);
	if (next) {
		pyro_index_put(f->ix);
		f->ix = next;
	}
	/* A new service directory is listed at once. */
	assert_int_equal(put(f->root, heap(T0 + 50, 600),
			     "db/heap-1795000050.pb.gz"), 0);
	assert_int_equal(f->src->ops->refresh(f->src, f->ix, &next, err), 1);
	pyro_index_put(f->ix);
	f->ix = next;
	assert_int_equal(f->ix->nservices, 3);
	assert_true(pyro_index_service(f->ix, "db")->pending);
	load_all(f);
	assert_int_equal(series(f->ix, "api", "alloc_space")->npoints, 4);
	assert_int_equal(series(f->ix, "db", "alloc_space")->npoints, 1);
}

/* An option another kind claimed is an error for the local archive. */
static void test_foreign_option(void **state)
{
	static const char *const opts[] = { "tenant=team-a" };
	struct pyro_src_conf c = conf;
	struct fixture *f = *state;
	struct pyro_index *ix = NULL;
	struct pyro_src *src = NULL;
	char err[PYRO_ERR_MAX];

	c.opts = opts;
	c.nopts = 1;
	assert_int_equal(pyro_src_open(f->root, &c, &src, &ix, err), -EINVAL);
	assert_null(src);
	assert_null(ix);
	assert_non_null(strstr(err, "tenant=team-a"));
}

/* ---- the index ------------------------------------------------------------------ */

static void test_index(void **state)
{
	struct fixture *f = *state;
	const struct pyro_index_series *se;

	assert_int_equal(f->ix->nservices, 2);
	assert_string_equal(f->ix->services[0].name, "api");
	assert_string_equal(f->ix->services[1].name, "web");
	assert_null(pyro_index_service(f->ix, "nope"));
	se = series(f->ix, "api", "alloc_space");
	assert_non_null(se);
	assert_ptr_equal(se->service, &f->ix->services[0]);
	assert_string_equal(se->sample_unit, "bytes");
	assert_int_equal(se->kind, PYRO_KIND_CUMULATIVE);
	assert_int_equal(se->npoints, 3);
	assert_string_equal(se->points[0].name, SNAP0);
	assert_string_equal(se->points[2].name, SNAP2);
	assert_true(se->points[0].time_nanos < se->points[1].time_nanos);
	assert_ptr_equal(pyro_index_point(se, SNAP2), &se->points[2]);
	assert_null(pyro_index_point(se, "latest"));
	assert_int_equal(pyro_index_series_newest(se), (T0 + 20) * SEC);
	assert_int_equal(pyro_index_newest(f->ix), (T0 + 30) * SEC);
	assert_null(series(f->ix, "web", "alloc_space"));
}

/* ---- operations over spans -------------------------------------------------------- */

static void test_stacks_and_sources(void **state)
{
	struct fixture *f = *state;
	const struct pyro_index_series *se = series(f->ix, "api", "alloc_space");
	struct pyro_buf b = PYRO_BUF_INIT;
	struct pyro_stacks s;
	struct pyro_span sp;
	char err[PYRO_ERR_MAX];
	int64_t total;

	assert_int_equal(pyro_span_resolve(se, "all", &sp), 0);
	assert_int_equal(f->src->ops->stacks(f->src, f->ix, se, &sp, "all",
					     NULL, &s, err), 0);
	assert_int_equal(s.meta.rule, PYRO_MERGE_INCREASE);
	assert_string_equal(s.meta.span, "all");
	assert_int_equal(pyro_stacks_total(&s, &total), 0);
	assert_int_equal(total, 400);
	pyro_stacks_release(&s);

	assert_int_equal(f->src->ops->sources(f->src, f->ix, se, &sp, &b), 0);
	assert_string_equal(b.data, "api/heap-1795000000.pb.gz\n"
			    "api/heap-1795000010.pb.gz\n"
			    "api/heap-1795000020.pb.gz");
	pyro_buf_release(&b);

	assert_int_equal(f->src->ops->problems(f->src, f->ix, &b), 0);
	assert_int_equal(b.len, 0);
	pyro_buf_release(&b);
}

static void test_history_and_labels(void **state)
{
	struct fixture *f = *state;
	const struct pyro_index_series *se = series(f->ix, "web", "cpu");
	struct pyro_label_set ls;
	struct pyro_history h;
	struct pyro_span sp;
	char err[PYRO_ERR_MAX];

	assert_int_equal(f->src->ops->history(f->src, f->ix, se, &h, err), 0);
	assert_int_equal(h.nsnaps, 1);
	assert_int_equal(h.totals[0], 40);
	pyro_history_release(&h);

	assert_int_equal(pyro_span_resolve(se, "latest", &sp), 0);
	assert_int_equal(f->src->ops->labels(f->src, f->ix, se, &sp,
					     PYRO_MERGE_SINGLE, &ls, err), 0);
	assert_int_equal(ls.total, 40);
	assert_int_equal(ls.nkeys, 0);
	pyro_label_set_release(&ls);
}

/* The identity of a span covers its baseline; equal spans agree. */
static void test_ident(void **state)
{
	struct fixture *f = *state;
	const struct pyro_index_series *se = series(f->ix, "api", "alloc_space");
	struct pyro_span a = { PYRO_SPAN_SNAPSHOT, 2, 1, 0 };
	struct pyro_span b = { PYRO_SPAN_WINDOW, 2, 1, 1 };
	uint64_t ha = 7, ha2 = 7, hb = 7;
	int open = -1;

	f->src->ops->ident(f->src, f->ix, se, &a, &ha, &open);
	assert_int_equal(open, 0);
	f->src->ops->ident(f->src, f->ix, se, &a, &ha2, &open);
	f->src->ops->ident(f->src, f->ix, se, &b, &hb, &open);
	assert_true(ha == ha2);
	assert_true(ha != hb);
	assert_true(ha != 7);
}

/* ---- refresh -------------------------------------------------------------------- */

static void test_refresh(void **state)
{
	struct fixture *f = *state;
	struct pyro_index *next = NULL;
	struct pyro_buf b = PYRO_BUF_INIT;
	char err[PYRO_ERR_MAX], gone[MKPROF_PATH_MAX + 8];

	/* Nothing changed: no new index. */
	assert_int_equal(f->src->ops->refresh(f->src, f->ix, &next, err), 0);
	assert_null(next);

	/* A new profile: a new index with one more point. */
	assert_int_equal(put(f->root, heap(T0 + 40, 500),
			     "api/heap-1795000040.pb.gz"), 0);
	assert_int_equal(f->src->ops->refresh(f->src, f->ix, &next, err), 1);
	assert_non_null(next);
	assert_int_equal(series(next, "api", "alloc_space")->npoints, 4);
	assert_int_equal(series(f->ix, "api", "alloc_space")->npoints, 3);
	pyro_index_put(f->ix);
	f->ix = next;

	/* ARCHIVE gone: an empty tree that says why, once. */
	snprintf(gone, sizeof(gone), "%s.gone", f->root);
	assert_int_equal(rename(f->root, gone), 0);
	assert_int_equal(f->src->ops->refresh(f->src, f->ix, &next, err), 1);
	assert_int_equal(next->nservices, 0);
	assert_int_equal(f->src->ops->problems(f->src, next, &b), 0);
	assert_non_null(strstr(b.data, "archive unreadable"));
	pyro_buf_release(&b);
	pyro_index_put(f->ix);
	f->ix = next;
	assert_int_equal(f->src->ops->refresh(f->src, f->ix, &next, err), 0);

	/* Back again. */
	assert_int_equal(rename(gone, f->root), 0);
	assert_int_equal(f->src->ops->refresh(f->src, f->ix, &next, err), 1);
	assert_int_equal(next->nservices, 2);
	pyro_index_put(f->ix);
	f->ix = next;
}

/* A file in the root that belongs to a service with a directory (go tool
 * pprof's saved name: its binary) is that service's, and followed as the
 * service's own files are. */
static void test_root_file_of_service(void **state)
{
	struct fixture *f = *state;
	struct pyro_index *next = NULL;
	char err[PYRO_ERR_MAX];
	const struct pyro_index_series *se;

	assert_int_equal(put(f->root, heap(T0 + 5, 170),
			     "pprof.api.alloc_space.001.pb.gz"), 0);
	assert_int_equal(f->src->ops->refresh(f->src, f->ix, &next, err), 1);
	pyro_index_put(f->ix);
	f->ix = next;
	/* Still one service api (pending with setup_lazy, until looked
	 * into; indexed again with setup_walk). */
	assert_int_equal(f->ix->nservices, 2);
	if (pyro_index_service(f->ix, "api")->pending) {
		assert_int_equal(f->src->ops->load(f->src, f->ix, "api", &next,
						   err), 1);
		pyro_index_put(f->ix);
		f->ix = next;
	}
	se = series(f->ix, "api", "alloc_space");
	assert_int_equal(se->npoints, 4);
	assert_int_equal(se->points[1].time_nanos, (T0 + 5) * SEC);
	/* Rewritten: the service shows the new one. */
	assert_int_equal(put(f->root, heap(T0 + 15, 170),
			     "pprof.api.alloc_space.001.pb.gz"), 0);
	assert_int_equal(f->src->ops->refresh(f->src, f->ix, &next, err), 1);
	pyro_index_put(f->ix);
	f->ix = next;
	se = series(f->ix, "api", "alloc_space");
	assert_int_equal(se->npoints, 4);
	assert_int_equal(se->points[2].time_nanos, (T0 + 15) * SEC);
}

/* Removed and rewritten files, followed by either way of watching. */
static void test_refresh_changes(void **state)
{
	struct fixture *f = *state;
	struct pyro_index *next = NULL;
	char err[PYRO_ERR_MAX], path[MKPROF_PATH_MAX];
	uint64_t h0 = 7, h1 = 7;
	struct pyro_span sp = { PYRO_SPAN_SNAPSHOT, 2, 1, 0 };
	int open;

	f->src->ops->ident(f->src, f->ix, series(f->ix, "api", "alloc_space"),
			   &sp, &h0, &open);
	/* Rewritten in place: same name, new content. */
	assert_int_equal(put(f->root, heap(T0 + 20, 999),
			     "api/heap-1795000020.pb.gz"), 0);
	assert_int_equal(f->src->ops->refresh(f->src, f->ix, &next, err), 1);
	pyro_index_put(f->ix);
	f->ix = next;
	f->src->ops->ident(f->src, f->ix, series(f->ix, "api", "alloc_space"),
			   &sp, &h1, &open);
	assert_true(h0 != h1);
	/* Removed. */
	mkprof_join(path, f->root, "api/heap-1795000000.pb.gz");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(f->src->ops->refresh(f->src, f->ix, &next, err), 1);
	pyro_index_put(f->ix);
	f->ix = next;
	assert_int_equal(series(f->ix, "api", "alloc_space")->npoints, 2);
	/* A whole service removed. */
	mkprof_join(path, f->root, "web/cpu-1795000030.pb.gz");
	assert_int_equal(unlink(path), 0);
	mkprof_join(path, f->root, "web");
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(f->src->ops->refresh(f->src, f->ix, &next, err), 1);
	pyro_index_put(f->ix);
	f->ix = next;
	assert_int_equal(f->ix->nservices, 1);
	/* A dot-file is not part of the archive: nothing to do. */
	assert_int_equal(put(f->root, heap(T0 + 60, 1), "api/.tmp-1"), 0);
	assert_int_equal(f->src->ops->refresh(f->src, f->ix, &next, err), 0);
	assert_null(next);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_registry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_option, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stacks_and_sources, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_history_and_labels, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ident, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refresh, setup_walk,
						teardown),
		cmocka_unit_test_setup_teardown(test_refresh_changes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refresh_changes, setup_walk,
						teardown),
		cmocka_unit_test_setup_teardown(test_root_file_of_service,
						setup_lazy, teardown),
		cmocka_unit_test_setup_teardown(test_root_file_of_service,
						setup_walk, teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_walk, setup_walk,
						teardown),
		cmocka_unit_test_setup_teardown(test_lazy, setup_lazy, teardown),
		cmocka_unit_test_setup_teardown(test_lazy_refresh, setup_lazy,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
