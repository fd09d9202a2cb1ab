/*
 * collapsed.c - collapsed stack files: sniff, type, parse; see collapsed.h.
 *
 * One line parser serves sniffing, header checks and aggregation, so the
 * three never disagree on what a good line is.  Parsing works backwards
 * from the end of a line (the count is the last word, frames may hold
 * spaces), never copies a line, and touches each byte a bounded number of
 * times: a file costs a pass of memchr plus the frame interning.
 */
#include "collapsed.h"
#include "safeopen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>

#define HEAD_RAW (16u << 10)    /* raw bytes read to tell text from binary */
#define HEAD_TEXT (4u << 10)    /* inflated bytes of them checked */

static void set_err(char err[PYRO_ERR_MAX], const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_err(char err[PYRO_ERR_MAX], const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err, PYRO_ERR_MAX, fmt, ap);
	va_end(ap);
}

/* ---- one line ------------------------------------------------------------ */

/* A control byte that text never holds (tab, CR and LF are text). */
static inline int is_control(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
}

static inline int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

enum count_rc { COUNT_OK, COUNT_NOT_INT, COUNT_NEGATIVE, COUNT_OVERFLOW };

/* A word as a count: digits only, at most INT64_MAX. */
static enum count_rc parse_count(const char *p, size_t n, int64_t *out)
{
	uint64_t v = 0;
	size_t i, start = n && p[0] == '-' ? 1 : 0;

	if (n == start)
		return COUNT_NOT_INT;
	for (i = start; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return COUNT_NOT_INT;
	if (start)
		return COUNT_NEGATIVE;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(p[i] - '0');

		if (v > (UINT64_C(0x7fffffffffffffff) - d) / 10)
			return COUNT_OVERFLOW;
		v = v * 10 + d;
	}
	*out = (int64_t)v;
	return COUNT_OK;
}

enum line_kind { LINE_SKIP, LINE_GOOD, LINE_BAD };

struct line {
	const char *stack;      /* frames joined by ';' */
	size_t stack_len;
	int64_t value;
	int second;             /* had a second count column */
	const char *reason;     /* LINE_BAD: why */
};

static const char *count_reason(enum count_rc rc)
{
	return rc == COUNT_NEGATIVE ? "negative count" :
	       rc == COUNT_OVERFLOW ? "count over 64 bits" :
	       "no count at the end of the line";
}

/* Parse p[0..n) (without its '\n'). */
static enum line_kind parse_line(const char *p, size_t n, struct line *l)
{
	size_t i = 0, b, e, b2;
	enum count_rc rc;
	int64_t v = 0, v2 = 0;

	memset(l, 0, sizeof(*l));
	if (n && p[n - 1] == '\r')
		n--;
	while (i < n && is_blank(p[i]))
		i++;
	if (i == n || p[i] == '#')
		return LINE_SKIP;
	if (n > PYRO_COLLAPSED_LINE_MAX) {
		l->reason = "line longer than 1 MiB";
		return LINE_BAD;
	}
	while (n && is_blank(p[n - 1]))
		n--;
	for (b = n; b > 0 && !is_blank(p[b - 1]); b--)
		;
	if (b == 0) {
		l->reason = "no count after the stack";
		return LINE_BAD;
	}
	rc = parse_count(p + b, n - b, &v);
	if (rc != COUNT_OK) {
		l->reason = count_reason(rc);
		return LINE_BAD;
	}
	for (e = b - 1; e > 0 && is_blank(p[e - 1]); e--)
		;
	/* "stack BEFORE AFTER": a word of digits before the count. */
	for (b2 = e; b2 > 0 && !is_blank(p[b2 - 1]); b2--)
		;
	if (b2 > 0 && b2 < e && p[b2] != '-') {
		rc = parse_count(p + b2, e - b2, &v2);
		if (rc == COUNT_OVERFLOW) {
			l->reason = count_reason(rc);
			return LINE_BAD;
		}
		if (rc == COUNT_OK) {
			/* the last column is the value, as flamegraph.pl
			 * sizes a difffolded.pl line by its AFTER count */
			l->second = 1;
			for (e = b2 - 1; e > 0 && is_blank(p[e - 1]); e--)
				;
		}
	}
	l->stack = p;
	l->stack_len = e;
	l->value = v;
	return LINE_GOOD;
}

/* Lines of a buffer, a UTF-8 byte order mark skipped. */
struct lines {
	const char *p;
	size_t len, off, lineno;
};

