/*
 * export.c - profile.pb.gz: a node's stacks written back as a gzipped pprof
 * profile, for go tool pprof, speedscope, Pyroscope and friends.
 *
 * The stacks keep what pprof's reports need, not the original profile, so
 * the profile is rebuilt from them.  The contract is a round trip:
 * `go tool pprof -top` on the output prints what top.txt prints (less our
 * "Merge:" line), and decoding it with model/profile.h gives back the same
 * stacks.  Each frame turns into what the decoder would have read it from:
 *
 *   name == node               a Line of a Function of that name, with
 *                              the frame's source file and line if any
 *                              (so `pprof -list` finds them);
 *   node "[bin]"/"<unknown>",  an address-only Location (no Line) at that
 *   name "0x<hex>"             address, in a Mapping whose file is "bin"
 *                              (none for "<unknown>");
 *   node "[bin]"/"<unknown>",  a Line of a nameless Function whose file is
 *   any other name             the name, in a Location mapped to "bin";
 *   anything else              a Function named after the node (top.txt
 *                              wins; the decoder never makes such frames).
 *
 * A frame reference marked PYRO_REF_INLINE joins the Location of the frame
 * before it, so an inlined call becomes one Location with several Lines,
 * innermost first, and pprof prints the same "(inline)" markers.
 * Address-only frames always stand alone.  Identical frame runs share one
 * Location.  Mapping 1 is always the node's main binary (meta.file and
 * build id, both maybe empty), because pprof's "File:" and "Build ID:"
 * lines name mapping[0]; other binaries follow.
 *
 * Functions, mappings and locations are deduplicated through string tables
 * used as hash sets: the id of a key is the object's id, dense from 1 in
 * order of first use, so the output is deterministic.
 *
 * One sample per distinct non-zero stack, one sample type (the node's),
 * time and duration, comments and doc URL from meta.  A diff node exports
 * its values, target minus base, as one profile.
 */
#include "render.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "profile.pb-c.h"

enum frame_kind {
	FK_UNSEEN = 0,
	FK_FUNC,                /* a Line of a named Function */
	FK_NAMELESS,            /* a Line of a nameless Function with a file */
	FK_ADDR,                /* an address-only Location */
};

/* What a stacks frame becomes; filled on first use. */
struct frame_info {
	uint8_t kind;           /* enum frame_kind */
	uint32_t func;          /* function id (FUNC, NAMELESS) */
	uint32_t mapping;       /* mapping id, 0 for none */
	uint64_t address;       /* FK_ADDR */
};

/* A Location: its frames outermost first, in ex->loc_frames. */
struct loc {
	size_t off;             /* first frame in loc_frames */
	uint32_t nframes;
	uint32_t mapping;
	uint64_t address;
};

/* A Function: string ids in ex->strs. */
struct func {
	uint32_t name, file;
};

struct export {
	const struct pyro_stacks *s;
	struct pyro_strtab strs;        /* the profile's string table */
	struct pyro_strtab func_keys;   /* "F"name / "N"file -> function id */
	struct pyro_strtab map_keys;    /* binary name -> mapping id */
	struct pyro_strtab loc_keys;    /* frame id run -> location id */
	struct frame_info *frames;      /* per stacks frame */
	struct func *funcs;             /* function id - 1 */
	size_t nfuncs, funcs_cap;
	uint32_t *maps;                 /* mapping id - 1 -> file string id */
	size_t nmaps, maps_cap;
	uint32_t main_build_id;         /* string id, 0 if none */
	struct loc *locs;               /* location id - 1 */
	size_t nlocs, locs_cap;
	uint32_t *loc_frames;           /* frames of every location */
	size_t nloc_frames, loc_frames_cap;
	uint64_t *sample_locs;          /* location ids of every sample, leaf first */
	size_t nsample_locs, sample_locs_cap;
	size_t *sample_off;             /* per sample: first in sample_locs */
	int64_t *sample_val;            /* per sample: its value */
	size_t nsamples;
};

