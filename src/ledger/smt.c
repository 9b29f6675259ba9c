/* Sparse Merkle tree: hashing, batch update and lookup (the definition
 * and the storage layout are in smt.h; the proof codec is in
 * smt_proof.c).
 *
 * An update walks the old tree along the changed keys only, building the
 * new nodes bottom-up. The walk only reads the store: the node records it
 * writes and the ones it removes are collected in two lists, applied at
 * the end in store-key order (a record both removed and written is
 * unchanged and dropped from both). A leaf's place is its key's path at
 * the depth where it ends up, which is only known when a parent takes it
 * as a child (or it becomes the root), so leaves travel up the walk as
 * records and are written there; a leaf that moves (pushed down by a new
 * neighbour, or lifted when its neighbours go) is removed from its old
 * place.
 *
 * Recursion is bounded by the key length: each level descends one bit,
 * and a walk refuses to go below depth 256, whatever the store holds. */
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "core/vec.h"
#include "crypto/hash.h"
#include "ledger/smt.h"
#include "ledger/smt_int.h"

/* What a subtree is, as far as the walk knows. A stored child that was
 * not visited is UNKNOWN until its record is read. */
enum kind { K_EMPTY, K_LEAF, K_INNER, K_UNKNOWN };

struct res {
	uint8_t h[BTT_SMT_HASH_LEN];
	enum kind kind;
	/* K_LEAF only: the record (its key at rec + 1) and the depth it is
	 * stored at now, -1 for a leaf not stored yet. */
	uint8_t rec[BTT_SMT_NODE_LEN];
	int stored;
};

struct put_rec {
	uint8_t key[BTT_SMT_NODE_KEY_LEN];
	uint8_t rec[BTT_SMT_NODE_LEN];
};

struct upd {
	struct btt_ledger_txn *t;
	const struct btt_smt_change *ch;
	struct btt_vec puts; /* struct put_rec */
	struct btt_vec dels; /* uint8_t[BTT_SMT_NODE_KEY_LEN] */
	struct btt_smt_stats st;
};

void btt_ledger_smt_leaf_hash(const uint8_t key[BTT_SMT_KEY_LEN],
			      const uint8_t value_hash[BTT_SMT_HASH_LEN],
			      uint8_t out[BTT_SMT_HASH_LEN])
{
	uint8_t rec[BTT_SMT_NODE_LEN];
	rec[0] = BTT_SMT_TAG_LEAF;
	memcpy(rec + 1, key, BTT_SMT_KEY_LEN);
	memcpy(rec + 33, value_hash, BTT_SMT_HASH_LEN);
	btt_keccak256(rec, sizeof(rec), out);
}

void btt_ledger_smt_inner_hash(const uint8_t left[BTT_SMT_HASH_LEN],
			       const uint8_t right[BTT_SMT_HASH_LEN],
			       uint8_t out[BTT_SMT_HASH_LEN])
{
	uint8_t rec[BTT_SMT_NODE_LEN];
	rec[0] = BTT_SMT_TAG_INNER;
	memcpy(rec + 1, left, BTT_SMT_HASH_LEN);
	memcpy(rec + 33, right, BTT_SMT_HASH_LEN);
	btt_keccak256(rec, sizeof(rec), out);
}

void btt_ledger_smt_node_key(const uint8_t path[BTT_SMT_KEY_LEN], unsigned d,
			     const uint8_t h[BTT_SMT_HASH_LEN],
			     uint8_t out[BTT_SMT_NODE_KEY_LEN])
{
	btt_smt_node_key(path, d, h, out);
}

int btt_ledger_smt_node_read(struct btt_ledger_txn *t,
			     const uint8_t path[BTT_SMT_KEY_LEN], unsigned d,
			     const uint8_t h[BTT_SMT_HASH_LEN],
			     uint8_t rec[BTT_SMT_NODE_LEN])
{
	uint8_t key[BTT_SMT_NODE_KEY_LEN];
	struct btt_cur c;
	int rc;

	btt_smt_node_key(path, d, h, key);
	rc = btt_ledger_txn_get(t, BTT_LEDGER_DB_SMT, key, sizeof(key), &c);
	if (rc == BTT_ENOTFOUND)
		return BTT_ECORRUPT;
	if (rc)
		return rc;
	if (btt_cur_len(&c) != BTT_SMT_NODE_LEN ||
	    (c.p[0] != BTT_SMT_TAG_LEAF && c.p[0] != BTT_SMT_TAG_INNER))
		return BTT_ECORRUPT;
	memcpy(rec, c.p, BTT_SMT_NODE_LEN);
	return 0;
}

static void set_empty(struct res *r)
{
	memset(r->h, 0, sizeof(r->h));
	r->kind = K_EMPTY;
}

