/* Signal watchers: one or two uv_signal_t in a tracked object, freed when
 * the last of its handles has closed. libuv restores a signal's default
 * action when its last watcher stops, which is what gives the shutdown
 * watcher its "second signal kills" behaviour: the first delivery stops
 * both handles. */
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>

#include <uv.h>

#include "btt/err.h"
#include "io/io_int.h"
#include "io/signal.h"

struct btt_signal {
	struct io_obj obj; /* first: the abort hook casts back */
	uv_signal_t h[2];
	int n;	      /* handles in use */
	int open;     /* handles not yet closed */
	bool oneshot; /* stop every handle at the first delivery */
	bool closing;
	btt_signal_fn cb;
	void *arg;
};

static void signal_closed(uv_handle_t *h)
{
	struct btt_signal *s = h->data;

	if (--s->open == 0)
		free(s);
}

static void signal_close(struct btt_signal *s)
{
	io_obj_untrack(&s->obj);
	s->closing = true;
	s->open = s->n;
	for (int i = 0; i < s->n; i++)
		uv_close((uv_handle_t *)&s->h[i], signal_closed);
}

static void signal_abort(struct io_obj *obj)
{
	signal_close((struct btt_signal *)obj);
}

static void signal_cb(uv_signal_t *h, int signum)
{
	struct btt_signal *s = h->data;

	if (s->oneshot) {
		for (int i = 0; i < s->n; i++)
			uv_signal_stop(&s->h[i]);
	}
	s->cb(s, signum, s->arg);
}

static int signal_create(struct btt_loop *loop, const int *signums, int n,
			 bool oneshot, btt_signal_fn cb, void *arg,
			 struct btt_signal **out)
{
	struct btt_signal *s;
	int err = 0;

	if (!cb)
		return BTT_EINVALID;
	s = calloc(1, sizeof(*s));
	if (!s)
		abort();
	s->cb = cb;
	s->arg = arg;
	s->oneshot = oneshot;
	for (int i = 0; i < n; i++) {
		if ((err = uv_signal_init(io_loop_uv(loop), &s->h[i])) < 0)
			break;
		s->h[i].data = s;
		s->n = i + 1;
		uv_unref((uv_handle_t *)&s->h[i]);
		if ((err = uv_signal_start(&s->h[i], signal_cb, signums[i])) <
		    0)
			break;
	}
	if (err < 0 && s->n == 0) {
		free(s);
		return err;
	}
	io_obj_track(loop, &s->obj, signal_abort);
	if (err < 0) {
		signal_close(s);
		return err;
	}
	*out = s;
	return 0;
}

int btt_signal_new(struct btt_loop *loop, int signum, btt_signal_fn cb,
		   void *arg, struct btt_signal **out)
{
	return signal_create(loop, &signum, 1, false, cb, arg, out);
}

int btt_signal_shutdown_new(struct btt_loop *loop, btt_signal_fn cb, void *arg,
			    struct btt_signal **out)
{
	static const int sigs[2] = {SIGINT, SIGTERM};

	return signal_create(loop, sigs, 2, true, cb, arg, out);
}

void btt_signal_free(struct btt_signal *s)
{
	if (s && !s->closing)
		signal_close(s);
}
