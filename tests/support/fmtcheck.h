/*
 * fmtcheck.h - read a foreign-format file the way pyrofs does (format.c's
 * conversion, then the pprof decoder) and render one sample type as
 * folded text, for the unit tests of the readers (test_fmt_*.c).
 */
#ifndef PYRO_TEST_FMTCHECK_H
#define PYRO_TEST_FMTCHECK_H

#include <stddef.h>

#include "../../model/buf.h"
#include "../../model/profile.h"

/* Convert in[0..len) (bounded by max_size) and render sample type `type`
 * as folded lines into out (reset first); on failure err says why.  The
 * sample type's "type/unit" goes to type_unit (may be NULL). */
int pyro_test_fmt_folded(const char *in, size_t len, size_t max_size,
			 size_t type, struct pyro_buf *out,
			 char type_unit[64], char err[PYRO_ERR_MAX]);

#endif
