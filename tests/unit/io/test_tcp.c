/* TCP data paths on 127.0.0.1 with OS-chosen ports: a 1 MiB echo
 * compared byte for byte, backpressure (a writer that stops at the
 * high-water mark and resumes on drain) and pausing reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btt/err.h"
#include "io/tcp.h"
#include "test_tcp_util.h"

/* ---- echo: 1 MiB through a server that writes back what it reads ---- */

#define ECHO_TOTAL (1u << 20)

struct echo {
	struct btt_loop *loop;
	struct btt_tcp *client;
	uint8_t *src;
	uint8_t *got;
	size_t sent;
	size_t recvd;
	int server_errors;
	int client_errors;
};

static void echo_srv_read(struct btt_tcp *c, const uint8_t *d, size_t n,
			  void *arg)
{
	(void)arg;
	assert_int_equal(btt_tcp_write(c, d, n), 0);
	/* Backpressure towards the source: stop reading while our own
	 * queue towards the client is full. */
	if (btt_tcp_write_full(c))
		btt_tcp_read_pause(c);
}

static void echo_srv_drain(struct btt_tcp *c, void *arg)
{
	(void)arg;
	btt_tcp_read_resume(c);
}

static void echo_srv_error(struct btt_tcp *c, int err, void *arg)
{
	struct echo *e = arg;

	(void)err;
	e->server_errors++;
	btt_tcp_close(c, false, NULL, NULL);
}

static const struct btt_tcp_ops echo_srv_ops = {
	.on_read = echo_srv_read,
	.on_drain = echo_srv_drain,
	.on_error = echo_srv_error,
};

static void echo_pump(struct echo *e)
{
	while (e->sent < ECHO_TOTAL && !btt_tcp_write_full(e->client)) {
		size_t n = 1000 + (e->sent * 13) % 70000;

		if (n > ECHO_TOTAL - e->sent)
			n = ECHO_TOTAL - e->sent;
		assert_int_equal(btt_tcp_write(e->client, e->src + e->sent, n),
				 0);
		e->sent += n;
	}
}

static void echo_cli_connect(struct btt_tcp *c, void *arg)
{
	(void)c;
	echo_pump(arg);
}

static void echo_cli_drain(struct btt_tcp *c, void *arg)
{
	(void)c;
	echo_pump(arg);
}

static void echo_cli_read(struct btt_tcp *c, const uint8_t *d, size_t n,
			  void *arg)
{
	struct echo *e = arg;

	assert_true(n <= ECHO_TOTAL - e->recvd);
	memcpy(e->got + e->recvd, d, n);
	e->recvd += n;
	if (e->recvd == ECHO_TOTAL) {
		btt_tcp_close(c, false, NULL, NULL);
		btt_loop_stop(e->loop);
	}
}

static void echo_cli_error(struct btt_tcp *c, int err, void *arg)
{
	struct echo *e = arg;

	(void)c;
	(void)err;
	e->client_errors++;
	btt_loop_stop(e->loop);
}

static const struct btt_tcp_ops echo_cli_ops = {
	.on_connect = echo_cli_connect,
	.on_read = echo_cli_read,
	.on_drain = echo_cli_drain,
	.on_error = echo_cli_error,
};

static void test_tcp_echo_1mib(void **state)
{
	struct btt_loop *loop;
	struct server s;
	struct echo e = {0};
	struct btt_addr a, local;

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	e.loop = loop;
	e.src = malloc(ECHO_TOTAL);
	e.got = calloc(1, ECHO_TOTAL);
	assert_non_null(e.src);
	assert_non_null(e.got);
	pattern_fill(e.src, 0, ECHO_TOTAL);
	server_listen(&s, loop, &echo_srv_ops, &e);
	a = server_addr(&s);
	assert_int_equal(
		btt_tcp_connect(loop, &a, 5000, &echo_cli_ops, &e, &e.client),
		0);
	assert_true(btt_io_addr_eq(btt_tcp_peer(e.client), &a));
	/* Small watermarks and buffers so backpressure comes into play. */
	assert_int_equal(btt_tcp_set_watermarks(e.client, 64u << 10, 16u << 10),
			 0);
	assert_int_equal(btt_tcp_set_buffer_sizes(e.client, 32768, 32768), 0);
	assert_true(io_run_bounded(loop, IO_TEST_GUARD_MS));
	assert_int_equal(e.client_errors, 0);
	assert_int_equal(e.recvd, ECHO_TOTAL);
	assert_memory_equal(e.src, e.got, ECHO_TOTAL);
	assert_int_equal(s.accepts, 1);
	/* The accepted side sees the client's own address. */
	assert_int_equal(btt_tcp_local_addr(s.conn, &local), 0);
	assert_true(btt_io_addr_eq(&local, &a));
	btt_tcp_listener_free(s.l);
	btt_loop_free(loop);
	free(e.src);
	free(e.got);
}

