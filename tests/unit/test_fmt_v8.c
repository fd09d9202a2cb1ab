/*
 * test_fmt_v8.c - V8's .cpuprofile and .heapprofile as pyrofs reads them
 * (model/fmt_v8.c), through conversion, decoding and folded output.
 *
 * The small profiles here are written by hand so that every rule of
 * speedscope's importer that we follow shows in one line of the result;
 * real files from `node --cpu-prof` are read in
 * tests/integration/formats.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../model/format.h"
#include "../support/fmtcheck.h"

#define MAX (1u << 20)

/* root(1) -> main(2, app.js line 0) -> anonymous(5, app.js line 9);
 * root -> (garbage collector)(3), (idle)(4), (program)(6). */
static const char cpu_nodes[] =
	"{\"nodes\":["
	"{\"id\":1,\"callFrame\":{\"functionName\":\"(root)\",\"scriptId\":\"0\","
	"\"url\":\"\",\"lineNumber\":-1,\"columnNumber\":-1},\"hitCount\":0,"
	"\"children\":[2,3,4,6]},"
	"{\"id\":2,\"callFrame\":{\"functionName\":\"main\",\"url\":"
	"\"file:///a/app.js\",\"lineNumber\":0,\"columnNumber\":0},"
	"\"children\":[5]},"
	"{\"id\":5,\"callFrame\":{\"functionName\":\"\",\"url\":"
	"\"file:///a/app.js\",\"lineNumber\":9,\"columnNumber\":4}},"
	"{\"id\":3,\"callFrame\":{\"functionName\":\"(garbage collector)\","
	"\"url\":\"\",\"lineNumber\":-1,\"columnNumber\":-1}},"
	"{\"id\":4,\"callFrame\":{\"functionName\":\"(idle)\",\"url\":\"\","
	"\"lineNumber\":-1,\"columnNumber\":-1}},"
	"{\"id\":6,\"callFrame\":{\"functionName\":\"(program)\",\"url\":\"\","
	"\"lineNumber\":-1,\"columnNumber\":-1}}],";

static char *cpu_file(const char *rest)
{
	size_t n = strlen(cpu_nodes) + strlen(rest) + 1;
	char *s = malloc(n);

	assert_non_null(s);
	snprintf(s, n, "%s%s", cpu_nodes, rest);
	return s;
}

static void expect(const char *in, size_t type, const char *type_unit,
		   const char *folded)
{
	assert_int_equal(pyro_test_fmt_expect(in, strlen(in), MAX, type,
					      type_unit, folded), 0);
}

static void expect_error(const char *in, size_t max, const char *err_want)
{
	assert_int_equal(pyro_test_fmt_expect_error(in, strlen(in), max,
						    err_want), 0);
}

/* Runs, their weights (the time to the next run; a last run of one
 * sample weighs nothing;
 * time never goes back), GC and (program) on top of the stack before,
 * idle dropped, anonymous functions named by file and line. */
static void test_cpu_rules(void **state)
{
	char *f = cpu_file("\"startTime\":100,\"endTime\":300,"
			   "\"samples\":[2,2,3,5,4,6,5,5,3],"
			   "\"timeDeltas\":[10,1,2,4,8,16,32,-100,1]}");

	(void)state;
	expect(f, 1, "cpu/nanoseconds",
	       "(program) 32000\n"
	       "main 3000\n"
	       "main;(anonymous app.js:10) 8000\n"
	       "main;(garbage collector) 4000\n");
	expect(f, 0, "samples/count",
	       "(program) 1\n"
	       "main 2\n"
	       "main;(anonymous app.js:10) 3\n"
	       "main;(anonymous app.js:10);(garbage collector) 1\n"
	       "main;(garbage collector) 1\n");
	free(f);
	/* A last run of several samples lasts until its last one. */
	f = cpu_file("\"samples\":[2,5,5],\"timeDeltas\":[1,2,3]}");
	expect(f, 1, "cpu/nanoseconds",
	       "main 2000\nmain;(anonymous app.js:10) 3000\n");
	free(f);
}

