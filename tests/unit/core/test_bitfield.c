/* Bitfield: bit operations with an exact running count, word-boundary
 * searches, and the BEP 3 wire form (MSB first, spare bits zero). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "btt/err.h"
#include "core/bitfield.h"

static size_t naive_count(const struct btt_bitfield *b)
{
	size_t n = 0;
	for (size_t i = 0; i < btt_bitfield_size(b); i++)
		n += btt_bitfield_get(b, i);
	return n;
}

static void test_bitfield_set_clear_count(void **state)
{
	static const size_t sizes[] = {1, 63, 64, 65, 128, 1000};
	(void)state;

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct btt_bitfield b;
		size_t n = sizes[s];
		assert_int_equal(btt_bitfield_init(&b, n), 0);
		assert_true(btt_bitfield_none(&b));
		assert_false(btt_bitfield_all(&b));
		for (size_t i = 0; i < n; i += 3)
			assert_true(btt_bitfield_set(&b, i));
		assert_false(btt_bitfield_set(&b, 0));
		assert_int_equal(btt_bitfield_count(&b), (n + 2) / 3);
		assert_int_equal(btt_bitfield_count(&b), naive_count(&b));
		assert_true(btt_bitfield_get(&b, n - 1) == ((n - 1) % 3 == 0));
		assert_true(btt_bitfield_clear(&b, 0));
		assert_false(btt_bitfield_clear(&b, 0));
		assert_false(btt_bitfield_clear(&b, n > 1 ? 1 : 0));
		assert_int_equal(btt_bitfield_count(&b), naive_count(&b));
		btt_bitfield_set_all(&b);
		assert_true(btt_bitfield_all(&b));
		assert_int_equal(btt_bitfield_count(&b), n);
		assert_int_equal(naive_count(&b), n);
		assert_true(btt_bitfield_clear(&b, n - 1));
		assert_false(btt_bitfield_all(&b));
		btt_bitfield_clear_all(&b);
		assert_true(btt_bitfield_none(&b));
		assert_int_equal(naive_count(&b), 0);
		btt_bitfield_release(&b);
	}
}

static void test_bitfield_empty(void **state)
{
	struct btt_bitfield b;
	uint8_t out[1] = {0xee};
	(void)state;

	assert_int_equal(btt_bitfield_init(&b, 0), 0);
	assert_true(btt_bitfield_all(&b));
	assert_true(btt_bitfield_none(&b));
	assert_int_equal(btt_bitfield_bytes(&b), 0);
	assert_int_equal(btt_bitfield_find_next_set(&b, 0), 0);
	assert_int_equal(btt_bitfield_find_next_clear(&b, 0), 0);
	btt_bitfield_set_all(&b);
	btt_bitfield_clear_all(&b);
	assert_int_equal(btt_bitfield_import(&b, NULL, 0), 0);
	assert_int_equal(btt_bitfield_import(&b, out, 1), BTT_EMALFORMED);
	btt_bitfield_export(&b, out);
	assert_int_equal(out[0], 0xee);
	btt_bitfield_release(&b);
	btt_bitfield_release(&b);
}

static void test_bitfield_find_next(void **state)
{
	struct btt_bitfield b;
	(void)state;

	assert_int_equal(btt_bitfield_init(&b, 200), 0);
	assert_int_equal(btt_bitfield_find_next_set(&b, 0), 200);
	assert_int_equal(btt_bitfield_find_next_clear(&b, 0), 0);
	btt_bitfield_set(&b, 5);
	btt_bitfield_set(&b, 63);
	btt_bitfield_set(&b, 64);
	btt_bitfield_set(&b, 199);
	assert_int_equal(btt_bitfield_find_next_set(&b, 0), 5);
	assert_int_equal(btt_bitfield_find_next_set(&b, 5), 5);
	assert_int_equal(btt_bitfield_find_next_set(&b, 6), 63);
	assert_int_equal(btt_bitfield_find_next_set(&b, 64), 64);
	assert_int_equal(btt_bitfield_find_next_set(&b, 65), 199);
	assert_int_equal(btt_bitfield_find_next_set(&b, 199), 199);
	assert_int_equal(btt_bitfield_find_next_set(&b, 200), 200);
	assert_int_equal(btt_bitfield_find_next_set(&b, 100000), 200);
	btt_bitfield_set_all(&b);
	btt_bitfield_clear(&b, 70);
	assert_int_equal(btt_bitfield_find_next_clear(&b, 0), 70);
	assert_int_equal(btt_bitfield_find_next_clear(&b, 70), 70);
	/* spare bits of the last word are not reported as clear */
	assert_int_equal(btt_bitfield_find_next_clear(&b, 71), 200);
	assert_int_equal(btt_bitfield_find_next_clear(&b, 199), 200);
	assert_int_equal(btt_bitfield_find_next_clear(&b, 250), 200);
	btt_bitfield_release(&b);

	assert_int_equal(btt_bitfield_init(&b, 128), 0);
	btt_bitfield_set_all(&b);
	assert_int_equal(btt_bitfield_find_next_clear(&b, 0), 128);
	assert_int_equal(btt_bitfield_find_next_set(&b, 127), 127);
	btt_bitfield_release(&b);
}

