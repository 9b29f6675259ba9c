/* UDP tracker client (BEP 15) as a state machine: connect, announce,
 * scrape, error replies, connection-id caching and retransmission.
 *
 * Invariants: at most one request is in progress; pkt holds the datagram
 * last sent and txid its transaction id; deadline is meaningful only in
 * CONNECTING and WAITING; a reply is acted on only when its transaction
 * id and action match what was sent. Datagrams are untrusted and read
 * with the byte cursor only. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "bt/tracker.h"
#include "btt/err.h"
#include "core/cur.h"
#include "core/rand.h"
#include "core/wbuf.h"

enum {
	ACT_CONNECT = 0,
	ACT_ANNOUNCE = 1,
	ACT_SCRAPE = 2,
	ACT_ERROR = 3,
};

void btt_tracker_udp_init(struct btt_tracker_udp *u, bool v6)
{
	memset(u, 0, sizeof(*u));
	u->v6 = v6;
	btt_tracker_result_init(&u->result);
}

void btt_tracker_udp_release(struct btt_tracker_udp *u)
{
	bool v6 = u->v6;

	btt_tracker_result_release(&u->result);
	btt_tracker_udp_init(u, v6);
}

static void out_clear(struct btt_tracker_udp_out *out)
{
	memset(out, 0, sizeof(*out));
	out->timeout = -1;
}

static bool busy(const struct btt_tracker_udp *u)
{
	return u->state == BTT_UDP_CONNECTING || u->state == BTT_UDP_WAITING;
}

/* A fresh transaction id, never the one just used, so a late reply to
 * the previous datagram cannot be taken for a reply to this one. */
static void new_txid(struct btt_tracker_udp *u)
{
	uint32_t t;

	do
		t = btt_rand_u32();
	while (t == u->txid);
	u->txid = t;
}

static void arm(struct btt_tracker_udp *u, int64_t now,
		struct btt_tracker_udp_out *out)
{
	u->deadline = now + ((int64_t)BTT_TRACKER_UDP_TIMEOUT << u->n);
	out->send = u->pkt;
	out->send_len = u->pkt_len;
	out->timeout = u->deadline;
}

static void send_connect(struct btt_tracker_udp *u, int64_t now,
			 struct btt_tracker_udp_out *out)
{
	struct btt_wbuf w;

	new_txid(u);
	btt_wbuf_init_fixed(&w, u->pkt, sizeof(u->pkt));
	btt_wbuf_put_u64be(&w, BTT_TRACKER_UDP_MAGIC);
	btt_wbuf_put_u32be(&w, ACT_CONNECT);
	btt_wbuf_put_u32be(&w, u->txid);
	u->pkt_len = w.len;
	u->state = BTT_UDP_CONNECTING;
	arm(u, now, out);
}

static void build_announce(struct btt_tracker_udp *u, struct btt_wbuf *w)
{
	const struct btt_tracker_params *p = &u->params;

	btt_wbuf_put_u32be(w, ACT_ANNOUNCE);
	btt_wbuf_put_u32be(w, u->txid);
	btt_wbuf_put(w, p->info_hash, 20);
	btt_wbuf_put(w, p->peer_id, 20);
	btt_wbuf_put_u64be(w, p->downloaded);
	btt_wbuf_put_u64be(w, p->left);
	btt_wbuf_put_u64be(w, p->uploaded);
	btt_wbuf_put_u32be(w, (uint32_t)p->event);
	btt_wbuf_put_u32be(w, 0); /* IP: the sender's address */
	btt_wbuf_put_u32be(w, p->key);
	btt_wbuf_put_u32be(w, (uint32_t)(p->numwant < 0 ? -1 : p->numwant));
	btt_wbuf_put_u16be(w, p->port);
}

static void send_request(struct btt_tracker_udp *u, int64_t now,
			 struct btt_tracker_udp_out *out)
{
	struct btt_wbuf w;

	new_txid(u);
	btt_wbuf_init_fixed(&w, u->pkt, sizeof(u->pkt));
	btt_wbuf_put_u64be(&w, u->conn_id);
	if (u->is_scrape) {
		btt_wbuf_put_u32be(&w, ACT_SCRAPE);
		btt_wbuf_put_u32be(&w, u->txid);
		for (uint32_t i = 0; i < u->scrape.n; i++)
			btt_wbuf_put(&w, u->scrape.e[i].info_hash, 20);
	} else {
		build_announce(u, &w);
	}
	u->pkt_len = w.len;
	u->state = BTT_UDP_WAITING;
	arm(u, now, out);
}

