/* bencode decoder: every canonical rule accepted and rejected with its
 * error and offset, depth/item/size limits at max-1, max and max+1,
 * truncation at every prefix, trailing bytes, prefix decoding and spans. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bencode/bencode_int.h"
#include "btt/err.h"
#include "core/limits.h"

/* Inputs are copied into exactly-sized heap buffers so that any read past
 * the end is caught by the address sanitizer (literals have a NUL after). */
static uint8_t *dup_exact(const void *p, size_t n)
{
	uint8_t *b = malloc(n ? n : 1);
	assert_non_null(b);
	if (n)
		memcpy(b, p, n);
	return b;
}

/* Decodes and expects failure with `err` at `off`, and no nodes kept. */
static void expect_fail_lim(const void *in, size_t n,
			    const struct btt_bdec_limits *lim, int err,
			    size_t off)
{
	struct btt_bdoc doc;
	uint8_t *b = dup_exact(in, n);
	int rc = btt_bdecode(&doc, b, n, lim);

	if (rc != err || doc.err_off != off)
		print_error(
			"input '%.*s': got %s at %zu (%s), want %s at %zu\n",
			(int)n, (const char *)in, btt_err_name(rc), doc.err_off,
			doc.msg, btt_err_name(err), off);
	assert_int_equal(rc, err);
	assert_int_equal(doc.err, err);
	assert_int_equal(doc.err_off, off);
	assert_true(doc.msg[0] != '\0');
	assert_null(doc.nodes);
	assert_int_equal(doc.n, 0);
	btt_bdoc_release(&doc);
	free(b);
}

static void expect_ok_lim(const void *in, size_t n,
			  const struct btt_bdec_limits *lim)
{
	struct btt_bdoc doc;
	uint8_t *b = dup_exact(in, n);
	int rc = btt_bdecode(&doc, b, n, lim);

	if (rc != 0)
		print_error("input '%.*s': got %s at %zu (%s)\n", (int)n,
			    (const char *)in, btt_err_name(rc), doc.err_off,
			    doc.msg);
	assert_int_equal(rc, 0);
	assert_int_equal(doc.err, 0);
	assert_true(doc.n >= 1);
	assert_int_equal(doc.nodes[0].span, n);
	assert_int_equal(doc.nodes[0].next, doc.n);
	btt_bdoc_release(&doc);
	free(b);
}

#define S(lit) lit, sizeof(lit) - 1
#define EXPECT_FAIL(lit, err, off) expect_fail_lim(S(lit), NULL, err, off)
#define EXPECT_OK(lit) expect_ok_lim(S(lit), NULL)

static void test_decode_valid_documents(void **state)
{
	(void)state;
	EXPECT_OK("0:");
	EXPECT_OK("3:abc");
	EXPECT_OK("10:0123456789");
	EXPECT_OK("i0e");
	EXPECT_OK("i-1e");
	EXPECT_OK("i10e");
	EXPECT_OK("i-10e");
	EXPECT_OK("le");
	EXPECT_OK("de");
	EXPECT_OK("llelee");
	EXPECT_OK("d0:i1e1:ai1ee");
	EXPECT_OK("d1:ai1e2:aai1ee");
	EXPECT_OK("d2:aai1e2:abi1ee");
	EXPECT_OK("d1:Zi1e1:ai1ee");
	EXPECT_OK("d1:ai1e1:\xffi1ee");
	EXPECT_OK("d1:ad1:zi1ee1:bi2ee");
	EXPECT_OK("d1:a0:1:b0:e");
	EXPECT_OK("d1:ale1:bdee");
	EXPECT_OK("l1:\0e");
}

static void test_decode_rejects_bad_values(void **state)
{
	(void)state;
	EXPECT_FAIL("", BTT_ETRUNCATED, 0);
	EXPECT_FAIL("x", BTT_EMALFORMED, 0);
	EXPECT_FAIL("e", BTT_EMALFORMED, 0);
	EXPECT_FAIL("\0", BTT_EMALFORMED, 0);
	EXPECT_FAIL("-1:a", BTT_EMALFORMED, 0);
	EXPECT_FAIL(" i1e", BTT_EMALFORMED, 0);
	EXPECT_FAIL("lxe", BTT_EMALFORMED, 1);
	EXPECT_FAIL("l:e", BTT_EMALFORMED, 1);
}

