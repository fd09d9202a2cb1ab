/*
 * test_cache.c - the byte-bounded LRU of reference-counted objects
 * (fs/cache.c).
 *
 * Test objects carry a name and count their destructions in a log the test
 * owns, so each case can say exactly which objects are alive.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../fs/cache.h"

/* Names of destroyed objects, in order. */
struct log {
	char text[256];
};

struct tobj {
	struct pyro_obj obj;
	char name[16];
	struct log *log;
};

static void tobj_destroy(struct pyro_obj *o)
{
	struct tobj *t = (struct tobj *)o;

	strncat(t->log->text, t->name, sizeof(t->log->text) - strlen(t->log->text) - 1);
	strncat(t->log->text, " ", sizeof(t->log->text) - strlen(t->log->text) - 1);
	free(t);
}

/* A new object with one reference for the caller. */
static struct pyro_obj *tobj(const char *name, size_t cost, struct log *log)
{
	struct tobj *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	pyro_obj_init(&t->obj, cost, tobj_destroy);
	strncpy(t->name, name, sizeof(t->name) - 1);
	t->log = log;
	return &t->obj;
}

/* Cache o under its own name and drop the caller's reference. */
static void put_own(struct pyro_cache *c, struct pyro_obj *o)
{
	pyro_cache_put(c, ((struct tobj *)o)->name, o);
	pyro_obj_put(o);
}

/* Costs in units big enough that an entry's own bytes (pyro_cache_charge
 * less the cost: ~100) stay below half a unit. */
#define U 1024
/* About 100 units, a multiple of 15 (cache_of_limit). */
#define LIMIT (100 * U / 15 * 15)

/* A cache whose limit (pyro_cache_limit) is limit: 1/16 of its bound is
 * room for memory it freed.  limit must be a multiple of 15. */
static struct pyro_cache *cache_of_limit(size_t limit)
{
	struct pyro_cache *c = pyro_cache_new(limit / 15 * 16);

	assert_non_null(c);
	assert_int_equal(pyro_cache_limit(c), limit);
	return c;
}

/* 1 if key is cached.  A hit makes the key the most recent. */
static int cached(struct pyro_cache *c, const char *key)
{
	struct pyro_obj *o = pyro_cache_get(c, key);

	pyro_obj_put(o);
	return o != NULL;
}

/* Least recently used goes first; a get makes an entry recent. */
static void test_lru_order(void **state)
{
	struct log log = { "" };
	struct pyro_cache *c = cache_of_limit(LIMIT);
	size_t one = pyro_cache_charge("a", 30 * U);

	put_own(c, tobj("a", 30 * U, &log));
	put_own(c, tobj("b", 30 * U, &log));
	put_own(c, tobj("c", 30 * U, &log));
	assert_int_equal(pyro_cache_used(c), 3 * one);
	assert_string_equal(log.text, "");

	assert_true(cached(c, "a"));                 /* order now: a c b */
	put_own(c, tobj("d", 30 * U, &log));         /* 120 > 100: b goes */
	assert_string_equal(log.text, "b ");
	assert_int_equal(pyro_cache_used(c), 3 * one);
	assert_false(cached(c, "b"));

	put_own(c, tobj("e", 30 * U, &log));         /* d a c: c goes */
	assert_string_equal(log.text, "b c ");
	put_own(c, tobj("f", 30 * U, &log));         /* e d a: a goes */
	assert_string_equal(log.text, "b c a ");
	assert_int_equal(pyro_cache_used(c), 3 * one);
	assert_false(cached(c, "a"));
	assert_false(cached(c, "c"));

	/* One put may evict several: the two least recent here.  f and g
	 * fill 99 units and two entries, under the limit of 100. */
	put_own(c, tobj("g", 69 * U, &log));         /* f e d: e and d go */
	assert_int_equal(pyro_cache_used(c),
			 one + pyro_cache_charge("g", 69 * U));
	assert_true(cached(c, "f"));
	assert_true(cached(c, "g"));
	assert_false(cached(c, "d"));
	assert_false(cached(c, "e"));
	assert_int_equal(strlen(log.text), strlen("b c a d e "));

	pyro_cache_free(c);
	assert_int_equal(strlen(log.text), strlen("b c a d e f g "));
}

/* What a cache costs the process: each entry is charged its object's
 * cost and its own bytes, and 1/16 of the bound is kept for memory it
 * freed that malloc has not given back yet. */
static void test_charges(void **state)
{
	struct log log = { "" };
	struct pyro_cache *c = pyro_cache_new(1600);

	assert_non_null(c);
	assert_int_equal(pyro_cache_limit(c), 1500);
	assert_true(pyro_cache_charge("key", 10) > 10 + strlen("key"));
	assert_int_equal(pyro_cache_charge("longer key", 10) -
			 pyro_cache_charge("key", 10), strlen("longer key") - strlen("key"));
	assert_int_equal(pyro_cache_charge("key", 1000) - pyro_cache_charge("key", 10), 990);
	/* An object of cost 1500 is over the limit once its entry counts. */
	put_own(c, tobj("x", 1500, &log));
	assert_false(cached(c, "x"));
	assert_int_equal(pyro_cache_used(c), 0);
	assert_string_equal(log.text, "x ");
	put_own(c, tobj("y", 1500 - (pyro_cache_charge("y", 0)), &log));
	assert_true(cached(c, "y"));
	assert_int_equal(pyro_cache_used(c), 1500);
	pyro_cache_free(c);
	assert_string_equal(log.text, "x y ");
}