static bool conn_fresh(const struct btt_tracker_udp *u, int64_t now)
{
	return u->have_conn && now - u->conn_at < BTT_TRACKER_UDP_CONN_TTL;
}

static void start(struct btt_tracker_udp *u, int64_t now,
		  struct btt_tracker_udp_out *out)
{
	u->n = 0;
	if (conn_fresh(u, now))
		send_request(u, now, out);
	else
		send_connect(u, now, out);
}

int btt_tracker_udp_announce(struct btt_tracker_udp *u,
			     const struct btt_tracker_params *p, int64_t now,
			     struct btt_tracker_udp_out *out)
{
	out_clear(out);
	if (busy(u) || p->event < BTT_EVENT_NONE ||
	    p->event > BTT_EVENT_STOPPED)
		return BTT_EINVALID;
	btt_tracker_result_release(&u->result);
	u->params = *p;
	u->params.tracker_id = NULL;
	u->params.tracker_id_len = 0;
	u->params.ipv6 = NULL;
	u->is_scrape = false;
	start(u, now, out);
	return 0;
}

int btt_tracker_udp_scrape(struct btt_tracker_udp *u,
			   const struct btt_tracker_scrape *req, int64_t now,
			   struct btt_tracker_udp_out *out)
{
	out_clear(out);
	if (busy(u) || req->n == 0 || req->n > BTT_TRACKER_MAX_SCRAPE)
		return BTT_EINVALID;
	btt_tracker_result_release(&u->result);
	u->scrape = *req;
	btt_tracker_scrape_reset(&u->scrape);
	u->is_scrape = true;
	start(u, now, out);
	return 0;
}

void btt_tracker_udp_cancel(struct btt_tracker_udp *u)
{
	if (busy(u))
		u->state = BTT_UDP_IDLE;
}

/* Ends the request with an outcome; message is our own text. */
static void finish(struct btt_tracker_udp *u, int err, const char *message,
		   struct btt_tracker_udp_out *out)
{
	u->state = BTT_UDP_DONE;
	out->done = true;
	out->timeout = -1;
	if (u->is_scrape) {
		u->scrape.err = err;
		snprintf(u->scrape.message, sizeof(u->scrape.message), "%s",
			 message);
	} else {
		btt_tracker_result_fail(&u->result, err, "%s", message);
	}
}

void btt_tracker_udp_timer(struct btt_tracker_udp *u, int64_t now,
			   struct btt_tracker_udp_out *out)
{
	out_clear(out);
	if (!busy(u))
		return;
	if (now < u->deadline) {
		out->timeout = u->deadline;
		return;
	}
	if (u->n >= BTT_TRACKER_UDP_MAX_N) {
		finish(u, -ETIMEDOUT, "no reply from the UDP tracker", out);
		return;
	}
	u->n++;
	if (u->state == BTT_UDP_WAITING && !conn_fresh(u, now)) {
		u->have_conn = false;
		send_connect(u, now, out);
		return;
	}
	arm(u, now, out);
}

/* Error reply: the text after the header, without the NULs some
 * trackers (opentracker) put at its end. */
static void on_error(struct btt_tracker_udp *u, struct btt_cur c,
		     struct btt_tracker_udp_out *out)
{
	size_t n = btt_cur_len(&c);
	char *msg = u->is_scrape ? u->scrape.message : u->result.message;

	while (n && btt_cur_data(&c)[n - 1] == 0)
		n--;
	/* The id may be what the tracker objects to: never reuse it. */
	u->have_conn = false;
	finish(u, BTT_ETRACKER, "", out);
	btt_tracker_reason_set(msg, btt_cur_data(&c), n);
}

static void on_announce(struct btt_tracker_udp *u, struct btt_cur c,
			struct btt_tracker_udp_out *out)
{
	struct btt_tracker_result *r = &u->result;
	struct btt_tracker_peerset set;
	uint32_t interval, leechers, seeders;
	int rc;

	if (!btt_cur_get_u32be(&c, &interval) ||
	    !btt_cur_get_u32be(&c, &leechers) ||
	    !btt_cur_get_u32be(&c, &seeders)) {
		finish(u, BTT_ETRUNCATED, "truncated announce reply", out);
		return;
	}
	btt_tracker_result_init(r);
	/* BEP 15 fields are int32: a negative value means nothing. */
	r->interval = interval > INT32_MAX ? 0 : interval;
	r->incomplete = leechers > INT32_MAX ? -1 : (int64_t)leechers;
	r->complete = seeders > INT32_MAX ? -1 : (int64_t)seeders;
	btt_tracker_peerset_init(&set);
	rc = btt_tracker_peerset_add_compact(&set, btt_cur_data(&c),
					     btt_cur_len(&c), u->v6 ? 18 : 6);
	if (rc) {
		btt_tracker_peerset_release(&set);
		finish(u, rc, "out of memory", out);
		return;
	}
	btt_tracker_peerset_take(&set, r);
	u->state = BTT_UDP_DONE;
	out->done = true;
	out->timeout = -1;
}

