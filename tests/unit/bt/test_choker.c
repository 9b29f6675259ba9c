/* Choker: scripted peer sets through many rounds with the caller's side
 * simulated (changes applied, unchoke times recorded). Covers the regular
 * slots by rate, snubbed/uninterested/seed peers, optimistic rotation and
 * coverage, the new-peer bias, seeding round robin, the slot rule and the
 * configuration checks. Randomness is seeded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "bt/choker.h"
#include "btt/err.h"
#include "core/rand.h"

#define MAXP 16
#define MIN 60000ull

struct swarm {
	struct btt_choker c;
	struct btt_choker_peer p[MAXP];
	size_t n;
	uint64_t now;
};

static void swarm_init(struct swarm *s, const struct btt_choker_config *cfg,
		       size_t n)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(btt_choker_init(&s->c, cfg), 0);
	s->n = n;
	s->now = 10 * MIN; /* everyone connected long ago */
	for (size_t i = 0; i < n; i++) {
		s->p[i].id = (uint32_t)(100 + i);
		s->p[i].interested = true;
		s->p[i].connected_at = 1000;
	}
}

static struct btt_choker_peer *by_id(struct swarm *s, uint32_t id)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->p[i].id == id)
			return &s->p[i];
	}
	fail_msg("no peer %u", id);
	return NULL;
}

/* One round: run, check the changes against the state, apply them. */
static size_t round_run(struct swarm *s, bool seeding)
{
	struct btt_choker_change ch[MAXP];
	size_t nch = 99;

	assert_int_equal(
		btt_choker_run(&s->c, s->now, seeding, s->p, s->n, ch, &nch),
		0);
	assert_true(nch <= s->n);
	for (size_t j = 0; j < nch; j++) {
		struct btt_choker_peer *p = by_id(s, ch[j].id);
		assert_true(p->unchoked != ch[j].unchoke);
		assert_true(!ch[j].optimistic || ch[j].unchoke);
		p->unchoked = ch[j].unchoke;
		if (p->unchoked)
			p->unchoked_at = s->now;
	}
	s->now += BTT_CHOKER_INTERVAL_MS;
	return nch;
}

static size_t count_unchoked(const struct swarm *s)
{
	size_t k = 0;

	for (size_t i = 0; i < s->n; i++)
		k += s->p[i].unchoked;
	return k;
}

static uint32_t the_optimistic(const struct swarm *s)
{
	uint32_t id = 0;
	int k = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (btt_choker_is_optimistic(&s->c, s->p[i].id)) {
			id = s->p[i].id;
			k++;
		}
	}
	assert_true(k <= 1);
	return id;
}

static void test_choker_top_n_by_download_rate(void **state)
{
	static const uint64_t rates[8] = {500,	9000, 100,  7000,
					  8000, 0,    6000, 200};
	struct swarm s;
	uint32_t opt;
	(void)state;

	btt_rand_set_seed(1);
	swarm_init(&s, NULL, 8);
	for (size_t i = 0; i < 8; i++) {
		s.p[i].down_rate = rates[i];
		s.p[i].up_rate = 1000 - rates[i] / 10;
	}
	assert_int_equal(round_run(&s, false), 5);
	assert_true(s.p[1].unchoked && s.p[3].unchoked && s.p[4].unchoked &&
		    s.p[6].unchoked);
	opt = the_optimistic(&s);
	assert_true(opt == 100 || opt == 102 || opt == 105 || opt == 107);
	assert_true(by_id(&s, opt)->unchoked);
	assert_int_equal(count_unchoked(&s), 5);
	/* the same rates: nothing to change */
	assert_int_equal(round_run(&s, false), 0);
	/* peer 0 becomes the fastest: it takes peer 6's slot */
	s.p[0].down_rate = 20000;
	round_run(&s, false);
	assert_true(s.p[0].unchoked);
	if (opt != 100) /* else p6 may be the new optimistic draw */
		assert_false(s.p[6].unchoked);
	assert_int_equal(count_unchoked(&s), 5);
	btt_choker_release(&s.c);
	btt_rand_clear_seed();
}

