/*
 * fmt_jfr.c - Java Flight Recorder recordings (.jfr, from the JDK or
 * async-profiler) as one profile.proto (see format.h; the file format is
 * described in jfr_parse.h).
 *
 * A recording holds many kinds of events; the ones with a stack become
 * sample types named as Pyroscope's JFR conversion names them:
 *
 *   jdk.ExecutionSample            cpu (nanoseconds: samples x period)
 *   jdk.ObjectAllocationInNewTLAB  alloc_in_new_tlab_objects, _bytes (tlabSize)
 *   jdk.ObjectAllocationOutsideTLAB alloc_outside_tlab_objects, _bytes
 *                                  (allocationSize)
 *   jdk.ObjectAllocationSample     alloc_sample_objects, _bytes (weight)
 *   jdk.JavaMonitorEnter           mutex_count, mutex_duration (nanoseconds)
 *   jdk.ThreadPark                 block_count, block_duration (nanoseconds)
 *   profiler.WallClockSample       wall (nanoseconds: samples x interval)
 *
 * Only the event types that occur get a sample type, so a first pass over
 * the chunks counts them; the second writes one sample per event (the
 * other types' values zero).  The CPU period is the recording's own
 * setting in each chunk: the jdk.ActiveSetting "period" of
 * jdk.ExecutionSample (the JDK's, with a unit), else its "interval"
 * (async-profiler's, bare nanoseconds), else 10 ms.  async-profiler's wall-clock events each
 * stand for `samples` samples taken every wall interval: the chunk's
 * jdk.ActiveSetting "interval" of profiler.WallClockSample, else a
 * positive "wall" of jdk.ExecutionSample (its 2.x option), else the
 * "interval" of jdk.ExecutionSample (`event=wall` sets only that), else
 * async-profiler's default, 50 ms; its settings are bare nanoseconds, the
 * JDK's have units, both are read.  A frame is the function
 * "package.Class.method" (the class's internal name with '/' as '.') at
 * its line; the sampled thread's Java name (else its OS name) is the label
 * thread_name.  Pool keys are per chunk, so the caches from a stack trace
 * or method to the builder's ids are per chunk too.
 */
#include "format.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jfr_parse.h"
#include "pprof_build.h"

#define CPU_PERIOD_DEFAULT 10000000     /* ns, when a recording has none */
#define WALL_INTERVAL_DEFAULT 50000000  /* ns, async-profiler's default */

enum { KIND_MAX = 7, KIND_WALL = 6 };

struct event_map {
	const char *event;
	const char *types[2];
	const char *units[2];
	const char *thread;             /* the field naming the thread */
	const char *weight;             /* bytes field, or NULL */
	int timed;                      /* second value is the duration */
};

static const struct event_map maps[KIND_MAX] = {
	{ "jdk.ExecutionSample", { "cpu", NULL }, { "nanoseconds", NULL },
	  "sampledThread", NULL, 0 },
	{ "jdk.ObjectAllocationInNewTLAB",
	  { "alloc_in_new_tlab_objects", "alloc_in_new_tlab_bytes" },
	  { "count", "bytes" }, "eventThread", "tlabSize", 0 },
	{ "jdk.ObjectAllocationOutsideTLAB",
	  { "alloc_outside_tlab_objects", "alloc_outside_tlab_bytes" },
	  { "count", "bytes" }, "eventThread", "allocationSize", 0 },
	{ "jdk.ObjectAllocationSample",
	  { "alloc_sample_objects", "alloc_sample_bytes" },
	  { "count", "bytes" }, "eventThread", "weight", 0 },
	{ "jdk.JavaMonitorEnter", { "mutex_count", "mutex_duration" },
	  { "count", "nanoseconds" }, "eventThread", NULL, 1 },
	{ "jdk.ThreadPark", { "block_count", "block_duration" },
	  { "count", "nanoseconds" }, "eventThread", NULL, 1 },
	{ "profiler.WallClockSample", { "wall", NULL }, { "nanoseconds", NULL },
	  "sampledThread", "samples", 0 },
};

