/*
 * remote_http.c - unary Connect calls over libcurl; see remote_http.h.
 *
 * Threads.  Each call uses an easy handle of its own, so libcurl needs no
 * lock while a transfer runs; the handles share one connection cache (and
 * DNS, TLS sessions) through a share handle, whose lock callbacks take one
 * mutex per kind of shared data for the few microseconds curl touches it.
 * The client's own state (the in-flight list, the cap, the rate limit) sits
 * under `lock`, which is never held across a transfer or a sleep.
 *
 * Coalescing.  A call first looks for an identical one in flight (same
 * method, same request bytes).  If it finds one it waits for that call's
 * result and copies it; else it registers itself as the leader, takes a
 * place under the cap, sends, and hands its result to every follower.  A
 * finished call leaves the list at once: answers are not kept here (caching
 * whole nodes is fs/'s job), only duplicated work in flight is saved.  The
 * flight record is reference counted (leader + followers) so the last one
 * out frees it.
 */
#include "remote_http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef PYRO_VERSION
#define PYRO_VERSION "dev"
#endif

/* One call on the wire, with the followers waiting for it. */
struct flight {
	struct flight *next;
	uint64_t hash;          /* of method and request bytes */
	char *method;           /* owned copy */
	void *req;              /* owned copy */
	size_t len;
	unsigned refs;          /* leader + followers; under lock */
	int done;               /* result below is final; under lock */
	int rc;
	long status;
	struct pyro_buf answer;
	char err[PYRO_ERR_MAX];
};

struct pyro_http {
	char *url;              /* without trailing '/' */
	char *tenant_hdr;       /* "X-Scope-OrgID: ..." or NULL */
	char *auth_hdr;         /* "Authorization: ..." or NULL */
	char *ca_file;          /* CURLOPT_CAINFO, or NULL */
	long timeout_ms;
	unsigned max_queries;
	double qps;
	size_t max_size;

	CURLSH *share;
	pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];

	pthread_mutex_t lock;
	pthread_cond_t cond;            /* a place freed, a flight done */
	struct flight *flights;         /* in flight; under lock */
	unsigned in_flight;             /* calls on the wire; under lock */
	int64_t next_start_ns;          /* rate limit: earliest next start */

	atomic_uint_least64_t sent, coalesced, failed, bytes;
	atomic_uint max_in_flight;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_ALL);
}

static void share_lock(CURL *c, curl_lock_data data, curl_lock_access access,
		       void *userp)
{
	struct pyro_http *h = userp;

	if ((unsigned)data < CURL_LOCK_DATA_LAST)
		pthread_mutex_lock(&h->share_locks[data]);
}

static void share_unlock(CURL *c, curl_lock_data data, void *userp)
{
	struct pyro_http *h = userp;

	if ((unsigned)data < CURL_LOCK_DATA_LAST)
		pthread_mutex_unlock(&h->share_locks[data]);
}

static char *header(const char *name, const char *value)
{
	char *s = NULL;

	if (value && asprintf(&s, "%s: %s", name, value) < 0)
		return NULL;
	return s;
}

