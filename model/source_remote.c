/*
 * source_remote.c - a Grafana Pyroscope server as a source of profiles
 * (issue 21): `pyrofs http://pyroscope:4040 /mnt/prof`.
 *
 * Everything comes from the server's public query API, querier.v1 over
 * Connect (remote_http.h), and nothing else is read.
 *
 * The index (built at open and again at most every -o refresh seconds),
 * in a number of queries that grows with the profile types, not with the
 * series (see "Listing" below):
 *   1. GetProfileStats: the newest data T of the tenant (a server without
 *      it: now).  Discovery looks at [T - 30 lookbacks, T].
 *   2. Series(label_names=[service_name, __profile_type__]): every service
 *      and its profile types "<name>:<sample type>:<unit>:<period type>:
 *      <period unit>", named by types.c's table exactly as local files: a
 *      header is made of the sample types sharing the profile name (so
 *      process_cpu's "samples" beside "cpu" stays "samples") and the
 *      profile name is the path (so mutex/block contentions are told
 *      apart).  Service directory names are made safe (pyro_safe_name).
 *   3. Per profile type, one coarse SelectSeries (step = lookback, grouped
 *      by service_name): where each service's data of that type ends.
 *   4. Per profile type and end, SelectSeries at -o step over the lookback
 *      ending there, grouped by service_name: the points (gauges: also the
 *      number of profiles per point, gauge_counts).
 * Pyroscope puts a profile at time t into the point at the first step
 * boundary T >= t (boundaries start + k*step; pyrofs aligns start to a
 * multiple of step), so a point at T holds (T - step, T] in milliseconds.
 * pyrofs names it by T - step, the step it covers as local snapshots are
 * named, and a run of points [first, last] is the span
 * [first.T - step + 1 ms, last.T + 1 ms), sent as start = first.T - step +
 * 1 ms, end = last.T: Pyroscope's storage keeps a profile when start <=
 * its time <= end (pkg/phlaredb: NewIntBetweenPredicate(start.UnixNano(),
 * end.UnixNano()) on TimeNanos, "[min,max] inclusive"), so end is
 * inclusive on the server and an end of last.T + 1 ms would also take a
 * profile stamped exactly 1 ms after the last point, which is the next
 * point's.
 *
 * Merges: one SelectMergeProfile per node, the server's per-stack sum as a
 * pprof profile, decoded and rendered by the same code as local files.
 * (SelectMergeStacktraces is not used: in the published v1 API it answers
 * flame graph levels or Pyroscope's tree, not pprof; see querier.proto.)
 * Rates and cumulative series are sums (the server cannot compute a
 * counter's increase).  Gauges (inuse_*, goroutines) under -o merge=auto
 * are divided, per stack, by the number of profiles in the span (rounded
 * half away from zero), which SelectSeries tells as SUM / AVERAGE per
 * point; Pyroscope stores one row per label set of a profile, so that is
 * asked grouped by every label key and the largest group's count is taken
 * (see gauge_counts).  Under -o merge=pprof everything is a plain sum.  A
 * baseline is ignored.  Answers are kept by query and content (struct
 * answers), so another name for the same span costs no query; those of
 * closed spans also on disk for the next mount (remote_disk.c).
 *
 * Labels: LabelNames over the span (minus __* and service_name) and, per
 * key, one SelectSeries grouped by it with one step over the span: each
 * value's total.  Only string labels exist on a server.
 *
 * The options and the URL live in remote_opts.c, the calls in
 * remote_call.c, the listing in remote_list.c; remote_source.h is what the
 * files share.
 *
 * Failures are recorded as problems ("api/cpu/all: SelectMergeProfile
 * [2026-11-26T04:40:06.001Z, ...): HTTP 503: unavailable: ...") and the
 * operation fails; a refresh that fails keeps the current index, so what
 * fs/ has cached keeps being served and a restarted server is picked up at
 * the next refresh.
 */
#include "remote_source.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "querier.pb-c.h"
#include "types.pb-c.h"

#define MAX_PROBLEMS 1000       /* newest kept */

