/*
 * jfr_parse.h - the parts of a Java Flight Recorder file: chunks, the
 * metadata event (jfr_meta.c), constant pools and values (jfr_parse.c);
 * private to fmt_jfr.c and its tests (see format.h for what the reader is
 * for).
 *
 * JFR has no published specification.  What this follows, as the JDK's
 * reader (jdk.jfr.internal.consumer) and async-profiler's writer agree:
 *
 *   A file is chunks back to back.  A chunk starts with a 68-byte header
 *   ("FLR\0", major, minor as big-endian u16, then seven big-endian i64:
 *   chunk size, constant-pool offset, metadata offset, start nanos,
 *   duration nanos, start ticks, ticks per second, then a u32 of feature
 *   bits whose bit 0 says integers are compressed), then events.
 *
 *   An event is its size (an int, counting itself), its type id (a long),
 *   then the fields of its type in declaration order.  Type 0 is the
 *   metadata event, type 1 a constant pool.  With compressed integers
 *   (every JDK since 11, async-profiler) char/short/int/long are LEB128:
 *   seven bits a byte, least significant first, the ninth byte of a long
 *   taking all eight bits; without, they are big-endian.
 *
 *   The metadata event holds a string table and a tree of elements (name,
 *   attributes, children); "class" elements (name, id, superType) have
 *   "field" children (name, class id, constantPool="true", dimension="1").
 *
 *   A constant pool event holds, for some classes, (key, value) pairs;
 *   a field marked constantPool holds a key into its class's pool.  Pools
 *   may come after the events that use them, so a chunk's pools are all
 *   read before its events.
 *
 *   A string is a tag byte: 0 null, 1 empty, 2 a key into the pool of
 *   java.lang.String, 3 UTF-8 (int length, bytes), 4 UTF-16 (int length,
 *   chars), 5 Latin-1 (int length, bytes).
 *
 * Everything is checked against the bytes that remain: a count larger than
 * the rest of the event is an error, not an allocation; nesting and string
 * references are followed to a fixed depth, so a cycle is an error.
 * Errors: 0 or a negative errno: -EINVAL malformed (bytes end early, a bad
 * tag), -EOVERFLOW a count larger than the bytes left, -ELOOP references or
 * nesting past PYRO_JFR_DEPTH_MAX, -ENOMEM, -EFBIG when the pool index would
 * pass the memory budget; an err argument gets a one-line reason.
 */
#ifndef PYRO_JFR_PARSE_H
#define PYRO_JFR_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "profile.h"

#define PYRO_JFR_HEADER_SIZE 68u
/* How deep inline values, string references and metadata elements nest. */
#define PYRO_JFR_DEPTH_MAX 32
#define PYRO_JFR_DEPTH_MAX_STR "32"

/* A cursor over bytes [p, end) of one event; compressed says how integers
 * are written. */
struct pyro_jfr_rd {
	const unsigned char *p;
	const unsigned char *end;
	int compressed;
};

/* A few words for one of the errors above, for messages. */
const char *pyro_jfr_why(int rc);

/* The integer readers: 0, or -EINVAL at the end of the bytes or for an
 * overlong varint.  int/short/char values are truncated to 32/16 bits as
 * the JDK's reader does. */
int pyro_jfr_u8(struct pyro_jfr_rd *r, uint8_t *v);
int pyro_jfr_varint(struct pyro_jfr_rd *r, uint64_t *v);   /* LEB128 only */
int pyro_jfr_long(struct pyro_jfr_rd *r, int64_t *v);
int pyro_jfr_int(struct pyro_jfr_rd *r, int32_t *v);
/* An int used as a count: 0..INT32_MAX and at most the bytes left (every
 * element takes at least one byte), else -EOVERFLOW. */
int pyro_jfr_count(struct pyro_jfr_rd *r, size_t *n);

struct pyro_jfr_header {
	uint16_t major, minor;
	uint64_t size;                  /* bytes of the chunk, header included */
	uint64_t cp_offset;             /* from the chunk start */
	uint64_t meta_offset;           /* from the chunk start */
	int64_t start_nanos;            /* wall clock, since the epoch */
	int64_t duration_nanos;
	int64_t start_ticks;
	int64_t ticks_per_second;
	uint32_t features;              /* bit 0: compressed integers */
};

/* Parse the header at p (len bytes available from the chunk start) and
 * check it: magic, version 1 or 2, size within len, offsets within size. */
int pyro_jfr_header_parse(const unsigned char *p, size_t len,
			  struct pyro_jfr_header *h, char err[PYRO_ERR_MAX]);

/* How a class's values are written. */
enum pyro_jfr_kind {
	PYRO_JFR_STRUCT,        /* its fields in order */
	PYRO_JFR_BOOLEAN, PYRO_JFR_BYTE, PYRO_JFR_CHAR, PYRO_JFR_SHORT,
	PYRO_JFR_INT, PYRO_JFR_LONG, PYRO_JFR_FLOAT, PYRO_JFR_DOUBLE,
	PYRO_JFR_STRING,
};

