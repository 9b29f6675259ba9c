/* btt wallet: keys and addresses in an encrypted keystore.
 *
 *   new | import | list | address [ADDR] | export ADDR
 *   balance ADDR | send --from A --to B --amount BTT | history ADDR
 *   (the last three ask a running node: node_client.h)
 *
 * Secrets (private keys, passphrases, the text a key was typed in) live in
 * local buffers that are wiped before every return; the key printed by
 * `export` goes out with write(2), never through stdio's buffer. The
 * passphrase comes from BTT_PASSPHRASE or from the terminal with echo off
 * (restored even when the user interrupts the prompt). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "btt/err.h"
#include "cli/cli_int.h"
#include "cli/node_client.h"
#include "core/codec.h"
#include "core/cur.h"
#include "core/limits.h"
#include "core/log.h"
#include "crypto/address.h"
#include "crypto/secp.h"
#include "ledger/tx.h"
#include "wallet/wallet.h"

static const char cmd[] = "wallet";

struct wallet_opts {
	const char *dir;
	char dir_buf[PATH_MAX];
	bool json;
	const char *sub;
	const char *args[2]; /* the first positional arguments after sub */
	int nargs;	     /* all of them, even beyond args[] */
	/* talking to a node: balance, send, history */
	const char *rpc, *from, *to, *amount, *fee, *nonce, *chain_id;
	const char *timeout;
	bool no_wait;
};

struct pass {
	char buf[BTT_WALLET_MAX_PASSPHRASE + 1];
	size_t len;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: btt wallet [--keystore DIR] [--json] <command> [args]\n"
		"\n"
		"  new             create a key; prints its addresses\n"
		"  import          store the hex private key read from "
		"standard "
		"input\n"
		"  list            the accounts in the keystore\n"
		"  address [ADDR]  the 0x and T forms of every account, or of "
		"ADDR\n"
		"  export ADDR     print the private key of ADDR in hex\n"
		"  balance ADDR    the balance of ADDR, from the node\n"
		"  send --from ADDR --to ADDR --amount BTT [--fee MAX]\n"
		"                  sign a transfer with the key of --from, "
		"submit it\n"
		"                  and wait for its block (amounts in BTT, up "
		"to 18\n"
		"                  decimals; --fee is the most it may cost, "
		"default\n"
		"                  the fee schedule's price)\n"
		"      [--nonce N] [--chain-id N]  instead of asking the node\n"
		"      [--no-wait] [--timeout S]   do not wait / wait at most "
		"S (60)\n"
		"  history ADDR    the committed transactions of ADDR\n"
		"\n"
		"  --keystore DIR  keystore directory (default "
		"~/.btt/keystore)\n"
		"  --json          JSON on stdout\n"
		"  --rpc URL       the node (default $BTT_RPC, else "
		"http://127.0.0.1:7660/)\n"
		"  -h, --help      this help\n"
		"\n"
		"The passphrase is BTT_PASSPHRASE when set, otherwise it is "
		"asked\n"
		"on the terminal (twice for new and import). BTT_KDF=fast "
		"uses a\n"
		"cheaper key derivation, for tests only.\n"
		"\n"
		"Exit status: 0 ok, 1 failure, 2 bad usage or bad input "
		"(including\n"
		"a wrong passphrase).\n");
}

/* Terminal state to restore if a signal arrives while echo is off. */
static int tty_fd = -1;
static struct termios tty_saved;

static void on_signal(int sig)
{
	if (tty_fd >= 0)
		tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Reads one line from fd into p (without the newline). Returns 0,
 * BTT_ELIMIT when it is longer than the cap, or -errno. */
static int read_line(int fd, struct pass *p)
{
	char c;

	p->len = 0;
	for (;;) {
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0 || c == '\n')
			break;
		if (p->len == BTT_WALLET_MAX_PASSPHRASE)
			return BTT_ELIMIT;
		p->buf[p->len++] = c;
	}
	if (p->len && p->buf[p->len - 1] == '\r')
		p->len--;
	return 0;
}

