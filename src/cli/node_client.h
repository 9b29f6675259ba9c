/* What `btt chain` and `btt wallet` share to talk to a node: the RPC URL,
 * one call with its errors reported the CLI's way, and BTT amounts as
 * text (exact: up to 18 decimals, no floating point anywhere). */
#ifndef BTT_CLI_NODE_CLIENT_H
#define BTT_CLI_NODE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ledger/tx.h"
#include "ledger/u128.h"

/* How long one call may take. */
#define BTT_CLI_RPC_TIMEOUT_MS 30000
/* Room for a formatted amount: 39 digits, a dot, 18 decimals, NUL. */
#define BTT_CLI_BTT_TEXT 64

/* The node's URL: `opt` when given, else $BTT_RPC, else the default
 * node port on 127.0.0.1. */
const char *btt_cli_rpc_url(const char *opt);

/* Calls method with params (consumed; NULL: none). On success *out is the
 * result and BTT_EXIT_OK is returned; otherwise the error is printed as
 * "btt <cmd>: ..." and the exit code returned: BTT_EXIT_USAGE when the
 * node refused the input (invalid params, a rejected transaction),
 * BTT_EXIT_FAIL otherwise (no node, not found, server error). *out_code
 * (may be NULL) gets the JSON-RPC error code, 0 when none. */
int btt_cli_rpc(const char *cmd, const char *url, const char *method,
		json_t *params, json_t **out, int *out_code);

/* Base units as BTT: "1.5", "0.000001168", "990000000000". */
void btt_cli_fmt_btt(btt_u128 v, char out[BTT_CLI_BTT_TEXT]);

/* Parses BTT as decimal text with at most 18 decimals ("2", "0.5",
 * "1.000000000000000001") into base units, exactly. False on anything
 * else: signs, exponents, a lone dot, more decimals, overflow. */
bool btt_cli_parse_btt(const char *s, size_t len, btt_u128 *out);

/* A decimal string member of a result (an amount). 0 when missing. */
btt_u128 btt_cli_json_u128(json_t *obj, const char *key);

/* Polls tx_get for txid (hex) every 100 ms until it is committed or
 * timeout_s passed. On success *out is the committed transaction (with
 * its receipt). Returns an exit code; a timeout is BTT_EXIT_FAIL, and
 * so is a node error. */
int btt_cli_wait_tx(const char *cmd, const char *url, const char *txid,
		    uint64_t timeout_s, json_t **out);

/* `btt wallet balance ADDR`: prints the balance and spendable amount
 * (or the account as JSON). Returns an exit code. */
int btt_cli_balance(const char *cmd, const char *url, const char *addr,
		    bool json);

/* `btt wallet history ADDR`: one line per committed transaction (or the
 * list as JSON). Returns an exit code. */
int btt_cli_history(const char *cmd, const char *url, const char *addr,
		    bool json);

/* `btt wallet send`: the options as given (NULL when absent). */
struct btt_cli_send {
	const char *from, *to, *amount, *fee, *nonce, *chain_id, *timeout;
	bool no_wait, json;
	/* Signs tx with the key of tx->from. Returns an exit code. */
	int (*sign)(void *arg, struct btt_tx *tx);
	void *sign_arg;
};

/* Builds a transfer (chain id and nonce from the node unless given;
 * max_fee the fee schedule's price unless --fee), has it signed,
 * submits it, prints its txid and, unless no_wait, waits for its block
 * and prints the receipt. Returns an exit code: 1 also when the
 * transfer was committed but failed. */
int btt_cli_send(const char *cmd, const char *url,
		 const struct btt_cli_send *s);

/* Prints v as indented JSON and a newline. Returns an exit code. */
int btt_cli_print_json(json_t *v);

#endif
