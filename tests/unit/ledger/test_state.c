/* Ledger state: the account encoding; reads through the overlay; checked
 * credit, debit and transfer; undo to a mark; module record limits; the
 * height rule; the supply sum; a root that depends only on the set of
 * changes, equal to the reference root over keccak256(ns || key); proofs
 * of accounts and records; and state surviving a reopen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "btt/err.h"
#include "core/limits.h"
#include "ledger/state.h"
#include "test_store_util.h"

struct fix {
	char *dir;
	struct btt_ledger_store *s;
	struct btt_ledger_state *st;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->dir = tmp_dir();
	f->s = store_open_ok(f->dir, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	btt_ledger_state_abort(f->st);
	btt_ledger_store_free(f->s);
	tree_remove(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static void addr_of(unsigned i, uint8_t out[BTT_ADDR_LEN])
{
	memset(out, 0, BTT_ADDR_LEN);
	out[0] = 0xa0;
	out[18] = (uint8_t)(i >> 8);
	out[19] = (uint8_t)i;
}

static void open_w(struct fix *f)
{
	assert_int_equal(btt_ledger_state_open(f->s, true, &f->st), 0);
}

static struct btt_ledger_account acct_get(struct fix *f, unsigned i)
{
	uint8_t a[BTT_ADDR_LEN];
	struct btt_ledger_account out;
	addr_of(i, a);
	assert_int_equal(btt_ledger_state_account_get(f->st, a, &out), 0);
	return out;
}

static void set_balance(struct fix *f, unsigned i, btt_u128 bal)
{
	uint8_t a[BTT_ADDR_LEN];
	struct btt_ledger_account acct = {.balance = bal};
	addr_of(i, a);
	assert_int_equal(btt_ledger_state_account_put(f->st, a, &acct), 0);
}

/* Finishes at height and commits; returns the root. */
static void finish_commit(struct fix *f, uint64_t height, uint8_t root[32])
{
	assert_int_equal(btt_ledger_state_finish(f->st, height, root, NULL), 0);
	assert_int_equal(btt_ledger_state_commit(f->st), 0);
	f->st = NULL;
}

static void test_state_account_encoding(void **state)
{
	struct btt_ledger_account a = {.balance = BTT_U128_MAX,
				       .nonce = 0x0102030405060708ull,
				       .flags = BTT_ACCT_MODULE},
				  b;
	uint8_t enc[BTT_ACCT_ENC_LEN + 1] = {0};
	(void)state;

	btt_ledger_account_encode(&a, enc);
	for (int i = 0; i < 16; i++)
		assert_int_equal(enc[i], 0xff);
	assert_int_equal(enc[16], 1);
	assert_int_equal(enc[23], 8);
	assert_int_equal(enc[27], 1);
	assert_int_equal(btt_ledger_account_decode(enc, 28, &b), 0);
	assert_true(b.balance == a.balance && b.nonce == a.nonce &&
		    b.flags == a.flags);
	assert_int_equal(btt_ledger_account_decode(enc, 27, &b),
			 BTT_ETRUNCATED);
	assert_int_equal(btt_ledger_account_decode(enc, 29, &b), BTT_ETRAILING);
	memset(enc, 0, sizeof(enc));
	assert_int_equal(btt_ledger_account_decode(enc, 28, &b),
			 BTT_ENONCANONICAL);
	enc[27] = 4; /* an unnamed flag is data, not an error */
	assert_int_equal(btt_ledger_account_decode(enc, 28, &b), 0);
}

static void test_state_overlay_reads_own_writes(void **state)
{
	struct fix *f = *state;
	struct btt_ledger_account a;
	uint8_t root[32];

	open_w(f);
	a = acct_get(f, 1);
	assert_true(a.balance == 0 && a.nonce == 0 && a.flags == 0);
	set_balance(f, 1, 500);
	assert_true(acct_get(f, 1).balance == 500);
	set_balance(f, 1, 700);
	assert_true(acct_get(f, 1).balance == 700);
	set_balance(f, 2, 9);
	set_balance(f, 2, 0); /* zero: not stored */
	assert_int_equal(btt_ledger_state_changes(f->st), 2);
	finish_commit(f, 1, root);
	assert_int_equal(db_count(f->s, BTT_LEDGER_DB_ACCT), 1);
	open_w(f);
	assert_true(acct_get(f, 1).balance == 700);
	assert_true(acct_get(f, 2).balance == 0);
}

