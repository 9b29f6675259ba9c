/* One peer connection's protocol state machine (BEP 3, 6, 10), sans-I/O.
 *
 * Input: bytes received (btt_peer_feed), the clock as `now` (ms,
 * monotonic), and the owner's decisions (choke, interest, have, requests,
 * cancels, blocks to send). Output: bytes to send, collected in p->out
 * for the owner to write to the socket (a PIECE's block goes separately:
 * btt_peer_block_header appends only its 13-byte header, so the block can
 * be sent from the storage read cache without a copy), and events for the
 * owner (the torrent) through one callback.
 *
 * Rules the machine enforces:
 *  - The handshake must carry our info-hash; our own peer id on the other
 *    end is a connection to ourselves (closed, p->self set, no blame).
 *  - Bitfield, have all or have none may come first (after the extension
 *    handshake too, which some clients send first); anything else first
 *    means "have none". A bitfield later in the connection is a bulk
 *    have (aria2 sends one instead of many haves). Have all / have none
 *    and the other BEP 6 messages without the fast extension close the
 *    connection.
 *  - Every request the peer makes gets exactly one answer when the fast
 *    extension is on: the block, or a reject (invalid, over the size
 *    limit, a piece we lack, while choked, over our queue, cancelled
 *    before it was served, or a choke while queued). Without it, such
 *    requests are dropped as BEP 3 says.
 *  - Allowed fast (BEP 6), our side: to a fast peer with an IPv4 address
 *    (cfg.ipv4) we offer BEP 6's canonical set of BTT_FAST_DEFAULT_K
 *    pieces (fewer when the torrent has fewer), computed from the
 *    info-hash its handshake carried. ALLOWED_FAST goes out after our
 *    availability and extension handshake for the members we have; a
 *    member we complete later is granted with its HAVE
 *    (btt_peer_send_have), so a connection carries at most k of them.
 *    A request for a granted piece is queued and served while we choke
 *    the peer, and choking keeps such queued requests; the in-queue cap
 *    (BTT_PEER_MAX_IN_REQUESTS) bounds them like any other. A request
 *    while choked for a granted piece the peer says it has is rejected.
 *    IPv6 peers and peers without the fast extension get no set.
 *  - Hash requests (BEP 52) are answered by cfg.hashes, or rejected.
 *  - A block we did not request closes a fast peer; from others it is
 *    ignored (they may answer requests a choke implicitly cancelled).
 *  - Keep-alive after BTT_PEER_KEEPALIVE_MS without sending; the
 *    connection is closed after BTT_PEER_IDLE_MS without receiving.
 *  - Our requests time out after BTT_PEER_REQUEST_TIMEOUT_MS without a
 *    block (they are cancelled and released to be asked elsewhere), and a
 *    peer that sends no block for BTT_PEER_SNUB_MS while it owes us some
 *    is snubbed.
 *  - The request pipeline holds the blocks the measured download rate
 *    moves in BTT_PEER_PIPELINE_MS, between BTT_PEER_MIN_QUEUE and the
 *    peer's reqq; it starts by adding one request per block received
 *    (slow start) until the rate stops growing.
 *  - Misbehaviour earns points (p->score); at BTT_PEER_MAX_SCORE the
 *    connection closes.
 *
 * Every call returns 0 or a negative error; after an error the peer is
 * closed (p->err, p->why say why) and every call returns that error.
 * Events may not free the peer: to drop it, return a negative value from
 * the event callback (the call then fails with that value).
 *
 * Threads: one peer belongs to one thread (the loop). */
#ifndef BTT_BT_PEER_H
#define BTT_BT_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bt/ext.h"
#include "bt/fast.h"
#include "bt/handshake.h"
#include "bt/wire.h"
#include "core/bitfield.h"
#include "core/limits.h"
#include "core/wbuf.h"

#define BTT_PEER_KEEPALIVE_MS 60000
#define BTT_PEER_IDLE_MS 120000
#define BTT_PEER_HANDSHAKE_MS 20000
#define BTT_PEER_REQUEST_TIMEOUT_MS 30000
#define BTT_PEER_SNUB_MS 60000
#define BTT_PEER_PIPELINE_MS 2000
#define BTT_PEER_MIN_QUEUE 4
#define BTT_PEER_DEFAULT_REQQ 250 /* a peer that does not send reqq */
/* Cancelled requests of a peer without the fast extension are forgotten
 * after this long: it owes no answer, but a late block is no offence. */
#define BTT_PEER_CANCEL_GRACE_MS 30000
/* Bytes p->out may hold between two drains. */
#define BTT_PEER_OUT_MAX (BTT_WIRE_MAX_BITFIELD + (256u << 10))

enum btt_peer_state {
	BTT_PEER_HANDSHAKE = 0, /* waiting for the peer's handshake */
	BTT_PEER_ACTIVE = 1,
	BTT_PEER_CLOSED = 2,
};

