/* Transactions: the byte layout against a hand-written encoding, decoder
 * limits and rejections, signing hash coverage, signatures and fees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "core/codec.h"
#include "crypto/hash.h"
#include "ledger/tx.h"

/* A transfer of 1 BTT from the address of key 1 on chain 7, written out
 * field by field from the documented layout (without the signature). */
static const char golden_unsigned[] =
	"01"					   /* version */
	"0000000000000007"			   /* chain_id */
	"0101"					   /* type TRANSFER */
	"7e5f4552091a69125d5dfcb7b8c2659029395bdf" /* from */
	"0000000000000005"			   /* nonce */
	"000000000000000000071afd498d0000"	   /* max_fee 0.002 BTT */
	"00000000000003e8"			   /* expiry_height 1000 */
	"00000024"				   /* payload_len 36 */
	"5aaeb6053f3e94c9b9a09f33669435e7ef1beaed" /* to */
	"00000000000000000de0b6b3a7640000";	   /* amount 1 BTT */

/* Its signature by key 1 (RFC 6979 signing is deterministic) and txid:
 * pinned so that any change to the signed bytes shows up here. */
static const char golden_sig[] =
	"c44043ee574ffe918bc356a6f3ce7898e3604705a278ce0b70486239f145743e"
	"4fe2f3ed1d77bff4129298910f47b52e3b3728eb6e8ea91a963fceb284dea77a"
	"01";
static const char golden_txid[] =
	"fed651251ca2750094f6af1a973bc401dd1f09d5cd989de90ade9caa550140ca";

#define GOLDEN_LEN (BTT_TX_HEAD_LEN + BTT_TX_TRANSFER_LEN)

static uint8_t key_one[32] = {[31] = 1};

static void unhex(const char *s, uint8_t *out, size_t n)
{
	assert_int_equal(btt_hex_decode(s, strlen(s), out, n), 0);
}

static void make_golden(struct btt_tx *tx, uint8_t payload[36])
{
	struct btt_tx_transfer t;

	memset(tx, 0, sizeof(*tx));
	unhex("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", t.to, 20);
	t.amount = BTT_COIN;
	btt_u128_put_be(t.amount, payload + 20);
	memcpy(payload, t.to, 20);
	tx->version = BTT_TX_VERSION;
	tx->chain_id = 7;
	tx->type = BTT_TX_TRANSFER;
	tx->nonce = 5;
	tx->max_fee = 2 * BTT_COIN / 1000;
	tx->expiry_height = 1000;
	tx->payload = payload;
	tx->payload_len = 36;
}

/* Encodes tx into a fresh malloc'd buffer. */
static uint8_t *encode(const struct btt_tx *tx, size_t *len)
{
	struct btt_wbuf w;
	uint8_t *p;

	btt_wbuf_init(&w, BTT_TX_MAX_LEN);
	assert_int_equal(btt_ledger_tx_encode(tx, &w), 0);
	p = btt_wbuf_detach(&w, len);
	assert_non_null(p);
	return p;
}

static void test_tx_golden_layout_and_sighash(void **state)
{
	uint8_t payload[36], want[GOLDEN_LEN], hash[32], hash2[32], *enc;
	uint8_t sig[65];
	uint8_t chain[8] = {0, 0, 0, 0, 0, 0, 0, 7};
	struct btt_keccak256 h;
	struct btt_tx tx;
	size_t len;
	(void)state;

	make_golden(&tx, payload);
	assert_int_equal(btt_ledger_tx_sign(&tx, key_one), 0);
	unhex(golden_unsigned, want, sizeof(want));
	enc = encode(&tx, &len);
	assert_int_equal(len, GOLDEN_LEN + 65);
	assert_int_equal(len, btt_ledger_tx_len(&tx));
	assert_memory_equal(enc, want, GOLDEN_LEN);
	assert_memory_equal(enc + GOLDEN_LEN, tx.sig, 65);
	unhex(golden_sig, sig, 65);
	assert_memory_equal(tx.sig, sig, 65);

	btt_keccak256_init(&h);
	btt_keccak256_update(&h, "BTT-TX-v1", 9);
	btt_keccak256_update(&h, chain, 8);
	btt_keccak256_update(&h, want, sizeof(want));
	btt_keccak256_final(&h, hash);
	assert_int_equal(btt_ledger_tx_sighash(&tx, hash2), 0);
	assert_memory_equal(hash, hash2, 32);

	btt_keccak256(enc, len, hash);
	assert_int_equal(btt_ledger_tx_id(&tx, hash2), 0);
	assert_memory_equal(hash, hash2, 32);
	unhex(golden_txid, hash, 32);
	assert_memory_equal(hash, hash2, 32);
	assert_int_equal(btt_ledger_tx_verify(&tx), 0);
	free(enc);
}