static int intern(struct pyro_strtab *t, const char *s, size_t len,
		  uint32_t *id)
{
	return pyro_strtab_intern(t, s, len, id);
}

/* "0x" and 1..16 lowercase hex digits: the decoder's address name. */
static int parse_address(struct pyro_str name, uint64_t *addr)
{
	uint64_t v = 0;
	uint32_t i;

	if (name.len < 3 || name.len > 18 || name.ptr[0] != '0' ||
	    name.ptr[1] != 'x')
		return 0;
	for (i = 2; i < name.len; i++) {
		char c = name.ptr[i];

		if (c >= '0' && c <= '9')
			v = v << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (uint64_t)(c - 'a' + 10);
		else
			return 0;
	}
	*addr = v;
	return 1;
}

/* The mapping of binary bin[0..len), created on first use.  Keys are
 * "M" + name, so the main binary, even nameless, is one. */
static int mapping_id(struct export *ex, const char *bin, size_t len,
		      uint32_t *id)
{
	struct pyro_buf key = PYRO_BUF_INIT;
	uint32_t file;
	int rc;

	rc = pyro_buf_putc(&key, 'M');
	if (!rc)
		rc = pyro_buf_add(&key, bin, len);
	if (!rc)
		rc = intern(&ex->map_keys, key.data, key.len, id);
	pyro_buf_release(&key);
	if (rc || *id <= ex->nmaps)
		return rc;
	rc = intern(&ex->strs, bin, len, &file);
	if (!rc)
		rc = pyro_grow_array(&ex->maps, &ex->maps_cap, ex->nmaps + 1, sizeof(*ex->maps));
	if (!rc)
		ex->maps[ex->nmaps++] = file;
	return rc;
}

/* The function named name in source file file (tag 'F'; file.ptr NULL
 * for none) or nameless in file name (tag 'N'). */
static int function_id(struct export *ex, char tag, struct pyro_str name,
		       struct pyro_str file, uint32_t *id)
{
	struct pyro_buf key = PYRO_BUF_INIT;
	uint32_t str, fstr = 0;
	int rc;

	rc = pyro_buf_putc(&key, tag);
	if (!rc)
		rc = pyro_buf_add(&key, name.ptr, name.len);
	/* names hold no NUL byte from the decoder, but a file must not be
	 * confused with the name's tail whatever they hold: its length too */
	if (!rc && file.ptr)
		rc = pyro_buf_putc(&key, '\0');
	if (!rc && file.ptr)
		rc = pyro_buf_printf(&key, "%zu:", (size_t)file.len);
	if (!rc && file.ptr)
		rc = pyro_buf_add(&key, file.ptr, file.len);
	if (!rc)
		rc = intern(&ex->func_keys, key.data, key.len, id);
	pyro_buf_release(&key);
	if (rc || *id <= ex->nfuncs)
		return rc;
	rc = intern(&ex->strs, name.ptr, name.len, &str);
	if (!rc && file.ptr)
		rc = intern(&ex->strs, file.ptr, file.len, &fstr);
	if (!rc)
		rc = pyro_grow_array(&ex->funcs, &ex->funcs_cap, ex->nfuncs + 1,
			  sizeof(*ex->funcs));
	if (rc)
		return rc;
	ex->funcs[ex->nfuncs].name = tag == 'F' ? str : 0;
	ex->funcs[ex->nfuncs].file = tag == 'F' ? fstr : str;
	ex->nfuncs++;
	return 0;
}

