/* The key file codec: Argon2id + XChaCha20-Poly1305 around one 32-byte
 * secp256k1 key (layout in wallet.h and docs/ledger.md).
 *
 * A key file is parsed as untrusted bytes (anyone who can write the
 * directory can plant one): the cursor reads it, the KDF cost is bounded
 * before any work is done, and the derived key and plaintext live only in
 * buffers that are wiped on every path out. */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "btt/err.h"
#include "core/cur.h"
#include "core/limits.h"
#include "core/wbuf.h"
#include "wallet/wallet.h"

#define MAGIC "BTTK"
#define KDF_ARGON2ID13 1
#define AEAD_XCHACHA20POLY1305 1
#define AEAD_KEY_LEN crypto_aead_xchacha20poly1305_ietf_KEYBYTES

_Static_assert(BTT_WALLET_SALT_LEN == crypto_pwhash_SALTBYTES, "salt size");
_Static_assert(BTT_WALLET_NONCE_LEN ==
		       crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
	       "nonce size");
_Static_assert(BTT_WALLET_CT_LEN ==
		       BTT_SECP_PRIV_LEN +
			       crypto_aead_xchacha20poly1305_ietf_ABYTES,
	       "ciphertext size");
_Static_assert(BTT_WALLET_AD_LEN == 4 + 3 + BTT_ADDR_LEN + 4 + 8 +
					    BTT_WALLET_SALT_LEN +
					    BTT_WALLET_NONCE_LEN,
	       "header size");

void btt_wallet_kdf_default(bool fast, struct btt_wallet_kdf *out)
{
	out->opslimit = fast ? crypto_pwhash_OPSLIMIT_INTERACTIVE
			     : crypto_pwhash_OPSLIMIT_MODERATE;
	out->memlimit = fast ? crypto_pwhash_MEMLIMIT_INTERACTIVE
			     : crypto_pwhash_MEMLIMIT_MODERATE;
}

static int kdf_check(const struct btt_wallet_kdf *kdf)
{
	if (kdf->opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
	    kdf->opslimit > BTT_KEYSTORE_MAX_OPSLIMIT ||
	    kdf->memlimit < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
	    kdf->memlimit > BTT_KEYSTORE_MAX_MEMLIMIT)
		return BTT_ELIMIT;
	return 0;
}

/* Derives the AEAD key. Argon2id fails only when it cannot allocate its
 * memory (the other failure modes are excluded by kdf_check). */
