/* TCP connections on 127.0.0.1 with OS-chosen ports: connect errors
 * (refused, timed out), bad arguments, a port in use, the flushing close
 * with EOF reported once, lent write and read buffers, and watermarks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "btt/err.h"
#include "io/tcp.h"
#include "test_tcp_util.h"

/* ---- connect errors ---- */

struct outcome {
	struct btt_loop *loop;
	int connected;
	int errors;
	int last_err;
	int pending;
};

static void oc_connect(struct btt_tcp *c, void *arg)
{
	struct outcome *o = arg;

	(void)c;
	o->connected++;
	if (--o->pending == 0)
		btt_loop_stop(o->loop);
}

static void oc_read(struct btt_tcp *c, const uint8_t *d, size_t n, void *arg)
{
	(void)c;
	(void)d;
	(void)n;
	(void)arg;
}

static void oc_error(struct btt_tcp *c, int err, void *arg)
{
	struct outcome *o = arg;

	o->errors++;
	o->last_err = err;
	/* The error is also what later writes return. */
	assert_int_equal(btt_tcp_write(c, "x", 1), err);
	btt_tcp_free(c);
	if (--o->pending == 0)
		btt_loop_stop(o->loop);
}

static const struct btt_tcp_ops oc_ops = {
	.on_connect = oc_connect,
	.on_read = oc_read,
	.on_error = oc_error,
};

static void test_tcp_conn_refused(void **state)
{
	struct btt_loop *loop;
	struct server s;
	struct btt_tcp *c;
	struct btt_addr a;
	struct outcome o = {0};

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	o.loop = loop;
	o.pending = 1;
	/* A port that was just listening and is closed now. */
	server_listen(&s, loop, &oc_ops, &o);
	a = server_addr(&s);
	btt_tcp_listener_free(s.l);
	assert_int_equal(btt_loop_run(loop), 0);
	assert_int_equal(btt_tcp_connect(loop, &a, 5000, &oc_ops, &o, &c), 0);
	assert_true(io_run_bounded(loop, IO_TEST_GUARD_MS));
	assert_int_equal(o.connected, 0);
	assert_int_equal(o.errors, 1);
	assert_int_equal(o.last_err, -ECONNREFUSED);
	btt_loop_free(loop);
}

#define TIMEOUT_TRIES 6

/* A listening socket made without libuv, backlog 0, never accepted:
 * once its accept queue is full the kernel drops further SYNs, so those
 * connects stay pending and only the timer can end them. */
static void test_tcp_conn_timeout(void **state)
{
	struct btt_loop *loop;
	struct btt_tcp *c;
	struct sockaddr_in sin = {0};
	socklen_t len = sizeof(sin);
	struct outcome o = {0};
	struct btt_addr a;
	int fd;

	(void)state;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 0), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	a = io_loopback(ntohs(sin.sin_port));
	assert_int_equal(btt_loop_new(&loop), 0);
	o.loop = loop;
	o.pending = TIMEOUT_TRIES;
	for (int i = 0; i < TIMEOUT_TRIES; i++)
		assert_int_equal(
			btt_tcp_connect(loop, &a, 300, &oc_ops, &o, &c), 0);
	assert_true(io_run_bounded(loop, IO_TEST_GUARD_MS));
	/* Each attempt ended exactly once; the queue admits only a few. */
	assert_int_equal(o.connected + o.errors, TIMEOUT_TRIES);
	assert_true(o.errors >= 1);
	assert_int_equal(o.last_err, -ETIMEDOUT);
	btt_loop_free(loop);
	close(fd);
}

static void test_tcp_conn_bad_arguments(void **state)
{
	struct btt_loop *loop;
	struct btt_tcp *c;
	struct btt_tcp_listener *l;
	struct btt_addr none = {0}, a = io_loopback(1);
	struct btt_tcp_ops no_read = {.on_error = oc_error};
	struct btt_tcp_ops no_error = {.on_read = oc_read};
	struct outcome o = {0};

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	assert_int_equal(btt_tcp_connect(loop, &none, 0, &oc_ops, &o, &c),
			 BTT_EINVALID);
	assert_int_equal(btt_tcp_connect(loop, &a, 0, &no_read, &o, &c),
			 BTT_EINVALID);
	assert_int_equal(btt_tcp_connect(loop, &a, 0, &no_error, &o, &c),
			 BTT_EINVALID);
	assert_int_equal(btt_tcp_connect(loop, &a, 0, NULL, &o, &c),
			 BTT_EINVALID);
	assert_int_equal(btt_tcp_listen(loop, &none, 0, server_accept, &o, &l),
			 BTT_EINVALID);
	btt_tcp_free(NULL);
	btt_tcp_close(NULL, true, NULL, NULL);
	btt_tcp_listener_free(NULL);
	btt_loop_free(loop);
}

