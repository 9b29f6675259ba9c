/* The mempool: transactions admitted for a coming block, with per-account
 * nonce order, fee priority, global caps and eviction. Pure logic: the
 * caller checks each transaction against the chain first (decoding,
 * chain id, expiry, signature, nonce not used, fee within max_fee:
 * btt_ledger_exec_check_tx) and passes the facts in with the account's
 * state at the head; the mempool never reads the chain itself.
 *
 * Rules (docs/node.md):
 *   - a txid is held once (BTT_EDUPLICATE);
 *   - an account holds at most BTT_MEMPOOL_MAX_PER_ACCOUNT transactions,
 *     with nonces below its chain nonce + that cap (BTT_ENONCEGAP), never
 *     below its chain nonce (BTT_ENONCEUSED);
 *   - the account's spendable balance covers fee + amount of all of its
 *     pending transactions together (BTT_EFUNDS);
 *   - a transaction for a (sender, nonce) already held replaces it only
 *     with a strictly higher max_fee (replace-by-fee), else
 *     BTT_EDUPLICATE;
 *   - priority is max_fee (the most the sender offers; ties: first come),
 *     and only the run of nonces starting at the account's chain nonce is
 *     ready for a block;
 *   - at the count or byte cap, the lowest-priority last transaction of
 *     any account is evicted when the newcomer offers strictly more; else
 *     the newcomer is refused (BTT_ELIMIT).
 * Each account's last transaction sits in a min-heap by priority, so
 * eviction costs O(log accounts). One thread. */
#ifndef BTT_NODE_MEMPOOL_H
#define BTT_NODE_MEMPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"
#include "crypto/address.h"
#include "ledger/block.h"
#include "ledger/tx.h"
#include "ledger/u128.h"

struct btt_mempool_limits {
	size_t max_txs;		/* 0: BTT_MEMPOOL_MAX_TXS */
	size_t max_bytes;	/* 0: BTT_MEMPOOL_MAX_BYTES */
	size_t max_per_account; /* 0: BTT_MEMPOOL_MAX_PER_ACCOUNT */
};

/* An account at the chain's head, as admission and rechecks see it. */
struct btt_mempool_acct {
	uint64_t nonce;	    /* the next nonce the chain expects */
	btt_u128 spendable; /* what transfers may move out */
};

/* The facts about one checked transaction. */
struct btt_mempool_tx_info {
	uint8_t txid[BTT_TX_HASH_LEN];
	uint8_t from[BTT_ADDR_LEN];
	uint64_t nonce;
	uint64_t expiry_height; /* 0: never */
	btt_u128 max_fee;	/* the priority */
	btt_u128 cost;		/* fee + value moved out of the account */
};

struct btt_mempool_stats {
	size_t txs, bytes, accounts;
	uint64_t admitted, replaced, evicted, dropped;
};

struct btt_mempool;

/* A new empty mempool; lim may be NULL (defaults). */
struct btt_mempool *btt_node_mempool_new(const struct btt_mempool_limits *lim);
void btt_node_mempool_free(struct btt_mempool *mp);

/* Fills the cost (fee + every amount the payload moves out of the
 * sender: transfers, multi-transfers, vesting grants, stakes) and the
 * other fields of info from a decoded transaction. Returns 0 or
 * BTT_EOVERFLOW. */
int btt_node_mempool_info(const struct btt_tx *tx, btt_u128 fee,
			  const uint8_t txid[BTT_TX_HASH_LEN],
			  struct btt_mempool_tx_info *out);

/* Admits the encoded transaction raw[0..len) described by info, for an
 * account whose head state is acct (which also refreshes what the
 * mempool knows of it). raw is copied. *out_replaced (may be NULL) tells
 * whether it replaced a pending one. Returns 0, BTT_EDUPLICATE,
 * BTT_ENONCEUSED, BTT_ENONCEGAP, BTT_EFUNDS, BTT_EOVERFLOW, BTT_ELIMIT
 * (pool full of transactions offering as much or more, or len above
 * BTT_TX_MAX_LEN), or -ENOMEM. The pool is unchanged on error. */
int btt_node_mempool_add(struct btt_mempool *mp, const uint8_t *raw, size_t len,
			 const struct btt_mempool_tx_info *info,
			 const struct btt_mempool_acct *acct,
			 bool *out_replaced);

/* True when txid is pending. */
bool btt_node_mempool_has(const struct btt_mempool *mp,
			  const uint8_t txid[BTT_TX_HASH_LEN]);

/* The encoding of pending txid into *out (a view valid until the
 * mempool changes). Returns false when it is not pending. */
bool btt_node_mempool_find(const struct btt_mempool *mp,
			   const uint8_t txid[BTT_TX_HASH_LEN],
			   struct btt_ledger_txref *out);

/* Removes txid (included in a block, or found invalid). Later nonces of
 * its account stay, waiting for the gap to close. Returns whether it was
 * there. */
bool btt_node_mempool_remove(struct btt_mempool *mp,
			     const uint8_t txid[BTT_TX_HASH_LEN]);

/* Rechecks one account against its new head state for block
 * next_height: drops nonces below acct->nonce, transactions expired at
 * next_height, and, from the first one the spendable balance no longer
 * covers, that one and every later one. Returns how many were dropped. */
size_t btt_node_mempool_update(struct btt_mempool *mp,
			       const uint8_t addr[BTT_ADDR_LEN],
			       const struct btt_mempool_acct *acct,
			       uint64_t next_height);

/* Reads an account's head state for _sweep. Returns 0 or an error (the
 * account is then left as it is). */
typedef int (*btt_mempool_lookup_fn)(void *arg,
				     const uint8_t addr[BTT_ADDR_LEN],
				     struct btt_mempool_acct *out);

/* _update for every account, with states from lookup. Returns how many
 * transactions were dropped. */
size_t btt_node_mempool_sweep(struct btt_mempool *mp, btt_mempool_lookup_fn fn,
			      void *arg, uint64_t next_height);

/* Picks up to max_txs ready transactions whose encodings add up to at
 * most max_bytes, highest priority first, each account's in nonce order,
 * into out (room for max_txs) and their txids into out_ids (may be NULL;
 * else room for max_txs). The views stay valid until the mempool
 * changes. Returns how many were picked. */
size_t btt_node_mempool_select(struct btt_mempool *mp, size_t max_txs,
			       size_t max_bytes, struct btt_ledger_txref *out,
			       const uint8_t **out_ids);

/* How many transactions `addr` has pending; when some are, sets
 * *out_next_nonce to the nonce after the run that starts at its chain
 * nonce (what a wallet signs next). */
size_t btt_node_mempool_account(const struct btt_mempool *mp,
				const uint8_t addr[BTT_ADDR_LEN],
				uint64_t *out_next_nonce);

void btt_node_mempool_stats(const struct btt_mempool *mp,
			    struct btt_mempool_stats *out);

#endif
