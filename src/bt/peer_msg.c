/* One handler per received message, chosen from a table by message id
 * (see peer.h for the rules).
 *
 * The table says for each id whether it needs the fast extension and
 * whether it may precede the peer's availability (bitfield, have all,
 * have none); any other message arriving first means "have none", so the
 * owner always learns availability (EV_AVAIL) before anything that
 * depends on it. Lengths, piece indexes and bitfield sizes were checked
 * by the wire parser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt/peer_int.h"
#include "btt/err.h"

typedef int (*msg_fn)(struct btt_peer *p, const struct btt_wire_msg *m);

struct msg_rule {
	msg_fn fn;
	bool needs_fast; /* BEP 6 message: a protocol error without it */
	bool first_ok;	 /* may come before the availability message */
	bool indexed;	 /* carries a piece index */
};

static int avail_known(struct btt_peer *p)
{
	if (p->avail_known)
		return 0;
	p->avail_known = true;
	return pr_emit(p, BTT_PEER_EV_AVAIL, 0, 0, 0, NULL);
}

static int on_choke(struct btt_peer *p, const struct btt_wire_msg *m)
{
	int rc;

	(void)m;
	if (p->peer_choking)
		return 0;
	p->peer_choking = true;
	/* Without the fast extension a choke discards our requests. */
	if (!p->fast && (rc = pr_release_active(p, false)) != 0)
		return rc;
	return pr_emit(p, BTT_PEER_EV_CHOKED, 0, 0, 0, NULL);
}

static int on_unchoke(struct btt_peer *p, const struct btt_wire_msg *m)
{
	(void)m;
	if (!p->peer_choking)
		return 0;
	p->peer_choking = false;
	p->req_ref = p->now_ms;
	return pr_emit(p, BTT_PEER_EV_UNCHOKED, 0, 0, 0, NULL);
}

static int on_interest(struct btt_peer *p, const struct btt_wire_msg *m)
{
	bool want = m->type == BTT_WIRE_INTERESTED;

	if (p->peer_interested == want)
		return 0;
	p->peer_interested = want;
	return pr_emit(
		p, want ? BTT_PEER_EV_INTERESTED : BTT_PEER_EV_NOT_INTERESTED,
		0, 0, 0, NULL);
}

static int add_have(struct btt_peer *p, uint32_t index)
{
	if (!btt_bitfield_set(&p->have, index))
		return 0;
	return pr_emit(p, BTT_PEER_EV_HAVE, index, 0, 0, NULL);
}

static int on_have(struct btt_peer *p, const struct btt_wire_msg *m)
{
	if (p->has_all)
		return 0;
	return add_have(p, m->index);
}

/* A bitfield after the first message: each new bit is a have. */
static int bulk_have(struct btt_peer *p, const uint8_t *bits, size_t len,
		     bool all)
{
	int rc;

	/* Nothing can be new: a repeated have all must not cost a pass over
	 * every piece. */
	if (p->has_all || btt_bitfield_all(&p->have))
		return 0;
	for (uint32_t i = 0; i < p->cfg.npieces; i++) {
		if (!all && (i / 8 >= len || !(bits[i / 8] & (0x80 >> i % 8))))
			continue;
		if ((rc = add_have(p, i)) != 0)
			return rc;
	}
	return 0;
}

static int on_bitfield(struct btt_peer *p, const struct btt_wire_msg *m)
{
	int rc;

	if (p->avail_known)
		return bulk_have(p, m->data, m->data_len, false);
	rc = btt_bitfield_import(&p->have, m->data, m->data_len);
	if (rc)
		return pr_fail(p, rc, 50, "bitfield of the wrong size");
	return avail_known(p);
}

static int on_have_all(struct btt_peer *p, const struct btt_wire_msg *m)
{
	(void)m;
	if (p->avail_known)
		return bulk_have(p, NULL, 0, true);
	p->has_all = true;
	btt_bitfield_set_all(&p->have);
	return avail_known(p);
}

static int on_have_none(struct btt_peer *p, const struct btt_wire_msg *m)
{
	(void)m;
	return avail_known(p);
}

static int reject_or_drop(struct btt_peer *p, const struct btt_wire_msg *m)
{
	if (p->fast)
		btt_wire_put_request(&p->out, BTT_WIRE_REJECT, m->index,
				     m->begin, m->length);
	return 0;
}

/* Rejects a request and adds points; the connection stays unless the
 * score is exhausted. */
static int bad_request(struct btt_peer *p, const struct btt_wire_msg *m,
		       int score, const char *why)
{
	char msg[96];

	reject_or_drop(p, m);
	if (!score)
		return 0;
	snprintf(msg, sizeof(msg), "%s (piece %u, %u+%u)", why, m->index,
		 m->begin, m->length);
	return pr_misbehave(p, score, msg);
}

static int on_request(struct btt_peer *p, const struct btt_wire_msg *m)
{
	uint64_t size = p->cfg.piece_size(p->cfg.ctx, m->index);

	if (m->length > BTT_WIRE_MAX_REQUEST)
		return bad_request(p, m, 25, "request over the size limit");
	if (!btt_wire_request_valid(m->begin, m->length, size))
		return bad_request(p, m, 25, "request outside the piece");
	if (!btt_bitfield_get(p->cfg.have, m->index))
		return bad_request(p, m, 2, "request for a piece we lack");
	/* While we choke, only pieces we granted as allowed fast are served,
	 * and only to a peer that lacks them; anything else is a race with
	 * our choke: no offence. */
	if (p->am_choking && (!btt_peer_fast_granted(p, m->index) ||
			      btt_bitfield_get(&p->have, m->index)))
		return bad_request(p, m, 0, NULL);
	if (pr_ring_find(&p->in_req, m->index, m->begin, m->length,
			 1u << PR_QUEUED) != PR_NONE)
		return pr_misbehave(p, 1, "duplicate request");
	return pr_queue_request(p, m);
}

