/*
 * pprof_wire.c - the protobuf wire decoder of profile.proto; see
 * pprof_wire.h.
 *
 * The wire format of profile.proto is read by hand, in one pass, straight
 * into flat arrays: samples, locations, lines, functions and mappings are
 * rows of plain structs, location ids and values live in two pools, and
 * string table entries point into the inflated bytes, which the profile
 * keeps.  So decoding a profile costs a handful of allocations instead of
 * one per message and string (the protobuf-c code generated from
 * proto/profile.proto did that, and spent more time in malloc and free
 * than in parsing).  The decoder accepts and rejects exactly what
 * protobuf-c's unpack did, so the set of usable files is unchanged:
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
 * large archive never materialises samples. *
 * Here: profile.proto's messages and the Profile itself.  Reading the wire
 * format (varints, a field's structure) is pprof_wire_scan.h's; the thread
 * that inflates a profile while it is decoded is pprof_wire_stream.c's.
 */
#include "pprof_wire.h"
#include "pprof_wire_scan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
	if (pyro_grow_array(arr, cap, *n + f->len, sizeof(**arr)))
		return ERR_NOMEM;
	for (p = f->pay, end = f->pay + f->len; p < end;) {
		uint64_t v;

		if (get_varint(&p, end, &v))
			return ERR_WIRE;
		(*arr)[(*n)++] = v;
	}
	return 0;
}

static int parse_value_type(const struct field *f, struct pyro_wire_vt *vt)
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
		if (g.num == PB_VALUE_TYPE_TYPE)
			rc = want_varint(&g, &vt->type);
		else if (g.num == PB_VALUE_TYPE_UNIT)
			rc = want_varint(&g, &vt->unit);
		if (rc)
			return rc;
	}
	return 0;
}

/* A Label of the sample being parsed (index m->nsamples). */
static int parse_label(struct pyro_wire_msg *m, const struct field *f)
{
	const uint8_t *p = f->pay, *end = f->pay + f->len;
	struct pyro_wire_label l = { m->nsamples, 0, 0, 0, 0 };
	int64_t *dst[5] = {
		[PB_LABEL_KEY] = &l.key, [PB_LABEL_STR] = &l.str,
		[PB_LABEL_NUM] = &l.num, [PB_LABEL_NUM_UNIT] = &l.num_unit,
	};
	struct field g;
	int rc;

	if (f->wt != WT_LEN)
		return ERR_WIRE;
	while (p < end) {
		if ((rc = next_field(&p, end, &g)))
			return rc;
		if (g.num >= PB_LABEL_KEY && g.num <= PB_LABEL_NUM_UNIT && (rc = want_varint(&g, dst[g.num])))
			return rc;
	}
	if (PUSH(m->labels, m->nlabels, m->labels_cap))
		return ERR_NOMEM;
	m->labels[m->nlabels++] = l;
	return 0;
}

/* Samples' location ids: 32 bits each (half the memory of the biggest
 * array) until one does not fit; from then on 64 (loc_wide). */
static int widen_loc_ids(struct pyro_wire_msg *m)
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

static inline int push_loc_id(struct pyro_wire_msg *m, uint64_t v)
{
	if (!m->loc_wide && v > UINT32_MAX && widen_loc_ids(m))
		return ERR_NOMEM;
	if (m->nloc_ids == m->loc_ids_cap) {
		size_t cap = m->loc_ids_cap;

		if (m->loc_wide ? pyro_grow_array(&m->loc_wide, &cap, cap + 1, sizeof(*m->loc_wide)) :
		    pyro_grow_array(&m->loc_ids, &cap, cap + 1, sizeof(*m->loc_ids)))
			return ERR_NOMEM;
		m->loc_ids_cap = cap;
	}
	if (m->loc_wide)
		m->loc_wide[m->nloc_ids++] = v;
	else
		m->loc_ids[m->nloc_ids++] = (uint32_t)v;
	return 0;
}

static inline void note_loc_id(struct pyro_wire_msg *m, uint64_t v)
{
	if (v < m->loc_id_min)
		m->loc_id_min = v;
	if (v > m->loc_id_max)
		m->loc_id_max = v;
}

