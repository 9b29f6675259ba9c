/* The JSON-RPC HTTP server: libmicrohttpd on its own polling thread,
 * bound to 127.0.0.1, handing parsed requests to the loop thread.
 *
 * A request goes through these states on one connection:
 *   READING  the HTTP thread checked the envelope (POST /, Host, Origin,
 *            Content-Type, Content-Length) and collects the body, at most
 *            BTT_RPC_MAX_BODY bytes;
 *   WAITING  the body parsed as JSON; the connection is suspended and the
 *            request sits in the server's pending list, and one drain call
 *            posted to the loop (btt_loop_post) takes the whole list;
 *   DONE     the loop ran the handlers, stored the response JSON and
 *            resumed the connection; the HTTP thread serialises and sends
 *            it.
 * The pending list and the `posted`/`closing` flags are the only state
 * both threads touch; the mutex guards them. A request's other fields
 * belong to one thread at a time: the HTTP thread until it is queued, the
 * loop until MHD_resume_connection() (which synchronises through the
 * library's own lock), the HTTP thread again after.
 *
 * Suspended connections do not time out, so a request in WAITING is
 * bounded only by the loop, whose handlers are short. Idle connections
 * close after BTT_RPC_CONN_TIMEOUT seconds; at most
 * BTT_RPC_MAX_CONNECTIONS are open.
 *
 * Shutdown (loop thread): `closing` makes the HTTP thread answer new
 * requests itself; the pending list is answered with an error; the HTTP
 * thread is joined. A drain call may still be queued on the loop: the
 * server is then left to it to free (`orphaned`). */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "btt/err.h"
#include "core/cur.h"
#include "core/limits.h"
#include "core/log.h"
#include "io/loop.h"
#include "rpc/rpc.h"

static const char tag[] = "rpc";

enum req_state { REQ_READING, REQ_WAITING, REQ_DONE };

struct rpc_req {
	struct rpc_req *next;
	struct MHD_Connection *conn;
	enum req_state state;
	uint8_t *body;
	size_t len, cap;
	json_t *parsed;	  /* READING -> WAITING: the request */
	json_t *response; /* DONE: NULL when nothing is to be sent */
};

struct btt_rpc_server {
	struct btt_loop *loop;
	struct btt_rpc_dispatch *d;
	struct MHD_Daemon *mhd;
	uint16_t port;
	pthread_mutex_t mu;
	struct rpc_req *head, *tail; /* pending, under mu */
	bool posted;		     /* a drain call is queued; under mu */
	bool closing;		     /* under mu */
	bool orphaned;		     /* loop thread only */
	atomic_uint_fast64_t served, refused;
};

/* Marks a connection answered at the envelope check: later calls for it
 * only discard its body. */
static char refused_mark;

/* Sends a JSON value (consumed) with an HTTP status. */
static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status,
				 json_t *v)
{
	size_t n = v ? json_dumpb(v, NULL, 0, JSON_COMPACT) : 0;
	struct MHD_Response *resp;
	enum MHD_Result rc;
	char *buf = NULL;

	if (n > BTT_RPC_MAX_RESPONSE) {
		json_decref(v);
		v = json_pack("{s:s,s:n,s:{s:i,s:s}}", "jsonrpc", "2.0", "id",
			      "error", "code", BTT_RPC_INTERNAL_ERROR,
			      "message", "response too large");
		n = json_dumpb(v, NULL, 0, JSON_COMPACT);
	}
	if (n) {
		buf = malloc(n);
		if (!buf)
			abort();
		json_dumpb(v, buf, n, JSON_COMPACT);
	}
	json_decref(v);
	resp = MHD_create_response_from_buffer(n, buf, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(buf);
		return MHD_NO;
	}
	if (n)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					"application/json");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "POST");
	rc = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static json_t *error_body(int code, const char *msg)
{
	json_t *v = json_pack("{s:s,s:n,s:{s:i,s:s}}", "jsonrpc", "2.0", "id",
			      "error", "code", code, "message", msg);

	if (!v)
		abort();
	return v;
}

/* "127.0.0.1" or "localhost" (any case), optionally with ":port". */
static bool host_ok(const char *s, size_t n)
{
	struct btt_cur c, name;
	uint64_t port;

	btt_cur_init(&c, s, n);
	if (!btt_cur_get_until(&c, ':', &name))
		name = c, c.len = 0;
	else if (!btt_cur_get_dec(&c, 5, 65535, false, &port) ||
		 btt_cur_len(&c))
		return false;
	if (btt_cur_eq_str(&name, "127.0.0.1"))
		return true;
	return name.len == 9 &&
	       !strncasecmp((const char *)name.p, "localhost", 9);
}

