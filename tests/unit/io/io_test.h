/* Helpers for the io tests: a guard timer so every loop run ends, and the
 * loopback address. Every test stops its loop itself when it is done; the
 * guard only turns a hang into a failure. Included by test_*.c in
 * tests/unit/io only, after cmocka. */
#ifndef BTT_TEST_IO_TEST_H
#define BTT_TEST_IO_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include "io/addr.h"
#include "io/loop.h"
#include "io/timer.h"

/* Bounds for loop runs, far above what any test needs. */
#define IO_TEST_GUARD_MS 20000
/* A last resort: SIGALRM's default action ends a stuck binary. */
#define IO_TEST_ALARM_S 300

struct io_guard {
	struct btt_loop *loop;
	bool fired;
};

static inline void io_guard_cb(struct btt_timer *t, void *arg)
{
	struct io_guard *g = arg;

	(void)t;
	g->fired = true;
	btt_loop_stop(g->loop);
}

/* Runs the loop until a callback stops it (true), or until ms pass or
 * nothing is left to run (false when the guard fired). */
static inline bool io_run_bounded(struct btt_loop *loop, uint64_t ms)
{
	struct io_guard g = {loop, false};
	struct btt_timer *t;

	assert_int_equal(btt_timer_new(loop, io_guard_cb, &g, &t), 0);
	btt_timer_start(t, ms, 0);
	btt_loop_run(loop);
	btt_timer_free(t);
	return !g.fired;
}

static inline struct btt_addr io_loopback(uint16_t port)
{
	struct btt_addr a;

	btt_io_addr_loopback(BTT_AF_INET, port, &a);
	return a;
}

#endif
