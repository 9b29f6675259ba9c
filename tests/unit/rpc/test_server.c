/* The JSON-RPC HTTP server on 127.0.0.1 with an OS-chosen port: requests
 * from a client thread (raw HTTP over a socket) while the test thread
 * runs the loop that runs the handlers. Covers a call, a batch, a
 * notification (204), every envelope refusal (Host, Origin, method,
 * path, Content-Type, body size at max-1/max/max+1), parse errors over
 * HTTP, no CORS headers, a port in use, and stopping with clients. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "btt/err.h"
#include "core/limits.h"
#include "io/loop.h"
#include "io/timer.h"
#include "rpc/rpc.h"

struct ctx {
	struct btt_loop *loop;
	struct btt_rpc_server *srv;
	uint16_t port;
	void (*client)(struct ctx *c);
	int loop_thread_calls; /* written by the loop, read after replies */
	pthread_t loop_thread;
	bool wrong_thread;
};

static json_t *add(void *arg, json_t *params, struct btt_rpc_error *err)
{
	struct ctx *c = arg;

	if (!pthread_equal(pthread_self(), c->loop_thread))
		c->wrong_thread = true;
	c->loop_thread_calls++;
	if (!json_is_array(params) || json_array_size(params) != 2)
		return btt_rpc_error_set(err, BTT_RPC_INVALID_PARAMS,
					 "want [a, b]");
	return json_integer(json_integer_value(json_array_get(params, 0)) +
			    json_integer_value(json_array_get(params, 1)));
}

struct reply {
	int status;
	char head[4096];
	char *body;
	size_t body_len;
};

static void reply_free(struct reply *r)
{
	free(r->body);
	r->body = NULL;
}

/* Sends raw request bytes and reads the whole reply (Connection: close). */
static int exchange(uint16_t port, const void *req, size_t len,
		    struct reply *out)
{
	struct sockaddr_in sin = {.sin_family = AF_INET,
				  .sin_port = htons(port)};
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1), *sep;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ssize_t r;

	memset(out, 0, sizeof(*out));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || !buf ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
		return -1;
	for (size_t off = 0; off < len; off += (size_t)r)
		if ((r = send(fd, (const char *)req + off, len - off,
			      MSG_NOSIGNAL)) <= 0)
			break;
	while ((r = recv(fd, buf + n, cap - n, 0)) > 0) {
		n += (size_t)r;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
		}
	}
	close(fd);
	buf[n] = 0;
	/* "HTTP/1.x NNN ..." */
	if (n < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ') {
		free(buf);
		return -1;
	}
	for (int i = 9; i < 12; i++)
		out->status = out->status * 10 + (buf[i] - '0');
	sep = strstr(buf, "\r\n\r\n");
	if (sep) {
		size_t hl = (size_t)(sep - buf);
		memcpy(out->head, buf, hl < sizeof(out->head) ? hl : 4095);
		out->body_len = n - hl - 4;
		out->body = malloc(out->body_len + 1);
		memcpy(out->body, sep + 4, out->body_len);
		out->body[out->body_len] = 0;
	}
	free(buf);
	return 0;
}

static int post(uint16_t port, const char *headers, const char *body,
		struct reply *out)
{
	size_t blen = strlen(body), cap = blen + 1024;
	char *req = malloc(cap);
	int n, e;

	n = snprintf(req, cap,
		     "POST / HTTP/1.1\r\n%sContent-Length: %zu\r\n"
		     "Connection: close\r\n\r\n%s",
		     headers, blen, body);
	e = exchange(port, req, (size_t)n, out);
	free(req);
	return e;
}

#define GOOD "Host: 127.0.0.1\r\nContent-Type: application/json\r\n"

static int rpc_code(const struct reply *r)
{
	json_t *v = json_loadb(r->body, r->body_len, 0, NULL);
	json_t *e = json_object_get(v, "error");
	int c = e ? (int)json_integer_value(json_object_get(e, "code")) : 0;

	json_decref(v);
	return c;
}

/* The loop runs on its own thread, so that cmocka's assertions stay on
 * the test's thread (the client). */