/* A child hash taken from a stored inner node. */
static void set_stored(struct res *r, const uint8_t h[BTT_SMT_HASH_LEN])
{
	memcpy(r->h, h, BTT_SMT_HASH_LEN);
	r->kind = btt_smt_is_empty(h) ? K_EMPTY : K_UNKNOWN;
}

/* A leaf result from its record, stored at depth `stored` (-1: not). */
static void set_leaf(struct res *r, const uint8_t rec[BTT_SMT_NODE_LEN],
		     const uint8_t h[BTT_SMT_HASH_LEN], int stored)
{
	memcpy(r->rec, rec, BTT_SMT_NODE_LEN);
	memcpy(r->h, h, BTT_SMT_HASH_LEN);
	r->kind = K_LEAF;
	r->stored = stored;
}

static void push_put(struct upd *u, const uint8_t *path, unsigned d,
		     const uint8_t h[BTT_SMT_HASH_LEN],
		     const uint8_t rec[BTT_SMT_NODE_LEN])
{
	struct put_rec *p = btt_vec_push(&u->puts, NULL);
	if (!p)
		abort(); /* sized by the batch, not by input */
	btt_smt_node_key(path, d, h, p->key);
	memcpy(p->rec, rec, BTT_SMT_NODE_LEN);
}

static void push_del(struct upd *u, const uint8_t *path, unsigned d,
		     const uint8_t h[BTT_SMT_HASH_LEN])
{
	uint8_t *k = btt_vec_push(&u->dels, NULL);
	if (!k)
		abort();
	btt_smt_node_key(path, d, h, k);
}

/* Writes leaf r at depth d (its final place), removing it from where it
 * was stored if that differs. */
static void place_leaf(struct upd *u, const struct res *r, unsigned d)
{
	const uint8_t *key = r->rec + 1;
	if (r->stored == (int)d)
		return;
	if (r->stored >= 0)
		push_del(u, key, (unsigned)r->stored, r->h);
	push_put(u, key, d, r->h, r->rec);
}

static void new_leaf(struct upd *u, const struct btt_smt_change *c,
		     struct res *out)
{
	uint8_t rec[BTT_SMT_NODE_LEN], h[BTT_SMT_HASH_LEN];
	rec[0] = BTT_SMT_TAG_LEAF;
	memcpy(rec + 1, c->key, BTT_SMT_KEY_LEN);
	btt_keccak256(c->value, c->value_len, rec + 33);
	btt_keccak256(rec, sizeof(rec), h);
	u->st.hashes += 2;
	set_leaf(out, rec, h, -1);
}

/* The inner node at depth d on path's path over children l and r; leaf
 * children settle at depth d + 1. */
static void new_inner(struct upd *u, const uint8_t *path, unsigned d,
		      const struct res *l, const struct res *r, struct res *out)
{
	uint8_t rec[BTT_SMT_NODE_LEN];
	rec[0] = BTT_SMT_TAG_INNER;
	memcpy(rec + 1, l->h, BTT_SMT_HASH_LEN);
	memcpy(rec + 33, r->h, BTT_SMT_HASH_LEN);
	btt_keccak256(rec, sizeof(rec), out->h);
	u->st.hashes++;
	out->kind = K_INNER;
	push_put(u, path, d, out->h, rec);
	if (l->kind == K_LEAF)
		place_leaf(u, l, d + 1);
	if (r->kind == K_LEAF)
		place_leaf(u, r, d + 1);
}

/* Reads an UNKNOWN child (at depth d + 1, on side `side` of the node at
 * depth d on path's path) to learn whether it is a leaf. */
static int resolve(struct upd *u, const uint8_t *path, unsigned d,
		   unsigned side, struct res *c)
{
	uint8_t p[BTT_SMT_KEY_LEN], rec[BTT_SMT_NODE_LEN];
	int rc;

	memcpy(p, path, sizeof(p));
	p[d >> 3] = (uint8_t)((p[d >> 3] & ~(0x80u >> (d & 7))) |
			      (side << (7 - (d & 7))));
	rc = btt_ledger_smt_node_read(u->t, p, d + 1, c->h, rec);
	u->st.reads++;
	if (rc)
		return rc;
	if (rec[0] == BTT_SMT_TAG_INNER)
		c->kind = K_INNER;
	else
		set_leaf(c, rec, c->h, (int)d + 1);
	return 0;
}

/* Joins two sibling subtrees into the node at depth d on path's path. A
 * single leaf next to an empty subtree rises to the parent's place: that
 * is what keeps the tree compact. */
