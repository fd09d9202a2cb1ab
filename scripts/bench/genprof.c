/*
 * genprof.c - realistic Go-like pprof profiles for the benchmark.
 *
 *   genprof big OUT.pb.gz [-n STACKS] [-s SEED]
 *       one CPU profile with STACKS distinct stacks (default 100000; about
 *       4 MB gzipped), as `go tool pprof` would see a long run of a big
 *       service
 *   genprof archive DIR -n FILES [-S SERVICES] [-k cpu,heap,mutex] [-s SEED] [-T 1]
 *       FILES snapshot files spread over SERVICES services (default 4) and
 *       the kinds given, DIR/<service>/<kind>-<unix seconds>.pb.gz, taken
 *       every 10 s per service like a continuous-profiling collector; with
 *       -T 1 the profiles carry no time_nanos (the file name dates them),
 *       so that links to them under other names are other snapshots (the
 *       big-archive bench makes 100,000 names of a few hundred files)
 *
 * What makes them realistic (and so what the benchmark exercises):
 *   - a service is a "program": a function table (Go-style names: package
 *     paths, methods on pointer receivers, closures) and a layered call
 *     graph, shared by every snapshot of that service;
 *   - stacks are random walks down the call graph from runtime.goexit or
 *     runtime.mstart, 10 to 60 frames deep, callees chosen with a skew, a
 *     few hot utility leaves (mallocgc, memmove, syscall) shared by all;
 *   - about one function in eight is inlinable: its frames share a location
 *     with their caller (Location.line holds several lines, innermost
 *     first), as the Go compiler emits them;
 *   - stack popularity is Zipf-like: values fall off as a power of the rank;
 *   - locations and functions get ids 1, 2, ... in order of first use and
 *     only used strings are in the table, as runtime/pprof writes them;
 *     gzip level 1 (BestSpeed), as runtime/pprof;
 *   - time_nanos spaced like a collector (10 s apart, jitter under 0.2 s);
 *     cpu has samples/count + cpu/nanoseconds, heap the four alloc_ and
 *     inuse_ types (alloc_ growing over time), mutex contentions + delay.
 *
 * Deterministic: the same arguments give the same bytes.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "profile.pb-c.h"

#define LAYERS 64
#define MIN_DEPTH 10
#define MAX_DEPTH 60
#define BASE_TIME 1795564800LL  /* 2026-11-24T00:00:00Z */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("genprof: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die("out of memory");
	return p;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die("out of memory");
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		die("out of memory");
	return d;
}

/* ---- random numbers (splitmix64) -------------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rng_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(rng_next(s) % n);
}

static double rng_unit(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) / (double)(1ULL << 53);
}

static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t s = a * 0x9e3779b97f4a7c15ULL ^ b;

	return rng_next(&s);
}

/* ---- a program: functions and a layered call graph --------------------- */

struct func {
	char *name;
	char *file;
	int64_t start_line;
	int layer;
	int inlinable;
	uint32_t *callees;
	uint32_t ncallees;
};

/* A location: one or more (function, line), innermost first. */
struct loc {
	uint32_t first;         /* index into prog.lines */
	uint32_t nlines;
	uint64_t address;
};

struct line {
	uint32_t func;
	int64_t line;
};

/* A distinct stack: location indexes, leaf first (as pprof stores them). */
struct stack {
	uint32_t first;         /* index into prog.stack_locs */
	uint32_t depth;
};

struct prog {
	char *service;
	struct func *funcs;
	uint32_t nfuncs;
	uint32_t *by_layer[LAYERS];
	uint32_t nby_layer[LAYERS];
	uint32_t *hot;          /* hot utility leaves */
	uint32_t nhot;
	struct loc *locs;
	uint32_t nlocs, locs_cap;
	struct line *lines;
	uint32_t nlines, lines_cap;
	uint32_t *loc_slots;    /* hash of locations: index + 1 */
	uint32_t loc_nslots;
	struct stack *stacks;
	uint32_t nstacks, stacks_cap;
	uint32_t *stack_locs;
	size_t nstack_locs, stack_locs_cap;
	uint64_t *stack_keys;   /* hash set of function paths */
	size_t stack_nkeys;
};

