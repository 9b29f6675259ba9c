/* A torrent being downloaded or seeded: its storage, piece picker,
 * choker, trackers and peer connections, on the session's loop.
 *
 * Life: btt_torrent_add (session.h) opens the storage, trusts what the
 * resume file allows and rechecks the rest (CHECKING), then announces and
 * connects (DOWNLOADING, or SEEDING when it is done). When the last
 * wanted piece passes it is done (below): it seeds, until the seed ratio
 * is reached or forever, unless told not to seed. btt_torrent_stop
 * announces `stopped` (waiting at most BTT_TORRENT_STOP_MS), closes every
 * connection, flushes the storage and saves resume data (STOPPING), then
 * reports STOPPED through the session's event callback.
 *
 * File priorities (opts.file_prio, btt_torrent_set_file_prio) select
 * what to download. Each file of the metainfo (pad files included, their
 * value ignored) has a priority 0..7: 0 skips it, 1..7 (default 4) want
 * it, higher first. A piece takes the highest priority of the files it
 * touches, so a piece shared by a skipped and a wanted file is
 * downloaded; pieces of pad bytes only take the highest of all.
 *  - Wanted pieces are those of priority > 0. The torrent is done when
 *    every wanted piece is verified (btt_torrent_done): it then reports
 *    BTT_TORRENT_EV_COMPLETED and is SEEDING (it has nothing left to get
 *    and serves the pieces it has). Complete (btt_torrent_complete) is
 *    stricter: every piece verified; without a selection the two agree.
 *  - Trackers: `completed` is announced once, when the whole torrent is
 *    complete (not when a selection is done). `left` is every byte not
 *    verified, skipped files included, as libtorrent reports it: a
 *    torrent with skipped files never tells a tracker it is a seed.
 *  - Peers: we are interested only in peers that have a wanted piece we
 *    lack. Once done, connections to seeds are closed as when complete.
 *  - Storage: a file with data is created by its first write, so a
 *    skipped file no wanted piece touches never appears; a skipped file
 *    sharing a piece with a wanted one gets that piece's bytes in its
 *    .part file, which stays a .part (sparse). Skipped empty files are not
 *    created. Wanted files are renamed from .part when their pieces pass.
 *  - Resume: verified pieces stay verified whatever the selection; a
 *    restart with another selection keeps them and gets the rest.
 *  - Changing priorities while running re-evaluates our interest in every
 *    peer; a done torrent given more to get goes back to DOWNLOADING (and
 *    reports EV_COMPLETED again when that is done); a downloading one left
 *    with nothing to get becomes done.
 * The seed ratio is counted against the wanted bytes.
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
	BTT_TORRENT_EV_COMPLETED,   /* done: every wanted piece verified */
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
	/* Per file of the metainfo, in its order (pad files included):
	 * priority 0..7, 0: skip (see above). Copied at add; NULL with
	 * num_file_prio 0: every file at the default (4). Otherwise
	 * num_file_prio must be the metainfo's num_files and every value <=
	 * 7, or btt_session_add returns BTT_EINVALID. */
	const uint8_t *file_prio;
	uint32_t num_file_prio;
};

struct btt_torrent_stats {
	int state; /* enum btt_torrent_state */
	uint32_t num_pieces;
	uint32_t have_pieces;
	uint64_t total_bytes;
	uint64_t have_bytes; /* in verified pieces */
	/* Content bytes of the wanted pieces (pieces of priority > 0, so
	 * including the parts of skipped files they share), and how many of
	 * them are verified: progress of the selection. Both equal the totals
	 * above when nothing is skipped. */
	uint64_t wanted_bytes, wanted_have;
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

/* True when the start-up check finished and every wanted piece is
 * verified (see above). */
bool btt_torrent_done(const struct btt_torrent *t);

/* Sets file `file`'s priority (0..7, 0: skip) while the torrent exists,
 * in any state; takes effect at once (see above). May report
 * EV_COMPLETED, or stop the torrent (done, not seeding), before it
 * returns. Returns 0, BTT_EINVALID (file or prio out of range) or -ENOMEM
 * (nothing changed). */
int btt_torrent_set_file_prio(struct btt_torrent *t, uint32_t file,
			      unsigned prio);

/* File `file`'s priority; 0 when out of range. */
unsigned btt_torrent_file_prio(const struct btt_torrent *t, uint32_t file);

#endif