/* A varint of at most 5 bytes at *pp, 5 bytes being there: 1 with *v set
 * and *pp past it, else 0 (longer: get_varint's).  Unrolled, without
 * get_varint's bounds and shift tests per byte: location ids of a few
 * thousand take 2 or 3 bytes, and its loop was half of parsing large.cpu. */
static inline int short_varint(const uint8_t **pp, uint64_t *v)
{
	const uint8_t *p = *pp;
	uint64_t x = p[0] & 0x7f;

	if (p[0] < 0x80) {
		*pp = p + 1;
	} else if (x |= (uint64_t)(p[1] & 0x7f) << 7, p[1] < 0x80) {
		*pp = p + 2;
	} else if (x |= (uint64_t)(p[2] & 0x7f) << 14, p[2] < 0x80) {
		*pp = p + 3;
	} else if (x |= (uint64_t)(p[3] & 0x7f) << 21, p[3] < 0x80) {
		*pp = p + 4;
	} else if (x |= (uint64_t)(p[4] & 0x7f) << 28, p[4] < 0x80) {
		*pp = p + 5;
	} else {
		return 0;
	}
	*v = x;
	return 1;
}

/* The packed ids of f while they fit 32 bits, in a loop of locals (the
 * pool is most of a CPU profile's bytes); returns where it stopped. */
