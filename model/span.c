/*
 * span.c - resolve time names to runs of snapshots; see span.h.
 */
#include "span.h"

#include "source.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define NS PYRO_NS_PER_SEC

int pyro_span_parse_time(const char *s, size_t len, int64_t *lo, int64_t *hi)
{
	struct pyro_iso_time iso;

	if (pyro_iso_parse(s, len, PYRO_ISO_SPAN, &iso))
		return -EINVAL;
	*lo = iso.nanos;
	/* A period that ends beyond int64 nanoseconds ends at INT64_MAX. */
	if (__builtin_add_overflow(*lo, iso.width_secs * NS - 1, hi))
		*hi = INT64_MAX;
	return 0;
}

/* First snapshot with time >= t (nsnaps if none). */
static size_t lower_bound(const struct pyro_index_series *se, int64_t t)
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

/* First snapshot with time > t. */
static size_t upper_bound(const struct pyro_index_series *se, int64_t t)
{
	return t == INT64_MAX ? se->npoints : lower_bound(se, t + 1);
}

static int set_run(const struct pyro_index_series *se, size_t first, size_t end,
		   struct pyro_span *out)
{
	if (end <= first || end > se->npoints)
		return -ENOENT;
	out->kind = PYRO_SPAN_WINDOW;
	out->first = first;
	out->count = end - first;
	out->has_baseline = first > 0;
	return 0;
}

/* Parse a duration "<digits><unit>" (units s, m, h, d, w) ending the
 * string: 0 and *ns, or 1 when it exceeds any series (*ns = INT64_MAX),
 * or -ENOENT. */
static int parse_duration(const char *spec, int64_t *ns)
{
	static const struct { char unit; int64_t secs; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
		{ 'w', 7 * 86400 },
	};
	int64_t n = 0;
	const char *p = spec;
	size_t i;

	if (!isdigit((unsigned char)*p))
		return -ENOENT;
	/* Saturate: any larger count covers the whole series anyway. */
	for (; isdigit((unsigned char)*p); p++)
		if (n <= 1000000000)
			n = n * 10 + (*p - '0');
	if (n == 0 || p[0] == '\0' || p[1] != '\0')
		return -ENOENT;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (units[i].unit != *p)
			continue;
		if (n > INT64_MAX / NS / units[i].secs) {
			*ns = INT64_MAX;
			return 1;
		}
		*ns = n * units[i].secs * NS;
		return 0;
	}
	return -ENOENT;
}

/* The snapshot nearest to `back` nanoseconds before the newest; of two
 * equally near, the older. */
static size_t nearest_before(const struct pyro_index_series *se, int64_t back)
{
	int64_t newest = se->points[se->npoints - 1].time_nanos, t;
	size_t i;

	if (back == INT64_MAX || newest < INT64_MIN + back)
		return 0;
	t = newest - back;
	i = lower_bound(se, t);         /* first at or after t; <= newest */
	if (i > 0 && (double)t - (double)se->points[i - 1].time_nanos <=
		     (double)se->points[i].time_nanos - (double)t)
		i--;
	return i;
}

/* Index of the snapshot called by the relative name s (latest, prev,
 * first, latest~N, latest-<duration>), or -1. */
static long relative_index(const struct pyro_index_series *se, const char *s)
{
	size_t last = se->npoints - 1;
	int64_t back;
	const char *p;
	size_t n = 0;

	if (!strcmp(s, "latest"))
		return (long)last;
	if (!strcmp(s, "first"))
		return 0;
	if (!strcmp(s, "prev"))
		return last > 0 ? (long)last - 1 : -1;
	if (!strncmp(s, "latest~", 7)) {
		p = s + 7;
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++) {
			n = n * 10 + (size_t)(*p - '0');
			if (n > last)
				return -1;      /* before the first: no such */
		}
		return *p ? -1 : (long)(last - n);
	}
	if (!strncmp(s, "latest-", 7) && parse_duration(s + 7, &back) >= 0)
		return (long)nearest_before(se, back);
	return -1;
}

/* Index of the snapshot called s[0..len) (a point's name or a relative
 * name), or -1.  *relative says which. */
