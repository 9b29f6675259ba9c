/* Every rejection rule of the .torrent parser, one literal input each,
 * with the error code, a piece of the message and (where it matters) the
 * byte offset reported. A rejected torrent always leaves the metainfo
 * empty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "test_metainfo_fix.h"

#define A20 "AAAAAAAAAAAAAAAAAAAA"
#define B32 "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
#define PIECES "6:pieces20:" A20
#define PL "12:piece lengthi16384e"
#define NAME "4:name1:x"
#define T(x) "d4:infod" x "ee"
#define SINGLE(len) T("6:length" len NAME PL PIECES)
#define MULTI(files) T("5:filesl" files "e" NAME PL PIECES)
#define FILE(path) "d6:lengthi5e4:pathl" path "ee"
#define V2(tree) T("9:file treed" tree "e12:meta versioni2e" NAME PL)
#define LEAF(k) k "d0:d6:lengthi5e11:pieces root32:" B32 "ee"

struct reject {
	const char *name;
	const char *in;
	size_t len;
	int code;
	const char *msg;
	int64_t off; /* -2: not checked */
};

#define R(n, s, c, m, o)                     \
	{                                    \
		n, s, sizeof(s) - 1, c, m, o \
	}

static const struct reject rejects[] = {
	R("empty", "", BTT_ETRUNCATED, "empty", 0),
	R("not bencode", "hello world", BTT_EMALFORMED, "", 0),
	R("list root", "le", BTT_ETYPE, "not a dictionary", 0),
	R("no info", "d1:ai1ee", BTT_EMISSING, "no info dict", 0),
	R("info int", "d4:infoi1ee", BTT_ETYPE, "info is not a dict", 7),
	R("no name", T("6:lengthi5e" PL PIECES), BTT_EMISSING, "no name", 7),
	R("name int", T("6:lengthi5e4:namei1e" PL PIECES), BTT_ETYPE,
	  "name is not a string", 25),
	R("name dotdot", T("6:lengthi5e4:name2:.." PL PIECES), BTT_EPATH,
	  "unsafe name: path component is \"..\"", 25),
	R("name empty", T("6:lengthi5e4:name0:" PL PIECES), BTT_EPATH, "empty",
	  25),
	R("name drive", T("6:lengthi5e4:name2:C:" PL PIECES), BTT_EPATH,
	  "drive letter", 25),
	R("name device", T("6:lengthi5e4:name7:con.txt" PL PIECES), BTT_EPATH,
	  "device", 25),
	R("name nul", T("6:lengthi5e4:name3:a\0b" PL PIECES), BTT_EPATH, "NUL",
	  25),
	R("name slash", T("6:lengthi5e4:name11:/etc/passwd" PL PIECES),
	  BTT_EPATH, "'/'", 25),
	R("name control", T("6:lengthi5e4:name2:a\033" PL PIECES), BTT_EPATH,
	  "control", 25),
	R("name utf8", T("6:lengthi5e4:name1:\xff" PL PIECES), BTT_EPATH,
	  "UTF-8", 25),
	R("no piece length", T("6:lengthi5e" NAME PIECES), BTT_EMISSING,
	  "no piece length", 7),
	R("piece length str", T("6:lengthi5e" NAME "12:piece length1:x" PIECES),
	  BTT_ETYPE, "piece length is not an integer", -2),
	R("length and files", T("5:filesle6:lengthi5e" NAME PL PIECES),
	  BTT_EMALFORMED, "both length and files", -2),
	R("no length no files", T(NAME PL PIECES), BTT_EMISSING,
	  "neither length nor files", 7),
	R("length str", SINGLE("1:5"), BTT_ETYPE, "not an integer", 16),
	R("length negative", SINGLE("i-5e"), BTT_EMALFORMED, "negative", 16),
	R("length zero", SINGLE("i0e"), BTT_EMALFORMED, "no content", 7),
	R("only pad files", MULTI("d4:attr1:p6:lengthi5e4:pathl1:aee"),
	  BTT_EMALFORMED, "no content", 7),
	R("length over 2^63", SINGLE("i9223372036854775808e"), BTT_ELIMIT,
	  "out of range", 17),
	R("no pieces", T("6:lengthi5e" NAME PL), BTT_EMISSING, "no pieces", 7),
	R("pieces int", T("6:lengthi5e" NAME PL "6:piecesi1e"), BTT_ETYPE,
	  "pieces is not a string", -2),
	R("pieces short",
	  T("6:lengthi5e" NAME PL "6:pieces19:AAAAAAAAAAAAAAAAAAA"),
	  BTT_EMALFORMED, "pieces is 19 bytes, expected 20", -2),
	R("pieces long", T("6:lengthi5e" NAME PL "6:pieces40:" A20 A20),
	  BTT_EMALFORMED, "pieces is 40 bytes, expected 20", -2),
	R("files str", T("5:files1:x" NAME PL PIECES), BTT_ETYPE,
	  "files is not a list", 15),
	R("files empty", MULTI(""), BTT_EMALFORMED, "files list is empty", 15),
	R("file int", MULTI("i1e"), BTT_ETYPE, "file entry is not a dict", 16),
	R("file no path", MULTI("d6:lengthi5ee"), BTT_EMISSING, "no path", 16),
	R("file no length", MULTI("d4:pathl1:aee"), BTT_EMISSING, "no length",
	  16),
	R("path empty", MULTI("d6:lengthi5e4:pathlee"), BTT_EPATH,
	  "path is empty", -2),
	R("path not list", MULTI("d6:lengthi5e4:path1:ae"), BTT_ETYPE,
	  "path is not a list", -2),
	R("path int", MULTI(FILE("i1e")), BTT_ETYPE, "not a string", -2),
	R("path dotdot", MULTI(FILE("2:..1:x")), BTT_EPATH, "\"..\"", 35),
	R("path climb", MULTI(FILE("1:a2:..2:..1:b")), BTT_EPATH, "\"..\"", -2),
	R("path absolute", MULTI(FILE("11:/etc/passwd")), BTT_EPATH, "'/'", -2),
	R("path leading empty", MULTI(FILE("0:3:etc6:passwd")), BTT_EPATH,
	  "empty path component", -2),
	R("path dot", MULTI(FILE("1:.")), BTT_EPATH, "\".\"", -2),
	R("path drive", MULTI(FILE("2:C:1:x")), BTT_EPATH, "drive", -2),
	R("path device", MULTI(FILE("3:AUX")), BTT_EPATH, "device", -2),
	R("path backslash", MULTI(FILE("4:a\\..")), BTT_EPATH, "'\\'", -2),
	R("path control", MULTI(FILE("3:a\001b")), BTT_EPATH, "control", -2),
	R("path nul", MULTI(FILE("3:a\0b")), BTT_EPATH, "NUL", -2),
	R("duplicate path", MULTI(FILE("1:a") FILE("1:b") FILE("1:a")),
	  BTT_EPATH, "two files have the path \"x/a\"", 64),
	R("file and dir", MULTI(FILE("1:a") FILE("1:a1:b")), BTT_EPATH,
	  "file \"x/a\" is also a directory", -2),
	R("attr int", MULTI("d4:attri1e6:lengthi5e4:pathl1:aee"), BTT_ETYPE,
	  "attr is not a string", -2),
	R("symlink no target", MULTI("d4:attr1:l6:lengthi0e4:pathl1:aee"),
	  BTT_EMISSING, "symlink has no symlink path", -2),
	R("symlink climbs",
	  MULTI("d4:attr1:l6:lengthi0e4:pathl1:ae12:symlink pathl2:..ee"),
	  BTT_EPATH, "\"..\"", -2),
	R("total over cap",
	  MULTI("d6:lengthi562949953421313e4:pathl1:aee"
		"d6:lengthi562949953421313e4:pathl1:bee"),
	  BTT_ELIMIT, "total size is over 1 PiB", -2),
	R("unsorted keys", T("4:name1:x6:lengthi5e" PL PIECES),
	  BTT_ENONCANONICAL, "out of order", -2),
	R("duplicate key", T("6:lengthi5e6:lengthi5e" NAME PL PIECES),
	  BTT_ENONCANONICAL, "duplicate", -2),
	R("leading zero int", SINGLE("i05e"), BTT_ENONCANONICAL, "leading zero",
	  -2),
	R("negative zero", SINGLE("i-0e"), BTT_ENONCANONICAL, "negative zero",
	  -2),
	R("leading zero len", T("06:lengthi5e" NAME PL PIECES),
	  BTT_ENONCANONICAL, "leading zero", -2),
	R("trailing garbage", SINGLE("i5e") "xyz", BTT_ETRAILING, "trailing",
	  -2),
	R("truncated", "d4:infod6:lengthi5e4:name1:x12:piece", BTT_ETRUNCATED,
	  "", -2),
	R("huge string", "d4:info99999999999:x", BTT_ELIMIT, "", -2),
	R("huge string fits digits", "d4:info999999999:x", BTT_ETRUNCATED, "",
	  -2),
	R("meta version 3", T("6:lengthi5e12:meta versioni3e" NAME PL PIECES),
	  BTT_EUNSUPPORTED, "meta version 3", -2),
	R("meta version str", T("6:lengthi5e12:meta version1:2" NAME PL PIECES),
	  BTT_ETYPE, "meta version is not an integer", -2),
	R("v2 no tree", T("12:meta versioni2e" NAME PL), BTT_EMISSING,
	  "no file tree", -2),
	R("v2 tree str", T("9:file tree1:x12:meta versioni2e" NAME PL),
	  BTT_ETYPE, "file tree is not a dict", -2),
	R("v2 tree empty", V2(""), BTT_EMALFORMED, "file tree is empty", -2),
	R("v2 top empty name", V2("0:d6:lengthi5ee"), BTT_EPATH,
	  "file with an empty name", -2),
	R("v2 file and dir", V2("1:fd0:d6:lengthi5ee1:gdee"), BTT_EMALFORMED,
	  "both a file and a directory", -2),
	R("v2 entry int", V2("1:fi1e"), BTT_ETYPE, "not a dictionary", -2),
	R("v2 file entry int", V2("1:fd0:i1ee"), BTT_ETYPE,
	  "file entry is not a dictionary", -2),
	R("v2 empty dir", V2("1:dde" LEAF("1:f")), BTT_EMALFORMED,
	  "empty directory", -2),
	R("v2 no root", V2("1:fd0:d6:lengthi5eee"), BTT_EMISSING,
	  "has no pieces root", -2),
	R("v2 short root", V2("1:fd0:d6:lengthi5e11:pieces root3:abcee"),
	  BTT_EMALFORMED, "32-byte", -2),
	R("v2 dotdot", V2(LEAF("2:..")), BTT_EPATH, "\"..\"", -2),
	R("v2 device", V2(LEAF("3:nul")), BTT_EPATH, "device", -2),
	R("v2 negative", V2("1:fd0:d6:lengthi-5eee"), BTT_EMALFORMED,
	  "negative", -2),
	R("v2 piece length",
	  T("9:file treed" LEAF("1:f") "e12:meta versioni2e" NAME
				       "12:piece lengthi20000e"),
	  BTT_EMALFORMED, "power of two", -2),
};