static void test_decode_rejects_bad_integers(void **state)
{
	(void)state;
	EXPECT_FAIL("i", BTT_ETRUNCATED, 1);
	EXPECT_FAIL("i-", BTT_ETRUNCATED, 2);
	EXPECT_FAIL("i0", BTT_ETRUNCATED, 2);
	EXPECT_FAIL("i12", BTT_ETRUNCATED, 3);
	EXPECT_FAIL("ie", BTT_EMALFORMED, 1);
	EXPECT_FAIL("i-e", BTT_EMALFORMED, 2);
	EXPECT_FAIL("i--1e", BTT_EMALFORMED, 2);
	EXPECT_FAIL("i+1e", BTT_EMALFORMED, 1);
	EXPECT_FAIL("i 1e", BTT_EMALFORMED, 1);
	EXPECT_FAIL("i1 e", BTT_EMALFORMED, 2);
	EXPECT_FAIL("i1xe", BTT_EMALFORMED, 2);
	EXPECT_FAIL("i1.5e", BTT_EMALFORMED, 2);
	EXPECT_FAIL("i1-e", BTT_EMALFORMED, 2);
	EXPECT_FAIL("i01e", BTT_ENONCANONICAL, 1);
	EXPECT_FAIL("i00e", BTT_ENONCANONICAL, 1);
	EXPECT_FAIL("i-01e", BTT_ENONCANONICAL, 2);
	EXPECT_FAIL("i-0e", BTT_ENONCANONICAL, 1);
	EXPECT_FAIL("li1ei-0ee", BTT_ENONCANONICAL, 5);
}

static void test_decode_integer_range(void **state)
{
	struct btt_bdoc doc;
	int64_t v;
	(void)state;

	/* int64 bounds: max-1, max, max+1 on both sides */
	EXPECT_OK("i9223372036854775806e");
	EXPECT_OK("i9223372036854775807e");
	EXPECT_FAIL("i9223372036854775808e", BTT_ELIMIT, 1);
	EXPECT_OK("i-9223372036854775807e");
	EXPECT_OK("i-9223372036854775808e");
	EXPECT_FAIL("i-9223372036854775809e", BTT_ELIMIT, 2);
	EXPECT_FAIL("i9999999999999999999e", BTT_ELIMIT, 1);
	/* digit count: 19 is the cap, the 20th digit is the error */
	EXPECT_OK("i1000000000000000000e");
	EXPECT_FAIL("i10000000000000000000e", BTT_ELIMIT, 20);
	EXPECT_FAIL("i-10000000000000000000e", BTT_ELIMIT, 21);
	EXPECT_FAIL("i18446744073709551616e", BTT_ELIMIT, 20);
	EXPECT_FAIL("i100000000000000000000000000e", BTT_ELIMIT, 20);

	assert_int_equal(btt_bdecode(&doc, S("i-9223372036854775808e"), NULL),
			 0);
	assert_true(btt_bnode_int(&doc, 0, &v));
	assert_true(v == INT64_MIN);
	btt_bdoc_release(&doc);
	assert_int_equal(btt_bdecode(&doc, S("i9223372036854775807e"), NULL),
			 0);
	assert_true(btt_bnode_int(&doc, 0, &v));
	assert_true(v == INT64_MAX);
	btt_bdoc_release(&doc);
}

static void test_decode_rejects_bad_strings(void **state)
{
	(void)state;
	EXPECT_FAIL("1", BTT_ETRUNCATED, 1);
	EXPECT_FAIL("12", BTT_ETRUNCATED, 2);
	EXPECT_FAIL("1:", BTT_ETRUNCATED, 0);
	EXPECT_FAIL("5:abcd", BTT_ETRUNCATED, 0);
	EXPECT_FAIL("l5:abcd", BTT_ETRUNCATED, 1);
	EXPECT_FAIL("1a", BTT_EMALFORMED, 1);
	EXPECT_FAIL("1-:a", BTT_EMALFORMED, 1);
	EXPECT_FAIL("01:a", BTT_ENONCANONICAL, 0);
	EXPECT_FAIL("00:", BTT_ENONCANONICAL, 0);
	EXPECT_FAIL("l0:01:ae", BTT_ENONCANONICAL, 3);
	/* the length must fit the input, whatever it declares */
	EXPECT_FAIL("4294967296:x", BTT_ETRUNCATED, 0);
	EXPECT_FAIL("9999999999:", BTT_ETRUNCATED, 0);
	/* length digits: max-1 and max parse (then run out), max+1 is refused
	 */
	EXPECT_FAIL("123456789:", BTT_ETRUNCATED, 0);
	EXPECT_FAIL("1234567890:", BTT_ETRUNCATED, 0);
	EXPECT_FAIL("12345678901:", BTT_ELIMIT, 10);
	EXPECT_FAIL("l12345678901:e", BTT_ELIMIT, 11);
}

