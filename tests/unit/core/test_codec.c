/* hex, base32 and base58: RFC 4648 and published base58 vectors, round
 * trips, and rejection of everything that is not the one canonical text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "btt/err.h"
#include "core/codec.h"
#include "core/limits.h"

static const struct {
	const char *in, *b16, *b32;
} rfc4648[] = {
	{"", "", ""},
	{"f", "66", "MY"},
	{"fo", "666f", "MZXQ"},
	{"foo", "666f6f", "MZXW6"},
	{"foob", "666f6f62", "MZXW6YQ"},
	{"fooba", "666f6f6261", "MZXW6YTB"},
	{"foobar", "666f6f626172", "MZXW6YTBOI"},
};
#define N_RFC (sizeof(rfc4648) / sizeof(rfc4648[0]))

static void test_codec_hex_vectors(void **state)
{
	char txt[64];
	uint8_t bin[32];
	(void)state;

	for (size_t i = 0; i < N_RFC; i++) {
		size_t n = strlen(rfc4648[i].in);
		assert_string_equal(btt_hex_encode(rfc4648[i].in, n, txt),
				    rfc4648[i].b16);
		assert_int_equal(btt_hex_decode(rfc4648[i].b16, 2 * n, bin, n),
				 0);
		assert_memory_equal(bin, rfc4648[i].in, n);
	}
	assert_int_equal(btt_hex_decode("DEADbeef", 8, bin, 4), 0);
	assert_memory_equal(bin, "\xde\xad\xbe\xef", 4);
}

static void test_codec_hex_rejects(void **state)
{
	uint8_t bin[4];
	(void)state;

	assert_int_equal(btt_hex_decode("abc", 3, bin, 2), BTT_EINVALID);
	assert_int_equal(btt_hex_decode("abcd", 4, bin, 1), BTT_EINVALID);
	assert_int_equal(btt_hex_decode("abcd", 4, bin, 3), BTT_EINVALID);
	assert_int_equal(btt_hex_decode("ag", 2, bin, 1), BTT_EMALFORMED);
	assert_int_equal(btt_hex_decode("0x", 2, bin, 1), BTT_EMALFORMED);
	assert_int_equal(btt_hex_decode(" 1", 2, bin, 1), BTT_EMALFORMED);
	assert_int_equal(btt_hex_decode("1\0", 2, bin, 1), BTT_EMALFORMED);
	assert_int_equal(btt_hex_decode("", 0, bin, 0), 0);
	assert_int_equal(btt_hex_decode("00", 2, bin, SIZE_MAX), BTT_EINVALID);
}

static void test_codec_base32_rfc4648(void **state)
{
	char txt[64], lower[64];
	uint8_t bin[32];
	(void)state;

	for (size_t i = 0; i < N_RFC; i++) {
		size_t n = strlen(rfc4648[i].in);
		size_t tl = strlen(rfc4648[i].b32);
		assert_int_equal(btt_base32_encoded_len(n), tl);
		assert_string_equal(btt_base32_encode(rfc4648[i].in, n, txt),
				    rfc4648[i].b32);
		memset(bin, 0xee, sizeof(bin));
		assert_int_equal(btt_base32_decode(txt, tl, bin, n), 0);
		assert_memory_equal(bin, rfc4648[i].in, n);
		for (size_t j = 0; j <= tl; j++)
			lower[j] = (char)(txt[j] >= 'A' && txt[j] <= 'Z'
						  ? txt[j] - 'A' + 'a'
						  : txt[j]);
		assert_int_equal(btt_base32_decode(lower, tl, bin, n), 0);
		assert_memory_equal(bin, rfc4648[i].in, n);
	}
}

static void test_codec_base32_info_hash_roundtrip(void **state)
{
	uint8_t h[20], back[20];
	char txt[33];
	(void)state;

	for (int i = 0; i < 20; i++)
		h[i] = (uint8_t)(0xf1 * i + 7);
	assert_int_equal(btt_base32_encoded_len(20), 32);
	btt_base32_encode(h, 20, txt);
	assert_int_equal(strlen(txt), 32);
	assert_int_equal(btt_base32_decode(txt, 32, back, 20), 0);
	assert_memory_equal(h, back, 20);
}

static void test_codec_base32_rejects(void **state)
{
	uint8_t bin[8];
	(void)state;

	/* wrong length for the expected output, and padding */
	assert_int_equal(btt_base32_decode("MZXW6", 5, bin, 2), BTT_EINVALID);
	assert_int_equal(btt_base32_decode("MZXW6", 5, bin, 4), BTT_EINVALID);
	assert_int_equal(btt_base32_decode("MY======", 8, bin, 1),
			 BTT_EINVALID);
	assert_int_equal(btt_base32_decode("MY=", 3, bin, 2), BTT_EINVALID);
	assert_int_equal(btt_base32_decode("MY", 2, bin, SIZE_MAX / 5 * 4),
			 BTT_EINVALID);
	/* characters outside the alphabet */
	assert_int_equal(btt_base32_decode("M1", 2, bin, 1), BTT_EMALFORMED);
	assert_int_equal(btt_base32_decode("M8", 2, bin, 1), BTT_EMALFORMED);
	assert_int_equal(btt_base32_decode("M0", 2, bin, 1), BTT_EMALFORMED);
	assert_int_equal(btt_base32_decode("M=", 2, bin, 1), BTT_EMALFORMED);
	assert_int_equal(btt_base32_decode("M\0", 2, bin, 1), BTT_EMALFORMED);
	/* "f" is MY; MZ sets one of the two unused bits */
	assert_int_equal(btt_base32_decode("MZ", 2, bin, 1), BTT_ENONCANONICAL);
	assert_int_equal(btt_base32_decode("MZXR", 4, bin, 2),
			 BTT_ENONCANONICAL);
	assert_int_equal(btt_base32_decode("MZXW7", 5, bin, 3),
			 BTT_ENONCANONICAL);
	assert_int_equal(btt_base32_decode("MZXW6YR", 7, bin, 4),
			 BTT_ENONCANONICAL);
}