static void test_metainfo_reject_table(void **state)
{
	unsigned bad = 0;
	(void)state;
	for (size_t i = 0; i < sizeof(rejects) / sizeof(*rejects); i++) {
		const struct reject *r = &rejects[i];
		struct btt_metainfo mi;
		struct btt_metainfo_err e;
		int rc = btt_metainfo_parse(&mi, r->in, r->len, &e);
		if (rc != r->code || e.code != r->code ||
		    !strstr(e.msg, r->msg) ||
		    (r->off != -2 && e.off != r->off) || mi.raw || mi.name ||
		    mi.num_files ||
		    btt_metainfo_parse(&mi, r->in, r->len, NULL) != r->code) {
			print_error("%s: got %s at %lld '%s'\n", r->name,
				    btt_err_name(rc), (long long)e.off, e.msg);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* The same inputs with the invalid part fixed parse, so the rejections
 * above are caused by what they name. */
static void test_metainfo_reject_baselines(void **state)
{
	static const struct {
		const char *in;
		size_t len;
	} ok[] = {
		{LIT(SINGLE("i5e"))},
		{LIT(MULTI(FILE("1:a") FILE("1:b")))},
		{LIT(MULTI(FILE("1:a") FILE("1:b1:a")))},
		{LIT(MULTI("d4:attr1:l6:lengthi0e4:pathl1:ae12:symlink "
			   "pathl1:bee" FILE("1:b")))},
		{LIT(V2(LEAF("1:f")))},
		{LIT(V2("1:dd" LEAF("1:f") "e" LEAF("1:g")))},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
		struct btt_metainfo mi;
		struct btt_metainfo_err e;
		int rc = btt_metainfo_parse(&mi, ok[i].in, ok[i].len, &e);
		if (rc)
			print_error("baseline %zu: %s\n", i, e.msg);
		assert_int_equal(rc, 0);
		btt_metainfo_release(&mi);
	}
}

static void test_metainfo_reject_deep_nesting(void **state)
{
	enum { DEPTH = 10000 };
	char *in = malloc(2 * DEPTH + 32);
	struct btt_metainfo mi;
	struct btt_metainfo_err e;
	size_t n = 0;
	(void)state;

	memcpy(in, "d4:info", 7);
	n += 7;
	memset(in + n, 'l', DEPTH);
	n += DEPTH;
	memset(in + n, 'e', DEPTH);
	n += DEPTH;
	in[n++] = 'e';
	assert_int_equal(btt_metainfo_parse(&mi, in, n, &e), BTT_EDEPTH);
	assert_true(e.off > 0 && e.off < 200);
	free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metainfo_reject_table),
		cmocka_unit_test(test_metainfo_reject_baselines),
		cmocka_unit_test(test_metainfo_reject_deep_nesting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
