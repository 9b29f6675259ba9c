/* Mempool selection for a block, and rechecks against a new head.
 *
 * Selection keeps a max-heap of accounts keyed by the rank of the next
 * transaction each would contribute; taking one moves that account to its
 * next nonce, if contiguous. So the result is in priority order across
 * accounts and in nonce order within each, and a transaction never comes
 * before a lower nonce of its own account. */
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "node/mempool_int.h"

static struct mp_tx *next_of(const struct mp_acct *a)
{
	return a->txs[a->pick];
}

static bool above(struct mp_acct **h, size_t i, size_t j)
{
	return btt_node_mp_rank(next_of(h[i]), next_of(h[j])) > 0;
}

static void sift_down(struct mp_acct **h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		struct mp_acct *t;
		if (l < n && above(h, l, m))
			m = l;
		if (r < n && above(h, r, m))
			m = r;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* The index of a's first transaction when its nonce is the chain nonce,
 * else a->n (nothing ready). Stale nonces below it are skipped. */
static size_t first_ready(const struct mp_acct *a)
{
	size_t i = 0;

	while (i < a->n && a->txs[i]->nonce < a->chain_nonce)
		i++;
	return i < a->n && a->txs[i]->nonce == a->chain_nonce ? i : a->n;
}

size_t btt_node_mempool_select(struct btt_mempool *mp, size_t max_txs,
			       size_t max_bytes, struct btt_ledger_txref *out,
			       const uint8_t **out_ids)
{
	struct mp_acct **h;
	size_t n = 0, got = 0, bytes = 0;

	if (!mp->n_tails || !max_txs)
		return 0;
	h = malloc(mp->n_tails * sizeof(*h));
	if (!h)
		abort(); /* sized by the pool's own capped count */
	for (size_t i = 0; i < mp->n_tails; i++) {
		struct mp_acct *a = mp->tails[i];
		if ((a->pick = first_ready(a)) < a->n)
			h[n++] = a;
	}
	for (size_t i = n / 2; i-- > 0;)
		sift_down(h, n, i);
	while (n && got < max_txs) {
		struct mp_acct *a = h[0];
		struct mp_tx *tx = next_of(a);
		bool more = false;
		/* An account whose next one does not fit is done: its later
		 * nonces cannot go before it. */
		if (tx->len <= max_bytes - bytes) {
			out[got] = (struct btt_ledger_txref){tx->raw, tx->len};
			if (out_ids)
				out_ids[got] = tx->txid;
			got++;
			bytes += tx->len;
			a->pick++;
			more = a->pick < a->n &&
			       a->txs[a->pick]->nonce == tx->nonce + 1;
		}
		if (!more)
			h[0] = h[--n];
		sift_down(h, n, 0);
	}
	free(h);
	return got;
}

size_t btt_node_mempool_update(struct btt_mempool *mp,
			       const uint8_t addr[BTT_ADDR_LEN],
			       const struct btt_mempool_acct *acct,
			       uint64_t next_height)
{
	struct mp_acct *a = btt_node_mp_acct(mp, addr);
	btt_u128 sum = 0;
	size_t dropped = 0, i = 0;
	bool broke = false;

	if (!a)
		return 0;
	a->chain_nonce = acct->nonce;
	a->spendable = acct->spendable;
	while (a && i < a->n) {
		struct mp_tx *tx = a->txs[i];
		bool stale = tx->nonce < acct->nonce ||
			     (tx->expiry && tx->expiry < next_height);
		if (!stale && !broke &&
		    (!btt_u128_add(sum, tx->cost, &sum) ||
		     sum > acct->spendable))
			broke = true;
		if (!stale && !broke) {
			i++;
			continue;
		}
		/* Dropping the last one frees the account. */
		bool last = a->n == 1;
		btt_node_mp_drop(mp, tx);
		dropped++;
		if (last)
			a = NULL;
	}
	mp->st.dropped += dropped;
	return dropped;
}

size_t btt_node_mempool_sweep(struct btt_mempool *mp, btt_mempool_lookup_fn fn,
			      void *arg, uint64_t next_height)
{
	size_t n = mp->n_tails, dropped = 0;
	uint8_t *addrs;
	struct btt_mempool_acct acct;

	if (!n)
		return 0;
	/* Updates may free accounts: walk a copy of the addresses. */
	addrs = malloc(n * BTT_ADDR_LEN);
	if (!addrs)
		abort(); /* sized by the pool's own capped count */
	for (size_t i = 0; i < n; i++)
		memcpy(addrs + i * BTT_ADDR_LEN, mp->tails[i]->addr,
		       BTT_ADDR_LEN);
	for (size_t i = 0; i < n; i++)
		if (fn(arg, addrs + i * BTT_ADDR_LEN, &acct) == 0)
			dropped += btt_node_mempool_update(
				mp, addrs + i * BTT_ADDR_LEN, &acct,
				next_height);
	free(addrs);
	return dropped;
}

size_t btt_node_mempool_account(const struct btt_mempool *mp,
				const uint8_t addr[BTT_ADDR_LEN],
				uint64_t *out_next_nonce)
{
	const struct mp_acct *a = btt_node_mp_acct(mp, addr);
	uint64_t next;

	if (!a)
		return 0;
	next = a->chain_nonce;
	for (size_t i = 0; i < a->n; i++) {
		if (a->txs[i]->nonce == next)
			next++;
		else if (a->txs[i]->nonce > next)
			break;
	}
	*out_next_nonce = next;
	return a->n;
}

void btt_node_mempool_stats(const struct btt_mempool *mp,
			    struct btt_mempool_stats *out)
{
	*out = mp->st;
	out->txs = mp->count;
	out->bytes = mp->bytes;
	out->accounts = mp->n_tails;
}