static void on_scrape(struct btt_tracker_udp *u, struct btt_cur c,
		      struct btt_tracker_udp_out *out)
{
	struct btt_tracker_scrape *s = &u->scrape;
	uint32_t v[3];

	/* A reply may stop early; the torrents it leaves out are not
	 * found. */
	for (uint32_t i = 0; i < s->n && btt_cur_len(&c) >= 12; i++) {
		for (int k = 0; k < 3; k++)
			btt_cur_get_u32be(&c, &v[k]);
		s->e[i].found = true;
		s->e[i].complete = v[0] > INT32_MAX ? -1 : (int64_t)v[0];
		s->e[i].downloaded = v[1] > INT32_MAX ? -1 : (int64_t)v[1];
		s->e[i].incomplete = v[2] > INT32_MAX ? -1 : (int64_t)v[2];
	}
	u->state = BTT_UDP_DONE;
	out->done = true;
	out->timeout = -1;
}

static void on_connect(struct btt_tracker_udp *u, struct btt_cur c, int64_t now,
		       struct btt_tracker_udp_out *out)
{
	if (!btt_cur_get_u64be(&c, &u->conn_id)) {
		finish(u, BTT_ETRUNCATED, "truncated connect reply", out);
		return;
	}
	u->have_conn = true;
	u->conn_at = now;
	send_request(u, now, out);
}

void btt_tracker_udp_feed(struct btt_tracker_udp *u, const void *dgram,
			  size_t len, int64_t now,
			  struct btt_tracker_udp_out *out)
{
	struct btt_cur c;
	uint32_t action, txid, want;

	out_clear(out);
	btt_cur_init(&c, dgram, len);
	if (!busy(u) || !btt_cur_get_u32be(&c, &action) ||
	    !btt_cur_get_u32be(&c, &txid) || txid != u->txid) {
		u->ignored++;
		if (busy(u))
			out->timeout = u->deadline;
		return;
	}
	want = u->state == BTT_UDP_CONNECTING ? ACT_CONNECT
	       : u->is_scrape		      ? ACT_SCRAPE
					      : ACT_ANNOUNCE;
	if (action == ACT_ERROR)
		on_error(u, c, out);
	else if (action != want) {
		u->ignored++;
		out->timeout = u->deadline;
	} else if (want == ACT_CONNECT)
		on_connect(u, c, now, out);
	else if (want == ACT_SCRAPE)
		on_scrape(u, c, out);
	else
		on_announce(u, c, out);
}

static bool host_char(uint8_t ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_';
}

static bool v6_char(uint8_t ch)
{
	return (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F') ||
	       (ch >= '0' && ch <= '9') || ch == ':' || ch == '.';
}

int btt_tracker_udp_url_parse(const char *url, char *host, size_t host_cap,
			      uint16_t *out_port)
{
	struct btt_cur c, h;
	uint64_t port;
	uint8_t next;
	bool (*ok)(uint8_t) = host_char;

	if (strncasecmp(url, "udp://", 6) != 0)
		return BTT_EINVALID;
	btt_cur_init(&c, url + 6, strlen(url + 6));
	if (btt_cur_get_prefix(&c, "[")) {
		if (!btt_cur_get_until(&c, ']', &h))
			return BTT_EINVALID;
		ok = v6_char;
	} else {
		h = c;
		h.len = 0;
		while (h.len < c.len && c.p[h.len] != ':')
			h.len++;
		btt_cur_skip(&c, h.len);
	}
	if (h.len == 0 || h.len >= host_cap)
		return BTT_EINVALID;
	for (size_t i = 0; i < h.len; i++)
		if (!ok(h.p[i]))
			return BTT_EINVALID;
	if (!btt_cur_get_prefix(&c, ":") ||
	    !btt_cur_get_dec(&c, 5, 65535, false, &port) || port == 0)
		return BTT_EINVALID;
	if (btt_cur_peek_u8(&c, &next) && next != '/' && next != '?')
		return BTT_EINVALID;
	memcpy(host, h.p, h.len);
	host[h.len] = 0;
	*out_port = (uint16_t)port;
	return 0;
}
