/* Mempool internals shared by mempool.c (admission, removal, eviction)
 * and mempool_pick.c (selection, rechecks).
 *
 * Invariants: every held transaction is in `txids` and in its account's
 * `txs`, which is sorted by nonce with no duplicates; an account exists
 * only while it holds a transaction and is then in the `tails` min-heap
 * at `heap_pos`, keyed by the priority of its last transaction; `count`
 * and `bytes` are the sums over all held transactions. */
#ifndef BTT_NODE_MEMPOOL_INT_H
#define BTT_NODE_MEMPOOL_INT_H

#include "core/hmap.h"
#include "node/mempool.h"

struct mp_acct;

struct mp_tx {
	struct mp_acct *acct;
	uint64_t nonce;
	uint64_t expiry;
	uint64_t seq; /* arrival order: ties in priority go to the first */
	btt_u128 max_fee;
	btt_u128 cost;
	uint8_t txid[BTT_TX_HASH_LEN];
	size_t len;
	uint8_t raw[];
};

struct mp_acct {
	uint8_t addr[BTT_ADDR_LEN];
	uint64_t chain_nonce; /* as last seen at the head */
	btt_u128 spendable;
	struct mp_tx **txs; /* ascending nonce */
	size_t n, cap;
	size_t heap_pos;
	size_t pick; /* selection: index of the next transaction to take */
};

struct btt_mempool {
	struct btt_mempool_limits lim;
	struct btt_hmap accts; /* address -> struct mp_acct * */
	struct btt_hmap txids; /* txid -> struct mp_tx * */
	struct mp_acct **tails;
	size_t n_tails, cap_tails;
	size_t count, bytes;
	uint64_t seq;
	struct btt_mempool_stats st;
};

/* > 0 when a ranks above b: higher max_fee, then earlier arrival. */
int btt_node_mp_rank(const struct mp_tx *a, const struct mp_tx *b);

struct mp_acct *btt_node_mp_acct(const struct btt_mempool *mp,
				 const uint8_t addr[BTT_ADDR_LEN]);

/* Removes and frees one transaction (and its account when emptied). */
void btt_node_mp_drop(struct btt_mempool *mp, struct mp_tx *tx);

#endif