static void test_tcp_conn_listen_port_in_use(void **state)
{
	struct btt_loop *loop;
	struct server s;
	struct btt_tcp_listener *l2;
	struct btt_addr a;

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	server_listen(&s, loop, &oc_ops, NULL);
	a = server_addr(&s);
	assert_int_equal(btt_tcp_listen(loop, &a, 0, server_accept, &s, &l2),
			 -EADDRINUSE);
	btt_tcp_listener_free(s.l);
	btt_loop_free(loop);
}

/* ---- flushing close, peer EOF reported once, close callback ---- */

#define FL_TOTAL (2u << 20)

struct fl {
	struct btt_loop *loop;
	uint8_t *src;
	size_t recvd;
	int errors;
	int last_err;
	int closed;
	bool order_ok;
};

static void fl_closed(void *arg)
{
	struct fl *f = arg;

	f->closed++;
}

static void fl_accept(struct btt_tcp_listener *l, int status, struct btt_tcp *c,
		      void *arg);

static void fl_read(struct btt_tcp *c, const uint8_t *d, size_t n, void *arg)
{
	struct fl *f = arg;

	(void)c;
	if (n > FL_TOTAL - f->recvd || memcmp(d, f->src + f->recvd, n))
		f->order_ok = false;
	f->recvd += n;
}

static void fl_error(struct btt_tcp *c, int err, void *arg)
{
	struct fl *f = arg;

	f->errors++;
	f->last_err = err;
	btt_tcp_close(c, false, fl_closed, f);
}

static const struct btt_tcp_ops fl_ops = {
	.on_read = fl_read,
	.on_error = fl_error,
};

static void fl_accept(struct btt_tcp_listener *l, int status, struct btt_tcp *c,
		      void *arg)
{
	struct fl *f = arg;

	assert_int_equal(status, 0);
	assert_int_equal(btt_tcp_start(c, &fl_ops, f), 0);
	assert_int_equal(btt_tcp_write(c, f->src, FL_TOTAL), 0);
	/* Most of it is still queued; the flushing close sends it all. */
	btt_tcp_close(c, true, fl_closed, f);
	/* Freeing the listener from its own callback is safe. */
	btt_tcp_listener_free(l);
}

static void test_tcp_conn_flush_close_delivers_all(void **state)
{
	struct btt_loop *loop;
	struct btt_tcp_listener *l;
	struct btt_tcp *c;
	struct btt_addr a = io_loopback(0);
	struct fl f = {0};

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	f.loop = loop;
	f.order_ok = true;
	f.src = malloc(FL_TOTAL);
	assert_non_null(f.src);
	pattern_fill(f.src, 0, FL_TOTAL);
	assert_int_equal(btt_tcp_listen(loop, &a, 0, fl_accept, &f, &l), 0);
	a = io_loopback(btt_tcp_listener_port(l));
	assert_int_equal(btt_tcp_connect(loop, &a, 5000, &fl_ops, &f, &c), 0);
	/* Ends on its own: the server closes, the client sees EOF and
	 * closes, the listener is gone. */
	assert_int_equal(btt_loop_run(loop), 0);
	assert_int_equal(f.recvd, FL_TOTAL);
	assert_true(f.order_ok);
	assert_int_equal(f.errors, 1);
	assert_int_equal(f.last_err, BTT_EEOF);
	assert_int_equal(f.closed, 2);
	btt_loop_free(loop);
	free(f.src);
}

/* ---- lent buffers: write_ref release and on_alloc ---- */

#define LEND_SIZE (3u << 20)

struct lend {
	struct btt_loop *loop;
	uint8_t *src;
	uint8_t own[1000];
	size_t recvd;
	int releases;
	int reads_outside_own;
	bool order_ok;
};

static void lend_release(void *arg)
{
	((struct lend *)arg)->releases++;
}

