/*
 * fuzz_format.h - the body the foreign-format fuzz targets share
 * (fuzz_v8cpu.c, fuzz_v8heap.c, fuzz_speedscope.c, fuzz_perf.c).
 *
 * The reader is called directly, not through the sniff, so every input
 * reaches it; what it converts must then decode and render like any
 * pprof file.  The bound is small so that the -EFBIG paths run too.
 */
#ifndef PYRO_FUZZ_FORMAT_H
#define PYRO_FUZZ_FORMAT_H

#include <stdint.h>
#include <stdlib.h>

#include "model/format.h"
#include "model/profile.h"
#include "render/render.h"

static int fuzz_format(int (*to_pprof)(const char *, size_t, size_t,
				       struct pyro_buf *, char *),
		       const uint8_t *data, size_t size)
{
	struct pyro_buf out = PYRO_BUF_INIT;
	struct pyro_profile *p = NULL;
	char err[PYRO_ERR_MAX];
	size_t i;

	if (to_pprof((const char *)data, size, 1u << 20, &out, err) == 0 &&
	    pyro_profile_decode(out.data, out.len, &p, err) == 0) {
		for (i = 0; i < pyro_profile_ntypes(p) && i < 4; i++) {
			struct pyro_stacks s;
			struct pyro_buf r = PYRO_BUF_INIT;

			/* s is released even when aggregating fails
			 * (profile.h), e.g. on values that overflow. */
			if (pyro_profile_stacks(p, i, &s, err) == 0) {
				pyro_folded_render(&s, &r);
				pyro_top_render(&s, &r);
			}
			pyro_buf_release(&r);
			pyro_stacks_release(&s);
		}
		pyro_profile_free(p);
	}
	pyro_buf_release(&out);
	return 0;
}

#endif
