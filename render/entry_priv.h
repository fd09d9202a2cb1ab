/*
 * entry_priv.h - what the entry pages' two files share (inside render/):
 * entry.c (README.txt, summary.txt) and entry_html.c (the index.html
 * pages).  render.h is their interface; nothing else includes this.
 */
#ifndef PYRO_ENTRY_PRIV_H
#define PYRO_ENTRY_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "render.h"

/* "2026-11-24 10:15:00 UTC to 2026-11-24 10:30:00 UTC" (one time when
 * first == last), appended to out. */
int pyro_entry_put_period(struct pyro_buf *out, int64_t first, int64_t last);

/* Growth suspects of h (a function whose flat value rose in every interval
 * and never fell): indexes into h->funcs of up to `max` of them, largest
 * growth first, into *out (malloc'ed, the caller frees); *n their number. */
int pyro_entry_suspects(const struct pyro_history *h, size_t max, size_t **out,
			size_t *n);

#endif
