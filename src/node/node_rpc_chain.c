/* RPC methods about the chain itself (docs/node.md):
 *   chain_status []                     -> head, genesis, mempool, node
 *   block_get [height|hash|"latest", full] -> header, txids (or txs)
 *   state_proof [address]               -> account record + SMT proof
 * Reads go to the committed head; a pending block is never visible. */
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "core/limits.h"
#include "crypto/hash.h"
#include "ledger/blockstore.h"
#include "ledger/state.h"
#include "node/node_int.h"

static void set(json_t *o, const char *k, json_t *v)
{
	if (json_object_set_new(o, k, v) != 0)
		abort();
}

static json_t *hash_json(const uint8_t h[32])
{
	return btt_node_json_hex(h, 32);
}

static json_t *m_chain_status(void *arg, json_t *params,
			      struct btt_rpc_error *err)
{
	struct btt_node *n = arg;
	struct btt_ledger_head head;
	struct btt_mempool_stats st;
	uint8_t g[32];
	json_t *o;

	(void)params;
	(void)err;
	btt_ledger_chain_head(n->chain, &head);
	btt_ledger_chain_genesis_hash(n->chain, g);
	btt_node_mempool_stats(n->mp, &st);
	o = json_pack("{s:I,s:o,s:I,s:o,s:I,s:o,s:o,s:I,s:I,s:I,s:b}",
		      "chain_id", (json_int_t)btt_ledger_chain_id(n->chain),
		      "genesis_hash", hash_json(g), "height",
		      (json_int_t)head.height, "hash", hash_json(head.hash),
		      "time_ms", (json_int_t)head.time_ms, "state_root",
		      hash_json(head.state_root), "validator",
		      btt_node_json_addr(n->addr), "block_interval_ms",
		      (json_int_t)n->interval_ms, "blocks_produced",
		      (json_int_t)n->blocks_made, "txs_committed",
		      (json_int_t)n->txs_committed, "failed", n->failed != 0);
	if (!o)
		abort();
	set(o, "mempool",
	    json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "txs",
		      (json_int_t)st.txs, "bytes", (json_int_t)st.bytes,
		      "accounts", (json_int_t)st.accounts, "admitted",
		      (json_int_t)st.admitted, "replaced",
		      (json_int_t)st.replaced, "evicted",
		      (json_int_t)st.evicted, "dropped",
		      (json_int_t)st.dropped));
	return o;
}

static json_t *header_json(const struct btt_ledger_block *b)
{
	const struct btt_ledger_header *h = &b->header;
	uint8_t hash[BTT_BLOCK_HASH_LEN];
	json_t *o;

	btt_ledger_block_hash(b, hash);
	o = json_pack("{s:o,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I}",
		      "hash", hash_json(hash), "height", (json_int_t)h->height,
		      "chain_id", (json_int_t)h->chain_id, "time_ms",
		      (json_int_t)h->time_ms, "parent_hash",
		      hash_json(h->parent_hash), "tx_root",
		      hash_json(h->tx_root), "receipts_root",
		      hash_json(h->receipts_root), "state_root",
		      hash_json(h->state_root), "validators_hash",
		      hash_json(h->validators_hash), "proposer",
		      btt_node_json_addr(h->proposer), "sig",
		      btt_node_json_hex(b->sig, sizeof(b->sig)), "tx_count",
		      (json_int_t)b->n_txs);
	if (!o)
		abort();
	return o;
}

/* The block named by params[0]: a height, a hash in hex, "latest" or
 * nothing (latest). Returns 0 or an error with err set. */
static int find_block(struct btt_node *n, json_t *which,
		      struct btt_ledger_block *out, struct btt_rpc_error *err)
{
	struct btt_ledger_store *s = btt_ledger_chain_store(n->chain);
	struct btt_ledger_head head;
	uint8_t hash[BTT_BLOCK_HASH_LEN];
	int e;

