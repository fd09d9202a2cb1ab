/*
 * remote_list.c - listing a Pyroscope server into an index (see the
 * comment at the top of source_remote.c for what the tree is made of, and
 * "Listing" below for the queries); the calls it makes are remote_call.c.
 */
#include "remote_source.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types.pb-c.h"

#define HORIZON_LOOKBACKS 30    /* discovery looks this many lookbacks back */

/* ---- building an index ------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void pyro_remote_index_destroy(struct pyro_index *ix)
{
	struct rindex *ri = (struct rindex *)ix;
	size_t i, j;

	for (i = 0; i < ix->nservices; i++) {
		struct pyro_index_service *svc = &ix->services[i];

		for (j = 0; j < svc->nseries; j++) {
			struct pyro_index_series *se = &svc->series[j];
			struct rseries *rs = (struct rseries *)se->priv;

			free(se->type);
			free(se->sample_type);
			free(se->sample_unit);
			free(se->points);
			if (rs) {
				free(rs->type_id);
				free(rs->pts);
				free(rs);
			}
		}
		free(svc->series);
		free(svc->name);
		free(ri->svc_names ? ri->svc_names[i] : NULL);
	}
	free(ri->svc_names);
	free(ix->services);
	free(ri);
}

/* The fields of "name:type:unit:ptype:punit"; -EINVAL if not five. */
static int split_type_id(const char *id, char f[5][PYRO_NAME_MAX])
{
	const char *p = id;
	int i;

	for (i = 0; i < 5; i++) {
		const char *c = i < 4 ? strchr(p, ':') : p + strlen(p);
		size_t n;

		if (!c)
			return -EINVAL;
		n = (size_t)(c - p) < PYRO_NAME_MAX - 1 ? (size_t)(c - p) : PYRO_NAME_MAX - 1;
		memcpy(f[i], p, n);
		f[i][n] = '\0';
		p = c + 1;
	}
	return 0;
}

/* The type directory name of ids[k], by types.c's table: the header holds
 * the sample types of every id with the same profile name and period. */
static void type_dir_name(char **ids, size_t n, size_t k, char name[PYRO_NAME_MAX])
{
	char fk[5][PYRO_NAME_MAX], fi[5][PYRO_NAME_MAX];
	struct pyro_value_type types[64];
	struct pyro_profile_header h;
	size_t i, nt = 0, index = 0;

	if (split_type_id(ids[k], fk)) {
		pyro_safe_name(ids[k], name);
		return;
	}
	for (i = 0; i < n && nt < 64; i++) {
		if (split_type_id(ids[i], fi) || strcmp(fi[0], fk[0]) ||
		    strcmp(fi[3], fk[3]) || strcmp(fi[4], fk[4]))
			continue;
		if (i == k)
			index = nt;
		types[nt].type = ids[i] + strlen(fi[0]) + 1;   /* not terminated */
		types[nt].unit = NULL;
		nt++;
	}
	/* Terminated copies of the sample types for the table. */
	{
		char copies[64][PYRO_NAME_MAX];

		for (i = 0; i < nt; i++) {
			size_t len = strcspn(types[i].type, ":");

			snprintf(copies[i], PYRO_NAME_MAX, "%.*s", (int)len, types[i].type);
			types[i].type = copies[i];
			types[i].unit = (char *)"";
		}
		memset(&h, 0, sizeof(h));
		h.types = types;
		h.ntypes = nt;
		h.period_type.type = fk[3];
		h.period_type.unit = fk[4];
		pyro_type_name(&h, index, fk[0], name);
	}
}

/*
 * Listing.  Queries grow with the number of profile types, not of series:
 *   Series(label_names=[service_name, __profile_type__])   every series
 *   LabelNames                                             label keys
 *   per type: SelectSeries(step = lookback, by service)    where each
 *             service's data of that type ends ("coarse end")
 *   per type and coarse end: SelectSeries(step, by service) the points of
 *             every service whose data ends there (usually all of them);
 *             gauges also AVERAGE and SUM by service and every label key
 *             (gauge_counts)
 */
