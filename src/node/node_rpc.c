/* RPC methods about transactions and accounts (docs/node.md):
 *   tx_submit [hex]                        -> {txid, replaced}
 *   tx_get [txid]                          -> pending or committed + receipt
 *   account_get [address]                  -> balance, nonce, vesting...
 *   account_history [address, from, limit] -> transactions, oldest first
 * and the JSON helpers the chain methods (node_rpc_chain.c) share.
 *
 * Params come positionally or by name. Amounts are decimal strings of
 * base units (exact in any JSON tool); hashes and encodings are lower-case
 * hex without a prefix; addresses are EIP-55 "0x..." (input: either
 * form). Handlers run on the loop thread and read the chain at its head. */
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "core/codec.h"
#include "core/limits.h"
#include "crypto/hash.h"
#include "ledger/blockstore.h"
#include "ledger/tx_types.h"
#include "node/node_int.h"

json_t *btt_node_json_hex(const uint8_t *p, size_t n)
{
	char *s = malloc(2 * n + 1);
	json_t *v;

	if (!s)
		abort();
	btt_hex_encode(p, n, s);
	v = json_stringn(s, 2 * n);
	free(s);
	if (!v)
		abort();
	return v;
}

json_t *btt_node_json_u128(btt_u128 v)
{
	char s[BTT_U128_DEC_MAX + 1];
	json_t *j;

	btt_u128_to_dec(v, s);
	if (!(j = json_string(s)))
		abort();
	return j;
}

json_t *btt_node_json_addr(const uint8_t addr[BTT_ADDR_LEN])
{
	char s[BTT_ADDR_HEX_CHARS + 1];
	json_t *j;

	btt_addr_hex_encode(addr, s);
	if (!(j = json_string(s)))
		abort();
	return j;
}

json_t *btt_node_param(json_t *params, size_t index, const char *name)
{
	if (json_is_array(params))
		return json_array_get(params, index);
	if (json_is_object(params))
		return json_object_get(params, name);
	return NULL;
}

bool btt_node_param_hex(json_t *v, uint8_t *out, size_t n, const char *what,
			struct btt_rpc_error *err)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);

	if (s && len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2, len -= 2;
	if (!s || len != 2 * n || btt_hex_decode(s, len, out, n) != 0) {
		btt_rpc_error_set(err, BTT_RPC_INVALID_PARAMS,
				  "%s must be %zu bytes in hex", what, n);
		return false;
	}
	return true;
}

bool btt_node_param_addr(json_t *v, uint8_t out[BTT_ADDR_LEN],
			 struct btt_rpc_error *err)
{
	const char *s = json_string_value(v);

	if (!s || btt_addr_parse(s, json_string_length(v), out) != 0) {
		btt_rpc_error_set(err, BTT_RPC_INVALID_PARAMS,
				  "want an address (0x... or T...)");
		return false;
	}
	return true;
}

static void set(json_t *o, const char *k, json_t *v)
{
	if (json_object_set_new(o, k, v) != 0)
		abort();
}

static const char *type_name(uint16_t type)
{
	switch (type) {
	case BTT_TX_TRANSFER: return "transfer";
	case BTT_TX_MULTI_TRANSFER: return "multi_transfer";
	case BTT_TX_VESTING_CREATE: return "vesting_create";
	case BTT_TX_MSIG_CREATE: return "multisig_create";
	case BTT_TX_MSIG_PROPOSE: return "multisig_propose";
	case BTT_TX_MSIG_APPROVE: return "multisig_approve";
	case BTT_TX_MSIG_EXECUTE: return "multisig_execute";
	case BTT_TX_STAKE_CREATE: return "stake_create";
	case BTT_TX_STAKE_BOND: return "stake_bond";
	case BTT_TX_STAKE_UNBOND: return "stake_unbond";
	default: return "unknown";
	}
}

static void put_transfers(json_t *o, const struct btt_tx *tx)
{
	struct btt_tx_transfer t;
	struct btt_tx_multi m;
	json_t *list;

	if (tx->type == BTT_TX_TRANSFER &&
	    btt_ledger_transfer_decode(tx->payload, tx->payload_len, &t) == 0) {
		set(o, "to", btt_node_json_addr(t.to));
		set(o, "amount", btt_node_json_u128(t.amount));
	} else if (tx->type == BTT_TX_MULTI_TRANSFER &&
		   btt_ledger_multi_decode(tx->payload, tx->payload_len, &m) ==
			   0) {
		list = json_array();
		for (size_t i = 0; list && i < m.count; i++) {
			btt_ledger_multi_entry(&m, i, &t);
			json_array_append_new(
				list,
				json_pack("{s:o,s:o}", "to",
					  btt_node_json_addr(t.to), "amount",
					  btt_node_json_u128(t.amount)));
		}
		set(o, "transfers", list);
	}
}

