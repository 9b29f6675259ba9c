/* Wire builders: exact bytes per BEP 3/6/10/52 for every message, and a
 * build -> parse round trip of each one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bt/wire.h"
#include "btt/err.h"
#include "core/bitfield.h"
#include "core/limits.h"
#include "test_wire_util.h"

static void expect(struct btt_wbuf *w, const void *bytes, size_t n)
{
	assert_int_equal(btt_wbuf_err(w), 0);
	assert_int_equal(w->len, n);
	assert_memory_equal(w->buf, bytes, n);
	btt_wbuf_reset(w);
}

static void test_wire_build_exact_bytes(void **state)
{
	struct btt_wbuf w;
	(void)state;

	btt_wbuf_init(&w, 1 << 20);
	btt_wire_put_keepalive(&w);
	expect(&w, "\0\0\0\0", 4);
	btt_wire_put_simple(&w, BTT_WIRE_CHOKE);
	expect(&w, "\0\0\0\1\0", 5);
	btt_wire_put_simple(&w, BTT_WIRE_UNCHOKE);
	expect(&w, "\0\0\0\1\1", 5);
	btt_wire_put_simple(&w, BTT_WIRE_INTERESTED);
	expect(&w, "\0\0\0\1\2", 5);
	btt_wire_put_simple(&w, BTT_WIRE_NOT_INTERESTED);
	expect(&w, "\0\0\0\1\3", 5);
	btt_wire_put_simple(&w, BTT_WIRE_HAVE_ALL);
	expect(&w, "\0\0\0\1\x0e", 5);
	btt_wire_put_simple(&w, BTT_WIRE_HAVE_NONE);
	expect(&w, "\0\0\0\1\x0f", 5);
	btt_wire_put_index(&w, BTT_WIRE_HAVE, 0x01020304);
	expect(&w, "\0\0\0\5\4\1\2\3\4", 9);
	btt_wire_put_index(&w, BTT_WIRE_SUGGEST, 7);
	expect(&w, "\0\0\0\5\x0d\0\0\0\7", 9);
	btt_wire_put_index(&w, BTT_WIRE_ALLOWED_FAST, 7);
	expect(&w, "\0\0\0\5\x11\0\0\0\7", 9);
	btt_wire_put_request(&w, BTT_WIRE_REQUEST, 1, 0x4000, 0x4000);
	expect(&w, "\0\0\0\x0d\6\0\0\0\1\0\0\x40\0\0\0\x40\0", 17);
	btt_wire_put_request(&w, BTT_WIRE_CANCEL, 1, 2, 3);
	expect(&w, "\0\0\0\x0d\x08\0\0\0\1\0\0\0\2\0\0\0\3", 17);
	btt_wire_put_request(&w, BTT_WIRE_REJECT, 1, 2, 3);
	expect(&w, "\0\0\0\x0d\x10\0\0\0\1\0\0\0\2\0\0\0\3", 17);
	btt_wire_put_piece(&w, 5, 6, "abc", 3);
	expect(&w, "\0\0\0\x0c\7\0\0\0\5\0\0\0\6abc", 16);
	btt_wire_put_piece_header(&w, 5, 6, BTT_WIRE_BLOCK);
	expect(&w, "\0\0\x40\x09\7\0\0\0\5\0\0\0\6", 13);
	btt_wire_put_port(&w, 6881);
	expect(&w, "\0\0\0\3\x09\x1a\xe1", 7);
	btt_wire_put_extended(&w, 3, "d1:ai1ee", 8);
	expect(&w, "\0\0\0\x0a\x14\3d1:ai1ee", 14);
	btt_wire_put_extended(&w, 0, NULL, 0);
	expect(&w, "\0\0\0\2\x14\0", 6);
	btt_wbuf_release(&w);
}

static void test_wire_build_hash_messages(void **state)
{
	struct btt_wbuf w;
	uint8_t root[32], hashes[64], want[4 + 49 + 64];
	(void)state;

	memset(root, 0xab, sizeof(root));
	memset(hashes, 0xcd, sizeof(hashes));
	btt_wbuf_init(&w, 1 << 20);
	memcpy(want, "\0\0\0\x31\x15", 5);
	memcpy(want + 5, root, 32);
	memcpy(want + 37, "\0\0\0\1\0\0\0\2\0\0\0\4\0\0\0\3", 16);
	btt_wire_put_hash_request(&w, BTT_WIRE_HASH_REQUEST, root, 1, 2, 4, 3);
	expect(&w, want, 53);
	want[4] = 0x17;
	btt_wire_put_hash_request(&w, BTT_WIRE_HASH_REJECT, root, 1, 2, 4, 3);
	expect(&w, want, 53);
	want[3] = 0x71;
	want[4] = 0x16;
	memcpy(want + 53, hashes, 64);
	btt_wire_put_hashes(&w, root, 1, 2, 4, 3, hashes, 2);
	expect(&w, want, sizeof(want));
	btt_wbuf_release(&w);
}

static void test_wire_build_bitfield(void **state)
{
	struct btt_bitfield b;
	struct btt_wbuf w;
	(void)state;

	assert_int_equal(btt_bitfield_init(&b, 10), 0);
	btt_bitfield_set(&b, 0);
	btt_bitfield_set(&b, 9);
	btt_wbuf_init(&w, 64);
	btt_wire_put_bitfield(&w, &b);
	expect(&w, "\0\0\0\3\5\x80\x40", 7);
	btt_wbuf_release(&w);
	btt_bitfield_release(&b);
}

static void test_wire_build_sticky_error(void **state)
{
	struct btt_wbuf w;
	(void)state;

	btt_wbuf_init(&w, 8);
	btt_wire_put_piece(&w, 1, 2, "abcdefgh", 8);
	assert_int_equal(btt_wbuf_err(&w), BTT_ENOSPACE);
	btt_wbuf_release(&w);
	btt_wbuf_init(&w, 64);
	btt_wire_put_piece_header(&w, 1, 2, UINT32_MAX);
	assert_int_equal(btt_wbuf_err(&w), BTT_EOVERFLOW);
	assert_int_equal(w.len, 0);
	btt_wbuf_release(&w);
}

/* Parses w's bytes as exactly one message. */
static struct rec *parse_one(struct btt_wbuf *w, uint32_t npieces,
			     struct recs *rs)
{
	struct btt_wire_parser p;
	struct chunker whole = {0, 0};

