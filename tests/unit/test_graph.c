/*
 * test_graph.c - graph.dot, graph.svg, top-cum.txt and traces.txt
 * (render/graph_dot.c, graph_name.c, graph_svg.c, top.c, traces.c).
 *
 * Truth is pprof's.  The name shortening table is what Go 1.19's regular
 * expressions (pprof's internal/graph ShortenFunctionName) return for each
 * name.  The golden files are what `go tool pprof` prints for the same
 * stacks: each case also writes the stacks as a profile next to its
 * goldens (tests/unit/golden/graph_<case>.pb.gz, pyro_export_pprof), and
 *
 *     go tool pprof -symbolize=none -dot    graph_<case>.pb.gz  = .dot
 *     go tool pprof -symbolize=none -top -cum graph_<case>.pb.gz = .topcum
 *     go tool pprof -symbolize=none -traces graph_<case>.pb.gz  = .traces
 *
 * byte for byte (no Time: line: the cases set no time).  To refresh after
 * an intended change:
 *
 *     PYRO_UPDATE_GOLDEN=1 out/tests/test_graph
 *
 * then run those three commands and diff them with the new goldens.
 * graph.svg depends on the Graphviz version, so it is checked by its
 * properties (one drawn node per DOT node, the script, determinism, the
 * same bytes from several threads at once) rather than by a golden.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../render/graph_priv.h"
#include "../../render/render.h"
#include "../support/stacks_builder.h"

#define GOLDEN_DIR "tests/unit/golden/"

/* ---- the name rules ------------------------------------------------- */

static const struct {
	const char *name, *want;
} shorten_cases[] = {
	{ "main.main", "main.main" },
	{ "runtime.mallocgc", "runtime.mallocgc" },
	{ "github.com/google/pprof/internal/graph.(*Graph).SortNodes", "graph.(*Graph).SortNodes" },
	{ "gopkg.in/yaml.v3.(*parser).parse", "yaml.v3.(*parser).parse" },
	{ "github.com/x/y/v2.(*T).Method", "y.(*T).Method" },
	{ "github.com/x/y/v2/z.F", "z.F" },
	{ "example.com/m/v10.F", "m.F" },
	{ "example.com/m/v1.F", "v1.F" },
	{ "example.com/m/v0.F", "v0.F" },
	{ "example.com/m/v01.F", "v01.F" },
	{ "a/v2", "v2" },
	{ "a/v2.", "a." },
	{ "x/v3/y/v4.F", "v4.F" },
	{ "com.example.Foo.bar", "Foo.bar" },
	{ "com.example.Foo.bar(Foo.java:12)", "Foo.bar" },
	{ "com.example.Foo.<init>", "Foo.<init>" },
	{ "com.example.Foo$Inner.run$1", "Foo$Inner.run$1" },
	{ "Foo.bar", "Foo.bar" },
	{ "java.lang.Thread.run", "Thread.run" },
	{ "com.Foo.Bar.baz", "com.Foo.Bar.baz" },
	{ "std::vector<int>::push_back", "std::vector<int>::push_back" },
	{ "ns::Class::method<int>", "Class::method<int>" },
	{ "ns::Class::~Class", "Class::~Class" },
	{ "(anonymous namespace)::Bar::Foo", "Bar::Foo" },
	{ "a::b::c::D::e", "D::e" },
	{ "_foo::__Bar::baz", "__Bar::baz" },
	{ "x::Y::z<a>b>c", "Y::z<a>b>" },
	{ "ns::lower::method", "ns::lower::method" },
	{ "Ns::Class::method", "Class::method" },
	{ "ns::Class::method(int)", "Class::method" },
	{ "a/b/", "b/" },
	{ "a/b/\nc", "b/" },
	{ "a/\n", "a/\n" },
	{ "plain", "plain" },
	{ "", "" },
	{ "[...]", "[...]" },
	{ "pkg.F[...]", "pkg.F[...]" },
	{ "a.b.c", "a.b.c" },
	{ "x/y.(*T[...]).M", "y.(*T[...]).M" },
	{ "dir/file.go", "file.go" },
	{ "-a/b", "b" },
	{ "a\nb/v2.c", "a\nb/v2.c" },
	{ "σ/x.F", "σ/x.F" },
	{ "a-b.c/d_e.F", "d_e.F" },
	{ "Foo::Bar::baz<x\n>y>", "Bar::baz" },
	{ "com.Foo.bar$12", "Foo.bar$12" },
	{ "com.Foo.bar$x(", "Foo.bar$x" },
	{ "com.foo.bar", "com.foo.bar" },
};

