/* The executor's core rules: the genesis as block 0 exact to the base
 * unit, transfers and the fee split exact to the base unit, and every
 * way a transaction is invalid (left out of the block, no state change)
 * or fails (included, fee charged, operation undone), with its specific
 * error code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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

static btt_u128 fee_of(size_t len)
{
	return BTT_TX_FEE_BASE + BTT_TX_FEE_PER_BYTE * (btt_u128)len;
}

static void head_root(uint8_t out[32])
{
	struct btt_ledger_head h;
	btt_ledger_chain_head(fx.c, &h);
	memcpy(out, h.state_root, 32);
}

static void test_exec_genesis_totals(void **state)
{
	struct btt_ledger_account_info a;
	struct btt_ledger_head h;
	uint8_t pool[20];
	btt_u128 sum = 0;

	(void)state;
	btt_ledger_chain_head(fx.c, &h);
	assert_int_equal(h.height, 0);
	for (size_t i = 0; i < fx.g->n_buckets; i++) {
		const struct btt_genesis_bucket *b = &fx.g->buckets[i];

		assert_int_equal(btt_ledger_chain_account(fx.c, b->addr, &a),
				 0);
		assert_true(a.balance == btt_ledger_genesis_balance(fx.g, i));
		sum += a.balance;
		if (b->kind == BTT_GENESIS_MULTISIG)
			assert_true(a.flags & BTT_ACCT_MULTISIG);
		if (b->kind == BTT_GENESIS_MODULE)
			assert_true(a.flags & BTT_ACCT_MODULE);
		assert_int_equal(a.vesting, b->has_vesting);
	}
	/* ecosystem funds the validator's self-bond */
	assert_true(btt_ledger_genesis_balance(fx.g,
					       (size_t)btt_ledger_genesis_find(
						       fx.g, "ecosystem")) ==
		    (btt_u128)197010000000ull * BTT_COIN -
			    BTT_GENESIS_DEFAULT_VALIDATOR_STAKE);
	assert_int_equal(btt_ledger_chain_account(fx.c, fx.val_addr, &a), 0);
	assert_true(a.bonded == BTT_GENESIS_DEFAULT_VALIDATOR_STAKE);
	assert_true(a.balance == 0);
	assert_true(sum + a.bonded == BTT_GENESIS_SUPPLY);
	assert_true(btt_ledger_chain_supply(fx.c) == BTT_GENESIS_SUPPLY);
	btt_ledger_chain_pool_address(pool);
	assert_int_equal(btt_ledger_chain_account(fx.c, pool, &a), 0);
	assert_true(a.balance == 0 && a.flags == BTT_ACCT_MODULE);
	assert_int_equal(btt_ledger_chain_check_supply(fx.c), 0);
}

static void test_exec_transfer_fee_exact(void **state)
{
	const uint8_t *k = ex_bucket_key(&fx, "public_sale");
	const uint8_t *from = ex_bucket(&fx, "public_sale")->addr;
	struct btt_ledger_txloc loc;
	uint8_t to[20], tokey[32], pool[20], txid[32];
	btt_u128 before = ex_balance(&fx, from), fee, share;
	struct ex_tx tx;
	bool in;

	(void)state;
	ex_key("recipient", tokey);
	ex_addr(tokey, to);
	btt_ledger_chain_pool_address(pool);
	ex_transfer(&tx, &fx, k, 0, to, 3 * BTT_COIN + 7);
	assert_int_equal(tx.len, 168);
	fee = fee_of(tx.len);
	assert_true(fee == (btt_u128)1168000000000000ull);
	assert_int_equal(ex_one(&fx, &tx, &in), 0);
	assert_true(in);
	assert_true(ex_balance(&fx, from) == before - 3 * BTT_COIN - 7 - fee);
	assert_true(ex_balance(&fx, to) == 3 * BTT_COIN + 7);
	share = fee * BTT_EXEC_FEE_PROPOSER_BPS / 10000;
	assert_true(ex_balance(&fx, fx.val_addr) == share);
	assert_true(ex_balance(&fx, pool) == fee - share);
	assert_int_equal(ex_nonce(&fx, from), 1);
	btt_keccak256(tx.b, tx.len, txid);
	assert_int_equal(btt_ledger_blockstore_tx(btt_ledger_chain_store(fx.c),
						  txid, &loc, NULL),
			 0);
	assert_int_equal(loc.height, 1);
	assert_int_equal(loc.index, 0);
	assert_int_equal(loc.receipt.status, 0);
	assert_true(loc.receipt.fee == fee);
	assert_int_equal(btt_ledger_chain_check_supply(fx.c), 0);
}

