/* btt get: downloads a torrent, then seeds it (unless --no-seed) until a
 * ratio or SIGINT/SIGTERM. The engine runner it shares with `btt seed` is
 * in xfer.c; the options both take are parsed here
 * (btt_cli_xfer_option).
 *
 * Exit status: 0 when every piece is downloaded and verified (for `seed`:
 * stopped cleanly), 1 on a runtime failure or an interrupted download, 2
 * for bad usage or a bad torrent. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt/torrent.h"
#include "cli/cli_int.h"
#include "core/cur.h"

#define MAX_PEER_ARGS 256

static const char cmd[] = "get";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: btt get FILE.torrent -o DIR [--port N] [--bind IP] "
		"[--no-seed]\n"
		"               [--seed-ratio R] [--sequential] "
		"[--max-peers N]\n"
		"               [--down-limit RATE] [--up-limit RATE] "
		"[--peer IP:PORT]...\n"
		"               [--select-file LIST] [--file-priority "
		"LIST=P]...\n"
		"\n"
		"Downloads FILE.torrent into DIR, checks every piece, then "
		"seeds it\n"
		"until the ratio R is reached or Ctrl-C (a second Ctrl-C "
		"quits at once).\n"
		"\n"
		"  -o, --output DIR     download directory (required)\n"
		"  -p, --port N         listening port, 0 for any (default: "
		"6881-6889)\n"
		"      --bind IP        listening address (default 0.0.0.0)\n"
		"      --no-seed        exit as soon as the download is "
		"complete\n"
		"      --seed-ratio R   stop seeding at R times the size "
		"(e.g. 1.5)\n"
		"      --sequential     download pieces in order\n"
		"      --max-peers N    connections at most (default %u)\n"
		"      --down-limit R   download limit in bytes/s (k, m, g "
		"suffixes)\n"
		"      --up-limit R     upload limit in bytes/s\n"
		"      --peer IP:PORT   connect to this peer too (repeatable)\n"
		"      --select-file LIST  download only these files: indexes "
		"as `btt info`\n"
		"                       lists them, e.g. 0,3,5-9\n"
		"      --file-priority LIST=P  priority P of these files: 0 "
		"skips, 1-7\n"
		"                       (default 4, 7 first); repeatable, "
		"the last wins\n"
		"  -q, --quiet          no progress lines\n"
		"  -h, --help           this help\n"
		"\n"
		"Exit status: 0 every selected piece downloaded and verified, "
		"1 failure or\n"
		"interrupted, 2 bad usage or a bad torrent.\n",
		BTT_TORRENT_DEFAULT_PEERS);
}

/* ---- arguments ---- */

/* "1", "1.5", "0.25": the ratio in thousandths. */
static bool parse_ratio(const char *s, uint32_t *out)
{
	struct btt_cur c;
	uint64_t whole, frac = 0;
	unsigned digits = 0;
	uint8_t ch;

	btt_cur_init(&c, s, strlen(s));
	if (!btt_cur_get_dec(&c, 6, 1000000, true, &whole))
		return false;
	if (btt_cur_get_prefix(&c, ".")) {
		while (btt_cur_get_u8(&c, &ch)) {
			if (ch < '0' || ch > '9' || digits == 3)
				return false;
			frac = frac * 10 + (uint64_t)(ch - '0');
			digits++;
		}
		if (!digits)
			return false;
		while (digits++ < 3)
			frac *= 10;
	}
	if (btt_cur_len(&c))
		return false;
	*out = (uint32_t)(whole * 1000 + frac);
	return true;
}

