/* Piece picker: the invariant checker tests run after every step. It
 * recomputes everything picker_int.h promises from scratch, so it is
 * O(npieces + nkeys + blocks in progress) and never used on a hot path. */
#include "bt/picker_int.h"
#include "btt/err.h"
#include "core/log.h"

#define FAIL(...)                                              \
	do {                                                   \
		BTT_LOG(BTT_LOG_ERROR, "picker", __VA_ARGS__); \
		return BTT_EINVALID;                           \
	} while (0)

static int check_order(const struct btt_picker *pk)
{
	uint32_t nkeys = btt_pk_nkeys(pk), pickable = 0;

	if (pk->start[0] != 0 || pk->start[nkeys] != pk->norder)
		FAIL("bucket bounds %u..%u, norder %u", pk->start[0],
		     pk->start[nkeys], pk->norder);
	for (uint32_t k = 0; k < nkeys; k++) {
		if (pk->start[k] > pk->start[k + 1])
			FAIL("bucket %u starts after bucket %u", k, k + 1);
		for (uint32_t pos = pk->start[k]; pos < pk->start[k + 1];
		     pos++) {
			uint32_t i = pk->order[pos];
			const struct btt_picker_piece *p = &pk->pieces[i];
			if (i >= pk->npieces || p->pos != pos ||
			    !btt_pk_pickable(p))
				FAIL("order[%u] = piece %u out of place", pos,
				     i);
			if (btt_pk_key(pk, p->prio, p->avail) != k)
				FAIL("piece %u in bucket %u, key %u", i, k,
				     btt_pk_key(pk, p->prio, p->avail));
		}
	}
	for (uint32_t i = 0; i < pk->npieces; i++)
		pickable += btt_pk_pickable(&pk->pieces[i]);
	if (pickable != pk->norder)
		FAIL("%u pickable pieces, %u in order", pickable, pk->norder);
	return 0;
}

static int check_pieces(const struct btt_picker *pk)
{
	uint32_t wanted = 0;

	if (pk->avail_hi >= pk->width)
		FAIL("avail bound %u, width %u", pk->avail_hi, pk->width);
	for (uint32_t i = 0; i < pk->npieces; i++) {
		const struct btt_picker_piece *p = &pk->pieces[i];
		bool have = btt_bitfield_get(&pk->have, i);
		if (p->avail > pk->avail_hi)
			FAIL("piece %u avail %u above bound %u", i, p->avail,
			     pk->avail_hi);
		if (have != (p->state == BTT_PK_HAVE))
			FAIL("piece %u have bit %d, state %u", i, have,
			     p->state);
		if ((p->state == BTT_PK_PARTIAL ||
		     p->state == BTT_PK_HASHING) &&
		    (p->pos >= pk->ndl || pk->dl[p->pos].piece != i))
			FAIL("piece %u in progress without its slot", i);
		if (btt_pk_pickable(p) && i < pk->seq_next)
			FAIL("pickable piece %u below seq_next %u", i,
			     pk->seq_next);
		wanted += !have && p->prio > 0;
	}
	if (wanted != pk->nwanted)
		FAIL("%u wanted pieces, counted %u", wanted, pk->nwanted);
	return 0;
}

static int check_slot(const struct btt_picker *pk, uint32_t i)
{
	const struct btt_picker_dl *d = &pk->dl[i];
	const struct btt_picker_piece *p = &pk->pieces[d->piece];
	uint32_t nfree = 0, nrecv = 0;

	if (d->nblocks != btt_pk_piece_blocks(pk, d->piece))
		FAIL("slot %u: %u blocks", i, d->nblocks);
	for (uint32_t b = 0; b < d->nblocks; b++) {
		const struct btt_picker_slot *s = &d->blocks[b];
		nfree += s->state == BTT_PICKER_BLOCK_FREE;
		nrecv += s->state == BTT_PICKER_BLOCK_RECEIVED;
		if (s->state == BTT_PICKER_BLOCK_FREE && b < d->hint)
			FAIL("piece %u block %u free below hint", d->piece, b);
		if ((s->state == BTT_PICKER_BLOCK_REQUESTED) != (s->nreq > 0) ||
		    s->nreq > BTT_PICKER_MAX_DUP)
			FAIL("piece %u block %u: %u requesters", d->piece, b,
			     s->nreq);
		for (uint32_t j = 0; j < s->nreq; j++) {
			if (s->peer[j] == BTT_PICKER_NO_PEER ||
			    (j > 0 && s->peer[j] == s->peer[0]))
				FAIL("piece %u block %u: bad requester",
				     d->piece, b);
		}
	}
	if (nfree != d->nfree || nrecv != d->nrecv)
		FAIL("piece %u counts %u/%u, blocks say %u/%u", d->piece,
		     d->nfree, d->nrecv, nfree, nrecv);
	if ((p->state == BTT_PK_HASHING) != (nrecv == d->nblocks) ||
	    (p->state != BTT_PK_HASHING && p->state != BTT_PK_PARTIAL))
		FAIL("piece %u state %u with %u/%u received", d->piece,
		     p->state, nrecv, d->nblocks);
	if (nfree == d->nblocks)
		FAIL("piece %u in progress with nothing to show", d->piece);
	return 0;
}

int btt_picker_check(const struct btt_picker *pk)
{
	int rc = check_order(pk);

	if (!rc)
		rc = check_pieces(pk);
	for (uint32_t i = 0; !rc && i < pk->ndl; i++)
		rc = check_slot(pk, i);
	return rc;
}
