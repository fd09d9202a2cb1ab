/*
 * pprof_stacks.c - the stacks and labels of a decoded profile; see
 * profile.h (pyro_profile_stacks, pyro_profile_labels,
 * pyro_profile_stacks_filtered).
 *
 * Validation (profile.c) has turned every sample's location ids into
 * indexes and marked pruned locations, so aggregation does no lookup of
 * its own: each location's frames are built once, then each sample's kept
 * locations are joined root first into a stack.
 */
#include "pprof_priv.h"
#include "labels.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Locations looked at ahead of the one being interned (prefetch_location),
 * and the ring remembering what was hashed for them. */
#define AHEAD 4
#define RING 8

/* The name hashed for a location ahead: its outermost line's function
 * index + 1 (0: nothing) and the name's pyro_strtab_hash. */
struct name_ahead {
	uint32_t fn;
	uint64_t hash;
};

/* Frame references of every location, root first, in one flat array. */
struct loc_frames {
	struct name_ahead ahead[RING];  /* by location index % RING */
	uint32_t *refs;
	size_t *off;            /* per location: first ref; off[n] = end */
	uint32_t *fn_frame;     /* per function index: its frame id + 1, or 0 */
	uint32_t *fn_name;      /* per function index: its name's strtab id
				 * + 1, or 0 (frames with a position) */
	uint32_t *fn_file;      /* and its file's, PYRO_NO_FILE for none */
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
			     const struct pyro_wire_location *l, struct pyro_buf *b)
{
	const struct pyro_wire_msg *m = &p->m;
	uint32_t mi;

	if (l->mapping_id && !id_map_get(&p->mappings, l->mapping_id, &mi) &&
	    m->strs[m->mappings[mi].filename].len) {
		char *file = pyro_pprof_str_dup(m, m->mappings[mi].filename);
		int rc = file ? pyro_buf_printf(b, "[%s]", base_name(file)) : -ENOMEM;

		free(file);
		return rc;
	}
	return pyro_buf_puts(b, "<unknown>");
}

static int address_frame(const struct pyro_profile *p, struct pyro_stacks *out,
			 const struct pyro_wire_location *l, uint32_t *id)
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

/* Whether a line of function name in file at line number no is a source
 * position (line_frame): named, and with a file or a line number. */
static int source_position(const struct pyro_wire_str *name,
			   const struct pyro_wire_str *file, int64_t no)
{
	return name->len && (file->len || no);
}

