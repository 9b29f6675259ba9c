/* Opening a chain (chain.h): the genesis applied as block 0 of a fresh
 * directory, in one write transaction with its block record and the
 * genesis hash; and, for an existing directory, the checks that it
 * belongs to this genesis and that its head block and state agree.
 *
 * Block 0 has no transactions and no signature; its parent_hash is the
 * genesis hash, so every later block hash depends on the genesis too. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "core/codec.h"
#include "core/log.h"
#include "ledger/blockstore.h"
#include "ledger/chain.h"
#include "ledger/exec_int.h"

#define LOG_TAG "chain"

__attribute__((format(printf, 3, 4))) static void say(char *err, size_t len,
						      const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

void btt_ledger_chain_pool_address(uint8_t out[BTT_ADDR_LEN])
{
	btt_ledger_module_address(BTT_EXEC_POOL_NAME, out);
}

static int put_buckets(struct btt_ledger_state *st, const struct btt_genesis *g)
{
	int rc = 0;

	for (size_t i = 0; i < g->n_buckets && !rc; i++) {
		const struct btt_genesis_bucket *b = &g->buckets[i];
		struct btt_ledger_account a = {0};

		a.balance = btt_ledger_genesis_balance(g, i);
		if (b->kind == BTT_GENESIS_MODULE)
			a.flags = BTT_ACCT_MODULE;
		if (b->kind == BTT_GENESIS_MULTISIG)
			a.flags = BTT_ACCT_MULTISIG;
		if (b->has_vesting)
			a.flags |= BTT_ACCT_VESTING;
		rc = btt_ledger_state_account_put(st, b->addr, &a);
		if (!rc && b->kind == BTT_GENESIS_MULTISIG)
			rc = btt_ledger_exec_msig_def_put(st, b->addr,
							  &b->multisig);
		if (!rc && b->has_vesting)
			rc = btt_ledger_exec_vesting_put(st, b->addr,
							 &b->vesting);
	}
	return rc;
}

/* Applies the genesis as block 0 and commits it. */
static int apply_genesis(struct btt_ledger_chain *c,
			 const struct btt_genesis *g)
{
	struct btt_ledger_block b;
	struct btt_ledger_header *h = &b.header;
	struct btt_ledger_state *st;
	uint8_t pool[BTT_ADDR_LEN];
	struct btt_ledger_account a = {0, 0, BTT_ACCT_MODULE};
	int rc = btt_ledger_state_open(c->store, true, &st);

	if (rc)
		return rc;
	memset(&b, 0, sizeof(b));
	btt_ledger_chain_pool_address(pool);
	if (!(rc = put_buckets(st, g)) &&
	    !(rc = btt_ledger_state_account_put(st, pool, &a)) &&
	    !(rc = btt_ledger_exec_staking_genesis(st, g)))
		rc = btt_ledger_state_finish(st, 0, h->state_root, NULL);
	if (!rc)
		rc = btt_ledger_exec_check_supply(st, c->supply);
	if (!rc)
		rc = btt_ledger_exec_valset_hash(btt_ledger_state_txn(st),
						 h->validators_hash);
	if (!rc)
		rc = btt_ledger_txn_put(
			btt_ledger_state_txn(st), BTT_LEDGER_DB_META,
			BTT_EXEC_META_GENESIS, strlen(BTT_EXEC_META_GENESIS),
			c->genesis_hash, 32);
	if (rc) {
		btt_ledger_state_abort(st);
		return rc;
	}
	h->version = BTT_BLOCK_VERSION;
	h->chain_id = g->chain_id;
	h->time_ms = g->genesis_time * 1000; /* < 2^53 * 1000 < 2^63 */
	memcpy(h->parent_hash, c->genesis_hash, 32);
	return btt_ledger_exec_commit(c, st, &b);
}

/* Checks an existing directory against the genesis and loads its head. */
static int load_head(struct btt_ledger_chain *c, struct btt_ledger_txn *t,
		     char *err, size_t err_len)
{
	char want[65], have[65];
	struct btt_ledger_block b;
	struct btt_cur v;
	uint8_t root[32];
	uint64_t height;
	int rc =
		btt_ledger_txn_get(t, BTT_LEDGER_DB_META, BTT_EXEC_META_GENESIS,
				   strlen(BTT_EXEC_META_GENESIS), &v);

	if (rc || btt_cur_len(&v) != 32) {
		say(err, err_len, "store has no genesis record");
		return rc && rc != BTT_ENOTFOUND ? rc : BTT_ECORRUPT;
	}
	if (memcmp(btt_cur_data(&v), c->genesis_hash, 32) != 0) {
		btt_hex_encode(btt_cur_data(&v), 32, have);
		btt_hex_encode(c->genesis_hash, 32, want);
		say(err, err_len,
		    "data directory was created from genesis %s, not %s", have,
		    want);
		return BTT_EGENESIS;
	}
	if ((rc = btt_ledger_txn_head(t, &height, root)) != 0) {
		say(err, err_len, "store has no head record");
		return rc == BTT_ENOTFOUND ? BTT_ECORRUPT : rc;
	}
	rc = btt_ledger_blockstore_get(t, height, &b, c->head.hash);
	if (rc) {
		say(err, err_len, "head block missing or damaged");
		return rc == BTT_ENOTFOUND ? BTT_ECORRUPT : rc;
	}
	if (memcmp(b.header.state_root, root, 32) != 0) {
		btt_hex_encode(root, 32, have);
		btt_hex_encode(b.header.state_root, 32, want);
		say(err, err_len,
		    "torn store: state root %s does not match the head block's "
		    "%s; refusing to open",
		    have, want);
		btt_ledger_block_release(&b);
		return BTT_ECORRUPT;
	}
	c->head.height = height;
	c->head.time_ms = b.header.time_ms;
	memcpy(c->head.state_root, root, 32);
	btt_ledger_block_release(&b);
	return 0;
}

