/*
 * text.h - small helpers shared by the text and SVG renderers of pyrofs's
 * own formats (timeline, growth, tree).  top.txt keeps pprof's raw bytes
 * instead.
 */
#ifndef PYRO_TEXT_H
#define PYRO_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "../model/buf.h"

/* XML text, the one rule of every SVG renderer: untrusted bytes become
 * valid XML 1.0 UTF-8 character data by replacing each byte that does not
 * start a legal character (C0 controls, tab and newline included: labels
 * are one line; invalid or overlong UTF-8, surrogates, U+FFFE, U+FFFF) by
 * U+FFFD, then escaping & < > " ' as &amp; &lt; &gt; &quot; &apos;
 * (escaping '>' also keeps "]]>" out). */

/* Bytes of the legal character at p (n > 0 bytes left), or 0 when p[0]
 * must be replaced. */
size_t pyro_xml_char_len(const unsigned char *p, size_t n);

/* Append text that is already valid (every character legal), escaping the
 * five special characters. */
int pyro_xml_escape(struct pyro_buf *b, const char *s, size_t len);

/* Append s[0..len) as XML character data: replaced, then escaped. */
int pyro_xml_put(struct pyro_buf *b, const char *s, size_t len);

/* A value of unit `unit` that may be fractional (a slope), as a label:
 * "+2.40MB", "-13.50ms", "+0.50" (sign always shown when `sign`). */
void pyro_label_double(char dst[64], double v, const char *unit, int sign);

struct pyro_meta;

/* Append a label node's filter (meta.filter) as pprof's -tagfocus reads
 * it: "key=value", then the unit of a number pprof scales, without which
 * it would match nothing ("bytes=96bytes").  Nothing if m has no filter. */
int pyro_filter_text(const struct pyro_meta *m, struct pyro_buf *out);

/* UTC "2026-11-24 10:15:00 UTC". */
void pyro_utc_time(char dst[40], int64_t nanos);

#endif
