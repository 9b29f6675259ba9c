/* Key file codec: round trip, wrong passphrase, tampering, and every
 * header field's rejection, including the KDF cost caps at max-1/max/max+1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <sodium.h>

#include "btt/err.h"
#include "core/limits.h"
#include "wallet/wallet.h"

/* The cheapest cost libsodium allows keeps these tests fast. */
static const struct btt_wallet_kdf cheap = {1, 8192};

#define OFF_VERSION 4
#define OFF_KDF 5
#define OFF_AEAD 6
#define OFF_ADDR 7
#define OFF_OPS 27
#define OFF_MEM 31
#define OFF_SALT 39
#define OFF_NONCE 55
#define OFF_CT 79

static void put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static void seal_key(uint8_t last, const char *pass,
		     const struct btt_wallet_kdf *kdf,
		     uint8_t file[BTT_WALLET_FILE_LEN])
{
	uint8_t key[32] = {0};

	key[31] = last;
	assert_int_equal(
		btt_wallet_file_seal(key, pass, strlen(pass), kdf, file), 0);
}

static void test_keyfile_roundtrip_and_layout(void **state)
{
	uint8_t file[BTT_WALLET_FILE_LEN], key[32], addr[20], want[20];
	uint8_t one[32] = {[31] = 1};
	(void)state;

	seal_key(1, "correct horse", &cheap, file);
	assert_memory_equal(file, "BTTK\x01\x01\x01", 7);
	assert_int_equal(btt_addr_from_key(one, want), 0);
	assert_memory_equal(file + OFF_ADDR, want, 20);
	assert_memory_equal(file + OFF_OPS, "\0\0\0\x01", 4);
	assert_memory_equal(file + OFF_MEM, "\0\0\0\0\0\0\x20\0", 8);
	assert_int_equal(btt_wallet_file_open(file, sizeof(file),
					      "correct horse", 13, key, addr),
			 0);
	assert_memory_equal(key, one, 32);
	assert_memory_equal(addr, want, 20);
}

static void test_keyfile_fresh_salt_and_nonce(void **state)
{
	uint8_t a[BTT_WALLET_FILE_LEN], b[BTT_WALLET_FILE_LEN];
	(void)state;

	seal_key(1, "pw", &cheap, a);
	seal_key(1, "pw", &cheap, b);
	assert_memory_not_equal(a + OFF_SALT, b + OFF_SALT, 16);
	assert_memory_not_equal(a + OFF_NONCE, b + OFF_NONCE, 24);
	assert_memory_not_equal(a + OFF_CT, b + OFF_CT, 48);
}

static void test_keyfile_wrong_passphrase(void **state)
{
	uint8_t file[BTT_WALLET_FILE_LEN], key[32], addr[20], zero[32] = {0};
	(void)state;

	seal_key(9, "right", &cheap, file);
	memset(key, 0x55, sizeof(key));
	assert_int_equal(
		btt_wallet_file_open(file, sizeof(file), "wrong", 5, key, addr),
		BTT_EAUTH);
	assert_memory_equal(key, zero, 32);
	assert_int_equal(
		btt_wallet_file_open(file, sizeof(file), "righ", 4, key, addr),
		BTT_EAUTH);
	assert_int_equal(
		btt_wallet_file_open(file, sizeof(file), "", 0, key, addr),
		BTT_EAUTH);
}

/* Any single flipped bit anywhere in the file is refused. */
static void test_keyfile_every_bit_flip_fails(void **state)
{
	uint8_t file[BTT_WALLET_FILE_LEN], t[BTT_WALLET_FILE_LEN];
	uint8_t key[32], addr[20];
	(void)state;

	seal_key(3, "pw", &cheap, file);
	for (size_t i = 0; i < sizeof(file); i++) {
		int err;
		memcpy(t, file, sizeof(t));
		t[i] ^= 0x02;
		err = btt_wallet_file_open(t, sizeof(t), "pw", 2, key, addr);
		assert_true(err < 0);
		/* Header fields fail to parse or fail authentication; the
		 * address, opslimit 1 -> 3, salt, nonce and ciphertext
		 * reach the AEAD. */
		if ((i >= OFF_ADDR && i < OFF_OPS) || i == OFF_MEM - 1 ||
		    i >= OFF_SALT)
			assert_int_equal(err, BTT_EAUTH);
	}
}

