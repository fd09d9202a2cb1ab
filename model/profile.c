/*
 * profile.c - read, decode, validate and prune pprof profiles; see profile.h.
 *
 * Decoding.  The protobuf wire format of profile.proto is read by hand, in
 * one pass, straight into flat arrays: samples, locations, lines, functions
 * and mappings are rows of plain structs, location ids and values live in
 * two pools, and string table entries point into the inflated bytes, which
 * the profile keeps.  So decoding a profile costs a handful of allocations
 * instead of one per message and string (the protobuf-c code generated from
 * proto/profile.proto did that, and spent more time in malloc and free than
 * in parsing).  The decoder accepts and rejects exactly what protobuf-c's
 * unpack did, so the set of usable files is unchanged:
 *   - any field's wire structure is checked (varints of at most 10 bytes,
 *     tags of at most 5 and not 0, length prefixes of at most 5 that fit
 *     the message, no group wire types); unknown fields are skipped;
 *   - a known field must have its type's wire type: varint for integers, a
 *     length prefix for messages and bytes, either for repeated integers
 *     (packed or not); bool fields take any wire type, as protobuf-c;
 *   - a singular field given twice keeps the last value; a second
 *     period_type replaces the first whole (protobuf-c's merge of proto3
 *     messages keeps the latter's scalars).
 *
 * The header peek walks the top-level fields only, skipping samples,
 * mappings, locations and functions without looking inside, so indexing a
 * large archive never materialises samples.
 *
 * Lookups by id.  pprof ids are arbitrary, but every writer we know numbers
 * functions, locations and mappings 1, 2, 3, ... in order; then an id is an
 * index plus one and no hash table is built.  Otherwise an open-addressing
 * map does it.  Validation turns each sample's location ids into indexes
 * once, so aggregation does no lookup at all.
 *
 * Pruning follows pprof's documented drop_frames semantics (Profile.Prune):
 * a function name, simplified (leading '.' removed, argument list cut), that
 * matches ^(drop_frames)$ and not ^(keep_frames)$ marks its location; each
 * sample loses the first marked location found scanning from the root after
 * a first unmarked one, and everything leafward of it.
 */
#include "profile.h"
#include "labels.h"
#include "safeopen.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <regex.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Maps a non-zero 64-bit id to an array index.  nslots == 0 means the ids
 * are dense (id == index + 1) and no table exists. */
struct id_map {
	uint64_t *keys;         /* 0 = empty slot */
	uint32_t *vals;
	size_t nslots;          /* power of two, or 0 when dense */
	size_t n;               /* entries (for the dense case) */
};

/* A string table entry: bytes inside the profile's data, not terminated. */
struct pstr {
	const char *ptr;
	size_t len;
};

struct pvt {                    /* ValueType */
	int64_t type, unit;
};

struct pfunction {
	uint64_t id;
	int64_t name, system_name, filename;
};

struct pmapping {
	uint64_t id;
	int64_t filename, build_id;
};

struct plocation {
	uint64_t id, mapping_id, address;
	size_t line;            /* first entry in line_fn */
	uint32_t nlines;
};

struct psample {
	size_t loc;             /* first entry in loc_ids */
	size_t val;             /* first entry in vals */
	uint32_t nlocs;
	uint32_t nvals;
};

/* A sample's Label, kept in a pool of its own in sample order (so samples
 * without labels cost nothing): string indexes are checked only when
 * labels are read (see pyro_profile_labels). */
struct plabel {
	size_t sample;          /* index of its sample */
	int64_t key, str, num, num_unit;
};

/* The decoded message: everything as stored, ids not yet resolved. */
struct pmsg {
	struct pstr *strs;
	size_t nstrs, strs_cap;
	struct pvt *sample_types;
	size_t nsample_types, sample_types_cap;
	struct psample *samples;
	size_t nsamples, samples_cap;
	struct pmapping *mappings;
	size_t nmappings, mappings_cap;
	struct plocation *locations;
	size_t nlocations, locations_cap;
	struct pfunction *functions;
	size_t nfunctions, functions_cap;
	uint32_t *loc_ids;      /* all samples' location ids, then indexes */
	uint64_t *loc_wide;     /* the ids instead, if one needs 64 bits */
	size_t nloc_ids, loc_ids_cap;
	int64_t *vals;          /* all samples' values */
	size_t nvals, vals_cap;
	uint64_t *line_fn;      /* all locations' lines: function ids */
	size_t nlines, lines_cap;
	int64_t *comments;
	size_t ncomments, comments_cap;
	struct plabel *labels;  /* all samples' labels, by sample */
	size_t nlabels, labels_cap;
	int has_period_type;
	struct pvt period_type;
	int64_t drop_frames, keep_frames, time_nanos, duration_nanos, period;
	int64_t default_sample_type, doc_url;
};

struct pyro_profile {
	struct pyro_buf data;           /* owned: the protobuf bytes */
	struct pmsg m;
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

static void set_err(char err[PYRO_ERR_MAX], const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_err(char err[PYRO_ERR_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, PYRO_ERR_MAX, fmt, ap);
	va_end(ap);
}

/* ---- reading and inflating ------------------------------------------- */

static int read_all(int fd, size_t max_size, struct pyro_buf *out,
		    char err[PYRO_ERR_MAX])
{
	for (;;) {
		ssize_t n;
		int rc = out->cap - out->len > 4096 ? 0 :
			 pyro_buf_grow(out, 64 * 1024);

		if (rc) {
			set_err(err, "out of memory reading file");
			return rc;
		}
		n = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			set_err(err, "read: %s", strerror(errno));
			return rc;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
		if (out->len > max_size) {
			set_err(err, "file exceeds max_profile_size (%zu bytes)",
				max_size);
			return -EFBIG;
		}
	}
	return 0;
}

static int inflate_gzip(const struct pyro_buf *in, size_t max_size,
			struct pyro_buf *out, char err[PYRO_ERR_MAX])
{
	z_stream zs;
	int zrc, rc = 0;

	memset(&zs, 0, sizeof(zs));
	/* 16 + MAX_WBITS: expect a gzip wrapper. */
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		set_err(err, "gzip: cannot initialise zlib");
		return -ENOMEM;
	}
	zs.next_in = (Bytef *)in->data;
	zs.avail_in = (uInt)in->len;
	do {
		size_t room;

		if (out->cap - out->len < 64 + 1) {
			size_t want = out->len < 64 * 1024 ? 64 * 1024 : out->len;

			if (pyro_buf_grow(out, want)) {
				set_err(err, "out of memory inflating");
				rc = -ENOMEM;
				break;
			}
		}
		room = out->cap - out->len - 1;
		/* Never produce more than max_size + 1 bytes: a bomb is refused
		 * as soon as it crosses the limit, not after inflating it. */
		if (room > max_size + 1 - out->len)
			room = max_size + 1 - out->len;
		zs.next_out = (Bytef *)out->data + out->len;
		zs.avail_out = (uInt)(room > UINT32_MAX ? UINT32_MAX : room);
		zrc = inflate(&zs, Z_NO_FLUSH);
		out->len = (size_t)((char *)zs.next_out - out->data);
		out->data[out->len] = '\0';
		if (out->len > max_size) {
			set_err(err, "decompressed size exceeds max_profile_size (%zu bytes)",
				max_size);
			rc = -EFBIG;
			break;
		}
		if (zrc == Z_STREAM_END) {
			/* Concatenated gzip members are legal: go on if more input. */
			if (zs.avail_in == 0)
				break;
			if (inflateReset(&zs) != Z_OK) {
				set_err(err, "gzip: reset failed");
				rc = -EIO;
				break;
			}
			continue;
		}
		if (zrc == Z_BUF_ERROR && zs.avail_in == 0) {
			set_err(err, "truncated gzip data");
			rc = -EIO;
			break;
		}
		if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
			set_err(err, "corrupt gzip data (%s)",
				zs.msg ? zs.msg : "inflate failed");
			rc = -EIO;
			break;
		}
	} while (1);
	inflateEnd(&zs);
	return rc;
}

