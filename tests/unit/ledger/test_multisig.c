/* Multisig: definition rules and the key cap, canonical order, the record
 * codecs, and proposals: a release that fails below the threshold and
 * succeeds at it, double and non-member approvals, single execution,
 * expiry, weighted keys and membership changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "btt/err.h"
#include "ledger/multisig.h"

static void addr(uint8_t out[BTT_ADDR_LEN], uint8_t b)
{
	memset(out, b, BTT_ADDR_LEN);
}

/* n keys 0x11.., 0x22.., ... of weight 1 and the given threshold. */
static struct btt_multisig def(size_t n, uint64_t threshold)
{
	struct btt_multisig m;

	memset(&m, 0, sizeof(m));
	m.threshold = threshold;
	m.n_keys = n;
	for (size_t i = 0; i < n && i < BTT_MULTISIG_MAX_KEYS; i++) {
		addr(m.keys[i].addr, (uint8_t)(0x11 * (i + 1)));
		m.keys[i].weight = 1;
	}
	return m;
}

static void test_multisig_check_rules(void **state)
{
	struct btt_multisig m;
	(void)state;

	m = def(5, 3);
	assert_int_equal(btt_ledger_multisig_check(&m), 0);
	m = def(5, 5);
	assert_int_equal(btt_ledger_multisig_check(&m), 0);
	m = def(5, 6); /* threshold above the weight sum */
	assert_int_equal(btt_ledger_multisig_check(&m), BTT_EINVALID);
	m = def(5, 0);
	assert_int_equal(btt_ledger_multisig_check(&m), BTT_EINVALID);
	m = def(0, 1);
	assert_int_equal(btt_ledger_multisig_check(&m), BTT_EINVALID);
	m = def(3, 2);
	m.keys[1].weight = 0;
	assert_int_equal(btt_ledger_multisig_check(&m), BTT_EINVALID);
	m = def(3, 2);
	addr(m.keys[2].addr, 0x11);
	assert_int_equal(btt_ledger_multisig_check(&m), BTT_EDUPLICATE);
	m = def(3, 2);
	addr(m.keys[1].addr, 0x11);
	assert_int_equal(btt_ledger_multisig_check(&m), BTT_EDUPLICATE);
	m = def(3, 2);
	addr(m.keys[0].addr, 0x99);
	assert_int_equal(btt_ledger_multisig_check(&m), BTT_ENONCANONICAL);
	btt_ledger_multisig_sort(&m);
	assert_int_equal(btt_ledger_multisig_check(&m), 0);
	assert_int_equal(m.keys[2].addr[0], 0x99);
	/* weights are u32; their sum cannot overflow the u64 threshold */
	m = def(5, 5ull * UINT32_MAX);
	for (size_t i = 0; i < 5; i++)
		m.keys[i].weight = UINT32_MAX;
	assert_int_equal(btt_ledger_multisig_check(&m), 0);
}

static void test_multisig_key_limit(void **state)
{
	struct btt_multisig m, back;
	uint8_t buf[BTT_MULTISIG_MAX_LEN + BTT_MULTISIG_KEY_LEN];
	struct btt_wbuf w;
	(void)state;

	m = def(BTT_MULTISIG_MAX_KEYS - 1, 2);
	assert_int_equal(btt_ledger_multisig_check(&m), 0);
	m = def(BTT_MULTISIG_MAX_KEYS, 2);
	assert_int_equal(btt_ledger_multisig_check(&m), 0);
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	assert_int_equal(btt_ledger_multisig_encode(&m, &w), 0);
	assert_int_equal(w.len, BTT_MULTISIG_MAX_LEN);
	/* a sixth key on the wire */
	memset(buf + w.len, 0xff, BTT_MULTISIG_KEY_LEN);
	buf[9] = BTT_MULTISIG_MAX_KEYS + 1;
	assert_int_equal(btt_ledger_multisig_decode(buf, sizeof(buf), &back),
			 BTT_ELIMIT);
	m.n_keys = BTT_MULTISIG_MAX_KEYS + 1;
	assert_int_equal(btt_ledger_multisig_check(&m), BTT_ELIMIT);
}

