/* Whole-state queries: the supply invariant and the account view the RPC
 * shows. Both read one state view, so they see one committed block (or,
 * for the invariant inside a block, that block's finished state). */
#include <string.h>

#include "btt/err.h"
#include "core/log.h"
#include "ledger/exec_int.h"

#define LOG_TAG "exec"

int btt_ledger_exec_check_supply(struct btt_ledger_state *st, btt_u128 supply)
{
	char a[BTT_U128_DEC_MAX + 1], b[BTT_U128_DEC_MAX + 1];
	btt_u128 balances, bonded, unbonding, total = 0;
	int rc = btt_ledger_state_supply(st, &balances);

	if (!rc)
		rc = btt_ledger_exec_staking_sums(btt_ledger_state_txn(st),
						  &bonded, &unbonding);
	if (rc)
		return rc;
	if (!btt_u128_add(balances, bonded, &total) ||
	    !btt_u128_add(total, unbonding, &total) || total != supply) {
		btt_u128_to_dec(total, a);
		btt_u128_to_dec(supply, b);
		BTT_LOG(BTT_LOG_ERROR, LOG_TAG,
			"supply invariant broken: balances + bonded + "
			"unbonding = %s, supply = %s",
			a, b);
		return BTT_ECORRUPT;
	}
	return 0;
}

int btt_ledger_chain_check_supply(struct btt_ledger_chain *c)
{
	struct btt_ledger_state *st;
	int rc = btt_ledger_state_open(c->store, false, &st);

	if (rc)
		return rc;
	rc = btt_ledger_exec_check_supply(st, c->supply);
	btt_ledger_state_abort(st);
	return rc;
}

static int account_info(struct btt_ledger_state *st,
			const uint8_t addr[BTT_ADDR_LEN],
			struct btt_ledger_account_info *out)
{
	struct btt_ledger_account a;
	struct btt_vesting v;
	uint64_t height;
	uint8_t root[32];
	int rc = btt_ledger_state_account_get(st, addr, &a);

	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	btt_ledger_state_base(st, &height, root, NULL);
	out->balance = a.balance;
	out->nonce = a.nonce;
	out->flags = a.flags;
	out->spendable = a.balance;
	rc = btt_ledger_exec_vesting_get(st, addr, &v, &out->vesting);
	if (rc)
		return rc;
	if (out->vesting) {
		out->locked = btt_ledger_vesting_locked(&v, height + 1);
		out->spendable =
			btt_ledger_vesting_spendable(&v, height + 1, a.balance);
	}
	return btt_ledger_exec_staking_of(btt_ledger_state_txn(st), addr,
					  &out->bonded, &out->unbonding);
}

int btt_ledger_chain_account(struct btt_ledger_chain *c,
			     const uint8_t addr[BTT_ADDR_LEN],
			     struct btt_ledger_account_info *out)
{
	struct btt_ledger_state *st;
	int rc = btt_ledger_state_open(c->store, false, &st);

	if (rc)
		return rc;
	rc = account_info(st, addr, out);
	btt_ledger_state_abort(st);
	return rc;
}
