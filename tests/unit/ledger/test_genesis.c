/* Genesis: the default allocation exact to the base unit, its vesting
 * schedules and multisig accounts, derived addresses and placeholder
 * keys, genesis validators and the funding bucket, the validator caps,
 * and the genesis hash (pinned, stable across JSON round trips and
 * formatting, sensitive to every value). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "btt/err.h"
#include "core/codec.h"
#include "ledger/genesis.h"

/* keccak256("BTT-GENESIS-v1" || encoding) of the default genesis. */
#define DEFAULT_HASH \
	"4b1216f4f724f69b5758d513b27ba236c34ac31e4230640a96b3cef94970d797"

static const struct {
	const char *name;
	const char *amount;
	uint8_t kind;
} expected[] = {
	{"public_sale", "59400000000000000000000000000", BTT_GENESIS_ACCOUNT},
	{"private_sale", "19800000000000000000000000000", BTT_GENESIS_ACCOUNT},
	{"seed_sale", "89100000000000000000000000000", BTT_GENESIS_ACCOUNT},
	{"tron_airdrop", "99990000000000000000000000000", BTT_GENESIS_ACCOUNT},
	{"protocol_airdrop", "99000000000000000000000000000",
	 BTT_GENESIS_MODULE},
	{"team_bittorrent_foundation", "188100000000000000000000000000",
	 BTT_GENESIS_MULTISIG},
	{"tron_foundation", "198000000000000000000000000000",
	 BTT_GENESIS_MULTISIG},
	{"ecosystem", "197010000000000000000000000000", BTT_GENESIS_MODULE},
	{"partnerships", "39600000000000000000000000000", BTT_GENESIS_ACCOUNT},
};

static struct btt_genesis *make_default(void)
{
	struct btt_genesis *g = btt_ledger_genesis_new();

	assert_int_equal(btt_ledger_genesis_default(NULL, g), 0);
	return g;
}

static void hash_hex(const struct btt_genesis *g, char out[65])
{
	uint8_t h[BTT_GENESIS_HASH_LEN];

	assert_int_equal(btt_ledger_genesis_hash(g, h), 0);
	btt_hex_encode(h, sizeof(h), out);
}

static void test_genesis_default_amounts_exact(void **state)
{
	struct btt_genesis *g = make_default();
	char dec[BTT_U128_DEC_MAX + 1];
	btt_u128 sum = 0;
	(void)state;

	assert_int_equal(g->n_buckets, 9);
	btt_u128_to_dec(g->total_supply, dec);
	assert_string_equal(dec, "990000000000000000000000000000");
	for (size_t i = 0; i < 9; i++) {
		const struct btt_genesis_bucket *b = &g->buckets[i];
		assert_string_equal(b->name, expected[i].name);
		assert_int_equal(b->kind, expected[i].kind);
		btt_u128_to_dec(b->amount, dec);
		assert_string_equal(dec, expected[i].amount);
		assert_true(b->amount ==
			    BTT_GENESIS_SUPPLY / 1000 * b->share_permille);
		sum += b->amount;
	}
	assert_true(sum == BTT_GENESIS_SUPPLY);
	assert_true(sum == (btt_u128)990000000000ull * 1000000000000000000ull);
	assert_int_equal(g->n_validators, 0);
	assert_int_equal(btt_ledger_genesis_check(g, NULL, 0), 0);
	btt_ledger_genesis_free(g);
}

/* The vested amount of bucket b at the end of year y (1-based). */
static btt_u128 vested_at_year(const struct btt_genesis *g, size_t b, int y)
{
	return btt_ledger_vesting_vested(&g->buckets[b].vesting,
					 (uint64_t)y * g->blocks_per_year);
}

