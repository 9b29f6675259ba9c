/* HTTP GET over libcurl's multi_socket API, driven by the loop.
 *
 * One struct io_http per loop (created on first use, tracked, aborted by
 * btt_loop_free) owns the CURLM handle, a uv timer for curl's timeouts, a
 * uv_poll_t per socket curl asks to watch, and the list of requests. The
 * poll and timer handles are unreferenced; a never-sent async handle is
 * referenced exactly while requests are in progress, so btt_loop_run
 * waits for transfers but not for idle cached connections.
 *
 * curl tells us (CURL_POLL_REMOVE) before it closes a socket, and a poll
 * handle is deregistered synchronously by uv_close, so a new socket that
 * reuses the descriptor never meets the old watcher. User callbacks run
 * only after curl_multi_socket_action has returned, never from inside a
 * curl callback, so they may start or cancel requests. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <uv.h>

#include "btt/err.h"
#include "btt/version.h"
#include "core/limits.h"
#include "io/http.h"
#include "io/io_int.h"

struct io_http {
	struct io_obj obj; /* first: the abort hook casts back */
	struct btt_loop *loop;
	CURLM *multi;
	uv_timer_t timer;
	uv_async_t busy; /* referenced while requests are in progress */
	struct btt_http_req *reqs;
	struct http_sock *socks;
	size_t nreqs;
	int open_handles;
};

struct http_sock {
	uv_poll_t poll;
	struct io_http *http;
	struct http_sock *prev;
	struct http_sock *next;
	curl_socket_t fd;
};

struct btt_http_req {
	struct io_http *http;
	struct btt_http_req *prev;
	struct btt_http_req *next;
	CURL *easy;
	btt_http_done_fn cb;
	void *arg;
	uint8_t *body;
	size_t len;
	size_t cap;
	size_t max;
	bool over_cap;
	bool no_mem;
	char errbuf[CURL_ERROR_SIZE];
};

static uv_once_t curl_once = UV_ONCE_INIT;
static CURLcode curl_init_result;

