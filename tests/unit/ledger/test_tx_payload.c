/* Bank payloads: TRANSFER's exact size, MULTI_TRANSFER's count cap and
 * exact length, round trips, and the per-type dispatch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "ledger/tx.h"

static void test_tx_payload_transfer_exact_size(void **state)
{
	struct btt_tx_transfer t = {.amount = 12345}, back;
	uint8_t buf[BTT_TX_TRANSFER_LEN + 1] = {0};
	struct btt_wbuf w;
	(void)state;

	memset(t.to, 0xaa, sizeof(t.to));
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	btt_ledger_transfer_encode(&t, &w);
	assert_int_equal(btt_wbuf_err(&w), 0);
	assert_int_equal(w.len, BTT_TX_TRANSFER_LEN);
	assert_int_equal(btt_ledger_transfer_decode(buf, 35, &back),
			 BTT_ETRUNCATED);
	assert_int_equal(btt_ledger_transfer_decode(buf, 36, &back), 0);
	assert_memory_equal(back.to, t.to, 20);
	assert_true(back.amount == 12345);
	assert_int_equal(btt_ledger_transfer_decode(buf, 37, &back),
			 BTT_ETRAILING);
	assert_int_equal(btt_ledger_transfer_decode(NULL, 0, &back),
			 BTT_ETRUNCATED);
}

/* A multi-transfer payload of `count` entries (entry i pays i + 1 to an
 * address of bytes i); count goes on the wire as given, even if invalid. */
static uint8_t *multi_bytes(size_t count, size_t *len)
{
	uint8_t *p;

	*len = 2 + count * BTT_TX_TRANSFER_LEN;
	p = calloc(1, *len);
	assert_non_null(p);
	p[0] = (uint8_t)(count >> 8);
	p[1] = (uint8_t)count;
	for (size_t i = 0; i < count; i++) {
		uint8_t *e = p + 2 + i * BTT_TX_TRANSFER_LEN;
		memset(e, (int)(i & 0xff), BTT_ADDR_LEN);
		btt_u128_put_be((btt_u128)i + 1, e + BTT_ADDR_LEN);
	}
	return p;
}

static void test_tx_payload_multi_count_limit(void **state)
{
	struct btt_tx_multi m;
	struct btt_tx_transfer t;
	uint8_t *p;
	size_t len;
	(void)state;

	p = multi_bytes(BTT_TX_MAX_TRANSFERS - 1, &len);
	assert_int_equal(btt_ledger_multi_decode(p, len, &m), 0);
	assert_int_equal(m.count, BTT_TX_MAX_TRANSFERS - 1);
	free(p);
	p = multi_bytes(BTT_TX_MAX_TRANSFERS, &len);
	assert_int_equal(btt_ledger_multi_decode(p, len, &m), 0);
	assert_int_equal(m.count, BTT_TX_MAX_TRANSFERS);
	btt_ledger_multi_entry(&m, BTT_TX_MAX_TRANSFERS - 1, &t);
	assert_int_equal(t.to[0], (BTT_TX_MAX_TRANSFERS - 1) & 0xff);
	assert_true(t.amount == BTT_TX_MAX_TRANSFERS);
	free(p);
	p = multi_bytes(BTT_TX_MAX_TRANSFERS + 1, &len);
	assert_int_equal(btt_ledger_multi_decode(p, len, &m), BTT_ELIMIT);
	/* The count is refused before the length is looked at. */
	assert_int_equal(btt_ledger_multi_decode(p, 2, &m), BTT_ELIMIT);
	free(p);
}

static void test_tx_payload_multi_rejects(void **state)
{
	struct btt_tx_multi m;
	uint8_t *p, *q;
	size_t len;
	(void)state;

	p = multi_bytes(0, &len);
	assert_int_equal(btt_ledger_multi_decode(p, len, &m), BTT_EMALFORMED);
	free(p);
	p = multi_bytes(3, &len);
	assert_int_equal(btt_ledger_multi_decode(p, 0, &m), BTT_ETRUNCATED);
	assert_int_equal(btt_ledger_multi_decode(p, 1, &m), BTT_ETRUNCATED);
	assert_int_equal(btt_ledger_multi_decode(p, len - 1, &m),
			 BTT_ETRUNCATED);
	assert_int_equal(btt_ledger_multi_decode(p, len, &m), 0);
	q = malloc(len + 1);
	assert_non_null(q);
	memcpy(q, p, len);
	q[len] = 0;
	assert_int_equal(btt_ledger_multi_decode(q, len + 1, &m),
			 BTT_ETRAILING);
	free(q);
	free(p);
}

