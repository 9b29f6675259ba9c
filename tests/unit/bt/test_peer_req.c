/* The peer state machine's requests: the fast extension's "exactly one
 * answer", the request size limit, queue limits, unrequested blocks,
 * rejects, chokes, timeouts, snubbing and the pipeline. Scripted bytes and
 * a fake clock; no sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_peer_util.h"

/* Serves every queued request: pops it and sends its header. */
static void serve_all(struct pfx *f)
{
	struct btt_peer_req q;

	while (btt_peer_next_request(&f->p, &q)) {
		btt_peer_pop_request(&f->p);
		assert_int_equal(btt_peer_block_header(&f->p, q.index, q.begin,
						       q.length, f->now),
				 1);
	}
}

static void test_peer_fast_exactly_one_answer(void **state)
{
	struct pfx *f = pf_connected(PF_NPIECES - 2, true);
	struct btt_peer_req q;

	(void)state;
	pf_msg_simple(f, BTT_WIRE_HAVE_NONE);
	pf_msg_simple(f, BTT_WIRE_INTERESTED);
	/* Choked: rejected at once. */
	pf_msg_req(f, BTT_WIRE_REQUEST, 0, 0, 16384);
	btt_peer_set_choke(&f->p, false);
	/* Queued, then served. */
	pf_msg_req(f, BTT_WIRE_REQUEST, 1, 0, 16384);
	/* Queued, then cancelled: rejected. */
	pf_msg_req(f, BTT_WIRE_REQUEST, 1, 16384, 16384);
	pf_msg_req(f, BTT_WIRE_CANCEL, 1, 16384, 16384);
	/* A piece we lack, beyond the piece, over the size limit. */
	pf_msg_req(f, BTT_WIRE_REQUEST, PF_NPIECES - 1, 0, 16384);
	pf_msg_req(f, BTT_WIRE_REQUEST, 2, PF_PIECE - 100, 16384);
	pf_msg_req(f, BTT_WIRE_REQUEST, 3, 0, BTT_WIRE_MAX_REQUEST + 1);
	/* Queued, popped for a read, then cancelled: the block still goes
	 * (an answer BEP 6 allows). */
	pf_msg_req(f, BTT_WIRE_REQUEST, 4, 0, 16384);
	/* Queued when we choke: rejected. */
	pf_msg_req(f, BTT_WIRE_REQUEST, 5, 0, 16384);
	assert_true(btt_peer_next_request(&f->p, &q));
	assert_int_equal(q.index, 1);
	btt_peer_pop_request(&f->p);
	btt_peer_block_header(&f->p, 1, 0, 16384, f->now);
	assert_true(btt_peer_next_request(&f->p, &q));
	assert_int_equal(q.index, 4);
	btt_peer_pop_request(&f->p);
	pf_msg_req(f, BTT_WIRE_CANCEL, 4, 0, 16384);
	btt_peer_block_header(&f->p, 4, 0, 16384, f->now);
	btt_peer_set_choke(&f->p, true);
	assert_false(btt_peer_next_request(&f->p, &q));
	pf_take_with_blocks(f);
	assert_int_equal(pf_answers(f, 0, 0, 16384), 1);
	assert_int_equal(pf_answers(f, 1, 0, 16384), 1);
	assert_int_equal(pf_answers(f, 1, 16384, 16384), 1);
	assert_int_equal(pf_answers(f, PF_NPIECES - 1, 0, 16384), 1);
	assert_int_equal(pf_answers(f, 2, PF_PIECE - 100, 16384), 1);
	assert_int_equal(pf_answers(f, 3, 0, BTT_WIRE_MAX_REQUEST + 1), 1);
	assert_int_equal(pf_answers(f, 4, 0, 16384), 1);
	assert_int_equal(pf_answers(f, 5, 0, 16384), 1);
	assert_int_equal(pf_count(f, BTT_PEER_EV_MISBEHAVED), 3);
	pf_free(f);
}

