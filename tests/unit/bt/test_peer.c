/* The peer state machine: handshakes, availability messages, the
 * extension handshake, protocol errors, keep-alive and idle timing.
 * Scripted bytes and a fake clock; no sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "bt/ext.h"
#include "test_peer_util.h"

static void test_peer_handshake_outgoing(void **state)
{
	struct pfx *f = pf_new(0, true);

	(void)state;
	assert_int_equal(btt_peer_start(&f->p, NULL, f->now), 0);
	assert_int_equal(f->p.out.len, BTT_HANDSHAKE_LEN);
	pf_take(f);
	assert_true(f->got_handshake);
	assert_memory_equal(f->out_hs.info_hash, f->ih, 20);
	assert_memory_equal(f->out_hs.peer_id, f->our_id, 20);
	assert_true(btt_handshake_has(f->out_hs.reserved, BTT_HS_FAST));
	assert_true(btt_handshake_has(f->out_hs.reserved, BTT_HS_LTEP));
	assert_int_equal(f->p.state, BTT_PEER_HANDSHAKE);

	assert_int_equal(pf_their_handshake(f, true, true), 0);
	assert_int_equal(f->p.state, BTT_PEER_ACTIVE);
	assert_int_equal(pf_count(f, BTT_PEER_EV_HANDSHAKE), 1);
	assert_memory_equal(f->p.peer_id, f->their_id, 20);
	assert_true(f->p.fast);
	assert_true(f->p.ltep);
	pf_take(f);
	/* Nothing to offer with the fast extension: have none first, then
	 * the extension handshake. */
	assert_int_equal(f->nout, 2);
	assert_int_equal(f->out[0].type, BTT_WIRE_HAVE_NONE);
	assert_int_equal(f->out[1].type, BTT_WIRE_EXTENDED);
	assert_int_equal(f->out[1].ext, 0);
	pf_free(f);
}

static void test_peer_handshake_in_pieces(void **state)
{
	struct pfx *f = pf_new(0, true);
	struct btt_handshake h;
	struct btt_wbuf w;

	(void)state;
	btt_peer_start(&f->p, NULL, f->now);
	memset(&h, 0, sizeof(h));
	memcpy(h.info_hash, f->ih, 20);
	memcpy(h.peer_id, f->their_id, 20);
	btt_wbuf_init(&w, 256);
	btt_handshake_put(&w, &h);
	btt_wire_put_simple(&w, BTT_WIRE_UNCHOKE);
	for (size_t i = 0; i < w.len; i++)
		assert_int_equal(btt_peer_feed(&f->p, w.buf + i, 1, f->now), 0);
	btt_wbuf_release(&w);
	assert_int_equal(f->p.state, BTT_PEER_ACTIVE);
	assert_false(f->p.fast);
	assert_int_equal(pf_count(f, BTT_PEER_EV_UNCHOKED), 1);
	/* The unchoke came first: it means "have none". */
	assert_int_equal(pf_count(f, BTT_PEER_EV_AVAIL), 1);
	pf_free(f);
}

static void test_peer_handshake_wrong_hash(void **state)
{
	struct pfx *f = pf_new(0, true);

	(void)state;
	btt_peer_start(&f->p, NULL, f->now);
	memset(f->ih, 0x22, 20); /* the peer answers for another torrent */
	assert_int_equal(pf_their_handshake(f, true, true), BTT_ENOTFOUND);
	assert_int_equal(f->p.state, BTT_PEER_CLOSED);
	assert_int_equal(pf_count(f, BTT_PEER_EV_HANDSHAKE), 0);
	/* Every later call returns the same error. */
	assert_int_equal(pf_msg_simple(f, BTT_WIRE_UNCHOKE), BTT_ENOTFOUND);
	pf_free(f);
}

static void test_peer_handshake_not_bittorrent(void **state)
{
	struct pfx *f = pf_new(0, false);
	static const uint8_t http[] = "GET / HTTP/1.1\r\n\r\n";

	(void)state;
	btt_peer_start(&f->p, NULL, f->now);
	assert_int_equal(btt_peer_feed(&f->p, http, sizeof(http) - 1, f->now),
			 BTT_EMALFORMED);
	assert_int_equal(f->p.state, BTT_PEER_CLOSED);
	pf_free(f);
}