static void test_choker_excluded_peers(void **state)
{
	struct btt_choker_config cfg;
	struct swarm s;
	(void)state;

	btt_choker_config_default(&cfg);
	cfg.optimistic_slots = 0;
	swarm_init(&s, &cfg, 6);
	for (size_t i = 0; i < 6; i++)
		s.p[i].down_rate = 1000 * (i + 1);
	s.p[5].snubbed = true;	   /* fastest, but snubbed */
	s.p[4].interested = false; /* next, not interested */
	s.p[3].is_seed = true;	   /* a seed never needs data */
	s.p[3].interested = true;
	round_run(&s, false);
	assert_false(s.p[5].unchoked);
	assert_false(s.p[4].unchoked);
	assert_false(s.p[3].unchoked);
	assert_true(s.p[0].unchoked && s.p[1].unchoked && s.p[2].unchoked);
	assert_int_equal(count_unchoked(&s), 3);
	/* an uninterested peer is not even an optimistic candidate */
	cfg.optimistic_slots = 1;
	btt_choker_release(&s.c);
	swarm_init(&s, &cfg, 3);
	s.p[0].interested = false;
	s.p[1].interested = false;
	s.p[2].interested = false;
	assert_int_equal(round_run(&s, false), 0);
	assert_int_equal(the_optimistic(&s), 0);
	/* a snubbed peer can be the optimistic unchoke */
	s.p[2].interested = true;
	s.p[2].snubbed = true;
	assert_int_equal(round_run(&s, false), 1);
	assert_int_equal(the_optimistic(&s), 102);
	btt_choker_release(&s.c);
}

/* The optimistic slot moves every third round and, over time, visits
 * every choked interested peer. */
static void test_choker_optimistic_rotation_and_coverage(void **state)
{
	struct btt_choker_config cfg;
	struct swarm s;
	bool seen[MAXP] = {false};
	uint32_t prev = 0;
	(void)state;

	btt_rand_set_seed(7);
	btt_choker_config_default(&cfg);
	cfg.regular_slots = 2;
	swarm_init(&s, &cfg, 9);
	s.p[0].down_rate = 50000;
	s.p[1].down_rate = 40000;
	for (int r = 0; r < 90; r++) {
		uint32_t opt;
		round_run(&s, false);
		opt = the_optimistic(&s);
		assert_true(opt >= 102 && opt <= 108);
		if (r % 3 == 0)
			assert_int_not_equal(opt, prev);
		else
			assert_int_equal(opt, prev);
		assert_true(s.p[0].unchoked && s.p[1].unchoked);
		assert_int_equal(count_unchoked(&s), 3);
		seen[opt - 100] = true;
		prev = opt;
	}
	for (int i = 2; i < 9; i++)
		assert_true(seen[i]);
	btt_choker_release(&s.c);
	btt_rand_clear_seed();
}

/* Peers connected in the last minute are three times as likely to be
 * drawn. */
static void test_choker_new_peer_bias(void **state)
{
	enum { RUNS = 1200 };
	unsigned hits[4] = {0};
	struct btt_choker_config cfg;
	(void)state;

	btt_choker_config_default(&cfg);
	cfg.regular_slots = 0;
	for (uint64_t seed = 0; seed < RUNS; seed++) {
		struct swarm s;
		btt_rand_set_seed(seed);
		swarm_init(&s, &cfg, 4);
		s.p[3].connected_at = s.now - 5000;
		round_run(&s, false);
		hits[the_optimistic(&s) - 100]++;
		btt_choker_release(&s.c);
	}
	btt_rand_clear_seed();
	/* expected: new 1/2, each old 1/6 */
	assert_true(hits[3] > RUNS * 4 / 10 && hits[3] < RUNS * 6 / 10);
	for (int i = 0; i < 3; i++)
		assert_true(hits[i] > RUNS / 10 && hits[i] < RUNS / 4);
}