static void test_codec_base58_vectors(void **state)
{
	static const struct {
		const char *hex, *b58;
	} v[] = {
		{"", ""},
		{"00", "1"},
		{"0000", "11"},
		{"39", "z"},
		{"3a", "21"},
		{"ffffffff", "7YXq9G"},
		{"0000287fb4cd", "11233QC4"},
		{"48656c6c6f20576f726c6421", "2NEpo7TZRRrLZSi2U"},
	};
	char txt[64];
	uint8_t bin[32], want[32];
	(void)state;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t n = strlen(v[i].hex) / 2;
		size_t tl = strlen(v[i].b58);
		assert_int_equal(btt_hex_decode(v[i].hex, 2 * n, want, n), 0);
		assert_int_equal(btt_base58_encode(want, n, txt, sizeof(txt)),
				 tl);
		assert_string_equal(txt, v[i].b58);
		assert_int_equal(btt_base58_decode(txt, tl, bin, sizeof(bin)),
				 n);
		assert_memory_equal(bin, want, n);
	}
}

static void test_codec_base58_long_text(void **state)
{
	static const char fox[] =
		"The quick brown fox jumps over the lazy dog.";
	static const char b58[] = "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo"
				  "1LkMeiKrLJUUBk6Z";
	char txt[128];
	uint8_t bin[64];
	(void)state;

	assert_int_equal(btt_base58_encode(fox, strlen(fox), txt, sizeof(txt)),
			 strlen(b58));
	assert_string_equal(txt, b58);
	assert_int_equal(btt_base58_decode(b58, strlen(b58), bin, sizeof(bin)),
			 strlen(fox));
	assert_memory_equal(bin, fox, strlen(fox));
}

static void test_codec_base58_rejects(void **state)
{
	uint8_t bin[16];
	(void)state;

	/* 0, O, I and l are not in the alphabet */
	assert_int_equal(btt_base58_decode("20", 2, bin, 16), BTT_EMALFORMED);
	assert_int_equal(btt_base58_decode("2O", 2, bin, 16), BTT_EMALFORMED);
	assert_int_equal(btt_base58_decode("2I", 2, bin, 16), BTT_EMALFORMED);
	assert_int_equal(btt_base58_decode("2l", 2, bin, 16), BTT_EMALFORMED);
	assert_int_equal(btt_base58_decode("2+", 2, bin, 16), BTT_EMALFORMED);
	assert_int_equal(btt_base58_decode("2\0", 2, bin, 16), BTT_EMALFORMED);
	assert_int_equal(btt_base58_decode("1\x80", 2, bin, 16),
			 BTT_EMALFORMED);
	/* output that does not fit */
	assert_int_equal(btt_base58_decode("7YXq9G", 6, bin, 3), BTT_ENOSPACE);
	assert_int_equal(btt_base58_decode("7YXq9G", 6, bin, 4), 4);
	assert_int_equal(btt_base58_decode("111", 3, bin, 2), BTT_ENOSPACE);
}

