/* The mempool without a chain: admission rules, per-account nonce order,
 * fee priority across accounts, replace-by-fee, gaps, the count, byte
 * and per-account caps at max-1, max and max+1, eviction of the lowest
 * tail, rechecks against a new head, and cost computation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "ledger/tx.h"
#include "node/mempool.h"

#define TXLEN 168

static struct btt_mempool_acct rich = {0, (btt_u128)1 << 100};

/* A transaction description: sender `who`, nonce, max_fee; the txid is
 * derived from all three and `salt`. */
static struct btt_mempool_tx_info info(uint8_t who, uint64_t nonce,
				       uint64_t fee, uint8_t salt)
{
	struct btt_mempool_tx_info in = {0};

	memset(in.from, who, sizeof(in.from));
	in.txid[0] = who;
	memcpy(in.txid + 1, &nonce, sizeof(nonce));
	memcpy(in.txid + 9, &fee, sizeof(fee));
	in.txid[17] = salt;
	in.nonce = nonce;
	in.max_fee = fee;
	in.cost = fee;
	return in;
}

static uint8_t raw[BTT_TX_MAX_LEN + 1];

static int add_len(struct btt_mempool *mp, uint8_t who, uint64_t nonce,
		   uint64_t fee, size_t len, const struct btt_mempool_acct *a)
{
	struct btt_mempool_tx_info in = info(who, nonce, fee, 0);

	/* the raw bytes carry the identity so selections can be read back */
	raw[0] = who;
	raw[1] = (uint8_t)nonce;
	return btt_node_mempool_add(mp, raw, len, &in, a, NULL);
}

static int add(struct btt_mempool *mp, uint8_t who, uint64_t nonce,
	       uint64_t fee)
{
	return add_len(mp, who, nonce, fee, TXLEN, &rich);
}

/* Selects everything and returns "who:nonce" pairs as who*256+nonce. */
static size_t pick(struct btt_mempool *mp, size_t max, size_t max_bytes,
		   unsigned *out)
{
	struct btt_ledger_txref refs[64];
	const uint8_t *ids[64];
	size_t n = btt_node_mempool_select(mp, max, max_bytes, refs, ids);

	for (size_t i = 0; i < n; i++) {
		out[i] = refs[i].p[0] * 256u + refs[i].p[1];
		assert_true(btt_node_mempool_has(mp, ids[i]));
	}
	return n;
}

static void test_mempool_priority_across_accounts(void **state)
{
	struct btt_mempool *mp = btt_node_mempool_new(NULL);
	unsigned got[8];

	(void)state;
	assert_int_equal(add(mp, 1, 0, 5), 0);
	assert_int_equal(add(mp, 2, 0, 9), 0);
	assert_int_equal(add(mp, 3, 0, 1), 0);
	assert_int_equal(add(mp, 4, 0, 5), 0); /* ties: first come first */
	assert_int_equal(pick(mp, 8, SIZE_MAX, got), 4);
	assert_int_equal(got[0], 2 * 256);
	assert_int_equal(got[1], 1 * 256);
	assert_int_equal(got[2], 4 * 256);
	assert_int_equal(got[3], 3 * 256);
	btt_node_mempool_free(mp);
	btt_node_mempool_free(NULL);
}

static void test_mempool_nonce_order_within_account(void **state)
{
	struct btt_mempool *mp = btt_node_mempool_new(NULL);
	unsigned got[8];

	(void)state;
	assert_int_equal(add(mp, 1, 1, 100), 0);
	assert_int_equal(add(mp, 1, 0, 1), 0);
	assert_int_equal(add(mp, 2, 0, 50), 0);
	assert_int_equal(pick(mp, 8, SIZE_MAX, got), 3);
	assert_int_equal(got[0], 2 * 256);
	assert_int_equal(got[1], 1 * 256 + 0);
	assert_int_equal(got[2], 1 * 256 + 1);
	btt_node_mempool_free(mp);
}