int pyro_http_new(const struct pyro_http_conf *conf, struct pyro_http **out,
		  char err[PYRO_ERR_MAX])
{
	struct pyro_http *h;
	size_t n;
	int i;

	*out = NULL;
	if (strncasecmp(conf->url, "http://", 7) && strncasecmp(conf->url, "https://", 8)) {
		snprintf(err, PYRO_ERR_MAX, "%s: not an http:// or https:// URL", conf->url);
		return -EINVAL;
	}
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK) {
		snprintf(err, PYRO_ERR_MAX, "libcurl: %s", curl_easy_strerror(global_rc));
		return -EIO;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		goto nomem;
	h->url = strdup(conf->url);
	if (!h->url)
		goto nomem;
	for (n = strlen(h->url); n > 0 && h->url[n - 1] == '/'; n--)
		h->url[n - 1] = '\0';
	h->tenant_hdr = header("X-Scope-OrgID", conf->tenant);
	h->auth_hdr = header("Authorization", conf->auth);
	h->ca_file = conf->ca_file ? strdup(conf->ca_file) : NULL;
	if ((conf->tenant && !h->tenant_hdr) || (conf->auth && !h->auth_hdr) ||
	    (conf->ca_file && !h->ca_file))
		goto nomem;
	h->timeout_ms = conf->timeout_ms > 0 ? conf->timeout_ms : 30000;
	h->max_queries = conf->max_queries ? conf->max_queries : 1;
	h->qps = conf->qps > 0 ? conf->qps : 0;
	h->max_size = conf->max_size;
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&h->share_locks[i], NULL);
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	h->share = curl_share_init();
	if (!h->share)
		goto nomem_late;
	curl_share_setopt(h->share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(h->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(h->share, CURLSHOPT_USERDATA, h);
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	*out = h;
	return 0;
nomem_late:
	pyro_http_free(h);
	snprintf(err, PYRO_ERR_MAX, "out of memory");
	return -ENOMEM;
nomem:
	if (h) {
		free(h->url);
		free(h->tenant_hdr);
		free(h->auth_hdr);
		free(h->ca_file);
		free(h);
	}
	snprintf(err, PYRO_ERR_MAX, "out of memory");
	return -ENOMEM;
}

void pyro_http_free(struct pyro_http *h)
{
	int i;

	if (!h)
		return;
	if (h->share)
		curl_share_cleanup(h->share);
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&h->share_locks[i]);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->cond);
	free(h->url);
	free(h->tenant_hdr);
	free(h->ca_file);
	if (h->auth_hdr) {
		explicit_bzero(h->auth_hdr, strlen(h->auth_hdr));
		free(h->auth_hdr);
	}
	free(h);
}

void pyro_http_get_stats(struct pyro_http *h, struct pyro_http_stats *out)
{
	out->sent = atomic_load(&h->sent);
	out->coalesced = atomic_load(&h->coalesced);
	out->failed = atomic_load(&h->failed);
	out->bytes = atomic_load(&h->bytes);
	out->max_in_flight = atomic_load(&h->max_in_flight);
}

const char *pyro_http_reason(long status)
{
	static const struct { long code; const char *text; } reasons[] = {
		{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
		{ 404, "Not Found" }, { 408, "Request Timeout" },
		{ 413, "Payload Too Large" }, { 429, "Too Many Requests" },
		{ 499, "Client Closed Request" }, { 500, "Internal Server Error" },
		{ 501, "Not Implemented" }, { 502, "Bad Gateway" },
		{ 503, "Service Unavailable" }, { 504, "Gateway Timeout" },
	};
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == status)
			return reasons[i].text;
	return "";
}

/* ---- one transfer ------------------------------------------------------ */

struct sink {
	struct pyro_buf *buf;
	size_t max;
	int too_big;
};

static size_t on_data(char *p, size_t size, size_t n, void *userp)
{
	struct sink *s = userp;

	n *= size;
	if (s->buf->len + n > s->max) {
		s->too_big = 1;
		return 0;       /* aborts the transfer */
	}
	return pyro_buf_add(s->buf, p, n) ? 0 : n;
}

/* The JSON string value of "key" in a flat object, unescaped (non-ASCII
 * escapes as '?'), truncated to cap - 1 bytes; 0 or -ENOENT. */
static int json_string(const char *js, size_t len, const char *key,
		       char *out, size_t cap)
{
	size_t klen = strlen(key), i = 0, n = 0;
	const char *end = js + len, *p = js;

	while ((p = memmem(p, (size_t)(end - p), key, klen)) != NULL) {
		const char *q = p + klen;

		if (p > js && p[-1] == '"' && q < end && *q == '"') {
			for (q++; q < end && isspace((unsigned char)*q); q++)
				;
			if (q < end && *q == ':') {
				for (q++; q < end && isspace((unsigned char)*q); q++)
					;
				if (q < end && *q == '"') {
					p = q + 1;
					break;
				}
			}
		}
		p = q;
	}
	if (!p)
		return -ENOENT;
	for (i = 0; p + i < end && p[i] != '"' && n + 1 < cap; i++) {
		char c = p[i];

		if (c == '\\' && p + i + 1 < end) {
			c = p[++i];
			if (c == 'n' || c == 't' || c == 'r')
				c = ' ';
			else if (c == 'u') {
				i += 4;
				c = '?';
			}
		}
		out[n++] = (unsigned char)c < 0x20 ? ' ' : c;
	}
	out[n] = '\0';
	return 0;
}