/* A left-out transaction: the block holds nothing, the state is as
 * before. */
static void assert_left_out(const struct ex_tx *tx, int code)
{
	uint8_t before[32], after[32];
	bool in = true;

	head_root(before);
	assert_int_equal(ex_one(&fx, tx, &in), code);
	assert_false(in);
	head_root(after);
	assert_memory_equal(before, after, 32);
}

static void test_exec_nonce_reused_and_skipped(void **state)
{
	const uint8_t *k = ex_bucket_key(&fx, "partnerships");
	const uint8_t *from = ex_bucket(&fx, "partnerships")->addr;
	uint8_t to[20] = {1};
	btt_u128 bal = ex_balance(&fx, from);
	struct ex_tx tx;

	(void)state;
	ex_transfer(&tx, &fx, k, 1, to, 5);
	assert_left_out(&tx, BTT_ENONCEGAP);
	assert_true(ex_balance(&fx, from) == bal);
	ex_transfer(&tx, &fx, k, 0, to, 5);
	assert_int_equal(ex_one(&fx, &tx, NULL), 0);
	assert_left_out(&tx, BTT_ENONCEUSED); /* the same bytes again */
	ex_transfer(&tx, &fx, k, 0, to, 6);
	assert_left_out(&tx, BTT_ENONCEUSED);
	ex_transfer(&tx, &fx, k, 2, to, 6);
	assert_left_out(&tx, BTT_ENONCEGAP);
	assert_int_equal(ex_nonce(&fx, from), 1);
}

static void test_exec_wrong_chain_id(void **state)
{
	const uint8_t *k = ex_bucket_key(&fx, "partnerships");
	uint8_t p[BTT_TX_TRANSFER_LEN], to[20] = {2};
	struct ex_tx tx;

	(void)state;
	ex_transfer_payload(to, 1, p);
	ex_sign(&tx, k, fx.g->chain_id + 1, BTT_TX_TRANSFER, 0, p, sizeof(p), 0,
		TX_MAX_FEE);
	assert_left_out(&tx, BTT_ECHAINID);
}

static void test_exec_expiry(void **state)
{
	const uint8_t *k = ex_bucket_key(&fx, "partnerships");
	uint8_t p[BTT_TX_TRANSFER_LEN], to[20] = {3};
	struct ex_tx tx;

	(void)state;
	ex_advance(&fx, 4);
	ex_transfer_payload(to, 1, p);
	/* the next block is height 5 */
	ex_sign(&tx, k, fx.g->chain_id, BTT_TX_TRANSFER, 0, p, sizeof(p), 4,
		TX_MAX_FEE);
	assert_left_out(&tx, BTT_EEXPIRED);
	/* that empty block made it height 5; the next is 6 */
	ex_sign(&tx, k, fx.g->chain_id, BTT_TX_TRANSFER, 0, p, sizeof(p), 6,
		TX_MAX_FEE);
	assert_int_equal(ex_one(&fx, &tx, NULL), 0);
	ex_sign(&tx, k, fx.g->chain_id, BTT_TX_TRANSFER, 1, p, sizeof(p), 8,
		TX_MAX_FEE);
	assert_int_equal(ex_one(&fx, &tx, NULL), 0); /* height 7 <= 8 */
}

/* s -> n - s and v -> v ^ 1: the twin that recovers the same key. */
static void make_high_s(uint8_t sig[65])
{
	static const uint8_t n[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				      0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf,
				      0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c,
				      0xd0, 0x36, 0x41, 0x41};
	int borrow = 0;

	for (int i = 31; i >= 0; i--) {
		int d = n[i] - sig[32 + i] - borrow;
		borrow = d < 0;
		sig[32 + i] = (uint8_t)(d + (borrow ? 256 : 0));
	}
	sig[64] ^= 1;
}

static void test_exec_bad_signatures(void **state)
{
	const uint8_t *k = ex_bucket_key(&fx, "partnerships");
	uint8_t to[20] = {4}, other[32];
	struct ex_tx tx;

	(void)state;
	ex_transfer(&tx, &fx, k, 0, to, 1);
	make_high_s(tx.b + tx.len - 65);
	assert_left_out(&tx, BTT_ESIGNATURE);
	ex_transfer(&tx, &fx, k, 0, to, 1);
	tx.b[tx.len - 40] ^= 1; /* a bit of s */
	assert_left_out(&tx, BTT_ESIGNATURE);
	/* signed by another key than `from` */
	ex_transfer(&tx, &fx, k, 0, to, 1);
	ex_key("someone", other);
	ex_addr(other, tx.b + 11);
	assert_left_out(&tx, BTT_ESIGNATURE);
	ex_transfer(&tx, &fx, k, 0, to, 1);
	tx.b[tx.len - 1] = 2; /* v out of range */
	assert_left_out(&tx, BTT_ESIGNATURE);
}

