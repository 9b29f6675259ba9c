/* Node internals shared by node.c (lifecycle, block production) and the
 * RPC method files (node_rpc*.c). Everything here belongs to the loop
 * thread. */
#ifndef BTT_NODE_NODE_INT_H
#define BTT_NODE_NODE_INT_H

#include <jansson.h>

#include "ledger/chain.h"
#include "ledger/exec.h"
#include "node/node.h"
#include "rpc/rpc.h"

struct btt_pool;
struct btt_timer;

/* One candidate of the pending block: its txid and sender, copied since
 * the mempool may change before the commit. */
struct node_cand {
	uint8_t txid[BTT_TX_HASH_LEN];
	uint8_t from[BTT_ADDR_LEN];
};

struct btt_node {
	struct btt_loop *loop;
	struct btt_pool *pool;
	struct btt_ledger_workers workers;
	struct btt_ledger_chain *chain;
	struct btt_mempool *mp;
	struct btt_rpc_dispatch *methods;
	struct btt_rpc_server *rpc;
	struct btt_timer *timer;
	uint8_t key[BTT_SECP_PRIV_LEN];
	uint8_t addr[BTT_ADDR_LEN];
	uint32_t interval_ms;
	size_t max_block_txs;
	int failed;

	struct btt_ledger_pending *pending;
	uint8_t sig[BTT_BLOCK_SIG_LEN]; /* of the pending block */
	/* scratch of max_block_txs entries each */
	struct node_cand *cands;
	struct btt_ledger_tx_outcome *outcomes;
	struct btt_ledger_txref *refs;
	const uint8_t **ids;
	size_t n_cands;

	uint64_t blocks_made; /* this run */
	uint64_t txs_committed;
};

/* Registers the RPC methods (node_rpc.c, node_rpc_chain.c). Returns 0 or
 * an error of btt_rpc_dispatch_add. */
int btt_node_rpc_register(struct btt_node *n);
int btt_node_rpc_register_chain(struct btt_node *n);

/* JSON helpers for the method files: hex strings, u128 decimal strings,
 * addresses (EIP-55). Out of memory aborts. */
json_t *btt_node_json_hex(const uint8_t *p, size_t n);
json_t *btt_node_json_u128(btt_u128 v);
json_t *btt_node_json_addr(const uint8_t addr[BTT_ADDR_LEN]);

/* Parses a hex string param ("0x" optional) of exactly n bytes. Returns
 * false (err set, as invalid params, naming `what`) when it is not. */
bool btt_node_param_hex(json_t *v, uint8_t *out, size_t n, const char *what,
			struct btt_rpc_error *err);

/* Parses an address param (0x... or T...). */
bool btt_node_param_addr(json_t *v, uint8_t out[BTT_ADDR_LEN],
			 struct btt_rpc_error *err);

/* The first positional param, or the named one of an object. */
json_t *btt_node_param(json_t *params, size_t index, const char *name);

#endif
