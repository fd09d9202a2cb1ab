/*
 * remote_source.h - what source_remote.c (operations, opening),
 * remote_opts.c (options and the URL), remote_call.c (the calls) and
 * remote_list.c (listing a server into an index) share.
 * Internal to the Pyroscope source: fs/ sees only model/source.h and the
 * pyro_src_pyroscope row.
 *
 * Ownership: a struct remote owns its options, client, problems and kept
 * answers; a struct rindex owns everything its index points to (freed by
 * pyro_remote_index_destroy, the index's destroy).
 * Errors: 0 or a negative errno, with a one-line reason in err.
 */
#ifndef PYRO_REMOTE_SOURCE_H
#define PYRO_REMOTE_SOURCE_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "buf.h"
#include "remote_http.h"
#include "source.h"

#include "querier.pb-c.h"

/* The -o options of a Pyroscope mount (see pyro_src_pyroscope.help). */
struct ropts {
	char *tenant;
	char *auth_file;
	char *ca_file;          /* -o ca_file: PEM CAs for https, or NULL */
	char *selector;         /* inner matchers without braces, or NULL */
	int64_t step_ms;
	int64_t lookback_ms;
	long timeout_ms;
	int64_t refresh_ms;
	int64_t max_nodes;      /* 0: no limit */
	unsigned max_queries;
	double qps;
	unsigned growth_points;
};

/* A point of a series: the step (end_ms - step, end_ms]. */
struct rpoint {
	int64_t end_ms;
	double sum;             /* SUM of the profiles' totals */
	int64_t profiles;       /* gauges: profiles in the step (see
				 * gauge_counts), else 0 */
};

struct rseries {
	char *type_id;          /* __profile_type__ */
	const char *service;    /* the service's real name (its rservice's) */
	struct rpoint *pts;     /* parallel to the series' points */
};

struct rindex {
	struct pyro_index ix;   /* first: fs/ sees only this */
	char **svc_names;       /* real service names, per service */
	int64_t newest_ms;      /* end of the newest point of any series */
};

/*
 * Merge answers already received, keyed by the request's bytes and the
 * span's content identity (remote_ident: the points' figures), so another
 * name for the same span (`all` and its only hour window, `latest` and the
 * newest snapshot) and a second reader after fs/'s cache let go cost no
 * query; new data in a span changes its identity at the next refresh.
 * Bounded by ANSWER_BYTES, least recently used out first.
 */
#define ANSWER_BYTES (32u << 20)

struct answer {
	uint64_t ident;
	void *req;              /* owned packed request */
	size_t req_len;
	struct pyro_buf bytes;  /* the answer */
	uint64_t used;          /* tick of the last use */
};

struct answers {
	pthread_mutex_t lock;   /* guards everything here; never held over I/O */
	struct answer *v;
	size_t n, cap;
	size_t bytes;
	uint64_t tick;
	atomic_uint_least64_t hits;
};

/* The answer to the packed request req[0..len) with content identity
 * ident, appended to out: 0, or -ENOENT when not kept (or -ENOMEM). */
int pyro_remote_answers_get(struct answers *c, uint64_t ident, const void *req,
			    size_t len, struct pyro_buf *out);
/* Keep a copy of ans for (ident, req); silently nothing without memory or
 * for an answer over a quarter of the bound. */
void pyro_remote_answers_put(struct answers *c, uint64_t ident, const void *req,
			     size_t len, const struct pyro_buf *ans);
/* Free every answer and the lock (the struct itself is the caller's). */
void pyro_remote_answers_release(struct answers *c);

struct remote {
	struct pyro_src src;    /* first: handed to fs/ */
	struct ropts o;
	enum pyro_merge_policy policy;
	size_t max_size;
	struct pyro_http *http;
	int64_t built_ms;       /* monotonic time of the last index build;
				 * only refresh (never concurrent) uses it */
	pthread_mutex_t lock;   /* guards problems */
	char **problems;        /* ring of the newest MAX_PROBLEMS */
	size_t nproblems, problem_next;
	atomic_uint_least64_t builds, merges;
	struct answers answers; /* merge answers by query and content */
	char *disk_dir;         /* closed spans' answers on disk, or NULL
				 * (remote_disk.c) */
	atomic_uint_least64_t disk_hits;
};

