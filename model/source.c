/*
 * source.c - what every source shares: the index's reference counting and
 * lookups, and the registry that picks a source by the SOURCE argument.
 * See source.h; each kind lives in its own file (source_archive.c).
 */
#include "source.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "timefmt.h"

/*
 * The registry: the one place SOURCE picks an implementation.  Rows are
 * tried in order and the first whose match accepts SOURCE serves it, so
 * the local archive, which takes anything, comes last.  A new source adds
 * its row above it (and its extern in source.h).
 */
static const struct pyro_src_kind *const pyro_src_kinds[] = {
	&pyro_src_pyroscope,    /* http://, https:// */
	&pyro_src_archive,
};

#define NKINDS (sizeof(pyro_src_kinds) / sizeof(pyro_src_kinds[0]))

/* ---- the index ------------------------------------------------------------ */

void pyro_index_get(struct pyro_index *ix)
{
	atomic_fetch_add(&ix->refs, 1);
}

void pyro_index_put(struct pyro_index *ix)
{
	if (ix && atomic_fetch_sub(&ix->refs, 1) == 1)
		ix->destroy(ix);
}

const struct pyro_index_service *pyro_index_service(const struct pyro_index *ix,
						    const char *name)
{
	size_t lo = 0, hi = ix->nservices;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, ix->services[mid].name);

		if (!c)
			return &ix->services[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct pyro_index_series *
pyro_index_series(const struct pyro_index_service *svc, const char *type)
{
	size_t i;

	for (i = 0; i < svc->nseries; i++)
		if (!strcmp(svc->series[i].type, type))
			return &svc->series[i];
	return NULL;
}

/* The first point at or after time t (points sort by time). */
static size_t first_at(const struct pyro_index_series *se, int64_t t)
{
	size_t lo = 0, hi = se->npoints;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (se->points[mid].time_nanos < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * A point's name is its time to the second (pyro_time_name), then "-N"
 * for a repeated second: parse the second and search among the points of
 * that second only, so that a file manager stat-ing every entry of a
 * 10,000-point directory does not compare 10,000 names each time.  Names
 * are not in point order ("...Z-10" sorts before "...Z-2"), so a name that
 * does not parse is looked for linearly.
 */
const struct pyro_point *pyro_index_point(const struct pyro_index_series *se,
					  const char *name)
{
	char head[PYRO_TIME_NAME_MAX];
	size_t i, len = strlen(name);
	int64_t t;

	if (len >= 20 && len < sizeof(head) && name[19] == 'Z' &&
	    (name[20] == '\0' || name[20] == '-')) {
		memcpy(head, name, 20);
		head[20] = '\0';
		if (pyro_time_from_filename(head, &t) == 0) {
			/* A second either side: names truncate, whichever
			 * way a time before 1970 rounds. */
			for (i = first_at(se, t - PYRO_NS_PER_SEC);
			     i < se->npoints &&
			     se->points[i].time_nanos < t + 2 * PYRO_NS_PER_SEC; i++)
				if (!strcmp(se->points[i].name, name))
					return &se->points[i];
			return NULL;
		}
	}
	for (i = 0; i < se->npoints; i++)
		if (!strcmp(se->points[i].name, name))
			return &se->points[i];
	return NULL;
}

int64_t pyro_index_series_newest(const struct pyro_index_series *se)
{
	return se->points[se->npoints - 1].time_nanos;
}

int64_t pyro_index_service_newest(const struct pyro_index_service *svc)
{
	int64_t t = svc->pending ? svc->pending_newest : 0;
	size_t i;

	for (i = 0; i < svc->nseries; i++)
		if (pyro_index_series_newest(&svc->series[i]) > t)
			t = pyro_index_series_newest(&svc->series[i]);
	return t;
}

int64_t pyro_index_newest(const struct pyro_index *ix)
{
	int64_t t = 0;
	size_t i;

	for (i = 0; i < ix->nservices; i++)
		if (pyro_index_service_newest(&ix->services[i]) > t)
			t = pyro_index_service_newest(&ix->services[i]);
	return t;
}

/* ---- the registry ----------------------------------------------------------- */

const struct pyro_src_kind *pyro_src_kind_of(const char *spec)
{
	size_t i;

	for (i = 0; i + 1 < NKINDS; i++)
		if (pyro_src_kinds[i]->match(spec))
			return pyro_src_kinds[i];
	return pyro_src_kinds[NKINDS - 1];
}

int pyro_src_opt(const char *kv, char err[PYRO_ERR_MAX])
{
	size_t i;
	int rc;

	for (i = 0; i < NKINDS; i++) {
		if (!pyro_src_kinds[i]->opt)
			continue;
		rc = pyro_src_kinds[i]->opt(kv, err);
		if (rc <= 0)
			return rc;
	}
	return 1;
}

int pyro_src_help(struct pyro_buf *out)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < NKINDS && !rc; i++)
		if (pyro_src_kinds[i]->help)
			rc = pyro_buf_printf(out, "%s source options:\n%s",
					     pyro_src_kinds[i]->name,
					     pyro_src_kinds[i]->help);
	return rc;
}

int pyro_src_check(const char *spec, char err[PYRO_ERR_MAX])
{
	const struct pyro_src_kind *k = pyro_src_kind_of(spec);

	return k->check ? k->check(spec, err) : 0;
}

int pyro_src_open(const char *spec, const struct pyro_src_conf *conf,
		  struct pyro_src **out, struct pyro_index **first,
		  char err[PYRO_ERR_MAX])
{
	*out = NULL;
	*first = NULL;
	return pyro_src_kind_of(spec)->open(spec, conf, out, first, err);
}

void pyro_src_close(struct pyro_src *src)
{
	if (src)
		src->ops->close(src);
}
