/*
 * fmt_perf.c - the text of `perf script` (Linux perf), read as
 * stackcollapse-perf.pl reads it; a row of pyro_formats[].
 *
 * An event is a header line, "comm pid/tid [cpu] time: period event:"
 * (the fields perf script prints by default; comm may hold spaces), then
 * its call chain, one indented line per frame from the leaf:
 * "addr sym+off (dso)", and a blank line.  Each event is one pprof sample
 * labelled comm=<command>, valued 1 for samples/count and its period for
 * the event's own type: cpu-clock and task-clock are cpu/nanoseconds,
 * cycles cpu/cycles, any other event its name/count (modifiers such as
 * ":ppp" or ":u" dropped, tracepoints kept whole).  Old perf (3.x)
 * prints no period: such an event has only samples/count, which pyrofs
 * names cpu when it is the profile's one type.  A file may hold several
 * events: a first pass over the headers finds them, so every sample has
 * one value per type.
 *
 * Frames: "+0x..." offsets are cut as stackcollapse does; a frame perf
 * could not name ("[unknown]") is named "[dso]" after its object, or
 * "[unknown]", and its location keeps the address, so profile.pb.gz
 * still tells the addresses apart.  An event without a call chain (perf
 * record without -g) has no stack and is dropped.
 */
#include "format.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pprof_build.h"

#define PERF_MAX_EVENTS 8

struct perf_line {
	const char *s;
	size_t len;
};

struct perf_header {
	struct perf_line comm;
	struct perf_line event;         /* without ':' and modifiers */
	int64_t period;                 /* 0 when perf printed none */
};

struct perf {
	struct pyro_pbuild *b;
	size_t max_size;
	struct perf_line events[PERF_MAX_EVENTS];
	int has_period[PERF_MAX_EVENTS];        /* some header printed one */
	size_t slot[PERF_MAX_EVENTS];   /* its value's index, 0: none */
	size_t nevents, ntypes;
	uint64_t *stack;
	size_t nstack, cap_stack;
	struct pyro_buf name;
	char *err;
};

/* ---- lines -------------------------------------------------------------------- */

/* The line at *pos of data[0..len), without its newline; *pos moves past. */
static int next_line(const char *data, size_t len, size_t *pos,
		     struct perf_line *l)
{
	const char *nl;

	if (*pos >= len)
		return 0;
	l->s = data + *pos;
	nl = memchr(l->s, '\n', len - *pos);
	l->len = nl ? (size_t)(nl - l->s) : len - *pos;
	*pos += l->len + (nl ? 1 : 0);
	if (l->len && l->s[l->len - 1] == '\r')
		l->len--;
	return 1;
}

static int is_blank(const struct perf_line *l)
{
	size_t i;

	for (i = 0; i < l->len; i++)
		if (!isspace((unsigned char)l->s[i]))
			return 0;
	return 1;
}

/* Whitespace-separated token of l from *i: its start and length. */
static int token(const struct perf_line *l, size_t *i, struct perf_line *t)
{
	while (*i < l->len && isspace((unsigned char)l->s[*i]))
		(*i)++;
	if (*i >= l->len)
		return 0;
	t->s = l->s + *i;
	while (*i < l->len && !isspace((unsigned char)l->s[*i]))
		(*i)++;
	t->len = (size_t)(l->s + *i - t->s);
	return 1;
}

static int all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return n > 0;
}

/* "123", "123/456": a pid or pid/tid. */
static int is_pid(const struct perf_line *t)
{
	const char *slash = memchr(t->s, '/', t->len);

	if (!slash)
		return all_digits(t->s, t->len);
	return all_digits(t->s, (size_t)(slash - t->s)) &&
		all_digits(slash + 1, t->len - (size_t)(slash - t->s) - 1);
}

/* "12345.678901:": the time stamp, which ends the fixed fields. */
static int is_time(const struct perf_line *t)
{
	const char *dot = memchr(t->s, '.', t->len);

	return t->len >= 4 && t->s[t->len - 1] == ':' && dot &&
		all_digits(t->s, (size_t)(dot - t->s)) &&
		all_digits(dot + 1, t->len - (size_t)(dot - t->s) - 2);
}

/* perf's event modifiers (perf list): a suffix of only these is one. */
static int is_modifier(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strchr("ukhIGHpPSDWe", s[i]))
			return 0;
	return n > 0;
}