static void test_state_transfer_checks(void **state)
{
	struct fix *f = *state;
	uint8_t a1[20], a2[20], a3[20];

	addr_of(1, a1);
	addr_of(2, a2);
	addr_of(3, a3);
	open_w(f);
	set_balance(f, 1, 100);
	set_balance(f, 2, BTT_U128_MAX - 10);
	assert_int_equal(btt_ledger_state_transfer(f->st, a1, a3, 40), 0);
	assert_true(acct_get(f, 1).balance == 60);
	assert_true(acct_get(f, 3).balance == 40);
	/* insufficient: neither side changes */
	assert_int_equal(btt_ledger_state_transfer(f->st, a1, a3, 61),
			 BTT_EFUNDS);
	assert_true(acct_get(f, 1).balance == 60);
	assert_true(acct_get(f, 3).balance == 40);
	/* the whole balance */
	assert_int_equal(btt_ledger_state_transfer(f->st, a1, a3, 60), 0);
	assert_true(acct_get(f, 1).balance == 0);
	/* overflow at the recipient: neither side changes */
	assert_int_equal(btt_ledger_state_transfer(f->st, a3, a2, 11),
			 BTT_EOVERFLOW);
	assert_true(acct_get(f, 3).balance == 100);
	assert_true(acct_get(f, 2).balance == BTT_U128_MAX - 10);
	assert_int_equal(btt_ledger_state_transfer(f->st, a3, a2, 10), 0);
	assert_true(acct_get(f, 2).balance == BTT_U128_MAX);
	/* to oneself: only the balance check */
	assert_int_equal(btt_ledger_state_transfer(f->st, a3, a3, 90), 0);
	assert_int_equal(btt_ledger_state_transfer(f->st, a3, a3, 91),
			 BTT_EFUNDS);
	assert_true(acct_get(f, 3).balance == 90);
	/* credit and debit */
	assert_int_equal(btt_ledger_state_credit(f->st, a2, 1), BTT_EOVERFLOW);
	assert_int_equal(btt_ledger_state_debit(f->st, a3, 91), BTT_EFUNDS);
	assert_int_equal(btt_ledger_state_debit(f->st, a3, 90), 0);
	assert_int_equal(btt_ledger_state_credit(f->st, a1, 5), 0);
	assert_true(acct_get(f, 1).balance == 5);
	assert_true(acct_get(f, 3).balance == 0);
}

static void test_state_revert_to_mark(void **state)
{
	struct fix *f = *state;
	uint8_t a1[20], a2[20], root[32];
	struct btt_cur c;
	size_t m1, m2;

	addr_of(1, a1);
	addr_of(2, a2);
	open_w(f);
	set_balance(f, 1, 100);
	m1 = btt_ledger_state_mark(f->st);
	assert_int_equal(btt_ledger_state_transfer(f->st, a1, a2, 30), 0);
	assert_int_equal(btt_ledger_state_rec_put(f->st, 7, "k", 1, "v", 1), 0);
	m2 = btt_ledger_state_mark(f->st);
	assert_int_equal(btt_ledger_state_transfer(f->st, a2, a1, 10), 0);
	assert_int_equal(btt_ledger_state_rec_del(f->st, 7, "k", 1), 0);
	assert_int_equal(btt_ledger_state_revert(f->st, m2), 0);
	assert_true(acct_get(f, 1).balance == 70);
	assert_true(acct_get(f, 2).balance == 30);
	assert_int_equal(btt_ledger_state_rec_get(f->st, 7, "k", 1, &c), 0);
	assert_int_equal(btt_ledger_state_revert(f->st, m1), 0);
	assert_true(acct_get(f, 1).balance == 100);
	assert_true(acct_get(f, 2).balance == 0);
	assert_int_equal(btt_ledger_state_rec_get(f->st, 7, "k", 1, &c),
			 BTT_ENOTFOUND);
	assert_int_equal(btt_ledger_state_changes(f->st), 1);
	assert_int_equal(btt_ledger_state_revert(f->st, m2), BTT_EINVALID);
	finish_commit(f, 1, root);
	assert_int_equal(db_count(f->s, BTT_LEDGER_DB_ACCT), 1);
	assert_int_equal(db_count(f->s, BTT_LEDGER_DB_REC), 0);
}

