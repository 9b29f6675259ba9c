/* Piece picker: pieces in progress and their blocks. A piece gets a `dl`
 * slot with per-block state when it starts and loses it when it passes,
 * fails its hash, or is abandoned (every block back to FREE with none
 * received), so block-level memory exists only for pieces in progress.
 *
 * Block transitions: FREE -> REQUESTED (a pick) -> RECEIVED (its data);
 * REQUESTED -> FREE when its last requester releases it. A RECEIVED block
 * remembers its sender for the hash-failure report. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bt/picker_int.h"
#include "btt/err.h"

int btt_pk_dl_start(struct btt_picker *pk, uint32_t piece)
{
	struct btt_picker_piece *p = &pk->pieces[piece];
	struct btt_picker_dl *d;
	uint32_t nb = btt_pk_piece_blocks(pk, piece);
	struct btt_picker_slot *blocks;

	if (pk->ndl == pk->dlcap) {
		uint32_t cap = pk->dlcap ? 2 * pk->dlcap : 16;
		d = realloc(pk->dl, cap * sizeof(*d));
		if (!d)
			return -ENOMEM;
		pk->dl = d;
		pk->dlcap = cap;
	}
	blocks = calloc(nb, sizeof(*blocks));
	if (!blocks)
		return -ENOMEM;
	if (btt_pk_pickable(p))
		btt_pk_order_remove(pk, piece);
	d = &pk->dl[pk->ndl];
	memset(d, 0, sizeof(*d));
	d->piece = piece;
	d->nblocks = nb;
	d->nfree = nb;
	d->blocks = blocks;
	p->pos = pk->ndl++;
	p->state = BTT_PK_PARTIAL;
	return 0;
}

void btt_pk_dl_free(struct btt_picker *pk, uint32_t slot)
{
	uint32_t last = pk->ndl - 1;

	free(pk->dl[slot].blocks);
	if (slot != last) {
		pk->dl[slot] = pk->dl[last];
		pk->pieces[pk->dl[slot].piece].pos = slot;
	}
	pk->ndl--;
	/* Give back the slot array after a burst (an endgame, a hash storm). */
	if (pk->dlcap > 64 && pk->ndl < pk->dlcap / 4) {
		struct btt_picker_dl *d =
			realloc(pk->dl, pk->dlcap / 2 * sizeof(*d));
		if (d) {
			pk->dl = d;
			pk->dlcap /= 2;
		}
	}
}

/* A piece with nothing requested or received goes back to `order`: no
 * progress is lost and its memory is freed. */
static void maybe_abandon(struct btt_picker *pk, uint32_t slot)
{
	const struct btt_picker_dl *d = &pk->dl[slot];
	uint32_t piece = d->piece;

	if (d->nfree != d->nblocks)
		return;
	btt_pk_dl_free(pk, slot);
	pk->pieces[piece].state = BTT_PK_NONE;
	if (pk->pieces[piece].prio > 0)
		btt_pk_order_insert(pk, piece);
}

void btt_pk_dl_take(struct btt_picker_dl *d, uint32_t peer,
		    struct btt_picker_block *out, size_t *n, size_t want)
{
	uint32_t b;

	for (b = d->hint; b < d->nblocks && *n < want && d->nfree > 0; b++) {
		struct btt_picker_slot *s = &d->blocks[b];
		if (s->state != BTT_PICKER_BLOCK_FREE)
			continue;
		s->state = BTT_PICKER_BLOCK_REQUESTED;
		s->peer[0] = peer;
		s->nreq = 1;
		d->nfree--;
		out[*n].piece = d->piece;
		out[*n].block = b;
		(*n)++;
	}
	d->hint = b; /* every block in [old hint, b) is taken now */
}

/* Removes peer from the block's requesters; true if it was one. */
static bool slot_release(struct btt_picker_dl *d, uint32_t b, uint32_t peer)
{
	struct btt_picker_slot *s = &d->blocks[b];

	if (s->state != BTT_PICKER_BLOCK_REQUESTED)
		return false;
	for (uint32_t j = 0; j < s->nreq; j++) {
		if (s->peer[j] != peer)
			continue;
		s->peer[j] = s->peer[--s->nreq];
		if (s->nreq == 0) {
			s->state = BTT_PICKER_BLOCK_FREE;
			d->nfree++;
			if (b < d->hint)
				d->hint = b;
		}
		return true;
	}
	return false;
}

