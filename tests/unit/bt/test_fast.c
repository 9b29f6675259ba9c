/* BEP 6 allowed-fast sets against the BEP's own example vectors (1313
 * pieces, info-hash 0xaa * 20, peer 80.4.4.200), the /24 masking, and the
 * caps on k. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "bt/fast.h"
#include "core/limits.h"

#define IP(a, b, c, d)                                                    \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | \
	 (uint32_t)(d))

static void test_fast_bep6_vectors(void **state)
{
	static const uint32_t want9[] = {1059, 431,  808, 1217, 287,
					 376,  1188, 353, 508};
	uint8_t ih[20];
	uint32_t out[BTT_FAST_MAX_K];
	(void)state;

	memset(ih, 0xaa, sizeof(ih));
	assert_int_equal(btt_fast_set(ih, IP(80, 4, 4, 200), 1313, 7, out), 7);
	assert_memory_equal(out, want9, 7 * sizeof(uint32_t));
	assert_int_equal(btt_fast_set(ih, IP(80, 4, 4, 200), 1313, 9, out), 9);
	assert_memory_equal(out, want9, 9 * sizeof(uint32_t));
	/* only the /24 counts */
	assert_int_equal(btt_fast_set(ih, IP(80, 4, 4, 1), 1313, 9, out), 9);
	assert_memory_equal(out, want9, 9 * sizeof(uint32_t));
	assert_int_equal(btt_fast_set(ih, IP(80, 4, 5, 200), 1313, 9, out), 9);
	assert_memory_not_equal(out, want9, 9 * sizeof(uint32_t));
}

static void test_fast_k_caps(void **state)
{
	uint8_t ih[20];
	uint32_t out[BTT_FAST_MAX_K + 1];
	(void)state;

	memset(ih, 0x11, sizeof(ih));
	out[BTT_FAST_MAX_K] = 0xdeadbeef;
	assert_int_equal(btt_fast_set(ih, IP(10, 0, 0, 1), 100000,
				      BTT_FAST_MAX_K - 1, out),
			 BTT_FAST_MAX_K - 1);
	assert_int_equal(
		btt_fast_set(ih, IP(10, 0, 0, 1), 100000, BTT_FAST_MAX_K, out),
		BTT_FAST_MAX_K);
	assert_int_equal(btt_fast_set(ih, IP(10, 0, 0, 1), 100000,
				      BTT_FAST_MAX_K + 1, out),
			 BTT_FAST_MAX_K);
	assert_int_equal(out[BTT_FAST_MAX_K], 0xdeadbeef);
	/* fewer pieces than k: every piece, each once */
	assert_int_equal(btt_fast_set(ih, IP(10, 0, 0, 1), 5, 10, out), 5);
	for (uint32_t i = 0; i < 5; i++) {
		assert_true(out[i] < 5);
		for (uint32_t j = 0; j < i; j++)
			assert_int_not_equal(out[i], out[j]);
	}
	assert_int_equal(btt_fast_set(ih, IP(10, 0, 0, 1), 1, 10, out), 1);
	assert_int_equal(out[0], 0);
	assert_int_equal(btt_fast_set(ih, IP(10, 0, 0, 1), 0, 10, out), 0);
	assert_int_equal(btt_fast_set(ih, IP(10, 0, 0, 1), 1313, 0, out), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fast_bep6_vectors),
		cmocka_unit_test(test_fast_k_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
