/* Robin Hood hash map: lookups, replacement, removal with backward shift,
 * the load-factor boundary, iteration with removal, and the structural
 * invariant checked over the whole table after every phase. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "btt/err.h"
#include "core/hmap.h"
#include "core/rand.h"

static void make_key(uint8_t *k, size_t len, uint32_t i)
{
	memset(k, 0x5a, len);
	k[0] = (uint8_t)i;
	k[1] = (uint8_t)(i >> 8);
	k[2] = (uint8_t)(i >> 16);
	k[len - 1] = (uint8_t)(i >> 24);
}

static size_t dist(const struct btt_hmap *m, size_t i)
{
	return (i - (size_t)m->hashes[i]) & (m->cap - 1);
}

/* Counts entries and checks the Robin Hood property: an entry away from
 * its home slot follows an occupied slot at most one step closer to its
 * own home. */
static void check_invariants(const struct btt_hmap *m)
{
	size_t n = 0;

	assert_true(m->len * 4 <= m->cap * 3);
	for (size_t i = 0; i < m->cap; i++) {
		size_t prev = (i + m->cap - 1) & (m->cap - 1);
		if (m->hashes[i] == 0)
			continue;
		n++;
		if (dist(m, i) > 0) {
			assert_true(m->hashes[prev] != 0);
			assert_true(dist(m, prev) + 1 >= dist(m, i));
		}
	}
	assert_int_equal(n, m->len);
}

static void test_hmap_put_get_remove(void **state)
{
	struct btt_hmap m;
	uint8_t k[20];
	uint64_t v;
	(void)state;

	btt_hmap_init(&m, 20);
	for (uint32_t i = 0; i < 5000; i++) {
		make_key(k, 20, i);
		assert_int_equal(btt_hmap_put(&m, k, i * 3ull), 0);
	}
	assert_int_equal(btt_hmap_len(&m), 5000);
	check_invariants(&m);
	for (uint32_t i = 0; i < 5000; i++) {
		make_key(k, 20, i);
		assert_true(btt_hmap_get(&m, k, &v));
		assert_true(v == i * 3ull);
	}
	make_key(k, 20, 5000);
	assert_false(btt_hmap_get(&m, k, &v));
	/* replace keeps the count */
	make_key(k, 20, 7);
	assert_int_equal(btt_hmap_put(&m, k, 77), 0);
	assert_int_equal(btt_hmap_len(&m), 5000);
	assert_true(btt_hmap_get(&m, k, NULL));
	assert_true(btt_hmap_get(&m, k, &v) && v == 77);
	/* remove the even keys */
	for (uint32_t i = 0; i < 5000; i += 2) {
		make_key(k, 20, i);
		assert_true(btt_hmap_remove(&m, k, &v));
		assert_true(v == (i == 7 ? 77 : i * 3ull));
		assert_false(btt_hmap_remove(&m, k, NULL));
	}
	assert_int_equal(btt_hmap_len(&m), 2500);
	check_invariants(&m);
	for (uint32_t i = 0; i < 5000; i++) {
		make_key(k, 20, i);
		assert_int_equal(btt_hmap_get(&m, k, NULL), i % 2 == 1);
	}
	btt_hmap_release(&m);
	assert_int_equal(btt_hmap_len(&m), 0);
	assert_false(btt_hmap_get(&m, k, NULL));
}

static void test_hmap_zeroed_is_empty(void **state)
{
	struct btt_hmap m = {0};
	struct btt_hmap_iter it;
	uint8_t k[4] = {1, 2, 3, 4};
	(void)state;

	assert_false(btt_hmap_get(&m, k, NULL));
	assert_false(btt_hmap_remove(&m, k, NULL));
	assert_null(btt_hmap_get_ptr(&m, k));
	btt_hmap_iter_init(&m, &it);
	assert_false(btt_hmap_iter_next(&m, &it, NULL, NULL));
	btt_hmap_clear(&m);
	btt_hmap_release(&m);
}

static void test_hmap_load_factor_boundary(void **state)
{
	struct btt_hmap m;
	uint8_t k[18];
	(void)state;

	btt_hmap_init(&m, 18);
	/* 8 slots hold 6 entries (3/4); the 7th doubles the table. */
	for (uint32_t i = 0; i < 5; i++) {
		make_key(k, 18, i);
		assert_int_equal(btt_hmap_put(&m, k, i), 0);
	}
	assert_int_equal(m.cap, 8);
	make_key(k, 18, 5);
	assert_int_equal(btt_hmap_put(&m, k, 5), 0);
	assert_int_equal(m.cap, 8);
	make_key(k, 18, 6);
	assert_int_equal(btt_hmap_put(&m, k, 6), 0);
	assert_int_equal(m.cap, 16);
	check_invariants(&m);
	for (uint32_t i = 0; i < 7; i++) {
		uint64_t v;
		make_key(k, 18, i);
		assert_true(btt_hmap_get(&m, k, &v) && v == i);
	}
	btt_hmap_release(&m);
}

