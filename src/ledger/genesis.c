/* The genesis allocation: its rules, canonical encoding and hash, derived
 * addresses and placeholder keys (genesis.h). The default allocation is
 * in genesis_default.c and the JSON file in genesis_json.c.
 *
 * _check is the single place every rule lives: the JSON parser and
 * _add_validator both end with it, and the default builder's output must
 * pass it. It returns a specific code (BTT_EDUPLICATE, BTT_EFUNDS,
 * BTT_ELIMIT, ...) and a one-line reason naming the offending entry. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "btt/err.h"
#include "crypto/hash.h"
#include "ledger/genesis.h"

#define MAX_LABEL 64

struct btt_genesis *btt_ledger_genesis_new(void)
{
	struct btt_genesis *g = calloc(1, sizeof(*g));

	if (!g)
		abort();
	return g;
}

void btt_ledger_genesis_free(struct btt_genesis *g)
{
	free(g);
}

void btt_ledger_module_address(const char *name, uint8_t out[BTT_ADDR_LEN])
{
	static const char tag[] = "btt/module/";
	struct btt_keccak256 h;
	uint8_t d[BTT_KECCAK256_LEN];

	btt_keccak256_init(&h);
	btt_keccak256_update(&h, tag, sizeof(tag) - 1);
	btt_keccak256_update(&h, name, strlen(name));
	btt_keccak256_final(&h, d);
	memcpy(out, d + BTT_KECCAK256_LEN - BTT_ADDR_LEN, BTT_ADDR_LEN);
}

static void put_len(struct btt_keccak256 *h, size_t n)
{
	uint8_t be[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16),
			 (uint8_t)(n >> 8), (uint8_t)n};

	btt_keccak256_update(h, be, sizeof(be));
}

int btt_ledger_genesis_key_derive(const void *seed, size_t seed_len,
				  const char *label,
				  uint8_t out_key[BTT_SECP_PRIV_LEN])
{
	static const char tag[] = "BTT-GENESIS-KEY-v1";
	size_t label_len = strlen(label);

	if (label_len > MAX_LABEL || seed_len > UINT32_MAX)
		return BTT_EINVALID;
	/* An invalid scalar has probability about 2^-128 per try. */
	for (unsigned ctr = 0;; ctr = (ctr + 1) & 0xff) {
		struct btt_keccak256 h;
		uint8_t c = (uint8_t)ctr;
		btt_keccak256_init(&h);
		btt_keccak256_update(&h, tag, sizeof(tag) - 1);
		put_len(&h, seed_len);
		btt_keccak256_update(&h, seed, seed_len);
		put_len(&h, label_len);
		btt_keccak256_update(&h, label, label_len);
		btt_keccak256_update(&h, &c, 1);
		btt_keccak256_final(&h, out_key);
		sodium_memzero(&h, sizeof(h));
		if (btt_secp_key_valid(out_key))
			return 0;
	}
}