static int line_frame(const struct pyro_profile *p, struct pyro_stacks *out,
		      struct loc_frames *lf, const struct pyro_wire_location *l,
		      size_t line, const struct name_ahead *hint, uint32_t *id)
{
	const struct pyro_wire_msg *m = &p->m;
	const struct pyro_wire_str *name, *file;
	uint64_t fid = m->line_fn[line];
	int64_t no = m->line_no[line];
	uint32_t fi;
	int rc;

	if (!fid || id_map_get(&p->functions, fid, &fi))
		return address_frame(p, out, l, id);
	name = &m->strs[m->functions[fi].name];
	file = &m->strs[m->functions[fi].filename];
	if (source_position(name, file, no)) {
		/* A source position, for profile.pb.gz's pprof -list: once
		 * per line of a location, not per sample, and the names
		 * hashed once per function, not per line. */
		struct pyro_frame k = { .file = PYRO_NO_FILE,
					.mapping = PYRO_NO_FILE, .line = no };

		if (!lf->fn_name[fi]) {
			rc = hint && hint->fn == fi + 1 ?
			     pyro_strtab_intern_hashed(&out->strs, name->ptr,
						       name->len, hint->hash,
						       &k.name) :
			     pyro_strtab_intern(&out->strs, name->ptr, name->len,
						&k.name);
			if (!rc && file->len)
				rc = pyro_strtab_intern(&out->strs, file->ptr,
							file->len, &k.file);
			if (rc)
				return rc;
			lf->fn_name[fi] = k.name + 1;
			lf->fn_file[fi] = k.file;
		}
		k.name = k.node = lf->fn_name[fi] - 1;
		k.file = lf->fn_file[fi];
		return pyro_stacks_frame_ids(out, &k, id);
	}
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

/* Start loading the frame slot of location i's outermost line, when its
 * function's strings are interned already; else, when that line is a
 * source position (line_frame), hash its function's name, start loading
 * its string slot and keep the hash for line_frame (interning here would
 * change the order of string ids).  The frame and string tables of a big
 * profile are megabytes, and each name or frame interned was a wait for
 * memory: three quarters of pyro_strtab_intern's time on large.cpu. */
static void prefetch_location(const struct pyro_profile *p,
			      const struct pyro_stacks *out,
			      struct loc_frames *lf, size_t i)
{
	const struct pyro_wire_msg *m = &p->m;
	const struct pyro_wire_location *l;
	const struct pyro_wire_str *name;
	uint32_t fi;

	if (i >= m->nlocations)
		return;
	l = &m->locations[i];
	lf->ahead[i % RING].fn = 0;
	if (l->nlines == 0 ||
	    id_map_get(&p->functions, m->line_fn[l->line + l->nlines - 1], &fi))
		return;
	if (!lf->fn_name[fi]) {
		name = &m->strs[m->functions[fi].name];
		if (lf->fn_frame[fi] ||
		    !source_position(name, &m->strs[m->functions[fi].filename],
				     m->line_no[l->line + l->nlines - 1]))
			return;
		lf->ahead[i % RING].fn = fi + 1;
		lf->ahead[i % RING].hash = pyro_strtab_hash(name->ptr, name->len);
		pyro_strtab_prefetch(&out->strs, lf->ahead[i % RING].hash);
		return;
	}
	pyro_stacks_frame_prefetch(out, &(struct pyro_frame){
		.name = lf->fn_name[fi] - 1, .node = lf->fn_name[fi] - 1,
		.file = lf->fn_file[fi], .mapping = PYRO_NO_FILE,
		.line = m->line_no[l->line + l->nlines - 1] });
}

static int build_loc_frames(const struct pyro_profile *p,
			    struct pyro_stacks *out, struct loc_frames *lf)
{
	const struct pyro_wire_msg *m = &p->m;
	size_t i, nrefs = 0, k = 0;
	int rc = 0;

	lf->off = malloc((m->nlocations + 1) * sizeof(*lf->off));
	lf->fn_frame = calloc(m->nfunctions ? m->nfunctions : 1,
			      sizeof(*lf->fn_frame));
	lf->fn_name = calloc(m->nfunctions ? m->nfunctions : 1,
			     sizeof(*lf->fn_name));
	lf->fn_file = malloc((m->nfunctions ? m->nfunctions : 1) *
			     sizeof(*lf->fn_file));
	if (!lf->off || !lf->fn_frame || !lf->fn_name || !lf->fn_file)
		return -ENOMEM;
	for (i = 0; i < m->nlocations; i++) {
		size_t n = m->locations[i].nlines - p->line_first[i];

		nrefs += n ? n : 1;
	}
	lf->refs = malloc((nrefs ? nrefs : 1) * sizeof(*lf->refs));
	if (!lf->refs)
		return -ENOMEM;
	/* Each reference is at most one new frame; most functions bring a
	 * name of their own, their files are fewer (large.cpu: 23,038
	 * functions, 23,061 strings: a reserve of only 16 more doubled the
	 * table, copying it, in its last few strings; a sixteenth more
	 * leaves a small profile's table the size it was). */
	rc = pyro_stacks_reserve_frames(out, nrefs < UINT32_MAX ? (uint32_t)nrefs : UINT32_MAX);
	if (!rc)
		rc = pyro_strtab_reserve(&out->strs, m->nfunctions < UINT32_MAX / 2 ?
					 (uint32_t)(m->nfunctions + m->nfunctions / 16 + 16) :
					 UINT32_MAX);
	for (i = 0; i < AHEAD; i++)
		prefetch_location(p, out, lf, i);
	for (i = 0; i < m->nlocations && !rc; i++) {
		const struct pyro_wire_location *l = &m->locations[i];
		const struct pyro_wire_str *map = NULL;
		size_t j, first = p->line_first[i];
		uint32_t id, mi;

		prefetch_location(p, out, lf, i + AHEAD);
		/* The mapping's file, which pprof's filters match too. */
		if (l->mapping_id && !id_map_get(&p->mappings, l->mapping_id, &mi))
			map = &m->strs[m->mappings[mi].filename];
		lf->off[i] = k;
		if (l->nlines == first) {
			rc = address_frame(p, out, l, &id);
			if (!rc && map)
				rc = pyro_stacks_frame_mapping(out, id, map->ptr,
							       map->len);
			lf->refs[k++] = id;
			continue;
		}
		/* line[first] is innermost: emit outermost first; every line but
		 * the outermost is an inlined callee. */
		for (j = l->nlines; j-- > first && !rc;) {
			rc = line_frame(p, out, lf, l, l->line + j,
					j == l->nlines - 1 ? &lf->ahead[i % RING] : NULL,
					&id);
			if (!rc && map)
				rc = pyro_stacks_frame_mapping(out, id, map->ptr,
							       map->len);
			lf->refs[k++] = id | (j != l->nlines - 1 ? PYRO_REF_INLINE : 0);
		}
	}
	lf->off[m->nlocations] = k;
	return rc;
}

/* Index of the first location of sample s kept by pruning (leaf side). */
static size_t sample_first_kept(const struct pyro_profile *p,
				const struct pyro_wire_sample *s)
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
	const struct pyro_wire_msg *m = &p->m;
	size_t i;

	meta->sample_type = strdup(p->types[index].type);
	meta->sample_unit = strdup(p->types[index].unit);
	if (!meta->sample_type || !meta->sample_unit)
		return -ENOMEM;
	if (m->nmappings) {
		const struct pyro_wire_mapping *mp = &m->mappings[0];

		if (m->strs[mp->filename].len) {
			meta->file = pyro_pprof_str_dup(m, mp->filename);
			if (!meta->file)
				return -ENOMEM;
			base_name(meta->file);
		}
		if (m->strs[mp->build_id].len &&
		    !(meta->build_id = pyro_pprof_str_dup(m, mp->build_id)))
			return -ENOMEM;
	}
	if (m->doc_url && !(meta->doc_url = pyro_pprof_str_dup(m, m->doc_url)))
		return -ENOMEM;
	if (m->ncomments) {
		meta->comments = calloc(m->ncomments, sizeof(char *));
		if (!meta->comments)
			return -ENOMEM;
		for (i = 0; i < m->ncomments; i++) {
			meta->comments[i] = pyro_pprof_str_dup(m, m->comments[i]);
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

static int label_kind(const struct pyro_wire_msg *m,
		      const struct pyro_wire_label *l);

/* pprof's DiffBaseSample: the sample has the label pprof::base=true, as
 * `pprof -proto -diff_base` marks the base's (negated) samples.  *l walks
 * the label pool, which is in sample order. */
static bool diff_base_sample(const struct pyro_wire_msg *m, size_t i, size_t *l)
{
	bool base = false;

	while (*l < m->nlabels && m->labels[*l].sample < i)
		(*l)++;
	for (; *l < m->nlabels && m->labels[*l].sample == i; (*l)++) {
		const struct pyro_wire_label *lb = &m->labels[*l];

		if (label_kind(m, lb) == 1 &&
		    m->strs[lb->key].len == 11 &&
		    !memcmp(m->strs[lb->key].ptr, "pprof::base", 11) &&
		    m->strs[lb->str].len == 4 &&
		    !memcmp(m->strs[lb->str].ptr, "true", 4))
			base = true;
	}
	return base;
}

/* pprof's total (report.computeTotal): the sum of |sample| over the
 * samples kept, or over the diff-base samples alone when there are any;
 * into out->sample_total when it differs from what the stacks sum to. */
static void sample_total(const struct pyro_wire_msg *m, size_t index,
			 const uint8_t *keep, struct pyro_stacks *out)
{
	int64_t all = 0, base = 0, netted;
	bool negative = false;
	size_t i, l = 0;

	for (i = 0; i < m->nsamples; i++) {
		int64_t v = m->vals[m->samples[i].val + index];
		bool is_base = diff_base_sample(m, i, &l);

		if (v == 0 || (keep && !keep[i]))
			continue;
		negative |= v < 0;
		/* a total past 64 bits is refused where it is printed
		 * (pyro_stacks_total); folded, each stack fitting, still
		 * works: leave the netted figure to say so */
		if (v == INT64_MIN || __builtin_add_overflow(all, v < 0 ? -v : v, &all))
			return;
		if (is_base)
			base += v < 0 ? -v : v;         /* <= all: fits */
	}
	if (!negative && !base)
		return;                 /* every stack sums positives: no netting */
	if (pyro_stacks_total(out, &netted))
		netted = -1;
	out->sample_total = base ? base : all;
	if (out->sample_total == netted)
		out->sample_total = 0;
}

/* One sample's stack on its way into the set: built, hashed and its slot
 * prefetched while the one before it is added (pyro_stacks_prefetch). */
struct pending {
	uint32_t *refs;
	size_t depth, cap;
	uint64_t hash;
	int64_t value;
};

/* Most locations are one frame: their reference, read straight from
 * one[]; NO_REF sends the others to lf. */
#define NO_REF UINT32_MAX

/* Sample s's kept locations' frames, root first, into b. */
static int sample_refs(const struct pyro_profile *p, const struct loc_frames *lf,
		       const uint32_t *one, const struct pyro_wire_sample *s,
		       struct pending *b)
{
	const uint32_t *li = p->m.loc_ids + s->loc;
	size_t first = p->any_prune ? sample_first_kept(p, s) : 0, j;

	b->depth = 0;
	for (j = s->nlocs; j-- > first;) {
		uint32_t r = one[li[j]];
		size_t n = r != NO_REF ? 1 : lf->off[li[j] + 1] - lf->off[li[j]];

		if (b->depth + n > b->cap) {
			size_t cap = b->cap ? b->cap * 2 : 256;
			uint32_t *nr;

			while (cap < b->depth + n)
				cap *= 2;
			nr = realloc(b->refs, cap * sizeof(*nr));
			if (!nr)
				return -ENOMEM;
			b->refs = nr;
			b->cap = cap;
		}
		if (r != NO_REF)
			b->refs[b->depth] = r;
		else
			memcpy(b->refs + b->depth, lf->refs + lf->off[li[j]],
			       n * sizeof(*b->refs));
		b->depth += n;
	}
	return b->depth > UINT32_MAX ? -E2BIG : 0;
}

static int add_pending(struct pyro_stacks *out, const struct pending *b)
{
	return pyro_stacks_add_hashed(out, b->refs, (uint32_t)b->depth, b->hash,
				      b->value, NULL);
}

/* The kept samples [from, to)'s stacks into out, in sample order; each
 * stack is added while the next one is built. */
static int add_range(const struct pyro_profile *p, size_t index,
		     const uint8_t *keep, const struct loc_frames *lf,
		     const uint32_t *one, struct pyro_stacks *out,
		     size_t from, size_t to)
{
	const struct pyro_wire_msg *m = &p->m;
	struct pending b[2] = { { NULL, 0, 0, 0, 0 }, { NULL, 0, 0, 0, 0 } };
	int cur = 0, waiting = 0, rc = 0;
	size_t i;

	for (i = from; !rc && i < to; i++) {
		const struct pyro_wire_sample *s = &m->samples[i];
		int64_t v = m->vals[s->val + index];

		if (v == 0 || (keep && !keep[i]))
			continue;
		rc = sample_refs(p, lf, one, s, &b[cur]);
		if (rc)
			break;
		b[cur].value = v;
		b[cur].hash = pyro_stacks_hash(b[cur].refs, (uint32_t)b[cur].depth);
		pyro_stacks_prefetch(out, b[cur].hash);
		if (waiting)
			rc = add_pending(out, &b[!cur]);
		waiting = 1;
		cur = !cur;
	}
	if (!rc && waiting)
		rc = add_pending(out, &b[!cur]);
	free(b[0].refs);
	free(b[1].refs);
	return rc;
}

/*
 * With many references, the second half of the samples has its stacks
 * built (frames looked up, hashed) on a thread of its own while the
 * caller adds the first half; the caller then adds them, in sample order.
 * Only building is shared out: every stack is added by one thread in the
 * order of the samples, so the set, its errors (the first in sample order)
 * and its order are those of one thread doing it all.  Building was about
 * half of aggregating the 100,000-stack profile (3.2 million references:
 * 22.6 -> 17.0 ms); large.cpu (half a million) gained nothing measurable
 * and stays on one thread.
 */
#define SPLIT_MIN_REFS ((size_t)1 << 19)

struct built_stack {
	size_t off;             /* its references at refs + off */
	uint32_t depth;
	uint64_t hash;
	int64_t value;
};

struct built {
	const struct pyro_profile *p;
	size_t index;
	const uint8_t *keep;
	const struct loc_frames *lf;
	const uint32_t *one;
	size_t from, to;        /* the samples [from, to) */
	uint32_t *refs;
	size_t nrefs, refs_cap;
	struct built_stack *v;
	size_t n, cap;
	int rc;                 /* what stopped building after n stacks */
};

static int build_one(struct built *w, const struct pyro_wire_sample *s,
		     int64_t v, struct pending *b)
{
	struct built_stack *e;
	int rc = sample_refs(w->p, w->lf, w->one, s, b);

	if (rc)
		return rc;
	if (pyro_grow_array(&w->refs, &w->refs_cap, w->nrefs + b->depth,
			    sizeof(*w->refs)) ||
	    pyro_grow_array(&w->v, &w->cap, w->n + 1, sizeof(*w->v)))
		return -ENOMEM;
	memcpy(w->refs + w->nrefs, b->refs, b->depth * sizeof(*b->refs));
	e = &w->v[w->n++];
	e->off = w->nrefs;
	e->depth = (uint32_t)b->depth;
	e->hash = pyro_stacks_hash(b->refs, (uint32_t)b->depth);
	e->value = v;
	w->nrefs += b->depth;
	return 0;
}

static void *build_range(void *arg)
{
	struct built *w = arg;
	const struct pyro_wire_msg *m = &w->p->m;
	struct pending b = { NULL, 0, 0, 0, 0 };
	size_t i;

	for (i = w->from; !w->rc && i < w->to; i++) {
		const struct pyro_wire_sample *s = &m->samples[i];
		int64_t v = m->vals[s->val + w->index];

		if (v != 0 && (!w->keep || w->keep[i]))
			w->rc = build_one(w, s, v, &b);
	}
	free(b.refs);
	return NULL;
}

/* Add what build_range built, in order; then its error, if any. */
static int add_built(struct pyro_stacks *out, const struct built *w)
{
	size_t k;
	int rc = 0;

	for (k = 0; !rc && k < w->n; k++) {
		const struct built_stack *e = &w->v[k];

		if (k + 1 < w->n)
			pyro_stacks_prefetch(out, w->v[k + 1].hash);
		rc = pyro_stacks_add_hashed(out, w->refs + e->off, e->depth,
					    e->hash, e->value, NULL);
	}
	return rc ? rc : w->rc;
}

/* Every kept sample's stack into out, in sample order. */
static int add_samples(const struct pyro_profile *p, size_t index,
		       const uint8_t *keep, const struct loc_frames *lf,
		       const uint32_t *one, struct pyro_stacks *out)
{
	const struct pyro_wire_msg *m = &p->m;
	struct built w = { p, index, keep, lf, one, 0, 0, NULL, 0, 0, NULL,
			   0, 0, 0 };
	size_t half = m->nsamples;
	pthread_t tid;
	int threaded = 0, rc;

	if (m->nloc_ids >= SPLIT_MIN_REFS && m->nsamples >= 2) {
		w.from = m->nsamples / 2;
		w.to = m->nsamples;
		/* Room for the half's stacks as the whole set's was reserved
		 * (aggregate): doubling copied them (a hint; building grows
		 * them if need be). */
		(void)(pyro_grow_array(&w.v, &w.cap, w.to - w.from, sizeof(*w.v)) ||
		       pyro_grow_array(&w.refs, &w.refs_cap,
				       (size_t)((double)(m->nloc_ids - m->samples[w.from].loc) *
						lf->off[m->nlocations] / m->nlocations) + 16,
				       sizeof(*w.refs)));
		threaded = pthread_create(&tid, NULL, build_range, &w) == 0;
		if (threaded)
			half = w.from;
	}
	rc = add_range(p, index, keep, lf, one, out, 0, half);
	if (threaded) {
		pthread_join(tid, NULL);
		if (!rc)
			rc = add_built(out, &w);
	}
	free(w.refs);
	free(w.v);
	return rc;
}

/* pyro_profile_stacks, of the samples i with keep[i] (all if keep is
 * NULL). */
static int aggregate(const struct pyro_profile *p, size_t index,
		     const uint8_t *keep, struct pyro_stacks *out,
		     char err[PYRO_ERR_MAX])
{
	const struct pyro_wire_msg *m = &p->m;
	struct loc_frames lf = { { { 0, 0 } }, NULL, NULL, NULL, NULL, NULL };
	uint32_t *one = NULL;
	size_t i;
	int rc;

	rc = pyro_stacks_init(out);
	if (rc || index >= p->ntypes) {
		pyro_pprof_err(err, rc ? "out of memory" : "no sample type %zu", index);
		return rc ? rc : -EINVAL;
	}
	rc = fill_meta(p, index, &out->meta);
	if (!rc)
		rc = build_loc_frames(p, out, &lf);
	if (!rc && !(one = malloc((m->nlocations ? m->nlocations : 1) * sizeof(*one))))
		rc = -ENOMEM;
	for (i = 0; !rc && i < m->nlocations; i++)
		one[i] = lf.off[i + 1] - lf.off[i] == 1 ? lf.refs[lf.off[i]] : NO_REF;
	if (!rc && m->nlocations)
		rc = pyro_stacks_reserve(out, m->nsamples,
					 (size_t)((double)m->nloc_ids *
						  lf.off[m->nlocations] / m->nlocations));
	if (!rc)
		rc = add_samples(p, index, keep, &lf, one, out);
	if (!rc)
		sample_total(m, index, keep, out);
	if (rc == -EOVERFLOW)
		pyro_pprof_err(err, "sample values overflow 64 bits");
	else if (rc)
		pyro_pprof_err(err, "out of memory aggregating samples");
	free(one);
	free(lf.refs);
	free(lf.off);
	free(lf.fn_frame);
	free(lf.fn_name);
	free(lf.fn_file);
	return rc;
}
#undef NO_REF

int pyro_profile_stacks(const struct pyro_profile *p, size_t index,
			struct pyro_stacks *out, char err[PYRO_ERR_MAX])
{
	return aggregate(p, index, NULL, out, err);
}

/* ---- labels ------------------------------------------------------------ */

/* A label as pprof reads it: 1 string, 2 numeric, 0 none (all fields 0, or
 * a string index outside the table: ignored). */
static int label_kind(const struct pyro_wire_msg *m, const struct pyro_wire_label *l)
{
	if (!pyro_pprof_str_ok(m, l->key))
		return 0;
	if (l->str)
		return pyro_pprof_str_ok(m, l->str) ? 1 : 0;
	if (l->num || l->num_unit)
		return pyro_pprof_str_ok(m, l->num_unit) ? 2 : 0;
	return 0;
}

int pyro_profile_labels(const struct pyro_profile *p, size_t type_index,
			struct pyro_label_set *out)
{
	const struct pyro_wire_msg *m = &p->m;
	size_t i, l = 0, lb_walk = 0;
	int64_t base = 0;
	int rc;

	if (type_index >= p->ntypes) {
		memset(out, 0, sizeof(*out));
		return -EINVAL;
	}
	rc = pyro_label_set_init(out, p->types[type_index].type,
				 p->types[type_index].unit);
	for (i = 0; i < m->nsamples && !rc; i++) {
		int64_t v = m->vals[m->samples[i].val + type_index];

		/* the total of a pprof -diff_base output is its base's, as
		 * sample_total() says; |v| <= the total, which fits */
		if (diff_base_sample(m, i, &lb_walk) && v != INT64_MIN)
			base += v < 0 ? -v : v;
		rc = pyro_label_set_sample(out, v);
		for (; l < m->nlabels && m->labels[l].sample == i && !rc; l++) {
			const struct pyro_wire_label *lb = &m->labels[l];
			int kind = label_kind(m, lb);
			const struct pyro_wire_str *key = &m->strs[kind ? lb->key : 0];
			char num[24];

			if (kind == 1) {
				const struct pyro_wire_str *str = &m->strs[lb->str];

				rc = pyro_label_set_add(out, key->ptr, key->len,
							str->ptr, str->len,
							PYRO_LABEL_STRING, 0, NULL, 0,
							v, i + 1);
			} else if (kind == 2) {
				const struct pyro_wire_str *unit = &m->strs[lb->num_unit];
				int n = snprintf(num, sizeof(num), "%lld",
						 (long long)lb->num);

				rc = pyro_label_set_add(out, key->ptr, key->len,
							num, (size_t)n,
							PYRO_LABEL_NUMBER, lb->num,
							unit->ptr, unit->len, v, i + 1);
			}
		}
	}
	if (!rc && base)
		out->total = base;
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
	const struct pyro_wire_msg *m = &p->m;
	uint8_t *keep;
	int64_t num = 0;
	int is_num, rc;
	size_t l;

	keep = calloc(m->nsamples ? m->nsamples : 1, 1);
	if (!keep) {
		memset(out, 0, sizeof(*out));
		pyro_pprof_err(err, "out of memory");
		return -ENOMEM;
	}
	is_num = value && canonical_int(value, value_len, &num) == 0;
	for (l = 0; l < m->nlabels; l++) {
		const struct pyro_wire_label *lb = &m->labels[l];
		int kind = label_kind(m, lb);
		const struct pyro_wire_str *k = &m->strs[kind ? lb->key : 0];

		if (!kind || k->len != key_len || (key_len && memcmp(k->ptr, key, key_len)))
			continue;
		if (!value) {
			keep[lb->sample] = 1;   /* has the key: inverted below */
		} else if (kind == 1) {
			const struct pyro_wire_str *str = &m->strs[lb->str];

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
