/* Logging: the level filter skips formatting entirely, the sink sees what
 * was logged, and escaping of untrusted text truncates without splitting
 * an escape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/log.h"

struct capture {
	int calls;
	int level;
	char tag[32];
	char msg[2048];
};

static void capture_sink(int level, const char *tag, const char *msg, void *arg)
{
	struct capture *c = arg;
	c->calls++;
	c->level = level;
	snprintf(c->tag, sizeof(c->tag), "%s", tag);
	snprintf(c->msg, sizeof(c->msg), "%s", msg);
}

static int formatted;

static int count_format(void)
{
	return ++formatted;
}

static int teardown(void **state)
{
	(void)state;
	btt_log_set_sink(NULL, NULL);
	btt_log_level = BTT_LOG_WARN;
	return 0;
}

static void test_log_level_filter_skips_formatting(void **state)
{
	struct capture c = {0};
	(void)state;

	btt_log_set_sink(capture_sink, &c);
	btt_log_level = BTT_LOG_WARN;
	formatted = 0;
	BTT_LOG(BTT_LOG_DEBUG, "peer", "n=%d", count_format());
	BTT_LOG(BTT_LOG_INFO, "peer", "n=%d", count_format());
	assert_int_equal(formatted, 0);
	assert_int_equal(c.calls, 0);
	BTT_LOG(BTT_LOG_WARN, "peer", "n=%d", count_format());
	assert_int_equal(formatted, 1);
	assert_int_equal(c.calls, 1);
	assert_int_equal(c.level, BTT_LOG_WARN);
	assert_string_equal(c.tag, "peer");
	assert_string_equal(c.msg, "n=1");
	btt_log_level = BTT_LOG_TRACE;
	BTT_LOG(BTT_LOG_TRACE, "dht", "%s", "x");
	assert_int_equal(c.calls, 2);
	assert_int_equal(c.level, BTT_LOG_TRACE);
}

static void test_log_level_clamped_and_long_message(void **state)
{
	struct capture c = {0};
	char big[2000];
	(void)state;

	btt_log_set_sink(capture_sink, &c);
	btt_log_write(99, "t", "hi");
	assert_int_equal(c.level, BTT_LOG_TRACE);
	btt_log_write(-5, "t", "hi");
	assert_int_equal(c.level, BTT_LOG_ERROR);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	btt_log_write(BTT_LOG_ERROR, "t", "%s", big);
	assert_int_equal(strlen(c.msg), 1023);
}

static void test_log_level_parse(void **state)
{
	(void)state;
	assert_int_equal(btt_log_level_parse("error"), BTT_LOG_ERROR);
	assert_int_equal(btt_log_level_parse("warn"), BTT_LOG_WARN);
	assert_int_equal(btt_log_level_parse("info"), BTT_LOG_INFO);
	assert_int_equal(btt_log_level_parse("debug"), BTT_LOG_DEBUG);
	assert_int_equal(btt_log_level_parse("trace"), BTT_LOG_TRACE);
	assert_int_equal(btt_log_level_parse("verbose"), -1);
	assert_int_equal(btt_log_level_parse(""), -1);
	assert_int_equal(btt_log_level_parse("warning"), -1);
}

static void test_log_escape_bytes(void **state)
{
	char out[64];
	(void)state;

	assert_string_equal(btt_log_escape("plain text", 10, out, sizeof(out)),
			    "plain text");
	assert_string_equal(btt_log_escape("a\nb", 3, out, sizeof(out)),
			    "a\\x0ab");
	assert_string_equal(btt_log_escape("\x1b[31m", 5, out, sizeof(out)),
			    "\\x1b[31m");
	assert_string_equal(btt_log_escape("c:\\x", 4, out, sizeof(out)),
			    "c:\\x5cx");
	assert_string_equal(btt_log_escape("\xff\x00\x7f", 3, out, sizeof(out)),
			    "\\xff\\x00\\x7f");
	assert_string_equal(btt_log_escape("", 0, out, sizeof(out)), "");
}

static void test_log_escape_truncation(void **state)
{
	char out[16];
	(void)state;

	/* "hello" needs 6 bytes: max-1, max, max+1 of the output size */
	assert_string_equal(btt_log_escape("hello", 5, out, 7), "hello");
	assert_string_equal(btt_log_escape("hello", 5, out, 6), "hello");
	assert_string_equal(btt_log_escape("hello", 5, out, 5), "h...");
	assert_string_equal(btt_log_escape("hello", 5, out, 4), "...");
	assert_string_equal(btt_log_escape("hello", 5, out, 3), "");
	assert_string_equal(btt_log_escape("hello", 5, out, 1), "");
	memset(out, 'z', sizeof(out));
	btt_log_escape("hello", 5, out, 0);
	assert_int_equal(out[0], 'z');
	/* an escape is never split: "a\x01" needs 6 bytes */
	assert_string_equal(btt_log_escape("a\x01", 2, out, 6), "a\\x01");
	assert_string_equal(btt_log_escape("a\x01", 2, out, 5), "a...");
	assert_string_equal(btt_log_escape("\x01\x02", 2, out, 8), "\\x01...");
	assert_string_equal(btt_log_escape("\x01\x02", 2, out, 7), "...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(
			test_log_level_filter_skips_formatting, teardown),
		cmocka_unit_test_teardown(
			test_log_level_clamped_and_long_message, teardown),
		cmocka_unit_test(test_log_level_parse),
		cmocka_unit_test(test_log_escape_bytes),
		cmocka_unit_test(test_log_escape_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