static void test_decode_rejects_bad_dicts(void **state)
{
	(void)state;
	EXPECT_FAIL("d", BTT_ETRUNCATED, 1);
	EXPECT_FAIL("d1:a", BTT_ETRUNCATED, 4);
	EXPECT_FAIL("d1:ai1e", BTT_ETRUNCATED, 7);
	EXPECT_FAIL("di1ei2ee", BTT_EMALFORMED, 1);
	EXPECT_FAIL("dlei1ee", BTT_EMALFORMED, 1);
	EXPECT_FAIL("ddee", BTT_EMALFORMED, 1);
	EXPECT_FAIL("d1:ai1ei2ei3ee", BTT_EMALFORMED, 7);
	/* a key without a value */
	EXPECT_FAIL("d1:ae", BTT_EMALFORMED, 4);
	EXPECT_FAIL("d1:ai1e1:be", BTT_EMALFORMED, 10);
	EXPECT_FAIL("ld1:aee", BTT_EMALFORMED, 5);
	/* duplicates and order */
	EXPECT_FAIL("d1:ai1e1:ai2ee", BTT_ENONCANONICAL, 7);
	EXPECT_FAIL("d0:i1e0:i2ee", BTT_ENONCANONICAL, 6);
	EXPECT_FAIL("d1:bi1e1:ai2ee", BTT_ENONCANONICAL, 7);
	EXPECT_FAIL("d2:aai1e1:ai2ee", BTT_ENONCANONICAL, 8);
	EXPECT_FAIL("d1:ai1e0:i2ee", BTT_ENONCANONICAL, 7);
	EXPECT_FAIL("d1:\xffi1e1:ai2ee", BTT_ENONCANONICAL, 7);
	EXPECT_FAIL("d1:ai1e1:ci1e1:bi1ee", BTT_ENONCANONICAL, 13);
	/* nesting: each dict checks its own keys */
	EXPECT_FAIL("d1:ad1:bi1e1:bi2eee", BTT_ENONCANONICAL, 11);
	EXPECT_FAIL("d1:ad1:bi1ee1:ai2ee", BTT_ENONCANONICAL, 12);
}

static void test_decode_error_messages(void **state)
{
	struct btt_bdoc doc;
	(void)state;

	assert_int_equal(btt_bdecode(&doc, S("d1:bi1e1:ai2ee"), NULL),
			 BTT_ENONCANONICAL);
	assert_string_equal(doc.msg, "dict keys out of order");
	assert_int_equal(btt_bdecode(&doc, S("d1:ai1e1:ai2ee"), NULL),
			 BTT_ENONCANONICAL);
	assert_string_equal(doc.msg, "duplicate dict key");
	assert_int_equal(btt_bdecode(&doc, S("i01e"), NULL), BTT_ENONCANONICAL);
	assert_string_equal(doc.msg, "integer has a leading zero");
	assert_int_equal(btt_bdecode(&doc, S("i-0e"), NULL), BTT_ENONCANONICAL);
	assert_string_equal(doc.msg, "integer is negative zero");
	assert_int_equal(btt_bdecode(&doc, S("d1:ae"), NULL), BTT_EMALFORMED);
	assert_string_equal(doc.msg, "dict key without value");
	btt_bdoc_release(&doc);
}

static void test_decode_trailing_bytes(void **state)
{
	(void)state;
	EXPECT_FAIL("i1ee", BTT_ETRAILING, 3);
	EXPECT_FAIL("i1ei2e", BTT_ETRAILING, 3);
	EXPECT_FAIL("lee", BTT_ETRAILING, 2);
	EXPECT_FAIL("0:0:", BTT_ETRAILING, 2);
	EXPECT_FAIL("de ", BTT_ETRAILING, 2);
	EXPECT_FAIL("d1:ai1ee\0", BTT_ETRAILING, 8);
	EXPECT_FAIL("3:abcx", BTT_ETRAILING, 5);
}

