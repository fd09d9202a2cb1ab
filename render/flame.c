/*
 * flame.c - flame.svg and icicle.svg: an interactive flame graph in one
 * self-contained SVG, root at the bottom (flame) or at the top (icicle, as
 * Pyroscope draws it).  Both orientations are one code path: only the row
 * of a depth differs (row_y()), and the script reads the orientation from
 * the data-dir attribute of #frames.
 *
 * The picture.  The prefix tree of the call stacks, each box as wide as its
 * share of the total, children merged by function name and ordered by name
 * bytewise, so equal input gives equal bytes.  A frame's colour depends only
 * on its function's package, so a package looks the same in every graph
 * (flame_color.c); diffs colour by change.  Title: service/type/span (and
 * the time range of a merge); subtitle: the total, what it measures, the
 * profile's duration (and CPU's average cores), the merge, what pruning
 * hid.
 *
 * Diffs.  Every stack of either side is drawn, each as wide as |base| +
 * |target| (diff_width(), as Pyroscope's diff view), so a frame that
 * vanished keeps its base's width and every frame's base and target are
 * the full sums of both sides; the boxes carry both (data-b, data-t, and
 * the title), the subtitle the net change, and the colour is
 * (target - base) / (|base| + |target|): symmetric around zero, full red
 * for a new frame, full blue for one that vanished.
 *
 * Pruning (the size bound).  A box is drawn when it is at least FLAME_MIN_W
 * px wide at full view AND it is among the FLAME_MAX_BOXES widest frames;
 * a tie at the cap is never split (all frames of the cap's width are
 * hidden), so the rule reads "hidden: frames of at most X px".  Children are
 * never wider than their parent, so the kept boxes form a tree.  Hidden
 * siblings next to each other are drawn as one hatched "N hidden frames"
 * box when that run is at least FLAME_REST_MIN_W wide, so a large hidden
 * mass does not pass for self time, and the subtitle states how many frames
 * and how much value were hidden.  Names longer than FLAME_NAME_MAX
 * characters are cut with "..".  So a file holds at most FLAME_MAX_BOXES
 * named boxes of bounded size (and fewer than twice as many hatched), whatever
 * the profile: about 180 bytes a box with typical Go names, < 500 KB.
 *
 * Safety.  The SVG must be safe and correct when opened straight from the
 * mount:
 *  - function names are untrusted bytes.  They go only into XML character
 *    data (<title>, <text>), never into attributes or the script, after
 *    clean_text() turned them into valid XML 1.0 UTF-8 (every control byte,
 *    invalid UTF-8 byte and non-character becomes U+FFFD) and pyro_xml_escape()
 *    escaped & < > " ' (text.h owns that rule).
 *    The sample type and unit join the output only when they are plain
 *    [A-Za-z0-9_.-] words (plain_word()).
 *  - the static picture is complete without JavaScript: boxes, labels,
 *    titles as native tooltips.  The inline script (render/flame.js, with
 *    render/flame.css compiled in: embedded.h; fixed text, no data) adds
 *    hover details, zoom, search and the URL state.  It reads what it
 *    needs from each box: data-o (offset from the left edge) and data-v
 *    (value), both in units of the greatest common divisor of the values
 *    (CPU profiles count in 10 ms steps: shorter numbers), and the frame
 *    name, which is the <title> text before its last " (".
 *  - nothing is ever fetched: no external reference of any kind.
 *
 * The prefix tree (with diff_width()) and pruning are flame_tree.c; this
 * file draws them; flame_priv.h is what the two share.
 *
 * Layout numbers are computed once here and once in the script with the
 * same double arithmetic (x = offset * 1200 / total, rounded to cents), so
 * "Reset Zoom" reproduces the static picture exactly.
 */
#include "render.h"
#include "embedded.h"
#include "flame_color.h"
#include "flame_priv.h"
#include "../model/filter.h"
#include "text.h"
#include "units.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- names ---------------------------------------------------------- */

/* Byte length of the first `chars` code points of valid UTF-8 text. */
static size_t utf8_prefix(const char *p, size_t n, size_t chars)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (((unsigned char)p[i] & 0xc0) != 0x80 && chars-- == 0)
			break;
	return i;
}

