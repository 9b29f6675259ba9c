/* UDP tracker core (BEP 15) with scripted datagrams and fake time:
 * packets byte for byte, connection-id caching and its 60 s expiry
 * (59.999 / 60 / 60.001 s), the 15 * 2^n retransmit schedule up to
 * 3840 s and the final failure, ignored datagrams (transaction id,
 * action, state), error replies, IPv4 and IPv6 peer strides, scrape,
 * and udp:// URL parsing. Replies captured from opentracker are
 * replayed with our transaction ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "bt/tracker.h"
#include "btt/err.h"
#include "core/rand.h"

#define CONN_ID 0x0123456789abcdefULL
#define T0 1000000 /* ms; any monotonic origin */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void params_fill(struct btt_tracker_params *p)
{
	memset(p, 0, sizeof(*p));
	for (int i = 0; i < 20; i++)
		p->info_hash[i] = (uint8_t)i;
	memcpy(p->peer_id, "-BT0001-abcdefghijkl", 20);
	p->downloaded = 0x0102030405060708ULL;
	p->left = 0x1112131415161718ULL;
	p->uploaded = 0x2122232425262728ULL;
	p->event = BTT_EVENT_STARTED;
	p->key = 0xcafebabe;
	p->numwant = -1;
	p->port = 6881;
}

/* Header of a reply to what u sent last. */
static size_t reply_hdr(const struct btt_tracker_udp *u, uint8_t *b,
			uint32_t action)
{
	put32(b, action);
	put32(b + 4, u->txid);
	return 8;
}

static void feed_connect(struct btt_tracker_udp *u, int64_t now,
			 struct btt_tracker_udp_out *out)
{
	uint8_t b[16];

	reply_hdr(u, b, 0);
	put32(b + 8, (uint32_t)(CONN_ID >> 32));
	put32(b + 12, (uint32_t)CONN_ID);
	btt_tracker_udp_feed(u, b, 16, now, out);
}

/* Starts an announce and answers the connect: u is then WAITING. */
static void connected(struct btt_tracker_udp *u, bool v6, int64_t now,
		      struct btt_tracker_udp_out *out)
{
	struct btt_tracker_params p;

	btt_tracker_udp_init(u, v6);
	params_fill(&p);
	assert_int_equal(btt_tracker_udp_announce(u, &p, now, out), 0);
	assert_int_equal(u->state, BTT_UDP_CONNECTING);
	feed_connect(u, now, out);
	assert_int_equal(u->state, BTT_UDP_WAITING);
}

static void test_tracker_udp_connect_packet(void **state)
{
	static const uint8_t want[12] = {0x00, 0x00, 0x04, 0x17, 0x27, 0x10,
					 0x19, 0x80, 0x00, 0x00, 0x00, 0x00};
	struct btt_tracker_udp u;
	struct btt_tracker_udp_out out;
	struct btt_tracker_params p;
	(void)state;

	btt_tracker_udp_init(&u, false);
	params_fill(&p);
	assert_int_equal(btt_tracker_udp_announce(&u, &p, T0, &out), 0);
	assert_int_equal(out.send_len, 16);
	assert_memory_equal(out.send, want, 12);
	assert_int_equal(get32(out.send + 12), u.txid);
	assert_int_equal(out.timeout, T0 + 15000);
	assert_false(out.done);
	btt_tracker_udp_release(&u);
}

static void test_tracker_udp_announce_packet(void **state)
{
	static const uint8_t want[98] = {
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, /* conn */
		0x00, 0x00, 0x00, 0x01,				/* action */
		0x00, 0x00, 0x00, 0x00,				/* txid */
		0,    1,    2,	  3,	4,    5,    6,	  7,	8,   9,
		10,   11,   12,	  13,	14,   15,   16,	  17,	18,  19,
		'-',  'B',  'T',  '0',	'0',  '0',  '1',  '-',	'a', 'b',
		'c',  'd',  'e',  'f',	'g',  'h',  'i',  'j',	'k', 'l',
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* down */
		0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, /* left */
		0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, /* up */
		0x00, 0x00, 0x00, 0x02,				/* started */
		0x00, 0x00, 0x00, 0x00,				/* ip */
		0xca, 0xfe, 0xba, 0xbe,				/* key */
		0xff, 0xff, 0xff, 0xff,				/* numwant */
		0x1a, 0xe1,					/* port */
	};
	struct btt_tracker_udp u;
	struct btt_tracker_udp_out out;
	uint8_t got[98];
	(void)state;

	connected(&u, false, T0, &out);
	assert_int_equal(out.send_len, BTT_TRACKER_UDP_ANNOUNCE_LEN);
	memcpy(got, out.send, 98);
	assert_int_equal(get32(got + 12), u.txid);
	memset(got + 12, 0, 4);
	assert_memory_equal(got, want, 98);
	assert_int_equal(out.timeout, T0 + 15000);
	btt_tracker_udp_release(&u);
}

