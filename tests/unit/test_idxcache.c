/*
 * test_idxcache.c - the persistent index cache (model/idxcache.c): headers
 * come back as stored, and never for a file that changed.
 *
 * XDG_CACHE_HOME points into the test's temp directory.  Files written by
 * a test are "racy" (changed within PYRO_IDXCACHE_RACY_SEC of now), so
 * entries are saved with a `now` in the future, except in the case that
 * checks racy files are left out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../model/idxcache.h"
#include "../support/mkprof.h"

#define NFILES (PYRO_IDXCACHE_MIN_FILES + 3)
#define MB (1024 * 1024)

struct fixture {
	char dir[MKPROF_PATH_MAX];      /* temp root */
	char root[MKPROF_PATH_MAX];     /* the archive */
	char rel[NFILES][32];
	char path[NFILES][MKPROF_PATH_MAX];
	struct stat st[NFILES];
	struct pyro_profile_header h[NFILES];
	size_t raw[NFILES];
};

static void write_profile(const char *path, int i)
{
	struct mkprof *p = mkprof_new();

	mkprof_sample_type(p, "contentions", "count");
	mkprof_sample_type(p, "delay", "nanoseconds");
	mkprof_period_type(p, "contentions", "count", 1);
	mkprof_time(p, (1795664261LL + i) * 1000000000LL);
	mkprof_default_type(p, "delay");
	mkprof_sample(p, (int64_t[]){ 1 + i, 10 }, "main;lock");
	assert_int_equal(mkprof_write(p, path, 1), 0);
	mkprof_free(p);
}

static void restat(struct fixture *f)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	char err[PYRO_ERR_MAX];
	int i, c;

	for (i = 0; i < NFILES; i++) {
		assert_int_equal(stat(f->path[i], &f->st[i]), 0);
		pyro_profile_header_release(&f->h[i]);
		b.len = 0;
		assert_int_equal(pyro_profile_read(f->path[i], MB, &b, &c, err), 0);
		f->raw[i] = b.len;
		assert_int_equal(pyro_profile_peek_data(b.data, b.len, &f->h[i], err), 0);
		f->h[i].compressed = c;
	}
	pyro_buf_release(&b);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char cache[MKPROF_PATH_MAX];
	int i;

	if (!f || mkprof_tmpdir(f->dir))
		return -1;
	mkprof_join(f->root, f->dir, "archive");
	mkprof_join(cache, f->dir, "cache");
	setenv("XDG_CACHE_HOME", cache, 1);
	unsetenv("PYROFS_INDEX_CACHE");
	for (i = 0; i < NFILES; i++) {
		snprintf(f->rel[i], sizeof(f->rel[i]), "svc/mutex-%d.pb.gz", i);
		mkprof_join(f->path[i], f->root, f->rel[i]);
		write_profile(f->path[i], i);
	}
	restat(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int i, rc = mkprof_rmtree(f->dir);

	for (i = 0; i < NFILES; i++)
		pyro_profile_header_release(&f->h[i]);
	free(f);
	return rc ? -1 : 0;
}

static void save(struct fixture *f, time_t now)
{
	struct pyro_idxcache_entry e[NFILES];
	int i;

	for (i = 0; i < NFILES; i++) {
		e[i].rel = f->rel[i];
		e[i].st = &f->st[i];
		e[i].raw_size = f->raw[i];
		e[i].h = &f->h[i];
	}
	pyro_idxcache_save(f->root, e, NFILES, now);
}

static void assert_same_header(const struct pyro_profile_header *a,
			       const struct pyro_profile_header *b)
{
	size_t i;

	assert_int_equal(a->ntypes, b->ntypes);
	for (i = 0; i < a->ntypes; i++) {
		assert_string_equal(a->types[i].type, b->types[i].type);
		assert_string_equal(a->types[i].unit, b->types[i].unit);
	}
	assert_string_equal(a->period_type.type, b->period_type.type);
	assert_string_equal(a->period_type.unit, b->period_type.unit);
	assert_string_equal(a->default_type, b->default_type);
	assert_int_equal(a->period, b->period);
	assert_int_equal(a->time_nanos, b->time_nanos);
	assert_int_equal(a->duration_nanos, b->duration_nanos);
	assert_int_equal(a->compressed, b->compressed);
}

