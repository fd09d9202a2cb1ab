/*
 * json.h - a pull reader of JSON held in memory, for the readers of other
 * profilers' formats (V8 .cpuprofile and .heapprofile, speedscope).
 *
 * Why not a DOM library: on a 100 MB .cpuprofile (6 M samples, 200 k nodes)
 * jansson's json_loadb peaks at 0.9 GB, cJSON at 1.3 GB, json-c at 1.5 GB,
 * 9 to 14 times the file, and max_profile_size would have to be divided by
 * that.  The formats are flat: a few big arrays of numbers and a table of
 * small objects.  Reading them in place needs no copy at all, and two
 * cursors can walk two parallel arrays (samples and timeDeltas) in step.
 *
 * A cursor reads values one at a time; containers are entered and their
 * members or items visited with a counter the caller keeps (0 before the
 * first).  Nothing is allocated except where a string is decoded into a
 * caller's buffer; nesting costs no stack (skipping counts brackets).
 *
 * Errors: 0 or a negative errno (-EINVAL for malformed or unexpected
 * JSON); on -EINVAL j->why says what and j->p - j->start where.
 */
#ifndef PYRO_JSON_H
#define PYRO_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum pyro_json_type {
	PYRO_JSON_END,          /* no more input */
	PYRO_JSON_OBJECT, PYRO_JSON_ARRAY, PYRO_JSON_STRING,
	PYRO_JSON_NUMBER, PYRO_JSON_BOOL, PYRO_JSON_NULL,
	PYRO_JSON_BAD,          /* a byte that starts no value */
};

struct pyro_json {
	const char *start;      /* borrowed input */
	const char *p;          /* next byte to read */
	const char *end;
	const char *why;        /* static text of the first error, or NULL */
};

/* A cursor over data[0..len) (borrowed; must outlive the cursor). */
void pyro_json_init(struct pyro_json *j, const char *data, size_t len);

/* The type of the next value (after white space), not consumed. */
enum pyro_json_type pyro_json_peek(struct pyro_json *j);

/* Enter the object (open '{') or array (open '[') that comes next;
 * -EINVAL if something else does. */
int pyro_json_enter(struct pyro_json *j, char open);

/* Step to the next member of the object being read: 1 with its key
 * (raw bytes between the quotes, escapes not decoded; borrowed from the
 * input) and the cursor on its value; 0 once '}' is consumed.  *n counts
 * members read so far: set it to 0 after pyro_json_enter. */
int pyro_json_member(struct pyro_json *j, size_t *n, const char **key,
		     size_t *key_len);

/* Step to the next item of the array being read: 1 with the cursor on it,
 * 0 once ']' is consumed; *n as for members. */
int pyro_json_item(struct pyro_json *j, size_t *n);

/* 1 if key[0..len) is the NUL-terminated s. */
int pyro_json_key_is(const char *key, size_t len, const char *s);

/* Skip the next value, however deep. */
int pyro_json_skip(struct pyro_json *j);

/* The next value as a number (-EINVAL if it is not one). */
int pyro_json_double(struct pyro_json *j, double *v);

/* The next value as an integer: a number with no fraction that fits an
 * int64 (V8 writes ids, times and sizes so). */
int pyro_json_int(struct pyro_json *j, int64_t *v);

/* The next value as a string, escapes decoded (\u as UTF-8, a lone
 * surrogate as U+FFFD), appended to out after clearing it.  out's limit,
 * if any, bounds it. */
int pyro_json_string(struct pyro_json *j, struct pyro_buf *out);

/* Byte offset of the cursor, for error messages. */
size_t pyro_json_offset(const struct pyro_json *j);

#endif
