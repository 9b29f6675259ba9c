/* The executor's entry points (exec.h): building a block as proposer,
 * committing it once signed, applying a received block, and the
 * mempool's admission check. The work itself is in exec_run.c; this file
 * owns the block-level rules (height, parent, time, signature, roots)
 * and the commit that stores the block with its state. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "core/log.h"
#include "crypto/hash.h"
#include "ledger/blockstore.h"
#include "ledger/exec_int.h"

#define LOG_TAG "exec"

struct btt_ledger_pending {
	struct btt_ledger_chain *c;
	struct btt_ledger_state *st;
	struct btt_ledger_block block; /* owns its bytes */
};

int btt_ledger_exec_commit(struct btt_ledger_chain *c,
			   struct btt_ledger_state *st,
			   const struct btt_ledger_block *b)
{
	uint8_t hash[BTT_BLOCK_HASH_LEN];
	int rc;

	btt_ledger_block_hash(b, hash);
	rc = btt_ledger_blockstore_put_block(btt_ledger_state_txn(st), b, hash);
	if (rc) {
		btt_ledger_state_abort(st);
		return rc;
	}
	if ((rc = btt_ledger_state_commit(st)) != 0)
		return rc;
	c->head.height = b->header.height;
	c->head.time_ms = b->header.time_ms;
	memcpy(c->head.hash, hash, 32);
	memcpy(c->head.state_root, b->header.state_root, 32);
	return 0;
}

/* The block of a finished build: the header from the run, the included
 * candidates copied so the block owns them. */
static int build_block(const struct btt_exec_run *r,
		       const struct btt_ledger_txref *txs, uint64_t time_ms,
		       struct btt_ledger_block *out)
{
	struct btt_ledger_chain *c = r->x.c;
	struct btt_ledger_block view;
	struct btt_ledger_header *h = &view.header;
	size_t n = btt_vec_len(&r->included);
	int rc;

	memset(&view, 0, sizeof(view));
	h->version = BTT_BLOCK_VERSION;
	h->chain_id = c->chain_id;
	h->height = r->x.height;
	h->time_ms = time_ms;
	memcpy(h->parent_hash, c->head.hash, 32);
	memcpy(h->tx_root, r->tx_root, 32);
	memcpy(h->receipts_root, r->receipts_root, 32);
	memcpy(h->state_root, r->state_root, 32);
	memcpy(h->validators_hash, r->validators_hash, 32);
	memcpy(h->proposer, r->x.proposer, BTT_ADDR_LEN);
	view.n_txs = n;
	view.txs = calloc(n ? n : 1, sizeof(*view.txs));
	if (!view.txs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		view.txs[i] = txs[*(size_t *)btt_vec_at(&r->included, i)];
	rc = btt_ledger_block_dup(&view, out);
	free(view.txs);
	return rc;
}

int btt_ledger_exec_build(struct btt_ledger_chain *c,
			  const struct btt_ledger_txref *txs, size_t n,
			  uint64_t time_ms,
			  const uint8_t proposer[BTT_ADDR_LEN],
			  struct btt_ledger_tx_outcome *outcomes,
			  struct btt_ledger_pending **out)
{
	struct btt_ledger_pending *p;
	struct btt_exec_run r;
	int rc;

	*out = NULL;
	if (c->pending)
		return BTT_ESTATE;
	if (time_ms <= c->head.time_ms || c->head.height == UINT64_MAX)
		return BTT_EBLOCK;
	memset(&r, 0, sizeof(r));
	r.build = true;
	r.outcomes = outcomes;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	rc = btt_exec_run_begin(&r, c, txs, n, c->head.height + 1, proposer);
	if (!rc)
		rc = btt_exec_run_txs(&r);
	if (!rc)
		rc = btt_exec_run_end(&r);
	if (!rc)
		rc = build_block(&r, txs, time_ms, &p->block);
	if (rc) {
		btt_exec_run_release(&r);
		free(p);
		return rc;
	}
	p->c = c;
	p->st = r.x.st;
	r.x.st = NULL;
	btt_exec_run_release(&r);
	c->pending = p;
	*out = p;
	return 0;
}

const struct btt_ledger_block *
btt_ledger_pending_block(const struct btt_ledger_pending *p)
{
	return &p->block;
}

void btt_ledger_pending_abort(struct btt_ledger_pending *p)
{
	if (!p)
		return;
	p->c->pending = NULL;
	btt_ledger_state_abort(p->st);
	btt_ledger_block_release(&p->block);
	free(p);
}

int btt_ledger_pending_commit(struct btt_ledger_pending *p,
			      const uint8_t sig[BTT_BLOCK_SIG_LEN],
			      struct btt_ledger_block *out_block)
{
	int rc;

	memcpy(p->block.sig, sig, BTT_BLOCK_SIG_LEN);
	if ((rc = btt_ledger_block_verify(&p->block)) != 0) {
		btt_ledger_pending_abort(p);
		return rc;
	}
	p->c->pending = NULL;
	rc = btt_ledger_exec_commit(p->c, p->st, &p->block);
	if (!rc && out_block)
		rc = btt_ledger_block_dup(&p->block, out_block);
	btt_ledger_block_release(&p->block);
	free(p);
	return rc;
}

int btt_ledger_exec_propose(struct btt_ledger_chain *c,
			    const struct btt_ledger_txref *txs, size_t n,
			    uint64_t time_ms,
			    const uint8_t key[BTT_SECP_PRIV_LEN],
			    struct btt_ledger_tx_outcome *outcomes,
			    struct btt_ledger_block *out_block)
{
	struct btt_ledger_pending *p;
	struct btt_ledger_block *b;
	uint8_t proposer[BTT_ADDR_LEN];
	int rc = btt_addr_from_key(key, proposer);

