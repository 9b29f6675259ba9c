/* Genesis file parsing: the default file parses; every kind of bad input
 * (unknown or duplicate keys, missing fields, wrong JSON types,
 * non-canonical or altered amounts, duplicate addresses, broken vesting
 * and multisig, bad validators) is refused with its own code; and every
 * cap (size, depth, buckets, name length, tranches, keys, validators) is
 * tested at max-1, max and max+1. */
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
#include "ledger/genesis.h"

static struct btt_genesis *g_out;

static int setup(void **state)
{
	(void)state;
	g_out = btt_ledger_genesis_new();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	btt_ledger_genesis_free(g_out);
	return 0;
}

static json_t *to_root(const struct btt_genesis *g)
{
	char *text;
	size_t len;
	json_t *root;

	assert_int_equal(btt_ledger_genesis_to_json(g, &text, &len), 0);
	root = json_loadb(text, len, 0, NULL);
	assert_non_null(root);
	free(text);
	return root;
}

static json_t *default_root(void)
{
	struct btt_genesis *g = btt_ledger_genesis_new();
	json_t *root;

	assert_int_equal(btt_ledger_genesis_default(NULL, g), 0);
	root = to_root(g);
	btt_ledger_genesis_free(g);
	return root;
}

static int parse_text(const char *text, size_t len)
{
	char why[200];
	int e = btt_ledger_genesis_parse((const uint8_t *)text, len, g_out, why,
					 sizeof(why));

	if (e)
		assert_true(why[0] != 0); /* every refusal says why */
	return e;
}

/* Parses root and drops it. */
static int parse_root(json_t *root)
{
	char *text = json_dumps(root, JSON_INDENT(1));
	int e;

	assert_non_null(text);
	e = parse_text(text, strlen(text));
	free(text);
	json_decref(root);
	return e;
}

static json_t *bucket(json_t *root, size_t i)
{
	return json_array_get(json_object_get(root, "buckets"), i);
}

static void set(json_t *obj, const char *key, json_t *v)
{
	assert_int_equal(json_object_set_new(obj, key, v), 0);
}

static void test_genesis_parse_default(void **state)
{
	(void)state;
	assert_int_equal(parse_root(default_root()), 0);
	assert_int_equal(g_out->n_buckets, 9);
	assert_int_equal(g_out->chain_id, BTT_GENESIS_DEFAULT_CHAIN_ID);
}

/* One mutation of the default file and the code it must produce. */
struct mutation {
	const char *what;
	int want;
	void (*apply)(json_t *root);
};

