/* The canonical encodings of headers, signed blocks and receipts
 * (block.h). Decoders read only through the cursor, check every length
 * against its cap before using it, grow the tx array as entries parse
 * (never from the declared count), and require each transaction to be
 * one canonical transaction of exactly its declared length, so every
 * accepted byte string re-encodes to itself. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "core/cur.h"
#include "ledger/block.h"
#include "ledger/tx.h"

static void put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

void btt_ledger_header_encode(const struct btt_ledger_header *h,
			      uint8_t out[BTT_BLOCK_HEADER_LEN])
{
	uint8_t *p = out;

	*p++ = h->version;
	put_be(p, h->chain_id, 8);
	put_be(p + 8, h->height, 8);
	put_be(p + 16, h->time_ms, 8);
	p += 24;
	memcpy(p, h->parent_hash, 32);
	memcpy(p + 32, h->tx_root, 32);
	memcpy(p + 64, h->receipts_root, 32);
	memcpy(p + 96, h->state_root, 32);
	memcpy(p + 128, h->validators_hash, 32);
	memcpy(p + 160, h->proposer, BTT_ADDR_LEN);
}

static int header_get(struct btt_cur *c, struct btt_ledger_header *h)
{
	struct btt_cur s = *c;

	if (btt_cur_len(&s) < BTT_BLOCK_HEADER_LEN)
		return BTT_ETRUNCATED;
	btt_cur_get_u8(&s, &h->version);
	if (h->version != BTT_BLOCK_VERSION)
		return BTT_EUNSUPPORTED;
	btt_cur_get_u64be(&s, &h->chain_id);
	btt_cur_get_u64be(&s, &h->height);
	btt_cur_get_u64be(&s, &h->time_ms);
	btt_cur_copy(&s, h->parent_hash, 32);
	btt_cur_copy(&s, h->tx_root, 32);
	btt_cur_copy(&s, h->receipts_root, 32);
	btt_cur_copy(&s, h->state_root, 32);
	btt_cur_copy(&s, h->validators_hash, 32);
	btt_cur_copy(&s, h->proposer, BTT_ADDR_LEN);
	*c = s;
	return 0;
}

int btt_ledger_header_decode(const uint8_t *p, size_t n,
			     struct btt_ledger_header *out)
{
	struct btt_cur c;
	struct btt_ledger_header h;
	int rc;

	btt_cur_init(&c, p, n);
	if ((rc = header_get(&c, &h)) != 0)
		return rc;
	if (btt_cur_len(&c))
		return BTT_ETRAILING;
	*out = h;
	return 0;
}

size_t btt_ledger_block_len(const struct btt_ledger_block *b)
{
	size_t len = BTT_BLOCK_FIXED_LEN;

	if (b->n_txs > BTT_BLOCK_MAX_TXS)
		return 0;
	for (size_t i = 0; i < b->n_txs; i++) {
		if (b->txs[i].len > BTT_TX_MAX_LEN)
			return 0;
		len += 4 + b->txs[i].len;
	}
	return len > BTT_BLOCK_MAX_LEN ? 0 : len;
}

int btt_ledger_block_encode(const struct btt_ledger_block *b,
			    struct btt_wbuf *w)
{
	uint8_t head[BTT_BLOCK_HEADER_LEN];

	if (btt_ledger_block_len(b) == 0)
		return BTT_ELIMIT;
	btt_ledger_header_encode(&b->header, head);
	btt_wbuf_put(w, head, sizeof(head));
	btt_wbuf_put(w, b->sig, BTT_BLOCK_SIG_LEN);
	btt_wbuf_put_u32be(w, (uint32_t)b->n_txs);
	for (size_t i = 0; i < b->n_txs; i++) {
		btt_wbuf_put_u32be(w, (uint32_t)b->txs[i].len);
		btt_wbuf_put(w, b->txs[i].p, b->txs[i].len);
	}
	return btt_wbuf_err(w);
}

/* Appends one view to b->txs, growing the array geometrically. The array
 * never outgrows the number of entries actually parsed. */
static int push_tx(struct btt_ledger_block *b, size_t *cap, const uint8_t *p,
		   size_t len)
{
	if (b->n_txs == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct btt_ledger_txref *t;

		if (ncap > BTT_BLOCK_MAX_TXS)
			ncap = BTT_BLOCK_MAX_TXS;
		t = realloc(b->txs, ncap * sizeof(*t));
		if (!t)
			return -ENOMEM; /* sized from parsed entries */
		b->txs = t;
		*cap = ncap;
	}
	b->txs[b->n_txs].p = p;
	b->txs[b->n_txs].len = len;
	b->n_txs++;
	return 0;
}

