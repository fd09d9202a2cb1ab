/*
 * cache.c - LRU cache of reference-counted objects; see cache.h.
 *
 * A chained hash table finds entries by key; a doubly linked list orders
 * them from most to least recently used.  One mutex guards both: every
 * operation is short, and rendering happens outside the lock.
 */
#include "cache.h"

#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../model/strtab.h"

struct entry {
	char *key;                      /* owned */
	struct pyro_obj *obj;           /* one reference held */
	struct entry *hnext;            /* hash chain */
	struct entry *prev, *next;      /* LRU list: head is most recent */
	size_t charge;                  /* pyro_cache_charge(key, obj->cost) */
};

struct pyro_cache {
	pthread_mutex_t lock;
	struct entry **buckets;
	size_t nbuckets;                /* power of two */
	size_t count;
	struct entry *head, *tail;
	size_t used;                    /* sum of the entries' charges */
	size_t max;
	size_t freed;                   /* charges evicted since the last trim */
};

void pyro_obj_init(struct pyro_obj *o, size_t cost,
		   void (*destroy)(struct pyro_obj *o))
{
	atomic_init(&o->refs, 1);
	o->cost = cost;
	o->destroy = destroy;
}

void pyro_obj_get(struct pyro_obj *o)
{
	atomic_fetch_add(&o->refs, 1);
}

void pyro_obj_put(struct pyro_obj *o)
{
	if (o && atomic_fetch_sub(&o->refs, 1) == 1)
		o->destroy(o);
}

static void blob_destroy(struct pyro_obj *o)
{
	struct pyro_blob *b = (struct pyro_blob *)o;

	free(b->data);
	free(b);
}

struct pyro_blob *pyro_blob_new(char *data, size_t len)
{
	struct pyro_blob *b = malloc(sizeof(*b));

	char *fit;

	if (!b)
		return NULL;
	/* Rendered bytes come from a doubling buffer: give the slack back,
	 * so that what the cache charges is what the blob holds. */
	fit = realloc(data, len + 1);
	if (fit)
		data = fit;
	pyro_obj_init(&b->obj, len + sizeof(*b), blob_destroy);
	b->data = data;
	b->len = len;
	return b;
}

/* malloc's header and rounding, per block (glibc: 8 bytes of size, and
 * blocks in steps of 16). */
#define BLOCK_OVERHEAD 16

size_t pyro_cache_charge(const char *key, size_t cost)
{
	/* The entry, its key, and its share of the bucket table, which grows
	 * to a bucket per entry and so holds up to two slots per entry. */
	return cost + sizeof(struct entry) + strlen(key) + 1 +
	       2 * BLOCK_OVERHEAD + 2 * sizeof(struct entry *);
}

/* Bytes evicted between two trims, and so the room kept free for them:
 * evicted objects go back to malloc, which keeps that memory resident
 * until malloc_trim gives it to the system. */
static size_t trim_every(const struct pyro_cache *c)
{
	return c->max / 16;
}

size_t pyro_cache_limit(const struct pyro_cache *c)
{
	return c->max - trim_every(c);
}