/* Classify frame f (see the top comment) and create what it needs. */
static int frame_info(struct export *ex, uint32_t f,
		      const struct frame_info **out)
{
	struct frame_info *fi = &ex->frames[f];
	struct pyro_str name = pyro_strtab_get(&ex->s->strs, ex->s->frames[f].name);
	struct pyro_str node = pyro_strtab_get(&ex->s->strs, ex->s->frames[f].node);
	struct pyro_str nofile = { NULL, 0 };
	int rc = 0;

	*out = fi;
	if (fi->kind != FK_UNSEEN)
		return 0;
	if (ex->s->frames[f].name == ex->s->frames[f].node) {
		struct pyro_str file = { NULL, 0 };

		if (ex->s->frames[f].file != PYRO_NO_FILE)
			file = pyro_strtab_get(&ex->s->strs, ex->s->frames[f].file);
		fi->kind = FK_FUNC;
		return function_id(ex, 'F', name, file, &fi->func);
	}
	if (node.len >= 2 && node.ptr[0] == '[' && node.ptr[node.len - 1] == ']')
		rc = mapping_id(ex, node.ptr + 1, node.len - 2, &fi->mapping);
	else if (node.len != 9 || memcmp(node.ptr, "<unknown>", 9)) {
		fi->kind = FK_FUNC;
		return function_id(ex, 'F', node, nofile, &fi->func);
	}
	if (rc)
		return rc;
	if (parse_address(name, &fi->address)) {
		fi->kind = FK_ADDR;
		return 0;
	}
	fi->kind = FK_NAMELESS;
	return function_id(ex, 'N', name, nofile, &fi->func);
}

/* The location of frames run[0..n) (outermost first), created on first
 * use; its mapping is the first unsymbolized frame's, else the main one. */
static int location_id(struct export *ex, const uint32_t *run, uint32_t n,
		       uint32_t mapping, uint64_t address, uint32_t *id)
{
	struct loc *l;
	int rc = intern(&ex->loc_keys, (const char *)run, n * sizeof(*run), id);

	if (rc || *id <= ex->nlocs)
		return rc;
	rc = pyro_grow_array(&ex->locs, &ex->locs_cap, ex->nlocs + 1, sizeof(*ex->locs));
	if (!rc)
		rc = pyro_grow_array(&ex->loc_frames, &ex->loc_frames_cap,
			  ex->nloc_frames + n, sizeof(*ex->loc_frames));
	if (rc)
		return rc;
	l = &ex->locs[ex->nlocs++];
	l->off = ex->nloc_frames;
	l->nframes = n;
	l->mapping = mapping;
	l->address = address;
	memcpy(ex->loc_frames + ex->nloc_frames, run, n * sizeof(*run));
	ex->nloc_frames += n;
	return 0;
}

/*
 * Cut stack k into locations and append their ids, leaf first.  A run is a
 * frame and the inlined frames after it.  Named functions fit any mapping;
 * a nameless function's node name comes from its location's mapping, so a
 * run holds nameless frames of one mapping only; an address stands alone.
 */
static int add_sample(struct export *ex, size_t k, uint32_t **run,
		      size_t *run_cap)
{
	const struct pyro_stack *st = &ex->s->stacks[k];
	const uint32_t *refs = pyro_stack_refs(ex->s, st);
	size_t start = ex->nsample_locs, i, j;
	uint32_t d = 0, e, id;
	int rc;

	rc = pyro_grow_array(run, run_cap, st->depth ? st->depth : 1, sizeof(**run));
	while (!rc && d < st->depth) {
		const struct frame_info *fi;
		uint32_t mapping = 1;   /* the main binary */
		uint64_t address = 0;
		int bound = 0;          /* mapping fixed by a nameless frame */

		for (e = d; e < st->depth; e++) {
			uint32_t f = PYRO_REF_FRAME(refs[e]);

			rc = frame_info(ex, f, &fi);
			if (rc)
				return rc;
			if (e > d && (!(refs[e] & PYRO_REF_INLINE) ||
				      fi->kind == FK_ADDR ||
				      (fi->kind == FK_NAMELESS && bound &&
				       fi->mapping != mapping)))
				break;
			(*run)[e - d] = f;
			if (fi->kind == FK_ADDR) {
				mapping = fi->mapping;
				address = fi->address;
				e++;
				break;
			}
			if (fi->kind == FK_NAMELESS && !bound) {
				mapping = fi->mapping;
				bound = 1;
			}
		}
		rc = location_id(ex, *run, e - d, mapping, address, &id);
		if (!rc)
			rc = pyro_grow_array(&ex->sample_locs, &ex->sample_locs_cap,
				  ex->nsample_locs + 1, sizeof(*ex->sample_locs));
		if (!rc)
			ex->sample_locs[ex->nsample_locs++] = id;
		d = e;
	}
	if (rc)
		return rc;
	/* Collected root first; a Sample lists its leaf first. */
	for (i = start, j = ex->nsample_locs; i + 1 < j; i++, j--) {
		uint64_t t = ex->sample_locs[i];

		ex->sample_locs[i] = ex->sample_locs[j - 1];
		ex->sample_locs[j - 1] = t;
	}
	ex->sample_off[ex->nsamples] = start;
	ex->sample_val[ex->nsamples++] = st->value;
	return 0;
}

