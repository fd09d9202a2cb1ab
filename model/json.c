/*
 * json.c - the pull reader of in-memory JSON (see json.h).
 *
 * Strict where it costs nothing (a member needs its key, ':' and a value;
 * items and members are separated by ','), lenient where being strict
 * would cost a pass of its own: a string's bytes are not checked for valid
 * UTF-8 (names are shown through pyro_buf_put_safe anyway) and text after
 * the top-level value is not looked at.
 */
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void skip_ws(struct pyro_json *j);

/* Record the first error; whatever was expected, at the end of the input
 * the file is cut short. */
static int fail(struct pyro_json *j, const char *why)
{
	skip_ws(j);
	if (!j->why)
		j->why = j->p >= j->end ? "truncated" : why;
	return -EINVAL;
}

void pyro_json_init(struct pyro_json *j, const char *data, size_t len)
{
	j->start = data;
	j->p = data;
	j->end = data + len;
	j->why = NULL;
}

size_t pyro_json_offset(const struct pyro_json *j)
{
	return (size_t)(j->p - j->start);
}

static void skip_ws(struct pyro_json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' ||
				 *j->p == '\r' || *j->p == '\t'))
		j->p++;
}

enum pyro_json_type pyro_json_peek(struct pyro_json *j)
{
	skip_ws(j);
	if (j->p >= j->end)
		return PYRO_JSON_END;
	switch (*j->p) {
	case '{': return PYRO_JSON_OBJECT;
	case '[': return PYRO_JSON_ARRAY;
	case '"': return PYRO_JSON_STRING;
	case 't': case 'f': return PYRO_JSON_BOOL;
	case 'n': return PYRO_JSON_NULL;
	case '-': return PYRO_JSON_NUMBER;
	default:
		return *j->p >= '0' && *j->p <= '9' ? PYRO_JSON_NUMBER :
			PYRO_JSON_BAD;
	}
}

int pyro_json_enter(struct pyro_json *j, char open)
{
	skip_ws(j);
	if (j->p >= j->end || *j->p != open)
		return fail(j, open == '{' ? "expected an object" :
			    "expected an array");
	j->p++;
	return 0;
}

/* Past the closing quote of the string the cursor is on; *s and *len get
 * its raw bytes. */
static int raw_string(struct pyro_json *j, const char **s, size_t *len)
{
	const char *q;

	skip_ws(j);
	if (j->p >= j->end || *j->p != '"')
		return fail(j, "expected a string");
	for (q = j->p + 1; q < j->end && *q != '"'; q++)
		if (*q == '\\' && ++q >= j->end)
			break;
	if (q >= j->end)
		return fail(j, "unterminated string");
	*s = j->p + 1;
	*len = (size_t)(q - *s);
	j->p = q + 1;
	return 0;
}

/* Shared by members and items: 1 on the next one, 0 past `close`. */
static int next(struct pyro_json *j, size_t *n, char close)
{
	skip_ws(j);
	if (j->p >= j->end)
		return fail(j, "truncated");
	if (*j->p == close) {
		j->p++;
		return 0;
	}
	if (*n) {
		if (*j->p != ',')
			return fail(j, "expected ','");
		j->p++;
	}
	(*n)++;
	return 1;
}

int pyro_json_member(struct pyro_json *j, size_t *n, const char **key,
		     size_t *key_len)
{
	int rc = next(j, n, '}');

	if (rc <= 0)
		return rc;
	rc = raw_string(j, key, key_len);
	if (rc)
		return rc;
	skip_ws(j);
	if (j->p >= j->end || *j->p != ':')
		return fail(j, "expected ':'");
	j->p++;
	return 1;
}

int pyro_json_item(struct pyro_json *j, size_t *n)
{
	return next(j, n, ']');
}

int pyro_json_key_is(const char *key, size_t len, const char *s)
{
	return strlen(s) == len && !memcmp(key, s, len);
}

static int literal(struct pyro_json *j, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n))
		return fail(j, "bad literal");
	j->p += n;
	return 0;
}

/* The extent of the number at the cursor, as JSON's grammar has it. */
static int number_span(struct pyro_json *j, const char **s, size_t *len)
{
	const char *q = j->p;

	if (q < j->end && *q == '-')
		q++;
	if (q >= j->end || *q < '0' || *q > '9')
		return fail(j, "expected a number");
	while (q < j->end && ((*q >= '0' && *q <= '9') || *q == '.' ||
			      *q == 'e' || *q == 'E' || *q == '+' ||
			      *q == '-'))
		q++;
	*s = j->p;
	*len = (size_t)(q - j->p);
	j->p = q;
	return 0;
}

/* Skip one value; containers by counting brackets (strings skipped whole),
 * so depth costs nothing. */
