/* btt chain: the BTT ledger from the command line.
 *
 *   genesis --out FILE [options]   write the default genesis allocation
 *   genesis --check FILE           validate a genesis file, print its hash
 *   status | block H|HASH | tx ID | account ADDR   [--rpc URL] [--json]
 *                                  ask a running node (node_client.h)
 *   replay --genesis FILE --data DIR --out DIR
 *                                  re-execute a stopped node's blocks into
 *                                  a fresh directory, checking every root
 *
 * The genesis itself is built, checked, written and hashed by
 * ledger/genesis*.c; this file parses arguments, writes the placeholder
 * keys when asked (mode 0600, wiped from memory after writing) and
 * reports. Exit status: 0 ok, 1 I/O failure (or no node, or not found),
 * 2 bad usage or a bad file. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "btt/err.h"
#include "cli/cli_int.h"
#include "cli/node_client.h"
#include "core/codec.h"
#include "core/cur.h"
#include "ledger/blockstore.h"
#include "ledger/chain.h"
#include "ledger/exec.h"
#include "ledger/genesis.h"
#include "node/node.h"

static const char cmd[] = "chain";

#define MAX_SEED 1024

enum {
	OPT_OUT = 256,
	OPT_CHECK,
	OPT_CHAIN_ID,
	OPT_TIME,
	OPT_BPY,
	OPT_SEED,
	OPT_KEYS_OUT,
	OPT_VALIDATOR,
	OPT_JSON,
	OPT_RPC,
	OPT_FULL,
	OPT_GENESIS,
	OPT_DATA,
};

struct genesis_args {
	const char *out, *check, *keys_out;
	struct btt_genesis_opts o;
	char **validators; /* argv entries, borrowed */
	size_t n_validators;
	bool json;
	int key_err; /* first failure while writing keys */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: btt chain genesis --out FILE [--chain-id N] [--time "
		"T]\n"
		"                         [--blocks-per-year N] "
		"[--key-seed TEXT]\n"
		"                         [--keys-out DIR] "
		"[--validator ADDR[:STAKE[:SIGNER]]]...\n"
		"       btt chain genesis --check FILE [--json]\n"
		"       btt chain status|block H|tx ID|account ADDR "
		"[--rpc URL] [--json]\n"
		"       btt chain replay --genesis FILE --data DIR --out DIR\n"
		"\n"
		"Writes the default BTT genesis allocation (docs/genesis.md) "
		"as JSON,\n"
		"or checks a genesis file; both print the genesis hash.\n"
		"\n"
		"  --chain-id N          chain id, 1 to 2^53-1 (default %u)\n"
		"  --time T              genesis time, Unix seconds (default "
		"0)\n"
		"  --blocks-per-year N   vesting clock, at least 4 (default "
		"%u)\n"
		"  --key-seed TEXT       seed of the placeholder keys (default "
		"\"%s\";\n"
		"                        anyone who knows it has the keys: "
		"test\n"
		"                        networks only)\n"
		"  --keys-out DIR        also write each placeholder private "
		"key to\n"
		"                        DIR/<label>.hex (mode 0600)\n"
		"  --validator ADDR[:STAKE[:SIGNER]]\n"
		"                        a genesis validator: operator "
		"address, self-bond\n"
		"                        in BTT (default 100000000, taken from "
		"the\n"
		"                        ecosystem bucket), consensus signer "
		"address or\n"
		"                        public key in hex (default: ADDR)\n"
		"  --json                print the --check summary as JSON\n"
		"  -h, --help            this help\n"
		"\n"
		"Queries of a running node (btt node):\n"
		"  status                height, head hash, state root, "
		"mempool\n"
		"  block H|HASH|latest   a block's header and transaction ids "
		"(--full:\n"
		"                        the transactions too)\n"
		"  tx ID                 a transaction: pending, or committed "
		"with its\n"
		"                        receipt\n"
		"  account ADDR          balance, spendable, locked, nonce\n"
		"  --rpc URL             the node (default $BTT_RPC, else "
		"http://127.0.0.1:%u/)\n"
		"  --json                the node's answer as JSON\n"
		"\n"
		"replay re-executes every block of a stopped node's data "
		"directory on a\n"
		"fresh chain in --out (which must not exist) and checks each "
		"block's\n"
		"roots; it prints the height and state root reached.\n",
		BTT_GENESIS_DEFAULT_CHAIN_ID,
		BTT_GENESIS_DEFAULT_BLOCKS_PER_YEAR,
		BTT_GENESIS_DEFAULT_KEY_SEED,
		(unsigned)BTT_NODE_DEFAULT_RPC_PORT);
}