static void lines_init(struct lines *it, const void *data, size_t len)
{
	it->p = data;
	it->len = len;
	it->off = len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3) ? 3 : 0;
	it->lineno = 0;
}

static int lines_next(struct lines *it, const char **line, size_t *n)
{
	const char *nl;

	if (it->off >= it->len)
		return 0;
	nl = memchr(it->p + it->off, '\n', it->len - it->off);
	*line = it->p + it->off;
	*n = nl ? (size_t)(nl - *line) : it->len - it->off;
	it->off += *n + 1;
	it->lineno++;
	return 1;
}

static void report_bad(struct pyro_collapsed_report *rep, size_t lineno,
		       const char *reason)
{
	if (rep->nbad < PYRO_COLLAPSED_BAD_KEEP) {
		rep->bad[rep->nbad].line = lineno;
		rep->bad[rep->nbad].reason = reason;
	}
	rep->nbad++;
}

static void report_good(struct pyro_collapsed_report *rep, size_t lineno,
			const struct line *l)
{
	rep->nlines++;
	if (l->second && !rep->nsecond++)
		rep->second_line = lineno;
}

/* ---- sniffing ------------------------------------------------------------ */

int pyro_collapsed_sniff(const void *data, size_t len)
{
	const unsigned char *u = data;
	size_t win = len < PYRO_COLLAPSED_SNIFF_MAX ? len : PYRO_COLLAPSED_SNIFF_MAX;
	size_t i, good = 0, bad = 0, n;
	struct lines it;
	const char *line;
	struct line l;

	if (len == 0 || (len >= 2 && u[0] == 0x1f && u[1] == 0x8b))
		return 0;
	for (i = 0; i < win; i++)
		if (is_control(u[i]))
			return 0;
	lines_init(&it, data, len);
	while (it.off < win && lines_next(&it, &line, &n)) {
		size_t start = (size_t)((const unsigned char *)line - u);
		size_t end = start + (n < PYRO_COLLAPSED_LINE_MAX + 2 ?
				      n : PYRO_COLLAPSED_LINE_MAX + 2);

		/* A line reaching past the window is text too. */
		for (i = win > start ? win : start; i < end; i++)
			if (is_control(u[i]))
				return 0;
		switch (parse_line(line, n, &l)) {
		case LINE_SKIP:
			break;
		case LINE_GOOD:
			good++;
			break;
		case LINE_BAD:
			if (!good && !bad)
				return 0;       /* the first stack line must be good */
			bad++;
			break;
		}
	}
	return good > bad;
}

/* ---- type and header ------------------------------------------------------ */

void pyro_collapsed_type(const char *path, const char **sample_type,
			 const char **unit)
{
	static const struct {
		const char *word;
		const char *type;
	} words[] = {
		{ "cpu", "samples" }, { "itimer", "samples" },
		{ "clock", "samples" },         /* perf's cpu-clock, task-clock */
		{ "wall", "wall" }, { "alloc", "alloc_objects" },
		{ "lock", "mutex_count" }, { "mutex", "mutex_count" },
		{ "block", "block_count" },
	};
	const char *base = strrchr(path, '/'), *best = NULL, *type = "samples";
	size_t i;

	base = base ? base + 1 : path;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		const char *at = strcasestr(base, words[i].word);

		if (at && (!best || at < best)) {
			best = at;
			type = words[i].type;
		}
	}
	*sample_type = type;
	*unit = "count";
}

static void reason_none(const struct pyro_collapsed_report *rep,
			char err[PYRO_ERR_MAX])
{
	if (rep->nbad)
		set_err(err, "no good collapsed stack line (line %zu: %s)",
			rep->bad[0].line, rep->bad[0].reason);
	else
		set_err(err, "no collapsed stack line");
}

