/*
 * node.h - what the files of fs/ share among themselves (not for main.c,
 * ops.c or cat.c, which use fs.h): the table of node kinds, the table of
 * derivations, and the content each node is made of.
 *
 *   opts.c       -o options
 *   lifecycle.c  open, close, refresh, the watcher thread
 *   resolve.c    the resolver: path -> node, and each kind's step
 *   list.c       each kind's listing
 *   kinds.c      node_kinds[]: per kind its step, list, name, identity,
 *                mode, mtime, bytes; stat, inode numbers, readlink
 *   derive.c     derivations[]: diff and label nodes; filter chains
 *   content.c    stacks, label sets, histories and rendered bytes, cached
 *   xattr.c      user.pyrofs.* attributes
 *
 * Errors: 0 or a negative errno, as everywhere in fs/.
 */
#ifndef PYRO_FS_NODE_H
#define PYRO_FS_NODE_H

#include "fs.h"

#define DIFF_DIR "diff"
#define LABELS_DIR "labels"
#define FUNCTIONS_DIR "functions"
#define CALLEES_DIR "callees"
#define CALLERS_DIR "callers"
#define PEEK_FILE "peek.txt"
#define LATEST_NAME "latest"
#define META_DIR ".pyrofs"
#define ERRORS_FILE "errors"
#define STATS_FILE "stats"
#define SUMMARY_FILE "summary.txt"
#define INDEX_FILE "index.html"
/* Entry names sort first as "0-<name>": a leading digit below the year
 * of every point sorts first in `ls` (C and UTF-8 locales) and in GLib's
 * filename order (PCManFM, Nautilus), which puts digits before any
 * punctuation such as '_' or '@'. */
#define ALIAS_PREFIX "0-"

#define NS_PER_SEC 1000000000LL

/* A listing callback, as pyro_node_list takes it. */
typedef int pyro_list_fn(void *ctx, const char *name,
			 const struct pyro_node *child);

/* ---- node kinds (kinds.c) --------------------------------------------------- */

/* What a node's content identity (node_ident) is made of. */
enum pyro_content {
	PYRO_CONTENT_NONE,      /* nothing: identity 0 */
	PYRO_CONTENT_TIME,      /* its time node's span(s), as derived */
	PYRO_CONTENT_SERIES,    /* every point of its series */
	PYRO_CONTENT_SERVICE,   /* every point of every series of its
				 * service */
};

/*
 * One row per enum pyro_node_kind.  A node kind is everything fs/ does
 * with such a node; no code outside the row's functions tests `kind ==`
 * for behaviour.
 */
struct pyro_node_kind_ops {
	const char *name;                       /* for debuggers: "time" */
	mode_t mode;                            /* S_IFDIR | 0555, ... */
	/* Turn n (this kind) into its child called comp, in place; `last`
	 * says comp ends the path without a trailing slash.  NULL: no
	 * children (-ENOTDIR). */
	int (*step)(struct pyro_fs *fs, struct pyro_node *n, const char *comp,
		    int last);
	/* Offer each child to fn.  NULL: nothing is listed (lookup only). */
	int (*list)(struct pyro_fs *fs, const struct pyro_node *n,
		    pyro_list_fn *fn, void *ctx);
	/* The canonical path of n below the mount, no leading slash. */
	int (*key)(const struct pyro_node *n, char *out, size_t size);
	enum pyro_content content;
	/* Newest data below n, Unix ns; NULL: the mount time. */
	int64_t (*mtime)(const struct pyro_fs *fs, const struct pyro_node *n);
	/* The bytes of a file kind into out.  NULL: not a file. */
	int (*bytes)(struct pyro_fs *fs, const struct pyro_node *n,
		     struct pyro_buf *out);
	unsigned cached : 1;                    /* bytes kept in the cache */
	unsigned snapshot_pages : 1;            /* a file that may keep its
						 * pages when its time node is
						 * one point (immutable) */
	unsigned xattrs : 1;                    /* has user.pyrofs.* */
	/* Its rendering needs a whole series (or service): a listing must
	 * not make it, or a file manager listing a type directory decodes
	 * every snapshot.  In a listing (readdirplus) its size is that of its
	 * cached rendering when there is one, else 0 (as /proc's files); a
	 * stat by name renders it, as any file.  It is always read with
	 * direct I/O, so every reader gets every byte whatever size it saw. */
	unsigned sized_by_cache : 1;
};

