/* Worker pool: ordering, priorities, poll/wait, shutdown, stress. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "btt/err.h"
#include "io/pool.h"

/* A gate that a job blocks on until the test opens it. */
struct gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool started;
	bool open;
};

static void gate_init(struct gate *g)
{
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	g->started = false;
	g->open = false;
}

static void gate_release(struct gate *g)
{
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
}

static void gate_block_work(void *arg)
{
	struct gate *g = arg;
	pthread_mutex_lock(&g->mu);
	g->started = true;
	pthread_cond_broadcast(&g->cv);
	while (!g->open)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
}

static void gate_wait_started(struct gate *g)
{
	pthread_mutex_lock(&g->mu);
	while (!g->started)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
}

static void gate_open(struct gate *g)
{
	pthread_mutex_lock(&g->mu);
	g->open = true;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

/* A log of which job ran (work) and completed (done), and where. */
struct trace {
	atomic_int work_seq;
	int work_order[64];
	int done_order[64];
	int ndone;
	pthread_t owner;
	bool done_off_owner;
	bool work_on_owner;
};

struct tjob {
	struct trace *t;
	int id;
};

static void trace_work(void *arg)
{
	struct tjob *j = arg;
	int slot = atomic_fetch_add(&j->t->work_seq, 1);
	if (pthread_equal(pthread_self(), j->t->owner))
		j->t->work_on_owner = true;
	j->t->work_order[slot] = j->id;
}

static void trace_done(void *arg)
{
	struct tjob *j = arg;
	if (!pthread_equal(pthread_self(), j->t->owner))
		j->t->done_off_owner = true;
	j->t->done_order[j->t->ndone++] = j->id;
}

static void test_pool_new_thread_limits(void **state)
{
	struct btt_pool *p = NULL;
	(void)state;

	assert_int_equal(btt_pool_new(0, &p), BTT_EINVALID);
	assert_int_equal(btt_pool_new(65, &p), BTT_EINVALID);
	assert_null(p);
	assert_int_equal(btt_pool_new(63, &p), 0);
	assert_int_equal(btt_pool_threads(p), 63);
	btt_pool_free(p);
	assert_int_equal(btt_pool_new(64, &p), 0);
	assert_int_equal(btt_pool_threads(p), 64);
	btt_pool_free(p);
	assert_int_equal(btt_pool_new(1, &p), 0);
	assert_int_equal(btt_pool_threads(p), 1);
	btt_pool_free(p);
	btt_pool_free(NULL);
	assert_true(btt_pool_cpus() >= 1);
}

static void test_pool_done_in_order_on_owner(void **state)
{
	static struct trace t;
	struct tjob jobs[64];
	struct btt_pool *p;
	(void)state;

	t = (struct trace){.owner = pthread_self()};
	assert_int_equal(btt_pool_new(1, &p), 0);
	for (int i = 0; i < 64; i++) {
		jobs[i] = (struct tjob){&t, i};
		btt_pool_submit(p, BTT_POOL_LOW, trace_work, trace_done,
				&jobs[i]);
	}
	while (btt_pool_pending(p))
		btt_pool_wait(p);
	assert_int_equal(t.ndone, 64);
	for (int i = 0; i < 64; i++) {
		assert_int_equal(t.work_order[i], i);
		assert_int_equal(t.done_order[i], i);
	}
	assert_false(t.done_off_owner);
	assert_false(t.work_on_owner);
	btt_pool_free(p);
}

static void test_pool_high_runs_before_low(void **state)
{
	static struct trace t;
	struct tjob jobs[4];
	struct gate g;
	struct btt_pool *p;
	static const int want[4] = {2, 3, 0, 1};
	(void)state;

	t = (struct trace){.owner = pthread_self()};
	gate_init(&g);
	assert_int_equal(btt_pool_new(1, &p), 0);
	btt_pool_submit(p, BTT_POOL_LOW, gate_block_work, NULL, &g);
	gate_wait_started(&g);
	/* The only worker is blocked: these four queue up. */
	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct tjob){&t, i};
		btt_pool_submit(p, i < 2 ? BTT_POOL_LOW : BTT_POOL_HIGH,
				trace_work, trace_done, &jobs[i]);
	}
	assert_int_equal(btt_pool_pending(p), 5);
	gate_open(&g);
	while (btt_pool_pending(p))
		btt_pool_wait(p);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(t.work_order[i], want[i]);
		assert_int_equal(t.done_order[i], want[i]);
	}
	btt_pool_free(p);
	gate_release(&g);
}

