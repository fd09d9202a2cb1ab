/*
 * test_node.c - the pyrofs tree without FUSE (fs/): resolving paths,
 * listing, attributes, bytes, inode numbers and options.
 *
 * The group setup writes this archive with mkprof (removed by the group
 * teardown) and opens it with pyro_fs_open:
 *
 *   api/cpu-1795000000.pb.gz      Go CPU, 2026-11-18T11-06-40Z:
 *                                   main;handle 3/30 endpoint=/users,
 *                                   main;handle+parse 1/10 endpoint=a/b%
 *   api/cpu-1795000010.pb.gz      Go CPU, 2026-11-18T11-06-50Z:
 *                                   main;handle 5/50 endpoint=/users
 *                                   worker=3 (a number)
 *   billing/cpu-1795000005.pb.gz  py-spy samples, 2026-11-18T11-06-45Z:
 *                                   main;run 3
 *   billing/cpu-1795000020.pb.gz  py-spy samples, 2026-11-18T11-07-00Z,
 *                                   a valid header but a sample that
 *                                   references a missing location
 *   billing/notes.txt             not a profile
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
#include <sys/stat.h>
#include <unistd.h>

#include "../../fs/fs.h"
#include "../support/fixture.h"

#define SEC 1000000000LL
#define T0 1795000000LL
#define SNAP0 "2026-11-18T11-06-40Z"
#define SNAP1 "2026-11-18T11-06-50Z"
#define BILL0 "2026-11-18T11-06-45Z"
#define BILL1 "2026-11-18T11-07-00Z"
/* The files of a time node: pyro_file_kinds in fs/content.c, in order. */
#define STACK_FILES "flame.svg folded graph.dot graph.svg icicle.svg profile.pb.gz " \
		    "top-cum.txt top.txt traces.txt tree.txt"
#define SNAP_FILES "flame.svg folded graph.dot graph.svg icicle.svg labels.txt " \
	"profile.pb.gz top-cum.txt top.txt traces.txt tree.txt"
/* Merges list labels/ too; a snapshot resolves it without listing it. */
#define TIME_FILES SNAP_FILES " labels"
#define NOTES_PROBLEM \
	"billing/notes.txt: not a pprof profile (invalid protobuf wire format)\n"
#define BAD_PROBLEM \
	"billing/cpu-1795000020.pb.gz: malformed profile: sample 0 references " \
	"missing location 99\n"

/* ---- the archive ------------------------------------------------------- */

static struct mkprof *go_cpu(int64_t secs)
{
	return fixture_go_cpu(secs * SEC);
}

static struct mkprof *pyspy(int64_t secs)
{
	struct mkprof *p = mkprof_new();

	mkprof_sample_type(p, "samples", "count");
	mkprof_time(p, secs * SEC);
	mkprof_sample(p, (int64_t[]){ 3 }, "main;run");
	return p;
}

static int write_archive(struct fixture *f)
{
	char path[MKPROF_PATH_MAX];
	struct mkprof *p;

	p = go_cpu(T0);
	mkprof_sample(p, (int64_t[]){ 3, 30 }, "main;handle");
	mkprof_label(p, "endpoint", "/users");
	mkprof_sample(p, (int64_t[]){ 1, 10 }, "main;handle+parse");
	mkprof_label(p, "endpoint", "a/b%");
	if (fixture_put(f, p, "api/cpu-1795000000.pb.gz", 1))
		return -1;
	p = go_cpu(T0 + 10);
	mkprof_sample(p, (int64_t[]){ 5, 50 }, "main;handle");
	mkprof_label(p, "endpoint", "/users");
	mkprof_num_label(p, "worker", 3, NULL);
	if (fixture_put(f, p, "api/cpu-1795000010.pb.gz", 1) ||
	    fixture_put(f, pyspy(T0 + 5), "billing/cpu-1795000005.pb.gz", 1))
		return -1;
	p = pyspy(T0 + 20);
	mkprof_message(p)->sample[0]->location_id[0] = 99;
	if (fixture_put(f, p, "billing/cpu-1795000020.pb.gz", 1))
		return -1;
	mkprof_join(path, f->root, "billing/notes.txt");
	return mkprof_write_file(path, "not a profile\n", 14);
}

static int group_setup(void **state)
{
	return fixture_setup(state, write_archive, FIXTURE_FS);
}

/* A second tree of the same archive, for the cases that change options. */
static int open_fs_opt(const char *root, const char *opt, struct pyro_fs **fs)
{
	struct pyro_fs_opts o;
	char err[PYRO_ERR_MAX];
	int rc;

	pyro_fs_opts_init(&o);
	if (opt && pyro_fs_opt(&o, opt, err))
		return -EINVAL;
	rc = pyro_fs_open(root, &o, fs, err);
	if (rc)
		fprintf(stderr, "pyro_fs_open: %s\n", err);
	return rc;
}

static int open_fs(const char *root, struct pyro_fs **fs)
{
	return open_fs_opt(root, NULL, fs);
}

/* ---- helpers --------------------------------------------------------------- */

/* Resolve path and hand back a node that borrows the index: the fs keeps
 * the index alive (these tests never rescan), so the reference that
 * pyro_resolve took is dropped at once and the node needs no release. */
static struct pyro_node resolve(void **state, const char *path)
{
	struct fixture *f = *state;
	struct pyro_index *ix;
	struct pyro_node n;
	int rc = pyro_resolve(f->fs, path, &n);

	if (rc)
		fail_msg("resolve \"%s\": %d", path, rc);
	ix = n.ix;
	pyro_node_release(&n);
	n.ix = ix;
	return n;
}

static struct stat stat_of(void **state, const char *path)
{
	struct fixture *f = *state;
	struct pyro_node n = resolve(state, path);
	struct stat st;
	int rc = pyro_node_stat(f->fs, &n, &st);

	if (rc)
		fail_msg("stat \"%s\": %d", path, rc);
	return st;
}

/* The bytes of the file at path must be expected. */
static void check_bytes(void **state, const char *path, const char *expected)
{
	struct fixture *f = *state;
	struct pyro_node n = resolve(state, path);
	struct pyro_blob *b;

	assert_int_equal(pyro_node_bytes(f->fs, &n, &b), 0);
	if (b->len != strlen(expected))
		fail_msg("%s: got \"%.*s\"", path, (int)b->len, b->data);
	assert_memory_equal(b->data, expected, b->len);
	pyro_obj_put(&b->obj);
}

