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
#include "../model/timefmt.h"

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

size_t pyro_xml_char_len(const unsigned char *p, size_t n)
{
	uint32_t c;
	size_t len, i;

	if (p[0] < 0x80)
		return p[0] >= 0x20 ? 1 : 0;
	if (p[0] < 0xc2)
		return 0;       /* continuation byte or overlong lead */
	len = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : p[0] < 0xf5 ? 4 : 0;
	if (len == 0 || n < len)
		return 0;
	c = p[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	if ((c >= 0xd800 && c <= 0xdfff) || c == 0xfffe || c == 0xffff)
		return 0;
	return len;
}

int pyro_xml_escape(struct pyro_buf *b, const char *s, size_t len)
{
	size_t i, start = 0;
	const char *rep;
	int rc = 0;

	for (i = 0; i < len && !rc; i++) {
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		default: continue;
		}
		rc = pyro_buf_add(b, s + start, i - start);
		if (!rc)
			rc = pyro_buf_puts(b, rep);
		start = i + 1;
	}
	if (!rc)
		rc = pyro_buf_add(b, s + start, len - start);
	return rc;
}

int pyro_xml_put(struct pyro_buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0, n;
	int rc = 0;

	while (i < len && !rc) {
		n = pyro_xml_char_len(p + i, len - i);
		if (n) {
			i += n;
			continue;
		}
		rc = pyro_xml_escape(b, s + start, i - start);
		if (!rc)
			rc = pyro_buf_puts(b, "\xef\xbf\xbd");
		start = ++i;
	}
	if (!rc)
		rc = pyro_xml_escape(b, s + start, len - start);
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
	time_t t = (time_t)(nanos / PYRO_NS_PER_SEC - (nanos < 0 && nanos % PYRO_NS_PER_SEC));
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		snprintf(dst, 40, "?");
		return;
	}
	strftime(dst, 40, "%Y-%m-%d %H:%M:%S UTC", &tm);
}
