/* Sparse Merkle tree proofs: building them from the store and checking
 * them with nothing but a root (light clients, RPC peers).
 *
 * Proof encoding (smt.h, docs/ledger-state.md): kind, u16 depth, a bitmap
 * of the non-EMPTY siblings, those siblings from the root down, and for
 * an ABSENT_LEAF proof the other key and its value hash. The verifier
 * parses the untrusted bytes with the cursor and accepts exactly one
 * encoding of each proof: unused bitmap bits are zero, an EMPTY sibling
 * is never written out, the deepest sibling of a leaf or of an empty
 * subtree is never EMPTY (the tree would have collapsed it), and nothing
 * follows the proof. */
#include <string.h>

#include "btt/err.h"
#include "core/limits.h"
#include "crypto/hash.h"
#include "ledger/smt.h"
#include "ledger/smt_int.h"

#define BITMAP_MAX (BTT_SMT_DEPTH / 8)

/* The path from the root to where key's walk ends. */
struct path {
	unsigned depth;
	uint8_t bitmap[BITMAP_MAX];
	uint8_t sib[BTT_SMT_DEPTH][BTT_SMT_HASH_LEN]; /* only set bits */
	unsigned nsib;
	enum btt_smt_proof_kind kind;
	uint8_t other[BTT_SMT_NODE_LEN]; /* ABSENT_LEAF: the leaf record */
};

static void add_sibling(struct path *p, const uint8_t *h)
{
	if (!btt_smt_is_empty(h)) {
		p->bitmap[p->depth >> 3] |= (uint8_t)(0x80u >> (p->depth & 7));
		memcpy(p->sib[p->nsib++], h, BTT_SMT_HASH_LEN);
	}
	p->depth++;
}

static int walk(struct btt_ledger_txn *t, const uint8_t root[BTT_SMT_HASH_LEN],
		const uint8_t key[BTT_SMT_KEY_LEN], struct path *p)
{
	uint8_t rec[BTT_SMT_NODE_LEN], h[BTT_SMT_HASH_LEN];

	memcpy(h, root, sizeof(h));
	for (;;) {
		int rc;
		if (btt_smt_is_empty(h)) {
			p->kind = BTT_SMT_PROOF_ABSENT_EMPTY;
			return 0;
		}
		rc = btt_ledger_smt_node_read(t, key, p->depth, h, rec);
		if (rc)
			return rc;
		if (rec[0] == BTT_SMT_TAG_LEAF) {
			if (memcmp(rec + 1, key, BTT_SMT_KEY_LEN) == 0) {
				p->kind = BTT_SMT_PROOF_PRESENT;
				return 0;
			}
			if (!btt_smt_prefix_eq(rec + 1, key, p->depth))
				return BTT_ECORRUPT;
			p->kind = BTT_SMT_PROOF_ABSENT_LEAF;
			memcpy(p->other, rec, sizeof(rec));
			return 0;
		}
		if (p->depth >= BTT_SMT_DEPTH)
			return BTT_ECORRUPT;
		unsigned b = btt_smt_bit(key, p->depth);
		add_sibling(p, rec + 1 + BTT_SMT_HASH_LEN * (1 - b));
		memcpy(h, rec + 1 + BTT_SMT_HASH_LEN * b, BTT_SMT_HASH_LEN);
	}
}

int btt_ledger_smt_prove(struct btt_ledger_txn *t,
			 const uint8_t root[BTT_SMT_HASH_LEN],
			 const uint8_t key[BTT_SMT_KEY_LEN],
			 struct btt_wbuf *out)
{
	struct path p;
	int rc;

	memset(&p, 0, sizeof(p));
	rc = walk(t, root, key, &p);
	if (rc)
		return rc;
	btt_wbuf_put_u8(out, (uint8_t)p.kind);
	btt_wbuf_put_u16be(out, (uint16_t)p.depth);
	btt_wbuf_put(out, p.bitmap, (p.depth + 7) / 8);
	btt_wbuf_put(out, p.sib, (size_t)p.nsib * BTT_SMT_HASH_LEN);
	if (p.kind == BTT_SMT_PROOF_ABSENT_LEAF)
		btt_wbuf_put(out, p.other + 1, 2 * BTT_SMT_HASH_LEN);
	return btt_wbuf_err(out);
}

/* A parsed proof; sibling pointers view the proof bytes. */
struct parsed {
	uint8_t kind;
	unsigned depth;
	const uint8_t *bitmap;
	const uint8_t *sib[BTT_SMT_DEPTH]; /* NULL = EMPTY */
	const uint8_t *other;		   /* ABSENT_LEAF: key || value hash */
};

