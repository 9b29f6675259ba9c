/* Requests in both directions, the owner's decisions, timers and rates
 * (see peer.h).
 *
 * Ours: out_req holds every request we sent that may still be answered,
 * ACTIVE (n_active of them) or CANCELLED. A block or reject removes its
 * entry; a block with no entry is unrequested. Cancelled entries of a peer
 * without the fast extension are forgotten after BTT_PEER_CANCEL_GRACE_MS
 * (it owes no answer); those of a fast peer after four times that, so a
 * peer that ignores cancels cannot fill the ring for good.
 *
 * Theirs: in_req holds the peer's requests not yet handed to the owner,
 * in arrival order; popping one hands it over, and the owner answers it
 * with a block header (or btt_peer_reject). */
#include <errno.h>
#include <string.h>

#include "bt/peer_int.h"
#include "btt/err.h"

/* ---- our requests ---- */

uint32_t pr_max_queue(const struct btt_peer *p)
{
	uint32_t reqq = p->ext_received && (p->ext.has & BTT_EXT_HAS_REQQ)
				? p->ext.reqq
				: BTT_PEER_DEFAULT_REQQ;
	uint32_t cap = BTT_PEER_MAX_OUT_REQUESTS / 2;

	if (reqq > cap)
		reqq = cap;
	return reqq < BTT_PEER_MIN_QUEUE ? BTT_PEER_MIN_QUEUE : reqq;
}

uint32_t btt_peer_request_room(const struct btt_peer *p)
{
	uint32_t target = p->queue_target, max = pr_max_queue(p);
	uint32_t space, room;

	if (p->state != BTT_PEER_ACTIVE || !p->am_interested || !p->avail_known)
		return 0;
	if (p->peer_choking && !(p->fast && p->num_allowed_fast))
		return 0;
	if (target > max)
		target = max;
	space = BTT_PEER_MAX_OUT_REQUESTS - pr_ring_live(&p->out_req);
	room = target > p->n_active ? target - p->n_active : 0;
	return room < space ? room : space;
}

int btt_peer_request(struct btt_peer *p, uint32_t index, uint32_t begin,
		     uint32_t length, uint64_t now)
{
	struct btt_peer_req q = {index, begin, length, now, PR_ACTIVE};
	int rc;

	if (p->state != BTT_PEER_ACTIVE)
		return p->state == BTT_PEER_CLOSED ? p->err : BTT_EINVALID;
	if (index >= p->cfg.npieces || length == 0 ||
	    length > BTT_WIRE_MAX_BLOCK ||
	    (uint64_t)begin + length > p->cfg.piece_size(p->cfg.ctx, index))
		return BTT_EINVALID;
	p->now_ms = now;
	rc = pr_ring_push(&p->out_req, &q, BTT_PEER_MAX_OUT_REQUESTS);
	if (rc)
		return rc;
	if (p->n_active++ == 0)
		p->req_ref = now;
	btt_wire_put_request(&p->out, BTT_WIRE_REQUEST, index, begin, length);
	pr_sent(p);
	return pr_check_out(p);
}

bool btt_peer_cancel(struct btt_peer *p, uint32_t index, uint32_t begin,
		     uint32_t length, uint64_t now)
{
	uint32_t at = pr_ring_find(&p->out_req, index, begin, length,
				   1u << PR_ACTIVE);
	struct btt_peer_req *q;

	if (p->state != BTT_PEER_ACTIVE || at == PR_NONE)
		return false;
	q = pr_ring_at(&p->out_req, at);
	q->state = PR_CANCELLED;
	q->at = now;
	p->n_active--;
	btt_wire_put_request(&p->out, BTT_WIRE_CANCEL, index, begin, length);
	pr_sent(p);
	pr_check_out(p);
	return true;
}

int pr_release_active(struct btt_peer *p, bool cancel)
{
	int rc;

	for (uint32_t i = 0; i < p->out_req.len; i++) {
		struct btt_peer_req *q = pr_ring_at(&p->out_req, i);
		struct btt_peer_req c;
		if (q->state != PR_ACTIVE)
			continue;
		q->state = PR_CANCELLED;
		q->at = p->now_ms;
		p->n_active--;
		c = *q;
		if (cancel) {
			btt_wire_put_request(&p->out, BTT_WIRE_CANCEL, c.index,
					     c.begin, c.length);
			pr_sent(p);
		}
		rc = pr_emit(p, BTT_PEER_EV_RELEASED, c.index, c.begin,
			     c.length, NULL);
		if (rc)
			return rc;
	}
	return 0;
}