static const char *const std_pkgs[] = {
	"net/http", "encoding/json", "database/sql", "bufio", "io", "bytes",
	"strings", "strconv", "fmt", "sort", "sync", "context", "time",
	"crypto/tls", "crypto/sha256", "compress/gzip", "net", "os",
	"reflect", "regexp", "text/template", "math/big", "encoding/binary",
	"google.golang.org/grpc", "google.golang.org/grpc/internal/transport",
	"google.golang.org/protobuf/proto",
	"google.golang.org/protobuf/internal/impl",
	"github.com/lib/pq", "github.com/go-redis/redis/v8",
	"github.com/prometheus/client_golang/prometheus", "go.uber.org/zap",
	"go.uber.org/zap/zapcore", "github.com/gorilla/mux",
	"golang.org/x/net/http2", "github.com/jackc/pgx/v5/pgconn",
};
static const char *const own_pkgs[] = {
	"internal/store", "internal/api", "internal/auth", "internal/cache",
	"internal/billing", "internal/render", "internal/queue", "cmd/server",
	"internal/model", "internal/search", "internal/metrics", "pkg/client",
};
static const char *const types[] = {
	"Client", "Server", "conn", "Handler", "Decoder", "Encoder", "Pool",
	"Cache", "Store", "Router", "Tx", "Rows", "Writer", "Reader", "Mux",
	"Session", "Stream", "Queue", "Worker", "Index", "Batch", "Codec",
	"Logger", "Registry", "Conn", "Stmt", "Buffer", "Scanner", "Tree",
};
static const char *const verbs[] = {
	"Get", "Put", "Query", "Exec", "ServeHTTP", "Read", "Write", "Flush",
	"Close", "Decode", "Encode", "Marshal", "Unmarshal", "handle",
	"process", "run", "loop", "next", "scan", "lookup", "insert",
	"compute", "validate", "render", "Do", "Send", "Recv", "parse",
	"build", "apply", "merge", "fetch", "store", "load", "emit", "walk",
	"serve", "dispatch", "refresh", "update", "resolve", "encodeValue",
};
static const char *const runtime_leaves[] = {
	"runtime.mallocgc", "runtime.memmove", "runtime.memclrNoHeapPointers",
	"syscall.Syscall", "runtime.futex", "runtime.mapaccess2_faststr",
	"runtime.scanobject", "runtime.findObject", "runtime.greyobject",
	"runtime.nextFreeFast", "runtime.heapBitsSetType", "runtime.usleep",
	"runtime.epollwait", "runtime.lock2", "runtime.unlock2",
	"aeshashbody", "runtime.memequal", "runtime.growslice",
	"runtime.mapassign_faststr", "runtime.newobject",
	"runtime.(*mspan).nextFreeIndex", "runtime.madvise",
	"runtime.procyield", "runtime.cmpbody", "indexbytebody",
};

/* Open-addressing set of 64-bit keys (0 never stored: callers use |1). */
static int key_insert(uint64_t **keys, size_t *nkeys, size_t *cap, uint64_t k)
{
	size_t i;

	if (2 * (*nkeys + 1) > *cap) {
		size_t ncap = *cap ? *cap * 2 : 1024, j;
		uint64_t *nk = xcalloc(ncap, sizeof(*nk));

		for (j = 0; j < *cap; j++) {
			if (!(*keys)[j])
				continue;
			for (i = (*keys)[j] & (ncap - 1); nk[i]; i = (i + 1) & (ncap - 1))
				;
			nk[i] = (*keys)[j];
		}
		free(*keys);
		*keys = nk;
		*cap = ncap;
	}
	for (i = k & (*cap - 1); (*keys)[i]; i = (i + 1) & (*cap - 1))
		if ((*keys)[i] == k)
			return 0;
	(*keys)[i] = k;
	(*nkeys)++;
	return 1;
}

/* Layers skewed: few functions near the root, most in the middle. */
static double layer_draw(uint64_t *rng)
{
	double x = (rng_unit(rng) + rng_unit(rng)) / 2.0;   /* triangular */

	return x * (LAYERS - 2.0001);
}

