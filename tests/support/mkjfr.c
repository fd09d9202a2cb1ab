/*
 * mkjfr.c - synthetic JFR recordings for tests (see mkjfr.h).
 */
#include "mkjfr.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Class ids, as a metadata event names them. */
enum {
	C_LONG = 20, C_INT = 21, C_BOOL = 22, C_STRING = 23,
	C_SYMBOL = 30, C_CLASS = 31, C_METHOD = 32, C_FRAME = 33, C_STACK = 34,
	C_THREAD = 35,
	C_STATE = 36,
	C_ACTIVE_RECORDING = 45,        /* async-profiler's, no class here */
	C_EXEC = 40, C_MONITOR = 41, C_SETTING = 42, C_GC = 43, C_WALL = 44,
};

static void need(int rc)
{
	if (rc) {
		fprintf(stderr, "mkjfr: out of memory\n");
		abort();
	}
}

static void u8(struct pyro_buf *b, unsigned v)
{
	need(pyro_buf_putc(b, (char)v));
}

static void varint(struct pyro_buf *b, uint64_t v)
{
	int i;

	for (i = 0; i < 8 && v >= 0x80; i++, v >>= 7)
		u8(b, (unsigned)(v & 0x7f) | 0x80);
	u8(b, (unsigned)v & 0xff);
}

static void be(struct pyro_buf *b, uint64_t v, int n)
{
	while (n--)
		u8(b, (unsigned)(v >> (8 * n)) & 0xff);
}

static void utf8(struct pyro_buf *b, const char *s)
{
	u8(b, 3);
	varint(b, strlen(s));
	need(pyro_buf_add(b, s, strlen(s)));
}

/* An event: its size (padded to four bytes when `padded`, as the JDK
 * writes pools and metadata), the type, the body. */
static void event(struct pyro_buf *out, uint64_t type,
		  const struct pyro_buf *body, int padded)
{
	struct pyro_buf t = PYRO_BUF_INIT;
	size_t n;

	varint(&t, type);
	need(pyro_buf_add(&t, body->data, body->len));
	if (padded) {
		n = t.len + 4;
		u8(out, (unsigned)(n & 0x7f) | 0x80);
		u8(out, (unsigned)((n >> 7) & 0x7f) | 0x80);
		u8(out, (unsigned)((n >> 14) & 0x7f) | 0x80);
		u8(out, (unsigned)((n >> 21) & 0x7f));
	} else {
		n = t.len + 1;
		if (n >= 0x80)
			n++;
		varint(out, n);
	}
	need(pyro_buf_add(out, t.data, t.len));
	pyro_buf_release(&t);
}

/* ---- metadata ---- */

static const char *const strs[] = {
	"root", "metadata", "class", "field", "name", "id", "constantPool",
	"true", "dimension", "1", "long", "int", "boolean", "java.lang.String",
	"jdk.types.Symbol", "java.lang.Class", "jdk.types.Method",
	"jdk.types.StackFrame", "jdk.types.StackTrace", "java.lang.Thread",
	"jdk.ExecutionSample", "jdk.JavaMonitorEnter", "jdk.ActiveSetting",
	"jdk.GCPhase", "string", "type", "method", "lineNumber", "truncated",
	"frames", "osName", "javaName", "startTime", "duration",
	"sampledThread", "eventThread", "stackTrace", "value", "region",
	"20", "21", "22", "23", "30", "31", "32", "33", "34", "35", "40", "41",
	"42", "43", "999", "gcId", "superType", "jdk.jfr.Event", "simpleType",
	/* Only MKJFR_WALL's (the others stay byte for byte as they were). */
	"jdk.types.ThreadState", "profiler.WallClockSample", "state", "samples",
	"36", "44",
};
enum { WALL_STRS = 6 };

static uint64_t si(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!strcmp(strs[i], s))
			return i;
	fprintf(stderr, "mkjfr: no string %s\n", s);
	abort();
}

struct mfield {
	const char *name, *cls;
	int cp, array;
};