/* Funds a fresh key with `amount` from public_sale (nonce `n`). */
static void fund(const uint8_t to[20], btt_u128 amount, uint64_t n)
{
	struct ex_tx tx;

	ex_transfer(&tx, &fx, ex_bucket_key(&fx, "public_sale"), n, to, amount);
	assert_int_equal(ex_one(&fx, &tx, NULL), 0);
}

static void test_exec_insufficient_funds(void **state)
{
	uint8_t k[32], a[20], to[20] = {5}, before[32], after[32];
	struct ex_tx tx;
	btt_u128 fee;
	bool in;

	(void)state;
	ex_key("poor", k);
	ex_addr(k, a);
	ex_transfer(&tx, &fx, k, 0, to, 1);
	fee = fee_of(tx.len);
	fund(a, fee + 10, 0);
	/* enough for the fee, not for 11 more: included, failed */
	ex_transfer(&tx, &fx, k, 0, to, 11);
	assert_int_equal(ex_one(&fx, &tx, &in), BTT_EFUNDS);
	assert_true(in);
	assert_true(ex_balance(&fx, a) == 10);
	assert_true(ex_balance(&fx, to) == 0);
	assert_int_equal(ex_nonce(&fx, a), 1);
	/* cannot even pay the fee: left out */
	ex_transfer(&tx, &fx, k, 1, to, 1);
	head_root(before);
	assert_int_equal(ex_one(&fx, &tx, &in), BTT_EFUNDS);
	assert_false(in);
	head_root(after);
	assert_memory_equal(before, after, 32);
	assert_int_equal(btt_ledger_chain_check_supply(fx.c), 0);
}

static void test_exec_fee_above_max(void **state)
{
	const uint8_t *k = ex_bucket_key(&fx, "partnerships");
	uint8_t p[BTT_TX_TRANSFER_LEN], to[20] = {6};
	struct ex_tx tx;
	btt_u128 fee = fee_of(168);

	(void)state;
	ex_transfer_payload(to, 1, p);
	ex_sign(&tx, k, fx.g->chain_id, BTT_TX_TRANSFER, 0, p, sizeof(p), 0,
		fee - 1);
	assert_left_out(&tx, BTT_EFEE);
	ex_sign(&tx, k, fx.g->chain_id, BTT_TX_TRANSFER, 0, p, sizeof(p), 0,
		fee);
	assert_int_equal(ex_one(&fx, &tx, NULL), 0);
}

static void test_exec_overflow(void **state)
{
	const uint8_t *k = ex_bucket_key(&fx, "partnerships");
	const uint8_t *from = ex_bucket(&fx, "partnerships")->addr;
	struct btt_tx_transfer items[2];
	uint8_t p[2 + 2 * BTT_TX_TRANSFER_LEN];
	struct btt_wbuf w;
	struct ex_tx tx;
	btt_u128 bal = ex_balance(&fx, from);
	bool in;

	(void)state;
	memset(items, 0, sizeof(items));
	items[0].to[0] = 7;
	items[1].to[0] = 8;
	items[0].amount = BTT_U128_MAX;
	items[1].amount = 1;
	btt_wbuf_init_fixed(&w, p, sizeof(p));
	assert_int_equal(btt_ledger_multi_encode(items, 2, &w), 0);
	ex_sign(&tx, k, fx.g->chain_id, BTT_TX_MULTI_TRANSFER, 0, p, w.len, 0,
		TX_MAX_FEE);
	assert_int_equal(ex_one(&fx, &tx, &in), BTT_EOVERFLOW);
	assert_true(in);
	assert_true(ex_balance(&fx, from) == bal - fee_of(tx.len));
	assert_true(ex_balance(&fx, items[0].to) == 0);
	/* a sum that fits but exceeds the balance */
	items[0].amount = bal;
	btt_wbuf_init_fixed(&w, p, sizeof(p));
	assert_int_equal(btt_ledger_multi_encode(items, 2, &w), 0);
	ex_sign(&tx, k, fx.g->chain_id, BTT_TX_MULTI_TRANSFER, 1, p, w.len, 0,
		TX_MAX_FEE);
	assert_int_equal(ex_one(&fx, &tx, &in), BTT_EFUNDS);
	assert_true(ex_balance(&fx, items[1].to) == 0);
}

