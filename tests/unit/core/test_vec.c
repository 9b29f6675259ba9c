/* Growable array: push/pop/at, removal in both orders, reserve, and the
 * size overflow check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "btt/err.h"
#include "core/vec.h"

struct item {
	uint32_t id;
	char tag[6];
};

static void test_vec_push_at_pop(void **state)
{
	struct btt_vec v;
	struct item it = {0}, out;
	(void)state;

	btt_vec_init(&v, sizeof(struct item));
	assert_int_equal(btt_vec_len(&v), 0);
	assert_false(btt_vec_pop(&v, &out));
	for (uint32_t i = 0; i < 1000; i++) {
		struct item *p;
		it.id = i;
		memcpy(it.tag, "abcde", 6);
		p = btt_vec_push(&v, &it);
		assert_non_null(p);
		assert_int_equal(p->id, i);
	}
	assert_int_equal(btt_vec_len(&v), 1000);
	assert_true(v.cap >= 1000);
	for (uint32_t i = 0; i < 1000; i++)
		assert_int_equal(((struct item *)btt_vec_at(&v, i))->id, i);
	assert_true(btt_vec_pop(&v, &out));
	assert_int_equal(out.id, 999);
	assert_string_equal(out.tag, "abcde");
	assert_true(btt_vec_pop(&v, NULL));
	assert_int_equal(btt_vec_len(&v), 998);
	btt_vec_release(&v);
	assert_int_equal(btt_vec_len(&v), 0);
	assert_null(v.data);
	btt_vec_release(&v);
}

static void test_vec_push_null_zeroes(void **state)
{
	struct btt_vec v;
	struct item *p;
	(void)state;

	btt_vec_init(&v, sizeof(struct item));
	p = btt_vec_push(&v, NULL);
	assert_non_null(p);
	assert_int_equal(p->id, 0);
	assert_int_equal(p->tag[0], 0);
	btt_vec_release(&v);
}

static uint32_t id_at(struct btt_vec *v, size_t i)
{
	return *(uint32_t *)btt_vec_at(v, i);
}

static void test_vec_remove_swap_and_ordered(void **state)
{
	struct btt_vec v;
	(void)state;

	btt_vec_init(&v, sizeof(uint32_t));
	for (uint32_t i = 0; i < 6; i++)
		assert_non_null(btt_vec_push(&v, &i));
	btt_vec_remove_swap(&v, 1); /* 0 5 2 3 4 */
	assert_int_equal(btt_vec_len(&v), 5);
	assert_int_equal(id_at(&v, 1), 5);
	btt_vec_remove_swap(&v, 4); /* last: 0 5 2 3 */
	assert_int_equal(btt_vec_len(&v), 4);
	assert_int_equal(id_at(&v, 3), 3);
	btt_vec_remove(&v, 0); /* 5 2 3 */
	assert_int_equal(btt_vec_len(&v), 3);
	assert_int_equal(id_at(&v, 0), 5);
	assert_int_equal(id_at(&v, 1), 2);
	assert_int_equal(id_at(&v, 2), 3);
	btt_vec_remove(&v, 2); /* 5 2 */
	assert_int_equal(btt_vec_len(&v), 2);
	assert_int_equal(id_at(&v, 1), 2);
	btt_vec_clear(&v);
	assert_int_equal(btt_vec_len(&v), 0);
	assert_non_null(v.data);
	btt_vec_release(&v);
}

static void test_vec_reserve(void **state)
{
	struct btt_vec v;
	void *data;
	(void)state;

	btt_vec_init(&v, 8);
	assert_int_equal(btt_vec_reserve(&v, 0), 0);
	assert_int_equal(btt_vec_reserve(&v, 100), 0);
	assert_true(v.cap >= 100);
	data = v.data;
	for (int i = 0; i < 100; i++)
		assert_non_null(btt_vec_push(&v, NULL));
	/* no reallocation within the reserved room */
	assert_ptr_equal(v.data, data);
	btt_vec_release(&v);
}

static void test_vec_reserve_overflow(void **state)
{
	struct btt_vec v;
	size_t max_elems = SIZE_MAX / 4096;
	(void)state;

	btt_vec_init(&v, 4096);
	assert_non_null(btt_vec_push(&v, NULL));
	/* len + extra beyond what size_t bytes can hold */
	assert_int_equal(btt_vec_reserve(&v, max_elems), BTT_EOVERFLOW);
	assert_int_equal(btt_vec_reserve(&v, SIZE_MAX), BTT_EOVERFLOW);
	assert_int_equal(btt_vec_len(&v), 1);
	assert_non_null(btt_vec_push(&v, NULL));
	btt_vec_release(&v);

	btt_vec_init(&v, SIZE_MAX / 2 + 1);
	assert_int_equal(btt_vec_reserve(&v, 2), BTT_EOVERFLOW);
	assert_int_equal(btt_vec_len(&v), 0);
	assert_int_equal(v.cap, 0);
	btt_vec_release(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vec_push_at_pop),
		cmocka_unit_test(test_vec_push_null_zeroes),
		cmocka_unit_test(test_vec_remove_swap_and_ordered),
		cmocka_unit_test(test_vec_reserve),
		cmocka_unit_test(test_vec_reserve_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
