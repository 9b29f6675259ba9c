/* The write buffer: the only way btt builds outgoing or persisted bytes.
 *
 * A wbuf has a mandatory maximum size and a sticky error: after the first
 * failure (the maximum reached, or no memory for a network-sized buffer)
 * every append is a no-op and btt_wbuf_err() returns the error. Builders
 * append freely and check once at the end. A zeroed wbuf is a valid empty
 * buffer with maximum 0. */
#ifndef BTT_CORE_WBUF_H
#define BTT_CORE_WBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct btt_wbuf {
	uint8_t *buf;
	size_t len;
	size_t cap;
	size_t max;
	int err;
	bool fixed; /* buf is caller storage: never grown or freed */
};

/* A growing buffer that refuses to exceed `max` bytes. */
void btt_wbuf_init(struct btt_wbuf *w, size_t max);

/* A buffer over caller storage of `cap` bytes (never grown). */
void btt_wbuf_init_fixed(struct btt_wbuf *w, void *buf, size_t cap);

/* Frees owned storage; the wbuf is then empty with maximum 0. */
void btt_wbuf_release(struct btt_wbuf *w);

/* Empties the buffer and clears the sticky error; keeps the storage. */
void btt_wbuf_reset(struct btt_wbuf *w);

/* Ensures room for n more bytes and returns a pointer to them, or NULL
 * (and sets the sticky error). Call btt_wbuf_commit(w, n) after writing
 * (n may be less than reserved). For n == 0 the pointer is non-NULL but
 * must not be written. */
uint8_t *btt_wbuf_reserve(struct btt_wbuf *w, size_t n);
void btt_wbuf_commit(struct btt_wbuf *w, size_t n);

void btt_wbuf_put(struct btt_wbuf *w, const void *p, size_t n);
void btt_wbuf_put_u8(struct btt_wbuf *w, uint8_t v);
void btt_wbuf_put_u16be(struct btt_wbuf *w, uint16_t v);
void btt_wbuf_put_u32be(struct btt_wbuf *w, uint32_t v);
void btt_wbuf_put_u64be(struct btt_wbuf *w, uint64_t v);
void btt_wbuf_put_str(struct btt_wbuf *w, const char *s);
void btt_wbuf_printf(struct btt_wbuf *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void btt_wbuf_vprintf(struct btt_wbuf *w, const char *fmt, va_list ap);

/* Appends a NUL that is not counted in len, so buf can be used as a C
 * string. Sets the sticky error when there is no room. */
void btt_wbuf_terminate(struct btt_wbuf *w);

static inline int btt_wbuf_err(const struct btt_wbuf *w)
{
	return w->err;
}

/* Hands the owned storage to the caller (free() it) and empties the wbuf.
 * Returns NULL for a fixed buffer or after an error. */
uint8_t *btt_wbuf_detach(struct btt_wbuf *w, size_t *out_len);

#endif
