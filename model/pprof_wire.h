/*
 * pprof_wire.h - the protobuf wire decoder of profile.proto (inside model/).
 *
 * Owns: the wire format (varints, tags, length prefixes, wire types), the
 * field numbers of proto/profile.proto, the decoded message as flat rows
 * (struct pyro_wire_msg: every field as stored, ids not yet resolved,
 * strings pointing into the caller's bytes) and decoding while a helper
 * thread inflates (struct pyro_wire_stream).  It accepts and rejects
 * exactly what protobuf-c's unpack does (tests/unit/test_wire.c).
 *
 * Does not own: reading files and gzip (pprof_read.c), what the fields mean
 * (string indexes, ids, references, pruning: profile.c), aggregation
 * (pprof_stacks.c).  Only the model/pprof_*.c files and profile.c include
 * it; everything else goes through profile.h.
 */
#ifndef PYRO_PPROF_WIRE_H
#define PYRO_PPROF_WIRE_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* A string table entry: bytes inside the profile's data, not terminated. */
struct pyro_wire_str {
	const char *ptr;
	size_t len;
};

struct pyro_wire_vt {                    /* ValueType */
	int64_t type, unit;
};

struct pyro_wire_function {
	uint64_t id;
	int64_t name, system_name, filename;
};

struct pyro_wire_mapping {
	uint64_t id;
	int64_t filename, build_id;
};

struct pyro_wire_location {
	uint64_t id, mapping_id, address;
	size_t line;            /* first entry in line_fn */
	uint32_t nlines;
};

struct pyro_wire_sample {
	size_t loc;             /* first entry in loc_ids */
	size_t val;             /* first entry in vals */
	uint32_t nlocs;
	uint32_t nvals;
};

/* A sample's Label, kept in a pool of its own in sample order (so samples
 * without labels cost nothing): string indexes are checked only when
 * labels are read (see pyro_profile_labels). */
struct pyro_wire_label {
	size_t sample;          /* index of its sample */
	int64_t key, str, num, num_unit;
};

/* The decoded message: everything as stored, ids not yet resolved. */
struct pyro_wire_msg {
	struct pyro_wire_str *strs;
	size_t nstrs, strs_cap;
	struct pyro_wire_vt *sample_types;
	size_t nsample_types, sample_types_cap;
	struct pyro_wire_sample *samples;
	size_t nsamples, samples_cap;
	struct pyro_wire_mapping *mappings;
	size_t nmappings, mappings_cap;
	struct pyro_wire_location *locations;
	size_t nlocations, locations_cap;
	struct pyro_wire_function *functions;
	size_t nfunctions, functions_cap;
	uint32_t *loc_ids;      /* all samples' location ids, then indexes */
	uint64_t *loc_wide;     /* the ids instead, if one needs 64 bits */
	size_t nloc_ids, loc_ids_cap;
	uint64_t loc_id_min, loc_id_max;  /* over loc_ids (when nloc_ids) */
	int64_t *vals;          /* all samples' values */
	size_t nvals, vals_cap;
	uint64_t *line_fn;      /* all locations' lines: function ids */
	int64_t *line_no;       /* and their line numbers (pprof -list) */
	size_t nlines, lines_cap, line_no_cap;
	int64_t *comments;
	size_t ncomments, comments_cap;
	struct pyro_wire_label *labels;  /* all samples' labels, by sample */
	size_t nlabels, labels_cap;
	int has_period_type;
	struct pyro_wire_vt period_type;
	int64_t drop_frames, keep_frames, time_nanos, duration_nanos, period;
	int64_t default_sample_type, doc_url;
};

/*
 * Inflating while decoding.  A big gzipped profile is inflated by a helper
 * thread into a buffer of its final size (the gzip trailer's ISIZE), while
 * the decoder follows it field by field, waiting only when it catches up.
 * Decoding then costs nearly nothing on top of inflating, on a second
 * core.  Anything unexpected (ISIZE wrong, several gzip members, corrupt
 * data, a decode error) abandons the stream: the caller starts over the
 * plain way, which also words the error.
 */
#define PYRO_WIRE_ERR_STREAM (-EAGAIN)   /* abandoned: start over */
#define PYRO_WIRE_STREAM_MIN (1u << 20)  /* smaller profiles: not worth a thread */

struct pyro_wire_stream {
	const struct pyro_buf *in;      /* gzip bytes */
	char *out;                      /* size bytes + NUL */
	size_t size;                    /* expected inflated size */
	atomic_size_t avail;            /* bytes inflated so far */
	atomic_int state;               /* 0 running, 1 done, -1 failed */
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

/* The thread body of a stream: inflate st->in into st->out, publishing
 * progress; st->state ends 1 if all st->size bytes came out exactly. */
void *pyro_wire_stream_inflate(void *arg);

/* pyro_wire_stream_wait once the bytes are not there yet: sleep until they
 * are or the stream ends. */
int pyro_wire_stream_block(struct pyro_wire_stream *st, size_t need);

/* Wait until need bytes of st are inflated: 0, or PYRO_WIRE_ERR_STREAM if
 * they never will be.  Inline: the decoder asks before every top-level
 * field, and the bytes are nearly always there. */
static inline int pyro_wire_stream_wait(struct pyro_wire_stream *st,
					size_t need)
{
	if (atomic_load_explicit(&st->avail, memory_order_acquire) >= need)
		return 0;
	return pyro_wire_stream_block(st, need);
}

/* Decode a Profile from data[0..len) into m (overwritten; release it with
 * pyro_wire_msg_release even on failure).  With headers_only, samples,
 * mappings, locations and functions are skipped unread (but must still be
 * length-prefixed, as a message field must).  st, if not NULL, is the
 * stream still filling data.  0, -EINVAL (not a Profile on the wire),
 * -ENOMEM or PYRO_WIRE_ERR_STREAM. */
int pyro_wire_parse(struct pyro_wire_msg *m, const uint8_t *data, size_t len,
		    int headers_only, struct pyro_wire_stream *st);

/* Every top-level field's wire structure is sound and no field is number
 * 0: the cheap first test of the header peek ("is this protobuf at all"),
 * with pprof-friendly leniency (any varint length, 64-bit lengths).
 * 0 or -EINVAL. */
int pyro_wire_sound(const uint8_t *p, size_t len);

/* Free m's rows and zero it. */
void pyro_wire_msg_release(struct pyro_wire_msg *m);

#endif
