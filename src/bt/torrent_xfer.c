/* Moving blocks: requests from the picker, received blocks into the
 * storage, peers' requests served from the storage read cache, and the
 * verdicts on pieces.
 *
 * Download path: the socket's read buffer holds a PIECE message; the
 * peer core hands its block out in place (BTT_PEER_EV_BLOCK) and
 * btt_bt_storage_write copies it into a write buffer: the one copy of
 * ours. When the storage's buffers are full the block is stashed (a
 * second copy, rare), reading pauses for every peer and no more blocks
 * are requested until the storage reports room (tx_writable).
 *
 * Upload path: a request is answered from the read cache when the chunk
 * is there (btt_bt_storage_read_cached), else after a read job; the block
 * is sent by reference (btt_tcp_write_ref) from the cache buffer, which
 * the socket releases once sent: no copy of ours. A peer gets at most
 * TP_MAX_READS reads in flight and nothing while its write queue is over
 * the high-water mark; upload tokens gate every block. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bt/torrent_int.h"
#include "btt/err.h"
#include "core/log.h"
#include "io/tcp.h"

/* A block the storage could not take yet. */
struct tstash {
	uint32_t piece, begin, len;
	uint8_t data[];
};

/* A read in flight for a peer, resolved by id when it completes. */
struct tread {
	struct btt_torrent *t;
	uint32_t peer;
	struct btt_peer_req q;
};

uint64_t tx_piece_size(const void *ctx, uint32_t piece)
{
	const struct btt_torrent *t = ctx;

	return btt_metainfo_piece_size(t->mi, piece);
}

uint64_t tx_piece_span(const void *ctx, uint32_t piece)
{
	const struct btt_torrent *t = ctx;

	/* libtorrent pads every file of a v2 torrent to a piece boundary,
	 * the last one included, and asks for whole blocks of that padding:
	 * a v2 piece spans piece_length on the wire. */
	if (!t->mi->has_v1)
		return piece < t->mi->num_pieces ? t->mi->piece_length : 0;
	return btt_metainfo_piece_size(t->mi, piece);
}

uint64_t tx_piece_content(const struct btt_torrent *t, uint32_t piece)
{
	struct btt_layout_iter it;
	struct btt_layout_extent e;
	uint64_t n = 0;

	if (!t->has_pad)
		return btt_metainfo_piece_size(t->mi, piece);
	btt_layout_iter_piece(&t->layout, piece, &it);
	while (btt_layout_iter_next(&it, &e))
		if (!e.pad)
			n += e.length;
	return n;
}

/* A block made only of pad-file bytes: nobody needs to send it. */
static bool pad_block(const struct btt_torrent *t, uint32_t piece,
		      uint32_t begin, uint32_t len)
{
	struct btt_layout_iter it;
	struct btt_layout_extent e;

	btt_layout_iter_range(&t->layout,
			      (uint64_t)piece * t->mi->piece_length + begin,
			      len, &it);
	while (btt_layout_iter_next(&it, &e))
		if (!e.pad)
			return false;
	return true;
}

/* ---- requests ---- */

static bool picks_reserve(struct btt_torrent *t, size_t n)
{
	struct btt_picker_block *p;

	if (n <= t->picks_cap)
		return true;
	p = realloc(t->picks, n * sizeof(*p));
	if (!p)
		return false;
	t->picks = p;
	t->picks_cap = n;
	return true;
}

