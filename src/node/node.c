/* The node: lifecycle, the block timer, and block production through
 * propose/commit (node.h), plus admission of submitted transactions.
 *
 * Invariants: at most one block is pending; while it is, `cands` holds
 * the txids and senders of its candidates and their outcomes, so the
 * mempool can be cleaned at commit even if it changed meanwhile. A failed
 * commit (the store refused the block) makes the node `failed`: no more
 * blocks are produced, RPC keeps answering reads, and the operator
 * restarts it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "btt/err.h"
#include "core/log.h"
#include "io/loop.h"
#include "io/pool.h"
#include "io/timer.h"
#include "ledger/blockstore.h"
#include "ledger/exec_pool.h"
#include "node/node_int.h"

static const char tag[] = "node";

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void fail(struct btt_node *n, int e, const char *what)
{
	if (!n->failed) {
		n->failed = e;
		BTT_LOG(BTT_LOG_ERROR, tag,
			"%s: %s; no more blocks will be produced (restart "
			"the node)",
			what, btt_strerror(e));
	}
	if (n->timer)
		btt_timer_stop(n->timer);
}

static int lookup(void *arg, const uint8_t addr[BTT_ADDR_LEN],
		  struct btt_mempool_acct *out)
{
	struct btt_node *n = arg;
	struct btt_ledger_account_info ai;
	int e = btt_ledger_chain_account(n->chain, addr, &ai);

	if (e)
		return e;
	out->nonce = ai.nonce;
	out->spendable = ai.spendable;
	return 0;
}

int btt_node_propose(struct btt_node *n, uint64_t time_ms,
		     const struct btt_ledger_block **out)
{
	struct btt_ledger_head head;
	struct btt_ledger_pending *p;
	uint8_t hash[BTT_BLOCK_HASH_LEN];
	struct btt_tx tx;
	size_t k;
	int e;

	if (n->pending || n->failed)
		return BTT_ESTATE;
	btt_ledger_chain_head(n->chain, &head);
	if (time_ms <= head.time_ms)
		time_ms = head.time_ms + 1;
	k = btt_node_mempool_select(n->mp, n->max_block_txs,
				    BTT_BLOCK_MAX_LEN - BTT_BLOCK_FIXED_LEN,
				    n->refs, n->ids);
	for (size_t i = 0; i < k; i++) {
		memcpy(n->cands[i].txid, n->ids[i], BTT_TX_HASH_LEN);
		memset(n->cands[i].from, 0, BTT_ADDR_LEN);
		/* admitted transactions decode; the sender is needed for
		 * the recheck after the commit */
		if (btt_ledger_tx_decode(n->refs[i].p, n->refs[i].len, &tx) ==
		    0)
			memcpy(n->cands[i].from, tx.from, BTT_ADDR_LEN);
	}
	e = btt_ledger_exec_build(n->chain, n->refs, k, time_ms, n->addr,
				  n->outcomes, &p);
	if (e)
		return e;
	btt_ledger_block_hash(btt_ledger_pending_block(p), hash);
	if ((e = btt_secp_sign(n->key, hash, n->sig)) != 0) {
		btt_ledger_pending_abort(p);
		return e;
	}
	n->pending = p;
	n->n_cands = k;
	if (out)
		*out = btt_ledger_pending_block(p);
	return 0;
}

void btt_node_abort(struct btt_node *n)
{
	btt_ledger_pending_abort(n->pending);
	n->pending = NULL;
	n->n_cands = 0;
}

/* After a commit: drops what the block included or found invalid, and
 * rechecks the senders against the new head. */