static const uint8_t *narrow_ids(struct pyro_wire_msg *m, const uint8_t *p,
				 const uint8_t *end)
{
	uint32_t *dst = m->loc_ids + m->nloc_ids;
	uint64_t lo = m->loc_id_min, hi = m->loc_id_max, v;
	const uint8_t *q;

	while (p < end) {
		q = p;
		if (end - p < 5 || !short_varint(&q, &v)) {
			q = p;
			if (get_varint(&q, end, &v))
				break;
		}
		if (v > UINT32_MAX)
			break;
		p = q;
		*dst++ = (uint32_t)v;
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	m->nloc_ids = (size_t)(dst - m->loc_ids);
	m->loc_id_min = lo;
	m->loc_id_max = hi;
	return p;
}

static int location_ids(struct pyro_wire_msg *m, const struct field *f)
{
	const uint8_t *p, *end;
	uint64_t v;

	if (f->wt == WT_VARINT) {
		note_loc_id(m, f->v);
		return push_loc_id(m, f->v);
	}
	if (f->wt != WT_LEN)
		return ERR_WIRE;
	p = f->pay;
	end = f->pay + f->len;
	/* Every id takes a byte at least: f->len bounds the count. */
	if (!m->loc_wide) {
		if (m->nloc_ids + f->len > m->loc_ids_cap &&
		    pyro_grow_array(&m->loc_ids, &m->loc_ids_cap,
				    m->nloc_ids + f->len, sizeof(*m->loc_ids)))
			return ERR_NOMEM;
		p = narrow_ids(m, p, end);
	}
	while (p < end) {
		if (get_varint(&p, end, &v))
			return ERR_WIRE;
		note_loc_id(m, v);
		if (push_loc_id(m, v))
			return ERR_NOMEM;
	}
	return 0;
}

static int parse_sample(struct pyro_wire_msg *m, const struct field *f)
{
	const uint8_t *p = f->pay, *end = f->pay + f->len;
	struct pyro_wire_sample *s;
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
		case PB_SAMPLE_LOCATION_ID:
			rc = location_ids(m, &g);
			break;
		case PB_SAMPLE_VALUE:
			rc = repeated_ints(&g, (uint64_t **)&m->vals, &m->nvals,
					   &m->vals_cap);
			break;
		case PB_SAMPLE_LABEL:
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

static int parse_mapping(struct pyro_wire_msg *m, const struct field *f)
{
	const uint8_t *p = f->pay, *end = f->pay + f->len;
	struct pyro_wire_mapping mp = { 0, 0, 0 };
	struct field g;
	uint64_t ignored;
	int rc;

	if (f->wt != WT_LEN)
		return ERR_WIRE;
	while (p < end) {
		if ((rc = next_field(&p, end, &g)))
			return rc;
		switch (g.num) {
		case PB_MAPPING_ID:
			rc = want_uvarint(&g, &mp.id);
			break;
		case PB_MAPPING_MEMORY_START:
		case PB_MAPPING_MEMORY_LIMIT:
		case PB_MAPPING_FILE_OFFSET:
			rc = want_uvarint(&g, &ignored);
			break;
		case PB_MAPPING_FILENAME:
			rc = want_varint(&g, &mp.filename);
			break;
		case PB_MAPPING_BUILD_ID:
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

static int parse_line(struct pyro_wire_msg *m, const struct field *f)
{
	const uint8_t *p = f->pay, *end = f->pay + f->len;
	uint64_t fid = 0;
	int64_t line = 0, ignored;
	struct field g;
	int rc;

	if (f->wt != WT_LEN)
		return ERR_WIRE;
	while (p < end) {
		if ((rc = next_field(&p, end, &g)))
			return rc;
		if (g.num == PB_LINE_FUNCTION_ID)
			rc = want_uvarint(&g, &fid);
		else if (g.num == PB_LINE_LINE)
			rc = want_varint(&g, &line);
		else if (g.num == PB_LINE_COLUMN)
			rc = want_varint(&g, &ignored);
		if (rc)
			return rc;
	}
	if (PUSH(m->line_fn, m->nlines, m->lines_cap) ||
	    PUSH(m->line_no, m->nlines, m->line_no_cap))
		return ERR_NOMEM;
	m->line_no[m->nlines] = line;
	m->line_fn[m->nlines++] = fid;
	return 0;
}

static int parse_location(struct pyro_wire_msg *m, const struct field *f)
{
	const uint8_t *p = f->pay, *end = f->pay + f->len;
	struct pyro_wire_location l = { 0, 0, 0, m->nlines, 0 };
	struct field g;
	int rc;

	if (f->wt != WT_LEN)
		return ERR_WIRE;
	while (p < end) {
		if ((rc = next_field(&p, end, &g)))
			return rc;
		switch (g.num) {
		case PB_LOCATION_ID:
			rc = want_uvarint(&g, &l.id);
			break;
		case PB_LOCATION_MAPPING_ID:
			rc = want_uvarint(&g, &l.mapping_id);
			break;
		case PB_LOCATION_ADDRESS:
			rc = want_uvarint(&g, &l.address);
			break;
		case PB_LOCATION_LINE:
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

static int parse_function(struct pyro_wire_msg *m, const struct field *f)
{
	const uint8_t *p = f->pay, *end = f->pay + f->len;
	struct pyro_wire_function fn = { 0, 0, 0, 0 };
	int64_t ignored;
	struct field g;
	int rc;

	if (f->wt != WT_LEN)
		return ERR_WIRE;
	while (p < end) {
		if ((rc = next_field(&p, end, &g)))
			return rc;
		switch (g.num) {
		case PB_FUNCTION_ID:
			rc = want_uvarint(&g, &fn.id);
			break;
		case PB_FUNCTION_NAME:
			rc = want_varint(&g, &fn.name);
			break;
		case PB_FUNCTION_SYSTEM_NAME:
			rc = want_varint(&g, &fn.system_name);
			break;
		case PB_FUNCTION_FILENAME:
			rc = want_varint(&g, &fn.filename);
			break;
		case PB_FUNCTION_START_LINE:
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

void pyro_wire_msg_release(struct pyro_wire_msg *m)
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
	free(m->line_no);
	free(m->comments);
	free(m->labels);
	memset(m, 0, sizeof(*m));
}

/* Presize the top-level arrays from a count of their fields: one cheap walk
 * instead of many reallocations.  A structural error is left for the real
 * parse to find. */
static int presize(struct pyro_wire_msg *m, const uint8_t *p, const uint8_t *end,
		   int headers_only)
{
	size_t n[PB_PROFILE_STRING_TABLE + 1] = { 0 }, sample_bytes = 0;
	struct field f;

	while (p < end && next_field(&p, end, &f) == 0) {
		if (f.num <= PB_PROFILE_STRING_TABLE && f.wt == WT_LEN) {
			n[f.num]++;
			if (f.num == PB_PROFILE_SAMPLE)
				sample_bytes += f.len;
		}
	}
	if (pyro_grow_array(&m->sample_types, &m->sample_types_cap, n[PB_PROFILE_SAMPLE_TYPE], sizeof(*m->sample_types)) ||
	    pyro_grow_array(&m->strs, &m->strs_cap, n[PB_PROFILE_STRING_TABLE], sizeof(*m->strs)))
		return ERR_NOMEM;
	if (headers_only)
		return 0;
	/* A sample holds about one location id per 1.5 bytes, one line per
	 * location in most profiles. */
	if (pyro_grow_array(&m->samples, &m->samples_cap, n[PB_PROFILE_SAMPLE], sizeof(*m->samples)) ||
	    pyro_grow_array(&m->mappings, &m->mappings_cap, n[PB_PROFILE_MAPPING], sizeof(*m->mappings)) ||
	    pyro_grow_array(&m->locations, &m->locations_cap, n[PB_PROFILE_LOCATION], sizeof(*m->locations)) ||
	    pyro_grow_array(&m->functions, &m->functions_cap, n[PB_PROFILE_FUNCTION], sizeof(*m->functions)) ||
	    pyro_grow_array(&m->loc_ids, &m->loc_ids_cap, sample_bytes * 2 / 3 + 16, sizeof(*m->loc_ids)) ||
	    pyro_grow_array(&m->vals, &m->vals_cap, n[PB_PROFILE_SAMPLE] * 2 + 16, sizeof(*m->vals)) ||
	    pyro_grow_array(&m->line_fn, &m->lines_cap, n[PB_PROFILE_LOCATION] + n[PB_PROFILE_LOCATION] / 4 + 16, sizeof(*m->line_fn)) ||
	    pyro_grow_array(&m->line_no, &m->line_no_cap, n[PB_PROFILE_LOCATION] + n[PB_PROFILE_LOCATION] / 4 + 16, sizeof(*m->line_no)))
		return ERR_NOMEM;
	return 0;
}

/* Presize the biggest arrays of a profile still inflating, from its
 * inflated size: location ids take at most a third of the bytes of the
 * profiles measured (CPU profiles: 0.2 to 0.31 ids a byte), samples with
 * their values about 40 bytes or more each.  Growing them by doubling
 * instead copied each one several times, and those copies were a third of
 * a cold decode's page faults.  The guess costs address space only: pages
 * never written are never backed, and a profile beyond it still grows. */
static int presize_stream(struct pyro_wire_msg *m, size_t len)
{
	/* Locations, functions and strings: one per 64 bytes or fewer (Go's
	 * large.cpu one per 106, the 100k-stack profile one per 139 and
	 * fewer); lines a quarter more than locations (inlining).  Growing
	 * them by doubling copied them: a ninth of a fresh daemon's page
	 * faults on large.cpu. */
	size_t few = len / 64 + 16;

	if (pyro_grow_array(&m->loc_ids, &m->loc_ids_cap, len / 3 + 16, sizeof(*m->loc_ids)) ||
	    pyro_grow_array(&m->samples, &m->samples_cap, len / 40 + 16, sizeof(*m->samples)) ||
	    pyro_grow_array(&m->vals, &m->vals_cap, len / 20 + 16, sizeof(*m->vals)) ||
	    pyro_grow_array(&m->locations, &m->locations_cap, few, sizeof(*m->locations)) ||
	    pyro_grow_array(&m->functions, &m->functions_cap, few, sizeof(*m->functions)) ||
	    pyro_grow_array(&m->strs, &m->strs_cap, few, sizeof(*m->strs)) ||
	    pyro_grow_array(&m->line_fn, &m->lines_cap, few + few / 4, sizeof(*m->line_fn)) ||
	    pyro_grow_array(&m->line_no, &m->line_no_cap, few + few / 4, sizeof(*m->line_no)))
		return ERR_NOMEM;
	return 0;
}

/* The presized arrays that a big profile fills: huge pages for them. */
static void hint_large(const struct pyro_wire_msg *m)
{
	pyro_mem_large(m->loc_ids, m->loc_ids_cap * sizeof(*m->loc_ids));
	pyro_mem_large(m->samples, m->samples_cap * sizeof(*m->samples));
	pyro_mem_large(m->vals, m->vals_cap * sizeof(*m->vals));
	pyro_mem_large(m->locations, m->locations_cap * sizeof(*m->locations));
	pyro_mem_large(m->line_fn, m->lines_cap * sizeof(*m->line_fn));
	pyro_mem_large(m->line_no, m->line_no_cap * sizeof(*m->line_no));
	pyro_mem_large(m->strs, m->strs_cap * sizeof(*m->strs));
}

/* Decode a Profile.  With headers_only, samples, mappings, locations and
 * functions are skipped unread (but must still be length-prefixed, as a
 * message field must). */
int pyro_wire_parse(struct pyro_wire_msg *m, const uint8_t *data, size_t len,
		    int headers_only, struct pyro_wire_stream *st)
{
	const uint8_t *p = data, *end = data + len;
	struct field f;
	int rc;

	memset(m, 0, sizeof(*m));
	m->loc_id_min = UINT64_MAX;
	/* A stream's bytes are not all there yet: guess from its size. */
	if ((rc = st ? presize_stream(m, len) : presize(m, p, end, headers_only)))
		return rc;
	hint_large(m);
	while (p < end) {
		/* A tag and a length prefix take 15 bytes at most; then the
		 * whole field must be there before it is parsed. */
		if (st && pyro_wire_stream_wait(st, (size_t)(p - data) + 15 < len ?
					  (size_t)(p - data) + 15 : len))
			return PYRO_WIRE_ERR_STREAM;
		if ((rc = next_field(&p, end, &f)))
			return rc;
		if (st && pyro_wire_stream_wait(st, (size_t)(p - data)))
			return PYRO_WIRE_ERR_STREAM;
		switch (f.num) {
		case PB_PROFILE_SAMPLE_TYPE:
			if (PUSH(m->sample_types, m->nsample_types, m->sample_types_cap))
				return ERR_NOMEM;
			rc = parse_value_type(&f, &m->sample_types[m->nsample_types]);
			m->nsample_types++;
			break;
		case PB_PROFILE_SAMPLE:
		case PB_PROFILE_MAPPING:
		case PB_PROFILE_LOCATION:
		case PB_PROFILE_FUNCTION:
			if (f.wt != WT_LEN)
				return ERR_WIRE;
			if (headers_only)
				break;
			rc = f.num == PB_PROFILE_SAMPLE ? parse_sample(m, &f) :
			     f.num == PB_PROFILE_MAPPING ? parse_mapping(m, &f) :
			     f.num == PB_PROFILE_LOCATION ? parse_location(m, &f) :
			     parse_function(m, &f);
			break;
		case PB_PROFILE_STRING_TABLE:
			if (f.wt != WT_LEN)
				return ERR_WIRE;
			if (PUSH(m->strs, m->nstrs, m->strs_cap))
				return ERR_NOMEM;
			m->strs[m->nstrs].ptr = (const char *)f.pay;
			m->strs[m->nstrs].len = f.len;
			m->nstrs++;
			break;
		case PB_PROFILE_DROP_FRAMES:
			rc = want_varint(&f, &m->drop_frames);
			break;
		case PB_PROFILE_KEEP_FRAMES:
			rc = want_varint(&f, &m->keep_frames);
			break;
		case PB_PROFILE_TIME_NANOS:
			rc = want_varint(&f, &m->time_nanos);
			break;
		case PB_PROFILE_DURATION_NANOS:
			rc = want_varint(&f, &m->duration_nanos);
			break;
		case PB_PROFILE_PERIOD_TYPE:
			rc = parse_value_type(&f, &m->period_type);
			m->has_period_type = 1;
			break;
		case PB_PROFILE_PERIOD:
			rc = want_varint(&f, &m->period);
			break;
		case PB_PROFILE_COMMENT:
			rc = repeated_ints(&f, (uint64_t **)&m->comments,
					   &m->ncomments, &m->comments_cap);
			break;
		case PB_PROFILE_DEFAULT_SAMPLE_TYPE:
			rc = want_varint(&f, &m->default_sample_type);
			break;
		case PB_PROFILE_DOC_URL:
			rc = want_varint(&f, &m->doc_url);
			break;
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
int pyro_wire_sound(const uint8_t *p, size_t len)
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
