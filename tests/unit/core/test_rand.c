/* Random numbers: seeded mode is repeatable and matches the reference
 * xoshiro256** sequence, uniform() stays in range and hits every value,
 * and the kernel path is not stuck. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/rand.h"

static int teardown(void **state)
{
	(void)state;
	btt_rand_clear_seed();
	return 0;
}

static void test_rand_seeded_reference_sequence(void **state)
{
	(void)state;
	/* splitmix64(42) -> xoshiro256** state; outputs as specified by the
	 * generator's authors, computed independently. */
	btt_rand_set_seed(42);
	assert_true(btt_rand_u64() == 0x15780b2e0c2ec716ull);
	assert_true(btt_rand_u64() == 0x6104d9866d113a7eull);
	assert_true(btt_rand_u64() == 0xae17533239e499a1ull);
	assert_true(btt_rand_u32() == 0x03b360a1u);
}

static void test_rand_seed_repeats(void **state)
{
	uint8_t a[37], b[37];
	(void)state;

	btt_rand_set_seed(7);
	btt_rand_bytes(a, sizeof(a));
	btt_rand_set_seed(7);
	btt_rand_bytes(b, sizeof(b));
	assert_memory_equal(a, b, sizeof(a));
	btt_rand_set_seed(8);
	btt_rand_bytes(b, sizeof(b));
	assert_memory_not_equal(a, b, sizeof(a));
}

static void test_rand_kernel_bytes_differ(void **state)
{
	uint8_t a[32], b[32], zero[32] = {0};
	(void)state;

	btt_rand_set_seed(1);
	btt_rand_clear_seed();
	btt_rand_bytes(a, sizeof(a));
	btt_rand_bytes(b, sizeof(b));
	/* Equal 256-bit draws would mean the generator is stuck. */
	assert_memory_not_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, zero, sizeof(a));
	btt_rand_bytes(NULL, 0);
}

static void test_rand_kernel_large_request(void **state)
{
	static uint8_t big[1 << 20];
	size_t zeros = 0;
	(void)state;

	btt_rand_bytes(big, sizeof(big));
	for (size_t i = 0; i < sizeof(big); i++)
		zeros += big[i] == 0;
	/* Expected 4096; a short read would leave far more zeros. */
	assert_true(zeros < 8192);
}

static void test_rand_uniform_range(void **state)
{
	unsigned hits[7] = {0};
	(void)state;

	btt_rand_set_seed(99);
	assert_true(btt_rand_uniform(0) == 0);
	for (int i = 0; i < 100; i++)
		assert_true(btt_rand_uniform(1) == 0);
	for (int i = 0; i < 7000; i++) {
		uint64_t v = btt_rand_uniform(7);
		assert_true(v < 7);
		hits[v]++;
	}
	for (int i = 0; i < 7; i++)
		assert_true(hits[i] > 800 && hits[i] < 1200);
	for (int i = 0; i < 1000; i++)
		assert_true(btt_rand_uniform(UINT64_MAX) < UINT64_MAX);
}

/* With bound 3 * 2^62, plain r % bound would map the top quarter of all
 * draws onto [0, 2^62), making that third of the range hold half of the
 * results. Rejecting draws below 2^64 mod bound keeps it at a third. */
static void test_rand_uniform_rejects_biased_draws(void **state)
{
	const uint64_t bound = 3ull << 62;
	int low = 0;
	(void)state;

	btt_rand_set_seed(5);
	for (int i = 0; i < 3000; i++) {
		uint64_t v = btt_rand_uniform(bound);
		assert_true(v < bound);
		low += v < (1ull << 62);
	}
	/* 1000 expected without bias, 1500 with it. */
	assert_true(low > 850 && low < 1150);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_rand_seeded_reference_sequence,
					  teardown),
		cmocka_unit_test_teardown(test_rand_seed_repeats, teardown),
		cmocka_unit_test_teardown(test_rand_kernel_bytes_differ,
					  teardown),
		cmocka_unit_test_teardown(test_rand_kernel_large_request,
					  teardown),
		cmocka_unit_test_teardown(test_rand_uniform_range, teardown),
		cmocka_unit_test_teardown(
			test_rand_uniform_rejects_biased_draws, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
