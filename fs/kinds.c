/*
 * kinds.c - the table of node kinds, and what it answers for every node:
 * its canonical path, content identity, inode number, mode, times.
 *
 * Inode numbers.  A node's identity is its canonical path below the mount
 * ("api/cpu/2026-11-24T10-15-00Z/top.txt"; a path through `latest` names
 * the point it points to).  The inode number is a 64-bit FNV-1a hash of
 * that path, with 1 reserved for the root; a file's also mixes in its
 * content identity, so a changed file is a new inode.  It is stable across
 * mounts and needs no table; a collision among the few million nodes of
 * even a huge archive has a probability below 1e-6, and would only confuse
 * tools that compare inode numbers (hard-link detection), never the data
 * read.
 */
#include "node.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* ---- canonical paths, one per kind ---------------------------------------------- */

static int put(int len, size_t size)
{
	return len < 0 || (size_t)len >= size ? -ENAMETOOLONG : 0;
}

static int key_root(const struct pyro_node *n, char *out, size_t size)
{
	(void)n;
	return put(snprintf(out, size, "%s", ""), size);
}

static int key_meta(const struct pyro_node *n, char *out, size_t size)
{
	(void)n;
	return put(snprintf(out, size, "%s", META_DIR), size);
}

static int key_errors(const struct pyro_node *n, char *out, size_t size)
{
	(void)n;
	return put(snprintf(out, size, "%s/%s", META_DIR, ERRORS_FILE), size);
}

static int key_stats(const struct pyro_node *n, char *out, size_t size)
{
	(void)n;
	return put(snprintf(out, size, "%s/%s", META_DIR, STATS_FILE), size);
}

static int key_service(const struct pyro_node *n, char *out, size_t size)
{
	return put(snprintf(out, size, "%s", n->svc->name), size);
}

static int key_type(const struct pyro_node *n, char *out, size_t size)
{
	return put(snprintf(out, size, "%s/%s", n->svc->name, n->series->type),
		   size);
}

static int key_latest(const struct pyro_node *n, char *out, size_t size)
{
	return put(snprintf(out, size, "%s/%s/%s", n->svc->name,
			    n->series->type, n->time.rel), size);
}

/* "<dir>/<name>" for a file of the root, a service or a type directory
 * (n->svc and n->series say which). */
static int key_in_dir(const struct pyro_node *n, const char *a, const char *b,
		      char *out, size_t size)
{
	if (n->series)
		return put(snprintf(out, size, "%s/%s/%s%s", n->svc->name,
				    n->series->type, a, b), size);
	if (n->svc)
		return put(snprintf(out, size, "%s/%s%s", n->svc->name, a, b),
			   size);
	return put(snprintf(out, size, "%s%s", a, b), size);
}

static int key_page(const struct pyro_node *n, char *out, size_t size)
{
	return key_in_dir(n, n->page->name, "", out, size);
}

static int key_type_page(const struct pyro_node *n, char *out, size_t size)
{
	return key_in_dir(n, INDEX_FILE, "", out, size);
}

static int key_summary(const struct pyro_node *n, char *out, size_t size)
{
	return key_in_dir(n, SUMMARY_FILE, "", out, size);
}

static int key_alias(const struct pyro_node *n, char *out, size_t size)
{
	return key_in_dir(n, ALIAS_PREFIX, n->time.name, out, size);
}

static int key_series_file(const struct pyro_node *n, char *out, size_t size)
{
	return put(snprintf(out, size, "%s/%s/%s", n->svc->name,
			    n->series->type, n->sfile->name), size);
}

static int key_diff(const struct pyro_node *n, char *out, size_t size)
{
	return put(snprintf(out, size, "%s/%s/%s", n->svc->name,
			    n->series->type, DIFF_DIR), size);
}

static int key_diff_base(const struct pyro_node *n, char *out, size_t size)
{
	return put(snprintf(out, size, "%s/%s/%s/%s", n->svc->name,
			    n->series->type, DIFF_DIR,
			    n->deriv.arg.base.name), size);
}

