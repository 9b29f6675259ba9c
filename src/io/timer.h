/* Timers on the loop: one-shot or repeating, with a callback and a user
 * pointer.
 *
 * A timer is created stopped. btt_timer_start() (re-)arms it: starting
 * an active timer replaces its schedule. Timers due in the same loop
 * iteration run in the order of their due times, ties in the order they
 * were started. btt_timer_free() may be called from the timer's own
 * callback (or any other); the callback never runs after it. Loop thread
 * only. */
#ifndef BTT_IO_TIMER_H
#define BTT_IO_TIMER_H

#include <stdbool.h>
#include <stdint.h>

struct btt_loop;
struct btt_timer;

typedef void (*btt_timer_fn)(struct btt_timer *t, void *arg);

/* Creates a stopped timer. Returns 0 or a negative libuv error. */
int btt_timer_new(struct btt_loop *loop, btt_timer_fn cb, void *arg,
		  struct btt_timer **out);

/* Stops the timer and releases it (memory goes in the loop's close
 * phase). NULL is a no-op. */
void btt_timer_free(struct btt_timer *t);

/* Arms the timer to fire `timeout_ms` from the loop's cached now
 * (btt_loop_now_ms), then every `repeat_ms` if that is not 0. */
void btt_timer_start(struct btt_timer *t, uint64_t timeout_ms,
		     uint64_t repeat_ms);

/* Disarms the timer; it can be started again. */
void btt_timer_stop(struct btt_timer *t);

/* True while armed (a one-shot timer is disarmed when its callback
 * starts). */
bool btt_timer_active(const struct btt_timer *t);

/* Changes the callback's user pointer. */
void btt_timer_set_arg(struct btt_timer *t, void *arg);

#endif