static void clean_mempool(struct btt_node *n, uint64_t next_height)
{
	struct btt_mempool_acct acct;
	size_t left_out = 0;

	for (size_t i = 0; i < n->n_cands; i++) {
		const struct btt_ledger_tx_outcome *o = &n->outcomes[i];
		if (o->included)
			n->txs_committed++;
		else if (o->status == BTT_ELIMIT)
			continue; /* did not fit: next block */
		else
			left_out++;
		btt_node_mempool_remove(n->mp, n->cands[i].txid);
	}
	if (left_out)
		BTT_LOG(BTT_LOG_INFO, tag,
			"%zu transaction%s left out as invalid", left_out,
			left_out == 1 ? "" : "s");
	for (size_t i = 0; i < n->n_cands; i++) {
		if (i && !memcmp(n->cands[i].from, n->cands[i - 1].from,
				 BTT_ADDR_LEN))
			continue;
		if (lookup(n, n->cands[i].from, &acct) == 0)
			btt_node_mempool_update(n->mp, n->cands[i].from, &acct,
						next_height);
	}
	if (next_height % BTT_NODE_SWEEP_BLOCKS == 0)
		btt_node_mempool_sweep(n->mp, lookup, n, next_height);
}

int btt_node_commit(struct btt_node *n)
{
	struct btt_ledger_head head;
	int e;

	if (!n->pending)
		return BTT_ESTATE;
	e = btt_ledger_pending_commit(n->pending, n->sig, NULL);
	n->pending = NULL;
	if (e) {
		n->n_cands = 0;
		fail(n, e, "cannot store the block");
		return e;
	}
	btt_ledger_chain_head(n->chain, &head);
	n->blocks_made++;
	BTT_LOG(BTT_LOG_DEBUG, tag, "block %llu: %zu candidates",
		(unsigned long long)head.height, n->n_cands);
	clean_mempool(n, head.height + 1);
	n->n_cands = 0;
	return 0;
}

/* Errors that no later block can avoid. */
static bool fatal(int e)
{
	return e == BTT_ECORRUPT || e == BTT_ESTOREFULL || e == BTT_ESTORE ||
	       (e < 0 && e > -4096);
}

static void on_tick(struct btt_timer *t, void *arg)
{
	struct btt_node *n = arg;
	int e;

	(void)t;
	e = btt_node_propose(n, wall_ms(), NULL);
	if (e == 0)
		btt_node_commit(n);
	else if (fatal(e))
		fail(n, e, "cannot build the next block");
	else
		BTT_LOG(BTT_LOG_WARN, tag, "cannot build the next block: %s",
			btt_strerror(e));
}

int btt_node_submit(struct btt_node *n, const uint8_t *raw, size_t len,
		    uint8_t out_txid[BTT_TX_HASH_LEN], bool *out_replaced)
{
	struct btt_ledger_tx_check chk;
	struct btt_mempool_tx_info info;
	struct btt_mempool_acct acct;
	struct btt_tx tx;
	int e;

	if (len > BTT_TX_MAX_LEN)
		return BTT_ELIMIT;
	if ((e = btt_ledger_exec_check_tx(n->chain, raw, len, &chk)) != 0)
		return e;
	memcpy(out_txid, chk.txid, BTT_TX_HASH_LEN);
	if ((e = btt_ledger_tx_decode(raw, len, &tx)) != 0 ||
	    (e = btt_node_mempool_info(&tx, chk.fee, chk.txid, &info)) != 0 ||
	    (e = lookup(n, tx.from, &acct)) != 0)
		return e;
	return btt_node_mempool_add(n->mp, raw, len, &info, &acct,
				    out_replaced);
}

static int start_rpc(struct btt_node *n, const struct btt_node_opts *o,
		     char *err, size_t err_len)
{
	int e;

	n->methods = btt_rpc_dispatch_new();
	if ((e = btt_node_rpc_register(n)) != 0 ||
	    (e = btt_node_rpc_register_chain(n)) != 0) {
		snprintf(err, err_len, "RPC methods: %s", btt_strerror(e));
		return e;
	}
	if (o->no_rpc)
		return 0;
	if ((e = btt_rpc_server_new(n->loop, n->methods, o->rpc_port,
				    &n->rpc)) != 0)
		snprintf(err, err_len, "cannot serve RPC on 127.0.0.1:%u: %s",
			 (unsigned)o->rpc_port, btt_strerror(e));
	return e;
}