static bool parse_signer(const char *s, size_t len, uint8_t *out,
			 size_t *out_len)
{
	if (len == 66 || len == 130) {
		*out_len = len / 2;
		return btt_hex_decode(s, len, out, *out_len) == 0 &&
		       btt_ledger_staking_signer_check(out, *out_len) == 0;
	}
	*out_len = BTT_ADDR_LEN;
	return btt_addr_parse(s, len, out) == 0;
}

/* Reports why the genesis refused a validator. */
static int added(int e)
{
	switch (e) {
	case 0: return 0;
	case BTT_ELIMIT: btt_cli_err(cmd, "--validator: too many"); break;
	case BTT_EDUPLICATE:
		btt_cli_err(cmd, "--validator: operator or signer given twice");
		break;
	case BTT_EFUNDS:
		btt_cli_err(cmd,
			    "--validator: the %s bucket cannot fund the "
			    "stakes",
			    BTT_GENESIS_VALIDATOR_BUCKET);
		break;
	default:
		btt_cli_err(
			cmd,
			"--validator: stake below the minimum "
			"self-bond of %llu BTT, or the operator is a "
			"keyless bucket address",
			(unsigned long long)(BTT_STAKING_DEFAULT_MIN_SELF_BOND /
					     BTT_COIN));
	}
	return e;
}

/* ADDR[:STAKE[:SIGNER]] into g; every failure is reported. Returns 0 or a
 * btt error. */
static int add_validator(struct btt_genesis *g, const char *arg)
{
	uint8_t op[BTT_ADDR_LEN], signer[BTT_STAKING_SIGNER_MAX];
	size_t signer_len = BTT_ADDR_LEN;
	btt_u128 stake = BTT_GENESIS_DEFAULT_VALIDATOR_STAKE;
	const char *c1 = strchr(arg, ':'),
		   *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	size_t alen = c1 ? (size_t)(c1 - arg) : strlen(arg);

	if (btt_addr_parse(arg, alen, op)) {
		btt_cli_err(cmd, "--validator: bad operator address");
		return BTT_EINVALID;
	}
	memcpy(signer, op, BTT_ADDR_LEN);
	if (c1 && !btt_cli_parse_btt(
			  c1 + 1, c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1),
			  &stake)) {
		btt_cli_err(cmd, "--validator: bad stake (BTT, e.g. 5000000 "
				 "or 2.5)");
		return BTT_EINVALID;
	}
	if (c2 && !parse_signer(c2 + 1, strlen(c2 + 1), signer, &signer_len)) {
		btt_cli_err(cmd, "--validator: bad signer (an address or a "
				 "33/65-byte public key in hex)");
		return BTT_EINVALID;
	}
	return added(btt_ledger_genesis_add_validator(g, op, signer, signer_len,
						      stake));
}

static void on_key(void *arg, const char *label, const uint8_t *key)
{
	struct genesis_args *a = arg;
	char path[4096], name[80], text[2 * BTT_SECP_PRIV_LEN + 2];
	size_t i = 0;
	int fd;

	if (a->key_err)
		return;
	for (; label[i] && i + 1 < sizeof(name); i++)
		name[i] = label[i] == '/' ? '-' : label[i];
	name[i] = 0;
	if (snprintf(path, sizeof(path), "%s/%s.hex", a->keys_out, name) >=
	    (int)sizeof(path)) {
		a->key_err = -ENAMETOOLONG;
		return;
	}
	btt_hex_encode(key, BTT_SECP_PRIV_LEN, text);
	text[2 * BTT_SECP_PRIV_LEN] = '\n';
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0 || fchmod(fd, 0600) < 0 ||
	    write(fd, text, sizeof(text) - 1) != (ssize_t)sizeof(text) - 1)
		a->key_err = -errno;
	if (fd >= 0 && close(fd) < 0 && !a->key_err)
		a->key_err = -errno;
	sodium_memzero(text, sizeof(text));
}

static void print_hash(const uint8_t h[BTT_GENESIS_HASH_LEN])
{
	char hex[2 * BTT_GENESIS_HASH_LEN + 1];

	printf("%s\n", btt_hex_encode(h, BTT_GENESIS_HASH_LEN, hex));
}