static int prompt(int fd, const char *text, struct pass *p)
{
	struct termios t;
	struct sigaction sa = {.sa_handler = on_signal}, old[3];
	static const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
	int err;

	if (tcgetattr(fd, &tty_saved) != 0)
		return -errno;
	t = tty_saved;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	tty_fd = fd;
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	if (write(fd, text, strlen(text)) < 0 ||
	    tcsetattr(fd, TCSAFLUSH, &t) != 0)
		err = -errno;
	else
		err = read_line(fd, p);
	tcsetattr(fd, TCSAFLUSH, &tty_saved);
	tty_fd = -1;
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	if (write(fd, "\n", 1) < 0 && !err)
		err = -errno;
	return err;
}

/* The passphrase from the environment or the terminal; `confirm` asks
 * twice and refuses an empty one. Returns an exit code. */
static int get_pass(bool confirm, struct pass *p)
{
	const char *env = getenv("BTT_PASSPHRASE");
	struct pass again;
	int fd, err = 0, rc = BTT_EXIT_OK;

	if (env) {
		p->len = strlen(env);
		if (p->len > BTT_WALLET_MAX_PASSPHRASE)
			err = BTT_ELIMIT;
		else
			memcpy(p->buf, env, p->len);
	} else if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		btt_cli_err(cmd, "no passphrase: set BTT_PASSPHRASE or run on "
				 "a terminal");
		return BTT_EXIT_USAGE;
	} else {
		err = prompt(fd, "Passphrase: ", p);
		if (!err && confirm && p->len) {
			err = prompt(fd, "Repeat passphrase: ", &again);
			if (!err && (again.len != p->len ||
				     sodium_memcmp(again.buf, p->buf, p->len)))
				rc = BTT_EXIT_USAGE;
			sodium_memzero(&again, sizeof(again));
			if (rc)
				btt_cli_err(cmd, "the passphrases differ");
		}
		close(fd);
	}
	if (err == BTT_ELIMIT) {
		btt_cli_err(cmd, "passphrase longer than %d bytes",
			    BTT_WALLET_MAX_PASSPHRASE);
		rc = BTT_EXIT_USAGE;
	} else if (err) {
		btt_cli_err(cmd, "cannot read the passphrase: %s",
			    btt_strerror(err));
		rc = BTT_EXIT_FAIL;
	} else if (!rc && confirm && p->len == 0) {
		btt_cli_err(cmd, "empty passphrase");
		rc = BTT_EXIT_USAGE;
	}
	if (rc)
		sodium_memzero(p, sizeof(*p));
	return rc;
}

static int get_kdf(struct btt_wallet_kdf *kdf)
{
	const char *v = getenv("BTT_KDF");

	if (v && *v && strcmp(v, "fast") != 0) {
		btt_cli_err(cmd, "BTT_KDF must be 'fast' or unset");
		return BTT_EXIT_USAGE;
	}
	btt_wallet_kdf_default(v && *v, kdf);
	return BTT_EXIT_OK;
}

static void print_addr(const struct wallet_opts *o, const uint8_t a[20],
		       bool both, const char *sep)
{
	char hex[BTT_ADDR_HEX_CHARS + 1], tron[BTT_ADDR_TRON_CHARS + 1];

	btt_addr_hex_encode(a, hex);
	btt_addr_tron_encode(a, tron);
	if (o->json && both)
		printf("%s{\"address\":\"%s\",\"tron\":\"%s\"}", sep, hex,
		       tron);
	else if (o->json)
		printf("%s\"%s\"", sep, hex);
	else if (both)
		printf("%s %s\n", hex, tron);
	else
		printf("%s\n", hex);
}

static int finish_output(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		btt_cli_err(cmd, "cannot write the output");
		return BTT_EXIT_FAIL;
	}
	return BTT_EXIT_OK;
}

/* Encrypts key into the keystore and prints its address. */
static int store_key(const struct wallet_opts *o, const uint8_t key[32])
{
	struct btt_wallet_kdf kdf;
	struct pass p;
	uint8_t addr[BTT_ADDR_LEN];
	char hex[BTT_ADDR_HEX_CHARS + 1];
	int rc, err;

	if ((rc = get_kdf(&kdf)) != 0 || (rc = get_pass(true, &p)) != 0)
		return rc;
	err = btt_wallet_store(o->dir, key, p.buf, p.len, &kdf, addr);
	sodium_memzero(&p, sizeof(p));
	if (err == -EEXIST) {
		btt_addr_from_key(key, addr);
		btt_addr_hex_encode(addr, hex);
		btt_cli_err(cmd, "%s is already in %s", hex, o->dir);
		return BTT_EXIT_FAIL;
	}
	if (err) {
		btt_cli_err(cmd, "cannot store the key in %s: %s", o->dir,
			    btt_strerror(err));
		return BTT_EXIT_FAIL;
	}
	print_addr(o, addr, true, "");
	if (o->json)
		printf("\n");
	return finish_output();
}

