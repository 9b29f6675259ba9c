/* Executor throughput: transfers applied per second, signatures checked,
 * against the ceiling of raw libsecp256k1 secp256k1_ecdsa_recover calls
 * per second on one core measured in the same run.
 *
 * A proposer chain builds BENCH_EXEC_BLOCKS blocks of BENCH_EXEC_TXS
 * transfers (default 3 x 10,000, from BENCH_EXEC_SENDERS funded senders
 * to fresh addresses); then fresh follower chains apply them the way a
 * validator does (header checks, every signature recovered, execution,
 * state root, block store, synced commit): one verifying on the calling
 * thread only, one with the signature batches on a worker pool of two
 * threads. The proposer path with signatures already checked by the
 * mempool (btt_ledger_exec_check_tx, cached by txid) shows the rest of
 * the cost: execution + state root (build) and the store commit.
 *
 * The state root cost of 10,000 transfers over 1,000,000 accounts is
 * measured by bench_smt (same `make bench`); this benchmark's state is
 * the senders and recipients of its blocks.
 *
 *   build/bench/bench_exec            (temporary stores under $TMPDIR)
 */
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/cur.h"
#include "crypto/address.h"
#include "io/pool.h"
#include "ledger/blockstore.h"
#include "ledger/chain.h"
#include "ledger/exec.h"
#include "ledger/exec_pool.h"
#include "ledger/genesis.h"
#include "ledger/tx.h"

#define MAX_BLOCKS 9

struct clk {
	uint64_t wall, cpu;
};

static uint64_t now_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct clk clk_now(void)
{
	struct clk c = {now_ns(CLOCK_MONOTONIC),
			now_ns(CLOCK_PROCESS_CPUTIME_ID)};
	return c;
}

static struct clk clk_since(struct clk a)
{
	struct clk b = clk_now();
	b.wall -= a.wall;
	b.cpu -= a.cpu;
	return b;
}

static uint64_t env_u64(const char *name, uint64_t dflt, uint64_t max)
{
	const char *s = getenv(name);
	struct btt_cur c;
	uint64_t v;

	if (!s)
		return dflt;
	btt_cur_init(&c, s, strlen(s));
	if (!btt_cur_get_dec(&c, 10, max, false, &v) || btt_cur_len(&c) ||
	    v == 0) {
		fprintf(stderr, "bench_exec: bad %s, using %llu\n", name,
			(unsigned long long)dflt);
		return dflt;
	}
	return v;
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "bench_exec: %s failed (%d)\n", what, rc);
	exit(1);
}

static void print_load(const char *when)
{
	char buf[128] = "";
	FILE *fp = fopen("/proc/loadavg", "r");
	size_t n = fp ? fread(buf, 1, sizeof(buf) - 1, fp) : 0;
	int spaces = 0;

	if (fp)
		fclose(fp);
	for (size_t i = 0; i < n; i++)
		if (buf[i] == ' ' && ++spaces == 3)
			n = i;
	printf("# load average %s: %.*s\n", when, (int)n, buf);
}

/* Temporary store directories, removed at exit. */
static char dirs[4][4096];
static int n_dirs;

static void rm_dirs(void)
{
	char p[4200];

	for (int i = 0; i < n_dirs; i++) {
		snprintf(p, sizeof(p), "%.4000s/data.mdb", dirs[i]);
		unlink(p);
		snprintf(p, sizeof(p), "%.4000s/lock.mdb", dirs[i]);
		unlink(p);
		rmdir(dirs[i]);
	}
}

static const char *new_dir(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(dirs[n_dirs], sizeof(dirs[0]), "%s/btt-bench-exec.XXXXXX",
		 t && *t ? t : "/tmp");
	if (!mkdtemp(dirs[n_dirs]))
		die("mkdtemp", -1);
	return dirs[n_dirs++];
}

/* Raw recoveries per second on this thread: signatures over distinct
 * hashes, each recovered with the library alone. */
static void recover_ceiling(size_t n, double *per_wall, double *per_cpu)
{
	secp256k1_context *ctx =
		secp256k1_context_create(SECP256K1_CONTEXT_NONE);
	secp256k1_ecdsa_recoverable_signature *sigs = calloc(n, sizeof(*sigs));
	uint8_t(*hashes)[32] = calloc(n, 32), key[32] = {1};
	secp256k1_pubkey pub;
	struct clk t;

	for (size_t i = 0; i < n; i++) {
		memcpy(hashes[i], &i, sizeof(i));
		hashes[i][31] = 0x5a;
		key[0] = (uint8_t)(1 + i % 200);
		if (!secp256k1_ecdsa_sign_recoverable(ctx, &sigs[i], hashes[i],
						      key, NULL, NULL))
			die("sign", -1);
	}
	t = clk_now();
	for (size_t i = 0; i < n; i++)
		if (!secp256k1_ecdsa_recover(ctx, &pub, &sigs[i], hashes[i]))
			die("recover", -1);
	t = clk_since(t);
	*per_wall = (double)n / ((double)t.wall / 1e9);
	*per_cpu = (double)n / ((double)t.cpu / 1e9);
	free(sigs);
	free(hashes);
	secp256k1_context_destroy(ctx);
}