static int combine(struct upd *u, const uint8_t *path, unsigned d,
		   struct res *l, struct res *r, struct res *out)
{
	if (l->kind == K_EMPTY && r->kind == K_EMPTY) {
		set_empty(out);
		return 0;
	}
	if (l->kind == K_EMPTY || r->kind == K_EMPTY) {
		struct res *c = l->kind == K_EMPTY ? r : l;
		if (c->kind == K_UNKNOWN) {
			int rc = resolve(u, path, d, c == r, c);
			if (rc)
				return rc;
		}
		if (c->kind == K_LEAF) {
			*out = *c;
			return 0;
		}
	}
	new_inner(u, path, d, l, r, out);
	return 0;
}

/* First index in [lo, hi) whose key has bit d set. The keys share their
 * first d bits and are sorted, so those with bit d clear come first. */
static size_t split(const struct btt_smt_change *ch, size_t lo, size_t hi,
		    unsigned d)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (btt_smt_bit(ch[mid].key, d))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Builds the subtree at depth d over an empty region, holding the puts of
 * changes [lo, hi) and, when x is not NULL, the kept leaf x. */
static int build(struct upd *u, unsigned d, size_t lo, size_t hi,
		 const struct res *x, struct res *out)
{
	const struct res *x0 = NULL, *x1 = NULL;
	struct res l, r;
	int rc;

	if (lo == hi) {
		if (x)
			*out = *x;
		else
			set_empty(out);
		return 0;
	}
	if (hi - lo == 1 && !x) {
		if (u->ch[lo].value)
			new_leaf(u, &u->ch[lo], out);
		else
			set_empty(out);
		return 0;
	}
	/* Two distinct keys differ before bit 256; only a store that lies
	 * about a leaf's position could get here. */
	if (d >= BTT_SMT_DEPTH)
		return BTT_ECORRUPT;
	size_t m = split(u->ch, lo, hi, d);
	if (x && btt_smt_bit(x->rec + 1, d))
		x1 = x;
	else
		x0 = x;
	rc = build(u, d + 1, lo, m, x0, &l);
	if (!rc)
		rc = build(u, d + 1, m, hi, x1, &r);
	if (!rc)
		rc = combine(u, u->ch[lo].key, d, &l, &r, out);
	return rc;
}

static bool batch_has(const struct btt_smt_change *ch, size_t lo, size_t hi,
		      const uint8_t key[BTT_SMT_KEY_LEN])
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(ch[mid].key, key, BTT_SMT_KEY_LEN);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The walk reached the stored leaf rec (hash h, depth d) with changes
 * [lo, hi). A leaf the batch changes is replaced; one it does not is kept
 * and pushed down among the new keys. */
static int upd_leaf(struct upd *u, unsigned d, const uint8_t *h,
		    const uint8_t rec[BTT_SMT_NODE_LEN], size_t lo, size_t hi,
		    struct res *out)
{
	struct res x;

	if (!btt_smt_prefix_eq(rec + 1, u->ch[lo].key, d))
		return BTT_ECORRUPT; /* a leaf off its own path */
	if (batch_has(u->ch, lo, hi, rec + 1)) {
		push_del(u, rec + 1, d, h);
		return build(u, d, lo, hi, NULL, out);
	}
	set_leaf(&x, rec, h, (int)d);
	return build(u, d, lo, hi, &x, out);
}

/* Applies changes [lo, hi) (non-empty, sharing their first d bits) to the
 * stored subtree h at depth d. */
static int upd(struct upd *u, unsigned d, const uint8_t *h, size_t lo,
	       size_t hi, struct res *out)
{
	const uint8_t *path = u->ch[lo].key;
	uint8_t rec[BTT_SMT_NODE_LEN];
	struct res l, r;
	size_t m;
	int rc;

	if (btt_smt_is_empty(h))
		return build(u, d, lo, hi, NULL, out);
	rc = btt_ledger_smt_node_read(u->t, path, d, h, rec);
	u->st.reads++;
	if (rc)
		return rc;
	if (rec[0] == BTT_SMT_TAG_LEAF)
		return upd_leaf(u, d, h, rec, lo, hi, out);
	if (d >= BTT_SMT_DEPTH)
		return BTT_ECORRUPT;
	m = split(u->ch, lo, hi, d);
	set_stored(&l, rec + 1);
	set_stored(&r, rec + 33);
	rc = m > lo ? upd(u, d + 1, rec + 1, lo, m, &l) : 0;
	if (!rc && hi > m)
		rc = upd(u, d + 1, rec + 33, m, hi, &r);
	if (!rc)
		rc = combine(u, path, d, &l, &r, out);
	if (!rc)
		push_del(u, path, d, h);
	return rc;
}

