/*
 * archive.h - the index of a profile archive: services, types, snapshots.
 *
 * The archive contract (README "The archive"):
 *   - every directory directly under ARCHIVE is a service; profile files
 *     anywhere below it belong to it;
 *   - profile files lying directly in ARCHIVE belong to a service named
 *     after ARCHIVE itself (its base name), so a flat directory of profiles
 *     mounts as one service;
 *   - files are recognised by content; files and directories whose name
 *     starts with '.' are ignored (collectors write temporary files so);
 *   - a symlinked file is followed only when it resolves inside ARCHIVE
 *     (then its target is read); symlinked directories are never followed,
 *     so nothing outside ARCHIVE is ever read: every file is opened beneath
 *     the root's descriptor with no symlink in its path (safeopen.h), so a
 *     directory swapped for a symlink while mounted cannot lead out either;
 *   - FIFOs, sockets and devices are never opened; they are problems;
 *   - each sample type of a profile is one snapshot in the series of its
 *     type directory (see types.h);
 *   - a snapshot's time is the profile's time_nanos, else a time in the
 *     file name, else the file's mtime.
 *
 * Opening reads only profile headers (pyro_profile_peek).  The index is
 * immutable afterwards, except for the list of problems, which full decoding
 * may extend later; it has its own lock, so an archive may be read from many
 * threads at once.  A live archive is followed by opening a new index when
 * pyro_archive_fingerprint() changes: the index is reference counted so
 * readers of the old one finish undisturbed.
 */
#ifndef PYRO_ARCHIVE_H
#define PYRO_ARCHIVE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "profile.h"
#include "timefmt.h"
#include "types.h"

enum pyro_time_origin {
	PYRO_TIME_PROFILE,      /* Profile.time_nanos */
	PYRO_TIME_FILENAME,     /* parsed from the file name */
	PYRO_TIME_MTIME,        /* the file's modification time */
};

/* One profile file of the archive.  An archive holds a million of these:
 * the two 4-byte fields come last, so that they share one word. */
struct pyro_source {
	char *path;                     /* relative to the archive root;
					 * right after the struct, in its
					 * archive's src_block */
	char *target;                   /* symlinks: the target to read,
					 * relative to the root; else NULL */
	int64_t time_nanos;             /* resolved snapshot time */
	uint64_t ident;                 /* hash of path, size, mtime, ctime,
					 * inode, device: changes when the
					 * file does */
	enum pyro_time_origin origin;
	int collapsed;                  /* collapsed stacks, not pprof */
};

/* One sample type of one profile file, in its type directory.  Its name
 * is not stored (the published index's points hold it once): it is its
 * time's pyro_time_name, with "-<dup>" after it when dup > 1. */
struct pyro_snapshot {
	const struct pyro_source *src;
	uint32_t type_index;            /* index into the profile's sample types */
	uint32_t dup;                   /* 1, or n for the n-th snapshot of
					 * its series in one second */
};

/* The directory name of sn, unique in its series: "2026-11-24T10-15-00Z",
 * "2026-11-24T10-15-00Z-2". */
void pyro_snapshot_name(const struct pyro_snapshot *sn,
			char out[PYRO_TIME_NAME_MAX]);

/* All snapshots of one service and type directory, oldest first. */
struct pyro_series {
	char *type;                     /* directory name, e.g. "mutex_count" */
	char *sample_type;              /* as stored, from the first snapshot */
	char *sample_unit;
	enum pyro_series_kind kind;
	struct pyro_snapshot *snaps;    /* sorted by time, then path */
	size_t nsnaps;
};

struct pyro_service {
	char *name;
	struct pyro_series *series;     /* sorted by type name */
	size_t nseries;
};

/* A file that could not be used, and why. */
struct pyro_problem {
	char *path;                     /* relative to the archive root;
					 * right after the struct, in its
					 * archive's src_block */
	char *reason;
};

struct pyro_decode_pool;

struct pyro_archive {
	atomic_uint refs;               /* owners; freed at 0 */
	char *root;                     /* absolute path of ARCHIVE */
	int rootfd;                     /* O_PATH descriptor of the root
					 * directory as indexed (-1 in an empty
					 * index): every file is opened beneath
					 * it, so an index keeps reading the
					 * directory it indexed even if ARCHIVE
					 * is renamed or replaced meanwhile */
	uint64_t fingerprint;           /* of the files seen when indexing */
	size_t max_profile_size;        /* decompressed bytes per profile */
	struct pyro_decode_pool *pool;  /* where merges decode members ahead
					 * (decode_pool.h): borrowed from the
					 * source, which sets it before
					 * publishing; NULL: inline */
	struct pyro_service *services;  /* sorted by name */
	size_t nservices;
	struct pyro_source **sources;   /* every usable profile file, in
					 * src_block */
	size_t nsources;
	char *src_block;                /* the sources and their paths, one
					 * allocation (owned) */
	pthread_mutex_t lock;           /* guards problems */
	struct pyro_problem *problems;  /* sorted by path when listed */
	size_t nproblems;
	size_t problems_cap;
};

