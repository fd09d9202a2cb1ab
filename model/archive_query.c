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
	for (i = 0; i < a->nproblems && !rc; i++) {
		rc = pyro_buf_put_safe(out, a->problems[i].path,
				       strlen(a->problems[i].path));
		if (!rc)
			rc = pyro_buf_puts(out, ": ");
		if (!rc)
			rc = pyro_buf_put_safe(out, a->problems[i].reason,
					       strlen(a->problems[i].reason));
		if (!rc)
			rc = pyro_buf_putc(out, '\n');
	}
	pthread_mutex_unlock(&a->lock);
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
	size_t i;

	for (i = 0; i < se->nsnaps; i++)
		if (!strcmp(se->snaps[i].name, name))
			return &se->snaps[i];
	return NULL;
}
