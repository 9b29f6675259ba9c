/* Mempool admission, replacement, removal and eviction (mempool.h has the
 * rules, mempool_int.h the invariants).
 *
 * Every allocation an admission needs is made before the pool changes,
 * so a failed admission leaves it as it was. The one exception is
 * eviction at the byte cap, which can take several victims: those are
 * all ranked below the newcomer, and eviction stops at the first victim
 * that is not, refusing the newcomer; the victims already gone stay gone,
 * which only frees room for better-paying transactions. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "ledger/tx_types.h"
#include "node/mempool_int.h"

int btt_node_mp_rank(const struct mp_tx *a, const struct mp_tx *b)
{
	if (a->max_fee != b->max_fee)
		return a->max_fee > b->max_fee ? 1 : -1;
	if (a->seq != b->seq)
		return a->seq < b->seq ? 1 : -1;
	return 0;
}

static struct mp_tx *tail_of(const struct mp_acct *a)
{
	return a->txs[a->n - 1];
}

/* The tails heap: the account whose last transaction ranks lowest is at
 * the top. */
static bool below(const struct btt_mempool *mp, size_t i, size_t j)
{
	return btt_node_mp_rank(tail_of(mp->tails[i]), tail_of(mp->tails[j])) <
	       0;
}

static void heap_swap(struct btt_mempool *mp, size_t i, size_t j)
{
	struct mp_acct *t = mp->tails[i];

	mp->tails[i] = mp->tails[j];
	mp->tails[j] = t;
	mp->tails[i]->heap_pos = i;
	mp->tails[j]->heap_pos = j;
}

static void heap_fix(struct btt_mempool *mp, size_t i)
{
	while (i > 0 && below(mp, i, (i - 1) / 2)) {
		heap_swap(mp, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < mp->n_tails && below(mp, l, m))
			m = l;
		if (r < mp->n_tails && below(mp, r, m))
			m = r;
		if (m == i)
			return;
		heap_swap(mp, i, m);
		i = m;
	}
}

static void heap_remove(struct btt_mempool *mp, struct mp_acct *a)
{
	size_t i = a->heap_pos;

	mp->n_tails--;
	if (i == mp->n_tails)
		return;
	mp->tails[i] = mp->tails[mp->n_tails];
	mp->tails[i]->heap_pos = i;
	heap_fix(mp, i);
}

struct btt_mempool *btt_node_mempool_new(const struct btt_mempool_limits *lim)
{
	struct btt_mempool *mp = calloc(1, sizeof(*mp));

	if (!mp)
		abort();
	if (lim)
		mp->lim = *lim;
	if (!mp->lim.max_txs)
		mp->lim.max_txs = BTT_MEMPOOL_MAX_TXS;
	if (!mp->lim.max_bytes)
		mp->lim.max_bytes = BTT_MEMPOOL_MAX_BYTES;
	if (!mp->lim.max_per_account)
		mp->lim.max_per_account = BTT_MEMPOOL_MAX_PER_ACCOUNT;
	btt_hmap_init(&mp->accts, BTT_ADDR_LEN);
	btt_hmap_init(&mp->txids, BTT_TX_HASH_LEN);
	return mp;
}

void btt_node_mempool_free(struct btt_mempool *mp)
{
	if (!mp)
		return;
	for (size_t i = 0; i < mp->n_tails; i++) {
		struct mp_acct *a = mp->tails[i];
		for (size_t j = 0; j < a->n; j++)
			free(a->txs[j]);
		free(a->txs);
		free(a);
	}
	free(mp->tails);
	btt_hmap_release(&mp->accts);
	btt_hmap_release(&mp->txids);
	free(mp);
}

struct mp_acct *btt_node_mp_acct(const struct btt_mempool *mp,
				 const uint8_t addr[BTT_ADDR_LEN])
{
	return btt_hmap_get_ptr(&mp->accts, addr);
}

bool btt_node_mempool_has(const struct btt_mempool *mp,
			  const uint8_t txid[BTT_TX_HASH_LEN])
{
	return btt_hmap_get(&mp->txids, txid, NULL);
}

bool btt_node_mempool_find(const struct btt_mempool *mp,
			   const uint8_t txid[BTT_TX_HASH_LEN],
			   struct btt_ledger_txref *out)
{
	const struct mp_tx *tx = btt_hmap_get_ptr(&mp->txids, txid);

	if (!tx)
		return false;
	*out = (struct btt_ledger_txref){tx->raw, tx->len};
	return true;
}

