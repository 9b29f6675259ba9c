/* Block, header and receipt codecs: round trips, the documented byte
 * layout, every truncation, hostile counts and lengths, the caps at
 * max - 1, max and max + 1, the Merkle root shape, and the proposer's
 * signature (high S refused). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_exec_util.h"

static void fill_header(struct btt_ledger_header *h, uint64_t seed)
{
	uint8_t *fields[] = {h->parent_hash, h->tx_root, h->receipts_root,
			     h->state_root, h->validators_hash};

	memset(h, 0, sizeof(*h));
	h->version = BTT_BLOCK_VERSION;
	h->chain_id = ex_rng(&seed);
	h->height = ex_rng(&seed);
	h->time_ms = ex_rng(&seed);
	for (size_t i = 0; i < 5; i++)
		for (size_t j = 0; j < 32; j++)
			fields[i][j] = (uint8_t)ex_rng(&seed);
	for (size_t j = 0; j < 20; j++)
		h->proposer[j] = (uint8_t)ex_rng(&seed);
}

static void test_block_header_layout(void **state)
{
	struct btt_ledger_header h, d;
	uint8_t enc[BTT_BLOCK_HEADER_LEN], want[BTT_BLOCK_HEADER_LEN + 12];
	uint8_t hash[32], expect[32];

	(void)state;
	fill_header(&h, 1);
	btt_ledger_header_encode(&h, enc);
	/* the layout of block.h, field by field */
	assert_int_equal(enc[0], 1);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(enc[1 + i],
				 (uint8_t)(h.chain_id >> (56 - 8 * i)));
		assert_int_equal(enc[9 + i],
				 (uint8_t)(h.height >> (56 - 8 * i)));
		assert_int_equal(enc[17 + i],
				 (uint8_t)(h.time_ms >> (56 - 8 * i)));
	}
	assert_memory_equal(enc + 25, h.parent_hash, 32);
	assert_memory_equal(enc + 57, h.tx_root, 32);
	assert_memory_equal(enc + 89, h.receipts_root, 32);
	assert_memory_equal(enc + 121, h.state_root, 32);
	assert_memory_equal(enc + 153, h.validators_hash, 32);
	assert_memory_equal(enc + 185, h.proposer, 20);
	memcpy(want, "BTT-BLOCK-v1", 12);
	memcpy(want + 12, enc, sizeof(enc));
	btt_keccak256(want, sizeof(want), expect);
	btt_ledger_header_hash(&h, hash);
	assert_memory_equal(hash, expect, 32);
	assert_int_equal(btt_ledger_header_decode(enc, sizeof(enc), &d), 0);
	assert_memory_equal(&d.proposer, &h.proposer, 20);
	assert_true(d.chain_id == h.chain_id && d.height == h.height &&
		    d.time_ms == h.time_ms);
	for (size_t n = 0; n < sizeof(enc); n++)
		assert_int_equal(btt_ledger_header_decode(enc, n, &d),
				 BTT_ETRUNCATED);
	assert_int_equal(btt_ledger_header_decode(want, sizeof(enc) + 1, &d),
			 BTT_EUNSUPPORTED); /* 'B' is not version 1 */
	enc[0] = 2;
	assert_int_equal(btt_ledger_header_decode(enc, sizeof(enc), &d),
			 BTT_EUNSUPPORTED);
}

static void test_block_header_trailing(void **state)
{
	struct btt_ledger_header h, d;
	uint8_t enc[BTT_BLOCK_HEADER_LEN + 1] = {0};

	(void)state;
	fill_header(&h, 2);
	btt_ledger_header_encode(&h, enc);
	assert_int_equal(btt_ledger_header_decode(enc, sizeof(enc), &d),
			 BTT_ETRAILING);
}

/* A minimal structurally valid transaction with a payload of plen bytes
 * (not signed: the codec does not check signatures). */
static size_t raw_tx(uint8_t *out, size_t plen)
{
	memset(out, 0, BTT_TX_FIXED_LEN + plen);
	out[0] = BTT_TX_VERSION;
	out[63] = (uint8_t)(plen >> 24);
	out[64] = (uint8_t)(plen >> 16);
	out[65] = (uint8_t)(plen >> 8);
	out[66] = (uint8_t)plen;
	return BTT_TX_FIXED_LEN + plen;
}

