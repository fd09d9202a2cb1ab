/*
 * remote_http.h - unary Connect calls to a Pyroscope server over HTTP(S).
 *
 * The remote source (issue 21) asks a Grafana Pyroscope server's query API,
 * querier.v1.QuerierService, over the Connect protocol: every call is one
 * POST of a protobuf message to URL/querier.v1.QuerierService/<Method> with
 * Content-Type application/proto, answered by a protobuf message (HTTP 200)
 * or a Connect error: an HTTP status and a JSON body {"code": ...,
 * "message": ...}.  This module sends such calls with libcurl and knows
 * nothing of the messages inside (the caller packs and unpacks them).
 *
 * One pyro_http serves every FUSE thread at once:
 *   - connections are kept alive and reused across threads (a curl share
 *     handle holds the connection cache, DNS and TLS sessions);
 *   - at most max_queries calls are on the wire at once, whatever the
 *     number of threads; a call waits for a place, and its timeout runs
 *     only once it has one;
 *   - with qps > 0, calls start at most qps per second (evenly spaced);
 *   - identical calls in flight are coalesced: a call whose method and
 *     request bytes equal those of one already on the wire waits for that
 *     one's answer and gets a copy, sending nothing;
 *   - nothing is held locked while a call is on the wire, so one slow call
 *     never blocks another thread (only the cap does, by design).
 * TLS, https_proxy/no_proxy and gzip answers are libcurl's.  The server's
 * certificate and host name are always verified (against ca_file, else the
 * system's CAs); there is no switch to turn that off.  Proxies come from
 * the environment as libcurl reads it: http_proxy (lower case only) for
 * http://, https_proxy or HTTPS_PROXY for https://, all_proxy, no_proxy.
 *
 * Errors: 0 or a negative errno, with a one-line reason in err[]:
 *   -ETIMEDOUT   no answer within the timeout
 *   -EACCES      HTTP 401 or 403 (credentials, tenant)
 *   -EIO         anything else: connection refused or dropped, another HTTP
 *                status, an answer that is not application/proto, an answer
 *                over max_size, a certificate that does not verify
 * The reason names the method, the HTTP status and the server's message:
 *   "SelectSeries: HTTP 503: unavailable: too many requests".
 */
#ifndef PYRO_REMOTE_HTTP_H
#define PYRO_REMOTE_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "profile.h"    /* PYRO_ERR_MAX */

/* How to reach the server; strings are copied by pyro_http_new. */
struct pyro_http_conf {
	const char *url;        /* http(s)://host[:port][/prefix]; a trailing
				 * '/' is ignored */
	const char *tenant;     /* X-Scope-OrgID, or NULL */
	const char *auth;       /* the Authorization header's value
				 * ("Basic ...", "Bearer ..."), or NULL */
	const char *ca_file;    /* PEM file of the CAs trusted for https
				 * (CURLOPT_CAINFO), or NULL: the system's */
	long timeout_ms;        /* per call, once it is on the wire; > 0 */
	unsigned max_queries;   /* calls on the wire at once; >= 1 */
	double qps;             /* calls started per second; 0: no limit */
	size_t max_size;        /* largest answer accepted, bytes */
};

/* Counters for /.pyrofs/stats; each is read atomically, the set is not a
 * snapshot of one instant. */
struct pyro_http_stats {
	uint64_t sent;          /* calls put on the wire */
	uint64_t coalesced;     /* calls answered by another's identical call */
	uint64_t failed;        /* calls on the wire that failed */
	uint64_t bytes;         /* answer bytes received (after gzip) */
	unsigned max_in_flight; /* most calls on the wire at once */
};

struct pyro_http;

/* Set up a client (nothing is sent).  *out is owned by the caller: free it
 * with pyro_http_free.  -EINVAL for a URL that is not http(s)://. */
int pyro_http_new(const struct pyro_http_conf *conf, struct pyro_http **out,
		  char err[PYRO_ERR_MAX]);

/* Free h; no call may be in progress.  NULL is accepted. */
void pyro_http_free(struct pyro_http *h);

/* Call method ("SelectSeries") with the packed request req[0..len) and put
 * the answer's bytes in answer (appended to; the caller releases it).
 * *status, if not NULL, receives the HTTP status (0 when none came). */
int pyro_http_call(struct pyro_http *h, const char *method, const void *req,
		   size_t len, struct pyro_buf *answer, long *status,
		   char err[PYRO_ERR_MAX]);

void pyro_http_get_stats(struct pyro_http *h, struct pyro_http_stats *out);

/* The Authorization header value from an auth file: its first line,
 * "user:password" -> "Basic base64(user:password)", anything else ->
 * "Bearer <line>".  A file readable or writable by group or others is
 * refused (-EPERM), as is an empty first line (-EINVAL).  *out is owned by
 * the caller (free()). */
int pyro_http_auth_file(const char *path, char **out, char err[PYRO_ERR_MAX]);

/* The short English phrase of an HTTP status ("Unauthorized"), or "". */
const char *pyro_http_reason(long status);

#endif
