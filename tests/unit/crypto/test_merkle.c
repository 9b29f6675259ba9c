/* BEP 52 Merkle helpers against a naive reference tree built in the test:
 * every layer materialised, padding written out explicitly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "crypto/hash.h"
#include "crypto/merkle.h"

typedef uint8_t node[BTT_MERKLE_HASH];

/* Root of `width` nodes (already padded), by building each layer. */
static void naive_root(const node *layer, size_t width, node out)
{
	node *cur = malloc(width * sizeof(node));
	assert_non_null(cur);
	memcpy(cur, layer, width * sizeof(node));
	while (width > 1) {
		for (size_t i = 0; i < width / 2; i++) {
			uint8_t buf[64];
			memcpy(buf, cur[2 * i], 32);
			memcpy(buf + 32, cur[2 * i + 1], 32);
			btt_sha256(buf, 64, cur[i]);
		}
		width /= 2;
	}
	memcpy(out, cur[0], 32);
	free(cur);
}

static void fill_nodes(node *nodes, size_t n, unsigned salt)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t b[8] = {(uint8_t)i, (uint8_t)(i >> 8), (uint8_t)salt};
		btt_sha256(b, sizeof(b), nodes[i]);
	}
}

static void test_merkle_pad(void **state)
{
	uint8_t zero[64] = {0}, p[32], want[32], buf[64];
	(void)state;

	btt_merkle_pad(0, p);
	assert_memory_equal(p, zero, 32);
	btt_merkle_pad(1, p);
	btt_sha256(zero, 64, want);
	assert_memory_equal(p, want, 32);
	memcpy(buf, want, 32);
	memcpy(buf + 32, want, 32);
	btt_sha256(buf, 64, want);
	btt_merkle_pad(2, p);
	assert_memory_equal(p, want, 32);
	/* the top of the table is reachable and differs from its child */
	btt_merkle_pad(63, p);
	btt_merkle_pad(62, want);
	assert_memory_not_equal(p, want, 32);
}

static void test_merkle_width(void **state)
{
	(void)state;
	assert_int_equal(btt_merkle_width(0), 1);
	assert_int_equal(btt_merkle_width(1), 1);
	assert_int_equal(btt_merkle_width(2), 2);
	assert_int_equal(btt_merkle_width(3), 4);
	assert_int_equal(btt_merkle_width(1024), 1024);
	assert_int_equal(btt_merkle_width(1025), 2048);
	assert_true(btt_merkle_width(SIZE_MAX / 2 + 1) == SIZE_MAX / 2 + 1);
	assert_true(btt_merkle_width(SIZE_MAX / 2 + 2) == 0);
}

/* n real nodes of subtree height `h`, reduced at the given width. */
static void check_against_naive(size_t n, size_t width, unsigned h)
{
	node *nodes = calloc(n, sizeof(node));
	node *full = calloc(width, sizeof(node));
	node pad, got, want;

	assert_non_null(nodes);
	assert_non_null(full);
	btt_merkle_pad(h, pad);
	fill_nodes(full, n, (unsigned)(n * 31 + width + h));
	for (size_t i = n; i < width; i++)
		memcpy(full[i], pad, 32);
	naive_root(full, width, want);
	memcpy(nodes, full, n * sizeof(node));
	assert_int_equal(btt_merkle_root(nodes, n, width, h ? pad : NULL, got),
			 0);
	assert_memory_equal(got, want, 32);
	free(nodes);
	free(full);
}

static void test_merkle_root_matches_naive(void **state)
{
	static const size_t ns[] = {1, 2, 3, 4, 5, 7, 8, 9, 13, 64, 100};
	(void)state;

	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		size_t w = btt_merkle_width(ns[i]);
		for (unsigned h = 0; h <= 3; h += 3) {
			check_against_naive(ns[i], w, h);
			check_against_naive(ns[i], 2 * w, h);
			check_against_naive(ns[i], 256, h);
		}
	}
}

/* A file of five 16 KiB blocks hashed straight to the root must equal the
 * root of its piece layer (32 KiB pieces: subtrees of height 1) padded with
 * pad(1): the check a v2 client makes on a received piece layer. */
static void test_merkle_piece_layer_consistent(void **state)
{
	static uint8_t data[5 * BTT_MERKLE_BLOCK - 100];
	node leaves[8], pieces[3], r_leaves, r_pieces, pad1;
	(void)state;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + i / 4096);
	for (size_t i = 0; i < 5; i++) {
		size_t off = i * BTT_MERKLE_BLOCK;
		size_t len = sizeof(data) - off < BTT_MERKLE_BLOCK
				     ? sizeof(data) - off
				     : BTT_MERKLE_BLOCK;
		btt_sha256(data + off, len, leaves[i]);
	}
	for (size_t i = 0; i < 3; i++) {
		node pair[2];
		memcpy(pair[0], leaves[2 * i], 32);
		if (2 * i + 1 < 5)
			memcpy(pair[1], leaves[2 * i + 1], 32);
		assert_int_equal(btt_merkle_root(pair, 2 * i + 1 < 5 ? 2 : 1, 2,
						 NULL, pieces[i]),
				 0);
	}
	assert_int_equal(btt_merkle_root(leaves, 5, 8, NULL, r_leaves), 0);
	btt_merkle_pad(1, pad1);
	assert_int_equal(btt_merkle_root(pieces, 3, 4, pad1, r_pieces), 0);
	assert_memory_equal(r_leaves, r_pieces, 32);
}

static void test_merkle_root_rejects(void **state)
{
	node nodes[4], out;
	(void)state;

	fill_nodes(nodes, 4, 1);
	assert_int_equal(btt_merkle_root(nodes, 0, 1, NULL, out), BTT_EINVALID);
	assert_int_equal(btt_merkle_root(nodes, 3, 3, NULL, out), BTT_EINVALID);
	assert_int_equal(btt_merkle_root(nodes, 4, 2, NULL, out), BTT_EINVALID);
	assert_int_equal(btt_merkle_root(nodes, 1, 0, NULL, out), BTT_EINVALID);
	assert_int_equal(btt_merkle_root(nodes, 1, 1, NULL, out), 0);
	assert_memory_equal(out, nodes[0], 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merkle_pad),
		cmocka_unit_test(test_merkle_width),
		cmocka_unit_test(test_merkle_root_matches_naive),
		cmocka_unit_test(test_merkle_piece_layer_consistent),
		cmocka_unit_test(test_merkle_root_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