void tx_fill(struct tpeer *tp)
{
	struct btt_torrent *t = tp->t;
	struct btt_picker_peer pp;
	struct btt_picker_recv r;
	uint64_t now = ss_now(t->s);
	uint32_t room;
	size_t n = 0, i;

	if (t->state != BTT_TORRENT_DOWNLOADING || t->disk_full ||
	    !tp->in_picker || tp->dead)
		return;
	room = btt_peer_request_room(&tp->core);
	if (!room || !picks_reserve(t, room))
		return;
	tp_picker_peer(tp, &pp);
	btt_picker_pick(t->pk, &pp, room, t->picks, &n);
	for (i = 0; i < n; i++) {
		const struct btt_picker_block *b = &t->picks[i];
		uint32_t begin = b->block * BTT_PICKER_BLOCK;
		uint32_t len =
			btt_picker_block_length(t->pk, b->piece, b->block);
		if (t->has_pad && pad_block(t, b->piece, begin, len)) {
			btt_picker_block_received(t->pk, TP_PAD_ID, b->piece,
						  b->block, &r);
			continue;
		}
		if (btt_peer_request(&tp->core, b->piece, begin, len, now))
			break;
	}
	for (; i < n; i++)
		btt_picker_block_release(t->pk, tp->id, t->picks[i].piece,
					 t->picks[i].block);
	if (n == 0 && tp->core.n_active == 0)
		tp_update_interest(tp);
	tp_flush(tp);
}

/* ---- blocks received ---- */

static void stash(struct btt_torrent *t, uint32_t piece, uint32_t begin,
		  const uint8_t *data, uint32_t len)
{
	struct tstash *s = malloc(sizeof(*s) + len);

	if (!s)
		abort();
	s->piece = piece;
	s->begin = begin;
	s->len = len;
	memcpy(s->data, data, len);
	if (!btt_vec_push(&t->stash, &s))
		abort();
}

static void pause_all(struct btt_torrent *t)
{
	for (size_t i = 0; i < btt_vec_len(&t->peers); i++)
		tp_update_read(*(struct tpeer **)btt_vec_at(&t->peers, i));
}

static void cancel_others(struct btt_torrent *t, struct tpeer *tp,
			  const struct btt_picker_recv *r,
			  const struct btt_peer_ev *ev)
{
	uint64_t now = ss_now(t->s);

	for (uint32_t j = 0; j < r->num_cancel; j++) {
		struct tpeer *o = tp_by_id(t, r->cancel[j]);
		if (!o || o == tp)
			continue;
		btt_peer_cancel(&o->core, ev->index, ev->begin, ev->length,
				now);
		tp_flush(o);
	}
}

int tx_block(struct tpeer *tp, const struct btt_peer_ev *ev)
{
	struct btt_torrent *t = tp->t;
	struct btt_picker_recv r;
	int rc;

	t->downloaded += ev->length;
	tp->payload += ev->length;
	if (t->state != BTT_TORRENT_DOWNLOADING || ev->begin % BTT_PICKER_BLOCK)
		return 0;
	rc = btt_picker_block_received(t->pk, tp->id, ev->index,
				       ev->begin / BTT_PICKER_BLOCK, &r);
	if (rc)
		return 0; /* a piece we have, or no memory: drop the data */
	cancel_others(t, tp, &r, ev);
	if (!r.fresh)
		return 0;
	if (t->sban)
		sb_block(t, tp, ev->index, ev->begin, ev->data, ev->length);
	rc = btt_bt_storage_write(t->st, ev->index, ev->begin, ev->data,
				  ev->length, NULL, NULL);
	if (rc == -ENOBUFS) {
		stash(t, ev->index, ev->begin, ev->data, ev->length);
		if (!t->disk_full) {
			t->disk_full = true;
			pause_all(t);
		}
		return 0;
	}
	if (rc && rc != -EEXIST) {
		tt_fail(t, rc, "writing piece %u: %s", ev->index,
			btt_strerror(rc));
		return rc;
	}
	return 0;
}

void tx_writable(struct btt_torrent *t)
{
	size_t done = 0, n = btt_vec_len(&t->stash);

	for (; done < n; done++) {
		struct tstash *s =
			*(struct tstash **)btt_vec_at(&t->stash, done);
		int rc = btt_bt_storage_write(t->st, s->piece, s->begin,
					      s->data, s->len, NULL, NULL);
		if (rc == -ENOBUFS)
			break;
		free(s);
	}
	for (size_t i = done; i < n; i++)
		*(void **)btt_vec_at(&t->stash, i - done) =
			*(void **)btt_vec_at(&t->stash, i);
	t->stash.len = n - done;
	if (t->stash.len || !t->disk_full)
		return;
	t->disk_full = false;
	pause_all(t);
	for (size_t i = 0; i < btt_vec_len(&t->peers); i++)
		tx_fill(*(struct tpeer **)btt_vec_at(&t->peers, i));
}

