/*
 * timefmt.c - snapshot time names and file-name times; see timefmt.h.
 */
#include "timefmt.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t pyro_time_secs(int64_t nanos)
{
	return nanos / PYRO_NS_PER_SEC -
	       (nanos < 0 && nanos % PYRO_NS_PER_SEC ? 1 : 0);
}

void pyro_time_name(int64_t nanos, char out[PYRO_TIME_NAME_MAX])
{
	int64_t secs = pyro_time_secs(nanos);
	time_t t;
	struct tm tm;

	t = (time_t)secs;
	if (!gmtime_r(&t, &tm)) {
		snprintf(out, PYRO_TIME_NAME_MAX, "time-%lld", (long long)secs);
		return;
	}
	/* Years of more than four digits would crowd out the "-N" suffix
	 * (PYRO_TIME_NAME_MAX): named by their seconds. */
	if (tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
		snprintf(out, PYRO_TIME_NAME_MAX, "time-%lld", (long long)secs);
		return;
	}
	snprintf(out, PYRO_TIME_NAME_MAX, "%04d-%02d-%02dT%02d-%02d-%02dZ",
		 (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
		 tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
		 tm.tm_sec % 100);
}

/* How each form is spelled (see timefmt.h); one parser reads both. */
struct iso_syntax {
	const char *date_seps;  /* between date fields */
	const char *time_mark;  /* before the time */
	const char *time_seps;  /* between time fields */
	int compact;            /* fields may also go unseparated */
	int min_fields;         /* 6: to the second; 3: a day will do */
	int zone;               /* a fraction and an offset may follow */
	int whole;              /* the text ends there (a trailing Z aside) */
};

static const struct iso_syntax syntaxes[] = {
	[PYRO_ISO_FILE] = { "-", "Tt_ ", ":-.", 1, 6, 1, 0 },
	[PYRO_ISO_SPAN] = { "-:", "Tt", "-:", 0, 3, 0, 1 },
};

/* Read exactly n digits at *p (before end) into *v. */
static int digits(const char **p, const char *end, int n, int *v)
{
	int i, x = 0;

	if (end - *p < n)
		return -1;
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
static int sep(const char **p, const char *end, const char *seps)
{
	if (*p < end && **p && strchr(seps, **p)) {
		(*p)++;
		return 1;
	}
	return 0;
}

/* The fields y m d H M S; *nf receives how many were read (3 to 6). */
static int read_fields(const char **pp, const char *end,
		       const struct iso_syntax *sy, int f[6], int *nf)
{
	const char *p = *pp;
	int compact = 0, i;

	if (digits(&p, end, 4, &f[0]))
		return -1;
	if (!sep(&p, end, sy->date_seps)) {
		if (!sy->compact)
			return -1;
		compact = 1;
	}
	if (digits(&p, end, 2, &f[1]) ||
	    (!compact && !sep(&p, end, sy->date_seps)) ||
	    digits(&p, end, 2, &f[2]))
		return -1;
	*nf = 3;
	if (sep(&p, end, sy->time_mark)) {
		for (i = 3; i < 6; i++) {
			if (i > 3 && !compact && !sep(&p, end, sy->time_seps)) {
				if (*nf >= sy->min_fields)
					break;
				return -1;
			}
			if (digits(&p, end, 2, &f[i]))
				return -1;
			*nf = i + 1;
		}
	}
	if (*nf < sy->min_fields)
		return -1;
	*pp = p;
	return 0;
}

/* An optional fraction (.5 or ,5; digits beyond nanoseconds dropped) and
 * offset (+hh, +hhmm, +hh:mm) after the seconds. */
static void read_zone(const char **pp, const char *end, int64_t *frac,
		      int *off)
{
	const char *p = *pp;
	int64_t scale = PYRO_NS_PER_SEC;

	if (end - p >= 2 && (*p == '.' || *p == ',') &&
	    isdigit((unsigned char)p[1])) {
		for (p++; p < end && isdigit((unsigned char)*p); p++) {
			if (scale > 1) {
				scale /= 10;
				*frac += (*p - '0') * scale;
			}
		}
	}
	if (end - p >= 2 && (*p == '+' || *p == '-') &&
	    isdigit((unsigned char)p[1])) {
		const char *q = p + 1;
		int oh, om = 0;

		if (!digits(&q, end, 2, &oh)) {
			sep(&q, end, ":");
			if (digits(&q, end, 2, &om))
				om = 0;
			*off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
		}
	}
	*pp = p;
}

int pyro_iso_parse(const char *s, size_t len, enum pyro_iso_form form,
		   struct pyro_iso_time *out)
{
	const struct iso_syntax *sy = &syntaxes[form];
	const char *p = s, *end = s + len;
	int f[6] = { 0, 1, 1, 0, 0, 0 };
	int nf, off = 0;
	int64_t frac = 0, secs;
	struct tm tm, back;
	time_t t;

	if (sy->whole && len && end[-1] == 'Z')
		end--;
	if (read_fields(&p, end, sy, f, &nf))
		return -EINVAL;
	if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 ||
	    f[4] > 59 || f[5] > 59)
		return -EINVAL;
	if (sy->zone)
		read_zone(&p, end, &frac, &off);
	if (sy->whole && p != end)
		return -EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = f[0] - 1900;
	tm.tm_mon = f[1] - 1;
	tm.tm_mday = f[2];
	tm.tm_hour = f[3];
	tm.tm_min = f[4];
	tm.tm_sec = f[5];
	/* Reject dates timegm would normalise (2026-02-31); nanoseconds
	 * cover 1677..2262 only. */
	t = timegm(&tm);
	if (!gmtime_r(&t, &back) || back.tm_mday != f[2] ||
	    back.tm_mon != f[1] - 1)
		return -EINVAL;
	if (__builtin_sub_overflow((int64_t)t, (int64_t)off, &secs) ||
	    __builtin_mul_overflow(secs, PYRO_NS_PER_SEC, &out->nanos) ||
	    __builtin_add_overflow(out->nanos, frac, &out->nanos))
		return -EINVAL;
	out->width_secs = nf == 3 ? 86400 : nf == 4 ? 3600 : nf == 5 ? 60 : 1;
	out->used = (size_t)(p - s);
	return 0;
}

int pyro_time_from_filename(const char *base, int64_t *nanos)
{
	size_t len = strlen(base);
	struct pyro_iso_time iso;
	const char *p;

	for (p = base; *p; p++)
		if ((p == base || !isdigit((unsigned char)p[-1])) &&
		    pyro_iso_parse(p, len - (size_t)(p - base), PYRO_ISO_FILE,
				   &iso) == 0) {
			*nanos = iso.nanos;
			return 0;
		}
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
