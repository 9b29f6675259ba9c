/* The modules in execution: vesting locks released at the exact heights
 * of the genesis schedules (delayed, continuous, periodic), VESTING_CREATE,
 * multisig releases that fail below the threshold and succeed with
 * enough approvals (and wait for vesting), and the staking skeleton:
 * create_validator, bond (locked coins too), unbond and the release of
 * the unbonding queue after TX_UNBONDING blocks. The supply invariant
 * is checked inside every block (the fixture turns it on). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_exec_util.h"

static struct ex_fx fx;
static uint64_t ps_nonce; /* next nonce of public_sale */

static int setup(void **state)
{
	(void)state;
	ex_setup(&fx);
	ps_nonce = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ex_teardown(&fx);
	return 0;
}

/* The fee of a 168-byte transaction (a transfer, bond or unbond). */
#define FEE168 (BTT_TX_FEE_BASE + BTT_TX_FEE_PER_BYTE * 168)

static btt_u128 fee_of(const struct ex_tx *tx)
{
	return BTT_TX_FEE_BASE + BTT_TX_FEE_PER_BYTE * (btt_u128)tx->len;
}

static uint64_t height(void)
{
	struct btt_ledger_head h;
	btt_ledger_chain_head(fx.c, &h);
	return h.height;
}

/* Sends free coins from public_sale, in a block of its own. */
static void fund(const uint8_t to[20], btt_u128 amount)
{
	struct ex_tx tx;

	ex_transfer(&tx, &fx, ex_bucket_key(&fx, "public_sale"), ps_nonce++, to,
		    amount);
	assert_int_equal(ex_one(&fx, &tx, NULL), 0);
}

/* Signs and runs one transaction of `type` from key in its own block;
 * asserts it was included and returns its status. */
static int run(const uint8_t *key, uint16_t type, const uint8_t *p, size_t n)
{
	uint8_t a[20];
	struct ex_tx tx;
	bool in;
	int st;

	ex_addr(key, a);
	ex_sign(&tx, key, fx.g->chain_id, type, ex_nonce(&fx, a), p, n, 0,
		TX_MAX_FEE);
	st = ex_one(&fx, &tx, &in);
	assert_true(in);
	return st;
}

static int run_transfer(const uint8_t *key, const uint8_t to[20],
			btt_u128 amount)
{
	uint8_t p[BTT_TX_TRANSFER_LEN];

	ex_transfer_payload(to, amount, p);
	return run(key, BTT_TX_TRANSFER, p, sizeof(p));
}

static void test_exec_vesting_periodic_heights(void **state)
{
	const struct btt_genesis_bucket *b = ex_bucket(&fx, "tron_airdrop");
	const uint8_t *k = ex_bucket_key(&fx, "tron_airdrop");
	uint8_t to[20] = {0x21};
	/* 10 % of the bucket at the end of the first quarter (100 blocks) */
	btt_u128 tranche = (btt_u128)9999000000ull * BTT_COIN;

	(void)state;
	assert_true(btt_ledger_vesting_vested(&b->vesting, 99) == 0);
	assert_true(btt_ledger_vesting_vested(&b->vesting, 100) == tranche);
	fund(b->addr, 10 * BTT_COIN); /* free coins for fees */
	ex_advance(&fx, 98);
	/* block 99: only the 10 free coins (minus fees) can move */
	assert_int_equal(run_transfer(k, to, 10 * BTT_COIN), BTT_ELOCKED);
	assert_int_equal(height(), 99);
	/* block 100: the first tranche is free */
	assert_int_equal(run_transfer(k, to, tranche), 0);
	assert_true(ex_balance(&fx, to) == tranche);
	/* and nothing more until block 200 */
	assert_int_equal(run_transfer(k, to, 10 * BTT_COIN), BTT_ELOCKED);
}

static void test_exec_vesting_delayed_heights(void **state)
{
	const struct btt_genesis_bucket *b = ex_bucket(&fx, "private_sale");
	const uint8_t *k = ex_bucket_key(&fx, "private_sale");
	uint8_t to[20] = {0x22};

	(void)state;
	fund(b->addr, BTT_COIN);
	ex_advance(&fx, TX_BLOCKS_PER_YEAR - 2);
	assert_int_equal(run_transfer(k, to, BTT_COIN), BTT_ELOCKED);
	assert_int_equal(height(), TX_BLOCKS_PER_YEAR - 1);
	assert_int_equal(run_transfer(k, to, b->amount), 0);
	assert_true(ex_balance(&fx, to) == b->amount);
}

