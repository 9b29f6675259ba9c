/* Vesting: exact amounts at the boundary heights of each schedule type,
 * the invariants (vested + locked == original, locked never increases)
 * over many schedules, Cosmos delegation tracking and spendable coins,
 * the rule check, the period cap, and the record codec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "btt/err.h"
#include "ledger/vesting.h"

#define S 1000u
#define E 1007u

static struct btt_vesting delayed(btt_u128 original)
{
	struct btt_vesting v;

	memset(&v, 0, sizeof(v));
	v.type = BTT_VESTING_DELAYED;
	v.original = original;
	v.start = S;
	v.end = E;
	return v;
}

static struct btt_vesting continuous(btt_u128 original)
{
	struct btt_vesting v = delayed(original);

	v.type = BTT_VESTING_CONTINUOUS;
	return v;
}

/* Tranches of 2, 3 and 2 blocks from S paying 10, 20 and 70. */
static struct btt_vesting periodic(void)
{
	struct btt_vesting v = delayed(100);

	v.type = BTT_VESTING_PERIODIC;
	v.n_periods = 3;
	v.periods[0] = (struct btt_vesting_period){2, 10};
	v.periods[1] = (struct btt_vesting_period){3, 20};
	v.periods[2] = (struct btt_vesting_period){2, 70};
	return v;
}

static void assert_u128(btt_u128 got, btt_u128 want)
{
	assert_true(got == want);
}

static void test_vesting_fraction_exact(void **state)
{
	(void)state;
	assert_u128(btt_ledger_vesting_fraction(10, 1, 3), 3);
	assert_u128(btt_ledger_vesting_fraction(10, 3, 3), 10);
	assert_u128(btt_ledger_vesting_fraction(10, 0, 3), 0);
	/* a * num needs 191 bits here */
	assert_u128(btt_ledger_vesting_fraction((btt_u128)1 << 127,
						(uint64_t)1 << 62,
						(uint64_t)1 << 63),
		    (btt_u128)1 << 126);
	/* 2^128 - 1 = (2^64 - 1)(2^64 + 1) */
	assert_u128(btt_ledger_vesting_fraction(BTT_U128_MAX, UINT64_MAX - 1,
						UINT64_MAX),
		    ((btt_u128)UINT64_MAX + 2) * (UINT64_MAX - 1));
	assert_u128(btt_ledger_vesting_fraction(BTT_U128_MAX, 1, UINT64_MAX),
		    (btt_u128)UINT64_MAX + 2);
}

static void test_vesting_delayed_boundaries(void **state)
{
	struct btt_vesting v = delayed(12345);
	(void)state;

	assert_int_equal(btt_ledger_vesting_check(&v), 0);
	assert_u128(btt_ledger_vesting_vested(&v, 0), 0);
	assert_u128(btt_ledger_vesting_vested(&v, S), 0);
	assert_u128(btt_ledger_vesting_vested(&v, E - 1), 0);
	assert_u128(btt_ledger_vesting_locked(&v, E - 1), 12345);
	assert_u128(btt_ledger_vesting_vested(&v, E), 12345);
	assert_u128(btt_ledger_vesting_locked(&v, E), 0);
	assert_u128(btt_ledger_vesting_vested(&v, E + 1), 12345);
	assert_u128(btt_ledger_vesting_vested(&v, UINT64_MAX), 12345);
}

static void test_vesting_continuous_boundaries(void **state)
{
	/* 7 blocks, 100 coins: floor(100 * k / 7) */
	struct btt_vesting v = continuous(100);
	(void)state;

	assert_int_equal(btt_ledger_vesting_check(&v), 0);
	assert_u128(btt_ledger_vesting_vested(&v, S - 1), 0);
	assert_u128(btt_ledger_vesting_vested(&v, S), 0);
	assert_u128(btt_ledger_vesting_vested(&v, S + 1), 14);
	assert_u128(btt_ledger_vesting_vested(&v, S + 2), 28);
	assert_u128(btt_ledger_vesting_vested(&v, S + 3), 42);
	assert_u128(btt_ledger_vesting_vested(&v, E - 1), 85);
	assert_u128(btt_ledger_vesting_locked(&v, E - 1), 15);
	assert_u128(btt_ledger_vesting_vested(&v, E), 100);
	assert_u128(btt_ledger_vesting_vested(&v, E + 1), 100);
}

static void test_vesting_continuous_large_amounts(void **state)
{
	/* the whole BTT supply over six years of 1 s blocks */
	btt_u128 supply = (btt_u128)990000000000ull * BTT_COIN;
	struct btt_vesting v = continuous(supply);
	(void)state;

	v.start = 0;
	v.end = 6ull * 31536000;
	assert_int_equal(btt_ledger_vesting_check(&v), 0);
	assert_u128(btt_ledger_vesting_vested(&v, v.end / 2), supply / 2);
	assert_u128(btt_ledger_vesting_vested(&v, 1), supply / v.end);
	assert_u128(btt_ledger_vesting_vested(&v, v.end - 1),
		    supply - (supply + v.end - 1) / v.end);
}

