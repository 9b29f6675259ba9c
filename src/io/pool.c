/* The worker pool: libuv threads, one mutex and two condition variables.
 *
 * Invariants (all under pool->mu unless noted):
 *  - a job record is on exactly one of: a run queue (HIGH or LOW), a
 *    worker's hands, the done queue, or the free list;
 *  - the free list and `pending` belong to the owner thread alone (records
 *    are taken in submit and returned in poll, both owner-only), so they
 *    need no lock;
 *  - workers exit only once `stopping` is set and both run queues are
 *    empty, and stopping is set only when nothing is pending, so no job is
 *    ever dropped.
 * The notifier is called with the lock held, so once set_notify returns
 * the previous notifier is never called again; it must therefore not call
 * back into the pool (uv_async_send does not). */
#include <stdbool.h>
#include <stdlib.h>

#include <uv.h>

#include "btt/err.h"
#include "io/pool.h"

struct pool_job {
	struct pool_job *next;
	btt_pool_work_fn work;
	btt_pool_done_fn done;
	void *arg;
};

struct job_queue {
	struct pool_job *head;
	struct pool_job *tail;
};

struct btt_pool {
	uv_mutex_t mu;
	uv_cond_t work_cv;	 /* a job was queued, or stopping */
	uv_cond_t done_cv;	 /* a job finished */
	struct job_queue run[2]; /* indexed by enum btt_pool_prio */
	struct job_queue done;
	bool stopping;
	btt_pool_notify_fn notify;
	void *notify_arg;

	struct pool_job *free_list; /* owner thread only */
	size_t pending;		    /* owner thread only */

	unsigned nthreads;
	uv_thread_t threads[BTT_POOL_MAX_THREADS];
};

static void queue_push(struct job_queue *q, struct pool_job *j)
{
	j->next = NULL;
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
}

static struct pool_job *queue_pop(struct job_queue *q)
{
	struct pool_job *j = q->head;
	if (j) {
		q->head = j->next;
		if (!q->head)
			q->tail = NULL;
	}
	return j;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);
	if (!p)
		abort();
	return p;
}

static void worker_main(void *arg)
{
	struct btt_pool *pool = arg;

	uv_mutex_lock(&pool->mu);
	for (;;) {
		struct pool_job *j = queue_pop(&pool->run[BTT_POOL_HIGH]);

		if (!j)
			j = queue_pop(&pool->run[BTT_POOL_LOW]);
		if (!j) {
			if (pool->stopping)
				break;
			uv_cond_wait(&pool->work_cv, &pool->mu);
			continue;
		}
		uv_mutex_unlock(&pool->mu);
		j->work(j->arg);
		uv_mutex_lock(&pool->mu);
		queue_push(&pool->done, j);
		uv_cond_signal(&pool->done_cv);
		if (pool->notify)
			pool->notify(pool->notify_arg);
	}
	uv_mutex_unlock(&pool->mu);
}

unsigned btt_pool_cpus(void)
{
	unsigned n = uv_available_parallelism();
	return n ? n : 1;
}

static void pool_destroy_sync(struct btt_pool *pool)
{
	uv_cond_destroy(&pool->done_cv);
	uv_cond_destroy(&pool->work_cv);
	uv_mutex_destroy(&pool->mu);
}

/* Sets stopping, wakes and joins the first n workers. */
static void pool_join(struct btt_pool *pool, unsigned n)
{
	uv_mutex_lock(&pool->mu);
	pool->stopping = true;
	uv_cond_broadcast(&pool->work_cv);
	uv_mutex_unlock(&pool->mu);
	for (unsigned i = 0; i < n; i++)
		uv_thread_join(&pool->threads[i]);
}