/* Reads the body's transactions after the count. */
static int body_get(struct btt_cur *c, uint32_t count,
		    struct btt_ledger_block *b)
{
	size_t cap = 0;

	for (uint32_t i = 0; i < count; i++) {
		struct btt_cur sub;
		struct btt_tx tx;
		uint32_t len;
		int rc;

		if (!btt_cur_get_u32be(c, &len))
			return BTT_ETRUNCATED;
		if (len < BTT_TX_FIXED_LEN || len > BTT_TX_MAX_LEN)
			return BTT_ELIMIT;
		if (!btt_cur_get_sub(c, len, &sub))
			return BTT_ETRUNCATED;
		rc = btt_ledger_tx_decode(btt_cur_data(&sub), len, &tx);
		if (rc)
			return rc;
		if ((rc = push_tx(b, &cap, btt_cur_data(&sub), len)) != 0)
			return rc;
	}
	return 0;
}

int btt_ledger_block_decode(const uint8_t *p, size_t n,
			    struct btt_ledger_block *out)
{
	struct btt_ledger_block b;
	struct btt_cur c;
	uint32_t count;
	int rc;

	memset(out, 0, sizeof(*out));
	if (n > BTT_BLOCK_MAX_LEN)
		return BTT_ELIMIT;
	memset(&b, 0, sizeof(b));
	btt_cur_init(&c, p, n);
	if ((rc = header_get(&c, &b.header)) != 0)
		return rc;
	if (!btt_cur_copy(&c, b.sig, BTT_BLOCK_SIG_LEN) ||
	    !btt_cur_get_u32be(&c, &count))
		return BTT_ETRUNCATED;
	if (count > BTT_BLOCK_MAX_TXS)
		return BTT_ELIMIT;
	rc = body_get(&c, count, &b);
	if (!rc && btt_cur_len(&c))
		rc = BTT_ETRAILING;
	if (rc) {
		free(b.txs);
		return rc;
	}
	*out = b;
	return 0;
}

int btt_ledger_block_dup(const struct btt_ledger_block *b,
			 struct btt_ledger_block *out)
{
	struct btt_wbuf w;
	uint8_t *bytes;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	btt_wbuf_init(&w, BTT_BLOCK_MAX_LEN);
	rc = btt_ledger_block_encode(b, &w);
	if (rc) {
		btt_wbuf_release(&w);
		return rc;
	}
	bytes = btt_wbuf_detach(&w, &len);
	if (!bytes)
		abort(); /* the encoding succeeded, so it is ours */
	rc = btt_ledger_block_decode(bytes, len, out);
	if (rc) {
		free(bytes);
		return rc;
	}
	out->owned = bytes;
	return 0;
}

void btt_ledger_block_release(struct btt_ledger_block *b)
{
	free(b->txs);
	free(b->owned);
	memset(b, 0, sizeof(*b));
}

static uint32_t status_wire(int status)
{
	return (uint32_t)(-(int64_t)status);
}

static bool status_ok(int status)
{
	return status == 0 || (status <= -20000 && status >= -20999);
}

int btt_ledger_receipt_encode(const struct btt_ledger_receipt *r,
			      struct btt_wbuf *w)
{
	uint8_t fee[BTT_U128_LEN];

	if (!status_ok(r->status))
		return BTT_EINVALID;
	if (r->events_len > BTT_RECEIPT_MAX_EVENTS)
		return BTT_ELIMIT;
	btt_u128_put_be(r->fee, fee);
	btt_wbuf_put(w, r->txid, 32);
	btt_wbuf_put_u32be(w, status_wire(r->status));
	btt_wbuf_put(w, fee, sizeof(fee));
	btt_wbuf_put_u16be(w, (uint16_t)r->events_len);
	btt_wbuf_put(w, r->events, r->events_len);
	return btt_wbuf_err(w);
}

int btt_ledger_receipt_decode(const uint8_t *p, size_t n,
			      struct btt_ledger_receipt *out)
{
	struct btt_ledger_receipt r;
	struct btt_cur c;
	uint32_t status;
	uint16_t elen;

	btt_cur_init(&c, p, n);
	if (!btt_cur_copy(&c, r.txid, 32) || !btt_cur_get_u32be(&c, &status) ||
	    !btt_u128_get(&c, &r.fee) || !btt_cur_get_u16be(&c, &elen))
		return BTT_ETRUNCATED;
	if (status > 20999 || (status != 0 && status < 20000))
		return BTT_EINVALID;
	if (elen > BTT_RECEIPT_MAX_EVENTS)
		return BTT_ELIMIT;
	if (!btt_cur_copy(&c, r.events, elen))
		return BTT_ETRUNCATED;
	if (btt_cur_len(&c))
		return BTT_ETRAILING;
	r.status = -(int)status;
	r.events_len = elen;
	*out = r;
	return 0;
}
