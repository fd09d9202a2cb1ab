/*
 * fmtcheck.c - a foreign-format file through conversion, decoding and the
 * folded renderer (see fmtcheck.h).
 */
#include "fmtcheck.h"

#include <errno.h>
#include <stdio.h>

#include "../../model/format.h"
#include "../../render/render.h"

int pyro_test_fmt_folded(const char *in, size_t len, size_t max_size,
			 size_t type, struct pyro_buf *out,
			 char type_unit[64], char err[PYRO_ERR_MAX])
{
	struct pyro_buf data = PYRO_BUF_INIT;
	struct pyro_profile *p = NULL;
	struct pyro_stacks s;
	int rc, have_s = 0;

	err[0] = '\0';
	pyro_buf_truncate(out, 0);
	rc = pyro_buf_add(&data, in, len);
	if (!rc)
		rc = pyro_format_convert(&data, max_size, err);
	if (!rc)
		rc = pyro_profile_decode(data.data, data.len, &p, err);
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
	pyro_buf_release(&data);
	return rc;
}
