/*
 * timefmt.c - snapshot time names and file-name times; see timefmt.h.
 */
#include "timefmt.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void pyro_time_name(int64_t nanos, char out[PYRO_TIME_NAME_MAX])
{
	int64_t secs = nanos / 1000000000;
	time_t t;
	struct tm tm;

	if (nanos < 0 && nanos % 1000000000)
		secs--;
	t = (time_t)secs;
	if (!gmtime_r(&t, &tm)) {
		snprintf(out, PYRO_TIME_NAME_MAX, "time-%lld", (long long)secs);
		return;
	}
	snprintf(out, PYRO_TIME_NAME_MAX, "%04d-%02d-%02dT%02d-%02d-%02dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec);
}

/* Read exactly n digits at *p into *v. */
static int digits(const char **p, int n, int *v)
{
	int i, x = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		x = x * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*v = x;
	return 0;
}

/* Skip one separator out of seps, if it is there; 1 if skipped. */
static int sep(const char **p, const char *seps)
{
	if (**p && strchr(seps, **p)) {
		(*p)++;
		return 1;
	}
	return 0;
}

static int parse_iso_at(const char *s, int64_t *nanos)
{
	const char *p = s;
	int y, mo, d, h, mi, sec, compact, off = 0;
	int64_t frac = 0, scale = 1000000000;
	struct tm tm;

	if (digits(&p, 4, &y))
		return -1;
	compact = !sep(&p, "-");
	if (digits(&p, 2, &mo) || (!compact && !sep(&p, "-")) || digits(&p, 2, &d))
		return -1;
	if (!sep(&p, "Tt_ "))
		return -1;
	if (digits(&p, 2, &h))
		return -1;
	if (!compact && !sep(&p, ":-."))
		return -1;
	if (digits(&p, 2, &mi))
		return -1;
	if (!compact && !sep(&p, ":-."))
		return -1;
	if (digits(&p, 2, &sec))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	if ((*p == '.' || *p == ',') && isdigit((unsigned char)p[1])) {
		for (p++; isdigit((unsigned char)*p); p++) {
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
		}
	}
	if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1])) {
		const char *q = p + 1;
		int oh, om = 0;

		if (!digits(&q, 2, &oh)) {
			sep(&q, ":");
			if (digits(&q, 2, &om))
				om = 0;
			off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
		}
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*nanos = ((int64_t)timegm(&tm) - off) * 1000000000 + frac;
	return 0;
}

int pyro_time_from_filename(const char *base, int64_t *nanos)
{
	const char *p;

	for (p = base; *p; p++)
		if ((p == base || !isdigit((unsigned char)p[-1])) &&
		    parse_iso_at(p, nanos) == 0)
			return 0;
	for (p = base; *p; p++) {
		size_t n = 0;
		int64_t v = 0;

		if (!isdigit((unsigned char)*p) ||
		    (p > base && isdigit((unsigned char)p[-1])))
			continue;
		while (isdigit((unsigned char)p[n]))
			n++;
		if (n != 10 && n != 13 && n != 16 && n != 19)
			continue;
		for (size_t i = 0; i < n; i++) {
			if (v > (INT64_MAX - 9) / 10) {
				v = -1;
				break;
			}
			v = v * 10 + (p[i] - '0');
		}
		/* Scale to ns: 10 digits are seconds, 13 ms, 16 us, 19 ns.
		 * Accept from 2001-09-09 (1e9 s) to the end of int64. */
		int64_t mult = 1;

		for (size_t i = n; i < 19; i += 3)
			mult *= 1000;
		if (n == 19 ? v < 0 : v > INT64_MAX / mult)
			continue;
		v *= mult;
		if (v >= 1000000000000000000LL) {
			*nanos = v;
			return 0;
		}
	}
	return -ENOENT;
}
