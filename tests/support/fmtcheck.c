/*
 * fmtcheck.c - a foreign-format file through conversion, decoding and the
 * folded renderer (see fmtcheck.h).
 */
#include "fmtcheck.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../model/format.h"
#include "../../render/render.h"

int pyro_test_fmt_folded(const char *in, size_t len, size_t max_size,
			 size_t type, struct pyro_buf *out,
			 char type_unit[64], char err[PYRO_ERR_MAX])
{
	struct pyro_profile *p = NULL;
	struct pyro_stacks s;
	int rc, have_s = 0;

	pyro_buf_truncate(out, 0);
	rc = pyro_test_fmt_profile(in, len, max_size, &p, err);
	if (!rc && type >= pyro_profile_ntypes(p))
		rc = -ERANGE;
	if (!rc)
		rc = pyro_profile_stacks(p, type, &s, err);
	have_s = !rc;
	if (!rc && type_unit)
		snprintf(type_unit, 64, "%s/%s", s.meta.sample_type,
			 s.meta.sample_unit);
	if (!rc)
		rc = pyro_folded_render(&s, out);
	if (have_s)
		pyro_stacks_release(&s);
	pyro_profile_free(p);
	return rc;
}

int pyro_test_fmt_profile(const char *in, size_t len, size_t max_size,
			  struct pyro_profile **p, char err[PYRO_ERR_MAX])
{
	struct pyro_buf data = PYRO_BUF_INIT;
	int rc;

	err[0] = '\0';
	*p = NULL;
	rc = pyro_buf_add(&data, in, len);
	if (!rc)
		rc = pyro_format_convert(&data, max_size, err);
	if (!rc)
		rc = pyro_profile_decode(data.data, data.len, p, err);
	pyro_buf_release(&data);
	return rc;
}

/* One stack as "root:LINE;..;leaf:LINE VALUE", a string of its own. */
static char *stack_line(const struct pyro_stacks *s, const struct pyro_stack *st)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	const uint32_t *refs = pyro_stack_refs(s, st);
	uint32_t j;
	int rc = 0;

	for (j = 0; !rc && j < st->depth; j++) {
		struct pyro_str name = pyro_ref_name(s, refs[j]);
		const struct pyro_frame *fr = &s->frames[PYRO_REF_FRAME(refs[j])];

		rc = pyro_buf_printf(&b, "%s%.*s:%d", j ? ";" : "",
				     (int)name.len, name.ptr, (int)fr->line);
	}
	if (!rc)
		rc = pyro_buf_printf(&b, " %lld", (long long)st->value);
	if (rc) {
		pyro_buf_release(&b);
		return NULL;
	}
	return pyro_buf_detach(&b, NULL);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int pyro_test_fmt_lines(const struct pyro_profile *p, size_t type,
			struct pyro_buf *out)
{
	char err[PYRO_ERR_MAX];
	struct pyro_stacks s;
	char **lines = NULL;
	size_t i, n = 0;
	int rc;

	pyro_buf_truncate(out, 0);
	rc = pyro_profile_stacks(p, type, &s, err);
	if (rc)
		return rc;
	lines = calloc(s.nstacks ? s.nstacks : 1, sizeof(*lines));
	rc = lines ? 0 : -ENOMEM;
	for (; !rc && n < s.nstacks; n++) {
		lines[n] = stack_line(&s, &s.stacks[n]);
		if (!lines[n])
			rc = -ENOMEM;
	}
	if (!rc)
		qsort(lines, n, sizeof(*lines), str_cmp);
	for (i = 0; !rc && i < n; i++)
		rc = pyro_buf_printf(out, "%s\n", lines[i]);
	for (i = 0; lines && i < n; i++)
		free(lines[i]);
	free(lines);
	pyro_stacks_release(&s);
	return rc;
}

/* -1 after saying what of `what` differs; 0 when got is want. */
static int differs(const char *what, const char *got, const char *want)
{
	if (!strcmp(got, want))
		return 0;
	fprintf(stderr, "fmtcheck: %s:\n--- got\n%s\n--- want\n%s\n", what,
		got, want);
	return -1;
}

int pyro_test_fmt_expect(const char *in, size_t len, size_t max_size,
			 size_t type, const char *type_unit,
			 const char *folded)
{
	struct pyro_buf out = PYRO_BUF_INIT;
	char err[PYRO_ERR_MAX], tu[64];
	int rc = pyro_test_fmt_folded(in, len, max_size, type, &out, tu, err);

	if (rc)
		fprintf(stderr, "fmtcheck: rc %d: %s\n", rc, err);
	if (!rc && type_unit)
		rc = differs("sample type", tu, type_unit);
	if (!rc)
		rc = differs("folded", out.data ? out.data : "", folded);
	pyro_buf_release(&out);
	return rc ? -1 : 0;
}

int pyro_test_fmt_expect_lines(const char *in, size_t len, size_t max_size,
			       size_t type, const char *lines)
{
	struct pyro_buf out = PYRO_BUF_INIT;
	struct pyro_profile *p = NULL;
	char err[PYRO_ERR_MAX];
	int rc = pyro_test_fmt_profile(in, len, max_size, &p, err);

	if (rc)
		fprintf(stderr, "fmtcheck: rc %d: %s\n", rc, err);
	if (!rc)
		rc = pyro_test_fmt_lines(p, type, &out);
	if (!rc)
		rc = differs("lines", out.data ? out.data : "", lines);
	pyro_profile_free(p);
	pyro_buf_release(&out);
	return rc ? -1 : 0;
}

int pyro_test_fmt_expect_error(const char *in, size_t len, size_t max_size,
			       const char *err_want)
{
	struct pyro_profile *p = NULL;
	char err[PYRO_ERR_MAX];
	int rc = pyro_test_fmt_profile(in, len, max_size, &p, err);

	pyro_profile_free(p);
	if (!rc) {
		fprintf(stderr, "fmtcheck: converted, want the error %s\n",
			err_want);
		return -1;
	}
	return differs("error", err, err_want);
}