static size_t utf8_count(const char *p, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += ((unsigned char)p[i] & 0xc0) != 0x80;
	return k;
}

/* Replace dst with the bytes p[0..n) made into valid XML text: each byte
 * that is not part of a legal character becomes U+FFFD.  Tab, newline and
 * CR are replaced too, since a label is one line.  Text longer than
 * FLAME_NAME_MAX characters is cut there and ".." appended. */
static int clean_text(struct pyro_buf *dst, const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0, run = 0, len;
	int rc;

	dst->len = 0;
	rc = pyro_buf_grow(dst, n + 1);
	while (!rc && i < n) {
		len = pyro_xml_char_len(u + i, n - i);
		if (len) {
			i += len;
			run += len;
			continue;
		}
		rc = pyro_buf_add(dst, p + i - run, run);
		if (!rc)
			rc = pyro_buf_add(dst, "\xef\xbf\xbd", 3);
		run = 0;
		i++;
	}
	if (!rc)
		rc = pyro_buf_add(dst, p + i - run, run);
	if (!rc && utf8_count(dst->data, dst->len) > FLAME_NAME_MAX) {
		dst->len = utf8_prefix(dst->data, dst->len, FLAME_NAME_MAX);
		rc = pyro_buf_add(dst, "..", 2);
	}
	return rc;
}

/* Append untrusted bytes to out as escaped XML text, cleaning in scratch. */
static int put_untrusted(struct pyro_buf *out, struct pyro_buf *scratch,
			 const char *p, size_t n)
{
	int rc = clean_text(scratch, p, n);

	return rc ? rc : pyro_xml_escape(out, scratch->data, scratch->len);
}

/* ---- geometry ------------------------------------------------------- */

/* x of offset `off` in hundredths of a pixel; the script computes the same
 * from the same quanta. */
static long long x_cents(int64_t off, const struct flame_ctx *c)
{
	return llround((double)(off / c->quantum) * FLAME_W /
		       (double)(c->total / c->quantum) * 100.0);
}

/* Top of the box row of a depth. */
static int row_y(const struct flame_ctx *c, uint32_t depth)
{
	uint32_t row = c->down ? depth : c->maxdepth - depth;

	return FLAME_TOP + (int)row * FLAME_FRAME_H;
}

/* ---- header --------------------------------------------------------- */

static const char *opt(const char *s)
{
	return s ? s : "";
}

/* A sample type or unit that may join the output: a plain word of
 * [A-Za-z0-9_.-], at most 32 bytes (see Safety above). */
