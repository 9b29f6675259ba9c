/* Peer connections of a torrent: the TCP glue around the sans-I/O peer
 * (struct btt_peer), dialling candidates, adopting accepted connections,
 * pausing reads, and dropping peers.
 *
 * Every connection, routed or not, uses tp_tcp_ops with a struct tpeer as
 * its argument; tp->t is NULL while the session still routes an incoming
 * one. Reading is paused while the storage refuses writes, while a rate
 * limit is in debt, and while the peer's write queue is over its
 * high-water mark (so a peer that does not read cannot make us queue
 * answers without bound). Candidates are keyed by ip:port, never by IP
 * alone, since on loopback every peer shares one IP. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bt/handshake.h"
#include "bt/hashes.h"
#include "bt/torrent_int.h"
#include "btt/err.h"
#include "btt/version.h"
#include "core/log.h"
#include "io/loop.h"
#include "io/tcp.h"

static const char client_name[] = "btt " BTT_VERSION;

/* ---- lookups ---- */

struct tpeer *tp_by_id(const struct btt_torrent *t, uint32_t id)
{
	return btt_hmap_get_ptr(&t->by_id, &id);
}

static struct tpeer *peer_at(const struct btt_torrent *t, size_t i)
{
	return *(struct tpeer **)btt_vec_at(&t->peers, i);
}

static struct tcand *cand_at(const struct btt_torrent *t, uint32_t i)
{
	return btt_vec_at(&t->cands, i);
}

void tp_picker_peer(const struct tpeer *tp, struct btt_picker_peer *out)
{
	memset(out, 0, sizeof(*out));
	out->id = tp->id;
	out->have = &tp->core.have;
	out->has_all = tp->picker_seed;
	out->snubbed = tp->core.snubbed;
	out->fast_only = tp->core.peer_choking;
	out->allowed_fast = tp->core.allowed_fast;
	out->num_allowed_fast = tp->core.num_allowed_fast;
}

/* ---- candidates ---- */

static bool is_us(const struct btt_torrent *t, const struct btt_addr *a)
{
	const struct btt_addr *l = &t->s->listen;
	static const uint8_t zero[16];

	if (a->port != l->port)
		return false;
	if (btt_io_addr_eq(a, l))
		return true;
	/* Listening on every address: our own port on loopback is us. */
	return memcmp(l->ip, zero, 16) == 0 && btt_io_addr_is_loopback(a);
}

uint32_t tp_cand_add(struct btt_torrent *t, const struct btt_addr *a)
{
	struct tcand c = {0};
	uint64_t idx;

	if (a->family == BTT_AF_NONE || a->port == 0 || is_us(t, a))
		return TP_NONE;
	if (btt_hmap_get(&t->cand_by, a, &idx))
		return (uint32_t)idx;
	if (btt_vec_len(&t->cands) >= BTT_TORRENT_MAX_CANDIDATES)
		return TP_NONE;
	c.addr = *a;
	idx = btt_vec_len(&t->cands);
	if (!btt_vec_push(&t->cands, &c))
		return TP_NONE;
	if (btt_hmap_put(&t->cand_by, a, idx) != 0) {
		btt_vec_pop(&t->cands, NULL);
		return TP_NONE;
	}
	return (uint32_t)idx;
}

void btt_torrent_add_peer(struct btt_torrent *t, const struct btt_addr *a)
{
	if (t->state < BTT_TORRENT_STOPPING)
		tp_cand_add(t, a);
}

void tp_cand_score(struct btt_torrent *t, struct tpeer *tp, int score)
{
	struct tcand *c;
	char buf[BTT_ADDR_STRLEN];

	if (tp->cand == TP_NONE)
		return;
	c = cand_at(t, tp->cand);
	c->score += score;
	if (c->score >= BTT_TORRENT_BAN_SCORE && !c->banned) {
		c->banned = true;
		BTT_LOG(BTT_LOG_WARN, "torrent", "banned peer %s",
			btt_io_addr_to_str(&c->addr, buf, sizeof(buf)));
	}
}

/* After a connection ends: when to try the address again. */
static void cand_closed(struct btt_torrent *t, struct tpeer *tp)
{
	struct tcand *c = cand_at(t, tp->cand);
	uint64_t now = ss_now(t->s), delay;

	c->connected = false;
	if (tp->core.self) {
		c->self = true;
		return;
	}
	if (tp->handshaken && tp->payload)
		c->fails = 0;
	else if (c->fails < 16)
		c->fails++;
	/* 2 s after a good connection or a first failure, doubling with
	 * each further failure. */
	delay = (uint64_t)TP_RETRY_MS << (c->fails < 2	  ? 0
					  : c->fails < 10 ? c->fails - 1
							  : 9);
	if (delay > TP_RETRY_MAX_MS)
		delay = TP_RETRY_MAX_MS;
	if (c->next_try < now + delay)
		c->next_try = now + delay;
}

/* ---- sending and reading ---- */

void tp_flush(struct tpeer *tp)
{
	struct btt_wbuf *w = &tp->core.out;

	if (!w->len)
		return;
	if (tp->tcp)
		btt_tcp_write(tp->tcp, w->buf, w->len);
	btt_peer_out_clear(&tp->core);
}

