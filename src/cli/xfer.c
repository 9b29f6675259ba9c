/* The engine runner that `btt get` and `btt seed` share: one loop, one
 * session, one or more torrents, a progress line every second on a
 * terminal and a plain line every few seconds otherwise, and a summary
 * at the end.
 *
 * Output (stdout): "listening on ADDR:PORT" first, so scripts can read the
 * port the OS chose. With one torrent: after the check "resume: ...",
 * then progress, then "done: ..." with the bytes moved. With several
 * (`btt seed A.torrent B.torrent ... DIR`): one line per torrent without
 * valid data, then "seeding N torrents ..." once every check is over,
 * progress summed over all torrents, and "done: ..." with the totals.
 * Errors go to stderr and name the torrent file, directory, peer or
 * tracker.
 *
 * Several torrents: a torrent without data or with a disk error stops on
 * its own and the others go on; the exit status is then 1 (after a
 * clean stop of the rest). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bt/metainfo.h"
#include "bt/session.h"
#include "bt/torrent.h"
#include "btt/err.h"
#include "cli/cli_int.h"
#include "io/loop.h"
#include "io/timer.h"

#define PLAIN_EVERY_S 5

struct xfer {
	const struct btt_cli_xfer *a;
	struct btt_loop *loop;
	struct btt_session *s;
	struct btt_metainfo *mi; /* a->ntorrents, loaded */
	struct btt_torrent **t;	 /* a->ntorrents, NULL until added */
	size_t n, nloaded, checked, stopped, failed;
	uint8_t *prio; /* file priorities of a single torrent, or NULL */
	struct btt_timer *progress;
	bool tty, line_open, completed;
	uint64_t start_ms, ticks;
	/* Rates shown: bytes moved since the previous line, over the time
	 * since then (the engine's own rates lag a tick behind). */
	uint64_t rate_ms, rate_down, rate_up;
	int err;
};

/* ---- output ---- */

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

static void line_done(struct xfer *x)
{
	if (x->tty)
		x->line_open = true;
	else
		fputc('\n', stdout);
	fflush(stdout);
}

/* Payload rates since the previous progress line. */
static void line_rates(struct xfer *x, uint64_t down, uint64_t up,
		       uint64_t *down_rate, uint64_t *up_rate)
{
	uint64_t now = btt_loop_now_ms(x->loop);
	uint64_t dt = now - x->rate_ms;

	*down_rate = dt ? (down - x->rate_down) * 1000 / dt : 0;
	*up_rate = dt ? (up - x->rate_up) * 1000 / dt : 0;
	x->rate_ms = now;
	x->rate_down = down;
	x->rate_up = up;
}

static void print_one(struct xfer *x)
{
	struct btt_torrent_stats st;
	char down[32], up[32], eta[32];
	double pct;

	btt_torrent_stats(x->t[0], &st);
	line_rates(x, st.downloaded, st.uploaded, &st.down_rate, &st.up_rate);
	btt_cli_size(st.down_rate, 1, down, sizeof(down));
	btt_cli_size(st.up_rate, 1, up, sizeof(up));
	fmt_eta(eta, sizeof(eta), st.wanted_bytes - st.wanted_have,
		st.down_rate);
	pct = st.wanted_bytes
		      ? 100.0 * (double)st.wanted_have / (double)st.wanted_bytes
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
	line_done(x);
}

/* The sum over every torrent. */
static void totals(const struct xfer *x, struct btt_torrent_stats *sum)
{
	struct btt_torrent_stats st;

	memset(sum, 0, sizeof(*sum));
	for (size_t i = 0; i < x->n; i++) {
		if (!x->t[i])
			continue;
		btt_torrent_stats(x->t[i], &st);
		sum->num_pieces += st.num_pieces;
		sum->have_pieces += st.have_pieces;
		sum->downloaded += st.downloaded;
		sum->uploaded += st.uploaded;
		sum->hash_failures += st.hash_failures;
		sum->peers += st.peers;
	}
}

static void print_many(struct xfer *x)
{
	struct btt_torrent_stats sum;
	char up[32], total[32];

	if (x->checked < x->n) {
		printf("%schecking %zu/%zu torrents", x->tty ? "\r\033[K" : "",
		       x->checked, x->n);
		line_done(x);
		return;
	}
	totals(x, &sum);
	line_rates(x, sum.downloaded, sum.uploaded, &sum.down_rate,
		   &sum.up_rate);
	btt_cli_size(sum.up_rate, 1, up, sizeof(up));
	btt_cli_size(sum.uploaded, 1, total, sizeof(total));
	printf("%s%zu torrents  up %s/s  uploaded %s  %u peer%s",
	       x->tty ? "\r\033[K" : "", x->n - x->stopped, up, total,
	       sum.peers, sum.peers == 1 ? "" : "s");
	line_done(x);
}

