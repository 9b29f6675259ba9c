/* Payload codecs of the vesting, multisig and staking transactions:
 * round trips, exact lengths (short and trailing input refused), the
 * action cap at max - 1, max and max + 1, signer forms, and the dispatch
 * through btt_ledger_tx_payload_check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "ledger/tx.h"
#include "ledger/tx_types.h"

static int check(uint16_t type, const uint8_t *p, size_t n)
{
	struct btt_tx tx;

	memset(&tx, 0, sizeof(tx));
	tx.type = type;
	tx.payload = p;
	tx.payload_len = n;
	return btt_ledger_tx_payload_check(&tx);
}

static void test_exec_payloads_stake(void **state)
{
	uint8_t buf[BTT_TX_STAKE_LEN + 1];
	struct btt_tx_stake t = {{0}, 0}, d;
	struct btt_wbuf w;

	(void)state;
	memset(t.validator, 0x42, 20);
	t.amount = ((btt_u128)7 << 100) | 9;
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	btt_ledger_stake_encode(&t, &w);
	assert_int_equal(w.len, BTT_TX_STAKE_LEN);
	assert_int_equal(btt_ledger_stake_decode(buf, w.len, &d), 0);
	assert_memory_equal(d.validator, t.validator, 20);
	assert_true(d.amount == t.amount);
	assert_int_equal(btt_ledger_stake_decode(buf, w.len - 1, &d),
			 BTT_ETRUNCATED);
	assert_int_equal(btt_ledger_stake_decode(buf, w.len + 1, &d),
			 BTT_ETRAILING);
	assert_int_equal(check(BTT_TX_STAKE_BOND, buf, w.len), 0);
	assert_int_equal(check(BTT_TX_STAKE_UNBOND, buf, w.len - 1),
			 BTT_ETRUNCATED);
}

static void test_exec_payloads_stake_create(void **state)
{
	static const size_t lens[] = {20, 33, 65};
	static const uint8_t prefix[] = {0x11, 0x02, 0x04};
	struct btt_tx_stake_create t, d;
	uint8_t buf[128];
	struct btt_wbuf w;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		memset(&t, 0, sizeof(t));
		t.signer_len = (uint8_t)lens[i];
		memset(t.signer, 0x33, lens[i]);
		t.signer[0] = prefix[i];
		t.commission_bps = 1234;
		t.self_bond = 5;
		btt_wbuf_init_fixed(&w, buf, sizeof(buf));
		assert_int_equal(btt_ledger_stake_create_encode(&t, &w), 0);
		assert_int_equal(w.len, 1 + lens[i] + 2 + 16);
		assert_int_equal(btt_ledger_stake_create_decode(buf, w.len, &d),
				 0);
		assert_int_equal(d.signer_len, lens[i]);
		assert_memory_equal(d.signer, t.signer, lens[i]);
		assert_int_equal(d.commission_bps, 1234);
		assert_int_equal(check(BTT_TX_STAKE_CREATE, buf, w.len), 0);
		assert_int_equal(check(BTT_TX_STAKE_CREATE, buf, w.len + 1),
				 BTT_ETRAILING);
		assert_int_equal(check(BTT_TX_STAKE_CREATE, buf, w.len - 1),
				 BTT_ETRUNCATED);
	}
	/* a compressed key must start 02/03; no other lengths */
	buf[1] = 0x05;
	assert_int_equal(btt_ledger_stake_create_decode(buf, w.len, &d),
			 BTT_EINVALID);
	buf[0] = 66;
	assert_int_equal(btt_ledger_stake_create_decode(buf, w.len, &d),
			 BTT_EINVALID);
	buf[0] = 21;
	assert_int_equal(btt_ledger_stake_create_decode(buf, 1 + 21 + 18, &d),
			 BTT_EINVALID);
	t.signer_len = 0;
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	assert_int_equal(btt_ledger_stake_create_encode(&t, &w), BTT_EINVALID);
}

/* A propose payload around an action of n bytes: a TRANSFER when n is
 * 36, otherwise filler. */
static size_t propose_bytes(uint8_t *out, size_t n, uint16_t type)
{
	struct btt_tx_msig_propose t;
	uint8_t *action = calloc(1, n ? n : 1);
	struct btt_wbuf w;

	memset(t.account, 0x61, 20);
	t.expiry_height = 77;
	t.action_type = type;
	t.action = action;
	t.action_len = n;
	btt_wbuf_init_fixed(&w, out, BTT_TX_MAX_PAYLOAD);
	if (btt_ledger_msig_propose_encode(&t, &w) != 0)
		w.len = 0;
	free(action);
	return w.len;
}

