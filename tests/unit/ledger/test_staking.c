/* Staking skeleton: parameters, signer forms, create_validator at the
 * minimum self-bond and the commission cap, bonding and unbonding with
 * checked arithmetic and the voting-power cap, and the record codecs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "btt/err.h"
#include "ledger/staking.h"

static struct btt_staking_params params(void)
{
	struct btt_staking_params p;

	btt_ledger_staking_params_default(&p);
	return p;
}

static struct btt_validator candidate(btt_u128 self_bond)
{
	struct btt_validator v;

	memset(&v, 0, sizeof(v));
	memset(v.operator_addr, 0x0a, BTT_ADDR_LEN);
	v.signer_len = 33;
	v.signer[0] = 0x02;
	memset(v.signer + 1, 0x5c, 32);
	v.commission_bps = 500;
	v.self_bond = self_bond;
	return v;
}

static void assert_same_validator(const struct btt_validator *a,
				  const struct btt_validator *b)
{
	assert_memory_equal(a->operator_addr, b->operator_addr, BTT_ADDR_LEN);
	assert_int_equal(a->signer_len, b->signer_len);
	assert_memory_equal(a->signer, b->signer, a->signer_len);
	assert_int_equal(a->commission_bps, b->commission_bps);
	assert_int_equal(a->status, b->status);
	assert_int_equal(a->jail_until, b->jail_until);
	assert_true(a->self_bond == b->self_bond);
	assert_true(a->total_bonded == b->total_bonded);
}

static void assert_same_pair(const uint8_t *d1, const uint8_t *v1, btt_u128 a1,
			     const uint8_t *d2, const uint8_t *v2, btt_u128 a2)
{
	assert_memory_equal(d1, d2, BTT_ADDR_LEN);
	assert_memory_equal(v1, v2, BTT_ADDR_LEN);
	assert_true(a1 == a2);
}

static void test_staking_params(void **state)
{
	struct btt_staking_params p = params(), back;
	uint8_t buf[BTT_STAKING_PARAMS_LEN + 1];
	struct btt_wbuf w;
	(void)state;

	assert_int_equal(btt_ledger_staking_params_check(&p), 0);
	assert_true(p.min_self_bond == (btt_u128)1000000 * BTT_COIN);
	assert_int_equal(p.unbonding_blocks, 21 * 86400);
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	btt_ledger_staking_params_encode(&p, &w);
	assert_int_equal(w.len, BTT_STAKING_PARAMS_LEN);
	assert_int_equal(btt_ledger_staking_params_decode(buf, w.len, &back),
			 0);
	assert_true(back.min_self_bond == p.min_self_bond);
	assert_int_equal(back.unbonding_blocks, p.unbonding_blocks);
	assert_int_equal(back.max_validators, p.max_validators);
	assert_true(back.power_unit == p.power_unit);
	assert_int_equal(
		btt_ledger_staking_params_decode(buf, w.len - 1, &back),
		BTT_ETRUNCATED);
	assert_int_equal(
		btt_ledger_staking_params_decode(buf, w.len + 1, &back),
		BTT_ETRAILING);
	p.power_unit = 0;
	assert_int_equal(btt_ledger_staking_params_check(&p), BTT_EINVALID);
	p = params();
	p.max_validators = 0;
	assert_int_equal(btt_ledger_staking_params_check(&p), BTT_EINVALID);
	p = params();
	p.min_self_bond = 0;
	assert_int_equal(btt_ledger_staking_params_check(&p), BTT_EINVALID);
	p = params();
	p.unbonding_blocks = 0;
	assert_int_equal(btt_ledger_staking_params_check(&p), BTT_EINVALID);
}

static void test_staking_signer_forms(void **state)
{
	uint8_t k[65] = {0};
	(void)state;

	assert_int_equal(btt_ledger_staking_signer_check(k, 20), 0);
	k[0] = 2;
	assert_int_equal(btt_ledger_staking_signer_check(k, 33), 0);
	k[0] = 3;
	assert_int_equal(btt_ledger_staking_signer_check(k, 33), 0);
	k[0] = 4;
	assert_int_equal(btt_ledger_staking_signer_check(k, 33), BTT_EINVALID);
	assert_int_equal(btt_ledger_staking_signer_check(k, 65), 0);
	k[0] = 2;
	assert_int_equal(btt_ledger_staking_signer_check(k, 65), BTT_EINVALID);
	assert_int_equal(btt_ledger_staking_signer_check(k, 0), BTT_EINVALID);
	assert_int_equal(btt_ledger_staking_signer_check(k, 32), BTT_EINVALID);
	assert_int_equal(btt_ledger_staking_signer_check(k, 64), BTT_EINVALID);
}

static void test_staking_create_validator_min_bond(void **state)
{
	struct btt_staking_params p = params();
	struct btt_validator v;
	struct btt_delegation d;
	btt_u128 min = p.min_self_bond;
	(void)state;

	v = candidate(min - 1);
	assert_int_equal(btt_ledger_staking_create_validator(&p, min, &v, &d),
			 BTT_EINVALID);
	v = candidate(min);
	assert_int_equal(btt_ledger_staking_create_validator(&p, min, &v, &d),
			 0);
	assert_int_equal(v.status, BTT_VALIDATOR_UNBONDED);
	assert_true(v.total_bonded == min);
	assert_memory_equal(d.delegator, v.operator_addr, BTT_ADDR_LEN);
	assert_memory_equal(d.validator, v.operator_addr, BTT_ADDR_LEN);
	assert_true(d.amount == min);
	v = candidate(min + 1);
	assert_int_equal(btt_ledger_staking_create_validator(&p, min, &v, &d),
			 BTT_EFUNDS);
	assert_int_equal(
		btt_ledger_staking_create_validator(&p, min + 1, &v, &d), 0);
}

static void test_staking_create_validator_checks(void **state)
{
	struct btt_staking_params p = params();
	btt_u128 bal = p.min_self_bond * 2;
	struct btt_validator v;
	struct btt_delegation d;
	(void)state;

	v = candidate(p.min_self_bond);
	v.commission_bps = BTT_STAKING_MAX_COMMISSION - 1;
	assert_int_equal(btt_ledger_staking_create_validator(&p, bal, &v, &d),
			 0);
	v = candidate(p.min_self_bond);
	v.commission_bps = BTT_STAKING_MAX_COMMISSION;
	assert_int_equal(btt_ledger_staking_create_validator(&p, bal, &v, &d),
			 0);
	v = candidate(p.min_self_bond);
	v.commission_bps = BTT_STAKING_MAX_COMMISSION + 1;
	assert_int_equal(btt_ledger_staking_create_validator(&p, bal, &v, &d),
			 BTT_EINVALID);
	v = candidate(p.min_self_bond);
	v.signer[0] = 4;
	assert_int_equal(btt_ledger_staking_create_validator(&p, bal, &v, &d),
			 BTT_EINVALID);
	v = candidate(p.min_self_bond);
	p.power_unit = 0;
	assert_int_equal(btt_ledger_staking_create_validator(&p, bal, &v, &d),
			 BTT_EINVALID);
}

static void test_staking_bond(void **state)
{
	struct btt_staking_params p = params();
	struct btt_validator v = candidate(p.min_self_bond), before;
	struct btt_delegation self, other;
	(void)state;

	assert_int_equal(btt_ledger_staking_create_validator(
				 &p, p.min_self_bond, &v, &self),
			 0);
	memset(&other, 0, sizeof(other));
	memset(other.delegator, 0x0b, BTT_ADDR_LEN);
	memcpy(other.validator, v.operator_addr, BTT_ADDR_LEN);
	assert_int_equal(btt_ledger_staking_bond(&p, &v, &other, 500, 1000), 0);
	assert_true(other.amount == 500);
	assert_true(v.total_bonded == p.min_self_bond + 500);
	assert_true(v.self_bond == p.min_self_bond);
	assert_int_equal(btt_ledger_staking_bond(&p, &v, &self, 7, 7), 0);
	assert_true(v.self_bond == p.min_self_bond + 7);
	assert_true(v.total_bonded == p.min_self_bond + 507);
	before = v;
	assert_int_equal(btt_ledger_staking_bond(&p, &v, &other, 0, 10),
			 BTT_EINVALID);
	assert_int_equal(btt_ledger_staking_bond(&p, &v, &other, 11, 10),
			 BTT_EFUNDS);
	other.validator[0] ^= 1;
	assert_int_equal(btt_ledger_staking_bond(&p, &v, &other, 1, 10),
			 BTT_EINVALID);
	other.validator[0] ^= 1;
	other.amount = BTT_U128_MAX;
	assert_int_equal(btt_ledger_staking_bond(&p, &v, &other, 1, 10),
			 BTT_EOVERFLOW);
	other.amount = 500;
	assert_same_validator(&v, &before);
}

static void test_staking_power_cap(void **state)
{
	struct btt_staking_params p = params();
	struct btt_validator v = candidate(p.min_self_bond);
	struct btt_delegation d;
	btt_u128 cap = (btt_u128)BTT_STAKING_MAX_POWER;
	(void)state;

	p.power_unit = 1; /* power = base units, so the cap is reachable */
	p.min_self_bond = 1;
	v = candidate(cap - 1);
	assert_int_equal(btt_ledger_staking_create_validator(&p, cap, &v, &d),
			 0);
	assert_int_equal(btt_ledger_staking_power(&v, 1), cap - 1);
	assert_int_equal(btt_ledger_staking_bond(&p, &v, &d, 1, 1), 0);
	assert_int_equal(btt_ledger_staking_power(&v, 1), cap);
	assert_int_equal(btt_ledger_staking_bond(&p, &v, &d, 1, 1),
			 BTT_EOVERFLOW);
	v = candidate(cap + 1);
	assert_int_equal(
		btt_ledger_staking_create_validator(&p, cap + 1, &v, &d),
		BTT_EOVERFLOW);
	/* whole BTT per unit: floor */
	v.total_bonded = 5 * BTT_COIN - 1;
	assert_int_equal(btt_ledger_staking_power(&v, BTT_COIN), 4);
	v.total_bonded = BTT_U128_MAX;
	assert_int_equal(btt_ledger_staking_power(&v, 1),
			 BTT_STAKING_MAX_POWER);
	assert_int_equal(btt_ledger_staking_power(&v, 0), 0);
}