static void test_state_record_limits(void **state)
{
	struct fix *f = *state;
	uint8_t key[BTT_STATE_MAX_KEY + 1], *val, root[32];
	struct btt_cur c;

	memset(key, 'k', sizeof(key));
	val = calloc(1, BTT_STATE_MAX_VALUE + 1);
	assert_non_null(val);
	open_w(f);
	assert_int_equal(btt_ledger_state_rec_put(f->st, 0, key, 1, val, 1),
			 BTT_EINVALID);
	assert_int_equal(btt_ledger_state_rec_put(f->st, 3, key, 0, val, 1),
			 BTT_EINVALID);
	assert_int_equal(btt_ledger_state_rec_put(f->st, 3, key, 1, val, 0),
			 BTT_EINVALID);
	assert_int_equal(btt_ledger_state_rec_put(
				 f->st, 3, key, BTT_STATE_MAX_KEY - 1, val, 1),
			 0);
	assert_int_equal(btt_ledger_state_rec_put(f->st, 3, key,
						  BTT_STATE_MAX_KEY, val, 1),
			 0);
	assert_int_equal(btt_ledger_state_rec_put(
				 f->st, 3, key, BTT_STATE_MAX_KEY + 1, val, 1),
			 BTT_ELIMIT);
	assert_int_equal(btt_ledger_state_rec_get(f->st, 3, key,
						  BTT_STATE_MAX_KEY + 1, &c),
			 BTT_ELIMIT);
	assert_int_equal(btt_ledger_state_rec_put(f->st, 4, "v", 1, val,
						  BTT_STATE_MAX_VALUE - 1),
			 0);
	assert_int_equal(btt_ledger_state_rec_put(f->st, 4, "w", 1, val,
						  BTT_STATE_MAX_VALUE),
			 0);
	assert_int_equal(btt_ledger_state_rec_put(f->st, 4, "x", 1, val,
						  BTT_STATE_MAX_VALUE + 1),
			 BTT_ELIMIT);
	finish_commit(f, 1, root);
	free(val);
	/* read back after commit, from a read-only view */
	assert_int_equal(btt_ledger_state_open(f->s, false, &f->st), 0);
	assert_int_equal(btt_ledger_state_rec_get(f->st, 4, "w", 1, &c), 0);
	assert_int_equal(btt_cur_len(&c), BTT_STATE_MAX_VALUE);
	assert_int_equal(btt_ledger_state_rec_get(f->st, 4, "x", 1, &c),
			 BTT_ENOTFOUND);
	assert_int_equal(btt_ledger_state_rec_put(f->st, 4, "y", 1, "v", 1),
			 BTT_EINVALID);
	assert_int_equal(btt_ledger_state_finish(f->st, 2, root, NULL),
			 BTT_EINVALID);
	assert_int_equal(db_count(f->s, BTT_LEDGER_DB_REC), 4);
}

