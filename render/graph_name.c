/*
 * graph_name.c - the node label of graph.dot: pprof's ShortenFunctionName,
 * then the name split into lines at "::" and ".".
 *
 * pprof shortens with four Go regular expressions (internal/graph):
 *   - a leading "(anonymous namespace)::" goes;
 *   - a Go major version path element "/vN" (N = 2..9, or two or more
 *     digits not starting with 0) followed by '.' or '/' is cut out, the
 *     first such place in the name;
 *   - then the first of these that matches gives the name: a Go path
 *     "a/b/c.F" keeps what follows its last '/'-ended element ("c.F"); a
 *     Java name "pkg.sub.Class.method(" keeps "Class.method"; a C++ name
 *     "ns::Class::method<...>" keeps "Class::method<...>".
 * Go's regexp is leftmost-first and its '.' does not match '\n', whose
 * consequences are spelled out at each matcher: they are written by hand
 * here, since POSIX regex is leftmost-longest and would pick other groups.
 * \w is ASCII [0-9A-Za-z_], as in Go.
 */
#include "graph_priv.h"

#include <errno.h>
#include <string.h>

static int is_w(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_lower(unsigned char c)
{
	return c >= 'a' && c <= 'z';
}

static int is_upper(unsigned char c)
{
	return c >= 'A' && c <= 'Z';
}

/* `^(.*?)/v(?:[2-9]|[1-9][0-9]+)([./].*)$` -> $1$2: the first "/vN"
 * followed by '.' or '/'; no match when the name holds a newline ('.'
 * cannot cross it, '$' is the end of the text).  Returns the length of
 * the cut ("/vN") and its position, or 0. */
static size_t go_version_cut(const char *f, size_t n, size_t *at)
{
	size_t i, d;

	if (memchr(f, '\n', n))
		return 0;
	for (i = 0; i + 2 < n; i++) {
		if (f[i] != '/' || f[i + 1] != 'v')
			continue;
		for (d = i + 2; d < n && f[d] >= '0' && f[d] <= '9'; d++)
			;
		if (d == i + 2 || d == n || (f[d] != '.' && f[d] != '/'))
			continue;
		if (d - (i + 2) == 1 ? f[i + 2] < '2' : f[i + 2] == '0')
			continue;
		*at = i;
		return d - i;
	}
	return 0;
}

/* `^(?:[\w\-\.]+\/)+(.+)`: the longest run of "elem/" prefixes after
 * which at least one character other than '\n' follows; the group runs to
 * the first '\n'. */
static int go_match(const char *f, size_t n, size_t *start, size_t *len)
{
	size_t p = 0, best = 0, q;
	int found = 0;

	for (;;) {
		for (q = p; q < n && (is_w((unsigned char)f[q]) || f[q] == '-' ||
				      f[q] == '.'); q++)
			;
		if (q == p || q == n || f[q] != '/')
			break;
		p = q + 1;
		if (p < n && f[p] != '\n') {
			best = p;
			found = 1;
		}
	}
	if (!found)
		return 0;
	for (q = best; q < n && f[q] != '\n'; q++)
		;
	*start = best;
	*len = q - best;
	return 1;
}

/* `^(?:[a-z]\w*\.)*([A-Z][\w\$]*\.(?:<init>|[a-z][\w\$]*(?:\$\d+)?))(?:(?:\()|$)`:
 * package elements are forced (each starts lowercase and ends at '.'),
 * the class one element, the method a maximal [\w$] run, then '(' or the
 * end of the text. */
static int java_match(const char *f, size_t n, size_t *start, size_t *len)
{
	size_t p = 0, q;

	while (p < n && is_lower((unsigned char)f[p])) {
		for (q = p + 1; q < n && is_w((unsigned char)f[q]); q++)
			;
		if (q == n || f[q] != '.')
			break;
		p = q + 1;
	}
	if (p == n || !is_upper((unsigned char)f[p]))
		return 0;
	*start = p;
	for (q = p + 1; q < n && (is_w((unsigned char)f[q]) || f[q] == '$'); q++)
		;
	if (q == n || f[q] != '.')
		return 0;
	q++;
	if (n - q >= 6 && !memcmp(f + q, "<init>", 6)) {
		q += 6;
	} else if (q < n && is_lower((unsigned char)f[q])) {
		for (q++; q < n && (is_w((unsigned char)f[q]) || f[q] == '$'); q++)
			;
	} else {
		return 0;
	}
	if (q != n && f[q] != '(')
		return 0;
	*len = q - *start;
	return 1;
}

/* End of the identifier [_a-zA-Z]\w* at p, or p if there is none. */
static size_t ident_end(const char *f, size_t n, size_t p)
{
	if (p >= n || !(is_w((unsigned char)f[p]) && !(f[p] >= '0' && f[p] <= '9')))
		return p;
	for (p++; p < n && is_w((unsigned char)f[p]); p++)
		;
	return p;
}

static int colons(const char *f, size_t n, size_t p)
{
	return p + 1 < n && f[p] == ':' && f[p + 1] == ':';
}

/* The C++ group at p: `_*[A-Z]\w*::~?[_a-zA-Z]\w*(?:<.*>)?`; its end, or
 * 0 when it does not match there. */
static size_t cpp_group(const char *f, size_t n, size_t p)
{
	size_t e = ident_end(f, n, p), u, last = 0;

	for (u = p; u < e && f[u] == '_'; u++)
		;
	if (e == p || u == e || !is_upper((unsigned char)f[u]) ||
	    !colons(f, n, e))
		return 0;
	p = e + 2;
	if (p < n && f[p] == '~')
		p++;
	e = ident_end(f, n, p);
	if (e == p)
		return 0;
	if (e < n && f[e] == '<') {
		for (u = e + 1; u < n && f[u] != '\n'; u++)
			if (f[u] == '>')
				last = u + 1;
		if (last)
			e = last;
	}
	return e;
}

/* `^(?:[_a-zA-Z]\w*::)+(group)`: the prefix is greedy, so the group starts
 * at the last "ident::" boundary (after at least one) where it matches. */
static int cpp_match(const char *f, size_t n, size_t *start, size_t *len)
{
	size_t bounds[64], nb = 0, p = 0, e;
	int found = 0;

	for (;;) {
		e = ident_end(f, n, p);
		if (e == p || !colons(f, n, e))
			break;
		p = e + 2;
		if (nb < sizeof(bounds) / sizeof(bounds[0]))
			bounds[nb++] = p;
	}
	while (nb-- > 0) {
		e = cpp_group(f, n, bounds[nb]);
		if (e) {
			*start = bounds[nb];
			*len = e - bounds[nb];
			found = 1;
			break;
		}
	}
	return found;
}

int pyro_graph_shorten(const char *name, size_t len, struct pyro_buf *out)
{
	static const char anon[] = "(anonymous namespace)::";
	struct pyro_buf f = PYRO_BUF_INIT;
	size_t at = 0, cut, start, n;
	int rc;

	if (len >= sizeof(anon) - 1 && !memcmp(name, anon, sizeof(anon) - 1)) {
		name += sizeof(anon) - 1;
		len -= sizeof(anon) - 1;
	}
	cut = go_version_cut(name, len, &at);
	rc = pyro_buf_add(&f, name, cut ? at : len);
	if (!rc && cut)
		rc = pyro_buf_add(&f, name + at + cut, len - at - cut);
	if (rc)
		goto cleanup;
	if (go_match(f.data ? f.data : "", f.len, &start, &n) ||
	    java_match(f.data ? f.data : "", f.len, &start, &n) ||
	    cpp_match(f.data ? f.data : "", f.len, &start, &n))
		rc = pyro_buf_add(out, f.data + start, n);
	else
		rc = pyro_buf_add(out, f.data ? f.data : "", f.len);
cleanup:
	pyro_buf_release(&f);
	return rc;
}

int pyro_dot_escape(struct pyro_buf *out, const char *s, size_t len)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < len && !rc; i++) {
		if (s[i] == '\\')
			rc = pyro_buf_puts(out, "\\\\");
		else if (s[i] == '"')
			rc = pyro_buf_puts(out, "\\\"");
		else if (s[i] == '\n')
			rc = pyro_buf_puts(out, "\\l");
		else
			rc = pyro_buf_putc(out, s[i]);
	}
	return rc;
}

