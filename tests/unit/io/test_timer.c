/* Timers: ordering, one-shot and repeat, stop, re-arm, freeing from a
 * callback, and a loop freed with timers still armed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "io/loop.h"
#include "io/timer.h"
#include "io_test.h"

struct order {
	int seen[8];
	int n;
};

struct tagged {
	struct order *order;
	int tag;
};

static void record_cb(struct btt_timer *t, void *arg)
{
	struct tagged *tg = arg;

	(void)t;
	tg->order->seen[tg->order->n++] = tg->tag;
}

static void test_timer_fire_in_due_order(void **state)
{
	struct btt_loop *loop;
	struct btt_timer *t[5];
	struct order order = {{0}, 0};
	/* Due times 30, 10, 20, 10, 0 ms: ties go in start order. */
	static const uint64_t due[5] = {30, 10, 20, 10, 0};
	struct tagged tags[5];

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	for (int i = 0; i < 5; i++) {
		tags[i] = (struct tagged){&order, i};
		assert_int_equal(
			btt_timer_new(loop, record_cb, &tags[i], &t[i]), 0);
		btt_timer_start(t[i], due[i], 0);
		assert_true(btt_timer_active(t[i]));
	}
	assert_int_equal(btt_loop_run(loop), 0);
	assert_int_equal(order.n, 5);
	assert_int_equal(order.seen[0], 4);
	assert_int_equal(order.seen[1], 1);
	assert_int_equal(order.seen[2], 3);
	assert_int_equal(order.seen[3], 2);
	assert_int_equal(order.seen[4], 0);
	for (int i = 0; i < 5; i++) {
		assert_false(btt_timer_active(t[i]));
		btt_timer_free(t[i]);
	}
	btt_loop_free(loop);
}

struct stopper {
	struct btt_timer *victim;
	int fired;
};

static void stop_victim_cb(struct btt_timer *t, void *arg)
{
	struct stopper *s = arg;

	(void)t;
	btt_timer_stop(s->victim);
}

static void count_cb(struct btt_timer *t, void *arg)
{
	(void)t;
	(*(int *)arg)++;
}

static void test_timer_stop_cancels(void **state)
{
	struct btt_loop *loop;
	struct btt_timer *a, *b;
	struct stopper s = {NULL, 0};
	int victim_runs = 0;

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	assert_int_equal(btt_timer_new(loop, count_cb, &victim_runs, &b), 0);
	assert_int_equal(btt_timer_new(loop, stop_victim_cb, &s, &a), 0);
	s.victim = b;
	btt_timer_start(b, 20, 0);
	btt_timer_start(a, 1, 0);
	/* Returns once nothing is armed: the victim was disarmed. */
	assert_int_equal(btt_loop_run(loop), 0);
	assert_int_equal(victim_runs, 0);
	assert_false(btt_timer_active(b));
	/* A stopped timer can be started again. */
	btt_timer_start(b, 0, 0);
	assert_int_equal(btt_loop_run(loop), 0);
	assert_int_equal(victim_runs, 1);
	btt_timer_free(a);
	btt_timer_free(b);
	btt_loop_free(loop);
}

struct repeater {
	int runs;
	int limit;
};

static void repeat_cb(struct btt_timer *t, void *arg)
{
	struct repeater *r = arg;

	assert_true(btt_timer_active(t));
	if (++r->runs == r->limit)
		btt_timer_free(t); /* from inside its own callback */
}

static void test_timer_repeat_and_free_in_callback(void **state)
{
	struct btt_loop *loop;
	struct btt_timer *t;
	struct repeater r = {0, 5};

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	assert_int_equal(btt_timer_new(loop, repeat_cb, &r, &t), 0);
	btt_timer_start(t, 0, 1);
	/* Ends on its own once the freed timer is gone. */
	assert_int_equal(btt_loop_run(loop), 0);
	assert_int_equal(r.runs, 5);
	btt_loop_free(loop);
}

struct rearm {
	struct btt_loop *loop;
	struct btt_timer *far;
	uint64_t fired_at;
	int runs;
};

static void far_cb(struct btt_timer *t, void *arg)
{
	struct rearm *r = arg;

	(void)t;
	r->runs++;
	r->fired_at = btt_loop_now_ms(r->loop);
}

static void kick_cb(struct btt_timer *t, void *arg)
{
	struct rearm *r = arg;

	(void)t;
	/* Re-arming replaces the 60 s schedule with an immediate one. */
	btt_timer_start(r->far, 0, 0);
}

static void test_timer_rearm_replaces_schedule(void **state)
{
	struct btt_loop *loop;
	struct btt_timer *kick;
	struct rearm r = {0};
	uint64_t start;

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	r.loop = loop;
	assert_int_equal(btt_timer_new(loop, far_cb, &r, &r.far), 0);
	assert_int_equal(btt_timer_new(loop, kick_cb, &r, &kick), 0);
	start = btt_loop_now_ms(loop);
	btt_timer_start(r.far, 60000, 0);
	btt_timer_start(kick, 1, 0);
	assert_int_equal(btt_loop_run(loop), 0);
	assert_int_equal(r.runs, 1);
	assert_true(r.fired_at < start + 60000);
	assert_false(btt_timer_active(r.far));
	btt_timer_free(r.far);
	btt_timer_free(kick);
	btt_loop_free(loop);
}

struct killer {
	struct btt_timer *victim;
};

static void free_other_cb(struct btt_timer *t, void *arg)
{
	struct killer *k = arg;

	(void)t;
	btt_timer_free(k->victim);
	k->victim = NULL;
}

static void test_timer_free_other_due_same_iteration(void **state)
{
	struct btt_loop *loop;
	struct btt_timer *a, *b;
	struct killer k;
	int b_runs = 0;

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	assert_int_equal(btt_timer_new(loop, free_other_cb, &k, &a), 0);
	assert_int_equal(btt_timer_new(loop, count_cb, &b_runs, &b), 0);
	k.victim = b;
	/* Both due at once; a was started first so it runs first. */
	btt_timer_start(a, 0, 0);
	btt_timer_start(b, 0, 0);
	assert_int_equal(btt_loop_run(loop), 0);
	assert_int_equal(b_runs, 0);
	assert_null(k.victim);
	btt_timer_free(a);
	btt_timer_free(NULL);
	btt_loop_free(loop);
}

static void test_timer_loop_free_with_armed_timers(void **state)
{
	struct btt_loop *loop;
	struct btt_timer *t;
	int runs = 0;

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(btt_timer_new(loop, count_cb, &runs, &t), 0);
		btt_timer_start(t, 1000 + (uint64_t)i, i % 2 ? 5 : 0);
	}
	/* Closed quietly: no callback runs, nothing leaks (ASan). */
	btt_loop_free(loop);
	assert_int_equal(runs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timer_fire_in_due_order),
		cmocka_unit_test(test_timer_stop_cancels),
		cmocka_unit_test(test_timer_repeat_and_free_in_callback),
		cmocka_unit_test(test_timer_rearm_replaces_schedule),
		cmocka_unit_test(test_timer_free_other_due_same_iteration),
		cmocka_unit_test(test_timer_loop_free_with_armed_timers),
	};

	alarm(IO_TEST_ALARM_S);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
