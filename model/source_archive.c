/*
 * source_archive.c - the local archive as a source (source.h): a directory
 * of profile files, indexed by archive.c; this file builds, publishes and
 * follows its index (the structures are in source_archive_priv.h); reading
 * a published index (merges, labels, history, problems) is
 * source_archive_read.c's.
 *
 * Big archives are indexed lazily, in parts.  A part is one service's
 * directory (struct part), indexed by archive.c as an archive of its own
 * (pyro_archive_open_part) with its own index cache file; the files lying
 * directly in the root are one more part, indexed at once (their services
 * are known only by reading them).  Mounting lists the root's directories
 * and publishes every one as a pending service (source.h); fs/ asks `load`
 * for a service when something beneath it is looked up or listed, and for
 * all of them when a page needs the whole archive (README.txt, errors).
 * A published index is a view of its parts: its services and series are
 * its own, the points of each part are shared by every index that holds
 * that part (reference counted), so indexing one more service costs that
 * service and the view's small arrays, never the others again.  Each
 * service's priv is its struct svc_ref: the part's archive (what merges
 * open files beneath and record problems in) and its struct pyro_service.
 *
 * Following a live archive (refresh), one of two ways, named in
 * /.pyrofs/stats:
 *   - inotify (the default): the root and every directory of an indexed
 *     part are watched; refresh reads the events, non-blocking, and indexes
 *     again only the parts they touched (events on dot-files do not count).
 *     An idle mount costs one empty read per `rescan` period.
 *   - walk: refresh stat-walks the root's listing and every indexed part
 *     and indexes again those whose fingerprint changed.  Used with
 *     -o watch=walk, on network filesystems (where another machine's writes
 *     raise no event), and from the moment the inotify watch limit is hit.
 * archive_watch.c notices the changes (the watches, the events, the set
 * of parts they touch); refresh, here, decides what they mean for the
 * view.  When ARCHIVE itself becomes unreadable, refresh publishes an
 * empty index whose only problem says so, and waits until it comes back.
 *
 * load and refresh are serialised by fs/ (source.h), so the watch table and
 * the set of changed parts need no lock; stats reads atomics only.
 */
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source_archive_priv.h"

/* ---- parts --------------------------------------------------------------------- */

static void part_put(struct part *p)
{
	if (!p || atomic_fetch_sub(&p->refs, 1) != 1)
		return;
	pyro_archive_put(p->a);
	free(p->points);
	free(p->name);
	free(p);
}

static struct part *part_get(struct part *p)
{
	atomic_fetch_add(&p->refs, 1);
	return p;
}

/* A pending part: the service's name and date only. */
static int part_pending(const struct pyro_archive_dir *d, struct part **out)
{
	struct part *p = calloc(1, sizeof(*p));

	*out = p;
	if (!p)
		return -ENOMEM;
	atomic_init(&p->refs, 1);
	p->mtime = d->mtime_nanos;
	p->name = strdup(d->name);
	return p->name ? 0 : -ENOMEM;
}

/* Fill p->points from p->a. */
static int part_points(struct part *p)
{
	size_t i, j, k, n = 0;
	struct pyro_point *pt;

	for (i = 0; i < p->a->nservices; i++)
		for (j = 0; j < p->a->services[i].nseries; j++)
			n += p->a->services[i].series[j].nsnaps;
	p->points = pt = calloc(n ? n : 1, sizeof(*pt));
	if (!pt)
		return -ENOMEM;
	for (i = 0; i < p->a->nservices; i++) {
		for (j = 0; j < p->a->services[i].nseries; j++) {
			const struct pyro_series *se = &p->a->services[i].series[j];

			for (k = 0; k < se->nsnaps; k++, pt++) {
				pt->time_nanos = se->snaps[k].src->time_nanos;
				pyro_snapshot_name(&se->snaps[k], pt->name);
				pt->priv = &se->snaps[k];
			}
		}
	}
	return 0;
}