static void test_mempool_gaps_are_not_ready(void **state)
{
	struct btt_mempool *mp = btt_node_mempool_new(NULL);
	unsigned got[8];
	uint64_t next = 0;

	(void)state;
	assert_int_equal(add(mp, 1, 0, 1), 0);
	assert_int_equal(add(mp, 1, 2, 1), 0);
	assert_int_equal(add(mp, 7, 1, 1), 0); /* nothing at nonce 0 */
	assert_int_equal(pick(mp, 8, SIZE_MAX, got), 1);
	assert_int_equal(got[0], 256);
	assert_int_equal(btt_node_mempool_account(mp, raw + 0, &next), 0);
	memset(raw, 1, BTT_ADDR_LEN);
	assert_int_equal(btt_node_mempool_account(mp, raw, &next), 2);
	assert_int_equal(next, 1);
	assert_int_equal(add(mp, 1, 1, 1), 0);
	assert_int_equal(pick(mp, 8, SIZE_MAX, got), 3);
	assert_int_equal(got[2], 256 + 2);
	memset(raw, 1, BTT_ADDR_LEN);
	assert_int_equal(btt_node_mempool_account(mp, raw, &next), 3);
	assert_int_equal(next, 3);
	btt_node_mempool_free(mp);
}

static void test_mempool_nonce_rules(void **state)
{
	struct btt_mempool_limits lim = {.max_per_account = 4};
	struct btt_mempool *mp = btt_node_mempool_new(&lim);
	struct btt_mempool_acct at5 = {5, (btt_u128)1 << 100};

	(void)state;
	assert_int_equal(add_len(mp, 1, 4, 1, TXLEN, &at5), BTT_ENONCEUSED);
	/* nonces 5..8 are the 4 the cap allows (max-1, max), 9 is past it */
	assert_int_equal(add_len(mp, 1, 5, 1, TXLEN, &at5), 0);
	assert_int_equal(add_len(mp, 1, 6, 1, TXLEN, &at5), 0);
	assert_int_equal(add_len(mp, 1, 7, 1, TXLEN, &at5), 0);
	assert_int_equal(add_len(mp, 1, 8, 1, TXLEN, &at5), 0);
	assert_int_equal(add_len(mp, 1, 9, 1, TXLEN, &at5), BTT_ENONCEGAP);
	assert_int_equal(add_len(mp, 1, UINT64_MAX, 1, TXLEN, &at5),
			 BTT_ENONCEGAP);
	btt_node_mempool_free(mp);
}

static void test_mempool_duplicate_txid(void **state)
{
	struct btt_mempool *mp = btt_node_mempool_new(NULL);

	(void)state;
	assert_int_equal(add(mp, 1, 0, 1), 0);
	assert_int_equal(add(mp, 1, 0, 1), BTT_EDUPLICATE);
	btt_node_mempool_free(mp);
}

static void test_mempool_replace_by_fee(void **state)
{
	struct btt_mempool *mp = btt_node_mempool_new(NULL);
	struct btt_mempool_tx_info a = info(1, 0, 10, 0), b = info(1, 0, 10, 1),
				   c = info(1, 0, 11, 2), d = info(1, 0, 9, 3);
	struct btt_mempool_stats st;
	bool replaced = true;

	(void)state;
	assert_int_equal(
		btt_node_mempool_add(mp, raw, TXLEN, &a, &rich, &replaced), 0);
	assert_false(replaced);
	/* same (from, nonce): equal or lower max_fee refused */
	assert_int_equal(btt_node_mempool_add(mp, raw, TXLEN, &b, &rich, NULL),
			 BTT_EDUPLICATE);
	assert_int_equal(btt_node_mempool_add(mp, raw, TXLEN, &d, &rich, NULL),
			 BTT_EDUPLICATE);
	assert_int_equal(
		btt_node_mempool_add(mp, raw, TXLEN + 10, &c, &rich, &replaced),
		0);
	assert_true(replaced);
	assert_false(btt_node_mempool_has(mp, a.txid));
	assert_true(btt_node_mempool_has(mp, c.txid));
	btt_node_mempool_stats(mp, &st);
	assert_int_equal(st.txs, 1);
	assert_int_equal(st.bytes, TXLEN + 10);
	assert_int_equal(st.replaced, 1);
	btt_node_mempool_free(mp);
}