static void test_shorten(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(shorten_cases) / sizeof(shorten_cases[0]); i++) {
		struct pyro_buf b = PYRO_BUF_INIT;
		const char *n = shorten_cases[i].name;

		assert_int_equal(pyro_graph_shorten(n, strlen(n), &b), 0);
		assert_int_equal(pyro_buf_putc(&b, '\0'), 0);
		if (strcmp(b.data, shorten_cases[i].want))
			fail_msg("shorten(\"%s\") = \"%s\", pprof says \"%s\"", n,
				 b.data, shorten_cases[i].want);
		pyro_buf_release(&b);
	}
}

static void check_label(const char *name, int is_func, const char *want)
{
	struct pyro_buf b = PYRO_BUF_INIT;

	assert_int_equal(pyro_graph_label_name(name, strlen(name), is_func, &b), 0);
	assert_int_equal(pyro_buf_putc(&b, '\0'), 0);
	assert_string_equal(b.data, want);
	pyro_buf_release(&b);
}

/* multilinePrintableName: shortened, escaped, "::" and "." as line
 * breaks, "[...]" kept as "[…]"; a node without function as it is. */
static void test_label_name(void **state)
{
	check_label("github.com/x/y.(*T).M", 1, "y\\n(*T)\\nM\\n");
	check_label("ns::Class::method<int>", 1, "Class\\nmethod<int>\\n");
	check_label("pkg.F[...]", 1, "pkg\\nF[\xe2\x80\xa6]\\n");
	check_label("a\"b\\c\nd", 1, "a\\\"b\\\\c\\ld\\n");
	check_label("[libc.so.6]", 0, "[libc.so.6]\\n");
	check_label("<unknown>", 0, "<unknown>\\n");
}

/* ---- goldens ---------------------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	if (!f)
		fail_msg("cannot read %s (run from the repo root; "
			 "PYRO_UPDATE_GOLDEN=1 creates it)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	data = malloc((size_t)n + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return data;
}

static void write_file(const char *path, const struct pyro_buf *b)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		fail_msg("cannot write %s", path);
	assert_int_equal(fwrite(b->data, 1, b->len, f), b->len);
	assert_int_equal(fclose(f), 0);
}

static int updating(void)
{
	const char *u = getenv("PYRO_UPDATE_GOLDEN");

	return u && !strcmp(u, "1");
}

/* Render s with fn and compare with GOLDEN_DIR/graph_<name>.<ext>. */
static void check_golden(const struct pyro_stacks *s,
			 int (*fn)(const struct pyro_stacks *, struct pyro_buf *),
			 const char *name, const char *ext)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	char path[256];
	size_t len;
	char *want;

	snprintf(path, sizeof(path), GOLDEN_DIR "graph_%s.%s", name, ext);
	assert_int_equal(fn(s, &b), 0);
	if (updating()) {
		write_file(path, &b);
	} else {
		want = read_file(path, &len);
		if (len != b.len || memcmp(want, b.data, len))
			fail_msg("%s differs from the output; if intended, rerun "
				 "with PYRO_UPDATE_GOLDEN=1 and compare with pprof "
				 "(see the top of this file)", path);
		free(want);
	}
	pyro_buf_release(&b);
}

