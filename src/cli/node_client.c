/* The node client of the command line (node_client.h): RPC calls with
 * CLI error reporting, BTT amounts as text, and the node-facing wallet
 * commands (balance, history, send). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "btt/err.h"
#include "cli/cli_int.h"
#include "cli/node_client.h"
#include "core/codec.h"
#include "core/cur.h"
#include "core/log.h"
#include "crypto/address.h"
#include "node/node.h"
#include "rpc/rpc.h"

const char *btt_cli_rpc_url(const char *opt)
{
	static char def[64];
	const char *env = getenv("BTT_RPC");

	if (opt && *opt)
		return opt;
	if (env && *env)
		return env;
	snprintf(def, sizeof(def), "http://127.0.0.1:%u/",
		 (unsigned)BTT_NODE_DEFAULT_RPC_PORT);
	return def;
}

int btt_cli_rpc(const char *cmd, const char *url, const char *method,
		json_t *params, json_t **out, int *out_code)
{
	struct btt_rpc_error err;
	char esc[BTT_RPC_MAX_MESSAGE * 4];
	int e = btt_rpc_call(url, method, params, BTT_CLI_RPC_TIMEOUT_MS, out,
			     &err);

	json_decref(params);
	if (out_code)
		*out_code = e == 1 ? err.code : 0;
	if (e == 0)
		return BTT_EXIT_OK;
	/* the message comes from the network: escape it */
	btt_log_escape(err.message, strlen(err.message), esc, sizeof(esc));
	if (e < 0) {
		btt_cli_err(cmd, "cannot reach the node: %s", esc);
		return BTT_EXIT_FAIL;
	}
	btt_cli_err(cmd, "%s (error %d%s%s)", esc, err.code,
		    err.btt ? ", " : "", err.btt ? btt_err_name(err.btt) : "");
	if (err.code == BTT_RPC_INVALID_PARAMS ||
	    (err.code <= BTT_RPC_BAD_ENCODING && err.code >= BTT_RPC_LOCKED &&
	     err.code != BTT_RPC_BUSY))
		return BTT_EXIT_USAGE;
	return BTT_EXIT_FAIL;
}

void btt_cli_fmt_btt(btt_u128 v, char out[BTT_CLI_BTT_TEXT])
{
	char whole[BTT_U128_DEC_MAX + 1], frac[19];
	btt_u128 f = v % BTT_COIN;
	int n = 18;

	btt_u128_to_dec(v / BTT_COIN, whole);
	for (int i = 17; i >= 0; i--, f /= 10)
		frac[i] = (char)('0' + (int)(f % 10));
	while (n > 0 && frac[n - 1] == '0')
		n--;
	frac[n] = 0;
	snprintf(out, BTT_CLI_BTT_TEXT, "%s%s%s", whole, n ? "." : "", frac);
}

bool btt_cli_parse_btt(const char *s, size_t len, btt_u128 *out)
{
	struct btt_cur c;
	btt_u128 whole, frac = 0, scale = BTT_COIN;
	uint8_t ch;

	btt_cur_init(&c, s, len);
	if (!btt_u128_get_dec(&c, &whole) ||
	    !btt_u128_mul(whole, BTT_COIN, &whole))
		return false;
	if (btt_cur_get_u8(&c, &ch)) {
		if (ch != '.' || !btt_cur_len(&c))
			return false;
		while (btt_cur_get_u8(&c, &ch)) {
			if (ch < '0' || ch > '9' || scale == 1)
				return false;
			scale /= 10;
			frac += (btt_u128)(ch - '0') * scale;
		}
	}
	return btt_u128_add(whole, frac, out);
}

btt_u128 btt_cli_json_u128(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	btt_u128 r = 0;

	if (json_is_string(v))
		btt_u128_from_dec(json_string_value(v), json_string_length(v),
				  &r);
	return r;
}

int btt_cli_wait_tx(const char *cmd, const char *url, const char *txid,
		    uint64_t timeout_s, json_t **out)
{
	struct timespec step = {0, 100 * 1000 * 1000};
	uint64_t polls = timeout_s * 10;
	json_t *r = NULL;
	int rc;

	for (uint64_t i = 0; i <= polls; i++) {
		if (i)
			nanosleep(&step, NULL);
		rc = btt_cli_rpc(cmd, url, "tx_get", json_pack("[s]", txid), &r,
				 NULL);
		if (rc)
			return rc;
		const char *st =
			json_string_value(json_object_get(r, "status"));
		if (st && !strcmp(st, "committed")) {
			*out = r;
			return BTT_EXIT_OK;
		}
		json_decref(r);
	}
	btt_cli_err(cmd, "%s: not committed within %llu s (still pending)",
		    txid, (unsigned long long)timeout_s);
	return BTT_EXIT_FAIL;
}