/* Index the archive at root (its last component is not followed: pass a
 * real path).  *out is owned by the caller (pyro_archive_free).  Fails only
 * when root itself is unusable; bad files become problems. */
int pyro_archive_open(const char *root, size_t max_profile_size,
		      struct pyro_archive **out, char err[PYRO_ERR_MAX]);

/*
 * Which part of an archive to index (pyro_archive_open_part): a big archive
 * is indexed service by service, when each is first looked into
 * (source_archive.c), so one part is usually one directory under the root.
 */
struct pyro_archive_scope {
	const char *dir;                /* only the directories under the
					 * root of this service name (one, but
					 * for names that escape alike); NULL:
					 * every directory, unless no_dirs */
	int no_dirs;                    /* no directory at all */
	int root_files;                 /* the files lying directly in the
					 * root too (and the root's problems) */
	const char *service;            /* NULL, or keep only the files of
					 * this service */
	const char *cache_key;          /* the index cache's key (idxcache.h),
					 * one per part; NULL: the root */
	int rootfd;                     /* the root to read beneath (dup'ed),
					 * so that every part of one index reads
					 * one directory; -1: open root */
	/* NULL, or called with every directory walked (descriptor borrowed
	 * for the call) and its service: how a live source watches it. */
	void (*watch)(void *arg, int dirfd, const char *service);
	void *watch_arg;
};

/* pyro_archive_open restricted to scope (borrowed for the call). */
int pyro_archive_open_part(const char *root, size_t max_profile_size,
			   const struct pyro_archive_scope *scope,
			   struct pyro_archive **out, char err[PYRO_ERR_MAX]);

/* pyro_archive_fingerprint restricted to scope: equal to the fingerprint
 * of pyro_archive_open_part(scope) while nothing in that part changed. */
int pyro_archive_fingerprint_part(const char *root,
				  const struct pyro_archive_scope *scope,
				  uint64_t *fp);

/* A directory directly under the root: a service, known by name before
 * anything in it is read. */
struct pyro_archive_dir {
	char *name;                     /* the service's name (the README's
					 * Names), owned */
	char *raw;                      /* the directory's name, owned */
	int64_t mtime_nanos;            /* the directory's mtime */
};

/* The directories directly under the root rootfd (dotted ones skipped),
 * sorted by name: *out owned by the caller (pyro_archive_dirs_free).  Also
 * *root_service, the name the root's own files take (owned).  0 or a
 * negative errno (the root unreadable). */
int pyro_archive_list_dirs(int rootfd, const char *root,
			   struct pyro_archive_dir **out, size_t *n,
			   char **root_service);
void pyro_archive_dirs_free(struct pyro_archive_dir *d, size_t n);

/* The descriptor of root as pyro_archive_open anchors it (O_PATH, its last
 * component not followed; owned by the caller), or a negative errno with a
 * reason in err. */
int pyro_archive_root_open(const char *root, char err[PYRO_ERR_MAX]);

/* The reference counting of an index: open returns one reference; put
 * frees the index with the last one (NULL is fine).  pyro_archive_free
 * frees at once, for single owners. */
void pyro_archive_get(struct pyro_archive *a);
void pyro_archive_put(struct pyro_archive *a);
void pyro_archive_free(struct pyro_archive *a);

/* An index with no services whose only problem is `reason` at ".": what a
 * live mount shows when ARCHIVE itself has gone. */
int pyro_archive_empty(const char *root, const char *reason,
		       struct pyro_archive **out);

/* Stat-walk root as pyro_archive_open would, without reading any file, and
 * hash what it finds (paths, sizes, mtimes, ctimes, inodes): equal to a->fingerprint
 * while nothing changed.  0 or a negative errno (root gone). */
int pyro_archive_fingerprint(const char *root, uint64_t *fp);

const struct pyro_service *pyro_archive_service(const struct pyro_archive *a,
						const char *name);
const struct pyro_series *pyro_service_series(const struct pyro_service *s,
					      const char *type);
/* The snapshot called name, or NULL. */
const struct pyro_snapshot *pyro_series_snapshot(const struct pyro_series *se,
						 const char *name);

/* Record a problem with path (replacing an earlier reason for it). */
int pyro_archive_problem(struct pyro_archive *a, const char *path,
			 const char *reason);

/* "path: reason\n" per problem, sorted by path, into out. */
int pyro_archive_problems_text(struct pyro_archive *a, struct pyro_buf *out);

/* The same for the problems of several archives (the parts of one index)
 * at once: one list sorted by path; a path listed by two keeps the first
 * archive's reason. */
int pyro_archive_problems_text_many(struct pyro_archive *const *as, size_t n,
				    struct pyro_buf *out);

/* Open a source's file for reading, beneath the root (pyro_open_beneath):
 * a descriptor owned by the caller, or a negative errno with err filled
 * ("symlink in path: not followed (svc)", "not a regular file (fifo)"). */
int pyro_source_open(const struct pyro_archive *a,
		     const struct pyro_source *src, char err[PYRO_ERR_MAX]);

#endif
