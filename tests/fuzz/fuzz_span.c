/*
 * fuzz_span.c - libFuzzer target: time names (model/span.c).
 *
 * Time names come straight from paths users (and file managers) type, so
 * every byte string must resolve to a valid run of snapshots or -ENOENT.
 * The series is fixed: eight snapshots over two days, two in one second.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/source.h"
#include "model/span.h"

#define N 8

static struct pyro_point snaps[N];
static struct pyro_index_series series = {
	.type = "cpu", .sample_type = "cpu", .sample_unit = "nanoseconds",
	.kind = PYRO_KIND_RATE, .points = snaps, .npoints = N,
};

static void setup(void)
{
	static const int64_t secs[N] = {
		1795515300, 1795515300, 1795518900, 1795522500,
		1795601700, 1795605300, 1795608900, 1795612500,
	};
	size_t i;

	for (i = 0; i < N; i++) {
		snaps[i].time_nanos = secs[i] * 1000000000 + (int64_t)i;
		pyro_time_name(snaps[i].time_nanos, snaps[i].name);
	}
	strcat(snaps[1].name, "-2");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct pyro_span sp;
	int64_t lo, hi;
	char name[512];

	if (!ready) {
		setup();
		ready = 1;
	}
	if (size >= sizeof(name))
		return 0;
	memcpy(name, data, size);
	name[size] = '\0';
	if (pyro_span_resolve(&series, name, &sp) == 0 &&
	    (sp.count == 0 || sp.first + sp.count > N ||
	     (sp.has_baseline && sp.first == 0)))
		abort();
	if (pyro_span_parse_time((const char *)data, size, &lo, &hi) == 0 &&
	    hi < lo)
		abort();
	return 0;
}
