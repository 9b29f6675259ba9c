/* The wallet: private keys encrypted at rest, one file per key in a
 * keystore directory.
 *
 * Key file, version 1 (127 bytes, integers big-endian; docs/ledger.md):
 *   "BTTK" | u8 version = 1 | u8 kdf = 1 (Argon2id v1.3) |
 *   u8 aead = 1 (XChaCha20-Poly1305) | address[20] | u32 opslimit |
 *   u64 memlimit | salt[16] | nonce[24] | ciphertext[48] (key + tag)
 * The AEAD key is Argon2id(passphrase, salt, opslimit, memlimit); the
 * associated data is every byte before the ciphertext, so the address and
 * the KDF parameters cannot be altered without failing decryption.
 *
 * A keystore directory holds "<40 lower-case hex digits>.key" files
 * (mode 0600) and is created with mode 0700. Files are written to a
 * temporary name, fsynced, linked into place (never replacing an existing
 * key) and the directory is fsynced.
 *
 * Keys returned to callers are theirs to wipe (sodium_memzero). */
#ifndef BTT_WALLET_WALLET_H
#define BTT_WALLET_WALLET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/address.h"
#include "crypto/secp.h"

#define BTT_WALLET_FILE_VERSION 1
#define BTT_WALLET_FILE_LEN 127
#define BTT_WALLET_SALT_LEN 16
#define BTT_WALLET_NONCE_LEN 24
#define BTT_WALLET_CT_LEN 48 /* 32-byte key + 16-byte tag */
#define BTT_WALLET_AD_LEN (BTT_WALLET_FILE_LEN - BTT_WALLET_CT_LEN)

/* Argon2id cost. Parsed files must lie within libsodium's minimum and the
 * caps in core/limits.h. */
struct btt_wallet_kdf {
	uint32_t opslimit;
	uint64_t memlimit; /* bytes */
};

/* libsodium's MODERATE cost (3 passes, 256 MiB: about a second), or its
 * INTERACTIVE cost (2 passes, 64 MiB) when `fast`. */
void btt_wallet_kdf_default(bool fast, struct btt_wallet_kdf *out);

/* A parsed key file: everything but the plaintext. */
struct btt_wallet_file {
	uint8_t addr[BTT_ADDR_LEN];
	struct btt_wallet_kdf kdf;
	uint8_t salt[BTT_WALLET_SALT_LEN];
	uint8_t nonce[BTT_WALLET_NONCE_LEN];
	uint8_t ct[BTT_WALLET_CT_LEN];
};

/* Encrypts key under the passphrase into out. Returns 0, BTT_EINVALID
 * (bad key), BTT_ELIMIT (KDF cost out of range) or -ENOMEM (the KDF could
 * not get its memory). */
int btt_wallet_file_seal(const uint8_t key[BTT_SECP_PRIV_LEN], const char *pass,
			 size_t pass_len, const struct btt_wallet_kdf *kdf,
			 uint8_t out[BTT_WALLET_FILE_LEN]);

/* Parses and checks a key file's bytes without decrypting. Returns 0,
 * BTT_ETRUNCATED, BTT_ETRAILING, BTT_EMALFORMED (magic), BTT_EUNSUPPORTED
 * (version, KDF or AEAD id) or BTT_ELIMIT (KDF cost out of range). */
int btt_wallet_file_parse(const uint8_t *p, size_t n,
			  struct btt_wallet_file *out);

/* Parses and decrypts a key file. On success out_key holds the key and
 * out_addr its address. Returns 0, a _parse error, BTT_EAUTH (wrong
 * passphrase or altered file), BTT_EMALFORMED (the key does not match the
 * stored address) or -ENOMEM. out_key is wiped on failure. */
int btt_wallet_file_open(const uint8_t *p, size_t n, const char *pass,
			 size_t pass_len, uint8_t out_key[BTT_SECP_PRIV_LEN],
			 uint8_t out_addr[BTT_ADDR_LEN]);

/* "$HOME/.btt/keystore" into out. Returns 0, -ENOENT (no HOME) or
 * -ENAMETOOLONG. */
int btt_wallet_dir_default(char *out, size_t cap);

/* Creates dir and any missing parents with mode 0700. Returns 0 or
 * -errno. An existing directory is left as it is. */
int btt_wallet_dir_create(const char *dir);

/* Seals key into a new file in dir (created if missing) and returns its
 * address. Returns 0, -EEXIST (the address already has a file), a _seal
 * error, or -errno. */
int btt_wallet_store(const char *dir, const uint8_t key[BTT_SECP_PRIV_LEN],
		     const char *pass, size_t pass_len,
		     const struct btt_wallet_kdf *kdf,
		     uint8_t out_addr[BTT_ADDR_LEN]);

/* Reads and decrypts the key of addr. Returns 0, -ENOENT (no such
 * account), BTT_ELIMIT (file larger than BTT_KEYSTORE_MAX_FILE), an
 * _open error, or -errno. out_key is wiped on failure. */
int btt_wallet_load(const char *dir, const uint8_t addr[BTT_ADDR_LEN],
		    const char *pass, size_t pass_len,
		    uint8_t out_key[BTT_SECP_PRIV_LEN]);

/* The addresses in dir, ascending, as one malloc'd array of n * 20 bytes
 * (NULL when n is 0; free() it). A missing directory holds no accounts.
 * Files that are not valid key files, or whose name disagrees with the
 * address inside, are skipped with a warning. Returns 0 or -errno. */
int btt_wallet_list(const char *dir, uint8_t **out, size_t *out_n);

#endif
