/*
 * gunzip.h - inflate gzip data (RFC 1952) into the caller's buffers, never
 * beyond the room it gives (inside model/).
 *
 * The one owner of "which inflater": the pprof reader's plain path
 * (pprof_read.c) and its inflate-while-decoding thread (pprof_wire.c) both
 * call it.  It is Intel's ISA-L (igzip), measured against zlib and
 * libdeflate inside pyrofs: on large.cpu (1.2 MB -> 2.4 MB) zlib takes
 * 7.2 ms, libdeflate 3.9 ms, ISA-L 3.5 ms; on the 100k-stack bench profile
 * (4.3 MB -> 8.8 MB) 29, 13 and 14 ms.  libdeflate needs the whole output
 * buffer up front: its size is gzip's ISIZE, a hint (modulo 2^32, and
 * forgeable), so a bomb limit would mean allocating the limit or retrying,
 * and the decoder could not follow the inflater as it does now.  ISA-L
 * streams like zlib into any room given, at libdeflate's speed, with a
 * fixed state (87 kB) whatever the input.
 *
 * The bomb limit stays with the caller, exact: a step writes at most the
 * room it is given, so offering max_size + 1 - produced bytes refuses a
 * bomb at its first byte beyond the limit, before anything more is
 * allocated.
 *
 * Concatenated members (`cat a.gz b.gz`) are one stream, as gzip -d reads
 * them.  Errors keep zlib's words, which /.pyrofs/errors has always shown:
 * "truncated gzip data", "corrupt gzip data (incorrect length check)", ...
 */
#ifndef PYRO_GUNZIP_H
#define PYRO_GUNZIP_H

#include <stddef.h>
#include <stdint.h>

struct inflate_state;

struct pyro_gunzip {
	struct inflate_state *st;       /* owned: ISA-L's state */
	const uint8_t *in;              /* borrowed: the gzip bytes */
	size_t len;                     /* bytes at in */
	size_t pos;                     /* bytes of in handed to ISA-L */
	uint32_t member_out;            /* this member's output, mod 2^32 */
	int done;                       /* every member inflated, input used */
	const char *why;                /* static: the error, once failed */
};

/* Start inflating in[0..len) (borrowed until release); 0 or -ENOMEM. */
int pyro_gunzip_init(struct pyro_gunzip *g, const void *in, size_t len);

/* Inflate into out[0..room), never more; *produced says how many bytes
 * came.  1: done (every member inflated and checked, the input all used);
 * 0: more to come, call again with fresh room (room 0 is allowed and
 * makes no progress); -EIO: corrupt or truncated, *why (static) says
 * which in zlib's words.  After 1 or -EIO, further steps repeat it. */
int pyro_gunzip_step(struct pyro_gunzip *g, void *out, size_t room,
		     size_t *produced, const char **why);

/* Free the state; g may be zeroed or half set up. */
void pyro_gunzip_release(struct pyro_gunzip *g);

/* The inflated size gzip data in[0..len) claims (its last ISIZE), as a
 * hint for one allocation, or 0 when not worth trusting: over max, or
 * more than deflate can make of len bytes (1032 to 1: RFC 1951 turns 258
 * bytes into 2 bits at best), which only a forged trailer claims.  Never
 * a bound: ISIZE is modulo 2^32 and only the last member's. */
size_t pyro_gunzip_size_hint(const void *in, size_t len, size_t max);

#endif