/* ---- backpressure: the reader is paused until the writer is full ---- */

#define BP_HIGH (256u << 10)
#define BP_LOW (64u << 10)
#define BP_CHUNK (16u << 10)
#define BP_AFTER (1u << 20) /* written after the drain */

struct bp {
	struct btt_loop *loop;
	struct btt_tcp *client;
	struct btt_tcp *server;
	struct btt_timer *resume;
	uint8_t chunk[BP_CHUNK];
	size_t written;
	size_t total; /* set once the writer has finished */
	size_t recvd;
	size_t queued_when_full;
	size_t queued_at_drain;
	int drains;
	int drains_while_paused;
	bool full_seen;
	bool order_ok;
};

static void bp_write_chunk(struct bp *b)
{
	pattern_fill(b->chunk, b->written, BP_CHUNK);
	assert_int_equal(btt_tcp_write(b->client, b->chunk, BP_CHUNK), 0);
	b->written += BP_CHUNK;
}

static void bp_connect(struct btt_tcp *c, void *arg)
{
	struct bp *b = arg;

	/* The writer stops as soon as the queue reaches the high mark. */
	while (!btt_tcp_write_full(c))
		bp_write_chunk(b);
	b->full_seen = true;
	b->queued_when_full = btt_tcp_write_queued(c);
	/* Give the reader a moment in which nothing may drain. */
	btt_timer_start(b->resume, 20, 0);
}

static void bp_drain(struct btt_tcp *c, void *arg)
{
	struct bp *b = arg;
	size_t end = b->written + BP_AFTER;

	if (btt_tcp_read_paused(b->server))
		b->drains_while_paused++;
	b->drains++;
	b->queued_at_drain = btt_tcp_write_queued(c);
	if (b->drains > 1)
		return;
	while (b->written < end && !btt_tcp_write_full(c))
		bp_write_chunk(b);
	while (b->written < end)
		bp_write_chunk(b); /* past the mark: queued, not refused */
	b->total = b->written;
}

static void bp_client_read(struct btt_tcp *c, const uint8_t *d, size_t n,
			   void *arg)
{
	(void)c;
	(void)d;
	(void)n;
	(void)arg;
	fail_msg("the server sends nothing");
}

static void bp_error(struct btt_tcp *c, int err, void *arg)
{
	(void)c;
	(void)arg;
	fail_msg("unexpected error %d", err);
}

static const struct btt_tcp_ops bp_client_ops = {
	.on_connect = bp_connect,
	.on_read = bp_client_read,
	.on_drain = bp_drain,
	.on_error = bp_error,
};

static void bp_server_read(struct btt_tcp *c, const uint8_t *d, size_t n,
			   void *arg)
{
	struct bp *b = arg;

	(void)c;
	if (!pattern_check(d, b->recvd, n))
		b->order_ok = false;
	b->recvd += n;
	if (b->total && b->recvd == b->total)
		btt_loop_stop(b->loop);
}

static const struct btt_tcp_ops bp_server_ops = {
	.on_read = bp_server_read,
	.on_error = bp_error,
};

static void bp_server_accept(struct btt_tcp_listener *l, int status,
			     struct btt_tcp *c, void *arg)
{
	struct bp *b = arg;

	(void)l;
	assert_int_equal(status, 0);
	b->server = c;
	assert_int_equal(btt_tcp_set_buffer_sizes(c, 16384, 16384), 0);
	/* Paused before start: no byte is read until resumed. */
	btt_tcp_read_pause(c);
	assert_int_equal(btt_tcp_start(c, &bp_server_ops, b), 0);
}

static void bp_resume(struct btt_timer *t, void *arg)
{
	struct bp *b = arg;

	(void)t;
	assert_int_equal(b->drains, 0);
	btt_tcp_read_resume(b->server);
}

static void test_tcp_backpressure_stops_and_drains(void **state)
{
	struct btt_loop *loop;
	struct btt_tcp_listener *l;
	struct btt_addr a = io_loopback(0);
	struct bp *b = calloc(1, sizeof(*b));

	(void)state;
	assert_non_null(b);
	b->order_ok = true;
	assert_int_equal(btt_loop_new(&loop), 0);
	b->loop = loop;
	assert_int_equal(btt_timer_new(loop, bp_resume, b, &b->resume), 0);
	assert_int_equal(btt_tcp_listen(loop, &a, 0, bp_server_accept, b, &l),
			 0);
	a = io_loopback(btt_tcp_listener_port(l));
	assert_int_equal(
		btt_tcp_connect(loop, &a, 5000, &bp_client_ops, b, &b->client),
		0);
	assert_int_equal(btt_tcp_set_buffer_sizes(b->client, 16384, 16384), 0);
	assert_int_equal(btt_tcp_set_watermarks(b->client, BP_HIGH, BP_LOW), 0);
	assert_true(io_run_bounded(loop, IO_TEST_GUARD_MS));
	assert_true(b->full_seen);
	/* Stopped at the mark: at most one chunk beyond it. */
	assert_true(b->queued_when_full >= BP_HIGH);
	assert_true(b->queued_when_full < BP_HIGH + BP_CHUNK);
	assert_int_equal(b->drains_while_paused, 0);
	assert_true(b->drains >= 1);
	assert_true(b->queued_at_drain <= BP_LOW);
	assert_int_equal(b->recvd, b->total);
	assert_true(b->order_ok);
	btt_tcp_free(b->client);
	btt_tcp_free(b->server);
	btt_tcp_listener_free(l);
	btt_timer_free(b->resume);
	btt_loop_free(loop);
	free(b);
}

