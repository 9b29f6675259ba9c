/* TCP connections: creation (connect or accept), the read path, error
 * reporting and closing. The write queue is in tcp_write.c, listeners in
 * tcp_listen.c; the states are described in tcp_int.h.
 *
 * Each connection owns two handles (the socket and a timer), so it is
 * freed when the second close callback runs. libuv calls the connect,
 * write and shutdown callbacks of a closing handle with UV_ECANCELED
 * before its close callback; they see state CLOSED and only release
 * memory. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "btt/err.h"
#include "io/tcp_int.h"

static void tcp_handle_closed(uv_handle_t *h)
{
	struct btt_tcp *c = h->data;

	if (--c->open_handles > 0)
		return;
	tcp_queue_release(c);
	if (c->close_cb)
		c->close_cb(c->close_arg);
	free(c);
}

void tcp_hard_close(struct btt_tcp *c)
{
	if (c->state == TCP_CLOSED)
		return;
	c->state = TCP_CLOSED;
	c->reading = false;
	io_obj_untrack(&c->obj);
	c->open_handles = 2;
	uv_close((uv_handle_t *)&c->h, tcp_handle_closed);
	uv_close((uv_handle_t *)&c->timer, tcp_handle_closed);
}

static void tcp_abort(struct io_obj *obj)
{
	tcp_hard_close((struct btt_tcp *)obj);
}

static void stop_reading(struct btt_tcp *c)
{
	if (c->reading) {
		uv_read_stop((uv_stream_t *)&c->h);
		c->reading = false;
	}
}

void tcp_fail(struct btt_tcp *c, int err)
{
	if (c->state == TCP_FLUSHING) {
		tcp_hard_close(c);
		return;
	}
	if (c->state != TCP_CONNECTING && c->state != TCP_OPEN)
		return;
	c->state = TCP_FAILED;
	c->err = err;
	stop_reading(c);
	uv_timer_stop(&c->timer);
	c->ops->on_error(c, err, c->arg);
}

static void fail_later_cb(uv_timer_t *t)
{
	struct btt_tcp *c = t->data;

	tcp_fail(c, c->pending_err);
}

void tcp_fail_later(struct btt_tcp *c, int err)
{
	if (c->pending_err)
		return;
	c->pending_err = err;
	uv_timer_start(&c->timer, fail_later_cb, 0, 0);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct btt_tcp *c = h->data;
	void *p = NULL;
	size_t len = 0;

	(void)suggested;
	if (c->ops->on_alloc)
		p = c->ops->on_alloc(c, &len, c->arg);
	if (!p || !len) {
		p = io_loop_readbuf(c->loop);
		len = IO_READ_BUF_SIZE;
	}
	*buf = uv_buf_init(p, len > UINT_MAX ? UINT_MAX : (unsigned)len);
}

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct btt_tcp *c = s->data;

	if (n > 0) {
		if (c->state == TCP_OPEN)
			c->ops->on_read(c, (const uint8_t *)buf->base,
					(size_t)n, c->arg);
		return;
	}
	if (n == 0) /* EAGAIN: nothing this time */
		return;
	tcp_fail(c, n == UV_EOF ? BTT_EEOF : (int)n);
}

static void start_reading(struct btt_tcp *c)
{
	int err;

	if (c->state != TCP_OPEN || c->paused || c->reading)
		return;
	/* Fails only for a stream that is closing or not connected, which
	 * OPEN rules out; a failure is still reported, never ignored. */
	err = uv_read_start((uv_stream_t *)&c->h, alloc_cb, read_cb);
	if (err < 0) {
		tcp_fail_later(c, err);
		return;
	}
	c->reading = true;
}

/* A zeroed connection with both handles initialised and tracked. */
static int tcp_create(struct btt_loop *loop, int family, struct btt_tcp **out)
{
	struct btt_tcp *c = calloc(1, sizeof(*c));
	int err;

	if (!c)
		abort();
	if (family != AF_UNSPEC)
		err = uv_tcp_init_ex(io_loop_uv(loop), &c->h, family);
	else
		err = uv_tcp_init(io_loop_uv(loop), &c->h);
	if (err < 0) {
		/* A failed init leaves nothing registered on the loop. */
		free(c);
		return err;
	}
	uv_timer_init(io_loop_uv(loop), &c->timer);
	c->h.data = c->timer.data = c;
	c->creq.data = c->wreq.data = c->sreq.data = c;
	c->loop = loop;
	c->high = BTT_TCP_HIGH_WATER;
	c->low = BTT_TCP_LOW_WATER;
	io_obj_track(loop, &c->obj, tcp_abort);
	*out = c;
	return 0;
}

static void connect_cb(uv_connect_t *req, int status)
{
	struct btt_tcp *c = req->data;

	if (c->state == TCP_FLUSHING) {
		if (status < 0)
			tcp_hard_close(c);
		else if (!c->writing && !c->q_head)
			tcp_begin_shutdown(c);
		return;
	}
	if (c->state != TCP_CONNECTING) /* timed out, or closed */
		return;
	uv_timer_stop(&c->timer);
	if (status < 0) {
		tcp_fail(c, status);
		return;
	}
	c->state = TCP_OPEN;
	if (c->ops->on_connect)
		c->ops->on_connect(c, c->arg);
	start_reading(c);
}

