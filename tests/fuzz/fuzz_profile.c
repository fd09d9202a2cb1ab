/*
 * fuzz_profile.c - libFuzzer target: profile bytes through the decoder and
 * every renderer (model/profile.c, render/).
 *
 * Profiles are untrusted files; whatever the bytes, decoding must fail
 * cleanly or produce stacks that every renderer turns into output.  Input
 * may be raw protobuf or gzip (the header peek and full decode both run).
 */
#include <stdint.h>
#include <stdlib.h>

#include "model/profile.h"
#include "render/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void render_all(const struct pyro_stacks *s)
{
	int (*const fns[])(const struct pyro_stacks *, struct pyro_buf *) = {
		pyro_top_render, pyro_folded_render, pyro_flame_render,
		pyro_icicle_render,
	};
	size_t i;

	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		struct pyro_buf b = PYRO_BUF_INIT;

		fns[i](s, &b);
		pyro_buf_release(&b);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pyro_profile_header h;
	struct pyro_profile *p = NULL;
	char err[PYRO_ERR_MAX];
	size_t i;

	if (pyro_profile_peek_data(data, size, &h, err) == 0)
		pyro_profile_header_release(&h);
	if (pyro_profile_decode(data, size, &p, err) != 0)
		return 0;
	for (i = 0; i < pyro_profile_ntypes(p) && i < 4; i++) {
		struct pyro_stacks s;

		if (pyro_profile_stacks(p, i, &s, err) == 0)
			render_all(&s);
		pyro_stacks_release(&s);
	}
	pyro_profile_free(p);
	return 0;
}
