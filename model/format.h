/*
 * format.h - other profilers' files, read as pprof.
 *
 * Profiles are recognised by content.  pprof (gzipped or not) is the
 * native format; collapsed stacks have their own reader (collapsed.h)
 * because their type comes from the file name.  Every other format is a row
 * of pyro_formats[]: a sniff that looks at the first bytes and a converter
 * that writes profile.proto bytes through the builder (pprof_build.h).  The
 * pprof read path (pyro_profile_read_fd, pyro_profile_load_fd) converts
 * right after inflating, so indexing, decoding, labels, merges, renderers
 * and profile.pb.gz see a pprof profile and need nothing per format.
 *
 * Adding a format: a file model/fmt_<name>.c with the two functions, one
 * row in format.c, a fuzz target, and the README's format table.
 *
 * Errors: 0 or a negative errno; err (PYRO_ERR_MAX bytes) gets a one-line
 * reason starting with the format's name ("v8 cpuprofile: node 7 has no
 * callFrame"), fit for /.pyrofs/errors.
 */
#ifndef PYRO_FORMAT_H
#define PYRO_FORMAT_H

#include <stddef.h>

#include "buf.h"
#include "profile.h"

/* Bytes of a file's (inflated) start that sniffs may look at. */
#define PYRO_FORMAT_SNIFF_MAX 4096u

struct pyro_format {
	const char *name;       /* for errors and docs: "v8 cpuprofile" */
	/* 1 if head[0..len) (len <= PYRO_FORMAT_SNIFF_MAX, the start of the
	 * file, maybe cut mid-token) begins a file of this format.  Must
	 * never accept valid profile.proto bytes. */
	int (*sniff)(const char *head, size_t len);
	/* The whole file data[0..len) as profile.proto bytes appended to out
	 * (raw, not gzipped), at most max_size of them; on failure out is
	 * as it was and err says why. */
	int (*to_pprof)(const char *data, size_t len, size_t max_size,
			struct pyro_buf *out, char err[PYRO_ERR_MAX]);
};

/* The formats, ending with a row whose name is NULL. */
extern const struct pyro_format pyro_formats[];

/* The format whose sniff accepts head (at most PYRO_FORMAT_SNIFF_MAX bytes
 * are looked at), or NULL for pprof and anything unknown. */
const struct pyro_format *pyro_format_find(const char *head, size_t len);

/* If data holds a foreign format, replace its bytes with the converted
 * profile.proto (at most max_size bytes); else leave it.  On failure data
 * is as it was. */
int pyro_format_convert(struct pyro_buf *data, size_t max_size,
			char err[PYRO_ERR_MAX]);

/* The readers, one pair per row (model/fmt_<name>.c). */
int pyro_v8_cpu_sniff(const char *head, size_t len);
int pyro_v8_cpu_to_pprof(const char *data, size_t len, size_t max_size,
			 struct pyro_buf *out, char err[PYRO_ERR_MAX]);
int pyro_v8_heap_sniff(const char *head, size_t len);
int pyro_v8_heap_to_pprof(const char *data, size_t len, size_t max_size,
			  struct pyro_buf *out, char err[PYRO_ERR_MAX]);
int pyro_speedscope_sniff(const char *head, size_t len);
int pyro_speedscope_to_pprof(const char *data, size_t len, size_t max_size,
			     struct pyro_buf *out, char err[PYRO_ERR_MAX]);
int pyro_perf_sniff(const char *head, size_t len);
int pyro_perf_to_pprof(const char *data, size_t len, size_t max_size,
		       struct pyro_buf *out, char err[PYRO_ERR_MAX]);
int pyro_jfr_sniff(const char *head, size_t len);
int pyro_jfr_to_pprof(const char *data, size_t len, size_t max_size,
		      struct pyro_buf *out, char err[PYRO_ERR_MAX]);

#endif
