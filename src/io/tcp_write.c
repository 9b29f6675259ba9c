/* The TCP write path and its backpressure.
 *
 * A write first tries the socket directly (uv_try_write) when nothing is
 * queued, so in the common case the caller's bytes go to the kernel with
 * no copy of ours. The rest is queued: copied into 64 KiB segments (small
 * writes fill the tail segment) or referenced. At most one uv_write is in
 * flight, carrying up to IO_WRITE_BATCH segments as one writev; writes
 * made meanwhile queue behind it and go in the next batch. Segments are
 * recycled through a per-loop cache, so a steady stream of writes does
 * not allocate.
 *
 * Queued bytes = our queue + what libuv still holds of the batch in
 * flight (uv_stream_get_write_queue_size). on_drain is armed when a write
 * leaves that at or above the high-water mark and runs once it is at or
 * below the low-water mark after a batch completes. */
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "btt/err.h"
#include "io/tcp_int.h"

static struct io_seg *seg_get_copy(struct btt_loop *loop)
{
	unsigned *n;
	struct io_seg **cache = io_loop_seg_cache(loop, &n);
	struct io_seg *s = *cache;

	if (s) {
		*cache = s->next;
		(*n)--;
	} else {
		s = malloc(sizeof(*s));
		if (!s || !(s->mem = malloc(IO_SEG_SIZE)))
			abort();
	}
	s->next = NULL;
	s->data = s->mem;
	s->len = 0;
	s->release = NULL;
	s->release_arg = NULL;
	return s;
}

static struct io_seg *seg_get_ref(const void *data, size_t len,
				  btt_tcp_release_fn release, void *arg)
{
	struct io_seg *s = malloc(sizeof(*s));

	if (!s)
		abort();
	s->next = NULL;
	s->data = data;
	s->len = len;
	s->mem = NULL;
	s->release = release;
	s->release_arg = arg;
	return s;
}

static void seg_put(struct btt_loop *loop, struct io_seg *s)
{
	unsigned *n;
	struct io_seg **cache;

	if (!s->mem) {
		s->release(s->release_arg);
		free(s);
		return;
	}
	cache = io_loop_seg_cache(loop, &n);
	if (*n >= IO_SEG_CACHE_MAX) {
		free(s->mem);
		free(s);
		return;
	}
	s->next = *cache;
	*cache = s;
	(*n)++;
}

static void seg_list_put(struct btt_loop *loop, struct io_seg *s)
{
	while (s) {
		struct io_seg *next = s->next;

		seg_put(loop, s);
		s = next;
	}
}

void io_seg_cache_release(struct btt_loop *loop)
{
	unsigned *n;
	struct io_seg **cache = io_loop_seg_cache(loop, &n);

	while (*cache) {
		struct io_seg *s = *cache;

		*cache = s->next;
		free(s->mem);
		free(s);
	}
	*n = 0;
}

void tcp_queue_release(struct btt_tcp *c)
{
	struct io_seg *q = c->q_head, *f = c->inflight;

	c->q_head = c->q_tail = c->inflight = NULL;
	c->q_bytes = 0;
	seg_list_put(c->loop, f);
	seg_list_put(c->loop, q);
}

static void queue_append(struct btt_tcp *c, struct io_seg *s)
{
	if (c->q_tail)
		c->q_tail->next = s;
	else
		c->q_head = s;
	c->q_tail = s;
}

static void queue_copy(struct btt_tcp *c, const uint8_t *p, size_t n)
{
	while (n) {
		struct io_seg *t = c->q_tail;
		size_t k;

		if (!t || !t->mem || t->len == IO_SEG_SIZE) {
			t = seg_get_copy(c->loop);
			queue_append(c, t);
		}
		k = IO_SEG_SIZE - t->len;
		if (k > n)
			k = n;
		memcpy(t->mem + t->len, p, k);
		t->len += k;
		p += k;
		n -= k;
	}
}

static void write_cb(uv_write_t *req, int status);

/* Hands the head of the queue to libuv as one batch. */
static int flush_queue(struct btt_tcp *c)
{
	uv_buf_t bufs[IO_WRITE_BATCH];
	struct io_seg *s, *last = NULL;
	unsigned n = 0;
	int err;

	for (s = c->q_head; s && n < IO_WRITE_BATCH; s = s->next) {
		/* Not uv_buf_init: its length is an unsigned int. */
		bufs[n].base = (char *)s->data;
		bufs[n++].len = s->len;
		c->q_bytes -= s->len;
		last = s;
	}
	c->inflight = c->q_head;
	c->q_head = last->next;
	last->next = NULL;
	if (!c->q_head)
		c->q_tail = NULL;
	/* On failure the batch stays in `inflight` and is released with
	 * the rest of the queue when the connection closes. */
	err = uv_write(&c->wreq, (uv_stream_t *)&c->h, bufs, n, write_cb);
	if (err < 0)
		return err;
	c->writing = true;
	return 0;
}

