/*
 * pprof_priv.h - what the parts of the pprof reader share (inside model/).
 *
 * profile.h is the reader's interface; its code is four files: pprof_read.c
 * (files and gzip), pprof_wire.c (the protobuf wire format), profile.c
 * (validation, ids, pruning, peek and load) and pprof_stacks.c (stacks and
 * labels of a decoded profile).  This header holds the decoded profile and
 * the helpers they have in common; nothing outside those files includes it.
 */
#ifndef PYRO_PPROF_PRIV_H
#define PYRO_PPROF_PRIV_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "profile.h"
#include "pprof_wire.h"

/* Maps a non-zero 64-bit id to an array index.  nslots == 0 means the ids
 * are dense (id == index + 1) and no table exists. */
struct id_map {
	uint64_t *keys;         /* 0 = empty slot */
	uint32_t *vals;
	size_t nslots;          /* power of two, or 0 when dense */
	size_t n;               /* entries (for the dense case) */
};

struct pyro_profile {
	struct pyro_buf data;           /* owned: the protobuf bytes */
	struct pyro_wire_msg m;
	struct pyro_value_type *types;  /* owned: sample types (see fallback) */
	size_t ntypes;
	struct id_map functions;        /* function id -> index */
	struct id_map locations;        /* location id -> index */
	struct id_map mappings;         /* mapping id -> index */
	uint32_t *line_first;           /* per location: first line kept */
	uint8_t *prune;                 /* per location: 1 drop, 2 drop beneath */
	int any_prune;                  /* some location is marked */
};

enum { PRUNE_NONE, PRUNE_WHOLE, PRUNE_BENEATH };

static inline uint64_t id_hash(uint64_t id)
{
	id ^= id >> 31;
	id *= 0x9e3779b97f4a7c15ULL;
	return id ^ (id >> 29);
}

static inline int id_map_get(const struct id_map *map, uint64_t id,
			     uint32_t *val)
{
	size_t i;

	if (id == 0)
		return -ENOENT;
	if (!map->nslots) {
		if (id > map->n)
			return -ENOENT;
		*val = (uint32_t)(id - 1);
		return 0;
	}
	for (i = id_hash(id) & (map->nslots - 1); map->keys[i];
	     i = (i + 1) & (map->nslots - 1)) {
		if (map->keys[i] == id) {
			*val = map->vals[i];
			return 0;
		}
	}
	return -ENOENT;
}

/* Word err (PYRO_ERR_MAX bytes) printf-style. */
void pyro_pprof_err(char err[PYRO_ERR_MAX], const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* 1 if i indexes m's string table.  Table entries are not NUL-terminated:
 * copy them with pyro_pprof_str_dup before using them as C strings. */
int pyro_pprof_str_ok(const struct pyro_wire_msg *m, int64_t i);

/* A C string copy of string i (free() it), or NULL when out of range or
 * out of memory. */
char *pyro_pprof_str_dup(const struct pyro_wire_msg *m, int64_t i);

/* Read the open file fd (borrowed) whole into raw, at most max_size
 * bytes. */
int pyro_pprof_read_fd(int fd, size_t max_size, struct pyro_buf *raw,
		       char err[PYRO_ERR_MAX]);

/* raw's bytes into out, inflated if gzipped (at most max_size bytes);
 * *compressed whether they were. */
int pyro_pprof_unpack(struct pyro_buf *raw, size_t max_size,
		      struct pyro_buf *out, int *compressed,
		      char err[PYRO_ERR_MAX]);

/* The foreign format (format.h) raw holds, looking at the first inflated
 * bytes if it is gzipped, or NULL for pprof and anything unknown. */
struct pyro_format;
const struct pyro_format *pyro_pprof_foreign(const struct pyro_buf *raw);

#endif
