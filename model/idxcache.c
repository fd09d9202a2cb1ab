/*
 * idxcache.c - the persistent index cache; see idxcache.h for the rules.
 *
 * File format (host byte order; the endianness marker rejects a file from
 * another machine):
 *
 *     "PYROIDX\0"  u32 version  u32 0x01020304  str root  u64 count
 *     count x entry
 *     u64 checksum (FNV-1a of everything before it)
 *
 *     entry: str rel, u64 dev ino size mtime_s mtime_ns ctime_s ctime_ns
 *            raw_size, u32 compressed, i64 period time_nanos duration_nanos,
 *            u32 ntypes, ntypes x (str type, str unit),
 *            u8 has_period_type [str type, str unit],
 *            u8 has_default_type [str name]
 *     str: u32 length, bytes
 *
 * A loaded cache keeps the file's bytes and a hash table from path to
 * entry; headers are decoded on lookup.
 */
#include "idxcache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "strtab.h"

#define MAGIC "PYROIDX"         /* 8 bytes with its NUL */
#define VERSION 1u
#define ENDIAN 0x01020304u

struct slot {
	const char *rel;        /* inside data, not terminated */
	uint32_t rel_len;
	size_t off;             /* entry bytes after the path */
};

struct pyro_idxcache {
	char *data;             /* the whole file */
	size_t len;
	size_t count;           /* entries */
	struct slot *slots;     /* open addressing; rel == NULL is empty */
	size_t nslots;          /* power of two */
};

/* ---- where ------------------------------------------------------------ */

static int cache_dir(char *out, size_t size)
{
	const char *env = getenv("PYROFS_INDEX_CACHE");
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int n;

	if (env && !strcmp(env, "0"))
		return -ENOENT;
	if (xdg && xdg[0] == '/')
		n = snprintf(out, size, "%s/pyrofs", xdg);
	else if (home && home[0] == '/')
		n = snprintf(out, size, "%s/.cache/pyrofs", home);
	else
		return -ENOENT;
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int cache_path(const char *root, char *out, size_t size)
{
	char dir[PATH_MAX];
	int n;

	if (cache_dir(dir, sizeof(dir)))
		return -ENOENT;
	n = snprintf(out, size, "%s/index-%016llx", dir,
		     (unsigned long long)pyro_hash_bytes(root, strlen(root),
							 PYRO_HASH_SEED));
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* ---- reading ---------------------------------------------------------- */

struct rd {
	const char *p, *end;
	int bad;
};

static void rd_bytes(struct rd *r, void *dst, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = 1;
		memset(dst, 0, n);
		return;
	}
	memcpy(dst, r->p, n);
	r->p += n;
}

static uint64_t rd_u64(struct rd *r)
{
	uint64_t v;

	rd_bytes(r, &v, sizeof(v));
	return v;
}

static uint32_t rd_u32(struct rd *r)
{
	uint32_t v;

	rd_bytes(r, &v, sizeof(v));
	return v;
}

static uint8_t rd_u8(struct rd *r)
{
	uint8_t v;

	rd_bytes(r, &v, sizeof(v));
	return v;
}

/* A string in place: *s points into the data, not terminated. */
static uint32_t rd_str(struct rd *r, const char **s)
{
	uint32_t n = rd_u32(r);

	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = 1;
		*s = NULL;
		return 0;
	}
	*s = r->p;
	r->p += n;
	return n;
}

static char *rd_strdup(struct rd *r)
{
	const char *s;
	uint32_t n = rd_str(r, &s);
	char *c;

	if (r->bad)
		return NULL;
	c = malloc(n + 1);
	if (!c) {
		r->bad = 1;
		return NULL;
	}
	memcpy(c, s, n);
	c[n] = '\0';
	return c;
}

#define FIXED_U64S 8            /* dev ino size mtime(2) ctime(2) raw_size */

