/*
 * decode_pool.h - a bounded set of decoder threads shared by every merge of
 * a source, and the in-order "run ahead" each merge takes from it.
 *
 * A merge folds its members strictly in order, and decoding a member costs
 * far more than folding it in.  So members are decoded ahead, on the pool's
 * threads, into a small ring of slots that the merge's own thread empties
 * in order.  One pool serves every merge running at once: the daemon's
 * decoder threads stay at the pool's few, however many readers merge, and
 * the members waiting in rings are bounded across all merges together.
 *
 * Never a deadlock, never a wait on work nobody does: the merge's thread
 * waits only for a member a pool thread is already working on (which
 * finishes); a member that no pool thread has taken yet - the pool busy
 * with other merges, the byte bound reached, no threads at all - it
 * produces itself, inline.  A merge that stops early (pyro_ahead_stop)
 * waits only for the members in progress, then drops the rest.
 *
 * Threads start with the first run, not with the pool, so that a process
 * that forks after making its pool (a daemon detaching) or never merges
 * starts none.  They block every signal: signals are for the daemon's own
 * threads.  All functions are thread-safe.
 */
#ifndef PYRO_DECODE_POOL_H
#define PYRO_DECODE_POOL_H

#include <stddef.h>

struct pyro_decode_pool;

/* A pool of at most nthreads threads (0: runs are produced inline, by the
 * thread that takes them).  *out is owned by the caller:
 * pyro_decode_pool_free, once no run is left.  0 or -ENOMEM. */
int pyro_decode_pool_new(unsigned nthreads, struct pyro_decode_pool **out);

/* The pool a source should make on this machine: one thread per core, at
 * most PYRO_POOL_MAX_THREADS, none on one core (decoding ahead would only
 * add switches there). */
#define PYRO_POOL_MAX_THREADS 4
unsigned pyro_decode_pool_threads(void);

/* Stop and join the threads; NULL is fine.  No run may be left. */
void pyro_decode_pool_free(struct pyro_decode_pool *p);

/* What a run produces: item i of n into a slot of slot_size bytes. */
struct pyro_ahead_ops {
	/* Produce item i into slot (zeroed before; any thread, no lock
	 * held, items of one run concurrently). */
	void (*work)(void *arg, size_t i, void *slot);
	/* The bytes slot holds while it waits, for the pool's bound. */
	size_t (*bytes)(void *arg, const void *slot);
	/* Free what work left in slot: an item produced but never taken
	 * (the run stopped early). */
	void (*discard)(void *arg, void *slot);
};

struct pyro_ahead;

/* Start producing items 0..n) of ops/arg ahead of pyro_ahead_take.  *out
 * is owned by the caller: pyro_ahead_stop.  p NULL is fine (every item is
 * produced inline).  0 or -ENOMEM. */
int pyro_ahead_start(struct pyro_decode_pool *p, size_t n, size_t slot_size,
		     const struct pyro_ahead_ops *ops, void *arg,
		     struct pyro_ahead **out);

/* Item i, the next in order (0, 1, ...): waits for it, or produces it
 * here.  The slot is the caller's until pyro_ahead_done(ah, i); the caller
 * frees what it holds before that. */
void *pyro_ahead_take(struct pyro_ahead *ah, size_t i);

/* Item i is folded in and its slot emptied: the slot goes back. */
void pyro_ahead_done(struct pyro_ahead *ah, size_t i);

/* End the run (all items taken, or giving up early): waits for items in
 * progress, discards those never taken, frees ah.  NULL is fine. */
void pyro_ahead_stop(struct pyro_ahead *ah);

#endif
