/*
 * timeline.c - timeline.txt and timeline.svg: a series' total per snapshot.
 *
 * The memory timeline answers "is it growing, and does it ever come down?".
 * timeline.txt has one line per snapshot (time, total with unit, change,
 * exact total) and a trend: the least-squares slope per hour and how many
 * intervals rose or fell.  timeline.svg draws the same points as a line
 * chart with labelled axes, and the top growth suspects under them; it is
 * plain SVG with no script and no fetches (its links are relative).
 */
#include "render.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "growth.h"
#include "text.h"
#include "units.h"

static void count_moves(const struct pyro_history *h, size_t *rose,
			size_t *fell)
{
	size_t k;

	*rose = *fell = 0;
	for (k = 1; k < h->nsnaps; k++) {
		*rose += h->totals[k] > h->totals[k - 1];
		*fell += h->totals[k] < h->totals[k - 1];
	}
}

static int put_title(const struct pyro_history *h, struct pyro_buf *out)
{
	char first[40], last[40];
	int rc;

	pyro_utc_time(first, h->times[0]);
	pyro_utc_time(last, h->times[h->nsnaps - 1]);
	rc = pyro_buf_puts(out, "Timeline: ");
	if (!rc)
		rc = pyro_buf_put_safe(out, h->service, strlen(h->service));
	/* Sample type and unit are the profile's bytes: escape them too. */
	if (!rc)
		rc = pyro_buf_printf(out, " %s (", h->type);
	if (!rc)
		rc = pyro_buf_put_safe(out, h->sample_type, strlen(h->sample_type));
	if (!rc)
		rc = pyro_buf_puts(out, ", ");
	if (!rc)
		rc = pyro_buf_put_safe(out, h->sample_unit, strlen(h->sample_unit));
	if (!rc)
		rc = pyro_buf_puts(out, ")\n");
	if (!rc)
		rc = pyro_buf_printf(out, "Snapshots: %zu, %s to %s\n\n",
				     h->nsnaps, first, last);
	return rc;
}

static int timeline_text(const struct pyro_history *h, struct pyro_buf *out)
{
	char total[PYRO_LABEL_MAX], change[64], slope[64];
	size_t k, rose, fell;
	int rc;

	rc = put_title(h, out);
	if (!rc)
		rc = pyro_buf_printf(out, "%-24s %12s %12s %20s\n", "snapshot",
				     "total", "change", "exact total");
	for (k = 0; k < h->nsnaps && !rc; k++) {
		pyro_unit_label(total, h->totals[k], h->sample_unit, "auto");
		if (k == 0)
			snprintf(change, sizeof(change), "-");
		else
			pyro_label_double(change, (double)h->totals[k] -
					  (double)h->totals[k - 1],
					  h->sample_unit, 1);
		rc = pyro_buf_printf(out, "%-24s %12s %12s %20" PRId64 "\n",
				     h->names[k], total, change, h->totals[k]);
	}
	if (rc)
		return rc;
	count_moves(h, &rose, &fell);
	if (h->nsnaps < 2)
		return pyro_buf_puts(out, "\nTrend: one snapshot, no trend yet\n");
	pyro_label_double(slope, h->slope, h->sample_unit, 1);
	return pyro_buf_printf(out, "\nTrend: %s per hour (least squares); "
			       "rose in %zu of %zu intervals, %s\n", slope, rose,
			       h->nsnaps - 1, fell ? "went down in some" :
			       "never went down");
}

int pyro_timeline_render(const struct pyro_history *h, struct pyro_buf *out)
{
	size_t start = out->len;
	int rc = timeline_text(h, out);

	if (rc)
		pyro_buf_truncate(out, start);  /* as it was (render.h) */
	return rc;
}

/* ---- timeline.svg ------------------------------------------------------- */

/*
 * The chart.  One viewBox and no width or height, so a browser scales it to
 * the window (or the <img> of a page) and a thumbnailer to its square.  The
 * total is the thick dark line; under it up to SUSPECTS thin coloured lines,
 * the functions listed first in growth.txt (pyro_growth_rank), drawn from
 * the history's sampled series (at most PYRO_HISTORY_SLOTS points each),
 * named in a legend below the chart.  Values are shown in one unit chosen
 * from the largest (MB, s, ...) with round ticks in that unit; a CPU series
 * whose every profile states its duration is shown in cores (CPU seconds
 * per second of profiling).  Time ticks fall on round UTC times (every 10 s,
 * 5 min, 6 h, ...), at least 5 of them when the span allows.  Each point of
 * the total links to its snapshot's flame.svg, relative to the type
 * directory that holds timeline.svg.
 */