static void test_peer_no_fast_drops(void **state)
{
	struct pfx *f = pf_connected(PF_NPIECES - 2, false);
	struct btt_peer_req q;

	(void)state;
	pf_msg_req(f, BTT_WIRE_REQUEST, 0, 0, 16384); /* choked */
	btt_peer_set_choke(&f->p, false);
	pf_msg_req(f, BTT_WIRE_REQUEST, 1, 0, 16384);
	pf_msg_req(f, BTT_WIRE_CANCEL, 1, 0, 16384);
	pf_msg_req(f, BTT_WIRE_REQUEST, PF_NPIECES - 1, 0, 16384);
	pf_msg_req(f, BTT_WIRE_REQUEST, 2, 0, 16384);
	assert_true(btt_peer_next_request(&f->p, &q));
	btt_peer_pop_request(&f->p);
	/* Choking a peer without the fast extension takes its requests
	 * back: the block of a read under way is not sent. */
	btt_peer_set_choke(&f->p, true);
	assert_int_equal(btt_peer_block_header(&f->p, 2, 0, 16384, f->now), 0);
	pf_take(f);
	assert_int_equal(pf_sent(f, BTT_WIRE_REJECT), 0);
	assert_int_equal(pf_sent(f, BTT_WIRE_PIECE), 0);
	assert_int_equal(f->p.state, BTT_PEER_ACTIVE);
	pf_free(f);
}

static void test_peer_request_size_limit(void **state)
{
	struct pfx *f = pf_connected(PF_NPIECES, true);
	struct btt_peer_req q;

	(void)state;
	f->piece_len = 2 * BTT_WIRE_MAX_REQUEST; /* room for every size */
	pf_msg_simple(f, BTT_WIRE_HAVE_NONE);
	btt_peer_set_choke(&f->p, false);
	pf_msg_req(f, BTT_WIRE_REQUEST, 0, 0, BTT_WIRE_MAX_REQUEST - 1);
	pf_msg_req(f, BTT_WIRE_REQUEST, 1, 0, BTT_WIRE_MAX_REQUEST);
	pf_msg_req(f, BTT_WIRE_REQUEST, 2, 0, BTT_WIRE_MAX_REQUEST + 1);
	assert_int_equal(btt_peer_queued_requests(&f->p), 2);
	assert_true(btt_peer_next_request(&f->p, &q));
	assert_int_equal(q.length, BTT_WIRE_MAX_REQUEST - 1);
	pf_take(f);
	assert_int_equal(pf_sent(f, BTT_WIRE_REJECT), 1);
	assert_int_equal(f->out[f->nout - 1].index, 2);
	assert_int_equal(pf_count(f, BTT_PEER_EV_MISBEHAVED), 1);
	/* A zero-length request is outside every piece too. */
	pf_msg_req(f, BTT_WIRE_REQUEST, 3, 0, 0);
	assert_int_equal(btt_peer_queued_requests(&f->p), 2);
	pf_free(f);
}

static void test_peer_in_queue_limit(void **state)
{
	struct pfx *f = pf_connected(PF_NPIECES, true);
	uint32_t n = 0;

	(void)state;
	f->piece_len = 1u << 30;
	pf_msg_simple(f, BTT_WIRE_HAVE_NONE);
	btt_peer_set_choke(&f->p, false);
	pf_take(f);
	for (; n < BTT_PEER_MAX_IN_REQUESTS - 1; n++)
		pf_msg_req(f, BTT_WIRE_REQUEST, 0, n * 16384, 16384);
	assert_int_equal(btt_peer_queued_requests(&f->p),
			 BTT_PEER_MAX_IN_REQUESTS - 1);
	pf_msg_req(f, BTT_WIRE_REQUEST, 0, n++ * 16384, 16384);
	assert_int_equal(btt_peer_queued_requests(&f->p),
			 BTT_PEER_MAX_IN_REQUESTS);
	assert_int_equal(pf_count(f, BTT_PEER_EV_MISBEHAVED), 0);
	pf_msg_req(f, BTT_WIRE_REQUEST, 0, n * 16384, 16384);
	assert_int_equal(btt_peer_queued_requests(&f->p),
			 BTT_PEER_MAX_IN_REQUESTS);
	assert_int_equal(pf_count(f, BTT_PEER_EV_MISBEHAVED), 1);
	pf_take(f);
	assert_int_equal(pf_answers(f, 0, n * 16384, 16384), 1);
	/* Served ones make room again. */
	serve_all(f);
	pf_msg_req(f, BTT_WIRE_REQUEST, 0, n * 16384, 16384);
	assert_int_equal(btt_peer_queued_requests(&f->p), 1);
	pf_free(f);
}