/* ---- the source and its index ----------------------------------------- */

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t pyro_remote_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void pyro_remote_problem(struct remote *r, const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	if (!text)
		return;
	pthread_mutex_lock(&r->lock);
	for (i = 0; i < r->nproblems; i++)
		if (!strcmp(r->problems[i], text))
			break;
	if (i < r->nproblems) {
		free(text);     /* already listed */
	} else {
		free(r->problems[r->problem_next]);
		r->problems[r->problem_next] = text;
		r->problem_next = (r->problem_next + 1) % MAX_PROBLEMS;
		if (r->nproblems < MAX_PROBLEMS)
			r->nproblems++;
	}
	pthread_mutex_unlock(&r->lock);
}

/* "2026-11-26T04:40:06.001Z" */
static void fmt_ms(int64_t ms, char out[48])
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&s, &tm);
	snprintf(out, 48, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(ms % 1000));
}

/* ---- operations --------------------------------------------------------- */

static int remote_refresh(struct pyro_src *src, const struct pyro_index *cur,
			  struct pyro_index **next, char err[PYRO_ERR_MAX])
{
	struct remote *r = remote_of(src);
	struct rindex *ri;
	int64_t now = mono_ms();
	int rc;

	*next = NULL;
	if (cur && now - r->built_ms < r->o.refresh_ms)
		return 0;
	r->built_ms = now;
	rc = pyro_remote_list(r, &ri, err);
	atomic_fetch_add(&r->builds, 1);
	if (rc) {
		pyro_remote_problem(r, ".: listing the server failed, still serving the last listing: %s", err);
		return rc;
	}
	if (cur && pyro_remote_same_index(cur, &ri->ix)) {
		pyro_remote_index_destroy(&ri->ix);
		return 0;
	}
	*next = &ri->ix;
	return 1;
}

static const struct rpoint *rpoint_of(const struct pyro_index_series *se, size_t i)
{
	return se->points[i].priv;
}

/* The merge query's [start, end) of a span, in ms. */
static void span_range(const struct remote *r, const struct pyro_index_series *se,
		       const struct pyro_span *sp, int64_t *start, int64_t *end)
{
	*start = rpoint_of(se, sp->first)->end_ms - r->o.step_ms + 1;
	*end = rpoint_of(se, sp->first + sp->count - 1)->end_ms + 1;
}

/* Profiles in a span, as SUM / AVERAGE per point tells (gauges only; 0 if
 * unknown). */
static int64_t span_profiles(const struct pyro_index_series *se, const struct pyro_span *sp)
{
	int64_t n = 0;
	size_t i;

	for (i = sp->first; i < sp->first + sp->count; i++) {
		const struct rpoint *p = rpoint_of(se, i);

		if (p->profiles == 0)
			return 0;
		n += p->profiles;
	}
	return n;
}

/* Whether span sp's stacks are divided by its number of profiles. */
static int64_t gauge_divisor(const struct remote *r, const struct pyro_index_series *se,
			     const struct pyro_span *sp)
{
	if (r->policy != PYRO_POLICY_AUTO || se->kind != PYRO_KIND_GAUGE)
		return 1;
	return span_profiles(se, sp) > 1 ? span_profiles(se, sp) : 1;
}

static int64_t div_round(int64_t v, int64_t d)
{
	int64_t q = v / d, rem = v % d;

	if (2 * (rem < 0 ? -rem : rem) >= d)
		q += v < 0 ? -1 : 1;
	return q;
}

/* Replace "Method: reason" by "Method [from, to): reason" in err. */
static void with_span(char err[PYRO_ERR_MAX], const char *method, int64_t start, int64_t end)
{
	char a[48], b[48], tmp[PYRO_ERR_MAX];
	size_t ml = strlen(method);
	const char *rest = err;

	if (!strncmp(err, method, ml) && !strncmp(err + ml, ": ", 2))
		rest = err + ml + 2;
	fmt_ms(start, a);
	fmt_ms(end, b);
	snprintf(tmp, sizeof(tmp), "%s [%s, %s): %s", method, a, b, rest);
	memcpy(err, tmp, PYRO_ERR_MAX);
}

