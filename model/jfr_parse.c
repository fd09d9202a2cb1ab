/*
 * jfr_parse.c - JFR chunks, their integers, strings, values and constant
 * pools (see jfr_parse.h for the format as this reader understands it);
 * the metadata event that describes the classes is jfr_meta.c's.
 *
 * The reader never builds objects for values: the pool index maps (class,
 * key) to the offset of the value in the chunk, and the few values the
 * converter needs (a stack trace, a method, a thread's name) are read in
 * place by walking their class's fields.  Memory is therefore the metadata
 * plus one slot per pool entry, and the slots count against a budget.
 */
#include "jfr_parse.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *pyro_jfr_why(int rc)
{
	switch (rc) {
	case -EOVERFLOW:
		return "a count larger than the bytes left";
	case -ELOOP:
		return "references or nesting deeper than "
		       PYRO_JFR_DEPTH_MAX_STR " (a loop?)";
	case -EINVAL:
		return "malformed (past its end or a bad tag)";
	default:
		return strerror(-rc);
	}
}

int pyro_jfr_u8(struct pyro_jfr_rd *r, uint8_t *v)
{
	if (r->p >= r->end)
		return -EINVAL;
	*v = *r->p++;
	return 0;
}

int pyro_jfr_varint(struct pyro_jfr_rd *r, uint64_t *v)
{
	uint64_t x = 0;
	int i;

	for (i = 0; i < 8; i++) {
		if (r->p >= r->end)
			return -EINVAL;
		x |= (uint64_t)(*r->p & 0x7f) << (7 * i);
		if (!(*r->p++ & 0x80)) {
			*v = x;
			return 0;
		}
	}
	/* The ninth byte of a long carries a full eight bits. */
	if (r->p >= r->end)
		return -EINVAL;
	x |= (uint64_t)*r->p++ << 56;
	*v = x;
	return 0;
}

static int read_be(struct pyro_jfr_rd *r, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if ((size_t)(r->end - r->p) < n)
		return -EINVAL;
	for (i = 0; i < n; i++)
		x = x << 8 | r->p[i];
	r->p += n;
	*v = x;
	return 0;
}

int pyro_jfr_long(struct pyro_jfr_rd *r, int64_t *v)
{
	uint64_t x;
	int rc = r->compressed ? pyro_jfr_varint(r, &x) : read_be(r, 8, &x);

	if (!rc)
		*v = (int64_t)x;
	return rc;
}

int pyro_jfr_int(struct pyro_jfr_rd *r, int32_t *v)
{
	uint64_t x;
	int rc = r->compressed ? pyro_jfr_varint(r, &x) : read_be(r, 4, &x);

	if (!rc)
		*v = (int32_t)(uint32_t)x;
	return rc;
}

int pyro_jfr_count(struct pyro_jfr_rd *r, size_t *n)
{
	int32_t v;
	int rc = pyro_jfr_int(r, &v);

	if (rc)
		return rc;
	if (v < 0 || (size_t)v > (size_t)(r->end - r->p))
		return -EOVERFLOW;
	*n = (size_t)v;
	return 0;
}

static uint64_t be64(const unsigned char *p)
{
	uint64_t x = 0;
	int i;

	for (i = 0; i < 8; i++)
		x = x << 8 | p[i];
	return x;
}