void tp_update_read(struct tpeer *tp)
{
	struct btt_torrent *t = tp->t;
	bool pause;

	if (!t || !tp->tcp || tp->dead)
		return;
	pause = t->disk_full || !btt_ratelimit_ok(&t->down) ||
		!btt_ratelimit_ok(&t->s->down) || btt_tcp_write_full(tp->tcp);
	if (pause == tp->paused)
		return;
	tp->paused = pause;
	if (pause)
		btt_tcp_read_pause(tp->tcp);
	else
		btt_tcp_read_resume(tp->tcp);
}

static void peer_read(struct tpeer *tp, const uint8_t *data, size_t len)
{
	struct btt_torrent *t = tp->t;
	int rc;

	btt_ratelimit_take(&t->down, len);
	btt_ratelimit_take(&t->s->down, len);
	tp->in_feed = true;
	rc = btt_peer_feed(&tp->core, data, len, ss_now(t->s));
	tp->in_feed = false;
	if (rc || tp->dead) {
		tp_drop(tp, rc ? rc : tp->dead_err,
			tp->core.why[0] ? tp->core.why : "closed");
		return;
	}
	tp_flush(tp);
	tx_fill(tp);
	tx_serve(tp);
	tp_update_read(tp);
}

/* ---- TCP callbacks ---- */

static void on_read(struct btt_tcp *c, const uint8_t *data, size_t len,
		    void *arg)
{
	struct tpeer *tp = arg;

	(void)c;
	if (!tp->t)
		ss_inbound_read(tp, data, len);
	else
		peer_read(tp, data, len);
}

static void on_drain(struct btt_tcp *c, void *arg)
{
	struct tpeer *tp = arg;

	(void)c;
	if (!tp->t)
		return;
	tp_update_read(tp);
	tx_serve(tp);
}

static void on_error(struct btt_tcp *c, int err, void *arg)
{
	struct tpeer *tp = arg;

	(void)c;
	if (!tp->t) {
		ss_inbound_drop(tp);
		return;
	}
	tp_drop(tp, err,
		err == BTT_EEOF ? "closed by the peer" : btt_strerror(err));
}

const struct btt_tcp_ops tp_tcp_ops = {
	.on_read = on_read,
	.on_drain = on_drain,
	.on_error = on_error,
};

/* ---- creating and dropping ---- */

/* BEP 52: a peer's hash request, answered from the .torrent's piece
 * layers (a torrent from a magnet has none: every request is rejected). */
static int serve_hashes(void *arg, const struct btt_wire_msg *req,
			struct btt_wbuf *out)
{
	struct tpeer *tp = arg;
	struct btt_torrent *t = tp->t;
	char buf[BTT_ADDR_STRLEN];
	int rc = 0;

	if (!t->mi->has_v2)
		rc = BTT_EUNSUPPORTED;
	else if (!t->hashes)
		rc = btt_hashes_new(t->mi, BTT_HASHES_MAX_CACHE, &t->hashes);
	if (rc == 0)
		rc = btt_hashes_put(t->hashes, req, out);
	BTT_LOG(BTT_LOG_DEBUG, "peer",
		"%s: hash request layer %u, %u+%u, proof %u: %s",
		btt_io_addr_to_str(&tp->addr, buf, sizeof(buf)), req->base,
		req->index, req->length, req->proof,
		rc ? btt_strerror(rc) : "served");
	return rc;
}

/* The peer's IPv4 address in host order, for its allowed-fast set. */
static bool peer_ipv4(const struct tpeer *tp, uint32_t *out)
{
	const uint8_t *ip = tp->addr.ip;

	if (tp->addr.family != BTT_AF_INET)
		return false;
	*out = (uint32_t)ip[0] << 24 | (uint32_t)ip[1] << 16 |
	       (uint32_t)ip[2] << 8 | ip[3];
	return true;
}

static int core_init(struct btt_torrent *t, struct tpeer *tp,
		     const uint8_t info_hash[20])
{
	struct btt_peer_cfg cfg = {
		.npieces = t->mi->num_pieces,
		.piece_size = tx_piece_span,
		.ctx = t,
		.have = btt_bt_storage_have(t->st),
		.listen_port = t->s->listen.port,
		.upload_only = tt_seeding(t),
		.client = client_name,
		.hashes = serve_hashes,
		.hashes_arg = tp,
	};
	int rc;

	cfg.has_ipv4 = peer_ipv4(tp, &cfg.ipv4);
	memcpy(cfg.info_hash, info_hash, 20);
	if (t->has_alt) {
		memcpy(cfg.info_hash_alt,
		       memcmp(info_hash, t->ih, 20) ? t->ih : t->ih_alt, 20);
		cfg.has_alt = true;
	}
	memcpy(cfg.peer_id, t->s->peer_id, 20);
	btt_handshake_reserved(cfg.reserved, false,
			       t->mi->version == BTT_META_HYBRID);
	rc = btt_peer_init(&tp->core, &cfg, tp->outgoing, tp_event, tp,
			   ss_now(t->s));
	tp->core_ready = rc == 0;
	return rc;
}