static int add_name(void *ctx, const char *name, const struct pyro_node *child)
{
	struct pyro_buf *b = ctx;

	(void)child;
	return pyro_buf_printf(b, "%s%s", b->len ? " " : "", name) ? 1 : 0;
}

/* The children of path, space-separated. */
static void check_list(void **state, const char *path, const char *expected)
{
	struct fixture *f = *state;
	struct pyro_node n = resolve(state, path);
	struct pyro_buf b = PYRO_BUF_INIT;

	assert_int_equal(pyro_node_list(f->fs, &n, add_name, &b), 0);
	assert_string_equal(b.data ? b.data : "", expected);
	pyro_buf_release(&b);
}

/* ---- resolving ---------------------------------------------------------- */

static void test_resolve_kinds(void **state)
{
	struct pyro_node n;

	n = resolve(state, "");
	assert_int_equal(n.kind, PYRO_NODE_ROOT);
	n = resolve(state, "/");
	assert_int_equal(n.kind, PYRO_NODE_ROOT);
	n = resolve(state, "/.pyrofs");
	assert_int_equal(n.kind, PYRO_NODE_META);
	n = resolve(state, "/.pyrofs/errors");
	assert_int_equal(n.kind, PYRO_NODE_ERRORS);

	n = resolve(state, "/api");
	assert_int_equal(n.kind, PYRO_NODE_SERVICE);
	assert_string_equal(n.svc->name, "api");
	n = resolve(state, "/api/cpu");
	assert_int_equal(n.kind, PYRO_NODE_TYPE);
	assert_string_equal(n.series->type, "cpu");
	assert_int_equal(n.series->npoints, 2);

	n = resolve(state, "/api/cpu/latest");
	assert_int_equal(n.kind, PYRO_NODE_LATEST);
	assert_string_equal(n.time.name, SNAP1);
	assert_int_equal(n.time.span.first, 1);
	assert_int_equal(n.time.span.count, 1);

	/* Through latest: the snapshot directory itself. */
	n = resolve(state, "/api/cpu/latest/top.txt");
	assert_int_equal(n.kind, PYRO_NODE_FILE);
	assert_string_equal(n.time.name, SNAP1);
	assert_int_equal(n.time.span.first, 1);
	assert_int_equal(n.time.span.count, 1);
	assert_string_equal(n.file->name, "top.txt");

	n = resolve(state, "/api/cpu/all");
	assert_int_equal(n.kind, PYRO_NODE_TIME);
	assert_string_equal(n.time.name, "all");
	assert_int_equal(n.time.span.first, 0);
	assert_int_equal(n.time.span.count, 2);

	n = resolve(state, "/api/cpu/" SNAP0);
	assert_int_equal(n.kind, PYRO_NODE_TIME);
	assert_string_equal(n.time.name, SNAP0);
	assert_int_equal(n.time.span.first, 0);
	assert_int_equal(n.time.span.count, 1);

	n = resolve(state, "/api/cpu/" SNAP0 "/folded");
	assert_int_equal(n.kind, PYRO_NODE_FILE);
	assert_string_equal(n.file->name, "folded");
	n = resolve(state, "/api/samples/all/flame.svg");
	assert_int_equal(n.kind, PYRO_NODE_FILE);
	assert_string_equal(n.series->type, "samples");

	/* Windows, ranges and relative windows resolve; only days and hours
	 * are listed. */
	n = resolve(state, "/api/cpu/2026-11-18T11");
	assert_int_equal(n.kind, PYRO_NODE_TIME);
	assert_int_equal(n.time.span.kind, PYRO_SPAN_WINDOW);
	assert_int_equal(n.time.span.count, 2);
	n = resolve(state, "/api/cpu/" SNAP1 "..latest/top.txt");
	assert_int_equal(n.kind, PYRO_NODE_FILE);
	assert_int_equal(n.time.span.first, 1);
	assert_int_equal(n.time.span.has_baseline, 1);
	n = resolve(state, "/api/cpu/last-5s");
	assert_int_equal(n.time.span.first, 1);
	assert_int_equal(n.time.span.count, 1);

	/* Series files and diffs. */
	n = resolve(state, "/api/cpu/timeline.txt");
	assert_int_equal(n.kind, PYRO_NODE_SERIES_FILE);
	n = resolve(state, "/api/cpu/diff");
	assert_int_equal(n.kind, PYRO_NODE_DIFF);
	n = resolve(state, "/api/cpu/diff/latest");
	assert_int_equal(n.kind, PYRO_NODE_DIFF_BASE);
	assert_string_equal(n.deriv.arg.base.name, SNAP1);
	n = resolve(state, "/api/cpu/diff/" SNAP0 "/all/folded");
	assert_int_equal(n.kind, PYRO_NODE_FILE);
	assert_int_equal(n.deriv.kind, PYRO_DERIV_DIFF);
	assert_string_equal(n.deriv.arg.base.name, SNAP0);
	assert_string_equal(n.time.name, "all");

	/* Slashes are forgiven. */
	n = resolve(state, "//api//cpu/" SNAP1 "//");
	assert_int_equal(n.kind, PYRO_NODE_TIME);
	assert_string_equal(n.time.name, SNAP1);
	n = resolve(state, "api/cpu");
	assert_int_equal(n.kind, PYRO_NODE_TYPE);
}

static void test_resolve_enoent(void **state)
{
	static const char *const paths[] = {
		"/nope", "/API", "/api/nope", "/api/cpu/nope",
		"/api/cpu/2020-01-01T00-00-00Z", "/api/cpu/" SNAP0 "x",
		"/api/cpu/all/nope.txt", "/api/cpu/all/top.txt/x",
		"/api/cpu/latest/top.txt/x",
		"/.pyrofs/nope", "/.pyrofs/errors/x", "/api/cpu/all/folded/..",
		"/billing/notes.txt", "/.hidden", "/api/cpu/2026-11-19",
		"/api/cpu/last-0h", "/api/cpu/x..y", "/api/cpu/diff/nope",
		"/api/cpu/diff/all/nope", "/api/cpu/timeline.txt/x",
		"/api/cpu/2026-02-31", "/api/cpu/" SNAP1 ".." SNAP0,
	};
	struct fixture *f = *state;
	struct pyro_node n;
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
		int rc = pyro_resolve(f->fs, paths[i], &n);

		if (rc != -ENOENT)
			fail_msg("\"%s\": %d, want -ENOENT", paths[i], rc);
	}
}

