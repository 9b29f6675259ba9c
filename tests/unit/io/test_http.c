/* The HTTP client against a tiny HTTP/1.1 server that runs on the same
 * loop (built on the TCP API, canned responses written by hand): status
 * and body, the User-Agent and Accept-Encoding sent, the body cap at
 * max-1, max and max+1 with and without Content-Length, the redirect
 * limit, gzip, a server that never answers (timeout), a closed port,
 * cancel, and a loop freed with a request in flight. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "btt/version.h"
#include "core/cur.h"
#include "core/limits.h"
#include "io/http.h"
#include "io/tcp.h"
#include "io_test.h"

/* gzip of "hello, gzip world\n" three times. */
static const uint8_t gzip_body[] = {
	0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xcb,
	0x48, 0xcd, 0xc9, 0xc9, 0xd7, 0x51, 0x48, 0xaf, 0xca, 0x2c, 0x50,
	0x28, 0xcf, 0x2f, 0xca, 0x49, 0xe1, 0xca, 0x20, 0x42, 0x04, 0x00,
	0x44, 0x14, 0xe9, 0x91, 0x36, 0x00, 0x00, 0x00};
static const char gzip_plain[] =
	"hello, gzip world\nhello, gzip world\nhello, gzip world\n";

#define MAX_BODY 60000

static uint8_t body_byte(size_t i)
{
	return (uint8_t)('a' + i % 26);
}

/* ---- the server ---- */

struct hconn;

struct hsrv {
	struct btt_tcp_listener *l;
	struct hconn *conns;	    /* still open: freed by hsrv_release */
	struct btt_loop *stop_loop; /* stopped on each request and close */
	int closes;		    /* connections ended by the client */
	uint16_t port;
	char last_req[4096];
	int requests;
};

struct hconn {
	struct hsrv *s;
	struct hconn **pprev;
	struct hconn *next;
	char buf[4096];
	size_t len;
	bool answered;
};

static void hconn_free(void *arg)
{
	struct hconn *h = arg;

	*h->pprev = h->next;
	if (h->next)
		h->next->pprev = h->pprev;
	free(h);
}

/* After btt_loop_free, which runs no callback for connections that were
 * still open: their state is the owner's to free. */
static void hsrv_release(struct hsrv *s)
{
	while (s->conns)
		hconn_free(s->conns);
}

/* Reads the number after `prefix` in path; false if it does not fit. */
static bool path_num(struct btt_cur *path, const char *prefix, uint64_t *n)
{
	struct btt_cur c = *path;

	return btt_cur_get_prefix(&c, prefix) &&
	       btt_cur_get_dec(&c, 6, MAX_BODY, false, n) && !btt_cur_len(&c);
}

static void reply(struct btt_tcp *c, int status, const char *extra, bool length,
		  const uint8_t *body, size_t len)
{
	char head[512];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d X\r\nConnection: close\r\n%s", status,
			 extra);

	assert_true(n > 0 && (size_t)n < sizeof(head));
	if (length)
		n += snprintf(head + n, sizeof(head) - (size_t)n,
			      "Content-Length: %zu\r\n", len);
	n += snprintf(head + n, sizeof(head) - (size_t)n, "\r\n");
	assert_int_equal(btt_tcp_write(c, head, (size_t)n), 0);
	assert_int_equal(btt_tcp_write(c, body, len), 0);
}

static void reply_sized(struct btt_tcp *c, size_t len, bool length)
{
	static uint8_t body[MAX_BODY];

	for (size_t i = 0; i < len; i++)
		body[i] = body_byte(i);
	reply(c, 200, "", length, body, len);
}

