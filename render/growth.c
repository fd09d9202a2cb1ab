/*
 * growth.txt - the functions whose value grew across a series' snapshots.
 *
 * For inuse_space this is the list of leak suspects: a function whose flat
 * (self) value rose in every interval and never fell holds memory that is
 * not released.  Rows are ranked by growth (flat at the last snapshot minus
 * flat at the first), then by slope; flat and cum at both ends are shown so
 * a caller's growth can be told from its callees'.  Each row says its share
 * of the total's growth and a verdict (suspect, step, churn) in words, so
 * the reader need not work out what "3/3 0/3" means, and under it the
 * hottest caller path: where the memory is allocated from.  Slopes are per
 * minute when the series spans less than an hour; counts are whole.
 */
#include "render.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "growth.h"
#include "text.h"
#include "units.h"

static int cmp_growth(const void *a, const void *b, void *arg)
{
	const struct pyro_history *h = arg;
	const struct pyro_history_func *x = &h->funcs[*(const size_t *)a];
	const struct pyro_history_func *y = &h->funcs[*(const size_t *)b];
	double gx = (double)x->flat_last - (double)x->flat_first;
	double gy = (double)y->flat_last - (double)y->flat_first;
	struct pyro_str nx, ny;
	int c;

	if (gx != gy)
		return gx < gy ? 1 : -1;
	if (x->slope != y->slope)
		return x->slope < y->slope ? 1 : -1;
	nx = pyro_strtab_get(&h->strs, x->name);
	ny = pyro_strtab_get(&h->strs, y->name);
	c = memcmp(nx.ptr, ny.ptr, nx.len < ny.len ? nx.len : ny.len);
	return c ? c : (nx.len > ny.len) - (nx.len < ny.len);
}

/* Rates per minute when the series spans less than an hour (a slope per
 * hour would extrapolate far beyond what was seen), else per hour. */
static bool per_minute(const struct pyro_history *h)
{
	double span = (double)h->times[h->nsnaps - 1] - (double)h->times[0];

	return span < 3.6e12;
}

/* A fractional value as a label: counts (no unit pprof scales) as whole
 * numbers, since "+377952.89 objects" is noise; others as
 * pyro_label_double. */
static void put_amount(char dst[64], double v, const char *unit)
{
	if (pyro_unit_kind(unit) == 0 && fabs(v) < 9e18)
		snprintf(dst, 64, "%+lld", (long long)llround(v));
	else
		pyro_label_double(dst, v, unit, 1);
}

static int put_header(const struct pyro_history *h, struct pyro_buf *out)
{
	int rc = pyro_buf_puts(out, "Growth: ");

	if (!rc)
		rc = pyro_buf_put_safe(out, h->service, strlen(h->service));
	if (!rc)
		rc = h->nfolded < h->nsnaps ?
		     /* A server's series: stacks of a few points only. */
		     pyro_buf_printf(out, " %s over %zu of %zu snapshots (%s to %s, "
				     "evenly spaced; the timeline has all)\n",
				     h->type, h->nfolded, h->nsnaps, h->names[0],
				     h->names[h->nsnaps - 1]) :
		     pyro_buf_printf(out, " %s over %zu snapshot%s (%s to %s)\n",
				     h->type, h->nsnaps, h->nsnaps == 1 ? "" : "s",
				     h->names[0], h->names[h->nsnaps - 1]);
	if (!rc)
		rc = pyro_buf_puts(out, "Functions whose flat value grew from the first "
				     "snapshot to the last, largest growth first.\n"
				     "share: part of the total's growth.  verdict: "
				     "\"suspect\" never fell and rose in at least half\n"
				     "the intervals (memory that is not released), "
				     "\"step\" never fell but rose seldom,\n"
				     "\"churn\" also fell.  \"via\": the hottest "
				     "caller path at the last snapshot.\n\n");
	if (!rc)
		rc = pyro_buf_printf(out, "%10s %6s %12s %10s %10s %10s %10s  %-30s %s\n",
				     "growth", "share", per_minute(h) ?
				     "slope/min" : "slope/hour",
				     "flat first", "flat last", "cum first",
				     "cum last", "verdict", "function");
	return rc;
}