/* ---- listing --------------------------------------------------------------- */

static void test_list(void **state)
{
	struct fixture *f = *state;
	struct pyro_node n = resolve(state, "/api/cpu/all/top.txt");
	struct pyro_buf b = PYRO_BUF_INIT;

	check_list(state, "/", ".pyrofs README.txt index.html 0-README.txt "
		   "0-index.html api billing");
	check_list(state, "/.pyrofs", "errors stats");
	check_list(state, "/api", "index.html summary.txt 0-index.html "
		   "0-summary.txt cpu samples");
	check_list(state, "/billing", "index.html summary.txt 0-index.html "
		   "0-summary.txt cpu");
	check_list(state, "/api/cpu", "all latest prev first 2026-11-18 "
		   "2026-11-18T11 " SNAP0 " " SNAP1 " growth.txt timeline.svg "
		   "timeline.txt index.html diff 0-all 0-latest 0-growth.txt "
		   "0-timeline.svg 0-timeline.txt 0-index.html");
	/* prev and first are one point here: listed once. */
	check_list(state, "/api/cpu/diff", "prev");
	check_list(state, "/api/cpu/diff/prev", "latest");
	check_list(state, "/api/cpu/diff/all", "latest");
	check_list(state, "/api/cpu/diff/" SNAP0 "/latest", STACK_FILES);
	check_list(state, "/api/cpu/all", TIME_FILES);
	check_list(state, "/api/cpu/" SNAP0, SNAP_FILES);
	check_list(state, "/api/cpu/last-5s", TIME_FILES);
	assert_int_equal(pyro_node_list(f->fs, &n, add_name, &b), -ENOTDIR);
	n = resolve(state, "/.pyrofs/errors");
	assert_int_equal(pyro_node_list(f->fs, &n, add_name, &b), -ENOTDIR);
	assert_null(b.data);
}

static int stop_at_second(void *ctx, const char *name,
			  const struct pyro_node *child)
{
	int *count = ctx;

	(void)name;
	(void)child;
	return ++*count == 2;
}

/* Children carry the node they resolve to; fn can stop early. */
static void test_list_children(void **state)
{
	struct fixture *f = *state;
	struct pyro_node n = resolve(state, "/api/cpu");
	struct pyro_node all = resolve(state, "/api/cpu/all");
	struct pyro_node snap = resolve(state, "/api/cpu/" SNAP1);
	struct stat a, b;
	int count = 0;

	assert_int_equal(pyro_node_list(f->fs, &n, stop_at_second, &count), 0);
	assert_int_equal(count, 2);
	pyro_node_stat_cheap(f->fs, &all, &a);
	pyro_node_stat_cheap(f->fs, &snap, &b);
	assert_int_not_equal(a.st_ino, b.st_ino);
}

/* ---- labels ----------------------------------------------------------------- */

static void test_labels_tree(void **state)
{
	struct pyro_node n;

	n = resolve(state, "/api/cpu/all/labels");
	assert_int_equal(n.kind, PYRO_NODE_LABELS);
	n = resolve(state, "/api/cpu/all/labels/endpoint");
	assert_int_equal(n.kind, PYRO_NODE_LABEL_KEY);
	assert_string_equal(n.label_key, "endpoint");

	/* Keys and values by total, largest first; names encoded.  The
	 * numeric key worker is in labels.txt only (-o labels=string). */
	check_list(state, "/api/cpu/all/labels", "endpoint");
	check_list(state, "/api/cpu/all/labels/endpoint", "%2Fusers a%2Fb%25");
	check_list(state, "/api/cpu/" SNAP0 "/labels", "endpoint");
	/* A label node has the stack files, no labels of its own. */
	check_list(state, "/api/cpu/all/labels/endpoint/%2Fusers", STACK_FILES);
	/* No labels at all: an empty labels/. */
	check_list(state, "/billing/cpu/" BILL0 "/labels", "");

	check_bytes(state, "/api/cpu/all/labels/endpoint/%2Fusers/folded",
		    "main;handle 80\n");
	check_bytes(state, "/api/samples/all/labels/endpoint/a%2Fb%25/folded",
		    "main;handle;parse 1\n");
	/* A label no sample of a snapshot carries is not there. */
	check_list(state, "/api/cpu/" SNAP1 "/labels/endpoint", "%2Fusers");
}

/* -o labels=all: numeric keys too; -o labels=off: no labels/, still
 * labels.txt. */
static void test_labels_modes(void **state)
{
	struct fixture *f = *state, g = *f;
	struct pyro_node n;
	void *st = &g;
	struct pyro_fs *all = NULL, *off = NULL;

	assert_int_equal(pyro_resolve(f->fs, "/api/cpu/latest/labels/worker", &n),
			 -ENOENT);
	assert_int_equal(open_fs_opt(f->root, "labels=all", &all), 0);
	g.fs = all;
	n = resolve(&st, "/api/cpu/latest/labels/worker/3/folded");
	assert_int_equal(n.kind, PYRO_NODE_FILE);
	assert_string_equal(n.time.name, SNAP1);
	assert_string_equal(n.deriv.arg.value, "3");
	check_list(&st, "/api/cpu/all/labels", "endpoint worker");
	check_list(&st, "/api/cpu/all/labels/worker", "3");
	check_bytes(&st, "/api/cpu/latest/labels/worker/3/folded",
		    "main;handle 50\n");
	assert_int_equal(open_fs_opt(f->root, "labels=off", &off), 0);
	g.fs = off;
	assert_int_equal(pyro_resolve(off, "/api/cpu/all/labels", &n), -ENOENT);
	check_list(&st, "/api/cpu/all", "flame.svg folded graph.dot graph.svg "
		   "icicle.svg labels.txt profile.pb.gz top-cum.txt top.txt "
		   "traces.txt tree.txt");
	pyro_fs_close(all);
	pyro_fs_close(off);
}