static void m_unknown_top(json_t *r)
{
	set(r, "extra", json_true());
}
static void m_unknown_bucket(json_t *r)
{
	set(bucket(r, 0), "note", json_string("x"));
}
static void m_periods_in_delayed(json_t *r)
{
	set(json_object_get(bucket(r, 1), "vesting"), "periods", json_array());
}
static void m_missing_chain(json_t *r)
{
	json_object_del(r, "chain_id");
}
static void m_missing_multisig(json_t *r)
{
	json_object_del(bucket(r, 5), "multisig");
}
static void m_multisig_on_account(json_t *r)
{
	set(bucket(r, 0), "multisig",
	    json_deep_copy(json_object_get(bucket(r, 5), "multisig")));
}
static void m_amount_number(json_t *r)
{
	set(bucket(r, 0), "amount", json_integer(5));
}
static void m_chain_string(json_t *r)
{
	set(r, "chain_id", json_string("7"));
}
static void m_chain_real(json_t *r)
{
	set(r, "chain_id", json_real(7.0));
}
static void m_time_negative(json_t *r)
{
	set(r, "genesis_time", json_integer(-1));
}
static void m_chain_zero(json_t *r)
{
	set(r, "chain_id", json_integer(0));
}
static void m_chain_big(json_t *r)
{
	set(r, "chain_id", json_integer((json_int_t)1 << 53));
}
static void m_leading_zero(json_t *r)
{
	set(bucket(r, 0), "amount",
	    json_string("059400000000000000000000000000"));
}
static void m_minus(json_t *r)
{
	set(bucket(r, 0), "amount",
	    json_string("-59400000000000000000000000000"));
}
static void m_exponent(json_t *r)
{
	set(bucket(r, 0), "amount", json_string("594e26"));
}
static void m_empty_amount(json_t *r)
{
	set(bucket(r, 0), "amount", json_string(""));
}
static void m_space_amount(json_t *r)
{
	set(bucket(r, 0), "amount",
	    json_string(" 59400000000000000000000000000"));
}
static void m_plus_one(json_t *r)
{
	set(bucket(r, 0), "amount",
	    json_string("59400000000000000000000000001"));
}
static void m_moved_unit(json_t *r)
{
	/* the total still adds up; the shares no longer match */
	m_plus_one(r);
	set(bucket(r, 8), "amount",
	    json_string("39599999999999999999999999999"));
}
static void m_total(json_t *r)
{
	set(r, "total_supply", json_string("990000000000000000000000000001"));
}
static void m_decimals(json_t *r)
{
	set(r, "decimals", json_integer(6));
}
static void m_format(json_t *r)
{
	set(r, "format", json_string("btt-genesis/2"));
}
static void m_dup_address(json_t *r)
{
	set(bucket(r, 8), "address",
	    json_deep_copy(json_object_get(bucket(r, 0), "address")));
}
static void m_dup_name(json_t *r)
{
	set(bucket(r, 8), "name", json_string("public_sale"));
}
static void m_shares(json_t *r)
{
	/* partnerships 41 permille with the matching amount: 1001 in all */
	set(bucket(r, 8), "share_permille", json_integer(41));
	set(bucket(r, 8), "amount",
	    json_string("40590000000000000000000000000"));
}
static void m_module_address(json_t *r)
{
	set(bucket(r, 7), "address",
	    json_string("0x0000000000000000000000000000000000000001"));
}
static void m_threshold(json_t *r)
{
	set(json_object_get(bucket(r, 5), "multisig"), "threshold",
	    json_integer(6));
}
static void m_dup_key(json_t *r)
{
	json_t *keys = json_object_get(
		json_object_get(bucket(r, 5), "multisig"), "keys");
	set(json_array_get(keys, 1), "address",
	    json_deep_copy(
		    json_object_get(json_array_get(keys, 0), "address")));
}
static void m_zero_weight(json_t *r)
{
	json_t *keys = json_object_get(
		json_object_get(bucket(r, 5), "multisig"), "keys");
	set(json_array_get(keys, 1), "weight", json_integer(0));
}
static void m_tranche(json_t *r)
{
	json_t *p = json_array_get(
		json_object_get(json_object_get(bucket(r, 3), "vesting"),
				"periods"),
		0);
	set(p, "amount", json_string("9999000000000000000000000001"));
}
static void m_vest_type(json_t *r)
{
	set(json_object_get(bucket(r, 2), "vesting"), "type",
	    json_string("linear"));
}
static void m_vest_end(json_t *r)
{
	set(json_object_get(bucket(r, 3), "vesting"), "end",
	    json_integer(189216001));
}
static void m_vest_module(json_t *r)
{
	set(bucket(r, 7), "vesting",
	    json_deep_copy(json_object_get(bucket(r, 1), "vesting")));
}
static void m_bucket_type(json_t *r)
{
	json_array_set_new(json_object_get(r, "buckets"), 0, json_integer(1));
}
static void m_no_buckets(json_t *r)
{
	set(r, "buckets", json_array());
}
static void m_name_case(json_t *r)
{
	set(bucket(r, 0), "name", json_string("Public_sale"));
}
static void m_checksum(json_t *r)
{
	set(bucket(r, 0), "address",
	    json_string("0xf44b5A3442aAe515E9DF3E0E53FfC9d1C8747E9A"));
}
static void m_kind(json_t *r)
{
	set(bucket(r, 0), "kind", json_string("vault"));
}

static json_t *validator(const char *funded_by, int bps)
{
	json_t *v = json_object();

	set(v, "operator",
	    json_string("0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"));
	set(v, "signer",
	    json_string("0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"));
	set(v, "commission_bps", json_integer(bps));
	set(v, "self_bond", json_string("100000000000000000000000000"));
	set(v, "funded_by", json_string(funded_by));
	return v;
}
static void m_val_ok(json_t *r)
{
	json_array_append_new(json_object_get(r, "validators"),
			      validator("ecosystem", 10000));
}
static void m_val_funder(json_t *r)
{
	json_array_append_new(json_object_get(r, "validators"),
			      validator("public_sale", 100));
}
static void m_val_nobucket(json_t *r)
{
	json_array_append_new(json_object_get(r, "validators"),
			      validator("nowhere", 100));
}
static void m_val_bps(json_t *r)
{
	json_array_append_new(json_object_get(r, "validators"),
			      validator("ecosystem", 10001));
}
static void m_val_signer(json_t *r)
{
	json_t *v = validator("ecosystem", 100);
	set(v, "signer",
	    json_string("05" /* bad prefix */
			"79be667ef9dcbbac55a06295ce870b07029bfcdb"
			"2dce28d959f2815b16f81798"));
	json_array_append_new(json_object_get(r, "validators"), v);
}
static void m_val_pubkey(json_t *r)
{
	json_t *v = validator("ecosystem", 100);
	set(v, "signer",
	    json_string("02"
			"79be667ef9dcbbac55a06295ce870b07029bfcdb"
			"2dce28d959f2815b16f81798"));
	json_array_append_new(json_object_get(r, "validators"), v);
}