/* Parse a header line; 0 if l is not one. */
static int parse_header(const struct perf_line *l, struct perf_header *h)
{
	struct perf_line t, prev = { NULL, 0 };
	size_t i = 0, comm_end = 0;
	const char *colon;
	int seen_time = 0;

	if (!l->len || isspace((unsigned char)l->s[0]))
		return 0;
	/* comm ends before the first pid token (comm may hold spaces). */
	while (token(l, &i, &t)) {
		if (t.s != l->s && is_pid(&t)) {
			comm_end = (size_t)(t.s - l->s);
			break;
		}
	}
	if (!comm_end)
		return 0;
	h->comm.s = l->s;
	h->comm.len = comm_end;
	while (h->comm.len && isspace((unsigned char)h->comm.s[h->comm.len - 1]))
		h->comm.len--;
	h->period = 0;
	while (token(l, &i, &t)) {
		if (!seen_time) {
			seen_time = is_time(&t);
			continue;
		}
		if (t.s[t.len - 1] != ':') {
			prev = t;
			continue;
		}
		/* The event: cut ':' and a modifier suffix. */
		t.len--;
		colon = memrchr(t.s, ':', t.len);
		if (colon && is_modifier(colon + 1, t.len - (size_t)(colon + 1 - t.s)))
			t.len = (size_t)(colon - t.s);
		if (!t.len)
			return 0;
		h->event = t;
		if (prev.s && all_digits(prev.s, prev.len) && prev.len < 19)
			h->period = strtoll(prev.s, NULL, 10);
		return 1;
	}
	return 0;
}

/* ---- types --------------------------------------------------------------------- */

static int event_index(struct perf *p, const struct perf_line *e)
{
	size_t i;

	for (i = 0; i < p->nevents; i++)
		if (p->events[i].len == e->len &&
		    !memcmp(p->events[i].s, e->s, e->len))
			return (int)i;
	return -1;
}

static int is_event(const struct perf_line *e, const char *name)
{
	return e->len == strlen(name) && !memcmp(e->s, name, e->len);
}

/* First pass: the events of the file, as sample types. */
static int find_events(struct perf *p, const char *data, size_t len)
{
	struct perf_line l;
	struct perf_header h;
	size_t pos = 0, i;
	char name[128];
	int rc = 0, ncpu = 0;

	while (next_line(data, len, &pos, &l)) {
		int ix;

		if (!parse_header(&l, &h))
			continue;
		ix = event_index(p, &h.event);
		if (ix < 0) {
			if (p->nevents == PERF_MAX_EVENTS) {
				snprintf(p->err, PYRO_ERR_MAX, "more than %d "
					 "events", PERF_MAX_EVENTS);
				return -EINVAL;
			}
			ix = (int)p->nevents++;
			p->events[ix] = h.event;
		}
		p->has_period[ix] |= h.period > 0;
	}
	if (!p->nevents) {
		snprintf(p->err, PYRO_ERR_MAX, "no event header line");
		return -EINVAL;
	}
	rc = pyro_pbuild_sample_type(p->b, "samples", "count");
	p->ntypes = 1;
	for (i = 0; !rc && i < p->nevents; i++) {
		const struct perf_line *e = &p->events[i];

		/* Old perf prints no period: its samples are the counts. */
		if (!p->has_period[i])
			continue;
		p->slot[i] = p->ntypes++;
		if (is_event(e, "cpu-clock") || is_event(e, "task-clock") ||
		    is_event(e, "cycles")) {
			/* Two cpu types would be one directory: the
			 * second keeps its event's name. */
			if (!ncpu++) {
				rc = pyro_pbuild_sample_type(p->b, "cpu",
					is_event(e, "cycles") ? "cycles" :
					"nanoseconds");
				continue;
			}
		}
		snprintf(name, sizeof(name), "%.*s", (int)(e->len < 100 ?
			 e->len : 100), e->s);
		rc = pyro_pbuild_sample_type(p->b, name, "count");
	}
	if (!rc && ncpu)
		rc = pyro_pbuild_default_type(p->b, "cpu");
	return rc;
}

/* ---- frames -------------------------------------------------------------------- */

