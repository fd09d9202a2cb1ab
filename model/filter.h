/*
 * filter.h - pprof's name filters on a node's stacks (-focus, -ignore,
 * -hide, -show, -show_from), one function's callees and callers, and the
 * list of a node's functions.  Stacks in, stacks out: no regex syntax
 * leaks past pyro_regex_compile, nothing here renders or reads files.
 *
 * What a filter matches, as pprof's profile/filter.go: a frame that has a
 * function matches when the expression matches its function name, its
 * source file name (the empty string when it has none) or its mapping's
 * file (the binary's path); a frame without a function (an address,
 * "0x4f1984") matches through its mapping's file alone.  A frame keeps the
 * mapping of the first location that gave it (stacks.h), so a function
 * found in two mappings matches by the first; a source that keeps no
 * mapping leaves an address frame its base name "[api]" to match.  An
 * expression matches anywhere in the text (Go's MatchString), unless
 * anchored.
 *
 * The five filters of one group act together as pprof applies them: a
 * stack is kept when a frame matches focus (any frame, without focus) and
 * none matches ignore, both judged on the stack as read; then hide drops
 * the frames that match and show keeps only those that match (a stack
 * left with no frame is dropped); then show_from drops the frames above
 * the outermost frame that matches (a stack without one is dropped).  An
 * inlined frame that loses the frames of its location above it becomes
 * its location's outermost frame (no longer "(inline)").  Stacks made
 * equal by dropping frames are summed.  Percentages stay those of the
 * whole node (pprof computes its total before filtering): meta.whole_total
 * is the input's percentage total and meta.name_filters lists the filters
 * as pprof's "Active filters:" legend does.
 *
 * Regular expressions are Go's RE2 syntax as far as PCRE2 reads it the
 * same way (README: "Filters" lists the differences); compiled with a
 * match limit, so a hostile expression fails a match (-ERANGE) instead of
 * running for ever.
 *
 * Ownership: out stacks are initialised by the functions that fill them
 * and released by the caller even on failure.  A pyro_regex is owned by
 * whoever compiled it (pyro_regex_free).
 * Errors: 0 or a negative errno.
 */
#ifndef PYRO_FILTER_H
#define PYRO_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "profile.h"
#include "stacks.h"

/* In the order of pprof's "Active filters:" legend. */
enum pyro_filter_kind {
	PYRO_FILTER_FOCUS,
	PYRO_FILTER_IGNORE,
	PYRO_FILTER_HIDE,
	PYRO_FILTER_SHOW,
	PYRO_FILTER_SHOW_FROM,
	PYRO_FILTER_NKINDS
};

/* "focus", "ignore", "hide", "show", "show_from". A static string. */
const char *pyro_filter_kind_name(enum pyro_filter_kind k);

/* The kind named s[0..len), or -ENOENT. */
int pyro_filter_kind_parse(const char *s, size_t len,
			   enum pyro_filter_kind *out);

struct pyro_regex;

/* Compile pattern[0..len) (it may hold NUL bytes).  -EINVAL with a
 * one-line reason in err for an expression that does not compile,
 * -ENOMEM.  *out is the caller's (pyro_regex_free). */
int pyro_regex_compile(const char *pattern, size_t len,
		       struct pyro_regex **out, char err[PYRO_ERR_MAX]);

/* NULL is accepted. */
void pyro_regex_free(struct pyro_regex *re);

/* 1 if re matches somewhere in s[0..len), 0 if not, -ERANGE when the
 * match limit was reached, -ENOMEM. */
int pyro_regex_match(const struct pyro_regex *re, const char *s, size_t len);

/* One group of filters: re[k] NULL when kind k is not set.  Borrowed. */
struct pyro_name_filter {
	const struct pyro_regex *re[PYRO_FILTER_NKINDS];
	const char *text[PYRO_FILTER_NKINDS];   /* the expressions as
						 * written, for the legend;
						 * NUL-terminated */
};

/* in filtered by f into out (see above).  -ERANGE when an expression hit
 * its match limit. */
int pyro_stacks_filter(const struct pyro_stacks *in,
		       const struct pyro_name_filter *f,
		       struct pyro_stacks *out);

/* Which side of a function functions/<name>/ shows. */
enum pyro_func_side {
	PYRO_FUNC_CALLEES,      /* from the function down: pprof
				 * -show_from='^name$' with name quoted */
	PYRO_FUNC_CALLERS,      /* from the roots down to the function, cut
				 * below it */
};

/*
 * The stacks through the function whose report name (pprof's node name,
 * what top.txt prints) is name[0..len), cut at its outermost frame in
 * each stack: callees keep that frame and what it calls, callers the
 * roots down to that frame.  So a recursive function counts once per
 * stack, and callers and callees of one function have equal totals.
 * Stacks without the function are dropped; callers set meta.from_leaf,
 * callees clear it.  meta.name_filters says
 * "show_from=^<name>$" (callees, the expression pprof needs, Go's
 * QuoteMeta) or "callers=<name>".
 */
int pyro_stacks_function(const struct pyro_stacks *in, const char *name,
			 size_t len, enum pyro_func_side side,
			 struct pyro_stacks *out);

/* in with every stack reversed, leaf first (what a callers node's
 * flame.svg draws); inline marks are dropped, frames and values kept. */
int pyro_stacks_reverse(const struct pyro_stacks *in, struct pyro_stacks *out);

/*
 * The report names of the functions of s's non-empty stacks with a
 * non-zero value, sorted bytewise, each once: *ids (string ids of
 * s->strs, the caller's to free) and *n.
 */
int pyro_stacks_functions(const struct pyro_stacks *s, uint32_t **ids,
			  size_t *n);

/* Append Go's regexp.QuoteMeta of s[0..len) to out. */
int pyro_regex_quote(const char *s, size_t len, struct pyro_buf *out);

#endif
