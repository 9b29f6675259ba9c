/* Announce scheduling for one torrent (BEP 12 tiers, BEP 3 events): which
 * tracker to announce to, with which event, and when. Pure: the caller
 * passes `now` (ms, monotonic) and carries out the announces with the
 * HTTP or UDP core; nothing here does I/O or reads the clock.
 *
 * Rules:
 *  - Tiers come from the torrent (announce-list, or announce alone as one
 *    tier); the URLs of each tier are shuffled once at init (btt_rand).
 *  - A round tries tier by tier, URL by URL, and ends at the first
 *    success, whose URL moves to the front of its tier. Trackers backing
 *    off after a failure are skipped; when every tracker fails the next
 *    round starts when the first backoff ends.
 *  - After a success the next round is due after max(interval,
 *    min interval) (absent: 1800 s and min(300 s, interval); both clamped
 *    to BTT_TRACKER_MIN_INTERVAL..BTT_TRACKER_MAX_INTERVAL). An early
 *    announce (btt_announce_more_peers) never comes sooner than min
 *    interval after the last success; only `completed` and `stopped`
 *    may.
 *  - A failed tracker is retried after 15 s * 2^(failures-1), capped at
 *    30 min, plus up to a quarter more at random.
 *  - Events: each tracker gets `started` on its first announce (again
 *    after a `stopped`); `completed` once per torrent, at once after
 *    btt_announce_completed() (following `started` when that tracker
 *    has had none) and retried like any announce until one succeeds; a
 *    torrent that starts complete never sends it. On btt_announce_stop()
 *    every tracker that accepted a `started` gets `stopped` with numwant
 *    0, all at once, and is not retried; the caller bounds how long it
 *    waits. A seed announces left=0 (the caller fills the numbers).
 *  - One regular announce is in flight at a time. Every SEND must be
 *    answered with btt_announce_on_result (an error result when the
 *    transport failed or timed out).
 *  - Private torrents (BEP 27) pass only the torrent's own trackers here;
 *    the scheduler adds none.
 * Unsupported schemes (anything but http, https, udp) are never tried
 * and show BTT_EUNSUPPORTED in their status. One thread. */
#ifndef BTT_BT_ANNOUNCE_H
#define BTT_BT_ANNOUNCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bt/tracker.h"

#define BTT_ANNOUNCE_NEVER INT64_MAX
#define BTT_ANNOUNCE_DEFAULT_INTERVAL 1800    /* s, when none is given */
#define BTT_ANNOUNCE_DEFAULT_MIN_INTERVAL 300 /* s, when none is given */
#define BTT_ANNOUNCE_RETRY_BASE 15000	      /* ms after a first failure */
#define BTT_ANNOUNCE_RETRY_MAX 1800000	      /* ms, before jitter */

/* One tracker: protocol state and what a UI shows. */
struct btt_announce_tracker {
	char *url; /* owned copy */
	uint32_t tier;
	int kind; /* enum btt_tracker_kind */

	bool started;	/* accepted `started`, no `stopped` since */
	bool stop_done; /* `stopped` was attempted during shutdown */
	bool in_flight;
	int flight_event;
	uint8_t tracker_id[BTT_TRACKER_MAX_ID];
	uint32_t tracker_id_len;
	uint32_t fails;	  /* consecutive failures */
	int64_t retry_at; /* ms; backing off until then (0: not) */

	int last_err; /* 0 after a success; the error of the last failure */
	char message[BTT_TRACKER_MSG_SIZE]; /* escaped failure reason, error
					     * or warning; "" if none */
	int64_t last_attempt;		    /* ms; -1 never */
	int64_t last_success;		    /* ms; -1 never */
	int64_t next_at;       /* ms of the next planned announce to it, or
				* BTT_ANNOUNCE_NEVER */
	uint32_t interval;     /* s, as applied (clamped) */
	uint32_t min_interval; /* s, as applied (clamped) */
	int64_t seeders, leechers, downloaded; /* -1 unknown */
	uint32_t last_peers;		       /* peers in the last reply */
};

struct btt_announce {
	struct btt_announce_tracker *t; /* in torrent order; indices are
					 * stable */
	uint32_t n;
	uint32_t *order; /* indices into t in announce order (tiers in
			  * order, each shuffled, winners first) */
	int32_t numwant;
	uint32_t key; /* random, sent with every announce */

	bool round_active;
	uint32_t round_pos; /* position in order */
	int64_t round_due;  /* ms when the next round may start */
	int64_t ok_at;	    /* ms of the last success, -1 none */
	int64_t ok_min;	    /* ms: min interval of that success */
	bool completed_pending;
	bool completed_sent;
	bool stopping;
	uint32_t in_flight; /* announces sent and not answered */
};

enum btt_announce_what {
	BTT_ANNOUNCE_WAIT = 0, /* nothing now: call again at `at`, or
				* after on_result / completed / stop */
	BTT_ANNOUNCE_SEND = 1, /* announce to tracker `tracker` now */
	BTT_ANNOUNCE_DONE = 2, /* stopping and nothing left to send */
};

struct btt_announce_action {
	int what;
	int64_t at; /* WAIT: ms, or BTT_ANNOUNCE_NEVER */
	/* SEND: */
	uint32_t tracker; /* index into a->t, for on_result */
	const char *url;  /* a->t[tracker].url */
	int kind;	  /* enum btt_tracker_kind */
	int event;	  /* enum btt_tracker_event */
	int32_t numwant;  /* 0 for `stopped` */
	uint32_t key;
	const uint8_t *tracker_id; /* the tracker's id, or NULL */
	size_t tracker_id_len;
};

/* Sets up the trackers: urls[i] in tier tiers[i] (non-decreasing, as in
 * btt_metainfo.trackers / tracker_tier). numwant < 0 lets trackers
 * choose. The first round is due at once. Returns 0, BTT_ELIMIT (more
 * than BTT_METAINFO_MAX_TRACKERS) or BTT_EINVALID (tiers out of order).
 * n may be 0 (a trackerless torrent: next_action always waits). */
int btt_announce_init(struct btt_announce *a, const char *const *urls,
		      const uint32_t *tiers, uint32_t n, int32_t numwant);

/* Frees everything; a zeroed struct may be released. */
void btt_announce_release(struct btt_announce *a);

/* What to do now. A SEND marks the tracker in flight. */
void btt_announce_next(struct btt_announce *a, int64_t now,
		       struct btt_announce_action *out);

/* The outcome of a SEND to tracker `tracker` (r->err 0 is a success).
 * Returns 0, or BTT_EINVALID when that tracker was not in flight. */
int btt_announce_on_result(struct btt_announce *a, uint32_t tracker,
			   const struct btt_tracker_result *r, int64_t now);

/* The download finished: send `completed` at once (not bound by min
 * interval). Only the first call counts. */
void btt_announce_completed(struct btt_announce *a);

/* More peers wanted: bring the next round forward to the earliest time
 * min interval allows. */
void btt_announce_more_peers(struct btt_announce *a, int64_t now);

/* Shutdown: from now on next_action sends `stopped` to every tracker
 * that accepted `started`, then reports DONE. */
void btt_announce_stop(struct btt_announce *a);

#endif
