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

int pyro_labels_render(const struct pyro_label_set *ls, struct pyro_buf *out)
{
	char total[PYRO_LABEL_MAX];
	size_t i, j, nvalues = 0;
	int rc = 0;

	for (i = 0; i < ls->nkeys; i++)
		nvalues += ls->keys[i].nvalues;
	pyro_unit_label(total, ls->total, ls->sample_unit, "auto");
	rc |= pyro_buf_printf(out, "Type: %s\nUnit: %s\nTotal: %s (%u snapshot%s)\n",
			      ls->sample_type, ls->sample_unit, total,
			      ls->nsnapshots, ls->nsnapshots == 1 ? "" : "s");
	if (ls->nkeys == 0)
		return rc | pyro_buf_puts(out, "Labels: none\n") ?
		       pyro_buf_failure(out) : 0;
	rc |= pyro_buf_printf(out, "Labels: %zu key%s, %zu value%s; share of the total, largest first\n",
			      ls->nkeys, ls->nkeys == 1 ? "" : "s",
			      nvalues, nvalues == 1 ? "" : "s");
	rc |= pyro_buf_printf(out, "%10s %6s  %s\n", "total", "share", "label");
	for (i = 0; i < ls->nkeys && !rc; i++) {
		const struct pyro_label_key *k = &ls->keys[i];
		int scaled = k->unit && pyro_unit_kind(k->unit) != 0;

		rc |= put_row(out, ls, k->total);
		rc |= pyro_buf_puts(out, k->name);
		if (k->unit)
			rc |= pyro_buf_printf(out, " (numbers in %s)", k->unit);
		rc |= pyro_buf_putc(out, '\n');
		for (j = 0; j < k->nvalues && !rc; j++) {
			const struct pyro_label_value *v = &k->values[j];

			rc |= put_row(out, ls, v->total);
			rc |= pyro_buf_printf(out, "%s=%s", k->name, v->name);
			if (scaled && (v->kinds & PYRO_LABEL_NUMBER)) {
				char lab[PYRO_LABEL_MAX];

				pyro_unit_label(lab, v->num, k->unit, "auto");
				rc |= pyro_buf_printf(out, " (%s)", lab);
			}
			rc |= pyro_buf_putc(out, '\n');
		}
		if (k->without) {
			rc |= put_row(out, ls, k->without);
			rc |= pyro_buf_printf(out, "%s not set\n", k->name);
		}
	}
	return rc ? pyro_buf_failure(out) : 0;
}