static void test_exec_vesting_continuous_exact(void **state)
{
	const struct btt_genesis_bucket *b = ex_bucket(&fx, "seed_sale");
	const uint8_t *k = ex_bucket_key(&fx, "seed_sale");
	uint8_t to[20] = {0x23}, p[BTT_TX_TRANSFER_LEN];
	struct ex_tx tx;
	btt_u128 v1 = btt_ledger_vesting_vested(&b->vesting, 1);
	btt_u128 fee;

	(void)state;
	assert_true(v1 == b->amount / (2 * TX_BLOCKS_PER_YEAR));
	/* block 1: everything vested so far, minus the fee, and not 1 more */
	ex_transfer_payload(to, 1, p);
	ex_sign(&tx, k, fx.g->chain_id, BTT_TX_TRANSFER, 0, p, sizeof(p), 0,
		TX_MAX_FEE);
	fee = fee_of(&tx);
	ex_transfer(&tx, &fx, k, 0, to, v1 - fee + 1);
	assert_int_equal(ex_one(&fx, &tx, NULL), BTT_ELOCKED);
	/* block 2: vested(2) minus two fees, exactly */
	ex_transfer(&tx, &fx, k, 1, to,
		    btt_ledger_vesting_vested(&b->vesting, 2) - 2 * fee);
	assert_int_equal(ex_one(&fx, &tx, NULL), 0);
	assert_true(ex_balance(&fx, b->addr) ==
		    b->amount - btt_ledger_vesting_vested(&b->vesting, 2));
}

static void test_exec_vesting_create(void **state)
{
	struct btt_tx_vesting_create vc;
	uint8_t k[32], a[20], to[20] = {0x24}, buf[256];
	struct btt_ledger_account_info ai;
	struct btt_wbuf w;

	(void)state;
	ex_key("vested", k);
	ex_addr(k, a);
	memset(&vc, 0, sizeof(vc));
	memcpy(vc.to, a, 20);
	vc.v.type = BTT_VESTING_DELAYED;
	vc.v.original = 1000 * BTT_COIN;
	vc.v.start = 0;
	vc.v.end = 20;
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	assert_int_equal(btt_ledger_vesting_create_encode(&vc, &w), 0);
	assert_int_equal(run(ex_bucket_key(&fx, "public_sale"),
			     BTT_TX_VESTING_CREATE, buf, w.len),
			 0);
	ps_nonce++;
	/* a second schedule for the same account is refused */
	assert_int_equal(run(ex_bucket_key(&fx, "public_sale"),
			     BTT_TX_VESTING_CREATE, buf, w.len),
			 BTT_ESTATE);
	ps_nonce++;
	assert_int_equal(btt_ledger_chain_account(fx.c, a, &ai), 0);
	assert_true(ai.vesting && ai.locked == 1000 * BTT_COIN);
	fund(a, BTT_COIN);
	assert_int_equal(run_transfer(k, to, 2 * BTT_COIN), BTT_ELOCKED);
	ex_advance(&fx, 19);
	assert_int_equal(run_transfer(k, to, 1000 * BTT_COIN), 0);
}

/* Members of tron_foundation (3 of 5, weight 1 each). */
static const uint8_t *member(int i)
{
	char label[48];

	snprintf(label, sizeof(label), "tron_foundation/%d", i);
	return ex_bucket_key(&fx, label);
}

static void propose(const uint8_t *key, const uint8_t acct[20],
		    const uint8_t to[20], btt_u128 amount, uint8_t id[32])
{
	uint8_t action[BTT_TX_TRANSFER_LEN], buf[128];
	struct btt_tx_msig_propose t;
	struct btt_wbuf w;
	uint8_t a[20];
	uint64_t nonce;

	ex_transfer_payload(to, amount, action);
	memcpy(t.account, acct, 20);
	t.expiry_height = 1000;
	t.action_type = BTT_TX_TRANSFER;
	t.action = action;
	t.action_len = sizeof(action);
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	assert_int_equal(btt_ledger_msig_propose_encode(&t, &w), 0);
	ex_addr(key, a);
	nonce = ex_nonce(&fx, a);
	assert_int_equal(run(key, BTT_TX_MSIG_PROPOSE, buf, w.len), 0);
	{
		struct btt_ledger_txloc loc;
		struct ex_tx tx;
		uint8_t txid[32];

		/* the receipt names the proposal */
		ex_sign(&tx, key, fx.g->chain_id, BTT_TX_MSIG_PROPOSE, nonce,
			buf, w.len, 0, TX_MAX_FEE);
		btt_keccak256(tx.b, tx.len, txid);
		assert_int_equal(
			btt_ledger_blockstore_tx(btt_ledger_chain_store(fx.c),
						 txid, &loc, NULL),
			0);
		assert_int_equal(loc.receipt.events_len, 32);
		memcpy(id, loc.receipt.events, 32);
	}
}

