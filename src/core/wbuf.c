/* Write buffer: bounded growth with a sticky error (see wbuf.h). */
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
	if (w->err)
		return NULL;
	if (n > w->max - w->len) {
		w->err = BTT_ENOSPACE;
		return NULL;
	}
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
	if (!w->err)
		w->len += n;
}

void btt_wbuf_put(struct btt_wbuf *w, const void *p, size_t n)
{
	uint8_t *d = btt_wbuf_reserve(w, n);
	if (!d)
		return;
	if (n)
		memcpy(d, p, n);
	w->len += n;
}

void btt_wbuf_put_u8(struct btt_wbuf *w, uint8_t v)
{
	btt_wbuf_put(w, &v, 1);
}

void btt_wbuf_put_u16be(struct btt_wbuf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	btt_wbuf_put(w, b, 2);
}

void btt_wbuf_put_u32be(struct btt_wbuf *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 8), (uint8_t)v };
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

	if (w->err)
		return;
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		w->err = BTT_EINVALID;
		return;
	}
	/* vsnprintf writes a NUL: reserve it, then count only n bytes. */
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
	b = w->buf;
	*out_len = w->len;
	w->buf = NULL;
	w->len = w->cap = 0;
	return b;
}
