/*
 * node.c - resolve paths to nodes and serve their attributes and bytes.
 *
 * Inode numbers.  A node's identity is its canonical path below the mount
 * ("api/cpu/2026-11-24T10-15-00Z/top.txt"; a path through `latest` names
 * the snapshot it points to).  The inode number is a 64-bit FNV-1a hash of
 * that path, with 1 reserved for the root.  It is stable across mounts and
 * needs no table; a collision among the few million nodes of even a huge
 * archive has a probability below 1e-6, and would only confuse tools that
 * compare inode numbers (hard-link detection), never the data read.
 *
 * Caching.  The decoded stacks of a time node and the rendered bytes of a
 * file are cached under "S:<node path>" and "B:<file path>" in one
 * byte-bounded LRU.  Rendering happens outside the cache lock; two threads
 * missing the same file at once both render it and the second put wins,
 * which costs time but never correctness since output is deterministic.
 */
#include "fs.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../render/render.h"

/* The files of every time node.  Adding a file kind is one line here. */
static const struct pyro_file_kind file_kinds[] = {
	{ "flame.svg", pyro_flame_render },
	{ "folded", pyro_folded_render },
	{ "icicle.svg", pyro_icicle_render },
	{ "top.txt", pyro_top_render },
};

#define NFILE_KINDS (sizeof(file_kinds) / sizeof(file_kinds[0]))
#define META_DIR ".pyrofs"
#define ERRORS_FILE "errors"

/* A time node's decoded stacks, shared through the cache. */
struct shared_stacks {
	struct pyro_obj obj;
	struct pyro_stacks s;
};

/* ---- options ------------------------------------------------------------ */

int pyro_parse_size(const char *s, size_t *out)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (toupper((unsigned char)*end)) {
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	case 'T': shift = 40; end++; break;
	case '\0': break;
	default: return -EINVAL;
	}
	if ((*end == 'i' || *end == 'I') && shift)
		end++;
	if ((*end == 'b' || *end == 'B'))
		end++;
	if (*end || v > (SIZE_MAX >> shift))
		return -EINVAL;
	*out = (size_t)(v << shift);
	return 0;
}

int pyro_parse_merge(const char *s, enum pyro_merge_policy *out)
{
	if (!strcmp(s, "auto"))
		*out = PYRO_POLICY_AUTO;
	else if (!strcmp(s, "pprof"))
		*out = PYRO_POLICY_PPROF;
	else
		return -EINVAL;
	return 0;
}

void pyro_fs_opts_init(struct pyro_fs_opts *o)
{
	o->cache_size = PYRO_DEFAULT_CACHE_SIZE;
	o->max_profile_size = PYRO_DEFAULT_MAX_PROFILE_SIZE;
	o->merge = PYRO_POLICY_AUTO;
}

const char pyro_fs_opts_help[] =
	"    -o cache_size=SIZE     bytes of rendered files and decoded profiles kept\n"
	"                           in memory (K, M, G suffixes; default 256M)\n"
	"    -o max_profile_size=SIZE\n"
	"                           refuse profiles that inflate to more than SIZE\n"
	"                           (default 512M)\n"
	"    -o merge=auto|pprof    how snapshots merge: auto (increase of cumulative\n"
	"                           series, mean of gauges, sum of rates; default) or\n"
	"                           pprof (always a plain sum, as `pprof a b c`)\n";

int pyro_fs_opt(struct pyro_fs_opts *o, const char *kv, char err[PYRO_ERR_MAX])
{
	const char *eq = strchr(kv, '=');
	size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);
	const char *v = eq ? eq + 1 : NULL;
	int rc;

#define IS(k) (klen == strlen(k) && !strncmp(kv, k, klen))
	if (IS("cache_size"))
		rc = pyro_parse_size(v, &o->cache_size);
	else if (IS("max_profile_size"))
		rc = pyro_parse_size(v, &o->max_profile_size);
	else if (IS("merge"))
		rc = v ? pyro_parse_merge(v, &o->merge) : -EINVAL;
	else
		return 1;
#undef IS
	if (!rc && o->max_profile_size == 0)
		rc = -EINVAL;
	if (rc)
		snprintf(err, PYRO_ERR_MAX, "bad option value: %s", kv);
	return rc;
}