static void test_bitfield_wire_order(void **state)
{
	struct btt_bitfield b;
	uint8_t out[2];
	(void)state;

	assert_int_equal(btt_bitfield_init(&b, 10), 0);
	assert_int_equal(btt_bitfield_bytes(&b), 2);
	btt_bitfield_set(&b, 0);
	btt_bitfield_set(&b, 7);
	btt_bitfield_set(&b, 9);
	btt_bitfield_export(&b, out);
	assert_int_equal(out[0], 0x81);
	assert_int_equal(out[1], 0x40);

	static const uint8_t in[2] = {0x21, 0x80};
	assert_int_equal(btt_bitfield_import(&b, in, 2), 0);
	assert_int_equal(btt_bitfield_count(&b), 3);
	assert_true(btt_bitfield_get(&b, 2));
	assert_true(btt_bitfield_get(&b, 7));
	assert_true(btt_bitfield_get(&b, 8));
	assert_false(btt_bitfield_get(&b, 0));
	assert_false(btt_bitfield_get(&b, 9));
	btt_bitfield_release(&b);
}

static void test_bitfield_import_rejects(void **state)
{
	struct btt_bitfield b;
	uint8_t good[2] = {0xff, 0xc0}; /* 10 bits, all set */
	uint8_t bad[2];
	(void)state;

	assert_int_equal(btt_bitfield_init(&b, 10), 0);
	assert_int_equal(btt_bitfield_import(&b, good, 2), 0);
	assert_true(btt_bitfield_all(&b));
	/* each of the six spare bits, lowest index first */
	for (int bit = 5; bit >= 0; bit--) {
		memcpy(bad, good, 2);
		bad[1] |= (uint8_t)(1u << bit);
		assert_int_equal(btt_bitfield_import(&b, bad, 2),
				 BTT_EMALFORMED);
	}
	/* wrong lengths: one byte short, one byte long */
	assert_int_equal(btt_bitfield_import(&b, good, 1), BTT_EMALFORMED);
	assert_int_equal(
		btt_bitfield_import(&b, (const uint8_t *)"\xff\xc0\0", 3),
		BTT_EMALFORMED);
	/* failures left the previous contents alone */
	assert_true(btt_bitfield_all(&b));
	btt_bitfield_release(&b);

	/* a whole number of bytes has no spare bits */
	assert_int_equal(btt_bitfield_init(&b, 16), 0);
	assert_int_equal(
		btt_bitfield_import(&b, (const uint8_t *)"\xff\xff", 2), 0);
	assert_true(btt_bitfield_all(&b));
	btt_bitfield_release(&b);
}

static void test_bitfield_roundtrip(void **state)
{
	uint8_t in[32], out[32];
	(void)state;

	for (size_t n = 1; n <= 256; n++) {
		struct btt_bitfield b;
		size_t nbytes = (n + 7) / 8;
		for (size_t i = 0; i < nbytes; i++)
			in[i] = (uint8_t)(i * 151 + n);
		if (n % 8)
			in[nbytes - 1] &= (uint8_t)(0xff << (8 - n % 8));
		assert_int_equal(btt_bitfield_init(&b, n), 0);
		assert_int_equal(btt_bitfield_import(&b, in, nbytes), 0);
		assert_int_equal(btt_bitfield_count(&b), naive_count(&b));
		for (size_t i = 0; i < n; i++)
			assert_int_equal(btt_bitfield_get(&b, i),
					 (in[i / 8] >> (7 - i % 8)) & 1);
		btt_bitfield_export(&b, out);
		assert_memory_equal(in, out, nbytes);
		btt_bitfield_release(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bitfield_set_clear_count),
		cmocka_unit_test(test_bitfield_empty),
		cmocka_unit_test(test_bitfield_find_next),
		cmocka_unit_test(test_bitfield_wire_order),
		cmocka_unit_test(test_bitfield_import_rejects),
		cmocka_unit_test(test_bitfield_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