static int attach(struct btt_torrent *t, struct tpeer *tp)
{
	struct tpeer **slot;

	do {
		tp->id = t->next_id++;
	} while (tp->id == 0 || tp->id >= TP_PAD_ID);
	tp->t = t;
	tp->slot = (uint32_t)btt_vec_len(&t->peers);
	slot = btt_vec_push(&t->peers, &tp);
	if (!slot)
		return -ENOMEM;
	if (btt_hmap_put_ptr(&t->by_id, &tp->id, tp) != 0) {
		btt_vec_pop(&t->peers, NULL);
		return -ENOMEM;
	}
	return 0;
}

static void detach(struct btt_torrent *t, struct tpeer *tp)
{
	size_t last = btt_vec_len(&t->peers) - 1;

	if (tp->slot != last) {
		struct tpeer *moved = peer_at(t, last);
		*(struct tpeer **)btt_vec_at(&t->peers, tp->slot) = moved;
		moved->slot = tp->slot;
	}
	btt_vec_pop(&t->peers, NULL);
	btt_hmap_remove(&t->by_id, &tp->id, NULL);
}

static void free_peer(struct tpeer *tp)
{
	if (tp->tcp)
		btt_tcp_close(tp->tcp, false, NULL, NULL);
	if (tp->core_ready)
		btt_peer_release(&tp->core);
	free(tp);
}

void tp_drop(struct tpeer *tp, int err, const char *why)
{
	struct btt_torrent *t = tp->t;
	struct btt_picker_peer pp;
	char buf[BTT_ADDR_STRLEN];

	if (tp->in_feed) {
		if (!tp->dead) {
			tp->dead = true;
			tp->dead_err = err ? err : BTT_ECANCELLED;
			btt_peer_close(&tp->core, tp->dead_err, why);
		}
		return;
	}
	BTT_LOG(BTT_LOG_DEBUG, "peer", "%s: %s (%s)",
		btt_io_addr_to_str(&tp->addr, buf, sizeof(buf)), why,
		btt_strerror(err));
	if (tp->in_picker) {
		tp_picker_peer(tp, &pp);
		btt_picker_peer_remove(t->pk, &pp);
	}
	if (tp->cand != TP_NONE)
		cand_closed(t, tp);
	if (tp->handshaken)
		t->npeers_active--;
	if (tp->counted)
		t->s->npeers--;
	detach(t, tp);
	free_peer(tp);
}

void tp_drop_all(struct btt_torrent *t)
{
	for (size_t i = btt_vec_len(&t->peers); i-- > 0;)
		tp_drop(peer_at(t, i), BTT_ECANCELLED, "torrent stopping");
	btt_hashes_free(t->hashes);
	t->hashes = NULL;
}

int tp_connect(struct btt_torrent *t, uint32_t cand)
{
	struct tcand *c = cand_at(t, cand);
	struct tpeer *tp = calloc(1, sizeof(*tp));
	uint64_t now = ss_now(t->s);
	int rc;

	if (!tp)
		abort();
	tp->s = t->s;
	tp->addr = c->addr;
	tp->cand = cand;
	tp->outgoing = true;
	tp->born = now;
	if ((rc = attach(t, tp)) != 0) {
		free(tp);
		return rc;
	}
	c->connected = true;
	tp->counted = true;
	t->s->npeers++;
	if ((rc = core_init(t, tp, t->ih)) != 0 ||
	    (rc = btt_tcp_connect(t->s->loop, &tp->addr, TP_CONNECT_MS,
				  &tp_tcp_ops, tp, &tp->tcp)) != 0) {
		tp_drop(tp, rc, "cannot connect");
		return rc;
	}
	btt_peer_start(&tp->core, NULL, now);
	tp_flush(tp);
	return 0;
}

void tp_adopt(struct btt_torrent *t, struct tpeer *tp, const uint8_t *rest,
	      size_t len)
{
	int rc;

	tp->cand = TP_NONE;
	if ((rc = attach(t, tp)) != 0) {
		free_peer(tp);
		return;
	}
	if ((rc = core_init(t, tp, tp->hs.hs.info_hash)) != 0) {
		tp_drop(tp, rc, "no memory");
		return;
	}
	btt_tcp_set_arg(tp->tcp, tp);
	btt_peer_start(&tp->core, &tp->hs, ss_now(t->s));
	tp_flush(tp);
	if (len)
		peer_read(tp, rest, len);
}

/* Dials candidates while the torrent and the session have room. */
void tp_dial(struct btt_torrent *t)
{
	uint64_t now = ss_now(t->s);
	size_t n = btt_vec_len(&t->cands);

	if (!tt_running(t) || t->s->shutting_down)
		return;
	for (size_t i = 0; i < n; i++) {
		struct tcand *c = cand_at(t, (uint32_t)i);
		if (btt_vec_len(&t->peers) >= t->o.max_peers ||
		    !ss_can_connect(t->s))
			break;
		if (c->connected || c->banned || c->self || c->next_try > now)
			continue;
		tp_connect(t, (uint32_t)i);
	}
}