int btt_pool_new(unsigned threads, struct btt_pool **out)
{
	struct btt_pool *pool;
	int err;

	if (threads < 1 || threads > BTT_POOL_MAX_THREADS)
		return BTT_EINVALID;
	pool = calloc(1, sizeof(*pool));
	if (!pool)
		abort();
	if ((err = uv_mutex_init(&pool->mu)) < 0)
		goto fail_mutex;
	if ((err = uv_cond_init(&pool->work_cv)) < 0)
		goto fail_work_cv;
	if ((err = uv_cond_init(&pool->done_cv)) < 0)
		goto fail_done_cv;
	for (unsigned i = 0; i < threads; i++) {
		err = uv_thread_create(&pool->threads[i], worker_main, pool);
		if (err < 0) {
			pool_join(pool, i);
			pool_destroy_sync(pool);
			free(pool);
			return err;
		}
		pool->nthreads = i + 1;
	}
	*out = pool;
	return 0;

fail_done_cv:
	uv_cond_destroy(&pool->work_cv);
fail_work_cv:
	uv_mutex_destroy(&pool->mu);
fail_mutex:
	free(pool);
	return err;
}

void btt_pool_free(struct btt_pool *pool)
{
	struct pool_job *j;

	if (!pool)
		return;
	while (pool->pending)
		btt_pool_wait(pool);
	pool_join(pool, pool->nthreads);
	while ((j = pool->free_list)) {
		pool->free_list = j->next;
		free(j);
	}
	pool_destroy_sync(pool);
	free(pool);
}

void btt_pool_submit(struct btt_pool *pool, enum btt_pool_prio prio,
		     btt_pool_work_fn work, btt_pool_done_fn done, void *arg)
{
	struct pool_job *j = pool->free_list;

	if (j)
		pool->free_list = j->next;
	else
		j = xmalloc(sizeof(*j));
	j->work = work;
	j->done = done;
	j->arg = arg;
	pool->pending++;
	uv_mutex_lock(&pool->mu);
	queue_push(&pool->run[prio == BTT_POOL_HIGH ? BTT_POOL_HIGH
						    : BTT_POOL_LOW],
		   j);
	uv_cond_signal(&pool->work_cv);
	uv_mutex_unlock(&pool->mu);
}

/* Runs the done callbacks of a detached completion list, in order, and
 * recycles the records. A callback may submit new jobs: they go to the
 * run queues, never to this list. */
static unsigned run_done(struct btt_pool *pool, struct pool_job *j)
{
	unsigned n = 0;

	while (j) {
		struct pool_job *next = j->next;
		btt_pool_done_fn done = j->done;
		void *arg = j->arg;

		j->next = pool->free_list;
		pool->free_list = j;
		pool->pending--;
		n++;
		if (done)
			done(arg);
		j = next;
	}
	return n;
}

static struct pool_job *take_done_locked(struct btt_pool *pool)
{
	struct pool_job *j = pool->done.head;
	pool->done.head = pool->done.tail = NULL;
	return j;
}

unsigned btt_pool_poll(struct btt_pool *pool)
{
	struct pool_job *j;

	uv_mutex_lock(&pool->mu);
	j = take_done_locked(pool);
	uv_mutex_unlock(&pool->mu);
	return run_done(pool, j);
}

unsigned btt_pool_wait(struct btt_pool *pool)
{
	struct pool_job *j;

	if (!pool->pending)
		return 0;
	uv_mutex_lock(&pool->mu);
	while (!pool->done.head)
		uv_cond_wait(&pool->done_cv, &pool->mu);
	j = take_done_locked(pool);
	uv_mutex_unlock(&pool->mu);
	return run_done(pool, j);
}

size_t btt_pool_pending(const struct btt_pool *pool)
{
	return pool->pending;
}

void btt_pool_set_notify(struct btt_pool *pool, btt_pool_notify_fn fn,
			 void *notify_arg)
{
	uv_mutex_lock(&pool->mu);
	pool->notify = fn;
	pool->notify_arg = notify_arg;
	uv_mutex_unlock(&pool->mu);
}

unsigned btt_pool_threads(const struct btt_pool *pool)
{
	return pool->nthreads;
}
