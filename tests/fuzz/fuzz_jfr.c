/*
 * fuzz_jfr.c - libFuzzer target: bytes through the JFR reader
 * (model/jfr_parse.c, model/jfr_meta.c, model/fmt_jfr.c) and, when they
 * convert, through the pprof decoder.
 *
 * A recording is an untrusted file: whatever the bytes, conversion must
 * fail with a reason or give profile.proto bytes that decode, within the
 * size bound.  Inputs that do not start with the magic are given it, so
 * the fuzzer spends its time past the sniff.  Seeds: tests/fuzz/corpus/jfr
 * (tests/tools/mkjfr's recordings, good and flawed).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/format.h"
#include "model/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	struct pyro_profile *p = NULL;
	char err[PYRO_ERR_MAX] = "";

	if (size < 4 || memcmp(data, "FLR", 4)) {
		if (pyro_buf_add(&b, "FLR", 4))
			return 0;
	}
	if (pyro_buf_add(&b, data, size))
		goto out;
	if (pyro_format_convert(&b, 1 << 20, err) != 0) {
		if (!err[0])
			abort();        /* every failure says why */
		goto out;
	}
	if (b.len > (1 << 20))
		abort();
	if (pyro_profile_decode(b.data, b.len, &p, err) != 0)
		abort();        /* the builder wrote bytes pprof cannot read */
	pyro_profile_free(p);
out:
	pyro_buf_release(&b);
	return 0;
}
