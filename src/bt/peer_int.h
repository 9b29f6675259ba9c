/* Internals of the peer state machine (peer.h), shared by its files:
 *   peer.c       lifecycle, the handshake, feeding, errors, the rings
 *   peer_msg.c   one handler per received message (the rule table)
 *   peer_req.c   our requests, the peer's requests, timers and rates
 *
 * Request rings keep arrival order with lazy removal: a removed entry
 * stays as a hole (state PR_GONE) until it reaches the head, so the
 * common case (blocks answered in request order) costs O(1) per block. */
#ifndef BTT_BT_PEER_INT_H
#define BTT_BT_PEER_INT_H

#include <stdarg.h>

#include "bt/peer.h"

/* Request states. Ours: ACTIVE (awaiting a block), CANCELLED (we sent a
 * cancel, a choke cancelled it, or it timed out: a late block is
 * welcome). Theirs: QUEUED. */
enum { PR_GONE = 0, PR_ACTIVE = 1, PR_CANCELLED = 2, PR_QUEUED = 3 };

#define PR_NONE UINT32_MAX

/* Entries in use (holes excluded). */
uint32_t pr_ring_live(const struct btt_peer_ring *r);
/* The entry at logical position i (0 = head). */
struct btt_peer_req *pr_ring_at(const struct btt_peer_ring *r, uint32_t i);
/* Appends a copy of *q; holes are compacted or the ring grows, up to
 * max entries. Returns 0, BTT_ELIMIT or -ENOMEM. */
int pr_ring_push(struct btt_peer_ring *r, const struct btt_peer_req *q,
		 uint32_t max);
/* The logical position of the first entry in one of the states of
 * `mask` (1 << state) matching the triple, or PR_NONE. */
uint32_t pr_ring_find(const struct btt_peer_ring *r, uint32_t index,
		      uint32_t begin, uint32_t length, unsigned mask);
/* Turns the entry at i into a hole and drops holes at the head. */
void pr_ring_remove(struct btt_peer_ring *r, uint32_t i);
void pr_ring_clear(struct btt_peer_ring *r);
void pr_ring_release(struct btt_peer_ring *r);

/* Closes the peer: records err, the reason and score points. Returns
 * p->err (the first error when already closed). */
int pr_fail(struct btt_peer *p, int err, int score, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Adds points for a minor offence and tells the owner; closes the peer at
 * BTT_PEER_MAX_SCORE. Returns 0 or the error. */
int pr_misbehave(struct btt_peer *p, int score, const char *why);

/* Hands an event to the owner. Returns 0 or the error that closed p. */
int pr_emit(struct btt_peer *p, int type, uint32_t index, uint32_t begin,
	    uint32_t length, const uint8_t *data);

/* The output buffer's sticky error closes the peer. Returns 0 or it. */
int pr_check_out(struct btt_peer *p);

/* Marks a send at p->now (keep-alive timing). */
static inline void pr_sent(struct btt_peer *p)
{
	p->last_send = p->now_ms;
}

/* peer_msg.c: a parsed message. */
int pr_on_msg(struct btt_peer *p, const struct btt_wire_msg *m);

/* peer_req.c */
/* Our requests that are ACTIVE become CANCELLED and are released to the
 * owner (a choke without the fast extension, a timeout). `cancel`: send
 * CANCEL for each. */
int pr_release_active(struct btt_peer *p, bool cancel);
/* The peer's request (validated by peer_msg.c) joins the queue. */
int pr_queue_request(struct btt_peer *p, const struct btt_wire_msg *m);
/* Answers every queued request with a reject (fast) or drops it; with
 * keep_fast, requests for pieces we granted as allowed fast stay. */
void pr_drop_queued(struct btt_peer *p, bool keep_fast);
/* After the handshake: computes the peer's allowed-fast set from the
 * info-hash it sent and grants the members we have (see peer.h). */
void pr_offer_fast(struct btt_peer *p, const uint8_t info_hash[20]);
/* A block arrived: matches it to our request. */
int pr_block(struct btt_peer *p, const struct btt_wire_msg *m);
/* A reject arrived. */
int pr_rejected(struct btt_peer *p, const struct btt_wire_msg *m);
/* The largest pipeline the peer allows. */
uint32_t pr_max_queue(const struct btt_peer *p);

#endif
