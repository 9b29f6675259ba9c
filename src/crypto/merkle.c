/* BEP 52 Merkle trees: layer-by-layer reduction in place.
 *
 * Pad hashes for every height are computed once per process (pthread_once)
 * into a table; a layer whose real nodes run out is completed with the pad
 * of that layer, and the pad for the next layer up is the hash of two of
 * it. Only the real nodes of each layer are hashed: the parents of pad
 * pairs are pads themselves. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "crypto/hash.h"
#include "crypto/merkle.h"

#define MAX_HEIGHT 63

static pthread_once_t pad_once = PTHREAD_ONCE_INIT;
static uint8_t pad_table[MAX_HEIGHT + 1][BTT_MERKLE_HASH];

static void hash_pair(const uint8_t *l, const uint8_t *r,
		      uint8_t out[BTT_MERKLE_HASH])
{
	uint8_t buf[2 * BTT_MERKLE_HASH];

	memcpy(buf, l, BTT_MERKLE_HASH);
	memcpy(buf + BTT_MERKLE_HASH, r, BTT_MERKLE_HASH);
	btt_sha256(buf, sizeof(buf), out);
}

static void pad_fill(void)
{
	/* pad_table[0] is the all-zero leaf (static storage). */
	for (unsigned h = 1; h <= MAX_HEIGHT; h++)
		hash_pair(pad_table[h - 1], pad_table[h - 1], pad_table[h]);
}

void btt_merkle_pad(unsigned height, uint8_t out[BTT_MERKLE_HASH])
{
	if (height > MAX_HEIGHT)
		abort(); /* the header's contract; no input reaches this */
	pthread_once(&pad_once, pad_fill);
	memcpy(out, pad_table[height], BTT_MERKLE_HASH);
}

size_t btt_merkle_width(size_t n)
{
	size_t w = 1;

	while (w < n) {
		if (w > SIZE_MAX / 2)
			return 0;
		w *= 2;
	}
	return w;
}

int btt_merkle_root(uint8_t (*nodes)[BTT_MERKLE_HASH], size_t n, size_t width,
		    const uint8_t *pad, uint8_t out[BTT_MERKLE_HASH])
{
	uint8_t cur_pad[BTT_MERKLE_HASH], next_pad[BTT_MERKLE_HASH];

	if (n == 0 || width < n || (width & (width - 1)) != 0)
		return BTT_EINVALID;
	if (pad)
		memcpy(cur_pad, pad, BTT_MERKLE_HASH);
	else
		memset(cur_pad, 0, BTT_MERKLE_HASH);
	while (width > 1) {
		size_t parents = (n + 1) / 2;
		for (size_t i = 0; i < parents; i++) {
			const uint8_t *r =
				2 * i + 1 < n ? nodes[2 * i + 1] : cur_pad;
			hash_pair(nodes[2 * i], r, nodes[i]);
		}
		hash_pair(cur_pad, cur_pad, next_pad);
		memcpy(cur_pad, next_pad, BTT_MERKLE_HASH);
		n = parents;
		width /= 2;
	}
	memcpy(out, nodes[0], BTT_MERKLE_HASH);
	return 0;
}
