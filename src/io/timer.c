/* Timers: a uv_timer_t inside a tracked object. The object is freed only
 * in the handle's close callback, so freeing a timer from its own
 * callback is safe: uv_close stops it at once and libuv never calls the
 * timer callback of a closing handle. */
#include <stdlib.h>

#include <uv.h>

#include "io/io_int.h"
#include "io/timer.h"

struct btt_timer {
	struct io_obj obj; /* first: the abort hook casts back */
	uv_timer_t h;
	btt_timer_fn cb;
	void *arg;
};

static void timer_cb(uv_timer_t *h)
{
	struct btt_timer *t = h->data;

	t->cb(t, t->arg);
}

static void timer_closed(uv_handle_t *h)
{
	free(h->data);
}

static void timer_close(struct btt_timer *t)
{
	io_obj_untrack(&t->obj);
	uv_close((uv_handle_t *)&t->h, timer_closed);
}

static void timer_abort(struct io_obj *obj)
{
	timer_close((struct btt_timer *)obj);
}

int btt_timer_new(struct btt_loop *loop, btt_timer_fn cb, void *arg,
		  struct btt_timer **out)
{
	struct btt_timer *t = calloc(1, sizeof(*t));
	int err;

	if (!t)
		abort();
	if ((err = uv_timer_init(io_loop_uv(loop), &t->h)) < 0) {
		free(t);
		return err;
	}
	t->h.data = t;
	t->cb = cb;
	t->arg = arg;
	io_obj_track(loop, &t->obj, timer_abort);
	*out = t;
	return 0;
}

void btt_timer_free(struct btt_timer *t)
{
	if (t && !uv_is_closing((uv_handle_t *)&t->h))
		timer_close(t);
}

void btt_timer_start(struct btt_timer *t, uint64_t timeout_ms,
		     uint64_t repeat_ms)
{
	/* Fails only on a closing handle, where there is nothing to arm. */
	(void)uv_timer_start(&t->h, timer_cb, timeout_ms, repeat_ms);
}

void btt_timer_stop(struct btt_timer *t)
{
	uv_timer_stop(&t->h);
}

bool btt_timer_active(const struct btt_timer *t)
{
	return uv_is_active((const uv_handle_t *)&t->h) != 0;
}

void btt_timer_set_arg(struct btt_timer *t, void *arg)
{
	t->arg = arg;
}
