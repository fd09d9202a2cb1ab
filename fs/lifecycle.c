/*
 * lifecycle.c - a mount's life: open the source and the cache, follow the
 * source's changes (a watcher thread asking it to refresh), close.
 *
 * fs->index is the current index.  A node takes its own reference when it
 * is resolved (pyro_fs_index), so a refresh that swaps the index never
 * pulls data from under a reader; the old index goes with its last node.
 * fs->lock is held only to swap or reference the index, never while the
 * source works; refreshes are serialised by fs->refresh_lock, which no
 * reader takes.
 */
#include "node.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The source options kept by pyro_fs_opt, as pointers into opts. */
static int src_conf(const struct pyro_fs_opts *opts, struct pyro_src_conf *c,
		    const char ***list)
{
	size_t n = 0, off;

	for (off = 0; off < opts->src_opts_len; off += strlen(opts->src_opts + off) + 1)
		n++;
	*list = NULL;
	if (n && !(*list = calloc(n, sizeof(**list))))
		return -ENOMEM;
	n = 0;
	for (off = 0; off < opts->src_opts_len; off += strlen(opts->src_opts + off) + 1)
		(*list)[n++] = opts->src_opts + off;
	c->max_profile_size = opts->max_profile_size;
	c->merge = opts->merge;
	c->opts = *list;
	c->nopts = n;
	return 0;
}

int pyro_fs_open(const char *source, const struct pyro_fs_opts *opts,
		 struct pyro_fs **out, char err[PYRO_ERR_MAX])
{
	struct pyro_fs *fs = calloc(1, sizeof(*fs));
	struct pyro_src_conf conf;
	const char **list = NULL;
	int rc;

	*out = NULL;
	if (!fs)
		return -ENOMEM;
	fs->opts = *opts;
	if (!fs->opts.max_file_size)
		fs->opts.max_file_size =
			opts->max_profile_size > PYRO_DEFAULT_MAX_FILE_SIZE / 4 ?
			PYRO_DEFAULT_MAX_FILE_SIZE : opts->max_profile_size * 4;
	pthread_mutex_init(&fs->lock, NULL);
	pthread_mutex_init(&fs->refresh_lock, NULL);
	pthread_cond_init(&fs->wake, NULL);
	fs->mount_time = time(NULL);
	fs->uid = getuid();
	fs->gid = getgid();
	fs->cache = pyro_cache_new(opts->cache_size);
	rc = fs->cache ? src_conf(opts, &conf, &list) : -ENOMEM;
	pyro_content_snapshots(fs, &fs->snapshots);
	conf.snapshots = &fs->snapshots;
	if (!rc)
		rc = pyro_src_open(source, &conf, &fs->src, &fs->index, err);
	free(list);
	if (rc) {
		if (rc == -ENOMEM && !fs->src)
			snprintf(err, PYRO_ERR_MAX, "%s", strerror(ENOMEM));
		pyro_fs_close(fs);
		return rc;
	}
	*out = fs;
	return 0;
}

const char *pyro_fs_source_name(const struct pyro_fs *fs)
{
	return fs->src->name;
}

size_t pyro_fs_nservices(struct pyro_fs *fs)
{
	struct pyro_index *ix = pyro_fs_index(fs);
	size_t n = ix ? ix->nservices : 0;

	pyro_index_put(ix);
	return n;
}

void pyro_fs_close(struct pyro_fs *fs)
{
	if (!fs)
		return;
	if (fs->watching) {
		pthread_mutex_lock(&fs->lock);
		fs->stopping = 1;
		pthread_cond_signal(&fs->wake);
		pthread_mutex_unlock(&fs->lock);
		pthread_join(fs->watcher, NULL);
	}
	pyro_cache_free(fs->cache);
	pyro_index_put(fs->index);
	pyro_src_close(fs->src);
	pthread_cond_destroy(&fs->wake);
	pthread_mutex_destroy(&fs->refresh_lock);
	pthread_mutex_destroy(&fs->lock);
	free(fs);
}

