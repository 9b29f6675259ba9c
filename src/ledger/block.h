/* Ledger blocks: the header, the signed block, receipts, and the binary
 * Merkle roots a header commits to. One canonical encoding each; decoders
 * reject anything else, trailing bytes included, so every accepted byte
 * string re-encodes to itself (docs/ledger-exec.md).
 *
 * Header (205 bytes, integers big-endian):
 *   u8 version (1) | u64 chain_id | u64 height | u64 time_ms |
 *   parent_hash[32] | tx_root[32] | receipts_root[32] | state_root[32] |
 *   validators_hash[32] | proposer[20]
 * block hash = keccak256("BTT-BLOCK-v1" || header encoding).
 *
 * Signed block:
 *   header[205] | sig[65] | u32 n_txs | n_txs * (u32 len | tx[len])
 * sig is the proposer's recoverable signature (r || s || v, low S) over
 * the block hash; the hash does not cover it, so the multi-validator
 * commit can later be stored beside the block without changing its hash.
 * Each tx must be one canonical transaction of exactly len bytes.
 *
 * Merkle roots (tx_root over txids, receipts_root over receipt leaves):
 *   leaf(x)    = keccak256(0x00 || x)
 *   node(l, r) = keccak256(0x01 || l || r)
 * built bottom-up; an odd node at the end of a level moves up unchanged
 * (RFC 6962 shape, no duplicated leaves); the root of nothing is 32 zero
 * bytes.
 *
 * Receipt (the record stored per transaction):
 *   txid[32] | u32 status | u128 fee | u16 events_len | events
 * status is 0 for success, else the btt error code negated (20025 =
 * BTT_EFUNDS). receipts_root is built over the receipt leaves
 *   keccak256(0x00 || txid || u32 status || u128 fee || keccak256(events))
 * (one 85-byte hash: the leaf prefix applied to the receipt's fields). */
#ifndef BTT_LEDGER_BLOCK_H
#define BTT_LEDGER_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"
#include "core/wbuf.h"
#include "crypto/address.h"
#include "crypto/secp.h"
#include "ledger/u128.h"

#define BTT_BLOCK_VERSION 1
#define BTT_BLOCK_HASH_TAG "BTT-BLOCK-v1" /* 12 bytes, no NUL */
#define BTT_BLOCK_HASH_LEN 32
#define BTT_BLOCK_HEADER_LEN 205
#define BTT_BLOCK_SIG_LEN BTT_SECP_SIG_LEN
/* header, sig, tx count */
#define BTT_BLOCK_FIXED_LEN (BTT_BLOCK_HEADER_LEN + BTT_BLOCK_SIG_LEN + 4)
#define BTT_RECEIPT_FIXED_LEN (32 + 4 + 16 + 2)
#define BTT_RECEIPT_MAX_LEN (BTT_RECEIPT_FIXED_LEN + BTT_RECEIPT_MAX_EVENTS)

struct btt_ledger_header {
	uint8_t version;
	uint64_t chain_id;
	uint64_t height;
	uint64_t time_ms; /* proposer time; strictly above the parent's */
	uint8_t parent_hash[BTT_BLOCK_HASH_LEN];
	uint8_t tx_root[BTT_BLOCK_HASH_LEN];
	uint8_t receipts_root[BTT_BLOCK_HASH_LEN];
	uint8_t state_root[BTT_BLOCK_HASH_LEN]; /* after this block */
	uint8_t validators_hash[BTT_BLOCK_HASH_LEN];
	uint8_t proposer[BTT_ADDR_LEN]; /* address the sig recovers to */
};

/* A view of one encoded transaction. */
struct btt_ledger_txref {
	const uint8_t *p;
	size_t len;
};

/* A block. txs views either the buffer a block was decoded from
 * (borrowed: the block dies with it) or the block's own copy (`owned`,
 * from _dup, the block store and the executor). A zeroed block is empty;
 * _release frees what the block owns. */
struct btt_ledger_block {
	struct btt_ledger_header header;
	uint8_t sig[BTT_BLOCK_SIG_LEN];
	size_t n_txs;
	struct btt_ledger_txref *txs; /* owned array of n_txs views */
	uint8_t *owned;		      /* owned bytes the views point into */
};

struct btt_ledger_receipt {
	uint8_t txid[32];
	int status; /* 0 or a negative btt error code */
	btt_u128 fee;
	size_t events_len;
	uint8_t events[BTT_RECEIPT_MAX_EVENTS];
};

