/*
 * labels.c - labels.txt: the label keys and values of a node, with their
 * totals and shares of the node's total.
 *
 *     Type: inuse_space
 *     Unit: bytes
 *     Total: 1.12MB (1 snapshot)
 *     Labels: 2 keys, 7 values; share of the total, largest first
 *          total  share  label
 *         1.12MB   100%  endpoint
 *            1MB 89.29%  endpoint=/orders
 *        100.5kB  8.93%  endpoint="eu west"
 *            1MB 89.29%  bytes (numbers in bytes; 4 values, by powers of two)
 *           64kB  5.59%  bytes=16 (16B)
 *          936kB 83.70%  bytes=256..511 (256B..511B; 3 values)
 *
 * One line per key (its total: the samples carrying it), then one per
 * value, then "KEY not set" for the samples without the key when they
 * count.  Keys and values come in the set's order: total desc, then name;
 * values whose total is zero in the node's type are left out (they have
 * no directory either).  Keys and values are printed as they are, in
 * double quotes with \" \\ and \xNN escapes when they hold a space, a
 * quote, a backslash, a control byte or invalid UTF-8, or are empty (so odd
 * bytes never reach the terminal and a line always parses).  A numeric key
 * says its unit ("bytes (numbers in bytes; ...)") and, since a heap
 * profile has one value per allocation size, its values are a histogram:
 * one line per power-of-two range holding values (the sum of their totals;
 * a range holding one value names it), ranges ascending; with
 * PYRO_LABELS_EACH_NUMBER (-o labels=all, where each number is a
 * directory) one line per value instead.  Numbers show the scaled figure
 * too when pprof knows the unit ("bytes=1638400 (1.56MB)").  Figures are
 * pprof's scaled labels and percentages (units.h).
 */
#include "render.h"
#include "units.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../model/labels.h"

static int put_row(struct pyro_buf *out, const struct pyro_label_set *ls,
		   int64_t value)
{
	char num[PYRO_LABEL_MAX], pct[PYRO_LABEL_MAX];

	pyro_unit_label(num, value, ls->sample_unit, "auto");
	pyro_percentage(pct, value, ls->total);
	return pyro_buf_printf(out, "%10s %6s  ", num, pct);
}

/* Length of the well-formed UTF-8 sequence at p[0..n) of 2-4 bytes, or 0. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	size_t len = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
	size_t i;

	if (!len || len > n || p[0] > 0xf4)
		return 0;
	for (i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
		return 0;
	return len;
}

/* A key or value as it is, or quoted when it must be (see the top). */
static int put_text(struct pyro_buf *out, const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i, n;
	int quote = len == 0, rc;

	for (i = 0; i < len && !quote; i += n) {
		n = p[i] < 0x80 ? 1 : utf8_seq(p + i, len - i);
		quote = !n || p[i] <= ' ' || p[i] == 0x7f || p[i] == '"' ||
			p[i] == '\\';
	}
	if (!quote)
		return pyro_buf_add(out, text, len);
	rc = pyro_buf_putc(out, '"');
	for (i = 0; i < len && !rc; i += n) {
		n = p[i] < 0x80 ? 1 : utf8_seq(p + i, len - i);
		if (p[i] == '"' || p[i] == '\\')
			rc = pyro_buf_printf(out, "\\%c", p[i]);
		else if (!n || p[i] < ' ' || p[i] == 0x7f) {
			rc = pyro_buf_printf(out, "\\x%02x", p[i]);
			n = 1;
		} else
			rc = pyro_buf_add(out, text + i, n);
	}
	return rc ? rc : pyro_buf_putc(out, '"');
}

/* A number as its decimal integer: "1638400". */
static int put_number(struct pyro_buf *out, int64_t v)
{
	return pyro_buf_printf(out, "%lld", (long long)v);
}

/* The power-of-two range of a number: 0 for 0, k + 1 for [2^k, 2^(k+1)),
 * negative for negatives, so ranges order as their numbers. */
static int num_range(int64_t v)
{
	uint64_t m = v < 0 ? -(uint64_t)v : (uint64_t)v;
	int k = m ? 64 - __builtin_clzll(m) : 0;

	return v < 0 ? -k : k;
}

static int64_t range_low(int r)
{
	if (r == 0)
		return 0;
	if (r > 0)
		return r >= 64 ? INT64_MAX : (int64_t)1 << (r - 1);
	return r <= -64 ? INT64_MIN : -(((int64_t)1 << -r) - 1);
}

static int64_t range_high(int r)
{
	if (r == 0)
		return 0;
	if (r > 0)
		return r >= 63 ? INT64_MAX : ((int64_t)1 << r) - 1;
	return r <= -64 ? INT64_MIN : -((int64_t)1 << (-r - 1));
}

/* " (16kB)" after a number of a scaled unit; nothing otherwise. */
static int put_scaled(struct pyro_buf *out, int64_t v, const char *unit)
{
	char lab[PYRO_LABEL_MAX];

	pyro_unit_label(lab, v, unit, "auto");
	return pyro_buf_puts(out, lab);
}