static void test_mempool_balance_covers_queue(void **state)
{
	struct btt_mempool *mp = btt_node_mempool_new(NULL);
	struct btt_mempool_acct acct = {0, 100};
	struct btt_mempool_tx_info in;

	(void)state;
	for (uint64_t n = 0; n < 3; n++) {
		in = info(1, n, 1, 0);
		in.cost = 40;
		assert_int_equal(
			btt_node_mempool_add(mp, raw, TXLEN, &in, &acct, NULL),
			n < 2 ? 0 : BTT_EFUNDS);
	}
	/* a replacement is costed without the transaction it replaces */
	in = info(1, 1, 2, 0);
	in.cost = 60;
	assert_int_equal(btt_node_mempool_add(mp, raw, TXLEN, &in, &acct, NULL),
			 0);
	in = info(1, 1, 3, 0);
	in.cost = 61;
	assert_int_equal(btt_node_mempool_add(mp, raw, TXLEN, &in, &acct, NULL),
			 BTT_EFUNDS);
	in = info(1, 2, 3, 0);
	in.cost = (btt_u128)-1;
	assert_int_equal(btt_node_mempool_add(mp, raw, TXLEN, &in, &acct, NULL),
			 BTT_EOVERFLOW);
	btt_node_mempool_free(mp);
}

static void test_mempool_count_cap_and_eviction(void **state)
{
	struct btt_mempool_limits lim = {.max_txs = 3};
	struct btt_mempool *mp = btt_node_mempool_new(&lim);
	struct btt_mempool_tx_info low = info(3, 0, 2, 0);
	struct btt_mempool_stats st;

	(void)state;
	assert_int_equal(add(mp, 1, 0, 5), 0);
	assert_int_equal(add(mp, 2, 0, 4), 0); /* max - 1 */
	assert_int_equal(add(mp, 3, 0, 2), 0); /* max */
	/* max + 1: an equal or lower offer is refused */
	assert_int_equal(add(mp, 4, 0, 2), BTT_ELIMIT);
	assert_int_equal(add(mp, 4, 0, 1), BTT_ELIMIT);
	/* a higher one evicts the lowest, account 3 */
	assert_int_equal(add(mp, 4, 0, 3), 0);
	assert_false(btt_node_mempool_has(mp, low.txid));
	btt_node_mempool_stats(mp, &st);
	assert_int_equal(st.txs, 3);
	assert_int_equal(st.evicted, 1);
	assert_int_equal(st.accounts, 3);
	btt_node_mempool_free(mp);
}

static void test_mempool_eviction_takes_tails(void **state)
{
	struct btt_mempool_limits lim = {.max_txs = 4};
	struct btt_mempool *mp = btt_node_mempool_new(&lim);
	struct btt_mempool_tx_info a0 = info(1, 0, 1, 0), a2 = info(1, 2, 9, 0);
	unsigned got[8];

	(void)state;
	/* account 1: nonces 0, 1, 2; its tail (nonce 2) offers 9, but the
	 * heap is keyed by the tail, so the victim is account 2's tail */
	assert_int_equal(add(mp, 1, 0, 1), 0);
	assert_int_equal(add(mp, 1, 1, 1), 0);
	assert_int_equal(add(mp, 1, 2, 9), 0);
	assert_int_equal(add(mp, 2, 0, 3), 0);
	assert_int_equal(add(mp, 5, 0, 4), 0);
	assert_true(btt_node_mempool_has(mp, a0.txid));
	assert_true(btt_node_mempool_has(mp, a2.txid));
	assert_int_equal(pick(mp, 8, SIZE_MAX, got), 4);
	assert_int_equal(got[0], 5 * 256);
	/* account 1 only: its newer nonce cannot evict its own tail */
	btt_node_mempool_free(mp);
	mp = btt_node_mempool_new(&lim);
	for (uint64_t n = 0; n < 4; n++)
		assert_int_equal(add(mp, 1, n, 1), 0);
	assert_int_equal(add(mp, 1, 4, 50), BTT_ELIMIT);
	/* but another account's better offer evicts the tail, nonce 3 */
	assert_int_equal(add(mp, 2, 0, 50), 0);
	assert_int_equal(pick(mp, 8, SIZE_MAX, got), 4);
	assert_int_equal(got[3], 256 + 2);
	btt_node_mempool_free(mp);
}

