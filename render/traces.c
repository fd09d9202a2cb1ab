/*
 * traces.c - traces.txt: `pprof -traces`, every stack of the node with its
 * value, leaf first.
 *
 * pprof prints the profile's header lines (ProfileLabels, no "Showing"
 * lines), then per sample a separator, the sample's labels, and its frames
 * leaf first, the value (in its own best unit: -traces never selects an
 * output unit) on the first line only and " (inline)" after a frame that
 * is an inlined call inside its location; a sample without frames is left
 * out.  A closing separator ends the file.  pprof also prints samples of
 * value 0 (a heap sample of freed memory in inuse_space); traces.txt, like
 * every file here, leaves stacks of value 0 out.
 *
 * What pyrofs has is the node's distinct stacks in the order they were
 * first seen, with labels already gone (model/stacks.h): so traces.txt
 * equals `pprof -traces` of a profile whose samples are distinct stacks
 * without labels, which a Go profile of one process mostly is; samples that
 * differ only by labels print as one stack with their summed value (pprof
 * -traces -taghide=. of the profile after `pprof -proto` merged them).
 */
#include "render.h"
#include "report.h"
#include "units.h"

#include <errno.h>

#define SEPARATOR "-----------+-------------------------------------------------------\n"

static int put_stack(const struct pyro_stacks *s, const struct pyro_stack *st,
		     const char *unit, struct pyro_buf *out)
{
	const uint32_t *refs = pyro_stack_refs(s, st);
	char v[PYRO_LABEL_MAX];
	uint32_t d;
	int rc = pyro_buf_puts(out, SEPARATOR);

	pyro_unit_label(v, st->value, unit, "minimum");
	for (d = st->depth; !rc && d-- > 0;) {
		struct pyro_str name = pyro_ref_node(s, refs[d]);

		rc = pyro_put_padded(out, d == st->depth - 1 ? v : "", 10);
		if (!rc)
			rc = pyro_buf_puts(out, "   ");
		if (!rc)
			rc = pyro_buf_add(out, name.ptr, name.len);
		if (!rc && (refs[d] & PYRO_REF_INLINE))
			rc = pyro_buf_puts(out, " (inline)");
		if (!rc)
			rc = pyro_buf_putc(out, '\n');
	}
	return rc;
}

int pyro_traces_render(const struct pyro_stacks *s, struct pyro_buf *out)
{
	const char *unit = s->meta.sample_unit ? s->meta.sample_unit : "";
	size_t start = out->len, i;
	int64_t total;
	int rc = pyro_stacks_percent_total(s, &total);

	if (!rc)
		rc = pyro_report_profile_labels(s, total, "minimum", out);
	if (!rc && out->len == start)
		rc = pyro_buf_putc(out, '\n');  /* Println of no lines */
	for (i = 0; !rc && i < s->nstacks; i++)
		if (s->stacks[i].depth && s->stacks[i].value)
			rc = put_stack(s, &s->stacks[i], unit, out);
	if (!rc)
		rc = pyro_buf_puts(out, SEPARATOR);
	if (rc)
		pyro_buf_truncate(out, start);  /* as it was (render.h) */
	return rc;
}
