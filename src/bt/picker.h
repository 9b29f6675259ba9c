/* Piece picker: which 16 KiB blocks to request from which peer, for one
 * torrent. Sans-I/O: the caller reports events (peer bitfields and haves,
 * blocks received, hash results, rejects, timeouts, disconnects) and asks
 * for blocks to request; the picker never reads the clock and draws its
 * randomness from a generator seeded through core/rand.h at creation.
 *
 * Rules (docs/picker.md has the reasons):
 *  - pieces in progress are finished first (strict priority), then new
 *    pieces are started rarest first with a random tie-break among equally
 *    rare ones, higher priority classes first; sequential mode starts the
 *    lowest index instead;
 *  - priority 0 means "do not download"; 1..7, default 4;
 *  - a block is requested from one peer at a time, except in endgame
 *    (every missing block that any peer has is requested): then a block may
 *    be requested from up to BTT_PICKER_MAX_DUP peers, and receiving it
 *    reports the other requesters so the caller cancels them;
 *  - all blocks received: the piece waits for its hash; a pass makes it
 *    ours, a failure resets it and names the peers that sent its blocks.
 *
 * Peers are opaque ids chosen by the caller (any value but
 * BTT_PICKER_NO_PEER). The picker keeps no per-peer state: the caller
 * keeps each peer's bitfield, reports it on connect and on disconnect, and
 * releases the peer's requests when they are cancelled by a choke, a
 * reject, a timeout or a disconnect.
 *
 * Cost: availability updates O(1) each; a pick O(pieces in progress +
 * blocks returned) typically, bounded by O(npieces / 64 + the peer's piece
 * count) when the peer has few of the pieces we want. Memory: 12 bytes per
 * piece plus a bit, and 12 bytes per block of pieces in progress only.
 *
 * Errors: functions taking a piece or block index return BTT_EINVALID for
 * an index out of range or an event that contradicts the state (so a
 * caller passing peer-supplied values gets an error, never an assert).
 *
 * Threads: one picker belongs to one thread (the loop). */
#ifndef BTT_BT_PICKER_H
#define BTT_BT_PICKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bitfield.h"

#define BTT_PICKER_BLOCK (16u << 10) /* bytes per block (BEP 3) */
#define BTT_PICKER_PRIO_MAX 7
#define BTT_PICKER_PRIO_DEFAULT 4
#define BTT_PICKER_MAX_DUP 2 /* requesters per block in endgame */
#define BTT_PICKER_NO_PEER UINT32_MAX

struct btt_picker;

/* The torrent's piece sizes. */
struct btt_picker_sizes {
	uint32_t num_pieces;   /* 1..BTT_METAINFO_MAX_PIECES */
	uint64_t piece_length; /* 1..BTT_METAINFO_MAX_PIECE bytes */
	/* Total bytes: every piece is piece_length except the last, which is
	 * total_length - (num_pieces - 1) * piece_length (1..piece_length).
	 * Ignored when piece_size is set. */
	uint64_t total_length;
	/* Optional: bytes of piece p (1..piece_length), for torrents whose
	 * pieces are short at every file end (BEP 52); called when a piece is
	 * started and by btt_picker_block_length. */
	uint64_t (*piece_size)(const void *ctx, uint32_t piece);
	const void *ctx;
};

/* A peer asking for blocks. */
struct btt_picker_peer {
	uint32_t id;
	const struct btt_bitfield
		*have; /* num_pieces bits; unused if has_all */
	bool has_all;  /* a seed (BEP 6 have all, or full) */
	/* Slow to deliver (no block for a while): it starts new pieces that
	 * many peers have, instead of holding up pieces in progress. */
	bool snubbed;
	/* Choking us with the fast extension: only the pieces in
	 * allowed_fast (BEP 6 allowed fast set) may be requested. */
	bool fast_only;
	const uint32_t *allowed_fast;
	size_t num_allowed_fast;
};

struct btt_picker_block {
	uint32_t piece;
	uint32_t block; /* byte offset block * BTT_PICKER_BLOCK */
};

