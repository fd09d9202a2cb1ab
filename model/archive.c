/*
 * archive.c - index a profile archive; see archive.h.
 *
 * Opening walks the tree once, peeks at every file, and collects one entry
 * per (file, sample type).  Sorting the entries by (service, type, time,
 * path) then yields services, series and snapshots as contiguous runs, so
 * the index is built without any per-service hash table.
 */
#include "archive.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_DEPTH 64

/* One (file, sample type) found while walking. */
struct entry {
	const char *service;            /* borrowed from names */
	char *type;                     /* owned */
	struct pyro_source *src;        /* borrowed from a->sources */
	uint32_t type_index;
	char *sample_type;              /* owned */
	char *sample_unit;              /* owned */
};

struct walk {
	struct pyro_archive *a;
	struct entry *entries;
	size_t nentries, cap;
	char **names;                   /* service names, owned */
	size_t nnames;
	int rc;                         /* first fatal error (-ENOMEM) */
};

static void set_err(char err[PYRO_ERR_MAX], const char *what, int e)
{
	snprintf(err, PYRO_ERR_MAX, "%s: %s", what, strerror(e));
}

int pyro_source_abspath(const struct pyro_archive *a,
			const struct pyro_source *src, char *out, size_t size)
{
	int n = snprintf(out, size, "%s/%s", a->root, src->path);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int pyro_archive_problem(struct pyro_archive *a, const char *path,
			 const char *reason)
{
	char *p = NULL, *r = strdup(reason);
	size_t i;
	int rc = 0;

	if (!r)
		return -ENOMEM;
	pthread_mutex_lock(&a->lock);
	for (i = 0; i < a->nproblems; i++) {
		if (!strcmp(a->problems[i].path, path)) {
			free(a->problems[i].reason);
			a->problems[i].reason = r;
			goto out;
		}
	}
	if (a->nproblems == a->problems_cap) {
		size_t cap = a->problems_cap ? a->problems_cap * 2 : 16;
		struct pyro_problem *np = realloc(a->problems, cap * sizeof(*np));

		if (!np) {
			rc = -ENOMEM;
			goto out;
		}
		a->problems = np;
		a->problems_cap = cap;
	}
	p = strdup(path);
	if (!p) {
		rc = -ENOMEM;
		goto out;
	}
	a->problems[a->nproblems].path = p;
	a->problems[a->nproblems].reason = r;
	a->nproblems++;
	r = NULL;
out:
	pthread_mutex_unlock(&a->lock);
	if (rc)
		free(r);
	return rc;
}

static int cmp_problem(const void *x, const void *y)
{
	return strcmp(((const struct pyro_problem *)x)->path,
		      ((const struct pyro_problem *)y)->path);
}

int pyro_archive_problems_text(struct pyro_archive *a, struct pyro_buf *out)
{
	size_t i;
	int rc = 0;

	pthread_mutex_lock(&a->lock);
	if (a->nproblems > 1)   /* qsort(NULL, 0, ...) is undefined */
		qsort(a->problems, a->nproblems, sizeof(*a->problems),
		      cmp_problem);
	for (i = 0; i < a->nproblems && !rc; i++)
		rc = pyro_buf_printf(out, "%s: %s\n", a->problems[i].path,
				     a->problems[i].reason);
	pthread_mutex_unlock(&a->lock);
	return rc;
}

/* ---- walking ------------------------------------------------------------ */

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

static int add_source(struct pyro_archive *a, struct pyro_source *src)
{
	if ((a->nsources & (a->nsources - 1)) == 0) {
		size_t cap = a->nsources ? a->nsources * 2 : 16;
		struct pyro_source **ns = realloc(a->sources, cap * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		a->sources = ns;
	}
	a->sources[a->nsources++] = src;
	return 0;
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
		src->time_nanos = (int64_t)st->st_mtim.tv_sec * 1000000000 +
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

static int index_file(struct walk *w, const char *service, const char *rel,
		      const char *abs, const struct stat *st)
{
	struct pyro_profile_header h;
	char (*names)[PYRO_NAME_MAX] = NULL;
	struct pyro_source *src = NULL;
	char err[PYRO_ERR_MAX];
	size_t i;
	int rc;

	rc = pyro_profile_peek(abs, w->a->max_profile_size, &h, err);
	if (rc == -ENOMEM)
		return rc;
	if (rc)
		return pyro_archive_problem(w->a, rel, err);
	rc = -ENOMEM;
	names = calloc(h.ntypes, sizeof(*names));
	src = calloc(1, sizeof(*src));
	if (!names || !src)
		goto out;
	src->path = strdup(rel);
	if (!src->path || add_source(w->a, src))
		goto out;
	resolve_time(src, st, h.time_nanos);
	name_types(&h, rel, names);
	rc = 0;
	for (i = 0; i < h.ntypes && !rc; i++)
		rc = add_entry(w, service, src, (uint32_t)i, names[i], &h.types[i]);
	src = NULL;     /* owned by the archive now */
out:
	if (src) {
		free(src->path);
		free(src);
	}
	free(names);
	pyro_profile_header_release(&h);
	return rc;
}

static int join(char *out, size_t size, const char *a, const char *b)
{
	int n = *a ? snprintf(out, size, "%s/%s", a, b) : snprintf(out, size, "%s", b);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int walk_dir(struct walk *w, const char *service, const char *rel,
		    int depth);

/* Index one directory entry found at rel (relative to the root). */
static int walk_entry(struct walk *w, const char *service, const char *rel,
		      int depth)
{
	char abs[PATH_MAX];
	struct stat st;

	if (join(abs, sizeof(abs), w->a->root, rel))
		return pyro_archive_problem(w->a, rel, "path too long");
	/* stat, not lstat: a symlinked file is served; symlinked
	 * directories are not followed (they could loop). */
	if (stat(abs, &st) != 0)
		return pyro_archive_problem(w->a, rel, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		struct stat lst;

		if (lstat(abs, &lst) == 0 && S_ISLNK(lst.st_mode))
			return 0;
		return walk_dir(w, service, rel, depth + 1);
	}
	if (!S_ISREG(st.st_mode))
		return 0;
	return index_file(w, service, rel, abs, &st);
}

static int walk_dir(struct walk *w, const char *service, const char *rel,
		    int depth)
{
	char abs[PATH_MAX], child[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (depth > MAX_DEPTH)
		return pyro_archive_problem(w->a, rel, "directory nesting too deep");
	if (join(abs, sizeof(abs), w->a->root, rel))
		return pyro_archive_problem(w->a, rel, "path too long");
	d = opendir(abs);
	if (!d)
		return pyro_archive_problem(w->a, rel, strerror(errno));
	while (!rc && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (join(child, sizeof(child), rel, de->d_name))
			rc = pyro_archive_problem(w->a, de->d_name, "path too long");
		else
			rc = walk_entry(w, service, child, depth);
	}
	closedir(d);
	return rc;
}

static const char *intern_service(struct walk *w, const char *name)
{
	char **nn;
	size_t i;

	for (i = 0; i < w->nnames; i++)
		if (!strcmp(w->names[i], name))
			return w->names[i];
	nn = realloc(w->names, (w->nnames + 1) * sizeof(*nn));
	if (!nn)
		return NULL;
	w->names = nn;
	nn[w->nnames] = strdup(name);
	if (!nn[w->nnames])
		return NULL;
	return nn[w->nnames++];
}

/* Walk the root: directories are services, files belong to the root's
 * own service. */
static int walk_root(struct walk *w)
{
	const char *base = strrchr(w->a->root, '/');
	const char *root_service;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	base = base && base[1] ? base + 1 : "archive";
	root_service = intern_service(w, base);
	if (!root_service)
		return -ENOMEM;
	d = opendir(w->a->root);
	if (!d)
		return -errno;
	while (!rc && (de = readdir(d))) {
		char abs[PATH_MAX];
		struct stat st;
		const char *svc;

		if (de->d_name[0] == '.')
			continue;
		if (join(abs, sizeof(abs), w->a->root, de->d_name) ||
		    stat(abs, &st) != 0) {
			rc = pyro_archive_problem(w->a, de->d_name, "cannot stat");
			continue;
		}
		svc = S_ISDIR(st.st_mode) ? intern_service(w, de->d_name) :
		      root_service;
		if (!svc)
			rc = -ENOMEM;
		else
			rc = walk_entry(w, svc, de->d_name, 0);
	}
	closedir(d);
	return rc;
}

/* ---- building services from sorted entries --------------------------- */

static int cmp_entry(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	int c = strcmp(a->service, b->service);

	if (!c)
		c = strcmp(a->type, b->type);
	if (!c && a->src->time_nanos != b->src->time_nanos)
		c = a->src->time_nanos < b->src->time_nanos ? -1 : 1;
	if (!c)
		c = strcmp(a->src->path, b->src->path);
	if (!c)
		c = a->type_index < b->type_index ? -1 : a->type_index > b->type_index;
	return c;
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
		pyro_time_name(sn->src->time_nanos, sn->name);
		/* Two snapshots in one second: "...Z", "...Z-2", "...Z-3". */
		if (i && !strncmp(sn->name, se->snaps[i - 1].name,
				  strlen(sn->name)) &&
		    (se->snaps[i - 1].name[strlen(sn->name)] == '\0' ||
		     se->snaps[i - 1].name[strlen(sn->name)] == '-')) {
			size_t len = strlen(sn->name);

			snprintf(sn->name + len, sizeof(sn->name) - len, "-%zu", ++dup);
		} else {
			dup = 1;
		}
	}
	return 0;
}

static int build_services(struct pyro_archive *a, struct entry *e, size_t n)
{
	size_t i, j, k;

	if (n > 1)      /* e is NULL in an empty archive */
		qsort(e, n, sizeof(*e), cmp_entry);
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

int pyro_archive_open(const char *root, size_t max_profile_size,
		      struct pyro_archive **out, char err[PYRO_ERR_MAX])
{
	struct walk w;
	struct pyro_archive *a;
	struct stat st;
	size_t i;
	int rc;

	*out = NULL;
	memset(&w, 0, sizeof(w));
	if (stat(root, &st) != 0) {
		rc = -errno;
		set_err(err, root, errno);
		return rc;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, PYRO_ERR_MAX, "%s: not a directory", root);
		return -ENOTDIR;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	pthread_mutex_init(&a->lock, NULL);
	a->max_profile_size = max_profile_size;
	a->root = realpath(root, NULL);
	if (!a->root) {
		rc = -errno;
		set_err(err, root, errno);
		goto fail;
	}
	w.a = a;
	rc = walk_root(&w);
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
	for (i = 0; i < w.nnames; i++)
		free(w.names[i]);
	free(w.names);
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
	for (i = 0; i < a->nsources; i++) {
		free(a->sources[i]->path);
		free(a->sources[i]);
	}
	free(a->sources);
	for (i = 0; i < a->nproblems; i++) {
		free(a->problems[i].path);
		free(a->problems[i].reason);
	}
	free(a->problems);
	pthread_mutex_destroy(&a->lock);
	free(a->root);
	free(a);
}

const struct pyro_service *pyro_archive_service(const struct pyro_archive *a,
						const char *name)
{
	size_t lo = 0, hi = a->nservices;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, a->services[mid].name);

		if (!c)
			return &a->services[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct pyro_series *pyro_service_series(const struct pyro_service *s,
					      const char *type)
{
	size_t i;

	for (i = 0; i < s->nseries; i++)
		if (!strcmp(s->series[i].type, type))
			return &s->series[i];
	return NULL;
}

const struct pyro_snapshot *pyro_series_snapshot(const struct pyro_series *se,
						 const char *name)
{
	size_t i;

	for (i = 0; i < se->nsnaps; i++)
		if (!strcmp(se->snaps[i].name, name))
			return &se->snaps[i];
	return NULL;
}
