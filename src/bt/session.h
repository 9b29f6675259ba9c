/* The session: what torrents on one loop share. It owns the listening
 * socket, our peer id, the worker pool for disk and hashing, the torrents
 * (keyed by the 20-byte info-hash peers put in handshakes: the v1 hash,
 * the truncated v2 hash, or both for a hybrid), the global peer limit and
 * global rate limits, the timers that drive every torrent, and the
 * graceful shutdown on SIGINT/SIGTERM.
 *
 * An incoming connection is held until its first 48 bytes name a torrent
 * (at most BTT_SESSION_MAX_HANDSHAKES at a time, each for at most
 * BTT_SESSION_ROUTE_MS); then the torrent answers and takes it over. A
 * torrent still checking its data answers once the check is done (within
 * the same time limit), so a peer that dials us while we start up is not
 * turned away to retry seconds later.
 *
 * Shutdown: btt_session_shutdown (or the first SIGINT/SIGTERM when the
 * session handles signals) stops every torrent; once all have stopped the
 * on_idle callback runs, and the caller stops the loop and frees the
 * session. A second signal ends the process at once (its default action
 * is restored after the first). Loop thread only. */
#ifndef BTT_BT_SESSION_H
#define BTT_BT_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bt/metainfo.h"
#include "bt/torrent.h"
#include "io/addr.h"

#define BTT_SESSION_PORT_FIRST 6881 /* default ports, tried in order */
#define BTT_SESSION_PORT_LAST 6889
#define BTT_SESSION_DEFAULT_PEERS 200
#define BTT_SESSION_ROUTE_MS 10000 /* for an incoming handshake */
#define BTT_SESSION_TICK_MS 100

struct btt_loop;
struct btt_session;

typedef void (*btt_session_event_fn)(void *arg, struct btt_torrent *t,
				     int event);
typedef void (*btt_session_idle_fn)(void *arg);

struct btt_session_opts {
	/* Where to listen. Family NONE: 0.0.0.0. With `default_port` the
	 * port is ignored and 6881..6889 are tried in turn; otherwise the
	 * given port is used (0: the OS chooses). */
	struct btt_addr listen;
	bool default_port;
	uint32_t max_peers;  /* all torrents; 0: BTT_SESSION_DEFAULT_PEERS */
	uint64_t down_limit; /* bytes/s over all torrents, 0: none */
	uint64_t up_limit;
	unsigned threads;    /* disk and hashing workers, 0: cores (>= 2) */
	bool handle_signals; /* SIGINT/SIGTERM shut the session down */
	btt_session_event_fn on_event; /* torrent events; may be NULL */
	btt_session_idle_fn on_idle;   /* shutdown finished; may be NULL */
	void *cb_arg;
};

/* Creates the session and starts listening. Returns 0, or a negative
 * error (-EADDRINUSE when no port is free, a libuv error, BTT_EINVALID)
 * with *out NULL. */
int btt_session_new(struct btt_loop *loop, const struct btt_session_opts *o,
		    struct btt_session **out);

/* Stops what is still running without waiting (peers closed, trackers
 * abandoned, storage jobs drained) and frees everything. Prefer a
 * shutdown first. NULL is a no-op. Not from a callback of the session. */
void btt_session_free(struct btt_session *s);

/* The address peers reach us on (with the port the OS chose). */
void btt_session_listen_addr(const struct btt_session *s, struct btt_addr *out);

const uint8_t *btt_session_peer_id(const struct btt_session *s);

/* Adds a torrent. mi is borrowed and must outlive the torrent (until the
 * session is freed). Returns 0, BTT_EDUPLICATE (already added),
 * BTT_ESTATE (shutting down), or an error from setting up the storage or
 * picker. The torrent starts checking at once. */
int btt_session_add(struct btt_session *s, const struct btt_metainfo *mi,
		    const struct btt_torrent_opts *o, struct btt_torrent **out);

/* Stops every torrent; on_idle runs once all have stopped (at once, from
 * the loop, when there are none). */
void btt_session_shutdown(struct btt_session *s);

/* True once btt_session_shutdown was called (or a signal arrived). */
bool btt_session_shutting_down(const struct btt_session *s);

/* What the session holds now, for monitoring (and the tests of its caps). */
struct btt_session_stats {
	uint32_t peers;	     /* connections counted against max_peers */
	uint32_t max_peers;  /* that limit, with the default applied */
	uint32_t handshakes; /* incoming ones not yet routed to a torrent */
	uint32_t waiting;    /* of those, naming a torrent still checking */
	uint32_t torrents;
};

void btt_session_stats(const struct btt_session *s,
		       struct btt_session_stats *out);

#endif
