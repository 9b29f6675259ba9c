/* The session (see session.h): the listener, routing incoming handshakes
 * to torrents, the tick that drives every torrent, signals, global limits
 * and shutdown.
 *
 * An accepted connection becomes a struct tpeer with t == NULL in
 * `inbound` until its first 48 bytes name a torrent; it is then handed to
 * that torrent (tp_adopt) with whatever bytes followed. One that names a
 * torrent still checking its data stays in `inbound` with reading paused
 * (its parser holds the handshake: tp->hs.n >= 48) and the tick hands it
 * over once the check is done. Inbound connections count against the
 * global peer limit from the start, so a flood of half-open handshakes
 * cannot exceed it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bt/handshake.h"
#include "bt/peer_id.h"
#include "bt/torrent_int.h"
#include "btt/err.h"
#include "core/log.h"
#include "io/loop.h"
#include "io/pool.h"
#include "io/signal.h"
#include "io/tcp.h"
#include "io/timer.h"

uint64_t ss_now(const struct btt_session *s)
{
	return btt_loop_now_ms(s->loop);
}

static struct btt_torrent *torrent_at(const struct btt_session *s, size_t i)
{
	return *(struct btt_torrent **)btt_vec_at(&s->tlist, i);
}

static struct tpeer *inbound_at(const struct btt_session *s, size_t i)
{
	return *(struct tpeer **)btt_vec_at(&s->inbound, i);
}

void ss_event(struct btt_session *s, struct btt_torrent *t, int event)
{
	if (s->o.on_event && !s->freeing)
		s->o.on_event(s->o.cb_arg, t, event);
}

bool ss_can_connect(const struct btt_session *s)
{
	return s->npeers < s->o.max_peers && !s->shutting_down;
}

/* ---- incoming connections ---- */

static void inbound_remove(struct btt_session *s, struct tpeer *tp)
{
	size_t last = btt_vec_len(&s->inbound) - 1;

	if (tp->slot != last) {
		struct tpeer *moved = inbound_at(s, last);
		*(struct tpeer **)btt_vec_at(&s->inbound, tp->slot) = moved;
		moved->slot = tp->slot;
	}
	btt_vec_pop(&s->inbound, NULL);
}

void ss_inbound_drop(struct tpeer *tp)
{
	struct btt_session *s = tp->s;

	inbound_remove(s, tp);
	s->npeers--;
	btt_tcp_close(tp->tcp, false, NULL, NULL);
	free(tp);
}

/* The connection's first 48 bytes named a torrent (it waits for the
 * torrent's check; see wait_check). */
static bool named(const struct tpeer *tp)
{
	return tp->hs.n >= BTT_HANDSHAKE_HEAD_LEN;
}

static struct btt_torrent *named_torrent(const struct btt_session *s,
					 const struct tpeer *tp)
{
	return btt_hmap_get_ptr(&s->torrents, tp->hs.hs.info_hash);
}

/* Hands the connection to t with the bytes that followed the first 48,
 * or drops it. */
static void hand_over(struct btt_session *s, struct btt_torrent *t,
		      struct tpeer *tp, const uint8_t *rest, size_t len)
{
	if (!t || !tt_running(t) || btt_vec_len(&t->peers) >= t->o.max_peers) {
		ss_inbound_drop(tp);
		return;
	}
	inbound_remove(s, tp);
	if (btt_tcp_read_paused(tp->tcp))
		btt_tcp_read_resume(tp->tcp);
	tp_adopt(t, tp, rest, len);
}

/* The torrent still checks its data: the connection waits with reading
 * paused, so whatever the peer sends next stays in the socket. The peer
 * id, if it came along, is kept in the parser; a peer that already sent
 * more than its handshake is dropped, there being nowhere to keep that. */
static void wait_check(struct tpeer *tp, const uint8_t *rest, size_t len)
{
	size_t used = 0;

	if (len)
		btt_handshake_parse(&tp->hs, rest, len, &used);
	if (used < len) {
		ss_inbound_drop(tp);
		return;
	}
	btt_tcp_read_pause(tp->tcp);
}