struct pair {                   /* one series being listed */
	const char *svc;        /* borrowed from the build's services */
	char *type_id;          /* owned until handed to its rseries */
	int64_t end;            /* coarse end, 0: no data */
	struct rpoint *pts;     /* owned until handed to its rseries */
	size_t npts;
};

struct build {
	struct remote *r;
	int64_t newest;         /* T */
	int64_t w_start, w_end; /* discovery window */
	char **svcs;            /* real service names, sorted */
	size_t nsvcs;
	struct pair *pairs;     /* sorted by service, then type id */
	size_t npairs;
	char **keys;            /* label keys (gauge_counts) */
	size_t nkeys;
	char err[PYRO_ERR_MAX];
};

static int64_t align_down(int64_t t, int64_t step)
{
	int64_t q = t / step;

	if (t % step && t < 0)
		q--;
	return q * step;
}

static void free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static void build_release(struct build *b)
{
	size_t i;

	for (i = 0; i < b->npairs; i++) {
		free(b->pairs[i].type_id);
		free(b->pairs[i].pts);
	}
	free(b->pairs);
	free_strv(b->svcs, b->nsvcs);
	free_strv(b->keys, b->nkeys);
}

/* The value of label name in s, or NULL. */
static const char *label_of(Types__V1__LabelPair **l, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(l[i]->name, name))
			return l[i]->value;
	return NULL;
}

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcmp(x->svc, y->svc);

	return c ? c : strcmp(x->type_id, y->type_id);
}

static const char *intern_svc(struct build *b, const char *name)
{
	size_t lo = 0, hi = b->nsvcs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(b->svcs[mid], name);

		if (!c)
			return b->svcs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Every (service, profile type) of the window: b->svcs and b->pairs. */
static int list_series(struct build *b)
{
	Querier__V1__SeriesRequest req = QUERIER__V1__SERIES_REQUEST__INIT;
	Querier__V1__SeriesResponse *resp = NULL;
	struct pyro_buf sel = PYRO_BUF_INIT;
	char *names[] = { (char *)"service_name", (char *)"__profile_type__" }, *m[1];
	size_t i, n = 0;
	int rc;

	rc = pyro_remote_selector(b->r, NULL, NULL, 0, NULL, 0, &sel);
	if (rc)
		return rc;
	if (b->r->o.selector && *b->r->o.selector) {
		m[0] = sel.data;
		req.matchers = m;
		req.n_matchers = 1;
	}
	req.label_names = names;
	req.n_label_names = 2;
	req.start = b->w_start;
	req.end = b->w_end;
	rc = pyro_remote_rpc(b->r, "Series", &req.base, &querier__v1__series_response__descriptor,
		 (ProtobufCMessage **)&resp, NULL, NULL, b->err);
	if (rc)
		goto out;
	b->svcs = calloc(resp->n_labels_set + 1, sizeof(*b->svcs));
	b->pairs = calloc(resp->n_labels_set + 1, sizeof(*b->pairs));
	if (!b->svcs || !b->pairs) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < resp->n_labels_set && !rc; i++) {
		const Types__V1__Labels *l = resp->labels_set[i];
		const char *svc = label_of(l->labels, l->n_labels, "service_name");

		if (svc && *svc && label_of(l->labels, l->n_labels, "__profile_type__")) {
			b->svcs[b->nsvcs] = strdup(svc);
			rc = b->svcs[b->nsvcs++] ? 0 : -ENOMEM;
		}
	}
	if (rc)
		goto out;
	qsort(b->svcs, b->nsvcs, sizeof(*b->svcs), cmp_str);
	for (i = 0; i < b->nsvcs; i++) {        /* unique */
		if (n && !strcmp(b->svcs[n - 1], b->svcs[i]))
			free(b->svcs[i]);
		else
			b->svcs[n++] = b->svcs[i];
	}
	b->nsvcs = n;
	for (i = 0; i < resp->n_labels_set && !rc; i++) {
		const Types__V1__Labels *l = resp->labels_set[i];
		const char *svc = label_of(l->labels, l->n_labels, "service_name");
		const char *id = label_of(l->labels, l->n_labels, "__profile_type__");
		struct pair *p = &b->pairs[b->npairs];

		if (!svc || !*svc || !id || !*id)
			continue;
		p->svc = intern_svc(b, svc);
		p->type_id = strdup(id);
		rc = p->type_id ? 0 : -ENOMEM;
		b->npairs++;
	}
	if (rc)
		goto out;
	qsort(b->pairs, b->npairs, sizeof(*b->pairs), cmp_pair);
	for (i = 0, n = 0; i < b->npairs; i++) {        /* unique */
		if (n && !cmp_pair(&b->pairs[n - 1], &b->pairs[i]))
			free(b->pairs[i].type_id);
		else
			b->pairs[n++] = b->pairs[i];
	}
	b->npairs = n;
out:
	if (resp)
		querier__v1__series_response__free_unpacked(resp, NULL);
	pyro_buf_release(&sel);
	return rc;
}

