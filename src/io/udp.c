/* UDP sockets: a uv_udp_t in a tracked object. Sends go straight to the
 * socket when possible (uv_udp_try_send); otherwise one allocation holds
 * the request and a copy of the datagram until its send callback, which
 * also runs (with UV_ECANCELED) for queued datagrams when the socket is
 * closed, before the close callback frees the object. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "btt/err.h"
#include "core/log.h"
#include "io/io_int.h"
#include "io/udp.h"

struct btt_udp {
	struct io_obj obj; /* first: the abort hook casts back */
	struct btt_loop *loop;
	uv_udp_t h;
	btt_udp_recv_fn cb;
	void *arg;
	struct btt_addr addr;
	size_t queued;
	bool closing;
};

struct udp_send {
	uv_udp_send_t req;
	struct btt_udp *u;
	uint8_t data[];
};

static void udp_closed(uv_handle_t *h)
{
	free(h->data);
}

static void udp_close(struct btt_udp *u)
{
	io_obj_untrack(&u->obj);
	u->closing = true;
	uv_close((uv_handle_t *)&u->h, udp_closed);
}

static void udp_abort(struct io_obj *obj)
{
	udp_close((struct btt_udp *)obj);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct btt_udp *u = h->data;

	(void)suggested;
	*buf = uv_buf_init((char *)io_loop_readbuf(u->loop), IO_READ_BUF_SIZE);
}

static void recv_cb(uv_udp_t *h, ssize_t n, const uv_buf_t *buf,
		    const struct sockaddr *sa, unsigned flags)
{
	struct btt_udp *u = h->data;
	struct btt_addr from;

	if (n < 0) {
		BTT_LOG(BTT_LOG_DEBUG, "udp", "receive: %s",
			uv_strerror((int)n));
		return;
	}
	/* n == 0 without a sender: the socket had nothing after all. */
	if (!sa || u->closing)
		return;
	if (flags & UV_UDP_PARTIAL)
		return;
	if (io_addr_from_sockaddr(sa, &from) < 0)
		return;
	u->cb(u, &from, (const uint8_t *)buf->base, (size_t)n, u->arg);
}

static int udp_setup(struct btt_udp *u, const struct sockaddr_storage *ss)
{
	struct sockaddr_storage bound;
	int len = sizeof(bound);
	unsigned flags = ss->ss_family == AF_INET6 ? UV_UDP_IPV6ONLY : 0;
	int err;

	if ((err = uv_udp_bind(&u->h, (const struct sockaddr *)ss, flags)) < 0)
		return err;
	err = uv_udp_getsockname(&u->h, (struct sockaddr *)&bound, &len);
	if (err < 0)
		return err;
	err = io_addr_from_sockaddr((const struct sockaddr *)&bound, &u->addr);
	if (err < 0)
		return err;
	return uv_udp_recv_start(&u->h, alloc_cb, recv_cb);
}

int btt_udp_bind(struct btt_loop *loop, const struct btt_addr *addr,
		 btt_udp_recv_fn cb, void *arg, struct btt_udp **out)
{
	struct sockaddr_storage ss;
	struct btt_udp *u;
	int err;

	if (!cb)
		return BTT_EINVALID;
	if ((err = io_addr_to_sockaddr(addr, &ss)) < 0)
		return err;
	u = calloc(1, sizeof(*u));
	if (!u)
		abort();
	if ((err = uv_udp_init(io_loop_uv(loop), &u->h)) < 0) {
		free(u);
		return err;
	}
	u->h.data = u;
	u->loop = loop;
	u->cb = cb;
	u->arg = arg;
	io_obj_track(loop, &u->obj, udp_abort);
	if ((err = udp_setup(u, &ss)) < 0) {
		udp_close(u);
		return err;
	}
	*out = u;
	return 0;
}

void btt_udp_free(struct btt_udp *u)
{
	if (u && !u->closing)
		udp_close(u);
}

static void send_cb(uv_udp_send_t *req, int status)
{
	struct udp_send *s = (struct udp_send *)req;

	s->u->queued--;
	if (status < 0 && status != UV_ECANCELED)
		BTT_LOG(BTT_LOG_DEBUG, "udp", "send: %s", uv_strerror(status));
	free(s);
}

static int send_queued(struct btt_udp *u, const struct sockaddr *sa,
		       const void *data, size_t len)
{
	struct udp_send *s;
	uv_buf_t b;
	int err;

	if (u->queued >= BTT_UDP_MAX_QUEUE)
		return -ENOBUFS;
	s = malloc(sizeof(*s) + len);
	if (!s)
		abort();
	s->u = u;
	memcpy(s->data, data, len);
	b = uv_buf_init((char *)s->data, (unsigned)len);
	if ((err = uv_udp_send(&s->req, &u->h, &b, 1, sa, send_cb)) < 0) {
		free(s);
		return err;
	}
	u->queued++;
	return 0;
}

int btt_udp_send(struct btt_udp *u, const struct btt_addr *to, const void *data,
		 size_t len)
{
	struct sockaddr_storage ss;
	uv_buf_t b;
	int err;

	if (u->closing)
		return BTT_EINVALID;
	if (len > BTT_UDP_MAX_DATAGRAM)
		return -EMSGSIZE;
	if ((err = io_addr_to_sockaddr(to, &ss)) < 0)
		return err;
	b = uv_buf_init((char *)data, (unsigned)len);
	err = uv_udp_try_send(&u->h, &b, 1, (const struct sockaddr *)&ss);
	if (err >= 0)
		return 0;
	if (err != UV_EAGAIN)
		return err;
	return send_queued(u, (const struct sockaddr *)&ss, data, len);
}

size_t btt_udp_queued(const struct btt_udp *u)
{
	return u->queued;
}

void btt_udp_local_addr(const struct btt_udp *u, struct btt_addr *out)
{
	*out = u->addr;
}

int btt_udp_set_buffer_sizes(struct btt_udp *u, int sndbuf, int rcvbuf)
{
	if (u->closing)
		return BTT_EINVALID;
	return io_set_buffer_sizes((uv_handle_t *)&u->h, sndbuf, rcvbuf);
}

void btt_udp_set_arg(struct btt_udp *u, void *arg)
{
	u->arg = arg;
}
