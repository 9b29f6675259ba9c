/* Path sanitising: every unsafe component is refused with its own reason,
 * joined paths stay within the depth and length limits, UTF-8 is strict,
 * and duplicate or clashing paths are found. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "bt/path.h"
#include "btt/err.h"
#include "core/limits.h"

static int check(const char *s)
{
	return btt_path_component_check(s, strlen(s), NULL);
}

static void expect_bad(const void *p, size_t n, const char *reason_part)
{
	const char *why = NULL;
	assert_int_equal(btt_path_component_check(p, n, &why), BTT_EPATH);
	assert_non_null(why);
	assert_non_null(strstr(why, reason_part));
}

static void test_path_accepts_ordinary_names(void **state)
{
	(void)state;
	assert_int_equal(check("a"), 0);
	assert_int_equal(check("file.txt"), 0);
	assert_int_equal(check(".hidden"), 0);
	assert_int_equal(check("..."), 0);
	assert_int_equal(check("a..b"), 0);
	assert_int_equal(check("Title: Subtitle"), 0); /* ':' not at [1] */
	assert_int_equal(check("CONSOLE"), 0);
	assert_int_equal(check("COM0"), 0);
	assert_int_equal(check("LPT10"), 0);
	assert_int_equal(check("xcon"), 0);
	assert_int_equal(check("\xc3\xa9t\xc3\xa9"), 0);	/* été */
	assert_int_equal(check("\xf0\x9f\x98\x80"), 0);		/* U+1F600 */
	assert_int_equal(check("\xe4\xb8\xad\xe6\x96\x87"), 0); /* 中文 */
}

static void test_path_rejects_dots_and_empty(void **state)
{
	(void)state;
	expect_bad("", 0, "empty");
	expect_bad(".", 1, "\".\"");
	expect_bad("..", 2, "\"..\"");
}

static void test_path_rejects_separators_and_controls(void **state)
{
	(void)state;
	expect_bad("a/b", 3, "'/'");
	expect_bad("/etc", 4, "'/'");
	expect_bad("a\\b", 3, "'\\'");
	expect_bad("a\0b", 3, "NUL");
	expect_bad("a\nb", 3, "control");
	expect_bad("\x1f", 1, "control");
	expect_bad("a\x7f", 2, "control");
}

static void test_path_rejects_drive_letters(void **state)
{
	(void)state;
	expect_bad("C:", 2, "drive");
	expect_bad("c:foo", 5, "drive");
	expect_bad("Z:\xc3\xa9", 4, "drive");
	assert_int_equal(check("1:"), 0);
	assert_int_equal(check(":x"), 0);
}

