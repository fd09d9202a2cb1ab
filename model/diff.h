/*
 * diff.h - the difference between two nodes, as `pprof -diff_base` sees it.
 *
 * pprof subtracts the base: every base sample is added with its value
 * negated, percentages are of the base's total, and the header's Time and
 * Duration are those of the two profiles merged (earliest time, summed
 * durations).  A diff is therefore the union of both nodes' stacks where
 * stack.value = target - base and stacks.base[k] keeps the base value, so
 * renderers can also show both sides (folded: "stack base target").
 */
#ifndef PYRO_DIFF_H
#define PYRO_DIFF_H

#include "stacks.h"

/* Build the diff of target against base into out (initialised here;
 * release it even on failure).  Meta is the target's, with time and
 * duration merged as pprof does, base_total and base_span set. */
int pyro_diff_build(const struct pyro_stacks *base,
		    const struct pyro_stacks *target, const char *base_span,
		    struct pyro_stacks *out);

#endif