static void curl_init_once(void)
{
	curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void http_busy_refresh(struct io_http *http)
{
	if (http->nreqs)
		uv_ref((uv_handle_t *)&http->busy);
	else
		uv_unref((uv_handle_t *)&http->busy);
}

static void sock_closed(uv_handle_t *h)
{
	free(h->data);
}

static void sock_close(struct http_sock *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		s->http->socks = s->next;
	if (s->next)
		s->next->prev = s->prev;
	uv_close((uv_handle_t *)&s->poll, sock_closed);
}

static void check_done(struct io_http *http);

static void poll_cb(uv_poll_t *h, int status, int events)
{
	struct http_sock *s = h->data;
	struct io_http *http = s->http;
	int flags = 0, running;

	/* libuv turns POLLERR (e.g. a kept-alive connection the server reset)
	 * into an error status. Reported to curl as CURL_CSELECT_ERR it fails
	 * the transfer; as readable and writable, curl reads the socket, sees
	 * the reset and retries a reused connection on a fresh one. */
	if (status < 0)
		flags = CURL_CSELECT_IN | CURL_CSELECT_OUT;
	if (events & UV_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & UV_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	/* s may be closed (CURL_POLL_REMOVE) inside this call. */
	curl_multi_socket_action(http->multi, s->fd, flags, &running);
	check_done(http);
}

static struct http_sock *sock_new(struct io_http *http, curl_socket_t fd)
{
	struct http_sock *s = calloc(1, sizeof(*s));

	if (!s)
		abort();
	if (uv_poll_init_socket(io_loop_uv(http->loop), &s->poll, fd) < 0) {
		free(s);
		return NULL;
	}
	s->poll.data = s;
	s->http = http;
	s->fd = fd;
	s->next = http->socks;
	if (s->next)
		s->next->prev = s;
	http->socks = s;
	uv_unref((uv_handle_t *)&s->poll);
	curl_multi_assign(http->multi, fd, s);
	return s;
}

static int sock_cb(CURL *easy, curl_socket_t fd, int what, void *userp,
		   void *socketp)
{
	struct io_http *http = userp;
	struct http_sock *s = socketp;
	int events = 0;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (s)
			sock_close(s);
		return 0;
	}
	if (!s && !(s = sock_new(http, fd)))
		return -1;
	if (what & CURL_POLL_IN)
		events |= UV_READABLE;
	if (what & CURL_POLL_OUT)
		events |= UV_WRITABLE;
	return uv_poll_start(&s->poll, events, poll_cb) < 0 ? -1 : 0;
}

static void timer_cb(uv_timer_t *t)
{
	struct io_http *http = t->data;
	int running;

	curl_multi_socket_action(http->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(http);
}

static int timer_fn(CURLM *multi, long timeout_ms, void *userp)
{
	struct io_http *http = userp;

	(void)multi;
	if (timeout_ms < 0)
		uv_timer_stop(&http->timer);
	else
		/* Never socket_action from here: curl forbids the recursion,
		 * so even a 0 timeout goes through the loop. */
		uv_timer_start(&http->timer, timer_cb, (uint64_t)timeout_ms, 0);
	return 0;
}

static void req_unlink(struct btt_http_req *r)
{
	struct io_http *http = r->http;

	if (r->prev)
		r->prev->next = r->next;
	else
		http->reqs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	http->nreqs--;
	http_busy_refresh(http);
}

static void req_destroy(struct btt_http_req *r)
{
	curl_multi_remove_handle(r->http->multi, r->easy);
	curl_easy_cleanup(r->easy);
	req_unlink(r);
	free(r->body);
	free(r);
}

static int errno_or(CURL *easy, int fallback)
{
	long os = 0;

	if (curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os) == CURLE_OK &&
	    os > 0 && os < 4096)
		return -(int)os;
	return fallback;
}

/* Maps a finished transfer to btt's error space. */
static int result_err(struct btt_http_req *r, CURLcode rc)
{
	if (r->over_cap || rc == CURLE_FILESIZE_EXCEEDED)
		return BTT_ELIMIT;
	if (r->no_mem)
		return -ENOMEM;
	switch (rc) {
	case CURLE_OK: return 0;
	case CURLE_OPERATION_TIMEDOUT: return -ETIMEDOUT;
	case CURLE_TOO_MANY_REDIRECTS: return BTT_ELIMIT;
	case CURLE_COULDNT_CONNECT: return errno_or(r->easy, -ECONNREFUSED);
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR: return errno_or(r->easy, BTT_EHTTP);
	case CURLE_COULDNT_RESOLVE_HOST: return BTT_ENOTFOUND;
	case CURLE_UNSUPPORTED_PROTOCOL: return BTT_EUNSUPPORTED;
	case CURLE_URL_MALFORMAT: return BTT_EINVALID;
	case CURLE_OUT_OF_MEMORY: return -ENOMEM;
	default: return BTT_EHTTP;
	}
}

static void req_finish(struct btt_http_req *r, CURLcode rc)
{
	long code = 0;
	int err = result_err(r, rc);
	const char *msg = "";

	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
	if (err == BTT_ELIMIT && rc != CURLE_TOO_MANY_REDIRECTS)
		snprintf(r->errbuf, sizeof(r->errbuf),
			 "response body over %zu bytes", r->max);
	if (err < 0)
		msg = r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc);
	/* Unlink first: the callback may start or cancel requests. */
	curl_multi_remove_handle(r->http->multi, r->easy);
	req_unlink(r);
	r->cb(r->arg, err, (int)code, err < 0 || !r->len ? NULL : r->body,
	      err < 0 ? 0 : r->len, msg);
	curl_easy_cleanup(r->easy);
	free(r->body);
	free(r);
}

static void check_done(struct io_http *http)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(http->multi, &left))) {
		struct btt_http_req *r = NULL;
		CURLcode rc = m->data.result;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &r);
		req_finish(r, rc);
	}
}

/* Grows the body for n more bytes within the cap; false when over it or
 * out of memory (the transfer is then aborted). */
static bool body_reserve(struct btt_http_req *r, size_t n)
{
	size_t want, cap;
	uint8_t *p;

	if (n > r->max - r->len) {
		r->over_cap = true;
		return false;
	}
	want = r->len + n;
	if (want <= r->cap)
		return true;
	cap = r->cap ? r->cap : 4096;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
	if (cap > r->max)
		cap = r->max;
	/* Sized from the network, within the caller's cap: fallible. */
	if (!(p = realloc(r->body, cap))) {
		r->no_mem = true;
		return false;
	}
	r->body = p;
	r->cap = cap;
	return true;
}

static size_t write_cb(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct btt_http_req *r = userdata;
	size_t n = size * nmemb;

	if (!n)
		return 0;
	if (!body_reserve(r, n))
		return 0; /* anything but n aborts the transfer */
	memcpy(r->body + r->len, p, n);
	r->len += n;
	return n;
}