static void test_pool_poll_does_not_block_wait_does(void **state)
{
	struct gate g;
	struct btt_pool *p;
	unsigned ran = 0;
	(void)state;

	gate_init(&g);
	assert_int_equal(btt_pool_new(2, &p), 0);
	assert_int_equal(btt_pool_poll(p), 0);
	assert_int_equal(btt_pool_wait(p), 0); /* nothing pending: returns */
	btt_pool_submit(p, BTT_POOL_LOW, gate_block_work, NULL, &g);
	gate_wait_started(&g);
	/* The job cannot finish while the gate is shut. */
	assert_int_equal(btt_pool_poll(p), 0);
	assert_int_equal(btt_pool_pending(p), 1);
	gate_open(&g);
	assert_int_equal(btt_pool_wait(p), 1);
	assert_int_equal(btt_pool_pending(p), 0);
	gate_release(&g);

	/* Poll eventually sees a finished job without blocking. */
	gate_init(&g);
	g.open = true;
	btt_pool_submit(p, BTT_POOL_HIGH, gate_block_work, NULL, &g);
	while (!ran) {
		ran = btt_pool_poll(p);
		if (!ran)
			sched_yield();
	}
	assert_int_equal(ran, 1);
	assert_int_equal(btt_pool_pending(p), 0);
	btt_pool_free(p);
	gate_release(&g);
}

static void count_done(void *arg)
{
	(*(int *)arg)++;
}

static void nop_work(void *arg)
{
	(void)arg;
}

static void test_pool_pending_counts(void **state)
{
	struct gate g;
	struct btt_pool *p;
	int done = 0;
	(void)state;

	gate_init(&g);
	assert_int_equal(btt_pool_new(1, &p), 0);
	assert_int_equal(btt_pool_pending(p), 0);
	btt_pool_submit(p, BTT_POOL_LOW, gate_block_work, NULL, &g);
	for (int i = 0; i < 10; i++)
		btt_pool_submit(p, i & 1 ? BTT_POOL_HIGH : BTT_POOL_LOW,
				nop_work, count_done, &done);
	assert_int_equal(btt_pool_pending(p), 11);
	gate_open(&g);
	while (btt_pool_pending(p))
		btt_pool_wait(p);
	assert_int_equal(done, 10);
	assert_int_equal(btt_pool_pending(p), 0);
	btt_pool_free(p);
	gate_release(&g);
}

struct chain {
	struct btt_pool *p;
	int left;
	atomic_int worked;
};

static void chain_work(void *arg)
{
	struct chain *c = arg;
	atomic_fetch_add(&c->worked, 1);
}

/* A done callback that queues the next job: the pool must accept it. */
static void chain_done(void *arg)
{
	struct chain *c = arg;
	if (c->left-- > 0)
		btt_pool_submit(c->p, BTT_POOL_LOW, chain_work, chain_done, c);
}

static void test_pool_done_may_submit(void **state)
{
	struct chain c = {.left = 50};
	(void)state;

	assert_int_equal(btt_pool_new(2, &c.p), 0);
	btt_pool_submit(c.p, BTT_POOL_LOW, chain_work, chain_done, &c);
	while (btt_pool_pending(c.p))
		btt_pool_wait(c.p);
	assert_int_equal(atomic_load(&c.worked), 51);
	assert_int_equal(c.left, -1);
	/* free also drains chains started just before it */
	c.left = 20;
	btt_pool_submit(c.p, BTT_POOL_LOW, chain_work, chain_done, &c);
	btt_pool_free(c.p);
	assert_int_equal(atomic_load(&c.worked), 72);
}

