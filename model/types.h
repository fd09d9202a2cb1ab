/*
 * types.h - Pyroscope's names for pprof sample types, and how each merges.
 *
 * A profile's sample types become type directories.  Go's runtime writes
 * generic names (contentions/delay for both mutex and block profiles,
 * objects/space in legacy heaps), so the name can depend on the other sample
 * types of the profile, its period type and the file's path.  The table is
 * documented in README.md ("Type names"); keep the two in step.
 */
#ifndef PYRO_TYPES_H
#define PYRO_TYPES_H

#include <stddef.h>

#include "profile.h"

#define PYRO_NAME_MAX 128

/* How snapshots of a series combine (see README "Merges"). */
enum pyro_series_kind {
	PYRO_KIND_RATE,         /* cpu, wall, ...: sum */
	PYRO_KIND_CUMULATIVE,   /* alloc_*, mutex_*, block_*: increase, if the
				 * content is monotonic; else sum */
	PYRO_KIND_GAUGE,        /* inuse_*, goroutines: mean */
};

/* The type directory name of sample type `index` of a profile found at
 * `path` (relative to the archive; used for the mutex/block decision). */
void pyro_type_name(const struct pyro_profile_header *h, size_t index,
		    const char *path, char name[PYRO_NAME_MAX]);

/* Replace every byte outside [A-Za-z0-9._-] with '_'; never "", "." or "..". */
void pyro_safe_name(const char *in, char out[PYRO_NAME_MAX]);

enum pyro_series_kind pyro_type_kind(const char *type_name);

#endif
