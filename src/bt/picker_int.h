/* Piece picker internals shared by picker*.c (see picker.h, docs/picker.md).
 *
 * Every piece has an 8-byte record. Pieces we may start ("pickable": state
 * NONE and priority > 0) also sit in `order`, an array sorted by bucket
 * key: key = (prio - 1) * width + (width - 1 - avail), so a higher key is
 * a higher priority class and, within a class, a rarer piece. Bucket k
 * occupies order[start[k] .. start[k + 1]); start[nkeys] == norder. Moving
 * a piece to a neighbouring bucket is one swap with the bucket's edge and
 * one boundary shift, so availability changes cost O(1); entering or
 * leaving `order` walks the buckets between the piece's key and the end.
 *
 * A piece record's `pos` is its index in `order` while pickable, its slot
 * in `dl` while in progress or hashing, and unused otherwise. A `dl` slot
 * holds per-block state, allocated when the piece starts and freed when it
 * passes, fails or is abandoned (no block requested or received).
 *
 * Invariants (btt_picker_check verifies them): avail <= avail_hi < width;
 * `order` holds exactly the pickable pieces, each in the bucket of its key;
 * nwanted counts pieces with prio > 0 that we lack; no pickable piece has
 * an index below seq_next; a dl slot's counters match its blocks. */
#ifndef BTT_BT_PICKER_INT_H
#define BTT_BT_PICKER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bt/picker.h"
#include "core/bitfield.h"

#define BTT_PICKER_CLASSES BTT_PICKER_PRIO_MAX /* priorities 1..7 */

enum {
	BTT_PK_NONE = 0, /* lacking, not started */
	BTT_PK_PARTIAL,	 /* started: blocks being requested/received */
	BTT_PK_HASHING,	 /* every block received, waiting for the hash */
	BTT_PK_HAVE,	 /* passed */
};

struct btt_picker_piece {
	uint32_t pos;
	unsigned avail : 24; /* peers with the piece, seeds excluded */
	unsigned prio : 3;
	unsigned state : 2;
};
_Static_assert(sizeof(struct btt_picker_piece) == 8, "8 bytes per piece");

/* One block of a piece in progress. */
struct btt_picker_slot {
	uint32_t peer[BTT_PICKER_MAX_DUP]; /* requesters; [0] = sender */
	uint8_t state;			   /* enum btt_picker_block_state */
	uint8_t nreq;			   /* requesters in peer[] */
};

struct btt_picker_dl {
	uint32_t piece;
	uint32_t nblocks;
	uint32_t nfree; /* blocks FREE */
	uint32_t nrecv; /* blocks RECEIVED */
	uint32_t hint;	/* no FREE block below this index */
	struct btt_picker_slot *blocks;
};

struct btt_picker {
	uint32_t npieces;
	uint64_t piece_length;
	uint64_t total_length;
	uint64_t (*piece_size)(const void *ctx, uint32_t piece);
	const void *ctx;

	struct btt_picker_piece *pieces;
	uint32_t *order;
	uint32_t norder;
	uint32_t *start;   /* nkeys + 1 entries */
	uint32_t width;	   /* availability levels per class */
	uint32_t avail_hi; /* upper bound of every piece's avail */

	struct btt_bitfield have;
	uint32_t seeds;
	uint32_t nwanted;
	bool sequential;
	uint32_t seq_next;

	struct btt_picker_dl *dl;
	uint32_t ndl;
	uint32_t dlcap;

	uint32_t *scratch; /* pieces chosen by a pick; failed-hash peers */
	size_t scratch_cap;
	uint64_t rng;
};

static inline uint32_t btt_pk_nkeys(const struct btt_picker *pk)
{
	return BTT_PICKER_CLASSES * pk->width;
}

static inline uint32_t btt_pk_key(const struct btt_picker *pk, unsigned prio,
				  uint32_t avail)
{
	return (prio - 1) * pk->width + (pk->width - 1 - avail);
}

static inline bool btt_pk_pickable(const struct btt_picker_piece *p)
{
	return p->state == BTT_PK_NONE && p->prio > 0;
}

/* Availability counting seeds. */
static inline uint32_t btt_pk_avail(const struct btt_picker *pk, uint32_t i)
{
	return pk->pieces[i].avail + pk->seeds;
}

/* picker.c */
uint64_t btt_pk_piece_bytes(const struct btt_picker *pk, uint32_t piece);
uint32_t btt_pk_piece_blocks(const struct btt_picker *pk, uint32_t piece);
uint64_t btt_pk_rand(struct btt_picker *pk, uint64_t bound);
int btt_pk_scratch_reserve(struct btt_picker *pk, size_t n);
void btt_pk_order_insert(struct btt_picker *pk, uint32_t piece);
void btt_pk_order_remove(struct btt_picker *pk, uint32_t piece);
void btt_pk_order_rebuild(struct btt_picker *pk);
/* The bucket holding position pos (< norder). */
uint32_t btt_pk_bucket_of(const struct btt_picker *pk, uint32_t pos);

/* picker_block.c: start a piece (leaving `order`), free its slot */
int btt_pk_dl_start(struct btt_picker *pk, uint32_t piece);
void btt_pk_dl_free(struct btt_picker *pk, uint32_t slot);
/* Marks FREE blocks of d requested by peer, from the lowest, appending
 * them to out until *n == want. */
void btt_pk_dl_take(struct btt_picker_dl *d, uint32_t peer,
		    struct btt_picker_block *out, size_t *n, size_t want);

#endif