extern const struct pyro_node_kind_ops pyro_node_kinds[PYRO_NODE_NKINDS];

static inline const struct pyro_node_kind_ops *
kind_of(const struct pyro_node *n)
{
	return &pyro_node_kinds[n->kind];
}

/* Content identity of n (see kinds.c), and whether it may change under
 * the same identity (*open, may be NULL). */
uint64_t pyro_node_ident(const struct pyro_fs *fs, const struct pyro_node *n,
			 int *open);

/* Canonical path of n. */
int pyro_node_key(const struct pyro_node *n, char *out, size_t size);

/* ---- lifecycle.c ------------------------------------------------------------- */

/* A reference to the current index (pyro_index_put it). */
struct pyro_index *pyro_fs_index(struct pyro_fs *fs);

/* Index the pending service called name of *ix (NULL: every pending one;
 * source.h's load) when there is one: *ix (one reference, the caller's)
 * is then replaced by the current index, where it is indexed; the caller
 * looks up again by name what it held in the old one.  0 (also when
 * nothing was pending or the source indexes eagerly) or a negative errno. */
int pyro_fs_load(struct pyro_fs *fs, struct pyro_index **ix, const char *name);

/* ---- the resolver and listing (resolve.c, list.c) ------------------------- */

/* Resolve a time name of n's series into ref. */
int pyro_time_resolve(const struct pyro_index_series *se, const char *name,
		      struct pyro_time_ref *ref);

int pyro_step_root(struct pyro_fs *fs, struct pyro_node *n, const char *comp,
		   int last);
int pyro_step_meta(struct pyro_fs *fs, struct pyro_node *n, const char *comp,
		   int last);
/* n a service node: index its service if pending (pyro_fs_load), n->ix
 * and n->svc then in the index that has it.  -ENOENT when it is gone or
 * was found empty. */
int pyro_node_load_service(struct pyro_fs *fs, struct pyro_node *n);
int pyro_step_service(struct pyro_fs *fs, struct pyro_node *n,
		      const char *comp, int last);
int pyro_step_type(struct pyro_fs *fs, struct pyro_node *n, const char *comp,
		   int last);
int pyro_step_diff(struct pyro_fs *fs, struct pyro_node *n, const char *comp,
		   int last);
int pyro_step_diff_base(struct pyro_fs *fs, struct pyro_node *n,
			const char *comp, int last);
int pyro_step_time(struct pyro_fs *fs, struct pyro_node *n, const char *comp,
		   int last);
int pyro_step_labels(struct pyro_fs *fs, struct pyro_node *n,
		     const char *comp, int last);
int pyro_step_label_key(struct pyro_fs *fs, struct pyro_node *n,
			const char *comp, int last);
int pyro_step_functions(struct pyro_fs *fs, struct pyro_node *n,
			const char *comp, int last);
int pyro_step_function(struct pyro_fs *fs, struct pyro_node *n,
		       const char *comp, int last);

/* The relative time names a type directory lists as symlinks, and the
 * bases diff/ lists. */
extern const char *const pyro_listed_relatives[];
extern const size_t pyro_nlisted_relatives;

/* Whether comp is "0-<name>" for an entry of n's directory (root, service
 * or type: n->svc and n->series say which) that has an alias. */
int pyro_alias_target(const struct pyro_node *n, const char *comp);

/* The page called name of the root (service 0) or of services (1). */
const struct pyro_page *pyro_page_find(const char *name, int service);

int pyro_list_diff(struct pyro_fs *fs, const struct pyro_node *n,
		   pyro_list_fn *fn, void *ctx);
int pyro_list_diff_base(struct pyro_fs *fs, const struct pyro_node *n,
			pyro_list_fn *fn, void *ctx);
int pyro_list_root(struct pyro_fs *fs, const struct pyro_node *n,
		   pyro_list_fn *fn, void *ctx);
int pyro_list_meta(struct pyro_fs *fs, const struct pyro_node *n,
		   pyro_list_fn *fn, void *ctx);
int pyro_list_service(struct pyro_fs *fs, const struct pyro_node *n,
		      pyro_list_fn *fn, void *ctx);
int pyro_list_type(struct pyro_fs *fs, const struct pyro_node *n,
		   pyro_list_fn *fn, void *ctx);
int pyro_list_time(struct pyro_fs *fs, const struct pyro_node *n,
		   pyro_list_fn *fn, void *ctx);