int pyro_collapsed_header(const void *data, size_t len, const char *path,
			  struct pyro_profile_header *h,
			  struct pyro_collapsed_report *rep,
			  char err[PYRO_ERR_MAX])
{
	struct pyro_collapsed_report own;
	const char *type, *unit, *line;
	struct lines it;
	struct line l;
	size_t n;

	memset(h, 0, sizeof(*h));
	if (!rep)
		rep = &own;
	memset(rep, 0, sizeof(*rep));
	lines_init(&it, data, len);
	while (lines_next(&it, &line, &n)) {
		enum line_kind k = parse_line(line, n, &l);

		if (k == LINE_BAD)
			report_bad(rep, it.lineno, l.reason);
		else if (k == LINE_GOOD)
			report_good(rep, it.lineno, &l);
	}
	if (!rep->nlines) {
		reason_none(rep, err);
		return -EINVAL;
	}
	pyro_collapsed_type(path, &type, &unit);
	h->types = calloc(1, sizeof(*h->types));
	if (h->types) {
		h->ntypes = 1;
		h->types[0].type = strdup(type);
		h->types[0].unit = strdup(unit);
	}
	if (!h->types || !h->types[0].type || !h->types[0].unit) {
		pyro_profile_header_release(h);
		set_err(err, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* ---- aggregation ---------------------------------------------------------- */

/* Add one good line's stack. -EOVERFLOW leaves the stacks unchanged.
 * *sum is the sum of every count added so far: while it fits in 64 bits
 * no stack can overflow (counts are not negative), so only past that point
 * is a stack's own sum checked before adding. */
static int add_line(struct pyro_stacks *out, const struct line *l,
		    uint32_t **refs, size_t *cap, int64_t *sum)
{
	const char *p = l->stack, *end = l->stack + l->stack_len;
	size_t depth = 0, idx;
	int64_t next;
	int rc;

	if (l->value == 0)
		return 0;
	while (l->stack_len) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *fend = semi ? semi : end;
		uint32_t id;

		if (depth == *cap) {
			size_t ncap = *cap ? *cap * 2 : 64;
			uint32_t *nr = realloc(*refs, ncap * sizeof(*nr));

			if (!nr)
				return -ENOMEM;
			*refs = nr;
			*cap = ncap;
		}
		/* An empty frame keeps its empty name in folded; top.txt
		 * names it as pprof names a function without a name. */
		rc = fend > p ? pyro_stacks_frame(out, p, (size_t)(fend - p), p,
						  (size_t)(fend - p), &id) :
		     pyro_stacks_frame(out, "", 0, "<unknown>", 9, &id);
		if (rc)
			return rc;
		(*refs)[depth++] = id;
		if (!semi)
			break;
		p = semi + 1;
	}
	/* depth <= PYRO_COLLAPSED_LINE_MAX + 1: fits. */
	if (__builtin_add_overflow(*sum, l->value, &next)) {
		if (pyro_stacks_find(out, *refs, (uint32_t)depth, &idx) == 0 &&
		    __builtin_add_overflow(out->stacks[idx].value, l->value, &next))
			return -EOVERFLOW;
		next = INT64_MAX;
	}
	rc = pyro_stacks_add(out, *refs, (uint32_t)depth, l->value, NULL);
	if (!rc)
		*sum = next;
	return rc;
}

int pyro_collapsed_stacks(const void *data, size_t len,
			  const char *sample_type, const char *unit,
			  struct pyro_stacks *out,
			  struct pyro_collapsed_report *rep,
			  char err[PYRO_ERR_MAX])
{
	struct pyro_collapsed_report own;
	uint32_t *refs = NULL;
	int64_t sum = 0;
	size_t cap = 0, n;
	const char *line;
	struct lines it;
	struct line l;
	int rc;

	if (!rep)
		rep = &own;
	memset(rep, 0, sizeof(*rep));
	rc = pyro_stacks_init(out);
	if (!rc) {
		out->meta.sample_type = strdup(sample_type ? sample_type : "samples");
		out->meta.sample_unit = strdup(unit ? unit : "count");
		out->meta.nsnapshots = 1;
		out->meta.rule = PYRO_MERGE_SINGLE;
		if (!out->meta.sample_type || !out->meta.sample_unit)
			rc = -ENOMEM;
	}
	lines_init(&it, data, len);
	while (!rc && lines_next(&it, &line, &n)) {
		enum line_kind k = parse_line(line, n, &l);

		if (k == LINE_BAD) {
			report_bad(rep, it.lineno, l.reason);
			continue;
		}
		if (k == LINE_SKIP)
			continue;
		rc = add_line(out, &l, &refs, &cap, &sum);
		if (rc == -EOVERFLOW) {
			report_bad(rep, it.lineno, "stack total over 64 bits");
			rc = 0;
		} else if (!rc) {
			report_good(rep, it.lineno, &l);
		}
	}
	free(refs);
	if (rc) {
		set_err(err, "out of memory aggregating collapsed stacks");
		return rc;
	}
	if (!rep->nlines) {
		reason_none(rep, err);
		return -EINVAL;
	}
	return 0;
}

int pyro_collapsed_report_text(const struct pyro_collapsed_report *rep,
			       char out[PYRO_ERR_MAX])
{
	size_t i, n = 0;

#define ADD(...) do {                                                      \
		if (n < PYRO_ERR_MAX) {                                     \
			int w = snprintf(out + n, PYRO_ERR_MAX - n, __VA_ARGS__); \
			n += w > 0 ? (size_t)w : 0;                         \
		}                                                           \
	} while (0)
	out[0] = '\0';
	if (rep->nbad) {
		ADD("%zu bad line%s skipped (", rep->nbad, rep->nbad == 1 ? "" : "s");
		for (i = 0; i < rep->nbad && i < PYRO_COLLAPSED_BAD_KEEP; i++)
			ADD("%sline %zu: %s", i ? "; " : "", rep->bad[i].line,
			    rep->bad[i].reason);
		ADD("%s)", rep->nbad > PYRO_COLLAPSED_BAD_KEEP ? "; ..." : "");
	}
	if (rep->nsecond)
		ADD("%stwo count columns, the first (a diff's base) ignored (%zu line%s, from line %zu)",
		    rep->nbad ? "; " : "", rep->nsecond,
		    rep->nsecond == 1 ? "" : "s", rep->second_line);
#undef ADD
	return n > 0;
}

/* ---- files ------------------------------------------------------------------ */

/* 1 if the first HEAD_TEXT bytes of the file (inflated if gzipped) hold no
 * control byte: a necessary condition of pyro_collapsed_sniff on the whole
 * file, so 0 means "certainly not collapsed" without reading it all. */
static int head_is_text(int fd)
{
	unsigned char raw[HEAD_RAW], text[HEAD_TEXT];
	const unsigned char *t = raw;
	size_t have = 0, tlen, i;

	/* pread: the caller reads the whole file from offset 0 afterwards. */
	while (have < sizeof(raw)) {
		ssize_t r = pread(fd, raw + have, sizeof(raw) - have, (off_t)have);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		have += (size_t)r;
	}
	tlen = have < HEAD_TEXT ? have : HEAD_TEXT;
	if (have >= 2 && raw[0] == 0x1f && raw[1] == 0x8b) {
		z_stream zs;
		int zrc;

		memset(&zs, 0, sizeof(zs));
		if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
			return 0;
		zs.next_in = raw;
		zs.avail_in = (uInt)have;
		zs.next_out = text;
		zs.avail_out = sizeof(text);
		zrc = inflate(&zs, Z_SYNC_FLUSH);
		tlen = sizeof(text) - zs.avail_out;
		inflateEnd(&zs);
		if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR)
			return 0;
		t = text;
	}
	if (tlen == 0)
		return 0;
	for (i = 0; i < tlen; i++)
		if (is_control(t[i]))
			return 0;
	return 1;
}