static void check_decreasing(const struct btt_genesis *g, size_t b)
{
	static const unsigned pct[] = {40, 25, 15, 10, 6, 4};
	const struct btt_vesting *v = &g->buckets[b].vesting;
	btt_u128 amount = g->buckets[b].amount, prev_year = amount;
	uint64_t q = g->blocks_per_year / 4;

	assert_true(g->buckets[b].has_vesting);
	assert_int_equal(v->type, BTT_VESTING_PERIODIC);
	assert_int_equal(v->n_periods, 24);
	assert_int_equal(v->start, 0);
	assert_int_equal(v->end, 6 * g->blocks_per_year);
	for (int y = 1; y <= 6; y++) {
		btt_u128 year =
			vested_at_year(g, b, y) - vested_at_year(g, b, y - 1);
		assert_true(year == amount / 100 * pct[y - 1]);
		assert_true(year < prev_year);
		prev_year = year;
	}
	/* the first tranche lands exactly at the end of the first quarter */
	assert_true(btt_ledger_vesting_vested(v, q - 1) == 0);
	assert_true(btt_ledger_vesting_vested(v, q) == amount / 10);
	assert_true(btt_ledger_vesting_locked(v, 6 * g->blocks_per_year - 1) ==
		    amount / 100);
	assert_true(btt_ledger_vesting_locked(v, 6 * g->blocks_per_year) == 0);
}

static void test_genesis_default_schedules(void **state)
{
	struct btt_genesis *g = make_default();
	uint64_t bpy = g->blocks_per_year;
	const struct btt_vesting *v;
	(void)state;

	assert_int_equal(bpy, 31536000);
	check_decreasing(g, 3);	    /* tron_airdrop */
	check_decreasing(g, 5);	    /* team_bittorrent_foundation */
	check_decreasing(g, 6);	    /* tron_foundation */
	v = &g->buckets[1].vesting; /* private_sale */
	assert_int_equal(v->type, BTT_VESTING_DELAYED);
	assert_true(btt_ledger_vesting_vested(v, bpy - 1) == 0);
	assert_true(btt_ledger_vesting_vested(v, bpy) == g->buckets[1].amount);
	v = &g->buckets[2].vesting; /* seed_sale */
	assert_int_equal(v->type, BTT_VESTING_CONTINUOUS);
	assert_true(btt_ledger_vesting_vested(v, bpy) ==
		    g->buckets[2].amount / 2);
	assert_int_equal(v->end, 2 * bpy);
	for (size_t i = 0; i < 9; i++)
		assert_int_equal(g->buckets[i].has_vesting,
				 i >= 1 && i <= 6 && i != 4);
	btt_ledger_genesis_free(g);
}

static void test_genesis_short_years(void **state)
{
	struct btt_genesis_opts o = {.blocks_per_year = 10};
	struct btt_genesis *g = btt_ledger_genesis_new();
	(void)state;

	/* quarters of 2, 2, 2 and 4 blocks: years stay exact */
	assert_int_equal(btt_ledger_genesis_default(&o, g), 0);
	check_decreasing(g, 5);
	assert_int_equal(g->buckets[5].vesting.periods[3].length, 4);
	o.blocks_per_year = 4;
	assert_int_equal(btt_ledger_genesis_default(&o, g), 0);
	o.blocks_per_year = 3;
	assert_int_equal(btt_ledger_genesis_default(&o, g), BTT_EINVALID);
	o.blocks_per_year = BTT_GENESIS_MAX_INT / 6;
	assert_int_equal(btt_ledger_genesis_default(&o, g), 0);
	o.blocks_per_year = BTT_GENESIS_MAX_INT / 6 + 1;
	assert_int_equal(btt_ledger_genesis_default(&o, g), BTT_EINVALID);
	btt_ledger_genesis_free(g);
}

struct keys_seen {
	size_t n;
	char labels[16][40];
	uint8_t addrs[16][BTT_ADDR_LEN];
};

static void on_key(void *arg, const char *label, const uint8_t *key)
{
	struct keys_seen *k = arg;

	assert_true(k->n < 16);
	snprintf(k->labels[k->n], sizeof(k->labels[0]), "%s", label);
	assert_int_equal(btt_addr_from_key(key, k->addrs[k->n]), 0);
	k->n++;
}

static bool has_addr(const struct keys_seen *k, const char *label,
		     const uint8_t *addr)
{
	for (size_t i = 0; i < k->n; i++)
		if (!strcmp(k->labels[i], label))
			return !memcmp(k->addrs[i], addr, BTT_ADDR_LEN);
	return false;
}

