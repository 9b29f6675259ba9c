/* A worker pool of our own, sized explicitly, for pure jobs on copied
 * inputs: piece hashing, file reads for hashing, later signature batches
 * and erasure coding.
 *
 * Jobs run `work(arg)` on a worker thread. Their `done(arg)` callbacks run
 * on the owner's thread (the one that created the pool), only inside
 * btt_pool_poll()/btt_pool_wait(), in completion order. Two priorities:
 * BTT_POOL_HIGH jobs (disk reads a peer waits on) are always taken before
 * BTT_POOL_LOW jobs (bulk hashing), so hashing cannot starve them.
 *
 * An event loop integrates the pool by installing a notifier, called from a
 * worker each time a completion is queued (e.g. uv_async_send), and calling
 * btt_pool_poll() from the loop. */
#ifndef BTT_IO_POOL_H
#define BTT_IO_POOL_H

#include <stddef.h>

struct btt_pool;

enum btt_pool_prio {
	BTT_POOL_HIGH = 0,
	BTT_POOL_LOW = 1,
};

typedef void (*btt_pool_work_fn)(void *arg);
typedef void (*btt_pool_done_fn)(void *arg);
typedef void (*btt_pool_notify_fn)(void *notify_arg);

/* Number of online CPUs (at least 1). */
unsigned btt_pool_cpus(void);

#define BTT_POOL_MAX_THREADS 64

/* Creates a pool of `threads` workers (1..BTT_POOL_MAX_THREADS). Returns 0,
 * BTT_EINVALID for a count out of range, or a libuv error when a thread cannot
 * be started. The calling thread becomes the owner. */
int btt_pool_new(unsigned threads, struct btt_pool **out);

/* Waits for queued and running jobs, runs their done callbacks, joins the
 * workers and frees the pool. NULL is a no-op. Owner thread only. */
void btt_pool_free(struct btt_pool *pool);

/* Queues a job. `done` may be NULL. Owner thread only. Never fails: the
 * job record is allocated and out of memory aborts. */
void btt_pool_submit(struct btt_pool *pool, enum btt_pool_prio prio,
		     btt_pool_work_fn work, btt_pool_done_fn done, void *arg);

/* Runs the done callbacks of finished jobs without blocking. Returns how
 * many ran. Owner thread only. */
unsigned btt_pool_poll(struct btt_pool *pool);

/* Blocks until at least one job has finished (unless none are pending),
 * then runs the finished jobs' callbacks. Returns how many ran. */
unsigned btt_pool_wait(struct btt_pool *pool);

/* Jobs submitted whose done callback has not run yet. */
size_t btt_pool_pending(const struct btt_pool *pool);

/* Installs (fn) or removes (NULL) the notifier. It runs on a worker, with
 * the pool's lock held, once per finished job: it must be quick and must
 * not call into the pool. Once this returns the previous notifier is not
 * called again. Owner thread. */
void btt_pool_set_notify(struct btt_pool *pool, btt_pool_notify_fn fn,
			 void *notify_arg);

unsigned btt_pool_threads(const struct btt_pool *pool);

#endif
