/*
 * mkprofile.c - write the fixed archive of the integration tests.
 *
 *   out/tests/mkprofile DIR
 *
 * creates DIR (and parents) and exactly these files; every time and value is
 * fixed, so the mounted tree's bytes are the same on every run:
 *
 *   api/cpu-1795000000.pb.gz           Go CPU profile, gzipped:
 *   api/cpu-1795000010.pb.gz             samples/count + cpu/nanoseconds,
 *                                        period type cpu/nanoseconds, period
 *                                        10000000, duration 10 s, time_nanos
 *                                        = the name's seconds, mapping
 *                                        /usr/local/bin/api; stacks below
 *   api/2026/11/25/mutex-1795000000.pb.gz   Go mutex profile: contentions/
 *   api/2026/11/25/mutex-1795000010.pb.gz   count + delay/nanoseconds, period
 *                                        type contentions/count, period 1;
 *                                        cumulative (the second file's value
 *                                        of every stack >= the first's)
 *   api/heap-1795000010.pb.gz          Go heap profile: alloc_objects/count,
 *                                        alloc_space/bytes, inuse_objects/
 *                                        count, inuse_space/bytes, period
 *                                        type space/bytes, period 524288
 *   billing/profile                    py-spy-like, NOT gzipped: one sample
 *                                        type samples/count, an empty period
 *                                        type, time_nanos 0 and no time in
 *                                        the name: its mtime, set to
 *                                        1795000005 s, is the snapshot time
 *   billing/notes.txt                  "not a profile\n"
 *   billing/broken.pb.gz               the first 20 bytes of a gzipped
 *                                        profile (truncated gzip data)
 *   .tmp-cpu.pb.gz                     a valid profile in a dotfile: ignored
 *
 * Stacks (root first; "a+b" is a location of a with b inlined into it):
 *
 *   cpu-1795000000   main.main;main.serve;main.handle              3 30000000
 *                    main.main;main.serve;runtime.mallocgc         1 10000000
 *                    main.main;main.serve;main.handle+main.parse   2 20000000
 *   cpu-1795000010   main.main;main.serve;main.handle              5 50000000
 *                    main.main;main.serve;runtime.mallocgc         2 20000000
 *                    main.main;main.serve;main.handle+main.parse   1 10000000
 *                    main.main;runtime.gcBgMarkWorker              1 10000000
 *   mutex-1795000000 main.main;main.worker;sync.(*Mutex).Unlock    5  5000000
 *                    main.main;main.flush;sync.(*RWMutex).Unlock   2  1000000
 *   mutex-1795000010 main.main;main.worker;sync.(*Mutex).Unlock    8  9000000
 *                    main.main;main.flush;sync.(*RWMutex).Unlock   3  4000000
 *   heap-1795000010  (alloc_objects alloc_space inuse_objects inuse_space)
 *                    main.main;main.load;main.decode             10   40960 2    8192
 *                    main.main;main.serve;main.handle+main.parse 30    3072 0       0
 *                    main.main;main.cache                         1 1048576 1 1048576
 *   billing/profile  main (app.py);process (app.py);compute (app.py)  7
 *                    main (app.py);process (app.py);<idle>            2
 *
 * Labels (for labels/ and labels.txt; a stack without one has none):
 *
 *   cpu-1795000000   handle endpoint=/users, handle+parse endpoint=/orders
 *   cpu-1795000010   handle endpoint=/users region="eu west", mallocgc
 *                    endpoint=/users, handle+parse endpoint=/orders
 *   mutex-*          Mutex.Unlock lock=sessions, RWMutex.Unlock lock=cache
 *   heap-1795000010  decode bytes=4096 (unit bytes), cache bytes=1048576
 *                    (no unit: pprof's default for the key)
 *
 * Prints nothing on success; on failure a message and exit status 1 (2 for
 * bad usage).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../support/mkprof.h"

#define SEC 1000000000LL

static int fail(const char *what, int rc)
{
	fprintf(stderr, "mkprofile: %s: %s\n", what, strerror(-rc));
	return 1;
}

/* Write p to DIR/rel and free it. */
static int emit(const char *dir, struct mkprof *p, const char *rel, int gzip)
{
	char path[MKPROF_PATH_MAX];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	rc = mkprof_write(p, path, gzip);
	mkprof_free(p);
	return rc ? fail(path, rc) : 0;
}

static struct mkprof *go_cpu(int64_t secs)
{
	struct mkprof *p = mkprof_go_cpu(secs * SEC);

	mkprof_duration(p, 10 * SEC);
	mkprof_mapping(p, "/usr/local/bin/api");
	return p;
}

static int write_cpu(const char *dir)
{
	struct mkprof *p = go_cpu(1795000000);
	int rc;

	mkprof_sample(p, (int64_t[]){ 3, 30000000 }, "main.main;main.serve;main.handle");
	mkprof_label(p, "endpoint", "/users");
	mkprof_sample(p, (int64_t[]){ 1, 10000000 }, "main.main;main.serve;runtime.mallocgc");
	mkprof_sample(p, (int64_t[]){ 2, 20000000 },
		      "main.main;main.serve;main.handle+main.parse");
	mkprof_label(p, "endpoint", "/orders");
	rc = emit(dir, p, "api/cpu-1795000000.pb.gz", 1);
	if (rc)
		return rc;
	p = go_cpu(1795000010);
	mkprof_sample(p, (int64_t[]){ 5, 50000000 }, "main.main;main.serve;main.handle");
	mkprof_label(p, "endpoint", "/users");
	mkprof_label(p, "region", "eu west");
	mkprof_sample(p, (int64_t[]){ 2, 20000000 }, "main.main;main.serve;runtime.mallocgc");
	mkprof_label(p, "endpoint", "/users");
	mkprof_sample(p, (int64_t[]){ 1, 10000000 },
		      "main.main;main.serve;main.handle+main.parse");
	mkprof_label(p, "endpoint", "/orders");
	mkprof_sample(p, (int64_t[]){ 1, 10000000 }, "main.main;runtime.gcBgMarkWorker");
	return emit(dir, p, "api/cpu-1795000010.pb.gz", 1);
}

