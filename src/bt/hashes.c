/* BEP 52 hash requests answered from piece layers (see hashes.h).
 *
 * Invariants: a tree's level k (layer ph + k) holds live(k) =
 * ceil(npieces / 2^k) nodes, the ones covering at least one piece; every
 * other node of that layer is btt_merkle_pad(ph + k). Level 0 is the
 * piece layer itself (borrowed), levels 1..levels live in `upper` once
 * built. A request is checked whole before anything is written, with
 * 64-bit arithmetic, so no field of it can overflow an index. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bt/hashes.h"
#include "btt/err.h"
#include "crypto/hash.h"

/* A tree is at most 63 layers high (btt_hashes_tree_init), so an answer
 * holds at most 62 uncles. */
_Static_assert(BTT_HASHES_MAX_LENGTH + 63 <= BTT_WIRE_MAX_HASHES,
	       "a run and its uncles must fit one HASHES message");

/* ---- one file's tree ---- */

static uint64_t live(const struct btt_hashes_tree *t, unsigned k)
{
	return ((uint64_t)t->npieces + ((uint64_t)1 << k) - 1) >> k;
}

/* Node j of level k (layer ph + k): a view into the layer or the cache,
 * or the pad copied into `pad`. */
static const uint8_t *node(const struct btt_hashes_tree *t, unsigned k,
			   uint64_t j, uint8_t pad[BTT_MERKLE_HASH])
{
	if (j >= live(t, k)) {
		btt_merkle_pad(t->piece_height + k, pad);
		return pad;
	}
	if (k == 0)
		return t->layer + j * BTT_MERKLE_HASH;
	return t->upper[t->off[k] + j];
}

int btt_hashes_tree_init(struct btt_hashes_tree *t, const uint8_t *layer,
			 uint32_t npieces, unsigned piece_height)
{
	memset(t, 0, sizeof(*t));
	if (npieces == 0 || piece_height > 63 - BTT_HASHES_MAX_LEVELS)
		return BTT_EINVALID;
	t->layer = layer;
	t->npieces = npieces;
	t->piece_height = piece_height;
	while (((uint64_t)1 << t->levels) < npieces)
		t->levels++;
	for (unsigned k = 1; k <= t->levels; k++) {
		t->off[k] = t->nupper;
		t->nupper += live(t, k);
	}
	return 0;
}

size_t btt_hashes_tree_cost(const struct btt_hashes_tree *t)
{
	return t->nupper * BTT_MERKLE_HASH;
}

int btt_hashes_tree_build(struct btt_hashes_tree *t)
{
	uint8_t pair[2 * BTT_MERKLE_HASH], pad[BTT_MERKLE_HASH];

	if (t->built)
		return 0;
	if (t->nupper) {
		t->upper = malloc(btt_hashes_tree_cost(t));
		if (!t->upper)
			return -ENOMEM;
	}
	for (unsigned k = 1; k <= t->levels; k++) {
		for (uint64_t j = 0; j < live(t, k); j++) {
			memcpy(pair, node(t, k - 1, 2 * j, pad),
			       BTT_MERKLE_HASH);
			memcpy(pair + BTT_MERKLE_HASH,
			       node(t, k - 1, 2 * j + 1, pad), BTT_MERKLE_HASH);
			btt_sha256(pair, sizeof(pair), t->upper[t->off[k] + j]);
		}
	}
	t->built = true;
	return 0;
}

void btt_hashes_tree_root(const struct btt_hashes_tree *t,
			  uint8_t out[BTT_MERKLE_HASH])
{
	uint8_t pad[BTT_MERKLE_HASH];

	memcpy(out, node(t, t->levels, 0, pad), BTT_MERKLE_HASH);
}

unsigned btt_hashes_tree_height(const struct btt_hashes_tree *t)
{
	return t->piece_height + t->levels;
}

/* Checks a request against the tree; *out_lg is log2(length) and
 * *out_uncles how many uncle hashes the answer carries. */
static int check_request(const struct btt_hashes_tree *t, uint32_t base,
			 uint32_t index, uint32_t length, uint32_t proof,
			 unsigned *out_lg, uint32_t *out_uncles)
{
	unsigned height = btt_hashes_tree_height(t), lg = 0;
	uint64_t width;

	if (length < 2 || (length & (length - 1)) != 0)
		return BTT_EINVALID;
	if (length > BTT_HASHES_MAX_LENGTH)
		return BTT_ELIMIT;
	if (index % length != 0)
		return BTT_EINVALID;
	if (base < t->piece_height)
		return BTT_EUNSUPPORTED; /* needs the data: not known here */
	if (base > height)
		return BTT_EINVALID;
	width = (uint64_t)1 << (height - base);
	if ((uint64_t)index + length > width || proof >= height - base)
		return BTT_EINVALID;
	while ((1u << lg) < length)
		lg++;
	*out_lg = lg;
	*out_uncles = proof + 1 > lg ? proof + 1 - lg : 0;
	return 0;
}

int btt_hashes_tree_get(const struct btt_hashes_tree *t, uint32_t base,
			uint32_t index, uint32_t length, uint32_t proof,
			uint8_t (*out)[BTT_MERKLE_HASH], uint32_t *out_n)
{
	uint8_t pad[BTT_MERKLE_HASH];
	uint32_t uncles = 0, n = 0;
	unsigned k, lg = 0;
	uint64_t j;
	int rc;

	rc = check_request(t, base, index, length, proof, &lg, &uncles);
	if (rc)
		return rc;
	k = base - t->piece_height;
	for (uint32_t i = 0; i < length; i++)
		memcpy(out[n++], node(t, k, (uint64_t)index + i, pad),
		       BTT_MERKLE_HASH);
	/* The run's subtree root is node index >> lg of level k + lg; each
	 * uncle is the sibling of the run's ancestor, one level up from the
	 * last. */
	k += lg;
	j = index >> lg;
	for (uint32_t u = 0; u < uncles; u++, k++, j >>= 1)
		memcpy(out[n++], node(t, k, j ^ 1, pad), BTT_MERKLE_HASH);
	*out_n = n;
	return 0;
}