static void test_labels_enoent(void **state)
{
	static const char *const paths[] = {
		"/api/cpu/all/labels/nokey",
		"/api/cpu/all/labels/endpoint/nope",
		"/api/cpu/all/labels/endpoint/%2fusers",     /* not canonical */
		"/api/cpu/all/labels/endpoint/%2Fusers/labels",
		"/api/cpu/all/labels/endpoint/%2Fusers/labels.txt",
		"/api/cpu/all/labels/endpoint/%2Fusers/top.txt/x",
		"/api/cpu/" SNAP1 "/labels/endpoint/a%2Fb%25",
		"/api/cpu/diff/" SNAP0 "/" SNAP1 "/labels",
		"/api/cpu/diff/" SNAP0 "/" SNAP1 "/labels.txt",
		"/api/cpu/labels",
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
		struct pyro_node n;
		int rc = pyro_resolve(f->fs, paths[i], &n);

		if (rc == 0)
			pyro_node_release(&n);
		if (rc != -ENOENT && rc != -ENOTDIR)
			fail_msg("\"%s\": %d, want -ENOENT", paths[i], rc);
	}
}

/* labels.txt and a label node's top.txt: pprof -tagfocus's report, with
 * percentages of the whole node. */
static void test_labels_bytes(void **state)
{
	struct fixture *f = *state;
	struct pyro_node n = resolve(state,
				     "/api/cpu/all/labels/endpoint/%2Fusers");
	struct pyro_buf b = PYRO_BUF_INIT;

	check_bytes(state, "/api/cpu/all/labels.txt",
		    "Type: cpu\n"
		    "Unit: nanoseconds\n"
		    "Total: 90ns (2 snapshots)\n"
		    "Labels: 2 keys, 3 values; share of the total, largest first\n"
		    "     total  share  label\n"
		    "      90ns   100%  endpoint\n"
		    "      80ns 88.89%  endpoint=/users\n"
		    "      10ns 11.11%  endpoint=a/b%\n"
		    "      50ns 55.56%  worker (numbers in worker)\n"
		    "      50ns 55.56%  worker=3\n"
		    "      40ns 44.44%  worker not set\n");
	check_bytes(state, "/billing/cpu/" BILL0 "/labels.txt",
		    "Type: samples\n"
		    "Unit: count\n"
		    "Total: 3 (1 snapshot)\n"
		    "Labels: none\n");
	check_bytes(state, "/api/cpu/" SNAP0 "/labels/endpoint/%2Fusers/top.txt",
		    "File: api\n"
		    "Type: cpu\n"
		    "Time: 2026-11-18 11:06:40 UTC\n"
		    "Duration: 10s, Total samples = 40ns (4e-07%)\n"
		    "Active filters:\n"
		    "   tagfocus=endpoint=/users\n"
		    "Showing nodes accounting for 30ns, 75.00% of 40ns total\n"
		    "      flat  flat%   sum%        cum   cum%\n"
		    "      30ns 75.00% 75.00%       30ns 75.00%  handle\n"
		    "         0     0% 75.00%       30ns 75.00%  main\n");
	assert_int_equal(pyro_node_xattr(f->fs, &n, "user.pyrofs.label", &b), 0);
	assert_int_equal(pyro_buf_putc(&b, '|'), 0);
	assert_int_equal(pyro_node_xattr(f->fs, &n, "user.pyrofs.total", &b), 0);
	assert_int_equal(pyro_buf_putc(&b, '|'), 0);
	assert_int_equal(pyro_node_xattr(f->fs, &n, "user.pyrofs.rule", &b), 0);
	assert_int_equal(pyro_buf_putc(&b, '\0'), 0);
	assert_string_equal(b.data, "endpoint=/users|80|sum");
	b.len = 0;
	n = resolve(state, "/api/cpu/all");
	assert_int_equal(pyro_node_xattr(f->fs, &n, "user.pyrofs.label", &b),
			 -ENODATA);
	pyro_buf_release(&b);
}

/* ---- attributes ---------------------------------------------------------- */

static void test_stat_modes(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	st = stat_of(state, "/");
	assert_int_equal(st.st_mode, S_IFDIR | 0555);
	assert_int_equal(st.st_nlink, 2);
	assert_int_equal(st.st_uid, getuid());
	assert_int_equal(st.st_gid, getgid());
	st = stat_of(state, "/.pyrofs");
	assert_int_equal(st.st_mode, S_IFDIR | 0555);
	assert_int_equal(st.st_mtime, f->fs->mount_time);
	st = stat_of(state, "/api");
	assert_int_equal(st.st_mode, S_IFDIR | 0555);
	st = stat_of(state, "/api/cpu");
	assert_int_equal(st.st_mode, S_IFDIR | 0555);
	st = stat_of(state, "/api/cpu/all");
	assert_int_equal(st.st_mode, S_IFDIR | 0555);
	st = stat_of(state, "/api/cpu/latest");
	assert_int_equal(st.st_mode, S_IFLNK | 0777);
	assert_int_equal(st.st_size, strlen(SNAP1));
	st = stat_of(state, "/api/cpu/" SNAP0 "/top.txt");
	assert_int_equal(st.st_mode, S_IFREG | 0444);
	assert_int_equal(st.st_nlink, 1);
	st = stat_of(state, "/.pyrofs/errors");
	assert_int_equal(st.st_mode, S_IFREG | 0444);
}

/* st_size is the exact length of the bytes a read returns. */
static void test_stat_sizes(void **state)
{
	static const char *const files[] = {
		"/api/cpu/all/top.txt", "/api/cpu/all/folded",
		"/api/cpu/all/flame.svg", "/api/cpu/latest/folded",
		"/api/samples/" SNAP0 "/top.txt", "/.pyrofs/errors",
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(*files); i++) {
		struct pyro_node n = resolve(state, files[i]);
		struct pyro_blob *b;
		struct stat st, cheap;

		assert_int_equal(pyro_node_stat(f->fs, &n, &st), 0);
		assert_int_equal(pyro_node_bytes(f->fs, &n, &b), 0);
		assert_true(b->len > 0);
		assert_int_equal(st.st_size, b->len);
		assert_int_equal(st.st_blocks, (b->len + 511) / 512);
		pyro_obj_put(&b->obj);
		pyro_node_stat_cheap(f->fs, &n, &cheap);
		assert_int_equal(cheap.st_size, 0);
		assert_int_equal(cheap.st_ino, st.st_ino);
		assert_int_equal(cheap.st_mode, st.st_mode);
	}
	check_bytes(state, "/api/cpu/" SNAP0 "/folded",
		    "main;handle 30\nmain;handle;parse 10\n");
	check_bytes(state, "/api/cpu/all/folded",
		    "main;handle 80\nmain;handle;parse 10\n");
	check_bytes(state, "/api/samples/latest/folded", "main;handle 5\n");
}