/* Opens the store and brings it to a checked head. */
static int open_store(struct btt_ledger_chain *c, const char *dir,
		      const struct btt_genesis *g, uint64_t map_size, char *err,
		      size_t err_len)
{
	struct btt_ledger_state *st;
	struct btt_ledger_txn *t;
	uint64_t h;
	uint8_t root[32];
	int rc = btt_ledger_store_open(dir, map_size, &c->store);

	if (rc) {
		say(err, err_len, "cannot open the ledger store in %s: %s", dir,
		    btt_strerror(rc));
		return rc;
	}
	if ((rc = btt_ledger_store_begin(c->store, false, &t)) != 0)
		return rc;
	rc = btt_ledger_txn_head(t, &h, root);
	if (rc == BTT_ENOTFOUND) {
		btt_ledger_txn_abort(t);
		rc = apply_genesis(c, g);
		if (rc)
			say(err, err_len, "cannot apply the genesis: %s",
			    btt_strerror(rc));
		return rc;
	}
	if (!rc)
		rc = load_head(c, t, err, err_len);
	btt_ledger_txn_abort(t);
	/* The tree must hold the head's root (state_open checks it). */
	if (!rc && (rc = btt_ledger_state_open(c->store, false, &st)) == 0)
		btt_ledger_state_abort(st);
	else if (rc == BTT_ECORRUPT && err && !err[0])
		say(err, err_len, "state tree misses the head's root");
	return rc;
}

int btt_ledger_chain_open(const char *dir, const struct btt_genesis *g,
			  const struct btt_ledger_chain_opts *o,
			  struct btt_ledger_chain **out, char *err,
			  size_t err_len)
{
	struct btt_ledger_chain_opts def = {0};
	struct btt_ledger_chain *c;
	int rc;

	*out = NULL;
	if (err && err_len)
		err[0] = 0;
	if (!o)
		o = &def;
	if ((rc = btt_ledger_genesis_check(g, err, err_len)) != 0)
		return rc;
	c = calloc(1, sizeof(*c));
	if (!c)
		abort();
	c->chain_id = g->chain_id;
	c->supply = g->total_supply;
	btt_ledger_genesis_hash(g, c->genesis_hash);
#ifdef NDEBUG
	c->check_supply = o->supply_check == BTT_LEDGER_SUPPLY_ON;
#else
	c->check_supply = o->supply_check != BTT_LEDGER_SUPPLY_OFF;
#endif
	if (o->workers)
		c->workers = *o->workers;
	btt_ledger_sigcache_new(BTT_EXEC_SIGCACHE_SIZE, &c->cache);
	rc = open_store(c, dir, g, o->map_size, err, err_len);
	if (rc) {
		BTT_LOG(BTT_LOG_ERROR, LOG_TAG, "%s: %s", dir,
			err && err[0] ? err : btt_strerror(rc));
		btt_ledger_chain_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void btt_ledger_chain_free(struct btt_ledger_chain *c)
{
	if (!c)
		return;
	btt_ledger_pending_abort(c->pending);
	btt_ledger_store_free(c->store);
	btt_ledger_sigcache_free(c->cache);
	free(c);
}

void btt_ledger_chain_head(const struct btt_ledger_chain *c,
			   struct btt_ledger_head *out)
{
	*out = c->head;
}

uint64_t btt_ledger_chain_id(const struct btt_ledger_chain *c)
{
	return c->chain_id;
}

void btt_ledger_chain_genesis_hash(const struct btt_ledger_chain *c,
				   uint8_t out[32])
{
	memcpy(out, c->genesis_hash, 32);
}

btt_u128 btt_ledger_chain_supply(const struct btt_ledger_chain *c)
{
	return c->supply;
}

struct btt_ledger_store *btt_ledger_chain_store(struct btt_ledger_chain *c)
{
	return c->store;
}
