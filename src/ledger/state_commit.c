/* Finishing a block's state: the overlay is written to the account and
 * record databases in their key order and to the tree in tree-key order,
 * and the head is set, all in the block's one write transaction. Also
 * the supply sum and record proofs.
 *
 * Both orders are total orders on distinct keys, so the same set of
 * changes gives the same writes and the same root however the block
 * reached it; the overlay's hash map is never iterated. */
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "ledger/state_int.h"

static int cmp_dbkey(const void *pa, const void *pb)
{
	const struct btt_state_entry *a =
		*(const struct btt_state_entry *const *)pa;
	const struct btt_state_entry *b =
		*(const struct btt_state_entry *const *)pb;
	size_t n = a->klen < b->klen ? a->klen : b->klen;
	int c;

	if (a->ns != b->ns)
		return a->ns < b->ns ? -1 : 1;
	c = memcmp(a->key, b->key, n);
	if (c)
		return c;
	return a->klen < b->klen ? -1 : a->klen > b->klen;
}

static int cmp_skey(const void *pa, const void *pb)
{
	const struct btt_state_entry *a =
		*(const struct btt_state_entry *const *)pa;
	const struct btt_state_entry *b =
		*(const struct btt_state_entry *const *)pb;
	return memcmp(a->skey, b->skey, BTT_SMT_KEY_LEN);
}

static int write_entry(struct btt_ledger_txn *t,
		       const struct btt_state_entry *e)
{
	uint8_t dbkey[1 + BTT_STATE_MAX_KEY];
	enum btt_ledger_db db = BTT_LEDGER_DB_ACCT;
	const uint8_t *k = e->key;
	size_t klen = e->klen;
	int rc;

	if (e->ns != BTT_STATE_NS_ACCT) {
		db = BTT_LEDGER_DB_REC;
		dbkey[0] = e->ns;
		memcpy(dbkey + 1, e->key, e->klen);
		k = dbkey;
		klen = 1 + (size_t)e->klen;
	}
	if (e->val)
		return btt_ledger_txn_put(t, db, k, klen, e->val, e->vlen);
	rc = btt_ledger_txn_del(t, db, k, klen);
	return rc == BTT_ENOTFOUND ? 0 : rc;
}

/* Writes the records in database key order, then the tree in tree-key
 * order. order is scratch space for one pointer per entry. */
static int write_all(struct btt_ledger_state *st,
		     struct btt_state_entry **order, struct btt_smt_change *ch,
		     struct btt_smt_stats *stats)
{
	size_t n = btt_vec_len(&st->entries);
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		order[i] = btt_vec_at(&st->entries, i);
	qsort(order, n, sizeof(*order), cmp_dbkey);
	for (size_t i = 0; i < n && !rc; i++)
		rc = write_entry(st->txn, order[i]);
	if (rc)
		return rc;
	qsort(order, n, sizeof(*order), cmp_skey);
	for (size_t i = 0; i < n; i++) {
		memcpy(ch[i].key, order[i]->skey, BTT_SMT_KEY_LEN);
		ch[i].value = order[i]->val;
		ch[i].value_len = order[i]->vlen;
	}
	return btt_ledger_smt_update(st->txn, st->base_root, ch, n,
				     st->new_root, stats);
}

int btt_ledger_state_finish(struct btt_ledger_state *st, uint64_t height,
			    uint8_t out_root[BTT_SMT_HASH_LEN],
			    struct btt_smt_stats *stats)
{
	size_t n = btt_vec_len(&st->entries);
	struct btt_state_entry **order;
	struct btt_smt_change *ch;
	int rc;

	if (stats)
		memset(stats, 0, sizeof(*stats));
	if (!st->write || st->finished)
		return BTT_EINVALID;
	if (!st->fresh &&
	    (st->base_height == UINT64_MAX || height != st->base_height + 1))
		return BTT_EINVALID;
	order = calloc(n ? n : 1, sizeof(*order));
	ch = calloc(n ? n : 1, sizeof(*ch));
	if (!order || !ch)
		abort(); /* one slot per changed record */
	rc = write_all(st, order, ch, stats);
	free(order);
	free(ch);
	if (!rc)
		rc = btt_ledger_txn_set_head(st->txn, height, st->new_root);
	if (rc)
		return rc;
	st->finished = true;
	memcpy(out_root, st->new_root, BTT_SMT_HASH_LEN);
	return 0;
}