/* mtime: the newest snapshot below a node. */
static void test_stat_mtime(void **state)
{
	assert_int_equal(stat_of(state, "/api/cpu/" SNAP0).st_mtime, T0);
	assert_int_equal(stat_of(state, "/api/cpu/" SNAP0 "/folded").st_mtime, T0);
	assert_int_equal(stat_of(state, "/api/cpu/" SNAP1).st_mtime, T0 + 10);
	assert_int_equal(stat_of(state, "/api/cpu/all").st_mtime, T0 + 10);
	assert_int_equal(stat_of(state, "/api/cpu/latest").st_mtime, T0 + 10);
	assert_int_equal(stat_of(state, "/api/cpu").st_mtime, T0 + 10);
	assert_int_equal(stat_of(state, "/api").st_mtime, T0 + 10);
	assert_int_equal(stat_of(state, "/billing").st_mtime, T0 + 20);
	assert_int_equal(stat_of(state, "/").st_mtime, T0 + 20);
	assert_int_equal(stat_of(state, "/api").st_mtim.tv_nsec, 0);
}

static void test_inodes(void **state)
{
	static const char *const paths[] = {
		"/.pyrofs", "/.pyrofs/errors", "/api", "/billing", "/api/cpu",
		"/api/samples", "/api/cpu/latest", "/api/cpu/all",
		"/api/cpu/" SNAP0, "/api/cpu/" SNAP1, "/api/cpu/all/top.txt",
		"/api/cpu/all/folded", "/api/cpu/" SNAP1 "/top.txt",
		"/api/samples/all/top.txt", "/billing/cpu",
		"/api/cpu/all/labels", "/api/cpu/all/labels/endpoint",
		"/api/cpu/all/labels/endpoint/%2Fusers",
		"/api/cpu/all/labels/endpoint/%2Fusers/top.txt",
		"/api/cpu/" SNAP0 "/labels/endpoint/%2Fusers",
		"/api/cpu/all/labels.txt",
	};
	enum { N = sizeof(paths) / sizeof(*paths) };
	struct fixture *f = *state;
	struct pyro_fs *other;
	ino_t ino[N];
	size_t i, j;

	assert_int_equal(stat_of(state, "/").st_ino, 1);
	for (i = 0; i < N; i++) {
		struct pyro_node n = resolve(state, paths[i]);
		struct stat st;

		pyro_node_stat_cheap(f->fs, &n, &st);
		ino[i] = st.st_ino;
		assert_true(ino[i] > 1);
		for (j = 0; j < i; j++)
			if (ino[i] == ino[j])
				fail_msg("%s and %s share inode %llu", paths[i],
					 paths[j], (unsigned long long)ino[i]);
	}
	/* Through latest: the snapshot's own numbers. */
	assert_int_equal(stat_of(state, "/api/cpu/latest/top.txt").st_ino,
			 stat_of(state, "/api/cpu/" SNAP1 "/top.txt").st_ino);
	/* Stable: the same again, and in another instance. */
	assert_int_equal(open_fs(f->root, &other), 0);
	for (i = 0; i < N; i++) {
		struct pyro_node n;
		struct stat st;

		assert_int_equal(pyro_resolve(other, paths[i], &n), 0);
		pyro_node_stat_cheap(other, &n, &st);
		pyro_node_release(&n);
		assert_int_equal(st.st_ino, ino[i]);
	}
	pyro_fs_close(other);
}

/* ---- entry points and relative names ------------------------------------- */

/* prev, first, latest~N, latest-<duration> resolve to a point, as
 * symlinks named after it, on both sides of diff/. */
static void test_relative_names(void **state)
{
	struct pyro_node n;
	const char *target = NULL;

	n = resolve(state, "/api/cpu/prev");
	assert_int_equal(n.kind, PYRO_NODE_LATEST);
	assert_int_equal(pyro_node_readlink(&n, &target), 0);
	assert_string_equal(target, SNAP0);
	n = resolve(state, "/api/cpu/first/top.txt");
	assert_int_equal(n.kind, PYRO_NODE_FILE);
	assert_string_equal(n.time.name, SNAP0);
	n = resolve(state, "/api/cpu/latest~1/");
	assert_int_equal(n.kind, PYRO_NODE_TIME);
	assert_string_equal(n.time.name, SNAP0);
	n = resolve(state, "/api/cpu/latest-10s");
	assert_int_equal(pyro_node_readlink(&n, &target), 0);
	assert_string_equal(target, SNAP0);
	n = resolve(state, "/api/cpu/diff/prev/latest/top.txt");
	assert_int_equal(n.deriv.kind, PYRO_DERIV_DIFF);
	assert_string_equal(n.deriv.arg.base.name, SNAP0);
	assert_string_equal(n.time.name, SNAP1);
	n = resolve(state, "/api/cpu/diff/latest~1/latest~0/folded");
	assert_string_equal(n.deriv.arg.base.name, SNAP0);
	assert_string_equal(n.time.name, SNAP1);
	n = resolve(state, "/api/cpu/prev..latest/top.txt");
	assert_int_equal(n.time.span.first, 0);
	assert_int_equal(n.time.span.count, 2);
}

static void enoent_path(void **state, const char *path)
{
	struct fixture *f = *state;
	struct pyro_node n;

	if (pyro_resolve(f->fs, path, &n) != -ENOENT)
		fail_msg("\"%s\" resolved", path);
}