int pyro_collapsed_load(const char *path, const char *rel, size_t max_size,
			struct pyro_stacks *out,
			struct pyro_collapsed_report *rep,
			char err[PYRO_ERR_MAX])
{
	int fd = pyro_open_regular_at(AT_FDCWD, path, NULL, err);
	int rc;

	if (fd < 0) {
		memset(out, 0, sizeof(*out));
		if (rep)
			memset(rep, 0, sizeof(*rep));
		set_err(err, "not collapsed stacks");
		return -ENOMSG;
	}
	rc = pyro_collapsed_load_fd(fd, rel, max_size, out, rep, err);
	close(fd);
	return rc;
}

int pyro_collapsed_load_fd(int fd, const char *rel, size_t max_size,
			   struct pyro_stacks *out,
			   struct pyro_collapsed_report *rep,
			   char err[PYRO_ERR_MAX])
{
	struct pyro_buf data = PYRO_BUF_INIT;
	const char *type, *unit;
	int compressed = 0, rc;

	memset(out, 0, sizeof(*out));
	if (rep)
		memset(rep, 0, sizeof(*rep));
	if (!head_is_text(fd)) {
		set_err(err, "not collapsed stacks");
		return -ENOMSG;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		rc = -errno;
		set_err(err, "lseek: %s", strerror(errno));
		return rc;
	}
	rc = pyro_profile_read_fd(fd, max_size, &data, &compressed, err);
	if (!rc && !pyro_collapsed_sniff(data.data, data.len)) {
		set_err(err, "not collapsed stacks");
		rc = -ENOMSG;
	}
	if (!rc) {
		pyro_collapsed_type(rel, &type, &unit);
		rc = pyro_collapsed_stacks(data.data, data.len, type, unit, out,
					   rep, err);
	}
	pyro_buf_release(&data);
	return rc;
}
