/* Runs the executor's signature batches on the worker pool (io/pool.h).
 *
 * Header-only because the ledger module does not link io: a program that
 * has both (the node, benchmarks) includes this and passes
 *   struct btt_ledger_workers w = { btt_ledger_pool_run, pool,
 *                                   btt_pool_threads(pool) };
 * in btt_ledger_chain_opts. The pool's owner thread must be the chain's
 * owner thread: run() submits the batches and waits for them there. */
#ifndef BTT_LEDGER_EXEC_POOL_H
#define BTT_LEDGER_EXEC_POOL_H

#include <stdlib.h>

#include "io/pool.h"
#include "ledger/chain.h"

struct btt_ledger_pool_job {
	btt_ledger_job_fn fn;
	void *arg;
	size_t i;
	size_t *left;
};

static inline void btt_ledger_pool_work(void *a)
{
	struct btt_ledger_pool_job *j = a;
	j->fn(j->arg, j->i);
}

static inline void btt_ledger_pool_done(void *a)
{
	struct btt_ledger_pool_job *j = a;
	(*j->left)--;
}

/* The run() of struct btt_ledger_workers; ctx is the struct btt_pool. */
static inline void btt_ledger_pool_run(void *ctx, size_t n,
				       btt_ledger_job_fn fn, void *arg)
{
	struct btt_pool *pool = ctx;
	struct btt_ledger_pool_job *jobs;
	size_t left = n;

	if (n == 0)
		return;
	jobs = calloc(n, sizeof(*jobs));
	if (!jobs)
		abort(); /* n is the executor's batch count, not input */
	for (size_t i = 0; i < n; i++) {
		jobs[i] = (struct btt_ledger_pool_job){fn, arg, i, &left};
		btt_pool_submit(pool, BTT_POOL_HIGH, btt_ledger_pool_work,
				btt_ledger_pool_done, &jobs[i]);
	}
	while (left)
		btt_pool_wait(pool);
	free(jobs);
}

#endif