/* Pages and aliases: where each lives, and what it links to. */
static void test_entry_nodes(void **state)
{
	struct pyro_node n;
	const char *target = NULL;
	struct stat st;

	n = resolve(state, "/README.txt");
	assert_int_equal(n.kind, PYRO_NODE_PAGE);
	n = resolve(state, "/index.html");
	assert_int_equal(n.kind, PYRO_NODE_PAGE);
	n = resolve(state, "/api/index.html");
	assert_int_equal(n.kind, PYRO_NODE_PAGE);
	n = resolve(state, "/api/summary.txt");
	assert_int_equal(n.kind, PYRO_NODE_SUMMARY);
	n = resolve(state, "/api/cpu/index.html");
	assert_int_equal(n.kind, PYRO_NODE_TYPE_PAGE);
	n = resolve(state, "/api/cpu/0-latest");
	assert_int_equal(n.kind, PYRO_NODE_ALIAS);
	assert_int_equal(pyro_node_readlink(&n, &target), 0);
	assert_string_equal(target, "latest");
	n = resolve(state, "/api/cpu/0-latest/top.txt");
	assert_string_equal(n.time.name, SNAP1);
	n = resolve(state, "/0-README.txt");
	assert_int_equal(pyro_node_readlink(&n, &target), 0);
	assert_string_equal(target, "README.txt");
	st = stat_of(state, "/api/0-summary.txt");
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(st.st_size, strlen("summary.txt"));
	st = stat_of(state, "/api/summary.txt");
	assert_true(S_ISREG(st.st_mode));
	/* Each page where it belongs only. */
	enoent_path(state, "/summary.txt");
	enoent_path(state, "/api/README.txt");
	enoent_path(state, "/api/cpu/summary.txt");
	enoent_path(state, "/api/cpu/README.txt");
	enoent_path(state, "/api/cpu/0-" SNAP0);
	enoent_path(state, "/api/cpu/0-diff");
	enoent_path(state, "/0-api");
	enoent_path(state, "/api/0-cpu");
	enoent_path(state, "/api/cpu/latest~2");
	enoent_path(state, "/api/cpu/all/index.html");
}

/* The root's pages come from the index alone: stat renders no profile. */
static void test_root_pages_cheap(void **state)
{
	struct fixture *f = *state;
	size_t before = pyro_cache_used(f->fs->cache);
	struct stat st;

	st = stat_of(state, "/README.txt");
	assert_true(st.st_size > 0);
	st = stat_of(state, "/index.html");
	assert_true(st.st_size > 0);
	st = stat_of(state, "/api/index.html");
	assert_true(st.st_size > 0);
	/* Nothing was built: no stacks, history or bytes entered the cache. */
	assert_int_equal(pyro_cache_used(f->fs->cache), before);
}

/* Files whose rendering reads a whole series: a listing renders nothing
 * and gives the size of the cached rendering, 0 before there is one; a stat
 * by name renders them, exact as any file's; they are never kept in the
 * page cache.  A tree of its own, so that no other test has rendered them. */
static void test_sized_by_cache(void **state)
{
	static const char *const files[] = {
		"/api/cpu/timeline.txt", "/api/cpu/timeline.svg",
		"/api/cpu/growth.txt", "/api/cpu/index.html", "/api/summary.txt",
	};
	struct fixture *f = *state;
	struct pyro_fs *fs;
	size_t i, before;

	assert_int_equal(open_fs(f->root, &fs), 0);
	before = pyro_cache_used(fs->cache);
	for (i = 0; i < sizeof(files) / sizeof(*files); i++) {
		struct pyro_node n;
		struct pyro_blob *b, *cached;
		struct stat st;

		assert_int_equal(pyro_resolve(fs, files[i], &n), 0);
		assert_int_equal(pyro_node_sized_by_cache(&n), 1);
		assert_int_equal(pyro_node_immutable(fs, &n), 0);
		assert_int_equal(pyro_node_bytes_cached(fs, &n, &cached), -ENOENT);
		assert_int_equal(pyro_node_stat_listed(fs, &n, &st), 1);
		assert_true(S_ISREG(st.st_mode));
		assert_int_equal(st.st_size, 0);
		assert_int_equal(pyro_cache_used(fs->cache), before);
		/* A stat by name renders it: exactly what a read gives. */
		assert_int_equal(pyro_node_stat(fs, &n, &st), 0);
		assert_int_equal(pyro_node_bytes(fs, &n, &b), 0);
		assert_true(b->len > 0);
		assert_int_equal(st.st_size, b->len);
		assert_int_equal(st.st_blocks, (b->len + 511) / 512);
		/* ... and from then on a listing says so too. */
		assert_int_equal(pyro_node_stat_listed(fs, &n, &st), 1);
		assert_int_equal(st.st_size, b->len);
		assert_int_equal(pyro_node_bytes_cached(fs, &n, &cached), 0);
		assert_ptr_equal(cached, b);
		pyro_obj_put(&cached->obj);
		pyro_obj_put(&b->obj);
		before = pyro_cache_used(fs->cache);
		pyro_node_release(&n);
	}
	/* The other files are not in a listing's attributes (the kernel
	 * looks them up, and their stat is exact): a snapshot's file, the
	 * pages made from the index alone. */
	for (i = 0; i < 3; i++) {
		static const char *const exact[] = {
			"/api/cpu/latest/top.txt", "/api/index.html", "/README.txt",
		};
		struct pyro_node n;
		struct stat st;

		assert_int_equal(pyro_resolve(fs, exact[i], &n), 0);
		assert_int_equal(pyro_node_sized_by_cache(&n), 0);
		assert_int_equal(pyro_node_stat_listed(fs, &n, &st), 0);
		assert_int_equal(pyro_node_stat(fs, &n, &st), 0);
		assert_true(st.st_size > 0);
		pyro_node_release(&n);
	}
	pyro_fs_close(fs);
}

/* ---- bytes and links -------------------------------------------------------- */

static void test_readlink(void **state)
{
	struct pyro_node n = resolve(state, "/api/cpu/latest");
	const char *target = NULL;

	assert_int_equal(pyro_node_readlink(&n, &target), 0);
	assert_string_equal(target, SNAP1);
	n = resolve(state, "/api/cpu/all");
	assert_int_equal(pyro_node_readlink(&n, &target), -EINVAL);
}

/* Only a snapshot's files may keep their pages (see pyro_node_immutable):
 * merges, diffs and series files change as snapshots arrive. */