static void test_keyfile_parse_length(void **state)
{
	uint8_t file[BTT_WALLET_FILE_LEN + 1] = {0};
	struct btt_wallet_file f;
	(void)state;

	seal_key(1, "pw", &cheap, file);
	assert_int_equal(btt_wallet_file_parse(file, 0, &f), BTT_ETRUNCATED);
	assert_int_equal(btt_wallet_file_parse(file, 3, &f), BTT_ETRUNCATED);
	assert_int_equal(btt_wallet_file_parse(file, 6, &f), BTT_ETRUNCATED);
	assert_int_equal(
		btt_wallet_file_parse(file, BTT_WALLET_FILE_LEN - 1, &f),
		BTT_ETRUNCATED);
	assert_int_equal(btt_wallet_file_parse(file, BTT_WALLET_FILE_LEN, &f),
			 0);
	assert_int_equal(
		btt_wallet_file_parse(file, BTT_WALLET_FILE_LEN + 1, &f),
		BTT_ETRAILING);
}

static void test_keyfile_parse_ids(void **state)
{
	uint8_t file[BTT_WALLET_FILE_LEN], t[BTT_WALLET_FILE_LEN];
	struct btt_wallet_file f;
	static const struct {
		size_t off;
		uint8_t val;
		int err;
	} cases[] = {
		{0, 'b', BTT_EMALFORMED},
		{3, 'L', BTT_EMALFORMED},
		{OFF_VERSION, 0, BTT_EUNSUPPORTED},
		{OFF_VERSION, 2, BTT_EUNSUPPORTED},
		{OFF_KDF, 0, BTT_EUNSUPPORTED},
		{OFF_KDF, 2, BTT_EUNSUPPORTED},
		{OFF_AEAD, 0, BTT_EUNSUPPORTED},
		{OFF_AEAD, 2, BTT_EUNSUPPORTED},
	};
	(void)state;

	seal_key(1, "pw", &cheap, file);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		memcpy(t, file, sizeof(t));
		t[cases[i].off] = cases[i].val;
		assert_int_equal(btt_wallet_file_parse(t, sizeof(t), &f),
				 cases[i].err);
	}
}

static int parse_with(const uint8_t *file, uint32_t ops, uint64_t mem)
{
	uint8_t t[BTT_WALLET_FILE_LEN];
	struct btt_wallet_file f;

	memcpy(t, file, sizeof(t));
	put_be(t + OFF_OPS, ops, 4);
	put_be(t + OFF_MEM, mem, 8);
	return btt_wallet_file_parse(t, sizeof(t), &f);
}

static void test_keyfile_kdf_limits(void **state)
{
	uint8_t file[BTT_WALLET_FILE_LEN];
	const uint64_t mmax = BTT_KEYSTORE_MAX_MEMLIMIT;
	(void)state;

	seal_key(1, "pw", &cheap, file);
	assert_int_equal(parse_with(file, 0, 8192), BTT_ELIMIT);
	assert_int_equal(parse_with(file, 1, 8192), 0);
	assert_int_equal(parse_with(file, BTT_KEYSTORE_MAX_OPSLIMIT - 1, 8192),
			 0);
	assert_int_equal(parse_with(file, BTT_KEYSTORE_MAX_OPSLIMIT, 8192), 0);
	assert_int_equal(parse_with(file, BTT_KEYSTORE_MAX_OPSLIMIT + 1, 8192),
			 BTT_ELIMIT);
	assert_int_equal(parse_with(file, UINT32_MAX, 8192), BTT_ELIMIT);
	assert_int_equal(parse_with(file, 1, 8191), BTT_ELIMIT);
	assert_int_equal(parse_with(file, 1, mmax - 1), 0);
	assert_int_equal(parse_with(file, 1, mmax), 0);
	assert_int_equal(parse_with(file, 1, mmax + 1), BTT_ELIMIT);
	assert_int_equal(parse_with(file, 1, UINT64_MAX), BTT_ELIMIT);
}

