/*
 * flame_color.h - the colours of flame.svg and icicle.svg.
 *
 * A frame's colour depends only on its function's package, so a package
 * looks the same in every graph (cpu, heap, a diff's base and target...);
 * colours must not change when the model's hash does (FNV-1a of the
 * package bytes here).  Diffs colour by change.
 * Colours are 0xRRGGBB.
 */
#ifndef PYRO_FLAME_COLOR_H
#define PYRO_FLAME_COLOR_H

#include <stddef.h>
#include <stdint.h>

#include "../model/stacks.h"

/* The fill of a function: from its package alone (hue, saturation and
 * lightness all from the package name's hash), so a package has one colour
 * in every graph, of any type, as in pprof and Pyroscope.  Hues stay in
 * 0..290 degrees and lightness >= 0.6 (black labels stay readable), which
 * leaves magenta to search matches (.hit in flame.css). */
unsigned pyro_flame_name_color(const char *p, size_t n);

/* Differential colour: red where a frame grew, blue where it shrank,
 * stronger the larger |delta| / value (flame.c passes value = |base| +
 * |target|, so the scale is symmetric around zero: full red for a new
 * frame, full blue for a vanished one); a frame that did not change is
 * light grey. */
unsigned pyro_flame_diff_color(int64_t delta, int64_t value);


#endif
