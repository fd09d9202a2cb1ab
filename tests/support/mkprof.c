/*
 * mkprof.c - write pprof profiles for tests; see mkprof.h.
 *
 * The profile is kept as a live Pprof__Profile whose repeated fields are
 * grown one element at a time, so packing is a single protobuf-c call and a
 * test may corrupt the message in place.  The builder keeps its own element
 * counts for freeing.  Lookups are linear: test profiles are tiny.
 */
#include "mkprof.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

struct mkprof {
	Pprof__Profile msg;             /* the profile; arrays owned here */
	Pprof__ValueType period;        /* msg.period_type points here if set */
	size_t ntypes;                  /* elements allocated per array, */
	size_t nsamples;                /* whatever msg.n_* say after a */
	size_t nmappings;               /* test changed them */
	size_t nlocations;
	size_t nfunctions;
	size_t nstrings;
	size_t ncomments;
	char **loc_keys;                /* per location: its frame text */
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						     noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("mkprof: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

static void *xcalloc(size_t size)
{
	void *p = calloc(1, size);

	if (!p)
		die("out of memory");
	return p;
}

/* Append elem to the array arr of *count elements; keep the message count
 * msg_count in step. */
#define PUSH(arr, count, msg_count, elem)                                  \
	do {                                                               \
		(arr) = xrealloc((arr), ((count) + 1) * sizeof(*(arr)));   \
		(arr)[(count)++] = (elem);                                 \
		(msg_count) = (count);                                     \
	} while (0)

/* Index of the string s[0..len) in the string table, added if new. */
static int64_t intern_n(struct mkprof *p, const char *s, size_t len)
{
	ProtobufCBinaryData d;
	size_t i;

	for (i = 0; i < p->nstrings; i++)
		if (p->msg.string_table[i].len == len &&
		    (len == 0 || !memcmp(p->msg.string_table[i].data, s, len)))
			return (int64_t)i;
	d.len = len;
	d.data = xrealloc(NULL, len);
	if (len)
		memcpy(d.data, s, len);
	PUSH(p->msg.string_table, p->nstrings, p->msg.n_string_table, d);
	return (int64_t)i;
}

static int64_t intern(struct mkprof *p, const char *s)
{
	return intern_n(p, s, strlen(s));
}

struct mkprof *mkprof_new(void)
{
	struct mkprof *p = xcalloc(sizeof(*p));
	Pprof__Profile init = PPROF__PROFILE__INIT;
	Pprof__ValueType vt = PPROF__VALUE_TYPE__INIT;

	p->msg = init;
	p->period = vt;
	intern(p, "");
	return p;
}

void mkprof_free(struct mkprof *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->ntypes; i++)
		free(p->msg.sample_type[i]);
	free(p->msg.sample_type);
	for (i = 0; i < p->nsamples; i++) {
		Pprof__Sample *s = p->msg.sample[i];
		size_t j;

		/* NULL-terminated, whatever n_label says now. */
		for (j = 0; s->label && s->label[j]; j++)
			free(s->label[j]);
		free(s->label);
		free(s->location_id);
		free(s->value);
		free(s);
	}
	free(p->msg.sample);
	for (i = 0; i < p->nmappings; i++)
		free(p->msg.mapping[i]);
	free(p->msg.mapping);
	for (i = 0; i < p->nlocations; i++) {
		Pprof__Location *l = p->msg.location[i];
		size_t j;

		/* NULL-terminated, whatever n_line says now. */
		for (j = 0; l->line && l->line[j]; j++)
			free(l->line[j]);
		free(l->line);
		free(l);
		free(p->loc_keys[i]);
	}
	free(p->msg.location);
	free(p->loc_keys);
	for (i = 0; i < p->nfunctions; i++)
		free(p->msg.function[i]);
	free(p->msg.function);
	for (i = 0; i < p->nstrings; i++)
		free(p->msg.string_table[i].data);
	free(p->msg.string_table);
	free(p->msg.comment);
	free(p);
}

void mkprof_sample_type(struct mkprof *p, const char *type, const char *unit)
{
	Pprof__ValueType *vt = xcalloc(sizeof(*vt));

	pprof__value_type__init(vt);
	vt->type = intern(p, type);
	vt->unit = intern(p, unit);
	PUSH(p->msg.sample_type, p->ntypes, p->msg.n_sample_type, vt);
}

void mkprof_period_type(struct mkprof *p, const char *type, const char *unit,
			int64_t period)
{
	p->period.type = intern(p, type);
	p->period.unit = intern(p, unit);
	p->msg.period_type = &p->period;
	p->msg.period = period;
}

void mkprof_time(struct mkprof *p, int64_t nanos)
{
	p->msg.time_nanos = nanos;
}

void mkprof_duration(struct mkprof *p, int64_t nanos)
{
	p->msg.duration_nanos = nanos;
}

void mkprof_drop_frames(struct mkprof *p, const char *regex)
{
	p->msg.drop_frames = intern(p, regex);
}

void mkprof_keep_frames(struct mkprof *p, const char *regex)
{
	p->msg.keep_frames = intern(p, regex);
}

void mkprof_default_type(struct mkprof *p, const char *type)
{
	p->msg.default_sample_type = intern(p, type);
}

void mkprof_comment(struct mkprof *p, const char *text)
{
	int64_t s = intern(p, text);

	PUSH(p->msg.comment, p->ncomments, p->msg.n_comment, s);
}

uint64_t mkprof_mapping(struct mkprof *p, const char *file)
{
	Pprof__Mapping *m = xcalloc(sizeof(*m));

	pprof__mapping__init(m);
	m->id = p->nmappings + 1;
	m->memory_start = 0x400000 * m->id;
	m->memory_limit = m->memory_start + 0x400000;
	m->filename = intern(p, file);
	m->has_functions = 1;
	PUSH(p->msg.mapping, p->nmappings, p->msg.n_mapping, m);
	return m->id;
}

/* The id of the function called name[0..len), created if new. */
static uint64_t function_id(struct mkprof *p, const char *name, size_t len)
{
	int64_t s = intern_n(p, name, len);
	Pprof__Function *f;
	size_t i;

	for (i = 0; i < p->nfunctions; i++)
		if (p->msg.function[i]->name == s)
			return p->msg.function[i]->id;
	f = xcalloc(sizeof(*f));
	pprof__function__init(f);
	f->id = p->nfunctions + 1;
	f->name = s;
	f->system_name = s;
	PUSH(p->msg.function, p->nfunctions, p->msg.n_function, f);
	return f->id;
}

/* The id of the location of frame text tok[0..len), created if new. */
static uint64_t location_id(struct mkprof *p, const char *tok, size_t len)
{
	Pprof__Location *l;
	const char *part, *end = tok + len;
	size_t i, nparts = 1;
	char *key;

	for (i = 0; i < p->nlocations; i++)
		if (strlen(p->loc_keys[i]) == len && !memcmp(p->loc_keys[i], tok, len))
			return p->msg.location[i]->id;
	if (len == 0)
		die("empty frame in a stack");
	key = xrealloc(NULL, len + 1);
	memcpy(key, tok, len);
	key[len] = '\0';
	l = xcalloc(sizeof(*l));
	pprof__location__init(l);
	l->id = p->nlocations + 1;
	l->mapping_id = p->nmappings ? 1 : 0;
	if (tok[0] == '@') {
		char *num_end;

		l->address = strtoull(key + 1, &num_end, 0);
		if (num_end == key + 1 || *num_end)
			die("bad address frame \"%s\"", key);
	} else {
		for (i = 0; i < len; i++)
			nparts += tok[i] == '+';
		l->line = xrealloc(NULL, (nparts + 1) * sizeof(*l->line));
		l->line[nparts] = NULL;
		l->n_line = nparts;
		/* Parts are outermost first; line[0] is the innermost. */
		for (part = tok, i = nparts; i-- > 0;) {
			const char *plus = memchr(part, '+', (size_t)(end - part));
			const char *pend = plus ? plus : end;
			Pprof__Line *ln = xcalloc(sizeof(*ln));

			if (pend == part)
				die("empty function name in frame \"%s\"", key);
			pprof__line__init(ln);
			ln->function_id = function_id(p, part, (size_t)(pend - part));
			l->line[i] = ln;
			part = pend + 1;
		}
	}
	p->loc_keys = xrealloc(p->loc_keys,
			       (p->nlocations + 1) * sizeof(*p->loc_keys));
	p->loc_keys[p->nlocations] = key;
	PUSH(p->msg.location, p->nlocations, p->msg.n_location, l);
	return l->id;
}

void mkprof_sample(struct mkprof *p, const int64_t *values, const char *stack)
{
	Pprof__Sample *s = xcalloc(sizeof(*s));
	const char *tok = stack, *end = stack + strlen(stack);
	size_t i, nvalues;

	pprof__sample__init(s);
	nvalues = p->ntypes ? p->ntypes : p->msg.period_type ? 1 : 0;
	s->value = xrealloc(NULL, nvalues * sizeof(*s->value));
	if (nvalues)
		memcpy(s->value, values, nvalues * sizeof(*s->value));
	s->n_value = nvalues;
	while (*stack && tok <= end) {
		const char *semi = memchr(tok, ';', (size_t)(end - tok));
		const char *tend = semi ? semi : end;
		uint64_t id = location_id(p, tok, (size_t)(tend - tok));

		s->location_id = xrealloc(s->location_id,
					  (s->n_location_id + 1) * sizeof(uint64_t));
		s->location_id[s->n_location_id++] = id;
		tok = tend + 1;
	}
	/* Written root first; pprof stores the leaf first. */
	for (i = 0; i < s->n_location_id / 2; i++) {
		uint64_t t = s->location_id[i];

		s->location_id[i] = s->location_id[s->n_location_id - 1 - i];
		s->location_id[s->n_location_id - 1 - i] = t;
	}
	PUSH(p->msg.sample, p->nsamples, p->msg.n_sample, s);
}

static void add_label(struct mkprof *p, Pprof__Label *l)
{
	Pprof__Sample *s;

	if (!p->nsamples)
		die("a label needs a sample");
	s = p->msg.sample[p->nsamples - 1];
	s->label = xrealloc(s->label, (s->n_label + 2) * sizeof(*s->label));
	s->label[s->n_label++] = l;
	s->label[s->n_label] = NULL;
}

void mkprof_label(struct mkprof *p, const char *key, const char *value)
{
	Pprof__Label *l = xcalloc(sizeof(*l));

	pprof__label__init(l);
	l->key = intern(p, key);
	l->str = intern(p, value);
	add_label(p, l);
}

void mkprof_num_label(struct mkprof *p, const char *key, int64_t num,
		      const char *unit)
{
	Pprof__Label *l = xcalloc(sizeof(*l));

	pprof__label__init(l);
	l->key = intern(p, key);
	l->num = num;
	l->num_unit = unit ? intern(p, unit) : 0;
	add_label(p, l);
}

/* ---- Go runtime/pprof headers ----------------------------------------- */

struct mkprof *mkprof_go_cpu(int64_t nanos)
{
	struct mkprof *p = mkprof_new();