struct counters {
	atomic_long work;
	long done;
};

static void count_work(void *arg)
{
	struct counters *c = arg;
	atomic_fetch_add(&c->work, 1);
}

static void count_done2(void *arg)
{
	struct counters *c = arg;
	c->done++;
}

static void test_pool_free_runs_queued_jobs(void **state)
{
	struct counters c = {0};
	struct btt_pool *p;
	struct gate g;
	(void)state;

	gate_init(&g);
	assert_int_equal(btt_pool_new(2, &p), 0);
	btt_pool_submit(p, BTT_POOL_LOW, gate_block_work, NULL, &g);
	for (int i = 0; i < 1000; i++)
		btt_pool_submit(p, i % 3 ? BTT_POOL_LOW : BTT_POOL_HIGH,
				count_work, count_done2, &c);
	gate_open(&g);
	btt_pool_free(p);
	assert_int_equal(atomic_load(&c.work), 1000);
	assert_int_equal(c.done, 1000);
	gate_release(&g);
}

static void notify_count(void *arg)
{
	atomic_fetch_add((atomic_int *)arg, 1);
}

static void test_pool_notify_per_completion(void **state)
{
	struct counters c = {0};
	atomic_int notes = 0;
	struct btt_pool *p;
	(void)state;

	assert_int_equal(btt_pool_new(2, &p), 0);
	btt_pool_set_notify(p, notify_count, &notes);
	for (int i = 0; i < 100; i++)
		btt_pool_submit(p, BTT_POOL_LOW, count_work, count_done2, &c);
	while (btt_pool_pending(p))
		btt_pool_wait(p);
	assert_int_equal(atomic_load(&notes), 100);
	btt_pool_set_notify(p, NULL, NULL);
	for (int i = 0; i < 10; i++)
		btt_pool_submit(p, BTT_POOL_LOW, count_work, NULL, &c);
	while (btt_pool_pending(p))
		btt_pool_wait(p);
	assert_int_equal(atomic_load(&notes), 100);
	assert_int_equal(atomic_load(&c.work), 110);
	assert_int_equal(c.done, 100);
	btt_pool_free(p);
}

static void test_pool_stress_100k_tiny_jobs(void **state)
{
	struct counters c = {0};
	struct btt_pool *p;
	unsigned threads = btt_pool_cpus() < 4 ? 4 : btt_pool_cpus();
	long ran = 0;
	(void)state;

	assert_int_equal(btt_pool_new(threads, &p), 0);
	for (int i = 0; i < 100000; i++) {
		btt_pool_submit(p, i & 7 ? BTT_POOL_LOW : BTT_POOL_HIGH,
				count_work, count_done2, &c);
		if ((i & 1023) == 0)
			ran += btt_pool_poll(p);
	}
	while (btt_pool_pending(p))
		ran += btt_pool_wait(p);
	assert_int_equal(ran, 100000);
	assert_int_equal(c.done, 100000);
	assert_int_equal(atomic_load(&c.work), 100000);
	btt_pool_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_new_thread_limits),
		cmocka_unit_test(test_pool_done_in_order_on_owner),
		cmocka_unit_test(test_pool_high_runs_before_low),
		cmocka_unit_test(test_pool_poll_does_not_block_wait_does),
		cmocka_unit_test(test_pool_pending_counts),
		cmocka_unit_test(test_pool_done_may_submit),
		cmocka_unit_test(test_pool_free_runs_queued_jobs),
		cmocka_unit_test(test_pool_notify_per_completion),
		cmocka_unit_test(test_pool_stress_100k_tiny_jobs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