static void test_path_rejects_device_names(void **state)
{
	static const char *const bad[] = {
		"CON",	"con",	"Prn",	"AUX",	       "nul",	   "NUL.txt",
		"com1", "COM9", "lpt1", "LPT9.tar.gz", "con .txt", "AUX ",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		expect_bad(bad[i], strlen(bad[i]), "device");
}

static void test_path_rejects_bad_utf8(void **state)
{
	(void)state;
	expect_bad("\xff", 1, "UTF-8");
	expect_bad("a\xc3", 2, "UTF-8");	    /* truncated */
	expect_bad("\xc0\xaf", 2, "UTF-8");	    /* overlong '/' */
	expect_bad("\xe0\x80\xaf", 3, "UTF-8");	    /* overlong */
	expect_bad("\xed\xa0\x80", 3, "UTF-8");	    /* surrogate */
	expect_bad("\xf4\x90\x80\x80", 4, "UTF-8"); /* > U+10FFFF */
	expect_bad("\x80", 1, "UTF-8");		    /* lone continuation */
	assert_int_equal(btt_path_utf8_char("\xc3\xa9", 2), 2);
	assert_int_equal(btt_path_utf8_char("\xc3\xa9", 1), 0);
	assert_int_equal(btt_path_utf8_char("", 0), 0);
	assert_true(btt_path_utf8_valid("", 0));
}

static void test_path_component_length_limit(void **state)
{
	char name[BTT_METAINFO_MAX_NAME_LEN + 2];
	(void)state;
	memset(name, 'a', sizeof(name));
	assert_int_equal(btt_path_component_check(
				 name, BTT_METAINFO_MAX_NAME_LEN - 1, NULL),
			 0);
	assert_int_equal(
		btt_path_component_check(name, BTT_METAINFO_MAX_NAME_LEN, NULL),
		0);
	expect_bad(name, BTT_METAINFO_MAX_NAME_LEN + 1, "longer");
}

static void test_path_depth_limit(void **state)
{
	struct btt_path_buf pb = {.len = 0};
	const char *why;
	(void)state;
	for (unsigned i = 0; i < BTT_METAINFO_MAX_PATH_DEPTH - 1; i++)
		assert_int_equal(btt_path_buf_push(&pb, "d", 1, &why), 0);
	assert_int_equal(pb.depth, BTT_METAINFO_MAX_PATH_DEPTH - 1);
	assert_int_equal(btt_path_buf_push(&pb, "d", 1, &why), 0);
	assert_int_equal(pb.depth, BTT_METAINFO_MAX_PATH_DEPTH);
	assert_int_equal(btt_path_buf_push(&pb, "d", 1, &why), BTT_EPATH);
	assert_non_null(strstr(why, "components"));
	assert_int_equal(pb.depth, BTT_METAINFO_MAX_PATH_DEPTH);
	assert_int_equal(pb.len, 2 * BTT_METAINFO_MAX_PATH_DEPTH - 1);
}

/* Fills pb with 200-byte components to `total` bytes: the last
 * component takes up the rest. */
static int push_to(struct btt_path_buf *pb, size_t total)
{
	char comp[256];
	int rc = 0;

	memset(comp, 'x', sizeof(comp));
	btt_path_buf_truncate(pb, 0, 0);
	while (rc == 0 && pb->len + 1 + 200 < total)
		rc = btt_path_buf_push(pb, comp, 200, NULL);
	if (rc == 0)
		rc = btt_path_buf_push(pb, comp, total - pb->len - 1, NULL);
	return rc;
}

static void test_path_length_limit(void **state)
{
	struct btt_path_buf pb = {.len = 0};
	const char *why;
	(void)state;
	assert_int_equal(push_to(&pb, BTT_METAINFO_MAX_PATH_LEN - 1), 0);
	assert_int_equal(pb.len, BTT_METAINFO_MAX_PATH_LEN - 1);
	assert_int_equal(strlen(pb.buf), pb.len);
	assert_int_equal(push_to(&pb, BTT_METAINFO_MAX_PATH_LEN), 0);
	assert_int_equal(pb.len, BTT_METAINFO_MAX_PATH_LEN);
	assert_int_equal(push_to(&pb, BTT_METAINFO_MAX_PATH_LEN + 1),
			 BTT_EPATH);
	assert_true(pb.len < BTT_METAINFO_MAX_PATH_LEN);
	assert_int_equal(btt_path_buf_push(&pb, "x", 1, &why), 0);
	assert_int_equal(strlen(pb.buf), pb.len);
}

static void test_path_push_unsafe_leaves_buffer(void **state)
{
	struct btt_path_buf pb = {.len = 0};
	const char *why = NULL;
	(void)state;
	assert_int_equal(btt_path_buf_push(&pb, "a", 1, &why), 0);
	assert_int_equal(btt_path_buf_push(&pb, "..", 2, &why), BTT_EPATH);
	assert_string_equal(pb.buf, "a");
	assert_int_equal(btt_path_buf_push(&pb, "b", 1, &why), 0);
	assert_string_equal(pb.buf, "a/b");
	btt_path_buf_truncate(&pb, 1, 1);
	assert_string_equal(pb.buf, "a");
	assert_int_equal(pb.depth, 1);
	btt_path_buf_truncate(&pb, 5, 3); /* longer than held: ignored */
	assert_string_equal(pb.buf, "a");
}

static void test_path_dups(void **state)
{
	const char *ok[] = {"t/a", "t/a-b", "t/b/c", NULL, "t/a.b"};
	const char *dup[] = {"t/x", "t/a", "t/y", "t/a"};
	const char *dir[] = {"t/a-b", "t/a/b", "t/c", "t/a"};
	const char *nulls[] = {NULL, NULL};
	size_t a = 99, b = 99;
	(void)state;
	assert_int_equal(btt_path_dups_check(ok, 5, &a, &b), 0);
	assert_int_equal(btt_path_dups_check(dup, 4, &a, &b), BTT_EPATH);
	assert_int_equal(a, 1);
	assert_int_equal(b, 3);
	assert_int_equal(btt_path_dups_check(dir, 4, &a, &b), BTT_EPATH);
	assert_int_equal(a, 1);
	assert_int_equal(b, 3);
	assert_int_equal(btt_path_dups_check(nulls, 2, &a, &b), 0);
	assert_int_equal(btt_path_dups_check(NULL, 0, &a, &b), 0);
	/* Case differs: not a duplicate (case-sensitive rule). */
	const char *cased[] = {"t/A", "t/a"};
	assert_int_equal(btt_path_dups_check(cased, 2, &a, &b), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_accepts_ordinary_names),
		cmocka_unit_test(test_path_rejects_dots_and_empty),
		cmocka_unit_test(test_path_rejects_separators_and_controls),
		cmocka_unit_test(test_path_rejects_drive_letters),
		cmocka_unit_test(test_path_rejects_device_names),
		cmocka_unit_test(test_path_rejects_bad_utf8),
		cmocka_unit_test(test_path_component_length_limit),
		cmocka_unit_test(test_path_depth_limit),
		cmocka_unit_test(test_path_length_limit),
		cmocka_unit_test(test_path_push_unsafe_leaves_buffer),
		cmocka_unit_test(test_path_dups),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