/* All four goldens of a case, and its profile when updating. */
static void check_case(const struct pyro_stacks *s, const char *name)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	char path[256];

	check_golden(s, pyro_graph_dot_render, name, "dot");
	check_golden(s, pyro_top_cum_render, name, "topcum");
	check_golden(s, pyro_traces_render, name, "traces");
	if (updating()) {
		snprintf(path, sizeof(path), GOLDEN_DIR "graph_%s.pb.gz", name);
		assert_int_equal(pyro_export_pprof(s, &b), 0);
		write_file(path, &b);
		pyro_buf_release(&b);
	}
}

static void build(struct pyro_stacks *s, const char *text, const char *type,
		  const char *unit)
{
	assert_int_equal(sb_build(s, text), 0);
	assert_int_equal(sb_type(s, type, unit), 0);
	assert_int_equal(sb_set(&s->meta.file, "app"), 0);
	s->meta.duration_nanos = 10000000000LL;
}

/* A small graph: recursion (cum once per stack), an inlined call, an
 * address-only frame, names pprof shortens, a node under the 0.5% cut so
 * that an edge skips it (residual, dotted), and edges of every width. */
#define SMALL_STACKS \
	"main;github.com/acme/srv/v2.(*Server).Handle;encoding/json.Marshal 600\n" \
	"main;github.com/acme/srv/v2.(*Server).Handle;^strings.Builder.Grow 200\n" \
	"main;github.com/acme/srv/v2.(*Server).Handle;fib;fib;fib 150\n" \
	"main;tiny;runtime.mallocgc 30\n" \
	"main;runtime.mallocgc 20\n" \
	"main;0x4f1984=[libc.so.6] 40\n" \
	"main;tiny 1\n" \
	"main;thin;shared 4\n" \
	"other;shared 10\n" \
	"com.example.Worker.run(Worker.java);ns::Pool::take<int> 100\n"

static const char small_stacks[] = SMALL_STACKS;

static void test_small(void **state)
{
	struct pyro_stacks s;

	build(&s, small_stacks, "cpu", "nanoseconds");
	check_case(&s, "small");
	pyro_stacks_release(&s);
}

/* A wide graph: 120 leaves under 3 callers, more than the 80 nodes -dot
 * keeps, so the graph is rebuilt from the first 80 by entropy order
 * ("Showing top 80 nodes out of 124") and light edges are dropped. */
static void test_wide(void **state)
{
	struct pyro_buf text = PYRO_BUF_INIT;
	struct pyro_stacks s;
	int i;

	for (i = 0; i < 120; i++)
		assert_int_equal(pyro_buf_printf(&text, "main;mid%d;leaf%03d %d\n",
						 i % 3, i, 1000 + 37 * i), 0);
	assert_int_equal(pyro_buf_puts(&text, "main;mid0;mid1;leaf000 500\n"), 0);
	assert_int_equal(pyro_buf_putc(&text, '\0'), 0);
	build(&s, text.data, "alloc_space", "bytes");
	check_case(&s, "wide");
	pyro_stacks_release(&s);
	pyro_buf_release(&text);
}

/* Nothing to draw: the header, the legend, no node. */
static void test_empty(void **state)
{
	struct pyro_stacks s;
	struct pyro_buf b = PYRO_BUF_INIT;

	build(&s, "main;zero 0\n", "samples", "count");
	assert_int_equal(pyro_graph_dot_render(&s, &b), 0);
	assert_int_equal(pyro_buf_putc(&b, '\0'), 0);
	assert_string_equal(b.data,
		"digraph \"app\" {\n"
		"node [style=filled fillcolor=\"#f8f8f8\"]\n"
		"subgraph cluster_L { \"File: app\" [shape=box fontsize=16 "
		"label=\"File: app\\lType: samples\\lDuration: 10s, Total samples = 0 "
		"\\lShowing nodes accounting for 0, 0% of 0 total\\l\\l"
		"See https://git.io/JfYMW for how to read the graph\\l\" "
		"tooltip=\"app\"] }\n"
		"}\n");
	pyro_buf_release(&b);
	pyro_stacks_release(&s);
}

/* ---- graph.svg -------------------------------------------------------- */

