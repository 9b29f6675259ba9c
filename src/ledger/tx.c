/* Transaction codec, signing hash, txid, signatures and fees.
 *
 * The 67-byte head (version .. payload_len) is built in one place and fed
 * to the encoder and both hashes, so the bytes that are signed, hashed and
 * sent cannot drift apart. Decoding goes through the byte cursor and never
 * allocates: the payload is a view into the input. */
#include <string.h>

#include "btt/err.h"
#include "crypto/hash.h"
#include "ledger/tx.h"

static int check_shape(const struct btt_tx *tx)
{
	if (tx->version != BTT_TX_VERSION)
		return BTT_EUNSUPPORTED;
	if (tx->payload_len > BTT_TX_MAX_PAYLOAD)
		return BTT_ELIMIT;
	return 0;
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* Serialises version .. payload_len; the caller has run check_shape. */
static void encode_head(const struct btt_tx *tx, uint8_t h[BTT_TX_HEAD_LEN])
{
	uint8_t *p = h;

	*p++ = tx->version;
	put_be(p, tx->chain_id, 8);
	p += 8;
	put_be(p, tx->type, 2);
	p += 2;
	memcpy(p, tx->from, BTT_ADDR_LEN);
	p += BTT_ADDR_LEN;
	put_be(p, tx->nonce, 8);
	p += 8;
	btt_u128_put_be(tx->max_fee, p);
	p += BTT_U128_LEN;
	put_be(p, tx->expiry_height, 8);
	p += 8;
	put_be(p, tx->payload_len, 4);
}

size_t btt_ledger_tx_len(const struct btt_tx *tx)
{
	return BTT_TX_FIXED_LEN + tx->payload_len;
}

int btt_ledger_tx_encode(const struct btt_tx *tx, struct btt_wbuf *w)
{
	uint8_t head[BTT_TX_HEAD_LEN];
	int err = check_shape(tx);

	if (err)
		return err;
	encode_head(tx, head);
	btt_wbuf_put(w, head, sizeof(head));
	btt_wbuf_put(w, tx->payload, tx->payload_len);
	btt_wbuf_put(w, tx->sig, BTT_SECP_SIG_LEN);
	return btt_wbuf_err(w);
}

/* Reads the fields after the version byte. */
static int get_body(struct btt_cur *c, struct btt_tx *tx)
{
	uint32_t plen;
	struct btt_cur payload;

	if (!btt_cur_get_u64be(c, &tx->chain_id) ||
	    !btt_cur_get_u16be(c, &tx->type) ||
	    !btt_cur_copy(c, tx->from, BTT_ADDR_LEN) ||
	    !btt_cur_get_u64be(c, &tx->nonce) ||
	    !btt_u128_get(c, &tx->max_fee) ||
	    !btt_cur_get_u64be(c, &tx->expiry_height) ||
	    !btt_cur_get_u32be(c, &plen))
		return BTT_ETRUNCATED;
	if (plen > BTT_TX_MAX_PAYLOAD)
		return BTT_ELIMIT;
	if (!btt_cur_get_sub(c, plen, &payload) ||
	    !btt_cur_copy(c, tx->sig, BTT_SECP_SIG_LEN))
		return BTT_ETRUNCATED;
	tx->payload = btt_cur_data(&payload);
	tx->payload_len = plen;
	return 0;
}

int btt_ledger_tx_get(struct btt_cur *c, struct btt_tx *out)
{
	struct btt_cur cur = *c;
	struct btt_tx tx;
	int err;

	memset(&tx, 0, sizeof(tx));
	if (!btt_cur_get_u8(&cur, &tx.version))
		return BTT_ETRUNCATED;
	if (tx.version != BTT_TX_VERSION)
		return BTT_EUNSUPPORTED;
	if ((err = get_body(&cur, &tx)) != 0)
		return err;
	*c = cur;
	*out = tx;
	return 0;
}

int btt_ledger_tx_decode(const uint8_t *p, size_t n, struct btt_tx *out)
{
	struct btt_cur c;
	struct btt_tx tx;
	int err;

	btt_cur_init(&c, p, n);
	if ((err = btt_ledger_tx_get(&c, &tx)) != 0)
		return err;
	if (btt_cur_len(&c))
		return BTT_ETRAILING;
	*out = tx;
	return 0;
}

int btt_ledger_tx_sighash(const struct btt_tx *tx, uint8_t out[BTT_TX_HASH_LEN])
{
	static const char tag[] = BTT_TX_SIGHASH_TAG;
	uint8_t head[BTT_TX_HEAD_LEN], chain[8];
	struct btt_keccak256 h;
	int err = check_shape(tx);

	if (err)
		return err;
	encode_head(tx, head);
	put_be(chain, tx->chain_id, 8);
	btt_keccak256_init(&h);
	btt_keccak256_update(&h, tag, sizeof(tag) - 1);
	btt_keccak256_update(&h, chain, sizeof(chain));
	btt_keccak256_update(&h, head, sizeof(head));
	btt_keccak256_update(&h, tx->payload, tx->payload_len);
	btt_keccak256_final(&h, out);
	return 0;
}

int btt_ledger_tx_id(const struct btt_tx *tx, uint8_t out[BTT_TX_HASH_LEN])
{
	uint8_t head[BTT_TX_HEAD_LEN];
	struct btt_keccak256 h;
	int err = check_shape(tx);

	if (err)
		return err;
	encode_head(tx, head);
	btt_keccak256_init(&h);
	btt_keccak256_update(&h, head, sizeof(head));
	btt_keccak256_update(&h, tx->payload, tx->payload_len);
	btt_keccak256_update(&h, tx->sig, BTT_SECP_SIG_LEN);
	btt_keccak256_final(&h, out);
	return 0;
}

int btt_ledger_tx_sign(struct btt_tx *tx, const uint8_t key[BTT_SECP_PRIV_LEN])
{
	uint8_t hash[BTT_TX_HASH_LEN];
	int err;

	if ((err = check_shape(tx)) != 0)
		return err;
	if ((err = btt_addr_from_key(key, tx->from)) != 0)
		return err;
	if ((err = btt_ledger_tx_sighash(tx, hash)) != 0)
		return err;
	return btt_secp_sign(key, hash, tx->sig);
}

int btt_ledger_tx_verify(const struct btt_tx *tx)
{
	uint8_t hash[BTT_TX_HASH_LEN], pub[BTT_SECP_PUB_LEN];
	uint8_t addr[BTT_ADDR_LEN];
	int err;

	if ((err = btt_ledger_tx_sighash(tx, hash)) != 0)
		return err;
	if ((err = btt_secp_recover(hash, tx->sig, pub)) != 0)
		return err;
	if (btt_addr_from_pub(pub, addr) != 0 ||
	    memcmp(addr, tx->from, BTT_ADDR_LEN) != 0)
		return BTT_ESIGNATURE;
	return 0;
}

btt_u128 btt_ledger_tx_fee(const struct btt_tx *tx)
{
	/* At most BTT_TX_MAX_LEN bytes: the product cannot overflow. */
	return BTT_TX_FEE_BASE +
	       BTT_TX_FEE_PER_BYTE * (btt_u128)btt_ledger_tx_len(tx);
}
