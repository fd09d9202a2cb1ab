/*
 * flame.c - flame.svg: an interactive flame graph in one self-contained SVG.
 *
 * The picture follows the classic flame graph: the prefix tree of the call
 * stacks, root ("all") at the bottom, each box as wide as its share of the
 * total, children merged by function name and ordered by name bytewise, so
 * equal input gives equal bytes.  Boxes narrower than FLAME_MIN_W pixels are
 * left out and counted in the subtitle; nothing else is capped.
 *
 * The SVG must be safe and correct when opened straight from the mount:
 *  - function names are untrusted bytes.  They go only into XML character
 *    data (<title>, <text>), never into attributes or the script, after
 *    clean_text() turned them into valid XML 1.0 UTF-8 (every control byte,
 *    invalid UTF-8 byte and non-character becomes U+FFFD) and put_escaped()
 *    escaped & < > " '.  Escaping '>' also keeps "]]>" out of the output.
 *  - the static picture is complete without JavaScript: boxes, labels,
 *    titles as native tooltips.  The inline script (fixed text, no data)
 *    only adds hover details, zoom and search.  It reads what it needs from
 *    each box's attributes: data-o (offset of the box in value units from
 *    the left edge) and data-v (its value); the frame name is the <title>
 *    text before its last " (".
 *
 * Layout numbers are computed once here and once in the script with the
 * same double arithmetic (x = offset * 1200 / total, rounded to cents), so
 * "Reset Zoom" reproduces the static picture exactly.
 */
#include "render.h"
#include "units.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define FLAME_W         1200    /* image and frame area width, px */
#define FLAME_FRAME_H   16      /* row pitch, px */
#define FLAME_RECT_H    15      /* box height, px (1 px gap between rows) */
#define FLAME_TOP       60      /* title and subtitle above the frames, px */
#define FLAME_BOTTOM    34      /* details line below the frames, px */
#define FLAME_MIN_W     0.5     /* narrower boxes are left out, px */
#define FLAME_CHAR_W    7.25    /* assumed glyph advance at 12px monospace */
#define FLAME_PAD       3       /* label inset from the box's left edge, px */

/* One node of the prefix tree, stored in preorder with children sorted by
 * name: a node's subtree is the run of following nodes deeper than it. */
struct flame_node {
	uint32_t name;          /* strtab id; unused for the root (index 0) */
	uint32_t depth;         /* 0 for the root "all" */
	int64_t value;          /* sum over the stacks through this node, > 0 */
};

struct flame_tree {
	struct flame_node *nodes;       /* preorder; owned */
	size_t n;
	size_t cap;
	uint32_t maxdepth;              /* deepest node */
};

/* A stack with a positive value, in the order tree_build() sorts them. */
struct flame_stack {
	const struct pyro_stacks *s;
	const uint32_t *refs;
	uint32_t depth;
	int64_t value;
};

/* What one rendering needs besides the tree. */
struct flame_ctx {
	const struct pyro_stacks *s;
	struct pyro_buf *out;
	struct pyro_buf text;           /* scratch: a cleaned name; owned */
	struct pyro_buf unit_suffix;    /* " contentions" or ""; owned */
	int64_t total;                  /* root value, > 0 unless no samples */
	uint32_t maxdepth;              /* deepest visible node */
	int height;                     /* image height, px */
	size_t nhidden;                 /* nodes left out as too narrow */
	int64_t hidden_value;           /* value of the outermost hidden nodes */
};

/* ---- names ---------------------------------------------------------- */

static struct pyro_str frame_name(const struct pyro_stacks *s, uint32_t id)
{
	return pyro_strtab_get(&s->strs, id);
}

/* Bytes of the UTF-8 sequence at p that is a legal XML 1.0 Char other than
 * a C0 control, or 0 when p[0] must be replaced. */
static size_t utf8_char_len(const unsigned char *p, size_t n)
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

/* Replace dst with the bytes p[0..n) made into valid XML text: each byte
 * that is not part of a legal character becomes U+FFFD.  Tab, newline and
 * CR are replaced too, since a label is one line. */
