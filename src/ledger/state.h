/* Ledger state: typed accounts and generic module records on top of the
 * store, committed to by the sparse Merkle tree.
 *
 * A struct btt_ledger_state is a view of the state at the last committed
 * block plus an in-memory overlay of the records changed since. Execution
 * of a block opens a writable state, reads its own writes through the
 * overlay, can undo to a mark (a failed transaction leaves no trace),
 * and finishes: the changed records are sorted, written to their
 * databases in key order, applied to the tree in key order (never in hash
 * table order), and the head is set to (height, new root). Committing is
 * the store's synced commit.
 *
 * Records (docs/ledger-state.md):
 *   namespace 0x00: accounts, key = 20-byte address, value = account
 *                   encoding below; stored in BTT_LEDGER_DB_ACCT.
 *   namespace m (1..255): records of module m (the module byte of its
 *                   transaction types), key 1..BTT_STATE_MAX_KEY bytes,
 *                   value 1..BTT_STATE_MAX_VALUE bytes; stored in
 *                   BTT_LEDGER_DB_REC under m || key.
 *   tree key = keccak256(namespace || key); tree value = the stored bytes.
 * An account whose balance, nonce and flags are all zero is not stored:
 * "absent" and "zero" are the same state, so there is one encoding of it.
 *
 * One thread uses a state at a time. */
#ifndef BTT_LEDGER_STATE_H
#define BTT_LEDGER_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"
#include "core/wbuf.h"
#include "crypto/address.h"
#include "ledger/smt.h"
#include "ledger/store.h"
#include "ledger/u128.h"

#define BTT_STATE_NS_ACCT 0x00

/* Account flags. Bits not listed are kept as they are. */
#define BTT_ACCT_MODULE (1u << 0)   /* module account: no key moves it */
#define BTT_ACCT_MULTISIG (1u << 1) /* spends need a multisig approval */

struct btt_ledger_account {
	btt_u128 balance;
	uint64_t nonce;
	uint32_t flags;
};

/* Account encoding: u128 balance || u64 nonce || u32 flags, big-endian,
 * exactly 28 bytes. */
#define BTT_ACCT_ENC_LEN 28

void btt_ledger_account_encode(const struct btt_ledger_account *a,
			       uint8_t out[BTT_ACCT_ENC_LEN]);

/* Returns 0, BTT_ETRUNCATED, BTT_ETRAILING, or BTT_ENONCANONICAL for the
 * all-zero account (which is never stored). */
int btt_ledger_account_decode(const uint8_t *p, size_t n,
			      struct btt_ledger_account *out);

/* The tree key of a record: keccak256(ns || key). */
void btt_ledger_state_key(uint8_t ns, const void *key, size_t klen,
			  uint8_t out[BTT_SMT_KEY_LEN]);

struct btt_ledger_state;

/* Opens a view of the last committed state. A writable state holds the
 * store's write transaction until it is committed or aborted. Returns 0,
 * BTT_ECORRUPT (the head names a root the tree does not hold) or a store
 * error (BTT_EINVALID: a write transaction is already open). */
int btt_ledger_state_open(struct btt_ledger_store *s, bool write,
			  struct btt_ledger_state **out);

/* The store transaction under st, so that records outside the state
 * (blocks, the transaction index) commit atomically with it. Only st's
 * _commit and _abort may end it. */
struct btt_ledger_txn *btt_ledger_state_txn(struct btt_ledger_state *st);

/* Height and root of the committed state this view started from; height
 * 0 and root EMPTY for a fresh store (*out_fresh tells, may be NULL). */
void btt_ledger_state_base(const struct btt_ledger_state *st,
			   uint64_t *out_height,
			   uint8_t out_root[BTT_SMT_HASH_LEN], bool *out_fresh);

/* The account at addr, through the overlay; an absent account reads as
 * all zero. Returns 0, BTT_ECORRUPT (bad stored record) or a store error. */
int btt_ledger_state_account_get(struct btt_ledger_state *st,
				 const uint8_t addr[BTT_ADDR_LEN],
				 struct btt_ledger_account *out);

/* Sets the account (all zero removes it). Returns 0, BTT_EINVALID
 * (read-only or finished state). */
int btt_ledger_state_account_put(struct btt_ledger_state *st,
				 const uint8_t addr[BTT_ADDR_LEN],
				 const struct btt_ledger_account *a);

/* balance += amount. Returns 0, BTT_EOVERFLOW (nothing changed) or as
 * _get/_put. */
int btt_ledger_state_credit(struct btt_ledger_state *st,
			    const uint8_t addr[BTT_ADDR_LEN], btt_u128 amount);

