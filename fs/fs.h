/*
 * fs.h - the pyrofs tree: paths to nodes, nodes to attributes and bytes.
 *
 * This is the filesystem without FUSE: the daemon's operations (ops.c) and
 * pyrofs-cat both call it, so every behaviour can be exercised and tested
 * without a mount.  The tree:
 *
 *   /                                   services, README.txt, index.html,
 *                                       and .pyrofs
 *   /.pyrofs/errors                     what could not be used, and why
 *   /.pyrofs/stats                      the source's counters (sources
 *                                       that keep any)
 *   /<service>/                         its type directories, summary.txt,
 *                                       index.html
 *   /<service>/<type>/                  latest, all, day and hour windows,
 *                                       one directory per time point, the
 *                                       series files, diff/
 *   /<service>/<type>/latest            symlink to the newest point; prev
 *                                       and first likewise
 *   /<service>/<type>/0-<name>          symlink to <name> (all, latest,
 *                                       the series files): names that sort
 *                                       before the points everywhere
 *   /<service>/<type>/<time>/<file>     rendered files (file_kinds, content.c)
 *   /<service>/<type>/<file>            timeline.txt, ... (series_files),
 *                                       index.html
 *   /<service>/<type>/<time>/labels/    label keys of the node's samples
 *   /<service>/<type>/<time>/labels/<key>/<value>/<file>
 *                                       the node restricted to the samples
 *                                       carrying key=value (names encoded
 *                                       as model/labels.h says)
 *   /<service>/<type>/diff/<base>/<time>/<file>
 *                                       the change from base to time
 *   <time node>/focus=RE/ (ignore=, hide=, show=, show_from=)
 *                                       the node filtered as pprof's flag
 *                                       of that name; not listed, nest
 *   <time node>/functions/<name>/       peek.txt, and callees/ and
 *                                       callers/: time nodes of the
 *                                       stacks from and to the function
 *
 * Time names (model/span.h) also resolve when not listed: FROM..TO ranges
 * and last-1h style windows.
 *
 * Where the data comes from is a source (model/source.h): fs/ sees its
 * index and calls its operations, and never knows which source it serves.
 * One resolver (pyro_resolve, resolve.c) turns a path into a typed node;
 * every operation starts with it, and no other code parses paths.  What a
 * node kind does lives in one table (node_kinds, kinds.c); what a derived
 * time node (a diff, a label node) does, in another (derivations,
 * derive.c).  doc/ARCHITECTURE.md has the map: the files of fs/, the
 * threads and locks, and how to add a file, a node kind, a derivation.
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

#include "../model/source.h"
#include "cache.h"

/* Bytes of source-specific "key=value" options that one mount may carry. */
#define PYRO_SRC_OPTS_MAX 4096

/* Options, filled from -o by main.c or pyrofs-cat. */
/* -o labels=: which label keys labels/ has.  Numeric keys (a Go heap
 * profile's `bytes`, one value per allocation size) made the tree explode,
 * so by default only keys with string values are directories; labels.txt
 * still reports every key (numeric ones as a histogram of values). */
enum pyro_labels_mode {
	PYRO_LABELS_STRING = 0,         /* keys with string values (default) */
	PYRO_LABELS_ALL,                /* every key */
	PYRO_LABELS_OFF,                /* no labels/ at all */
};

struct pyro_fs_opts {
	size_t cache_size;              /* bytes of rendered output and stacks */
	size_t max_profile_size;        /* decompressed bytes per profile */
	size_t max_file_size;           /* bytes per rendered file; 0: derive
					 * from max_profile_size at open */
	enum pyro_merge_policy merge;
	enum pyro_labels_mode labels;   /* which keys labels/ holds */
	double rescan;                  /* seconds between checks of the
					 * source for changes; 0: never */
	char src_opts[PYRO_SRC_OPTS_MAX];       /* options a source kind
						 * claimed (pyro_src_opt), each
						 * NUL-terminated, in order */
	size_t src_opts_len;            /* bytes used in src_opts */
};

#define PYRO_DEFAULT_CACHE_SIZE (256u << 20)
#define PYRO_DEFAULT_MAX_PROFILE_SIZE (512u << 20)
/* max_file_size by default: four times max_profile_size (text is wider
 * than protobuf), but at most this; see pyro_fs_open. */
#define PYRO_DEFAULT_MAX_FILE_SIZE (256u << 20)
#define PYRO_DEFAULT_RESCAN 2           /* seconds */

/*
 * The source can change while mounted.  fs->index is its current index; a
 * refresh replaces it under fs->lock.  Every resolved node holds its own
 * reference to the index it was resolved in (pyro_node_release drops it),
 * so an operation sees one consistent index from start to end, and an old
 * index is freed when its last reader is done.
 */
#define PYRO_PAGE_SLOTS 4096

