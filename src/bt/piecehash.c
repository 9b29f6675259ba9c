/* Streaming piece hasher (see piecehash.h).
 *
 * Invariants while active: blk holds a live SHA-256 context exactly when
 * blk_fill > 0; sha1 holds a live context exactly when the torrent has a
 * v1 part. end and cancel release both. */
#include <string.h>

#include "bt/piecehash.h"

size_t btt_piece_hash_leaves(const struct btt_metainfo *mi)
{
	size_t n;

	if (!mi->has_v2)
		return 0;
	n = (size_t)(mi->piece_length / BTT_MERKLE_BLOCK);
	return n ? n : 1;
}

void btt_piece_hash_begin(struct btt_piece_hash *h,
			  const struct btt_metainfo *mi, uint32_t p,
			  uint8_t (*leaves)[BTT_MERKLE_HASH], size_t max_leaves)
{
	memset(h, 0, sizeof(*h));
	h->mi = mi;
	h->piece = p;
	h->active = true;
	h->leaves = leaves;
	h->max_leaves = leaves ? max_leaves : 0;
	if (mi->has_v1)
		btt_sha1_init(&h->sha1);
}

static void leaf_feed(struct btt_piece_hash *h, const uint8_t *p, size_t n)
{
	while (n) {
		size_t take;
		if (h->nleaves >= h->max_leaves) {
			h->overflow = true;
			return;
		}
		if (!h->blk_fill && n >= BTT_MERKLE_BLOCK) {
			btt_sha256(p, BTT_MERKLE_BLOCK,
				   h->leaves[h->nleaves++]);
			p += BTT_MERKLE_BLOCK;
			n -= BTT_MERKLE_BLOCK;
			continue;
		}
		if (!h->blk_fill)
			btt_sha256_init(&h->blk);
		take = BTT_MERKLE_BLOCK - h->blk_fill;
		take = take < n ? take : n;
		btt_sha256_update(&h->blk, p, take);
		h->blk_fill += take;
		p += take;
		n -= take;
		if (h->blk_fill == BTT_MERKLE_BLOCK) {
			btt_sha256_final(&h->blk, h->leaves[h->nleaves++]);
			h->blk_fill = 0;
		}
	}
}

void btt_piece_hash_update(struct btt_piece_hash *h, const void *data, size_t n,
			   bool pad)
{
	if (!n)
		return;
	if (h->mi->has_v1)
		btt_sha1_update(&h->sha1, data, n);
	if (h->mi->has_v2 && !pad && !h->overflow)
		leaf_feed(h, data, n);
}

static void blk_drop(struct btt_piece_hash *h)
{
	if (h->blk_fill)
		btt_sha256_release(&h->blk);
	h->blk_fill = 0;
}

static bool v2_matches(struct btt_piece_hash *h)
{
	uint8_t want[BTT_MERKLE_HASH], root[BTT_MERKLE_HASH];
	size_t width;

	if (h->blk_fill) {
		if (h->nleaves < h->max_leaves) {
			btt_sha256_final(&h->blk, h->leaves[h->nleaves++]);
			h->blk_fill = 0;
		} else {
			blk_drop(h);
			h->overflow = true;
		}
	}
	if (h->overflow || !h->nleaves ||
	    btt_metainfo_piece_hash_v2(h->mi, h->piece, want, &width) ||
	    width < h->nleaves)
		return false;
	if (btt_merkle_root(h->leaves, h->nleaves, width, NULL, root))
		return false;
	return memcmp(root, want, BTT_MERKLE_HASH) == 0;
}

bool btt_piece_hash_end(struct btt_piece_hash *h)
{
	uint8_t digest[BTT_SHA1_LEN];
	bool ok = true;

	if (!h->active)
		return false;
	h->active = false;
	if (h->mi->has_v1) {
		btt_sha1_final(&h->sha1, digest);
		ok = memcmp(digest, btt_metainfo_piece_hash_v1(h->mi, h->piece),
			    BTT_SHA1_LEN) == 0;
	}
	if (h->mi->has_v2)
		ok = v2_matches(h) && ok;
	blk_drop(h);
	return ok;
}

void btt_piece_hash_cancel(struct btt_piece_hash *h)
{
	if (!h->active)
		return;
	h->active = false;
	if (h->mi->has_v1)
		btt_sha1_release(&h->sha1);
	blk_drop(h);
}
