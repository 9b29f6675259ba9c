/* SipHash against the reference vectors (key 00..0f, message 00..n-1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/siphash.h"

static const struct {
	size_t n;
	uint64_t h24, h13;
} vectors[] = {
	{0, 0x726fdb47dd0e0e31ull, 0xabac0158050fc4dcull},
	{1, 0x74f839c593dc67fdull, 0xc9f49bf37d57ca93ull},
	{7, 0xab0200f58b01d137ull, 0xd3927d989bb11140ull},
	{8, 0x93f5f5799a932462ull, 0x369095118d299a8eull},
	{15, 0xa129ca6149be45e5ull, 0xd320d86d2a519956ull},
	{63, 0x958a324ceb064572ull, 0x9d199062b7bbb3a8ull},
};

static void test_siphash_reference_vectors(void **state)
{
	uint8_t key[16], msg[64];
	(void)state;

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		assert_true(btt_siphash24(key, msg, vectors[i].n) ==
			    vectors[i].h24);
		assert_true(btt_siphash13(key, msg, vectors[i].n) ==
			    vectors[i].h13);
	}
}

static void test_siphash_key_matters(void **state)
{
	uint8_t k1[16] = {0}, k2[16] = {0};
	(void)state;

	k2[15] = 1;
	assert_true(btt_siphash13(k1, "peer", 4) !=
		    btt_siphash13(k2, "peer", 4));
	assert_true(btt_siphash24(k1, "peer", 4) !=
		    btt_siphash24(k2, "peer", 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash_reference_vectors),
		cmocka_unit_test(test_siphash_key_matters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
