/*
 * loop.h - the loop that serves a mounted session's requests (loop.c).
 */
#ifndef PYRO_LOOP_H
#define PYRO_LOOP_H

#include "ops.h"

/* Answer se's requests on up to max_threads threads (at least 1) until the
 * session ends: unmounted, or fuse_session_exit() called, as libfuse's
 * signal handlers do.  Call it from the thread that receives the signals;
 * the threads it starts block them.  se is borrowed.  0, or the negative
 * errno of a failed read of /dev/fuse or of a failed start. */
int pyro_loop_serve(struct fuse_session *se, unsigned max_threads);

#endif