/* A transaction as JSON: its fields, the bank payload decoded, and the
 * encoding. NULL when the bytes do not decode. */
static json_t *tx_json(const uint8_t *raw, size_t len)
{
	struct btt_tx tx;
	uint8_t id[BTT_TX_HASH_LEN];
	json_t *o;

	if (btt_ledger_tx_decode(raw, len, &tx) != 0)
		return NULL;
	btt_keccak256(raw, len, id);
	o = json_object();
	if (!o)
		abort();
	set(o, "txid", btt_node_json_hex(id, sizeof(id)));
	set(o, "chain_id", json_integer((json_int_t)tx.chain_id));
	set(o, "type", json_integer(tx.type));
	set(o, "type_name", json_string(type_name(tx.type)));
	set(o, "from", btt_node_json_addr(tx.from));
	set(o, "nonce", json_integer((json_int_t)tx.nonce));
	set(o, "max_fee", btt_node_json_u128(tx.max_fee));
	set(o, "fee", btt_node_json_u128(btt_ledger_tx_fee(&tx)));
	set(o, "expiry_height", json_integer((json_int_t)tx.expiry_height));
	put_transfers(o, &tx);
	set(o, "tx", btt_node_json_hex(raw, len));
	return o;
}

static json_t *receipt_json(const struct btt_ledger_receipt *r)
{
	json_t *o =
		json_pack("{s:i,s:b,s:o}", "status", r->status, "ok",
			  r->status == 0, "fee", btt_node_json_u128(r->fee));

	if (!o)
		abort();
	set(o, "error",
	    r->status ? json_string(btt_err_name(r->status)) : json_null());
	set(o, "message",
	    r->status ? json_string(btt_strerror(r->status)) : json_null());
	return o;
}