/* The reason of a non-200 answer: a Connect error, or whatever it is. */
static void describe_failure(const char *method, long status, const char *ctype,
			     const struct pyro_buf *body, char err[PYRO_ERR_MAX])
{
	char code[64], msg[PYRO_ERR_MAX];

	if (ctype && !strncasecmp(ctype, "application/json", 16) && body->data &&
	    json_string(body->data, body->len, "code", code, sizeof(code)) == 0) {
		if (json_string(body->data, body->len, "message", msg, sizeof(msg)))
			msg[0] = '\0';
		snprintf(err, PYRO_ERR_MAX, "%s: HTTP %ld: %s%s%s", method, status,
			 code, msg[0] ? ": " : "", msg);
		return;
	}
	snprintf(err, PYRO_ERR_MAX, "%s: HTTP %ld %s (a %s answer, not a Connect error)",
		 method, status, pyro_http_reason(status),
		 ctype && *ctype ? ctype : "typeless");
}

static int transfer(struct pyro_http *h, const char *method, const void *req,
		    size_t len, struct pyro_buf *answer, long *status,
		    char err[PYRO_ERR_MAX])
{
	char cerr[CURL_ERROR_SIZE] = "", timeout_hdr[64], *url = NULL;
	struct curl_slist *hdrs = NULL, *t;
	struct sink sink = { answer, h->max_size, 0 };
	const char *ctype = NULL;
	CURLcode cc;
	CURL *c;
	int rc = -EIO;

	*status = 0;
	c = curl_easy_init();
	if (!c || asprintf(&url, "%s/querier.v1.QuerierService/%s", h->url, method) < 0) {
		url = NULL;
		snprintf(err, PYRO_ERR_MAX, "%s: out of memory", method);
		rc = -ENOMEM;
		goto out;
	}
	snprintf(timeout_hdr, sizeof(timeout_hdr), "Connect-Timeout-Ms: %ld", h->timeout_ms);
	{
		const char *lines[] = {
			"Content-Type: application/proto", "Connect-Protocol-Version: 1",
			timeout_hdr, "Expect:", h->tenant_hdr, h->auth_hdr,
		};
		size_t i;

		for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
			if (!lines[i])
				continue;
			t = curl_slist_append(hdrs, lines[i]);
			if (!t) {
				snprintf(err, PYRO_ERR_MAX, "%s: out of memory", method);
				rc = -ENOMEM;
				goto out;
			}
			hdrs = t;
		}
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_SHARE, h->share);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, len ? req : "");
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "pyrofs/" PYRO_VERSION);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, h->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->timeout_ms);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	if (h->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype);
	atomic_fetch_add(&h->bytes, answer->len);
	if (sink.too_big) {
		snprintf(err, PYRO_ERR_MAX, "%s: answer over max_profile_size (%zu bytes)",
			 method, h->max_size);
	} else if (cc == CURLE_OPERATION_TIMEDOUT) {
		snprintf(err, PYRO_ERR_MAX, "%s: no answer within %ld ms", method,
			 h->timeout_ms);
		rc = -ETIMEDOUT;
	} else if (cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CACERT_BADFILE) {
		/* curl's text names the certificate problem; say where trust
		 * comes from, as that is what a user changes. */
		snprintf(err, PYRO_ERR_MAX, "%s: TLS: %s (%s)", method,
			 cerr[0] ? cerr : curl_easy_strerror(cc),
			 h->ca_file ? "CAs from -o ca_file" : "system CAs; see -o ca_file");
	} else if (cc != CURLE_OK) {
		snprintf(err, PYRO_ERR_MAX, "%s: %s", method,
			 cerr[0] ? cerr : curl_easy_strerror(cc));
	} else if (*status != 200) {
		describe_failure(method, *status, ctype, answer, err);
		rc = *status == 401 || *status == 403 ? -EACCES : -EIO;
	} else if (!ctype || strncasecmp(ctype, "application/proto", 17)) {
		snprintf(err, PYRO_ERR_MAX, "%s: HTTP 200 with a %s answer, not application/proto",
			 method, ctype && *ctype ? ctype : "typeless");
	} else {
		rc = 0;
	}
