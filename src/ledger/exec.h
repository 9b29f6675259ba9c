/* The executor: turns transactions into a committed block, in ONE store
 * write transaction per block (state, block, tx index, receipts and
 * history together), so a crash leaves block H-1 or block H, never a mix.
 *
 * Two ways in:
 *   proposer   _build executes candidate transactions in order, leaves out
 *              the invalid ones, and fills the header (roots included);
 *              _pending_commit stores it with the proposer's signature.
 *              _propose does both with a private key.
 *   follower   _apply re-executes a received signed block and commits it
 *              only if every transaction is valid and every root, the
 *              height, parent, time and signature match.
 *
 * Per transaction, in block order (docs/ledger-exec.md):
 *   invalid (never in a block; a block holding one is refused): not one
 *     canonical transaction, unknown type or malformed payload, wrong
 *     chain id (BTT_ECHAINID), expired (expiry_height != 0 and below the
 *     block height: BTT_EEXPIRED), bad or high-S signature
 *     (BTT_ESIGNATURE), nonce below the account's (BTT_ENONCEUSED) or
 *     above it (BTT_ENONCEGAP), fee above max_fee (BTT_EFEE), fee not
 *     payable from the spendable balance (BTT_EFUNDS, or BTT_ELOCKED when
 *     only locked vesting coins could pay it);
 *   included: the fee is charged and the nonce advances; then the
 *     operation runs and either succeeds (receipt status 0) or fails with
 *     every one of its changes undone (receipt status = its error:
 *     BTT_EFUNDS, BTT_ELOCKED, BTT_EOVERFLOW, BTT_EDENIED, ...).
 * Fees: BTT_EXEC_FEE_PROPOSER_BPS of each block's fees (rounded down) go
 * to the header's proposer, the rest to the reward pool module account.
 *
 * Signatures are checked before execution, in batches on the chain's
 * workers; a txid verified earlier (by _check_tx, for the mempool) is
 * found in a small bounded cache and not checked again.
 *
 * Threads: _build, _propose, _apply and the pending functions on the
 * chain's owner thread; _check_tx on any thread. */
#ifndef BTT_LEDGER_EXEC_H
#define BTT_LEDGER_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/address.h"
#include "crypto/secp.h"
#include "ledger/block.h"
#include "ledger/chain.h"
#include "ledger/tx.h"
#include "ledger/u128.h"

/* Account flag (state.h leaves other bits to the modules): the account
 * has a vesting schedule, so spends check it. Saves every other account
 * a record lookup per spend. Set by the genesis and VESTING_CREATE,
 * never cleared. */
#define BTT_ACCT_VESTING (1u << 2)

/* Fee split: basis points of a block's fees paid to its proposer. */
#define BTT_EXEC_FEE_PROPOSER_BPS 5000
/* Entries of the verified-signature cache (txid -> sender). */
#define BTT_EXEC_SIGCACHE_SIZE 65536

/* What happened to one candidate transaction of _build. */
struct btt_ledger_tx_outcome {
	bool included; /* in the block, fee charged */
	int status;    /* included: the receipt status (0 or the operation's
			* error); left out: why it is invalid */
};

/* The facts the mempool needs about a transaction that passed
 * _check_tx. */
struct btt_ledger_tx_check {
	uint8_t txid[BTT_TX_HASH_LEN];
	uint8_t from[BTT_ADDR_LEN];
	uint64_t nonce;
	uint64_t account_nonce; /* the next nonce the account may use */
	btt_u128 fee;		/* what the block will charge */
	btt_u128 max_fee;
	uint16_t type;
};

struct btt_ledger_pending;

/* Executes the candidates txs[0..n) in order on top of the head as block
 * head + 1 at time_ms (> the head's time) proposed by `proposer`. Invalid
 * candidates are left out; outcomes (n entries, may be NULL) says what
 * happened to each. On success *out holds the block (unsigned) and the
 * store's write transaction until _pending_commit or _pending_abort.
 * Returns 0, BTT_EBLOCK (time not after the head's), BTT_ELIMIT (more
 * than BTT_BLOCK_MAX_TXS included, or the block above BTT_BLOCK_MAX_LEN:
 * the candidate that would overflow and the ones after it are left out
 * with BTT_ELIMIT, not an error), BTT_ECORRUPT (supply invariant) or a
 * store error. */
int btt_ledger_exec_build(struct btt_ledger_chain *c,
			  const struct btt_ledger_txref *txs, size_t n,
			  uint64_t time_ms,
			  const uint8_t proposer[BTT_ADDR_LEN],
			  struct btt_ledger_tx_outcome *outcomes,
			  struct btt_ledger_pending **out);

/* The block being built: header complete, sig zero. Valid until the
 * pending block is committed or aborted. */
const struct btt_ledger_block *
btt_ledger_pending_block(const struct btt_ledger_pending *p);

/* Stores the block with sig (which must recover to the proposer), commits
 * (synced) and advances the head; out_block (may be NULL) gets an owned
 * copy of the signed block. Frees p in every case. Returns 0,
 * BTT_ESIGNATURE (nothing committed) or a store error. */
int btt_ledger_pending_commit(struct btt_ledger_pending *p,
			      const uint8_t sig[BTT_BLOCK_SIG_LEN],
			      struct btt_ledger_block *out_block);

/* Discards the pending block. NULL is a no-op. */
void btt_ledger_pending_abort(struct btt_ledger_pending *p);

/* _build, signing with key (whose address is the proposer), and
 * _pending_commit. out_block may be NULL. */
int btt_ledger_exec_propose(struct btt_ledger_chain *c,
			    const struct btt_ledger_txref *txs, size_t n,
			    uint64_t time_ms,
			    const uint8_t key[BTT_SECP_PRIV_LEN],
			    struct btt_ledger_tx_outcome *outcomes,
			    struct btt_ledger_block *out_block);

/* Applies a received signed block (borrowed). Returns 0 and commits, or
 * changes nothing and returns: BTT_EBLOCK (chain id, height, parent or
 * time do not extend the head), BTT_ESIGNATURE (the block's signature),
 * BTT_ELIMIT, BTT_EHASH (tx_root, receipts_root, state_root or
 * validators_hash differ from re-execution), the error of the first
 * invalid transaction (its index in *out_bad, may be NULL), or a store
 * error. */
int btt_ledger_exec_apply(struct btt_ledger_chain *c,
			  const struct btt_ledger_block *b, size_t *out_bad);

/* Admission check for the mempool against the committed head, for
 * inclusion in block head + 1: the invalid rules above except that a
 * nonce above the account's is accepted (the mempool holds it until the
 * gap closes) and the fee is checked against the spendable balance
 * before the transactions ahead of it in the mempool. A good
 * signature is remembered for execution. Any thread. Returns 0 or the
 * reason (as for an invalid transaction) and fills out (may be NULL)
 * when the transaction decoded. */
int btt_ledger_exec_check_tx(struct btt_ledger_chain *c, const uint8_t *p,
			     size_t n, struct btt_ledger_tx_check *out);

#endif
