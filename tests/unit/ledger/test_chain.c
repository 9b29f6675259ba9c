/* The chain: reopening a data directory, refusing another genesis and a
 * torn store with a clear message, the block store's reads (blocks by
 * height and hash, txs and receipts, account history), a follower
 * applying the proposer's blocks (and refusing altered ones with the
 * specific code, unchanged), the pending-block protocol, and recovery
 * after kill -9 at random moments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "test_exec_util.h"

static struct ex_fx fx;

static int setup(void **state)
{
	(void)state;
	ex_setup(&fx);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ex_teardown(&fx);
	return 0;
}

/* A few blocks of transfers from public_sale to addresses 0x50.. */
static void some_blocks(int blocks, int per_block)
{
	const uint8_t *k = ex_bucket_key(&fx, "public_sale");
	const uint8_t *from = ex_bucket(&fx, "public_sale")->addr;
	struct ex_tx *txs = calloc((size_t)per_block, sizeof(*txs));

	for (int b = 0; b < blocks; b++) {
		uint64_t n = ex_nonce(&fx, from);
		for (int i = 0; i < per_block; i++) {
			uint8_t to[20] = {0x50, (uint8_t)i};
			ex_transfer(&txs[i], &fx, k, n + (uint64_t)i, to,
				    (btt_u128)(b + 1) * BTT_COIN);
		}
		assert_int_equal(ex_block(&fx, txs, (size_t)per_block, NULL),
				 0);
	}
	free(txs);
}