out:
	curl_slist_free_all(hdrs);
	free(url);
	if (c)
		curl_easy_cleanup(c);
	return rc;
}

/* ---- cap, rate, coalescing --------------------------------------------- */

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint64_t hash_call(const char *method, const void *req, size_t len)
{
	const unsigned char *p = (const unsigned char *)method;
	uint64_t x = 1469598103934665603ull;    /* FNV-1a */
	size_t i;

	for (; *p; p++)
		x = (x ^ *p) * 1099511628211ull;
	x = (x ^ 0xff) * 1099511628211ull;
	for (p = req, i = 0; i < len; i++)
		x = (x ^ p[i]) * 1099511628211ull;
	return x;
}

static struct flight *find_flight(struct pyro_http *h, uint64_t hash,
				  const char *method, const void *req, size_t len)
{
	struct flight *f;

	for (f = h->flights; f; f = f->next)
		if (f->hash == hash && f->len == len && !strcmp(f->method, method) &&
		    (len == 0 || !memcmp(f->req, req, len)))
			return f;
	return NULL;
}

static void flight_free(struct flight *f)
{
	free(f->method);
	free(f->req);
	pyro_buf_release(&f->answer);
	free(f);
}

/* Drop one reference, under lock. */
static void flight_put(struct flight *f)
{
	if (--f->refs == 0)
		flight_free(f);
}

/* Copy a finished flight's result to a caller. */
static int flight_result(const struct flight *f, struct pyro_buf *answer,
			 long *status, char err[PYRO_ERR_MAX])
{
	if (status)
		*status = f->status;
	if (f->rc) {
		snprintf(err, PYRO_ERR_MAX, "%s", f->err);
		return f->rc;
	}
	if (pyro_buf_add(answer, f->answer.data ? f->answer.data : "", f->answer.len)) {
		snprintf(err, PYRO_ERR_MAX, "%s: out of memory", f->method);
		return -ENOMEM;
	}
	return 0;
}

/* Wait for a place under the cap and for the rate limit's turn. */
static void take_place(struct pyro_http *h)
{
	int64_t start = 0, now;
	unsigned n;

	pthread_mutex_lock(&h->lock);
	while (h->in_flight >= h->max_queries)
		pthread_cond_wait(&h->cond, &h->lock);
	n = ++h->in_flight;
	if (h->qps > 0) {
		now = now_ns();
		start = h->next_start_ns > now ? h->next_start_ns : now;
		h->next_start_ns = start + (int64_t)(1e9 / h->qps);
	}
	pthread_mutex_unlock(&h->lock);
	if (n > atomic_load(&h->max_in_flight))
		atomic_store(&h->max_in_flight, n);     /* a max: races lose little */
	if (start && (now = now_ns()) < start) {
		struct timespec ts = { (start - now) / 1000000000, (start - now) % 1000000000 };

		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
	}
}