static void remote_ident(struct pyro_src *src, const struct pyro_index *ix,
			 const struct pyro_index_series *se, const struct pyro_span *sp,
			 uint64_t *h, int *open);

/* SelectMergeProfile's answer bytes for req, from the answers kept or the
 * server. */
static int merge_query(struct remote *r, const struct pyro_index *ix,
		       const struct pyro_index_series *se, const struct pyro_span *sp,
		       const Querier__V1__SelectMergeProfileRequest *req,
		       struct pyro_buf *ans, char err[PYRO_ERR_MAX])
{
	size_t len = protobuf_c_message_get_packed_size(&req->base);
	uint8_t *buf = malloc(len ? len : 1);
	uint64_t ident = 1469598103934665603ull;
	int open, rc;

	if (!buf) {
		snprintf(err, PYRO_ERR_MAX, "SelectMergeProfile: out of memory");
		return -ENOMEM;
	}
	protobuf_c_message_pack(&req->base, buf);
	remote_ident(&r->src, ix, se, sp, &ident, &open);
	rc = pyro_remote_answers_get(&r->answers, ident, buf, len, ans);
	if (rc && !open && r->disk_dir &&
	    !pyro_remote_disk_get(r->disk_dir, ident, buf, len, r->max_size, ans)) {
		atomic_fetch_add(&r->disk_hits, 1);
		pyro_remote_answers_put(&r->answers, ident, buf, len, ans);
		rc = 0;
	}
	if (rc) {
		atomic_fetch_add(&r->merges, 1);
		rc = pyro_http_call(r->http, "SelectMergeProfile", buf, len, ans, NULL, err);
		if (!rc)
			pyro_remote_answers_put(&r->answers, ident, buf, len, ans);
		if (!rc && !open && r->disk_dir)
			pyro_remote_disk_put(r->disk_dir, ident, buf, len, ans);
	}
	free(buf);
	return rc;
}

static int set_meta_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? strdup(v) : NULL;
	return v && !*dst ? -ENOMEM : 0;
}

static int remote_stacks(struct pyro_src *src, const struct pyro_index *ix,
			 const struct pyro_index_series *se, const struct pyro_span *sp,
			 const char *span_name, const struct pyro_merge_filter *f,
			 struct pyro_stacks *out, char err[PYRO_ERR_MAX])
{
	struct remote *r = remote_of(src);
	const struct rseries *rs = se->priv;
	Querier__V1__SelectMergeProfileRequest req = QUERIER__V1__SELECT_MERGE_PROFILE_REQUEST__INIT;
	struct pyro_buf sel = PYRO_BUF_INIT, ans = PYRO_BUF_INIT, ftext = PYRO_BUF_INIT;
	struct pyro_profile *p = NULL;
	int64_t start, end, div = gauge_divisor(r, se, sp);
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	span_range(r, se, sp, &start, &end);
	rc = pyro_remote_selector(r, rs->service, f ? f->key : NULL, f ? f->key_len : 0,
		      f ? f->value : NULL, f ? f->value_len : 0, &sel);
	if (rc) {
		snprintf(err, PYRO_ERR_MAX, "out of memory");
		goto out;
	}
	req.profile_typeid = rs->type_id;
	req.label_selector = sel.data;
	req.start = start;
	req.end = end - 1;      /* the server's end is inclusive (see top) */
	req.max_nodes = r->o.max_nodes;
	rc = merge_query(r, ix, se, sp, &req, &ans, err);
	if (!rc && ans.len > 0) {
		rc = pyro_profile_decode(ans.data, ans.len, &p, err);
		if (rc)
			snprintf(err, PYRO_ERR_MAX, "SelectMergeProfile: undecodable answer");
	}
	if (rc) {
		with_span(err, "SelectMergeProfile", start, end);
		pyro_remote_problem(r, "%s/%s/%s%s%s: %s", se->service->name, se->type, span_name,
			    f ? " label " : "", f ? f->key : "", err);
		goto out;
	}
	if (p && pyro_profile_ntypes(p) > 0) {
		rc = pyro_profile_stacks(p, 0, out, err);
	} else {
		rc = pyro_stacks_init(out);     /* nothing in the span */
		if (rc)
			snprintf(err, PYRO_ERR_MAX, "out of memory");
	}
	if (rc)
		goto out;
	for (i = 0; div > 1 && i < out->nstacks; i++)
		out->stacks[i].value = div_round(out->stacks[i].value, div);
	rc = set_meta_str(&out->meta.service, se->service->name);
	if (!rc)
		rc = set_meta_str(&out->meta.type, se->type);
	if (!rc)
		rc = set_meta_str(&out->meta.span, span_name);
	if (!rc)
		rc = set_meta_str(&out->meta.sample_type, se->sample_type);
	if (!rc)
		rc = set_meta_str(&out->meta.sample_unit, se->sample_unit);
	out->meta.time_nanos = se->points[sp->first].time_nanos;
	out->meta.newest_nanos = se->points[sp->first + sp->count - 1].time_nanos;
	out->meta.duration_nanos = (end - start) * 1000000;
	out->meta.rule = div > 1 ? PYRO_MERGE_MEAN : PYRO_MERGE_SERVER_SUM;
	out->meta.nsnapshots = div > 1 ? (unsigned)div : (unsigned)sp->count;
	if (!rc && f) {
		rc = pyro_buf_printf(&ftext, "%.*s=%.*s", (int)f->key_len, f->key,
				     (int)f->value_len, f->value);
		if (!rc)
			rc = set_meta_str(&out->meta.filter, ftext.data);
		if (!rc)
			rc = set_meta_str(&out->meta.filter_unit, f->unit);
		out->meta.whole_total = f->whole_total;
	}
	if (rc)
		snprintf(err, PYRO_ERR_MAX, "out of memory");
out:
	pyro_profile_free(p);
	pyro_buf_release(&sel);
	pyro_buf_release(&ans);
	pyro_buf_release(&ftext);
	return rc;
}