static bool plain_word(const char *t)
{
	size_t n = t ? strlen(t) : 0, i;

	if (n == 0 || n > 32)
		return false;
	for (i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_.-", t[i]))
			return false;
	return true;
}

/* Prepare c->unit_suffix: " <sample type>" when values are plain counts
 * ("540 contentions") and the type is a plain word; else empty. */
static int prepare_suffix(struct flame_ctx *c)
{
	const char *t = c->s->meta.sample_type;

	if (pyro_unit_kind(opt(c->s->meta.sample_unit)) != 0 || !plain_word(t))
		return pyro_buf_add(&c->unit_suffix, "", 0);
	return pyro_buf_printf(&c->unit_suffix, " %s", t);
}

/* "5.67s", or "540 contentions" when the unit is a plain count.  The unit
 * label is ASCII from the unit tables: it needs no escaping. */
static int put_value(struct flame_ctx *c, int64_t v)
{
	char label[PYRO_LABEL_MAX];
	int rc;

	pyro_unit_label(label, v, opt(c->s->meta.sample_unit), "auto");
	rc = pyro_buf_puts(c->out, label);
	return rc ? rc : pyro_buf_add(c->out, c->unit_suffix.data,
				      c->unit_suffix.len);
}

/* "5.67s, 12.50%": the value and its share of the total. */
static int put_value_share(struct flame_ctx *c, int64_t v)
{
	char pct[PYRO_LABEL_MAX];
	const char *p = pct;
	int rc;

	pyro_percentage(pct, v, c->total);
	while (*p == ' ')
		p++;
	rc = put_value(c, v);
	return rc ? rc : pyro_buf_printf(c->out, ", %s", p);
}

/* A signed value with its unit: "-270ms", "+1.20s", "0". */
static int put_signed(struct flame_ctx *c, int64_t v)
{
	char label[PYRO_LABEL_MAX];
	int rc;

	pyro_unit_label(label, v == INT64_MIN ? INT64_MAX : v < 0 ? -v : v,
			opt(c->s->meta.sample_unit), "auto");
	rc = pyro_buf_printf(c->out, "%s%s", v < 0 ? "-" : v > 0 ? "+" : "", label);
	return rc ? rc : pyro_buf_add(c->out, c->unit_suffix.data,
				      c->unit_suffix.len);
}

/* A change relative to its base: "-4.0%", "+12.5%", "new" (no base). */
static int put_rel(struct flame_ctx *c, int64_t delta, int64_t base)
{
	if (base == 0)
		return pyro_buf_puts(c->out, delta ? "new" : "+0.0%");
	return pyro_buf_printf(c->out, "%+.1f%%", 100.0 * (double)delta /
			       fabs((double)base));
}

/* A diff box's figures: "base 2.37s, target 2.10s, change -270ms, -11.4%". */
static int put_diff_stat(struct flame_ctx *c, const struct flame_node *nd)
{
	int rc = pyro_buf_puts(c->out, "base ");

	if (!rc)
		rc = put_value(c, nd->base);
	if (!rc)
		rc = pyro_buf_puts(c->out, ", target ");
	if (!rc)
		rc = put_value(c, nd->base + nd->delta);
	if (!rc)
		rc = pyro_buf_puts(c->out, ", change ");
	if (!rc)
		rc = put_signed(c, nd->delta);
	if (!rc)
		rc = pyro_buf_puts(c->out, ", ");
	return rc ? rc : put_rel(c, nd->delta, nd->base);
}

/* A diff box's exact figures for scripts and tests: data-b (base) and
 * data-t (target), raw integers. */
static int put_diff_data(struct flame_ctx *c, const struct flame_node *nd)
{
	return pyro_buf_printf(c->out, " data-b=\"%lld\" data-t=\"%lld\"",
			       (long long)nd->base,
			       (long long)(nd->base + nd->delta));
}

/* A diff's subtitle head: "Change: -180ms, -4.0%: 4.50s → 4.32s; widths
 * base + target, red grew, blue shrank". */
static int put_diff_total(struct flame_ctx *c, const struct flame_node *root)
{
	int rc = pyro_buf_puts(c->out, "Change: ");

	if (!rc)
		rc = put_signed(c, root->delta);
	if (!rc)
		rc = pyro_buf_puts(c->out, ", ");
	if (!rc)
		rc = put_rel(c, root->delta, root->base);
	if (!rc)
		rc = pyro_buf_puts(c->out, ": ");
	if (!rc)
		rc = put_value(c, root->base);
	if (!rc)
		rc = pyro_buf_puts(c->out, " \xe2\x86\x92 ");
	if (!rc)
		rc = put_value(c, root->base + root->delta);
	return rc ? rc : pyro_buf_puts(c->out, "; width: base + target; "
				       "red grew, blue shrank");
}

/* "2026-11-24 10:15:00" (UTC) of Unix nanoseconds. */
static void utc_text(int64_t nanos, char out[32])
{
	time_t sec = (time_t)(nanos / PYRO_NS_PER_SEC);
	struct tm tm;

	if (!gmtime_r(&sec, &tm) || !strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm))
		strcpy(out, "?");
}

/* "service/type/span", each part cleaned and escaped, and for a merge of
 * several snapshots its time range: " (2026-11-24 10:15:00 to ... UTC)". */
