/* Text codecs: hex, RFC 4648 base32 and base58 (base58check needs SHA-256
 * and lives in crypto/b58check.h).
 *
 * Decoders take untrusted text and reject anything malformed (wrong
 * alphabet, wrong length, non-zero unused bits) with a negative error;
 * they never write more than out_cap bytes. Encoders NUL-terminate. */
#ifndef BTT_CORE_CODEC_H
#define BTT_CORE_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Lower-case hex of n bytes into out (2n+1 bytes). Returns out. */
char *btt_hex_encode(const void *p, size_t n, char *out);

/* Decodes exactly 2*out_len hex digits (either case) into out.
 * Returns 0, BTT_EMALFORMED (bad digit) or BTT_EINVALID (wrong length). */
int btt_hex_decode(const char *s, size_t s_len, void *out, size_t out_len);

/* RFC 4648 base32, upper case, no padding: ceil(n*8/5) chars + NUL. */
size_t btt_base32_encoded_len(size_t n);
char *btt_base32_encode(const void *p, size_t n, char *out);

/* Decodes base32 (either case, no padding, unused trailing bits zero) that
 * must decode to exactly out_len bytes. Returns 0, BTT_EINVALID (wrong
 * length), BTT_EMALFORMED (bad character) or BTT_ENONCANONICAL (non-zero
 * unused bits). */
int btt_base32_decode(const char *s, size_t s_len, void *out, size_t out_len);

/* Bitcoin-alphabet base58; each leading zero byte is one leading '1'.
 * Encodes n bytes (n <= BTT_BASE58_MAX_BYTES, else BTT_ELIMIT) into out of
 * out_cap bytes; returns the length written (without NUL), or BTT_ENOSPACE
 * if it and the NUL do not fit. */
int btt_base58_encode(const void *p, size_t n, char *out, size_t out_cap);

/* Decodes base58 text (s_len <= BTT_BASE58_MAX_TEXT, else BTT_ELIMIT) into
 * out; returns bytes written, BTT_EMALFORMED (character outside the
 * alphabet) or BTT_ENOSPACE (more than out_cap bytes). */
int btt_base58_decode(const char *s, size_t s_len, uint8_t *out,
		      size_t out_cap);

#endif
