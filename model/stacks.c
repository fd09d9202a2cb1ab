/*
 * stacks.c - aggregated call stacks; see stacks.h.
 *
 * Two open-addressing hash tables make aggregation linear in the input:
 * frames keyed by their (name, node, file, line), stacks keyed by their
 * frame-reference sequence.  Both store index + 1 so that 0 marks a free slot.
 */
#include "stacks.h"

#include "buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static uint64_t frame_hash(const struct pyro_frame *f)
{
	uint64_t h = mix64(((uint64_t)f->name << 32) | f->node);

	if (f->file != PYRO_NO_FILE || f->line)
		h = mix64(h ^ mix64(((uint64_t)f->file << 32) ^ (uint64_t)f->line));
	return h;
}

/* Two references per multiply: stacks are long (10-60 frames) and hashed
 * again on every rehash, so a byte-wise hash was a visible cost. */
static uint64_t refs_hash(const uint32_t *refs, uint32_t depth)
{
	uint64_t h = PYRO_HASH_SEED ^ depth;
	uint32_t i = 0;

	for (; i + 2 <= depth; i += 2) {
		h ^= (uint64_t)refs[i] | (uint64_t)refs[i + 1] << 32;
		h *= 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	if (i < depth) {
		h ^= refs[i];
		h *= 0x9e3779b97f4a7c15ULL;
	}
	return mix64(h);
}

int pyro_stacks_init(struct pyro_stacks *s)
{
	memset(s, 0, sizeof(*s));
	return pyro_strtab_init(&s->strs);
}

void pyro_meta_release(struct pyro_meta *m)
{
	size_t i;

	free(m->service);
	free(m->type);
	free(m->span);
	free(m->sample_type);
	free(m->sample_unit);
	free(m->file);
	free(m->build_id);
	free(m->doc_url);
	free(m->base_span);
	free(m->filter);
	free(m->filter_unit);
	free(m->name_filters);
	for (i = 0; i < m->ncomments; i++)
		free(m->comments[i]);
	free(m->comments);
	memset(m, 0, sizeof(*m));
}

static int dup_opt(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

int pyro_meta_copy(struct pyro_meta *dst, const struct pyro_meta *src)
{
	char **to[] = {
		&dst->service, &dst->type, &dst->span, &dst->sample_type,
		&dst->sample_unit, &dst->file, &dst->build_id, &dst->doc_url,
		&dst->base_span, &dst->filter, &dst->filter_unit,
		&dst->name_filters,
	};
	const char *const from[] = {
		src->service, src->type, src->span, src->sample_type,
		src->sample_unit, src->file, src->build_id, src->doc_url,
		src->base_span, src->filter, src->filter_unit,
		src->name_filters,
	};
	size_t i;
	int rc = 0;

	*dst = *src;
	dst->comments = NULL;
	dst->ncomments = 0;
	/* Every string is copied (or NULL) even after a failure, so that
	 * dst never shares one with src; the first error is kept. */
	for (i = 0; i < sizeof(to) / sizeof(to[0]); i++) {
		int r = dup_opt(to[i], from[i]);

		if (!rc)
			rc = r;
	}
	if (!rc && src->ncomments) {
		dst->comments = calloc(src->ncomments, sizeof(char *));
		if (!dst->comments)
			rc = -ENOMEM;
		for (i = 0; !rc && i < src->ncomments; i++) {
			rc = dup_opt(&dst->comments[i], src->comments[i]);
			dst->ncomments = i + 1;
		}
	}
	if (rc) {
		pyro_meta_release(dst);
		return -ENOMEM;
	}
	return 0;
}

void pyro_stacks_release(struct pyro_stacks *s)
{
	pyro_strtab_release(&s->strs);
	free(s->frames);
	free(s->frame_slots);
	free(s->refs);
	free(s->stacks);
	free(s->stack_slots);
	free(s->base);
	pyro_meta_release(&s->meta);
	memset(s, 0, sizeof(*s));
}

/* A frame slot: the frame id + 1 in the low half (0: free), the upper
 * half of its hash in the high half, so that a probe past another frame
 * seldom has to load that frame: those loads were most of the time of
 * interning the 80,000 frames of a big profile. */
#define SLOT_ID(x) ((uint32_t)(x))
#define SLOT_TAG(h) ((h) & 0xffffffff00000000ULL)

static int frames_rehash(struct pyro_stacks *s, uint32_t nslots)
{
	uint64_t *slots = calloc(nslots, sizeof(*slots));
	uint32_t id;

	if (!slots)
		return -ENOMEM;
	for (id = 0; id < s->nframes; id++) {
		uint64_t h = frame_hash(&s->frames[id]);
		uint32_t i = (uint32_t)h & (nslots - 1);

		while (slots[i])
			i = (i + 1) & (nslots - 1);
		slots[i] = SLOT_TAG(h) | (id + 1);
	}
	free(s->frame_slots);
	s->frame_slots = slots;
	s->frame_nslots = nslots;
	return 0;
}

int pyro_stacks_reserve_frames(struct pyro_stacks *s, uint32_t nframes)
{
	uint32_t nslots = s->frame_nslots ? s->frame_nslots : 256;
	int rc;

	if (nframes >= PYRO_REF_INLINE / 2)
		return 0;               /* a hint: the limit is checked on adding */
	while (nslots < 2 * (nframes + 1))
		nslots *= 2;
	if (nslots != s->frame_nslots && (rc = frames_rehash(s, nslots)))
		return rc;
	if (nframes > s->frames_cap) {
		struct pyro_frame *f = realloc(s->frames, nframes * sizeof(*f));

		if (!f)
			return -ENOMEM;
		s->frames = f;
		s->frames_cap = nframes;
	}
	return 0;
}

int pyro_stacks_frame(struct pyro_stacks *s, const char *name, size_t name_len,
		      const char *node, size_t node_len, uint32_t *id)
{
	return pyro_stacks_frame_at(s, name, name_len, node, node_len, NULL, 0,
				    0, id);
}

int pyro_stacks_frame_mapping(struct pyro_stacks *s, uint32_t id,
			      const char *file, size_t len)
{
	if (s->frames[id].mapping != PYRO_NO_FILE)
		return 0;
	return pyro_strtab_intern(&s->strs, file, len, &s->frames[id].mapping);
}

int pyro_stacks_frame_at(struct pyro_stacks *s, const char *name,
			 size_t name_len, const char *node, size_t node_len,
			 const char *file, size_t file_len, int64_t line,
			 uint32_t *id)
{
	struct pyro_frame k = { .file = PYRO_NO_FILE, .mapping = PYRO_NO_FILE,
				.line = line };
	int rc;

	rc = pyro_strtab_intern(&s->strs, name, name_len, &k.name);
	k.node = k.name;
	/* Most frames name their node after themselves: intern once. */
	if (!rc && (node_len != name_len ||
		    (node != name && memcmp(node, name, name_len))))
		rc = pyro_strtab_intern(&s->strs, node, node_len, &k.node);
	if (!rc && file)
		rc = pyro_strtab_intern(&s->strs, file, file_len, &k.file);
	if (rc)
		return rc;
	return pyro_stacks_frame_ids(s, &k, id);
}

void pyro_stacks_frame_prefetch(const struct pyro_stacks *s,
				const struct pyro_frame *k)
{
	if (s->frame_nslots)
		__builtin_prefetch(&s->frame_slots[(uint32_t)frame_hash(k) &
						   (s->frame_nslots - 1)]);
}

int pyro_stacks_frame_ids(struct pyro_stacks *s, const struct pyro_frame *key,
			  uint32_t *id)
{
	struct pyro_frame k = *key;
	uint64_t h;
	uint32_t i;
	int rc;

	if (s->nframes >= PYRO_REF_INLINE - 1)
		return -EOVERFLOW;
	if (s->frame_nslots < 2 * (s->nframes + 1)) {
		rc = frames_rehash(s, s->frame_nslots ? s->frame_nslots * 2 : 256);
		if (rc)
			return rc;
	}
	h = frame_hash(&k);
	for (i = (uint32_t)h & (s->frame_nslots - 1);
	     s->frame_slots[i]; i = (i + 1) & (s->frame_nslots - 1)) {
		const struct pyro_frame *f;

		if (SLOT_TAG(s->frame_slots[i]) != SLOT_TAG(h))
			continue;
		f = &s->frames[SLOT_ID(s->frame_slots[i]) - 1];
		if (f->name == k.name && f->node == k.node &&
		    f->file == k.file && f->line == k.line) {
			*id = SLOT_ID(s->frame_slots[i]) - 1;
			return 0;
		}
	}
	if (s->nframes == s->frames_cap) {
		uint32_t cap = s->frames_cap ? s->frames_cap * 2 : 256;
		struct pyro_frame *frames = realloc(s->frames, cap * sizeof(*frames));

		if (!frames)
			return -ENOMEM;
		s->frames = frames;
		s->frames_cap = cap;
	}
	s->frames[s->nframes] = k;
	s->frame_slots[i] = SLOT_TAG(h) | (s->nframes + 1);
	*id = s->nframes++;
	return 0;
}

static int stacks_rehash(struct pyro_stacks *s, size_t nslots)
{
	uint32_t *slots = calloc(nslots, sizeof(*slots));
	size_t k;

	if (!slots)
		return -ENOMEM;
	for (k = 0; k < s->nstacks; k++) {
		const struct pyro_stack *st = &s->stacks[k];
		size_t i = refs_hash(s->refs + st->off, st->depth) & (nslots - 1);

		while (slots[i])
			i = (i + 1) & (nslots - 1);
		slots[i] = (uint32_t)(k + 1);
	}
	free(s->stack_slots);
	s->stack_slots = slots;
	s->stack_nslots = nslots;
	return 0;
}

/* The slot holding refs (whose refs_hash is hash), or the free slot where
 * it belongs. */
static size_t stack_slot_hashed(const struct pyro_stacks *s,
				const uint32_t *refs, uint32_t depth,
				uint64_t hash)
{
	size_t mask = s->stack_nslots - 1;
	size_t i = hash & mask;

	for (; s->stack_slots[i]; i = (i + 1) & mask) {
		const struct pyro_stack *st = &s->stacks[s->stack_slots[i] - 1];

		/* depth 0: refs may be NULL, and memcmp(NULL, ..., 0) is UB. */
		if (st->depth == depth && (depth == 0 ||
		    !memcmp(s->refs + st->off, refs, depth * sizeof(*refs))))
			break;
	}
	return i;
}

static size_t stack_slot(const struct pyro_stacks *s, const uint32_t *refs,
			 uint32_t depth)
{
	return stack_slot_hashed(s, refs, depth, refs_hash(refs, depth));
}

uint64_t pyro_stacks_hash(const uint32_t *refs, uint32_t depth)
{
	return refs_hash(refs, depth);
}

void pyro_stacks_prefetch(const struct pyro_stacks *s, uint64_t hash)
{
	if (s->stack_nslots)
		__builtin_prefetch(&s->stack_slots[hash & (s->stack_nslots - 1)]);
}

int pyro_stacks_find(const struct pyro_stacks *s, const uint32_t *refs,
		     uint32_t depth, size_t *idx)
{
	size_t i;

	if (!s->stack_nslots)
		return -ENOENT;
	i = stack_slot(s, refs, depth);
	if (!s->stack_slots[i])
		return -ENOENT;
	*idx = s->stack_slots[i] - 1;
	return 0;
}

static int append_stack(struct pyro_stacks *s, const uint32_t *refs,
			uint32_t depth)
{
	int rc;

	if (s->nstacks >= UINT32_MAX - 1)
		return -EOVERFLOW;
	if (s->nrefs + depth > s->refs_cap &&
	    (rc = pyro_grow_array(&s->refs, &s->refs_cap, s->nrefs + depth,
				  sizeof(*s->refs))))
		return rc;
	if (s->nstacks == s->stacks_cap &&
	    (rc = pyro_grow_array(&s->stacks, &s->stacks_cap, s->nstacks + 1,
				  sizeof(*s->stacks))))
		return rc;
	if (depth)
		memcpy(s->refs + s->nrefs, refs, depth * sizeof(*refs));
	s->stacks[s->nstacks].off = s->nrefs;
	s->stacks[s->nstacks].depth = depth;
	s->stacks[s->nstacks].value = 0;
	s->nrefs += depth;
	s->nstacks++;
	return 0;
}

int pyro_stacks_reserve(struct pyro_stacks *s, size_t nstacks, size_t nrefs)
{
	size_t nslots = s->stack_nslots ? s->stack_nslots : 1024;
	int rc;

	while (nslots < 2 * (nstacks + 1))
		nslots *= 2;
	if (nslots != s->stack_nslots && (rc = stacks_rehash(s, nslots)))
		return rc;
	if (nstacks > s->stacks_cap) {
		struct pyro_stack *p = realloc(s->stacks, nstacks * sizeof(*p));

		if (!p)
			return -ENOMEM;
		s->stacks = p;
		s->stacks_cap = nstacks;
		pyro_mem_large(p, nstacks * sizeof(*p));
	}
	if (nrefs > s->refs_cap) {
		uint32_t *p = realloc(s->refs, nrefs * sizeof(*p));

		if (!p)
			return -ENOMEM;
		s->refs = p;
		s->refs_cap = nrefs;
		pyro_mem_large(p, nrefs * sizeof(*p));
	}
	return 0;
}

/* refs cut to PYRO_MAX_DEPTH into cut: outer part, the marker frame,
 * inner part (stacks.h). */
static int cut_stack(struct pyro_stacks *s, const uint32_t *refs,
		     uint32_t depth, uint32_t cut[PYRO_MAX_DEPTH])
{
	const uint32_t inner = PYRO_MAX_DEPTH - PYRO_KEEP_ROOT - 1;
	char name[48];
	uint32_t id;
	int n, rc;

	n = snprintf(name, sizeof(name), "[truncated %u frames]",
		     depth - PYRO_KEEP_ROOT - inner);
	rc = pyro_stacks_frame(s, name, (size_t)n, name, (size_t)n, &id);
	if (rc)
		return rc;
	memcpy(cut, refs, PYRO_KEEP_ROOT * sizeof(*cut));
	cut[PYRO_KEEP_ROOT] = id;
	memcpy(cut + PYRO_KEEP_ROOT + 1, refs + depth - inner,
	       inner * sizeof(*cut));
	/* The frame after the marker is no longer called by its own
	 * location's outer frame: not an inlined call as seen here. */
	cut[PYRO_KEEP_ROOT + 1] &= ~PYRO_REF_INLINE;
	return 0;
}

int pyro_stacks_add(struct pyro_stacks *s, const uint32_t *refs,
		    uint32_t depth, int64_t value, size_t *idx)
{
	uint32_t cut[PYRO_MAX_DEPTH];
	int rc;

	if (depth > PYRO_MAX_DEPTH) {
		rc = cut_stack(s, refs, depth, cut);
		if (rc)
			return rc;
		refs = cut;
		depth = PYRO_MAX_DEPTH;
	}
	return pyro_stacks_add_hashed(s, refs, depth, refs_hash(refs, depth),
				      value, idx);
}

int pyro_stacks_add_hashed(struct pyro_stacks *s, const uint32_t *refs,
			   uint32_t depth, uint64_t hash, int64_t value,
			   size_t *idx)
{
	size_t i, k;
	int rc;

	/* A stack to cut hashes otherwise than its cut. */
	if (depth > PYRO_MAX_DEPTH)
		return pyro_stacks_add(s, refs, depth, value, idx);
	if (s->stack_nslots < 2 * (s->nstacks + 1)) {
		rc = stacks_rehash(s, s->stack_nslots ? s->stack_nslots * 2 : 1024);
		if (rc)
			return rc;
	}
	i = stack_slot_hashed(s, refs, depth, hash);
	if (!s->stack_slots[i]) {
		rc = append_stack(s, refs, depth);
		if (rc)
			return rc;
		s->stack_slots[i] = (uint32_t)s->nstacks;
	}
	k = s->stack_slots[i] - 1;
	{
		int64_t sum;

		/* Into a temporary: the stack keeps its value on overflow. */
		if (__builtin_add_overflow(s->stacks[k].value, value, &sum))
			return -EOVERFLOW;
		s->stacks[k].value = sum;
	}
	if (idx)
		*idx = k;
	return 0;
}

int pyro_stacks_import(struct pyro_stacks *s, const struct pyro_stacks *src,
		       size_t *idx)
{
	return pyro_stacks_import_as(s, src, 1, idx);
}

/* The id in s of src's string id, interned at its first use (smap: per
 * src string, its id in s, or UINT32_MAX while not yet interned).  A
 * member of a merge names the same few strings from many frames (node =
 * name, one mapping for all), so each is hashed once, not once per use;
 * first uses come in the order the per-frame interning had, so s's ids
 * are the same. */
static int map_str(struct pyro_stacks *s, const struct pyro_stacks *src,
		   uint32_t *smap, uint32_t id, uint32_t *out)
{
	if (smap[id] == UINT32_MAX) {
		struct pyro_str str = pyro_strtab_get(&src->strs, id);
		int rc = pyro_strtab_intern(&s->strs, str.ptr, str.len,
					    &smap[id]);

		if (rc)
			return rc;
	}
	*out = smap[id];
	return 0;
}

/* The frame of s for src's frame sf (lines: with file and line). */
static int import_frame(struct pyro_stacks *s, const struct pyro_stacks *src,
			const struct pyro_frame *sf, int lines, uint32_t *smap,
			uint32_t *id)
{
	struct pyro_frame k = { .file = PYRO_NO_FILE, .mapping = PYRO_NO_FILE,
				.line = lines ? sf->line : 0 };
	int rc = map_str(s, src, smap, sf->name, &k.name);

	if (!rc)
		rc = map_str(s, src, smap, sf->node, &k.node);
	if (!rc && lines && sf->file != PYRO_NO_FILE)
		rc = map_str(s, src, smap, sf->file, &k.file);
	if (!rc)
		rc = pyro_stacks_frame_ids(s, &k, id);
	/* The first location that gave the frame names its mapping. */
	if (!rc && sf->mapping != PYRO_NO_FILE &&
	    s->frames[*id].mapping == PYRO_NO_FILE)
		rc = map_str(s, src, smap, sf->mapping, &s->frames[*id].mapping);
	return rc;
}

int pyro_stacks_import_as(struct pyro_stacks *s, const struct pyro_stacks *src,
			  int lines, size_t *idx)
{
	uint32_t *fmap, *smap, *refs = NULL, f;
	size_t k, cap = 0;
	int rc = 0;

	fmap = malloc((src->nframes ? src->nframes : 1) * sizeof(*fmap));
	smap = malloc((src->strs.count ? src->strs.count : 1) * sizeof(*smap));
	if (!fmap || !smap) {
		rc = -ENOMEM;
		goto out;
	}
	memset(smap, 0xff, src->strs.count * sizeof(*smap));
	for (f = 0; f < src->nframes && !rc; f++)
		rc = import_frame(s, src, &src->frames[f], lines, smap,
				  &fmap[f]);
	for (k = 0; k < src->nstacks && !rc; k++) {
		const struct pyro_stack *st = &src->stacks[k];
		const uint32_t *sr = pyro_stack_refs(src, st);
		uint32_t d;

		if (st->depth > cap) {
			uint32_t *r = realloc(refs, st->depth * sizeof(*r));

			if (!r) {
				rc = -ENOMEM;
				break;
			}
			refs = r;
			cap = st->depth;
		}
		for (d = 0; d < st->depth; d++)
			refs[d] = fmap[PYRO_REF_FRAME(sr[d])] |
				  (sr[d] & PYRO_REF_INLINE);
		rc = pyro_stacks_add(s, refs, st->depth, 0, &idx[k]);
	}
out:
	free(refs);
	free(smap);
	free(fmap);
	return rc;
}

size_t pyro_stacks_bytes(const struct pyro_stacks *s)
{
	return sizeof(*s) + pyro_strtab_bytes(&s->strs) +
	       (size_t)s->frames_cap * sizeof(*s->frames) +
	       (size_t)s->frame_nslots * sizeof(*s->frame_slots) +
	       s->refs_cap * sizeof(*s->refs) +
	       s->stacks_cap * sizeof(*s->stacks) +
	       s->stack_nslots * sizeof(*s->stack_slots) +
	       (s->base ? s->nstacks * sizeof(*s->base) : 0);
}

int pyro_stacks_total(const struct pyro_stacks *s, int64_t *total)
{
	int64_t sum = 0;
	size_t k;

	if (s->sample_total > 0) {
		*total = s->sample_total;
		return 0;
	}
	for (k = 0; k < s->nstacks; k++) {
		int64_t v = s->stacks[k].value;

		if (v == INT64_MIN)
			return -EOVERFLOW;
		if (__builtin_add_overflow(sum, v < 0 ? -v : v, &sum))
			return -EOVERFLOW;
	}
	*total = sum;
	return 0;
}

int pyro_stacks_percent_total(const struct pyro_stacks *s, int64_t *total)
{
	int rc = pyro_stacks_total(s, total);

	if (!rc && s->base && s->meta.base_total > 0)
		*total = s->meta.base_total;
	if (!rc && (s->meta.filter || s->meta.name_filters) &&
	    s->meta.whole_total > 0)
		*total = s->meta.whole_total;
	return rc;
}

const char *pyro_merge_rule_name(enum pyro_merge_rule rule)
{
	switch (rule) {
	case PYRO_MERGE_SINGLE:
		return "single";
	case PYRO_MERGE_SUM:
		return "sum";
	case PYRO_MERGE_INCREASE:
		return "increase";
	case PYRO_MERGE_MEAN:
		return "mean";
	case PYRO_MERGE_SERVER_SUM:
		return "sum by the server";
	default:
		return "unknown";
	}
}

int64_t pyro_merge_mean(int64_t sum, int64_t n)
{
	int64_t q = sum / n, r = sum % n;

	/* Half away from zero, without overflowing sum + n / 2. */
	if (r * 2 >= n)
		q++;
	else if (r * 2 <= -n)
		q--;
	return q;
}
