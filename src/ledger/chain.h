/* The chain: a data directory (one ledger store) bound to one genesis,
 * with its head block. Opening a fresh directory applies the genesis as
 * height 0 in one write transaction; opening an existing one checks that
 * it was made from the same genesis and that the head block and the
 * state agree (docs/ledger-exec.md).
 *
 * Threads: the owner thread (the one that opened the chain) applies
 * blocks (exec.h) and calls the chain_* functions below. Other threads
 * read through btt_ledger_chain_store() with the block store's read
 * functions (blockstore.h) and btt_ledger_exec_check_tx(); they never see
 * a half-applied block. */
#ifndef BTT_LEDGER_CHAIN_H
#define BTT_LEDGER_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/address.h"
#include "ledger/block.h"
#include "ledger/genesis.h"
#include "ledger/store.h"
#include "ledger/u128.h"

/* Runs fn(arg, i) for every i in [0, n), on any threads and in any order,
 * and returns once all calls have returned. The executor hands it batches
 * of signature checks. exec_pool.h adapts the worker pool (io/pool.h). */
typedef void (*btt_ledger_job_fn)(void *arg, size_t i);
struct btt_ledger_workers {
	void (*run)(void *ctx, size_t n, btt_ledger_job_fn fn, void *arg);
	void *ctx;
	unsigned threads; /* how many run in parallel; batches per block */
};

enum btt_ledger_supply_check {
	BTT_LEDGER_SUPPLY_DEFAULT = 0, /* on unless built with NDEBUG */
	BTT_LEDGER_SUPPLY_ON,
	BTT_LEDGER_SUPPLY_OFF,
};

struct btt_ledger_chain_opts {
	uint64_t map_size; /* 0: BTT_LEDGER_STORE_MAP_DEFAULT */
	/* Check the supply invariant inside every block's transaction (a
	 * violation aborts the block with BTT_ECORRUPT). It walks every
	 * account: for tests and debug builds. */
	enum btt_ledger_supply_check supply_check;
	/* Signature batches run here; NULL (or run NULL): on the calling
	 * thread. Borrowed for the chain's life. */
	const struct btt_ledger_workers *workers;
};

/* The last committed block. */
struct btt_ledger_head {
	uint64_t height;
	uint64_t time_ms;
	uint8_t hash[BTT_BLOCK_HASH_LEN];
	uint8_t state_root[BTT_BLOCK_HASH_LEN];
};

/* An account as the RPC shows it, at the head. */
struct btt_ledger_account_info {
	btt_u128 balance;   /* bank balance, locked vesting coins included */
	uint64_t nonce;	    /* the next nonce the account must use */
	uint32_t flags;	    /* BTT_ACCT_* (state.h) */
	bool vesting;	    /* has a vesting schedule */
	btt_u128 locked;    /* vesting coins still locked at head + 1 */
	btt_u128 spendable; /* what a transfer at head + 1 may move */
	btt_u128 bonded;    /* delegated to validators */
	btt_u128 unbonding; /* waiting in the unbonding queue */
};

struct btt_ledger_chain;

/* Opens (creating when needed) the chain in directory dir for genesis g
 * (borrowed only during the call; it must pass btt_ledger_genesis_check).
 * o may be NULL (defaults). On failure a one-line reason goes to err
 * (err_len bytes, may be NULL). Returns 0, BTT_EGENESIS (the directory
 * was created from another genesis), BTT_ECORRUPT (head block and state
 * disagree, or records are missing: a torn or damaged store), an error
 * from btt_ledger_genesis_check, or a store error. */
int btt_ledger_chain_open(const char *dir, const struct btt_genesis *g,
			  const struct btt_ledger_chain_opts *o,
			  struct btt_ledger_chain **out, char *err,
			  size_t err_len);

/* Closes the chain (no block may be pending). NULL is a no-op. */
void btt_ledger_chain_free(struct btt_ledger_chain *c);

void btt_ledger_chain_head(const struct btt_ledger_chain *c,
			   struct btt_ledger_head *out);
uint64_t btt_ledger_chain_id(const struct btt_ledger_chain *c);
void btt_ledger_chain_genesis_hash(const struct btt_ledger_chain *c,
				   uint8_t out[32]);
/* The total supply the invariant holds the ledger to. */
btt_u128 btt_ledger_chain_supply(const struct btt_ledger_chain *c);
/* The store, for read transactions from any thread. */
struct btt_ledger_store *btt_ledger_chain_store(struct btt_ledger_chain *c);

/* Reads an account at the committed head. Any thread. Returns 0,
 * BTT_ECORRUPT or a store error. */
int btt_ledger_chain_account(struct btt_ledger_chain *c,
			     const uint8_t addr[BTT_ADDR_LEN],
			     struct btt_ledger_account_info *out);

/* The supply invariant over the committed state: every balance + every
 * validator's bonded stake + every unbonding entry == the supply.
 * Returns 0, BTT_ECORRUPT (it does not hold; logged with both sums) or a
 * store error. Any thread. */
int btt_ledger_chain_check_supply(struct btt_ledger_chain *c);

/* The reward pool: the module account that receives the pool's share of
 * every fee (btt_ledger_module_address("reward_pool")). */
void btt_ledger_chain_pool_address(uint8_t out[BTT_ADDR_LEN]);

#endif