static void test_choker_optimistic_replaced_early(void **state)
{
	struct btt_choker_config cfg;
	struct swarm s;
	uint32_t opt, opt2;
	(void)state;

	btt_rand_set_seed(11);
	btt_choker_config_default(&cfg);
	cfg.regular_slots = 1;
	swarm_init(&s, &cfg, 5);
	s.p[0].down_rate = 100;
	round_run(&s, false);
	opt = the_optimistic(&s);
	assert_int_not_equal(opt, 0);
	/* it loses interest in round 2 (no rotation due): replaced now */
	by_id(&s, opt)->interested = false;
	assert_int_equal(round_run(&s, false), 2);
	opt2 = the_optimistic(&s);
	assert_int_not_equal(opt2, 0);
	assert_int_not_equal(opt2, opt);
	assert_false(by_id(&s, opt)->unchoked);
	/* it uploads fast enough for the regular slot: another is drawn */
	by_id(&s, opt2)->down_rate = 5000;
	round_run(&s, false);
	assert_true(by_id(&s, opt2)->unchoked);
	assert_false(btt_choker_is_optimistic(&s.c, opt2));
	assert_int_not_equal(the_optimistic(&s), 0);
	assert_int_equal(count_unchoked(&s), 2);
	/* the optimistic peer disconnects: dropped from the list */
	opt = the_optimistic(&s);
	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i].id == opt)
			s.p[i] = s.p[--s.n];
	}
	round_run(&s, false);
	assert_int_not_equal(the_optimistic(&s), opt);
	assert_int_not_equal(the_optimistic(&s), 0);
	/* everyone leaves */
	s.n = 0;
	assert_int_equal(round_run(&s, false), 0);
	assert_int_equal(s.c.noptimistic, 0);
	btt_choker_release(&s.c);
	btt_rand_clear_seed();
}

static void test_choker_leech_ties_keep_unchoked(void **state)
{
	struct btt_choker_config cfg;
	struct swarm s;
	(void)state;

	btt_choker_config_default(&cfg);
	cfg.optimistic_slots = 0;
	cfg.regular_slots = 2;
	swarm_init(&s, &cfg, 6);
	s.p[4].unchoked = true;
	s.p[5].unchoked = true;
	for (uint64_t seed = 0; seed < 20; seed++) {
		btt_rand_set_seed(seed);
		assert_int_equal(round_run(&s, false), 0);
	}
	btt_rand_clear_seed();
	assert_true(s.p[4].unchoked && s.p[5].unchoked);
	btt_choker_release(&s.c);
}

/* Seeding: slots rotate so that every interested peer is served, a turn
 * lasts seed_turn_ms, download rates and snubbing do not matter. */
static void test_choker_seed_round_robin(void **state)
{
	struct btt_choker_config cfg;
	struct swarm s;
	uint64_t since[MAXP] = {0}, served[MAXP] = {0};
	(void)state;

	btt_rand_set_seed(5);
	btt_choker_config_default(&cfg);
	cfg.regular_slots = 3;
	cfg.optimistic_slots = 0;
	swarm_init(&s, &cfg, 7);
	s.p[0].down_rate = 1u << 30; /* irrelevant when seeding */
	s.p[1].snubbed = true;
	s.p[6].interested = false;
	for (int r = 0; r < 60; r++) {
		round_run(&s, true);
		assert_int_equal(count_unchoked(&s), 3);
		assert_false(s.p[6].unchoked);
		for (size_t i = 0; i < s.n; i++) {
			if (!s.p[i].unchoked) {
				since[i] = 0;
				continue;
			}
			served[i]++;
			if (since[i] == 0)
				since[i] = s.p[i].unchoked_at;
			/* nobody keeps a slot much past its turn */
			assert_true(s.now - since[i] <=
				    cfg.seed_turn_ms +
					    2 * BTT_CHOKER_INTERVAL_MS);
		}
	}
	/* 60 rounds x 3 slots over 6 peers: an even share of 30 each */
	for (size_t i = 0; i < 6; i++)
		assert_true(served[i] >= 24 && served[i] <= 36);
	btt_choker_release(&s.c);
	btt_rand_clear_seed();
}

/* Seeding with nobody waiting: the unchoked keep their slots. */
static void test_choker_seed_keeps_slots_without_waiters(void **state)
{
	struct btt_choker_config cfg;
	struct swarm s;
	(void)state;

	btt_choker_config_default(&cfg);
	cfg.optimistic_slots = 0;
	cfg.regular_slots = 4;
	swarm_init(&s, &cfg, 3);
	assert_int_equal(round_run(&s, true), 3);
	for (int r = 0; r < 20; r++)
		assert_int_equal(round_run(&s, true), 0);
	btt_choker_release(&s.c);
}