static void on_progress(struct btt_timer *tm, void *arg)
{
	struct xfer *x = arg;

	(void)tm;
	x->ticks++;
	if (x->a->quiet || x->nloaded < x->n)
		return;
	if (!x->tty && x->ticks % PLAIN_EVERY_S != 0)
		return;
	if (x->n == 1)
		print_one(x);
	else
		print_many(x);
}

static void print_done(struct xfer *x)
{
	struct btt_torrent_stats st;
	uint64_t ms = btt_loop_now_ms(x->loop) - x->start_ms;
	char d[32], u[32], head[48] = "";

	totals(x, &st);
	btt_cli_size(st.downloaded, 1, d, sizeof(d));
	btt_cli_size(st.uploaded, 1, u, sizeof(u));
	end_line(x);
	if (x->n > 1)
		snprintf(head, sizeof(head), "%zu torrents, ", x->n);
	printf("done: %s%u/%u pieces, downloaded %llu bytes (%s), uploaded "
	       "%llu bytes (%s), %u hash failure%s, %llu.%03llu s\n",
	       head, st.have_pieces, st.num_pieces,
	       (unsigned long long)st.downloaded, d,
	       (unsigned long long)st.uploaded, u, st.hash_failures,
	       st.hash_failures == 1 ? "" : "s",
	       (unsigned long long)(ms / 1000),
	       (unsigned long long)(ms % 1000));
	fflush(stdout);
}

/* ---- events ---- */

static size_t index_of(const struct xfer *x, const struct btt_torrent *t)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->t[i] == t)
			return i;
	return x->n;
}

static void all_checked(struct xfer *x)
{
	struct btt_torrent_stats sum;
	char size[32];
	uint64_t bytes = 0;

	for (size_t i = 0; i < x->n; i++)
		bytes += x->mi[i].total_length;
	totals(x, &sum);
	btt_cli_size(bytes, 1, size, sizeof(size));
	end_line(x);
	printf("seeding %zu torrent%s (%u of %u pieces, %s)", x->n - x->failed,
	       x->n - x->failed == 1 ? "" : "s", sum.have_pieces,
	       sum.num_pieces, size);
	if (x->failed)
		printf(", %zu without data", x->failed);
	printf("\n");
	fflush(stdout);
}

static void on_checked(struct xfer *x, size_t i)
{
	struct btt_torrent_stats st;

	btt_torrent_stats(x->t[i], &st);
	x->checked++;
	if (x->n == 1) {
		end_line(x);
		printf("resume: %u of %u pieces trusted, %u rechecked, %u "
		       "valid\n",
		       st.resume_trusted, st.num_pieces, st.rechecked,
		       st.recheck_valid);
	}
	if (!x->a->download && !st.have_pieces) {
		end_line(x);
		btt_cli_err(x->a->cmd, "%s: no valid data found in %s",
			    x->a->torrents[i], x->a->dir);
		x->err = BTT_EINCOMPLETE;
		x->failed++;
		btt_torrent_stop(x->t[i]);
	} else if (!x->a->download && x->n == 1) {
		printf("seeding %u of %u pieces\n", st.have_pieces,
		       st.num_pieces);
	}
	if (x->n > 1 && x->checked == x->n)
		all_checked(x);
	fflush(stdout);
}

static void on_stopped(struct xfer *x, size_t i)
{
	struct btt_torrent_stats st;

	btt_torrent_stats(x->t[i], &st);
	x->stopped++;
	if (st.error) {
		end_line(x);
		if (x->n > 1)
			btt_cli_err(x->a->cmd, "%s: %s", x->a->torrents[i],
				    st.errmsg);
		else
			btt_cli_err(x->a->cmd, "%s", st.errmsg);
		x->err = st.error;
		x->failed++;
	}
	/* One torrent's end ends a single transfer; with several, the
	 * others go on until a signal or until none is left. */
	if (x->n == 1 || x->stopped == x->n)
		btt_session_shutdown(x->s);
}