/* An open-addressed map from a chunk offset to a number. */
struct offmap {
	uint64_t *keys;                 /* offset + 1; 0 is empty */
	uint64_t *vals;
	size_t cap, used;
};

static void offmap_release(struct offmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static size_t offmap_slot(const struct offmap *m, uint64_t k)
{
	size_t i = (size_t)((k * 0x9e3779b97f4a7c15u) >> 17) & (m->cap - 1);

	while (m->keys[i] && m->keys[i] != k)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static int offmap_get(const struct offmap *m, uint64_t off, uint64_t *v)
{
	size_t i;

	if (!m->cap)
		return 0;
	i = offmap_slot(m, off + 1);
	if (!m->keys[i])
		return 0;
	*v = m->vals[i];
	return 1;
}

static int offmap_put(struct offmap *m, uint64_t off, uint64_t v)
{
	size_t i;

	if ((m->used + 1) * 2 > m->cap) {
		struct offmap n = { .cap = m->cap ? m->cap * 2 : 64 };

		n.keys = calloc(n.cap, sizeof(*n.keys));
		n.vals = calloc(n.cap, sizeof(*n.vals));
		if (!n.keys || !n.vals) {
			offmap_release(&n);
			return -ENOMEM;
		}
		for (i = 0; i < m->cap; i++) {
			if (m->keys[i]) {
				size_t j = offmap_slot(&n, m->keys[i]);

				n.keys[j] = m->keys[i];
				n.vals[j] = m->vals[i];
			}
		}
		n.used = m->used;
		offmap_release(m);
		*m = n;
	}
	i = offmap_slot(m, off + 1);
	if (!m->keys[i])
		m->used++;
	m->keys[i] = off + 1;
	m->vals[i] = v;
	return 0;
}

struct conv {
	struct pyro_pbuild *b;
	size_t max_size;
	char *err;
	uint64_t count[KIND_MAX];       /* events of each kind (first pass) */
	size_t col[KIND_MAX];           /* its first value's column */
	size_t nvalues;
	int64_t period;                 /* first chunk's CPU period, 0 none */
	int64_t wall_period;            /* first chunk's wall interval */
	/* per chunk */
	const struct pyro_jfr_chunk *c;
	uint64_t ids[KIND_MAX];         /* event type ids, UINT64_MAX absent */
	int64_t chunk_period;
	int64_t chunk_wall;             /* the wall interval, 0 none set */
	int64_t chunk_exec_interval;    /* jdk.ExecutionSample "interval" */
	struct offmap stacks;           /* stack trace -> index into spans */
	struct offmap funcs;            /* method -> function id */
	struct offmap threads;          /* thread -> offset into names */
	uint64_t *locs;                 /* location ids of cached stacks */
	size_t nlocs, locs_cap;
	uint64_t *spans;                /* (start, n) pairs into locs */
	size_t nspans, spans_cap;
	struct pyro_buf names;          /* thread names, NUL-terminated */
	struct pyro_buf tmp;
};

static void conv_chunk_reset(struct conv *cv)
{
	offmap_release(&cv->stacks);
	offmap_release(&cv->funcs);
	offmap_release(&cv->threads);
	cv->nlocs = cv->nspans = 0;
	pyro_buf_truncate(&cv->names, 0);
}

/* The text of field `name` of the value of class cls at r (r unchanged),
 * appended to out; 1 if absent or null. */
static int field_text(const struct pyro_jfr_chunk *c, struct pyro_jfr_rd r,
		      const struct pyro_jfr_class *cls, const char *name,
		      struct pyro_buf *out)
{
	const struct pyro_jfr_field *f;
	const struct pyro_jfr_class *fc;
	struct pyro_jfr_rd at;
	int rc, is_null = 0;

	rc = pyro_jfr_seek(c, &r, cls, name, &f);
	if (rc == -ENOENT)
		return 1;
	if (!rc)
		rc = pyro_jfr_deref(c, &r, f, &at);
	if (rc)
		return rc;
	fc = pyro_jfr_class_by_id(&c->meta, f->type);
	rc = pyro_jfr_text(c, &at, fc, out, &is_null);
	return rc ? rc : is_null;
}

/* The function id of the method at `at` (class cls), cached by offset. */
static int method_func(struct conv *cv, struct pyro_jfr_rd at,
		       const struct pyro_jfr_class *cls, uint64_t *id)
{
	const struct pyro_jfr_chunk *c = cv->c;
	uint64_t off = (uint64_t)(at.p - c->base);
	const struct pyro_jfr_field *f;
	struct pyro_jfr_rd r = at, cat;
	size_t i, start;
	int rc;

	if (offmap_get(&cv->funcs, off, id))
		return 0;
	pyro_buf_truncate(&cv->tmp, 0);
	rc = pyro_jfr_seek(c, &r, cls, "type", &f);
	if (!rc && (rc = pyro_jfr_deref(c, &r, f, &cat)) == 0) {
		start = cv->tmp.len;
		rc = field_text(c, cat, pyro_jfr_class_by_id(&c->meta, f->type),
				"name", &cv->tmp);
		for (i = start; i < cv->tmp.len; i++)
			if (cv->tmp.data[i] == '/')
				cv->tmp.data[i] = '.';
		if (!rc)
			rc = pyro_buf_putc(&cv->tmp, '.');
		else if (rc == 1)
			rc = 0;         /* no class: the method name alone */
	} else if (rc == 1 || rc == -ENOENT) {
		rc = 0;
	}
	if (!rc)
		rc = field_text(c, at, cls, "name", &cv->tmp);
	if (rc == 1 || (!rc && !cv->tmp.len))
		rc = pyro_buf_puts(&cv->tmp, "?");
	if (!rc)
		rc = pyro_pbuild_function(cv->b, cv->tmp.data, cv->tmp.len,
					  NULL, 0, 0, id);
	return rc ? rc : offmap_put(&cv->funcs, off, *id);
}

/* One StackFrame at r (r moves past it): its location id. */
static int frame_loc(struct conv *cv, struct pyro_jfr_rd *r,
		     const struct pyro_jfr_class *cls, uint64_t *loc)
{
	const struct pyro_jfr_chunk *c = cv->c;
	uint64_t func = 0;
	int32_t line = 0;
	size_t i;
	int rc = 0;

	for (i = 0; i < cls->nfields && !rc; i++) {
		const struct pyro_jfr_field *f = &c->meta.fields[cls->field0 + i];
		const struct pyro_jfr_class *fc =
			pyro_jfr_class_by_id(&c->meta, f->type);
		struct pyro_jfr_rd at;

		if (!strcmp(f->name, "method") && !f->array &&
		    fc->kind == PYRO_JFR_STRUCT) {
			rc = pyro_jfr_deref(c, r, f, &at);
			if (rc == 0)
				rc = method_func(cv, at, fc, &func);
			else if (rc == 1)
				rc = 0;
		} else if (!strcmp(f->name, "lineNumber") && !f->array &&
			   !f->cp && fc->kind == PYRO_JFR_INT) {
			rc = pyro_jfr_int(r, &line);
		} else {
			rc = pyro_jfr_skip_field(c, r, f);
		}
	}
	if (rc)
		return rc;
	if (!func) {
		rc = pyro_pbuild_function(cv->b, "?", 1, NULL, 0, 0, &func);
		if (rc)
			return rc;
	}
	return pyro_pbuild_location(cv->b, func, line > 0 ? line : 0, 0, loc);
}

/* Resolve the stack trace at `at` into cv->locs; *span its index. */
static int stack_resolve(struct conv *cv, struct pyro_jfr_rd at,
			 const struct pyro_jfr_class *cls, uint64_t *span)
{
	const struct pyro_jfr_chunk *c = cv->c;
	uint64_t off = (uint64_t)(at.p - c->base);
	const struct pyro_jfr_field *f;
	const struct pyro_jfr_class *fc;
	size_t n, i, start = cv->nlocs;
	int rc;

	if (offmap_get(&cv->stacks, off, span))
		return 0;
	rc = pyro_jfr_seek(c, &at, cls, "frames", &f);
	if (rc == -ENOENT || (!rc && !f->array))
		return -EINVAL;
	if (!rc)
		rc = pyro_jfr_count(&at, &n);
	if (rc)
		return rc;
	fc = pyro_jfr_class_by_id(&c->meta, f->type);
	if (fc->kind != PYRO_JFR_STRUCT)
		return -EINVAL;
	if (pyro_grow_array(&cv->locs, &cv->locs_cap, cv->nlocs + n,
			    sizeof(*cv->locs)) ||
	    pyro_grow_array(&cv->spans, &cv->spans_cap, cv->nspans * 2 + 2,
			    sizeof(*cv->spans)))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct pyro_jfr_rd fr = at;
		struct pyro_jfr_field one = *f;

		one.array = 0;
		/* A frame is inline, or (never seen) a pooled key. */
		rc = pyro_jfr_deref(c, &at, &one, &fr);
		if (rc == 1)
			continue;
		if (!rc)
			rc = frame_loc(cv, &fr, fc, &cv->locs[cv->nlocs]);
		if (rc)
			return rc;
		cv->nlocs++;
	}
	cv->spans[cv->nspans * 2] = start;
	cv->spans[cv->nspans * 2 + 1] = cv->nlocs - start;
	*span = cv->nspans++;
	return offmap_put(&cv->stacks, off, *span);
}

/* The offset in cv->names of the thread at `at`'s name. */
static int thread_name(struct conv *cv, struct pyro_jfr_rd at,
		       const struct pyro_jfr_class *cls, uint64_t *name)
{
	const struct pyro_jfr_chunk *c = cv->c;
	uint64_t off = (uint64_t)(at.p - c->base);
	size_t start = cv->names.len;
	int rc;

	if (offmap_get(&cv->threads, off, name))
		return 0;
	rc = field_text(c, at, cls, "javaName", &cv->names);
	if (rc == 1 || (!rc && cv->names.len == start)) {
		pyro_buf_truncate(&cv->names, start);
		rc = field_text(c, at, cls, "osName", &cv->names);
		if (rc == 1)
			rc = 0;
	}
	if (!rc)
		rc = pyro_buf_putc(&cv->names, '\0');
	*name = start;
	return rc ? rc : offmap_put(&cv->threads, off, start);
}

/* What one event of a mapped kind says. */
struct sample {
	int64_t duration;               /* ticks */
	int64_t weight;
	int have_stack, have_thread;
	uint64_t span, thread;
};

static int read_ref(struct conv *cv, struct pyro_jfr_rd *r,
		    const struct pyro_jfr_field *f, int *have,
		    int (*resolve)(struct conv *, struct pyro_jfr_rd,
				   const struct pyro_jfr_class *, uint64_t *),
		    uint64_t *out)
{
	const struct pyro_jfr_class *fc =
		pyro_jfr_class_by_id(&cv->c->meta, f->type);
	struct pyro_jfr_rd at;
	int rc;

	if (f->array || fc->kind != PYRO_JFR_STRUCT)
		return pyro_jfr_skip_field(cv->c, r, f);
	rc = pyro_jfr_deref(cv->c, r, f, &at);
	if (rc == 1)
		return 0;
	if (!rc)
		rc = resolve(cv, at, fc, out);
	if (!rc)
		*have = 1;
	return rc;
}

static int read_long_field(const struct pyro_jfr_chunk *c,
			   struct pyro_jfr_rd *r,
			   const struct pyro_jfr_field *f, int64_t *v)
{
	const struct pyro_jfr_class *fc = pyro_jfr_class_by_id(&c->meta, f->type);

	if (f->array || f->cp || (fc->kind != PYRO_JFR_LONG &&
				  fc->kind != PYRO_JFR_INT))
		return pyro_jfr_skip_field(c, r, f);
	if (fc->kind == PYRO_JFR_INT) {
		int32_t i;
		int rc = pyro_jfr_int(r, &i);

		*v = i;
		return rc;
	}
	return pyro_jfr_long(r, v);
}

static int event_read(struct conv *cv, struct pyro_jfr_rd *r,
		      const struct pyro_jfr_class *cls,
		      const struct event_map *em, struct sample *s)
{
	const struct pyro_jfr_chunk *c = cv->c;
	size_t i;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < cls->nfields && !rc; i++) {
		const struct pyro_jfr_field *f = &c->meta.fields[cls->field0 + i];

		if (!strcmp(f->name, "stackTrace"))
			rc = read_ref(cv, r, f, &s->have_stack, stack_resolve,
				      &s->span);
		else if (!strcmp(f->name, em->thread))
			rc = read_ref(cv, r, f, &s->have_thread, thread_name,
				      &s->thread);
		else if (em->timed && !strcmp(f->name, "duration"))
			rc = read_long_field(c, r, f, &s->duration);
		else if (em->weight && !strcmp(f->name, em->weight))
			rc = read_long_field(c, r, f, &s->weight);
		else
			rc = pyro_jfr_skip_field(c, r, f);
	}
	return rc;
}