static int key_time(const struct pyro_node *n, char *out, size_t size)
{
	struct pyro_tview v;

	pyro_tview_of(n, &v);
	return pyro_tview_key(&v, out, size);
}

/* "<time node path>/<suffix>", for the nodes inside a time node. */
static int key_in_time(const struct pyro_node *n, const char *a,
		       const char *b, char *out, size_t size)
{
	size_t len;
	int rc = key_time(n, out, size);

	if (rc)
		return rc;
	len = strlen(out);
	return put(snprintf(out + len, size - len, "/%s%s%s", a, b ? "/" : "",
			    b ? b : ""), size - len);
}

static int key_file(const struct pyro_node *n, char *out, size_t size)
{
	return key_in_time(n, n->file->name, NULL, out, size);
}

static int key_labels(const struct pyro_node *n, char *out, size_t size)
{
	return key_in_time(n, LABELS_DIR, NULL, out, size);
}

static int key_label_key(const struct pyro_node *n, char *out, size_t size)
{
	return key_in_time(n, LABELS_DIR, n->label_key, out, size);
}

static int key_functions(const struct pyro_node *n, char *out, size_t size)
{
	return key_in_time(n, FUNCTIONS_DIR, NULL, out, size);
}

static int key_function(const struct pyro_node *n, char *out, size_t size)
{
	return key_in_time(n, FUNCTIONS_DIR, n->func, out, size);
}

static int key_peek(const struct pyro_node *n, char *out, size_t size)
{
	size_t len;
	int rc = key_function(n, out, size);

	if (rc)
		return rc;
	len = strlen(out);
	return put(snprintf(out + len, size - len, "/%s", PEEK_FILE),
		   size - len);
}

int pyro_node_key(const struct pyro_node *n, char *out, size_t size)
{
	return kind_of(n)->key(n, out, size);
}

/* ---- content identity ------------------------------------------------------------ */

uint64_t pyro_node_ident(const struct pyro_fs *fs, const struct pyro_node *n,
			 int *open)
{
	const struct pyro_index_series *se = n->series;
	struct pyro_span all = { PYRO_SPAN_ALL, 0, 0, 0 };
	uint64_t h = PYRO_HASH_SEED ^ (uint64_t)fs->opts.merge;
	struct pyro_tview v;
	int o = 0;

	switch (kind_of(n)->content) {
	case PYRO_CONTENT_TIME:
		pyro_tview_of(n, &v);
		return pyro_tview_ident(fs, &v, open);
	case PYRO_CONTENT_SERIES:
		all.count = se->npoints;
		fs->src->ops->ident(fs->src, n->ix, se, &all, &h, &o);
		break;
	case PYRO_CONTENT_SERVICE:
		for (size_t i = 0; i < n->svc->nseries; i++) {
			int oi = 0;

			se = &n->svc->series[i];
			all.count = se->npoints;
			fs->src->ops->ident(fs->src, n->ix, se, &all, &h, &oi);
			o |= oi;
		}
		break;
	default:
		h = 0;
		break;
	}
	if (open)
		*open = o;
	return h;
}

static ino_t node_ino(const struct pyro_fs *fs, const struct pyro_node *n)
{
	char key[PATH_MAX];
	uint64_t h;

	/* The root's path is the only empty one. */
	if (pyro_node_key(n, key, sizeof(key)) || !key[0])
		return 1;
	h = pyro_hash_bytes(key, strlen(key), PYRO_HASH_SEED);
	if (S_ISREG(kind_of(n)->mode))
		h = pyro_ident_mix(h, pyro_node_ident(fs, n, NULL));
	return (ino_t)(h <= 1 ? h + 2 : h);
}

/* ---- times: the newest point below a node ---------------------------------------- */

static int64_t mtime_root(const struct pyro_fs *fs, const struct pyro_node *n)
{
	int64_t t = pyro_index_newest(n->ix);

	return t ? t : (int64_t)fs->mount_time * NS_PER_SEC;
}

