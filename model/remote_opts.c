/*
 * remote_opts.c - what a Pyroscope mount is told: its -o options (parsed
 * into struct ropts, with their defaults; pyro_src_pyroscope.help lists
 * them) and its SOURCE, the server's URL (which spec is ours, and its
 * syntax checked before anything is asked of the server).  Split from
 * source_remote.c, whose operations and opening use them; remote_source.h
 * is what these files share.
 */
#include "remote_source.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- options ---------------------------------------------------------- */


void pyro_remote_opts_defaults(struct ropts *o)
{
	memset(o, 0, sizeof(*o));
	o->step_ms = 60 * 1000;
	o->lookback_ms = 24 * 3600 * 1000;
	o->timeout_ms = 30 * 1000;
	o->refresh_ms = 10 * 1000;
	o->max_queries = 4;
	o->growth_points = 24;
}

void pyro_remote_opts_release(struct ropts *o)
{
	free(o->tenant);
	free(o->auth_file);
	free(o->ca_file);
	free(o->selector);
	memset(o, 0, sizeof(*o));
}

/* "500ms", "30s", "1m", "24h", "7d", "1w", or seconds: milliseconds. */
static int parse_duration(const char *s, int64_t *ms)
{
	static const struct { const char *unit; int64_t ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "", 1000 }, { "m", 60000 },
		{ "h", 3600000 }, { "d", 86400000 }, { "w", 604800000 },
	};
	char *end;
	double v = strtod(s, &end);
	size_t i;

	if (end == s || !(v >= 0) || v > 1e12)
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].unit)) {
			*ms = (int64_t)llround(v * (double)units[i].ms);
			return 0;
		}
	return -EINVAL;
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int set_str(char **dst, const char *v)
{
	char *s = strdup(v);

	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

/* Apply "key=value" to o: 0, 1 for a key not ours, -EINVAL with err. */
int pyro_remote_opts_apply(struct ropts *o, const char *kv, char err[PYRO_ERR_MAX])
{
	const char *eq = strchr(kv, '='), *v = eq ? eq + 1 : "";
	size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);
	unsigned long long n;
	int64_t ms;
	char key[32];
	int rc = 0;

	if (klen >= sizeof(key))
		return 1;
	memcpy(key, kv, klen);
	key[klen] = '\0';
	if (!strcmp(key, "tenant")) {
		rc = *v ? set_str(&o->tenant, v) : -EINVAL;
	} else if (!strcmp(key, "auth_file")) {
		rc = *v ? set_str(&o->auth_file, v) : -EINVAL;
	} else if (!strcmp(key, "ca_file")) {
		rc = *v ? set_str(&o->ca_file, v) : -EINVAL;
	} else if (!strcmp(key, "selector")) {
		size_t len = strlen(v);

		if (len < 2 || v[0] != '{' || v[len - 1] != '}') {
			rc = -EINVAL;
		} else {
			char *inner = strndup(v + 1, len - 2);

			rc = inner ? 0 : -ENOMEM;
			if (!rc) {
				free(o->selector);
				o->selector = inner;
			}
		}
	} else if (!strcmp(key, "step")) {
		rc = parse_duration(v, &ms);
		if (!rc && (ms < 1000 || ms % 1000))
			rc = -EINVAL;   /* whole seconds: names are to the second */
		if (!rc)
			o->step_ms = ms;
	} else if (!strcmp(key, "lookback")) {
		rc = parse_duration(v, &ms);
		if (!rc && ms < 1000)
			rc = -EINVAL;
		if (!rc)
			o->lookback_ms = ms;
	} else if (!strcmp(key, "timeout")) {
		rc = parse_duration(v, &ms);
		if (!rc && (ms < 1 || ms > 86400000))
			rc = -EINVAL;
		if (!rc)
			o->timeout_ms = (long)ms;
	} else if (!strcmp(key, "refresh")) {
		rc = parse_duration(v, &ms);
		if (!rc)
			o->refresh_ms = ms;
	} else if (!strcmp(key, "max_nodes")) {
		rc = parse_uint(v, INT64_MAX, &n);
		if (!rc)
			o->max_nodes = (int64_t)n;
	} else if (!strcmp(key, "max_queries")) {
		rc = parse_uint(v, 1024, &n);
		if (!rc && n == 0)
			rc = -EINVAL;
		if (!rc)
			o->max_queries = (unsigned)n;
	} else if (!strcmp(key, "qps")) {
		char *end;
		double q = strtod(v, &end);

		if (end == v || *end || !(q >= 0) || q > 1e6)
			rc = -EINVAL;
		else
			o->qps = q;
	} else if (!strcmp(key, "growth_points")) {
		rc = parse_uint(v, 10000, &n);
		if (!rc && n < 2)
			rc = -EINVAL;
		if (!rc)
			o->growth_points = (unsigned)n;
	} else {
		return 1;
	}
	if (rc == -EINVAL)
		snprintf(err, PYRO_ERR_MAX, "bad value in -o %s", kv);
	else if (rc)
		snprintf(err, PYRO_ERR_MAX, "out of memory");
	return rc;
}

int pyro_remote_opt(const char *kv, char err[PYRO_ERR_MAX])
{
	struct ropts o;
	int rc;

	pyro_remote_opts_defaults(&o);
	rc = pyro_remote_opts_apply(&o, kv, err);
	pyro_remote_opts_release(&o);
	return rc;
}

/* ---- the URL ---------------------------------------------------------- */

int pyro_remote_match(const char *spec)
{
	return !strncasecmp(spec, "http://", 7) || !strncasecmp(spec, "https://", 8);
}

/* SOURCE's syntax: http(s)://host[:port][/prefix], no credentials in it
 * (they belong in -o auth_file, where ps cannot see them). */
int pyro_remote_check(const char *spec, char err[PYRO_ERR_MAX])
{
	const char *host = spec + (strncasecmp(spec, "https://", 8) ? 7 : 8);
	size_t hlen = strcspn(host, "/?#");
	const char *colon = memchr(host, ':', hlen), *at = memchr(host, '@', hlen);

	if (hlen && host[0] == '[') {   /* [v6 address][:port] */
		const char *close = memchr(host, ']', hlen);

		colon = close && close + 1 < host + hlen && close[1] == ':' ? close + 1 : NULL;
		if (!close || (close + 1 < host + hlen && close[1] != ':')) {
			snprintf(err, PYRO_ERR_MAX, "%.200s: bad host", spec);
			return -EINVAL;
		}
	}
	if (!pyro_remote_match(spec) || hlen == 0 || (colon && colon == host)) {
		snprintf(err, PYRO_ERR_MAX, "%.200s: no host", spec);
		return -EINVAL;
	}
	if (at) {
		snprintf(err, PYRO_ERR_MAX, "%.*s...: credentials in the URL "
			 "(put them in -o auth_file)", (int)(host - spec), spec);
		return -EINVAL;
	}
	if (colon) {
		const char *p = colon + 1, *end = host + hlen;
		long port = 0;

		for (; p < end && *p >= '0' && *p <= '9' && port <= 65535; p++)
			port = port * 10 + (*p - '0');
		if (p != end || port < 1 || port > 65535 || colon + 1 == end) {
			snprintf(err, PYRO_ERR_MAX, "%.200s: bad port", spec);
			return -EINVAL;
		}
	}
	return 0;
}
