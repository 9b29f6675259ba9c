/* secp256k1 keys, signatures and recovery: published vectors, canonical
 * form boundaries (r, s, v) and high-S rejection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "btt/err.h"
#include "core/codec.h"
#include "crypto/secp.h"

static const char order_hex[] =
	"fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
static const char half_hex[] =
	"7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0";

static void unhex(const char *s, uint8_t *out, size_t n)
{
	assert_int_equal(btt_hex_decode(s, strlen(s), out, n), 0);
}

/* out = a + d for d = -1 or 1, 256-bit big-endian. */
static void add_small(const uint8_t a[32], int d, uint8_t out[32])
{
	int carry = d;
	for (int i = 31; i >= 0; i--) {
		int v = a[i] + carry;
		carry = v < 0 ? -1 : v >> 8;
		out[i] = (uint8_t)(v & 0xff);
	}
}

/* out = n - a. */
static void n_minus(const uint8_t a[32], uint8_t out[32])
{
	uint8_t n[32];
	int borrow = 0;
	unhex(order_hex, n, 32);
	for (int i = 31; i >= 0; i--) {
		int v = n[i] - a[i] - borrow;
		borrow = v < 0;
		out[i] = (uint8_t)(v + (borrow ? 256 : 0));
	}
}

static void key_of(uint8_t k[32], uint8_t last)
{
	memset(k, 0, 32);
	k[31] = last;
}

static void test_secp_key_valid_range(void **state)
{
	uint8_t k[32], n[32];
	(void)state;

	key_of(k, 0);
	assert_false(btt_secp_key_valid(k));
	key_of(k, 1);
	assert_true(btt_secp_key_valid(k));
	unhex(order_hex, n, 32);
	add_small(n, -1, k);
	assert_true(btt_secp_key_valid(k));
	assert_false(btt_secp_key_valid(n));
	add_small(n, 1, k);
	assert_false(btt_secp_key_valid(k));
	memset(k, 0xff, 32);
	assert_false(btt_secp_key_valid(k));
}

static void test_secp_key_generate_valid_and_distinct(void **state)
{
	uint8_t a[32], b[32];
	(void)state;

	assert_int_equal(btt_secp_key_generate(a), 0);
	assert_int_equal(btt_secp_key_generate(b), 0);
	assert_true(btt_secp_key_valid(a));
	assert_true(btt_secp_key_valid(b));
	assert_memory_not_equal(a, b, 32);
}

static void test_secp_pub_of_one_is_generator(void **state)
{
	static const char g[] = "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce"
				"28d959f2815b16f817"
				"98483ada7726a3c4655da4fbfc0e1108a8fd17b448a685"
				"54199c47d08ffb10d4"
				"b8";
	uint8_t k[32], pub[65], want[65];
	(void)state;

	key_of(k, 1);
	unhex(g, want, 65);
	assert_int_equal(btt_secp_pub_derive(k, pub), 0);
	assert_memory_equal(pub, want, 65);
	key_of(k, 0);
	assert_int_equal(btt_secp_pub_derive(k, pub), BTT_EINVALID);
	unhex(order_hex, k, 32);
	assert_int_equal(btt_secp_pub_derive(k, pub), BTT_EINVALID);
}

/* EIP-155's worked example: private key 0x46..46 signs the signing hash
 * below giving v = 37 = 35 + 2 * 1 + 0, i.e. recovery id 0. Signing is
 * RFC 6979 deterministic, so r and s must match exactly. */