static void test_peer_score_closes(void **state)
{
	struct pfx *f = pf_connected(PF_NPIECES, true);
	int rc = 0;

	(void)state;
	pf_msg_simple(f, BTT_WIRE_HAVE_NONE);
	btt_peer_set_choke(&f->p, false);
	for (int i = 0; i < 10 && rc == 0; i++)
		rc = pf_msg_req(f, BTT_WIRE_REQUEST, 0, 0,
				BTT_WIRE_MAX_REQUEST + 1);
	assert_int_equal(rc, BTT_EMALFORMED);
	assert_int_equal(f->p.state, BTT_PEER_CLOSED);
	assert_true(f->p.score >= BTT_PEER_MAX_SCORE);
	assert_int_equal(pf_count(f, BTT_PEER_EV_MISBEHAVED),
			 BTT_PEER_MAX_SCORE / 25);
	pf_free(f);
}

static void test_peer_blocks_and_rejects(void **state)
{
	struct pfx *f = pf_connected(0, true);
	const struct pev *e;

	(void)state;
	pf_ready_to_request(f, true);
	assert_int_equal(btt_peer_request_room(&f->p), BTT_PEER_MIN_QUEUE);
	assert_int_equal(btt_peer_request(&f->p, 3, 0, 16384, f->now), 0);
	assert_int_equal(btt_peer_request(&f->p, 3, 16384, 16384, f->now), 0);
	assert_int_equal(f->p.n_active, 2);
	pf_take(f);
	assert_int_equal(pf_sent(f, BTT_WIRE_REQUEST), 2);
	assert_int_equal(pf_msg_piece(f, 3, 0, 16384, 0xab), 0);
	e = pf_last(f, BTT_PEER_EV_BLOCK);
	assert_non_null(e);
	assert_int_equal(e->index, 3);
	assert_int_equal(e->length, 16384);
	assert_int_equal(e->first, 0xab);
	assert_int_equal(f->p.n_active, 1);
	assert_int_equal(f->p.down_bytes, 16384);
	/* Slow start: one more request per block. */
	assert_int_equal(f->p.queue_target, BTT_PEER_MIN_QUEUE + 1);
	assert_int_equal(pf_msg_req(f, BTT_WIRE_REJECT, 3, 16384, 16384), 0);
	e = pf_last(f, BTT_PEER_EV_RELEASED);
	assert_non_null(e);
	assert_int_equal(e->begin, 16384);
	assert_int_equal(f->p.n_active, 0);
	/* A reject for nothing costs points, not the connection. */
	assert_int_equal(pf_msg_req(f, BTT_WIRE_REJECT, 9, 0, 16384), 0);
	assert_int_equal(pf_count(f, BTT_PEER_EV_MISBEHAVED), 1);
	/* Requests we never send: out of range, too long. */
	assert_int_equal(btt_peer_request(&f->p, PF_NPIECES, 0, 16384, f->now),
			 BTT_EINVALID);
	assert_int_equal(
		btt_peer_request(&f->p, PF_NPIECES - 1, 16384, 16384, f->now),
		BTT_EINVALID);
	pf_free(f);
}

static void test_peer_unrequested_block(void **state)
{
	struct pfx *f = pf_connected(0, true);
	struct pfx *g = pf_connected(0, false);

	(void)state;
	pf_ready_to_request(f, true);
	assert_int_equal(pf_msg_piece(f, 2, 0, 16384, 1), BTT_EMALFORMED);
	assert_int_equal(f->p.state, BTT_PEER_CLOSED);
	assert_int_equal(pf_count(f, BTT_PEER_EV_BLOCK), 0);
	/* Without the fast extension a stray block is only an offence. */
	pf_ready_to_request(g, false);
	assert_int_equal(pf_msg_piece(g, 2, 0, 16384, 1), 0);
	assert_int_equal(g->p.state, BTT_PEER_ACTIVE);
	assert_int_equal(pf_count(g, BTT_PEER_EV_BLOCK), 0);
	assert_int_equal(pf_count(g, BTT_PEER_EV_MISBEHAVED), 1);
	pf_free(f);
	pf_free(g);
}

