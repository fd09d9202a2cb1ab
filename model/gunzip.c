/*
 * gunzip.c - gzip through ISA-L's igzip, in bounded steps; see gunzip.h.
 *
 * ISA-L's counters and room are 32-bit: input is handed over and output
 * offered in pieces of at most PIECE bytes, whatever the file.  Between
 * members ISA-L is reset by hand (it inflates one member per stream), after
 * checking the next bytes are a gzip header at all: trailing garbage after
 * a member is corrupt data, as zlib and gzip -t say, not a truncated
 * member.
 */
#include "gunzip.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <isa-l/igzip_lib.h>

#define PIECE (1u << 30)

int pyro_gunzip_init(struct pyro_gunzip *g, const void *in, size_t len)
{
	memset(g, 0, sizeof(*g));
	g->st = malloc(sizeof(*g->st));
	if (!g->st)
		return -ENOMEM;
	isal_inflate_init(g->st);
	g->st->crc_flag = ISAL_GZIP;
	g->st->next_in = (uint8_t *)in;
	g->in = in;
	g->len = len;
	return 0;
}

void pyro_gunzip_release(struct pyro_gunzip *g)
{
	free(g->st);
	g->st = NULL;
}

/* zlib's words for what ISA-L found wrong.  A bad trailer is one error to
 * ISA-L; the member's length, kept here, tells which half failed. */
static const char *reason(const struct pyro_gunzip *g, int ret)
{
	size_t used = (size_t)(g->st->next_in - g->in);
	uint32_t isize;

	switch (ret) {
	case ISAL_INCORRECT_CHECKSUM:
		if (used >= 4) {
			memcpy(&isize, g->in + used - 4, 4);    /* little-endian */
			if (le32toh(isize) != g->member_out)
				return "corrupt gzip data (incorrect length check)";
		}
		return "corrupt gzip data (incorrect data check)";
	case ISAL_INVALID_WRAPPER:
		return "corrupt gzip data (incorrect header check)";
	case ISAL_UNSUPPORTED_METHOD:
		return "corrupt gzip data (unknown compression method)";
	case ISAL_INVALID_LOOKBACK:
		return "corrupt gzip data (invalid distance too far back)";
	case ISAL_INVALID_SYMBOL:
		return "corrupt gzip data (invalid code)";
	case ISAL_INVALID_BLOCK:
		return "corrupt gzip data (invalid deflate block)";
	default:
		return "corrupt gzip data (inflate failed)";
	}
}

/* After a member: 1 if another follows (ISA-L reset for it), 0 at the end
 * of input, -EIO if what follows is not a gzip header. */
static int next_member(struct pyro_gunzip *g)
{
	size_t used = (size_t)(g->st->next_in - g->in), rest = g->len - used;
	const uint8_t *p = g->in + used;

	if (rest == 0)
		return 0;
	/* A lone 0x1f may begin a header: ISA-L then says truncated. */
	if (p[0] != 0x1f || (rest > 1 && p[1] != 0x8b)) {
		g->why = "corrupt gzip data (incorrect header check)";
		return -EIO;
	}
	isal_inflate_reset(g->st);
	g->st->crc_flag = ISAL_GZIP;
	g->st->next_in = (uint8_t *)p;
	g->member_out = 0;
	return 1;
}

int pyro_gunzip_step(struct pyro_gunzip *g, void *out, size_t room,
		     size_t *produced, const char **why)
{
	struct inflate_state *s = g->st;
	size_t made = 0;
	int ret;

	while (!g->why && !g->done && made < room) {
		size_t left = g->len - (size_t)(s->next_in - g->in);
		uint32_t offer = room - made > PIECE ? PIECE : (uint32_t)(room - made);

		s->avail_in = left > PIECE ? PIECE : (uint32_t)left;
		s->next_out = (uint8_t *)out + made;
		s->avail_out = offer;
		ret = isal_inflate(s);
		made += offer - s->avail_out;
		g->member_out += offer - s->avail_out;
		if (ret != ISAL_DECOMP_OK) {
			g->why = reason(g, ret);
		} else if (s->block_state == ISAL_BLOCK_FINISH) {
			if (next_member(g) == 0)
				g->done = 1;
		} else if (s->avail_out > 0 && s->avail_in == 0 &&
			   (size_t)(s->next_in - g->in) == g->len) {
			/* Room left and all input used, yet unfinished. */
			g->why = "truncated gzip data";
		}
	}
	*produced = made;
	if (g->why) {
		*why = g->why;
		return -EIO;
	}
	return g->done;
}

size_t pyro_gunzip_size_hint(const void *in, size_t len, size_t max)
{
	uint32_t isize;

	/* The smallest member: a 10-byte header, 2 of deflate, 8 of trailer. */
	if (len < 20)
		return 0;
	memcpy(&isize, (const uint8_t *)in + len - 4, 4);       /* little-endian */
	isize = le32toh(isize);
	if (isize > max || isize / 1032 > len)
		return 0;
	return isize;
}
