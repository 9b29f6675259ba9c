/* Accounts: their canonical encoding, reads and writes through the
 * overlay, and the checked balance moves (credit, debit, transfer).
 *
 * Balances never wrap and never go below zero: every move computes all of
 * its new values first and writes only when all of them are valid, so a
 * failed move leaves the state as it was. The all-zero account is never
 * stored; writing it deletes the record. */
#include <string.h>

#include "btt/err.h"
#include "ledger/state_int.h"

void btt_ledger_account_encode(const struct btt_ledger_account *a,
			       uint8_t out[BTT_ACCT_ENC_LEN])
{
	btt_u128_put_be(a->balance, out);
	for (int i = 0; i < 8; i++)
		out[16 + i] = (uint8_t)(a->nonce >> (56 - 8 * i));
	for (int i = 0; i < 4; i++)
		out[24 + i] = (uint8_t)(a->flags >> (24 - 8 * i));
}

static bool is_zero(const struct btt_ledger_account *a)
{
	return a->balance == 0 && a->nonce == 0 && a->flags == 0;
}

int btt_ledger_account_decode(const uint8_t *p, size_t n,
			      struct btt_ledger_account *out)
{
	struct btt_ledger_account a;
	struct btt_cur c;

	btt_cur_init(&c, p, n);
	if (!btt_u128_get(&c, &a.balance) || !btt_cur_get_u64be(&c, &a.nonce) ||
	    !btt_cur_get_u32be(&c, &a.flags))
		return BTT_ETRUNCATED;
	if (btt_cur_len(&c))
		return BTT_ETRAILING;
	if (is_zero(&a))
		return BTT_ENONCANONICAL;
	*out = a;
	return 0;
}

int btt_ledger_state_account_load(struct btt_ledger_state *st,
				  const uint8_t *skey,
				  const uint8_t addr[BTT_ADDR_LEN],
				  struct btt_ledger_account *out)
{
	struct btt_state_entry *e = btt_ledger_state_entry(st, skey);
	struct btt_cur c;
	int rc;

	memset(out, 0, sizeof(*out));
	if (e) {
		/* The overlay only holds encodings made by _store. */
		return e->val ? btt_ledger_account_decode(e->val, e->vlen, out)
			      : 0;
	}
	rc = btt_ledger_txn_get(st->txn, BTT_LEDGER_DB_ACCT, addr, BTT_ADDR_LEN,
				&c);
	if (rc == BTT_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	if (btt_ledger_account_decode(btt_cur_data(&c), btt_cur_len(&c), out))
		return BTT_ECORRUPT;
	return 0;
}

int btt_ledger_state_account_store(struct btt_ledger_state *st,
				   const uint8_t *skey,
				   const uint8_t addr[BTT_ADDR_LEN],
				   const struct btt_ledger_account *a)
{
	uint8_t enc[BTT_ACCT_ENC_LEN];

	if (is_zero(a))
		return btt_ledger_state_set(st, skey, BTT_STATE_NS_ACCT, addr,
					    BTT_ADDR_LEN, NULL, 0);
	btt_ledger_account_encode(a, enc);
	return btt_ledger_state_set(st, skey, BTT_STATE_NS_ACCT, addr,
				    BTT_ADDR_LEN, enc, sizeof(enc));
}

int btt_ledger_state_account_get(struct btt_ledger_state *st,
				 const uint8_t addr[BTT_ADDR_LEN],
				 struct btt_ledger_account *out)
{
	uint8_t skey[BTT_SMT_KEY_LEN];
	btt_ledger_state_key(BTT_STATE_NS_ACCT, addr, BTT_ADDR_LEN, skey);
	return btt_ledger_state_account_load(st, skey, addr, out);
}

int btt_ledger_state_account_put(struct btt_ledger_state *st,
				 const uint8_t addr[BTT_ADDR_LEN],
				 const struct btt_ledger_account *a)
{
	uint8_t skey[BTT_SMT_KEY_LEN];
	btt_ledger_state_key(BTT_STATE_NS_ACCT, addr, BTT_ADDR_LEN, skey);
	return btt_ledger_state_account_store(st, skey, addr, a);
}

/* Adds (credit) or subtracts amount to or from addr's balance. */
static int move(struct btt_ledger_state *st, const uint8_t *addr,
		btt_u128 amount, bool credit)
{
	uint8_t skey[BTT_SMT_KEY_LEN];
	struct btt_ledger_account a;
	int rc;

	if (!st->write || st->finished)
		return BTT_EINVALID;
	btt_ledger_state_key(BTT_STATE_NS_ACCT, addr, BTT_ADDR_LEN, skey);
	rc = btt_ledger_state_account_load(st, skey, addr, &a);
	if (rc)
		return rc;
	if (credit && !btt_u128_add(a.balance, amount, &a.balance))
		return BTT_EOVERFLOW;
	if (!credit && !btt_u128_sub(a.balance, amount, &a.balance))
		return BTT_EFUNDS;
	return btt_ledger_state_account_store(st, skey, addr, &a);
}

int btt_ledger_state_credit(struct btt_ledger_state *st,
			    const uint8_t addr[BTT_ADDR_LEN], btt_u128 amount)
{
	return move(st, addr, amount, true);
}

int btt_ledger_state_debit(struct btt_ledger_state *st,
			   const uint8_t addr[BTT_ADDR_LEN], btt_u128 amount)
{
	return move(st, addr, amount, false);
}

int btt_ledger_state_transfer(struct btt_ledger_state *st,
			      const uint8_t from[BTT_ADDR_LEN],
			      const uint8_t to[BTT_ADDR_LEN], btt_u128 amount)
{
	uint8_t kf[BTT_SMT_KEY_LEN], kt[BTT_SMT_KEY_LEN];
	struct btt_ledger_account af, at;
	int rc;

	if (!st->write || st->finished)
		return BTT_EINVALID;
	btt_ledger_state_key(BTT_STATE_NS_ACCT, from, BTT_ADDR_LEN, kf);
	rc = btt_ledger_state_account_load(st, kf, from, &af);
	if (rc)
		return rc;
	if (!btt_u128_sub(af.balance, amount, &af.balance))
		return BTT_EFUNDS;
	if (memcmp(from, to, BTT_ADDR_LEN) == 0)
		return 0;
	btt_ledger_state_key(BTT_STATE_NS_ACCT, to, BTT_ADDR_LEN, kt);
	rc = btt_ledger_state_account_load(st, kt, to, &at);
	if (rc)
		return rc;
	if (!btt_u128_add(at.balance, amount, &at.balance))
		return BTT_EOVERFLOW;
	rc = btt_ledger_state_account_store(st, kf, from, &af);
	if (!rc)
		rc = btt_ledger_state_account_store(st, kt, to, &at);
	return rc;
}
