/*
 * pprof_build.c - write profile.proto bytes from samples described by a
 * foreign-format reader (see pprof_build.h).
 *
 * The message is written straight to wire bytes, not through protobuf-c's
 * structures: samples are encoded the moment they arrive, so a 100 MB input
 * never holds a second copy of itself as objects.  Functions and locations
 * are encoded on first use into their own buffers; the string table comes
 * last, once every string is known.  profile.proto does not order its
 * fields, and both pprof and our decoder read them in any order.
 *
 * Deduplication reuses the interning string table: a function is the key
 * (name id, file id, start line) and a location (function id, line,
 * address), as fixed-size binary keys; a key's id in its table is the
 * object's id (ids start at 1 because id 0 is the empty key, never used).
 * The stacks a reader sums before writing (pyro_pbuild_stacks) are keyed
 * the same way: the stack's index bytes are the key.
 */
#include "pprof_build.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strtab.h"

/* Field numbers of profile.proto (proto/profile.proto). */
enum {
	P_SAMPLE_TYPE = 1, P_SAMPLE = 2, P_LOCATION = 4, P_FUNCTION = 5,
	P_STRING_TABLE = 6, P_TIME = 9, P_DURATION = 10, P_PERIOD_TYPE = 11,
	P_PERIOD = 12, P_COMMENT = 13, P_DEFAULT_TYPE = 14,
	VT_TYPE = 1, VT_UNIT = 2,
	S_LOCATION = 1, S_VALUE = 2, S_LABEL = 3,
	L_KEY = 1, L_STR = 2, L_NUM = 3, L_NUM_UNIT = 4,
	LOC_ID = 1, LOC_ADDRESS = 3, LOC_LINE = 4,
	LN_FUNCTION = 1, LN_LINE = 2,
	F_ID = 1, F_NAME = 2, F_SYSTEM_NAME = 3, F_FILENAME = 4,
	F_START_LINE = 5,
};

enum { WT_VARINT = 0, WT_LEN = 2 };

struct pyro_pbuild {
	size_t max_size;
	int failed;             /* sticky: the first error */
	struct pyro_strtab strs;        /* the string table itself */
	size_t str_bytes;       /* its bytes on the wire, for the bound */
	struct pyro_strtab fkeys;       /* function keys -> function ids */
	struct pyro_strtab lkeys;       /* location keys -> location ids */
	size_t ntypes;
	struct pyro_buf head;   /* sample types, period, times, comments */
	struct pyro_buf samples;
	struct pyro_buf tables; /* functions and locations */
	struct pyro_buf scratch;        /* one message being encoded */
	struct pyro_buf packed;         /* one packed field being encoded */
};

/* ---- wire bytes --------------------------------------------------------- */