static void test_tracker_udp_announce_reply(void **state)
{
	/* opentracker's reply: interval 1756, 3 leechers, 2 seeders. */
	static const uint8_t ot[] = {
		0x00, 0x00, 0x06, 0xdc, 0x00, 0x00, 0x00, 0x03, 0x00,
		0x00, 0x00, 0x02, 0x7f, 0x00, 0x00, 0x01, 0x1b, 0x5a,
		0x7f, 0x00, 0x00, 0x01, 0x1b, 0x5b, 0x7f, 0x00, 0x00,
		0x01, 0x1b, 0x61, 0x7f, 0x00, 0x00, 0x01, 0x1b, 0xbc,
		0x7f, 0x00, 0x00, 0x01, 0x1b, 0x59,
	};
	struct btt_tracker_udp u;
	struct btt_tracker_udp_out out;
	uint8_t b[64];
	(void)state;

	connected(&u, false, T0, &out);
	reply_hdr(&u, b, 1);
	memcpy(b + 8, ot, sizeof(ot));
	btt_tracker_udp_feed(&u, b, 8 + sizeof(ot), T0 + 10, &out);
	assert_true(out.done);
	assert_null(out.send);
	assert_int_equal(out.timeout, -1);
	assert_int_equal(u.state, BTT_UDP_DONE);
	assert_int_equal(u.result.err, 0);
	assert_int_equal(u.result.interval, 1756);
	assert_int_equal(u.result.incomplete, 3);
	assert_int_equal(u.result.complete, 2);
	assert_int_equal(u.result.min_interval, 0);
	assert_int_equal(u.result.num_peers, 5);
	assert_int_equal(u.result.peers[0].ip_len, 4);
	assert_int_equal(u.result.peers[0].port, 7002);
	assert_int_equal(u.result.peers[3].port, 7100);
	/* A later datagram changes nothing. */
	btt_tracker_udp_feed(&u, b, 8 + sizeof(ot), T0 + 20, &out);
	assert_false(out.done);
	assert_int_equal(u.ignored, 1);
	btt_tracker_udp_release(&u);
}

static void test_tracker_udp_ipv6_stride(void **state)
{
	struct btt_tracker_udp u;
	struct btt_tracker_udp_out out;
	uint8_t b[20 + 2 * 18 + 5];
	(void)state;

	connected(&u, true, T0, &out);
	/* The request is the same 98 bytes with IP 0 over IPv6. */
	assert_int_equal(out.send_len, 98);
	assert_int_equal(get32(out.send + 84), 0);
	memset(b, 0, sizeof(b));
	reply_hdr(&u, b, 1);
	put32(b + 8, 900);
	b[20] = 0x20;
	b[21] = 0x01;
	b[35] = 1;
	b[36] = 0x1a;
	b[37] = 0xe1;
	b[38] = 0x20;
	b[39] = 0x01;
	b[53] = 2;
	b[55] = 80;
	/* plus 5 stray bytes: a partial entry, dropped */
	btt_tracker_udp_feed(&u, b, sizeof(b), T0, &out);
	assert_true(out.done);
	assert_int_equal(u.result.num_peers, 2);
	assert_int_equal(u.result.peers[0].ip_len, 16);
	assert_int_equal(u.result.peers[0].ip[15], 1);
	assert_int_equal(u.result.peers[0].port, 6881);
	assert_int_equal(u.result.peers[1].ip[15], 2);
	assert_int_equal(u.result.peers[1].port, 80);
	assert_int_equal(u.result.dropped, 1);
	btt_tracker_udp_release(&u);

	/* The same 36 bytes over IPv4 are six 6-byte entries. */
	connected(&u, false, T0, &out);
	reply_hdr(&u, b, 1);
	btt_tracker_udp_feed(&u, b, 20 + 36, T0, &out);
	assert_true(out.done);
	assert_int_equal(u.result.peers[0].ip_len, 4);
	assert_int_equal(u.result.num_peers + u.result.dropped, 6);
	btt_tracker_udp_release(&u);
}

