/*
 * pprof_wire_scan.h - reading the protobuf wire format, for pprof_wire.c
 * only: profile.proto's field numbers, varints, and the next field of a
 * message checked as protobuf-c's scan checks it.  Inline, as the decoder
 * calls them for every field of every sample.
 */
#ifndef PYRO_PPROF_WIRE_SCAN_H
#define PYRO_PPROF_WIRE_SCAN_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Field numbers of proto/profile.proto, message by message.  Keep them in
 * step with the .proto (protobuf-c's generated code, which test_wire.c
 * runs as the oracle, is built from it). */
enum {                                  /* Profile */
	PB_PROFILE_SAMPLE_TYPE = 1,
	PB_PROFILE_SAMPLE = 2,
	PB_PROFILE_MAPPING = 3,
	PB_PROFILE_LOCATION = 4,
	PB_PROFILE_FUNCTION = 5,
	PB_PROFILE_STRING_TABLE = 6,
	PB_PROFILE_DROP_FRAMES = 7,
	PB_PROFILE_KEEP_FRAMES = 8,
	PB_PROFILE_TIME_NANOS = 9,
	PB_PROFILE_DURATION_NANOS = 10,
	PB_PROFILE_PERIOD_TYPE = 11,
	PB_PROFILE_PERIOD = 12,
	PB_PROFILE_COMMENT = 13,
	PB_PROFILE_DEFAULT_SAMPLE_TYPE = 14,
	PB_PROFILE_DOC_URL = 15,
};
enum { PB_VALUE_TYPE_TYPE = 1, PB_VALUE_TYPE_UNIT = 2 };
enum { PB_SAMPLE_LOCATION_ID = 1, PB_SAMPLE_VALUE = 2, PB_SAMPLE_LABEL = 3 };
enum { PB_LABEL_KEY = 1, PB_LABEL_STR = 2, PB_LABEL_NUM = 3, PB_LABEL_NUM_UNIT = 4 };
enum {                                  /* Mapping; 7-10 are bools */
	PB_MAPPING_ID = 1,
	PB_MAPPING_MEMORY_START = 2,
	PB_MAPPING_MEMORY_LIMIT = 3,
	PB_MAPPING_FILE_OFFSET = 4,
	PB_MAPPING_FILENAME = 5,
	PB_MAPPING_BUILD_ID = 6,
};
enum {                                  /* Location; 5 is_folded, a bool */
	PB_LOCATION_ID = 1,
	PB_LOCATION_MAPPING_ID = 2,
	PB_LOCATION_ADDRESS = 3,
	PB_LOCATION_LINE = 4,
};
enum { PB_LINE_FUNCTION_ID = 1, PB_LINE_LINE = 2, PB_LINE_COLUMN = 3 };
enum {                                  /* Function */
	PB_FUNCTION_ID = 1,
	PB_FUNCTION_NAME = 2,
	PB_FUNCTION_SYSTEM_NAME = 3,
	PB_FUNCTION_FILENAME = 4,
	PB_FUNCTION_START_LINE = 5,
};

enum { WT_VARINT = 0, WT_64BIT = 1, WT_LEN = 2, WT_32BIT = 5 };

/* Errors of the decoder: the wire structure is broken (ERR_WIRE), or it is
 * sound but not a Profile (a known field with the wrong wire type). */
#define ERR_WIRE (-EINVAL)
#define ERR_NOMEM (-ENOMEM)

/* A varint of at most 10 bytes (protobuf-c's limit); bits beyond 64 are
 * dropped as protobuf-c drops them. */
static inline int get_varint(const uint8_t **pp, const uint8_t *end,
			     uint64_t *v)
{
	const uint8_t *p = *pp;
	uint64_t x;
	unsigned shift;

	if (p < end && !(*p & 0x80)) {          /* the common one-byte case */
		*v = *p;
		*pp = p + 1;
		return 0;
	}
	x = 0;
	for (shift = 0; shift < 70 && p < end; shift += 7) {
		uint8_t b = *p++;

		if (shift < 64)
			x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			*pp = p;
			return 0;
		}
	}
	return ERR_WIRE;
}

/* One field: its number, wire type and payload.  For WT_LEN the payload is
 * [pay, pay + len); for WT_VARINT v holds the value. */
struct field {
	uint32_t num;
	unsigned wt;
	uint64_t v;
	const uint8_t *pay;
	size_t len;
};

/* Read the next field at *pp, checking its structure as protobuf-c's scan
 * does: tag at most 5 bytes, length prefix at most 5 bytes (32 bits, the
 * excess dropped) and within the message. */
static inline int next_field(const uint8_t **pp, const uint8_t *end,
			     struct field *f)
{
	const uint8_t *p = *pp;
	uint32_t tag, val;
	unsigned i, max, shift;

	/* tag */
	if (!(*p & 0x80)) {
		tag = (*p & 0x7f) >> 3;
		f->wt = *p & 7;
		p++;
	} else {
		max = end - p > 5 ? 5 : (unsigned)(end - p);
		tag = (p[0] & 0x7f) >> 3;
		f->wt = p[0] & 7;
		shift = 4;
		for (i = 1; i < max; i++, shift += 7) {
			if (p[i] & 0x80) {
				tag |= (uint32_t)(p[i] & 0x7f) << shift;
			} else {
				tag |= (uint32_t)p[i] << shift;
				break;
			}
		}
		if (i >= max)
			return ERR_WIRE;
		p += i + 1;
	}
	if (tag == 0)           /* field number 0 does not exist */
		return ERR_WIRE;
	f->num = tag;
	/* A field of another wire type has no payload: an empty one where it
	 * stands, never NULL, so that `pay + len` is defined for every field
	 * a parser looks at before checking its wire type. */
	f->pay = p;
	f->len = 0;
	switch (f->wt) {
	case WT_VARINT:
		if (get_varint(&p, end, &f->v))
			return ERR_WIRE;
		break;
	case WT_64BIT:
		if (end - p < 8)
			return ERR_WIRE;
		p += 8;
		break;
	case WT_32BIT:
		if (end - p < 4)
			return ERR_WIRE;
		p += 4;
		break;
	case WT_LEN:
		max = end - p > 5 ? 5 : (unsigned)(end - p);
		val = 0;
		for (i = 0, shift = 0; i < max; i++, shift += 7) {
			val |= (uint32_t)(p[i] & 0x7f) << shift;
			if (!(p[i] & 0x80))
				break;
		}
		if (i == max)
			return ERR_WIRE;
		p += i + 1;
		if ((size_t)val > (size_t)(end - p))
			return ERR_WIRE;
		f->pay = p;
		f->len = val;
		p += val;
		break;
	default:        /* groups (3, 4) and 6, 7: protobuf-c refuses them */
		return ERR_WIRE;
	}
	*pp = p;
	return 0;
}

#define PUSH(arr, n, cap) \
	((n) < (cap) ? 0 : pyro_grow_array(&(arr), &(cap), (n) + 1, sizeof(*(arr))))

/* A singular integer field: varint only. */
static inline int want_varint(const struct field *f, int64_t *dst)
{
	if (f->wt != WT_VARINT)
		return ERR_WIRE;
	*dst = (int64_t)f->v;
	return 0;
}

static inline int want_uvarint(const struct field *f, uint64_t *dst)
{
	if (f->wt != WT_VARINT)
		return ERR_WIRE;
	*dst = f->v;
	return 0;
}

#endif
