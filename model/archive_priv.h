/*
 * archive_priv.h - what the parts of the archive indexer share (inside
 * model/).  archive.h is the interface; opening an archive is archive.c
 * (peeking, indexing, building services) over archive_walk.c (the
 * directory walk that finds the files); reading an open one is
 * archive_query.c.  This header holds the walk's state; nothing outside
 * those files includes it.
 */
#ifndef PYRO_ARCHIVE_PRIV_H
#define PYRO_ARCHIVE_PRIV_H

#include <stdatomic.h>
#include <limits.h>
#include <stddef.h>
#include <sys/stat.h>

#include "archive.h"
#include "idxcache.h"

struct entry;           /* one (file, sample type): archive.c's */

/* A regular file found by the walk, and what peeking it said.  Every
 * rescan walks the whole tree into an array of these, so they stay small:
 * the rare error and note are allocated only when there is one (two
 * PYRO_ERR_MAX buffers here made a walk of 10,000 files a 12.8 MB array,
 * the daemon's peak memory). */
struct found {
	const char *service;            /* borrowed from names */
	char *rel;                      /* owned */
	char *target;                   /* owned: a symlink's target, relative
					 * to the root */
	char *note;                     /* owned, NULL if none: usable, but
					 * with a problem to list (bad lines
					 * of a collapsed file) */
	int collapsed;                  /* collapsed stacks, not pprof */
	struct stat st;
	int rc;                         /* 0: h is valid; else err says why */
	char *err;                      /* owned, NULL when rc is 0 */
	struct pyro_profile_header h;
	size_t raw_size;                /* decompressed bytes */
	int cached;                     /* h came from the index cache */
};

struct walk {
	struct pyro_archive *a;
	struct entry *entries;
	size_t nentries, cap;
	char **names;                   /* service names, owned */
	size_t nnames;
	struct found *files;            /* in walk order */
	size_t nfiles, files_cap;
	const char *root_service;       /* borrowed from names */
	const struct pyro_archive_scope *scope; /* what to walk */
	struct pyro_idxcache *cache;    /* NULL if none */
	atomic_size_t next;             /* next file to peek */
	size_t src_off;                 /* bytes of a->src_block handed out */
	int rc;                         /* first fatal error (-ENOMEM) */
};

/* Walk w->a's tree from its root: every regular file (and symlinked file
 * resolving inside the archive) into w->files, in walk order, with its
 * service (interned in w->names); what cannot be read becomes a problem.
 * 0, or a negative errno when the walk could not go on. */
int pyro_archive_walk_root(struct walk *w);

/* The service called by the directory name raw, made safe (the README's
 * Names), interned in w->names: borrowed from w; NULL without memory. */
const char *pyro_archive_intern_service(struct walk *w, const char *raw);

/* raw made a safe service name (the README's Names) into out. */
void pyro_archive_service_name(const char *raw, char out[NAME_MAX + 1]);

#endif