static void test_vesting_periodic_boundaries(void **state)
{
	struct btt_vesting v = periodic();
	(void)state;

	assert_int_equal(btt_ledger_vesting_check(&v), 0);
	assert_u128(btt_ledger_vesting_vested(&v, S - 1), 0);
	assert_u128(btt_ledger_vesting_vested(&v, S), 0);
	assert_u128(btt_ledger_vesting_vested(&v, S + 1), 0);
	assert_u128(btt_ledger_vesting_vested(&v, S + 2), 10);
	assert_u128(btt_ledger_vesting_vested(&v, S + 4), 10);
	assert_u128(btt_ledger_vesting_vested(&v, S + 5), 30);
	assert_u128(btt_ledger_vesting_vested(&v, E - 1), 30);
	assert_u128(btt_ledger_vesting_locked(&v, E - 1), 70);
	assert_u128(btt_ledger_vesting_vested(&v, E), 100);
	assert_u128(btt_ledger_vesting_vested(&v, E + 1), 100);
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static void random_schedule(struct btt_vesting *v)
{
	memset(v, 0, sizeof(*v));
	v->type = (uint8_t)(1 + rnd() % 3);
	v->start = rnd() % 50;
	v->original =
		(btt_u128)(rnd() % 1000000 + 1) * (rnd() % 4 ? 1 : BTT_COIN);
	if (v->type != BTT_VESTING_PERIODIC) {
		v->end = v->start + 1 + rnd() % 60;
		return;
	}
	size_t n = 1 + rnd() % 8;
	btt_u128 left = v->original;
	v->end = v->start;
	for (size_t i = 0; i < n; i++) {
		/* a third of what is left, or all of it in the last tranche */
		btt_u128 a = i + 1 < n && left >= 3 ? left / 3 : left;
		v->periods[i].length = 1 + rnd() % 10;
		v->periods[i].amount = a;
		v->end += v->periods[i].length;
		left -= a;
		v->n_periods = i + 1;
		if (!left)
			break;
	}
}

static void test_vesting_invariants_random(void **state)
{
	(void)state;
	for (int n = 0; n < 300; n++) {
		struct btt_vesting v;
		btt_u128 prev;
		random_schedule(&v);
		assert_int_equal(btt_ledger_vesting_check(&v), 0);
		prev = v.original;
		for (uint64_t h = 0; h <= v.end + 2; h++) {
			btt_u128 vested = btt_ledger_vesting_vested(&v, h);
			btt_u128 locked = btt_ledger_vesting_locked(&v, h);
			assert_true(vested <= v.original);
			assert_u128(vested + locked, v.original);
			assert_true(locked <= prev);
			prev = locked;
		}
		assert_u128(btt_ledger_vesting_locked(&v, v.end), 0);
		assert_u128(btt_ledger_vesting_locked(&v, v.start), v.original);
	}
}

static void test_vesting_check_rejects(void **state)
{
	struct btt_vesting v;
	(void)state;

	v = delayed(0);
	assert_int_equal(btt_ledger_vesting_check(&v), BTT_EINVALID);
	v = delayed(5);
	v.start = E + 1;
	assert_int_equal(btt_ledger_vesting_check(&v), BTT_EINVALID);
	v = delayed(5);
	v.start = E; /* a delayed schedule may start at its end */
	assert_int_equal(btt_ledger_vesting_check(&v), 0);
	v = continuous(5);
	v.start = E; /* a linear one may not */
	assert_int_equal(btt_ledger_vesting_check(&v), BTT_EINVALID);
	v = delayed(5);
	v.n_periods = 1;
	assert_int_equal(btt_ledger_vesting_check(&v), BTT_EINVALID);
	v = delayed(5);
	v.type = 4;
	assert_int_equal(btt_ledger_vesting_check(&v), BTT_EINVALID);
	v = delayed(5);
	v.delegated_vesting = 6;
	assert_int_equal(btt_ledger_vesting_check(&v), BTT_EINVALID);
	v = periodic();
	v.periods[2].amount = 69; /* tranches != original */
	assert_int_equal(btt_ledger_vesting_check(&v), BTT_EINVALID);
	v = periodic();
	v.end = E + 1; /* lengths != end - start */
	assert_int_equal(btt_ledger_vesting_check(&v), BTT_EINVALID);
	v = periodic();
	v.periods[1].length = 0;
	v.periods[2].length = 5;
	assert_int_equal(btt_ledger_vesting_check(&v), BTT_EINVALID);
	v = periodic();
	v.periods[0].amount = 0;
	v.periods[2].amount = 80;
	assert_int_equal(btt_ledger_vesting_check(&v), BTT_EINVALID);
	v = periodic();
	v.n_periods = 0;
	assert_int_equal(btt_ledger_vesting_check(&v), BTT_EINVALID);
	v = periodic();
	v.start = 0;
	v.periods[0].length = UINT64_MAX;
	assert_int_equal(btt_ledger_vesting_check(&v), BTT_EOVERFLOW);
	v = periodic();
	v.periods[0].amount = BTT_U128_MAX;
	assert_int_equal(btt_ledger_vesting_check(&v), BTT_EOVERFLOW);
}

/* A periodic schedule of n one-block tranches of 1 coin each. */
static void ones(struct btt_vesting *v, size_t n)
{
	memset(v, 0, sizeof(*v));
	v->type = BTT_VESTING_PERIODIC;
	v->original = n;
	v->end = n;
	v->n_periods = n;
	for (size_t i = 0; i < n && i < BTT_VESTING_MAX_PERIODS; i++)
		v->periods[i] = (struct btt_vesting_period){1, 1};
}

static void test_vesting_period_limit(void **state)
{
	struct btt_vesting v, back;
	uint8_t buf[BTT_VESTING_MAX_LEN + BTT_VESTING_PERIOD_LEN];
	struct btt_wbuf w;
	(void)state;

	ones(&v, BTT_VESTING_MAX_PERIODS - 1);
	assert_int_equal(btt_ledger_vesting_check(&v), 0);
	ones(&v, BTT_VESTING_MAX_PERIODS);
	assert_int_equal(btt_ledger_vesting_check(&v), 0);
	assert_u128(btt_ledger_vesting_vested(&v, 17), 17);
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	assert_int_equal(btt_ledger_vesting_encode(&v, &w), 0);
	assert_int_equal(w.len, BTT_VESTING_MAX_LEN);
	assert_int_equal(btt_ledger_vesting_decode(buf, w.len, &back), 0);
	/* one more tranche on the wire: refused by the count alone */
	buf[BTT_VESTING_FIXED_LEN - 1] = BTT_VESTING_MAX_PERIODS + 1;
	assert_int_equal(btt_ledger_vesting_decode(buf, sizeof(buf), &back),
			 BTT_ELIMIT);
	v.n_periods = BTT_VESTING_MAX_PERIODS + 1;
	assert_int_equal(btt_ledger_vesting_check(&v), BTT_ELIMIT);
}

static void test_vesting_spendable_cosmos(void **state)
{
	struct btt_vesting v = continuous(1000);
	btt_u128 balance = 1000;
	(void)state;

	v.start = 0;
	v.end = 100;
	assert_u128(btt_ledger_vesting_spendable(&v, 0, balance), 0);
	/* locked coins can be staked: 600 of the 1000 locked */
	assert_int_equal(btt_ledger_vesting_delegate(&v, 0, balance, 600), 0);
	balance -= 600;
	assert_u128(v.delegated_vesting, 600);
	assert_u128(v.delegated_free, 0);
	assert_u128(btt_ledger_vesting_spendable(&v, 0, balance), 0);
	/* at 50 % vested, 500 locked are all covered by the 600 delegated */
	assert_u128(btt_ledger_vesting_spendable(&v, 50, balance), 400);
	/* 100 free coins arrive; at height 10, 900 locked - 600 = 300 */
	balance += 100;
	assert_u128(btt_ledger_vesting_spendable(&v, 10, balance), 200);
	/* delegating now takes the 300 locked in the balance first */
	assert_int_equal(btt_ledger_vesting_delegate(&v, 10, balance, 350), 0);
	balance -= 350;
	assert_u128(v.delegated_vesting, 900);
	assert_u128(v.delegated_free, 50);
	assert_u128(btt_ledger_vesting_spendable(&v, 10, balance), 150);
	/* undelegating returns free coins first */
	assert_int_equal(btt_ledger_vesting_undelegate(&v, 80), 0);
	assert_u128(v.delegated_free, 0);
	assert_u128(v.delegated_vesting, 870);
	/* more than delegated (after a slash on the other side) empties */
	assert_int_equal(btt_ledger_vesting_undelegate(&v, 5000), 0);
	assert_u128(v.delegated_vesting, 0);
	assert_u128(v.delegated_free, 0);
	/* once everything vested, the whole balance is spendable */
	assert_u128(btt_ledger_vesting_spendable(&v, 100, 1234), 1234);
}

static void test_vesting_delegate_errors(void **state)
{
	struct btt_vesting v = delayed(100), before;
	(void)state;

	before = v;
	assert_int_equal(btt_ledger_vesting_delegate(&v, 0, 50, 0),
			 BTT_EINVALID);
	assert_int_equal(btt_ledger_vesting_delegate(&v, 0, 50, 51),
			 BTT_EFUNDS);
	v.delegated_free = BTT_U128_MAX;
	before = v;
	/* the locked 100 go to DV; the rest would overflow DF */
	assert_int_equal(btt_ledger_vesting_delegate(&v, 0, 200, 101),
			 BTT_EOVERFLOW);
	assert_u128(v.delegated_vesting, before.delegated_vesting);
	assert_u128(v.delegated_free, before.delegated_free);
	assert_int_equal(btt_ledger_vesting_undelegate(&v, 0), BTT_EINVALID);
	assert_int_equal(btt_ledger_vesting_delegate(&v, 0, 50, 50), 0);
	assert_u128(v.delegated_vesting, 50);
}

static void test_vesting_periodic_build(void **state)
{
	static const uint64_t len[] = {10, 10, 10, 10};
	static const uint32_t wt[] = {40, 30, 20, 10};
	static const uint32_t zero[] = {40, 0, 20, 10};
	struct btt_vesting v;
	(void)state;

	assert_int_equal(
		btt_ledger_vesting_periodic_build(&v, 1001, 5, len, wt, 4), 0);
	assert_int_equal(v.end, 45);
	assert_u128(v.periods[0].amount, 400);
	assert_u128(v.periods[1].amount, 300);
	assert_u128(v.periods[2].amount, 200);
	assert_u128(v.periods[3].amount, 101); /* the remainder */
	assert_int_equal(
		btt_ledger_vesting_periodic_build(&v, 1001, 5, len, zero, 4),
		BTT_EINVALID);
	/* 3 coins over 4 tranches: one rounds to 0 */
	assert_int_equal(
		btt_ledger_vesting_periodic_build(&v, 3, 5, len, wt, 4),
		BTT_EINVALID);
	assert_int_equal(
		btt_ledger_vesting_periodic_build(&v, 3, 5, len, wt, 0),
		BTT_EINVALID);
}

static void roundtrip(const struct btt_vesting *v)
{
	uint8_t buf[BTT_VESTING_MAX_LEN + 1];
	struct btt_vesting back;
	struct btt_wbuf w;
	size_t n;

	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	assert_int_equal(btt_ledger_vesting_encode(v, &w), 0);
	n = w.len;
	assert_int_equal(n, BTT_VESTING_FIXED_LEN +
				    v->n_periods * BTT_VESTING_PERIOD_LEN);
	assert_int_equal(btt_ledger_vesting_decode(buf, n, &back), 0);
	assert_int_equal(back.type, v->type);
	assert_u128(back.original, v->original);
	assert_u128(back.delegated_vesting, v->delegated_vesting);
	assert_u128(back.delegated_free, v->delegated_free);
	assert_int_equal(back.n_periods, v->n_periods);
	for (size_t k = 0; k < n; k++)
		assert_int_equal(btt_ledger_vesting_decode(buf, k, &back),
				 BTT_ETRUNCATED);
	buf[n] = 0;
	assert_int_equal(btt_ledger_vesting_decode(buf, n + 1, &back),
			 BTT_ETRAILING);
	buf[0] = 2;
	assert_int_equal(btt_ledger_vesting_decode(buf, n, &back),
			 BTT_EUNSUPPORTED);
}

static void test_vesting_codec(void **state)
{
	struct btt_vesting v = delayed(77);
	uint8_t buf[BTT_VESTING_MAX_LEN];
	struct btt_wbuf w;
	(void)state;

	v.delegated_vesting = 7;
	v.delegated_free = 9;
	roundtrip(&v);
	v = continuous(BTT_COIN);
	roundtrip(&v);
	v = periodic();
	roundtrip(&v);
	/* a record that breaks a rule is refused both ways */
	v = delayed(0);
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	assert_int_equal(btt_ledger_vesting_encode(&v, &w), BTT_EINVALID);
	v = delayed(5);
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	assert_int_equal(btt_ledger_vesting_encode(&v, &w), 0);
	buf[1] = BTT_VESTING_CONTINUOUS;
	buf[18] = 0x10; /* start > end */
	assert_int_equal(btt_ledger_vesting_decode(buf, w.len, &v),
			 BTT_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vesting_fraction_exact),
		cmocka_unit_test(test_vesting_delayed_boundaries),
		cmocka_unit_test(test_vesting_continuous_boundaries),
		cmocka_unit_test(test_vesting_continuous_large_amounts),
		cmocka_unit_test(test_vesting_periodic_boundaries),
		cmocka_unit_test(test_vesting_invariants_random),
		cmocka_unit_test(test_vesting_check_rejects),
		cmocka_unit_test(test_vesting_period_limit),
		cmocka_unit_test(test_vesting_spendable_cosmos),
		cmocka_unit_test(test_vesting_delegate_errors),
		cmocka_unit_test(test_vesting_periodic_build),
		cmocka_unit_test(test_vesting_codec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
