/*
 * units.c - pprof-compatible unit scaling; see units.h.
 *
 * The unit tables are data, not code: each family lists canonical names,
 * the aliases that select them and the factor to the family's base unit.
 */
#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

struct unit {
	const char *name;               /* canonical, printed */
	const char *aliases[4];         /* lower case, singular; NULL-ended */
	double factor;                  /* in base units */
};

struct pyro_unit_family {
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
static const struct pyro_unit_family families[] = {
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

static const struct unit *sniff(const struct pyro_unit_family *f, const char *unit)
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
static const struct unit *auto_unit(const struct pyro_unit_family *f, double v)
{
	const struct unit *best = NULL;
	size_t i;

	for (i = 0; i < f->nunits; i++)
		if ((!best || f->units[i].factor >= best->factor) &&
		    v / f->units[i].factor >= 1.0)
			best = &f->units[i];
	return best;
}

/* The unit to_unit names as a bare number's: "" for counts. */
static const char *bare_unit(const char *to_unit)
{
	if (!strcmp(to_unit, "count") || !strcmp(to_unit, "sample") ||
	    !strcmp(to_unit, "unit") || !strcmp(to_unit, "minimum") ||
	    !strcmp(to_unit, "auto"))
		return "";
	return to_unit;
}

void pyro_unit_conv_init(struct pyro_unit_conv *c, const char *from_unit,
			 const char *to_unit)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	/* The first family that knows from_unit decides, as pprof's does. */
	for (i = 0; i < NFAMILIES; i++) {
		const struct pyro_unit_family *f = &families[i];
		const struct unit *from = sniff(f, from_unit), *to;

		if (!from)
			continue;
		c->family = f;
		c->from_factor = from->factor;
		if (!strcmp(to_unit, "minimum") || !strcmp(to_unit, "auto")) {
			c->pick = 1;
			return;
		}
		to = sniff(f, to_unit);
		c->to_factor = to ? to->factor : f->default_factor;
		c->to_name = to ? to->name : f->default_name;
		return;
	}
	c->to_name = bare_unit(to_unit);
}

double pyro_unit_conv_scale(const struct pyro_unit_conv *c, int64_t value,
			    const char **unit_out)
{
	const struct unit *to;
	double v;

	if (value < 0 && value != INT64_MIN)
		return -pyro_unit_conv_scale(c, -value, unit_out);
	if (!c->family) {
		*unit_out = c->to_name;
		return (double)value;
	}
	v = (double)value * c->from_factor;
	if (!c->pick) {
		*unit_out = c->to_name;
		return v / c->to_factor;
	}
	to = auto_unit(c->family, v);
	*unit_out = to ? to->name : c->family->default_name;
	return v / (to ? to->factor : c->family->default_factor);
}

double pyro_unit_scale(int64_t value, const char *from_unit,
		       const char *to_unit, const char **unit_out)
{
	struct pyro_unit_conv c;

	pyro_unit_conv_init(&c, from_unit, to_unit);
	return pyro_unit_conv_scale(&c, value, unit_out);
}

/* ---- numbers as printf prints them, without printf ---------------------- */

static const double pow10_exact[] = { 1, 10, 100, 1e3, 1e4, 1e5 };
static const uint64_t pow10_int[] = { 1, 10, 100, 1000, 10000, 100000 };

/* x (>= 0, finite) times 10^d rounded to an integer as printf rounds: the
 * exact binary value, ties to even.  fma gives the product's rounding error
 * exactly, so the one case a double cannot tell (is the fraction above,
 * below or at one half) is decided on x * 10^d itself.  Below 2^52 every
 * difference taken here is exact.  -ERANGE beyond that (the caller prints
 * it with printf). */
static int round_scaled(double x, int d, uint64_t *n)
{
	double p = x * pow10_exact[d], err, fl, half;

	if (!(p < 4503599627370496.0))          /* 2^52; NaN too */
		return -ERANGE;
	err = fma(x, pow10_exact[d], -p);       /* x * 10^d == p + err */
	fl = floor(p);
	half = (p - fl) - 0.5;                  /* a multiple of p's ulp */
	*n = (uint64_t)fl;
	/* |err| is at most half an ulp of p, so it decides only at half == 0. */
	if (half > 0 || (half == 0 && err > 0) ||
	    (half == 0 && err == 0 && (*n & 1)))
		(*n)++;
	return 0;
}

/* n / 10^d with d decimals, NUL-terminated at dst; returns the end. */
static char *put_fixed(char *dst, uint64_t n, int d)
{
	uint64_t ip = n / pow10_int[d], fp = n % pow10_int[d];
	char digits[24];
	int k = 0, i;

	do {
		digits[k++] = (char)('0' + ip % 10);
		ip /= 10;
	} while (ip);
	while (k)
		*dst++ = digits[--k];
	if (d) {
		*dst++ = '.';
		for (i = d - 1; i >= 0; i--) {
			dst[i] = (char)('0' + fp % 10);
			fp /= 10;
		}
		dst += d;
	}
	*dst = '\0';
	return dst;
}

void pyro_fmt_fixed(char dst[40], double v, int decimals)
{
	uint64_t n;
	char *p = dst;

	if (decimals < 0 || decimals > 5 || !isfinite(v) ||
	    round_scaled(fabs(v), decimals, &n)) {
		snprintf(dst, 40, "%.*f", decimals, v);
		return;
	}
	if (signbit(v))
		*p++ = '-';
	put_fixed(p, n, decimals);
}

/* Whether x >= 10^-k exactly (k <= 5): x * 10^k >= 1 on the exact product. */
static int at_least_pow10(double x, int k)
{
	double p = x * pow10_exact[k];

	return p > 1 || (p == 1 && fma(x, pow10_exact[k], -p) >= 0);
}

/* "%.2g" of x in [1e-4, 1): two significant digits in fixed notation,
 * trailing zeros dropped.  1 when it is outside (printf's job). */
static int put_g2(char dst[16], double x)
{
	uint64_t n;
	int e, d;
	char *end;

	for (e = 1; e <= 4 && !at_least_pow10(x, e); e++)
		;
	if (e > 4)
		return 1;
	d = e + 1;                      /* x is in [10^-e, 10^(1-e)) */
	if (round_scaled(x, d, &n))
		return 1;
	if (n == 100) {                 /* rounded up to 10^(1-e) */
		n = 10;
		d--;
	}
	end = put_fixed(dst, n, d);
	while (end[-1] == '0')
		*--end = '\0';
	if (end[-1] == '.')
		end[-1] = '\0';
	return 0;
}

void pyro_unit_label(char dst[PYRO_LABEL_MAX], int64_t value,
		     const char *from_unit, const char *to_unit)
{
	struct pyro_unit_conv c;

	pyro_unit_conv_init(&c, from_unit, to_unit);
	pyro_unit_conv_label(&c, dst, value);
}

void pyro_unit_conv_label(const struct pyro_unit_conv *c,
			  char dst[PYRO_LABEL_MAX], int64_t value)
{
	const char *unit;
	double v = pyro_unit_conv_scale(c, value, &unit);
	char num[40];
	size_t n;

	pyro_fmt_fixed(num, v, 2);
	n = strlen(num);
	if (n > 3 && !strcmp(num + n - 3, ".00"))
		num[n - 3] = '\0';
	if (!strcmp(num, "0") || !strcmp(num, "-0")) {
		strcpy(dst, "0");
		return;
	}
	snprintf(dst, PYRO_LABEL_MAX, "%s%s", num, unit);
}

/* s right-aligned in width 5, then "%" */
static void put_pct(char dst[PYRO_LABEL_MAX], const char *s)
{
	size_t n = strlen(s), pad = n < 5 ? 5 - n : 0;

	memset(dst, ' ', pad);
	memcpy(dst + pad, s, n);
	memcpy(dst + pad + n, "%", 2);
}

void pyro_percentage(char dst[PYRO_LABEL_MAX], int64_t value, int64_t total)
{
	double ratio = 0;
	char num[40];

	if (total != 0)
		ratio = fabs((double)value / (double)total) * 100;
	if (ratio >= 99.95 && ratio <= 100.05) {
		snprintf(dst, PYRO_LABEL_MAX, "  100%%");
	} else if (ratio >= 1.0) {
		pyro_fmt_fixed(num, ratio, 2);
		put_pct(dst, num);
	} else if (ratio == 0) {
		put_pct(dst, "0");
	} else if (!put_g2(num, ratio)) {
		put_pct(dst, num);
	} else {
		snprintf(dst, PYRO_LABEL_MAX, "%5.2g%%", ratio);
	}
}