/* The shortened, escaped name with "::" and "." as line breaks and Go's
 * "[...]" kept as "[…]". */
static int put_split(struct pyro_buf *out, const char *s, size_t len)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < len && !rc; i++) {
		if (s[i] == ':' && i + 1 < len && s[i + 1] == ':') {
			rc = pyro_buf_puts(out, "\\n");
			i++;
		} else if (s[i] == '[' && len - i >= 5 && !memcmp(s + i, "[...]", 5)) {
			rc = pyro_buf_puts(out, "[\xe2\x80\xa6]");
			i += 4;
		} else if (s[i] == '.') {
			rc = pyro_buf_puts(out, "\\n");
		} else {
			rc = pyro_buf_putc(out, s[i]);
		}
	}
	return rc;
}

int pyro_graph_label_name(const char *name, size_t len, int is_function,
			  struct pyro_buf *out)
{
	struct pyro_buf a = PYRO_BUF_INIT, b = PYRO_BUF_INIT;
	int rc;

	if (!is_function) {     /* "[binary]", "<unknown>": as they are */
		rc = pyro_buf_add(out, name, len);
		return rc ? rc : pyro_buf_puts(out, "\\n");
	}
	rc = pyro_graph_shorten(name, len, &a);
	if (!rc)
		rc = pyro_dot_escape(&b, a.data ? a.data : "", a.len);
	if (!rc)
		rc = put_split(out, b.data ? b.data : "", b.len);
	if (!rc)
		rc = pyro_buf_puts(out, "\\n");
	pyro_buf_release(&a);
	pyro_buf_release(&b);
	return rc;
}
