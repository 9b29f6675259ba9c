/* Write buffer: bounded growth with a sticky error (see wbuf.h).
 *
 * Invariants: len <= cap, len <= max, and an owned buffer never allocates
 * more than max bytes; once err is set no call changes buf or len until
 * reset or release. */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "core/wbuf.h"

void btt_wbuf_init(struct btt_wbuf *w, size_t max)
{
	memset(w, 0, sizeof(*w));
	w->max = max;
}

void btt_wbuf_init_fixed(struct btt_wbuf *w, void *buf, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap;
	w->max = cap;
	w->fixed = true;
}

void btt_wbuf_release(struct btt_wbuf *w)
{
	if (!w->fixed)
		free(w->buf);
	memset(w, 0, sizeof(*w));
}

void btt_wbuf_reset(struct btt_wbuf *w)
{
	w->len = 0;
	w->err = 0;
}

uint8_t *btt_wbuf_reserve(struct btt_wbuf *w, size_t n)
{
	/* Something non-NULL for n == 0 before any storage exists; nothing
	 * may be written through it. */
	static uint8_t no_room;

	if (w->err)
		return NULL;
	if (n > w->max - w->len) {
		w->err = BTT_ENOSPACE;
		return NULL;
	}
	if (n == 0 && !w->buf)
		return &no_room;
	if (w->cap - w->len < n) {
		size_t want = w->cap ? w->cap : 64;
		uint8_t *nb;
		while (want - w->len < n)
			want = want > w->max / 2 ? w->max : want * 2;
		if (want > w->max)
			want = w->max;
		nb = realloc(w->buf, want);
		if (!nb) {
			w->err = -ENOMEM;
			return NULL;
		}
		w->buf = nb;
		w->cap = want;
	}
	return w->buf + w->len;
}

void btt_wbuf_commit(struct btt_wbuf *w, size_t n)
{
	if (w->err)
		return;
	assert(n <= w->cap - w->len);
	w->len += n;
}

void btt_wbuf_put(struct btt_wbuf *w, const void *p, size_t n)
{
	uint8_t *d;

	if (n == 0)
		return;
	d = btt_wbuf_reserve(w, n);
	if (!d)
		return;
	memcpy(d, p, n);
	w->len += n;
}

void btt_wbuf_put_u8(struct btt_wbuf *w, uint8_t v)
{
	btt_wbuf_put(w, &v, 1);
}

void btt_wbuf_put_u16be(struct btt_wbuf *w, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	btt_wbuf_put(w, b, 2);
}

void btt_wbuf_put_u32be(struct btt_wbuf *w, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16),
			(uint8_t)(v >> 8), (uint8_t)v};
	btt_wbuf_put(w, b, 4);
}

void btt_wbuf_put_u64be(struct btt_wbuf *w, uint64_t v)
{
	btt_wbuf_put_u32be(w, (uint32_t)(v >> 32));
	btt_wbuf_put_u32be(w, (uint32_t)v);
}

void btt_wbuf_put_str(struct btt_wbuf *w, const char *s)
{
	btt_wbuf_put(w, s, strlen(s));
}

void btt_wbuf_vprintf(struct btt_wbuf *w, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	uint8_t *d;
	char *tmp;

	if (w->err)
		return;
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		w->err = BTT_EINVALID;
		return;
	}
	if ((size_t)n >= w->max - w->len) {
		/* Exactly fitting text has no room for vsnprintf's NUL inside
		 * the maximum: format it aside, then copy n bytes. */
		d = btt_wbuf_reserve(w, (size_t)n);
		if (!d || n == 0)
			return;
		tmp = malloc((size_t)n + 1);
		if (!tmp)
			abort();
		vsnprintf(tmp, (size_t)n + 1, fmt, ap);
		memcpy(d, tmp, (size_t)n);
		free(tmp);
		w->len += (size_t)n;
		return;
	}
	d = btt_wbuf_reserve(w, (size_t)n + 1);
	if (!d)
		return;
	vsnprintf((char *)d, (size_t)n + 1, fmt, ap);
	w->len += (size_t)n;
}

void btt_wbuf_printf(struct btt_wbuf *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	btt_wbuf_vprintf(w, fmt, ap);
	va_end(ap);
}

void btt_wbuf_terminate(struct btt_wbuf *w)
{
	uint8_t *d = btt_wbuf_reserve(w, 1);
	if (d)
		*d = 0;
}

uint8_t *btt_wbuf_detach(struct btt_wbuf *w, size_t *out_len)
{
	uint8_t *b;

	if (w->fixed || w->err)
		return NULL;
	/* NULL means failure, so an empty buffer still hands out storage. */
	b = w->buf ? w->buf : malloc(1);
	if (!b)
		abort();
	*out_len = w->len;
	w->buf = NULL;
	w->len = w->cap = 0;
	return b;
}