static void m_field(struct pyro_buf *b, const struct mfield *f)
{
	varint(b, si("field"));
	varint(b, 2 + (f->cp ? 1 : 0) + (f->array ? 1 : 0));
	varint(b, si("name"));
	varint(b, si(f->name));
	varint(b, si("class"));
	varint(b, si(f->cls));
	if (f->cp) {
		varint(b, si("constantPool"));
		varint(b, si("true"));
	}
	if (f->array) {
		varint(b, si("dimension"));
		varint(b, si("1"));
	}
	varint(b, 0);   /* no children */
}

/* A class; an event type (id 40 and up) has superType jdk.jfr.Event, which
 * the JDK's reader needs to take it for one, and jdk.types.Symbol is a
 * simpleType (the JDK's reader then reads it as its one field, a string). */
static void m_class(struct pyro_buf *b, const char *name, const char *id,
		    const struct mfield *fields, size_t n)
{
	int is_event = atoi(id) >= C_EXEC;
	int simple = atoi(id) == C_SYMBOL;
	size_t i;

	varint(b, si("class"));
	varint(b, is_event || simple ? 3 : 2);
	varint(b, si("name"));
	varint(b, si(name));
	varint(b, si("id"));
	varint(b, si(id));
	if (is_event) {
		varint(b, si("superType"));
		varint(b, si("jdk.jfr.Event"));
	}
	if (simple) {
		varint(b, si("simpleType"));
		varint(b, si("true"));
	}
	varint(b, n);
	for (i = 0; i < n; i++)
		m_field(b, &fields[i]);
}

#define NF(a) (sizeof(a) / sizeof(a[0]))

static void metadata(struct pyro_buf *out, enum mkjfr_flaw flaw)
{
	static const struct mfield symbol[] = { { "string", "23", 0, 0 } };
	static const struct mfield klass[] = { { "name", "30", 1, 0 } };
	static const struct mfield method[] = {
		{ "type", "31", 1, 0 }, { "name", "23", 0, 0 },
	};
	static const struct mfield frame[] = {
		{ "method", "32", 1, 0 }, { "lineNumber", "21", 0, 0 },
	};
	static const struct mfield stack[] = {
		{ "truncated", "22", 0, 0 }, { "frames", "33", 0, 1 },
	};
	static const struct mfield thread[] = {
		{ "osName", "23", 0, 0 }, { "javaName", "23", 0, 0 },
	};
	static const struct mfield exec[] = {
		{ "startTime", "20", 0, 0 }, { "sampledThread", "35", 1, 0 },
		{ "stackTrace", "34", 1, 0 },
	};
	static const struct mfield monitor[] = {
		{ "startTime", "20", 0, 0 }, { "duration", "20", 0, 0 },
		{ "eventThread", "35", 1, 0 }, { "stackTrace", "34", 1, 0 },
	};
	static const struct mfield setting[] = {
		{ "startTime", "20", 0, 0 }, { "id", "20", 0, 0 },
		{ "name", "23", 0, 0 }, { "value", "23", 0, 0 },
	};
	static const struct mfield tstate[] = { { "name", "23", 0, 0 } };
	/* async-profiler's profiler.WallClockSample (its jfrMetadata.cpp):
	 * one event stands for `samples` samples of one thread and stack. */
	static const struct mfield wall[] = {
		{ "startTime", "20", 0, 0 }, { "sampledThread", "35", 1, 0 },
		{ "stackTrace", "34", 1, 0 }, { "state", "36", 1, 0 },
		{ "samples", "21", 0, 0 },
	};
	static const struct mfield gc_good[] = { { "gcId", "21", 0, 0 } };
	static const struct mfield gc_bad[] = { { "gcId", "999", 0, 0 } };
	struct pyro_buf b = PYRO_BUF_INIT;
	size_t i, nstrs;

	varint(&b, 0);  /* start time */
	varint(&b, 0);  /* duration */
	varint(&b, 1);  /* metadata id */
	nstrs = NF(strs) - (flaw == MKJFR_WALL ? 0 : WALL_STRS);
	varint(&b, nstrs);
	for (i = 0; i < nstrs; i++)
		utf8(&b, strs[i]);
	varint(&b, si("root"));
	varint(&b, 0);
	varint(&b, 2);
	varint(&b, si("metadata"));
	varint(&b, 0);
	varint(&b, flaw == MKJFR_WALL ? 16 : 14);
	m_class(&b, "long", "20", NULL, 0);
	m_class(&b, "int", "21", NULL, 0);
	m_class(&b, "boolean", "22", NULL, 0);
	m_class(&b, "java.lang.String", "23", NULL, 0);
	m_class(&b, "jdk.types.Symbol", "30", symbol, NF(symbol));
	m_class(&b, "java.lang.Class", "31", klass, NF(klass));
	m_class(&b, "jdk.types.Method", "32", method, NF(method));
	m_class(&b, "jdk.types.StackFrame", "33", frame, NF(frame));
	m_class(&b, "jdk.types.StackTrace", "34", stack, NF(stack));
	m_class(&b, "java.lang.Thread", "35", thread, NF(thread));
	m_class(&b, "jdk.ExecutionSample", "40", exec, NF(exec));
	m_class(&b, "jdk.JavaMonitorEnter", "41", monitor, NF(monitor));
	m_class(&b, "jdk.ActiveSetting", "42", setting, NF(setting));
	m_class(&b, "jdk.GCPhase", "43",
		flaw == MKJFR_BAD_META ? gc_bad : gc_good, 1);
	if (flaw == MKJFR_WALL) {
		m_class(&b, "jdk.types.ThreadState", "36", tstate, NF(tstate));
		m_class(&b, "profiler.WallClockSample", "44", wall, NF(wall));
	}
	varint(&b, si("region"));
	varint(&b, 0);
	varint(&b, 0);
	event(out, 0, &b, 1);
	pyro_buf_release(&b);
}