/* Ticks to nanoseconds as the JDK's reader converts them (through a
 * double), clamped where a hostile clock would leave int64_t. */
static int64_t ticks_ns(const struct pyro_jfr_chunk *c, int64_t ticks)
{
	double per_ns = (double)c->header.ticks_per_second / 1e9;
	double ns = (double)ticks / per_ns;

	if (ns >= 9.2e18)
		return INT64_MAX;
	if (ns <= -9.2e18)
		return INT64_MIN;
	return (int64_t)ns;
}

/* The chunk's wall interval, by the order in the file comment. */
static int64_t chunk_wall_interval(const struct conv *cv)
{
	if (cv->chunk_wall)
		return cv->chunk_wall;
	if (cv->chunk_exec_interval)
		return cv->chunk_exec_interval;
	return WALL_INTERVAL_DEFAULT;
}

/* samples x the wall interval, clamped where a hostile count would leave
 * int64_t. */
static int64_t wall_value(const struct conv *cv, int64_t samples)
{
	int64_t v;

	if (__builtin_mul_overflow(samples, chunk_wall_interval(cv), &v))
		return samples < 0 ? INT64_MIN : INT64_MAX;
	return v;
}

static int event_emit(struct conv *cv, int kind, const struct sample *s)
{
	static const char key[] = "thread_name";
	int64_t values[2 * KIND_MAX] = { 0 };
	struct pyro_pbuild_label label;
	const uint64_t *locs = NULL;
	size_t nlocs = 0, col = cv->col[kind];

	if (s->have_stack) {
		nlocs = (size_t)cv->spans[s->span * 2 + 1];
		/* An empty stack may have no array to point into. */
		if (nlocs)
			locs = cv->locs + cv->spans[s->span * 2];
	}
	if (kind == 0) {
		values[col] = cv->chunk_period;
	} else if (kind == KIND_WALL) {
		values[col] = wall_value(cv, s->weight);
	} else {
		values[col] = 1;
		values[col + 1] = maps[kind].timed ? ticks_ns(cv->c, s->duration)
						   : s->weight;
	}
	if (s->have_thread) {
		const char *name = cv->names.data + s->thread;

		label = (struct pyro_pbuild_label){
			.key = key, .key_len = sizeof(key) - 1,
			.str = name, .str_len = strlen(name),
		};
	}
	return pyro_pbuild_sample(cv->b, locs, nlocs, values, cv->nvalues,
				  s->have_thread ? &label : NULL,
				  s->have_thread ? 1 : 0);
}

