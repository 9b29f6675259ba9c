/* The peer state machine as an uploader under BEP 6: the allowed-fast set
 * we offer (exactly BEP 6's canonical set, only pieces we have, grants
 * for pieces completed later, none for IPv6 or peers without the fast
 * extension), requests for granted pieces served while we choke, others
 * rejected, a choke that keeps granted requests, and the in-queue cap for
 * a choked peer. Also hash requests handed to the owner (BEP 52).
 * Scripted bytes and a fake clock; no sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bt/fast.h"
#include "test_peer_util.h"

#define IP(a, b, c, d)                                                    \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | \
	 (uint32_t)(d))
#define PEER_IP IP(80, 4, 4, 200)

/* A connected fast (or not) peer at PEER_IP; we have the first `have`
 * pieces. */
static struct pfx *fast_peer(uint32_t have, bool fast)
{
	struct pfx *f = pf_prepare(have);

	f->cfg.ipv4 = PEER_IP;
	f->cfg.has_ipv4 = true;
	return pf_handshaken(f, fast);
}

/* The peer's canonical set, computed apart from the peer. */
static uint32_t canonical(const struct pfx *f, uint32_t *set)
{
	return btt_fast_set(f->ih, PEER_IP, PF_NPIECES, BTT_FAST_DEFAULT_K,
			    set);
}

static bool in_set(const uint32_t *set, uint32_t n, uint32_t v)
{
	for (uint32_t i = 0; i < n; i++)
		if (set[i] == v)
			return true;
	return false;
}

/* A piece of the set that we have (`had`) or lack, and one outside the
 * set; never the short last piece. */
static uint32_t member(const struct pfx *f, bool had, uint32_t have)
{
	uint32_t set[BTT_FAST_DEFAULT_K], n = canonical(f, set);

	for (uint32_t i = 0; i < n; i++)
		if ((set[i] < have) == had && set[i] != PF_NPIECES - 1)
			return set[i];
	fail_msg("no member with had=%d", had);
	return 0;
}

static uint32_t outsider(const struct pfx *f)
{
	uint32_t set[BTT_FAST_DEFAULT_K], n = canonical(f, set);

	for (uint32_t i = 0; i < PF_NPIECES - 1; i++)
		if (!in_set(set, n, i))
			return i;
	fail();
	return 0;
}

static void test_peer_fast_grants_canonical_set(void **state)
{
	struct pfx *f = fast_peer(PF_NPIECES, true);
	uint32_t set[BTT_FAST_DEFAULT_K], n = canonical(f, set);

	(void)state;
	assert_int_equal(n, BTT_FAST_DEFAULT_K);
	/* Have all, the extension handshake, then the set in BEP 6 order. */
	assert_int_equal(f->nout, 2 + n);
	assert_int_equal(f->out[0].type, BTT_WIRE_HAVE_ALL);
	assert_int_equal(f->out[1].type, BTT_WIRE_EXTENDED);
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(f->out[2 + i].type, BTT_WIRE_ALLOWED_FAST);
		assert_int_equal(f->out[2 + i].index, set[i]);
	}
	for (uint32_t i = 0; i < PF_NPIECES; i++)
		assert_int_equal(btt_peer_fast_granted(&f->p, i),
				 in_set(set, n, i));
	/* A HAVE for a piece already granted grants nothing more. */
	btt_peer_send_have(&f->p, set[0]);
	pf_take(f);
	assert_int_equal(pf_sent(f, BTT_WIRE_ALLOWED_FAST), n);
	pf_free(f);
}

static void test_peer_fast_small_torrent(void **state)
{
	struct pfx *f = pf_prepare(3);

	(void)state;
	/* Fewer pieces than k: every piece, once each. */
	f->cfg.npieces = 3;
	f->cfg.ipv4 = PEER_IP;
	f->cfg.has_ipv4 = true;
	btt_bitfield_release(&f->have);
	btt_bitfield_init(&f->have, 3);
	btt_bitfield_set_all(&f->have);
	pf_handshaken(f, true);
	assert_int_equal(pf_sent(f, BTT_WIRE_ALLOWED_FAST), 3);
	assert_int_equal(f->p.num_fast_set, 3);
	for (uint32_t i = 0; i < 3; i++)
		assert_true(btt_peer_fast_granted(&f->p, i));
	pf_free(f);
}