static bool bit_set(const uint8_t *bitmap, unsigned i)
{
	return bitmap[i >> 3] & (0x80u >> (i & 7));
}

static int parse_siblings(struct btt_cur *c, struct parsed *pp)
{
	unsigned nbytes = (pp->depth + 7) / 8;
	struct btt_cur bm;

	if (!btt_cur_get_sub(c, nbytes, &bm))
		return BTT_ETRUNCATED;
	pp->bitmap = btt_cur_data(&bm);
	if ((pp->depth & 7) &&
	    (pp->bitmap[nbytes - 1] & (0xffu >> (pp->depth & 7))))
		return BTT_ENONCANONICAL; /* unused bits set */
	for (unsigned i = 0; i < pp->depth; i++) {
		pp->sib[i] = NULL;
		if (!bit_set(pp->bitmap, i))
			continue;
		pp->sib[i] = btt_cur_data(c);
		if (!btt_cur_skip(c, BTT_SMT_HASH_LEN))
			return BTT_ETRUNCATED;
		if (btt_smt_is_empty(pp->sib[i]))
			return BTT_ENONCANONICAL; /* EMPTY written out */
	}
	if (pp->depth > 0 && !pp->sib[pp->depth - 1])
		return BTT_ENONCANONICAL; /* would have collapsed */
	return 0;
}

static int parse(const uint8_t *proof, size_t len, struct parsed *pp)
{
	struct btt_cur c;
	uint16_t depth;
	int rc;

	if (len > BTT_SMT_MAX_PROOF)
		return BTT_ELIMIT;
	btt_cur_init(&c, proof, len);
	if (!btt_cur_get_u8(&c, &pp->kind) || !btt_cur_get_u16be(&c, &depth))
		return BTT_ETRUNCATED;
	if (pp->kind > BTT_SMT_PROOF_ABSENT_LEAF || depth > BTT_SMT_DEPTH)
		return BTT_EMALFORMED;
	pp->depth = depth;
	rc = parse_siblings(&c, pp);
	if (rc)
		return rc;
	pp->other = NULL;
	if (pp->kind == BTT_SMT_PROOF_ABSENT_LEAF) {
		pp->other = btt_cur_data(&c);
		if (!btt_cur_skip(&c, 2 * BTT_SMT_HASH_LEN))
			return BTT_ETRUNCATED;
	}
	return btt_cur_len(&c) ? BTT_ETRAILING : 0;
}

/* The hash where the key's walk ends, as the proof claims it. */
static int terminal(const struct parsed *pp, const uint8_t *key,
		    const uint8_t *value, size_t value_len,
		    uint8_t out[BTT_SMT_HASH_LEN])
{
	uint8_t vh[BTT_SMT_HASH_LEN];

	switch (pp->kind) {
	case BTT_SMT_PROOF_PRESENT:
		if (!value)
			return BTT_EHASH; /* proves presence, absence claimed */
		btt_keccak256(value, value_len, vh);
		btt_ledger_smt_leaf_hash(key, vh, out);
		return 0;
	case BTT_SMT_PROOF_ABSENT_EMPTY:
		if (value)
			return BTT_EHASH;
		memset(out, 0, BTT_SMT_HASH_LEN);
		return 0;
	default:
		/* Another key's leaf: it must lie on key's path, and be
		 * another key. */
		if (memcmp(pp->other, key, BTT_SMT_KEY_LEN) == 0 ||
		    !btt_smt_prefix_eq(pp->other, key, pp->depth))
			return BTT_EMALFORMED;
		if (value)
			return BTT_EHASH;
		btt_ledger_smt_leaf_hash(pp->other, pp->other + BTT_SMT_KEY_LEN,
					 out);
		return 0;
	}
}

int btt_ledger_smt_verify(const uint8_t root[BTT_SMT_HASH_LEN],
			  const uint8_t key[BTT_SMT_KEY_LEN],
			  const uint8_t *value, size_t value_len,
			  const uint8_t *proof, size_t proof_len)
{
	static const uint8_t empty[BTT_SMT_HASH_LEN];
	struct parsed pp;
	uint8_t h[BTT_SMT_HASH_LEN];
	int rc = parse(proof, proof_len, &pp);

	if (!rc)
		rc = terminal(&pp, key, value, value_len, h);
	if (rc)
		return rc;
	for (unsigned i = pp.depth; i-- > 0;) {
		const uint8_t *s = pp.sib[i] ? pp.sib[i] : empty;
		if (btt_smt_bit(key, i))
			btt_ledger_smt_inner_hash(s, h, h);
		else
			btt_ledger_smt_inner_hash(h, s, h);
	}
	return memcmp(h, root, BTT_SMT_HASH_LEN) == 0 ? 0 : BTT_EHASH;
}