/* The slot of a piece in progress, or NULL. */
static struct btt_picker_dl *partial(struct btt_picker *pk, uint32_t piece,
				     uint32_t block)
{
	const struct btt_picker_piece *p;

	if (piece >= pk->npieces)
		return NULL;
	p = &pk->pieces[piece];
	if (p->state != BTT_PK_PARTIAL || block >= pk->dl[p->pos].nblocks)
		return NULL;
	return &pk->dl[p->pos];
}

int btt_picker_block_received(struct btt_picker *pk, uint32_t peer,
			      uint32_t piece, uint32_t block,
			      struct btt_picker_recv *out)
{
	struct btt_picker_piece *p;
	struct btt_picker_dl *d;
	struct btt_picker_slot *s;
	int rc;

	memset(out, 0, sizeof(*out));
	if (peer == BTT_PICKER_NO_PEER || piece >= pk->npieces ||
	    block >= btt_pk_piece_blocks(pk, piece))
		return BTT_EINVALID;
	p = &pk->pieces[piece];
	if (p->state == BTT_PK_HAVE || p->state == BTT_PK_HASHING)
		return 0;
	if (p->state == BTT_PK_NONE) {
		if (p->prio == 0)
			return 0;
		rc = btt_pk_dl_start(pk, piece);
		if (rc)
			return rc;
	}
	d = &pk->dl[p->pos];
	s = &d->blocks[block];
	if (s->state == BTT_PICKER_BLOCK_RECEIVED)
		return 0;
	if (s->state == BTT_PICKER_BLOCK_FREE)
		d->nfree--;
	for (uint32_t j = 0; j < s->nreq; j++) {
		if (s->peer[j] != peer)
			out->cancel[out->num_cancel++] = s->peer[j];
	}
	s->state = BTT_PICKER_BLOCK_RECEIVED;
	s->peer[0] = peer;
	s->nreq = 0;
	d->nrecv++;
	out->fresh = true;
	if (d->nrecv == d->nblocks) {
		p->state = BTT_PK_HASHING;
		out->piece_complete = true;
	}
	return 0;
}

bool btt_picker_block_release(struct btt_picker *pk, uint32_t peer,
			      uint32_t piece, uint32_t block)
{
	struct btt_picker_dl *d = partial(pk, piece, block);

	if (!d || !slot_release(d, block, peer))
		return false;
	maybe_abandon(pk, pk->pieces[piece].pos);
	return true;
}

size_t btt_picker_peer_release(struct btt_picker *pk, uint32_t peer)
{
	size_t count = 0;

	/* Backwards: abandoning slot i moves the last slot, already seen,
	 * into i. */
	for (uint32_t i = pk->ndl; i-- > 0;) {
		struct btt_picker_dl *d = &pk->dl[i];
		if (d->nfree + d->nrecv == d->nblocks)
			continue; /* nothing requested (or hashing) */
		for (uint32_t b = 0; b < d->nblocks; b++)
			count += slot_release(d, b, peer);
		maybe_abandon(pk, i);
	}
	return count;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

int btt_picker_piece_failed(struct btt_picker *pk, uint32_t piece,
			    const uint32_t **out_peers, size_t *out_n)
{
	struct btt_picker_piece *p;
	const struct btt_picker_dl *d;
	size_t n = 0;

	*out_peers = NULL;
	*out_n = 0;
	if (piece >= pk->npieces || pk->pieces[piece].state != BTT_PK_HASHING)
		return BTT_EINVALID;
	p = &pk->pieces[piece];
	d = &pk->dl[p->pos];
	if (btt_pk_scratch_reserve(pk, d->nblocks))
		return -ENOMEM;
	for (uint32_t b = 0; b < d->nblocks; b++)
		pk->scratch[b] = d->blocks[b].peer[0];
	qsort(pk->scratch, d->nblocks, sizeof(*pk->scratch), cmp_u32);
	for (uint32_t b = 0; b < d->nblocks; b++) {
		if (n == 0 || pk->scratch[n - 1] != pk->scratch[b])
			pk->scratch[n++] = pk->scratch[b];
	}
	btt_pk_dl_free(pk, p->pos);
	p->state = BTT_PK_NONE;
	if (p->prio > 0)
		btt_pk_order_insert(pk, piece);
	*out_peers = pk->scratch;
	*out_n = n;
	return 0;
}
