/* The loop: run/stop, cached time, calls posted from other threads, pool
 * completions on the loop thread, and freeing a loop with every kind of
 * object still open. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "io/http.h"
#include "io/loop.h"
#include "io/pool.h"
#include "io/signal.h"
#include "io/tcp.h"
#include "io/timer.h"
#include "io/udp.h"
#include "io_test.h"

static void test_loop_run_empty_returns(void **state)
{
	struct btt_loop *loop;

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	assert_int_equal(btt_loop_run(loop), 0);
	btt_loop_free(loop);
	btt_loop_free(NULL);
}

static void stop_cb(struct btt_timer *t, void *arg)
{
	(void)t;
	btt_loop_stop(arg);
}

static void test_loop_stop_with_active_work(void **state)
{
	struct btt_loop *loop;
	struct btt_timer *t;

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	assert_int_equal(btt_timer_new(loop, stop_cb, loop, &t), 0);
	btt_timer_start(t, 1, 1); /* repeating: still active when stopped */
	assert_int_equal(btt_loop_run(loop), 1);
	btt_timer_stop(t);
	assert_int_equal(btt_loop_run(loop), 0);
	btt_timer_free(t);
	btt_loop_free(loop);
}

struct clock_probe {
	struct btt_loop *loop;
	uint64_t at;
};

static void probe_cb(struct btt_timer *t, void *arg)
{
	struct clock_probe *p = arg;

	(void)t;
	p->at = btt_loop_now_ms(p->loop);
}

static void test_loop_now_follows_timers(void **state)
{
	struct btt_loop *loop;
	struct btt_timer *t;
	struct clock_probe p = {0};
	uint64_t start;

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	p.loop = loop;
	btt_loop_update_time(loop);
	start = btt_loop_now_ms(loop);
	assert_int_equal(btt_timer_new(loop, probe_cb, &p, &t), 0);
	btt_timer_start(t, 5, 0);
	assert_int_equal(btt_loop_run(loop), 0);
	/* A timer runs only once the loop's clock has reached its due time. */
	assert_true(p.at >= start + 5);
	btt_timer_free(t);
	btt_loop_free(loop);
}

#define POSTS 2000

struct poster {
	struct btt_loop *loop;
	pthread_t loop_thread;
	unsigned next;
	bool in_order;
	bool on_loop_thread;
};

struct post_arg {
	struct poster *p;
	unsigned seq;
};

static struct post_arg post_args[POSTS];

static void posted_cb(void *arg)
{
	struct post_arg *a = arg;
	struct poster *p = a->p;

	if (a->seq != p->next)
		p->in_order = false;
	if (!pthread_equal(pthread_self(), p->loop_thread))
		p->on_loop_thread = false;
	p->next++;
	if (p->next == POSTS)
		btt_loop_stop(p->loop);
}

static void *post_thread(void *arg)
{
	struct poster *p = arg;

	for (unsigned i = 0; i < POSTS; i++) {
		post_args[i] = (struct post_arg){p, i};
		btt_loop_post(p->loop, posted_cb, &post_args[i]);
	}
	return NULL;
}

static void test_loop_post_from_other_thread(void **state)
{
	struct btt_loop *loop;
	struct poster p = {0};
	pthread_t th;

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	p.loop = loop;
	p.loop_thread = pthread_self();
	p.in_order = p.on_loop_thread = true;
	assert_int_equal(pthread_create(&th, NULL, post_thread, &p), 0);
	assert_true(io_run_bounded(loop, IO_TEST_GUARD_MS));
	pthread_join(th, NULL);
	assert_int_equal(p.next, POSTS);
	assert_true(p.in_order);
	assert_true(p.on_loop_thread);
	btt_loop_free(loop);
}

static void free_cb(void *arg)
{
	free(arg);
}

static void count_post_cb(void *arg)
{
	(*(int *)arg)++;
}

static void test_loop_free_runs_pending_posts(void **state)
{
	struct btt_loop *loop;
	int runs = 0;

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	btt_loop_post(loop, count_post_cb, &runs);
	btt_loop_post(loop, count_post_cb, &runs);
	/* Memory only the call frees is freed (ASan checks). */
	btt_loop_post(loop, free_cb, malloc(32));
	btt_loop_free(loop);
	assert_int_equal(runs, 2);
}