static const struct mutation mutations[] = {
	{"unknown top-level key", BTT_EMALFORMED, m_unknown_top},
	{"unknown bucket key", BTT_EMALFORMED, m_unknown_bucket},
	{"periods in a delayed schedule", BTT_EMALFORMED, m_periods_in_delayed},
	{"missing chain_id", BTT_EMISSING, m_missing_chain},
	{"missing multisig", BTT_EMISSING, m_missing_multisig},
	{"multisig on an account", BTT_EINVALID, m_multisig_on_account},
	{"amount as a number", BTT_ETYPE, m_amount_number},
	{"chain_id as a string", BTT_ETYPE, m_chain_string},
	{"chain_id as a real", BTT_ETYPE, m_chain_real},
	{"negative genesis_time", BTT_EINVALID, m_time_negative},
	{"chain_id 0", BTT_EINVALID, m_chain_zero},
	{"chain_id 2^53", BTT_EINVALID, m_chain_big},
	{"amount with a leading zero", BTT_ENONCANONICAL, m_leading_zero},
	{"negative amount", BTT_EMALFORMED, m_minus},
	{"amount with an exponent", BTT_EMALFORMED, m_exponent},
	{"empty amount", BTT_EMALFORMED, m_empty_amount},
	{"amount with a space", BTT_EMALFORMED, m_space_amount},
	{"amount plus one base unit", BTT_EINVALID, m_plus_one},
	{"one base unit moved", BTT_EINVALID, m_moved_unit},
	{"total supply", BTT_EINVALID, m_total},
	{"decimals", BTT_EINVALID, m_decimals},
	{"format", BTT_EUNSUPPORTED, m_format},
	{"duplicate address", BTT_EDUPLICATE, m_dup_address},
	{"duplicate name", BTT_EDUPLICATE, m_dup_name},
	{"shares above 1000", BTT_EINVALID, m_shares},
	{"module address not derived", BTT_EINVALID, m_module_address},
	{"threshold above weights", BTT_EINVALID, m_threshold},
	{"duplicate multisig key", BTT_EDUPLICATE, m_dup_key},
	{"zero weight", BTT_EINVALID, m_zero_weight},
	{"tranche plus one", BTT_EINVALID, m_tranche},
	{"vesting type", BTT_EINVALID, m_vest_type},
	{"vesting end", BTT_EINVALID, m_vest_end},
	{"vesting on a module", BTT_EINVALID, m_vest_module},
	{"bucket not an object", BTT_ETYPE, m_bucket_type},
	{"no buckets", BTT_EINVALID, m_no_buckets},
	{"name in upper case", BTT_EINVALID, m_name_case},
	{"address checksum", BTT_ECHECKSUM, m_checksum},
	{"unknown kind", BTT_EINVALID, m_kind},
	{"a good validator", 0, m_val_ok},
	{"validator funded by an account", BTT_EINVALID, m_val_funder},
	{"validator funded by no bucket", BTT_EINVALID, m_val_nobucket},
	{"commission above 100 %", BTT_EINVALID, m_val_bps},
	{"signer prefix", BTT_EINVALID, m_val_signer},
	{"compressed signer key", 0, m_val_pubkey},
};

static void test_genesis_parse_mutations(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(mutations) / sizeof(mutations[0]); i++) {
		json_t *root = default_root();
		int e;
		mutations[i].apply(root);
		e = parse_root(root);
		if (e != mutations[i].want)
			fail_msg("%s: got %s, want %s", mutations[i].what,
				 btt_err_name(e),
				 btt_err_name(mutations[i].want));
	}
}