/* The remote source of src (its first member). */
static inline struct remote *remote_of(struct pyro_src *src)
{
	return (struct remote *)src;
}

/* ---- remote_opts.c: the -o options and the URL ---------------------- */

/* o's defaults (o is overwritten: nothing is freed). */
void pyro_remote_opts_defaults(struct ropts *o);
/* Free what o owns and clear it. */
void pyro_remote_opts_release(struct ropts *o);
/* Apply "key=value" to o: 0, 1 for a key not ours, -EINVAL with err
 * (o owns the strings it gets). */
int pyro_remote_opts_apply(struct ropts *o, const char *kv, char err[PYRO_ERR_MAX]);
/* pyro_src_pyroscope.opt: whether kv is a valid option of ours. */
int pyro_remote_opt(const char *kv, char err[PYRO_ERR_MAX]);
/* pyro_src_pyroscope.match: 1 for an http:// or https:// spec. */
int pyro_remote_match(const char *spec);
/* pyro_src_pyroscope.check: spec's syntax, before anything is asked. */
int pyro_remote_check(const char *spec, char err[PYRO_ERR_MAX]);

/* ---- shared by the files ------------------------------------------------ */

/* Add "text" to the problems (an identical line is listed once). */
void pyro_remote_problem(struct remote *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* FNV-1a (64 bits) of p[0..n) continued from h: the source's identities
 * and the disk cache's names. */
static inline uint64_t pyro_remote_fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ c[i]) * 1099511628211ull;
	return h;
}

/* Unix time now, in ms. */
int64_t pyro_remote_wall_ms(void);

/* Pack req, call method, unpack the answer as resp_desc (then *resp is
 * the caller's: protobuf_c_message_free_unpacked) or, with resp_desc
 * NULL, append the raw answer to *raw.  *status (may be NULL) gets the
 * HTTP status. */
int pyro_remote_rpc(struct remote *r, const char *method, const ProtobufCMessage *req,
		    const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **resp,
		    struct pyro_buf *raw, long *status, char err[PYRO_ERR_MAX]);

/* The label selector {service_name="svc", <-o selector>, key="value"},
 * appended to out; svc and key may be NULL. */
int pyro_remote_selector(const struct remote *r, const char *svc, const char *key,
			 size_t key_len, const char *value, size_t value_len,
			 struct pyro_buf *out);

/* SelectSeries of type_id over [start, end] ms at step_ms, SUM or AVERAGE,
 * grouped by group_by; *resp is the caller's. */
int pyro_remote_select_series(struct remote *r, const char *type_id, const char *sel,
			      int64_t start, int64_t end, int64_t step_ms, int average,
			      char **group_by, size_t ngroup,
			      Querier__V1__SelectSeriesResponse **resp,
			      char err[PYRO_ERR_MAX]);

/* List the server into a new index (*out, one reference). */
int pyro_remote_list(struct remote *r, struct rindex **out, char err[PYRO_ERR_MAX]);

/* Whether two of our indexes list the same services, series and points. */
int pyro_remote_same_index(const struct pyro_index *a, const struct pyro_index *b);

/* The indexes' destroy. */
void pyro_remote_index_destroy(struct pyro_index *ix);

/* ---- remote_disk.c: closed spans' answers kept between mounts ---------- */

#define PYRO_REMOTE_DISK_BYTES (256u << 20)     /* per server, at most */
#define PYRO_REMOTE_DISK_TMP_AGE 86400          /* s: a .tmp-* older is left over */

/* The directory for url, tenant and selector (may be NULL) into out; -ENOENT
 * when the cache is off (PYROFS_INDEX_CACHE=0) or has no home. */
int pyro_remote_disk_dir(const char *url, const char *tenant, const char *selector,
			 char out[PATH_MAX]);

/* Append the kept answer of (ident, req) to out: 0, or -ENOENT (a miss,
 * whatever the reason). */
int pyro_remote_disk_get(const char *dir, uint64_t ident, const void *req, size_t len,
			 size_t max_size, struct pyro_buf *out);

/* Keep ans as the answer of (ident, req); failures are silent. */
void pyro_remote_disk_put(const char *dir, uint64_t ident, const void *req, size_t len,
			  const struct pyro_buf *ans);

#endif