/* LabelNames of the span, without __* and service_name. */
static int label_keys(struct remote *r, const char *sel, int64_t start, int64_t end,
		      Types__V1__LabelNamesResponse **resp, char err[PYRO_ERR_MAX])
{
	Types__V1__LabelNamesRequest req = TYPES__V1__LABEL_NAMES_REQUEST__INIT;
	char *m[] = { (char *)sel };

	req.matchers = m;
	req.n_matchers = 1;
	req.start = start;
	req.end = end;
	return pyro_remote_rpc(r, "LabelNames", &req.base, &types__v1__label_names_response__descriptor,
		   (ProtobufCMessage **)resp, NULL, NULL, err);
}

static int remote_labels(struct pyro_src *src, const struct pyro_index *ix,
			 const struct pyro_index_series *se, const struct pyro_span *sp,
			 enum pyro_merge_rule rule, struct pyro_label_set *out,
			 char err[PYRO_ERR_MAX])
{
	struct remote *r = remote_of(src);
	const struct rseries *rs = se->priv;
	Types__V1__LabelNamesResponse *names = NULL;
	struct pyro_buf sel = PYRO_BUF_INIT;
	int64_t start, end, div = rule == PYRO_MERGE_MEAN ? gauge_divisor(r, se, sp) : 1;
	uint64_t sample = 0;
	int total_done = 0;
	size_t i, j, k;
	int rc;

	rc = pyro_label_set_init(out, se->sample_type, se->sample_unit);
	if (!rc)
		rc = pyro_remote_selector(r, rs->service, NULL, 0, NULL, 0, &sel);
	if (rc) {
		snprintf(err, PYRO_ERR_MAX, "out of memory");
		return rc;
	}
	span_range(r, se, sp, &start, &end);
	rc = label_keys(r, sel.data, start, end - 1, &names, err);
	/* One SelectSeries per key, grouped by it, one step over the span;
	 * a last one without a key when there is none, for the total. */
	for (i = 0; !rc && i <= names->n_names; i++) {
		const char *key = i < names->n_names ? names->names[i] : NULL;
		Querier__V1__SelectSeriesResponse *resp = NULL;
		char *group[1] = { (char *)key };

		if (key && (!strncmp(key, "__", 2) || !strcmp(key, "service_name")))
			continue;
		if (!key && total_done)
			break;
		rc = pyro_remote_select_series(r, rs->type_id, sel.data, start, end - 1,
				   end - 1 - start > 0 ? end - 1 - start : 1, 0, group,
				   key ? 1 : 0, &resp, err);
		for (j = 0; !rc && j < resp->n_series; j++) {
			const Types__V1__Series *s = resp->series[j];
			const char *value = NULL;
			double v = 0;

			for (k = 0; k < s->n_points; k++)
				v += s->points[k]->value;
			for (k = 0; key && k < s->n_labels; k++)
				if (!strcmp(s->labels[k]->name, key))
					value = s->labels[k]->value;
			v = (double)div_round(llround(v), div);
			if (!total_done)
				rc = pyro_label_set_sample(out, (int64_t)v);
			if (!rc && value)
				rc = pyro_label_set_add(out, key, strlen(key), value,
							strlen(value), PYRO_LABEL_STRING, 0,
							NULL, 0, (int64_t)v, ++sample);
		}
		if (resp)
			querier__v1__select_series_response__free_unpacked(resp, NULL);
		total_done = 1;
	}
	if (rc && rc != -ENOMEM) {
		with_span(err, strncmp(err, "LabelNames", 10) ? "SelectSeries" : "LabelNames",
			  start, end);
		pyro_remote_problem(r, "%s/%s: labels: %s", se->service->name, se->type, err);
	}
	if (!rc) {
		out->nsnapshots = (unsigned)sp->count;
		rc = pyro_label_set_finish(out);
	}
	if (names)
		types__v1__label_names_response__free_unpacked(names, NULL);
	pyro_buf_release(&sel);
	return rc;
}