/* Every strict prefix of a valid document is truncated, cleanly. */
static void test_decode_truncated_prefixes(void **state)
{
	static const char *const docs[] = {
		"i-1234e",
		"12:hello world!",
		"li1e3:abcle0:dee",
		("d8:announce12:http://x/ann4:infod6:lengthi12345e4:name1:f"
		 "12:piece lengthi16384e6:pieces20:01234567890123456789ee"),
		"d1:ad1:bld1:cli-7eeeee1:zi0ee",
	};
	(void)state;

	for (size_t d = 0; d < sizeof(docs) / sizeof(docs[0]); d++) {
		size_t len = strlen(docs[d]);
		expect_ok_lim(docs[d], len, NULL);
		for (size_t k = 0; k < len; k++) {
			struct btt_bdoc doc;
			uint8_t *b = dup_exact(docs[d], k);
			int rc = btt_bdecode(&doc, b, k, NULL);

			assert_int_equal(rc, BTT_ETRUNCATED);
			assert_true(doc.err_off <= k);
			assert_null(doc.nodes);
			assert_int_equal(doc.n, 0);
			free(b);
		}
	}
}

static void test_decode_prefix_reports_used(void **state)
{
	static const char msg[] = "d8:msg_typei1e5:piecei0ee"
				  "RAWBYTES";
	struct btt_bdoc doc;
	size_t used = 99;
	uint8_t *b = dup_exact(msg, sizeof(msg) - 1);
	(void)state;

	assert_int_equal(
		btt_bdecode_prefix(&doc, b, sizeof(msg) - 1, NULL, &used), 0);
	assert_int_equal(used, sizeof(msg) - 1 - 8);
	assert_int_equal(doc.nodes[0].span, used);
	btt_bdoc_release(&doc);
	/* exactly one value: used is the whole input */
	assert_int_equal(btt_bdecode_prefix(&doc, b, used, NULL, &used), 0);
	assert_int_equal(used, sizeof(msg) - 1 - 8);
	btt_bdoc_release(&doc);
	/* a plain decode of the same bytes is trailing garbage */
	assert_int_equal(btt_bdecode(&doc, b, sizeof(msg) - 1, NULL),
			 BTT_ETRAILING);
	assert_int_equal(doc.err_off, used);
	/* errors inside the value still fail */
	assert_int_equal(btt_bdecode_prefix(&doc, b, used - 1, NULL, &used),
			 BTT_ETRUNCATED);
	assert_int_equal(btt_bdecode_prefix(&doc, S("i01ei1e"), NULL, &used),
			 BTT_ENONCANONICAL);
	assert_int_equal(btt_bdecode_prefix(&doc, S("i1ei1e"), NULL, &used), 0);
	assert_int_equal(used, 3);
	btt_bdoc_release(&doc);
	free(b);
}

/* Builds n nested lists around an integer: "l" * n "i1e" "e" * n. */
static char *nested(unsigned n, size_t *out_len)
{
	char *s = malloc(2 * (size_t)n + 3);
	assert_non_null(s);
	memset(s, 'l', n);
	memcpy(s + n, "i1e", 3);
	memset(s + n + 3, 'e', n);
	*out_len = 2 * (size_t)n + 3;
	return s;
}

static void check_depth(unsigned n, const struct btt_bdec_limits *lim,
			unsigned max)
{
	size_t len;
	char *s = nested(n, &len);

	if (n <= max)
		expect_ok_lim(s, len, lim);
	else
		expect_fail_lim(s, len, lim, BTT_EDEPTH, max);
	free(s);
}

static void test_decode_depth_custom_limit(void **state)
{
	struct btt_bdec_limits lim = {.max_depth = 3, .max_items = 100};
	(void)state;

	check_depth(2, &lim, 3);
	check_depth(3, &lim, 3);
	check_depth(4, &lim, 3);
	/* dicts count as depth too */
	expect_ok_lim(S("d1:ad1:ad1:ai1eeee"), &lim);
	expect_fail_lim(S("d1:ad1:ad1:ad1:ai1eeeee"), &lim, BTT_EDEPTH, 12);
	/* depth 0 admits only scalars */
	lim.max_depth = 0;
	expect_ok_lim(S("i1e"), &lim);
	expect_ok_lim(S("1:x"), &lim);
	expect_fail_lim(S("le"), &lim, BTT_EDEPTH, 0);
	expect_fail_lim(S("de"), &lim, BTT_EDEPTH, 0);
}

