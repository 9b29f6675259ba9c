/* base58check: a TRON address vector, the empty payload, checksum and
 * length failures, and the payload cap at max-1, max and max+1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "btt/err.h"
#include "core/codec.h"
#include "core/limits.h"
#include "crypto/b58check.h"

/* TRON mainnet address: 0x41 || 20-byte account id. */
static const char tron_hex[] = "418840e6c55b9ada326d211d818c34a994aeced808";
static const char tron_b58[] = "TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL";

static void test_b58check_tron_address(void **state)
{
	uint8_t payload[21], back[21];
	char txt[64];
	(void)state;

	assert_int_equal(btt_hex_decode(tron_hex, 42, payload, 21), 0);
	assert_int_equal(btt_base58check_encode(payload, 21, txt, sizeof(txt)),
			 34);
	assert_string_equal(txt, tron_b58);
	assert_int_equal(btt_base58check_decode(tron_b58, 34, back, 21), 21);
	assert_memory_equal(back, payload, 21);
}

static void test_b58check_empty_payload(void **state)
{
	char txt[16];
	uint8_t out[1];
	(void)state;

	assert_int_equal(btt_base58check_encode("", 0, txt, sizeof(txt)), 6);
	assert_string_equal(txt, "3QJmnh");
	assert_int_equal(btt_base58check_decode("3QJmnh", 6, out, 0), 0);
}

static void test_b58check_rejects(void **state)
{
	char bad[sizeof(tron_b58)];
	uint8_t out[32];
	(void)state;

	memcpy(bad, tron_b58, sizeof(bad));
	bad[33] = 'M';
	assert_int_equal(btt_base58check_decode(bad, 34, out, sizeof(out)),
			 BTT_ECHECKSUM);
	memcpy(bad, tron_b58, sizeof(bad));
	bad[5] = 'b';
	assert_int_equal(btt_base58check_decode(bad, 34, out, sizeof(out)),
			 BTT_ECHECKSUM);
	/* dropping a character breaks the checksum too */
	assert_int_equal(btt_base58check_decode(tron_b58, 33, out, sizeof(out)),
			 BTT_ECHECKSUM);
	bad[5] = '0';
	assert_int_equal(btt_base58check_decode(bad, 34, out, sizeof(out)),
			 BTT_EMALFORMED);
	/* shorter than the checksum itself */
	assert_int_equal(btt_base58check_decode("", 0, out, sizeof(out)),
			 BTT_EMALFORMED);
	assert_int_equal(btt_base58check_decode("111", 3, out, sizeof(out)),
			 BTT_EMALFORMED);
	assert_int_equal(btt_base58check_decode("7YXq9G", 6, out, sizeof(out)),
			 BTT_ECHECKSUM);
	/* valid, but the payload does not fit */
	assert_int_equal(btt_base58check_decode(tron_b58, 34, out, 20),
			 BTT_ENOSPACE);
}

static void test_b58check_encode_space(void **state)
{
	uint8_t payload[21];
	char txt[64];
	(void)state;

	assert_int_equal(btt_hex_decode(tron_hex, 42, payload, 21), 0);
	assert_int_equal(btt_base58check_encode(payload, 21, txt, 34),
			 BTT_ENOSPACE);
	assert_int_equal(btt_base58check_encode(payload, 21, txt, 35), 34);
}

static void test_b58check_payload_limit(void **state)
{
	enum { MAX = BTT_BASE58_MAX_BYTES - BTT_B58CHECK_SUM };
	uint8_t p[MAX + 1], back[MAX + 1];
	char txt[BTT_BASE58_MAX_TEXT + 1];
	int n;
	(void)state;

	for (size_t i = 0; i < sizeof(p); i++)
		p[i] = (uint8_t)(i * 13 + 1);
	n = btt_base58check_encode(p, MAX - 1, txt, sizeof(txt));
	assert_true(n > 0);
	assert_int_equal(btt_base58check_decode(txt, (size_t)n, back, MAX),
			 MAX - 1);
	n = btt_base58check_encode(p, MAX, txt, sizeof(txt));
	assert_true(n > 0);
	assert_int_equal(btt_base58check_decode(txt, (size_t)n, back, MAX),
			 MAX);
	assert_memory_equal(back, p, MAX);
	assert_int_equal(btt_base58check_encode(p, MAX + 1, txt, sizeof(txt)),
			 BTT_ELIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b58check_tron_address),
		cmocka_unit_test(test_b58check_empty_payload),
		cmocka_unit_test(test_b58check_rejects),
		cmocka_unit_test(test_b58check_encode_space),
		cmocka_unit_test(test_b58check_payload_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
