/* Sparse Merkle tree proofs: inclusion and both kinds of exclusion proof
 * verify against the root alone; every single-bit change to a proof, the
 * value, the key or the root makes verification fail; hostile encodings
 * get specific errors; the proof size cap at max-1, max and max+1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "btt/err.h"
#include "core/codec.h"
#include "core/limits.h"
#include "core/wbuf.h"
#include "ledger/smt.h"
#include "ledger/store.h"
#include "test_store_util.h"

#define N_KEYS 300

struct fix {
	char *dir;
	struct btt_ledger_store *s;
	struct ref_kv kv[N_KEYS + 260];
	size_t n;
	uint8_t root[32];
	uint8_t proof[BTT_SMT_MAX_PROOF + 8];
	size_t plen;
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

/* Writes f->kv[0..n) as one batch; checks the root against the
 * reference. */
static void build(struct fix *f)
{
	struct btt_smt_change *ch = calloc(f->n ? f->n : 1, sizeof(*ch));
	struct btt_ledger_txn *t;
	uint8_t want[32];
	uint64_t nodes;

	assert_non_null(ch);
	ref_root_of(f->kv, f->n, want, &nodes);
	for (size_t i = 0; i < f->n; i++) {
		memcpy(ch[i].key, f->kv[i].key, 32);
		ch[i].value = f->kv[i].val;
		ch[i].value_len = f->kv[i].vlen;
	}
	assert_int_equal(btt_ledger_store_begin(f->s, true, &t), 0);
	assert_int_equal(
		btt_ledger_smt_update(t, f->root, ch, f->n, f->root, NULL), 0);
	assert_int_equal(btt_ledger_txn_commit(t), 0);
	assert_memory_equal(f->root, want, 32);
	free(ch);
}

/* Proves key into f->proof and returns the proof kind. */
static int prove(struct fix *f, const uint8_t key[32])
{
	struct btt_ledger_txn *t;
	struct btt_wbuf w;

	btt_wbuf_init_fixed(&w, f->proof, sizeof(f->proof));
	assert_int_equal(btt_ledger_store_begin(f->s, false, &t), 0);
	assert_int_equal(btt_ledger_smt_prove(t, f->root, key, &w), 0);
	btt_ledger_txn_abort(t);
	f->plen = w.len;
	assert_true(f->plen >= 3 && f->plen <= BTT_SMT_MAX_PROOF);
	return f->proof[0];
}

static void random_tree(struct fix *f, uint64_t seed)
{
	uint64_t rng = seed;
	f->n = N_KEYS;
	for (size_t i = 0; i < f->n; i++) {
		rng_bytes(&rng, f->kv[i].key, 32);
		if (i % 4 == 1) /* a near neighbour: deep leaves */
			memcpy(f->kv[i].key, f->kv[i - 1].key, 30);
		f->kv[i].vlen = 1 + rng_next(&rng) % 16;
		rng_bytes(&rng, f->kv[i].val, f->kv[i].vlen);
	}
	build(f);
}

static int verify(const struct fix *f, const uint8_t *key, const uint8_t *val,
		  size_t vlen)
{
	return btt_ledger_smt_verify(f->root, key, val, vlen, f->proof,
				     f->plen);
}

static void test_smt_proof_present_keys_verify(void **state)
{
	struct fix *f = *state;
	random_tree(f, 11);
	for (size_t i = 0; i < f->n; i++) {
		const struct ref_kv *e = &f->kv[i];
		assert_int_equal(prove(f, e->key), BTT_SMT_PROOF_PRESENT);
		assert_int_equal(verify(f, e->key, e->val, e->vlen), 0);
		/* claiming absence, or another value, fails */
		assert_int_equal(verify(f, e->key, NULL, 0), BTT_EHASH);
		assert_int_equal(verify(f, e->key, e->val, e->vlen - 1),
				 BTT_EHASH);
	}
}

static void test_smt_proof_absent_keys_verify(void **state)
{
	struct fix *f = *state;
	uint64_t rng = 12;
	unsigned seen[3] = {0};
	uint8_t key[32], v = 0;

	random_tree(f, 11);
	for (int i = 0; i < 400; i++) {
		memcpy(key, f->kv[rng_next(&rng) % f->n].key, 32);
		key[rng_next(&rng) % 32] ^= (uint8_t)(1 + rng_next(&rng) % 255);
		int kind = prove(f, key);
		assert_true(kind != BTT_SMT_PROOF_PRESENT);
		seen[kind]++;
		assert_int_equal(verify(f, key, NULL, 0), 0);
		assert_int_equal(verify(f, key, &v, 1), BTT_EHASH);
	}
	assert_true(seen[BTT_SMT_PROOF_ABSENT_EMPTY] > 0);
	assert_true(seen[BTT_SMT_PROOF_ABSENT_LEAF] > 0);
}