static void test_decode_depth_default_limit(void **state)
{
	struct btt_bdec_limits big = {.max_depth = 100000, .max_items = 1000};
	(void)state;

	check_depth(BTT_BENCODE_MAX_DEPTH - 1, NULL, BTT_BENCODE_MAX_DEPTH);
	check_depth(BTT_BENCODE_MAX_DEPTH, NULL, BTT_BENCODE_MAX_DEPTH);
	check_depth(BTT_BENCODE_MAX_DEPTH + 1, NULL, BTT_BENCODE_MAX_DEPTH);
	/* a larger limit is clamped to the hard cap */
	check_depth(BTT_BENCODE_MAX_DEPTH, &big, BTT_BENCODE_MAX_DEPTH);
	check_depth(BTT_BENCODE_MAX_DEPTH + 1, &big, BTT_BENCODE_MAX_DEPTH);
	check_depth(100000, &big, BTT_BENCODE_MAX_DEPTH);
	/* siblings do not add depth */
	expect_ok_lim(S("llelelelee"), &(struct btt_bdec_limits){2, 100});
}

/* A list of k empty strings: 1 + k nodes, "l" "0:" * k "e". */
static char *flat_list(uint32_t k, size_t *out_len)
{
	size_t len = 2 + 2 * (size_t)k;
	char *s = malloc(len);
	assert_non_null(s);
	s[0] = 'l';
	for (size_t j = 0; j < k; j++)
		memcpy(s + 1 + 2 * j, "0:", 2);
	s[len - 1] = 'e';
	*out_len = len;
	return s;
}

static void check_items(uint32_t nodes, const struct btt_bdec_limits *lim,
			uint32_t max)
{
	size_t len;
	char *s = flat_list(nodes - 1, &len);

	if (nodes <= max)
		expect_ok_lim(s, len, lim);
	else
		expect_fail_lim(s, len, lim, BTT_ELIMIT,
				1 + 2 * (size_t)max - 2);
	free(s);
}

static void test_decode_items_custom_limit(void **state)
{
	struct btt_bdec_limits lim = {.max_depth = 8, .max_items = 5};
	(void)state;

	check_items(4, &lim, 5);
	check_items(5, &lim, 5);
	check_items(6, &lim, 5);
	/* dict keys are nodes too: root + 2 pairs = 5 */
	expect_ok_lim(S("d1:ai1e1:bi2ee"), &lim);
	expect_fail_lim(S("d1:ai1e1:bi2e1:ci3ee"), &lim, BTT_ELIMIT, 13);
	/* the count is per document, across nesting */
	expect_ok_lim(S("lllli1eeeee"), &lim);
	expect_fail_lim(S("llllli1eeeeee"), &lim, BTT_ELIMIT, 5);
	lim.max_items = 0;
	expect_fail_lim(S("i1e"), &lim, BTT_ELIMIT, 0);
	lim.max_items = 1;
	expect_ok_lim(S("i1e"), &lim);
	expect_ok_lim(S("le"), &lim);
	expect_fail_lim(S("li1ee"), &lim, BTT_ELIMIT, 1);
}

static void test_decode_items_default_limit(void **state)
{
	struct btt_bdec_limits big = {.max_depth = 4, .max_items = UINT32_MAX};
	(void)state;

	check_items(BTT_BENCODE_MAX_ITEMS - 1, NULL, BTT_BENCODE_MAX_ITEMS);
	check_items(BTT_BENCODE_MAX_ITEMS, NULL, BTT_BENCODE_MAX_ITEMS);
	check_items(BTT_BENCODE_MAX_ITEMS + 1, NULL, BTT_BENCODE_MAX_ITEMS);
	check_items(BTT_BENCODE_MAX_ITEMS + 1, &big, BTT_BENCODE_MAX_ITEMS);
}

/* Inputs over UINT32_MAX - 1 bytes are refused before any byte is read.
 * The accepted sizes use a sparse mapping: only the length prefix of the
 * one big string is ever touched. */
