/*
 * source.h - where profiles come from: the one interface between fs/ and a
 * source of profiles (a local archive, a Pyroscope server).
 *
 * The tree under the mount point is the same whatever serves it: services,
 * their type directories, the time points of each series, and for any run
 * of points (a span, resolved from a time name by span.c) its stacks, its
 * label set, and the history of the series.  fs/ asks for those through a
 * table of operations and never learns which source it serves; adding a
 * source is one row in the registry (pyro_src_kinds[] in source.c) and one
 * file implementing struct pyro_src_kind and struct pyro_src_ops.
 *
 * (Names: `struct pyro_source` in archive.h is one profile *file* of a
 * local archive and predates this interface, so the interface's prefix is
 * pyro_src_.)
 *
 * The index.  What a source holds at one moment is a struct pyro_index:
 * services sorted by name -> series sorted by type directory name -> points
 * sorted by time (then name).  An index is immutable once published and
 * reference counted: fs/ keeps the current one, resolves every path in it,
 * and holds a reference for the length of an operation; a refresh produces
 * a new index and the old one is freed when its last reader lets go.  Every
 * pointer an operation receives (series, points) borrows from the index it
 * is given, which is alive for the whole call.
 *
 * Spans.  A time name (latest, all, day and hour windows, FROM..TO,
 * last-1h, a snapshot's name) resolves through span.c over a series'
 * points (pyro_span_resolve(se, name, &span), pyro_span_windows(se, ...)
 * take a struct pyro_index_series) to a struct pyro_span: the run [first, first + count) of points,
 * and whether the point before it is the baseline that cumulative
 * increases start from.  A source turns that run into whatever it reads:
 * the local archive merges the profile files of those points; a server
 * queries [points[first].time_nanos, points[last].time_nanos + step).
 *
 * Errors: every operation returns 0 or a negative errno (except where
 * said) and, where it takes `err`, writes a one-line reason there
 * (PYRO_ERR_MAX bytes, NUL-terminated) on failure.  fs/ turns any failure
 * but -ENOMEM (and -ETIMEDOUT) into -EIO for the reader; the reason belongs
 * in the source's problems text (/.pyrofs/errors), which the source keeps.
 *
 * Threading: see struct pyro_src_ops.
 */
#ifndef PYRO_SOURCE_H
#define PYRO_SOURCE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "history.h"
#include "labels.h"
#include "merge.h"
#include "profile.h"
#include "span.h"
#include "stacks.h"
#include "timefmt.h"
#include "types.h"

/* ---- the index ------------------------------------------------------------ */

/*
 * One time point of a series: a directory `name` in its type directory.
 * Local: one sample type of one profile file (a snapshot).  Remote: the
 * step [time_nanos, time_nanos + step) of a SelectSeries answer.
 */
struct pyro_point {
	int64_t time_nanos;             /* Unix ns; points sort by it, then
					 * by name */
	char name[PYRO_TIME_NAME_MAX];  /* "2026-11-26T04-12-00Z", "...Z-2":
					 * unique in the series (pyro_time_name,
					 * a "-N" suffix for a repeated second) */
	const void *priv;               /* the source's own data for it
					 * (local: its struct pyro_snapshot);
					 * borrowed from the index */
};

struct pyro_index_service;

/* One type directory of a service. */
struct pyro_index_series {
	const struct pyro_index_service *service;       /* the parent */
	char *type;                     /* directory name: "cpu", "inuse_space" */
	char *sample_type;              /* as the profiles store it ("cpu") */
	char *sample_unit;              /* "nanoseconds", "bytes", "count" */
	enum pyro_series_kind kind;     /* rate, cumulative or gauge (types.h) */
	struct pyro_point *points;      /* npoints >= 1, sorted as above */
	size_t npoints;
	const void *priv;               /* the source's (local: its struct
					 * pyro_series) */
};

/*
 * A service.  A source with a `load` operation may publish a service
 * before indexing it (pending): its name only, no series, and the newest
 * time it knows without indexing (a local directory's mtime); fs/ asks
 * `load` for it when something beneath it is looked up or listed, so a
 * mount of a million snapshots lists its root at once.
 */
struct pyro_index_service {
	char *name;                     /* directory name */
	struct pyro_index_series *series;       /* sorted by type (strcmp) */
	size_t nseries;                 /* >= 1, but 0 while pending */
	const void *priv;               /* the source's */
	int pending;                    /* not indexed yet: series NULL */
	int64_t pending_newest;         /* pending: its newest time as far
					 * as known (0: unknown) */
};

/*
 * A published index.  Everything it points to is owned by it and freed by
 * `destroy` when the last reference goes (pyro_index_put); nothing in it
 * changes after publication, so any number of threads may read it without
 * a lock.  The source builds it however it likes (one allocation, many),
 * sets refs to 1 and hands that reference to its caller.
 */