static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct pyro_profile_header h;
	struct pyro_idxcache *c;
	size_t raw;
	int i;

	save(f, time(NULL) + 100);
	c = pyro_idxcache_load(f->root);
	assert_non_null(c);
	assert_int_equal(pyro_idxcache_count(c), NFILES);
	for (i = 0; i < NFILES; i++) {
		assert_int_equal(pyro_idxcache_get(c, f->rel[i], &f->st[i], MB, &h, &raw), 0);
		assert_same_header(&h, &f->h[i]);
		assert_int_equal(raw, f->raw[i]);
		pyro_profile_header_release(&h);
	}
	/* not in the cache; over max_profile_size */
	assert_int_equal(pyro_idxcache_get(c, "svc/other.pb.gz", &f->st[0], MB, &h, &raw), -ENOENT);
	assert_int_equal(pyro_idxcache_get(c, f->rel[0], &f->st[0], f->raw[0] - 1, &h, &raw), -ENOENT);
	pyro_idxcache_free(c);
	/* another archive has no cache */
	assert_null(pyro_idxcache_load(f->dir));
}

/* A rewritten file (same size, same name) is a miss. */
static void test_changed_file(void **state)
{
	struct fixture *f = *state;
	struct pyro_profile_header h;
	struct pyro_idxcache *c;
	struct stat now;
	size_t raw;

	save(f, time(NULL) + 100);
	/* Same length: only the content and the timestamps differ. */
	write_profile(f->path[3], 4);
	assert_int_equal(stat(f->path[3], &now), 0);
	c = pyro_idxcache_load(f->root);
	assert_non_null(c);
	assert_int_equal(pyro_idxcache_get(c, f->rel[3], &now, MB, &h, &raw), -ENOENT);
	/* A replaced inode with equal times is a miss too. */
	now = f->st[4];
	now.st_ino++;
	assert_int_equal(pyro_idxcache_get(c, f->rel[4], &now, MB, &h, &raw), -ENOENT);
	now = f->st[4];
	now.st_ctim.tv_nsec ^= 1;
	assert_int_equal(pyro_idxcache_get(c, f->rel[4], &now, MB, &h, &raw), -ENOENT);
	assert_int_equal(pyro_idxcache_get(c, f->rel[4], &f->st[4], MB, &h, &raw), 0);
	pyro_profile_header_release(&h);
	pyro_idxcache_free(c);
	write_profile(f->path[3], 3);
	restat(f);
}

/* Files changed just now are not stored. */
static void test_racy(void **state)
{
	struct fixture *f = *state;

	struct pyro_idxcache *c;

	save(f, time(NULL) + 100);
	c = pyro_idxcache_load(f->root);
	assert_non_null(c);
	pyro_idxcache_free(c);
	/* Now every file is racy: nothing to keep, and the old file goes. */
	save(f, time(NULL));
	assert_null(pyro_idxcache_load(f->root));
}

/* A damaged cache file is ignored whole; caching can be turned off. */
static void test_damaged_and_off(void **state)
{
	struct fixture *f = *state;
	char cache[MKPROF_PATH_MAX], path[MKPROF_PATH_MAX * 2];
	struct pyro_idxcache *c;
	struct dirent *de;
	FILE *fp;
	DIR *d;

	save(f, time(NULL) + 100);
	c = pyro_idxcache_load(f->root);
	assert_non_null(c);
	pyro_idxcache_free(c);
	/* Damage every index file of the directory: earlier tests may have
	 * left others, and readdir's order is the directory's own. */
	mkprof_join(cache, f->dir, "cache/pyrofs");
	d = opendir(cache);
	assert_non_null(d);
	while ((de = readdir(d))) {
		int ch;

		if (strncmp(de->d_name, "index-", 6))
			continue;
		snprintf(path, sizeof(path), "%s/%s", cache, de->d_name);
		fp = fopen(path, "r+b");
		assert_non_null(fp);
		/* a byte of the root path; a positioning call between the
		 * read and the write, as C requires */
		assert_int_equal(fseek(fp, 40, SEEK_SET), 0);
		ch = fgetc(fp);
		assert_int_not_equal(ch, EOF);
		assert_int_equal(fseek(fp, 40, SEEK_SET), 0);
		fputc(ch ^ 0x20, fp);
		assert_int_equal(fclose(fp), 0);
	}
	closedir(d);
	assert_null(pyro_idxcache_load(f->root));

	setenv("PYROFS_INDEX_CACHE", "0", 1);
	save(f, time(NULL) + 100);
	assert_null(pyro_idxcache_load(f->root));
	unsetenv("PYROFS_INDEX_CACHE");
	save(f, time(NULL) + 100);
	c = pyro_idxcache_load(f->root);
	assert_non_null(c);
	pyro_idxcache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_racy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_and_off, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
