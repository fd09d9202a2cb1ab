/*
 * buf.h - a growable byte buffer.
 *
 * Every renderer writes its output into a pyro_buf; the decoder inflates into
 * one.  Invariant: data[len] == '\0' whenever data != NULL, so a buffer holding
 * text is always a valid C string (the content itself may contain NUL bytes;
 * len is the truth).  A zeroed struct (PYRO_BUF_INIT) is a valid empty buffer.
 *
 * Error convention: functions return 0 or a negative errno (-ENOMEM).  After a
 * failed append the buffer keeps its previous content.
 *
 * Bound.  A buffer may carry a limit: an append that would make len exceed
 * it fails with -EFBIG (and sets `full`) before anything is allocated, so a
 * renderer fed a hostile profile stops at the bound instead of growing
 * without end.  Every renderer writes through these functions and passes
 * errors up, so setting the limit on the output buffer bounds the file.
 */
#ifndef PYRO_BUF_H
#define PYRO_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct pyro_buf {
	char *data;     /* owned; NULL until the first append */
	size_t len;     /* bytes used, excluding the trailing NUL */
	size_t cap;     /* bytes allocated */
	size_t limit;   /* most bytes len may reach; 0: no limit */
	int full;       /* an append failed for the limit (sticky) */
};

#define PYRO_BUF_INIT { NULL, 0, 0, 0, 0 }

/* Release the memory; the buffer is empty and reusable afterwards (the
 * limit stays). */
void pyro_buf_release(struct pyro_buf *b);

/* Make room for at least `extra` more bytes; -EFBIG past b->limit. */
int pyro_buf_grow(struct pyro_buf *b, size_t extra);

/* Make the capacity at least cap bytes (the trailing NUL included), and
 * no more when it grows: for a buffer whose size is known or bounded,
 * where pyro_buf_grow's doubling could allocate twice the bound.  0 or
 * -ENOMEM (the buffer is then as it was). */
int pyro_buf_reserve(struct pyro_buf *b, size_t cap);

int pyro_buf_add(struct pyro_buf *b, const void *data, size_t len);
int pyro_buf_puts(struct pyro_buf *b, const char *s);
int pyro_buf_putc(struct pyro_buf *b, char c);
int pyro_buf_printf(struct pyro_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int pyro_buf_vprintf(struct pyro_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Append s[0..len) with every control byte (< 0x20, 0x7f) written as
 * "\xNN": one line of text that reaches no terminal raw.  The one rule
 * for untrusted names in text output (problems, top/tree/timeline). */
int pyro_buf_put_safe(struct pyro_buf *b, const char *s, size_t len);

/* Cut the content back to its first len bytes (len <= b->len), keeping the
 * trailing NUL: how a writer undoes what it appended (render.h). */
void pyro_buf_truncate(struct pyro_buf *b, size_t len);

/* Hand the memory over to the caller (free() it); the buffer becomes empty
 * (the limit stays).
 * Returns NULL for an empty buffer that never allocated. */
char *pyro_buf_detach(struct pyro_buf *b, size_t *len);

/* The errno after an append to b failed: -EFBIG once the limit was hit,
 * else -ENOMEM. */
int pyro_buf_failure(const struct pyro_buf *b);

/* Grow the array *arrp (a pointer to a T * holding *cap elements of elem
 * bytes, NULL when *cap is 0) so that it holds at least need elements,
 * doubling from 16; the elements kept are unchanged, the new ones
 * uninitialised.  The one growth rule of model/ and render/ arrays.
 * Returns 0 or -ENOMEM (the array and *cap are then as they were). */
int pyro_grow_array(void *arrp, size_t *cap, size_t need, size_t elem);

/* Blocks of at least this many bytes are "large" (pyro_mem_large). */
#define PYRO_MEM_LARGE ((size_t)4 << 20)

/* A hint that the block [p, p + len), just allocated and about to be
 * filled, is large: it asks for transparent huge pages (where THP is
 * "madvise", as on Debian), so that filling it takes one page fault per
 * 2 MiB instead of one per 4 kiB.  A cold decode of a big profile spent a
 * sixth of its time in those faults.  Only whole 2 MiB pages inside the
 * block are affected, nothing below PYRO_MEM_LARGE, and a refusal is
 * ignored: the memory is the same either way.  Called on the big arrays of
 * decoding and aggregating a profile, which are filled whole; not by the
 * generic growers, whose doubled tails would be backed by huge pages they
 * never fill (flame.svg of the big profile peaked 20% higher). */
void pyro_mem_large(void *p, size_t len);

#endif
