/*
 * profile.c - read, decode, validate and prune pprof profiles; see profile.h.
 *
 * Decoding uses the protobuf-c code generated at build time from
 * proto/profile.proto.  The header peek walks the top-level wire format by
 * hand only to *skip* the bulky repeated messages (samples, mappings,
 * locations, functions) before handing the rest to protobuf-c, so indexing
 * a large archive never materialises samples.
 *
 * Pruning follows pprof's documented drop_frames semantics (Profile.Prune):
 * a function name, simplified (leading '.' removed, argument list cut), that
 * matches ^(drop_frames)$ and not ^(keep_frames)$ marks its location; each
 * sample loses the first marked location found scanning from the root after
 * a first unmarked one, and everything leafward of it.
 */
#include "profile.h"

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "profile.pb-c.h"

/* Maps a non-zero 64-bit id to an array index. */
struct id_map {
	uint64_t *keys;         /* 0 = empty slot */
	uint32_t *vals;
	size_t nslots;          /* power of two */
};

struct pyro_profile {
	Pprof__Profile *msg;            /* owned: protobuf-c message */
	struct pyro_value_type *types;  /* owned: sample types (see fallback) */
	size_t ntypes;
	struct id_map functions;        /* function id -> index in msg */
	struct id_map locations;        /* location id -> index in msg */
	struct id_map mappings;         /* mapping id -> index in msg */
	uint32_t *line_first;           /* per location: first line kept */
	uint8_t *prune;                 /* per location: 1 drop, 2 drop beneath */
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
		int rc = pyro_buf_grow(out, 64 * 1024);

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

		if (out->cap - out->len < 64 * 1024 + 1) {
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

int pyro_profile_read(const char *path, size_t max_size, struct pyro_buf *out,
		      int *compressed, char err[PYRO_ERR_MAX])
{
	struct pyro_buf raw = PYRO_BUF_INIT;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		set_err(err, "open: %s", strerror(errno));
		return rc;
	}
	/* A gzipped profile may be up to max_size compressed too. */
	rc = read_all(fd, max_size, &raw, err);
	close(fd);
	if (rc)
		goto out;
	if (raw.len == 0) {
		set_err(err, "empty file");
		rc = -EINVAL;
		goto out;
	}
	*compressed = raw.len >= 2 && (unsigned char)raw.data[0] == 0x1f &&
		      (unsigned char)raw.data[1] == 0x8b;
	if (*compressed) {
		rc = inflate_gzip(&raw, max_size, out, err);
	} else {
		pyro_buf_release(out);
		*out = raw;
		raw = (struct pyro_buf)PYRO_BUF_INIT;
	}
out:
	pyro_buf_release(&raw);
	return rc;
}

/* ---- wire-level header scan ------------------------------------------ */

static int read_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t x = 0;
	int shift;

	for (shift = 0; shift < 64 && *p < end; shift += 7) {
		uint8_t b = *(*p)++;

		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -EINVAL;
}

/* Advance *p past one field's payload of wire type wt. */
static int skip_payload(const uint8_t **p, const uint8_t *end, unsigned wt)
{
	uint64_t v;

	switch (wt) {
	case 0:
		return read_varint(p, end, &v);
	case 1:
		if (end - *p < 8)
			return -EINVAL;
		*p += 8;
		return 0;
	case 2:
		if (read_varint(p, end, &v) || v > (uint64_t)(end - *p))
			return -EINVAL;
		*p += v;
		return 0;
	case 5:
		if (end - *p < 4)
			return -EINVAL;
		*p += 4;
		return 0;
	default:        /* groups (3, 4) never occur in profile.proto */
		return -EINVAL;
	}
}

/* Copy every top-level field except samples, mappings, locations and
 * functions into out, checking the wire structure of all of them. */
static int strip_bulk_fields(const uint8_t *data, size_t len,
			     struct pyro_buf *out)
{
	const uint8_t *p = data, *end = data + len;

