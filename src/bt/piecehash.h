/* Hashing one piece as a stream of bytes, and checking it against the
 * torrent: the part of piece verification shared by `verify` (whole-data
 * checks) and the storage (incremental hashing as blocks are written, and
 * rechecks).
 *
 * Bytes are fed in piece order, in chunks of any size. Pad-file bytes are
 * fed flagged `pad`: they enter the v1 SHA-1 (the caller passes zeros for
 * them) and are left out of the v2 leaves. v2 leaves are the SHA-256 of
 * each 16 KiB block of the file's bytes; a chunk boundary may fall inside
 * a block.
 *
 * A hasher holds OpenSSL contexts between begin and end/cancel: every
 * begin must be matched by exactly one end or cancel. It is used by one
 * thread at a time and may be handed between threads through a lock or a
 * queue (the worker pool's). */
#ifndef BTT_BT_PIECEHASH_H
#define BTT_BT_PIECEHASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bt/metainfo.h"
#include "crypto/hash.h"
#include "crypto/merkle.h"

struct btt_piece_hash {
	const struct btt_metainfo *mi;
	uint32_t piece;
	bool active;   /* between begin and end/cancel */
	bool overflow; /* more v2 leaves than the scratch holds */
	struct btt_sha1 sha1;
	struct btt_sha256 blk; /* the current partial 16 KiB leaf */
	size_t blk_fill;
	uint8_t (*leaves)[BTT_MERKLE_HASH]; /* borrowed scratch */
	size_t nleaves;
	size_t max_leaves;
};

/* Leaves a hasher of mi needs as scratch: piece_length / 16 KiB (at least
 * 1) for torrents with a v2 part, 0 for v1-only torrents. */
size_t btt_piece_hash_leaves(const struct btt_metainfo *mi);

/* Starts hashing piece p. leaves (max_leaves entries, at least
 * btt_piece_hash_leaves(mi)) is scratch for the v2 leaf hashes; it may be
 * NULL for a v1-only torrent. */
void btt_piece_hash_begin(struct btt_piece_hash *h,
			  const struct btt_metainfo *mi, uint32_t p,
			  uint8_t (*leaves)[BTT_MERKLE_HASH],
			  size_t max_leaves);

/* Feeds the next n bytes of the piece. pad: the bytes belong to a pad file
 * (v1 hashes them, v2 skips them). */
void btt_piece_hash_update(struct btt_piece_hash *h, const void *data, size_t n,
			   bool pad);

/* Finishes the piece: true when every hash the torrent has for it matches
 * (v1: SHA-1; v2: merkle root of the leaves; hybrid: both). A v2 piece
 * whose hash is not known (no piece layer) does not match. */
bool btt_piece_hash_end(struct btt_piece_hash *h);

/* Drops the piece without a verdict. A no-op when not active. */
void btt_piece_hash_cancel(struct btt_piece_hash *h);

#endif