/* Writes the response to the request for `path`; false to hang. */
static bool respond(struct btt_tcp *c, struct btt_cur path)
{
	char loc[64];
	uint64_t n;

	if (btt_cur_eq_str(&path, "/ok"))
		reply(c, 200, "", true, (const uint8_t *)"hello", 5);
	else if (btt_cur_eq_str(&path, "/404"))
		reply(c, 404, "", true, (const uint8_t *)"not found", 9);
	else if (btt_cur_eq_str(&path, "/gzip"))
		reply(c, 200, "Content-Encoding: gzip\r\n", true, gzip_body,
		      sizeof(gzip_body));
	else if (path_num(&path, "/size/", &n))
		reply_sized(c, (size_t)n, true);
	else if (path_num(&path, "/stream/", &n))
		reply_sized(c, (size_t)n, false);
	else if (path_num(&path, "/r/", &n) && n == 0)
		reply(c, 200, "", true, (const uint8_t *)"done", 4);
	else if (path_num(&path, "/r/", &n)) {
		snprintf(loc, sizeof(loc), "Location: /r/%u\r\n",
			 (unsigned)n - 1);
		reply(c, 302, loc, true, NULL, 0);
	} else
		return false; /* "/hang" and anything else: never answer */
	return true;
}

static void hconn_read(struct btt_tcp *c, const uint8_t *d, size_t n, void *arg)
{
	struct hconn *h = arg;
	struct btt_cur req, line = {0}, path = {0};

	assert_true(n <= sizeof(h->buf) - h->len);
	memcpy(h->buf + h->len, d, n);
	h->len += n;
	if (h->answered || !memmem(h->buf, h->len, "\r\n\r\n", 4))
		return;
	h->answered = true;
	h->s->requests++;
	if (h->s->stop_loop)
		btt_loop_stop(h->s->stop_loop);
	memcpy(h->s->last_req, h->buf, h->len);
	h->s->last_req[h->len] = 0;
	btt_cur_init(&req, h->buf, h->len);
	assert_true(btt_cur_get_until(&req, '\n', &line));
	assert_true(btt_cur_get_prefix(&line, "GET "));
	assert_true(btt_cur_get_until(&line, ' ', &path));
	if (respond(c, path))
		btt_tcp_close(c, true, hconn_free, h);
}

static void hconn_error(struct btt_tcp *c, int err, void *arg)
{
	struct hconn *h = arg;

	(void)err;
	h->s->closes++;
	if (h->s->stop_loop)
		btt_loop_stop(h->s->stop_loop);
	btt_tcp_close(c, false, hconn_free, h);
}

static const struct btt_tcp_ops hconn_ops = {
	.on_read = hconn_read,
	.on_error = hconn_error,
};

static void hsrv_accept(struct btt_tcp_listener *l, int status,
			struct btt_tcp *c, void *arg)
{
	struct hconn *h = calloc(1, sizeof(*h));

	(void)l;
	assert_int_equal(status, 0);
	assert_non_null(h);
	h->s = arg;
	h->next = h->s->conns;
	if (h->next)
		h->next->pprev = &h->next;
	h->pprev = &h->s->conns;
	h->s->conns = h;
	assert_int_equal(btt_tcp_start(c, &hconn_ops, h), 0);
}

static void hsrv_start(struct hsrv *s, struct btt_loop *loop)
{
	struct btt_addr a = io_loopback(0);

	memset(s, 0, sizeof(*s));
	assert_int_equal(btt_tcp_listen(loop, &a, 0, hsrv_accept, s, &s->l), 0);
	s->port = btt_tcp_listener_port(s->l);
}

/* ---- the client side ---- */

struct hres {
	struct btt_loop *loop;
	int calls;
	int err;
	int status;
	uint8_t body[MAX_BODY + 1];
	size_t len;
	bool body_null;
	char msg[256];
};

static void hres_cb(void *arg, int err, int status, const uint8_t *body,
		    size_t len, const char *msg)
{
	struct hres *r = arg;

	r->calls++;
	r->err = err;
	r->status = status;
	r->len = len;
	r->body_null = body == NULL;
	assert_true(len <= sizeof(r->body));
	if (len)
		memcpy(r->body, body, len);
	assert_non_null(msg);
	snprintf(r->msg, sizeof(r->msg), "%s", msg);
	btt_loop_stop(r->loop);
}