static void http_closed(uv_handle_t *h)
{
	struct io_http *http = h->data;

	if (--http->open_handles == 0)
		free(http);
}

static void http_abort(struct io_obj *obj)
{
	struct io_http *http = (struct io_http *)obj;

	io_obj_untrack(&http->obj);
	*io_loop_http(http->loop) = NULL;
	while (http->reqs)
		req_destroy(http->reqs);
	curl_multi_cleanup(http->multi);
	/* Sockets curl closed without a REMOVE (cached connections). */
	while (http->socks)
		sock_close(http->socks);
	http->open_handles = 2;
	uv_close((uv_handle_t *)&http->timer, http_closed);
	uv_close((uv_handle_t *)&http->busy, http_closed);
}

static void busy_cb(uv_async_t *a)
{
	(void)a;
}

static struct io_http *http_get_multi(struct btt_loop *loop)
{
	struct io_http **slot = io_loop_http(loop), *http;

	if (*slot)
		return *slot;
	uv_once(&curl_once, curl_init_once);
	if (curl_init_result != CURLE_OK)
		return NULL;
	if (!(http = calloc(1, sizeof(*http))))
		abort();
	if (!(http->multi = curl_multi_init())) {
		free(http);
		return NULL;
	}
	http->loop = loop;
	curl_multi_setopt(http->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(http->multi, CURLMOPT_SOCKETDATA, http);
	curl_multi_setopt(http->multi, CURLMOPT_TIMERFUNCTION, timer_fn);
	curl_multi_setopt(http->multi, CURLMOPT_TIMERDATA, http);
	uv_timer_init(io_loop_uv(loop), &http->timer);
	uv_unref((uv_handle_t *)&http->timer);
	uv_async_init(io_loop_uv(loop), &http->busy, busy_cb);
	uv_unref((uv_handle_t *)&http->busy);
	http->timer.data = http->busy.data = http;
	io_obj_track(loop, &http->obj, http_abort);
	*slot = http;
	return http;
}

static bool easy_setup(struct btt_http_req *r, const char *url,
		       uint32_t timeout_ms)
{
	CURL *e = r->easy;
	bool ok = true;

	ok &= !curl_easy_setopt(e, CURLOPT_URL, url);
	ok &= !curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	ok &= !curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	ok &= !curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	ok &= !curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	ok &= !curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	ok &= !curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	ok &= !curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	ok &= !curl_easy_setopt(e, CURLOPT_MAXREDIRS,
				(long)BTT_HTTP_MAX_REDIRECTS);
	ok &= !curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	ok &= !curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	ok &= !curl_easy_setopt(e, CURLOPT_USERAGENT, "btt/" BTT_VERSION);
	/* "" offers every encoding this libcurl decodes (gzip, deflate). */
	ok &= !curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	/* Refuses at once a Content-Length over the cap (0 means none). */
	if (r->max > 0 && r->max < (size_t)INT64_MAX)
		ok &= !curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
					(curl_off_t)r->max);
	return ok;
}

int btt_http_get(struct btt_loop *loop, const char *url, uint32_t timeout_ms,
		 size_t max_bytes, btt_http_done_fn cb, void *arg,
		 struct btt_http_req **out)
{
	struct io_http *http;
	struct btt_http_req *r;

	if (!url || !cb || !timeout_ms)
		return BTT_EINVALID;
	if (!(http = http_get_multi(loop)))
		return BTT_EHTTP;
	if (!(r = calloc(1, sizeof(*r))))
		abort();
	r->http = http;
	r->cb = cb;
	r->arg = arg;
	r->max = max_bytes;
	if (!(r->easy = curl_easy_init())) {
		free(r);
		return -ENOMEM;
	}
	if (!easy_setup(r, url, timeout_ms) ||
	    curl_multi_add_handle(http->multi, r->easy) != CURLM_OK) {
		curl_easy_cleanup(r->easy);
		free(r);
		return BTT_EHTTP;
	}
	r->next = http->reqs;
	if (r->next)
		r->next->prev = r;
	http->reqs = r;
	http->nreqs++;
	http_busy_refresh(http);
	if (out)
		*out = r;
	return 0;
}

void btt_http_cancel(struct btt_http_req *req)
{
	if (req)
		req_destroy(req);
}

size_t btt_http_active(struct btt_loop *loop)
{
	struct io_http *http = *io_loop_http(loop);

	return http ? http->nreqs : 0;
}