static void export_release(struct export *ex)
{
	pyro_strtab_release(&ex->strs);
	pyro_strtab_release(&ex->func_keys);
	pyro_strtab_release(&ex->map_keys);
	pyro_strtab_release(&ex->loc_keys);
	free(ex->frames);
	free(ex->funcs);
	free(ex->maps);
	free(ex->locs);
	free(ex->loc_frames);
	free(ex->sample_locs);
	free(ex->sample_off);
	free(ex->sample_val);
}

static int intern_opt(struct export *ex, const char *s, uint32_t *id)
{
	*id = 0;
	return s && *s ? intern(&ex->strs, s, strlen(s), id) : 0;
}

/* Build every table from the stacks. */
static int collect(struct export *ex)
{
	const struct pyro_stacks *s = ex->s;
	const struct pyro_meta *m = &s->meta;
	uint32_t *run = NULL, id;
	size_t run_cap = 0, k;
	int rc;

	if ((rc = pyro_strtab_init(&ex->strs)) ||
	    (rc = pyro_strtab_init(&ex->func_keys)) ||
	    (rc = pyro_strtab_init(&ex->map_keys)) ||
	    (rc = pyro_strtab_init(&ex->loc_keys)))
		return rc;
	ex->frames = calloc(s->nframes ? s->nframes : 1, sizeof(*ex->frames));
	ex->sample_off = malloc((s->nstacks ? s->nstacks : 1) * sizeof(size_t));
	ex->sample_val = malloc((s->nstacks ? s->nstacks : 1) * sizeof(int64_t));
	if (!ex->frames || !ex->sample_off || !ex->sample_val)
		return -ENOMEM;
	/* Mapping 1 is the main binary, so pprof's File: and Build ID: lines
	 * name it; it exists without a name too, or the first other binary
	 * would take its place. */
	rc = mapping_id(ex, m->file ? m->file : "", m->file ? strlen(m->file) : 0,
			&id);
	if (!rc)
		rc = intern_opt(ex, m->build_id, &ex->main_build_id);
	if (rc)
		return rc;
	for (k = 0; k < s->nstacks && !rc; k++)
		if (s->stacks[k].value != 0)
			rc = add_sample(ex, k, &run, &run_cap);
	free(run);
	return rc;
}