static void prog_init(struct prog *p, const char *service, uint32_t nfuncs,
		      uint64_t *rng)
{
	uint64_t *names = NULL;
	size_t nnames = 0, names_cap = 0;
	uint32_t i, l;
	char buf[512];

	memset(p, 0, sizeof(*p));
	p->service = xstrdup(service);
	p->funcs = xcalloc(nfuncs, sizeof(*p->funcs));
	for (l = 0; l < LAYERS; l++)
		p->by_layer[l] = xmalloc(nfuncs * sizeof(uint32_t));
	/* Roots and hot leaves first, then the bulk of the program. */
	for (i = 0; i < nfuncs; i++) {
		struct func *f = &p->funcs[i];
		size_t nrl = sizeof(runtime_leaves) / sizeof(runtime_leaves[0]);
		int tries = 0;

		if (i == 0 || i == 1) {
			snprintf(buf, sizeof(buf), i ? "runtime.mstart" : "runtime.goexit");
			f->layer = 0;
		} else if (i < 2 + nrl) {
			snprintf(buf, sizeof(buf), "%s", runtime_leaves[i - 2]);
			f->layer = LAYERS - 1;
		} else {
			do {
				int own = rng_below(rng, 5) < 2;
				const char *pkg;
				char pbuf[160];
				const char *ty = types[rng_below(rng, sizeof(types) / sizeof(types[0]))];
				const char *vb = verbs[rng_below(rng, sizeof(verbs) / sizeof(verbs[0]))];
				uint32_t shape = rng_below(rng, 10);

				if (own) {
					snprintf(pbuf, sizeof(pbuf), "github.com/acme/%s/%s", service,
						 own_pkgs[rng_below(rng, sizeof(own_pkgs) / sizeof(own_pkgs[0]))]);
					pkg = pbuf;
				} else {
					pkg = std_pkgs[rng_below(rng, sizeof(std_pkgs) / sizeof(std_pkgs[0]))];
				}
				if (shape < 5)
					snprintf(buf, sizeof(buf), "%s.(*%s).%s", pkg, ty, vb);
				else if (shape < 7)
					snprintf(buf, sizeof(buf), "%s.%s.%s", pkg, ty, vb);
				else
					snprintf(buf, sizeof(buf), "%s.%s%s", pkg, vb, ty);
				if (tries++ > 2 || rng_below(rng, 10) == 0)
					snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
						 ".func%u", 1 + rng_below(rng, 9));
			} while (!key_insert(&names, &nnames, &names_cap,
					     mix(crc32(0, (const Bytef *)buf, (uInt)strlen(buf)),
						 strlen(buf)) | 1) && tries < 20);
			/* Layers 1..LAYERS-2; the shallow ones are thinner. */
			f->layer = 1 + (int)layer_draw(rng);
			f->inlinable = rng_below(rng, 8) == 0;
		}
		f->name = xstrdup(buf);
		{
			const char *dot = strrchr(buf, '/');
			char file[600];

			snprintf(file, sizeof(file), "/src/%.*s/%s_%u.go",
				 (int)((dot ? dot : buf) - buf), buf,
				 "file", (unsigned)(mix(i, 7) % 9));
			f->file = xstrdup(file);
		}
		f->start_line = 20 + (int64_t)(mix(i, 11) % 900);
		p->by_layer[f->layer][p->nby_layer[f->layer]++] = i;
	}
	p->nfuncs = nfuncs;
	p->nhot = (uint32_t)(sizeof(runtime_leaves) / sizeof(runtime_leaves[0]));
	p->hot = xmalloc(p->nhot * sizeof(uint32_t));
	for (i = 0; i < p->nhot; i++)
		p->hot[i] = 2 + i;
	/* Callees: 1..6 (mostly few) from the next layer or the one after. */
	for (i = 0; i < nfuncs; i++) {
		struct func *f = &p->funcs[i];
		uint32_t n, k;

		if (f->layer == LAYERS - 1)
			continue;
		n = f->layer == 0 ? 12 : 1 + (rng_below(rng, 4) == 0 ? rng_below(rng, 6) : rng_below(rng, 3));
		f->callees = xmalloc(n * sizeof(uint32_t));
		for (k = 0; k < n; k++) {
			int tl;
			uint32_t tries = 0;

			do {
				tl = f->layer + 1 + (rng_below(rng, 4) == 0);
				if (tl > LAYERS - 2)
					tl = LAYERS - 2;
			} while (!p->nby_layer[tl] && ++tries < 10);
			if (!p->nby_layer[tl])
				break;
			/* Popular functions get most callers (cubic skew),
			 * so stacks share their frames as real ones do. */
			{
				double u = rng_unit(rng);

				f->callees[f->ncallees++] =
					p->by_layer[tl][(uint32_t)(u * u * u * p->nby_layer[tl])];
			}
		}
	}
	free(names);
}