static int open_chain(struct btt_node *n, const struct btt_node_opts *o,
		      char *err, size_t err_len)
{
	struct btt_ledger_chain_opts co = {.workers = &n->workers};
	unsigned threads = o->workers ? o->workers : btt_pool_cpus();
	int e;

	if (threads > BTT_POOL_MAX_THREADS)
		threads = BTT_POOL_MAX_THREADS;
	if ((e = btt_pool_new(threads, &n->pool)) != 0) {
		snprintf(err, err_len, "cannot start workers: %s",
			 btt_strerror(e));
		return e;
	}
	n->workers = (struct btt_ledger_workers){btt_ledger_pool_run, n->pool,
						 threads};
	return btt_ledger_chain_open(o->data_dir, o->genesis, &co, &n->chain,
				     err, err_len);
}

static void alloc_scratch(struct btt_node *n)
{
	size_t k = n->max_block_txs;

	n->cands = calloc(k, sizeof(*n->cands));
	n->outcomes = calloc(k, sizeof(*n->outcomes));
	n->refs = calloc(k, sizeof(*n->refs));
	n->ids = calloc(k, sizeof(*n->ids));
	if (!n->cands || !n->outcomes || !n->refs || !n->ids)
		abort();
}

int btt_node_new(struct btt_loop *loop, const struct btt_node_opts *o,
		 struct btt_node **out, char *err, size_t err_len)
{
	struct btt_node *n = calloc(1, sizeof(*n));
	int e;

	if (!n)
		abort();
	snprintf(err, err_len, "%s", "");
	n->loop = loop;
	n->interval_ms = o->block_interval_ms ? o->block_interval_ms
					      : BTT_NODE_DEFAULT_INTERVAL_MS;
	n->max_block_txs = o->max_block_txs ? o->max_block_txs
					    : BTT_NODE_DEFAULT_BLOCK_TXS;
	if (n->max_block_txs > BTT_BLOCK_MAX_TXS)
		n->max_block_txs = BTT_BLOCK_MAX_TXS;
	memcpy(n->key, o->key, sizeof(n->key));
	if ((e = btt_addr_from_key(n->key, n->addr)) != 0) {
		snprintf(err, err_len, "the validator key is not valid");
		goto fail;
	}
	alloc_scratch(n);
	n->mp = btt_node_mempool_new(&o->mempool);
	if ((e = open_chain(n, o, err, err_len)) != 0 ||
	    (e = start_rpc(n, o, err, err_len)) != 0 ||
	    (e = btt_timer_new(loop, on_tick, n, &n->timer)) != 0)
		goto fail;
	btt_timer_start(n->timer, n->interval_ms, n->interval_ms);
	*out = n;
	return 0;
fail:
	btt_node_free(n);
	return e;
}

void btt_node_free(struct btt_node *n)
{
	if (!n)
		return;
	btt_rpc_server_free(n->rpc);
	btt_timer_free(n->timer);
	btt_node_abort(n);
	btt_ledger_chain_free(n->chain);
	btt_pool_free(n->pool);
	btt_node_mempool_free(n->mp);
	btt_rpc_dispatch_free(n->methods);
	free(n->cands);
	free(n->outcomes);
	free(n->refs);
	free(n->ids);
	sodium_memzero(n->key, sizeof(n->key));
	free(n);
}

void btt_node_stop(struct btt_node *n)
{
	btt_timer_stop(n->timer);
	btt_loop_stop(n->loop);
}

int btt_node_failed(const struct btt_node *n)
{
	return n->failed;
}

uint16_t btt_node_rpc_port(const struct btt_node *n)
{
	return n->rpc ? btt_rpc_server_port(n->rpc) : 0;
}

void btt_node_address(const struct btt_node *n, uint8_t out[BTT_ADDR_LEN])
{
	memcpy(out, n->addr, BTT_ADDR_LEN);
}