void ss_inbound_read(struct tpeer *tp, const uint8_t *data, size_t len)
{
	struct btt_torrent *t;
	size_t used = 0;
	int r = btt_handshake_parse(&tp->hs, data, len, &used);

	if (r == BTT_HANDSHAKE_NEED)
		return;
	if (r < 0) {
		ss_inbound_drop(tp);
		return;
	}
	t = named_torrent(tp->s, tp);
	if (t && t->state == BTT_TORRENT_CHECKING)
		wait_check(tp, data + used, len - used);
	else
		hand_over(tp->s, t, tp, data + used, len - used);
}

/* Connections that wait for a check: handed over once it is done. */
static void route_waiting(struct btt_session *s)
{
	uint8_t id[BTT_HANDSHAKE_LEN - BTT_HANDSHAKE_HEAD_LEN];

	/* Backwards: hand_over moves the last entry into slot i. */
	for (size_t i = btt_vec_len(&s->inbound); i-- > 0;) {
		struct tpeer *tp;
		struct btt_torrent *t;
		size_t k;
		if (i >= btt_vec_len(&s->inbound))
			continue;
		tp = inbound_at(s, i);
		t = named(tp) ? named_torrent(s, tp) : NULL;
		if (!named(tp) || (t && t->state == BTT_TORRENT_CHECKING))
			continue;
		/* The peer core takes the parser as it was when the first 48
		 * bytes arrived and reads the peer id from what it is fed. */
		k = tp->hs.n - BTT_HANDSHAKE_HEAD_LEN;
		memcpy(id, tp->hs.buf + BTT_HANDSHAKE_HEAD_LEN, k);
		tp->hs.n = BTT_HANDSHAKE_HEAD_LEN;
		hand_over(s, t, tp, id, k);
	}
}

static void on_accept(struct btt_tcp_listener *l, int status,
		      struct btt_tcp *conn, void *arg)
{
	struct btt_session *s = arg;
	struct tpeer *tp;

	(void)l;
	if (status < 0 || !conn)
		return;
	if (!ss_can_connect(s) ||
	    btt_vec_len(&s->inbound) >= BTT_SESSION_MAX_HANDSHAKES) {
		btt_tcp_close(conn, false, NULL, NULL);
		return;
	}
	tp = calloc(1, sizeof(*tp));
	if (!tp)
		abort();
	tp->s = s;
	tp->tcp = conn;
	tp->addr = *btt_tcp_peer(conn);
	tp->born = ss_now(s);
	tp->counted = true;
	tp->slot = (uint32_t)btt_vec_len(&s->inbound);
	if (!btt_vec_push(&s->inbound, &tp) ||
	    btt_tcp_start(conn, &tp_tcp_ops, tp) != 0) {
		if (btt_vec_len(&s->inbound) > tp->slot)
			btt_vec_pop(&s->inbound, NULL);
		btt_tcp_close(conn, false, NULL, NULL);
		free(tp);
		return;
	}
	s->npeers++;
}

static void expire_inbound(struct btt_session *s, uint64_t now)
{
	for (size_t i = btt_vec_len(&s->inbound); i-- > 0;) {
		struct tpeer *tp = inbound_at(s, i);
		if (now - tp->born >= BTT_SESSION_ROUTE_MS)
			ss_inbound_drop(tp);
	}
}

/* ---- timers and shutdown ---- */

static void on_tick(struct btt_timer *tm, void *arg)
{
	struct btt_session *s = arg;
	uint64_t now = ss_now(s);
	bool second = s->ticks++ % (1000 / BTT_SESSION_TICK_MS) == 0;

	(void)tm;
	btt_ratelimit_refill(&s->down, now);
	btt_ratelimit_refill(&s->up, now);
	for (size_t i = 0; i < btt_vec_len(&s->tlist); i++)
		tk_tick(torrent_at(s, i), now, second);
	route_waiting(s);
	if (second)
		expire_inbound(s, now);
}

