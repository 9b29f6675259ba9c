/* The staking skeleton in execution: STAKE_CREATE, STAKE_BOND and
 * STAKE_UNBOND over the records of namespace 0x04 (exec_int.h), with the
 * pure rules of staking.h; the release of unbonding entries at the start
 * of each block; the genesis validators; and the sums the supply
 * invariant and the validator-set hash need.
 *
 * Bonded coins leave the bank balance (a vesting account may bond locked
 * coins: its schedule records them as delegated vesting); an unbond turns
 * them into an entry that pays them back at height + unbonding_blocks.
 * Iterations read the store through the block's transaction in key order,
 * never a hash table, and only where the records cannot have changed in
 * the overlay yet (the start of a block) or after the overlay was written
 * (a finished block, the committed state). */
#include <string.h>

#include "btt/err.h"
#include "core/log.h"
#include "crypto/hash.h"
#include "ledger/exec_int.h"

#define NS BTT_MODULE_STAKING
#define LOG_TAG "exec"

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

int btt_ledger_exec_params_get(struct btt_ledger_state *st,
			       struct btt_staking_params *out)
{
	struct btt_cur c;
	int rc = btt_ledger_state_rec_get(st, NS, "P", 1, &c);

	if (rc)
		return rc == BTT_ENOTFOUND ? BTT_ECORRUPT : rc;
	if (btt_ledger_staking_params_decode(btt_cur_data(&c), btt_cur_len(&c),
					     out))
		return BTT_ECORRUPT;
	return 0;
}

static int val_get(struct btt_ledger_state *st, const uint8_t op[20],
		   struct btt_validator *out)
{
	uint8_t key[21] = {'V'};
	struct btt_cur c;
	int rc;

	memcpy(key + 1, op, 20);
	rc = btt_ledger_state_rec_get(st, NS, key, sizeof(key), &c);
	if (rc)
		return rc;
	if (btt_ledger_validator_decode(btt_cur_data(&c), btt_cur_len(&c), out))
		return BTT_ECORRUPT;
	return 0;
}

static int val_put(struct btt_ledger_state *st, const struct btt_validator *v)
{
	uint8_t key[21] = {'V'}, buf[BTT_VALIDATOR_MAX_LEN];
	struct btt_wbuf w;
	int rc;

	memcpy(key + 1, v->operator_addr, 20);
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	if ((rc = btt_ledger_validator_encode(v, &w)) != 0)
		return rc;
	return btt_ledger_state_rec_put(st, NS, key, sizeof(key), buf, w.len);
}

/* Delegation of (delegator, validator); a zero one with the two
 * addresses set when absent. */
static int del_get(struct btt_ledger_state *st, const uint8_t who[20],
		   const uint8_t val[20], struct btt_delegation *out,
		   bool *found)
{
	uint8_t key[41] = {'D'};
	struct btt_cur c;
	int rc;

	memcpy(key + 1, who, 20);
	memcpy(key + 21, val, 20);
	rc = btt_ledger_state_rec_get(st, NS, key, sizeof(key), &c);
	*found = rc == 0;
	if (rc == BTT_ENOTFOUND) {
		memset(out, 0, sizeof(*out));
		memcpy(out->delegator, who, 20);
		memcpy(out->validator, val, 20);
		return 0;
	}
	if (rc)
		return rc;
	if (btt_ledger_delegation_decode(btt_cur_data(&c), btt_cur_len(&c),
					 out))
		return BTT_ECORRUPT;
	return 0;
}

static int del_put(struct btt_ledger_state *st, const struct btt_delegation *d)
{
	uint8_t key[41] = {'D'}, buf[BTT_DELEGATION_LEN];
	struct btt_wbuf w;

	memcpy(key + 1, d->delegator, 20);
	memcpy(key + 21, d->validator, 20);
	if (d->amount == 0)
		return btt_ledger_state_rec_del(st, NS, key, sizeof(key));
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	btt_ledger_delegation_encode(d, &w);
	return btt_ledger_state_rec_put(st, NS, key, sizeof(key), buf, w.len);
}

/* The 20-byte id of a signer: an address as is, an uncompressed key's
 * address, or a hash of a compressed key (which is not decompressed
 * here, so it is not matched against its address form). */
void btt_ledger_exec_signer_id(const uint8_t *s, size_t n, uint8_t out[20])
{
	uint8_t h[32];

	if (n == BTT_ADDR_LEN) {
		memcpy(out, s, 20);
		return;
	}
	if (n == BTT_SECP_PUB_LEN && btt_addr_from_pub(s, out) == 0)
		return;
	btt_keccak256(s, n, h);
	memcpy(out, h + 12, 20);
}

/* Registers v (and its self-delegation d) as a new validator. */
static int register_validator(struct btt_ledger_state *st,
			      const struct btt_validator *v,
			      const struct btt_delegation *d)
{
	uint8_t skey[21] = {'S'}, cnt[4];
	struct btt_cur c;
	uint32_t count = 0;
	int rc;

	btt_ledger_exec_signer_id(v->signer, v->signer_len, skey + 1);
	rc = btt_ledger_state_rec_get(st, NS, skey, sizeof(skey), &c);
	if (rc != BTT_ENOTFOUND)
		return rc ? rc : BTT_EDUPLICATE;
	rc = btt_ledger_state_rec_get(st, NS, "C", 1, &c);
	if (rc && rc != BTT_ENOTFOUND)
		return rc;
	if (!rc && !btt_cur_get_u32be(&c, &count))
		return BTT_ECORRUPT;
	if (count >= BTT_STAKING_MAX_REGISTRY)
		return BTT_ELIMIT;
	count++;
	for (int i = 0; i < 4; i++)
		cnt[i] = (uint8_t)(count >> (24 - 8 * i));
	if ((rc = btt_ledger_state_rec_put(st, NS, skey, sizeof(skey),
					   v->operator_addr, 20)) ||
	    (rc = btt_ledger_state_rec_put(st, NS, "C", 1, cnt, 4)) ||
	    (rc = val_put(st, v)))
		return rc;
	return del_put(st, d);
}