int btt_cli_print_json(json_t *v)
{
	if (json_dumpf(v, stdout, JSON_INDENT(2)) != 0 || putchar('\n') < 0 ||
	    fflush(stdout) != 0) {
		fprintf(stderr, "btt: cannot write the output\n");
		return BTT_EXIT_FAIL;
	}
	return BTT_EXIT_OK;
}

static const char *jstr(json_t *o, const char *k, const char *def)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : def;
}

static int out_done(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "btt: cannot write the output\n");
		return BTT_EXIT_FAIL;
	}
	return rc;
}

/* Addresses are checked here first, so a typo is a usage error without
 * a round trip. */
static int check_addr(const char *cmd, const char *s)
{
	uint8_t a[BTT_ADDR_LEN];
	char esc[128];

	if (btt_addr_parse(s, strlen(s), a) == 0)
		return BTT_EXIT_OK;
	btt_cli_err(cmd, "'%s' is not an address (0x... or T...)",
		    btt_log_escape(s, strlen(s), esc, sizeof(esc)));
	return BTT_EXIT_USAGE;
}

int btt_cli_balance(const char *cmd, const char *url, const char *addr,
		    bool json)
{
	char t[BTT_CLI_BTT_TEXT], s[BTT_CLI_BTT_TEXT];
	json_t *r = NULL;
	int rc;

	if ((rc = check_addr(cmd, addr)) != 0 ||
	    (rc = btt_cli_rpc(cmd, url, "account_get", json_pack("[s]", addr),
			      &r, NULL)) != 0)
		return rc;
	if (json) {
		rc = btt_cli_print_json(r);
	} else {
		btt_cli_fmt_btt(btt_cli_json_u128(r, "balance"), t);
		btt_cli_fmt_btt(btt_cli_json_u128(r, "spendable"), s);
		printf("%s BTT (spendable %s BTT)\n", t, s);
		rc = out_done(BTT_EXIT_OK);
	}
	json_decref(r);
	return rc;
}

int btt_cli_history(const char *cmd, const char *url, const char *addr,
		    bool json)
{
	char amt[BTT_CLI_BTT_TEXT];
	json_t *r = NULL, *t;
	size_t i;
	int rc;

	if ((rc = check_addr(cmd, addr)) != 0 ||
	    (rc = btt_cli_rpc(cmd, url, "account_history",
			      json_pack("[s]", addr), &r, NULL)) != 0)
		return rc;
	if (json) {
		rc = btt_cli_print_json(r);
		json_decref(r);
		return rc;
	}
	json_array_foreach(r, i, t)
	{
		json_t *rcpt = json_object_get(t, "receipt");
		btt_cli_fmt_btt(btt_cli_json_u128(t, "amount"), amt);
		printf("%lld %s %s %s -> %s %s BTT %s\n",
		       (long long)json_integer_value(
			       json_object_get(t, "height")),
		       jstr(t, "txid", "-"), jstr(t, "type_name", "-"),
		       jstr(t, "from", "-"), jstr(t, "to", "-"), amt,
		       json_is_true(json_object_get(rcpt, "ok"))
			       ? "ok"
			       : jstr(rcpt, "error", "failed"));
	}
	json_decref(r);
	return out_done(BTT_EXIT_OK);
}

/* A number option, or `def` when absent. False (after saying why) when
 * it is malformed. */
static bool num_opt(const char *cmd, const char *name, const char *v,
		    uint64_t def, uint64_t *out)
{
	*out = def;
	if (!v || btt_cli_parse_u64(v, UINT64_MAX, false, out))
		return true;
	btt_cli_err(cmd, "%s: want a number", name);
	return false;
}

/* Checks the options into tx and its transfer. */
static int send_args(const char *cmd, const struct btt_cli_send *s,
		     struct btt_tx *tx, struct btt_tx_transfer *t,
		     uint64_t *timeout)
{
	if (!s->from || !s->to || !s->amount) {
		btt_cli_err(cmd, "send needs --from, --to and --amount");
		return BTT_EXIT_USAGE;
	}
	if (check_addr(cmd, s->from) || check_addr(cmd, s->to))
		return BTT_EXIT_USAGE;
	btt_addr_parse(s->from, strlen(s->from), tx->from);
	btt_addr_parse(s->to, strlen(s->to), t->to);
	if (!btt_cli_parse_btt(s->amount, strlen(s->amount), &t->amount) ||
	    (s->fee &&
	     !btt_cli_parse_btt(s->fee, strlen(s->fee), &tx->max_fee))) {
		btt_cli_err(cmd, "amounts are BTT with at most 18 decimals, "
				 "like 12 or 0.5");
		return BTT_EXIT_USAGE;
	}
	if (!num_opt(cmd, "--nonce", s->nonce, 0, &tx->nonce) ||
	    !num_opt(cmd, "--chain-id", s->chain_id, 0, &tx->chain_id) ||
	    !num_opt(cmd, "--timeout", s->timeout, 60, timeout))
		return BTT_EXIT_USAGE;
	return BTT_EXIT_OK;
}

