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
 * Caching.  The decoded stacks of a time node, its label set, the history
 * of a series and the rendered bytes of a file are cached under
 * "S:<node path>", "L:<node path>", "H:<type path>" and "B:<file path>"
 * (each followed by "#<content identity>") in one byte-bounded LRU.
 * Rendering happens outside the cache lock; two threads missing the same
 * file at once both render it and the second put wins, which costs time
 * but never correctness since output is deterministic.
 */
#include "fs.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../model/diff.h"
#include "../render/render.h"
#include "../render/text.h"

/* The files of time nodes.  Adding a file kind is one line here. */
static const struct pyro_file_kind file_kinds[] = {
	{ "flame.svg", pyro_flame_render, NULL },
	{ "folded", pyro_folded_render, NULL },
	{ "icicle.svg", pyro_icicle_render, NULL },
	{ "labels.txt", NULL, pyro_labels_render },
	{ "profile.pb.gz", pyro_export_pprof, NULL },
	{ "top.txt", pyro_top_render, NULL },
	{ "tree.txt", pyro_tree_render, NULL },
};

#define NFILE_KINDS (sizeof(file_kinds) / sizeof(file_kinds[0]))

/* The files of every type directory, from the series' history. */
static const struct pyro_series_file series_files[] = {
	{ "growth.txt", pyro_growth_render },
	{ "timeline.svg", pyro_timeline_svg_render },
	{ "timeline.txt", pyro_timeline_render },
};

#define NSERIES_FILES (sizeof(series_files) / sizeof(series_files[0]))
#define DIFF_DIR "diff"
#define LABELS_DIR "labels"
#define META_DIR ".pyrofs"
#define ERRORS_FILE "errors"

/* A time node's decoded stacks, shared through the cache. */
struct shared_stacks {
	struct pyro_obj obj;
	struct pyro_stacks s;
};

/* A time node's label set, shared through the cache. */
struct shared_labels {
	struct pyro_obj obj;
	struct pyro_label_set ls;
};

/* A series' history, shared through the cache. */
struct shared_history {
	struct pyro_obj obj;
	struct pyro_history h;
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
	o->rescan = 2;
}

const char pyro_fs_opts_help[] =
	"    -o cache_size=SIZE     bytes of rendered files and decoded profiles kept\n"
	"                           in memory (K, M, G suffixes; default 256M)\n"
	"    -o max_profile_size=SIZE\n"
	"                           refuse profiles that inflate to more than SIZE\n"
	"                           (default 512M)\n"
	"    -o merge=auto|pprof    how snapshots merge: auto (increase of cumulative\n"
	"                           series, mean of gauges, sum of rates; default) or\n"
	"                           pprof (always a plain sum, as `pprof a b c`)\n"
	"    -o rescan=SECONDS      check the archive for new, changed and removed\n"
	"                           profiles this often (default 2; 0: never)\n";

/* "2", "0.5": a non-negative number of seconds, at most a day. */
static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v >= 0 && v <= 86400))
		return -EINVAL;
	*out = v;
	return 0;
}

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
	else if (IS("rescan"))
		rc = parse_seconds(v, &o->rescan);
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
	pthread_mutex_init(&fs->lock, NULL);
	pthread_cond_init(&fs->wake, NULL);
	fs->mount_time = time(NULL);
	fs->uid = getuid();
	fs->gid = getgid();
	fs->cache = pyro_cache_new(opts->cache_size);
	if (!fs->cache) {
		free(fs);
		return -ENOMEM;
	}
	rc = pyro_archive_open(archive, opts->max_profile_size, &fs->archive, err);
	if (!rc && !(fs->root = strdup(fs->archive->root)))
		rc = -ENOMEM;
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
	if (fs->watching) {
		pthread_mutex_lock(&fs->lock);
		fs->stopping = 1;
		pthread_cond_signal(&fs->wake);
		pthread_mutex_unlock(&fs->lock);
		pthread_join(fs->watcher, NULL);
	}
	pyro_cache_free(fs->cache);
	pyro_archive_put(fs->archive);
	pthread_cond_destroy(&fs->wake);
	pthread_mutex_destroy(&fs->lock);
	free(fs->root);
	free(fs);
}

/* ---- following a live archive ------------------------------------------ */

/* A reference to the current index. */
static struct pyro_archive *acquire(struct pyro_fs *fs)
{
	struct pyro_archive *a;

	pthread_mutex_lock(&fs->lock);
	a = fs->archive;
	pyro_archive_get(a);
	pthread_mutex_unlock(&fs->lock);
	return a;
}

/* Make a (one reference, handed over) the current index. */
static void install(struct pyro_fs *fs, struct pyro_archive *a, int gone)
{
	struct pyro_archive *old;

	pthread_mutex_lock(&fs->lock);
	old = fs->archive;
	fs->archive = a;
	fs->archive_gone = gone;
	pthread_mutex_unlock(&fs->lock);
	pyro_archive_put(old);
}

