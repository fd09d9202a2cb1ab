/*
 * remote_disk.c - merge answers of closed spans kept on disk between mounts
 * of a Pyroscope server, next to the index cache (idxcache.h):
 *
 *     $XDG_CACHE_HOME/pyrofs/remote-<hash of URL, tenant, selector>/<key>
 *     (~/.cache/pyrofs/... when XDG_CACHE_HOME is unset or not absolute)
 *
 * Only spans that ended more than -o refresh before the newest data
 * (closed: remote_ident's *open is 0) are stored; their key is a hash of
 * the request's bytes and the span's content identity (the points' figures
 * the server listed), so new data in the span is a new key, never a stale
 * answer.  A file holds a magic, the key, the request's length and bytes
 * (compared on reading: a hash collision is a miss) and the answer; it is
 * written to a temporary file and renamed into place, mode 0600 in a 0700
 * directory.  The directory is kept under PYRO_REMOTE_DISK_BYTES, oldest
 * files (by mtime) removed first, and temporary files a killed daemon left
 * are removed once a day old.  PYROFS_INDEX_CACHE=0 turns it off, as it
 * does the index cache.  Errors never matter: a file that cannot be read is
 * a miss, one that cannot be written is not written.
 */
#include "remote_source.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DISK_MAGIC "PYRORMT1"

static int mkdirs(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) && errno != EEXIST) {
			*p = '/';
			return -errno;
		}
		*p = '/';
	}
	return mkdir(path, 0700) && errno != EEXIST ? -errno : 0;
}

int pyro_remote_disk_dir(const char *url, const char *tenant, const char *selector,
			 char out[PATH_MAX])
{
	const char *env = getenv("PYROFS_INDEX_CACHE");
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	uint64_t h = 1469598103934665603ull;
	int n;

	if (env && !strcmp(env, "0"))
		return -ENOENT;
	h = pyro_remote_fnv(h, url, strlen(url) + 1);
	h = pyro_remote_fnv(h, tenant ? tenant : "", strlen(tenant ? tenant : "") + 1);
	h = pyro_remote_fnv(h, selector ? selector : "", strlen(selector ? selector : "") + 1);
	if (xdg && xdg[0] == '/')
		n = snprintf(out, PATH_MAX, "%s/pyrofs/remote-%016llx", xdg, (unsigned long long)h);
	else if (home && home[0] == '/')
		n = snprintf(out, PATH_MAX, "%s/.cache/pyrofs/remote-%016llx", home,
			     (unsigned long long)h);
	else
		return -ENOENT;
	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

static uint64_t disk_key(uint64_t ident, const void *req, size_t len)
{
	return pyro_remote_fnv(pyro_remote_fnv(1469598103934665603ull, &ident, sizeof(ident)), req, len);
}

int pyro_remote_disk_get(const char *dir, uint64_t ident, const void *req, size_t len,
			 size_t max_size, struct pyro_buf *out)
{
	char path[PATH_MAX], head[8 + 8 + 8];
	uint64_t key = disk_key(ident, req, len), k, rl;
	struct stat st;
	void *rbuf = NULL;
	size_t alen;
	int fd, rc = -ENOENT;

	if (!dir || snprintf(path, sizeof(path), "%s/%016llx", dir,
			     (unsigned long long)key) >= (int)sizeof(path))
		return -ENOENT;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -ENOENT;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(head) ||
	    read(fd, head, sizeof(head)) != (ssize_t)sizeof(head) ||
	    memcmp(head, DISK_MAGIC, 8))
		goto out;
	memcpy(&k, head + 8, 8);
	memcpy(&rl, head + 16, 8);
	if (k != key || rl != len || (uint64_t)st.st_size < sizeof(head) + rl)
		goto out;
	alen = (size_t)st.st_size - sizeof(head) - len;
	if (alen > max_size)
		goto out;
	rbuf = malloc(len ? len : 1);
	if (!rbuf || read(fd, rbuf, len) != (ssize_t)len || memcmp(rbuf, req, len) ||
	    pyro_buf_grow(out, alen))
		goto out;
	if (read(fd, out->data + out->len, alen) != (ssize_t)alen)
		goto out;
	out->len += alen;
	out->data[out->len] = '\0';
	rc = 0;
out:
	free(rbuf);
	close(fd);
	return rc;
}

struct old {
	char name[32];
	time_t mtime;
	off_t size;
};

static int cmp_old(const void *a, const void *b)
{
	const struct old *x = a, *y = b;

	return x->mtime < y->mtime ? -1 : x->mtime > y->mtime;
}

/* A temporary file a day old was left by a daemon killed while writing it
 * (one being written now is seconds old): nothing else would remove it. */
static void drop_stale_tmp(int dfd, const char *name, const struct stat *st,
			   time_t now)
{
	if (!strncmp(name, ".tmp-", 5) && S_ISREG(st->st_mode) &&
	    st->st_mtime < now - PYRO_REMOTE_DISK_TMP_AGE)
		unlinkat(dfd, name, 0);
}

/* Remove the oldest files until the directory holds at most cap bytes, and
 * temporary files left behind. */
static void trim(const char *dir, size_t cap)
{
	struct old *v = NULL;
	size_t n = 0, vcap = 0, i;
	off_t total = 0;
	struct dirent *e;
	time_t now = time(NULL);
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		struct stat st;

		if (strlen(e->d_name) >= sizeof(v->name) ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (e->d_name[0] == '.') {
			drop_stale_tmp(dirfd(d), e->d_name, &st, now);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (n == vcap) {
			struct old *nv = realloc(v, (vcap = vcap ? 2 * vcap : 64) * sizeof(*v));

			if (!nv)
				break;
			v = nv;
		}
		snprintf(v[n].name, sizeof(v[n].name), "%s", e->d_name);
		v[n].mtime = st.st_mtime;
		v[n].size = st.st_size;
		total += st.st_size;
		n++;
	}
	if (v && total > (off_t)cap) {
		qsort(v, n, sizeof(*v), cmp_old);
		for (i = 0; i < n && total > (off_t)cap; i++)
			if (!unlinkat(dirfd(d), v[i].name, 0))
				total -= v[i].size;
	}
	closedir(d);
	free(v);
}

void pyro_remote_disk_put(const char *dir, uint64_t ident, const void *req, size_t len,
			  const struct pyro_buf *ans)
{
	char path[PATH_MAX], tmp[PATH_MAX], d[PATH_MAX];
	uint64_t key = disk_key(ident, req, len), rl = len;
	int fd, ok;

	if (!dir || ans->len + len > PYRO_REMOTE_DISK_BYTES / 8 ||
	    snprintf(d, sizeof(d), "%s", dir) >= (int)sizeof(d) || mkdirs(d) ||
	    snprintf(path, sizeof(path), "%s/%016llx", dir,
		     (unsigned long long)key) >= (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/.tmp-XXXXXX", dir) >= (int)sizeof(tmp))
		return;
	fd = mkstemp(tmp);
	if (fd < 0)
		return;
	ok = fchmod(fd, 0600) == 0 &&
	     write(fd, DISK_MAGIC, 8) == 8 &&
	     write(fd, &key, 8) == 8 && write(fd, &rl, 8) == 8 &&
	     write(fd, req, len) == (ssize_t)len &&
	     write(fd, ans->data ? ans->data : "", ans->len) == (ssize_t)ans->len;
	if (close(fd) || !ok || rename(tmp, path)) {
		unlink(tmp);
		return;
	}
	trim(dir, PYRO_REMOTE_DISK_BYTES);
}