static void test_multisig_codec(void **state)
{
	struct btt_multisig m = def(3, 2), back;
	uint8_t buf[BTT_MULTISIG_MAX_LEN + 1];
	struct btt_wbuf w;
	size_t n;
	(void)state;

	m.keys[1].weight = 0x01020304;
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	assert_int_equal(btt_ledger_multisig_encode(&m, &w), 0);
	n = w.len;
	assert_int_equal(n, 10 + 3 * BTT_MULTISIG_KEY_LEN);
	assert_int_equal(btt_ledger_multisig_decode(buf, n, &back), 0);
	assert_memory_equal(&back, &m, sizeof(m));
	for (size_t k = 0; k < n; k++)
		assert_int_equal(btt_ledger_multisig_decode(buf, k, &back),
				 BTT_ETRUNCATED);
	buf[n] = 0;
	assert_int_equal(btt_ledger_multisig_decode(buf, n + 1, &back),
			 BTT_ETRAILING);
	/* keys out of order are not canonical */
	buf[10] = 0x99;
	assert_int_equal(btt_ledger_multisig_decode(buf, n, &back),
			 BTT_ENONCANONICAL);
	buf[10] = 0x11;
	buf[0] = 2;
	assert_int_equal(btt_ledger_multisig_decode(buf, n, &back),
			 BTT_EUNSUPPORTED);
	m.threshold = 0;
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	assert_int_equal(btt_ledger_multisig_encode(&m, &w), BTT_EINVALID);
}

static void test_multisig_derived_ids(void **state)
{
	uint8_t a[BTT_ADDR_LEN], b[BTT_ADDR_LEN], acct[BTT_ADDR_LEN];
	uint8_t i1[32], i2[32], i3[32];
	(void)state;

	btt_ledger_multisig_address("genesis/x", 9, a);
	btt_ledger_multisig_address("genesis/x", 9, b);
	assert_memory_equal(a, b, BTT_ADDR_LEN);
	btt_ledger_multisig_address("genesis/y", 9, b);
	assert_memory_not_equal(a, b, BTT_ADDR_LEN);
	addr(acct, 0x42);
	btt_ledger_multisig_proposal_id(acct, 1, i1);
	btt_ledger_multisig_proposal_id(acct, 2, i2);
	assert_memory_not_equal(i1, i2, 32);
	btt_ledger_multisig_proposal_id(acct, 1, i3);
	assert_memory_equal(i1, i3, 32);
	addr(acct, 0x43);
	btt_ledger_multisig_proposal_id(acct, 1, i3);
	assert_memory_not_equal(i1, i3, 32);
}

static const uint8_t action[] = {1, 2, 3, 4, 5};

static struct btt_multisig_proposal proposal(uint64_t expiry)
{
	struct btt_multisig_proposal p;

	memset(&p, 0, sizeof(p));
	addr(p.account, 0xaa);
	p.nonce = 7;
	p.expiry_height = expiry;
	p.action_type = 0x0101;
	p.action = action;
	p.action_len = sizeof(action);
	return p;
}

static void key(const struct btt_multisig *m, size_t i, uint8_t out[20])
{
	memcpy(out, m->keys[i].addr, BTT_ADDR_LEN);
}

