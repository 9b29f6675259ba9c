/* btt create: makes a .torrent from a file or directory.
 *
 * The output is checked before hashing (it must not exist unless --force,
 * and its directory must accept a new file) so a long hash is never
 * wasted, then written atomically. Progress goes to stderr, only when it
 * is a terminal (or with -v), redrawn at most ten times a second. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bt/create.h"
#include "btt/err.h"
#include "cli/cli_int.h"
#include "core/codec.h"
#include "core/limits.h"
#include "core/log.h"
#include "io/pool.h"

static const char cmd[] = "create";

struct create_args {
	struct btt_create_opts o;
	const char **trackers;
	const char **web_seeds;
	const char *out;
	char out_buf[PATH_MAX];
	int exit_code; /* set when a callback already reported a failure */
	bool force, quiet, verbose;
	/* progress display */
	struct btt_cli_progress progress;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: btt create [-a URL]... [-o OUT.torrent] [--piece-size "
		"BYTES]\n"
		"                  [--private] [--comment TEXT] "
		"[--v2|--hybrid] "
		"[--date UNIX]\n"
		"                  [--web-seed URL]... [--threads N] [--force] "
		"[-q|-v] PATH\n\n"
		"  -a, --announce URL   tracker URL; each -a is its own tier, "
		"in order\n"
		"  -o, --output FILE    output file (default: NAME.torrent "
		"here)\n"
		"  -l, --piece-size N   piece length, a power of two from 16k "
		"to 16m\n"
		"                       (default: at most %u pieces)\n"
		"      --private        private torrent (BEP 27)\n"
		"  -c, --comment TEXT   comment\n"
		"      --v1             v1 torrent (default)\n"
		"      --v2             v2-only torrent (BEP 52)\n"
		"      --hybrid         v1 + v2 hybrid torrent\n"
		"      --date UNIX      creation date (default: none, so "
		"output "
		"is reproducible)\n"
		"  -w, --web-seed URL   web seed (BEP 19)\n"
		"  -t, --threads N      hashing threads (default: all cores)\n"
		"  -f, --force          overwrite OUT if it exists\n"
		"  -q, --quiet          print nothing but errors\n"
		"  -v, --verbose        print progress even when not on a "
		"terminal\n",
		BTT_CREATE_AUTO_MAX_PIECES);
}

static void on_warn(void *arg, const char *path, const char *why)
{
	struct create_args *a = arg;
	if (!a->quiet)
		fprintf(stderr, "btt create: warning: skipping %s: %s\n", path,
			why);
}

static void on_progress(void *arg, uint64_t done, uint64_t total)
{
	struct create_args *a = arg;
	btt_cli_progress_update(&a->progress, done, total);
}

static int add_url(const char ***list, size_t *n, const char *url)
{
	const char **l;

	if (*n >= BTT_METAINFO_MAX_TRACKERS) {
		btt_cli_err(cmd, "too many URLs (at most %u)",
			    BTT_METAINFO_MAX_TRACKERS);
		return -1;
	}
	l = realloc(*list, (*n + 1) * sizeof(*l));
	if (!l)
		abort();
	l[(*n)++] = url;
	*list = l;
	return 0;
}

enum {
	OPT_PRIVATE = 256,
	OPT_V1,
	OPT_V2,
	OPT_HYBRID,
	OPT_DATE,
};