	mkprof_sample_type(p, "samples", "count");
	mkprof_sample_type(p, "cpu", "nanoseconds");
	mkprof_period_type(p, "cpu", "nanoseconds", 10000000);
	mkprof_time(p, nanos);
	return p;
}

struct mkprof *mkprof_go_heap(int64_t nanos)
{
	struct mkprof *p = mkprof_new();

	mkprof_sample_type(p, "alloc_objects", "count");
	mkprof_sample_type(p, "alloc_space", "bytes");
	mkprof_sample_type(p, "inuse_objects", "count");
	mkprof_sample_type(p, "inuse_space", "bytes");
	mkprof_period_type(p, "space", "bytes", 524288);
	mkprof_time(p, nanos);
	return p;
}

struct mkprof *mkprof_go_mutex(int64_t nanos)
{
	struct mkprof *p = mkprof_new();

	mkprof_sample_type(p, "contentions", "count");
	mkprof_sample_type(p, "delay", "nanoseconds");
	mkprof_period_type(p, "contentions", "count", 1);
	mkprof_time(p, nanos);
	return p;
}

Pprof__Profile *mkprof_message(struct mkprof *p)
{
	return &p->msg;
}

int mkprof_pack(struct mkprof *p, struct pyro_buf *out)
{
	size_t n = pprof__profile__get_packed_size(&p->msg);
	int rc = pyro_buf_grow(out, n);

	if (rc)
		return rc;
	out->len += pprof__profile__pack(&p->msg, (uint8_t *)out->data + out->len);
	out->data[out->len] = '\0';
	return 0;
}

int mkprof_gzip(const void *data, size_t len, struct pyro_buf *out)
{
	z_stream zs;
	int zrc, rc = 0;

	memset(&zs, 0, sizeof(zs));
	/* 16 + MAX_WBITS: a gzip wrapper, with mtime 0 in its header. */
	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS,
			 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)len;
	do {
		size_t room = deflateBound(&zs, (uLong)len) + 64;

		if (pyro_buf_grow(out, room)) {
			rc = -ENOMEM;
			break;
		}
		zs.next_out = (Bytef *)out->data + out->len;
		zs.avail_out = (uInt)(out->cap - out->len - 1);
		zrc = deflate(&zs, Z_FINISH);
		out->len = (size_t)((char *)zs.next_out - out->data);
		out->data[out->len] = '\0';
		if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR)
			rc = -EIO;
	} while (!rc && zrc != Z_STREAM_END);
	deflateEnd(&zs);
	return rc;
}