/*
 * History: a timeline row per point from the index (no query), and for
 * growth.txt the stacks of at most growth_points points, evenly spaced
 * (the first and the last always), one merge query each.
 */
static int history_of(struct pyro_src *src, const struct pyro_index *ix,
		      const struct pyro_index_series *se, int fold,
		      struct pyro_history *out, char err[PYRO_ERR_MAX])
{
	struct remote *r = remote_of(src);
	struct pyro_history_builder *hb = NULL;
	size_t i, n = se->npoints, g = fold ? r->o.growth_points : 0, k, prev = SIZE_MAX;
	int rc;

	rc = pyro_history_begin(out, se->service->name, se->type, se->sample_type,
				se->sample_unit, n, &hb);
	/* Totals: SUM per point; for gauges the mean profile's (SUM over the
	 * number of profiles; see gauge_counts). */
	for (i = 0; !rc && i < n; i++) {
		const struct rpoint *p = rpoint_of(se, i);

		rc = pyro_history_point(out, hb, se->points[i].time_nanos, se->points[i].name,
					se->kind == PYRO_KIND_GAUGE && p->profiles > 1 ?
					div_round(llround(p->sum), p->profiles) :
					llround(p->sum));
	}
	if (rc) {
		snprintf(err, PYRO_ERR_MAX, "out of memory");
		goto out;
	}
	for (k = 0; k < (n < g ? n : g); k++) {
		struct pyro_span sp = { PYRO_SPAN_SNAPSHOT, 0, 1, 0 };
		struct pyro_stacks st;

		sp.first = n <= g ? k : (size_t)llround((double)k * (double)(n - 1) / (double)(g - 1));
		if (sp.first == prev)
			continue;
		prev = sp.first;
		rc = remote_stacks(src, ix, se, &sp, se->points[sp.first].name, NULL, &st, err);
		if (!rc)
			rc = pyro_history_fold(out, hb, sp.first, &st);
		pyro_stacks_release(&st);      /* moved in: a no-op unless it failed */
		if (rc)
			goto out;
	}
out:
	if (pyro_history_end(out, hb) && !rc) {
		snprintf(err, PYRO_ERR_MAX, "out of memory");
		rc = -ENOMEM;
	}
	return rc;
}

