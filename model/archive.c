/*
 * archive.c - index a profile archive; see archive.h.
 *
 * Opening walks the tree once and lists the files (archive_walk.c;
 * archive_priv.h is what the two files share); then peeks at every
 * file (inflating it whole: a profile keeps its string table at the end),
 * on all cores at once, unless the persistent index cache (idxcache.h)
 * still vouches for the file's header; then collects, in walk order, one
 * entry per (file, sample type).  Sorting the entries by (service, type,
 * time, path) yields services, series and snapshots as contiguous runs, so
 * the index is built without any per-service hash table.  Reading an open
 * archive (lookups, problems) is archive_query.c's.
 */
#include "archive.h"
#include "archive_priv.h"
#include "collapsed.h"
#include "safeopen.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "idxcache.h"

#define MAX_THREADS 8           /* peeking threads at most */
#define FILES_PER_THREAD 8      /* fewer files than this per thread: fewer threads */

/* One (file, sample type) found while walking. */
struct entry {
	const char *service;            /* borrowed from names */
	char *type;                     /* owned */
	struct pyro_source *src;        /* borrowed from a->sources */
	uint32_t type_index;
	char *sample_type;              /* owned */
	char *sample_unit;              /* owned */
};

static void set_err(char err[PYRO_ERR_MAX], const char *what, int e)
{
	snprintf(err, PYRO_ERR_MAX, "%s: %s", what, strerror(e));
}

int pyro_source_open(const struct pyro_archive *a,
		     const struct pyro_source *src, char err[PYRO_ERR_MAX])
{
	if (a->rootfd < 0) {
		snprintf(err, PYRO_ERR_MAX, "archive unreadable");
		return -EIO;
	}
	return pyro_open_beneath(a->rootfd, src->target ? src->target : src->path,
				 NULL, err);
}

/* ---- peeking and indexing what the walk found ---------------------- */