#define W 960
#define LEFT 90
#define RIGHT 30
#define TOP 50
#define PLOT_H 280
#define AXIS_H 60               /* time labels and axis title */
#define LEGEND_ROW 18
#define YTICKS 5
#define SUSPECTS 5

static const char *const line_colors[SUSPECTS] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b",
};

/* How values are shown: value * factor in unit `unit`. */
struct yscale {
	double factor;          /* display units per value unit */
	const char *unit;       /* "MB", "s", "cores", "" */
	bool cores;             /* CPU per snapshot duration */
	double max;             /* top of the axis, display units */
	double step;            /* between ticks, display units */
};

/* A round step so that YTICKS steps cover max. */
static double nice_step(double max)
{
	double raw = max / YTICKS, mag, f;

	if (raw <= 0)
		return 1;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/* CPU time shown as cores: a cpu type in a time unit whose every profile
 * says how long it ran. */
static bool in_cores(const struct pyro_history *h)
{
	size_t k;

	if (strcmp(h->type, "cpu") || pyro_unit_kind(h->sample_unit) != 1 ||
	    !h->durations)
		return false;
	for (k = 0; k < h->nsnaps; k++)
		if (h->durations[k] <= 0)
			return false;
	return true;
}

/* Value v of snapshot k in display units. */
static double shown(const struct pyro_history *h, const struct yscale *y,
		    size_t k, int64_t v)
{
	if (y->cores)
		return (double)v * y->factor / ((double)h->durations[k] / 1e9);
	return (double)v * y->factor;
}

static void pick_scale(const struct pyro_history *h, struct yscale *y)
{
	int64_t top = 1;
	double probe;
	size_t k;

	memset(y, 0, sizeof(*y));
	y->cores = in_cores(h);
	for (k = 0; k < h->nsnaps; k++)
		if (h->totals[k] > top)
			top = h->totals[k];
	if (y->cores) {
		y->factor = pyro_unit_scale(1000000000, h->sample_unit, "s",
					    &y->unit) / 1e9;
		y->unit = "cores";
	} else {
		probe = pyro_unit_scale(top, h->sample_unit, "auto", &y->unit);
		y->factor = probe / (double)top;
	}
	for (k = 0; k < h->nsnaps; k++)
		if (shown(h, y, k, h->totals[k]) > y->max)
			y->max = shown(h, y, k, h->totals[k]);
	y->step = nice_step(y->max);
	y->max = ceil(y->max / y->step - 1e-9) * y->step;
	if (y->max <= 0)
		y->max = y->step;
}

/* "5 MB", "0.25 cores", "1500": a tick in display units, as many decimals
 * as the step needs. */
static void tick_label(char dst[64], double v, const struct yscale *y)
{
	int dec = y->step >= 1 ? 0 : (int)ceil(-log10(y->step) - 1e-9);
	char num[40];
	size_t n;

	snprintf(num, sizeof(num), "%.*f", dec > 6 ? 6 : dec, v);
	n = strlen(num);
	if (strchr(num, '.')) {
		while (num[n - 1] == '0')
			num[--n] = '\0';
		if (num[n - 1] == '.')
			num[--n] = '\0';
	}
	snprintf(dst, 64, "%s%s%s", num, *y->unit ? " " : "", y->unit);
}

/* Nanoseconds from the first snapshot to time t, without overflow for
 * times centuries apart. */
static double since_first(const struct pyro_history *h, int64_t t)
{
	int64_t d;

	if (__builtin_sub_overflow(t, h->times[0], &d))
		return (double)t - (double)h->times[0];
	return (double)d;
}

static double x_of(const struct pyro_history *h, int64_t t)
{
	double span = since_first(h, h->times[h->nsnaps - 1]);

	return span > 0 ? LEFT + since_first(h, t) / span * (W - LEFT - RIGHT) :
	       (LEFT + W - RIGHT) / 2.0;
}

static double y_of(const struct yscale *y, double v)
{
	return TOP + PLOT_H - v / y->max * PLOT_H;
}

static int put_yaxis(const struct pyro_history *h, const struct yscale *y,
		     struct pyro_buf *out)
{
	char label[64];
	int rc = 0, i;

	for (i = 0; i * y->step <= y->max + y->step / 2 && !rc; i++) {
		double py = y_of(y, i * y->step);

		tick_label(label, i * y->step, y);
		rc = pyro_buf_printf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" "
				     "y2=\"%.1f\" stroke=\"#ddd\"/>\n<text x=\"%d\" "
				     "y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
				     LEFT, py, W - RIGHT, py, LEFT - 6, py + 4, label);
	}
	if (!rc)
		rc = pyro_buf_printf(out, "<text transform=\"translate(18,%d) "
				     "rotate(-90)\" text-anchor=\"middle\">",
				     TOP + PLOT_H / 2);
	if (!rc && y->cores)
		rc = pyro_buf_puts(out, "CPU (cores: CPU seconds per second)");
	else if (!rc) {
		rc = pyro_buf_puts(out, "total (");
		if (!rc)
			rc = pyro_xml_put(out, *y->unit ? y->unit : h->sample_unit,
					  strlen(*y->unit ? y->unit : h->sample_unit));
		if (!rc)
			rc = pyro_buf_puts(out, ")");
	}
	return rc ? rc : pyro_buf_puts(out, "</text>\n");
}

