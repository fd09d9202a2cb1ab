/*
 * fixture.h - the archive fixture every unit test with files on disk
 * shares: a fresh temp directory, an archive the test writes into it with
 * mkprof, opened as an index (model/archive.h) and/or as the tree (fs/fs.h),
 * and all of it removed by the group teardown.  It is the cmocka group
 * state:
 *
 *     static int write_archive(struct fixture *f)
 *     {
 *             return fixture_put(f, mkprof_go_cpu(T0), "api/cpu.pb.gz", 1);
 *     }
 *
 *     static int group_setup(void **state)
 *     {
 *             return fixture_setup(state, write_archive, FIXTURE_ARCHIVE);
 *     }
 *
 *     return cmocka_run_group_tests(tests, group_setup, fixture_teardown);
 *
 * and a case reads it as `struct fixture *f = *state;`.  The temp directory
 * is /tmp/pyrofs-test-XXXXXX (f->tmp); the archive is f->tmp/archive
 * (f->root), created by the first file written into it.  Indexes are
 * opened with FIXTURE_MAX_PROFILE, the tree with default options.
 *
 * Setup prints a line to stderr and returns -1 when anything fails (cmocka
 * then fails the group and skips the teardown, so setup cleans up itself);
 * teardown releases whatever setup made and returns 0 or -1.
 */
#ifndef PYRO_TEST_FIXTURE_H
#define PYRO_TEST_FIXTURE_H

#include "mkprof.h"

struct pyro_archive;
struct pyro_fs;

#define FIXTURE_MAX_PROFILE (64u << 20)  /* max_profile_size of the indexes */

/* What fixture_setup opens once the archive is written (flags, or'ed). */
enum {
	FIXTURE_DIR = 0,                /* nothing: only the temp directory */
	FIXTURE_ARCHIVE = 1 << 0,       /* f->a */
	FIXTURE_REF = 1 << 1,           /* f->ref */
	FIXTURE_FS = 1 << 2,            /* f->fs */
};

struct fixture {
	char tmp[MKPROF_PATH_MAX];      /* the temp directory */
	char root[MKPROF_PATH_MAX];     /* tmp/archive */
	struct pyro_archive *a;         /* FIXTURE_ARCHIVE: the index of root */
	struct pyro_archive *ref;       /* FIXTURE_REF: a second, independent
					 * index of root (for references) */
	struct pyro_fs *fs;             /* FIXTURE_FS: the tree of root */
};

/* Allocate the fixture into *state, make the temp directory, call write
 * (NULL: nothing to write; it returns 0 or non-zero), open what `open`
 * asks for. */
int fixture_setup(void **state, int (*write)(struct fixture *f),
		  unsigned open);

/* Close what is open, remove the temp directory, free the fixture;
 * *state NULL is fine. */
int fixture_teardown(void **state);

/* Write p to root/rel (gzipped unless gzip is 0, parents created) and free
 * p, whatever happens; on failure a line on stderr.  0 or a negative errno. */
int fixture_put(struct fixture *f, struct mkprof *p, const char *rel,
		int gzip);

/* fixture_put with rel from a printf format. */
int fixture_putf(struct fixture *f, struct mkprof *p, int gzip,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The CPU profile most cases start from: mkprof_go_cpu(nanos) of 10 s
 * (duration) with the main binary /usr/bin/api (mapping 1); no sample yet.
 * Free it with mkprof_free (fixture_put does). */
struct mkprof *fixture_go_cpu(int64_t nanos);

/* The archive directory of the group state (f->root), for tests that
 * write their own files. */
const char *fixture_root(void **state);

#endif
