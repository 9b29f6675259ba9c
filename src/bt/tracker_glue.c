/* Announces of one torrent: drives the scheduler (announce.h) and carries
 * each announce over HTTP (io/http.h, parsed by tracker_http.c) or UDP
 * (io/udp.h, the BEP 15 state machine of tracker_udp.c).
 *
 * One struct tg_tracker per tracker of the torrent (none for a torrent
 * without trackers). A UDP tracker gets its BEP 15 state (about 8 KiB)
 * and its own socket on first use, so replies are matched by socket
 * and sender; host names are resolved with getaddrinfo as a low-priority
 * pool job, which refers back to its tracker by (torrent, index,
 * generation): a result that arrives after the tracker moved on is
 * dropped. Every SEND the scheduler asks for is answered with
 * btt_announce_on_result exactly once, an error when the transport
 * failed. Peers from successful announces become candidates. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "bt/torrent_int.h"
#include "btt/err.h"
#include "core/log.h"
#include "io/http.h"
#include "io/loop.h"
#include "io/pool.h"
#include "io/timer.h"
#include "io/udp.h"

#define TG_HTTP_TIMEOUT_MS 15000
#define TG_NUMWANT 50

struct tg_tracker {
	struct btt_torrent *t;
	uint32_t idx;
	struct btt_http_req *http;
	struct btt_tracker_udp *udp; /* NULL until the first UDP announce */
	struct btt_udp *sock;
	struct btt_timer *timer;
	struct btt_addr addr; /* resolved UDP tracker address */
	bool have_addr;
	bool resolving;
	uint32_t gen; /* bumped whenever a resolution is abandoned */
	struct btt_tracker_params pending; /* waits for the address */
};

struct tg_resolve {
	struct btt_torrent *t;
	uint32_t idx, gen;
	char host[256];
	uint16_t port;
	int err;
	struct btt_addr addr;
};

static void deliver(struct tg_tracker *g, struct btt_tracker_result *r);

int tg_init(struct btt_torrent *t)
{
	const struct btt_metainfo *mi = t->mi;
	int rc = btt_announce_init(&t->ann, (const char *const *)mi->trackers,
				   mi->tracker_tier, mi->num_trackers,
				   TG_NUMWANT);

	if (rc)
		return rc;
	if (!t->ann.n)
		return 0;
	t->tg = calloc(t->ann.n, sizeof(*t->tg));
	if (!t->tg)
		abort();
	for (uint32_t i = 0; i < t->ann.n; i++) {
		t->tg[i].t = t;
		t->tg[i].idx = i;
	}
	return 0;
}

static void abandon(struct tg_tracker *g)
{
	btt_http_cancel(g->http);
	g->http = NULL;
	if (g->udp)
		btt_tracker_udp_cancel(g->udp);
	if (g->timer)
		btt_timer_stop(g->timer);
	g->resolving = false;
	g->gen++;
}

void tg_release(struct btt_torrent *t)
{
	for (uint32_t i = 0; t->tg && i < t->ann.n; i++) {
		struct tg_tracker *g = &t->tg[i];
		abandon(g);
		btt_timer_free(g->timer);
		btt_udp_free(g->sock);
		if (g->udp)
			btt_tracker_udp_release(g->udp);
		free(g->udp);
	}
	free(t->tg);
	t->tg = NULL;
	btt_announce_release(&t->ann);
}

/* ---- results ---- */

static void add_peers(struct btt_torrent *t, const struct btt_tracker_result *r)
{
	for (uint32_t i = 0; i < r->num_peers; i++) {
		const struct btt_tracker_peer *p = &r->peers[i];
		struct btt_addr a;
		if (p->ip_len == 4)
			btt_io_addr_set_ipv4(&a, p->ip, p->port);
		else
			btt_io_addr_set_ipv6(&a, p->ip, p->port);
		btt_torrent_add_peer(t, &a);
	}
}

static void deliver(struct tg_tracker *g, struct btt_tracker_result *r)
{
	struct btt_torrent *t = g->t;
	const char *url = t->ann.t[g->idx].url;
	int64_t now = (int64_t)ss_now(t->s);

	if (r->err)
		BTT_LOG(BTT_LOG_WARN, "tracker", "%s: %s", url,
			r->message[0] ? r->message : btt_strerror(r->err));
	else if (r->warning[0])
		BTT_LOG(BTT_LOG_INFO, "tracker", "%s: warning: %s", url,
			r->warning);
	else
		BTT_LOG(BTT_LOG_DEBUG, "tracker", "%s: %u peers", url,
			r->num_peers);
	if (!r->err && tt_running(t))
		add_peers(t, r);
	btt_announce_on_result(&t->ann, g->idx, r, now);
	btt_tracker_result_release(r);
	/* Inside tg_pump (a transport failed at once) the pump's own loop
	 * goes on; calling it again here would recurse once per tracker. */
	if (!t->tg_pumping) {
		tg_pump(t);
		tp_dial(t);
	}
}