/* "suspect: rose 5/5, never fell", "step: ...", "churn: rose 3/5, fell 2/5". */
static void verdict(char dst[64], const struct pyro_history_func *f,
		    size_t intervals)
{
	if (f->falls == 0)
		snprintf(dst, 64, "%s: rose %u/%zu, never fell",
			 2 * (size_t)f->rises >= intervals ? "suspect" : "step",
			 f->rises, intervals);
	else
		snprintf(dst, 64, "churn: rose %u/%zu, fell %u/%zu", f->rises,
			 intervals, f->falls, intervals);
}

/* The function's part of the total's growth, or "-" when the total did
 * not grow. */
static void share(char dst[16], const struct pyro_history *h, double growth)
{
	double total = (double)h->totals[h->nsnaps - 1] - (double)h->totals[0];

	if (total > 0)
		snprintf(dst, 16, "%.1f%%", 100.0 * growth / total);
	else
		snprintf(dst, 16, "-");
}

static int put_row(const struct pyro_history *h,
		   const struct pyro_history_func *f, struct pyro_buf *out)
{
	char growth[64], slope[64], ff[PYRO_LABEL_MAX], fl[PYRO_LABEL_MAX];
	char cf[PYRO_LABEL_MAX], cl[PYRO_LABEL_MAX], what[64], part[16];
	const char *u = h->sample_unit;
	struct pyro_str name = pyro_strtab_get(&h->strs, f->name);
	double g = (double)f->flat_last - (double)f->flat_first;
	int rc;

	put_amount(growth, g, u);
	put_amount(slope, per_minute(h) ? f->slope / 60 : f->slope, u);
	share(part, h, g);
	pyro_unit_label(ff, f->flat_first, u, "auto");
	pyro_unit_label(fl, f->flat_last, u, "auto");
	pyro_unit_label(cf, f->cum_first, u, "auto");
	pyro_unit_label(cl, f->cum_last, u, "auto");
	verdict(what, f, h->nsnaps - 1);
	rc = pyro_buf_printf(out, "%10s %6s %12s %10s %10s %10s %10s  %-30s ",
			     growth, part, slope, ff, fl, cf, cl, what);
	if (!rc)
		rc = pyro_buf_put_safe(out, name.ptr, name.len);
	if (!rc && f->has_path) {
		struct pyro_str path = pyro_strtab_get(&h->strs, f->path);

		rc = pyro_buf_printf(out, "\n%*s via ", 10 + 1 + 6 + 1 + 12, "");
		if (!rc && path.len)
			rc = pyro_buf_put_safe(out, path.ptr, path.len);
		else if (!rc)
			rc = pyro_buf_puts(out, "(a root: no caller)");
	}
	if (!rc)
		rc = pyro_buf_putc(out, '\n');
	return rc;
}

int pyro_growth_rank(const struct pyro_history *h, size_t **order, size_t *n)
{
	size_t i;

	*n = 0;
	*order = malloc((h->nfuncs + 1) * sizeof(**order));
	if (!*order)
		return -ENOMEM;
	for (i = 0; i < h->nfuncs; i++)
		if (h->funcs[i].flat_last > h->funcs[i].flat_first)
			(*order)[(*n)++] = i;
	qsort_r(*order, *n, sizeof(**order), cmp_growth, (void *)h);
	return 0;
}

static int growth(const struct pyro_history *h, struct pyro_buf *out)
{
	size_t *order, n = 0, i;
	int rc;

	rc = put_header(h, out);
	if (rc)
		return rc;
	if (h->nsnaps < 2)
		return pyro_buf_puts(out, "(one snapshot: nothing can have grown yet)\n");
	rc = pyro_growth_rank(h, &order, &n);
	if (rc)
		return rc;
	for (i = 0; i < n && !rc; i++)
		rc = put_row(h, &h->funcs[order[i]], out);
	if (!rc && n == 0)
		rc = pyro_buf_puts(out, "(no function grew)\n");
	free(order);
	return rc;
}

int pyro_growth_render(const struct pyro_history *h, struct pyro_buf *out)
{
	size_t start = out->len;
	int rc = growth(h, out);

	if (rc)
		pyro_buf_truncate(out, start);  /* as it was (render.h) */
	return rc;
}