/* ---- constant pool and events ---- */

static void pool_head(struct pyro_buf *b, uint64_t cls, uint64_t n)
{
	varint(b, cls);
	varint(b, n);
}

static void frame(struct pyro_buf *b, uint64_t method, uint64_t line)
{
	varint(b, method);
	varint(b, line);
}

static void pool(struct pyro_buf *out, enum mkjfr_flaw flaw)
{
	struct pyro_buf b = PYRO_BUF_INIT;

	varint(&b, 0);  /* start time */
	varint(&b, 0);  /* duration */
	varint(&b, 0);  /* delta: the last pool */
	u8(&b, 1);      /* flush */
	varint(&b, flaw == MKJFR_WALL ? 7 : 6); /* pools */
	if (flaw == MKJFR_WALL) {
		pool_head(&b, C_STATE, 2);
		varint(&b, 1);
		utf8(&b, "STATE_RUNNABLE");
		varint(&b, 2);
		utf8(&b, "STATE_SLEEPING");
	}
	pool_head(&b, C_STRING, 1);
	varint(&b, 7);
	if (flaw == MKJFR_CP_CYCLE) {
		u8(&b, 2);
		varint(&b, 7);
	} else {
		utf8(&b, "work");
	}
	pool_head(&b, C_SYMBOL, 2);
	varint(&b, 1);
	utf8(&b, "app/Main");
	varint(&b, 2);
	utf8(&b, "app/util/Spin");
	pool_head(&b, C_CLASS, 2);
	varint(&b, 1);
	varint(&b, 1);
	varint(&b, 2);
	varint(&b, 2);
	pool_head(&b, C_METHOD, 3);
	varint(&b, 1);
	varint(&b, 1);
	utf8(&b, "main");
	varint(&b, 2);
	varint(&b, 1);
	u8(&b, 2);      /* the name "work", pooled */
	varint(&b, 7);
	varint(&b, 3);
	varint(&b, 2);
	utf8(&b, "spin");
	pool_head(&b, C_STACK, 2);
	varint(&b, 1);
	u8(&b, 0);
	varint(&b, flaw == MKJFR_HUGE_COUNT ? 0x7fffffff : 2);
	frame(&b, 2, 12);
	frame(&b, 1, 3);
	varint(&b, 2);
	u8(&b, 0);
	varint(&b, 3);
	frame(&b, 3, 7);
	frame(&b, 2, 14);
	frame(&b, 1, 3);
	pool_head(&b, C_THREAD, 2);
	varint(&b, 1);
	utf8(&b, "os-worker");
	utf8(&b, "worker");
	varint(&b, 2);
	utf8(&b, "os-thread");
	u8(&b, 0);      /* no Java name */
	event(out, 1, &b, 1);
	pyro_buf_release(&b);
}