int pyro_jfr_header_parse(const unsigned char *p, size_t len,
			  struct pyro_jfr_header *h, char err[PYRO_ERR_MAX])
{
	if (len < PYRO_JFR_HEADER_SIZE || memcmp(p, "FLR", 4)) {
		snprintf(err, PYRO_ERR_MAX, "%s", len < PYRO_JFR_HEADER_SIZE ?
			 "truncated chunk header" : "no FLR magic");
		return -EINVAL;
	}
	h->major = (uint16_t)(p[4] << 8 | p[5]);
	h->minor = (uint16_t)(p[6] << 8 | p[7]);
	h->size = be64(p + 8);
	h->cp_offset = be64(p + 16);
	h->meta_offset = be64(p + 24);
	h->start_nanos = (int64_t)be64(p + 32);
	h->duration_nanos = (int64_t)be64(p + 40);
	h->start_ticks = (int64_t)be64(p + 48);
	h->ticks_per_second = (int64_t)be64(p + 56);
	h->features = (uint32_t)p[64] << 24 | (uint32_t)p[65] << 16 |
		      (uint32_t)p[66] << 8 | p[67];
	if (h->major != 1 && h->major != 2) {
		snprintf(err, PYRO_ERR_MAX, "version %u.%u not supported",
			 h->major, h->minor);
		return -EINVAL;
	}
	if (h->size == 0) {
		/* The JVM writes the size when it closes the chunk. */
		snprintf(err, PYRO_ERR_MAX, "unfinished chunk (size 0)");
		return -EINVAL;
	}
	if (h->size < PYRO_JFR_HEADER_SIZE || h->size > len) {
		snprintf(err, PYRO_ERR_MAX, "chunk of %" PRIu64 " bytes, %zu "
			 "there (truncated)", h->size, len);
		return -EINVAL;
	}
	if (h->meta_offset < PYRO_JFR_HEADER_SIZE || h->meta_offset >= h->size ||
	    h->cp_offset >= h->size) {
		snprintf(err, PYRO_ERR_MAX, "metadata or constant pool offset "
			 "outside the chunk");
		return -EINVAL;
	}
	if (h->ticks_per_second <= 0) {
		snprintf(err, PYRO_ERR_MAX, "ticks per second is %" PRId64,
			 h->ticks_per_second);
		return -EINVAL;
	}
	return 0;
}

/* ---- strings ---- */