/* Index of the first transaction with nonce >= `nonce`. */
static size_t find_nonce(const struct mp_acct *a, uint64_t nonce)
{
	size_t lo = 0, hi = a->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a->txs[mid]->nonce < nonce)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void btt_node_mp_drop(struct btt_mempool *mp, struct mp_tx *tx)
{
	struct mp_acct *a = tx->acct;
	size_t i = find_nonce(a, tx->nonce);
	bool was_tail = i == a->n - 1;

	btt_hmap_remove(&mp->txids, tx->txid, NULL);
	memmove(a->txs + i, a->txs + i + 1, (a->n - i - 1) * sizeof(*a->txs));
	a->n--;
	mp->count--;
	mp->bytes -= tx->len;
	free(tx);
	if (a->n == 0) {
		heap_remove(mp, a);
		btt_hmap_remove(&mp->accts, a->addr, NULL);
		free(a->txs);
		free(a);
	} else if (was_tail) {
		heap_fix(mp, a->heap_pos);
	}
}

bool btt_node_mempool_remove(struct btt_mempool *mp,
			     const uint8_t txid[BTT_TX_HASH_LEN])
{
	struct mp_tx *tx = btt_hmap_get_ptr(&mp->txids, txid);

	if (!tx)
		return false;
	btt_node_mp_drop(mp, tx);
	return true;
}

int btt_node_mempool_info(const struct btt_tx *tx, btt_u128 fee,
			  const uint8_t txid[BTT_TX_HASH_LEN],
			  struct btt_mempool_tx_info *out)
{
	struct btt_tx_transfer t;
	struct btt_tx_multi m;
	struct btt_tx_vesting_create vc;
	struct btt_tx_stake_create sc;
	struct btt_tx_stake sb;
	btt_u128 v = 0;
	int e = 0;

	switch (tx->type) {
	case BTT_TX_TRANSFER:
		e = btt_ledger_transfer_decode(tx->payload, tx->payload_len,
					       &t);
		v = t.amount;
		break;
	case BTT_TX_MULTI_TRANSFER:
		e = btt_ledger_multi_decode(tx->payload, tx->payload_len, &m);
		for (size_t i = 0; !e && i < m.count; i++) {
			btt_ledger_multi_entry(&m, i, &t);
			if (!btt_u128_add(v, t.amount, &v))
				e = BTT_EOVERFLOW;
		}
		break;
	case BTT_TX_VESTING_CREATE:
		e = btt_ledger_vesting_create_decode(tx->payload,
						     tx->payload_len, &vc);
		v = vc.v.original;
		break;
	case BTT_TX_STAKE_CREATE:
		e = btt_ledger_stake_create_decode(tx->payload, tx->payload_len,
						   &sc);
		v = sc.self_bond;
		break;
	case BTT_TX_STAKE_BOND:
		e = btt_ledger_stake_decode(tx->payload, tx->payload_len, &sb);
		v = sb.amount;
		break;
	default: break;
	}
	if (e)
		return e;
	if (!btt_u128_add(v, fee, &out->cost))
		return BTT_EOVERFLOW;
	memcpy(out->txid, txid, BTT_TX_HASH_LEN);
	memcpy(out->from, tx->from, BTT_ADDR_LEN);
	out->nonce = tx->nonce;
	out->expiry_height = tx->expiry_height;
	out->max_fee = tx->max_fee;
	return 0;
}

/* The cost of a's queue with `old` (may be NULL) replaced by `add`. */
static int queue_cost(const struct mp_acct *a, const struct mp_tx *old,
		      btt_u128 add, btt_u128 *out)
{
	btt_u128 sum = add;

	for (size_t i = 0; a && i < a->n; i++)
		if (a->txs[i] != old &&
		    !btt_u128_add(sum, a->txs[i]->cost, &sum))
			return BTT_EOVERFLOW;
	*out = sum;
	return 0;
}

/* Evicts lower-ranked tails until one more transaction of len bytes
 * fits. Returns 0 or BTT_ELIMIT. */
static int make_room(struct btt_mempool *mp,
		     const struct btt_mempool_tx_info *in, size_t len)
{
	while (mp->count + 1 > mp->lim.max_txs ||
	       mp->bytes + len > mp->lim.max_bytes) {
		struct mp_tx *v;
		if (mp->n_tails == 0)
			return BTT_ELIMIT;
		v = tail_of(mp->tails[0]);
		/* Strictly more, so equal offers cannot churn the pool; and
		 * never a victim that the newcomer's nonce would follow. */
		if (v->max_fee >= in->max_fee ||
		    (!memcmp(v->acct->addr, in->from, BTT_ADDR_LEN) &&
		     v->nonce < in->nonce))
			return BTT_ELIMIT;
		btt_node_mp_drop(mp, v);
		mp->st.evicted++;
	}
	return 0;
}

/* Checks an admission against the rules that need no allocation. On
 * success *out_old is the transaction it replaces (or NULL). */
static int admit_check(struct btt_mempool *mp, size_t len,
		       const struct btt_mempool_tx_info *in,
		       const struct btt_mempool_acct *acct, struct mp_acct *a,
		       struct mp_tx **out_old)
{
	struct mp_tx *old = NULL;
	btt_u128 total;
	size_t i;
	int e;

