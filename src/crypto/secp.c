/* secp256k1 keys, signing and recovery over one shared library context.
 *
 * The context is created and randomised exactly once (pthread_once) and is
 * read-only afterwards, which libsecp256k1 documents as safe to share
 * between threads. Range checks on r, s and v happen here, byte-wise,
 * before the library sees a signature: the library's recover accepts high
 * S and its parser accepts r = 0 or s = 0 (they only fail later). */
#include <pthread.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <sodium.h>

#include "btt/err.h"
#include "crypto/secp.h"

/* The group order n and n/2 (rounded down), big-endian. */
static const uint8_t order_n[32] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
	0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
};
static const uint8_t half_n[32] = {
	0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4,
	0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
};

static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;
static secp256k1_context *ctx;

static void ctx_create(void)
{
	uint8_t seed[32];
	secp256k1_context *c;

	if (sodium_init() < 0)
		return;
	c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
	if (!c)
		return;
	/* Blinding against side channels; a failure leaves the context
	 * usable but unblinded, which we refuse rather than accept. */
	randombytes_buf(seed, sizeof(seed));
	if (!secp256k1_context_randomize(c, seed)) {
		secp256k1_context_destroy(c);
		c = NULL;
	}
	sodium_memzero(seed, sizeof(seed));
	ctx = c;
}

static const secp256k1_context *get_ctx(void)
{
	pthread_once(&ctx_once, ctx_create);
	return ctx;
}

static bool is_zero32(const uint8_t *p)
{
	uint8_t acc = 0;
	for (int i = 0; i < 32; i++)
		acc |= p[i];
	return acc == 0;
}

bool btt_secp_key_valid(const uint8_t key[BTT_SECP_PRIV_LEN])
{
	const secp256k1_context *c = get_ctx();
	/* The library's check runs in constant time on the secret. */
	return c && secp256k1_ec_seckey_verify(c, key) == 1;
}

int btt_secp_key_generate(uint8_t out_key[BTT_SECP_PRIV_LEN])
{
	if (!get_ctx())
		return BTT_ECRYPTO;
	/* A uniform 256-bit string is outside [1, n) with probability about
	 * 2^-128; loop anyway so the result is always valid. */
	do
		randombytes_buf(out_key, BTT_SECP_PRIV_LEN);
	while (!btt_secp_key_valid(out_key));
	return 0;
}

int btt_secp_pub_derive(const uint8_t key[BTT_SECP_PRIV_LEN],
			uint8_t out_pub[BTT_SECP_PUB_LEN])
{
	const secp256k1_context *c = get_ctx();
	secp256k1_pubkey pk;
	size_t len = BTT_SECP_PUB_LEN;

	if (!c)
		return BTT_ECRYPTO;
	if (!secp256k1_ec_pubkey_create(c, &pk, key))
		return BTT_EINVALID;
	if (!secp256k1_ec_pubkey_serialize(c, out_pub, &len, &pk,
					   SECP256K1_EC_UNCOMPRESSED) ||
	    len != BTT_SECP_PUB_LEN)
		return BTT_ECRYPTO;
	return 0;
}

int btt_secp_sign(const uint8_t key[BTT_SECP_PRIV_LEN],
		  const uint8_t hash[BTT_SECP_HASH_LEN],
		  uint8_t out_sig[BTT_SECP_SIG_LEN])
{
	const secp256k1_context *c = get_ctx();
	secp256k1_ecdsa_recoverable_signature rs;
	int recid = -1;

	if (!c)
		return BTT_ECRYPTO;
	if (!btt_secp_key_valid(key))
		return BTT_EINVALID;
	if (!secp256k1_ecdsa_sign_recoverable(c, &rs, hash, key, NULL, NULL) ||
	    !secp256k1_ecdsa_recoverable_signature_serialize_compact(
		    c, out_sig, &recid, &rs) ||
	    recid < 0 || recid > 1)
		return BTT_ECRYPTO;
	out_sig[64] = (uint8_t)recid;
	/* libsecp256k1 produces low S; checking costs nothing and turns a
	 * library change into an error instead of invalid transactions. */
	return btt_secp_sig_check(out_sig) ? BTT_ECRYPTO : 0;
}

int btt_secp_sig_check(const uint8_t sig[BTT_SECP_SIG_LEN])
{
	const uint8_t *r = sig, *s = sig + 32;

	if (sig[64] > 1)
		return BTT_ESIGNATURE;
	if (is_zero32(r) || memcmp(r, order_n, 32) >= 0)
		return BTT_ESIGNATURE;
	if (is_zero32(s) || memcmp(s, half_n, 32) > 0)
		return BTT_ESIGNATURE;
	return 0;
}

/* Parses a canonical signature into the library's recoverable form. */
static int parse_sig(const secp256k1_context *c,
		     const uint8_t sig[BTT_SECP_SIG_LEN],
		     secp256k1_ecdsa_recoverable_signature *out)
{
	if (btt_secp_sig_check(sig) != 0)
		return BTT_ESIGNATURE;
	if (!secp256k1_ecdsa_recoverable_signature_parse_compact(c, out, sig,
								 sig[64]))
		return BTT_ESIGNATURE;
	return 0;
}

int btt_secp_recover(const uint8_t hash[BTT_SECP_HASH_LEN],
		     const uint8_t sig[BTT_SECP_SIG_LEN],
		     uint8_t out_pub[BTT_SECP_PUB_LEN])
{
	const secp256k1_context *c = get_ctx();
	secp256k1_ecdsa_recoverable_signature rs;
	secp256k1_pubkey pk;
	size_t len = BTT_SECP_PUB_LEN;
	int err;

	if (!c)
		return BTT_ECRYPTO;
	if ((err = parse_sig(c, sig, &rs)) != 0)
		return err;
	if (!secp256k1_ecdsa_recover(c, &pk, &rs, hash))
		return BTT_ESIGNATURE;
	if (!secp256k1_ec_pubkey_serialize(c, out_pub, &len, &pk,
					   SECP256K1_EC_UNCOMPRESSED) ||
	    len != BTT_SECP_PUB_LEN)
		return BTT_ECRYPTO;
	return 0;
}

int btt_secp_verify(const uint8_t pub[BTT_SECP_PUB_LEN],
		    const uint8_t hash[BTT_SECP_HASH_LEN],
		    const uint8_t sig[BTT_SECP_SIG_LEN])
{
	uint8_t got[BTT_SECP_PUB_LEN];
	const secp256k1_context *c = get_ctx();
	secp256k1_pubkey pk;
	int err;

	if (!c)
		return BTT_ECRYPTO;
	if (pub[0] != 0x04 ||
	    !secp256k1_ec_pubkey_parse(c, &pk, pub, BTT_SECP_PUB_LEN))
		return BTT_EINVALID;
	/* Recovery checks the signature equation too; comparing the result
	 * also binds v, which a plain ECDSA verify would ignore. */
	if ((err = btt_secp_recover(hash, sig, got)) != 0)
		return err;
	return memcmp(got, pub, BTT_SECP_PUB_LEN) == 0 ? 0 : BTT_ESIGNATURE;
}