struct pyro_index {
	atomic_uint refs;               /* owners; destroy at 0 */
	struct pyro_index_service *services;    /* sorted by name (strcmp) */
	size_t nservices;
	void (*destroy)(struct pyro_index *ix); /* frees ix and everything
						 * it owns */
	void *priv;                     /* the source's (local: the struct
					 * pyro_archive, one reference) */
};

/* Reference counting: get adds an owner; put drops one and destroys the
 * index with the last (NULL is fine).  Thread-safe. */
void pyro_index_get(struct pyro_index *ix);
void pyro_index_put(struct pyro_index *ix);

/* Lookups by directory name: NULL if absent. */
const struct pyro_index_service *pyro_index_service(const struct pyro_index *ix,
						    const char *name);
const struct pyro_index_series *
pyro_index_series(const struct pyro_index_service *svc, const char *type);
/* The point called name (exactly), or NULL. */
const struct pyro_point *pyro_index_point(const struct pyro_index_series *se,
					  const char *name);

/* Time of the newest point of a series, service or whole index (0 for an
 * index without services; a pending service's pending_newest). */
int64_t pyro_index_series_newest(const struct pyro_index_series *se);
int64_t pyro_index_service_newest(const struct pyro_index_service *svc);
int64_t pyro_index_newest(const struct pyro_index *ix);

/* ---- an open source --------------------------------------------------------- */

struct pyro_src_ops;

/*
 * An open source.  The implementation allocates it (usually as the first
 * member of its own struct) in its kind's open, and frees it in ops->close.
 */
struct pyro_src {
	const struct pyro_src_ops *ops;
	char *name;                     /* canonical SOURCE, owned: the
					 * archive's real path, or the URL as
					 * normalised; what -o fsname shows */
	void *priv;                     /* the implementation's */
};

/*
 * The operations of a source.
 *
 * Threading.  Every operation but refresh and close may be called from
 * many threads at once (FUSE serves each request on its own thread), also
 * while a refresh runs and with an index older than the newest.  refresh
 * is never called twice at once (fs/ serialises it), and close only once,
 * after every other call returned.  An operation that waits (a network
 * query, a big decode) must not hold a lock that other readers need: a
 * slow query for one span never blocks a lookup, a listing, or a query
 * for another span.  fs/ holds no lock of its own while it calls an
 * operation.
 *
 * Caching stays in fs/: it keeps stacks, label sets, histories and
 * rendered bytes in one LRU keyed by node path and content identity
 * (ident).  A source may keep its own bounded caches (a remote one
 * coalesces concurrent identical queries, for instance), but need not.
 *
 * Arguments common to the operations below: `ix` is the index the node
 * was resolved in (borrowed; alive for the call); `se` a series of ix;
 * `sp` a span of se, as span.c resolved it (count >= 1; first - 1 is
 * valid when has_baseline).
 */
struct pyro_src_ops {
	/*
	 * Check the source for changes and, when there are any, build a new
	 * index: 1 and *next (one reference, handed over), or 0 and *next
	 * NULL when `cur` (the current index, borrowed) is still right, or a
	 * negative errno (nothing changes; fs/ keeps serving cur).  A source
	 * that becomes unreachable should publish an index that says so in
	 * its problems (local: an empty tree with one problem at ".") rather
	 * than fail, so the mount shows why.  fs/ calls it every
	 * -o rescan seconds from its watcher thread, and from pyro_fs_rescan.
	 */
	int (*refresh)(struct pyro_src *src, const struct pyro_index *cur,
		       struct pyro_index **next, char err[PYRO_ERR_MAX]);

	/*
	 * Optional (NULL: every service is indexed when published).  Index
	 * the pending services of `cur` (borrowed): the one called `name`, or
	 * every one when name is NULL; 1 and *next (one reference, handed
	 * over) the same index with them indexed (a service found empty goes),
	 * 0 and *next NULL when none of them was pending, or a negative errno.
	 * Serialised with refresh by fs/ (its refresh_lock), so the source may
	 * keep what both change without a lock of its own.
	 */
	int (*load)(struct pyro_src *src, const struct pyro_index *cur,
		    const char *name, struct pyro_index **next,
		    char err[PYRO_ERR_MAX]);

	/*
	 * The stacks of span sp of se, only the samples passing filter f
	 * (NULL: all; see merge.h for what a filtered merge means), into out:
	 * initialised here, to be released by the caller with
	 * pyro_stacks_release even on failure.  meta is filled as
	 * pyro_merge_build fills it (stacks.h): service, type, sample type
	 * and unit, span (= span_name, the node's time name: "all", a
	 * snapshot name, "2026-11-24T10"), time, duration, newest, number
	 * of snapshots, rule, and with a filter: filter, filter_unit and
	 * whole_total (copied from f).
	 */
	int (*stacks)(struct pyro_src *src, const struct pyro_index *ix,
		      const struct pyro_index_series *se,
		      const struct pyro_span *sp, const char *span_name,
		      const struct pyro_merge_filter *f, struct pyro_stacks *out,
		      char err[PYRO_ERR_MAX]);

