/* One block's execution: candidates are decoded and their signatures
 * checked up front (in parallel), then executed strictly in order inside
 * the block's write state, then fees are paid and the roots computed.
 *
 * Per transaction the checks run in this order, and the first failure is
 * the reason given: decoding, chain id, expiry, payload layout,
 * signature, nonce (used / gap), fee above max_fee, fee not payable from
 * what the sender may spend. A transaction that passes is included: its
 * fee is charged and its nonce advances, then its operation runs between
 * a state mark and, if it fails, a revert to that mark, so a failed
 * operation leaves only the fee and nonce behind. Store failures and
 * broken invariants are never receipts: they abort the block. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "core/log.h"
#include "crypto/hash.h"
#include "ledger/blockstore.h"
#include "ledger/exec_int.h"

#define LOG_TAG "exec"

int btt_ledger_exec_touch(struct btt_ledger_exec *x,
			  const uint8_t addr[BTT_ADDR_LEN])
{
	if (!x->record_hist)
		return 0;
	return btt_ledger_blockstore_put_hist(btt_ledger_state_txn(x->st), addr,
					      x->height, x->index,
					      x->rcpt->txid);
}

typedef int (*op_fn)(struct btt_ledger_exec *x, const struct btt_tx *tx);

static const struct {
	uint16_t type;
	op_fn run;
} ops[] = {
	{BTT_TX_TRANSFER, btt_ledger_exec_transfer},
	{BTT_TX_MULTI_TRANSFER, btt_ledger_exec_multi},
	{BTT_TX_VESTING_CREATE, btt_ledger_exec_vesting_create},
	{BTT_TX_MSIG_CREATE, btt_ledger_exec_msig_create},
	{BTT_TX_MSIG_PROPOSE, btt_ledger_exec_msig_propose},
	{BTT_TX_MSIG_APPROVE, btt_ledger_exec_msig_approve},
	{BTT_TX_MSIG_EXECUTE, btt_ledger_exec_msig_execute},
	{BTT_TX_STAKE_CREATE, btt_ledger_exec_stake_create},
	{BTT_TX_STAKE_BOND, btt_ledger_exec_stake_bond},
	{BTT_TX_STAKE_UNBOND, btt_ledger_exec_stake_unbond},
};

static op_fn find_op(uint16_t type)
{
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ops[i].type == type)
			return ops[i].run;
	return NULL;
}

/* Errors that are the node's trouble, not the transaction's. */
static bool fatal(int rc)
{
	return rc == BTT_ECORRUPT || rc == BTT_ESTORE || rc == BTT_ESTOREFULL ||
	       (rc < 0 && rc > -20000);
}

/* Checks that need no state, for inclusion at `height`. */
static int static_check(uint64_t chain_id, uint64_t height,
			const struct btt_ledger_txref *ref,
			struct btt_exec_item *it)
{
	int rc;

	btt_keccak256(ref->p, ref->len, it->txid);
	if ((rc = btt_ledger_tx_decode(ref->p, ref->len, &it->tx)) != 0)
		return rc;
	if (find_op(it->tx.type) == NULL)
		return BTT_EUNSUPPORTED;
	if (it->tx.chain_id != chain_id)
		return BTT_ECHAINID;
	if (it->tx.expiry_height != 0 && height > it->tx.expiry_height)
		return BTT_EEXPIRED;
	return btt_ledger_tx_payload_check(&it->tx);
}

int btt_exec_run_begin(struct btt_exec_run *r, struct btt_ledger_chain *c,
		       const struct btt_ledger_txref *txs, size_t n,
		       uint64_t height, const uint8_t proposer[BTT_ADDR_LEN])
{
	uint64_t base;
	uint8_t root[32];
	int rc;

	r->x.c = c;
	r->x.height = height;
	r->x.record_hist = true;
	memcpy(r->x.proposer, proposer, BTT_ADDR_LEN);
	btt_vec_init(&r->included, sizeof(size_t));
	btt_vec_init(&r->ids, 32);
	btt_vec_init(&r->leaves, 32);
	r->block_len = BTT_BLOCK_FIXED_LEN;
	r->n = n;
	r->items = calloc(n ? n : 1, sizeof(*r->items));
	if (!r->items)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		r->items[i].pre = static_check(c->chain_id, height, &txs[i],
					       &r->items[i]);
		r->items[i].verify = r->items[i].pre == 0;
	}
	btt_ledger_exec_verify(c, r->items, n);
	if ((rc = btt_ledger_state_open(c->store, true, &r->x.st)) != 0)
		return rc;
	btt_ledger_state_base(r->x.st, &base, root, NULL);
	if (base != c->head.height || memcmp(root, c->head.state_root, 32))
		return BTT_ESTATE; /* the store moved under the chain */
	if ((rc = btt_ledger_exec_params_get(r->x.st, &r->x.params)) ||
	    (rc = btt_ledger_exec_valset_hash(btt_ledger_state_txn(r->x.st),
					      r->validators_hash)))
		return rc;
	return btt_ledger_exec_release(&r->x);
}

/* The stateful admission checks; *fee gets the fee and *a the sender's
 * account on success. */
static int admit(struct btt_ledger_exec *x, const struct btt_exec_item *it,
		 btt_u128 *fee, struct btt_ledger_account *a)
{
	int rc;

	if (it->pre)
		return it->pre;
	if ((rc = btt_ledger_state_account_get(x->st, it->tx.from, a)) != 0)
		return rc;
	if (it->tx.nonce != a->nonce)
		return it->tx.nonce < a->nonce ? BTT_ENONCEUSED : BTT_ENONCEGAP;
	*fee = btt_ledger_tx_fee(&it->tx);
	if (*fee > it->tx.max_fee)
		return BTT_EFEE;
	return btt_ledger_exec_spend_check(x->st, it->tx.from, a, x->height,
					   *fee);
}

