/*
 * fmt_v8.c - V8's profiles as Node.js writes them: `node --cpu-prof`
 * (.cpuprofile, DevTools' Profiler.Profile) and `node --heap-prof`
 * (.heapprofile, the sampling heap profile); rows of pyro_formats[].
 *
 * The reading follows speedscope's importer (import/chrome.ts), so that
 * pyrofs and speedscope agree on the same file:
 * - a frame is named by its functionName, or "(anonymous FILE:LINE)" with
 *   the url's last element, or "(anonymous)" without a url; the url and the
 *   1-based line are kept as the function's file and line;
 * - "(root)", "(idle)" and url "native dummy.js" end a stack; a sample
 *   that is only those (idle time) is dropped;
 * - "(garbage collector)" and "(program)" are put on top of the stack of
 *   the sample before (V8 reports them under the root);
 * - consecutive samples of one node are one run; a run weighs the time
 *   from its first sample to the next run's, the last run to its last
 *   sample (times are made monotonic, the first sample at timeDeltas[0]);
 *   so a last run of one sample weighs nothing.
 * The cpu values are that weight in nanoseconds; samples/count counts the
 * samples of each run.  A heap node's selfSize is its inuse_space and the
 * number of samples[] naming it its inuse_objects (samples naming a node
 * that is not in the tree, which V8 writes, are not counted).
 *
 * Memory: nodes are a small table (a few dozen bytes each, against at
 * least as many bytes of JSON); samples are never stored: they are
 * aggregated per distinct stack as the two arrays are walked in step.
 */
#include "format.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "pprof_build.h"

enum v8_kind { V8_NORMAL, V8_STOP, V8_ON_TOP };

struct v8_node {
	int64_t id;
	int64_t parent_id;      /* "parent" when given, else 0 */
	uint32_t parent;        /* index + 1; 0: none */
	uint32_t child_off;     /* first of its children in v8->kids */
	uint32_t nkids;
	uint64_t loc;           /* builder location id; 0 for V8_STOP */
	int64_t weight;         /* its own stack's: cpu ns, or selfSize */
	int64_t count;          /* its own stack's samples */
	uint8_t kind;
};

struct v8_id {
	int64_t id;
	uint32_t index;
};

struct v8 {
	struct pyro_pbuild *b;
	size_t max_size;        /* max_profile_size: the output's bound, and
				 * the bound of the tables below */
	struct v8_node *nodes;
	size_t nnodes, cap_nodes;
	int64_t *kids;          /* children ids, per node a run */
	size_t nkids, cap_kids;
	struct v8_id *ids;      /* sorted by id */
	uint32_t *dense;        /* id - min_id -> index + 1, when ids are
				 * nearly dense (V8 numbers them from 1) */
	int64_t min_id;
	size_t ndense;
	struct pyro_buf s1, s2, s3;     /* scratch strings */
	char *err;
};

static int v8_fail(struct v8 *v, const struct pyro_json *j, int rc)
{
	if (rc == -EINVAL && j && j->why && !v->err[0])
		snprintf(v->err, PYRO_ERR_MAX, "at byte %zu: %s",
			 pyro_json_offset(j), j->why);
	return rc;
}

/* a + b, held at the int64 limits: hostile times must not wrap. */
static int64_t sat_add(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b < 0 ? INT64_MIN : INT64_MAX;
	return r;
}

/* A run's weight, later - earlier microseconds (later >= earlier), in
 * nanoseconds. */
static int64_t run_ns(int64_t later, int64_t earlier)
{
	int64_t d;

	if (__builtin_sub_overflow(later, earlier, &d) || d > INT64_MAX / 1000)
		return INT64_MAX;
	return d * 1000;
}

/* ---- frames ---------------------------------------------------------------- */

/* The function name speedscope gives a call frame (frameInfoForCallFrame). */
static int frame_name(struct v8 *v, const struct pyro_buf *fn,
		      const struct pyro_buf *url, int64_t line1,
		      int has_line)
{
	const char *base;

	pyro_buf_truncate(&v->s3, 0);
	if (fn->len)
		return pyro_buf_add(&v->s3, fn->data, fn->len);
	if (!url->len)
		return pyro_buf_puts(&v->s3, "(anonymous)");
	base = memrchr(url->data, '/', url->len);
	base = base ? base + 1 : url->data;
	if (!has_line)
		return pyro_buf_printf(&v->s3, "(anonymous %s:undefined)", base);
	return pyro_buf_printf(&v->s3, "(anonymous %s:%lld)", base,
			       (long long)line1);
}

