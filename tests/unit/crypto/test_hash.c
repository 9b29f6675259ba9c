/* SHA-1, SHA-256 and keccak-256 against published vectors, one-shot and
 * incremental in awkward chunk sizes around the block boundaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include "core/codec.h"
#include "crypto/hash.h"

static const char fips_448[] =
	"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

static void assert_hex(const uint8_t *d, size_t n, const char *want)
{
	char got[2 * 64 + 1];
	assert_true(n <= 64);
	btt_hex_encode(d, n, got);
	assert_string_equal(got, want);
}

/* (i * 7 + 3) mod 256: a pattern without long runs, so a misplaced byte
 * changes the digest. */
static void pattern(uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(i * 7 + 3);
}

static void keccak_chunked(const uint8_t *p, size_t n, size_t chunk,
			   uint8_t out[BTT_KECCAK256_LEN])
{
	struct btt_keccak256 h;
	btt_keccak256_init(&h);
	for (size_t off = 0; off < n; off += chunk)
		btt_keccak256_update(&h, p + off,
				     n - off < chunk ? n - off : chunk);
	btt_keccak256_final(&h, out);
}

static void test_hash_keccak256_vectors(void **state)
{
	static const char fox[] = "The quick brown fox jumps over the lazy dog";
	uint8_t d[32], a3[200];
	(void)state;

	btt_keccak256("", 0, d);
	assert_hex(d, 32,
		   "c5d2460186f7233c927e7db2dcc703c0"
		   "e500b653ca82273b7bfad8045d85a470");
	btt_keccak256("abc", 3, d);
	assert_hex(d, 32,
		   "4e03657aea45a94fc7d47ba826c8d667"
		   "c0d1e6e33a64a036ec44f58fa12d6c45");
	btt_keccak256(fox, strlen(fox), d);
	assert_hex(d, 32,
		   "4d741b6f1eb29cb2a9b9911c82f56fa8"
		   "d73b04959d3d9d222895df6c0b28aa15");
	memset(a3, 0xa3, sizeof(a3));
	btt_keccak256(a3, sizeof(a3), d);
	assert_hex(d, 32,
		   "3a57666b048777f2c953dc4456f45a25"
		   "88e1cb6f2da760122d530ac2ce607d4a");
}

static void test_hash_keccak256_block_boundary(void **state)
{
	static const struct {
		size_t n;
		const char *hex;
	} v[] = {
		{135, "00ef96af9cf4b24c7f269d922294444a"
		      "197d0a33638c2e56634c57e892103a8f"},
		{136, "742061bcad767ed4c4f5883b1dcb1aad"
		      "11afdcc140dc469d953759b127b9f9ed"},
		{137, "e3371f61e770abf254c34239c3b0099a"
		      "d90594507415bc81dd0a10b9692bbf2a"},
		{272, "ac141fd7b0a0ffcd2e967254d508da3e"
		      "c616596493c36fa304425647d90e6de5"},
		{1000, "80cdc8dd52cbb3dbaea8f383209893fa"
		       "2bb52efbd5aedbb4b26dcfe307fcdc9b"},
	};
	static const size_t chunks[] = {1, 7, 64, 135, 136, 137, 1000};
	uint8_t buf[1000], d[32], c[32];
	(void)state;

	pattern(buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		btt_keccak256(buf, v[i].n, d);
		assert_hex(d, 32, v[i].hex);
		for (size_t j = 0; j < sizeof(chunks) / sizeof(chunks[0]);
		     j++) {
			keccak_chunked(buf, v[i].n, chunks[j], c);
			assert_memory_equal(c, d, 32);
		}
	}
}

static void test_hash_keccak256_empty_updates(void **state)
{
	struct btt_keccak256 h;
	uint8_t d[32];
	(void)state;

	btt_keccak256_init(&h);
	btt_keccak256_update(&h, NULL, 0);
	btt_keccak256_update(&h, "ab", 2);
	btt_keccak256_update(&h, NULL, 0);
	btt_keccak256_update(&h, "c", 1);
	btt_keccak256_final(&h, d);
	assert_hex(d, 32,
		   "4e03657aea45a94fc7d47ba826c8d667"
		   "c0d1e6e33a64a036ec44f58fa12d6c45");
}