#define YEAR 31536000LL   /* 365 days: ticks every N "years" drift from
			   * 1 January, which a chart of years can bear */

/* Round steps for time ticks, seconds: each at most 4 times the one
 * before, so the largest that leaves 5 ticks leaves fewer than 21. */
static const int64_t time_steps[] = {
	1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800,
	21600, 43200, 86400, 172800, 604800, 1209600, 2592000, 7776000,
	YEAR, 2 * YEAR, 5 * YEAR, 10 * YEAR, 20 * YEAR, 50 * YEAR, 100 * YEAR,
	200 * YEAR, 500 * YEAR, 1000 * YEAR,
};

#define NSTEPS (sizeof(time_steps) / sizeof(time_steps[0]))

/* The largest round step that leaves at least 5 ticks in the span, or 0
 * when even 1 s leaves fewer (then 5 evenly spaced labels). */
static int64_t time_step(double span_ns)
{
	size_t i;

	for (i = NSTEPS; i-- > 0;)
		if (span_ns / 1e9 / (double)time_steps[i] >= 5)
			return time_steps[i];
	return 0;
}

static int put_time_tick(struct pyro_buf *out, double x, int64_t sec,
			 int64_t step)
{
	time_t t = (time_t)sec;
	struct tm tm;
	char when[40];

	if (!gmtime_r(&t, &tm) ||
	    !strftime(when, sizeof(when), step >= YEAR ? "%Y" : step >= 2592000 ?
		      "%Y-%m" : step >= 86400 ? "%m-%d" : step >= 60 ? "%H:%M" :
		      "%H:%M:%S", &tm))
		snprintf(when, sizeof(when), "?");
	return pyro_buf_printf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
			       "y2=\"%d\" stroke=\"#eee\"/>\n<text x=\"%.1f\" "
			       "y=\"%d\" text-anchor=\"middle\">%s</text>\n", x, TOP,
			       x, TOP + PLOT_H, x, TOP + PLOT_H + 18, when);
}