static void test_mempool_byte_cap(void **state)
{
	struct btt_mempool_limits lim = {.max_bytes = 600};
	struct btt_mempool *mp = btt_node_mempool_new(&lim);
	struct btt_mempool_stats st;

	(void)state;
	assert_int_equal(add_len(mp, 1, 0, 5, 200, &rich), 0);
	assert_int_equal(add_len(mp, 2, 0, 5, 200, &rich), 0);
	assert_int_equal(add_len(mp, 3, 0, 5, 199, &rich), 0); /* max - 1 */
	assert_int_equal(add_len(mp, 4, 0, 5, 1, &rich), 0);   /* max */
	assert_int_equal(add_len(mp, 5, 0, 5, 1, &rich), BTT_ELIMIT);
	/* one 400-byte newcomer needs two victims, both offering less */
	assert_int_equal(add_len(mp, 6, 0, 6, 400, &rich), 0);
	btt_node_mempool_stats(mp, &st);
	assert_true(st.bytes <= 600);
	assert_int_equal(st.evicted, 3);
	/* transaction size itself: 1..BTT_TX_MAX_LEN */
	btt_node_mempool_free(mp);
	mp = btt_node_mempool_new(NULL);
	assert_int_equal(add_len(mp, 1, 0, 1, BTT_TX_MAX_LEN - 1, &rich), 0);
	assert_int_equal(add_len(mp, 2, 0, 1, BTT_TX_MAX_LEN, &rich), 0);
	assert_int_equal(add_len(mp, 3, 0, 1, BTT_TX_MAX_LEN + 1, &rich),
			 BTT_ELIMIT);
	assert_int_equal(add_len(mp, 3, 0, 1, 0, &rich), BTT_ELIMIT);
	btt_node_mempool_free(mp);
}

static void test_mempool_select_budgets(void **state)
{
	struct btt_mempool *mp = btt_node_mempool_new(NULL);
	unsigned got[8];

	(void)state;
	assert_int_equal(add_len(mp, 1, 0, 9, 100, &rich), 0);
	assert_int_equal(add_len(mp, 1, 1, 9, 300, &rich), 0);
	assert_int_equal(add_len(mp, 1, 2, 9, 100, &rich), 0);
	assert_int_equal(add_len(mp, 2, 0, 1, 100, &rich), 0);
	assert_int_equal(pick(mp, 2, SIZE_MAX, got), 2);
	/* 300 bytes: account 1's nonce 1 does not fit, so its nonce 2 must
	 * not be taken either; account 2 still fits */
	assert_int_equal(pick(mp, 8, 300, got), 2);
	assert_int_equal(got[0], 256);
	assert_int_equal(got[1], 2 * 256);
	assert_int_equal(pick(mp, 0, SIZE_MAX, got), 0);
	btt_node_mempool_free(mp);
}

static void test_mempool_remove_and_update(void **state)
{
	struct btt_mempool *mp = btt_node_mempool_new(NULL);
	struct btt_mempool_tx_info t0 = info(1, 0, 1, 0);
	struct btt_mempool_acct head = {2, (btt_u128)1 << 100};
	struct btt_mempool_stats st;
	uint8_t addr[BTT_ADDR_LEN];
	unsigned got[8];

	(void)state;
	memset(addr, 1, sizeof(addr));
	for (uint64_t n = 0; n < 5; n++)
		assert_int_equal(add(mp, 1, n, 1), 0);
	assert_true(btt_node_mempool_remove(mp, t0.txid));
	assert_false(btt_node_mempool_remove(mp, t0.txid));
	/* the head moved to nonce 2: nonce 1 is stale */
	assert_int_equal(btt_node_mempool_update(mp, addr, &head, 0), 1);
	assert_int_equal(pick(mp, 8, SIZE_MAX, got), 3);
	assert_int_equal(got[0], 256 + 2);
	/* the balance now covers two of the remaining three */
	head.spendable = 2;
	assert_int_equal(btt_node_mempool_update(mp, addr, &head, 0), 1);
	btt_node_mempool_stats(mp, &st);
	assert_int_equal(st.txs, 2);
	assert_int_equal(st.dropped, 2);
	head.spendable = 0;
	assert_int_equal(btt_node_mempool_update(mp, addr, &head, 0), 2);
	btt_node_mempool_stats(mp, &st);
	assert_int_equal(st.txs, 0);
	assert_int_equal(st.accounts, 0);
	assert_int_equal(btt_node_mempool_update(mp, addr, &head, 0), 0);
	btt_node_mempool_free(mp);
}