struct bench {
	struct btt_genesis *g;
	uint8_t val_key[32];
	size_t senders, txs, blocks;
	uint8_t (*keys)[32];
	uint8_t (*addrs)[20];
	struct btt_ledger_block fund;	       /* funding block (height 1) */
	struct btt_ledger_block b[MAX_BLOCKS]; /* the timed blocks */
	uint8_t **raw;			       /* blocks' signed txs */
	size_t *raw_len;
};

static void sign_transfer(const uint8_t key[32], uint64_t chain, uint64_t nonce,
			  const uint8_t to[20], btt_u128 amount, uint8_t **out,
			  size_t *len)
{
	struct btt_tx_transfer t;
	uint8_t p[BTT_TX_TRANSFER_LEN];
	struct btt_wbuf w;
	struct btt_tx tx;

	memcpy(t.to, to, 20);
	t.amount = amount;
	btt_wbuf_init_fixed(&w, p, sizeof(p));
	btt_ledger_transfer_encode(&t, &w);
	memset(&tx, 0, sizeof(tx));
	tx.version = BTT_TX_VERSION;
	tx.chain_id = chain;
	tx.type = BTT_TX_TRANSFER;
	tx.nonce = nonce;
	tx.max_fee = BTT_COIN;
	tx.payload = p;
	tx.payload_len = sizeof(p);
	if (btt_ledger_tx_sign(&tx, key))
		die("tx sign", -1);
	btt_wbuf_init(&w, BTT_TX_MAX_LEN);
	if (btt_ledger_tx_encode(&tx, &w))
		die("tx encode", -1);
	*out = btt_wbuf_detach(&w, len);
}

/* The funding block's multi-transfers from public_sale, signed. */
static size_t funding_txs(struct bench *bn, const uint8_t ps_key[32],
			  uint8_t **raw, size_t *len)
{
	size_t n = 0;

	for (size_t lo = 0; lo < bn->senders; lo += BTT_TX_MAX_TRANSFERS) {
		struct btt_tx_transfer items[BTT_TX_MAX_TRANSFERS];
		size_t k = bn->senders - lo;
		uint8_t p[BTT_TX_MAX_PAYLOAD];
		struct btt_wbuf w;
		struct btt_tx tx;

		k = k > BTT_TX_MAX_TRANSFERS ? BTT_TX_MAX_TRANSFERS : k;
		for (size_t i = 0; i < k; i++) {
			memcpy(items[i].to, bn->addrs[lo + i], 20);
			items[i].amount = 1000 * BTT_COIN;
		}
		btt_wbuf_init_fixed(&w, p, sizeof(p));
		btt_ledger_multi_encode(items, k, &w);
		memset(&tx, 0, sizeof(tx));
		tx.version = BTT_TX_VERSION;
		tx.chain_id = bn->g->chain_id;
		tx.type = BTT_TX_MULTI_TRANSFER;
		tx.nonce = n;
		tx.max_fee = BTT_COIN;
		tx.payload = p;
		tx.payload_len = w.len;
		if (btt_ledger_tx_sign(&tx, ps_key))
			die("tx sign", -1);
		btt_wbuf_init(&w, BTT_TX_MAX_LEN);
		btt_ledger_tx_encode(&tx, &w);
		raw[n] = btt_wbuf_detach(&w, &len[n]);
		n++;
	}
	return n;
}

static void on_key(void *arg, const char *label, const uint8_t key[32])
{
	if (!strcmp(label, "public_sale"))
		memcpy(arg, key, 32);
}

static void setup_genesis(struct bench *bn, uint8_t ps_key[32])
{
	struct btt_genesis_opts o = {0};
	uint8_t va[20];

	bn->g = btt_ledger_genesis_new();
	o.key_seed = "bench-exec";
	o.key_seed_len = 10;
	o.on_key = on_key;
	o.on_key_arg = ps_key;
	if (btt_ledger_genesis_default(&o, bn->g))
		die("genesis", -1);
	btt_ledger_genesis_key_derive("bench-exec", 10, "validator",
				      bn->val_key);
	btt_addr_from_key(bn->val_key, va);
	if (btt_ledger_genesis_add_validator(
		    bn->g, va, va, 20, BTT_GENESIS_DEFAULT_VALIDATOR_STAKE))
		die("validator", -1);
	bn->keys = calloc(bn->senders, 32);
	bn->addrs = calloc(bn->senders, 20);
	for (size_t i = 0; i < bn->senders; i++) {
		char label[32];
		snprintf(label, sizeof(label), "sender%zu", i);
		btt_ledger_genesis_key_derive("bench-exec", 10, label,
					      bn->keys[i]);
		btt_addr_from_key(bn->keys[i], bn->addrs[i]);
	}
}