static void test_staking_unbond(void **state)
{
	struct btt_staking_params p = params();
	btt_u128 min = p.min_self_bond;
	struct btt_validator v = candidate(min + 100), before;
	struct btt_delegation self, before_d;
	struct btt_unbonding u;
	(void)state;

	assert_int_equal(
		btt_ledger_staking_create_validator(&p, min + 100, &v, &self),
		0);
	/* the self-bond may go down to the minimum ... */
	assert_int_equal(btt_ledger_staking_unbond(&p, &v, &self, 100, 50, &u),
			 0);
	assert_true(v.self_bond == min);
	assert_true(u.amount == 100);
	assert_int_equal(u.complete_height, 50 + p.unbonding_blocks);
	/* ... not below it unless it leaves entirely */
	before = v;
	before_d = self;
	assert_int_equal(btt_ledger_staking_unbond(&p, &v, &self, 1, 50, &u),
			 BTT_EINVALID);
	assert_int_equal(
		btt_ledger_staking_unbond(&p, &v, &self, min + 1, 50, &u),
		BTT_EFUNDS);
	assert_int_equal(btt_ledger_staking_unbond(&p, &v, &self, 0, 50, &u),
			 BTT_EINVALID);
	assert_int_equal(
		btt_ledger_staking_unbond(&p, &v, &self, min, UINT64_MAX, &u),
		BTT_EOVERFLOW);
	assert_same_validator(&v, &before);
	assert_same_pair(self.delegator, self.validator, self.amount,
			 before_d.delegator, before_d.validator,
			 before_d.amount);
	assert_int_equal(btt_ledger_staking_unbond(&p, &v, &self, min, 60, &u),
			 0);
	assert_true(v.self_bond == 0);
	assert_true(v.total_bonded == 0);
	assert_true(self.amount == 0);
}