static void test_genesis_addresses_and_keys(void **state)
{
	struct keys_seen k = {0};
	struct btt_genesis_opts o = {.on_key = on_key, .on_key_arg = &k};
	struct btt_genesis *g = btt_ledger_genesis_new();
	uint8_t a[BTT_ADDR_LEN];
	char label[64];
	(void)state;

	assert_int_equal(btt_ledger_genesis_default(&o, g), 0);
	assert_int_equal(k.n, 5 + 2 * 5);
	/* pinned: reward modules and tools find these by name */
	btt_ledger_module_address("ecosystem", a);
	btt_addr_hex_encode(a, label);
	assert_string_equal(label,
			    "0xCef0c7462A0B1A0C1F78de5AFB116ECbb1d0EaA8");
	btt_ledger_module_address("protocol_airdrop", a);
	btt_addr_hex_encode(a, label);
	assert_string_equal(label,
			    "0x0E442CdCA125c616875a5734812C95066872B622");
	for (size_t i = 0; i < g->n_buckets; i++) {
		const struct btt_genesis_bucket *b = &g->buckets[i];
		if (b->kind == BTT_GENESIS_ACCOUNT) {
			assert_true(has_addr(&k, b->name, b->addr));
		} else if (b->kind == BTT_GENESIS_MODULE) {
			btt_ledger_module_address(b->name, a);
			assert_memory_equal(a, b->addr, BTT_ADDR_LEN);
		} else {
			snprintf(label, sizeof(label), "genesis/%s", b->name);
			btt_ledger_multisig_address(label, strlen(label), a);
			assert_memory_equal(a, b->addr, BTT_ADDR_LEN);
			assert_int_equal(b->multisig.threshold, 3);
			assert_int_equal(b->multisig.n_keys, 5);
			for (unsigned j = 1; j <= 5; j++) {
				bool found = false;
				snprintf(label, sizeof(label), "%s/%u", b->name,
					 j);
				for (size_t m = 0; m < 5; m++)
					found |= has_addr(
						&k, label,
						b->multisig.keys[m].addr);
				assert_true(found);
			}
		}
	}
	btt_ledger_genesis_free(g);
}

static void test_genesis_seed_changes_keys(void **state)
{
	struct btt_genesis_opts o = {.key_seed = "other", .key_seed_len = 5};
	struct btt_genesis *g = make_default(), *g2 = btt_ledger_genesis_new();
	uint8_t k1[32], k2[32];
	char h1[65], h2[65];
	(void)state;

	assert_int_equal(btt_ledger_genesis_default(&o, g2), 0);
	assert_memory_not_equal(g->buckets[0].addr, g2->buckets[0].addr, 20);
	/* module and multisig addresses do not depend on the seed */
	assert_memory_equal(g->buckets[4].addr, g2->buckets[4].addr, 20);
	assert_memory_equal(g->buckets[5].addr, g2->buckets[5].addr, 20);
	hash_hex(g, h1);
	hash_hex(g2, h2);
	assert_string_not_equal(h1, h2);
	assert_int_equal(btt_ledger_genesis_key_derive("s", 1, "a", k1), 0);
	assert_int_equal(btt_ledger_genesis_key_derive("s", 1, "a", k2), 0);
	assert_memory_equal(k1, k2, 32);
	/* length prefixes: ("sa", "") and ("s", "a") differ */
	assert_int_equal(btt_ledger_genesis_key_derive("sa", 2, "", k2), 0);
	assert_memory_not_equal(k1, k2, 32);
	assert_int_equal(btt_ledger_genesis_key_derive(
				 "s", 1,
				 "01234567890123456789012345678901234567890123"
				 "456789012345678901234",
				 k2),
			 BTT_EINVALID);
	btt_ledger_genesis_free(g);
	btt_ledger_genesis_free(g2);
}

static void test_genesis_hash_pinned_and_stable(void **state)
{
	struct btt_genesis *g = make_default(), *g2 = btt_ledger_genesis_new();
	char *text, *text2, *compact, h[65], h2[65], why[160];
	size_t len, len2;
	json_t *root;
	(void)state;

	hash_hex(g, h);
	assert_string_equal(h, DEFAULT_HASH);
	assert_int_equal(btt_ledger_genesis_to_json(g, &text, &len), 0);
	assert_int_equal(text[len - 1], '\n');
	assert_int_equal(btt_ledger_genesis_parse((uint8_t *)text, len, g2, why,
						  sizeof(why)),
			 0);
	hash_hex(g2, h2);
	assert_string_equal(h2, DEFAULT_HASH);
	assert_int_equal(btt_ledger_genesis_to_json(g2, &text2, &len2), 0);
	assert_int_equal(len, len2);
	assert_memory_equal(text, text2, len);
	/* the hash is over values, not text: compact, keys sorted */
	root = json_loads(text, 0, NULL);
	assert_non_null(root);
	compact = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(compact);
	assert_int_equal(btt_ledger_genesis_parse((uint8_t *)compact,
						  strlen(compact), g2, why,
						  sizeof(why)),
			 0);
	hash_hex(g2, h2);
	assert_string_equal(h2, DEFAULT_HASH);
	free(compact);
	json_decref(root);
	free(text);
	free(text2);
	btt_ledger_genesis_free(g);
	btt_ledger_genesis_free(g2);
}