/* The length of our outstanding (or cancelled) request at index:begin, or
 * 0 when there is none. */
static uint32_t requested_length(const struct btt_peer *p, uint32_t index,
				 uint32_t begin)
{
	for (uint32_t i = 0; i < p->out_req.len; i++) {
		const struct btt_peer_req *q = pr_ring_at(&p->out_req, i);
		if ((q->state == PR_ACTIVE || q->state == PR_CANCELLED) &&
		    q->index == index && q->begin == begin)
			return q->length;
	}
	return 0;
}

int pr_block(struct btt_peer *p, const struct btt_wire_msg *m)
{
	unsigned mask = 1u << PR_ACTIVE | 1u << PR_CANCELLED;
	uint32_t at = pr_ring_find(&p->out_req, m->index, m->begin,
				   (uint32_t)m->data_len, mask);
	struct btt_peer_req *q;

	if (at == PR_NONE) {
		uint32_t want = requested_length(p, m->index, m->begin);
		/* A late block after a choke can be honest; one at a requested
		 * offset with another length never is. */
		if (want)
			return pr_fail(p, BTT_EMALFORMED, 50,
				       "block %u:%u of %zu bytes, %u requested",
				       m->index, m->begin, m->data_len, want);
		if (p->fast)
			return pr_fail(p, BTT_EMALFORMED, 50,
				       "unrequested block %u:%u", m->index,
				       m->begin);
		return pr_misbehave(p, 5, "unrequested block");
	}
	q = pr_ring_at(&p->out_req, at);
	if (q->state == PR_ACTIVE)
		p->n_active--;
	pr_ring_remove(&p->out_req, at);
	p->last_block = p->req_ref = p->now_ms;
	p->snubbed = false;
	p->down_bytes += m->data_len;
	p->tick_down += m->data_len;
	if (p->slow_start && p->queue_target < pr_max_queue(p))
		p->queue_target++;
	return pr_emit(p, BTT_PEER_EV_BLOCK, m->index, m->begin,
		       (uint32_t)m->data_len, m->data);
}

int pr_rejected(struct btt_peer *p, const struct btt_wire_msg *m)
{
	unsigned mask = 1u << PR_ACTIVE | 1u << PR_CANCELLED;
	uint32_t at =
		pr_ring_find(&p->out_req, m->index, m->begin, m->length, mask);
	bool active;

	if (at == PR_NONE)
		return pr_misbehave(p, 2, "reject of a request never made");
	active = pr_ring_at(&p->out_req, at)->state == PR_ACTIVE;
	pr_ring_remove(&p->out_req, at);
	if (!active)
		return 0;
	p->n_active--;
	return pr_emit(p, BTT_PEER_EV_RELEASED, m->index, m->begin, m->length,
		       NULL);
}

bool btt_peer_allowed_fast(const struct btt_peer *p, uint32_t index)
{
	for (uint32_t i = 0; i < p->num_allowed_fast; i++)
		if (p->allowed_fast[i] == index)
			return true;
	return false;
}

/* ---- the peer's requests ---- */

int pr_queue_request(struct btt_peer *p, const struct btt_wire_msg *m)
{
	struct btt_peer_req q = {m->index, m->begin, m->length, p->now_ms,
				 PR_QUEUED};
	int rc = pr_ring_push(&p->in_req, &q, BTT_PEER_MAX_IN_REQUESTS);

	if (rc == BTT_ELIMIT ||
	    (rc == 0 && pr_ring_live(&p->in_req) > BTT_PEER_MAX_IN_REQUESTS)) {
		if (rc == 0)
			pr_ring_remove(&p->in_req, p->in_req.len - 1);
		if (p->fast)
			btt_wire_put_request(&p->out, BTT_WIRE_REJECT, m->index,
					     m->begin, m->length);
		return pr_misbehave(p, 1, "more requests than our reqq");
	}
	if (rc)
		return pr_fail(p, rc, 0, "no memory for requests");
	return pr_emit(p, BTT_PEER_EV_REQUEST, m->index, m->begin, m->length,
		       NULL);
}