/* The histogram of numeric key k: one line per power-of-two range. */
static int put_histogram(struct pyro_buf *out, const struct pyro_label_set *ls,
			 const struct pyro_label_key *k)
{
	int scaled = pyro_unit_kind(k->unit) != 0, r, rc = 0;

	for (r = -64; r <= 64 && !rc; r++) {
		int64_t sum = 0, only = 0;
		size_t j, n = 0;

		for (j = 0; j < k->nvalues; j++) {
			const struct pyro_label_value *v = &k->values[j];

			if (!v->total || num_range(v->num) != r)
				continue;
			if (__builtin_add_overflow(sum, v->total, &sum))
				sum = v->total > 0 ? INT64_MAX : INT64_MIN;
			only = v->num;
			n++;
		}
		if (!n)
			continue;
		rc = put_row(out, ls, sum);
		if (!rc)
			rc = put_text(out, k->text, k->len);
		if (!rc && n == 1) {
			rc = pyro_buf_putc(out, '=');
			if (!rc)
				rc = put_number(out, only);
			if (!rc && scaled)
				rc = pyro_buf_puts(out, " (");
			if (!rc && scaled)
				rc = put_scaled(out, only, k->unit);
			if (!rc && scaled)
				rc = pyro_buf_putc(out, ')');
		} else if (!rc) {
			rc = pyro_buf_printf(out, "=%lld..%lld (",
					     (long long)range_low(r),
					     (long long)range_high(r));
			if (!rc && scaled && r > 0 && r < 63) {
				rc = put_scaled(out, range_low(r), k->unit);
				if (!rc)
					rc = pyro_buf_puts(out, " to <");
				if (!rc)
					rc = put_scaled(out, range_high(r) + 1, k->unit);
				if (!rc)
					rc = pyro_buf_puts(out, "; ");
			}
			if (!rc)
				rc = pyro_buf_printf(out, "%zu values)", n);
		}
		if (!rc)
			rc = pyro_buf_putc(out, '\n');
	}
	return rc;
}

static size_t shown_values(const struct pyro_label_key *k)
{
	size_t j, n = 0;

	for (j = 0; j < k->nvalues; j++)
		n += k->values[j].total != 0;
	return n;
}

/* A key's line, its values' lines and its "not set" line. */
static int put_key(const struct pyro_label_set *ls,
		   const struct pyro_label_key *k, unsigned flags,
		   struct pyro_buf *out)
{
	int scaled = k->unit && pyro_unit_kind(k->unit) != 0;
	int histogram = k->unit && !(flags & PYRO_LABELS_EACH_NUMBER) &&
			pyro_label_key_numeric(k);
	size_t j;
	int rc;

	rc = put_row(out, ls, k->total);
	if (!rc)
		rc = put_text(out, k->text, k->len);
	if (!rc && k->unit && histogram && shown_values(k) > 1)
		rc = pyro_buf_printf(out, " (numbers in %s; %zu value%s, by powers "
				     "of two)", k->unit, shown_values(k),
				     shown_values(k) == 1 ? "" : "s");
	else if (!rc && k->unit)
		rc = pyro_buf_printf(out, " (numbers in %s)", k->unit);
	if (!rc)
		rc = pyro_buf_putc(out, '\n');
	if (!rc && histogram)
		rc = put_histogram(out, ls, k);
	for (j = 0; j < k->nvalues && !rc && !histogram; j++) {
		const struct pyro_label_value *v = &k->values[j];

		if (!v->total)
			continue;
		rc = put_row(out, ls, v->total);
		if (!rc)
			rc = put_text(out, k->text, k->len);
		if (!rc)
			rc = pyro_buf_putc(out, '=');
		if (!rc)
			rc = put_text(out, v->text, v->len);
		if (!rc && scaled && (v->kinds & PYRO_LABEL_NUMBER)) {
			rc = pyro_buf_puts(out, " (");
			if (!rc)
				rc = put_scaled(out, v->num, k->unit);
			if (!rc)
				rc = pyro_buf_putc(out, ')');
		}
		if (!rc)
			rc = pyro_buf_putc(out, '\n');
	}
	if (!rc && k->without) {
		rc = put_row(out, ls, k->without);
		if (!rc)
			rc = put_text(out, k->text, k->len);
		if (!rc)
			rc = pyro_buf_puts(out, " not set\n");
	}
	return rc;
}

static int put_labels(const struct pyro_label_set *ls, unsigned flags,
		      struct pyro_buf *out)
{
	char total[PYRO_LABEL_MAX];
	size_t i, nkeys = 0, nvalues = 0;
	int rc;

	for (i = 0; i < ls->nkeys; i++) {
		nkeys += ls->keys[i].total != 0;
		nvalues += ls->keys[i].total != 0 ? shown_values(&ls->keys[i]) : 0;
	}
	pyro_unit_label(total, ls->total, ls->sample_unit, "auto");
	rc = pyro_buf_printf(out, "Type: %s\nUnit: %s\nTotal: %s (%u snapshot%s)\n",
			     ls->sample_type, ls->sample_unit, total,
			     ls->nsnapshots, ls->nsnapshots == 1 ? "" : "s");
	if (!rc && nkeys == 0)
		return pyro_buf_puts(out, "Labels: none\n");
	if (!rc)
		rc = pyro_buf_printf(out, "Labels: %zu key%s, %zu value%s; share of the total, largest first\n",
				     nkeys, nkeys == 1 ? "" : "s",
				     nvalues, nvalues == 1 ? "" : "s");
	if (!rc)
		rc = pyro_buf_printf(out, "%10s %6s  %s\n", "total", "share", "label");
	for (i = 0; i < ls->nkeys && !rc; i++)
		if (ls->keys[i].total != 0)
			rc = put_key(ls, &ls->keys[i], flags, out);
	return rc;
}

int pyro_labels_render_flags(const struct pyro_label_set *ls, unsigned flags,
			     struct pyro_buf *out)
{
	size_t start = out->len;
	int rc = put_labels(ls, flags, out);

	if (rc)
		pyro_buf_truncate(out, start);  /* as it was (render.h) */
	return rc;
}

int pyro_labels_render(const struct pyro_label_set *ls, struct pyro_buf *out)
{
	return pyro_labels_render_flags(ls, 0, out);
}