static int do_new(const struct wallet_opts *o)
{
	uint8_t key[BTT_SECP_PRIV_LEN];
	int rc;

	if (btt_secp_key_generate(key) != 0) {
		btt_cli_err(cmd, "cannot generate a key");
		return BTT_EXIT_FAIL;
	}
	rc = store_key(o, key);
	sodium_memzero(key, sizeof(key));
	return rc;
}

static bool is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Parses "[0x]<64 hex digits>" with surrounding whitespace. Returns an
 * exit code. */
static int parse_key(const uint8_t *text, size_t n, uint8_t key[32])
{
	size_t a = 0, b = n;
	struct btt_cur c;

	while (a < b && is_space(text[a]))
		a++;
	while (b > a && is_space(text[b - 1]))
		b--;
	btt_cur_init(&c, text + a, b - a);
	if (!btt_cur_get_prefix(&c, "0x"))
		btt_cur_get_prefix(&c, "0X");
	if (btt_cur_len(&c) != 64) {
		btt_cli_err(cmd,
			    "a private key is 64 hex digits, got %zu "
			    "characters",
			    btt_cur_len(&c));
		return BTT_EXIT_USAGE;
	}
	if (btt_hex_decode((const char *)btt_cur_data(&c), 64, key, 32) != 0) {
		btt_cli_err(cmd, "the private key is not hex");
		return BTT_EXIT_USAGE;
	}
	if (!btt_secp_key_valid(key)) {
		sodium_memzero(key, 32);
		btt_cli_err(cmd, "not a valid secp256k1 private key (it must "
				 "be between 1 and n - 1)");
		return BTT_EXIT_USAGE;
	}
	return BTT_EXIT_OK;
}

