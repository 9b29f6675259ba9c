/* What a torrent does with each event of a peer's state machine: one
 * handler per event type, from a table.
 *
 * Handlers run inside the peer's feed (or tick), so they never free the
 * peer: to drop it they return a negative error, which closes the core;
 * the glue frees it when the feed returns. They may act on other peers
 * (endgame cancels) but never free them either. */
#include <string.h>

#include "bt/torrent_int.h"
#include "btt/err.h"
#include "core/log.h"

typedef int (*ev_fn)(struct tpeer *tp, const struct btt_peer_ev *ev);

static bool peer_is_seed(const struct tpeer *tp)
{
	return tp->core.has_all || btt_bitfield_all(&tp->core.have);
}

/* Two seeds have nothing to trade: the connection is closed and the
 * address left alone for a while. */
static int both_seeds(struct tpeer *tp)
{
	struct btt_torrent *t = tp->t;

	if (!tt_seeding(t) || !peer_is_seed(tp))
		return 0;
	if (tp->cand != TP_NONE) {
		struct tcand *c = btt_vec_at(&t->cands, tp->cand);
		c->next_try = ss_now(t->s) + TP_SEED_RETRY_MS;
	}
	btt_peer_close(&tp->core, BTT_ESTATE, "both sides are seeds");
	return BTT_ESTATE;
}

void tp_update_interest(struct tpeer *tp)
{
	struct btt_torrent *t = tp->t;
	struct btt_picker_peer pp;
	bool want = false;

	if (!tp->in_picker)
		return;
	if (t->state == BTT_TORRENT_DOWNLOADING) {
		tp_picker_peer(tp, &pp);
		want = btt_picker_peer_interesting(t->pk, &pp);
	}
	btt_peer_set_interested(&tp->core, want);
}

static int ev_handshake(struct tpeer *tp, const struct btt_peer_ev *ev)
{
	struct btt_torrent *t = tp->t;

	(void)ev;
	for (size_t i = 0; i < btt_vec_len(&t->peers); i++) {
		struct tpeer *o = *(struct tpeer **)btt_vec_at(&t->peers, i);
		if (o == tp || !o->handshaken ||
		    memcmp(o->core.peer_id, tp->core.peer_id, 20) != 0)
			continue;
		/* Two connections to one peer (each side dialled the
		 * other): both sides keep the one dialled by the peer with
		 * the larger id, so they agree without talking. */
		if (o->outgoing != tp->outgoing &&
		    (memcmp(t->s->peer_id, tp->core.peer_id, 20) > 0) ==
			    tp->outgoing) {
			tp_drop(o, BTT_EDUPLICATE, "duplicate connection");
			break;
		}
		btt_peer_close(&tp->core, BTT_EDUPLICATE,
			       "already connected to this peer");
		return BTT_EDUPLICATE;
	}
	tp->handshaken = true;
	t->npeers_active++;
	return 0;
}

static int ev_avail(struct tpeer *tp, const struct btt_peer_ev *ev)
{
	struct btt_torrent *t = tp->t;
	struct btt_picker_peer pp;
	int rc;

	(void)ev;
	if ((rc = both_seeds(tp)) != 0)
		return rc;
	tp->picker_seed = tp->core.has_all;
	tp_picker_peer(tp, &pp);
	if ((rc = btt_picker_peer_add(t->pk, &pp)) != 0)
		return rc;
	tp->in_picker = true;
	tp_update_interest(tp);
	return 0;
}

static int ev_have(struct tpeer *tp, const struct btt_peer_ev *ev)
{
	struct btt_torrent *t = tp->t;
	int rc;

	if (tp->picker_seed)
		return 0;
	if ((rc = btt_picker_peer_have(t->pk, ev->index)) != 0)
		return rc;
	if (!tp->core.am_interested && t->state == BTT_TORRENT_DOWNLOADING &&
	    btt_picker_wanted(t->pk, ev->index))
		btt_peer_set_interested(&tp->core, true);
	return both_seeds(tp);
}

