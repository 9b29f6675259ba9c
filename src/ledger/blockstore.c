/* The block store's records (blockstore.h): writers used inside a
 * block's write transaction, and readers that open their own read
 * transaction. Stored bytes are read back as untrusted: every record is
 * decoded with the canonical decoders and its key is checked against it
 * (a block must sit under its own height and hash). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "core/cur.h"
#include "core/wbuf.h"
#include "ledger/blockstore.h"
#include "ledger/tx.h"

#define TXIDX_FIXED (8 + 4)

static void put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

int btt_ledger_blockstore_put_block(struct btt_ledger_txn *t,
				    const struct btt_ledger_block *b,
				    const uint8_t hash[BTT_BLOCK_HASH_LEN])
{
	uint8_t key[8];
	struct btt_wbuf w;
	int rc;

	btt_wbuf_init(&w, BTT_BLOCK_HASH_LEN + BTT_BLOCK_MAX_LEN);
	btt_wbuf_put(&w, hash, BTT_BLOCK_HASH_LEN);
	rc = btt_ledger_block_encode(b, &w);
	put_be(key, b->header.height, 8);
	if (!rc)
		rc = btt_ledger_txn_put(t, BTT_LEDGER_DB_BLOCK, key, 8, w.buf,
					w.len);
	if (!rc)
		rc = btt_ledger_txn_put(t, BTT_LEDGER_DB_BLOCKID, hash,
					BTT_BLOCK_HASH_LEN, key, 8);
	btt_wbuf_release(&w);
	return rc;
}

int btt_ledger_blockstore_put_tx(struct btt_ledger_txn *t, uint64_t height,
				 uint32_t index,
				 const struct btt_ledger_receipt *r)
{
	uint8_t buf[TXIDX_FIXED + BTT_RECEIPT_MAX_LEN];
	struct btt_wbuf w;
	int rc;

	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	btt_wbuf_put_u64be(&w, height);
	btt_wbuf_put_u32be(&w, index);
	rc = btt_ledger_receipt_encode(r, &w);
	if (rc)
		return rc;
	return btt_ledger_txn_put(t, BTT_LEDGER_DB_TXIDX, r->txid, 32, buf,
				  w.len);
}

int btt_ledger_blockstore_put_hist(struct btt_ledger_txn *t,
				   const uint8_t addr[BTT_ADDR_LEN],
				   uint64_t height, uint32_t index,
				   const uint8_t txid[32])
{
	uint8_t key[BTT_BLOCKSTORE_HIST_KEY_LEN];

	memcpy(key, addr, BTT_ADDR_LEN);
	put_be(key + BTT_ADDR_LEN, height, 8);
	put_be(key + BTT_ADDR_LEN + 8, index, 4);
	return btt_ledger_txn_put(t, BTT_LEDGER_DB_HIST, key, sizeof(key), txid,
				  32);
}

/* Decodes a BLOCK record into an owned block and checks it against its
 * key and stored hash. */
static int block_record(const struct btt_cur *v, uint64_t height,
			struct btt_ledger_block *out,
			uint8_t out_hash[BTT_BLOCK_HASH_LEN])
{
	uint8_t hash[BTT_BLOCK_HASH_LEN];
	size_t len;
	uint8_t *bytes;

	if (btt_cur_len(v) < BTT_BLOCK_HASH_LEN + BTT_BLOCK_FIXED_LEN ||
	    btt_cur_len(v) > BTT_BLOCK_HASH_LEN + BTT_BLOCK_MAX_LEN)
		return BTT_ECORRUPT;
	len = btt_cur_len(v) - BTT_BLOCK_HASH_LEN;
	bytes = malloc(len);
	if (!bytes)
		return -ENOMEM;
	memcpy(bytes, btt_cur_data(v) + BTT_BLOCK_HASH_LEN, len);
	if (btt_ledger_block_decode(bytes, len, out)) {
		free(bytes);
		return BTT_ECORRUPT;
	}
	out->owned = bytes;
	btt_ledger_block_hash(out, hash);
	if (out->header.height != height ||
	    memcmp(hash, btt_cur_data(v), BTT_BLOCK_HASH_LEN) != 0) {
		btt_ledger_block_release(out);
		return BTT_ECORRUPT;
	}
	if (out_hash)
		memcpy(out_hash, hash, BTT_BLOCK_HASH_LEN);
	return 0;
}

int btt_ledger_blockstore_get(struct btt_ledger_txn *t, uint64_t height,
			      struct btt_ledger_block *out,
			      uint8_t out_hash[BTT_BLOCK_HASH_LEN])
{
	uint8_t key[8];
	struct btt_cur v;
	int rc;

	memset(out, 0, sizeof(*out));
	put_be(key, height, 8);
	rc = btt_ledger_txn_get(t, BTT_LEDGER_DB_BLOCK, key, 8, &v);
	if (rc)
		return rc;
	return block_record(&v, height, out, out_hash);
}

int btt_ledger_blockstore_block_by_height(struct btt_ledger_store *s,
					  uint64_t height,
					  struct btt_ledger_block *out)
{
	struct btt_ledger_txn *t;
	int rc = btt_ledger_store_begin(s, false, &t);

	memset(out, 0, sizeof(*out));
	if (rc)
		return rc;
	rc = btt_ledger_blockstore_get(t, height, out, NULL);
	btt_ledger_txn_abort(t);
	return rc;
}

