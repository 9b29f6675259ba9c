/* Worker pools on the loop: a pool's notifier (run on a worker) sends an
 * async handle, whose callback polls the pool on the loop thread.
 *
 * Each attached pool has one link with its own async handle. The handle
 * is referenced only while the pool has jobs pending, so btt_loop_run
 * neither returns while a completion is due nor runs forever once the
 * pool is idle; io_pool_refresh recomputes that before and after every
 * poll of the loop and after every batch of completions. A link is freed
 * in its handle's close callback, after the notifier is removed (the pool
 * guarantees the old notifier is not called once set_notify returns). */
#include <stdlib.h>

#include <uv.h>

#include "btt/err.h"
#include "io/io_int.h"
#include "io/loop.h"
#include "io/pool.h"

struct io_pool_link {
	struct io_pool_link *next;
	struct btt_loop *loop;
	struct btt_pool *pool;
	uv_async_t async;
};

static void pool_notify(void *arg)
{
	struct io_pool_link *l = arg;

	uv_async_send(&l->async);
}

static void pool_async_cb(uv_async_t *a)
{
	struct io_pool_link *l = a->data;

	/* A done callback may detach this pool: the link then has no pool
	 * but stays allocated until its close callback. */
	if (l->pool)
		btt_pool_poll(l->pool);
	if (l->pool)
		io_pool_refresh(l->loop);
}

void io_pool_refresh(struct btt_loop *loop)
{
	for (struct io_pool_link *l = *io_loop_pools(loop); l; l = l->next) {
		if (btt_pool_pending(l->pool))
			uv_ref((uv_handle_t *)&l->async);
		else
			uv_unref((uv_handle_t *)&l->async);
	}
}

int btt_loop_pool_attach(struct btt_loop *loop, struct btt_pool *pool)
{
	struct io_pool_link **head = io_loop_pools(loop);
	struct io_pool_link *l;
	int err;

	for (l = *head; l; l = l->next)
		if (l->pool == pool)
			return BTT_EINVALID;
	l = calloc(1, sizeof(*l));
	if (!l)
		abort();
	if ((err = uv_async_init(io_loop_uv(loop), &l->async, pool_async_cb)) <
	    0) {
		free(l);
		return err;
	}
	l->async.data = l;
	l->loop = loop;
	l->pool = pool;
	l->next = *head;
	*head = l;
	btt_pool_set_notify(pool, pool_notify, l);
	io_pool_refresh(loop);
	/* Completions that finished before the notifier was installed. */
	uv_async_send(&l->async);
	return 0;
}

static void link_closed(uv_handle_t *h)
{
	free(h->data);
}

static void link_close(struct io_pool_link *l)
{
	btt_pool_set_notify(l->pool, NULL, NULL);
	l->pool = NULL;
	uv_close((uv_handle_t *)&l->async, link_closed);
}

void btt_loop_pool_detach(struct btt_loop *loop, struct btt_pool *pool)
{
	struct io_pool_link **pp = io_loop_pools(loop);

	for (; *pp; pp = &(*pp)->next) {
		struct io_pool_link *l = *pp;

		if (l->pool == pool) {
			*pp = l->next;
			link_close(l);
			return;
		}
	}
}

void io_pool_detach_all(struct btt_loop *loop)
{
	struct io_pool_link **head = io_loop_pools(loop);

	while (*head) {
		struct io_pool_link *l = *head;

		*head = l->next;
		link_close(l);
	}
}