struct pyro_fs {
	pthread_mutex_t lock;           /* guards index and the watcher's
					 * stopping; held only to swap or
					 * reference, never across a source
					 * operation */
	pthread_mutex_t refresh_lock;   /* one refresh at a time (the
					 * source may rely on it) */
	struct pyro_src *src;           /* owned */
	struct pyro_index *index;       /* current index; one reference */
	pthread_t watcher;              /* refresh thread, if started */
	int watching;
	int stopping;                   /* asks the watcher to end */
	pthread_cond_t wake;            /* wakes the watcher early */
	struct pyro_cache *cache;       /* owned */
	struct pyro_snapshot_cache snapshots;   /* the cache's snapshot
					 * stacks, lent to the source's
					 * merges (content.c) */
	struct pyro_fs_opts opts;
	time_t mount_time;              /* mtime of / and /.pyrofs */
	uid_t uid;                      /* owner shown for every node */
	gid_t gid;
	/* Per slot (a hash of a file's path), the inode number (content
	 * identity) of the last snapshot file opened there: the kernel may
	 * hold its pages.  See pyro_node_keep_pages. */
	atomic_uint_least64_t pages[PYRO_PAGE_SLOTS];
};

/* Node kinds: each is a row of node_kinds (kinds.c), which says how to
 * step into a child, list, name, date and identify it. */
enum pyro_node_kind {
	PYRO_NODE_ROOT,
	PYRO_NODE_META,                 /* /.pyrofs */
	PYRO_NODE_ERRORS,               /* /.pyrofs/errors */
	PYRO_NODE_SERVICE,
	PYRO_NODE_TYPE,
	PYRO_NODE_LATEST,               /* a relative time name (latest,
					 * prev, first): symlink to its
					 * point */
	PYRO_NODE_TIME,                 /* a span: point, merge, or derived */
	PYRO_NODE_FILE,                 /* a rendered file of a time node */
	PYRO_NODE_SERIES_FILE,          /* timeline.txt, ... of a type */
	PYRO_NODE_DIFF,                 /* <type>/diff */
	PYRO_NODE_DIFF_BASE,            /* <type>/diff/<base> */
	PYRO_NODE_LABELS,               /* <time>/labels */
	PYRO_NODE_LABEL_KEY,            /* <time>/labels/<key> */
	PYRO_NODE_STATS,                /* /.pyrofs/stats */
	PYRO_NODE_PAGE,                 /* README.txt, index.html of the root
					 * and services: from the index */
	PYRO_NODE_SUMMARY,              /* <service>/summary.txt */
	PYRO_NODE_TYPE_PAGE,            /* <service>/<type>/index.html */
	PYRO_NODE_ALIAS,                /* 0-<name>: symlink to <name> */
	PYRO_NODE_FUNCTIONS,            /* <time>/functions */
	PYRO_NODE_FUNCTION,             /* <time>/functions/<name> */
	PYRO_NODE_PEEK,                 /* <time>/functions/<name>/peek.txt */
	PYRO_NODE_NKINDS
};

/* A file of time nodes: rendered from their stacks, or (labels.txt) from
 * their label set; exactly one of the two is set.  Derived nodes have
 * the stack files only. */
struct pyro_file_kind {
	const char *name;               /* "top.txt" */
	int (*render)(const struct pyro_stacks *s, struct pyro_buf *out);
	int (*render_labels)(const struct pyro_label_set *ls, unsigned flags,
			     struct pyro_buf *out);      /* flags: render.h */
};

/* A file of every type directory: rendered from the series' history. */
struct pyro_series_file {
	const char *name;               /* "timeline.txt" */
	int (*render)(const struct pyro_history *h, struct pyro_buf *out);
};

/* A time name resolved in a series. */
struct pyro_time_ref {
	struct pyro_span span;
	char name[NAME_MAX + 1];        /* as looked up; a relative name
					 * (`latest`, `prev`) stands for the
					 * point's own name; an alias's target */
	char rel[PYRO_SPAN_REL_MAX];    /* the relative name looked up
					 * ("prev"), else "" */
};

/* A file of the root or of a service directory made from the index alone
 * (no profile is read, so listing and stat stay cheap). */
struct pyro_page {
	const char *name;               /* "README.txt" */
	int service;                    /* 1: in each service, 0: the root */
	int (*render_root)(const struct pyro_index *ix, struct pyro_buf *out);
	int (*render_service)(const struct pyro_index_service *svc,
			      struct pyro_buf *out);
};

/*
 * What a time node is made from besides its own span: a row of
 * derivations (derive.c), which says how its stacks are built, named,
 * identified and dated.  PYRO_DERIV_NONE is the span itself.
 */
enum pyro_deriv_kind {
	PYRO_DERIV_NONE,
	PYRO_DERIV_DIFF,                /* diff/<base>/<time>: time - base */
	PYRO_DERIV_LABEL,               /* <time>/labels/<key>/<value> */
	PYRO_DERIV_NKINDS
};

/* Bytes of a filter chain (below), its NUL included. */
#define PYRO_CHAIN_MAX 1024

struct pyro_derivation {
	enum pyro_deriv_kind kind;
	union {
		struct pyro_time_ref base;      /* diff: what is subtracted */
		char value[PYRO_LABEL_NAME_MAX + 1];    /* label: directory name
							 * of the value (the key
							 * is the node's
							 * label_key) */
	} arg;
	/* What is made of the derived node's stacks, on top of any kind:
	 * the path segments below it that filter ("focus=RE", "hide=RE",
	 * ...) or pick one function's side ("functions/<name>/callees"),
	 * as written, joined by '/'; "" for none.  Each was checked when
	 * resolved (derive.c: pyro_chain_step). */
	char chain[PYRO_CHAIN_MAX];
};

