/* The session's caps, on a real loop listening on 127.0.0.1 with a port
 * the OS chose: incoming connections still in their handshake
 * (BTT_SESSION_MAX_HANDSHAKES), the global peer limit counted from accept,
 * a torrent's peer limit, and the candidate addresses a torrent keeps
 * (BTT_TORRENT_MAX_CANDIDATES), each at max-1, max and max+1; and an
 * incoming peer that names a torrent still checking its data, which waits
 * for the check (held back by blocking the session's workers).
 *
 * Clients are plain sockets connected before the loop runs (the listen
 * backlog holds them; MAXC clients and as many accepted ends stay far
 * below 1024 descriptors), then made non-blocking. The loop runs until the
 * state a test expects is reached; a guard timer turns a hang into a
 * failure. A client learns that the session dropped it from EOF or a
 * reset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bencode/bencode_int.h"
#include "bt/handshake.h"
#include "bt/session.h"
#include "bt/torrent_int.h"
#include "core/limits.h"
#include "core/wbuf.h"
#include "io/loop.h"
#include "io/pool.h"
#include "io/timer.h"

#define GUARD_MS 20000 /* far above what any wait needs */
#define POLL_MS 2
#define MAXC (BTT_SESSION_MAX_HANDSHAKES + 1)

struct fix {
	struct btt_loop *loop;
	struct btt_session *s;
	struct btt_metainfo mi;
	bool has_mi;
	struct btt_torrent *t;
	char dir[64];
	int fd[MAXC];
	bool closed[MAXC];
	size_t n;
	uint64_t received; /* bytes the clients read */
	bool checked;	   /* the torrent's check is over */
	/* What run_until waits for. */
	bool (*until)(struct fix *f);
	uint32_t want_kept, want_closed;
	bool guard_fired;
};

/* ---- set-up ---- */

static void on_event(void *arg, struct btt_torrent *t, int event)
{
	struct fix *f = arg;

	(void)t;
	if (event == BTT_TORRENT_EV_CHECKED)
		f->checked = true;
}

/* A one-piece v1 torrent without trackers: nothing to download from
 * anyone, so the only connections are the test's. */
static void make_metainfo(struct fix *f)
{
	struct btt_wbuf w;
	uint8_t pieces[20] = {0};

	btt_wbuf_init(&w, 4096);
	btt_benc_dict(&w);
	btt_benc_cstr(&w, "info");
	btt_benc_dict(&w);
	btt_benc_cstr(&w, "length");
	btt_benc_int(&w, 16384);
	btt_benc_cstr(&w, "name");
	btt_benc_cstr(&w, "f");
	btt_benc_cstr(&w, "piece length");
	btt_benc_int(&w, 16384);
	btt_benc_cstr(&w, "pieces");
	btt_benc_str(&w, pieces, sizeof(pieces));
	btt_benc_end(&w);
	btt_benc_end(&w);
	assert_int_equal(btt_wbuf_err(&w), 0);
	assert_int_equal(btt_metainfo_parse(&f->mi, w.buf, w.len, NULL), 0);
	btt_wbuf_release(&w);
	f->has_mi = true;
}

static void fix_start(struct fix *f, uint32_t max_peers)
{
	struct btt_session_opts so = {
		.max_peers = max_peers,
		.threads = 2,
		.on_event = on_event,
	};

	memset(f, 0, sizeof(*f));
	so.cb_arg = f;
	assert_int_equal(btt_loop_new(&f->loop), 0);
	btt_io_addr_loopback(BTT_AF_INET, 0, &so.listen);
	assert_int_equal(btt_session_new(f->loop, &so, &f->s), 0);
}