static void leave_place(struct pyro_http *h)
{
	pthread_mutex_lock(&h->lock);
	h->in_flight--;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

int pyro_http_call(struct pyro_http *h, const char *method, const void *req,
		   size_t len, struct pyro_buf *answer, long *status,
		   char err[PYRO_ERR_MAX])
{
	uint64_t hash = hash_call(method, req, len);
	struct flight *f, **pp;
	int rc;

	pthread_mutex_lock(&h->lock);
	f = find_flight(h, hash, method, req, len);
	if (f) {
		f->refs++;
		atomic_fetch_add(&h->coalesced, 1);
		while (!f->done)
			pthread_cond_wait(&h->cond, &h->lock);
		rc = flight_result(f, answer, status, err);
		flight_put(f);
		pthread_mutex_unlock(&h->lock);
		return rc;
	}
	f = calloc(1, sizeof(*f));
	if (f) {
		f->method = strdup(method);
		f->req = malloc(len ? len : 1);
	}
	if (!f || !f->method || !f->req) {
		pthread_mutex_unlock(&h->lock);
		if (f)
			flight_free(f);
		snprintf(err, PYRO_ERR_MAX, "%s: out of memory", method);
		return -ENOMEM;
	}
	memcpy(f->req, req, len);
	f->len = len;
	f->hash = hash;
	f->refs = 1;
	f->next = h->flights;
	h->flights = f;
	pthread_mutex_unlock(&h->lock);

	take_place(h);
	atomic_fetch_add(&h->sent, 1);
	f->rc = transfer(h, method, req, len, &f->answer, &f->status, f->err);
	if (f->rc)
		atomic_fetch_add(&h->failed, 1);
	leave_place(h);

	pthread_mutex_lock(&h->lock);
	for (pp = &h->flights; *pp != f; pp = &(*pp)->next)
		;
	*pp = f->next;
	f->done = 1;
	pthread_cond_broadcast(&h->cond);
	rc = flight_result(f, answer, status, err);
	flight_put(f);
	pthread_mutex_unlock(&h->lock);
	return rc;
}

/* ---- credentials --------------------------------------------------------- */

static char *base64(const char *in, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)in;
	char *out = malloc(4 * ((n + 2) / 3) + 1), *o = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i + 2 < n; i += 3) {
		*o++ = tab[p[i] >> 2];
		*o++ = tab[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		*o++ = tab[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
		*o++ = tab[p[i + 2] & 63];
	}
	if (i < n) {
		*o++ = tab[p[i] >> 2];
		if (i + 1 < n) {
			*o++ = tab[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
			*o++ = tab[(p[i + 1] & 15) << 2];
		} else {
			*o++ = tab[(p[i] & 3) << 4];
			*o++ = '=';
		}
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

int pyro_http_auth_file(const char *path, char **out, char err[PYRO_ERR_MAX])
{
	char line[4096], *b64 = NULL;
	struct stat st;
	ssize_t n;
	size_t len;
	int fd, rc = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, PYRO_ERR_MAX, "auth_file %s: %s", path, strerror(errno));
		return rc;
	}
	if (fstat(fd, &st)) {
		rc = -errno;
		snprintf(err, PYRO_ERR_MAX, "auth_file %s: %s", path, strerror(errno));
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, PYRO_ERR_MAX,
			 "auth_file %s is accessible by group or others (chmod 600 it)", path);
		rc = -EPERM;
		goto out;
	}
	n = read(fd, line, sizeof(line) - 1);
	if (n < 0) {
		rc = -errno;
		snprintf(err, PYRO_ERR_MAX, "auth_file %s: %s", path, strerror(errno));
		goto out;
	}
	line[n] = '\0';
	len = strcspn(line, "\r\n");
	line[len] = '\0';
	if (len == 0) {
		snprintf(err, PYRO_ERR_MAX, "auth_file %s: the first line is empty", path);
		rc = -EINVAL;
		goto out;
	}
	if (strchr(line, ':')) {
		b64 = base64(line, len);
		if (!b64 || asprintf(out, "Basic %s", b64) < 0)
			*out = NULL;
	} else if (asprintf(out, "Bearer %s", line) < 0) {
		*out = NULL;
	}
	if (!*out) {
		snprintf(err, PYRO_ERR_MAX, "out of memory");
		rc = -ENOMEM;
	}
out:
	explicit_bzero(line, sizeof(line));
	if (b64) {
		explicit_bzero(b64, strlen(b64));
		free(b64);
	}
	close(fd);
	return rc;
}