static void test_peer_fast_only_pieces_we_have(void **state)
{
	const uint32_t have = PF_NPIECES / 2;
	struct pfx *f = fast_peer(have, true);
	uint32_t set[BTT_FAST_DEFAULT_K], n = canonical(f, set), mine = 0;
	uint32_t later = member(f, false, have);

	(void)state;
	for (uint32_t i = 0; i < n; i++)
		mine += set[i] < have;
	assert_int_equal(pf_sent(f, BTT_WIRE_ALLOWED_FAST), mine);
	for (size_t i = 0; i < f->nout; i++)
		if (f->out[i].type == BTT_WIRE_ALLOWED_FAST)
			assert_true(f->out[i].index < have &&
				    in_set(set, n, f->out[i].index));
	assert_false(btt_peer_fast_granted(&f->p, later));
	/* Completed later: granted with its HAVE, once. */
	btt_bitfield_set(&f->have, later);
	btt_peer_send_have(&f->p, later);
	btt_peer_send_have(&f->p, later);
	btt_peer_send_have(&f->p, outsider(f));
	f->nout = 0;
	pf_take(f);
	assert_int_equal(f->nout, 4);
	assert_int_equal(f->out[0].type, BTT_WIRE_HAVE);
	assert_int_equal(f->out[1].type, BTT_WIRE_ALLOWED_FAST);
	assert_int_equal(f->out[1].index, later);
	assert_int_equal(f->out[2].type, BTT_WIRE_HAVE);
	assert_int_equal(f->out[3].type, BTT_WIRE_HAVE);
	assert_true(btt_peer_fast_granted(&f->p, later));
	pf_free(f);
}

static void test_peer_fast_none_for_ipv6_or_slow(void **state)
{
	struct pfx *v6 = pf_connected(PF_NPIECES, true); /* no IPv4 */
	struct pfx *slow = fast_peer(PF_NPIECES, false);

	(void)state;
	assert_int_equal(pf_sent(v6, BTT_WIRE_ALLOWED_FAST), 0);
	assert_int_equal(v6->p.num_fast_set, 0);
	assert_int_equal(pf_sent(slow, BTT_WIRE_ALLOWED_FAST), 0);
	assert_int_equal(slow->p.num_fast_set, 0);
	/* Their requests while choked are turned down as before. */
	pf_msg_simple(v6, BTT_WIRE_HAVE_NONE);
	pf_msg_req(v6, BTT_WIRE_REQUEST, 0, 0, 16384);
	pf_take(v6);
	assert_int_equal(pf_sent(v6, BTT_WIRE_REJECT), 1);
	assert_int_equal(btt_peer_queued_requests(&v6->p), 0);
	pf_msg_req(slow, BTT_WIRE_REQUEST, 0, 0, 16384);
	pf_take(slow);
	assert_int_equal(pf_sent(slow, BTT_WIRE_REJECT), 0);
	assert_int_equal(btt_peer_queued_requests(&slow->p), 0);
	pf_free(v6);
	pf_free(slow);
}

static void test_peer_fast_served_while_choked(void **state)
{
	struct pfx *f = fast_peer(PF_NPIECES, true);
	uint32_t g = member(f, true, PF_NPIECES), x = outsider(f);
	struct btt_peer_req q;

	(void)state;
	pf_msg_simple(f, BTT_WIRE_HAVE_NONE);
	assert_true(f->p.am_choking);
	pf_msg_req(f, BTT_WIRE_REQUEST, g, 0, 16384);
	pf_msg_req(f, BTT_WIRE_REQUEST, x, 0, 16384);
	pf_msg_req(f, BTT_WIRE_REQUEST, g, 16384, 16384);
	assert_int_equal(btt_peer_queued_requests(&f->p), 2);
	assert_int_equal(pf_count(f, BTT_PEER_EV_REQUEST), 2);
	assert_int_equal(pf_count(f, BTT_PEER_EV_MISBEHAVED), 0);
	while (btt_peer_next_request(&f->p, &q)) {
		assert_int_equal(q.index, g);
		btt_peer_pop_request(&f->p);
		assert_int_equal(btt_peer_block_header(&f->p, q.index, q.begin,
						       q.length, f->now),
				 1);
	}
	pf_take_with_blocks(f);
	assert_int_equal(pf_answers(f, g, 0, 16384), 1);
	assert_int_equal(pf_answers(f, g, 16384, 16384), 1);
	assert_int_equal(pf_answers(f, x, 0, 16384), 1);
	assert_int_equal(pf_sent(f, BTT_WIRE_PIECE), 2);
	assert_int_equal(pf_sent(f, BTT_WIRE_REJECT), 1);
	/* Once the peer has the piece it has no business asking while
	 * choked. */
	pf_msg_index(f, BTT_WIRE_HAVE, g);
	pf_msg_req(f, BTT_WIRE_REQUEST, g, 0, 16384);
	assert_int_equal(btt_peer_queued_requests(&f->p), 0);
	pf_take(f);
	assert_int_equal(pf_answers(f, g, 0, 16384), 2);
	pf_free(f);
}