static int64_t mtime_service(const struct pyro_fs *fs,
			     const struct pyro_node *n)
{
	(void)fs;
	return pyro_index_service_newest(n->svc);
}

static int64_t mtime_series(const struct pyro_fs *fs,
			    const struct pyro_node *n)
{
	(void)fs;
	return pyro_index_series_newest(n->series);
}

/* The newest point below a file of the root, a service or a type. */
static int64_t mtime_in_dir(const struct pyro_fs *fs,
			    const struct pyro_node *n)
{
	if (n->series)
		return mtime_series(fs, n);
	return n->svc ? mtime_service(fs, n) : mtime_root(fs, n);
}

static int64_t mtime_diff_base(const struct pyro_fs *fs,
			       const struct pyro_node *n)
{
	const struct pyro_span *sp = &n->deriv.arg.base.span;

	(void)fs;
	return n->series->points[sp->first + sp->count - 1].time_nanos;
}

static int64_t mtime_time(const struct pyro_fs *fs, const struct pyro_node *n)
{
	struct pyro_tview v;

	(void)fs;
	pyro_tview_of(n, &v);
	return pyro_tview_newest(&v);
}

/* ---- the table ----------------------------------------------------------------- */

#define DIR_MODE (S_IFDIR | 0555)
#define FILE_MODE (S_IFREG | 0444)
#define LINK_MODE (S_IFLNK | 0777)

