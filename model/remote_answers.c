/*
 * remote_answers.c - the Pyroscope source's merge answers in memory, by
 * query and content identity (struct answers in remote_source.h): a
 * byte-bounded table, least recently used out first, so a node evicted
 * from fs/'s cache or read under another path costs no second query.
 * The lock guards the table only; no I/O happens under it.
 */
#include "remote_source.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

int pyro_remote_answers_get(struct answers *c, uint64_t ident, const void *req,
			    size_t len, struct pyro_buf *out)
{
	size_t i;
	int rc = -ENOENT;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->n; i++) {
		struct answer *a = &c->v[i];

		if (a->ident == ident && a->req_len == len && !memcmp(a->req, req, len)) {
			a->used = ++c->tick;
			rc = pyro_buf_add(out, a->bytes.data ? a->bytes.data : "", a->bytes.len);
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
	if (!rc)
		atomic_fetch_add(&c->hits, 1);
	return rc;
}

static void answer_drop(struct answers *c, size_t i)
{
	c->bytes -= c->v[i].bytes.len + c->v[i].req_len;
	free(c->v[i].req);
	pyro_buf_release(&c->v[i].bytes);
	c->v[i] = c->v[--c->n];
}

void pyro_remote_answers_put(struct answers *c, uint64_t ident, const void *req,
			     size_t len, const struct pyro_buf *ans)
{
	struct answer a = { .ident = ident, .req_len = len };
	size_t i, old;

	if (ans->len + len > ANSWER_BYTES / 4)
		return;         /* one answer must not flush the rest */
	a.req = malloc(len ? len : 1);
	if (!a.req || pyro_buf_add(&a.bytes, ans->data ? ans->data : "", ans->len)) {
		free(a.req);
		pyro_buf_release(&a.bytes);
		return;
	}
	memcpy(a.req, req, len);
	pthread_mutex_lock(&c->lock);
	while (c->n > 0 && c->bytes + ans->len + len > ANSWER_BYTES) {
		for (old = 0, i = 1; i < c->n; i++)
			if (c->v[i].used < c->v[old].used)
				old = i;
		answer_drop(c, old);
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		struct answer *v = realloc(c->v, cap * sizeof(*v));

		if (!v) {
			pthread_mutex_unlock(&c->lock);
			free(a.req);
			pyro_buf_release(&a.bytes);
			return;
		}
		c->v = v;
		c->cap = cap;
	}
	a.used = ++c->tick;
	c->v[c->n++] = a;
	c->bytes += ans->len + len;
	pthread_mutex_unlock(&c->lock);
}

void pyro_remote_answers_release(struct answers *c)
{
	while (c->n > 0)
		answer_drop(c, c->n - 1);
	free(c->v);
	pthread_mutex_destroy(&c->lock);
}