int pyro_fs_rescan(struct pyro_fs *fs)
{
	struct pyro_archive *cur = acquire(fs), *next = NULL;
	char err[PYRO_ERR_MAX], reason[PYRO_ERR_MAX + 64];
	uint64_t fp = 0;
	int rc, gone;

	rc = pyro_archive_fingerprint(fs->root, &fp);
	pthread_mutex_lock(&fs->lock);
	gone = fs->archive_gone;
	pthread_mutex_unlock(&fs->lock);
	if ((rc == 0 && !gone && fp == cur->fingerprint) || (rc && gone)) {
		pyro_archive_put(cur);
		return 0;       /* nothing new (or still gone) */
	}
	pyro_archive_put(cur);
	if (rc == 0)
		rc = pyro_archive_open(fs->root, fs->opts.max_profile_size, &next,
				       err);
	else
		snprintf(err, sizeof(err), "%s", strerror(-rc));
	if (rc == -ENOMEM)
		return rc;
	if (rc) {
		/* ARCHIVE itself is gone or unreadable: serve an empty tree
		 * that says so, until it comes back. */
		snprintf(reason, sizeof(reason), "archive unreadable: %s", err);
		rc = pyro_archive_empty(fs->root, reason, &next);
		if (rc)
			return rc;
		install(fs, next, 1);
		return 1;
	}
	install(fs, next, 0);
	return 1;
}

static void *watch_main(void *arg)
{
	struct pyro_fs *fs = arg;
	struct timespec until;
	double secs = fs->opts.rescan;

	pthread_mutex_lock(&fs->lock);
	while (!fs->stopping) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t)secs;
		until.tv_nsec += (long)((secs - (double)(time_t)secs) * 1e9);
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&fs->wake, &fs->lock, &until);
		if (fs->stopping)
			break;
		pthread_mutex_unlock(&fs->lock);
		pyro_fs_rescan(fs);
		pthread_mutex_lock(&fs->lock);
	}
	pthread_mutex_unlock(&fs->lock);
	return NULL;
}