enum btt_peer_ev_type {
	/* The handshake is complete: p->peer_id and p->reserved are set. A
	 * negative return refuses the peer (a duplicate, say). */
	BTT_PEER_EV_HANDSHAKE = 1,
	/* What the peer has is known (its first bitfield, have all, have
	 * none, or another first message meaning none): p->have (and
	 * p->has_all). Exactly once, before any HAVE event. */
	BTT_PEER_EV_AVAIL,
	BTT_PEER_EV_HAVE,	    /* index: one more piece at the peer */
	BTT_PEER_EV_INTERESTED,	    /* the peer wants our data */
	BTT_PEER_EV_NOT_INTERESTED, /* it no longer does */
	BTT_PEER_EV_CHOKED,	    /* the peer chokes us */
	BTT_PEER_EV_UNCHOKED,	    /* the peer unchokes us */
	BTT_PEER_EV_REQUEST,	    /* a request was queued: serve it */
	/* A block we requested: index, begin, length, data (valid during the
	 * call). */
	BTT_PEER_EV_BLOCK,
	/* A request of ours will not be answered (a reject, a choke without
	 * the fast extension, a timeout): index, begin, length. Give the
	 * block to someone else. */
	BTT_PEER_EV_RELEASED,
	BTT_PEER_EV_ALLOWED_FAST, /* index: we may request it while choked */
	BTT_PEER_EV_EXTENDED,	  /* an extension handshake: see p->ext */
	/* A minor offence (score points, why); the connection stays unless
	 * the score reached BTT_PEER_MAX_SCORE. */
	BTT_PEER_EV_MISBEHAVED,
};

struct btt_peer_ev {
	int type; /* enum btt_peer_ev_type */
	uint32_t index, begin, length;
	const uint8_t *data;
	int score;
	const char *why;
};

struct btt_peer;

/* Returns 0, or a negative error to close the peer. */
typedef int (*btt_peer_ev_fn)(void *arg, struct btt_peer *p,
			      const struct btt_peer_ev *ev);

struct btt_peer_cfg {
	uint32_t npieces;
	/* Bytes of piece i (for request bounds). */
	uint64_t (*piece_size)(const void *ctx, uint32_t piece);
	const void *ctx;
	/* Our pieces, borrowed and kept current by the owner; requests are
	 * served only for pieces set here. */
	const struct btt_bitfield *have;
	uint8_t info_hash[20]; /* what the handshake carries */
	/* A hybrid's other hash: a peer answering a handshake that carries
	 * the v2 upgrade bit may answer with the truncated v2 hash. */
	uint8_t info_hash_alt[20];
	bool has_alt;
	uint8_t peer_id[20];  /* ours */
	uint8_t reserved[8];  /* ours (btt_handshake_reserved) */
	uint16_t listen_port; /* sent as p in the extension handshake */
	bool upload_only;     /* we only seed: say so (BEP 21) */
	const char *client;   /* v in the extension handshake, or NULL */
	/* The peer's IPv4 address in host order (127.0.0.1 is 0x7f000001),
	 * for its allowed-fast set; has_ipv4 false (IPv6) offers none. */
	uint32_t ipv4;
	bool has_ipv4;
	/* Answers a BEP 52 hash request: appends a HASHES message for req to
	 * out and returns 0, or returns a negative error having appended
	 * nothing, and the request is rejected. NULL rejects them all. */
	int (*hashes)(void *arg, const struct btt_wire_msg *req,
		      struct btt_wbuf *out);
	void *hashes_arg;
};

/* A request, ours or the peer's. */
struct btt_peer_req {
	uint32_t index, begin, length;
	uint64_t at;   /* ms: when sent (ours) or received (theirs) */
	uint8_t state; /* private */
};

/* A ring of requests in arrival order (private). */
struct btt_peer_ring {
	struct btt_peer_req *r;
	uint32_t cap;  /* 0 or a power of two */
	uint32_t head; /* slot of logical entry 0 */
	uint32_t len;  /* entries from head, holes included */
	uint32_t live; /* entries that are not holes */
};

struct btt_peer {
	/* read-only for the owner */
	int state; /* enum btt_peer_state */
	int err;
	char why[128];
	int score;
	bool self; /* closed because it was a connection to ourselves */
	bool outgoing;

	uint8_t peer_id[20];
	uint8_t reserved[8];
	bool fast, ltep; /* negotiated: both sides set the bit */
	struct btt_ext_hs ext;
	bool ext_received;

	bool am_choking, am_interested;	    /* our side */
	bool peer_choking, peer_interested; /* theirs */
	bool snubbed;
	bool avail_known; /* BTT_PEER_EV_AVAIL was sent */
	bool has_all;	  /* have all (BEP 6) */
	struct btt_bitfield have;
	uint32_t allowed_fast[BTT_FAST_MAX_K]; /* the peer granted these */
	uint32_t num_allowed_fast;
	/* Our offer: the peer's canonical set, and which members we granted
	 * (bit i: fast_set[i]). */
	uint32_t fast_set[BTT_FAST_DEFAULT_K];
	uint32_t num_fast_set;
	uint32_t fast_granted;