static uint32_t loc_intern(struct prog *p, const struct line *ls, uint32_t n)
{
	uint64_t h = 0x12345;
	uint32_t i, slot;

	for (i = 0; i < n; i++)
		h = mix(h, ((uint64_t)ls[i].func << 20) ^ (uint64_t)ls[i].line);
	if (2 * (p->nlocs + 1) > p->loc_nslots) {
		uint32_t ns = p->loc_nslots ? p->loc_nslots * 2 : 4096, j;
		uint32_t *sl = xcalloc(ns, sizeof(*sl));

		for (j = 0; j < p->nlocs; j++) {
			const struct loc *L = &p->locs[j];
			uint64_t hh = 0x12345;
			uint32_t k;

			for (k = 0; k < L->nlines; k++)
				hh = mix(hh, ((uint64_t)p->lines[L->first + k].func << 20) ^
					 (uint64_t)p->lines[L->first + k].line);
			for (k = (uint32_t)hh & (ns - 1); sl[k]; k = (k + 1) & (ns - 1))
				;
			sl[k] = j + 1;
		}
		free(p->loc_slots);
		p->loc_slots = sl;
		p->loc_nslots = ns;
	}
	for (slot = (uint32_t)h & (p->loc_nslots - 1); p->loc_slots[slot];
	     slot = (slot + 1) & (p->loc_nslots - 1)) {
		const struct loc *L = &p->locs[p->loc_slots[slot] - 1];

		if (L->nlines == n &&
		    !memcmp(&p->lines[L->first], ls, n * sizeof(*ls)))
			return p->loc_slots[slot] - 1;
	}
	if (p->nlocs == p->locs_cap) {
		p->locs_cap = p->locs_cap ? p->locs_cap * 2 : 1024;
		p->locs = xrealloc(p->locs, p->locs_cap * sizeof(*p->locs));
	}
	if (p->nlines + n > p->lines_cap) {
		while (p->nlines + n > p->lines_cap)
			p->lines_cap = p->lines_cap ? p->lines_cap * 2 : 4096;
		p->lines = xrealloc(p->lines, p->lines_cap * sizeof(*p->lines));
	}
	p->locs[p->nlocs].first = p->nlines;
	p->locs[p->nlocs].nlines = n;
	p->locs[p->nlocs].address = 0x401000 + (h % 0xa00000);
	memcpy(&p->lines[p->nlines], ls, n * sizeof(*ls));
	p->nlines += n;
	p->loc_slots[slot] = p->nlocs + 1;
	return p->nlocs++;
}

/* Walk one stack; add it if it is new.  1 if added. */
static int walk_stack(struct prog *p, uint64_t *rng, size_t *keys_cap)
{
	uint32_t path[LAYERS + 2], depth = 0, target, cur, i;
	uint32_t locs[LAYERS + 2], nlocs = 0;
	struct line group[8];
	uint64_t h = 0x9e37;

	target = MIN_DEPTH + rng_below(rng, MAX_DEPTH - MIN_DEPTH + 1);
	cur = rng_below(rng, 20) == 0 ? 1 : 0;
	path[depth++] = cur;
	while (depth < target) {
		const struct func *f = &p->funcs[cur];
		uint32_t k;

		if (!f->ncallees)
			break;
		/* A hot utility leaf ends the stack now and then. */
		if (depth + 1 >= MIN_DEPTH && rng_below(rng, 80) == 0) {
			double u = rng_unit(rng);

			path[depth++] = p->hot[(uint32_t)(u * u * u * p->nhot)];
			break;
		}
		/* Skewed: the first callees are the common paths. */
		{
			double u = rng_unit(rng);

			k = (uint32_t)(u * u * f->ncallees);
		}
		cur = f->callees[k];
		path[depth++] = cur;
	}
	if (depth < MIN_DEPTH)
		return 0;
	for (i = 0; i < depth; i++)
		h = mix(h, path[i]);
	if (!key_insert(&p->stack_keys, &p->stack_nkeys, keys_cap, h | 1))
		return 0;
	/* Group frames into locations: an inlinable callee shares its
	 * caller's location.  Lines innermost first. */
	for (i = 0; i < depth;) {
		uint32_t j = i + 1, n = 0, g;

		while (j < depth && p->funcs[path[j]].inlinable && j - i < 4)
			j++;
		/* frames i..j-1 form one location; innermost is j-1 */
		for (g = j; g-- > i;) {
			const struct func *f = &p->funcs[path[g]];
			int64_t line;

			if (g + 1 < depth)   /* call site of the next frame */
				line = f->start_line + 1 + (int64_t)(mix(path[g], path[g + 1]) % 60);
			else                 /* leaf: a few different PCs */
				line = f->start_line + 1 + (int64_t)rng_below(rng, 12);
			group[n].func = path[g];
			group[n].line = line;
			n++;
		}
		locs[nlocs++] = loc_intern(p, group, n);
		i = j;
	}
	/* Stored leaf first. */
	if (p->nstacks == p->stacks_cap) {
		p->stacks_cap = p->stacks_cap ? p->stacks_cap * 2 : 1024;
		p->stacks = xrealloc(p->stacks, p->stacks_cap * sizeof(*p->stacks));
	}
	if (p->nstack_locs + nlocs > p->stack_locs_cap) {
		while (p->nstack_locs + nlocs > p->stack_locs_cap)
			p->stack_locs_cap = p->stack_locs_cap ? p->stack_locs_cap * 2 : 65536;
		p->stack_locs = xrealloc(p->stack_locs,
					 p->stack_locs_cap * sizeof(*p->stack_locs));
	}
	p->stacks[p->nstacks].first = (uint32_t)p->nstack_locs;
	p->stacks[p->nstacks].depth = nlocs;
	for (i = 0; i < nlocs; i++)
		p->stack_locs[p->nstack_locs++] = locs[nlocs - 1 - i];
	p->nstacks++;
	return 1;
}