static int write_genesis(struct genesis_args *a)
{
	struct btt_genesis *g = btt_ledger_genesis_new();
	uint8_t h[BTT_GENESIS_HASH_LEN];
	char *text = NULL;
	size_t len;
	int e, rc = BTT_EXIT_USAGE;

	if (a->keys_out) {
		if (mkdir(a->keys_out, 0700) < 0 && errno != EEXIST) {
			btt_cli_err(cmd, "%s: %s", a->keys_out,
				    strerror(errno));
			rc = BTT_EXIT_FAIL;
			goto out;
		}
		a->o.on_key = on_key;
		a->o.on_key_arg = a;
	}
	if ((e = btt_ledger_genesis_default(&a->o, g))) {
		btt_cli_err(cmd, "cannot build the genesis: %s",
			    btt_strerror(e));
		goto out;
	}
	if (a->key_err) {
		btt_cli_err(cmd, "%s: %s", a->keys_out,
			    btt_strerror(a->key_err));
		rc = BTT_EXIT_FAIL;
		goto out;
	}
	for (size_t i = 0; i < a->n_validators; i++)
		if (add_validator(g, a->validators[i]))
			goto out;
	if ((e = btt_ledger_genesis_to_json(g, &text, &len)) ||
	    (e = btt_ledger_genesis_hash(g, h))) {
		btt_cli_err(cmd, "cannot encode the genesis: %s",
			    btt_strerror(e));
		goto out;
	}
	if ((e = btt_cli_write_file(a->out, text, len))) {
		btt_cli_err(cmd, "%s: %s", a->out, btt_strerror(e));
		rc = BTT_EXIT_FAIL;
		goto out;
	}
	print_hash(h);
	rc = BTT_EXIT_OK;
out:
	free(text);
	btt_ledger_genesis_free(g);
	return rc;
}

static void print_summary(const struct genesis_args *a,
			  const struct btt_genesis *g,
			  const uint8_t h[BTT_GENESIS_HASH_LEN])
{
	char hex[2 * BTT_GENESIS_HASH_LEN + 1];
	struct btt_wbuf w;

	btt_hex_encode(h, BTT_GENESIS_HASH_LEN, hex);
	if (!a->json) {
		printf("%s\n", hex);
		return;
	}
	btt_wbuf_init(&w, 1u << 16);
	btt_wbuf_put_str(&w, "{\"file\":");
	btt_cli_put_json(&w, a->check);
	btt_wbuf_printf(&w,
			",\"hash\":\"%s\",\"chain_id\":%llu,"
			"\"genesis_time\":%llu,\"blocks_per_year\":%llu,"
			"\"buckets\":%zu,\"validators\":%zu}\n",
			hex, (unsigned long long)g->chain_id,
			(unsigned long long)g->genesis_time,
			(unsigned long long)g->blocks_per_year, g->n_buckets,
			g->n_validators);
	btt_cli_out_flush(&w, true);
	btt_wbuf_release(&w);
}

static int check_genesis(const struct genesis_args *a)
{
	struct btt_genesis *g = btt_ledger_genesis_new();
	uint8_t *buf = NULL, h[BTT_GENESIS_HASH_LEN];
	char why[256];
	size_t len;
	int e, rc = BTT_EXIT_USAGE;

	e = btt_cli_read_file(a->check, BTT_GENESIS_MAX_SIZE, &buf, &len);
	if (e) {
		btt_cli_err(cmd, "%s: %s", a->check, btt_strerror(e));
		rc = e == BTT_ELIMIT ? BTT_EXIT_USAGE : BTT_EXIT_FAIL;
		goto out;
	}
	if ((e = btt_ledger_genesis_parse(buf, len, g, why, sizeof(why)))) {
		btt_cli_err(cmd, "%s: invalid genesis: %s", a->check,
			    why[0] ? why : btt_strerror(e));
		goto out;
	}
	if ((e = btt_ledger_genesis_hash(g, h))) {
		btt_cli_err(cmd, "%s: %s", a->check, btt_strerror(e));
		goto out;
	}
	print_summary(a, g, h);
	rc = BTT_EXIT_OK;
out:
	free(buf);
	btt_ledger_genesis_free(g);
	return rc;
}