/* The converted profile keeps the url as file and the 1-based line. */
static void test_cpu_lines(void **state)
{
	char *f = cpu_file("\"samples\":[5,2],\"timeDeltas\":[1,1]}");
	struct pyro_profile *p;
	struct pyro_stacks s;
	char err[PYRO_ERR_MAX];
	const uint32_t *refs;
	const struct pyro_frame *fr;

	(void)state;
	assert_int_equal(pyro_test_fmt_profile(f, strlen(f), MAX, &p, err), 0);
	assert_int_equal(pyro_profile_stacks(p, 0, &s, err), 0);
	assert_int_equal(s.nstacks, 2);
	refs = pyro_stack_refs(&s, &s.stacks[s.stacks[0].depth == 2 ? 0 : 1]);
	fr = &s.frames[PYRO_REF_FRAME(refs[1])];
	assert_string_equal(pyro_strtab_get(&s.strs, fr->file).ptr,
			    "file:///a/app.js");
	assert_int_equal(fr->line, 10);
	pyro_stacks_release(&s);
	pyro_profile_free(p);
	free(f);
}

static void test_cpu_bad(void **state)
{
	char *f;

	(void)state;
	/* Truncated. */
	expect_error("{\"nodes\":[{\"id\":1,\"callFrame\":{\"functionName\":\"a",
		     MAX, "v8 cpuprofile: at byte 46: unterminated string");
	/* Wrong types. */
	expect_error("{\"nodes\":[{\"id\":\"one\",\"callFrame\":{}}],"
		     "\"samples\":[],\"timeDeltas\":[]}", MAX,
		     "v8 cpuprofile: at byte 16: expected a number");
	expect_error("{\"nodes\":{}}", MAX,
		     "v8 cpuprofile: at byte 9: expected an array");
	/* A node without a frame; ids that name nothing; a cycle. */
	expect_error("{\"nodes\":[{\"id\":1}],\"samples\":[],\"timeDeltas\":[]}",
		     MAX, "v8 cpuprofile: node 1 has no callFrame");
	f = cpu_file("\"samples\":[2,9],\"timeDeltas\":[1,1]}");
	expect_error(f, MAX, "v8 cpuprofile: sample 1 names node 9, which is "
		     "not in nodes");
	free(f);
	expect_error("{\"nodes\":[{\"id\":1,\"callFrame\":{\"functionName\":\"a\"},"
		     "\"children\":[7]}],\"samples\":[],\"timeDeltas\":[]}", MAX,
		     "v8 cpuprofile: node 1 names node 7, which is not in nodes");
	expect_error("{\"nodes\":[{\"id\":1,\"callFrame\":{\"functionName\":\"a\"},"
		     "\"children\":[2]},{\"id\":2,\"callFrame\":{\"functionName\":"
		     "\"b\"},\"children\":[1]}],\"samples\":[2],\"timeDeltas\":[1]}",
		     MAX, "v8 cpuprofile: the parents of node 2 form a cycle");
	expect_error("{\"nodes\":[{\"id\":1,\"callFrame\":{}},{\"id\":1,"
		     "\"callFrame\":{}}],\"samples\":[],\"timeDeltas\":[]}", MAX,
		     "v8 cpuprofile: two nodes have id 1");
	f = cpu_file("\"samples\":[2,2,5],\"timeDeltas\":[1,1]}");
	expect_error(f, MAX, "v8 cpuprofile: timeDeltas is shorter than samples");
	free(f);
	f = cpu_file("\"samples\":[2]}");
	expect_error(f, MAX, "v8 cpuprofile: no timeDeltas array");
	free(f);
}

/* A profile whose pprof would pass max_size is refused, not cut. */
static void test_cpu_bound(void **state)
{
	size_t i, n = 20000;
	char *f = malloc(n * 80 + 512), *p;

	(void)state;
	assert_non_null(f);
	p = f + sprintf(f, "{\"nodes\":[{\"id\":1,\"callFrame\":{\"functionName\""
			":\"(root)\"},\"children\":[");
	for (i = 2; i < n; i++)
		p += sprintf(p, "%s%zu", i > 2 ? "," : "", i);
	p += sprintf(p, "]}");
	for (i = 2; i < n; i++)
		p += sprintf(p, ",{\"id\":%zu,\"callFrame\":{\"functionName\":"
			     "\"f%zu\"}}", i, i);
	sprintf(p, "],\"samples\":[],\"timeDeltas\":[]}");
	expect_error(f, 4096, "v8 cpuprofile: reading it needs more memory "
		     "than max_profile_size (4096 bytes)");
	free(f);
	/* A chain 300 deep, every node sampled: small tables, but 45,000
	 * location references in the output. */
	n = 300;
	f = malloc(n * 120 + 4096);
	assert_non_null(f);
	p = f + sprintf(f, "{\"nodes\":[");
	for (i = 1; i <= n; i++)
		p += sprintf(p, "%s{\"id\":%zu,\"callFrame\":{\"functionName\":"
			     "\"f%zu\"},\"children\":[%zu]}", i > 1 ? "," : "",
			     i, i, i < n ? i + 1 : 1);
	/* The last node names the first as its child: a cycle, unless
	 * the children of node n are dropped (they are, below). */
	p -= strlen(",\"children\":[1]}");
	p += sprintf(p, "}],\"samples\":[");
	for (i = 1; i <= n; i++)
		p += sprintf(p, "%s%zu", i > 1 ? "," : "", i);
	p += sprintf(p, "],\"timeDeltas\":[");
	for (i = 1; i <= n; i++)
		p += sprintf(p, "%s1", i > 1 ? "," : "");
	sprintf(p, "]}");
	expect_error(f, 40000, "v8 cpuprofile: as pprof it is over "
		     "max_profile_size (40000 bytes)");
	{
		struct pyro_buf out = PYRO_BUF_INIT;
		char err[PYRO_ERR_MAX];

		assert_int_equal(pyro_test_fmt_folded(f, strlen(f), MAX, 1,
						      &out, NULL, err), 0);
		pyro_buf_release(&out);
	}
	free(f);
}

