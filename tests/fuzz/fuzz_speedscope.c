/*
 * fuzz_speedscope.c - libFuzzer target: speedscope files (model/fmt_speedscope.c), then the
 * decoder and renderers on what it converts (see fuzz_format.h).
 */
#include "fuzz_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_format(pyro_speedscope_to_pprof, data, size);
}
