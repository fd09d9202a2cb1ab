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

#define PYRO_TIME_NAME_MAX 40

/* Format Unix nanoseconds as "YYYY-MM-DDTHH-MM-SSZ" (seconds truncated). */
void pyro_time_name(int64_t nanos, char out[PYRO_TIME_NAME_MAX]);

/* Parse a time out of a file's base name: an ISO-8601 date-time
 * (2026-11-24T10:15:00Z, 2026-11-24T10-15-00Z, 20261124T101500Z, with
 * optional fraction and offset) or else a run of 10, 13, 16 or 19 digits
 * read as Unix seconds, ms, us or ns.  0 and *nanos set, or -ENOENT. */
int pyro_time_from_filename(const char *base, int64_t *nanos);

#endif
