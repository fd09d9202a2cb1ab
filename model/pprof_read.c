/*
 * pprof_read.c - read a profile file and inflate it; see profile.h
 * (pyro_profile_read) and pprof_priv.h.  Sizes are bounded before they are
 * allocated: a file or its inflated bytes over max_profile_size are refused.
 */
#include "gunzip.h"
#include "pprof_priv.h"
#include "format.h"
#include "safeopen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
/* Unused here since gunzip.c inflates; kept so that a merge with main's
 * pyro_pprof_foreign (zlib, 4 kB sniff) still compiles. */
#include <zlib.h>

/* Reading grows its buffer by READ_STEP whenever less than READ_ROOM is
 * free, and a file read whole gets READ_ROOM beyond its size (it may have
 * grown since fstat). */
#define READ_ROOM 4096
#define READ_STEP (64 * 1024)

void pyro_pprof_err(char err[PYRO_ERR_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, PYRO_ERR_MAX, fmt, ap);
	va_end(ap);
}

static int read_all(int fd, size_t max_size, struct pyro_buf *out,
		    char err[PYRO_ERR_MAX])
{
	for (;;) {
		ssize_t n;
		int rc = out->cap - out->len > READ_ROOM ? 0 :
			 pyro_buf_grow(out, READ_STEP);

		if (rc) {
			pyro_pprof_err(err, "out of memory reading file");
			return rc;
		}
		n = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			pyro_pprof_err(err, "read: %s", strerror(errno));
			return rc;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
		if (out->len > max_size) {
			pyro_pprof_err(err, "file exceeds max_profile_size (%zu bytes)",
				max_size);
			return -EFBIG;
		}
	}
	return 0;
}

static int inflate_gzip(const struct pyro_buf *in, size_t max_size,
			struct pyro_buf *out, char err[PYRO_ERR_MAX])
{
	struct pyro_gunzip gz;
	const char *why;
	int rc;

	if (pyro_gunzip_init(&gz, in->data, in->len)) {
		pyro_pprof_err(err, "out of memory inflating");
		return -ENOMEM;
	}
	do {
		size_t room, made;

		if (out->cap - out->len < 64 + 1) {
			/* Doubling, but never room for more than max_size + 1
			 * bytes (and the NUL): a bomb allocates no more than
			 * the limit either. */
			size_t want = out->len < READ_STEP ? READ_STEP : out->len;

			if (want > max_size + 1 - out->len)
				want = max_size + 1 - out->len;
			if (pyro_buf_reserve(out, out->len + want + 1)) {
				pyro_pprof_err(err, "out of memory inflating");
				rc = -ENOMEM;
				break;
			}
		}
		room = out->cap - out->len - 1;
		/* Never produce more than max_size + 1 bytes: a bomb is refused
		 * as soon as it crosses the limit, not after inflating it. */
		if (room > max_size + 1 - out->len)
			room = max_size + 1 - out->len;
		rc = pyro_gunzip_step(&gz, out->data + out->len, room, &made, &why);
		out->len += made;
		out->data[out->len] = '\0';
		if (out->len > max_size) {
			pyro_pprof_err(err, "decompressed size exceeds max_profile_size (%zu bytes)",
				max_size);
			rc = -EFBIG;
		} else if (rc < 0) {
			pyro_pprof_err(err, "%s", why);
		}
	} while (rc == 0);
	pyro_gunzip_release(&gz);
	return rc < 0 ? rc : 0;
}

/* Read the open file fd whole into raw (at most max_size bytes); fd is
 * borrowed. */
