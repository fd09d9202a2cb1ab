/*
 * pprof_wire_stream.c - the thread that inflates a big profile while
 * pyro_wire_parse decodes it (see "Inflating while decoding" in
 * pprof_wire.h): it publishes how many bytes are ready, chunk by chunk,
 * and the decoder waits only when it catches up.
 */
#include "gunzip.h"
#include "pprof_wire.h"

#define STREAM_CHUNK (256u << 10)       /* inflated bytes per progress report */

static void stream_publish(struct pyro_wire_stream *st, size_t avail, int state)
{
	pthread_mutex_lock(&st->lock);
	atomic_store(&st->avail, avail);
	if (state)
		atomic_store(&st->state, state);
	pthread_cond_broadcast(&st->cond);
	pthread_mutex_unlock(&st->lock);
}

void *pyro_wire_stream_inflate(void *arg)
{
	struct pyro_wire_stream *st = arg;
	struct pyro_gunzip gz;
	const char *why;
	size_t done = 0, made;
	int rc = 0;

	if (pyro_gunzip_init(&gz, st->in->data, st->in->len)) {
		stream_publish(st, 0, -1);
		return NULL;
	}
	while (rc == 0) {
		size_t room = st->size - done;

		/* One byte beyond: an ISIZE that lies is caught, not overrun. */
		rc = pyro_gunzip_step(&gz, st->out + done,
				      room > STREAM_CHUNK ? STREAM_CHUNK : room + 1,
				      &made, &why);
		done += made;
		if (done > st->size)
			break;
		if (rc == 0)
			stream_publish(st, done, 0);
	}
	stream_publish(st, done > st->size ? st->size : done,
		       rc == 1 && done == st->size ? 1 : -1);
	pyro_gunzip_release(&gz);
	return NULL;
}

int pyro_wire_stream_block(struct pyro_wire_stream *st, size_t need)
{
	int rc = 0;

	pthread_mutex_lock(&st->lock);
	while (atomic_load(&st->avail) < need && atomic_load(&st->state) == 0)
		pthread_cond_wait(&st->cond, &st->lock);
	if (atomic_load(&st->avail) < need)
		rc = PYRO_WIRE_ERR_STREAM;
	pthread_mutex_unlock(&st->lock);
	return rc;
}