struct pyro_cache *pyro_cache_new(size_t max_bytes)
{
	struct pyro_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->nbuckets = 1024;
	c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
	if (!c->buckets) {
		free(c);
		return NULL;
	}
	c->max = max_bytes;
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

static void entry_free(struct entry *e)
{
	pyro_obj_put(e->obj);
	free(e->key);
	free(e);
}

void pyro_cache_free(struct pyro_cache *c)
{
	struct entry *e, *next;

	if (!c)
		return;
	for (e = c->head; e; e = next) {
		next = e->next;
		entry_free(e);
	}
	free(c->buckets);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static struct entry **bucket(struct pyro_cache *c, const char *key)
{
	uint64_t h = pyro_hash_bytes(key, strlen(key), PYRO_HASH_SEED);

	return &c->buckets[h & (c->nbuckets - 1)];
}

static void lru_unlink(struct pyro_cache *c, struct entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	e->prev = e->next = NULL;
}

static void lru_push_front(struct pyro_cache *c, struct entry *e)
{
	e->prev = NULL;
	e->next = c->head;
	if (c->head)
		c->head->prev = e;
	c->head = e;
	if (!c->tail)
		c->tail = e;
}

/* Unlink e from its chain and the list; the caller frees it. */
static void remove_entry(struct pyro_cache *c, struct entry *e)
{
	struct entry **pp = bucket(c, e->key);

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	lru_unlink(c, e);
	c->used -= e->charge;
	c->count--;
}

static struct entry *find(struct pyro_cache *c, const char *key)
{
	struct entry *e;

	for (e = *bucket(c, key); e; e = e->hnext)
		if (!strcmp(e->key, key))
			return e;
	return NULL;
}

static void grow(struct pyro_cache *c)
{
	size_t n = c->nbuckets * 2;
	struct entry **nb = calloc(n, sizeof(*nb));
	struct entry *e;

	if (!nb)
		return;         /* longer chains, still correct */
	free(c->buckets);
	c->buckets = nb;
	c->nbuckets = n;
	for (e = c->head; e; e = e->next) {
		struct entry **b = bucket(c, e->key);

		e->hnext = *b;
		*b = e;
	}
}

struct pyro_obj *pyro_cache_get(struct pyro_cache *c, const char *key)
{
	struct pyro_obj *o = NULL;
	struct entry *e;

	pthread_mutex_lock(&c->lock);
	e = find(c, key);
	if (e) {
		lru_unlink(c, e);
		lru_push_front(c, e);
		o = e->obj;
		pyro_obj_get(o);
	}
	pthread_mutex_unlock(&c->lock);
	return o;
}

void pyro_cache_put(struct pyro_cache *c, const char *key, struct pyro_obj *o)
{
	struct entry *e, *victims = NULL;
	size_t charge = pyro_cache_charge(key, o->cost);
	int trim;

	if (charge > pyro_cache_limit(c))
		return;
	e = calloc(1, sizeof(*e));
	if (!e || !(e->key = strdup(key))) {
		free(e);
		return;         /* not caching is always correct */
	}
	pyro_obj_get(o);
	e->obj = o;
	pthread_mutex_lock(&c->lock);
	{
		struct entry *old = find(c, key);

		if (old) {
			c->freed += old->charge;
			remove_entry(c, old);
			old->next = victims;
			victims = old;
		}
	}
	if (c->count >= c->nbuckets)
		grow(c);
	{
		struct entry **b = bucket(c, key);

		e->hnext = *b;
		*b = e;
	}
	lru_push_front(c, e);
	e->charge = charge;
	c->used += e->charge;
	c->count++;
	while (c->used > pyro_cache_limit(c) && c->tail && c->tail != e) {
		struct entry *v = c->tail;

		c->freed += v->charge;
		remove_entry(c, v);
		v->next = victims;
		victims = v;
	}
	/* Charges stay under max - trim_every and what was evicted since the
	 * last trim under trim_every, so the two stay under max: the cache
	 * bounds the memory it costs the process, not only what it holds.
	 * A trim walks malloc's free lists with an madvise per free chunk
	 * (0.4-0.6 ms with a 64M cache), and every page it gives back faults
	 * in again when reused: max / 16 keeps its cost small.  Over 10,000
	 * distinct top.txt reads with cache_size=64M (peak RSS against index
	 * + cache + 3x the largest profile): 1.007-1.011x; charging objects
	 * only and trimming every max / 16 + 1 MiB (which left the freed
	 * memory over the bound) 1.066-1.071x, for the same CPU.  Trimming
	 * more often cost 4-55 % CPU for 1.03-1.07x.  What is left over the
	 * bound is libfuse's: a node for every file looked up. */
	trim = c->freed >= trim_every(c);
	if (trim)
		c->freed = 0;
	pthread_mutex_unlock(&c->lock);
	/* Destroy outside the lock: freeing big objects takes a while. */
	while (victims) {
		struct entry *next = victims->next;

		entry_free(victims);
		victims = next;
	}
	/* glibc keeps freed memory in per-thread arenas; without giving it
	 * back, evicting would not lower the daemon's resident size and the
	 * cache bound would only bound the cache, not the process. */
	if (trim)
		malloc_trim(0);
}

size_t pyro_cache_used(struct pyro_cache *c)
{
	size_t used;

	pthread_mutex_lock(&c->lock);
	used = c->used;
	pthread_mutex_unlock(&c->lock);
	return used;
}