static void test_exec_bad_payload_and_type(void **state)
{
	const uint8_t *k = ex_bucket_key(&fx, "partnerships");
	uint8_t p[BTT_TX_TRANSFER_LEN + 1] = {0};
	struct ex_tx tx;

	(void)state;
	ex_sign(&tx, k, fx.g->chain_id, BTT_TX_TRANSFER, 0, p, sizeof(p), 0,
		TX_MAX_FEE);
	assert_left_out(&tx, BTT_ETRAILING);
	ex_sign(&tx, k, fx.g->chain_id, 0x0999, 0, p, 4, 0, TX_MAX_FEE);
	assert_left_out(&tx, BTT_EUNSUPPORTED);
	tx.len = 10;
	assert_left_out(&tx, BTT_ETRUNCATED);
}

static void test_exec_check_tx(void **state)
{
	const uint8_t *k = ex_bucket_key(&fx, "partnerships");
	uint8_t to[20] = {9}, p[BTT_TX_TRANSFER_LEN];
	struct btt_ledger_tx_check ck;
	struct ex_tx tx;

	(void)state;
	ex_transfer(&tx, &fx, k, 3, to, 1);
	assert_int_equal(btt_ledger_exec_check_tx(fx.c, tx.b, tx.len, &ck), 0);
	assert_int_equal(ck.nonce, 3);
	assert_int_equal(ck.account_nonce, 0);
	assert_true(ck.fee == fee_of(tx.len));
	/* the same bytes again: answered from the signature cache */
	assert_int_equal(btt_ledger_exec_check_tx(fx.c, tx.b, tx.len, &ck), 0);
	ex_transfer_payload(to, 1, p);
	ex_sign(&tx, k, 77, BTT_TX_TRANSFER, 0, p, sizeof(p), 0, TX_MAX_FEE);
	assert_int_equal(btt_ledger_exec_check_tx(fx.c, tx.b, tx.len, NULL),
			 BTT_ECHAINID);
	ex_transfer(&tx, &fx, k, 0, to, 1);
	make_high_s(tx.b + tx.len - 65);
	assert_int_equal(btt_ledger_exec_check_tx(fx.c, tx.b, tx.len, NULL),
			 BTT_ESIGNATURE);
	ex_sign(&tx, k, fx.g->chain_id, BTT_TX_TRANSFER, 0, p, sizeof(p), 0, 1);
	assert_int_equal(btt_ledger_exec_check_tx(fx.c, tx.b, tx.len, NULL),
			 BTT_EFEE);
	ex_sign(&tx, k, fx.g->chain_id, BTT_TX_TRANSFER, 0, p, sizeof(p), 0,
		TX_MAX_FEE);
	assert_int_equal(btt_ledger_exec_check_tx(fx.c, tx.b, tx.len + 1, NULL),
			 BTT_ETRAILING);
	assert_int_equal(ex_one(&fx, &tx, NULL), 0);
	assert_int_equal(btt_ledger_exec_check_tx(fx.c, tx.b, tx.len, NULL),
			 BTT_ENONCEUSED);
}

/* Several transactions from one sender in one block, in nonce order. */
static void test_exec_block_sequence(void **state)
{
	const uint8_t *k = ex_bucket_key(&fx, "partnerships");
	const uint8_t *from = ex_bucket(&fx, "partnerships")->addr;
	struct btt_ledger_tx_outcome o[4];
	struct ex_tx txs[4];
	uint8_t to[20] = {10};

	(void)state;
	ex_transfer(&txs[0], &fx, k, 0, to, 1);
	ex_transfer(&txs[1], &fx, k, 2, to, 1); /* gap at this point */
	ex_transfer(&txs[2], &fx, k, 1, to, 1);
	ex_transfer(&txs[3], &fx, k, 1, to, 2); /* used by then */
	assert_int_equal(ex_block(&fx, txs, 4, o), 0);
	assert_true(o[0].included && o[0].status == 0);
	assert_true(!o[1].included && o[1].status == BTT_ENONCEGAP);
	assert_true(o[2].included && o[2].status == 0);
	assert_true(!o[3].included && o[3].status == BTT_ENONCEUSED);
	assert_int_equal(ex_nonce(&fx, from), 2);
	assert_true(ex_balance(&fx, to) == 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exec_genesis_totals, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exec_transfer_fee_exact,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_exec_nonce_reused_and_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_wrong_chain_id, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exec_expiry, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exec_bad_signatures, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exec_insufficient_funds,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_fee_above_max, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exec_overflow, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exec_bad_payload_and_type,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_check_tx, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exec_block_sequence, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