static void url_for(char *url, size_t size, uint16_t port, const char *path)
{
	snprintf(url, size, "http://127.0.0.1:%u%s", (unsigned)port, path);
}

static void get(struct btt_loop *loop, uint16_t port, const char *path,
		uint32_t timeout_ms, size_t max, struct hres *r)
{
	char url[128];

	memset(r, 0, sizeof(*r));
	r->loop = loop;
	url_for(url, sizeof(url), port, path);
	assert_int_equal(
		btt_http_get(loop, url, timeout_ms, max, hres_cb, r, NULL), 0);
	assert_true(io_run_bounded(loop, IO_TEST_GUARD_MS));
	assert_int_equal(r->calls, 1);
}

struct fixture {
	struct btt_loop *loop;
	struct hsrv srv;
	struct hres res;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || btt_loop_new(&f->loop) < 0)
		return -1;
	hsrv_start(&f->srv, f->loop);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	btt_loop_free(f->loop);
	hsrv_release(&f->srv);
	free(f);
	return 0;
}

static void test_http_get_ok(void **state)
{
	struct fixture *f = *state;
	struct hres *r = &f->res;

	get(f->loop, f->srv.port, "/ok", 5000, 1000, r);
	assert_int_equal(r->err, 0);
	assert_int_equal(r->status, 200);
	assert_int_equal(r->len, 5);
	assert_memory_equal(r->body, "hello", 5);
	assert_string_equal(r->msg, "");
	assert_non_null(strstr(f->srv.last_req,
			       "\r\nUser-Agent: btt/" BTT_VERSION "\r\n"));
	assert_non_null(strstr(f->srv.last_req, "\r\nAccept-Encoding: "));
	assert_non_null(strstr(f->srv.last_req, "gzip"));
	assert_int_equal(btt_http_active(f->loop), 0);
}

static void test_http_not_found_is_a_response(void **state)
{
	struct fixture *f = *state;
	struct hres *r = &f->res;

	get(f->loop, f->srv.port, "/404", 5000, 1000, r);
	assert_int_equal(r->err, 0);
	assert_int_equal(r->status, 404);
	assert_int_equal(r->len, 9);
	assert_memory_equal(r->body, "not found", 9);
}

static void check_cap(struct fixture *f, const char *prefix)
{
	static const size_t cap = 1000;
	struct hres *r = &f->res;
	char path[64];

	for (size_t n = cap - 1; n <= cap + 1; n++) {
		snprintf(path, sizeof(path), "%s%zu", prefix, n);
		get(f->loop, f->srv.port, path, 5000, cap, r);
		if (n <= cap) {
			assert_int_equal(r->err, 0);
			assert_int_equal(r->status, 200);
			assert_int_equal(r->len, n);
			for (size_t i = 0; i < n; i++)
				assert_int_equal(r->body[i], body_byte(i));
		} else {
			assert_int_equal(r->err, BTT_ELIMIT);
			assert_int_equal(r->len, 0);
			assert_true(r->body_null);
			assert_non_null(strstr(r->msg, "over 1000 bytes"));
		}
	}
}

static void test_http_body_cap_with_length(void **state)
{
	check_cap(*state, "/size/");
}

static void test_http_body_cap_streamed(void **state)
{
	check_cap(*state, "/stream/");
}

static void test_http_empty_body_and_zero_cap(void **state)
{
	struct fixture *f = *state;
	struct hres *r = &f->res;

	get(f->loop, f->srv.port, "/size/0", 5000, 0, r);
	assert_int_equal(r->err, 0);
	assert_int_equal(r->len, 0);
	assert_true(r->body_null);
	get(f->loop, f->srv.port, "/stream/1", 5000, 0, r);
	assert_int_equal(r->err, BTT_ELIMIT);
}