/* Flips every bit of the proof in turn; none of the results verifies. */
static void flip_every_bit(struct fix *f, const uint8_t *key,
			   const uint8_t *val, size_t vlen)
{
	for (size_t i = 0; i < f->plen; i++) {
		for (int b = 0; b < 8; b++) {
			f->proof[i] ^= (uint8_t)(1u << b);
			assert_int_not_equal(verify(f, key, val, vlen), 0);
			f->proof[i] ^= (uint8_t)(1u << b);
		}
	}
	assert_int_equal(verify(f, key, val, vlen), 0);
}

static void test_smt_proof_tampering_fails(void **state)
{
	struct fix *f = *state;
	uint8_t key[32], root[32];

	random_tree(f, 21);
	for (size_t i = 0; i < 20; i++) {
		const struct ref_kv *e = &f->kv[i * 7];
		prove(f, e->key);
		flip_every_bit(f, e->key, e->val, e->vlen);
		/* a changed key, value or root */
		memcpy(key, e->key, 32);
		key[i] ^= 0x10;
		assert_int_equal(verify(f, key, e->val, e->vlen), BTT_EHASH);
		memcpy(root, f->root, 32);
		f->root[31 - i] ^= 1;
		assert_int_equal(verify(f, e->key, e->val, e->vlen), BTT_EHASH);
		memcpy(f->root, root, 32);
		/* an absent neighbour */
		key[i] ^= 0x10;
		key[31] ^= 0x01;
		prove(f, key);
		flip_every_bit(f, key, NULL, 0);
	}
}

static void test_smt_proof_empty_tree(void **state)
{
	struct fix *f = *state;
	static const uint8_t enc[] = {1, 0, 0};
	uint8_t key[32], v = 1;

	memset(key, 0x42, 32);
	assert_int_equal(prove(f, key), BTT_SMT_PROOF_ABSENT_EMPTY);
	assert_int_equal(f->plen, 3);
	assert_memory_equal(f->proof, enc, 3);
	assert_int_equal(verify(f, key, NULL, 0), 0);
	assert_int_equal(verify(f, key, &v, 1), BTT_EHASH);
}

/* A tree in which key's walk passes a non-EMPTY sibling at every depth:
 * key's neighbours across each bit 0..254, and key with bit 255 flipped
 * (present too when with_key). */
static void comb_tree(struct fix *f, const uint8_t key[32], bool with_key)
{
	f->n = 0;
	for (unsigned d = 0; d < 256; d++) {
		memcpy(f->kv[f->n].key, key, 32);
		f->kv[f->n].key[d / 8] ^= (uint8_t)(0x80 >> (d % 8));
		f->kv[f->n].val[0] = (uint8_t)d;
		f->kv[f->n++].vlen = 1;
	}
	if (with_key) {
		memcpy(f->kv[f->n].key, key, 32);
		f->kv[f->n].val[0] = 0xee;
		f->kv[f->n++].vlen = 1;
	}
	build(f);
}

static void test_smt_proof_size_limit(void **state)
{
	struct fix *f = *state;
	uint8_t key[32], v = 0xee;

	memset(key, 0x5a, 32);
	comb_tree(f, key, false);
	assert_int_equal(prove(f, key), BTT_SMT_PROOF_ABSENT_LEAF);
	assert_int_equal(f->plen, BTT_SMT_MAX_PROOF); /* max */
	assert_int_equal(verify(f, key, NULL, 0), 0);
	f->proof[f->plen++] = 0; /* max + 1 */
	assert_int_equal(verify(f, key, NULL, 0), BTT_ELIMIT);
	f->plen -= 2; /* max - 1 */
	assert_int_equal(verify(f, key, NULL, 0), BTT_ETRUNCATED);

	/* the deepest presence proof: 256 siblings */
	memset(f->root, 0, 32);
	btt_ledger_store_free(f->s);
	tree_remove(f->dir);
	f->s = store_open_ok(f->dir, 0);
	comb_tree(f, key, true);
	assert_int_equal(prove(f, key), BTT_SMT_PROOF_PRESENT);
	assert_int_equal(f->plen, 3 + 32 + 256 * 32);
	assert_int_equal(verify(f, key, &v, 1), 0);
}

struct hostile {
	const char *what;
	size_t len;
	uint8_t bytes[80];
	int want;
};

