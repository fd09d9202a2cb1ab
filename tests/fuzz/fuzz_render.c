/*
 * fuzz_render.c - libFuzzer target: one or two profiles through every
 * renderer, every merge rule, diffs, labels and histories (issue 20).
 *
 * The input is one profile, or two separated by SPLIT (a seed of two
 * profiles reaches diffs and merges of different content).  Each is
 * decoded and rendered on its own, the second is diffed against the
 * first, and both are written as the snapshots of a one-service archive in
 * a temporary directory, which is then indexed and merged as pyrofs does:
 * by the series' own rule, by sum (-o merge=pprof), as a gauge (mean) and
 * as a cumulative series (increase, with and without a baseline), filtered
 * by the first label, and as a history (timeline, growth).  Every output
 * buffer carries a limit (OUT_LIMIT), as fs/ sets max_file_size, so a
 * renderer that grew without bound fails the -rss_limit_mb of the run
 * rather than passing; -EFBIG itself is a fine answer.
 *
 * Files are the only side effect: the directory is created once and
 * removed at exit; the index cache is off (PYROFS_INDEX_CACHE=0).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/archive.h"
#include "model/diff.h"
#include "model/filter.h"
#include "model/history.h"
#include "model/labels.h"
#include "model/merge.h"
#include "model/profile.h"
#include "render/render.h"
#include "tests/support/mkprof.h"

#define SPLIT "\n--pyrofs-fuzz-split--\n"
#define OUT_LIMIT (8u << 20)
#define FUZZ_MAX_INPUT (1u << 20)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char tmp[MKPROF_PATH_MAX];       /* the fuzzer's scratch directory */
static char root[MKPROF_PATH_MAX];      /* tmp/archive */

static void cleanup(void)
{
	if (tmp[0])
		mkprof_rmtree(tmp);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("PYROFS_INDEX_CACHE", "0", 1);
	if (mkprof_tmpdir(tmp)) {
		perror("fuzz_render: temp dir");
		exit(1);
	}
	atexit(cleanup);
	mkprof_join(root, tmp, "archive");
	return 0;
}

/* ---- renderers ------------------------------------------------------------ */

static void render_stacks(const struct pyro_stacks *s)
{
	int (*const fns[])(const struct pyro_stacks *, struct pyro_buf *) = {
		pyro_top_render, pyro_top_cum_render, pyro_traces_render,
		pyro_graph_dot_render, pyro_graph_svg_render,
		pyro_folded_render, pyro_flame_render,
		pyro_icicle_render, pyro_tree_render, pyro_export_pprof,
	};
	size_t i;

	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		struct pyro_buf b = PYRO_BUF_INIT;

		b.limit = OUT_LIMIT;
		fns[i](s, &b);
		if (b.len > OUT_LIMIT)
			abort();
		pyro_buf_release(&b);
	}
}

/* The name filters, and callees, callers and peek.txt of s's first
 * function, each rendered: what focus=/.../functions/ serve. */
static void render_filtered(const struct pyro_stacks *s)
{
	static const char *const res[PYRO_FILTER_NKINDS] = {
		"a|main", "^$|gc", "(?i)x", ".", "e$",
	};
	struct pyro_regex *re[PYRO_FILTER_NKINDS] = { 0 };
	struct pyro_name_filter f = { { 0 }, { 0 } };
	struct pyro_buf b = PYRO_BUF_INIT;
	char err[PYRO_ERR_MAX];
	struct pyro_stacks out;
	uint32_t *ids = NULL;
	size_t n = 0;
	unsigned k;

	for (k = 0; k < PYRO_FILTER_NKINDS; k++) {
		if (pyro_regex_compile(res[k], strlen(res[k]), &re[k], err))
			abort();
		f.re[k] = re[k];
		f.text[k] = res[k];
	}
	if (!pyro_stacks_filter(s, &f, &out))
		render_stacks(&out);
	pyro_stacks_release(&out);
	if (!pyro_stacks_functions(s, &ids, &n) && n) {
		struct pyro_str name = pyro_strtab_get(&s->strs, ids[n / 2]);

		if (!pyro_stacks_function(s, name.ptr, name.len,
					  PYRO_FUNC_CALLEES, &out))
			render_stacks(&out);
		pyro_stacks_release(&out);
		if (!pyro_stacks_function(s, name.ptr, name.len,
					  PYRO_FUNC_CALLERS, &out))
			render_stacks(&out);
		pyro_stacks_release(&out);
		b.limit = OUT_LIMIT;
		pyro_peek_render(s, name.ptr, name.len, &b);
		if (b.len > OUT_LIMIT)
			abort();
		pyro_buf_release(&b);
	}
	free(ids);
	for (k = 0; k < PYRO_FILTER_NKINDS; k++)
		pyro_regex_free(re[k]);
}

