/* btt node: run a single-validator chain node.
 *
 *   btt node --genesis FILE --validator KEYFILE --data DIR [options]
 *
 * Reads and checks the genesis, loads the validator key (a wallet key
 * file, decrypted with BTT_PASSPHRASE, or a file holding the key in hex
 * as `btt chain genesis --keys-out` writes them), opens the chain and
 * runs the node (node/node.h) until SIGINT or SIGTERM. The first line on
 * stdout is "rpc http://127.0.0.1:PORT/", so scripts can find a port the
 * OS chose. Exit status: 0 after a clean shutdown, 1 when the node failed
 * (a block could not be stored, the port is taken, the data directory is
 * damaged or of another genesis), 2 bad usage or bad input. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "btt/err.h"
#include "cli/cli_int.h"
#include "core/codec.h"
#include "core/cur.h"
#include "core/limits.h"
#include "core/log.h"
#include "io/loop.h"
#include "io/signal.h"
#include "ledger/genesis.h"
#include "node/node.h"
#include "wallet/wallet.h"

static const char cmd[] = "node";

enum {
	OPT_GENESIS = 256,
	OPT_VALIDATOR,
	OPT_DATA,
	OPT_PORT,
	OPT_INTERVAL,
	OPT_MAX_TXS,
	OPT_WORKERS,
};

static const struct option long_opts[] = {
	{"genesis", required_argument, NULL, OPT_GENESIS},
	{"validator", required_argument, NULL, OPT_VALIDATOR},
	{"data", required_argument, NULL, OPT_DATA},
	{"rpc-port", required_argument, NULL, OPT_PORT},
	{"block-interval", required_argument, NULL, OPT_INTERVAL},
	{"max-block-txs", required_argument, NULL, OPT_MAX_TXS},
	{"workers", required_argument, NULL, OPT_WORKERS},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: btt node --genesis FILE --validator KEYFILE --data "
		"DIR\n"
		"                [--rpc-port N] [--block-interval MS] "
		"[--max-block-txs N]\n"
		"                [--workers N]\n"
		"\n"
		"Runs a single-validator BTT chain node: a block every "
		"interval (empty\n"
		"ones too), JSON-RPC on 127.0.0.1 (docs/node.md). Stops on "
		"SIGINT or\n"
		"SIGTERM.\n"
		"\n"
		"  --genesis FILE        the genesis file (btt chain genesis)\n"
		"  --validator KEYFILE   the validator's key: a wallet key "
		"file "
		"(decrypted\n"
		"                        with BTT_PASSPHRASE), or a file "
		"holding the key\n"
		"                        as 64 hex digits (btt chain genesis "
		"--keys-out)\n"
		"  --data DIR            chain data directory (created when "
		"missing)\n"
		"  --rpc-port N          RPC port on 127.0.0.1 (default %u; 0: "
		"the OS\n"
		"                        chooses; the port is printed)\n"
		"  --block-interval MS   time between blocks (default %u)\n"
		"  --max-block-txs N     transactions per block (default %u, "
		"at "
		"most %u)\n"
		"  --workers N           signature-checking threads (default: "
		"CPUs)\n"
		"  -h, --help            this help\n",
		BTT_NODE_DEFAULT_RPC_PORT, BTT_NODE_DEFAULT_INTERVAL_MS,
		BTT_NODE_DEFAULT_BLOCK_TXS, BTT_BLOCK_MAX_TXS);
}

struct node_args {
	const char *genesis, *validator, *data;
	struct btt_node_opts o;
};

static bool number(const char *opt, const char *s, uint64_t min, uint64_t max,
		   uint64_t *out)
{
	if (btt_cli_parse_u64(s, max, false, out) && *out >= min)
		return true;
	btt_cli_err(cmd, "%s: want a number from %llu to %llu", opt,
		    (unsigned long long)min, (unsigned long long)max);
	return false;
}

static int parse_opt(struct node_args *a, int c)
{
	uint64_t v;

	switch (c) {
	case OPT_GENESIS: a->genesis = optarg; return 0;
	case OPT_VALIDATOR: a->validator = optarg; return 0;
	case OPT_DATA: a->data = optarg; return 0;
	case OPT_PORT:
		if (!number("--rpc-port", optarg, 0, 65535, &v))
			return -1;
		a->o.rpc_port = (uint16_t)v;
		return 0;
	case OPT_INTERVAL:
		if (!number("--block-interval", optarg, 1, 3600000, &v))
			return -1;
		a->o.block_interval_ms = (uint32_t)v;
		return 0;
	case OPT_MAX_TXS:
		if (!number("--max-block-txs", optarg, 1, BTT_BLOCK_MAX_TXS,
			    &v))
			return -1;
		a->o.max_block_txs = (size_t)v;
		return 0;
	case OPT_WORKERS:
		if (!number("--workers", optarg, 1, 64, &v))
			return -1;
		a->o.workers = (unsigned)v;
		return 0;
	case 'h': usage(stdout); return 1;
	default: usage(stderr); return -1;
	}
}

/* "[0x]<64 hex digits>" with surrounding whitespace. */
static bool hex_key(const uint8_t *p, size_t n, uint8_t key[32])
{
	size_t a = 0, b = n;
	struct btt_cur c;

	while (a < b &&
	       (p[a] == ' ' || p[a] == '\t' || p[a] == '\n' || p[a] == '\r'))
		a++;
	while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t' ||
			 p[b - 1] == '\n' || p[b - 1] == '\r'))
		b--;
	btt_cur_init(&c, p + a, b - a);
	btt_cur_get_prefix(&c, "0x");
	return btt_cur_len(&c) == 64 &&
	       btt_hex_decode((const char *)btt_cur_data(&c), 64, key, 32) ==
		       0 &&
	       btt_secp_key_valid(key);
}