/* A block at a requested offset with another length closes the
 * connection, with or without the fast extension. */
static void test_peer_block_wrong_length(void **state)
{
	struct pfx *g = pf_connected(0, false);

	(void)state;
	pf_ready_to_request(g, false);
	btt_peer_request(&g->p, 1, 0, 16384, g->now);
	assert_int_equal(pf_msg_piece(g, 1, 0, 8192, 1), BTT_EMALFORMED);
	assert_int_equal(g->p.state, BTT_PEER_CLOSED);
	assert_int_equal(pf_count(g, BTT_PEER_EV_BLOCK), 0);
	pf_free(g);
}

static void test_peer_cancel_then_late_block(void **state)
{
	struct pfx *f = pf_connected(0, true);

	(void)state;
	pf_ready_to_request(f, true);
	btt_peer_request(&f->p, 1, 0, 16384, f->now);
	assert_true(btt_peer_cancel(&f->p, 1, 0, 16384, f->now));
	assert_false(btt_peer_cancel(&f->p, 1, 0, 16384, f->now));
	assert_int_equal(f->p.n_active, 0);
	pf_take(f);
	assert_int_equal(pf_sent(f, BTT_WIRE_CANCEL), 1);
	/* The block crossed our cancel: welcome, no offence. */
	assert_int_equal(pf_msg_piece(f, 1, 0, 16384, 2), 0);
	assert_int_equal(pf_count(f, BTT_PEER_EV_BLOCK), 1);
	assert_int_equal(pf_count(f, BTT_PEER_EV_RELEASED), 0);
	pf_free(f);
}

static void test_peer_choke_releases_without_fast(void **state)
{
	struct pfx *f = pf_connected(0, false);
	struct pfx *g = pf_connected(0, true);

	(void)state;
	pf_ready_to_request(f, false);
	btt_peer_request(&f->p, 1, 0, 16384, f->now);
	btt_peer_request(&f->p, 1, 16384, 16384, f->now);
	pf_msg_simple(f, BTT_WIRE_CHOKE);
	assert_int_equal(pf_count(f, BTT_PEER_EV_RELEASED), 2);
	assert_int_equal(pf_count(f, BTT_PEER_EV_CHOKED), 1);
	assert_int_equal(f->p.n_active, 0);
	assert_int_equal(btt_peer_request_room(&f->p), 0);
	/* A block sent before the choke arrives after it: accepted. */
	assert_int_equal(pf_msg_piece(f, 1, 0, 16384, 3), 0);
	assert_int_equal(pf_count(f, BTT_PEER_EV_BLOCK), 1);
	/* With the fast extension a choke keeps requests: rejects will
	 * answer them. */
	pf_ready_to_request(g, true);
	btt_peer_request(&g->p, 1, 0, 16384, g->now);
	pf_msg_simple(g, BTT_WIRE_CHOKE);
	assert_int_equal(pf_count(g, BTT_PEER_EV_RELEASED), 0);
	assert_int_equal(g->p.n_active, 1);
	pf_free(f);
	pf_free(g);
}

static void test_peer_allowed_fast(void **state)
{
	struct pfx *f = pf_connected(0, true);

	(void)state;
	pf_msg_simple(f, BTT_WIRE_HAVE_ALL);
	btt_peer_set_interested(&f->p, true);
	assert_int_equal(btt_peer_request_room(&f->p), 0);
	pf_msg_index(f, BTT_WIRE_ALLOWED_FAST, 6);
	pf_msg_index(f, BTT_WIRE_ALLOWED_FAST, 6);
	assert_int_equal(pf_count(f, BTT_PEER_EV_ALLOWED_FAST), 1);
	assert_true(btt_peer_allowed_fast(&f->p, 6));
	assert_false(btt_peer_allowed_fast(&f->p, 7));
	assert_true(btt_peer_request_room(&f->p) > 0);
	pf_free(f);
}