static void fail_now(struct tg_tracker *g, int err, const char *what)
{
	struct btt_tracker_result r;

	btt_tracker_result_init(&r);
	btt_tracker_result_fail(&r, err, "%s: %s", what, btt_strerror(err));
	deliver(g, &r);
}

/* ---- HTTP ---- */

static void http_done(void *arg, int err, int status, const uint8_t *body,
		      size_t len, const char *errmsg)
{
	struct tg_tracker *g = arg;
	struct btt_tracker_result r;
	char esc[160];

	g->http = NULL;
	btt_tracker_result_init(&r);
	if (err) {
		btt_log_escape(errmsg, strlen(errmsg), esc, sizeof(esc));
		btt_tracker_result_fail(&r, err, "%s",
					esc[0] ? esc : btt_strerror(err));
	} else if (btt_tracker_http_parse(body, len, &r) && status != 200) {
		btt_tracker_result_release(&r);
		btt_tracker_result_init(&r);
		btt_tracker_result_fail(&r, BTT_EHTTP, "HTTP status %d",
					status);
	}
	deliver(g, &r);
}

static void send_http(struct tg_tracker *g, const struct btt_tracker_params *p,
		      uint32_t timeout)
{
	struct btt_torrent *t = g->t;
	char *url = NULL;
	int rc = btt_tracker_http_announce_url(t->ann.t[g->idx].url, p, &url);

	if (rc == 0)
		rc = btt_http_get(t->s->loop, url, timeout,
				  BTT_TRACKER_MAX_RESPONSE, http_done, g,
				  &g->http);
	free(url);
	if (rc)
		fail_now(g, rc, "announce");
}

/* ---- UDP ---- */

static void udp_apply(struct tg_tracker *g,
		      const struct btt_tracker_udp_out *out)
{
	struct btt_torrent *t = g->t;
	int64_t now = (int64_t)ss_now(t->s);
	struct btt_tracker_result r;

	if (out->send)
		btt_udp_send(g->sock, &g->addr, out->send, out->send_len);
	if (out->timeout >= 0)
		btt_timer_start(
			g->timer,
			out->timeout > now ? (uint64_t)(out->timeout - now) : 0,
			0);
	else
		btt_timer_stop(g->timer);
	if (out->done) {
		btt_tracker_result_init(&r);
		btt_tracker_result_move(&r, &g->udp->result);
		deliver(g, &r);
	}
}

static void udp_recv(struct btt_udp *u, const struct btt_addr *from,
		     const uint8_t *data, size_t len, void *arg)
{
	struct tg_tracker *g = arg;
	struct btt_tracker_udp_out out;

	(void)u;
	if (!g->udp || !btt_io_addr_eq(from, &g->addr) ||
	    g->udp->state == BTT_UDP_IDLE || g->udp->state == BTT_UDP_DONE)
		return;
	btt_tracker_udp_feed(g->udp, data, len, (int64_t)ss_now(g->t->s), &out);
	udp_apply(g, &out);
}

static void udp_timer(struct btt_timer *tm, void *arg)
{
	struct tg_tracker *g = arg;
	struct btt_tracker_udp_out out;

	(void)tm;
	if (!g->udp)
		return;
	btt_tracker_udp_timer(g->udp, (int64_t)ss_now(g->t->s), &out);
	udp_apply(g, &out);
}

static void udp_start(struct tg_tracker *g)
{
	struct btt_torrent *t = g->t;
	struct btt_tracker_udp_out out;
	struct btt_addr any = {0};
	int rc = 0;

	if (!g->sock) {
		any.family = g->addr.family;
		rc = btt_udp_bind(t->s->loop, &any, udp_recv, g, &g->sock);
		if (rc == 0 && !g->timer)
			rc = btt_timer_new(t->s->loop, udp_timer, g, &g->timer);
		if (rc) {
			fail_now(g, rc, "UDP socket");
			return;
		}
	}
	if (g->udp)
		btt_tracker_udp_release(g->udp);
	else if (!(g->udp = malloc(sizeof(*g->udp))))
		abort();
	btt_tracker_udp_init(g->udp, g->addr.family == BTT_AF_INET6);
	rc = btt_tracker_udp_announce(g->udp, &g->pending,
				      (int64_t)ss_now(t->s), &out);
	if (rc) {
		fail_now(g, rc, "announce");
		return;
	}
	udp_apply(g, &out);
}