static void test_genesis_hash_covers_values(void **state)
{
	struct btt_genesis *g = make_default();
	char h[65];
	(void)state;

	g->chain_id++;
	hash_hex(g, h);
	assert_string_not_equal(h, DEFAULT_HASH);
	g->chain_id--;
	g->genesis_time = 1;
	hash_hex(g, h);
	assert_string_not_equal(h, DEFAULT_HASH);
	g->genesis_time = 0;
	g->buckets[0].addr[19] ^= 1;
	hash_hex(g, h);
	assert_string_not_equal(h, DEFAULT_HASH);
	g->buckets[0].addr[19] ^= 1;
	g->buckets[5].multisig.threshold = 4;
	hash_hex(g, h);
	assert_string_not_equal(h, DEFAULT_HASH);
	g->buckets[5].multisig.threshold = 3;
	g->staking.unbonding_blocks++;
	hash_hex(g, h);
	assert_string_not_equal(h, DEFAULT_HASH);
	g->staking.unbonding_blocks--;
	hash_hex(g, h);
	assert_string_equal(h, DEFAULT_HASH);
	/* an invalid genesis has no hash */
	g->buckets[0].amount++;
	assert_int_equal(btt_ledger_genesis_hash(g, (uint8_t[32]){0}),
			 BTT_EINVALID);
	btt_ledger_genesis_free(g);
}

static void op_addr(uint8_t out[BTT_ADDR_LEN], unsigned i)
{
	memset(out, 0xc0, BTT_ADDR_LEN);
	out[0] = (uint8_t)(i >> 8);
	out[1] = (uint8_t)i;
}

static void test_genesis_validators(void **state)
{
	struct btt_genesis *g = make_default();
	uint8_t op[BTT_ADDR_LEN], key[32] = {0}, pub[65], addr[20];
	btt_u128 stake = BTT_GENESIS_DEFAULT_VALIDATOR_STAKE, sum = 0;
	int eco = btt_ledger_genesis_find(g, "ecosystem");
	(void)state;

	assert_int_equal(eco, 7);
	key[31] = 1;
	assert_int_equal(btt_secp_pub_derive(key, pub), 0);
	assert_int_equal(btt_addr_from_pub(pub, addr), 0);
	op_addr(op, 1);
	assert_int_equal(
		btt_ledger_genesis_add_validator(g, op, pub, 65, stake), 0);
	/* the same signer by address */
	op_addr(op, 2);
	assert_int_equal(
		btt_ledger_genesis_add_validator(g, op, addr, 20, stake),
		BTT_EDUPLICATE);
	op_addr(op, 1);
	assert_int_equal(btt_ledger_genesis_add_validator(g, op, op, 20, stake),
			 BTT_EDUPLICATE);
	op_addr(op, 2);
	assert_int_equal(btt_ledger_genesis_add_validator(
				 g, op, op, 20, g->staking.min_self_bond - 1),
			 BTT_EINVALID);
	assert_int_equal(btt_ledger_genesis_add_validator(
				 g, op, op, 20, g->buckets[eco].amount),
			 BTT_EFUNDS);
	assert_int_equal(btt_ledger_genesis_add_validator(g, g->buckets[4].addr,
							  op, 20, stake),
			 BTT_EINVALID); /* a module has no key */
	assert_int_equal(btt_ledger_genesis_add_validator(
				 g, op, op, 20, g->staking.min_self_bond),
			 0);
	assert_int_equal(g->n_validators, 2);
	assert_int_equal(g->validators[0].v.status, BTT_VALIDATOR_BONDED);
	assert_true(btt_ledger_genesis_balance(g, (size_t)eco) ==
		    g->buckets[eco].amount - stake - g->staking.min_self_bond);
	/* supply: liquid balances plus bonds */
	for (size_t i = 0; i < g->n_buckets; i++)
		sum += btt_ledger_genesis_balance(g, i);
	for (size_t i = 0; i < g->n_validators; i++)
		sum += g->validators[i].v.self_bond;
	assert_true(sum == BTT_GENESIS_SUPPLY);
	btt_ledger_genesis_free(g);
}

