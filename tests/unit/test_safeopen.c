/*
 * test_safeopen.c - opening archive files beneath the root (model/safeopen.c)
 * and what the archive makes of it (issue 20, items 1 and 2).
 *
 * The group setup makes, in a temp directory (removed by the teardown):
 *
 *   root/d/f            "inside"          a regular file
 *   root/d/e/g          "deep"
 *   root/ld -> d        a symlinked directory
 *   root/d/lf -> f      a symlinked file (inside)
 *   root/fifo           a FIFO: opening it must neither block nor succeed
 *   outside/f           "OUTSIDE"         what a swap would lead to
 *
 * Every open is checked twice: by pyro_open_beneath (openat2 where the
 * kernel has it) and by pyro_open_beneath_walk (the component walk that
 * older kernels get): both must refuse the same paths.
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
#include <unistd.h>

#include "../../model/archive.h"
#include "../../model/safeopen.h"
#include "../support/mkprof.h"

struct fixture {
	char tmp[64];                   /* /tmp/pyrofs-safeopen.XXXXXX */
	char root[80];                  /* tmp/root */
	int rootfd;
};

typedef int (*open_fn)(int, const char *, struct stat *, char *);

static const open_fn opens[] = { pyro_open_beneath, pyro_open_beneath_walk };

static int put(const char *dir, const char *rel, const char *text)
{
	char path[MKPROF_PATH_MAX];
	FILE *f;

	mkprof_join(path, dir, rel);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void at(const char *dir, const char *rel, char out[MKPROF_PATH_MAX])
{
	mkprof_join(out, dir, rel);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char p[MKPROF_PATH_MAX];

	if (!f)
		return -1;
	snprintf(f->tmp, sizeof(f->tmp), "/tmp/pyrofs-safeopen.XXXXXX");
	if (!mkdtemp(f->tmp))
		return -1;
	snprintf(f->root, sizeof(f->root), "%s/root", f->tmp);
	at(f->tmp, "root", p);
	if (mkdir(p, 0755))
		return -1;
	at(f->root, "d", p);
	if (mkdir(p, 0755))
		return -1;
	at(f->root, "d/e", p);
	if (mkdir(p, 0755))
		return -1;
	at(f->tmp, "outside", p);
	if (mkdir(p, 0755))
		return -1;
	if (put(f->root, "d/f", "inside") || put(f->root, "d/e/g", "deep") ||
	    put(f->tmp, "outside/f", "OUTSIDE"))
		return -1;
	at(f->root, "ld", p);
	if (symlink("d", p))
		return -1;
	at(f->root, "d/lf", p);
	if (symlink("f", p))
		return -1;
	at(f->root, "fifo", p);
	if (mkfifo(p, 0644))
		return -1;
	f->rootfd = pyro_root_open(f->root);
	if (f->rootfd < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	close(f->rootfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->tmp);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* The bytes of fd (at most 63) as a string. */
static const char *slurp(int fd, char buf[64])
{
	ssize_t n = read(fd, buf, 63);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void test_regular_files(void **state)
{
	struct fixture *f = *state;
	char why[PYRO_ERR_MAX], buf[64];
	struct stat st;
	size_t i;

	for (i = 0; i < 2; i++) {
		int fd = opens[i](f->rootfd, "d/f", &st, why);

		assert_true(fd >= 0);
		assert_true(S_ISREG(st.st_mode));
		/* O_NONBLOCK is cleared once the file is known regular. */
		assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
		assert_string_equal(slurp(fd, buf), "inside");
		close(fd);
		fd = opens[i](f->rootfd, "d/e/g", NULL, why);
		assert_true(fd >= 0);
		assert_string_equal(slurp(fd, buf), "deep");
		close(fd);
		assert_int_equal(opens[i](f->rootfd, "d/missing", NULL, why), -ENOENT);
	}
}

static void test_symlinked_directory(void **state)
{
	struct fixture *f = *state;
	char why[PYRO_ERR_MAX];
	size_t i;

	for (i = 0; i < 2; i++) {
		memset(why, 0, sizeof(why));
		assert_int_equal(opens[i](f->rootfd, "ld/f", NULL, why), -ELOOP);
		assert_string_equal(why, "symlink in path: not followed (ld)");
		assert_int_equal(opens[i](f->rootfd, "ld/e/g", NULL, why), -ELOOP);
		assert_string_equal(why, "symlink in path: not followed (ld)");
	}
	assert_int_equal(pyro_opendir_beneath(f->rootfd, "ld", why), -ELOOP);
}

static void test_symlinked_file(void **state)
{
	struct fixture *f = *state;
	char why[PYRO_ERR_MAX];
	size_t i;

	for (i = 0; i < 2; i++) {
		assert_int_equal(opens[i](f->rootfd, "d/lf", NULL, why), -ELOOP);
		assert_string_equal(why, "symlink in path: not followed (d/lf)");
	}
}

static void test_fifo(void **state)
{
	struct fixture *f = *state;
	char why[PYRO_ERR_MAX];
	struct stat st;
	size_t i;

	/* Were the FIFO opened blocking, this would never return. */
	for (i = 0; i < 2; i++) {
		assert_int_equal(opens[i](f->rootfd, "fifo", NULL, why), -EINVAL);
		assert_string_equal(why, "not a regular file (fifo)");
	}
	assert_int_equal(pyro_stat_beneath(f->rootfd, "fifo", &st, why), 0);
	assert_true(S_ISFIFO(st.st_mode));
	/* A directory is not a regular file either. */
	assert_int_equal(pyro_open_beneath(f->rootfd, "d", NULL, why), -EINVAL);
	assert_string_equal(why, "not a regular file (directory)");
}

static void test_paths_that_leave(void **state)
{
	static const char *const bad[] = {
		"../outside/f", "d/../../outside/f", "d/../d/f", "./d/f", "d/./f",
		"/etc/passwd", "", "d//f", "d/",
	};
	struct fixture *f = *state;
	char why[PYRO_ERR_MAX];
	size_t i, j;

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		for (j = 0; j < 2; j++) {
			assert_int_equal(opens[j](f->rootfd, bad[i], NULL, why), -EXDEV);
			assert_string_equal(why, "path leaves the archive: not followed");
		}
	}
}

static void test_root_not_followed(void **state)
{
	struct fixture *f = *state;
	char p[MKPROF_PATH_MAX];

	at(f->tmp, "rootlink", p);
	assert_int_equal(symlink("root", p), 0);
	assert_int_equal(pyro_root_open(p), -ELOOP);
	at(f->root, "d/f", p);
	assert_int_equal(pyro_root_open(p), -ENOTDIR);
}

/*
 * The archive: a symlinked file inside is read as its target, beneath the
 * root; once its directory is swapped for a symlink that leads out, the
 * source no longer opens (and the outside file is never read).
 */
static void test_archive_sources(void **state)
{
	struct fixture *f = *state;
	char a_root[MKPROF_PATH_MAX], p[MKPROF_PATH_MAX], q[MKPROF_PATH_MAX];
	char err[PYRO_ERR_MAX], buf[64];
	struct pyro_archive *a;
	const struct pyro_source *link = NULL, *file = NULL;
	size_t i;
	int fd;

	at(f->tmp, "archive", a_root);
	assert_int_equal(mkdir(a_root, 0755), 0);
	at(a_root, "svc", p);
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(put(a_root, "svc/cpu.txt", "main;a 1\n"), 0);
	at(a_root, "svc/link", p);
	assert_int_equal(symlink("cpu.txt", p), 0);
	at(a_root, "svc/pipe", p);
	assert_int_equal(mkfifo(p, 0644), 0);
	at(a_root, "svc/loop", p);
	assert_int_equal(symlink("loop", p), 0);

	assert_int_equal(pyro_archive_open(a_root, 1 << 20, &a, err), 0);
	for (i = 0; i < a->nsources; i++) {
		if (!strcmp(a->sources[i]->path, "svc/link"))
			link = a->sources[i];
		if (!strcmp(a->sources[i]->path, "svc/cpu.txt"))
			file = a->sources[i];
	}
	assert_non_null(link);
	assert_non_null(file);
	assert_string_equal(link->target, "svc/cpu.txt");
	assert_null(file->target);
	fd = pyro_source_open(a, link, err);
	assert_true(fd >= 0);
	assert_string_equal(slurp(fd, buf), "main;a 1\n");
	close(fd);
	/* FIFOs and loops are problems, never opened. */
	assert_int_equal(a->nproblems, 2);
	for (i = 0; i < a->nproblems; i++) {
		if (!strcmp(a->problems[i].path, "svc/pipe"))
			assert_string_equal(a->problems[i].reason,
					    "not a regular file (fifo)");
		else
			assert_string_equal(a->problems[i].reason, "symlink loop");
	}

	/* mv svc .svc-old; ln -s OUTSIDE svc (holding a cpu.txt of its own). */
	at(a_root, "svc", p);
	at(a_root, ".svc-old", q);
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(put(f->tmp, "outside/cpu.txt", "main;OUTSIDE 1\n"), 0);
	at(f->tmp, "outside", q);
	assert_int_equal(symlink(q, p), 0);
	assert_int_equal(pyro_source_open(a, file, err), -ELOOP);
	assert_string_equal(err, "symlink in path: not followed (svc)");
	assert_int_equal(pyro_source_open(a, link, err), -ELOOP);
	pyro_archive_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regular_files),
		cmocka_unit_test(test_symlinked_directory),
		cmocka_unit_test(test_symlinked_file),
		cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_paths_that_leave),
		cmocka_unit_test(test_root_not_followed),
		cmocka_unit_test(test_archive_sources),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