static int put_xaxis(const struct pyro_history *h, struct pyro_buf *out)
{
	double span = since_first(h, h->times[h->nsnaps - 1]);
	int64_t step = time_step(span), first_s, last_s, s;
	char from[40], to[40];
	int rc = 0, i;

	if (span <= 0) {
		rc = put_time_tick(out, x_of(h, h->times[0]),
				   h->times[0] / PYRO_NS_PER_SEC, 1);
	} else if (step == 0) {
		for (i = 0; i < 5 && !rc; i++) {
			int64_t t = h->times[0] + (int64_t)(span * i / 4);

			rc = put_time_tick(out, x_of(h, t), t / PYRO_NS_PER_SEC, 1);
		}
	} else {
		first_s = h->times[0] / PYRO_NS_PER_SEC;
		last_s = h->times[h->nsnaps - 1] / PYRO_NS_PER_SEC;
		s = first_s - first_s % step + (first_s % step ? step : 0);
		if (h->times[0] < 0 && first_s % step)
			s -= step;      /* C's % rounds toward zero */
		for (; s <= last_s && !rc; s += step)
			if ((double)s * 1e9 >= (double)h->times[0])
				rc = put_time_tick(out, x_of(h, s * PYRO_NS_PER_SEC),
						   s, step);
	}
	pyro_utc_time(from, h->times[0]);
	pyro_utc_time(to, h->times[h->nsnaps - 1]);
	if (!rc)
		rc = pyro_buf_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">"
				     "time: %s to %s</text>\n", (LEFT + W - RIGHT) / 2,
				     TOP + PLOT_H + 42, from, to);
	if (!rc)
		rc = pyro_buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
				     "stroke=\"#444\"/>\n<line x1=\"%d\" y1=\"%d\" x2=\"%d\" "
				     "y2=\"%d\" stroke=\"#444\"/>\n", LEFT, TOP + PLOT_H,
				     W - RIGHT, TOP + PLOT_H, LEFT, TOP, LEFT, TOP + PLOT_H);
	return rc;
}

/* A snapshot name as a relative URL: bytes outside [A-Za-z0-9._~-] as %XX
 * (which is also safe in an XML attribute). */
static int put_href(struct pyro_buf *out, const char *name)
{
	int rc = 0;

	for (; *name && !rc; name++) {
		unsigned char c = (unsigned char)*name;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("._~-", c))
			rc = pyro_buf_putc(out, (char)c);
		else
			rc = pyro_buf_printf(out, "%%%02X", c);
	}
	return rc;
}

/* The value label of a point's tooltip: "30.28MB", "0.36 cores (3.57s)". */
static void point_label(char dst[96], const struct pyro_history *h,
			const struct yscale *y, size_t k, int64_t v)
{
	char raw[PYRO_LABEL_MAX];

	pyro_unit_label(raw, v, h->sample_unit, "auto");
	if (y->cores)
		snprintf(dst, 96, "%.2f cores (%s)", shown(h, y, k, v), raw);
	else
		snprintf(dst, 96, "%s", raw);
}

static int put_total(const struct pyro_history *h, const struct yscale *y,
		     struct pyro_buf *out)
{
	char label[96];
	size_t k;
	int rc;

	rc = pyro_buf_puts(out, "<polyline fill=\"none\" stroke=\"#c0392b\" "
			   "stroke-width=\"2.5\" points=\"");
	for (k = 0; k < h->nsnaps && !rc; k++)
		rc = pyro_buf_printf(out, "%s%.1f,%.1f", k ? " " : "",
				     x_of(h, h->times[k]),
				     y_of(y, shown(h, y, k, h->totals[k])));
	if (!rc)
		rc = pyro_buf_puts(out, "\"/>\n");
	for (k = 0; k < h->nsnaps && !rc; k++) {
		point_label(label, h, y, k, h->totals[k]);
		rc = pyro_buf_puts(out, "<a href=\"");
		if (!rc)
			rc = put_href(out, h->names[k]);
		if (!rc)
			rc = pyro_buf_puts(out, "/flame.svg\" xlink:href=\"");
		if (!rc)
			rc = put_href(out, h->names[k]);
		if (!rc)
			rc = pyro_buf_printf(out, "/flame.svg\"><circle cx=\"%.1f\" "
					     "cy=\"%.1f\" r=\"4\" fill=\"#c0392b\">"
					     "<title>%s: %s (click: flame graph)"
					     "</title></circle></a>\n",
					     x_of(h, h->times[k]),
					     y_of(y, shown(h, y, k, h->totals[k])),
					     h->names[k], label);
	}
	return rc;
}

/* One suspect's line through its sampled series, and the last snapshot's
 * value when the last slot is older. */
static int put_suspect(const struct pyro_history *h, const struct yscale *y,
		       const struct pyro_history_func *f, const char *color,
		       struct pyro_buf *out)
{
	size_t j, last = h->nsnaps - 1;
	int rc;

