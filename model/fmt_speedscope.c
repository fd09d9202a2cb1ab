/*
 * fmt_speedscope.c - speedscope's own file format
 * (https://www.speedscope.app/file-format-schema.json), as speedscope's
 * export and py-spy --format speedscope write it; a row of pyro_formats[].
 *
 * A file holds shared.frames and several profiles, "sampled" (samples of
 * frame indexes, root first, with weights) or "evented" (open/close events
 * at times).  They become one pprof profile whose samples carry the
 * profile's name as the label `profile`, so labels/profile/<name>/ shows
 * each alone and the type directory their sum.  The unit picks the sample
 * type: a time unit is cpu/nanoseconds (converted), "bytes" space/bytes,
 * "none" samples/count; every profile of a file must agree.
 *
 * An evented profile is aggregated per distinct stack (the time between
 * two events goes to the stack open between them); a sampled one is
 * written sample by sample, as the file has them.  "shared" may come
 * before or after "profiles": the profiles are read in a second pass.
 */
#include "format.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "pprof_build.h"

#define SCHEMA "https://www.speedscope.app/file-format-schema.json"

enum ss_kind { SS_NONE, SS_TIME, SS_BYTES, SS_COUNT };

struct ss {
	struct pyro_pbuild *b;
	size_t max_size;
	uint64_t *locs;         /* per shared frame: location id */
	size_t nframes, cap_frames;
	enum ss_kind kind;      /* of the first profile */
	struct pyro_buf name, file, s;  /* scratch strings */
	struct pyro_buf pname;          /* the current profile's name */
	uint64_t *stack;        /* leaf-first location ids, per sample */
	size_t cap_stack;
	uint32_t *open;         /* evented: the open frames, root first */
	size_t nopen, cap_open;
	char *err;
};

static int ss_fail(struct ss *v, const struct pyro_json *j, int rc)
{
	if (rc == -EINVAL && j->why && !v->err[0])
		snprintf(v->err, PYRO_ERR_MAX, "at byte %zu: %s",
			 pyro_json_offset(j), j->why);
	return rc;
}

/* The bytes our arrays take count against max_profile_size. */
static int ss_budget(struct ss *v, size_t more)
{
	size_t used = v->cap_frames * sizeof(*v->locs) +
		      v->cap_stack * sizeof(*v->stack) +
		      v->cap_open * sizeof(*v->open);

	return pyro_pbuild_budget(used, more, v->max_size, v->err);
}

/* ---- frames ------------------------------------------------------------------ */

static int frame(struct ss *v, struct pyro_json *j)
{
	int64_t line = 0;
	size_t m = 0, klen;
	const char *key;
	uint64_t fid, loc;
	int rc;

	pyro_buf_truncate(&v->name, 0);
	pyro_buf_truncate(&v->file, 0);
	rc = pyro_json_enter(j, '{');
	while (!rc && (rc = pyro_json_member(j, &m, &key, &klen)) > 0) {
		if (pyro_json_key_is(key, klen, "name"))
			rc = pyro_json_string(j, &v->name);
		else if (pyro_json_key_is(key, klen, "file"))
			rc = pyro_json_string(j, &v->file);
		else if (pyro_json_key_is(key, klen, "line"))
			rc = pyro_json_int(j, &line);
		else
			rc = pyro_json_skip(j);
	}
	if (rc < 0)
		return rc;
	if (line < 0 || line > INT32_MAX)
		line = 0;
	if (v->nframes == v->cap_frames &&
	    ss_budget(v, (v->cap_frames + 16) * sizeof(*v->locs)))
		return -E2BIG;
	if (pyro_grow_array(&v->locs, &v->cap_frames, v->nframes + 1,
			    sizeof(*v->locs)))
		return -ENOMEM;
	rc = pyro_pbuild_function(v->b, v->name.data, v->name.len,
				  v->file.data, v->file.len, line, &fid);
	if (!rc)
		rc = pyro_pbuild_location(v->b, fid, line, 0, &loc);
	if (!rc)
		v->locs[v->nframes++] = loc;
	return rc;
}

static int shared(struct ss *v, struct pyro_json *j)
{
	size_t m = 0, k, klen;
	const char *key;
	int rc = pyro_json_enter(j, '{');

	while (!rc && (rc = pyro_json_member(j, &m, &key, &klen)) > 0) {
		if (!pyro_json_key_is(key, klen, "frames")) {
			rc = pyro_json_skip(j);
			continue;
		}
		k = 0;
		rc = pyro_json_enter(j, '[');
		while (!rc && (rc = pyro_json_item(j, &k)) > 0)
			rc = frame(v, j);
	}
	return rc < 0 ? rc : 0;
}