static int put_title(struct flame_ctx *c)
{
	const struct pyro_meta *m = &c->s->meta;
	const char *parts[3] = { opt(m->service), opt(m->type), opt(m->span) };
	char from[32], to[32];
	int i, rc = 0, sep = 0;

	for (i = 0; i < 3 && !rc; i++) {
		if (!parts[i][0])
			continue;
		if (sep)
			rc = pyro_buf_putc(c->out, '/');
		if (!rc)
			rc = put_untrusted(c->out, &c->text, parts[i],
					   strlen(parts[i]));
		sep = 1;
	}
	if (!rc && !sep)
		rc = pyro_buf_puts(c->out, "Flame Graph");
	if (!rc && m->filter) {
		struct pyro_buf f = PYRO_BUF_INIT;

		rc = pyro_buf_puts(c->out, " with label ");
		if (!rc)
			rc = pyro_filter_text(m, &f);
		if (!rc)
			rc = put_untrusted(c->out, &c->text, f.data, f.len);
		pyro_buf_release(&f);
	}
	if (!rc && m->name_filters) {
		/* "focus=a\nhide=b" reads "(focus=a hide=b)" */
		struct pyro_buf f = PYRO_BUF_INIT;
		size_t i;

		rc = pyro_buf_puts(&f, m->name_filters);
		for (i = 0; i < f.len; i++)
			if (f.data[i] == '\n')
				f.data[i] = ' ';
		if (!rc)
			rc = pyro_buf_puts(c->out, " (");
		if (!rc)
			rc = put_untrusted(c->out, &c->text, f.data, f.len);
		if (!rc)
			rc = pyro_buf_putc(c->out, ')');
		pyro_buf_release(&f);
	}
	if (!rc && m->base_span) {
		rc = pyro_buf_puts(c->out, " minus ");
		if (!rc)
			rc = put_untrusted(c->out, &c->text, m->base_span,
					   strlen(m->base_span));
	}
	if (!rc && m->nsnapshots > 1 && m->time_nanos > 0 &&
	    m->newest_nanos >= m->time_nanos) {
		utc_text(m->time_nanos, from);
		utc_text(m->newest_nanos, to);
		rc = pyro_buf_printf(c->out, " (%s to %s UTC)", from, to);
	}
	return rc;
}

/* A label node: "; 26.61% of the node's 3.57s" (its samples' share). */
static int put_label_share(struct flame_ctx *c, int64_t whole)
{
	char pct[PYRO_LABEL_MAX];
	const char *p = pct;
	int rc;

	pyro_percentage(pct, c->total, whole);
	while (*p == ' ')
		p++;
	rc = pyro_buf_printf(c->out, "; %s of the node's ", p);
	return rc ? rc : put_value(c, whole);
}

/* "; cpu in nanoseconds; 10s profiled, 0.36 cores on average": what the
 * numbers measure (unless the total said it), and over how long (a CPU
 * profile's total over its duration is the cores it kept busy).  Diffs say
 * no duration. */
static int put_measure(struct flame_ctx *c)
{
	const struct pyro_meta *m = &c->s->meta;
	const char *type = opt(m->sample_type), *unit = opt(m->sample_unit);
	char dur[PYRO_LABEL_MAX];
	int rc = 0;

	/* Counts already say what they count ("540 contentions"). */
	if (plain_word(type) && plain_word(unit) && !c->unit_suffix.len)
		rc = pyro_buf_printf(c->out, "; %s in %s", type, unit);
	if (rc || c->diff || m->duration_nanos <= 0)
		return rc;
	pyro_unit_label(dur, m->duration_nanos, "nanoseconds", "auto");
	rc = pyro_buf_printf(c->out, "; %s profiled", dur);
	if (!rc && pyro_unit_kind(unit) == 1 && (!strcmp(opt(m->type), "cpu") ||
						 !strcmp(type, "cpu")))
		rc = pyro_buf_printf(c->out, ", %.2f cores on average",
				     pyro_unit_scale(c->total, unit, "s", &type) /
				     ((double)m->duration_nanos / 1e9));
	return rc;
}

/* A profile with negative samples (a delta): the subtitle's total is
 * pprof's, the sum of |sample|, but only the positive stacks are drawn:
 * " (drawn: the positive stacks, 78.11kB)". */
