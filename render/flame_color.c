/*
 * flame_color.c - the colours of the flame graphs; see flame_color.h.
 */
#include "flame_color.h"

#include <math.h>
#include <stdbool.h>

/* FNV-1a, 32 bits: colours must not change when the model's hash does. */
static uint32_t color_hash(const char *p, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

/* Length of a name's package, as pprof and Pyroscope take it:
 *  - "a::b::f" (C++, Rust): up to the last "::" ("a::b");
 *  - a name with '/': the path to its last '/' then up to the next '.'
 *    (Go "net/http.(*conn).serve" -> "net/http");
 *  - dotted names of 3 parts or more without '(' (Java
 *    "com.acme.Cart.add"): the parts before the first that starts with
 *    an upper-case letter ("com.acme"), at least the first;
 *  - else up to the first '.' (Go "main.main" -> "main", "runtime.x");
 *  - else the whole name ("malloc", "0x4f1984"). */
static size_t package_len(const char *p, size_t n)
{
	size_t i, start = 0, dots = 0, cut = 0;
	bool paren = false;

	for (i = n; i > 1; i--)
		if (p[i - 1] == ':' && p[i - 2] == ':')
			return i - 2;
	for (i = 0; i < n && p[i] != '(' && p[i] != ' '; i++)
		if (p[i] == '/')
			start = i + 1;
	for (i = start; i < n; i++) {
		if (p[i] == '(' || p[i] == ' ')
			paren = true;
		if (p[i] == '.' && !paren) {
			dots++;
			if (!cut)
				cut = i;
		}
	}
	if (!cut)
		return start ? start - 1 : n;
	if (start || paren || dots < 2)
		return cut;
	for (i = cut; i + 1 < n; i++)
		if (p[i] == '.' && p[i + 1] >= 'A' && p[i + 1] <= 'Z')
			return i;
	return cut;
}

static unsigned hsl_rgb(double hue, double sat, double light)
{
	double c = (1.0 - fabs(2.0 * light - 1.0)) * sat;
	double h = fmod(hue, 360.0) / 60.0;
	double x = c * (1.0 - fabs(fmod(h, 2.0) - 1.0));
	double m = light - c / 2.0, r = 0, g = 0, b = 0;

	switch ((int)h) {
	case 0: r = c; g = x; break;
	case 1: r = x; g = c; break;
	case 2: g = c; b = x; break;
	case 3: g = x; b = c; break;
	case 4: r = x; b = c; break;
	default: r = c; b = x; break;
	}
	return (unsigned)lround((r + m) * 255.0) << 16 |
	       (unsigned)lround((g + m) * 255.0) << 8 |
	       (unsigned)lround((b + m) * 255.0);
}

unsigned pyro_flame_name_color(const char *p, size_t n)
{
	uint32_t h = color_hash(p, package_len(p, n));
	double hue = (double)(h % 1024) / 1023.0 * 290.0;
	double sat = 0.55 + (double)((h >> 10) & 0xff) / 255.0 * 0.25;
	double light = 0.60 + (double)((h >> 18) & 0xff) / 255.0 * 0.12;

	return hsl_rgb(hue, sat, light);
}

unsigned pyro_flame_diff_color(int64_t delta, int64_t value)
{
	double i = value > 0 ? fabs((double)delta) / (double)value : 1;
	unsigned dim, full;

	if (i > 1)
		i = 1;
	dim = (unsigned)lround(230 * (1 - 0.8 * i));
	full = (unsigned)lround(230 + 25 * i);
	if (delta > 0)
		return full << 16 | dim << 8 | dim;
	if (delta < 0)
		return dim << 16 | dim << 8 | full;
	return 230u << 16 | 230u << 8 | 230u;
}