/* "10 ms" -> 10000000; 0 if not a timespan. */
static int64_t parse_timespan(const char *s)
{
	static const struct {
		const char *unit;
		int64_t ns;
	} units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 },
		{ "s", 1000000000 }, { "m", 60000000000 },
		{ "h", 3600000000000 }, { "d", 86400000000000 },
	};
	char *end;
	long long v;
	size_t i;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || v <= 0 || v > 1000000000)
		return 0;
	while (*end == ' ')
		end++;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		if (v > INT64_MAX / units[i].ns)
			return 0;
		return (int64_t)v * units[i].ns;
	}
	return 0;
}

/* "20000000" (async-profiler's bare nanoseconds) or a timespan; 0 if
 * neither. */
static int64_t parse_interval(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (!errno && end != s && !*end)
		return v > 0 ? (int64_t)v : 0;
	return parse_timespan(s);
}

/* Where a jdk.ActiveSetting (event type id, name) goes, or NULL. */
static int64_t *setting_slot(struct conv *cv, int64_t id, const char *name)
{
	if ((uint64_t)id == cv->ids[0] && !strcmp(name, "period"))
		return &cv->chunk_period;
	if ((uint64_t)id == cv->ids[0] && !strcmp(name, "interval"))
		return &cv->chunk_exec_interval;
	if (((uint64_t)id == cv->ids[0] && !strcmp(name, "wall")) ||
	    ((uint64_t)id == cv->ids[KIND_WALL] && !strcmp(name, "interval")))
		return &cv->chunk_wall;
	return NULL;
}

