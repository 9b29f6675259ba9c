/* Helpers shared by the sparse Merkle tree's files (smt.c, smt_proof.c):
 * key bits, the EMPTY hash, and node records. Not for other modules. */
#ifndef BTT_LEDGER_SMT_INT_H
#define BTT_LEDGER_SMT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "ledger/smt.h"

/* Bit d of a key, the most significant bit of byte 0 being bit 0. */
static inline unsigned btt_smt_bit(const uint8_t key[BTT_SMT_KEY_LEN],
				   unsigned d)
{
	return (key[d >> 3] >> (7 - (d & 7))) & 1u;
}

/* True when a and b agree on their first d bits. */
static inline bool btt_smt_prefix_eq(const uint8_t *a, const uint8_t *b,
				     unsigned d)
{
	unsigned bytes = d >> 3, rest = d & 7;
	if (memcmp(a, b, bytes) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff00u >> rest);
	return ((a[bytes] ^ b[bytes]) & mask) == 0;
}

static inline bool btt_smt_is_empty(const uint8_t h[BTT_SMT_HASH_LEN])
{
	static const uint8_t zero[BTT_SMT_HASH_LEN];
	return memcmp(h, zero, BTT_SMT_HASH_LEN) == 0;
}

/* Builds the store key of the node with hash h at depth d on the path of
 * `path` (any key below that node): see BTT_SMT_NODE_KEY_LEN in smt.h. */
static inline void btt_smt_node_key(const uint8_t path[BTT_SMT_KEY_LEN],
				    unsigned d,
				    const uint8_t h[BTT_SMT_HASH_LEN],
				    uint8_t out[BTT_SMT_NODE_KEY_LEN])
{
	unsigned bits = d < 8 * BTT_SMT_POS_LEN ? d : 8 * BTT_SMT_POS_LEN;
	unsigned bytes = bits >> 3, rest = bits & 7;

	memset(out, 0, BTT_SMT_POS_LEN);
	memcpy(out, path, bytes);
	if (rest)
		out[bytes] = (uint8_t)(path[bytes] & (0xff00u >> rest));
	memcpy(out + BTT_SMT_POS_LEN, h, BTT_SMT_HASH_LEN);
}

/* Reads the node with hash h at depth d on path's path into rec
 * (tag || a || b). A missing node, or a record of the wrong size or tag,
 * is BTT_ECORRUPT. */
int btt_ledger_smt_node_read(struct btt_ledger_txn *t,
			     const uint8_t path[BTT_SMT_KEY_LEN], unsigned d,
			     const uint8_t h[BTT_SMT_HASH_LEN],
			     uint8_t rec[BTT_SMT_NODE_LEN]);

#endif