/* A connection id is reused until 60 s after it arrived. */
static void test_tracker_udp_conn_cache(void **state)
{
	static const int64_t ages[] = {59999, 60000, 60001};
	static const size_t want_len[] = {98, 16, 16};
	struct btt_tracker_udp u;
	struct btt_tracker_udp_out out;
	struct btt_tracker_params p;
	uint8_t b[20];
	(void)state;

	params_fill(&p);
	for (int i = 0; i < 3; i++) {
		connected(&u, false, T0, &out);
		reply_hdr(&u, b, 1);
		memset(b + 8, 0, 12);
		btt_tracker_udp_feed(&u, b, 20, T0 + 5, &out);
		assert_true(out.done);
		assert_int_equal(
			btt_tracker_udp_announce(&u, &p, T0 + ages[i], &out),
			0);
		assert_int_equal(out.send_len, want_len[i]);
		assert_int_equal(u.state,
				 i == 0 ? BTT_UDP_WAITING : BTT_UDP_CONNECTING);
		if (i == 0)
			assert_int_equal(get32(out.send),
					 (uint32_t)(CONN_ID >> 32));
		btt_tracker_udp_release(&u);
	}
}

/* No reply at all: resends after 15, 30, 60 ... 3840 s, then fails. */
static void test_tracker_udp_retransmit(void **state)
{
	struct btt_tracker_udp u;
	struct btt_tracker_udp_out out;
	struct btt_tracker_params p;
	int64_t now = T0, wait = 15000;
	uint32_t txid;
	(void)state;

	btt_tracker_udp_init(&u, false);
	params_fill(&p);
	assert_int_equal(btt_tracker_udp_announce(&u, &p, now, &out), 0);
	txid = u.txid;
	for (int n = 0; n <= BTT_TRACKER_UDP_MAX_N; n++, wait *= 2) {
		assert_int_equal(out.timeout, now + wait);
		/* A tick before the deadline sends nothing. */
		btt_tracker_udp_timer(&u, now + wait - 1, &out);
		assert_null(out.send);
		assert_int_equal(out.timeout, now + wait);
		now += wait;
		btt_tracker_udp_timer(&u, now, &out);
		if (n == BTT_TRACKER_UDP_MAX_N)
			break;
		assert_non_null(out.send);
		assert_int_equal(out.send_len, 16);
		assert_int_equal(get32(out.send + 12), txid);
	}
	assert_int_equal(wait, 3840000);
	assert_true(out.done);
	assert_null(out.send);
	assert_int_equal(u.state, BTT_UDP_DONE);
	assert_int_equal(u.result.err, -ETIMEDOUT);
	assert_int_equal(now - T0, 7665000);
	btt_tracker_udp_timer(&u, now + 1, &out);
	assert_false(out.done);
	assert_int_equal(out.timeout, -1);
	btt_tracker_udp_release(&u);
}

/* A resend after the id expired goes back to connect; the exponent
 * keeps counting. */
static void test_tracker_udp_retransmit_reconnect(void **state)
{
	struct btt_tracker_udp u;
	struct btt_tracker_udp_out out;
	(void)state;

	connected(&u, false, T0, &out);
	btt_tracker_udp_timer(&u, T0 + 15000, &out);
	assert_int_equal(out.send_len, 98); /* id 15 s old */
	btt_tracker_udp_timer(&u, T0 + 45000, &out);
	assert_int_equal(out.send_len, 98); /* 45 s */
	assert_int_equal(out.timeout, T0 + 105000);
	btt_tracker_udp_timer(&u, T0 + 105000, &out);
	assert_int_equal(out.send_len, 16); /* 105 s: reconnect */
	assert_int_equal(u.state, BTT_UDP_CONNECTING);
	assert_int_equal(out.timeout, T0 + 105000 + 120000);
	feed_connect(&u, T0 + 106000, &out);
	assert_int_equal(out.send_len, 98);
	assert_int_equal(out.timeout, T0 + 106000 + 120000);
	btt_tracker_udp_release(&u);
}

