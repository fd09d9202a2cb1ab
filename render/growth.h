/*
 * growth.h - the ranking of growth.txt, shared with timeline.svg (inside
 * render/ only), so that the lines drawn are the rows listed first.
 */
#ifndef PYRO_GROWTH_H
#define PYRO_GROWTH_H

#include <stddef.h>

#include "../model/history.h"

/* The indexes into h->funcs of the functions whose flat value grew, largest
 * growth first (then by slope, then by name bytewise): *order is allocated
 * here (nfuncs + 1 entries; the caller frees it), *n is set.  0 or
 * -ENOMEM. */
int pyro_growth_rank(const struct pyro_history *h, size_t **order, size_t *n);

#endif
