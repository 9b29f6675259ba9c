/* secp256k1 keys and recoverable ECDSA signatures (libsecp256k1).
 *
 * One library context is created on first use, randomised from the
 * CSPRNG, and then only read, so every function here may be called from
 * any thread. Signatures are 65 bytes r || s || v with r and s big-endian
 * and v the recovery id (0 or 1), the layout Ethereum's ecrecover takes
 * (minus its +27). Only the canonical form is accepted anywhere: 0 < r < n,
 * 0 < s <= n/2 (low S), v <= 1; libsecp256k1's recover alone would accept
 * high S, which would make every signature malleable.
 *
 * Private keys are 32 big-endian bytes k with 0 < k < n. Functions here
 * never keep a copy of one; callers wipe theirs (sodium_memzero). */
#ifndef BTT_CRYPTO_SECP_H
#define BTT_CRYPTO_SECP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BTT_SECP_PRIV_LEN 32
#define BTT_SECP_PUB_LEN 65 /* 0x04 || X || Y */
#define BTT_SECP_SIG_LEN 65 /* r || s || v */
#define BTT_SECP_HASH_LEN 32

/* True when 0 < key < n. */
bool btt_secp_key_valid(const uint8_t key[BTT_SECP_PRIV_LEN]);

/* Fills out_key with a fresh valid key from the CSPRNG. Returns 0 or
 * BTT_ECRYPTO (library initialisation failed). */
int btt_secp_key_generate(uint8_t out_key[BTT_SECP_PRIV_LEN]);

/* The uncompressed public key of a private key. Returns 0 or BTT_EINVALID
 * (the key is not in 0 < k < n). */
int btt_secp_pub_derive(const uint8_t key[BTT_SECP_PRIV_LEN],
			uint8_t out_pub[BTT_SECP_PUB_LEN]);

/* Signs a 32-byte hash deterministically (RFC 6979). The result is always
 * canonical (low S). Returns 0, BTT_EINVALID (bad key) or BTT_ECRYPTO. */
int btt_secp_sign(const uint8_t key[BTT_SECP_PRIV_LEN],
		  const uint8_t hash[BTT_SECP_HASH_LEN],
		  uint8_t out_sig[BTT_SECP_SIG_LEN]);

/* Checks the canonical form only (ranges of r, s, v; no curve math).
 * Returns 0 or BTT_ESIGNATURE. */
int btt_secp_sig_check(const uint8_t sig[BTT_SECP_SIG_LEN]);

/* Recovers the uncompressed public key that made sig over hash. Returns 0
 * or BTT_ESIGNATURE (not canonical, or no key recovers). */
int btt_secp_recover(const uint8_t hash[BTT_SECP_HASH_LEN],
		     const uint8_t sig[BTT_SECP_SIG_LEN],
		     uint8_t out_pub[BTT_SECP_PUB_LEN]);

/* Verifies sig over hash against an uncompressed public key; v must match
 * too, so a signature that verifies here also recovers to pub. Returns 0,
 * BTT_EINVALID (pub is not a curve point) or BTT_ESIGNATURE. */
int btt_secp_verify(const uint8_t pub[BTT_SECP_PUB_LEN],
		    const uint8_t hash[BTT_SECP_HASH_LEN],
		    const uint8_t sig[BTT_SECP_SIG_LEN]);

#endif