/* A jdk.ActiveSetting event: the CPU period or a wall interval, if it
 * sets one (a value that does not parse, or 0, leaves it as it was). */
static int active_setting(struct conv *cv, struct pyro_jfr_rd r,
			  const struct pyro_jfr_class *cls)
{
	const struct pyro_jfr_chunk *c = cv->c;
	const struct pyro_jfr_field *f;
	struct pyro_jfr_rd at = r;
	int64_t id, ns, *slot;
	size_t name_at;
	int rc;

	if (pyro_jfr_seek(c, &at, cls, "id", &f) ||
	    read_long_field(c, &at, f, &id) || (uint64_t)id == UINT64_MAX ||
	    ((uint64_t)id != cv->ids[0] && (uint64_t)id != cv->ids[KIND_WALL]))
		return 0;
	pyro_buf_truncate(&cv->tmp, 0);
	rc = field_text(c, r, cls, "name", &cv->tmp);
	if (!rc)
		rc = pyro_buf_putc(&cv->tmp, '\0');
	if (rc)
		return rc < 0 ? rc : 0;
	slot = setting_slot(cv, id, cv->tmp.data);
	if (!slot)
		return 0;
	name_at = cv->tmp.len;
	rc = field_text(c, r, cls, "value", &cv->tmp);
	if (!rc)
		rc = pyro_buf_putc(&cv->tmp, '\0');
	if (rc)
		return rc < 0 ? rc : 0;
	ns = slot == &cv->chunk_period ? parse_timespan(cv->tmp.data + name_at)
				       : parse_interval(cv->tmp.data + name_at);
	if (ns)
		*slot = ns;
	return 0;
}