struct pyro_jfr_field {
	const char *name;               /* in the metadata's strings */
	uint64_t type;                  /* class id */
	unsigned cp : 1;                /* a key into type's pool */
	unsigned array : 1;             /* an int count, then the values */
};

struct pyro_jfr_class {
	uint64_t id;
	const char *name;               /* "jdk.ExecutionSample" */
	enum pyro_jfr_kind kind;
	size_t field0;                  /* its fields: fields[field0..+nfields) */
	size_t nfields;
};

/* A chunk's metadata: classes sorted by id.  Strings are owned copies. */
struct pyro_jfr_meta {
	char **strings;
	size_t nstrings;
	struct pyro_jfr_class *classes;
	size_t nclasses;
	struct pyro_jfr_field *fields;
	size_t nfields;
};

/* Parse the body of a metadata event (r after the event's size and type).
 * m is zeroed first; release it on success and failure alike. */
int pyro_jfr_meta_parse(struct pyro_jfr_rd *r, struct pyro_jfr_meta *m,
			char err[PYRO_ERR_MAX]);
void pyro_jfr_meta_release(struct pyro_jfr_meta *m);
/* Borrowed from m; NULL if absent. */
const struct pyro_jfr_class *pyro_jfr_class_by_id(const struct pyro_jfr_meta *m,
						  uint64_t id);
const struct pyro_jfr_class *pyro_jfr_class_by_name(const struct pyro_jfr_meta *m,
						    const char *name);

/* One constant-pool entry: where its value starts in the chunk. */
struct pyro_jfr_cp_slot {
	uint64_t cls;
	uint64_t key;
	size_t off;                     /* SIZE_MAX: empty slot */
};

/* A chunk opened for reading events: header, metadata, and an index of
 * every constant-pool entry.  base is borrowed from the caller's file. */
struct pyro_jfr_chunk {
	const unsigned char *base;
	size_t len;                     /* == header.size */
	struct pyro_jfr_header header;
	struct pyro_jfr_meta meta;
	struct pyro_jfr_cp_slot *cp;    /* open addressing, cp_cap a power of 2 */
	size_t cp_cap;
	size_t cp_used;
	uint64_t string_class;          /* id of java.lang.String, 0 if none */
};

/* Open the chunk at base (avail bytes from there to the end of the file):
 * header, metadata, constant pools.  The pool index counts against
 * *budget (bytes; decreased by what it takes; -EFBIG when it would go
 * below zero).  c is zeroed first; release it on success and failure. */
int pyro_jfr_chunk_open(const unsigned char *base, size_t avail,
			size_t *budget, struct pyro_jfr_chunk *c,
			char err[PYRO_ERR_MAX]);
void pyro_jfr_chunk_release(struct pyro_jfr_chunk *c);

/* The event at *pos (a chunk offset, start at PYRO_JFR_HEADER_SIZE): its
 * type and a reader over its fields; *pos moves past it.  1 for an
 * event, 0 at the end of the chunk, -EINVAL for a bad size. */
int pyro_jfr_event_next(const struct pyro_jfr_chunk *c, size_t *pos,
			uint64_t *type, struct pyro_jfr_rd *body);

/* Skip one value of field f (array, key or inline value). */
int pyro_jfr_skip_field(const struct pyro_jfr_chunk *c, struct pyro_jfr_rd *r,
			const struct pyro_jfr_field *f);

/* A reader at the pooled value (cls, key): 0, or 1 if the pool has no
 * such key (JFR writes key 0 for null; a dangling key reads as null too,
 * as the JDK's reader does). */
int pyro_jfr_cp_get(const struct pyro_jfr_chunk *c, uint64_t cls,
		    uint64_t key, struct pyro_jfr_rd *at);

/* Read a string value, appended to out as UTF-8; *is_null set for a null
 * string.  c may be NULL (the metadata's own strings): a string that
 * refers to a constant pool is then -EINVAL. */
int pyro_jfr_string(const struct pyro_jfr_chunk *c, struct pyro_jfr_rd *r,
		    struct pyro_buf *out, int *is_null);

/* Field `name` of an inline value of class cls at r: r moves to its start
 * (skipping the fields before it) and *f names it.  -ENOENT if cls has no
 * such field. */
int pyro_jfr_seek(const struct pyro_jfr_chunk *c, struct pyro_jfr_rd *r,
		  const struct pyro_jfr_class *cls, const char *name,
		  const struct pyro_jfr_field **f);

/* Read the non-array field f at r as a value of its class: a pooled key is
 * followed, so *at reads the value itself; r moves past the field either
 * way.  0, or 1 for null. */
int pyro_jfr_deref(const struct pyro_jfr_chunk *c, struct pyro_jfr_rd *r,
		   const struct pyro_jfr_field *f, struct pyro_jfr_rd *at);

/* The text of the value of class cls at r: a string, or (for a class such
 * as jdk.types.Symbol) its field "string"; appended to out.  *is_null for
 * null. */
int pyro_jfr_text(const struct pyro_jfr_chunk *c, struct pyro_jfr_rd *r,
		  const struct pyro_jfr_class *cls, struct pyro_buf *out,
		  int *is_null);

#endif