static void test_exec_payloads_propose(void **state)
{
	uint8_t *buf = malloc(BTT_TX_MAX_PAYLOAD);
	struct btt_tx_msig_propose d;
	size_t n;

	(void)state;
	n = propose_bytes(buf, BTT_TX_TRANSFER_LEN, BTT_TX_TRANSFER);
	assert_int_equal(n, BTT_TX_MSIG_PROPOSE_FIXED + BTT_TX_TRANSFER_LEN);
	assert_int_equal(btt_ledger_msig_propose_decode(buf, n, &d), 0);
	assert_int_equal(d.expiry_height, 77);
	assert_int_equal(d.action_len, BTT_TX_TRANSFER_LEN);
	assert_ptr_equal(d.action, buf + BTT_TX_MSIG_PROPOSE_FIXED);
	assert_int_equal(check(BTT_TX_MSIG_PROPOSE, buf, n), 0);
	assert_int_equal(btt_ledger_msig_propose_decode(buf, n - 1, &d),
			 BTT_ETRUNCATED);
	assert_int_equal(btt_ledger_msig_propose_decode(buf, n + 1, &d),
			 BTT_ETRAILING);
	/* only bank actions */
	n = propose_bytes(buf, BTT_TX_TRANSFER_LEN, BTT_TX_STAKE_BOND);
	assert_int_equal(btt_ledger_msig_propose_decode(buf, n, &d),
			 BTT_EUNSUPPORTED);
	/* the action cap: max - 1 and max pass the cap (and then fail as a
	 * transfer), max + 1 is refused by it */
	for (size_t a = BTT_MULTISIG_MAX_ACTION - 1;
	     a <= BTT_MULTISIG_MAX_ACTION; a++) {
		n = propose_bytes(buf, a, BTT_TX_TRANSFER);
		assert_int_equal(n, BTT_TX_MSIG_PROPOSE_FIXED + a);
		assert_int_equal(btt_ledger_msig_propose_decode(buf, n, &d),
				 BTT_ETRAILING);
	}
	assert_int_equal(propose_bytes(buf, BTT_MULTISIG_MAX_ACTION + 1,
				       BTT_TX_TRANSFER),
			 0);
	buf[30] = 0;
	buf[31] = 0;
	buf[32] = (BTT_MULTISIG_MAX_ACTION + 1) >> 8;
	buf[33] = (BTT_MULTISIG_MAX_ACTION + 1) & 0xff;
	assert_int_equal(
		btt_ledger_msig_propose_decode(
			buf,
			BTT_TX_MSIG_PROPOSE_FIXED + BTT_MULTISIG_MAX_ACTION + 1,
			&d),
		BTT_ELIMIT);
	free(buf);
}

static void test_exec_payloads_ids_and_defs(void **state)
{
	uint8_t id[33] = {0}, out[32], a[20], b[20], c[20];
	uint8_t creator[20] = {9};
	struct btt_multisig m;
	uint8_t buf[64];
	struct btt_wbuf w;

	(void)state;
	assert_int_equal(btt_ledger_msig_id_decode(id, 32, out), 0);
	assert_int_equal(btt_ledger_msig_id_decode(id, 31, out),
			 BTT_ETRUNCATED);
	assert_int_equal(btt_ledger_msig_id_decode(id, 33, out), BTT_ETRAILING);
	assert_int_equal(check(BTT_TX_MSIG_APPROVE, id, 32), 0);
	assert_int_equal(check(BTT_TX_MSIG_EXECUTE, id, 33), BTT_ETRAILING);
	memset(&m, 0, sizeof(m));
	m.threshold = 1;
	m.n_keys = 1;
	m.keys[0].weight = 1;
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	assert_int_equal(btt_ledger_multisig_encode(&m, &w), 0);
	assert_int_equal(check(BTT_TX_MSIG_CREATE, buf, w.len), 0);
	assert_int_equal(check(BTT_TX_MSIG_CREATE, buf, w.len + 1),
			 BTT_ETRAILING);
	assert_int_equal(check(0x03ff, buf, w.len), BTT_EUNSUPPORTED);
	btt_ledger_msig_create_address(creator, 0, a);
	btt_ledger_msig_create_address(creator, 1, b);
	btt_ledger_msig_create_address(creator, 0, c);
	assert_memory_not_equal(a, b, 20);
	assert_memory_equal(a, c, 20);
}

static void test_exec_payloads_vesting_create(void **state)
{
	struct btt_tx_vesting_create t, d;
	uint8_t buf[256];
	struct btt_wbuf w;

	(void)state;
	memset(&t, 0, sizeof(t));
	memset(t.to, 0x71, 20);
	t.v.type = BTT_VESTING_CONTINUOUS;
	t.v.original = 1000;
	t.v.start = 10;
	t.v.end = 20;
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	assert_int_equal(btt_ledger_vesting_create_encode(&t, &w), 0);
	assert_int_equal(w.len, 20 + BTT_VESTING_FIXED_LEN);
	assert_int_equal(btt_ledger_vesting_create_decode(buf, w.len, &d), 0);
	assert_true(d.v.original == 1000 && d.v.end == 20);
	assert_int_equal(check(BTT_TX_VESTING_CREATE, buf, w.len), 0);
	assert_int_equal(check(BTT_TX_VESTING_CREATE, buf, w.len + 1),
			 BTT_ETRAILING);
	assert_int_equal(check(BTT_TX_VESTING_CREATE, buf, 19), BTT_ETRUNCATED);
	/* a schedule that arrives already delegated is refused */
	t.v.delegated_free = 1;
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	assert_int_equal(btt_ledger_vesting_create_encode(&t, &w), 0);
	assert_int_equal(btt_ledger_vesting_create_decode(buf, w.len, &d),
			 BTT_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_payloads_stake),
		cmocka_unit_test(test_exec_payloads_stake_create),
		cmocka_unit_test(test_exec_payloads_propose),
		cmocka_unit_test(test_exec_payloads_ids_and_defs),
		cmocka_unit_test(test_exec_payloads_vesting_create),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