/* This chunk's ids of the event types we map. */
static void chunk_ids(struct conv *cv)
{
	const struct pyro_jfr_class *cls;
	int k;

	for (k = 0; k < KIND_MAX; k++) {
		cls = pyro_jfr_class_by_name(&cv->c->meta, maps[k].event);
		cv->ids[k] = cls ? cls->id : UINT64_MAX;
	}
}

/* This chunk's CPU period and wall interval. */
static int chunk_prepare(struct conv *cv)
{
	const struct pyro_jfr_chunk *c = cv->c;
	const struct pyro_jfr_class *as;
	size_t pos = PYRO_JFR_HEADER_SIZE;
	struct pyro_jfr_rd body;
	uint64_t type;
	int rc;

	cv->chunk_period = cv->chunk_wall = cv->chunk_exec_interval = 0;
	as = pyro_jfr_class_by_name(&c->meta, "jdk.ActiveSetting");
	rc = 0;
	if (as && (cv->ids[0] != UINT64_MAX || cv->ids[KIND_WALL] != UINT64_MAX)) {
		while ((rc = pyro_jfr_event_next(c, &pos, &type, &body)) == 1) {
			if (type != as->id)
				continue;
			rc = active_setting(cv, body, as);
			if (rc && rc != -ENOMEM) {
				snprintf(cv->err, PYRO_ERR_MAX, "jdk.ActiveSetting "
					 "event before offset %zu: %s", pos,
					 pyro_jfr_why(rc));
				return rc;
			}
		}
	}
	/* The JDK states its CPU period as "period" with a unit; async-
	 * profiler as a bare "interval" of nanoseconds: either, else 10 ms. */
	if (!cv->chunk_period)
		cv->chunk_period = cv->chunk_exec_interval ?
				   cv->chunk_exec_interval : CPU_PERIOD_DEFAULT;
	return rc;
}

