/* Signature checks for execution: batches on the chain's workers, and
 * the cache of txids whose signature was already checked.
 *
 * A txid is the hash of the whole encoding, signature and sender
 * included, so a txid that verified once verifies again: the cache only
 * saves work and never changes a result. It is direct-mapped on the
 * txid's first bytes (uniform, and a sender grinding txids only evicts
 * entries, costing a recheck), bounded, and locked, because the mempool
 * checks on other threads than the one that executes. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "ledger/exec_int.h"

struct btt_ledger_sigcache {
	pthread_mutex_t lock;
	size_t mask;
	uint8_t (*ids)[32]; /* all zero: empty slot */
};

int btt_ledger_sigcache_new(size_t entries, struct btt_ledger_sigcache **out)
{
	struct btt_ledger_sigcache *sc;
	size_t n = 1;

	while (n < entries)
		n <<= 1;
	sc = calloc(1, sizeof(*sc));
	if (!sc)
		abort();
	sc->ids = calloc(n, sizeof(*sc->ids));
	if (!sc->ids)
		abort(); /* a fixed size, not input */
	sc->mask = n - 1;
	pthread_mutex_init(&sc->lock, NULL);
	*out = sc;
	return 0;
}

void btt_ledger_sigcache_free(struct btt_ledger_sigcache *sc)
{
	if (!sc)
		return;
	pthread_mutex_destroy(&sc->lock);
	free(sc->ids);
	free(sc);
}

static size_t slot(const struct btt_ledger_sigcache *sc, const uint8_t *id)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | id[i];
	return (size_t)(v & sc->mask);
}

bool btt_ledger_sigcache_has(struct btt_ledger_sigcache *sc,
			     const uint8_t txid[32])
{
	bool hit;

	pthread_mutex_lock(&sc->lock);
	hit = memcmp(sc->ids[slot(sc, txid)], txid, 32) == 0;
	pthread_mutex_unlock(&sc->lock);
	return hit;
}

void btt_ledger_sigcache_add(struct btt_ledger_sigcache *sc,
			     const uint8_t txid[32])
{
	pthread_mutex_lock(&sc->lock);
	memcpy(sc->ids[slot(sc, txid)], txid, 32);
	pthread_mutex_unlock(&sc->lock);
}

struct verify_job {
	struct btt_exec_item *items;
	size_t n;
	size_t parts;
};

/* Batch i: a contiguous range of items; each worker writes only its own
 * items' results. */
static void verify_part(void *arg, size_t i)
{
	struct verify_job *j = arg;
	size_t lo = j->n * i / j->parts, hi = j->n * (i + 1) / j->parts;

	for (size_t k = lo; k < hi; k++) {
		struct btt_exec_item *it = &j->items[k];

		if (it->verify) {
			it->pre = btt_ledger_tx_verify(&it->tx);
			it->verify = false;
		}
	}
}

void btt_ledger_exec_verify(struct btt_ledger_chain *c,
			    struct btt_exec_item *items, size_t n)
{
	struct verify_job j = {items, n, 1};
	size_t todo = 0;

	for (size_t k = 0; k < n; k++) {
		if (!items[k].verify)
			continue;
		if (btt_ledger_sigcache_has(c->cache, items[k].txid))
			items[k].verify = false;
		else
			todo++;
	}
	if (todo == 0)
		return;
	/* A few batches per worker even out uneven ranges (cache hits). */
	if (c->workers.run && c->workers.threads > 1 && todo >= 16) {
		j.parts = (size_t)c->workers.threads * 4;
		if (j.parts > n)
			j.parts = n;
		c->workers.run(c->workers.ctx, j.parts, verify_part, &j);
		return;
	}
	verify_part(&j, 0);
}