/* Skip one entry's fixed part and header, leaving r after it. */
static void skip_header(struct rd *r)
{
	const char *s;
	uint32_t i, n;

	r->p += 0;
	rd_u32(r);                              /* compressed */
	rd_u64(r);
	rd_u64(r);
	rd_u64(r);
	n = rd_u32(r);
	for (i = 0; i < n && !r->bad; i++) {
		rd_str(r, &s);
		rd_str(r, &s);
	}
	if (rd_u8(r)) {
		rd_str(r, &s);
		rd_str(r, &s);
	}
	if (rd_u8(r))
		rd_str(r, &s);
}

static size_t slot_of(const struct pyro_idxcache *c, const char *rel,
		      size_t len)
{
	size_t i = pyro_hash_bytes(rel, len, PYRO_HASH_SEED) & (c->nslots - 1);

	while (c->slots[i].rel && (c->slots[i].rel_len != len ||
				   memcmp(c->slots[i].rel, rel, len)))
		i = (i + 1) & (c->nslots - 1);
	return i;
}

static char *read_file(const char *path, size_t *len)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && st.st_size > 0 &&
	    pyro_buf_grow(&b, (size_t)st.st_size + 1))
		goto fail;
	for (;;) {
		if (b.cap - b.len < 2 && pyro_buf_grow(&b, 1 << 16))
			goto fail;
		n = read(fd, b.data + b.len, b.cap - b.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		b.len += (size_t)n;
	}
	close(fd);
	*len = b.len;
	return b.data ? b.data : calloc(1, 1);
fail:
	close(fd);
	pyro_buf_release(&b);
	return NULL;
}

struct pyro_idxcache *pyro_idxcache_load(const char *root)
{
	struct pyro_idxcache *c = NULL;
	char path[PATH_MAX], magic[8];
	const char *s;
	uint64_t count, sum, i;
	uint32_t n;
	struct rd r;

	if (cache_path(root, path, sizeof(path)))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->data = read_file(path, &c->len);
	if (!c->data || c->len < sizeof(magic) + 8)
		goto fail;
	memcpy(&sum, c->data + c->len - 8, 8);
	if (sum != pyro_hash_bytes(c->data, c->len - 8, PYRO_HASH_SEED))
		goto fail;
	r.p = c->data;
	r.end = c->data + c->len - 8;
	r.bad = 0;
	rd_bytes(&r, magic, sizeof(magic));
	if (memcmp(magic, MAGIC, sizeof(magic)) || rd_u32(&r) != VERSION ||
	    rd_u32(&r) != ENDIAN)
		goto fail;
	n = rd_str(&r, &s);
	if (r.bad || n != strlen(root) || memcmp(s, root, n))
		goto fail;
	count = rd_u64(&r);
	if (r.bad || count > c->len)
		goto fail;
	c->nslots = 16;
	while (c->nslots < 2 * count)
		c->nslots *= 2;
	c->slots = calloc(c->nslots, sizeof(*c->slots));
	if (!c->slots)
		goto fail;
	for (i = 0; i < count; i++) {
		const char *rel;
		uint32_t len = rd_str(&r, &rel);
		size_t off = (size_t)(r.p - c->data), k;

		for (k = 0; k < FIXED_U64S; k++)
			rd_u64(&r);
		skip_header(&r);
		if (r.bad || !len)
			goto fail;
		k = slot_of(c, rel, len);
		c->slots[k].rel = rel;
		c->slots[k].rel_len = len;
		c->slots[k].off = off;
	}
	if (r.p != r.end)
		goto fail;
	c->count = (size_t)count;
	/* In use: keep it from being pruned as old. */
	utimensat(AT_FDCWD, path, NULL, 0);
	return c;
fail:
	pyro_idxcache_free(c);
	return NULL;
}

size_t pyro_idxcache_count(const struct pyro_idxcache *c)
{
	return c ? c->count : 0;
}

void pyro_idxcache_free(struct pyro_idxcache *c)
{
	if (!c)
		return;
	free(c->data);
	free(c->slots);
	free(c);
}