static void prog_stacks(struct prog *p, uint32_t n, uint64_t *rng)
{
	size_t keys_cap = 0, tries = 0;

	while (p->nstacks < n) {
		walk_stack(p, rng, &keys_cap);
		if (++tries > (size_t)n * 50)
			die("could only make %u distinct stacks", p->nstacks);
	}
}

/* ---- writing one profile ---------------------------------------------- */

enum kind { KIND_CPU, KIND_HEAP, KIND_MUTEX, NKINDS };

static const char *const kind_names[NKINDS] = { "cpu", "heap", "mutex" };

struct writer {
	const struct prog *p;
	uint32_t *loc_id;       /* global location -> id in this profile, 0 */
	uint32_t *func_id;      /* global function -> id */
	int64_t *func_name;     /* global function -> string index */
	int64_t *func_file;
	uint32_t *used_locs, nused_locs;
	uint32_t *used_funcs, nused_funcs;
	ProtobufCBinaryData *strs;
	size_t nstrs, strs_cap;
};

static int64_t add_str(struct writer *w, const char *s)
{
	if (w->nstrs == w->strs_cap) {
		w->strs_cap = w->strs_cap ? w->strs_cap * 2 : 256;
		w->strs = xrealloc(w->strs, w->strs_cap * sizeof(*w->strs));
	}
	w->strs[w->nstrs].data = (uint8_t *)s;
	w->strs[w->nstrs].len = strlen(s);
	return (int64_t)w->nstrs++;
}

static void writer_init(struct writer *w, const struct prog *p)
{
	memset(w, 0, sizeof(*w));
	w->p = p;
	w->loc_id = xcalloc(p->nlocs, sizeof(uint32_t));
	w->func_id = xcalloc(p->nfuncs, sizeof(uint32_t));
	w->func_name = xcalloc(p->nfuncs, sizeof(int64_t));
	w->func_file = xcalloc(p->nfuncs, sizeof(int64_t));
	w->used_locs = xmalloc(p->nlocs * sizeof(uint32_t));
	w->used_funcs = xmalloc(p->nfuncs * sizeof(uint32_t));
}

static void writer_free(struct writer *w)
{
	free(w->loc_id);
	free(w->func_id);
	free(w->func_name);
	free(w->func_file);
	free(w->used_locs);
	free(w->used_funcs);
	free(w->strs);
}

static void gzip_write(const char *path, const uint8_t *data, size_t len)
{
	z_stream zs;
	size_t cap = deflateBound(NULL, (uLong)len) + 1024;
	uint8_t *out;
	FILE *f;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 1, Z_DEFLATED, 16 + MAX_WBITS, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		die("deflateInit2 failed");
	cap = deflateBound(&zs, (uLong)len) + 1024;
	out = xmalloc(cap);
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		die("deflate failed");
	f = fopen(path, "wb");
	if (!f || fwrite(out, 1, zs.total_out, f) != zs.total_out || fclose(f))
		die("%s: %s", path, strerror(errno));
	deflateEnd(&zs);
	free(out);
}

/*
 * Write a profile of kind k with samples (stack index, values) to path.
 * values holds nvals per sample.
 */