static void test_tracker_udp_ignored(void **state)
{
	struct btt_tracker_udp u;
	struct btt_tracker_udp_out out;
	struct btt_tracker_params p;
	uint8_t b[32];
	(void)state;

	btt_tracker_udp_init(&u, false);
	/* Idle: nothing is expected. */
	btt_tracker_udp_feed(&u, b, 16, T0, &out);
	assert_int_equal(u.ignored, 1);
	params_fill(&p);
	btt_tracker_udp_announce(&u, &p, T0, &out);
	/* Wrong transaction id. */
	reply_hdr(&u, b, 0);
	put32(b + 4, u.txid ^ 1);
	btt_tracker_udp_feed(&u, b, 16, T0, &out);
	assert_int_equal(u.ignored, 2);
	assert_null(out.send);
	assert_int_equal(out.timeout, T0 + 15000);
	/* Right id, wrong action (an announce reply to a connect). */
	reply_hdr(&u, b, 1);
	btt_tracker_udp_feed(&u, b, 32, T0, &out);
	assert_int_equal(u.ignored, 3);
	reply_hdr(&u, b, 7);
	btt_tracker_udp_feed(&u, b, 32, T0, &out);
	assert_int_equal(u.ignored, 4);
	/* Shorter than a header. */
	btt_tracker_udp_feed(&u, b, 7, T0, &out);
	btt_tracker_udp_feed(&u, NULL, 0, T0, &out);
	assert_int_equal(u.ignored, 6);
	assert_int_equal(u.state, BTT_UDP_CONNECTING);
	/* Once the announce is out, a connect reply (even one carrying
	 * the announce's transaction id) has the wrong action. */
	feed_connect(&u, T0, &out);
	assert_int_equal(u.state, BTT_UDP_WAITING);
	feed_connect(&u, T0, &out);
	assert_int_equal(u.ignored, 7);
	assert_int_equal(u.state, BTT_UDP_WAITING);
	btt_tracker_udp_release(&u);
}

static void test_tracker_udp_error(void **state)
{
	struct btt_tracker_udp u;
	struct btt_tracker_udp_out out;
	struct btt_tracker_params p;
	uint8_t b[64];
	size_t n;
	(void)state;

	connected(&u, false, T0, &out);
	/* opentracker: the text ends with a NUL. */
	n = reply_hdr(&u, b, 3);
	memcpy(b + n, "Connection ID missmatch.\0", 25);
	btt_tracker_udp_feed(&u, b, n + 25, T0, &out);
	assert_true(out.done);
	assert_int_equal(u.result.err, BTT_ETRACKER);
	assert_string_equal(u.result.message, "Connection ID missmatch.");
	/* The id it objected to is not reused. */
	params_fill(&p);
	btt_tracker_udp_announce(&u, &p, T0 + 1, &out);
	assert_int_equal(out.send_len, 16);
	/* An error to a connect, with bytes that need escaping. */
	n = reply_hdr(&u, b, 3);
	memcpy(b + n, "bad\n\xff", 5);
	btt_tracker_udp_feed(&u, b, n + 5, T0 + 2, &out);
	assert_true(out.done);
	assert_string_equal(u.result.message, "bad\\x0a\\xff");
	/* An error with no text (or only NULs) still carries a message. */
	btt_tracker_udp_announce(&u, &p, T0 + 3, &out);
	n = reply_hdr(&u, b, 3);
	b[n] = 0;
	btt_tracker_udp_feed(&u, b, n + 1, T0 + 3, &out);
	assert_true(out.done);
	assert_int_equal(u.result.err, BTT_ETRACKER);
	assert_string_equal(u.result.message,
			    "tracker refused the request without a reason");
	btt_tracker_udp_release(&u);
}

/* opentracker answers an announce for a torrent it does not serve with
 * an 8-byte announce reply. */
static void test_tracker_udp_truncated(void **state)
{
	struct btt_tracker_udp u;
	struct btt_tracker_udp_out out;
	struct btt_tracker_params p;
	uint8_t b[19];
	(void)state;

	connected(&u, false, T0, &out);
	btt_tracker_udp_feed(&u, b, reply_hdr(&u, b, 1), T0, &out);
	assert_true(out.done);
	assert_int_equal(u.result.err, BTT_ETRUNCATED);
	connected(&u, false, T0, &out);
	reply_hdr(&u, b, 1);
	btt_tracker_udp_feed(&u, b, 19, T0, &out);
	assert_int_equal(u.result.err, BTT_ETRUNCATED);
	/* A connect reply without the id. */
	btt_tracker_udp_release(&u);
	params_fill(&p);
	btt_tracker_udp_announce(&u, &p, T0, &out);
	reply_hdr(&u, b, 0);
	btt_tracker_udp_feed(&u, b, 15, T0, &out);
	assert_true(out.done);
	assert_int_equal(u.result.err, BTT_ETRUNCATED);
	btt_tracker_udp_release(&u);
}