int pyro_json_skip(struct pyro_json *j)
{
	size_t depth = 0, len;
	const char *s;
	int rc;

	do {
		skip_ws(j);
		if (j->p >= j->end)
			return fail(j, "truncated");
		switch (*j->p) {
		case '{': case '[':
			depth++;
			j->p++;
			continue;
		case '}': case ']':
			if (!depth)
				return fail(j, "unexpected close bracket");
			depth--;
			j->p++;
			continue;
		case ',': case ':':
			if (!depth)
				return fail(j, "expected a value");
			j->p++;
			continue;
		case '"':
			rc = raw_string(j, &s, &len);
			break;
		case 't': rc = literal(j, "true"); break;
		case 'f': rc = literal(j, "false"); break;
		case 'n': rc = literal(j, "null"); break;
		default:
			rc = number_span(j, &s, &len);
		}
		if (rc)
			return rc;
	} while (depth);
	return 0;
}

int pyro_json_double(struct pyro_json *j, double *v)
{
	char tmp[64], *end;
	const char *s;
	size_t len;
	int rc;

	skip_ws(j);
	rc = number_span(j, &s, &len);
	if (rc)
		return rc;
	if (len >= sizeof(tmp)) {
		j->p = s;       /* errors point at the number */
		return fail(j, "number too long");
	}
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	*v = strtod(tmp, &end);
	if (*end || !isfinite(*v)) {
		j->p = s;
		return fail(j, "bad number");
	}
	return 0;
}

/* Plain integers (all V8 writes) without strtod, exactly: digits are
 * taken while the value fits in int64_t; one that does not (or a
 * fraction, an exponent) is left to strtod and its range check. */
static int fast_int(struct pyro_json *j, int64_t *v)
{
	const char *q = j->p, *e = j->end;
	int neg = q < e && *q == '-';
	int64_t x = 0;
	size_t n = 0;

	q += neg;
	while (q < e && *q >= '0' && *q <= '9') {
		if (__builtin_mul_overflow(x, 10, &x) ||
		    __builtin_add_overflow(x, *q - '0', &x))
			return 0;
		q++;
		n++;
	}
	if (!n || (q < e && (*q == '.' || *q == 'e' || *q == 'E')))
		return 0;
	*v = neg ? -x : x;
	j->p = q;
	return 1;
}

int pyro_json_int(struct pyro_json *j, int64_t *v)
{
	const char *start;
	double d;
	int rc;

	skip_ws(j);
	if (fast_int(j, v))
		return 0;
	start = j->p;
	rc = pyro_json_double(j, &d);
	if (rc)
		return rc;
	/* 2^63 as a double: anything from it up does not fit. */
	if (d != floor(d) || d >= 9223372036854775808.0 ||
	    d < -9223372036854775808.0) {
		j->p = start;
		return fail(j, "expected an integer");
	}
	*v = (int64_t)d;
	return 0;
}

static int hex4(const char *s, unsigned *v)
{
	unsigned i, c;

	*v = 0;
	for (i = 0; i < 4; i++) {
		c = (unsigned char)s[i];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			c = (c | 0x20) - 'a' + 10;
		else
			return -EINVAL;
		*v = *v << 4 | c;
	}
	return 0;
}

static int put_utf8(struct pyro_buf *out, unsigned cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return pyro_buf_add(out, b, n);
}

/* The \uXXXX escape (and its low surrogate) at s[0..len) as a code point;
 * *used gets the bytes taken after the backslash. */
static unsigned unicode_escape(const char *s, size_t len, size_t *used)
{
	unsigned hi, lo;

	*used = 1;
	if (len < 5 || hex4(s + 1, &hi))
		return 0xfffd;
	*used = 5;
	if (hi < 0xd800 || hi > 0xdfff)
		return hi;
	if (hi > 0xdbff || len < 11 || s[5] != '\\' || s[6] != 'u' ||
	    hex4(s + 7, &lo) || lo < 0xdc00 || lo > 0xdfff)
		return 0xfffd;
	*used = 11;
	return 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
}

int pyro_json_string(struct pyro_json *j, struct pyro_buf *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *s, *e, *run;
	size_t len, used;
	int rc;

	rc = raw_string(j, &s, &len);
	if (rc)
		return rc;
	pyro_buf_truncate(out, 0);
	for (e = s + len, run = s; s < e && !rc; ) {
		const char *esc;

		if (*s != '\\') {
			s++;
			continue;
		}
		rc = pyro_buf_add(out, run, (size_t)(s - run));
		s++;
		if (rc || s >= e)
			break;
		if (*s == 'u') {
			rc = put_utf8(out, unicode_escape(s, (size_t)(e - s), &used));
			s += used;
		} else if ((esc = memchr(from, *s, sizeof(from) - 1))) {
			rc = pyro_buf_putc(out, to[esc - from]);
			s++;
		} else {
			return fail(j, "bad escape in a string");
		}
		run = s;
	}
	if (!rc)
		rc = pyro_buf_add(out, run, (size_t)(e - run));
	/* An empty buffer that never allocated still reads as "". */
	if (!rc && !out->data)
		rc = pyro_buf_grow(out, 1);
	return rc;
}