static int put_utf8(struct pyro_buf *out, uint32_t c)
{
	char b[4];
	size_t n;

	if (c >= 0xd800 && c <= 0xdfff)
		c = 0xfffd;     /* a lone surrogate half; pairs are rare in names */
	if (c < 0x80) {
		b[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = (char)(0xc0 | c >> 6);
		b[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else {
		b[0] = (char)(0xe0 | c >> 12);
		b[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		b[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	}
	return pyro_buf_add(out, b, n);
}

static int string_at(const struct pyro_jfr_chunk *c, struct pyro_jfr_rd *r,
		     struct pyro_buf *out, int *is_null, int depth)
{
	uint8_t tag;
	size_t n, i;
	int rc;

	*is_null = 0;
	rc = pyro_jfr_u8(r, &tag);
	if (rc)
		return rc;
	switch (tag) {
	case 0:
		*is_null = 1;
		return 0;
	case 1:
		return 0;
	case 2: {
		int64_t key;
		struct pyro_jfr_rd at;

		rc = pyro_jfr_long(r, &key);
		if (rc)
			return rc;
		if (!c)
			return -EINVAL;
		if (depth >= PYRO_JFR_DEPTH_MAX)
			return -ELOOP;
		rc = pyro_jfr_cp_get(c, c->string_class, (uint64_t)key, &at);
		if (rc == 1) {
			*is_null = 1;
			return 0;
		}
		return rc ? rc : string_at(c, &at, out, is_null, depth + 1);
	}
	case 3:
	case 5:
		rc = pyro_jfr_count(r, &n);
		if (rc)
			return rc;
		for (i = 0; tag == 5 && i < n && r->p[i] < 0x80; i++)
			;
		if (tag == 3 || i == n) {       /* UTF-8, or ASCII Latin-1 */
			rc = pyro_buf_add(out, r->p, n);
		} else {
			for (i = 0; i < n && !rc; i++)
				rc = put_utf8(out, r->p[i]);
		}
		r->p += n;
		return rc;
	case 4:
		rc = pyro_jfr_count(r, &n);
		for (i = 0; i < n && !rc; i++) {
			int32_t ch;

			rc = pyro_jfr_int(r, &ch);
			if (!rc)
				rc = put_utf8(out, (uint32_t)ch & 0xffff);
		}
		return rc;
	default:
		return -EINVAL;
	}
}

int pyro_jfr_string(const struct pyro_jfr_chunk *c, struct pyro_jfr_rd *r,
		    struct pyro_buf *out, int *is_null)
{
	return string_at(c, r, out, is_null, 0);
}

/* ---- values ---- */

static int skip_value(const struct pyro_jfr_chunk *c, struct pyro_jfr_rd *r,
		      const struct pyro_jfr_class *cls, int depth);

/* Skip a string without copying it; a pooled one is only its key here. */
static int skip_string(struct pyro_jfr_rd *r)
{
	int64_t key;
	int32_t ch;
	size_t n, i;
	uint8_t tag;
	int rc = pyro_jfr_u8(r, &tag);

	if (rc)
		return rc;
	switch (tag) {
	case 0:
	case 1:
		return 0;
	case 2:
		return pyro_jfr_long(r, &key);
	case 3:
	case 5:
		rc = pyro_jfr_count(r, &n);
		if (!rc)
			r->p += n;
		return rc;
	case 4:
		rc = pyro_jfr_count(r, &n);
		for (i = 0; i < n && !rc; i++)
			rc = pyro_jfr_int(r, &ch);
		return rc;
	default:
		return -EINVAL;
	}
}

static int skip_one(const struct pyro_jfr_chunk *c, struct pyro_jfr_rd *r,
		    const struct pyro_jfr_field *f, int depth)
{
	const struct pyro_jfr_class *cls;
	int64_t key;

	if (f->cp)
		return pyro_jfr_long(r, &key);
	cls = pyro_jfr_class_by_id(&c->meta, f->type);
	return cls ? skip_value(c, r, cls, depth + 1) : -EINVAL;
}

static int skip_field(const struct pyro_jfr_chunk *c, struct pyro_jfr_rd *r,
		      const struct pyro_jfr_field *f, int depth)
{
	size_t n, i;
	int rc;

	if (!f->array)
		return skip_one(c, r, f, depth);
	rc = pyro_jfr_count(r, &n);
	for (i = 0; i < n && !rc; i++) {
		const unsigned char *before = r->p;

		rc = skip_one(c, r, f, depth);
		/* A class whose values take no bytes (a struct of such
		 * structs) takes none for every element: without this, nested
		 * arrays of it would loop count x count times. */
		if (r->p == before)
			break;
	}
	return rc;
}

static int skip_value(const struct pyro_jfr_chunk *c, struct pyro_jfr_rd *r,
		      const struct pyro_jfr_class *cls, int depth)
{
	int64_t l;
	uint8_t b;
	size_t i;
	int rc = 0;

	if (depth >= PYRO_JFR_DEPTH_MAX)
		return -ELOOP;
	switch (cls->kind) {
	case PYRO_JFR_BOOLEAN:
	case PYRO_JFR_BYTE:
		return pyro_jfr_u8(r, &b);
	case PYRO_JFR_CHAR:
	case PYRO_JFR_SHORT:
		if (!r->compressed) {
			uint64_t x;

			return read_be(r, 2, &x);
		}
		return pyro_jfr_long(r, &l);
	case PYRO_JFR_INT:
	case PYRO_JFR_LONG:
		if (!r->compressed) {
			uint64_t x;

			return read_be(r, cls->kind == PYRO_JFR_INT ? 4 : 8, &x);
		}
		return pyro_jfr_long(r, &l);
	case PYRO_JFR_FLOAT:
	case PYRO_JFR_DOUBLE: {
		uint64_t x;

		return read_be(r, cls->kind == PYRO_JFR_FLOAT ? 4 : 8, &x);
	}
	case PYRO_JFR_STRING:
		return skip_string(r);
	case PYRO_JFR_STRUCT:
		break;
	}
	for (i = 0; i < cls->nfields && !rc; i++)
		rc = skip_field(c, r, &c->meta.fields[cls->field0 + i], depth);
	return rc;
}

int pyro_jfr_skip_field(const struct pyro_jfr_chunk *c, struct pyro_jfr_rd *r,
			const struct pyro_jfr_field *f)
{
	return skip_field(c, r, f, 0);
}

int pyro_jfr_seek(const struct pyro_jfr_chunk *c, struct pyro_jfr_rd *r,
		  const struct pyro_jfr_class *cls, const char *name,
		  const struct pyro_jfr_field **f)
{
	size_t i;
	int rc;

	for (i = 0; i < cls->nfields; i++) {
		const struct pyro_jfr_field *fi = &c->meta.fields[cls->field0 + i];

		if (!strcmp(fi->name, name)) {
			*f = fi;
			return 0;
		}
		rc = skip_field(c, r, fi, 0);
		if (rc)
			return rc;
	}
	return -ENOENT;
}

int pyro_jfr_deref(const struct pyro_jfr_chunk *c, struct pyro_jfr_rd *r,
		   const struct pyro_jfr_field *f, struct pyro_jfr_rd *at)
{
	int64_t key;
	int rc;

	if (f->array)
		return -EINVAL;
	if (!f->cp) {
		*at = *r;
		return skip_one(c, r, f, 0);
	}
	rc = pyro_jfr_long(r, &key);
	return rc ? rc : pyro_jfr_cp_get(c, f->type, (uint64_t)key, at);
}

int pyro_jfr_text(const struct pyro_jfr_chunk *c, struct pyro_jfr_rd *r,
		  const struct pyro_jfr_class *cls, struct pyro_buf *out,
		  int *is_null)
{
	int depth;

	/* Symbol -> string, at most a few steps; a class that refers to
	 * itself through "string" ends at the depth limit. */
	for (depth = 0; depth < PYRO_JFR_DEPTH_MAX; depth++) {
		const struct pyro_jfr_field *f;
		struct pyro_jfr_rd at;
		int rc;

		if (cls->kind == PYRO_JFR_STRING)
			return pyro_jfr_string(c, r, out, is_null);
		if (cls->kind != PYRO_JFR_STRUCT)
			return -EINVAL;
		rc = pyro_jfr_seek(c, r, cls, "string", &f);
		if (!rc)
			rc = pyro_jfr_deref(c, r, f, &at);
		if (rc == 1) {
			*is_null = 1;
			return 0;
		}
		if (rc)
			return rc == -ENOENT ? -EINVAL : rc;
		*r = at;
		cls = pyro_jfr_class_by_id(&c->meta, f->type);
		if (!cls)
			return -EINVAL;
	}
	return -ELOOP;
}

/* ---- constant pools ---- */

static uint64_t slot_hash(uint64_t cls, uint64_t key)
{
	uint64_t h = cls * 0x9e3779b97f4a7c15u ^ key;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdu;
	h ^= h >> 33;
	return h;
}

int pyro_jfr_cp_get(const struct pyro_jfr_chunk *c, uint64_t cls,
		    uint64_t key, struct pyro_jfr_rd *at)
{
	size_t i;

	if (!c->cp_cap)
		return 1;
	for (i = slot_hash(cls, key) & (c->cp_cap - 1);
	     c->cp[i].off != SIZE_MAX; i = (i + 1) & (c->cp_cap - 1)) {
		if (c->cp[i].cls == cls && c->cp[i].key == key) {
			at->p = c->base + c->cp[i].off;
			at->end = c->base + c->len;
			at->compressed = c->header.features & 1;
			return 0;
		}
	}
	return 1;
}

static int cp_resize(struct pyro_jfr_chunk *c, size_t cap, size_t *budget)
{
	struct pyro_jfr_cp_slot *old = c->cp, *s;
	size_t old_cap = c->cp_cap, i, j;
	size_t bytes = cap * sizeof(*s);

	if (bytes > *budget)
		return -EFBIG;
	s = malloc(bytes);
	if (!s)
		return -ENOMEM;
	for (i = 0; i < cap; i++)
		s[i].off = SIZE_MAX;
	for (i = 0; i < old_cap; i++) {
		if (old[i].off == SIZE_MAX)
			continue;
		for (j = slot_hash(old[i].cls, old[i].key) & (cap - 1);
		     s[j].off != SIZE_MAX; j = (j + 1) & (cap - 1))
			;
		s[j] = old[i];
	}
	*budget -= bytes;
	*budget += old_cap * sizeof(*s);
	free(old);
	c->cp = s;
	c->cp_cap = cap;
	return 0;
}

static int cp_put(struct pyro_jfr_chunk *c, uint64_t cls, uint64_t key,
		  size_t off, size_t *budget)
{
	size_t i;
	int rc;

	if ((c->cp_used + 1) * 2 > c->cp_cap) {
		rc = cp_resize(c, c->cp_cap ? c->cp_cap * 2 : 256, budget);
		if (rc)
			return rc;
	}
	for (i = slot_hash(cls, key) & (c->cp_cap - 1); c->cp[i].off != SIZE_MAX;
	     i = (i + 1) & (c->cp_cap - 1)) {
		if (c->cp[i].cls == cls && c->cp[i].key == key) {
			c->cp[i].off = off;     /* a later pool wins */
			return 0;
		}
	}
	c->cp[i].cls = cls;
	c->cp[i].key = key;
	c->cp[i].off = off;
	c->cp_used++;
	return 0;
}

/* The body of one constant-pool event. */
static int cp_event(struct pyro_jfr_chunk *c, struct pyro_jfr_rd *r,
		    size_t *budget, char err[PYRO_ERR_MAX])
{
	int64_t skip;
	uint8_t flush;
	size_t npools = 0, p, i;
	int rc = 0;

	/* start time, duration, delta to the next pool; flush flag.  The
	 * deltas are not followed: every pool event is found by walking
	 * the chunk's events, so a chain that loops cannot loop here. */
	for (i = 0; i < 3 && !rc; i++)
		rc = pyro_jfr_long(r, &skip);
	if (!rc)
		rc = pyro_jfr_u8(r, &flush);
	if (!rc)
		rc = pyro_jfr_count(r, &npools);
	for (p = 0; p < npools && !rc; p++) {
		const struct pyro_jfr_class *cls;
		int64_t id;
		size_t n;

		rc = pyro_jfr_long(r, &id);
		if (!rc)
			rc = pyro_jfr_count(r, &n);
		if (rc)
			break;
		cls = pyro_jfr_class_by_id(&c->meta, (uint64_t)id);
		if (!cls) {
			snprintf(err, PYRO_ERR_MAX, "constant pool of unknown "
				 "class %" PRId64, id);
			return -EINVAL;
		}
		for (i = 0; i < n && !rc; i++) {
			int64_t key;

			rc = pyro_jfr_long(r, &key);
			if (!rc)
				rc = cp_put(c, cls->id, (uint64_t)key,
					    (size_t)(r->p - c->base), budget);
			if (!rc)
				rc = skip_value(c, r, cls, 0);
		}
		if (rc && rc != -ENOMEM && rc != -EFBIG)
			snprintf(err, PYRO_ERR_MAX, "constant pool of %s: %s",
				 cls->name, pyro_jfr_why(rc));
	}
	if (rc && !err[0])
		snprintf(err, PYRO_ERR_MAX, "constant pool: %s",
			 pyro_jfr_why(rc));
	return rc;
}

int pyro_jfr_event_next(const struct pyro_jfr_chunk *c, size_t *pos,
			uint64_t *type, struct pyro_jfr_rd *body)
{
	struct pyro_jfr_rd r;
	int32_t size;
	int64_t t;

	if (*pos >= c->len)
		return 0;
	r.p = c->base + *pos;
	r.end = c->base + c->len;
	r.compressed = c->header.features & 1;
	if (pyro_jfr_int(&r, &size) || size <= 0 ||
	    (size_t)size > c->len - *pos)
		return -EINVAL;
	r.end = c->base + *pos + (size_t)size;
	if (pyro_jfr_long(&r, &t))
		return -EINVAL;
	*type = (uint64_t)t;
	*body = r;
	*pos += (size_t)size;
	return 1;
}

static int chunk_meta(struct pyro_jfr_chunk *c, char err[PYRO_ERR_MAX])
{
	size_t pos = (size_t)c->header.meta_offset;
	const struct pyro_jfr_class *s;
	struct pyro_jfr_rd body;
	uint64_t type;
	int rc = pyro_jfr_event_next(c, &pos, &type, &body);

	if (rc != 1 || type != 0) {
		snprintf(err, PYRO_ERR_MAX, "no metadata event at offset %"
			 PRIu64, c->header.meta_offset);
		return -EINVAL;
	}
	rc = pyro_jfr_meta_parse(&body, &c->meta, err);
	if (rc)
		return rc;
	s = pyro_jfr_class_by_name(&c->meta, "java.lang.String");
	c->string_class = s ? s->id : 0;
	return 0;
}

void pyro_jfr_chunk_release(struct pyro_jfr_chunk *c)
{
	pyro_jfr_meta_release(&c->meta);
	free(c->cp);
	memset(c, 0, sizeof(*c));
}

int pyro_jfr_chunk_open(const unsigned char *base, size_t avail,
			size_t *budget, struct pyro_jfr_chunk *c,
			char err[PYRO_ERR_MAX])
{
	size_t pos = PYRO_JFR_HEADER_SIZE;
	struct pyro_jfr_rd body;
	uint64_t type;
	int rc;

	memset(c, 0, sizeof(*c));
	rc = pyro_jfr_header_parse(base, avail, &c->header, err);
	if (rc)
		return rc;
	c->base = base;
	c->len = (size_t)c->header.size;
	rc = chunk_meta(c, err);
	while (!rc && (rc = pyro_jfr_event_next(c, &pos, &type, &body)) == 1)
		rc = type == 1 ? cp_event(c, &body, budget, err) : 0;
	if (rc == -EINVAL && !err[0])
		snprintf(err, PYRO_ERR_MAX, "bad event size at offset %zu", pos);
	return rc;
}