static int clean_text(struct pyro_buf *dst, const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0, run = 0, len;
	int rc;

	dst->len = 0;
	rc = pyro_buf_grow(dst, n + 1);
	while (!rc && i < n) {
		len = utf8_char_len(u + i, n - i);
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
	return rc;
}

/* Append already clean text, escaping the five XML special characters. */
static int put_escaped(struct pyro_buf *out, const char *p, size_t n)
{
	size_t i, start = 0;
	const char *rep;
	int rc = 0;

	for (i = 0; i < n && !rc; i++) {
		switch (p[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		default: continue;
		}
		rc = pyro_buf_add(out, p + start, i - start);
		if (!rc)
			rc = pyro_buf_puts(out, rep);
		start = i + 1;
	}
	if (!rc)
		rc = pyro_buf_add(out, p + start, n - start);
	return rc;
}

/* Append untrusted bytes to out as escaped XML text, cleaning in scratch. */
static int put_untrusted(struct pyro_buf *out, struct pyro_buf *scratch,
			 const char *p, size_t n)
{
	int rc = clean_text(scratch, p, n);

	return rc ? rc : put_escaped(out, scratch->data, scratch->len);
}

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

/* ---- prefix tree ---------------------------------------------------- */

/* Compare two frame references by name bytes. */
static int ref_cmp(const struct pyro_stacks *s, uint32_t a, uint32_t b)
{
	uint32_t ia = s->frames[PYRO_REF_FRAME(a)].name;
	uint32_t ib = s->frames[PYRO_REF_FRAME(b)].name;
	struct pyro_str x, y;
	int r;

	if (ia == ib)
		return 0;
	x = frame_name(s, ia);
	y = frame_name(s, ib);
	r = memcmp(x.ptr, y.ptr, x.len < y.len ? x.len : y.len);
	if (r)
		return r;
	return x.len < y.len ? -1 : x.len > y.len;
}

/* Lexicographic order of the name sequences: a prefix sorts first. */
static int stack_cmp(const void *pa, const void *pb)
{
	const struct flame_stack *a = pa, *b = pb;
	uint32_t i, n = a->depth < b->depth ? a->depth : b->depth;
	int r;

	for (i = 0; i < n; i++) {
		r = ref_cmp(a->s, a->refs[i], b->refs[i]);
		if (r)
			return r;
	}
	return a->depth < b->depth ? -1 : a->depth > b->depth;
}

static int tree_push(struct flame_tree *t, uint32_t name, uint32_t depth,
		     int64_t value)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct flame_node *p = realloc(t->nodes, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		t->nodes = p;
		t->cap = cap;
	}
	t->nodes[t->n++] = (struct flame_node){ name, depth, value };
	if (depth > t->maxdepth)
		t->maxdepth = depth;
	return 0;
}

/* The positive stacks of s, sorted; *total receives their sum. */
static int sorted_stacks(const struct pyro_stacks *s, struct flame_stack **out,
			 size_t *n, int64_t *total, uint32_t *maxdepth)
{
	struct flame_stack *v = malloc((s->nstacks ? s->nstacks : 1) * sizeof(*v));
	size_t k;

	if (!v)
		return -ENOMEM;
	*n = 0;
	*total = 0;
	*maxdepth = 0;
	for (k = 0; k < s->nstacks; k++) {
		const struct pyro_stack *st = &s->stacks[k];

		if (st->value <= 0)
			continue;
		if (__builtin_add_overflow(*total, st->value, total)) {
			free(v);
			return -EOVERFLOW;
		}
		v[(*n)++] = (struct flame_stack){ s, pyro_stack_refs(s, st),
						  st->depth, st->value };
		if (st->depth > *maxdepth)
			*maxdepth = st->depth;
	}
	qsort(v, *n, sizeof(*v), stack_cmp);
	*out = v;
	return 0;
}

/* Build the prefix tree: walking the sorted stacks, each one shares a prefix
 * with the current path (those nodes gain its value) and appends the rest
 * as new nodes, which lands them in preorder with sorted children. */
static int tree_build(const struct pyro_stacks *s, struct flame_tree *t)
{
	struct flame_stack *v = NULL;
	size_t *path = NULL;            /* node index by depth; path[0] = root */
	size_t n, k, plen = 1;
	int64_t total;
	uint32_t maxdepth, i;
	int rc;

	memset(t, 0, sizeof(*t));
	rc = sorted_stacks(s, &v, &n, &total, &maxdepth);
	if (rc)
		goto out;
	path = malloc(((size_t)maxdepth + 1) * sizeof(*path));
	rc = path ? tree_push(t, 0, 0, total) : -ENOMEM;
	if (rc)
		goto out;
	path[0] = 0;
	for (k = 0; k < n; k++) {
		const struct flame_stack *st = &v[k];

		for (i = 0; i < st->depth && i + 1 < plen; i++) {
			struct flame_node *nd = &t->nodes[path[i + 1]];

			if (nd->name != s->frames[PYRO_REF_FRAME(st->refs[i])].name)
				break;
			nd->value += st->value;
		}
		for (; i < st->depth; i++) {
			path[i + 1] = t->n;
			rc = tree_push(t, s->frames[PYRO_REF_FRAME(st->refs[i])].name,
				       i + 1, st->value);
			if (rc)
				goto out;
		}
		plen = (size_t)st->depth + 1;
	}
out:
	free(path);
	free(v);
	return rc;
}

static void tree_release(struct flame_tree *t)
{
	free(t->nodes);
	memset(t, 0, sizeof(*t));
}

/* ---- geometry ------------------------------------------------------- */

/* x of offset `off` in hundredths of a pixel; the script computes the same. */
static long long x_cents(int64_t off, int64_t total)
{
	return llround((double)off * FLAME_W / (double)total * 100.0);
}

static bool node_visible(const struct flame_node *nd, int64_t total)
{
	return (double)nd->value * FLAME_W / (double)total >= FLAME_MIN_W;
}

/* Find the deepest visible node and count the hidden ones.  Children are
 * never wider than their parent, so the hidden nodes whose parent is
 * visible are the outermost ones: their values sum without overlap. */
static int scan_visible(struct flame_ctx *c, const struct flame_tree *t)
{
	bool *vis = calloc((size_t)t->maxdepth + 1, sizeof(*vis));
	size_t k;

	if (!vis)
		return -ENOMEM;
	for (k = 0; k < t->n; k++) {
		const struct flame_node *nd = &t->nodes[k];

		vis[nd->depth] = node_visible(nd, c->total);
		if (vis[nd->depth]) {
			if (nd->depth > c->maxdepth)
				c->maxdepth = nd->depth;
			continue;
		}
		c->nhidden++;
		if (vis[nd->depth - 1])
			c->hidden_value += nd->value;
	}
	free(vis);
	c->height = FLAME_TOP + ((int)c->maxdepth + 1) * FLAME_FRAME_H +
		    FLAME_BOTTOM;
	return 0;
}

/* A warm colour that depends only on the name: hue red to yellow. */
static unsigned name_color(const char *p, size_t n)
{
	uint64_t h = pyro_hash_bytes(p, n, PYRO_HASH_SEED);
	double hue = (double)(h & 0xffff) / 65535.0 * 50.0 / 60.0; /* sextants */
	double sat = 0.72 + (double)((h >> 16) & 0xff) / 255.0 * 0.23;
	double light = 0.55 + (double)((h >> 24) & 0xff) / 255.0 * 0.10;
	double chroma = (1.0 - fabs(2.0 * light - 1.0)) * sat;
	double second = chroma * (1.0 - fabs(fmod(hue, 2.0) - 1.0));
	double m = light - chroma / 2.0;
	double r = chroma, g = second;  /* hue < 60 degrees: red dominates */

	return (unsigned)lround((r + m) * 255.0) << 16 |
	       (unsigned)lround((g + m) * 255.0) << 8 |
	       (unsigned)lround(m * 255.0);
}

/* ---- output --------------------------------------------------------- */

static const char *rule_name(enum pyro_merge_rule r)
{
	switch (r) {
	case PYRO_MERGE_SUM: return "sum";
	case PYRO_MERGE_INCREASE: return "increase";
	case PYRO_MERGE_MEAN: return "mean";
	default: return "single";
	}
}

static const char *opt(const char *s)
{
	return s ? s : "";
}

/* Prepare c->unit_suffix: " <sample type>", escaped, when values are plain
 * counts ("540 contentions"); empty for time and memory units. */
static int prepare_suffix(struct flame_ctx *c)
{
	const struct pyro_meta *m = &c->s->meta;
	int rc;

	if (pyro_unit_kind(opt(m->sample_unit)) != 0 || !m->sample_type ||
	    !m->sample_type[0])
		return pyro_buf_add(&c->unit_suffix, "", 0);
	rc = pyro_buf_putc(&c->unit_suffix, ' ');
	return rc ? rc : put_untrusted(&c->unit_suffix, &c->text, m->sample_type,
				       strlen(m->sample_type));
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

/* "service type span", each part cleaned and escaped. */
static int put_title(struct flame_ctx *c)
{
	const struct pyro_meta *m = &c->s->meta;
	const char *parts[3] = { opt(m->service), opt(m->type), opt(m->span) };
	int i, rc = 0, sep = 0;

	for (i = 0; i < 3 && !rc; i++) {
		if (!parts[i][0])
			continue;
		if (sep)
			rc = pyro_buf_putc(c->out, ' ');
		if (!rc)
			rc = put_untrusted(c->out, &c->text, parts[i],
					   strlen(parts[i]));
		sep = 1;
	}
	if (!rc && !sep)
		rc = pyro_buf_puts(c->out, "Flame Graph");
	return rc;
}

/* "Total: 5.67s; merged 3 snapshots (sum); 12 frames narrower than ..." */
static int put_subtitle(struct flame_ctx *c)
{
	const struct pyro_meta *m = &c->s->meta;
	int rc;

	rc = pyro_buf_puts(c->out, "Total: ");
	if (!rc)
		rc = put_value(c, c->total);
	if (!rc && c->total == 0)
		rc = pyro_buf_puts(c->out, "; no samples");
	if (!rc && (m->rule != PYRO_MERGE_SINGLE || m->nsnapshots > 1))
		rc = pyro_buf_printf(c->out, "; merged %u snapshots (%s)",
				     m->nsnapshots, rule_name(m->rule));
	if (!rc && c->nhidden) {
		rc = pyro_buf_printf(c->out, "; %zu frame%s narrower than %.1fpx hidden (",
				     c->nhidden, c->nhidden == 1 ? "" : "s",
				     FLAME_MIN_W);
		if (!rc)
			rc = put_value_share(c, c->hidden_value);
		if (!rc)
			rc = pyro_buf_putc(c->out, ')');
	}
	return rc;
}

static const char flame_style[] =
	"<style type=\"text/css\"><![CDATA[\n"
	"#frames g{cursor:pointer}\n"
	"#frames g:hover rect{stroke:#000;stroke-width:.5}\n"
	".anc{opacity:.5}\n"
	".hid{display:none}\n"
	".hit rect{fill:#c03ce0}\n"
	".ctl{cursor:pointer;fill:#2040a0}\n"
	".ctl:hover{text-decoration:underline}\n"
	"]]></style>\n"
	"<defs><linearGradient id=\"bg\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">"
	"<stop offset=\"5%\" stop-color=\"#eeeeee\"/>"
	"<stop offset=\"95%\" stop-color=\"#eeeeb0\"/>"
	"</linearGradient></defs>\n";

static int emit_header(struct flame_ctx *c)
{
	struct pyro_buf *o = c->out;
	int h = c->height, rc;

	rc = pyro_buf_printf(o,
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"font-family=\"monospace\" font-size=\"12\">\n<title>",
		FLAME_W, h, FLAME_W, h);
	if (!rc)
		rc = put_title(c);
	if (!rc)
		rc = pyro_buf_printf(o, "</title>\n%s<rect width=\"%d\" height=\"%d\" "
				     "fill=\"url(#bg)\"/>\n<text id=\"title\" x=\"%d\" "
				     "y=\"24\" text-anchor=\"middle\" font-size=\"17\">",
				     flame_style, FLAME_W, h, FLAME_W / 2);
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
			"<text id=\"matched\" x=\"%d\" y=\"%d\" text-anchor=\"end\"></text>\n"
			"<text id=\"details\" x=\"10\" y=\"%d\"> </text>\n"
			"<g id=\"frames\" data-total=\"%lld\">\n",
			FLAME_W - 10, FLAME_W - 10, h - 14, h - 14,
			(long long)c->total);
	return rc;
}

/* The static label: the name, or its head and "..", or nothing. */
static int put_label(struct flame_ctx *c, long long x, long long w, int y)
{
	double fit = floor(((double)w / 100.0 - 2 * FLAME_PAD) / FLAME_CHAR_W);
	size_t chars = fit > 0 ? (size_t)fit : 0;
	size_t n = utf8_count(c->text.data, c->text.len);
	size_t bytes = c->text.len;
	int rc;

	if (chars < 3)
		return 0;
	if (n > chars)
		bytes = utf8_prefix(c->text.data, c->text.len, chars - 2);
	x += FLAME_PAD * 100;
	rc = pyro_buf_printf(c->out, "<text x=\"%lld.%02lld\" y=\"%d\">",
			     x / 100, x % 100, y + 11);
	if (!rc)
		rc = put_escaped(c->out, c->text.data, bytes);
	if (!rc && n > chars)
		rc = pyro_buf_puts(c->out, "..");
	return rc ? rc : pyro_buf_puts(c->out, "</text>");
}

/* One box: <g data-o data-v><title/><rect/><text/></g>. */
static int emit_box(struct flame_ctx *c, const struct flame_node *nd,
		    int64_t off)
{
	struct pyro_str name = { "all", 3 };
	long long x = x_cents(off, c->total);
	long long w = x_cents(off + nd->value, c->total) - x;
	int y = FLAME_TOP + (int)(c->maxdepth - nd->depth) * FLAME_FRAME_H;
	int rc;

	if (nd->depth > 0)
		name = frame_name(c->s, nd->name);
	rc = clean_text(&c->text, name.ptr, name.len);
	if (!rc)
		rc = pyro_buf_printf(c->out, "<g data-o=\"%lld\" data-v=\"%lld\"><title>",
				     (long long)off, (long long)nd->value);
	if (!rc)
		rc = put_escaped(c->out, c->text.data, c->text.len);
	if (!rc)
		rc = pyro_buf_puts(c->out, " (");
	if (!rc)
		rc = put_value_share(c, nd->value);
	if (!rc)
		rc = pyro_buf_printf(c->out, ")</title><rect x=\"%lld.%02lld\" y=\"%d\" "
				     "width=\"%lld.%02lld\" height=\"%d\" fill=\"#%06x\"/>",
				     x / 100, x % 100, y, w / 100, w % 100,
				     FLAME_RECT_H, name_color(name.ptr, name.len));
	if (!rc)
		rc = put_label(c, x, w, y);
	return rc ? rc : pyro_buf_puts(c->out, "</g>\n");
}

/* All visible boxes in preorder; next[d] is the offset where the next node
 * of depth d starts (its parent's offset plus its elder siblings). */
static int emit_frames(struct flame_ctx *c, const struct flame_tree *t)
{
	int64_t *next = calloc((size_t)t->maxdepth + 2, sizeof(*next));
	size_t k;
	int rc = next ? 0 : -ENOMEM;

	for (k = 0; k < t->n && !rc; k++) {
		const struct flame_node *nd = &t->nodes[k];
		int64_t off = next[nd->depth];

		next[nd->depth] += nd->value;
		next[nd->depth + 1] = off;
		if (node_visible(nd, c->total))
			rc = emit_box(c, nd, off);
	}
	free(next);
	return rc;
}

/* The behaviour: fixed text, never any data.  Kept in step with the C
 * geometry above: W, CW (FLAME_CHAR_W), PAD and the label rule. */
static const char flame_script[] =
	"<script type=\"text/ecmascript\"><![CDATA[\n"
	"(function () {\n"
	"\"use strict\";\n"
	"var NS = \"http://www.w3.org/2000/svg\", W = 1200, CW = 7.25, PAD = 3;\n"
	"var frames = document.getElementById(\"frames\");\n"
	"var T = +frames.getAttribute(\"data-total\");\n"
	"var details = document.getElementById(\"details\");\n"
	"var matched = document.getElementById(\"matched\");\n"
	"var unzoomBtn = document.getElementById(\"unzoom\");\n"
	"var searchBtn = document.getElementById(\"search\");\n"
	"var boxes = [].slice.call(frames.getElementsByTagName(\"g\"));\n"
	"var searching = false;\n"
	"function num(e, a) { return +e.getAttribute(a); }\n"
	"function child(g, tag) { return g.getElementsByTagName(tag)[0]; }\n"
	"function info(g) { return child(g, \"title\").textContent; }\n"
	"function fname(g) { var t = info(g); return t.substring(0, t.lastIndexOf(\" (\")); }\n"
	"function label(g, w) {\n"
	"\tvar n = Math.floor((w - 2 * PAD) / CW), s;\n"
	"\tif (n < 3) return \"\";\n"
	"\ts = Array.from(fname(g));\n"
	"\treturn s.length <= n ? s.join(\"\") : s.slice(0, n - 2).join(\"\") + \"..\";\n"
	"}\n"
	"function place(g, xc, wc) {\n"
	"\tvar r = child(g, \"rect\"), t = child(g, \"text\"), s = label(g, wc / 100);\n"
	"\tr.setAttribute(\"x\", (xc / 100).toFixed(2));\n"
	"\tr.setAttribute(\"width\", (wc / 100).toFixed(2));\n"
	"\tif (!t) {\n"
	"\t\tif (!s) return;\n"
	"\t\tt = g.appendChild(document.createElementNS(NS, \"text\"));\n"
	"\t\tt.setAttribute(\"y\", num(r, \"y\") + 11);\n"
	"\t}\n"
	"\tt.setAttribute(\"x\", ((xc + PAD * 100) / 100).toFixed(2));\n"
	"\tt.textContent = s;\n"
	"}\n"
	"function layout(base, span, y0) {\n"
	"\tboxes.forEach(function (g) {\n"
	"\t\tvar o = num(g, \"data-o\"), v = num(g, \"data-v\"), y = num(child(g, \"rect\"), \"y\");\n"
	"\t\tvar anc = y > y0 && o <= base && o + v >= base + span;\n"
	"\t\tvar inside = y <= y0 && o >= base && o + v <= base + span;\n"
	"\t\tvar xc = Math.round((o - base) * W / span * 100);\n"
	"\t\tg.classList.toggle(\"anc\", anc);\n"
	"\t\tg.classList.toggle(\"hid\", !anc && !inside);\n"
	"\t\tif (anc) place(g, 0, W * 100);\n"
	"\t\telse if (inside) place(g, xc, Math.round((o + v - base) * W / span * 100) - xc);\n"
	"\t});\n"
	"}\n"
	"function zoom(g) {\n"
	"\tlayout(num(g, \"data-o\"), num(g, \"data-v\"), num(child(g, \"rect\"), \"y\"));\n"
	"\tunzoomBtn.removeAttribute(\"display\");\n"
	"}\n"
	"function unzoom() {\n"
	"\tlayout(0, T, Infinity);\n"
	"\tunzoomBtn.setAttribute(\"display\", \"none\");\n"
	"}\n"
	"function search(re) {\n"
	"\tvar iv = [], sum = 0, end = -Infinity;\n"
	"\tboxes.forEach(function (g) {\n"
	"\t\tvar hit = re.test(fname(g)), o = num(g, \"data-o\");\n"
	"\t\tg.classList.toggle(\"hit\", hit);\n"
	"\t\tif (hit) iv.push([o, o + num(g, \"data-v\")]);\n"
	"\t});\n"
	"\t/* nested matches lie inside their matching ancestor: count the union */\n"
	"\tiv.sort(function (a, b) { return a[0] - b[0]; });\n"
	"\tiv.forEach(function (p) {\n"
	"\t\tif (p[1] <= end) return;\n"
	"\t\tsum += p[1] - Math.max(p[0], end);\n"
	"\t\tend = p[1];\n"
	"\t});\n"
	"\tmatched.textContent = \"Matched: \" + (T ? 100 * sum / T : 0).toFixed(1) + \"%\";\n"
	"\tsearchBtn.textContent = \"Reset Search\";\n"
	"\tsearching = true;\n"
	"}\n"
	"function resetSearch() {\n"
	"\tboxes.forEach(function (g) { g.classList.remove(\"hit\"); });\n"
	"\tmatched.textContent = \"\";\n"
	"\tsearchBtn.textContent = \"Search\";\n"
	"\tsearching = false;\n"
	"}\n"
	"function askSearch() {\n"
	"\tvar s = window.prompt(\"Search for a function (regular expression)\", \"\"), re;\n"
	"\tif (s === null || s === \"\") return;\n"
	"\ttry { re = new RegExp(s); } catch (e) { window.alert(\"Invalid regular expression: \" + e.message); return; }\n"
	"\tsearch(re);\n"
	"}\n"
	"function box(e) { return e.target.closest ? e.target.closest(\"g[data-v]\") : null; }\n"
	"frames.addEventListener(\"mouseover\", function (e) {\n"
	"\tvar g = box(e);\n"
	"\tif (g) details.textContent = \"Function: \" + info(g);\n"
	"});\n"
	"frames.addEventListener(\"mouseout\", function () { details.textContent = \" \"; });\n"
	"frames.addEventListener(\"click\", function (e) { var g = box(e); if (g) zoom(g); });\n"
	"unzoomBtn.addEventListener(\"click\", unzoom);\n"
	"searchBtn.addEventListener(\"click\", function () { if (searching) resetSearch(); else askSearch(); });\n"
	"window.addEventListener(\"keydown\", function (e) {\n"
	"\tif ((e.ctrlKey || e.metaKey) && (e.key === \"f\" || e.key === \"F\")) {\n"
	"\t\te.preventDefault();\n"
	"\t\taskSearch();\n"
	"\t} else if (e.key === \"Escape\") {\n"
	"\t\tresetSearch();\n"
	"\t}\n"
	"});\n"
	"searchBtn.removeAttribute(\"display\");\n"
	"})();\n"
	"]]></script>\n";

int pyro_flame_render(const struct pyro_stacks *s, struct pyro_buf *out)
{
	struct flame_ctx c = { .s = s, .out = out, .text = PYRO_BUF_INIT,
			       .unit_suffix = PYRO_BUF_INIT };
	struct flame_tree t;
	int rc;

	rc = tree_build(s, &t);
	if (!rc)
		rc = prepare_suffix(&c);
	if (rc)
		goto out;
	c.total = t.nodes[0].value;
	if (c.total > 0)
		rc = scan_visible(&c, &t);
	else
		c.height = FLAME_TOP + FLAME_FRAME_H + FLAME_BOTTOM;
	if (!rc)
		rc = emit_header(&c);
	if (!rc && c.total > 0)
		rc = emit_frames(&c, &t);
	if (!rc)
		rc = pyro_buf_printf(out, "</g>\n%s</svg>\n", flame_script);
out:
	tree_release(&t);
	pyro_buf_release(&c.unit_suffix);
	pyro_buf_release(&c.text);
	return rc;
}
