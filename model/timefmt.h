/*
 * timefmt.h - snapshot times: names for directories, times from file names.
 *
 * Directory names are UTC, colon-free (colons upset Windows shares, scp and
 * Makefiles) and sort chronologically as plain strings:
 * "2026-11-24T10-15-00Z".
 */
#ifndef PYRO_TIMEFMT_H
#define PYRO_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* A time name and its "-N" suffix, NUL included: every snapshot of an
 * archive's published index holds one (struct pyro_point), so this is no
 * wider than needed ("2026-11-26T04-12-00Z-9999999999"). */
#define PYRO_TIME_NAME_MAX 32
#define PYRO_NS_PER_SEC 1000000000LL    /* nanoseconds in a second */

/* Format Unix nanoseconds as "YYYY-MM-DDTHH-MM-SSZ" (seconds truncated). */
void pyro_time_name(int64_t nanos, char out[PYRO_TIME_NAME_MAX]);

/* The second a time is named by (rounded down, also before 1970): two
 * times share a name exactly when they share this. */
int64_t pyro_time_secs(int64_t nanos);

/* Parse a time out of a file's base name: an ISO-8601 date-time
 * (2026-11-24T10:15:00Z, 2026-11-24T10-15-00Z, 20261124T101500Z, with
 * optional fraction and offset) or else a run of 10, 13, 16 or 19 digits
 * read as Unix seconds, ms, us or ns.  0 and *nanos set, or -ENOENT. */
int pyro_time_from_filename(const char *base, int64_t *nanos);

/* ISO-8601 date-times: the one parser of the two spellings pyrofs reads.
 * Both reject what does not exist: fields out of range, second 60 (UTC
 * times here never hold a leap second) and dates a calendar lacks
 * (2026-02-31), and times whose nanoseconds do not fit 64 bits. */
enum pyro_iso_form {
	PYRO_ISO_FILE,  /* in a file name: date and time to the second, with
			 * - or none between date fields, T t _ or space
			 * before the time, : - . or none between time fields
			 * (none only if the date had none), then an optional
			 * fraction (.5 ,5) and offset (+02:00 -0130); what
			 * follows is not read */
	PYRO_ISO_SPAN,  /* a range end: the whole text, day to second
			 * precision, - or : between all fields, T or t
			 * before the time, an optional trailing Z */
};

struct pyro_iso_time {
	int64_t nanos;          /* the start of the time, UTC */
	int64_t width_secs;     /* the period its precision covers: 86400
				 * for a day ... 1 for a second */
	size_t used;            /* bytes read */
};

/* Parse s[0..len) as form.  0 and *out set, or -EINVAL. */
int pyro_iso_parse(const char *s, size_t len, enum pyro_iso_form form,
		   struct pyro_iso_time *out);

#endif