/* What to do with a block that arrived. */
struct btt_picker_recv {
	bool fresh;	     /* first copy: write it; false: discard it */
	bool piece_complete; /* all blocks in: hash it, report pass/fail */
	uint32_t num_cancel;
	uint32_t cancel[BTT_PICKER_MAX_DUP]; /* send these peers a cancel */
};

enum btt_picker_block_state {
	BTT_PICKER_BLOCK_FREE = 0,  /* not requested (or piece not started) */
	BTT_PICKER_BLOCK_REQUESTED, /* by 1..BTT_PICKER_MAX_DUP peers */
	BTT_PICKER_BLOCK_RECEIVED,  /* written (piece in progress/hashing) */
	BTT_PICKER_BLOCK_HAVE,	    /* the piece passed its hash */
};

/* --- lifetime ---------------------------------------------------------- */

/* A picker for a torrent of which we have nothing, every piece at
 * BTT_PICKER_PRIO_DEFAULT. Returns 0, BTT_EINVALID (sizes out of range or
 * inconsistent) or -ENOMEM. */
int btt_picker_new(const struct btt_picker_sizes *sizes,
		   struct btt_picker **out);
void btt_picker_free(struct btt_picker *pk);

/* --- availability: what connected peers have --------------------------- */

/* A peer's bitfield (BEP 3) on connect; the same bits again when the
 * peer goes away (its current bitfield, haves included). BTT_EINVALID for
 * a bitfield of the wrong size or a remove that was never added, BTT_ELIMIT
 * past BTT_PICKER_MAX_AVAIL (core/limits.h), -ENOMEM; nothing changes on
 * error. */
int btt_picker_peer_bitfield_add(struct btt_picker *pk,
				 const struct btt_bitfield *bf);
int btt_picker_peer_bitfield_remove(struct btt_picker *pk,
				    const struct btt_bitfield *bf);

/* One piece more (have) or less (BEP 54 dont-have) at one peer. The caller
 * reports only changes of the peer's bitfield. */
int btt_picker_peer_have(struct btt_picker *pk, uint32_t piece);
int btt_picker_peer_dont_have(struct btt_picker *pk, uint32_t piece);

/* A peer with every piece (BEP 6 have all), counted once for all pieces:
 * O(1). BTT_EINVALID when removing with none counted. A have-none peer
 * needs no call. */
int btt_picker_peer_seed_add(struct btt_picker *pk);
int btt_picker_peer_seed_remove(struct btt_picker *pk);

/* The two above by the peer's description: has_all counts a seed, else
 * its bitfield. Remove first drops the peer's requests
 * (btt_picker_peer_release), then its pieces; same errors. */
int btt_picker_peer_add(struct btt_picker *pk,
			const struct btt_picker_peer *peer);
int btt_picker_peer_remove(struct btt_picker *pk,
			   const struct btt_picker_peer *peer);

/* Peers that have `piece` (seeds included). */
uint32_t btt_picker_availability(const struct btt_picker *pk, uint32_t piece);

/* Whether the peer has a piece we want (to send interested). */
bool btt_picker_peer_interesting(const struct btt_picker *pk,
				 const struct btt_picker_peer *peer);

/* --- picking ----------------------------------------------------------- */

/* Up to `want` blocks for `peer` to request, written to out (room for
 * `want`), marked requested by peer->id; *out_n is how many. Returns 0,
 * BTT_EINVALID (bad peer), or -ENOMEM: *out_n blocks were still picked and
 * marked. */
int btt_picker_pick(struct btt_picker *pk, const struct btt_picker_peer *peer,
		    size_t want, struct btt_picker_block *out, size_t *out_n);

/* Whether duplicate requests are allowed now: every missing block of a
 * wanted piece that some connected peer has is requested or received. */
bool btt_picker_endgame(const struct btt_picker *pk);

/* --- block events ------------------------------------------------------ */

/* The data of a block arrived from `peer` (requested or not, e.g. late
 * after a timeout). Fills *out. The block is fresh if it is wanted and
 * was not received before; then any other requesters are removed from it
 * and listed in out->cancel. Returns 0, BTT_EINVALID or -ENOMEM (the
 * piece had to be started and could not be: discard the data). */