static int why(char *err, size_t err_len, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int why(char *err, size_t err_len, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && err_len) {
		va_start(ap, fmt);
		vsnprintf(err, err_len, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* Reports through why() with the caller's err and err_len in scope. */
#define FAIL(code, ...) why(err, err_len, code, __VA_ARGS__)

int btt_ledger_genesis_find(const struct btt_genesis *g, const char *name)
{
	for (size_t i = 0; i < g->n_buckets && i < BTT_GENESIS_MAX_BUCKETS; i++)
		if (!strcmp(g->buckets[i].name, name))
			return (int)i;
	return -1;
}

/* True when addr is a bucket that no key controls (module or multisig). */
static bool keyless(const struct btt_genesis *g, const uint8_t *addr)
{
	for (size_t i = 0; i < g->n_buckets; i++)
		if (g->buckets[i].kind != BTT_GENESIS_ACCOUNT &&
		    !memcmp(g->buckets[i].addr, addr, BTT_ADDR_LEN))
			return true;
	return false;
}

static int check_header(const struct btt_genesis *g, char *err, size_t err_len)
{
	const struct btt_staking_params *s = &g->staking;

	if (g->chain_id == 0 || g->chain_id > BTT_GENESIS_MAX_INT)
		return FAIL(BTT_EINVALID, "chain_id: not in 1 .. 2^53-1");
	if (g->genesis_time > BTT_GENESIS_MAX_INT)
		return FAIL(BTT_EINVALID, "genesis_time: above 2^53-1");
	if (g->blocks_per_year == 0 || g->blocks_per_year > BTT_GENESIS_MAX_INT)
		return FAIL(BTT_EINVALID,
			    "blocks_per_year: not in 1 .. 2^53-1");
	if (g->total_supply != BTT_GENESIS_SUPPLY)
		return FAIL(BTT_EINVALID, "total_supply: not 990000000000 BTT");
	if (btt_ledger_staking_params_check(s) ||
	    s->unbonding_blocks > BTT_GENESIS_MAX_INT)
		return FAIL(BTT_EINVALID, "staking: a parameter is 0 or too "
					  "large");
	if (g->n_buckets == 0)
		return FAIL(BTT_EINVALID, "buckets: none");
	if (g->n_buckets > BTT_GENESIS_MAX_BUCKETS)
		return FAIL(BTT_ELIMIT, "buckets: more than %u",
			    BTT_GENESIS_MAX_BUCKETS);
	if (g->n_validators > BTT_GENESIS_MAX_VALIDATORS)
		return FAIL(BTT_ELIMIT, "validators: more than %u",
			    BTT_GENESIS_MAX_VALIDATORS);
	if (g->n_validators > s->max_validators)
		return FAIL(BTT_ELIMIT, "validators: more than "
					"staking.max_validators");
	return 0;
}

static bool name_ok(const char *name)
{
	size_t n = strnlen(name, BTT_GENESIS_MAX_NAME + 1);

	if (n == 0 || n > BTT_GENESIS_MAX_NAME)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
			return false;
	return true;
}

static int check_vesting(const struct btt_genesis_bucket *b, size_t i,
			 char *err, size_t err_len)
{
	const struct btt_vesting *v = &b->vesting;
	int e;

	if (b->kind == BTT_GENESIS_MODULE)
		return FAIL(BTT_EINVALID,
			    "buckets[%zu].vesting: modules do "
			    "not vest",
			    i);
	if ((e = btt_ledger_vesting_check(v)))
		return FAIL(e, "buckets[%zu].vesting: %s", i,
			    e == BTT_EINVALID
				    ? "start after end, or tranches that are "
				      "empty or do not add up to the amount "
				      "and to end - start"
				    : btt_strerror(e));
	if (v->original != b->amount || v->delegated_vesting ||
	    v->delegated_free)
		return FAIL(BTT_EINVALID,
			    "buckets[%zu].vesting: does not "
			    "cover exactly the amount",
			    i);
	if (v->end > BTT_GENESIS_MAX_INT)
		return FAIL(BTT_EINVALID,
			    "buckets[%zu].vesting: heights "
			    "above 2^53-1",
			    i);
	return 0;
}

static int check_multisig(const struct btt_genesis *g, size_t i, char *err,
			  size_t err_len)
{
	const struct btt_multisig *m = &g->buckets[i].multisig;
	int e = btt_ledger_multisig_check(m);

	if (e)
		return FAIL(e, "buckets[%zu].multisig: %s", i,
			    e == BTT_ENONCANONICAL ? "keys not in ascending "
						     "address order"
			    : e == BTT_EINVALID
				    ? "no keys, a zero weight, or a threshold "
				      "of 0 or above the sum of the weights"
				    : btt_strerror(e));
	if (m->threshold > BTT_GENESIS_MAX_INT)
		return FAIL(BTT_EINVALID,
			    "buckets[%zu].multisig: threshold "
			    "above 2^53-1",
			    i);
	for (size_t k = 0; k < m->n_keys; k++)
		if (keyless(g, m->keys[k].addr))
			return FAIL(BTT_EINVALID,
				    "buckets[%zu].multisig."
				    "keys[%zu]: a keyless "
				    "bucket address",
				    i, k);
	return 0;
}

static int check_address(const struct btt_genesis *g, size_t i, char *err,
			 size_t err_len)
{
	const struct btt_genesis_bucket *b = &g->buckets[i];
	uint8_t want[BTT_ADDR_LEN];
	char seed[8 + BTT_GENESIS_MAX_NAME + 1];

	if (b->kind == BTT_GENESIS_MODULE) {
		btt_ledger_module_address(b->name, want);
	} else if (b->kind == BTT_GENESIS_MULTISIG) {
		snprintf(seed, sizeof(seed), "genesis/%s", b->name);
		btt_ledger_multisig_address(seed, strlen(seed), want);
	} else if (b->kind == BTT_GENESIS_ACCOUNT) {
		return 0;
	} else {
		return FAIL(BTT_EINVALID, "buckets[%zu].kind: unknown", i);
	}
	if (memcmp(want, b->addr, BTT_ADDR_LEN))
		return FAIL(BTT_EINVALID,
			    "buckets[%zu].address: not the "
			    "derived %s address",
			    i,
			    b->kind == BTT_GENESIS_MODULE ? "module"
							  : "multisig");
	return 0;
}

static int check_bucket(const struct btt_genesis *g, size_t i, char *err,
			size_t err_len)
{
	const struct btt_genesis_bucket *b = &g->buckets[i];
	int e;

	if (!name_ok(b->name))
		return FAIL(BTT_EINVALID,
			    "buckets[%zu].name: 1 to %u of "
			    "a-z 0-9 _",
			    i, BTT_GENESIS_MAX_NAME);
	for (size_t j = 0; j < i; j++) {
		if (!strcmp(g->buckets[j].name, b->name))
			return FAIL(BTT_EDUPLICATE,
				    "buckets[%zu].name: "
				    "used twice",
				    i);
		if (!memcmp(g->buckets[j].addr, b->addr, BTT_ADDR_LEN))
			return FAIL(BTT_EDUPLICATE,
				    "buckets[%zu].address: "
				    "used twice",
				    i);
	}
	if (b->share_permille == 0 || b->share_permille > 1000)
		return FAIL(BTT_EINVALID,
			    "buckets[%zu].share_permille: not "
			    "in 1 .. 1000",
			    i);
	/* total_supply was checked: 9.9e29 * 1000 < 2^128 */
	if (b->amount != g->total_supply * b->share_permille / 1000)
		return FAIL(BTT_EINVALID,
			    "buckets[%zu].amount: not "
			    "total_supply * share_permille / "
			    "1000",
			    i);
	if ((e = check_address(g, i, err, err_len)))
		return e;
	if (b->kind == BTT_GENESIS_MULTISIG &&
	    (e = check_multisig(g, i, err, err_len)))
		return e;
	return b->has_vesting ? check_vesting(b, i, err, err_len) : 0;
}

static int check_buckets(const struct btt_genesis *g, char *err, size_t err_len)
{
	btt_u128 sum = 0;
	unsigned shares = 0;
	int e;

	for (size_t i = 0; i < g->n_buckets; i++) {
		if ((e = check_bucket(g, i, err, err_len)))
			return e;
		shares += g->buckets[i].share_permille;
		if (!btt_u128_add(sum, g->buckets[i].amount, &sum))
			return FAIL(BTT_EOVERFLOW, "buckets: amounts overflow");
	}
	if (shares != 1000)
		return FAIL(BTT_EINVALID,
			    "buckets: shares add up to %u, not "
			    "1000 permille",
			    shares);
	if (sum != g->total_supply)
		return FAIL(BTT_EINVALID, "buckets: amounts do not add up to "
					  "total_supply");
	return 0;
}

/* The address a signer stands for, when it can be computed without curve
 * arithmetic (address form or uncompressed key). */
static bool signer_addr(const struct btt_validator *v, uint8_t out[20])
{
	if (v->signer_len == BTT_ADDR_LEN) {
		memcpy(out, v->signer, BTT_ADDR_LEN);
		return true;
	}
	return v->signer_len == BTT_SECP_PUB_LEN &&
	       btt_addr_from_pub(v->signer, out) == 0;
}

static bool same_signer(const struct btt_validator *a,
			const struct btt_validator *b)
{
	uint8_t x[BTT_ADDR_LEN], y[BTT_ADDR_LEN];

	if (a->signer_len == b->signer_len &&
	    !memcmp(a->signer, b->signer, a->signer_len))
		return true;
	return signer_addr(a, x) && signer_addr(b, y) &&
	       !memcmp(x, y, BTT_ADDR_LEN);
}

static int check_validator(const struct btt_genesis *g, size_t i, char *err,
			   size_t err_len)
{
	const struct btt_genesis_validator *gv = &g->validators[i];
	const struct btt_validator *v = &gv->v;

	if (btt_ledger_staking_validator_check(v))
		return FAIL(BTT_EINVALID,
			    "validators[%zu]: bad signer or "
			    "commission",
			    i);
	if (v->status != BTT_VALIDATOR_BONDED || v->jail_until ||
	    v->self_bond != v->total_bonded)
		return FAIL(BTT_EINVALID,
			    "validators[%zu]: not bonded with "
			    "its self-bond only",
			    i);
	if (v->self_bond < g->staking.min_self_bond)
		return FAIL(BTT_EINVALID,
			    "validators[%zu].self_bond: below "
			    "staking.min_self_bond",
			    i);
	if (keyless(g, v->operator_addr))
		return FAIL(BTT_EINVALID,
			    "validators[%zu].operator: a "
			    "keyless bucket address",
			    i);
	if (gv->funded_by >= g->n_buckets ||
	    g->buckets[gv->funded_by].kind != BTT_GENESIS_MODULE)
		return FAIL(BTT_EINVALID,
			    "validators[%zu].funded_by: not a "
			    "module bucket",
			    i);
	for (size_t j = 0; j < i; j++) {
		const struct btt_validator *o = &g->validators[j].v;
		if (!memcmp(o->operator_addr, v->operator_addr, BTT_ADDR_LEN))
			return FAIL(BTT_EDUPLICATE,
				    "validators[%zu]."
				    "operator: used twice",
				    i);
		if (same_signer(o, v))
			return FAIL(BTT_EDUPLICATE,
				    "validators[%zu].signer: "
				    "used twice",
				    i);
	}
	return 0;
}

static int check_validators(const struct btt_genesis *g, char *err,
			    size_t err_len)
{
	btt_u128 bonded[BTT_GENESIS_MAX_BUCKETS] = {0};
	int e;

	for (size_t i = 0; i < g->n_validators; i++) {
		const struct btt_genesis_validator *gv = &g->validators[i];
		if ((e = check_validator(g, i, err, err_len)))
			return e;
		if (!btt_u128_add(bonded[gv->funded_by], gv->v.self_bond,
				  &bonded[gv->funded_by]) ||
		    bonded[gv->funded_by] > g->buckets[gv->funded_by].amount)
			return FAIL(BTT_EFUNDS,
				    "validators[%zu].self_bond: "
				    "bucket %s cannot fund it",
				    i, g->buckets[gv->funded_by].name);
	}
	return 0;
}

int btt_ledger_genesis_check(const struct btt_genesis *g, char *err,
			     size_t err_len)
{
	int e;

	if (err && err_len)
		err[0] = 0;
	if ((e = check_header(g, err, err_len)) ||
	    (e = check_buckets(g, err, err_len)) ||
	    (e = check_validators(g, err, err_len)))
		return e;
	return 0;
}

btt_u128 btt_ledger_genesis_balance(const struct btt_genesis *g, size_t i)
{
	btt_u128 bal = g->buckets[i].amount;

	for (size_t k = 0; k < g->n_validators; k++)
		if (g->validators[k].funded_by == i)
			bal = bal > g->validators[k].v.self_bond
				      ? bal - g->validators[k].v.self_bond
				      : 0;
	return bal;
}

int btt_ledger_genesis_add_validator(struct btt_genesis *g,
				     const uint8_t operator_addr[BTT_ADDR_LEN],
				     const uint8_t *signer, size_t signer_len,
				     btt_u128 stake)
{
	struct btt_genesis_validator *gv;
	int bucket = btt_ledger_genesis_find(g, BTT_GENESIS_VALIDATOR_BUCKET);
	int e;

	if (g->n_validators >= BTT_GENESIS_MAX_VALIDATORS)
		return BTT_ELIMIT;
	if (bucket < 0 || signer_len == 0 ||
	    signer_len > BTT_STAKING_SIGNER_MAX)
		return BTT_EINVALID;
	gv = &g->validators[g->n_validators];
	memset(gv, 0, sizeof(*gv));
	memcpy(gv->v.operator_addr, operator_addr, BTT_ADDR_LEN);
	memcpy(gv->v.signer, signer, signer_len);
	gv->v.signer_len = (uint8_t)signer_len;
	gv->v.commission_bps = BTT_GENESIS_DEFAULT_COMMISSION;
	gv->v.status = BTT_VALIDATOR_BONDED;
	gv->v.self_bond = gv->v.total_bonded = stake;
	gv->funded_by = (uint8_t)bucket;
	g->n_validators++;
	if ((e = btt_ledger_genesis_check(g, NULL, 0)))
		g->n_validators--;
	return e;
}

static void put_u128(struct btt_wbuf *w, btt_u128 v)
{
	uint8_t b[BTT_U128_LEN];

	btt_u128_put_be(v, b);
	btt_wbuf_put(w, b, sizeof(b));
}

static int encode_bucket(const struct btt_genesis_bucket *b, struct btt_wbuf *w)
{
	size_t n = strlen(b->name);
	int e = 0;

	btt_wbuf_put_u8(w, (uint8_t)n);
	btt_wbuf_put(w, b->name, n);
	btt_wbuf_put_u16be(w, b->share_permille);
	btt_wbuf_put_u8(w, b->kind);
	btt_wbuf_put(w, b->addr, BTT_ADDR_LEN);
	put_u128(w, b->amount);
	if (b->kind == BTT_GENESIS_MULTISIG)
		e = btt_ledger_multisig_encode(&b->multisig, w);
	btt_wbuf_put_u8(w, b->has_vesting);
	if (!e && b->has_vesting)
		e = btt_ledger_vesting_encode(&b->vesting, w);
	return e;
}

int btt_ledger_genesis_encode(const struct btt_genesis *g, struct btt_wbuf *w)
{
	int e = btt_ledger_genesis_check(g, NULL, 0);

	if (e)
		return e;
	btt_wbuf_put_u8(w, BTT_GENESIS_VERSION);
	btt_wbuf_put_u64be(w, g->chain_id);
	btt_wbuf_put_u64be(w, g->genesis_time);
	btt_wbuf_put_u64be(w, g->blocks_per_year);
	put_u128(w, g->total_supply);
	btt_ledger_staking_params_encode(&g->staking, w);
	btt_wbuf_put_u8(w, (uint8_t)g->n_buckets);
	for (size_t i = 0; i < g->n_buckets && !e; i++)
		e = encode_bucket(&g->buckets[i], w);
	btt_wbuf_put_u8(w, (uint8_t)g->n_validators);
	for (size_t i = 0; i < g->n_validators && !e; i++) {
		e = btt_ledger_validator_encode(&g->validators[i].v, w);
		btt_wbuf_put_u8(w, g->validators[i].funded_by);
	}
	return e ? e : btt_wbuf_err(w);
}

int btt_ledger_genesis_hash(const struct btt_genesis *g,
			    uint8_t out[BTT_GENESIS_HASH_LEN])
{
	struct btt_wbuf w;
	struct btt_keccak256 h;
	int e;

	btt_wbuf_init(&w, BTT_GENESIS_MAX_ENCODED);
	e = btt_ledger_genesis_encode(g, &w);
	if (!e) {
		btt_keccak256_init(&h);
		btt_keccak256_update(&h, BTT_GENESIS_HASH_TAG,
				     sizeof(BTT_GENESIS_HASH_TAG) - 1);
		btt_keccak256_update(&h, w.buf, w.len);
		btt_keccak256_final(&h, out);
	}
	btt_wbuf_release(&w);
	return e;
}