/* Balance of a stored account record (its key and value from the
 * store). */
static int stored_balance(const struct btt_cur *k, const struct btt_cur *v,
			  btt_u128 *out)
{
	struct btt_ledger_account a;
	if (btt_cur_len(k) != BTT_ADDR_LEN ||
	    btt_ledger_account_decode(btt_cur_data(v), btt_cur_len(v), &a))
		return BTT_ECORRUPT;
	*out = a.balance;
	return 0;
}

static int sum_store(struct btt_ledger_state *st, btt_u128 *sum)
{
	struct btt_ledger_iter *it;
	struct btt_cur k, v;
	btt_u128 b;
	int rc =
		btt_ledger_iter_open(st->txn, BTT_LEDGER_DB_ACCT, NULL, 0, &it);

	while (!rc && (rc = btt_ledger_iter_next(it, &k, &v)) == 0) {
		rc = stored_balance(&k, &v, &b);
		if (!rc && !btt_u128_add(*sum, b, sum))
			rc = BTT_EOVERFLOW;
	}
	btt_ledger_iter_free(it);
	return rc == BTT_ENOTFOUND ? 0 : rc;
}

/* Replaces, in *sum, the stored balance of each account the overlay
 * changes by the overlay's balance. */
static int sum_overlay(struct btt_ledger_state *st, btt_u128 *sum)
{
	for (size_t i = 0; i < btt_vec_len(&st->entries); i++) {
		const struct btt_state_entry *e = btt_vec_at(&st->entries, i);
		struct btt_ledger_account a;
		struct btt_cur k, v;
		int rc;

		if (e->ns != BTT_STATE_NS_ACCT)
			continue;
		rc = btt_ledger_txn_get(st->txn, BTT_LEDGER_DB_ACCT, e->key,
					e->klen, &v);
		if (rc == 0) {
			btt_u128 b;
			btt_cur_init(&k, e->key, e->klen);
			if ((rc = stored_balance(&k, &v, &b)) != 0)
				return rc;
			*sum -= b; /* b was added by sum_store */
		} else if (rc != BTT_ENOTFOUND) {
			return rc;
		}
		if (!e->val)
			continue;
		if (btt_ledger_account_decode(e->val, e->vlen, &a))
			return BTT_ECORRUPT;
		if (!btt_u128_add(*sum, a.balance, sum))
			return BTT_EOVERFLOW;
	}
	return 0;
}

int btt_ledger_state_supply(struct btt_ledger_state *st, btt_u128 *out)
{
	btt_u128 sum = 0;
	int rc = sum_store(st, &sum);

	/* After finish the store already holds the overlay. */
	if (!rc && !st->finished)
		rc = sum_overlay(st, &sum);
	if (!rc)
		*out = sum;
	return rc;
}

/* Checks a record key for proofs: an account address, or a module key. */
static int proof_key_check(uint8_t ns, size_t klen)
{
	if (ns == BTT_STATE_NS_ACCT)
		return klen == BTT_ADDR_LEN ? 0 : BTT_EINVALID;
	if (klen == 0)
		return BTT_EINVALID;
	return klen > BTT_STATE_MAX_KEY ? BTT_ELIMIT : 0;
}

int btt_ledger_state_prove(struct btt_ledger_state *st, uint8_t ns,
			   const void *key, size_t klen, struct btt_wbuf *out)
{
	uint8_t skey[BTT_SMT_KEY_LEN];
	int rc = proof_key_check(ns, klen);

	if (rc)
		return rc;
	btt_ledger_state_key(ns, key, klen, skey);
	return btt_ledger_smt_prove(st->txn, btt_ledger_state_tree_root(st),
				    skey, out);
}

int btt_ledger_state_verify(const uint8_t root[BTT_SMT_HASH_LEN], uint8_t ns,
			    const void *key, size_t klen, const uint8_t *value,
			    size_t vlen, const uint8_t *proof, size_t proof_len)
{
	uint8_t skey[BTT_SMT_KEY_LEN];
	int rc = proof_key_check(ns, klen);

	if (rc)
		return rc;
	btt_ledger_state_key(ns, key, klen, skey);
	return btt_ledger_smt_verify(root, skey, value, vlen, proof, proof_len);
}
