/* The wire parser's length rules: every id at its exact length (or range
 * ends), one less and one more; the length prefix caps at max-1, max and
 * max+1 (a hostile 4 GiB prefix allocates nothing); unknown ids skipped
 * and counted; bitfield length and spare bits; piece index range; sticky
 * errors; btt_wire_request_valid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bt/wire.h"
#include "btt/err.h"
#include "core/limits.h"
#include "test_wire_util.h"

/* A message with length prefix `len`, id `id` and a zero body. */
static uint8_t *raw(uint32_t len, uint8_t id, size_t *out_n)
{
	size_t n = 4 + (size_t)len;
	uint8_t *b = calloc(1, n);

	b[0] = (uint8_t)(len >> 24);
	b[1] = (uint8_t)(len >> 16);
	b[2] = (uint8_t)(len >> 8);
	b[3] = (uint8_t)len;
	if (len)
		b[4] = id;
	*out_n = n;
	return b;
}

/* Parses one raw message fed whole and then byte by byte; both runs must
 * agree. Returns the result (1 ok, or an error) and the fault. */
static int try_len(uint32_t npieces, uint32_t len, uint8_t id, int *fault)
{
	struct btt_wire_parser p1, p2;
	struct recs *r1 = calloc(1, sizeof(*r1)), *r2 = calloc(1, sizeof(*r2));
	struct chunker whole = {0, 0}, bytes = {1, 0};
	size_t n;
	uint8_t *b = raw(len, id, &n);
	int e1, e2;

	btt_wire_parser_init(&p1, npieces, 0);
	btt_wire_parser_init(&p2, npieces, 0);
	e1 = feed(&p1, b, n, whole, r1);
	e2 = feed(&p2, b, n, bytes, r2);
	assert_int_equal(e1, e2);
	assert_int_equal(p1.fault, p2.fault);
	*fault = p1.fault;
	if (e1 == 0) {
		assert_int_equal(r1->n, 1);
		assert_int_equal(r2->n, 1);
		assert_true(rec_equal(&r1->r[0], &r2->r[0]));
		assert_int_equal(r1->r[0].len, len);
		e1 = 1;
	}
	recs_free(r1);
	recs_free(r2);
	free(r1);
	free(r2);
	free(b);
	btt_wire_parser_release(&p1);
	btt_wire_parser_release(&p2);
	return e1;
}

struct id_len {
	uint8_t id;
	uint32_t min, max;
};

static const struct id_len id_lens[] = {
	{BTT_WIRE_CHOKE, 1, 1},
	{BTT_WIRE_UNCHOKE, 1, 1},
	{BTT_WIRE_INTERESTED, 1, 1},
	{BTT_WIRE_NOT_INTERESTED, 1, 1},
	{BTT_WIRE_HAVE, 5, 5},
	{BTT_WIRE_BITFIELD, 2, BTT_WIRE_MAX_BITFIELD},
	{BTT_WIRE_REQUEST, 13, 13},
	{BTT_WIRE_PIECE, 9, 9 + BTT_WIRE_MAX_BLOCK},
	{BTT_WIRE_CANCEL, 13, 13},
	{BTT_WIRE_PORT, 3, 3},
	{BTT_WIRE_SUGGEST, 5, 5},
	{BTT_WIRE_HAVE_ALL, 1, 1},
	{BTT_WIRE_HAVE_NONE, 1, 1},
	{BTT_WIRE_REJECT, 13, 13},
	{BTT_WIRE_ALLOWED_FAST, 5, 5},
	{BTT_WIRE_EXTENDED, 2, BTT_WIRE_MAX_EXTENDED},
	{BTT_WIRE_HASH_REQUEST, 49, 49},
	{BTT_WIRE_HASHES, 81, 49 + 32 * BTT_WIRE_MAX_HASHES},
	{BTT_WIRE_HASH_REJECT, 49, 49},
};

static void test_wire_exact_lengths(void **state)
{
	int fault;
	(void)state;

	for (size_t i = 0; i < sizeof(id_lens) / sizeof(id_lens[0]); i++) {
		const struct id_len *t = &id_lens[i];
		uint32_t step = t->id == BTT_WIRE_HASHES ? 32 : 1;

		assert_int_equal(try_len(0, t->min, t->id, &fault), 1);
		assert_int_equal(try_len(0, t->max, t->id, &fault), 1);
		/* one less than the minimum (a zero prefix is a keep-alive) */
		if (t->min > 1) {
			assert_int_equal(try_len(0, t->min - 1, t->id, &fault),
					 BTT_EMALFORMED);
			assert_int_equal(fault, BTT_WIRE_FAULT_LENGTH);
		}
		/* one more than the maximum */
		if (t->min == t->max) {
			assert_int_equal(try_len(0, t->max + 1, t->id, &fault),
					 BTT_EMALFORMED);
			assert_int_equal(fault, BTT_WIRE_FAULT_LENGTH);
		} else {
			assert_int_equal(
				try_len(0, t->max + step, t->id, &fault),
				BTT_ELIMIT);
			assert_int_equal(fault, BTT_WIRE_FAULT_OVERSIZE);
			assert_int_equal(
				try_len(0, t->max - step, t->id, &fault), 1);
		}
	}
}

