/*
 * units.c - pprof-compatible unit scaling; see units.h.
 *
 * The unit tables are data, not code: each family lists canonical names,
 * the aliases that select them and the factor to the family's base unit.
 */
#include "units.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

struct unit {
	const char *name;               /* canonical, printed */
	const char *aliases[4];         /* lower case, singular; NULL-ended */
	double factor;                  /* in base units */
};

struct unit_family {
	const struct unit *units;
	size_t nunits;
	const char *default_name;       /* used when to_unit is foreign */
	double default_factor;
};

static const struct unit memory_units[] = {
	{ "B", { "b", "byte" }, 1 },
	{ "kB", { "kb", "kbyte", "kilobyte" }, 1024.0 },
	{ "MB", { "mb", "mbyte", "megabyte" }, 1048576.0 },
	{ "GB", { "gb", "gbyte", "gigabyte" }, 1073741824.0 },
	{ "TB", { "tb", "tbyte", "terabyte" }, 1099511627776.0 },
	{ "PB", { "pb", "pbyte", "petabyte" }, 1125899906842624.0 },
};

static const struct unit time_units[] = {
	{ "ns", { "ns", "nanosecond" }, 1 },
	{ "us", { "\xce\xbcs", "us", "microsecond" }, 1e3 },
	{ "ms", { "ms", "millisecond" }, 1e6 },
	{ "s", { "s", "sec", "second" }, 1e9 },
	{ "hrs", { "hour", "hr" }, 3600e9 },
};

/* Google Compute Units, which pprof also scales. */
static const struct unit gcu_units[] = {
	{ "n*GCU", { "nanogcu" }, 1e-9 },
	{ "u*GCU", { "microgcu" }, 1e-6 },
	{ "m*GCU", { "milligcu" }, 1e-3 },
	{ "GCU", { "gcu" }, 1 },
	{ "k*GCU", { "kilogcu" }, 1e3 },
	{ "M*GCU", { "megagcu" }, 1e6 },
	{ "G*GCU", { "gigagcu" }, 1e9 },
	{ "T*GCU", { "teragcu" }, 1e12 },
	{ "P*GCU", { "petagcu" }, 1e15 },
};

/* In pprof's lookup order: memory, time, GCU. */
static const struct unit_family families[] = {
	{ memory_units, sizeof(memory_units) / sizeof(memory_units[0]), "B", 1 },
	{ time_units, sizeof(time_units) / sizeof(time_units[0]), "s", 1e9 },
	{ gcu_units, sizeof(gcu_units) / sizeof(gcu_units[0]), "GCU", 1 },
};

#define NFAMILIES (sizeof(families) / sizeof(families[0]))

/* Lower-case the unit and drop one plural "s" when longer than 2 bytes. */
static void sniff_key(const char *unit, char key[32])
{
	size_t n = strlen(unit), i;

	if (n > 31)
		n = 31;
	for (i = 0; i < n; i++)
		key[i] = (char)tolower((unsigned char)unit[i]);
	key[n] = '\0';
	if (n > 2 && key[n - 1] == 's')
		key[n - 1] = '\0';
}

static const struct unit *sniff(const struct unit_family *f, const char *unit)
{
	char key[32];
	size_t i, j;

	sniff_key(unit, key);
	for (i = 0; i < f->nunits; i++)
		for (j = 0; j < 4 && f->units[i].aliases[j]; j++)
			if (strcmp(f->units[i].aliases[j], key) == 0)
				return &f->units[i];
	return NULL;
}

int pyro_unit_kind(const char *unit)
{
	if (sniff(&families[1], unit))
		return 1;
	if (sniff(&families[0], unit))
		return 2;
	return 0;
}

/* The largest unit in which v (base units) is >= 1, or NULL. */
static const struct unit *auto_unit(const struct unit_family *f, double v)
{
	const struct unit *best = NULL;
	size_t i;

	for (i = 0; i < f->nunits; i++)
		if ((!best || f->units[i].factor >= best->factor) &&
		    v / f->units[i].factor >= 1.0)
			best = &f->units[i];
	return best;
}

double pyro_unit_scale(int64_t value, const char *from_unit,
		       const char *to_unit, const char **unit_out)
{
	size_t i;

	if (value < 0 && value != INT64_MIN)
		return -pyro_unit_scale(-value, from_unit, to_unit, unit_out);
	for (i = 0; i < NFAMILIES; i++) {
		const struct unit_family *f = &families[i];
		const struct unit *from = sniff(f, from_unit), *to;
		double v;

		if (!from)
			continue;
		v = (double)value * from->factor;
		if (!strcmp(to_unit, "minimum") || !strcmp(to_unit, "auto")) {
			to = auto_unit(f, v);
		} else {
			to = sniff(f, to_unit);
		}
		if (!to) {
			*unit_out = f->default_name;
			return v / f->default_factor;
		}
		*unit_out = to->name;
		return v / to->factor;
	}
	if (!strcmp(to_unit, "count") || !strcmp(to_unit, "sample") ||
	    !strcmp(to_unit, "unit") || !strcmp(to_unit, "minimum") ||
	    !strcmp(to_unit, "auto"))
		*unit_out = "";
	else
		*unit_out = to_unit;
	return (double)value;
}

void pyro_unit_label(char dst[PYRO_LABEL_MAX], int64_t value,
		     const char *from_unit, const char *to_unit)
{
	const char *unit;
	double v = pyro_unit_scale(value, from_unit, to_unit, &unit);
	char num[40];
	size_t n;

	snprintf(num, sizeof(num), "%.2f", v);
	n = strlen(num);
	if (n > 3 && !strcmp(num + n - 3, ".00"))
		num[n - 3] = '\0';
	if (!strcmp(num, "0") || !strcmp(num, "-0")) {
		strcpy(dst, "0");
		return;
	}
	snprintf(dst, PYRO_LABEL_MAX, "%s%s", num, unit);
}

void pyro_percentage(char dst[PYRO_LABEL_MAX], int64_t value, int64_t total)
{
	double ratio = 0;

	if (total != 0)
		ratio = fabs((double)value / (double)total) * 100;
	if (ratio >= 99.95 && ratio <= 100.05)
		snprintf(dst, PYRO_LABEL_MAX, "  100%%");
	else if (ratio >= 1.0)
		snprintf(dst, PYRO_LABEL_MAX, "%5.2f%%", ratio);
	else
		snprintf(dst, PYRO_LABEL_MAX, "%5.2g%%", ratio);
}