static void test_tx_roundtrip(void **state)
{
	uint8_t payload[36], *enc, *enc2;
	struct btt_tx tx, back;
	size_t len, len2;
	(void)state;

	make_golden(&tx, payload);
	tx.max_fee = BTT_U128_MAX;
	tx.nonce = UINT64_MAX;
	tx.chain_id = UINT64_MAX;
	tx.expiry_height = UINT64_MAX;
	tx.type = 0xffff;
	assert_int_equal(btt_ledger_tx_sign(&tx, key_one), 0);
	enc = encode(&tx, &len);
	assert_int_equal(btt_ledger_tx_decode(enc, len, &back), 0);
	assert_int_equal(back.version, tx.version);
	assert_true(back.chain_id == tx.chain_id);
	assert_int_equal(back.type, tx.type);
	assert_memory_equal(back.from, tx.from, 20);
	assert_true(back.nonce == tx.nonce);
	assert_true(back.max_fee == tx.max_fee);
	assert_true(back.expiry_height == tx.expiry_height);
	assert_int_equal(back.payload_len, 36);
	assert_memory_equal(back.payload, payload, 36);
	assert_true(back.payload >= enc && back.payload < enc + len);
	assert_memory_equal(back.sig, tx.sig, 65);
	enc2 = encode(&back, &len2);
	assert_int_equal(len, len2);
	assert_memory_equal(enc, enc2, len);
	assert_int_equal(btt_ledger_tx_verify(&back), 0);
	free(enc);
	free(enc2);
}

static void test_tx_empty_payload(void **state)
{
	struct btt_tx tx, back;
	uint8_t *enc;
	size_t len;
	(void)state;

	memset(&tx, 0, sizeof(tx));
	tx.version = BTT_TX_VERSION;
	enc = encode(&tx, &len);
	assert_int_equal(len, BTT_TX_FIXED_LEN);
	assert_int_equal(btt_ledger_tx_decode(enc, len, &back), 0);
	assert_int_equal(back.payload_len, 0);
	free(enc);
}

static void test_tx_decode_every_truncation(void **state)
{
	uint8_t payload[36], *enc;
	struct btt_tx tx, back;
	size_t len;
	(void)state;

	make_golden(&tx, payload);
	assert_int_equal(btt_ledger_tx_sign(&tx, key_one), 0);
	enc = encode(&tx, &len);
	for (size_t n = 0; n < len; n++) {
		/* An exact-size copy so an overread hits the sanitizer. */
		uint8_t *cut = malloc(n ? n : 1);
		assert_non_null(cut);
		memcpy(cut, enc, n);
		assert_int_equal(btt_ledger_tx_decode(cut, n, &back),
				 BTT_ETRUNCATED);
		free(cut);
	}
	free(enc);
}

static void test_tx_decode_rejects_trailing_and_version(void **state)
{
	uint8_t payload[36], buf[GOLDEN_LEN + 66], *enc;
	struct btt_tx tx, back;
	struct btt_cur c;
	size_t len;
	(void)state;

	make_golden(&tx, payload);
	enc = encode(&tx, &len);
	memcpy(buf, enc, len);
	buf[len] = 0;
	assert_int_equal(btt_ledger_tx_decode(buf, len + 1, &back),
			 BTT_ETRAILING);
	/* The cursor form stops after one transaction instead. */
	btt_cur_init(&c, buf, len + 1);
	assert_int_equal(btt_ledger_tx_get(&c, &back), 0);
	assert_int_equal(btt_cur_len(&c), 1);
	for (int v = 0; v < 256; v++) {
		buf[0] = (uint8_t)v;
		assert_int_equal(btt_ledger_tx_decode(buf, len, &back),
				 v == 1 ? 0 : BTT_EUNSUPPORTED);
	}
	buf[0] = 2;
	btt_cur_init(&c, buf, len);
	assert_int_equal(btt_ledger_tx_get(&c, &back), BTT_EUNSUPPORTED);
	assert_int_equal(btt_cur_len(&c), len);
	free(enc);
}

