/*
 * loop.c - serve FUSE requests: one thread reads and answers them in turn,
 * awake between requests, and a second takes over when an answer is slow.
 *
 * Why not libfuse's fuse_loop_mt: it keeps its threads asleep in read(2) of
 * /dev/fuse, and the kernel hands each request to the one that has slept
 * longest, so every request wakes a thread and puts one to sleep.  In a
 * virtual machine those switches cost more than our answers: a file manager
 * opening a 10,000-snapshot directory asks listxattr and getxattr of every
 * entry, one after another, and each round trip took ~25 us of which our
 * code was ~3.  Here the thread that answered a request polls /dev/fuse
 * (non-blocking) for SPIN_NS before it sleeps in poll(2), so a caller that
 * asks again at once finds it awake: 0.5-0.75 context switches per request
 * instead of 1, and under load 26-33 us a round trip instead of 52-87 (on a
 * quiet machine both take ~20 us: the rest is the kernel's and the caller's).
 *
 * One slow answer (a render, a merge, a Pyroscope query) must not hold up the
 * others.  While the reader is awake, a second thread, the standby, wakes
 * every TICK_NS; when it finds the reader still on the request it was on at
 * the last tick, it becomes the reader and wakes an idle thread (or starts
 * one, up to max_threads) to be the next standby.  The old reader, once it
 * has answered, becomes the standby or idles.  So a request queued behind a
 * slow one waits at most two ticks, and up to max_threads requests are
 * answered at once, as with libfuse's loop.  When the reader sleeps in poll,
 * the standby sleeps without a timer: an idle mount wakes nobody.
 *
 * Threads never exit before the loop ends (libfuse's default too).  Roles
 * change under lp->lock; the reader's hot path (a request taken, answered)
 * touches only atomics.
 */
#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

/* How long the reader stays awake after an answer: long enough to cover a
 * caller's next system call (a few microseconds), short enough that a burst's
 * end costs little.  Not on a single CPU, where spinning would only keep the
 * caller from running. */
#define SPIN_NS 200000L
/* How long the standby lets the reader spend on one request before it takes
 * over reading.  2 ms: well above a cached answer, well below a render. */
#define TICK_NS 2000000L

struct worker {
	struct loop *lp;                /* borrowed */
	pthread_t tid;
	atomic_int reading;             /* this thread is the reader */
};

struct loop {
	struct fuse_session *se;        /* borrowed */
	int fd;                         /* /dev/fuse, borrowed */
	int wake_fd;                    /* owned: an eventfd; written at the end */
	int spin;                       /* 0 on one CPU */
	unsigned max_threads;
	pthread_mutex_t lock;           /* guards everything below but atomics */
	pthread_cond_t standby_cv;      /* the standby's timer and wake-up */
	pthread_cond_t idle_cv;         /* idle threads wait for a role */
	int end_fd;                     /* owned: an eventfd, written by a thread
					 * that saw the session end */
	struct worker *workers;         /* owned: max_threads slots */
	unsigned nthreads;              /* slots started */
	unsigned nidle;                 /* threads waiting on idle_cv */
	struct worker *reader;          /* borrowed from workers */
	int has_standby;
	int reader_asleep;              /* the reader sleeps in poll(2) */
	int stopping;
	int error;                      /* first failed read, negative errno */
	atomic_ulong taken;             /* requests taken so far */
	atomic_int busy;                /* the reader is answering one */
};

static void *worker_main(void *arg);

/* Start one more thread, with every signal blocked so that they reach the
 * thread that waits in pyro_loop_serve.  Under lp->lock.  0 or -errno
 * (-EAGAIN: max_threads are running). */
static int start_worker(struct loop *lp, int as_reader)
{
	struct worker *w;
	sigset_t all, old;
	int rc;

	if (lp->nthreads == lp->max_threads)
		return -EAGAIN;
	w = &lp->workers[lp->nthreads];
	w->lp = lp;
	atomic_init(&w->reading, as_reader);
	if (as_reader)
		lp->reader = w;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&w->tid, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		if (as_reader)
			lp->reader = NULL;
		return -rc;
	}
	lp->nthreads++;
	return 0;
}

/* Add one to the eventfd fd, which wakes whoever polls it. */
static void poke(int fd)
{
	uint64_t one = 1;

	/* It fails only when the counter would overflow: readable then. */
	if (write(fd, &one, sizeof(one)) < 0)
		return;
}

/* The session is over (or reading failed: err < 0): tell pyro_loop_serve. */
static void session_ended(struct loop *lp, int err)
{
	pthread_mutex_lock(&lp->lock);
	if (err < 0 && !lp->error)
		lp->error = err;
	pthread_mutex_unlock(&lp->lock);
	poke(lp->end_fd);
}