static void *lend_alloc(struct btt_tcp *c, size_t *len, void *arg)
{
	struct lend *l = arg;

	(void)c;
	*len = sizeof(l->own);
	return l->own;
}

static void lend_read(struct btt_tcp *c, const uint8_t *d, size_t n, void *arg)
{
	struct lend *l = arg;

	(void)c;
	if (d != l->own || n > sizeof(l->own))
		l->reads_outside_own++;
	if (n > LEND_SIZE - l->recvd || memcmp(d, l->src + l->recvd, n))
		l->order_ok = false;
	l->recvd += n;
	if (l->recvd == LEND_SIZE)
		btt_loop_stop(l->loop);
}

static void lend_error(struct btt_tcp *c, int err, void *arg)
{
	(void)c;
	(void)arg;
	fail_msg("unexpected error %d", err);
}

static const struct btt_tcp_ops lend_ops = {
	.on_alloc = lend_alloc,
	.on_read = lend_read,
	.on_error = lend_error,
};

static void test_tcp_conn_lent_buffers(void **state)
{
	struct btt_loop *loop;
	struct server s;
	struct btt_tcp *c;
	struct btt_addr a;
	struct lend l = {0};

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	l.loop = loop;
	l.order_ok = true;
	l.src = malloc(LEND_SIZE);
	assert_non_null(l.src);
	pattern_fill(l.src, 0, LEND_SIZE);
	server_listen(&s, loop, &lend_ops, &l);
	a = server_addr(&s);
	assert_int_equal(btt_tcp_connect(loop, &a, 5000, &lend_ops, &l, &c), 0);
	assert_int_equal(
		btt_tcp_write_ref(c, l.src, LEND_SIZE / 2, lend_release, &l),
		0);
	assert_int_equal(btt_tcp_write_ref(c, l.src + LEND_SIZE / 2,
					   LEND_SIZE / 2, lend_release, &l),
			 0);
	assert_int_equal(btt_tcp_write_ref(c, l.src, 1, NULL, NULL),
			 BTT_EINVALID);
	assert_true(io_run_bounded(loop, IO_TEST_GUARD_MS));
	assert_int_equal(l.recvd, LEND_SIZE);
	assert_true(l.order_ok);
	assert_int_equal(l.reads_outside_own, 0);
	/* Released once each, after the bytes were sent. */
	assert_int_equal(l.releases, 2);
	btt_tcp_free(c);
	btt_tcp_free(s.conn);
	btt_tcp_listener_free(s.l);
	btt_loop_free(loop);
	free(l.src);
}

static void test_tcp_conn_watermarks_validated(void **state)
{
	struct btt_loop *loop;
	struct btt_tcp *c;
	struct btt_addr a = io_loopback(9);
	struct outcome o = {0};

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	assert_int_equal(btt_tcp_connect(loop, &a, 0, &oc_ops, &o, &c), 0);
	assert_int_equal(btt_tcp_set_watermarks(c, 0, 0), BTT_EINVALID);
	assert_int_equal(btt_tcp_set_watermarks(c, 10, 11), BTT_EINVALID);
	assert_int_equal(btt_tcp_set_watermarks(c, 10, 10), 0);
	assert_int_equal(btt_tcp_set_watermarks(c, 10, 0), 0);
	assert_int_equal(btt_tcp_set_buffer_sizes(c, -1, 0), BTT_EINVALID);
	assert_int_equal(btt_tcp_set_buffer_sizes(c, 0, 0), 0);
	assert_int_equal(btt_tcp_write_queued(c), 0);
	assert_false(btt_tcp_write_full(c));
	/* Closed before the attempt ends: no callback. */
	btt_tcp_close(c, true, NULL, NULL);
	assert_int_equal(btt_loop_run(loop), 0);
	assert_int_equal(o.connected + o.errors, 0);
	btt_loop_free(loop);
}
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_conn_refused),
		cmocka_unit_test(test_tcp_conn_timeout),
		cmocka_unit_test(test_tcp_conn_bad_arguments),
		cmocka_unit_test(test_tcp_conn_listen_port_in_use),
		cmocka_unit_test(test_tcp_conn_flush_close_delivers_all),
		cmocka_unit_test(test_tcp_conn_lent_buffers),
		cmocka_unit_test(test_tcp_conn_watermarks_validated),
	};

	alarm(IO_TEST_ALARM_S);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