static void test_hmap_reserve(void **state)
{
	struct btt_hmap m;
	uint8_t k[8];
	size_t cap;
	(void)state;

	btt_hmap_init(&m, 8);
	assert_int_equal(btt_hmap_reserve(&m, 1000), 0);
	cap = m.cap;
	assert_true(cap * 3 / 4 >= 1000);
	for (uint32_t i = 0; i < 1000; i++) {
		make_key(k, 8, i);
		assert_int_equal(btt_hmap_put(&m, k, i), 0);
	}
	assert_int_equal(m.cap, cap);
	assert_int_equal(btt_hmap_reserve(&m, SIZE_MAX), BTT_EOVERFLOW);
	assert_int_equal(btt_hmap_reserve(&m, SIZE_MAX / 2), BTT_EOVERFLOW);
	assert_int_equal(btt_hmap_len(&m), 1000);
	btt_hmap_clear(&m);
	assert_int_equal(btt_hmap_len(&m), 0);
	make_key(k, 8, 1);
	assert_false(btt_hmap_get(&m, k, NULL));
	btt_hmap_release(&m);
}

static void test_hmap_upsert_counts(void **state)
{
	static const char *words[] = {"aa", "bb", "aa", "cc", "aa", "bb"};
	struct btt_hmap m;
	bool fresh;
	uint64_t v;
	(void)state;

	btt_hmap_init(&m, 2);
	for (size_t i = 0; i < 6; i++) {
		uint64_t *slot = btt_hmap_upsert(&m, words[i], &fresh);
		assert_non_null(slot);
		assert_int_equal(fresh, *slot == 0);
		(*slot)++;
	}
	assert_int_equal(btt_hmap_len(&m), 3);
	assert_true(btt_hmap_get(&m, "aa", &v) && v == 3);
	assert_true(btt_hmap_get(&m, "bb", &v) && v == 2);
	assert_true(btt_hmap_get(&m, "cc", &v) && v == 1);
	assert_non_null(btt_hmap_upsert(&m, "dd", NULL));
	btt_hmap_release(&m);
}

static void test_hmap_pointer_values(void **state)
{
	struct btt_hmap m;
	int a, b;
	(void)state;

	btt_hmap_init(&m, 4);
	assert_int_equal(btt_hmap_put_ptr(&m, "key1", &a), 0);
	assert_int_equal(btt_hmap_put_ptr(&m, "key2", &b), 0);
	assert_ptr_equal(btt_hmap_get_ptr(&m, "key1"), &a);
	assert_ptr_equal(btt_hmap_get_ptr(&m, "key2"), &b);
	assert_null(btt_hmap_get_ptr(&m, "key3"));
	btt_hmap_release(&m);
}

/* Iterates, removing every entry whose value is odd, and checks that
 * every entry was seen exactly once. */
static void iterate_and_remove(size_t n)
{
	struct btt_hmap m;
	struct btt_hmap_iter it;
	uint8_t k[20], seen[4096] = {0};
	const void *key;
	uint64_t v;

	btt_hmap_init(&m, 20);
	for (uint32_t i = 0; i < n; i++) {
		make_key(k, 20, i);
		assert_int_equal(btt_hmap_put(&m, k, i), 0);
	}
	btt_hmap_iter_init(&m, &it);
	while (btt_hmap_iter_next(&m, &it, &key, &v)) {
		make_key(k, 20, (uint32_t)v);
		assert_memory_equal(key, k, 20);
		seen[v]++;
		if (v % 2)
			btt_hmap_iter_remove(&m, &it);
	}
	for (size_t i = 0; i < n; i++)
		assert_int_equal(seen[i], 1);
	assert_int_equal(btt_hmap_len(&m), (n + 1) / 2);
	check_invariants(&m);
	for (uint32_t i = 0; i < n; i++) {
		make_key(k, 20, i);
		assert_int_equal(btt_hmap_get(&m, k, NULL), i % 2 == 0);
	}
	btt_hmap_release(&m);
}

static void test_hmap_iterate_with_removal(void **state)
{
	(void)state;
	/* Several seeds and sizes, so probe runs wrap around the end of the
	 * table in some of them. */
	for (uint64_t seed = 1; seed <= 20; seed++) {
		btt_rand_set_seed(seed);
		iterate_and_remove(1);
		iterate_and_remove(6);
		iterate_and_remove(7);
		iterate_and_remove(48);
		iterate_and_remove(3000);
	}
	btt_rand_clear_seed();
}

static void test_hmap_seeds_differ(void **state)
{
	struct btt_hmap a, b;
	(void)state;

	btt_hmap_init(&a, 20);
	btt_hmap_init(&b, 20);
	assert_memory_not_equal(a.seed, b.seed, sizeof(a.seed));
	btt_hmap_release(&a);
	btt_hmap_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmap_put_get_remove),
		cmocka_unit_test(test_hmap_zeroed_is_empty),
		cmocka_unit_test(test_hmap_load_factor_boundary),
		cmocka_unit_test(test_hmap_reserve),
		cmocka_unit_test(test_hmap_upsert_counts),
		cmocka_unit_test(test_hmap_pointer_values),
		cmocka_unit_test(test_hmap_iterate_with_removal),
		cmocka_unit_test(test_hmap_seeds_differ),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