/* Charges the fee to the sender's account a (as admit() read it),
 * advances the nonce, runs the operation. */
static int execute(struct btt_ledger_exec *x, const struct btt_exec_item *it,
		   btt_u128 fee, struct btt_ledger_account *a,
		   struct btt_ledger_receipt *rcpt)
{
	size_t mark;
	int rc;

	memset(rcpt, 0, offsetof(struct btt_ledger_receipt, events));
	memcpy(rcpt->txid, it->txid, 32);
	rcpt->fee = fee;
	x->tx = &it->tx;
	x->rcpt = rcpt;
	a->balance -= fee; /* admit() checked it */
	a->nonce++;
	if ((rc = btt_ledger_state_account_put(x->st, it->tx.from, a)) ||
	    (rc = btt_ledger_exec_touch(x, it->tx.from)))
		return rc;
	if (!btt_u128_add(x->fees, fee, &x->fees))
		return BTT_ECORRUPT;
	mark = btt_ledger_state_mark(x->st);
	rc = find_op(it->tx.type)(x, &it->tx);
	if (fatal(rc))
		return rc;
	if (rc) {
		if (btt_ledger_state_revert(x->st, mark) != 0)
			return BTT_ECORRUPT;
		rcpt->events_len = 0;
	}
	rcpt->status = rc;
	return 0;
}

/* Records an included transaction: index, roots' inputs, receipt. */
static int record(struct btt_exec_run *r, size_t i,
		  const struct btt_ledger_receipt *rcpt)
{
	uint8_t leaf[32];

	btt_ledger_receipt_leaf(rcpt, leaf);
	if (!btt_vec_push(&r->included, &i) ||
	    !btt_vec_push(&r->ids, r->items[i].txid) ||
	    !btt_vec_push(&r->leaves, leaf))
		return -ENOMEM;
	return btt_ledger_blockstore_put_tx(btt_ledger_state_txn(r->x.st),
					    r->x.height, r->x.index, rcpt);
}

static void outcome(struct btt_exec_run *r, size_t i, bool in, int status)
{
	if (r->outcomes) {
		r->outcomes[i].included = in;
		r->outcomes[i].status = status;
	}
}

int btt_exec_run_txs(struct btt_exec_run *r)
{
	struct btt_ledger_receipt rcpt;

	for (size_t i = 0; i < r->n; i++) {
		size_t len = BTT_TX_FIXED_LEN + r->items[i].tx.payload_len;
		struct btt_ledger_account a;
		btt_u128 fee = 0;
		int rc;

		if (r->build &&
		    (btt_vec_len(&r->included) >= BTT_BLOCK_MAX_TXS ||
		     r->block_len + 4 + len > BTT_BLOCK_MAX_LEN)) {
			outcome(r, i, false, BTT_ELIMIT);
			continue;
		}
		rc = admit(&r->x, &r->items[i], &fee, &a);
		if (rc && (fatal(rc) || !r->build)) {
			r->bad = i;
			return rc;
		}
		if (rc) {
			outcome(r, i, false, rc);
			continue;
		}
		r->x.index = (uint32_t)btt_vec_len(&r->included);
		if ((rc = execute(&r->x, &r->items[i], fee, &a, &rcpt)) ||
		    (rc = record(r, i, &rcpt)))
			return rc;
		r->block_len += 4 + len;
		outcome(r, i, true, rcpt.status);
	}
	return 0;
}

/* Splits the block's fees between the proposer and the reward pool. */
static int pay_fees(struct btt_ledger_exec *x)
{
	uint8_t pool[BTT_ADDR_LEN];
	btt_u128 share;
	int rc;

	if (x->fees == 0)
		return 0;
	/* fees < total supply < 2^100: the product cannot overflow */
	share = x->fees * BTT_EXEC_FEE_PROPOSER_BPS / 10000;
	btt_ledger_chain_pool_address(pool);
	if ((rc = btt_ledger_state_credit(x->st, x->proposer, share)) ||
	    (rc = btt_ledger_state_credit(x->st, pool, x->fees - share)))
		return rc == BTT_EOVERFLOW ? BTT_ECORRUPT : rc;
	return 0;
}

int btt_exec_run_end(struct btt_exec_run *r)
{
	size_t n = btt_vec_len(&r->ids);
	uint8_t(*work)[32];
	int rc;

	if ((rc = pay_fees(&r->x)) != 0)
		return rc;
	rc = btt_ledger_state_finish(r->x.st, r->x.height, r->state_root, NULL);
	if (rc)
		return rc;
	if (r->x.c->check_supply &&
	    (rc = btt_ledger_exec_check_supply(r->x.st, r->x.c->supply)))
		return rc;
	work = calloc(n ? n : 1, 32);
	if (!work)
		return -ENOMEM;
	btt_ledger_merkle_root(r->ids.data, n, work, r->tx_root);
	btt_ledger_merkle_reduce(r->leaves.data, n, r->receipts_root);
	free(work);
	return 0;
}

void btt_exec_run_release(struct btt_exec_run *r)
{
	btt_ledger_state_abort(r->x.st);
	r->x.st = NULL;
	free(r->items);
	btt_vec_release(&r->included);
	btt_vec_release(&r->ids);
	btt_vec_release(&r->leaves);
}