static json_t *m_tx_submit(void *arg, json_t *params, struct btt_rpc_error *err)
{
	struct btt_node *n = arg;
	json_t *v = btt_node_param(params, 0, "tx");
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	uint8_t *raw, id[BTT_TX_HASH_LEN];
	bool replaced = false;
	int e;

	if (s && len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2, len -= 2;
	if (!s || len % 2 || len == 0)
		return btt_rpc_error_set(err, BTT_RPC_INVALID_PARAMS,
					 "want [tx] with the encoded "
					 "transaction in hex");
	if (len / 2 > BTT_TX_MAX_LEN)
		return btt_rpc_error_btt(err, BTT_ELIMIT, "transaction");
	raw = malloc(len / 2);
	if (!raw)
		abort();
	e = btt_hex_decode(s, len, raw, len / 2);
	if (!e)
		e = btt_node_submit(n, raw, len / 2, id, &replaced);
	free(raw);
	if (e == BTT_ELIMIT)
		return btt_rpc_error_set(err, BTT_RPC_BUSY,
					 "mempool full (offer a higher "
					 "max_fee, or retry later)");
	if (e)
		return btt_rpc_error_btt(err, e, "transaction rejected");
	return json_pack("{s:o,s:b}", "txid", btt_node_json_hex(id, sizeof(id)),
			 "replaced", replaced);
}

static json_t *m_tx_get(void *arg, json_t *params, struct btt_rpc_error *err)
{
	struct btt_node *n = arg;
	uint8_t id[BTT_TX_HASH_LEN];
	struct btt_ledger_txref ref;
	struct btt_ledger_txloc loc;
	struct btt_wbuf w;
	json_t *o;
	int e;

	if (!btt_node_param_hex(btt_node_param(params, 0, "txid"), id,
				sizeof(id), "txid", err))
		return NULL;
	if (btt_node_mempool_find(n->mp, id, &ref)) {
		if (!(o = tx_json(ref.p, ref.len)))
			return btt_rpc_error_set(err, BTT_RPC_INTERNAL_ERROR,
						 "bad pending transaction");
		set(o, "status", json_string("pending"));
		return o;
	}
	btt_wbuf_init(&w, BTT_TX_MAX_LEN);
	e = btt_ledger_blockstore_tx(btt_ledger_chain_store(n->chain), id, &loc,
				     &w);
	if (e) {
		btt_wbuf_release(&w);
		return btt_rpc_error_btt(err, e, "transaction");
	}
	o = tx_json(w.buf, w.len);
	btt_wbuf_release(&w);
	if (!o)
		return btt_rpc_error_btt(err, BTT_ECORRUPT, "transaction");
	set(o, "status", json_string("committed"));
	set(o, "height", json_integer((json_int_t)loc.height));
	set(o, "index", json_integer(loc.index));
	set(o, "receipt", receipt_json(&loc.receipt));
	return o;
}

static json_t *m_account_get(void *arg, json_t *params,
			     struct btt_rpc_error *err)
{
	struct btt_node *n = arg;
	struct btt_ledger_account_info ai;
	struct btt_ledger_head head;
	uint8_t a[BTT_ADDR_LEN];
	char tron[BTT_ADDR_TRON_CHARS + 1];
	uint64_t next;
	size_t pending;
	json_t *o;
	int e;

	if (!btt_node_param_addr(btt_node_param(params, 0, "address"), a, err))
		return NULL;
	if ((e = btt_ledger_chain_account(n->chain, a, &ai)) != 0)
		return btt_rpc_error_btt(err, e, "account");
	btt_ledger_chain_head(n->chain, &head);
	next = ai.nonce;
	pending = btt_node_mempool_account(n->mp, a, &next);
	if (next < ai.nonce)
		next = ai.nonce;
	btt_addr_tron_encode(a, tron);
	o = json_pack("{s:o,s:s,s:I,s:o,s:o,s:I,s:I,s:I,s:i,s:b}", "address",
		      btt_node_json_addr(a), "tron", tron, "height",
		      (json_int_t)head.height, "balance",
		      btt_node_json_u128(ai.balance), "spendable",
		      btt_node_json_u128(ai.spendable), "nonce",
		      (json_int_t)ai.nonce, "next_nonce", (json_int_t)next,
		      "pending", (json_int_t)pending, "flags", (int)ai.flags,
		      "vesting", ai.vesting);
	if (!o)
		abort();
	set(o, "locked", btt_node_json_u128(ai.locked));
	set(o, "bonded", btt_node_json_u128(ai.bonded));
	set(o, "unbonding", btt_node_json_u128(ai.unbonding));
	return o;
}

struct hist {
	struct btt_node *n;
	json_t *list;
	int err;
};

static int hist_one(void *arg, uint64_t height, uint32_t index,
		    const uint8_t txid[32])
{
	struct hist *h = arg;
	struct btt_ledger_txloc loc;
	struct btt_wbuf w;
	json_t *o = NULL;

	btt_wbuf_init(&w, BTT_TX_MAX_LEN);
	h->err = btt_ledger_blockstore_tx(btt_ledger_chain_store(h->n->chain),
					  txid, &loc, &w);
	if (!h->err && !(o = tx_json(w.buf, w.len)))
		h->err = BTT_ECORRUPT;
	btt_wbuf_release(&w);
	if (h->err)
		return 1;
	set(o, "height", json_integer((json_int_t)height));
	set(o, "index", json_integer(index));
	set(o, "receipt", receipt_json(&loc.receipt));
	json_array_append_new(h->list, o);
	return 0;
}

static json_t *m_account_history(void *arg, json_t *params,
				 struct btt_rpc_error *err)
{
	struct hist h = {.n = arg};
	json_t *from = btt_node_param(params, 1, "from_height");
	json_t *lim = btt_node_param(params, 2, "limit");
	uint8_t a[BTT_ADDR_LEN];
	json_int_t f = 0, max = BTT_RPC_MAX_HISTORY;
	int e;

	if (!btt_node_param_addr(btt_node_param(params, 0, "address"), a, err))
		return NULL;
	if ((from &&
	     (!json_is_integer(from) || (f = json_integer_value(from)) < 0)) ||
	    (lim &&
	     (!json_is_integer(lim) || (max = json_integer_value(lim)) < 1 ||
	      max > BTT_RPC_MAX_HISTORY)))
		return btt_rpc_error_set(err, BTT_RPC_INVALID_PARAMS,
					 "want [address, from_height >= 0, "
					 "limit 1..%d]",
					 BTT_RPC_MAX_HISTORY);
	if (!(h.list = json_array()))
		abort();
	e = btt_ledger_blockstore_history(btt_ledger_chain_store(h.n->chain), a,
					  (uint64_t)f, (size_t)max, hist_one,
					  &h);
	if (e || h.err) {
		json_decref(h.list);
		return btt_rpc_error_btt(err, e ? e : h.err, "history");
	}
	return h.list;
}

int btt_node_rpc_register(struct btt_node *n)
{
	int e;

	if ((e = btt_rpc_dispatch_add(n->methods, "tx_submit", m_tx_submit,
				      n)) ||
	    (e = btt_rpc_dispatch_add(n->methods, "tx_get", m_tx_get, n)) ||
	    (e = btt_rpc_dispatch_add(n->methods, "account_get", m_account_get,
				      n)))
		return e;
	return btt_rpc_dispatch_add(n->methods, "account_history",
				    m_account_history, n);
}
