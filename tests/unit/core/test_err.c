/* Error codes: every code has a message and a name, codes are consecutive
 * from -20000 (append-only), and -errno values pass through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "btt/err.h"

static const struct {
	int code;
	const char *name;
} all[] = {
#define ROW(name, code, msg) {code, "BTT_E" #name},
	BTT_ERRORS(ROW)
#undef ROW
};
#define N_ALL (sizeof(all) / sizeof(all[0]))

static void test_err_every_code_has_message_and_name(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ALL; i++) {
		const char *msg = btt_strerror(all[i].code);
		assert_non_null(msg);
		assert_true(msg[0] != 0);
		assert_string_not_equal(msg, "unknown error");
		assert_string_equal(btt_err_name(all[i].code), all[i].name);
	}
}

static void test_err_codes_are_consecutive(void **state)
{
	(void)state;
	/* Appending keeps this true; renumbering or a gap breaks it. */
	for (size_t i = 0; i < N_ALL; i++)
		assert_int_equal(all[i].code, -20000 - (int)i);
	assert_true(N_ALL <= 1000);
}

static void test_err_errno_passes_through(void **state)
{
	(void)state;
	assert_string_equal(btt_strerror(-ENOENT), strerror(ENOENT));
	assert_string_equal(btt_err_name(-ENOENT), "ENOENT");
	assert_string_equal(btt_strerror(-ECONNREFUSED),
			    strerror(ECONNREFUSED));
	assert_string_equal(btt_err_name(-ECONNREFUSED), "ECONNREFUSED");
	assert_string_equal(btt_err_name(-ETIMEDOUT), "ETIMEDOUT");
	assert_string_equal(btt_err_name(-ENOMEM), "ENOMEM");
}

static void test_err_success_and_unknown(void **state)
{
	(void)state;
	assert_string_equal(btt_strerror(0), "success");
	assert_string_equal(btt_err_name(0), "OK");
	assert_string_equal(btt_strerror(-20999), "unknown error");
	assert_string_equal(btt_err_name(-20999), "EUNKNOWN");
	assert_string_equal(btt_strerror(-20000 - (int)N_ALL), "unknown error");
	assert_string_equal(btt_strerror(7), "unknown error");
	assert_string_equal(btt_err_name(7), "EUNKNOWN");
	assert_string_equal(btt_err_name(-4095), "EUNKNOWN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err_every_code_has_message_and_name),
		cmocka_unit_test(test_err_codes_are_consecutive),
		cmocka_unit_test(test_err_errno_passes_through),
		cmocka_unit_test(test_err_success_and_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
