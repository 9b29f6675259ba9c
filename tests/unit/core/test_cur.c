/* Byte cursor: every getter advances only on success. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/cur.h"

static void test_cur_getters_advance_only_on_success(void **state)
{
	static const uint8_t b[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	struct btt_cur c, sub;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	(void)state;

	btt_cur_init(&c, b, sizeof(b));
	assert_true(btt_cur_get_u8(&c, &u8));
	assert_int_equal(u8, 1);
	assert_true(btt_cur_get_u16be(&c, &u16));
	assert_int_equal(u16, 0x0203);
	assert_true(btt_cur_get_u32be(&c, &u32));
	assert_int_equal(u32, 0x04050607);
	assert_false(btt_cur_get_u64be(&c, &u64));
	assert_int_equal(btt_cur_len(&c), 2);
	assert_false(btt_cur_get_u32be(&c, &u32));
	assert_int_equal(btt_cur_len(&c), 2);
	assert_false(btt_cur_get_sub(&c, 3, &sub));
	assert_true(btt_cur_get_sub(&c, 2, &sub));
	assert_int_equal(btt_cur_len(&sub), 2);
	assert_int_equal(btt_cur_len(&c), 0);
	assert_false(btt_cur_get_u8(&c, &u8));
	assert_true(btt_cur_skip(&c, 0));
	assert_false(btt_cur_skip(&c, 1));
}

static void test_cur_u64be(void **state)
{
	static const uint8_t b[] = {0x01, 0x23, 0x45, 0x67,
				    0x89, 0xab, 0xcd, 0xef};
	struct btt_cur c;
	uint64_t v;
	(void)state;
	btt_cur_init(&c, b, sizeof(b));
	assert_true(btt_cur_get_u64be(&c, &v));
	assert_true(v == 0x0123456789abcdefull);
}

static void test_cur_until_and_prefix(void **state)
{
	struct btt_cur c, sub;
	(void)state;
	btt_cur_init(&c, "12:abc", 6);
	assert_false(btt_cur_get_until(&c, ';', &sub));
	assert_true(btt_cur_get_until(&c, ':', &sub));
	assert_true(btt_cur_eq_str(&sub, "12"));
	assert_false(btt_cur_get_prefix(&c, "abd"));
	assert_true(btt_cur_get_prefix(&c, "ab"));
	assert_true(btt_cur_eq_str(&c, "c"));
}

static bool dec(const char *s, unsigned digits, uint64_t max, bool zeros,
		uint64_t *v, size_t *left)
{
	struct btt_cur c;
	bool ok;
	btt_cur_init(&c, s, strlen(s));
	ok = btt_cur_get_dec(&c, digits, max, zeros, v);
	*left = btt_cur_len(&c);
	return ok;
}

static void test_cur_dec_limits(void **state)
{
	uint64_t v;
	size_t left;
	(void)state;
	assert_true(dec("0", 5, 100, false, &v, &left));
	assert_int_equal(v, 0);
	assert_false(dec("", 5, 100, false, &v, &left));
	assert_false(dec("x", 5, 100, false, &v, &left));
	assert_int_equal(left, 1);
	assert_false(dec("01", 5, 100, false, &v, &left));
	assert_int_equal(left, 2);
	assert_true(dec("01", 5, 100, true, &v, &left));
	/* max-1, max, max+1 */
	assert_true(dec("99", 5, 100, false, &v, &left));
	assert_true(dec("100", 5, 100, false, &v, &left));
	assert_int_equal(v, 100);
	assert_false(dec("101", 5, 100, false, &v, &left));
	/* digit count cap */
	assert_true(dec("1234", 4, 99999, false, &v, &left));
	assert_false(dec("12345", 4, 99999, false, &v, &left));
	/* uint64 overflow */
	assert_true(
		dec("18446744073709551615", 20, UINT64_MAX, false, &v, &left));
	assert_true(v == UINT64_MAX);
	assert_false(
		dec("18446744073709551616", 20, UINT64_MAX, false, &v, &left));
	/* stops at the first non-digit */
	assert_true(dec("42e", 5, 100, false, &v, &left));
	assert_int_equal(v, 42);
	assert_int_equal(left, 1);
}

