/*
 * flame_color.h - the colours of flame.svg and icicle.svg.
 *
 * Colours depend only on the profile type (a palette) and the function name
 * (hue from its package, shade from the whole name), so a function has one
 * colour in every file of a kind; they must not change when the model's
 * hash does (FNV-1a of the name bytes here).  Diffs colour by change.
 * Colours are 0xRRGGBB.
 */
#ifndef PYRO_FLAME_COLOR_H
#define PYRO_FLAME_COLOR_H

#include <stddef.h>
#include <stdint.h>

#include "../model/stacks.h"

/* Colour families, chosen by the profile type. */
enum pyro_flame_palette {
	PYRO_PAL_HOT,                /* cpu, wall: reds, oranges, yellows */
	PYRO_PAL_MEM,                /* alloc_*, inuse_*, *space, *bytes: greens */
	PYRO_PAL_LOCK,               /* mutex_*, block_*, contentions, delay: blues */
	PYRO_PAL_GOROUTINE,          /* goroutines: purples */
	PYRO_PAL_OTHER,              /* anything else: a neutral warm (tan) */
};

/* The palette of a profile type: pyrofs's type name, else the sample type. */
enum pyro_flame_palette pyro_flame_palette(const struct pyro_meta *m);

/* The fill of a function: hue from its package within the palette's range,
 * saturation and lightness from the whole name p[0..n). */
unsigned pyro_flame_name_color(enum pyro_flame_palette pal, const char *p,
			       size_t n);

/* Differential colour: red where a frame grew, blue where it shrank,
 * stronger the larger |delta| / value (flame.c passes value = |base| +
 * |target|, so the scale is symmetric around zero: full red for a new
 * frame, full blue for a vanished one); a frame that did not change is
 * light grey. */
unsigned pyro_flame_diff_color(int64_t delta, int64_t value);

/* The fill of search matches, "#rrggbb", contrasting with the palette. */
const char *pyro_flame_hit_color(enum pyro_flame_palette pal);

#endif
