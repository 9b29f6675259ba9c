/* Helpers for the executor, block and chain tests: temporary data
 * directories, a small test genesis whose placeholder keys the tests
 * keep (so they can sign for any bucket), one genesis validator, and
 * builders for signed transactions and blocks. Included by
 * test_exec*.c, test_block*.c and test_chain*.c only. */
#ifndef BTT_TEST_EXEC_UTIL_H
#define BTT_TEST_EXEC_UTIL_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btt/err.h"
#include "crypto/address.h"
#include "crypto/hash.h"
#include "crypto/secp.h"
#include "ledger/blockstore.h"
#include "ledger/chain.h"
#include "ledger/exec.h"
#include "ledger/genesis.h"
#include "ledger/state.h"
#include "ledger/tx.h"
#include "ledger/tx_types.h"

/* Four "years" of 400 blocks: a quarter is 100 blocks. */
#define TX_BLOCKS_PER_YEAR 400
#define TX_MAX_FEE ((btt_u128)BTT_COIN) /* above any fee */
#define TX_MAX_KEYS 16
#define TX_UNBONDING 10 /* blocks */

static inline int ex_rm_entry(const char *p, const struct stat *st, int flag,
			      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static inline void ex_tree_remove(const char *dir)
{
	nftw(dir, ex_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static inline char *ex_tmp_dir(void)
{
	char tmpl[] = "/tmp/btt-exec-test.XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return strdup(d);
}

/* splitmix64, so random tests repeat from their seed. */
static inline uint64_t ex_rng(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

struct ex_keys {
	size_t n;
	char label[TX_MAX_KEYS][48];
	uint8_t key[TX_MAX_KEYS][BTT_SECP_PRIV_LEN];
};

static inline void ex_on_key(void *arg, const char *label,
			     const uint8_t key[BTT_SECP_PRIV_LEN])
{
	struct ex_keys *k = arg;

	if (k->n == TX_MAX_KEYS)
		return;
	snprintf(k->label[k->n], sizeof(k->label[0]), "%s", label);
	memcpy(k->key[k->n], key, BTT_SECP_PRIV_LEN);
	k->n++;
}

/* A key from a label, for accounts outside the genesis. */
static inline void ex_key(const char *label, uint8_t out[32])
{
	assert_int_equal(
		btt_ledger_genesis_key_derive("exec-test", 9, label, out), 0);
}

static inline void ex_addr(const uint8_t key[32], uint8_t out[20])
{
	assert_int_equal(btt_addr_from_key(key, out), 0);
}

struct ex_fx {
	char *dir;
	struct btt_genesis *g;
	struct btt_ledger_chain *c;
	struct ex_keys keys;
	uint8_t val_key[32]; /* the genesis validator (and proposer) */
	uint8_t val_addr[20];
};

/* The test genesis: default allocation, TX_BLOCKS_PER_YEAR, one
 * validator funded by the ecosystem bucket. */
static inline struct btt_genesis *ex_genesis(struct ex_keys *keys,
					     uint8_t val_key[32])
{
	struct btt_genesis *g = btt_ledger_genesis_new();
	struct btt_genesis_opts o = {0};
	uint8_t va[20];

	o.blocks_per_year = TX_BLOCKS_PER_YEAR;
	o.key_seed = "exec-test";
	o.key_seed_len = 9;
	o.on_key = ex_on_key;
	o.on_key_arg = keys;
	assert_int_equal(btt_ledger_genesis_default(&o, g), 0);
	g->staking.unbonding_blocks = TX_UNBONDING;
	ex_key("validator", val_key);
	ex_addr(val_key, va);
	assert_int_equal(
		btt_ledger_genesis_add_validator(
			g, va, va, 20, BTT_GENESIS_DEFAULT_VALIDATOR_STAKE),
		0);
	return g;
}

static inline const uint8_t *ex_bucket_key(const struct ex_fx *f,
					   const char *label)
{
	for (size_t i = 0; i < f->keys.n; i++)
		if (!strcmp(f->keys.label[i], label))
			return f->keys.key[i];
	fail_msg("no key %s", label);
	return NULL;
}

static inline const struct btt_genesis_bucket *ex_bucket(const struct ex_fx *f,
							 const char *name)
{
	int i = btt_ledger_genesis_find(f->g, name);
	assert_true(i >= 0);
	return &f->g->buckets[i];
}

static inline void ex_open(struct ex_fx *f)
{
	struct btt_ledger_chain_opts o = {0};
	char err[256];

	o.supply_check = BTT_LEDGER_SUPPLY_ON;
	if (btt_ledger_chain_open(f->dir, f->g, &o, &f->c, err, sizeof(err)))
		fail_msg("chain open: %s", err);
}

static inline void ex_setup(struct ex_fx *f)
{
	memset(f, 0, sizeof(*f));
	f->dir = ex_tmp_dir();
	f->g = ex_genesis(&f->keys, f->val_key);
	ex_addr(f->val_key, f->val_addr);
	ex_open(f);
}

static inline void ex_teardown(struct ex_fx *f)
{
	btt_ledger_chain_free(f->c);
	btt_ledger_genesis_free(f->g);
	ex_tree_remove(f->dir);
	free(f->dir);
}

/* A signed transaction (owned bytes in out, out_len). */
struct ex_tx {
	uint8_t b[BTT_TX_MAX_LEN];
	size_t len;
};

static inline void ex_sign(struct ex_tx *out, const uint8_t key[32],
			   uint64_t chain_id, uint16_t type, uint64_t nonce,
			   const uint8_t *payload, size_t plen, uint64_t expiry,
			   btt_u128 max_fee)
{
	struct btt_tx tx;
	struct btt_wbuf w;

	memset(&tx, 0, sizeof(tx));
	tx.version = BTT_TX_VERSION;
	tx.chain_id = chain_id;
	tx.type = type;
	tx.nonce = nonce;
	tx.max_fee = max_fee;
	tx.expiry_height = expiry;
	tx.payload = payload;
	tx.payload_len = plen;
	assert_int_equal(btt_ledger_tx_sign(&tx, key), 0);
	btt_wbuf_init_fixed(&w, out->b, sizeof(out->b));
	assert_int_equal(btt_ledger_tx_encode(&tx, &w), 0);
	out->len = w.len;
}

static inline void ex_transfer_payload(const uint8_t to[20], btt_u128 amount,
				       uint8_t out[BTT_TX_TRANSFER_LEN])
{
	struct btt_tx_transfer t;
	struct btt_wbuf w;

	memcpy(t.to, to, 20);
	t.amount = amount;
	btt_wbuf_init_fixed(&w, out, BTT_TX_TRANSFER_LEN);
	btt_ledger_transfer_encode(&t, &w);
	assert_int_equal(w.len, BTT_TX_TRANSFER_LEN);
}

static inline void ex_transfer(struct ex_tx *out, const struct ex_fx *f,
			       const uint8_t key[32], uint64_t nonce,
			       const uint8_t to[20], btt_u128 amount)
{
	uint8_t p[BTT_TX_TRANSFER_LEN];

	ex_transfer_payload(to, amount, p);
	ex_sign(out, key, f->g->chain_id, BTT_TX_TRANSFER, nonce, p, sizeof(p),
		0, TX_MAX_FEE);
}

static inline uint64_t ex_nonce(struct ex_fx *f, const uint8_t addr[20])
{
	struct btt_ledger_account_info a;
	assert_int_equal(btt_ledger_chain_account(f->c, addr, &a), 0);
	return a.nonce;
}

static inline btt_u128 ex_balance(struct ex_fx *f, const uint8_t addr[20])
{
	struct btt_ledger_account_info a;
	assert_int_equal(btt_ledger_chain_account(f->c, addr, &a), 0);
	return a.balance;
}

/* Proposes one block of txs[0..n) 1 s after the head; returns the
 * executor's result, outcomes in out (n entries, may be NULL). */
static inline int ex_block(struct ex_fx *f, const struct ex_tx *txs, size_t n,
			   struct btt_ledger_tx_outcome *out)
{
	struct btt_ledger_txref *refs = calloc(n ? n : 1, sizeof(*refs));
	struct btt_ledger_head h;
	int rc;

	for (size_t i = 0; i < n; i++) {
		refs[i].p = txs[i].b;
		refs[i].len = txs[i].len;
	}
	btt_ledger_chain_head(f->c, &h);
	rc = btt_ledger_exec_propose(f->c, refs, n, h.time_ms + 1000,
				     f->val_key, out, NULL);
	free(refs);
	return rc;
}

/* One transaction in its own block; returns its outcome status, or
 * fails the test when it was left out and want_in is set. */
static inline int ex_one(struct ex_fx *f, const struct ex_tx *tx,
			 bool *included)
{
	struct btt_ledger_tx_outcome o;

	assert_int_equal(ex_block(f, tx, 1, &o), 0);
	if (included)
		*included = o.included;
	return o.status;
}

/* Empty blocks until the head reaches height h. */
static inline void ex_advance(struct ex_fx *f, uint64_t h)
{
	struct btt_ledger_head head;

	for (;;) {
		btt_ledger_chain_head(f->c, &head);
		if (head.height >= h)
			return;
		assert_int_equal(ex_block(f, NULL, 0, NULL), 0);
	}
}

#endif