static void test_cur_empty_null_view(void **state)
{
	struct btt_cur c, sub;
	uint8_t u8;
	(void)state;

	/* A zero-length view over NULL is valid and every getter fails
	 * cleanly (the sanitizer build checks no NULL arithmetic happens). */
	btt_cur_init(&c, NULL, 0);
	assert_true(btt_cur_skip(&c, 0));
	assert_false(btt_cur_skip(&c, 1));
	assert_false(btt_cur_peek_u8(&c, &u8));
	assert_false(btt_cur_get_until(&c, ':', &sub));
	assert_true(btt_cur_copy(&c, NULL, 0));
	assert_true(btt_cur_get_sub(&c, 0, &sub));
	assert_int_equal(btt_cur_len(&sub), 0);
	assert_true(btt_cur_get_prefix(&c, ""));
	assert_false(btt_cur_get_prefix(&c, "a"));
	assert_true(btt_cur_eq(&c, NULL, 0));
	assert_true(btt_cur_eq_str(&c, ""));
	assert_null(btt_cur_data(&c));
}

static void test_cur_peek_copy_eq(void **state)
{
	struct btt_cur c;
	uint8_t u8, out[8];
	(void)state;

	btt_cur_init(&c, "abcd", 4);
	assert_true(btt_cur_peek_u8(&c, &u8));
	assert_int_equal(u8, 'a');
	assert_int_equal(btt_cur_len(&c), 4);
	assert_false(btt_cur_copy(&c, out, 5));
	assert_int_equal(btt_cur_len(&c), 4);
	assert_true(btt_cur_copy(&c, out, 3));
	assert_memory_equal(out, "abc", 3);
	assert_true(btt_cur_eq_str(&c, "d"));
	assert_false(btt_cur_eq_str(&c, "de"));
	assert_false(btt_cur_eq_str(&c, ""));
	assert_false(btt_cur_eq_str(&c, "e"));
}

static void test_cur_until_edges(void **state)
{
	struct btt_cur c, sub;
	(void)state;

	/* delimiter first: empty sub-cursor, delimiter consumed */
	btt_cur_init(&c, ":x:", 3);
	assert_true(btt_cur_get_until(&c, ':', &sub));
	assert_int_equal(btt_cur_len(&sub), 0);
	assert_true(btt_cur_eq_str(&c, "x:"));
	/* delimiter last: nothing left */
	assert_true(btt_cur_get_until(&c, ':', &sub));
	assert_true(btt_cur_eq_str(&sub, "x"));
	assert_int_equal(btt_cur_len(&c), 0);
	/* a NUL byte is an ordinary byte */
	btt_cur_init(&c, "a\0b", 3);
	assert_true(btt_cur_get_until(&c, 0, &sub));
	assert_true(btt_cur_eq_str(&sub, "a"));
	assert_true(btt_cur_eq_str(&c, "b"));
}

static void test_cur_dec_zero_digits_allowed(void **state)
{
	uint64_t v = 7;
	size_t left;
	(void)state;

	/* max_digits 0 admits no number at all */
	assert_false(dec("1", 0, 100, false, &v, &left));
	assert_int_equal(left, 1);
	assert_int_equal(v, 7);
	/* "0" is accepted even without allow_zeros; "00" is not */
	assert_true(dec("0", 1, 0, false, &v, &left));
	assert_false(dec("00", 2, 0, false, &v, &left));
	assert_true(dec("00", 2, 0, true, &v, &left));
	assert_false(dec("1", 1, 0, false, &v, &left));
	/* a sign is not a digit */
	assert_false(dec("-1", 2, 100, false, &v, &left));
	assert_false(dec("+1", 2, 100, false, &v, &left));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cur_getters_advance_only_on_success),
		cmocka_unit_test(test_cur_u64be),
		cmocka_unit_test(test_cur_until_and_prefix),
		cmocka_unit_test(test_cur_dec_limits),
		cmocka_unit_test(test_cur_empty_null_view),
		cmocka_unit_test(test_cur_peek_copy_eq),
		cmocka_unit_test(test_cur_until_edges),
		cmocka_unit_test(test_cur_dec_zero_digits_allowed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