static void test_hash_sha1_vectors(void **state)
{
	uint8_t d[BTT_SHA1_LEN];
	struct btt_sha1 h;
	(void)state;

	btt_sha1("abc", 3, d);
	assert_hex(d, 20, "a9993e364706816aba3e25717850c26c9cd0d89d");
	btt_sha1("", 0, d);
	assert_hex(d, 20, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	btt_sha1(fips_448, strlen(fips_448), d);
	assert_hex(d, 20, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");

	btt_sha1_init(&h);
	for (size_t i = 0; i < strlen(fips_448); i += 5)
		btt_sha1_update(&h, fips_448 + i,
				strlen(fips_448) - i < 5 ? strlen(fips_448) - i
							 : 5);
	btt_sha1_final(&h, d);
	assert_null(h.evp);
	assert_hex(d, 20, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");

	btt_sha1_init(&h);
	btt_sha1_final(&h, d);
	assert_hex(d, 20, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

static void test_hash_sha256_vectors(void **state)
{
	uint8_t d[BTT_SHA256_LEN];
	struct btt_sha256 h;
	(void)state;

	btt_sha256("abc", 3, d);
	assert_hex(d, 32,
		   "ba7816bf8f01cfea414140de5dae2223"
		   "b00361a396177a9cb410ff61f20015ad");
	btt_sha256("", 0, d);
	assert_hex(d, 32,
		   "e3b0c44298fc1c149afbf4c8996fb924"
		   "27ae41e4649b934ca495991b7852b855");
	btt_sha256(fips_448, strlen(fips_448), d);
	assert_hex(d, 32,
		   "248d6a61d20638b8e5c026930c3e6039"
		   "a33ce45964ff2167f6ecedd419db06c1");

	btt_sha256_init(&h);
	btt_sha256_update(&h, "a", 1);
	btt_sha256_update(&h, NULL, 0);
	btt_sha256_update(&h, "bc", 2);
	btt_sha256_final(&h, d);
	assert_null(h.evp);
	assert_hex(d, 32,
		   "ba7816bf8f01cfea414140de5dae2223"
		   "b00361a396177a9cb410ff61f20015ad");
}

static void test_hash_million_a_incremental(void **state)
{
	static uint8_t a[1000];
	struct btt_sha1 h1;
	struct btt_sha256 h2;
	struct btt_keccak256 hk;
	uint8_t d1[20], d2[32], dk[32];
	(void)state;

	memset(a, 'a', sizeof(a));
	btt_sha1_init(&h1);
	btt_sha256_init(&h2);
	btt_keccak256_init(&hk);
	for (int i = 0; i < 1000; i++) {
		btt_sha1_update(&h1, a, sizeof(a));
		btt_sha256_update(&h2, a, sizeof(a));
		btt_keccak256_update(&hk, a, sizeof(a));
	}
	btt_sha1_final(&h1, d1);
	btt_sha256_final(&h2, d2);
	btt_keccak256_final(&hk, dk);
	assert_hex(d1, 20, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	assert_hex(d2, 32,
		   "cdc76e5c9914fb9281a1c7e284d73e67"
		   "f1809a48a497200e046d39ccc7112cd0");
	assert_hex(dk, 32,
		   "fadae6b49f129bbb812be8407b7b2894"
		   "f34aecf6dbd1f9b0f0c7e9853098fc96");
}

static void test_hash_release_without_final(void **state)
{
	struct btt_sha1 h1 = {0};
	struct btt_sha256 h2 = {0};
	(void)state;

	/* Zeroed contexts release as no-ops; live ones free their state
	 * (the sanitizer build would report a leak otherwise). */
	btt_sha1_release(&h1);
	btt_sha256_release(&h2);
	btt_sha1_init(&h1);
	btt_sha1_update(&h1, "x", 1);
	btt_sha1_release(&h1);
	assert_null(h1.evp);
	btt_sha256_init(&h2);
	btt_sha256_update(&h2, "x", 1);
	btt_sha256_release(&h2);
	assert_null(h2.evp);
	btt_sha256_release(&h2);
}

static void *hash_thread(void *arg)
{
	uint8_t *out = arg;
	for (int i = 0; i < 200; i++) {
		btt_sha1("abc", 3, out);
		btt_sha256("abc", 3, out + 20);
	}
	return NULL;
}

static void test_hash_threads_share_cached_md(void **state)
{
	pthread_t t[4];
	uint8_t out[4][52];
	(void)state;

	for (int i = 0; i < 4; i++)
		assert_int_equal(
			pthread_create(&t[i], NULL, hash_thread, out[i]), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_hex(out[i], 20,
			   "a9993e364706816aba3e25717850c26c9cd0d89d");
		assert_hex(out[i] + 20, 32,
			   "ba7816bf8f01cfea414140de5dae2223"
			   "b00361a396177a9cb410ff61f20015ad");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_keccak256_vectors),
		cmocka_unit_test(test_hash_keccak256_block_boundary),
		cmocka_unit_test(test_hash_keccak256_empty_updates),
		cmocka_unit_test(test_hash_sha1_vectors),
		cmocka_unit_test(test_hash_sha256_vectors),
		cmocka_unit_test(test_hash_million_a_incremental),
		cmocka_unit_test(test_hash_release_without_final),
		cmocka_unit_test(test_hash_threads_share_cached_md),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
