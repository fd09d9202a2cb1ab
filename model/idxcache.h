/*
 * idxcache.h - the persistent index cache: profile headers kept between
 * mounts, so remounting a big archive does not inflate every file again.
 *
 * Indexing an archive needs each profile's header (sample types, period
 * type, times), and a pprof file keeps its string table after the samples:
 * every file must be inflated whole.  That is the cost of a first mount.  The
 * cache stores, per profile file, the header and the file's identity, in
 * one file per archive:
 *
 *     $XDG_CACHE_HOME/pyrofs/index-<hash of the archive's real path>
 *     (~/.cache/pyrofs/... when XDG_CACHE_HOME is unset or not absolute)
 *
 * Never trusting a stale entry:
 *   - an entry is used only if the file's device, inode, size, mtime and
 *     ctime (to the nanosecond) are all unchanged.  ctime cannot be set by
 *     a user: any write, rename onto the path or chmod changes it;
 *   - "racy" files, changed less than PYRO_IDXCACHE_RACY_SEC before the
 *     index was taken (or dated in the future), are not stored: a rewrite
 *     within the same timestamp tick could otherwise go unseen (git's
 *     racy-clean problem);
 *   - an entry whose decompressed size exceeds the mount's
 *     max_profile_size is not used, so the refusal is reported again;
 *   - only readable profiles are stored; bad files are looked at anew on
 *     every mount (their reasons are not cached);
 *   - the file carries a magic, a version, the archive path and a checksum
 *     of its contents; anything that does not match is ignored whole.
 *     It is written to a temporary file and renamed into place, mode 0600.
 * Index files unused for PYRO_IDXCACHE_MAX_AGE_DAYS are removed when
 * another is written.  Archives of fewer than PYRO_IDXCACHE_MIN_FILES
 * profiles are not cached (they are cheap to index; tests make many).
 * PYROFS_INDEX_CACHE=0 in the environment turns the cache off.
 *
 * Errors never matter to the caller: a cache that cannot be read is empty,
 * one that cannot be written is not written.
 */
#ifndef PYRO_IDXCACHE_H
#define PYRO_IDXCACHE_H

#include <stddef.h>
#include <sys/stat.h>

#include "profile.h"

#define PYRO_IDXCACHE_RACY_SEC 2
#define PYRO_IDXCACHE_MAX_AGE_DAYS 30
#define PYRO_IDXCACHE_MIN_FILES 32

/* One usable profile file, as pyro_idxcache_save takes them. */
struct pyro_idxcache_entry {
	const char *rel;                        /* path relative to the root */
	const struct stat *st;                  /* stat() of the file */
	size_t raw_size;                        /* decompressed bytes */
	const struct pyro_profile_header *h;
};

struct pyro_idxcache;

/* The cache of the archive at root (a real path), or NULL if there is
 * none, it is invalid, or caching is off.  Free with pyro_idxcache_free. */
struct pyro_idxcache *pyro_idxcache_load(const char *root);

void pyro_idxcache_free(struct pyro_idxcache *c);

/* Entries in a loaded cache (0 for NULL). */
size_t pyro_idxcache_count(const struct pyro_idxcache *c);

/* The header stored for rel if st still matches it and its decompressed
 * size is at most max_size: 0 and *h filled (release it with
 * pyro_profile_header_release), *raw_size set.  -ENOENT otherwise, -ENOMEM.
 * Thread-safe on a loaded cache. */
int pyro_idxcache_get(const struct pyro_idxcache *c, const char *rel,
		      const struct stat *st, size_t max_size,
		      struct pyro_profile_header *h, size_t *raw_size);

/* Write the cache of root from entries e[0..n), replacing the old one;
 * racy entries are left out.  now is the time the files were examined. */
void pyro_idxcache_save(const char *root, const struct pyro_idxcache_entry *e,
			size_t n, time_t now);

#endif