static void *loop_main(void *arg)
{
	struct ctx *c = arg;

	c->loop_thread = pthread_self();
	btt_loop_run(c->loop);
	return NULL;
}

static void guard(struct btt_timer *t, void *arg)
{
	(void)t;
	btt_loop_stop(arg);
}

static void run_with(void (*client)(struct ctx *c))
{
	struct btt_rpc_dispatch *d = btt_rpc_dispatch_new();
	struct ctx c = {.client = client};
	struct btt_timer *t;
	pthread_t th;

	assert_int_equal(btt_loop_new(&c.loop), 0);
	assert_int_equal(btt_rpc_dispatch_add(d, "add", add, &c), 0);
	assert_int_equal(btt_rpc_server_new(c.loop, d, 0, &c.srv), 0);
	c.port = btt_rpc_server_port(c.srv);
	assert_true(c.port > 0);
	/* keeps the loop alive, and bounds it */
	assert_int_equal(btt_timer_new(c.loop, guard, c.loop, &t), 0);
	btt_timer_start(t, 120000, 0);
	assert_int_equal(pthread_create(&th, NULL, loop_main, &c), 0);
	client(&c);
	btt_loop_post(c.loop, (btt_loop_fn)btt_loop_stop, c.loop);
	pthread_join(th, NULL);
	assert_false(c.wrong_thread);
	btt_rpc_server_free(c.srv);
	btt_timer_free(t);
	btt_loop_free(c.loop);
	btt_rpc_dispatch_free(d);
}