static void maybe_drain(struct btt_tcp *c)
{
	if (!c->drain_armed || btt_tcp_write_queued(c) > c->low)
		return;
	c->drain_armed = false;
	if (c->ops->on_drain)
		c->ops->on_drain(c, c->arg);
}

static void write_cb(uv_write_t *req, int status)
{
	struct btt_tcp *c = req->data;
	struct io_seg *done = c->inflight;
	int err;

	c->writing = false;
	c->inflight = NULL;
	seg_list_put(c->loop, done);
	if (c->state == TCP_CLOSED)
		return;
	if (status < 0) {
		tcp_fail(c, status);
		return;
	}
	if (c->q_head) {
		if ((err = flush_queue(c)) < 0) {
			tcp_fail(c, err);
			return;
		}
	} else if (c->state == TCP_FLUSHING) {
		tcp_begin_shutdown(c);
		return;
	}
	if (c->state == TCP_OPEN || c->state == TCP_CONNECTING)
		maybe_drain(c);
}

static int write_check(const struct btt_tcp *c)
{
	if (c->state == TCP_FAILED)
		return c->err;
	if (c->state == TCP_OPEN || c->state == TCP_CONNECTING)
		return 0;
	return BTT_EINVALID;
}

/* Sends what the kernel takes now; returns how many bytes it took. */
static size_t try_direct(struct btt_tcp *c, const uint8_t *p, size_t n)
{
	uv_buf_t b;
	int r;

	if (c->writing || c->q_head || c->state != TCP_OPEN)
		return 0;
	b.base = (char *)p;
	b.len = n;
	r = uv_try_write((uv_stream_t *)&c->h, &b, 1);
	/* On a hard error the bytes are queued anyway: uv_write meets the
	 * same error and reports it from its callback, never from here. */
	return r > 0 ? (size_t)r : 0;
}

static int tcp_write(struct btt_tcp *c, const uint8_t *p, size_t n,
		     btt_tcp_release_fn release, void *release_arg)
{
	size_t sent;
	int err;

	if ((err = write_check(c)) < 0)
		return err;
	sent = try_direct(c, p, n);
	if (sent == n) {
		if (release)
			release(release_arg);
		return 0;
	}
	p += sent;
	n -= sent;
	if (release)
		queue_append(c, seg_get_ref(p, n, release, release_arg));
	else
		queue_copy(c, p, n);
	c->q_bytes += n;
	if (!c->writing && (err = flush_queue(c)) < 0) {
		tcp_fail_later(c, err);
		return 0;
	}
	if (btt_tcp_write_queued(c) >= c->high)
		c->drain_armed = true;
	return 0;
}

int btt_tcp_write(struct btt_tcp *c, const void *data, size_t len)
{
	return tcp_write(c, data, len, NULL, NULL);
}

int btt_tcp_write_ref(struct btt_tcp *c, const void *data, size_t len,
		      btt_tcp_release_fn release, void *release_arg)
{
	if (!release)
		return BTT_EINVALID;
	return tcp_write(c, data, len, release, release_arg);
}

size_t btt_tcp_write_queued(const struct btt_tcp *c)
{
	if (c->state == TCP_CLOSED)
		return 0;
	return c->q_bytes +
	       uv_stream_get_write_queue_size((const uv_stream_t *)&c->h);
}

bool btt_tcp_write_full(const struct btt_tcp *c)
{
	return btt_tcp_write_queued(c) >= c->high;
}

int btt_tcp_set_watermarks(struct btt_tcp *c, size_t high, size_t low)
{
	if (high == 0 || low > high)
		return BTT_EINVALID;
	c->high = high;
	c->low = low;
	return 0;
}

static void shutdown_cb(uv_shutdown_t *req, int status)
{
	(void)status;
	tcp_hard_close(req->data);
}

void tcp_begin_shutdown(struct btt_tcp *c)
{
	if (c->shutting)
		return;
	c->shutting = true;
	if (uv_shutdown(&c->sreq, (uv_stream_t *)&c->h, shutdown_cb) < 0)
		tcp_hard_close(c);
}