int btt_cli_xfer_option(struct btt_cli_xfer *a, int c, const char *arg)
{
	uint64_t v;

	switch (c) {
	case 'p':
		if (!btt_cli_parse_u64(arg, 65535, false, &v))
			goto bad;
		a->port = (uint16_t)v;
		a->port_set = true;
		return 0;
	case 'B':
		if (btt_io_addr_parse_ip(arg, strlen(arg), 0, &a->bind))
			goto bad;
		return 0;
	case 'P':
		if (a->npeers >= MAX_PEER_ARGS)
			goto bad;
		if (btt_io_addr_parse(arg, strlen(arg), &a->peers[a->npeers]) ||
		    a->peers[a->npeers].port == 0)
			goto bad;
		a->npeers++;
		return 0;
	case 'q': a->quiet = true; return 0;
	default: return 1;
	}
bad:
	btt_cli_err(a->cmd, "bad value '%s'", arg);
	return -1;
}

static int parse(int argc, char **argv, struct btt_cli_xfer *a)
{
	enum {
		O_NOSEED = 256,
		O_RATIO,
		O_SEQ,
		O_MAXP,
		O_DOWN,
		O_UP,
		O_SEL,
		O_PRIO
	};
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"port", required_argument, NULL, 'p'},
		{"bind", required_argument, NULL, 'B'},
		{"peer", required_argument, NULL, 'P'},
		{"no-seed", no_argument, NULL, O_NOSEED},
		{"seed-ratio", required_argument, NULL, O_RATIO},
		{"sequential", no_argument, NULL, O_SEQ},
		{"max-peers", required_argument, NULL, O_MAXP},
		{"down-limit", required_argument, NULL, O_DOWN},
		{"up-limit", required_argument, NULL, O_UP},
		{"select-file", required_argument, NULL, O_SEL},
		{"file-priority", required_argument, NULL, O_PRIO},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	uint64_t v;
	int c, r;

	while ((c = getopt_long(argc, argv, "o:p:qh", opts, NULL)) != -1) {
		if ((r = btt_cli_xfer_option(a, c, optarg)) <= 0) {
			if (r < 0)
				return BTT_EXIT_USAGE;
			continue;
		}
		switch (c) {
		case 'o': a->dir = optarg; break;
		case O_NOSEED: a->seed = false; break;
		case O_SEQ: a->sequential = true; break;
		case O_RATIO:
			if (!parse_ratio(optarg, &a->seed_ratio_milli))
				goto bad;
			break;
		case O_MAXP:
			if (!btt_cli_parse_u64(optarg, 100000, false, &v) || !v)
				goto bad;
			a->max_peers = (uint32_t)v;
			break;
		case O_DOWN:
		case O_UP:
			if (!btt_cli_parse_u64(optarg, UINT64_MAX / 2, true,
					       &v))
				goto bad;
			*(c == O_DOWN ? &a->down_limit : &a->up_limit) = v;
			break;
		case O_SEL:
		case O_PRIO:
			if (a->nfile_specs == BTT_CLI_MAX_FILE_SPECS)
				goto bad;
			a->file_specs[a->nfile_specs] =
				(struct btt_cli_file_spec){optarg, c == O_SEL};
			if (!btt_cli_file_spec_ok(
				    &a->file_specs[a->nfile_specs++]))
				goto bad;
			break;
		case 'h': usage(stdout); return BTT_EXIT_OK;
		default: usage(stderr); return BTT_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || !a->dir) {
		usage(stderr);
		return BTT_EXIT_USAGE;
	}
	a->torrents = (const char **)&argv[optind];
	a->ntorrents = 1;
	return -1;
bad:
	btt_cli_err(cmd, "bad value '%s' for --%s", optarg,
		    c == O_RATIO  ? "seed-ratio"
		    : c == O_MAXP ? "max-peers"
		    : c == O_DOWN ? "down-limit"
		    : c == O_SEL  ? "select-file"
		    : c == O_PRIO ? "file-priority"
				  : "up-limit");
	return BTT_EXIT_USAGE;
}

int btt_cmd_get(int argc, char **argv)
{
	struct btt_cli_xfer *a = calloc(1, sizeof(*a));
	int rc;

	if (!a)
		abort();
	a->cmd = cmd;
	a->download = true;
	a->seed = true;
	rc = parse(argc, argv, a);
	if (rc < 0)
		rc = btt_cli_transfer(a);
	free(a);
	return rc;
}