int btt_picker_block_received(struct btt_picker *pk, uint32_t peer,
			      uint32_t piece, uint32_t block,
			      struct btt_picker_recv *out);

/* The peer will not deliver this block (BEP 6 reject, request timeout, we
 * cancelled it): the peer is removed from the block's requesters. Returns
 * true if it was one. */
bool btt_picker_block_release(struct btt_picker *pk, uint32_t peer,
			      uint32_t piece, uint32_t block);

/* Every request of the peer is dropped (choke without the fast extension,
 * disconnect). Returns how many. O(blocks of pieces in progress). */
size_t btt_picker_peer_release(struct btt_picker *pk, uint32_t peer);

/* --- hash results and our pieces --------------------------------------- */

/* The piece (complete, waiting for its hash) passed: it is ours. */
int btt_picker_piece_passed(struct btt_picker *pk, uint32_t piece);

/* The piece failed its hash: every block is reset and the piece is picked
 * again. *out_peers (valid until the next call on pk) lists each peer that
 * sent at least one of its blocks once, *out_n of them. */
int btt_picker_piece_failed(struct btt_picker *pk, uint32_t piece,
			    const uint32_t **out_peers, size_t *out_n);

/* We have the piece (resume data, a recheck) whatever its state; pending
 * requests of it are dropped. */
int btt_picker_have_set(struct btt_picker *pk, uint32_t piece);

/* We lost the piece (it failed a re-read check): download it again. */
int btt_picker_have_clear(struct btt_picker *pk, uint32_t piece);

bool btt_picker_have(const struct btt_picker *pk, uint32_t piece);
const struct btt_bitfield *
btt_picker_have_bitfield(const struct btt_picker *pk);

/* Every piece of priority > 0 is ours. */
bool btt_picker_complete(const struct btt_picker *pk);

/* We lack the piece and its priority is > 0. */
bool btt_picker_wanted(const struct btt_picker *pk, uint32_t piece);

/* --- priorities and modes ---------------------------------------------- */

/* Priority 0..BTT_PICKER_PRIO_MAX of one piece. Up to 7 x (availability
 * levels) bucket steps; for many pieces (file priorities) use the bulk
 * call. BTT_EINVALID for a piece or priority out of range. */
int btt_picker_priority_set(struct btt_picker *pk, uint32_t piece,
			    unsigned prio);

/* Every piece at once (n == number of pieces, each 0..7): O(npieces).
 * BTT_EINVALID, nothing changed, otherwise. */
int btt_picker_priorities_set(struct btt_picker *pk, const uint8_t *prios,
			      size_t n);

unsigned btt_picker_priority(const struct btt_picker *pk, uint32_t piece);

/* Sequential mode: start the lowest-index wanted piece (priorities only
 * separate wanted from unwanted). */
void btt_picker_sequential_set(struct btt_picker *pk, bool on);

/* --- geometry and introspection ---------------------------------------- */

uint32_t btt_picker_num_pieces(const struct btt_picker *pk);
uint32_t btt_picker_num_blocks(const struct btt_picker *pk, uint32_t piece);

/* Bytes of the block (BTT_PICKER_BLOCK except at the end of a piece), 0
 * out of range. */
uint32_t btt_picker_block_length(const struct btt_picker *pk, uint32_t piece,
				 uint32_t block);

/* Pieces started and not yet passed (in progress or waiting for a hash). */
size_t btt_picker_num_downloading(const struct btt_picker *pk);

/* The block's state; its requesters (or its sender when received) go to
 * out_peers (room for BTT_PICKER_MAX_DUP), *out_n of them. */
enum btt_picker_block_state
btt_picker_block_state(const struct btt_picker *pk, uint32_t piece,
		       uint32_t block, uint32_t *out_peers, size_t *out_n);

/* Bytes the picker holds. */
size_t btt_picker_memory(const struct btt_picker *pk);

/* Checks every internal invariant (O(npieces + blocks in progress)); for
 * tests. Returns 0 or BTT_EINVALID, logging the first violation. */
int btt_picker_check(const struct btt_picker *pk);

#endif