static const struct option long_opts[] = {
	{"announce", required_argument, NULL, 'a'},
	{"output", required_argument, NULL, 'o'},
	{"piece-size", required_argument, NULL, 'l'},
	{"private", no_argument, NULL, OPT_PRIVATE},
	{"comment", required_argument, NULL, 'c'},
	{"v1", no_argument, NULL, OPT_V1},
	{"v2", no_argument, NULL, OPT_V2},
	{"hybrid", no_argument, NULL, OPT_HYBRID},
	{"date", required_argument, NULL, OPT_DATE},
	{"web-seed", required_argument, NULL, 'w'},
	{"threads", required_argument, NULL, 't'},
	{"force", no_argument, NULL, 'f'},
	{"quiet", no_argument, NULL, 'q'},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* Handles one option; returns 0, 1 for --help, or -1 on bad usage. */
static int parse_opt(struct create_args *a, int c, const char *arg)
{
	uint64_t v;

	switch (c) {
	case 'a': return add_url(&a->trackers, &a->o.num_trackers, arg);
	case 'w': return add_url(&a->web_seeds, &a->o.num_web_seeds, arg);
	case 'o': a->out = arg; return 0;
	case 'c': a->o.comment = arg; return 0;
	case OPT_PRIVATE: a->o.is_private = true; return 0;
	case OPT_V1: a->o.version = BTT_CREATE_V1; return 0;
	case OPT_V2: a->o.version = BTT_CREATE_V2; return 0;
	case OPT_HYBRID: a->o.version = BTT_CREATE_HYBRID; return 0;
	case 'f': a->force = true; return 0;
	case 'q': a->quiet = true; return 0;
	case 'v': a->verbose = true; return 0;
	case 'h': return 1;
	case 'l':
		if (!btt_cli_parse_u64(arg, BTT_CREATE_MAX_PIECE, true, &v) ||
		    v < BTT_CREATE_MIN_PIECE || (v & (v - 1)))
			break;
		a->o.piece_size = v;
		return 0;
	case 't':
		if (!btt_cli_parse_u64(arg, BTT_POOL_MAX_THREADS, false, &v) ||
		    !v)
			break;
		a->o.threads = (unsigned)v;
		return 0;
	case OPT_DATE:
		if (!btt_cli_parse_u64(arg, INT64_MAX, false, &v))
			break;
		a->o.has_date = true;
		a->o.date = (int64_t)v;
		return 0;
	default: return -1;
	}
	if (c == 'l')
		btt_cli_err(cmd,
			    "bad piece size '%s': a power of two from 16k to "
			    "16m",
			    arg);
	else if (c == 't')
		btt_cli_err(cmd, "bad thread count '%s': 1 to %u", arg,
			    BTT_POOL_MAX_THREADS);
	else
		btt_cli_err(cmd, "bad date '%s': seconds since 1970", arg);
	return -1;
}

static int parse_args(struct create_args *a, int argc, char **argv)
{
	int c, r;

	optind = 0; /* glibc: start over, whatever parsed argv before */
	opterr = 1;
	while ((c = getopt_long(argc, argv, "a:o:l:c:w:t:fqvh", long_opts,
				NULL)) != -1) {
		r = parse_opt(a, c, optarg);
		if (r)
			return r;
	}
	if (optind != argc - 1) {
		btt_cli_err(cmd, optind >= argc ? "missing PATH"
						: "only one PATH is allowed");
		return -1;
	}
	a->o.path = argv[optind];
	a->o.trackers = a->trackers;
	a->o.web_seeds = a->web_seeds;
	return 0;
}

/* Picks the output path once the name is known and checks, before any
 * hashing, that it may be written. */
static int on_ready(void *arg, const char *name, uint64_t total)
{
	struct create_args *a = arg;
	char tmp[PATH_MAX];
	struct stat st;
	int fd;

	(void)total;
	if (!a->out) {
		if (snprintf(a->out_buf, sizeof(a->out_buf), "%s.torrent",
			     name) >= (int)sizeof(a->out_buf)) {
			btt_cli_err(cmd, "name too long for an output file");
			a->exit_code = BTT_EXIT_USAGE;
			return BTT_EUSAGE;
		}
		a->out = a->out_buf;
	}
	if (!a->force && lstat(a->out, &st) == 0) {
		btt_cli_err(cmd,
			    "%s already exists (use --force to replace it)",
			    a->out);
		a->exit_code = BTT_EXIT_USAGE;
		return BTT_EUSAGE;
	}
	/* The same temporary name btt_cli_write_file will use. */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", a->out, (long)getpid()) >=
	    (int)sizeof(tmp)) {
		btt_cli_err(cmd, "%s: output path too long", a->out);
		a->exit_code = BTT_EXIT_USAGE;
		return BTT_EUSAGE;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		int err = -errno;
		btt_cli_err(cmd, "cannot write %s: %s", a->out,
			    btt_strerror(err));
		a->exit_code = BTT_EXIT_FAIL;
		return err;
	}
	close(fd);
	unlink(tmp);
	btt_cli_progress_restart(&a->progress);
	return 0;
}

static void print_summary(const struct create_args *a,
			  const struct btt_create_result *r)
{
	char hex[65];

	printf("name:         %s\n", r->name);
	printf("files:        %u (%llu bytes)\n", r->num_files,
	       (unsigned long long)r->total_size);
	printf("pieces:       %u x %llu bytes\n", r->num_pieces,
	       (unsigned long long)r->piece_size);
	if (r->has_v1)
		printf("info-hash v1: %s\n",
		       btt_hex_encode(r->ih_v1, sizeof(r->ih_v1), hex));
	if (r->has_v2)
		printf("info-hash v2: %s\n",
		       btt_hex_encode(r->ih_v2, sizeof(r->ih_v2), hex));
	printf("wrote:        %s\n", a->out);
}

int btt_cmd_create(int argc, char **argv)
{
	struct create_args a = {.o = {0}};
	struct btt_create_result res = {0};
	int r = parse_args(&a, argc, argv), err;

	if (r) {
		if (r > 0)
			usage(stdout);
		else
			fprintf(stderr, "(see 'btt create --help')\n");
		a.exit_code = r > 0 ? BTT_EXIT_OK : BTT_EXIT_USAGE;
		goto out;
	}
	a.o.progress = on_progress;
	a.o.warn = on_warn;
	a.o.ready = on_ready;
	a.o.cb_arg = &a;
	btt_cli_progress_init(&a.progress, "hashing", a.quiet, a.verbose);
	err = btt_bt_create(&a.o, &res);
	btt_cli_progress_end(&a.progress);
	if (err) {
		if (!a.exit_code) {
			btt_cli_err(cmd, "%s", res.msg);
			a.exit_code =
				res.bad_input ? BTT_EXIT_USAGE : BTT_EXIT_FAIL;
		}
		goto out;
	}
	err = btt_cli_write_file(a.out, res.torrent, res.len);
	if (err) {
		btt_cli_err(cmd, "cannot write %s: %s", a.out,
			    btt_strerror(err));
		a.exit_code = BTT_EXIT_FAIL;
		goto out;
	}
	if (!a.quiet)
		print_summary(&a, &res);
	a.exit_code = BTT_EXIT_OK;
out:
	btt_bt_create_result_release(&res);
	free(a.trackers);
	free(a.web_seeds);
	return a.exit_code;
}
