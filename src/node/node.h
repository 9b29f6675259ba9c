/* The chain node: one ledger chain, its mempool, block production and the
 * JSON-RPC methods, all on one libuv loop thread (DESIGN.md "Threads").
 *
 * Block production sits behind propose/commit, the interface the
 * consensus engine will drive: btt_node_propose() executes the mempool's
 * best ready transactions on top of the head as a pending block (nothing
 * is stored yet), btt_node_commit() stores it durably and cleans the
 * mempool, btt_node_abort() drops it. As the only validator, the node
 * drives them itself from a timer: every block interval it proposes and
 * commits at once. Empty blocks are produced too, so heights advance at
 * a steady pace and "time since the last block" means liveness.
 *
 * docs/node.md has the RPC methods, error codes and crash behaviour. */
#ifndef BTT_NODE_NODE_H
#define BTT_NODE_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/secp.h"
#include "ledger/block.h"
#include "ledger/genesis.h"
#include "node/mempool.h"

#define BTT_NODE_DEFAULT_RPC_PORT 7660
#define BTT_NODE_DEFAULT_INTERVAL_MS 1000
#define BTT_NODE_DEFAULT_BLOCK_TXS 10000
/* Every this many blocks the whole mempool is rechecked (expiry, and
 * accounts changed by others' transactions). */
#define BTT_NODE_SWEEP_BLOCKS 32

struct btt_node_opts {
	const char *data_dir;
	const struct btt_genesis *genesis; /* borrowed during _new */
	uint8_t key[BTT_SECP_PRIV_LEN];	   /* the validator key, copied */
	uint16_t rpc_port;		   /* 0: the OS chooses */
	bool no_rpc;			   /* tests: no HTTP server */
	uint32_t block_interval_ms;	   /* 0: the default */
	size_t max_block_txs;		   /* 0: the default */
	unsigned workers;		   /* signature threads; 0: CPUs */
	struct btt_mempool_limits mempool;
};

struct btt_loop;
struct btt_node;

/* Opens the chain in opts->data_dir (creating it from the genesis when
 * new), starts the RPC server and arms the block timer on `loop`. On
 * failure a one-line reason goes to err. Returns 0, an error of
 * btt_ledger_chain_open (BTT_EGENESIS, BTT_ECORRUPT...), -EADDRINUSE or
 * BTT_ESTATE (RPC server). */
int btt_node_new(struct btt_loop *loop, const struct btt_node_opts *opts,
		 struct btt_node **out, char *err, size_t err_len);

/* Stops the RPC server (pending requests get an error), drops a pending
 * block, closes the chain. Loop thread, before btt_loop_free. NULL is a
 * no-op. */
void btt_node_free(struct btt_node *n);

/* Stops producing blocks (the timer) and stops the loop, e.g. on
 * SIGTERM; then btt_node_free. */
void btt_node_stop(struct btt_node *n);

/* The first fatal error (a block that could not be stored), or 0. */
int btt_node_failed(const struct btt_node *n);

uint16_t btt_node_rpc_port(const struct btt_node *n);
void btt_node_address(const struct btt_node *n, uint8_t out[BTT_ADDR_LEN]);

/* Proposes block head + 1 at time_ms (raised to the head's time + 1 when
 * not after it) from the mempool; *out views the pending block, signed
 * by the validator key, until _commit or _abort. Returns 0, BTT_ESTATE (a
 * block is already pending) or an executor error. */
int btt_node_propose(struct btt_node *n, uint64_t time_ms,
		     const struct btt_ledger_block **out);

/* Stores the pending block (synced), then removes its transactions and
 * the candidates found invalid from the mempool and rechecks the senders
 * against the new head. Returns 0, BTT_ESTATE (nothing pending) or the
 * store's error (the node is then failed). */
int btt_node_commit(struct btt_node *n);

/* Drops the pending block; the mempool keeps its transactions. */
void btt_node_abort(struct btt_node *n);

/* Admits an encoded transaction to the mempool: the executor's check
 * against the head, then the mempool's rules. *out_replaced (may be NULL)
 * says whether it replaced a pending one. Returns 0 or the reason
 * (mempool.h, exec.h). */
int btt_node_submit(struct btt_node *n, const uint8_t *raw, size_t len,
		    uint8_t out_txid[BTT_TX_HASH_LEN], bool *out_replaced);

#endif