static int put_undrawn(struct flame_ctx *c)
{
	int rc;

	if (c->pprof_total == c->total)
		return 0;
	rc = pyro_buf_puts(c->out, " (drawn: the positive stacks, ");
	if (!rc)
		rc = put_value(c, c->total);
	return rc ? rc : pyro_buf_putc(c->out, ')');
}

/* "Total: 5.67s; cpu in nanoseconds; 10s profiled, 0.57 cores on average;
 * merged 3 snapshots (sum); 12 frames hidden (...): ..." */
static int put_subtitle(struct flame_ctx *c)
{
	const struct pyro_meta *m = &c->s->meta;
	int rc;

	if (c->diff)
		rc = put_diff_total(c, c->root);
	else
		rc = pyro_buf_puts(c->out, "Total: ");
	if (!rc && !c->diff)
		rc = put_value(c, c->pprof_total);
	if (!rc && !c->diff)
		rc = put_undrawn(c);
	if (!rc && !c->diff)    /* a diff's change line has said it */
		rc = put_measure(c);
	if (!rc && c->total == 0)
		rc = pyro_buf_puts(c->out, "; no samples");
	if (!rc && m->filter && m->whole_total > 0)
		rc = put_label_share(c, m->whole_total);
	if (!rc && (m->rule != PYRO_MERGE_SINGLE || m->nsnapshots > 1))
		rc = pyro_buf_printf(c->out, "; merged %u snapshots (%s)",
				     m->nsnapshots, pyro_merge_rule_name(m->rule));
	if (rc || !c->nhidden)
		return rc;
	rc = pyro_buf_printf(c->out, "; %zu frame%s hidden (", c->nhidden,
			     c->nhidden == 1 ? "" : "s");
	if (!rc && c->capped)
		rc = pyro_buf_printf(c->out, "at most %.2fpx wide; cap %d boxes",
				     width_px(c->cut, c->total), FLAME_MAX_BOXES);
	else if (!rc)
		rc = pyro_buf_printf(c->out, "narrower than %.1fpx", FLAME_MIN_W);
	if (!rc)
		rc = pyro_buf_puts(c->out, "): ");
	return rc ? rc : put_value_share(c, c->hidden_value);
}

/* The style is render/flame.css (see embedded.h); then the background
 * gradient and the hatching of hidden runs. */
static int put_style(struct flame_ctx *c)
{
	int rc = pyro_buf_puts(c->out, "<style type=\"text/css\"><![CDATA[\n");

	if (!rc)
		rc = pyro_buf_add(c->out, pyro_flame_css, pyro_flame_css_len);
	if (!rc)
		rc = pyro_buf_puts(c->out, "]]></style>\n");
	if (!rc)
		rc = pyro_buf_puts(c->out,
			"<defs><linearGradient id=\"bg\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">"
			"<stop offset=\"5%\" stop-color=\"#eeeeee\"/>"
			"<stop offset=\"95%\" stop-color=\"#eeeeb0\"/>"
			"</linearGradient>"
			"<pattern id=\"rest\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
			"patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#e4e4e4\"/>"
			"<rect width=\"2\" height=\"6\" fill=\"#c4c4c4\"/></pattern></defs>\n");
	return rc;
}

/* The height a picture without script claims: a shallow graph is
 * stretched, at most FLAME_STRETCH times, towards FLAME_THUMB_ASPECT, so a
 * file manager's thumbnail (librsvg, no script, a small square) shows
 * frames rather than a thin line.  The script lays the graph out at its
 * real height, as wide as the window. */
static int static_height(int h)
{
	double want = FLAME_W / FLAME_THUMB_ASPECT;

	if (h >= want)
		return h;
	return (int)fmin(want, h * FLAME_STRETCH);
}

