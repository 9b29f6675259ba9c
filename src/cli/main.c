/* btt entry point: global options and the subcommand table. */
#include <stdio.h>
#include <string.h>

#include "cli/cli_int.h"
#include "core/log.h"

#include "btt/version.h"

static const struct btt_cli_cmd commands[] = {
	{"create", btt_cmd_create,
	 "make a .torrent file from a file or directory"},
	{"info", btt_cmd_info,
	 "show what a .torrent file or magnet link holds"},
	{"verify", btt_cmd_verify, "check downloaded data against a .torrent"},
	{"get", btt_cmd_get, "download a torrent, then seed it"},
	{"seed", btt_cmd_seed, "seed downloaded data until stopped"},
	{"wallet", btt_cmd_wallet,
	 "keys and addresses in an encrypted keystore"},
	{"chain", btt_cmd_chain,
	 "the BTT ledger: make and check a genesis file"},
	{"node", btt_cmd_node, "run a single-validator BTT chain node"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: btt [-v|--verbose] [--log-level LEVEL] <command> "
		   "[args]\n"
		   "       btt <command> --help\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
}

int main(int argc, char **argv)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return BTT_EXIT_OK;
		} else if (!strcmp(argv[i], "--version")) {
			printf("btt %s\n", BTT_VERSION);
			return BTT_EXIT_OK;
		} else if (!strcmp(argv[i], "-v") ||
			   !strcmp(argv[i], "--verbose")) {
			btt_log_level = BTT_LOG_DEBUG;
		} else if (!strcmp(argv[i], "--log-level") && i + 1 < argc) {
			int l = btt_log_level_parse(argv[++i]);
			if (l < 0) {
				fprintf(stderr, "btt: unknown log level '%s'\n",
					argv[i]);
				return BTT_EXIT_USAGE;
			}
			btt_log_level = l;
		} else {
			fprintf(stderr, "btt: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return BTT_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return BTT_EXIT_USAGE;
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(*commands); c++)
		if (!strcmp(argv[i], commands[c].name))
			return commands[c].run(argc - i, argv + i);
	fprintf(stderr, "btt: '%s' is not a btt command (see 'btt --help')\n",
		argv[i]);
	return BTT_EXIT_USAGE;
}