/* The first point of service i, series j of p. */
static struct pyro_point *points_of(const struct part *p, size_t i, size_t j)
{
	struct pyro_point *pt = p->points;
	size_t a, b;

	for (a = 0; a <= i; a++)
		for (b = 0; b < p->a->services[a].nseries && (a < i || b < j); b++)
			pt += p->a->services[a].series[b].nsnaps;
	return pt;
}

/* Index part `name` (NULL: the root files), with the root files of its
 * service when with_root: a new part in *out. */
static int part_build(struct archive_src *as, const char *name, int with_root,
		      struct part **out, char err[PYRO_ERR_MAX])
{
	struct pyro_archive_scope sc = { .rootfd = as->rootfd };
	struct part *p = calloc(1, sizeof(*p));
	char *key = NULL;
	int rc;

	*out = p;
	if (!p)
		return -ENOMEM;
	atomic_init(&p->refs, 1);
	p->with_root = with_root;
	if (name) {
		sc.dir = name;
		sc.service = name;
		sc.root_files = with_root;
		/* One cache file per service, keyed by a path no directory
		 * can have. */
		if (asprintf(&key, "%s//%s", as->base.name, name) < 0)
			return -ENOMEM;
		sc.cache_key = key;
		p->name = strdup(name);
		if (!p->name) {
			free(key);
			return -ENOMEM;
		}
	} else {
		sc.no_dirs = 1;
		sc.root_files = 1;
	}
	if (!pyro_watch_walking(&as->w)) {
		sc.watch = pyro_watch_dir;
		sc.watch_arg = &as->w;
	}
	rc = pyro_archive_open_part(as->base.name, as->conf.max_profile_size,
				    &sc, &p->a, err);
	free(key);
	if (!rc)
		p->a->pool = as->pool;
	if (!rc)
		rc = part_points(p);
	if (!rc)
		atomic_fetch_add(&as->nrebuilds, 1);
	return rc;
}

/* The fingerprint part p would have now (walk mode). */
static int part_fingerprint(const struct archive_src *as, const struct part *p,
			    uint64_t *fp)
{
	struct pyro_archive_scope sc = { .rootfd = as->rootfd };

	if (p->name) {
		sc.dir = p->name;
		sc.service = p->name;
		sc.root_files = p->with_root;
	} else {
		sc.no_dirs = 1;
		sc.root_files = 1;
	}
	return pyro_archive_fingerprint_part(as->base.name, &sc, fp);
}

/* ---- the view ------------------------------------------------------------------ */

static void index_destroy(struct pyro_index *ix)
{
	struct archive_index *ai = (struct archive_index *)ix;
	size_t i;

	for (i = 0; i < ai->nparts; i++)
		part_put(ai->parts[i]);
	part_put(ai->root);
	pyro_archive_put(ai->gone);
	free(ai->parts);
	free(ai);
}

/* One service of the view being planned: where it comes from. */
struct plan {
	const char *name;
	struct part *part;
	size_t svc;                     /* index in part->a->services */
};

static int cmp_plan(const void *x, const void *y)
{
	return strcmp(((const struct plan *)x)->name, ((const struct plan *)y)->name);
}

