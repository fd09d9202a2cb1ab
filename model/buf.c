/*
 * buf.c - growable byte buffer; see buf.h.
 */
#include "buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE ((uintptr_t)2 << 20)

void pyro_mem_large(void *p, size_t len)
{
	uintptr_t start = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uintptr_t end = ((uintptr_t)p + len) & ~(HUGE_PAGE - 1);

	if (!p || len < PYRO_MEM_LARGE || end <= start)
		return;
#ifdef MADV_HUGEPAGE
	(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#endif
}

void pyro_buf_release(struct pyro_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

int pyro_buf_grow(struct pyro_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->limit && (b->len > b->limit || extra > b->limit - b->len)) {
		b->full = 1;
		return -EFBIG;
	}
	if (extra > SIZE_MAX - b->len - 1)
		return -ENOMEM;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	if (!b->data)
		p[0] = '\0';
	b->data = p;
	b->cap = cap;
	return 0;
}

int pyro_buf_reserve(struct pyro_buf *b, size_t cap)
{
	char *p;

	if (cap <= b->cap)
		return 0;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	if (!b->data)
		p[0] = '\0';
	b->data = p;
	b->cap = cap;
	return 0;
}

int pyro_buf_put_safe(struct pyro_buf *b, const char *s, size_t len)
{
	size_t i, start = 0;
	int rc = 0;

	for (i = 0; i < len && !rc; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != 0x7f)
			continue;
		rc = pyro_buf_add(b, s + start, i - start);
		if (!rc)
			rc = pyro_buf_printf(b, "\\x%02x", c);
		start = i + 1;
	}
	if (!rc)
		rc = pyro_buf_add(b, s + start, len - start);
	return rc;
}

void pyro_buf_truncate(struct pyro_buf *b, size_t len)
{
	if (b->data && len < b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

int pyro_grow_array(void *arrp, size_t *cap, size_t need, size_t elem)
{
	void **pa = arrp;
	size_t ncap = *cap ? *cap : 16;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -ENOMEM;
		ncap *= 2;
	}
	if (elem && ncap > SIZE_MAX / elem)
		return -ENOMEM;
	np = realloc(*pa, ncap * elem);
	if (!np)
		return -ENOMEM;
	*pa = np;
	*cap = ncap;
	return 0;
}

int pyro_buf_add(struct pyro_buf *b, const void *data, size_t len)
{
	int rc = pyro_buf_grow(b, len);

	if (rc)
		return rc;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int pyro_buf_puts(struct pyro_buf *b, const char *s)
{
	return pyro_buf_add(b, s, strlen(s));
}

int pyro_buf_putc(struct pyro_buf *b, char c)
{
	return pyro_buf_add(b, &c, 1);
}

int pyro_buf_vprintf(struct pyro_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, rc;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return -EINVAL;
	rc = pyro_buf_grow(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int pyro_buf_printf(struct pyro_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = pyro_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

char *pyro_buf_detach(struct pyro_buf *b, size_t *len)
{
	char *p = b->data;

	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

int pyro_buf_failure(const struct pyro_buf *b)
{
	return b->full ? -EFBIG : -ENOMEM;
}
