/* The default genesis allocation (docs/genesis.md, section 1).
 *
 * The table below is the whole policy: the nine buckets of the BTT
 * supply, their kind, and their schedule. Shares are in permille and add
 * up to 1000; amounts follow exactly from the shares. Heights are in
 * blocks and scale with blocks_per_year, so a test chain can run the
 * years in minutes. Placeholder addresses come from keys derived from the
 * key seed; the builder ends with the full rule check. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "btt/err.h"
#include "ledger/genesis.h"

enum schedule {
	SCHED_NONE,
	SCHED_DELAYED_1Y,    /* everything at the end of year 1 */
	SCHED_LINEAR_2Y,     /* continuous over years 1 and 2 */
	SCHED_DECREASING_6Y, /* quarterly tranches, 40/25/15/10/6/4 % */
};

static const struct spec {
	const char *name;
	uint16_t share; /* permille */
	uint8_t kind;
	uint8_t schedule;
} specs[] = {
	{"public_sale", 60, BTT_GENESIS_ACCOUNT, SCHED_NONE},
	{"private_sale", 20, BTT_GENESIS_ACCOUNT, SCHED_DELAYED_1Y},
	{"seed_sale", 90, BTT_GENESIS_ACCOUNT, SCHED_LINEAR_2Y},
	{"tron_airdrop", 101, BTT_GENESIS_ACCOUNT, SCHED_DECREASING_6Y},
	{"protocol_airdrop", 100, BTT_GENESIS_MODULE, SCHED_NONE},
	{"team_bittorrent_foundation", 190, BTT_GENESIS_MULTISIG,
	 SCHED_DECREASING_6Y},
	{"tron_foundation", 200, BTT_GENESIS_MULTISIG, SCHED_DECREASING_6Y},
	{"ecosystem", 199, BTT_GENESIS_MODULE, SCHED_NONE},
	{"partnerships", 40, BTT_GENESIS_ACCOUNT, SCHED_NONE},
};
#define N_SPECS (sizeof(specs) / sizeof(specs[0]))

/* Percent of the bucket released in each year of the decreasing
 * schedule: every year less than the one before. */
static const uint32_t year_percent[] = {40, 25, 15, 10, 6, 4};
#define N_YEARS (sizeof(year_percent) / sizeof(year_percent[0]))
#define QUARTERS (N_YEARS * 4)

static int decreasing(struct btt_vesting *v, btt_u128 amount, uint64_t bpy)
{
	uint64_t lengths[QUARTERS], q = bpy / 4;
	uint32_t weights[QUARTERS];

	/* Each year's four tranches share its percentage equally; the last
	 * quarter absorbs bpy % 4 so every year is exactly bpy blocks. */
	for (size_t i = 0; i < QUARTERS; i++) {
		lengths[i] = i % 4 < 3 ? q : bpy - 3 * q;
		weights[i] = year_percent[i / 4];
	}
	return btt_ledger_vesting_periodic_build(v, amount, 0, lengths, weights,
						 QUARTERS);
}

static int schedule(struct btt_genesis_bucket *b, uint8_t sched, uint64_t bpy)
{
	struct btt_vesting *v = &b->vesting;

	memset(v, 0, sizeof(*v));
	b->has_vesting = sched != SCHED_NONE;
	v->original = b->amount;
	switch (sched) {
	case SCHED_DELAYED_1Y:
		v->type = BTT_VESTING_DELAYED;
		v->end = bpy;
		break;
	case SCHED_LINEAR_2Y:
		v->type = BTT_VESTING_CONTINUOUS;
		v->end = 2 * bpy;
		break;
	case SCHED_DECREASING_6Y: return decreasing(v, b->amount, bpy);
	default: return 0;
	}
	return btt_ledger_vesting_check(v);
}

/* Derives the placeholder key `label`, hands it to the caller's hook and
 * keeps only its address. */
static int place_key(const struct btt_genesis_opts *o, const char *seed,
		     size_t seed_len, const char *label, uint8_t out[20])
{
	uint8_t key[BTT_SECP_PRIV_LEN];
	int e = btt_ledger_genesis_key_derive(seed, seed_len, label, key);

	if (!e)
		e = btt_addr_from_key(key, out);
	if (!e && o->on_key)
		o->on_key(o->on_key_arg, label, key);
	sodium_memzero(key, sizeof(key));
	return e;
}

static int place_multisig(const struct btt_genesis_opts *o, const char *seed,
			  size_t seed_len, struct btt_genesis_bucket *b)
{
	char label[BTT_GENESIS_MAX_NAME + 8];
	int e;

	snprintf(label, sizeof(label), "genesis/%s", b->name);
	btt_ledger_multisig_address(label, strlen(label), b->addr);
	b->multisig.threshold = BTT_GENESIS_DEFAULT_THRESHOLD;
	b->multisig.n_keys = BTT_GENESIS_DEFAULT_SIGNERS;
	for (unsigned k = 0; k < BTT_GENESIS_DEFAULT_SIGNERS; k++) {
		snprintf(label, sizeof(label), "%s/%u", b->name, k + 1);
		b->multisig.keys[k].weight = 1;
		if ((e = place_key(o, seed, seed_len, label,
				   b->multisig.keys[k].addr)))
			return e;
	}
	btt_ledger_multisig_sort(&b->multisig);
	return 0;
}

static int place_bucket(const struct btt_genesis_opts *o, const char *seed,
			size_t seed_len, const struct spec *s,
			struct btt_genesis_bucket *b, uint64_t bpy)
{
	int e = 0;

	memset(b, 0, sizeof(*b));
	snprintf(b->name, sizeof(b->name), "%s", s->name);
	b->share_permille = s->share;
	b->kind = s->kind;
	b->amount = BTT_GENESIS_SUPPLY * s->share / 1000;
	if (s->kind == BTT_GENESIS_MODULE)
		btt_ledger_module_address(s->name, b->addr);
	else if (s->kind == BTT_GENESIS_MULTISIG)
		e = place_multisig(o, seed, seed_len, b);
	else
		e = place_key(o, seed, seed_len, s->name, b->addr);
	return e ? e : schedule(b, s->schedule, bpy);
}

int btt_ledger_genesis_default(const struct btt_genesis_opts *o,
			       struct btt_genesis *g)
{
	static const struct btt_genesis_opts none;
	const char *seed;
	size_t seed_len;
	int e;

	if (!o)
		o = &none;
	seed = o->key_seed ? o->key_seed : BTT_GENESIS_DEFAULT_KEY_SEED;
	seed_len = o->key_seed ? o->key_seed_len : strlen(seed);
	memset(g, 0, sizeof(*g));
	g->chain_id = o->chain_id ? o->chain_id : BTT_GENESIS_DEFAULT_CHAIN_ID;
	g->genesis_time = o->genesis_time;
	g->blocks_per_year = o->blocks_per_year
				     ? o->blocks_per_year
				     : BTT_GENESIS_DEFAULT_BLOCKS_PER_YEAR;
	/* quarters must be at least a block; six years must stay JSON-exact */
	if (g->blocks_per_year < 4 ||
	    g->blocks_per_year > BTT_GENESIS_MAX_INT / N_YEARS)
		return BTT_EINVALID;
	g->total_supply = BTT_GENESIS_SUPPLY;
	btt_ledger_staking_params_default(&g->staking);
	g->n_buckets = N_SPECS;
	for (size_t i = 0; i < N_SPECS; i++)
		if ((e = place_bucket(o, seed, seed_len, &specs[i],
				      &g->buckets[i], g->blocks_per_year)))
			return e;
	return btt_ledger_genesis_check(g, NULL, 0);
}