/* Read the open file fd whole into raw (at most max_size bytes). */
static int read_fd(int fd, size_t max_size, struct pyro_buf *raw,
		   char err[PYRO_ERR_MAX])
{
	struct stat st;
	int rc;

	/* The size as a hint: one allocation for the usual file. */
	if (fstat(fd, &st) == 0 && st.st_size > 0 &&
	    (size_t)st.st_size <= max_size &&
	    pyro_buf_grow(raw, (size_t)st.st_size + 4096)) {
		set_err(err, "out of memory reading file");
		return -ENOMEM;
	}
	/* A gzipped profile may be up to max_size compressed too. */
	rc = read_all(fd, max_size, raw, err);
	if (!rc && raw->len == 0) {
		set_err(err, "empty file");
		rc = -EINVAL;
	}
	return rc;
}

/* Inflate raw into out if it is gzipped, else move it there. */
static int unpack(struct pyro_buf *raw, size_t max_size, struct pyro_buf *out,
		  int *compressed, char err[PYRO_ERR_MAX])
{
	*compressed = raw->len >= 2 && (unsigned char)raw->data[0] == 0x1f &&
		      (unsigned char)raw->data[1] == 0x8b;
	if (*compressed) {
		/* The trailer's ISIZE (the size modulo 2^32) as a hint. */
		if (raw->len >= 18 && out->len == 0) {
			uint32_t isize;

			memcpy(&isize, raw->data + raw->len - 4, 4);
			isize = le32toh(isize);
			if (isize <= max_size && isize < (256u << 20))
				pyro_buf_grow(out, (size_t)isize + 64);
		}
		return inflate_gzip(raw, max_size, out, err);
	}
	pyro_buf_release(out);
	*out = *raw;
	*raw = (struct pyro_buf)PYRO_BUF_INIT;
	return 0;
}

int pyro_profile_read_fd(int fd, size_t max_size, struct pyro_buf *out,
			 int *compressed, char err[PYRO_ERR_MAX])
{
	struct pyro_buf raw = PYRO_BUF_INIT;
	int rc;

	rc = read_fd(fd, max_size, &raw, err);
	if (!rc)
		rc = unpack(&raw, max_size, out, compressed, err);
	pyro_buf_release(&raw);
	return rc;
}

int pyro_profile_read(const char *path, size_t max_size, struct pyro_buf *out,
		      int *compressed, char err[PYRO_ERR_MAX])
{
	int fd = pyro_open_regular_at(AT_FDCWD, path, NULL, err);
	int rc;

	if (fd < 0)
		return fd;
	rc = pyro_profile_read_fd(fd, max_size, out, compressed, err);
	close(fd);
	return rc;
}

/* ---- wire format -------------------------------------------------------- */

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

/* Grow *arr (of elem-byte elements, *cap allocated) to hold need. */
static int grow(void *arr, size_t *cap, size_t need, size_t elem)
{
	void **pa = arr;
	size_t ncap = *cap ? *cap : 16;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*pa, ncap * elem);
	if (!np)
		return ERR_NOMEM;
	*pa = np;
	*cap = ncap;
	return 0;
}

#define PUSH(arr, n, cap) \
	((n) < (cap) ? 0 : grow(&(arr), &(cap), (n) + 1, sizeof(*(arr))))

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

/* A repeated integer field, packed or not, appended to *arr. */
static int repeated_ints(const struct field *f, uint64_t **arr, size_t *n,
			 size_t *cap)
{
	const uint8_t *p, *end;

	if (f->wt == WT_VARINT) {
		if (PUSH(*arr, *n, *cap))
			return ERR_NOMEM;
		(*arr)[(*n)++] = f->v;
		return 0;
	}
	if (f->wt != WT_LEN)
		return ERR_WIRE;
	/* Every value takes a byte at least: f->len bounds the count. */
	if (grow(arr, cap, *n + f->len, sizeof(**arr)))
		return ERR_NOMEM;
	for (p = f->pay, end = f->pay + f->len; p < end;) {
		uint64_t v;

		if (get_varint(&p, end, &v))
			return ERR_WIRE;
		(*arr)[(*n)++] = v;
	}
	return 0;
}

static int parse_value_type(const struct field *f, struct pvt *vt)
{
	const uint8_t *p = f->pay, *end = f->pay + f->len;
	struct field g;
	int rc;

	if (f->wt != WT_LEN)
		return ERR_WIRE;
	memset(vt, 0, sizeof(*vt));
	while (p < end) {
		if ((rc = next_field(&p, end, &g)))
			return rc;
		if (g.num == 1)
			rc = want_varint(&g, &vt->type);
		else if (g.num == 2)
			rc = want_varint(&g, &vt->unit);
		if (rc)
			return rc;
	}
	return 0;
}

/* A Label of the sample being parsed (index m->nsamples). */
static int parse_label(struct pmsg *m, const struct field *f)
{
	const uint8_t *p = f->pay, *end = f->pay + f->len;
	struct plabel l = { m->nsamples, 0, 0, 0, 0 };
	int64_t *dst[5] = { NULL, &l.key, &l.str, &l.num, &l.num_unit };
	struct field g;
	int rc;

	if (f->wt != WT_LEN)
		return ERR_WIRE;
	while (p < end) {
		if ((rc = next_field(&p, end, &g)))
			return rc;
		if (g.num >= 1 && g.num <= 4 && (rc = want_varint(&g, dst[g.num])))
			return rc;
	}
	if (PUSH(m->labels, m->nlabels, m->labels_cap))
		return ERR_NOMEM;
	m->labels[m->nlabels++] = l;
	return 0;
}

/* Samples' location ids: 32 bits each (half the memory of the biggest
 * array) until one does not fit; from then on 64 (loc_wide). */
static int widen_loc_ids(struct pmsg *m)
{
	size_t i;

	m->loc_wide = malloc((m->loc_ids_cap ? m->loc_ids_cap : 1) * sizeof(*m->loc_wide));
	if (!m->loc_wide)
		return ERR_NOMEM;
	for (i = 0; i < m->nloc_ids; i++)
		m->loc_wide[i] = m->loc_ids[i];
	free(m->loc_ids);
	m->loc_ids = NULL;
	return 0;
}

static inline int push_loc_id(struct pmsg *m, uint64_t v)
{
	if (!m->loc_wide && v > UINT32_MAX && widen_loc_ids(m))
		return ERR_NOMEM;
	if (m->nloc_ids == m->loc_ids_cap) {
		size_t cap = m->loc_ids_cap;

		if (m->loc_wide ? grow(&m->loc_wide, &cap, cap + 1, sizeof(*m->loc_wide)) :
		    grow(&m->loc_ids, &cap, cap + 1, sizeof(*m->loc_ids)))
			return ERR_NOMEM;
		m->loc_ids_cap = cap;
	}
	if (m->loc_wide)
		m->loc_wide[m->nloc_ids++] = v;
	else
		m->loc_ids[m->nloc_ids++] = (uint32_t)v;
	return 0;
}

static int location_ids(struct pmsg *m, const struct field *f)
{
	const uint8_t *p, *end;
	uint64_t v;

	if (f->wt == WT_VARINT)
		return push_loc_id(m, f->v);
	if (f->wt != WT_LEN)
		return ERR_WIRE;
	for (p = f->pay, end = f->pay + f->len; p < end;) {
		if (get_varint(&p, end, &v))
			return ERR_WIRE;
		if (push_loc_id(m, v))
			return ERR_NOMEM;
	}
	return 0;
}

static int parse_sample(struct pmsg *m, const struct field *f)
{
	const uint8_t *p = f->pay, *end = f->pay + f->len;
	struct psample *s;
	struct field g;
	size_t nloc0 = m->nloc_ids, nval0 = m->nvals;
	int rc;

	if (f->wt != WT_LEN)
		return ERR_WIRE;
	/* Location ids and values of one sample are contiguous in the pools
	 * only if the sample is the only writer: it is, samples are parsed
	 * one after the other. */
	while (p < end) {
		if ((rc = next_field(&p, end, &g)))
			return rc;
		switch (g.num) {
		case 1:
			rc = location_ids(m, &g);
			break;
		case 2:
			rc = repeated_ints(&g, (uint64_t **)&m->vals, &m->nvals,
					   &m->vals_cap);
			break;
		case 3:
			rc = parse_label(m, &g);
			break;
		default:
			rc = 0;
		}
		if (rc)
			return rc;
	}
	if (PUSH(m->samples, m->nsamples, m->samples_cap))
		return ERR_NOMEM;
	s = &m->samples[m->nsamples++];
	s->loc = nloc0;
	s->nlocs = (uint32_t)(m->nloc_ids - nloc0);
	s->val = nval0;
	s->nvals = (uint32_t)(m->nvals - nval0);
	if (m->nloc_ids - nloc0 > UINT32_MAX || m->nvals - nval0 > UINT32_MAX)
		return ERR_WIRE;
	return 0;
}

