/*
 * stacks_builder.h - build a struct pyro_stacks by hand, for tests.
 *
 * Text format, one stack per line, root first, like folded output:
 *
 *     main;foo;bar 10
 *     main;^inl;bar 5
 *      7
 *
 * Frames are separated by ';' and followed by one space and a signed decimal
 * value; a line holding only " VALUE" is an empty stack.  A frame written
 * "^name" is an inlined callee of the frame before it (PYRO_REF_INLINE).  A
 * frame written "name=node" gets a top.txt node name different from its
 * folded name ("0x4f1984=[app]"); otherwise both names are equal.  Blank
 * lines are skipped; repeated stacks add up, as pyro_stacks_add does.
 *
 * Meta strings are owned by the stacks; sb_set() replaces one with a copy.
 * Error convention: 0 or a negative errno (-EINVAL for a malformed line).
 */
#ifndef PYRO_STACKS_BUILDER_H
#define PYRO_STACKS_BUILDER_H

#include "../../model/stacks.h"

/* Initialise s and fill it from text.  On failure s is released. */
int sb_build(struct pyro_stacks *s, const char *text);

/* Replace *field (a meta string of s) by a copy of value (NULL allowed). */
int sb_set(char **field, const char *value);

/* Set meta.sample_type and meta.sample_unit. */
int sb_type(struct pyro_stacks *s, const char *type, const char *unit);

#endif