static void test_peer_fast_choke_keeps_granted(void **state)
{
	struct pfx *f = fast_peer(PF_NPIECES, true);
	uint32_t g = member(f, true, PF_NPIECES), x = outsider(f);
	struct btt_peer_req q;

	(void)state;
	pf_msg_simple(f, BTT_WIRE_HAVE_NONE);
	btt_peer_set_choke(&f->p, false);
	pf_msg_req(f, BTT_WIRE_REQUEST, x, 0, 16384);
	pf_msg_req(f, BTT_WIRE_REQUEST, g, 0, 16384);
	pf_msg_req(f, BTT_WIRE_REQUEST, x, 16384, 16384);
	pf_msg_req(f, BTT_WIRE_REQUEST, g, 16384, 16384);
	pf_msg_req(f, BTT_WIRE_REQUEST, x, 32768, 16384);
	assert_int_equal(btt_peer_queued_requests(&f->p), 5);
	pf_take(f);
	btt_peer_set_choke(&f->p, true);
	pf_take(f);
	assert_int_equal(pf_sent(f, BTT_WIRE_CHOKE), 1);
	assert_int_equal(pf_sent(f, BTT_WIRE_REJECT), 3);
	assert_int_equal(pf_answers(f, x, 0, 16384), 1);
	assert_int_equal(pf_answers(f, x, 16384, 16384), 1);
	assert_int_equal(pf_answers(f, x, 32768, 16384), 1);
	assert_int_equal(pf_answers(f, g, 0, 16384), 0);
	/* The granted ones stay, in order, and are served choked. */
	assert_int_equal(btt_peer_queued_requests(&f->p), 2);
	assert_true(btt_peer_next_request(&f->p, &q));
	assert_int_equal(q.index, g);
	assert_int_equal(q.begin, 0);
	btt_peer_pop_request(&f->p);
	assert_int_equal(btt_peer_block_header(&f->p, g, 0, 16384, f->now), 1);
	assert_true(btt_peer_next_request(&f->p, &q));
	assert_int_equal(q.begin, 16384);
	btt_peer_pop_request(&f->p);
	assert_false(btt_peer_next_request(&f->p, &q));
	/* A cancel of a granted request still gets its reject. */
	pf_msg_req(f, BTT_WIRE_REQUEST, g, 32768, 16384);
	pf_msg_req(f, BTT_WIRE_CANCEL, g, 32768, 16384);
	pf_take_with_blocks(f);
	assert_int_equal(pf_answers(f, g, 0, 16384), 1);
	assert_int_equal(pf_answers(f, g, 32768, 16384), 1);
	assert_int_equal(btt_peer_queued_requests(&f->p), 0);
	pf_free(f);
}