#define JOBS 200

struct job_state {
	pthread_t loop_thread;
	atomic_uint worked;
	unsigned done;
	bool on_loop_thread;
	struct btt_pool *pool;
	unsigned chain; /* jobs still to submit from done callbacks */
};

static void job_work(void *arg)
{
	struct job_state *s = arg;

	atomic_fetch_add(&s->worked, 1);
}

static void job_done(void *arg)
{
	struct job_state *s = arg;

	if (!pthread_equal(pthread_self(), s->loop_thread))
		s->on_loop_thread = false;
	s->done++;
	if (s->chain) {
		s->chain--;
		btt_pool_submit(s->pool, BTT_POOL_LOW, job_work, job_done, s);
	}
}

static void test_loop_pool_completions_run_on_loop(void **state)
{
	struct btt_loop *loop;
	struct btt_pool *pool;
	struct job_state s = {0};

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	assert_int_equal(btt_pool_new(2, &pool), 0);
	s.loop_thread = pthread_self();
	s.on_loop_thread = true;
	s.pool = pool;
	s.chain = 20;
	/* One job before attaching: its completion must not be lost. */
	btt_pool_submit(pool, BTT_POOL_HIGH, job_work, job_done, &s);
	assert_int_equal(btt_loop_pool_attach(loop, pool), 0);
	assert_int_equal(btt_loop_pool_attach(loop, pool), BTT_EINVALID);
	for (int i = 1; i < JOBS; i++)
		btt_pool_submit(pool, i % 2 ? BTT_POOL_LOW : BTT_POOL_HIGH,
				job_work, job_done, &s);
	/* Nothing else is on the loop: pending jobs alone keep it running,
	 * including those submitted from done callbacks, and it returns
	 * once the pool is idle. */
	assert_int_equal(btt_loop_run(loop), 0);
	assert_int_equal(s.done, JOBS + 20);
	assert_int_equal(atomic_load(&s.worked), JOBS + 20);
	assert_true(s.on_loop_thread);
	assert_int_equal(btt_pool_pending(pool), 0);
	btt_loop_pool_detach(loop, pool);
	btt_loop_pool_detach(loop, pool); /* not attached: ignored */
	btt_pool_free(pool);
	btt_loop_free(loop);
}

static void test_loop_pool_detached_by_free(void **state)
{
	struct btt_loop *loop;
	struct btt_pool *pool;
	struct job_state s = {0};

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	assert_int_equal(btt_pool_new(1, &pool), 0);
	s.loop_thread = pthread_self();
	s.on_loop_thread = true;
	assert_int_equal(btt_loop_pool_attach(loop, pool), 0);
	btt_pool_submit(pool, BTT_POOL_LOW, job_work, job_done, &s);
	btt_loop_free(loop);
	/* The notifier is gone; the pool still completes its job. */
	btt_pool_free(pool);
	assert_int_equal(s.done, 1);
}

/* Everything open at once, then the loop is freed: no owner callback runs
 * and nothing leaks (the sanitizer build checks). */
struct open_all {
	struct btt_loop *loop;
	struct btt_tcp *client;
	struct btt_tcp *server;
	int callbacks;
	int releases;
};

static void oa_read(struct btt_tcp *c, const uint8_t *d, size_t n, void *arg)
{
	struct open_all *o = arg;

	(void)c;
	(void)d;
	(void)n;
	o->callbacks++;
}

static void oa_error(struct btt_tcp *c, int err, void *arg)
{
	struct open_all *o = arg;

	(void)c;
	(void)err;
	o->callbacks++;
}

static void oa_connect(struct btt_tcp *c, void *arg)
{
	struct open_all *o = arg;

	(void)c;
	if (o->server)
		btt_loop_stop(o->loop);
}

static const struct btt_tcp_ops oa_ops = {
	.on_connect = oa_connect,
	.on_read = oa_read,
	.on_error = oa_error,
};

