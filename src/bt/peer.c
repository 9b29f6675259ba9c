/* The peer state machine: lifecycle, the handshake, feeding bytes, errors
 * and the request rings (see peer.h, peer_int.h).
 *
 * Invariants: state only moves forward (HANDSHAKE -> ACTIVE -> CLOSED);
 * once CLOSED every call returns p->err and nothing more is queued. The
 * wire parser is used only in ACTIVE, so the bytes after a handshake in
 * the same chunk reach it unchanged. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt/peer_int.h"
#include "btt/err.h"
#include "core/log.h"

#define RING_MIN 16

/* ---- rings ---- */

uint32_t pr_ring_live(const struct btt_peer_ring *r)
{
	return r->live;
}

struct btt_peer_req *pr_ring_at(const struct btt_peer_ring *r, uint32_t i)
{
	return &r->r[(r->head + i) & (r->cap - 1)];
}

static int ring_grow(struct btt_peer_ring *r, uint32_t max)
{
	uint32_t ncap = r->cap ? r->cap * 2 : RING_MIN;
	struct btt_peer_req *n;

	if (r->cap >= max)
		return BTT_ELIMIT;
	n = calloc(ncap, sizeof(*n));
	if (!n)
		return -ENOMEM;
	for (uint32_t i = 0; i < r->len; i++)
		n[i] = *pr_ring_at(r, i);
	free(r->r);
	r->r = n;
	r->cap = ncap;
	r->head = 0;
	return 0;
}

/* Squeezes the holes out, keeping the order. */
static void ring_compact(struct btt_peer_ring *r)
{
	uint32_t w = 0;

	for (uint32_t i = 0; i < r->len; i++) {
		struct btt_peer_req *q = pr_ring_at(r, i);
		if (q->state != PR_GONE)
			*pr_ring_at(r, w++) = *q;
	}
	r->len = w;
}

int pr_ring_push(struct btt_peer_ring *r, const struct btt_peer_req *q,
		 uint32_t max)
{
	int rc;

	if (r->len == r->cap) {
		ring_compact(r);
		if (r->len == r->cap && (rc = ring_grow(r, max)) != 0)
			return rc;
	}
	*pr_ring_at(r, r->len++) = *q;
	r->live++;
	return 0;
}

uint32_t pr_ring_find(const struct btt_peer_ring *r, uint32_t index,
		      uint32_t begin, uint32_t length, unsigned mask)
{
	for (uint32_t i = 0; i < r->len; i++) {
		const struct btt_peer_req *q = pr_ring_at(r, i);
		if ((mask >> q->state & 1) && q->index == index &&
		    q->begin == begin && q->length == length)
			return i;
	}
	return PR_NONE;
}

void pr_ring_remove(struct btt_peer_ring *r, uint32_t i)
{
	struct btt_peer_req *q = pr_ring_at(r, i);

	if (q->state == PR_GONE)
		return;
	q->state = PR_GONE;
	r->live--;
	while (r->len && r->r[r->head].state == PR_GONE) {
		r->head = (r->head + 1) & (r->cap - 1);
		r->len--;
	}
}

void pr_ring_clear(struct btt_peer_ring *r)
{
	r->head = 0;
	r->len = 0;
	r->live = 0;
}

void pr_ring_release(struct btt_peer_ring *r)
{
	free(r->r);
	memset(r, 0, sizeof(*r));
}

/* ---- errors and events ---- */

int pr_fail(struct btt_peer *p, int err, int score, const char *fmt, ...)
{
	va_list ap;

	if (p->state == BTT_PEER_CLOSED)
		return p->err;
	p->state = BTT_PEER_CLOSED;
	p->err = err;
	p->score += score;
	va_start(ap, fmt);
	vsnprintf(p->why, sizeof(p->why), fmt, ap);
	va_end(ap);
	return err;
}

static int emit_ev(struct btt_peer *p, const struct btt_peer_ev *ev)
{
	int rc;

	if (p->state == BTT_PEER_CLOSED)
		return p->err;
	rc = p->ev(p->ev_arg, p, ev);
	if (rc < 0)
		return pr_fail(p, rc, 0, "dropped: %s", btt_strerror(rc));
	return 0;
}