static void write_profile(struct writer *w, enum kind k, const uint32_t *stk,
			  const int64_t *values, size_t nsamples,
			  int64_t time_nanos, const char *path)
{
	static const char *const tnames[NKINDS][4][2] = {
		{ { "samples", "count" }, { "cpu", "nanoseconds" } },
		{ { "alloc_objects", "count" }, { "alloc_space", "bytes" },
		  { "inuse_objects", "count" }, { "inuse_space", "bytes" } },
		{ { "contentions", "count" }, { "delay", "nanoseconds" } },
	};
	static const size_t ntypes[NKINDS] = { 2, 4, 2 };
	const struct prog *p = w->p;
	Pprof__Profile m = PPROF__PROFILE__INIT;
	Pprof__ValueType *vt, period = PPROF__VALUE_TYPE__INIT;
	Pprof__Sample *samples, **sp;
	Pprof__Location *locs, **lp;
	Pprof__Line *lines, **lnp;
	Pprof__Function *funcs, **fp;
	Pprof__Mapping map = PPROF__MAPPING__INIT, *mp = &map;
	Pprof__ValueType **vtp;
	uint64_t *loc_ids;
	size_t i, j, nlocrefs = 0, nlines = 0, nv = ntypes[k];
	char mapfile[256], build_id[64];
	uint8_t *buf;
	size_t len;

	w->nstrs = 0;
	w->nused_locs = w->nused_funcs = 0;
	add_str(w, "");
	vt = xcalloc(nv, sizeof(*vt));
	vtp = xcalloc(nv, sizeof(*vtp));
	for (i = 0; i < nv; i++) {
		pprof__value_type__init(&vt[i]);
		vt[i].type = add_str(w, tnames[k][i][0]);
		vt[i].unit = add_str(w, tnames[k][i][1]);
		vtp[i] = &vt[i];
	}
	for (i = 0; i < nsamples; i++)
		nlocrefs += p->stacks[stk[i]].depth;
	samples = xcalloc(nsamples, sizeof(*samples));
	sp = xcalloc(nsamples, sizeof(*sp));
	loc_ids = xmalloc(nlocrefs * sizeof(*loc_ids));
	nlocrefs = 0;
	for (i = 0; i < nsamples; i++) {
		const struct stack *s = &p->stacks[stk[i]];

		pprof__sample__init(&samples[i]);
		samples[i].location_id = loc_ids + nlocrefs;
		samples[i].n_location_id = s->depth;
		for (j = 0; j < s->depth; j++) {
			uint32_t g = p->stack_locs[s->first + j];

			if (!w->loc_id[g]) {
				w->used_locs[w->nused_locs++] = g;
				w->loc_id[g] = w->nused_locs;
				nlines += p->locs[g].nlines;
			}
			loc_ids[nlocrefs++] = w->loc_id[g];
		}
		samples[i].value = (int64_t *)values + i * nv;
		samples[i].n_value = nv;
		sp[i] = &samples[i];
	}
	snprintf(mapfile, sizeof(mapfile), "/usr/local/bin/%s", p->service);
	snprintf(build_id, sizeof(build_id), "%016" PRIx64 "%016" PRIx64,
		 mix(7, strlen(p->service)), mix(p->nfuncs, 3));
	map.id = 1;
	map.memory_start = 0x400000;
	map.memory_limit = 0x1400000;
	map.filename = add_str(w, mapfile);
	map.build_id = add_str(w, build_id);
	map.has_functions = map.has_filenames = map.has_line_numbers =
		map.has_inline_frames = 1;
	locs = xcalloc(w->nused_locs, sizeof(*locs));
	lp = xcalloc(w->nused_locs, sizeof(*lp));
	lines = xcalloc(nlines, sizeof(*lines));
	lnp = xcalloc(nlines, sizeof(*lnp));
	nlines = 0;
	for (i = 0; i < w->nused_locs; i++) {
		const struct loc *L = &p->locs[w->used_locs[i]];

		pprof__location__init(&locs[i]);
		locs[i].id = i + 1;
		locs[i].mapping_id = 1;
		locs[i].address = L->address;
		locs[i].line = lnp + nlines;
		locs[i].n_line = L->nlines;
		for (j = 0; j < L->nlines; j++) {
			const struct line *ln = &p->lines[L->first + j];

			if (!w->func_id[ln->func]) {
				w->used_funcs[w->nused_funcs++] = ln->func;
				w->func_id[ln->func] = w->nused_funcs;
			}
			pprof__line__init(&lines[nlines]);
			lines[nlines].function_id = w->func_id[ln->func];
			lines[nlines].line = ln->line;
			lnp[nlines] = &lines[nlines];
			nlines++;
		}
		lp[i] = &locs[i];
	}
	funcs = xcalloc(w->nused_funcs, sizeof(*funcs));
	fp = xcalloc(w->nused_funcs, sizeof(*fp));
	for (i = 0; i < w->nused_funcs; i++) {
		const struct func *f = &p->funcs[w->used_funcs[i]];

		pprof__function__init(&funcs[i]);
		funcs[i].id = i + 1;
		funcs[i].name = add_str(w, f->name);
		funcs[i].system_name = funcs[i].name;
		funcs[i].filename = add_str(w, f->file);
		funcs[i].start_line = f->start_line;
		fp[i] = &funcs[i];
	}
	m.sample_type = vtp;
	m.n_sample_type = nv;
	m.sample = sp;
	m.n_sample = nsamples;
	m.mapping = &mp;
	m.n_mapping = 1;
	m.location = lp;
	m.n_location = w->nused_locs;
	m.function = fp;
	m.n_function = w->nused_funcs;
	m.time_nanos = time_nanos;
	m.period_type = &period;
	switch (k) {
	case KIND_CPU:
		m.duration_nanos = 10000000000LL;
		period.type = add_str(w, "cpu");
		period.unit = add_str(w, "nanoseconds");
		m.period = 10000000;
		break;
	case KIND_HEAP:
		period.type = add_str(w, "space");
		period.unit = add_str(w, "bytes");
		m.period = 524288;
		break;
	default:
		period.type = add_str(w, "contentions");
		period.unit = add_str(w, "count");
		m.period = 1;
		break;
	}
	m.string_table = w->strs;
	m.n_string_table = w->nstrs;
	len = pprof__profile__get_packed_size(&m);
	buf = xmalloc(len);
	pprof__profile__pack(&m, buf);
	gzip_write(path, buf, len);
	for (i = 0; i < w->nused_locs; i++)
		w->loc_id[w->used_locs[i]] = 0;
	for (i = 0; i < w->nused_funcs; i++)
		w->func_id[w->used_funcs[i]] = 0;
	free(buf);
	free(funcs);
	free(fp);
	free(lines);
	free(lnp);
	free(locs);
	free(lp);
	free(loc_ids);
	free(samples);
	free(sp);
	free(vt);
	free(vtp);
}

