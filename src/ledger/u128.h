/* 128-bit unsigned amounts (BTT base units: 1 BTT = 10^18) and fees.
 *
 * Arithmetic is checked: every helper reports overflow or underflow
 * instead of wrapping, because a wrapped balance is a minted coin. Wire
 * form is 16 bytes big-endian; text form is canonical decimal (no sign,
 * no leading zeros except "0" itself, no separators). */
#ifndef BTT_LEDGER_U128_H
#define BTT_LEDGER_U128_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cur.h"

__extension__ typedef unsigned __int128 btt_u128;

#define BTT_U128_MAX (~(btt_u128)0)
#define BTT_U128_LEN 16
#define BTT_U128_DEC_MAX 39 /* digits in 2^128 - 1 */

/* One BTT in base units. */
#define BTT_COIN ((btt_u128)1000000000000000000ull)

/* *out = a + b; false (out untouched) on overflow. */
static inline bool btt_u128_add(btt_u128 a, btt_u128 b, btt_u128 *out)
{
	if (a > BTT_U128_MAX - b)
		return false;
	*out = a + b;
	return true;
}

/* *out = a - b; false (out untouched) when b > a. */
static inline bool btt_u128_sub(btt_u128 a, btt_u128 b, btt_u128 *out)
{
	if (b > a)
		return false;
	*out = a - b;
	return true;
}

/* *out = a * b; false (out untouched) on overflow. */
static inline bool btt_u128_mul(btt_u128 a, btt_u128 b, btt_u128 *out)
{
	if (a != 0 && b > BTT_U128_MAX / a)
		return false;
	*out = a * b;
	return true;
}

static inline void btt_u128_put_be(btt_u128 v, uint8_t out[BTT_U128_LEN])
{
	for (int i = BTT_U128_LEN - 1; i >= 0; i--) {
		out[i] = (uint8_t)v;
		v >>= 8;
	}
}

static inline btt_u128 btt_u128_get_be(const uint8_t in[BTT_U128_LEN])
{
	btt_u128 v = 0;
	for (int i = 0; i < BTT_U128_LEN; i++)
		v = v << 8 | in[i];
	return v;
}

/* Reads 16 big-endian bytes; advances only on success. */
static inline bool btt_u128_get(struct btt_cur *c, btt_u128 *out)
{
	uint8_t b[BTT_U128_LEN];
	if (!btt_cur_copy(c, b, sizeof(b)))
		return false;
	*out = btt_u128_get_be(b);
	return true;
}

/* Reads a canonical decimal number from the cursor, advancing past its
 * digits only on success. Fails on no digit, a leading zero before more
 * digits, or a value above 2^128 - 1. */
bool btt_u128_get_dec(struct btt_cur *c, btt_u128 *out);

/* Parses a whole string as canonical decimal. Returns 0, BTT_EMALFORMED
 * (empty, or not only digits), BTT_ENONCANONICAL (leading zero) or
 * BTT_EOVERFLOW. */
int btt_u128_from_dec(const char *s, size_t len, btt_u128 *out);

/* Writes canonical decimal into out (BTT_U128_DEC_MAX + 1 bytes,
 * NUL-terminated); returns the number of digits. */
size_t btt_u128_to_dec(btt_u128 v, char out[BTT_U128_DEC_MAX + 1]);

#endif