static int ev_interested(struct tpeer *tp, const struct btt_peer_ev *ev)
{
	(void)ev;
	tk_maybe_unchoke(tp);
	return 0;
}

static int ev_block(struct tpeer *tp, const struct btt_peer_ev *ev)
{
	return tx_block(tp, ev);
}

static int ev_released(struct tpeer *tp, const struct btt_peer_ev *ev)
{
	btt_picker_block_release(tp->t->pk, tp->id, ev->index,
				 ev->begin / BTT_PICKER_BLOCK);
	return 0;
}

static int ev_extended(struct tpeer *tp, const struct btt_peer_ev *ev)
{
	struct btt_torrent *t = tp->t;
	const struct btt_ext_hs *x = &tp->core.ext;

	(void)ev;
	/* An accepted peer names its listening port: remember it as a
	 * candidate we are connected to, so we do not dial it as well. */
	if (!tp->outgoing && tp->cand == TP_NONE && (x->has & BTT_EXT_HAS_P)) {
		struct btt_addr a = tp->addr;
		uint32_t c;
		a.port = x->p;
		c = tp_cand_add(t, &a);
		if (c != TP_NONE) {
			struct tcand *cd = btt_vec_at(&t->cands, c);
			if (cd->banned) {
				btt_peer_close(&tp->core, BTT_EDENIED,
					       "banned");
				return BTT_EDENIED;
			}
			if (!cd->connected) {
				cd->connected = true;
				tp->cand = c;
			}
		}
	}
	if ((x->has & BTT_EXT_HAS_UPLOAD_ONLY) && x->upload_only &&
	    tt_seeding(t)) {
		btt_peer_close(&tp->core, BTT_ESTATE, "both sides are seeds");
		return BTT_ESTATE;
	}
	return 0;
}

static int ev_misbehaved(struct tpeer *tp, const struct btt_peer_ev *ev)
{
	char buf[BTT_ADDR_STRLEN];

	BTT_LOG(BTT_LOG_DEBUG, "peer", "%s: %s (+%d)",
		btt_io_addr_to_str(&tp->addr, buf, sizeof(buf)), ev->why,
		ev->score);
	tp_cand_score(tp->t, tp, ev->score);
	return 0;
}

static int ev_nothing(struct tpeer *tp, const struct btt_peer_ev *ev)
{
	(void)tp;
	(void)ev;
	return 0;
}

static const ev_fn handlers[] = {
	[BTT_PEER_EV_HANDSHAKE] = ev_handshake,
	[BTT_PEER_EV_AVAIL] = ev_avail,
	[BTT_PEER_EV_HAVE] = ev_have,
	[BTT_PEER_EV_INTERESTED] = ev_interested,
	[BTT_PEER_EV_NOT_INTERESTED] = ev_nothing,
	[BTT_PEER_EV_CHOKED] = ev_nothing,   /* requests come back as */
	[BTT_PEER_EV_UNCHOKED] = ev_nothing, /* RELEASED; fills follow */
	[BTT_PEER_EV_REQUEST] = ev_nothing,  /* served after the feed */
	[BTT_PEER_EV_BLOCK] = ev_block,
	[BTT_PEER_EV_RELEASED] = ev_released,
	[BTT_PEER_EV_ALLOWED_FAST] = ev_nothing,
	[BTT_PEER_EV_EXTENDED] = ev_extended,
	[BTT_PEER_EV_MISBEHAVED] = ev_misbehaved,
};

int tp_event(void *arg, struct btt_peer *p, const struct btt_peer_ev *ev)
{
	struct tpeer *tp = arg;

	(void)p;
	if (!tp->t || tp->dead || ev->type <= 0 ||
	    ev->type >= (int)(sizeof(handlers) / sizeof(*handlers)) ||
	    !handlers[ev->type])
		return 0;
	return handlers[ev->type](tp, ev);
}
