/*
 * flame.c - flame.svg and icicle.svg: an interactive flame graph in one
 * self-contained SVG, root at the bottom (flame) or at the top (icicle, as
 * Pyroscope draws it).  Both orientations are one code path: only the row
 * of a depth differs (row_y()), and the script reads the orientation from
 * the data-dir attribute of #frames.
 *
 * The picture.  The prefix tree of the call stacks, each box as wide as its
 * share of the total, children merged by function name and ordered by name
 * bytewise, so equal input gives equal bytes.  Colours depend only on the
 * profile type (a palette) and the function name (hue from its package,
 * shade from the whole name), so a function has one colour in every file of
 * a kind.  Title: service/type/span (and the time range of a merge);
 * subtitle: the total, the merge, what pruning hid.
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
 *    The sample type joins the output only when it is plain [A-Za-z0-9_.-].
 *  - the static picture is complete without JavaScript: boxes, labels,
 *    titles as native tooltips.  The inline script (fixed text, no data)
 *    adds hover details, zoom, search and the URL state.  It reads what it
 *    needs from each box: data-o (offset from the left edge) and data-v
 *    (value), both in units of the greatest common divisor of the values
 *    (CPU profiles count in 10 ms steps: shorter numbers), and the frame
 *    name, which is the <title> text before its last " (".
 *  - nothing is ever fetched: no external reference of any kind.
 *
 * Layout numbers are computed once here and once in the script with the
 * same double arithmetic (x = offset * 1200 / total, rounded to cents), so
 * "Reset Zoom" reproduces the static picture exactly.
 */
#include "render.h"
#include "text.h"
#include "units.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define FLAME_W         1200    /* image and frame area width, px */
#define FLAME_FRAME_H   16      /* row pitch, px */
#define FLAME_RECT_H    15      /* box height, px (1 px gap between rows) */
#define FLAME_TOP       60      /* title and subtitle above the frames, px */
#define FLAME_BOTTOM    34      /* details line below the frames, px */
#define FLAME_MIN_W     0.5     /* narrower boxes are left out, px */
#define FLAME_MAX_BOXES 2500    /* at most this many frames are drawn */
#define FLAME_REST_MIN_W 2.0    /* narrower runs of hidden frames: not drawn */
#define FLAME_NAME_MAX  500     /* longer names are cut, characters */
#define FLAME_CHAR_W    7.25    /* assumed glyph advance at 12px monospace */
#define FLAME_PAD       3       /* label inset from the box's left edge, px */

/* One node of the prefix tree, stored in preorder with children sorted by
 * name: a node's subtree is the run of following nodes deeper than it. */
struct flame_node {
	uint32_t name;          /* strtab id; unused for the root (index 0) */
	uint32_t depth;         /* 0 for the root "all" */
	int64_t value;          /* sum over the stacks through this node, > 0 */
	int64_t delta;          /* diffs: target - base through this node */
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
	int64_t value;          /* the target's value in a diff */
	int64_t delta;          /* diffs: target - base */
};

/* Colour families, chosen by the profile type. */
enum flame_palette {
	PAL_HOT,                /* cpu, wall: reds, oranges, yellows */
	PAL_MEM,                /* alloc_*, inuse_*, *space, *bytes: greens */
	PAL_LOCK,               /* mutex_*, block_*, contentions, delay: blues */
	PAL_GOROUTINE,          /* goroutines: purples */
	PAL_OTHER,              /* anything else: a neutral warm (tan) */
};

/* A palette: hue range in degrees, saturation and lightness ranges in
 * [0, 1], and the fill of search matches (contrasting with the family). */
struct flame_hsl {
	double hue, hue_span, sat, sat_span, light, light_span;
	const char *hit;
};

static const struct flame_hsl palettes[] = {
	[PAL_HOT]       = {   0, 50, 0.75, 0.20, 0.52, 0.10, "#e03ce0" },
	[PAL_MEM]       = {  80, 70, 0.45, 0.20, 0.45, 0.15, "#e03ce0" },
	[PAL_LOCK]      = { 195, 40, 0.50, 0.25, 0.52, 0.16, "#ff8a00" },
	[PAL_GOROUTINE] = { 255, 40, 0.40, 0.20, 0.58, 0.14, "#2cb82c" },
	[PAL_OTHER]     = {  25, 20, 0.30, 0.15, 0.55, 0.11, "#e03ce0" },
};

