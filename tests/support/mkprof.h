/*
 * mkprof.h - write pprof profiles for tests, with the generated protobuf-c
 * code; plus the temp-directory helpers every archive test needs.
 *
 * A struct mkprof is a Pprof__Profile under construction.  Strings are
 * interned into its string table (entry 0 is ""), functions are created by
 * name and locations by frame, both deduplicated, so a test states only
 * what it means:
 *
 *     struct mkprof *p = mkprof_new();
 *
 *     mkprof_sample_type(p, "samples", "count");
 *     mkprof_sample_type(p, "cpu", "nanoseconds");
 *     mkprof_mapping(p, "/usr/bin/api");
 *     mkprof_sample(p, (int64_t[]){ 3, 30 }, "main;handle;work");
 *     mkprof_write(p, "/tmp/x/cpu.pb.gz", 1);
 *     mkprof_free(p);
 *
 * Stacks are written root first, frames separated by ';', like folded
 * output.  A frame is one of
 *
 *     name          a location with one line calling function `name`;
 *     outer+inl     a location with two lines: `inl` (line[0], innermost)
 *                   inlined into `outer` (line[1]); more '+' nest deeper:
 *                   "a+b+c" is c inlined into b inlined into a;
 *     @0x4f1984     a location without lines at that address (strtoull
 *                   base 0), as an unsymbolized profile has.
 *
 * Every distinct frame text is one location (ids 1, 2, ... in order of first
 * use); locations get mapping 1 if a mapping exists when they are created,
 * so call mkprof_mapping() before mkprof_sample().  An empty stack ("") is a
 * sample without locations.  A sample carries one value per sample type, or
 * one value when there are no sample types but a period type (pprof's
 * fallback): declare the types first.
 *
 * The builder calls cannot fail: running out of memory or a malformed
 * frame aborts the process with a message (a test helper has nothing better
 * to do).  mkprof_pack, mkprof_write and the file helpers do I/O and return
 * 0 or a negative errno.
 *
 * Malformed profiles: mkprof_message() exposes the message itself, so a
 * test can break one thing before packing ("sample 0 references location
 * 99": msg->sample[0]->location_id[0] = 99).  Change scalar fields and
 * shrink counts only; the builder frees what it allocated, whatever the
 * message says.
 */
#ifndef PYRO_TEST_MKPROF_H
#define PYRO_TEST_MKPROF_H

#include <stddef.h>
#include <stdint.h>

#include "../../model/buf.h"
#include "../../model/stacks.h"
#include "profile.pb-c.h"

struct mkprof;

#define MKPROF_PATH_MAX 4096            /* bytes of every path buffer here */

/* A new empty profile (string table [""]); free it with mkprof_free. */
struct mkprof *mkprof_new(void);
/* NULL is fine. */
void mkprof_free(struct mkprof *p);

/* Append a sample type (Profile.sample_type). */
void mkprof_sample_type(struct mkprof *p, const char *type, const char *unit);
/* Set period_type and period.  "" strings make an empty period type. */
void mkprof_period_type(struct mkprof *p, const char *type, const char *unit,
			int64_t period);
void mkprof_time(struct mkprof *p, int64_t nanos);
void mkprof_duration(struct mkprof *p, int64_t nanos);
void mkprof_drop_frames(struct mkprof *p, const char *regex);
void mkprof_keep_frames(struct mkprof *p, const char *regex);
void mkprof_default_type(struct mkprof *p, const char *type);
/* Append a comment. */
void mkprof_comment(struct mkprof *p, const char *text);
/* Append a mapping for file; the first one (id 1) is the main binary.
 * Returns its id. */
uint64_t mkprof_mapping(struct mkprof *p, const char *file);

/* Add a sample with values[] (see above for how many) and the stack (root
 * first, frame syntax above). */
void mkprof_sample(struct mkprof *p, const int64_t *values, const char *stack);

/* Labels of the last sample added (aborts if there is none): a string label
 * key=value, or a numeric label key=num with unit (NULL for none: pprof
 * then infers it from the key).  A label may repeat a key, as pprof
 * allows. */
void mkprof_label(struct mkprof *p, const char *key, const char *value);
void mkprof_num_label(struct mkprof *p, const char *key, int64_t num,
		      const char *unit);

/* ---- Go runtime/pprof headers ----------------------------------------- */

/* New profiles with the sample types and period of Go's runtime/pprof and
 * time_nanos = nanos, no sample yet (add duration, mapping, samples):
 *   go_cpu    samples/count, cpu/nanoseconds; period cpu/nanoseconds 10 ms
 *   go_heap   alloc_objects/count, alloc_space/bytes, inuse_objects/count,
 *             inuse_space/bytes; period space/bytes 524288
 *   go_mutex  contentions/count, delay/nanoseconds; period contentions/count 1
 * Free them with mkprof_free. */
struct mkprof *mkprof_go_cpu(int64_t nanos);
struct mkprof *mkprof_go_heap(int64_t nanos);
struct mkprof *mkprof_go_mutex(int64_t nanos);

/* The message being built, for tests that corrupt it; owned by p.  Its
 * element arrays may move on the next builder call: corrupt last. */
Pprof__Profile *mkprof_message(struct mkprof *p);

/* Append the protobuf encoding to out. */
int mkprof_pack(struct mkprof *p, struct pyro_buf *out);

/* Write the profile to path, gzipped unless gzip is 0, creating missing
 * parent directories. */
int mkprof_write(struct mkprof *p, const char *path, int gzip);

/* ---- byte helpers --------------------------------------------------- */

/* Append the gzip compression of data[0..len) to out (zlib, mtime 0). */
int mkprof_gzip(const void *data, size_t len, struct pyro_buf *out);

/* Write len bytes to path (created or truncated, mode 0644), creating
 * missing parent directories. */
int mkprof_write_file(const char *path, const void *data, size_t len);

/* out = dir "/" rel; a path too long aborts. */
void mkprof_join(char out[MKPROF_PATH_MAX], const char *dir, const char *rel);

/* mkdir -p: create directory path and its missing parents. */
int mkprof_mkdirs(const char *path);

/* ---- temp directories ----------------------------------------------- */

/* Create a fresh directory /tmp/pyrofs-test-XXXXXX; its path into dir. */
int mkprof_tmpdir(char dir[MKPROF_PATH_MAX]);

/* Remove path and everything below it (symlinks are not followed). */
int mkprof_rmtree(const char *path);

/* ---- reading results back ------------------------------------------- */

/* Append the stacks of s to out, one "frames value\n" line per stack,
 * lines sorted bytewise, in the format of stacks_builder.h: frames joined
 * by ';', "^" before an inlined frame, "name=node" when the top.txt node
 * name differs from the name, " 7" for an empty stack.  Names are written
 * as stored.  Zero-valued stacks are listed too. */
int mkprof_stacks_text(const struct pyro_stacks *s, struct pyro_buf *out);

#endif
