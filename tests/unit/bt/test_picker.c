/* Piece picker: geometry, availability, rarest first with a random
 * tie-break, partial pieces first, priorities, sequential mode, peers
 * with few pieces, allowed-fast and snubbed peers, limits and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/limits.h"
#include "test_picker_util.h"

static void test_picker_new_rejects_bad_sizes(void **state)
{
	struct btt_picker_sizes s = {.num_pieces = 4,
				     .piece_length = 64 * KIB,
				     .total_length = 4 * 64 * KIB};
	struct btt_picker *pk = (struct btt_picker *)&s;
	(void)state;

	s.num_pieces = 0;
	assert_int_equal(btt_picker_new(&s, &pk), BTT_EINVALID);
	assert_null(pk);
	s.num_pieces = BTT_METAINFO_MAX_PIECES + 1;
	assert_int_equal(btt_picker_new(&s, &pk), BTT_EINVALID);
	s.num_pieces = 4;
	s.piece_length = 0;
	assert_int_equal(btt_picker_new(&s, &pk), BTT_EINVALID);
	s.piece_length = BTT_METAINFO_MAX_PIECE + 1ull;
	s.total_length = 4 * s.piece_length;
	assert_int_equal(btt_picker_new(&s, &pk), BTT_EINVALID);
	s.piece_length = BTT_METAINFO_MAX_PIECE;
	s.total_length = 4 * s.piece_length;
	assert_int_equal(btt_picker_new(&s, &pk), 0);
	assert_int_equal(btt_picker_num_blocks(pk, 0), 16384);
	btt_picker_free(pk);
	/* the last piece must hold 1..piece_length bytes */
	s.piece_length = 64 * KIB;
	s.total_length = 3 * 64 * KIB;
	assert_int_equal(btt_picker_new(&s, &pk), BTT_EINVALID);
	s.total_length = 4 * 64 * KIB + 1;
	assert_int_equal(btt_picker_new(&s, &pk), BTT_EINVALID);
	s.total_length = 3 * 64 * KIB + 1;
	assert_int_equal(btt_picker_new(&s, &pk), 0);
	assert_int_equal(btt_picker_num_blocks(pk, 3), 1);
	assert_int_equal(btt_picker_block_length(pk, 3, 0), 1);
	btt_picker_free(pk);
	btt_picker_free(NULL);
}

static void test_picker_short_last_piece(void **state)
{
	struct btt_picker *pk = picker_make(3, 64 * KIB, 40000);
	struct btt_picker_peer seed = peer_of(1, NULL);
	struct btt_picker_block out[16];
	size_t n;
	(void)state;

	assert_int_equal(btt_picker_num_blocks(pk, 0), 4);
	assert_int_equal(btt_picker_num_blocks(pk, 2), 3);
	assert_int_equal(btt_picker_block_length(pk, 2, 0), 16384);
	assert_int_equal(btt_picker_block_length(pk, 2, 2), 40000 - 32768);
	assert_int_equal(btt_picker_block_length(pk, 2, 3), 0);
	assert_int_equal(btt_picker_block_length(pk, 3, 0), 0);
	assert_int_equal(btt_picker_num_blocks(pk, 3), 0);
	assert_int_equal(btt_picker_peer_seed_add(pk), 0);
	/* make the short piece the rarest so it is started first */
	assert_int_equal(btt_picker_peer_have(pk, 0), 0);
	assert_int_equal(btt_picker_peer_have(pk, 1), 0);
	n = pick_n(pk, &seed, 16, out);
	assert_int_equal(n, 11);
	assert_int_equal(out[0].piece, 2);
	assert_int_equal(out[2].piece, 2);
	assert_int_equal(out[2].block, 2);
	assert_int_not_equal(out[3].piece, 2);
	assert_false(recv_ok(pk, 1, 2, 0));
	assert_false(recv_ok(pk, 1, 2, 1));
	assert_true(recv_ok(pk, 1, 2, 2));
	assert_int_equal(btt_picker_piece_passed(pk, 2), 0);
	assert_true(btt_picker_have(pk, 2));
	btt_picker_free(pk);
}

static uint64_t v2_size(const void *ctx, uint32_t piece)
{
	const uint64_t *sizes = ctx;
	return sizes[piece];
}

