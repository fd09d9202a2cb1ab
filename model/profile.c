/*
 * profile.c - validate, index and prune decoded pprof profiles, and the
 * peek and load entry points; see profile.h.  The reader's other parts:
 * pprof_read.c (files, gzip), pprof_wire.c (the wire format, decoding while
 * inflating), pprof_stacks.c (stacks and labels); pprof_priv.h joins them.
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
#include "gunzip.h"
#include "pprof_priv.h"
#include "format.h"
#include "safeopen.h"

#include <endian.h>
#include <fcntl.h>
#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- strings and shape -------------------------------------------------- */

/* 1 if i indexes the string table.  Table entries are not NUL-terminated:
 * copy them with str_dup before using them as C strings. */
int pyro_pprof_str_ok(const struct pyro_wire_msg *m, int64_t i)
{
	return i >= 0 && (size_t)i < m->nstrs;
}

/* A C string copy of string i, or NULL when out of range / allocation. */
char *pyro_pprof_str_dup(const struct pyro_wire_msg *m, int64_t i)
{
	const struct pyro_wire_str *s;
	char *c;

	if (!pyro_pprof_str_ok(m, i))
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

static int check_str(const struct pyro_wire_msg *m, int64_t i, const char *what,
		     char err[PYRO_ERR_MAX])
{
	if (pyro_pprof_str_ok(m, i))
		return 0;
	pyro_pprof_err(err, "bad protobuf: %s string index %lld outside the string table (%zu entries)",
		what, (long long)i, m->nstrs);
	return -EINVAL;
}

/* Checks that make a decoded message a plausible Profile at all. */
static int check_profile_shape(const struct pyro_wire_msg *m, char err[PYRO_ERR_MAX])
{
	size_t i;

	if (m->nstrs == 0 || m->strs[0].len != 0) {
		pyro_pprof_err(err, "not a pprof profile (string table must start with \"\")");
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
		pyro_pprof_err(err, "not a pprof profile (no sample types and no period type)");
		return -EINVAL;
	}
	return 0;
}

/* Sample types as pprof sees them: the period type stands in when a
 * profile has none (cppbench.cpu_no_samples_type). */
static int fill_types(const struct pyro_wire_msg *m, struct pyro_value_type **types,
		      size_t *ntypes)
{
	size_t i, n = m->nsample_types ? m->nsample_types : 1;
	struct pyro_value_type *t = calloc(n, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct pyro_wire_vt *vt = m->nsample_types ? &m->sample_types[i] :
				       &m->period_type;

		t[i].type = pyro_pprof_str_dup(m, vt->type);
		t[i].unit = pyro_pprof_str_dup(m, vt->unit);
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
	struct pyro_wire_msg m;
	int rc;

	memset(h, 0, sizeof(*h));
	memset(&m, 0, sizeof(m));
	if (pyro_wire_sound(data, len)) {
		pyro_pprof_err(err, "not a pprof profile (invalid protobuf wire format)");
		return -EINVAL;
	}
	rc = pyro_wire_parse(&m, data, len, 1, NULL);
	if (rc) {
		pyro_pprof_err(err, rc == -ENOMEM ? "out of memory" :
			"not a pprof profile (protobuf does not decode as a Profile)");
		goto out;
	}
	rc = check_profile_shape(&m, err);
	if (rc)
		goto out;
	rc = fill_types(&m, &h->types, &h->ntypes);
	if (!rc && m.has_period_type) {
		h->period_type.type = pyro_pprof_str_dup(&m, m.period_type.type);
		h->period_type.unit = pyro_pprof_str_dup(&m, m.period_type.unit);
		if (!h->period_type.type || !h->period_type.unit)
			rc = -ENOMEM;
	}
	if (!rc && m.default_sample_type) {
		h->default_type = pyro_pprof_str_dup(&m, m.default_sample_type);
		if (!h->default_type)
			rc = -ENOMEM;
	}
	if (rc) {
		pyro_pprof_err(err, "out of memory");
		pyro_profile_header_release(h);
		goto out;
	}
	h->period = m.period;
	h->time_nanos = m.time_nanos;
	h->duration_nanos = m.duration_nanos;
out:
	pyro_wire_msg_release(&m);
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
		pyro_pprof_err(err, "malformed profile: %s with reserved id 0", what);
		return -EINVAL;
	}
	if (id_map_put(map, id, (uint32_t)i)) {
		pyro_pprof_err(err, "malformed profile: duplicate %s id %llu", what,
			(unsigned long long)id);
		return -EINVAL;
	}
	return 0;
}

/* ---- full decode and validation -------------------------------------- */

static int index_ids(struct pyro_profile *p, char err[PYRO_ERR_MAX])
{
	const struct pyro_wire_msg *m = &p->m;
	size_t i;

	if (ids_begin(&p->mappings, m->nmappings ? &m->mappings[0].id : NULL,
		      sizeof(*m->mappings), m->nmappings) ||
	    ids_begin(&p->functions, m->nfunctions ? &m->functions[0].id : NULL,
		      sizeof(*m->functions), m->nfunctions) ||
	    ids_begin(&p->locations, m->nlocations ? &m->locations[0].id : NULL,
		      sizeof(*m->locations), m->nlocations)) {
		pyro_pprof_err(err, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < m->nmappings; i++) {
		const struct pyro_wire_mapping *mp = &m->mappings[i];

		if (ids_put(&p->mappings, mp->id, i, "mapping", err) ||
		    check_str(m, mp->filename, "mapping file", err) ||
		    check_str(m, mp->build_id, "build id", err))
			return -EINVAL;
	}
	for (i = 0; i < m->nfunctions; i++) {
		const struct pyro_wire_function *f = &m->functions[i];

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
/* When location ids are 1..n (as runtime/pprof writes them) and every
 * sample's ids are within that (the decoder's minimum and maximum say so),
 * each id's index is id - 1: one pass over the pool, which the compiler
 * vectorises, instead of a lookup per id.  Returns whether it did that. */
static bool dense_loc_ids(struct pyro_profile *p)
{
	struct pyro_wire_msg *m = &p->m;
	size_t k;

	if (m->loc_wide || p->locations.nslots)
		return false;
	if (m->nloc_ids && (m->loc_id_min < 1 || m->loc_id_max > p->locations.n))
		return false;
	for (k = 0; k < m->nloc_ids; k++)
		m->loc_ids[k] -= 1;
	return true;
}

/* Every sample has a value per sample type. */
static int check_nvals(const struct pyro_profile *p, char err[PYRO_ERR_MAX])
{
	size_t i;

	for (i = 0; i < p->m.nsamples; i++) {
		if (p->m.samples[i].nvals != p->ntypes) {
			pyro_pprof_err(err, "malformed profile: sample %zu has %u values for %zu sample types",
				i, p->m.samples[i].nvals, p->ntypes);
			return -EINVAL;
		}
	}
	return 0;
}

static int check_refs(struct pyro_profile *p, char err[PYRO_ERR_MAX])
{
	struct pyro_wire_msg *m = &p->m;
	uint32_t idx;
	size_t i, j;

	for (i = 0; i < m->nlocations; i++) {
		const struct pyro_wire_location *l = &m->locations[i];

		if (l->mapping_id && id_map_get(&p->mappings, l->mapping_id, &idx)) {
			pyro_pprof_err(err, "malformed profile: location %llu references missing mapping %llu",
				(unsigned long long)l->id,
				(unsigned long long)l->mapping_id);
			return -EINVAL;
		}
		for (j = 0; j < l->nlines; j++) {
			uint64_t fid = m->line_fn[l->line + j];

			if (fid && id_map_get(&p->functions, fid, &idx)) {
				pyro_pprof_err(err, "malformed profile: location %llu references missing function %llu",
					(unsigned long long)l->id,
					(unsigned long long)fid);
				return -EINVAL;
			}
		}
	}
	if (dense_loc_ids(p))
		return check_nvals(p, err);
	if (m->loc_wide && !(m->loc_ids = malloc((m->nloc_ids ? m->nloc_ids : 1) *
						  sizeof(*m->loc_ids)))) {
		pyro_pprof_err(err, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < m->nsamples; i++) {
		const struct pyro_wire_sample *s = &m->samples[i];
		uint32_t *idxs = m->loc_ids + s->loc;

		if (s->nvals != p->ntypes) {
			pyro_pprof_err(err, "malformed profile: sample %zu has %u values for %zu sample types",
				i, s->nvals, p->ntypes);
			return -EINVAL;
		}
		for (j = 0; j < s->nlocs; j++) {
			uint64_t id = m->loc_wide ? m->loc_wide[s->loc + j] : idxs[j];

			if (id_map_get(&p->locations, id, &idx)) {
				pyro_pprof_err(err, "malformed profile: sample %zu references missing location %llu",
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
	int rc;

	rc = pyro_buf_puts(&b, "^(");
	for (p = re; *p && !rc; p++) {
		if (p[0] == '(' && p[1] == '?' && p[2] == ':') {
			rc = pyro_buf_putc(&b, '(');
			p += 2;
		} else if (p[0] == '\\' && p[1] == 'd') {
			rc = pyro_buf_puts(&b, "[0-9]");
			p++;
		} else if (p[0] == '\\' && p[1] == 'w') {
			rc = pyro_buf_puts(&b, "[A-Za-z0-9_]");
			p++;
		} else if (p[0] == '\\' && p[1] == 's') {
			rc = pyro_buf_puts(&b, "[[:space:]]");
			p++;
		} else if (p[0] == '\\' && p[1]) {
			rc = pyro_buf_add(&b, p, 2);
			p++;
		} else {
			rc = pyro_buf_putc(&b, *p);
		}
	}
	if (!rc)
		rc = pyro_buf_puts(&b, ")$");
	if (!rc)
		rc = regcomp(rx, b.data, REG_EXTENDED | REG_NOSUB) ? -EINVAL : 0;
	pyro_buf_release(&b);
	return rc;
}

static int compile_string(const struct pyro_wire_msg *m, int64_t i, regex_t *rx)
{
	char *re = pyro_pprof_str_dup(m, i);
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
	const struct pyro_wire_msg *m = &p->m;
	const struct pyro_wire_str *name;
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
	const struct pyro_wire_msg *m = &p->m;
	regex_t drop, keep;
	int have_keep = 0;
	size_t i;

	p->line_first = calloc(m->nlocations ? m->nlocations : 1,
			       sizeof(*p->line_first));
	p->prune = calloc(m->nlocations ? m->nlocations : 1, 1);
	if (!p->line_first || !p->prune) {
		pyro_pprof_err(err, "out of memory");
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
		const struct pyro_wire_location *l = &m->locations[i];
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
static int decode_owned(struct pyro_profile *p, struct pyro_wire_stream *st,
			char err[PYRO_ERR_MAX])
{
	int rc;

	rc = pyro_wire_parse(&p->m, (const uint8_t *)p->data.data, p->data.len, 0,
			   st);
	if (rc == PYRO_WIRE_ERR_STREAM)
		return rc;
	if (rc) {
		pyro_pprof_err(err, rc == -ENOMEM ? "out of memory" :
			"not a pprof profile (protobuf does not decode as a Profile)");
		return rc;
	}
	rc = check_profile_shape(&p->m, err);
	if (!rc) {
		rc = fill_types(&p->m, &p->types, &p->ntypes);
		if (rc)
			pyro_pprof_err(err, "out of memory");
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
		pyro_pprof_err(err, "out of memory");
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
	pyro_wire_msg_release(&p->m);
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
 * decoding").  0 with p filled, PYRO_WIRE_ERR_STREAM to start over the plain way, or
 * an error of the profile itself (in err). */
static int load_streaming(struct pyro_profile *p, const struct pyro_buf *raw,
			  size_t max_size, char err[PYRO_ERR_MAX])
{
	struct pyro_wire_stream st;
	pthread_t tid;
	size_t isize;
	int rc;

	if (raw->len < 18 || (unsigned char)raw->data[0] != 0x1f ||
	    (unsigned char)raw->data[1] != 0x8b)
		return PYRO_WIRE_ERR_STREAM;
	isize = pyro_gunzip_size_hint(raw->data, raw->len, max_size);
	if (isize < PYRO_WIRE_STREAM_MIN)
		return PYRO_WIRE_ERR_STREAM;
	/* Exactly isize bytes and the NUL: stream_inflate writes no more. */
	if (pyro_buf_reserve(&p->data, (size_t)isize + 1))
		return PYRO_WIRE_ERR_STREAM;
	pyro_mem_large(p->data.data, p->data.cap);
	memset(&st, 0, sizeof(st));
	st.in = raw;
	st.out = p->data.data;
	st.size = isize;
	atomic_init(&st.avail, 0);
	atomic_init(&st.state, 0);
	pthread_mutex_init(&st.lock, NULL);
	pthread_cond_init(&st.cond, NULL);
	p->data.len = isize;
	if (pthread_create(&tid, NULL, pyro_wire_stream_inflate, &st)) {
		rc = PYRO_WIRE_ERR_STREAM;
	} else {
		rc = decode_owned(p, &st, err);
		/* A decode error may come from bytes not yet checked by
		 * inflate (the CRC is checked last): wait and see. */
		pthread_join(tid, NULL);
		if (atomic_load(&st.state) != 1)
			rc = PYRO_WIRE_ERR_STREAM;
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
		pyro_pprof_err(err, "out of memory");
		return -ENOMEM;
	}
	/* The inflated bytes become the profile's: strings point into them. */
	rc = pyro_pprof_read_fd(fd, max_size, &raw, err);
	if (!rc) {
		/* Another profiler's file is converted whole first: it cannot
		 * be decoded while it inflates. */
		rc = pyro_pprof_foreign(&raw) ? PYRO_WIRE_ERR_STREAM :
		     load_streaming(p, &raw, max_size, err);
		if (rc == PYRO_WIRE_ERR_STREAM) {
			profile_reset(p);
			rc = pyro_pprof_unpack(&raw, max_size, &p->data, &compressed, err);
			if (!rc)
				rc = pyro_format_convert(&p->data, max_size, err);
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
	pyro_wire_msg_release(&p->m);
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
