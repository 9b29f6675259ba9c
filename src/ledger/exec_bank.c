/* The bank module in execution: TRANSFER and MULTI_TRANSFER, from the
 * sender or (as a multisig action) from a multisig account. The whole
 * amount is checked against what the payer may spend (vesting locks
 * included) before any coin moves; recipients are credited in payload
 * order, and an overflowing credit fails the operation (the executor
 * undoes the transfers already made). */
#include <string.h>

#include "btt/err.h"
#include "ledger/exec_int.h"

/* One payment: the payer's and the payee's records are read and written
 * once each (transfers are most of the work of a block). */
static int pay_one(struct btt_ledger_exec *x, const uint8_t from[20],
		   const struct btt_tx_transfer *t)
{
	struct btt_ledger_account a, b;
	int rc = btt_ledger_exec_touch(x, t->to);

	if (!rc)
		rc = btt_ledger_state_account_get(x->st, from, &a);
	if (!rc)
		rc = btt_ledger_exec_spend_check(x->st, from, &a, x->height,
						 t->amount);
	if (rc || !memcmp(from, t->to, BTT_ADDR_LEN))
		return rc;
	if ((rc = btt_ledger_state_account_get(x->st, t->to, &b)) != 0)
		return rc;
	if (!btt_u128_add(b.balance, t->amount, &b.balance))
		return BTT_EOVERFLOW;
	a.balance -= t->amount; /* spend_check: amount <= balance */
	if ((rc = btt_ledger_state_account_put(x->st, from, &a)) != 0)
		return rc;
	return btt_ledger_state_account_put(x->st, t->to, &b);
}

static int pay_multi(struct btt_ledger_exec *x, const uint8_t from[20],
		     const struct btt_tx_multi *m)
{
	struct btt_tx_transfer t;
	btt_u128 total = 0;
	int rc;

	for (size_t i = 0; i < m->count; i++) {
		btt_ledger_multi_entry(m, i, &t);
		if ((rc = btt_ledger_exec_touch(x, t.to)) != 0)
			return rc;
		if (!btt_u128_add(total, t.amount, &total))
			return BTT_EOVERFLOW;
	}
	rc = btt_ledger_exec_can_spend(x->st, from, x->height, total);
	for (size_t i = 0; i < m->count && !rc; i++) {
		btt_ledger_multi_entry(m, i, &t);
		rc = btt_ledger_state_transfer(x->st, from, t.to, t.amount);
	}
	return rc;
}

int btt_ledger_exec_bank_action(struct btt_ledger_exec *x,
				const uint8_t from[BTT_ADDR_LEN], uint16_t type,
				const uint8_t *p, size_t n)
{
	struct btt_tx_transfer t;
	struct btt_tx_multi m;
	int rc;

	switch (type) {
	case BTT_TX_TRANSFER:
		if ((rc = btt_ledger_transfer_decode(p, n, &t)) != 0)
			return rc;
		return pay_one(x, from, &t);
	case BTT_TX_MULTI_TRANSFER:
		if ((rc = btt_ledger_multi_decode(p, n, &m)) != 0)
			return rc;
		return pay_multi(x, from, &m);
	default: return BTT_EUNSUPPORTED;
	}
}

int btt_ledger_exec_transfer(struct btt_ledger_exec *x, const struct btt_tx *tx)
{
	return btt_ledger_exec_bank_action(x, tx->from, BTT_TX_TRANSFER,
					   tx->payload, tx->payload_len);
}

int btt_ledger_exec_multi(struct btt_ledger_exec *x, const struct btt_tx *tx)
{
	return btt_ledger_exec_bank_action(x, tx->from, BTT_TX_MULTI_TRANSFER,
					   tx->payload, tx->payload_len);
}
