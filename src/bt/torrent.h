/* A torrent being downloaded or seeded: its storage, piece picker,
 * choker, trackers and peer connections, on the session's loop.
 *
 * Life: btt_torrent_add (session.h) opens the storage, trusts what the
 * resume file allows and rechecks the rest (CHECKING), then announces and
 * connects (DOWNLOADING, or SEEDING when every piece is there). When the
 * last piece passes it announces `completed` and seeds, until the seed
 * ratio is reached or forever, unless told not to seed. btt_torrent_stop
 * announces `stopped` (waiting at most BTT_TORRENT_STOP_MS), closes every
 * connection, flushes the storage and saves resume data (STOPPING), then
 * reports STOPPED through the session's event callback.
 *
 * A storage error (disk full, a read-only directory) stops the torrent
 * with the error in its stats; verified pieces are kept in the resume
 * data. Loop thread only. */
#ifndef BTT_BT_TORRENT_H
#define BTT_BT_TORRENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bt/metainfo.h"
#include "io/addr.h"

#define BTT_TORRENT_DEFAULT_PEERS 50
#define BTT_TORRENT_STOP_MS 3000 /* wait for `stopped` announces */

struct btt_session;
struct btt_torrent;

enum btt_torrent_state {
	BTT_TORRENT_CHECKING = 0,
	BTT_TORRENT_DOWNLOADING = 1,
	BTT_TORRENT_SEEDING = 2,
	BTT_TORRENT_STOPPING = 3,
	BTT_TORRENT_STOPPED = 4,
};

/* Events reported through the session's callback. */
enum btt_torrent_event {
	BTT_TORRENT_EV_CHECKED = 1, /* resume data applied, recheck done */
	BTT_TORRENT_EV_COMPLETED,   /* every piece downloaded and verified */
	BTT_TORRENT_EV_STOPPED,	    /* stopped; see stats.error */
};

struct btt_torrent_opts {
	const char *dir;	 /* download directory (copied) */
	const char *resume_path; /* NULL: DIR/.btt/<info-hash>.resume */
	bool download;		 /* false: only seed the data found */
	bool seed;		 /* keep seeding once complete */
	/* Stop seeding once uploaded >= ratio * size (in 1/1000; 0: seed
	 * until stopped). */
	uint32_t seed_ratio_milli;
	bool sequential;
	uint32_t max_peers;  /* 0: BTT_TORRENT_DEFAULT_PEERS */
	uint64_t down_limit; /* bytes/s, 0: none */
	uint64_t up_limit;   /* bytes/s, 0: none */
	size_t write_buffer; /* storage write buffers, 0: default */
};

struct btt_torrent_stats {
	int state; /* enum btt_torrent_state */
	uint32_t num_pieces;
	uint32_t have_pieces;
	uint64_t total_bytes;
	uint64_t have_bytes; /* in verified pieces */
	uint64_t downloaded; /* payload received this run */
	uint64_t uploaded;   /* payload sent this run */
	uint64_t wasted;     /* in pieces that failed their hash */
	uint32_t hash_failures;
	uint64_t down_rate, up_rate; /* bytes/s */
	uint32_t peers;		     /* connected (handshake done) */
	uint32_t connecting;	     /* dialling or in their handshake */
	uint32_t candidates;	     /* known addresses */
	/* Start-up: pieces the resume data let us trust, pieces rechecked
	 * and how many of those were valid; check progress. */
	uint32_t resume_trusted;
	uint32_t rechecked, recheck_valid;
	uint32_t check_done, check_total;
	int error;	    /* 0, or what stopped the torrent */
	const char *errmsg; /* valid until the next call into the torrent */
};

/* Adds a peer address to try (from --peer, or a tracker). Addresses
 * already known, banned ones and our own listening address are ignored. */
void btt_torrent_add_peer(struct btt_torrent *t, const struct btt_addr *a);

/* Starts stopping (see above). A no-op when already stopping. */
void btt_torrent_stop(struct btt_torrent *t);

void btt_torrent_stats(const struct btt_torrent *t,
		       struct btt_torrent_stats *out);

const struct btt_metainfo *btt_torrent_metainfo(const struct btt_torrent *t);

/* True when every piece is verified. */
bool btt_torrent_complete(const struct btt_torrent *t);

#endif
