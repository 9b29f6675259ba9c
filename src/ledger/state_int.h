/* The state object shared by state.c (overlay, journal, reads, writes),
 * state_acct.c (accounts) and state_commit.c (finish, supply, proofs).
 * Not for other modules. */
#ifndef BTT_LEDGER_STATE_INT_H
#define BTT_LEDGER_STATE_INT_H

#include "core/hmap.h"
#include "core/vec.h"
#include "ledger/state.h"

/* One changed record. val NULL means the record is deleted. */
struct btt_state_entry {
	uint8_t skey[BTT_SMT_KEY_LEN]; /* keccak256(ns || key) */
	uint8_t ns;
	uint8_t klen;
	uint8_t key[BTT_STATE_MAX_KEY];
	uint8_t *val; /* owned */
	size_t vlen;
};

/* Undo record: how entry idx was before one write. */
struct btt_state_undo {
	size_t idx;
	uint8_t *old; /* owned; NULL with created false: was deleted */
	size_t old_len;
	bool created; /* the write created the entry */
};

struct btt_ledger_state {
	struct btt_ledger_txn *txn;
	bool write;
	bool finished;
	bool fresh;
	uint64_t base_height;
	uint8_t base_root[BTT_SMT_HASH_LEN];
	uint8_t new_root[BTT_SMT_HASH_LEN];
	struct btt_hmap map;	/* skey -> index in entries */
	struct btt_vec entries; /* struct btt_state_entry, in creation order */
	struct btt_vec journal; /* struct btt_state_undo */
};

/* The overlay entry for a tree key, or NULL. */
struct btt_state_entry *btt_ledger_state_entry(struct btt_ledger_state *st,
					       const uint8_t *skey);

/* Records (ns, key) -> val (NULL: delete) in the overlay, copying val and
 * journaling the previous overlay value. skey is keccak256(ns || key).
 * Returns 0 or BTT_EINVALID (read-only or finished). */
int btt_ledger_state_set(struct btt_ledger_state *st, const uint8_t *skey,
			 uint8_t ns, const void *key, size_t klen,
			 const void *val, size_t vlen);

/* The account at addr whose tree key is skey, through the overlay. */
int btt_ledger_state_account_load(struct btt_ledger_state *st,
				  const uint8_t *skey,
				  const uint8_t addr[BTT_ADDR_LEN],
				  struct btt_ledger_account *out);

/* Writes the account (all zero: deletes it) through the overlay. */
int btt_ledger_state_account_store(struct btt_ledger_state *st,
				   const uint8_t *skey,
				   const uint8_t addr[BTT_ADDR_LEN],
				   const struct btt_ledger_account *a);

/* The tree root this view's tree currently has in the store. */
const uint8_t *btt_ledger_state_tree_root(const struct btt_ledger_state *st);

#endif
