/* Text codecs: hex, RFC 4648 base32 (no padding) and Bitcoin base58.
 *
 * Decoders read untrusted text: they check the length before touching the
 * output, reject any character outside the alphabet and any encoding that
 * is not the unique canonical one, and never write past the caller's
 * buffer. base58 works on small fixed-size stack buffers whose sizes follow
 * from the caps in limits.h. */
#include <string.h>

#include "btt/err.h"
#include "core/codec.h"
#include "core/limits.h"

static const char hex_digits[] = "0123456789abcdef";
static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
static const char b58_alphabet[] =
	"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

char *btt_hex_encode(const void *p, size_t n, char *out)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex_digits[b[i] >> 4];
		out[2 * i + 1] = hex_digits[b[i] & 15];
	}
	out[2 * n] = 0;
	return out;
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int btt_hex_decode(const char *s, size_t s_len, void *out, size_t out_len)
{
	uint8_t *o = out;

	if (out_len > SIZE_MAX / 2 || s_len != 2 * out_len)
		return BTT_EINVALID;
	for (size_t i = 0; i < out_len; i++) {
		int hi = hex_nibble(s[2 * i]);
		int lo = hex_nibble(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return BTT_EMALFORMED;
		o[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

size_t btt_base32_encoded_len(size_t n)
{
	/* Per 5-byte group 8 chars; a partial group of r bytes needs
	 * ceil(8r/5). Written this way so 8n cannot overflow. */
	return n / 5 * 8 + ((n % 5) * 8 + 4) / 5;
}

char *btt_base32_encode(const void *p, size_t n, char *out)
{
	const uint8_t *b = p;
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8 | b[i]) & 0xfff;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = b32_alphabet[(acc >> bits) & 31];
		}
	}
	if (bits > 0)
		out[o++] = b32_alphabet[(acc << (5 - bits)) & 31];
	out[o] = 0;
	return out;
}

static int b32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

int btt_base32_decode(const char *s, size_t s_len, void *out, size_t out_len)
{
	uint8_t *o = out;
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t w = 0;

	/* The first test keeps encoded_len from wrapping around. */
	if (out_len > SIZE_MAX / 8 || s_len != btt_base32_encoded_len(out_len))
		return BTT_EINVALID;
	for (size_t i = 0; i < s_len; i++) {
		int v = b32_value(s[i]);
		if (v < 0)
			return BTT_EMALFORMED;
		acc = (acc << 5 | (uint32_t)v) & 0x1fff;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			o[w++] = (uint8_t)(acc >> bits);
		}
	}
	/* The last character may carry up to 4 unused bits; any set bit
	 * would make a second spelling of the same bytes. */
	if (acc & ((1u << bits) - 1))
		return BTT_ENONCANONICAL;
	return 0;
}

int btt_base58_encode(const void *p, size_t n, char *out, size_t out_cap)
{
	/* log(256) / log(58) < 1.38 digits per byte. */
	uint8_t dig[BTT_BASE58_MAX_BYTES * 138 / 100 + 1];
	const uint8_t *b = p;
	size_t zeros = 0, dlen = 0, o = 0;

	if (n > BTT_BASE58_MAX_BYTES)
		return BTT_ELIMIT;
	while (zeros < n && b[zeros] == 0)
		zeros++;
	/* dig holds the number in base 58, least significant digit first. */
	for (size_t i = zeros; i < n; i++) {
		uint32_t carry = b[i];
		for (size_t j = 0; j < dlen; j++) {
			carry += (uint32_t)dig[j] << 8;
			dig[j] = (uint8_t)(carry % 58);
			carry /= 58;
		}
		while (carry) {
			dig[dlen++] = (uint8_t)(carry % 58);
			carry /= 58;
		}
	}
	if (zeros + dlen >= out_cap)
		return BTT_ENOSPACE;
	while (o < zeros)
		out[o++] = '1';
	while (dlen > 0)
		out[o++] = b58_alphabet[dig[--dlen]];
	out[o] = 0;
	return (int)o;
}

static int b58_value(char c)
{
	const char *hit = c ? memchr(b58_alphabet, c, 58) : NULL;
	return hit ? (int)(hit - b58_alphabet) : -1;
}

int btt_base58_decode(const char *s, size_t s_len, uint8_t *out, size_t out_cap)
{
	/* log(58) / log(256) < 0.74 bytes per digit, so this is ample. */
	uint8_t num[BTT_BASE58_MAX_TEXT];
	size_t zeros = 0, blen = 0, o = 0;

	if (s_len > BTT_BASE58_MAX_TEXT)
		return BTT_ELIMIT;
	while (zeros < s_len && s[zeros] == '1')
		zeros++;
	/* num holds the number in base 256, least significant byte first. */
	for (size_t i = zeros; i < s_len; i++) {
		int v = b58_value(s[i]);
		uint32_t carry;
		if (v < 0)
			return BTT_EMALFORMED;
		carry = (uint32_t)v;
		for (size_t j = 0; j < blen; j++) {
			carry += (uint32_t)num[j] * 58;
			num[j] = (uint8_t)carry;
			carry >>= 8;
		}
		while (carry) {
			num[blen++] = (uint8_t)carry;
			carry >>= 8;
		}
	}
	if (zeros + blen > out_cap)
		return BTT_ENOSPACE;
	while (o < zeros)
		out[o++] = 0;
	while (blen > 0)
		out[o++] = num[--blen];
	return (int)o;
}