static int call_frame(struct v8 *v, struct pyro_json *j, struct v8_node *n)
{
	int64_t line = 0, num;
	int has_line = 0, rc;
	size_t m = 0, klen;
	const char *key;
	uint64_t fid;

	pyro_buf_truncate(&v->s1, 0);
	pyro_buf_truncate(&v->s2, 0);
	rc = pyro_json_enter(j, '{');
	while (!rc && (rc = pyro_json_member(j, &m, &key, &klen)) > 0) {
		if (pyro_json_key_is(key, klen, "functionName")) {
			rc = pyro_json_string(j, &v->s1);
		} else if (pyro_json_key_is(key, klen, "url")) {
			rc = pyro_json_string(j, &v->s2);
		} else if (pyro_json_key_is(key, klen, "lineNumber")) {
			rc = pyro_json_int(j, &num);
			/* -1: V8's "no line"; keep line 0 (unknown). */
			line = num >= 0 && num < INT32_MAX ? num + 1 : 0;
			has_line = 1;
		} else {
			rc = pyro_json_skip(j);
		}
	}
	if (rc < 0)
		return rc;
	if (!strcmp(v->s1.data ? v->s1.data : "", "(root)") ||
	    !strcmp(v->s1.data ? v->s1.data : "", "(idle)") ||
	    (v->s2.len == 15 && !memcmp(v->s2.data, "native dummy.js", 15))) {
		n->kind = V8_STOP;
		return 0;
	}
	if (v->s1.len && (!strcmp(v->s1.data, "(garbage collector)") ||
			  !strcmp(v->s1.data, "(program)")))
		n->kind = V8_ON_TOP;
	rc = frame_name(v, &v->s1, &v->s2, line, has_line);
	if (!rc)
		rc = pyro_pbuild_function(v->b, v->s3.data, v->s3.len,
					  v->s2.data, v->s2.len, line, &fid);
	if (!rc)
		rc = pyro_pbuild_location(v->b, fid, line, 0, &n->loc);
	return rc;
}

/* ---- the node table ------------------------------------------------------- */

/* The tables cost up to a few times their JSON (a node of 24 bytes is 64
 * here, a child id of 2 bytes is 8): they count against max_profile_size
 * like the output, and a file that would pass it is refused. */
static int over_budget(struct v8 *v, size_t more)
{
	size_t used = v->cap_nodes * sizeof(*v->nodes) +
		      v->cap_kids * sizeof(*v->kids);

	return pyro_pbuild_budget(used, more, v->max_size, v->err);
}

static int new_node(struct v8 *v, uint32_t *index)
{
	if (v->nnodes >= UINT32_MAX - 1)
		return over_budget(v, SIZE_MAX / 2);
	if (v->nnodes == v->cap_nodes &&
	    over_budget(v, v->cap_nodes * sizeof(*v->nodes)))
		return -E2BIG;
	if (pyro_grow_array(&v->nodes, &v->cap_nodes, v->nnodes + 1,
			    sizeof(*v->nodes)))
		return -ENOMEM;
	memset(&v->nodes[v->nnodes], 0, sizeof(*v->nodes));
	*index = (uint32_t)v->nnodes++;
	return 0;
}

