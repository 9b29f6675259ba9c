/* Sparse Merkle tree updates: roots against the reference computed from
 * the definition, over seeded random insert/update/delete sequences with
 * clustered keys; order independence; pruning (the store holds exactly
 * the nodes of the latest tree); batch validation and damaged stores. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "btt/err.h"
#include "ledger/smt.h"
#include "ledger/store.h"
#include "test_store_util.h"

#define MAX_KEYS 512

struct fix {
	char *dir;
	struct btt_ledger_store *s;
	struct ref_kv model[MAX_KEYS]; /* the expected key set */
	size_t n;
	uint8_t root[32];
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->dir = tmp_dir();
	f->s = store_open_ok(f->dir, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	btt_ledger_store_free(f->s);
	tree_remove(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static int cmp_change(const void *a, const void *b)
{
	return memcmp(((const struct btt_smt_change *)a)->key,
		      ((const struct btt_smt_change *)b)->key, 32);
}

/* Applies changes (sorted here) in one committed transaction. */
static int apply(struct fix *f, struct btt_smt_change *ch, size_t n,
		 struct btt_smt_stats *st)
{
	struct btt_ledger_txn *t;
	int rc;

	qsort(ch, n, sizeof(*ch), cmp_change);
	assert_int_equal(btt_ledger_store_begin(f->s, true, &t), 0);
	rc = btt_ledger_smt_update(t, f->root, ch, n, f->root, st);
	if (rc) {
		btt_ledger_txn_abort(t);
		return rc;
	}
	assert_int_equal(btt_ledger_txn_commit(t), 0);
	return 0;
}

static ssize_t model_find(const struct fix *f, const uint8_t *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (memcmp(f->model[i].key, key, 32) == 0)
			return (ssize_t)i;
	return -1;
}

/* Root and stored node count must match the reference. */
static void check_against_ref(struct fix *f)
{
	uint8_t want[32];
	uint64_t nodes;
	ref_root_of(f->model, f->n, want, &nodes);
	assert_memory_equal(f->root, want, 32);
	assert_int_equal(db_count(f->s, BTT_LEDGER_DB_SMT), nodes);
}

/* Every key of the model can be found, with its value. */
static void check_lookups(struct fix *f)
{
	struct btt_ledger_txn *t;
	uint8_t vh[32], want[32];

	assert_int_equal(btt_ledger_store_begin(f->s, false, &t), 0);
	for (size_t i = 0; i < f->n; i++) {
		assert_int_equal(
			btt_ledger_smt_get(t, f->root, f->model[i].key, vh), 0);
		btt_keccak256(f->model[i].val, f->model[i].vlen, want);
		assert_memory_equal(vh, want, 32);
	}
	btt_ledger_txn_abort(t);
}

/* Keys in clusters: a random base with a few low or middle bits changed,
 * so leaves sit deep and inner nodes with one EMPTY child appear. */
static void gen_key(uint64_t *rng, const struct fix *f, uint8_t key[32])
{
	uint64_t r = rng_next(rng) % 4;
	if (r == 0 || f->n == 0) {
		rng_bytes(rng, key, 32);
		return;
	}
	memcpy(key, f->model[rng_next(rng) % f->n].key, 32);
	unsigned bit = r == 1 ? 255 - (unsigned)(rng_next(rng) % 8)
			      : (unsigned)(rng_next(rng) % 256);
	key[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
}

static void model_apply(struct fix *f, const struct btt_smt_change *c)
{
	ssize_t i = model_find(f, c->key);
	if (!c->value) {
		if (i >= 0)
			f->model[i] = f->model[--f->n];
		return;
	}
	if (i < 0) {
		i = (ssize_t)f->n++;
		memcpy(f->model[i].key, c->key, 32);
	}
	memcpy(f->model[i].val, c->value, c->value_len);
	f->model[i].vlen = c->value_len;
}

/* One random batch: new keys, updates, deletes of present and absent
 * keys, each key at most once. */
static size_t gen_batch(uint64_t *rng, struct fix *f, struct btt_smt_change *ch,
			uint8_t vals[][16])
{
	size_t want = 1 + rng_next(rng) % 40, n = 0;
	for (size_t tries = 0; n < want && tries < 200; tries++) {
		struct btt_smt_change c = {0};
		uint64_t op = rng_next(rng) % 3;
		if (op != 0 && f->n > 0)
			memcpy(c.key, f->model[rng_next(rng) % f->n].key, 32);
		else
			gen_key(rng, f, c.key);
		bool dup = false;
		for (size_t j = 0; j < n; j++)
			dup |= memcmp(ch[j].key, c.key, 32) == 0;
		if (dup || (f->n + n >= MAX_KEYS - 1 && op != 2))
			continue;
		if (op == 2) {
			c.value = NULL;
		} else {
			rng_bytes(rng, vals[n], 16);
			c.value = vals[n];
			c.value_len = 1 + rng_next(rng) % 16;
		}
		ch[n++] = c;
	}
	return n;
}

static void test_smt_random_sequences_match_reference(void **state)
{
	struct fix *f = *state;
	struct btt_smt_change ch[40];
	uint8_t vals[40][16];
	uint64_t rng = 0x5eed0001;

	for (int round = 0; round < 120; round++) {
		size_t n = gen_batch(&rng, f, ch, vals);
		for (size_t i = 0; i < n; i++)
			model_apply(f, &ch[i]);
		assert_int_equal(apply(f, ch, n, NULL), 0);
		check_against_ref(f);
		if (round % 10 == 9)
			check_lookups(f);
	}
	assert_true(f->n > 50);
}

static void test_smt_empty_tree_and_noops(void **state)
{
	struct fix *f = *state;
	struct btt_smt_change c = {0};
	struct btt_smt_stats st;
	static const uint8_t zero[32];

	assert_int_equal(apply(f, &c, 0, &st), 0);
	assert_memory_equal(f->root, zero, 32);
	memset(c.key, 7, 32);
	assert_int_equal(apply(f, &c, 1, &st), 0); /* delete absent */
	assert_memory_equal(f->root, zero, 32);
	assert_int_equal(st.puts + st.dels, 0);
	assert_int_equal(db_count(f->s, BTT_LEDGER_DB_SMT), 0);
}

static void test_smt_single_key_root_is_its_leaf(void **state)
{
	struct fix *f = *state;
	uint8_t v[3] = {1, 2, 3}, vh[32], leaf[32];
	struct btt_smt_change c = {.value = v, .value_len = sizeof(v)};

	memset(c.key, 0xa5, 32);
	assert_int_equal(apply(f, &c, 1, NULL), 0);
	btt_keccak256(v, sizeof(v), vh);
	btt_ledger_smt_leaf_hash(c.key, vh, leaf);
	assert_memory_equal(f->root, leaf, 32);
}

static void test_smt_unchanged_values_write_nothing(void **state)
{
	struct fix *f = *state;
	struct btt_smt_change ch[64];
	uint8_t vals[64][4], before[32];
	struct btt_smt_stats st;
	uint64_t rng = 42;

	for (size_t i = 0; i < 64; i++) {
		rng_bytes(&rng, ch[i].key, 32);
		rng_bytes(&rng, vals[i], 4);
		ch[i].value = vals[i];
		ch[i].value_len = 4;
	}
	assert_int_equal(apply(f, ch, 64, NULL), 0);
	memcpy(before, f->root, 32);
	assert_int_equal(apply(f, ch, 64, &st), 0);
	assert_memory_equal(f->root, before, 32);
	assert_int_equal(st.puts, 0);
	assert_int_equal(st.dels, 0);
	assert_true(st.reads > 0);
}

static void shuffle(uint64_t *rng, struct btt_smt_change *ch, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = rng_next(rng) % i;
		struct btt_smt_change tmp = ch[i - 1];
		ch[i - 1] = ch[j];
		ch[j] = tmp;
	}
}

static void test_smt_root_independent_of_order(void **state)
{
	struct fix *f = *state;
	struct btt_smt_change ch[100], extra[30];
	uint8_t vals[100][8], a[32], b[32], c[32];
	uint64_t rng = 7, na, nb;

	for (size_t i = 0; i < 100; i++) {
		rng_bytes(&rng, ch[i].key, 32);
		if (i % 3 == 0) /* neighbours of earlier keys */
			memcpy(ch[i].key, ch[i / 2].key, 31);
		rng_bytes(&rng, vals[i], 8);
		ch[i].value = vals[i];
		ch[i].value_len = 8;
	}
	assert_int_equal(apply(f, ch, 100, NULL), 0); /* one batch */
	memcpy(a, f->root, 32);
	na = db_count(f->s, BTT_LEDGER_DB_SMT);

	/* Again from empty, one key at a time in a shuffled order, with
	 * extra keys inserted midway and deleted at the end. */
	memset(f->root, 0, 32);
	btt_ledger_store_free(f->s);
	tree_remove(f->dir);
	f->s = store_open_ok(f->dir, 0);
	shuffle(&rng, ch, 100);
	for (size_t i = 0; i < 30; i++) {
		rng_bytes(&rng, extra[i].key, 32);
		extra[i].value = vals[i];
		extra[i].value_len = 3;
	}
	assert_int_equal(apply(f, extra, 30, NULL), 0);
	for (size_t i = 0; i < 100; i++)
		assert_int_equal(apply(f, &ch[i], 1, NULL), 0);
	memcpy(c, f->root, 32);
	for (size_t i = 0; i < 30; i++)
		extra[i].value = NULL;
	assert_int_equal(apply(f, extra, 30, NULL), 0);
	memcpy(b, f->root, 32);
	nb = db_count(f->s, BTT_LEDGER_DB_SMT);
	assert_memory_equal(a, b, 32);
	assert_memory_not_equal(a, c, 32);
	assert_int_equal(na, nb);
}

static void test_smt_delete_all_leaves_store_empty(void **state)
{
	struct fix *f = *state;
	struct btt_smt_change ch[200], del[100];
	uint8_t v = 1;
	static const uint8_t zero[32];
	uint64_t rng = 99;

	for (size_t i = 0; i < 200; i++) {
		rng_bytes(&rng, ch[i].key, 32);
		ch[i].value = &v;
		ch[i].value_len = 1;
	}
	assert_int_equal(apply(f, ch, 200, NULL), 0);
	assert_true(db_count(f->s, BTT_LEDGER_DB_SMT) >= 399);
	for (size_t i = 0; i < 100; i++) {
		memset(&del[i], 0, sizeof(del[i]));
		memcpy(del[i].key, ch[2 * i].key, 32);
	}
	assert_int_equal(apply(f, del, 100, NULL), 0);
	assert_memory_not_equal(f->root, zero, 32);
	/* now every other key is gone; delete the rest */
	rng = 99;
	for (size_t i = 0; i < 200; i++) {
		rng_bytes(&rng, ch[i].key, 32);
		ch[i].value = NULL;
	}
	assert_int_equal(apply(f, ch, 200, NULL), 0);
	assert_memory_equal(f->root, zero, 32);
	assert_int_equal(db_count(f->s, BTT_LEDGER_DB_SMT), 0);
}

/* Keys equal but for their last bit end as leaves at depth 256. */
static void test_smt_deepest_leaves(void **state)
{
	struct fix *f = *state;
	struct btt_smt_change ch[3];
	uint8_t v = 9;

	memset(ch, 0, sizeof(ch));
	memset(ch[0].key, 0x3c, 32);
	memcpy(ch[1].key, ch[0].key, 32);
	ch[1].key[31] ^= 1;
	memcpy(ch[2].key, ch[0].key, 32);
	ch[2].key[0] ^= 0x80;
	for (int i = 0; i < 3; i++) {
		ch[i].value = &v;
		ch[i].value_len = 1;
		model_apply(f, &ch[i]);
	}
	assert_int_equal(apply(f, ch, 3, NULL), 0);
	check_against_ref(f);
	/* removing one of the twins lifts the other to depth 1 */
	ch[1].value = NULL;
	model_apply(f, &ch[1]);
	assert_int_equal(apply(f, &ch[1], 1, NULL), 0);
	check_against_ref(f);
	assert_int_equal(db_count(f->s, BTT_LEDGER_DB_SMT), 3);
}

static void test_smt_get_present_and_absent(void **state)
{
	struct fix *f = *state;
	struct btt_smt_change ch[20];
	uint8_t vals[20][5], vh[32], want[32], key[32];
	struct btt_ledger_txn *t;
	uint64_t rng = 5;

	for (size_t i = 0; i < 20; i++) {
		rng_bytes(&rng, ch[i].key, 32);
		rng_bytes(&rng, vals[i], 5);
		ch[i].value = vals[i];
		ch[i].value_len = 5;
	}
	assert_int_equal(apply(f, ch, 20, NULL), 0);
	assert_int_equal(btt_ledger_store_begin(f->s, false, &t), 0);
	for (size_t i = 0; i < 20; i++) {
		assert_int_equal(btt_ledger_smt_get(t, f->root, ch[i].key, vh),
				 0);
		btt_keccak256(ch[i].value, 5, want);
		assert_memory_equal(vh, want, 32);
		memcpy(key, ch[i].key, 32);
		key[31] ^= 1;
		assert_int_equal(btt_ledger_smt_get(t, f->root, key, vh),
				 BTT_ENOTFOUND);
	}
	btt_ledger_txn_abort(t);
}

static void test_smt_bad_batches_rejected(void **state)
{
	struct fix *f = *state;
	struct btt_smt_change ch[2];
	struct btt_ledger_txn *t;
	uint8_t out[32], v = 1;

	memset(ch, 0, sizeof(ch));
	ch[0].value = ch[1].value = &v;
	ch[0].value_len = ch[1].value_len = 1;
	assert_int_equal(btt_ledger_store_begin(f->s, true, &t), 0);
	/* duplicate key */
	assert_int_equal(btt_ledger_smt_update(t, f->root, ch, 2, out, NULL),
			 BTT_EINVALID);
	/* descending */
	ch[0].key[0] = 2;
	ch[1].key[0] = 1;
	assert_int_equal(btt_ledger_smt_update(t, f->root, ch, 2, out, NULL),
			 BTT_EINVALID);
	btt_ledger_txn_abort(t);
	/* read-only transaction */
	ch[0].key[0] = 0;
	assert_int_equal(btt_ledger_store_begin(f->s, false, &t), 0);
	assert_int_equal(btt_ledger_smt_update(t, f->root, ch, 2, out, NULL),
			 BTT_EINVALID);
	btt_ledger_txn_abort(t);
}

static void test_smt_missing_node_is_corrupt(void **state)
{
	struct fix *f = *state;
	struct btt_smt_change ch[8];
	struct btt_ledger_txn *t;
	uint8_t v = 1, out[32], vh[32], nk[BTT_SMT_NODE_KEY_LEN];
	uint64_t rng = 3;

	for (size_t i = 0; i < 8; i++) {
		rng_bytes(&rng, ch[i].key, 32);
		ch[i].value = &v;
		ch[i].value_len = 1;
	}
	assert_int_equal(apply(f, ch, 8, NULL), 0);
	btt_ledger_smt_node_key(ch[0].key, 0, f->root, nk);
	assert_int_equal(btt_ledger_store_begin(f->s, true, &t), 0);
	assert_int_equal(
		btt_ledger_txn_del(t, BTT_LEDGER_DB_SMT, nk, sizeof(nk)), 0);
	qsort(ch, 8, sizeof(*ch), cmp_change);
	assert_int_equal(btt_ledger_smt_update(t, f->root, ch, 1, out, NULL),
			 BTT_ECORRUPT);
	assert_int_equal(btt_ledger_smt_get(t, f->root, ch[0].key, vh),
			 BTT_ECORRUPT);
	/* a record of the wrong size */
	assert_int_equal(btt_ledger_txn_put(t, BTT_LEDGER_DB_SMT, nk,
					    sizeof(nk), "x", 1),
			 0);
	assert_int_equal(btt_ledger_smt_get(t, f->root, ch[0].key, vh),
			 BTT_ECORRUPT);
	btt_ledger_txn_abort(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_smt_random_sequences_match_reference),
		T(test_smt_empty_tree_and_noops),
		T(test_smt_single_key_root_is_its_leaf),
		T(test_smt_unchanged_values_write_nothing),
		T(test_smt_root_independent_of_order),
		T(test_smt_delete_all_leaves_store_empty),
		T(test_smt_deepest_leaves),
		T(test_smt_get_present_and_absent),
		T(test_smt_bad_batches_rejected),
		T(test_smt_missing_node_is_corrupt),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