int btt_ledger_blockstore_block_by_hash(struct btt_ledger_store *s,
					const uint8_t hash[BTT_BLOCK_HASH_LEN],
					struct btt_ledger_block *out)
{
	uint8_t stored[BTT_BLOCK_HASH_LEN];
	struct btt_ledger_txn *t;
	struct btt_cur v;
	int rc = btt_ledger_store_begin(s, false, &t);

	memset(out, 0, sizeof(*out));
	if (rc)
		return rc;
	rc = btt_ledger_txn_get(t, BTT_LEDGER_DB_BLOCKID, hash,
				BTT_BLOCK_HASH_LEN, &v);
	if (!rc && btt_cur_len(&v) != 8)
		rc = BTT_ECORRUPT;
	if (!rc) {
		rc = btt_ledger_blockstore_get(t, get_be(btt_cur_data(&v), 8),
					       out, stored);
		if (rc == BTT_ENOTFOUND)
			rc = BTT_ECORRUPT; /* an id without its block */
	}
	if (!rc && memcmp(stored, hash, BTT_BLOCK_HASH_LEN) != 0) {
		btt_ledger_block_release(out);
		rc = BTT_ECORRUPT;
	}
	btt_ledger_txn_abort(t);
	return rc;
}

int btt_ledger_blockstore_head(struct btt_ledger_store *s,
			       struct btt_ledger_head *out)
{
	struct btt_ledger_block b;
	struct btt_ledger_txn *t;
	uint64_t height;
	uint8_t root[BTT_LEDGER_ROOT_LEN];
	int rc = btt_ledger_store_begin(s, false, &t);

	if (rc)
		return rc;
	rc = btt_ledger_txn_head(t, &height, root);
	if (!rc) {
		rc = btt_ledger_blockstore_get(t, height, &b, out->hash);
		if (rc == BTT_ENOTFOUND)
			rc = BTT_ECORRUPT;
	}
	if (!rc) {
		out->height = height;
		out->time_ms = b.header.time_ms;
		memcpy(out->state_root, b.header.state_root, 32);
		if (memcmp(root, b.header.state_root, 32) != 0)
			rc = BTT_ECORRUPT;
		btt_ledger_block_release(&b);
	}
	btt_ledger_txn_abort(t);
	return rc;
}

static int txidx_record(const struct btt_cur *v, const uint8_t txid[32],
			struct btt_ledger_txloc *out)
{
	struct btt_cur c = *v;
	uint64_t height;
	uint32_t index;

	if (!btt_cur_get_u64be(&c, &height) || !btt_cur_get_u32be(&c, &index))
		return BTT_ECORRUPT;
	if (btt_ledger_receipt_decode(btt_cur_data(&c), btt_cur_len(&c),
				      &out->receipt) ||
	    memcmp(out->receipt.txid, txid, 32) != 0)
		return BTT_ECORRUPT;
	out->height = height;
	out->index = index;
	return 0;
}

int btt_ledger_blockstore_tx(struct btt_ledger_store *s, const uint8_t txid[32],
			     struct btt_ledger_txloc *out, struct btt_wbuf *tx)
{
	struct btt_ledger_block b;
	struct btt_ledger_txn *t;
	struct btt_cur v;
	int rc = btt_ledger_store_begin(s, false, &t);

	if (rc)
		return rc;
	rc = btt_ledger_txn_get(t, BTT_LEDGER_DB_TXIDX, txid, 32, &v);
	if (!rc)
		rc = txidx_record(&v, txid, out);
	if (!rc && tx) {
		rc = btt_ledger_blockstore_get(t, out->height, &b, NULL);
		if (rc == BTT_ENOTFOUND || (!rc && out->index >= b.n_txs))
			rc = BTT_ECORRUPT;
		if (!rc) {
			btt_wbuf_put(tx, b.txs[out->index].p,
				     b.txs[out->index].len);
			rc = btt_wbuf_err(tx);
		}
		btt_ledger_block_release(&b);
	}
	btt_ledger_txn_abort(t);
	return rc;
}

int btt_ledger_blockstore_history(struct btt_ledger_store *s,
				  const uint8_t addr[BTT_ADDR_LEN],
				  uint64_t from_height, size_t max,
				  btt_ledger_hist_fn fn, void *arg)
{
	struct btt_ledger_iter *it = NULL;
	struct btt_ledger_txn *t;
	struct btt_cur k, v;
	size_t calls = 0;
	int rc = btt_ledger_store_begin(s, false, &t);

	if (rc)
		return rc;
	rc = btt_ledger_iter_open(t, BTT_LEDGER_DB_HIST, addr, BTT_ADDR_LEN,
				  &it);
	while (!rc && calls < max &&
	       (rc = btt_ledger_iter_next(it, &k, &v)) == 0) {
		const uint8_t *kp = btt_cur_data(&k);
		uint64_t h;

		if (btt_cur_len(&k) != BTT_BLOCKSTORE_HIST_KEY_LEN ||
		    btt_cur_len(&v) != 32) {
			rc = BTT_ECORRUPT;
			break;
		}
		h = get_be(kp + BTT_ADDR_LEN, 8);
		if (h < from_height)
			continue;
		calls++;
		if (fn(arg, h, (uint32_t)get_be(kp + BTT_ADDR_LEN + 8, 4),
		       btt_cur_data(&v)))
			break;
	}
	btt_ledger_iter_free(it);
	btt_ledger_txn_abort(t);
	return rc == BTT_ENOTFOUND ? 0 : rc;
}
