/* Piece picker: choosing blocks for one peer.
 *
 * Order of passes: pieces in progress (highest priority first), then new
 * pieces (rarest first, or lowest index in sequential mode), then, in
 * endgame, blocks already requested from someone else. A snubbed peer
 * starts new pieces before it joins pieces in progress, and takes common
 * pieces first, so a slow peer never holds up a rare piece others wait on.
 *
 * New pieces come from walking `order` from its desirable end, one bucket
 * at a time, entering each bucket at a random offset (the random
 * tie-break). A peer that has few of the pickable pieces would make that
 * walk long, so it is cut off after walk_budget() positions the peer
 * lacks, and the peer's own bitfield is searched instead, keeping the best
 * candidates by rank. */
#include <errno.h>
#include <string.h>

#include "bt/picker_int.h"
#include "btt/err.h"
#include "core/limits.h"

#define SELECT_MAX 64 /* new pieces one bitfield search may start */

struct pick {
	struct btt_picker *pk;
	const struct btt_picker_peer *peer;
	struct btt_picker_block *out;
	size_t n;
	size_t want;
};

static bool allowed_fast(const struct btt_picker_peer *peer, uint32_t i)
{
	for (size_t j = 0; j < peer->num_allowed_fast; j++) {
		if (peer->allowed_fast[j] == i)
			return true;
	}
	return false;
}

/* The peer has piece i and may be asked for it. */
static bool can_ask(const struct pick *c, uint32_t i)
{
	const struct btt_picker_peer *peer = c->peer;

	if (peer->fast_only && !allowed_fast(peer, i))
		return false;
	return peer->has_all || btt_bitfield_get(peer->have, i);
}

static bool partial_open(const struct pick *c, const struct btt_picker_dl *d)
{
	const struct btt_picker_piece *p = &c->pk->pieces[d->piece];

	return p->state == BTT_PK_PARTIAL && p->prio > 0 && d->nfree > 0 &&
	       can_ask(c, d->piece);
}

/* Free blocks of pieces in progress, highest priority first. One scan
 * finds the priorities present; more scans happen only when they differ. */
static void take_partials(struct pick *c)
{
	struct btt_picker *pk = c->pk;
	unsigned hi = 0, lo = BTT_PICKER_PRIO_MAX + 1;

	for (uint32_t i = 0; i < pk->ndl; i++) {
		unsigned prio = pk->pieces[pk->dl[i].piece].prio;
		if (!partial_open(c, &pk->dl[i]))
			continue;
		hi = prio > hi ? prio : hi;
		lo = prio < lo ? prio : lo;
	}
	for (unsigned prio = hi; prio >= lo && prio > 0 && c->n < c->want;
	     prio--) {
		for (uint32_t i = 0; i < pk->ndl && c->n < c->want; i++) {
			struct btt_picker_dl *d = &pk->dl[i];
			if (pk->pieces[d->piece].prio == prio &&
			    partial_open(c, d))
				btt_pk_dl_take(d, c->peer->id, c->out, &c->n,
					       c->want);
		}
	}
}

static int start_take(struct pick *c, uint32_t piece)
{
	struct btt_picker *pk = c->pk;
	int rc;

	if (!btt_pk_pickable(&pk->pieces[piece]))
		return 0; /* listed twice (allowed-fast set) */
	rc = btt_pk_dl_start(pk, piece);
	if (rc)
		return rc;
	btt_pk_dl_take(&pk->dl[pk->pieces[piece].pos], c->peer->id, c->out,
		       &c->n, c->want);
	return 0;
}

/* --- walking `order` ---------------------------------------------------- */

struct walk {
	uint32_t *found; /* pk->scratch */
	size_t nfound;
	size_t need;   /* blocks still to find */
	size_t budget; /* positions the peer lacks left to skip */
	bool cut;      /* the budget ran out */
};

/* Looks at bucket [lo, hi) from a random offset. False when done. */
static bool walk_bucket(struct pick *c, struct walk *w, uint32_t lo,
			uint32_t hi)
{
	struct btt_picker *pk = c->pk;
	uint32_t size = hi - lo, r = (uint32_t)btt_pk_rand(pk, size);

	for (uint32_t j = 0; j < size; j++) {
		uint32_t i = pk->order[lo + (r + j) % size];
		if (!can_ask(c, i)) {
			if (w->budget == 0) {
				w->cut = true;
				return false;
			}
			w->budget--;
			continue;
		}
		w->found[w->nfound++] = i;
		uint32_t nb = btt_pk_piece_blocks(pk, i);
		w->need = w->need > nb ? w->need - nb : 0;
		if (w->need == 0)
			return false;
	}
	return true;
}