int pyro_list_labels(struct pyro_fs *fs, const struct pyro_node *n,
		     pyro_list_fn *fn, void *ctx);
int pyro_list_label_key(struct pyro_fs *fs, const struct pyro_node *n,
			pyro_list_fn *fn, void *ctx);
int pyro_list_functions(struct pyro_fs *fs, const struct pyro_node *n,
			pyro_list_fn *fn, void *ctx);
int pyro_list_function(struct pyro_fs *fs, const struct pyro_node *n,
		       pyro_list_fn *fn, void *ctx);

/* ---- derivations (derive.c) ------------------------------------------------- */

/*
 * A time node as content is built from it: n's span `time` (n->time, or a
 * diff's base), derived by `deriv`.  Three pointers, made on the stack, so
 * that the base of a diff or the plain node under a label node is a view,
 * not a copy of the node.
 */
struct pyro_tview {
	const struct pyro_node *n;              /* ix, svc, series, label_key */
	const struct pyro_time_ref *time;
	const struct pyro_derivation *deriv;
};

/* Bits of pyro_deriv_ops.xattrs: attributes beyond those of every time
 * node. */
#define PYRO_XA_BASELINE 1u     /* user.pyrofs.baseline, if has_baseline */
#define PYRO_XA_BASE 2u         /* user.pyrofs.base_sources */
#define PYRO_XA_LABEL 4u        /* user.pyrofs.label */

/*
 * One row per enum pyro_deriv_kind: what a derived time node is.  A new
 * derivation ("focused on", "callers of") is a row here, the model
 * function that computes its stacks, and the steps that reach it.
 */
struct pyro_deriv_ops {
	const char *name;                       /* "diff" */
	/* The part of v's path after "<service>/<type>/". */
	int (*time_key)(const struct pyro_tview *v, char *out, size_t size);
	/* Its stacks into out (initialised here; released by the caller
	 * even on failure).  NULL: the source's stacks of the span. */
	int (*build)(struct pyro_fs *fs, const struct pyro_tview *v,
		     struct pyro_stacks *out);
	/* Mix what else it reads into *h (NULL: nothing else). */
	void (*ident)(const struct pyro_fs *fs, const struct pyro_tview *v,
		      uint64_t *h, int *open);
	/* The newest point it reads besides its span (NULL: none). */
	int64_t (*newest)(const struct pyro_tview *v);
	unsigned xattrs;                        /* PYRO_XA_* */
	unsigned labels : 1;                    /* has labels/ and labels.txt */
	unsigned signed_total : 1;              /* total is signed (a change) */
	unsigned keeps_pages : 1;               /* a point's files may keep
						 * their pages */
};

extern const struct pyro_deriv_ops pyro_derivations[PYRO_DERIV_NKINDS];
extern const struct pyro_derivation pyro_deriv_none;

static inline const struct pyro_deriv_ops *
deriv_of(const struct pyro_derivation *d)
{
	return &pyro_derivations[d->kind];
}

/* The view of n's time node, and of the plain span under it. */
void pyro_tview_of(const struct pyro_node *n, struct pyro_tview *v);
void pyro_tview_plain(const struct pyro_node *n, struct pyro_tview *v);

/* Canonical path and content identity of a time view. */
int pyro_tview_key(const struct pyro_tview *v, char *out, size_t size);
uint64_t pyro_tview_ident(const struct pyro_fs *fs, const struct pyro_tview *v,
			  int *open);
/* Newest point the view reads. */
int64_t pyro_tview_newest(const struct pyro_tview *v);

/*
 * Filter chains (pyro_derivation.chain).  pyro_chain_step takes comp, a
 * path segment below time node n: "<kind>=<RE>" (model/filter.h's kinds,
 * RE encoded as a label value) is checked (decoded, compiled, its kind
 * not yet in the current group) and appended: 0; a bad expression is
 * -EINVAL with a line in /.pyrofs/errors; anything else -ENOENT.
 * pyro_chain_function appends "functions/<name>/<side>".
 * pyro_chain_build makes v's stacks: those of v without its chain,
 * filtered group by group (consecutive filter segments act together, as
 * pprof's flags do), then by each function side in path order.
 */
int pyro_chain_step(struct pyro_fs *fs, struct pyro_node *n, const char *comp);
int pyro_chain_function(struct pyro_node *n, const char *side);
int pyro_chain_build(struct pyro_fs *fs, const struct pyro_tview *v,
		     struct pyro_stacks *out);