static void test_multisig_release_needs_threshold(void **state)
{
	struct btt_multisig m = def(5, 3);
	struct btt_multisig_proposal p = proposal(100);
	uint8_t k[BTT_ADDR_LEN];
	(void)state;

	key(&m, 0, k);
	assert_int_equal(btt_ledger_multisig_propose(&m, &p, k, 10), 0);
	assert_int_equal(p.status, BTT_MULTISIG_OPEN);
	assert_int_equal(p.created_height, 10);
	assert_int_equal(btt_ledger_multisig_approved_weight(&m, &p), 1);
	assert_false(btt_ledger_multisig_ready(&m, &p));
	assert_int_equal(btt_ledger_multisig_execute(&m, &p, 11), BTT_EDENIED);
	key(&m, 3, k);
	assert_int_equal(btt_ledger_multisig_approve(&m, &p, k, 11), 0);
	assert_int_equal(btt_ledger_multisig_execute(&m, &p, 11), BTT_EDENIED);
	assert_int_equal(p.status, BTT_MULTISIG_OPEN);
	key(&m, 2, k);
	assert_int_equal(btt_ledger_multisig_approve(&m, &p, k, 12), 0);
	assert_true(btt_ledger_multisig_ready(&m, &p));
	assert_int_equal(btt_ledger_multisig_execute(&m, &p, 12), 0);
	assert_int_equal(p.status, BTT_MULTISIG_EXECUTED);
	/* approvals are kept in address order */
	assert_int_equal(p.approvals[0][0], 0x11);
	assert_int_equal(p.approvals[1][0], 0x33);
	assert_int_equal(p.approvals[2][0], 0x44);
	/* exactly once */
	assert_int_equal(btt_ledger_multisig_execute(&m, &p, 12), BTT_ESTATE);
	assert_false(btt_ledger_multisig_ready(&m, &p));
	key(&m, 4, k);
	assert_int_equal(btt_ledger_multisig_approve(&m, &p, k, 13),
			 BTT_ESTATE);
}

static void test_multisig_double_and_foreign_approvals(void **state)
{
	struct btt_multisig m = def(5, 3);
	struct btt_multisig_proposal p = proposal(100), before;
	uint8_t k[BTT_ADDR_LEN], stranger[BTT_ADDR_LEN];
	(void)state;

	addr(stranger, 0x77);
	assert_int_equal(btt_ledger_multisig_propose(&m, &p, stranger, 10),
			 BTT_EDENIED);
	key(&m, 1, k);
	assert_int_equal(btt_ledger_multisig_propose(&m, &p, k, 10), 0);
	before = p;
	assert_int_equal(btt_ledger_multisig_approve(&m, &p, k, 11),
			 BTT_EDUPLICATE);
	assert_int_equal(btt_ledger_multisig_approve(&m, &p, stranger, 11),
			 BTT_EDENIED);
	assert_int_equal(p.n_approvals, before.n_approvals);
	assert_memory_equal(p.approvals, before.approvals, sizeof(p.approvals));
	assert_int_equal(p.status, before.status);
	key(&m, 0, k);
	assert_int_equal(btt_ledger_multisig_approve(&m, &p, k, 11), 0);
	assert_int_equal(btt_ledger_multisig_approve(&m, &p, k, 12),
			 BTT_EDUPLICATE);
	assert_int_equal(btt_ledger_multisig_approved_weight(&m, &p), 2);
	assert_int_equal(btt_ledger_multisig_execute(&m, &p, 12), BTT_EDENIED);
}

static void test_multisig_expiry(void **state)
{
	struct btt_multisig m = def(3, 2);
	struct btt_multisig_proposal p = proposal(20);
	uint8_t k[BTT_ADDR_LEN];
	(void)state;

	key(&m, 0, k);
	assert_int_equal(btt_ledger_multisig_propose(&m, &p, k, 21),
			 BTT_EEXPIRED);
	assert_int_equal(btt_ledger_multisig_propose(&m, &p, k, 20), 0);
	key(&m, 1, k);
	assert_int_equal(btt_ledger_multisig_approve(&m, &p, k, 21),
			 BTT_EEXPIRED);
	assert_int_equal(btt_ledger_multisig_approve(&m, &p, k, 20), 0);
	assert_true(btt_ledger_multisig_ready(&m, &p));
	/* enough weight, but too late */
	assert_int_equal(btt_ledger_multisig_execute(&m, &p, 21), BTT_EEXPIRED);
	assert_int_equal(btt_ledger_multisig_execute(&m, &p, 20), 0);
}