static struct mkprof *go_mutex(int64_t secs)
{
	struct mkprof *p = mkprof_go_mutex(secs * SEC);

	mkprof_mapping(p, "/usr/local/bin/api");
	return p;
}

static int write_mutex(const char *dir)
{
	struct mkprof *p = go_mutex(1795000000);
	int rc;

	mkprof_sample(p, (int64_t[]){ 5, 5000000 },
		      "main.main;main.worker;sync.(*Mutex).Unlock");
	mkprof_label(p, "lock", "sessions");
	mkprof_sample(p, (int64_t[]){ 2, 1000000 },
		      "main.main;main.flush;sync.(*RWMutex).Unlock");
	mkprof_label(p, "lock", "cache");
	rc = emit(dir, p, "api/2026/11/25/mutex-1795000000.pb.gz", 1);
	if (rc)
		return rc;
	p = go_mutex(1795000010);
	mkprof_sample(p, (int64_t[]){ 8, 9000000 },
		      "main.main;main.worker;sync.(*Mutex).Unlock");
	mkprof_label(p, "lock", "sessions");
	mkprof_sample(p, (int64_t[]){ 3, 4000000 },
		      "main.main;main.flush;sync.(*RWMutex).Unlock");
	mkprof_label(p, "lock", "cache");
	return emit(dir, p, "api/2026/11/25/mutex-1795000010.pb.gz", 1);
}

static int write_heap(const char *dir)
{
	struct mkprof *p = mkprof_go_heap(1795000010 * SEC);

	mkprof_mapping(p, "/usr/local/bin/api");
	mkprof_sample(p, (int64_t[]){ 10, 40960, 2, 8192 },
		      "main.main;main.load;main.decode");
	mkprof_num_label(p, "bytes", 4096, "bytes");
	mkprof_sample(p, (int64_t[]){ 30, 3072, 0, 0 },
		      "main.main;main.serve;main.handle+main.parse");
	mkprof_sample(p, (int64_t[]){ 1, 1048576, 1, 1048576 },
		      "main.main;main.cache");
	mkprof_num_label(p, "bytes", 1048576, NULL);
	return emit(dir, p, "api/heap-1795000010.pb.gz", 1);
}

static int write_billing(const char *dir)
{
	struct mkprof *p = mkprof_new();
	struct pyro_buf raw = PYRO_BUF_INIT, gz = PYRO_BUF_INIT;
	struct timespec times[2] = { { 1795000005, 0 }, { 1795000005, 0 } };
	char path[MKPROF_PATH_MAX];
	int rc;

	mkprof_sample_type(p, "samples", "count");
	mkprof_period_type(p, "", "", 0);
	mkprof_sample(p, (int64_t[]){ 7 },
		      "main (app.py);process (app.py);compute (app.py)");
	mkprof_sample(p, (int64_t[]){ 2 }, "main (app.py);process (app.py);<idle>");
	rc = emit(dir, p, "billing/profile", 0);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/billing/profile", dir);
	if (utimensat(AT_FDCWD, path, times, 0) != 0)
		return fail(path, -errno);

	snprintf(path, sizeof(path), "%s/billing/notes.txt", dir);
	rc = mkprof_write_file(path, "not a profile\n", 14);
	if (rc)
		return fail(path, rc);

	/* A valid profile, gzipped, cut after 20 bytes. */
	p = go_cpu(1795000000);
	mkprof_sample(p, (int64_t[]){ 1, 10000000 }, "main.main");
	rc = mkprof_pack(p, &raw);
	mkprof_free(p);
	if (!rc)
		rc = mkprof_gzip(raw.data, raw.len, &gz);
	snprintf(path, sizeof(path), "%s/billing/broken.pb.gz", dir);
	if (!rc && gz.len <= 20)
		rc = -EINVAL;
	if (!rc)
		rc = mkprof_write_file(path, gz.data, 20);
	pyro_buf_release(&raw);
	pyro_buf_release(&gz);
	return rc ? fail(path, rc) : 0;
}

static int write_dotfile(const char *dir)
{
	struct mkprof *p = go_cpu(1795000020);

	mkprof_sample(p, (int64_t[]){ 1, 10000000 }, "main.main;main.hidden");
	return emit(dir, p, ".tmp-cpu.pb.gz", 1);
}

int main(int argc, char **argv)
{
	const char *dir;
	int rc;

	if (argc != 2 || !argv[1][0]) {
		fprintf(stderr, "usage: mkprofile DIR\n");
		return 2;
	}
	dir = argv[1];
	rc = mkprof_mkdirs(dir);
	if (rc)
		return fail(dir, rc);
	rc = write_cpu(dir);
	if (!rc)
		rc = write_mutex(dir);
	if (!rc)
		rc = write_heap(dir);
	if (!rc)
		rc = write_billing(dir);
	if (!rc)
		rc = write_dotfile(dir);
	return rc ? 1 : 0;
}