/* Protobuf-c messages pointing into ex; packed into out. */
static int pack(struct export *ex, struct pyro_buf *out)
{
	const struct pyro_meta *m = &ex->s->meta;
	Pprof__Profile p = PPROF__PROFILE__INIT;
	Pprof__ValueType vt = PPROF__VALUE_TYPE__INIT, *vtp = &vt;
	Pprof__Sample *samples = NULL, **sample_ptrs = NULL;
	Pprof__Location *locs = NULL, **loc_ptrs = NULL;
	Pprof__Line *lines = NULL, **line_ptrs = NULL;
	Pprof__Function *funcs = NULL, **func_ptrs = NULL;
	Pprof__Mapping *maps = NULL, **map_ptrs = NULL;
	ProtobufCBinaryData *strs = NULL;
	int64_t *comments = NULL;
	uint32_t id, type, unit, doc = 0;
	size_t i, j, size;
	int rc = -ENOMEM;

	/* Strings first: every later table only reads ids. */
	if ((rc = intern_opt(ex, m->sample_type, &type)) ||
	    (rc = intern_opt(ex, m->sample_unit, &unit)) ||
	    (rc = intern_opt(ex, m->doc_url, &doc)))
		return rc;
	comments = calloc(m->ncomments ? m->ncomments : 1, sizeof(*comments));
	if (!comments)
		return -ENOMEM;
	for (i = 0; i < m->ncomments; i++) {
		rc = intern(&ex->strs, m->comments[i] ? m->comments[i] : "",
			    m->comments[i] ? strlen(m->comments[i]) : 0, &id);
		if (rc)
			goto cleanup;
		comments[i] = id;
	}
	rc = -ENOMEM;
	samples = calloc(ex->nsamples + 1, sizeof(*samples));
	sample_ptrs = calloc(ex->nsamples + 1, sizeof(*sample_ptrs));
	locs = calloc(ex->nlocs + 1, sizeof(*locs));
	loc_ptrs = calloc(ex->nlocs + 1, sizeof(*loc_ptrs));
	lines = calloc(ex->nloc_frames + 1, sizeof(*lines));
	line_ptrs = calloc(ex->nloc_frames + 1, sizeof(*line_ptrs));
	funcs = calloc(ex->nfuncs + 1, sizeof(*funcs));
	func_ptrs = calloc(ex->nfuncs + 1, sizeof(*func_ptrs));
	maps = calloc(ex->nmaps + 1, sizeof(*maps));
	map_ptrs = calloc(ex->nmaps + 1, sizeof(*map_ptrs));
	strs = calloc(ex->strs.count, sizeof(*strs));
	if (!samples || !sample_ptrs || !locs || !loc_ptrs || !lines ||
	    !line_ptrs || !funcs || !func_ptrs || !maps || !map_ptrs || !strs)
		goto cleanup;

	vt.type = type;
	vt.unit = unit;
	p.n_sample_type = 1;
	p.sample_type = &vtp;
	for (i = 0; i < ex->nsamples; i++) {
		Pprof__Sample init = PPROF__SAMPLE__INIT;
		size_t end = i + 1 < ex->nsamples ? ex->sample_off[i + 1] :
			     ex->nsample_locs;

		samples[i] = init;
		samples[i].n_location_id = end - ex->sample_off[i];
		samples[i].location_id = ex->sample_locs + ex->sample_off[i];
		samples[i].n_value = 1;
		samples[i].value = &ex->sample_val[i];
		sample_ptrs[i] = &samples[i];
	}
	p.n_sample = ex->nsamples;
	p.sample = sample_ptrs;
	for (i = 0; i < ex->nmaps; i++) {
		Pprof__Mapping init = PPROF__MAPPING__INIT;

		maps[i] = init;
		maps[i].id = i + 1;
		maps[i].filename = ex->maps[i];
		if (i == 0)
			maps[i].build_id = ex->main_build_id;
		map_ptrs[i] = &maps[i];
	}
	p.n_mapping = ex->nmaps;
	p.mapping = map_ptrs;
	for (i = 0; i < ex->nlocs; i++) {
		const struct loc *l = &ex->locs[i];
		Pprof__Location init = PPROF__LOCATION__INIT;
		int addr_only = ex->frames[ex->loc_frames[l->off]].kind == FK_ADDR;

		locs[i] = init;
		locs[i].id = i + 1;
		locs[i].mapping_id = l->mapping;
		locs[i].address = l->address;
		if (!addr_only) {
			/* Lines innermost first: the run reversed. */
			locs[i].n_line = l->nframes;
			locs[i].line = line_ptrs + l->off;
			for (j = 0; j < l->nframes; j++) {
				Pprof__Line li = PPROF__LINE__INIT;
				uint32_t f = ex->loc_frames[l->off + l->nframes - 1 - j];

				li.function_id = ex->frames[f].func;
				li.line = ex->s->frames[f].line;
				lines[l->off + j] = li;
				line_ptrs[l->off + j] = &lines[l->off + j];
			}
		}
		loc_ptrs[i] = &locs[i];
	}
	p.n_location = ex->nlocs;
	p.location = loc_ptrs;
	for (i = 0; i < ex->nfuncs; i++) {
		Pprof__Function init = PPROF__FUNCTION__INIT;

		funcs[i] = init;
		funcs[i].id = i + 1;
		funcs[i].name = ex->funcs[i].name;
		funcs[i].system_name = ex->funcs[i].name;
		funcs[i].filename = ex->funcs[i].file;
		func_ptrs[i] = &funcs[i];
	}
	p.n_function = ex->nfuncs;
	p.function = func_ptrs;
	for (i = 0; i < ex->strs.count; i++) {
		struct pyro_str st = pyro_strtab_get(&ex->strs, (uint32_t)i);

		strs[i].data = (uint8_t *)st.ptr;
		strs[i].len = st.len;
	}
	p.n_string_table = ex->strs.count;
	p.string_table = strs;
	p.time_nanos = m->time_nanos;
	p.duration_nanos = m->duration_nanos;
	p.n_comment = m->ncomments;
	p.comment = comments;
	p.doc_url = doc;

	size = pprof__profile__get_packed_size(&p);
	rc = pyro_buf_grow(out, size);
	if (!rc) {
		pprof__profile__pack(&p, (uint8_t *)out->data + out->len);
		out->len += size;
		out->data[out->len] = '\0';
	}
cleanup:
	free(samples);
	free(sample_ptrs);
	free(locs);
	free(loc_ptrs);
	free(lines);
	free(line_ptrs);
	free(funcs);
	free(func_ptrs);
	free(maps);
	free(map_ptrs);
	free(strs);
	free(comments);
	return rc;
}

