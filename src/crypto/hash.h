/* Hashes: SHA-1 and SHA-256 through OpenSSL EVP (SHA-NI where the CPU has
 * it), and keccak-256 (the original Keccak padding used by Ethereum, not
 * FIPS SHA3-256), written here because no Debian library exports it.
 *
 * Contexts are plain structs that may be copied only between _init and
 * _final; one context per thread. Allocation failure inside OpenSSL aborts
 * (it is not input-driven). */
#ifndef BTT_CRYPTO_HASH_H
#define BTT_CRYPTO_HASH_H

#include <stddef.h>
#include <stdint.h>

#define BTT_SHA1_LEN 20
#define BTT_SHA256_LEN 32
#define BTT_KECCAK256_LEN 32

struct btt_sha1 {
	void *evp; /* EVP_MD_CTX */
};
struct btt_sha256 {
	void *evp;
};

void btt_sha1(const void *p, size_t n, uint8_t out[BTT_SHA1_LEN]);
void btt_sha1_init(struct btt_sha1 *h);
void btt_sha1_update(struct btt_sha1 *h, const void *p, size_t n);
void btt_sha1_final(struct btt_sha1 *h, uint8_t out[BTT_SHA1_LEN]);
/* Frees the context without producing a digest (_final also frees). */
void btt_sha1_release(struct btt_sha1 *h);

void btt_sha256(const void *p, size_t n, uint8_t out[BTT_SHA256_LEN]);
void btt_sha256_init(struct btt_sha256 *h);
void btt_sha256_update(struct btt_sha256 *h, const void *p, size_t n);
void btt_sha256_final(struct btt_sha256 *h, uint8_t out[BTT_SHA256_LEN]);
void btt_sha256_release(struct btt_sha256 *h);

struct btt_keccak256 {
	uint64_t st[25];
	size_t pos; /* bytes absorbed into the current block */
};

void btt_keccak256(const void *p, size_t n, uint8_t out[BTT_KECCAK256_LEN]);
void btt_keccak256_init(struct btt_keccak256 *h);
void btt_keccak256_update(struct btt_keccak256 *h, const void *p, size_t n);
void btt_keccak256_final(struct btt_keccak256 *h,
			 uint8_t out[BTT_KECCAK256_LEN]);

#endif