static void test_chain_reopen(void **state)
{
	struct btt_ledger_head a, b;
	struct btt_ledger_block blk, blk2;
	struct btt_ledger_store *s;

	(void)state;
	some_blocks(3, 4);
	btt_ledger_chain_head(fx.c, &a);
	assert_int_equal(a.height, 3);
	btt_ledger_chain_free(fx.c);
	ex_open(&fx);
	btt_ledger_chain_head(fx.c, &b);
	assert_memory_equal(&a, &b, sizeof(a));
	s = btt_ledger_chain_store(fx.c);
	assert_int_equal(btt_ledger_blockstore_head(s, &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(btt_ledger_blockstore_block_by_height(s, 3, &blk), 0);
	assert_int_equal(blk.n_txs, 4);
	assert_int_equal(btt_ledger_block_verify(&blk), 0);
	assert_int_equal(btt_ledger_blockstore_block_by_hash(s, a.hash, &blk2),
			 0);
	assert_int_equal(blk2.header.height, 3);
	assert_memory_equal(blk.header.state_root, a.state_root, 32);
	btt_ledger_block_release(&blk);
	btt_ledger_block_release(&blk2);
	assert_int_equal(btt_ledger_blockstore_block_by_height(s, 4, &blk),
			 BTT_ENOTFOUND);
	memset(b.hash, 0, 32);
	assert_int_equal(btt_ledger_blockstore_block_by_hash(s, b.hash, &blk),
			 BTT_ENOTFOUND);
	/* block 0: the genesis, parent = the genesis hash */
	assert_int_equal(btt_ledger_blockstore_block_by_height(s, 0, &blk), 0);
	btt_ledger_chain_genesis_hash(fx.c, b.hash);
	assert_memory_equal(blk.header.parent_hash, b.hash, 32);
	btt_ledger_block_release(&blk);
}

static void test_chain_other_genesis(void **state)
{
	struct btt_ledger_chain *c = NULL;
	char err[256];

	(void)state;
	btt_ledger_chain_free(fx.c);
	fx.c = NULL;
	fx.g->chain_id++;
	assert_int_equal(
		btt_ledger_chain_open(fx.dir, fx.g, NULL, &c, err, sizeof(err)),
		BTT_EGENESIS);
	assert_null(c);
	assert_non_null(strstr(err, "created from genesis"));
	fx.g->chain_id--;
	ex_open(&fx);
}

/* Writes a head record straight into the store, as a damaged or
 * hand-edited store would have it. */
static void set_head(uint64_t height, const uint8_t root[32])
{
	struct btt_ledger_store *s;
	struct btt_ledger_txn *t;

	assert_int_equal(btt_ledger_store_open(fx.dir, 0, &s), 0);
	assert_int_equal(btt_ledger_store_begin(s, true, &t), 0);
	assert_int_equal(btt_ledger_txn_set_head(t, height, root), 0);
	assert_int_equal(btt_ledger_txn_commit(t), 0);
	btt_ledger_store_free(s);
}

static void test_chain_torn_refused(void **state)
{
	struct btt_ledger_chain *c = NULL;
	struct btt_ledger_head h;
	uint8_t bad[32];
	char err[256];

	(void)state;
	some_blocks(2, 2);
	btt_ledger_chain_head(fx.c, &h);
	btt_ledger_chain_free(fx.c);
	fx.c = NULL;
	memcpy(bad, h.state_root, 32);
	bad[5] ^= 0x40;
	set_head(h.height, bad);
	assert_int_equal(
		btt_ledger_chain_open(fx.dir, fx.g, NULL, &c, err, sizeof(err)),
		BTT_ECORRUPT);
	assert_non_null(strstr(err, "torn"));
	set_head(h.height + 1, h.state_root);
	assert_int_equal(
		btt_ledger_chain_open(fx.dir, fx.g, NULL, &c, err, sizeof(err)),
		BTT_ECORRUPT);
	assert_non_null(strstr(err, "head block"));
	set_head(h.height, h.state_root);
	ex_open(&fx);
}

struct hist {
	size_t n;
	uint64_t heights[16];
};

static int on_hist(void *arg, uint64_t height, uint32_t index,
		   const uint8_t txid[32])
{
	struct hist *h = arg;

	(void)index;
	(void)txid;
	h->heights[h->n++] = height;
	return h->n == 16;
}

static void test_chain_history(void **state)
{
	struct btt_ledger_store *s;
	uint8_t to[20] = {0x50, 1};
	struct hist h = {0};

	(void)state;
	some_blocks(3, 2);
	s = btt_ledger_chain_store(fx.c);
	assert_int_equal(
		btt_ledger_blockstore_history(s, to, 0, 16, on_hist, &h), 0);
	assert_int_equal(h.n, 3);
	assert_int_equal(h.heights[0], 1);
	assert_int_equal(h.heights[2], 3);
	memset(&h, 0, sizeof(h));
	assert_int_equal(
		btt_ledger_blockstore_history(s, to, 2, 16, on_hist, &h), 0);
	assert_int_equal(h.n, 2);
	memset(&h, 0, sizeof(h));
	assert_int_equal(
		btt_ledger_blockstore_history(s, to, 0, 1, on_hist, &h), 0);
	assert_int_equal(h.n, 1);
	memset(&h, 0, sizeof(h));
	assert_int_equal(btt_ledger_blockstore_history(
				 s, ex_bucket(&fx, "public_sale")->addr, 0, 16,
				 on_hist, &h),
			 0);
	assert_int_equal(h.n, 6);
}

/* A second chain on the same genesis that follows fx's blocks. */
struct follower {
	char *dir;
	struct btt_ledger_chain *c;
};

static void follower_open(struct follower *f)
{
	char err[256];
	struct btt_ledger_chain_opts o = {0};

	o.supply_check = BTT_LEDGER_SUPPLY_ON;
	f->dir = ex_tmp_dir();
	if (btt_ledger_chain_open(f->dir, fx.g, &o, &f->c, err, sizeof(err)))
		fail_msg("%s", err);
}

static void follower_close(struct follower *f)
{
	btt_ledger_chain_free(f->c);
	ex_tree_remove(f->dir);
	free(f->dir);
}

/* Applies an altered copy of b: refused with `code`, head unchanged. */
static void refuse(struct follower *f, const struct btt_ledger_block *b,
		   int code)
{
	struct btt_ledger_head before, after;

	btt_ledger_chain_head(f->c, &before);
	assert_int_equal(btt_ledger_exec_apply(f->c, b, NULL), code);
	btt_ledger_chain_head(f->c, &after);
	assert_memory_equal(&before, &after, sizeof(before));
}

static void test_chain_follower(void **state)
{
	struct btt_ledger_store *s;
	struct btt_ledger_block b, alt;
	struct btt_ledger_head ha, hb;
	struct follower f;
	size_t bad = 99;

	(void)state;
	some_blocks(3, 3);
	follower_open(&f);
	s = btt_ledger_chain_store(fx.c);
	assert_int_equal(btt_ledger_blockstore_block_by_height(s, 1, &b), 0);
	/* altered copies of block 1 */
	assert_int_equal(btt_ledger_block_dup(&b, &alt), 0);
	alt.sig[3] ^= 1;
	refuse(&f, &alt, BTT_ESIGNATURE);
	alt.header.state_root[0] ^= 1;
	assert_int_equal(btt_ledger_block_sign(&alt, fx.val_key), 0);
	refuse(&f, &alt, BTT_EHASH);
	alt.header.state_root[0] ^= 1;
	alt.header.parent_hash[0] ^= 1;
	assert_int_equal(btt_ledger_block_sign(&alt, fx.val_key), 0);
	refuse(&f, &alt, BTT_EBLOCK);
	alt.header.parent_hash[0] ^= 1;
	alt.header.time_ms = 0;
	assert_int_equal(btt_ledger_block_sign(&alt, fx.val_key), 0);
	refuse(&f, &alt, BTT_EBLOCK);
	btt_ledger_block_release(&alt);
	/* a tx swapped for one with a used nonce: the tx is the reason */
	assert_int_equal(btt_ledger_block_dup(&b, &alt), 0);
	alt.txs[2] = alt.txs[1];
	assert_int_equal(btt_ledger_block_tx_root(&alt, alt.header.tx_root), 0);
	assert_int_equal(btt_ledger_block_sign(&alt, fx.val_key), 0);
	assert_int_equal(btt_ledger_exec_apply(f.c, &alt, &bad),
			 BTT_ENONCEUSED);
	assert_int_equal(bad, 2);
	btt_ledger_block_release(&alt);
	/* the real blocks, in order */
	for (uint64_t h = 1; h <= 3; h++) {
		if (h > 1)
			assert_int_equal(
				btt_ledger_blockstore_block_by_height(s, h, &b),
				0);
		assert_int_equal(btt_ledger_exec_apply(f.c, &b, NULL), 0);
		refuse(&f, &b, BTT_EBLOCK); /* not twice */
		btt_ledger_block_release(&b);
	}
	btt_ledger_chain_head(fx.c, &ha);
	btt_ledger_chain_head(f.c, &hb);
	assert_memory_equal(&ha, &hb, sizeof(ha));
	follower_close(&f);
}

static void test_chain_pending(void **state)
{
	struct btt_ledger_pending *p, *q;
	struct btt_ledger_head before, after;
	const struct btt_ledger_block *b;
	uint8_t sig[65], other[32];

	(void)state;
	btt_ledger_chain_head(fx.c, &before);
	assert_int_equal(btt_ledger_exec_build(fx.c, NULL, 0, before.time_ms,
					       fx.val_addr, NULL, &p),
			 BTT_EBLOCK);
	assert_int_equal(btt_ledger_exec_build(fx.c, NULL, 0,
					       before.time_ms + 1, fx.val_addr,
					       NULL, &p),
			 0);
	b = btt_ledger_pending_block(p);
	assert_int_equal(b->header.height, 1);
	assert_int_equal(btt_ledger_exec_build(fx.c, NULL, 0,
					       before.time_ms + 1, fx.val_addr,
					       NULL, &q),
			 BTT_ESTATE);
	btt_ledger_pending_abort(p);
	btt_ledger_chain_head(fx.c, &after);
	assert_memory_equal(&before, &after, sizeof(before));
	/* signed by a key that is not the proposer's */
	assert_int_equal(btt_ledger_exec_build(fx.c, NULL, 0,
					       before.time_ms + 1, fx.val_addr,
					       NULL, &p),
			 0);
	ex_key("impostor", other);
	{
		uint8_t hash[32];
		btt_ledger_block_hash(btt_ledger_pending_block(p), hash);
		assert_int_equal(btt_secp_sign(other, hash, sig), 0);
	}
	assert_int_equal(btt_ledger_pending_commit(p, sig, NULL),
			 BTT_ESIGNATURE);
	btt_ledger_chain_head(fx.c, &after);
	assert_memory_equal(&before, &after, sizeof(before));
	assert_int_equal(btt_ledger_exec_build(fx.c, NULL, 0,
					       before.time_ms + 1, fx.val_addr,
					       NULL, &p),
			 0);
	{
		uint8_t hash[32];
		btt_ledger_block_hash(btt_ledger_pending_block(p), hash);
		assert_int_equal(btt_secp_sign(fx.val_key, hash, sig), 0);
	}
	assert_int_equal(btt_ledger_pending_commit(p, sig, NULL), 0);
	btt_ledger_chain_head(fx.c, &after);
	assert_int_equal(after.height, 1);
}

/* The child of the crash test: applies blocks of random transfers until
 * it is killed (or, bounded, after `limit` blocks). Never returns. */
static void crash_child(uint64_t seed, int limit)
{
	struct btt_ledger_chain_opts o = {0};
	const uint8_t *k = ex_bucket_key(&fx, "public_sale");
	const uint8_t *from = ex_bucket(&fx, "public_sale")->addr;
	struct btt_ledger_txref refs[8];
	struct btt_ledger_account_info ai;
	struct btt_ledger_chain *c;
	static struct ex_tx txs[8];
	struct btt_ledger_head h;

	o.supply_check = BTT_LEDGER_SUPPLY_OFF;
	if (btt_ledger_chain_open(fx.dir, fx.g, &o, &c, NULL, 0))
		_exit(3);
	for (int b = 0; b < limit; b++) {
		size_t n = 1 + ex_rng(&seed) % 8;

		if (btt_ledger_chain_account(c, from, &ai))
			_exit(4);
		for (size_t i = 0; i < n; i++) {
			uint8_t to[20];
			for (int j = 0; j < 20; j++)
				to[j] = (uint8_t)ex_rng(&seed);
			ex_transfer(&txs[i], &fx, k, ai.nonce + i, to,
				    ex_rng(&seed) % BTT_COIN);
			refs[i].p = txs[i].b;
			refs[i].len = txs[i].len;
		}
		btt_ledger_chain_head(c, &h);
		if (btt_ledger_exec_propose(c, refs, n, h.time_ms + 1000,
					    fx.val_key, NULL, NULL))
			_exit(5);
	}
	btt_ledger_chain_free(c);
	_exit(0);
}

/* Replays the blocks 1..head of fx's store into a fresh directory and
 * checks the root at the head. */
static void replay_check(const struct btt_ledger_head *head)
{
	struct btt_ledger_store *s = btt_ledger_chain_store(fx.c);
	struct btt_ledger_head h;
	struct btt_ledger_block b;
	struct follower f;

	follower_open(&f);
	for (uint64_t i = 1; i <= head->height; i++) {
		assert_int_equal(
			btt_ledger_blockstore_block_by_height(s, i, &b), 0);
		assert_int_equal(btt_ledger_exec_apply(f.c, &b, NULL), 0);
		btt_ledger_block_release(&b);
	}
	btt_ledger_chain_head(f.c, &h);
	assert_memory_equal(h.state_root, head->state_root, 32);
	assert_memory_equal(h.hash, head->hash, 32);
	follower_close(&f);
}

static void test_chain_kill9_recovery(void **state)
{
	uint64_t seed = 0x6b696c6c39ull;
	uint64_t last = 0;

	(void)state;
	/* start from an empty directory: the first kill may hit the genesis */
	btt_ledger_chain_free(fx.c);
	fx.c = NULL;
	ex_tree_remove(fx.dir);
	assert_int_equal(mkdir(fx.dir, 0700), 0);
	for (int round = 0; round < 5; round++) {
		struct timespec ts = {0, 0};
		struct btt_ledger_head h;
		int status;
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0)
			crash_child(seed + (uint64_t)round, 100000);
		/* anywhere from during the genesis to a few hundred blocks */
		ts.tv_nsec = (long)(ex_rng(&seed) % 400) * 1000000L;
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status) ||
			    (WIFEXITED(status) && WEXITSTATUS(status) == 0));
		ex_open(&fx); /* refuses a torn store */
		btt_ledger_chain_head(fx.c, &h);
		print_message("kill -9 round %d: head at height %llu\n", round,
			      (unsigned long long)h.height);
		assert_true(h.height >= last);
		last = h.height;
		assert_int_equal(btt_ledger_chain_check_supply(fx.c), 0);
		replay_check(&h);
		btt_ledger_chain_free(fx.c);
		fx.c = NULL;
	}
	ex_open(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_chain_reopen, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_chain_other_genesis, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_chain_torn_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_chain_history, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_chain_follower, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_chain_pending, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_chain_kill9_recovery,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