static void render_history(const struct pyro_history *h)
{
	int (*const fns[])(const struct pyro_history *, struct pyro_buf *) = {
		pyro_timeline_render, pyro_timeline_svg_render,
		pyro_growth_render,
	};
	size_t i;

	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		struct pyro_buf b = PYRO_BUF_INIT;

		b.limit = OUT_LIMIT;
		fns[i](h, &b);
		pyro_buf_release(&b);
	}
}

static void render_labels(const struct pyro_label_set *ls)
{
	struct pyro_buf b = PYRO_BUF_INIT;

	b.limit = OUT_LIMIT;
	pyro_labels_render(ls, &b);
	pyro_buf_release(&b);
}

/* ---- one profile in memory ---------------------------------------------- */

/* Decode, render each of the first two sample types; keep type 0's
 * stacks in *first (released by the caller) when it decodes. */
static int one_profile(const uint8_t *data, size_t size,
		       struct pyro_stacks *first)
{
	struct pyro_profile *p = NULL;
	char err[PYRO_ERR_MAX];
	int have = 0;
	size_t i;

	if (pyro_profile_decode(data, size, &p, err) != 0)
		return 0;
	for (i = 0; i < pyro_profile_ntypes(p) && i < 2; i++) {
		struct pyro_stacks s;
		struct pyro_label_set ls;

		if (pyro_profile_stacks(p, i, &s, err) == 0) {
			render_stacks(&s);
			render_filtered(&s);
			if (i == 0) {
				*first = s;
				have = 1;
				memset(&s, 0, sizeof(s));
			}
		}
		pyro_stacks_release(&s);
		if (pyro_profile_labels(p, i, &ls) == 0)
			render_labels(&ls);
		pyro_label_set_release(&ls);
	}
	pyro_profile_free(p);
	return have;
}

/* ---- an archive of the inputs --------------------------------------------- */