static void test_exec_multisig_threshold(void **state)
{
	const struct btt_genesis_bucket *b = ex_bucket(&fx, "tron_foundation");
	uint8_t to[20] = {0x31}, id[32], other[32];
	btt_u128 amount = 1000 * BTT_COIN, before;

	(void)state;
	for (int i = 1; i <= 4; i++) {
		uint8_t a[20];
		ex_addr(member(i), a);
		fund(a, BTT_COIN);
	}
	ex_key("outsider", other);
	{
		uint8_t a[20];
		ex_addr(other, a);
		fund(a, BTT_COIN);
	}
	ex_advance(&fx, 99); /* the first tranche vests at 100 */
	before = ex_balance(&fx, b->addr);
	propose(member(1), b->addr, to, amount, id);
	assert_int_equal(run(member(2), BTT_TX_MSIG_APPROVE, id, 32), 0);
	assert_int_equal(run(member(2), BTT_TX_MSIG_APPROVE, id, 32),
			 BTT_EDUPLICATE);
	assert_int_equal(run(other, BTT_TX_MSIG_APPROVE, id, 32), BTT_EDENIED);
	/* two approvals of three needed */
	assert_int_equal(run(member(4), BTT_TX_MSIG_EXECUTE, id, 32),
			 BTT_EDENIED);
	assert_true(ex_balance(&fx, to) == 0);
	assert_int_equal(run(member(3), BTT_TX_MSIG_APPROVE, id, 32), 0);
	assert_int_equal(run(other, BTT_TX_MSIG_EXECUTE, id, 32), 0);
	assert_true(ex_balance(&fx, to) == amount);
	assert_true(ex_balance(&fx, b->addr) == before - amount);
	assert_int_equal(run(member(4), BTT_TX_MSIG_EXECUTE, id, 32),
			 BTT_ESTATE);
	assert_int_equal(run(member(4), BTT_TX_MSIG_APPROVE, id, 32),
			 BTT_ESTATE);
	memset(id, 0xee, 32);
	assert_int_equal(run(member(4), BTT_TX_MSIG_APPROVE, id, 32),
			 BTT_ENOTFOUND);
}

static void test_exec_multisig_waits_for_vesting(void **state)
{
	const struct btt_genesis_bucket *b = ex_bucket(&fx, "tron_foundation");
	uint8_t to[20] = {0x32}, id[32];

	(void)state;
	for (int i = 1; i <= 3; i++) {
		uint8_t a[20];
		ex_addr(member(i), a);
		fund(a, BTT_COIN);
	}
	propose(member(1), b->addr, to, BTT_COIN, id);
	assert_int_equal(run(member(2), BTT_TX_MSIG_APPROVE, id, 32), 0);
	assert_int_equal(run(member(3), BTT_TX_MSIG_APPROVE, id, 32), 0);
	/* approved, but nothing has vested: the proposal stays open */
	assert_int_equal(run(member(3), BTT_TX_MSIG_EXECUTE, id, 32),
			 BTT_ELOCKED);
	ex_advance(&fx, 99);
	assert_int_equal(run(member(3), BTT_TX_MSIG_EXECUTE, id, 32), 0);
	assert_true(ex_balance(&fx, to) == BTT_COIN);
}

