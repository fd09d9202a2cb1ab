/*
 * decode_pool.c - decoder threads shared by concurrent merges; see
 * decode_pool.h.
 *
 * One lock guards the pool and every run's bookkeeping: a run takes it a
 * few times per member (about a millisecond of decoding each), so one lock
 * costs nothing measurable and leaves one order to reason about.
 *
 * Runs that want items sit in a list.  A pool thread looks for a run with
 * an item it may take - the run's next item, while that item's slot is
 * free (fewer than AHEAD_SLOTS items between the fold and it) and the
 * slots waiting across all runs hold less than POOL_BYTES - starting after
 * the run it served last, so concurrent merges share the threads in turn.
 * Items of a run are taken in increasing order, by pool threads or by the
 * run's own thread (pyro_ahead_take, when the item it needs is untaken):
 * whichever takes it owns its slot until it is ready.
 *
 * Memory: at most AHEAD_SLOTS items per run, items waiting in all runs
 * below POOL_BYTES (plus the one each thread is producing), except what a
 * run's own thread produces for itself, which it folds at once.
 */
#include "decode_pool.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define AHEAD_SLOTS 8                   /* items waiting per run, at most */
#define POOL_BYTES (32u << 20)          /* bytes waiting in all runs */

struct pyro_decode_pool {
	pthread_mutex_t lock;           /* guards everything below and every
					 * run's bookkeeping */
	pthread_cond_t work;            /* a run or a slot came free */
	struct pyro_ahead *runs;        /* runs wanting items, a ring list;
					 * the head is served next */
	size_t bytes;                   /* held by ready slots of all runs */
	unsigned want;                  /* threads to start */
	unsigned nthreads;              /* started; changes under lock only
					 * at the first run */
	int started;                    /* the first run came */
	int shutdown;                   /* threads: leave */
	pthread_t *tids;
};

/* Slot k (item i with i % AHEAD_SLOTS == k) belongs to whoever took item
 * i until ready is set, then to the run's thread until pyro_ahead_done. */
struct pyro_ahead {
	struct pyro_decode_pool *pool;  /* or NULL: everything inline */
	const struct pyro_ahead_ops *ops;
	void *arg;
	size_t n;                       /* items */
	size_t slot_size;
	size_t next;                    /* next item to take */
	size_t consumed;                /* items done */
	size_t inflight;                /* items pool threads are producing */
	int listed;                     /* in pool->runs */
	struct pyro_ahead *prev, *lnext;        /* pool->runs ring */
	pthread_cond_t filled;          /* an item became ready */
	int ready[AHEAD_SLOTS];
	size_t bytes[AHEAD_SLOTS];      /* ops->bytes of ready slots */
	unsigned char *slots;           /* AHEAD_SLOTS * slot_size */
};

static void *slot_of(struct pyro_ahead *ah, size_t i)
{
	return ah->slots + (i % AHEAD_SLOTS) * ah->slot_size;
}

unsigned pyro_decode_pool_threads(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (cores < 2)
		return 0;
	return cores < PYRO_POOL_MAX_THREADS ? (unsigned)cores :
					       PYRO_POOL_MAX_THREADS;
}

int pyro_decode_pool_new(unsigned nthreads, struct pyro_decode_pool **out)
{
	struct pyro_decode_pool *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (!p)
		return -ENOMEM;
	if (nthreads && !(p->tids = calloc(nthreads, sizeof(*p->tids)))) {
		free(p);
		return -ENOMEM;
	}
	p->want = nthreads;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	*out = p;
	return 0;
}

/* ---- the ring list of runs ------------------------------------------------ */

static void list_add(struct pyro_decode_pool *p, struct pyro_ahead *ah)
{
	if (!p->runs) {
		ah->prev = ah->lnext = ah;
		p->runs = ah;
	} else {
		ah->lnext = p->runs;
		ah->prev = p->runs->prev;
		ah->prev->lnext = ah;
		p->runs->prev = ah;
	}
	ah->listed = 1;
}

static void list_remove(struct pyro_decode_pool *p, struct pyro_ahead *ah)
{
	if (!ah->listed)
		return;
	if (ah->lnext == ah) {
		p->runs = NULL;
	} else {
		ah->prev->lnext = ah->lnext;
		ah->lnext->prev = ah->prev;
		if (p->runs == ah)
			p->runs = ah->lnext;
	}
	ah->listed = 0;
}

/* ---- pool threads ------------------------------------------------------------ */

/* Whether a pool thread may take run ah's next item now. */
static int takeable(const struct pyro_ahead *ah)
{
	const struct pyro_decode_pool *p = ah->pool;

	return ah->next < ah->n && ah->next < ah->consumed + AHEAD_SLOTS &&
	       p->bytes < POOL_BYTES;
}

/* A run with an item to take, served in turn; under lock. */
static struct pyro_ahead *pick(struct pyro_decode_pool *p)
{
	struct pyro_ahead *ah = p->runs;

	if (!ah)
		return NULL;
	do {
		if (takeable(ah)) {
			p->runs = ah->lnext;    /* the next run goes first */
			return ah;
		}
		ah = ah->lnext;
	} while (ah != p->runs);
	return NULL;
}

