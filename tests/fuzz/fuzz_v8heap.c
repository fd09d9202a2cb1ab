/*
 * fuzz_v8heap.c - libFuzzer target: V8 .heapprofile (model/fmt_v8.c), then the
 * decoder and renderers on what it converts (see fuzz_format.h).
 */
#include "fuzz_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_format(pyro_v8_heap_to_pprof, data, size);
}