static bool all_stopped(const struct btt_session *s)
{
	for (size_t i = 0; i < btt_vec_len(&s->tlist); i++)
		if (torrent_at(s, i)->state != BTT_TORRENT_STOPPED)
			return false;
	return true;
}

static void idle_cb(struct btt_timer *tm, void *arg)
{
	struct btt_session *s = arg;

	(void)tm;
	if (s->idle_sent || !s->shutting_down || !all_stopped(s))
		return;
	s->idle_sent = true;
	if (s->o.on_idle)
		s->o.on_idle(s->o.cb_arg);
}

void ss_torrent_stopped(struct btt_session *s)
{
	/* From the loop, never from inside a torrent's own callbacks. */
	if (s->shutting_down && !s->idle_sent)
		btt_timer_start(s->idle_timer, 0, 0);
}

void btt_session_shutdown(struct btt_session *s)
{
	if (s->shutting_down)
		return;
	s->shutting_down = true;
	btt_tcp_listener_free(s->listener);
	s->listener = NULL;
	for (size_t i = btt_vec_len(&s->inbound); i-- > 0;)
		ss_inbound_drop(inbound_at(s, i));
	for (size_t i = 0; i < btt_vec_len(&s->tlist); i++)
		btt_torrent_stop(torrent_at(s, i));
	btt_timer_start(s->idle_timer, 0, 0);
}

bool btt_session_shutting_down(const struct btt_session *s)
{
	return s->shutting_down;
}

static void on_signal(struct btt_signal *sig, int signum, void *arg)
{
	struct btt_session *s = arg;

	(void)sig;
	BTT_LOG(BTT_LOG_INFO, "session", "signal %d: stopping", signum);
	btt_session_shutdown(s);
}

/* ---- creation ---- */

static int listen_on(struct btt_session *s)
{
	struct btt_addr a = s->o.listen;
	int rc = -EADDRINUSE;

	if (a.family == BTT_AF_NONE)
		btt_io_addr_parse_ip("0.0.0.0", 7, 0, &a);
	if (!s->o.default_port)
		rc = btt_tcp_listen(s->loop, &a, 0, on_accept, s, &s->listener);
	for (uint16_t p = BTT_SESSION_PORT_FIRST;
	     s->o.default_port && p <= BTT_SESSION_PORT_LAST && rc; p++) {
		a.port = p;
		rc = btt_tcp_listen(s->loop, &a, 0, on_accept, s, &s->listener);
	}
	if (rc == 0)
		btt_tcp_listener_addr(s->listener, &s->listen);
	return rc;
}

static int start(struct btt_session *s)
{
	unsigned threads = s->o.threads ? s->o.threads : btt_pool_cpus();
	int rc;

	if (threads < 2)
		threads = 2;
	if (threads > BTT_POOL_MAX_THREADS)
		threads = BTT_POOL_MAX_THREADS;
	if ((rc = btt_pool_new(threads, &s->pool)) != 0 ||
	    (rc = btt_loop_pool_attach(s->loop, s->pool)) != 0 ||
	    (rc = listen_on(s)) != 0 ||
	    (rc = btt_timer_new(s->loop, on_tick, s, &s->tick)) != 0 ||
	    (rc = btt_timer_new(s->loop, idle_cb, s, &s->idle_timer)) != 0)
		return rc;
	if (s->o.handle_signals &&
	    (rc = btt_signal_shutdown_new(s->loop, on_signal, s, &s->sig)) != 0)
		return rc;
	btt_timer_start(s->tick, BTT_SESSION_TICK_MS, BTT_SESSION_TICK_MS);
	return 0;
}

int btt_session_new(struct btt_loop *loop, const struct btt_session_opts *o,
		    struct btt_session **out)
{
	struct btt_session *s = calloc(1, sizeof(*s));
	uint64_t now = btt_loop_now_ms(loop);
	int rc;