static int remote_history(struct pyro_src *src, const struct pyro_index *ix,
			  const struct pyro_index_series *se, struct pyro_history *out,
			  char err[PYRO_ERR_MAX])
{
	return history_of(src, ix, se, 1, out, err);
}

/* The timeline rows only: no query at all (the points are the index's). */
static int remote_history_totals(struct pyro_src *src, const struct pyro_index *ix,
				 const struct pyro_index_series *se,
				 struct pyro_history *out, char err[PYRO_ERR_MAX])
{
	return history_of(src, ix, se, 0, out, err);
}

static void remote_ident(struct pyro_src *src, const struct pyro_index *ix,
			 const struct pyro_index_series *se, const struct pyro_span *sp,
			 uint64_t *h, int *open)
{
	struct remote *r = remote_of(src);
	const struct rseries *rs = se->priv;
	int64_t start, end, newest = rpoint_of(se, se->npoints - 1)->end_ms;
	uint64_t x = 1469598103934665603ull;
	size_t i;

	span_range(r, se, sp, &start, &end);
	x = pyro_remote_fnv(x, rs->service, strlen(rs->service) + 1);
	x = pyro_remote_fnv(x, rs->type_id, strlen(rs->type_id) + 1);
	if (r->o.selector)
		x = pyro_remote_fnv(x, r->o.selector, strlen(r->o.selector) + 1);
	*h = pyro_ident_mix(*h, x);
	*h = pyro_ident_mix(*h, (uint64_t)start);
	*h = pyro_ident_mix(*h, (uint64_t)end);
	*h = pyro_ident_mix(*h, (uint64_t)r->policy);
	/* What the server said the span holds: new data there is a new
	 * identity at the next listing. */
	for (i = sp->first; i < sp->first + sp->count; i++) {
		const struct rpoint *p = rpoint_of(se, i);
		uint64_t bits;

		memcpy(&bits, &p->sum, sizeof(bits));
		*h = pyro_ident_mix(*h, bits);
		*h = pyro_ident_mix(*h, (uint64_t)p->profiles);
	}
	/* A span ending within `refresh` of the newest data may still grow
	 * in ways the listing does not show: a new identity each period. */
	*open = newest - (end - 1) <= r->o.refresh_ms;
	if (*open)
		*h = pyro_ident_mix(*h, (uint64_t)(r->o.refresh_ms > 0 ?
						   pyro_remote_wall_ms() / r->o.refresh_ms : pyro_remote_wall_ms()));
}

static int remote_sources(struct pyro_src *src, const struct pyro_index *ix,
			  const struct pyro_index_series *se, const struct pyro_span *sp,
			  struct pyro_buf *out)
{
	struct remote *r = remote_of(src);
	const struct rseries *rs = se->priv;
	struct pyro_buf sel = PYRO_BUF_INIT;
	int64_t start, end;
	int rc;

	span_range(r, se, sp, &start, &end);
	rc = pyro_remote_selector(r, rs->service, NULL, 0, NULL, 0, &sel);
	if (!rc)
		rc = pyro_buf_printf(out, "%s/querier.v1.QuerierService/SelectMergeProfile "
				     "profile_typeID=%s label_selector=%s start=%lld end=%lld",
				     src->name, rs->type_id, sel.data, (long long)start,
				     (long long)end);
	pyro_buf_release(&sel);
	return rc;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int remote_problems(struct pyro_src *src, const struct pyro_index *ix,
			   struct pyro_buf *out)
{
	struct remote *r = remote_of(src);
	char **v;
	size_t i, n;
	int rc = 0;

