/*
 * growth.txt - the functions whose value grew across a series' snapshots.
 *
 * For inuse_space this is the list of leak suspects: a function whose flat
 * (self) value rose in every interval and never fell holds memory that is
 * not released.  Rows are ranked by growth (flat at the last snapshot minus
 * flat at the first), then by slope; flat and cum at both ends are shown so
 * a caller's growth can be told from its callees'.
 */
#include "render.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int put_header(const struct pyro_history *h, struct pyro_buf *out)
{
	int rc = pyro_buf_puts(out, "Growth: ");

	if (!rc)
		rc = pyro_buf_put_safe(out, h->service, strlen(h->service));
	if (!rc)
		rc = pyro_buf_printf(out, " %s over %zu snapshot%s (%s to %s)\n"
				     "Functions whose flat value grew from the first "
				     "snapshot to the last, largest growth first.\n"
				     "A function that rose in every interval and never "
				     "fell is a leak suspect.\n\n",
				     h->type, h->nsnaps, h->nsnaps == 1 ? "" : "s",
				     h->names[0],
				     h->names[h->nsnaps - 1]);
	if (!rc)
		rc = pyro_buf_printf(out, "%10s %12s %7s %7s %10s %10s %10s %10s  %s\n",
				     "growth", "slope/hour", "rose", "fell",
				     "flat first", "flat last", "cum first",
				     "cum last", "function");
	return rc;
}

static int put_row(const struct pyro_history *h,
		   const struct pyro_history_func *f, struct pyro_buf *out)
{
	char growth[64], slope[64], ff[PYRO_LABEL_MAX], fl[PYRO_LABEL_MAX];
	char cf[PYRO_LABEL_MAX], cl[PYRO_LABEL_MAX], rose[24], fell[24];
	const char *u = h->sample_unit;
	struct pyro_str name = pyro_strtab_get(&h->strs, f->name);
	int rc;

	pyro_label_double(growth, (double)f->flat_last - (double)f->flat_first,
			  u, 1);
	pyro_label_double(slope, f->slope, u, 1);
	pyro_unit_label(ff, f->flat_first, u, "auto");
	pyro_unit_label(fl, f->flat_last, u, "auto");
	pyro_unit_label(cf, f->cum_first, u, "auto");
	pyro_unit_label(cl, f->cum_last, u, "auto");
	snprintf(rose, sizeof(rose), "%u/%zu", f->rises, h->nsnaps - 1);
	snprintf(fell, sizeof(fell), "%u/%zu", f->falls, h->nsnaps - 1);
	rc = pyro_buf_printf(out, "%10s %12s %7s %7s %10s %10s %10s %10s  ",
			     growth, slope, rose, fell, ff, fl, cf, cl);
	if (!rc)
		rc = pyro_buf_put_safe(out, name.ptr, name.len);
	if (!rc)
		rc = pyro_buf_putc(out, '\n');
	return rc;
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
	order = malloc((h->nfuncs + 1) * sizeof(*order));
	if (!order)
		return -ENOMEM;
	for (i = 0; i < h->nfuncs; i++)
		if (h->funcs[i].flat_last > h->funcs[i].flat_first)
			order[n++] = i;
	qsort_r(order, n, sizeof(*order), cmp_growth, (void *)h);
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