static int put_varint(struct pyro_buf *out, uint64_t v)
{
	char tmp[10];
	size_t n = 0;

	do {
		tmp[n++] = (char)((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
		v >>= 7;
	} while (v);
	return pyro_buf_add(out, tmp, n);
}

static int put_key(struct pyro_buf *out, unsigned field, unsigned wt)
{
	return put_varint(out, (uint64_t)field << 3 | wt);
}

/* A varint field, omitted when zero as proto3 writes it. */
static int put_uint(struct pyro_buf *out, unsigned field, uint64_t v)
{
	int rc;

	if (!v)
		return 0;
	rc = put_key(out, field, WT_VARINT);
	return rc ? rc : put_varint(out, v);
}

static int put_bytes(struct pyro_buf *out, unsigned field, const void *data,
		     size_t len)
{
	int rc = put_key(out, field, WT_LEN);

	if (!rc)
		rc = put_varint(out, len);
	return rc ? rc : pyro_buf_add(out, data, len);
}

/* ---- bookkeeping ---------------------------------------------------------- */

static size_t written(const struct pyro_pbuild *b)
{
	return b->head.len + b->samples.len + b->tables.len + b->str_bytes;
}

/* Record the first failure; check the bound after each addition. */
static int settle(struct pyro_pbuild *b, int rc)
{
	if (!rc && written(b) > b->max_size)
		rc = -EFBIG;
	if (rc && !b->failed)
		b->failed = rc;
	return b->failed;
}

static int string_id(struct pyro_pbuild *b, const char *s, size_t len,
		     uint64_t *id)
{
	uint32_t sid = 0, before = b->strs.count;
	int rc = 0;

	if (s && len)
		rc = pyro_strtab_intern(&b->strs, s, len, &sid);
	/* A new string costs a key, its length (at most 10 bytes) and itself. */
	if (b->strs.count != before)
		b->str_bytes += 11 + len;
	*id = sid;
	return rc;
}

/* ---- public --------------------------------------------------------------- */

int pyro_pbuild_budget(size_t used, size_t more, size_t max_size,
		       char err[PYRO_ERR_MAX])
{
	if (more <= max_size && used <= max_size - more)
		return 0;
	snprintf(err, PYRO_ERR_MAX, "reading it needs more memory than "
		 "max_profile_size (%zu bytes)", max_size);
	return -E2BIG;
}

int pyro_pbuild_new(size_t max_size, struct pyro_pbuild **out)
{
	struct pyro_pbuild *b = calloc(1, sizeof(*b));

	*out = NULL;
	if (!b)
		return -ENOMEM;
	b->max_size = max_size;
	if (pyro_strtab_init(&b->strs) || pyro_strtab_init(&b->fkeys) ||
	    pyro_strtab_init(&b->lkeys)) {
		pyro_pbuild_free(b);
		return -ENOMEM;
	}
	*out = b;
	return 0;
}

void pyro_pbuild_free(struct pyro_pbuild *b)
{
	if (!b)
		return;
	pyro_strtab_release(&b->strs);
	pyro_strtab_release(&b->fkeys);
	pyro_strtab_release(&b->lkeys);
	pyro_buf_release(&b->head);
	pyro_buf_release(&b->samples);
	pyro_buf_release(&b->tables);
	pyro_buf_release(&b->scratch);
	pyro_buf_release(&b->packed);
	free(b);
}

static int put_value_type(struct pyro_pbuild *b, unsigned field,
			  const char *type, const char *unit)
{
	uint64_t t, u;
	int rc;

	b->scratch.len = 0;
	rc = string_id(b, type, type ? strlen(type) : 0, &t);
	if (!rc)
		rc = string_id(b, unit, unit ? strlen(unit) : 0, &u);
	if (!rc)
		rc = put_uint(&b->scratch, VT_TYPE, t);
	if (!rc)
		rc = put_uint(&b->scratch, VT_UNIT, u);
	if (!rc)
		rc = put_bytes(&b->head, field, b->scratch.data, b->scratch.len);
	return rc;
}

int pyro_pbuild_sample_type(struct pyro_pbuild *b, const char *type,
			    const char *unit)
{
	if (b->failed)
		return b->failed;
	if (b->samples.len)
		return settle(b, -EINVAL);
	b->ntypes++;
	return settle(b, put_value_type(b, P_SAMPLE_TYPE, type, unit));
}

int pyro_pbuild_period(struct pyro_pbuild *b, const char *type,
		       const char *unit, int64_t period)
{
	int rc;

	if (b->failed)
		return b->failed;
	rc = put_value_type(b, P_PERIOD_TYPE, type, unit);
	if (!rc)
		rc = put_uint(&b->head, P_PERIOD, (uint64_t)period);
	return settle(b, rc);
}

void pyro_pbuild_time(struct pyro_pbuild *b, int64_t time_nanos,
		      int64_t duration_nanos)
{
	int rc;

	if (b->failed)
		return;
	rc = put_uint(&b->head, P_TIME, (uint64_t)time_nanos);
	if (!rc)
		rc = put_uint(&b->head, P_DURATION, (uint64_t)duration_nanos);
	settle(b, rc);
}

int pyro_pbuild_default_type(struct pyro_pbuild *b, const char *type)
{
	uint64_t id;
	int rc;

	if (b->failed || !type)
		return b->failed;
	rc = string_id(b, type, strlen(type), &id);
	if (!rc)
		rc = put_uint(&b->head, P_DEFAULT_TYPE, id);
	return settle(b, rc);
}

int pyro_pbuild_comment(struct pyro_pbuild *b, const char *s, size_t len)
{
	uint64_t id;
	int rc;

	if (b->failed)
		return b->failed;
	rc = string_id(b, s, len, &id);
	/* Unpacked, one key per comment: decoders must accept both. */
	if (!rc)
		rc = put_key(&b->head, P_COMMENT, WT_VARINT);
	if (!rc)
		rc = put_varint(&b->head, id);
	return settle(b, rc);
}

/* id of key in keys; *fresh says whether it was added now. */
static int intern_key(struct pyro_strtab *keys, const void *key, size_t len,
		      uint64_t *id, int *fresh)
{
	uint32_t before = keys->count, kid;
	int rc = pyro_strtab_intern(keys, key, len, &kid);

	*id = kid;
	*fresh = keys->count != before;
	return rc;
}

int pyro_pbuild_function(struct pyro_pbuild *b, const char *name,
			 size_t name_len, const char *file, size_t file_len,
			 int64_t start_line, uint64_t *id)
{
	uint64_t key[3];
	int fresh, rc;

	*id = 0;
	if (b->failed)
		return b->failed;
	rc = string_id(b, name, name_len, &key[0]);
	if (!rc)
		rc = string_id(b, file, file ? file_len : 0, &key[1]);
	key[2] = (uint64_t)start_line;
	if (!rc)
		rc = intern_key(&b->fkeys, key, sizeof(key), id, &fresh);
	if (rc || !fresh)
		return settle(b, rc);
	b->scratch.len = 0;
	rc = put_uint(&b->scratch, F_ID, *id);
	if (!rc)
		rc = put_uint(&b->scratch, F_NAME, key[0]);
	if (!rc)
		rc = put_uint(&b->scratch, F_SYSTEM_NAME, key[0]);
	if (!rc)
		rc = put_uint(&b->scratch, F_FILENAME, key[1]);
	if (!rc)
		rc = put_uint(&b->scratch, F_START_LINE, key[2]);
	if (!rc)
		rc = put_bytes(&b->tables, P_FUNCTION, b->scratch.data,
			       b->scratch.len);
	return settle(b, rc);
}

int pyro_pbuild_location(struct pyro_pbuild *b, uint64_t func_id,
			 int64_t line, uint64_t address, uint64_t *id)
{
	uint64_t key[3] = { func_id, (uint64_t)line, address };
	int fresh, rc;

	*id = 0;
	if (b->failed)
		return b->failed;
	if (!func_id && !address)
		return settle(b, -EINVAL);
	rc = intern_key(&b->lkeys, key, sizeof(key), id, &fresh);
	if (rc || !fresh)
		return settle(b, rc);
	b->scratch.len = 0;
	b->packed.len = 0;
	rc = put_uint(&b->scratch, LOC_ID, *id);
	if (!rc)
		rc = put_uint(&b->scratch, LOC_ADDRESS, address);
	if (!rc && func_id) {
		rc = put_uint(&b->packed, LN_FUNCTION, func_id);
		if (!rc)
			rc = put_uint(&b->packed, LN_LINE, (uint64_t)line);
		if (!rc)
			rc = put_bytes(&b->scratch, LOC_LINE, b->packed.data,
				       b->packed.len);
	}
	if (!rc)
		rc = put_bytes(&b->tables, P_LOCATION, b->scratch.data,
			       b->scratch.len);
	return settle(b, rc);
}

static int put_packed(struct pyro_pbuild *b, unsigned field,
		      const uint64_t *v, size_t n)
{
	size_t i;
	int rc = 0;

	b->packed.len = 0;
	for (i = 0; i < n && !rc; i++)
		rc = put_varint(&b->packed, v[i]);
	if (!rc && n)
		rc = put_bytes(&b->scratch, field, b->packed.data,
			       b->packed.len);
	return rc;
}

static int put_label(struct pyro_pbuild *b, const struct pyro_pbuild_label *l)
{
	uint64_t key, str = 0, unit = 0;
	struct pyro_buf *m = &b->packed;
	int rc;

	m->len = 0;
	rc = string_id(b, l->key, l->key_len, &key);
	if (!rc && l->str)
		rc = string_id(b, l->str, l->str_len, &str);
	if (!rc && !l->str && l->num_unit)
		rc = string_id(b, l->num_unit, strlen(l->num_unit), &unit);
	if (!rc)
		rc = put_uint(m, L_KEY, key);
	if (!rc)
		rc = put_uint(m, L_STR, str);
	if (!rc && !l->str)
		rc = put_uint(m, L_NUM, (uint64_t)l->num);
	if (!rc)
		rc = put_uint(m, L_NUM_UNIT, unit);
	if (!rc)
		rc = put_bytes(&b->scratch, S_LABEL, m->data, m->len);
	return rc;
}

int pyro_pbuild_sample(struct pyro_pbuild *b, const uint64_t *locs,
		       size_t nlocs, const int64_t *values, size_t nvalues,
		       const struct pyro_pbuild_label *labels, size_t nlabels)
{
	size_t i;
	int rc;

	if (b->failed)
		return b->failed;
	if (nvalues != b->ntypes)
		return settle(b, -EINVAL);
	b->scratch.len = 0;
	rc = put_packed(b, S_LOCATION, locs, nlocs);
	/* int64 values go on the wire as their two's complement. */
	if (!rc)
		rc = put_packed(b, S_VALUE, (const uint64_t *)values, nvalues);
	for (i = 0; i < nlabels && !rc; i++)
		rc = put_label(b, &labels[i]);
	if (!rc)
		rc = put_bytes(&b->samples, P_SAMPLE, b->scratch.data,
			       b->scratch.len);
	return settle(b, rc);
}

int pyro_pbuild_finish(struct pyro_pbuild *b, struct pyro_buf *out)
{
	size_t start = out->len;
	uint32_t i;
	int rc;

	if (b->failed)
		return b->failed;
	rc = pyro_buf_add(out, b->head.data, b->head.len);
	if (!rc)
		rc = pyro_buf_add(out, b->samples.data, b->samples.len);
	if (!rc)
		rc = pyro_buf_add(out, b->tables.data, b->tables.len);
	for (i = 0; i < b->strs.count && !rc; i++) {
		struct pyro_str s = pyro_strtab_get(&b->strs, i);

		rc = put_bytes(out, P_STRING_TABLE, s.ptr, s.len);
	}
	if (!rc && out->len - start > b->max_size)
		rc = -EFBIG;
	if (rc)
		pyro_buf_truncate(out, start);
	return settle(b, rc);
}

/* ---- stacks summed before they are written ------------------------------- */

int pyro_pbuild_stacks_init(struct pyro_pbuild_stacks *st, size_t slot_size)
{
	memset(st, 0, sizeof(*st));
	st->slot_size = slot_size;
	return pyro_strtab_init(&st->keys);
}

void pyro_pbuild_stacks_release(struct pyro_pbuild_stacks *st)
{
	pyro_strtab_release(&st->keys);
	free(st->slots);
	st->slots = NULL;
	st->cap = 0;
}

int pyro_pbuild_stacks_add(struct pyro_pbuild_stacks *st, const uint32_t *ix,
			   size_t n, size_t max_bytes, void **slot)
{
	size_t old = st->cap;
	uint32_t id;

	if (pyro_strtab_bytes(&st->keys) > max_bytes)
		return -E2BIG;
	if (pyro_strtab_intern(&st->keys, (const char *)ix, n * sizeof(*ix),
			       &id))
		return -ENOMEM;
	if (pyro_grow_array(&st->slots, &st->cap, (size_t)id + 1,
			    st->slot_size))
		return -ENOMEM;
	if (st->cap != old)
		memset(st->slots + old * st->slot_size, 0,
		       (st->cap - old) * st->slot_size);
	*slot = st->slots + (size_t)id * st->slot_size;
	return 0;
}

size_t pyro_pbuild_stacks_get(const struct pyro_pbuild_stacks *st,
			      uint32_t id, uint32_t *ix, void **slot)
{
	struct pyro_str k = pyro_strtab_get(&st->keys, id);

	/* Keys lie in the arena unaligned: copied out, never cast. */
	memcpy(ix, k.ptr, k.len);
	*slot = st->slots + (size_t)id * st->slot_size;
	return k.len / sizeof(*ix);
}
