/* Ledger state views: opening and closing them, the overlay of changed
 * records with its undo journal, and module records.
 *
 * Invariants: the overlay holds at most one entry per tree key (the map
 * goes from tree key to the entry's index); entries are only appended,
 * and only a revert removes them, newest first, so the entry a journal
 * record created is always the last one; the journal is replayed
 * backwards to a mark. Nothing reaches the store before finish
 * (state_commit.c), so reads of records the overlay does not hold see the
 * committed state. */
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "crypto/hash.h"
#include "ledger/smt_int.h"
#include "ledger/state_int.h"

void btt_ledger_state_key(uint8_t ns, const void *key, size_t klen,
			  uint8_t out[BTT_SMT_KEY_LEN])
{
	struct btt_keccak256 h;
	btt_keccak256_init(&h);
	btt_keccak256_update(&h, &ns, 1);
	btt_keccak256_update(&h, key, klen);
	btt_keccak256_final(&h, out);
}

static void state_free(struct btt_ledger_state *st)
{
	for (size_t i = 0; i < btt_vec_len(&st->entries); i++)
		free(((struct btt_state_entry *)btt_vec_at(&st->entries, i))
			     ->val);
	for (size_t i = 0; i < btt_vec_len(&st->journal); i++)
		free(((struct btt_state_undo *)btt_vec_at(&st->journal, i))
			     ->old);
	btt_vec_release(&st->entries);
	btt_vec_release(&st->journal);
	btt_hmap_release(&st->map);
	free(st);
}

/* Reads the head and checks that the tree it names is there. */
static int load_base(struct btt_ledger_state *st)
{
	uint8_t rec[BTT_SMT_NODE_LEN];
	int rc = btt_ledger_txn_head(st->txn, &st->base_height, st->base_root);
	if (rc == BTT_ENOTFOUND) {
		st->fresh = true;
		st->base_height = 0;
		memset(st->base_root, 0, sizeof(st->base_root));
		return 0;
	}
	if (rc)
		return rc;
	if (btt_smt_is_empty(st->base_root))
		return 0;
	/* The root is at depth 0, on every key's path. */
	return btt_ledger_smt_node_read(st->txn, st->base_root, 0,
					st->base_root, rec);
}

int btt_ledger_state_open(struct btt_ledger_store *s, bool write,
			  struct btt_ledger_state **out)
{
	struct btt_ledger_state *st = calloc(1, sizeof(*st));
	int rc;

	if (!st)
		abort();
	btt_hmap_init(&st->map, BTT_SMT_KEY_LEN);
	btt_vec_init(&st->entries, sizeof(struct btt_state_entry));
	btt_vec_init(&st->journal, sizeof(struct btt_state_undo));
	st->write = write;
	rc = btt_ledger_store_begin(s, write, &st->txn);
	if (!rc)
		rc = load_base(st);
	if (rc) {
		btt_ledger_txn_abort(st->txn);
		state_free(st);
		return rc;
	}
	*out = st;
	return 0;
}

struct btt_ledger_txn *btt_ledger_state_txn(struct btt_ledger_state *st)
{
	return st->txn;
}

void btt_ledger_state_base(const struct btt_ledger_state *st,
			   uint64_t *out_height,
			   uint8_t out_root[BTT_SMT_HASH_LEN], bool *out_fresh)
{
	*out_height = st->base_height;
	memcpy(out_root, st->base_root, BTT_SMT_HASH_LEN);
	if (out_fresh)
		*out_fresh = st->fresh;
}

const uint8_t *btt_ledger_state_tree_root(const struct btt_ledger_state *st)
{
	return st->finished ? st->new_root : st->base_root;
}

int btt_ledger_state_commit(struct btt_ledger_state *st)
{
	int rc;

	if (st->write && !st->finished) {
		btt_ledger_state_abort(st);
		return BTT_EINVALID;
	}
	rc = btt_ledger_txn_commit(st->txn);
	st->txn = NULL;
	state_free(st);
	return rc;
}

void btt_ledger_state_abort(struct btt_ledger_state *st)
{
	if (!st)
		return;
	btt_ledger_txn_abort(st->txn);
	state_free(st);
}

struct btt_state_entry *btt_ledger_state_entry(struct btt_ledger_state *st,
					       const uint8_t *skey)
{
	uint64_t idx;
	if (!btt_hmap_get(&st->map, skey, &idx))
		return NULL;
	return btt_vec_at(&st->entries, (size_t)idx);
}

static uint8_t *dup_bytes(const void *p, size_t n)
{
	uint8_t *d = malloc(n ? n : 1);
	if (!d)
		abort(); /* n is capped by BTT_STATE_MAX_VALUE */
	if (n)
		memcpy(d, p, n);
	return d;
}