static int cmp_put(const void *a, const void *b)
{
	return memcmp(((const struct put_rec *)a)->key,
		      ((const struct put_rec *)b)->key, BTT_SMT_NODE_KEY_LEN);
}

static int cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, BTT_SMT_NODE_KEY_LEN);
}

/* Applies both lists, sorted, in one pass in store-key order. A key in
 * both lists is a node removed and written back unchanged: skipped. Keys
 * within each list are distinct: a node occurs at most once in a tree. */
static int flush(struct upd *u)
{
	size_t np = btt_vec_len(&u->puts), nd = btt_vec_len(&u->dels);
	struct put_rec *p = u->puts.data;
	uint8_t(*d)[BTT_SMT_NODE_KEY_LEN] = u->dels.data;
	size_t i = 0, j = 0;
	int rc = 0;

	if (np)
		qsort(p, np, sizeof(*p), cmp_put);
	if (nd)
		qsort(d, nd, sizeof(*d), cmp_key);
	while (!rc && (i < np || j < nd)) {
		int c = i == np ? 1
			: j == nd
				? -1
				: memcmp(p[i].key, d[j], BTT_SMT_NODE_KEY_LEN);
		if (c < 0) {
			rc = btt_ledger_txn_put(u->t, BTT_LEDGER_DB_SMT,
						p[i].key, BTT_SMT_NODE_KEY_LEN,
						p[i].rec, BTT_SMT_NODE_LEN);
			u->st.puts++;
			i++;
		} else if (c > 0) {
			rc = btt_ledger_txn_del(u->t, BTT_LEDGER_DB_SMT, d[j],
						BTT_SMT_NODE_KEY_LEN);
			if (rc == BTT_ENOTFOUND)
				rc = BTT_ECORRUPT;
			u->st.dels++;
			j++;
		} else {
			i++;
			j++;
		}
	}
	return rc;
}

static bool sorted(const struct btt_smt_change *ch, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (memcmp(ch[i - 1].key, ch[i].key, BTT_SMT_KEY_LEN) >= 0)
			return false;
	return true;
}

int btt_ledger_smt_update(struct btt_ledger_txn *t,
			  const uint8_t root[BTT_SMT_HASH_LEN],
			  const struct btt_smt_change *changes, size_t n,
			  uint8_t out_root[BTT_SMT_HASH_LEN],
			  struct btt_smt_stats *stats)
{
	struct upd u = {.t = t, .ch = changes};
	uint8_t old[BTT_SMT_HASH_LEN];
	struct res res;
	int rc = 0;

	if (!btt_ledger_txn_writable(t) || !sorted(changes, n))
		return BTT_EINVALID;
	memcpy(old, root, sizeof(old));
	set_empty(&res);
	memcpy(res.h, old, sizeof(old));
	btt_vec_init(&u.puts, sizeof(struct put_rec));
	btt_vec_init(&u.dels, BTT_SMT_NODE_KEY_LEN);
	if (n) {
		rc = upd(&u, 0, old, 0, n, &res);
		/* A leaf that ends as the whole tree sits at the root. */
		if (!rc && res.kind == K_LEAF)
			place_leaf(&u, &res, 0);
		if (!rc)
			rc = flush(&u);
	}
	if (!rc)
		memcpy(out_root, res.h, BTT_SMT_HASH_LEN);
	if (stats)
		*stats = u.st;
	btt_vec_release(&u.puts);
	btt_vec_release(&u.dels);
	return rc;
}

int btt_ledger_smt_get(struct btt_ledger_txn *t,
		       const uint8_t root[BTT_SMT_HASH_LEN],
		       const uint8_t key[BTT_SMT_KEY_LEN],
		       uint8_t out_value_hash[BTT_SMT_HASH_LEN])
{
	uint8_t rec[BTT_SMT_NODE_LEN], h[BTT_SMT_HASH_LEN];

	memcpy(h, root, sizeof(h));
	for (unsigned d = 0;; d++) {
		int rc;
		if (btt_smt_is_empty(h))
			return BTT_ENOTFOUND;
		rc = btt_ledger_smt_node_read(t, key, d, h, rec);
		if (rc)
			return rc;
		if (rec[0] == BTT_SMT_TAG_LEAF) {
			if (memcmp(rec + 1, key, BTT_SMT_KEY_LEN) != 0)
				return BTT_ENOTFOUND;
			memcpy(out_value_hash, rec + 33, BTT_SMT_HASH_LEN);
			return 0;
		}
		if (d >= BTT_SMT_DEPTH)
			return BTT_ECORRUPT;
		memcpy(h, rec + 1 + BTT_SMT_HASH_LEN * btt_smt_bit(key, d),
		       BTT_SMT_HASH_LEN);
	}
}
