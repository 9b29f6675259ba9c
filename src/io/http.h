/* HTTP(S) GET on the loop, for tracker announces and scrapes and later
 * web seeds. libcurl does the protocol; its multi_socket API is driven by
 * the loop (one multi handle per loop, created on first use and kept, so
 * connections to a tracker are reused between announces).
 *
 * Every request has a deadline and a cap on the body: a response larger
 * than the cap is aborted (as soon as a Content-Length announces it, or
 * when the bytes pass the cap) and reported as BTT_ELIMIT. Redirects are
 * followed up to BTT_HTTP_MAX_REDIRECTS times, only to http and https,
 * like the request itself. gzip and deflate responses are accepted and
 * decoded; the cap applies to the decoded body. The User-Agent is
 * "btt/<version>". Loop thread only. */
#ifndef BTT_IO_HTTP_H
#define BTT_IO_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct btt_loop;
struct btt_http_req;

/* Runs once per request that was started and not cancelled.
 *  err    0 when a response arrived (whatever its status), else negative:
 *         -ETIMEDOUT (deadline), BTT_ELIMIT (body over the cap, too many
 *         redirects), -ECONNREFUSED and other -errno (connection),
 *         BTT_ENOTFOUND (host not resolved), BTT_EUNSUPPORTED (a scheme
 *         other than http/https), BTT_EINVALID (malformed URL), -ENOMEM,
 *         BTT_EHTTP (any other transfer failure);
 *  status the HTTP status code, or 0 when none arrived;
 *  body   the body (len bytes; NULL when len is 0 or err < 0), valid
 *         during the call only;
 *  errmsg "" on success, else a description for logs; it may quote the
 *         server or the URL, so escape it (btt_log_escape) before use. */
typedef void (*btt_http_done_fn)(void *arg, int err, int status,
				 const uint8_t *body, size_t len,
				 const char *errmsg);

/* Starts a GET of `url` that must finish within timeout_ms (> 0) with a
 * body of at most max_bytes. *out (when out is not NULL) identifies the
 * request for btt_http_cancel() until cb starts. Returns 0, BTT_EINVALID
 * (timeout 0, NULL url or cb), or -ENOMEM/BTT_EHTTP when libcurl cannot
 * start it; on failure cb never runs. */
int btt_http_get(struct btt_loop *loop, const char *url, uint32_t timeout_ms,
		 size_t max_bytes, btt_http_done_fn cb, void *arg,
		 struct btt_http_req **out);

/* Abandons a request whose callback has not run: it never will. NULL is
 * a no-op. Not from inside that request's own callback. */
void btt_http_cancel(struct btt_http_req *req);

/* Requests in progress on the loop. */
size_t btt_http_active(struct btt_loop *loop);

#endif
