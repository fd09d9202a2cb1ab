/*
 * span.h - time names: which snapshots of a series a name covers.
 *
 * Snapshots of a series are sorted by time, so every time name covers a
 * contiguous run of them.  Names (README "Time names"):
 *
 *   2026-11-24T10-15-00Z   one snapshot (exactly its directory name)
 *   latest, all            the newest snapshot; every snapshot
 *   prev, first            the snapshot before the newest; the oldest
 *   latest~N               N snapshots before the newest (as git's HEAD~N;
 *                          latest~0 is latest)
 *   latest-24h, latest-7d  the snapshot nearest to that long before the
 *                          newest (units s, m, h, d, w; the older of two
 *                          equally near), so `diff/latest-24h/latest` is
 *                          "since yesterday" whatever the clock says
 *   2026-11-24             a UTC day window          (listed)
 *   2026-11-24T10          a UTC hour window         (listed)
 *   FROM..TO               a range, resolved on lookup: each end is a
 *                          snapshot name, a relative name (`latest`,
 *                          `prev`, `latest-24h`, ...), or a UTC time at any
 *                          precision from day to second in the colon-free
 *                          form ("2026-11-24", "2026-11-24T10-15",
 *                          "2026-11-24T10-15-30Z"; colons are accepted too);
 *                          an end covers its whole period, so
 *                          2026-11-24..2026-11-25 is two whole days
 *   last-15m, last-1h, last-24h, last-7d
 *                          relative windows ending at the newest snapshot
 *                          of the series (units s, m, h, d, w), so an old
 *                          archive still has a "last hour"
 *
 * Windows, ranges and relative windows are merges whose cumulative
 * increase is measured from the last snapshot before them (the baseline).
 * Resolving is total: a malformed or empty name is -ENOENT, never a crash.
 */
#ifndef PYRO_SPAN_H
#define PYRO_SPAN_H

#include <stddef.h>
#include <stdint.h>

struct pyro_index_series;        /* source.h: a series' time points */

enum pyro_span_kind {
	PYRO_SPAN_SNAPSHOT,     /* one snapshot by name */
	PYRO_SPAN_RELATIVE,     /* one snapshot named relative to the
				 * newest: latest, prev, first, latest~N,
				 * latest-24h (fs/ shows these as
				 * symlinks to the point's name) */
	PYRO_SPAN_ALL,          /* every snapshot */
	PYRO_SPAN_WINDOW,       /* day, hour, range or last-N: a merge */
};

struct pyro_span {
	enum pyro_span_kind kind;
	size_t first;           /* index of the first snapshot covered */
	size_t count;           /* snapshots covered, >= 1 */
	int has_baseline;       /* snapshot first - 1 is the baseline */
};

/* Longest relative name (latest~N, latest-24h, ...) accepted, with the
 * NUL: longer ones are -ENOENT. */
#define PYRO_SPAN_REL_MAX 32

/* Resolve name in se.  0, or -ENOENT for a malformed or empty span. */
int pyro_span_resolve(const struct pyro_index_series *se, const char *name,
		      struct pyro_span *out);

/* Call fn with the name of every day and hour window holding snapshots,
 * days first, each list in time order; stops when fn returns non-zero
 * and returns that value, else 0. */
int pyro_span_windows(const struct pyro_index_series *se,
		      int (*fn)(void *ctx, const char *name), void *ctx);

/* Parse a UTC time point at any precision from day to second; [*lo, *hi]
 * receives the nanoseconds it covers.  0 or -EINVAL.  (For tests and
 * fuzzing; pyro_span_resolve uses it for range ends.) */
int pyro_span_parse_time(const char *s, size_t len, int64_t *lo, int64_t *hi);

#endif
