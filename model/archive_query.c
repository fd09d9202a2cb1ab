/*
 * archive_query.c - reading an open archive: lookups by name and the list of problems (/.pyrofs/errors); see archive.h.
 * Opening and indexing are archive.c's.
 *
 * The problem list is the one part of an archive that changes after
 * opening (full decoding finds new problems), so it alone takes a->lock.
 * File names may hold newlines and escape sequences: the list writes
 * control bytes as \xNN (pyro_buf_put_safe), so that one problem is always
 * one line and nothing reaches the reader's terminal raw.
 */
#include "archive.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* One problem line, control bytes escaped. */
static int put_problem(struct pyro_buf *out, const struct pyro_problem *p)
{
	int rc = pyro_buf_put_safe(out, p->path, strlen(p->path));

	if (!rc)
		rc = pyro_buf_puts(out, ": ");
	if (!rc)
		rc = pyro_buf_put_safe(out, p->reason, strlen(p->reason));
	if (!rc)
		rc = pyro_buf_putc(out, '\n');
	return rc;
}

int pyro_archive_problems_text(struct pyro_archive *a, struct pyro_buf *out)
{
	return pyro_archive_problems_text_many(&a, 1, out);
}

/* Copies of the problems of as[0..n), in that order (a stable sort then
 * keeps the first archive's reason for a path listed twice). */
static int collect_problems(struct pyro_archive *const *as, size_t n,
			    struct pyro_problem **out, size_t *count)
{
	struct pyro_problem *all = NULL, *na;
	size_t i, j, k = 0, cap = 0;
	int rc = 0;

	for (i = 0; i < n && !rc; i++) {
		pthread_mutex_lock(&as[i]->lock);
		if (k + as[i]->nproblems > cap) {
			cap = (k + as[i]->nproblems) * 2;
			na = realloc(all, cap * sizeof(*na));
			if (na)
				all = na;
			else
				rc = -ENOMEM;
		}
		for (j = 0; !rc && j < as[i]->nproblems; j++) {
			all[k].path = strdup(as[i]->problems[j].path);
			all[k].reason = strdup(as[i]->problems[j].reason);
			if (!all[k].path || !all[k].reason)
				rc = -ENOMEM;
			k++;
		}
		pthread_mutex_unlock(&as[i]->lock);
	}
	*out = all;
	*count = k;
	return rc;
}

/* Insertion position kept by index: qsort is not stable. */
struct ranked {
	const struct pyro_problem *p;
	size_t rank;
};

static int cmp_ranked(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;
	int c = strcmp(a->p->path, b->p->path);

	return c ? c : (a->rank > b->rank) - (a->rank < b->rank);
}

int pyro_archive_problems_text_many(struct pyro_archive *const *as, size_t n,
				    struct pyro_buf *out)
{
	struct pyro_problem *all = NULL;
	struct ranked *r = NULL;
	size_t i, count = 0;
	int rc = collect_problems(as, n, &all, &count);

	if (!rc && count && !(r = calloc(count, sizeof(*r))))
		rc = -ENOMEM;
	for (i = 0; !rc && i < count; i++) {
		r[i].p = &all[i];
		r[i].rank = i;
	}
	if (!rc && count > 1)   /* qsort(NULL, 0, ...) is undefined */
		qsort(r, count, sizeof(*r), cmp_ranked);
	for (i = 0; !rc && i < count; i++)
		if (!i || strcmp(r[i].p->path, r[i - 1].p->path))
			rc = put_problem(out, r[i].p);
	for (i = 0; i < count; i++) {
		free(all[i].path);
		free(all[i].reason);
	}
	free(all);
	free(r);
	return rc;
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
	char sname[PYRO_TIME_NAME_MAX];
	size_t i;

	for (i = 0; i < se->nsnaps; i++) {
		pyro_snapshot_name(&se->snaps[i], sname);
		if (!strcmp(sname, name))
			return &se->snaps[i];
	}
	return NULL;
}