const struct pyro_node_kind_ops pyro_node_kinds[PYRO_NODE_NKINDS] = {
	[PYRO_NODE_ROOT] = {
		.name = "root", .mode = DIR_MODE, .step = pyro_step_root,
		.list = pyro_list_root, .key = key_root, .mtime = mtime_root,
	},
	[PYRO_NODE_META] = {
		.name = "meta", .mode = DIR_MODE, .step = pyro_step_meta,
		.list = pyro_list_meta, .key = key_meta,
	},
	/* Problems and counters change with every read: never cached. */
	[PYRO_NODE_ERRORS] = {
		.name = "errors", .mode = FILE_MODE, .key = key_errors,
		.bytes = pyro_bytes_errors,
	},
	[PYRO_NODE_STATS] = {
		.name = "stats", .mode = FILE_MODE, .key = key_stats,
		.bytes = pyro_bytes_stats,
	},
	[PYRO_NODE_SERVICE] = {
		.name = "service", .mode = DIR_MODE, .step = pyro_step_service,
		.list = pyro_list_service, .key = key_service,
		.mtime = mtime_service,
	},
	[PYRO_NODE_TYPE] = {
		.name = "type", .mode = DIR_MODE, .step = pyro_step_type,
		.list = pyro_list_type, .key = key_type,
		.content = PYRO_CONTENT_SERIES, .mtime = mtime_series,
	},
	[PYRO_NODE_LATEST] = {
		.name = "latest", .mode = LINK_MODE, .key = key_latest,
		.mtime = mtime_series, .xattrs = 1,
	},
	[PYRO_NODE_TIME] = {
		.name = "time", .mode = DIR_MODE, .step = pyro_step_time,
		.list = pyro_list_time, .key = key_time,
		.content = PYRO_CONTENT_TIME, .mtime = mtime_time, .xattrs = 1,
	},
	[PYRO_NODE_FILE] = {
		.name = "file", .mode = FILE_MODE, .key = key_file,
		.content = PYRO_CONTENT_TIME, .mtime = mtime_time,
		.bytes = pyro_bytes_file, .cached = 1, .snapshot_pages = 1,
		.xattrs = 1,
	},
	[PYRO_NODE_SERIES_FILE] = {
		.name = "series file", .mode = FILE_MODE,
		.key = key_series_file, .content = PYRO_CONTENT_SERIES,
		.mtime = mtime_series, .bytes = pyro_bytes_series_file,
		.cached = 1, .sized_by_cache = 1,
	},
	/* diff/ and diff/<base>/ list a few useful names and resolve any
	 * other: listing every pair of time names would make `ls -R` walk
	 * N^2 directories. */
	[PYRO_NODE_DIFF] = {
		.name = "diff", .mode = DIR_MODE, .step = pyro_step_diff,
		.list = pyro_list_diff, .key = key_diff,
		.mtime = mtime_series,
	},
	[PYRO_NODE_DIFF_BASE] = {
		.name = "diff base", .mode = DIR_MODE,
		.step = pyro_step_diff_base, .list = pyro_list_diff_base,
		.key = key_diff_base, .mtime = mtime_diff_base,
	},
	/* Rendered from the index alone, on every read: cheap, so `ls -l`
	 * of the root decodes nothing, and never stale after a refresh. */
	[PYRO_NODE_PAGE] = {
		.name = "page", .mode = FILE_MODE, .key = key_page,
		.mtime = mtime_in_dir, .bytes = pyro_bytes_page,
	},
	/* Reads every series' history and newest stacks of its service:
	 * sized by its cached rendering, so a stat costs nothing. */
	[PYRO_NODE_SUMMARY] = {
		.name = "summary", .mode = FILE_MODE, .key = key_summary,
		.content = PYRO_CONTENT_SERVICE, .mtime = mtime_service,
		.bytes = pyro_bytes_summary, .cached = 1, .sized_by_cache = 1,
	},
	/* Reads its series' history, as growth.txt does. */
	[PYRO_NODE_TYPE_PAGE] = {
		.name = "type page", .mode = FILE_MODE, .key = key_type_page,
		.content = PYRO_CONTENT_SERIES, .mtime = mtime_series,
		.bytes = pyro_bytes_type_page, .cached = 1,
		.sized_by_cache = 1,
	},
	[PYRO_NODE_ALIAS] = {
		.name = "alias", .mode = LINK_MODE, .key = key_alias,
		.mtime = mtime_in_dir,
	},
	[PYRO_NODE_LABELS] = {
		.name = "labels", .mode = DIR_MODE, .step = pyro_step_labels,
		.list = pyro_list_labels, .key = key_labels,
		.content = PYRO_CONTENT_TIME, .mtime = mtime_time,
	},
	[PYRO_NODE_LABEL_KEY] = {
		.name = "label key", .mode = DIR_MODE,
		.step = pyro_step_label_key, .list = pyro_list_label_key,
		.key = key_label_key, .content = PYRO_CONTENT_TIME,
		.mtime = mtime_time,
	},
	[PYRO_NODE_FUNCTIONS] = {
		.name = "functions", .mode = DIR_MODE,
		.step = pyro_step_functions, .list = pyro_list_functions,
		.key = key_functions, .content = PYRO_CONTENT_TIME,
		.mtime = mtime_time,
	},
	[PYRO_NODE_FUNCTION] = {
		.name = "function", .mode = DIR_MODE,
		.step = pyro_step_function, .list = pyro_list_function,
		.key = key_function, .content = PYRO_CONTENT_TIME,
		.mtime = mtime_time,
	},
	[PYRO_NODE_PEEK] = {
		.name = "peek", .mode = FILE_MODE, .key = key_peek,
		.content = PYRO_CONTENT_TIME, .mtime = mtime_time,
		.bytes = pyro_bytes_peek, .cached = 1, .snapshot_pages = 1,
	},
};

/* ---- attributes ------------------------------------------------------------------ */

void pyro_node_stat_cheap(const struct pyro_fs *fs, const struct pyro_node *n,
			  struct stat *st)
{
	const struct pyro_node_kind_ops *k = kind_of(n);
	int64_t t = k->mtime ? k->mtime(fs, n) :
			       (int64_t)fs->mount_time * NS_PER_SEC;