/* Creates the overlay entry for skey and journals its creation. */
static struct btt_state_entry *create_entry(struct btt_ledger_state *st,
					    const uint8_t *skey, uint8_t ns,
					    const void *key, size_t klen)
{
	struct btt_state_undo u = {.idx = btt_vec_len(&st->entries),
				   .created = true};
	struct btt_state_entry *e = btt_vec_push(&st->entries, NULL);

	if (!e || btt_hmap_put(&st->map, skey, u.idx) != 0 ||
	    !btt_vec_push(&st->journal, &u))
		abort(); /* sized by execution, which is capped per block */
	memcpy(e->skey, skey, BTT_SMT_KEY_LEN);
	e->ns = ns;
	e->klen = (uint8_t)klen;
	memcpy(e->key, key, klen);
	return e;
}

int btt_ledger_state_set(struct btt_ledger_state *st, const uint8_t *skey,
			 uint8_t ns, const void *key, size_t klen,
			 const void *val, size_t vlen)
{
	struct btt_state_entry *e;

	if (!st->write || st->finished)
		return BTT_EINVALID;
	e = btt_ledger_state_entry(st, skey);
	if (!e) {
		e = create_entry(st, skey, ns, key, klen);
	} else {
		struct btt_state_undo u = {
			.idx = (size_t)(e - (struct btt_state_entry *)
						    st->entries.data),
			.old = e->val,
			.old_len = e->vlen};
		if (!btt_vec_push(&st->journal, &u))
			abort();
	}
	e->val = val ? dup_bytes(val, vlen) : NULL;
	e->vlen = val ? vlen : 0;
	return 0;
}

size_t btt_ledger_state_mark(const struct btt_ledger_state *st)
{
	return btt_vec_len(&st->journal);
}

int btt_ledger_state_revert(struct btt_ledger_state *st, size_t mark)
{
	struct btt_state_undo u;

	if (st->finished || mark > btt_vec_len(&st->journal))
		return BTT_EINVALID;
	while (btt_vec_len(&st->journal) > mark) {
		btt_vec_pop(&st->journal, &u);
		struct btt_state_entry *e = btt_vec_at(&st->entries, u.idx);
		free(e->val);
		if (u.created) {
			btt_hmap_remove(&st->map, e->skey, NULL);
			btt_vec_pop(&st->entries, NULL);
		} else {
			e->val = u.old;
			e->vlen = u.old_len;
		}
	}
	return 0;
}

size_t btt_ledger_state_changes(const struct btt_ledger_state *st)
{
	return btt_vec_len(&st->entries);
}

/* Checks a module record key: a module namespace and 1..max bytes. */
static int rec_key_check(uint8_t ns, size_t klen)
{
	if (ns == BTT_STATE_NS_ACCT || klen == 0)
		return BTT_EINVALID;
	return klen > BTT_STATE_MAX_KEY ? BTT_ELIMIT : 0;
}

int btt_ledger_state_rec_get(struct btt_ledger_state *st, uint8_t ns,
			     const void *key, size_t klen, struct btt_cur *out)
{
	uint8_t skey[BTT_SMT_KEY_LEN], dbkey[1 + BTT_STATE_MAX_KEY];
	struct btt_state_entry *e;
	int rc = rec_key_check(ns, klen);

	if (rc)
		return rc;
	btt_ledger_state_key(ns, key, klen, skey);
	e = btt_ledger_state_entry(st, skey);
	if (e) {
		if (!e->val)
			return BTT_ENOTFOUND;
		btt_cur_init(out, e->val, e->vlen);
		return 0;
	}
	dbkey[0] = ns;
	memcpy(dbkey + 1, key, klen);
	rc = btt_ledger_txn_get(st->txn, BTT_LEDGER_DB_REC, dbkey, 1 + klen,
				out);
	if (!rc &&
	    (btt_cur_len(out) == 0 || btt_cur_len(out) > BTT_STATE_MAX_VALUE))
		return BTT_ECORRUPT;
	return rc;
}

int btt_ledger_state_rec_put(struct btt_ledger_state *st, uint8_t ns,
			     const void *key, size_t klen, const void *val,
			     size_t vlen)
{
	uint8_t skey[BTT_SMT_KEY_LEN];
	int rc = rec_key_check(ns, klen);

	if (!rc && vlen == 0)
		rc = BTT_EINVALID;
	if (!rc && vlen > BTT_STATE_MAX_VALUE)
		rc = BTT_ELIMIT;
	if (rc)
		return rc;
	btt_ledger_state_key(ns, key, klen, skey);
	return btt_ledger_state_set(st, skey, ns, key, klen, val, vlen);
}

int btt_ledger_state_rec_del(struct btt_ledger_state *st, uint8_t ns,
			     const void *key, size_t klen)
{
	uint8_t skey[BTT_SMT_KEY_LEN];
	int rc = rec_key_check(ns, klen);

	if (rc)
		return rc;
	btt_ledger_state_key(ns, key, klen, skey);
	return btt_ledger_state_set(st, skey, ns, key, klen, NULL, 0);
}