static void test_picker_piece_size_callback(void **state)
{
	static const uint64_t sizes[] = {64 * KIB, 20000, 64 * KIB, 1};
	struct btt_picker_sizes s = {.num_pieces = 4,
				     .piece_length = 64 * KIB,
				     .piece_size = v2_size,
				     .ctx = sizes};
	struct btt_picker *pk;
	(void)state;

	assert_int_equal(btt_picker_new(&s, &pk), 0);
	assert_int_equal(btt_picker_num_blocks(pk, 0), 4);
	assert_int_equal(btt_picker_num_blocks(pk, 1), 2);
	assert_int_equal(btt_picker_block_length(pk, 1, 1), 20000 - 16384);
	assert_int_equal(btt_picker_num_blocks(pk, 3), 1);
	assert_int_equal(btt_picker_block_length(pk, 3, 0), 1);
	piece_done(pk, 7, 1);
	piece_done(pk, 7, 3);
	assert_int_equal(btt_picker_check(pk), 0);
	btt_picker_free(pk);
}

static void test_picker_one_piece_torrent(void **state)
{
	struct btt_picker *pk = picker_make(1, 1000, 0);
	struct btt_picker_peer seed = peer_of(5, NULL);
	struct btt_picker_block out[4];
	const uint32_t *peers;
	size_t n;
	(void)state;

	assert_int_equal(btt_picker_num_blocks(pk, 0), 1);
	assert_int_equal(btt_picker_block_length(pk, 0, 0), 1000);
	assert_int_equal(btt_picker_peer_seed_add(pk), 0);
	assert_int_equal(pick_n(pk, &seed, 4, out), 1);
	assert_int_equal(out[0].piece, 0);
	assert_int_equal(out[0].block, 0);
	assert_true(btt_picker_endgame(pk));
	assert_true(recv_ok(pk, 5, 0, 0));
	assert_int_equal(pick_n(pk, &seed, 4, out), 0);
	assert_int_equal(btt_picker_piece_failed(pk, 0, &peers, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(peers[0], 5);
	assert_int_equal(pick_n(pk, &seed, 4, out), 1);
	assert_true(recv_ok(pk, 5, 0, 0));
	assert_false(btt_picker_complete(pk));
	assert_int_equal(btt_picker_piece_passed(pk, 0), 0);
	assert_true(btt_picker_complete(pk));
	assert_false(btt_picker_endgame(pk));
	assert_int_equal(pick_n(pk, &seed, 4, out), 0);
	assert_int_equal(btt_picker_num_downloading(pk), 0);
	btt_picker_free(pk);
}

static void test_picker_availability_updates(void **state)
{
	struct btt_picker *pk = picker_make(10, 16 * KIB, 0);
	struct btt_bitfield a, b;
	(void)state;

	bits_make(&a, "1100110011");
	bits_make(&b, "0100000001");
	assert_int_equal(btt_picker_peer_bitfield_add(pk, &a), 0);
	assert_int_equal(btt_picker_peer_bitfield_add(pk, &b), 0);
	assert_int_equal(btt_picker_availability(pk, 0), 1);
	assert_int_equal(btt_picker_availability(pk, 1), 2);
	assert_int_equal(btt_picker_availability(pk, 2), 0);
	assert_int_equal(btt_picker_availability(pk, 9), 2);
	assert_int_equal(btt_picker_peer_seed_add(pk), 0);
	assert_int_equal(btt_picker_availability(pk, 2), 1);
	assert_int_equal(btt_picker_availability(pk, 1), 3);
	assert_int_equal(btt_picker_peer_have(pk, 2), 0);
	assert_int_equal(btt_picker_availability(pk, 2), 2);
	assert_int_equal(btt_picker_peer_dont_have(pk, 2), 0);
	assert_int_equal(btt_picker_check(pk), 0);
	/* more peers than the initial bucket width */
	for (int i = 0; i < 40; i++)
		assert_int_equal(btt_picker_peer_have(pk, 3), 0);
	assert_int_equal(btt_picker_availability(pk, 3), 41);
	assert_int_equal(btt_picker_check(pk), 0);
	for (int i = 0; i < 40; i++)
		assert_int_equal(btt_picker_peer_dont_have(pk, 3), 0);
	assert_int_equal(btt_picker_peer_bitfield_remove(pk, &a), 0);
	assert_int_equal(btt_picker_availability(pk, 0), 1);
	assert_int_equal(btt_picker_availability(pk, 1), 2);
	assert_int_equal(btt_picker_peer_seed_remove(pk), 0);
	assert_int_equal(btt_picker_peer_bitfield_remove(pk, &b), 0);
	for (uint32_t i = 0; i < 10; i++)
		assert_int_equal(btt_picker_availability(pk, i), 0);
	assert_int_equal(btt_picker_availability(pk, 10), 0);
	assert_int_equal(btt_picker_check(pk), 0);
	btt_bitfield_release(&a);
	btt_bitfield_release(&b);
	btt_picker_free(pk);
}

/* Pieces of one block: piece i gets availability avail[i]. */
static struct btt_picker *picker_with_avail(const uint32_t *avail, uint32_t n)
{
	struct btt_picker *pk = picker_make(n, 16 * KIB, 0);

	for (uint32_t i = 0; i < n; i++) {
		for (uint32_t k = 0; k < avail[i]; k++)
			assert_int_equal(btt_picker_peer_have(pk, i), 0);
	}
	assert_int_equal(btt_picker_check(pk), 0);
	return pk;
}

static void test_picker_rarest_first(void **state)
{
	static const uint32_t avail[8] = {5, 3, 8, 1, 4, 2, 7, 6};
	static const uint32_t expect[8] = {3, 5, 1, 4, 0, 7, 6, 2};
	struct btt_picker *pk = picker_with_avail(avail, 8);
	struct btt_picker_peer seed = peer_of(1, NULL);
	struct btt_picker_block out[8];
	(void)state;

	assert_int_equal(btt_picker_peer_seed_add(pk), 0);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(pick_n(pk, &seed, 1, out), 1);
		assert_int_equal(out[0].piece, expect[i]);
	}
	btt_picker_free(pk);
}

/* Among equally rare pieces the first pick is spread over all of them
 * across seeds, not one fixed outcome. */
static void test_picker_rarest_tie_break_random(void **state)
{
	enum { N = 16, RUNS = 800 };
	uint32_t avail[N], hits[N] = {0};
	struct btt_picker_peer seed = peer_of(1, NULL);
	struct btt_picker_block out[1];
	(void)state;

	for (uint32_t i = 0; i < N; i++)
		avail[i] = i < 4 ? 9 : 2; /* 12 equally rare pieces */
	for (uint64_t s = 0; s < RUNS; s++) {
		struct btt_picker *pk;
		btt_rand_set_seed(s);
		pk = picker_with_avail(avail, N);
		assert_int_equal(pick_n(pk, &seed, 1, out), 1);
		hits[out[0].piece]++;
		btt_picker_free(pk);
	}
	btt_rand_clear_seed();
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(hits[i], 0);
	/* 800 / 12 = 66.7 expected each */
	for (uint32_t i = 4; i < N; i++) {
		assert_true(hits[i] > 30);
		assert_true(hits[i] < 110);
	}
}

static void test_picker_partial_first(void **state)
{
	struct btt_picker *pk = picker_make(4, 64 * KIB, 0);
	struct btt_bitfield only2;
	struct btt_picker_peer a, b = peer_of(2, NULL);
	struct btt_picker_block out[8];
	(void)state;

	bits_make(&only2, "0010");
	a = peer_of(1, &only2);
	assert_int_equal(btt_picker_peer_bitfield_add(pk, &only2), 0);
	assert_int_equal(btt_picker_peer_seed_add(pk), 0);
	/* piece 2 is the most common; a starts it */
	assert_int_equal(pick_n(pk, &a, 2, out), 2);
	assert_int_equal(out[0].piece, 2);
	/* b finishes piece 2 before starting a rarer piece */
	assert_int_equal(pick_n(pk, &b, 3, out), 3);
	assert_int_equal(out[0].piece, 2);
	assert_int_equal(out[0].block, 2);
	assert_int_equal(out[1].piece, 2);
	assert_int_equal(out[1].block, 3);
	assert_int_not_equal(out[2].piece, 2);
	assert_int_equal(btt_picker_num_downloading(pk), 2);
	/* b's new piece is in progress: a cannot help (lacks it), b goes on */
	assert_int_equal(pick_n(pk, &a, 2, out), 0);
	assert_int_equal(pick_n(pk, &b, 1, out), 1);
	assert_int_equal(out[0].block, 1);
	btt_bitfield_release(&only2);
	btt_picker_free(pk);
}

static void test_picker_partial_higher_priority_first(void **state)
{
	struct btt_picker *pk = picker_make(3, 32 * KIB, 0);
	struct btt_picker_peer seed = peer_of(1, NULL);
	struct btt_picker_block out[8];
	(void)state;

	assert_int_equal(btt_picker_peer_seed_add(pk), 0);
	assert_int_equal(btt_picker_priority_set(pk, 1, 1), 0);
	assert_int_equal(btt_picker_priority_set(pk, 0, 2), 0);
	assert_int_equal(btt_picker_priority_set(pk, 2, 3), 0);
	/* start 1, 0, 2 one block each (priority order is 2, 0, 1) */
	assert_int_equal(pick_n(pk, &seed, 5, out), 5);
	assert_int_equal(out[0].piece, 2);
	assert_int_equal(out[2].piece, 0);
	assert_int_equal(out[4].piece, 1);
	assert_true(btt_picker_block_release(pk, 1, 2, 1));
	assert_true(btt_picker_block_release(pk, 1, 0, 1));
	assert_true(btt_picker_block_release(pk, 1, 1, 0));
	assert_int_equal(btt_picker_num_downloading(pk), 2);
	assert_int_equal(btt_picker_priority_set(pk, 0, 7), 0);
	assert_int_equal(pick_n(pk, &seed, 3, out), 3);
	assert_int_equal(out[0].piece, 0);
	assert_int_equal(out[1].piece, 2);
	assert_int_equal(out[2].piece, 1);
	btt_picker_free(pk);
}

static void test_picker_priorities(void **state)
{
	static const uint32_t avail[6] = {1, 1, 5, 5, 3, 3};
	struct btt_picker *pk = picker_with_avail(avail, 6);
	struct btt_picker_peer seed = peer_of(1, NULL);
	struct btt_picker_block out[8];
	uint8_t prios[6] = {0, 4, 7, 4, 1, 0};
	(void)state;

	assert_int_equal(btt_picker_priority(pk, 0), BTT_PICKER_PRIO_DEFAULT);
	assert_int_equal(btt_picker_priorities_set(pk, prios, 6), 0);
	assert_int_equal(btt_picker_check(pk), 0);
	assert_false(btt_picker_wanted(pk, 0));
	assert_true(btt_picker_wanted(pk, 4));
	/* 7 first though common, then 4 by rarity, then 1; never 0 */
	assert_int_equal(pick_n(pk, &seed, 8, out), 4);
	assert_int_equal(out[0].piece, 2);
	assert_int_equal(out[1].piece, 1);
	assert_int_equal(out[2].piece, 3);
	assert_int_equal(out[3].piece, 4);
	for (uint32_t i = 1; i < 5; i++)
		piece_done(pk, 1, i);
	assert_true(btt_picker_complete(pk));
	assert_int_equal(pick_n(pk, &seed, 8, out), 0);
	/* raising a skipped piece makes it wanted again */
	assert_int_equal(btt_picker_priority_set(pk, 5, 2), 0);
	assert_false(btt_picker_complete(pk));
	assert_int_equal(pick_n(pk, &seed, 8, out), 1);
	assert_int_equal(out[0].piece, 5);
	/* errors leave everything as it was */
	assert_int_equal(btt_picker_priority_set(pk, 0, 8), BTT_EINVALID);
	assert_int_equal(btt_picker_priority_set(pk, 6, 1), BTT_EINVALID);
	prios[3] = 8;
	assert_int_equal(btt_picker_priorities_set(pk, prios, 6), BTT_EINVALID);
	assert_int_equal(btt_picker_priorities_set(pk, prios, 5), BTT_EINVALID);
	assert_int_equal(btt_picker_priority(pk, 3), 4);
	assert_int_equal(btt_picker_priority(pk, 9), 0);
	/* a piece in progress set to 0 is no longer wanted, but the block
	 * already requested is still taken when it comes */
	assert_int_equal(btt_picker_priority_set(pk, 5, 0), 0);
	assert_true(btt_picker_complete(pk));
	assert_int_equal(pick_n(pk, &seed, 8, out), 0);
	assert_true(recv_ok(pk, 1, 5, 0));
	assert_int_equal(btt_picker_piece_passed(pk, 5), 0);
	assert_true(btt_picker_have(pk, 5));
	assert_int_equal(btt_picker_check(pk), 0);
	btt_picker_free(pk);
}

static void test_picker_priority_moves_between_classes(void **state)
{
	struct btt_picker *pk = picker_make(64, 16 * KIB, 0);
	struct btt_picker_peer seed = peer_of(1, NULL);
	struct btt_picker_block out[64];
	(void)state;

	btt_rand_set_seed(3);
	for (uint32_t i = 0; i < 64; i++) {
		for (uint32_t k = 0; k < i % 7; k++)
			assert_int_equal(btt_picker_peer_have(pk, i), 0);
	}
	for (uint32_t i = 0; i < 64; i++) {
		assert_int_equal(btt_picker_priority_set(pk, i, i % 8), 0);
		assert_int_equal(btt_picker_check(pk), 0);
	}
	assert_int_equal(btt_picker_peer_seed_add(pk), 0);
	assert_int_equal(pick_n(pk, &seed, 64, out), 56);
	for (size_t j = 1; j < 56; j++) {
		uint32_t p = out[j - 1].piece, q = out[j].piece;
		assert_true(p % 8 != 0);
		assert_true(p % 8 > q % 8 ||
			    (p % 8 == q % 8 && p % 7 <= q % 7));
	}
	btt_rand_clear_seed();
	btt_picker_free(pk);
}

static void test_picker_sequential(void **state)
{
	static const uint32_t avail[6] = {5, 5, 5, 1, 1, 1};
	struct btt_picker *pk = picker_with_avail(avail, 6);
	struct btt_bitfield bf;
	struct btt_picker_peer seed = peer_of(1, NULL), some;
	struct btt_picker_block out[8];
	(void)state;

	bits_make(&bf, "011011");
	some = peer_of(2, &bf);
	btt_picker_sequential_set(pk, true);
	assert_int_equal(btt_picker_priority_set(pk, 1, 0), 0);
	assert_int_equal(pick_n(pk, &seed, 1, out), 1);
	assert_int_equal(out[0].piece, 0);
	assert_int_equal(pick_n(pk, &some, 2, out), 2);
	assert_int_equal(out[0].piece, 2);
	assert_int_equal(out[1].piece, 4);
	piece_done(pk, 1, 0);
	btt_picker_block_release(pk, 2, 2, 0);
	assert_int_equal(pick_n(pk, &seed, 3, out), 3);
	assert_int_equal(out[0].piece, 2);
	assert_int_equal(out[1].piece, 3);
	assert_int_equal(out[2].piece, 5);
	/* back to rarest first */
	btt_picker_sequential_set(pk, false);
	assert_int_equal(btt_picker_priority_set(pk, 1, 4), 0);
	assert_int_equal(pick_n(pk, &seed, 1, out), 1);
	assert_int_equal(out[0].piece, 1);
	btt_bitfield_release(&bf);
	btt_picker_free(pk);
}

/* A peer with a handful of the pickable pieces: found through its own
 * bitfield once walking the rarest-first order gets long. */
static void test_picker_sparse_peer(void **state)
{
	enum { N = 20000 };
	struct btt_picker *pk = picker_make(N, 16 * KIB, 0);
	struct btt_bitfield bf;
	struct btt_picker_peer p;
	struct btt_picker_block out[8];
	(void)state;

	assert_int_equal(btt_bitfield_init(&bf, N), 0);
	btt_bitfield_set(&bf, 17);
	btt_bitfield_set(&bf, 9000);
	btt_bitfield_set(&bf, 19999);
	assert_int_equal(btt_picker_peer_bitfield_add(pk, &bf), 0);
	assert_int_equal(btt_picker_peer_seed_add(pk), 0);
	/* 17 is common: the peer should take 9000 and 19999 first */
	for (int i = 0; i < 5; i++)
		assert_int_equal(btt_picker_peer_have(pk, 17), 0);
	p = peer_of(3, &bf);
	assert_true(btt_picker_peer_interesting(pk, &p));
	assert_int_equal(pick_n(pk, &p, 2, out), 2);
	assert_true(out[0].piece == 9000 || out[0].piece == 19999);
	assert_true(out[1].piece == 9000 || out[1].piece == 19999);
	assert_int_equal(pick_n(pk, &p, 8, out), 1);
	assert_int_equal(out[0].piece, 17);
	assert_int_equal(pick_n(pk, &p, 8, out), 0);
	btt_picker_sequential_set(pk, true);
	btt_picker_peer_release(pk, 3);
	assert_int_equal(pick_n(pk, &p, 8, out), 3);
	assert_int_equal(out[0].piece, 17);
	assert_int_equal(out[1].piece, 9000);
	assert_int_equal(out[2].piece, 19999);
	btt_bitfield_release(&bf);
	btt_picker_free(pk);
}

/* A deep pipeline from a peer with everything is filled in one pick, and
 * from a peer with most pieces in a few. */
static void test_picker_large_pipeline(void **state)
{
	enum { N = 3000, WANT = 1000 };
	struct btt_picker *pk = picker_make(N, 16 * KIB, 0);
	struct btt_picker_peer seed = peer_of(1, NULL), most;
	static struct btt_picker_block out[WANT];
	struct btt_bitfield bf;
	size_t got = 0;
	(void)state;

	assert_int_equal(btt_bitfield_init(&bf, N), 0);
	for (uint32_t i = 0; i < N; i++) {
		if (i % 10)
			btt_bitfield_set(&bf, i);
	}
	most = peer_of(2, &bf);
	assert_int_equal(btt_picker_peer_seed_add(pk), 0);
	assert_int_equal(pick_n(pk, &seed, WANT, out), WANT);
	for (int k = 0; k < 4 && got < WANT; k++)
		got += pick_n(pk, &most, WANT - got, out + got);
	assert_int_equal(got, WANT);
	for (size_t j = 0; j < WANT; j++)
		assert_true(out[j].piece % 10 != 0);
	btt_bitfield_release(&bf);
	btt_picker_free(pk);
}

static void test_picker_fast_only(void **state)
{
	static const uint32_t allowed[] = {7, 2, 99, 2, 5};
	struct btt_picker *pk = picker_make(8, 32 * KIB, 0);
	struct btt_bitfield bf;
	struct btt_picker_peer p;
	struct btt_picker_block out[16];
	(void)state;

	bits_make(&bf, "11110110");
	p = peer_of(4, &bf);
	p.fast_only = true;
	p.allowed_fast = allowed;
	p.num_allowed_fast = 5;
	assert_int_equal(btt_picker_peer_bitfield_add(pk, &bf), 0);
	assert_int_equal(btt_picker_peer_have(pk, 5), 0);
	/* 7 is not at the peer, 99 is out of range, 2 listed twice */
	assert_int_equal(pick_n(pk, &p, 16, out), 4);
	assert_int_equal(out[0].piece, 2);
	assert_int_equal(out[2].piece, 5);
	for (int i = 0; i < 4; i++)
		assert_true(out[i].piece == 2 || out[i].piece == 5);
	p.allowed_fast = NULL;
	assert_int_equal(btt_picker_pick(pk, &p, 4, out, &(size_t){0}),
			 BTT_EINVALID);
	btt_bitfield_release(&bf);
	btt_picker_free(pk);
}

static void test_picker_snubbed_takes_common_new_piece(void **state)
{
	static const uint32_t avail[4] = {1, 3, 2, 1};
	struct btt_picker *pk = picker_make(4, 32 * KIB, 0);
	struct btt_picker_peer fast = peer_of(1, NULL), slow = peer_of(2, NULL);
	struct btt_picker_block out[4];
	(void)state;

	for (uint32_t i = 0; i < 4; i++) {
		for (uint32_t k = 0; k < avail[i]; k++)
			assert_int_equal(btt_picker_peer_have(pk, i), 0);
	}
	slow.snubbed = true;
	assert_int_equal(pick_n(pk, &fast, 1, out), 1);
	assert_true(out[0].piece == 0 || out[0].piece == 3);
	/* the snubbed peer starts the most common piece instead of joining */
	assert_int_equal(pick_n(pk, &slow, 1, out), 1);
	assert_int_equal(out[0].piece, 1);
	assert_int_equal(pick_n(pk, &slow, 1, out), 1);
	assert_int_equal(out[0].piece, 2);
	btt_picker_free(pk);
}

static void test_picker_avail_limit(void **state)
{
	struct btt_picker *pk = picker_make(1, 16 * KIB, 0);
	struct btt_bitfield one;
	(void)state;

	bits_make(&one, "1");
	for (uint32_t i = 0; i < BTT_PICKER_MAX_AVAIL - 2; i++)
		assert_int_equal(btt_picker_peer_have(pk, 0), 0);
	/* max - 1, max, max + 1 */
	assert_int_equal(btt_picker_peer_bitfield_add(pk, &one), 0);
	assert_int_equal(btt_picker_availability(pk, 0),
			 BTT_PICKER_MAX_AVAIL - 1);
	assert_int_equal(btt_picker_peer_have(pk, 0), 0);
	assert_int_equal(btt_picker_availability(pk, 0), BTT_PICKER_MAX_AVAIL);
	assert_int_equal(btt_picker_peer_have(pk, 0), BTT_ELIMIT);
	assert_int_equal(btt_picker_peer_bitfield_add(pk, &one), BTT_ELIMIT);
	assert_int_equal(btt_picker_availability(pk, 0), BTT_PICKER_MAX_AVAIL);
	assert_int_equal(btt_picker_check(pk), 0);
	assert_int_equal(btt_picker_peer_bitfield_remove(pk, &one), 0);
	assert_int_equal(btt_picker_peer_bitfield_add(pk, &one), 0);
	assert_true(btt_picker_memory(pk) < (4u << 20));
	/* seeds have the same cap */
	for (uint32_t i = 0; i < BTT_PICKER_MAX_AVAIL - 1; i++)
		assert_int_equal(btt_picker_peer_seed_add(pk), 0);
	assert_int_equal(btt_picker_peer_seed_add(pk), 0);
	assert_int_equal(btt_picker_peer_seed_add(pk), BTT_ELIMIT);
	btt_bitfield_release(&one);
	btt_picker_free(pk);
}

static void test_picker_bad_input(void **state)
{
	struct btt_picker *pk = picker_make(4, 16 * KIB, 0);
	struct btt_bitfield bf, short_bf;
	struct btt_picker_peer p;
	struct btt_picker_block out[4];
	struct btt_picker_recv r;
	size_t n = 7;
	(void)state;

	bits_make(&bf, "0110");
	bits_make(&short_bf, "011");
	assert_int_equal(btt_picker_peer_have(pk, 4), BTT_EINVALID);
	assert_int_equal(btt_picker_peer_dont_have(pk, 4), BTT_EINVALID);
	assert_int_equal(btt_picker_peer_dont_have(pk, 1), BTT_EINVALID);
	assert_int_equal(btt_picker_peer_bitfield_add(pk, &short_bf),
			 BTT_EINVALID);
	assert_int_equal(btt_picker_peer_bitfield_remove(pk, &bf),
			 BTT_EINVALID);
	assert_int_equal(btt_picker_peer_seed_remove(pk), BTT_EINVALID);
	p = peer_of(BTT_PICKER_NO_PEER, NULL);
	assert_int_equal(btt_picker_pick(pk, &p, 4, out, &n), BTT_EINVALID);
	assert_int_equal(n, 0);
	p = peer_of(1, &short_bf);
	assert_int_equal(btt_picker_pick(pk, &p, 4, out, &n), BTT_EINVALID);
	p.have = NULL;
	assert_int_equal(btt_picker_pick(pk, &p, 4, out, &n), BTT_EINVALID);
	p = peer_of(1, &bf);
	assert_int_equal(btt_picker_pick(pk, &p, 0, out, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(btt_picker_block_received(pk, 1, 4, 0, &r),
			 BTT_EINVALID);
	assert_int_equal(btt_picker_block_received(pk, 1, 0, 1, &r),
			 BTT_EINVALID);
	assert_false(r.fresh);
	assert_int_equal(
		btt_picker_block_received(pk, BTT_PICKER_NO_PEER, 0, 0, &r),
		BTT_EINVALID);
	assert_false(btt_picker_block_release(pk, 1, 4, 0));
	assert_false(btt_picker_block_release(pk, 1, 0, 0));
	assert_int_equal(btt_picker_piece_passed(pk, 0), BTT_EINVALID);
	assert_int_equal(btt_picker_piece_passed(pk, 9), BTT_EINVALID);
	assert_int_equal(btt_picker_have_set(pk, 4), BTT_EINVALID);
	assert_int_equal(btt_picker_have_clear(pk, 0), BTT_EINVALID);
	assert_false(btt_picker_have(pk, 4));
	assert_false(btt_picker_wanted(pk, 4));
	assert_int_equal(btt_picker_check(pk), 0);
	btt_bitfield_release(&bf);
	btt_bitfield_release(&short_bf);
	btt_picker_free(pk);
}

static void test_picker_interesting(void **state)
{
	struct btt_picker *pk = picker_make(70, 16 * KIB, 0);
	struct btt_bitfield bf;
	struct btt_picker_peer p, seed = peer_of(2, NULL);
	(void)state;

	assert_int_equal(btt_bitfield_init(&bf, 70), 0);
	p = peer_of(1, &bf);
	assert_false(btt_picker_peer_interesting(pk, &p));
	btt_bitfield_set(&bf, 66);
	assert_true(btt_picker_peer_interesting(pk, &p));
	assert_int_equal(btt_picker_have_set(pk, 66), 0);
	assert_false(btt_picker_peer_interesting(pk, &p));
	btt_bitfield_set(&bf, 3);
	assert_int_equal(btt_picker_priority_set(pk, 3, 0), 0);
	assert_false(btt_picker_peer_interesting(pk, &p));
	assert_true(btt_picker_peer_interesting(pk, &seed));
	for (uint32_t i = 0; i < 70; i++)
		assert_int_equal(btt_picker_have_set(pk, i), 0);
	assert_false(btt_picker_peer_interesting(pk, &seed));
	assert_true(btt_picker_complete(pk));
	assert_int_equal(btt_bitfield_count(btt_picker_have_bitfield(pk)), 70);
	btt_bitfield_release(&bf);
	btt_picker_free(pk);
}

/* 12 bytes per piece and a bit, plus constants (libtorrent: 8 + 4). */
static void test_picker_memory_per_piece(void **state)
{
	struct btt_picker *pk = picker_make(100000, 256 * KIB, 0);
	struct btt_picker_peer seed = peer_of(1, NULL);
	struct btt_picker_block out[64];
	size_t base;
	(void)state;

	base = btt_picker_memory(pk);
	assert_true(base >= 100000 * 12);
	assert_true(base < 100000 * 12 + 100000 / 8 + 4096);
	assert_int_equal(btt_picker_peer_seed_add(pk), 0);
	assert_int_equal(pick_n(pk, &seed, 64, out), 64);
	/* four pieces started: their 16 blocks each cost 12 bytes */
	assert_int_equal(btt_picker_num_downloading(pk), 4);
	assert_true(btt_picker_memory(pk) <= base + 4096 + 4 * 16 * 12);
	btt_picker_free(pk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_picker_new_rejects_bad_sizes),
		cmocka_unit_test(test_picker_short_last_piece),
		cmocka_unit_test(test_picker_piece_size_callback),
		cmocka_unit_test(test_picker_one_piece_torrent),
		cmocka_unit_test(test_picker_availability_updates),
		cmocka_unit_test(test_picker_rarest_first),
		cmocka_unit_test(test_picker_rarest_tie_break_random),
		cmocka_unit_test(test_picker_partial_first),
		cmocka_unit_test(test_picker_partial_higher_priority_first),
		cmocka_unit_test(test_picker_priorities),
		cmocka_unit_test(test_picker_priority_moves_between_classes),
		cmocka_unit_test(test_picker_sequential),
		cmocka_unit_test(test_picker_sparse_peer),
		cmocka_unit_test(test_picker_large_pipeline),
		cmocka_unit_test(test_picker_fast_only),
		cmocka_unit_test(test_picker_snubbed_takes_common_new_piece),
		cmocka_unit_test(test_picker_avail_limit),
		cmocka_unit_test(test_picker_bad_input),
		cmocka_unit_test(test_picker_interesting),
		cmocka_unit_test(test_picker_memory_per_piece),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