void pr_drop_queued(struct btt_peer *p, bool keep_fast)
{
	struct btt_peer_ring *r = &p->in_req;

	for (uint32_t i = 0; i < r->len && p->fast; i++) {
		const struct btt_peer_req *q = pr_ring_at(r, i);
		if (q->state == PR_QUEUED &&
		    !(keep_fast && btt_peer_fast_granted(p, q->index)))
			btt_wire_put_request(&p->out, BTT_WIRE_REJECT, q->index,
					     q->begin, q->length);
	}
	if (!keep_fast || !p->fast_granted) {
		pr_ring_clear(r);
		return;
	}
	/* Backwards: a removal trims holes only at the head, which is
	 * reached last, so the positions still to visit do not move. */
	for (uint32_t i = r->len; i-- > 0;)
		if (!btt_peer_fast_granted(p, pr_ring_at(r, i)->index))
			pr_ring_remove(r, i);
}

/* ---- allowed fast, our side ---- */

_Static_assert(BTT_FAST_DEFAULT_K <= 32, "fast_granted has a bit per member");

bool btt_peer_fast_granted(const struct btt_peer *p, uint32_t index)
{
	for (uint32_t i = 0; i < p->num_fast_set; i++)
		if (p->fast_set[i] == index)
			return (p->fast_granted >> i & 1) != 0;
	return false;
}

static void grant(struct btt_peer *p, uint32_t i)
{
	p->fast_granted |= 1u << i;
	btt_wire_put_index(&p->out, BTT_WIRE_ALLOWED_FAST, p->fast_set[i]);
	pr_sent(p);
}

void pr_offer_fast(struct btt_peer *p, const uint8_t info_hash[20])
{
	if (!p->fast || !p->cfg.has_ipv4)
		return;
	p->num_fast_set = btt_fast_set(info_hash, p->cfg.ipv4, p->cfg.npieces,
				       BTT_FAST_DEFAULT_K, p->fast_set);
	for (uint32_t i = 0; i < p->num_fast_set; i++)
		if (btt_bitfield_get(p->cfg.have, p->fast_set[i]))
			grant(p, i);
}

bool btt_peer_next_request(const struct btt_peer *p, struct btt_peer_req *out)
{
	if (p->state != BTT_PEER_ACTIVE || !p->in_req.len)
		return false;
	/* The head is never a hole (pr_ring_remove drops them). */
	*out = *pr_ring_at(&p->in_req, 0);
	return true;
}

void btt_peer_pop_request(struct btt_peer *p)
{
	if (p->in_req.len)
		pr_ring_remove(&p->in_req, 0);
}

uint32_t btt_peer_queued_requests(const struct btt_peer *p)
{
	return pr_ring_live(&p->in_req);
}

int btt_peer_block_header(struct btt_peer *p, uint32_t index, uint32_t begin,
			  uint32_t length, uint64_t now)
{
	if (p->state != BTT_PEER_ACTIVE)
		return p->state == BTT_PEER_CLOSED ? p->err : BTT_EINVALID;
	/* A choke took back this request from a peer without the fast
	 * extension: it is no longer expecting the block. */
	if (p->am_choking && !p->fast)
		return 0;
	p->now_ms = now;
	btt_wire_put_piece_header(&p->out, index, begin, length);
	pr_sent(p);
	p->up_bytes += length;
	p->tick_up += length;
	if (pr_check_out(p))
		return p->err;
	return 1;
}

int btt_peer_reject(struct btt_peer *p, uint32_t index, uint32_t begin,
		    uint32_t length)
{
	if (p->state != BTT_PEER_ACTIVE)
		return p->state == BTT_PEER_CLOSED ? p->err : 0;
	if (p->fast) {
		btt_wire_put_request(&p->out, BTT_WIRE_REJECT, index, begin,
				     length);
		pr_sent(p);
	}
	return pr_check_out(p);
}

/* ---- the owner's decisions ---- */

int btt_peer_set_choke(struct btt_peer *p, bool choke)
{
	if (p->state != BTT_PEER_ACTIVE)
		return p->state == BTT_PEER_CLOSED ? p->err : 0;
	if (p->am_choking == choke)
		return 0;
	p->am_choking = choke;
	btt_wire_put_simple(&p->out, choke ? BTT_WIRE_CHOKE : BTT_WIRE_UNCHOKE);
	pr_sent(p);
	if (choke)
		pr_drop_queued(p, true);
	return pr_check_out(p);
}