/* Fills the chain id and nonce from the node unless given. */
static int send_context(const char *cmd, const char *url,
			const struct btt_cli_send *s, struct btt_tx *tx)
{
	json_t *r = NULL;
	int rc;

	if (!s->chain_id) {
		if ((rc = btt_cli_rpc(cmd, url, "chain_status", NULL, &r,
				      NULL)) != 0)
			return rc;
		tx->chain_id = (uint64_t)json_integer_value(
			json_object_get(r, "chain_id"));
		json_decref(r);
	}
	if (!s->nonce) {
		if ((rc = btt_cli_rpc(cmd, url, "account_get",
				      json_pack("[s]", s->from), &r, NULL)) !=
		    0)
			return rc;
		tx->nonce = (uint64_t)json_integer_value(
			json_object_get(r, "next_nonce"));
		json_decref(r);
	}
	return BTT_EXIT_OK;
}

/* The signed encoding of tx in hex (malloc'd). */
static int sign_hex(const char *cmd, const struct btt_cli_send *s,
		    struct btt_tx *tx, char **out)
{
	struct btt_wbuf w;
	int rc, e;

	if ((rc = s->sign(s->sign_arg, tx)) != 0)
		return rc;
	btt_wbuf_init(&w, BTT_TX_MAX_LEN);
	if ((e = btt_ledger_tx_encode(tx, &w)) != 0) {
		btt_wbuf_release(&w);
		btt_cli_err(cmd, "cannot encode: %s", btt_strerror(e));
		return BTT_EXIT_FAIL;
	}
	*out = malloc(2 * w.len + 1);
	if (!*out)
		abort();
	btt_hex_encode(w.buf, w.len, *out);
	btt_wbuf_release(&w);
	return BTT_EXIT_OK;
}

static int report_receipt(const struct btt_cli_send *s, json_t *r)
{
	json_t *rc = json_object_get(r, "receipt");
	bool ok = json_is_true(json_object_get(rc, "ok"));
	char fee[BTT_CLI_BTT_TEXT];
	int e;

	if (s->json) {
		e = btt_cli_print_json(r);
	} else {
		btt_cli_fmt_btt(btt_cli_json_u128(rc, "fee"), fee);
		printf("committed in block %lld: %s, fee %s BTT\n",
		       (long long)json_integer_value(
			       json_object_get(r, "height")),
		       ok ? "ok" : jstr(rc, "message", "failed"), fee);
		e = out_done(BTT_EXIT_OK);
	}
	return e ? e : ok ? BTT_EXIT_OK : BTT_EXIT_FAIL;
}

/* Submits hex; prints the txid; waits unless told not to. */
static int submit(const char *cmd, const char *url,
		  const struct btt_cli_send *s, const char *hex,
		  uint64_t timeout)
{
	json_t *r = NULL, *done = NULL;
	const char *id;
	int rc;

	if ((rc = btt_cli_rpc(cmd, url, "tx_submit", json_pack("[s]", hex), &r,
			      NULL)) != 0)
		return rc;
	id = jstr(r, "txid", "");
	if (s->no_wait && s->json)
		rc = btt_cli_print_json(r);
	else if (!s->json)
		printf("%s\n", id);
	rc = out_done(rc);
	if (!rc && !s->no_wait &&
	    (rc = btt_cli_wait_tx(cmd, url, id, timeout, &done)) == 0)
		rc = report_receipt(s, done);
	json_decref(done);
	json_decref(r);
	return rc;
}

int btt_cli_send(const char *cmd, const char *url, const struct btt_cli_send *s)
{
	struct btt_tx tx = {.version = BTT_TX_VERSION, .type = BTT_TX_TRANSFER};
	struct btt_tx_transfer t;
	uint8_t payload[BTT_TX_TRANSFER_LEN];
	struct btt_wbuf w;
	uint64_t timeout;
	char *hex = NULL;
	int rc;

	if ((rc = send_args(cmd, s, &tx, &t, &timeout)) != 0 ||
	    (rc = send_context(cmd, url, s, &tx)) != 0)
		return rc;
	btt_wbuf_init_fixed(&w, payload, sizeof(payload));
	btt_ledger_transfer_encode(&t, &w);
	tx.payload = payload;
	tx.payload_len = w.len;
	if (!s->fee)
		tx.max_fee = btt_ledger_tx_fee(&tx);
	if ((rc = sign_hex(cmd, s, &tx, &hex)) == 0)
		rc = submit(cmd, url, s, hex, timeout);
	free(hex);
	return rc;
}
