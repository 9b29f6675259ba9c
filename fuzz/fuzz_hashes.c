// modules: bt bencode crypto io core
/* Fuzzes BEP 52 hash serving (bt/hashes.h): a file tree over a piece
 * layer of fuzzer-chosen size, then requests with fuzzer-chosen base
 * layer, index, length and proof layers.
 *
 * Input: bytes 0-1 the piece count - 1 (little endian, mod 5000), byte 2
 * the piece height (mod 12); then 13-byte requests: base (1 byte), index,
 * length, proof (4 bytes each, little endian).
 *
 * Invariants (abort on violation): an answer has exactly length hashes
 * plus max(0, proof + 1 - log2(length)) uncles, never more than
 * BTT_WIRE_MAX_HASHES; an answer whose proof reaches the layer below the
 * root folds, run and uncles, to the tree's root; a refused request
 * writes nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bt/hashes.h"
#include "crypto/hash.h"

#define CHECK(x)                 \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void parent(const uint8_t *l, const uint8_t *r, uint8_t *out)
{
	uint8_t both[64];

	memcpy(both, l, 32);
	memcpy(both + 32, r, 32);
	btt_sha256(both, 64, out);
}

static unsigned log2u(uint32_t v)
{
	unsigned k = 0;

	while (v > 1) {
		v >>= 1;
		k++;
	}
	return k;
}

/* Folds the run (length hashes at index) and the uncles to one node. */
static void fold(uint8_t (*h)[32], uint32_t length, uint32_t index,
		 uint32_t nuncles, uint8_t out[32])
{
	uint32_t pos = index / length;

	for (uint32_t n = length; n > 1; n /= 2)
		for (uint32_t i = 0; i < n / 2; i++)
			parent(h[2 * i], h[2 * i + 1], h[i]);
	memcpy(out, h[0], 32);
	for (uint32_t u = 0; u < nuncles; u++, pos >>= 1) {
		if (pos & 1)
			parent(h[length + u], out, out);
		else
			parent(out, h[length + u], out);
	}
}

static void ask(struct btt_hashes_tree *t, const uint8_t *r, uint8_t (*out)[32])
{
	uint32_t base = r[0], index = get32(r + 1), length = get32(r + 5);
	uint32_t proof = get32(r + 9), n = 0xdead, nuncles;
	uint8_t root[32], got[32];
	unsigned height = btt_hashes_tree_height(t);

	if (btt_hashes_tree_get(t, base, index, length, proof, out, &n)) {
		CHECK(n == 0xdead);
		return;
	}
	nuncles = proof + 1 > log2u(length) ? proof + 1 - log2u(length) : 0;
	CHECK(n == length + nuncles);
	CHECK(n <= BTT_WIRE_MAX_HASHES);
	if (base + proof + 1 == height) {
		fold(out, length, index, nuncles, got);
		btt_hashes_tree_root(t, root);
		CHECK(memcmp(got, root, 32) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[BTT_WIRE_MAX_HASHES][32];
	struct btt_hashes_tree t;
	uint32_t npieces;
	uint8_t *layer;

	if (size < 3)
		return 0;
	npieces = 1 + (uint32_t)(data[0] | data[1] << 8) % 5000;
	layer = malloc((size_t)npieces * 32);
	if (!layer)
		abort();
	for (uint32_t i = 0; i < npieces; i++)
		btt_sha256(&i, sizeof(i), layer + (size_t)i * 32);
	CHECK(btt_hashes_tree_init(&t, layer, npieces, data[2] % 12) == 0);
	CHECK(btt_hashes_tree_build(&t) == 0);
	for (size_t off = 3; off + 13 <= size; off += 13)
		ask(&t, data + off, out);
	btt_hashes_tree_release(&t);
	free(layer);
	return 0;
}
