/* Clocks: the system source moves forward and agrees between units; a
 * replacement source is used everywhere until it is removed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"

static void test_clock_monotonic_never_goes_back(void **state)
{
	uint64_t prev = btt_clock_now_ns();
	(void)state;

	for (int i = 0; i < 1000; i++) {
		uint64_t now = btt_clock_now_ns();
		assert_true(now >= prev);
		prev = now;
	}
	assert_true(btt_clock_now_ms() >= prev / 1000000u);
}

static void test_clock_wall_is_after_2020(void **state)
{
	(void)state;
	/* 2020-01-01T00:00:00Z: any machine that runs the suite is later. */
	assert_true(btt_clock_wall_s() > 1577836800);
}

static void test_clock_fake_source(void **state)
{
	struct btt_clock_fake f = {.mono_ns = 5999999,
				   .wall_ns = 1700000000999999999ull};
	(void)state;

	btt_clock_set_source(btt_clock_fake_source, &f);
	assert_true(btt_clock_now_ns() == 5999999);
	assert_true(btt_clock_now_ms() == 5);
	assert_true(btt_clock_wall_s() == 1700000000);
	f.mono_ns += 1;
	assert_true(btt_clock_now_ms() == 6);
	f.wall_ns = 0;
	assert_true(btt_clock_wall_s() == 0);
	btt_clock_set_source(NULL, &f);
	assert_true(btt_clock_wall_s() > 1577836800);
}

static uint64_t counting_source(enum btt_clock_kind kind, void *arg)
{
	int *calls = arg;
	calls[kind]++;
	return 0;
}

static void test_clock_source_sees_kind(void **state)
{
	int calls[2] = {0, 0};
	(void)state;

	btt_clock_set_source(counting_source, calls);
	(void)btt_clock_now_ns();
	(void)btt_clock_now_ms();
	(void)btt_clock_wall_s();
	btt_clock_set_source(NULL, NULL);
	assert_int_equal(calls[BTT_CLOCK_MONO], 2);
	assert_int_equal(calls[BTT_CLOCK_WALL], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clock_monotonic_never_goes_back),
		cmocka_unit_test(test_clock_wall_is_after_2020),
		cmocka_unit_test(test_clock_fake_source),
		cmocka_unit_test(test_clock_source_sees_kind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