/* Builds an encoding with a declared payload length and that many bytes. */
static uint8_t *with_payload(size_t plen, size_t *out_len)
{
	size_t len = BTT_TX_FIXED_LEN + plen;
	uint8_t *p = calloc(1, len);

	assert_non_null(p);
	p[0] = BTT_TX_VERSION;
	p[BTT_TX_HEAD_LEN - 4] = (uint8_t)(plen >> 24);
	p[BTT_TX_HEAD_LEN - 3] = (uint8_t)(plen >> 16);
	p[BTT_TX_HEAD_LEN - 2] = (uint8_t)(plen >> 8);
	p[BTT_TX_HEAD_LEN - 1] = (uint8_t)plen;
	*out_len = len;
	return p;
}

static void test_tx_payload_limit(void **state)
{
	struct btt_tx tx;
	uint8_t *p;
	size_t len;
	(void)state;

	p = with_payload(BTT_TX_MAX_PAYLOAD - 1, &len);
	assert_int_equal(btt_ledger_tx_decode(p, len, &tx), 0);
	assert_int_equal(tx.payload_len, BTT_TX_MAX_PAYLOAD - 1);
	free(p);
	p = with_payload(BTT_TX_MAX_PAYLOAD, &len);
	assert_int_equal(len, BTT_TX_MAX_LEN);
	assert_int_equal(btt_ledger_tx_decode(p, len, &tx), 0);
	assert_int_equal(tx.payload_len, BTT_TX_MAX_PAYLOAD);
	free(p);
	p = with_payload(BTT_TX_MAX_PAYLOAD + 1, &len);
	assert_int_equal(btt_ledger_tx_decode(p, len, &tx), BTT_ELIMIT);
	/* A huge declared length is refused before any bytes are needed. */
	memset(p + BTT_TX_HEAD_LEN - 4, 0xff, 4);
	assert_int_equal(btt_ledger_tx_decode(p, BTT_TX_HEAD_LEN, &tx),
			 BTT_ELIMIT);
	free(p);
}

static void test_tx_encode_rejects(void **state)
{
	static uint8_t big[BTT_TX_MAX_PAYLOAD + 1];
	uint8_t out[BTT_TX_FIXED_LEN + 35], hash[32];
	struct btt_tx tx;
	struct btt_wbuf w;
	(void)state;

	memset(&tx, 0, sizeof(tx));
	tx.version = 2;
	btt_wbuf_init(&w, BTT_TX_MAX_LEN);
	assert_int_equal(btt_ledger_tx_encode(&tx, &w), BTT_EUNSUPPORTED);
	assert_int_equal(btt_ledger_tx_sighash(&tx, hash), BTT_EUNSUPPORTED);
	assert_int_equal(btt_ledger_tx_sign(&tx, key_one), BTT_EUNSUPPORTED);
	tx.version = BTT_TX_VERSION;
	tx.payload = big;
	tx.payload_len = BTT_TX_MAX_PAYLOAD + 1;
	assert_int_equal(btt_ledger_tx_encode(&tx, &w), BTT_ELIMIT);
	assert_int_equal(btt_ledger_tx_id(&tx, hash), BTT_ELIMIT);
	assert_int_equal(btt_ledger_tx_verify(&tx), BTT_ELIMIT);
	tx.payload_len = BTT_TX_MAX_PAYLOAD;
	assert_int_equal(btt_ledger_tx_encode(&tx, &w), 0);
	assert_int_equal(w.len, BTT_TX_MAX_LEN);
	btt_wbuf_release(&w);
	/* One byte short of room: the buffer's error comes back. */
	tx.payload_len = 36;
	btt_wbuf_init_fixed(&w, out, sizeof(out));
	assert_int_equal(btt_ledger_tx_encode(&tx, &w), BTT_ENOSPACE);
}