/* Loads the validator key. Returns an exit code. */
static int load_key(const char *path, uint8_t key[32])
{
	const char *pass = getenv("BTT_PASSPHRASE");
	uint8_t *buf = NULL, addr[BTT_ADDR_LEN];
	size_t len;
	int e, rc = BTT_EXIT_USAGE;

	if ((e = btt_cli_read_file(path, BTT_KEYSTORE_MAX_FILE, &buf, &len))) {
		btt_cli_err(cmd, "%s: %s", path, btt_strerror(e));
		return e == BTT_ELIMIT ? BTT_EXIT_USAGE : BTT_EXIT_FAIL;
	}
	if (len == BTT_WALLET_FILE_LEN && !memcmp(buf, "BTTK", 4)) {
		if (!pass)
			btt_cli_err(cmd,
				    "%s is a wallet key file: set "
				    "BTT_PASSPHRASE",
				    path);
		else if ((e = btt_wallet_file_open(buf, len, pass, strlen(pass),
						   key, addr)) != 0)
			btt_cli_err(cmd, "%s: %s", path, btt_strerror(e));
		else
			rc = BTT_EXIT_OK;
	} else if (hex_key(buf, len, key)) {
		rc = BTT_EXIT_OK;
	} else {
		btt_cli_err(cmd,
			    "%s: neither a wallet key file nor a private key "
			    "in hex",
			    path);
	}
	sodium_memzero(buf, len);
	free(buf);
	return rc;
}

static int load_genesis(const char *path, struct btt_genesis *g)
{
	uint8_t *buf;
	size_t len;
	char why[256];
	int e;

	if ((e = btt_cli_read_file(path, BTT_GENESIS_MAX_SIZE, &buf, &len))) {
		btt_cli_err(cmd, "%s: %s", path, btt_strerror(e));
		return e == BTT_ELIMIT ? BTT_EXIT_USAGE : BTT_EXIT_FAIL;
	}
	e = btt_ledger_genesis_parse(buf, len, g, why, sizeof(why));
	free(buf);
	if (e) {
		btt_cli_err(cmd, "%s: invalid genesis: %s", path,
			    why[0] ? why : btt_strerror(e));
		return BTT_EXIT_USAGE;
	}
	return BTT_EXIT_OK;
}

static void on_shutdown(struct btt_signal *s, int signum, void *arg)
{
	(void)s;
	BTT_LOG(BTT_LOG_INFO, cmd, "signal %d: shutting down", signum);
	btt_node_stop(arg);
}

/* Runs the node until a signal. Returns an exit code. */
static int serve(struct node_args *a)
{
	struct btt_loop *loop = NULL;
	struct btt_signal *sig = NULL;
	struct btt_node *n = NULL;
	uint8_t addr[BTT_ADDR_LEN];
	char hex[BTT_ADDR_HEX_CHARS + 1], why[512];
	int e, rc = BTT_EXIT_FAIL;

	if ((e = btt_loop_new(&loop)) != 0) {
		btt_cli_err(cmd, "cannot start the loop: %s", btt_strerror(e));
		return BTT_EXIT_FAIL;
	}
	if ((e = btt_node_new(loop, &a->o, &n, why, sizeof(why))) != 0) {
		btt_cli_err(cmd, "%s: %s", a->data,
			    why[0] ? why : btt_strerror(e));
		goto out;
	}
	if ((e = btt_signal_shutdown_new(loop, on_shutdown, n, &sig)) != 0) {
		btt_cli_err(cmd, "cannot watch signals: %s", btt_strerror(e));
		goto out;
	}
	btt_node_address(n, addr);
	btt_addr_hex_encode(addr, hex);
	printf("rpc http://127.0.0.1:%u/\nvalidator %s\n",
	       (unsigned)btt_node_rpc_port(n), hex);
	fflush(stdout);
	btt_loop_run(loop);
	rc = btt_node_failed(n) ? BTT_EXIT_FAIL : BTT_EXIT_OK;
out:
	btt_signal_free(sig);
	btt_node_free(n);
	btt_loop_free(loop);
	return rc;
}

int btt_cmd_node(int argc, char **argv)
{
	struct node_args a = {.o.rpc_port = BTT_NODE_DEFAULT_RPC_PORT};
	struct btt_genesis *g;
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1)
		if ((r = parse_opt(&a, c)))
			return r > 0 ? BTT_EXIT_OK : BTT_EXIT_USAGE;
	if (optind != argc) {
		btt_cli_err(cmd, "unexpected argument '%s'", argv[optind]);
		return BTT_EXIT_USAGE;
	}
	if (!a.genesis || !a.validator || !a.data) {
		btt_cli_err(cmd,
			    "--genesis, --validator and --data are needed");
		usage(stderr);
		return BTT_EXIT_USAGE;
	}
	g = btt_ledger_genesis_new();
	if ((r = load_genesis(a.genesis, g)) == BTT_EXIT_OK &&
	    (r = load_key(a.validator, a.o.key)) == BTT_EXIT_OK) {
		a.o.genesis = g;
		a.o.data_dir = a.data;
		r = serve(&a);
	}
	sodium_memzero(a.o.key, sizeof(a.o.key));
	btt_ledger_genesis_free(g);
	return r;
}