int btt_ledger_exec_stake_create(struct btt_ledger_exec *x,
				 const struct btt_tx *tx)
{
	struct btt_tx_stake_create t;
	struct btt_ledger_account a;
	struct btt_validator v, old;
	struct btt_delegation d;
	int rc = btt_ledger_stake_create_decode(tx->payload, tx->payload_len,
						&t);

	if (rc)
		return rc;
	rc = val_get(x->st, tx->from, &old);
	if (rc != BTT_ENOTFOUND)
		return rc ? rc : BTT_EDUPLICATE;
	if ((rc = btt_ledger_state_account_get(x->st, tx->from, &a)) != 0)
		return rc;
	memset(&v, 0, sizeof(v));
	memcpy(v.operator_addr, tx->from, 20);
	v.signer_len = t.signer_len;
	memcpy(v.signer, t.signer, t.signer_len);
	v.commission_bps = t.commission_bps;
	v.self_bond = t.self_bond;
	rc = btt_ledger_staking_create_validator(&x->params, a.balance, &v, &d);
	if (!rc)
		rc = btt_ledger_exec_vesting_delegate(
			x->st, tx->from, x->height, a.balance, t.self_bond);
	if (!rc)
		rc = btt_ledger_state_debit(x->st, tx->from, t.self_bond);
	return rc ? rc : register_validator(x->st, &v, &d);
}

int btt_ledger_exec_stake_bond(struct btt_ledger_exec *x,
			       const struct btt_tx *tx)
{
	struct btt_ledger_account a;
	struct btt_tx_stake t;
	struct btt_validator v;
	struct btt_delegation d;
	bool found;
	int rc = btt_ledger_stake_decode(tx->payload, tx->payload_len, &t);

	if (!rc)
		rc = btt_ledger_exec_touch(x, t.validator);
	if (!rc)
		rc = val_get(x->st, t.validator, &v);
	if (!rc)
		rc = del_get(x->st, tx->from, t.validator, &d, &found);
	if (!rc)
		rc = btt_ledger_state_account_get(x->st, tx->from, &a);
	if (!rc)
		rc = btt_ledger_staking_bond(&x->params, &v, &d, t.amount,
					     a.balance);
	if (!rc)
		rc = btt_ledger_exec_vesting_delegate(
			x->st, tx->from, x->height, a.balance, t.amount);
	if (!rc)
		rc = btt_ledger_state_debit(x->st, tx->from, t.amount);
	if (!rc)
		rc = val_put(x->st, &v);
	return rc ? rc : del_put(x->st, &d);
}

/* Adds u to its unbonding entry (merging unbonds that complete at the
 * same height) and queues it for release. */
static int unbonding_add(struct btt_ledger_state *st,
			 const struct btt_unbonding *u)
{
	uint8_t key[49] = {'U'}, q[49] = {'Q'}, buf[BTT_UNBONDING_LEN];
	struct btt_unbonding cur = *u;
	struct btt_wbuf w;
	struct btt_cur c;
	int rc;

	memcpy(key + 1, u->delegator, 20);
	memcpy(key + 21, u->validator, 20);
	put_be64(key + 41, u->complete_height);
	rc = btt_ledger_state_rec_get(st, NS, key, sizeof(key), &c);
	if (rc && rc != BTT_ENOTFOUND)
		return rc;
	if (!rc) {
		struct btt_unbonding old;

		if (btt_ledger_unbonding_decode(btt_cur_data(&c),
						btt_cur_len(&c), &old))
			return BTT_ECORRUPT;
		if (!btt_u128_add(old.amount, u->amount, &cur.amount))
			return BTT_EOVERFLOW;
	}
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	btt_ledger_unbonding_encode(&cur, &w);
	put_be64(q + 1, u->complete_height);
	memcpy(q + 9, u->delegator, 20);
	memcpy(q + 29, u->validator, 20);
	if ((rc = btt_ledger_state_rec_put(st, NS, key, sizeof(key), buf,
					   w.len)))
		return rc;
	return btt_ledger_state_rec_put(st, NS, q, sizeof(q), "\x01", 1);
}

int btt_ledger_exec_stake_unbond(struct btt_ledger_exec *x,
				 const struct btt_tx *tx)
{
	struct btt_tx_stake t;
	struct btt_validator v;
	struct btt_delegation d;
	struct btt_unbonding u;
	bool found = false;
	int rc = btt_ledger_stake_decode(tx->payload, tx->payload_len, &t);

	if (!rc)
		rc = btt_ledger_exec_touch(x, t.validator);
	if (!rc)
		rc = val_get(x->st, t.validator, &v);
	if (!rc)
		rc = del_get(x->st, tx->from, t.validator, &d, &found);
	if (!rc && !found)
		rc = BTT_ENOTFOUND;
	if (!rc)
		rc = btt_ledger_staking_unbond(&x->params, &v, &d, t.amount,
					       x->height, &u);
	if (!rc)
		rc = val_put(x->st, &v);
	if (!rc)
		rc = del_put(x->st, &d);
	return rc ? rc : unbonding_add(x->st, &u);
}