	/*
	 * The label set of span sp (labels.txt, labels/), combined by `rule`:
	 * the rule the span's stacks were merged with (their meta.rule;
	 * PYRO_MERGE_SINGLE for one point without baseline).  out is
	 * initialised here and finished (labels.h); release it with
	 * pyro_label_set_release even on failure.
	 */
	int (*labels)(struct pyro_src *src, const struct pyro_index *ix,
		      const struct pyro_index_series *se,
		      const struct pyro_span *sp, enum pyro_merge_rule rule,
		      struct pyro_label_set *out, char err[PYRO_ERR_MAX]);

	/*
	 * The history of series se (timeline.txt, timeline.svg, growth.txt):
	 * out initialised here (release with pyro_history_release even on
	 * failure); its names are copies, since fs/ may cache it longer than
	 * ix lives.
	 */
	int (*history)(struct pyro_src *src, const struct pyro_index *ix,
		       const struct pyro_index_series *se,
		       struct pyro_history *out, char err[PYRO_ERR_MAX]);

	/*
	 * Optional: the history's timeline rows only (totals per point, no
	 * stacks folded: out->nfolded == 0), for pages that show totals and
	 * must stay cheap (a service's summary.txt, built when a file manager
	 * stats it).  NULL when history is as cheap (a local archive reads
	 * its snapshots either way); a remote source sets it, as its history
	 * costs a merge query per folded point.
	 */
	int (*history_totals)(struct pyro_src *src, const struct pyro_index *ix,
			      const struct pyro_index_series *se,
			      struct pyro_history *out, char err[PYRO_ERR_MAX]);

	/*
	 * Content identity: mix what span sp reads (baseline included) into
	 * *h, so that *h changes whenever the content could (a rewritten
	 * file, new data in an open window) and stays when it cannot.  fs/
	 * seeds *h, mixes in a diff's base span by a second call, and puts the
	 * result in cache keys and file inode numbers: an unchanged identity
	 * means cached stacks and bytes are still right.  The identity of a
	 * series (its history) is that of the span of all its points without
	 * baseline (kind PYRO_SPAN_ALL, first 0, count npoints).  Content that
	 * changes without a new index (remote: a span ending less than
	 * `refresh` before the newest data) folds in a clock epoch (now /
	 * refresh), so fs/ fetches it again once per period, and sets *open
	 * to 1: fs/ then never lets the kernel keep its pages.  Otherwise
	 * *open is 0.  Cheap: no I/O, no decoding.  Must not fail.
	 */
	void (*ident)(struct pyro_src *src, const struct pyro_index *ix,
		      const struct pyro_index_series *se,
		      const struct pyro_span *sp, uint64_t *h, int *open);

	/*
	 * Append to out what span sp was built from, one line per member,
	 * oldest first, no trailing newline: local, the archive-relative
	 * paths of the profile files; remote, the query.  Serves the xattrs
	 * user.pyrofs.sources, .baseline (a span of the one baseline point)
	 * and .base_sources (a diff's base span).  No I/O.
	 */
	int (*sources)(struct pyro_src *src, const struct pyro_index *ix,
		       const struct pyro_index_series *se,
		       const struct pyro_span *sp, struct pyro_buf *out);

	/*
	 * Append the problems text of ix to out: "what: reason\n" per line,
	 * sorted, for /.pyrofs/errors.  Never cached by fs/ (problems grow as
	 * members fail to decode or queries fail), so it must be cheap.
	 */
	int (*problems)(struct pyro_src *src, const struct pyro_index *ix,
			struct pyro_buf *out);

	/*
	 * Optional (NULL: fs/ only returns the error).  Record a problem that
	 * fs/ found while serving ix, under `what` (a node path such as
	 * "api/cpu/all/tree.txt"), so /.pyrofs/errors lists it with the
	 * source's own: a rendered file that exceeded max_file_size.  A
	 * later problem for the same `what` replaces the earlier one.  May
	 * be called from many threads at once.
	 */
	int (*problem)(struct pyro_src *src, const struct pyro_index *ix,
		       const char *what, const char *reason);

	/*
	 * Optional (NULL: no /.pyrofs/stats file).  Append counters as
	 * "name value\n" lines (queries sent, bytes received, cache hits,
	 * failures).  Never cached.
	 */
	int (*stats)(struct pyro_src *src, struct pyro_buf *out);

	/* Free the source and everything it owns but the indexes it handed
	 * out (their references are their owners'). */
	void (*close)(struct pyro_src *src);
};

