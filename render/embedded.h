/*
 * embedded.h - text files compiled into the library at build time.
 *
 * The flame graph's behaviour and look are JavaScript and CSS: they live in
 * render/flame.js and render/flame.css (graph.svg's in render/graph.js), where editors, `node --check` (run
 * with the unit tests) and people read them as what they are, and
 * scripts/embed.sh turns each into a C array in $(O)/gen/ (see Makefile).
 * Each array holds the file's bytes exactly, then a NUL not counted in
 * _len.  Both are fixed text: never any data.
 */
#ifndef PYRO_EMBEDDED_H
#define PYRO_EMBEDDED_H

#include <stddef.h>

/* render/flame.js: the script inside flame.svg's CDATA section. */
extern const char pyro_flame_js[];
extern const size_t pyro_flame_js_len;

/* render/flame.css: the style. */
extern const char pyro_flame_css[];
extern const size_t pyro_flame_css_len;

/* render/graph.js: graph.svg's pan and zoom script. */
extern const char pyro_graph_js[];
extern const size_t pyro_graph_js_len;

#endif