static const struct option long_opts[] = {
	{"out", required_argument, NULL, OPT_OUT},
	{"check", required_argument, NULL, OPT_CHECK},
	{"chain-id", required_argument, NULL, OPT_CHAIN_ID},
	{"time", required_argument, NULL, OPT_TIME},
	{"blocks-per-year", required_argument, NULL, OPT_BPY},
	{"key-seed", required_argument, NULL, OPT_SEED},
	{"keys-out", required_argument, NULL, OPT_KEYS_OUT},
	{"validator", required_argument, NULL, OPT_VALIDATOR},
	{"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static bool number(const char *opt, const char *s, uint64_t min, uint64_t *out)
{
	if (btt_cli_parse_u64(s, BTT_GENESIS_MAX_INT, false, out) &&
	    *out >= min)
		return true;
	btt_cli_err(cmd, "%s: want a number from %llu to 2^53-1", opt,
		    (unsigned long long)min);
	return false;
}

static int parse_opt(struct genesis_args *a, int c)
{
	switch (c) {
	case OPT_OUT: a->out = optarg; return 0;
	case OPT_CHECK: a->check = optarg; return 0;
	case OPT_KEYS_OUT: a->keys_out = optarg; return 0;
	case OPT_JSON: a->json = true; return 0;
	case OPT_CHAIN_ID:
		return number("--chain-id", optarg, 1, &a->o.chain_id) ? 0 : -1;
	case OPT_TIME:
		return number("--time", optarg, 0, &a->o.genesis_time) ? 0 : -1;
	case OPT_BPY:
		return number("--blocks-per-year", optarg, 4,
			      &a->o.blocks_per_year)
			       ? 0
			       : -1;
	case OPT_SEED:
		a->o.key_seed = optarg;
		a->o.key_seed_len = strlen(optarg);
		if (a->o.key_seed_len <= MAX_SEED)
			return 0;
		btt_cli_err(cmd, "--key-seed: longer than %u bytes", MAX_SEED);
		return -1;
	case OPT_VALIDATOR: a->validators[a->n_validators++] = optarg; return 0;
	case 'h': usage(stdout); return 1;
	default: usage(stderr); return -1;
	}
}

static int cmd_genesis(int argc, char **argv)
{
	struct genesis_args a = {0};
	int c, r;

	a.validators = calloc((size_t)argc, sizeof(*a.validators));
	if (!a.validators)
		abort();
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1)
		if ((r = parse_opt(&a, c))) {
			free(a.validators);
			return r > 0 ? BTT_EXIT_OK : BTT_EXIT_USAGE;
		}
	if (optind != argc) {
		btt_cli_err(cmd, "unexpected argument '%s'", argv[optind]);
		r = BTT_EXIT_USAGE;
	} else if (!a.out == !a.check) {
		btt_cli_err(cmd, "give one of --out FILE or --check FILE");
		r = BTT_EXIT_USAGE;
	} else {
		r = a.out ? write_genesis(&a) : check_genesis(&a);
	}
	free(a.validators);
	return r;
}

/* btt chain replay: every block of --data applied again on a fresh
 * chain in --out; btt_ledger_exec_apply refuses a block whose roots
 * differ from its re-execution, so reaching the head proves that the
 * stored state root of every height is what replaying gives. */
static int replay_blocks(struct btt_ledger_chain *src,
			 struct btt_ledger_chain *dst, uint64_t *out_height)
{
	struct btt_ledger_head head;
	struct btt_ledger_block b;
	size_t bad = 0;
	int e;

	btt_ledger_chain_head(src, &head);
	for (uint64_t h = 1; h <= head.height; h++) {
		e = btt_ledger_blockstore_block_by_height(
			btt_ledger_chain_store(src), h, &b);
		if (!e)
			e = btt_ledger_exec_apply(dst, &b, &bad);
		btt_ledger_block_release(&b);
		if (e) {
			btt_cli_err(cmd, "block %llu does not replay: %s",
				    (unsigned long long)h, btt_strerror(e));
			return BTT_EXIT_FAIL;
		}
	}
	*out_height = head.height;
	return BTT_EXIT_OK;
}

static const struct option replay_opts[] = {
	{"genesis", required_argument, NULL, OPT_GENESIS},
	{"data", required_argument, NULL, OPT_DATA},
	{"out", required_argument, NULL, OPT_OUT},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int replay_open(const char *gpath, const char *dir, bool fresh,
		       struct btt_ledger_chain **out)
{
	struct btt_genesis *g = btt_ledger_genesis_new();
	uint8_t *buf = NULL;
	char why[256] = "";
	size_t len;
	int e, rc = BTT_EXIT_USAGE;
	struct stat st;

	if (fresh && stat(dir, &st) == 0) {
		btt_cli_err(cmd, "%s exists: replay needs a new directory",
			    dir);
	} else if ((e = btt_cli_read_file(gpath, BTT_GENESIS_MAX_SIZE, &buf,
					  &len))) {
		btt_cli_err(cmd, "%s: %s", gpath, btt_strerror(e));
	} else if ((e = btt_ledger_genesis_parse(buf, len, g, why,
						 sizeof(why)))) {
		btt_cli_err(cmd, "%s: invalid genesis: %s", gpath, why);
	} else if ((e = btt_ledger_chain_open(dir, g, NULL, out, why,
					      sizeof(why)))) {
		btt_cli_err(cmd, "%s: %s", dir, why[0] ? why : btt_strerror(e));
		rc = BTT_EXIT_FAIL;
	} else {
		rc = BTT_EXIT_OK;
	}
	free(buf);
	btt_ledger_genesis_free(g);
	return rc;
}

static int cmd_replay(int argc, char **argv)
{
	const char *gpath = NULL, *data = NULL, *out = NULL;
	struct btt_ledger_chain *src = NULL, *dst = NULL;
	struct btt_ledger_head head;
	char root[65];
	uint64_t h = 0;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", replay_opts, NULL)) != -1) {
		if (c == OPT_GENESIS)
			gpath = optarg;
		else if (c == OPT_DATA)
			data = optarg;
		else if (c == OPT_OUT)
			out = optarg;
		else {
			usage(c == 'h' ? stdout : stderr);
			return c == 'h' ? BTT_EXIT_OK : BTT_EXIT_USAGE;
		}
	}
	if (!gpath || !data || !out || optind != argc) {
		btt_cli_err(cmd, "replay needs --genesis, --data and --out");
		return BTT_EXIT_USAGE;
	}
	if ((rc = replay_open(gpath, data, false, &src)) == 0 &&
	    (rc = replay_open(gpath, out, true, &dst)) == 0 &&
	    (rc = replay_blocks(src, dst, &h)) == 0) {
		btt_ledger_chain_head(dst, &head);
		printf("%llu %s\n", (unsigned long long)h,
		       btt_hex_encode(head.state_root, 32, root));
	}
	btt_ledger_chain_free(dst);
	btt_ledger_chain_free(src);
	return rc;
}

/* Queries of a running node. */
struct query {
	const char *name;
	bool want_arg;
	int (*run)(const char *url, const char *arg, bool full, json_t **out);
	void (*show)(json_t *r);
};

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "-";
}