/* balance -= amount. Returns 0, BTT_EFUNDS (balance too small; nothing
 * changed) or as _get/_put. */
int btt_ledger_state_debit(struct btt_ledger_state *st,
			   const uint8_t addr[BTT_ADDR_LEN], btt_u128 amount);

/* Moves amount from one account to another; both change or neither does.
 * A transfer to oneself only checks the balance. Returns 0, BTT_EFUNDS,
 * BTT_EOVERFLOW or as _get/_put. */
int btt_ledger_state_transfer(struct btt_ledger_state *st,
			      const uint8_t from[BTT_ADDR_LEN],
			      const uint8_t to[BTT_ADDR_LEN], btt_u128 amount);

/* A module record, through the overlay. *out views bytes owned by the
 * state (or the store), valid until the next write to st. Returns 0,
 * BTT_ENOTFOUND, BTT_EINVALID (ns 0, key length 0), BTT_ELIMIT (key
 * above BTT_STATE_MAX_KEY), BTT_ECORRUPT or a store error. */
int btt_ledger_state_rec_get(struct btt_ledger_state *st, uint8_t ns,
			     const void *key, size_t klen, struct btt_cur *out);

/* Sets a module record (the value is copied). Returns 0, BTT_EINVALID
 * (read-only or finished state, ns 0, key or value length 0) or
 * BTT_ELIMIT (key or value above its maximum). */
int btt_ledger_state_rec_put(struct btt_ledger_state *st, uint8_t ns,
			     const void *key, size_t klen, const void *val,
			     size_t vlen);

/* Removes a module record (absent is fine). Errors as _rec_put. */
int btt_ledger_state_rec_del(struct btt_ledger_state *st, uint8_t ns,
			     const void *key, size_t klen);

/* A mark in the overlay's undo journal; _revert undoes every write made
 * after it (marks nest: reverting to an outer mark undoes the inner ones
 * too). The journal keeps every overwritten value until the state ends,
 * which a block's size bounds. _revert returns 0 or BTT_EINVALID (a mark
 * beyond the journal, or a finished state). */
size_t btt_ledger_state_mark(const struct btt_ledger_state *st);
int btt_ledger_state_revert(struct btt_ledger_state *st, size_t mark);

/* Number of records the overlay changes. */
size_t btt_ledger_state_changes(const struct btt_ledger_state *st);

/* Sum of every account balance as this view sees it (committed state
 * plus overlay), for the supply invariant. Walks every account: meant for
 * tests and debug checks. Returns 0, BTT_EOVERFLOW, BTT_ECORRUPT or a
 * store error. */
int btt_ledger_state_supply(struct btt_ledger_state *st, btt_u128 *out);

/* Writes the overlay to the store and the tree in key order and sets the
 * head to (height, new root); *out_root gets the root. height must be the
 * base height + 1 (any height on a fresh store, for genesis). The state
 * can then only be committed or aborted. stats may be NULL. Returns 0,
 * BTT_EINVALID (read-only, already finished, wrong height) or a store or
 * tree error (then only abort remains). */
int btt_ledger_state_finish(struct btt_ledger_state *st, uint64_t height,
			    uint8_t out_root[BTT_SMT_HASH_LEN],
			    struct btt_smt_stats *stats);

/* Commits a finished state (synced) and frees st, also on failure.
 * Returns 0, BTT_EINVALID (not finished: st is aborted) or the store's
 * commit error (BTT_ESTOREFULL...). For a read-only state: frees it. */
int btt_ledger_state_commit(struct btt_ledger_state *st);

/* Discards everything and frees st. NULL is a no-op. */
void btt_ledger_state_abort(struct btt_ledger_state *st);

/* Appends the tree proof (smt.h) for record (ns, key; an account: ns 0
 * and the 20-byte address) against the root of the tree in the store:
 * the base root, or after _finish the new one. The overlay is not
 * consulted. Returns 0, BTT_EINVALID / BTT_ELIMIT (key length), or an
 * error of btt_ledger_smt_prove. */
int btt_ledger_state_prove(struct btt_ledger_state *st, uint8_t ns,
			   const void *key, size_t klen, struct btt_wbuf *out);

/* Light-client check: that (ns, key) maps to value (or, value NULL, is
 * absent) under root; an account's value is its 28-byte encoding.
 * Returns as btt_ledger_smt_verify, or BTT_EINVALID / BTT_ELIMIT for a
 * bad key length. */
int btt_ledger_state_verify(const uint8_t root[BTT_SMT_HASH_LEN], uint8_t ns,
			    const void *key, size_t klen, const uint8_t *value,
			    size_t vlen, const uint8_t *proof,
			    size_t proof_len);

#endif
