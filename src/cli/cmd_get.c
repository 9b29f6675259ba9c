/* btt get: downloads a torrent, then seeds it (unless --no-seed) until a
 * ratio or SIGINT/SIGTERM. Also the engine runner that `btt seed` shares
 * (btt_cli_transfer): one loop, one session, one torrent, a progress line
 * every second on a terminal and a plain line every few seconds
 * otherwise, and a summary at the end.
 *
 * Output (stdout): "listening on ADDR:PORT" first, so scripts can read the
 * port the OS chose; after the check "resume: ..."; then progress; then
 * "done: ..." with the bytes moved. Errors go to stderr and name the
 * torrent file, directory, peer or tracker.
 *
 * Exit status: 0 when every piece is downloaded and verified (for `seed`:
 * stopped cleanly), 1 on a runtime failure or an interrupted download, 2
 * for bad usage or a bad torrent. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt/metainfo.h"
#include "bt/session.h"
#include "bt/torrent.h"
#include "btt/err.h"
#include "cli/cli_int.h"
#include "core/clock.h"
#include "core/cur.h"
#include "core/log.h"
#include "io/loop.h"
#include "io/timer.h"

#define MAX_PEER_ARGS 256
#define PLAIN_EVERY_S 5

static const char cmd[] = "get";

struct xfer {
	const struct btt_cli_xfer *a;
	struct btt_loop *loop;
	struct btt_session *s;
	struct btt_torrent *t;
	struct btt_metainfo mi;
	struct btt_timer *progress;
	bool tty, line_open, completed;
	uint64_t start_ms, ticks;
	int err;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: btt get FILE.torrent -o DIR [--port N] [--bind IP] "
		"[--no-seed]\n"
		"               [--seed-ratio R] [--sequential] "
		"[--max-peers N]\n"
		"               [--down-limit RATE] [--up-limit RATE] "
		"[--peer IP:PORT]...\n"
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
		"  -q, --quiet          no progress lines\n"
		"  -h, --help           this help\n"
		"\n"
		"Exit status: 0 every piece downloaded and verified, 1 "
		"failure or\n"
		"interrupted, 2 bad usage or a bad torrent.\n",
		BTT_TORRENT_DEFAULT_PEERS);
}

/* ---- output ---- */

static void fmt_size(char *buf, size_t n, uint64_t v)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	unsigned u = 0;
	double d = (double)v;

	while (d >= 1024 && u < 4) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, n, "%llu B", (unsigned long long)v);
	else
		snprintf(buf, n, "%.1f %s", d, unit[u]);
}