/* Rarest first: buckets from the most desirable key down. */
static void walk_rarest(struct pick *c, struct walk *w)
{
	struct btt_picker *pk = c->pk;
	uint32_t pos = pk->norder;

	while (pos > 0) {
		uint32_t lo = pk->start[btt_pk_bucket_of(pk, pos - 1)];
		if (!walk_bucket(c, w, lo, pos))
			return;
		pos = lo;
	}
}

/* Snubbed: priority classes from the highest, each from its most common
 * pieces up. */
static void walk_common(struct pick *c, struct walk *w)
{
	struct btt_picker *pk = c->pk;

	for (uint32_t cl = BTT_PICKER_CLASSES; cl-- > 0;) {
		uint32_t pos = pk->start[cl * pk->width];
		uint32_t end = pk->start[(cl + 1) * pk->width];
		while (pos < end) {
			uint32_t hi = pk->start[btt_pk_bucket_of(pk, pos) + 1];
			if (!walk_bucket(c, w, pos, hi))
				return;
			pos = hi;
		}
	}
}

static size_t walk_budget(const struct btt_picker *pk)
{
	return 64 + pk->npieces / 64;
}

/* Starts new pieces from `order`. Returns 0, 1 when the budget (of
 * positions skipped, not taken) ran out before enough were found, or
 * -ENOMEM. */
static int start_order(struct pick *c)
{
	struct btt_picker *pk = c->pk;
	struct walk w = {.need = c->want - c->n, .budget = walk_budget(pk)};
	int rc;

	/* each piece found covers at least one block */
	if (btt_pk_scratch_reserve(pk,
				   w.need < pk->norder ? w.need : pk->norder))
		return -ENOMEM;
	w.found = pk->scratch;
	if (c->peer->snubbed)
		walk_common(c, &w);
	else
		walk_rarest(c, &w);
	for (size_t j = 0; j < w.nfound && c->n < c->want; j++) {
		rc = start_take(c, w.found[j]);
		if (rc)
			return rc;
	}
	return w.cut && c->n < c->want ? 1 : 0;
}

/* Lowest index first. Same return values as start_order. */
static int start_sequential(struct pick *c)
{
	struct btt_picker *pk = c->pk;
	size_t budget = walk_budget(pk);
	int rc;

	while (pk->seq_next < pk->npieces &&
	       !btt_pk_pickable(&pk->pieces[pk->seq_next]))
		pk->seq_next++;
	for (uint32_t i = pk->seq_next; i < pk->npieces && c->n < c->want;
	     i++) {
		if (!btt_pk_pickable(&pk->pieces[i]) || !can_ask(c, i)) {
			if (budget-- == 0)
				return 1;
			continue;
		}
		rc = start_take(c, i);
		if (rc)
			return rc;
	}
	return 0;
}

/* --- choosing from a candidate list ------------------------------------- */

struct select {
	uint32_t piece[SELECT_MAX];
	uint64_t rank[SELECT_MAX];
	size_t n;
	size_t cap;
};

/* Higher is better: the same order as the walks above. */
static uint64_t rank_of(struct pick *c, uint32_t i)
{
	struct btt_picker *pk = c->pk;
	const struct btt_picker_piece *p = &pk->pieces[i];
	uint64_t a =
		c->peer->snubbed ? p->avail : BTT_PICKER_MAX_AVAIL - p->avail;

	if (pk->sequential)
		return pk->npieces - i;
	return (uint64_t)p->prio << 48 | a << 24 | btt_pk_rand(pk, 1u << 24);
}

static void consider(struct pick *c, struct select *s, uint32_t i)
{
	uint64_t r;
	size_t j;

	if (!btt_pk_pickable(&c->pk->pieces[i]) || !can_ask(c, i))
		return;
	r = rank_of(c, i);
	if (s->n == s->cap) {
		if (r <= s->rank[s->n - 1])
			return;
		s->n--;
	}
	for (j = s->n; j > 0 && s->rank[j - 1] < r; j--) {
		s->rank[j] = s->rank[j - 1];
		s->piece[j] = s->piece[j - 1];
	}
	s->rank[j] = r;
	s->piece[j] = i;
	s->n++;
}

