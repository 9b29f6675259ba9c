/* Token buckets: refill by elapsed time up to the burst, debt after a
 * large transfer, the wait until the debt is paid, unlimited buckets,
 * rate changes and a clock that goes backwards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bt/ratelimit.h"

static void test_ratelimit_unlimited(void **state)
{
	struct btt_ratelimit rl;

	(void)state;
	btt_ratelimit_init(&rl, 0, 0);
	btt_ratelimit_take(&rl, 1u << 30);
	assert_true(btt_ratelimit_ok(&rl));
	assert_int_equal(btt_ratelimit_wait_ms(&rl), 0);
	assert_int_equal(rl.total, 1u << 30);
}

static void test_ratelimit_burst(void **state)
{
	struct btt_ratelimit rl;

	(void)state;
	/* 1 MB/s: a fifth of a second of tokens at most. */
	btt_ratelimit_init(&rl, 1000000, 0);
	assert_int_equal(rl.tokens, 200000);
	btt_ratelimit_refill(&rl, 10000);
	assert_int_equal(rl.tokens, 200000);
	/* Slow rates still allow one block. */
	btt_ratelimit_init(&rl, 1000, 0);
	assert_int_equal(rl.burst, BTT_RATELIMIT_MIN_BURST);
}

static void test_ratelimit_debt(void **state)
{
	struct btt_ratelimit rl;

	(void)state;
	btt_ratelimit_init(&rl, 100000, 0); /* 100 kB/s, burst 20 kB */
	btt_ratelimit_take(&rl, 20000);
	assert_false(btt_ratelimit_ok(&rl));
	assert_int_equal(btt_ratelimit_wait_ms(&rl), 1);
	btt_ratelimit_take(&rl, 50000); /* half a second of debt */
	assert_int_equal(btt_ratelimit_wait_ms(&rl), 501);
	btt_ratelimit_refill(&rl, 500);
	assert_false(btt_ratelimit_ok(&rl));
	btt_ratelimit_refill(&rl, 501);
	assert_true(btt_ratelimit_ok(&rl));
	assert_int_equal(btt_ratelimit_wait_ms(&rl), 0);
}

static void test_ratelimit_exact_rate(void **state)
{
	struct btt_ratelimit rl;
	uint64_t moved = 0, now = 0;

	(void)state;
	/* 3 bytes per ms with sub-token remainders: 10 s of 16 KiB
	 * transfers whenever allowed moves 30 kB/s plus the first burst. */
	btt_ratelimit_init(&rl, 3000, 0);
	while (now < 10000) {
		btt_ratelimit_refill(&rl, now);
		if (btt_ratelimit_ok(&rl)) {
			btt_ratelimit_take(&rl, 16384);
			moved += 16384;
		}
		now += 7;
	}
	assert_true(moved >= 30000 - 16384 && moved <= 30000 + 2 * 16384);
}

static void test_ratelimit_clock_backwards(void **state)
{
	struct btt_ratelimit rl;

	(void)state;
	btt_ratelimit_init(&rl, 100000, 1000);
	btt_ratelimit_take(&rl, 40000);
	btt_ratelimit_refill(&rl, 500);
	assert_int_equal(rl.tokens, -20000);
	assert_int_equal(rl.last, 1000);
}

static void test_ratelimit_set_rate(void **state)
{
	struct btt_ratelimit rl;

	(void)state;
	btt_ratelimit_init(&rl, 1000000, 0);
	btt_ratelimit_set_rate(&rl, 100000, 0);
	assert_int_equal(rl.tokens, 20000); /* clipped to the new burst */
	btt_ratelimit_set_rate(&rl, 0, 0);
	btt_ratelimit_take(&rl, 1u << 20);
	assert_true(btt_ratelimit_ok(&rl));
}

static void test_ratelimit_huge_values(void **state)
{
	struct btt_ratelimit rl;

	(void)state;
	/* Absurd rates and transfers neither overflow nor wrap. */
	btt_ratelimit_init(&rl, UINT64_MAX, 0);
	btt_ratelimit_refill(&rl, UINT64_MAX / 2);
	assert_true(btt_ratelimit_ok(&rl));
	btt_ratelimit_init(&rl, 1, 0);
	btt_ratelimit_take(&rl, UINT64_MAX);
	assert_false(btt_ratelimit_ok(&rl));
	assert_true(rl.tokens < 0);
	assert_true(btt_ratelimit_wait_ms(&rl) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ratelimit_unlimited),
		cmocka_unit_test(test_ratelimit_burst),
		cmocka_unit_test(test_ratelimit_debt),
		cmocka_unit_test(test_ratelimit_exact_rate),
		cmocka_unit_test(test_ratelimit_clock_backwards),
		cmocka_unit_test(test_ratelimit_set_rate),
		cmocka_unit_test(test_ratelimit_huge_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