int pr_misbehave(struct btt_peer *p, int score, const char *why)
{
	struct btt_peer_ev ev = {
		.type = BTT_PEER_EV_MISBEHAVED,
		.score = score,
		.why = why,
	};
	int rc;

	p->score += score;
	if ((rc = emit_ev(p, &ev)) != 0)
		return rc;
	if (p->score >= BTT_PEER_MAX_SCORE)
		return pr_fail(p, BTT_EMALFORMED, 0, "misbehaved too often: %s",
			       why);
	return 0;
}

int pr_emit(struct btt_peer *p, int type, uint32_t index, uint32_t begin,
	    uint32_t length, const uint8_t *data)
{
	struct btt_peer_ev ev = {
		.type = type,
		.index = index,
		.begin = begin,
		.length = length,
		.data = data,
	};

	return emit_ev(p, &ev);
}

int pr_check_out(struct btt_peer *p)
{
	int err = btt_wbuf_err(&p->out);

	if (p->state == BTT_PEER_CLOSED)
		return p->err;
	if (err)
		return pr_fail(p, err, 0, "send buffer: %s", btt_strerror(err));
	return 0;
}

void btt_peer_close(struct btt_peer *p, int err, const char *why)
{
	pr_fail(p, err, 0, "%s", why);
}

/* ---- lifecycle ---- */

int btt_peer_init(struct btt_peer *p, const struct btt_peer_cfg *cfg,
		  bool outgoing, btt_peer_ev_fn ev, void *ev_arg, uint64_t now)
{
	memset(p, 0, sizeof(*p));
	p->cfg = *cfg;
	p->ev = ev;
	p->ev_arg = ev_arg;
	p->outgoing = outgoing;
	p->am_choking = true;
	p->peer_choking = true;
	p->queue_target = BTT_PEER_MIN_QUEUE;
	p->slow_start = true;
	p->now_ms = now;
	p->connected_at = p->last_recv = p->last_send = now;
	p->last_block = p->req_ref = p->rate_at = now;
	btt_wbuf_init(&p->out, BTT_PEER_OUT_MAX);
	btt_wire_parser_init(&p->wp, cfg->npieces, 0);
	if (btt_bitfield_init(&p->have, cfg->npieces)) {
		btt_peer_release(p);
		return -ENOMEM;
	}
	return 0;
}

void btt_peer_release(struct btt_peer *p)
{
	btt_wbuf_release(&p->out);
	btt_wire_parser_release(&p->wp);
	btt_bitfield_release(&p->have);
	pr_ring_release(&p->out_req);
	pr_ring_release(&p->in_req);
	memset(p, 0, sizeof(*p));
}

int btt_peer_start(struct btt_peer *p, const struct btt_handshake_parser *hs,
		   uint64_t now)
{
	struct btt_handshake h;

	if (p->state == BTT_PEER_CLOSED)
		return p->err;
	p->now_ms = now;
	if (hs)
		p->hs = *hs;
	memcpy(h.reserved, p->cfg.reserved, 8);
	memcpy(h.info_hash, p->cfg.info_hash, 20);
	memcpy(h.peer_id, p->cfg.peer_id, 20);
	btt_handshake_put(&p->out, &h);
	pr_sent(p);
	return pr_check_out(p);
}

/* ---- after the handshake ---- */

static void put_availability(struct btt_peer *p)
{
	const struct btt_bitfield *have = p->cfg.have;
	size_t n = btt_bitfield_count(have);

	if (p->fast && p->cfg.npieces && n == p->cfg.npieces)
		btt_wire_put_simple(&p->out, BTT_WIRE_HAVE_ALL);
	else if (p->fast && n == 0)
		btt_wire_put_simple(&p->out, BTT_WIRE_HAVE_NONE);
	else if (n)
		btt_wire_put_bitfield(&p->out, have);
}