static void test_peer_request_timeout_and_snub(void **state)
{
	struct pfx *f = pf_connected(0, true);
	uint64_t t0;

	(void)state;
	pf_ready_to_request(f, true);
	t0 = f->now;
	btt_peer_request(&f->p, 1, 0, 16384, t0);
	btt_peer_request(&f->p, 1, 16384, 16384, t0);
	pf_take(f);
	/* The peer keeps talking but sends no block. */
	f->now = t0 + BTT_PEER_REQUEST_TIMEOUT_MS - 1;
	pf_msg_simple(f, BTT_WIRE_INTERESTED);
	assert_int_equal(btt_peer_tick(&f->p, f->now, false), 0);
	assert_int_equal(pf_count(f, BTT_PEER_EV_RELEASED), 0);
	assert_false(f->p.snubbed);
	f->now = t0 + BTT_PEER_REQUEST_TIMEOUT_MS;
	assert_int_equal(btt_peer_tick(&f->p, f->now, false), 0);
	assert_int_equal(pf_count(f, BTT_PEER_EV_RELEASED), 2);
	assert_true(f->p.snubbed);
	assert_int_equal(f->p.n_active, 0);
	assert_int_equal(f->p.queue_target, BTT_PEER_MIN_QUEUE);
	pf_take(f);
	assert_int_equal(pf_sent(f, BTT_WIRE_CANCEL), 2);
	/* A block ends the snub. */
	pf_msg_piece(f, 1, 0, 16384, 4);
	assert_false(f->p.snubbed);
	assert_int_equal(pf_count(f, BTT_PEER_EV_BLOCK), 1);
	pf_free(f);
}

static void test_peer_pipeline_from_rate(void **state)
{
	struct pfx *f = pf_connected(0, true);
	uint32_t begin = 0;

	(void)state;
	pf_ready_to_request(f, true);
	/* Three seconds of 1 MiB/s (64 blocks a second). */
	for (int s = 1; s <= 3; s++) {
		for (int b = 0; b < 64; b++, begin += 16384) {
			uint32_t piece = begin / PF_PIECE % (PF_NPIECES - 1);
			uint32_t off = begin % PF_PIECE;
			btt_peer_request(&f->p, piece, off, 16384, f->now);
			pf_msg_piece(f, piece, off, 16384, 5);
		}
		f->now = PF_T0 + 1000u * (uint64_t)s;
		btt_peer_tick(&f->p, f->now, false);
		pf_take(f);
	}
	/* Steady rate: slow start is over, and the pipeline holds two
	 * seconds of blocks. */
	assert_false(f->p.slow_start);
	assert_int_equal(f->p.queue_target, 2 * 64);
	pf_free(f);
}

static void test_peer_out_request_limit(void **state)
{
	struct pfx *f = pf_connected(0, true);
	uint32_t n = 0;
	int rc = 0;

	(void)state;
	f->piece_len = 1u << 30;
	pf_ready_to_request(f, true);
	for (; n < BTT_PEER_MAX_OUT_REQUESTS - 1; n++)
		assert_int_equal(
			btt_peer_request(&f->p, 0, n * 16384, 16384, f->now),
			0);
	pf_take(f);
	assert_int_equal(btt_peer_request(&f->p, 0, n++ * 16384, 16384, f->now),
			 0);
	assert_int_equal(btt_peer_request_room(&f->p), 0);
	rc = btt_peer_request(&f->p, 0, n * 16384, 16384, f->now);
	assert_int_equal(rc, BTT_ELIMIT);
	assert_int_equal(f->p.n_active, BTT_PEER_MAX_OUT_REQUESTS);
	pf_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_fast_exactly_one_answer),
		cmocka_unit_test(test_peer_no_fast_drops),
		cmocka_unit_test(test_peer_request_size_limit),
		cmocka_unit_test(test_peer_in_queue_limit),
		cmocka_unit_test(test_peer_score_closes),
		cmocka_unit_test(test_peer_blocks_and_rejects),
		cmocka_unit_test(test_peer_unrequested_block),
		cmocka_unit_test(test_peer_block_wrong_length),
		cmocka_unit_test(test_peer_cancel_then_late_block),
		cmocka_unit_test(test_peer_choke_releases_without_fast),
		cmocka_unit_test(test_peer_allowed_fast),
		cmocka_unit_test(test_peer_request_timeout_and_snub),
		cmocka_unit_test(test_peer_pipeline_from_rate),
		cmocka_unit_test(test_peer_out_request_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