static void test_immutable(void **state)
{
	struct fixture *f = *state;
	struct pyro_node n = resolve(state, "/api/cpu/" SNAP0 "/top.txt");

	assert_int_equal(pyro_node_immutable(f->fs, &n), 1);
	n = resolve(state, "/api/cpu/all/top.txt");
	assert_int_equal(pyro_node_immutable(f->fs, &n), 0);
	n = resolve(state, "/api/cpu/diff/" SNAP0 "/" SNAP1 "/top.txt");
	assert_int_equal(pyro_node_immutable(f->fs, &n), 0);
	n = resolve(state, "/api/cpu/timeline.txt");
	assert_int_equal(pyro_node_immutable(f->fs, &n), 0);
	n = resolve(state, "/api/cpu/all");
	assert_int_equal(pyro_node_immutable(f->fs, &n), 0);
	n = resolve(state, "/.pyrofs/errors");
	assert_int_equal(pyro_node_immutable(f->fs, &n), 0);
	n = resolve(state, "/api/cpu/latest");
	assert_int_equal(pyro_node_immutable(f->fs, &n), 0);
}

/* focus=, hide=, ... below a time node: resolved, not listed, nesting;
 * functions/ and each function's peek.txt, callees/ and callers/. */
static void test_filters(void **state)
{
	struct fixture *f = *state, g = *f;
	struct pyro_node n;
	void *st = &g;
	struct pyro_fs *own = NULL;
	static const char *const bad[] = {
		"/api/samples/" SNAP0 "/nope=x",
		"/api/samples/" SNAP0 "/focus=",
		"/api/samples/" SNAP0 "/focus=%zz",
		"/api/samples/" SNAP0 "/focus=a/focus=b",
		"/api/samples/" SNAP0 "/functions/nope",
		"/api/samples/" SNAP0 "/functions/main/nope",
		"/api/samples/" SNAP0 "/focus=x/labels",
		"/api/samples/" SNAP0 "/focus=x/labels.txt",
	};
	size_t i;

	check_bytes(state, "/api/samples/" SNAP0 "/folded",
		    "main;handle 3\nmain;handle;parse 1\n");
	check_bytes(state, "/api/samples/" SNAP0 "/focus=parse/folded",
		    "main;handle;parse 1\n");
	check_bytes(state, "/api/samples/" SNAP0 "/ignore=ars/folded",
		    "main;handle 3\n");
	check_bytes(state, "/api/samples/" SNAP0 "/hide=^handle$/folded",
		    "main 3\nmain;parse 1\n");
	check_bytes(state, "/api/samples/" SNAP0 "/show=^(handle|parse)$/folded",
		    "handle 3\nhandle;parse 1\n");
	check_bytes(state, "/api/samples/" SNAP0 "/show_from=handle/folded",
		    "handle 3\nhandle;parse 1\n");
	/* nesting: both flags, in either order; '/' written %2F */
	check_bytes(state, "/api/samples/" SNAP0 "/hide=main/focus=parse/folded",
		    "handle;parse 1\n");
	check_bytes(state, "/api/samples/" SNAP0 "/focus=parse/hide=main/folded",
		    "handle;parse 1\n");
	check_bytes(state, "/api/samples/all/focus=x%2Fy|parse/folded",
		    "main;handle;parse 1\n");
	/* diffs and label nodes filter too */
	check_bytes(state, "/api/samples/diff/" SNAP0 "/" SNAP1 "/hide=main/folded",
		    "handle 3 5\nhandle;parse 1 0\n");
	check_bytes(state, "/api/samples/all/labels/endpoint/%2Fusers/"
		    "hide=main/folded", "handle 8\n");
	/* not listed; no labels/ below a filter */
	check_list(state, "/api/samples/" SNAP0 "/focus=parse", STACK_FILES);
	n = resolve(state, "/api/samples/" SNAP0 "/focus=parse");
	assert_int_equal(n.kind, PYRO_NODE_TIME);
	assert_string_equal(n.deriv.chain, "focus=parse");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(pyro_resolve(f->fs, bad[i], &n), -ENOENT);

	/* functions/ */
	check_list(state, "/api/samples/" SNAP0 "/functions", "handle main parse");
	check_list(state, "/api/samples/" SNAP0 "/focus=parse/hide=handle/functions",
		   "main parse");
	check_list(state, "/api/samples/" SNAP0 "/functions/handle",
		   "peek.txt callees callers");
	check_bytes(state, "/api/samples/" SNAP0 "/functions/handle/callees/folded",
		    "handle 3\nhandle;parse 1\n");
	check_bytes(state, "/api/samples/" SNAP0 "/functions/parse/callers/folded",
		    "main;handle;parse 1\n");
	/* functions/ resolves in every time node, not listed */
	check_list(state, "/api/samples/" SNAP0 "/functions/handle/callers",
		   STACK_FILES);
	check_bytes(state, "/api/samples/" SNAP0 "/functions/handle/callers/"
		    "functions/main/callees/focus=^handle$/folded",
		    "main;handle 4\n");
	n = resolve(state, "/api/samples/" SNAP0 "/functions/handle/peek.txt");
	assert_int_equal(n.kind, PYRO_NODE_PEEK);

	/* A bad expression: EINVAL and a line in /.pyrofs/errors (an fs of
	 * its own, so the shared one's problems stay as they are). */
	assert_int_equal(open_fs_opt(f->root, NULL, &own), 0);
	g.fs = own;
	assert_int_equal(pyro_resolve(own, "/api/samples/" SNAP0 "/focus=(/top.txt",
				      &n), -EINVAL);
	check_bytes(&st, "/.pyrofs/errors",
		    "api/samples/" SNAP0 "/focus=(: bad regular "
		    "expression at byte 1: missing closing parenthesis\n"
		    NOTES_PROBLEM);
	pyro_fs_close(own);
}

static void test_bytes_errors(void **state)
{
	struct fixture *f = *state;
	struct pyro_node n = resolve(state, "/api/cpu/all");
	struct pyro_blob *b = NULL;

	assert_int_equal(pyro_node_bytes(f->fs, &n, &b), -EISDIR);
	/* A snapshot that fails to decode: EIO, and a problem. */
	n = resolve(state, "/billing/cpu/" BILL1 "/folded");
	assert_int_equal(pyro_node_bytes(f->fs, &n, &b), -EIO);
	check_bytes(state, "/.pyrofs/errors", BAD_PROBLEM NOTES_PROBLEM);
	/* all: the readable member alone. */
	check_bytes(state, "/billing/cpu/all/folded", "main;run 3\n");
	check_bytes(state, "/billing/cpu/" BILL0 "/folded", "main;run 3\n");
}

