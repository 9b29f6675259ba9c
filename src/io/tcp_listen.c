/* TCP listeners: bind, listen, and hand each accepted connection to the
 * owner's callback. The listener is freed in its handle's close callback,
 * so freeing it from inside its own accept callback is safe. */
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "btt/err.h"
#include "io/tcp_int.h"

struct btt_tcp_listener {
	struct io_obj obj; /* first: the abort hook casts back */
	struct btt_loop *loop;
	uv_tcp_t h;
	btt_tcp_accept_fn cb;
	void *arg;
	struct btt_addr addr;
};

static void listener_closed(uv_handle_t *h)
{
	free(h->data);
}

static void listener_close(struct btt_tcp_listener *l)
{
	io_obj_untrack(&l->obj);
	uv_close((uv_handle_t *)&l->h, listener_closed);
}

static void listener_abort(struct io_obj *obj)
{
	listener_close((struct btt_tcp_listener *)obj);
}

static void connection_cb(uv_stream_t *server, int status)
{
	struct btt_tcp_listener *l = server->data;
	struct btt_tcp *c = NULL;

	if (status >= 0)
		status = tcp_accept(l->loop, server, &c);
	l->cb(l, status, status < 0 ? NULL : c, l->arg);
}

static int listener_bind(struct btt_tcp_listener *l,
			 const struct sockaddr_storage *ss, int backlog)
{
	struct sockaddr_storage bound;
	int len = sizeof(bound);
	/* v6 listeners leave IPv4 to a listener of its own, so both can
	 * share a port and addresses never arrive v4-mapped. */
	unsigned flags = ss->ss_family == AF_INET6 ? UV_TCP_IPV6ONLY : 0;
	int err;

	err = uv_tcp_bind(&l->h, (const struct sockaddr *)ss, flags);
	if (err < 0)
		return err;
	/* libuv reports some bind errors (EADDRINUSE) only here. */
	err = uv_listen((uv_stream_t *)&l->h, backlog > 0 ? backlog : SOMAXCONN,
			connection_cb);
	if (err < 0)
		return err;
	err = uv_tcp_getsockname(&l->h, (struct sockaddr *)&bound, &len);
	if (err < 0)
		return err;
	return io_addr_from_sockaddr((const struct sockaddr *)&bound, &l->addr);
}

int btt_tcp_listen(struct btt_loop *loop, const struct btt_addr *addr,
		   int backlog, btt_tcp_accept_fn cb, void *arg,
		   struct btt_tcp_listener **out)
{
	struct sockaddr_storage ss;
	struct btt_tcp_listener *l;
	int err;

	if (!cb)
		return BTT_EINVALID;
	if ((err = io_addr_to_sockaddr(addr, &ss)) < 0)
		return err;
	l = calloc(1, sizeof(*l));
	if (!l)
		abort();
	if ((err = uv_tcp_init(io_loop_uv(loop), &l->h)) < 0) {
		free(l);
		return err;
	}
	l->h.data = l;
	l->loop = loop;
	l->cb = cb;
	l->arg = arg;
	io_obj_track(loop, &l->obj, listener_abort);
	if ((err = listener_bind(l, &ss, backlog)) < 0) {
		listener_close(l);
		return err;
	}
	*out = l;
	return 0;
}

void btt_tcp_listener_addr(const struct btt_tcp_listener *l,
			   struct btt_addr *out)
{
	*out = l->addr;
}

uint16_t btt_tcp_listener_port(const struct btt_tcp_listener *l)
{
	return l->addr.port;
}

void btt_tcp_listener_free(struct btt_tcp_listener *l)
{
	if (l && !uv_is_closing((uv_handle_t *)&l->h))
		listener_close(l);
}