static void test_staking_validator_codec(void **state)
{
	struct btt_validator v = candidate(BTT_COIN), back;
	uint8_t buf[BTT_VALIDATOR_MAX_LEN + 1];
	static const uint8_t lens[] = {20, 33, 65};
	struct btt_wbuf w;
	(void)state;

	v.total_bonded = 3 * BTT_COIN;
	v.status = BTT_VALIDATOR_BONDED;
	v.jail_until = 99;
	for (size_t i = 0; i < 3; i++) {
		size_t n;
		v.signer_len = lens[i];
		v.signer[0] = lens[i] == 65 ? 4 : 2;
		btt_wbuf_init_fixed(&w, buf, sizeof(buf));
		assert_int_equal(btt_ledger_validator_encode(&v, &w), 0);
		n = w.len;
		assert_int_equal(n, BTT_VALIDATOR_MAX_LEN - 65 + lens[i]);
		assert_int_equal(btt_ledger_validator_decode(buf, n, &back), 0);
		assert_same_validator(&back, &v);
		for (size_t k = 0; k < n; k++)
			assert_int_equal(
				btt_ledger_validator_decode(buf, k, &back),
				BTT_ETRUNCATED);
		buf[n] = 0;
		assert_int_equal(btt_ledger_validator_decode(buf, n + 1, &back),
				 BTT_ETRAILING);
	}
	buf[21] = 66; /* signer length */
	assert_int_equal(btt_ledger_validator_decode(buf, sizeof(buf), &back),
			 BTT_EINVALID);
	buf[0] = 2;
	assert_int_equal(btt_ledger_validator_decode(buf, sizeof(buf), &back),
			 BTT_EUNSUPPORTED);
	v.self_bond = v.total_bonded + 1;
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	assert_int_equal(btt_ledger_validator_encode(&v, &w), BTT_EINVALID);
	v.self_bond = 0;
	v.status = 4;
	assert_int_equal(btt_ledger_validator_encode(&v, &w), BTT_EINVALID);
}

