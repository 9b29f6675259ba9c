/* Shared between the chain (chain.c) and the executor (exec*.c): the
 * chain object, the per-block execution context, and the module
 * operations. Not for other modules.
 *
 * Module records (state namespaces = module bytes, tx_types.h):
 *   vesting  0x02  address[20]                       -> vesting record
 *   multisig 0x03  'A' account[20]                   -> definition
 *                  'N' account[20]                   -> u64 next proposal
 *                  'P' proposal id[32]               -> proposal record
 *   staking  0x04  'P'                               -> params
 *                  'C'                               -> u32 validators
 *                  'V' operator[20]                  -> validator record
 *                  'S' signer id[20]                 -> operator[20]
 *                  'D' delegator[20] validator[20]   -> delegation
 *                  'U' delegator[20] validator[20] u64 height
 *                                                    -> unbonding entry
 *                  'Q' u64 height delegator[20] validator[20] -> 0x01
 * 'Q' is the release queue: block h releases the entries under 'Q' h. */
#ifndef BTT_LEDGER_EXEC_INT_H
#define BTT_LEDGER_EXEC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/vec.h"
#include "ledger/chain.h"
#include "ledger/exec.h"
#include "ledger/genesis.h"
#include "ledger/staking.h"
#include "ledger/state.h"
#include "ledger/tx_types.h"
#include "ledger/vesting.h"

#define BTT_EXEC_VALSET_TAG "BTT-VALSET-v1"
#define BTT_EXEC_POOL_NAME "reward_pool"
/* META key of the genesis hash the directory was created from. */
#define BTT_EXEC_META_GENESIS "genesis"

struct btt_ledger_sigcache;

struct btt_ledger_chain {
	struct btt_ledger_store *store;
	uint64_t chain_id;
	btt_u128 supply;
	uint8_t genesis_hash[32];
	struct btt_ledger_head head;
	bool check_supply;
	struct btt_ledger_workers workers; /* run NULL: serial */
	struct btt_ledger_sigcache *cache;
	struct btt_ledger_pending *pending;
};

/* One candidate transaction, decoded. */
struct btt_exec_item {
	struct btt_tx tx;
	uint8_t txid[32];
	int pre;     /* static checks and signature: 0 or why it is invalid */
	bool verify; /* signature still to be checked */
};

/* The context of one block's execution (or of a mempool check, read
 * only). */
struct btt_ledger_exec {
	struct btt_ledger_chain *c;
	struct btt_ledger_state *st;
	struct btt_staking_params params;
	uint64_t height;
	uint8_t proposer[BTT_ADDR_LEN];
	btt_u128 fees;
	/* the transaction being executed */
	const struct btt_tx *tx;
	struct btt_ledger_receipt *rcpt;
	uint32_t index;
	bool record_hist; /* write history records (block execution) */
};

/* Records that the current transaction names addr (history). */
int btt_ledger_exec_touch(struct btt_ledger_exec *x,
			  const uint8_t addr[BTT_ADDR_LEN]);

/* Signature checks (exec_sig.c). */
int btt_ledger_sigcache_new(size_t entries, struct btt_ledger_sigcache **out);
void btt_ledger_sigcache_free(struct btt_ledger_sigcache *sc);
bool btt_ledger_sigcache_has(struct btt_ledger_sigcache *sc,
			     const uint8_t txid[32]);
void btt_ledger_sigcache_add(struct btt_ledger_sigcache *sc,
			     const uint8_t txid[32]);
/* Checks the signature of every item with verify set, in batches on the
 * chain's workers, setting its pre. */
void btt_ledger_exec_verify(struct btt_ledger_chain *c,
			    struct btt_exec_item *items, size_t n);

/* Vesting (exec_vesting.c). */
/* The schedule of addr into *v; *has false (v untouched) when none. */
int btt_ledger_exec_vesting_get(struct btt_ledger_state *st,
				const uint8_t addr[BTT_ADDR_LEN],
				struct btt_vesting *v, bool *has);
int btt_ledger_exec_vesting_put(struct btt_ledger_state *st,
				const uint8_t addr[BTT_ADDR_LEN],
				const struct btt_vesting *v);
/* What addr (bank balance `balance`) may transfer at `height`. */
int btt_ledger_exec_spendable(struct btt_ledger_state *st,
			      const uint8_t addr[BTT_ADDR_LEN], uint64_t height,
			      btt_u128 balance, btt_u128 *out);
/* Checks that addr can move `amount` out at `height`: 0, BTT_EFUNDS
 * (above its balance) or BTT_ELOCKED (only locked coins would cover it). */
int btt_ledger_exec_can_spend(struct btt_ledger_state *st,
			      const uint8_t addr[BTT_ADDR_LEN], uint64_t height,
			      btt_u128 amount);
/* As _can_spend for the account a of addr, already loaded. */
int btt_ledger_exec_spend_check(struct btt_ledger_state *st,
				const uint8_t addr[BTT_ADDR_LEN],
				const struct btt_ledger_account *a,
				uint64_t height, btt_u128 amount);
/* Sets BTT_ACCT_VESTING on addr (it has just been given a schedule). */
int btt_ledger_exec_flag_vesting(struct btt_ledger_state *st,
				 const uint8_t addr[BTT_ADDR_LEN]);
/* Vesting bookkeeping when addr bonds (`balance` before) or gets coins
 * back from unbonding; no-ops for accounts without a schedule. */