	rc = pyro_buf_printf(out, "<polyline fill=\"none\" stroke=\"%s\" "
			     "stroke-width=\"1.5\" points=\"", color);
	for (j = 0; j < h->nslots && !rc; j++) {
		size_t k = h->slot_snap[j];

		rc = pyro_buf_printf(out, "%s%.1f,%.1f", j ? " " : "",
				     x_of(h, h->times[k]),
				     y_of(y, shown(h, y, k, f->series[j])));
	}
	if (!rc && (h->nslots == 0 || h->slot_snap[h->nslots - 1] != last))
		rc = pyro_buf_printf(out, " %.1f,%.1f", x_of(h, h->times[last]),
				     y_of(y, shown(h, y, last, f->flat_last)));
	return rc ? rc : pyro_buf_puts(out, "\"/>\n");
}

static int put_legend_row(struct pyro_buf *out, int row, const char *color,
			  const char *width)
{
	int ly = TOP + PLOT_H + AXIS_H + row * LEGEND_ROW;

	return pyro_buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
			       "stroke=\"%s\" stroke-width=\"%s\"/>\n<text x=\"%d\" "
			       "y=\"%d\">", LEFT, ly - 4, LEFT + 24, ly - 4, color,
			       width, LEFT + 32, ly);
}

/* The lines of the top suspects and the legend; *rows gets the legend's
 * row count. */
static int put_suspects(const struct pyro_history *h, const struct yscale *y,
			struct pyro_buf *out, int *rows)
{
	size_t *order = NULL, n = 0, i;
	char growth[64];
	int rc;

	rc = put_legend_row(out, 0, "#c0392b", "2.5");
	if (!rc)
		rc = pyro_buf_puts(out, "total (each point links to its flame graph)"
				   "</text>\n");
	*rows = 1;
	if (!rc && h->nsnaps > 1)
		rc = pyro_growth_rank(h, &order, &n);
	for (i = 0; i < n && i < SUSPECTS && !rc; i++) {
		const struct pyro_history_func *f = &h->funcs[order[i]];
		struct pyro_str name = pyro_strtab_get(&h->strs, f->name);

		if (!f->series)
			continue;
		rc = put_suspect(h, y, f, line_colors[i], out);
		if (!rc)
			rc = put_legend_row(out, (*rows)++, line_colors[i], "1.5");
		if (!rc)
			rc = pyro_xml_put(out, name.ptr, name.len);
		pyro_label_double(growth, (double)f->flat_last -
				  (double)f->flat_first, h->sample_unit, 1);
		if (!rc)
			rc = pyro_buf_printf(out, " (flat %s; %s)</text>\n", growth,
					     f->falls ? "fell at times" :
					     "never fell");
	}
	free(order);
	return rc;
}

static int timeline_svg(const struct pyro_history *h, struct pyro_buf *out)
{
	struct pyro_buf body = PYRO_BUF_INIT;
	struct yscale y;
	int rc, rows = 0;

	pick_scale(h, &y);
	rc = put_yaxis(h, &y, &body);
	if (!rc)
		rc = put_xaxis(h, &body);
	if (!rc)
		rc = put_suspects(h, &y, &body, &rows);
	if (!rc)
		rc = put_total(h, &y, &body);
	/* The height depends on the legend: the header comes last. */
	if (!rc)
		rc = pyro_buf_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				     "<svg xmlns=\"http://www.w3.org/2000/svg\" "
				     "xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
				     "viewBox=\"0 0 %d %d\" font-family=\"Verdana, "
				     "sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" "
				     "height=\"100%%\" fill=\"#fff\"/>\n<text x=\"%d\" y=\"28\" "
				     "text-anchor=\"middle\" font-size=\"16\">", W,
				     TOP + PLOT_H + AXIS_H + rows * LEGEND_ROW, W / 2);
	if (!rc)
		rc = pyro_xml_put(out, h->service, strlen(h->service));
	if (!rc)
		rc = pyro_buf_printf(out, " %s: %s per snapshot</text>\n", h->type,
				     y.cores ? "CPU cores" : "total");
	if (!rc)
		rc = pyro_buf_add(out, body.data, body.len);
	if (!rc)
		rc = pyro_buf_puts(out, "</svg>\n");
	pyro_buf_release(&body);
	return rc;
}

int pyro_timeline_svg_render(const struct pyro_history *h, struct pyro_buf *out)
{
	size_t start = out->len;
	int rc = timeline_svg(h, out);

	if (rc)
		pyro_buf_truncate(out, start);  /* as it was (render.h) */
	return rc;
}