static void test_smt_proof_hostile_encodings(void **state)
{
	struct fix *f = *state;
	uint8_t key[32], other[32];

	/* A tree with key ff.. present and one other key 00..; key's proof
	 * is depth 1 with sibling leaf(00..). */
	memset(key, 0xff, 32);
	memset(other, 0x00, 32);
	f->n = 2;
	memcpy(f->kv[0].key, key, 32);
	memcpy(f->kv[1].key, other, 32);
	f->kv[0].vlen = f->kv[1].vlen = 1;
	build(f);
	prove(f, key);
	assert_int_equal(f->plen, 3 + 1 + 32);
	uint8_t good[36];
	memcpy(good, f->proof, 36);

	struct hostile h[] = {
		{"empty", 0, {0}, BTT_ETRUNCATED},
		{"kind only", 1, {0}, BTT_ETRUNCATED},
		{"half depth", 2, {0, 0}, BTT_ETRUNCATED},
		{"unknown kind", 3, {3, 0, 0}, BTT_EMALFORMED},
		{"depth 257", 3, {0, 1, 1}, BTT_EMALFORMED},
		{"depth 65535", 3, {0, 0xff, 0xff}, BTT_EMALFORMED},
		{"no bitmap", 3, {0, 0, 1}, BTT_ETRUNCATED},
		{"padding bit", 4, {0, 0, 1, 0xc0}, BTT_ENONCANONICAL},
		{"missing sibling", 4, {0, 0, 1, 0x80}, BTT_ETRUNCATED},
		{"deepest sibling EMPTY",
		 4,
		 {0, 0, 1, 0x00},
		 BTT_ENONCANONICAL},
		{"EMPTY written out", 36, {0, 0, 1, 0x80}, BTT_ENONCANONICAL},
		{"short leaf", 4 + 32 + 10, {2, 0, 1, 0x80, 1}, BTT_ETRUNCATED},
		{"trailing", 37, {0}, BTT_ETRAILING},
	};
	/* "trailing" is the good proof plus one byte */
	memcpy(h[12].bytes, good, 36);
	for (size_t i = 0; i < sizeof(h) / sizeof(h[0]); i++) {
		int rc = btt_ledger_smt_verify(f->root, key, f->kv[0].val, 1,
					       h[i].bytes, h[i].len);
		if (rc != h[i].want)
			fail_msg("%s: got %d want %d", h[i].what, rc,
				 h[i].want);
	}
}

static void test_smt_proof_absent_leaf_checks(void **state)
{
	struct fix *f = *state;
	uint8_t key[32], absent[32];

	memset(key, 0xff, 32);
	f->n = 2;
	memcpy(f->kv[0].key, key, 32);
	memset(f->kv[1].key, 0x00, 32);
	f->kv[0].vlen = f->kv[1].vlen = 1;
	build(f);
	/* ff..fe is absent: its walk ends at leaf ff.. at depth 1 */
	memcpy(absent, key, 32);
	absent[31] = 0xfe;
	assert_int_equal(prove(f, absent), BTT_SMT_PROOF_ABSENT_LEAF);
	assert_int_equal(verify(f, absent, NULL, 0), 0);
	/* used for the key it names: the other key is the key itself */
	assert_int_equal(verify(f, key, NULL, 0), BTT_EMALFORMED);
	/* used for a key whose path does not pass that leaf */
	absent[0] = 0x7f;
	assert_int_equal(verify(f, absent, NULL, 0), BTT_EMALFORMED);
}

static void unhex(const char *h, uint8_t *out)
{
	assert_int_equal(btt_hex_decode(h, strlen(h), out, strlen(h) / 2), 0);
}

/* The worked example of docs/ledger-state.md: keys 00..00 -> "a" and
 * ff..ff -> "b". */
static void test_smt_proof_documented_example(void **state)
{
	struct fix *f = *state;
	uint8_t want[32], key[32], enc[3 + 1 + 32 + 64];

	f->n = 2;
	memset(f->kv[0].key, 0x00, 32);
	memset(f->kv[1].key, 0xff, 32);
	f->kv[0].val[0] = 'a';
	f->kv[1].val[0] = 'b';
	f->kv[0].vlen = f->kv[1].vlen = 1;
	build(f);
	unhex("fdcf718065060f8073932217f7087fad18ffeb7666f41e57d6d9389af278f5b"
	      "6",
	      want);
	assert_memory_equal(f->root, want, 32);

	memset(key, 0xff, 32);
	assert_int_equal(prove(f, key), BTT_SMT_PROOF_PRESENT);
	memcpy(enc, "\x00\x00\x01\x80", 4);
	unhex("d801f6deeaef01d590ca7097dfdcaaf9a0639d7c18e5853dbdc737ef232aefd"
	      "0",
	      enc + 4);
	assert_int_equal(f->plen, 36);
	assert_memory_equal(f->proof, enc, 36);

	key[0] = 0x7f;
	assert_int_equal(prove(f, key), BTT_SMT_PROOF_ABSENT_LEAF);
	memcpy(enc, "\x02\x00\x01\x80", 4);
	unhex("6c781ce4ed691b4b087fbf1dc79b55c08feb0c07c60cdc24be7c35c8e4c966e"
	      "2",
	      enc + 4);
	memset(enc + 36, 0, 32);
	unhex("3ac225168df54212a25c1c01fd35bebfea408fdac2e31ddd6f80a4bbf9a5f1c"
	      "b",
	      enc + 68);
	assert_int_equal(f->plen, sizeof(enc));
	assert_memory_equal(f->proof, enc, sizeof(enc));
	assert_int_equal(verify(f, key, NULL, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_smt_proof_present_keys_verify),
		T(test_smt_proof_absent_keys_verify),
		T(test_smt_proof_tampering_fails),
		T(test_smt_proof_empty_tree),
		T(test_smt_proof_size_limit),
		T(test_smt_proof_hostile_encodings),
		T(test_smt_proof_absent_leaf_checks),
		T(test_smt_proof_documented_example),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