/* The label keys of the window (LabelNames minus __* and service_name). */
static int list_keys(struct build *b)
{
	Types__V1__LabelNamesRequest req = TYPES__V1__LABEL_NAMES_REQUEST__INIT;
	Types__V1__LabelNamesResponse *resp = NULL;
	struct pyro_buf sel = PYRO_BUF_INIT;
	char *m[1];
	size_t i;
	int rc;

	rc = pyro_remote_selector(b->r, NULL, NULL, 0, NULL, 0, &sel);
	if (rc)
		return rc;
	if (b->r->o.selector && *b->r->o.selector) {
		m[0] = sel.data;
		req.matchers = m;
		req.n_matchers = 1;
	}
	req.start = b->w_start;
	req.end = b->w_end;
	rc = pyro_remote_rpc(b->r, "LabelNames", &req.base, &types__v1__label_names_response__descriptor,
		 (ProtobufCMessage **)&resp, NULL, NULL, b->err);
	if (!rc) {
		/* one more place for service_name, which gauge_counts groups by */
		b->keys = calloc(resp->n_names + 2, sizeof(*b->keys));
		rc = b->keys ? 0 : -ENOMEM;
	}
	if (!rc) {
		b->keys[0] = strdup("service_name");
		rc = b->keys[0] ? 0 : -ENOMEM;
		b->nkeys = 1;
	}
	for (i = 0; !rc && i < resp->n_names; i++) {
		if (!strncmp(resp->names[i], "__", 2) || !strcmp(resp->names[i], "service_name"))
			continue;
		b->keys[b->nkeys] = strdup(resp->names[i]);
		if (!b->keys[b->nkeys++])
			rc = -ENOMEM;
	}
	if (resp)
		types__v1__label_names_response__free_unpacked(resp, NULL);
	pyro_buf_release(&sel);
	return rc;
}

/* The coarse end of every pair of type_id: one query grouped by service. */
static int coarse_ends(struct build *b, const char *type_id)
{
	Querier__V1__SelectSeriesResponse *resp = NULL;
	struct pyro_buf sel = PYRO_BUF_INIT;
	char *group[] = { (char *)"service_name" };
	size_t i, j, k;
	int rc;

	rc = pyro_remote_selector(b->r, NULL, NULL, 0, NULL, 0, &sel);
	if (!rc)
		rc = pyro_remote_select_series(b->r, type_id, sel.data, b->w_start, b->w_end,
				   b->r->o.lookback_ms, 0, group, 1, &resp, b->err);
	for (i = 0; !rc && i < resp->n_series; i++) {
		const Types__V1__Series *s = resp->series[i];
		const char *svc = label_of(s->labels, s->n_labels, "service_name");
		int64_t last = 0;

		for (j = 0; j < s->n_points; j++)
			if (s->points[j]->timestamp > last && s->points[j]->value != 0)
				last = s->points[j]->timestamp;
		for (k = 0; svc && k < b->npairs; k++)
			if (!strcmp(b->pairs[k].svc, svc) && !strcmp(b->pairs[k].type_id, type_id))
				b->pairs[k].end = last;
	}
	if (resp)
		querier__v1__select_series_response__free_unpacked(resp, NULL);
	pyro_buf_release(&sel);
	return rc;
}