static void resolve_work(void *arg)
{
	struct tg_resolve *r = arg;
	struct addrinfo hints = {0}, *res = NULL;

	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(r->host, NULL, &hints, &res) != 0 || !res) {
		r->err = BTT_ENOTFOUND;
		return;
	}
	r->err = BTT_ENOTFOUND;
	for (struct addrinfo *a = res; a; a = a->ai_next) {
		if (a->ai_family == AF_INET) {
			const struct sockaddr_in *s = (void *)a->ai_addr;
			btt_io_addr_set_ipv4(&r->addr,
					     (const uint8_t *)&s->sin_addr,
					     r->port);
			r->err = 0;
			break;
		}
		if (a->ai_family == AF_INET6 && r->err) {
			const struct sockaddr_in6 *s = (void *)a->ai_addr;
			btt_io_addr_set_ipv6(&r->addr,
					     (const uint8_t *)&s->sin6_addr,
					     r->port);
			r->err = 0;
		}
	}
	freeaddrinfo(res);
}

static void resolve_done(void *arg)
{
	struct tg_resolve *r = arg;
	struct btt_torrent *t = r->t;
	struct tg_tracker *g;

	if (t->s->freeing || !t->tg || r->idx >= t->ann.n ||
	    t->tg[r->idx].gen != r->gen || !t->tg[r->idx].resolving) {
		free(r);
		return;
	}
	g = &t->tg[r->idx];
	g->resolving = false;
	if (r->err) {
		free(r);
		fail_now(g, BTT_ENOTFOUND, "resolving the host");
		return;
	}
	g->addr = r->addr;
	g->have_addr = true;
	free(r);
	udp_start(g);
}

static void send_udp(struct tg_tracker *g, const struct btt_tracker_params *p)
{
	struct btt_torrent *t = g->t;
	struct tg_resolve *r;
	char host[256];
	uint16_t port;

	g->pending = *p;
	g->pending.tracker_id = NULL;
	g->pending.tracker_id_len = 0;
	if (g->have_addr) {
		udp_start(g);
		return;
	}
	if (btt_tracker_udp_url_parse(t->ann.t[g->idx].url, host, sizeof(host),
				      &port)) {
		fail_now(g, BTT_EINVALID, "tracker URL");
		return;
	}
	if (btt_io_addr_parse_ip(host, strlen(host), port, &g->addr) == 0) {
		g->have_addr = true;
		udp_start(g);
		return;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		abort();
	*r = (struct tg_resolve){
		.t = t, .idx = g->idx, .gen = g->gen, .port = port};
	memcpy(r->host, host, sizeof(r->host));
	g->resolving = true;
	btt_pool_submit(t->s->pool, BTT_POOL_LOW, resolve_work, resolve_done,
			r);
}

/* ---- scheduling ---- */

static void send_one(struct btt_torrent *t, const struct btt_announce_action *a)
{
	struct tg_tracker *g = &t->tg[a->tracker];
	uint64_t left = t->mi->total_length > t->have_bytes
				? t->mi->total_length - t->have_bytes
				: 0;
	struct btt_tracker_params p = {
		.port = t->s->listen.port,
		.uploaded = t->uploaded,
		.downloaded = t->downloaded,
		.left = btt_torrent_complete(t) ? 0 : left,
		.event = a->event,
		.numwant = a->numwant,
		.key = a->key,
		.tracker_id = a->tracker_id,
		.tracker_id_len = a->tracker_id_len,
	};

	memcpy(p.info_hash, t->ih, 20);
	memcpy(p.peer_id, t->s->peer_id, 20);
	BTT_LOG(BTT_LOG_DEBUG, "tracker", "%s: announce %s", a->url,
		btt_tracker_event_name(a->event));
	if (a->kind == BTT_TRACKER_HTTP)
		send_http(g, &p,
			  a->event == BTT_EVENT_STOPPED ? BTT_TORRENT_STOP_MS
							: TG_HTTP_TIMEOUT_MS);
	else
		send_udp(g, &p);
}

void tg_pump(struct btt_torrent *t)
{
	struct btt_announce_action a;
	int64_t now = (int64_t)ss_now(t->s);

	if (!t->tg || t->tg_pumping)
		return;
	t->tg_pumping = true;
	for (uint32_t guard = 0; guard <= 2 * t->ann.n + 2; guard++) {
		btt_announce_next(&t->ann, now, &a);
		if (a.what != BTT_ANNOUNCE_SEND)
			break;
		send_one(t, &a);
	}
	t->tg_pumping = false;
	if (a.what == BTT_ANNOUNCE_DONE && !t->announce_done) {
		t->announce_done = true;
		tt_stop_progress(t);
	}
}

void tg_completed(struct btt_torrent *t)
{
	btt_announce_completed(&t->ann);
	tg_pump(t);
}

void tg_more_peers(struct btt_torrent *t)
{
	if (t->tg)
		btt_announce_more_peers(&t->ann, (int64_t)ss_now(t->s));
}

void tg_stop(struct btt_torrent *t)
{
	if (!t->tg || !t->ann.n) {
		t->announce_done = true;
		return;
	}
	btt_announce_stop(&t->ann);
	tg_pump(t);
}
