/* Staking skeleton: validator registry and bonded-stake rules and their
 * record codecs (staking.h).
 *
 * Invariant kept by every rule: self_bond <= total_bonded, and
 * total_bonded equals the sum of the validator's delegations as long as
 * every change goes through _bond and _unbond. Rules compute every new
 * value first and write only when all checks passed. */
#include <string.h>

#include "btt/err.h"
#include "ledger/staking.h"

void btt_ledger_staking_params_default(struct btt_staking_params *out)
{
	out->min_self_bond = BTT_STAKING_DEFAULT_MIN_SELF_BOND;
	out->unbonding_blocks = BTT_STAKING_DEFAULT_UNBONDING;
	out->max_validators = BTT_STAKING_DEFAULT_MAX_VALIDATORS;
	out->power_unit = BTT_STAKING_DEFAULT_POWER_UNIT;
}

int btt_ledger_staking_params_check(const struct btt_staking_params *p)
{
	if (p->min_self_bond == 0 || p->unbonding_blocks == 0 ||
	    p->max_validators == 0 || p->power_unit == 0)
		return BTT_EINVALID;
	return 0;
}

int btt_ledger_staking_signer_check(const uint8_t *signer, size_t len)
{
	switch (len) {
	case BTT_ADDR_LEN: return 0;
	case 33: return signer[0] == 2 || signer[0] == 3 ? 0 : BTT_EINVALID;
	case 65: return signer[0] == 4 ? 0 : BTT_EINVALID;
	default: return BTT_EINVALID;
	}
}

int btt_ledger_staking_validator_check(const struct btt_validator *v)
{
	if (btt_ledger_staking_signer_check(v->signer, v->signer_len) ||
	    v->commission_bps > BTT_STAKING_MAX_COMMISSION ||
	    v->status < BTT_VALIDATOR_UNBONDED ||
	    v->status > BTT_VALIDATOR_UNBONDING ||
	    v->self_bond > v->total_bonded)
		return BTT_EINVALID;
	return 0;
}

uint64_t btt_ledger_staking_power(const struct btt_validator *v,
				  btt_u128 power_unit)
{
	btt_u128 p;

	if (power_unit == 0)
		return 0;
	p = v->total_bonded / power_unit;
	return p > BTT_STAKING_MAX_POWER ? BTT_STAKING_MAX_POWER : (uint64_t)p;
}

int btt_ledger_staking_create_validator(const struct btt_staking_params *p,
					btt_u128 balance,
					struct btt_validator *v,
					struct btt_delegation *out_d)
{
	if (btt_ledger_staking_params_check(p) ||
	    btt_ledger_staking_signer_check(v->signer, v->signer_len) ||
	    v->commission_bps > BTT_STAKING_MAX_COMMISSION ||
	    v->self_bond < p->min_self_bond)
		return BTT_EINVALID;
	if (v->self_bond > balance)
		return BTT_EFUNDS;
	if (v->self_bond / p->power_unit > BTT_STAKING_MAX_POWER)
		return BTT_EOVERFLOW;
	v->status = BTT_VALIDATOR_UNBONDED;
	v->jail_until = 0;
	v->total_bonded = v->self_bond;
	memcpy(out_d->delegator, v->operator_addr, BTT_ADDR_LEN);
	memcpy(out_d->validator, v->operator_addr, BTT_ADDR_LEN);
	out_d->amount = v->self_bond;
	return 0;
}

static bool is_self(const struct btt_validator *v,
		    const struct btt_delegation *d)
{
	return !memcmp(d->delegator, v->operator_addr, BTT_ADDR_LEN);
}

int btt_ledger_staking_bond(const struct btt_staking_params *p,
			    struct btt_validator *v, struct btt_delegation *d,
			    btt_u128 amount, btt_u128 balance)
{
	btt_u128 da, total, self = v->self_bond;

	if (amount == 0 || p->power_unit == 0 ||
	    memcmp(d->validator, v->operator_addr, BTT_ADDR_LEN))
		return BTT_EINVALID;
	if (amount > balance)
		return BTT_EFUNDS;
	if (!btt_u128_add(d->amount, amount, &da) ||
	    !btt_u128_add(v->total_bonded, amount, &total) ||
	    (is_self(v, d) && !btt_u128_add(self, amount, &self)) ||
	    total / p->power_unit > BTT_STAKING_MAX_POWER)
		return BTT_EOVERFLOW;
	d->amount = da;
	v->total_bonded = total;
	v->self_bond = self;
	return 0;
}

int btt_ledger_staking_unbond(const struct btt_staking_params *p,
			      struct btt_validator *v, struct btt_delegation *d,
			      btt_u128 amount, uint64_t height,
			      struct btt_unbonding *out_u)
{
	btt_u128 self = v->self_bond;

	if (amount == 0 || memcmp(d->validator, v->operator_addr, BTT_ADDR_LEN))
		return BTT_EINVALID;
	if (amount > d->amount)
		return BTT_EFUNDS;
	if (amount > v->total_bonded)
		return BTT_EINVALID; /* records out of step */
	if (is_self(v, d)) {
		if (amount > self)
			return BTT_EINVALID;
		self -= amount;
		if (self != 0 && self < p->min_self_bond)
			return BTT_EINVALID;
	}
	if (height > UINT64_MAX - p->unbonding_blocks)
		return BTT_EOVERFLOW;
	d->amount -= amount;
	v->total_bonded -= amount;
	v->self_bond = self;
	memcpy(out_u->delegator, d->delegator, BTT_ADDR_LEN);
	memcpy(out_u->validator, d->validator, BTT_ADDR_LEN);
	out_u->amount = amount;
	out_u->complete_height = height + p->unbonding_blocks;
	return 0;
}

