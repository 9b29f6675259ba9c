/* Choker: which peers of one torrent we upload to (BEP 3 "choking").
 *
 * Sans-I/O. The caller runs btt_choker_run every BTT_CHOKER_INTERVAL_MS
 * with `now` and each peer's state and rates over the last period; the
 * result is the list of peers whose choke state must change. The choker
 * keeps only the round number and its current optimistic unchokes.
 *
 * Leeching (tit-for-tat): the regular slots go to the interested peers
 * that upload to us fastest; snubbed peers (nothing received from them
 * for a while) get none. Seeding (round robin): the regular slots rotate
 * among interested peers; a peer keeps its slot for seed_turn_ms after it
 * was unchoked, then yields to whoever has waited longest since their own
 * last unchoke, so every interested peer is served in turn. Rates only
 * break ties.
 *
 * Both modes add optimistic unchokes: every optimistic_rounds rounds (30 s
 * by default) a new peer is drawn at random among the choked interested
 * ones, peers connected less than new_peer_ms ago weighing 3, others 1
 * (BEP 3: a new peer needs a first piece to trade with), and the peer it
 * replaces is not drawn again when anyone else can be. If the optimistic
 * peer leaves, loses interest or earns a regular slot, the next run draws
 * a replacement at once.
 *
 * Upload slots: without an upload limit, regular_slots (4). With a limit of
 * R KiB/s: 2 below 9, 3 below 15, 4 below 42, else floor(sqrt(0.6 R)), at
 * most max_slots, so each slot keeps a useful share (3 KiB/s or more at
 * the small brackets, sqrt(R / 0.6) >= 8 KiB/s above) while a fast link
 * still spreads over more peers.
 *
 * Randomness comes from core/rand.h (tests seed it). Threads: one choker
 * belongs to one thread. */
#ifndef BTT_BT_CHOKER_H
#define BTT_BT_CHOKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BTT_CHOKER_INTERVAL_MS 10000 /* how often the caller runs it */
#define BTT_CHOKER_MAX_OPTIMISTIC 4

struct btt_choker_config {
	uint32_t regular_slots;	    /* with no upload limit (default 4) */
	uint32_t optimistic_slots;  /* 0..BTT_CHOKER_MAX_OPTIMISTIC (1) */
	uint32_t max_slots;	    /* cap of the rate rule (64), >= 1 */
	uint64_t up_limit;	    /* bytes/s, 0 = none (default 0) */
	uint32_t optimistic_rounds; /* rounds between rotations (3), >= 1 */
	uint64_t new_peer_ms;	    /* "new" for the 3x weight (60000) */
	uint64_t seed_turn_ms;	    /* a seeding slot's turn (60000) */
};

/* One peer, as the caller measured it (times in ms on the caller's clock,
 * the same as `now`). Ids are unique within one run. */
struct btt_choker_peer {
	uint32_t id;
	bool interested;       /* the peer wants to download from us */
	bool is_seed;	       /* has everything: nothing to upload to it */
	bool snubbed;	       /* sent us nothing for a while though unchoked */
	bool unchoked;	       /* we unchoke it now */
	uint64_t unchoked_at;  /* last time we unchoked it, 0 never */
	uint64_t connected_at; /* when the connection was established */
	uint64_t down_rate;    /* bytes/s from the peer, last period */
	uint64_t up_rate;      /* bytes/s to the peer, last period */
};

struct btt_choker_change {
	uint32_t id;
	bool unchoke;	 /* true: unchoke it; false: choke it */
	bool optimistic; /* unchoked as an optimistic unchoke */
};

struct btt_choker_rec; /* a sort record (choker.c) */

struct btt_choker {
	struct btt_choker_config cfg;
	uint64_t round;
	uint32_t optimistic[BTT_CHOKER_MAX_OPTIMISTIC];
	uint32_t noptimistic;
	struct btt_choker_rec *recs; /* scratch, grown per run */
	uint8_t *decide;	     /* scratch: per peer, see choker.c */
	size_t cap;
};

/* Fills in the defaults above. */
void btt_choker_config_default(struct btt_choker_config *cfg);

/* cfg NULL means the defaults. Returns 0 or BTT_EINVALID (optimistic
 * slots above the maximum, max_slots or optimistic_rounds 0). */
int btt_choker_init(struct btt_choker *c, const struct btt_choker_config *cfg);
void btt_choker_release(struct btt_choker *c);

/* Regular upload slots under cfg (see above). */
uint32_t btt_choker_slots(const struct btt_choker_config *cfg);

/* One round. `seeding` is whether we have every wanted piece. Writes the
 * peers whose state changes to out (room for n), *out_n of them; peers
 * unchoked optimistically are flagged, and btt_choker_is_optimistic tells
 * the same later. Returns 0 or -ENOMEM (nothing changed). */
int btt_choker_run(struct btt_choker *c, uint64_t now, bool seeding,
		   const struct btt_choker_peer *peers, size_t n,
		   struct btt_choker_change *out, size_t *out_n);

bool btt_choker_is_optimistic(const struct btt_choker *c, uint32_t id);

#endif