/* ---- pause/resume: no read callback while paused ---- */

#define PR_TOTAL (200u << 10)

struct pr {
	struct btt_loop *loop;
	struct btt_tcp *server;
	struct btt_timer *t;
	uint8_t *src;
	size_t recvd;
	int reads_while_paused;
	int pauses;
	bool paused;
	uint8_t small[4096]; /* lent for reads, so there are many */
};

static void *pr_alloc(struct btt_tcp *c, size_t *len, void *arg)
{
	struct pr *p = arg;

	(void)c;
	*len = sizeof(p->small);
	return p->small;
}

static void pr_read(struct btt_tcp *c, const uint8_t *d, size_t n, void *arg)
{
	struct pr *p = arg;

	if (p->paused)
		p->reads_while_paused++;
	assert_memory_equal(d, p->src + p->recvd, n);
	p->recvd += n;
	if (p->recvd == PR_TOTAL) {
		btt_loop_stop(p->loop);
		return;
	}
	/* Pause after each of the first reads; a timer resumes. */
	if (p->pauses < 3) {
		p->pauses++;
		p->paused = true;
		btt_tcp_read_pause(c);
		assert_true(btt_tcp_read_paused(c));
		btt_tcp_read_pause(c); /* idempotent */
		btt_timer_start(p->t, 5, 0);
	}
}

static void pr_resume(struct btt_timer *t, void *arg)
{
	struct pr *p = arg;

	(void)t;
	p->paused = false;
	btt_tcp_read_resume(p->server);
	btt_tcp_read_resume(p->server); /* idempotent */
	assert_false(btt_tcp_read_paused(p->server));
}

static void pr_error(struct btt_tcp *c, int err, void *arg)
{
	(void)c;
	(void)arg;
	fail_msg("unexpected error %d", err);
}

static const struct btt_tcp_ops pr_ops = {
	.on_alloc = pr_alloc,
	.on_read = pr_read,
	.on_error = pr_error,
};

static void pr_accept(struct btt_tcp_listener *l, int status, struct btt_tcp *c,
		      void *arg)
{
	struct pr *p = arg;

	(void)l;
	assert_int_equal(status, 0);
	p->server = c;
	assert_int_equal(btt_tcp_start(c, &pr_ops, p), 0);
}

static void pr_client_read(struct btt_tcp *c, const uint8_t *d, size_t n,
			   void *arg)
{
	(void)c;
	(void)d;
	(void)n;
	(void)arg;
}

static const struct btt_tcp_ops pr_client_ops = {
	.on_read = pr_client_read,
	.on_error = pr_error,
};

static void test_tcp_pause_resume_reading(void **state)
{
	struct btt_loop *loop;
	struct btt_tcp_listener *l;
	struct btt_tcp *client;
	struct btt_addr a = io_loopback(0);
	struct pr p = {0};

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	p.loop = loop;
	p.src = malloc(PR_TOTAL);
	assert_non_null(p.src);
	pattern_fill(p.src, 0, PR_TOTAL);
	assert_int_equal(btt_timer_new(loop, pr_resume, &p, &p.t), 0);
	assert_int_equal(btt_tcp_listen(loop, &a, 0, pr_accept, &p, &l), 0);
	a = io_loopback(btt_tcp_listener_port(l));
	assert_int_equal(
		btt_tcp_connect(loop, &a, 5000, &pr_client_ops, &p, &client),
		0);
	/* Queued while connecting: sent once the connection is up. */
	assert_int_equal(btt_tcp_write(client, p.src, PR_TOTAL), 0);
	assert_true(io_run_bounded(loop, IO_TEST_GUARD_MS));
	assert_int_equal(p.recvd, PR_TOTAL);
	assert_int_equal(p.pauses, 3);
	assert_int_equal(p.reads_while_paused, 0);
	btt_tcp_free(client);
	btt_tcp_free(p.server);
	btt_tcp_listener_free(l);
	btt_timer_free(p.t);
	btt_loop_free(loop);
	free(p.src);
}
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_echo_1mib),
		cmocka_unit_test(test_tcp_backpressure_stops_and_drains),
		cmocka_unit_test(test_tcp_pause_resume_reading),
	};

	alarm(IO_TEST_ALARM_S);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