	pthread_mutex_lock(&r->lock);
	n = r->nproblems;
	v = malloc((n ? n : 1) * sizeof(*v));
	for (i = 0; v && i < n; i++) {
		v[i] = strdup(r->problems[i]);
		if (!v[i])
			rc = -ENOMEM;
	}
	pthread_mutex_unlock(&r->lock);
	if (!v)
		return -ENOMEM;
	qsort(v, n, sizeof(*v), cmp_cstr);
	for (i = 0; i < n; i++) {
		if (!rc && v[i])
			rc = pyro_buf_printf(out, "%s\n", v[i]);
		free(v[i]);
	}
	free(v);
	return rc;
}

/* A problem fs/ found under node path `what`; replaces an earlier one of
 * the same `what`. */
static int remote_problem(struct pyro_src *src, const struct pyro_index *ix,
			  const char *what, const char *reason)
{
	struct remote *r = remote_of(src);
	size_t i, wl = strlen(what);
	char *text = NULL;

	if (asprintf(&text, "%s: %s", what, reason) < 0)
		return -ENOMEM;
	pthread_mutex_lock(&r->lock);
	for (i = 0; i < r->nproblems; i++)
		if (!strncmp(r->problems[i], what, wl) && !strncmp(r->problems[i] + wl, ": ", 2))
			break;
	if (i < r->nproblems) {
		free(r->problems[i]);
		r->problems[i] = text;
		text = NULL;
	}
	pthread_mutex_unlock(&r->lock);
	if (text) {
		pyro_remote_problem(r, "%s", text);
		free(text);
	}
	return 0;
}

static int remote_stats(struct pyro_src *src, struct pyro_buf *out)
{
	struct remote *r = remote_of(src);
	struct pyro_http_stats s;

	pyro_http_get_stats(r->http, &s);
	return pyro_buf_printf(out,
			       "queries_sent %llu\n"
			       "queries_coalesced %llu\n"
			       "query_failures %llu\n"
			       "bytes_received %llu\n"
			       "max_queries_in_flight %u\n"
			       "merge_queries %llu\n"
			       "merge_answers_reused %llu\n"
			       "merge_answers_from_disk %llu\n"
			       "listings %llu\n",
			       (unsigned long long)s.sent, (unsigned long long)s.coalesced,
			       (unsigned long long)s.failed, (unsigned long long)s.bytes,
			       s.max_in_flight, (unsigned long long)atomic_load(&r->merges),
			       (unsigned long long)atomic_load(&r->answers.hits),
			       (unsigned long long)atomic_load(&r->disk_hits),
			       (unsigned long long)atomic_load(&r->builds));
}

static void remote_close(struct pyro_src *src)
{
	struct remote *r = remote_of(src);
	size_t i;

	if (!r)
		return;
	pyro_http_free(r->http);
	for (i = 0; i < r->nproblems; i++)
		free(r->problems[i]);
	free(r->problems);
	pthread_mutex_destroy(&r->lock);
	pyro_remote_answers_release(&r->answers);
	pyro_remote_opts_release(&r->o);
	free(r->disk_dir);
	free(r->src.name);
	free(r);
}

static const struct pyro_src_ops remote_ops = {
	.refresh = remote_refresh,
	.stacks = remote_stacks,
	.labels = remote_labels,
	.history = remote_history,
	.history_totals = remote_history_totals,
	.ident = remote_ident,
	.sources = remote_sources,
	.problems = remote_problems,
	.problem = remote_problem,
	.stats = remote_stats,
	.close = remote_close,
};

/* ---- opening ---------------------------------------------------------- */

/* The one-line reason a mount fails with. */
static void open_failure(const struct remote *r, int rc, const char *why,
			 char err[PYRO_ERR_MAX])
{
	const char *p = strstr(why, "HTTP 40");

	if (rc == -EACCES && p) {
		long status = strtol(p + 5, NULL, 10);
		const char *hint = strstr(why, "org id") ? "-o tenant" :
				   status == 403 ? "-o tenant and -o auth_file" : "-o auth_file";

		snprintf(err, PYRO_ERR_MAX, "%s: %ld %s (check %s)", r->src.name, status,
			 pyro_http_reason(status), hint);
	} else {
		snprintf(err, PYRO_ERR_MAX, "%.100s: %.150s", r->src.name, why);
	}
}

static int remote_open(const char *spec, const struct pyro_src_conf *conf,
		       struct pyro_src **out, struct pyro_index **first,
		       char err[PYRO_ERR_MAX])
{
	struct pyro_http_conf hc = { 0 };
	struct remote *r;
	struct rindex *ri = NULL;
	char *auth = NULL, why[PYRO_ERR_MAX];
	size_t i, n;
	int rc = 0;

	*out = NULL;
	*first = NULL;
	rc = pyro_remote_check(spec, err);
	if (rc)
		return rc;
	r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, PYRO_ERR_MAX, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&r->lock, NULL);
	pthread_mutex_init(&r->answers.lock, NULL);
	r->src.ops = &remote_ops;
	r->src.priv = r;
	pyro_remote_opts_defaults(&r->o);
	r->policy = conf->merge;
	r->max_size = conf->max_profile_size;
	r->problems = calloc(MAX_PROBLEMS, sizeof(*r->problems));
	r->src.name = strdup(spec);
	if (!r->problems || !r->src.name) {
		snprintf(err, PYRO_ERR_MAX, "out of memory");
		rc = -ENOMEM;
		goto fail;
	}
	for (n = strlen(r->src.name); n > 0 && r->src.name[n - 1] == '/'; n--)
		r->src.name[n - 1] = '\0';
	for (i = 0; i < conf->nopts; i++) {
		rc = pyro_remote_opts_apply(&r->o, conf->opts[i], err);
		if (rc == 1) {
			snprintf(err, PYRO_ERR_MAX, "option %s is not one of a Pyroscope URL's",
				 conf->opts[i]);
			rc = -EINVAL;
		}
		if (rc)
			goto fail;
	}
	{
		char dir[PATH_MAX];

		if (!pyro_remote_disk_dir(r->src.name, r->o.tenant, r->o.selector, dir))
			r->disk_dir = strdup(dir);      /* NULL: no disk cache */
	}
	if (r->o.auth_file) {
		rc = pyro_http_auth_file(r->o.auth_file, &auth, err);
		if (rc)
			goto fail;
	}
	hc.url = r->src.name;
	hc.tenant = r->o.tenant;
	hc.auth = auth;
	hc.ca_file = r->o.ca_file;
	hc.timeout_ms = r->o.timeout_ms;
	hc.max_queries = r->o.max_queries;
	hc.qps = r->o.qps;
	hc.max_size = conf->max_profile_size;
	rc = pyro_http_new(&hc, &r->http, err);
	if (auth) {
		explicit_bzero(auth, strlen(auth));
		free(auth);
	}
	if (rc)
		goto fail;
	r->built_ms = mono_ms();
	rc = pyro_remote_list(r, &ri, why);
	atomic_fetch_add(&r->builds, 1);
	if (rc) {
		open_failure(r, rc, why, err);
		goto fail;
	}
	*out = &r->src;
	*first = &ri->ix;
	return 0;
fail:
	remote_close(&r->src);
	return rc;
}

