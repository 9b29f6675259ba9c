/* Addresses: derivation from keys, EIP-55 and TRON text forms, with the
 * published vectors (EIP-55's own list, Ethereum and TRON key examples). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "btt/err.h"
#include "core/codec.h"
#include "crypto/address.h"
#include "crypto/b58check.h"

struct vec {
	const char *key, *hex, *tron;
};

static const struct vec vectors[] = {
	{"52ace805ec14445d3e5d4ffa0bd88faec32b5aee7f71eb2394a66c4b70b6f412",
	 "0xAf5CBF39d271197b1453aD839876De9e54dBc4Ef",
	 "TRxSMoUq1aGzpdrMSqgj66qJUWw22tA8Gy"},
	{"125df897f2c2d3b9eaf7166c77ee46c9488019c9261bda43d8760c776a36a01d",
	 "0x171Fccc0634834F57d3E0dAdA0fa547042f4fd21",
	 "TC5UdxfxrPNE67PcCCf9V58us19mo7varD"},
	{"4725a486dfadd17e1b7e6463a198b410dd3fe916622cab9403e00208efff590f",
	 "0x673a92C8FAD64276fFDF0484Ed6389Bd58356e05",
	 "TKP2mZrYNKdrXJi38vxQsAykfo1YoWjxpR"},
	{"0000000000000000000000000000000000000000000000000000000000000001",
	 "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf",
	 "TMVQGm1qAQYVdetCeGRRkTWYYrLXuHK2HC"},
};

static const char *const eip55[] = {
	"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
	"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
	"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
	"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
};

static int hexdec(const char *s, uint8_t out[BTT_ADDR_LEN])
{
	return btt_addr_hex_decode(s, strlen(s), out);
}

static void test_address_key_vectors(void **state)
{
	uint8_t key[32], a[BTT_ADDR_LEN], b[BTT_ADDR_LEN], c[BTT_ADDR_LEN];
	char hex[BTT_ADDR_HEX_CHARS + 1], tron[BTT_ADDR_TRON_CHARS + 1];
	(void)state;

	for (size_t i = 0; i < sizeof(vectors) / sizeof(*vectors); i++) {
		const struct vec *v = &vectors[i];
		assert_int_equal(btt_hex_decode(v->key, 64, key, 32), 0);
		assert_int_equal(btt_addr_from_key(key, a), 0);
		btt_addr_hex_encode(a, hex);
		assert_string_equal(hex, v->hex);
		btt_addr_tron_encode(a, tron);
		assert_string_equal(tron, v->tron);
		assert_int_equal(btt_addr_parse(v->hex, strlen(v->hex), b), 0);
		assert_int_equal(btt_addr_parse(v->tron, strlen(v->tron), c),
				 0);
		assert_memory_equal(a, b, BTT_ADDR_LEN);
		assert_memory_equal(a, c, BTT_ADDR_LEN);
	}
}

static void test_address_key_one_tron_hex(void **state)
{
	uint8_t key[32] = {0}, a[BTT_ADDR_LEN], raw[32];
	char hex[2 * 21 + 1];
	static const char *t = "TMVQGm1qAQYVdetCeGRRkTWYYrLXuHK2HC";
	(void)state;

	key[31] = 1;
	assert_int_equal(btt_addr_from_key(key, a), 0);
	assert_int_equal(btt_base58check_decode(t, strlen(t), raw, sizeof(raw)),
			 21);
	btt_hex_encode(raw, 21, hex);
	assert_string_equal(hex, "417e5f4552091a69125d5dfcb7b8c2659029395bdf");
	assert_memory_equal(raw + 1, a, BTT_ADDR_LEN);
}

static void test_address_eip55_vectors(void **state)
{
	uint8_t a[BTT_ADDR_LEN];
	char out[BTT_ADDR_HEX_CHARS + 1];
	(void)state;

	for (size_t i = 0; i < sizeof(eip55) / sizeof(*eip55); i++) {
		assert_int_equal(hexdec(eip55[i], a), 0);
		btt_addr_hex_encode(a, out);
		assert_string_equal(out, eip55[i]);
	}
}

static void test_address_hex_case_rules(void **state)
{
	uint8_t a[BTT_ADDR_LEN], b[BTT_ADDR_LEN];
	(void)state;

	assert_int_equal(hexdec(eip55[0], a), 0);
	assert_int_equal(
		hexdec("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", b), 0);
	assert_memory_equal(a, b, BTT_ADDR_LEN);
	assert_int_equal(
		hexdec("0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED", b), 0);
	assert_memory_equal(a, b, BTT_ADDR_LEN);
	/* One letter's case flipped: the checksum catches it. */
	assert_int_equal(
		hexdec("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", b),
		BTT_ECHECKSUM);
	assert_int_equal(
		hexdec("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", b),
		BTT_ECHECKSUM);
}

