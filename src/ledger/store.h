/* The ledger store: one LMDB environment holding every piece of ledger
 * state, in named databases, behind a small transaction API.
 *
 * Durability rule: a block is applied in ONE write transaction that also
 * records the new head (height and state root) in the meta database, and
 * the commit is synced (LMDB's default: data pages, then the meta page,
 * each fsynced). LMDB switches meta pages atomically, so after a crash or a
 * `kill -9` the store holds block H-1 or block H, never a mix.
 *
 * Errors: LMDB's codes never leave this file. They are mapped to btt codes
 * at the boundary (docs/ledger-state.md): MDB_NOTFOUND -> BTT_ENOTFOUND,
 * MDB_MAP_FULL -> BTT_ESTOREFULL, a damaged file -> BTT_ECORRUPT, a
 * system error -> -errno, anything else -> BTT_ESTORE (logged once with
 * LMDB's text).
 *
 * Threads: a store may be shared by threads. A transaction belongs to the
 * thread using it; only one write transaction exists at a time (LMDB has
 * one writer), and the store refuses a second one instead of blocking.
 * Read transactions never block and see the last committed state. */
#ifndef BTT_LEDGER_STORE_H
#define BTT_LEDGER_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cur.h"

/* Default map size: 64 GiB of address space. The file itself is sparse
 * and grows only as pages are written. */
#define BTT_LEDGER_STORE_MAP_DEFAULT ((uint64_t)64 << 30)
#define BTT_LEDGER_ROOT_LEN 32
/* LMDB's limit on key size with its default build. */
#define BTT_LEDGER_STORE_MAX_KEY 511

/* The named databases. New ones (blocks, commits, tx index...) are
 * appended here and in the name table of store.c. */
enum btt_ledger_db {
	BTT_LEDGER_DB_META = 0, /* head record: format, height, state root */
	BTT_LEDGER_DB_ACCT,	/* address[20] -> account encoding */
	BTT_LEDGER_DB_REC,	/* module u8 || key -> module record */
	BTT_LEDGER_DB_SMT,	/* position[8] || hash[32] -> node (smt.h) */
	/* the block store (blockstore.h), written in the block's transaction */
	BTT_LEDGER_DB_BLOCK,   /* u64 height -> block hash || signed block */
	BTT_LEDGER_DB_BLOCKID, /* block hash[32] -> u64 height */
	BTT_LEDGER_DB_TXIDX,   /* txid[32] -> location and receipt */
	BTT_LEDGER_DB_HIST,    /* address || u64 height || u32 index -> txid */
	BTT_LEDGER_DB_COUNT,
};

struct btt_ledger_store;
struct btt_ledger_txn;
struct btt_ledger_iter;

/* Opens (creating if needed, mode 0700 directory and 0600 files) the
 * environment in directory dir. map_size 0 means the default. Returns 0,
 * -errno, BTT_ECORRUPT (not an LMDB file, or a damaged one),
 * BTT_EUNSUPPORTED (another LMDB version or store format) or BTT_ESTORE. */
int btt_ledger_store_open(const char *dir, uint64_t map_size,
			  struct btt_ledger_store **out);

/* Closes the environment. Every transaction must be finished first.
 * NULL is a no-op. */
void btt_ledger_store_free(struct btt_ledger_store *s);

/* Starts a transaction. A read transaction sees the last commit for its
 * whole life. Returns 0, BTT_EINVALID (a write transaction is already
 * open on this store) or a mapped LMDB error. */
int btt_ledger_store_begin(struct btt_ledger_store *s, bool write,
			   struct btt_ledger_txn **out);

/* Commits and frees t. For a write transaction this is the synced,
 * atomic commit described above. If t holds a sticky error, or the
 * commit fails, nothing is written, t is freed and the error returned
 * (BTT_ESTOREFULL when the map is full: reopen with a larger map size).
 * Committing a read transaction just ends it. */
int btt_ledger_txn_commit(struct btt_ledger_txn *t);

/* Discards t's changes and frees it. NULL is a no-op. */
void btt_ledger_txn_abort(struct btt_ledger_txn *t);

bool btt_ledger_txn_writable(const struct btt_ledger_txn *t);

/* The sticky error of a write transaction (0 while healthy). */
int btt_ledger_txn_err(const struct btt_ledger_txn *t);

/* Looks key up. On success *out views the value inside the map; the view
 * is valid until t ends or the next put/del in t. Returns 0,
 * BTT_ENOTFOUND, BTT_EINVALID (key length 0 or above the maximum) or a
 * mapped error. */
int btt_ledger_txn_get(struct btt_ledger_txn *t, enum btt_ledger_db db,
		       const void *key, size_t klen, struct btt_cur *out);

/* Inserts or replaces. Any failure becomes t's sticky error: every later
 * put, del and the commit return it. Returns 0, BTT_EINVALID (read
 * transaction, bad key length), BTT_ESTOREFULL or a mapped error. */
int btt_ledger_txn_put(struct btt_ledger_txn *t, enum btt_ledger_db db,
		       const void *key, size_t klen, const void *val,
		       size_t vlen);

/* Removes key. Returns 0, BTT_ENOTFOUND (absent; not sticky) or, as put,
 * a sticky error. */
int btt_ledger_txn_del(struct btt_ledger_txn *t, enum btt_ledger_db db,
		       const void *key, size_t klen);

/* The head: height and state root of the last applied block. Returns 0,
 * BTT_ENOTFOUND (nothing applied yet: a fresh store) or BTT_ECORRUPT. */
int btt_ledger_txn_head(struct btt_ledger_txn *t, uint64_t *out_height,
			uint8_t out_root[BTT_LEDGER_ROOT_LEN]);

/* Records the head in a write transaction (as put). */
int btt_ledger_txn_set_head(struct btt_ledger_txn *t, uint64_t height,
			    const uint8_t root[BTT_LEDGER_ROOT_LEN]);

/* Iterates, in key order, over the entries of db whose key starts with
 * prefix (plen may be 0: every entry). The iterator must be freed before
 * t ends. Returns 0, BTT_EINVALID (plen above the key maximum) or a
 * mapped error. */
int btt_ledger_iter_open(struct btt_ledger_txn *t, enum btt_ledger_db db,
			 const void *prefix, size_t plen,
			 struct btt_ledger_iter **out);

/* Next entry; the views are valid as for _get, and until the next call.
 * Returns 0, BTT_ENOTFOUND (done) or a mapped error. */
int btt_ledger_iter_next(struct btt_ledger_iter *it, struct btt_cur *out_key,
			 struct btt_cur *out_val);

/* NULL is a no-op. */
void btt_ledger_iter_free(struct btt_ledger_iter *it);

/* Number of entries in db, for tests and statistics. */
int btt_ledger_txn_count(struct btt_ledger_txn *t, enum btt_ledger_db db,
			 uint64_t *out);

#endif
