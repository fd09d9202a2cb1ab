/*
 * archive_watch.c - noticing a local archive's changes: inotify, or the
 * stat-walk where it cannot see; see archive_watch.h.  Split from
 * source_archive.c, which decides what the changes mean for its parts.
 */
#include "archive_watch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/vfs.h>
#include <unistd.h>

#define WATCH_MASK (IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | \
		    IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | \
		    IN_MOVE_SELF | IN_ONLYDIR)

void pyro_watch_init(struct pyro_watch *w)
{
	memset(w, 0, sizeof(*w));
	atomic_init(&w->walking, 0);
	atomic_init(&w->why, PYRO_WHY_NONE);
	w->ino = -1;
}

/* The watches and their queue go: in walk mode nobody reads them. */
static void stop_inotify(struct pyro_watch *w)
{
	size_t i;

	if (w->ino >= 0)
		close(w->ino);
	w->ino = -1;
	for (i = 0; i < w->nslots; i++)
		free(w->slots[i].service);
	free(w->slots);
	w->slots = NULL;
	w->nslots = 0;
}

void pyro_watch_release(struct pyro_watch *w)
{
	stop_inotify(w);
	pyro_watch_clear(w);
	free(w->dirty);
	w->dirty = NULL;
	w->dirty_cap = 0;
}

static const char *const why_names[] = {
	[PYRO_WHY_NONE] = "",
	[PYRO_WHY_OPTION] = " (-o watch=walk)",
	[PYRO_WHY_NETWORK] = " (network filesystem)",
	[PYRO_WHY_LIMIT] = " (inotify watch limit reached)",
	[PYRO_WHY_NO_INOTIFY] = " (inotify unavailable)",
};

const char *pyro_watch_why(const struct pyro_watch *w)
{
	return pyro_watch_walking(w) ? why_names[atomic_load(&w->why)] : "";
}

void pyro_watch_use_walk(struct pyro_watch *w, enum pyro_walk_why why)
{
	atomic_store(&w->why, why);
	atomic_store(&w->walking, 1);
}

int pyro_watch_walking(const struct pyro_watch *w)
{
	return atomic_load(&w->walking);
}

/* Remember that watch wd reports on service (NULL: the root). */
static void watch_note(struct pyro_watch *w, int wd, const char *service)
{
	char *name = NULL;
	size_t cap = w->nslots;

	if (service && !(name = strdup(service)))
		goto lost;
	if ((size_t)wd >= cap) {
		struct pyro_watch_slot *n;

		while ((size_t)wd >= cap)
			cap = cap ? cap * 2 : 64;
		n = realloc(w->slots, cap * sizeof(*n));
		if (!n)
			goto lost;
		memset(n + w->nslots, 0, (cap - w->nslots) * sizeof(*n));
		w->slots = n;
		w->nslots = cap;
	}
	free(w->slots[wd].service);
	w->slots[wd].service = name;
	w->slots[wd].used = 1;
	return;
lost:
	free(name);
	/* Without the table, events cannot be told apart: every part. */
	w->all_dirty = 1;
}

void pyro_watch_dir(void *arg, int dirfd, const char *service)
{
	struct pyro_watch *w = arg;
	char path[64];
	int wd;

	if (pyro_watch_walking(w))
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", dirfd);
	wd = inotify_add_watch(w->ino, path, WATCH_MASK);
	if (wd >= 0) {
		watch_note(w, wd, service);
		return;
	}
	if (errno == ENOSPC || errno == ENOMEM)
		pyro_watch_use_walk(w, PYRO_WHY_LIMIT);
	/* Else the directory went meanwhile: its parent's event says so. */
}

/* Filesystems whose changes may come from another machine, unseen by
 * inotify (statfs(2) magic numbers). */
static int remote_fs(int fd)
{
	static const unsigned long magic[] = {
		0x6969,         /* NFS */
		0x517b,         /* SMB */
		0xff534d42,     /* CIFS */
		0xfe534d42,     /* SMB2 */
		0x65735546,     /* FUSE (sshfs, ...) */
		0x01021997,     /* 9P */
		0x00c36400,     /* Ceph */
		0x5346414f,     /* AFS */
		0x01161970,     /* GFS2 */
		0x0bd00bd0,     /* Lustre */
	};
	struct statfs sf;
	size_t i;

	if (fstatfs(fd, &sf))
		return 0;
	for (i = 0; i < sizeof(magic) / sizeof(magic[0]); i++)
		if ((unsigned long)sf.f_type == magic[i])
			return 1;
	return 0;
}

