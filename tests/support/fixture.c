/*
 * fixture.c - the archive fixture of the unit tests; see fixture.h.
 *
 * Setup and teardown are the ones each archive test used to carry a copy
 * of: temp directory, write, open; close, remove.
 */
#include "fixture.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../fs/fs.h"
#include "../../model/archive.h"

static int open_archive(struct fixture *f, struct pyro_archive **a)
{
	char err[PYRO_ERR_MAX];

	if (pyro_archive_open(f->root, FIXTURE_MAX_PROFILE, a, err)) {
		fprintf(stderr, "fixture: pyro_archive_open: %s\n", err);
		return -1;
	}
	return 0;
}

static int open_fs(struct fixture *f)
{
	struct pyro_fs_opts o;
	char err[PYRO_ERR_MAX];

	pyro_fs_opts_init(&o);
	if (pyro_fs_open(f->root, &o, &f->fs, err)) {
		fprintf(stderr, "fixture: pyro_fs_open: %s\n", err);
		return -1;
	}
	return 0;
}

int fixture_teardown(void **state)
{
	struct fixture *f = *state;
	int rc;

	if (!f)
		return 0;
	pyro_fs_close(f->fs);
	pyro_archive_free(f->ref);
	pyro_archive_free(f->a);
	rc = mkprof_rmtree(f->tmp);
	free(f);
	*state = NULL;
	return rc ? -1 : 0;
}

int fixture_setup(void **state, int (*write)(struct fixture *f),
		  unsigned open)
{
	struct fixture *f = calloc(1, sizeof(*f));

	*state = NULL;
	if (!f || mkprof_tmpdir(f->tmp)) {
		fprintf(stderr, "fixture: cannot make a temp directory\n");
		free(f);
		return -1;
	}
	*state = f;
	mkprof_join(f->root, f->tmp, "archive");
	if (write && write(f)) {
		fprintf(stderr, "fixture: writing the archive failed\n");
		goto fail;
	}
	if ((open & FIXTURE_ARCHIVE) && open_archive(f, &f->a))
		goto fail;
	if ((open & FIXTURE_REF) && open_archive(f, &f->ref))
		goto fail;
	if ((open & FIXTURE_FS) && open_fs(f))
		goto fail;
	return 0;
fail:
	fixture_teardown(state);        /* cmocka skips it when setup fails */
	return -1;
}

int fixture_put(struct fixture *f, struct mkprof *p, const char *rel,
		int gzip)
{
	char path[MKPROF_PATH_MAX];
	int rc;

	mkprof_join(path, f->root, rel);
	rc = mkprof_write(p, path, gzip);
	mkprof_free(p);
	if (rc)
		fprintf(stderr, "fixture: %s: %s\n", path, strerror(-rc));
	return rc;
}

int fixture_putf(struct fixture *f, struct mkprof *p, int gzip,
		 const char *fmt, ...)
{
	char rel[MKPROF_PATH_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(rel)) {
		mkprof_free(p);
		fprintf(stderr, "fixture: path too long: %s\n", fmt);
		return -ENAMETOOLONG;
	}
	return fixture_put(f, p, rel, gzip);
}

struct mkprof *fixture_go_cpu(int64_t nanos)
{
	struct mkprof *p = mkprof_go_cpu(nanos);

	mkprof_duration(p, 10LL * 1000000000);
	mkprof_mapping(p, "/usr/bin/api");
	return p;
}

const char *fixture_root(void **state)
{
	const struct fixture *f = *state;

	return f->root;
}
