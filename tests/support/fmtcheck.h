/*
 * fmtcheck.h - read a foreign-format file the way pyrofs does (format.c's
 * conversion, then the pprof decoder) and render one sample type as
 * folded text, for the unit tests of the readers (test_fmt_*.c,
 * test_jfr.c): the set-up every reader's test needs, written once.
 *
 * The pyro_test_fmt_expect* checks return 0 when the file reads as
 * expected, else -1 after printing what differs to stderr, so a cmocka
 * test asserts them equal to 0 (this file links into the tools too, which
 * have no cmocka).
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

/* Convert in[0..len) (bounded by max_size) and decode it: *p is the
 * caller's, to pyro_profile_free().  0, or the error with err saying
 * why. */
int pyro_test_fmt_profile(const char *in, size_t len, size_t max_size,
			  struct pyro_profile **p, char err[PYRO_ERR_MAX]);

/* Sample type `type` of p as one line per stack, "root:LINE;..;leaf:LINE
 * VALUE\n" (each frame's line number after its name), sorted bytewise,
 * into out (reset first): for readers whose lines matter. */
int pyro_test_fmt_lines(const struct pyro_profile *p, size_t type,
			struct pyro_buf *out);

/* 0 when in[0..len) converts, its sample type `type` is type_unit
 * ("cpu/nanoseconds"; NULL: not checked) and renders as folded. */
int pyro_test_fmt_expect(const char *in, size_t len, size_t max_size,
			 size_t type, const char *type_unit,
			 const char *folded);

/* 0 when in[0..len) converts and pyro_test_fmt_lines of type `type` is
 * lines. */
int pyro_test_fmt_expect_lines(const char *in, size_t len, size_t max_size,
			       size_t type, const char *lines);

/* 0 when in[0..len) does not convert and its error is err_want. */
int pyro_test_fmt_expect_error(const char *in, size_t len, size_t max_size,
			       const char *err_want);

#endif