/* A choked peer queues granted requests up to the usual in-queue cap. */
static void test_peer_fast_choked_queue_cap(void **state)
{
	struct pfx *f = fast_peer(PF_NPIECES, true);
	uint32_t g = member(f, true, PF_NPIECES), n = 0;

	(void)state;
	f->piece_len = 1u << 30;
	pf_msg_simple(f, BTT_WIRE_HAVE_NONE);
	pf_take(f);
	for (; n < BTT_PEER_MAX_IN_REQUESTS - 1; n++)
		pf_msg_req(f, BTT_WIRE_REQUEST, g, n * 16384, 16384);
	assert_int_equal(btt_peer_queued_requests(&f->p),
			 BTT_PEER_MAX_IN_REQUESTS - 1);
	pf_msg_req(f, BTT_WIRE_REQUEST, g, n++ * 16384, 16384);
	assert_int_equal(btt_peer_queued_requests(&f->p),
			 BTT_PEER_MAX_IN_REQUESTS);
	assert_int_equal(pf_count(f, BTT_PEER_EV_MISBEHAVED), 0);
	pf_msg_req(f, BTT_WIRE_REQUEST, g, n * 16384, 16384);
	assert_int_equal(btt_peer_queued_requests(&f->p),
			 BTT_PEER_MAX_IN_REQUESTS);
	assert_int_equal(pf_count(f, BTT_PEER_EV_MISBEHAVED), 1);
	pf_take(f);
	assert_int_equal(pf_sent(f, BTT_WIRE_REJECT), 1);
	assert_int_equal(pf_answers(f, g, n * 16384, 16384), 1);
	pf_free(f);
}

/* ---- hash requests ---- */

struct hash_calls {
	int n;
	uint32_t base, index, length, proof;
	uint8_t root[32];
};

/* Serves base 1 with two made-up hashes; refuses everything else. */
static int fake_hashes(void *arg, const struct btt_wire_msg *req,
		       struct btt_wbuf *out)
{
	struct hash_calls *c = arg;
	uint8_t h[2][32];

	c->n++;
	c->base = req->base;
	c->index = req->index;
	c->length = req->length;
	c->proof = req->proof;
	memcpy(c->root, req->root, 32);
	if (req->base != 1)
		return BTT_EUNSUPPORTED;
	memset(h, 0x42, sizeof(h));
	btt_wire_put_hashes(out, req->root, req->base, req->index, req->length,
			    req->proof, h[0], 2);
	return 0;
}

static int hash_request(struct pfx *f, uint32_t base)
{
	uint8_t root[32];
	struct btt_wbuf w;
	int rc;

	memset(root, 7, sizeof(root));
	btt_wbuf_init(&w, 128);
	btt_wire_put_hash_request(&w, BTT_WIRE_HASH_REQUEST, root, base, 4, 2,
				  1);
	rc = pf_feed(f, &w);
	btt_wbuf_release(&w);
	return rc;
}

static void test_peer_fast_hash_requests_served(void **state)
{
	struct pfx *f = pf_prepare(PF_NPIECES);
	struct hash_calls c = {0};
	uint8_t root[32];

	(void)state;
	f->cfg.hashes = fake_hashes;
	f->cfg.hashes_arg = &c;
	pf_handshaken(f, true);
	assert_int_equal(hash_request(f, 1), 0);
	assert_int_equal(c.n, 1);
	memset(root, 7, sizeof(root));
	assert_memory_equal(c.root, root, 32);
	assert_int_equal(c.base, 1);
	assert_int_equal(c.index, 4);
	assert_int_equal(c.length, 2);
	assert_int_equal(c.proof, 1);
	assert_int_equal(hash_request(f, 0), 0);
	assert_int_equal(c.n, 2);
	pf_take(f);
	assert_int_equal(pf_sent(f, BTT_WIRE_HASHES), 1);
	assert_int_equal(pf_sent(f, BTT_WIRE_HASH_REJECT), 1);
	for (size_t i = 0; i < f->nout; i++) {
		const struct pmsg *m = &f->out[i];
		if (m->type == BTT_WIRE_HASHES) {
			assert_int_equal(m->base, 1);
			assert_int_equal(m->nhashes, 2);
		}
		if (m->type == BTT_WIRE_HASH_REJECT) {
			assert_int_equal(m->base, 0);
			assert_int_equal(m->index, 4);
			assert_int_equal(m->length, 2);
			assert_int_equal(m->proof, 1);
		}
	}
	assert_int_equal(f->p.state, BTT_PEER_ACTIVE);
	pf_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_fast_grants_canonical_set),
		cmocka_unit_test(test_peer_fast_small_torrent),
		cmocka_unit_test(test_peer_fast_only_pieces_we_have),
		cmocka_unit_test(test_peer_fast_none_for_ipv6_or_slow),
		cmocka_unit_test(test_peer_fast_served_while_choked),
		cmocka_unit_test(test_peer_fast_choke_keeps_granted),
		cmocka_unit_test(test_peer_fast_choked_queue_cap),
		cmocka_unit_test(test_peer_fast_hash_requests_served),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