static int emit_header(struct flame_ctx *c)
{
	struct pyro_buf *o = c->out;
	int h = c->height, rc;

	rc = pyro_buf_printf(o,
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"preserveAspectRatio=\"none\" "
		"font-family=\"monospace\" font-size=\"12\">\n<title>",
		FLAME_W, static_height(h), FLAME_W, h);
	if (!rc)
		rc = put_title(c);
	if (!rc)
		rc = pyro_buf_puts(o, "</title>\n");
	if (!rc)
		rc = put_style(c);
	if (!rc)
		rc = pyro_buf_printf(o, "<rect width=\"100%%\" height=\"%d\" "
				     "fill=\"url(#bg)\"/>\n<text id=\"title\" x=\"%d\" "
				     "y=\"24\" text-anchor=\"middle\" font-size=\"17\">",
				     h, FLAME_W / 2);
	if (!rc)
		rc = put_title(c);
	if (!rc)
		rc = pyro_buf_printf(o, "</text>\n<text id=\"subtitle\" x=\"%d\" y=\"44\" "
				     "text-anchor=\"middle\">", FLAME_W / 2);
	if (!rc)
		rc = put_subtitle(c);
	if (!rc)
		rc = pyro_buf_printf(o,
			"</text>\n"
			"<text id=\"unzoom\" class=\"ctl\" x=\"10\" y=\"24\" "
			"display=\"none\">Reset Zoom</text>\n"
			"<text id=\"search\" class=\"ctl\" x=\"%d\" y=\"24\" "
			"text-anchor=\"end\" display=\"none\">Search</text>\n"
			"<text id=\"case\" class=\"ctl\" x=\"%d\" y=\"44\" "
			"text-anchor=\"end\" display=\"none\">[ ] ignore case</text>\n"
			"<text id=\"matched\" x=\"%d\" y=\"%d\" text-anchor=\"end\"></text>\n"
			"<text id=\"details\" x=\"10\" y=\"%d\"> </text>\n"
			"<g id=\"frames\" data-dir=\"%s\" data-total=\"%lld\"%s>\n",
			FLAME_W - 10, FLAME_W - 10, FLAME_W - 10, h - 14, h - 14,
			c->down ? "down" : "up",
			(long long)(c->total > 0 ? c->total / c->quantum : 0),
			c->diff ? " data-diff=\"1\"" : "");
	return rc;
}

/* ---- frames --------------------------------------------------------- */

/* Hundredths of a pixel as the shortest decimal: "450", "1199.5", "0.07". */
static int put_px(struct pyro_buf *out, const char *attr, long long cents)
{
	if (cents % 100 == 0)
		return pyro_buf_printf(out, " %s=\"%lld\"", attr, cents / 100);
	if (cents % 10 == 0)
		return pyro_buf_printf(out, " %s=\"%lld.%lld\"", attr, cents / 100,
				       cents % 100 / 10);
	return pyro_buf_printf(out, " %s=\"%lld.%02lld\"", attr, cents / 100,
			       cents % 100);
}

/* The static label of c->text, by the first rule that fits: the name; the
 * name after its last '/' (the package path dropped, as pprof shortens Go
 * names: "net/http.(*conn).serve" -> "http.(*conn).serve"); the head of
 * that and ".."; nothing when fewer than 3 characters fit.  The script
 * applies the same rule. */
static int put_label(struct flame_ctx *c, long long x, long long w, int y)
{
	double fit = floor(((double)w / 100.0 - 2 * FLAME_PAD) / FLAME_CHAR_W);
	size_t chars = fit > 0 ? (size_t)fit : 0;
	const char *p = c->text.data, *slash;
	size_t len = c->text.len, n = utf8_count(p, len), bytes = len;
	int rc;

	if (chars < 3)
		return 0;
	slash = memrchr(p, '/', len);
	if (n > chars && slash && slash + 1 < p + len) {
		len -= (size_t)(slash + 1 - p);
		p = slash + 1;
		n = utf8_count(p, len);
		bytes = len;
	}
	if (n > chars)
		bytes = utf8_prefix(p, len, chars - 2);
	rc = pyro_buf_puts(c->out, "<text");
	if (!rc)
		rc = put_px(c->out, "x", x + FLAME_PAD * 100);
	if (!rc)
		rc = pyro_buf_printf(c->out, " y=\"%d\">", y + 11);
	if (!rc)
		rc = pyro_xml_escape(c->out, p, bytes);
	if (!rc && n > chars)
		rc = pyro_buf_puts(c->out, "..");
	return rc ? rc : pyro_buf_puts(c->out, "</text>");
}

