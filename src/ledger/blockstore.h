/* The block store: blocks by height and by hash, transactions by txid
 * with their receipts, and each account's history, in the ledger store's
 * databases (store.h), written in the same write transaction as the
 * block's state.
 *
 * Records (big-endian):
 *   BLOCK    u64 height        -> block hash[32] || signed block (block.h)
 *   BLOCKID  block hash[32]    -> u64 height
 *   TXIDX    txid[32]          -> u64 height || u32 index || receipt
 *   HIST     address[20] || u64 height || u32 index -> txid[32]
 * HIST holds, for every transaction, its sender and every address its
 * operation names (recipients, multisig account, validator), so key order
 * is the account's history in chain order.
 *
 * The read functions open their own read transaction, so any thread may
 * call them while the owner thread applies blocks. */
#ifndef BTT_LEDGER_BLOCKSTORE_H
#define BTT_LEDGER_BLOCKSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/wbuf.h"
#include "crypto/address.h"
#include "ledger/block.h"
#include "ledger/chain.h"
#include "ledger/store.h"

#define BTT_BLOCKSTORE_HIST_KEY_LEN (BTT_ADDR_LEN + 8 + 4)

/* Where a transaction is and what it did. */
struct btt_ledger_txloc {
	uint64_t height;
	uint32_t index;
	struct btt_ledger_receipt receipt;
};

/* The head recorded in the store (last committed block). Returns 0,
 * BTT_ENOTFOUND (empty store), BTT_ECORRUPT or a store error. */
int btt_ledger_blockstore_head(struct btt_ledger_store *s,
			       struct btt_ledger_head *out);

/* The block at `height`; out owns its bytes (release it). Returns 0,
 * BTT_ENOTFOUND, BTT_ECORRUPT or a store error. */
int btt_ledger_blockstore_block_by_height(struct btt_ledger_store *s,
					  uint64_t height,
					  struct btt_ledger_block *out);

/* The block whose hash is `hash`; as _by_height. */
int btt_ledger_blockstore_block_by_hash(struct btt_ledger_store *s,
					const uint8_t hash[BTT_BLOCK_HASH_LEN],
					struct btt_ledger_block *out);

/* Transaction txid: where it is and its receipt; tx (may be NULL) gets
 * its encoding appended. Returns 0, BTT_ENOTFOUND, BTT_ECORRUPT, the
 * wbuf's error or a store error. */
int btt_ledger_blockstore_tx(struct btt_ledger_store *s, const uint8_t txid[32],
			     struct btt_ledger_txloc *out, struct btt_wbuf *tx);

/* Calls fn for each transaction touching addr at height >= from_height,
 * in chain order, until fn returns non-zero or `max` calls were made.
 * Returns 0 or a store / BTT_ECORRUPT error. */
typedef int (*btt_ledger_hist_fn)(void *arg, uint64_t height, uint32_t index,
				  const uint8_t txid[32]);
int btt_ledger_blockstore_history(struct btt_ledger_store *s,
				  const uint8_t addr[BTT_ADDR_LEN],
				  uint64_t from_height, size_t max,
				  btt_ledger_hist_fn fn, void *arg);

/* Writers, for the executor and the chain: inside write transaction t. */

/* Stores block b (hash `hash`): BLOCK and BLOCKID. Returns 0, BTT_ELIMIT
 * or a store error (sticky in t). */
int btt_ledger_blockstore_put_block(struct btt_ledger_txn *t,
				    const struct btt_ledger_block *b,
				    const uint8_t hash[BTT_BLOCK_HASH_LEN]);

/* Stores transaction `index` of block `height`: its TXIDX record. */
int btt_ledger_blockstore_put_tx(struct btt_ledger_txn *t, uint64_t height,
				 uint32_t index,
				 const struct btt_ledger_receipt *r);

/* Adds (addr, height, index) -> txid to the history. */
int btt_ledger_blockstore_put_hist(struct btt_ledger_txn *t,
				   const uint8_t addr[BTT_ADDR_LEN],
				   uint64_t height, uint32_t index,
				   const uint8_t txid[32]);

/* Reads the block at height inside t (owned copy in out), and its stored
 * hash. Returns 0, BTT_ENOTFOUND, BTT_ECORRUPT or a store error. */
int btt_ledger_blockstore_get(struct btt_ledger_txn *t, uint64_t height,
			      struct btt_ledger_block *out,
			      uint8_t out_hash[BTT_BLOCK_HASH_LEN]);

#endif