static void sample(struct pyro_buf *out, uint64_t thread, uint64_t stack)
{
	struct pyro_buf b = PYRO_BUF_INIT;

	varint(&b, 5000);
	varint(&b, thread);
	varint(&b, stack);
	event(out, C_EXEC, &b, 0);
	pyro_buf_release(&b);
}

static void setting(struct pyro_buf *out, uint64_t id, const char *name,
		    const char *value)
{
	struct pyro_buf b = PYRO_BUF_INIT;

	varint(&b, 1000);
	varint(&b, id);
	utf8(&b, name);
	utf8(&b, value);
	event(out, C_SETTING, &b, 0);
	pyro_buf_release(&b);
}

static void wall_sample(struct pyro_buf *out, uint64_t thread, uint64_t stack,
			uint64_t state, uint64_t samples)
{
	struct pyro_buf b = PYRO_BUF_INIT;

	varint(&b, 5500);
	varint(&b, thread);
	varint(&b, stack);
	varint(&b, state);
	varint(&b, samples);
	event(out, C_WALL, &b, 0);
	pyro_buf_release(&b);
}

/* async-profiler in wall mode: its settings (integers as bare decimal
 * strings, as its writeIntSetting writes them) and batched samples. */
static void wall_events(struct pyro_buf *out)
{
	setting(out, C_ACTIVE_RECORDING, "event", "wall");
	setting(out, C_EXEC, "interval", "20000000");
	setting(out, C_WALL, "interval", "50000000");
	wall_sample(out, 1, 1, 2, 4);
	wall_sample(out, 2, 2, 1, 2);
	wall_sample(out, 1, 2, 1, 1);
}

static void events(struct pyro_buf *out, enum mkjfr_flaw flaw)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	int i;

	varint(&b, 1000);
	varint(&b, C_EXEC);
	utf8(&b, "period");
	utf8(&b, "20 ms");
	event(out, C_SETTING, &b, 0);
	pyro_buf_truncate(&b, 0);
	for (i = 0; i < 3; i++)
		sample(out, 1, 1);
	sample(out, 2, 2);
	varint(&b, 6000);
	varint(&b, 2000);
	varint(&b, 1);
	varint(&b, 2);
	event(out, C_MONITOR, &b, 0);
	pyro_buf_truncate(&b, 0);
	varint(&b, 77);
	event(out, C_GC, &b, 0);
	if (flaw == MKJFR_WALL)
		wall_events(out);
	if (flaw == MKJFR_BAD_EVENT) {
		varint(out, 0x7ffff);   /* a size far past the end */
		varint(out, C_GC);
	}
	pyro_buf_release(&b);
}

static void chunk(struct pyro_buf *out, enum mkjfr_flaw flaw, int index)
{
	struct pyro_buf c = PYRO_BUF_INIT;
	size_t cp, meta;
	int i;

	need(pyro_buf_add(&c, "FLR", 4));
	be(&c, 2, 2);
	be(&c, 1, 2);
	for (i = 0; i < 7; i++)
		be(&c, 0, 8);   /* sizes and offsets, filled below */
	be(&c, 1, 4);           /* compressed integers */
	events(&c, flaw);
	cp = c.len;
	pool(&c, flaw);
	meta = c.len;
	metadata(&c, flaw);
	{
		struct pyro_buf h = PYRO_BUF_INIT;

		be(&h, c.len, 8);
		be(&h, cp, 8);
		be(&h, meta, 8);
		be(&h, 1795515300000000000ULL + (uint64_t)index * 1000000000ULL, 8);
		be(&h, 1000000000, 8);  /* one second */
		be(&h, (uint64_t)index * 1000000, 8);
		be(&h, 1000000, 8);     /* ticks per second */
		memcpy(c.data + 8, h.data, h.len);
		pyro_buf_release(&h);
	}
	need(pyro_buf_add(out, c.data, c.len));
	pyro_buf_release(&c);
}

void mkjfr_build(struct pyro_buf *out, enum mkjfr_flaw flaw, int nchunks)
{
	size_t last = out->len;
	int i;

	for (i = 0; i < nchunks; i++) {
		last = out->len;
		chunk(out, flaw, i);
	}
	if (flaw == MKJFR_TRUNCATED)
		pyro_buf_truncate(out, last + (out->len - last) / 2);
}