static int on_piece(struct btt_peer *p, const struct btt_wire_msg *m)
{
	return pr_block(p, m);
}

static int on_cancel(struct btt_peer *p, const struct btt_wire_msg *m)
{
	uint32_t at = pr_ring_find(&p->in_req, m->index, m->begin, m->length,
				   1u << PR_QUEUED);

	if (at == PR_NONE) /* served already, or never asked */
		return 0;
	pr_ring_remove(&p->in_req, at);
	return reject_or_drop(p, m);
}

static int on_ignore(struct btt_peer *p, const struct btt_wire_msg *m)
{
	(void)p;
	(void)m;
	return 0;
}

static int on_reject(struct btt_peer *p, const struct btt_wire_msg *m)
{
	return pr_rejected(p, m);
}

static int on_allowed_fast(struct btt_peer *p, const struct btt_wire_msg *m)
{
	if (btt_peer_allowed_fast(p, m->index) ||
	    p->num_allowed_fast >= BTT_FAST_MAX_K)
		return 0;
	p->allowed_fast[p->num_allowed_fast++] = m->index;
	return pr_emit(p, BTT_PEER_EV_ALLOWED_FAST, m->index, 0, 0, NULL);
}

static int on_extended(struct btt_peer *p, const struct btt_wire_msg *m)
{
	struct btt_ext_hs *h;
	int rc;

	/* We advertise no extension messages, so only the handshake (id 0)
	 * is ours to read. */
	if (m->ext != 0)
		return 0;
	h = malloc(sizeof(*h));
	if (!h)
		abort();
	rc = btt_ext_hs_decode(h, m->data, m->data_len);
	if (rc == 0) {
		if (p->ext_received)
			btt_ext_hs_merge(&p->ext, h);
		else
			p->ext = *h;
		p->ext_received = true;
	}
	free(h);
	if (rc)
		return pr_misbehave(p, 5, "unreadable extension handshake");
	return pr_emit(p, BTT_PEER_EV_EXTENDED, 0, 0, 0, NULL);
}

static int on_hash_request(struct btt_peer *p, const struct btt_wire_msg *m)
{
	/* Every hash request is answered (BEP 52): the hashes, or a
	 * reject when the owner cannot serve them. */
	if (!p->cfg.hashes || p->cfg.hashes(p->cfg.hashes_arg, m, &p->out))
		btt_wire_put_hash_request(&p->out, BTT_WIRE_HASH_REJECT,
					  m->root, m->base, m->index, m->length,
					  m->proof);
	pr_sent(p);
	return 0;
}

static const struct msg_rule rules[] = {
	[BTT_WIRE_CHOKE] = {on_choke, false, false, false},
	[BTT_WIRE_UNCHOKE] = {on_unchoke, false, false, false},
	[BTT_WIRE_INTERESTED] = {on_interest, false, false, false},
	[BTT_WIRE_NOT_INTERESTED] = {on_interest, false, false, false},
	[BTT_WIRE_HAVE] = {on_have, false, false, true},
	[BTT_WIRE_BITFIELD] = {on_bitfield, false, true, false},
	[BTT_WIRE_REQUEST] = {on_request, false, false, true},
	[BTT_WIRE_PIECE] = {on_piece, false, false, true},
	[BTT_WIRE_CANCEL] = {on_cancel, false, false, true},
	[BTT_WIRE_PORT] = {on_ignore, false, true, false},
	[BTT_WIRE_SUGGEST] = {on_ignore, true, true, true},
	[BTT_WIRE_HAVE_ALL] = {on_have_all, true, true, false},
	[BTT_WIRE_HAVE_NONE] = {on_have_none, true, true, false},
	[BTT_WIRE_REJECT] = {on_reject, true, false, true},
	[BTT_WIRE_ALLOWED_FAST] = {on_allowed_fast, true, true, true},
	[BTT_WIRE_EXTENDED] = {on_extended, false, true, false},
	[BTT_WIRE_HASH_REQUEST] = {on_hash_request, false, true, false},
	[BTT_WIRE_HASHES] = {on_ignore, false, true, false},
	[BTT_WIRE_HASH_REJECT] = {on_ignore, false, true, false},
};

int pr_on_msg(struct btt_peer *p, const struct btt_wire_msg *m)
{
	const struct msg_rule *r;
	const char *name;
	int rc;

	if (m->type < 0 || m->type >= (int)(sizeof(rules) / sizeof(*rules)) ||
	    !rules[m->type].fn)
		return 0; /* keep-alive, unknown ids: skipped */
	r = &rules[m->type];
	name = btt_wire_type_name(m->type);
	if (r->needs_fast && !p->fast)
		return pr_fail(p, BTT_EMALFORMED, 50,
			       "%s without the fast extension", name);
	if (r->indexed && m->index >= p->cfg.npieces)
		return pr_fail(p, BTT_EMALFORMED, 50, "%s: piece %u of %u",
			       name, m->index, p->cfg.npieces);
	if (!r->first_ok && (rc = avail_known(p)) != 0)
		return rc;
	return r->fn(p, m);
}
