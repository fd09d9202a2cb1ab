/*
 * labels.c - labels.txt: the label keys and values of a node, with their
 * totals and shares of the node's total.
 *
 *     Type: cpu
 *     Unit: nanoseconds
 *     Total: 1.12s (1 snapshot)
 *     Labels: 3 keys, 7 values; share of the total, largest first
 *          total  share  label
 *          1.12s   100%  key1
 *             1s 89.29%  key1=tag1
 *          100ms  8.93%  key1=tag2
 *          100ms  8.93%  key3
 *          100ms  8.93%  key3=tag2
 *          1.02s 91.07%  key3 not set
 *
 * One line per key (its total: the samples carrying it), then one per
 * value, then "KEY not set" for the samples without the key when they
 * count.  Keys and values come in the set's order: total desc, then name.
 * Names are the directory names of labels/ (labels.h), so a line names the
 * directory to look in and odd bytes never reach the terminal.  A numeric
 * key says its unit ("bytes (numbers in bytes)") and its values show the
 * scaled figure too when pprof knows the unit ("bytes=1638400 (1.56MB)").
 * Figures are pprof's scaled labels and percentages (units.h).
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

/* A key's line, its values' lines and its "not set" line. */
static int put_key(const struct pyro_label_set *ls,
		   const struct pyro_label_key *k, struct pyro_buf *out)
{
	int scaled = k->unit && pyro_unit_kind(k->unit) != 0;
	size_t j;
	int rc;

	rc = put_row(out, ls, k->total);
	if (!rc)
		rc = pyro_buf_puts(out, k->name);
	if (!rc && k->unit)
		rc = pyro_buf_printf(out, " (numbers in %s)", k->unit);
	if (!rc)
		rc = pyro_buf_putc(out, '\n');
	for (j = 0; j < k->nvalues && !rc; j++) {
		const struct pyro_label_value *v = &k->values[j];

		rc = put_row(out, ls, v->total);
		if (!rc)
			rc = pyro_buf_printf(out, "%s=%s", k->name, v->name);
		if (!rc && scaled && (v->kinds & PYRO_LABEL_NUMBER)) {
			char lab[PYRO_LABEL_MAX];

			pyro_unit_label(lab, v->num, k->unit, "auto");
			rc = pyro_buf_printf(out, " (%s)", lab);
		}
		if (!rc)
			rc = pyro_buf_putc(out, '\n');
	}
	if (!rc && k->without) {
		rc = put_row(out, ls, k->without);
		if (!rc)
			rc = pyro_buf_printf(out, "%s not set\n", k->name);
	}
	return rc;
}

static int put_labels(const struct pyro_label_set *ls, struct pyro_buf *out)
{
	char total[PYRO_LABEL_MAX];
	size_t i, nvalues = 0;
	int rc;

	for (i = 0; i < ls->nkeys; i++)
		nvalues += ls->keys[i].nvalues;
	pyro_unit_label(total, ls->total, ls->sample_unit, "auto");
	rc = pyro_buf_printf(out, "Type: %s\nUnit: %s\nTotal: %s (%u snapshot%s)\n",
			     ls->sample_type, ls->sample_unit, total,
			     ls->nsnapshots, ls->nsnapshots == 1 ? "" : "s");
	if (!rc && ls->nkeys == 0)
		return pyro_buf_puts(out, "Labels: none\n");
	if (!rc)
		rc = pyro_buf_printf(out, "Labels: %zu key%s, %zu value%s; share of the total, largest first\n",
				     ls->nkeys, ls->nkeys == 1 ? "" : "s",
				     nvalues, nvalues == 1 ? "" : "s");
	if (!rc)
		rc = pyro_buf_printf(out, "%10s %6s  %s\n", "total", "share", "label");
	for (i = 0; i < ls->nkeys && !rc; i++)
		rc = put_key(ls, &ls->keys[i], out);
	return rc;
}

int pyro_labels_render(const struct pyro_label_set *ls, struct pyro_buf *out)
{
	size_t start = out->len;
	int rc = put_labels(ls, out);

	if (rc)
		pyro_buf_truncate(out, start);  /* as it was (render.h) */
	return rc;
}