/* ---- units ------------------------------------------------------------------- */

/* The kind of a unit, and its factor to nanoseconds for times. */
static enum ss_kind unit_kind(const struct pyro_buf *u, double *factor)
{
	static const struct { const char *name; double ns; } times[] = {
		{ "nanoseconds", 1 }, { "microseconds", 1e3 },
		{ "milliseconds", 1e6 }, { "seconds", 1e9 },
	};
	const char *s = u->data ? u->data : "";
	size_t i;

	*factor = 1;
	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++)
		if (!strcmp(s, times[i].name)) {
			*factor = times[i].ns;
			return SS_TIME;
		}
	if (!strcmp(s, "bytes"))
		return SS_BYTES;
	if (!strcmp(s, "none") || !*s)
		return SS_COUNT;
	return SS_NONE;
}

static int set_kind(struct ss *v, enum ss_kind k)
{
	static const char *const type[] = { NULL, "cpu", "space", "samples" };
	static const char *const unit[] = { NULL, "nanoseconds", "bytes", "count" };
	int rc;

	if (v->kind)
		return v->kind == k ? 0 : -EINVAL;
	v->kind = k;
	rc = pyro_pbuild_sample_type(v->b, type[k], unit[k]);
	return rc ? rc : pyro_pbuild_default_type(v->b, type[k]);
}

/* A weight in the profile's unit as the sample value. */
static int64_t value_of(double w, double factor)
{
	double x = w * factor;

	if (!(x > -9.2e18 && x < 9.2e18))
		return x < 0 ? INT64_MIN + 1 : INT64_MAX;
	return (int64_t)llround(x);
}

/* ---- samples ---------------------------------------------------------------- */

static int emit(struct ss *v, size_t n, int64_t value)
{
	struct pyro_pbuild_label l = {
		"profile", 7, v->pname.data ? v->pname.data : "", v->pname.len,
		0, NULL,
	};

	if (!n)
		return 0;       /* an empty stack: nothing to draw */
	return pyro_pbuild_sample(v->b, v->stack, n, &value, 1, &l,
				  v->pname.len ? 1 : 0);
}

static int frame_loc(struct ss *v, int64_t ix, uint64_t *loc)
{
	if (ix < 0 || (uint64_t)ix >= v->nframes) {
		snprintf(v->err, PYRO_ERR_MAX, "frame %lld is not in "
			 "shared.frames (%zu frames)", (long long)ix, v->nframes);
		return -EINVAL;
	}
	*loc = v->locs[ix];
	return 0;
}

static int stack_room(struct ss *v, size_t n)
{
	if (n < v->cap_stack)
		return 0;
	if (ss_budget(v, (v->cap_stack + 16) * sizeof(*v->stack)))
		return -E2BIG;
	return pyro_grow_array(&v->stack, &v->cap_stack, n + 1,
			       sizeof(*v->stack)) ? -ENOMEM : 0;
}

/* One sample of a sampled profile: its frames (root first) into
 * v->stack, leaf first. */
static int sample_stack(struct ss *v, struct pyro_json *j, size_t *n)
{
	size_t m = 0, a, b;
	int64_t ix;
	uint64_t t;
	int rc = pyro_json_enter(j, '[');

	*n = 0;
	while (!rc && (rc = pyro_json_item(j, &m)) > 0) {
		rc = pyro_json_int(j, &ix);
		if (!rc)
			rc = stack_room(v, *n);
		if (!rc)
			rc = frame_loc(v, ix, &v->stack[*n]);
		if (!rc)
			(*n)++;
	}
	if (rc < 0)
		return rc;
	for (a = 0, b = *n; b > a + 1; a++, b--) {
		t = v->stack[a];
		v->stack[a] = v->stack[b - 1];
		v->stack[b - 1] = t;
	}
	return 0;
}

/* samples[] and weights[] walked in step (js, jw at their arrays). */
static int sampled(struct ss *v, struct pyro_json *js, struct pyro_json *jw,
		   double factor)
{
	size_t ms = 0, mw = 0, n, i;
	int rc, rw;
	double w;

	rc = pyro_json_enter(js, '[');
	if (!rc && jw)
		rc = pyro_json_enter(jw, '[');
	for (i = 0; !rc && (rc = pyro_json_item(js, &ms)) > 0; i++) {
		rc = sample_stack(v, js, &n);
		if (rc)
			return ss_fail(v, js, rc);
		w = 1;
		if (jw) {
			rw = pyro_json_item(jw, &mw);
			if (rw == 0) {
				snprintf(v->err, PYRO_ERR_MAX, "weights is "
					 "shorter than samples");
				return -EINVAL;
			}
			rc = rw < 0 ? rw : pyro_json_double(jw, &w);
			if (rc)
				return ss_fail(v, jw, rc);
		}
		rc = emit(v, n, value_of(w, factor));
	}
	return rc < 0 ? ss_fail(v, js, rc) : 0;
}