int btt_peer_set_interested(struct btt_peer *p, bool interested)
{
	if (p->state != BTT_PEER_ACTIVE)
		return p->state == BTT_PEER_CLOSED ? p->err : 0;
	if (p->am_interested == interested)
		return 0;
	p->am_interested = interested;
	if (interested)
		p->req_ref = p->now_ms;
	btt_wire_put_simple(&p->out, interested ? BTT_WIRE_INTERESTED
						: BTT_WIRE_NOT_INTERESTED);
	pr_sent(p);
	return pr_check_out(p);
}

int btt_peer_send_have(struct btt_peer *p, uint32_t index)
{
	if (p->state != BTT_PEER_ACTIVE)
		return p->state == BTT_PEER_CLOSED ? p->err : 0;
	if (index >= p->cfg.npieces)
		return BTT_EINVALID;
	btt_wire_put_index(&p->out, BTT_WIRE_HAVE, index);
	pr_sent(p);
	for (uint32_t i = 0; i < p->num_fast_set; i++)
		if (p->fast_set[i] == index && !(p->fast_granted >> i & 1))
			grant(p, i);
	return pr_check_out(p);
}

/* ---- timers ---- */

static void update_rates(struct btt_peer *p, uint64_t now)
{
	uint64_t dt = now - p->rate_at, down, up, rate;

	if (dt < 1000)
		return;
	down = p->tick_down * 1000 / dt;
	up = p->tick_up * 1000 / dt;
	p->down_rate = p->down_rate ? (p->down_rate + down) / 2 : down;
	p->up_rate = p->up_rate ? (p->up_rate + up) / 2 : up;
	p->tick_down = p->tick_up = 0;
	p->rate_at = now;
	/* Slow start ends when a second brings less than 10 % more. */
	if (p->slow_start && down && p->last_sample &&
	    down < p->last_sample + p->last_sample / 10)
		p->slow_start = false;
	if (down)
		p->last_sample = down;
	if (p->slow_start)
		return;
	rate = down > p->down_rate ? down : p->down_rate;
	rate = rate * BTT_PEER_PIPELINE_MS / 1000 / BTT_WIRE_BLOCK;
	if (rate > pr_max_queue(p))
		rate = pr_max_queue(p);
	p->queue_target =
		rate < BTT_PEER_MIN_QUEUE ? BTT_PEER_MIN_QUEUE : (uint32_t)rate;
}

static void expire_cancelled(struct btt_peer *p, uint64_t now)
{
	uint64_t grace = BTT_PEER_CANCEL_GRACE_MS * (p->fast ? 4 : 1);

	for (uint32_t i = 0; i < p->out_req.len; i++) {
		struct btt_peer_req *q = pr_ring_at(&p->out_req, i);
		if (q->state == PR_CANCELLED && now - q->at >= grace)
			pr_ring_remove(&p->out_req, i--);
	}
}

static int request_timeout(struct btt_peer *p, uint64_t now)
{
	if (!p->n_active || now - p->req_ref < BTT_PEER_REQUEST_TIMEOUT_MS)
		return 0;
	p->snubbed = true;
	p->slow_start = false;
	p->queue_target = BTT_PEER_MIN_QUEUE;
	p->req_ref = now;
	return pr_release_active(p, true);
}

int btt_peer_tick(struct btt_peer *p, uint64_t now, bool stalled)
{
	int rc;

	if (p->state == BTT_PEER_CLOSED)
		return p->err;
	p->now_ms = now;
	if (stalled)
		p->last_recv = p->req_ref = now;
	if (p->state == BTT_PEER_HANDSHAKE) {
		if (now - p->connected_at >= BTT_PEER_HANDSHAKE_MS)
			return pr_fail(p, -ETIMEDOUT, 0, "no handshake");
		return 0;
	}
	if (now - p->last_recv >= BTT_PEER_IDLE_MS)
		return pr_fail(p, -ETIMEDOUT, 0, "silent for %u s",
			       BTT_PEER_IDLE_MS / 1000);
	if (now - p->last_send >= BTT_PEER_KEEPALIVE_MS) {
		btt_wire_put_keepalive(&p->out);
		pr_sent(p);
	}
	update_rates(p, now);
	if (p->n_active && !p->peer_choking &&
	    now - p->last_block >= BTT_PEER_SNUB_MS)
		p->snubbed = true;
	if ((rc = request_timeout(p, now)) != 0)
		return rc;
	expire_cancelled(p, now);
	return pr_check_out(p);
}