static int parse_mapping(struct pmsg *m, const struct field *f)
{
	const uint8_t *p = f->pay, *end = f->pay + f->len;
	struct pmapping mp = { 0, 0, 0 };
	struct field g;
	uint64_t ignored;
	int rc;

	if (f->wt != WT_LEN)
		return ERR_WIRE;
	while (p < end) {
		if ((rc = next_field(&p, end, &g)))
			return rc;
		switch (g.num) {
		case 1:
			rc = want_uvarint(&g, &mp.id);
			break;
		case 2: case 3: case 4:
			rc = want_uvarint(&g, &ignored);
			break;
		case 5:
			rc = want_varint(&g, &mp.filename);
			break;
		case 6:
			rc = want_varint(&g, &mp.build_id);
			break;
		default:        /* 7-10 are bools: any wire type */
			rc = 0;
		}
		if (rc)
			return rc;
	}
	if (PUSH(m->mappings, m->nmappings, m->mappings_cap))
		return ERR_NOMEM;
	m->mappings[m->nmappings++] = mp;
	return 0;
}

static int parse_line(struct pmsg *m, const struct field *f)
{
	const uint8_t *p = f->pay, *end = f->pay + f->len;
	uint64_t fid = 0;
	int64_t ignored;
	struct field g;
	int rc;

	if (f->wt != WT_LEN)
		return ERR_WIRE;
	while (p < end) {
		if ((rc = next_field(&p, end, &g)))
			return rc;
		if (g.num == 1)
			rc = want_uvarint(&g, &fid);
		else if (g.num == 2 || g.num == 3)
			rc = want_varint(&g, &ignored);
		if (rc)
			return rc;
	}
	if (PUSH(m->line_fn, m->nlines, m->lines_cap))
		return ERR_NOMEM;
	m->line_fn[m->nlines++] = fid;
	return 0;
}

static int parse_location(struct pmsg *m, const struct field *f)
{
	const uint8_t *p = f->pay, *end = f->pay + f->len;
	struct plocation l = { 0, 0, 0, m->nlines, 0 };
	struct field g;
	int rc;

	if (f->wt != WT_LEN)
		return ERR_WIRE;
	while (p < end) {
		if ((rc = next_field(&p, end, &g)))
			return rc;
		switch (g.num) {
		case 1:
			rc = want_uvarint(&g, &l.id);
			break;
		case 2:
			rc = want_uvarint(&g, &l.mapping_id);
			break;
		case 3:
			rc = want_uvarint(&g, &l.address);
			break;
		case 4:
			rc = parse_line(m, &g);
			break;
		default:        /* 5 is_folded: a bool */
			rc = 0;
		}
		if (rc)
			return rc;
	}
	if (m->nlines - l.line > UINT32_MAX)
		return ERR_WIRE;
	l.nlines = (uint32_t)(m->nlines - l.line);
	if (PUSH(m->locations, m->nlocations, m->locations_cap))
		return ERR_NOMEM;
	m->locations[m->nlocations++] = l;
	return 0;
}

static int parse_function(struct pmsg *m, const struct field *f)
{
	const uint8_t *p = f->pay, *end = f->pay + f->len;
	struct pfunction fn = { 0, 0, 0, 0 };
	int64_t ignored;
	struct field g;
	int rc;

	if (f->wt != WT_LEN)
		return ERR_WIRE;
	while (p < end) {
		if ((rc = next_field(&p, end, &g)))
			return rc;
		switch (g.num) {
		case 1:
			rc = want_uvarint(&g, &fn.id);
			break;
		case 2:
			rc = want_varint(&g, &fn.name);
			break;
		case 3:
			rc = want_varint(&g, &fn.system_name);
			break;
		case 4:
			rc = want_varint(&g, &fn.filename);
			break;
		case 5:
			rc = want_varint(&g, &ignored);
			break;
		default:
			rc = 0;
		}
		if (rc)
			return rc;
	}
	if (PUSH(m->functions, m->nfunctions, m->functions_cap))
		return ERR_NOMEM;
	m->functions[m->nfunctions++] = fn;
	return 0;
}

static void pmsg_release(struct pmsg *m)
{
	free(m->strs);
	free(m->sample_types);
	free(m->samples);
	free(m->mappings);
	free(m->locations);
	free(m->functions);
	free(m->loc_ids);
	free(m->loc_wide);
	free(m->vals);
	free(m->line_fn);
	free(m->comments);
	free(m->labels);
	memset(m, 0, sizeof(*m));
}

/*
 * Inflating while decoding.  A big gzipped profile is inflated by a helper
 * thread into a buffer of its final size (the gzip trailer's ISIZE), while
 * the decoder follows it field by field, waiting only when it catches up.
 * Decoding then costs nearly nothing on top of inflating, on a second
 * core.  Anything unexpected (ISIZE wrong, several gzip members, corrupt
 * data, a decode error) abandons the stream: the caller starts over the
 * plain way, which also words the error.
 */
#define ERR_STREAM (-EAGAIN)
#define STREAM_MIN (1u << 20)           /* smaller profiles: not worth a thread */
#define STREAM_CHUNK (256u << 10)       /* inflated bytes per progress report */

struct stream {
	const struct pyro_buf *in;      /* gzip bytes */
	char *out;                      /* size bytes + NUL */
	size_t size;                    /* expected inflated size */
	atomic_size_t avail;            /* bytes inflated so far */
	atomic_int state;               /* 0 running, 1 done, -1 failed */
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static void stream_publish(struct stream *st, size_t avail, int state)
{
	pthread_mutex_lock(&st->lock);
	atomic_store(&st->avail, avail);
	if (state)
		atomic_store(&st->state, state);
	pthread_cond_broadcast(&st->cond);
	pthread_mutex_unlock(&st->lock);
}

static void *stream_inflate(void *arg)
{
	struct stream *st = arg;
	z_stream zs;
	int zrc = Z_OK, ok = 0;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		stream_publish(st, 0, -1);
		return NULL;
	}
	zs.next_in = (Bytef *)st->in->data;
	zs.avail_in = (uInt)st->in->len;
	zs.next_out = (Bytef *)st->out;
	while (zrc == Z_OK) {
		size_t done = (size_t)((char *)zs.next_out - st->out);
		size_t room = st->size - done;

		/* One byte beyond: an ISIZE that lies is caught, not overrun. */
		zs.avail_out = (uInt)(room > STREAM_CHUNK ? STREAM_CHUNK : room + 1);
		zrc = inflate(&zs, Z_NO_FLUSH);
		done = (size_t)((char *)zs.next_out - st->out);
		if (done > st->size)
			break;
		if (zrc == Z_STREAM_END)
			ok = zs.avail_in == 0 && done == st->size;
		else
			stream_publish(st, done, 0);
	}
	stream_publish(st, (size_t)((char *)zs.next_out - st->out) > st->size ?
			   st->size : (size_t)((char *)zs.next_out - st->out),
		       ok ? 1 : -1);
	inflateEnd(&zs);
	return NULL;
}

