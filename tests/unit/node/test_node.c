/* The node without HTTP and without its timer: admission through the
 * executor's check and the mempool, block production through
 * propose/commit/abort, exact balances, the RPC methods called through
 * the dispatcher, and reopening the data directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btt/err.h"
#include "core/codec.h"
#include "io/loop.h"
#include "ledger/chain.h"
#include "ledger/state.h"
#include "node/node_int.h"

struct env {
	char dir[64];
	struct btt_genesis *g;
	uint8_t rich[32], val[32]; /* public_sale, partnerships */
	uint8_t rich_addr[BTT_ADDR_LEN], to[BTT_ADDR_LEN];
	struct btt_loop *loop;
	struct btt_node *n;
	uint64_t time;
};

static void on_key(void *arg, const char *label, const uint8_t *key)
{
	struct env *e = arg;

	if (!strcmp(label, "public_sale"))
		memcpy(e->rich, key, 32);
	if (!strcmp(label, "partnerships"))
		memcpy(e->val, key, 32);
}

static void open_node(struct env *e)
{
	struct btt_node_opts o = {.data_dir = e->dir,
				  .genesis = e->g,
				  .no_rpc = true,
				  .block_interval_ms = 3600000,
				  .workers = 1};
	char err[256];

	memcpy(o.key, e->val, 32);
	assert_int_equal(btt_node_new(e->loop, &o, &e->n, err, sizeof(err)), 0);
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct btt_genesis_opts go = {.on_key = on_key};

	go.on_key_arg = e;
	snprintf(e->dir, sizeof(e->dir), "/tmp/btt-test-node.XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	e->g = btt_ledger_genesis_new();
	assert_int_equal(btt_ledger_genesis_default(&go, e->g), 0);
	btt_addr_from_key(e->rich, e->rich_addr);
	memset(e->to, 0x42, sizeof(e->to));
	assert_int_equal(btt_loop_new(&e->loop), 0);
	open_node(e);
	e->time = 1000;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	char cmd[128];

	btt_node_free(e->n);
	btt_loop_free(e->loop);
	btt_ledger_genesis_free(e->g);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
	assert_int_equal(system(cmd), 0);
	free(e);
	return 0;
}

/* A signed transfer into buf; returns its length. */
static size_t transfer(const uint8_t key[32], uint64_t chain, uint64_t nonce,
		       const uint8_t to[20], btt_u128 amount, btt_u128 max_fee,
		       uint8_t *buf)
{
	struct btt_tx tx = {.version = 1,
			    .chain_id = chain,
			    .type = BTT_TX_TRANSFER,
			    .nonce = nonce};
	struct btt_tx_transfer t = {.amount = amount};
	uint8_t payload[BTT_TX_TRANSFER_LEN];
	struct btt_wbuf w;

	memcpy(t.to, to, 20);
	btt_wbuf_init_fixed(&w, payload, sizeof(payload));
	btt_ledger_transfer_encode(&t, &w);
	tx.payload = payload;
	tx.payload_len = w.len;
	tx.max_fee = max_fee ? max_fee : btt_ledger_tx_fee(&tx);
	assert_int_equal(btt_ledger_tx_sign(&tx, key), 0);
	btt_wbuf_init_fixed(&w, buf, BTT_TX_MAX_LEN);
	assert_int_equal(btt_ledger_tx_encode(&tx, &w), 0);
	return w.len;
}

static int submit(struct env *e, uint64_t nonce, btt_u128 amount,
		  btt_u128 max_fee, uint8_t id[32])
{
	uint8_t buf[BTT_TX_MAX_LEN], tmp[32];

	return btt_node_submit(e->n, buf,
			       transfer(e->rich,
					btt_ledger_chain_id(e->n->chain), nonce,
					e->to, amount, max_fee, buf),
			       id ? id : tmp, NULL);
}

static size_t block(struct env *e)
{
	const struct btt_ledger_block *b;
	size_t n;

	assert_int_equal(btt_node_propose(e->n, e->time++, &b), 0);
	n = b->n_txs;
	assert_int_equal(btt_node_commit(e->n), 0);
	return n;
}

static struct btt_ledger_account_info account(struct env *e, const uint8_t *a)
{
	struct btt_ledger_account_info ai;

	assert_int_equal(btt_ledger_chain_account(e->n->chain, a, &ai), 0);
	return ai;
}

static void test_node_transfers_in_a_block(void **state)
{
	struct env *e = *state;
	struct btt_ledger_account_info before = account(e, e->rich_addr), after;
	struct btt_ledger_head head;
	struct btt_mempool_stats st;
	uint8_t buf[BTT_TX_MAX_LEN];
	size_t len = transfer(e->rich, 1, 0, e->to, 1, 0, buf);
	struct btt_tx tx;
	btt_u128 fee;

	assert_int_equal(btt_ledger_tx_decode(buf, len, &tx), 0);
	fee = btt_ledger_tx_fee(&tx);
	for (uint64_t i = 0; i < 3; i++)
		assert_int_equal(submit(e, i, BTT_COIN + i, 0, NULL), 0);
	btt_node_mempool_stats(e->n->mp, &st);
	assert_int_equal(st.txs, 3);
	assert_int_equal(block(e), 3);
	btt_ledger_chain_head(e->n->chain, &head);
	assert_int_equal(head.height, 1);
	btt_node_mempool_stats(e->n->mp, &st);
	assert_int_equal(st.txs, 0);
	after = account(e, e->rich_addr);
	assert_true(after.balance ==
		    before.balance - 3 * BTT_COIN - 3 - 3 * fee);
	assert_int_equal(after.nonce, 3);
	assert_true(account(e, e->to).balance == 3 * BTT_COIN + 3);
	assert_int_equal(block(e), 0); /* empty blocks too */
}

static void test_node_rejections(void **state)
{
	struct env *e = *state;
	uint64_t chain = btt_ledger_chain_id(e->n->chain);
	uint8_t buf[BTT_TX_MAX_LEN], id[32], poor[32] = {0};
	size_t len;

	assert_int_equal(submit(e, 0, 1, 0, NULL), 0);
	assert_int_equal(submit(e, 0, 1, 0, NULL), BTT_EDUPLICATE);
	block(e);
	assert_int_equal(submit(e, 0, 2, 0, NULL), BTT_ENONCEUSED);
	assert_int_equal(submit(e, 1000, 2, 0, NULL), BTT_ENONCEGAP);
	len = transfer(e->rich, chain + 1, 1, e->to, 1, 0, buf);
	assert_int_equal(btt_node_submit(e->n, buf, len, id, NULL),
			 BTT_ECHAINID);
	len = transfer(e->rich, chain, 1, e->to, 1, 0, buf);
	buf[len - 10] ^= 1; /* the signature no longer recovers to from */
	assert_int_equal(btt_node_submit(e->n, buf, len, id, NULL),
			 BTT_ESIGNATURE);
	len = transfer(e->rich, chain, 1, e->to, 1, 1, buf);
	assert_int_equal(btt_node_submit(e->n, buf, len, id, NULL), BTT_EFEE);
	poor[31] = 7;
	len = transfer(poor, chain, 0, e->to, 1, 0, buf);
	assert_int_equal(btt_node_submit(e->n, buf, len, id, NULL), BTT_EFUNDS);
	len = transfer(e->rich, chain, 1, e->to, (btt_u128)1 << 120, 0, buf);
	assert_int_equal(btt_node_submit(e->n, buf, len, id, NULL), BTT_EFUNDS);
	assert_int_equal(btt_node_submit(e->n, buf, 3, id, NULL),
			 BTT_ETRUNCATED);
	assert_int_equal(
		btt_node_submit(e->n, buf, BTT_TX_MAX_LEN + 1, id, NULL),
		BTT_ELIMIT);
}

static void test_node_replace_by_fee(void **state)
{
	struct env *e = *state;
	uint8_t a[32], b[32];
	const struct btt_ledger_block *blk;
	uint8_t buf[BTT_TX_MAX_LEN];
	struct btt_tx tx;

	assert_int_equal(submit(e, 0, 5, 0, a), 0);
	assert_int_equal(submit(e, 0, 6, BTT_COIN, b), 0);
	assert_false(btt_node_mempool_has(e->n->mp, a));
	assert_true(btt_node_mempool_has(e->n->mp, b));
	assert_int_equal(btt_node_propose(e->n, e->time++, &blk), 0);
	assert_int_equal(blk->n_txs, 1);
	memcpy(buf, blk->txs[0].p, blk->txs[0].len);
	assert_int_equal(btt_ledger_tx_decode(buf, blk->txs[0].len, &tx), 0);
	assert_true(tx.max_fee == BTT_COIN);
	assert_int_equal(btt_node_commit(e->n), 0);
	/* only the schedule's fee is charged, not max_fee */
	assert_true(account(e, e->to).balance == 6);
}

static void test_node_gap_then_fill(void **state)
{
	struct env *e = *state;

	assert_int_equal(submit(e, 1, 1, 0, NULL), 0);
	assert_int_equal(block(e), 0);
	assert_int_equal(submit(e, 0, 1, 0, NULL), 0);
	assert_int_equal(block(e), 2);
}

static void test_node_propose_abort(void **state)
{
	struct env *e = *state;
	const struct btt_ledger_block *b;
	struct btt_ledger_head head;
	struct btt_mempool_stats st;

	assert_int_equal(btt_node_commit(e->n), BTT_ESTATE);
	assert_int_equal(submit(e, 0, 1, 0, NULL), 0);
	assert_int_equal(btt_node_propose(e->n, e->time++, &b), 0);
	assert_int_equal(b->header.height, 1);
	assert_int_equal(btt_node_propose(e->n, e->time++, &b), BTT_ESTATE);
	btt_node_abort(e->n);
	btt_ledger_chain_head(e->n->chain, &head);
	assert_int_equal(head.height, 0);
	btt_node_mempool_stats(e->n->mp, &st);
	assert_int_equal(st.txs, 1);
	/* a time not after the head's is raised */
	assert_int_equal(btt_node_propose(e->n, 0, &b), 0);
	assert_true(b->header.time_ms > 0);
	assert_int_equal(btt_node_commit(e->n), 0);
}

static json_t *call(struct env *e, const char *fmt, ...)
{
	char body[1024];
	va_list ap;
	json_t *r, *res;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	r = btt_rpc_handle(e->n->methods, (const uint8_t *)body, strlen(body));
	assert_non_null(r);
	res = json_incref(json_object_get(r, "result"));
	if (!res)
		res = json_pack("{s:O}", "error", json_object_get(r, "error"));
	json_decref(r);
	return res;
}

/* A string member that must be there. */
static const char *s_of(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	assert_non_null(s);
	return s;
}

static int err_code(json_t *r)
{
	return (int)json_integer_value(
		json_object_get(json_object_get(r, "error"), "code"));
}

static void test_node_rpc_methods(void **state)
{
	struct env *e = *state;
	char addr[BTT_ADDR_HEX_CHARS + 1], id[65];
	uint8_t txid[32], root[32], val[BTT_ACCT_ENC_LEN],
		proof[BTT_SMT_MAX_PROOF];
	json_t *r;
	const char *p;

	btt_addr_hex_encode(e->to, addr);
	assert_int_equal(submit(e, 0, 77, 0, txid), 0);
	btt_hex_encode(txid, 32, id);
	r = call(e,
		 "{\"jsonrpc\":\"2.0\",\"method\":\"tx_get\",\"params\":[\"%"
		 "s\"],\"id\":1}",
		 id);
	assert_string_equal(s_of(r, "status"), "pending");
	assert_string_equal(s_of(r, "amount"), "77");
	json_decref(r);
	block(e);
	r = call(e,
		 "{\"jsonrpc\":\"2.0\",\"method\":\"tx_get\",\"params\":{"
		 "\"txid\":\"0x%s\"},\"id\":1}",
		 id);
	assert_string_equal(s_of(r, "status"), "committed");
	assert_int_equal(json_integer_value(json_object_get(r, "height")), 1);
	assert_true(json_is_true(
		json_object_get(json_object_get(r, "receipt"), "ok")));
	json_decref(r);
	r = call(e,
		 "{\"jsonrpc\":\"2.0\",\"method\":\"account_get\",\"params\":["
		 "\"%s\"],\"id\":1}",
		 addr);
	assert_string_equal(s_of(r, "balance"), "77");
	json_decref(r);
	r = call(e, "{\"jsonrpc\":\"2.0\",\"method\":\"block_get\",\"params\":["
		    "1, true],\"id\":1}");
	assert_int_equal(json_integer_value(json_object_get(r, "tx_count")), 1);
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(r, "txs"), 0), "txid")),
		id);
	json_decref(r);
	r = call(e, "{\"jsonrpc\":\"2.0\",\"method\":\"block_get\",\"params\":["
		    "\"latest\"],\"id\":1}");
	assert_int_equal(json_integer_value(json_object_get(r, "height")), 1);
	json_decref(r);
	r = call(e, "{\"jsonrpc\":\"2.0\",\"method\":\"block_get\",\"params\":["
		    "9],\"id\":1}");
	assert_int_equal(err_code(r), BTT_RPC_NOT_FOUND);
	json_decref(r);
	r = call(e,
		 "{\"jsonrpc\":\"2.0\",\"method\":\"account_history\","
		 "\"params\":[\"%s\", 0, 10],\"id\":1}",
		 addr);
	assert_int_equal(json_array_size(r), 1);
	json_decref(r);
	r = call(e,
		 "{\"jsonrpc\":\"2.0\",\"method\":\"account_history\","
		 "\"params\":[\"%s\", 0, 1001],\"id\":1}",
		 addr);
	assert_int_equal(err_code(r), BTT_RPC_INVALID_PARAMS);
	json_decref(r);
	/* the proof checks out against the head's state root */
	r = call(e,
		 "{\"jsonrpc\":\"2.0\",\"method\":\"state_proof\",\"params\":["
		 "\"%s\"],\"id\":1}",
		 addr);
	p = json_string_value(json_object_get(r, "proof"));
	assert_int_equal(btt_hex_decode(json_string_value(json_object_get(
						r, "state_root")),
					64, root, 32),
			 0);
	assert_int_equal(
		btt_hex_decode(json_string_value(json_object_get(r, "value")),
			       2 * sizeof(val), val, sizeof(val)),
		0);
	assert_int_equal(btt_hex_decode(p, strlen(p), proof, strlen(p) / 2), 0);
	assert_int_equal(btt_ledger_state_verify(root, BTT_STATE_NS_ACCT, e->to,
						 20, val, sizeof(val), proof,
						 strlen(p) / 2),
			 0);
	val[0] ^= 1;
	assert_int_not_equal(
		btt_ledger_state_verify(root, BTT_STATE_NS_ACCT, e->to, 20, val,
					sizeof(val), proof, strlen(p) / 2),
		0);
	json_decref(r);
	r = call(e,
		 "{\"jsonrpc\":\"2.0\",\"method\":\"chain_status\",\"id\":1}");
	assert_int_equal(json_integer_value(json_object_get(r, "height")), 1);
	assert_int_equal(
		json_integer_value(json_object_get(r, "txs_committed")), 1);
	json_decref(r);
	r = call(e,
		 "{\"jsonrpc\":\"2.0\",\"method\":\"tx_get\",\"params\":[\"%"
		 "064d\"],\"id\":1}",
		 0);
	assert_int_equal(err_code(r), BTT_RPC_NOT_FOUND);
	json_decref(r);
	r = call(e, "{\"jsonrpc\":\"2.0\",\"method\":\"tx_submit\",\"params\":["
		    "\"zz\"],\"id\":1}");
	assert_int_equal(err_code(r), BTT_RPC_BAD_ENCODING);
	json_decref(r);
}

static void test_node_reopen(void **state)
{
	struct env *e = *state;
	struct btt_ledger_head a, b;

	assert_int_equal(submit(e, 0, 9, 0, NULL), 0);
	block(e);
	block(e);
	btt_ledger_chain_head(e->n->chain, &a);
	btt_node_free(e->n);
	open_node(e);
	btt_ledger_chain_head(e->n->chain, &b);
	assert_int_equal(b.height, 2);
	assert_memory_equal(a.state_root, b.state_root, 32);
	assert_true(account(e, e->to).balance == 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_node_transfers_in_a_block,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_rejections, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_node_replace_by_fee, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_node_gap_then_fill, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_node_propose_abort, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_node_rpc_methods, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_node_reopen, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