/*
 * A resolved path.  Pointers borrow from the index.  About 2 KB:
 * pass it by pointer (the resolver fills one in place; listing fills one
 * child per call).
 */
struct pyro_node {
	enum pyro_node_kind kind;
	const struct pyro_index_service *svc;
	const struct pyro_index_series *series;
	struct pyro_time_ref time;      /* time nodes, their files, latest;
					 * diff bases */
	struct pyro_derivation deriv;   /* time nodes and below */
	char label_key[PYRO_LABEL_NAME_MAX + 1];        /* labels/<key> and
							 * below: its directory
							 * name, else "" */
	char func[PYRO_LABEL_NAME_MAX + 1];     /* functions/<name> and its
						 * peek.txt: the directory
						 * name, else "" */
	const struct pyro_file_kind *file;
	const struct pyro_series_file *sfile;
	const struct pyro_page *page;
	struct pyro_index *ix;          /* the index all pointers above borrow
					 * from: a reference for nodes from
					 * pyro_resolve, borrowed for children
					 * passed to pyro_node_list callbacks */
};

/* Open SOURCE (a local archive's path, or what another source kind takes:
 * pyro_src_open picks it) and set up the cache.  *out is owned by the
 * caller (pyro_fs_close).  err gets a one-line reason. */
int pyro_fs_open(const char *source, const struct pyro_fs_opts *opts,
		 struct pyro_fs **out, char err[PYRO_ERR_MAX]);

/* SOURCE as the source names it (an archive's real path): for fsname. */
const char *pyro_fs_source_name(const struct pyro_fs *fs);
void pyro_fs_close(struct pyro_fs *fs);

/* Services in the current index: 0 when the source holds no profile yet
 * (the daemon warns, and mounts all the same: a live archive may fill). */
size_t pyro_fs_nservices(struct pyro_fs *fs);

/* Path ("/a/b", "" or "/" for the root) to node; -ENOENT if none.  On
 * success n holds a reference to the current index: release it with
 * pyro_node_release() (on failure there is nothing to release). */
int pyro_resolve(struct pyro_fs *fs, const char *path, struct pyro_node *n);

void pyro_node_release(struct pyro_node *n);

/* Ask the source for changes (a local archive: a stat walk) and, if any,
 * make its new index current.  1 if it changed, 0 if not, or a negative
 * errno.  Nodes resolved before keep their old index. */
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

/* The attributes a listing (readdirplus) hands the kernel in place of a
 * lookup, never rendering anything, in st; returns 1 when there are such
 * attributes, 0 when the kernel must look n up instead.  1 for directories
 * and symlinks (exactly what pyro_node_stat answers) but a name of the root
 * while a service waits to be indexed (its time is a guess until it is);
 * 1 for the files sized by their cache in a listing (node.h): the size of
 * their cached rendering, else 0; 0 for other files, whose size needs
 * their bytes. */
int pyro_node_stat_listed(struct pyro_fs *fs, const struct pyro_node *n,
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

/* The bytes of a cached file kind as the cache holds them now, never
 * rendered: 0 and a reference for the caller, -ENOENT when they are not
 * there (or the kind is never cached). */
int pyro_node_bytes_cached(struct pyro_fs *fs, const struct pyro_node *n,
			   struct pyro_blob **out);

/* Target of a symlink node. */
int pyro_node_readlink(const struct pyro_node *n, const char **target);

/* 1 if a listing gives n the size of its cached rendering, else 0
 * (node.h's sized_by_cache): opening it renders it, after which the
 * kernel's attributes of it may be stale. */
int pyro_node_sized_by_cache(const struct pyro_node *n);

/* 1 if the node's content can never change while mounted (the kernel may
 * keep its pages across opens). */
int pyro_node_immutable(const struct pyro_fs *fs, const struct pyro_node *n);

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
 *   sources       what the node was built from, one line per member,
 *                 oldest first: archive-relative paths of the profile
 *                 files (the source's `sources` operation)
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

/* Parse "string", "all" or "off" (-o labels).  0 or -EINVAL. */
int pyro_parse_labels(const char *s, enum pyro_labels_mode *out);

/* Defaults for every option. */
void pyro_fs_opts_init(struct pyro_fs_opts *o);

/* Apply one "key=value" option of ours, or keep one that a source kind
 * claims (pyro_src_opt) for pyro_fs_open: 0 if applied or kept, 1 if the
 * key is neither ours nor a source's, -EINVAL (with a message in err) for
 * a bad value.  The one list of pyrofs options; main.c and pyrofs-cat
 * both use it. */
int pyro_fs_opt(struct pyro_fs_opts *o, const char *kv, char err[PYRO_ERR_MAX]);

/* Help text for our options, one per line (pyro_src_help adds the
 * sources'). */
extern const char pyro_fs_opts_help[];

#endif
