/* The event loop: one per engine thread, owning every timer, socket,
 * signal watcher and HTTP transfer created on it (DESIGN.md "Threads").
 *
 * Threading: every function here and in the other io headers runs on the
 * loop's thread only (the one that calls btt_loop_run), except
 * btt_loop_post(), which any thread may call. Callbacks always run on the
 * loop thread, from inside btt_loop_run(), never from inside the call
 * that registered them.
 *
 * Lifetime: objects created on a loop are closed by their owner (their
 * _free or _close function); their memory is released a little later,
 * inside the loop, when libuv has finished with them. btt_loop_free()
 * closes whatever is still open without calling the owners' callbacks. */
#ifndef BTT_IO_LOOP_H
#define BTT_IO_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct btt_loop;
struct btt_pool;

typedef void (*btt_loop_fn)(void *arg);

/* Creates a loop. Returns 0 or a negative libuv error. */
int btt_loop_new(struct btt_loop **out);

/* Closes every object still open on the loop (no owner callbacks run,
 * except that calls already posted run first and write buffers lent with
 * btt_tcp_write_ref are released), detaches attached pools, and frees
 * the loop. Pointers to objects that were still open become invalid.
 * Not from inside a callback of this loop. NULL is a no-op. */
void btt_loop_free(struct btt_loop *loop);

/* Runs until btt_loop_stop() is called or nothing is left that keeps the
 * loop alive: active timers, open TCP/UDP sockets, HTTP transfers in
 * progress, or jobs of an attached pool still pending. Signal watchers
 * and the btt_loop_post() wake-up do not keep it alive. Returns 0, or 1
 * when it stopped on request with work still active. */
int btt_loop_run(struct btt_loop *loop);

/* Makes btt_loop_run() return after the current iteration. */
void btt_loop_stop(struct btt_loop *loop);

/* The loop's cached monotonic time in milliseconds (updated once per
 * iteration, so all callbacks of an iteration see the same `now`). */
uint64_t btt_loop_now_ms(const struct btt_loop *loop);

/* Refreshes the cached time (after a long computation in a callback). */
void btt_loop_update_time(struct btt_loop *loop);

/* Any thread: queues fn(arg) to run on the loop thread and wakes the
 * loop. Calls run in the order they were posted. The record is allocated
 * (out of memory aborts). Calls still queued when the loop is freed run
 * inside btt_loop_free(); no thread may post once it has started. */
void btt_loop_post(struct btt_loop *loop, btt_loop_fn fn, void *arg);

/* Runs the pool's done callbacks on this loop's thread: installs a pool
 * notifier that wakes the loop, which then calls btt_pool_poll(). The
 * pool must have been created on this thread. While the pool has jobs
 * pending, btt_loop_run() keeps running. Returns 0, BTT_EINVALID when
 * the pool is already attached, or a libuv error. */
int btt_loop_pool_attach(struct btt_loop *loop, struct btt_pool *pool);

/* Removes the notifier. Callbacks of jobs not yet polled run in a later
 * btt_pool_poll(), btt_pool_wait() or btt_pool_free(). A pool that is not
 * attached is ignored. Detach before btt_pool_free(). */
void btt_loop_pool_detach(struct btt_loop *loop, struct btt_pool *pool);

#endif
