/*
 * test_fmt_speedscope.c - speedscope's file format as pyrofs reads it
 * (model/fmt_speedscope.c): sampled and evented profiles, several per
 * file with their names as the label `profile`, units, and bad input.
 * A file written by speedscope's own exporter is read in
 * tests/integration/formats.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "../../model/format.h"
#include "../../model/labels.h"
#include "../support/fmtcheck.h"

#define MAX (1u << 20)
#define HEAD "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\","
#define FRAMES "\"shared\":{\"frames\":[{\"name\":\"main\",\"file\":\"a.py\"," \
	"\"line\":3},{\"name\":\"work\",\"file\":\"a.py\",\"line\":9}," \
	"{\"name\":\"io\"}]},"

static void expect(const char *in, const char *type_unit, const char *folded)
{
	assert_int_equal(pyro_test_fmt_expect(in, strlen(in), MAX, 0,
					      type_unit, folded), 0);
}

static void expect_error(const char *in, const char *err_want)
{
	assert_int_equal(pyro_test_fmt_expect_error(in, strlen(in), MAX,
						    err_want), 0);
}

/* Sampled, weights in milliseconds; profiles after or before shared. */
static void test_sampled(void **state)
{
	(void)state;
	expect(HEAD FRAMES "\"profiles\":[{\"type\":\"sampled\",\"name\":\"t1\","
	       "\"unit\":\"milliseconds\",\"startValue\":0,\"endValue\":4,"
	       "\"samples\":[[0,1],[0],[0,1],[0,1,2]],"
	       "\"weights\":[1,0.5,2,0.25]}]}",
	       "cpu/nanoseconds",
	       "main 500000\nmain;work 3000000\nmain;work;io 250000\n");
	expect(HEAD "\"profiles\":[{\"type\":\"sampled\",\"unit\":\"none\","
	       "\"samples\":[[0],[1,2]],\"weights\":[3,4]}]," FRAMES
	       "\"name\":\"x\"}",
	       "samples/count", "main 3\nwork;io 4\n");
}

/* Evented: the time between events goes to the open stack. */
static void test_evented(void **state)
{
	(void)state;
	expect(HEAD FRAMES "\"profiles\":[{\"type\":\"evented\",\"name\":\"p\","
	       "\"unit\":\"microseconds\",\"startValue\":0,\"endValue\":20,"
	       "\"events\":[{\"type\":\"O\",\"frame\":0,\"at\":0},"
	       "{\"type\":\"O\",\"frame\":1,\"at\":2},"
	       "{\"type\":\"O\",\"frame\":2,\"at\":5},"
	       "{\"type\":\"C\",\"frame\":2,\"at\":6},"
	       "{\"type\":\"C\",\"frame\":1,\"at\":10},"
	       "{\"type\":\"O\",\"frame\":1,\"at\":12},"
	       "{\"type\":\"C\",\"frame\":1,\"at\":13},"
	       "{\"type\":\"C\",\"frame\":0,\"at\":20}]}]}",
	       "cpu/nanoseconds",
	       "main 11000\nmain;work 8000\nmain;work;io 1000\n");
}

/* Two profiles: one type, each sample labelled with its profile. */
static void test_profiles_as_labels(void **state)
{
	static const char in[] = HEAD FRAMES "\"profiles\":["
		"{\"type\":\"sampled\",\"name\":\"MainThread\",\"unit\":\"bytes\","
		"\"samples\":[[0,1]],\"weights\":[100]},"
		"{\"type\":\"sampled\",\"name\":\"worker\",\"unit\":\"bytes\","
		"\"samples\":[[0,2]],\"weights\":[50]}]}";
	struct pyro_profile *p;
	struct pyro_label_set ls;
	char err[PYRO_ERR_MAX];

	(void)state;
	expect(in, "space/bytes", "main;io 50\nmain;work 100\n");
	assert_int_equal(pyro_test_fmt_profile(in, strlen(in), MAX, &p, err), 0);
	assert_int_equal(pyro_profile_labels(p, 0, &ls), 0);
	assert_int_equal(ls.nkeys, 1);
	assert_string_equal(ls.keys[0].text, "profile");
	assert_int_equal(ls.keys[0].nvalues, 2);
	pyro_label_set_release(&ls);
	pyro_profile_free(p);
}

static void test_bad(void **state)
{
	(void)state;
	expect_error(HEAD FRAMES "\"profiles\":[{\"type\":\"sampled\","
		     "\"unit\":\"none\",\"samples\":[[0,7]],\"weights\":[1]}]}",
		     "speedscope: frame 7 is not in shared.frames (3 frames)");
	expect_error(HEAD FRAMES "\"profiles\":[{\"type\":\"sampled\","
		     "\"unit\":\"none\",\"samples\":[[0],[1]],\"weights\":[1]}]}",
		     "speedscope: weights is shorter than samples");
	expect_error(HEAD FRAMES "\"profiles\":[{\"type\":\"sampled\","
		     "\"unit\":\"none\",\"samples\":[[0]]},{\"type\":\"sampled\","
		     "\"unit\":\"bytes\",\"samples\":[[0]]}]}",
		     "speedscope: profile 1: unit \"bytes\" differs from the "
		     "first profile's");
	expect_error(HEAD FRAMES "\"profiles\":[{\"unit\":\"furlongs\","
		     "\"samples\":[]}]}",
		     "speedscope: profile 0: unit \"furlongs\" is unknown");
	expect_error(HEAD FRAMES "\"profiles\":[{\"type\":\"evented\","
		     "\"unit\":\"seconds\",\"events\":[{\"type\":\"O\",\"frame\":0,"
		     "\"at\":0},{\"type\":\"C\",\"frame\":1,\"at\":1}]}]}",
		     "speedscope: event 1 closes frame 1, which is not the "
		     "innermost open frame");
	expect_error(HEAD FRAMES "\"profiles\":[{\"type\":\"evented\","
		     "\"unit\":\"seconds\",\"events\":[{\"type\":\"O\",\"frame\":0,"
		     "\"at\":5},{\"type\":\"C\",\"frame\":0,\"at\":1}]}]}",
		     "speedscope: event 1 goes back in time");
	expect_error(HEAD FRAMES "\"profiles\":[{\"type\":\"evented\","
		     "\"unit\":\"seconds\",\"events\":[{\"type\":\"X\"}]}]}",
		     "speedscope: an event needs type O or C, frame and at");
	expect_error(HEAD FRAMES "\"profiles\":[{\"unit\":\"none\"}]}",
		     "speedscope: profile 0 has neither samples nor events");
	expect_error(HEAD FRAMES "\"profiles\":[{\"unit\":\"none\",\"samples\":"
		     "[[0,\"x\"]]}]}",
		     "speedscope: at byte 219: expected a number");
	expect_error(HEAD FRAMES, "speedscope: at byte 178: truncated");
	expect_error(HEAD "\"shared\":{}}", "speedscope: no profiles array");
}

static void test_sniff(void **state)
{
	(void)state;
	assert_string_equal(pyro_format_find(HEAD, strlen(HEAD))->name,
			    "speedscope");
	assert_null(pyro_format_find("{\"shared\":{}}", 13));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sampled),
		cmocka_unit_test(test_evented),
		cmocka_unit_test(test_profiles_as_labels),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_sniff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