	*out_old = NULL;
	if (len == 0 || len > BTT_TX_MAX_LEN)
		return BTT_ELIMIT;
	if (btt_hmap_get(&mp->txids, in->txid, NULL))
		return BTT_EDUPLICATE;
	if (in->nonce < acct->nonce)
		return BTT_ENONCEUSED;
	if (in->nonce - acct->nonce >= mp->lim.max_per_account)
		return BTT_ENONCEGAP;
	if (a && (i = find_nonce(a, in->nonce)) < a->n &&
	    a->txs[i]->nonce == in->nonce) {
		old = a->txs[i];
		if (in->max_fee <= old->max_fee)
			return BTT_EDUPLICATE;
		if (mp->bytes - old->len + len > mp->lim.max_bytes)
			return BTT_ELIMIT;
	}
	if ((e = queue_cost(a, old, in->cost, &total)) != 0)
		return e;
	if (total > acct->spendable)
		return BTT_EFUNDS;
	*out_old = old;
	return 0;
}

/* Reserves everything the insertion may allocate. Returns 0 or -ENOMEM;
 * *a is created (empty, not yet linked) when it was NULL. */
static int reserve(struct btt_mempool *mp, struct mp_acct **a,
		   const uint8_t from[BTT_ADDR_LEN])
{
	if (btt_hmap_reserve(&mp->txids, mp->count + 1) != 0)
		return -ENOMEM;
	if (!*a) {
		if (btt_hmap_reserve(&mp->accts, btt_hmap_len(&mp->accts) + 1))
			return -ENOMEM;
		if (mp->n_tails == mp->cap_tails) {
			size_t cap = mp->cap_tails ? 2 * mp->cap_tails : 64;
			void *t = realloc(mp->tails, cap * sizeof(*mp->tails));
			if (!t)
				return -ENOMEM;
			mp->tails = t;
			mp->cap_tails = cap;
		}
		if (!(*a = calloc(1, sizeof(**a))))
			return -ENOMEM;
		memcpy((*a)->addr, from, BTT_ADDR_LEN);
	}
	if ((*a)->n == (*a)->cap) {
		size_t cap = (*a)->cap ? 2 * (*a)->cap : 4;
		void *t = realloc((*a)->txs, cap * sizeof(*(*a)->txs));
		if (!t)
			return -ENOMEM;
		(*a)->txs = t;
		(*a)->cap = cap;
	}
	return 0;
}

/* Links tx into a (new when a->n == 0 and not in the map). */
static void link_tx(struct btt_mempool *mp, struct mp_acct *a, struct mp_tx *tx,
		    struct mp_tx *old)
{
	size_t i = find_nonce(a, tx->nonce);
	bool fresh = a->n == 0;

	tx->acct = a;
	if (old) {
		btt_hmap_remove(&mp->txids, old->txid, NULL);
		mp->bytes -= old->len;
		a->txs[i] = tx;
		free(old);
		mp->st.replaced++;
	} else {
		memmove(a->txs + i + 1, a->txs + i,
			(a->n - i) * sizeof(*a->txs));
		a->txs[i] = tx;
		a->n++;
		mp->count++;
	}
	mp->bytes += tx->len;
	btt_hmap_put_ptr(&mp->txids, tx->txid, tx);
	if (fresh) {
		btt_hmap_put_ptr(&mp->accts, a->addr, a);
		a->heap_pos = mp->n_tails;
		mp->tails[mp->n_tails++] = a;
	}
	heap_fix(mp, a->heap_pos);
}

int btt_node_mempool_add(struct btt_mempool *mp, const uint8_t *raw, size_t len,
			 const struct btt_mempool_tx_info *info,
			 const struct btt_mempool_acct *acct,
			 bool *out_replaced)
{
	struct mp_acct *a = btt_node_mp_acct(mp, info->from);
	struct mp_tx *old, *tx;
	int e;

	if (a)
		btt_node_mempool_update(mp, info->from, acct, 0);
	a = btt_node_mp_acct(mp, info->from);
	if ((e = admit_check(mp, len, info, acct, a, &old)) != 0)
		return e;
	if (!old && (e = make_room(mp, info, len)) != 0)
		return e;
	a = btt_node_mp_acct(mp, info->from); /* eviction may free it */
	tx = malloc(sizeof(*tx) + len);
	if (!tx)
		return -ENOMEM;
	if ((e = reserve(mp, &a, info->from)) != 0) {
		if (a && a->n == 0) {
			free(a->txs);
			free(a);
		}
		free(tx);
		return e;
	}
	*tx = (struct mp_tx){.nonce = info->nonce,
			     .expiry = info->expiry_height,
			     .seq = mp->seq++,
			     .max_fee = info->max_fee,
			     .cost = info->cost,
			     .len = len};
	memcpy(tx->txid, info->txid, BTT_TX_HASH_LEN);
	memcpy(tx->raw, raw, len);
	a->chain_nonce = acct->nonce;
	a->spendable = acct->spendable;
	link_tx(mp, a, tx, old);
	mp->st.admitted++;
	if (out_replaced)
		*out_replaced = old != NULL;
	return 0;
}