static void fmt_eta(char *buf, size_t n, uint64_t left, uint64_t rate)
{
	uint64_t s;

	if (!left) {
		snprintf(buf, n, "0:00");
		return;
	}
	if (!rate) {
		snprintf(buf, n, "-");
		return;
	}
	s = left / rate;
	if (s >= 3600)
		snprintf(buf, n, "%llu:%02llu:%02llu",
			 (unsigned long long)(s / 3600),
			 (unsigned long long)(s / 60 % 60),
			 (unsigned long long)(s % 60));
	else
		snprintf(buf, n, "%llu:%02llu", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
}

static void end_line(struct xfer *x)
{
	if (x->line_open) {
		fputc('\n', stdout);
		x->line_open = false;
	}
}

static void print_progress(struct xfer *x)
{
	struct btt_torrent_stats st;
	char down[32], up[32], eta[32];
	double pct;

	btt_torrent_stats(x->t, &st);
	fmt_size(down, sizeof(down), st.down_rate);
	fmt_size(up, sizeof(up), st.up_rate);
	fmt_eta(eta, sizeof(eta), st.total_bytes - st.have_bytes, st.down_rate);
	pct = st.total_bytes
		      ? 100.0 * (double)st.have_bytes / (double)st.total_bytes
		      : 100.0;
	if (st.state == BTT_TORRENT_CHECKING) {
		printf("%schecking %u/%u pieces", x->tty ? "\r\033[K" : "",
		       st.check_done, st.check_total);
	} else {
		printf("%s%5.1f%%  %u/%u pieces  down %s/s  up %s/s  "
		       "%u peer%s  ETA %s",
		       x->tty ? "\r\033[K" : "", pct, st.have_pieces,
		       st.num_pieces, down, up, st.peers,
		       st.peers == 1 ? "" : "s", eta);
	}
	if (x->tty) {
		x->line_open = true;
	} else {
		fputc('\n', stdout);
	}
	fflush(stdout);
}

static void on_progress(struct btt_timer *tm, void *arg)
{
	struct xfer *x = arg;

	(void)tm;
	x->ticks++;
	if (x->a->quiet || !x->t)
		return;
	if (x->tty || x->ticks % PLAIN_EVERY_S == 0)
		print_progress(x);
}

static void print_done(struct xfer *x)
{
	struct btt_torrent_stats st;
	uint64_t ms = btt_loop_now_ms(x->loop) - x->start_ms;
	char d[32], u[32];

	btt_torrent_stats(x->t, &st);
	fmt_size(d, sizeof(d), st.downloaded);
	fmt_size(u, sizeof(u), st.uploaded);
	end_line(x);
	printf("done: %u/%u pieces, downloaded %llu bytes (%s), uploaded "
	       "%llu bytes (%s), %u hash failure%s, %llu.%03llu s\n",
	       st.have_pieces, st.num_pieces, (unsigned long long)st.downloaded,
	       d, (unsigned long long)st.uploaded, u, st.hash_failures,
	       st.hash_failures == 1 ? "" : "s",
	       (unsigned long long)(ms / 1000),
	       (unsigned long long)(ms % 1000));
	fflush(stdout);
}

/* ---- events ---- */

static void on_checked(struct xfer *x)
{
	struct btt_torrent_stats st;

	btt_torrent_stats(x->t, &st);
	end_line(x);
	printf("resume: %u of %u pieces trusted, %u rechecked, %u valid\n",
	       st.resume_trusted, st.num_pieces, st.rechecked,
	       st.recheck_valid);
	if (!x->a->download) {
		if (!st.have_pieces) {
			btt_cli_err(x->a->cmd, "%s: no valid data found",
				    x->a->dir);
			x->err = BTT_EINCOMPLETE;
			btt_session_shutdown(x->s);
			return;
		}
		printf("seeding %u of %u pieces\n", st.have_pieces,
		       st.num_pieces);
	}
	fflush(stdout);
}

static void on_event(void *arg, struct btt_torrent *t, int event)
{
	struct xfer *x = arg;
	struct btt_torrent_stats st;

	x->t = t;
	if (event == BTT_TORRENT_EV_CHECKED) {
		on_checked(x);
	} else if (event == BTT_TORRENT_EV_COMPLETED) {
		x->completed = true;
		end_line(x);
		printf("complete: %s\n", x->mi.name);
		fflush(stdout);
	} else if (event == BTT_TORRENT_EV_STOPPED) {
		btt_torrent_stats(t, &st);
		if (st.error) {
			end_line(x);
			btt_cli_err(x->a->cmd, "%s", st.errmsg);
			x->err = st.error;
		}
		btt_session_shutdown(x->s);
	}
}

static void on_idle(void *arg)
{
	struct xfer *x = arg;

	btt_loop_stop(x->loop);
}

/* ---- running ---- */

static int setup(struct xfer *x)
{
	const struct btt_cli_xfer *a = x->a;
	struct btt_session_opts so = {
		.listen = a->bind,
		.default_port = !a->port_set,
		.down_limit = a->down_limit,
		.up_limit = a->up_limit,
		.handle_signals = true,
		.on_event = on_event,
		.on_idle = on_idle,
		.cb_arg = x,
	};
	struct btt_torrent_opts to = {
		.dir = a->dir,
		.download = a->download,
		.seed = a->seed,
		.seed_ratio_milli = a->seed_ratio_milli,
		.sequential = a->sequential,
		.max_peers = a->max_peers,
	};
	struct btt_addr la;
	char buf[BTT_ADDR_STRLEN];
	int rc;

	so.listen.port = a->port;
	if ((rc = btt_loop_new(&x->loop)) != 0 ||
	    (rc = btt_timer_new(x->loop, on_progress, x, &x->progress)) != 0) {
		btt_cli_err(a->cmd, "event loop: %s", btt_strerror(rc));
		return rc;
	}
	if ((rc = btt_session_new(x->loop, &so, &x->s)) != 0) {
		btt_cli_err(a->cmd, "cannot listen on port %u: %s",
			    a->port_set ? a->port : BTT_SESSION_PORT_FIRST,
			    btt_strerror(rc));
		return rc;
	}
	btt_session_listen_addr(x->s, &la);
	printf("listening on %s\n", btt_io_addr_to_str(&la, buf, sizeof(buf)));
	fflush(stdout);
	if ((rc = btt_session_add(x->s, &x->mi, &to, &x->t)) != 0) {
		btt_cli_err(a->cmd, "%s: %s", a->torrent, btt_strerror(rc));
		return rc;
	}
	for (size_t i = 0; i < a->npeers; i++)
		btt_torrent_add_peer(x->t, &a->peers[i]);
	x->start_ms = btt_loop_now_ms(x->loop);
	btt_timer_start(x->progress, 1000, 1000);
	return 0;
}

int btt_cli_transfer(const struct btt_cli_xfer *a)
{
	struct xfer x = {.a = a};
	struct btt_metainfo_err me = {0};
	int rc, status = BTT_EXIT_FAIL;

	rc = btt_metainfo_load(&x.mi, a->torrent, &me);
	if (rc) {
		btt_cli_err(a->cmd, "%s: %s", a->torrent,
			    me.msg[0] ? me.msg : btt_strerror(rc));
		return BTT_EXIT_USAGE;
	}
	x.tty = btt_cli_isatty(1);
	if (setup(&x) == 0) {
		btt_loop_run(x.loop);
		if (x.t)
			print_done(&x);
		if (!x.err && x.t && btt_torrent_complete(x.t))
			status = BTT_EXIT_OK;
		else if (!x.err && x.t && !a->download)
			status = BTT_EXIT_OK;
		else if (!x.err)
			btt_cli_err(a->cmd, "%s: download incomplete",
				    a->torrent);
	}
	btt_timer_free(x.progress);
	btt_session_free(x.s);
	btt_loop_free(x.loop);
	btt_metainfo_release(&x.mi);
	return status;
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
	enum { O_NOSEED = 256, O_RATIO, O_SEQ, O_MAXP, O_DOWN, O_UP };
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
		case 'h': usage(stdout); return BTT_EXIT_OK;
		default: usage(stderr); return BTT_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || !a->dir) {
		usage(stderr);
		return BTT_EXIT_USAGE;
	}
	a->torrent = argv[optind];
	return -1;
bad:
	btt_cli_err(cmd, "bad value '%s' for --%s", optarg,
		    c == O_RATIO  ? "seed-ratio"
		    : c == O_MAXP ? "max-peers"
		    : c == O_DOWN ? "down-limit"
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