static int read_stdin(uint8_t *buf, size_t cap, size_t *out_len)
{
	size_t len = 0;

	while (len < cap) {
		ssize_t r = read(STDIN_FILENO, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	*out_len = len;
	return 0;
}

static int do_import(const struct wallet_opts *o)
{
	uint8_t text[BTT_WALLET_MAX_KEY_TEXT + 1], key[BTT_SECP_PRIV_LEN];
	size_t n = 0;
	int rc, err;

	err = read_stdin(text, sizeof(text), &n);
	if (err) {
		btt_cli_err(cmd, "cannot read standard input: %s",
			    btt_strerror(err));
		rc = BTT_EXIT_FAIL;
	} else if (n > BTT_WALLET_MAX_KEY_TEXT) {
		btt_cli_err(cmd, "standard input is longer than %d bytes",
			    BTT_WALLET_MAX_KEY_TEXT);
		rc = BTT_EXIT_USAGE;
	} else {
		rc = parse_key(text, n, key);
	}
	sodium_memzero(text, sizeof(text));
	if (rc == BTT_EXIT_OK)
		rc = store_key(o, key);
	sodium_memzero(key, sizeof(key));
	return rc;
}

static int list_accounts(const struct wallet_opts *o, uint8_t **list, size_t *n)
{
	int err = btt_wallet_list(o->dir, list, n);

	if (err) {
		btt_cli_err(cmd, "cannot read %s: %s", o->dir,
			    btt_strerror(err));
		return BTT_EXIT_FAIL;
	}
	return BTT_EXIT_OK;
}

static int do_list(const struct wallet_opts *o, bool both)
{
	uint8_t *list;
	size_t n;
	int rc = list_accounts(o, &list, &n);

	if (rc)
		return rc;
	if (o->json)
		printf("[");
	for (size_t i = 0; i < n; i++)
		print_addr(o, list + i * BTT_ADDR_LEN, both,
			   i && o->json ? "," : "");
	if (o->json)
		printf("]\n");
	free(list);
	return finish_output();
}

/* Parses an address argument; prints the error. Returns an exit code. */
static int parse_addr_arg(const char *s, uint8_t out[BTT_ADDR_LEN])
{
	int err = btt_addr_parse(s, strlen(s), out);
	char esc[128];

	if (err) {
		btt_cli_err(cmd, "'%s' is not an address (0x... or T...): %s",
			    btt_log_escape(s, strlen(s), esc, sizeof(esc)),
			    btt_strerror(err));
		return BTT_EXIT_USAGE;
	}
	return BTT_EXIT_OK;
}

static int do_address(const struct wallet_opts *o)
{
	uint8_t a[BTT_ADDR_LEN];
	int rc;

	if (o->nargs == 0)
		return do_list(o, true);
	if ((rc = parse_addr_arg(o->args[0], a)) != 0)
		return rc;
	print_addr(o, a, true, "");
	if (o->json)
		printf("\n");
	return finish_output();
}

static int write_secret(const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(STDOUT_FILENO, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static int load_key(const struct wallet_opts *o, const uint8_t a[20],
		    uint8_t key[BTT_SECP_PRIV_LEN])
{
	char hex[BTT_ADDR_HEX_CHARS + 1];
	struct pass p;
	int rc, err;

	if ((rc = get_pass(false, &p)) != 0)
		return rc;
	err = btt_wallet_load(o->dir, a, p.buf, p.len, key);
	sodium_memzero(&p, sizeof(p));
	btt_addr_hex_encode(a, hex);
	if (err == BTT_EAUTH) {
		btt_cli_err(cmd,
			    "wrong passphrase for %s (or its key file was "
			    "altered)",
			    hex);
		return BTT_EXIT_USAGE;
	}
	if (err == -ENOENT) {
		btt_cli_err(cmd, "no account %s in %s", hex, o->dir);
		return BTT_EXIT_USAGE;
	}
	if (err) {
		btt_cli_err(cmd, "cannot read the key of %s from %s: %s", hex,
			    o->dir, btt_strerror(err));
		return BTT_EXIT_FAIL;
	}
	return BTT_EXIT_OK;
}

static int do_export(const struct wallet_opts *o)
{
	uint8_t a[BTT_ADDR_LEN], key[BTT_SECP_PRIV_LEN];
	char addr[BTT_ADDR_HEX_CHARS + 1], khex[2 * BTT_SECP_PRIV_LEN + 1];
	char out[160];
	int rc, n;

	if ((rc = parse_addr_arg(o->args[0], a)) != 0 ||
	    (rc = load_key(o, a, key)) != 0)
		return rc;
	btt_hex_encode(key, sizeof(key), khex);
	sodium_memzero(key, sizeof(key));
	btt_addr_hex_encode(a, addr);
	if (o->json)
		n = snprintf(out, sizeof(out),
			     "{\"address\":\"%s\",\"private_key\":\"%s\"}\n",
			     addr, khex);
	else
		n = snprintf(out, sizeof(out), "%s\n", khex);
	sodium_memzero(khex, sizeof(khex));
	if (n < 0 || (size_t)n >= sizeof(out) ||
	    write_secret(out, (size_t)n) != 0) {
		btt_cli_err(cmd, "cannot write the output");
		rc = BTT_EXIT_FAIL;
	}
	sodium_memzero(out, sizeof(out));
	return rc;
}

static int do_list_cmd(const struct wallet_opts *o)
{
	return do_list(o, false);
}

static int do_balance(const struct wallet_opts *o)
{
	return btt_cli_balance(cmd, btt_cli_rpc_url(o->rpc), o->args[0],
			       o->json);
}

static int do_history(const struct wallet_opts *o)
{
	return btt_cli_history(cmd, btt_cli_rpc_url(o->rpc), o->args[0],
			       o->json);
}

/* Signs tx with the keystore key of tx->from. */
static int sign_tx(void *arg, struct btt_tx *tx)
{
	uint8_t key[BTT_SECP_PRIV_LEN], from[BTT_ADDR_LEN];
	int rc, e;

	memcpy(from, tx->from, sizeof(from));
	if ((rc = load_key(arg, from, key)) != 0)
		return rc;
	e = btt_ledger_tx_sign(tx, key);
	sodium_memzero(key, sizeof(key));
	if (e) {
		btt_cli_err(cmd, "cannot sign: %s", btt_strerror(e));
		return BTT_EXIT_FAIL;
	}
	return BTT_EXIT_OK;
}

static int do_send(const struct wallet_opts *o)
{
	struct btt_cli_send s = {
		.from = o->from,
		.to = o->to,
		.amount = o->amount,
		.fee = o->fee,
		.nonce = o->nonce,
		.chain_id = o->chain_id,
		.timeout = o->timeout,
		.no_wait = o->no_wait,
		.json = o->json,
		.sign = sign_tx,
		.sign_arg = (void *)o,
	};

	return btt_cli_send(cmd, btt_cli_rpc_url(o->rpc), &s);
}

static const struct {
	const char *name;
	int min_args, max_args;
	int (*run)(const struct wallet_opts *o);
} subs[] = {
	{"new", 0, 0, do_new},	     {"import", 0, 0, do_import},
	{"list", 0, 0, do_list_cmd}, {"address", 0, 1, do_address},
	{"export", 1, 1, do_export}, {"balance", 1, 1, do_balance},
	{"send", 0, 0, do_send},     {"history", 1, 1, do_history},
};

/* The field of a node option that takes a value, or NULL. */
static const char **value_opt(struct wallet_opts *o, const char *a)
{
	static const struct {
		const char *name;
		size_t off;
	} t[] = {
		{"--rpc", offsetof(struct wallet_opts, rpc)},
		{"--from", offsetof(struct wallet_opts, from)},
		{"--to", offsetof(struct wallet_opts, to)},
		{"--amount", offsetof(struct wallet_opts, amount)},
		{"--fee", offsetof(struct wallet_opts, fee)},
		{"--nonce", offsetof(struct wallet_opts, nonce)},
		{"--chain-id", offsetof(struct wallet_opts, chain_id)},
		{"--timeout", offsetof(struct wallet_opts, timeout)},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++)
		if (!strcmp(a, t[i].name))
			return (const char **)(void *)((char *)o + t[i].off);
	return NULL;
}

/* Returns -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv, struct wallet_opts *o)
{
	bool opts_done = false;
	const char **slot;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (opts_done || a[0] != '-' || !a[1]) {
			if (!o->sub)
				o->sub = a;
			else if (o->nargs++ < 2)
				o->args[o->nargs - 1] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			opts_done = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return BTT_EXIT_OK;
		} else if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strcmp(a, "--keystore") && i + 1 < argc) {
			o->dir = argv[++i];
		} else if (!strncmp(a, "--keystore=", 11)) {
			o->dir = a + 11;
		} else if ((slot = value_opt(o, a)) && i + 1 < argc) {
			*slot = argv[++i];
		} else if (!strcmp(a, "--no-wait")) {
			o->no_wait = true;
		} else {
			btt_cli_err(cmd, "unknown option '%s'", a);
			usage(stderr);
			return BTT_EXIT_USAGE;
		}
	}
	return -1;
}

/* Finds the subcommand and settles the keystore directory. Returns -1
 * to go on (with *out_sub set), or an exit code. */
static int check_args(struct wallet_opts *o, size_t *out_sub)
{
	size_t i = 0;
	int err;

	if (!o->sub) {
		usage(stderr);
		return BTT_EXIT_USAGE;
	}
	while (i < sizeof(subs) / sizeof(*subs) && strcmp(o->sub, subs[i].name))
		i++;
	if (i == sizeof(subs) / sizeof(*subs)) {
		btt_cli_err(cmd,
			    "unknown command '%s' (see 'btt wallet --help')",
			    o->sub);
		return BTT_EXIT_USAGE;
	}
	if (o->nargs < subs[i].min_args || o->nargs > subs[i].max_args) {
		btt_cli_err(cmd, "wrong number of arguments for '%s'", o->sub);
		return BTT_EXIT_USAGE;
	}
	if (o->dir && !*o->dir) {
		btt_cli_err(cmd, "--keystore needs a directory");
		return BTT_EXIT_USAGE;
	}
	if (!o->dir) {
		err = btt_wallet_dir_default(o->dir_buf, sizeof(o->dir_buf));
		if (err) {
			btt_cli_err(cmd,
				    "no home directory (%s); use "
				    "--keystore DIR",
				    btt_strerror(err));
			return BTT_EXIT_FAIL;
		}
		o->dir = o->dir_buf;
	}
	*out_sub = i;
	return -1;
}

int btt_cmd_wallet(int argc, char **argv)
{
	struct wallet_opts o = {0};
	size_t sub = 0;
	int rc;

	if ((rc = parse_args(argc, argv, &o)) >= 0 ||
	    (rc = check_args(&o, &sub)) >= 0)
		return rc;
	return subs[sub].run(&o);
}