static long elapsed_ns(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000000000L + (t.tv_nsec - t0->tv_nsec);
}

enum { TAKEN = 1, DEMOTED = 2 };

/* Sleep in poll(2) until /dev/fuse has a request or the loop ends.  The
 * standby sleeps meanwhile (reader_asleep).  DEMOTED if another thread
 * became the reader first, 0 to go on, or -errno. */
static int sleep_in_poll(struct loop *lp, struct worker *w)
{
	struct pollfd p[2] = {
		{ .fd = lp->fd, .events = POLLIN },
		{ .fd = lp->wake_fd, .events = POLLIN },
	};
	int rc, err;

	pthread_mutex_lock(&lp->lock);
	if (!atomic_load(&w->reading) || lp->stopping) {
		pthread_mutex_unlock(&lp->lock);
		return DEMOTED;
	}
	lp->reader_asleep = 1;
	pthread_mutex_unlock(&lp->lock);
	rc = poll(p, 2, -1);
	err = errno;
	pthread_mutex_lock(&lp->lock);
	lp->reader_asleep = 0;
	pthread_cond_signal(&lp->standby_cv);
	pthread_mutex_unlock(&lp->lock);
	if (rc < 0 && err != EINTR)
		return -err;
	return p[1].revents ? DEMOTED : 0;
}

/* Take the next request into buf: TAKEN, DEMOTED (stop reading: another
 * thread reads now, or the loop ends), 0 when the session ended, -errno. */
static int take_request(struct loop *lp, struct worker *w, struct fuse_buf *buf)
{
	struct timespec t0;
	int rc, spinning = 0;

	for (;;) {
		rc = fuse_session_receive_buf(lp->se, buf);
		if (rc > 0)
			return TAKEN;
		if (rc != -EAGAIN && rc != -EINTR)
			return rc;
		if (fuse_session_exited(lp->se))
			return 0;
		if (!atomic_load(&w->reading))
			return DEMOTED;
		if (lp->spin && !spinning) {
			clock_gettime(CLOCK_MONOTONIC, &t0);
			spinning = 1;
			continue;
		}
		if (spinning && elapsed_ns(&t0) < SPIN_NS) {
			/* A busy machine: let whoever waits for this CPU
			 * run (the caller, perhaps) before polling again. */
			sched_yield();
			continue;
		}
		spinning = 0;
		rc = sleep_in_poll(lp, w);
		if (rc != 0)
			return rc;
	}
}

/* Read and answer requests while this thread is the reader. */
static void serve_as_reader(struct loop *lp, struct worker *w, struct fuse_buf *buf)
{
	int rc;

	for (;;) {
		rc = take_request(lp, w, buf);
		if (rc == DEMOTED)
			return;
		if (rc <= 0) {
			/* Read no more: pyro_loop_serve stops every thread. */
			atomic_store(&w->reading, 0);
			session_ended(lp, rc);
			return;
		}
		atomic_fetch_add(&lp->taken, 1);
		atomic_store(&lp->busy, 1);
		fuse_session_process_buf(lp->se, buf);
		atomic_store(&lp->busy, 0);
		if (!atomic_load(&w->reading))
			return;
	}
}

/* The reader has been on one request for a tick: this thread (the standby)
 * reads from now on, and another becomes the standby.  Under lp->lock. */
static void take_over(struct loop *lp, struct worker *w)
{
	if (lp->reader)
		atomic_store(&lp->reader->reading, 0);
	lp->reader = w;
	atomic_store(&w->reading, 1);
	lp->has_standby = 0;
	if (lp->nidle > 0)
		pthread_cond_signal(&lp->idle_cv);
	else
		start_worker(lp, 0);    /* none left: the reader goes without */
}

/* Be the standby until this thread takes over reading or the loop ends.
 * Called and returns with lp->lock held. */
