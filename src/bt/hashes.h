/* BEP 52 hash requests answered from the piece layers of a .torrent.
 *
 * A file's Merkle tree has the hashes of its 16 KiB blocks as layer 0 and
 * its pieces root at layer H. The piece layer is layer ph = log2(piece
 * length / 16 KiB), and H = ph + log2(W) where W is the file's piece count
 * rounded up to a power of two. A .torrent carries the piece layer, so
 * every layer from ph up can be computed from it; the layers below need
 * the file's data and are not served.
 *
 * A request names a pieces root, a base layer, the index of the first hash
 * in that layer, a length (a power of two >= 2; index a multiple of it)
 * and a number of proof layers p. The answer is the `length` hashes at
 * [index, index + length) of the base layer (a node past the file's end is
 * the root of an all-zero subtree of its height: btt_merkle_pad), followed
 * by the uncle hashes, lowest first: for each layer L from
 * base + log2(length) to base + p, the sibling of the run's ancestor at
 * layer L. So p < log2(length) asks for no uncle, and p must be below
 * H - base (the root has no sibling). That is what libtorrent 2.0 sends
 * and checks.
 *
 * Cost: a file's nodes above the piece layer are built on its first
 * request (one SHA-256 per node, fewer nodes than pieces: the work the
 * parser already did to check that layer) and kept, so each request then
 * costs O(length + p) copies. The cache of a torrent is bounded by
 * max_cache (BTT_HASHES_MAX_CACHE); a file whose nodes would not fit is
 * not served.
 *
 * Threads: a tree or a struct btt_hashes belongs to one thread. */
#ifndef BTT_BT_HASHES_H
#define BTT_BT_HASHES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bt/metainfo.h"
#include "bt/wire.h"
#include "core/hmap.h"
#include "core/limits.h"
#include "core/wbuf.h"
#include "crypto/merkle.h"

/* Layers above the piece layer: log2 of BTT_METAINFO_MAX_PIECES is 23;
 * 32 admits any 32-bit piece count. */
#define BTT_HASHES_MAX_LEVELS 32

/* One file's tree from its piece layer up. */
struct btt_hashes_tree {
	const uint8_t *layer;  /* the piece layer: npieces hashes, borrowed */
	uint32_t npieces;      /* >= 1 */
	unsigned piece_height; /* ph */
	unsigned levels;       /* log2(W): layers above the piece layer */
	/* Nodes above the piece layer that cover at least one piece, level
	 * by level from ph + 1; level k starts at off[k]. NULL until built
	 * (or when levels is 0). */
	uint8_t (*upper)[BTT_MERKLE_HASH];
	size_t nupper;
	size_t off[BTT_HASHES_MAX_LEVELS + 1];
	bool built;
};

/* Sets up t over a piece layer of npieces hashes (borrowed; it must
 * outlive t) whose pieces are 16 KiB << piece_height. Builds nothing.
 * Returns 0, or BTT_EINVALID when npieces is 0 or piece_height over 63 -
 * BTT_HASHES_MAX_LEVELS. */
int btt_hashes_tree_init(struct btt_hashes_tree *t, const uint8_t *layer,
			 uint32_t npieces, unsigned piece_height);

/* Bytes the built nodes take (what btt_hashes_tree_build allocates). */
size_t btt_hashes_tree_cost(const struct btt_hashes_tree *t);

/* Builds the nodes above the piece layer (once). Returns 0 or -ENOMEM. */
int btt_hashes_tree_build(struct btt_hashes_tree *t);

/* The root: layer H, node 0. The tree must be built. */
void btt_hashes_tree_root(const struct btt_hashes_tree *t,
			  uint8_t out[BTT_MERKLE_HASH]);

/* The file's tree height H. */
unsigned btt_hashes_tree_height(const struct btt_hashes_tree *t);

/* Answers a request (see above) into out, which has room for
 * BTT_WIRE_MAX_HASHES hashes; *out_n is how many were written. The tree
 * must be built. Returns 0; BTT_EUNSUPPORTED for a base below the piece
 * layer; BTT_ELIMIT for a length over BTT_HASHES_MAX_LENGTH; BTT_EINVALID
 * for a length that is not a power of two >= 2, an index that is not a
 * multiple of it, a run outside the padded layer, a base above the root
 * or proof layers reaching past it. Nothing is written on failure. */
int btt_hashes_tree_get(const struct btt_hashes_tree *t, uint32_t base,
			uint32_t index, uint32_t length, uint32_t proof,
			uint8_t (*out)[BTT_MERKLE_HASH], uint32_t *out_n);

/* Frees the built nodes; t is then zeroed. A zeroed tree is a no-op. */
void btt_hashes_tree_release(struct btt_hashes_tree *t);

/* Every file of a torrent that has a piece layer, found by pieces root;
 * a file's tree is made on its first request. */
struct btt_hashes {
	const struct btt_metainfo *mi;
	struct btt_hmap by_root;	/* 32-byte pieces root -> slot */
	uint32_t *file;			/* slot -> file index in mi */
	struct btt_hashes_tree **trees; /* slot -> tree, NULL until asked */
	uint32_t nslots;
	size_t cached; /* bytes of built nodes */
	size_t max_cache;
	uint8_t out[BTT_WIRE_MAX_HASHES][BTT_MERKLE_HASH]; /* the answer */
};

/* A server for mi's piece layers (mi is borrowed and must outlive it;
 * files without a piece layer, and torrents without a v2 part, have
 * none). Returns 0 and *out, or -ENOMEM. */
int btt_hashes_new(const struct btt_metainfo *mi, size_t max_cache,
		   struct btt_hashes **out);

/* Frees h. NULL is a no-op. */
void btt_hashes_free(struct btt_hashes *h);

/* Answers a request for the file whose pieces root is `root`: *out_hashes
 * points at *out_n hashes inside h, valid until the next call. Returns 0,
 * BTT_ENOTFOUND (no file of ours has that root and a piece layer),
 * BTT_ELIMIT (the file's nodes do not fit max_cache), -ENOMEM, or an error
 * of btt_hashes_tree_get. */
int btt_hashes_get(struct btt_hashes *h, const uint8_t root[BTT_MERKLE_HASH],
		   uint32_t base, uint32_t index, uint32_t length,
		   uint32_t proof, const uint8_t **out_hashes, uint32_t *out_n);

/* Answers a HASH_REQUEST message `req` with a HASHES message appended to
 * out. Returns 0, or an error of btt_hashes_get (nothing appended: the
 * caller rejects). */
int btt_hashes_put(struct btt_hashes *h, const struct btt_wire_msg *req,
		   struct btt_wbuf *out);

#endif