int pyro_export_pprof_raw(const struct pyro_stacks *s, struct pyro_buf *out)
{
	struct export ex;
	size_t start = out->len;
	int rc;

	memset(&ex, 0, sizeof(ex));
	ex.s = s;
	rc = collect(&ex);
	if (!rc)
		rc = pack(&ex, out);
	export_release(&ex);
	if (rc)
		pyro_buf_truncate(out, start);  /* as it was (render.h) */
	return rc;
}

/* gzip (RFC 1952) of in[0..len) appended to out, in one deflate call
 * into a scratch buffer of deflateBound's size, then copied: out grows by
 * the compressed size only, so its limit bounds the file exactly.  The
 * header's mtime is 0, so equal input gives equal bytes. */
static int gzip_append(const void *in, size_t len, struct pyro_buf *out)
{
	z_stream z;
	size_t bound;
	char *tmp = NULL;
	int rc;

	if (len > UINT32_MAX / 2)
		return -EFBIG;
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	bound = deflateBound(&z, (uLong)len);
	tmp = malloc(bound);
	rc = tmp ? 0 : -ENOMEM;
	if (!rc) {
		z.next_in = (Bytef *)in;
		z.avail_in = (uInt)len;
		z.next_out = (Bytef *)tmp;
		z.avail_out = (uInt)bound;
		if (deflate(&z, Z_FINISH) == Z_STREAM_END)
			rc = pyro_buf_add(out, tmp, bound - z.avail_out);
		else
			rc = -EIO;
	}
	deflateEnd(&z);
	free(tmp);
	return rc;
}

int pyro_export_pprof(const struct pyro_stacks *s, struct pyro_buf *out)
{
	struct pyro_buf raw = PYRO_BUF_INIT;
	/* The protobuf before compression is not bounded by out's limit:
	 * it is linear in the stacks, and only the file counts. */
	int rc = pyro_export_pprof_raw(s, &raw);

	if (!rc)
		rc = gzip_append(raw.data ? raw.data : "", raw.len, out);
	pyro_buf_release(&raw);
	return rc;
}