static void test_wire_why_names_the_id(void **state)
{
	struct btt_wire_parser p;
	struct btt_wire_msg m;
	size_t n, used;
	uint8_t *b = raw(6, BTT_WIRE_HAVE, &n);
	(void)state;

	btt_wire_parser_init(&p, 0, 0);
	assert_int_equal(btt_wire_parse(&p, b, n, &used, &m), BTT_EMALFORMED);
	assert_string_equal(p.why, "have: length 6, expected 5");
	assert_int_equal(p.fault_id, BTT_WIRE_HAVE);
	/* sticky: later calls fail the same way and consume nothing */
	assert_int_equal(btt_wire_parse(&p, b, n, &used, &m), BTT_EMALFORMED);
	assert_int_equal(used, 0);
	btt_wire_parser_release(&p);
	free(b);
}

static void test_wire_hashes_multiple_of_32(void **state)
{
	int fault;
	(void)state;

	assert_int_equal(try_len(0, 81 + 31, BTT_WIRE_HASHES, &fault),
			 BTT_EMALFORMED);
	assert_int_equal(fault, BTT_WIRE_FAULT_LENGTH);
	assert_int_equal(try_len(0, 81 + 1, BTT_WIRE_HASHES, &fault),
			 BTT_EMALFORMED);
	assert_int_equal(try_len(0, 81 + 32, BTT_WIRE_HASHES, &fault), 1);
}

/* Feeds only the first `feed_n` bytes of a header with prefix `len`. */
static int header_only(uint32_t len, uint8_t id, size_t feed_n,
		       struct btt_wire_parser *p)
{
	uint8_t h[5] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16),
			(uint8_t)(len >> 8), (uint8_t)len, id};
	struct btt_wire_msg m;
	size_t used;

	btt_wire_parser_init(p, 0, 0);
	return btt_wire_parse(p, h, feed_n, &used, &m);
}

static void test_wire_prefix_cap(void **state)
{
	struct btt_wire_parser p;
	(void)state;

	/* max - 1 and max: accepted header, body awaited */
	assert_int_equal(
		header_only(BTT_WIRE_MAX_MSG - 1, BTT_WIRE_BITFIELD, 5, &p), 0);
	assert_int_equal(
		header_only(BTT_WIRE_MAX_MSG, BTT_WIRE_BITFIELD, 5, &p), 0);
	btt_wire_parser_release(&p);
	/* max + 1: rejected on the prefix alone, before the id */
	assert_int_equal(
		header_only(BTT_WIRE_MAX_MSG + 1, BTT_WIRE_BITFIELD, 4, &p),
		BTT_ELIMIT);
	assert_int_equal(p.fault, BTT_WIRE_FAULT_OVERSIZE);
	assert_int_equal(p.fault_id, -1);
	btt_wire_parser_release(&p);
	/* a hostile 4 GiB prefix: nothing is allocated */
	assert_int_equal(header_only(UINT32_MAX, 0, 4, &p), BTT_ELIMIT);
	assert_null(p.buf);
	assert_int_equal(p.cap, 0);
	btt_wire_parser_release(&p);
	assert_int_equal(header_only(UINT32_MAX, 0, 5, &p), BTT_ELIMIT);
	assert_null(p.buf);
	btt_wire_parser_release(&p);
	/* an id's cap is checked before its body is buffered */
	assert_int_equal(header_only(BTT_WIRE_MAX_EXTENDED + 1,
				     BTT_WIRE_EXTENDED, 5, &p),
			 BTT_ELIMIT);
	assert_null(p.buf);
	btt_wire_parser_release(&p);
}