static int kind_of_type(const struct conv *cv, uint64_t type)
{
	int k;

	for (k = 0; k < KIND_MAX; k++)
		if (cv->ids[k] == type)
			return k;
	return -1;
}

/* One pass over a chunk's events: count them (emit 0) or write them. */
static int chunk_events(struct conv *cv, int emit, size_t chunk_no)
{
	const struct pyro_jfr_chunk *c = cv->c;
	size_t pos = PYRO_JFR_HEADER_SIZE, at;
	struct pyro_jfr_rd body;
	uint64_t type;
	int rc, k;

	for (at = pos; (rc = pyro_jfr_event_next(c, &pos, &type, &body)) == 1;
	     at = pos) {
		const struct pyro_jfr_class *cls;
		struct sample s;

		k = kind_of_type(cv, type);
		if (k < 0)
			continue;
		if (!emit) {
			cv->count[k]++;
			continue;
		}
		cls = pyro_jfr_class_by_id(&c->meta, type);
		rc = event_read(cv, &body, cls, &maps[k], &s);
		if (!rc)
			rc = event_emit(cv, k, &s);
		if (rc && rc != -ENOMEM && rc != -EFBIG)
			snprintf(cv->err, PYRO_ERR_MAX, "chunk %zu: %s event "
				 "at offset %zu: %s", chunk_no, maps[k].event,
				 at, pyro_jfr_why(rc));
		if (rc)
			return rc;
	}
	if (rc == -EINVAL)
		snprintf(cv->err, PYRO_ERR_MAX, "chunk %zu: bad event size at "
			 "offset %zu", chunk_no, pos);
	return rc;
}

/* Every chunk of the file, in order, once (pass 0 counts, 1 writes). */
static int each_chunk(struct conv *cv, const unsigned char *data, size_t len,
		      int pass)
{
	size_t off = 0, n = 0;
	int rc = 0;

	while (off < len && !rc) {
		struct pyro_jfr_chunk c;
		size_t budget = cv->max_size;
		char why[PYRO_ERR_MAX] = "";

		n++;
		rc = pyro_jfr_chunk_open(data + off, len - off, &budget, &c, why);
		if (rc && why[0])
			snprintf(cv->err, PYRO_ERR_MAX, "chunk %zu (offset %zu): "
				 "%s", n, off, why);
		cv->c = &c;
		if (!rc)
			chunk_ids(cv);
		if (!rc && pass == 1) {
			rc = chunk_prepare(cv);
			if (!rc && !cv->period && cv->count[0])
				cv->period = cv->chunk_period;
			if (!rc && !cv->wall_period && cv->count[KIND_WALL])
				cv->wall_period = chunk_wall_interval(cv);
		}
		if (!rc)
			rc = chunk_events(cv, pass, n);
		off += (size_t)c.header.size;
		conv_chunk_reset(cv);
		pyro_jfr_chunk_release(&c);
		cv->c = NULL;
	}
	return rc;
}