void mkprof_join(char out[MKPROF_PATH_MAX], const char *dir, const char *rel)
{
	int n = snprintf(out, MKPROF_PATH_MAX, "%s/%s", dir, rel);

	if (n < 0 || n >= MKPROF_PATH_MAX)
		die("path too long: %s/%s", dir, rel);
}

int mkprof_mkdirs(const char *path)
{
	char dir[MKPROF_PATH_MAX];
	size_t i, n = strlen(path);

	if (n >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (dir[i] != '/' && dir[i] != '\0')
			continue;
		dir[i] = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return -errno;
		dir[i] = i < n ? '/' : '\0';
	}
	return 0;
}

/* mkdir -p of the directory part of path. */
static int make_parents(const char *path)
{
	char dir[MKPROF_PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	if (n == 0)
		return 0;
	if (n >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return mkprof_mkdirs(dir);
}

int mkprof_write_file(const char *path, const void *data, size_t len)
{
	const char *p = data;
	int fd, rc;

	rc = make_parents(path);
	if (rc)
		return rc;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (close(fd) != 0 && !rc)
		rc = -errno;
	return rc;
}

int mkprof_write(struct mkprof *p, const char *path, int gzip)
{
	struct pyro_buf raw = PYRO_BUF_INIT, gz = PYRO_BUF_INIT;
	int rc;

	rc = mkprof_pack(p, &raw);
	if (!rc && gzip)
		rc = mkprof_gzip(raw.data, raw.len, &gz);
	if (!rc)
		rc = gzip ? mkprof_write_file(path, gz.data, gz.len) :
			    mkprof_write_file(path, raw.data, raw.len);
	pyro_buf_release(&gz);
	pyro_buf_release(&raw);
	return rc;
}

int mkprof_tmpdir(char dir[MKPROF_PATH_MAX])
{
	snprintf(dir, MKPROF_PATH_MAX, "/tmp/pyrofs-test-XXXXXX");
	return mkdtemp(dir) ? 0 : -errno;
}

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) ? -errno : 0;
}

