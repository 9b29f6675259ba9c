/* btt seed: checks DIR against each FILE.torrent (quickly when resume
 * data from an earlier `get` or `seed` is there), then seeds the pieces
 * found until SIGINT/SIGTERM, announcing `stopped` on the way out. Any
 * number of torrents share one process, one listening port and one
 * upload limit. The engine runner is the one `btt get` uses (xfer.c). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli_int.h"

static const char cmd[] = "seed";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: btt seed FILE.torrent... DIR [--port N] [--bind IP] "
		"[--up-limit RATE]\n"
		"                [--peer IP:PORT]...\n"
		"\n"
		"Checks the data of each FILE.torrent in DIR (fast with "
		"resume data),\n"
		"then seeds them until Ctrl-C or SIGTERM (a second one quits "
		"at once).\n"
		"Every torrent's files are found under DIR, as `btt get -o "
		"DIR` saves them.\n"
		"\n"
		"  -p, --port N         listening port, 0 for any (default: "
		"6881-6889)\n"
		"      --bind IP        listening address (default 0.0.0.0)\n"
		"      --up-limit R     upload limit in bytes/s (k, m, g "
		"suffixes)\n"
		"      --peer IP:PORT   connect to this peer too (repeatable)\n"
		"  -q, --quiet          no progress lines\n"
		"  -h, --help           this help\n"
		"\n"
		"Exit status: 0 stopped cleanly, 1 failure (a torrent without "
		"data, a disk\n"
		"error: the other torrents are seeded until stopped), 2 bad "
		"usage or a\n"
		"bad torrent.\n");
}

int btt_cmd_seed(int argc, char **argv)
{
	enum { O_UP = 256 };
	static const struct option opts[] = {
		{"port", required_argument, NULL, 'p'},
		{"bind", required_argument, NULL, 'B'},
		{"peer", required_argument, NULL, 'P'},
		{"up-limit", required_argument, NULL, O_UP},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct btt_cli_xfer *a = calloc(1, sizeof(*a));
	int c, r, rc = BTT_EXIT_USAGE;

	if (!a)
		abort();
	a->cmd = cmd;
	a->seed = true;
	while ((c = getopt_long(argc, argv, "p:qh", opts, NULL)) != -1) {
		if ((r = btt_cli_xfer_option(a, c, optarg)) < 0)
			goto out;
		if (r == 0)
			continue;
		if (c == 'h') {
			usage(stdout);
			rc = BTT_EXIT_OK;
			goto out;
		}
		if (c != O_UP || !btt_cli_parse_u64(optarg, UINT64_MAX / 2,
						    true, &a->up_limit)) {
			if (c == O_UP)
				btt_cli_err(cmd,
					    "bad value '%s' for "
					    "--up-limit",
					    optarg);
			else
				usage(stderr);
			goto out;
		}
	}
	if (argc - optind < 2 ||
	    (size_t)(argc - optind - 1) > BTT_CLI_MAX_SEED_TORRENTS) {
		if (argc - optind >= 2)
			btt_cli_err(cmd, "at most %u torrents per process",
				    BTT_CLI_MAX_SEED_TORRENTS);
		else
			usage(stderr);
		goto out;
	}
	a->torrents = (const char **)&argv[optind];
	a->ntorrents = (size_t)(argc - optind - 1);
	a->dir = argv[argc - 1];
	rc = btt_cli_transfer(a);
out:
	free(a);
	return rc;
}