static void test_staking_delegation_codecs(void **state)
{
	struct btt_delegation d, db;
	struct btt_unbonding u, ub;
	uint8_t buf[BTT_UNBONDING_LEN + 1];
	struct btt_wbuf w;
	(void)state;

	memset(&d, 0x31, sizeof(d));
	d.amount = BTT_U128_MAX;
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	btt_ledger_delegation_encode(&d, &w);
	assert_int_equal(w.len, BTT_DELEGATION_LEN);
	assert_int_equal(btt_ledger_delegation_decode(buf, w.len, &db), 0);
	assert_same_pair(db.delegator, db.validator, db.amount, d.delegator,
			 d.validator, d.amount);
	assert_int_equal(btt_ledger_delegation_decode(buf, w.len - 1, &db),
			 BTT_ETRUNCATED);
	assert_int_equal(btt_ledger_delegation_decode(buf, w.len + 1, &db),
			 BTT_ETRAILING);
	memset(&u, 0x42, sizeof(u));
	u.amount = 12345;
	u.complete_height = 777;
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	btt_ledger_unbonding_encode(&u, &w);
	assert_int_equal(w.len, BTT_UNBONDING_LEN);
	assert_int_equal(btt_ledger_unbonding_decode(buf, w.len, &ub), 0);
	assert_same_pair(ub.delegator, ub.validator, ub.amount, u.delegator,
			 u.validator, u.amount);
	assert_int_equal(ub.complete_height, 777);
	assert_int_equal(btt_ledger_unbonding_decode(buf, w.len - 1, &ub),
			 BTT_ETRUNCATED);
	assert_int_equal(btt_ledger_unbonding_decode(buf, w.len + 1, &ub),
			 BTT_ETRAILING);
	buf[0] = 0;
	assert_int_equal(btt_ledger_unbonding_decode(buf, w.len, &ub),
			 BTT_EUNSUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_staking_params),
		cmocka_unit_test(test_staking_signer_forms),
		cmocka_unit_test(test_staking_create_validator_min_bond),
		cmocka_unit_test(test_staking_create_validator_checks),
		cmocka_unit_test(test_staking_bond),
		cmocka_unit_test(test_staking_power_cap),
		cmocka_unit_test(test_staking_unbond),
		cmocka_unit_test(test_staking_validator_codec),
		cmocka_unit_test(test_staking_delegation_codecs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