int pyro_pprof_read_fd(int fd, size_t max_size, struct pyro_buf *raw,
		       char err[PYRO_ERR_MAX])
{
	struct stat st;
	int rc;

	/* The size as a hint: one allocation for the usual file. */
	if (fstat(fd, &st) == 0 && st.st_size > 0 &&
	    (size_t)st.st_size <= max_size &&
	    pyro_buf_grow(raw, (size_t)st.st_size + READ_ROOM)) {
		pyro_pprof_err(err, "out of memory reading file");
		return -ENOMEM;
	}
	pyro_mem_large(raw->data, raw->cap);
	/* A gzipped profile may be up to max_size compressed too. */
	rc = read_all(fd, max_size, raw, err);
	if (!rc && raw->len == 0) {
		pyro_pprof_err(err, "empty file");
		rc = -EINVAL;
	}
	return rc;
}

/* Inflate raw into out if it is gzipped, else move it there. */
int pyro_pprof_unpack(struct pyro_buf *raw, size_t max_size, struct pyro_buf *out,
		  int *compressed, char err[PYRO_ERR_MAX])
{
	*compressed = raw->len >= 2 && (unsigned char)raw->data[0] == 0x1f &&
		      (unsigned char)raw->data[1] == 0x8b;
	if (*compressed) {
		/* One allocation when the trailer's ISIZE is plausible; the
		 * 64 spare bytes let the last step see the end. */
		size_t hint = pyro_gunzip_size_hint(raw->data, raw->len, max_size);

		if (hint && out->len == 0 &&
		    pyro_buf_reserve(out, hint + 65 < max_size + 2 ?
				     hint + 65 : max_size + 2)) {
			pyro_pprof_err(err, "out of memory inflating");
			return -ENOMEM;
		}
		pyro_mem_large(out->data, out->cap);
		return inflate_gzip(raw, max_size, out, err);
	}
	pyro_buf_release(out);
	*out = *raw;
	*raw = (struct pyro_buf)PYRO_BUF_INIT;
	return 0;
}

const struct pyro_format *pyro_pprof_foreign(const struct pyro_buf *raw)
{
	char head[PYRO_FORMAT_SNIFF_MAX];
	z_stream zs;
	size_t n;

	if (raw->len < 2 || (unsigned char)raw->data[0] != 0x1f ||
	    (unsigned char)raw->data[1] != 0x8b)
		return pyro_format_find(raw->data, raw->len);
	/* The first bytes of a gzip member: enough for every sniff. */
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return NULL;
	zs.next_in = (Bytef *)raw->data;
	zs.avail_in = (uInt)(raw->len > UINT32_MAX ? UINT32_MAX : raw->len);
	zs.next_out = (Bytef *)head;
	zs.avail_out = sizeof(head);
	(void)inflate(&zs, Z_SYNC_FLUSH);
	n = sizeof(head) - zs.avail_out;
	inflateEnd(&zs);
	return pyro_format_find(head, n);
}

int pyro_profile_read_fd_with(int fd, size_t max_size, struct pyro_buf *raw,
			      struct pyro_buf *out, int *compressed,
			      char err[PYRO_ERR_MAX])
{
	int rc;

	raw->len = 0;
	rc = pyro_pprof_read_fd(fd, max_size, raw, err);
	if (!rc)
		rc = pyro_pprof_unpack(raw, max_size, out, compressed, err);
	if (!rc)
		rc = pyro_format_convert(out, max_size, err);
	return rc;
}

int pyro_profile_read_fd(int fd, size_t max_size, struct pyro_buf *out,
			 int *compressed, char err[PYRO_ERR_MAX])
{
	struct pyro_buf raw = PYRO_BUF_INIT;
	int rc = pyro_profile_read_fd_with(fd, max_size, &raw, out, compressed,
					   err);

	pyro_buf_release(&raw);
	return rc;
}

int pyro_profile_read(const char *path, size_t max_size, struct pyro_buf *out,
		      int *compressed, char err[PYRO_ERR_MAX])
{
	int fd = pyro_open_regular_at(AT_FDCWD, path, NULL, err);
	int rc;

	if (fd < 0)
		return fd;
	rc = pyro_profile_read_fd(fd, max_size, out, compressed, err);
	close(fd);
	return rc;
}