static void test_state_height_rule(void **state)
{
	struct fix *f = *state;
	uint8_t root[32], base[32];
	uint64_t h;
	bool fresh;

	open_w(f);
	btt_ledger_state_base(f->st, &h, base, &fresh);
	assert_true(fresh);
	set_balance(f, 1, 1);
	finish_commit(f, 5, root); /* genesis may start anywhere */
	open_w(f);
	btt_ledger_state_base(f->st, &h, base, &fresh);
	assert_false(fresh);
	assert_true(h == 5);
	assert_memory_equal(base, root, 32);
	assert_int_equal(btt_ledger_state_finish(f->st, 5, root, NULL),
			 BTT_EINVALID);
	assert_int_equal(btt_ledger_state_finish(f->st, 7, root, NULL),
			 BTT_EINVALID);
	/* commit without finish aborts */
	assert_int_equal(btt_ledger_state_commit(f->st), BTT_EINVALID);
	f->st = NULL;
	open_w(f);
	assert_int_equal(btt_ledger_state_finish(f->st, 6, root, NULL), 0);
	/* nothing more after finish */
	uint8_t a[20];
	struct btt_ledger_account acct = {.balance = 2};
	addr_of(1, a);
	assert_int_equal(btt_ledger_state_account_put(f->st, a, &acct),
			 BTT_EINVALID);
	assert_int_equal(btt_ledger_state_credit(f->st, a, 1), BTT_EINVALID);
	assert_int_equal(btt_ledger_state_revert(f->st, 0), BTT_EINVALID);
	assert_int_equal(btt_ledger_state_finish(f->st, 6, root, NULL),
			 BTT_EINVALID);
}

/* The same set of changes, written in two different orders within a
 * block (and with detours), gives the same root, which is the reference
 * root over the documented keys and encodings. */
static void test_state_root_depends_on_changes_only(void **state)
{
	struct fix *f = *state;
	char *dir2 = tmp_dir();
	struct btt_ledger_store *s2 = store_open_ok(dir2, 0);
	struct ref_kv kv[41];
	uint8_t r1[32], r2[32], want[32], a[20];
	uint64_t nodes;

	open_w(f);
	for (unsigned i = 0; i < 40; i++)
		set_balance(f, i, (btt_u128)(i + 1) * BTT_COIN);
	assert_int_equal(btt_ledger_state_rec_put(f->st, 9, "cfg", 3, "on", 2),
			 0);
	finish_commit(f, 1, r1);

	struct btt_ledger_store *keep = f->s;
	f->s = s2;
	open_w(f);
	assert_int_equal(btt_ledger_state_rec_put(f->st, 9, "cfg", 3, "off", 3),
			 0);
	set_balance(f, 77, 5); /* created, then removed again */
	for (unsigned i = 40; i-- > 0;)
		set_balance(f, i, (btt_u128)(i + 2) * BTT_COIN);
	for (unsigned i = 0; i < 40; i++) {
		addr_of(i, a);
		assert_int_equal(btt_ledger_state_debit(f->st, a, BTT_COIN), 0);
	}
	set_balance(f, 77, 0);
	assert_int_equal(btt_ledger_state_rec_put(f->st, 9, "cfg", 3, "on", 2),
			 0);
	finish_commit(f, 1, r2);
	f->s = keep;
	assert_memory_equal(r1, r2, 32);

	for (unsigned i = 0; i < 40; i++) {
		struct btt_ledger_account acct = {.balance = (btt_u128)(i + 1) *
							     BTT_COIN};
		addr_of(i, a);
		btt_ledger_state_key(BTT_STATE_NS_ACCT, a, 20, kv[i].key);
		btt_ledger_account_encode(&acct, kv[i].val);
		kv[i].vlen = BTT_ACCT_ENC_LEN;
	}
	btt_ledger_state_key(9, "cfg", 3, kv[40].key);
	memcpy(kv[40].val, "on", 2);
	kv[40].vlen = 2;
	ref_root_of(kv, 41, want, &nodes);
	assert_memory_equal(r1, want, 32);
	assert_int_equal(db_count(f->s, BTT_LEDGER_DB_SMT), nodes);
	btt_ledger_store_free(s2);
	tree_remove(dir2);
	free(dir2);
}