/* Candidates: the allowed-fast set, or the peer's pieces we lack. */
static int start_selected(struct pick *c)
{
	struct btt_picker *pk = c->pk;
	const struct btt_picker_peer *peer = c->peer;
	uint32_t full = btt_pk_piece_blocks(pk, 0);
	size_t need = c->want - c->n;
	struct select s = {.n = 0};
	int rc;

	s.cap = need / full + 2 < need ? need / full + 2 : need;
	if (s.cap > SELECT_MAX)
		s.cap = SELECT_MAX;
	if (peer->fast_only) {
		for (size_t j = 0; j < peer->num_allowed_fast; j++) {
			if (peer->allowed_fast[j] < pk->npieces)
				consider(c, &s, peer->allowed_fast[j]);
		}
	} else {
		size_t nw = (pk->npieces + 63) / 64;
		for (size_t w = 0; w < nw; w++) {
			uint64_t x = peer->have->words[w] & ~pk->have.words[w];
			for (; x; x &= x - 1)
				consider(
					c, &s,
					(uint32_t)(w * 64 +
						   (size_t)__builtin_ctzll(x)));
		}
	}
	for (size_t j = 0; j < s.n && c->n < c->want; j++) {
		rc = start_take(c, s.piece[j]);
		if (rc)
			return rc;
	}
	return 0;
}

static int start_new(struct pick *c)
{
	int rc;

	if (c->peer->fast_only)
		return start_selected(c);
	rc = c->pk->sequential ? start_sequential(c) : start_order(c);
	if (rc == 1)
		rc = c->peer->has_all ? 0 : start_selected(c);
	return rc;
}

/* --- endgame ------------------------------------------------------------ */

bool btt_picker_endgame(const struct btt_picker *pk)
{
	uint32_t rare = 0;

	if (pk->nwanted == 0)
		return false;
	if (pk->norder > 0) {
		if (pk->seeds > 0)
			return false;
		/* pieces nobody has sit in each class's last bucket */
		for (uint32_t cl = 0; cl < BTT_PICKER_CLASSES; cl++) {
			uint32_t k = (cl + 1) * pk->width - 1;
			rare += pk->start[k + 1] - pk->start[k];
		}
		if (pk->norder > rare)
			return false;
	}
	for (uint32_t i = 0; i < pk->ndl; i++) {
		const struct btt_picker_dl *d = &pk->dl[i];
		const struct btt_picker_piece *p = &pk->pieces[d->piece];
		if (p->state == BTT_PK_PARTIAL && p->prio > 0 && d->nfree > 0 &&
		    btt_pk_avail(pk, d->piece) > 0)
			return false;
	}
	return true;
}

static bool requested_by(const struct btt_picker_slot *s, uint32_t id)
{
	for (uint32_t j = 0; j < s->nreq; j++) {
		if (s->peer[j] == id)
			return true;
	}
	return false;
}

/* Adds the peer to blocks other peers are already fetching. */
static void take_endgame(struct pick *c)
{
	struct btt_picker *pk = c->pk;
	uint32_t id = c->peer->id;

	for (uint32_t i = 0; i < pk->ndl && c->n < c->want; i++) {
		struct btt_picker_dl *d = &pk->dl[i];
		const struct btt_picker_piece *p = &pk->pieces[d->piece];
		if (p->state != BTT_PK_PARTIAL || p->prio == 0 ||
		    !can_ask(c, d->piece))
			continue;
		for (uint32_t b = 0; b < d->nblocks && c->n < c->want; b++) {
			struct btt_picker_slot *s = &d->blocks[b];
			if (s->state != BTT_PICKER_BLOCK_REQUESTED ||
			    s->nreq >= BTT_PICKER_MAX_DUP ||
			    requested_by(s, id))
				continue;
			s->peer[s->nreq++] = id;
			c->out[c->n].piece = d->piece;
			c->out[c->n].block = b;
			c->n++;
		}
	}
}

int btt_picker_pick(struct btt_picker *pk, const struct btt_picker_peer *peer,
		    size_t want, struct btt_picker_block *out, size_t *out_n)
{
	struct pick c = {pk, peer, out, 0, want};
	int rc;

	*out_n = 0;
	if (peer->id == BTT_PICKER_NO_PEER ||
	    (!peer->has_all &&
	     (!peer->have || btt_bitfield_size(peer->have) != pk->npieces)) ||
	    (peer->num_allowed_fast > 0 && !peer->allowed_fast))
		return BTT_EINVALID;
	if (want == 0 || pk->nwanted == 0)
		return 0;
	if (!peer->snubbed)
		take_partials(&c);
	rc = c.n < want ? start_new(&c) : 0;
	if (rc == 0 && peer->snubbed && c.n < want)
		take_partials(&c);
	if (rc == 0 && c.n < want && btt_picker_endgame(pk))
		take_endgame(&c);
	*out_n = c.n;
	return rc;
}