/* ---- Zipf ------------------------------------------------------------- */

struct zipf {
	double *cdf;
	uint32_t n;
};

static void zipf_init(struct zipf *z, uint32_t n, double s)
{
	double sum = 0;
	uint32_t i;

	z->cdf = xmalloc(n * sizeof(double));
	z->n = n;
	for (i = 0; i < n; i++) {
		sum += 1.0 / pow(i + 1.0, s);
		z->cdf[i] = sum;
	}
	for (i = 0; i < n; i++)
		z->cdf[i] /= sum;
}

static uint32_t zipf_draw(const struct zipf *z, uint64_t *rng)
{
	double u = rng_unit(rng);
	uint32_t lo = 0, hi = z->n - 1;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (z->cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- commands --------------------------------------------------------- */

static void cmd_big(const char *out, uint32_t nstacks, uint64_t seed)
{
	uint64_t rng = seed;
	struct prog p;
	struct writer w;
	uint32_t *stk, i;
	int64_t *vals;

	prog_init(&p, "bigsvc", 24000, &rng);
	prog_stacks(&p, nstacks, &rng);
	stk = xmalloc(nstacks * sizeof(*stk));
	vals = xmalloc(2 * (size_t)nstacks * sizeof(*vals));
	/* One sample per distinct stack, as runtime/pprof writes; counts
	 * Zipf-like over a shuffled rank, so hot stacks are anywhere. */
	for (i = 0; i < nstacks; i++) {
		uint32_t rank = 1 + (uint32_t)(mix(i, seed) % nstacks);
		int64_t c = (int64_t)(200000.0 / pow(rank, 1.05)) + 1;

		stk[i] = i;
		vals[2 * i] = c;
		vals[2 * i + 1] = c * 10000000;
	}
	writer_init(&w, &p);
	write_profile(&w, KIND_CPU, stk, vals, nstacks,
		      BASE_TIME * 1000000000LL + 123456789, out);
	fprintf(stderr, "genprof: %s: %u stacks, %u locations, %u functions\n",
		out, nstacks, p.nlocs, p.nfuncs);
	writer_free(&w);
	free(stk);
	free(vals);
}

static void mkdirs(const char *path)
{
	char tmp[4096], *s;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (s = tmp + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(tmp, 0755);
		*s = '/';
	}
	if (mkdir(tmp, 0755) && errno != EEXIST)
		die("mkdir %s: %s", tmp, strerror(errno));
}

struct service_gen {
	struct prog p;
	struct zipf z[NKINDS];
	struct writer w;
	uint32_t pool[NKINDS];  /* stacks of the pool used by each kind */
};

static void cmd_archive(const char *dir, uint32_t nfiles, uint32_t nservices,
			const int *kinds, uint64_t seed, int no_time)
{
	static const char *const svc_names[] = {
		"api", "billing", "search", "ingest", "auth", "render",
		"gateway", "worker",
	};
	static const uint32_t pool_size[NKINDS] = { 1500, 800, 100 };
	static const uint32_t draws[NKINDS] = { 300, 1200, 150 };
	struct service_gen *sv;
	uint32_t nk = 0, k, s, f, *counts, *stk;
	int64_t *vals;
	int kl[NKINDS];
	char path[4096];

	for (k = 0; k < NKINDS; k++)
		if (kinds[k])
			kl[nk++] = (int)k;
	if (!nk || !nservices || nservices > 8)
		die("bad archive arguments");
	sv = xcalloc(nservices, sizeof(*sv));
	for (s = 0; s < nservices; s++) {
		uint64_t rng = mix(seed, s + 1);
		uint32_t total = 0;

		prog_init(&sv[s].p, svc_names[s], 4000, &rng);
		for (k = 0; k < NKINDS; k++) {
			sv[s].pool[k] = total;
			if (kinds[k])
				total += pool_size[k];
		}
		prog_stacks(&sv[s].p, total, &rng);
		for (k = 0; k < NKINDS; k++)
			if (kinds[k])
				zipf_init(&sv[s].z[k], pool_size[k], 1.1);
		writer_init(&sv[s].w, &sv[s].p);
		snprintf(path, sizeof(path), "%s/%s", dir, svc_names[s]);
		mkdirs(path);
	}
	counts = xcalloc(3000, sizeof(*counts));
	stk = xmalloc(4000 * sizeof(*stk));
	vals = xmalloc(4 * 4000 * sizeof(*vals));
	for (f = 0; f < nfiles; f++) {
		uint32_t round = f / (nservices * nk), i, n = 0;
		struct service_gen *g;
		enum kind kind;
		uint64_t rng = mix(seed ^ 0xabcdef, f);
		int64_t t;

		s = (f / nk) % nservices;
		kind = (enum kind)kl[f % nk];
		g = &sv[s];
		t = (BASE_TIME + 10LL * round) * 1000000000LL +
		    (int64_t)s * 37000000 + (int64_t)rng_below(&rng, 200000000);
		memset(counts, 0, pool_size[kind] * sizeof(*counts));
		for (i = 0; i < draws[kind]; i++)
			counts[zipf_draw(&g->z[kind], &rng)]++;
		for (i = 0; i < pool_size[kind]; i++) {
			int64_t c = counts[i];

			if (kind == KIND_HEAP) {
				/* Allocation sites stay listed; alloc_ grows with
				 * time, inuse_ moves around. */
				if (!c && i >= 150 + round / 4)
					continue;
				stk[n] = g->pool[kind] + i;
				vals[4 * n] = (c + 1) * (int64_t)(1 + round);
				vals[4 * n + 1] = vals[4 * n] * (64 + (int64_t)(mix(i, 5) % 4096));
				vals[4 * n + 2] = c;
				vals[4 * n + 3] = c * (64 + (int64_t)(mix(i, 5) % 4096));
			} else {
				if (!c)
					continue;
				stk[n] = g->pool[kind] + i;
				if (kind == KIND_CPU) {
					vals[2 * n] = c;
					vals[2 * n + 1] = c * 10000000;
				} else {
					/* cumulative since start, as /debug/pprof/mutex */
					vals[2 * n] = c * (int64_t)(1 + round);
					vals[2 * n + 1] = vals[2 * n] * (1000 + (int64_t)(mix(i, 9) % 100000));
				}
			}
			n++;
		}
		snprintf(path, sizeof(path), "%s/%s/%s-%lld.pb.gz", dir,
			 svc_names[s], kind_names[kind],
			 (long long)(t / 1000000000LL));
		write_profile(&g->w, kind, stk, vals, n, no_time ? 0 : t, path);
	}
	free(counts);
	free(stk);
	free(vals);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: genprof big OUT.pb.gz [-n STACKS] [-s SEED]\n"
		"       genprof archive DIR -n FILES [-S SERVICES] [-k cpu,heap,mutex] [-s SEED] [-T 1]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	uint64_t seed = 42;
	uint32_t n = 0, services = 4;
	int kinds[NKINDS] = { 1, 1, 1 }, no_time = 0;
	const char *cmd, *target;
	int i;

	if (argc < 3)
		usage();
	cmd = argv[1];
	target = argv[2];
	for (i = 3; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			usage();
		if (!strcmp(a, "-n"))
			n = (uint32_t)strtoul(v, NULL, 10);
		else if (!strcmp(a, "-s"))
			seed = strtoull(v, NULL, 10);
		else if (!strcmp(a, "-T"))
			no_time = atoi(v) != 0;
		else if (!strcmp(a, "-S"))
			services = (uint32_t)strtoul(v, NULL, 10);
		else if (!strcmp(a, "-k")) {
			int k;

			for (k = 0; k < NKINDS; k++)
				kinds[k] = strstr(v, kind_names[k]) != NULL;
		} else
			usage();
		i++;
	}
	if (!strcmp(cmd, "big")) {
		cmd_big(target, n ? n : 100000, seed);
	} else if (!strcmp(cmd, "archive")) {
		if (!n)
			usage();
		mkdirs(target);
		cmd_archive(target, n, services, kinds, seed, no_time);
	} else {
		usage();
	}
	return 0;
}
