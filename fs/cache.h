/*
 * cache.h - a byte-bounded LRU cache of reference-counted objects.
 *
 * Rendered files and decoded node stacks are expensive to make and cheap to
 * keep, so both live here under one byte bound (-o cache_size).  Objects are
 * reference counted: the cache holds one reference, every reader its own,
 * so evicting an object that a reader still uses is safe - it is destroyed
 * when the last reference goes.  All functions are thread-safe.
 */
#ifndef PYRO_CACHE_H
#define PYRO_CACHE_H

#include <stdatomic.h>
#include <stddef.h>

/* Embed as the first member of a cached object. */
struct pyro_obj {
	atomic_uint refs;               /* owners; destroyed at 0 */
	size_t cost;                    /* bytes charged to the cache */
	void (*destroy)(struct pyro_obj *o);
};

/* A rendered file: immutable bytes. */
struct pyro_blob {
	struct pyro_obj obj;
	size_t len;
	char *data;                     /* owned */
};

void pyro_obj_init(struct pyro_obj *o, size_t cost,
		   void (*destroy)(struct pyro_obj *o));
void pyro_obj_get(struct pyro_obj *o);
/* Drop a reference; NULL is fine. */
void pyro_obj_put(struct pyro_obj *o);

/* A blob taking over data (malloc'ed) with one reference for the caller. */
struct pyro_blob *pyro_blob_new(char *data, size_t len);

struct pyro_cache;

/*
 * A cache that costs the process at most max_bytes: the objects' costs,
 * its own entries (pyro_cache_charge), and what it evicted that malloc
 * has not given back yet.  It gives freed memory back every max_bytes / 16
 * bytes evicted, so it charges at most pyro_cache_limit = max_bytes -
 * max_bytes / 16.  NULL on ENOMEM.
 */
struct pyro_cache *pyro_cache_new(size_t max_bytes);
void pyro_cache_free(struct pyro_cache *c);

/* The object cached under key with a new reference, or NULL. */
struct pyro_obj *pyro_cache_get(struct pyro_cache *c, const char *key);

/* Cache o under key (the cache takes its own reference; an older object
 * under key is replaced).  An object whose charge is over the limit is not
 * kept. */
void pyro_cache_put(struct pyro_cache *c, const char *key, struct pyro_obj *o);

/* What an object of cost bytes cached under key is charged: its cost and
 * the bytes of its entry. */
size_t pyro_cache_charge(const char *key, size_t cost);

/* The most c charges at once (see pyro_cache_new). */
size_t pyro_cache_limit(const struct pyro_cache *c);

/* Bytes currently charged, for statistics and tests. */
size_t pyro_cache_used(struct pyro_cache *c);

#endif