static void test_genesis_validator_limits(void **state)
{
	struct btt_genesis *g = make_default();
	btt_u128 stake = g->staking.min_self_bond;
	uint8_t op[BTT_ADDR_LEN];
	unsigned i = 0;
	(void)state;

	/* the staking parameter: 21 by default */
	for (; i < BTT_STAKING_DEFAULT_MAX_VALIDATORS; i++) {
		op_addr(op, i);
		assert_int_equal(
			btt_ledger_genesis_add_validator(g, op, op, 20, stake),
			0);
	}
	op_addr(op, i);
	assert_int_equal(btt_ledger_genesis_add_validator(g, op, op, 20, stake),
			 BTT_ELIMIT);
	/* the hard cap of the genesis file */
	g->staking.max_validators = BTT_GENESIS_MAX_VALIDATORS + 10;
	for (; i < BTT_GENESIS_MAX_VALIDATORS; i++) {
		op_addr(op, i);
		assert_int_equal(
			btt_ledger_genesis_add_validator(g, op, op, 20, stake),
			0);
		assert_int_equal(g->n_validators, i + 1);
	}
	op_addr(op, i);
	assert_int_equal(btt_ledger_genesis_add_validator(g, op, op, 20, stake),
			 BTT_ELIMIT);
	assert_int_equal(g->n_validators, BTT_GENESIS_MAX_VALIDATORS);
	assert_int_equal(btt_ledger_genesis_check(g, NULL, 0), 0);
	g->n_validators = BTT_GENESIS_MAX_VALIDATORS + 1;
	assert_int_equal(btt_ledger_genesis_check(g, NULL, 0), BTT_ELIMIT);
	btt_ledger_genesis_free(g);
}

static void test_genesis_check_reasons(void **state)
{
	struct btt_genesis *g = make_default();
	char why[160];
	(void)state;

	g->buckets[2].amount--;
	assert_int_equal(btt_ledger_genesis_check(g, why, sizeof(why)),
			 BTT_EINVALID);
	assert_non_null(strstr(why, "buckets[2].amount"));
	g->buckets[2].amount++;
	g->total_supply--;
	assert_int_equal(btt_ledger_genesis_check(g, why, sizeof(why)),
			 BTT_EINVALID);
	assert_non_null(strstr(why, "total_supply"));
	g->total_supply++;
	g->buckets[5].vesting.periods[0].amount++;
	assert_int_equal(btt_ledger_genesis_check(g, why, sizeof(why)),
			 BTT_EINVALID);
	assert_non_null(strstr(why, "buckets[5].vesting"));
	g->buckets[5].vesting.periods[0].amount--;
	g->buckets[4].has_vesting = true; /* a module */
	assert_int_equal(btt_ledger_genesis_check(g, why, sizeof(why)),
			 BTT_EINVALID);
	g->buckets[4].has_vesting = false;
	memcpy(g->buckets[5].multisig.keys[0].addr, g->buckets[7].addr, 20);
	btt_ledger_multisig_sort(&g->buckets[5].multisig);
	assert_int_equal(btt_ledger_genesis_check(g, why, sizeof(why)),
			 BTT_EINVALID);
	assert_non_null(strstr(why, "keyless"));
	btt_ledger_genesis_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_genesis_default_amounts_exact),
		cmocka_unit_test(test_genesis_default_schedules),
		cmocka_unit_test(test_genesis_short_years),
		cmocka_unit_test(test_genesis_addresses_and_keys),
		cmocka_unit_test(test_genesis_seed_changes_keys),
		cmocka_unit_test(test_genesis_hash_pinned_and_stable),
		cmocka_unit_test(test_genesis_hash_covers_values),
		cmocka_unit_test(test_genesis_validators),
		cmocka_unit_test(test_genesis_validator_limits),
		cmocka_unit_test(test_genesis_check_reasons),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