static void test_peer_handshake_self(void **state)
{
	struct pfx *f = pf_new(3, true);

	(void)state;
	btt_peer_start(&f->p, NULL, f->now);
	memcpy(f->their_id, f->our_id, 20);
	assert_int_equal(pf_their_handshake(f, true, true), BTT_EDUPLICATE);
	assert_true(f->p.self);
	/* Not the address's fault: no points. */
	assert_int_equal(f->p.score, 0);
	assert_int_equal(pf_count(f, BTT_PEER_EV_HANDSHAKE), 0);
	pf_free(f);
}

static void test_peer_handshake_refused(void **state)
{
	struct pfx *f = pf_new(0, true);

	(void)state;
	f->refuse = BTT_EDUPLICATE;
	btt_peer_start(&f->p, NULL, f->now);
	assert_int_equal(pf_their_handshake(f, true, true), BTT_EDUPLICATE);
	assert_int_equal(f->p.state, BTT_PEER_CLOSED);
	pf_free(f);
}

static void test_peer_handshake_incoming_head(void **state)
{
	struct pfx *f = pf_new(PF_NPIECES, false);
	struct btt_handshake_parser hp;
	struct btt_handshake h;
	struct btt_wbuf w;
	size_t used;

	(void)state;
	memset(&h, 0, sizeof(h));
	btt_handshake_set(h.reserved, BTT_HS_FAST);
	memcpy(h.info_hash, f->ih, 20);
	memcpy(h.peer_id, f->their_id, 20);
	btt_wbuf_init(&w, 256);
	btt_handshake_put(&w, &h);
	/* The session reads the first 48 bytes to find the torrent. */
	memset(&hp, 0, sizeof(hp));
	assert_int_equal(btt_handshake_parse(&hp, w.buf, 48, &used),
			 BTT_HANDSHAKE_HEAD);
	assert_int_equal(btt_peer_start(&f->p, &hp, f->now), 0);
	pf_take(f);
	assert_true(f->got_handshake);
	assert_int_equal(f->p.state, BTT_PEER_HANDSHAKE);
	assert_int_equal(btt_peer_feed(&f->p, w.buf + 48, 20, f->now), 0);
	btt_wbuf_release(&w);
	assert_int_equal(f->p.state, BTT_PEER_ACTIVE);
	pf_take(f);
	/* We have everything and it speaks fast: have all, no LTEP. */
	assert_int_equal(f->nout, 1);
	assert_int_equal(f->out[0].type, BTT_WIRE_HAVE_ALL);
	pf_free(f);
}

static void test_peer_sends_bitfield(void **state)
{
	struct pfx *f = pf_new(5, true);
	struct pfx *g = pf_new(0, true);

	(void)state;
	btt_peer_start(&f->p, NULL, f->now);
	pf_their_handshake(f, true, false);
	pf_take(f);
	assert_int_equal(f->nout, 1);
	assert_int_equal(f->out[0].type, BTT_WIRE_BITFIELD);
	/* Without the fast extension and nothing to offer: no message. */
	btt_peer_start(&g->p, NULL, g->now);
	pf_their_handshake(g, false, false);
	pf_take(g);
	assert_int_equal(g->nout, 0);
	pf_free(f);
	pf_free(g);
}

static void test_peer_have_all_needs_fast(void **state)
{
	struct pfx *f = pf_connected(0, false);
	struct pfx *g = pf_connected(0, false);

	(void)state;
	assert_int_equal(pf_msg_simple(f, BTT_WIRE_HAVE_ALL), BTT_EMALFORMED);
	assert_int_equal(f->p.state, BTT_PEER_CLOSED);
	assert_true(f->p.score > 0);
	assert_int_equal(pf_msg_req(g, BTT_WIRE_REJECT, 0, 0, 16384),
			 BTT_EMALFORMED);
	pf_free(f);
	pf_free(g);
}

static void test_peer_availability_first(void **state)
{
	struct pfx *f = pf_connected(0, true);
	struct pfx *g = pf_connected(0, true);

	(void)state;
	assert_int_equal(pf_msg_simple(f, BTT_WIRE_HAVE_ALL), 0);
	assert_int_equal(pf_count(f, BTT_PEER_EV_AVAIL), 1);
	assert_true(f->p.has_all);
	assert_true(btt_bitfield_all(&f->p.have));
	/* A have first means the peer had nothing before it. */
	assert_int_equal(pf_msg_index(g, BTT_WIRE_HAVE, 7), 0);
	assert_int_equal(pf_count(g, BTT_PEER_EV_AVAIL), 1);
	assert_int_equal(g->ev[g->nev - 2].type, BTT_PEER_EV_AVAIL);
	assert_int_equal(pf_last(g, BTT_PEER_EV_HAVE)->index, 7);
	assert_int_equal(btt_bitfield_count(&g->p.have), 1);
	/* A repeated have changes nothing. */
	pf_msg_index(g, BTT_WIRE_HAVE, 7);
	assert_int_equal(pf_count(g, BTT_PEER_EV_HAVE), 1);
	pf_free(f);
	pf_free(g);
}