	memset(st, 0, sizeof(*st));
	st->st_ino = node_ino(fs, n);
	st->st_uid = fs->uid;
	st->st_gid = fs->gid;
	st->st_blksize = 4096;
	st->st_mtim.tv_sec = (time_t)(t / NS_PER_SEC);
	st->st_mtim.tv_nsec = (long)(t % NS_PER_SEC);
	if (st->st_mtim.tv_nsec < 0) {
		st->st_mtim.tv_sec--;
		st->st_mtim.tv_nsec += NS_PER_SEC;
	}
	st->st_ctim = st->st_mtim;
	st->st_atim = st->st_mtim;
	st->st_mode = k->mode;
	st->st_nlink = S_ISDIR(k->mode) ? 2 : 1;
	if (S_ISLNK(k->mode))
		st->st_size = (off_t)strlen(n->time.name);
}

/* st_size of a file sized by its cache, in a listing: never rendered. */
static void size_from_cache(struct pyro_fs *fs, const struct pyro_node *n,
			    struct stat *st)
{
	struct pyro_blob *b;

	if (pyro_node_bytes_cached(fs, n, &b))
		return;                 /* not made yet: 0, as cheap left it */
	st->st_size = (off_t)b->len;
	st->st_blocks = (blkcnt_t)((b->len + 511) / 512);
	pyro_obj_put(&b->obj);
}

int pyro_node_stat_listed(struct pyro_fs *fs, const struct pyro_node *n,
			  struct stat *st)
{
	size_t i;

	pyro_node_stat_cheap(fs, n, st);
	if (S_ISREG(st->st_mode)) {
		if (!pyro_node_sized_by_cache(n))
			return 0;
		size_from_cache(fs, n, st);
		return 1;
	}
	/* Looking a pending service up indexes it (and gives its time). */
	if (n->svc)
		return !n->svc->pending;
	/* The root's names take the time of the newest point of any
	 * service: not final while one waits to be indexed. */
	for (i = 0; i < n->ix->nservices; i++)
		if (n->ix->services[i].pending)
			return 0;
	return 1;
}

int pyro_node_stat(struct pyro_fs *fs, const struct pyro_node *n,
		   struct stat *st)
{
	struct pyro_blob *b;
	int rc;

	pyro_node_stat_cheap(fs, n, st);
	if (!S_ISREG(st->st_mode))
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
	if (!S_ISLNK(kind_of(n)->mode))
		return -EINVAL;
	*target = n->time.name;
	return 0;
}

int pyro_node_sized_by_cache(const struct pyro_node *n)
{
	return kind_of(n)->sized_by_cache;
}

int pyro_node_immutable(const struct pyro_fs *fs, const struct pyro_node *n)
{
	int open = 0;

	/* Every file's inode changes with its content (pyro_node_ident), but
	 * the kernel keeps resolving a path to the inode it knows, with that
	 * inode's size, until the entry times out (1 s).  A point's files
	 * change only if its profile is rewritten in place under the same
	 * name: they may keep their pages, unless the source says the point
	 * is still open.  Merges, windows, diffs and series files change
	 * whenever a point arrives: they bypass the page cache (direct I/O),
	 * so a read is never clipped to an old size.  So do the files sized
	 * by their cache, whose listed size may be 0 (sized_by_cache, node.h). */
	if (pyro_node_sized_by_cache(n) || !kind_of(n)->snapshot_pages ||
	    !deriv_of(&n->deriv)->keeps_pages ||
	    n->time.span.kind != PYRO_SPAN_SNAPSHOT)
		return 0;
	pyro_node_ident(fs, n, &open);
	return !open;
}

int pyro_node_keep_pages(struct pyro_fs *fs, const struct pyro_node *n)
{
	char key[PATH_MAX];
	uint64_t ino;
	size_t slot;

	if (!pyro_node_immutable(fs, n) || pyro_node_key(n, key, sizeof(key)))
		return 0;
	slot = pyro_hash_bytes(key, strlen(key), PYRO_HASH_SEED) % PYRO_PAGE_SLOTS;
	ino = (uint64_t)node_ino(fs, n);
	/* Two paths sharing a slot only cost a page cache drop. */
	return atomic_exchange(&fs->pages[slot], ino) == ino;
}