static void test_genesis_parse_raw_text(void **state)
{
	static const char dup[] = "{\"format\": \"btt-genesis/1\", "
				  "\"format\": \"btt-genesis/1\"}";
	static const char trailing[] = "{} {}";
	/* accepted, it would be a wrong format: refused, it is not JSON */
	static const char nul[] = "{\"format\":\"btt-genesis\\u0000/1\"}";
	(void)state;

	assert_int_equal(parse_text(dup, sizeof(dup) - 1), BTT_EMALFORMED);
	assert_int_equal(parse_text(trailing, sizeof(trailing) - 1),
			 BTT_EMALFORMED);
	assert_int_equal(parse_text("", 0), BTT_EMALFORMED);
	assert_int_equal(parse_text(nul, sizeof(nul) - 1), BTT_EMALFORMED);
	assert_int_equal(parse_text("[]", 2), BTT_ETYPE);
	assert_int_equal(parse_text("{}", 2), BTT_EMISSING);
	assert_int_equal(parse_text("{\"chain_id\": 01}", 16), BTT_EMALFORMED);
	assert_int_equal(parse_text("\xff", 1), BTT_EMALFORMED);
}

static void test_genesis_parse_size_limit(void **state)
{
	json_t *root = default_root();
	char *text = json_dumps(root, JSON_INDENT(2)), *big;
	size_t len = strlen(text);
	(void)state;

	big = malloc(BTT_GENESIS_MAX_SIZE + 1);
	assert_non_null(big);
	memcpy(big, text, len);
	memset(big + len, ' ', BTT_GENESIS_MAX_SIZE + 1 - len);
	assert_int_equal(parse_text(big, BTT_GENESIS_MAX_SIZE - 1), 0);
	assert_int_equal(parse_text(big, BTT_GENESIS_MAX_SIZE), 0);
	assert_int_equal(parse_text(big, BTT_GENESIS_MAX_SIZE + 1), BTT_ELIMIT);
	free(big);
	free(text);
	json_decref(root);
}

static void test_genesis_parse_depth_limit(void **state)
{
	char buf[64];
	size_t d = BTT_GENESIS_MAX_DEPTH;
	(void)state;

	for (size_t n = d - 1; n <= d + 1; n++) {
		memset(buf, '[', n);
		memset(buf + n, ']', n);
		assert_int_equal(parse_text(buf, 2 * n),
				 n <= d ? BTT_ETYPE : BTT_EDEPTH);
	}
	/* brackets inside strings do not nest, escaped quotes do not end */
	snprintf(buf, sizeof(buf), "{\"format\": \"\\\"[[[[[[[[[[[[[\"}");
	assert_int_equal(parse_text(buf, strlen(buf)), BTT_EUNSUPPORTED);
}

/* A valid genesis of n plain-account buckets. */
static json_t *n_buckets_root(size_t n)
{
	struct btt_genesis *g = btt_ledger_genesis_new();
	json_t *root;
	uint16_t share = (uint16_t)(1000 / n);

	assert_int_equal(btt_ledger_genesis_default(NULL, g), 0);
	g->n_buckets = n;
	for (size_t i = 0; i < n; i++) {
		struct btt_genesis_bucket *b = &g->buckets[i];
		memset(b, 0, sizeof(*b));
		snprintf(b->name, sizeof(b->name), "b%zu", i);
		b->kind = BTT_GENESIS_ACCOUNT;
		memset(b->addr, 0x70, BTT_ADDR_LEN);
		b->addr[0] = (uint8_t)i;
		b->share_permille =
			i + 1 < n ? share : (uint16_t)(1000 - share * (n - 1));
		b->amount = BTT_GENESIS_SUPPLY / 1000 * b->share_permille;
	}
	root = to_root(g);
	btt_ledger_genesis_free(g);
	return root;
}

static void test_genesis_parse_bucket_limit(void **state)
{
	json_t *root;
	(void)state;

	assert_int_equal(
		parse_root(n_buckets_root(BTT_GENESIS_MAX_BUCKETS - 1)), 0);
	assert_int_equal(g_out->n_buckets, BTT_GENESIS_MAX_BUCKETS - 1);
	assert_int_equal(parse_root(n_buckets_root(BTT_GENESIS_MAX_BUCKETS)),
			 0);
	root = n_buckets_root(BTT_GENESIS_MAX_BUCKETS);
	json_array_append(json_object_get(root, "buckets"), bucket(root, 0));
	assert_int_equal(parse_root(root), BTT_ELIMIT);
}

static void test_genesis_parse_name_limit(void **state)
{
	char name[BTT_GENESIS_MAX_NAME + 2];
	(void)state;

	for (size_t n = BTT_GENESIS_MAX_NAME - 1; n <= BTT_GENESIS_MAX_NAME + 1;
	     n++) {
		json_t *root = default_root();
		memset(name, 'p', n);
		name[n] = 0;
		set(bucket(root, 8), "name", json_string(name));
		assert_int_equal(parse_root(root),
				 n <= BTT_GENESIS_MAX_NAME ? 0 : BTT_ELIMIT);
	}
}