/* ---- options --------------------------------------------------------------- */

static void test_parse_size(void **state)
{
	static const struct {
		const char *in;
		size_t out;
	} ok[] = {
		{ "0", 0 }, { "123", 123 }, { "64K", 64 << 10 }, { "64k", 64 << 10 },
		{ "256M", 256u << 20 }, { "1G", 1u << 30 }, { "1GiB", 1u << 30 },
		{ "2Mi", 2u << 20 }, { "3MB", 3u << 20 }, { "1T", 1ull << 40 },
	};
	static const char *const bad[] = {
		"", "M", "-1", "+5", " 5", "12X", "5 M", "1.5G", "0x10",
		"99999999999999999999", "17179869184G", "1KK",
	};
	size_t i, v;

	for (i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
		v = 12345;
		assert_int_equal(pyro_parse_size(ok[i].in, &v), 0);
		assert_int_equal(v, ok[i].out);
	}
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		v = 12345;
		if (pyro_parse_size(bad[i], &v) != -EINVAL)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_int_equal(v, 12345);
	}
	assert_int_equal(pyro_parse_size(NULL, &v), -EINVAL);
}

static void test_fs_opt(void **state)
{
	struct pyro_fs_opts o;
	enum pyro_merge_policy m;
	char err[PYRO_ERR_MAX] = "";

	pyro_fs_opts_init(&o);
	assert_int_equal(o.cache_size, PYRO_DEFAULT_CACHE_SIZE);
	assert_int_equal(o.max_profile_size, PYRO_DEFAULT_MAX_PROFILE_SIZE);
	assert_int_equal(o.merge, PYRO_POLICY_AUTO);

	assert_int_equal(pyro_fs_opt(&o, "cache_size=64M", err), 0);
	assert_int_equal(o.cache_size, 64u << 20);
	assert_int_equal(pyro_fs_opt(&o, "max_profile_size=1G", err), 0);
	assert_int_equal(o.max_profile_size, 1u << 30);
	assert_int_equal(pyro_fs_opt(&o, "merge=pprof", err), 0);
	assert_int_equal(o.merge, PYRO_POLICY_PPROF);
	assert_int_equal(pyro_fs_opt(&o, "merge=auto", err), 0);
	assert_int_equal(o.labels, PYRO_LABELS_STRING);
	assert_int_equal(pyro_fs_opt(&o, "labels=all", err), 0);
	assert_int_equal(o.labels, PYRO_LABELS_ALL);
	assert_int_equal(pyro_fs_opt(&o, "labels=off", err), 0);
	assert_int_equal(o.labels, PYRO_LABELS_OFF);
	assert_int_equal(pyro_fs_opt(&o, "labels=numbers", err), -EINVAL);
	assert_int_equal(pyro_fs_opt(&o, "labels=string", err), 0);
	assert_int_equal(o.merge, PYRO_POLICY_AUTO);

	assert_int_equal(pyro_fs_opt(&o, "merge=sum", err), -EINVAL);
	assert_string_equal(err, "bad option value: merge=sum "
			    "(allowed values: auto, pprof)");
	assert_int_equal(o.merge, PYRO_POLICY_AUTO);
	assert_int_equal(pyro_fs_opt(&o, "cache_size=lots", err), -EINVAL);
	assert_string_equal(err, "bad option value: cache_size=lots "
			    "(a size: bytes, or with K, M, G as in 256M)");
	assert_int_equal(o.cache_size, 64u << 20);
	assert_int_equal(pyro_fs_opt(&o, "cache_size", err), -EINVAL);
	assert_int_equal(pyro_fs_opt(&o, "merge", err), -EINVAL);
	assert_int_equal(pyro_fs_opt(&o, "max_profile_size=0", err), -EINVAL);
	assert_string_equal(err, "bad option value: max_profile_size=0 "
			    "(a size above 0: bytes, or with K, M, G as in 512M)");

	/* Not ours: left for FUSE. */
	assert_int_equal(pyro_fs_opt(&o, "allow_other", err), 1);
	assert_int_equal(pyro_fs_opt(&o, "uid=1000", err), 1);
	assert_int_equal(pyro_fs_opt(&o, "cache_sizes=1", err), 1);
	assert_int_equal(pyro_fs_opt(&o, "cache=1", err), 1);

	assert_int_equal(pyro_parse_merge("pprof", &m), 0);
	assert_int_equal(m, PYRO_POLICY_PPROF);
	assert_int_equal(pyro_parse_merge("PPROF", &m), -EINVAL);
	assert_non_null(strstr(pyro_fs_opts_help, "cache_size="));
}

static void test_open_missing(void **state)
{
	struct fixture *f = *state;
	struct pyro_fs_opts o;
	struct pyro_fs *fs = (struct pyro_fs *)f;
	char path[MKPROF_PATH_MAX], want[PYRO_ERR_MAX + MKPROF_PATH_MAX];
	char err[PYRO_ERR_MAX];

	pyro_fs_opts_init(&o);
	mkprof_join(path, f->tmp, "missing");
	assert_int_equal(pyro_fs_open(path, &o, &fs, err), -ENOENT);
	assert_null(fs);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_string_equal(err, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve_kinds),
		cmocka_unit_test(test_resolve_enoent),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_list_children),
		cmocka_unit_test(test_labels_tree),
		cmocka_unit_test(test_labels_modes),
		cmocka_unit_test(test_labels_enoent),
		cmocka_unit_test(test_labels_bytes),
		cmocka_unit_test(test_stat_modes),
		cmocka_unit_test(test_stat_sizes),
		cmocka_unit_test(test_stat_mtime),
		cmocka_unit_test(test_inodes),
		cmocka_unit_test(test_readlink),
		cmocka_unit_test(test_relative_names),
		cmocka_unit_test(test_entry_nodes),
		cmocka_unit_test(test_root_pages_cheap),
		cmocka_unit_test(test_sized_by_cache),
		cmocka_unit_test(test_immutable),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_bytes_errors),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_fs_opt),
		cmocka_unit_test(test_open_missing),
	};

	return cmocka_run_group_tests(tests, group_setup, fixture_teardown);
}
