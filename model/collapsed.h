/*
 * collapsed.h - collapsed ("folded") stack files as profiles.
 *
 * async-profiler (collapsed), py-spy --format raw, rbspy, `perf script |
 * stackcollapse-perf.pl`, bpftrace scripts and Pyroscope's format=folded
 * write one stack per line, root first, frames joined by ';', then a space
 * and a count:
 *
 *     main;handle;parse 120
 *
 * Recognised by content (pyro_collapsed_sniff), never by name; gzipped
 * files are inflated first (pyro_profile_read does it) and sniffed as what
 * they hold.  Line rules:
 *   - lines end with "\n" or "\r\n"; the last one may lack it;
 *   - a blank line, or one whose first non-blank byte is '#', is skipped;
 *   - the count is the last blank-separated word (blank: space or tab);
 *     trailing blanks are ignored.  Frames may contain spaces ("void
 *     foo(int, long) 5" is one frame "void foo(int, long)", count 5);
 *   - if the word before the count is an integer too, the line has two
 *     count columns (difffolded.pl writes "stack BEFORE AFTER"): the last
 *     is the value, as flamegraph.pl sizes such a line and as every other
 *     line counts; the first (the diff's base) is ignored and reported
 *     once per file;
 *   - the stack is what precedes the count(s), trailing blanks removed,
 *     split on ';'.  Frames are kept byte for byte (no unescaping); an
 *     empty frame ("a;;b", ";a") is a frame named "" and a line " 5" is an
 *     empty stack, so our own `folded` output reads back unchanged;
 *   - bad lines are counted, reported with their number, and skipped; the
 *     good lines still count: no count after the last blank, a negative
 *     count, a count over INT64_MAX, a line over PYRO_COLLAPSED_LINE_MAX
 *     bytes, stack sums overflowing 64 bits.  Zero counts are good lines
 *     that add nothing.
 *
 * Type.  A collapsed file has one sample type, counted in samples; its
 * kind comes from the file NAME (basename, case-insensitive substring; the
 * earliest keyword in the name wins):
 *
 *     keyword in the name      sample type/unit       type directory
 *     cpu, itimer, (none)      samples/count          cpu (as py-spy's pprof)
 *     wall                     wall/count             wall
 *     alloc                    alloc_objects/count    alloc_objects
 *     lock, mutex              mutex_count/count      mutex_count
 *     block                    block_count/count      block_count
 *
 * pyro_type_name() turns these headers into those directory names as it
 * stands.  The snapshot time is found as for a pprof file without
 * time_nanos: the file name, else the mtime.
 *
 * Errors: 0 or a negative errno, with a one-line reason in err.
 */
#ifndef PYRO_COLLAPSED_H
#define PYRO_COLLAPSED_H

#include <stddef.h>
#include <stdint.h>

#include "profile.h"
#include "stacks.h"

#define PYRO_COLLAPSED_LINE_MAX (1u << 20)      /* longer lines are bad */
#define PYRO_COLLAPSED_SNIFF_MAX (64u << 10)    /* bytes sniffing looks at */
#define PYRO_COLLAPSED_BAD_KEEP 4               /* bad lines kept by number */

struct pyro_collapsed_bad {
	size_t line;            /* 1-based line number */
	const char *reason;     /* static string, e.g. "negative count" */
};

/* What parsing a file found; zero it before use (or let the functions
 * below do it: they reset it). */
struct pyro_collapsed_report {
	size_t nlines;          /* good stack lines */
	size_t nbad;            /* bad lines, all of them */
	struct pyro_collapsed_bad bad[PYRO_COLLAPSED_BAD_KEEP]; /* the first */
	size_t nsecond;         /* lines with a second count column */
	size_t second_line;     /* the first of them */
};

/* 1 if data[0..len) (inflated) holds collapsed stacks, else 0.  Looks at
 * the lines starting in the first PYRO_COLLAPSED_SNIFF_MAX bytes: no
 * control byte but tab, CR and LF (every pprof profile holds some within
 * its first bytes: protobuf tags 0x08, 0x10, 0x12, ... and the NUL of
 * its empty first string), the first stack line good, and more good lines
 * than bad. */
int pyro_collapsed_sniff(const void *data, size_t len);

/* The sample type and unit of a collapsed file at path (table above;
 * static strings). */
void pyro_collapsed_type(const char *path, const char **sample_type,
			 const char **unit);

/* The header of collapsed data found at path (relative to the archive: only
 * its name is used): one sample type, no period type, time 0.  Checks
 * every line into rep (may be NULL).  -EINVAL if no line is good.  Release
 * h with pyro_profile_header_release. */
int pyro_collapsed_header(const void *data, size_t len, const char *path,
			  struct pyro_profile_header *h,
			  struct pyro_collapsed_report *rep,
			  char err[PYRO_ERR_MAX]);

/* Aggregate collapsed data into out (initialised here; release it even on
 * failure): frame name = node name = the frame's text, no inline flags;
 * meta sample type and unit as given, nsnapshots 1, rule single, no time.
 * rep (may be NULL) receives the bad lines.  -EINVAL if no line is good. */
int pyro_collapsed_stacks(const void *data, size_t len,
			  const char *sample_type, const char *unit,
			  struct pyro_stacks *out,
			  struct pyro_collapsed_report *rep,
			  char err[PYRO_ERR_MAX]);

/* One line for /.pyrofs/errors, without the path: "3 bad lines skipped
 * (line 7: negative count; line 9: ...); second count column ignored (from
 * line 2)".  Returns 1 if there is something to report, 0 (and "") if not. */
int pyro_collapsed_report_text(const struct pyro_collapsed_report *rep,
			       char out[PYRO_ERR_MAX]);

/* Read the file at path (gzipped or not, at most max_size bytes inflated)
 * and, if it holds collapsed stacks, aggregate them as the type its name
 * rel says (pyro_collapsed_type).  -ENOMSG when the file is not collapsed
 * stacks (a pprof profile; one that cannot be opened): the caller then
 * reads it as pprof, which words the error.  A binary file costs one read
 * of its first 16 KB (and inflating 4 KB of them): its first bytes are not
 * text.  out is zeroed on -ENOMSG, else as pyro_collapsed_stacks leaves
 * it; a file's bad lines are in rep (may be NULL). */
int pyro_collapsed_load(const char *path, const char *rel, size_t max_size,
			struct pyro_stacks *out,
			struct pyro_collapsed_report *rep,
			char err[PYRO_ERR_MAX]);

/* pyro_collapsed_load of an open file (fd borrowed, not closed; read from
 * offset 0 whatever its offset).  On -ENOMSG the offset is unspecified:
 * seek to 0 before reading it as pprof. */
int pyro_collapsed_load_fd(int fd, const char *rel, size_t max_size,
			   struct pyro_stacks *out,
			   struct pyro_collapsed_report *rep,
			   char err[PYRO_ERR_MAX]);

#endif