static void test_mempool_expiry(void **state)
{
	struct btt_mempool *mp = btt_node_mempool_new(NULL);
	struct btt_mempool_tx_info in = info(1, 0, 1, 0);
	uint8_t addr[BTT_ADDR_LEN];

	(void)state;
	memset(addr, 1, sizeof(addr));
	in.expiry_height = 10;
	assert_int_equal(btt_node_mempool_add(mp, raw, TXLEN, &in, &rich, NULL),
			 0);
	/* valid in block 10 (expiry is the last height), gone for 11 */
	assert_int_equal(btt_node_mempool_update(mp, addr, &rich, 10), 0);
	assert_int_equal(btt_node_mempool_update(mp, addr, &rich, 11), 1);
	btt_node_mempool_free(mp);
}

static int lookup(void *arg, const uint8_t addr[BTT_ADDR_LEN],
		  struct btt_mempool_acct *out)
{
	(void)arg;
	if (addr[0] == 9)
		return BTT_ESTORE;
	out->nonce = addr[0] == 1 ? 1 : 0;
	out->spendable = (btt_u128)1 << 100;
	return 0;
}

static void test_mempool_sweep(void **state)
{
	struct btt_mempool *mp = btt_node_mempool_new(NULL);
	struct btt_mempool_stats st;

	(void)state;
	assert_int_equal(add(mp, 1, 0, 1), 0);
	assert_int_equal(add(mp, 2, 0, 1), 0);
	assert_int_equal(add(mp, 9, 0, 1), 0);
	assert_int_equal(btt_node_mempool_sweep(mp, lookup, NULL, 1), 1);
	btt_node_mempool_stats(mp, &st);
	assert_int_equal(st.txs, 2);
	btt_node_mempool_free(mp);
}

static void test_mempool_info_costs(void **state)
{
	struct btt_tx tx = {.version = 1, .type = BTT_TX_TRANSFER, .nonce = 3};
	struct btt_tx_transfer t[2] = {{{0}, 100}, {{0}, (btt_u128)-1}};
	struct btt_mempool_tx_info in;
	uint8_t payload[2 + 2 * BTT_TX_TRANSFER_LEN], id[32] = {7};
	struct btt_wbuf w;

	(void)state;
	btt_wbuf_init_fixed(&w, payload, sizeof(payload));
	btt_ledger_transfer_encode(&t[0], &w);
	tx.payload = payload;
	tx.payload_len = w.len;
	tx.max_fee = 50;
	assert_int_equal(btt_node_mempool_info(&tx, 10, id, &in), 0);
	assert_true(in.cost == 110);
	assert_true(in.max_fee == 50);
	assert_int_equal(in.nonce, 3);
	assert_int_equal(in.txid[0], 7);
	assert_int_equal(btt_node_mempool_info(&tx, (btt_u128)-1, id, &in),
			 BTT_EOVERFLOW);
	btt_wbuf_init_fixed(&w, payload, sizeof(payload));
	assert_int_equal(btt_ledger_multi_encode(t, 2, &w), 0);
	tx.type = BTT_TX_MULTI_TRANSFER;
	tx.payload_len = w.len;
	assert_int_equal(btt_node_mempool_info(&tx, 0, id, &in), BTT_EOVERFLOW);
	tx.payload_len = 2 + BTT_TX_TRANSFER_LEN;
	payload[1] = 1;
	assert_int_equal(btt_node_mempool_info(&tx, 1, id, &in), 0);
	assert_true(in.cost == 101);
	tx.payload_len = 3;
	assert_int_not_equal(btt_node_mempool_info(&tx, 1, id, &in), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mempool_priority_across_accounts),
		cmocka_unit_test(test_mempool_nonce_order_within_account),
		cmocka_unit_test(test_mempool_gaps_are_not_ready),
		cmocka_unit_test(test_mempool_nonce_rules),
		cmocka_unit_test(test_mempool_duplicate_txid),
		cmocka_unit_test(test_mempool_replace_by_fee),
		cmocka_unit_test(test_mempool_balance_covers_queue),
		cmocka_unit_test(test_mempool_count_cap_and_eviction),
		cmocka_unit_test(test_mempool_eviction_takes_tails),
		cmocka_unit_test(test_mempool_byte_cap),
		cmocka_unit_test(test_mempool_select_budgets),
		cmocka_unit_test(test_mempool_remove_and_update),
		cmocka_unit_test(test_mempool_expiry),
		cmocka_unit_test(test_mempool_sweep),
		cmocka_unit_test(test_mempool_info_costs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