/* Every merge rule over members snaps[0..n) of se. */
static void merges(struct pyro_archive *a, const struct pyro_service *svc,
		   const struct pyro_series *se)
{
	static const enum pyro_series_kind kinds[] = {
		PYRO_KIND_RATE, PYRO_KIND_CUMULATIVE, PYRO_KIND_GAUGE,
	};
	const struct pyro_snapshot *snaps[4];
	struct pyro_series as = *se;
	char err[PYRO_ERR_MAX];
	size_t n = se->nsnaps < 4 ? se->nsnaps : 4, i, k;
	struct pyro_label_set ls;
	struct pyro_stacks s;

	for (i = 0; i < n; i++)
		snaps[i] = &se->snaps[i];
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		as.kind = kinds[k];
		if (pyro_merge_build(a, svc, &as, snaps, n, NULL,
				     k ? PYRO_POLICY_AUTO : PYRO_POLICY_PPROF,
				     "all", &s, err) == 0)
			render_stacks(&s);
		pyro_stacks_release(&s);
		/* A window of the later members, the first as baseline. */
		if (n > 1) {
			if (pyro_merge_build(a, svc, &as, snaps + 1, n - 1,
					     snaps[0], PYRO_POLICY_AUTO, "w",
					     &s, err) == 0)
				render_stacks(&s);
			pyro_stacks_release(&s);
		}
	}
	/* Labels of the node, and a filtered merge by its first label under
	 * each rule. */
	if (pyro_merge_labels(a, snaps, n, NULL, PYRO_MERGE_SUM, &ls, err) == 0) {
		render_labels(&ls);
		if (ls.nkeys && ls.keys[0].nvalues) {
			const struct pyro_label_key *key = &ls.keys[0];
			struct pyro_merge_filter f = {
				.key = key->text, .key_len = key->len,
				.value = key->values[0].text,
				.value_len = key->values[0].len,
				.unit = key->values[0].kinds & PYRO_LABEL_NUMBER ?
					key->unit : NULL,
				.whole_total = ls.total,
			};
			static const enum pyro_merge_rule rules[] = {
				PYRO_MERGE_SUM, PYRO_MERGE_INCREASE,
				PYRO_MERGE_MEAN,
			};

			for (k = 0; k < 3; k++) {
				f.rule = rules[k];
				if (pyro_merge_build_filtered(a, svc, se, snaps, n,
							      NULL, PYRO_POLICY_AUTO,
							      "all", &f, &s, err) == 0)
					render_stacks(&s);
				pyro_stacks_release(&s);
			}
		}
	}
	pyro_label_set_release(&ls);
	if (n > 1 && pyro_merge_labels(a, snaps + 1, n - 1, snaps[0],
				       PYRO_MERGE_INCREASE, &ls, err) == 0)
		render_labels(&ls);
	pyro_label_set_release(&ls);
}

static void archive_of(const uint8_t *const *parts, const size_t *sizes,
		       size_t nparts)
{
	struct pyro_archive *a = NULL;
	char path[MKPROF_PATH_MAX], rel[64], err[PYRO_ERR_MAX];
	size_t i, j;

	mkprof_rmtree(root);
	for (i = 0; i < nparts; i++) {
		/* File names carry a time, for profiles without one. */
		snprintf(rel, sizeof(rel), "svc/p-%zu.pb", 1795668000 + 10 * i);
		mkprof_join(path, root, rel);
		if (mkprof_write_file(path, parts[i], sizes[i]))
			return;
	}
	if (pyro_archive_open(root, 64u << 20, &a, err) != 0)
		return;
	for (i = 0; i < a->nservices; i++) {
		const struct pyro_service *svc = &a->services[i];

		for (j = 0; j < svc->nseries && j < 4; j++) {
			struct pyro_history h;

			merges(a, svc, &svc->series[j]);
			if (pyro_history_build(a, svc, &svc->series[j], &h,
					       err) == 0)
				render_history(&h);
			pyro_history_release(&h);
		}
	}
	pyro_archive_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *parts[2] = { data, NULL };
	size_t sizes[2] = { size, 0 }, nparts = 1;
	struct pyro_stacks s[2], d;
	int have[2] = { 0, 0 };
	const uint8_t *cut;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	cut = memmem(data, size, SPLIT, strlen(SPLIT));
	if (cut) {
		sizes[0] = (size_t)(cut - data);
		parts[1] = cut + strlen(SPLIT);
		sizes[1] = size - sizes[0] - strlen(SPLIT);
		nparts = 2;
	}
	memset(s, 0, sizeof(s));
	for (size_t i = 0; i < nparts; i++)
		have[i] = one_profile(parts[i], sizes[i], &s[i]);
	if (have[0] && have[nparts - 1]) {
		if (pyro_diff_build(&s[0], &s[nparts - 1], "base", &d) == 0)
			render_stacks(&d);
		pyro_stacks_release(&d);
	}
	pyro_stacks_release(&s[0]);
	pyro_stacks_release(&s[1]);
	archive_of(parts, sizes, nparts);
	return 0;
}