int pyro_idxcache_get(const struct pyro_idxcache *c, const char *rel,
		      const struct stat *st, size_t max_size,
		      struct pyro_profile_header *h, size_t *raw_size)
{
	const struct slot *sl;
	uint64_t v[FIXED_U64S];
	uint32_t i, n;
	struct rd r;
	size_t k;

	memset(h, 0, sizeof(*h));
	if (!c)
		return -ENOENT;
	k = slot_of(c, rel, strlen(rel));
	sl = &c->slots[k];
	if (!sl->rel)
		return -ENOENT;
	r.p = c->data + sl->off;
	r.end = c->data + c->len - 8;
	r.bad = 0;
	for (i = 0; i < FIXED_U64S; i++)
		v[i] = rd_u64(&r);
	if (v[0] != (uint64_t)st->st_dev || v[1] != (uint64_t)st->st_ino ||
	    v[2] != (uint64_t)st->st_size ||
	    v[3] != (uint64_t)st->st_mtim.tv_sec ||
	    v[4] != (uint64_t)st->st_mtim.tv_nsec ||
	    v[5] != (uint64_t)st->st_ctim.tv_sec ||
	    v[6] != (uint64_t)st->st_ctim.tv_nsec || v[7] > max_size)
		return -ENOENT;
	*raw_size = (size_t)v[7];
	h->compressed = (int)rd_u32(&r);
	h->period = (int64_t)rd_u64(&r);
	h->time_nanos = (int64_t)rd_u64(&r);
	h->duration_nanos = (int64_t)rd_u64(&r);
	n = rd_u32(&r);
	if (r.bad || n == 0 || n > 1u << 20)
		return -ENOENT;
	h->types = calloc(n, sizeof(*h->types));
	if (!h->types)
		return -ENOMEM;
	h->ntypes = n;
	for (i = 0; i < n && !r.bad; i++) {
		h->types[i].type = rd_strdup(&r);
		h->types[i].unit = rd_strdup(&r);
	}
	if (!r.bad && rd_u8(&r)) {
		h->period_type.type = rd_strdup(&r);
		h->period_type.unit = rd_strdup(&r);
	}
	if (!r.bad && rd_u8(&r))
		h->default_type = rd_strdup(&r);
	if (r.bad) {
		pyro_profile_header_release(h);
		return -ENOENT;
	}
	return 0;
}

/* ---- writing ---------------------------------------------------------- */

static int put(struct pyro_buf *b, const void *p, size_t n)
{
	return pyro_buf_add(b, p, n);
}

static int put_u64(struct pyro_buf *b, uint64_t v)
{
	return put(b, &v, sizeof(v));
}

static int put_u32(struct pyro_buf *b, uint32_t v)
{
	return put(b, &v, sizeof(v));
}

static int put_str(struct pyro_buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n > UINT32_MAX)
		return -EOVERFLOW;
	return put_u32(b, (uint32_t)n) || put(b, s ? s : "", n) ? -ENOMEM : 0;
}