/* What one rendering needs besides the tree. */
struct flame_ctx {
	const struct pyro_stacks *s;
	struct pyro_buf *out;
	bool down;                      /* icicle: root at the top */
	enum flame_palette pal;
	struct pyro_buf text;           /* scratch: a cleaned name; owned */
	struct pyro_buf unit_suffix;    /* " contentions" or ""; owned */
	int64_t total;                  /* root value, > 0 unless no samples */
	int64_t quantum;                /* gcd of all node values, >= 1 */
	int64_t cut;                    /* frames of value <= cut are hidden */
	bool capped;                    /* cut comes from FLAME_MAX_BOXES */
	unsigned char *keep;            /* per node: drawn; owned */
	uint32_t maxdepth;              /* deepest drawn node */
	int height;                     /* image height, px */
	size_t nhidden;                 /* nodes left out */
	int64_t hidden_value;           /* value of the outermost hidden nodes */
	bool diff;                      /* differential: colour by change */
};

/* ---- names ---------------------------------------------------------- */

static struct pyro_str frame_name(const struct pyro_stacks *s, uint32_t id)
{
	return pyro_strtab_get(&s->strs, id);
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
		     int64_t value, int64_t delta)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct flame_node *p = realloc(t->nodes, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		t->nodes = p;
		t->cap = cap;
	}
	t->nodes[t->n++] = (struct flame_node){ name, depth, value, delta };
	if (depth > t->maxdepth)
		t->maxdepth = depth;
	return 0;
}

/* The positive stacks of s, sorted; *total receives their sum.  In a
 * diff the width is the target's value (value + base), as in
 * flamegraph.pl's differential graphs; *delta sums target - base. */