static int by_id(const void *a, const void *b)
{
	const struct v8_id *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Sort the ids for lookup; two nodes with one id are an error. */
static int index_ids(struct v8 *v)
{
	size_t i;

	v->ids = malloc((v->nnodes ? v->nnodes : 1) * sizeof(*v->ids));
	if (!v->ids)
		return -ENOMEM;
	for (i = 0; i < v->nnodes; i++) {
		v->ids[i].id = v->nodes[i].id;
		v->ids[i].index = (uint32_t)i;
	}
	qsort(v->ids, v->nnodes, sizeof(*v->ids), by_id);
	for (i = 1; i < v->nnodes; i++)
		if (v->ids[i].id == v->ids[i - 1].id) {
			snprintf(v->err, PYRO_ERR_MAX,
				 "two nodes have id %lld",
				 (long long)v->ids[i].id);
			return -EINVAL;
		}
	if (!v->nnodes)
		return 0;
	/* Samples look nodes up millions of times: a direct table when it
	 * costs at most twice the nodes. */
	v->min_id = v->ids[0].id;
	if ((uint64_t)v->ids[v->nnodes - 1].id - (uint64_t)v->min_id >=
	    2 * (uint64_t)v->nnodes)
		return 0;
	v->ndense = (size_t)(v->ids[v->nnodes - 1].id - v->min_id) + 1;
	v->dense = calloc(v->ndense, sizeof(*v->dense));
	if (!v->dense)
		return -ENOMEM;
	for (i = 0; i < v->nnodes; i++)
		v->dense[v->ids[i].id - v->min_id] = v->ids[i].index + 1;
	return 0;
}

/* The index of node id, or -1. */
static long find_id(const struct v8 *v, int64_t id)
{
	struct v8_id key = { id, 0 }, *hit;

	if (v->dense) {
		uint64_t k = (uint64_t)id - (uint64_t)v->min_id;

		return k < v->ndense ? (long)v->dense[k] - 1 : -1;
	}
	hit = bsearch(&key, v->ids, v->nnodes, sizeof(*v->ids), by_id);
	return hit ? (long)hit->index : -1;
}

/* Parents from children lists (and "parent" fields), as speedscope links
 * them: the last list naming a node wins. */
static int link_parents(struct v8 *v)
{
	int64_t bad;
	size_t i, k;
	long c;

	for (i = 0; i < v->nnodes; i++) {
		struct v8_node *n = &v->nodes[i];

		if (n->parent_id) {
			bad = n->parent_id;
			c = find_id(v, bad);
			if (c < 0)
				goto unknown;
			n->parent = (uint32_t)c + 1;
		}
		for (k = 0; k < n->nkids; k++) {
			bad = v->kids[n->child_off + k];
			c = find_id(v, bad);
			if (c < 0)
				goto unknown;
			v->nodes[c].parent = (uint32_t)i + 1;
		}
	}
	return 0;
unknown:
	snprintf(v->err, PYRO_ERR_MAX, "node %lld names node %lld, which is "
		 "not in nodes", (long long)v->nodes[i].id, (long long)bad);
	return -EINVAL;
}

/* Locations of node i and its ancestors up to a V8_STOP node, leaf first,
 * appended to locs[*n..]; a path longer than the table is a cycle. */
static int walk_up(struct v8 *v, uint32_t i, uint64_t *locs, size_t *n)
{
	size_t steps = 0;

	for (;;) {
		const struct v8_node *x = &v->nodes[i];

		if (x->kind == V8_STOP)
			return 0;
		if (++steps > v->nnodes) {
			snprintf(v->err, PYRO_ERR_MAX, "the parents of node %lld "
				 "form a cycle", (long long)x->id);
			return -EINVAL;
		}
		locs[(*n)++] = x->loc;
		if (!x->parent)
			return 0;
		i = x->parent - 1;
	}
}

static int read_kids(struct v8 *v, struct pyro_json *j, struct v8_node *n)
{
	size_t m = 0;
	int64_t id;
	int rc = pyro_json_enter(j, '[');

	n->child_off = (uint32_t)v->nkids;
	while (!rc && (rc = pyro_json_item(j, &m)) > 0) {
		rc = pyro_json_int(j, &id);
		if (!rc && v->nkids == v->cap_kids)
			rc = over_budget(v, v->cap_kids * sizeof(*v->kids));
		if (!rc && pyro_grow_array(&v->kids, &v->cap_kids,
					   v->nkids + 1, sizeof(*v->kids)))
			rc = -ENOMEM;
		if (!rc)
			v->kids[v->nkids++] = id;
	}
	if (v->nkids - n->child_off > UINT32_MAX)
		return over_budget(v, SIZE_MAX / 2);
	n->nkids = (uint32_t)(v->nkids - n->child_off);
	return rc < 0 ? rc : 0;
}

/* One element of a .cpuprofile's nodes[]. */
static int cpu_node(struct v8 *v, struct pyro_json *j)
{
	int has_frame = 0, rc;
	size_t m = 0, klen;
	const char *key;
	uint32_t ix;
	struct v8_node *n;

	rc = new_node(v, &ix);
	if (!rc)
		rc = pyro_json_enter(j, '{');
	while (!rc && (rc = pyro_json_member(j, &m, &key, &klen)) > 0) {
		n = &v->nodes[ix];
		if (pyro_json_key_is(key, klen, "id")) {
			rc = pyro_json_int(j, &n->id);
		} else if (pyro_json_key_is(key, klen, "parent")) {
			rc = pyro_json_int(j, &n->parent_id);
		} else if (pyro_json_key_is(key, klen, "callFrame")) {
			rc = call_frame(v, j, n);
			has_frame = 1;
		} else if (pyro_json_key_is(key, klen, "children")) {
			rc = read_kids(v, j, n);
		} else {
			rc = pyro_json_skip(j);
		}
	}
	if (rc < 0)
		return rc;
	if (!has_frame) {
		snprintf(v->err, PYRO_ERR_MAX, "node %lld has no callFrame",
			 (long long)v->nodes[ix].id);
		return -EINVAL;
	}
	return 0;
}

/* ---- .cpuprofile ---------------------------------------------------------- */

/* Stacks seen so far: a stack is a run of node indexes, root end first: a
 * V8_NORMAL node standing for itself and its ancestors, then the
 * V8_ON_TOP nodes put on it. */
struct v8_stacks {
	struct pyro_pbuild_stacks sums; /* stack -> struct v8_sum */
	uint32_t *cur;                  /* the current stack */
	size_t ncur, cap_cur;
};

/* What a stack other than a node's own sums: its runs' weight and
 * samples. */
struct v8_sum {
	int64_t cpu;            /* nanoseconds, held at INT64_MAX */
	int64_t count;          /* samples */
};

static int stack_add(struct v8 *v, struct v8_stacks *st, int64_t weight,
		     int64_t count)
{
	struct v8_sum *sum;
	void *slot;
	int rc;

	if (!st->ncur)
		return 0;       /* idle: speedscope opens no frame */
	if (st->ncur == 1 && v->nodes[st->cur[0]].kind == V8_NORMAL) {
		/* Most runs: a node's own stack, kept on the node. */
		v->nodes[st->cur[0]].weight =
			sat_add(v->nodes[st->cur[0]].weight, weight);
		v->nodes[st->cur[0]].count += count;
		return 0;
	}
	rc = pyro_pbuild_stacks_add(&st->sums, st->cur, st->ncur, v->max_size,
				    &slot);
	if (rc == -E2BIG)
		return over_budget(v, SIZE_MAX / 2);
	if (rc)
		return rc;
	sum = slot;
	sum->cpu = sat_add(sum->cpu, weight);
	sum->count += count;
	return 0;
}

/* The stack after a sample of node ix (speedscope's enter/leave). */
static int stack_move(struct v8 *v, struct v8_stacks *st, uint32_t ix)
{
	size_t k;

	switch (v->nodes[ix].kind) {
	case V8_STOP:
		st->ncur = 0;
		return 0;
	case V8_ON_TOP:
		for (k = 0; k < st->ncur; k++)
			if (st->cur[k] == ix) {
				st->ncur = k + 1;
				return 0;
			}
		break;
	default:
		st->ncur = 0;
	}
	if (pyro_grow_array(&st->cur, &st->cap_cur, st->ncur + 1,
			    sizeof(*st->cur)))
		return -ENOMEM;
	st->cur[st->ncur++] = ix;
	return 0;
}

/* Walk samples[] and timeDeltas[] in step, aggregating runs per stack. */
static int cpu_runs(struct v8 *v, struct v8_stacks *st, struct pyro_json *js,
		    struct pyro_json *jt)
{
	int64_t elapsed = 0, valid = 0, run_start = 0, run_count = 0;
	int64_t node, prev = 0, delta;
	size_t ms = 0, mt = 0, i;
	long ix;
	int rc, rt;

	rc = pyro_json_enter(js, '[');
	if (!rc)
		rc = pyro_json_enter(jt, '[');
	for (i = 0; !rc && (rc = pyro_json_item(js, &ms)) > 0; i++) {
		rc = pyro_json_int(js, &node);
		rt = rc ? 0 : pyro_json_item(jt, &mt);
		if (!rc && rt == 0) {
			snprintf(v->err, PYRO_ERR_MAX, "timeDeltas is shorter "
				 "than samples");
			return -EINVAL;
		}
		if (!rc && rt < 0)
			return v8_fail(v, jt, rt);
		rc = rc ? rc : pyro_json_int(jt, &delta);
		if (rc)
			break;
		elapsed = sat_add(elapsed, delta);
		if (i && node == prev) {
			run_count++;
			continue;
		}
		ix = find_id(v, node);
		if (ix < 0) {
			snprintf(v->err, PYRO_ERR_MAX, "sample %zu names node "
				 "%lld, which is not in nodes", i,
				 (long long)node);
			return -EINVAL;
		}
		if (elapsed > valid || !i)
			valid = elapsed;
		if (i)
			rc = stack_add(v, st, run_ns(valid, run_start), run_count);
		if (!rc)
			rc = stack_move(v, st, (uint32_t)ix);
		run_start = valid;
		run_count = 1;
		prev = node;
	}
	if (rc < 0)
		return v8_fail(v, rc == -EINVAL && js->why ? js : jt, rc);
	/* The last run ends at the last sample (speedscope closes every
	 * frame there). */
	if (elapsed > valid)
		valid = elapsed;
	return i ? stack_add(v, st, run_ns(valid, run_start), run_count) : 0;
}

static int heap_emit(struct v8 *v);

/* The nodes' own stacks (as a heap profile's), then the others. */
static int cpu_emit(struct v8 *v, struct v8_stacks *st)
{
	uint64_t *locs = malloc((v->nnodes + st->cap_cur + 1) * sizeof(*locs));
	uint32_t *ixs = malloc((st->cap_cur + 1) * sizeof(*ixs));
	uint32_t id;
	int rc = locs && ixs ? heap_emit(v) : -ENOMEM;

	for (id = 1; !rc && id < pyro_pbuild_stacks_count(&st->sums); id++) {
		const struct v8_sum *sum;
		size_t n = 0, c, e;
		int64_t values[2];
		void *slot;

		c = pyro_pbuild_stacks_get(&st->sums, id, ixs, &slot);
		sum = slot;
		for (e = c; e-- > 1;)
			locs[n++] = v->nodes[ixs[e]].loc;
		if (v->nodes[ixs[0]].kind == V8_ON_TOP)
			locs[n++] = v->nodes[ixs[0]].loc;
		else
			rc = walk_up(v, ixs[0], locs, &n);
		values[0] = sum->count;
		values[1] = sum->cpu;
		if (!rc && n)
			rc = pyro_pbuild_sample(v->b, locs, n, values, 2,
						NULL, 0);
	}
	free(locs);
	free(ixs);
	return rc;
}

static int cpu_profile(struct v8 *v, const char *data, size_t len)
{
	struct pyro_json j, js, jt;
	struct v8_stacks st = { 0 };
	int64_t t0 = 0, t1 = 0;
	int have_s = 0, have_t = 0, rc;
	size_t m = 0, klen, k;
	const char *key;

	pyro_json_init(&j, data, len);
	rc = pyro_json_enter(&j, '{');
	while (!rc && (rc = pyro_json_member(&j, &m, &key, &klen)) > 0) {
		if (pyro_json_key_is(key, klen, "nodes")) {
			k = 0;
			rc = pyro_json_enter(&j, '[');
			while (!rc && (rc = pyro_json_item(&j, &k)) > 0)
				rc = cpu_node(v, &j);
		} else if (pyro_json_key_is(key, klen, "samples")) {
			js = j;
			have_s = 1;
			rc = pyro_json_skip(&j);
		} else if (pyro_json_key_is(key, klen, "timeDeltas")) {
			jt = j;
			have_t = 1;
			rc = pyro_json_skip(&j);
		} else if (pyro_json_key_is(key, klen, "startTime")) {
			rc = pyro_json_int(&j, &t0);
		} else if (pyro_json_key_is(key, klen, "endTime")) {
			rc = pyro_json_int(&j, &t1);
		} else {
			rc = pyro_json_skip(&j);
		}
	}
	if (rc < 0)
		return v8_fail(v, &j, rc);
	if (!have_s || !have_t) {
		snprintf(v->err, PYRO_ERR_MAX, "no %s array",
			 have_s ? "timeDeltas" : "samples");
		return -EINVAL;
	}
	rc = index_ids(v);
	if (!rc)
		rc = link_parents(v);
	if (!rc)
		rc = pyro_pbuild_stacks_init(&st.sums, sizeof(struct v8_sum));
	if (!rc)
		rc = cpu_runs(v, &st, &js, &jt);
	if (!rc)
		rc = pyro_pbuild_sample_type(v->b, "samples", "count");
	if (!rc)
		rc = pyro_pbuild_sample_type(v->b, "cpu", "nanoseconds");
	if (!rc)
		rc = pyro_pbuild_default_type(v->b, "cpu");
	if (!rc && t1 > t0 && t1 - t0 < INT64_MAX / 1000)
		pyro_pbuild_time(v->b, 0, (t1 - t0) * 1000);
	if (!rc)
		rc = cpu_emit(v, &st);
	pyro_pbuild_stacks_release(&st.sums);
	free(st.cur);
	return rc;
}

/* ---- .heapprofile ------------------------------------------------------------ */

/* A node being read: the tree nests, so the reader keeps its own stack
 * instead of recursing (a hostile file may nest a million deep). */
struct heap_frame {
	uint32_t node;
	size_t members;         /* of its object, read so far */
	size_t items;           /* of its children array, while in it */
	int in_kids;
	int has_frame;          /* its callFrame was read */
};

/* Read the member the cursor is on, of node f->node; a "children" member
 * is only entered (the caller reads its items). */
static int heap_member(struct v8 *v, struct pyro_json *j, struct heap_frame *f,
		       const char *key, size_t klen)
{
	struct v8_node *n = &v->nodes[f->node];

	if (pyro_json_key_is(key, klen, "id"))
		return pyro_json_int(j, &n->id);
	if (pyro_json_key_is(key, klen, "selfSize"))
		return pyro_json_int(j, &n->weight);
	if (pyro_json_key_is(key, klen, "callFrame")) {
		f->has_frame = 1;
		return call_frame(v, j, n);
	}
	if (pyro_json_key_is(key, klen, "children")) {
		f->in_kids = 1;
		f->items = 0;
		return pyro_json_enter(j, '[');
	}
	return pyro_json_skip(j);
}

static int heap_push(struct v8 *v, struct pyro_json *j, struct heap_frame **st,
		     size_t *n, size_t *cap, uint32_t parent)
{
	uint32_t ix;
	int rc = new_node(v, &ix);

	if (!rc && pyro_grow_array(st, cap, *n + 1, sizeof(**st)))
		rc = -ENOMEM;
	if (!rc)
		rc = pyro_json_enter(j, '{');
	if (rc)
		return rc;
	v->nodes[ix].parent = parent;
	(*st)[*n] = (struct heap_frame){ ix, 0, 0, 0, 0 };
	(*n)++;
	return 0;
}

/* The tree under "head", depth first, parents linked as it is read. */
static int heap_tree(struct v8 *v, struct pyro_json *j)
{
	struct heap_frame *st = NULL;
	size_t n = 0, cap = 0, klen;
	const char *key;
	int rc;

	rc = heap_push(v, j, &st, &n, &cap, 0);
	while (!rc && n) {
		struct heap_frame *f = &st[n - 1];

		if (f->in_kids) {
			rc = pyro_json_item(j, &f->items);
			if (rc > 0)
				rc = heap_push(v, j, &st, &n, &cap, f->node + 1);
			else if (!rc)
				f->in_kids = 0;
			continue;
		}
		rc = pyro_json_member(j, &f->members, &key, &klen);
		if (rc > 0) {
			rc = heap_member(v, j, f, key, klen);
		} else if (!rc && !f->has_frame) {
			snprintf(v->err, PYRO_ERR_MAX, "node %lld has no "
				 "callFrame", (long long)v->nodes[f->node].id);
			rc = -EINVAL;
		} else if (!rc) {
			n--;
		}
	}
	free(st);
	return rc;
}

static int heap_samples(struct v8 *v, struct pyro_json *j)
{
	size_t m = 0, k, klen;
	const char *key;
	int64_t node, num;
	int rc, has;
	long ix;

	rc = pyro_json_enter(j, '[');
	while (!rc && (rc = pyro_json_item(j, &m)) > 0) {
		k = 0;
		has = 0;
		rc = pyro_json_enter(j, '{');
		while (!rc && (rc = pyro_json_member(j, &k, &key, &klen)) > 0) {
			if (pyro_json_key_is(key, klen, "nodeId")) {
				rc = pyro_json_int(j, &node);
				has = 1;
			} else if (pyro_json_key_is(key, klen, "size")) {
				rc = pyro_json_int(j, &num);
			} else {
				rc = pyro_json_skip(j);
			}
		}
		if (rc < 0)
			break;
		/* V8 writes samples of nodes it left out of the tree
		 * (seen with node 20): they have no stack to count on. */
		ix = has ? find_id(v, node) : -1;
		if (ix >= 0)
			v->nodes[ix].count++;
		rc = 0;
	}
	return rc < 0 ? v8_fail(v, j, rc) : 0;
}

static int heap_emit(struct v8 *v)
{
	uint64_t *locs = malloc((v->nnodes + 1) * sizeof(*locs));
	int rc = locs ? 0 : -ENOMEM;
	size_t i, n;

	for (i = 0; !rc && i < v->nnodes; i++) {
		const struct v8_node *x = &v->nodes[i];
		int64_t values[2] = { x->count, x->weight };

		if (!x->count && !x->weight)
			continue;
		n = 0;
		rc = walk_up(v, (uint32_t)i, locs, &n);
		if (!rc && n)
			rc = pyro_pbuild_sample(v->b, locs, n, values, 2,
						NULL, 0);
	}
	free(locs);
	return rc;
}

static int heap_profile(struct v8 *v, const char *data, size_t len)
{
	struct pyro_json j, jsamp;
	int have_head = 0, have_s = 0, rc;
	size_t m = 0, klen;
	const char *key;

	pyro_json_init(&j, data, len);
	rc = pyro_json_enter(&j, '{');
	while (!rc && (rc = pyro_json_member(&j, &m, &key, &klen)) > 0) {
		if (pyro_json_key_is(key, klen, "head") && !have_head) {
			have_head = 1;
			rc = heap_tree(v, &j);
		} else if (pyro_json_key_is(key, klen, "samples")) {
			jsamp = j;
			have_s = 1;
			rc = pyro_json_skip(&j);
		} else {
			rc = pyro_json_skip(&j);
		}
	}
	if (rc < 0)
		return v8_fail(v, &j, rc);
	if (!have_head) {
		snprintf(v->err, PYRO_ERR_MAX, "no head node");
		return -EINVAL;
	}
	rc = index_ids(v);
	if (!rc && have_s)
		rc = heap_samples(v, &jsamp);
	if (!rc)
		rc = pyro_pbuild_sample_type(v->b, "inuse_objects", "count");
	if (!rc)
		rc = pyro_pbuild_sample_type(v->b, "inuse_space", "bytes");
	if (!rc)
		rc = pyro_pbuild_default_type(v->b, "inuse_space");
	if (!rc)
		rc = heap_emit(v);
	return rc;
}

/* ---- the rows --------------------------------------------------------------- */

/* 1 if head starts with an object whose first key is `key` (node writes
 * "nodes" first in a .cpuprofile and "head" in a .heapprofile). */
static int first_key_is(const char *head, size_t len, const char *key)
{
	struct pyro_json j;
	const char *k;
	size_t m = 0, klen;

	pyro_json_init(&j, head, len);
	if (pyro_json_enter(&j, '{') || pyro_json_member(&j, &m, &k, &klen) != 1)
		return 0;
	return pyro_json_key_is(k, klen, key);
}

int pyro_v8_cpu_sniff(const char *head, size_t len)
{
	return first_key_is(head, len, "nodes");
}

int pyro_v8_heap_sniff(const char *head, size_t len)
{
	return first_key_is(head, len, "head");
}

static int convert(const char *data, size_t len, size_t max_size,
		   struct pyro_buf *out, char err[PYRO_ERR_MAX],
		   int (*read)(struct v8 *, const char *, size_t))
{
	struct v8 v = { 0 };
	int rc;

	v.err = err;
	v.max_size = max_size;
	err[0] = '\0';
	rc = pyro_pbuild_new(max_size, &v.b);
	if (!rc)
		rc = read(&v, data, len);
	if (!rc)
		rc = pyro_pbuild_finish(v.b, out);
	pyro_pbuild_free(v.b);
	free(v.nodes);
	free(v.kids);
	free(v.ids);
	free(v.dense);
	pyro_buf_release(&v.s1);
	pyro_buf_release(&v.s2);
	pyro_buf_release(&v.s3);
	return rc;
}

int pyro_v8_cpu_to_pprof(const char *data, size_t len, size_t max_size,
			 struct pyro_buf *out, char err[PYRO_ERR_MAX])
{
	return convert(data, len, max_size, out, err, cpu_profile);
}

int pyro_v8_heap_to_pprof(const char *data, size_t len, size_t max_size,
			  struct pyro_buf *out, char err[PYRO_ERR_MAX])
{
	return convert(data, len, max_size, out, err, heap_profile);
}