static void test_keyfile_seal_rejects(void **state)
{
	uint8_t key[32] = {[31] = 1}, bad[32] = {0};
	uint8_t file[BTT_WALLET_FILE_LEN];
	struct btt_wallet_kdf k;
	(void)state;

	assert_int_equal(btt_wallet_file_seal(bad, "pw", 2, &cheap, file),
			 BTT_EINVALID);
	memset(bad, 0xff, sizeof(bad));
	assert_int_equal(btt_wallet_file_seal(bad, "pw", 2, &cheap, file),
			 BTT_EINVALID);
	k = cheap;
	k.opslimit = BTT_KEYSTORE_MAX_OPSLIMIT + 1;
	assert_int_equal(btt_wallet_file_seal(key, "pw", 2, &k, file),
			 BTT_ELIMIT);
	k = cheap;
	k.memlimit = 4096;
	assert_int_equal(btt_wallet_file_seal(key, "pw", 2, &k, file),
			 BTT_ELIMIT);
}

/* The most passes a file may ask for still opens. */
static void test_keyfile_max_opslimit_opens(void **state)
{
	struct btt_wallet_kdf k = {BTT_KEYSTORE_MAX_OPSLIMIT, 8192};
	uint8_t file[BTT_WALLET_FILE_LEN], key[32], addr[20];
	(void)state;

	seal_key(5, "pw", &k, file);
	assert_int_equal(
		btt_wallet_file_open(file, sizeof(file), "pw", 2, key, addr),
		0);
	assert_int_equal(key[31], 5);
}

/* A file whose header names one address but whose (authentic) ciphertext
 * holds another key is refused rather than trusted. */
static void test_keyfile_address_mismatch(void **state)
{
	uint8_t file[BTT_WALLET_FILE_LEN], key[32], addr[20], k[32];
	uint8_t two[32] = {[31] = 2};
	(void)state;

	seal_key(1, "pw", &cheap, file);
	assert_int_equal(btt_addr_from_key(two, file + OFF_ADDR), 0);
	assert_int_equal(crypto_pwhash(k, 32, "pw", 2, file + OFF_SALT, 1, 8192,
				       crypto_pwhash_ALG_ARGON2ID13),
			 0);
	key[31] = 1;
	memset(key, 0, 31);
	crypto_aead_xchacha20poly1305_ietf_encrypt(file + OFF_CT, NULL, key, 32,
						   file, OFF_CT, NULL,
						   file + OFF_NONCE, k);
	assert_int_equal(
		btt_wallet_file_open(file, sizeof(file), "pw", 2, key, addr),
		BTT_EMALFORMED);
}

static void test_keyfile_default_costs(void **state)
{
	struct btt_wallet_kdf k;
	(void)state;

	btt_wallet_kdf_default(false, &k);
	assert_int_equal(k.opslimit, crypto_pwhash_OPSLIMIT_MODERATE);
	assert_true(k.memlimit == crypto_pwhash_MEMLIMIT_MODERATE);
	assert_true(k.opslimit <= BTT_KEYSTORE_MAX_OPSLIMIT);
	assert_true(k.memlimit <= BTT_KEYSTORE_MAX_MEMLIMIT);
	btt_wallet_kdf_default(true, &k);
	assert_int_equal(k.opslimit, crypto_pwhash_OPSLIMIT_INTERACTIVE);
	assert_true(k.memlimit == crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keyfile_roundtrip_and_layout),
		cmocka_unit_test(test_keyfile_fresh_salt_and_nonce),
		cmocka_unit_test(test_keyfile_wrong_passphrase),
		cmocka_unit_test(test_keyfile_every_bit_flip_fails),
		cmocka_unit_test(test_keyfile_parse_length),
		cmocka_unit_test(test_keyfile_parse_ids),
		cmocka_unit_test(test_keyfile_kdf_limits),
		cmocka_unit_test(test_keyfile_seal_rejects),
		cmocka_unit_test(test_keyfile_max_opslimit_opens),
		cmocka_unit_test(test_keyfile_address_mismatch),
		cmocka_unit_test(test_keyfile_default_costs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