static void test_wire_unknown_skipped(void **state)
{
	struct btt_wire_parser p;
	struct recs *rs = calloc(1, sizeof(*rs));
	struct chunker c = {7, 42};
	size_t n;
	uint8_t *b = raw(BTT_WIRE_MAX_UNKNOWN, 99, &n);
	int fault;
	(void)state;

	btt_wire_parser_init(&p, 0, 0);
	assert_int_equal(feed(&p, b, n, c, rs), 0);
	assert_int_equal(rs->n, 1);
	assert_int_equal(rs->r[0].type, BTT_WIRE_UNKNOWN);
	assert_int_equal(rs->r[0].id, 99);
	assert_int_equal(rs->r[0].len, BTT_WIRE_MAX_UNKNOWN);
	assert_int_equal(p.nunknown, 1);
	assert_int_equal(p.nmsgs, 1);
	/* skipped, never gathered */
	assert_null(p.buf);
	btt_wire_parser_release(&p);
	recs_free(rs);
	free(rs);
	free(b);
	assert_int_equal(try_len(0, BTT_WIRE_MAX_UNKNOWN - 1, 10, &fault), 1);
	assert_int_equal(try_len(0, BTT_WIRE_MAX_UNKNOWN + 1, 10, &fault),
			 BTT_ELIMIT);
	assert_int_equal(try_len(0, 1, 255, &fault), 1);
	assert_null(btt_wire_type_name(10));
	assert_string_equal(btt_wire_type_name(BTT_WIRE_UNKNOWN), "unknown");
	assert_string_equal(btt_wire_type_name(BTT_WIRE_HAVE_ALL), "have all");
	assert_null(btt_wire_type_name(-1));
	assert_null(btt_wire_type_name(24));
}

static int parse_bitfield(uint32_t npieces, const uint8_t *bits, size_t nb,
			  struct btt_wire_parser *p)
{
	size_t n;
	uint8_t *b = raw((uint32_t)(1 + nb), BTT_WIRE_BITFIELD, &n);
	struct recs *rs = calloc(1, sizeof(*rs));
	struct chunker bytes = {1, 0};
	int r;

	memcpy(b + 5, bits, nb);
	btt_wire_parser_init(p, npieces, 0);
	r = feed(p, b, n, bytes, rs);
	if (r == 0) {
		assert_int_equal(rs->n, 1);
		assert_memory_equal(rs->r[0].data, bits, nb);
	}
	recs_free(rs);
	free(rs);
	free(b);
	return r;
}

static void test_wire_bitfield_known_count(void **state)
{
	struct btt_wire_parser p;
	uint8_t bits[200];
	(void)state;

	memset(bits, 0xff, sizeof(bits));
	/* 1313 pieces: 165 bytes, 7 spare bits in the last */
	bits[164] = 0x80;
	assert_int_equal(parse_bitfield(1313, bits, 165, &p), 0);
	btt_wire_parser_release(&p);
	assert_int_equal(parse_bitfield(1313, bits, 164, &p), BTT_EMALFORMED);
	assert_int_equal(p.fault, BTT_WIRE_FAULT_LENGTH);
	btt_wire_parser_release(&p);
	assert_int_equal(parse_bitfield(1313, bits, 166, &p), BTT_EMALFORMED);
	assert_int_equal(p.fault, BTT_WIRE_FAULT_LENGTH);
	btt_wire_parser_release(&p);
	/* the lowest spare bit set */
	bits[164] = 0x81;
	assert_int_equal(parse_bitfield(1313, bits, 165, &p), BTT_EMALFORMED);
	assert_int_equal(p.fault, BTT_WIRE_FAULT_SPARE_BITS);
	btt_wire_parser_release(&p);
	/* a multiple of 8: no spare bits at all */
	bits[164] = 0xff;
	assert_int_equal(parse_bitfield(1320, bits, 165, &p), 0);
	btt_wire_parser_release(&p);
	/* unknown count (magnet): any length, spare bits not judged */
	assert_int_equal(parse_bitfield(0, bits, 7, &p), 0);
	btt_wire_parser_release(&p);
}

static void test_wire_bitfield_count_set_midway(void **state)
{
	struct btt_wire_parser p;
	struct btt_wire_msg m;
	size_t n, used;
	uint8_t *b = raw(1 + 100, BTT_WIRE_BITFIELD, &n);
	(void)state;

	btt_wire_parser_init(&p, 0, 0);
	assert_int_equal(btt_wire_parse(&p, b, 10, &used, &m), 0);
	btt_wire_parser_set_npieces(&p, 1313);
	assert_int_equal(btt_wire_parse(&p, b + 10, n - 10, &used, &m),
			 BTT_EMALFORMED);
	assert_int_equal(p.fault, BTT_WIRE_FAULT_LENGTH);
	btt_wire_parser_release(&p);
	free(b);
}

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int index_msg(uint8_t id, uint32_t len, uint32_t index, unsigned flags,
		     struct btt_wire_parser *p)
{
	size_t n;
	uint8_t *b = raw(len, id, &n);
	struct recs *rs = calloc(1, sizeof(*rs));
	struct chunker c = {3, 9};
	int r;

	put_u32(b + 5, index);
	btt_wire_parser_init(p, 100, flags);
	r = feed(p, b, n, c, rs);
	if (r == 0)
		assert_int_equal(rs->r[0].index, index);
	recs_free(rs);
	free(rs);
	free(b);
	return r;
}

