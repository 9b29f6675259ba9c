/* File priorities: which files of a torrent are wanted, turned into piece
 * priorities for the picker (a piece takes the highest priority of the
 * files it touches, bt/layout.h), skip marks for the storage (so skipped
 * empty files are not created), the count of wanted bytes, and the state
 * changes a new selection causes while running.
 *
 * Invariants: t->file_prio is NULL (every file at the default priority)
 * or holds one value 0..BTT_PICKER_PRIO_MAX per file of the torrent.
 * wanted_bytes is the content of the pieces whose picker priority is > 0,
 * wanted_have the part of it in pieces the picker has; both change only
 * here, when a piece becomes ours (tf_piece_have) or a priority moves
 * across 0. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bt/torrent_int.h"
#include "btt/err.h"

/* More piece priority changes than this are applied by the picker's bulk
 * call (O(pieces)) rather than one piece at a time. */
#define TF_BULK 64

int tf_init(struct btt_torrent *t, const struct btt_torrent_opts *o)
{
	uint32_t n = t->mi->num_files;

	t->wanted_bytes = t->mi->total_length;
	if (!o->file_prio && !o->num_file_prio)
		return 0;
	if (!o->file_prio || o->num_file_prio != n)
		return BTT_EINVALID;
	for (uint32_t f = 0; f < n; f++)
		if (o->file_prio[f] > BTT_PICKER_PRIO_MAX)
			return BTT_EINVALID;
	/* sized from the torrent: fallible */
	t->file_prio = malloc(n ? n : 1);
	if (!t->file_prio)
		return -ENOMEM;
	memcpy(t->file_prio, o->file_prio, n);
	return 0;
}

/* Piece p's priority moves from wanted to unwanted or back. */
static void count_piece(struct btt_torrent *t, uint32_t p, bool wanted)
{
	uint64_t c = tx_piece_content(t, p);
	bool have = btt_picker_have(t->pk, p);

	if (wanted) {
		t->wanted_bytes += c;
		t->wanted_have += have ? c : 0;
	} else {
		t->wanted_bytes -= c;
		t->wanted_have -= have ? c : 0;
	}
}

int tf_apply(struct btt_torrent *t)
{
	uint32_t n = t->mi->num_pieces, changed = 0;
	uint8_t *pp;

	if (!t->file_prio)
		return 0;
	pp = malloc(n ? n : 1); /* sized from the torrent: fallible */
	if (!pp)
		return -ENOMEM;
	btt_layout_piece_prios(&t->layout, t->file_prio, pp);
	for (uint32_t p = 0; p < n; p++) {
		unsigned old = btt_picker_priority(t->pk, p);
		if ((old > 0) != (pp[p] > 0))
			count_piece(t, p, pp[p] > 0);
		changed += old != pp[p];
	}
	if (changed > TF_BULK) {
		btt_picker_priorities_set(t->pk, pp, n);
	} else {
		for (uint32_t p = 0; p < n && changed; p++) {
			if (btt_picker_priority(t->pk, p) == pp[p])
				continue;
			btt_picker_priority_set(t->pk, p, pp[p]);
			changed--;
		}
	}
	free(pp);
	for (uint32_t f = 0; f < t->mi->num_files; f++)
		btt_bt_storage_file_skip(t->st, f, t->file_prio[f] == 0);
	return 0;
}

void tf_piece_have(struct btt_torrent *t, uint32_t piece)
{
	if (btt_picker_priority(t->pk, piece) > 0)
		t->wanted_have += tx_piece_content(t, piece);
}

/* Asks every peer again whether we want something of it, and for blocks. */
static void refresh_peers(struct btt_torrent *t)
{
	for (size_t i = 0; i < btt_vec_len(&t->peers); i++) {
		struct tpeer *tp = *(struct tpeer **)btt_vec_at(&t->peers, i);
		if (tp->dead || !tp->handshaken)
			continue;
		tp_update_interest(tp);
		tx_fill(tp);
		tp_flush(tp);
	}
}

/* Done, then given more to get: download again. Seeds were dropped when
 * we became done, so every address may be dialled again at once. */
static void download_again(struct btt_torrent *t)
{
	uint64_t now = ss_now(t->s);

	t->state = BTT_TORRENT_DOWNLOADING;
	for (size_t i = 0; i < btt_vec_len(&t->cands); i++) {
		struct tcand *c = btt_vec_at(&t->cands, i);
		if (!c->connected && c->next_try > now)
			c->next_try = now;
	}
	refresh_peers(t);
	tp_dial(t);
	tg_pump(t);
}

int btt_torrent_set_file_prio(struct btt_torrent *t, uint32_t file,
			      unsigned prio)
{
	uint32_t n = t->mi->num_files;
	uint8_t old;
	bool done;
	int rc;

	if (file >= n || prio > BTT_PICKER_PRIO_MAX)
		return BTT_EINVALID;
	if (!t->file_prio) {
		t->file_prio = malloc(n); /* sized from the torrent */
		if (!t->file_prio)
			return -ENOMEM;
		memset(t->file_prio, BTT_PICKER_PRIO_DEFAULT, n);
	}
	old = t->file_prio[file];
	if (old == prio)
		return 0;
	t->file_prio[file] = (uint8_t)prio;
	if ((rc = tf_apply(t)) != 0) {
		t->file_prio[file] = old;
		return rc;
	}
	done = btt_picker_complete(t->pk);
	if (t->state == BTT_TORRENT_DOWNLOADING && done)
		tt_complete(t);
	else if (t->state == BTT_TORRENT_DOWNLOADING)
		refresh_peers(t);
	else if (t->state == BTT_TORRENT_SEEDING && t->o.download && !done)
		download_again(t);
	return 0;
}

unsigned btt_torrent_file_prio(const struct btt_torrent *t, uint32_t file)
{
	if (file >= t->mi->num_files)
		return 0;
	return t->file_prio ? t->file_prio[file] : BTT_PICKER_PRIO_DEFAULT;
}
