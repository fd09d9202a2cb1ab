/*
 * text.c - escaping and number helpers for pyrofs's own formats.
 */
#include "text.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "units.h"
#include "../model/stacks.h"

int pyro_filter_text(const struct pyro_meta *m, struct pyro_buf *out)
{
	int rc;

	if (!m->filter)
		return 0;
	rc = pyro_buf_puts(out, m->filter);
	if (!rc && m->filter_unit && pyro_unit_kind(m->filter_unit))
		rc = pyro_buf_puts(out, m->filter_unit);
	return rc;
}

int pyro_text_put_safe(struct pyro_buf *b, const char *s, size_t len)
{
	size_t i, start = 0;
	int rc = 0;

	for (i = 0; i < len && !rc; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != 0x7f)
			continue;
		rc = pyro_buf_add(b, s + start, i - start);
		if (!rc)
			rc = pyro_buf_printf(b, "\\x%02x", c);
		start = i + 1;
	}
	if (!rc)
		rc = pyro_buf_add(b, s + start, len - start);
	return rc;
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len, i;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF, and U+FFFE/FFFF. */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) ||
	    cp > 0x10ffff || cp == 0xfffe || cp == 0xffff)
		return 0;
	return len;
}

int pyro_xml_put(struct pyro_buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	int rc = 0;

	while (i < len && !rc) {
		size_t n = utf8_len(p + i, len - i);
		unsigned char c = p[i];

		if (n == 0 || (c < 0x20 && c != '\t')) {
			rc = pyro_buf_puts(b, "\xef\xbf\xbd");
			i += n ? n : 1;
			continue;
		}
		switch (c) {
		case '&': rc = pyro_buf_puts(b, "&amp;"); break;
		case '<': rc = pyro_buf_puts(b, "&lt;"); break;
		case '>': rc = pyro_buf_puts(b, "&gt;"); break;
		case '"': rc = pyro_buf_puts(b, "&quot;"); break;
		case '\'': rc = pyro_buf_puts(b, "&#39;"); break;
		default: rc = pyro_buf_add(b, s + i, n); break;
		}
		i += n;
	}
	return rc;
}

void pyro_label_double(char dst[64], double v, const char *unit, int sign)
{
	double mag = fabs(v), scaled;
	const char *u;
	int64_t probe;
	char num[40];
	size_t n;

	/* Pick the unit from the magnitude, then scale the exact double. */
	probe = mag >= 9e18 ? INT64_MAX : (int64_t)llround(mag);
	if (probe == 0)
		probe = 1;
	scaled = pyro_unit_scale(probe, unit, "auto", &u);
	scaled = mag * (scaled / (double)probe);
	snprintf(num, sizeof(num), "%.2f", scaled);
	n = strlen(num);
	if (n > 3 && !strcmp(num + n - 3, ".00"))
		num[n - 3] = '\0';
	snprintf(dst, 64, "%s%s%s", v < 0 && strcmp(num, "0") ? "-" :
		 sign && strcmp(num, "0") ? "+" : "", num, u);
}

void pyro_utc_time(char dst[40], int64_t nanos)
{
	time_t t = (time_t)(nanos / 1000000000 - (nanos < 0 && nanos % 1000000000));
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		snprintf(dst, 40, "?");
		return;
	}
	strftime(dst, 40, "%Y-%m-%d %H:%M:%S UTC", &tm);
}
