/* Write buffer: the maximum at max-1, max and max+1 for growing and fixed
 * buffers, the sticky error, printf at the boundary, terminate, detach. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "core/wbuf.h"

static void test_wbuf_growing_limit(void **state)
{
	static uint8_t big[1000];
	struct btt_wbuf w;
	(void)state;

	memset(big, 'x', sizeof(big));
	/* max-1 then max in two appends, then max+1 */
	btt_wbuf_init(&w, 1000);
	btt_wbuf_put(&w, big, 999);
	assert_int_equal(btt_wbuf_err(&w), 0);
	btt_wbuf_put_u8(&w, 'y');
	assert_int_equal(btt_wbuf_err(&w), 0);
	assert_int_equal(w.len, 1000);
	assert_true(w.cap <= 1000);
	btt_wbuf_put_u8(&w, 'z');
	assert_int_equal(btt_wbuf_err(&w), BTT_ENOSPACE);
	assert_int_equal(w.len, 1000);
	assert_int_equal(w.buf[999], 'y');
	btt_wbuf_release(&w);

	/* exactly max in one append, and max+1 in one append */
	btt_wbuf_init(&w, 999);
	btt_wbuf_put(&w, big, 999);
	assert_int_equal(btt_wbuf_err(&w), 0);
	btt_wbuf_release(&w);
	btt_wbuf_init(&w, 999);
	btt_wbuf_put(&w, big, 1000);
	assert_int_equal(btt_wbuf_err(&w), BTT_ENOSPACE);
	assert_int_equal(w.len, 0);
	btt_wbuf_release(&w);
}

static void test_wbuf_fixed_limit(void **state)
{
	uint8_t store[8];
	struct btt_wbuf w;
	(void)state;

	btt_wbuf_init_fixed(&w, store, sizeof(store));
	btt_wbuf_put_u32be(&w, 0x01020304);
	btt_wbuf_put_u16be(&w, 0x0506);
	btt_wbuf_put_u8(&w, 7); /* max-1 */
	assert_int_equal(btt_wbuf_err(&w), 0);
	btt_wbuf_put_u8(&w, 8); /* max */
	assert_int_equal(btt_wbuf_err(&w), 0);
	assert_memory_equal(store, "\1\2\3\4\5\6\7\10", 8);
	btt_wbuf_put_u8(&w, 9); /* max+1 */
	assert_int_equal(btt_wbuf_err(&w), BTT_ENOSPACE);
	assert_int_equal(w.len, 8);
	assert_null(btt_wbuf_reserve(&w, 1));
	btt_wbuf_release(&w); /* does not free caller storage */
	assert_null(w.buf);

	btt_wbuf_init_fixed(&w, store, sizeof(store));
	btt_wbuf_put_u64be(&w, 0x1112131415161718ull);
	assert_int_equal(btt_wbuf_err(&w), 0);
	assert_memory_equal(store, "\x11\x12\x13\x14\x15\x16\x17\x18", 8);
	btt_wbuf_put_u8(&w, 0);
	assert_int_equal(btt_wbuf_err(&w), BTT_ENOSPACE);
}

static void test_wbuf_sticky_error_and_reset(void **state)
{
	struct btt_wbuf w;
	(void)state;

	btt_wbuf_init(&w, 4);
	btt_wbuf_put(&w, "abcde", 5);
	assert_int_equal(btt_wbuf_err(&w), BTT_ENOSPACE);
	/* later appends that would fit are refused too */
	btt_wbuf_put_u8(&w, 'a');
	btt_wbuf_printf(&w, "%d", 1);
	btt_wbuf_terminate(&w);
	assert_null(btt_wbuf_reserve(&w, 0));
	btt_wbuf_commit(&w, 1);
	assert_int_equal(w.len, 0);
	assert_int_equal(btt_wbuf_err(&w), BTT_ENOSPACE);
	btt_wbuf_reset(&w);
	assert_int_equal(btt_wbuf_err(&w), 0);
	btt_wbuf_put_str(&w, "abcd");
	assert_int_equal(btt_wbuf_err(&w), 0);
	assert_memory_equal(w.buf, "abcd", 4);
	btt_wbuf_release(&w);
}

static void test_wbuf_zeroed_and_empty(void **state)
{
	struct btt_wbuf w = {0};
	(void)state;

	btt_wbuf_put(&w, NULL, 0);
	assert_int_equal(btt_wbuf_err(&w), 0);
	assert_non_null(btt_wbuf_reserve(&w, 0));
	assert_int_equal(btt_wbuf_err(&w), 0);
	btt_wbuf_put_u8(&w, 1);
	assert_int_equal(btt_wbuf_err(&w), BTT_ENOSPACE);
	btt_wbuf_release(&w);
	btt_wbuf_release(&w);
}

static void test_wbuf_reserve_commit(void **state)
{
	struct btt_wbuf w;
	uint8_t *d;
	(void)state;

	btt_wbuf_init(&w, 16);
	d = btt_wbuf_reserve(&w, 10);
	assert_non_null(d);
	memcpy(d, "wxyz", 4);
	btt_wbuf_commit(&w, 4);
	assert_int_equal(w.len, 4);
	assert_null(btt_wbuf_reserve(&w, 13));
	assert_int_equal(btt_wbuf_err(&w), BTT_ENOSPACE);
	btt_wbuf_release(&w);
}