static void test_state_supply_sum(void **state)
{
	struct fix *f = *state;
	uint8_t a1[20], a9[20], root[32];
	btt_u128 sum = 0;

	addr_of(1, a1);
	addr_of(9, a9);
	open_w(f);
	assert_int_equal(btt_ledger_state_supply(f->st, &sum), 0);
	assert_true(sum == 0);
	for (unsigned i = 0; i < 10; i++)
		set_balance(f, i, 1000);
	assert_int_equal(btt_ledger_state_supply(f->st, &sum), 0);
	assert_true(sum == 10000);
	finish_commit(f, 1, root);
	open_w(f);
	assert_int_equal(btt_ledger_state_transfer(f->st, a1, a9, 400), 0);
	assert_int_equal(btt_ledger_state_debit(f->st, a1, 600), 0);
	set_balance(f, 20, 600); /* the 600 moved to a new account */
	assert_int_equal(btt_ledger_state_supply(f->st, &sum), 0);
	assert_true(sum == 10000);
	assert_int_equal(btt_ledger_state_credit(f->st, a9, 1), 0);
	assert_int_equal(btt_ledger_state_supply(f->st, &sum), 0);
	assert_true(sum == 10001);
	assert_int_equal(btt_ledger_state_finish(f->st, 2, root, NULL), 0);
	assert_int_equal(btt_ledger_state_supply(f->st, &sum), 0);
	assert_true(sum == 10001);
	assert_int_equal(btt_ledger_state_commit(f->st), 0);
	f->st = NULL;
	/* a sum past 2^128 - 1 is reported, not wrapped */
	open_w(f);
	set_balance(f, 30, BTT_U128_MAX - 10001);
	assert_int_equal(btt_ledger_state_supply(f->st, &sum), 0);
	assert_true(sum == BTT_U128_MAX);
	set_balance(f, 31, 1);
	assert_int_equal(btt_ledger_state_supply(f->st, &sum), BTT_EOVERFLOW);
}

static void test_state_proofs(void **state)
{
	struct fix *f = *state;
	uint8_t a[20], root[32], enc[BTT_ACCT_ENC_LEN], buf[BTT_SMT_MAX_PROOF];
	struct btt_ledger_account acct = {.balance = 77, .nonce = 3};
	struct btt_wbuf w;

	open_w(f);
	for (unsigned i = 0; i < 50; i++)
		set_balance(f, i, 1000 + i);
	addr_of(7, a);
	assert_int_equal(btt_ledger_state_account_put(f->st, a, &acct), 0);
	assert_int_equal(
		btt_ledger_state_rec_put(f->st, 5, "rec", 3, "data", 4), 0);
	finish_commit(f, 1, root);
	assert_int_equal(btt_ledger_state_open(f->s, false, &f->st), 0);

	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	assert_int_equal(btt_ledger_state_prove(f->st, 0, a, 20, &w), 0);
	btt_ledger_account_encode(&acct, enc);
	assert_int_equal(btt_ledger_state_verify(root, 0, a, 20, enc,
						 sizeof(enc), buf, w.len),
			 0);
	acct.balance++;
	btt_ledger_account_encode(&acct, enc);
	assert_int_equal(btt_ledger_state_verify(root, 0, a, 20, enc,
						 sizeof(enc), buf, w.len),
			 BTT_EHASH);
	/* an absent account */
	addr_of(999, a);
	btt_wbuf_reset(&w);
	assert_int_equal(btt_ledger_state_prove(f->st, 0, a, 20, &w), 0);
	assert_int_equal(
		btt_ledger_state_verify(root, 0, a, 20, NULL, 0, buf, w.len),
		0);
	/* a module record */
	btt_wbuf_reset(&w);
	assert_int_equal(btt_ledger_state_prove(f->st, 5, "rec", 3, &w), 0);
	assert_int_equal(btt_ledger_state_verify(root, 5, "rec", 3,
						 (const uint8_t *)"data", 4,
						 buf, w.len),
			 0);
	/* the same key in another namespace is another record */
	assert_int_equal(btt_ledger_state_verify(root, 6, "rec", 3,
						 (const uint8_t *)"data", 4,
						 buf, w.len),
			 BTT_EHASH);
	/* bad keys */
	assert_int_equal(btt_ledger_state_prove(f->st, 0, a, 19, &w),
			 BTT_EINVALID);
	assert_int_equal(
		btt_ledger_state_verify(root, 5, "rec", 0, NULL, 0, buf, w.len),
		BTT_EINVALID);
}

