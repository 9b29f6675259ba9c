/* Piece picker: creation, the availability-sorted `order` array, peer
 * availability, priorities and our own pieces (picker_int.h describes the
 * representation; picker_block.c and picker_pick.c the rest).
 *
 * Buckets are kept in `order` from the least to the most desirable key, so
 * the pieces most often started (rare, high priority) sit next to the end
 * and enter or leave the array in few steps. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bt/picker_int.h"
#include "btt/err.h"
#include "core/limits.h"
#include "core/rand.h"

#define INITIAL_WIDTH 4

uint64_t btt_pk_rand(struct btt_picker *pk, uint64_t bound)
{
	/* splitmix64: one add and three mixes; the seed came from btt_rand,
	 * so tests that seed btt_rand get a repeatable picker. */
	uint64_t z = (pk->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return bound ? z % bound : 0;
}

int btt_pk_scratch_reserve(struct btt_picker *pk, size_t n)
{
	uint32_t *p;

	if (n <= pk->scratch_cap)
		return 0;
	if (n < 2 * pk->scratch_cap)
		n = 2 * pk->scratch_cap;
	p = realloc(pk->scratch, n * sizeof(*p));
	if (!p)
		return -ENOMEM;
	pk->scratch = p;
	pk->scratch_cap = n;
	return 0;
}

uint64_t btt_pk_piece_bytes(const struct btt_picker *pk, uint32_t piece)
{
	uint64_t size;

	if (pk->piece_size) {
		size = pk->piece_size(pk->ctx, piece);
		if (size == 0)
			size = 1;
		return size < pk->piece_length ? size : pk->piece_length;
	}
	if (piece + 1 < pk->npieces)
		return pk->piece_length;
	return pk->total_length - (uint64_t)piece * pk->piece_length;
}

uint32_t btt_pk_piece_blocks(const struct btt_picker *pk, uint32_t piece)
{
	return (uint32_t)((btt_pk_piece_bytes(pk, piece) + BTT_PICKER_BLOCK -
			   1) /
			  BTT_PICKER_BLOCK);
}

/* --- the order array ---------------------------------------------------- */

static void order_swap(struct btt_picker *pk, uint32_t a, uint32_t b)
{
	uint32_t pa = pk->order[a], pb = pk->order[b];

	pk->order[a] = pb;
	pk->order[b] = pa;
	pk->pieces[pb].pos = a;
	pk->pieces[pa].pos = b;
}

/* The piece at pos, in bucket k, becomes the first of bucket k + 1. */
static uint32_t step_up(struct btt_picker *pk, uint32_t pos, uint32_t k)
{
	uint32_t last = pk->start[k + 1] - 1;

	order_swap(pk, pos, last);
	pk->start[k + 1]--;
	return last;
}

/* The piece at pos, in bucket k, becomes the last of bucket k - 1. */
static uint32_t step_down(struct btt_picker *pk, uint32_t pos, uint32_t k)
{
	uint32_t first = pk->start[k];

	order_swap(pk, pos, first);
	pk->start[k]++;
	return first;
}

static void walk(struct btt_picker *pk, uint32_t pos, uint32_t from,
		 uint32_t to)
{
	for (; from < to; from++)
		pos = step_up(pk, pos, from);
	for (; from > to; from--)
		pos = step_down(pk, pos, from);
}

void btt_pk_order_remove(struct btt_picker *pk, uint32_t piece)
{
	struct btt_picker_piece *p = &pk->pieces[piece];

	/* Past the last bucket lies the end of the array. */
	walk(pk, p->pos, btt_pk_key(pk, p->prio, p->avail), btt_pk_nkeys(pk));
	pk->norder--;
}

void btt_pk_order_insert(struct btt_picker *pk, uint32_t piece)
{
	struct btt_picker_piece *p = &pk->pieces[piece];
	uint32_t nkeys = btt_pk_nkeys(pk), pos = pk->norder++;

	pk->order[pos] = piece;
	p->pos = pos;
	pk->start[nkeys]++;
	walk(pk, pos, nkeys - 1, btt_pk_key(pk, p->prio, p->avail));
	if (piece < pk->seq_next)
		pk->seq_next = piece;
}