/* The report name (bytes) of n's function directory n->func, looked up
 * in s's functions: 0, or -ENOENT when s has no such function. */
int pyro_function_find(const struct pyro_stacks *s, const char *dirname,
		       struct pyro_buf *name);

/* ---- content (content.c) ---------------------------------------------------- */

/* Cached, reference-counted content: drop with pyro_obj_put(&x->obj). */
struct pyro_shared_stacks {
	struct pyro_obj obj;
	struct pyro_stacks s;
};

struct pyro_shared_labels {
	struct pyro_obj obj;
	struct pyro_label_set ls;
};

struct pyro_shared_history {
	struct pyro_obj obj;
	struct pyro_history h;
};

/* The stacks of time view v, the label set of its plain span, the history
 * of n's series: built through the source (or found in the cache), with
 * a reference for the caller. */
int pyro_content_stacks(struct pyro_fs *fs, const struct pyro_tview *v,
			struct pyro_shared_stacks **out);
int pyro_content_labels(struct pyro_fs *fs, const struct pyro_node *n,
			struct pyro_shared_labels **out);
int pyro_content_history(struct pyro_fs *fs, const struct pyro_node *n,
			 struct pyro_shared_history **out);
/* The same with the timeline rows only where the source's whole history
 * is costly (source.h: history_totals), else the whole history. */
int pyro_content_history_totals(struct pyro_fs *fs, const struct pyro_node *n,
				struct pyro_shared_history **out);

/* The snapshot stacks fs's cache holds, as merges of the source may reuse
 * them (source.h: struct pyro_snapshot_cache), into *out; ctx is fs. */
void pyro_content_snapshots(struct pyro_fs *fs,
			    struct pyro_snapshot_cache *out);

/* Per file kind: the files of time nodes and of type directories. */
extern const struct pyro_file_kind pyro_file_kinds[];
extern const size_t pyro_nfile_kinds;
extern const struct pyro_series_file pyro_series_files[];
extern const size_t pyro_nseries_files;

const struct pyro_file_kind *pyro_file_kind_find(const char *name);
const struct pyro_series_file *pyro_series_file_find(const char *name);

/* What labels/ holds under -o labels (list.c): whether the node has
 * labels/ at all, whether key k is a directory of labels/ (a key of the
 * mode with a value of non-zero total), whether value v is one of k's
 * (non-zero total in the node's type).  Listing and lookup both ask. */
int pyro_labels_shown(const struct pyro_fs *fs, const struct pyro_node *n);
int pyro_label_key_shown(const struct pyro_fs *fs,
			 const struct pyro_label_key *k);
int pyro_label_value_shown(const struct pyro_label_value *v);

/* Whether time node n has file kind fk (labels.txt only with labels/). */
int pyro_time_has_file(const struct pyro_node *n,
		       const struct pyro_file_kind *fk);

/* The bytes of the file kinds (rows' bytes). */
int pyro_bytes_errors(struct pyro_fs *fs, const struct pyro_node *n,
		      struct pyro_buf *out);
int pyro_bytes_stats(struct pyro_fs *fs, const struct pyro_node *n,
		     struct pyro_buf *out);
int pyro_bytes_file(struct pyro_fs *fs, const struct pyro_node *n,
		    struct pyro_buf *out);
int pyro_bytes_series_file(struct pyro_fs *fs, const struct pyro_node *n,
			   struct pyro_buf *out);
int pyro_bytes_page(struct pyro_fs *fs, const struct pyro_node *n,
		    struct pyro_buf *out);
int pyro_bytes_summary(struct pyro_fs *fs, const struct pyro_node *n,
		       struct pyro_buf *out);
int pyro_bytes_type_page(struct pyro_fs *fs, const struct pyro_node *n,
			 struct pyro_buf *out);
int pyro_bytes_peek(struct pyro_fs *fs, const struct pyro_node *n,
		    struct pyro_buf *out);

/* The pages of the root and of services (content.c). */
extern const struct pyro_page pyro_pages[];
extern const size_t pyro_npages;

/* A source failure as a reader sees it: -ENOMEM and -ETIMEDOUT stay,
 * anything else is -EIO (the reason is in /.pyrofs/errors). */
int pyro_read_error(int rc);

#endif