static void test_tx_sighash_covers_every_field(void **state)
{
	uint8_t payload[36], base[32], h[32];
	struct btt_tx tx, t;
	(void)state;

	make_golden(&tx, payload);
	assert_int_equal(btt_ledger_tx_sighash(&tx, base), 0);
	for (int f = 0; f < 7; f++) {
		t = tx;
		switch (f) {
		case 0: t.chain_id ^= 1; break;
		case 1: t.type ^= 1; break;
		case 2: t.from[19] ^= 1; break;
		case 3: t.nonce ^= 1; break;
		case 4: t.max_fee ^= 1; break;
		case 5: t.expiry_height ^= 1; break;
		case 6: t.payload_len--; break;
		}
		assert_int_equal(btt_ledger_tx_sighash(&t, h), 0);
		assert_memory_not_equal(h, base, 32);
	}
	/* The signature is not signed, but it is part of the txid. */
	t = tx;
	t.sig[0] ^= 1;
	assert_int_equal(btt_ledger_tx_sighash(&t, h), 0);
	assert_memory_equal(h, base, 32);
	assert_int_equal(btt_ledger_tx_id(&tx, base), 0);
	assert_int_equal(btt_ledger_tx_id(&t, h), 0);
	assert_memory_not_equal(h, base, 32);
}

static void test_tx_verify_rejects(void **state)
{
	static const char order_hex[] = "fffffffffffffffffffffffffffffffe"
					"baaedce6af48a03bbfd25e8cd0364141";
	uint8_t payload[36], n[32], other[32] = {[31] = 2};
	struct btt_tx tx, t;
	int borrow = 0;
	(void)state;

	make_golden(&tx, payload);
	assert_int_equal(btt_ledger_tx_sign(&tx, key_one), 0);
	assert_int_equal(btt_ledger_tx_verify(&tx), 0);
	t = tx;
	t.from[0] ^= 1;
	assert_int_equal(btt_ledger_tx_verify(&t), BTT_ESIGNATURE);
	t = tx;
	t.nonce++;
	assert_int_equal(btt_ledger_tx_verify(&t), BTT_ESIGNATURE);
	t = tx;
	t.sig[64] = 2;
	assert_int_equal(btt_ledger_tx_verify(&t), BTT_ESIGNATURE);
	/* Signed by another key but claiming key 1's address. */
	t = tx;
	assert_int_equal(btt_ledger_tx_sign(&t, other), 0);
	memcpy(t.from, tx.from, 20);
	assert_int_equal(btt_ledger_tx_verify(&t), BTT_ESIGNATURE);
	/* The high-S twin: s' = n - s, v flipped. */
	t = tx;
	unhex(order_hex, n, 32);
	for (int i = 31; i >= 0; i--) {
		int v = n[i] - tx.sig[32 + i] - borrow;
		borrow = v < 0;
		t.sig[32 + i] = (uint8_t)(v + (borrow ? 256 : 0));
	}
	t.sig[64] ^= 1;
	assert_int_equal(btt_ledger_tx_verify(&t), BTT_ESIGNATURE);
	/* Signing with an invalid key fails. */
	t = tx;
	memset(n, 0, 32);
	assert_int_equal(btt_ledger_tx_sign(&t, n), BTT_EINVALID);
}

static void test_tx_fee(void **state)
{
	uint8_t payload[36];
	struct btt_tx tx;
	(void)state;

	make_golden(&tx, payload);
	assert_int_equal(btt_ledger_tx_len(&tx), 168);
	assert_true(btt_ledger_tx_fee(&tx) == (btt_u128)1168000000000000ull);
	/* A transfer costs a small fraction of one BTT. */
	assert_true(btt_ledger_tx_fee(&tx) < BTT_COIN / 100);
	tx.payload_len = BTT_TX_MAX_PAYLOAD;
	assert_true(btt_ledger_tx_fee(&tx) ==
		    BTT_TX_FEE_BASE + BTT_TX_FEE_PER_BYTE * BTT_TX_MAX_LEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tx_golden_layout_and_sighash),
		cmocka_unit_test(test_tx_roundtrip),
		cmocka_unit_test(test_tx_empty_payload),
		cmocka_unit_test(test_tx_decode_every_truncation),
		cmocka_unit_test(test_tx_decode_rejects_trailing_and_version),
		cmocka_unit_test(test_tx_payload_limit),
		cmocka_unit_test(test_tx_encode_rejects),
		cmocka_unit_test(test_tx_sighash_covers_every_field),
		cmocka_unit_test(test_tx_verify_rejects),
		cmocka_unit_test(test_tx_fee),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