static void oa_accept(struct btt_tcp_listener *l, int status, struct btt_tcp *c,
		      void *arg)
{
	struct open_all *o = arg;

	(void)l;
	assert_int_equal(status, 0);
	if (o->server) {
		/* The HTTP client's connection: left open, never answered. */
		assert_int_equal(btt_tcp_start(c, &oa_ops, o), 0);
		return;
	}
	o->server = c;
	assert_int_equal(btt_tcp_start(c, &oa_ops, o), 0);
	btt_tcp_read_pause(c);
	btt_loop_stop(o->loop);
}

static void oa_release(void *arg)
{
	struct open_all *o = arg;

	o->releases++;
}

static void oa_http(void *arg, int err, int status, const uint8_t *body,
		    size_t len, const char *msg)
{
	struct open_all *o = arg;

	(void)err;
	(void)status;
	(void)body;
	(void)len;
	(void)msg;
	o->callbacks++;
}

static void oa_udp(struct btt_udp *u, const struct btt_addr *from,
		   const uint8_t *d, size_t n, void *arg)
{
	(void)u;
	(void)from;
	(void)d;
	(void)n;
	((struct open_all *)arg)->callbacks++;
}

static void oa_signal(struct btt_signal *s, int signum, void *arg)
{
	(void)s;
	(void)signum;
	((struct open_all *)arg)->callbacks++;
}

static void oa_timer(struct btt_timer *t, void *arg)
{
	(void)t;
	((struct open_all *)arg)->callbacks++;
}

static void test_loop_free_with_everything_open(void **state)
{
	static uint8_t big[4u << 20];
	struct btt_loop *loop;
	struct btt_tcp_listener *l;
	struct btt_udp *u;
	struct btt_signal *sig;
	struct btt_timer *t;
	struct btt_pool *pool;
	struct btt_addr a = io_loopback(0);
	struct open_all o = {0};
	char url[64];

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	o.loop = loop;
	assert_int_equal(btt_tcp_listen(loop, &a, 0, oa_accept, &o, &l), 0);
	a = io_loopback(btt_tcp_listener_port(l));
	assert_int_equal(
		btt_tcp_connect(loop, &a, 5000, &oa_ops, &o, &o.client), 0);
	assert_true(io_run_bounded(loop, IO_TEST_GUARD_MS));
	assert_non_null(o.server);
	/* More than the socket buffers hold: some stays queued. */
	assert_int_equal(
		btt_tcp_write_ref(o.client, big, sizeof(big), oa_release, &o),
		0);
	assert_int_equal(btt_tcp_write(o.client, big, 1000), 0);
	assert_true(btt_tcp_write_queued(o.client) > 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/hang",
		 (unsigned)a.port);
	assert_int_equal(
		btt_http_get(loop, url, 60000, 1000, oa_http, &o, NULL), 0);
	assert_int_equal(
		btt_udp_bind(loop, &(struct btt_addr){0}, oa_udp, &o, &u),
		BTT_EINVALID);
	a = io_loopback(0);
	assert_int_equal(btt_udp_bind(loop, &a, oa_udp, &o, &u), 0);
	assert_int_equal(btt_signal_new(loop, SIGUSR2, oa_signal, &o, &sig), 0);
	assert_int_equal(btt_timer_new(loop, oa_timer, &o, &t), 0);
	btt_timer_start(t, 60000, 0);
	assert_int_equal(btt_pool_new(1, &pool), 0);
	assert_int_equal(btt_loop_pool_attach(loop, pool), 0);
	/* Let the HTTP request reach the listener. */
	btt_timer_start(t, 50, 0);
	btt_timer_set_arg(t, &o);
	io_run_bounded(loop, 100);
	o.callbacks = 0;
	btt_loop_free(loop);
	assert_int_equal(o.callbacks, 0);
	assert_int_equal(o.releases, 1);
	btt_pool_free(pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loop_run_empty_returns),
		cmocka_unit_test(test_loop_stop_with_active_work),
		cmocka_unit_test(test_loop_now_follows_timers),
		cmocka_unit_test(test_loop_post_from_other_thread),
		cmocka_unit_test(test_loop_free_runs_pending_posts),
		cmocka_unit_test(test_loop_pool_completions_run_on_loop),
		cmocka_unit_test(test_loop_pool_detached_by_free),
		cmocka_unit_test(test_loop_free_with_everything_open),
	};

	alarm(IO_TEST_ALARM_S);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
