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
};

struct pyro_cache {
	pthread_mutex_t lock;
	struct entry **buckets;
	size_t nbuckets;                /* power of two */
	size_t count;
	struct entry *head, *tail;
	size_t used;                    /* sum of obj->cost */
	size_t max;
	size_t freed;                   /* cost evicted since the last trim */
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
	c->used -= e->obj->cost;
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
	int trim;

	if (o->cost > c->max)
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
	c->used += o->cost;
	c->count++;
	while (c->used > c->max && c->tail && c->tail != e) {
		struct entry *v = c->tail;

		c->freed += v->obj->cost;
		remove_entry(c, v);
		v->next = victims;
		victims = v;
	}
	/* Often enough that freed memory waiting for a trim stays a small
	 * part of the bound, and no more often: a trim walks malloc's free
	 * lists with an madvise per free chunk (0.4-0.6 ms with a 64M
	 * cache), and every page it gives back faults in again when reused.
	 * Over 10,000 distinct top.txt reads with cache_size=64M (peak RSS
	 * against index + cache + 3x the largest profile; daemon CPU): this
	 * rule 1.09x; every 2.5 MB 1.07x, +4 % CPU; every 1 MB 1.06x, +13 %;
	 * every put 1.03x, +55 %; never 1.25x, -9 %.  Dropping the pages of
	 * each evicted object instead (madvise) gave 1.06x for +13 %, a
	 * fixed M_MMAP_THRESHOLD (16K-1M) nothing.  What is left over the
	 * bound is mostly libfuse's: a node for every file looked up, and a
	 * 1 MB buffer for every worker thread it starts. */
	trim = c->freed >= c->max / 16 + (1 << 20);
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