	btt_wire_parser_init(&p, npieces, 0);
	assert_int_equal(feed(&p, w->buf, w->len, whole, rs), 0);
	assert_int_equal(rs->n, 1);
	btt_wire_parser_release(&p);
	btt_wbuf_reset(w);
	return &rs->r[0];
}

static void test_wire_build_round_trip_fixed(void **state)
{
	static const int simple[] = {
		BTT_WIRE_CHOKE,		 BTT_WIRE_UNCHOKE,  BTT_WIRE_INTERESTED,
		BTT_WIRE_NOT_INTERESTED, BTT_WIRE_HAVE_ALL, BTT_WIRE_HAVE_NONE};
	static const int req[] = {BTT_WIRE_REQUEST, BTT_WIRE_CANCEL,
				  BTT_WIRE_REJECT};
	static const int idx[] = {BTT_WIRE_HAVE, BTT_WIRE_SUGGEST,
				  BTT_WIRE_ALLOWED_FAST};
	struct recs *rs = calloc(1, sizeof(*rs));
	struct btt_wbuf w;
	struct rec *r;
	(void)state;

	btt_wbuf_init(&w, 1 << 20);
	for (size_t i = 0; i < 6; i++) {
		btt_wire_put_simple(&w, simple[i]);
		r = parse_one(&w, 0, rs);
		assert_int_equal(r->type, simple[i]);
		recs_free(rs);
	}
	for (size_t i = 0; i < 3; i++) {
		btt_wire_put_request(&w, req[i], 7, 16384, 16384);
		r = parse_one(&w, 8, rs);
		assert_int_equal(r->type, req[i]);
		assert_int_equal(r->index, 7);
		assert_int_equal(r->begin, 16384);
		assert_int_equal(r->length, 16384);
		recs_free(rs);
		btt_wire_put_index(&w, idx[i], 7);
		r = parse_one(&w, 8, rs);
		assert_int_equal(r->type, idx[i]);
		assert_int_equal(r->index, 7);
		recs_free(rs);
	}
	btt_wire_put_port(&w, 51413);
	assert_int_equal(parse_one(&w, 0, rs)->port, 51413);
	recs_free(rs);
	btt_wire_put_keepalive(&w);
	assert_int_equal(parse_one(&w, 0, rs)->type, BTT_WIRE_KEEPALIVE);
	recs_free(rs);
	btt_wbuf_release(&w);
	free(rs);
}