static void test_http_redirect_limit(void **state)
{
	struct fixture *f = *state;
	struct hres *r = &f->res;
	char path[32];

	for (int n = BTT_HTTP_MAX_REDIRECTS - 1; n <= BTT_HTTP_MAX_REDIRECTS;
	     n++) {
		snprintf(path, sizeof(path), "/r/%d", n);
		get(f->loop, f->srv.port, path, 5000, 100, r);
		assert_int_equal(r->err, 0);
		assert_int_equal(r->status, 200);
		assert_int_equal(r->len, 4);
		assert_memory_equal(r->body, "done", 4);
	}
	snprintf(path, sizeof(path), "/r/%d", BTT_HTTP_MAX_REDIRECTS + 1);
	get(f->loop, f->srv.port, path, 5000, 100, r);
	assert_int_equal(r->err, BTT_ELIMIT);
	assert_true(r->msg[0] != 0);
}

static void test_http_gzip_decoded(void **state)
{
	struct fixture *f = *state;
	struct hres *r = &f->res;

	get(f->loop, f->srv.port, "/gzip", 5000, 1000, r);
	assert_int_equal(r->err, 0);
	assert_int_equal(r->len, strlen(gzip_plain));
	assert_memory_equal(r->body, gzip_plain, r->len);
	/* The cap applies to the decoded body. */
	get(f->loop, f->srv.port, "/gzip", 5000, strlen(gzip_plain) - 1, r);
	assert_int_equal(r->err, BTT_ELIMIT);
}

static void test_http_server_never_answers(void **state)
{
	struct fixture *f = *state;
	struct hres *r = &f->res;

	get(f->loop, f->srv.port, "/hang", 1000, 1000, r);
	assert_int_equal(r->err, -ETIMEDOUT);
	assert_int_equal(r->status, 0);
	assert_true(r->msg[0] != 0);
}

static void test_http_connection_refused(void **state)
{
	struct fixture *f = *state;
	struct hres *r = &f->res;
	uint16_t port = f->srv.port;

	btt_tcp_listener_free(f->srv.l);
	hsrv_start(&f->srv, f->loop); /* a listener elsewhere, for teardown */
	get(f->loop, port, "/ok", 5000, 1000, r);
	assert_int_equal(r->err, -ECONNREFUSED);
	assert_int_equal(r->status, 0);
}

static void test_http_bad_requests(void **state)
{
	struct fixture *f = *state;
	struct hres *r = &f->res;

	memset(r, 0, sizeof(*r));
	r->loop = f->loop;
	assert_int_equal(btt_http_get(f->loop, "http://127.0.0.1/", 0, 10,
				      hres_cb, r, NULL),
			 BTT_EINVALID);
	assert_int_equal(btt_http_get(f->loop, NULL, 10, 10, hres_cb, r, NULL),
			 BTT_EINVALID);
	assert_int_equal(btt_http_get(f->loop, "http://127.0.0.1/", 10, 10,
				      NULL, r, NULL),
			 BTT_EINVALID);
	/* Only http and https: refused by the callback, not the call. */
	assert_int_equal(btt_http_get(f->loop, "ftp://127.0.0.1/x", 5000, 10,
				      hres_cb, r, NULL),
			 0);
	assert_true(io_run_bounded(f->loop, IO_TEST_GUARD_MS));
	assert_int_equal(r->calls, 1);
	assert_int_equal(r->err, BTT_EUNSUPPORTED);
	r->calls = 0;
	assert_int_equal(btt_http_get(f->loop, "http://[::1", 5000, 10, hres_cb,
				      r, NULL),
			 0);
	assert_true(io_run_bounded(f->loop, IO_TEST_GUARD_MS));
	assert_int_equal(r->calls, 1);
	assert_int_equal(r->err, BTT_EINVALID);
}

static void never_cb(void *arg, int err, int status, const uint8_t *body,
		     size_t len, const char *msg)
{
	(void)err;
	(void)status;
	(void)body;
	(void)len;
	(void)msg;
	(*(int *)arg)++;
}

