/* Piece picker block life cycle: endgame duplicates and cancels, hash
 * failure, rejects and timeouts, peer disconnects, late and duplicate
 * blocks, pieces we get or lose outside a download. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_picker_util.h"

static enum btt_picker_block_state state_of(struct btt_picker *pk,
					    uint32_t piece, uint32_t block,
					    uint32_t *peers, size_t *n)
{
	return btt_picker_block_state(pk, piece, block, peers, n);
}

static void test_picker_blocks_endgame_duplicates(void **state)
{
	struct btt_picker *pk = picker_make(2, 32 * KIB, 0);
	struct btt_picker_peer a = peer_of(1, NULL), b = peer_of(2, NULL),
			       c = peer_of(3, NULL), d;
	struct btt_bitfield only0;
	struct btt_picker_block out[8];
	struct btt_picker_recv r;
	uint32_t peers[BTT_PICKER_MAX_DUP];
	size_t n;
	(void)state;

	bits_make(&only0, "10");
	d = peer_of(4, &only0);
	assert_int_equal(btt_picker_peer_seed_add(pk), 0);
	assert_int_equal(btt_picker_peer_have(pk, 1), 0);
	assert_int_equal(pick_n(pk, &a, 3, out), 3);
	assert_int_equal(out[0].piece, 0);
	assert_int_equal(out[2].piece, 1);
	/* one block is still free: no duplicates yet, not even for a peer
	 * that lacks it */
	assert_false(btt_picker_endgame(pk));
	assert_int_equal(pick_n(pk, &d, 8, out), 0);
	assert_int_equal(pick_n(pk, &b, 1, out), 1);
	assert_true(btt_picker_endgame(pk));
	/* b may now double a's three blocks, never its own */
	assert_int_equal(pick_n(pk, &b, 8, out), 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(
			state_of(pk, out[i].piece, out[i].block, peers, &n),
			BTT_PICKER_BLOCK_REQUESTED);
		assert_int_equal(n, 2);
		assert_int_equal(peers[0], 1);
		assert_int_equal(peers[1], 2);
	}
	assert_int_equal(pick_n(pk, &b, 8, out), 0);
	/* at most two requesters: c gets only b's block */
	assert_int_equal(pick_n(pk, &c, 8, out), 1);
	assert_int_equal(state_of(pk, out[0].piece, out[0].block, peers, &n),
			 BTT_PICKER_BLOCK_REQUESTED);
	assert_int_equal(peers[0], 2);
	assert_int_equal(peers[1], 3);
	/* the first copy wins and the other requester is cancelled */
	assert_int_equal(btt_picker_block_received(pk, 3, out[0].piece,
						   out[0].block, &r),
			 0);
	assert_true(r.fresh);
	assert_int_equal(r.num_cancel, 1);
	assert_int_equal(r.cancel[0], 2);
	assert_int_equal(btt_picker_block_received(pk, 2, out[0].piece,
						   out[0].block, &r),
			 0);
	assert_false(r.fresh);
	assert_int_equal(r.num_cancel, 0);
	assert_int_equal(btt_picker_block_received(pk, 2, 0, 0, &r), 0);
	assert_true(r.fresh);
	assert_int_equal(r.num_cancel, 1);
	assert_int_equal(r.cancel[0], 1);
	assert_int_equal(btt_picker_check(pk), 0);
	btt_bitfield_release(&only0);
	btt_picker_free(pk);
}

/* Pieces nobody connected has do not hold endgame back. */
static void test_picker_blocks_endgame_ignores_missing(void **state)
{
	struct btt_picker *pk = picker_make(3, 16 * KIB, 0);
	struct btt_bitfield bf;
	struct btt_picker_peer a, b;
	struct btt_picker_block out[4];
	(void)state;

	bits_make(&bf, "110");
	a = peer_of(1, &bf);
	b = peer_of(2, &bf);
	assert_int_equal(btt_picker_peer_bitfield_add(pk, &bf), 0);
	assert_int_equal(btt_picker_peer_bitfield_add(pk, &bf), 0);
	assert_int_equal(pick_n(pk, &a, 1, out), 1);
	assert_false(btt_picker_endgame(pk));
	assert_int_equal(pick_n(pk, &a, 1, out), 1);
	assert_true(btt_picker_endgame(pk));
	assert_int_equal(pick_n(pk, &b, 4, out), 2);
	/* a seed arrives with piece 2: it is free again, endgame ends */
	assert_int_equal(btt_picker_peer_seed_add(pk), 0);
	assert_false(btt_picker_endgame(pk));
	btt_bitfield_release(&bf);
	btt_picker_free(pk);
}