static void test_wire_piece_index_range(void **state)
{
	static const struct {
		uint8_t id;
		uint32_t len;
	} t[] = {{BTT_WIRE_HAVE, 5},	     {BTT_WIRE_SUGGEST, 5},
		 {BTT_WIRE_ALLOWED_FAST, 5}, {BTT_WIRE_REQUEST, 13},
		 {BTT_WIRE_CANCEL, 13},	     {BTT_WIRE_REJECT, 13},
		 {BTT_WIRE_PIECE, 9 + 100}};
	struct btt_wire_parser p;
	(void)state;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		for (unsigned fl = 0; fl < 2; fl++) {
			assert_int_equal(
				index_msg(t[i].id, t[i].len, 99, fl, &p), 0);
			btt_wire_parser_release(&p);
			assert_int_equal(
				index_msg(t[i].id, t[i].len, 100, fl, &p),
				BTT_EMALFORMED);
			assert_int_equal(p.fault, BTT_WIRE_FAULT_INDEX);
			assert_int_equal(p.fault_id, t[i].id);
			btt_wire_parser_release(&p);
		}
	}
}

static void test_wire_keepalive_and_seq(void **state)
{
	static const uint8_t in[] = {0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0,
				     0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0};
	struct btt_wire_parser p;
	struct recs *rs = calloc(1, sizeof(*rs));
	struct chunker c = {0, 0};
	(void)state;

	btt_wire_parser_init(&p, 0, 0);
	assert_int_equal(feed(&p, in, sizeof(in), c, rs), 0);
	assert_int_equal(rs->n, 5);
	assert_int_equal(rs->r[0].type, BTT_WIRE_KEEPALIVE);
	assert_int_equal(rs->r[0].seq, 0);
	assert_int_equal(rs->r[1].type, BTT_WIRE_INTERESTED);
	assert_int_equal(rs->r[1].seq, 0);
	assert_int_equal(rs->r[2].type, BTT_WIRE_KEEPALIVE);
	assert_int_equal(rs->r[3].type, BTT_WIRE_UNCHOKE);
	assert_int_equal(rs->r[3].seq, 1);
	assert_int_equal(rs->r[4].type, BTT_WIRE_KEEPALIVE);
	assert_int_equal(rs->r[4].seq, 2);
	assert_int_equal(p.nmsgs, 2);
	assert_int_equal(p.nkeepalive, 3);
	assert_string_equal(btt_wire_type_name(BTT_WIRE_KEEPALIVE),
			    "keep-alive");
	btt_wire_parser_release(&p);
	recs_free(rs);
	free(rs);
}

static void test_wire_empty_input(void **state)
{
	struct btt_wire_parser p;
	struct btt_wire_msg m;
	size_t used = 99;
	(void)state;

	memset(&p, 0, sizeof(p)); /* zeroed is valid */
	assert_int_equal(btt_wire_parse(&p, NULL, 0, &used, &m), 0);
	assert_int_equal(used, 0);
	btt_wire_parser_release(&p);
}

static void test_wire_request_valid(void **state)
{
	(void)state;

	assert_true(btt_wire_request_valid(0, BTT_WIRE_BLOCK, 1u << 18));
	assert_true(
		btt_wire_request_valid(0, BTT_WIRE_MAX_REQUEST - 1, 1u << 18));
	assert_true(btt_wire_request_valid(0, BTT_WIRE_MAX_REQUEST, 1u << 18));
	assert_false(
		btt_wire_request_valid(0, BTT_WIRE_MAX_REQUEST + 1, 1u << 18));
	assert_false(btt_wire_request_valid(0, 0, 1u << 18));
	/* the end of the piece */
	assert_true(btt_wire_request_valid(1000 - 16, 16, 1000));
	assert_false(btt_wire_request_valid(1000 - 15, 16, 1000));
	assert_false(btt_wire_request_valid(UINT32_MAX, 16, 1000));
	/* piece out of range */
	assert_false(btt_wire_request_valid(0, 1, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_exact_lengths),
		cmocka_unit_test(test_wire_why_names_the_id),
		cmocka_unit_test(test_wire_hashes_multiple_of_32),
		cmocka_unit_test(test_wire_prefix_cap),
		cmocka_unit_test(test_wire_unknown_skipped),
		cmocka_unit_test(test_wire_bitfield_known_count),
		cmocka_unit_test(test_wire_bitfield_count_set_midway),
		cmocka_unit_test(test_wire_piece_index_range),
		cmocka_unit_test(test_wire_keepalive_and_seq),
		cmocka_unit_test(test_wire_empty_input),
		cmocka_unit_test(test_wire_request_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