static void test_codec_base58_encode_space(void **state)
{
	char txt[8];
	(void)state;

	/* "7YXq9G" needs 6 chars and the NUL */
	assert_int_equal(btt_base58_encode("\xff\xff\xff\xff", 4, txt, 6),
			 BTT_ENOSPACE);
	assert_int_equal(btt_base58_encode("\xff\xff\xff\xff", 4, txt, 7), 6);
	assert_int_equal(btt_base58_encode("\0\0", 2, txt, 2), BTT_ENOSPACE);
	assert_int_equal(btt_base58_encode("\0\0", 2, txt, 3), 2);
	assert_int_equal(btt_base58_encode("", 0, txt, 0), BTT_ENOSPACE);
	assert_int_equal(btt_base58_encode("", 0, txt, 1), 0);
	assert_string_equal(txt, "");
}

static void test_codec_base58_limits(void **state)
{
	uint8_t in[BTT_BASE58_MAX_BYTES + 1], bin[BTT_BASE58_MAX_TEXT + 1];
	char txt[BTT_BASE58_MAX_TEXT + 2];
	int n;
	(void)state;

	/* binary input: max-1, max, max+1 */
	memset(in, 0xff, sizeof(in));
	in[0] = 0;
	n = btt_base58_encode(in, BTT_BASE58_MAX_BYTES - 1, txt, sizeof(txt));
	assert_true(n > 0);
	n = btt_base58_encode(in, BTT_BASE58_MAX_BYTES, txt, sizeof(txt));
	assert_true(n > 0 && n <= BTT_BASE58_MAX_TEXT);
	assert_int_equal(btt_base58_decode(txt, (size_t)n, bin, sizeof(bin)),
			 BTT_BASE58_MAX_BYTES);
	assert_memory_equal(bin, in, BTT_BASE58_MAX_BYTES);
	assert_int_equal(btt_base58_encode(in, BTT_BASE58_MAX_BYTES + 1, txt,
					   sizeof(txt)),
			 BTT_ELIMIT);

	/* text input: max-1, max, max+1 (all '1's: as many zero bytes) */
	memset(txt, '1', sizeof(txt));
	assert_int_equal(btt_base58_decode(txt, BTT_BASE58_MAX_TEXT - 1, bin,
					   sizeof(bin)),
			 BTT_BASE58_MAX_TEXT - 1);
	assert_int_equal(
		btt_base58_decode(txt, BTT_BASE58_MAX_TEXT, bin, sizeof(bin)),
		BTT_BASE58_MAX_TEXT);
	assert_int_equal(btt_base58_decode(txt, BTT_BASE58_MAX_TEXT + 1, bin,
					   sizeof(bin)),
			 BTT_ELIMIT);
	/* the largest number the text cap admits */
	memset(txt, 'z', sizeof(txt));
	n = btt_base58_decode(txt, BTT_BASE58_MAX_TEXT, bin, sizeof(bin));
	assert_int_equal(n, 188);
}

static void test_codec_base58_roundtrip_leading_zeros(void **state)
{
	uint8_t in[40] = {0}, bin[40];
	char txt[80];
	(void)state;

	for (size_t len = 0; len <= sizeof(in); len++) {
		for (size_t z = 0; z <= len; z += 3) {
			int n;
			for (size_t i = 0; i < len; i++)
				in[i] = i < z ? 0 : (uint8_t)(i * 37 + len);
			n = btt_base58_encode(in, len, txt, sizeof(txt));
			assert_true(n >= 0);
			for (size_t i = 0; i < z; i++)
				assert_int_equal(txt[i], '1');
			assert_int_equal(
				btt_base58_decode(txt, (size_t)n, bin, len),
				len);
			assert_memory_equal(bin, in, len);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codec_hex_vectors),
		cmocka_unit_test(test_codec_hex_rejects),
		cmocka_unit_test(test_codec_base32_rfc4648),
		cmocka_unit_test(test_codec_base32_info_hash_roundtrip),
		cmocka_unit_test(test_codec_base32_rejects),
		cmocka_unit_test(test_codec_base58_vectors),
		cmocka_unit_test(test_codec_base58_long_text),
		cmocka_unit_test(test_codec_base58_rejects),
		cmocka_unit_test(test_codec_base58_encode_space),
		cmocka_unit_test(test_codec_base58_limits),
		cmocka_unit_test(test_codec_base58_roundtrip_leading_zeros),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