static void test_wbuf_printf(void **state)
{
	struct btt_wbuf w;
	char fixed[5];
	(void)state;

	btt_wbuf_init(&w, 1 << 16);
	btt_wbuf_printf(&w, "%s=%d;", "a", 42);
	for (int i = 0; i < 100; i++)
		btt_wbuf_printf(&w, "%03d", i);
	btt_wbuf_printf(&w, "%s", "");
	assert_int_equal(btt_wbuf_err(&w), 0);
	assert_int_equal(w.len, 5 + 300);
	assert_memory_equal(w.buf, "a=42;000001", 11);
	btt_wbuf_release(&w);

	/* text of max-1, max and max+1 bytes into a growing buffer */
	btt_wbuf_init(&w, 5);
	btt_wbuf_printf(&w, "%s", "abcd");
	assert_int_equal(btt_wbuf_err(&w), 0);
	btt_wbuf_reset(&w);
	btt_wbuf_printf(&w, "%s", "abcde");
	assert_int_equal(btt_wbuf_err(&w), 0);
	assert_int_equal(w.len, 5);
	assert_memory_equal(w.buf, "abcde", 5);
	btt_wbuf_reset(&w);
	btt_wbuf_printf(&w, "%s", "abcdef");
	assert_int_equal(btt_wbuf_err(&w), BTT_ENOSPACE);
	assert_int_equal(w.len, 0);
	btt_wbuf_release(&w);

	/* the same into caller storage, after a put */
	btt_wbuf_init_fixed(&w, fixed, sizeof(fixed));
	btt_wbuf_put_u8(&w, '>');
	btt_wbuf_printf(&w, "%d", 1234);
	assert_int_equal(btt_wbuf_err(&w), 0);
	assert_memory_equal(fixed, ">1234", 5);
	btt_wbuf_printf(&w, "%s", "");
	assert_int_equal(btt_wbuf_err(&w), 0);
	btt_wbuf_printf(&w, "%d", 5);
	assert_int_equal(btt_wbuf_err(&w), BTT_ENOSPACE);
}

static void test_wbuf_terminate(void **state)
{
	struct btt_wbuf w;
	char fixed[4];
	(void)state;

	btt_wbuf_init(&w, 4);
	btt_wbuf_put_str(&w, "abc");
	btt_wbuf_terminate(&w);
	assert_int_equal(btt_wbuf_err(&w), 0);
	assert_int_equal(w.len, 3);
	assert_string_equal((char *)w.buf, "abc");
	/* the NUL is not counted, so the next append overwrites it */
	btt_wbuf_put_u8(&w, 'd');
	assert_int_equal(w.len, 4);
	btt_wbuf_terminate(&w);
	assert_int_equal(btt_wbuf_err(&w), BTT_ENOSPACE);
	btt_wbuf_release(&w);

	btt_wbuf_init_fixed(&w, fixed, sizeof(fixed));
	btt_wbuf_put_str(&w, "xyz");
	btt_wbuf_terminate(&w);
	assert_int_equal(btt_wbuf_err(&w), 0);
	assert_string_equal(fixed, "xyz");
}

static void test_wbuf_detach(void **state)
{
	struct btt_wbuf w;
	uint8_t store[4], *p;
	size_t len = 99;
	(void)state;

	btt_wbuf_init(&w, 100);
	btt_wbuf_put_str(&w, "hello");
	p = btt_wbuf_detach(&w, &len);
	assert_non_null(p);
	assert_int_equal(len, 5);
	assert_memory_equal(p, "hello", 5);
	free(p);
	/* the wbuf is empty and usable, with the same maximum */
	assert_int_equal(w.len, 0);
	assert_null(w.buf);
	btt_wbuf_put_str(&w, "again");
	assert_int_equal(btt_wbuf_err(&w), 0);
	btt_wbuf_release(&w);

	/* an empty buffer still detaches (NULL means failure) */
	btt_wbuf_init(&w, 100);
	p = btt_wbuf_detach(&w, &len);
	assert_non_null(p);
	assert_int_equal(len, 0);
	free(p);

	/* after an error, and for caller storage: NULL */
	btt_wbuf_init(&w, 2);
	btt_wbuf_put_str(&w, "abc");
	assert_null(btt_wbuf_detach(&w, &len));
	btt_wbuf_release(&w);
	btt_wbuf_init_fixed(&w, store, sizeof(store));
	btt_wbuf_put_u8(&w, 1);
	assert_null(btt_wbuf_detach(&w, &len));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wbuf_growing_limit),
		cmocka_unit_test(test_wbuf_fixed_limit),
		cmocka_unit_test(test_wbuf_sticky_error_and_reset),
		cmocka_unit_test(test_wbuf_zeroed_and_empty),
		cmocka_unit_test(test_wbuf_reserve_commit),
		cmocka_unit_test(test_wbuf_printf),
		cmocka_unit_test(test_wbuf_terminate),
		cmocka_unit_test(test_wbuf_detach),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
