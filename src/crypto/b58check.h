/* base58check: payload || the first 4 bytes of SHA-256(SHA-256(payload)),
 * base58-encoded (TRON addresses, WIF keys). It lives in crypto because the
 * checksum needs SHA-256; plain base58 is in core/codec.h. */
#ifndef BTT_CRYPTO_B58CHECK_H
#define BTT_CRYPTO_B58CHECK_H

#include <stddef.h>
#include <stdint.h>

#define BTT_B58CHECK_SUM 4

/* Encodes n payload bytes (n <= BTT_BASE58_MAX_BYTES - 4, else BTT_ELIMIT)
 * into out of out_cap bytes. Returns the text length (without NUL) or
 * BTT_ENOSPACE. */
int btt_base58check_encode(const void *p, size_t n, char *out, size_t out_cap);

/* Decodes and verifies base58check text. Returns the payload length written
 * to out, or BTT_ELIMIT (text too long), BTT_EMALFORMED (bad character or
 * shorter than the checksum), BTT_ECHECKSUM, or BTT_ENOSPACE (payload
 * longer than out_cap). */
int btt_base58check_decode(const char *s, size_t s_len, uint8_t *out,
			   size_t out_cap);

#endif