void tx_stash_free(struct btt_torrent *t)
{
	for (size_t i = 0; i < btt_vec_len(&t->stash); i++)
		free(*(void **)btt_vec_at(&t->stash, i));
	btt_vec_clear(&t->stash);
	t->disk_full = false;
}

/* ---- serving ---- */

/* What peers that pad every v2 file to a piece boundary (libtorrent)
 * request past a file's end: the gap reads as zeros. */
static const uint8_t zeros[BTT_WIRE_MAX_REQUEST];

static void buf_release(void *arg)
{
	btt_bt_storage_buf_unref(arg);
}

static void no_release(void *arg)
{
	(void)arg;
}

/* Bytes of the request that are on disk (the rest is a v2 gap). */
static uint32_t stored_len(const struct btt_torrent *t,
			   const struct btt_peer_req *q)
{
	uint64_t size = btt_metainfo_piece_size(t->mi, q->index);

	if (q->begin >= size)
		return 0;
	return size - q->begin < q->length ? (uint32_t)(size - q->begin)
					   : q->length;
}

/* Sends a block whose first n bytes are at data in buf, the rest zeros;
 * takes over the caller's reference to buf (may be NULL when n is 0). */
static void send_block(struct tpeer *tp, const struct btt_peer_req *q,
		       struct btt_bt_storage_buf *buf, const uint8_t *data,
		       uint32_t n)
{
	struct btt_torrent *t = tp->t;
	int rc = btt_peer_block_header(&tp->core, q->index, q->begin, q->length,
				       ss_now(t->s));

	tp_flush(tp);
	if (rc == 1 && tp->tcp &&
	    (!n ||
	     btt_tcp_write_ref(tp->tcp, data, n, buf_release, buf) == 0)) {
		if (q->length > n)
			btt_tcp_write_ref(tp->tcp, zeros, q->length - n,
					  no_release, NULL);
		t->uploaded += q->length;
		tp->payload += q->length;
		btt_ratelimit_take(&t->up, q->length);
		btt_ratelimit_take(&t->s->up, q->length);
		return;
	}
	if (buf)
		btt_bt_storage_buf_unref(buf);
}

static void read_done(void *arg, int err, struct btt_bt_storage_buf *buf,
		      const uint8_t *data)
{
	struct tread *rd = arg;
	struct btt_torrent *t = rd->t;
	struct tpeer *tp = t->s->freeing ? NULL : tp_by_id(t, rd->peer);
	struct btt_peer_req q = rd->q;

	free(rd);
	if (!tp || tp->dead)
		return;
	tp->reads--;
	if (err) {
		btt_peer_reject(&tp->core, q.index, q.begin, q.length);
		tp_flush(tp);
	} else {
		btt_bt_storage_buf_ref(buf);
		send_block(tp, &q, buf, data, stored_len(t, &q));
	}
	if (t->read_starved) {
		t->read_starved = false;
		tx_serve_all(t);
	} else {
		tx_serve(tp);
	}
}

/* Starts the answer to the request at the head of the queue. Returns 0
 * when it was popped (answered or under way), or -ENOBUFS / -EAGAIN when
 * it must wait. */