const struct pyro_src_kind pyro_src_pyroscope = {
	.name = "pyroscope",
	.match = pyro_remote_match,
	.check = pyro_remote_check,
	.opt = pyro_remote_opt,
	.help =
	"    -o tenant=ID           X-Scope-OrgID of every query\n"
	"    -o auth_file=PATH      credentials: first line user:password (basic)\n"
	"                           or a token (bearer); mode 600 or stricter\n"
	"    -o ca_file=PATH        PEM file of the CAs an https:// server's\n"
	"                           certificate is checked against (default: the\n"
	"                           system's)\n"
	"    -o selector={k=\"v\"}    extra label matchers on every query\n"
	"    -o step=DURATION       time between snapshot points (default 1m)\n"
	"    -o lookback=DURATION   how far back points go, ending at each series'\n"
	"                           newest data (default 24h)\n"
	"    -o timeout=DURATION    per query (default 30s)\n"
	"    -o refresh=DURATION    how often the server is listed again and open\n"
	"                           spans fetched again (default 10s)\n"
	"    -o max_nodes=N         ask the server to keep the N biggest nodes\n"
	"    -o max_queries=N       queries in flight at once (default 4)\n"
	"    -o qps=N               queries started per second, at most (default: no limit)\n"
	"    -o growth_points=N     merges growth.txt reads, evenly spaced (default 24)\n",
	.open = remote_open,
};