void btt_hashes_tree_release(struct btt_hashes_tree *t)
{
	free(t->upper);
	memset(t, 0, sizeof(*t));
}

/* ---- a torrent's files ---- */

static unsigned piece_height(uint64_t piece_length)
{
	unsigned h = 0;

	while (h < 63 && ((uint64_t)BTT_MERKLE_BLOCK << h) < piece_length)
		h++;
	return h;
}

static bool has_layer(const struct btt_metainfo *mi, uint32_t f)
{
	const uint8_t *layer;
	size_t len;

	return mi->files[f].has_root &&
	       btt_metainfo_piece_layer(mi, f, &layer, &len) &&
	       len >= BTT_MERKLE_HASH && len / BTT_MERKLE_HASH <= UINT32_MAX;
}

/* Indexes the files that have a piece layer by their pieces root. */
static int index_files(struct btt_hashes *h)
{
	const struct btt_metainfo *mi = h->mi;
	uint32_t n = 0;
	int rc;

	for (uint32_t f = 0; f < mi->num_files; f++)
		n += has_layer(mi, f);
	if (!n)
		return 0;
	h->file = calloc(n, sizeof(*h->file));
	h->trees = calloc(n, sizeof(*h->trees));
	if (!h->file || !h->trees)
		return -ENOMEM;
	for (uint32_t f = 0; f < mi->num_files; f++) {
		if (!has_layer(mi, f))
			continue;
		/* Identical files share a root and a layer: either serves. */
		rc = btt_hmap_put(&h->by_root, mi->files[f].pieces_root,
				  h->nslots);
		if (rc)
			return rc;
		h->file[h->nslots++] = f;
	}
	return 0;
}

int btt_hashes_new(const struct btt_metainfo *mi, size_t max_cache,
		   struct btt_hashes **out)
{
	struct btt_hashes *h = calloc(1, sizeof(*h));
	int rc = 0;

	*out = NULL;
	if (!h)
		return -ENOMEM;
	h->mi = mi;
	h->max_cache = max_cache;
	btt_hmap_init(&h->by_root, BTT_MERKLE_HASH);
	if (mi->has_v2 && (rc = index_files(h)) != 0) {
		btt_hashes_free(h);
		return rc;
	}
	*out = h;
	return 0;
}

void btt_hashes_free(struct btt_hashes *h)
{
	if (!h)
		return;
	for (uint32_t i = 0; h->trees && i < h->nslots; i++) {
		if (h->trees[i])
			btt_hashes_tree_release(h->trees[i]);
		free(h->trees[i]);
	}
	free(h->trees);
	free(h->file);
	btt_hmap_release(&h->by_root);
	free(h);
}

/* The built tree of slot i, made on its first request within the cache
 * budget. Returns 0, BTT_ELIMIT or -ENOMEM. */
static int tree_of(struct btt_hashes *h, uint32_t i,
		   struct btt_hashes_tree **out)
{
	const struct btt_metainfo *mi = h->mi;
	struct btt_hashes_tree *t = h->trees[i];
	const uint8_t *layer;
	size_t len, cost;
	int rc;

	if (!t) {
		if (!(t = calloc(1, sizeof(*t))))
			return -ENOMEM;
		btt_metainfo_piece_layer(mi, h->file[i], &layer, &len);
		rc = btt_hashes_tree_init(t, layer,
					  (uint32_t)(len / BTT_MERKLE_HASH),
					  piece_height(mi->piece_length));
		if (rc) { /* a piece length the parser never admits */
			free(t);
			return rc;
		}
		h->trees[i] = t;
	}
	if (!t->built) {
		cost = btt_hashes_tree_cost(t);
		if (cost > h->max_cache - h->cached)
			return BTT_ELIMIT;
		if ((rc = btt_hashes_tree_build(t)) != 0)
			return rc;
		h->cached += cost;
	}
	*out = t;
	return 0;
}

int btt_hashes_get(struct btt_hashes *h, const uint8_t root[BTT_MERKLE_HASH],
		   uint32_t base, uint32_t index, uint32_t length,
		   uint32_t proof, const uint8_t **out_hashes, uint32_t *out_n)
{
	struct btt_hashes_tree *t;
	uint64_t i;
	int rc;

	if (!btt_hmap_get(&h->by_root, root, &i))
		return BTT_ENOTFOUND;
	if ((rc = tree_of(h, (uint32_t)i, &t)) != 0)
		return rc;
	rc = btt_hashes_tree_get(t, base, index, length, proof, h->out, out_n);
	if (rc == 0)
		*out_hashes = h->out[0];
	return rc;
}

int btt_hashes_put(struct btt_hashes *h, const struct btt_wire_msg *req,
		   struct btt_wbuf *out)
{
	const uint8_t *hashes;
	uint32_t n;
	int rc = btt_hashes_get(h, req->root, req->base, req->index,
				req->length, req->proof, &hashes, &n);

	if (rc)
		return rc;
	btt_wire_put_hashes(out, req->root, req->base, req->index, req->length,
			    req->proof, hashes, n);
	return 0;
}