int pyro_fs_watch(struct pyro_fs *fs)
{
	int rc;

	if (fs->opts.rescan <= 0 || fs->watching)
		return 0;
	rc = -pthread_create(&fs->watcher, NULL, watch_main, fs);
	if (!rc)
		fs->watching = 1;
	return rc;
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

/* Resolve a time name of the node's series into ref. */
static int resolve_time(const struct pyro_series *se, const char *name,
			struct pyro_time_ref *ref)
{
	int rc = pyro_span_resolve(se, name, &ref->span);

	if (rc)
		return rc;
	/* `latest` names its snapshot, so both share inodes and cache. */
	snprintf(ref->name, sizeof(ref->name), "%s",
		 ref->span.kind == PYRO_SPAN_LATEST ?
		 se->snaps[ref->span.first].name : name);
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

static const struct pyro_series_file *find_series_file(const char *name)
{
	size_t i;

	for (i = 0; i < NSERIES_FILES; i++)
		if (!strcmp(series_files[i].name, name))
			return &series_files[i];
	return NULL;
}

/* Children of a type directory: series files, diff/, time names. */
static int step_type(struct pyro_node *n, const char *comp, int last)
{
	int rc;

	n->sfile = find_series_file(comp);
	if (n->sfile) {
		n->kind = PYRO_NODE_SERIES_FILE;
		return 0;
	}
	if (!strcmp(comp, DIFF_DIR)) {
		n->kind = PYRO_NODE_DIFF;
		return 0;
	}
	rc = resolve_time(n->series, comp, &n->time);
	if (rc)
		return rc;
	/* `latest` itself is a symlink; through it, a directory. */
	n->kind = last && n->time.span.kind == PYRO_SPAN_LATEST ?
		  PYRO_NODE_LATEST : PYRO_NODE_TIME;
	return 0;
}

/* A label node is a time node restricted to one label value. */
static int is_label_node(const struct pyro_node *n)
{
	return n->label_value[0] != '\0';
}

/* labels/ lives in plain time nodes: not in diffs, not in label nodes. */
static int has_labels_dir(const struct pyro_node *n)
{
	return !n->is_diff && !is_label_node(n);
}

/* Whether time node n has file kind fk: labels.txt only where labels/ is. */
static int has_file(const struct pyro_node *n, const struct pyro_file_kind *fk)
{
	return fk->render || has_labels_dir(n);
}

static int time_labels(struct pyro_fs *fs, const struct pyro_node *n,
		       struct shared_labels **out);

/* labels/<key> (want_value 0) and labels/<key>/<value> (1): names that the
 * node's label set has, found by building it (or in the cache). */
static int step_label(struct pyro_fs *fs, struct pyro_node *n,
		      const char *comp, int want_value)
{
	const struct pyro_label_key *k;
	struct shared_labels *sl;
	size_t len = strlen(comp);
	int rc;

	if (len > PYRO_LABEL_NAME_MAX)
		return -ENOENT;
	rc = time_labels(fs, n, &sl);
	if (rc)
		return rc;
	k = pyro_label_set_key(&sl->ls, want_value ? n->label_key : comp);
	if (k && want_value && !pyro_label_key_value(k, comp))
		k = NULL;
	pyro_obj_put(&sl->obj);
	if (!k)
		return -ENOENT;
	memcpy(want_value ? n->label_value : n->label_key, comp, len + 1);
	n->kind = want_value ? PYRO_NODE_TIME : PYRO_NODE_LABEL_KEY;
	return 0;
}

/* Descend from node n into the child called comp. */
static int resolve_in(struct pyro_fs *fs, const char *path,
		      struct pyro_node *n);

static int step(struct pyro_fs *fs, struct pyro_node *n,
		const char *comp, int last)
{
	switch (n->kind) {
	case PYRO_NODE_ROOT:
		if (!strcmp(comp, META_DIR)) {
			n->kind = PYRO_NODE_META;
			return 0;
		}
		n->svc = pyro_archive_service(n->archive, comp);
		n->kind = PYRO_NODE_SERVICE;
		return n->svc ? 0 : -ENOENT;
	case PYRO_NODE_META:
		n->kind = PYRO_NODE_ERRORS;
		return strcmp(comp, ERRORS_FILE) ? -ENOENT : 0;
	case PYRO_NODE_SERVICE:
		n->series = pyro_service_series(n->svc, comp);
		n->kind = PYRO_NODE_TYPE;
		return n->series ? 0 : -ENOENT;
	case PYRO_NODE_TYPE:
	case PYRO_NODE_LATEST:
		return step_type(n, comp, last);
	case PYRO_NODE_DIFF:
		n->kind = PYRO_NODE_DIFF_BASE;
		return resolve_time(n->series, comp, &n->base);
	case PYRO_NODE_DIFF_BASE:
		n->kind = PYRO_NODE_TIME;
		n->is_diff = 1;
		return resolve_time(n->series, comp, &n->time);
	case PYRO_NODE_TIME:
		if (!strcmp(comp, LABELS_DIR) && has_labels_dir(n)) {
			n->kind = PYRO_NODE_LABELS;
			return 0;
		}
		n->file = find_file_kind(comp);
		n->kind = PYRO_NODE_FILE;
		return n->file && has_file(n, n->file) ? 0 : -ENOENT;
	case PYRO_NODE_LABELS:
		return step_label(fs, n, comp, 0);
	case PYRO_NODE_LABEL_KEY:
		return step_label(fs, n, comp, 1);
	default:
		return -ENOTDIR;
	}
}

int pyro_resolve(struct pyro_fs *fs, const char *path, struct pyro_node *n)
{
	int rc;

	memset(n, 0, sizeof(*n));
	n->archive = acquire(fs);
	rc = resolve_in(fs, path, n);
	if (rc)
		pyro_node_release(n);
	return rc;
}

void pyro_node_release(struct pyro_node *n)
{
	pyro_archive_put(n->archive);
	n->archive = NULL;
}

/* Resolve path in n->archive (already referenced). */
static int resolve_in(struct pyro_fs *fs, const char *path,
		      struct pyro_node *n)
{
	char comp[NAME_MAX + 1];
	const char *p = path;
	int rc;

	n->kind = PYRO_NODE_ROOT;
	while ((rc = next_component(&p, comp)) > 0) {
		const char *rest = p;

		while (*rest == '/')
			rest++;
		/* A trailing slash asks for a directory: follow `latest`. */
		rc = step(fs, n, comp, *p == '\0');
		if (rc)
			return rc == -ENOTDIR ? -ENOENT : rc;
		if (*rest == '\0' && *p == '/' &&
		    (n->kind == PYRO_NODE_FILE || n->kind == PYRO_NODE_ERRORS ||
		     n->kind == PYRO_NODE_SERIES_FILE))
			return -ENOTDIR;
		if (n->kind == PYRO_NODE_LATEST && *rest == '\0' && *p == '/')
			n->kind = PYRO_NODE_TIME;
	}
	return rc;
}

/* ---- attributes ------------------------------------------------------- */

/* Canonical path of n (no leading slash): the identity of a node. */
static int node_key(const struct pyro_node *n, char *out, size_t size)
{
	const char *svc = n->svc ? n->svc->name : "";
	const char *type = n->series ? n->series->type : "";
	char time[PATH_MAX];
	int len;

	if (n->is_diff)
		snprintf(time, sizeof(time), "%s/%s/%s", DIFF_DIR, n->base.name,
			 n->time.name);
	else if (is_label_node(n))
		snprintf(time, sizeof(time), "%s/%s/%s/%s", n->time.name,
			 LABELS_DIR, n->label_key, n->label_value);
	else
		snprintf(time, sizeof(time), "%s", n->time.name);
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
		len = snprintf(out, size, "%s", svc);
		break;
	case PYRO_NODE_TYPE:
		len = snprintf(out, size, "%s/%s", svc, type);
		break;
	case PYRO_NODE_LATEST:
		len = snprintf(out, size, "%s/%s/latest", svc, type);
		break;
	case PYRO_NODE_TIME:
		len = snprintf(out, size, "%s/%s/%s", svc, type, time);
		break;
	case PYRO_NODE_FILE:
		len = snprintf(out, size, "%s/%s/%s/%s", svc, type, time,
			       n->file->name);
		break;
	case PYRO_NODE_SERIES_FILE:
		len = snprintf(out, size, "%s/%s/%s", svc, type, n->sfile->name);
		break;
	case PYRO_NODE_DIFF:
		len = snprintf(out, size, "%s/%s/%s", svc, type, DIFF_DIR);
		break;
	case PYRO_NODE_DIFF_BASE:
		len = snprintf(out, size, "%s/%s/%s/%s", svc, type, DIFF_DIR,
			       n->base.name);
		break;
	case PYRO_NODE_LABELS:
		len = snprintf(out, size, "%s/%s/%s/%s", svc, type, time,
			       LABELS_DIR);
		break;
	case PYRO_NODE_LABEL_KEY:
		len = snprintf(out, size, "%s/%s/%s/%s/%s", svc, type, time,
			       LABELS_DIR, n->label_key);
		break;
	default:
		return -EINVAL;
	}
	return len < 0 || (size_t)len >= size ? -ENAMETOOLONG : 0;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdULL;
}

/* The files a span reads, baseline included, by their identities. */
static uint64_t span_ident(const struct pyro_series *se,
			   const struct pyro_span *sp, uint64_t h)
{
	size_t i = sp->has_baseline ? sp->first - 1 : sp->first;

	for (; i < sp->first + sp->count; i++)
		h = mix(h, se->snaps[i].src->ident ^ se->snaps[i].type_index);
	return h;
}

/*
 * What a node's content is made of: a hash of the identity (path, size,
 * mtime, inode) of every profile file it reads, and of the merge policy.
 * It goes into cache keys and file inode numbers, so when the archive
 * changes, a node whose inputs changed is a new object - never stale bytes
 * from the cache, never old pages from the kernel's - while nodes whose
 * inputs did not change keep their cache.  0 for nodes without content.
 */
static uint64_t node_ident(const struct pyro_node *n, int policy)
{
	uint64_t h = PYRO_HASH_SEED ^ (uint64_t)policy;
	size_t i;

	switch (n->kind) {
	case PYRO_NODE_TIME:
	case PYRO_NODE_FILE:
	case PYRO_NODE_LABELS:
	case PYRO_NODE_LABEL_KEY:
		h = span_ident(n->series, &n->time.span, h);
		if (n->is_diff)
			h = span_ident(n->series, &n->base.span, mix(h, 1));
		return h;
	case PYRO_NODE_TYPE:
	case PYRO_NODE_SERIES_FILE:
		for (i = 0; i < n->series->nsnaps; i++)
			h = mix(h, n->series->snaps[i].src->ident ^
				   n->series->snaps[i].type_index);
		return h;
	default:
		return 0;
	}
}

/* Inode numbers hash the node's path; a file's also hashes its content
 * identity (node_ident), so a changed file is a new inode. */
static ino_t node_ino(const struct pyro_fs *fs, const struct pyro_node *n)
{
	char key[PATH_MAX];
	uint64_t h;

	if (n->kind == PYRO_NODE_ROOT || node_key(n, key, sizeof(key)))
		return 1;
	h = pyro_hash_bytes(key, strlen(key), PYRO_HASH_SEED);
	if (n->kind == PYRO_NODE_FILE || n->kind == PYRO_NODE_SERIES_FILE)
		h = mix(h, node_ident(n, fs->opts.merge));
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

static int64_t span_newest(const struct pyro_series *se,
			   const struct pyro_span *sp)
{
	return se->snaps[sp->first + sp->count - 1].src->time_nanos;
}

/* Modification time in nanoseconds: the newest snapshot below a node. */
static int64_t node_mtime(const struct pyro_fs *fs, const struct pyro_node *n)
{
	int64_t t = 0;
	size_t i;

	switch (n->kind) {
	case PYRO_NODE_ROOT:
		for (i = 0; i < n->archive->nservices; i++)
			if (service_newest(&n->archive->services[i]) > t)
				t = service_newest(&n->archive->services[i]);
		return t ? t : (int64_t)fs->mount_time * 1000000000;
	case PYRO_NODE_SERVICE:
		return service_newest(n->svc);
	case PYRO_NODE_TYPE:
	case PYRO_NODE_LATEST:
	case PYRO_NODE_SERIES_FILE:
	case PYRO_NODE_DIFF:
		return series_newest(n->series);
	case PYRO_NODE_DIFF_BASE:
		return span_newest(n->series, &n->base.span);
	case PYRO_NODE_TIME:
	case PYRO_NODE_FILE:
	case PYRO_NODE_LABELS:
	case PYRO_NODE_LABEL_KEY:
		t = span_newest(n->series, &n->time.span);
		if (n->is_diff && span_newest(n->series, &n->base.span) > t)
			t = span_newest(n->series, &n->base.span);
		return t;
	default:
		return (int64_t)fs->mount_time * 1000000000;
	}
}

static int is_file(const struct pyro_node *n)
{
	return n->kind == PYRO_NODE_FILE || n->kind == PYRO_NODE_ERRORS ||
	       n->kind == PYRO_NODE_SERIES_FILE;
}

void pyro_node_stat_cheap(const struct pyro_fs *fs, const struct pyro_node *n,
			  struct stat *st)
{
	int64_t t = node_mtime(fs, n);

	memset(st, 0, sizeof(*st));
	st->st_ino = node_ino(fs, n);
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
	if (is_file(n)) {
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
	} else if (n->kind == PYRO_NODE_LATEST) {
		st->st_mode = S_IFLNK | 0777;
		st->st_nlink = 1;
		st->st_size = (off_t)strlen(n->time.name);
	} else {
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
	}
}

int pyro_node_stat(struct pyro_fs *fs, const struct pyro_node *n,
		   struct stat *st)
{
	struct pyro_blob *b;
	int rc;

	pyro_node_stat_cheap(fs, n, st);
	if (!is_file(n))
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
	*target = n->time.name;
	return 0;
}

int pyro_node_immutable(const struct pyro_node *n)
{
	/* Every file's inode changes with its content (node_ident), but the
	 * kernel keeps resolving a path to the inode it knows, with that
	 * inode's size, until the entry times out (1 s).  A snapshot's files
	 * change only if its profile is rewritten in place under the same
	 * name: they may keep their pages.  Merges, windows, diffs and series
	 * files change whenever a snapshot arrives: they bypass the page
	 * cache (direct I/O), so a read is never clipped to an old size. */
	return n->kind == PYRO_NODE_FILE && !n->is_diff &&
	       n->time.span.kind == PYRO_SPAN_SNAPSHOT;
}

int pyro_node_keep_pages(struct pyro_fs *fs, const struct pyro_node *n)
{
	char key[PATH_MAX];
	uint64_t ino;
	size_t slot;

	if (!pyro_node_immutable(n) || node_key(n, key, sizeof(key)))
		return 0;
	slot = pyro_hash_bytes(key, strlen(key), PYRO_HASH_SEED) % PYRO_PAGE_SLOTS;
	ino = (uint64_t)node_ino(fs, n);
	/* Two paths sharing a slot only cost a page cache drop. */
	return atomic_exchange(&fs->pages[slot], ino) == ino;
}

/* ---- listing ------------------------------------------------------------- */

struct list_ctx {
	struct pyro_node child;
	int (*fn)(void *, const char *, const struct pyro_node *);
	void *ctx;
};

/* Offer one time name of a type directory as a child directory. */
static int list_time(void *arg, const char *name)
{
	struct list_ctx *lc = arg;

	if (resolve_time(lc->child.series, name, &lc->child.time))
		return 0;
	lc->child.kind = PYRO_NODE_TIME;
	return lc->fn(lc->ctx, name, &lc->child);
}

static int list_type(const struct pyro_node *n,
		     int (*fn)(void *, const char *, const struct pyro_node *),
		     void *ctx)
{
	struct list_ctx lc = { *n, fn, ctx };
	size_t i;
	int stop;

	if ((stop = list_time(&lc, "all")))
		return stop;
	resolve_time(n->series, "latest", &lc.child.time);
	lc.child.kind = PYRO_NODE_LATEST;
	if ((stop = fn(ctx, "latest", &lc.child)))
		return stop;
	if ((stop = pyro_span_windows(n->series, list_time, &lc)))
		return stop;
	for (i = 0; i < n->series->nsnaps; i++)
		if ((stop = list_time(&lc, n->series->snaps[i].name)))
			return stop;
	lc.child.kind = PYRO_NODE_SERIES_FILE;
	for (i = 0; i < NSERIES_FILES; i++) {
		lc.child.sfile = &series_files[i];
		if ((stop = fn(ctx, series_files[i].name, &lc.child)))
			return stop;
	}
	lc.child.kind = PYRO_NODE_DIFF;
	return fn(ctx, DIFF_DIR, &lc.child);
}

/* Children of labels/ (the keys) or of labels/<key> (its values). */
static int list_labels(struct pyro_fs *fs, const struct pyro_node *n,
		       int (*fn)(void *, const char *, const struct pyro_node *),
		       void *ctx)
{
	struct pyro_node c = *n;
	const struct pyro_label_key *k;
	struct shared_labels *sl;
	size_t i;
	int rc = time_labels(fs, n, &sl);

	if (rc)
		return rc;
	if (n->kind == PYRO_NODE_LABELS) {
		c.kind = PYRO_NODE_LABEL_KEY;
		for (i = 0; i < sl->ls.nkeys; i++) {
			snprintf(c.label_key, sizeof(c.label_key), "%s",
				 sl->ls.keys[i].name);
			if (fn(ctx, c.label_key, &c))
				break;
		}
	} else if ((k = pyro_label_set_key(&sl->ls, n->label_key))) {
		c.kind = PYRO_NODE_TIME;
		for (i = 0; i < k->nvalues; i++) {
			snprintf(c.label_value, sizeof(c.label_value), "%s",
				 k->values[i].name);
			if (fn(ctx, c.label_value, &c))
				break;
		}
	}
	pyro_obj_put(&sl->obj);
	return 0;
}

int pyro_node_list(struct pyro_fs *fs, const struct pyro_node *n,
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
		for (i = 0; i < n->archive->nservices; i++) {
			c.svc = &n->archive->services[i];
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
	case PYRO_NODE_DIFF:
	case PYRO_NODE_DIFF_BASE:
		/* Lookup only: listing every pair of time names would make
		 * `ls -R` and file managers walk N^2 directories. */
		return 0;
	case PYRO_NODE_TIME:
		c.kind = PYRO_NODE_FILE;
		for (i = 0; i < NFILE_KINDS; i++) {
			c.file = &file_kinds[i];
			if (has_file(n, c.file) && fn(ctx, c.file->name, &c))
				return 0;
		}
		c.kind = PYRO_NODE_LABELS;
		if (has_labels_dir(n))
			fn(ctx, LABELS_DIR, &c);
		return 0;
	case PYRO_NODE_LABELS:
	case PYRO_NODE_LABEL_KEY:
		return list_labels(fs, n, fn, ctx);
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

static void history_destroy(struct pyro_obj *o)
{
	struct shared_history *sh = (struct shared_history *)o;

	pyro_history_release(&sh->h);
	free(sh);
}

/* What the cache charges for s: its allocated bytes (an estimate from
 * counts undercharged by a third, and the daemon outgrew its bound). */
static size_t stacks_cost(const struct pyro_stacks *s)
{
	return sizeof(struct shared_stacks) + pyro_stacks_bytes(s);
}

/* "S:<node path>#<identity>": see node_ident. */
static int cache_key(const struct pyro_fs *fs, const struct pyro_node *n,
		     char tag, char *key, size_t size)
{
	size_t len;
	int rc;

	key[0] = tag;
	key[1] = ':';
	rc = node_key(n, key + 2, size - 2);
	if (rc)
		return rc;
	len = strlen(key);
	if (size - len < 18)
		return -ENAMETOOLONG;
	snprintf(key + len, size - len, "#%016llx",
		 (unsigned long long)node_ident(n, fs->opts.merge));
	return 0;
}

/* The snapshots span sp of n's series covers, oldest first (an array
 * owned by the caller), and the baseline before them or NULL. */
static const struct pyro_snapshot **span_members(const struct pyro_node *n,
						 const struct pyro_span *sp,
						 const struct pyro_snapshot **base)
{
	const struct pyro_snapshot **snaps = calloc(sp->count, sizeof(*snaps));
	size_t i;

	for (i = 0; snaps && i < sp->count; i++)
		snaps[i] = &n->series->snaps[sp->first + i];
	*base = sp->has_baseline ? &n->series->snaps[sp->first - 1] : NULL;
	return snaps;
}

/* Merge (or load) the snapshots that ref covers into out, the samples
 * passing f only (NULL: all). */
static int build_span(struct pyro_fs *fs, const struct pyro_node *n,
		      const struct pyro_time_ref *ref,
		      const struct pyro_merge_filter *f, struct pyro_stacks *out)
{
	const struct pyro_snapshot **snaps, *base;
	char err[PYRO_ERR_MAX];
	int rc;

	snaps = span_members(n, &ref->span, &base);
	if (!snaps)
		return -ENOMEM;
	rc = pyro_merge_build_filtered(n->archive, n->svc, n->series, snaps,
				       ref->span.count, base, fs->opts.merge,
				       ref->name, f, out, err);
	free(snaps);
	return rc;
}

static int time_stacks(struct pyro_fs *fs, const struct pyro_node *n,
		       struct shared_stacks **out);

/* The diff of n's base and time, built from their (cached) stacks. */
static int build_diff(struct pyro_fs *fs, const struct pyro_node *n,
		      struct pyro_stacks *out)
{
	struct shared_stacks *base = NULL, *target = NULL;
	struct pyro_node b = *n, t = *n;
	int rc;

	b.is_diff = t.is_diff = 0;
	b.time = n->base;
	rc = time_stacks(fs, &b, &base);
	if (!rc)
		rc = time_stacks(fs, &t, &target);
	if (!rc)
		rc = pyro_diff_build(&base->s, &target->s, n->base.name, out);
	if (base)
		pyro_obj_put(&base->obj);
	if (target)
		pyro_obj_put(&target->obj);
	return rc;
}

/* The time node that n (a label node, labels/, a key, or one of their
 * files) lies in. */
static struct pyro_node unlabelled(const struct pyro_node *n)
{
	struct pyro_node t = *n;

	t.kind = PYRO_NODE_TIME;
	t.label_key[0] = t.label_value[0] = '\0';
	return t;
}

/* The stacks of label node n: the samples of its time node carrying the
 * label, merged by the time node's rule, percentages of its total. */
static int build_label(struct pyro_fs *fs, const struct pyro_node *n,
		       struct pyro_stacks *out)
{
	struct pyro_merge_filter f = { 0 };
	struct shared_stacks *whole = NULL;
	struct shared_labels *sl = NULL;
	const struct pyro_label_value *v = NULL;
	const struct pyro_label_key *k = NULL;
	struct pyro_node t = unlabelled(n);
	int rc;

	rc = time_stacks(fs, &t, &whole);
	if (!rc)
		rc = time_labels(fs, &t, &sl);
	if (!rc)
		rc = pyro_stacks_total(&whole->s, &f.whole_total);
	if (!rc && (k = pyro_label_set_key(&sl->ls, n->label_key)))
		v = pyro_label_key_value(k, n->label_value);
	if (!rc && !v)
		rc = -ENOENT;
	if (!rc) {
		f.key = k->text;
		f.key_len = k->len;
		f.value = v->text;
		f.value_len = v->len;
		if (v->kinds == PYRO_LABEL_NUMBER)
			f.unit = k->unit;
		f.rule = whole->s.meta.rule;
		rc = build_span(fs, n, &n->time, &f, out);
	}
	if (sl)
		pyro_obj_put(&sl->obj);
	if (whole)
		pyro_obj_put(&whole->obj);
	return rc;
}

/* The stacks of time node n (or of a file's node), cached, referenced. */
static int time_stacks(struct pyro_fs *fs, const struct pyro_node *n,
		       struct shared_stacks **out)
{
	struct pyro_node t = *n;
	struct shared_stacks *ss;
	char key[PATH_MAX + 2];
	int rc;

	t.kind = PYRO_NODE_TIME;
	rc = cache_key(fs, &t, 'S', key, sizeof(key));
	if (rc)
		return rc;
	*out = (struct shared_stacks *)pyro_cache_get(fs->cache, key);
	if (*out)
		return 0;
	ss = calloc(1, sizeof(*ss));
	if (!ss)
		return -ENOMEM;
	if (n->is_diff)
		rc = build_diff(fs, n, &ss->s);
	else if (is_label_node(n))
		rc = build_label(fs, n, &ss->s);
	else
		rc = build_span(fs, n, &n->time, NULL, &ss->s);
	if (rc) {
		pyro_stacks_release(&ss->s);
		free(ss);
		/* Decode problems are in /.pyrofs/errors; the read says EIO. */
		return rc == -ENOMEM ? rc : -EIO;
	}
	pyro_obj_init(&ss->obj, stacks_cost(&ss->s), stacks_destroy);
	pyro_cache_put(fs->cache, key, &ss->obj);
	*out = ss;
	return 0;
}

static void labels_destroy(struct pyro_obj *o)
{
	struct shared_labels *sl = (struct shared_labels *)o;

	pyro_label_set_release(&sl->ls);
	free(sl);
}

/* The label set of n's time node (n may be the node itself, labels/, a
 * key or a label node below it, or one of their files), cached,
 * referenced.  Combining members needs the rule their stacks merged by:
 * one snapshot needs no merge, anything else asks the (cached) stacks. */
static int time_labels(struct pyro_fs *fs, const struct pyro_node *n,
		       struct shared_labels **out)
{
	const struct pyro_snapshot **snaps, *base;
	enum pyro_merge_rule rule = PYRO_MERGE_SINGLE;
	const struct pyro_span *sp = &n->time.span;
	struct pyro_node t = unlabelled(n);
	struct shared_stacks *ss;
	struct shared_labels *sl;
	char key[PATH_MAX + 2], err[PYRO_ERR_MAX];
	int rc;

	rc = cache_key(fs, &t, 'L', key, sizeof(key));
	if (rc)
		return rc;
	*out = (struct shared_labels *)pyro_cache_get(fs->cache, key);
	if (*out)
		return 0;
	if (sp->count > 1 || sp->has_baseline) {
		rc = time_stacks(fs, &t, &ss);
		if (rc)
			return rc;
		rule = ss->s.meta.rule;
		pyro_obj_put(&ss->obj);
	}
	sl = calloc(1, sizeof(*sl));
	snaps = span_members(&t, sp, &base);
	rc = sl && snaps ? 0 : -ENOMEM;
	if (!rc)
		rc = pyro_merge_labels(t.archive, snaps, sp->count, base, rule,
				       &sl->ls, err);
	free(snaps);
	if (rc) {
		if (sl)
			pyro_label_set_release(&sl->ls);
		free(sl);
		return rc == -ENOMEM ? rc : -EIO;
	}
	pyro_obj_init(&sl->obj, sizeof(*sl) + pyro_label_set_bytes(&sl->ls),
		      labels_destroy);
	pyro_cache_put(fs->cache, key, &sl->obj);
	*out = sl;
	return 0;
}

/* The history of n's series, cached, referenced. */
static int series_history(struct pyro_fs *fs, const struct pyro_node *n,
			  struct shared_history **out)
{
	struct pyro_node t = *n;
	struct shared_history *sh;
	char key[PATH_MAX + 2], err[PYRO_ERR_MAX];
	int rc;

	t.kind = PYRO_NODE_TYPE;
	rc = cache_key(fs, &t, 'H', key, sizeof(key));
	if (rc)
		return rc;
	*out = (struct shared_history *)pyro_cache_get(fs->cache, key);
	if (*out)
		return 0;
	sh = calloc(1, sizeof(*sh));
	if (!sh)
		return -ENOMEM;
	rc = pyro_history_build(n->archive, n->svc, n->series, &sh->h, err);
	if (rc) {
		pyro_history_release(&sh->h);
		free(sh);
		return rc == -ENOMEM ? rc : -EIO;
	}
	pyro_obj_init(&sh->obj, sizeof(*sh) + sh->h.nfuncs *
		      (sizeof(struct pyro_history_func) + 48) +
		      sh->h.nsnaps * 24, history_destroy);
	pyro_cache_put(fs->cache, key, &sh->obj);
	*out = sh;
	return 0;
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

/* Render a file node into buf. */
static int render(struct pyro_fs *fs, const struct pyro_node *n,
		  struct pyro_buf *b)
{
	struct shared_history *sh;
	struct shared_stacks *ss;
	struct shared_labels *sl;
	int rc;

	if (n->kind == PYRO_NODE_SERIES_FILE) {
		rc = series_history(fs, n, &sh);
		if (rc)
			return rc;
		rc = n->sfile->render(&sh->h, b);
		pyro_obj_put(&sh->obj);
		return rc;
	}
	if (n->file->render_labels) {
		rc = time_labels(fs, n, &sl);
		if (rc)
			return rc;
		rc = n->file->render_labels(&sl->ls, b);
		pyro_obj_put(&sl->obj);
		return rc;
	}
	rc = time_stacks(fs, n, &ss);
	if (rc)
		return rc;
	rc = n->file->render(&ss->s, b);
	pyro_obj_put(&ss->obj);
	return rc;
}

int pyro_node_bytes(struct pyro_fs *fs, const struct pyro_node *n,
		    struct pyro_blob **out)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	char key[PATH_MAX + 2];
	int rc;

	if (n->kind == PYRO_NODE_ERRORS) {
		/* Problems grow as profiles fail to decode: never cached. */
		rc = pyro_archive_problems_text(n->archive, &b);
		if (!rc)
			rc = make_blob(&b, out);
		pyro_buf_release(&b);
		return rc;
	}
	if (n->kind != PYRO_NODE_FILE && n->kind != PYRO_NODE_SERIES_FILE)
		return -EISDIR;
	rc = cache_key(fs, n, 'B', key, sizeof(key));
	if (rc)
		return rc;
	*out = (struct pyro_blob *)pyro_cache_get(fs->cache, key);
	if (*out)
		return 0;
	rc = render(fs, n, &b);
	if (!rc)
		rc = make_blob(&b, out);
	pyro_buf_release(&b);
	if (!rc)
		pyro_cache_put(fs->cache, key, &(*out)->obj);
	return rc;
}

/* ---- extended attributes ------------------------------------------------ */

#define XATTR_PREFIX "user.pyrofs."

/* Attributes of time nodes and their files, in listing order.  Three
 * exist only on some nodes: base_sources under diff/, baseline on windows
 * whose increase is measured from the snapshot before them, label on
 * label nodes. */
static const struct {
	const char *name;               /* after XATTR_PREFIX */
	int diff;                       /* only under diff/ */
	int baseline;                   /* only when the span has a baseline */
	int label;                      /* only on label nodes */
} xattrs[] = {
	{ "total", 0, 0, 0 },
	{ "unit", 0, 0, 0 },
	{ "type", 0, 0, 0 },
	{ "rule", 0, 0, 0 },
	{ "sources", 0, 0, 0 },
	{ "baseline", 0, 1, 0 },
	{ "base_sources", 1, 0, 0 },
	{ "label", 0, 0, 1 },
};

#define NXATTRS (sizeof(xattrs) / sizeof(xattrs[0]))

static int has_xattrs(const struct pyro_node *n)
{
	return n->kind == PYRO_NODE_TIME || n->kind == PYRO_NODE_FILE ||
	       n->kind == PYRO_NODE_LATEST;
}

/* Whether attribute i exists on n (a node with attributes). */
static int xattr_present(const struct pyro_node *n, size_t i)
{
	if (xattrs[i].diff)
		return n->is_diff;
	if (xattrs[i].baseline)
		return !n->is_diff && n->time.span.has_baseline;
	if (xattrs[i].label)
		return is_label_node(n);
	return 1;
}

int pyro_node_xattr_list(const struct pyro_node *n, struct pyro_buf *out)
{
	size_t i;
	int rc = 0;

	if (!has_xattrs(n))
		return 0;
	for (i = 0; i < NXATTRS && !rc; i++) {
		if (!xattr_present(n, i))
			continue;
		rc = pyro_buf_printf(out, "%s%s", XATTR_PREFIX, xattrs[i].name);
		if (!rc)
			rc = pyro_buf_add(out, "", 1);  /* each name ends in NUL */
	}
	return rc;
}

/* The archive paths of a span's snapshots, one per line. */
static int put_sources(const struct pyro_series *se, size_t first,
		       size_t count, struct pyro_buf *out)
{
	size_t i;
	int rc = 0;

	/* One path per line: control bytes as \xNN, as in /.pyrofs/errors. */
	for (i = 0; i < count && !rc; i++) {
		const char *path = se->snaps[first + i].src->path;

		rc = i ? pyro_buf_putc(out, '\n') : 0;
		if (!rc)
			rc = pyro_text_put_safe(out, path, strlen(path));
	}
	return rc;
}

static const char *rule_name(enum pyro_merge_rule rule)
{
	switch (rule) {
	case PYRO_MERGE_SINGLE:
		return "single";
	case PYRO_MERGE_SUM:
		return "sum";
	case PYRO_MERGE_INCREASE:
		return "increase";
	case PYRO_MERGE_MEAN:
		return "mean";
	default:
		return "unknown";
	}
}

/* total and rule need the node's stacks (built, or found in the cache). */
static int xattr_from_stacks(struct pyro_fs *fs, const struct pyro_node *n,
			     const char *attr, struct pyro_buf *out)
{
	struct shared_stacks *ss;
	int64_t total = 0;
	size_t k;
	int rc = time_stacks(fs, n, &ss);

	if (rc)
		return rc;
	if (!strcmp(attr, "rule")) {
		rc = pyro_buf_puts(out, rule_name(ss->s.meta.rule));
	} else if (!strcmp(attr, "label")) {
		rc = pyro_buf_puts(out, ss->s.meta.filter ? ss->s.meta.filter : "");
	} else if (n->is_diff) {
		/* A diff's total is the signed change, target minus base. */
		for (k = 0; k < ss->s.nstacks && !rc; k++)
			if (__builtin_add_overflow(total, ss->s.stacks[k].value,
						   &total))
				rc = -EOVERFLOW;
		if (!rc)
			rc = pyro_buf_printf(out, "%lld", (long long)total);
	} else {
		rc = pyro_stacks_total(&ss->s, &total);
		if (!rc)
			rc = pyro_buf_printf(out, "%lld", (long long)total);
	}
	pyro_obj_put(&ss->obj);
	return rc;
}

int pyro_node_xattr(struct pyro_fs *fs, const struct pyro_node *n,
		    const char *name, struct pyro_buf *out)
{
	const struct pyro_series *se = n->series;
	const struct pyro_span *sp = &n->time.span;
	const char *attr;
	size_t i;

	if (!has_xattrs(n) || strncmp(name, XATTR_PREFIX, strlen(XATTR_PREFIX)))
		return -ENODATA;
	attr = name + strlen(XATTR_PREFIX);
	for (i = 0; i < NXATTRS; i++)
		if (!strcmp(attr, xattrs[i].name))
			break;
	if (i == NXATTRS || !xattr_present(n, i))
		return -ENODATA;
	if (!strcmp(attr, "unit"))
		return pyro_buf_puts(out, se->sample_unit ? se->sample_unit : "");
	if (!strcmp(attr, "type"))
		return pyro_buf_puts(out, se->sample_type ? se->sample_type : "");
	if (!strcmp(attr, "sources"))
		return put_sources(se, sp->first, sp->count, out);
	if (!strcmp(attr, "baseline"))
		return put_sources(se, sp->first - 1, 1, out);
	if (!strcmp(attr, "base_sources"))
		return put_sources(se, n->base.span.first, n->base.span.count, out);
	return xattr_from_stacks(fs, n, attr, out);
}