/* Set the points of pair p from s: the lookback ending at its newest. */
static int take_points(struct build *b, struct pair *p, const Types__V1__Series *s)
{
	int64_t lb = b->r->o.lookback_ms, newest = 0;
	size_t i;

	for (i = 0; i < s->n_points; i++)
		if (s->points[i]->timestamp > newest && s->points[i]->value != 0)
			newest = s->points[i]->timestamp;
	p->pts = calloc(s->n_points ? s->n_points : 1, sizeof(*p->pts));
	if (!p->pts)
		return -ENOMEM;
	for (i = 0; i < s->n_points; i++) {
		const Types__V1__Point *pt = s->points[i];

		if (pt->timestamp <= newest - lb || pt->timestamp > newest || pt->value == 0 ||
		    (p->npts && pt->timestamp <= p->pts[p->npts - 1].end_ms))
			continue;
		p->pts[p->npts].end_ms = pt->timestamp;
		p->pts[p->npts++].sum = pt->value;
	}
	return 0;
}

/*
 * The number of profiles in each point of the gauge pairs of (type_id,
 * end).  SelectSeries tells SUM / AVERAGE = the rows in a step, but
 * Pyroscope stores one row per label set of a profile, so grouped by every
 * label key each group counts the profiles carrying its label set, and the
 * most any group of a service counts is its number of profiles when some
 * label set is in every profile (the unlabelled samples usually are).
 */
static int gauge_counts(struct build *b, const char *type_id, const char *sel,
			int64_t start, int64_t end, int64_t coarse_end)
{
	Querier__V1__SelectSeriesResponse *avg = NULL, *sum = NULL;
	size_t g, i, k, q;
	int rc;

	rc = pyro_remote_select_series(b->r, type_id, sel, start, end, b->r->o.step_ms, 1, b->keys,
			   b->nkeys, &avg, b->err);
	if (!rc)
		rc = pyro_remote_select_series(b->r, type_id, sel, start, end, b->r->o.step_ms, 0, b->keys,
				   b->nkeys, &sum, b->err);
	for (g = 0; !rc && g < avg->n_series && g < sum->n_series; g++) {
		const Types__V1__Series *a = avg->series[g], *s = sum->series[g];
		const char *svc = label_of(a->labels, a->n_labels, "service_name");

		for (q = 0; svc && q < b->npairs; q++) {
			struct pair *p = &b->pairs[q];

			if (p->end != coarse_end || strcmp(p->svc, svc) || strcmp(p->type_id, type_id))
				continue;
			for (i = 0; i < a->n_points && i < s->n_points; i++) {
				int64_t n;

				if (a->points[i]->value == 0 ||
				    a->points[i]->timestamp != s->points[i]->timestamp)
					continue;
				n = llround(s->points[i]->value / a->points[i]->value);
				for (k = 0; k < p->npts; k++)
					if (p->pts[k].end_ms == a->points[i]->timestamp &&
					    n > p->pts[k].profiles)
						p->pts[k].profiles = n;
			}
		}
	}
	if (avg)
		querier__v1__select_series_response__free_unpacked(avg, NULL);
	if (sum)
		querier__v1__select_series_response__free_unpacked(sum, NULL);
	return rc;
}

/* The points of every pair of type_id whose data ends at coarse_end. */
static int fine_points(struct build *b, const char *type_id, int gauge, int64_t coarse_end)
{
	int64_t step = b->r->o.step_ms, lb = b->r->o.lookback_ms;
	int64_t start = align_down(coarse_end - 2 * lb, step);
	int64_t end = align_down(coarse_end + step - 1, step);
	Querier__V1__SelectSeriesResponse *resp = NULL;
	struct pyro_buf sel = PYRO_BUF_INIT;
	char *group[] = { (char *)"service_name" };
	size_t i, q;
	int rc;

	rc = pyro_remote_selector(b->r, NULL, NULL, 0, NULL, 0, &sel);
	if (!rc)
		rc = pyro_remote_select_series(b->r, type_id, sel.data, start, end, step, 0, group, 1,
				   &resp, b->err);
	for (i = 0; !rc && i < resp->n_series; i++) {
		const Types__V1__Series *s = resp->series[i];
		const char *svc = label_of(s->labels, s->n_labels, "service_name");

		for (q = 0; svc && q < b->npairs && !rc; q++) {
			struct pair *p = &b->pairs[q];

			if (p->end == coarse_end && !p->pts && !strcmp(p->svc, svc) &&
			    !strcmp(p->type_id, type_id))
				rc = take_points(b, p, s);
		}
	}
	if (!rc && gauge)
		rc = gauge_counts(b, type_id, sel.data, start, end, coarse_end);
	if (resp)
		querier__v1__select_series_response__free_unpacked(resp, NULL);
	pyro_buf_release(&sel);
	return rc;
}