static void test_tx_payload_multi_roundtrip(void **state)
{
	struct btt_tx_transfer items[3], t;
	struct btt_tx_multi m;
	struct btt_wbuf w;
	uint8_t *p;
	size_t len;
	(void)state;

	for (int i = 0; i < 3; i++) {
		memset(items[i].to, i + 1, BTT_ADDR_LEN);
		items[i].amount = BTT_U128_MAX - (btt_u128)i;
	}
	btt_wbuf_init(&w, BTT_TX_MAX_PAYLOAD);
	assert_int_equal(btt_ledger_multi_encode(items, 3, &w), 0);
	p = btt_wbuf_detach(&w, &len);
	assert_int_equal(len, 2 + 3 * BTT_TX_TRANSFER_LEN);
	assert_int_equal(btt_ledger_multi_decode(p, len, &m), 0);
	assert_int_equal(m.count, 3);
	for (size_t i = 0; i < 3; i++) {
		btt_ledger_multi_entry(&m, i, &t);
		assert_memory_equal(t.to, items[i].to, BTT_ADDR_LEN);
		assert_true(t.amount == items[i].amount);
	}
	free(p);
}

static void test_tx_payload_multi_encode_limits(void **state)
{
	static struct btt_tx_transfer items[BTT_TX_MAX_TRANSFERS + 1];
	struct btt_wbuf w;
	(void)state;

	btt_wbuf_init(&w, BTT_TX_MAX_PAYLOAD);
	assert_int_equal(btt_ledger_multi_encode(items, 0, &w), BTT_EINVALID);
	assert_int_equal(
		btt_ledger_multi_encode(items, BTT_TX_MAX_TRANSFERS + 1, &w),
		BTT_ELIMIT);
	assert_int_equal(w.len, 0);
	assert_int_equal(
		btt_ledger_multi_encode(items, BTT_TX_MAX_TRANSFERS, &w), 0);
	assert_int_equal(w.len, 2 + BTT_TX_MAX_TRANSFERS * BTT_TX_TRANSFER_LEN);
	btt_wbuf_release(&w);
}

static void test_tx_payload_check_by_type(void **state)
{
	uint8_t buf[BTT_TX_TRANSFER_LEN] = {0}, *multi;
	struct btt_tx tx;
	size_t len;
	(void)state;

	memset(&tx, 0, sizeof(tx));
	tx.version = BTT_TX_VERSION;
	tx.type = BTT_TX_TRANSFER;
	tx.payload = buf;
	tx.payload_len = sizeof(buf);
	assert_int_equal(btt_ledger_tx_payload_check(&tx), 0);
	tx.payload_len--;
	assert_int_equal(btt_ledger_tx_payload_check(&tx), BTT_ETRUNCATED);
	tx.type = BTT_TX_MULTI_TRANSFER;
	assert_int_equal(btt_ledger_tx_payload_check(&tx), BTT_EMALFORMED);
	multi = multi_bytes(2, &len);
	tx.payload = multi;
	tx.payload_len = len;
	assert_int_equal(btt_ledger_tx_payload_check(&tx), 0);
	tx.type = 0x0103;
	assert_int_equal(btt_ledger_tx_payload_check(&tx), BTT_EUNSUPPORTED);
	tx.type = 0;
	assert_int_equal(btt_ledger_tx_payload_check(&tx), BTT_EUNSUPPORTED);
	free(multi);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tx_payload_transfer_exact_size),
		cmocka_unit_test(test_tx_payload_multi_count_limit),
		cmocka_unit_test(test_tx_payload_multi_rejects),
		cmocka_unit_test(test_tx_payload_multi_roundtrip),
		cmocka_unit_test(test_tx_payload_multi_encode_limits),
		cmocka_unit_test(test_tx_payload_check_by_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