uint32_t btt_pk_bucket_of(const struct btt_picker *pk, uint32_t pos)
{
	uint32_t lo = 0, hi = btt_pk_nkeys(pk);

	/* start[lo] <= pos < start[hi] */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (pk->start[mid] <= pos)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Counting sort by key, then a shuffle inside each bucket so that equally
 * desirable pieces come in random order. O(npieces + nkeys). */
void btt_pk_order_rebuild(struct btt_picker *pk)
{
	uint32_t nkeys = btt_pk_nkeys(pk);

	memset(pk->start, 0, (nkeys + 1) * sizeof(*pk->start));
	for (uint32_t i = 0; i < pk->npieces; i++) {
		const struct btt_picker_piece *p = &pk->pieces[i];
		if (btt_pk_pickable(p))
			pk->start[btt_pk_key(pk, p->prio, p->avail) + 1]++;
	}
	for (uint32_t k = 1; k <= nkeys; k++)
		pk->start[k] += pk->start[k - 1];
	pk->norder = pk->start[nkeys];
	for (uint32_t i = 0; i < pk->npieces; i++) {
		struct btt_picker_piece *p = &pk->pieces[i];
		if (!btt_pk_pickable(p))
			continue;
		p->pos = --pk->start[btt_pk_key(pk, p->prio, p->avail) + 1];
		pk->order[p->pos] = i;
	}
	/* start[k + 1] now holds the first position of bucket k */
	memmove(pk->start, pk->start + 1, nkeys * sizeof(*pk->start));
	pk->start[nkeys] = pk->norder;
	for (uint32_t k = 0; k < nkeys; k++) {
		uint32_t lo = pk->start[k], hi = pk->start[k + 1];
		for (uint32_t i = hi; i > lo + 1; i--)
			order_swap(pk, i - 1,
				   lo + (uint32_t)btt_pk_rand(pk, i - lo));
	}
	pk->seq_next = 0;
}

/* Makes width > need (need <= BTT_PICKER_MAX_AVAIL). Every class gains
 * empty buckets for the new, higher availabilities at its low end;
 * positions do not move. */
static int grow_width(struct btt_picker *pk, uint32_t need)
{
	uint32_t w = pk->width, nw = w, *ns;

	if (need < w)
		return 0;
	while (nw <= need)
		nw *= 2;
	if (nw > BTT_PICKER_MAX_AVAIL + 1)
		nw = BTT_PICKER_MAX_AVAIL + 1;
	ns = malloc(((size_t)BTT_PICKER_CLASSES * nw + 1) * sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	for (uint32_t c = 0; c < BTT_PICKER_CLASSES; c++) {
		for (uint32_t j = 0; j < nw - w; j++)
			ns[c * nw + j] = pk->start[c * w];
		for (uint32_t j = 0; j < w; j++)
			ns[c * nw + nw - w + j] = pk->start[c * w + j];
	}
	ns[BTT_PICKER_CLASSES * nw] = pk->start[BTT_PICKER_CLASSES * w];
	free(pk->start);
	pk->start = ns;
	pk->width = nw;
	return 0;
}

/* --- lifetime ----------------------------------------------------------- */

static int check_sizes(const struct btt_picker_sizes *s)
{
	uint64_t n = s->num_pieces;

	if (n == 0 || n > BTT_METAINFO_MAX_PIECES || s->piece_length == 0 ||
	    s->piece_length > BTT_METAINFO_MAX_PIECE)
		return BTT_EINVALID;
	if (s->piece_size)
		return 0;
	if (s->total_length <= (n - 1) * s->piece_length ||
	    s->total_length > n * s->piece_length)
		return BTT_EINVALID;
	return 0;
}

int btt_picker_new(const struct btt_picker_sizes *sizes,
		   struct btt_picker **out)
{
	struct btt_picker *pk;
	uint32_t n;
	int rc;

	*out = NULL;
	rc = check_sizes(sizes);
	if (rc)
		return rc;
	pk = calloc(1, sizeof(*pk));
	if (!pk)
		return -ENOMEM;
	n = sizes->num_pieces;
	pk->npieces = n;
	pk->piece_length = sizes->piece_length;
	pk->total_length = sizes->total_length;
	pk->piece_size = sizes->piece_size;
	pk->ctx = sizes->ctx;
	pk->width = INITIAL_WIDTH;
	pk->nwanted = n;
	pk->rng = btt_rand_u64();
	pk->pieces = calloc(n, sizeof(*pk->pieces));
	pk->order = malloc((size_t)n * sizeof(*pk->order));
	pk->start = calloc((size_t)btt_pk_nkeys(pk) + 1, sizeof(*pk->start));
	if (!pk->pieces || !pk->order || !pk->start ||
	    btt_bitfield_init(&pk->have, n)) {
		btt_picker_free(pk);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++)
		pk->pieces[i].prio = BTT_PICKER_PRIO_DEFAULT;
	btt_pk_order_rebuild(pk);
	*out = pk;
	return 0;
}

void btt_picker_free(struct btt_picker *pk)
{
	if (!pk)
		return;
	for (uint32_t i = 0; i < pk->ndl; i++)
		free(pk->dl[i].blocks);
	free(pk->dl);
	free(pk->scratch);
	btt_bitfield_release(&pk->have);
	free(pk->start);
	free(pk->order);
	free(pk->pieces);
	free(pk);
}

/* --- availability ------------------------------------------------------- */

/* One more peer has piece i; width > avail + 1 is the caller's job. */
static void avail_inc(struct btt_picker *pk, uint32_t i)
{
	struct btt_picker_piece *p = &pk->pieces[i];

	if (btt_pk_pickable(p))
		step_down(pk, p->pos, btt_pk_key(pk, p->prio, p->avail));
	p->avail++;
	if (p->avail > pk->avail_hi)
		pk->avail_hi = p->avail;
}

static void avail_dec(struct btt_picker *pk, uint32_t i)
{
	struct btt_picker_piece *p = &pk->pieces[i];

	if (btt_pk_pickable(p))
		step_up(pk, p->pos, btt_pk_key(pk, p->prio, p->avail));
	p->avail--;
}

int btt_picker_peer_have(struct btt_picker *pk, uint32_t piece)
{
	int rc;

	if (piece >= pk->npieces)
		return BTT_EINVALID;
	if (pk->pieces[piece].avail >= BTT_PICKER_MAX_AVAIL)
		return BTT_ELIMIT;
	rc = grow_width(pk, pk->pieces[piece].avail + 1u);
	if (rc)
		return rc;
	avail_inc(pk, piece);
	return 0;
}

int btt_picker_peer_dont_have(struct btt_picker *pk, uint32_t piece)
{
	if (piece >= pk->npieces || pk->pieces[piece].avail == 0)
		return BTT_EINVALID;
	avail_dec(pk, piece);
	return 0;
}

/* Calls fn for every set bit of bf. */
static void each_bit(struct btt_picker *pk, const struct btt_bitfield *bf,
		     void (*fn)(struct btt_picker *, uint32_t))
{
	size_t nw = (bf->nbits + 63) / 64;

	for (size_t w = 0; w < nw; w++) {
		for (uint64_t x = bf->words[w]; x; x &= x - 1)
			fn(pk, (uint32_t)(w * 64 + (size_t)__builtin_ctzll(x)));
	}
}

/* True when some set bit of bf has avail == v. */
static bool any_avail(const struct btt_picker *pk,
		      const struct btt_bitfield *bf, uint32_t v)
{
	for (size_t i = btt_bitfield_find_next_set(bf, 0); i < bf->nbits;
	     i = btt_bitfield_find_next_set(bf, i + 1)) {
		if (pk->pieces[i].avail == v)
			return true;
	}
	return false;
}

int btt_picker_peer_bitfield_add(struct btt_picker *pk,
				 const struct btt_bitfield *bf)
{
	uint32_t need = pk->avail_hi + 1;
	int rc;

	if (btt_bitfield_size(bf) != pk->npieces)
		return BTT_EINVALID;
	/* The precise check only when the bound says it might trip. */
	if (need > BTT_PICKER_MAX_AVAIL) {
		if (any_avail(pk, bf, BTT_PICKER_MAX_AVAIL))
			return BTT_ELIMIT;
		need = BTT_PICKER_MAX_AVAIL;
	}
	rc = grow_width(pk, need);
	if (rc)
		return rc;
	each_bit(pk, bf, avail_inc);
	return 0;
}

int btt_picker_peer_bitfield_remove(struct btt_picker *pk,
				    const struct btt_bitfield *bf)
{
	if (btt_bitfield_size(bf) != pk->npieces || any_avail(pk, bf, 0))
		return BTT_EINVALID;
	each_bit(pk, bf, avail_dec);
	return 0;
}

int btt_picker_peer_seed_add(struct btt_picker *pk)
{
	if (pk->seeds >= BTT_PICKER_MAX_AVAIL)
		return BTT_ELIMIT;
	pk->seeds++;
	return 0;
}

int btt_picker_peer_seed_remove(struct btt_picker *pk)
{
	if (pk->seeds == 0)
		return BTT_EINVALID;
	pk->seeds--;
	return 0;
}

int btt_picker_peer_add(struct btt_picker *pk,
			const struct btt_picker_peer *peer)
{
	if (peer->has_all)
		return btt_picker_peer_seed_add(pk);
	if (!peer->have)
		return BTT_EINVALID;
	return btt_picker_peer_bitfield_add(pk, peer->have);
}

int btt_picker_peer_remove(struct btt_picker *pk,
			   const struct btt_picker_peer *peer)
{
	btt_picker_peer_release(pk, peer->id);
	if (peer->has_all)
		return btt_picker_peer_seed_remove(pk);
	if (!peer->have)
		return BTT_EINVALID;
	return btt_picker_peer_bitfield_remove(pk, peer->have);
}

uint32_t btt_picker_availability(const struct btt_picker *pk, uint32_t piece)
{
	return piece < pk->npieces ? btt_pk_avail(pk, piece) : 0;
}

bool btt_picker_peer_interesting(const struct btt_picker *pk,
				 const struct btt_picker_peer *peer)
{
	const struct btt_bitfield *bf = peer->have;
	size_t nw;

	if (pk->nwanted == 0)
		return false;
	if (peer->has_all)
		return true;
	if (!bf || btt_bitfield_size(bf) != pk->npieces)
		return false;
	nw = (bf->nbits + 63) / 64;
	for (size_t w = 0; w < nw; w++) {
		for (uint64_t x = bf->words[w] & ~pk->have.words[w]; x;
		     x &= x - 1) {
			size_t i = w * 64 + (size_t)__builtin_ctzll(x);
			if (pk->pieces[i].prio > 0)
				return true;
		}
	}
	return false;
}
