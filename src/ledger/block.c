/* Block hashes, the proposer's signature, and the binary Merkle roots a
 * header commits to (block.h). The Merkle tree is built bottom-up over a
 * scratch array, with no recursion; leaf and inner hashes carry distinct
 * prefixes so a leaf can never pass for an inner node. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "crypto/hash.h"
#include "ledger/block.h"

void btt_ledger_header_hash(const struct btt_ledger_header *h,
			    uint8_t out[BTT_BLOCK_HASH_LEN])
{
	static const char tag[] = BTT_BLOCK_HASH_TAG;
	uint8_t enc[BTT_BLOCK_HEADER_LEN];
	struct btt_keccak256 k;

	btt_ledger_header_encode(h, enc);
	btt_keccak256_init(&k);
	btt_keccak256_update(&k, tag, sizeof(tag) - 1);
	btt_keccak256_update(&k, enc, sizeof(enc));
	btt_keccak256_final(&k, out);
}

void btt_ledger_block_hash(const struct btt_ledger_block *b,
			   uint8_t out[BTT_BLOCK_HASH_LEN])
{
	btt_ledger_header_hash(&b->header, out);
}

int btt_ledger_block_sign(struct btt_ledger_block *b,
			  const uint8_t key[BTT_SECP_PRIV_LEN])
{
	uint8_t hash[BTT_BLOCK_HASH_LEN];
	int rc = btt_addr_from_key(key, b->header.proposer);

	if (rc)
		return rc;
	btt_ledger_block_hash(b, hash);
	return btt_secp_sign(key, hash, b->sig);
}

int btt_ledger_block_verify(const struct btt_ledger_block *b)
{
	uint8_t hash[BTT_BLOCK_HASH_LEN], pub[BTT_SECP_PUB_LEN];
	uint8_t addr[BTT_ADDR_LEN];

	btt_ledger_block_hash(b, hash);
	if (btt_secp_recover(hash, b->sig, pub) != 0 ||
	    btt_addr_from_pub(pub, addr) != 0 ||
	    memcmp(addr, b->header.proposer, BTT_ADDR_LEN) != 0)
		return BTT_ESIGNATURE;
	return 0;
}

static void leaf_hash(const uint8_t item[32], uint8_t out[32])
{
	uint8_t buf[33];

	buf[0] = 0x00;
	memcpy(buf + 1, item, 32);
	btt_keccak256(buf, sizeof(buf), out);
}

static void node_hash(const uint8_t l[32], const uint8_t r[32], uint8_t out[32])
{
	uint8_t buf[65];

	buf[0] = 0x01;
	memcpy(buf + 1, l, 32);
	memcpy(buf + 33, r, 32);
	btt_keccak256(buf, sizeof(buf), out);
}

void btt_ledger_merkle_reduce(uint8_t (*nodes)[32], size_t n, uint8_t out[32])
{
	if (n == 0) {
		memset(out, 0, 32);
		return;
	}
	while (n > 1) {
		size_t m = 0;

		for (size_t i = 0; i + 1 < n; i += 2)
			node_hash(nodes[i], nodes[i + 1], nodes[m++]);
		if (n & 1)
			memcpy(nodes[m++], nodes[n - 1], 32);
		n = m;
	}
	memcpy(out, nodes[0], 32);
}

void btt_ledger_merkle_root(const uint8_t (*items)[32], size_t n,
			    uint8_t (*work)[32], uint8_t out[32])
{
	for (size_t i = 0; i < n; i++)
		leaf_hash(items[i], work[i]);
	btt_ledger_merkle_reduce(work, n, out);
}

int btt_ledger_block_tx_root(const struct btt_ledger_block *b,
			     uint8_t out[BTT_BLOCK_HASH_LEN])
{
	uint8_t(*ids)[32];

	if (b->n_txs == 0) {
		memset(out, 0, BTT_BLOCK_HASH_LEN);
		return 0;
	}
	/* n_txs counts entries that were parsed or built, never a claim. */
	ids = calloc(2 * b->n_txs, 32);
	if (!ids)
		return -ENOMEM;
	for (size_t i = 0; i < b->n_txs; i++)
		btt_keccak256(b->txs[i].p, b->txs[i].len, ids[i]);
	btt_ledger_merkle_root((const uint8_t(*)[32])ids, b->n_txs,
			       ids + b->n_txs, out);
	free(ids);
	return 0;
}

void btt_ledger_receipt_leaf(const struct btt_ledger_receipt *r,
			     uint8_t out[32])
{
	/* keccak256 of no bytes: the events hash of most receipts */
	static const uint8_t empty[32] = {
		0xc5, 0xd2, 0x46, 0x01, 0x86, 0xf7, 0x23, 0x3c,
		0x92, 0x7e, 0x7d, 0xb2, 0xdc, 0xc7, 0x03, 0xc0,
		0xe5, 0x00, 0xb6, 0x53, 0xca, 0x82, 0x27, 0x3b,
		0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70};
	uint8_t buf[1 + 32 + 4 + BTT_U128_LEN + 32];
	uint32_t st = (uint32_t)(-(int64_t)r->status);

	buf[0] = 0x00;
	memcpy(buf + 1, r->txid, 32);
	buf[33] = (uint8_t)(st >> 24);
	buf[34] = (uint8_t)(st >> 16);
	buf[35] = (uint8_t)(st >> 8);
	buf[36] = (uint8_t)st;
	btt_u128_put_be(r->fee, buf + 37);
	if (r->events_len)
		btt_keccak256(r->events, r->events_len, buf + 53);
	else
		memcpy(buf + 53, empty, 32);
	btt_keccak256(buf, sizeof(buf), out);
}