static void test_choker_slot_rule(void **state)
{
	struct btt_choker_config cfg;
	static const struct {
		uint64_t kib;
		uint32_t slots;
	} rule[] = {
		{1, 2},	  {8, 2},     {9, 3},	  {10, 3},    {14, 3},
		{15, 4},  {16, 4},    {41, 4},	  {42, 5},    {43, 5},
		{100, 7}, {1000, 24}, {6826, 63}, {6827, 64}, {1u << 20, 64},
	};
	struct swarm s;
	(void)state;

	btt_choker_config_default(&cfg);
	assert_int_equal(btt_choker_slots(&cfg), 4);
	cfg.regular_slots = 9;
	assert_int_equal(btt_choker_slots(&cfg), 9);
	for (size_t i = 0; i < sizeof(rule) / sizeof(rule[0]); i++) {
		cfg.up_limit = rule[i].kib * 1024;
		assert_int_equal(btt_choker_slots(&cfg), rule[i].slots);
	}
	cfg.up_limit = 9 * 1024 - 1;
	assert_int_equal(btt_choker_slots(&cfg), 2);
	cfg.max_slots = 3;
	cfg.up_limit = 1000 * 1024;
	assert_int_equal(btt_choker_slots(&cfg), 3);
	/* the rule drives a run: 3 regular + 1 optimistic of 10 */
	cfg.max_slots = 64;
	cfg.up_limit = 12 * 1024;
	swarm_init(&s, &cfg, 10);
	round_run(&s, false);
	assert_int_equal(count_unchoked(&s), 4);
	btt_choker_release(&s.c);
}

static void test_choker_config_checks(void **state)
{
	struct btt_choker_config cfg;
	struct btt_choker c;
	(void)state;

	btt_choker_config_default(&cfg);
	cfg.optimistic_slots = BTT_CHOKER_MAX_OPTIMISTIC + 1;
	assert_int_equal(btt_choker_init(&c, &cfg), BTT_EINVALID);
	cfg.optimistic_slots = BTT_CHOKER_MAX_OPTIMISTIC;
	assert_int_equal(btt_choker_init(&c, &cfg), 0);
	btt_choker_release(&c);
	cfg.optimistic_slots = BTT_CHOKER_MAX_OPTIMISTIC - 1;
	assert_int_equal(btt_choker_init(&c, &cfg), 0);
	btt_choker_release(&c);
	cfg.max_slots = 0;
	assert_int_equal(btt_choker_init(&c, &cfg), BTT_EINVALID);
	cfg.max_slots = 1;
	cfg.optimistic_rounds = 0;
	assert_int_equal(btt_choker_init(&c, &cfg), BTT_EINVALID);
	assert_int_equal(btt_choker_init(&c, NULL), 0);
	assert_int_equal(c.cfg.regular_slots, 4);
	assert_int_equal(c.cfg.optimistic_slots, 1);
	assert_int_equal(c.cfg.optimistic_rounds, 3);
	btt_choker_release(&c);
	btt_choker_release(&c);
}

/* Several optimistic slots are filled with distinct peers. */
static void test_choker_several_optimistic(void **state)
{
	struct btt_choker_config cfg;
	struct swarm s;
	size_t k = 0;
	(void)state;

	btt_rand_set_seed(2);
	btt_choker_config_default(&cfg);
	cfg.regular_slots = 1;
	cfg.optimistic_slots = 3;
	swarm_init(&s, &cfg, 4);
	s.p[0].down_rate = 10;
	round_run(&s, false);
	assert_int_equal(count_unchoked(&s), 4);
	for (size_t i = 1; i < 4; i++)
		k += btt_choker_is_optimistic(&s.c, s.p[i].id);
	assert_int_equal(k, 3);
	assert_false(btt_choker_is_optimistic(&s.c, s.p[0].id));
	btt_choker_release(&s.c);
	btt_rand_clear_seed();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_choker_top_n_by_download_rate),
		cmocka_unit_test(test_choker_excluded_peers),
		cmocka_unit_test(test_choker_optimistic_rotation_and_coverage),
		cmocka_unit_test(test_choker_new_peer_bias),
		cmocka_unit_test(test_choker_optimistic_replaced_early),
		cmocka_unit_test(test_choker_leech_ties_keep_unchoked),
		cmocka_unit_test(test_choker_seed_round_robin),
		cmocka_unit_test(test_choker_seed_keeps_slots_without_waiters),
		cmocka_unit_test(test_choker_slot_rule),
		cmocka_unit_test(test_choker_config_checks),
		cmocka_unit_test(test_choker_several_optimistic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