/* Origin, when a browser sends one, must be this server itself. */
static bool origin_ok(const char *s)
{
	return !strncmp(s, "http://", 7) && host_ok(s + 7, strlen(s + 7));
}

static bool type_ok(const char *s)
{
	size_t n = strlen("application/json");

	return !strncasecmp(s, "application/json", n) &&
	       (s[n] == 0 || s[n] == ';' || s[n] == ' ');
}

/* Checks everything known before the body. Returns 0 or an HTTP status
 * with *msg set. */
static unsigned check_envelope(struct MHD_Connection *c, const char *url,
			       const char *method, const char **msg)
{
	const char *host, *origin, *type, *clen;
	uint64_t len;
	struct btt_cur cur;

	host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
	origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	clen = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
					   "Content-Length");
	*msg = "Host must be 127.0.0.1 or localhost";
	if (!host || !host_ok(host, strlen(host)))
		return MHD_HTTP_FORBIDDEN;
	*msg = "cross-origin requests are not allowed";
	if (origin && !origin_ok(origin))
		return MHD_HTTP_FORBIDDEN;
	*msg = "only POST is allowed";
	if (strcmp(method, "POST") != 0)
		return MHD_HTTP_METHOD_NOT_ALLOWED;
	*msg = "the endpoint is /";
	if (strcmp(url, "/") != 0)
		return MHD_HTTP_NOT_FOUND;
	*msg = "Content-Type must be application/json";
	if (!type || !type_ok(type))
		return MHD_HTTP_UNSUPPORTED_MEDIA_TYPE;
	*msg = "request body too large";
	btt_cur_init(&cur, clen ? clen : "", clen ? strlen(clen) : 0);
	if (clen && btt_cur_get_dec(&cur, 20, UINT64_MAX, true, &len) &&
	    len > BTT_RPC_MAX_BODY)
		return MHD_HTTP_CONTENT_TOO_LARGE;
	return 0;
}

static enum MHD_Result refuse(struct btt_rpc_server *s,
			      struct MHD_Connection *c, unsigned status,
			      const char *msg)
{
	atomic_fetch_add(&s->refused, 1);
	return send_json(c, status, error_body(BTT_RPC_INVALID_REQUEST, msg));
}

/* Appends upload bytes. Returns false when the body passes the cap. */
static bool append(struct rpc_req *r, const char *p, size_t n)
{
	size_t cap;

	if (n > BTT_RPC_MAX_BODY - r->len)
		return false;
	if (r->len + n > r->cap) {
		cap = r->cap ? r->cap : 4096;
		while (cap < r->len + n)
			cap *= 2;
		if (cap > BTT_RPC_MAX_BODY)
			cap = BTT_RPC_MAX_BODY;
		uint8_t *b = realloc(r->body, cap);
		if (!b)
			return false;
		r->body = b;
		r->cap = cap;
	}
	memcpy(r->body + r->len, p, n);
	r->len += n;
	return true;
}

static void drain(void *arg);

/* The whole body is in: parse it and hand it to the loop. */
static enum MHD_Result body_done(struct btt_rpc_server *s, struct rpc_req *r)
{
	json_t *v;
	bool post;