static void test_secp_sign_eip155_vector(void **state)
{
	static const char hash_hex[] = "daf5a779ae972f972197303d7b574746c7ef83e"
				       "adac0f2791ad23db92e4c8e53";
	static const char r_hex[] = "28ef61340bd939bc2195fe537567866003e1a15d3c"
				    "71ff63e1590620aa636276";
	static const char s_hex[] = "67cbe9d8997f761aecb703304b3800ccf555c9f3dc"
				    "64214b297fb1966a3b6d83";
	uint8_t k[32], h[32], sig[65], want[64], pub[65], got[65];
	(void)state;

	memset(k, 0x46, 32);
	unhex(hash_hex, h, 32);
	unhex(r_hex, want, 32);
	unhex(s_hex, want + 32, 32);
	assert_int_equal(btt_secp_sign(k, h, sig), 0);
	assert_memory_equal(sig, want, 64);
	assert_int_equal(sig[64], 0);
	assert_int_equal(btt_secp_pub_derive(k, pub), 0);
	assert_int_equal(btt_secp_recover(h, sig, got), 0);
	assert_memory_equal(got, pub, 65);
	assert_int_equal(btt_secp_verify(pub, h, sig), 0);
}

static void test_secp_sign_recover_roundtrip_low_s(void **state)
{
	uint8_t k[32], h[32], sig[65], pub[65], got[65], half[32];
	(void)state;

	unhex(half_hex, half, 32);
	for (int i = 0; i < 64; i++) {
		assert_int_equal(btt_secp_key_generate(k), 0);
		memset(h, i, 32);
		assert_int_equal(btt_secp_pub_derive(k, pub), 0);
		assert_int_equal(btt_secp_sign(k, h, sig), 0);
		assert_true(memcmp(sig + 32, half, 32) <= 0);
		assert_true(sig[64] <= 1);
		assert_int_equal(btt_secp_recover(h, sig, got), 0);
		assert_memory_equal(got, pub, 65);
		assert_int_equal(btt_secp_verify(pub, h, sig), 0);
	}
}

static void test_secp_sign_rejects_invalid_key(void **state)
{
	uint8_t k[32], h[32] = {1}, sig[65];
	(void)state;

	key_of(k, 0);
	assert_int_equal(btt_secp_sign(k, h, sig), BTT_EINVALID);
	memset(k, 0xff, 32);
	assert_int_equal(btt_secp_sign(k, h, sig), BTT_EINVALID);
}

/* The malleated twin (n - s, v flipped) is a valid ECDSA signature for the
 * same key; libsecp256k1's recover would accept it, ours must not. */
static void test_secp_high_s_rejected(void **state)
{
	uint8_t k[32], h[32], sig[65], high[65], pub[65], got[65];
	(void)state;

	memset(k, 0x46, 32);
	memset(h, 0x33, 32);
	assert_int_equal(btt_secp_pub_derive(k, pub), 0);
	assert_int_equal(btt_secp_sign(k, h, sig), 0);
	memcpy(high, sig, 65);
	n_minus(sig + 32, high + 32);
	high[64] = sig[64] ^ 1;
	assert_int_equal(btt_secp_sig_check(high), BTT_ESIGNATURE);
	assert_int_equal(btt_secp_recover(h, high, got), BTT_ESIGNATURE);
	assert_int_equal(btt_secp_verify(pub, h, high), BTT_ESIGNATURE);
}

static void test_secp_sig_check_s_boundary(void **state)
{
	uint8_t sig[65] = {0};
	(void)state;

	sig[31] = 1; /* r = 1 */
	unhex(half_hex, sig + 32, 32);
	add_small(sig + 32, -1, sig + 32);
	assert_int_equal(btt_secp_sig_check(sig), 0);
	unhex(half_hex, sig + 32, 32);
	assert_int_equal(btt_secp_sig_check(sig), 0);
	add_small(sig + 32, 1, sig + 32);
	assert_int_equal(btt_secp_sig_check(sig), BTT_ESIGNATURE);
	memset(sig + 32, 0, 32);
	assert_int_equal(btt_secp_sig_check(sig), BTT_ESIGNATURE);
	sig[63] = 1;
	assert_int_equal(btt_secp_sig_check(sig), 0);
}