static void connect_timeout_cb(uv_timer_t *t)
{
	tcp_fail(t->data, UV_ETIMEDOUT);
}

static bool ops_valid(const struct btt_tcp_ops *ops)
{
	return ops && ops->on_read && ops->on_error;
}

int btt_tcp_connect(struct btt_loop *loop, const struct btt_addr *addr,
		    uint32_t timeout_ms, const struct btt_tcp_ops *ops,
		    void *arg, struct btt_tcp **out)
{
	struct sockaddr_storage ss;
	struct btt_tcp *c;
	int err;

	if (!ops_valid(ops))
		return BTT_EINVALID;
	if ((err = io_addr_to_sockaddr(addr, &ss)) < 0)
		return err;
	/* The socket exists from here on, so buffer sizes can be set
	 * before the SYN (the receive window scale is chosen then). */
	if ((err = tcp_create(loop, ss.ss_family, &c)) < 0)
		return err;
	uv_tcp_nodelay(&c->h, 1);
	c->ops = ops;
	c->arg = arg;
	c->peer = *addr;
	c->state = TCP_CONNECTING;
	err = uv_tcp_connect(&c->creq, &c->h, (const struct sockaddr *)&ss,
			     connect_cb);
	if (err < 0) {
		tcp_hard_close(c);
		return err;
	}
	if (timeout_ms)
		uv_timer_start(&c->timer, connect_timeout_cb, timeout_ms, 0);
	*out = c;
	return 0;
}

int tcp_accept(struct btt_loop *loop, uv_stream_t *server, struct btt_tcp **out)
{
	struct sockaddr_storage ss;
	int len = sizeof(ss);
	struct btt_tcp *c;
	int err;

	if ((err = tcp_create(loop, AF_UNSPEC, &c)) < 0)
		return err;
	if ((err = uv_accept(server, (uv_stream_t *)&c->h)) < 0) {
		tcp_hard_close(c);
		return err;
	}
	uv_tcp_nodelay(&c->h, 1);
	/* A peer already gone leaves the address zeroed; its first read
	 * reports the error. */
	if (uv_tcp_getpeername(&c->h, (struct sockaddr *)&ss, &len) == 0)
		io_addr_from_sockaddr((const struct sockaddr *)&ss, &c->peer);
	c->state = TCP_ACCEPTED;
	*out = c;
	return 0;
}

int btt_tcp_start(struct btt_tcp *c, const struct btt_tcp_ops *ops, void *arg)
{
	if (c->state != TCP_ACCEPTED || !ops_valid(ops))
		return BTT_EINVALID;
	c->ops = ops;
	c->arg = arg;
	c->state = TCP_OPEN;
	start_reading(c);
	return 0;
}

void btt_tcp_set_arg(struct btt_tcp *c, void *arg)
{
	c->arg = arg;
}

static void flush_timeout_cb(uv_timer_t *t)
{
	tcp_hard_close(t->data);
}

void btt_tcp_close(struct btt_tcp *c, bool flush, btt_tcp_close_fn cb,
		   void *cb_arg)
{
	bool queued;

	if (!c || c->state == TCP_CLOSED)
		return;
	if (c->state == TCP_FLUSHING) {
		/* A second close may only make the first one harder. */
		if (!flush)
			tcp_hard_close(c);
		return;
	}
	c->close_cb = cb;
	c->close_arg = cb_arg;
	stop_reading(c);
	uv_timer_stop(&c->timer);
	queued = c->writing || c->q_head;
	if (!flush || c->pending_err ||
	    !(c->state == TCP_OPEN || (c->state == TCP_CONNECTING && queued))) {
		tcp_hard_close(c);
		return;
	}
	c->state = TCP_FLUSHING;
	uv_timer_start(&c->timer, flush_timeout_cb, BTT_TCP_FLUSH_TIMEOUT_MS,
		       0);
	if (!queued)
		tcp_begin_shutdown(c);
}

void btt_tcp_free(struct btt_tcp *c)
{
	btt_tcp_close(c, false, NULL, NULL);
}

void btt_tcp_read_pause(struct btt_tcp *c)
{
	c->paused = true;
	stop_reading(c);
}

void btt_tcp_read_resume(struct btt_tcp *c)
{
	c->paused = false;
	start_reading(c);
}

bool btt_tcp_read_paused(const struct btt_tcp *c)
{
	return c->paused;
}

int btt_tcp_set_buffer_sizes(struct btt_tcp *c, int sndbuf, int rcvbuf)
{
	if (c->state == TCP_CLOSED)
		return BTT_EINVALID;
	return io_set_buffer_sizes((uv_handle_t *)&c->h, sndbuf, rcvbuf);
}

const struct btt_addr *btt_tcp_peer(const struct btt_tcp *c)
{
	return &c->peer;
}

int btt_tcp_local_addr(const struct btt_tcp *c, struct btt_addr *out)
{
	struct sockaddr_storage ss;
	int len = sizeof(ss);
	int err;

	memset(out, 0, sizeof(*out));
	if (c->state == TCP_CLOSED)
		return BTT_EINVALID;
	err = uv_tcp_getsockname(&c->h, (struct sockaddr *)&ss, &len);
	if (err < 0)
		return err;
	return io_addr_from_sockaddr((const struct sockaddr *)&ss, out);
}