static struct btt_ledger_chain *open_chain(struct bench *bn,
					   const struct btt_ledger_workers *w)
{
	struct btt_ledger_chain_opts o = {0};
	struct btt_ledger_chain *c;
	char err[256];
	int rc;

	o.supply_check = BTT_LEDGER_SUPPLY_OFF;
	o.workers = w;
	if ((rc = btt_ledger_chain_open(new_dir(), bn->g, &o, &c, err,
					sizeof(err)))) {
		fprintf(stderr, "bench_exec: %s\n", err);
		die("chain open", rc);
	}
	return c;
}

static void propose(struct btt_ledger_chain *c, struct bench *bn, uint8_t **raw,
		    size_t *len, size_t n, uint64_t t,
		    struct btt_ledger_block *out)
{
	struct btt_ledger_txref *refs = calloc(n, sizeof(*refs));
	struct btt_ledger_tx_outcome *o = calloc(n, sizeof(*o));
	int rc;

	for (size_t i = 0; i < n; i++) {
		refs[i].p = raw[i];
		refs[i].len = len[i];
	}
	rc = btt_ledger_exec_propose(c, refs, n, t, bn->val_key, o, out);
	if (rc)
		die("propose", rc);
	for (size_t i = 0; i < n; i++)
		if (!o[i].included || o[i].status)
			die("a workload tx", o[i].status);
	free(refs);
	free(o);
}

/* The timed blocks' transactions: sender i % senders, sequential nonces,
 * each to a fresh address. */
static void sign_workload(struct bench *bn)
{
	size_t total = bn->blocks * bn->txs;

	bn->raw = calloc(total, sizeof(*bn->raw));
	bn->raw_len = calloc(total, sizeof(*bn->raw_len));
	for (size_t j = 0; j < total; j++) {
		size_t s = j % bn->senders;
		uint8_t to[20] = {0xbe, 0xec};

		memcpy(to + 4, &j, sizeof(j));
		sign_transfer(bn->keys[s], bn->g->chain_id, j / bn->senders, to,
			      1 + j % 1000, &bn->raw[j], &bn->raw_len[j]);
	}
}

struct proposer_times {
	struct clk check, build, commit;
};

/* One timed block on the proposer: mempool checks (which cache the
 * signatures), then build (execution + state root) and commit. */
static void propose_timed(struct btt_ledger_chain *c, struct bench *bn,
			  size_t b, struct proposer_times *pt)
{
	size_t lo = b * bn->txs;
	struct btt_ledger_txref *refs = calloc(bn->txs, sizeof(*refs));
	uint8_t va[20], hash[32], sig[65];
	struct btt_ledger_pending *p;
	struct clk t = clk_now();
	int rc;

	for (size_t i = 0; i < bn->txs; i++) {
		refs[i].p = bn->raw[lo + i];
		refs[i].len = bn->raw_len[lo + i];
		if ((rc = btt_ledger_exec_check_tx(c, refs[i].p, refs[i].len,
						   NULL)) != 0)
			die("check_tx", rc);
	}
	pt->check = clk_since(t);
	btt_addr_from_key(bn->val_key, va);
	t = clk_now();
	rc = btt_ledger_exec_build(c, refs, bn->txs, (b + 2) * 1000, va, NULL,
				   &p);
	if (rc)
		die("build", rc);
	pt->build = clk_since(t);
	btt_ledger_block_hash(btt_ledger_pending_block(p), hash);
	if (btt_secp_sign(bn->val_key, hash, sig))
		die("block sign", -1);
	t = clk_now();
	if ((rc = btt_ledger_pending_commit(p, sig, &bn->b[b])) != 0)
		die("commit", rc);
	pt->commit = clk_since(t);
	if (bn->b[b].n_txs != bn->txs)
		die("block size", (int)bn->b[b].n_txs);
	free(refs);
}

/* Applies the funding block, then times each workload block. */
static void follow(struct bench *bn, const struct btt_ledger_workers *w,
		   struct clk *out)
{
	struct btt_ledger_chain *c = open_chain(bn, w);
	int rc;

	if ((rc = btt_ledger_exec_apply(c, &bn->fund, NULL)) != 0)
		die("apply funding", rc);
	for (size_t b = 0; b < bn->blocks; b++) {
		struct clk t = clk_now();
		if ((rc = btt_ledger_exec_apply(c, &bn->b[b], NULL)) != 0)
			die("apply", rc);
		out[b] = clk_since(t);
	}
	btt_ledger_chain_free(c);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Median wall and cpu times of n samples. */
static struct clk med(const struct clk *v, size_t n)
{
	uint64_t w[MAX_BLOCKS * 3], c[MAX_BLOCKS * 3];
	struct clk m;