/* Replaces bucket 3's schedule with n one-block tranches. */
static json_t *n_periods_root(size_t n)
{
	json_t *root = default_root(), *v = json_object(), *arr = json_array();
	btt_u128 amount = BTT_GENESIS_SUPPLY / 1000 * 101, each = amount / n;
	char dec[BTT_U128_DEC_MAX + 1];

	for (size_t i = 0; i < n; i++) {
		json_t *p = json_object();
		set(p, "length", json_integer(1));
		btt_u128_to_dec(i + 1 < n ? each : amount - each * (n - 1),
				dec);
		set(p, "amount", json_string(dec));
		json_array_append_new(arr, p);
	}
	set(v, "type", json_string("periodic"));
	set(v, "start", json_integer(0));
	set(v, "end", json_integer((json_int_t)n));
	set(v, "periods", arr);
	set(bucket(root, 3), "vesting", v);
	return root;
}

static void test_genesis_parse_period_limit(void **state)
{
	size_t max = BTT_VESTING_MAX_PERIODS;
	(void)state;

	assert_int_equal(parse_root(n_periods_root(max - 1)), 0);
	assert_int_equal(parse_root(n_periods_root(max)), 0);
	assert_int_equal(g_out->buckets[3].vesting.n_periods, max);
	assert_int_equal(parse_root(n_periods_root(max + 1)), BTT_ELIMIT);
}

static void test_genesis_parse_key_limit(void **state)
{
	json_t *root, *keys, *k;
	(void)state;

	root = default_root();
	keys = json_object_get(json_object_get(bucket(root, 5), "multisig"),
			       "keys");
	json_array_remove(keys, 0);
	assert_int_equal(parse_root(root), 0);
	assert_int_equal(g_out->buckets[5].multisig.n_keys, 4);
	assert_int_equal(parse_root(default_root()), 0);
	assert_int_equal(g_out->buckets[5].multisig.n_keys, 5);
	root = default_root();
	keys = json_object_get(json_object_get(bucket(root, 5), "multisig"),
			       "keys");
	k = json_deep_copy(json_array_get(keys, 0));
	set(k, "address",
	    json_string("0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"));
	json_array_append_new(keys, k);
	assert_int_equal(parse_root(root), BTT_ELIMIT);
}

static json_t *n_validators_root(size_t n)
{
	struct btt_genesis *g = btt_ledger_genesis_new();
	json_t *root;
	uint8_t op[BTT_ADDR_LEN];

	assert_int_equal(btt_ledger_genesis_default(NULL, g), 0);
	g->staking.max_validators = 1000;
	for (size_t i = 0; i < n && i < BTT_GENESIS_MAX_VALIDATORS; i++) {
		memset(op, 0x5e, sizeof(op));
		op[0] = (uint8_t)i;
		assert_int_equal(
			btt_ledger_genesis_add_validator(
				g, op, op, 20, g->staking.min_self_bond),
			0);
	}
	root = to_root(g);
	btt_ledger_genesis_free(g);
	return root;
}

static void test_genesis_parse_validator_limit(void **state)
{
	size_t max = BTT_GENESIS_MAX_VALIDATORS;
	json_t *root, *vals, *v;
	(void)state;

	assert_int_equal(parse_root(n_validators_root(max - 1)), 0);
	assert_int_equal(parse_root(n_validators_root(max)), 0);
	assert_int_equal(g_out->n_validators, max);
	root = n_validators_root(max);
	vals = json_object_get(root, "validators");
	v = json_deep_copy(json_array_get(vals, 0));
	set(v, "operator",
	    json_string("0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"));
	set(v, "signer",
	    json_string("0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"));
	json_array_append_new(vals, v);
	assert_int_equal(parse_root(root), BTT_ELIMIT);
	/* the staking parameter is a cap too */
	root = n_validators_root(3);
	set(json_object_get(root, "staking"), "max_validators",
	    json_integer(2));
	assert_int_equal(parse_root(root), BTT_ELIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_genesis_parse_default),
		cmocka_unit_test(test_genesis_parse_mutations),
		cmocka_unit_test(test_genesis_parse_raw_text),
		cmocka_unit_test(test_genesis_parse_size_limit),
		cmocka_unit_test(test_genesis_parse_depth_limit),
		cmocka_unit_test(test_genesis_parse_bucket_limit),
		cmocka_unit_test(test_genesis_parse_name_limit),
		cmocka_unit_test(test_genesis_parse_period_limit),
		cmocka_unit_test(test_genesis_parse_key_limit),
		cmocka_unit_test(test_genesis_parse_validator_limit),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