int pyro_jfr_sniff(const char *head, size_t len)
{
	return len >= 4 && !memcmp(head, "FLR", 4);
}

/* The sample types of the kinds that occur; -ENODATA if none does. */
static int declare_types(struct conv *cv)
{
	int k, i, rc;

	for (k = 0; k < KIND_MAX; k++) {
		if (!cv->count[k])
			continue;
		cv->col[k] = cv->nvalues;
		for (i = 0; i < 2 && maps[k].types[i]; i++) {
			rc = pyro_pbuild_sample_type(cv->b, maps[k].types[i],
						     maps[k].units[i]);
			if (rc)
				return rc;
			cv->nvalues++;
		}
	}
	if (!cv->nvalues) {
		snprintf(cv->err, PYRO_ERR_MAX, "no events with stacks "
			 "(jdk.ExecutionSample, allocation, monitor, park or "
			 "profiler.WallClockSample events)");
		return -ENODATA;
	}
	return 0;
}

/* The span of time the chunks cover, from their headers. */
static void recording_time(struct conv *cv, const unsigned char *data,
			   size_t len)
{
	struct pyro_jfr_header h;
	int64_t start = 0, end = 0;
	size_t off = 0;
	char why[PYRO_ERR_MAX];

	/* Unsigned sums: a hostile header must not overflow int64_t. */
	while (off < len && !pyro_jfr_header_parse(data + off, len - off, &h,
						    why)) {
		int64_t e = (int64_t)((uint64_t)h.start_nanos +
				      (uint64_t)h.duration_nanos);

		if (!off || h.start_nanos < start)
			start = h.start_nanos;
		if (!off || e > end)
			end = e;
		off += (size_t)h.size;
	}
	pyro_pbuild_time(cv->b, start, (int64_t)((uint64_t)end - (uint64_t)start));
}

int pyro_jfr_to_pprof(const char *data, size_t len, size_t max_size,
			  struct pyro_buf *out, char err[PYRO_ERR_MAX])
{
	const unsigned char *d = (const unsigned char *)data;
	struct conv cv = { .max_size = max_size, .err = err };
	int rc;

	cv.names = (struct pyro_buf)PYRO_BUF_INIT;
	cv.tmp = (struct pyro_buf)PYRO_BUF_INIT;
	rc = pyro_pbuild_new(max_size, &cv.b);
	if (rc)
		return rc;
	rc = each_chunk(&cv, d, len, 0);
	if (!rc)
		rc = declare_types(&cv);
	if (!rc)
		rc = each_chunk(&cv, d, len, 1);
	/* One period per profile: the CPU one, else the wall one. */
	if (!rc && cv.count[0])
		rc = pyro_pbuild_period(cv.b, "cpu", "nanoseconds", cv.period);
	else if (!rc && cv.count[KIND_WALL])
		rc = pyro_pbuild_period(cv.b, "wall", "nanoseconds",
					cv.wall_period);
	if (!rc) {
		recording_time(&cv, d, len);
		rc = pyro_pbuild_finish(cv.b, out);
	}
	pyro_pbuild_free(cv.b);
	free(cv.locs);
	free(cv.spans);
	pyro_buf_release(&cv.names);
	pyro_buf_release(&cv.tmp);
	return rc;
}
