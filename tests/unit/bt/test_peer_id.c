/* btt's peer id: the Azureus-style prefix from BTT_VERSION, 12 URL-safe
 * random characters (deterministic under a seeded generator), and
 * recognition of btt peers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "bt/peer_id.h"
#include "btt/version.h"
#include "core/rand.h"

static bool url_safe(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static void test_peer_id_prefix(void **state)
{
	uint8_t pre[BTT_PEER_ID_PREFIX_LEN];
	char want[9] = "-BQ";
	unsigned maj = 0, min = 0, pat = 0, *part = &maj;
	(void)state;

	/* the expected digits, read from the version string by hand */
	for (const char *s = BTT_VERSION; *s; s++) {
		if (*s == '.')
			part = part == &maj ? &min : &pat;
		else
			*part = *part * 10 + (unsigned)(*s - '0');
	}
	assert_true(maj < 10 && min < 10 && pat < 10);
	want[3] = (char)('0' + maj);
	want[4] = (char)('0' + min);
	want[5] = (char)('0' + pat);
	want[6] = '0';
	want[7] = '-';
	btt_peer_id_prefix(pre);
	assert_memory_equal(pre, want, 8);
}

static void test_peer_id_random_part(void **state)
{
	uint8_t a[20], b[20], c[20];
	bool differs = false;
	(void)state;

	btt_rand_set_seed(1);
	btt_peer_id_new(a);
	btt_peer_id_new(b);
	btt_rand_set_seed(1);
	btt_peer_id_new(c);
	btt_rand_clear_seed();
	assert_memory_equal(a, c, 20);
	for (int i = 0; i < 8; i++)
		assert_int_equal(a[i], b[i]);
	for (int i = 8; i < 20; i++) {
		assert_true(url_safe(a[i]));
		assert_true(url_safe(b[i]));
		differs |= a[i] != b[i];
	}
	assert_true(differs);
	/* the kernel generator too */
	btt_peer_id_new(a);
	for (int i = 8; i < 20; i++)
		assert_true(url_safe(a[i]));
}

static void test_peer_id_is_btt(void **state)
{
	uint8_t id[20];
	(void)state;

	btt_peer_id_new(id);
	assert_true(btt_peer_id_is_btt(id));
	memcpy(id, "-BQ9Z00-", 8);
	assert_true(btt_peer_id_is_btt(id));
	memcpy(id, "-TR3000-", 8);
	assert_false(btt_peer_id_is_btt(id));
	memcpy(id, "-BQ0100x", 8);
	assert_false(btt_peer_id_is_btt(id));
	memcpy(id, "-bq0100-", 8);
	assert_false(btt_peer_id_is_btt(id));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_id_prefix),
		cmocka_unit_test(test_peer_id_random_part),
		cmocka_unit_test(test_peer_id_is_btt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
