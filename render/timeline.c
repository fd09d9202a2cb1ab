/*
 * timeline.c - timeline.txt and timeline.svg: a series' total per snapshot.
 *
 * The memory timeline answers "is it growing, and does it ever come down?".
 * timeline.txt has one line per snapshot (time, total with unit, change,
 * exact total) and a trend: the least-squares slope per hour and how many
 * intervals rose or fell.  timeline.svg draws the same points as a line
 * chart with labelled axes; it is plain SVG with no script and no fetches.
 */
#include "render.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

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

#define W 800
#define H 360
#define LEFT 90
#define RIGHT 30
#define TOP 50
#define BOTTOM 60
#define TICKS 5

/* A round step so that TICKS steps cover max. */
static double nice_step(double max)
{
	double raw = max / TICKS, mag, f;

	if (raw <= 0)
		return 1;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

static int put_axes(const struct pyro_history *h, struct pyro_buf *out,
		    double ymax, double step)
{
	char label[64], when[40];
	int rc, i;

	rc = pyro_buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
			     "stroke=\"#444\"/>\n", LEFT, H - BOTTOM, W - RIGHT,
			     H - BOTTOM);
	if (!rc)
		rc = pyro_buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
				     "stroke=\"#444\"/>\n", LEFT, TOP, LEFT, H - BOTTOM);
	for (i = 0; i * step <= ymax + step / 2 && !rc; i++) {
		double y = H - BOTTOM - (i * step) / ymax * (H - TOP - BOTTOM);

		pyro_label_double(label, i * step, h->sample_unit, 0);
		rc = pyro_buf_printf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" "
				     "y2=\"%.1f\" stroke=\"#ddd\"/>\n<text x=\"%d\" "
				     "y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
				     LEFT, y, W - RIGHT, y, LEFT - 6, y + 4, label);
	}
	pyro_utc_time(when, h->times[0]);
	if (!rc)
		rc = pyro_buf_printf(out, "<text x=\"%d\" y=\"%d\">%s</text>\n", LEFT,
				     H - BOTTOM + 20, when);
	pyro_utc_time(when, h->times[h->nsnaps - 1]);
	if (!rc)
		rc = pyro_buf_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">"
				     "%s</text>\n", W - RIGHT, H - BOTTOM + 20, when);
	if (!rc)
		rc = pyro_buf_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">"
				     "time (UTC)</text>\n", (LEFT + W - RIGHT) / 2,
				     H - BOTTOM + 42);
	if (!rc)
		rc = pyro_buf_printf(out, "<text transform=\"translate(16,%d) rotate(-90)\" "
				     "text-anchor=\"middle\">total (",
				     (TOP + H - BOTTOM) / 2);
	if (!rc)
		rc = pyro_xml_put(out, h->sample_unit, strlen(h->sample_unit));
	if (!rc)
		rc = pyro_buf_puts(out, ")</text>\n");
	return rc;
}

/* Nanoseconds from the first snapshot to snapshot k, without overflow
 * for times centuries apart. */
static double since_first(const struct pyro_history *h, size_t k)
{
	int64_t d;

	if (__builtin_sub_overflow(h->times[k], h->times[0], &d))
		return (double)h->times[k] - (double)h->times[0];
	return (double)d;
}

/* x and y of snapshot k. */
static void point(const struct pyro_history *h, size_t k, double ymax,
		  double *x, double *y)
{
	double span = since_first(h, h->nsnaps - 1);

	*x = span > 0 ? LEFT + since_first(h, k) /
			span * (W - LEFT - RIGHT) : (LEFT + W - RIGHT) / 2.0;
	*y = H - BOTTOM - (double)h->totals[k] / ymax * (H - TOP - BOTTOM);
}

static int put_points(const struct pyro_history *h, struct pyro_buf *out,
		      double ymax)
{
	char total[PYRO_LABEL_MAX];
	double x, y;
	size_t k;
	int rc;

	rc = pyro_buf_puts(out, "<polyline fill=\"none\" stroke=\"#c0392b\" "
			   "stroke-width=\"2\" points=\"");
	for (k = 0; k < h->nsnaps && !rc; k++) {
		point(h, k, ymax, &x, &y);
		rc = pyro_buf_printf(out, "%s%.1f,%.1f", k ? " " : "", x, y);
	}
	if (!rc)
		rc = pyro_buf_puts(out, "\"/>\n");
	for (k = 0; k < h->nsnaps && !rc; k++) {
		point(h, k, ymax, &x, &y);
		pyro_unit_label(total, h->totals[k], h->sample_unit, "auto");
		rc = pyro_buf_printf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" "
				     "fill=\"#c0392b\"><title>%s: %s</title></circle>\n",
				     x, y, h->names[k], total);
	}
	return rc;
}

static int timeline_svg(const struct pyro_history *h, struct pyro_buf *out)
{
	double ymax = 0, step;
	size_t k;
	int rc;

	for (k = 0; k < h->nsnaps; k++)
		if ((double)h->totals[k] > ymax)
			ymax = (double)h->totals[k];
	step = nice_step(ymax);
	ymax = ceil(ymax / step) * step;
	if (ymax <= 0)
		ymax = step;
	rc = pyro_buf_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
			     "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"Verdana, "
			     "sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" "
			     "height=\"100%%\" fill=\"#fff\"/>\n<text x=\"%d\" y=\"28\" "
			     "text-anchor=\"middle\" font-size=\"16\">", W, H, W, H,
			     W / 2);
	if (!rc)
		rc = pyro_xml_put(out, h->service, strlen(h->service));
	if (!rc)
		rc = pyro_buf_printf(out, " %s: total per snapshot</text>\n", h->type);
	if (!rc)
		rc = put_axes(h, out, ymax, step);
	if (!rc)
		rc = put_points(h, out, ymax);
	if (!rc)
		rc = pyro_buf_puts(out, "</svg>\n");
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