static void test_tracker_udp_negative_counts(void **state)
{
	struct btt_tracker_udp u;
	struct btt_tracker_udp_out out;
	uint8_t b[20];
	(void)state;

	connected(&u, false, T0, &out);
	reply_hdr(&u, b, 1);
	memset(b + 8, 0xff, 12);
	btt_tracker_udp_feed(&u, b, 20, T0, &out);
	assert_true(out.done);
	assert_int_equal(u.result.interval, 0);
	assert_int_equal(u.result.complete, -1);
	assert_int_equal(u.result.incomplete, -1);
	assert_int_equal(u.result.num_peers, 0);
	btt_tracker_udp_release(&u);
}

static void test_tracker_udp_scrape(void **state)
{
	/* opentracker's reply for three hashes. */
	static const uint8_t ot[36] = {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2,
				       0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3,
				       0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2};
	struct btt_tracker_udp u;
	struct btt_tracker_udp_out out;
	struct btt_tracker_scrape req;
	uint8_t h[20], b[64];
	(void)state;

	btt_tracker_scrape_init(&req);
	for (int i = 0; i < 3; i++) {
		memset(h, 0x30 + i, 20);
		btt_tracker_scrape_add(&req, h);
	}
	btt_tracker_udp_init(&u, false);
	assert_int_equal(btt_tracker_udp_scrape(&u, &req, T0, &out), 0);
	assert_int_equal(out.send_len, 16);
	feed_connect(&u, T0, &out);
	assert_int_equal(out.send_len, 16 + 60);
	assert_int_equal(get32(out.send + 8), 2);
	assert_int_equal(get32(out.send + 12), u.txid);
	assert_memory_equal(out.send + 16, req.e[0].info_hash, 20);
	assert_memory_equal(out.send + 56, req.e[2].info_hash, 20);
	reply_hdr(&u, b, 2);
	memcpy(b + 8, ot, 36);
	btt_tracker_udp_feed(&u, b, 44, T0, &out);
	assert_true(out.done);
	assert_int_equal(u.scrape.err, 0);
	assert_true(u.scrape.e[0].found);
	assert_int_equal(u.scrape.e[0].complete, 1);
	assert_int_equal(u.scrape.e[0].downloaded, 0);
	assert_int_equal(u.scrape.e[0].incomplete, 2);
	assert_int_equal(u.scrape.e[1].incomplete, 3);
	assert_int_equal(u.scrape.e[2].downloaded, 0);
	/* A short reply: the torrents it leaves out are not found. */
	assert_int_equal(btt_tracker_udp_scrape(&u, &req, T0 + 1, &out), 0);
	assert_int_equal(out.send_len, 76); /* id still fresh */
	reply_hdr(&u, b, 2);
	btt_tracker_udp_feed(&u, b, 8 + 12 + 11, T0 + 2, &out);
	assert_true(out.done);
	assert_true(u.scrape.e[0].found);
	assert_false(u.scrape.e[1].found);
	assert_int_equal(u.scrape.e[1].complete, -1);
	/* Limits on the request. */
	btt_tracker_scrape_init(&req);
	assert_int_equal(btt_tracker_udp_scrape(&u, &req, T0, &out),
			 BTT_EINVALID);
	req.n = BTT_TRACKER_MAX_SCRAPE + 1;
	assert_int_equal(btt_tracker_udp_scrape(&u, &req, T0, &out),
			 BTT_EINVALID);
	req.n = BTT_TRACKER_MAX_SCRAPE;
	assert_int_equal(btt_tracker_udp_scrape(&u, &req, T0 + 3, &out), 0);
	assert_int_equal(out.send_len, 16 + 20 * BTT_TRACKER_MAX_SCRAPE);
	btt_tracker_udp_release(&u);
}

static void test_tracker_udp_busy_cancel(void **state)
{
	struct btt_tracker_udp u;
	struct btt_tracker_udp_out out;
	struct btt_tracker_params p;
	(void)state;

	connected(&u, false, T0, &out);
	params_fill(&p);
	assert_int_equal(btt_tracker_udp_announce(&u, &p, T0, &out),
			 BTT_EINVALID);
	btt_tracker_udp_cancel(&u);
	assert_int_equal(u.state, BTT_UDP_IDLE);
	btt_tracker_udp_timer(&u, T0 + 999999, &out);
	assert_null(out.send);
	p.event = 9;
	assert_int_equal(btt_tracker_udp_announce(&u, &p, T0, &out),
			 BTT_EINVALID);
	p.event = BTT_EVENT_STOPPED;
	p.numwant = 0;
	assert_int_equal(btt_tracker_udp_announce(&u, &p, T0, &out), 0);
	assert_int_equal(out.send_len, 98); /* the cached id */
	assert_int_equal(get32(out.send + 80), BTT_EVENT_STOPPED);
	assert_int_equal(get32(out.send + 92), 0);
	btt_tracker_udp_release(&u);
}

