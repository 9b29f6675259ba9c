/* Piece picker simulation: fake peers with random bitfields and pipelines
 * pick, deliver, reject, time out, disconnect, reconnect and announce new
 * pieces in a seeded random order until the torrent is complete, with
 * hash failures, priority changes and sequential mode thrown in. After
 * every step the picker's own invariant check runs and the fake peers'
 * request queues are compared with the picker's block states: no block is
 * requested twice outside endgame, every request is known to both sides,
 * and no request is lost. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/types.h>

#include "test_picker_util.h"

#define NPEERS 6
#define MAXQ 24
#define MAX_STEPS 400000

struct req {
	uint32_t piece;
	uint32_t block;
};

struct fake {
	bool on;
	bool permanent; /* peer 0: always there, has everything */
	bool has_all;
	uint32_t id;
	struct btt_bitfield bf;
	struct req q[MAXQ];
	size_t nq;
	size_t depth;
	bool snubbed;
};

struct sim {
	struct btt_picker *pk;
	uint32_t npieces;
	struct fake f[NPEERS];
	uint32_t next_id;
	size_t dups, fails, cancels;
};

static uint64_t rnd(uint64_t n)
{
	return btt_rand_uniform(n);
}

static struct btt_picker_peer as_peer(const struct fake *f)
{
	return peer_of(f->id, f->has_all ? NULL : &f->bf);
}

static ssize_t queue_find(const struct fake *f, uint32_t piece, uint32_t block)
{
	for (size_t j = 0; j < f->nq; j++) {
		if (f->q[j].piece == piece && f->q[j].block == block)
			return (ssize_t)j;
	}
	return -1;
}

static void queue_drop(struct fake *f, size_t j)
{
	memmove(&f->q[j], &f->q[j + 1], (f->nq - j - 1) * sizeof(f->q[0]));
	f->nq--;
}

static void connect_peer(struct sim *s, struct fake *f, bool permanent)
{
	memset(f, 0, sizeof(*f));
	f->on = true;
	f->permanent = permanent;
	f->id = s->next_id++;
	f->depth = 1 + rnd(MAXQ);
	f->has_all = permanent ? rnd(2) == 0 : rnd(5) == 0;
	assert_int_equal(btt_bitfield_init(&f->bf, s->npieces), 0);
	if (f->has_all) {
		assert_int_equal(btt_picker_peer_seed_add(s->pk), 0);
		return;
	}
	uint64_t density = permanent ? 100 : rnd(101);
	for (uint32_t i = 0; i < s->npieces; i++) {
		if (rnd(100) < density)
			btt_bitfield_set(&f->bf, i);
	}
	assert_int_equal(btt_picker_peer_bitfield_add(s->pk, &f->bf), 0);
}

static void disconnect_peer(struct sim *s, struct fake *f)
{
	assert_int_equal(btt_picker_peer_release(s->pk, f->id), f->nq);
	if (f->has_all)
		assert_int_equal(btt_picker_peer_seed_remove(s->pk), 0);
	else
		assert_int_equal(btt_picker_peer_bitfield_remove(s->pk, &f->bf),
				 0);
	btt_bitfield_release(&f->bf);
	f->on = false;
}

static bool requested_elsewhere(const struct sim *s, const struct fake *f,
				const struct btt_picker_block *b)
{
	for (int k = 0; k < NPEERS; k++) {
		if (&s->f[k] != f && s->f[k].on &&
		    queue_find(&s->f[k], b->piece, b->block) >= 0)
			return true;
	}
	return false;
}

static void step_pick(struct sim *s, struct fake *f)
{
	struct btt_picker_peer p = as_peer(f);
	struct btt_picker_block out[MAXQ];
	size_t room = f->depth - f->nq, n;

	p.snubbed = f->snubbed;
	assert_int_equal(btt_picker_pick(s->pk, &p, room, out, &n), 0);
	assert_true(n <= room);
	for (size_t j = 0; j < n; j++) {
		assert_true(f->has_all ||
			    btt_bitfield_get(&f->bf, out[j].piece));
		assert_true(btt_picker_wanted(s->pk, out[j].piece));
		assert_true(queue_find(f, out[j].piece, out[j].block) < 0);
		if (requested_elsewhere(s, f, &out[j])) {
			/* only endgame doubles a request */
			assert_true(btt_picker_endgame(s->pk));
			s->dups++;
		}
		f->q[f->nq++] = (struct req){out[j].piece, out[j].block};
	}
}

static void hash_result(struct sim *s, uint32_t piece, uint32_t sender)
{
	const uint32_t *peers;
	size_t n;
	bool found = false;

	if (rnd(8) != 0) {
		assert_int_equal(btt_picker_piece_passed(s->pk, piece), 0);
		return;
	}
	assert_int_equal(btt_picker_piece_failed(s->pk, piece, &peers, &n), 0);
	assert_true(n >= 1);
	for (size_t j = 0; j < n; j++) {
		found |= peers[j] == sender;
		assert_true(j == 0 || peers[j - 1] < peers[j]);
	}
	assert_true(found);
	s->fails++;
}

static struct fake *by_id(struct sim *s, uint32_t id)
{
	for (int k = 0; k < NPEERS; k++) {
		if (s->f[k].on && s->f[k].id == id)
			return &s->f[k];
	}
	return NULL;
}

