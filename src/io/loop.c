/* The loop: a uv_loop_t plus what every object on it shares.
 *
 * Invariants:
 *  - `objs` lists every object whose owner has not closed it yet; closing
 *    unlinks it, so btt_loop_free aborts exactly the ones left open;
 *  - the post queue is the only state touched by other threads, always
 *    under post_mu; the async handle that drains it is unreferenced, so
 *    it never keeps btt_loop_run going on its own;
 *  - the prepare and check handles (also unreferenced) only refresh the
 *    attached pools' references, before and after each poll. */
#include <stdlib.h>

#include <uv.h>

#include "btt/err.h"
#include "core/log.h"
#include "io/io_int.h"
#include "io/loop.h"

struct post_call {
	struct post_call *next;
	btt_loop_fn fn;
	void *arg;
};

struct btt_loop {
	uv_loop_t uv;
	uv_async_t post_async;
	uv_prepare_t prepare;
	uv_check_t check;
	uv_mutex_t post_mu;
	struct post_call *post_head; /* under post_mu */
	struct post_call *post_tail; /* under post_mu */
	struct io_obj objs;	     /* list sentinel */
	struct io_pool_link *pools;
	struct io_http *http;
	struct io_seg *seg_cache;
	unsigned seg_cache_n;
	uint8_t readbuf[IO_READ_BUF_SIZE];
};

uv_loop_t *io_loop_uv(struct btt_loop *loop)
{
	return &loop->uv;
}

uint8_t *io_loop_readbuf(struct btt_loop *loop)
{
	return loop->readbuf;
}

struct io_http **io_loop_http(struct btt_loop *loop)
{
	return &loop->http;
}

struct io_pool_link **io_loop_pools(struct btt_loop *loop)
{
	return &loop->pools;
}

struct io_seg **io_loop_seg_cache(struct btt_loop *loop, unsigned **out_n)
{
	*out_n = &loop->seg_cache_n;
	return &loop->seg_cache;
}

void io_obj_track(struct btt_loop *loop, struct io_obj *obj,
		  void (*abort_fn)(struct io_obj *obj))
{
	obj->abort = abort_fn;
	obj->next = loop->objs.next;
	obj->prev = &loop->objs;
	loop->objs.next->prev = obj;
	loop->objs.next = obj;
}

void io_obj_untrack(struct io_obj *obj)
{
	if (!obj->next)
		return;
	obj->prev->next = obj->next;
	obj->next->prev = obj->prev;
	obj->next = obj->prev = NULL;
}

/* Takes the whole post queue and runs it. Returns how many calls ran. */
static unsigned run_posted(struct btt_loop *loop)
{
	struct post_call *p;
	unsigned n = 0;

	uv_mutex_lock(&loop->post_mu);
	p = loop->post_head;
	loop->post_head = loop->post_tail = NULL;
	uv_mutex_unlock(&loop->post_mu);
	while (p) {
		struct post_call *next = p->next;

		p->fn(p->arg);
		free(p);
		p = next;
		n++;
	}
	return n;
}

static void post_async_cb(uv_async_t *a)
{
	run_posted(a->data);
}

static void prepare_cb(uv_prepare_t *h)
{
	io_pool_refresh(h->data);
}

static void check_cb(uv_check_t *h)
{
	io_pool_refresh(h->data);
}

int btt_loop_new(struct btt_loop **out)
{
	struct btt_loop *loop = calloc(1, sizeof(*loop));
	int err;

	if (!loop)
		abort();
	loop->objs.next = loop->objs.prev = &loop->objs;
	if ((err = uv_loop_init(&loop->uv)) < 0)
		goto fail_loop;
	if ((err = uv_mutex_init(&loop->post_mu)) < 0)
		goto fail_mutex;
	if ((err = uv_async_init(&loop->uv, &loop->post_async, post_async_cb)) <
	    0)
		goto fail_async;
	loop->post_async.data = loop;
	uv_unref((uv_handle_t *)&loop->post_async);
	uv_prepare_init(&loop->uv, &loop->prepare);
	loop->prepare.data = loop;
	uv_prepare_start(&loop->prepare, prepare_cb);
	uv_unref((uv_handle_t *)&loop->prepare);
	uv_check_init(&loop->uv, &loop->check);
	loop->check.data = loop;
	uv_check_start(&loop->check, check_cb);
	uv_unref((uv_handle_t *)&loop->check);
	*out = loop;
	return 0;

fail_async:
	uv_mutex_destroy(&loop->post_mu);
fail_mutex:
	uv_loop_close(&loop->uv);
fail_loop:
	free(loop);
	return err;
}

static void close_stray(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h)) {
		BTT_LOG(BTT_LOG_ERROR, "io", "loop freed with a stray handle");
		uv_close(h, NULL);
	}
}

/* Runs the loop until every closing handle has finished closing. */
static void drain_closes(struct btt_loop *loop)
{
	uv_run(&loop->uv, UV_RUN_DEFAULT);
	if (uv_loop_close(&loop->uv) == UV_EBUSY) {
		uv_walk(&loop->uv, close_stray, NULL);
		uv_run(&loop->uv, UV_RUN_DEFAULT);
		uv_loop_close(&loop->uv);
	}
}

void btt_loop_free(struct btt_loop *loop)
{
	if (!loop)
		return;
	/* Posted calls may carry memory only they free; they may post more. */
	while (run_posted(loop))
		;
	io_pool_detach_all(loop);
	while (loop->objs.next != &loop->objs) {
		struct io_obj *o = loop->objs.next;

		io_obj_untrack(o);
		o->abort(o);
	}
	uv_close((uv_handle_t *)&loop->post_async, NULL);
	uv_close((uv_handle_t *)&loop->prepare, NULL);
	uv_close((uv_handle_t *)&loop->check, NULL);
	drain_closes(loop);
	run_posted(loop);
	io_seg_cache_release(loop);
	uv_mutex_destroy(&loop->post_mu);
	free(loop);
}

int btt_loop_run(struct btt_loop *loop)
{
	io_pool_refresh(loop);
	return uv_run(&loop->uv, UV_RUN_DEFAULT) ? 1 : 0;
}

void btt_loop_stop(struct btt_loop *loop)
{
	uv_stop(&loop->uv);
}

uint64_t btt_loop_now_ms(const struct btt_loop *loop)
{
	return uv_now(&loop->uv);
}

void btt_loop_update_time(struct btt_loop *loop)
{
	uv_update_time(&loop->uv);
}

void btt_loop_post(struct btt_loop *loop, btt_loop_fn fn, void *arg)
{
	struct post_call *p = malloc(sizeof(*p));

	if (!p)
		abort();
	p->next = NULL;
	p->fn = fn;
	p->arg = arg;
	uv_mutex_lock(&loop->post_mu);
	if (loop->post_tail)
		loop->post_tail->next = p;
	else
		loop->post_head = p;
	loop->post_tail = p;
	uv_mutex_unlock(&loop->post_mu);
	uv_async_send(&loop->post_async);
}