int btt_ledger_exec_vesting_delegate(struct btt_ledger_state *st,
				     const uint8_t addr[BTT_ADDR_LEN],
				     uint64_t height, btt_u128 balance,
				     btt_u128 amount);
int btt_ledger_exec_vesting_undelegate(struct btt_ledger_state *st,
				       const uint8_t addr[BTT_ADDR_LEN],
				       btt_u128 amount);

/* Operations: 0, or why the operation failed (the receipt status). */
int btt_ledger_exec_transfer(struct btt_ledger_exec *x,
			     const struct btt_tx *tx);
int btt_ledger_exec_multi(struct btt_ledger_exec *x, const struct btt_tx *tx);
/* Runs a bank payload of `type` as account `from` (a multisig action). */
int btt_ledger_exec_bank_action(struct btt_ledger_exec *x,
				const uint8_t from[BTT_ADDR_LEN], uint16_t type,
				const uint8_t *p, size_t n);
int btt_ledger_exec_vesting_create(struct btt_ledger_exec *x,
				   const struct btt_tx *tx);
int btt_ledger_exec_msig_create(struct btt_ledger_exec *x,
				const struct btt_tx *tx);
int btt_ledger_exec_msig_propose(struct btt_ledger_exec *x,
				 const struct btt_tx *tx);
int btt_ledger_exec_msig_approve(struct btt_ledger_exec *x,
				 const struct btt_tx *tx);
int btt_ledger_exec_msig_execute(struct btt_ledger_exec *x,
				 const struct btt_tx *tx);
int btt_ledger_exec_stake_create(struct btt_ledger_exec *x,
				 const struct btt_tx *tx);
int btt_ledger_exec_stake_bond(struct btt_ledger_exec *x,
			       const struct btt_tx *tx);
int btt_ledger_exec_stake_unbond(struct btt_ledger_exec *x,
				 const struct btt_tx *tx);

/* Multisig records (exec_multisig.c). */
int btt_ledger_exec_msig_def_put(struct btt_ledger_state *st,
				 const uint8_t account[BTT_ADDR_LEN],
				 const struct btt_multisig *m);

/* Staking (exec_staking.c, exec_stakeset.c). */
/* The 20-byte id under which a validator's signer is registered. */
void btt_ledger_exec_signer_id(const uint8_t *signer, size_t n,
			       uint8_t out[BTT_ADDR_LEN]);
int btt_ledger_exec_params_get(struct btt_ledger_state *st,
			       struct btt_staking_params *out);
/* Writes the genesis staking records: params, validators (bonded), their
 * self-delegations and signer index. */
int btt_ledger_exec_staking_genesis(struct btt_ledger_state *st,
				    const struct btt_genesis *g);
/* Pays out the unbonding entries that complete at x->height. */
int btt_ledger_exec_release(struct btt_ledger_exec *x);
/* Hash of the bonded validator set in the store as t sees it. */
int btt_ledger_exec_valset_hash(struct btt_ledger_txn *t, uint8_t out[32]);
/* Sums of every validator's total_bonded and every unbonding entry. */
int btt_ledger_exec_staking_sums(struct btt_ledger_txn *t, btt_u128 *bonded,
				 btt_u128 *unbonding);
/* What addr has bonded and has unbonding. */
int btt_ledger_exec_staking_of(struct btt_ledger_txn *t,
			       const uint8_t addr[BTT_ADDR_LEN],
			       btt_u128 *bonded, btt_u128 *unbonding);

/* The supply invariant inside st (committed state, or a finished block):
 * 0, BTT_ECORRUPT (logged) or a store error. */
int btt_ledger_exec_check_supply(struct btt_ledger_state *st, btt_u128 supply);

/* One block's execution (exec_run.c), shared by the proposer and the
 * follower paths (exec.c). */
struct btt_exec_run {
	struct btt_ledger_exec x;
	bool build; /* proposer: leave invalid candidates out */
	struct btt_exec_item *items;
	size_t n;
	struct btt_ledger_tx_outcome *outcomes; /* build: n entries or NULL */
	size_t bad;		 /* follower: first invalid (SIZE_MAX: none) */
	struct btt_vec included; /* size_t: item index, in block order */
	struct btt_vec ids;	 /* txids of included items */
	struct btt_vec leaves;	 /* their receipt leaves */
	size_t block_len;
	uint8_t validators_hash[32];
	uint8_t tx_root[32];
	uint8_t receipts_root[32];
	uint8_t state_root[32];
};

/* Decodes the candidates, checks what needs no state, verifies the
 * signatures, opens the block's write state on top of the head, hashes
 * the validator set and releases due unbondings. On error nothing is
 * held but r's memory (_release it). */
int btt_exec_run_begin(struct btt_exec_run *r, struct btt_ledger_chain *c,
		       const struct btt_ledger_txref *txs, size_t n,
		       uint64_t height, const uint8_t proposer[BTT_ADDR_LEN]);
/* Executes the candidates in order. */
int btt_exec_run_txs(struct btt_exec_run *r);
/* Pays the fees, finishes the state, checks the supply and computes the
 * roots. The write transaction stays open in r->x.st. */
int btt_exec_run_end(struct btt_exec_run *r);
/* Frees r's memory and aborts its state if it still holds one. */
void btt_exec_run_release(struct btt_exec_run *r);

/* Commits a finished state with block b (complete and signed) and
 * advances the head. Consumes st in every case. */
int btt_ledger_exec_commit(struct btt_ledger_chain *c,
			   struct btt_ledger_state *st,
			   const struct btt_ledger_block *b);

#endif
