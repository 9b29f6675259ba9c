/* Finding who sent corrupt data when a failed piece had several senders.
 *
 * A piece that fails its hash with one sender blames that sender (half a
 * ban). With several senders the bad one is not known, and blaming all of
 * them would ban honest peers that happened to share pieces with a liar.
 * So after the first such failure the torrent starts remembering, for
 * every block it receives, who sent it and a keyed hash of its bytes
 * (SipHash-1-3 with a random key, so a peer cannot craft collisions).
 * When a piece fails, its blocks' records are kept as "bad attempts";
 * when it later passes, each block of a bad attempt whose hash differs
 * from the block that passed identifies its sender as a liar (half a ban
 * each time), and senders of matching blocks are cleared.
 *
 * The cost (one keyed hash per block) is paid only after a shared hash
 * failure. Memory is bounded: at most SB_MAX_PIECES pieces are tracked and
 * SB_MAX_BAD bad records kept per block; pieces beyond that are simply
 * not tracked. Loop thread only. */
#include <stdlib.h>
#include <string.h>

#include "bt/torrent_int.h"
#include "btt/err.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/siphash.h"

#define SB_MAX_PIECES 256
#define SB_MAX_BAD 2

struct sb_rec {
	uint32_t peer; /* tpeer id, 0: none */
	uint32_t cand; /* candidate index or TP_NONE */
	uint64_t h;
};

struct sb_piece {
	uint32_t nblocks;
	struct sb_rec *cur; /* per block: this attempt */
	struct sb_rec *bad; /* per block: SB_MAX_BAD earlier attempts */
	uint8_t *nbad;	    /* per block */
};

struct btt_sban {
	uint8_t key[BTT_SIPHASH_KEY];
	struct btt_hmap pieces; /* u32 piece -> struct sb_piece * */
};

static void piece_free(struct sb_piece *sp)
{
	if (!sp)
		return;
	free(sp->cur);
	free(sp->bad);
	free(sp->nbad);
	free(sp);
}

void sb_release(struct btt_torrent *t)
{
	struct btt_hmap_iter it;
	uint64_t v;

	if (!t->sban)
		return;
	btt_hmap_iter_init(&t->sban->pieces, &it);
	while (btt_hmap_iter_next(&t->sban->pieces, &it, NULL, &v))
		piece_free((struct sb_piece *)(uintptr_t)v);
	btt_hmap_release(&t->sban->pieces);
	free(t->sban);
	t->sban = NULL;
}

static struct sb_piece *piece_get(struct btt_torrent *t, uint32_t piece,
				  bool create)
{
	struct sb_piece *sp = btt_hmap_get_ptr(&t->sban->pieces, &piece);
	uint32_t n;

	if (sp || !create || btt_hmap_len(&t->sban->pieces) >= SB_MAX_PIECES)
		return sp;
	n = btt_picker_num_blocks(t->pk, piece);
	sp = calloc(1, sizeof(*sp));
	if (!sp || !n)
		goto fail;
	sp->nblocks = n;
	sp->cur = calloc(n, sizeof(*sp->cur));
	sp->bad = calloc((size_t)n * SB_MAX_BAD, sizeof(*sp->bad));
	sp->nbad = calloc(n, 1);
	if (!sp->cur || !sp->bad || !sp->nbad ||
	    btt_hmap_put_ptr(&t->sban->pieces, &piece, sp) != 0)
		goto fail;
	return sp;
fail:
	piece_free(sp);
	return NULL;
}

void sb_block(struct btt_torrent *t, struct tpeer *tp, uint32_t piece,
	      uint32_t begin, const uint8_t *data, uint32_t len)
{
	struct sb_piece *sp;
	uint32_t b = begin / BTT_PICKER_BLOCK;

	if (!t->sban || !(sp = piece_get(t, piece, true)) || b >= sp->nblocks)
		return;
	sp->cur[b].peer = tp->id;
	sp->cur[b].cand = tp->cand;
	sp->cur[b].h = btt_siphash13(t->sban->key, data, len);
}

void sb_failed(struct btt_torrent *t, uint32_t piece, size_t nsenders)
{
	struct sb_piece *sp;

	if (!t->sban) {
		if (nsenders < 2)
			return;
		t->sban = calloc(1, sizeof(*t->sban));
		if (!t->sban)
			return;
		btt_rand_bytes(t->sban->key, sizeof(t->sban->key));
		btt_hmap_init(&t->sban->pieces, sizeof(uint32_t));
		BTT_LOG(BTT_LOG_INFO, "torrent",
			"%s: a piece from several peers failed; tracking "
			"blocks to find the sender of bad data",
			t->mi->name);
		return;
	}
	if (!(sp = piece_get(t, piece, false)))
		return;
	for (uint32_t b = 0; b < sp->nblocks; b++) {
		struct sb_rec *r = &sp->cur[b];
		if (!r->peer)
			continue;
		if (sp->nbad[b] < SB_MAX_BAD)
			sp->bad[b * SB_MAX_BAD + sp->nbad[b]++] = *r;
		memset(r, 0, sizeof(*r));
	}
}

static void blame(struct btt_torrent *t, const struct sb_rec *r)
{
	struct tpeer *tp = tp_by_id(t, r->peer);
	int score = BTT_TORRENT_BAN_SCORE / 2;

	if (tp) {
		tp->core.score += score;
		tp_cand_score(t, tp, score);
		if (tp->core.score >= BTT_PEER_MAX_SCORE)
			tp_drop(tp, BTT_EHASH, "sent corrupt data");
	} else if (r->cand != TP_NONE && r->cand < btt_vec_len(&t->cands)) {
		struct tcand *c = btt_vec_at(&t->cands, r->cand);
		c->score += score;
		c->banned = c->score >= BTT_TORRENT_BAN_SCORE;
	}
}

void sb_passed(struct btt_torrent *t, uint32_t piece)
{
	struct sb_piece *sp;

	if (!t->sban || !(sp = piece_get(t, piece, false)))
		return;
	for (uint32_t b = 0; b < sp->nblocks; b++) {
		const struct sb_rec *good = &sp->cur[b];
		for (uint32_t i = 0; good->peer && i < sp->nbad[b]; i++) {
			const struct sb_rec *r = &sp->bad[b * SB_MAX_BAD + i];
			if (r->h != good->h)
				blame(t, r);
		}
	}
	btt_hmap_remove(&t->sban->pieces, &piece, NULL);
	piece_free(sp);
}