static void put_u128(struct btt_wbuf *w, btt_u128 v)
{
	uint8_t b[BTT_U128_LEN];

	btt_u128_put_be(v, b);
	btt_wbuf_put(w, b, sizeof(b));
}

void btt_ledger_staking_params_encode(const struct btt_staking_params *p,
				      struct btt_wbuf *w)
{
	put_u128(w, p->min_self_bond);
	btt_wbuf_put_u64be(w, p->unbonding_blocks);
	btt_wbuf_put_u32be(w, p->max_validators);
	put_u128(w, p->power_unit);
}

int btt_ledger_staking_params_decode(const uint8_t *p, size_t n,
				     struct btt_staking_params *out)
{
	struct btt_cur c;

	btt_cur_init(&c, p, n);
	if (!btt_u128_get(&c, &out->min_self_bond) ||
	    !btt_cur_get_u64be(&c, &out->unbonding_blocks) ||
	    !btt_cur_get_u32be(&c, &out->max_validators) ||
	    !btt_u128_get(&c, &out->power_unit))
		return BTT_ETRUNCATED;
	if (btt_cur_len(&c))
		return BTT_ETRAILING;
	return btt_ledger_staking_params_check(out);
}

int btt_ledger_validator_encode(const struct btt_validator *v,
				struct btt_wbuf *w)
{
	if (btt_ledger_staking_validator_check(v))
		return BTT_EINVALID;
	btt_wbuf_put_u8(w, BTT_STAKING_VERSION);
	btt_wbuf_put(w, v->operator_addr, BTT_ADDR_LEN);
	btt_wbuf_put_u8(w, v->signer_len);
	btt_wbuf_put(w, v->signer, v->signer_len);
	btt_wbuf_put_u16be(w, v->commission_bps);
	btt_wbuf_put_u8(w, v->status);
	btt_wbuf_put_u64be(w, v->jail_until);
	put_u128(w, v->self_bond);
	put_u128(w, v->total_bonded);
	return btt_wbuf_err(w);
}

/* The version byte every staking record starts with. */
static int get_version(struct btt_cur *c)
{
	uint8_t version;

	if (!btt_cur_get_u8(c, &version))
		return BTT_ETRUNCATED;
	return version == BTT_STAKING_VERSION ? 0 : BTT_EUNSUPPORTED;
}

int btt_ledger_validator_decode(const uint8_t *p, size_t n,
				struct btt_validator *out)
{
	struct btt_cur c;
	int err;

	memset(out, 0, sizeof(*out));
	btt_cur_init(&c, p, n);
	if ((err = get_version(&c)))
		return err;
	if (!btt_cur_copy(&c, out->operator_addr, BTT_ADDR_LEN) ||
	    !btt_cur_get_u8(&c, &out->signer_len))
		return BTT_ETRUNCATED;
	if (out->signer_len > BTT_STAKING_SIGNER_MAX)
		return BTT_EINVALID;
	if (!btt_cur_copy(&c, out->signer, out->signer_len) ||
	    !btt_cur_get_u16be(&c, &out->commission_bps) ||
	    !btt_cur_get_u8(&c, &out->status) ||
	    !btt_cur_get_u64be(&c, &out->jail_until) ||
	    !btt_u128_get(&c, &out->self_bond) ||
	    !btt_u128_get(&c, &out->total_bonded))
		return BTT_ETRUNCATED;
	if (btt_cur_len(&c))
		return BTT_ETRAILING;
	return btt_ledger_staking_validator_check(out);
}

static void put_pair(struct btt_wbuf *w, const uint8_t *delegator,
		     const uint8_t *validator, btt_u128 amount)
{
	btt_wbuf_put_u8(w, BTT_STAKING_VERSION);
	btt_wbuf_put(w, delegator, BTT_ADDR_LEN);
	btt_wbuf_put(w, validator, BTT_ADDR_LEN);
	put_u128(w, amount);
}

static int get_pair(struct btt_cur *c, uint8_t *delegator, uint8_t *validator,
		    btt_u128 *amount)
{
	int err = get_version(c);

	if (err)
		return err;
	if (!btt_cur_copy(c, delegator, BTT_ADDR_LEN) ||
	    !btt_cur_copy(c, validator, BTT_ADDR_LEN) ||
	    !btt_u128_get(c, amount))
		return BTT_ETRUNCATED;
	return 0;
}

void btt_ledger_delegation_encode(const struct btt_delegation *d,
				  struct btt_wbuf *w)
{
	put_pair(w, d->delegator, d->validator, d->amount);
}

int btt_ledger_delegation_decode(const uint8_t *p, size_t n,
				 struct btt_delegation *out)
{
	struct btt_cur c;
	int err;

	btt_cur_init(&c, p, n);
	err = get_pair(&c, out->delegator, out->validator, &out->amount);
	if (!err && btt_cur_len(&c))
		err = BTT_ETRAILING;
	return err;
}

void btt_ledger_unbonding_encode(const struct btt_unbonding *u,
				 struct btt_wbuf *w)
{
	put_pair(w, u->delegator, u->validator, u->amount);
	btt_wbuf_put_u64be(w, u->complete_height);
}

int btt_ledger_unbonding_decode(const uint8_t *p, size_t n,
				struct btt_unbonding *out)
{
	struct btt_cur c;
	int err;

	btt_cur_init(&c, p, n);
	err = get_pair(&c, out->delegator, out->validator, &out->amount);
	if (!err && !btt_cur_get_u64be(&c, &out->complete_height))
		err = BTT_ETRUNCATED;
	if (!err && btt_cur_len(&c))
		err = BTT_ETRAILING;
	return err;
}