static int sorted_stacks(const struct pyro_stacks *s, struct flame_stack **out,
			 size_t *n, int64_t *total, int64_t *delta,
			 uint32_t *maxdepth)
{
	struct flame_stack *v = malloc((s->nstacks ? s->nstacks : 1) * sizeof(*v));
	size_t k;

	if (!v)
		return -ENOMEM;
	*n = 0;
	*total = 0;
	*delta = 0;
	*maxdepth = 0;
	for (k = 0; k < s->nstacks; k++) {
		const struct pyro_stack *st = &s->stacks[k];
		int64_t value = st->value;

		if (s->base && __builtin_add_overflow(value, s->base[k], &value)) {
			free(v);
			return -EOVERFLOW;
		}
		if (value <= 0)
			continue;
		if (__builtin_add_overflow(*total, value, total) ||
		    __builtin_add_overflow(*delta, st->value, delta)) {
			free(v);
			return -EOVERFLOW;
		}
		v[(*n)++] = (struct flame_stack){ s, pyro_stack_refs(s, st),
						  st->depth, value, st->value };
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
	int64_t total, delta;
	uint32_t maxdepth, i;
	int rc;

	memset(t, 0, sizeof(*t));
	rc = sorted_stacks(s, &v, &n, &total, &delta, &maxdepth);
	if (rc)
		goto out;
	path = malloc(((size_t)maxdepth + 1) * sizeof(*path));
	rc = path ? tree_push(t, 0, 0, total, delta) : -ENOMEM;
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
			nd->delta += st->delta;
		}
		for (; i < st->depth; i++) {
			path[i + 1] = t->n;
			rc = tree_push(t, s->frames[PYRO_REF_FRAME(st->refs[i])].name,
				       i + 1, st->value, st->delta);
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

/* ---- pruning and geometry ------------------------------------------- */

static int64_t gcd64(int64_t a, int64_t b)
{
	while (b) {
		int64_t r = a % b;

		a = b;
		b = r;
	}
	return a;
}

/* x of offset `off` in hundredths of a pixel; the script computes the same
 * from the same quanta. */
static long long x_cents(int64_t off, const struct flame_ctx *c)
{
	return llround((double)(off / c->quantum) * FLAME_W /
		       (double)(c->total / c->quantum) * 100.0);
}

static double width_px(int64_t value, int64_t total)
{
	return (double)value * FLAME_W / (double)total;
}

static int cmp_desc(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;

	return a < b ? 1 : a > b ? -1 : 0;
}

/* Decide which nodes are drawn (see the top of the file) and count the
 * hidden ones.  The hidden nodes whose parent is drawn are the outermost:
 * their values sum without overlap. */
static int prune(struct flame_ctx *c, const struct flame_tree *t)
{
	int64_t *vals = NULL;
	bool *drawn = NULL;             /* by depth: the last node seen drawn */
	size_t k, nwide = 0;
	int rc = -ENOMEM;

	c->keep = calloc(t->n, 1);
	drawn = calloc((size_t)t->maxdepth + 1, sizeof(*drawn));
	if (!c->keep || !drawn)
		goto out;
	c->quantum = 0;
	for (k = 0; k < t->n; k++) {
		c->quantum = gcd64(t->nodes[k].value, c->quantum);
		nwide += width_px(t->nodes[k].value, c->total) >= FLAME_MIN_W;
	}
	c->cut = 0;
	if (nwide > FLAME_MAX_BOXES) {
		size_t i = 0;

		vals = malloc(nwide * sizeof(*vals));
		if (!vals)
			goto out;
		for (k = 0; k < t->n; k++)
			if (width_px(t->nodes[k].value, c->total) >= FLAME_MIN_W)
				vals[i++] = t->nodes[k].value;
		qsort(vals, nwide, sizeof(*vals), cmp_desc);
		c->cut = vals[FLAME_MAX_BOXES];  /* the widest frame not drawn */
		c->capped = true;
	}
	for (k = 0; k < t->n; k++) {
		const struct flame_node *nd = &t->nodes[k];

		drawn[nd->depth] = k == 0 || (nd->value > c->cut &&
				   width_px(nd->value, c->total) >= FLAME_MIN_W);
		c->keep[k] = drawn[nd->depth];
		if (drawn[nd->depth]) {
			if (nd->depth > c->maxdepth)
				c->maxdepth = nd->depth;
			continue;
		}
		c->nhidden++;
		if (drawn[nd->depth - 1])
			c->hidden_value += nd->value;
	}
	rc = 0;
out:
	free(vals);
	free(drawn);
	return rc;
}

/* Top of the box row of a depth. */
static int row_y(const struct flame_ctx *c, uint32_t depth)
{
	uint32_t row = c->down ? depth : c->maxdepth - depth;

	return FLAME_TOP + (int)row * FLAME_FRAME_H;
}

/* ---- colours -------------------------------------------------------- */

/* FNV-1a, 32 bits: colours must not change when the model's hash does. */
static uint32_t color_hash(const char *p, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

/* Case-insensitive ASCII prefix and suffix tests. */
static bool starts(const char *s, const char *pre)
{
	return strncasecmp(s, pre, strlen(pre)) == 0;
}

static bool ends(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcasecmp(s + n - m, suf) == 0;
}

/* The palette of a profile type: pyrofs's type name, else the sample type. */
static enum flame_palette palette_of(const struct pyro_meta *m)
{
	const char *t = m->type ? m->type : m->sample_type ? m->sample_type : "";

	if (starts(t, "goroutine"))
		return PAL_GOROUTINE;
	if (starts(t, "mutex") || starts(t, "block") || starts(t, "lock") ||
	    !strcasecmp(t, "contentions") || !strcasecmp(t, "delay"))
		return PAL_LOCK;
	if (starts(t, "alloc") || starts(t, "inuse") || ends(t, "space") ||
	    ends(t, "bytes") || ends(t, "objects"))
		return PAL_MEM;
	if (starts(t, "cpu") || starts(t, "wall") || !strcasecmp(t, "samples") ||
	    !strcasecmp(t, "sample") || !strcasecmp(t, "itimer"))
		return PAL_HOT;
	return PAL_OTHER;
}

/* Length of a name's package: the part before the last '.', '/' or "::"
 * (Go "net/http.(*conn).serve" -> "net/http.(*conn)", Java
 * "com.acme.Cart.add" -> "com.acme.Cart"), or the whole name. */
static size_t package_len(const char *p, size_t n)
{
	size_t i;

	for (i = n; i > 1; i--)
		if (p[i - 1] == '.' || p[i - 1] == '/' ||
		    (p[i - 1] == ':' && p[i - 2] == ':'))
			return p[i - 1] == ':' ? i - 2 : i - 1;
	return n;
}

static unsigned hsl_rgb(double hue, double sat, double light)
{
	double c = (1.0 - fabs(2.0 * light - 1.0)) * sat;
	double h = fmod(hue, 360.0) / 60.0;
	double x = c * (1.0 - fabs(fmod(h, 2.0) - 1.0));
	double m = light - c / 2.0, r = 0, g = 0, b = 0;

	switch ((int)h) {
	case 0: r = c; g = x; break;
	case 1: r = x; g = c; break;
	case 2: g = c; b = x; break;
	case 3: g = x; b = c; break;
	case 4: r = x; b = c; break;
	default: r = c; b = x; break;
	}
	return (unsigned)lround((r + m) * 255.0) << 16 |
	       (unsigned)lround((g + m) * 255.0) << 8 |
	       (unsigned)lround((b + m) * 255.0);
}

/* The fill of a function: hue from its package within the palette's range,
 * saturation and lightness from the whole name. */
static unsigned name_color(enum flame_palette pal, const char *p, size_t n)
{
	const struct flame_hsl *ps = &palettes[pal];
	uint32_t hp = color_hash(p, package_len(p, n));
	uint32_t hn = color_hash(p, n);
	double hue = ps->hue + (double)(hp % 1024) / 1023.0 * ps->hue_span;
	double sat = ps->sat + (double)(hn & 0xff) / 255.0 * ps->sat_span;
	double light = ps->light + (double)((hn >> 8) & 0xff) / 255.0 *
		       ps->light_span;

	return hsl_rgb(hue, sat, light);
}

/* Differential colour: red where a frame grew, blue where it shrank,
 * stronger the larger the change relative to the frame's value; a frame
 * that did not change is light grey. */
static unsigned diff_color(int64_t delta, int64_t value)
{
	double i = value > 0 ? fabs((double)delta) / (double)value : 1;
	unsigned dim, full;

	if (i > 1)
		i = 1;
	dim = (unsigned)lround(230 * (1 - 0.8 * i));
	full = (unsigned)lround(230 + 25 * i);
	if (delta > 0)
		return full << 16 | dim << 8 | dim;
	if (delta < 0)
		return dim << 16 | dim << 8 | full;
	return 230u << 16 | 230u << 8 | 230u;
}

/* ---- header --------------------------------------------------------- */

static const char *opt(const char *s)
{
	return s ? s : "";
}

/* Prepare c->unit_suffix: " <sample type>" when values are plain counts
 * ("540 contentions") and the type is a plain word; else empty. */
static int prepare_suffix(struct flame_ctx *c)
{
	const char *t = c->s->meta.sample_type;
	size_t n = t ? strlen(t) : 0, i;

	if (pyro_unit_kind(opt(c->s->meta.sample_unit)) != 0 || n == 0 || n > 32)
		return pyro_buf_add(&c->unit_suffix, "", 0);
	for (i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_.-", t[i]))
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

/* "; base 4.00s, change +1.67s": a diff box's other side. */
static int put_change(struct flame_ctx *c, int64_t value, int64_t delta)
{
	char label[PYRO_LABEL_MAX];
	int rc;

	rc = pyro_buf_puts(c->out, "; base ");
	if (!rc)
		rc = put_value(c, value - delta);
	pyro_unit_label(label, delta < 0 ? -delta : delta,
			opt(c->s->meta.sample_unit), "auto");
	if (!rc)
		rc = pyro_buf_printf(c->out, ", change %s%s", delta < 0 ? "-" :
				     delta > 0 ? "+" : "", label);
	return rc ? rc : pyro_buf_add(c->out, c->unit_suffix.data,
				      c->unit_suffix.len);
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

/* "Total: 5.67s; merged 3 snapshots (sum); 12 frames hidden (...): ..." */
static int put_subtitle(struct flame_ctx *c)
{
	const struct pyro_meta *m = &c->s->meta;
	int rc;

	rc = pyro_buf_puts(c->out, "Total: ");
	if (!rc)
		rc = put_value(c, c->total);
	if (!rc && c->diff)
		rc = pyro_buf_puts(c->out, "; differential: red grew, blue shrank "
				   "since the base");
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

/* Fixed text except the search highlight, which follows the palette. */
static const char flame_style[] =
	"<style type=\"text/css\"><![CDATA[\n"
	"#frames>g{cursor:pointer}\n"
	"#frames>g.rest{cursor:default}\n"
	"#frames>g:hover>rect{stroke:#000;stroke-width:.5}\n"
	"#frames text{pointer-events:none}\n"
	".anc{opacity:.55;filter:grayscale(1)}\n"
	".hid{display:none}\n"
	".ctl{cursor:pointer;fill:#2040a0}\n"
	".ctl:hover{text-decoration:underline}\n"
	".hit>rect{fill:%s}\n"
	"]]></style>\n"
	"<defs><linearGradient id=\"bg\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">"
	"<stop offset=\"5%%\" stop-color=\"#eeeeee\"/>"
	"<stop offset=\"95%%\" stop-color=\"#eeeeb0\"/>"
	"</linearGradient>"
	"<pattern id=\"rest\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
	"patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#e4e4e4\"/>"
	"<rect width=\"2\" height=\"6\" fill=\"#c4c4c4\"/></pattern></defs>\n";

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
		rc = pyro_buf_puts(o, "</title>\n");
	if (!rc)
		rc = pyro_buf_printf(o, flame_style, palettes[c->pal].hit);
	if (!rc)
		rc = pyro_buf_printf(o, "<rect width=\"%d\" height=\"%d\" "
				     "fill=\"url(#bg)\"/>\n<text id=\"title\" x=\"%d\" "
				     "y=\"24\" text-anchor=\"middle\" font-size=\"17\">",
				     FLAME_W, h, FLAME_W / 2);
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
			"<g id=\"frames\" data-dir=\"%s\" data-total=\"%lld\">\n",
			FLAME_W - 10, FLAME_W - 10, FLAME_W - 10, h - 14, h - 14,
			c->down ? "down" : "up",
			(long long)(c->total > 0 ? c->total / c->quantum : 0));
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
		    int64_t value, int64_t delta, unsigned fill, bool rest)
{
	long long x = x_cents(off, c);
	long long w = x_cents(off + value, c) - x;
	int y = row_y(c, depth);
	int rc;

	rc = pyro_buf_printf(c->out, "<g%s data-o=\"%lld\" data-v=\"%lld\"><title>",
			     rest ? " class=\"rest\"" : "",
			     (long long)(off / c->quantum),
			     (long long)(value / c->quantum));
	if (!rc)
		rc = pyro_xml_escape(c->out, c->text.data, c->text.len);
	if (!rc)
		rc = pyro_buf_puts(c->out, " (");
	if (!rc)
		rc = put_value_share(c, value);
	if (!rc && c->diff && !rest)
		rc = put_change(c, value, delta);
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
	return rc ? rc : emit_box(c, nd->depth, off, nd->value, nd->delta,
				  c->diff ? diff_color(nd->delta, nd->value) :
				  name_color(c->pal, name.ptr, name.len), false);
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
			rc = emit_box(c, r->depth, r->off, r->value, 0, 0, true);
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

/* The behaviour: fixed text, never any data.  Kept in step with the C
 * geometry above: W, CW (FLAME_CHAR_W), PAD and the label rule.
 * State in the URL: ?s=REGEX (search), i=1 (ignore case), x=N (zoomed box:
 * its index among the boxes of #frames, preorder), read back on load. */
static const char flame_script[] =
	"<script type=\"text/ecmascript\"><![CDATA[\n"
	"(function () {\n"
	"\"use strict\";\n"
	"var NS = \"http://www.w3.org/2000/svg\", XH = \"http://www.w3.org/1999/xhtml\";\n"
	"var W = 1200, CW = 7.25, PAD = 3;\n"
	"function $(id) { return document.getElementById(id); }\n"
	"var frames = $(\"frames\"), details = $(\"details\"), matched = $(\"matched\");\n"
	"var unzoomBtn = $(\"unzoom\"), searchBtn = $(\"search\"), caseBtn = $(\"case\");\n"
	"var T = +frames.getAttribute(\"data-total\");\n"
	"var DOWN = frames.getAttribute(\"data-dir\") === \"down\";\n"
	"var boxes = [], byG = new Map(), zoomed = null, hovered = null;\n"
	"var query = \"\", re = null, icase = false;\n"
	"[].forEach.call(frames.children, function (g, i) {\n"
	"\tvar r = g.getElementsByTagName(\"rect\")[0], y = +r.getAttribute(\"y\");\n"
	"\tvar t = g.getElementsByTagName(\"title\")[0].textContent, k = t.lastIndexOf(\" (\");\n"
	"\tvar b = { g: g, r: r, l: g.getElementsByTagName(\"text\")[0] || null, i: i, y: y,\n"
	"\t\trank: DOWN ? y : -y, o: +g.getAttribute(\"data-o\"), v: +g.getAttribute(\"data-v\"),\n"
	"\t\tname: t.substring(0, k), stat: t.substring(k + 2, t.length - 1),\n"
	"\t\trest: g.getAttribute(\"class\") === \"rest\", chars: null, short: null };\n"
	"\tboxes.push(b);\n"
	"\tbyG.set(g, b);\n"
	"});\n"
	"function pct(a, b) { var p = b ? 100 * a / b : 0; return (p >= 10 ? p.toFixed(1) : p.toFixed(2)) + \"%\"; }\n"
	"/* Label rule of put_label() in flame.c: name, name after its last '/',\n"
	"   head of that and \"..\", or nothing. */\n"
	"function label(b, w) {\n"
	"\tvar n = Math.floor((w - 2 * PAD) / CW), k, s;\n"
	"\tif (n < 3) return \"\";\n"
	"\tif (!b.chars) {\n"
	"\t\tb.chars = Array.from(b.name);\n"
	"\t\tk = b.name.lastIndexOf(\"/\");\n"
	"\t\tb.short = k >= 0 && k < b.name.length - 1 ? Array.from(b.name.substring(k + 1)) : b.chars;\n"
	"\t}\n"
	"\tif (b.chars.length <= n) return b.name;\n"
	"\ts = b.short;\n"
	"\treturn s.length <= n ? s.join(\"\") : s.slice(0, n - 2).join(\"\") + \"..\";\n"
	"}\n"
	"function place(b, xc, wc) {\n"
	"\tvar s = label(b, wc / 100);\n"
	"\tb.r.setAttribute(\"x\", String(xc / 100));\n"
	"\tb.r.setAttribute(\"width\", String(wc / 100));\n"
	"\tif (!b.l) {\n"
	"\t\tif (!s) return;\n"
	"\t\tb.l = b.g.appendChild(document.createElementNS(NS, \"text\"));\n"
	"\t\tb.l.setAttribute(\"y\", b.y + 11);\n"
	"\t}\n"
	"\tb.l.setAttribute(\"x\", String((xc + PAD * 100) / 100));\n"
	"\tb.l.textContent = s;\n"
	"}\n"
	"/* Ancestors of the zoomed box span the width, greyed; its subtree fills\n"
	"   the width; everything else is hidden. */\n"
	"function layout() {\n"
	"\tvar z = zoomed, base = z ? z.o : 0, span = z ? z.v : T, zr = z ? z.rank : -Infinity;\n"
	"\tboxes.forEach(function (b) {\n"
	"\t\tvar end = b.o + b.v, xc;\n"
	"\t\tvar anc = !!z && b.rank < zr && b.o <= base && end >= base + span;\n"
	"\t\tvar inside = b.rank >= zr && b.o >= base && end <= base + span;\n"
	"\t\tb.g.classList.toggle(\"anc\", anc);\n"
	"\t\tb.g.classList.toggle(\"hid\", !anc && !inside);\n"
	"\t\tif (anc) {\n"
	"\t\t\tplace(b, 0, W * 100);\n"
	"\t\t} else if (inside) {\n"
	"\t\t\txc = Math.round((b.o - base) * W / span * 100);\n"
	"\t\t\tplace(b, xc, Math.round((end - base) * W / span * 100) - xc);\n"
	"\t\t}\n"
	"\t});\n"
	"\tif (z) unzoomBtn.removeAttribute(\"display\"); else unzoomBtn.setAttribute(\"display\", \"none\");\n"
	"}\n"
	"function save() {\n"
	"\tvar p = [];\n"
	"\tif (query) p.push(\"s=\" + encodeURIComponent(query));\n"
	"\tif (icase) p.push(\"i=1\");\n"
	"\tif (zoomed) p.push(\"x=\" + zoomed.i);\n"
	"\ttry { history.replaceState(null, \"\", location.pathname + (p.length ? \"?\" + p.join(\"&\") : \"\")); } catch (e) {}\n"
	"}\n"
	"function zoom(b) {\n"
	"\tzoomed = b && b.i > 0 && !b.rest ? b : null;\n"
	"\tlayout();\n"
	"\tif (hovered) describe(hovered);\n"
	"\tshowMatched();\n"
	"\tsave();\n"
	"}\n"
	"/* Share of the union of the matched boxes: nested matches lie inside\n"
	"   their matching ancestor and count once. */\n"
	"function showMatched() {\n"
	"\tvar iv = [], sum = 0, zsum = 0, end = -Infinity, z = zoomed, s;\n"
	"\tif (!query) { matched.textContent = \"\"; return; }\n"
	"\tif (!re) { matched.textContent = \"Invalid regular expression\"; return; }\n"
	"\tboxes.forEach(function (b) { if (b.hit) iv.push([b.o, b.o + b.v]); });\n"
	"\tiv.sort(function (a, b) { return a[0] - b[0]; });\n"
	"\tiv.forEach(function (p) {\n"
	"\t\tvar lo;\n"
	"\t\tif (p[1] <= end) return;\n"
	"\t\tlo = Math.max(p[0], end);\n"
	"\t\tsum += p[1] - lo;\n"
	"\t\tif (z) zsum += Math.max(0, Math.min(p[1], z.o + z.v) - Math.max(lo, z.o));\n"
	"\t\tend = p[1];\n"
	"\t});\n"
	"\ts = \"Matched: \" + pct(sum, T);\n"
	"\tif (z) s += \" (\" + pct(zsum, z.v) + \" of zoomed frame)\";\n"
	"\tmatched.textContent = s;\n"
	"}\n"
	"function search(q) {\n"
	"\tquery = q;\n"
	"\tre = null;\n"
	"\tif (q) try { re = new RegExp(q, icase ? \"i\" : \"\"); } catch (e) { re = null; }\n"
	"\tboxes.forEach(function (b) {\n"
	"\t\tb.hit = !!re && !b.rest && re.test(b.name);\n"
	"\t\tb.g.classList.toggle(\"hit\", b.hit);\n"
	"\t});\n"
	"\tsearchBtn.textContent = query ? \"Reset Search\" : \"Search\";\n"
	"\tshowMatched();\n"
	"\tsave();\n"
	"}\n"
	"function setCase(on) {\n"
	"\ticase = on;\n"
	"\tcaseBtn.textContent = (on ? \"[x]\" : \"[ ]\") + \" ignore case\";\n"
	"}\n"
	"/* The search box: an HTML input, added only when scripts run. */\n"
	"var fo = document.createElementNS(NS, \"foreignObject\"), input = document.createElementNS(XH, \"input\");\n"
	"fo.setAttribute(\"x\", W - 285);\n"
	"fo.setAttribute(\"y\", 9);\n"
	"fo.setAttribute(\"width\", 180);\n"
	"fo.setAttribute(\"height\", 22);\n"
	"input.setAttribute(\"id\", \"q\");\n"
	"input.setAttribute(\"type\", \"text\");\n"
	"input.setAttribute(\"placeholder\", \"regex (Ctrl-F)\");\n"
	"input.setAttribute(\"style\", \"width:100%;height:100%;box-sizing:border-box;font:12px monospace\");\n"
	"fo.appendChild(input);\n"
	"document.documentElement.insertBefore(fo, frames);\n"
	"input.addEventListener(\"input\", function () { search(input.value); });\n"
	"input.addEventListener(\"keydown\", function (e) {\n"
	"\tif (e.key === \"Enter\") {\n"
	"\t\tsearch(input.value);\n"
	"\t} else if (e.key === \"Escape\") {\n"
	"\t\tinput.value = \"\";\n"
	"\t\tsearch(\"\");\n"
	"\t\tinput.blur();\n"
	"\t} else {\n"
	"\t\treturn;\n"
	"\t}\n"
	"\te.stopPropagation();\n"
	"});\n"
	"searchBtn.addEventListener(\"click\", function () {\n"
	"\tif (query) { input.value = \"\"; search(\"\"); return; }\n"
	"\tif (input.value) search(input.value); else input.focus();\n"
	"});\n"
	"caseBtn.addEventListener(\"click\", function () { setCase(!icase); search(query); });\n"
	"unzoomBtn.addEventListener(\"click\", function () { zoom(null); });\n"
	"function boxOf(e) {\n"
	"\tvar g = e.target.closest ? e.target.closest(\"#frames > g\") : null;\n"
	"\treturn g ? byG.get(g) : null;\n"
	"}\n"
	"/* Details of the box under the mouse: value, share of the total and of\n"
	"   the zoomed frame. */\n"
	"function describe(b) {\n"
	"\tvar k, s;\n"
	"\thovered = b;\n"
	"\tif (!b) { details.textContent = \" \"; return; }\n"
	"\tk = b.stat.lastIndexOf(\", \");\n"
	"\ts = b.name + \" (\" + b.stat.substring(0, k) + \", \" + b.stat.substring(k + 2) + \" of total\";\n"
	"\tif (zoomed && !b.g.classList.contains(\"anc\")) s += \", \" + pct(b.v, zoomed.v) + \" of zoomed frame\";\n"
	"\tdetails.textContent = (b.rest ? \"\" : \"Function: \") + s + \")\";\n"
	"}\n"
	"frames.addEventListener(\"mouseover\", function (e) { var b = boxOf(e); if (b) describe(b); });\n"
	"frames.addEventListener(\"mouseout\", function () { describe(null); });\n"
	"frames.addEventListener(\"click\", function (e) { var b = boxOf(e); if (b && !b.rest) zoom(b); });\n"
	"window.addEventListener(\"keydown\", function (e) {\n"
	"\tif ((e.ctrlKey || e.metaKey) && (e.key === \"f\" || e.key === \"F\")) {\n"
	"\t\te.preventDefault();\n"
	"\t\tinput.focus();\n"
	"\t\tinput.select();\n"
	"\t} else if (e.key === \"Escape\") {\n"
	"\t\tif (query) { input.value = \"\"; search(\"\"); } else if (zoomed) zoom(null);\n"
	"\t}\n"
	"});\n"
	"searchBtn.removeAttribute(\"display\");\n"
	"caseBtn.removeAttribute(\"display\");\n"
	"/* Restore ?s=..&i=1&x=.. (or the same after '#'); '+' stays a '+'. */\n"
	"(function () {\n"
	"\tvar q = location.search.length > 1 ? location.search : location.hash, p = {};\n"
	"\tq.substring(1).split(\"&\").forEach(function (kv) {\n"
	"\t\tvar k = kv.indexOf(\"=\");\n"
	"\t\tif (k > 0) try { p[kv.substring(0, k)] = decodeURIComponent(kv.substring(k + 1)); } catch (e) {}\n"
	"\t});\n"
	"\tsetCase(p.i === \"1\");\n"
	"\tif (p.x && /^[0-9]+$/.test(p.x) && boxes[+p.x]) zoom(boxes[+p.x]);\n"
	"\tif (p.s) { input.value = p.s; search(p.s); }\n"
	"})();\n"
	"})();\n"
	"]]></script>\n";

static int render(const struct pyro_stacks *s, struct pyro_buf *out, bool down)
{
	struct flame_ctx c = { .s = s, .out = out, .down = down, .quantum = 1, .diff = s->base != NULL,
			       .text = PYRO_BUF_INIT, .unit_suffix = PYRO_BUF_INIT };
	struct flame_tree t;
	int rc;

	c.pal = palette_of(&s->meta);
	rc = tree_build(s, &t);
	if (!rc)
		rc = prepare_suffix(&c);
	if (rc)
		goto out;
	c.total = t.nodes[0].value;
	if (c.total > 0)
		rc = prune(&c, &t);
	if (!rc && c.total > 0)
		rc = emit_frames(&c, &t, true);
	c.height = FLAME_TOP + ((int)c.maxdepth + 1) * FLAME_FRAME_H + FLAME_BOTTOM;
	if (!rc)
		rc = emit_header(&c);
	if (!rc && c.total > 0)
		rc = emit_frames(&c, &t, false);
	if (!rc)
		rc = pyro_buf_printf(out, "</g>\n%s</svg>\n", flame_script);
out:
	free(c.keep);
	tree_release(&t);
	pyro_buf_release(&c.unit_suffix);
	pyro_buf_release(&c.text);
	return rc;
}

int pyro_flame_render(const struct pyro_stacks *s, struct pyro_buf *out)
{
	return render(s, out, false);
}

int pyro_icicle_render(const struct pyro_stacks *s, struct pyro_buf *out)
{
	return render(s, out, true);
}