static void test_state_reopen_keeps_root(void **state)
{
	struct fix *f = *state;
	uint8_t a1[20], a2[20], r[32], base[32];
	uint64_t h = 0;

	addr_of(1, a1);
	addr_of(2, a2);
	open_w(f);
	set_balance(f, 1, 1000);
	finish_commit(f, 1, r);
	for (uint64_t blk = 2; blk <= 4; blk++) {
		open_w(f);
		assert_int_equal(btt_ledger_state_transfer(f->st, a1, a2, 10),
				 0);
		/* a block record commits with the state */
		assert_int_equal(btt_ledger_txn_put(btt_ledger_state_txn(f->st),
						    BTT_LEDGER_DB_META, &blk,
						    sizeof(blk), "b", 1),
				 0);
		finish_commit(f, blk, r);
	}
	/* an unfinished block leaves no trace */
	open_w(f);
	assert_int_equal(btt_ledger_state_transfer(f->st, a1, a2, 10), 0);
	btt_ledger_state_abort(f->st);
	f->st = NULL;
	btt_ledger_store_free(f->s);
	f->s = store_open_ok(f->dir, 0);
	assert_int_equal(btt_ledger_state_open(f->s, false, &f->st), 0);
	btt_ledger_state_base(f->st, &h, base, NULL);
	assert_true(h == 4);
	assert_memory_equal(base, r, 32);
	assert_true(acct_get(f, 1).balance == 970);
	assert_true(acct_get(f, 2).balance == 30);
	/* meta: the head and blocks 2..4 */
	assert_int_equal(db_count(f->s, BTT_LEDGER_DB_META), 4);
}

static void test_state_missing_root_is_corrupt(void **state)
{
	struct fix *f = *state;
	struct btt_ledger_txn *t;
	uint8_t root[32], nk[BTT_SMT_NODE_KEY_LEN];

	open_w(f);
	set_balance(f, 1, 1);
	set_balance(f, 2, 1);
	finish_commit(f, 1, root);
	assert_int_equal(btt_ledger_store_begin(f->s, true, &t), 0);
	btt_ledger_smt_node_key(root, 0, root, nk);
	assert_int_equal(
		btt_ledger_txn_del(t, BTT_LEDGER_DB_SMT, nk, sizeof(nk)), 0);
	assert_int_equal(btt_ledger_txn_commit(t), 0);
	assert_int_equal(btt_ledger_state_open(f->s, false, &f->st),
			 BTT_ECORRUPT);
	assert_null(f->st);
	/* a damaged account record */
	assert_int_equal(btt_ledger_store_begin(f->s, true, &t), 0);
	assert_int_equal(btt_ledger_txn_set_head(t, 1, (uint8_t[32]){0}), 0);
	uint8_t a[20];
	addr_of(1, a);
	assert_int_equal(
		btt_ledger_txn_put(t, BTT_LEDGER_DB_ACCT, a, 20, "x", 1), 0);
	assert_int_equal(btt_ledger_txn_commit(t), 0);
	assert_int_equal(btt_ledger_state_open(f->s, false, &f->st), 0);
	struct btt_ledger_account out;
	assert_int_equal(btt_ledger_state_account_get(f->st, a, &out),
			 BTT_ECORRUPT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_state_account_encoding),
		T(test_state_overlay_reads_own_writes),
		T(test_state_transfer_checks),
		T(test_state_revert_to_mark),
		T(test_state_record_limits),
		T(test_state_height_rule),
		T(test_state_root_depends_on_changes_only),
		T(test_state_supply_sum),
		T(test_state_proofs),
		T(test_state_reopen_keeps_root),
		T(test_state_missing_root_is_corrupt),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
