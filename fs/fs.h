/*
 * fs.h - the pyrofs tree: paths to nodes, nodes to attributes and bytes.
 *
 * This is the filesystem without FUSE: the daemon's operations (ops.c) and
 * pyrofs-cat both call it, so every behaviour can be exercised and tested
 * without a mount.  The tree:
 *
 *   /                                   services, and .pyrofs
 *   /.pyrofs/errors                     files that were skipped, and why
 *   /<service>/                         its type directories
 *   /<service>/<type>/                  latest, all, day and hour windows,
 *                                       one directory per snapshot, the
 *                                       series files, diff/
 *   /<service>/<type>/latest            symlink to the newest snapshot
 *   /<service>/<type>/<time>/<file>     rendered files (file_kinds in node.c)
 *   /<service>/<type>/<file>            timeline.txt, ... (series_files)
 *   /<service>/<type>/<time>/labels/    label keys of the node's samples
 *   /<service>/<type>/<time>/labels/<key>/<value>/<file>
 *                                       the node restricted to the samples
 *                                       carrying key=value (names encoded
 *                                       as model/labels.h says)
 *   /<service>/<type>/diff/<base>/<time>/<file>
 *                                       the change from base to time
 *
 * Time names (model/span.h) also resolve when not listed: FROM..TO ranges
 * and last-1h style windows.
 *
 * One resolver (pyro_resolve) turns a path into a typed node; every
 * operation starts with it, and no other code parses paths.
 *
 * Errors: 0 or a negative errno (-ENOENT, -EIO, -ENOMEM, ...).
 */
#ifndef PYRO_FS_H
#define PYRO_FS_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "../model/archive.h"
#include "../model/history.h"
#include "../model/labels.h"
#include "../model/merge.h"
#include "../model/span.h"
#include "cache.h"

/* Options, filled from -o by main.c or pyrofs-cat. */
struct pyro_fs_opts {
	size_t cache_size;              /* bytes of rendered output and stacks */
	size_t max_profile_size;        /* decompressed bytes per profile */
	enum pyro_merge_policy merge;
	double rescan;                  /* seconds between checks of the
					 * archive for changes; 0: never */
};

#define PYRO_DEFAULT_CACHE_SIZE (256u << 20)
#define PYRO_DEFAULT_MAX_PROFILE_SIZE (512u << 20)

/*
 * The archive can change while mounted.  fs->archive is the current index;
 * a rescan replaces it under fs->lock.  Every resolved node holds its own
 * reference to the index it was resolved in (pyro_node_release drops it),
 * so an operation sees one consistent index from start to end, and an old
 * index is freed when its last reader is done.
 */
#define PYRO_PAGE_SLOTS 4096

struct pyro_fs {
	pthread_mutex_t lock;           /* guards archive and the watcher */
	struct pyro_archive *archive;   /* current index; one reference */
	char *root;                     /* absolute ARCHIVE path; owned */
	int archive_gone;               /* the current index says ARCHIVE is
					 * unreadable (rescans wait for it) */
	pthread_t watcher;              /* rescan thread, if started */
	int watching;
	int stopping;                   /* asks the watcher to end */
	pthread_cond_t wake;            /* wakes the watcher early */
	struct pyro_cache *cache;       /* owned */
	struct pyro_fs_opts opts;
	time_t mount_time;              /* mtime of / and /.pyrofs */
	uid_t uid;                      /* owner shown for every node */
	gid_t gid;
	/* Per slot (a hash of a file's path), the inode number (content
	 * identity) of the last snapshot file opened there: the kernel may
	 * hold its pages.  See pyro_node_keep_pages. */
	atomic_uint_least64_t pages[PYRO_PAGE_SLOTS];
};

enum pyro_node_kind {
	PYRO_NODE_ROOT,
	PYRO_NODE_META,                 /* /.pyrofs */
	PYRO_NODE_ERRORS,               /* /.pyrofs/errors */
	PYRO_NODE_SERVICE,
	PYRO_NODE_TYPE,
	PYRO_NODE_LATEST,               /* symlink to the newest snapshot */
	PYRO_NODE_TIME,                 /* snapshot, merge or diff directory */
	PYRO_NODE_FILE,                 /* a rendered file of a time node */
	PYRO_NODE_SERIES_FILE,          /* timeline.txt, ... of a type */
	PYRO_NODE_DIFF,                 /* <type>/diff */
	PYRO_NODE_DIFF_BASE,            /* <type>/diff/<base> */
	PYRO_NODE_LABELS,               /* <time>/labels */
	PYRO_NODE_LABEL_KEY,            /* <time>/labels/<key> */
};

/* A file of time nodes: rendered from their stacks, or (labels.txt) from
 * their label set; exactly one of the two is set.  Label nodes and diffs
 * have the stack files only. */
struct pyro_file_kind {
	const char *name;               /* "top.txt" */
	int (*render)(const struct pyro_stacks *s, struct pyro_buf *out);
	int (*render_labels)(const struct pyro_label_set *ls,
			     struct pyro_buf *out);
};

/* A file of every type directory: rendered from the series' history. */
struct pyro_series_file {
	const char *name;               /* "timeline.txt" */
	int (*render)(const struct pyro_history *h, struct pyro_buf *out);
};

/* A time name resolved in a series. */
struct pyro_time_ref {
	struct pyro_span span;
	char name[NAME_MAX + 1];        /* as looked up; `latest` stands for
					 * the snapshot's own name */
};