	if (json_is_integer(which) && json_integer_value(which) >= 0) {
		e = btt_ledger_blockstore_block_by_height(
			s, (uint64_t)json_integer_value(which), out);
	} else if (!which || (json_is_string(which) &&
			      !strcmp(json_string_value(which), "latest"))) {
		btt_ledger_chain_head(n->chain, &head);
		e = btt_ledger_blockstore_block_by_height(s, head.height, out);
	} else if (btt_node_param_hex(which, hash, sizeof(hash),
				      "a block hash (or a height)", err)) {
		e = btt_ledger_blockstore_block_by_hash(s, hash, out);
	} else {
		return BTT_EINVALID;
	}
	if (e)
		btt_rpc_error_btt(err, e, "block");
	return e;
}

static json_t *m_block_get(void *arg, json_t *params, struct btt_rpc_error *err)
{
	struct btt_node *n = arg;
	struct btt_ledger_block b = {0};
	json_t *full = btt_node_param(params, 1, "full"), *o, *txs, *t;
	uint8_t id[BTT_TX_HASH_LEN];

	if (full && !json_is_boolean(full))
		return btt_rpc_error_set(err, BTT_RPC_INVALID_PARAMS,
					 "full must be true or false");
	if (find_block(n, btt_node_param(params, 0, "block"), &b, err) != 0)
		return NULL;
	o = header_json(&b);
	if (!(txs = json_array()))
		abort();
	for (size_t i = 0; i < b.n_txs; i++) {
		btt_keccak256(b.txs[i].p, b.txs[i].len, id);
		t = btt_node_json_hex(id, sizeof(id));
		if (json_is_true(full))
			t = json_pack(
				"{s:o,s:o}", "txid", t, "tx",
				btt_node_json_hex(b.txs[i].p, b.txs[i].len));
		json_array_append_new(txs, t);
	}
	set(o, "txs", txs);
	btt_ledger_block_release(&b);
	return o;
}

static json_t *m_state_proof(void *arg, json_t *params,
			     struct btt_rpc_error *err)
{
	struct btt_node *n = arg;
	struct btt_ledger_state *st;
	struct btt_ledger_account acct;
	uint8_t a[BTT_ADDR_LEN], root[BTT_SMT_HASH_LEN], key[BTT_SMT_KEY_LEN];
	uint8_t enc[BTT_ACCT_ENC_LEN];
	static const uint8_t zero[BTT_ACCT_ENC_LEN];
	struct btt_wbuf w;
	uint64_t height;
	json_t *o = NULL;
	int e;

	if (!btt_node_param_addr(btt_node_param(params, 0, "address"), a, err))
		return NULL;
	e = btt_ledger_state_open(btt_ledger_chain_store(n->chain), false, &st);
	if (e)
		return btt_rpc_error_btt(err, e, "state");
	btt_ledger_state_base(st, &height, root, NULL);
	btt_ledger_state_key(BTT_STATE_NS_ACCT, a, sizeof(a), key);
	btt_wbuf_init(&w, BTT_SMT_MAX_PROOF);
	if ((e = btt_ledger_state_account_get(st, a, &acct)) == 0 &&
	    (e = btt_ledger_state_prove(st, BTT_STATE_NS_ACCT, a, sizeof(a),
					&w)) == 0) {
		btt_ledger_account_encode(&acct, enc);
		o = json_pack("{s:o,s:I,s:o,s:i,s:o,s:o}", "address",
			      btt_node_json_addr(a), "height",
			      (json_int_t)height, "state_root", hash_json(root),
			      "namespace", BTT_STATE_NS_ACCT, "key",
			      hash_json(key), "proof",
			      btt_node_json_hex(w.buf, w.len));
		/* the all-zero account is absent: an exclusion proof */
		set(o, "value",
		    memcmp(enc, zero, sizeof(enc))
			    ? btt_node_json_hex(enc, sizeof(enc))
			    : json_null());
	}
	btt_wbuf_release(&w);
	btt_ledger_state_abort(st);
	if (e)
		return btt_rpc_error_btt(err, e, "state proof");
	return o;
}

int btt_node_rpc_register_chain(struct btt_node *n)
{
	int e;

	if ((e = btt_rpc_dispatch_add(n->methods, "chain_status",
				      m_chain_status, n)) ||
	    (e = btt_rpc_dispatch_add(n->methods, "block_get", m_block_get, n)))
		return e;
	return btt_rpc_dispatch_add(n->methods, "state_proof", m_state_proof,
				    n);
}