static void step_deliver(struct sim *s, struct fake *f)
{
	struct btt_picker_recv r;
	struct req q = f->q[0];

	queue_drop(f, 0);
	assert_int_equal(
		btt_picker_block_received(s->pk, f->id, q.piece, q.block, &r),
		0);
	assert_true(r.fresh);
	for (uint32_t j = 0; j < r.num_cancel; j++) {
		struct fake *o = by_id(s, r.cancel[j]);
		ssize_t at;
		assert_non_null(o);
		at = queue_find(o, q.piece, q.block);
		assert_true(at >= 0);
		queue_drop(o, (size_t)at);
		s->cancels++;
		/* the data was already on its way: a second copy arrives */
		if (rnd(3) == 0) {
			struct btt_picker_recv r2;
			assert_int_equal(
				btt_picker_block_received(s->pk, o->id, q.piece,
							  q.block, &r2),
				0);
			assert_false(r2.fresh);
		}
	}
	if (r.piece_complete)
		hash_result(s, q.piece, f->id);
}

static void step_release(struct sim *s, struct fake *f)
{
	size_t j = rnd(f->nq);

	assert_true(btt_picker_block_release(s->pk, f->id, f->q[j].piece,
					     f->q[j].block));
	queue_drop(f, j);
}

static void step_have(struct sim *s, struct fake *f)
{
	uint32_t i = (uint32_t)rnd(s->npieces);

	if (f->has_all || btt_bitfield_get(&f->bf, i))
		return;
	btt_bitfield_set(&f->bf, i);
	assert_int_equal(btt_picker_peer_have(s->pk, i), 0);
}

/* Both sides agree on every request. */
static void cross_check(struct sim *s)
{
	size_t in_queues = 0, in_picker = 0;

	assert_int_equal(btt_picker_check(s->pk), 0);
	for (int k = 0; k < NPEERS; k++) {
		const struct fake *f = &s->f[k];
		if (!f->on)
			continue;
		in_queues += f->nq;
		for (size_t j = 0; j < f->nq; j++) {
			uint32_t who[BTT_PICKER_MAX_DUP];
			size_t n;
			bool found = false;
			assert_int_equal(
				btt_picker_block_state(s->pk, f->q[j].piece,
						       f->q[j].block, who, &n),
				BTT_PICKER_BLOCK_REQUESTED);
			for (size_t m = 0; m < n; m++)
				found |= who[m] == f->id;
			assert_true(found);
		}
	}
	for (uint32_t i = 0; i < s->npieces; i++) {
		uint32_t nb = btt_picker_num_blocks(s->pk, i);
		for (uint32_t b = 0; b < nb; b++) {
			uint32_t who[BTT_PICKER_MAX_DUP];
			size_t n;
			if (btt_picker_block_state(s->pk, i, b, who, &n) ==
			    BTT_PICKER_BLOCK_REQUESTED)
				in_picker += n;
		}
	}
	assert_int_equal(in_queues, in_picker);
}

static void step(struct sim *s)
{
	struct fake *f = &s->f[rnd(NPEERS)];
	uint64_t r = rnd(100);

	if (!f->on) {
		if (r < 20)
			connect_peer(s, f, false);
		return;
	}
	if (r < 35)
		step_pick(s, f);
	else if (r < 70 && f->nq > 0)
		step_deliver(s, f);
	else if (r < 78 && f->nq > 0)
		step_release(s, f);
	else if (r < 81 && !f->permanent)
		disconnect_peer(s, f);
	else if (r < 93)
		step_have(s, f);
	else if (r < 94)
		assert_int_equal(btt_picker_priority_set(
					 s->pk, (uint32_t)rnd(s->npieces),
					 (unsigned)rnd(8)),
				 0);
	else if (r < 95)
		btt_picker_sequential_set(s->pk, rnd(2));
	else
		f->snubbed = !f->snubbed;
}

static void run_one(uint64_t seed, size_t *dups, size_t *fails)
{
	struct sim s;
	uint64_t plens[] = {16 * KIB, 32 * KIB, 64 * KIB, 20000, 1000};
	uint64_t plen;
	size_t steps = 0;

	btt_rand_set_seed(seed);
	memset(&s, 0, sizeof(s));
	s.npieces = 1 + (uint32_t)rnd(400);
	plen = plens[rnd(5)];
	s.pk = picker_make(s.npieces, plen, 1 + rnd(plen));
	btt_picker_sequential_set(s.pk, rnd(4) == 0);
	s.next_id = (uint32_t)rnd(1000);
	connect_peer(&s, &s.f[0], true);
	for (int k = 1; k < NPEERS; k++) {
		if (rnd(3))
			connect_peer(&s, &s.f[k], false);
	}
	while (!btt_picker_complete(s.pk)) {
		assert_true(steps++ < MAX_STEPS);
		step(&s);
		cross_check(&s);
	}
	for (uint32_t i = 0; i < s.npieces; i++)
		assert_true(btt_picker_have(s.pk, i) ||
			    btt_picker_priority(s.pk, i) == 0);
	*dups += s.dups;
	*fails += s.fails;
	for (int k = 0; k < NPEERS; k++) {
		if (s.f[k].on)
			disconnect_peer(&s, &s.f[k]);
	}
	for (uint32_t i = 0; i < s.npieces; i++)
		assert_int_equal(btt_picker_availability(s.pk, i), 0);
	assert_int_equal(btt_picker_check(s.pk), 0);
	btt_picker_free(s.pk);
}

static void test_picker_sim_to_completion(void **state)
{
	size_t dups = 0, fails = 0;
	(void)state;

	for (uint64_t seed = 1; seed <= 60; seed++)
		run_one(seed, &dups, &fails);
	btt_rand_clear_seed();
	/* the runs did reach endgame and hash failures */
	assert_true(dups > 0);
	assert_true(fails > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_picker_sim_to_completion),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
