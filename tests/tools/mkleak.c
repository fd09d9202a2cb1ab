/*
 * mkleak.c - write the leaking-service archive of tests/integration/time.sh.
 *
 *   out/tests/mkleak DIR
 *
 * creates DIR (and parents) with one service, `leaky`, of 6 snapshots taken
 * 30 minutes apart, at S(i) = 1795514700 + 1800 i seconds (i = 0..5:
 * 2026-11-24 10:05, 10:35, 11:05, 11:35, 12:05, 12:35 UTC, so the hours
 * 10, 11 and 12 hold two snapshots each).  Per snapshot two gzipped files,
 * time_nanos = S(i), mapping /usr/local/bin/leaky, no duration:
 *
 *   leaky/heap-S(i).pb.gz    Go heap profile: alloc_objects/count,
 *                            alloc_space/bytes, inuse_objects/count,
 *                            inuse_space/bytes, period type space/bytes,
 *                            period 524288
 *   leaky/mutex-S(i).pb.gz   Go mutex profile: contentions/count +
 *                            delay/nanoseconds, period type contentions/count,
 *                            period 1; cumulative
 *
 * Heap stacks (root first) and inuse_space per snapshot i:
 *
 *   A main.main;main.serve;main.cacheSession      1048576 (i + 1)  (the leak)
 *   B main.main;main.serve;main.handle            524288           (flat)
 *   C main.main;runtime.gcBgMarkWorker            40960 81920 20480 61440 10240 51200
 *   D main.main;main.serve;main.handle;encoding/json.Marshal
 *                                                 8192 4096 16384 8192 12288 4096
 *
 * inuse_objects = inuse_space / 512; alloc_space(i) = 2 * the sum of
 * inuse_space(0..i) (so it only grows); alloc_objects = alloc_space / 512.
 *
 * Mutex stacks, contentions per snapshot (delay = contentions * 1000000 for
 * M1, * 500000 for M2):
 *
 *   M1 main.main;main.worker;sync.(*Mutex).Unlock     5 8 12 15 21 30
 *   M2 main.main;main.flush;sync.(*RWMutex).Unlock    2 2  3  5  5  6
 *
 * time.sh repeats these numbers to compute what it expects: change both
 * together.  Prints nothing on success; on failure a message and exit
 * status 1 (2 for bad usage).
 */
#include <stdio.h>
#include <string.h>

#include "../support/mkprof.h"

#define SEC 1000000000LL
#define S0 1795514700LL
#define NSNAPS 6
#define NHEAP 4

static const char *const heap_stacks[NHEAP] = {
	"main.main;main.serve;main.cacheSession",
	"main.main;main.serve;main.handle",
	"main.main;runtime.gcBgMarkWorker",
	"main.main;main.serve;main.handle;encoding/json.Marshal",
};

static const int64_t gc[NSNAPS] = { 40960, 81920, 20480, 61440, 10240, 51200 };
static const int64_t marshal[NSNAPS] = { 8192, 4096, 16384, 8192, 12288, 4096 };
static const int64_t m1[NSNAPS] = { 5, 8, 12, 15, 21, 30 };
static const int64_t m2[NSNAPS] = { 2, 2, 3, 5, 5, 6 };

static int64_t inuse_space(int stack, int i)
{
	switch (stack) {
	case 0: return 1048576LL * (i + 1);
	case 1: return 524288;
	case 2: return gc[i];
	default: return marshal[i];
	}
}

/* Write p to DIR/leaky/<kind>-S(i).pb.gz and free it. */
static int emit(const char *dir, struct mkprof *p, const char *kind, int i)
{
	char path[MKPROF_PATH_MAX];
	int rc;

	snprintf(path, sizeof(path), "%s/leaky/%s-%lld.pb.gz", dir, kind,
		 S0 + 1800LL * i);
	rc = mkprof_write(p, path, 1);
	mkprof_free(p);
	if (rc)
		fprintf(stderr, "mkleak: %s: %s\n", path, strerror(-rc));
	return rc ? 1 : 0;
}

static int write_heap(const char *dir, int i)
{
	struct mkprof *p = mkprof_go_heap((S0 + 1800LL * i) * SEC);
	int s, j;

	mkprof_mapping(p, "/usr/local/bin/leaky");
	for (s = 0; s < NHEAP; s++) {
		int64_t inuse = inuse_space(s, i), alloc = 0;

		for (j = 0; j <= i; j++)
			alloc += 2 * inuse_space(s, j);
		mkprof_sample(p, (int64_t[]){ alloc / 512, alloc, inuse / 512,
					      inuse }, heap_stacks[s]);
	}
	return emit(dir, p, "heap", i);
}

static int write_mutex(const char *dir, int i)
{
	struct mkprof *p = mkprof_go_mutex((S0 + 1800LL * i) * SEC);

	mkprof_mapping(p, "/usr/local/bin/leaky");
	mkprof_sample(p, (int64_t[]){ m1[i], m1[i] * 1000000 },
		      "main.main;main.worker;sync.(*Mutex).Unlock");
	mkprof_sample(p, (int64_t[]){ m2[i], m2[i] * 500000 },
		      "main.main;main.flush;sync.(*RWMutex).Unlock");
	return emit(dir, p, "mutex", i);
}

int main(int argc, char **argv)
{
	int i, rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: mkleak DIR\n");
		return 2;
	}
	for (i = 0; i < NSNAPS && !rc; i++)
		rc = write_heap(argv[1], i) || write_mutex(argv[1], i);
	return rc;
}