void pyro_watch_root(struct pyro_watch *w, int rootfd)
{
	int fd;

	if (pyro_watch_walking(w))
		return;
	if (remote_fs(rootfd)) {
		pyro_watch_use_walk(w, PYRO_WHY_NETWORK);
		return;
	}
	if (w->ino < 0)
		w->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->ino < 0) {
		pyro_watch_use_walk(w, errno == EMFILE ? PYRO_WHY_LIMIT :
						      PYRO_WHY_NO_INOTIFY);
		return;
	}
	/* An O_PATH descriptor cannot be read: open the directory itself. */
	fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		w->root_dirty = 1;
		return;
	}
	pyro_watch_dir(w, fd, NULL);
	close(fd);
}

void pyro_watch_mark(struct pyro_watch *w, const char *service)
{
	size_t i;

	for (i = 0; i < w->ndirty; i++)
		if (!strcmp(w->dirty[i], service))
			return;
	if (w->ndirty == w->dirty_cap) {
		size_t cap = w->dirty_cap ? w->dirty_cap * 2 : 16;
		char **n = realloc(w->dirty, cap * sizeof(*n));

		if (!n) {
			w->all_dirty = 1;
			return;
		}
		w->dirty = n;
		w->dirty_cap = cap;
	}
	if (!(w->dirty[w->ndirty] = strdup(service)))
		w->all_dirty = 1;
	else
		w->ndirty++;
}

int pyro_watch_is_dirty(const struct pyro_watch *w, const char *service)
{
	size_t i;

	if (w->all_dirty)
		return 1;
	for (i = 0; i < w->ndirty; i++)
		if (!strcmp(w->dirty[i], service))
			return 1;
	return 0;
}

int pyro_watch_any(const struct pyro_watch *w)
{
	return w->root_dirty || w->all_dirty || w->ndirty;
}

void pyro_watch_clear(struct pyro_watch *w)
{
	size_t i;

	for (i = 0; i < w->ndirty; i++)
		free(w->dirty[i]);
	w->ndirty = 0;
	w->root_dirty = w->all_dirty = 0;
}

/* One event: which part it touches. */
static void note_event(struct pyro_watch *w, const struct inotify_event *ev)
{
	struct pyro_watch_slot *s;

	if (ev->mask & IN_Q_OVERFLOW) {
		w->all_dirty = w->root_dirty = 1;
		return;
	}
	if (ev->wd < 0 || (size_t)ev->wd >= w->nslots || !w->slots[ev->wd].used)
		return;
	s = &w->slots[ev->wd];
	if (ev->mask & IN_IGNORED) {
		/* The watch is gone (its directory was): the parent's event
		 * said what changed. */
		free(s->service);
		s->service = NULL;
		s->used = 0;
		return;
	}
	/* Dot-files are not part of the archive (collectors write them and
	 * rename them into place: the rename counts). */
	if (ev->len && ev->name[0] == '.')
		return;
	if (!s->service)
		w->root_dirty = 1;
	else
		pyro_watch_mark(w, s->service);
}

/* Read every pending event (non-blocking) into the dirty set. */
static void drain(struct pyro_watch *w)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(w->ino, buf, sizeof(buf))) > 0) {
		const char *p = buf;

		while (p < buf + n) {
			const struct inotify_event *ev = (const void *)p;

			note_event(w, ev);
			p += sizeof(*ev) + ev->len;
		}
	}
}

void pyro_watch_poll(struct pyro_watch *w)
{
	if (!pyro_watch_walking(w) && w->ino >= 0)
		drain(w);
	/* Fallen back to the walk (the watch table filled up): the watches
	 * go, and the queue nobody reads any more. */
	if (pyro_watch_walking(w) && w->ino >= 0)
		stop_inotify(w);
}
