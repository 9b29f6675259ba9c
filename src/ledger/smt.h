/* The sparse Merkle tree that commits to the ledger state.
 *
 * Keys are 256-bit strings (the state derives them as keccak256(namespace
 * || record key)); values are hashed. The root of a set S of (key, value)
 * pairs is defined on the set alone, splitting on key bit d (most
 * significant bit of byte 0 first) at depth d:
 *
 *   root(S, d) = EMPTY                               if S is empty
 *              = leaf(k, keccak256(v))               if S = {(k, v)}
 *              = inner(root(S0, d+1), root(S1, d+1)) otherwise
 *   leaf(k, h)   = keccak256(0x00 || k || h)         65 bytes hashed
 *   inner(l, r)  = keccak256(0x01 || l || r)         65 bytes hashed
 *   EMPTY        = 32 zero bytes, at every height
 *
 * where S0/S1 are the pairs whose bit d is 0/1. A subtree holding one key
 * is that key's leaf (a "shortcut" leaf), so an update hashes about
 * log2(n) nodes instead of 256. The root does not depend on how nodes are
 * stored, nor on the order changes were applied (docs/ledger-state.md).
 *
 * Storage: every non-empty node is stored in BTT_LEDGER_DB_SMT, its
 * record being exactly the 65 bytes it hashes, under the key
 *   position[8] || hash[32]
 * where position is the node's path from the root (its first min(depth,
 * 64) key bits, zero-padded to 8 bytes). The hash identifies the node;
 * the position prefix only places a subtree's nodes next to each other
 * in the store, so a block's updates dirty fewer pages. Only the latest
 * tree is kept: an update deletes, in the same write transaction, each
 * node the new tree no longer holds at that position (a node occurs at
 * most once in a tree, because every leaf holds a distinct key, so no
 * reference counts are needed). */
#ifndef BTT_LEDGER_SMT_H
#define BTT_LEDGER_SMT_H

#include <stddef.h>
#include <stdint.h>

#include "core/wbuf.h"
#include "ledger/store.h"

#define BTT_SMT_HASH_LEN 32
#define BTT_SMT_KEY_LEN 32
#define BTT_SMT_DEPTH 256
#define BTT_SMT_NODE_LEN 65 /* tag || 32 || 32 */
#define BTT_SMT_TAG_LEAF 0x00
#define BTT_SMT_TAG_INNER 0x01
#define BTT_SMT_POS_LEN 8
#define BTT_SMT_NODE_KEY_LEN (BTT_SMT_POS_LEN + BTT_SMT_HASH_LEN) /* 40 */

/* Proof kinds (first byte of an encoded proof). */
enum btt_smt_proof_kind {
	BTT_SMT_PROOF_PRESENT = 0,	/* the key's own leaf */
	BTT_SMT_PROOF_ABSENT_EMPTY = 1, /* an empty subtree on the key's path */
	BTT_SMT_PROOF_ABSENT_LEAF = 2,	/* another key's leaf on its path */
};

/* One change of a batch: value NULL deletes the key (deleting an absent
 * key is a no-op). The value is hashed; it is not stored by the tree. */
struct btt_smt_change {
	uint8_t key[BTT_SMT_KEY_LEN];
	const uint8_t *value;
	size_t value_len;
};

/* Work done by one update, for benchmarks and tests. */
struct btt_smt_stats {
	uint64_t hashes; /* keccak256 calls, value hashes included */
	uint64_t reads;	 /* node records read */
	uint64_t puts;	 /* node records written */
	uint64_t dels;	 /* node records deleted */
};

void btt_ledger_smt_leaf_hash(const uint8_t key[BTT_SMT_KEY_LEN],
			      const uint8_t value_hash[BTT_SMT_HASH_LEN],
			      uint8_t out[BTT_SMT_HASH_LEN]);
void btt_ledger_smt_inner_hash(const uint8_t left[BTT_SMT_HASH_LEN],
			       const uint8_t right[BTT_SMT_HASH_LEN],
			       uint8_t out[BTT_SMT_HASH_LEN]);

/* The store key of the node with hash h at depth d on the path of key
 * `path` (the root: depth 0). For tools and tests that inspect the
 * store. */
void btt_ledger_smt_node_key(const uint8_t path[BTT_SMT_KEY_LEN], unsigned d,
			     const uint8_t h[BTT_SMT_HASH_LEN],
			     uint8_t out[BTT_SMT_NODE_KEY_LEN]);

/* Applies the changes, sorted by strictly increasing key, to the tree
 * whose root is `root` (EMPTY for a new tree), writing new nodes and
 * deleting replaced ones in the write transaction t; only the paths of the
 * changed keys are visited. *out_root gets the new root; stats (may be
 * NULL) gets the work done. Returns 0, BTT_EINVALID (keys not strictly
 * increasing, read-only t), BTT_ECORRUPT (a node is missing or malformed)
 * or a store error; on error t must be aborted. */
int btt_ledger_smt_update(struct btt_ledger_txn *t,
			  const uint8_t root[BTT_SMT_HASH_LEN],
			  const struct btt_smt_change *changes, size_t n,
			  uint8_t out_root[BTT_SMT_HASH_LEN],
			  struct btt_smt_stats *stats);

/* The value hash stored for key. Returns 0, BTT_ENOTFOUND, BTT_ECORRUPT
 * or a store error. */
int btt_ledger_smt_get(struct btt_ledger_txn *t,
		       const uint8_t root[BTT_SMT_HASH_LEN],
		       const uint8_t key[BTT_SMT_KEY_LEN],
		       uint8_t out_value_hash[BTT_SMT_HASH_LEN]);

/* Appends the proof for key (of presence or of absence, whichever holds)
 * to out; at most BTT_SMT_MAX_PROOF bytes. Returns 0, BTT_ECORRUPT, a
 * store error or the wbuf's error.
 *
 * Encoding (canonical; docs/ledger-state.md):
 *   u8  kind                      enum btt_smt_proof_kind
 *   u16 depth                     big-endian, 0..256: siblings on the path
 *   bitmap[(depth + 7) / 8]       bit i (MSB first) set = sibling i is not
 *                                 EMPTY; unused bits zero
 *   sibling[32] for each set bit, from the root down
 *   kind ABSENT_LEAF only: other_key[32] || other_value_hash[32] */
int btt_ledger_smt_prove(struct btt_ledger_txn *t,
			 const uint8_t root[BTT_SMT_HASH_LEN],
			 const uint8_t key[BTT_SMT_KEY_LEN],
			 struct btt_wbuf *out);

/* Checks an untrusted proof against a trusted root: with value non-NULL,
 * that key maps to that value; with value NULL, that key is absent. Needs
 * nothing but the root. Returns 0 when the proof shows the claim,
 * BTT_EHASH when it is well-formed but does not (wrong root, value, key,
 * or a proof of the opposite claim), and BTT_ELIMIT, BTT_ETRUNCATED,
 * BTT_ETRAILING, BTT_EMALFORMED or BTT_ENONCANONICAL for a bad encoding. */
int btt_ledger_smt_verify(const uint8_t root[BTT_SMT_HASH_LEN],
			  const uint8_t key[BTT_SMT_KEY_LEN],
			  const uint8_t *value, size_t value_len,
			  const uint8_t *proof, size_t proof_len);

#endif