static void test_exec_multisig_create(void **state)
{
	struct btt_multisig m;
	uint8_t ka[32], kb[32], buf[64], acct[20], to[20] = {0x33}, id[32];
	struct btt_ledger_account_info ai;
	struct btt_wbuf w;
	uint8_t pa[20];

	(void)state;
	ex_key("msig-a", ka);
	ex_key("msig-b", kb);
	memset(&m, 0, sizeof(m));
	m.threshold = 2;
	m.n_keys = 2;
	ex_addr(ka, m.keys[0].addr);
	ex_addr(kb, m.keys[1].addr);
	m.keys[0].weight = m.keys[1].weight = 1;
	btt_ledger_multisig_sort(&m);
	fund(m.keys[0].addr, BTT_COIN);
	fund(m.keys[1].addr, BTT_COIN);
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	assert_int_equal(btt_ledger_multisig_encode(&m, &w), 0);
	ex_addr(ex_bucket_key(&fx, "public_sale"), pa);
	btt_ledger_msig_create_address(pa, ps_nonce, acct);
	assert_int_equal(run(ex_bucket_key(&fx, "public_sale"),
			     BTT_TX_MSIG_CREATE, buf, w.len),
			 0);
	ps_nonce++;
	assert_int_equal(btt_ledger_chain_account(fx.c, acct, &ai), 0);
	assert_true(ai.flags & BTT_ACCT_MULTISIG);
	fund(acct, 50 * BTT_COIN);
	propose(ka, acct, to, 20 * BTT_COIN, id);
	assert_int_equal(run(ka, BTT_TX_MSIG_EXECUTE, id, 32), BTT_EDENIED);
	assert_int_equal(run(kb, BTT_TX_MSIG_APPROVE, id, 32), 0);
	assert_int_equal(run(kb, BTT_TX_MSIG_EXECUTE, id, 32), 0);
	assert_true(ex_balance(&fx, to) == 20 * BTT_COIN);
	assert_true(ex_balance(&fx, acct) == 30 * BTT_COIN);
	/* a definition whose threshold is above its weights: left out */
	buf[8] = 3;
	{
		struct ex_tx tx;
		bool in = true;

		ex_sign(&tx, ex_bucket_key(&fx, "public_sale"), fx.g->chain_id,
			BTT_TX_MSIG_CREATE, ps_nonce, buf, w.len, 0,
			TX_MAX_FEE);
		assert_int_equal(ex_one(&fx, &tx, &in), BTT_EINVALID);
		assert_false(in);
	}
}

static void stake_payload(const uint8_t val[20], btt_u128 amount,
			  uint8_t out[BTT_TX_STAKE_LEN])
{
	struct btt_tx_stake t;
	struct btt_wbuf w;

	memcpy(t.validator, val, 20);
	t.amount = amount;
	btt_wbuf_init_fixed(&w, out, BTT_TX_STAKE_LEN);
	btt_ledger_stake_encode(&t, &w);
}

static size_t create_payload(const uint8_t signer[20], btt_u128 bond,
			     uint8_t *out, size_t cap)
{
	struct btt_tx_stake_create t;
	struct btt_wbuf w;

	memset(&t, 0, sizeof(t));
	t.signer_len = 20;
	memcpy(t.signer, signer, 20);
	t.commission_bps = 500;
	t.self_bond = bond;
	btt_wbuf_init_fixed(&w, out, cap);
	assert_int_equal(btt_ledger_stake_create_encode(&t, &w), 0);
	return w.len;
}

static void test_exec_staking_bond_unbond(void **state)
{
	btt_u128 min = fx.g->staking.min_self_bond;
	struct btt_ledger_account_info ai;
	uint8_t op[32], opa[20], d[32], da[20], p[128];
	uint64_t h;
	size_t n;

	(void)state;
	ex_key("operator", op);
	ex_addr(op, opa);
	ex_key("delegator", d);
	ex_addr(d, da);
	fund(opa, min + BTT_COIN);
	fund(da, 100 * BTT_COIN);
	n = create_payload(opa, min - 1, p, sizeof(p));
	assert_int_equal(run(op, BTT_TX_STAKE_CREATE, p, n), BTT_EINVALID);
	n = create_payload(fx.val_addr, min, p, sizeof(p));
	assert_int_equal(run(op, BTT_TX_STAKE_CREATE, p, n), BTT_EDUPLICATE);
	n = create_payload(opa, min, p, sizeof(p));
	assert_int_equal(run(op, BTT_TX_STAKE_CREATE, p, n), 0);
	assert_int_equal(run(op, BTT_TX_STAKE_CREATE, p, n), BTT_EDUPLICATE);
	assert_int_equal(btt_ledger_chain_account(fx.c, opa, &ai), 0);
	assert_true(ai.bonded == min);
	stake_payload(opa, 101 * BTT_COIN, p);
	assert_int_equal(run(d, BTT_TX_STAKE_BOND, p, BTT_TX_STAKE_LEN),
			 BTT_EFUNDS);
	stake_payload(opa, 60 * BTT_COIN, p);
	assert_int_equal(run(d, BTT_TX_STAKE_BOND, p, BTT_TX_STAKE_LEN), 0);
	stake_payload(opa, 61 * BTT_COIN, p);
	assert_int_equal(run(d, BTT_TX_STAKE_UNBOND, p, BTT_TX_STAKE_LEN),
			 BTT_EFUNDS);
	stake_payload(opa, 20 * BTT_COIN, p);
	assert_int_equal(run(d, BTT_TX_STAKE_UNBOND, p, BTT_TX_STAKE_LEN), 0);
	h = height();
	assert_int_equal(btt_ledger_chain_account(fx.c, da, &ai), 0);
	assert_true(ai.bonded == 40 * BTT_COIN);
	assert_true(ai.unbonding == 20 * BTT_COIN);
	ex_advance(&fx, h + TX_UNBONDING - 1);
	assert_int_equal(btt_ledger_chain_account(fx.c, da, &ai), 0);
	assert_true(ai.unbonding == 20 * BTT_COIN);
	ex_advance(&fx, h + TX_UNBONDING);
	assert_int_equal(btt_ledger_chain_account(fx.c, da, &ai), 0);
	assert_true(ai.unbonding == 0);
	assert_true(ai.balance == 100 * BTT_COIN - 60 * BTT_COIN +
					  20 * BTT_COIN - 4 * FEE168);
	assert_int_equal(btt_ledger_chain_check_supply(fx.c), 0);
}