static void test_multisig_weighted_keys(void **state)
{
	struct btt_multisig m = def(3, 3);
	struct btt_multisig_proposal p = proposal(100);
	uint8_t k[BTT_ADDR_LEN];
	(void)state;

	m.keys[2].weight = 3; /* one key alone can release */
	key(&m, 0, k);
	assert_int_equal(btt_ledger_multisig_propose(&m, &p, k, 1), 0);
	key(&m, 1, k);
	assert_int_equal(btt_ledger_multisig_approve(&m, &p, k, 1), 0);
	assert_int_equal(btt_ledger_multisig_execute(&m, &p, 1), BTT_EDENIED);
	key(&m, 2, k);
	assert_int_equal(btt_ledger_multisig_approve(&m, &p, k, 1), 0);
	assert_int_equal(btt_ledger_multisig_approved_weight(&m, &p), 5);
	assert_int_equal(btt_ledger_multisig_execute(&m, &p, 1), 0);
}

static void test_multisig_membership_change(void **state)
{
	struct btt_multisig m = def(5, 3), m2;
	struct btt_multisig_proposal p = proposal(100);
	uint8_t k[BTT_ADDR_LEN];
	(void)state;

	for (size_t i = 0; i < 5; i++) {
		key(&m, i, k);
		if (i == 0)
			assert_int_equal(
				btt_ledger_multisig_propose(&m, &p, k, 1), 0);
		else if (i < 2)
			assert_int_equal(
				btt_ledger_multisig_approve(&m, &p, k, 1), 0);
	}
	/* keys 0x11 and 0x22 leave; 0x66 and 0x77 join */
	m2 = def(5, 3);
	addr(m2.keys[0].addr, 0x66);
	addr(m2.keys[1].addr, 0x77);
	btt_ledger_multisig_sort(&m2);
	assert_int_equal(btt_ledger_multisig_check(&m2), 0);
	assert_int_equal(btt_ledger_multisig_approved_weight(&m2, &p), 0);
	addr(k, 0x66);
	assert_int_equal(btt_ledger_multisig_approve(&m2, &p, k, 2), 0);
	assert_int_equal(p.n_approvals, 1); /* the leavers were dropped */
	addr(k, 0x33);
	assert_int_equal(btt_ledger_multisig_approve(&m2, &p, k, 2), 0);
	addr(k, 0x77);
	assert_int_equal(btt_ledger_multisig_approve(&m2, &p, k, 2), 0);
	assert_int_equal(p.n_approvals, 3);
	assert_int_equal(btt_ledger_multisig_execute(&m2, &p, 2), 0);
}

static size_t encode_proposal(const struct btt_multisig_proposal *p,
			      uint8_t *buf, size_t cap)
{
	struct btt_wbuf w;

	btt_wbuf_init_fixed(&w, buf, cap);
	assert_int_equal(btt_ledger_multisig_proposal_encode(p, &w), 0);
	return w.len;
}

