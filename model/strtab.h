/*
 * strtab.h - interned byte strings.
 *
 * Profiles repeat the same function names across thousands of samples and
 * across snapshots; interning gives every distinct string one small id, so
 * frames compare by integer.  Strings are byte strings: they may contain NUL
 * and invalid UTF-8 (function names come from untrusted files), so a string is
 * (ptr, len).  ptr[len] is always '\0' for convenience.
 *
 * Invariants: id 0 is the empty string; ids are dense, 0..count-1; a string's
 * bytes never move once interned (arena chunks are never reallocated), so a
 * pyro_str stays valid until pyro_strtab_release().
 */
#ifndef PYRO_STRTAB_H
#define PYRO_STRTAB_H

#include <stddef.h>
#include <stdint.h>

struct pyro_str {
	const char *ptr;        /* NUL-terminated, but may hold NUL before len */
	uint32_t len;           /* bytes */
};

struct pyro_strtab {
	struct pyro_str *strs;  /* id -> string */
	uint32_t count;         /* strings interned, including "" */
	uint32_t cap;           /* entries allocated in strs */
	uint64_t *slots;        /* open-addressing hash: id + 1 and the
				 * hash's low half (strtab.c), 0 = empty */
	uint32_t nslots;        /* power of two, >= 2 * count */
	struct pyro_strtab_chunk *chunks;   /* arena holding the bytes */
};

/* Set up an empty table holding only "" (id 0). Returns 0 or -ENOMEM. */
int pyro_strtab_init(struct pyro_strtab *t);

/* Free everything; t may be zeroed or half-initialised. */
void pyro_strtab_release(struct pyro_strtab *t);

/* Intern len bytes at s; *id receives its id. Returns 0 or -ENOMEM. */
int pyro_strtab_intern(struct pyro_strtab *t, const char *s, size_t len,
		       uint32_t *id);

/* The table's hash of len bytes at s, for the two calls below: a caller
 * that knows which strings come next hashes one ahead, starts loading its
 * slot, and interns it when its turn comes without hashing it again. */
uint64_t pyro_strtab_hash(const char *s, size_t len);

/* Start loading the slot a string of hash h is probed at first (nothing
 * else; a table that rehashes before the intern just misses). */
void pyro_strtab_prefetch(const struct pyro_strtab *t, uint64_t h);

/* pyro_strtab_intern of s whose pyro_strtab_hash is h. */
int pyro_strtab_intern_hashed(struct pyro_strtab *t, const char *s,
			      size_t len, uint64_t h, uint32_t *id);

/* Make room for n strings in all, so that interning them neither rehashes
 * nor reallocates the index (a hint).  Returns 0 or -ENOMEM. */
int pyro_strtab_reserve(struct pyro_strtab *t, uint32_t n);

/* The id of len bytes at s if interned: 0, else -ENOENT.  Never adds. */
int pyro_strtab_find(const struct pyro_strtab *t, const char *s, size_t len,
		     uint32_t *id);

/* Bytes the table holds allocated (arena chunks, arrays), for accounting. */
size_t pyro_strtab_bytes(const struct pyro_strtab *t);

static inline struct pyro_str pyro_strtab_get(const struct pyro_strtab *t,
					      uint32_t id)
{
	return t->strs[id];
}

/* FNV-1a over bytes; shared by the hash tables of the model. */
uint64_t pyro_hash_bytes(const void *data, size_t len, uint64_t seed);

#define PYRO_HASH_SEED 0xcbf29ce484222325ULL

#endif