static long long num(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static void show_btt(const char *label, json_t *o, const char *k)
{
	char t[BTT_CLI_BTT_TEXT];

	btt_cli_fmt_btt(btt_cli_json_u128(o, k), t);
	printf("%-11s%s BTT (%s)\n", label, t, str(o, k));
}

static int q_status(const char *url, const char *arg, bool full, json_t **out)
{
	(void)arg;
	(void)full;
	return btt_cli_rpc(cmd, url, "chain_status", NULL, out, NULL);
}

static void show_status(json_t *r)
{
	json_t *m = json_object_get(r, "mempool");

	printf("chain id   %lld\nheight     %lld\nhash       %s\n"
	       "time_ms    %lld\nstate root %s\nvalidator  %s\n"
	       "mempool    %lld txs, %lld bytes\n",
	       num(r, "chain_id"), num(r, "height"), str(r, "hash"),
	       num(r, "time_ms"), str(r, "state_root"), str(r, "validator"),
	       num(m, "txs"), num(m, "bytes"));
}

static int q_block(const char *url, const char *arg, bool full, json_t **out)
{
	uint64_t h;
	json_t *which = btt_cli_parse_u64(arg, (1ull << 53) - 1, false, &h)
				? json_integer((json_int_t)h)
				: json_string(arg);

	return btt_cli_rpc(cmd, url, "block_get",
			   json_pack("[o,b]", which, full), out, NULL);
}

static void show_block(json_t *r)
{
	json_t *txs = json_object_get(r, "txs"), *t;
	size_t i;

	printf("height     %lld\nhash       %s\nparent     %s\n"
	       "time_ms    %lld\nstate root %s\ntx root    %s\n"
	       "proposer   %s\ntxs        %lld\n",
	       num(r, "height"), str(r, "hash"), str(r, "parent_hash"),
	       num(r, "time_ms"), str(r, "state_root"), str(r, "tx_root"),
	       str(r, "proposer"), num(r, "tx_count"));
	json_array_foreach(txs, i, t)
		printf("  %s\n", json_is_string(t) ? json_string_value(t)
						   : str(t, "txid"));
}

static int q_tx(const char *url, const char *arg, bool full, json_t **out)
{
	(void)full;
	return btt_cli_rpc(cmd, url, "tx_get", json_pack("[s]", arg), out,
			   NULL);
}

static void show_tx(json_t *r)
{
	json_t *rc = json_object_get(r, "receipt");

	printf("txid       %s\nstatus     %s\n", str(r, "txid"),
	       str(r, "status"));
	if (rc)
		printf("block      %lld (index %lld)\nresult     %s\n",
		       num(r, "height"), num(r, "index"),
		       json_is_true(json_object_get(rc, "ok"))
			       ? "ok"
			       : str(rc, "message"));
	printf("type       %s\nfrom       %s\nnonce      %lld\n",
	       str(r, "type_name"), str(r, "from"), num(r, "nonce"));
	if (json_object_get(r, "to")) {
		printf("to         %s\n", str(r, "to"));
		show_btt("amount", r, "amount");
	}
	show_btt("fee", rc ? rc : r, "fee");
}

static int q_account(const char *url, const char *arg, bool full, json_t **out)
{
	(void)full;
	return btt_cli_rpc(cmd, url, "account_get", json_pack("[s]", arg), out,
			   NULL);
}

static void show_account(json_t *r)
{
	printf("address    %s\ntron       %s\n", str(r, "address"),
	       str(r, "tron"));
	show_btt("balance", r, "balance");
	show_btt("spendable", r, "spendable");
	if (json_is_true(json_object_get(r, "vesting")))
		show_btt("locked", r, "locked");
	printf("nonce      %lld\nnext nonce %lld (%lld pending)\n"
	       "height     %lld\n",
	       num(r, "nonce"), num(r, "next_nonce"), num(r, "pending"),
	       num(r, "height"));
}

static const struct query queries[] = {
	{"status", false, q_status, show_status},
	{"block", true, q_block, show_block},
	{"tx", true, q_tx, show_tx},
	{"account", true, q_account, show_account},
};

static const struct option query_opts[] = {
	{"rpc", required_argument, NULL, OPT_RPC},
	{"json", no_argument, NULL, OPT_JSON},
	{"full", no_argument, NULL, OPT_FULL},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int run_query(const struct query *q, int argc, char **argv)
{
	const char *rpc = NULL;
	bool json = false, full = false;
	json_t *r = NULL;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", query_opts, NULL)) != -1) {
		if (c == OPT_RPC)
			rpc = optarg;
		else if (c == OPT_JSON)
			json = true;
		else if (c == OPT_FULL)
			full = true;
		else {
			usage(c == 'h' ? stdout : stderr);
			return c == 'h' ? BTT_EXIT_OK : BTT_EXIT_USAGE;
		}
	}
	if (argc - optind != (q->want_arg ? 1 : 0)) {
		btt_cli_err(cmd, "%s takes %s", q->name,
			    q->want_arg ? "one argument" : "no argument");
		return BTT_EXIT_USAGE;
	}
	rc = q->run(btt_cli_rpc_url(rpc), q->want_arg ? argv[optind] : NULL,
		    full, &r);
	if (rc == BTT_EXIT_OK) {
		if (json)
			rc = btt_cli_print_json(r);
		else
			q->show(r);
	}
	json_decref(r);
	return rc;
}

int btt_cmd_chain(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? BTT_EXIT_USAGE : BTT_EXIT_OK;
	}
	if (!strcmp(argv[1], "genesis"))
		return cmd_genesis(argc - 1, argv + 1);
	if (!strcmp(argv[1], "replay"))
		return cmd_replay(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(queries) / sizeof(*queries); i++)
		if (!strcmp(argv[1], queries[i].name))
			return run_query(&queries[i], argc - 1, argv + 1);
	btt_cli_err(cmd,
		    "unknown subcommand '%s' (genesis, replay, status, "
		    "block, tx, account)",
		    argv[1]);
	return BTT_EXIT_USAGE;
}