static void test_address_hex_rejects_shape(void **state)
{
	uint8_t a[BTT_ADDR_LEN];
	(void)state;

	/* 39, 40 (valid) and 41 digits */
	assert_int_equal(hexdec("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae", a),
			 BTT_EINVALID);
	assert_int_equal(
		hexdec("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", a), 0);
	assert_int_equal(
		hexdec("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed0", a),
		BTT_EINVALID);
	assert_int_equal(
		hexdec("0X5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", a),
		BTT_EINVALID);
	assert_int_equal(
		hexdec("005aaeb6053f3e94c9b9a09f33669435e7ef1beaed", a),
		BTT_EINVALID);
	assert_int_equal(
		hexdec("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg", a),
		BTT_EMALFORMED);
	assert_int_equal(
		hexdec("0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea d", a),
		BTT_EMALFORMED);
	assert_int_equal(hexdec("", a), BTT_EINVALID);
}

static int trondec(const char *s, uint8_t out[BTT_ADDR_LEN])
{
	return btt_addr_tron_decode(s, strlen(s), out);
}

static void test_address_tron_rejects(void **state)
{
	uint8_t a[BTT_ADDR_LEN], raw[22];
	char s[64];
	int n;
	(void)state;

	/* Last character changed: checksum. */
	assert_int_equal(trondec("TMVQGm1qAQYVdetCeGRRkTWYYrLXuHK2HD", a),
			 BTT_ECHECKSUM);
	/* 33, 34 (valid) and 35 characters */
	assert_int_equal(trondec("TMVQGm1qAQYVdetCeGRRkTWYYrLXuHK2H", a),
			 BTT_EINVALID);
	assert_int_equal(trondec("TMVQGm1qAQYVdetCeGRRkTWYYrLXuHK2HC", a), 0);
	assert_int_equal(trondec("TMVQGm1qAQYVdetCeGRRkTWYYrLXuHK2HCx", a),
			 BTT_EINVALID);
	/* Not base58 ('0' is outside the alphabet). */
	assert_int_equal(trondec("TMVQGm1qAQYVdetCeGRRkTWYYrLXuHK20C", a),
			 BTT_EMALFORMED);
	/* Right length, wrong first letter. */
	assert_int_equal(trondec("AMVQGm1qAQYVdetCeGRRkTWYYrLXuHK2HC", a),
			 BTT_EINVALID);
	/* Valid base58check with another version byte. */
	memset(raw, 0, sizeof(raw));
	raw[0] = 0x42;
	n = btt_base58check_encode(raw, 21, s, sizeof(s));
	assert_int_equal(n, BTT_ADDR_TRON_CHARS);
	assert_int_equal(btt_addr_tron_decode(s, (size_t)n, a), BTT_EINVALID);
	/* 0x41 with 19 and 21 address bytes: wrong length. */
	raw[0] = BTT_ADDR_TRON_PREFIX;
	n = btt_base58check_encode(raw, 20, s, sizeof(s));
	assert_true(n > 0);
	assert_int_equal(btt_addr_tron_decode(s, (size_t)n, a), BTT_EINVALID);
	n = btt_base58check_encode(raw, 22, s, sizeof(s));
	assert_true(n > 0);
	assert_int_equal(btt_addr_tron_decode(s, (size_t)n, a), BTT_EINVALID);
	assert_int_equal(btt_addr_parse("xyz", 3, a), BTT_EINVALID);
	assert_int_equal(btt_addr_parse("", 0, a), BTT_EINVALID);
}

static void test_address_from_pub_rejects_prefix(void **state)
{
	uint8_t pub[BTT_SECP_PUB_LEN] = {0x02}, a[BTT_ADDR_LEN];
	uint8_t key[32] = {0};
	(void)state;

	assert_int_equal(btt_addr_from_pub(pub, a), BTT_EINVALID);
	assert_int_equal(btt_addr_from_key(key, a), BTT_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_address_key_vectors),
		cmocka_unit_test(test_address_key_one_tron_hex),
		cmocka_unit_test(test_address_eip55_vectors),
		cmocka_unit_test(test_address_hex_case_rules),
		cmocka_unit_test(test_address_hex_rejects_shape),
		cmocka_unit_test(test_address_tron_rejects),
		cmocka_unit_test(test_address_from_pub_rejects_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