static int derive(const char *pass, size_t pass_len,
		  const struct btt_wallet_kdf *kdf,
		  const uint8_t salt[BTT_WALLET_SALT_LEN],
		  uint8_t out[AEAD_KEY_LEN])
{
	if (crypto_pwhash(out, AEAD_KEY_LEN, pass, pass_len, salt,
			  kdf->opslimit, (size_t)kdf->memlimit,
			  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		sodium_memzero(out, AEAD_KEY_LEN);
		return -ENOMEM;
	}
	return 0;
}

/* Writes the header (everything before the ciphertext). */
static void put_header(const struct btt_wallet_file *f, struct btt_wbuf *w)
{
	btt_wbuf_put(w, MAGIC, 4);
	btt_wbuf_put_u8(w, BTT_WALLET_FILE_VERSION);
	btt_wbuf_put_u8(w, KDF_ARGON2ID13);
	btt_wbuf_put_u8(w, AEAD_XCHACHA20POLY1305);
	btt_wbuf_put(w, f->addr, BTT_ADDR_LEN);
	btt_wbuf_put_u32be(w, f->kdf.opslimit);
	btt_wbuf_put_u64be(w, f->kdf.memlimit);
	btt_wbuf_put(w, f->salt, BTT_WALLET_SALT_LEN);
	btt_wbuf_put(w, f->nonce, BTT_WALLET_NONCE_LEN);
}

int btt_wallet_file_seal(const uint8_t key[BTT_SECP_PRIV_LEN], const char *pass,
			 size_t pass_len, const struct btt_wallet_kdf *kdf,
			 uint8_t out[BTT_WALLET_FILE_LEN])
{
	struct btt_wallet_file f;
	uint8_t k[AEAD_KEY_LEN];
	struct btt_wbuf w;
	int err;

	if (sodium_init() < 0)
		return BTT_ECRYPTO;
	if ((err = kdf_check(kdf)) != 0)
		return err;
	if ((err = btt_addr_from_key(key, f.addr)) != 0)
		return err;
	f.kdf = *kdf;
	randombytes_buf(f.salt, sizeof(f.salt));
	randombytes_buf(f.nonce, sizeof(f.nonce));
	btt_wbuf_init_fixed(&w, out, BTT_WALLET_FILE_LEN);
	put_header(&f, &w);
	if (btt_wbuf_err(&w) || w.len != BTT_WALLET_AD_LEN)
		return BTT_ENOSPACE;
	if ((err = derive(pass, pass_len, kdf, f.salt, k)) != 0)
		return err;
	crypto_aead_xchacha20poly1305_ietf_encrypt(
		out + BTT_WALLET_AD_LEN, NULL, key, BTT_SECP_PRIV_LEN, out,
		BTT_WALLET_AD_LEN, NULL, f.nonce, k);
	sodium_memzero(k, sizeof(k));
	return 0;
}

int btt_wallet_file_parse(const uint8_t *p, size_t n,
			  struct btt_wallet_file *out)
{
	struct btt_cur c;
	uint8_t magic[4], version, kdf, aead;
	struct btt_wallet_file f;

	btt_cur_init(&c, p, n);
	if (!btt_cur_copy(&c, magic, sizeof(magic)))
		return BTT_ETRUNCATED;
	if (memcmp(magic, MAGIC, 4) != 0)
		return BTT_EMALFORMED;
	if (!btt_cur_get_u8(&c, &version) || !btt_cur_get_u8(&c, &kdf) ||
	    !btt_cur_get_u8(&c, &aead))
		return BTT_ETRUNCATED;
	if (version != BTT_WALLET_FILE_VERSION || kdf != KDF_ARGON2ID13 ||
	    aead != AEAD_XCHACHA20POLY1305)
		return BTT_EUNSUPPORTED;
	if (!btt_cur_copy(&c, f.addr, BTT_ADDR_LEN) ||
	    !btt_cur_get_u32be(&c, &f.kdf.opslimit) ||
	    !btt_cur_get_u64be(&c, &f.kdf.memlimit) ||
	    !btt_cur_copy(&c, f.salt, BTT_WALLET_SALT_LEN) ||
	    !btt_cur_copy(&c, f.nonce, BTT_WALLET_NONCE_LEN) ||
	    !btt_cur_copy(&c, f.ct, BTT_WALLET_CT_LEN))
		return BTT_ETRUNCATED;
	if (btt_cur_len(&c))
		return BTT_ETRAILING;
	if (kdf_check(&f.kdf) != 0)
		return BTT_ELIMIT;
	*out = f;
	return 0;
}

int btt_wallet_file_open(const uint8_t *p, size_t n, const char *pass,
			 size_t pass_len, uint8_t out_key[BTT_SECP_PRIV_LEN],
			 uint8_t out_addr[BTT_ADDR_LEN])
{
	struct btt_wallet_file f;
	uint8_t k[AEAD_KEY_LEN], addr[BTT_ADDR_LEN];
	int err;

	sodium_memzero(out_key, BTT_SECP_PRIV_LEN);
	if (sodium_init() < 0)
		return BTT_ECRYPTO;
	if ((err = btt_wallet_file_parse(p, n, &f)) != 0)
		return err;
	if ((err = derive(pass, pass_len, &f.kdf, f.salt, k)) != 0)
		return err;
	/* The header bytes as read are the associated data. */
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    out_key, NULL, NULL, f.ct, BTT_WALLET_CT_LEN, p,
		    BTT_WALLET_AD_LEN, f.nonce, k) != 0)
		err = BTT_EAUTH;
	else if (btt_addr_from_key(out_key, addr) != 0 ||
		 memcmp(addr, f.addr, BTT_ADDR_LEN) != 0)
		err = BTT_EMALFORMED;
	sodium_memzero(k, sizeof(k));
	if (err) {
		sodium_memzero(out_key, BTT_SECP_PRIV_LEN);
		return err;
	}
	memcpy(out_addr, f.addr, BTT_ADDR_LEN);
	return 0;
}