/* Wait until need bytes are inflated: 0, or ERR_STREAM if they never will. */
static int stream_wait(struct stream *st, size_t need)
{
	int rc = 0;

	if (atomic_load_explicit(&st->avail, memory_order_acquire) >= need)
		return 0;
	pthread_mutex_lock(&st->lock);
	while (atomic_load(&st->avail) < need && atomic_load(&st->state) == 0)
		pthread_cond_wait(&st->cond, &st->lock);
	if (atomic_load(&st->avail) < need)
		rc = ERR_STREAM;
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* Presize the top-level arrays from a count of their fields: one cheap walk
 * instead of many reallocations.  A structural error is left for the real
 * parse to find. */
static int presize(struct pmsg *m, const uint8_t *p, const uint8_t *end,
		   int headers_only)
{
	size_t n[7] = { 0 }, sample_bytes = 0;
	struct field f;

	while (p < end && next_field(&p, end, &f) == 0) {
		if (f.num < 7 && f.wt == WT_LEN) {
			n[f.num]++;
			if (f.num == 2)
				sample_bytes += f.len;
		}
	}
	if (grow(&m->sample_types, &m->sample_types_cap, n[1], sizeof(*m->sample_types)) ||
	    grow(&m->strs, &m->strs_cap, n[6], sizeof(*m->strs)))
		return ERR_NOMEM;
	if (headers_only)
		return 0;
	/* A sample holds about one location id per 1.5 bytes, one line per
	 * location in most profiles. */
	if (grow(&m->samples, &m->samples_cap, n[2], sizeof(*m->samples)) ||
	    grow(&m->mappings, &m->mappings_cap, n[3], sizeof(*m->mappings)) ||
	    grow(&m->locations, &m->locations_cap, n[4], sizeof(*m->locations)) ||
	    grow(&m->functions, &m->functions_cap, n[5], sizeof(*m->functions)) ||
	    grow(&m->loc_ids, &m->loc_ids_cap, sample_bytes * 2 / 3 + 16, sizeof(*m->loc_ids)) ||
	    grow(&m->vals, &m->vals_cap, n[2] * 2 + 16, sizeof(*m->vals)) ||
	    grow(&m->line_fn, &m->lines_cap, n[4] + n[4] / 4 + 16, sizeof(*m->line_fn)))
		return ERR_NOMEM;
	return 0;
}

/* Decode a Profile.  With headers_only, samples, mappings, locations and
 * functions are skipped unread (but must still be length-prefixed, as a
 * message field must). */
static int parse_profile(struct pmsg *m, const uint8_t *data, size_t len,
			 int headers_only, struct stream *st)
{
	const uint8_t *p = data, *end = data + len;
	struct field f;
	int rc;

	memset(m, 0, sizeof(*m));
	/* A stream's bytes are not all there yet: grow as we go instead. */
	if (!st && (rc = presize(m, p, end, headers_only)))
		return rc;
	while (p < end) {
		/* A tag and a length prefix take 15 bytes at most; then the
		 * whole field must be there before it is parsed. */
		if (st && stream_wait(st, (size_t)(p - data) + 15 < len ?
					  (size_t)(p - data) + 15 : len))
			return ERR_STREAM;
		if ((rc = next_field(&p, end, &f)))
			return rc;
		if (st && stream_wait(st, (size_t)(p - data)))
			return ERR_STREAM;
		switch (f.num) {
		case 1:
			if (PUSH(m->sample_types, m->nsample_types, m->sample_types_cap))
				return ERR_NOMEM;
			rc = parse_value_type(&f, &m->sample_types[m->nsample_types]);
			m->nsample_types++;
			break;
		case 2: case 3: case 4: case 5:
			if (f.wt != WT_LEN)
				return ERR_WIRE;
			if (headers_only)
				break;
			rc = f.num == 2 ? parse_sample(m, &f) :
			     f.num == 3 ? parse_mapping(m, &f) :
			     f.num == 4 ? parse_location(m, &f) :
			     parse_function(m, &f);
			break;
		case 6:
			if (f.wt != WT_LEN)
				return ERR_WIRE;
			if (PUSH(m->strs, m->nstrs, m->strs_cap))
				return ERR_NOMEM;
			m->strs[m->nstrs].ptr = (const char *)f.pay;
			m->strs[m->nstrs].len = f.len;
			m->nstrs++;
			break;
		case 7: rc = want_varint(&f, &m->drop_frames); break;
		case 8: rc = want_varint(&f, &m->keep_frames); break;
		case 9: rc = want_varint(&f, &m->time_nanos); break;
		case 10: rc = want_varint(&f, &m->duration_nanos); break;
		case 11:
			rc = parse_value_type(&f, &m->period_type);
			m->has_period_type = 1;
			break;
		case 12: rc = want_varint(&f, &m->period); break;
		case 13:
			rc = repeated_ints(&f, (uint64_t **)&m->comments,
					   &m->ncomments, &m->comments_cap);
			break;
		case 14: rc = want_varint(&f, &m->default_sample_type); break;
		case 15: rc = want_varint(&f, &m->doc_url); break;
		default:
			break;
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* Every top-level field's wire structure is sound and no field is number
 * 0: the cheap first test of the header peek ("is this protobuf at all"),
 * with pprof-friendly leniency (any varint length, 64-bit lengths). */
static int wire_sound(const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;

	while (p < end) {
		uint64_t key, v;

		if (get_varint(&p, end, &key) || (key >> 3) == 0)
			return -EINVAL;
		switch (key & 7) {
		case 0:
			if (get_varint(&p, end, &v))
				return -EINVAL;
			break;
		case 1:
			if (end - p < 8)
				return -EINVAL;
			p += 8;
			break;
		case 2:
			if (get_varint(&p, end, &v) || v > (uint64_t)(end - p))
				return -EINVAL;
			p += v;
			break;
		case 5:
			if (end - p < 4)
				return -EINVAL;
			p += 4;
			break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

/* ---- strings and shape -------------------------------------------------- */

/* 1 if i indexes the string table.  Table entries are not NUL-terminated:
 * copy them with str_dup before using them as C strings. */
static int str_ok(const struct pmsg *m, int64_t i)
{
	return i >= 0 && (size_t)i < m->nstrs;
}

/* A C string copy of string i, or NULL when out of range / allocation. */
static char *str_dup(const struct pmsg *m, int64_t i)
{
	const struct pstr *s;
	char *c;

	if (!str_ok(m, i))
		return NULL;
	s = &m->strs[i];
	c = malloc(s->len + 1);
	if (c) {
		if (s->len)
			memcpy(c, s->ptr, s->len);
		c[s->len] = '\0';
	}
	return c;
}

static int check_str(const struct pmsg *m, int64_t i, const char *what,
		     char err[PYRO_ERR_MAX])
{
	if (str_ok(m, i))
		return 0;
	set_err(err, "bad protobuf: %s string index %lld outside the string table (%zu entries)",
		what, (long long)i, m->nstrs);
	return -EINVAL;
}

/* Checks that make a decoded message a plausible Profile at all. */
static int check_profile_shape(const struct pmsg *m, char err[PYRO_ERR_MAX])
{
	size_t i;

	if (m->nstrs == 0 || m->strs[0].len != 0) {
		set_err(err, "not a pprof profile (string table must start with \"\")");
		return -EINVAL;
	}
	for (i = 0; i < m->nsample_types; i++) {
		if (check_str(m, m->sample_types[i].type, "sample type", err) ||
		    check_str(m, m->sample_types[i].unit, "sample unit", err))
			return -EINVAL;
	}
	if (m->has_period_type &&
	    (check_str(m, m->period_type.type, "period type", err) ||
	     check_str(m, m->period_type.unit, "period unit", err)))
		return -EINVAL;
	if (check_str(m, m->default_sample_type, "default sample type", err) ||
	    check_str(m, m->drop_frames, "drop_frames", err) ||
	    check_str(m, m->keep_frames, "keep_frames", err) ||
	    check_str(m, m->doc_url, "doc_url", err))
		return -EINVAL;
	for (i = 0; i < m->ncomments; i++)
		if (check_str(m, m->comments[i], "comment", err))
			return -EINVAL;
	if (m->nsample_types == 0 &&
	    !(m->has_period_type && m->period_type.type)) {
		set_err(err, "not a pprof profile (no sample types and no period type)");
		return -EINVAL;
	}
	return 0;
}

/* Sample types as pprof sees them: the period type stands in when a
 * profile has none (cppbench.cpu_no_samples_type). */
static int fill_types(const struct pmsg *m, struct pyro_value_type **types,
		      size_t *ntypes)
{
	size_t i, n = m->nsample_types ? m->nsample_types : 1;
	struct pyro_value_type *t = calloc(n, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct pvt *vt = m->nsample_types ? &m->sample_types[i] :
				       &m->period_type;

		t[i].type = str_dup(m, vt->type);
		t[i].unit = str_dup(m, vt->unit);
		if (!t[i].type || !t[i].unit) {
			*types = t;
			*ntypes = i + 1;
			return -ENOMEM;
		}
	}
	*types = t;
	*ntypes = n;
	return 0;
}

static void free_types(struct pyro_value_type *t, size_t n)
{
	size_t i;

	for (i = 0; t && i < n; i++) {
		free(t[i].type);
		free(t[i].unit);
	}
	free(t);
}

void pyro_profile_header_release(struct pyro_profile_header *h)
{
	free_types(h->types, h->ntypes);
	free(h->period_type.type);
	free(h->period_type.unit);
	free(h->default_type);
	memset(h, 0, sizeof(*h));
}

int pyro_profile_peek_data(const void *data, size_t len,
			   struct pyro_profile_header *h, char err[PYRO_ERR_MAX])
{
	struct pmsg m;
	int rc;

	memset(h, 0, sizeof(*h));
	memset(&m, 0, sizeof(m));
	if (wire_sound(data, len)) {
		set_err(err, "not a pprof profile (invalid protobuf wire format)");
		return -EINVAL;
	}
	rc = parse_profile(&m, data, len, 1, NULL);
	if (rc) {
		set_err(err, rc == ERR_NOMEM ? "out of memory" :
			"not a pprof profile (protobuf does not decode as a Profile)");
		goto out;
	}
	rc = check_profile_shape(&m, err);
	if (rc)
		goto out;
	rc = fill_types(&m, &h->types, &h->ntypes);
	if (!rc && m.has_period_type) {
		h->period_type.type = str_dup(&m, m.period_type.type);
		h->period_type.unit = str_dup(&m, m.period_type.unit);
		if (!h->period_type.type || !h->period_type.unit)
			rc = -ENOMEM;
	}
	if (!rc && m.default_sample_type) {
		h->default_type = str_dup(&m, m.default_sample_type);
		if (!h->default_type)
			rc = -ENOMEM;
	}
	if (rc) {
		set_err(err, "out of memory");
		pyro_profile_header_release(h);
		goto out;
	}
	h->period = m.period;
	h->time_nanos = m.time_nanos;
	h->duration_nanos = m.duration_nanos;
out:
	pmsg_release(&m);
	return rc;
}

int pyro_profile_peek(const char *path, size_t max_size,
		      struct pyro_profile_header *h, char err[PYRO_ERR_MAX])
{
	struct pyro_buf data = PYRO_BUF_INIT;
	int compressed = 0, rc;

	rc = pyro_profile_read(path, max_size, &data, &compressed, err);
	if (!rc)
		rc = pyro_profile_peek_data(data.data, data.len, h, err);
	if (!rc)
		h->compressed = compressed;
	pyro_buf_release(&data);
	return rc;
}

/* ---- id maps ---------------------------------------------------------- */

static uint64_t id_hash(uint64_t id)
{
	id ^= id >> 31;
	id *= 0x9e3779b97f4a7c15ULL;
	return id ^ (id >> 29);
}

static void id_map_release(struct id_map *map)
{
	free(map->keys);
	free(map->vals);
	map->keys = NULL;
	map->vals = NULL;
}

/* Insert id -> val; -EEXIST if id is present already. */
static int id_map_put(struct id_map *map, uint64_t id, uint32_t val)
{
	size_t i = id_hash(id) & (map->nslots - 1);

	for (; map->keys[i]; i = (i + 1) & (map->nslots - 1))
		if (map->keys[i] == id)
			return -EEXIST;
	map->keys[i] = id;
	map->vals[i] = val;
	return 0;
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

/* Start indexing n ids, the first at first_id, stride bytes apart.  Dense
 * ids (1, 2, ... in order) need no table: ids_put then checks nothing. */
static int ids_begin(struct id_map *map, const uint64_t *first_id,
		     size_t stride, size_t n)
{
	const char *base = (const char *)first_id;
	size_t i, nslots = 16;

	memset(map, 0, sizeof(*map));
	map->n = n;
	for (i = 0; i < n && *(const uint64_t *)(base + i * stride) == i + 1; i++)
		;
	if (i == n)
		return 0;
	if (n > UINT32_MAX)
		return -EOVERFLOW;
	while (nslots < 2 * n)
		nslots *= 2;
	map->keys = calloc(nslots, sizeof(*map->keys));
	map->vals = calloc(nslots, sizeof(*map->vals));
	map->nslots = nslots;
	return map->keys && map->vals ? 0 : -ENOMEM;
}

/* Enter element i with id; -EINVAL with err set for id 0 or a duplicate
 * (`what` names the message). */
static int ids_put(struct id_map *map, uint64_t id, size_t i,
		   const char *what, char err[PYRO_ERR_MAX])
{
	if (!map->nslots)
		return 0;
	if (id == 0) {
		set_err(err, "malformed profile: %s with reserved id 0", what);
		return -EINVAL;
	}
	if (id_map_put(map, id, (uint32_t)i)) {
		set_err(err, "malformed profile: duplicate %s id %llu", what,
			(unsigned long long)id);
		return -EINVAL;
	}
	return 0;
}

/* ---- full decode and validation -------------------------------------- */

static int index_ids(struct pyro_profile *p, char err[PYRO_ERR_MAX])
{
	const struct pmsg *m = &p->m;
	size_t i;

	if (ids_begin(&p->mappings, m->nmappings ? &m->mappings[0].id : NULL,
		      sizeof(*m->mappings), m->nmappings) ||
	    ids_begin(&p->functions, m->nfunctions ? &m->functions[0].id : NULL,
		      sizeof(*m->functions), m->nfunctions) ||
	    ids_begin(&p->locations, m->nlocations ? &m->locations[0].id : NULL,
		      sizeof(*m->locations), m->nlocations)) {
		set_err(err, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < m->nmappings; i++) {
		const struct pmapping *mp = &m->mappings[i];

		if (ids_put(&p->mappings, mp->id, i, "mapping", err) ||
		    check_str(m, mp->filename, "mapping file", err) ||
		    check_str(m, mp->build_id, "build id", err))
			return -EINVAL;
	}
	for (i = 0; i < m->nfunctions; i++) {
		const struct pfunction *f = &m->functions[i];

		if (ids_put(&p->functions, f->id, i, "function", err) ||
		    check_str(m, f->name, "function name", err) ||
		    check_str(m, f->system_name, "function system name", err) ||
		    check_str(m, f->filename, "function file", err))
			return -EINVAL;
	}
	for (i = 0; i < m->nlocations; i++)
		if (ids_put(&p->locations, m->locations[i].id, i, "location", err))
			return -EINVAL;
	return 0;
}

/* Check every reference; turn sample location ids into indexes. */
static int check_refs(struct pyro_profile *p, char err[PYRO_ERR_MAX])
{
	struct pmsg *m = &p->m;
	uint32_t idx;
	size_t i, j;

	for (i = 0; i < m->nlocations; i++) {
		const struct plocation *l = &m->locations[i];

		if (l->mapping_id && id_map_get(&p->mappings, l->mapping_id, &idx)) {
			set_err(err, "malformed profile: location %llu references missing mapping %llu",
				(unsigned long long)l->id,
				(unsigned long long)l->mapping_id);
			return -EINVAL;
		}
		for (j = 0; j < l->nlines; j++) {
			uint64_t fid = m->line_fn[l->line + j];

			if (fid && id_map_get(&p->functions, fid, &idx)) {
				set_err(err, "malformed profile: location %llu references missing function %llu",
					(unsigned long long)l->id,
					(unsigned long long)fid);
				return -EINVAL;
			}
		}
	}
	if (m->loc_wide && !(m->loc_ids = malloc((m->nloc_ids ? m->nloc_ids : 1) *
						  sizeof(*m->loc_ids)))) {
		set_err(err, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < m->nsamples; i++) {
		const struct psample *s = &m->samples[i];
		uint32_t *idxs = m->loc_ids + s->loc;

		if (s->nvals != p->ntypes) {
			set_err(err, "malformed profile: sample %zu has %u values for %zu sample types",
				i, s->nvals, p->ntypes);
			return -EINVAL;
		}
		for (j = 0; j < s->nlocs; j++) {
			uint64_t id = m->loc_wide ? m->loc_wide[s->loc + j] : idxs[j];

			if (id_map_get(&p->locations, id, &idx)) {
				set_err(err, "malformed profile: sample %zu references missing location %llu",
					i, (unsigned long long)id);
				return -EINVAL;
			}
			idxs[j] = idx;
		}
	}
	free(m->loc_wide);
	m->loc_wide = NULL;
	return 0;
}

/* ---- drop_frames / keep_frames ---------------------------------------- */

/* pprof's simplifyFunc: drop a leading '.', cut the argument list at the
 * first '(' that does not begin "(anonymous namespace)" or "operator()". */
static size_t simplified_len(const char *name, size_t len, size_t *skip)
{
	static const char *const reserved[] = { "(anonymous namespace)",
						"operator()" };
	size_t i, r;

	*skip = len && name[0] == '.';
	for (i = *skip; i < len; i++) {
		int is_reserved = 0;

		for (r = 0; r < 2; r++) {
			size_t rl = strlen(reserved[r]);

			if (len - i >= rl && !memcmp(name + i, reserved[r], rl)) {
				i += rl - 1;
				is_reserved = 1;
				break;
			}
		}
		if (!is_reserved && name[i] == '(')
			return i - *skip;
	}
	return len - *skip;
}

/* Translate the RE2 features pprof's legacy parsers use into POSIX ERE. */
static int compile_anchored(const char *re, regex_t *rx)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	const char *p;
	int rc = 0;

	rc |= pyro_buf_puts(&b, "^(");
	for (p = re; *p && !rc; p++) {
		if (p[0] == '(' && p[1] == '?' && p[2] == ':') {
			rc |= pyro_buf_putc(&b, '(');
			p += 2;
		} else if (p[0] == '\\' && p[1] == 'd') {
			rc |= pyro_buf_puts(&b, "[0-9]");
			p++;
		} else if (p[0] == '\\' && p[1] == 'w') {
			rc |= pyro_buf_puts(&b, "[A-Za-z0-9_]");
			p++;
		} else if (p[0] == '\\' && p[1] == 's') {
			rc |= pyro_buf_puts(&b, "[[:space:]]");
			p++;
		} else if (p[0] == '\\' && p[1]) {
			rc |= pyro_buf_add(&b, p, 2);
			p++;
		} else {
			rc |= pyro_buf_putc(&b, *p);
		}
	}
	rc |= pyro_buf_puts(&b, ")$");
	if (!rc)
		rc = regcomp(rx, b.data, REG_EXTENDED | REG_NOSUB) ? -EINVAL : 0;
	pyro_buf_release(&b);
	return rc;
}

static int compile_string(const struct pmsg *m, int64_t i, regex_t *rx)
{
	char *re = str_dup(m, i);
	int rc = re ? compile_anchored(re, rx) : -ENOMEM;

	free(re);
	return rc;
}

static int name_matches(const regex_t *rx, const char *name, size_t len)
{
	size_t skip, n = simplified_len(name, len, &skip);
	char small[256], *s = n < sizeof(small) ? small : malloc(n + 1);
	int hit;

	if (!s)
		return 0;
	memcpy(s, name + skip, n);
	s[n] = '\0';
	hit = regexec(rx, s, 0, NULL, 0) == 0;
	if (s != small)
		free(s);
	return hit;
}

static int function_pruned(const struct pyro_profile *p, const regex_t *drop,
			   const regex_t *keep, uint64_t fid)
{
	const struct pmsg *m = &p->m;
	const struct pstr *name;
	uint32_t fi;

	if (!fid || id_map_get(&p->functions, fid, &fi))
		return 0;
	name = &m->strs[m->functions[fi].name];
	if (name->len == 0)
		return 0;
	if (!name_matches(drop, name->ptr, name->len))
		return 0;
	return !keep || !name_matches(keep, name->ptr, name->len);
}

/* Mark locations to prune; trim inlined lines of partially matched ones. */
static int prune_locations(struct pyro_profile *p, char err[PYRO_ERR_MAX])
{
	const struct pmsg *m = &p->m;
	regex_t drop, keep;
	int have_keep = 0;
	size_t i;

	p->line_first = calloc(m->nlocations ? m->nlocations : 1,
			       sizeof(*p->line_first));
	p->prune = calloc(m->nlocations ? m->nlocations : 1, 1);
	if (!p->line_first || !p->prune) {
		set_err(err, "out of memory");
		return -ENOMEM;
	}
	if (!m->drop_frames || !m->strs[m->drop_frames].len)
		return 0;
	/* pprof fails on a regexp it cannot compile; we serve the profile
	 * unpruned rather than not at all. */
	if (compile_string(m, m->drop_frames, &drop))
		return 0;
	if (m->keep_frames && m->strs[m->keep_frames].len)
		have_keep = compile_string(m, m->keep_frames, &keep) == 0;
	for (i = 0; i < m->nlocations; i++) {
		const struct plocation *l = &m->locations[i];
		size_t j;

		/* From the outermost line inwards: the first match cuts. */
		for (j = l->nlines; j-- > 0;) {
			if (!function_pruned(p, &drop, have_keep ? &keep : NULL,
					     m->line_fn[l->line + j]))
				continue;
			if (j == l->nlines - 1) {
				p->prune[i] = PRUNE_WHOLE;
			} else {
				p->prune[i] = PRUNE_BENEATH;
				p->line_first[i] = (uint32_t)(j + 1);
			}
			p->any_prune = 1;
			break;
		}
	}
	regfree(&drop);
	if (have_keep)
		regfree(&keep);
	return 0;
}

/* Decode p->data (owned by p).  Fills everything or fails with err. */
static int decode_owned(struct pyro_profile *p, struct stream *st,
			char err[PYRO_ERR_MAX])
{
	int rc;

	rc = parse_profile(&p->m, (const uint8_t *)p->data.data, p->data.len, 0,
			   st);
	if (rc == ERR_STREAM)
		return rc;
	if (rc) {
		set_err(err, rc == ERR_NOMEM ? "out of memory" :
			"not a pprof profile (protobuf does not decode as a Profile)");
		return rc;
	}
	rc = check_profile_shape(&p->m, err);
	if (!rc) {
		rc = fill_types(&p->m, &p->types, &p->ntypes);
		if (rc)
			set_err(err, "out of memory");
	}
	if (!rc)
		rc = index_ids(p, err);
	if (!rc)
		rc = check_refs(p, err);
	if (!rc)
		rc = prune_locations(p, err);
	return rc;
}

int pyro_profile_decode(const void *data, size_t len, struct pyro_profile **out,
			char err[PYRO_ERR_MAX])
{
	struct pyro_profile *p;
	int rc;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p || pyro_buf_add(&p->data, data, len)) {
		free(p);
		set_err(err, "out of memory");
		return -ENOMEM;
	}
	rc = decode_owned(p, NULL, err);
	if (rc) {
		pyro_profile_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

/* Release everything decoded so far, keeping the struct for a retry. */
static void profile_reset(struct pyro_profile *p)
{
	pmsg_release(&p->m);
	pyro_buf_release(&p->data);
	free_types(p->types, p->ntypes);
	p->types = NULL;
	p->ntypes = 0;
	id_map_release(&p->functions);
	id_map_release(&p->locations);
	id_map_release(&p->mappings);
	free(p->line_first);
	free(p->prune);
	p->line_first = NULL;
	p->prune = NULL;
	p->any_prune = 0;
}

/* Decode the gzip bytes raw while they inflate (see "Inflating while
 * decoding").  0 with p filled, ERR_STREAM to start over the plain way, or
 * an error of the profile itself (in err). */
static int load_streaming(struct pyro_profile *p, const struct pyro_buf *raw,
			  size_t max_size, char err[PYRO_ERR_MAX])
{
	struct stream st;
	pthread_t tid;
	uint32_t isize;
	int rc;

	if (raw->len < 18 || (unsigned char)raw->data[0] != 0x1f ||
	    (unsigned char)raw->data[1] != 0x8b)
		return ERR_STREAM;
	memcpy(&isize, raw->data + raw->len - 4, 4);    /* little-endian */
	isize = le32toh(isize);
	if (isize < STREAM_MIN || isize > max_size)
		return ERR_STREAM;
	if (pyro_buf_grow(&p->data, isize))
		return ERR_STREAM;
	memset(&st, 0, sizeof(st));
	st.in = raw;
	st.out = p->data.data;
	st.size = isize;
	atomic_init(&st.avail, 0);
	atomic_init(&st.state, 0);
	pthread_mutex_init(&st.lock, NULL);
	pthread_cond_init(&st.cond, NULL);
	p->data.len = isize;
	if (pthread_create(&tid, NULL, stream_inflate, &st)) {
		rc = ERR_STREAM;
	} else {
		rc = decode_owned(p, &st, err);
		/* A decode error may come from bytes not yet checked by
		 * inflate (the CRC is checked last): wait and see. */
		pthread_join(tid, NULL);
		if (atomic_load(&st.state) != 1)
			rc = ERR_STREAM;
	}
	pthread_cond_destroy(&st.cond);
	pthread_mutex_destroy(&st.lock);
	p->data.data[isize] = '\0';
	return rc;
}

int pyro_profile_load(const char *path, size_t max_size,
		      struct pyro_profile **out, char err[PYRO_ERR_MAX])
{
	int fd = pyro_open_regular_at(AT_FDCWD, path, NULL, err);
	int rc;

	*out = NULL;
	if (fd < 0)
		return fd;
	rc = pyro_profile_load_fd(fd, max_size, out, err);
	close(fd);
	return rc;
}

int pyro_profile_load_fd(int fd, size_t max_size, struct pyro_profile **out,
			 char err[PYRO_ERR_MAX])
{
	struct pyro_buf raw = PYRO_BUF_INIT;
	struct pyro_profile *p;
	int compressed = 0, rc;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p) {
		set_err(err, "out of memory");
		return -ENOMEM;
	}
	/* The inflated bytes become the profile's: strings point into them. */
	rc = read_fd(fd, max_size, &raw, err);
	if (!rc) {
		rc = load_streaming(p, &raw, max_size, err);
		if (rc == ERR_STREAM) {
			profile_reset(p);
			rc = unpack(&raw, max_size, &p->data, &compressed, err);
			if (!rc)
				rc = decode_owned(p, NULL, err);
		}
	}
	pyro_buf_release(&raw);
	if (rc) {
		pyro_profile_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

void pyro_profile_free(struct pyro_profile *p)
{
	if (!p)
		return;
	pmsg_release(&p->m);
	pyro_buf_release(&p->data);
	free_types(p->types, p->ntypes);
	id_map_release(&p->functions);
	id_map_release(&p->locations);
	id_map_release(&p->mappings);
	free(p->line_first);
	free(p->prune);
	free(p);
}

size_t pyro_profile_ntypes(const struct pyro_profile *p)
{
	return p->ntypes;
}

/* ---- aggregation into stacks ----------------------------------------- */

/* Frame references of every location, root first, in one flat array. */
struct loc_frames {
	uint32_t *refs;
	size_t *off;            /* per location: first ref; off[n] = end */
	uint32_t *fn_frame;     /* per function index: its frame id + 1, or 0 */
};

/* Go's filepath.Base, in place: trailing slashes dropped, last element
 * kept; "" stays "". */
static char *base_name(char *path)
{
	size_t n = strlen(path);
	char *slash;

	while (n > 1 && path[n - 1] == '/')
		path[--n] = '\0';
	slash = strrchr(path, '/');
	if (slash && slash[1])
		memmove(path, slash + 1, strlen(slash + 1) + 1);
	return path;
}

/* pprof's node name for a location without symbol: "[binary]" or
 * "<unknown>". */
static int unsymbolized_node(const struct pyro_profile *p,
			     const struct plocation *l, struct pyro_buf *b)
{
	const struct pmsg *m = &p->m;
	uint32_t mi;

	if (l->mapping_id && !id_map_get(&p->mappings, l->mapping_id, &mi) &&
	    m->strs[m->mappings[mi].filename].len) {
		char *file = str_dup(m, m->mappings[mi].filename);
		int rc = file ? pyro_buf_printf(b, "[%s]", base_name(file)) : -ENOMEM;

		free(file);
		return rc;
	}
	return pyro_buf_puts(b, "<unknown>");
}

static int address_frame(const struct pyro_profile *p, struct pyro_stacks *out,
			 const struct plocation *l, uint32_t *id)
{
	struct pyro_buf node = PYRO_BUF_INIT;
	char addr[24];
	int rc;

	snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)l->address);
	rc = unsymbolized_node(p, l, &node);
	if (!rc)
		rc = pyro_stacks_frame(out, addr, strlen(addr), node.data,
				       node.len, id);
	pyro_buf_release(&node);
	return rc;
}

static int line_frame(const struct pyro_profile *p, struct pyro_stacks *out,
		      struct loc_frames *lf, const struct plocation *l,
		      uint64_t fid, uint32_t *id)
{
	const struct pmsg *m = &p->m;
	const struct pstr *name, *file;
	uint32_t fi;
	int rc;

	if (!fid || id_map_get(&p->functions, fid, &fi))
		return address_frame(p, out, l, id);
	name = &m->strs[m->functions[fi].name];
	if (name->len) {
		/* Named functions are most lines: intern each one once. */
		if (lf->fn_frame[fi]) {
			*id = lf->fn_frame[fi] - 1;
			return 0;
		}
		rc = pyro_stacks_frame(out, name->ptr, name->len, name->ptr,
				       name->len, id);
		if (!rc)
			lf->fn_frame[fi] = *id + 1;
		return rc;
	}
	/* A nameless function: pprof's flame graph shows its file. */
	file = &m->strs[m->functions[fi].filename];
	if (file->len) {
		struct pyro_buf node = PYRO_BUF_INIT;

		rc = unsymbolized_node(p, l, &node);
		if (!rc)
			rc = pyro_stacks_frame(out, file->ptr, file->len,
					       node.data, node.len, id);
		pyro_buf_release(&node);
		return rc;
	}
	return address_frame(p, out, l, id);
}

static int build_loc_frames(const struct pyro_profile *p,
			    struct pyro_stacks *out, struct loc_frames *lf)
{
	const struct pmsg *m = &p->m;
	size_t i, nrefs = 0, k = 0;
	int rc = 0;

	lf->off = malloc((m->nlocations + 1) * sizeof(*lf->off));
	lf->fn_frame = calloc(m->nfunctions ? m->nfunctions : 1,
			      sizeof(*lf->fn_frame));
	if (!lf->off || !lf->fn_frame)
		return -ENOMEM;
	for (i = 0; i < m->nlocations; i++) {
		size_t n = m->locations[i].nlines - p->line_first[i];

		nrefs += n ? n : 1;
	}
	lf->refs = malloc((nrefs ? nrefs : 1) * sizeof(*lf->refs));
	if (!lf->refs)
		return -ENOMEM;
	for (i = 0; i < m->nlocations && !rc; i++) {
		const struct plocation *l = &m->locations[i];
		size_t j, first = p->line_first[i];
		uint32_t id;

		lf->off[i] = k;
		if (l->nlines == first) {
			rc = address_frame(p, out, l, &id);
			lf->refs[k++] = id;
			continue;
		}
		/* line[first] is innermost: emit outermost first; every line but
		 * the outermost is an inlined callee. */
		for (j = l->nlines; j-- > first && !rc;) {
			rc = line_frame(p, out, lf, l, m->line_fn[l->line + j], &id);
			lf->refs[k++] = id | (j != l->nlines - 1 ? PYRO_REF_INLINE : 0);
		}
	}
	lf->off[m->nlocations] = k;
	return rc;
}

/* Index of the first location of sample s kept by pruning (leaf side). */
static size_t sample_first_kept(const struct pyro_profile *p,
				const struct psample *s)
{
	const uint32_t *li = p->m.loc_ids + s->loc;
	int found_user = 0;
	size_t i;

	for (i = s->nlocs; i-- > 0;) {
		uint8_t pr = p->prune[li[i]];

		if (pr == PRUNE_NONE) {
			found_user = 1;
			continue;
		}
		if (!found_user)
			continue;
		return pr == PRUNE_WHOLE ? i + 1 : i;
	}
	return 0;
}

static int fill_meta(const struct pyro_profile *p, size_t index,
		     struct pyro_meta *meta)
{
	const struct pmsg *m = &p->m;
	size_t i;

	meta->sample_type = strdup(p->types[index].type);
	meta->sample_unit = strdup(p->types[index].unit);
	if (!meta->sample_type || !meta->sample_unit)
		return -ENOMEM;
	if (m->nmappings) {
		const struct pmapping *mp = &m->mappings[0];

		if (m->strs[mp->filename].len) {
			meta->file = str_dup(m, mp->filename);
			if (!meta->file)
				return -ENOMEM;
			base_name(meta->file);
		}
		if (m->strs[mp->build_id].len &&
		    !(meta->build_id = str_dup(m, mp->build_id)))
			return -ENOMEM;
	}
	if (m->doc_url && !(meta->doc_url = str_dup(m, m->doc_url)))
		return -ENOMEM;
	if (m->ncomments) {
		meta->comments = calloc(m->ncomments, sizeof(char *));
		if (!meta->comments)
			return -ENOMEM;
		for (i = 0; i < m->ncomments; i++) {
			meta->comments[i] = str_dup(m, m->comments[i]);
			meta->ncomments = i + 1;
			if (!meta->comments[i])
				return -ENOMEM;
		}
	}
	meta->time_nanos = m->time_nanos;
	meta->newest_nanos = m->time_nanos;
	meta->duration_nanos = m->duration_nanos;
	meta->nsnapshots = 1;
	meta->rule = PYRO_MERGE_SINGLE;
	return 0;
}

/* pyro_profile_stacks, of the samples i with keep[i] (all if keep is
 * NULL). */
static int aggregate(const struct pyro_profile *p, size_t index,
		     const uint8_t *keep, struct pyro_stacks *out,
		     char err[PYRO_ERR_MAX])
{
	const struct pmsg *m = &p->m;
	struct loc_frames lf = { NULL, NULL, NULL };
	uint32_t *refs = NULL, *one = NULL;
	size_t refs_cap = 0, i;
	int rc;

	rc = pyro_stacks_init(out);
	if (rc || index >= p->ntypes) {
		set_err(err, rc ? "out of memory" : "no sample type %zu", index);
		return rc ? rc : -EINVAL;
	}
	rc = fill_meta(p, index, &out->meta);
	if (!rc)
		rc = build_loc_frames(p, out, &lf);
	/* Most locations are one frame: their reference, read straight from
	 * one array; NO_REF sends the others to lf. */
#define NO_REF UINT32_MAX
	if (!rc && !(one = malloc((m->nlocations ? m->nlocations : 1) * sizeof(*one))))
		rc = -ENOMEM;
	for (i = 0; !rc && i < m->nlocations; i++)
		one[i] = lf.off[i + 1] - lf.off[i] == 1 ? lf.refs[lf.off[i]] : NO_REF;
	if (!rc && m->nlocations)
		rc = pyro_stacks_reserve(out, m->nsamples,
					 (size_t)((double)m->nloc_ids *
						  lf.off[m->nlocations] / m->nlocations));
	for (i = 0; !rc && i < m->nsamples; i++) {
		const struct psample *s = &m->samples[i];
		const uint32_t *li = m->loc_ids + s->loc;
		int64_t v = m->vals[s->val + index];
		size_t first, j, depth = 0;

		if (v == 0 || (keep && !keep[i]))
			continue;
		first = p->any_prune ? sample_first_kept(p, s) : 0;
		for (j = s->nlocs; j-- > first;) {
			uint32_t r = one[li[j]];
			size_t n = r != NO_REF ? 1 : lf.off[li[j] + 1] - lf.off[li[j]];

			if (depth + n > refs_cap) {
				size_t cap = refs_cap ? refs_cap * 2 : 256;
				uint32_t *nr;

				while (cap < depth + n)
					cap *= 2;
				nr = realloc(refs, cap * sizeof(*nr));
				if (!nr) {
					rc = -ENOMEM;
					break;
				}
				refs = nr;
				refs_cap = cap;
			}
			if (r != NO_REF)
				refs[depth] = r;
			else
				memcpy(refs + depth, lf.refs + lf.off[li[j]],
				       n * sizeof(*refs));
			depth += n;
		}
		if (!rc && depth > UINT32_MAX)
			rc = -E2BIG;
		if (!rc)
			rc = pyro_stacks_add(out, refs, (uint32_t)depth, v, NULL);
	}
#undef NO_REF
	if (rc == -EOVERFLOW)
		set_err(err, "sample values overflow 64 bits");
	else if (rc)
		set_err(err, "out of memory aggregating samples");
	free(refs);
	free(one);
	free(lf.refs);
	free(lf.off);
	free(lf.fn_frame);
	return rc;
}

int pyro_profile_stacks(const struct pyro_profile *p, size_t index,
			struct pyro_stacks *out, char err[PYRO_ERR_MAX])
{
	return aggregate(p, index, NULL, out, err);
}

/* ---- labels ------------------------------------------------------------ */

/* A label as pprof reads it: 1 string, 2 numeric, 0 none (all fields 0, or
 * a string index outside the table: ignored). */
static int label_kind(const struct pmsg *m, const struct plabel *l)
{
	if (!str_ok(m, l->key))
		return 0;
	if (l->str)
		return str_ok(m, l->str) ? 1 : 0;
	if (l->num || l->num_unit)
		return str_ok(m, l->num_unit) ? 2 : 0;
	return 0;
}

int pyro_profile_labels(const struct pyro_profile *p, size_t type_index,
			struct pyro_label_set *out)
{
	const struct pmsg *m = &p->m;
	size_t i, l = 0;
	int rc;

	if (type_index >= p->ntypes) {
		memset(out, 0, sizeof(*out));
		return -EINVAL;
	}
	rc = pyro_label_set_init(out, p->types[type_index].type,
				 p->types[type_index].unit);
	for (i = 0; i < m->nsamples && !rc; i++) {
		int64_t v = m->vals[m->samples[i].val + type_index];

		rc = pyro_label_set_sample(out, v);
		for (; l < m->nlabels && m->labels[l].sample == i && !rc; l++) {
			const struct plabel *lb = &m->labels[l];
			int kind = label_kind(m, lb);
			const struct pstr *key = &m->strs[kind ? lb->key : 0];
			char num[24];

			if (kind == 1) {
				const struct pstr *str = &m->strs[lb->str];

				rc = pyro_label_set_add(out, key->ptr, key->len,
							str->ptr, str->len,
							PYRO_LABEL_STRING, 0, NULL, 0,
							v, i + 1);
			} else if (kind == 2) {
				const struct pstr *unit = &m->strs[lb->num_unit];
				int n = snprintf(num, sizeof(num), "%lld",
						 (long long)lb->num);

				rc = pyro_label_set_add(out, key->ptr, key->len,
							num, (size_t)n,
							PYRO_LABEL_NUMBER, lb->num,
							unit->ptr, unit->len, v, i + 1);
			}
		}
	}
	if (!rc)
		rc = pyro_label_set_finish(out);
	return rc;
}

/* Parse a canonical decimal integer ("0", "-12", no '+', no leading 0):
 * the only text a numeric label has.  0, or -EINVAL. */
static int canonical_int(const char *s, size_t len, int64_t *out)
{
	char buf[24];
	long long v;
	char *end;

	if (len == 0 || len >= sizeof(buf) || memchr(s, '\0', len))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || *end)
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%lld", v);
	if (strlen(buf) != len || memcmp(buf, s, len))
		return -EINVAL;
	*out = v;
	return 0;
}

int pyro_profile_stacks_filtered(const struct pyro_profile *p, size_t index,
				 const char *key, size_t key_len,
				 const char *value, size_t value_len,
				 struct pyro_stacks *out, char err[PYRO_ERR_MAX])
{
	const struct pmsg *m = &p->m;
	uint8_t *keep;
	int64_t num = 0;
	int is_num, rc;
	size_t l;

	keep = calloc(m->nsamples ? m->nsamples : 1, 1);
	if (!keep) {
		memset(out, 0, sizeof(*out));
		set_err(err, "out of memory");
		return -ENOMEM;
	}
	is_num = value && canonical_int(value, value_len, &num) == 0;
	for (l = 0; l < m->nlabels; l++) {
		const struct plabel *lb = &m->labels[l];
		int kind = label_kind(m, lb);
		const struct pstr *k = &m->strs[kind ? lb->key : 0];

		if (!kind || k->len != key_len || (key_len && memcmp(k->ptr, key, key_len)))
			continue;
		if (!value) {
			keep[lb->sample] = 1;   /* has the key: inverted below */
		} else if (kind == 1) {
			const struct pstr *str = &m->strs[lb->str];

			if (str->len == value_len &&
			    (!value_len || !memcmp(str->ptr, value, value_len)))
				keep[lb->sample] = 1;
		} else if (is_num && lb->num == num) {
			keep[lb->sample] = 1;
		}
	}
	if (!value)
		for (l = 0; l < m->nsamples; l++)
			keep[l] = !keep[l];
	rc = aggregate(p, index, keep, out, err);
	free(keep);
	return rc;
}