static void test_picker_blocks_hash_failure(void **state)
{
	struct btt_picker *pk = picker_make(1, 64 * KIB, 0);
	struct btt_picker_peer a = peer_of(30, NULL);
	struct btt_picker_block out[4];
	const uint32_t *peers;
	uint32_t who[BTT_PICKER_MAX_DUP];
	size_t n;
	(void)state;

	assert_int_equal(btt_picker_peer_seed_add(pk), 0);
	assert_int_equal(pick_n(pk, &a, 4, out), 4);
	assert_false(recv_ok(pk, 30, 0, 0));
	assert_false(recv_ok(pk, 20, 0, 1)); /* late, unrequested: taken */
	assert_false(recv_ok(pk, 30, 0, 2));
	assert_true(recv_ok(pk, 10, 0, 3));
	assert_int_equal(state_of(pk, 0, 1, who, &n),
			 BTT_PICKER_BLOCK_RECEIVED);
	assert_int_equal(n, 1);
	assert_int_equal(who[0], 20);
	assert_int_equal(pick_n(pk, &a, 4, out), 0);
	assert_int_equal(btt_picker_piece_failed(pk, 0, &peers, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(peers[0], 10);
	assert_int_equal(peers[1], 20);
	assert_int_equal(peers[2], 30);
	assert_int_equal(btt_picker_check(pk), 0);
	for (uint32_t b = 0; b < 4; b++)
		assert_int_equal(state_of(pk, 0, b, who, &n),
				 BTT_PICKER_BLOCK_FREE);
	assert_int_equal(btt_picker_num_downloading(pk), 0);
	assert_int_equal(btt_picker_piece_failed(pk, 0, &peers, &n),
			 BTT_EINVALID);
	assert_int_equal(n, 0);
	assert_int_equal(pick_n(pk, &a, 4, out), 4);
	piece_done(pk, 30, 0);
	assert_int_equal(state_of(pk, 0, 3, who, &n), BTT_PICKER_BLOCK_HAVE);
	assert_true(btt_picker_complete(pk));
	btt_picker_free(pk);
}

static void test_picker_blocks_reject_and_timeout(void **state)
{
	struct btt_picker *pk = picker_make(2, 48 * KIB, 0);
	struct btt_picker_peer a = peer_of(1, NULL), b = peer_of(2, NULL);
	struct btt_picker_block out[8];
	uint32_t who[BTT_PICKER_MAX_DUP];
	size_t n;
	uint32_t piece;
	(void)state;

	assert_int_equal(btt_picker_peer_seed_add(pk), 0);
	assert_int_equal(pick_n(pk, &a, 3, out), 3);
	piece = out[0].piece;
	/* a rejects block 1 (BEP 6); only a may release it */
	assert_false(btt_picker_block_release(pk, 2, piece, 1));
	assert_true(btt_picker_block_release(pk, 1, piece, 1));
	assert_false(btt_picker_block_release(pk, 1, piece, 1));
	assert_false(btt_picker_block_release(pk, 1, piece, 3));
	assert_int_equal(btt_picker_check(pk), 0);
	assert_int_equal(state_of(pk, piece, 1, who, &n),
			 BTT_PICKER_BLOCK_FREE);
	/* b takes it: the piece in progress comes first */
	assert_int_equal(pick_n(pk, &b, 1, out), 1);
	assert_int_equal(out[0].piece, piece);
	assert_int_equal(out[0].block, 1);
	/* a's other two time out; b still holds one block */
	assert_true(btt_picker_block_release(pk, 1, piece, 0));
	assert_true(btt_picker_block_release(pk, 1, piece, 2));
	assert_int_equal(btt_picker_num_downloading(pk), 1);
	assert_int_equal(btt_picker_check(pk), 0);
	/* b's too: the piece is no longer in progress */
	assert_true(btt_picker_block_release(pk, 2, piece, 1));
	assert_int_equal(btt_picker_num_downloading(pk), 0);
	assert_int_equal(btt_picker_check(pk), 0);
	btt_picker_free(pk);
}

static void test_picker_blocks_peer_disconnect(void **state)
{
	struct btt_picker *pk = picker_make(4, 32 * KIB, 0);
	struct btt_bitfield bfa;
	struct btt_picker_peer a, b = peer_of(2, NULL);
	struct btt_picker_block out[8];
	uint32_t who[BTT_PICKER_MAX_DUP];
	size_t n;
	(void)state;

	bits_make(&bfa, "1111");
	a = peer_of(1, &bfa);
	assert_int_equal(btt_picker_peer_bitfield_add(pk, &bfa), 0);
	assert_int_equal(btt_picker_peer_seed_add(pk), 0);
	assert_int_equal(pick_n(pk, &a, 5, out), 5);
	assert_false(recv_ok(pk, 1, out[0].piece, out[0].block));
	assert_int_equal(pick_n(pk, &b, 2, out + 5), 2);
	assert_int_equal(btt_picker_num_downloading(pk), 4);
	/* a goes: its four outstanding requests are dropped, its block kept */
	assert_int_equal(btt_picker_peer_release(pk, 1), 4);
	assert_int_equal(btt_picker_peer_release(pk, 1), 0);
	assert_int_equal(btt_picker_peer_bitfield_remove(pk, &bfa), 0);
	assert_int_equal(btt_picker_availability(pk, 0), 1);
	assert_int_equal(btt_picker_check(pk), 0);
	assert_int_equal(state_of(pk, out[0].piece, out[0].block, who, &n),
			 BTT_PICKER_BLOCK_RECEIVED);
	for (int i = 1; i < 5; i++)
		assert_int_equal(
			state_of(pk, out[i].piece, out[i].block, who, &n),
			BTT_PICKER_BLOCK_FREE);
	/* pieces with neither received nor requested blocks were returned */
	assert_int_equal(btt_picker_num_downloading(pk), 3);
	assert_int_equal(btt_picker_peer_release(pk, 2), 2);
	assert_int_equal(btt_picker_num_downloading(pk), 1);
	assert_int_equal(btt_picker_check(pk), 0);
	/* b now finishes the piece a began */
	assert_int_equal(pick_n(pk, &b, 1, out + 1), 1);
	assert_int_equal(out[1].piece, out[0].piece);
	/* the same through the peer's description */
	assert_int_equal(btt_picker_peer_add(pk, &a), 0);
	assert_int_equal(btt_picker_availability(pk, 0), 2);
	assert_int_equal(pick_n(pk, &a, 2, out + 2), 2);
	assert_int_equal(btt_picker_peer_remove(pk, &a), 0);
	assert_int_equal(btt_picker_peer_remove(pk, &b), 0);
	assert_int_equal(btt_picker_availability(pk, 0), 0);
	assert_int_equal(btt_picker_num_downloading(pk), 1);
	assert_int_equal(btt_picker_peer_remove(pk, &b), BTT_EINVALID);
	a.have = NULL;
	assert_int_equal(btt_picker_peer_add(pk, &a), BTT_EINVALID);
	assert_int_equal(btt_picker_check(pk), 0);
	btt_bitfield_release(&bfa);
	btt_picker_free(pk);
}

static void test_picker_blocks_unwanted_and_duplicate(void **state)
{
	struct btt_picker *pk = picker_make(3, 32 * KIB, 0);
	struct btt_picker_recv r;
	(void)state;

	/* a block of a piece nobody requested starts the piece */
	assert_false(recv_ok(pk, 4, 1, 1));
	assert_int_equal(btt_picker_num_downloading(pk), 1);
	assert_int_equal(btt_picker_block_received(pk, 5, 1, 1, &r), 0);
	assert_false(r.fresh);
	/* a piece we skip is discarded */
	assert_int_equal(btt_picker_priority_set(pk, 2, 0), 0);
	assert_int_equal(btt_picker_block_received(pk, 4, 2, 0, &r), 0);
	assert_false(r.fresh);
	assert_false(r.piece_complete);
	/* as is one we have or one waiting for its hash */
	assert_int_equal(btt_picker_have_set(pk, 0), 0);
	assert_int_equal(btt_picker_block_received(pk, 4, 0, 0, &r), 0);
	assert_false(r.fresh);
	assert_true(recv_ok(pk, 4, 1, 0));
	assert_int_equal(btt_picker_block_received(pk, 4, 1, 0, &r), 0);
	assert_false(r.fresh);
	assert_false(r.piece_complete);
	assert_int_equal(btt_picker_check(pk), 0);
	btt_picker_free(pk);
}

static void test_picker_blocks_have_set_and_clear(void **state)
{
	struct btt_picker *pk = picker_make(3, 32 * KIB, 0);
	struct btt_picker_peer a = peer_of(1, NULL);
	struct btt_picker_block out[8];
	(void)state;

	assert_int_equal(btt_picker_peer_seed_add(pk), 0);
	assert_int_equal(pick_n(pk, &a, 1, out), 1);
	/* a recheck found the piece in progress complete on disk */
	assert_int_equal(btt_picker_have_set(pk, out[0].piece), 0);
	assert_int_equal(btt_picker_have_set(pk, out[0].piece), 0);
	assert_int_equal(btt_picker_num_downloading(pk), 0);
	assert_int_equal(btt_picker_check(pk), 0);
	assert_int_equal(btt_picker_have_set(pk, 0), 0);
	assert_int_equal(btt_picker_have_set(pk, 1), 0);
	assert_int_equal(btt_picker_have_set(pk, 2), 0);
	assert_true(btt_picker_complete(pk));
	/* then a piece is lost: it is wanted and picked again */
	assert_int_equal(btt_picker_have_clear(pk, 1), 0);
	assert_false(btt_picker_complete(pk));
	assert_false(btt_picker_have(pk, 1));
	assert_int_equal(pick_n(pk, &a, 8, out), 2);
	assert_int_equal(out[0].piece, 1);
	assert_int_equal(btt_picker_check(pk), 0);
	btt_picker_free(pk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_picker_blocks_endgame_duplicates),
		cmocka_unit_test(test_picker_blocks_endgame_ignores_missing),
		cmocka_unit_test(test_picker_blocks_hash_failure),
		cmocka_unit_test(test_picker_blocks_reject_and_timeout),
		cmocka_unit_test(test_picker_blocks_peer_disconnect),
		cmocka_unit_test(test_picker_blocks_unwanted_and_duplicate),
		cmocka_unit_test(test_picker_blocks_have_set_and_clear),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