static void test_decode_input_size_limit(void **state)
{
	const size_t max = (size_t)UINT32_MAX - 1;
	struct btt_bdoc doc;
	uint8_t *m;
	(void)state;

	m = mmap(NULL, max + 1, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		fail_msg("cannot map %zu bytes of address space", max + 1);
	/* 11 header bytes + payload = max - 1, then max */
	memcpy(m, "4294967282:", 11);
	assert_int_equal(btt_bdecode(&doc, m, max - 1, NULL), 0);
	assert_int_equal(doc.nodes[0].span, max - 1);
	assert_int_equal(doc.nodes[0].hdr, 11);
	btt_bdoc_release(&doc);
	memcpy(m, "4294967283:", 11);
	assert_int_equal(btt_bdecode(&doc, m, max, NULL), 0);
	assert_int_equal(doc.nodes[0].span, max);
	btt_bdoc_release(&doc);
	memcpy(m, "4294967284:", 11);
	assert_int_equal(btt_bdecode(&doc, m, max + 1, NULL), BTT_ELIMIT);
	assert_int_equal(doc.err_off, 0);
	assert_null(doc.nodes);
	munmap(m, max + 1);
}

static void test_decode_node_layout(void **state)
{
	static const char in[] = "d1:ali1e2:xyle0:e1:bi-5ee";
	static const struct btt_bnode want[] = {
		{0, 25, 9, BTT_BDICT, 0, 0}, /* d...e */
		{1, 3, 2, BTT_BSTR, 2, 0},   /* 1:a */
		{4, 13, 7, BTT_BLIST, 0, 0}, /* li1e2:xyle0:e */
		{5, 3, 4, BTT_BINT, 0, 0},   /* i1e */
		{8, 4, 5, BTT_BSTR, 2, 0},   /* 2:xy */
		{12, 2, 6, BTT_BLIST, 0, 0}, /* le */
		{14, 2, 7, BTT_BSTR, 2, 0},  /* 0: */
		{17, 3, 8, BTT_BSTR, 2, 0},  /* 1:b */
		{20, 4, 9, BTT_BINT, 0, 0},  /* i-5e */
	};
	struct btt_bdoc doc;
	(void)state;

	assert_int_equal(btt_bdecode(&doc, S(in), NULL), 0);
	assert_int_equal(doc.n, 9);
	assert_int_equal(doc.err, 0);
	assert_ptr_equal(doc.buf, in);
	assert_int_equal(doc.len, sizeof(in) - 1);
	for (uint32_t i = 0; i < doc.n; i++) {
		assert_int_equal(doc.nodes[i].off, want[i].off);
		assert_int_equal(doc.nodes[i].span, want[i].span);
		assert_int_equal(doc.nodes[i].next, want[i].next);
		assert_int_equal(doc.nodes[i].type, want[i].type);
		assert_int_equal(doc.nodes[i].hdr, want[i].hdr);
	}
	btt_bdoc_release(&doc);
	assert_null(doc.nodes);
	assert_int_equal(doc.n, 0);
	btt_bdoc_release(&doc);
}

/* The raw span of the info dict is the exact substring (info-hash). */
static void test_decode_raw_span_of_nested_info(void **state)
{
	static const char info[] =
		"d5:filesld6:lengthi3e4:pathl1:aeed6:lengthi4e4:pathl1:b1:c"
		"eee4:name3:dir12:piece lengthi16384e6:pieces20:"
		"aaaaaaaaaabbbbbbbbbbe";
	static const char head[] = "d8:announce14:http://t/annce7:comment2:hi"
				   "4:info";
	static const char tail[] = "3:url0:e";
	char in[sizeof(head) + sizeof(info) + sizeof(tail)];
	size_t n = 0;
	struct btt_bdoc doc;
	struct btt_cur raw;
	uint32_t v;
	(void)state;

	memcpy(in + n, head, sizeof(head) - 1);
	n += sizeof(head) - 1;
	memcpy(in + n, info, sizeof(info) - 1);
	n += sizeof(info) - 1;
	memcpy(in + n, tail, sizeof(tail) - 1);
	n += sizeof(tail) - 1;
	assert_int_equal(btt_bdecode(&doc, in, n, NULL), 0);
	v = btt_bnode_get(&doc, 0, "info");
	assert_int_not_equal(v, BTT_BNONE);
	raw = btt_bnode_raw(&doc, v);
	assert_int_equal(btt_cur_len(&raw), sizeof(info) - 1);
	assert_memory_equal(btt_cur_data(&raw), info, sizeof(info) - 1);
	assert_ptr_equal(btt_cur_data(&raw), in + sizeof(head) - 1);
	raw = btt_bnode_raw(&doc, 0);
	assert_int_equal(btt_cur_len(&raw), n);
	btt_bdoc_release(&doc);
}

/* A torrent-sized document with one huge string: its payload is skipped,
 * not scanned, and the span covers it. */
static void test_decode_huge_string(void **state)
{
	const size_t plen = 30u << 20;
	static const char head[] = "d6:pieces31457280:";
	size_t len = sizeof(head) - 1 + plen + 1;
	uint8_t *b = malloc(len);
	struct btt_bdoc doc;
	struct btt_cur s;
	(void)state;

	assert_non_null(b);
	memcpy(b, head, sizeof(head) - 1);
	memset(b + sizeof(head) - 1, 'e', plen);
	b[len - 1] = 'e';
	assert_int_equal(btt_bdecode(&doc, b, len, NULL), 0);
	assert_int_equal(doc.n, 3);
	assert_true(btt_bnode_get_str(&doc, 0, "pieces", &s));
	assert_int_equal(btt_cur_len(&s), plen);
	assert_ptr_equal(btt_cur_data(&s), b + sizeof(head) - 1);
	btt_bdoc_release(&doc);
	/* one byte short: the string runs past the end */
	assert_int_equal(btt_bdecode(&doc, b, len - 2, NULL), BTT_ETRUNCATED);
	assert_int_equal(doc.err_off, 9);
	free(b);
}

/* A million small values: alternating "i-17e" and "2:xy". */
static void test_decode_many_small_items(void **state)
{
	const uint32_t k = 1000000;
	size_t len = 2 + 9 * (size_t)(k / 2), pos = 1;
	char *s = malloc(len);
	struct btt_bdoc doc;
	uint32_t ints = 0, strs = 0;
	int64_t v, sum = 0;
	struct btt_cur c;
	(void)state;

	assert_non_null(s);
	s[0] = 'l';
	for (uint32_t j = 0; j < k / 2; j++, pos += 9)
		memcpy(s + pos, "i-17e2:xy", 9);
	s[len - 1] = 'e';
	assert_int_equal(btt_bdecode(&doc, s, len, NULL), 0);
	assert_int_equal(doc.n, k + 1);
	assert_int_equal(btt_bnode_count(&doc, 0), k);
	for (uint32_t i = btt_bnode_first(&doc, 0); i != BTT_BNONE;
	     i = btt_bnode_next(&doc, 0, i)) {
		if (btt_bnode_int(&doc, i, &v)) {
			ints++;
			sum += v;
		} else if (btt_bnode_str(&doc, i, &c) &&
			   btt_cur_eq_str(&c, "xy")) {
			strs++;
		}
	}
	assert_int_equal(ints, k / 2);
	assert_int_equal(strs, k / 2);
	assert_true(sum == -17 * (int64_t)(k / 2));
	btt_bdoc_release(&doc);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_valid_documents),
		cmocka_unit_test(test_decode_rejects_bad_values),
		cmocka_unit_test(test_decode_rejects_bad_integers),
		cmocka_unit_test(test_decode_integer_range),
		cmocka_unit_test(test_decode_rejects_bad_strings),
		cmocka_unit_test(test_decode_rejects_bad_dicts),
		cmocka_unit_test(test_decode_error_messages),
		cmocka_unit_test(test_decode_trailing_bytes),
		cmocka_unit_test(test_decode_truncated_prefixes),
		cmocka_unit_test(test_decode_prefix_reports_used),
		cmocka_unit_test(test_decode_depth_custom_limit),
		cmocka_unit_test(test_decode_depth_default_limit),
		cmocka_unit_test(test_decode_items_custom_limit),
		cmocka_unit_test(test_decode_items_default_limit),
		cmocka_unit_test(test_decode_input_size_limit),
		cmocka_unit_test(test_decode_node_layout),
		cmocka_unit_test(test_decode_raw_span_of_nested_info),
		cmocka_unit_test(test_decode_huge_string),
		cmocka_unit_test(test_decode_many_small_items),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