static void stand_by(struct loop *lp, struct worker *w)
{
	struct timespec until;
	unsigned long seen = atomic_load(&lp->taken);
	unsigned long now;

	while (!lp->stopping) {
		if (lp->reader_asleep) {
			pthread_cond_wait(&lp->standby_cv, &lp->lock);
			seen = atomic_load(&lp->taken);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += TICK_NS;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&lp->standby_cv, &lp->lock, &until);
		now = atomic_load(&lp->taken);
		if (!lp->stopping && !lp->reader_asleep && now == seen &&
		    atomic_load(&lp->busy)) {
			take_over(lp, w);
			return;
		}
		seen = now;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct loop *lp = w->lp;
	struct fuse_buf buf = { .mem = NULL };

	pthread_mutex_lock(&lp->lock);
	while (!lp->stopping) {
		if (atomic_load(&w->reading)) {
			pthread_mutex_unlock(&lp->lock);
			serve_as_reader(lp, w, &buf);
			pthread_mutex_lock(&lp->lock);
		} else if (!lp->has_standby) {
			lp->has_standby = 1;
			stand_by(lp, w);
			if (!atomic_load(&w->reading))
				lp->has_standby = 0;
		} else {
			lp->nidle++;
			pthread_cond_wait(&lp->idle_cv, &lp->lock);
			lp->nidle--;
		}
	}
	pthread_mutex_unlock(&lp->lock);
	free(buf.mem);
	return NULL;
}

/* Wait for the end: a thread saw the session end, or one of the signals
 * libfuse's handlers catch called fuse_session_exit.  Those signals are
 * blocked but inside ppoll, so one that comes before it is not lost. */
static void wait_for_end(struct loop *lp)
{
	struct pollfd p = { .fd = lp->end_fd, .events = POLLIN };
	sigset_t stop, old;

	sigemptyset(&stop);
	sigaddset(&stop, SIGHUP);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, &old);
	while (!fuse_session_exited(lp->se)) {
		if (ppoll(&p, 1, NULL, &old) > 0)
			break;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Stop every thread (a thread answering finishes its answer) and join. */
static void stop_all(struct loop *lp)
{
	unsigned i, n;

	pthread_mutex_lock(&lp->lock);
	lp->stopping = 1;
	for (i = 0; i < lp->nthreads; i++)
		atomic_store(&lp->workers[i].reading, 0);
	pthread_cond_broadcast(&lp->standby_cv);
	pthread_cond_broadcast(&lp->idle_cv);
	n = lp->nthreads;
	pthread_mutex_unlock(&lp->lock);
	poke(lp->wake_fd);
	for (i = 0; i < n; i++)
		pthread_join(lp->workers[i].tid, NULL);
}

static int loop_init(struct loop *lp, struct fuse_session *se, unsigned max_threads)
{
	pthread_condattr_t attr;
	int rc;

	memset(lp, 0, sizeof(*lp));
	lp->se = se;
	lp->fd = fuse_session_fd(se);
	lp->max_threads = max_threads ? max_threads : 1;
	lp->spin = sysconf(_SC_NPROCESSORS_ONLN) > 1;
	lp->workers = calloc(lp->max_threads, sizeof(*lp->workers));
	if (!lp->workers)
		return -ENOMEM;
	lp->wake_fd = eventfd(0, EFD_CLOEXEC);
	lp->end_fd = eventfd(0, EFD_CLOEXEC);
	if (lp->wake_fd < 0 || lp->end_fd < 0) {
		rc = -errno;
		if (lp->wake_fd >= 0)
			close(lp->wake_fd);
		if (lp->end_fd >= 0)
			close(lp->end_fd);
		free(lp->workers);
		return rc;
	}
	pthread_mutex_init(&lp->lock, NULL);
	/* The standby's ticks are intervals: immune to clock changes. */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&lp->standby_cv, &attr);
	pthread_condattr_destroy(&attr);
	pthread_cond_init(&lp->idle_cv, NULL);
	atomic_init(&lp->taken, 0);
	atomic_init(&lp->busy, 0);
	return 0;
}

static void loop_fini(struct loop *lp)
{
	pthread_cond_destroy(&lp->idle_cv);
	pthread_cond_destroy(&lp->standby_cv);
	pthread_mutex_destroy(&lp->lock);
	close(lp->wake_fd);
	close(lp->end_fd);
	free(lp->workers);
}

int pyro_loop_serve(struct fuse_session *se, unsigned max_threads)
{
	struct loop lp;
	int flags, rc;

	rc = loop_init(&lp, se, max_threads);
	if (rc != 0)
		return rc;
	/* Non-blocking, so the reader can poll it while it spins. */
	flags = fcntl(lp.fd, F_GETFL);
	if (flags < 0 || fcntl(lp.fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		rc = -errno;
		loop_fini(&lp);
		return rc;
	}
	pthread_mutex_lock(&lp.lock);
	rc = start_worker(&lp, 1);
	if (rc == 0 && lp.max_threads > 1)
		start_worker(&lp, 0);
	pthread_mutex_unlock(&lp.lock);
	if (rc == 0) {
		wait_for_end(&lp);
		stop_all(&lp);
		rc = lp.error;
	}
	fcntl(lp.fd, F_SETFL, flags);
	fuse_session_reset(se);
	loop_fini(&lp);
	return rc;
}