static uint8_t *encode(const struct btt_ledger_block *b, size_t *len)
{
	struct btt_wbuf w;
	uint8_t *p;

	btt_wbuf_init(&w, BTT_BLOCK_MAX_LEN + 1024);
	assert_int_equal(btt_ledger_block_encode(b, &w), 0);
	p = btt_wbuf_detach(&w, len);
	assert_non_null(p);
	return p;
}

static void test_block_roundtrip_and_truncation(void **state)
{
	uint8_t txs[3][BTT_TX_FIXED_LEN + 40];
	struct btt_ledger_txref refs[3];
	struct btt_ledger_block b, d, dup;
	uint8_t *p, *q;
	size_t len, len2;

	(void)state;
	memset(&b, 0, sizeof(b));
	fill_header(&b.header, 3);
	memset(b.sig, 0x5a, sizeof(b.sig));
	for (size_t i = 0; i < 3; i++) {
		refs[i].len = raw_tx(txs[i], i * 20);
		txs[i][70] = (uint8_t)i;
		refs[i].p = txs[i];
	}
	b.txs = refs;
	b.n_txs = 3;
	p = encode(&b, &len);
	assert_int_equal(len, btt_ledger_block_len(&b));
	assert_int_equal(btt_ledger_block_decode(p, len, &d), 0);
	assert_int_equal(d.n_txs, 3);
	q = encode(&d, &len2);
	assert_int_equal(len, len2);
	assert_memory_equal(p, q, len);
	assert_int_equal(btt_ledger_block_dup(&d, &dup), 0);
	assert_non_null(dup.owned);
	free(q);
	q = encode(&dup, &len2);
	assert_memory_equal(p, q, len);
	btt_ledger_block_release(&dup);
	btt_ledger_block_release(&d);
	for (size_t n = 0; n < len; n++) {
		int rc = btt_ledger_block_decode(p, n, &d);
		assert_true(rc == BTT_ETRUNCATED || rc == BTT_ETRAILING);
		assert_null(d.txs);
	}
	free(q);
	q = malloc(len + 1);
	memcpy(q, p, len);
	q[len] = 0;
	assert_int_equal(btt_ledger_block_decode(q, len + 1, &d),
			 BTT_ETRAILING);
	free(q);
	free(p);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void test_block_hostile(void **state)
{
	uint8_t buf[BTT_BLOCK_FIXED_LEN + 4 + BTT_TX_FIXED_LEN + 8];
	size_t off = BTT_BLOCK_FIXED_LEN;
	struct btt_ledger_header h;
	struct btt_ledger_block d;
	size_t tl;

	(void)state;
	memset(buf, 0, sizeof(buf));
	fill_header(&h, 4);
	btt_ledger_header_encode(&h, buf);
	/* a count that promises more than is there */
	put32(buf + off - 4, 1000);
	assert_int_equal(btt_ledger_block_decode(buf, off, &d), BTT_ETRUNCATED);
	/* a count above the cap, refused before any tx is read */
	put32(buf + off - 4, BTT_BLOCK_MAX_TXS + 1);
	assert_int_equal(btt_ledger_block_decode(buf, off, &d), BTT_ELIMIT);
	put32(buf + off - 4, UINT32_MAX);
	assert_int_equal(btt_ledger_block_decode(buf, off, &d), BTT_ELIMIT);
	put32(buf + off - 4, 1);
	tl = raw_tx(buf + off + 4, 0);
	/* tx lengths outside the transaction bounds */
	put32(buf + off, BTT_TX_FIXED_LEN - 1);
	assert_int_equal(btt_ledger_block_decode(buf, off + 4 + tl - 1, &d),
			 BTT_ELIMIT);
	put32(buf + off, BTT_TX_MAX_LEN + 1);
	assert_int_equal(btt_ledger_block_decode(buf, sizeof(buf), &d),
			 BTT_ELIMIT);
	/* a length that disagrees with the tx's own payload length */
	put32(buf + off, (uint32_t)tl + 8);
	assert_int_equal(btt_ledger_block_decode(buf, sizeof(buf), &d),
			 BTT_ETRAILING);
	put32(buf + off, (uint32_t)tl);
	assert_int_equal(btt_ledger_block_decode(buf, off + 4 + tl, &d), 0);
	btt_ledger_block_release(&d);
	/* a tx of an unknown version inside */
	buf[off + 4] = 2;
	assert_int_equal(btt_ledger_block_decode(buf, off + 4 + tl, &d),
			 BTT_EUNSUPPORTED);
	buf[off + 4] = 1;
	/* a header of an unknown version */
	buf[0] = 0;
	assert_int_equal(btt_ledger_block_decode(buf, off + 4 + tl, &d),
			 BTT_EUNSUPPORTED);
}

/* A block of n copies of one minimal tx. */
static void n_txs(struct btt_ledger_block *b, size_t n, const uint8_t *tx,
		  size_t tl)
{
	memset(b, 0, sizeof(*b));
	fill_header(&b->header, 5);
	b->txs = calloc(n, sizeof(*b->txs));
	for (size_t i = 0; i < n; i++) {
		b->txs[i].p = tx;
		b->txs[i].len = tl;
	}
	b->n_txs = n;
}

static void test_block_max_txs(void **state)
{
	uint8_t tx[BTT_TX_FIXED_LEN];
	size_t tl = raw_tx(tx, 0);
	struct btt_ledger_block b, d;
	struct btt_wbuf w;
	size_t len;
	uint8_t *p;

	(void)state;
	for (size_t n = BTT_BLOCK_MAX_TXS - 1; n <= BTT_BLOCK_MAX_TXS; n++) {
		n_txs(&b, n, tx, tl);
		p = encode(&b, &len);
		assert_int_equal(btt_ledger_block_decode(p, len, &d), 0);
		assert_int_equal(d.n_txs, n);
		btt_ledger_block_release(&d);
		free(p);
		free(b.txs);
	}
	n_txs(&b, BTT_BLOCK_MAX_TXS + 1, tx, tl);
	assert_int_equal(btt_ledger_block_len(&b), 0);
	btt_wbuf_init(&w, BTT_BLOCK_MAX_LEN * 2);
	assert_int_equal(btt_ledger_block_encode(&b, &w), BTT_ELIMIT);
	btt_wbuf_release(&w);
	free(b.txs);
}

/* A block whose encoding is exactly `total` bytes: full-size txs, then
 * one that takes the rest. */
static size_t exact_block(struct btt_ledger_block *b, uint8_t *big,
			  uint8_t *last, size_t total)
{
	size_t room = total - BTT_BLOCK_FIXED_LEN, entry = 4 + BTT_TX_MAX_LEN;
	size_t k = room / entry, rest = room % entry;

	if (rest < 4 + BTT_TX_FIXED_LEN) { /* fold one full tx into the rest */
		k--;
		rest += entry;
	}
	rest -= 4;
	assert_true(rest <= BTT_TX_MAX_LEN + 4 + BTT_TX_FIXED_LEN);
	memset(b, 0, sizeof(*b));
	fill_header(&b->header, 6);
	b->txs = calloc(k + 2, sizeof(*b->txs));
	raw_tx(big, BTT_TX_MAX_PAYLOAD);
	for (size_t i = 0; i < k; i++) {
		b->txs[i].p = big;
		b->txs[i].len = BTT_TX_MAX_LEN;
	}
	b->n_txs = k;
	if (rest > BTT_TX_MAX_LEN) { /* split what is left in two */
		size_t half = (rest - 4) / 2;
		raw_tx(last, half - BTT_TX_FIXED_LEN);
		b->txs[b->n_txs].p = last;
		b->txs[b->n_txs++].len = half;
		rest -= 4 + half;
	}
	raw_tx(last + BTT_TX_MAX_LEN, rest - BTT_TX_FIXED_LEN);
	b->txs[b->n_txs].p = last + BTT_TX_MAX_LEN;
	b->txs[b->n_txs++].len = rest;
	return btt_ledger_block_len(b);
}

static void test_block_max_len(void **state)
{
	uint8_t *big = malloc(BTT_TX_MAX_LEN),
		*last = malloc(2 * BTT_TX_MAX_LEN);
	struct btt_ledger_block b, d;
	struct btt_wbuf w;
	size_t len;
	uint8_t *p;

	(void)state;
	for (size_t t = BTT_BLOCK_MAX_LEN - 1; t <= BTT_BLOCK_MAX_LEN; t++) {
		assert_int_equal(exact_block(&b, big, last, t), t);
		p = encode(&b, &len);
		assert_int_equal(len, t);
		assert_int_equal(btt_ledger_block_decode(p, len, &d), 0);
		btt_ledger_block_release(&d);
		free(p);
		free(b.txs);
	}
	assert_int_equal(exact_block(&b, big, last, BTT_BLOCK_MAX_LEN + 1), 0);
	btt_wbuf_init(&w, BTT_BLOCK_MAX_LEN * 2);
	assert_int_equal(btt_ledger_block_encode(&b, &w), BTT_ELIMIT);
	/* and a decoder handed one byte too many refuses before parsing */
	p = calloc(1, BTT_BLOCK_MAX_LEN + 1);
	assert_int_equal(btt_ledger_block_decode(p, BTT_BLOCK_MAX_LEN + 1, &d),
			 BTT_ELIMIT);
	free(p);
	btt_wbuf_release(&w);
	free(b.txs);
	free(big);
	free(last);
}

static void leaf(const uint8_t x[32], uint8_t out[32])
{
	uint8_t b[33] = {0};
	memcpy(b + 1, x, 32);
	btt_keccak256(b, 33, out);
}

static void node(const uint8_t l[32], const uint8_t r[32], uint8_t out[32])
{
	uint8_t b[65] = {1};
	memcpy(b + 1, l, 32);
	memcpy(b + 33, r, 32);
	btt_keccak256(b, 65, out);
}

static void test_block_merkle_shape(void **state)
{
	uint8_t items[5][32], work[5][32], l[5][32], a[32], b2[32], c[32];
	uint8_t root[32], zero[32] = {0};

	(void)state;
	for (int i = 0; i < 5; i++) {
		memset(items[i], i + 1, 32);
		leaf(items[i], l[i]);
	}
	btt_ledger_merkle_root((const uint8_t(*)[32])items, 0, work, root);
	assert_memory_equal(root, zero, 32);
	btt_ledger_merkle_root((const uint8_t(*)[32])items, 1, work, root);
	assert_memory_equal(root, l[0], 32);
	btt_ledger_merkle_root((const uint8_t(*)[32])items, 2, work, root);
	node(l[0], l[1], a);
	assert_memory_equal(root, a, 32);
	btt_ledger_merkle_root((const uint8_t(*)[32])items, 3, work, root);
	node(a, l[2], c);
	assert_memory_equal(root, c, 32);
	/* five: ((0 1)(2 3)) 4 -- the odd leaf moves up, never doubled */
	btt_ledger_merkle_root((const uint8_t(*)[32])items, 5, work, root);
	node(l[2], l[3], b2);
	node(a, b2, c);
	node(c, l[4], a);
	assert_memory_equal(root, a, 32);
}

static void test_block_sign_verify(void **state)
{
	struct btt_ledger_block b;
	uint8_t key[32];

	(void)state;
	memset(&b, 0, sizeof(b));
	fill_header(&b.header, 7);
	ex_key("proposer", key);
	assert_int_equal(btt_ledger_block_sign(&b, key), 0);
	assert_int_equal(btt_ledger_block_verify(&b), 0);
	b.header.time_ms++;
	assert_int_equal(btt_ledger_block_verify(&b), BTT_ESIGNATURE);
	b.header.time_ms--;
	b.header.proposer[0] ^= 1;
	assert_int_equal(btt_ledger_block_verify(&b), BTT_ESIGNATURE);
	b.header.proposer[0] ^= 1;
	/* s -> n - s, v -> v ^ 1 recovers the same key: refused */
	{
		static const uint8_t n[32] = {
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
			0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b,
			0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
		int borrow = 0;
		for (int i = 31; i >= 0; i--) {
			int d = n[i] - b.sig[32 + i] - borrow;
			borrow = d < 0;
			b.sig[32 + i] = (uint8_t)(d + (borrow ? 256 : 0));
		}
		b.sig[64] ^= 1;
	}
	assert_int_equal(btt_ledger_block_verify(&b), BTT_ESIGNATURE);
}

static void test_block_receipt_codec(void **state)
{
	uint8_t buf[BTT_RECEIPT_MAX_LEN + 8];
	struct btt_ledger_receipt r, d;
	uint8_t g1[32], g2[32];
	struct btt_wbuf w;

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(r.txid, 0xab, 32);
	r.status = BTT_EFUNDS;
	r.fee = (btt_u128)123456789 << 70;
	for (size_t n = BTT_RECEIPT_MAX_EVENTS - 1; n <= BTT_RECEIPT_MAX_EVENTS;
	     n++) {
		r.events_len = n;
		memset(r.events, 0x11, n);
		btt_wbuf_init_fixed(&w, buf, sizeof(buf));
		assert_int_equal(btt_ledger_receipt_encode(&r, &w), 0);
		assert_int_equal(w.len, BTT_RECEIPT_FIXED_LEN + n);
		assert_int_equal(buf[32 + 3], 20025 & 0xff);
		assert_int_equal(btt_ledger_receipt_decode(buf, w.len, &d), 0);
		assert_int_equal(d.status, BTT_EFUNDS);
		assert_true(d.fee == r.fee);
		assert_int_equal(d.events_len, n);
		btt_ledger_receipt_leaf(&r, g1);
		btt_ledger_receipt_leaf(&d, g2);
		assert_memory_equal(g1, g2, 32);
		for (size_t t = 0; t < w.len; t++)
			assert_int_equal(btt_ledger_receipt_decode(buf, t, &d),
					 BTT_ETRUNCATED);
		assert_int_equal(btt_ledger_receipt_decode(buf, w.len + 1, &d),
				 BTT_ETRAILING);
	}
	r.events_len = BTT_RECEIPT_MAX_EVENTS + 1;
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	assert_int_equal(btt_ledger_receipt_encode(&r, &w), BTT_ELIMIT);
	buf[52] = (BTT_RECEIPT_MAX_EVENTS + 1) >> 8;
	buf[53] = (BTT_RECEIPT_MAX_EVENTS + 1) & 0xff;
	assert_int_equal(btt_ledger_receipt_decode(buf, sizeof(buf), &d),
			 BTT_ELIMIT);
	r.events_len = 0;
	r.status = 5;
	assert_int_equal(btt_ledger_receipt_encode(&r, &w), BTT_EINVALID);
	r.status = 0;
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	assert_int_equal(btt_ledger_receipt_encode(&r, &w), 0);
	buf[35] = 7; /* status 7: not a btt code */
	assert_int_equal(btt_ledger_receipt_decode(buf, w.len, &d),
			 BTT_EINVALID);
	/* the leaf covers every field */
	btt_ledger_receipt_leaf(&r, g1);
	r.events[0] ^= 1;
	r.events_len = 1;
	btt_ledger_receipt_leaf(&r, g2);
	assert_memory_not_equal(g1, g2, 32);
}

static void test_block_receipt_leaf(void **state)
{
	struct btt_ledger_receipt r;
	uint8_t pre[85] = {0}, want[32], got[32];

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(r.txid, 0xab, 32);
	r.status = BTT_EFUNDS;
	r.fee = 1234567;
	/* one hash of the leaf prefix and the fields */
	memcpy(pre + 1, r.txid, 32);
	pre[35] = 20025 >> 8;
	pre[36] = 20025 & 0xff;
	btt_u128_put_be(r.fee, pre + 37);
	btt_keccak256(NULL, 0, pre + 53);
	btt_keccak256(pre, sizeof(pre), want);
	btt_ledger_receipt_leaf(&r, got);
	assert_memory_equal(got, want, 32);
	r.events_len = 3;
	memset(r.events, 0x42, 3);
	btt_keccak256(r.events, 3, pre + 53);
	btt_keccak256(pre, sizeof(pre), want);
	btt_ledger_receipt_leaf(&r, got);
	assert_memory_equal(got, want, 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_block_header_layout),
		cmocka_unit_test(test_block_header_trailing),
		cmocka_unit_test(test_block_roundtrip_and_truncation),
		cmocka_unit_test(test_block_hostile),
		cmocka_unit_test(test_block_max_txs),
		cmocka_unit_test(test_block_max_len),
		cmocka_unit_test(test_block_merkle_shape),
		cmocka_unit_test(test_block_sign_verify),
		cmocka_unit_test(test_block_receipt_codec),
		cmocka_unit_test(test_block_receipt_leaf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