static long snapshot_index(const struct pyro_index_series *se, const char *s,
			   size_t len, int *relative)
{
	char name[PYRO_TIME_NAME_MAX > PYRO_SPAN_REL_MAX ?
		  PYRO_TIME_NAME_MAX : PYRO_SPAN_REL_MAX];
	const struct pyro_point *pt;
	long idx;

	*relative = 0;
	if (len >= sizeof(name))
		return -1;
	memcpy(name, s, len);
	name[len] = '\0';
	pt = pyro_index_point(se, name);
	if (pt)
		return (long)(pt - se->points);
	if (len >= PYRO_SPAN_REL_MAX)
		return -1;
	idx = relative_index(se, name);
	*relative = idx >= 0;
	return idx;
}

static int resolve_range(const struct pyro_index_series *se, const char *name,
			 const char *dots, struct pyro_span *out)
{
	const char *to = dots + 2;
	size_t flen = (size_t)(dots - name), tlen = strlen(to);
	int rel;
	long fi = snapshot_index(se, name, flen, &rel);
	long ti = snapshot_index(se, to, tlen, &rel);
	int64_t lo, hi;
	size_t first, end;

	if (fi >= 0)
		first = (size_t)fi;
	else if (pyro_span_parse_time(name, flen, &lo, &hi) == 0)
		first = lower_bound(se, lo);
	else
		return -ENOENT;
	if (ti >= 0)
		end = (size_t)ti + 1;
	else if (pyro_span_parse_time(to, tlen, &lo, &hi) == 0)
		end = upper_bound(se, hi);
	else
		return -ENOENT;
	return set_run(se, first, end, out);
}

static int resolve_last(const struct pyro_index_series *se, const char *spec,
			struct pyro_span *out)
{
	int64_t d, newest = se->points[se->npoints - 1].time_nanos;
	int rc = parse_duration(spec, &d);

	if (rc < 0)
		return rc;
	if (rc > 0 || newest < INT64_MIN + d)
		return set_run(se, 0, se->npoints, out);
	/* (newest - d, newest]: exactly d long, ending at the newest. */
	return set_run(se, upper_bound(se, newest - d), se->npoints, out);
}

int pyro_span_resolve(const struct pyro_index_series *se, const char *name,
		      struct pyro_span *out)
{
	const char *dots;
	long idx;
	int64_t lo, hi;
	int rel;

	memset(out, 0, sizeof(*out));
	if (se->npoints == 0)
		return -ENOENT;
	if (!strcmp(name, "all")) {
		out->kind = PYRO_SPAN_ALL;
		out->count = se->npoints;
		return 0;
	}
	idx = snapshot_index(se, name, strlen(name), &rel);
	if (idx >= 0) {
		out->kind = rel ? PYRO_SPAN_RELATIVE : PYRO_SPAN_SNAPSHOT;
		out->first = (size_t)idx;
		out->count = 1;
		return 0;
	}
	if (!strncmp(name, "last-", 5))
		return resolve_last(se, name + 5, out);
	dots = strstr(name, "..");
	if (dots)
		return resolve_range(se, name, dots, out);
	/* A bare time point is the window of its period: days and hours are
	 * listed, finer ones (2026-11-24T10-15) resolve on lookup. */
	if (pyro_span_parse_time(name, strlen(name), &lo, &hi) == 0)
		return set_run(se, lower_bound(se, lo), upper_bound(se, hi), out);
	return -ENOENT;
}

int pyro_span_windows(const struct pyro_index_series *se,
		      int (*fn)(void *ctx, const char *name), void *ctx)
{
	char prev[PYRO_TIME_NAME_MAX] = "", name[PYRO_TIME_NAME_MAX];
	int len, pass, stop;
	size_t i;

	/* Snapshot names start with the day (10 bytes) and the hour (13). */
	for (pass = 0; pass < 2; pass++) {
		len = pass ? 13 : 10;
		prev[0] = '\0';
		for (i = 0; i < se->npoints; i++) {
			snprintf(name, sizeof(name), "%.*s", len, se->points[i].name);
			if (!strcmp(name, prev))
				continue;
			strcpy(prev, name);
			if ((stop = fn(ctx, name)))
				return stop;
		}
	}
	return 0;
}