static void test_peer_bitfield_mid_connection(void **state)
{
	struct pfx *f = pf_connected(0, false);
	struct btt_bitfield b;
	struct btt_wbuf w;

	(void)state;
	btt_bitfield_init(&b, PF_NPIECES);
	btt_bitfield_set(&b, 1);
	btt_bitfield_set(&b, 2);
	btt_wbuf_init(&w, 64);
	btt_wire_put_bitfield(&w, &b);
	assert_int_equal(pf_feed(f, &w), 0);
	assert_int_equal(pf_count(f, BTT_PEER_EV_AVAIL), 1);
	assert_int_equal(pf_count(f, BTT_PEER_EV_HAVE), 0);
	pf_msg_index(f, BTT_WIRE_HAVE, 5);
	/* aria2 sends a later bitfield instead of many haves: the new bits
	 * are haves, the old ones are not repeated. */
	btt_bitfield_set(&b, 5);
	btt_bitfield_set(&b, 9);
	btt_bitfield_set(&b, 19);
	btt_wbuf_reset(&w);
	btt_wire_put_bitfield(&w, &b);
	assert_int_equal(pf_feed(f, &w), 0);
	assert_int_equal(f->p.state, BTT_PEER_ACTIVE);
	assert_int_equal(pf_count(f, BTT_PEER_EV_AVAIL), 1);
	assert_int_equal(pf_count(f, BTT_PEER_EV_HAVE), 3);
	assert_int_equal(pf_last(f, BTT_PEER_EV_HAVE)->index, 19);
	assert_int_equal(btt_bitfield_count(&f->p.have), 5);
	btt_wbuf_release(&w);
	btt_bitfield_release(&b);
	pf_free(f);
}

static void test_peer_bitfield_wrong_size(void **state)
{
	struct pfx *f = pf_connected(0, true);
	uint8_t msg[] = {0, 0, 0, 2, BTT_WIRE_BITFIELD, 0xff};

	(void)state;
	/* 20 pieces need 3 bytes. */
	assert_int_equal(btt_peer_feed(&f->p, msg, sizeof(msg), f->now),
			 BTT_EMALFORMED);
	assert_int_equal(f->p.state, BTT_PEER_CLOSED);
	assert_true(f->p.score >= 50);
	pf_free(f);
}

static void test_peer_unknown_and_oversize(void **state)
{
	struct pfx *f = pf_connected(0, true);
	struct pfx *g = pf_connected(0, true);
	uint8_t unknown[] = {0, 0, 0, 3, 99, 1, 2};
	uint8_t huge[] = {0xff, 0xff, 0xff, 0xff};

	(void)state;
	assert_int_equal(btt_peer_feed(&f->p, unknown, sizeof(unknown), f->now),
			 0);
	assert_int_equal(f->p.state, BTT_PEER_ACTIVE);
	assert_int_equal(btt_peer_feed(&g->p, huge, sizeof(huge), g->now),
			 BTT_ELIMIT);
	assert_int_equal(g->p.state, BTT_PEER_CLOSED);
	pf_free(f);
	pf_free(g);
}

static void test_peer_extension_handshake(void **state)
{
	struct pfx *f = pf_connected(0, true);
	struct btt_ext_hs ours, theirs;
	struct btt_wbuf w;

	(void)state;
	/* Ours: reqq and the listening port. */
	memset(&ours, 0, sizeof(ours));
	assert_int_equal(
		btt_ext_hs_decode(&ours, f->out_ext_payload, f->out_ext_len),
		0);
	assert_true(ours.has & BTT_EXT_HAS_REQQ);
	assert_int_equal(ours.reqq, BTT_PEER_MAX_IN_REQUESTS);
	assert_int_equal(ours.p, 6881);
	/* Theirs: a reqq of 2 caps our pipeline at the minimum. */
	memset(&theirs, 0, sizeof(theirs));
	theirs.has = BTT_EXT_HAS_REQQ;
	theirs.reqq = 2;
	btt_wbuf_init(&w, 1024);
	btt_ext_hs_put_msg(&w, &theirs);
	assert_int_equal(pf_feed(f, &w), 0);
	assert_int_equal(pf_count(f, BTT_PEER_EV_EXTENDED), 1);
	assert_true(f->p.ext_received);
	assert_int_equal(f->p.ext.reqq, 2);
	/* A garbled one is ignored with a few points, not fatal. */
	btt_wbuf_reset(&w);
	btt_wire_put_extended(&w, 0, "xx", 2);
	assert_int_equal(pf_feed(f, &w), 0);
	assert_int_equal(f->p.state, BTT_PEER_ACTIVE);
	assert_int_equal(pf_count(f, BTT_PEER_EV_MISBEHAVED), 1);
	btt_wbuf_release(&w);
	pf_free(f);
}

