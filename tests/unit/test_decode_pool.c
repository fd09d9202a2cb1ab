/*
 * test_decode_pool.c - runs on a shared decode pool (model/decode_pool.h)
 * hand out every item once, in order, whoever produced it; runs stopped
 * early free what was produced and never taken; many runs share a pool
 * of fewer threads than runs, and a pool of none, without waiting on work
 * nobody does.  No timing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "../../model/decode_pool.h"

/* A run's items: item i is the value 1000 * tag + i, in a malloc'ed cell
 * (so that a leak of a discarded item shows under ASan and valgrind). */
struct items {
	int tag;
	atomic_size_t produced;         /* work calls */
	atomic_size_t discarded;        /* discard calls */
	atomic_size_t dirty;            /* slots handed to work not zeroed */
};

struct cell {
	long *value;                    /* malloc'ed by work */
};

static void item_work(void *arg, size_t i, void *slot)
{
	struct items *it = arg;
	struct cell *c = slot;

	if (c->value)                   /* slots are handed out zeroed */
		atomic_fetch_add(&it->dirty, 1);
	c->value = malloc(sizeof(*c->value));
	if (c->value)
		*c->value = 1000L * it->tag + (long)i;
	atomic_fetch_add(&it->produced, 1);
}

static size_t item_bytes(void *arg, const void *slot)
{
	(void)arg;
	(void)slot;
	return sizeof(long);
}

static void item_discard(void *arg, void *slot)
{
	struct items *it = arg;
	struct cell *c = slot;

	free(c->value);
	c->value = NULL;
	atomic_fetch_add(&it->discarded, 1);
}

static const struct pyro_ahead_ops ops = {
	.work = item_work,
	.bytes = item_bytes,
	.discard = item_discard,
};

/* Take items [0, take) of an n-item run tagged tag, then stop; returns
 * how many came out wrong (not thread-safe to assert in threads). */
static size_t run(struct pyro_decode_pool *p, int tag, size_t n, size_t take,
		  struct items *it)
{
	struct pyro_ahead *ah;
	size_t i, wrong = 0;

	memset(it, 0, sizeof(*it));
	it->tag = tag;
	if (pyro_ahead_start(p, n, sizeof(struct cell), &ops, it, &ah))
		return n + 1;
	for (i = 0; i < take; i++) {
		struct cell *c = pyro_ahead_take(ah, i);

		if (!c->value || *c->value != 1000L * tag + (long)i)
			wrong++;
		free(c->value);
		c->value = NULL;
		pyro_ahead_done(ah, i);
	}
	pyro_ahead_stop(ah);
	return wrong + atomic_load(&it->dirty);
}

static void check_run(struct pyro_decode_pool *p, size_t n, size_t take)
{
	struct items it;

	assert_int_equal(run(p, 7, n, take, &it), 0);
	/* Everything produced was taken or discarded: nothing leaks. */
	assert_int_equal(atomic_load(&it.produced),
			 take + atomic_load(&it.discarded));
	assert_true(atomic_load(&it.produced) <= n);
}

/* Whole runs and runs stopped early, on pools of 0, 1 and 3 threads and
 * without a pool. */
static void test_runs(void **state)
{
	static const unsigned threads[] = { 0, 1, 3 };
	static const size_t sizes[] = { 1, 2, 7, 8, 9, 40, 200 };
	size_t t, k;

	(void)state;
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		check_run(NULL, sizes[k], sizes[k]);
		check_run(NULL, sizes[k], sizes[k] / 2);
	}
	for (t = 0; t < sizeof(threads) / sizeof(threads[0]); t++) {
		struct pyro_decode_pool *p;

		assert_int_equal(pyro_decode_pool_new(threads[t], &p), 0);
		for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			check_run(p, sizes[k], sizes[k]);
			check_run(p, sizes[k], sizes[k] / 2);
			check_run(p, sizes[k], 0);      /* stopped at once */
		}
		pyro_decode_pool_free(p);
	}
}

/* Many runs at once, more than the pool has threads, each from a thread
 * of its own (as concurrent readers merge), some stopping early. */
#define NRUNNERS 6

struct runner {
	pthread_t tid;
	struct pyro_decode_pool *p;
	int tag;
	size_t n, take, wrong;
	struct items it;
};

static void *runner_main(void *arg)
{
	struct runner *r = arg;
	int round;

	for (round = 0; round < 20 && !r->wrong; round++)
		r->wrong = run(r->p, r->tag, r->n, r->take, &r->it);
	return NULL;
}

static void test_concurrent(void **state)
{
	static const unsigned threads[] = { 0, 1, 2 };
	struct runner rs[NRUNNERS];
	size_t t, k;

	(void)state;
	for (t = 0; t < sizeof(threads) / sizeof(threads[0]); t++) {
		struct pyro_decode_pool *p;

		assert_int_equal(pyro_decode_pool_new(threads[t], &p), 0);
		for (k = 0; k < NRUNNERS; k++) {
			rs[k] = (struct runner){ .p = p, .tag = (int)k + 1,
						 .n = 30 + 17 * k };
			rs[k].take = k % 2 ? rs[k].n : rs[k].n / 3;
			assert_int_equal(pthread_create(&rs[k].tid, NULL,
							runner_main, &rs[k]), 0);
		}
		for (k = 0; k < NRUNNERS; k++) {
			pthread_join(rs[k].tid, NULL);
			assert_int_equal(rs[k].wrong, 0);
			assert_int_equal(atomic_load(&rs[k].it.produced),
					 rs[k].take +
					 atomic_load(&rs[k].it.discarded));
		}
		pyro_decode_pool_free(p);
	}
}

/* A pool that never ran anything starts no thread and frees cleanly;
 * NULL frees too. */
static void test_idle(void **state)
{
	struct pyro_decode_pool *p;

	(void)state;
	assert_int_equal(pyro_decode_pool_new(4, &p), 0);
	pyro_decode_pool_free(p);
	pyro_decode_pool_free(NULL);
	pyro_ahead_stop(NULL);
	assert_true(pyro_decode_pool_threads() <= PYRO_POOL_MAX_THREADS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_idle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