static int put_entry(struct pyro_buf *b, const struct pyro_idxcache_entry *e)
{
	const struct stat *st = e->st;
	const struct pyro_profile_header *h = e->h;
	const uint64_t file[] = {
		(uint64_t)st->st_dev, (uint64_t)st->st_ino,
		(uint64_t)st->st_size,
		(uint64_t)st->st_mtim.tv_sec, (uint64_t)st->st_mtim.tv_nsec,
		(uint64_t)st->st_ctim.tv_sec, (uint64_t)st->st_ctim.tv_nsec,
		(uint64_t)e->raw_size,
	};
	const uint64_t times[] = {
		(uint64_t)h->period, (uint64_t)h->time_nanos,
		(uint64_t)h->duration_nanos,
	};
	uint8_t has_period = h->period_type.type != NULL;
	uint8_t has_default = h->default_type != NULL;
	size_t i;
	int rc;

	rc = put_str(b, e->rel);
	for (i = 0; i < sizeof(file) / sizeof(file[0]) && !rc; i++)
		rc = put_u64(b, file[i]);
	if (!rc)
		rc = put_u32(b, (uint32_t)h->compressed);
	for (i = 0; i < sizeof(times) / sizeof(times[0]) && !rc; i++)
		rc = put_u64(b, times[i]);
	if (!rc)
		rc = put_u32(b, (uint32_t)h->ntypes);
	for (i = 0; i < h->ntypes && !rc; i++) {
		rc = put_str(b, h->types[i].type);
		if (!rc)
			rc = put_str(b, h->types[i].unit);
	}
	if (!rc)
		rc = put(b, &has_period, 1);
	if (!rc && has_period)
		rc = put_str(b, h->period_type.type);
	if (!rc && has_period)
		rc = put_str(b, h->period_type.unit);
	if (!rc)
		rc = put(b, &has_default, 1);
	if (!rc && has_default)
		rc = put_str(b, h->default_type);
	return rc;
}

/* A file changed within the racy window (or dated ahead) could change
 * again without its timestamps showing it: not stored. */
static int racy(const struct stat *st, time_t now)
{
	return st->st_mtim.tv_sec >= now - PYRO_IDXCACHE_RACY_SEC ||
	       st->st_ctim.tv_sec >= now - PYRO_IDXCACHE_RACY_SEC;
}

static int mkdirs(char *path)
{
	char *s;

	for (s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(path, 0700) && errno != EEXIST) {
			*s = '/';
			return -errno;
		}
		*s = '/';
	}
	return mkdir(path, 0700) && errno != EEXIST ? -errno : 0;
}

/* Remove index files unused for a long time, and dead temporary files. */
static void prune_old(const char *dir, time_t now)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;
		int tmp = !strncmp(de->d_name, ".index-", 7);

		if (strncmp(de->d_name, "index-", 6) && !tmp)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path) || lstat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		if (st.st_mtime < now - (tmp ? 86400 :
					 PYRO_IDXCACHE_MAX_AGE_DAYS * 86400L))
			unlink(path);
	}
	closedir(d);
}

void pyro_idxcache_save(const char *root, const struct pyro_idxcache_entry *e,
			size_t n, time_t now)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	char dir[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX + 16];
	size_t i, count = 0, count_at;
	uint64_t sum;
	int fd = -1, rc = 0;

	if (n < PYRO_IDXCACHE_MIN_FILES || cache_dir(dir, sizeof(dir)) ||
	    cache_path(root, path, sizeof(path)))
		return;
	rc = put(&b, MAGIC, 8);
	if (!rc)
		rc = put_u32(&b, VERSION);
	if (!rc)
		rc = put_u32(&b, ENDIAN);
	if (!rc)
		rc = put_str(&b, root);
	count_at = b.len;
	if (!rc)
		rc = put_u64(&b, 0);
	for (i = 0; i < n && !rc; i++) {
		if (racy(e[i].st, now))
			continue;
		rc = put_entry(&b, &e[i]);
		count++;
	}
	if (rc)
		goto out;
	if (count == 0) {       /* nothing worth keeping (all racy): no file */
		unlink(path);
		goto out;
	}
	memcpy(b.data + count_at, &(uint64_t){ count }, 8);
	sum = pyro_hash_bytes(b.data, b.len, PYRO_HASH_SEED);
	if (put_u64(&b, sum) || mkdirs(dir))
		goto out;
	prune_old(dir, now);
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, strrchr(path, '/') + 1);
	fd = mkstemp(tmp);
	if (fd < 0)
		goto out;
	{
		const char *p = b.data;
		size_t left = b.len;

		while (left) {
			ssize_t w = write(fd, p, left);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				rc = -EIO;
				break;
			}
			p += w;
			left -= (size_t)w;
		}
	}
	if (close(fd) || rc || rename(tmp, path))
		unlink(tmp);
out:
	pyro_buf_release(&b);
}