static void test_secp_sig_check_r_boundary(void **state)
{
	uint8_t sig[65] = {0}, n[32];
	(void)state;

	sig[63] = 1;						   /* s = 1 */
	assert_int_equal(btt_secp_sig_check(sig), BTT_ESIGNATURE); /* r = 0 */
	unhex(order_hex, n, 32);
	add_small(n, -1, sig);
	assert_int_equal(btt_secp_sig_check(sig), 0);
	memcpy(sig, n, 32);
	assert_int_equal(btt_secp_sig_check(sig), BTT_ESIGNATURE);
	add_small(n, 1, sig);
	assert_int_equal(btt_secp_sig_check(sig), BTT_ESIGNATURE);
	memset(sig, 0xff, 32);
	assert_int_equal(btt_secp_sig_check(sig), BTT_ESIGNATURE);
}

static void test_secp_sig_check_v(void **state)
{
	uint8_t sig[65] = {0};
	(void)state;

	sig[31] = 1;
	sig[63] = 1;
	sig[64] = 0;
	assert_int_equal(btt_secp_sig_check(sig), 0);
	sig[64] = 1;
	assert_int_equal(btt_secp_sig_check(sig), 0);
	sig[64] = 2;
	assert_int_equal(btt_secp_sig_check(sig), BTT_ESIGNATURE);
	sig[64] = 27;
	assert_int_equal(btt_secp_sig_check(sig), BTT_ESIGNATURE);
}

static void test_secp_verify_rejects_mismatch(void **state)
{
	uint8_t k[32], k2[32], h[32], h2[32], sig[65], bad[65];
	uint8_t pub[65], pub2[65], got[65];
	(void)state;

	key_of(k, 7);
	key_of(k2, 8);
	memset(h, 0xab, 32);
	memcpy(h2, h, 32);
	h2[0] ^= 1;
	assert_int_equal(btt_secp_pub_derive(k, pub), 0);
	assert_int_equal(btt_secp_pub_derive(k2, pub2), 0);
	assert_int_equal(btt_secp_sign(k, h, sig), 0);
	assert_int_equal(btt_secp_verify(pub2, h, sig), BTT_ESIGNATURE);
	assert_int_equal(btt_secp_verify(pub, h2, sig), BTT_ESIGNATURE);
	/* A different hash still recovers some key, just not this one. */
	if (btt_secp_recover(h2, sig, got) == 0)
		assert_memory_not_equal(got, pub, 65);
	memcpy(bad, sig, 65);
	bad[64] ^= 1;
	assert_int_equal(btt_secp_verify(pub, h, bad), BTT_ESIGNATURE);
	memcpy(bad, sig, 65);
	bad[64] = 2;
	assert_int_equal(btt_secp_recover(h, bad, got), BTT_ESIGNATURE);
}

static void test_secp_verify_rejects_bad_pub(void **state)
{
	uint8_t k[32], h[32] = {9}, sig[65], pub[65];
	(void)state;

	key_of(k, 3);
	assert_int_equal(btt_secp_pub_derive(k, pub), 0);
	assert_int_equal(btt_secp_sign(k, h, sig), 0);
	pub[0] = 0x06; /* hybrid encoding: refused */
	assert_int_equal(btt_secp_verify(pub, h, sig), BTT_EINVALID);
	pub[0] = 0x04;
	pub[64] ^= 1; /* no longer on the curve */
	assert_int_equal(btt_secp_verify(pub, h, sig), BTT_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secp_key_valid_range),
		cmocka_unit_test(test_secp_key_generate_valid_and_distinct),
		cmocka_unit_test(test_secp_pub_of_one_is_generator),
		cmocka_unit_test(test_secp_sign_eip155_vector),
		cmocka_unit_test(test_secp_sign_recover_roundtrip_low_s),
		cmocka_unit_test(test_secp_sign_rejects_invalid_key),
		cmocka_unit_test(test_secp_high_s_rejected),
		cmocka_unit_test(test_secp_sig_check_s_boundary),
		cmocka_unit_test(test_secp_sig_check_r_boundary),
		cmocka_unit_test(test_secp_sig_check_v),
		cmocka_unit_test(test_secp_verify_rejects_mismatch),
		cmocka_unit_test(test_secp_verify_rejects_bad_pub),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