/* One box for c->text (already clean): <g data-o data-v><title/><rect/>
 * <text/></g>.  A hidden-run box has class "rest" and the hatched fill. */
static int emit_box(struct flame_ctx *c, uint32_t depth, int64_t off,
		    int64_t value, const struct flame_node *dn, unsigned fill,
		    bool rest)
{
	long long x = x_cents(off, c);
	long long w = x_cents(off + value, c) - x;
	int y = row_y(c, depth);
	int rc;

	rc = pyro_buf_printf(c->out, "<g%s data-o=\"%lld\" data-v=\"%lld\"",
			     rest ? " class=\"rest\"" : "",
			     (long long)(off / c->quantum),
			     (long long)(value / c->quantum));
	if (!rc && dn)
		rc = put_diff_data(c, dn);
	if (!rc)
		rc = pyro_buf_puts(c->out, "><title>");
	if (!rc)
		rc = pyro_xml_escape(c->out, c->text.data, c->text.len);
	if (!rc)
		rc = pyro_buf_puts(c->out, " (");
	if (!rc && dn)
		rc = put_diff_stat(c, dn);
	else if (!rc)
		rc = put_value_share(c, value);
	if (!rc)
		rc = pyro_buf_puts(c->out, ")</title><rect");
	if (!rc)
		rc = put_px(c->out, "x", x);
	if (!rc)
		rc = pyro_buf_printf(c->out, " y=\"%d\"", y);
	if (!rc)
		rc = put_px(c->out, "width", w);
	if (!rc && rest)
		rc = pyro_buf_printf(c->out, " height=\"%d\" fill=\"url(#rest)\"/>",
				     FLAME_RECT_H);
	else if (!rc)
		rc = pyro_buf_printf(c->out, " height=\"%d\" fill=\"#%06x\"/>",
				     FLAME_RECT_H, fill);
	if (!rc)
		rc = put_label(c, x, w, y);
	return rc ? rc : pyro_buf_puts(c->out, "</g>\n");
}

static int emit_node(struct flame_ctx *c, const struct flame_node *nd,
		     int64_t off)
{
	struct pyro_str name = { "all", 3 };
	int rc;

	if (nd->depth > 0)
		name = frame_name(c->s, nd->name);
	rc = clean_text(&c->text, name.ptr, name.len);
	return rc ? rc : emit_box(c, nd->depth, off, nd->value, c->diff ? nd : NULL,
				  c->diff ? pyro_flame_diff_color(nd->delta, nd->value) :
				  pyro_flame_name_color(name.ptr, name.len), false);
}

/* Adjacent hidden siblings, drawn as one box. */
struct flame_run {
	bool open;
	uint32_t depth;
	int64_t off, value;
	size_t frames;          /* hidden frames in it, descendants included */
};

static int run_flush(struct flame_ctx *c, struct flame_run *r, bool dry)
{
	int rc = 0;

	bool wide = r->open && width_px(r->value, c->total) >= FLAME_REST_MIN_W;

	if (wide && dry) {
		if (r->depth > c->maxdepth)
			c->maxdepth = r->depth;
	} else if (wide) {
		c->text.len = 0;
		rc = pyro_buf_printf(&c->text, "%zu hidden frame%s", r->frames,
				     r->frames == 1 ? "" : "s");
		if (!rc)
			rc = emit_box(c, r->depth, r->off, r->value, NULL, 0, true);
	}
	r->open = false;
	return rc;
}

/* All drawn boxes in preorder; next[d] is the offset where the next node
 * of depth d starts (its parent's offset plus its elder siblings).  A dry
 * walk emits nothing and only extends c->maxdepth to the rows of the
 * hidden-run boxes (one row above the deepest drawn frame at most). */