static const char heap[] =
	"{\"head\":{\"callFrame\":{\"functionName\":\"(root)\",\"url\":\"\","
	"\"lineNumber\":-1},\"selfSize\":0,\"id\":1,\"children\":["
	"{\"callFrame\":{\"functionName\":\"main\",\"url\":\"/srv/a.js\","
	"\"lineNumber\":3},\"selfSize\":100,\"id\":2,\"children\":["
	"{\"callFrame\":{\"functionName\":\"alloc\",\"url\":\"/srv/a.js\","
	"\"lineNumber\":7},\"selfSize\":300,\"id\":3,\"children\":[]}]},"
	"{\"callFrame\":{\"functionName\":\"idle\",\"url\":\"\"},"
	"\"selfSize\":0,\"id\":4,\"children\":[]}]},"
	"\"samples\":[{\"size\":150,\"nodeId\":3,\"ordinal\":1},"
	"{\"size\":150,\"nodeId\":3,\"ordinal\":2},"
	"{\"size\":100,\"nodeId\":2,\"ordinal\":3},"
	"{\"size\":100,\"nodeId\":99,\"ordinal\":4}]}";

/* Node 99 is not in the tree (V8 writes such samples): not counted. */
static void test_heap(void **state)
{
	(void)state;
	expect(heap, 1, "inuse_space/bytes", "main 100\nmain;alloc 300\n");
	expect(heap, 0, "inuse_objects/count", "main 1\nmain;alloc 2\n");
}

static void test_heap_bad(void **state)
{
	static char deep[40000];
	size_t i, n = 0;

	(void)state;
	expect_error("{\"head\":{\"callFrame\":{},\"id\":1,\"children\":[{",
		     MAX, "v8 heapprofile: at byte 44: truncated");
	expect_error("{\"head\":{\"callFrame\":{},\"id\":1,\"selfSize\":"
		     "\"big\"}}", MAX,
		     "v8 heapprofile: at byte 42: expected a number");
	expect_error("{\"head\":{\"id\":1,\"children\":[]}}", MAX,
		     "v8 heapprofile: node 1 has no callFrame");
	/* Deep nesting costs no C stack: 1000 levels, then a truncation. */
	n += (size_t)sprintf(deep, "{\"head\":");
	for (i = 0; i < 1000; i++)
		n += (size_t)sprintf(deep + n, "{\"callFrame\":{},\"children\":[");
	expect_error(deep, MAX, "v8 heapprofile: at byte 28008: truncated");
}

static void test_sniff(void **state)
{
	(void)state;
	assert_string_equal(pyro_format_find(" {\n \"nodes\" : [", 15)->name,
			    "v8 cpuprofile");
	assert_string_equal(pyro_format_find(heap, 20)->name, "v8 heapprofile");
	assert_null(pyro_format_find("{\"samples\":[]}", 14));
	assert_null(pyro_format_find("{\"nod", 5));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_rules),
		cmocka_unit_test(test_cpu_lines),
		cmocka_unit_test(test_cpu_bad),
		cmocka_unit_test(test_cpu_bound),
		cmocka_unit_test(test_heap),
		cmocka_unit_test(test_heap_bad),
		cmocka_unit_test(test_sniff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