/* An evicted object a reader holds lives until the reader lets go. */
static void test_refcount_keeps_alive(void **state)
{
	struct log log = { "" };
	struct pyro_cache *c = cache_of_limit(LIMIT);
	struct pyro_obj *held;

	put_own(c, tobj("a", 60 * U, &log));
	held = pyro_cache_get(c, "a");
	assert_non_null(held);
	put_own(c, tobj("b", 60 * U, &log));         /* evicts a */
	assert_false(cached(c, "a"));
	assert_string_equal(log.text, "");           /* but a lives */
	assert_string_equal(((struct tobj *)held)->name, "a");
	pyro_obj_get(held);
	pyro_obj_put(held);
	assert_string_equal(log.text, "");
	pyro_obj_put(held);
	assert_string_equal(log.text, "a ");
	assert_int_equal(pyro_cache_used(c), pyro_cache_charge("b", 60 * U));
	pyro_cache_free(c);
	assert_string_equal(log.text, "a b ");
}

/* A put under a cached key replaces the old object. */
static void test_replace(void **state)
{
	struct log log = { "" };
	struct pyro_cache *c = cache_of_limit(LIMIT);
	struct pyro_obj *o1 = tobj("one", 40 * U, &log), *o2 = tobj("two", 20 * U, &log);
	struct pyro_obj *got;

	pyro_cache_put(c, "k", o1);
	pyro_cache_put(c, "k", o2);
	assert_int_equal(pyro_cache_used(c), pyro_cache_charge("k", 20 * U));
	got = pyro_cache_get(c, "k");
	assert_ptr_equal(got, o2);
	pyro_obj_put(got);
	assert_string_equal(log.text, "");           /* the test holds one */
	pyro_obj_put(o1);
	assert_string_equal(log.text, "one ");
	/* Same object again under the same key: still one entry. */
	pyro_cache_put(c, "k", o2);
	assert_int_equal(pyro_cache_used(c), pyro_cache_charge("k", 20 * U));
	pyro_obj_put(o2);
	assert_string_equal(log.text, "one ");
	pyro_cache_free(c);
	assert_string_equal(log.text, "one two ");
}

/* An object whose charge is over the limit is not cached (nor referenced). */
static void test_too_big(void **state)
{
	struct log log = { "" };
	struct pyro_cache *c = cache_of_limit(LIMIT);
	size_t limit = pyro_cache_limit(c);
	struct pyro_obj *big = tobj("big", limit, &log);

	put_own(c, tobj("small", 10 * U, &log));
	pyro_cache_put(c, "big", big);
	assert_false(cached(c, "big"));
	assert_true(cached(c, "small"));            /* nothing evicted for it */
	assert_int_equal(pyro_cache_used(c), pyro_cache_charge("small", 10 * U));
	assert_string_equal(log.text, "");
	pyro_obj_put(big);
	assert_string_equal(log.text, "big ");
	/* Exactly the limit fits, alone. */
	put_own(c, tobj("full", limit - pyro_cache_charge("full", 0), &log));
	assert_true(cached(c, "full"));
	assert_string_equal(log.text, "big small ");
	assert_int_equal(pyro_cache_used(c), limit);
	pyro_cache_free(c);
	assert_string_equal(log.text, "big small full ");
}

/* Blobs: cost counts the struct, data is owned. */
static void test_blob(void **state)
{
	struct pyro_cache *c = pyro_cache_new(1 << 20);
	char *data = strdup("hello");
	struct pyro_blob *b = pyro_blob_new(data, 5);
	struct pyro_blob *got;

	assert_non_null(b);
	assert_int_equal(b->obj.cost, 5 + sizeof(struct pyro_blob));
	pyro_cache_put(c, "B:x", &b->obj);
	pyro_obj_put(&b->obj);
	got = (struct pyro_blob *)pyro_cache_get(c, "B:x");
	assert_ptr_equal(got, b);
	assert_memory_equal(got->data, "hello", 5);
	pyro_obj_put(&got->obj);
	assert_null(pyro_cache_get(c, "B:y"));
	pyro_obj_put(NULL);
	pyro_cache_free(c);
	pyro_cache_free(NULL);
}

/* Many keys: the table grows, every key stays findable. */
static void test_many_keys(void **state)
{
	struct log log = { "" };
	struct pyro_cache *c = pyro_cache_new(1 << 20);
	char key[32];
	size_t want = 0;
	int i;

	for (i = 0; i < 3000; i++) {
		struct pyro_obj *o = tobj("x", 1, &log);

		snprintf(key, sizeof(key), "key-%d", i);
		pyro_cache_put(c, key, o);
		pyro_obj_put(o);
	}
	for (i = 0; i < 3000; i++) {
		snprintf(key, sizeof(key), "key-%d", i);
		want += pyro_cache_charge(key, 1);
	}
	assert_int_equal(pyro_cache_used(c), want);
	for (i = 0; i < 3000; i++) {
		snprintf(key, sizeof(key), "key-%d", i);
		assert_true(cached(c, key));
	}
	pyro_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lru_order),
		cmocka_unit_test(test_charges),
		cmocka_unit_test(test_refcount_keeps_alive),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_blob),
		cmocka_unit_test(test_many_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
