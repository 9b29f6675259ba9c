/* u128 amounts: checked arithmetic at the edges, big-endian form, and
 * canonical decimal text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "btt/err.h"
#include "ledger/u128.h"

static const char max_dec[] = "340282366920938463463374607431768211455";

static void test_u128_add_sub_edges(void **state)
{
	btt_u128 r = 7;
	(void)state;

	assert_true(btt_u128_add(BTT_U128_MAX - 1, 1, &r));
	assert_true(r == BTT_U128_MAX);
	r = 7;
	assert_false(btt_u128_add(BTT_U128_MAX, 1, &r));
	assert_false(btt_u128_add(1, BTT_U128_MAX, &r));
	assert_true(r == 7);
	assert_true(btt_u128_sub(5, 5, &r));
	assert_true(r == 0);
	r = 7;
	assert_false(btt_u128_sub(5, 6, &r));
	assert_false(btt_u128_sub(0, BTT_U128_MAX, &r));
	assert_true(r == 7);
}

static void test_u128_mul_edges(void **state)
{
	btt_u128 r = 7, two64 = (btt_u128)1 << 64;
	(void)state;

	assert_true(btt_u128_mul(BTT_U128_MAX, 1, &r));
	assert_true(r == BTT_U128_MAX);
	assert_true(btt_u128_mul(0, BTT_U128_MAX, &r));
	assert_true(r == 0);
	assert_true(btt_u128_mul(BTT_U128_MAX / 2, 2, &r));
	assert_true(r == BTT_U128_MAX - 1);
	r = 7;
	assert_false(btt_u128_mul(BTT_U128_MAX / 2 + 1, 2, &r));
	assert_false(btt_u128_mul(two64, two64, &r));
	assert_true(r == 7);
	assert_true(btt_u128_mul(two64 - 1, two64 + 1, &r));
	assert_true(r == BTT_U128_MAX);
}

static void test_u128_be_roundtrip(void **state)
{
	uint8_t b[16];
	btt_u128 v =
		((btt_u128)0x0102030405060708ull << 64) | 0x090a0b0c0d0e0f10ull;
	(void)state;

	btt_u128_put_be(v, b);
	for (int i = 0; i < 16; i++)
		assert_int_equal(b[i], i + 1);
	assert_true(btt_u128_get_be(b) == v);
}

static void test_u128_dec_valid(void **state)
{
	btt_u128 v = 0;
	char out[BTT_U128_DEC_MAX + 1];
	(void)state;

	assert_int_equal(btt_u128_from_dec("0", 1, &v), 0);
	assert_true(v == 0);
	assert_int_equal(btt_u128_from_dec("1000000000000000000", 19, &v), 0);
	assert_true(v == BTT_COIN);
	assert_int_equal(btt_u128_to_dec(v, out), 19);
	assert_string_equal(out, "1000000000000000000");
	assert_int_equal(btt_u128_to_dec(0, out), 1);
	assert_string_equal(out, "0");
	assert_int_equal(btt_u128_to_dec(BTT_U128_MAX, out), 39);
	assert_string_equal(out, max_dec);
}

/* 2^128 - 2, 2^128 - 1 and 2^128, and a 40-digit number. */
static void test_u128_dec_limit(void **state)
{
	btt_u128 v = 0;
	char s[64];
	(void)state;

	memcpy(s, max_dec, sizeof(max_dec));
	s[38] = '4';
	assert_int_equal(btt_u128_from_dec(s, 39, &v), 0);
	assert_true(v == BTT_U128_MAX - 1);
	assert_int_equal(btt_u128_from_dec(max_dec, 39, &v), 0);
	assert_true(v == BTT_U128_MAX);
	s[38] = '6';
	v = 5;
	assert_int_equal(btt_u128_from_dec(s, 39, &v), BTT_EOVERFLOW);
	assert_true(v == 5);
	memset(s, '0', 40);
	s[0] = '1';
	assert_int_equal(btt_u128_from_dec(s, 40, &v), BTT_EOVERFLOW);
}

static void test_u128_dec_rejects(void **state)
{
	btt_u128 v = 5;
	(void)state;

	assert_int_equal(btt_u128_from_dec("", 0, &v), BTT_EMALFORMED);
	assert_int_equal(btt_u128_from_dec("00", 2, &v), BTT_ENONCANONICAL);
	assert_int_equal(btt_u128_from_dec("01", 2, &v), BTT_ENONCANONICAL);
	assert_int_equal(btt_u128_from_dec("-1", 2, &v), BTT_EMALFORMED);
	assert_int_equal(btt_u128_from_dec("+1", 2, &v), BTT_EMALFORMED);
	assert_int_equal(btt_u128_from_dec(" 1", 2, &v), BTT_EMALFORMED);
	assert_int_equal(btt_u128_from_dec("1 ", 2, &v), BTT_EMALFORMED);
	assert_int_equal(btt_u128_from_dec("1.5", 3, &v), BTT_EMALFORMED);
	assert_int_equal(btt_u128_from_dec("1e3", 3, &v), BTT_EMALFORMED);
	/* An embedded NUL is not the end of the text. */
	assert_int_equal(btt_u128_from_dec("1\0", 2, &v), BTT_EMALFORMED);
	assert_true(v == 5);
}

static void test_u128_get_dec_cursor(void **state)
{
	struct btt_cur c;
	btt_u128 v = 0;
	(void)state;

	btt_cur_init(&c, "123,4", 5);
	assert_true(btt_u128_get_dec(&c, &v));
	assert_true(v == 123);
	assert_int_equal(btt_cur_len(&c), 2);
	assert_false(btt_u128_get_dec(&c, &v));
	assert_int_equal(btt_cur_len(&c), 2);
	btt_cur_init(&c, "007", 3);
	assert_false(btt_u128_get_dec(&c, &v));
	assert_int_equal(btt_cur_len(&c), 3);
	btt_cur_init(&c, "0x", 2);
	assert_true(btt_u128_get_dec(&c, &v));
	assert_true(v == 0);
	assert_int_equal(btt_cur_len(&c), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u128_add_sub_edges),
		cmocka_unit_test(test_u128_mul_edges),
		cmocka_unit_test(test_u128_be_roundtrip),
		cmocka_unit_test(test_u128_dec_valid),
		cmocka_unit_test(test_u128_dec_limit),
		cmocka_unit_test(test_u128_dec_rejects),
		cmocka_unit_test(test_u128_get_dec_cursor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
