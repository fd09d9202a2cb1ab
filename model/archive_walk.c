/*
 * archive_walk.c - the directory walk of an archive: directories under the
 * root are services (their names made safe and unique), files at the root
 * belong to the root's own service, symlinked files are taken only when
 * they resolve inside the archive, symlinked directories never, and depth
 * is bounded.  It only lists what it finds (struct found, in walk order);
 * archive.c then peeks at and indexes those files.  archive_priv.h is what
 * the two share.
 */
#include "archive_priv.h"
#include "safeopen.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_DEPTH 64

static int join(char *out, size_t size, const char *a, const char *b)
{
	int n = *a ? snprintf(out, size, "%s/%s", a, b) : snprintf(out, size, "%s", b);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Remember a regular file for peeking. */
static int found_file(struct walk *w, const char *service, const char *rel,
		      const struct stat *st, const char *target)
{
	struct found *f;

	if (w->nfiles == w->files_cap) {
		size_t cap = w->files_cap ? w->files_cap * 2 : 256;
		struct found *nf = realloc(w->files, cap * sizeof(*nf));

		if (!nf)
			return -ENOMEM;
		w->files = nf;
		w->files_cap = cap;
	}
	f = &w->files[w->nfiles];
	memset(f, 0, sizeof(*f));
	f->service = service;
	f->st = *st;
	f->rel = strdup(rel);
	if (!f->rel)
		return -ENOMEM;
	w->nfiles++;
	if (target && !(f->target = strdup(target)))
		return -ENOMEM;
	return 0;
}

static int walk_dir(struct walk *w, const char *service, const char *rel,
		    int depth);

/* A symlinked file is read only when it resolves inside the archive;
 * symlinked directories are never followed (they could loop or lead out).
 * The target found now, relative to the root, is what will be read, with
 * the same beneath-only walk as any file. */
static int walk_symlink(struct walk *w, const char *service, const char *rel)
{
	char abs[PATH_MAX], why[PYRO_ERR_MAX], *real;
	size_t rootlen = strlen(w->a->root);
	struct stat st;
	int rc;

	if (join(abs, sizeof(abs), w->a->root, rel))
		return pyro_archive_problem(w->a, rel, "path too long");
	real = realpath(abs, NULL);
	if (!real)
		return pyro_archive_problem(w->a, rel, errno == ELOOP ?
					    "symlink loop" : errno == ENOENT ?
					    "dangling symlink" : strerror(errno));
	if (strncmp(real, w->a->root, rootlen) || real[rootlen] != '/') {
		free(real);
		return pyro_archive_problem(w->a, rel, "symlink leads outside the "
					    "archive: not followed");
	}
	rc = pyro_stat_beneath(w->a->rootfd, real + rootlen + 1, &st, why);
	if (rc == 0 && S_ISDIR(st.st_mode))
		rc = 0;         /* a symlinked directory: not followed */
	else if (rc == 0 && !S_ISREG(st.st_mode)) {
		snprintf(why, sizeof(why), "not a regular file (%s)",
			 pyro_mode_name(st.st_mode));
		rc = pyro_archive_problem(w->a, rel, why);
	}
	else if (rc == 0)
		rc = found_file(w, service, rel, &st, real + rootlen + 1);
	else
		rc = pyro_archive_problem(w->a, rel, why);
	free(real);
	return rc;
}

/* Index the entry name of the directory dirfd, found at rel (relative to
 * the root). */
static int walk_entry(struct walk *w, int dirfd, const char *name,
		      const char *service, const char *rel, int depth)
{
	char why[PYRO_ERR_MAX];
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return pyro_archive_problem(w->a, rel, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return walk_dir(w, service, rel, depth + 1);
	if (S_ISREG(st.st_mode))
		return found_file(w, service, rel, &st, NULL);
	if (S_ISLNK(st.st_mode))
		return walk_symlink(w, service, rel);
	/* FIFOs, sockets, devices: never opened (a FIFO would block). */
	snprintf(why, sizeof(why), "not a regular file (%s)",
		 pyro_mode_name(st.st_mode));
	return pyro_archive_problem(w->a, rel, why);
}

/* Whether the entry name of the root (a directory or not) is in the part
 * being walked. */
static int in_scope(const struct walk *w, const char *name, int is_dir)
{
	const struct pyro_archive_scope *sc = w->scope;

	if (!is_dir)
		return sc->root_files;
	char svc[NAME_MAX + 1];

	if (sc->no_dirs)
		return 0;
	if (!sc->dir)
		return 1;
	/* By service name: two directories whose names escape alike (the
	 * README's Names) are one service. */
	pyro_archive_service_name(name, svc);
	return !strcmp(sc->dir, svc);
}

/* Entries of the directory fd (taken over: closed here), in readdir
 * order, each handed to walk_entry; dotfiles are skipped.  service NULL:
 * the root, whose directories are services. */
static int walk_entries(struct walk *w, int fd, const char *service,
			const char *rel, int depth)
{
	char child[PATH_MAX];
	struct dirent *de;
	DIR *d = fdopendir(fd);
	int rc = 0;

	if (!d) {
		rc = -errno;
		close(fd);
		return rc == -ENOMEM ? rc : pyro_archive_problem(w->a, *rel ? rel : ".",
								 strerror(-rc));
	}
	while (!rc && (de = readdir(d))) {
		const char *svc = service;

		if (de->d_name[0] == '.')
			continue;
		if (join(child, sizeof(child), rel, de->d_name)) {
			rc = pyro_archive_problem(w->a, de->d_name, "path too long");
			continue;
		}
		if (!service) {
			struct stat st;

			if (fstatat(dirfd(d), de->d_name, &st,
				    AT_SYMLINK_NOFOLLOW) != 0) {
				if (w->scope->root_files)
					rc = pyro_archive_problem(w->a, de->d_name,
								  "cannot stat");
				continue;
			}
			if (!in_scope(w, de->d_name, S_ISDIR(st.st_mode)))
				continue;
			svc = S_ISDIR(st.st_mode) ? pyro_archive_intern_service(w, de->d_name) :
			      w->root_service;
			if (!svc) {
				rc = -ENOMEM;
				break;
			}
		}
		rc = walk_entry(w, dirfd(d), de->d_name, svc, child, depth);
	}
	closedir(d);
	return rc;
}

static int walk_dir(struct walk *w, const char *service, const char *rel,
		    int depth)
{
	char why[PYRO_ERR_MAX];
	int fd;

	if (depth > MAX_DEPTH)
		return pyro_archive_problem(w->a, rel, "directory nesting too deep");
	/* Opened from the root again, beneath it: a directory of rel that was
	 * swapped for a symlink since its parent was read is refused. */
	fd = pyro_opendir_beneath(w->a->rootfd, rel, why);
	if (fd < 0)
		return pyro_archive_problem(w->a, rel, why);
	/* Watched before it is read: nothing written meanwhile goes unseen. */
	if (w->scope->watch)
		w->scope->watch(w->scope->watch_arg, fd, service);
	return walk_entries(w, fd, service, rel, depth);
}

/*
 * A service's directory name: the directory's own name with control bytes
 * and '%' written %XX (reversible, so two services never share a name; a
 * newline or an escape sequence never reaches a terminal).  Spaces and
 * UTF-8 stay as they are.  A name that escaping makes longer than 255 bytes
 * keeps at most 230 bytes, cut between characters (never inside a %XX
 * escape nor a UTF-8 sequence), then "%~" and 16 hex digits of a hash of
 * the whole.  A name that fits (255 bytes needing no escape) is kept whole.
 */
void pyro_archive_service_name(const char *raw, char out[NAME_MAX + 1])
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0, cut = 0;
	const char *p;

	for (p = raw; *p; p++) {
		unsigned char c = (unsigned char)*p;
		int esc = c < 0x20 || c == 0x7f || c == '%';

		/* Before a byte that starts a character: a place to cut. */
		if ((c & 0xc0) != 0x80 && n <= 230)
			cut = n;
		if (n + (esc ? 3 : 1) > NAME_MAX) {
			snprintf(out + cut, NAME_MAX + 1 - cut, "%%~%016llx",
				 (unsigned long long)pyro_hash_bytes(raw, strlen(raw),
								     PYRO_HASH_SEED));
			return;
		}
		if (esc) {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		} else {
			out[n++] = (char)c;
		}
	}
	out[n] = '\0';
}

const char *pyro_archive_intern_service(struct walk *w, const char *raw)
{
	char name[NAME_MAX + 1];
	char **nn;
	size_t i;

	pyro_archive_service_name(raw, name);
	for (i = 0; i < w->nnames; i++)
		if (!strcmp(w->names[i], name))
			return w->names[i];
	nn = realloc(w->names, (w->nnames + 1) * sizeof(*nn));
	if (!nn)
		return NULL;
	w->names = nn;
	nn[w->nnames] = strdup(name);
	if (!nn[w->nnames])
		return NULL;
	return nn[w->nnames++];
}

/* Walk the root: directories are services, files belong to the root's
 * own service. */
int pyro_archive_walk_root(struct walk *w)
{
	const char *base = strrchr(w->a->root, '/');
	int fd;

	base = base && base[1] ? base + 1 : "archive";
	w->root_service = pyro_archive_intern_service(w, base);
	if (!w->root_service)
		return -ENOMEM;
	fd = openat(w->a->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return walk_entries(w, fd, NULL, "", 0);
}

static int cmp_dir(const void *x, const void *y)
{
	const struct pyro_archive_dir *a = x, *b = y;

	return strcmp(a->name, b->name);
}

void pyro_archive_dirs_free(struct pyro_archive_dir *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(d[i].name);
		free(d[i].raw);
	}
	free(d);
}

/* One directory of the root into *d (grown as needed). */
static int add_dir(struct pyro_archive_dir **d, size_t *n, const char *raw,
		   const struct stat *st)
{
	char name[NAME_MAX + 1];
	struct pyro_archive_dir *nd;

	if ((*n & (*n - 1)) == 0) {
		nd = realloc(*d, (*n ? *n * 2 : 16) * sizeof(*nd));
		if (!nd)
			return -ENOMEM;
		*d = nd;
	}
	nd = &(*d)[*n];
	pyro_archive_service_name(raw, name);
	nd->name = strdup(name);
	nd->raw = strdup(raw);
	nd->mtime_nanos = (int64_t)st->st_mtim.tv_sec * PYRO_NS_PER_SEC +
			  st->st_mtim.tv_nsec;
	(*n)++;
	return nd->name && nd->raw ? 0 : -ENOMEM;
}

/* Directories whose names escape alike are one service: keep the first,
 * with the newest mtime of them. */
static void dedup_dirs(struct pyro_archive_dir *d, size_t *n)
{
	size_t i, k = 0;

	for (i = 0; i < *n; i++) {
		if (k && !strcmp(d[k - 1].name, d[i].name)) {
			if (d[i].mtime_nanos > d[k - 1].mtime_nanos)
				d[k - 1].mtime_nanos = d[i].mtime_nanos;
			free(d[i].name);
			free(d[i].raw);
			continue;
		}
		d[k++] = d[i];
	}
	*n = k;
}

int pyro_archive_list_dirs(int rootfd, const char *root,
			   struct pyro_archive_dir **out, size_t *n,
			   char **root_service)
{
	const char *base = strrchr(root, '/');
	char name[NAME_MAX + 1];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd, rc = 0;

	*out = NULL;
	*n = 0;
	base = base && base[1] ? base + 1 : "archive";
	pyro_archive_service_name(base, name);
	*root_service = strdup(name);
	if (!*root_service)
		return -ENOMEM;
	fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	/* d_type would save the stat on most filesystems, but the mtime is
	 * the pending service's only date. */
	while (!rc && (de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISDIR(st.st_mode))
			continue;
		rc = add_dir(out, n, de->d_name, &st);
	}
	closedir(d);
	if (rc)
		goto fail;
	if (*n > 1)
		qsort(*out, *n, sizeof(**out), cmp_dir);
	dedup_dirs(*out, n);
	return 0;
fail:
	pyro_archive_dirs_free(*out, *n);
	*out = NULL;
	*n = 0;
	free(*root_service);
	*root_service = NULL;
	return rc;
}
