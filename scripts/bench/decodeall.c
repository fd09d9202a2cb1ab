/*
 * decodeall.c - what a merge of FILES must do before it adds a stack.
 *
 *   decodeall read|load FILE...
 *
 * Reads and inflates every FILE ("read": pyro_profile_read) or also
 * decodes its protobuf ("load": pyro_profile_load) on one thread per
 * online CPU, files handed out in order, and prints the wall-clock seconds
 * of the whole.  The bench's merge rows print it beside `cat all/top.txt`:
 * the part of a merge's time that no change to how stacks are added can
 * remove on this machine.  Exits 1, naming the file, if one fails.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../model/buf.h"
#include "../../model/profile.h"

#define MAX_SIZE ((size_t)512 << 20)    /* pyrofs's default max_profile_size */
#define MAX_THREADS 256

struct job {
	char **files;                   /* borrowed from argv */
	size_t n;
	int load;                       /* decode too */
	atomic_size_t next;
	atomic_int failed;
};

static int one(const struct job *j, const char *path)
{
	char err[PYRO_ERR_MAX];
	int rc;

	if (j->load) {
		struct pyro_profile *p = NULL;

		rc = pyro_profile_load(path, MAX_SIZE, &p, err);
		pyro_profile_free(p);
	} else {
		struct pyro_buf b = PYRO_BUF_INIT;
		int compressed;

		rc = pyro_profile_read(path, MAX_SIZE, &b, &compressed, err);
		pyro_buf_release(&b);
	}
	if (rc)
		fprintf(stderr, "decodeall: %s: %s\n", path, err);
	return rc;
}

static void *worker(void *arg)
{
	struct job *j = arg;
	size_t i;

	while ((i = atomic_fetch_add(&j->next, 1)) < j->n)
		if (one(j, j->files[i]))
			atomic_store(&j->failed, 1);
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct job j = { .files = argv + 2 };
	pthread_t t[MAX_THREADS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nt, i, started = 0;
	double t0, t1;

	if (argc < 3 || (strcmp(argv[1], "read") && strcmp(argv[1], "load"))) {
		fprintf(stderr, "usage: decodeall read|load FILE...\n");
		return 2;
	}
	j.n = (size_t)argc - 2;
	j.load = !strcmp(argv[1], "load");
	atomic_init(&j.next, 0);
	atomic_init(&j.failed, 0);
	nt = cpus < 1 ? 1 : cpus > MAX_THREADS ? MAX_THREADS : (size_t)cpus;
	t0 = now();
	for (i = 0; i < nt; i++)
		if (!pthread_create(&t[started], NULL, worker, &j))
			started++;
	if (!started)
		worker(&j);
	for (i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	t1 = now();
	if (atomic_load(&j.failed))
		return 1;
	printf("%.6f\n", t1 - t0);
	return 0;
}