/* ---- events ------------------------------------------------------------------ */

/* The open stack as v->stack, leaf first. */
static int open_stack(struct ss *v, size_t *n)
{
	size_t i;
	int rc = stack_room(v, v->nopen);

	for (i = 0; !rc && i < v->nopen; i++)
		v->stack[i] = v->locs[v->open[v->nopen - 1 - i]];
	*n = v->nopen;
	return rc;
}

static int event(struct ss *v, struct pyro_json *j, char *type, int64_t *fr,
		 double *at)
{
	size_t m = 0, klen;
	const char *key;
	int rc = pyro_json_enter(j, '{'), seen = 0;

	*type = 0;
	while (!rc && (rc = pyro_json_member(j, &m, &key, &klen)) > 0) {
		if (pyro_json_key_is(key, klen, "type")) {
			rc = pyro_json_string(j, &v->s);
			if (!rc && v->s.len == 1)
				*type = v->s.data[0];
		} else if (pyro_json_key_is(key, klen, "frame")) {
			rc = pyro_json_int(j, fr);
			seen |= 1;
		} else if (pyro_json_key_is(key, klen, "at")) {
			rc = pyro_json_double(j, at);
			seen |= 2;
		} else {
			rc = pyro_json_skip(j);
		}
	}
	if (rc < 0)
		return rc;
	if ((*type != 'O' && *type != 'C') || seen != 3) {
		snprintf(v->err, PYRO_ERR_MAX, "an event needs type O or C, "
			 "frame and at");
		return -EINVAL;
	}
	return 0;
}

/* d more to the open stack's sum. */
static int add_time(struct ss *v, struct pyro_pbuild_stacks *sums, double d)
{
	void *slot;
	int rc = pyro_pbuild_stacks_add(sums, v->open, v->nopen, v->max_size,
					&slot);

	if (rc == -E2BIG)
		return ss_budget(v, SIZE_MAX / 2);
	if (rc)
		return rc;
	*(double *)slot += d;
	return 0;
}

/* Events: the time between two goes to the stack open between them,
 * summed per distinct stack; a close must match the innermost open. */
static int evented(struct ss *v, struct pyro_json *j, double factor)
{
	struct pyro_pbuild_stacks sums;
	double at, last = 0;
	size_t m = 0, n;
	uint64_t loc;
	uint32_t id;
	int64_t fr;
	char type;
	void *sum;
	int rc;

	v->nopen = 0;
	rc = pyro_pbuild_stacks_init(&sums, sizeof(double));
	if (!rc)
		rc = pyro_json_enter(j, '[');
	while (!rc && (rc = pyro_json_item(j, &m)) > 0) {
		rc = event(v, j, &type, &fr, &at);
		if (!rc)
			rc = frame_loc(v, fr, &loc);
		if (rc)
			break;
		if (m > 1 && at < last) {
			snprintf(v->err, PYRO_ERR_MAX, "event %zu goes back in "
				 "time", m - 1);
			rc = -EINVAL;
			break;
		}
		if (v->nopen && at > last)
			rc = add_time(v, &sums, at - last);
		if (rc)
			break;
		last = at;
		if (type == 'O') {
			if (v->nopen == v->cap_open &&
			    (rc = ss_budget(v, (v->cap_open + 16) * 4)))
				break;
			if (pyro_grow_array(&v->open, &v->cap_open,
					    v->nopen + 1, sizeof(*v->open))) {
				rc = -ENOMEM;
				break;
			}
			v->open[v->nopen++] = (uint32_t)fr;
		} else if (!v->nopen || v->open[v->nopen - 1] != (uint32_t)fr) {
			snprintf(v->err, PYRO_ERR_MAX, "event %zu closes frame "
				 "%lld, which is not the innermost open frame",
				 m - 1, (long long)fr);
			rc = -EINVAL;
		} else {
			v->nopen--;
		}
	}
	if (rc < 0) {
		rc = ss_fail(v, j, rc);
		goto out;
	}
	for (id = 1; !rc && id < pyro_pbuild_stacks_count(&sums); id++) {
		/* A stack of sums was open: it fits v->open. */
		v->nopen = pyro_pbuild_stacks_get(&sums, id, v->open, &sum);
		rc = open_stack(v, &n);
		if (!rc)
			rc = emit(v, n, value_of(*(double *)sum, factor));
	}
out:
	v->nopen = 0;
	pyro_pbuild_stacks_release(&sums);
	return rc;
}