	while (p < end) {
		const uint8_t *start = p;
		uint64_t key;
		unsigned field, wt;

		if (read_varint(&p, end, &key))
			return -EINVAL;
		field = (unsigned)(key >> 3);
		wt = (unsigned)(key & 7);
		if (field == 0 || skip_payload(&p, end, wt))
			return -EINVAL;
		if (field >= 2 && field <= 5 && wt == 2)
			continue;
		if (pyro_buf_add(out, start, (size_t)(p - start)))
			return -ENOMEM;
	}
	return 0;
}

/* 1 if i indexes the string table.  Table entries are protobuf bytes, not
 * NUL-terminated: copy them with str_dup before using them as C strings. */
static int str_ok(const Pprof__Profile *m, int64_t i)
{
	return i >= 0 && (size_t)i < m->n_string_table;
}

/* A C string copy of string i, or NULL when out of range / allocation. */
static char *str_dup(const Pprof__Profile *m, int64_t i)
{
	const ProtobufCBinaryData *s;
	char *c;

	if (i < 0 || (size_t)i >= m->n_string_table)
		return NULL;
	s = &m->string_table[i];
	c = malloc(s->len + 1);
	if (c) {
		if (s->len)
			memcpy(c, s->data, s->len);
		c[s->len] = '\0';
	}
	return c;
}

static int check_str(const Pprof__Profile *m, int64_t i, const char *what,
		     char err[PYRO_ERR_MAX])
{
	if (str_ok(m, i))
		return 0;
	set_err(err, "bad protobuf: %s string index %lld outside the string table (%zu entries)",
		what, (long long)i, m->n_string_table);
	return -EINVAL;
}

/* Checks that make a decoded message a plausible Profile at all. */
static int check_profile_shape(const Pprof__Profile *m, char err[PYRO_ERR_MAX])
{
	size_t i;

	if (m->n_string_table == 0 || m->string_table[0].len != 0) {
		set_err(err, "not a pprof profile (string table must start with \"\")");
		return -EINVAL;
	}
	for (i = 0; i < m->n_sample_type; i++) {
		if (check_str(m, m->sample_type[i]->type, "sample type", err) ||
		    check_str(m, m->sample_type[i]->unit, "sample unit", err))
			return -EINVAL;
	}
	if (m->period_type &&
	    (check_str(m, m->period_type->type, "period type", err) ||
	     check_str(m, m->period_type->unit, "period unit", err)))
		return -EINVAL;
	if (check_str(m, m->default_sample_type, "default sample type", err) ||
	    check_str(m, m->drop_frames, "drop_frames", err) ||
	    check_str(m, m->keep_frames, "keep_frames", err) ||
	    check_str(m, m->doc_url, "doc_url", err))
		return -EINVAL;
	for (i = 0; i < m->n_comment; i++)
		if (check_str(m, m->comment[i], "comment", err))
			return -EINVAL;
	if (m->n_sample_type == 0 &&
	    !(m->period_type && m->period_type->type)) {
		set_err(err, "not a pprof profile (no sample types and no period type)");
		return -EINVAL;
	}
	return 0;
}

/* Sample types as pprof sees them: the period type stands in when a
 * profile has none (cppbench.cpu_no_samples_type). */
static int fill_types(const Pprof__Profile *m, struct pyro_value_type **types,
		      size_t *ntypes)
{
	size_t i, n = m->n_sample_type ? m->n_sample_type : 1;
	struct pyro_value_type *t = calloc(n, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const Pprof__ValueType *vt = m->n_sample_type ?
					     m->sample_type[i] : m->period_type;

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
	struct pyro_buf hdr = PYRO_BUF_INIT;
	Pprof__Profile *m = NULL;
	int rc;

	memset(h, 0, sizeof(*h));
	rc = strip_bulk_fields(data, len, &hdr);
	if (rc) {
		set_err(err, rc == -ENOMEM ? "out of memory" :
			"not a pprof profile (invalid protobuf wire format)");
		goto out;
	}
	m = pprof__profile__unpack(NULL, hdr.len, (const uint8_t *)hdr.data);
	if (!m) {
		set_err(err, "not a pprof profile (protobuf does not decode as a Profile)");
		rc = -EINVAL;
		goto out;
	}
	rc = check_profile_shape(m, err);
	if (rc)
		goto out;
	rc = fill_types(m, &h->types, &h->ntypes);
	if (!rc && m->period_type) {
		h->period_type.type = str_dup(m, m->period_type->type);
		h->period_type.unit = str_dup(m, m->period_type->unit);
		if (!h->period_type.type || !h->period_type.unit)
			rc = -ENOMEM;
	}
	if (!rc && m->default_sample_type) {
		h->default_type = str_dup(m, m->default_sample_type);
		if (!h->default_type)
			rc = -ENOMEM;
	}
	if (rc) {
		set_err(err, "out of memory");
		pyro_profile_header_release(h);
		goto out;
	}
	h->period = m->period;
	h->time_nanos = m->time_nanos;
	h->duration_nanos = m->duration_nanos;
out:
	if (m)
		pprof__profile__free_unpacked(m, NULL);
	pyro_buf_release(&hdr);
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

static int id_map_init(struct id_map *map, size_t n)
{
	size_t nslots = 16;

	while (nslots < 2 * n)
		nslots *= 2;
	map->keys = calloc(nslots, sizeof(*map->keys));
	map->vals = calloc(nslots, sizeof(*map->vals));
	map->nslots = nslots;
	return map->keys && map->vals ? 0 : -ENOMEM;
}

static void id_map_release(struct id_map *map)
{
	free(map->keys);
	free(map->vals);
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

static int id_map_get(const struct id_map *map, uint64_t id, uint32_t *val)
{
	size_t i;

	if (id == 0)
		return -ENOENT;
	for (i = id_hash(id) & (map->nslots - 1); map->keys[i];
	     i = (i + 1) & (map->nslots - 1)) {
		if (map->keys[i] == id) {
			*val = map->vals[i];
			return 0;
		}
	}
	return -ENOENT;
}

/* ---- full decode and validation -------------------------------------- */

static int index_ids(struct pyro_profile *p, char err[PYRO_ERR_MAX])
{
	const Pprof__Profile *m = p->msg;
	size_t i;

	if (id_map_init(&p->functions, m->n_function) ||
	    id_map_init(&p->locations, m->n_location) ||
	    id_map_init(&p->mappings, m->n_mapping)) {
		set_err(err, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < m->n_mapping; i++) {
		if (m->mapping[i]->id == 0) {
			set_err(err, "malformed profile: mapping with reserved id 0");
			return -EINVAL;
		}
		if (id_map_put(&p->mappings, m->mapping[i]->id, (uint32_t)i)) {
			set_err(err, "malformed profile: duplicate mapping id %llu",
				(unsigned long long)m->mapping[i]->id);
			return -EINVAL;
		}
		if (check_str(m, m->mapping[i]->filename, "mapping file", err) ||
		    check_str(m, m->mapping[i]->build_id, "build id", err))
			return -EINVAL;
	}
	for (i = 0; i < m->n_function; i++) {
		const Pprof__Function *f = m->function[i];

		if (f->id == 0) {
			set_err(err, "malformed profile: function with reserved id 0");
			return -EINVAL;
		}
		if (id_map_put(&p->functions, f->id, (uint32_t)i)) {
			set_err(err, "malformed profile: duplicate function id %llu",
				(unsigned long long)f->id);
			return -EINVAL;
		}
		if (check_str(m, f->name, "function name", err) ||
		    check_str(m, f->system_name, "function system name", err) ||
		    check_str(m, f->filename, "function file", err))
			return -EINVAL;
	}
	for (i = 0; i < m->n_location; i++) {
		if (m->location[i]->id == 0) {
			set_err(err, "malformed profile: location with reserved id 0");
			return -EINVAL;
		}
		if (id_map_put(&p->locations, m->location[i]->id, (uint32_t)i)) {
			set_err(err, "malformed profile: duplicate location id %llu",
				(unsigned long long)m->location[i]->id);
			return -EINVAL;
		}
	}
	return 0;
}

static int check_refs(const struct pyro_profile *p, char err[PYRO_ERR_MAX])
{
	const Pprof__Profile *m = p->msg;
	uint32_t idx;
	size_t i, j;

	for (i = 0; i < m->n_location; i++) {
		const Pprof__Location *l = m->location[i];

		if (l->mapping_id && id_map_get(&p->mappings, l->mapping_id, &idx)) {
			set_err(err, "malformed profile: location %llu references missing mapping %llu",
				(unsigned long long)l->id,
				(unsigned long long)l->mapping_id);
			return -EINVAL;
		}
		for (j = 0; j < l->n_line; j++) {
			uint64_t fid = l->line[j]->function_id;

			if (fid && id_map_get(&p->functions, fid, &idx)) {
				set_err(err, "malformed profile: location %llu references missing function %llu",
					(unsigned long long)l->id,
					(unsigned long long)fid);
				return -EINVAL;
			}
		}
	}
	for (i = 0; i < m->n_sample; i++) {
		const Pprof__Sample *s = m->sample[i];

		if (s->n_value != p->ntypes) {
			set_err(err, "malformed profile: sample %zu has %zu values for %zu sample types",
				i, s->n_value, p->ntypes);
			return -EINVAL;
		}
		for (j = 0; j < s->n_location_id; j++) {
			if (id_map_get(&p->locations, s->location_id[j], &idx)) {
				set_err(err, "malformed profile: sample %zu references missing location %llu",
					i, (unsigned long long)s->location_id[j]);
				return -EINVAL;
			}
		}
	}
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

static int compile_string(const Pprof__Profile *m, int64_t i, regex_t *rx)
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
	const Pprof__Profile *m = p->msg;
	const ProtobufCBinaryData *name;
	uint32_t fi;

	if (!fid || id_map_get(&p->functions, fid, &fi))
		return 0;
	name = &m->string_table[m->function[fi]->name];
	if (name->len == 0)
		return 0;
	if (!name_matches(drop, (const char *)name->data, name->len))
		return 0;
	return !keep || !name_matches(keep, (const char *)name->data, name->len);
}

/* Mark locations to prune; trim inlined lines of partially matched ones. */
static int prune_locations(struct pyro_profile *p, char err[PYRO_ERR_MAX])
{
	const Pprof__Profile *m = p->msg;
	regex_t drop, keep;
	int have_keep = 0;
	size_t i;

	p->line_first = calloc(m->n_location ? m->n_location : 1,
			       sizeof(*p->line_first));
	p->prune = calloc(m->n_location ? m->n_location : 1, 1);
	if (!p->line_first || !p->prune) {
		set_err(err, "out of memory");
		return -ENOMEM;
	}
	if (!m->drop_frames || !m->string_table[m->drop_frames].len)
		return 0;
	/* pprof fails on a regexp it cannot compile; we serve the profile
	 * unpruned rather than not at all. */
	if (compile_string(m, m->drop_frames, &drop))
		return 0;
	if (m->keep_frames && m->string_table[m->keep_frames].len)
		have_keep = compile_string(m, m->keep_frames, &keep) == 0;
	for (i = 0; i < m->n_location; i++) {
		const Pprof__Location *l = m->location[i];
		size_t j;

		/* From the outermost line inwards: the first match cuts. */
		for (j = l->n_line; j-- > 0;) {
			if (!function_pruned(p, &drop, have_keep ? &keep : NULL,
					     l->line[j]->function_id))
				continue;
			if (j == l->n_line - 1) {
				p->prune[i] = PRUNE_WHOLE;
			} else {
				p->prune[i] = PRUNE_BENEATH;
				p->line_first[i] = (uint32_t)(j + 1);
			}
			break;
		}
	}
	regfree(&drop);
	if (have_keep)
		regfree(&keep);
	return 0;
}

int pyro_profile_decode(const void *data, size_t len, struct pyro_profile **out,
			char err[PYRO_ERR_MAX])
{
	struct pyro_profile *p;
	int rc;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p) {
		set_err(err, "out of memory");
		return -ENOMEM;
	}
	p->msg = pprof__profile__unpack(NULL, len, data);
	if (!p->msg) {
		set_err(err, "not a pprof profile (protobuf does not decode as a Profile)");
		rc = -EINVAL;
		goto fail;
	}
	rc = check_profile_shape(p->msg, err);
	if (!rc) {
		rc = fill_types(p->msg, &p->types, &p->ntypes);
		if (rc)
			set_err(err, "out of memory");
	}
	if (!rc)
		rc = index_ids(p, err);
	if (!rc)
		rc = check_refs(p, err);
	if (!rc)
		rc = prune_locations(p, err);
	if (rc)
		goto fail;
	*out = p;
	return 0;
fail:
	pyro_profile_free(p);
	return rc;
}

int pyro_profile_load(const char *path, size_t max_size,
		      struct pyro_profile **out, char err[PYRO_ERR_MAX])
{
	struct pyro_buf data = PYRO_BUF_INIT;
	int compressed = 0, rc;

	*out = NULL;
	rc = pyro_profile_read(path, max_size, &data, &compressed, err);
	if (!rc)
		rc = pyro_profile_decode(data.data, data.len, out, err);
	pyro_buf_release(&data);
	return rc;
}

void pyro_profile_free(struct pyro_profile *p)
{
	if (!p)
		return;
	if (p->msg)
		pprof__profile__free_unpacked(p->msg, NULL);
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
			     const Pprof__Location *l, struct pyro_buf *b)
{
	const Pprof__Profile *m = p->msg;
	uint32_t mi;

	if (l->mapping_id && !id_map_get(&p->mappings, l->mapping_id, &mi) &&
	    m->string_table[m->mapping[mi]->filename].len) {
		char *file = str_dup(m, m->mapping[mi]->filename);
		int rc = file ? pyro_buf_printf(b, "[%s]", base_name(file)) : -ENOMEM;

		free(file);
		return rc;
	}
	return pyro_buf_puts(b, "<unknown>");
}

static int address_frame(const struct pyro_profile *p, struct pyro_stacks *out,
			 const Pprof__Location *l, uint32_t *id)
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
		      const Pprof__Location *l, const Pprof__Line *ln,
		      uint32_t *id)
{
	const Pprof__Profile *m = p->msg;
	const ProtobufCBinaryData *name, *file;
	uint32_t fi;

	if (!ln->function_id || id_map_get(&p->functions, ln->function_id, &fi))
		return address_frame(p, out, l, id);
	name = &m->string_table[m->function[fi]->name];
	if (name->len)
		return pyro_stacks_frame(out, (const char *)name->data, name->len,
					 (const char *)name->data, name->len, id);
	/* A nameless function: pprof's flame graph shows its file. */
	file = &m->string_table[m->function[fi]->filename];
	if (file->len) {
		struct pyro_buf node = PYRO_BUF_INIT;
		int rc = unsymbolized_node(p, l, &node);

		if (!rc)
			rc = pyro_stacks_frame(out, (const char *)file->data,
					       file->len, node.data, node.len, id);
		pyro_buf_release(&node);
		return rc;
	}
	return address_frame(p, out, l, id);
}

static int build_loc_frames(const struct pyro_profile *p,
			    struct pyro_stacks *out, struct loc_frames *lf)
{
	const Pprof__Profile *m = p->msg;
	size_t i, nrefs = 0, k = 0;
	int rc = 0;

	lf->off = malloc((m->n_location + 1) * sizeof(*lf->off));
	if (!lf->off)
		return -ENOMEM;
	for (i = 0; i < m->n_location; i++) {
		size_t n = m->location[i]->n_line - p->line_first[i];

		nrefs += n ? n : 1;
	}
	lf->refs = malloc((nrefs ? nrefs : 1) * sizeof(*lf->refs));
	if (!lf->refs)
		return -ENOMEM;
	for (i = 0; i < m->n_location && !rc; i++) {
		const Pprof__Location *l = m->location[i];
		size_t j, first = p->line_first[i];
		uint32_t id;

		lf->off[i] = k;
		if (l->n_line == first) {
			rc = address_frame(p, out, l, &id);
			lf->refs[k++] = id;
			continue;
		}
		/* line[first] is innermost: emit outermost first; every line but
		 * the outermost is an inlined callee. */
		for (j = l->n_line; j-- > first && !rc;) {
			rc = line_frame(p, out, l, l->line[j], &id);
			lf->refs[k++] = id | (j != l->n_line - 1 ? PYRO_REF_INLINE : 0);
		}
	}
	lf->off[m->n_location] = k;
	return rc;
}

/* Index of the first location of sample s kept by pruning (leaf side). */
static size_t sample_first_kept(const struct pyro_profile *p,
				const Pprof__Sample *s)
{
	int found_user = 0;
	size_t i;
	uint32_t li;

	for (i = s->n_location_id; i-- > 0;) {
		id_map_get(&p->locations, s->location_id[i], &li);
		if (p->prune[li] == PRUNE_NONE) {
			found_user = 1;
			continue;
		}
		if (!found_user)
			continue;
		return p->prune[li] == PRUNE_WHOLE ? i + 1 : i;
	}
	return 0;
}

static int fill_meta(const struct pyro_profile *p, size_t index,
		     struct pyro_meta *meta)
{
	const Pprof__Profile *m = p->msg;
	size_t i;

	meta->sample_type = strdup(p->types[index].type);
	meta->sample_unit = strdup(p->types[index].unit);
	if (!meta->sample_type || !meta->sample_unit)
		return -ENOMEM;
	if (m->n_mapping) {
		const Pprof__Mapping *mp = m->mapping[0];

		if (m->string_table[mp->filename].len) {
			meta->file = str_dup(m, mp->filename);
			if (!meta->file)
				return -ENOMEM;
			base_name(meta->file);
		}
		if (m->string_table[mp->build_id].len &&
		    !(meta->build_id = str_dup(m, mp->build_id)))
			return -ENOMEM;
	}
	if (m->doc_url && !(meta->doc_url = str_dup(m, m->doc_url)))
		return -ENOMEM;
	if (m->n_comment) {
		meta->comments = calloc(m->n_comment, sizeof(char *));
		if (!meta->comments)
			return -ENOMEM;
		for (i = 0; i < m->n_comment; i++) {
			meta->comments[i] = str_dup(m, m->comment[i]);
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

int pyro_profile_stacks(const struct pyro_profile *p, size_t index,
			struct pyro_stacks *out, char err[PYRO_ERR_MAX])
{
	const Pprof__Profile *m = p->msg;
	struct loc_frames lf = { NULL, NULL };
	uint32_t *refs = NULL;
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
	for (i = 0; !rc && i < m->n_sample; i++) {
		const Pprof__Sample *s = m->sample[i];
		int64_t v = s->value[index];
		size_t first, j, depth = 0;

		if (v == 0)
			continue;
		first = sample_first_kept(p, s);
		for (j = s->n_location_id; j-- > first;) {
			uint32_t li;
			size_t n;

			id_map_get(&p->locations, s->location_id[j], &li);
			n = lf.off[li + 1] - lf.off[li];
			if (depth + n > refs_cap) {
				size_t cap = refs_cap ? refs_cap * 2 : 256;
				uint32_t *r;

				while (cap < depth + n)
					cap *= 2;
				r = realloc(refs, cap * sizeof(*r));
				if (!r) {
					rc = -ENOMEM;
					break;
				}
				refs = r;
				refs_cap = cap;
			}
			memcpy(refs + depth, lf.refs + lf.off[li], n * sizeof(*refs));
			depth += n;
		}
		if (!rc && depth > UINT32_MAX)
			rc = -E2BIG;
		if (!rc)
			rc = pyro_stacks_add(out, refs, (uint32_t)depth, v, NULL);
	}
	if (rc == -EOVERFLOW)
		set_err(err, "sample values overflow 64 bits");
	else if (rc)
		set_err(err, "out of memory aggregating samples");
	free(refs);
	free(lf.refs);
	free(lf.off);
	return rc;
}