static void test_multisig_proposal_codec(void **state)
{
	struct btt_multisig m = def(5, 3);
	struct btt_multisig_proposal p = proposal(100), back;
	uint8_t buf[BTT_MULTISIG_PROPOSAL_FIXED_LEN + 5 * 20 + 16];
	uint8_t k[BTT_ADDR_LEN];
	struct btt_wbuf w;
	size_t n;
	(void)state;

	key(&m, 4, k);
	assert_int_equal(btt_ledger_multisig_propose(&m, &p, k, 3), 0);
	key(&m, 1, k);
	assert_int_equal(btt_ledger_multisig_approve(&m, &p, k, 4), 0);
	n = encode_proposal(&p, buf, sizeof(buf));
	assert_int_equal(n, BTT_MULTISIG_PROPOSAL_FIXED_LEN + 2 * 20 +
				    sizeof(action));
	assert_int_equal(btt_ledger_multisig_proposal_decode(buf, n, &back), 0);
	assert_memory_equal(back.account, p.account, BTT_ADDR_LEN);
	assert_int_equal(back.nonce, 7);
	assert_int_equal(back.created_height, 3);
	assert_int_equal(back.expiry_height, 100);
	assert_int_equal(back.n_approvals, 2);
	assert_memory_equal(back.approvals, p.approvals, 2 * BTT_ADDR_LEN);
	assert_int_equal(back.action_type, 0x0101);
	assert_int_equal(back.action_len, sizeof(action));
	assert_ptr_equal(back.action, buf + n - sizeof(action));
	for (size_t i = 0; i < n; i++)
		assert_int_equal(
			btt_ledger_multisig_proposal_decode(buf, i, &back),
			BTT_ETRUNCATED);
	buf[n] = 0;
	assert_int_equal(btt_ledger_multisig_proposal_decode(buf, n + 1, &back),
			 BTT_ETRAILING);
	/* approvals swapped: not canonical */
	memcpy(buf + 47 + 20, p.approvals[0], 20);
	memcpy(buf + 47, p.approvals[1], 20);
	assert_int_equal(btt_ledger_multisig_proposal_decode(buf, n, &back),
			 BTT_EINVALID);
	memcpy(buf + 47, p.approvals[0], 20);
	memcpy(buf + 47 + 20, p.approvals[1], 20);
	buf[45] = 3; /* status */
	assert_int_equal(btt_ledger_multisig_proposal_decode(buf, n, &back),
			 BTT_EINVALID);
	p.created_height = 101;
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	assert_int_equal(btt_ledger_multisig_proposal_encode(&p, &w),
			 BTT_EINVALID);
}

static void test_multisig_action_limit(void **state)
{
	static uint8_t big[BTT_MULTISIG_MAX_ACTION + 1];
	static uint8_t buf[BTT_MULTISIG_PROPOSAL_MAX_LEN + 1];
	struct btt_multisig m = def(2, 1);
	struct btt_multisig_proposal p, back;
	uint8_t k[BTT_ADDR_LEN];
	size_t n;
	(void)state;

	key(&m, 0, k);
	for (size_t len = BTT_MULTISIG_MAX_ACTION - 1;
	     len <= BTT_MULTISIG_MAX_ACTION; len++) {
		p = proposal(10);
		p.action = big;
		p.action_len = len;
		assert_int_equal(btt_ledger_multisig_propose(&m, &p, k, 1), 0);
		n = encode_proposal(&p, buf, sizeof(buf));
		assert_int_equal(
			btt_ledger_multisig_proposal_decode(buf, n, &back), 0);
		assert_int_equal(back.action_len, len);
	}
	/* max + 1: refused when proposed and when decoded */
	p = proposal(10);
	p.action = big;
	p.action_len = BTT_MULTISIG_MAX_ACTION + 1;
	assert_int_equal(btt_ledger_multisig_propose(&m, &p, k, 1), BTT_ELIMIT);
	buf[n - BTT_MULTISIG_MAX_ACTION - 2] = 0x3e; /* u32 len low bytes */
	buf[n - BTT_MULTISIG_MAX_ACTION - 1] = 0x81; /* 16001 */
	assert_int_equal(btt_ledger_multisig_proposal_decode(buf, n + 1, &back),
			 BTT_ELIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multisig_check_rules),
		cmocka_unit_test(test_multisig_key_limit),
		cmocka_unit_test(test_multisig_codec),
		cmocka_unit_test(test_multisig_derived_ids),
		cmocka_unit_test(test_multisig_release_needs_threshold),
		cmocka_unit_test(test_multisig_double_and_foreign_approvals),
		cmocka_unit_test(test_multisig_expiry),
		cmocka_unit_test(test_multisig_weighted_keys),
		cmocka_unit_test(test_multisig_membership_change),
		cmocka_unit_test(test_multisig_proposal_codec),
		cmocka_unit_test(test_multisig_action_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