static int serve_one(struct tpeer *tp, const struct btt_peer_req *q)
{
	struct btt_torrent *t = tp->t;
	uint32_t n = stored_len(t, q);
	struct btt_bt_storage_buf *buf = NULL;
	const uint8_t *data = NULL;
	struct tread *rd;
	int rc;

	if (!btt_ratelimit_ok(&t->up) || !btt_ratelimit_ok(&t->s->up)) {
		t->up_waiting = true;
		return -EAGAIN;
	}
	if (n)
		buf = btt_bt_storage_read_cached(t->st, q->index, q->begin, n,
						 &data);
	if (buf || !n) {
		btt_peer_pop_request(&tp->core);
		send_block(tp, q, buf, data, n);
		return 0;
	}
	rd = malloc(sizeof(*rd));
	if (!rd)
		abort();
	*rd = (struct tread){t, tp->id, *q};
	rc = btt_bt_storage_read(t->st, q->index, q->begin, n, read_done, rd);
	if (rc == -ENOBUFS) {
		free(rd);
		t->read_starved = true;
		return rc;
	}
	btt_peer_pop_request(&tp->core);
	if (rc) {
		free(rd);
		btt_peer_reject(&tp->core, q->index, q->begin, q->length);
		return 0;
	}
	tp->reads++;
	return 0;
}

void tx_serve(struct tpeer *tp)
{
	struct btt_torrent *t = tp->t;
	struct btt_peer_req q;

	if (!tt_running(t) || tp->dead || !tp->handshaken || !tp->tcp)
		return;
	while (btt_peer_next_request(&tp->core, &q)) {
		if (btt_tcp_write_full(tp->tcp) || tp->reads >= TP_MAX_READS)
			break;
		if (serve_one(tp, &q))
			break;
	}
	tp_flush(tp);
	tp_update_read(tp);
}

void tx_serve_all(struct btt_torrent *t)
{
	for (size_t i = 0; i < btt_vec_len(&t->peers); i++)
		tx_serve(*(struct tpeer **)btt_vec_at(&t->peers, i));
}

/* ---- verdicts ---- */

void tx_piece_passed(struct btt_torrent *t, uint32_t piece)
{
	if (btt_picker_have(t->pk, piece))
		return;
	sb_passed(t, piece);
	btt_picker_have_set(t->pk, piece);
	t->have_bytes += tx_piece_content(t, piece);
	t->passed_since_save++;
	for (size_t i = 0; i < btt_vec_len(&t->peers); i++) {
		struct tpeer *tp = *(struct tpeer **)btt_vec_at(&t->peers, i);
		if (!tp->handshaken || btt_bitfield_get(&tp->core.have, piece))
			continue;
		btt_peer_send_have(&tp->core, piece);
		tp_flush(tp);
	}
	if (t->state == BTT_TORRENT_DOWNLOADING && btt_picker_complete(t->pk))
		tt_complete(t);
}

void tx_piece_failed(struct btt_torrent *t, uint32_t piece)
{
	const uint32_t *ids;
	size_t n = 0, senders = 0;
	struct tpeer *sole = NULL;

	t->hash_failures++;
	t->wasted += btt_metainfo_piece_size(t->mi, piece);
	BTT_LOG(BTT_LOG_WARN, "torrent", "%s: piece %u failed its hash check",
		t->mi->name, piece);
	if (btt_picker_piece_failed(t->pk, piece, &ids, &n) != 0) {
		/* Not all blocks were in the picker's hands (pad blocks not
		 * picked yet): reset the piece the long way. */
		btt_picker_have_set(t->pk, piece);
		btt_picker_have_clear(t->pk, piece);
	}
	for (size_t i = 0; i < n; i++) {
		if (ids[i] == TP_PAD_ID)
			continue;
		senders++;
		sole = tp_by_id(t, ids[i]);
	}
	sb_failed(t, piece, senders);
	/* One sender: it is the liar. Several: torrent_ban.c finds out. */
	if (senders == 1 && sole) {
		int score = BTT_TORRENT_BAN_SCORE / 2;
		sole->core.score += score;
		tp_cand_score(t, sole, score);
		if (sole->core.score >= BTT_PEER_MAX_SCORE)
			tp_drop(sole, BTT_EHASH, "sent corrupt data");
	}
}