	if (rc)
		return rc;
	if ((rc = btt_ledger_exec_build(c, txs, n, time_ms, proposer, outcomes,
					&p)) != 0)
		return rc;
	b = &p->block;
	if ((rc = btt_ledger_block_sign(b, key)) != 0) {
		btt_ledger_pending_abort(p);
		return rc;
	}
	return btt_ledger_pending_commit(p, b->sig, out_block);
}

/* The block-level rules a received block must meet before execution. */
static int header_check(const struct btt_ledger_chain *c,
			const struct btt_ledger_block *b)
{
	const struct btt_ledger_header *h = &b->header;

	if (h->version != BTT_BLOCK_VERSION || h->chain_id != c->chain_id ||
	    c->head.height == UINT64_MAX || h->height != c->head.height + 1 ||
	    memcmp(h->parent_hash, c->head.hash, 32) != 0 ||
	    h->time_ms <= c->head.time_ms)
		return BTT_EBLOCK;
	if (btt_ledger_block_len(b) == 0)
		return BTT_ELIMIT;
	return btt_ledger_block_verify(b);
}

/* What re-execution computed must be what the header claims. */
static int roots_check(const struct btt_exec_run *r,
		       const struct btt_ledger_header *h)
{
	if (memcmp(r->tx_root, h->tx_root, 32) ||
	    memcmp(r->receipts_root, h->receipts_root, 32) ||
	    memcmp(r->state_root, h->state_root, 32) ||
	    memcmp(r->validators_hash, h->validators_hash, 32))
		return BTT_EHASH;
	return 0;
}

int btt_ledger_exec_apply(struct btt_ledger_chain *c,
			  const struct btt_ledger_block *b, size_t *out_bad)
{
	struct btt_exec_run r;
	int rc;

	if (c->pending)
		return BTT_ESTATE;
	if ((rc = header_check(c, b)) != 0)
		return rc;
	memset(&r, 0, sizeof(r));
	r.bad = SIZE_MAX;
	rc = btt_exec_run_begin(&r, c, b->txs, b->n_txs, b->header.height,
				b->header.proposer);
	if (!rc)
		rc = btt_exec_run_txs(&r);
	if (rc && r.bad != SIZE_MAX && out_bad)
		*out_bad = r.bad;
	if (!rc)
		rc = btt_exec_run_end(&r);
	if (!rc)
		rc = roots_check(&r, &b->header);
	if (!rc) {
		rc = btt_ledger_exec_commit(c, r.x.st, b);
		r.x.st = NULL;
	}
	btt_exec_run_release(&r);
	return rc;
}

/* The checks of _check_tx that read the state, for block height. */
static int check_state(struct btt_ledger_state *st, uint64_t height,
		       const struct btt_tx *tx, struct btt_ledger_tx_check *o)
{
	struct btt_ledger_account a;
	int rc = btt_ledger_state_account_get(st, tx->from, &a);

	if (rc)
		return rc;
	o->account_nonce = a.nonce;
	if (tx->nonce < a.nonce)
		return BTT_ENONCEUSED;
	if (o->fee > tx->max_fee)
		return BTT_EFEE;
	return btt_ledger_exec_spend_check(st, tx->from, &a, height, o->fee);
}

int btt_ledger_exec_check_tx(struct btt_ledger_chain *c, const uint8_t *p,
			     size_t n, struct btt_ledger_tx_check *out)
{
	struct btt_ledger_tx_check o;
	struct btt_ledger_state *st;
	struct btt_tx tx;
	uint64_t base;
	uint8_t root[32];
	int rc = btt_ledger_tx_decode(p, n, &tx);

	if (rc)
		return rc;
	memset(&o, 0, sizeof(o));
	btt_keccak256(p, n, o.txid);
	memcpy(o.from, tx.from, BTT_ADDR_LEN);
	o.nonce = tx.nonce;
	o.fee = btt_ledger_tx_fee(&tx);
	o.max_fee = tx.max_fee;
	o.type = tx.type;
	if (out)
		*out = o;
	if ((rc = btt_ledger_state_open(c->store, false, &st)) != 0)
		return rc;
	btt_ledger_state_base(st, &base, root, NULL);
	rc = tx.chain_id != c->chain_id ? BTT_ECHAINID : 0;
	if (!rc && tx.expiry_height != 0 && base + 1 > tx.expiry_height)
		rc = BTT_EEXPIRED;
	if (!rc)
		rc = btt_ledger_tx_payload_check(&tx);
	if (!rc && !btt_ledger_sigcache_has(c->cache, o.txid)) {
		if ((rc = btt_ledger_tx_verify(&tx)) == 0)
			btt_ledger_sigcache_add(c->cache, o.txid);
	}
	if (!rc)
		rc = check_state(st, base + 1, &tx, &o);
	btt_ledger_state_abort(st);
	if (out)
		*out = o;
	return rc;
}
