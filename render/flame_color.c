/*
 * flame_color.c - the colours of the flame graphs; see flame_color.h.
 */
#include "flame_color.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* A palette: hue range in degrees, saturation and lightness ranges in
 * [0, 1], and the fill of search matches (contrasting with the family). */
struct palette {
	double hue, hue_span, sat, sat_span, light, light_span;
	const char *hit;
};

static const struct palette palettes[] = {
	[PYRO_PAL_HOT]       = {   0, 50, 0.75, 0.20, 0.52, 0.10, "#e03ce0" },
	[PYRO_PAL_MEM]       = {  80, 70, 0.45, 0.20, 0.45, 0.15, "#e03ce0" },
	[PYRO_PAL_LOCK]      = { 195, 40, 0.50, 0.25, 0.52, 0.16, "#ff8a00" },
	[PYRO_PAL_GOROUTINE] = { 255, 40, 0.40, 0.20, 0.58, 0.14, "#2cb82c" },
	[PYRO_PAL_OTHER]     = {  25, 20, 0.30, 0.15, 0.55, 0.11, "#e03ce0" },
};

/* FNV-1a, 32 bits: colours must not change when the model's hash does. */
static uint32_t color_hash(const char *p, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

/* Case-insensitive ASCII prefix and suffix tests. */
static bool starts(const char *s, const char *pre)
{
	return strncasecmp(s, pre, strlen(pre)) == 0;
}

static bool ends(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcasecmp(s + n - m, suf) == 0;
}

enum pyro_flame_palette pyro_flame_palette(const struct pyro_meta *m)
{
	const char *t = m->type ? m->type : m->sample_type ? m->sample_type : "";

	if (starts(t, "goroutine"))
		return PYRO_PAL_GOROUTINE;
	if (starts(t, "mutex") || starts(t, "block") || starts(t, "lock") ||
	    !strcasecmp(t, "contentions") || !strcasecmp(t, "delay"))
		return PYRO_PAL_LOCK;
	if (starts(t, "alloc") || starts(t, "inuse") || ends(t, "space") ||
	    ends(t, "bytes") || ends(t, "objects"))
		return PYRO_PAL_MEM;
	if (starts(t, "cpu") || starts(t, "wall") || !strcasecmp(t, "samples") ||
	    !strcasecmp(t, "sample") || !strcasecmp(t, "itimer"))
		return PYRO_PAL_HOT;
	return PYRO_PAL_OTHER;
}

/* Length of a name's package: the part before the last '.', '/' or "::"
 * (Go "net/http.(*conn).serve" -> "net/http.(*conn)", Java
 * "com.acme.Cart.add" -> "com.acme.Cart"), or the whole name. */
static size_t package_len(const char *p, size_t n)
{
	size_t i;

	for (i = n; i > 1; i--)
		if (p[i - 1] == '.' || p[i - 1] == '/' ||
		    (p[i - 1] == ':' && p[i - 2] == ':'))
			return p[i - 1] == ':' ? i - 2 : i - 1;
	return n;
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

unsigned pyro_flame_name_color(enum pyro_flame_palette pal, const char *p,
			       size_t n)
{
	const struct palette *ps = &palettes[pal];
	uint32_t hp = color_hash(p, package_len(p, n));
	uint32_t hn = color_hash(p, n);
	double hue = ps->hue + (double)(hp % 1024) / 1023.0 * ps->hue_span;
	double sat = ps->sat + (double)(hn & 0xff) / 255.0 * ps->sat_span;
	double light = ps->light + (double)((hn >> 8) & 0xff) / 255.0 *
		       ps->light_span;

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

const char *pyro_flame_hit_color(enum pyro_flame_palette pal)
{
	return palettes[pal].hit;
}