/* ---- lifecycle ------------------------------------------------------------ */

int pyro_fs_open(const char *archive, const struct pyro_fs_opts *opts,
		 struct pyro_fs **out, char err[PYRO_ERR_MAX])
{
	struct pyro_fs *fs = calloc(1, sizeof(*fs));
	int rc;

	*out = NULL;
	if (!fs)
		return -ENOMEM;
	fs->opts = *opts;
	fs->mount_time = time(NULL);
	fs->uid = getuid();
	fs->gid = getgid();
	fs->cache = pyro_cache_new(opts->cache_size);
	if (!fs->cache) {
		free(fs);
		return -ENOMEM;
	}
	rc = pyro_archive_open(archive, opts->max_profile_size, &fs->archive, err);
	if (rc) {
		pyro_fs_close(fs);
		return rc;
	}
	*out = fs;
	return 0;
}

void pyro_fs_close(struct pyro_fs *fs)
{
	if (!fs)
		return;
	pyro_cache_free(fs->cache);
	pyro_archive_free(fs->archive);
	free(fs);
}

/* ---- the resolver ------------------------------------------------------- */

/* Copy the next path component of *p into comp; 0 at the end of path. */
static int next_component(const char **p, char comp[NAME_MAX + 1])
{
	const char *s = *p, *e;

	while (*s == '/')
		s++;
	if (!*s)
		return 0;
	for (e = s; *e && *e != '/'; e++)
		;
	if ((size_t)(e - s) > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(comp, s, (size_t)(e - s));
	comp[e - s] = '\0';
	*p = e;
	return 1;
}

/* The time node called name in series se: "all", "latest" (followed) or
 * a snapshot.  Windows and ranges will resolve here too. */
static int resolve_time(const struct pyro_series *se, const char *name,
			struct pyro_node *n)
{
	const struct pyro_snapshot *sn;

	n->kind = PYRO_NODE_TIME;
	if (!strcmp(name, "all")) {
		n->first = 0;
		n->count = se->nsnaps;
		n->span = "all";
		return 0;
	}
	if (!strcmp(name, "latest"))
		sn = &se->snaps[se->nsnaps - 1];
	else
		sn = pyro_series_snapshot(se, name);
	if (!sn)
		return -ENOENT;
	n->first = (size_t)(sn - se->snaps);
	n->count = 1;
	n->span = sn->name;
	return 0;
}

static const struct pyro_file_kind *find_file_kind(const char *name)
{
	size_t i;

	for (i = 0; i < NFILE_KINDS; i++)
		if (!strcmp(file_kinds[i].name, name))
			return &file_kinds[i];
	return NULL;
}

/* Descend from node n into the child called comp. */
static int step(const struct pyro_fs *fs, struct pyro_node *n,
		const char *comp, int last)
{
	switch (n->kind) {
	case PYRO_NODE_ROOT:
		if (!strcmp(comp, META_DIR)) {
			n->kind = PYRO_NODE_META;
			return 0;
		}
		n->svc = pyro_archive_service(fs->archive, comp);
		n->kind = PYRO_NODE_SERVICE;
		return n->svc ? 0 : -ENOENT;
	case PYRO_NODE_META:
		n->kind = PYRO_NODE_ERRORS;
		return strcmp(comp, ERRORS_FILE) ? -ENOENT : 0;
	case PYRO_NODE_SERVICE:
		n->series = pyro_service_series(n->svc, comp);
		n->kind = PYRO_NODE_TYPE;
		return n->series ? 0 : -ENOENT;
	case PYRO_NODE_TYPE: {
		int rc = resolve_time(n->series, comp, n);

		/* `latest` itself is a symlink; through it, a directory. */
		if (!rc && last && !strcmp(comp, "latest"))
			n->kind = PYRO_NODE_LATEST;
		return rc;
	}
	case PYRO_NODE_TIME:
		n->file = find_file_kind(comp);
		n->kind = PYRO_NODE_FILE;
		return n->file ? 0 : -ENOENT;
	default:
		return -ENOTDIR;
	}
}

int pyro_resolve(const struct pyro_fs *fs, const char *path,
		 struct pyro_node *n)
{
	char comp[NAME_MAX + 1];
	const char *p = path;
	int rc;

	memset(n, 0, sizeof(*n));
	n->kind = PYRO_NODE_ROOT;
	while ((rc = next_component(&p, comp)) > 0) {
		const char *rest = p;

		while (*rest == '/')
			rest++;
		rc = step(fs, n, comp, *rest == '\0');
		if (rc)
			return rc == -ENOTDIR ? -ENOENT : rc;
	}
	return rc;
}

/* ---- attributes ------------------------------------------------------- */

/* Canonical path of n (no leading slash): the identity of a node. */
static int node_key(const struct pyro_node *n, char *out, size_t size)
{
	int len;

	switch (n->kind) {
	case PYRO_NODE_ROOT:
		len = snprintf(out, size, "%s", "");
		break;
	case PYRO_NODE_META:
		len = snprintf(out, size, "%s", META_DIR);
		break;
	case PYRO_NODE_ERRORS:
		len = snprintf(out, size, "%s/%s", META_DIR, ERRORS_FILE);
		break;
	case PYRO_NODE_SERVICE:
		len = snprintf(out, size, "%s", n->svc->name);
		break;
	case PYRO_NODE_TYPE:
		len = snprintf(out, size, "%s/%s", n->svc->name, n->series->type);
		break;
	case PYRO_NODE_LATEST:
		len = snprintf(out, size, "%s/%s/latest", n->svc->name,
			       n->series->type);
		break;
	case PYRO_NODE_TIME:
		len = snprintf(out, size, "%s/%s/%s", n->svc->name,
			       n->series->type, n->span);
		break;
	case PYRO_NODE_FILE:
		len = snprintf(out, size, "%s/%s/%s/%s", n->svc->name,
			       n->series->type, n->span, n->file->name);
		break;
	default:
		return -EINVAL;
	}
	return len < 0 || (size_t)len >= size ? -ENAMETOOLONG : 0;
}

static ino_t node_ino(const struct pyro_node *n)
{
	char key[PATH_MAX];
	uint64_t h;

	if (n->kind == PYRO_NODE_ROOT || node_key(n, key, sizeof(key)))
		return 1;
	h = pyro_hash_bytes(key, strlen(key), PYRO_HASH_SEED);
	return (ino_t)(h <= 1 ? h + 2 : h);
}

static int64_t series_newest(const struct pyro_series *se)
{
	return se->snaps[se->nsnaps - 1].src->time_nanos;
}

static int64_t service_newest(const struct pyro_service *svc)
{
	int64_t t = 0;
	size_t i;

	for (i = 0; i < svc->nseries; i++)
		if (series_newest(&svc->series[i]) > t)
			t = series_newest(&svc->series[i]);
	return t;
}

/* Modification time in nanoseconds: the newest snapshot below a node. */
static int64_t node_mtime(const struct pyro_fs *fs, const struct pyro_node *n)
{
	int64_t t = 0;
	size_t i;

	switch (n->kind) {
	case PYRO_NODE_ROOT:
		for (i = 0; i < fs->archive->nservices; i++)
			if (service_newest(&fs->archive->services[i]) > t)
				t = service_newest(&fs->archive->services[i]);
		return t ? t : (int64_t)fs->mount_time * 1000000000;
	case PYRO_NODE_SERVICE:
		return service_newest(n->svc);
	case PYRO_NODE_TYPE:
	case PYRO_NODE_LATEST:
		return series_newest(n->series);
	case PYRO_NODE_TIME:
	case PYRO_NODE_FILE:
		return n->series->snaps[n->first + n->count - 1].src->time_nanos;
	default:
		return (int64_t)fs->mount_time * 1000000000;
	}
}

void pyro_node_stat_cheap(const struct pyro_fs *fs, const struct pyro_node *n,
			  struct stat *st)
{
	int64_t t = node_mtime(fs, n);

	memset(st, 0, sizeof(*st));
	st->st_ino = node_ino(n);
	st->st_uid = fs->uid;
	st->st_gid = fs->gid;
	st->st_blksize = 4096;
	st->st_mtim.tv_sec = (time_t)(t / 1000000000);
	st->st_mtim.tv_nsec = (long)(t % 1000000000);
	if (st->st_mtim.tv_nsec < 0) {
		st->st_mtim.tv_sec--;
		st->st_mtim.tv_nsec += 1000000000;
	}
	st->st_ctim = st->st_mtim;
	st->st_atim = st->st_mtim;
	switch (n->kind) {
	case PYRO_NODE_FILE:
	case PYRO_NODE_ERRORS:
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		break;
	case PYRO_NODE_LATEST:
		st->st_mode = S_IFLNK | 0777;
		st->st_nlink = 1;
		st->st_size = (off_t)strlen(n->span);
		break;
	default:
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
		break;
	}
}

int pyro_node_stat(struct pyro_fs *fs, const struct pyro_node *n,
		   struct stat *st)
{
	struct pyro_blob *b;
	int rc;

	pyro_node_stat_cheap(fs, n, st);
	if (n->kind != PYRO_NODE_FILE && n->kind != PYRO_NODE_ERRORS)
		return 0;
	rc = pyro_node_bytes(fs, n, &b);
	if (rc)
		return rc;
	st->st_size = (off_t)b->len;
	st->st_blocks = (blkcnt_t)((b->len + 511) / 512);
	pyro_obj_put(&b->obj);
	return 0;
}

int pyro_node_readlink(const struct pyro_node *n, const char **target)
{
	if (n->kind != PYRO_NODE_LATEST)
		return -EINVAL;
	*target = n->span;
	return 0;
}

int pyro_node_immutable(const struct pyro_node *n)
{
	return n->kind == PYRO_NODE_FILE;
}

/* ---- listing ------------------------------------------------------------- */

static int list_type(const struct pyro_node *n,
		     int (*fn)(void *, const char *, const struct pyro_node *),
		     void *ctx)
{
	struct pyro_node c = *n;
	size_t i;
	int stop;

	c.kind = PYRO_NODE_TIME;
	c.first = 0;
	c.count = n->series->nsnaps;
	c.span = "all";
	if ((stop = fn(ctx, "all", &c)))
		return stop;
	c.kind = PYRO_NODE_LATEST;
	c.first = n->series->nsnaps - 1;
	c.count = 1;
	c.span = n->series->snaps[c.first].name;
	if ((stop = fn(ctx, "latest", &c)))
		return stop;
	c.kind = PYRO_NODE_TIME;
	for (i = 0; i < n->series->nsnaps; i++) {
		c.first = i;
		c.span = n->series->snaps[i].name;
		if ((stop = fn(ctx, c.span, &c)))
			return stop;
	}
	return 0;
}

int pyro_node_list(const struct pyro_fs *fs, const struct pyro_node *n,
		   int (*fn)(void *ctx, const char *name,
			     const struct pyro_node *child),
		   void *ctx)
{
	struct pyro_node c = *n;
	size_t i;

	switch (n->kind) {
	case PYRO_NODE_ROOT:
		c.kind = PYRO_NODE_META;
		if (fn(ctx, META_DIR, &c))
			return 0;
		c.kind = PYRO_NODE_SERVICE;
		for (i = 0; i < fs->archive->nservices; i++) {
			c.svc = &fs->archive->services[i];
			if (fn(ctx, c.svc->name, &c))
				return 0;
		}
		return 0;
	case PYRO_NODE_META:
		c.kind = PYRO_NODE_ERRORS;
		fn(ctx, ERRORS_FILE, &c);
		return 0;
	case PYRO_NODE_SERVICE:
		c.kind = PYRO_NODE_TYPE;
		for (i = 0; i < n->svc->nseries; i++) {
			c.series = &n->svc->series[i];
			if (fn(ctx, c.series->type, &c))
				return 0;
		}
		return 0;
	case PYRO_NODE_TYPE:
		list_type(n, fn, ctx);
		return 0;
	case PYRO_NODE_TIME:
		c.kind = PYRO_NODE_FILE;
		for (i = 0; i < NFILE_KINDS; i++) {
			c.file = &file_kinds[i];
			if (fn(ctx, c.file->name, &c))
				return 0;
		}
		return 0;
	default:
		return -ENOTDIR;
	}
}

/* ---- bytes -------------------------------------------------------------- */

static void stacks_destroy(struct pyro_obj *o)
{
	struct shared_stacks *ss = (struct shared_stacks *)o;

	pyro_stacks_release(&ss->s);
	free(ss);
}

/* Rough bytes held by s: what the cache charges for it. */
static size_t stacks_cost(const struct pyro_stacks *s)
{
	return sizeof(struct shared_stacks) +
	       s->nrefs * sizeof(uint32_t) +
	       s->nstacks * (sizeof(struct pyro_stack) + 2 * sizeof(uint32_t)) +
	       s->nframes * (sizeof(struct pyro_frame) + 2 * sizeof(uint32_t)) +
	       s->strs.count * (sizeof(struct pyro_str) + 2 * sizeof(uint32_t) + 32);
}

/* The stacks of time node n (a file's node), cached, with a reference. */
static int node_stacks(struct pyro_fs *fs, const struct pyro_node *n,
		       struct shared_stacks **out)
{
	const struct pyro_snapshot **snaps = NULL;
	struct shared_stacks *ss;
	char key[PATH_MAX + 2], err[PYRO_ERR_MAX];
	size_t i;
	int rc;

	key[0] = 'S';
	key[1] = ':';
	{
		struct pyro_node t = *n;

		t.kind = PYRO_NODE_TIME;
		rc = node_key(&t, key + 2, sizeof(key) - 2);
		if (rc)
			return rc;
	}
	*out = (struct shared_stacks *)pyro_cache_get(fs->cache, key);
	if (*out)
		return 0;
	ss = calloc(1, sizeof(*ss));
	snaps = calloc(n->count, sizeof(*snaps));
	if (!ss || !snaps) {
		rc = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < n->count; i++)
		snaps[i] = &n->series->snaps[n->first + i];
	rc = pyro_merge_build(fs->archive, n->svc, n->series, snaps, n->count,
			      fs->opts.merge, n->span, &ss->s, err);
	if (rc)
		goto fail;
	pyro_obj_init(&ss->obj, stacks_cost(&ss->s), stacks_destroy);
	pyro_cache_put(fs->cache, key, &ss->obj);
	free(snaps);
	*out = ss;
	return 0;
fail:
	if (ss)
		pyro_stacks_release(&ss->s);
	free(ss);
	free(snaps);
	/* Decode problems are in /.pyrofs/errors; the read says EIO. */
	return rc == -ENOMEM ? rc : -EIO;
}

static int make_blob(struct pyro_buf *b, struct pyro_blob **out)
{
	size_t len;
	char *data;

	if (!b->data && pyro_buf_grow(b, 1))
		return -ENOMEM;
	data = pyro_buf_detach(b, &len);
	*out = pyro_blob_new(data, len);
	if (!*out) {
		free(data);
		return -ENOMEM;
	}
	return 0;
}

static int render_file(struct pyro_fs *fs, const struct pyro_node *n,
		       struct pyro_blob **out)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	struct shared_stacks *ss;
	int rc;

	rc = node_stacks(fs, n, &ss);
	if (rc)
		return rc;
	rc = n->file->render(&ss->s, &b);
	pyro_obj_put(&ss->obj);
	if (!rc)
		rc = make_blob(&b, out);
	pyro_buf_release(&b);
	return rc;
}

int pyro_node_bytes(struct pyro_fs *fs, const struct pyro_node *n,
		    struct pyro_blob **out)
{
	char key[PATH_MAX + 2];
	int rc;

	if (n->kind == PYRO_NODE_ERRORS) {
		/* Problems grow as profiles fail to decode: never cached. */
		struct pyro_buf b = PYRO_BUF_INIT;

		rc = pyro_archive_problems_text(fs->archive, &b);
		if (!rc)
			rc = make_blob(&b, out);
		pyro_buf_release(&b);
		return rc;
	}
	if (n->kind != PYRO_NODE_FILE)
		return -EISDIR;
	key[0] = 'B';
	key[1] = ':';
	rc = node_key(n, key + 2, sizeof(key) - 2);
	if (rc)
		return rc;
	*out = (struct pyro_blob *)pyro_cache_get(fs->cache, key);
	if (*out)
		return 0;
	rc = render_file(fs, n, out);
	if (!rc)
		pyro_cache_put(fs->cache, key, &(*out)->obj);
	return rc;
}