/* Each new datagram gets a new transaction id; a resend keeps it. */
static void test_tracker_udp_txid(void **state)
{
	struct btt_tracker_udp u;
	struct btt_tracker_udp_out out;
	struct btt_tracker_params p;
	uint32_t connect_tx, announce_tx;
	(void)state;

	btt_rand_set_seed(7);
	btt_tracker_udp_init(&u, false);
	params_fill(&p);
	btt_tracker_udp_announce(&u, &p, T0, &out);
	connect_tx = get32(out.send + 12);
	feed_connect(&u, T0, &out);
	announce_tx = get32(out.send + 12);
	assert_int_not_equal(connect_tx, announce_tx);
	btt_tracker_udp_timer(&u, T0 + 15000, &out);
	assert_int_equal(get32(out.send + 12), announce_tx);
	btt_tracker_udp_release(&u);
	/* The seeded generator makes the ids repeatable. */
	btt_rand_set_seed(7);
	btt_tracker_udp_announce(&u, &p, T0, &out);
	assert_int_equal(get32(out.send + 12), connect_tx);
	btt_tracker_udp_release(&u);
	btt_rand_clear_seed();
}

static void test_tracker_udp_url(void **state)
{
	static const struct {
		const char *url, *host;
		uint16_t port;
	} good[] = {
		{"udp://tracker.example.org:6969/announce",
		 "tracker.example.org", 6969},
		{"UDP://1.2.3.4:80", "1.2.3.4", 80},
		{"udp://[2001:db8::1]:65535/a?b=c", "2001:db8::1", 65535},
		{"udp://t_x-y:1?passkey=z", "t_x-y", 1},
	};
	static const char *const bad[] = {
		"http://t:80",	  "udp://t",
		"udp://t:",	  "udp://t:0",
		"udp://t:65536",  "udp://t:080",
		"udp://:80",	  "udp://t:80x",
		"udp://t t:80",	  "udp://[::1:80",
		"udp://[zz]:80",  "udp://[]:80",
		"udp://t:123456", "udp://t\xc3\xa9:80",
	};
	char host[11];
	uint16_t port;
	(void)state;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char big[64];
		assert_int_equal(btt_tracker_udp_url_parse(good[i].url, big,
							   sizeof(big), &port),
				 0);
		assert_string_equal(big, good[i].host);
		assert_int_equal(port, good[i].port);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(btt_tracker_udp_url_parse(bad[i], host,
							   sizeof(host), &port),
				 BTT_EINVALID);
	/* host_cap 11: a host of 10 bytes fits with its NUL, 11 do not. */
	assert_int_equal(btt_tracker_udp_url_parse("udp://012345678:1", host,
						   sizeof(host), &port),
			 0);
	assert_string_equal(host, "012345678");
	assert_int_equal(btt_tracker_udp_url_parse("udp://0123456789:1", host,
						   sizeof(host), &port),
			 0);
	assert_string_equal(host, "0123456789");
	assert_int_equal(btt_tracker_udp_url_parse("udp://0123456789a:1", host,
						   sizeof(host), &port),
			 BTT_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tracker_udp_connect_packet),
		cmocka_unit_test(test_tracker_udp_announce_packet),
		cmocka_unit_test(test_tracker_udp_announce_reply),
		cmocka_unit_test(test_tracker_udp_ipv6_stride),
		cmocka_unit_test(test_tracker_udp_conn_cache),
		cmocka_unit_test(test_tracker_udp_retransmit),
		cmocka_unit_test(test_tracker_udp_retransmit_reconnect),
		cmocka_unit_test(test_tracker_udp_ignored),
		cmocka_unit_test(test_tracker_udp_error),
		cmocka_unit_test(test_tracker_udp_truncated),
		cmocka_unit_test(test_tracker_udp_negative_counts),
		cmocka_unit_test(test_tracker_udp_scrape),
		cmocka_unit_test(test_tracker_udp_busy_cancel),
		cmocka_unit_test(test_tracker_udp_txid),
		cmocka_unit_test(test_tracker_udp_url),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
