/* The byte cursor: the only way btt reads untrusted bytes.
 *
 * A cursor is a borrowed view (pointer, length) into a buffer it does not
 * own; it dies with the buffer. Every getter checks the remaining length
 * first and advances only on success, so a failed read leaves the cursor
 * where it was and the caller can report the offset. */
#ifndef BTT_CORE_CUR_H
#define BTT_CORE_CUR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct btt_cur {
	const uint8_t *p;
	size_t len;
};

static inline void btt_cur_init(struct btt_cur *c, const void *p, size_t len)
{
	c->p = (const uint8_t *)p;
	c->len = len;
}

static inline size_t btt_cur_len(const struct btt_cur *c)
{
	return c->len;
}

static inline const uint8_t *btt_cur_data(const struct btt_cur *c)
{
	return c->p;
}

static inline bool btt_cur_skip(struct btt_cur *c, size_t n)
{
	if (c->len < n)
		return false;
	/* An empty cursor may hold NULL, and NULL + 0 is undefined. */
	if (n) {
		c->p += n;
		c->len -= n;
	}
	return true;
}

static inline bool btt_cur_peek_u8(const struct btt_cur *c, uint8_t *out)
{
	if (c->len < 1)
		return false;
	*out = c->p[0];
	return true;
}

static inline bool btt_cur_get_u8(struct btt_cur *c, uint8_t *out)
{
	if (!btt_cur_peek_u8(c, out))
		return false;
	c->p++;
	c->len--;
	return true;
}

static inline bool btt_cur_get_u16be(struct btt_cur *c, uint16_t *out)
{
	if (c->len < 2)
		return false;
	*out = (uint16_t)((uint16_t)c->p[0] << 8 | c->p[1]);
	return btt_cur_skip(c, 2);
}

static inline bool btt_cur_get_u32be(struct btt_cur *c, uint32_t *out)
{
	if (c->len < 4)
		return false;
	*out = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
	       (uint32_t)c->p[2] << 8 | (uint32_t)c->p[3];
	return btt_cur_skip(c, 4);
}

static inline bool btt_cur_get_u64be(struct btt_cur *c, uint64_t *out)
{
	uint32_t hi, lo;
	struct btt_cur save = *c;
	if (!btt_cur_get_u32be(c, &hi) || !btt_cur_get_u32be(c, &lo)) {
		*c = save;
		return false;
	}
	*out = (uint64_t)hi << 32 | lo;
	return true;
}

/* Takes n bytes as a sub-cursor. */
static inline bool btt_cur_get_sub(struct btt_cur *c, size_t n,
				   struct btt_cur *out)
{
	if (c->len < n)
		return false;
	out->p = c->p;
	out->len = n;
	return btt_cur_skip(c, n);
}

/* Copies n bytes out. */
static inline bool btt_cur_copy(struct btt_cur *c, void *out, size_t n)
{
	if (c->len < n)
		return false;
	if (n)
		memcpy(out, c->p, n);
	return btt_cur_skip(c, n);
}

/* Takes the bytes before the first `delim` as a sub-cursor and consumes
 * the delimiter too. Fails if `delim` does not occur. */
static inline bool btt_cur_get_until(struct btt_cur *c, uint8_t delim,
				     struct btt_cur *out)
{
	const uint8_t *d = c->len ? memchr(c->p, delim, c->len) : NULL;
	if (!d)
		return false;
	out->p = c->p;
	out->len = (size_t)(d - c->p);
	return btt_cur_skip(c, out->len + 1);
}

/* True when the remaining bytes equal the n bytes at s. */
static inline bool btt_cur_eq(const struct btt_cur *c, const void *s, size_t n)
{
	return c->len == n && (n == 0 || memcmp(c->p, s, n) == 0);
}

static inline bool btt_cur_eq_str(const struct btt_cur *c, const char *s)
{
	return btt_cur_eq(c, s, strlen(s));
}

/* Consumes `s` if the cursor starts with it. */
static inline bool btt_cur_get_prefix(struct btt_cur *c, const char *s)
{
	size_t n = strlen(s);
	if (c->len < n || (n && memcmp(c->p, s, n) != 0))
		return false;
	return btt_cur_skip(c, n);
}

/* Reads a decimal unsigned integer of 1..max_digits digits that is at most
 * `max`. Leading zeros are accepted only when `allow_zeros`; a single "0"
 * is always accepted. */
bool btt_cur_get_dec(struct btt_cur *c, unsigned max_digits, uint64_t max,
		     bool allow_zeros, uint64_t *out);

#endif