/* Whether a directory part called name is among parts[0..n) (sorted). */
static const struct part *find_part(struct part *const *parts, size_t n,
				    const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, parts[mid]->name);

		if (!c)
			return parts[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* The services the view of parts (and root) shows, sorted: pending parts,
 * indexed parts' services that have series, and the root part's services
 * that no directory part holds.  *out owned by the caller. */
static int plan_view(struct part *const *parts, size_t nparts,
		     struct part *root, struct plan **out, size_t *n)
{
	size_t i, k = 0, cap = nparts + (root ? root->a->nservices : 0);
	struct plan *pl = calloc(cap ? cap : 1, sizeof(*pl));

	*out = pl;
	if (!pl)
		return -ENOMEM;
	for (i = 0; i < nparts; i++) {
		const struct part *p = parts[i];

		if (!p->a) {
			pl[k++] = (struct plan){ p->name, parts[i], 0 };
			continue;
		}
		for (size_t s = 0; s < p->a->nservices; s++)
			if (!strcmp(p->a->services[s].name, p->name) &&
			    p->a->services[s].nseries)
				pl[k++] = (struct plan){ p->name, parts[i], s };
	}
	for (i = 0; root && i < root->a->nservices; i++)
		if (!find_part(parts, nparts, root->a->services[i].name))
			pl[k++] = (struct plan){ root->a->services[i].name, root, i };
	if (k > 1)
		qsort(pl, k, sizeof(*pl), cmp_plan);
	*n = k;
	return 0;
}

/* Fill the view's service i from plan entry pl. */
static void view_service(struct archive_index *ai, size_t i,
			 const struct plan *pl, struct pyro_index_series **series)
{
	struct pyro_index_service *vs = &ai->ix.services[i];
	struct svc_ref *ref = &ai->refs[i];
	const struct part *p = pl->part;
	size_t j;

	ref->part = pl->part;
	ref->a = p->a;
	vs->name = (char *)pl->name;
	vs->priv = ref;
	if (!p->a) {
		vs->pending = 1;
		vs->pending_newest = p->mtime;
		return;
	}
	ref->svc = &p->a->services[pl->svc];
	vs->series = *series;
	vs->nseries = ref->svc->nseries;
	for (j = 0; j < ref->svc->nseries; j++) {
		const struct pyro_series *se = &ref->svc->series[j];
		struct pyro_index_series *v = &vs->series[j];

		v->service = vs;
		v->type = se->type;
		v->sample_type = se->sample_type;
		v->sample_unit = se->sample_unit;
		v->kind = se->kind;
		v->points = points_of(p, pl->svc, j);
		v->npoints = se->nsnaps;
		v->priv = se;
	}
	*series += ref->svc->nseries;
}

/* Count what a view shows, for /.pyrofs/stats. */
static void count_view(struct archive_src *as, const struct pyro_index *ix)
{
	size_t i, j, indexed = 0, snaps = 0;

	for (i = 0; i < ix->nservices; i++) {
		indexed += !ix->services[i].pending;
		for (j = 0; j < ix->services[i].nseries; j++)
			snaps += ix->services[i].series[j].npoints;
	}
	atomic_store(&as->nservices, ix->nservices);
	atomic_store(&as->nindexed, indexed);
	atomic_store(&as->nsnapshots, snaps);
}

/* Publish a view of parts[0..nparts) and root (every reference handed
 * over, even on failure; parts owned by the view on success), or of gone
 * alone. */
static int view_new(struct archive_src *as, struct part **parts, size_t nparts,
		    struct part *root, struct pyro_archive *gone,
		    struct pyro_index **out)
{
	struct pyro_index_series *series;
	struct archive_index *ai = NULL;
	struct plan *pl = NULL;
	size_t i, n = 0, nseries = 0;
	int rc;

	rc = plan_view(parts, nparts, root, &pl, &n);
	for (i = 0; !rc && i < n; i++)
		if (pl[i].part->a)
			nseries += pl[i].part->a->services[pl[i].svc].nseries;
	if (!rc) {
		ai = calloc(1, sizeof(*ai) + n * (sizeof(*ai->ix.services) +
						  sizeof(*ai->refs)) +
			    nseries * sizeof(*series));
		rc = ai ? 0 : -ENOMEM;
	}
	if (rc) {
		for (i = 0; i < nparts; i++)
			part_put(parts[i]);
		free(parts);
		part_put(root);
		pyro_archive_put(gone);
		free(pl);
		return rc;
	}
	ai->ix.services = (struct pyro_index_service *)(ai + 1);
	ai->refs = (struct svc_ref *)(ai->ix.services + n);
	series = (struct pyro_index_series *)(ai->refs + n);
	for (i = 0; i < n; i++)
		view_service(ai, i, &pl[i], &series);
	free(pl);
	atomic_init(&ai->ix.refs, 1);
	ai->ix.nservices = n;
	ai->ix.destroy = index_destroy;
	ai->ix.priv = NULL;
	ai->parts = parts;
	ai->nparts = nparts;
	ai->root = root;
	ai->gone = gone;
	*out = &ai->ix;
	count_view(as, *out);
	return 0;
}

/* ---- building views -------------------------------------------------------------- */

/* Whether the root part holds a service called name. */
static int root_has(const struct part *root, const char *name)
{
	return root && root->a && pyro_archive_service(root->a, name) != NULL;
}

/* Parts for the directories d[0..n): the indexed ones of old (sorted,
 * borrowed) kept unless dirty (then indexed again; so is one holding root
 * files when the root's files changed: root_changed), new ones pending
 * (indexed at once when eager).  *out: an array of n parts. */
static int plan_parts(struct archive_src *as, const struct pyro_archive_dir *d,
		      size_t n, struct part *const *old, size_t nold,
		      const struct part *root, int root_changed,
		      struct part ***out, char err[PYRO_ERR_MAX])
{
	struct part **parts = calloc(n ? n : 1, sizeof(*parts));
	size_t i;
	int rc = parts ? 0 : -ENOMEM;

	for (i = 0; !rc && i < n; i++) {
		struct part *p = (struct part *)find_part(old, nold, d[i].name);
		int with_root = root_has(root, d[i].name);

		if (p && p->a && !pyro_watch_is_dirty(&as->w, p->name) &&
		    p->with_root == with_root &&
		    !(with_root && root_changed))
			parts[i] = part_get(p);
		else if (p && p->a)
			rc = part_build(as, d[i].name, with_root, &parts[i], err);
		else if (as->eager)
			rc = part_build(as, d[i].name, with_root, &parts[i], err);
		else if (p && p->mtime == d[i].mtime_nanos)
			parts[i] = part_get(p);
		else
			rc = part_pending(&d[i], &parts[i]);
	}
	if (rc) {
		for (i = 0; i < n; i++)
			part_put(parts[i]);
		free(parts);
		return rc;
	}
	*out = parts;
	return 0;
}

/* List the root and plan a view from it: its root part (old_root kept when
 * its fingerprint still matches), its directories' parts.  Everything
 * handed to view_new. */
static int view_from_root(struct archive_src *as, struct part *const *old,
			  size_t nold, struct part *old_root,
			  struct pyro_index **out, char err[PYRO_ERR_MAX])
{
	struct pyro_archive_dir *d = NULL;
	struct part *root = NULL, **parts = NULL;
	char *root_service = NULL;
	uint64_t fp = 0;
	size_t n = 0;
	int rc;

	rc = pyro_archive_list_dirs(as->rootfd, as->base.name, &d, &n,
				    &root_service);
	free(root_service);
	if (rc) {
		snprintf(err, PYRO_ERR_MAX, "%s: %s", as->base.name, strerror(-rc));
		return rc;
	}
	if (old_root && !part_fingerprint(as, old_root, &fp) &&
	    fp == old_root->a->fingerprint)
		root = part_get(old_root);
	else
		rc = part_build(as, NULL, 0, &root, err);
	if (!rc)
		rc = plan_parts(as, d, n, old, nold, root, root != old_root,
				&parts, err);
	pyro_archive_dirs_free(d, n);
	if (rc) {
		part_put(root);
		return rc;
	}
	if (root == old_root && n == nold &&
	    (!n || !memcmp(parts, old, n * sizeof(*parts)))) {
		/* Every part as it was: nothing to publish. */
		for (size_t i = 0; i < n; i++)
			part_put(parts[i]);
		free(parts);
		part_put(root);
		*out = NULL;
		return 0;
	}
	return view_new(as, parts, n, root, NULL, out);
}

/* The same view as cur, with the pending services called name (NULL: all)
 * indexed when `load`, and the dirty parts indexed again when `dirty`.
 * *out NULL when no part changed. */
static int view_update(struct archive_src *as, const struct archive_index *cur,
		       int load, const char *name, int dirty,
		       struct pyro_index **out, char err[PYRO_ERR_MAX])
{
	struct part **parts = calloc(cur->nparts ? cur->nparts : 1, sizeof(*parts));
	size_t i;
	int rc = parts ? 0 : -ENOMEM, changed = 0;

	*out = NULL;
	for (i = 0; !rc && i < cur->nparts; i++) {
		struct part *p = cur->parts[i];
		int want = !p->a ? load && (!name || !strcmp(name, p->name)) :
			   dirty && pyro_watch_is_dirty(&as->w, p->name);

		if (want) {
			rc = part_build(as, p->name, root_has(cur->root, p->name),
					&parts[i], err);
			changed = 1;
		} else {
			parts[i] = part_get(p);
		}
	}
	if (rc || !changed) {
		for (i = 0; parts && i < cur->nparts; i++)
			part_put(parts[i]);
		free(parts);
		return rc;
	}
	return view_new(as, parts, cur->nparts,
			cur->root ? part_get(cur->root) : NULL, NULL, out);
}

/* ---- following the archive ---------------------------------------------------------- */

/* (Re)anchor at the root: its descriptor and identity, watched anew. */
static int anchor(struct archive_src *as, char err[PYRO_ERR_MAX])
{
	struct stat st;
	int fd = pyro_archive_root_open(as->base.name, err);

	if (fd < 0)
		return fd;
	if (fstat(fd, &st)) {
		close(fd);
		snprintf(err, PYRO_ERR_MAX, "%s: %s", as->base.name, strerror(errno));
		return -EIO;
	}
	if (as->rootfd >= 0)
		close(as->rootfd);
	as->rootfd = fd;
	as->root_dev = st.st_dev;
	as->root_ino = st.st_ino;
	pyro_watch_root(&as->w, as->rootfd);
	return 0;
}

/* Whether ARCHIVE's path still leads to the directory indexed. */
static int same_root(const struct archive_src *as)
{
	struct stat st;

	return as->rootfd >= 0 &&
	       fstatat(AT_FDCWD, as->base.name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISDIR(st.st_mode) && st.st_dev == as->root_dev &&
	       st.st_ino == as->root_ino;
}

/* ARCHIVE itself is gone or unreadable: an empty tree that says so. */
static int view_gone(struct archive_src *as, const char *why,
		     struct pyro_index **next)
{
	char reason[PYRO_ERR_MAX + 64];
	struct pyro_archive *a = NULL;
	int rc;

	snprintf(reason, sizeof(reason), "archive unreadable: %s", why);
	rc = pyro_archive_empty(as->base.name, reason, &a);
	if (rc)
		return rc;
	rc = view_new(as, NULL, 0, NULL, a, next);
	if (!rc)
		as->gone = 1;
	return rc;
}

/* Walk mode: mark the indexed parts whose files changed, and the root. */
static void walk_changes(struct archive_src *as, const struct archive_index *cur)
{
	uint64_t fp;
	size_t i;

	as->w.root_dirty = 1;
	for (i = 0; i < cur->nparts; i++) {
		const struct part *p = cur->parts[i];

		if (p->a && (part_fingerprint(as, p, &fp) || fp != p->a->fingerprint))
			pyro_watch_mark(&as->w, p->name);
	}
}

static int archive_refresh(struct pyro_src *src, const struct pyro_index *cur,
			   struct pyro_index **next, char err[PYRO_ERR_MAX])
{
	struct archive_src *as = to_src(src);
	const struct archive_index *ci = view_of(cur);
	int rc;

	*next = NULL;
	pyro_watch_poll(&as->w);
	if (pyro_watch_walking(&as->w) && !as->gone)
		walk_changes(as, ci);
	if (!as->gone && !pyro_watch_any(&as->w))
		return 0;       /* nothing happened */
	if (as->gone || !same_root(as)) {
		/* A new (or returning) root: anchored and listed anew. */
		pyro_watch_clear(&as->w);
		rc = anchor(as, err);
		if (rc == -ENOMEM)
			return rc;
		if (rc && as->gone)
			return 0;       /* still gone */
		if (!rc)
			rc = view_from_root(as, NULL, 0, NULL, next, err);
		if (rc == -ENOMEM)
			return rc;
		if (rc)
			rc = view_gone(as, err, next);
		else
			as->gone = 0;
		return rc ? rc : 1;
	}
	if (as->w.root_dirty || as->w.all_dirty)
		rc = view_from_root(as, ci->parts, ci->nparts, ci->root, next, err);
	else
		rc = view_update(as, ci, 0, NULL, 1, next, err);
	pyro_watch_clear(&as->w);
	if (rc == -ENOMEM)
		return rc;
	if (rc) {
		/* The root went while being read: say so (the next refresh
		 * sees whether it is back). */
		rc = view_gone(as, err, next);
		return rc ? rc : 1;
	}
	return *next ? 1 : 0;
}

static int archive_load(struct pyro_src *src, const struct pyro_index *cur,
			const char *name, struct pyro_index **next,
			char err[PYRO_ERR_MAX])
{
	struct archive_src *as = to_src(src);
	int rc;

	/* Pending parts only: changed ones wait for refresh, which knows
	 * whether the root changed too. */
	rc = view_update(as, view_of(cur), 1, name, 0, next, err);
	if (rc)
		return rc;
	if (*next)
		atomic_fetch_add(&as->nloads, 1);
	return *next ? 1 : 0;
}

static int archive_stats(struct pyro_src *src, struct pyro_buf *out)
{
	struct archive_src *as = to_src(src);
	int walk = pyro_watch_walking(&as->w);

	return pyro_buf_printf(out,
			       "watch %s%s\n"
			       "index %s\n"
			       "services %zu\n"
			       "services_indexed %zu\n"
			       "snapshots_indexed %zu\n"
			       "service_loads %zu\n"
			       "parts_indexed %zu\n",
			       walk ? "walk" : "inotify",
			       pyro_watch_why(&as->w),
			       as->eager ? "eager" : "lazy",
			       atomic_load(&as->nservices),
			       atomic_load(&as->nindexed),
			       atomic_load(&as->nsnapshots),
			       atomic_load(&as->nloads),
			       atomic_load(&as->nrebuilds));
}

static void archive_close(struct pyro_src *src)
{
	struct archive_src *as = to_src(src);

	pyro_watch_release(&as->w);
	if (as->rootfd >= 0)
		close(as->rootfd);
	pyro_decode_pool_free(as->pool);
	free(src->name);
	free(as);
}

static const struct pyro_src_ops archive_ops = {
	.refresh = archive_refresh,
	.load = archive_load,
	.stacks = pyro_asrc_stacks,
	.labels = pyro_asrc_labels,
	.history = pyro_asrc_history,
	.ident = pyro_asrc_ident,
	.sources = pyro_asrc_sources,
	.problems = pyro_asrc_problems,
	.problem = pyro_asrc_problem,
	.stats = archive_stats,
	.close = archive_close,
};

/* ---- the kind ----------------------------------------------------------------- */

static int archive_match(const char *spec)
{
	(void)spec;
	return 1;
}

/* -o index=lazy|eager, -o watch=inotify|walk: 0 and the flags set, 1 (not
 * the archive's), -EINVAL. */
static int apply_opt(const char *kv, int *eager, int *walk,
		     char err[PYRO_ERR_MAX])
{
	if (!strncmp(kv, "index=", 6)) {
		if (strcmp(kv + 6, "lazy") && strcmp(kv + 6, "eager"))
			goto bad;
		*eager = !strcmp(kv + 6, "eager");
		return 0;
	}
	if (!strncmp(kv, "watch=", 6)) {
		if (strcmp(kv + 6, "inotify") && strcmp(kv + 6, "walk"))
			goto bad;
		*walk = !strcmp(kv + 6, "walk");
		return 0;
	}
	return 1;
bad:
	snprintf(err, PYRO_ERR_MAX, "bad value in -o %s", kv);
	return -EINVAL;
}

static int archive_opt(const char *kv, char err[PYRO_ERR_MAX])
{
	int eager = 0, walk = 0;

	return apply_opt(kv, &eager, &walk, err);
}

/* ARCHIVE must exist (pyro_archive_open says the rest). */
static int archive_check(const char *spec, char err[PYRO_ERR_MAX])
{
	char *root = realpath(spec, NULL);
	int e = errno;

	if (root) {
		free(root);
		return 0;
	}
	snprintf(err, PYRO_ERR_MAX, "archive %s: %s", spec, strerror(e));
	return -e;
}

/* The options of a local archive into as. */
static int archive_opts(struct archive_src *as, const struct pyro_src_conf *conf,
			char err[PYRO_ERR_MAX])
{
	int walk = 0, rc;
	size_t i;

	for (i = 0; i < conf->nopts; i++) {
		rc = apply_opt(conf->opts[i], &as->eager, &walk, err);
		if (rc == 1) {
			snprintf(err, PYRO_ERR_MAX, "option %s is not for a local "
				 "archive", conf->opts[i]);
			rc = -EINVAL;
		}
		if (rc)
			return rc;
	}
	if (walk)
		pyro_watch_use_walk(&as->w, PYRO_WHY_OPTION);
	return 0;
}

static int archive_open(const char *spec, const struct pyro_src_conf *conf,
			struct pyro_src **out, struct pyro_index **first,
			char err[PYRO_ERR_MAX])
{
	struct archive_src *as = calloc(1, sizeof(*as));
	char *root;
	int rc;

	if (!as)
		return -ENOMEM;
	as->base.ops = &archive_ops;
	as->conf = *conf;
	as->conf.opts = NULL;
	as->conf.nopts = 0;
	pyro_watch_init(&as->w);
	as->rootfd = -1;
	rc = pyro_decode_pool_new(pyro_decode_pool_threads(), &as->pool);
	if (rc) {
		snprintf(err, PYRO_ERR_MAX, "%s", strerror(-rc));
		archive_close(&as->base);
		return rc;
	}
	rc = archive_opts(as, conf, err);
	if (rc) {
		archive_close(&as->base);
		return rc;
	}
	/* The archive is where ARCHIVE leads now (a symlink given on the
	 * command line is followed once, here); the index then opens that
	 * real path without following it, so a later swap of the root for a
	 * symlink leads nowhere (archive.h). */
	root = realpath(spec, NULL);
	if (!root) {
		rc = -errno;
		snprintf(err, PYRO_ERR_MAX, "%s: %s", spec, strerror(-rc));
		archive_close(&as->base);
		return rc;
	}
	as->base.name = root;
	rc = anchor(as, err);
	if (!rc)
		rc = view_from_root(as, NULL, 0, NULL, first, err);
	if (rc) {
		if (rc == -ENOMEM)
			snprintf(err, PYRO_ERR_MAX, "%s: %s", root, strerror(ENOMEM));
		archive_close(&as->base);
		return rc;
	}
	*out = &as->base;
	return 0;
}

const struct pyro_src_kind pyro_src_archive = {
	.name = "archive",
	.match = archive_match,
	.opt = archive_opt,
	.help = "    -o index=lazy|eager    index each service when first looked into\n"
		"                           (default) or all at mount\n"
		"    -o watch=inotify|walk  follow changes through inotify (default;\n"
		"                           the walk where it cannot) or a stat-walk\n",
	.check = archive_check,
	.open = archive_open,
};