/* Adds the torrent (downloading into an empty temporary directory). */
static void fix_add(struct fix *f, uint32_t max_peers)
{
	struct btt_torrent_opts to = {
		.download = true,
		.max_peers = max_peers,
	};

	make_metainfo(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/btt-session-test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	to.dir = f->dir;
	assert_int_equal(btt_session_add(f->s, &f->mi, &to, &f->t), 0);
}

static int rm_entry(const char *p, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void fix_end(struct fix *f)
{
	for (size_t i = 0; i < f->n; i++)
		close(f->fd[i]);
	btt_session_free(f->s);
	btt_loop_free(f->loop);
	if (f->has_mi)
		btt_metainfo_release(&f->mi);
	if (f->dir[0])
		nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- running the loop ---- */

static void guard_cb(struct btt_timer *tm, void *arg)
{
	struct fix *f = arg;

	(void)tm;
	f->guard_fired = true;
	btt_loop_stop(f->loop);
}

static void poll_cb(struct btt_timer *tm, void *arg)
{
	struct fix *f = arg;

	(void)tm;
	if (f->until(f))
		btt_loop_stop(f->loop);
}

/* Runs the loop until `until` holds; fails the test if it never does. */
static void run_until(struct fix *f, bool (*until)(struct fix *f))
{
	struct btt_timer *guard, *poll;

	f->until = until;
	f->guard_fired = false;
	assert_int_equal(btt_timer_new(f->loop, guard_cb, f, &guard), 0);
	assert_int_equal(btt_timer_new(f->loop, poll_cb, f, &poll), 0);
	btt_timer_start(guard, GUARD_MS, 0);
	btt_timer_start(poll, POLL_MS, POLL_MS);
	btt_loop_run(f->loop);
	btt_timer_free(poll);
	btt_timer_free(guard);
	assert_false(f->guard_fired);
	assert_true(until(f));
}

static bool is_checked(struct fix *f)
{
	return f->checked;
}

/* ---- clients ---- */

/* Connects n more clients; with `hs`, each sends a whole handshake for
 * the torrent (with its own peer id), followed by `extra` zero bytes in
 * the same write. */
static void connect_more(struct fix *f, size_t n, bool hs, size_t extra)
{
	struct btt_addr la;
	struct sockaddr_in sin = {.sin_family = AF_INET};
	struct btt_handshake h;
	struct btt_wbuf w;
	char id[21];

	btt_session_listen_addr(f->s, &la);
	sin.sin_port = htons(la.port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memset(&h, 0, sizeof(h));
	if (hs)
		memcpy(h.info_hash, f->mi.ih_v1, 20);
	assert_true(f->n + n <= MAXC);
	for (size_t i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		assert_true(fd >= 0);
		assert_int_equal(
			connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
		if (hs) {
			snprintf(id, sizeof(id), "-TS0001-%012zu", f->n);
			memcpy(h.peer_id, id, 20);
			btt_wbuf_init(&w, BTT_HANDSHAKE_LEN + extra);
			btt_handshake_put(&w, &h);
			for (size_t k = 0; k < extra; k++)
				btt_wbuf_put_u8(&w, 0);
			assert_int_equal(btt_wbuf_err(&w), 0);
			assert_int_equal(write(fd, w.buf, w.len),
					 (ssize_t)w.len);
			btt_wbuf_release(&w);
		}
		assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
		f->closed[f->n] = false;
		f->fd[f->n++] = fd;
	}
}

static void connect_clients(struct fix *f, size_t n, bool hs)
{
	connect_more(f, n, hs, 0);
}

/* Reads what the session sent each client; counts the closed ones. */
static uint32_t count_closed(struct fix *f)
{
	uint8_t buf[4096];
	uint32_t k = 0;

	for (size_t i = 0; i < f->n; i++) {
		while (!f->closed[i]) {
			ssize_t r = recv(f->fd[i], buf, sizeof(buf), 0);
			if (r > 0) {
				f->received += (uint64_t)r;
				continue;
			}
			if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			f->closed[i] = true; /* EOF or a reset */
		}
		k += f->closed[i];
	}
	return k;
}

static struct btt_session_stats sstats(const struct fix *f)
{
	struct btt_session_stats st;

	btt_session_stats(f->s, &st);
	return st;
}

/* want_kept still in their handshake, want_closed dropped. */
static bool handshakes_settled(struct fix *f)
{
	uint32_t closed = count_closed(f);

	return sstats(f).handshakes == f->want_kept && closed == f->want_closed;
}

/* want_kept handed to the torrent, want_closed dropped. */
static bool torrent_settled(struct fix *f)
{
	struct btt_torrent_stats ts;
	uint32_t closed = count_closed(f);

	btt_torrent_stats(f->t, &ts);
	return ts.peers == f->want_kept && closed == f->want_closed &&
	       sstats(f).handshakes == 0;
}

/* The client was dropped, or waits for the torrent's check. */
static bool dropped_or_waiting(struct fix *f)
{
	uint32_t closed = count_closed(f);

	return closed == 1 || sstats(f).waiting == 1;
}

/* ---- holding the storage's check back ---- */

/* Jobs that occupy every worker of the session's pool until released, so
 * that a torrent's check cannot finish before the test lets it. */
struct blocker {
	int started[2], release[2];
	unsigned n;
};

static void block_work(void *arg)
{
	struct blocker *b = arg;
	char c = 0;

	/* A worker thread: no cmocka asserts here. */
	if (write(b->started[1], &c, 1) != 1 || read(b->release[0], &c, 1) != 1)
		abort();
}

static void block_done(void *arg)
{
	(void)arg;
}

static void block_pool(struct fix *f, struct blocker *b)
{
	struct btt_pool *pool = f->s->pool;
	char c;

	assert_int_equal(pipe(b->started), 0);
	assert_int_equal(pipe(b->release), 0);
	b->n = btt_pool_threads(pool);
	for (unsigned i = 0; i < b->n; i++)
		btt_pool_submit(pool, BTT_POOL_HIGH, block_work, block_done, b);
	for (unsigned i = 0; i < b->n; i++)
		assert_int_equal(read(b->started[0], &c, 1), 1);
}

static void unblock_pool(struct blocker *b)
{
	char c = 0;

	for (unsigned i = 0; i < b->n; i++)
		assert_int_equal(write(b->release[1], &c, 1), 1);
}

static void blocker_close(struct blocker *b)
{
	close(b->started[0]);
	close(b->started[1]);
	close(b->release[0]);
	close(b->release[1]);
}

static void expect_handshakes(struct fix *f, uint32_t kept, uint32_t closed)
{
	f->want_kept = kept;
	f->want_closed = closed;
	run_until(f, handshakes_settled);
	assert_int_equal(sstats(f).peers, kept);
}

/* ---- the tests ---- */

/* Incoming connections that never send a handshake: the session holds
 * BTT_SESSION_MAX_HANDSHAKES of them and closes the next at accept. The
 * peer limit is set above it so that only this cap applies. */
static void test_session_handshakes_cap(void **state)
{
	static const uint32_t counts[] = {BTT_SESSION_MAX_HANDSHAKES - 1,
					  BTT_SESSION_MAX_HANDSHAKES,
					  BTT_SESSION_MAX_HANDSHAKES + 1};
	struct fix f;

	(void)state;
	for (size_t c = 0; c < 3; c++) {
		uint32_t n = counts[c];
		uint32_t kept = n < BTT_SESSION_MAX_HANDSHAKES
					? n
					: BTT_SESSION_MAX_HANDSHAKES;
		fix_start(&f, 2 * MAXC);
		connect_clients(&f, n, false);
		expect_handshakes(&f, kept, n - kept);
		fix_end(&f);
	}
}

/* The global peer limit counts an incoming connection from accept, before
 * it names a torrent: with max_peers 4, a fifth half-open connection is
 * closed at once. */
static void test_session_max_peers_from_accept(void **state)
{
	struct fix f;

	(void)state;
	for (uint32_t n = 3; n <= 5; n++) {
		fix_start(&f, 4);
		connect_clients(&f, n, false);
		expect_handshakes(&f, n < 4 ? n : 4, n < 4 ? 0 : n - 4);
		assert_int_equal(sstats(&f).max_peers, 4);
		fix_end(&f);
	}
}

/* Connections handed to a torrent stay counted against the global limit:
 * max-1 and max routed peers fill it, and one more connection (max+1) is
 * closed at accept. */
static void test_session_max_peers_after_routing(void **state)
{
	struct fix f;

	(void)state;
	fix_start(&f, 4);
	fix_add(&f, 50);
	run_until(&f, is_checked);
	connect_clients(&f, 3, true);
	f.want_kept = 3;
	run_until(&f, torrent_settled);
	assert_int_equal(sstats(&f).peers, 3);
	connect_clients(&f, 1, true);
	f.want_kept = 4;
	run_until(&f, torrent_settled);
	assert_int_equal(sstats(&f).peers, 4);
	connect_clients(&f, 1, false);
	f.want_closed = 1;
	run_until(&f, torrent_settled);
	assert_int_equal(sstats(&f).peers, 4);
	fix_end(&f);
}

/* A torrent's own limit: handshakes beyond it are closed (the session's
 * limit is far above), and a dropped one no longer counts globally. */
static void test_session_torrent_max_peers(void **state)
{
	struct fix f;

	(void)state;
	for (uint32_t n = 2; n <= 4; n++) {
		fix_start(&f, 0);
		fix_add(&f, 3);
		run_until(&f, is_checked);
		connect_clients(&f, n, true);
		f.want_kept = n < 3 ? n : 3;
		f.want_closed = n - f.want_kept;
		run_until(&f, torrent_settled);
		assert_int_equal(sstats(&f).peers, f.want_kept);
		assert_int_equal(sstats(&f).max_peers,
				 BTT_SESSION_DEFAULT_PEERS);
		fix_end(&f);
	}
}

/* A peer that dials us while the torrent still checks its data waits
 * for the check instead of being turned away (it would retry only
 * seconds later), then gets our handshake and belongs to the torrent. */
static void test_session_waits_for_check(void **state)
{
	struct fix f;
	struct blocker b;
	struct btt_torrent_stats ts;

	(void)state;
	fix_start(&f, 0);
	block_pool(&f, &b);
	fix_add(&f, 0);
	connect_clients(&f, 1, true);
	run_until(&f, dropped_or_waiting);
	btt_torrent_stats(f.t, &ts);
	assert_int_equal(ts.state, BTT_TORRENT_CHECKING);
	assert_int_equal(count_closed(&f), 0);
	assert_int_equal(sstats(&f).waiting, 1);
	assert_int_equal(f.received, 0);
	unblock_pool(&b);
	f.want_kept = 1;
	run_until(&f, torrent_settled);
	assert_int_equal(sstats(&f).waiting, 0);
	assert_true(f.received >= BTT_HANDSHAKE_LEN);
	fix_end(&f);
	blocker_close(&b);
}

/* Bytes after the handshake while the torrent checks: there is nowhere
 * to keep them, so that connection is dropped (the peer dials again). */
static void test_session_check_drops_early_bytes(void **state)
{
	struct fix f;
	struct blocker b;

	(void)state;
	fix_start(&f, 0);
	block_pool(&f, &b);
	fix_add(&f, 0);
	connect_more(&f, 1, true, 4); /* a keep-alive */
	run_until(&f, dropped_or_waiting);
	assert_int_equal(count_closed(&f), 1);
	assert_int_equal(sstats(&f).waiting, 0);
	assert_int_equal(sstats(&f).peers, 0);
	unblock_pool(&b);
	fix_end(&f);
	blocker_close(&b);
}

static uint32_t candidates(const struct fix *f)
{
	struct btt_torrent_stats ts;

	btt_torrent_stats(f->t, &ts);
	return ts.candidates;
}

/* Candidate addresses stop growing at BTT_TORRENT_MAX_CANDIDATES. The
 * loop never runs after they are added, so none is dialled (the torrent
 * is still checking). */
static void test_session_candidates_cap(void **state)
{
	struct fix f;
	struct btt_addr la, a;
	uint16_t port = 0;

	(void)state;
	fix_start(&f, 0);
	fix_add(&f, 0);
	btt_session_listen_addr(f.s, &la);
	for (uint32_t i = 0; i < BTT_TORRENT_MAX_CANDIDATES - 1; i++) {
		if (++port == la.port)
			port++;
		btt_io_addr_loopback(BTT_AF_INET, port, &a);
		btt_torrent_add_peer(f.t, &a);
	}
	assert_int_equal(candidates(&f), BTT_TORRENT_MAX_CANDIDATES - 1);
	btt_torrent_add_peer(f.t, &a); /* known already */
	assert_int_equal(candidates(&f), BTT_TORRENT_MAX_CANDIDATES - 1);
	if (++port == la.port)
		port++;
	btt_io_addr_loopback(BTT_AF_INET, port, &a);
	btt_torrent_add_peer(f.t, &a);
	assert_int_equal(candidates(&f), BTT_TORRENT_MAX_CANDIDATES);
	if (++port == la.port)
		port++;
	btt_io_addr_loopback(BTT_AF_INET, port, &a);
	btt_torrent_add_peer(f.t, &a);
	assert_int_equal(candidates(&f), BTT_TORRENT_MAX_CANDIDATES);
	fix_end(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session_handshakes_cap),
		cmocka_unit_test(test_session_max_peers_from_accept),
		cmocka_unit_test(test_session_max_peers_after_routing),
		cmocka_unit_test(test_session_torrent_max_peers),
		cmocka_unit_test(test_session_candidates_cap),
		cmocka_unit_test(test_session_waits_for_check),
		cmocka_unit_test(test_session_check_drops_early_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
