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
 *   /<service>/<type>/                  latest, all, one directory per snapshot
 *   /<service>/<type>/latest            symlink to the newest snapshot
 *   /<service>/<type>/<time>/<file>     rendered files (file_kinds in node.c)
 *
 * One resolver (pyro_resolve) turns a path into a typed node; every
 * operation starts with it, and no other code parses paths.
 *
 * Errors: 0 or a negative errno (-ENOENT, -EIO, -ENOMEM, ...).
 */
#ifndef PYRO_FS_H
#define PYRO_FS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "../model/archive.h"
#include "../model/merge.h"
#include "cache.h"

/* Options, filled from -o by main.c or pyrofs-cat. */
struct pyro_fs_opts {
	size_t cache_size;              /* bytes of rendered output and stacks */
	size_t max_profile_size;        /* decompressed bytes per profile */
	enum pyro_merge_policy merge;
};

#define PYRO_DEFAULT_CACHE_SIZE (256u << 20)
#define PYRO_DEFAULT_MAX_PROFILE_SIZE (512u << 20)

struct pyro_fs {
	struct pyro_archive *archive;   /* owned */
	struct pyro_cache *cache;       /* owned */
	struct pyro_fs_opts opts;
	time_t mount_time;              /* mtime of / and /.pyrofs */
	uid_t uid;                      /* owner shown for every node */
	gid_t gid;
};

enum pyro_node_kind {
	PYRO_NODE_ROOT,
	PYRO_NODE_META,                 /* /.pyrofs */
	PYRO_NODE_ERRORS,               /* /.pyrofs/errors */
	PYRO_NODE_SERVICE,
	PYRO_NODE_TYPE,
	PYRO_NODE_LATEST,               /* symlink */
	PYRO_NODE_TIME,                 /* a snapshot or a merge directory */
	PYRO_NODE_FILE,                 /* a rendered file in a time node */
};

struct pyro_file_kind {
	const char *name;               /* "top.txt" */
	int (*render)(const struct pyro_stacks *s, struct pyro_buf *out);
};

/* A resolved path.  Pointers borrow from the archive (immutable). */
struct pyro_node {
	enum pyro_node_kind kind;
	const struct pyro_service *svc;
	const struct pyro_series *series;
	size_t first;                   /* time nodes: first snapshot index */
	size_t count;                   /* time nodes: number of snapshots */
	const char *span;               /* time node name: "all" or snapshot */
	const struct pyro_file_kind *file;
};

/* Open the archive and set up the cache.  *out is owned by the caller
 * (pyro_fs_close).  err gets a one-line reason. */
int pyro_fs_open(const char *archive, const struct pyro_fs_opts *opts,
		 struct pyro_fs **out, char err[PYRO_ERR_MAX]);
void pyro_fs_close(struct pyro_fs *fs);

/* Path ("/a/b", "" or "/" for the root) to node; -ENOENT if none. */
int pyro_resolve(const struct pyro_fs *fs, const char *path,
		 struct pyro_node *n);

/* Attributes of n.  For files this renders (or finds in the cache) the
 * bytes, so st_size is exact. */
int pyro_node_stat(struct pyro_fs *fs, const struct pyro_node *n,
		   struct stat *st);

/* Like pyro_node_stat, but never renders: st_size is 0 for files.  For
 * readdir, where only the inode and type matter. */
void pyro_node_stat_cheap(const struct pyro_fs *fs, const struct pyro_node *n,
			  struct stat *st);

/* Call fn for every child name of directory n (-ENOTDIR otherwise).  fn
 * returns non-zero to stop early. */
int pyro_node_list(const struct pyro_fs *fs, const struct pyro_node *n,
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