static void test_peer_hash_request_answered(void **state)
{
	struct pfx *f = pf_connected(PF_NPIECES, true);
	uint8_t root[32];
	struct btt_wbuf w;

	(void)state;
	memset(root, 7, sizeof(root));
	btt_wbuf_init(&w, 128);
	btt_wire_put_hash_request(&w, BTT_WIRE_HASH_REQUEST, root, 0, 0, 2, 0);
	assert_int_equal(pf_feed(f, &w), 0);
	btt_wbuf_release(&w);
	pf_take(f);
	assert_int_equal(pf_sent(f, BTT_WIRE_HASH_REJECT), 1);
	pf_free(f);
}

static void test_peer_keepalive_timing(void **state)
{
	struct pfx *f = pf_connected(0, true);
	uint64_t t0 = f->now;

	(void)state;
	assert_int_equal(
		btt_peer_tick(&f->p, t0 + BTT_PEER_KEEPALIVE_MS - 1, false), 0);
	assert_int_equal(f->p.out.len, 0);
	assert_int_equal(
		btt_peer_tick(&f->p, t0 + BTT_PEER_KEEPALIVE_MS, false), 0);
	assert_int_equal(f->p.out.len, 4); /* a zero length prefix */
	pf_take(f);
	/* Not again until another interval without sending. */
	assert_int_equal(
		btt_peer_tick(&f->p, t0 + BTT_PEER_KEEPALIVE_MS + 1000, false),
		0);
	assert_int_equal(f->p.out.len, 0);
	pf_free(f);
}

static void test_peer_idle_timeout(void **state)
{
	struct pfx *f = pf_connected(0, true);
	struct pfx *g = pf_connected(0, true);
	uint64_t t0 = f->now;

	(void)state;
	assert_int_equal(btt_peer_tick(&f->p, t0 + BTT_PEER_IDLE_MS - 1, false),
			 0);
	assert_int_equal(btt_peer_tick(&f->p, t0 + BTT_PEER_IDLE_MS, false),
			 -ETIMEDOUT);
	assert_int_equal(f->p.state, BTT_PEER_CLOSED);
	/* Silence while we do not read (stalled) is not the peer's fault. */
	assert_int_equal(btt_peer_tick(&g->p, t0 + BTT_PEER_IDLE_MS, true), 0);
	assert_int_equal(g->p.state, BTT_PEER_ACTIVE);
	pf_free(f);
	pf_free(g);
}

static void test_peer_handshake_timeout(void **state)
{
	struct pfx *f = pf_new(0, true);

	(void)state;
	btt_peer_start(&f->p, NULL, f->now);
	assert_int_equal(
		btt_peer_tick(&f->p, f->now + BTT_PEER_HANDSHAKE_MS - 1, false),
		0);
	assert_int_equal(
		btt_peer_tick(&f->p, f->now + BTT_PEER_HANDSHAKE_MS, false),
		-ETIMEDOUT);
	pf_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_handshake_outgoing),
		cmocka_unit_test(test_peer_handshake_in_pieces),
		cmocka_unit_test(test_peer_handshake_wrong_hash),
		cmocka_unit_test(test_peer_handshake_not_bittorrent),
		cmocka_unit_test(test_peer_handshake_self),
		cmocka_unit_test(test_peer_handshake_refused),
		cmocka_unit_test(test_peer_handshake_incoming_head),
		cmocka_unit_test(test_peer_sends_bitfield),
		cmocka_unit_test(test_peer_have_all_needs_fast),
		cmocka_unit_test(test_peer_availability_first),
		cmocka_unit_test(test_peer_bitfield_mid_connection),
		cmocka_unit_test(test_peer_bitfield_wrong_size),
		cmocka_unit_test(test_peer_unknown_and_oversize),
		cmocka_unit_test(test_peer_extension_handshake),
		cmocka_unit_test(test_peer_hash_request_answered),
		cmocka_unit_test(test_peer_keepalive_timing),
		cmocka_unit_test(test_peer_idle_timeout),
		cmocka_unit_test(test_peer_handshake_timeout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