/* "addr sym+off (dso)" as a location id. */
static int frame(struct perf *p, const struct perf_line *l, size_t lineno,
		 uint64_t *loc)
{
	struct perf_line t, sym, dso = { NULL, 0 };
	size_t i = 0, e;
	uint64_t addr, fid;
	const char *plus, *open;
	char *end;
	int rc;

	token(l, &i, &t);
	addr = strtoull(t.s, &end, 16);
	if (end != t.s + t.len) {
		snprintf(p->err, PYRO_ERR_MAX, "line %zu: bad frame address "
			 "\"%.*s\"", lineno, (int)(t.len < 40 ? t.len : 40), t.s);
		return -EINVAL;
	}
	while (i < l->len && isspace((unsigned char)l->s[i]))
		i++;
	sym.s = l->s + i;
	e = l->len;
	while (e > i && isspace((unsigned char)l->s[e - 1]))
		e--;
	sym.len = e - i;
	/* The dso: the last " (...)". */
	if (sym.len && sym.s[sym.len - 1] == ')' &&
	    (open = memrchr(sym.s, '(', sym.len)) && open > sym.s &&
	    open[-1] == ' ') {
		dso.s = open + 1;
		dso.len = (size_t)(sym.s + sym.len - 1 - dso.s);
		sym.len = (size_t)(open - 1 - sym.s);
	}
	plus = sym.len > 3 ? memrchr(sym.s, '+', sym.len) : NULL;
	if (plus && plus + 2 < sym.s + sym.len && plus[1] == '0' &&
	    plus[2] == 'x')
		sym.len = (size_t)(plus - sym.s);
	pyro_buf_truncate(&p->name, 0);
	if (!sym.len || (sym.len == 9 && !memcmp(sym.s, "[unknown]", 9))) {
		const char *base = dso.len ? memrchr(dso.s, '/', dso.len) : NULL;

		base = base ? base + 1 : dso.s;
		if (dso.len && !(dso.len == 9 && !memcmp(dso.s, "[unknown]", 9)))
			rc = pyro_buf_printf(&p->name, "[%.*s]",
					     (int)(dso.s + dso.len - base), base);
		else
			rc = pyro_buf_puts(&p->name, "[unknown]");
		if (!rc)
			rc = pyro_pbuild_function(p->b, p->name.data,
						  p->name.len, NULL, 0, 0, &fid);
		return rc ? rc : pyro_pbuild_location(p->b, fid, 0, addr ? addr : 1,
						      loc);
	}
	rc = pyro_pbuild_function(p->b, sym.s, sym.len, NULL, 0, 0, &fid);
	return rc ? rc : pyro_pbuild_location(p->b, fid, 0, addr, loc);
}

/* ---- events -------------------------------------------------------------------- */

static int emit(struct perf *p, const struct perf_header *h)
{
	int64_t values[PERF_MAX_EVENTS + 1] = { 1 };
	struct pyro_pbuild_label comm = {
		"comm", 4, h->comm.s, h->comm.len, 0, NULL,
	};
	size_t slot = p->slot[event_index(p, &h->event)];

	if (!p->nstack)
		return 0;
	if (slot)
		values[slot] = h->period;
	return pyro_pbuild_sample(p->b, p->stack, p->nstack, values,
				  p->ntypes, &comm, 1);
}

static int read_events(struct perf *p, const char *data, size_t len)
{
	struct perf_header h;
	struct perf_line l;
	size_t pos = 0, lineno = 0;
	int in_event = 0, rc = 0;
	uint64_t loc;

	while (!rc && next_line(data, len, &pos, &l)) {
		lineno++;
		if (is_blank(&l) || l.s[0] == '#') {
			if (in_event)
				rc = emit(p, &h);
			in_event = 0;
			continue;
		}
		if (!isspace((unsigned char)l.s[0])) {
			if (in_event)
				rc = emit(p, &h);
			if (!rc && !parse_header(&l, &h)) {
				snprintf(p->err, PYRO_ERR_MAX, "line %zu is "
					 "neither an event header nor a frame",
					 lineno);
				rc = -EINVAL;
			}
			in_event = 1;
			p->nstack = 0;
			continue;
		}
		if (!in_event) {
			snprintf(p->err, PYRO_ERR_MAX, "line %zu: a frame "
				 "outside an event", lineno);
			return -EINVAL;
		}
		if (p->nstack == p->cap_stack &&
		    (p->cap_stack + 16) * sizeof(*p->stack) > p->max_size) {
			snprintf(p->err, PYRO_ERR_MAX, "line %zu: a stack "
				 "deeper than max_profile_size allows", lineno);
			return -E2BIG;
		}
		if (pyro_grow_array(&p->stack, &p->cap_stack, p->nstack + 1,
				    sizeof(*p->stack)))
			return -ENOMEM;
		rc = frame(p, &l, lineno, &loc);
		if (!rc)
			p->stack[p->nstack++] = loc;
	}
	if (!rc && in_event)
		rc = emit(p, &h);
	return rc;
}

int pyro_perf_sniff(const char *head, size_t len)
{
	struct perf_header h;
	struct perf_line l;
	size_t pos = 0;

	while (next_line(head, len, &pos, &l)) {
		if (!l.len || l.s[0] == '#')
			continue;
		/* The first line must be whole: a cut one proves nothing. */
		return pos <= len && (pos < len || head[len - 1] == '\n') &&
			parse_header(&l, &h);
	}
	return 0;
}

int pyro_perf_to_pprof(const char *data, size_t len, size_t max_size,
		       struct pyro_buf *out, char err[PYRO_ERR_MAX])
{
	struct perf p = { 0 };
	int rc;

	p.err = err;
	p.max_size = max_size;
	err[0] = '\0';
	rc = pyro_pbuild_new(max_size, &p.b);
	if (!rc)
		rc = find_events(&p, data, len);
	if (!rc)
		rc = read_events(&p, data, len);
	if (!rc)
		rc = pyro_pbuild_finish(p.b, out);
	pyro_pbuild_free(p.b);
	free(p.stack);
	pyro_buf_release(&p.name);
	return rc;
}
