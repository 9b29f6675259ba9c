/* Piece picker: our own pieces (have, hash pass), priorities, modes and
 * read-only queries. Every state change keeps `order` holding exactly the
 * pickable pieces and `nwanted` counting the wanted pieces we lack. */
#include <errno.h>
#include <stdlib.h>

#include "bt/picker_int.h"
#include "btt/err.h"

int btt_picker_have_set(struct btt_picker *pk, uint32_t piece)
{
	struct btt_picker_piece *p;

	if (piece >= pk->npieces)
		return BTT_EINVALID;
	p = &pk->pieces[piece];
	switch (p->state) {
	case BTT_PK_HAVE: return 0;
	case BTT_PK_NONE:
		if (p->prio > 0)
			btt_pk_order_remove(pk, piece);
		break;
	default: btt_pk_dl_free(pk, p->pos); break;
	}
	p->state = BTT_PK_HAVE;
	btt_bitfield_set(&pk->have, piece);
	if (p->prio > 0)
		pk->nwanted--;
	return 0;
}

int btt_picker_piece_passed(struct btt_picker *pk, uint32_t piece)
{
	if (piece >= pk->npieces || pk->pieces[piece].state != BTT_PK_HASHING)
		return BTT_EINVALID;
	return btt_picker_have_set(pk, piece);
}

int btt_picker_have_clear(struct btt_picker *pk, uint32_t piece)
{
	struct btt_picker_piece *p;

	if (piece >= pk->npieces || pk->pieces[piece].state != BTT_PK_HAVE)
		return BTT_EINVALID;
	p = &pk->pieces[piece];
	p->state = BTT_PK_NONE;
	btt_bitfield_clear(&pk->have, piece);
	if (p->prio > 0) {
		pk->nwanted++;
		btt_pk_order_insert(pk, piece);
	}
	return 0;
}

bool btt_picker_have(const struct btt_picker *pk, uint32_t piece)
{
	return piece < pk->npieces && btt_bitfield_get(&pk->have, piece);
}

const struct btt_bitfield *btt_picker_have_bitfield(const struct btt_picker *pk)
{
	return &pk->have;
}

bool btt_picker_complete(const struct btt_picker *pk)
{
	return pk->nwanted == 0;
}

bool btt_picker_wanted(const struct btt_picker *pk, uint32_t piece)
{
	return piece < pk->npieces && pk->pieces[piece].prio > 0 &&
	       pk->pieces[piece].state != BTT_PK_HAVE;
}

/* --- priorities --------------------------------------------------------- */

int btt_picker_priority_set(struct btt_picker *pk, uint32_t piece,
			    unsigned prio)
{
	struct btt_picker_piece *p;
	unsigned old;

	if (piece >= pk->npieces || prio > BTT_PICKER_PRIO_MAX)
		return BTT_EINVALID;
	p = &pk->pieces[piece];
	old = p->prio;
	if (old == prio)
		return 0;
	if (p->state != BTT_PK_HAVE)
		pk->nwanted = pk->nwanted + (prio > 0) - (old > 0);
	if (p->state != BTT_PK_NONE) {
		p->prio = prio & 7;
		return 0;
	}
	/* Leave `order` under the old key, come back under the new one: the
	 * walk crosses the buckets in between either way. */
	if (old > 0)
		btt_pk_order_remove(pk, piece);
	p->prio = prio & 7;
	if (prio > 0)
		btt_pk_order_insert(pk, piece);
	return 0;
}

int btt_picker_priorities_set(struct btt_picker *pk, const uint8_t *prios,
			      size_t n)
{
	uint32_t wanted = 0;

	if (n != pk->npieces)
		return BTT_EINVALID;
	for (size_t i = 0; i < n; i++) {
		if (prios[i] > BTT_PICKER_PRIO_MAX)
			return BTT_EINVALID;
	}
	for (uint32_t i = 0; i < pk->npieces; i++) {
		pk->pieces[i].prio = prios[i] & 7;
		if (prios[i] > 0 && pk->pieces[i].state != BTT_PK_HAVE)
			wanted++;
	}
	pk->nwanted = wanted;
	btt_pk_order_rebuild(pk);
	return 0;
}

unsigned btt_picker_priority(const struct btt_picker *pk, uint32_t piece)
{
	return piece < pk->npieces ? pk->pieces[piece].prio : 0;
}

void btt_picker_sequential_set(struct btt_picker *pk, bool on)
{
	pk->sequential = on;
}

/* --- geometry and introspection ----------------------------------------- */

uint32_t btt_picker_num_pieces(const struct btt_picker *pk)
{
	return pk->npieces;
}

uint32_t btt_picker_num_blocks(const struct btt_picker *pk, uint32_t piece)
{
	return piece < pk->npieces ? btt_pk_piece_blocks(pk, piece) : 0;
}

uint32_t btt_picker_block_length(const struct btt_picker *pk, uint32_t piece,
				 uint32_t block)
{
	uint32_t nb = btt_picker_num_blocks(pk, piece);
	uint64_t size;

	if (block >= nb)
		return 0;
	if (block + 1 < nb)
		return BTT_PICKER_BLOCK;
	size = btt_pk_piece_bytes(pk, piece);
	return (uint32_t)(size - (uint64_t)block * BTT_PICKER_BLOCK);
}

size_t btt_picker_num_downloading(const struct btt_picker *pk)
{
	return pk->ndl;
}

enum btt_picker_block_state
btt_picker_block_state(const struct btt_picker *pk, uint32_t piece,
		       uint32_t block, uint32_t *out_peers, size_t *out_n)
{
	const struct btt_picker_piece *p;
	const struct btt_picker_slot *s;

	*out_n = 0;
	if (block >= btt_picker_num_blocks(pk, piece))
		return BTT_PICKER_BLOCK_FREE;
	p = &pk->pieces[piece];
	if (p->state == BTT_PK_HAVE)
		return BTT_PICKER_BLOCK_HAVE;
	if (p->state == BTT_PK_NONE)
		return BTT_PICKER_BLOCK_FREE;
	s = &pk->dl[p->pos].blocks[block];
	if (s->state == BTT_PICKER_BLOCK_RECEIVED) {
		out_peers[0] = s->peer[0];
		*out_n = 1;
	}
	for (uint32_t j = 0; j < s->nreq; j++)
		out_peers[(*out_n)++] = s->peer[j];
	return (enum btt_picker_block_state)s->state;
}

size_t btt_picker_memory(const struct btt_picker *pk)
{
	size_t bytes = sizeof(*pk);

	bytes += (size_t)pk->npieces *
		 (sizeof(*pk->pieces) + sizeof(*pk->order));
	bytes += (pk->have.nbits + 63) / 64 * sizeof(uint64_t);
	bytes += ((size_t)btt_pk_nkeys(pk) + 1) * sizeof(*pk->start);
	bytes += (size_t)pk->dlcap * sizeof(*pk->dl);
	bytes += pk->scratch_cap * sizeof(*pk->scratch);
	for (uint32_t i = 0; i < pk->ndl; i++)
		bytes += (size_t)pk->dl[i].nblocks *
			 sizeof(struct btt_picker_slot);
	return bytes;
}