/* The type directory name of a type id, within its service's ids. */
static void pair_type_name(const struct build *b, size_t first, size_t n, size_t k,
			   char name[PYRO_NAME_MAX])
{
	char *ids[256] = { NULL };   /* all set below; gcc cannot tell */
	size_t i, m = n < 256 ? n : 256;

	/* Past the 256 types a name is looked at beside, the type's own id
	 * made safe (a service with that many types is not seen in practice). */
	if (k >= m) {
		pyro_safe_name(b->pairs[first + k].type_id, name);
		return;
	}
	for (i = 0; i < m; i++)
		ids[i] = b->pairs[first + i].type_id;
	type_dir_name(ids, m, k, name);
}

static int cmp_series(const void *a, const void *b)
{
	return strcmp(((const struct pyro_index_series *)a)->type,
		      ((const struct pyro_index_series *)b)->type);
}

/* The series of one service (pairs [first, first + n)) into out. */
static int build_service(struct build *b, size_t first, size_t n,
			 struct pyro_index_service *out)
{
	char (*names)[PYRO_NAME_MAX], f[5][PYRO_NAME_MAX];
	size_t i, k;
	int rc = 0;

	/* Names first: each depends on its siblings' type ids, which are
	 * handed over to the series below. */
	names = calloc(n ? n : 1, sizeof(*names));
	out->series = calloc(n ? n : 1, sizeof(*out->series));
	if (!names || !out->series) {
		free(names);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		pair_type_name(b, first, n, i, names[i]);
	for (i = 0; i < n && !rc; i++) {
		struct pair *p = &b->pairs[first + i];
		struct pyro_index_series *se = &out->series[out->nseries];
		struct rseries *rs;

		if (!p->npts)
			continue;
		for (k = 0; k < out->nseries; k++)
			if (!strcmp(out->series[k].type, names[i]))
				break;
		if (k < out->nseries || split_type_id(p->type_id, f)) {
			pyro_remote_problem(b->r, "%s/%s: profile type %s left out (%s)", p->svc, names[i],
				    p->type_id, k < out->nseries ? "same directory name as another" :
				    "not name:type:unit:period_type:period_unit");
			continue;
		}
		rs = calloc(1, sizeof(*rs));
		se->points = calloc(p->npts, sizeof(*se->points));
		se->type = strdup(names[i]);
		se->sample_type = strdup(f[1]);
		se->sample_unit = strdup(f[2]);
		se->priv = rs;
		out->nseries++;         /* freed with the index from here on */
		if (!rs || !se->points || !se->type || !se->sample_type || !se->sample_unit) {
			rc = -ENOMEM;
			break;
		}
		se->kind = pyro_type_kind(names[i]);
		rs->type_id = p->type_id;
		rs->pts = p->pts;
		rs->service = p->svc;
		p->type_id = NULL;
		p->pts = NULL;
		se->npoints = p->npts;
		for (k = 0; k < se->npoints; k++) {
			se->points[k].time_nanos = (rs->pts[k].end_ms - b->r->o.step_ms) * 1000000;
			pyro_time_name(se->points[k].time_nanos, se->points[k].name);
			se->points[k].priv = &rs->pts[k];
		}
	}
	free(names);
	if (!rc)
		qsort(out->series, out->nseries, sizeof(*out->series), cmp_series);
	return rc;
}

/* The newest data time T of the tenant: GetProfileStats, else now. */
static int newest_data(struct build *b, int *any)
{
	Types__V1__GetProfileStatsRequest req = TYPES__V1__GET_PROFILE_STATS_REQUEST__INIT;
	Types__V1__GetProfileStatsResponse *resp = NULL;
	long status = 0;
	int rc;

	*any = 1;
	rc = pyro_remote_rpc(b->r, "GetProfileStats", &req.base,
		 &types__v1__get_profile_stats_response__descriptor,
		 (ProtobufCMessage **)&resp, NULL, &status, b->err);
	if (rc && (status == 404 || status == 501 || strstr(b->err, "unimplemented"))) {
		b->newest = pyro_remote_wall_ms();  /* an older server: look back from now */
		return 0;
	}
	if (rc)
		return rc;
	*any = resp->data_ingested;
	b->newest = resp->newest_profile_time ? resp->newest_profile_time : pyro_remote_wall_ms();
	types__v1__get_profile_stats_response__free_unpacked(resp, NULL);
	return 0;
}

/* Unique directory names for the services (sorted by real name): safe
 * names, "-2"... on a clash. */
static int name_services(struct pyro_index_service *v, char **real, size_t n)
{
	char base[PYRO_NAME_MAX], name[PYRO_NAME_MAX + 16];
	size_t i, j;
	int dup;

	for (i = 0; i < n; i++) {
		unsigned suffix = 1;

		pyro_safe_name(real[i], base);
		snprintf(name, sizeof(name), "%s", base);
		do {
			dup = 0;
			for (j = 0; j < i; j++)
				if (!strcmp(v[j].name, name))
					dup = 1;
			if (dup)
				snprintf(name, sizeof(name), "%s-%u", base, ++suffix);
		} while (dup);
		v[i].name = strdup(name);
		if (!v[i].name)
			return -ENOMEM;
	}
	return 0;
}

/* Every type id of b->pairs once, into *ids (borrowed strings). */
static int type_ids(struct build *b, const char ***ids, size_t *n)
{
	size_t i, j;

	*n = 0;
	*ids = calloc(b->npairs + 1, sizeof(**ids));
	if (!*ids)
		return -ENOMEM;
	for (i = 0; i < b->npairs; i++) {
		for (j = 0; j < *n; j++)
			if (!strcmp((*ids)[j], b->pairs[i].type_id))
				break;
		if (j == *n)
			(*ids)[(*n)++] = b->pairs[i].type_id;
	}
	return 0;
}

/* Query the points of every pair. */
static int list_points(struct build *b)
{
	const char **ids = NULL;
	size_t nids, i, q, k;
	int rc = type_ids(b, &ids, &nids);

	for (i = 0; !rc && i < nids; i++) {
		char name[PYRO_NAME_MAX];
		int gauge;

		rc = coarse_ends(b, ids[i]);
		for (q = 0; !rc && q < b->npairs; q++) {
			struct pair *p = &b->pairs[q];

			if (p->end == 0 || p->pts || strcmp(p->type_id, ids[i]))
				continue;
			/* The kind by the name this type gets in p's service. */
			for (k = q; k > 0 && b->pairs[k - 1].svc == p->svc; k--)
				;
			{
				size_t n = k;

				while (n < b->npairs && b->pairs[n].svc == p->svc)
					n++;
				pair_type_name(b, k, n - k, q - k, name);
			}
			gauge = pyro_type_kind(name) == PYRO_KIND_GAUGE;
			rc = fine_points(b, ids[i], gauge, p->end);
			/* Those the fine query found nothing for: no data. */
			for (k = 0; !rc && k < b->npairs; k++)
				if (!b->pairs[k].pts && b->pairs[k].end == p->end &&
				    !strcmp(b->pairs[k].type_id, ids[i]))
					b->pairs[k].end = 0;
		}
	}
	free(ids);
	return rc;
}

/* Sort the services by directory name, their real names alongside. */
static void sort_services(struct rindex *ri)
{
	size_t i, j, n = ri->ix.nservices;

	for (i = 1; i < n; i++)         /* few services: insertion sort */
		for (j = i; j > 0 && strcmp(ri->ix.services[j - 1].name,
					    ri->ix.services[j].name) > 0; j--) {
			struct pyro_index_service t = ri->ix.services[j];
			char *real = ri->svc_names[j];

			ri->ix.services[j] = ri->ix.services[j - 1];
			ri->svc_names[j] = ri->svc_names[j - 1];
			ri->ix.services[j - 1] = t;
			ri->svc_names[j - 1] = real;
		}
}

int pyro_remote_list(struct remote *r, struct rindex **out, char err[PYRO_ERR_MAX])
{
	struct build b = { .r = r };
	struct rindex *ri;
	size_t i, first;
	int rc, any;

	*out = NULL;
	ri = calloc(1, sizeof(*ri));
	if (!ri)
		return -ENOMEM;
	atomic_init(&ri->ix.refs, 1);
	ri->ix.destroy = pyro_remote_index_destroy;
	ri->ix.priv = r;
	rc = newest_data(&b, &any);
	if (rc || !any)
		goto out;
	b.w_end = b.newest + 1;
	b.w_start = b.newest - HORIZON_LOOKBACKS * r->o.lookback_ms;
	rc = list_series(&b);
	if (!rc)
		rc = list_keys(&b);
	if (!rc)
		rc = list_points(&b);
	if (!rc) {
		ri->ix.services = calloc(b.nsvcs + 1, sizeof(*ri->ix.services));
		ri->svc_names = calloc(b.nsvcs + 1, sizeof(*ri->svc_names));
		rc = ri->ix.services && ri->svc_names ? 0 : -ENOMEM;
	}
	for (i = 0, first = 0; !rc && i < b.nsvcs; i++) {
		struct pyro_index_service *svc = &ri->ix.services[ri->ix.nservices];
		size_t n = 0;

		while (first + n < b.npairs && b.pairs[first + n].svc == b.svcs[i])
			n++;
		rc = build_service(&b, first, n, svc);
		first += n;
		if (rc) {
			ri->ix.nservices++;     /* so that destroy frees it */
			break;
		}
		if (svc->nseries == 0) {
			free(svc->series);
			svc->series = NULL;
			continue;
		}
		ri->svc_names[ri->ix.nservices++] = b.svcs[i];
		b.svcs[i] = NULL;       /* the index owns it now */
	}
	if (!rc)
		rc = name_services(ri->ix.services, ri->svc_names, ri->ix.nservices);
	if (!rc)
		sort_services(ri);
	/* Parents and the real names, now that everything has its place. */
	for (i = 0; !rc && i < ri->ix.nservices; i++) {
		struct pyro_index_service *svc = &ri->ix.services[i];
		size_t k;

		svc->priv = ri->svc_names[i];
		for (k = 0; k < svc->nseries; k++) {
			const struct rpoint *last;

			svc->series[k].service = svc;
			last = &((struct rseries *)svc->series[k].priv)->pts[svc->series[k].npoints - 1];
			((struct rseries *)svc->series[k].priv)->service = ri->svc_names[i];
			if (last->end_ms > ri->newest_ms)
				ri->newest_ms = last->end_ms;
		}
	}
out:
	build_release(&b);
	if (rc) {
		snprintf(err, PYRO_ERR_MAX, "%s", rc == -ENOMEM ? "out of memory" : b.err);
		pyro_remote_index_destroy(&ri->ix);
		return rc;
	}
	*out = ri;
	return 0;
}

/* Whether two indexes list the same services, series and points. */
int pyro_remote_same_index(const struct pyro_index *a, const struct pyro_index *b)
{
	size_t i, j, k;

	if (a->nservices != b->nservices)
		return 0;
	for (i = 0; i < a->nservices; i++) {
		const struct pyro_index_service *sa = &a->services[i], *sb = &b->services[i];

		if (strcmp(sa->name, sb->name) || sa->nseries != sb->nseries)
			return 0;
		for (j = 0; j < sa->nseries; j++) {
			const struct pyro_index_series *xa = &sa->series[j], *xb = &sb->series[j];
			const struct rseries *ra = xa->priv, *rb = xb->priv;

			if (strcmp(xa->type, xb->type) || xa->npoints != xb->npoints ||
			    strcmp(ra->type_id, rb->type_id))
				return 0;
			for (k = 0; k < xa->npoints; k++)
				if (ra->pts[k].end_ms != rb->pts[k].end_ms ||
				    ra->pts[k].sum != rb->pts[k].sum ||
				    ra->pts[k].profiles != rb->pts[k].profiles)
					return 0;
		}
	}
	return 1;
}
