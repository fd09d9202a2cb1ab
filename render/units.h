/*
 * units.h - pprof's unit scaling and number labels.
 *
 * top.txt must print numbers exactly as `pprof -top` does, and flame.svg
 * tooltips should read the same way, so both use these.  The rules follow
 * pprof's public behaviour: units are sniffed case-insensitively with a
 * trailing plural "s" dropped ("nanoseconds" -> nanosecond); memory scales
 * B, kB, MB, GB, TB, PB by powers of 1024; time ns, us, ms, s, hrs; Google
 * compute units n*GCU .. P*GCU; anything
 * else (count, samples, ...) is printed as a bare number.
 *
 * to_unit is a unit name, or "auto"/"minimum" to pick the largest unit in
 * which the value is >= 1.
 */
#ifndef PYRO_UNITS_H
#define PYRO_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Longest label or percentage these functions write, with the NUL. */
#define PYRO_LABEL_MAX 64

/* Convert value from from_unit to to_unit.  *unit_out receives the unit to
 * print after the number ("" for unitless counts); it points to a static
 * string or to to_unit itself. */
double pyro_unit_scale(int64_t value, const char *from_unit,
		       const char *to_unit, const char **unit_out);

/* "%.2f" of the scaled value, ".00" trimmed, unit appended; "0" for zero.
 * pprof's ScaledLabel. */
void pyro_unit_label(char dst[PYRO_LABEL_MAX], int64_t value,
		     const char *from_unit, const char *to_unit);

/* A conversion from_unit -> to_unit with both units looked up once, for a
 * report that labels thousands of values in one unit: pyro_unit_scale and
 * pyro_unit_label less the lookups, the same results.  Plain data, nothing
 * to release; it borrows static tables and to_unit (keep it alive). */
struct pyro_unit_family;
struct pyro_unit_conv {
	const struct pyro_unit_family *family;  /* from_unit's, or NULL */
	double from_factor;     /* from_unit in the family's base unit */
	int pick;               /* to_unit auto/minimum: chosen per value */
	double to_factor;       /* else: base units per to_unit */
	const char *to_name;    /* else: the unit printed */
};

void pyro_unit_conv_init(struct pyro_unit_conv *c, const char *from_unit,
			 const char *to_unit);
double pyro_unit_conv_scale(const struct pyro_unit_conv *c, int64_t value,
			    const char **unit_out);
void pyro_unit_conv_label(const struct pyro_unit_conv *c,
			  char dst[PYRO_LABEL_MAX], int64_t value);

/* snprintf(dst, 40, "%.*f", decimals, v), the same bytes without printf's
 * multi-precision path (a visible part of rendering a report) for
 * decimals 0..5 and |v| * 10^decimals below 2^52; printf beyond. */
void pyro_fmt_fixed(char dst[40], double v, int decimals);

/* pprof's Percentage: "  100%" near 100, "%5.2f%%" from 1, else "%5.2g%%". */
void pyro_percentage(char dst[PYRO_LABEL_MAX], int64_t value, int64_t total);

/* 1 if unit is a time unit pprof knows, 2 if memory, 0 otherwise. */
int pyro_unit_kind(const char *unit);

#endif