/* Fold v into identity h: what ident implementations and fs/ combine
 * identities with (a 64-bit mix; order matters). */
static inline uint64_t pyro_ident_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdULL;
}

/* ---- opening: the registry ------------------------------------------------ */

/* Options every source receives (fs/ parses them from -o). */
/*
 * Snapshots fs/ has already decoded (the stacks of snapshot nodes it
 * keeps in its cache), which a source that merges snapshots itself may
 * take instead of decoding them again: get gives point `point` of se in
 * ix as that snapshot node's stacks, 0 and *st borrowed until put(ctx,
 * *hold), or -ENOENT.  Thread-safe.
 */
struct pyro_snapshot_cache {
	int (*get)(void *ctx, const struct pyro_index *ix,
		   const struct pyro_index_series *se, size_t point,
		   const struct pyro_stacks **st, void **hold);
	void (*put)(void *ctx, void *hold);
	void *ctx;
};

struct pyro_src_conf {
	size_t max_profile_size;        /* decompressed (or received) bytes
					 * per profile, at most */
	enum pyro_merge_policy merge;   /* -o merge=auto|pprof (merge.h) */
	const struct pyro_snapshot_cache *snapshots;    /* or NULL; borrowed
					 * for the source's life */
	const char *const *opts;        /* the source-specific -o options
					 * ("key=value") that pyro_src_opt
					 * accepted, in command-line order;
					 * borrowed for the call to open */
	size_t nopts;
};

/*
 * One kind of source: a row of the registry.  Adding a source is one
 * such struct, declared below, and its row in pyro_src_kinds[] (source.c).
 */
struct pyro_src_kind {
	const char *name;               /* "archive", "pyroscope" */

	/* 1 if SOURCE (the command line's argument) is of this kind: a URL
	 * scheme, say.  No I/O.  Rows are tried in order; the last row (the
	 * local archive) takes anything. */
	int (*match)(const char *spec);

	/* Claim one "key=value" option: 0 if the key is this kind's and the
	 * value is valid, 1 if the key is not this kind's, -EINVAL (reason
	 * in err) for a bad value.  Only checks: the accepted options reach
	 * open in conf->opts.  NULL: the kind has no options of its own. */
	int (*opt)(const char *kv, char err[PYRO_ERR_MAX]);

	/* Help lines for its options ("    -o key=VALUE   what\n"...), or
	 * NULL. */
	const char *help;

	/* Check SOURCE before anything else is set up (the daemon checks it
	 * before the mount point): a syntax check, at most a stat.  0, or a
	 * negative errno and a one-line reason ("archive /x: No such file or
	 * directory", "http://h:p: bad port").  NULL: nothing to check. */
	int (*check)(const char *spec, char err[PYRO_ERR_MAX]);

	/*
	 * Open spec: *out (owned by the caller: out->ops->close) and its first
	 * index *first (one reference, handed over).  conf is borrowed for
	 * the call.  An option in conf->opts that the kind does not know
	 * (another kind's) is an error (-EINVAL: "option tenant= needs a
	 * Pyroscope URL").  A source that cannot serve at all (no such
	 * directory, server unreachable, 401) fails with a one-line reason,
	 * which the daemon prints before exiting non-zero.
	 */
	int (*open)(const char *spec, const struct pyro_src_conf *conf,
		    struct pyro_src **out, struct pyro_index **first,
		    char err[PYRO_ERR_MAX]);
};

/* The kinds, in registry order (the local archive last). */
extern const struct pyro_src_kind pyro_src_pyroscope;   /* source_remote.c */
extern const struct pyro_src_kind pyro_src_archive;     /* source_archive.c */

/* The kind that serves spec: the first row whose match accepts it.  Never
 * NULL (the local archive takes anything). */
const struct pyro_src_kind *pyro_src_kind_of(const char *spec);

/* Claim a source-specific "key=value" option for whatever kind will serve
 * the mount (the SOURCE argument may come later on the command line):
 * 0 if some kind's opt accepts it, 1 if none knows the key (it is then
 * libfuse's, or unknown), -EINVAL with a reason for a bad value. */
int pyro_src_opt(const char *kv, char err[PYRO_ERR_MAX]);

/* Help for every kind's options, each under a heading line, into out. */
int pyro_src_help(struct pyro_buf *out);

/* The kind's check of spec (0 when it has none). */
int pyro_src_check(const char *spec, char err[PYRO_ERR_MAX]);

/* Open spec with the kind that serves it (pyro_src_kind_of): see
 * struct pyro_src_kind's open.  The one place SOURCE picks a source. */
int pyro_src_open(const char *spec, const struct pyro_src_conf *conf,
		  struct pyro_src **out, struct pyro_index **first,
		  char err[PYRO_ERR_MAX]);

/* src->ops->close(src); NULL is fine. */
void pyro_src_close(struct pyro_src *src);

#endif
