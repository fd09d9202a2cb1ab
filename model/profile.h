/*
 * profile.h - read pprof profiles: sniff, inflate, decode, validate, prune.
 *
 * A profile file is recognised by content: gzip magic (1f 8b) means gzipped
 * profile.proto, anything else is tried as raw profile.proto.  Two levels of
 * reading exist because mounting must stay cheap:
 *
 *   pyro_profile_peek()  inflates and reads only the top-level header fields
 *                        (sample types, period type, times, string table),
 *                        skipping samples, locations, functions and mappings:
 *                        enough to index the archive.
 *   pyro_profile_load()  decodes everything, checks every reference and
 *                        applies drop_frames/keep_frames as pprof does; then
 *                        pyro_profile_stacks() aggregates one sample type.
 *
 * Errors: 0 or a negative errno; on failure `err` (PYRO_ERR_MAX bytes) holds a
 * one-line reason fit for /.pyrofs/errors ("truncated gzip data", "sample 3
 * references missing location 17", ...).
 */
#ifndef PYRO_PROFILE_H
#define PYRO_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "stacks.h"

#define PYRO_ERR_MAX 256

/* A sample type or period type, as stored ("cpu", "nanoseconds"). */
struct pyro_value_type {
	char *type;             /* owned */
	char *unit;             /* owned */
};

/* What indexing needs to know of a profile. */
struct pyro_profile_header {
	struct pyro_value_type *types;  /* sample types; owned array */
	size_t ntypes;
	struct pyro_value_type period_type;     /* NULL strings if absent */
	int64_t period;
	int64_t time_nanos;             /* 0 if absent */
	int64_t duration_nanos;
	char *default_type;             /* default_sample_type, or NULL */
	int compressed;                 /* 1 if the file was gzipped */
};

struct pyro_profile;    /* a fully decoded profile; opaque */

/* Read path whole and inflate it if gzipped, refusing more than max_size
 * bytes of decompressed data (without allocating them).  out receives the
 * raw protobuf bytes; *compressed whether it was gzipped. */
int pyro_profile_read(const char *path, size_t max_size, struct pyro_buf *out,
		      int *compressed, char err[PYRO_ERR_MAX]);

/* pyro_profile_read of an open file (fd is borrowed: not closed; read from
 * its current offset).  Archive files come this way, opened by
 * pyro_open_beneath (safeopen.h); a path above is opened with only its last
 * component guarded (no symlink, regular files only). */
int pyro_profile_read_fd(int fd, size_t max_size, struct pyro_buf *out,
			 int *compressed, char err[PYRO_ERR_MAX]);

/* pyro_profile_read_fd with the caller's buffer for the file's bytes as
 * read (raw: overwritten, kept for the next call; release it when done),
 * so that a loop over many files allocates nothing per file. */
int pyro_profile_read_fd_with(int fd, size_t max_size, struct pyro_buf *raw,
			      struct pyro_buf *out, int *compressed,
			      char err[PYRO_ERR_MAX]);

/* Decode the header of protobuf bytes.  A profile with no sample types but a
 * period type reports the period type as its only sample type (as pprof). */
int pyro_profile_peek_data(const void *data, size_t len,
			   struct pyro_profile_header *h, char err[PYRO_ERR_MAX]);

/* pyro_profile_read + pyro_profile_peek_data. */
int pyro_profile_peek(const char *path, size_t max_size,
		      struct pyro_profile_header *h, char err[PYRO_ERR_MAX]);

void pyro_profile_header_release(struct pyro_profile_header *h);

/* Decode and validate protobuf bytes fully.  *out is owned by the caller:
 * free it with pyro_profile_free(). */
int pyro_profile_decode(const void *data, size_t len, struct pyro_profile **out,
			char err[PYRO_ERR_MAX]);

/* pyro_profile_read + pyro_profile_decode. */
int pyro_profile_load(const char *path, size_t max_size,
		      struct pyro_profile **out, char err[PYRO_ERR_MAX]);

/* pyro_profile_read_fd + pyro_profile_decode (fd borrowed). */
int pyro_profile_load_fd(int fd, size_t max_size, struct pyro_profile **out,
			 char err[PYRO_ERR_MAX]);

void pyro_profile_free(struct pyro_profile *p);

/* Number of sample types (after the period-type fallback). */
size_t pyro_profile_ntypes(const struct pyro_profile *p);

/* Aggregate sample type `index` into out (initialised here; release it with
 * pyro_stacks_release even on failure).  Fills meta's sample type, unit,
 * file, build id, comments, doc url, time and duration; nsnapshots = 1. */
int pyro_profile_stacks(const struct pyro_profile *p, size_t index,
			struct pyro_stacks *out, char err[PYRO_ERR_MAX]);

/* ---- labels (see labels.h for how they are counted) ------------------- */

struct pyro_label_set;

/* The labels of the profile's samples, with per key and value the total of
 * sample type type_index; out is initialised here and finished (release
 * it with pyro_label_set_release even on failure).  -EINVAL for a type
 * index out of range. */
int pyro_profile_labels(const struct pyro_profile *p, size_t type_index,
			struct pyro_label_set *out);

/* pyro_profile_stacks of the samples carrying label key=value only: value
 * is a string label's bytes or a numeric label's decimal integer ("4096",
 * "-3": exactly as pyro_label_value.text has it).  value NULL keeps the
 * samples that do not carry key at all.  Meta as pyro_profile_stacks. */
int pyro_profile_stacks_filtered(const struct pyro_profile *p, size_t index,
				 const char *key, size_t key_len,
				 const char *value, size_t value_len,
				 struct pyro_stacks *out, char err[PYRO_ERR_MAX]);

#endif