int mkprof_rmtree(const char *path)
{
	int rc = nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);

	return rc < 0 ? -errno : rc;
}

/* ---- stacks as text --------------------------------------------------- */

struct text_line {
	char *data;
	size_t len;
};

static int cmp_text_lines(const void *a, const void *b)
{
	const struct text_line *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->data, y->data, n);

	return c ? c : x->len < y->len ? -1 : x->len > y->len;
}

static int stack_line(const struct pyro_stacks *s, const struct pyro_stack *st,
		      struct pyro_buf *b)
{
	const uint32_t *refs = pyro_stack_refs(s, st);
	uint32_t d;
	int rc = 0;

	for (d = 0; d < st->depth && !rc; d++) {
		struct pyro_str name = pyro_ref_name(s, refs[d]);
		struct pyro_str node = pyro_ref_node(s, refs[d]);

		if (d)
			rc |= pyro_buf_putc(b, ';');
		if (refs[d] & PYRO_REF_INLINE)
			rc |= pyro_buf_putc(b, '^');
		rc |= pyro_buf_add(b, name.ptr, name.len);
		if (node.len != name.len || memcmp(node.ptr, name.ptr, name.len)) {
			rc |= pyro_buf_putc(b, '=');
			rc |= pyro_buf_add(b, node.ptr, node.len);
		}
	}
	if (!rc)
		rc = pyro_buf_printf(b, " %" PRId64 "\n", st->value);
	return rc ? -ENOMEM : 0;
}

int mkprof_stacks_text(const struct pyro_stacks *s, struct pyro_buf *out)
{
	struct text_line *lines = calloc(s->nstacks ? s->nstacks : 1,
					 sizeof(*lines));
	size_t k, n = 0;
	int rc = lines ? 0 : -ENOMEM;

	for (k = 0; k < s->nstacks && !rc; k++) {
		struct pyro_buf b = PYRO_BUF_INIT;

		rc = stack_line(s, &s->stacks[k], &b);
		lines[n].data = pyro_buf_detach(&b, &lines[n].len);
		n++;
	}
	if (!rc)
		qsort(lines, n, sizeof(*lines), cmp_text_lines);
	for (k = 0; k < n; k++) {
		if (!rc)
			rc = pyro_buf_add(out, lines[k].data, lines[k].len);
		free(lines[k].data);
	}
	free(lines);
	return rc;
}
