/* Helpers for the ledger store, tree and state tests: temporary store
 * directories, a seeded generator, and a reference tree root computed
 * straight from the definition in ledger/smt.h (no node store, no
 * shortcuts in the code: it splits the key set bit by bit). Included by
 * test_store.c, test_smt*.c and test_state.c only. */
#ifndef BTT_TEST_STORE_UTIL_H
#define BTT_TEST_STORE_UTIL_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/hash.h"
#include "ledger/smt.h"
#include "ledger/store.h"

static inline int rm_entry(const char *p, const struct stat *st, int flag,
			   struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

/* Removes a directory tree (no symlinks followed). */
static inline void tree_remove(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh directory under /tmp; the caller frees the string. */
static inline char *tmp_dir(void)
{
	char tmpl[] = "/tmp/btt-ledger-test.XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return strdup(d);
}

/* splitmix64: a small deterministic generator, so every random test is
 * repeatable from its seed. */
static inline uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline void rng_bytes(uint64_t *s, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rng_next(s);
}

/* One key/value pair of a reference set. */
struct ref_kv {
	uint8_t key[32];
	uint8_t val[32];
	size_t vlen;
};

static inline int ref_kv_cmp(const void *a, const void *b)
{
	return memcmp(((const struct ref_kv *)a)->key,
		      ((const struct ref_kv *)b)->key, 32);
}

static inline unsigned ref_bit(const uint8_t *k, unsigned d)
{
	return (k[d / 8] >> (7 - d % 8)) & 1;
}

/* root(S, d) of smt.h, written again from the definition: S = kv[0..n),
 * sorted, all sharing their first d bits. *nodes counts the non-empty
 * nodes of the tree (what the store must hold). */
static inline void ref_root(const struct ref_kv *kv, size_t n, unsigned d,
			    uint8_t out[32], uint64_t *nodes)
{
	uint8_t buf[65], vh[32], l[32], r[32];
	size_t m = 0;

	if (n == 0) {
		memset(out, 0, 32);
		return;
	}
	++*nodes;
	if (n == 1) {
		btt_keccak256(kv[0].val, kv[0].vlen, vh);
		buf[0] = 0x00;
		memcpy(buf + 1, kv[0].key, 32);
		memcpy(buf + 33, vh, 32);
		btt_keccak256(buf, 65, out);
		return;
	}
	while (m < n && !ref_bit(kv[m].key, d))
		m++;
	ref_root(kv, m, d + 1, l, nodes);
	ref_root(kv + m, n - m, d + 1, r, nodes);
	buf[0] = 0x01;
	memcpy(buf + 1, l, 32);
	memcpy(buf + 33, r, 32);
	btt_keccak256(buf, 65, out);
}

/* Sorts kv and computes its reference root and node count. */
static inline void ref_root_of(struct ref_kv *kv, size_t n, uint8_t out[32],
			       uint64_t *nodes)
{
	*nodes = 0;
	if (n)
		qsort(kv, n, sizeof(*kv), ref_kv_cmp);
	ref_root(kv, n, 0, out, nodes);
}

/* Opens a store in dir, failing the test on error. */
static inline struct btt_ledger_store *store_open_ok(const char *dir,
						     uint64_t map_size)
{
	struct btt_ledger_store *s = NULL;
	assert_int_equal(btt_ledger_store_open(dir, map_size, &s), 0);
	assert_non_null(s);
	return s;
}

static inline uint64_t db_count(struct btt_ledger_store *s,
				enum btt_ledger_db db)
{
	struct btt_ledger_txn *t;
	uint64_t n = 0;
	assert_int_equal(btt_ledger_store_begin(s, false, &t), 0);
	assert_int_equal(btt_ledger_txn_count(t, db, &n), 0);
	btt_ledger_txn_abort(t);
	return n;
}

#endif
