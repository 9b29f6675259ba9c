/* The vesting module in execution: schedule records, what an account may
 * spend, the bookkeeping when vesting coins are bonded or come back, and
 * VESTING_CREATE. Locked coins stay in the bank balance; every transfer,
 * fee and multisig payment out of an account goes through
 * _spend_check, which is where the lock is enforced; accounts without
 * the BTT_ACCT_VESTING flag have no schedule to look up. */
#include <string.h>

#include "btt/err.h"
#include "ledger/exec_int.h"

int btt_ledger_exec_vesting_get(struct btt_ledger_state *st,
				const uint8_t addr[BTT_ADDR_LEN],
				struct btt_vesting *v, bool *has)
{
	struct btt_cur c;
	int rc = btt_ledger_state_rec_get(st, BTT_MODULE_VESTING, addr,
					  BTT_ADDR_LEN, &c);

	*has = false;
	if (rc == BTT_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	if (btt_ledger_vesting_decode(btt_cur_data(&c), btt_cur_len(&c), v))
		return BTT_ECORRUPT;
	*has = true;
	return 0;
}

int btt_ledger_exec_vesting_put(struct btt_ledger_state *st,
				const uint8_t addr[BTT_ADDR_LEN],
				const struct btt_vesting *v)
{
	uint8_t buf[BTT_VESTING_MAX_LEN];
	struct btt_wbuf w;
	int rc;

	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	if ((rc = btt_ledger_vesting_encode(v, &w)) != 0)
		return rc;
	return btt_ledger_state_rec_put(st, BTT_MODULE_VESTING, addr,
					BTT_ADDR_LEN, buf, w.len);
}

int btt_ledger_exec_spendable(struct btt_ledger_state *st,
			      const uint8_t addr[BTT_ADDR_LEN], uint64_t height,
			      btt_u128 balance, btt_u128 *out)
{
	struct btt_vesting v;
	bool has;
	int rc = btt_ledger_exec_vesting_get(st, addr, &v, &has);

	if (rc)
		return rc;
	*out = has ? btt_ledger_vesting_spendable(&v, height, balance)
		   : balance;
	return 0;
}

int btt_ledger_exec_spend_check(struct btt_ledger_state *st,
				const uint8_t addr[BTT_ADDR_LEN],
				const struct btt_ledger_account *a,
				uint64_t height, btt_u128 amount)
{
	btt_u128 spendable;
	int rc;

	if (amount > a->balance)
		return BTT_EFUNDS;
	if (!(a->flags & BTT_ACCT_VESTING))
		return 0;
	rc = btt_ledger_exec_spendable(st, addr, height, a->balance,
				       &spendable);
	if (rc)
		return rc;
	return amount > spendable ? BTT_ELOCKED : 0;
}

int btt_ledger_exec_can_spend(struct btt_ledger_state *st,
			      const uint8_t addr[BTT_ADDR_LEN], uint64_t height,
			      btt_u128 amount)
{
	struct btt_ledger_account a;
	int rc = btt_ledger_state_account_get(st, addr, &a);

	return rc ? rc
		  : btt_ledger_exec_spend_check(st, addr, &a, height, amount);
}

int btt_ledger_exec_vesting_delegate(struct btt_ledger_state *st,
				     const uint8_t addr[BTT_ADDR_LEN],
				     uint64_t height, btt_u128 balance,
				     btt_u128 amount)
{
	struct btt_vesting v;
	bool has;
	int rc = btt_ledger_exec_vesting_get(st, addr, &v, &has);

	if (rc || !has)
		return rc;
	if ((rc = btt_ledger_vesting_delegate(&v, height, balance, amount)))
		return rc;
	return btt_ledger_exec_vesting_put(st, addr, &v);
}

int btt_ledger_exec_vesting_undelegate(struct btt_ledger_state *st,
				       const uint8_t addr[BTT_ADDR_LEN],
				       btt_u128 amount)
{
	struct btt_vesting v;
	bool has;
	int rc = btt_ledger_exec_vesting_get(st, addr, &v, &has);

	if (rc || !has)
		return rc;
	if ((rc = btt_ledger_vesting_undelegate(&v, amount)))
		return rc;
	return btt_ledger_exec_vesting_put(st, addr, &v);
}

/* A fresh account: nothing stored for it, no schedule. */
static int is_fresh(struct btt_ledger_state *st, const uint8_t addr[20])
{
	struct btt_ledger_account a;
	struct btt_vesting v;
	bool has;
	int rc = btt_ledger_state_account_get(st, addr, &a);

	if (!rc)
		rc = btt_ledger_exec_vesting_get(st, addr, &v, &has);
	if (rc)
		return rc;
	return (a.balance || a.nonce || a.flags || has) ? BTT_ESTATE : 0;
}

int btt_ledger_exec_vesting_create(struct btt_ledger_exec *x,
				   const struct btt_tx *tx)
{
	struct btt_tx_vesting_create t;
	int rc = btt_ledger_vesting_create_decode(tx->payload, tx->payload_len,
						  &t);

	if (rc)
		return rc;
	if ((rc = btt_ledger_exec_touch(x, t.to)) != 0)
		return rc;
	if (!memcmp(t.to, tx->from, BTT_ADDR_LEN))
		return BTT_EINVALID;
	if ((rc = is_fresh(x->st, t.to)) != 0)
		return rc;
	rc = btt_ledger_exec_can_spend(x->st, tx->from, x->height,
				       t.v.original);
	if (!rc)
		rc = btt_ledger_state_transfer(x->st, tx->from, t.to,
					       t.v.original);
	if (!rc)
		rc = btt_ledger_exec_vesting_put(x->st, t.to, &t.v);
	return rc ? rc : btt_ledger_exec_flag_vesting(x->st, t.to);
}

int btt_ledger_exec_flag_vesting(struct btt_ledger_state *st,
				 const uint8_t addr[BTT_ADDR_LEN])
{
	struct btt_ledger_account a;
	int rc = btt_ledger_state_account_get(st, addr, &a);

	if (rc)
		return rc;
	a.flags |= BTT_ACCT_VESTING;
	return btt_ledger_state_account_put(st, addr, &a);
}