static void calls(struct ctx *c)
{
	struct reply r;

	assert_int_equal(post(c->port, GOOD,
			      "{\"jsonrpc\":\"2.0\",\"method\":\"add\","
			      "\"params\":[2,3],\"id\":7}",
			      &r),
			 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"result\":5"));
	assert_non_null(strstr(r.head, "application/json"));
	assert_null(strstr(r.head, "Access-Control"));
	reply_free(&r);
	assert_int_equal(post(c->port,
			      "Host: localhost:1\r\nContent-Type: "
			      "application/json; charset=utf-8\r\n",
			      "[{\"jsonrpc\":\"2.0\",\"method\":\"add\","
			      "\"params\":[1,1],\"id\":1},{\"jsonrpc\":\"2.0\","
			      "\"method\":\"add\",\"params\":[],\"id\":2}]",
			      &r),
			 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"result\":2"));
	assert_non_null(strstr(r.body, "-32602"));
	reply_free(&r);
	assert_int_equal(post(c->port, GOOD,
			      "{\"jsonrpc\":\"2.0\",\"method\":\"add\","
			      "\"params\":[1,1]}",
			      &r),
			 0);
	assert_int_equal(r.status, 204);
	assert_int_equal(r.body_len, 0);
	reply_free(&r);
	assert_int_equal(post(c->port, GOOD, "{\"jsonrpc\":", &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(rpc_code(&r), -32700);
	reply_free(&r);
	assert_int_equal(post(c->port, GOOD,
			      "{\"jsonrpc\":\"2.0\",\"method\":\"sub\","
			      "\"id\":1}",
			      &r),
			 0);
	assert_int_equal(rpc_code(&r), -32601);
	reply_free(&r);
	assert_int_equal(post(c->port, GOOD, "[]", &r), 0);
	assert_int_equal(rpc_code(&r), -32600);
	reply_free(&r);
	assert_int_equal(c->loop_thread_calls, 4);
}

static void test_server_calls(void **state)
{
	(void)state;
	run_with(calls);
}

static void expect_refused(uint16_t port, const char *headers, int status)
{
	struct reply r;

	assert_int_equal(post(port, headers,
			      "{\"jsonrpc\":\"2.0\",\"method\":\"add\","
			      "\"params\":[1,1],\"id\":1}",
			      &r),
			 0);
	assert_int_equal(r.status, status);
	assert_int_equal(rpc_code(&r), -32600);
	assert_null(strstr(r.head, "Access-Control"));
	reply_free(&r);
}

static void envelope(struct ctx *c)
{
	struct reply r;
	const char *get = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			  "Connection: close\r\n\r\n";
	const char *path = "POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			   "Content-Type: application/json\r\n"
			   "Content-Length: 2\r\nConnection: close\r\n\r\n{}";
	const char *nohost = "POST / HTTP/1.0\r\n"
			     "Content-Type: application/json\r\n"
			     "Content-Length: 2\r\n\r\n{}";

	expect_refused(c->port,
		       "Host: evil.example\r\nContent-Type: "
		       "application/json\r\n",
		       403);
	expect_refused(c->port,
		       "Host: 127.0.0.1.evil.example\r\nContent-Type: "
		       "application/json\r\n",
		       403);
	expect_refused(c->port,
		       "Host: 127.0.0.1:99999\r\nContent-Type: "
		       "application/json\r\n",
		       403);
	expect_refused(c->port, GOOD "Origin: http://evil.example\r\n", 403);
	expect_refused(c->port, GOOD "Origin: null\r\n", 403);
	expect_refused(c->port,
		       "Host: 127.0.0.1\r\nContent-Type: text/plain\r\n", 415);
	expect_refused(c->port, "Host: 127.0.0.1\r\n", 415);
	assert_int_equal(exchange(c->port, get, strlen(get), &r), 0);
	assert_int_equal(r.status, 405);
	assert_non_null(strstr(r.head, "Allow: POST"));
	reply_free(&r);
	assert_int_equal(exchange(c->port, path, strlen(path), &r), 0);
	assert_int_equal(r.status, 404);
	reply_free(&r);
	assert_int_equal(exchange(c->port, nohost, strlen(nohost), &r), 0);
	assert_int_equal(r.status, 403);
	reply_free(&r);
	/* the same origin is fine */
	assert_int_equal(post(c->port, GOOD "Origin: http://localhost:8545\r\n",
			      "{\"jsonrpc\":\"2.0\",\"method\":\"add\","
			      "\"params\":[1,1],\"id\":1}",
			      &r),
			 0);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	assert_int_equal(btt_rpc_server_refused(c->srv), 10);
	assert_int_equal(c->loop_thread_calls, 1);
}

static void test_server_envelope_refusals(void **state)
{
	(void)state;
	run_with(envelope);
}

static void body_sizes(struct ctx *c)
{
	static const char req[] =
		"{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,2],"
		"\"id\":1}";
	char *body = malloc(BTT_RPC_MAX_BODY + 2);
	struct reply r;

	memset(body, ' ', BTT_RPC_MAX_BODY + 1);
	memcpy(body, req, sizeof(req) - 1);
	for (size_t n = BTT_RPC_MAX_BODY - 1; n <= BTT_RPC_MAX_BODY + 1; n++) {
		body[n] = 0;
		assert_int_equal(post(c->port, GOOD, body, &r), 0);
		if (n <= BTT_RPC_MAX_BODY) {
			assert_int_equal(r.status, 200);
			assert_non_null(strstr(r.body, "\"result\":3"));
		} else {
			assert_int_equal(r.status, 413);
			assert_int_equal(rpc_code(&r), -32600);
		}
		reply_free(&r);
		body[n] = ' ';
	}
	free(body);
}

static void test_server_body_limit(void **state)
{
	(void)state;
	run_with(body_sizes);
}

/* A chunked body past the cap has no Content-Length to refuse early:
 * the connection is closed instead, without a response. */
static void chunked(struct ctx *c)
{
	size_t chunk = 64 << 10, n = BTT_RPC_MAX_BODY / chunk + 2;
	size_t cap = 256 + n * (chunk + 16), len;
	char *req = malloc(cap);
	struct reply r;

	len = (size_t)snprintf(req, cap,
			       "POST / HTTP/1.1\r\n" GOOD
			       "Transfer-Encoding: chunked\r\n"
			       "Connection: close\r\n\r\n");
	for (size_t i = 0; i < n; i++) {
		len += (size_t)snprintf(req + len, cap - len, "%zx\r\n", chunk);
		memset(req + len, ' ', chunk);
		len += chunk;
		memcpy(req + len, "\r\n", 2);
		len += 2;
	}
	memcpy(req + len, "0\r\n\r\n", 5);
	len += 5;
	assert_int_not_equal(
		exchange(c->port, req, len, &r) == 0 && r.status == 200, 1);
	reply_free(&r);
	free(req);
	assert_int_equal(c->loop_thread_calls, 0);
}

static void test_server_chunked_past_cap(void **state)
{
	(void)state;
	run_with(chunked);
}

static void client_calls(struct ctx *c)
{
	struct btt_rpc_error err;
	char url[64];
	json_t *r, *p = json_pack("[i,i]", 20, 22);

	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", (unsigned)c->port);
	assert_int_equal(btt_rpc_call(url, "add", p, 10000, &r, &err), 0);
	assert_int_equal(json_integer_value(r), 42);
	json_decref(r);
	assert_int_equal(btt_rpc_call(url, "add", NULL, 10000, &r, &err), 1);
	assert_null(r);
	assert_int_equal(err.code, BTT_RPC_INVALID_PARAMS);
	assert_string_equal(err.message, "want [a, b]");
	assert_int_equal(btt_rpc_call(url, "mul", p, 10000, &r, &err), 1);
	assert_int_equal(err.code, BTT_RPC_METHOD_NOT_FOUND);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/x", (unsigned)c->port);
	assert_int_equal(btt_rpc_call(url, "add", p, 10000, &r, &err),
			 BTT_EHTTP);
	assert_non_null(strstr(err.message, "404"));
	json_decref(p);
}

static void test_server_client(void **state)
{
	struct btt_rpc_error err;
	json_t *r;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sin);
	char url[64];

	(void)state;
	run_with(client_calls);
	/* a port nothing listens on: bound but not listening */
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/",
		 (unsigned)ntohs(sin.sin_port));
	assert_int_equal(btt_rpc_call(url, "add", NULL, 10000, &r, &err),
			 -ECONNREFUSED);
	close(fd);
}