	for (size_t i = 0; i < n; i++) {
		w[i] = v[i].wall;
		c[i] = v[i].cpu;
	}
	qsort(w, n, sizeof(w[0]), cmp_u64);
	qsort(c, n, sizeof(c[0]), cmp_u64);
	m.wall = w[n / 2];
	m.cpu = c[n / 2];
	return m;
}

static double rate(size_t n, uint64_t ns)
{
	return (double)n / ((double)ns / 1e9);
}

static void report(const struct bench *bn, double ceil_wall, double ceil_cpu,
		   const struct clk *f1, const struct clk *f2,
		   const struct proposer_times *pt)
{
	struct clk a = med(f1, bn->blocks), b = med(f2, bn->blocks);
	struct clk chk[MAX_BLOCKS], bld[MAX_BLOCKS], cmt[MAX_BLOCKS];
	double r1 = rate(bn->txs, a.cpu), r1w = rate(bn->txs, a.wall);
	double r2 = rate(bn->txs, b.wall);

	for (size_t i = 0; i < bn->blocks; i++) {
		chk[i] = pt[i].check;
		bld[i] = pt[i].build;
		cmt[i] = pt[i].commit;
	}
	printf("recover ceiling, 1 core (raw secp256k1_ecdsa_recover): "
	       "%.0f/s cpu, %.0f/s wall\n",
	       ceil_cpu, ceil_wall);
	printf("follower, verify on 1 thread:  %.0f transfers/s cpu (%.0f "
	       "wall), block %.3f s  -> %.0f %% of the ceiling\n",
	       r1, r1w, (double)a.wall / 1e9, 100.0 * r1 / ceil_cpu);
	printf("follower, verify on 2 threads: %.0f transfers/s wall, block "
	       "%.3f s (cpu %.3f s)  -> %.0f %% of the 1-core ceiling\n",
	       r2, (double)b.wall / 1e9, (double)b.cpu / 1e9,
	       100.0 * r2 / ceil_wall);
	a = med(chk, bn->blocks);
	printf("proposer, mempool check_tx:     %.1f us/tx cpu\n",
	       (double)a.cpu / 1e3 / (double)bn->txs);
	a = med(bld, bn->blocks);
	b = med(cmt, bn->blocks);
	printf("proposer, signatures cached:    build (execution + state "
	       "root) %.3f s cpu, commit %.3f s wall per %zu-transfer "
	       "block -> %.0f transfers/s\n",
	       (double)a.cpu / 1e9, (double)b.wall / 1e9, bn->txs,
	       rate(bn->txs, a.wall + b.wall));
	printf("state root over 1,000,000 accounts: see bench_smt\n");
}

int main(void)
{
	struct bench bn = {0};
	struct clk f1[MAX_BLOCKS], f2[MAX_BLOCKS];
	struct proposer_times pt[MAX_BLOCKS];
	uint8_t ps_key[32], *fraw[64];
	size_t flen[64], nf;
	double cw, cc, cw2, cc2;
	struct btt_ledger_workers w = {btt_ledger_pool_run, NULL, 2};
	struct btt_pool *pool;
	struct btt_ledger_chain *p;

	bn.txs = env_u64("BENCH_EXEC_TXS", 10000, BTT_BLOCK_MAX_TXS);
	bn.blocks = env_u64("BENCH_EXEC_BLOCKS", 3, MAX_BLOCKS);
	bn.senders = env_u64("BENCH_EXEC_SENDERS", 2000, 64 * 256);
	atexit(rm_dirs);
	print_load("at start");
	setup_genesis(&bn, ps_key);
	sign_workload(&bn);
	p = open_chain(&bn, NULL);
	nf = funding_txs(&bn, ps_key, fraw, flen);
	propose(p, &bn, fraw, flen, nf, 1000, &bn.fund);
	for (size_t b = 0; b < bn.blocks; b++)
		propose_timed(p, &bn, b, &pt[b]);
	btt_ledger_chain_free(p);
	recover_ceiling(5000, &cw, &cc);
	follow(&bn, NULL, f1);
	if (btt_pool_new(2, &pool))
		die("pool", -1);
	w.ctx = pool;
	follow(&bn, &w, f2);
	btt_pool_free(pool);
	recover_ceiling(5000, &cw2, &cc2);
	printf("# %zu blocks of %zu transfers from %zu senders\n", bn.blocks,
	       bn.txs, bn.senders);
	report(&bn, cw > cw2 ? cw : cw2, cc > cc2 ? cc : cc2, f1, f2, pt);
	print_load("at end");
	return 0;
}