static void on_event(void *arg, struct btt_torrent *t, int event)
{
	struct xfer *x = arg;
	size_t i = index_of(x, t);

	if (i == x->n)
		return;
	if (event == BTT_TORRENT_EV_CHECKED) {
		on_checked(x, i);
	} else if (event == BTT_TORRENT_EV_COMPLETED) {
		x->completed = true;
		end_line(x);
		printf("%scomplete: %s\n",
		       btt_torrent_complete(t) ? "" : "selection ",
		       x->mi[i].name);
		fflush(stdout);
	} else if (event == BTT_TORRENT_EV_STOPPED) {
		on_stopped(x, i);
	}
}

static void on_idle(void *arg)
{
	struct xfer *x = arg;

	btt_loop_stop(x->loop);
}

/* ---- running ---- */

/* Every torrent keeps a directory and a few files open: allow as many
 * descriptors as the hard limit does. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int start_session(struct xfer *x)
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
	return 0;
}

static int setup(struct xfer *x)
{
	const struct btt_cli_xfer *a = x->a;
	struct btt_torrent_opts to = {
		.dir = a->dir,
		.download = a->download,
		.seed = a->seed,
		.seed_ratio_milli = a->seed_ratio_milli,
		.sequential = a->sequential,
		.max_peers = a->max_peers,
	};
	int rc;

	/* File selection: `get` only, which takes one torrent. */
	to.file_prio = x->prio;
	to.num_file_prio = x->prio ? x->mi[0].num_files : 0;
	if ((rc = start_session(x)) != 0)
		return rc;
	for (size_t i = 0; i < x->n; i++) {
		rc = btt_session_add(x->s, &x->mi[i], &to, &x->t[i]);
		if (rc) {
			btt_cli_err(a->cmd, "%s: %s", a->torrents[i],
				    rc == BTT_EDUPLICATE
					    ? "the same torrent is given twice"
					    : btt_strerror(rc));
			return rc;
		}
		for (size_t k = 0; k < a->npeers; k++)
			btt_torrent_add_peer(x->t[i], &a->peers[k]);
	}
	x->start_ms = btt_loop_now_ms(x->loop);
	x->rate_ms = x->start_ms;
	btt_timer_start(x->progress, 1000, 1000);
	return 0;
}

/* Loads every torrent file; the first bad one ends the run (exit 2). */
static bool load_all(struct xfer *x)
{
	const struct btt_cli_xfer *a = x->a;
	struct btt_metainfo_err me;
	int rc;

	for (; x->nloaded < x->n; x->nloaded++) {
		memset(&me, 0, sizeof(me));
		rc = btt_metainfo_load(&x->mi[x->nloaded],
				       a->torrents[x->nloaded], &me);
		if (rc) {
			btt_cli_err(a->cmd, "%s: %s", a->torrents[x->nloaded],
				    me.msg[0] ? me.msg : btt_strerror(rc));
			return false;
		}
	}
	return true;
}

static int exit_status(struct xfer *x)
{
	const struct btt_cli_xfer *a = x->a;

	if (x->n == 1 && !x->err && btt_torrent_done(x->t[0]))
		return BTT_EXIT_OK;
	if (!x->err && !a->download)
		return BTT_EXIT_OK;
	if (!x->err)
		btt_cli_err(a->cmd, "%s: download incomplete", a->torrents[0]);
	return BTT_EXIT_FAIL;
}

int btt_cli_transfer(const struct btt_cli_xfer *a)
{
	struct xfer x = {.a = a, .n = a->ntorrents};
	int status = BTT_EXIT_USAGE;

	x.mi = calloc(x.n ? x.n : 1, sizeof(*x.mi));
	x.t = calloc(x.n ? x.n : 1, sizeof(*x.t));
	if (!x.mi || !x.t)
		abort();
	x.tty = btt_cli_isatty(1);
	if (load_all(&x) &&
	    (x.n != 1 || btt_cli_file_prio(a, &x.mi[0], &x.prio) == 0)) {
		status = BTT_EXIT_FAIL;
		raise_fd_limit();
		if (setup(&x) == 0) {
			btt_loop_run(x.loop);
			print_done(&x);
			status = exit_status(&x);
		}
	}
	btt_timer_free(x.progress);
	btt_session_free(x.s);
	btt_loop_free(x.loop);
	for (size_t i = 0; i < x.nloaded; i++)
		btt_metainfo_release(&x.mi[i]);
	free(x.prio);
	free(x.mi);
	free(x.t);
	return status;
}