/* The header encoding (exactly BTT_BLOCK_HEADER_LEN bytes). */
void btt_ledger_header_encode(const struct btt_ledger_header *h,
			      uint8_t out[BTT_BLOCK_HEADER_LEN]);

/* Decodes exactly one header. Returns 0, BTT_ETRUNCATED, BTT_ETRAILING
 * or BTT_EUNSUPPORTED (version). */
int btt_ledger_header_decode(const uint8_t *p, size_t n,
			     struct btt_ledger_header *out);

/* The block hash of a header. */
void btt_ledger_header_hash(const struct btt_ledger_header *h,
			    uint8_t out[BTT_BLOCK_HASH_LEN]);

/* Encoded length of a block; 0 when it would exceed BTT_BLOCK_MAX_LEN. */
size_t btt_ledger_block_len(const struct btt_ledger_block *b);

/* Appends the signed block encoding. Returns 0, BTT_ELIMIT (too many
 * txs, a tx too long, or the whole above BTT_BLOCK_MAX_LEN) or the
 * wbuf's sticky error. */
int btt_ledger_block_encode(const struct btt_ledger_block *b,
			    struct btt_wbuf *w);

/* Decodes a signed block filling all of p; out->txs views p (out->owned
 * stays NULL). The tx array grows as entries parse, never from the
 * declared count. Returns 0, BTT_ELIMIT (n above BTT_BLOCK_MAX_LEN, more
 * than BTT_BLOCK_MAX_TXS txs, a tx length outside the transaction
 * bounds), BTT_ETRUNCATED, BTT_ETRAILING, BTT_EUNSUPPORTED (a version) or
 * a transaction decoder's error (the tx is not canonical); out is empty
 * on error. */
int btt_ledger_block_decode(const uint8_t *p, size_t n,
			    struct btt_ledger_block *out);

/* Copies b into out so that out owns its bytes. Returns 0 or BTT_ELIMIT. */
int btt_ledger_block_dup(const struct btt_ledger_block *b,
			 struct btt_ledger_block *out);

/* Frees what b owns and empties it. */
void btt_ledger_block_release(struct btt_ledger_block *b);

/* The block hash (of its header). */
void btt_ledger_block_hash(const struct btt_ledger_block *b,
			   uint8_t out[BTT_BLOCK_HASH_LEN]);

/* Sets header.proposer to the key's address and sig to a signature over
 * the block hash. Returns 0 or BTT_EINVALID (bad key). */
int btt_ledger_block_sign(struct btt_ledger_block *b,
			  const uint8_t key[BTT_SECP_PRIV_LEN]);

/* Checks that sig is canonical and recovers to header.proposer. Returns
 * 0 or BTT_ESIGNATURE. */
int btt_ledger_block_verify(const struct btt_ledger_block *b);

/* The Merkle root of n leaves' data (each 32 bytes; layout above). `work`
 * holds n hashes of scratch. */
void btt_ledger_merkle_root(const uint8_t (*items)[32], size_t n,
			    uint8_t (*work)[32], uint8_t out[32]);

/* The root over n leaf hashes already computed (overwritten). */
void btt_ledger_merkle_reduce(uint8_t (*nodes)[32], size_t n, uint8_t out[32]);

/* tx_root of the block's transactions: the Merkle root of their txids
 * (keccak256 of each encoding). Returns 0 or -ENOMEM. */
int btt_ledger_block_tx_root(const struct btt_ledger_block *b,
			     uint8_t out[BTT_BLOCK_HASH_LEN]);

/* The receipt's leaf of receipts_root (layout above). */
void btt_ledger_receipt_leaf(const struct btt_ledger_receipt *r,
			     uint8_t out[32]);

/* Appends a receipt record. Returns 0, BTT_EINVALID (status not 0 or a
 * btt code), BTT_ELIMIT (events) or the wbuf's sticky error. */
int btt_ledger_receipt_encode(const struct btt_ledger_receipt *r,
			      struct btt_wbuf *w);

/* Decodes exactly one receipt. Returns 0, BTT_ETRUNCATED, BTT_ETRAILING,
 * BTT_ELIMIT (events) or BTT_EINVALID (status). */
int btt_ledger_receipt_decode(const uint8_t *p, size_t n,
			      struct btt_ledger_receipt *out);

#endif