static size_t count(const struct pyro_buf *b, const char *needle)
{
	size_t n = 0, k = strlen(needle);
	const char *p = b->data, *end = b->data + b->len;

	while ((p = memmem(p, (size_t)(end - p), needle, k)) != NULL) {
		n++;
		p += k;
	}
	return n;
}

struct svg_job {
	const struct pyro_stacks *s;
	struct pyro_buf out;
	int rc;
};

static void *svg_thread(void *arg)
{
	struct svg_job *j = arg;

	j->rc = pyro_graph_svg_render(j->s, &j->out);
	return NULL;
}

/* graph.dot laid out: every DOT node drawn (and the legend), valid UTF-8
 * for a name of any bytes, the script inside, the same bytes every time
 * and from 4 threads at once (libgvc runs under the renderer's lock). */
static void test_svg(void **state)
{
	struct pyro_buf dot = PYRO_BUF_INIT, svg = PYRO_BUF_INIT;
	struct svg_job jobs[4];
	pthread_t th[4];
	struct pyro_stacks s;
	int i;

	/* with mutual recursion: a cycle for Graphviz to lay out */
	build(&s, SMALL_STACKS "main;ping;pong;ping;pong 70\nmain;pong;ping 30\n",
	      "cpu", "nanoseconds");
	{       /* a name of control and invalid bytes, and a quote */
		uint32_t id, refs[2];
		static const char odd[] = "bad\x01\xff\"name\x80";

		assert_int_equal(pyro_stacks_frame(&s, "main", 4, "main", 4, &id), 0);
		refs[0] = id;
		assert_int_equal(pyro_stacks_frame(&s, odd, sizeof(odd) - 1, odd,
						   sizeof(odd) - 1, &id), 0);
		refs[1] = id;
		assert_int_equal(pyro_stacks_add(&s, refs, 2, 300, NULL), 0);
	}
	assert_int_equal(pyro_graph_dot_render(&s, &dot), 0);
	assert_int_equal(pyro_graph_svg_render(&s, &svg), 0);
	/* What Graphviz lays out: no cluster, the cycle's closing edge
	 * reversed (Graphviz 2.43 leaks on both: make asan catches it). */
	{
		struct pyro_buf gv = PYRO_BUF_INIT;

		assert_int_equal(pyro_graph_dot_build(&s, 1, &gv), 0);
		assert_int_equal(count(&gv, "subgraph legend_L {"), 1);
		assert_int_equal(count(&gv, "cluster"), 0);
		assert_int_equal(count(&gv, "[dir=back label="), 1);
		assert_int_equal(count(&dot, "dir=back"), 0);
		pyro_buf_release(&gv);
	}
	assert_true(svg.len > 5 && !memcmp(svg.data, "<?xml", 5));
	assert_int_equal(count(&svg, "class=\"node\""),
			 count(&dot, "\" id=\"node") + 1);
	assert_int_equal(count(&svg, "graph.js - pan and zoom"), 1);
	assert_int_equal(count(&svg, "<svg width=\"100%\" height=\"100%\""), 1);
	assert_int_equal(count(&svg, "\xef\xbf\xbd"), count(&svg, "bad") * 3);
	assert_non_null(memmem(svg.data, svg.len, "</svg>", 6));
	for (i = 0; i < 4; i++) {
		jobs[i] = (struct svg_job){ .s = &s, .out = PYRO_BUF_INIT };
		assert_int_equal(pthread_create(&th[i], NULL, svg_thread, &jobs[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(jobs[i].rc, 0);
		assert_int_equal(jobs[i].out.len, svg.len);
		assert_memory_equal(jobs[i].out.data, svg.data, svg.len);
		pyro_buf_release(&jobs[i].out);
	}
	pyro_buf_release(&dot);
	pyro_buf_release(&svg);
	pyro_stacks_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shorten),
		cmocka_unit_test(test_label_name),
		cmocka_unit_test(test_small),
		cmocka_unit_test(test_wide),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_svg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