/* Item i of ah is produced: it waits in its slot.  Under lock. */
static void set_ready(struct pyro_ahead *ah, size_t i, size_t bytes)
{
	ah->ready[i % AHEAD_SLOTS] = 1;
	ah->bytes[i % AHEAD_SLOTS] = bytes;
	if (ah->pool)
		ah->pool->bytes += bytes;
}

static void *pool_thread(void *arg)
{
	struct pyro_decode_pool *p = arg;

	pthread_mutex_lock(&p->lock);
	while (!p->shutdown) {
		struct pyro_ahead *ah = pick(p);
		size_t i, bytes;
		void *slot;

		if (!ah) {
			pthread_cond_wait(&p->work, &p->lock);
			continue;
		}
		i = ah->next++;
		ah->inflight++;
		slot = slot_of(ah, i);
		pthread_mutex_unlock(&p->lock);
		memset(slot, 0, ah->slot_size);
		ah->ops->work(ah->arg, i, slot);
		bytes = ah->ops->bytes(ah->arg, slot);
		pthread_mutex_lock(&p->lock);
		set_ready(ah, i, bytes);
		ah->inflight--;
		/* ah may be freed once the lock goes: touch it no more. */
		pthread_cond_broadcast(&ah->filled);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Start the threads, at the first run; under lock.  Those that cannot be
 * had are done without: their items are produced inline. */
static void start_threads(struct pyro_decode_pool *p)
{
	sigset_t all, old;

	p->started = 1;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	while (p->nthreads < p->want &&
	       pthread_create(&p->tids[p->nthreads], NULL, pool_thread, p) == 0)
		p->nthreads++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void pyro_decode_pool_free(struct pyro_decode_pool *p)
{
	unsigned k;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->shutdown = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (k = 0; k < p->nthreads; k++)
		pthread_join(p->tids[k], NULL);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->lock);
	free(p->tids);
	free(p);
}

/* ---- runs ----------------------------------------------------------------- */

int pyro_ahead_start(struct pyro_decode_pool *p, size_t n, size_t slot_size,
		     const struct pyro_ahead_ops *ops, void *arg,
		     struct pyro_ahead **out)
{
	struct pyro_ahead *ah = calloc(1, sizeof(*ah));

	*out = NULL;
	if (!ah)
		return -ENOMEM;
	ah->slots = calloc(AHEAD_SLOTS, slot_size);
	if (!ah->slots) {
		free(ah);
		return -ENOMEM;
	}
	ah->pool = p;
	ah->ops = ops;
	ah->arg = arg;
	ah->n = n;
	ah->slot_size = slot_size;
	pthread_cond_init(&ah->filled, NULL);
	if (p) {
		pthread_mutex_lock(&p->lock);
		if (!p->started)
			start_threads(p);
		if (p->nthreads) {
			list_add(p, ah);
			pthread_cond_broadcast(&p->work);
		}
		pthread_mutex_unlock(&p->lock);
	}
	*out = ah;
	return 0;
}

/* Without a pool nothing runs concurrently, so no lock is needed. */
static void lock(struct pyro_ahead *ah)
{
	if (ah->pool)
		pthread_mutex_lock(&ah->pool->lock);
}

static void unlock(struct pyro_ahead *ah)
{
	if (ah->pool)
		pthread_mutex_unlock(&ah->pool->lock);
}

void *pyro_ahead_take(struct pyro_ahead *ah, size_t i)
{
	size_t k = i % AHEAD_SLOTS;
	void *slot = slot_of(ah, i);

	lock(ah);
	while (!ah->ready[k]) {
		if (ah->next == i) {
			/* Nobody took it: produce it here rather than wait
			 * for a thread that may be busy elsewhere. */
			ah->next++;
			unlock(ah);
			memset(slot, 0, ah->slot_size);
			ah->ops->work(ah->arg, i, slot);
			lock(ah);
			/* Folded at once: it never waits, so it is not
			 * charged to the pool's bound. */
			ah->ready[k] = 1;
			ah->bytes[k] = 0;
			break;
		}
		pthread_cond_wait(&ah->filled, &ah->pool->lock);
	}
	unlock(ah);
	return slot;
}

void pyro_ahead_done(struct pyro_ahead *ah, size_t i)
{
	size_t k = i % AHEAD_SLOTS;

	lock(ah);
	ah->ready[k] = 0;
	if (ah->pool) {
		ah->pool->bytes -= ah->bytes[k];
		/* A slot of this run, and bytes of the bound, came free. */
		pthread_cond_broadcast(&ah->pool->work);
	}
	ah->bytes[k] = 0;
	ah->consumed++;
	unlock(ah);
}

void pyro_ahead_stop(struct pyro_ahead *ah)
{
	size_t k;

	if (!ah)
		return;
	lock(ah);
	if (ah->pool) {
		list_remove(ah->pool, ah);
		while (ah->inflight)
			pthread_cond_wait(&ah->filled, &ah->pool->lock);
	}
	/* Items produced but never taken (the run stopped early). */
	for (k = 0; k < AHEAD_SLOTS; k++) {
		if (!ah->ready[k])
			continue;
		ah->ops->discard(ah->arg, ah->slots + k * ah->slot_size);
		if (ah->pool)
			ah->pool->bytes -= ah->bytes[k];
		ah->ready[k] = 0;
	}
	if (ah->pool)
		pthread_cond_broadcast(&ah->pool->work);
	unlock(ah);
	pthread_cond_destroy(&ah->filled);
	free(ah->slots);
	free(ah);
}