/* A resolved path.  Pointers borrow from the archive (immutable). */
struct pyro_node {
	enum pyro_node_kind kind;
	const struct pyro_service *svc;
	const struct pyro_series *series;
	struct pyro_time_ref time;      /* time nodes, their files, latest */
	int is_diff;                    /* time node under diff/<base>/ */
	struct pyro_time_ref base;      /* diff nodes: what is subtracted */
	char label_key[PYRO_LABEL_NAME_MAX + 1];        /* directory names */
	char label_value[PYRO_LABEL_NAME_MAX + 1];      /* of labels/K/V, or
							 * "": a label node is
							 * a time node with
							 * label_value set */
	const struct pyro_file_kind *file;
	const struct pyro_series_file *sfile;
	struct pyro_archive *archive;   /* the index all pointers above borrow
					 * from: a reference for nodes from
					 * pyro_resolve, borrowed for children
					 * passed to pyro_node_list callbacks */
};

/* Open the archive and set up the cache.  *out is owned by the caller
 * (pyro_fs_close).  err gets a one-line reason. */
int pyro_fs_open(const char *archive, const struct pyro_fs_opts *opts,
		 struct pyro_fs **out, char err[PYRO_ERR_MAX]);
void pyro_fs_close(struct pyro_fs *fs);

/* Path ("/a/b", "" or "/" for the root) to node; -ENOENT if none.  On
 * success n holds a reference to the current index: release it with
 * pyro_node_release() (on failure there is nothing to release). */
int pyro_resolve(struct pyro_fs *fs, const char *path, struct pyro_node *n);

void pyro_node_release(struct pyro_node *n);

/* Check the archive for changes (a stat walk) and, if any, index it again
 * and make the new index current.  1 if it changed, 0 if not, or a
 * negative errno.  Nodes resolved before keep their old index. */
int pyro_fs_rescan(struct pyro_fs *fs);

/* Start a thread that calls pyro_fs_rescan every opts.rescan seconds
 * (nothing when 0).  Call it in the process that serves: a thread does
 * not survive the daemon's fork.  pyro_fs_close stops it. */
int pyro_fs_watch(struct pyro_fs *fs);

/* Attributes of n.  For files this renders (or finds in the cache) the
 * bytes, so st_size is exact. */
int pyro_node_stat(struct pyro_fs *fs, const struct pyro_node *n,
		   struct stat *st);

/* Like pyro_node_stat, but never renders: st_size is 0 for files.  For
 * readdir, where only the inode and type matter. */
void pyro_node_stat_cheap(const struct pyro_fs *fs, const struct pyro_node *n,
			  struct stat *st);

/* Call fn for every child name of directory n (-ENOTDIR otherwise).  fn
 * returns non-zero to stop early.  Listing labels/ and its keys needs the
 * node's label set (built, or found in the cache). */
int pyro_node_list(struct pyro_fs *fs, const struct pyro_node *n,
		   int (*fn)(void *ctx, const char *name,
			     const struct pyro_node *child),
		   void *ctx);

/* The bytes of a file node, with a reference for the caller
 * (pyro_obj_put(&blob->obj)). */
int pyro_node_bytes(struct pyro_fs *fs, const struct pyro_node *n,
		    struct pyro_blob **out);

/* Target of a symlink node. */
int pyro_node_readlink(const struct pyro_node *n, const char **target);

/* 1 if the node's content can never change while mounted (the kernel may
 * keep its pages across opens). */
int pyro_node_immutable(const struct pyro_node *n);

/* 1 if an open of n may keep the kernel's cached pages of its path: n is
 * immutable and the last open of that path served the same content.  A
 * profile rewritten in place keeps its snapshot's name, size and time, so
 * the kernel, which maps paths to inodes itself, would serve old pages.
 * 0 makes the kernel drop them.  Records this open (thread-safe). */
int pyro_node_keep_pages(struct pyro_fs *fs, const struct pyro_node *n);

/*
 * Extended attributes of time nodes and their files ("user.pyrofs.*"), so
 * scripts read figures without parsing:
 *   total         exact integer: the node's total (sum of |value|); in a
 *                 diff, the signed change target minus base; in a label
 *                 node, the total of the samples carrying the label
 *   unit, type    the sample unit and type as stored ("nanoseconds", "cpu")
 *   rule          how snapshots combined: single, sum, increase, mean
 *   sources       archive-relative paths of the member profile files, one
 *                 per line, oldest first
 *   baseline      windows measured from the snapshot before them: its path
 *   base_sources  diffs: the base's member paths
 *   label         label nodes: "key=value", the label their samples carry
 * pyro_node_xattr appends the value of `name` to out: 0, -ENODATA when the
 * node has no such attribute (any other node kind or name; never renders
 * for those), or the error of building the node.  pyro_node_xattr_list
 * appends the names present, each NUL-terminated (none: nothing). */
int pyro_node_xattr(struct pyro_fs *fs, const struct pyro_node *n,
		    const char *name, struct pyro_buf *out);
int pyro_node_xattr_list(const struct pyro_node *n, struct pyro_buf *out);

/* Parse "123", "64K", "256M", "1G" (powers of 1024).  0 or -EINVAL. */
int pyro_parse_size(const char *s, size_t *out);

/* Parse "auto" or "pprof".  0 or -EINVAL. */
int pyro_parse_merge(const char *s, enum pyro_merge_policy *out);

/* Defaults for every option. */
void pyro_fs_opts_init(struct pyro_fs_opts *o);

/* Apply one "key=value" option of ours: 0 if applied, 1 if the key is not
 * one of ours, -EINVAL (with a message in err) for a bad value.  The one
 * list of pyrofs options; main.c and pyrofs-cat both use it. */
int pyro_fs_opt(struct pyro_fs_opts *o, const char *kv, char err[PYRO_ERR_MAX]);

/* Help text for our options, one per line. */
extern const char pyro_fs_opts_help[];

#endif