/* ---- following a changing source ------------------------------------------ */

struct pyro_index *pyro_fs_index(struct pyro_fs *fs)
{
	struct pyro_index *ix;

	pthread_mutex_lock(&fs->lock);
	ix = fs->index;
	pyro_index_get(ix);
	pthread_mutex_unlock(&fs->lock);
	return ix;
}

/* Make ix (one reference, handed over) the current index. */
static void install(struct pyro_fs *fs, struct pyro_index *ix)
{
	struct pyro_index *old;

	pthread_mutex_lock(&fs->lock);
	old = fs->index;
	fs->index = ix;
	pthread_mutex_unlock(&fs->lock);
	pyro_index_put(old);
	/* Indexing a service frees as much as it keeps (every file's stat,
	 * header and inflate buffer): give it back, so that the daemon's
	 * resident size is its index and cache. */
	malloc_trim(0);
}

/* Whether name (NULL: any service) of ix waits to be indexed. */
static int pending(const struct pyro_index *ix, const char *name)
{
	const struct pyro_index_service *svc;
	size_t i;

	if (name) {
		svc = pyro_index_service(ix, name);
		return svc && svc->pending;
	}
	for (i = 0; i < ix->nservices; i++)
		if (ix->services[i].pending)
			return 1;
	return 0;
}

int pyro_fs_load(struct pyro_fs *fs, struct pyro_index **ix, const char *name)
{
	struct pyro_index *cur, *next = NULL;
	char err[PYRO_ERR_MAX];
	int rc;

	if (!fs->src->ops->load || !pending(*ix, name))
		return 0;
	/* With refreshes: the source indexes into the current index, which
	 * may be newer than *ix. */
	pthread_mutex_lock(&fs->refresh_lock);
	cur = pyro_fs_index(fs);
	rc = fs->src->ops->load(fs->src, cur, name, &next, err);
	if (rc == 1) {
		pyro_index_get(next);
		install(fs, next);
		pyro_index_put(cur);
		cur = next;
		rc = 0;
	}
	pthread_mutex_unlock(&fs->refresh_lock);
	if (rc < 0) {
		pyro_index_put(cur);
		return rc == -ENOMEM ? rc : -EIO;
	}
	pyro_index_put(*ix);
	*ix = cur;
	return 0;
}

int pyro_fs_rescan(struct pyro_fs *fs)
{
	struct pyro_index *cur, *next = NULL;
	char err[PYRO_ERR_MAX];
	int rc;

	pthread_mutex_lock(&fs->refresh_lock);
	cur = pyro_fs_index(fs);
	rc = fs->src->ops->refresh(fs->src, cur, &next, err);
	pyro_index_put(cur);
	if (rc == 1)
		install(fs, next);
	pthread_mutex_unlock(&fs->refresh_lock);
	return rc;
}

static void *watch_main(void *arg)
{
	struct pyro_fs *fs = arg;
	struct timespec until;
	double secs = fs->opts.rescan;

	pthread_mutex_lock(&fs->lock);
	while (!fs->stopping) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t)secs;
		until.tv_nsec += (long)((secs - (double)(time_t)secs) * NS_PER_SEC);
		if (until.tv_nsec >= NS_PER_SEC) {
			until.tv_sec++;
			until.tv_nsec -= NS_PER_SEC;
		}
		pthread_cond_timedwait(&fs->wake, &fs->lock, &until);
		if (fs->stopping)
			break;
		pthread_mutex_unlock(&fs->lock);
		pyro_fs_rescan(fs);
		pthread_mutex_lock(&fs->lock);
	}
	pthread_mutex_unlock(&fs->lock);
	return NULL;
}

int pyro_fs_watch(struct pyro_fs *fs)
{
	int rc;

	if (fs->opts.rescan <= 0 || fs->watching)
		return 0;
	rc = -pthread_create(&fs->watcher, NULL, watch_main, fs);
	if (!rc)
		fs->watching = 1;
	return rc;
}
