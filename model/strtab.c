/*
 * strtab.c - interned byte strings; see strtab.h.
 *
 * Bytes live in an arena of chunks so that interning never moves earlier
 * strings; the hash table maps bytes to ids with linear probing.
 */
#include "strtab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (64 * 1024)
#define CHUNK_FIRST 4096        /* a table's first chunk */

struct pyro_strtab_chunk {
	struct pyro_strtab_chunk *next;
	size_t used;            /* bytes used in data */
	size_t size;            /* bytes available in data */
	char data[];
};

uint64_t pyro_hash_bytes(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Copy len bytes plus a NUL into the arena; NULL on allocation failure. */
static char *arena_copy(struct pyro_strtab *t, const char *s, size_t len)
{
	struct pyro_strtab_chunk *c = t->chunks;
	char *dst;

	if (!c || c->size - c->used < len + 1) {
		/* Chunks grow from CHUNK_FIRST to CHUNK_SIZE: a small table (a small
		 * profile's names) does not hold 64 kB it never uses. */
		size_t size = c && c->size < CHUNK_SIZE ? 2 * c->size :
			      c ? CHUNK_SIZE : CHUNK_FIRST;

		if (size > CHUNK_SIZE)
			size = CHUNK_SIZE;
		if (size < len + 1)
			size = len + 1;

		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->size = size;
		c->used = 0;
		/* A big one-off string gets its own chunk behind the current
		 * one, so the current chunk's free space is not wasted. */
		if (t->chunks && size > CHUNK_SIZE) {
			c->next = t->chunks->next;
			t->chunks->next = c;
		} else {
			c->next = t->chunks;
			t->chunks = c;
		}
	}
	dst = c->data + c->used;
	if (len)
		memcpy(dst, s, len);
	dst[len] = '\0';
	c->used += len + 1;
	return dst;
}

/* The table's own hash: eight bytes per step (FNV-1a, byte by byte, stays
 * pyro_hash_bytes: inode numbers are defined by it). */
static uint64_t str_hash(const char *s, size_t len)
{
	uint64_t h = PYRO_HASH_SEED ^ len, w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 32;
	}
	if (len) {
		w = 0;
		memcpy(&w, s, len);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 33);
}

/* A slot holds id + 1 in its low half (0: free) and the low half of the
 * string's hash in its high half: a probe compares that before loading
 * the string, and a rehash places slots without hashing strings again. */
#define SLOT(h, id) ((uint64_t)(uint32_t)(h) << 32 | ((id) + 1))
#define SLOT_ID(x) ((uint32_t)(x) - 1)
#define SLOT_HASH(x) ((uint32_t)((x) >> 32))

static int rehash(struct pyro_strtab *t, uint32_t nslots)
{
	uint64_t *slots = calloc(nslots, sizeof(*slots));
	uint32_t k;

	if (!slots)
		return -ENOMEM;
	for (k = 0; k < t->nslots; k++) {
		uint32_t i;

		if (!t->slots[k])
			continue;
		for (i = SLOT_HASH(t->slots[k]) & (nslots - 1); slots[i];
		     i = (i + 1) & (nslots - 1))
			;
		slots[i] = t->slots[k];
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = nslots;
	return 0;
}

int pyro_strtab_reserve(struct pyro_strtab *t, uint32_t n)
{
	uint32_t nslots = t->nslots ? t->nslots : 64;
	int rc;

	if (n > UINT32_MAX / 4)
		return 0;               /* a hint: interning checks the rest */
	while (nslots < 2 * (n + 1))
		nslots *= 2;
	if (nslots != t->nslots && (rc = rehash(t, nslots)))
		return rc;
	if (n > t->cap) {
		struct pyro_str *strs = realloc(t->strs, n * sizeof(*strs));

		if (!strs)
			return -ENOMEM;
		t->strs = strs;
		t->cap = n;
	}
	return 0;
}

size_t pyro_strtab_bytes(const struct pyro_strtab *t)
{
	const struct pyro_strtab_chunk *c;
	size_t n = (size_t)t->cap * sizeof(*t->strs) +
		   (size_t)t->nslots * sizeof(*t->slots);

	for (c = t->chunks; c; c = c->next)
		n += sizeof(*c) + c->size;
	return n;
}

int pyro_strtab_init(struct pyro_strtab *t)
{
	uint32_t id;

	memset(t, 0, sizeof(*t));
	return pyro_strtab_intern(t, "", 0, &id);
}

void pyro_strtab_release(struct pyro_strtab *t)
{
	struct pyro_strtab_chunk *c = t->chunks;

	while (c) {
		struct pyro_strtab_chunk *next = c->next;

		free(c);
		c = next;
	}
	free(t->strs);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

int pyro_strtab_find(const struct pyro_strtab *t, const char *s, size_t len,
		     uint32_t *id)
{
	uint64_t h = str_hash(s, len);
	uint32_t i;

	if (!t->nslots)
		return -ENOENT;
	for (i = (uint32_t)h & (t->nslots - 1); t->slots[i];
	     i = (i + 1) & (t->nslots - 1)) {
		struct pyro_str cur;

		if (SLOT_HASH(t->slots[i]) != (uint32_t)h)
			continue;
		cur = t->strs[SLOT_ID(t->slots[i])];
		if (cur.len == len && (!len || memcmp(cur.ptr, s, len) == 0)) {
			*id = SLOT_ID(t->slots[i]);
			return 0;
		}
	}
	return -ENOENT;
}

uint64_t pyro_strtab_hash(const char *s, size_t len)
{
	return str_hash(s, len);
}

void pyro_strtab_prefetch(const struct pyro_strtab *t, uint64_t h)
{
	if (t->nslots)
		__builtin_prefetch(&t->slots[(uint32_t)h & (t->nslots - 1)]);
}

int pyro_strtab_intern(struct pyro_strtab *t, const char *s, size_t len,
		       uint32_t *id)
{
	return pyro_strtab_intern_hashed(t, s, len, str_hash(s, len), id);
}

int pyro_strtab_intern_hashed(struct pyro_strtab *t, const char *s,
			      size_t len, uint64_t h, uint32_t *id)
{
	uint32_t i;
	char *copy;
	int rc;

	if (len > UINT32_MAX - 1)
		return -EOVERFLOW;
	if (t->nslots < 2 * (t->count + 1)) {
		rc = rehash(t, t->nslots ? t->nslots * 2 : 64);
		if (rc)
			return rc;
	}
	for (i = (uint32_t)h & (t->nslots - 1); t->slots[i];
	     i = (i + 1) & (t->nslots - 1)) {
		struct pyro_str cur;

		if (SLOT_HASH(t->slots[i]) != (uint32_t)h)
			continue;
		cur = t->strs[SLOT_ID(t->slots[i])];
		if (cur.len == len && (!len || memcmp(cur.ptr, s, len) == 0)) {
			*id = SLOT_ID(t->slots[i]);
			return 0;
		}
	}
	if (t->count == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 64;
		struct pyro_str *strs = realloc(t->strs, cap * sizeof(*strs));

		if (!strs)
			return -ENOMEM;
		t->strs = strs;
		t->cap = cap;
	}
	copy = arena_copy(t, s, len);
	if (!copy)
		return -ENOMEM;
	t->strs[t->count].ptr = copy;
	t->strs[t->count].len = (uint32_t)len;
	t->slots[i] = SLOT(h, t->count);
	*id = t->count++;
	return 0;
}