	if (btt_rpc_parse(r->body, r->len, &v) != 0) {
		atomic_fetch_add(&s->served, 1);
		return send_json(r->conn, MHD_HTTP_OK, v);
	}
	free(r->body);
	r->body = NULL;
	pthread_mutex_lock(&s->mu);
	if (s->closing) {
		pthread_mutex_unlock(&s->mu);
		json_decref(v);
		return send_json(r->conn, MHD_HTTP_SERVICE_UNAVAILABLE,
				 error_body(BTT_RPC_SERVER_ERROR,
					    "server shutting down"));
	}
	/* Suspend before the loop can see the request, so that its resume
	 * never comes first. */
	MHD_suspend_connection(r->conn);
	r->parsed = v;
	r->state = REQ_WAITING;
	if (s->tail)
		s->tail->next = r;
	else
		s->head = r;
	s->tail = r;
	post = !s->posted;
	s->posted = true;
	pthread_mutex_unlock(&s->mu);
	if (post)
		btt_loop_post(s->loop, drain, s);
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *data,
				  size_t *data_size, void **con_cls)
{
	struct btt_rpc_server *s = cls;
	struct rpc_req *r = *con_cls;
	const char *msg;
	unsigned status;

	(void)version;
	if (*con_cls == &refused_mark) {
		*data_size = 0;
		return MHD_YES;
	}
	if (!r) {
		if ((status = check_envelope(c, url, method, &msg)) != 0) {
			*con_cls = &refused_mark;
			return refuse(s, c, status, msg);
		}
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		r->conn = c;
		*con_cls = r;
		return MHD_YES;
	}
	if (r->state == REQ_READING && *data_size) {
		bool ok = append(r, data, *data_size);
		*data_size = 0;
		/* Past the cap without a Content-Length announcing it
		 * (chunked): no response can be queued mid-body, so the
		 * connection is closed. */
		return ok ? MHD_YES : MHD_NO;
	}
	if (r->state == REQ_READING)
		return body_done(s, r);
	if (r->state == REQ_DONE) {
		atomic_fetch_add(&s->served, 1);
		json_t *v = r->response;
		r->response = NULL;
		return send_json(c, v ? MHD_HTTP_OK : MHD_HTTP_NO_CONTENT, v);
	}
	return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct rpc_req *r = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	*con_cls = NULL;
	if (!r || (void *)r == &refused_mark)
		return;
	free(r->body);
	json_decref(r->parsed);
	json_decref(r->response);
	free(r);
}

static void finish(struct rpc_req *r, json_t *response)
{
	json_decref(r->parsed);
	r->parsed = NULL;
	r->response = response;
	r->state = REQ_DONE;
	MHD_resume_connection(r->conn);
}

static void destroy(struct btt_rpc_server *s)
{
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* Loop thread: runs every pending request. */
static void drain(void *arg)
{
	struct btt_rpc_server *s = arg;
	struct rpc_req *r, *next;

	if (s->orphaned) {
		destroy(s);
		return;
	}
	pthread_mutex_lock(&s->mu);
	r = s->head;
	s->head = s->tail = NULL;
	s->posted = false;
	pthread_mutex_unlock(&s->mu);
	for (; r; r = next) {
		next = r->next;
		r->next = NULL;
		finish(r, btt_rpc_dispatch_run(s->d, r->parsed));
	}
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[256];

	(void)cls;
	if (BTT_LOG_DEBUG > btt_log_level)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = 0;
	BTT_LOG(BTT_LOG_DEBUG, tag, "http: %s", buf);
}

int btt_rpc_server_new(struct btt_loop *loop, struct btt_rpc_dispatch *d,
		       uint16_t port, struct btt_rpc_server **out)
{
	struct btt_rpc_server *s = calloc(1, sizeof(*s));
	struct sockaddr_in sin = {.sin_family = AF_INET};
	const union MHD_DaemonInfo *info;

	if (!s)
		abort();
	/* jansson's hash seed is its one piece of global state: set it
	 * before a second thread parses. */
	json_object_seed(0);
	s->loop = loop;
	s->d = d;
	pthread_mutex_init(&s->mu, NULL);
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	errno = 0;
	s->mhd = MHD_start_daemon(
		MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME |
			MHD_USE_ERROR_LOG,
		port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, &sin,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)BTT_RPC_MAX_CONNECTIONS,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)BTT_RPC_CONN_TIMEOUT,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_END);
	if (!s->mhd) {
		int e = errno == EADDRINUSE ? -EADDRINUSE : BTT_ESTATE;
		destroy(s);
		return e;
	}
	info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : port;
	*out = s;
	return 0;
}

uint16_t btt_rpc_server_port(const struct btt_rpc_server *s)
{
	return s->port;
}

uint64_t btt_rpc_server_served(struct btt_rpc_server *s)
{
	return atomic_load(&s->served);
}

uint64_t btt_rpc_server_refused(struct btt_rpc_server *s)
{
	return atomic_load(&s->refused);
}

void btt_rpc_server_free(struct btt_rpc_server *s)
{
	struct rpc_req *r, *next;

	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->closing = true;
	r = s->head;
	s->head = s->tail = NULL;
	pthread_mutex_unlock(&s->mu);
	for (; r; r = next) {
		next = r->next;
		r->next = NULL;
		finish(r, error_body(BTT_RPC_SERVER_ERROR,
				     "server shutting down"));
	}
	MHD_stop_daemon(s->mhd);
	/* The HTTP thread is gone: `posted` is stable now. */
	if (s->posted)
		s->orphaned = true;
	else
		destroy(s);
}