/* ---- profiles ---------------------------------------------------------------- */

/* One element of profiles[]: its members first (their order is free),
 * then its samples or events through cursors kept on them. */
static int profile(struct ss *v, struct pyro_json *j, size_t index)
{
	struct pyro_json js, jw, je;
	int have_s = 0, have_w = 0, have_e = 0, rc;
	size_t m = 0, klen;
	const char *key;
	enum ss_kind kind;
	double factor;

	pyro_buf_truncate(&v->pname, 0);
	pyro_buf_truncate(&v->s, 0);
	rc = pyro_json_enter(j, '{');
	while (!rc && (rc = pyro_json_member(j, &m, &key, &klen)) > 0) {
		if (pyro_json_key_is(key, klen, "name")) {
			rc = pyro_json_string(j, &v->pname);
		} else if (pyro_json_key_is(key, klen, "unit")) {
			rc = pyro_json_string(j, &v->s);
		} else if (pyro_json_key_is(key, klen, "samples")) {
			js = *j;
			have_s = 1;
			rc = pyro_json_skip(j);
		} else if (pyro_json_key_is(key, klen, "weights")) {
			jw = *j;
			have_w = 1;
			rc = pyro_json_skip(j);
		} else if (pyro_json_key_is(key, klen, "events")) {
			je = *j;
			have_e = 1;
			rc = pyro_json_skip(j);
		} else {
			rc = pyro_json_skip(j);
		}
	}
	if (rc < 0)
		return ss_fail(v, j, rc);
	kind = unit_kind(&v->s, &factor);
	if (!kind || set_kind(v, kind)) {
		snprintf(v->err, PYRO_ERR_MAX, "profile %zu: unit \"%.40s\" %s",
			 index, v->s.data ? v->s.data : "",
			 kind ? "differs from the first profile's" : "is unknown");
		return -EINVAL;
	}
	if (have_s == have_e) {
		snprintf(v->err, PYRO_ERR_MAX, "profile %zu has %s", index,
			 have_s ? "both samples and events" :
			 "neither samples nor events");
		return -EINVAL;
	}
	return have_s ? sampled(v, &js, have_w ? &jw : NULL, factor) :
		evented(v, &je, factor);
}

static int read_file(struct ss *v, const char *data, size_t len)
{
	struct pyro_json j, jp;
	int have_p = 0, rc;
	size_t m = 0, k = 0, klen;
	const char *key;

	pyro_json_init(&j, data, len);
	rc = pyro_json_enter(&j, '{');
	while (!rc && (rc = pyro_json_member(&j, &m, &key, &klen)) > 0) {
		if (pyro_json_key_is(key, klen, "shared")) {
			rc = shared(v, &j);
		} else if (pyro_json_key_is(key, klen, "profiles")) {
			jp = j;
			have_p = 1;
			rc = pyro_json_skip(&j);
		} else {
			rc = pyro_json_skip(&j);
		}
	}
	if (rc < 0)
		return ss_fail(v, &j, rc);
	if (!have_p) {
		snprintf(v->err, PYRO_ERR_MAX, "no profiles array");
		return -EINVAL;
	}
	rc = pyro_json_enter(&jp, '[');
	while (!rc && (rc = pyro_json_item(&jp, &k)) > 0)
		rc = profile(v, &jp, k - 1);
	if (rc < 0)
		return ss_fail(v, &jp, rc);
	/* A file of no profile still has a type. */
	return v->kind ? 0 : set_kind(v, SS_COUNT);
}

int pyro_speedscope_sniff(const char *head, size_t len)
{
	size_t i = 0;

	while (i < len && (head[i] == ' ' || head[i] == '\n' ||
			   head[i] == '\r' || head[i] == '\t'))
		i++;
	return i < len && head[i] == '{' &&
		memmem(head, len, SCHEMA, sizeof(SCHEMA) - 1) != NULL;
}

int pyro_speedscope_to_pprof(const char *data, size_t len, size_t max_size,
			     struct pyro_buf *out, char err[PYRO_ERR_MAX])
{
	struct ss v = { 0 };
	int rc;

	v.err = err;
	v.max_size = max_size;
	err[0] = '\0';
	rc = pyro_pbuild_new(max_size, &v.b);
	if (!rc)
		rc = read_file(&v, data, len);
	if (!rc)
		rc = pyro_pbuild_finish(v.b, out);
	pyro_pbuild_free(v.b);
	free(v.locs);
	free(v.stack);
	free(v.open);
	pyro_buf_release(&v.name);
	pyro_buf_release(&v.file);
	pyro_buf_release(&v.s);
	pyro_buf_release(&v.pname);
	return rc;
}