static void test_wire_build_round_trip_payloads(void **state)
{
	struct recs *rs = calloc(1, sizeof(*rs));
	struct btt_bitfield b;
	struct btt_wbuf w;
	uint8_t root[32], hashes[96], block[BTT_WIRE_BLOCK];
	struct rec *r;
	(void)state;

	memset(root, 1, sizeof(root));
	memset(hashes, 2, sizeof(hashes));
	memset(block, 3, sizeof(block));
	btt_wbuf_init(&w, 1 << 20);
	btt_wire_put_piece(&w, 7, 32768, block, sizeof(block));
	r = parse_one(&w, 8, rs);
	assert_int_equal(r->type, BTT_WIRE_PIECE);
	assert_int_equal(r->begin, 32768);
	assert_int_equal(r->length, sizeof(block));
	assert_memory_equal(r->data, block, sizeof(block));
	recs_free(rs);
	btt_wire_put_extended(&w, 9, "xyz", 3);
	r = parse_one(&w, 0, rs);
	assert_int_equal(r->ext, 9);
	assert_int_equal(r->data_len, 3);
	assert_memory_equal(r->data, "xyz", 3);
	recs_free(rs);
	btt_wire_put_hash_request(&w, BTT_WIRE_HASH_REQUEST, root, 3, 512, 512,
				  9);
	r = parse_one(&w, 0, rs);
	assert_int_equal(r->type, BTT_WIRE_HASH_REQUEST);
	assert_memory_equal(r->root, root, 32);
	assert_int_equal(r->base, 3);
	assert_int_equal(r->index, 512);
	assert_int_equal(r->length, 512);
	assert_int_equal(r->proof, 9);
	recs_free(rs);
	btt_wire_put_hashes(&w, root, 0, 2, 2, 1, hashes, 3);
	r = parse_one(&w, 0, rs);
	assert_int_equal(r->type, BTT_WIRE_HASHES);
	assert_int_equal(r->data_len, 96);
	assert_memory_equal(r->data, hashes, 96);
	recs_free(rs);
	assert_int_equal(btt_bitfield_init(&b, 1313), 0);
	btt_bitfield_set_all(&b);
	btt_wire_put_bitfield(&w, &b);
	r = parse_one(&w, 1313, rs);
	assert_int_equal(r->type, BTT_WIRE_BITFIELD);
	assert_int_equal(r->data_len, 165);
	assert_int_equal(r->data[164], 0x80);
	recs_free(rs);
	btt_bitfield_release(&b);
	btt_wbuf_release(&w);
	free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_build_exact_bytes),
		cmocka_unit_test(test_wire_build_hash_messages),
		cmocka_unit_test(test_wire_build_bitfield),
		cmocka_unit_test(test_wire_build_sticky_error),
		cmocka_unit_test(test_wire_build_round_trip_fixed),
		cmocka_unit_test(test_wire_build_round_trip_payloads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