static void put_ext_handshake(struct btt_peer *p)
{
	struct btt_ext_hs *h = malloc(sizeof(*h));

	if (!h)
		abort();
	memset(h, 0, sizeof(*h));
	h->has = BTT_EXT_HAS_REQQ;
	h->reqq = BTT_PEER_MAX_IN_REQUESTS;
	if (p->cfg.listen_port) {
		h->has |= BTT_EXT_HAS_P;
		h->p = p->cfg.listen_port;
	}
	if (p->cfg.client) {
		size_t n = strlen(p->cfg.client);
		n = n < sizeof(h->v) ? n : sizeof(h->v);
		memcpy(h->v, p->cfg.client, n);
		h->v_len = (uint32_t)n;
		h->has |= BTT_EXT_HAS_V;
	}
	if (p->cfg.upload_only) {
		h->has |= BTT_EXT_HAS_UPLOAD_ONLY;
		h->upload_only = true;
	}
	btt_ext_hs_put_msg(&p->out, h);
	free(h);
}

static bool our_hash(const struct btt_peer *p, const uint8_t ih[20])
{
	return memcmp(ih, p->cfg.info_hash, 20) == 0 ||
	       (p->cfg.has_alt && memcmp(ih, p->cfg.info_hash_alt, 20) == 0);
}

static int handshake_done(struct btt_peer *p)
{
	const struct btt_handshake *h = &p->hs.hs;
	int rc;

	if (!our_hash(p, h->info_hash))
		return pr_fail(p, BTT_ENOTFOUND, 0,
			       "handshake for another torrent");
	memcpy(p->peer_id, h->peer_id, 20);
	memcpy(p->reserved, h->reserved, 8);
	if (memcmp(p->peer_id, p->cfg.peer_id, 20) == 0) {
		p->self = true;
		return pr_fail(p, BTT_EDUPLICATE, 0, "connected to ourselves");
	}
	p->fast = btt_handshake_has(h->reserved, BTT_HS_FAST) &&
		  btt_handshake_has(p->cfg.reserved, BTT_HS_FAST);
	p->ltep = btt_handshake_has(h->reserved, BTT_HS_LTEP) &&
		  btt_handshake_has(p->cfg.reserved, BTT_HS_LTEP);
	if ((rc = pr_emit(p, BTT_PEER_EV_HANDSHAKE, 0, 0, 0, NULL)) != 0)
		return rc;
	p->state = BTT_PEER_ACTIVE;
	put_availability(p);
	if (p->ltep)
		put_ext_handshake(p);
	pr_offer_fast(p, h->info_hash);
	pr_sent(p);
	return pr_check_out(p);
}

static int feed_handshake(struct btt_peer *p, const uint8_t **in, size_t *len)
{
	size_t used = 0;
	int r = btt_handshake_parse(&p->hs, *in, *len, &used);

	*in += used;
	*len -= used;
	if (r < 0)
		return pr_fail(p, r, 10, "not a BitTorrent handshake");
	if (r == BTT_HANDSHAKE_HEAD && !our_hash(p, p->hs.hs.info_hash))
		return pr_fail(p, BTT_ENOTFOUND, 0,
			       "handshake for another torrent");
	if (r == BTT_HANDSHAKE_DONE)
		return handshake_done(p);
	return 0;
}

int btt_peer_feed(struct btt_peer *p, const uint8_t *in, size_t len,
		  uint64_t now)
{
	struct btt_wire_msg m;
	size_t used;
	int r;

	if (p->state == BTT_PEER_CLOSED)
		return p->err;
	p->now_ms = now;
	if (len)
		p->last_recv = now;
	while (len && p->state == BTT_PEER_HANDSHAKE)
		if ((r = feed_handshake(p, &in, &len)) != 0)
			return r;
	while (len && p->state == BTT_PEER_ACTIVE) {
		r = btt_wire_parse(&p->wp, in, len, &used, &m);
		in += used;
		len -= used;
		if (r < 0)
			return pr_fail(p, r, 50, "%s", p->wp.why);
		if (r == 0)
			break;
		if ((r = pr_on_msg(p, &m)) != 0)
			return r;
	}
	return pr_check_out(p);
}