static void test_exec_staking_locked_coins(void **state)
{
	const struct btt_genesis_bucket *b = ex_bucket(&fx, "tron_airdrop");
	const uint8_t *k = ex_bucket_key(&fx, "tron_airdrop");
	struct btt_ledger_account_info ai;
	uint8_t p[BTT_TX_STAKE_LEN], to[20] = {0x41};
	btt_u128 bond = 1000000 * BTT_COIN;

	(void)state;
	fund(b->addr, 10 * BTT_COIN);
	stake_payload(fx.val_addr, bond, p);
	assert_int_equal(run(k, BTT_TX_STAKE_BOND, p, sizeof(p)), 0);
	assert_int_equal(btt_ledger_chain_account(fx.c, b->addr, &ai), 0);
	assert_true(ai.bonded == bond);
	assert_true(ai.balance == b->amount - bond + 10 * BTT_COIN - FEE168);
	/* the bonded coins were locked ones: the free ones still move */
	assert_int_equal(run_transfer(k, to, 5 * BTT_COIN), 0);
	assert_int_equal(run_transfer(k, to, 5 * BTT_COIN), BTT_ELOCKED);
}

static void test_exec_staking_registry_limit(void **state)
{
	size_t n = BTT_STAKING_MAX_REGISTRY; /* the genesis has one */
	btt_u128 min = fx.g->staking.min_self_bond;
	struct btt_tx_transfer *items = calloc(n, sizeof(*items));
	struct btt_ledger_tx_outcome *o = calloc(n, sizeof(*o));
	struct ex_tx *txs = calloc(n, sizeof(*txs));
	uint8_t(*keys)[32] = calloc(n, 32), p[64];
	struct btt_wbuf w;
	uint8_t *multi = malloc(BTT_TX_MAX_PAYLOAD);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		char label[32];
		snprintf(label, sizeof(label), "op%zu", i);
		ex_key(label, keys[i]);
		ex_addr(keys[i], items[i].to);
		items[i].amount = min + BTT_COIN;
	}
	btt_wbuf_init_fixed(&w, multi, BTT_TX_MAX_PAYLOAD);
	assert_int_equal(btt_ledger_multi_encode(items, n, &w), 0);
	assert_int_equal(run(ex_bucket_key(&fx, "public_sale"),
			     BTT_TX_MULTI_TRANSFER, multi, w.len),
			 0);
	for (size_t i = 0; i < n; i++) {
		size_t len = create_payload(items[i].to, min, p, sizeof(p));
		ex_sign(&txs[i], keys[i], fx.g->chain_id, BTT_TX_STAKE_CREATE,
			0, p, len, 0, TX_MAX_FEE);
	}
	assert_int_equal(ex_block(&fx, txs, n, o), 0);
	/* registry entries 2 .. 256 fit (max - 1 and max), the 257th not */
	for (size_t i = 0; i + 2 < n; i++)
		assert_int_equal(o[i].status, 0);
	assert_int_equal(o[n - 2].status, 0);
	assert_true(o[n - 1].included);
	assert_int_equal(o[n - 1].status, BTT_ELIMIT);
	free(items);
	free(o);
	free(txs);
	free(keys);
	free(multi);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_exec_vesting_periodic_heights, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_exec_vesting_delayed_heights, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_exec_vesting_continuous_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_vesting_create, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exec_multisig_threshold,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_exec_multisig_waits_for_vesting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_multisig_create,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_staking_bond_unbond,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_staking_locked_coins,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_exec_staking_registry_limit, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