static int add_entry(struct walk *w, const char *service,
		     struct pyro_source *src, uint32_t index, const char *type,
		     const struct pyro_value_type *vt)
{
	struct entry *e;

	if (w->nentries == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct entry *ne = realloc(w->entries, cap * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		w->entries = ne;
		w->cap = cap;
	}
	e = &w->entries[w->nentries];
	e->service = service;
	e->src = src;
	e->type_index = index;
	e->type = strdup(type);
	e->sample_type = strdup(vt->type);
	e->sample_unit = strdup(vt->unit);
	w->nentries++;
	if (!e->type || !e->sample_type || !e->sample_unit)
		return -ENOMEM;
	return 0;
}

/* Bytes of one source and its path in the sources' block (aligned). */
static size_t source_size(const char *rel)
{
	return (sizeof(struct pyro_source) + strlen(rel) + 1 + 7) & ~(size_t)7;
}

/*
 * One block for the sources of every usable file and their paths, and the
 * array of them, sized once the files are peeked: an archive holds a
 * million, and an allocation each would cost a malloc header apiece and
 * leave them scattered among the walk's own short-lived allocations, which
 * the heap then cannot give back.
 */
static int reserve_sources(struct walk *w)
{
	size_t i, n = 0, bytes = 0;

	for (i = 0; i < w->nfiles; i++) {
		if (w->files[i].rc)
			continue;
		n++;
		bytes += source_size(w->files[i].rel);
	}
	w->a->src_block = malloc(bytes ? bytes : 1);
	w->a->sources = malloc((n ? n : 1) * sizeof(*w->a->sources));
	w->src_off = 0;
	return w->a->src_block && w->a->sources ? 0 : -ENOMEM;
}

/* The next source of the block, for the usable file f. */
static struct pyro_source *add_source(struct walk *w, const struct found *f)
{
	struct pyro_source *src = (struct pyro_source *)(w->a->src_block + w->src_off);

	w->src_off += source_size(f->rel);
	memset(src, 0, sizeof(*src));
	src->path = (char *)(src + 1);
	strcpy(src->path, f->rel);
	w->a->sources[w->a->nsources++] = src;
	return src;
}

static void resolve_time(struct pyro_source *src, const struct stat *st,
			 int64_t time_nanos)
{
	const char *base = strrchr(src->path, '/');

	base = base ? base + 1 : src->path;
	if (time_nanos != 0) {
		src->time_nanos = time_nanos;
		src->origin = PYRO_TIME_PROFILE;
	} else if (pyro_time_from_filename(base, &src->time_nanos) == 0) {
		src->origin = PYRO_TIME_FILENAME;
	} else {
		src->time_nanos = (int64_t)st->st_mtim.tv_sec * PYRO_NS_PER_SEC +
				  st->st_mtim.tv_nsec;
		src->origin = PYRO_TIME_MTIME;
	}
}

/* Give each sample type of h a type directory name unique in the profile. */
static void name_types(const struct pyro_profile_header *h, const char *rel,
		       char (*names)[PYRO_NAME_MAX])
{
	size_t i, j;

	for (i = 0; i < h->ntypes; i++) {
		pyro_type_name(h, i, rel, names[i]);
		for (j = 0; j < i; j++) {
			if (strcmp(names[i], names[j]))
				continue;
			/* A clash (say "cpu" and "CPU"): fall back to the stored
			 * name, then to an index suffix. */
			pyro_safe_name(h->types[i].type, names[i]);
			if (!strcmp(names[i], names[j]))
				snprintf(names[i] + strlen(names[i]) / 2,
					 PYRO_NAME_MAX / 2, "_%zu", i);
			break;
		}
	}
}

/* A peeking thread's buffers, reused from file to file: allocating them
 * for each of 10,000 files of some 40 kB (gzipped) and 90 kB (inflated)
 * costs page faults and heap trimming on every file. */
struct peek_bufs {
	struct pyro_buf out;            /* the inflated bytes */
	struct pyro_buf raw;            /* the file as read */
};

/* Read and peek at one file into f->h; err and note (empty on entry) say
 * what went wrong and what to list though it is usable. */
static void peek_file(struct walk *w, struct found *f, struct peek_bufs *pb,
		      char err[PYRO_ERR_MAX], char note[PYRO_ERR_MAX])
{
	struct pyro_buf *scratch = &pb->out;
	int compressed = 0, fd;

	/* Beneath the root, no symlink, no FIFO: the file may have been
	 * swapped since the walk saw it. */
	fd = pyro_open_beneath(w->a->rootfd, f->target ? f->target : f->rel,
			       NULL, err);
	if (fd < 0) {
		f->rc = fd;
		return;
	}
	scratch->len = 0;
	f->rc = pyro_profile_read_fd_with(fd, w->a->max_profile_size, &pb->raw,
					  scratch, &compressed, err);
	close(fd);
	/* Collapsed stacks are text, pprof is binary: at most one applies. */
	if (!f->rc && pyro_collapsed_sniff(scratch->data, scratch->len)) {
		struct pyro_collapsed_report rep;

		f->collapsed = 1;
		f->rc = pyro_collapsed_header(scratch->data, scratch->len, f->rel,
					      &f->h, &rep, err);
		if (!f->rc)
			pyro_collapsed_report_text(&rep, note);
	} else if (!f->rc) {
		f->rc = pyro_profile_peek_data(scratch->data, scratch->len,
					       &f->h, err);
	}
	if (!f->rc) {
		f->h.compressed = compressed;
		f->raw_size = scratch->len;
	}
}

/* Peek at one file (or take its header from the cache).  pb holds the
 * calling thread's buffers, reused from file to file.  The error and
 * note are words on this stack, kept (allocated) only when there is one. */
static void peek_one(struct walk *w, struct found *f, struct peek_bufs *pb)
{
	char err[PYRO_ERR_MAX] = "", note[PYRO_ERR_MAX] = "";

	if (pyro_idxcache_get(w->cache, f->rel, &f->st, w->a->max_profile_size,
			      &f->h, &f->raw_size) == 0) {
		f->cached = 1;
		return;
	}
	peek_file(w, f, pb, err, note);
	if (f->rc && !(f->err = strdup(err)))
		f->rc = -ENOMEM;
	if (!f->rc && note[0] && !(f->note = strdup(note)))
		f->rc = -ENOMEM;
	/* Keep a big buffer only as long as files keep needing it. */
	if (pb->out.cap > (64u << 20))
		pyro_buf_release(&pb->out);
	if (pb->raw.cap > (64u << 20))
		pyro_buf_release(&pb->raw);
}

static void *peek_worker(void *arg)
{
	struct walk *w = arg;
	struct peek_bufs pb = { PYRO_BUF_INIT, PYRO_BUF_INIT };
	size_t i;

	while ((i = atomic_fetch_add(&w->next, 1)) < w->nfiles)
		peek_one(w, &w->files[i], &pb);
	pyro_buf_release(&pb.out);
	pyro_buf_release(&pb.raw);
	return NULL;
}

/* Peek at every file found, on up to MAX_THREADS threads.  All threads are
 * joined before returning (the daemon forks afterwards). */
static void peek_all(struct walk *w)
{
	pthread_t tids[MAX_THREADS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = cpus > 0 ? (size_t)cpus : 1, started = 0, i;

	if (n > MAX_THREADS)
		n = MAX_THREADS;
	if (n > w->nfiles / FILES_PER_THREAD)
		n = w->nfiles / FILES_PER_THREAD;
	atomic_init(&w->next, 0);
	/* This thread works too: n - 1 helpers. */
	for (i = 1; i < n; i++)
		if (pthread_create(&tids[started], NULL, peek_worker, w) == 0)
			started++;
	peek_worker(w);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
}

/* Turn a peeked file into a source and its entries, or a problem. */
/* What identifies one version of a file: its path and what stat says.
 * ctime belongs in it: `cp -p`, `touch -r` and `rsync --inplace -t` rewrite
 * a file keeping its size and mtime, but no user can set the ctime. */
static uint64_t file_ident(const struct found *f)
{
	uint64_t st[7] = { (uint64_t)f->st.st_size, (uint64_t)f->st.st_mtim.tv_sec,
			   (uint64_t)f->st.st_mtim.tv_nsec, (uint64_t)f->st.st_ino,
			   (uint64_t)f->st.st_dev, (uint64_t)f->st.st_ctim.tv_sec,
			   (uint64_t)f->st.st_ctim.tv_nsec };

	return pyro_hash_bytes(st, sizeof(st),
			       pyro_hash_bytes(f->rel, strlen(f->rel) + 1,
					       PYRO_HASH_SEED));
}

/* Order-independent hash of every file the walk found, and of the walk's
 * own problems (an unreadable directory that becomes readable counts). */
static uint64_t walk_fingerprint(const struct walk *w)
{
	uint64_t fp = w->nfiles * 0x9e3779b97f4a7c15ULL;
	size_t i;

	for (i = 0; i < w->nfiles; i++)
		fp += file_ident(&w->files[i]) * 0xff51afd7ed558ccdULL + 1;
	for (i = 0; i < w->a->nproblems; i++)
		fp += pyro_hash_bytes(w->a->problems[i].path,
				      strlen(w->a->problems[i].path), 7);
	return fp;
}

/*
 * go tool pprof saves every profile it fetches (PPROF_TMPDIR, else
 * ~/pprof) as "pprof." + the base name of the profile's first mapping and
 * "." (when it has one) + each sample type and "." + a number of at least
 * three digits + ".pb.gz" (google/pprof internal/driver: fetchProfiles,
 * newTempFile): pprof.api.samples.cpu.001.pb.gz.  The sample types are
 * the header's, so what lies between "pprof." and them is the binary,
 * dots and all.  Copies it into out (NAME_MAX + 1 bytes) and returns 1;
 * 0 when name is not such a file or names no binary.
 */
static int pprof_saved_binary(const char *name,
			      const struct pyro_profile_header *h,
			      char out[NAME_MAX + 1])
{
	size_t len = strlen(name), end, digits = 0, i, tlen;

	if (h->ntypes == 0 || len < 6 + 6 || strncmp(name, "pprof.", 6) ||
	    strcmp(name + len - 6, ".pb.gz"))
		return 0;
	end = len - 6;                  /* name[6..end): mid */
	while (end > 6 && name[end - 1] >= '0' && name[end - 1] <= '9') {
		end--;
		digits++;
	}
	if (digits < 3 || end <= 6 || name[end - 1] != '.')
		return 0;
	end--;                          /* name[6..end): binary?.types */
	for (i = h->ntypes; i-- > 0;) {
		tlen = strlen(h->types[i].type);
		if (end < 6 + tlen || memcmp(name + end - tlen, h->types[i].type, tlen))
			return 0;
		end -= tlen;
		if (end == 6)
			return 0;       /* the types alone: no binary */
		if (name[end - 1] != '.')
			return 0;
		end--;
	}
	/* name[6..end) is the binary: non-empty, as a directory name could be. */
	if (end <= 6 || end - 6 > NAME_MAX)
		return 0;
	memcpy(out, name + 6, end - 6);
	out[end - 6] = '\0';
	return strcmp(out, ".") && strcmp(out, "..");
}

/* The service of a pprof file lying directly in ARCHIVE: its binary's,
 * when go tool pprof saved it (pprof_saved_binary), so that mounting
 * ~/pprof gives a service per binary; else the root's own. */
static const char *root_file_service(struct walk *w, const struct found *f)
{
	char binary[NAME_MAX + 1];

	if (f->service != w->root_service || f->collapsed || strchr(f->rel, '/') ||
	    !pprof_saved_binary(f->rel, &f->h, binary))
		return f->service;
	return pyro_archive_intern_service(w, binary);
}

static int index_file(struct walk *w, struct found *f)
{
	const char *service;
	const struct pyro_profile_header *h = &f->h;
	char (*names)[PYRO_NAME_MAX] = NULL;
	struct pyro_source *src;
	size_t i;
	int rc;

	if (f->rc == -ENOMEM)
		return f->rc;
	/* A bad file of a part of one service is its problem if it lies in
	 * its directories (a bad root file is the root part's). */
	if (f->rc && w->scope->service && !strchr(f->rel, '/'))
		return 0;
	if (f->rc)
		return pyro_archive_problem(w->a, f->rel, f->err);
	if (f->note && pyro_archive_problem(w->a, f->rel, f->note))
		return -ENOMEM;
	service = root_file_service(w, f);
	if (!service)
		return -ENOMEM;
	/* A part of one service: a root file of another is the root part's. */
	if (w->scope->service && strcmp(service, w->scope->service))
		return 0;
	names = calloc(h->ntypes, sizeof(*names));
	if (!names)
		return -ENOMEM;
	src = add_source(w, f);
	src->target = f->target;
	f->target = NULL;
	src->ident = file_ident(f);
	src->collapsed = f->collapsed;
	resolve_time(src, &f->st, h->time_nanos);
	name_types(h, f->rel, names);
	rc = 0;
	for (i = 0; i < h->ntypes && !rc; i++)
		rc = add_entry(w, service, src, (uint32_t)i, names[i], &h->types[i]);
	free(names);
	return rc;
}

/* The part's key in the index cache: one cache file per part, so that a
 * change in one service rewrites that service's only. */
static const char *cache_key(const struct walk *w)
{
	return w->scope->cache_key ? w->scope->cache_key : w->a->root;
}

/* Save the headers for the next mount, if anything changed. */
static void save_cache(struct walk *w, time_t now)
{
	struct pyro_idxcache_entry *e;
	size_t i, n = 0, hits = 0, good = 0;

	for (i = 0; i < w->nfiles; i++) {
		hits += w->files[i].cached;
		good += w->files[i].rc == 0;
	}
	/* Every usable file came from the cache, which holds no others. */
	if (w->cache && hits == good && hits == pyro_idxcache_count(w->cache))
		return;
	e = malloc((w->nfiles ? w->nfiles : 1) * sizeof(*e));
	if (!e)
		return;
	for (i = 0; i < w->nfiles; i++) {
		const struct found *f = &w->files[i];

		/* A file with a note must be peeked again to report it; the
		 * cache keeps pprof headers only. */
		if (f->rc || f->note || f->collapsed)
			continue;
		e[n].rel = f->rel;
		e[n].st = &f->st;
		e[n].raw_size = f->raw_size;
		e[n].h = &f->h;
		n++;
	}
	pyro_idxcache_save(cache_key(w), e, n, now);
	free(e);
}

/* ---- building services from sorted entries --------------------------- */

static int cmp_entry(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	int c = strcmp(a->service, b->service);

	if (!c)
		c = strcmp(a->type, b->type);
	if (!c)
		c = strcmp(a->sample_type, b->sample_type);
	if (!c)
		c = strcmp(a->sample_unit, b->sample_unit);
	if (!c && a->src->time_nanos != b->src->time_nanos)
		c = a->src->time_nanos < b->src->time_nanos ? -1 : 1;
	if (!c)
		c = strcmp(a->src->path, b->src->path);
	if (!c)
		c = a->type_index < b->type_index ? -1 : a->type_index > b->type_index;
	return c;
}

void pyro_snapshot_name(const struct pyro_snapshot *sn,
			char out[PYRO_TIME_NAME_MAX])
{
	size_t len;

	pyro_time_name(sn->src->time_nanos, out);
	if (sn->dup > 1) {
		len = strlen(out);
		snprintf(out + len, PYRO_TIME_NAME_MAX - len, "-%u",
			 (unsigned)sn->dup);
	}
}

/* Fill se from entries e[0..n) (one service and type, time order). */
static int build_series(struct pyro_series *se, struct entry *e, size_t n)
{
	size_t i, dup = 1;

	se->type = e[0].type;
	se->sample_type = e[0].sample_type;
	se->sample_unit = e[0].sample_unit;
	e[0].type = e[0].sample_type = e[0].sample_unit = NULL;
	se->kind = pyro_type_kind(se->type);
	se->snaps = calloc(n, sizeof(*se->snaps));
	if (!se->snaps)
		return -ENOMEM;
	se->nsnaps = n;
	for (i = 0; i < n; i++) {
		struct pyro_snapshot *sn = &se->snaps[i];

		sn->src = e[i].src;
		sn->type_index = e[i].type_index;
		/* Two snapshots in one second: "...Z", "...Z-2", "...Z-3"
		 * (names are of whole seconds, and times are sorted). */
		if (i && pyro_time_secs(sn->src->time_nanos) ==
			 pyro_time_secs(se->snaps[i - 1].src->time_nanos))
			dup++;
		else
			dup = 1;
		sn->dup = (uint32_t)dup;
	}
	return 0;
}

/* Rename the entries e[0..n) (one service, one type, one sample type and
 * unit) to "<type>.<sample type>.<unit>". */
static int rename_group(struct entry *e, size_t n)
{
	char st[PYRO_NAME_MAX], unit[PYRO_NAME_MAX], *name;
	size_t i;

	pyro_safe_name(e[0].sample_type, st);
	pyro_safe_name(e[0].sample_unit, unit);
	for (i = 0; i < n; i++) {
		if (asprintf(&name, "%s.%s.%s", e[i].type, st, unit) < 0)
			return -ENOMEM;
		free(e[i].type);
		e[i].type = name;
	}
	return 0;
}

/*
 * One type directory must mean one sample type and unit: a service may hold
 * a pprof `cpu` in nanoseconds and a collapsed `cpu` in sample counts.  Of
 * the groups that share a directory name, the one with the most snapshots
 * (then the first in name order) keeps it; the others become
 * "<type>.<sample type>.<unit>" (cpu.samples.count).  e is sorted.
 */
static int split_mixed_types(struct entry *e, size_t n)
{
	size_t i, j, k, best, best_n;
	int renamed = 0, rc;

	for (i = 0; i < n; i = j) {
		for (j = i; j < n && !strcmp(e[j].service, e[i].service) &&
			    !strcmp(e[j].type, e[i].type); j++)
			;
		/* Sub-groups of one sample type and unit within [i, j). */
		best = i;
		best_n = 0;
		for (k = i; k < j;) {
			size_t m = k;

			while (m < j && !strcmp(e[m].sample_type, e[k].sample_type) &&
			       !strcmp(e[m].sample_unit, e[k].sample_unit))
				m++;
			if (m - k > best_n) {
				best = k;
				best_n = m - k;
			}
			k = m;
		}
		for (k = i; k < j;) {
			size_t m = k;

			while (m < j && !strcmp(e[m].sample_type, e[k].sample_type) &&
			       !strcmp(e[m].sample_unit, e[k].sample_unit))
				m++;
			if (k != best) {
				rc = rename_group(e + k, m - k);
				if (rc)
					return rc;
				renamed = 1;
			}
			k = m;
		}
	}
	if (renamed)
		qsort(e, n, sizeof(*e), cmp_entry);
	return 0;
}

static int build_services(struct pyro_archive *a, struct entry *e, size_t n)
{
	size_t i, j, k;
	int rc;

	if (n > 1) {    /* e is NULL in an empty archive */
		qsort(e, n, sizeof(*e), cmp_entry);
		rc = split_mixed_types(e, n);
		if (rc)
			return rc;
	}
	for (i = 0; i < n; i = j) {
		struct pyro_service *svc, *ns;

		for (j = i; j < n && !strcmp(e[j].service, e[i].service); j++)
			;
		ns = realloc(a->services, (a->nservices + 1) * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		a->services = ns;
		svc = &a->services[a->nservices++];
		memset(svc, 0, sizeof(*svc));
		svc->name = strdup(e[i].service);
		if (!svc->name)
			return -ENOMEM;
		for (k = i; k < j;) {
			size_t m = k;
			struct pyro_series *se;

			while (m < j && !strcmp(e[m].type, e[k].type))
				m++;
			se = realloc(svc->series, (svc->nseries + 1) * sizeof(*se));
			if (!se)
				return -ENOMEM;
			svc->series = se;
			se = &svc->series[svc->nseries++];
			memset(se, 0, sizeof(*se));
			if (build_series(se, e + k, m - k))
				return -ENOMEM;
			k = m;
		}
	}
	return 0;
}

/* Anchor a at root: its descriptor (the last component not followed: an
 * ARCHIVE replaced by a symlink is not followed on a rescan) and its real
 * path. */
static int open_root(struct pyro_archive *a, const char *root, int rootfd,
		     char err[PYRO_ERR_MAX])
{
	struct stat st;
	int rc;

	a->rootfd = rootfd >= 0 ? fcntl(rootfd, F_DUPFD_CLOEXEC, 0) :
		    pyro_root_open(root);
	if (rootfd >= 0 && a->rootfd < 0)
		a->rootfd = -errno;
	if (a->rootfd < 0) {
		rc = a->rootfd;
		if (rc == -ELOOP)
			snprintf(err, PYRO_ERR_MAX, "%s: a symlink: not followed", root);
		else if (rc == -ENOTDIR)
			snprintf(err, PYRO_ERR_MAX, "%s: not a directory", root);
		else
			set_err(err, root, -rc);
		return rc;
	}
	if (fstat(a->rootfd, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, PYRO_ERR_MAX, "%s: not a directory", root);
		return -ENOTDIR;
	}
	a->root = realpath(root, NULL);
	if (!a->root) {
		rc = -errno;
		set_err(err, root, errno);
		return rc;
	}
	return 0;
}

int pyro_archive_root_open(const char *root, char err[PYRO_ERR_MAX])
{
	struct pyro_archive a;
	int rc;

	memset(&a, 0, sizeof(a));
	rc = open_root(&a, root, -1, err);
	free(a.root);
	if (rc && a.rootfd >= 0)
		close(a.rootfd);
	return rc ? rc : a.rootfd;
}

int pyro_archive_open(const char *root, size_t max_profile_size,
		      struct pyro_archive **out, char err[PYRO_ERR_MAX])
{
	const struct pyro_archive_scope all = { .root_files = 1, .rootfd = -1 };

	return pyro_archive_open_part(root, max_profile_size, &all, out, err);
}

int pyro_archive_open_part(const char *root, size_t max_profile_size,
			   const struct pyro_archive_scope *scope,
			   struct pyro_archive **out, char err[PYRO_ERR_MAX])
{
	struct walk w;
	struct pyro_archive *a;
	time_t now;
	size_t i;
	int rc;

	*out = NULL;
	memset(&w, 0, sizeof(w));
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	pthread_mutex_init(&a->lock, NULL);
	atomic_init(&a->refs, 1);
	a->max_profile_size = max_profile_size;
	rc = open_root(a, root, scope->rootfd, err);
	if (rc)
		goto fail;
	w.a = a;
	w.scope = scope;
	now = time(NULL);
	rc = pyro_archive_walk_root(&w);
	if (!rc)
		a->fingerprint = walk_fingerprint(&w);
	if (!rc) {
		w.cache = pyro_idxcache_load(cache_key(&w));
		peek_all(&w);
		rc = reserve_sources(&w);
		for (i = 0; i < w.nfiles && !rc; i++)
			rc = index_file(&w, &w.files[i]);
	}
	if (!rc)
		save_cache(&w, now);
	if (!rc)
		rc = build_services(a, w.entries, w.nentries);
	if (rc) {
		set_err(err, root, -rc);
		goto fail;
	}
	*out = a;
	goto out;
fail:
	pyro_archive_free(a);
out:
	for (i = 0; i < w.nentries; i++) {
		free(w.entries[i].type);
		free(w.entries[i].sample_type);
		free(w.entries[i].sample_unit);
	}
	free(w.entries);
	for (i = 0; i < w.nfiles; i++) {
		free(w.files[i].rel);
		free(w.files[i].target);
		free(w.files[i].err);
		free(w.files[i].note);
		pyro_profile_header_release(&w.files[i].h);
	}
	free(w.files);
	pyro_idxcache_free(w.cache);
	for (i = 0; i < w.nnames; i++)
		free(w.names[i]);
	free(w.names);
	return rc;
}

void pyro_archive_get(struct pyro_archive *a)
{
	atomic_fetch_add(&a->refs, 1);
}

void pyro_archive_put(struct pyro_archive *a)
{
	if (a && atomic_fetch_sub(&a->refs, 1) == 1)
		pyro_archive_free(a);
}

int pyro_archive_empty(const char *root, const char *reason,
		       struct pyro_archive **out)
{
	struct pyro_archive *a = calloc(1, sizeof(*a));
	int rc;

	*out = NULL;
	if (!a)
		return -ENOMEM;
	pthread_mutex_init(&a->lock, NULL);
	atomic_init(&a->refs, 1);
	a->rootfd = -1;
	a->root = strdup(root);
	rc = a->root ? pyro_archive_problem(a, ".", reason) : -ENOMEM;
	if (rc) {
		pyro_archive_free(a);
		return rc;
	}
	*out = a;
	return 0;
}

int pyro_archive_fingerprint(const char *root, uint64_t *fp)
{
	const struct pyro_archive_scope all = { .root_files = 1, .rootfd = -1 };

	return pyro_archive_fingerprint_part(root, &all, fp);
}

int pyro_archive_fingerprint_part(const char *root,
				  const struct pyro_archive_scope *scope,
				  uint64_t *fp)
{
	struct pyro_archive_scope quiet = *scope;
	struct pyro_archive a;
	struct walk w;
	size_t i;
	int rc;

	char err[PYRO_ERR_MAX];

	memset(&a, 0, sizeof(a));
	memset(&w, 0, sizeof(w));
	pthread_mutex_init(&a.lock, NULL);
	/* Stat only: no directory is watched anew. */
	quiet.watch = NULL;
	rc = open_root(&a, root, scope->rootfd, err);
	w.a = &a;
	w.scope = &quiet;
	if (!rc)
		rc = pyro_archive_walk_root(&w);
	if (!rc)
		*fp = walk_fingerprint(&w);
	for (i = 0; i < w.nfiles; i++) {
		free(w.files[i].rel);
		free(w.files[i].target);
	}
	free(w.files);
	for (i = 0; i < w.nnames; i++)
		free(w.names[i]);
	free(w.names);
	for (i = 0; i < a.nproblems; i++) {
		free(a.problems[i].path);
		free(a.problems[i].reason);
	}
	free(a.problems);
	pthread_mutex_destroy(&a.lock);
	free(a.root);
	if (a.rootfd >= 0)
		close(a.rootfd);
	return rc;
}

void pyro_archive_free(struct pyro_archive *a)
{
	size_t i, j;

	if (!a)
		return;
	for (i = 0; i < a->nservices; i++) {
		struct pyro_service *svc = &a->services[i];

		for (j = 0; j < svc->nseries; j++) {
			free(svc->series[j].type);
			free(svc->series[j].sample_type);
			free(svc->series[j].sample_unit);
			free(svc->series[j].snaps);
		}
		free(svc->series);
		free(svc->name);
	}
	free(a->services);
	for (i = 0; i < a->nsources; i++)
		free(a->sources[i]->target);
	free(a->sources);
	free(a->src_block);
	for (i = 0; i < a->nproblems; i++) {
		free(a->problems[i].path);
		free(a->problems[i].reason);
	}
	free(a->problems);
	pthread_mutex_destroy(&a->lock);
	free(a->root);
	if (a->rootfd >= 0)
		close(a->rootfd);
	free(a);
}