static void test_http_cancel(void **state)
{
	struct fixture *f = *state;
	struct btt_http_req *req, *req2;
	char url[128];
	int calls = 0;

	url_for(url, sizeof(url), f->srv.port, "/hang");
	assert_int_equal(
		btt_http_get(f->loop, url, 200, 10, never_cb, &calls, &req), 0);
	assert_int_equal(
		btt_http_get(f->loop, url, 60000, 10, never_cb, &calls, &req2),
		0);
	assert_int_equal(btt_http_active(f->loop), 2);
	btt_http_cancel(req);
	assert_int_equal(btt_http_active(f->loop), 1);
	/* Let the second one reach the server, then cancel it there: the
	 * server sees the connection end. */
	f->srv.stop_loop = f->loop;
	assert_true(io_run_bounded(f->loop, IO_TEST_GUARD_MS));
	assert_int_equal(f->srv.requests, 1);
	btt_http_cancel(req2);
	btt_http_cancel(NULL);
	assert_int_equal(btt_http_active(f->loop), 0);
	assert_true(io_run_bounded(f->loop, IO_TEST_GUARD_MS));
	assert_int_equal(f->srv.closes, 1);
	/* Past the first one's deadline too: no callback ever runs. */
	f->srv.stop_loop = NULL;
	assert_false(io_run_bounded(f->loop, 300));
	assert_int_equal(calls, 0);
}

/* Callbacks may start new requests: a chain of three. */
struct chain {
	struct btt_loop *loop;
	uint16_t port;
	int done;
	int errors;
};

static void chain_cb(void *arg, int err, int status, const uint8_t *body,
		     size_t len, const char *msg)
{
	struct chain *c = arg;
	char url[128];

	(void)body;
	(void)len;
	(void)msg;
	if (err || status != 200)
		c->errors++;
	if (++c->done == 3) {
		btt_loop_stop(c->loop);
		return;
	}
	url_for(url, sizeof(url), c->port, "/ok");
	assert_int_equal(
		btt_http_get(c->loop, url, 5000, 100, chain_cb, c, NULL), 0);
}

static void test_http_request_from_callback(void **state)
{
	struct fixture *f = *state;
	struct chain c = {f->loop, f->srv.port, 0, 0};
	char url[128];

	url_for(url, sizeof(url), f->srv.port, "/ok");
	assert_int_equal(
		btt_http_get(f->loop, url, 5000, 100, chain_cb, &c, NULL), 0);
	assert_true(io_run_bounded(f->loop, IO_TEST_GUARD_MS));
	assert_int_equal(c.done, 3);
	assert_int_equal(c.errors, 0);
}

static void test_http_loop_free_in_flight(void **state)
{
	struct btt_loop *loop;
	struct hsrv srv;
	char url[128];
	int calls = 0;

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	hsrv_start(&srv, loop);
	url_for(url, sizeof(url), srv.port, "/hang");
	assert_int_equal(
		btt_http_get(loop, url, 60000, 10, never_cb, &calls, NULL), 0);
	srv.stop_loop = loop;
	assert_true(io_run_bounded(loop, IO_TEST_GUARD_MS));
	assert_int_equal(srv.requests, 1);
	btt_loop_free(loop);
	hsrv_release(&srv);
	assert_int_equal(calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_http_get_ok, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_http_not_found_is_a_response, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_body_cap_with_length,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_body_cap_streamed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_http_empty_body_and_zero_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_redirect_limit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_http_gzip_decoded, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_http_server_never_answers,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_connection_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_bad_requests, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_http_cancel, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_http_request_from_callback,
						setup, teardown),
		cmocka_unit_test(test_http_loop_free_in_flight),
	};

	/* Requests go straight to 127.0.0.1, never through a proxy. */
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	alarm(IO_TEST_ALARM_S);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
