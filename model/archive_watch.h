/*
 * archive_watch.h - how a local archive's changes are noticed (inside
 * model/, for source_archive.c only): inotify, one watch on the root and
 * on every directory of an indexed part; or the stat-walk, with -o
 * watch=walk, on network filesystems (where another machine's writes raise
 * no event) and from the moment the inotify watch limit is hit.  Events
 * become a dirty set: the root to list again, the services to index
 * again, or every part when events were lost.  In walk mode the caller
 * marks the dirty set itself from its fingerprints (source_archive.c's
 * walk_changes): only it knows the parts.
 *
 * Not locked: source.h serialises load and refresh, the only callers of
 * everything here except pyro_watch_walking and pyro_watch_why, which read
 * atomics (for /.pyrofs/stats, from any thread).
 */
#ifndef PYRO_ARCHIVE_WATCH_H
#define PYRO_ARCHIVE_WATCH_H

#include <stdatomic.h>
#include <stddef.h>

/* Why the walk is in use (the stats line's reason). */
enum pyro_walk_why {
	PYRO_WHY_NONE,
	PYRO_WHY_OPTION,                /* -o watch=walk */
	PYRO_WHY_NETWORK,               /* the root is on a network fs */
	PYRO_WHY_LIMIT,                 /* watches or descriptors ran out */
	PYRO_WHY_NO_INOTIFY,            /* inotify_init1 failed otherwise */
};

/* What one inotify watch descriptor reports on. */
struct pyro_watch_slot {
	char *service;                  /* owned; NULL: the root (if used) */
	int used;
};

/* A follower: pyro_watch_init it, pyro_watch_release it. */
struct pyro_watch {
	atomic_int walking;             /* 0: inotify; 1: the stat-walk
					 * (never goes back) */
	atomic_int why;                 /* enum pyro_walk_why, when walking */
	int ino;                        /* inotify descriptor, or -1 */
	struct pyro_watch_slot *slots;  /* indexed by watch descriptor */
	size_t nslots;
	int root_dirty;                 /* list the root again */
	int all_dirty;                  /* events were lost: every part */
	char **dirty;                   /* services changed (owned) */
	size_t ndirty, dirty_cap;
};

/* Following by inotify (not started yet: pyro_watch_root), nothing dirty. */
void pyro_watch_init(struct pyro_watch *w);

/* Close the inotify descriptor, free the slots and the dirty set. */
void pyro_watch_release(struct pyro_watch *w);

/* Use the stat-walk from now on, for reason why. */
void pyro_watch_use_walk(struct pyro_watch *w, enum pyro_walk_why why);

/* 1 when in walk mode; pyro_watch_why then says why (" (-o watch=walk)",
 * ...: the text /.pyrofs/stats appends to "watch walk"), else "". */
int pyro_watch_walking(const struct pyro_watch *w);
const char *pyro_watch_why(const struct pyro_watch *w);

/* Start following the root rootfd (borrowed; an O_PATH descriptor will
 * do): inotify on it, unless the walk is in use or needed (a network
 * filesystem, no inotify).  The root is dirty if it cannot be watched. */
void pyro_watch_root(struct pyro_watch *w, int rootfd);

/* struct pyro_archive_scope's watch callback (arg: the struct pyro_watch):
 * watch dirfd (borrowed), a directory of service being indexed.  Running
 * out of watches switches to the walk. */
void pyro_watch_dir(void *arg, int dirfd, const char *service);

/* Read every pending event (non-blocking) into the dirty set; once in
 * walk mode, drop the watches and the queue instead. */
void pyro_watch_poll(struct pyro_watch *w);

/* The dirty set.  mark adds service (a copy; out of memory, every part is
 * dirty); is_dirty says whether service is in it (or all are); any
 * whether anything is; clear empties it, root included. */
void pyro_watch_mark(struct pyro_watch *w, const char *service);
int pyro_watch_is_dirty(const struct pyro_watch *w, const char *service);
int pyro_watch_any(const struct pyro_watch *w);
void pyro_watch_clear(struct pyro_watch *w);

#endif
