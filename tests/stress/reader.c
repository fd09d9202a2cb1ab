/*
 * reader.c - concurrent readers for the stress test.
 *
 *   reader MOUNT REFDIR LIST THREADS READS SEED
 *
 * LIST holds one path per line, relative to MOUNT and to REFDIR, where
 * REFDIR/<path> is what a single-threaded render produced.  THREADS threads
 * each do READS reads of a random file at a random offset and length, with
 * open/pread/close every time, and compare the bytes with the reference.
 * With READS 0, the threads instead read every file of LIST once, whole
 * (thread t takes entries t, t + THREADS, ...): the distinct-nodes run.
 * Prints "reads N, mismatches M, errors E" and exits non-zero on any
 * mismatch or error.  Files may be missing from REFDIR ("-" reference):
 * those are only read, to load the daemon, not compared.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ref {
	char *path;             /* relative */
	char *data;             /* reference bytes, NULL if none */
	size_t len;
};

struct job {
	const char *mount;
	struct ref *refs;
	size_t nrefs;
	long reads;
	unsigned seed;
};

static atomic_long nreads, nmismatch, nerrors;

static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY);
	ssize_t n;
	size_t got = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !(buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size &&
	       (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	*len = got;
	return buf;
}

/* READS 0: read entries first, first + step, ... once each, whole. */
static void read_each(struct job *j, size_t first, size_t step)
{
	char path[4096], buf[65536];
	size_t k;

	for (k = first; k < j->nrefs; k += step) {
		int fd;
		ssize_t n;

		snprintf(path, sizeof(path), "%s/%s", j->mount, j->refs[k].path);
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			atomic_fetch_add(&nerrors, 1);
			fprintf(stderr, "open %s: %s\n", j->refs[k].path, strerror(errno));
			continue;
		}
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			;
		if (n < 0)
			atomic_fetch_add(&nerrors, 1);
		close(fd);
		atomic_fetch_add(&nreads, 1);
	}
}

static void *worker(void *arg)
{
	struct job *j = arg;
	unsigned seed = j->seed;
	char path[4096], *buf = malloc(1 << 20);
	long i;

	if (j->reads == 0) {
		read_each(j, j->seed >> 16, j->seed & 0xffff);
		free(buf);
		return NULL;
	}
	for (i = 0; buf && i < j->reads; i++) {
		struct ref *r = &j->refs[(size_t)rand_r(&seed) % j->nrefs];
		size_t off = r->len ? (size_t)rand_r(&seed) % (r->len + 16) : 0;
		size_t want = 1 + (size_t)rand_r(&seed) % (1 << 16);
		ssize_t n;
		int fd;

		snprintf(path, sizeof(path), "%s/%s", j->mount, r->path);
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			atomic_fetch_add(&nerrors, 1);
			fprintf(stderr, "open %s: %s\n", r->path, strerror(errno));
			continue;
		}
		n = pread(fd, buf, want, (off_t)off);
		close(fd);
		atomic_fetch_add(&nreads, 1);
		if (n < 0) {
			atomic_fetch_add(&nerrors, 1);
			fprintf(stderr, "pread %s: %s\n", r->path, strerror(errno));
			continue;
		}
		if (!r->data)
			continue;
		{
			size_t expect = off >= r->len ? 0 : r->len - off;

			if (expect > want)
				expect = want;
			if ((size_t)n != expect ||
			    memcmp(buf, r->data + (off < r->len ? off : 0), expect)) {
				atomic_fetch_add(&nmismatch, 1);
				fprintf(stderr, "mismatch %s at %zu: %zd bytes, want %zu\n",
					r->path, off, n, expect);
			}
		}
	}
	free(buf);
	return NULL;
}

int main(int argc, char **argv)
{
	struct ref *refs = NULL;
	size_t nrefs = 0, cap = 0;
	char line[4096], path[8192];
	pthread_t *tids;
	struct job *jobs;
	FILE *list;
	int threads, t;

	if (argc != 7) {
		fprintf(stderr, "usage: reader MOUNT REFDIR LIST THREADS READS SEED\n");
		return 2;
	}
	list = fopen(argv[3], "r");
	if (!list)
		return 2;
	while (fgets(line, sizeof(line), list)) {
		line[strcspn(line, "\n")] = '\0';
		if (!*line)
			continue;
		if (nrefs == cap) {
			cap = cap ? cap * 2 : 1024;
			refs = realloc(refs, cap * sizeof(*refs));
			if (!refs)
				return 2;
		}
		refs[nrefs].path = strdup(line);
		snprintf(path, sizeof(path), "%s/%s", argv[2], line);
		refs[nrefs].data = slurp(path, &refs[nrefs].len);
		nrefs++;
	}
	fclose(list);
	if (!nrefs)
		return 2;
	threads = atoi(argv[4]);
	tids = calloc((size_t)threads, sizeof(*tids));
	jobs = calloc((size_t)threads, sizeof(*jobs));
	for (t = 0; t < threads; t++) {
		jobs[t] = (struct job){ argv[1], refs, nrefs, atol(argv[5]),
					(unsigned)(atoi(argv[6]) * 7919 + t) };
		if (jobs[t].reads == 0)         /* first entry, step */
			jobs[t].seed = (unsigned)t << 16 | (unsigned)threads;
		pthread_create(&tids[t], NULL, worker, &jobs[t]);
	}
	for (t = 0; t < threads; t++)
		pthread_join(tids[t], NULL);
	printf("reads %ld, mismatches %ld, errors %ld\n", atomic_load(&nreads),
	       atomic_load(&nmismatch), atomic_load(&nerrors));
	return atomic_load(&nmismatch) || atomic_load(&nerrors) ? 1 : 0;
}