	uint32_t n_active; /* our requests awaiting a block */
	uint32_t queue_target;
	bool slow_start;

	uint64_t connected_at, last_recv, last_send, last_block;
	uint64_t down_bytes, up_bytes; /* payload, since connected */
	uint64_t down_rate, up_rate;   /* bytes/s, smoothed */

	/* The bytes to send; the owner writes and resets it after each call
	 * (btt_peer_out_clear). */
	struct btt_wbuf out;

	/* private */
	struct btt_peer_cfg cfg;
	btt_peer_ev_fn ev;
	void *ev_arg;
	struct btt_handshake_parser hs;
	struct btt_wire_parser wp;
	struct btt_peer_ring out_req; /* ours: active and cancelled */
	struct btt_peer_ring in_req;  /* theirs, queued */
	uint64_t req_ref; /* start of the current wait for a block */
	uint64_t now_ms;  /* the latest `now` passed in */
	uint64_t rate_at, tick_down, tick_up, last_sample;
};

/* Sets up p for a connection we made (outgoing) or one we accepted.
 * Nothing is sent yet. Returns 0 or -ENOMEM. */
int btt_peer_init(struct btt_peer *p, const struct btt_peer_cfg *cfg,
		  bool outgoing, btt_peer_ev_fn ev, void *ev_arg, uint64_t now);

/* Frees everything p owns. A zeroed peer is a no-op. */
void btt_peer_release(struct btt_peer *p);

/* Queues our handshake. For an accepted connection whose first 48 bytes
 * were read by the caller, pass that parser (it is copied): the peer then
 * waits only for the peer id. Returns 0 or an error. */
int btt_peer_start(struct btt_peer *p, const struct btt_handshake_parser *hs,
		   uint64_t now);

/* Bytes from the socket. Returns 0 or the error that closed the peer. */
int btt_peer_feed(struct btt_peer *p, const uint8_t *in, size_t len,
		  uint64_t now);

/* Timers: keep-alive, idle and handshake timeouts, request timeouts,
 * snubbing, rates and the pipeline size. Call about once a second.
 * `stalled`: we stopped reading the socket ourselves (rate limit, disk),
 * so silence is not the peer's fault. */
int btt_peer_tick(struct btt_peer *p, uint64_t now, bool stalled);

/* The owner's decisions. Each queues the message (when the state changes)
 * and returns 0 or an error. Choking a peer rejects (fast) or drops its
 * queued requests, except those for pieces we granted as allowed fast.
 * Sending a HAVE for a member of the peer's allowed-fast set grants it
 * too (ALLOWED_FAST follows the HAVE). */
int btt_peer_set_choke(struct btt_peer *p, bool choke);
int btt_peer_set_interested(struct btt_peer *p, bool interested);
int btt_peer_send_have(struct btt_peer *p, uint32_t index);

/* How many more requests we should send now: 0 when we are not
 * interested, or choked (unless it granted allowed-fast pieces). */
uint32_t btt_peer_request_room(const struct btt_peer *p);

/* Sends a request for a block. Returns 0, BTT_ELIMIT (too many
 * outstanding), BTT_EINVALID (out of range) or the peer's error. */
int btt_peer_request(struct btt_peer *p, uint32_t index, uint32_t begin,
		     uint32_t length, uint64_t now);

/* Cancels a request of ours (endgame: another peer delivered it). No
 * RELEASED event follows. Returns true when it was outstanding. */
bool btt_peer_cancel(struct btt_peer *p, uint32_t index, uint32_t begin,
		     uint32_t length, uint64_t now);

/* Whether the peer granted piece `index` as allowed fast. */
bool btt_peer_allowed_fast(const struct btt_peer *p, uint32_t index);

/* Whether we granted piece `index` to the peer as allowed fast. */
bool btt_peer_fast_granted(const struct btt_peer *p, uint32_t index);

/* Serving the peer's requests, oldest first: peek at the next, then pop
 * it once its read is under way (or answered). */
bool btt_peer_next_request(const struct btt_peer *p, struct btt_peer_req *out);
void btt_peer_pop_request(struct btt_peer *p);
uint32_t btt_peer_queued_requests(const struct btt_peer *p);

/* A block of a popped request is ready to go: appends its PIECE header
 * and counts the upload. Returns 1 when the caller must now send the
 * `length` bytes of the block, 0 when the block must not be sent (we
 * choked a peer without the fast extension meanwhile), or an error. */
int btt_peer_block_header(struct btt_peer *p, uint32_t index, uint32_t begin,
			  uint32_t length, uint64_t now);

/* A popped request cannot be served (a read failed): rejects it when the
 * fast extension is on. */
int btt_peer_reject(struct btt_peer *p, uint32_t index, uint32_t begin,
		    uint32_t length);

/* Closes the peer with an error of the owner's (p->err, p->why). */
void btt_peer_close(struct btt_peer *p, int err, const char *why);

/* Empties p->out after the owner wrote it. */
static inline void btt_peer_out_clear(struct btt_peer *p)
{
	btt_wbuf_reset(&p->out);
}

#endif