static void test_server_port_in_use(void **state)
{
	struct btt_rpc_dispatch *d = btt_rpc_dispatch_new();
	struct btt_rpc_server *a, *b;
	struct btt_loop *loop;

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	assert_int_equal(btt_rpc_server_new(loop, d, 0, &a), 0);
	assert_int_equal(
		btt_rpc_server_new(loop, d, btt_rpc_server_port(a), &b),
		-EADDRINUSE);
	btt_rpc_server_free(a);
	btt_rpc_server_free(NULL);
	btt_loop_free(loop);
	btt_rpc_dispatch_free(d);
}

/* Requests that reach the server while the loop is not running are
 * answered with a server error when it stops, and the server memory is
 * released by the drain call still queued on the loop. */
struct late {
	uint16_t port;
	struct reply r;
	int rc;
};

static void *late_client(void *arg)
{
	struct late *l = arg;

	l->rc = post(l->port, GOOD,
		     "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":"
		     "[1,1],\"id\":1}",
		     &l->r);
	return NULL;
}

static void test_server_stop_with_pending(void **state)
{
	struct btt_rpc_dispatch *d = btt_rpc_dispatch_new();
	struct btt_rpc_server *s;
	struct btt_loop *loop;
	struct late l = {0};
	pthread_t th;

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	assert_int_equal(btt_rpc_dispatch_add(d, "add", add, NULL), 0);
	assert_int_equal(btt_rpc_server_new(loop, d, 0, &s), 0);
	l.port = btt_rpc_server_port(s);
	assert_int_equal(pthread_create(&th, NULL, late_client, &l), 0);
	/* give the request time to be queued for the loop, which is not
	 * running: whether it was or not, it gets a server error */
	usleep(300 * 1000);
	btt_rpc_server_free(s);
	pthread_join(th, NULL);
	if (l.rc == 0) {
		assert_int_equal(rpc_code(&l.r), BTT_RPC_SERVER_ERROR);
		reply_free(&l.r);
	}
	/* the drain call queued meanwhile runs here and frees the server */
	btt_loop_free(loop);
	btt_rpc_dispatch_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_calls),
		cmocka_unit_test(test_server_envelope_refusals),
		cmocka_unit_test(test_server_body_limit),
		cmocka_unit_test(test_server_chunked_past_cap),
		cmocka_unit_test(test_server_client),
		cmocka_unit_test(test_server_port_in_use),
		cmocka_unit_test(test_server_stop_with_pending),
	};

	alarm(300);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
