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

/* pprof's Percentage: "  100%" near 100, "%5.2f%%" from 1, else "%5.2g%%". */
void pyro_percentage(char dst[PYRO_LABEL_MAX], int64_t value, int64_t total);

/* 1 if unit is a time unit pprof knows, 2 if memory, 0 otherwise. */
int pyro_unit_kind(const char *unit);

#endif