	if (!s)
		abort();
	*out = NULL;
	s->loop = loop;
	s->o = *o;
	if (!s->o.max_peers)
		s->o.max_peers = BTT_SESSION_DEFAULT_PEERS;
	btt_peer_id_new(s->peer_id);
	btt_hmap_init(&s->torrents, 20);
	btt_vec_init(&s->tlist, sizeof(struct btt_torrent *));
	btt_vec_init(&s->inbound, sizeof(struct tpeer *));
	btt_ratelimit_init(&s->down, o->down_limit, now);
	btt_ratelimit_init(&s->up, o->up_limit, now);
	if ((rc = start(s)) != 0) {
		btt_session_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void btt_session_free(struct btt_session *s)
{
	if (!s)
		return;
	s->freeing = true;
	s->shutting_down = true;
	btt_signal_free(s->sig);
	btt_timer_free(s->tick);
	btt_timer_free(s->idle_timer);
	btt_tcp_listener_free(s->listener);
	for (size_t i = btt_vec_len(&s->inbound); i-- > 0;)
		ss_inbound_drop(inbound_at(s, i));
	for (size_t i = 0; i < btt_vec_len(&s->tlist); i++) {
		struct btt_torrent *t = torrent_at(s, i);
		tp_drop_all(t);
		tg_release(t);
		/* Cancels a check still running; a storage already closing
		 * refuses, which is fine. */
		if (!t->storage_closed)
			btt_bt_storage_close(t->st, NULL, tt_close_done, t);
	}
	/* Storage jobs point at their torrents: let them all finish (their
	 * callbacks see `freeing` and do nothing) before freeing. */
	if (s->pool) {
		while (btt_pool_pending(s->pool))
			btt_pool_wait(s->pool);
		btt_loop_pool_detach(s->loop, s->pool);
	}
	for (size_t i = 0; i < btt_vec_len(&s->tlist); i++)
		tt_free(torrent_at(s, i));
	btt_pool_free(s->pool);
	btt_hmap_release(&s->torrents);
	btt_vec_release(&s->tlist);
	btt_vec_release(&s->inbound);
	free(s);
}

/* ---- torrents ---- */

int btt_session_add(struct btt_session *s, const struct btt_metainfo *mi,
		    const struct btt_torrent_opts *o, struct btt_torrent **out)
{
	struct btt_torrent *t;
	int rc;

	*out = NULL;
	if (s->shutting_down)
		return BTT_ESTATE;
	if ((rc = tt_new(s, mi, o, &t)) != 0)
		return rc;
	if (btt_hmap_get_ptr(&s->torrents, t->ih) ||
	    (t->has_alt && btt_hmap_get_ptr(&s->torrents, t->ih_alt))) {
		tt_free(t);
		return BTT_EDUPLICATE;
	}
	if (!btt_vec_push(&s->tlist, &t) ||
	    btt_hmap_put_ptr(&s->torrents, t->ih, t) != 0 ||
	    (t->has_alt && btt_hmap_put_ptr(&s->torrents, t->ih_alt, t) != 0))
		abort();
	tt_start(t);
	*out = t;
	return 0;
}

void btt_session_listen_addr(const struct btt_session *s, struct btt_addr *out)
{
	*out = s->listen;
}

const uint8_t *btt_session_peer_id(const struct btt_session *s)
{
	return s->peer_id;
}

void btt_session_stats(const struct btt_session *s,
		       struct btt_session_stats *out)
{
	out->peers = s->npeers;
	out->max_peers = s->o.max_peers;
	out->handshakes = (uint32_t)btt_vec_len(&s->inbound);
	out->waiting = 0;
	for (size_t i = 0; i < btt_vec_len(&s->inbound); i++)
		out->waiting += named(inbound_at(s, i));
	out->torrents = (uint32_t)btt_vec_len(&s->tlist);
}
