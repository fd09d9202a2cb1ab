/*
 * test_fmt_perf.c - `perf script` text as pyrofs reads it
 * (model/fmt_perf.c): headers, frames, types from events, the comm label
 * and bad input.  Real perf output is read in
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

/* Two commands, one with a space in its name; an unknown frame with and
 * without its object; an event without call chain; CRLF line ends. */
static const char two[] =
	"# ========\n# captured on: today\n# ========\n#\n"
	"w  3184 12971.087243:     500000 cpu-clock:pppH: \n"
	"\t            1157 leaf+0x1e (/tmp/w)\n"
	"\t            119e main+0x13 (/tmp/w)\n"
	"\t           2724a __libc_start_call_main+0x7a (/usr/lib/libc.so.6)\n"
	"\n"
	"Web Content 77/78 [003] 12971.5: 250000 cpu-clock:\r\n"
	"\t    7f00deadbeef [unknown] (/usr/lib/libxul.so)\r\n"
	"\t            1234 [unknown] ([unknown])\r\n"
	"\t             119e main (/tmp/w)\r\n"
	"\r\n"
	"w  3184 12971.087743:     500000 cpu-clock: \n"
	"\n"
	"w  3184 12971.087743:     500000 cpu-clock: \n"
	"\t            1157 leaf+0x22 (/tmp/w)\n"
	"\t            119e main+0x13 (/tmp/w)\n"
	"\t           2724a __libc_start_call_main+0x7a (/usr/lib/libc.so.6)\n";

static void expect(const char *in, size_t type, const char *type_unit,
		   const char *folded)
{
	assert_int_equal(pyro_test_fmt_expect(in, strlen(in), MAX, type,
					      type_unit, folded), 0);
}

static void expect_error(const char *in, const char *err_want)
{
	assert_int_equal(pyro_test_fmt_expect_error(in, strlen(in), MAX,
						    err_want), 0);
}

static void test_stacks(void **state)
{
	struct pyro_profile *p;
	struct pyro_label_set ls;
	char err[PYRO_ERR_MAX];
	size_t i;

	(void)state;
	expect(two, 1, "cpu/nanoseconds",
	       "__libc_start_call_main;main;leaf 1000000\n"
	       "main;[unknown];[libxul.so] 250000\n");
	expect(two, 0, "samples/count",
	       "__libc_start_call_main;main;leaf 2\n"
	       "main;[unknown];[libxul.so] 1\n");
	assert_int_equal(pyro_test_fmt_profile(two, strlen(two), MAX, &p, err), 0);
	assert_int_equal(pyro_profile_labels(p, 1, &ls), 0);
	assert_int_equal(ls.nkeys, 1);
	assert_string_equal(ls.keys[0].text, "comm");
	assert_int_equal(ls.keys[0].nvalues, 2);
	for (i = 0; i < 2; i++)
		assert_true(!strcmp(ls.keys[0].values[i].text, "w") ||
			    !strcmp(ls.keys[0].values[i].text, "Web Content"));
	pyro_label_set_release(&ls);
	pyro_profile_free(p);
}

/* Several events: one type each, cycles as cpu, tracepoints whole. */
static void test_events(void **state)
{
	static const char in[] =
		"a 1 1.000001: 3000 cycles:u:\n\t1 f (/x)\n\n"
		"a 1 1.000002: 1 sched:sched_switch:\n\t2 g (/x)\n\n"
		"a 1 1.000003: 5000 cycles:u:\n\t1 f (/x)\n";

	(void)state;
	expect(in, 1, "cpu/cycles", "f 8000\n");
	expect(in, 2, "sched:sched_switch/count", "g 1\n");
	expect(in, 0, "samples/count", "f 2\ng 1\n");
}

/* perf 3.x prints no period ("comm pid time: event:", as in FlameGraph's
 * test files): the samples are all there is. */
static void test_no_period(void **state)
{
	static const char in[] =
		"func_ab 15285 28075374.517811: cpu-clock: \n"
		"\t          400577 func_b (/root/lang/func_ab)\n"
		"\t          4005b1 main (/root/lang/func_ab)\n"
		"\t    7f9ca5486ec5 __libc_start_main (/lib/libc-2.19.so)\n"
		"\n"
		"func_ab 15285 28075374.554769: cpu-clock: \n"
		"\t          400550 func_a (/root/lang/func_ab)\n"
		"\t          40059d main (/root/lang/func_ab)\n"
		"\t    7f9ca5486ec5 __libc_start_main (/lib/libc-2.19.so)\n";
	struct pyro_profile *p;
	char err[PYRO_ERR_MAX];

	(void)state;
	expect(in, 0, "samples/count",
	       "__libc_start_main;main;func_a 1\n"
	       "__libc_start_main;main;func_b 1\n");
	assert_int_equal(pyro_test_fmt_profile(in, strlen(in), MAX, &p, err), 0);
	assert_int_equal(pyro_profile_ntypes(p), 1);
	pyro_profile_free(p);
}

static void test_bad(void **state)
{
	(void)state;
	expect_error("w 1 1.5: 1 cpu-clock:\n\tzz f (/x)\n",
		     "perf script: line 2: bad frame address \"zz\"");
	expect_error("w 1 1.5: 1 cpu-clock:\n\t1 f (/x)\nnot a header\n",
		     "perf script: line 3 is neither an event header nor a "
		     "frame");
	expect_error("w 1 1.5: 1 cpu-clock:\n\t1 f (/x)\n#\n\t2 g (/x)\n",
		     "perf script: line 4: a frame outside an event");
	/* A file that starts with a frame is not perf script at all. */
	assert_null(pyro_format_find("\t1 f (/x)\nw 1 1.5: 1 cpu-clock:\n",
				     32));
}

static void test_sniff(void **state)
{
	(void)state;
	assert_string_equal(pyro_format_find(two, strlen(two))->name,
			    "perf script");
	/* Collapsed stacks and a cut first line are not perf script. */
	assert_null(pyro_format_find("main;work 5\n", 12));
	assert_null(pyro_format_find("w 1 1.5: 1 cpu-cl", 17));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stacks),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_no_period),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_sniff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