static int emit_frames(struct flame_ctx *c, const struct flame_tree *t,
		       bool dry)
{
	int64_t *next = calloc((size_t)t->maxdepth + 2, sizeof(*next));
	struct flame_run run = { 0 };
	size_t k;
	int rc = next ? 0 : -ENOMEM;

	for (k = 0; k < t->n && !rc; k++) {
		const struct flame_node *nd = &t->nodes[k];
		int64_t off = next[nd->depth];

		next[nd->depth] += nd->value;
		next[nd->depth + 1] = off;
		if (c->keep[k]) {
			rc = run_flush(c, &run, dry);
			if (!rc && !dry)
				rc = emit_node(c, nd, off);
			continue;
		}
		if (run.open && nd->depth > run.depth) {
			run.frames++;           /* inside the run's subtrees */
			continue;
		}
		if (run.open && (nd->depth < run.depth ||
				 run.off + run.value != off))
			rc = run_flush(c, &run, dry);
		if (!run.open)
			run = (struct flame_run){ true, nd->depth, off, 0, 0 };
		run.value += nd->value;
		run.frames++;
	}
	if (!rc)
		rc = run_flush(c, &run, dry);
	free(next);
	return rc;
}

/* The behaviour is render/flame.js (see embedded.h): fixed text, never
 * any data, kept in step with the C geometry above: W, CW (FLAME_CHAR_W),
 * PAD and the label rule.  State in the URL: ?s=REGEX (search), i=1
 * (ignore case), x=N (zoomed box: its index among the boxes of #frames,
 * preorder), read back on load. */
static int put_script(struct pyro_buf *out)
{
	int rc = pyro_buf_puts(out, "<script type=\"text/ecmascript\"><![CDATA[\n");

	if (!rc)
		rc = pyro_buf_add(out, pyro_flame_js, pyro_flame_js_len);
	return rc ? rc : pyro_buf_puts(out, "]]></script>\n");
}

static int render(const struct pyro_stacks *s, struct pyro_buf *out, bool down)
{
	struct flame_ctx c = { .s = s, .out = out, .down = down, .quantum = 1, .diff = s->base != NULL,
			       .text = PYRO_BUF_INIT, .unit_suffix = PYRO_BUF_INIT };
	struct flame_tree t;
	size_t start = out->len;
	int rc;

	rc = pyro_flame_tree_build(s, &t);
	if (!rc)
		rc = prepare_suffix(&c);
	if (rc)
		goto out;
	c.total = t.nodes[0].value;
	c.root = &t.nodes[0];
	if (pyro_stacks_total(s, &c.pprof_total))
		c.pprof_total = c.total;
	if (c.total > 0)
		rc = pyro_flame_prune(&c, &t);
	if (!rc && c.total > 0)
		rc = emit_frames(&c, &t, true);
	c.height = FLAME_TOP + ((int)c.maxdepth + 1) * FLAME_FRAME_H + FLAME_BOTTOM;
	if (!rc)
		rc = emit_header(&c);
	if (!rc && c.total > 0)
		rc = emit_frames(&c, &t, false);
	if (!rc)
		rc = pyro_buf_puts(out, "</g>\n");
	if (!rc)
		rc = put_script(out);
	if (!rc)
		rc = pyro_buf_puts(out, "</svg>\n");
out:
	if (rc)
		pyro_buf_truncate(out, start);  /* as it was (render.h) */
	free(c.keep);
	pyro_flame_tree_release(&t);
	pyro_buf_release(&c.unit_suffix);
	pyro_buf_release(&c.text);
	return rc;
}

/* A callers node (meta.from_leaf) draws its stacks from the function
 * down to their roots: an icicle of the reversed stacks, the "callers"
 * half of a sandwich view. */
int pyro_flame_render(const struct pyro_stacks *s, struct pyro_buf *out)
{
	struct pyro_stacks rev;
	int rc;

	if (!s->meta.from_leaf)
		return render(s, out, false);
	rc = pyro_stacks_reverse(s, &rev);
	if (!rc)
		rc = render(&rev, out, true);
	pyro_stacks_release(&rev);
	return rc;
}

int pyro_icicle_render(const struct pyro_stacks *s, struct pyro_buf *out)
{
	return render(s, out, true);
}
