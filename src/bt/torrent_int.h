/* Internals of torrents and the session, shared by their files:
 *   session.c        listening, routing incoming handshakes, the tick,
 *                    signals, global limits
 *   torrent.c        lifecycle: storage open and check, completion, stop
 *   torrent_peer.c   connections: the TCP glue around struct btt_peer,
 *                    candidates, dialling, accepting, read pausing
 *   torrent_event.c  what the torrent does with each peer event
 *   torrent_xfer.c   requests and blocks: picker, storage writes, serving
 *                    reads, HAVE broadcast
 *   torrent_tick.c   the once-a-second work and the choker
 *   torrent_ban.c    finding the sender of corrupt blocks
 *   torrent_prio.c   file priorities: piece priorities, wanted bytes
 *   tracker_glue.c   announces over HTTP and UDP
 *
 * Ownership: the session owns its torrents; a torrent owns its peers
 * (struct tpeer), candidates and tracker requests. Work that completes
 * later (storage reads, connects, HTTP) refers to a peer by its id and
 * resolves it through by_id, so a peer that left meanwhile is simply not
 * found. A peer is freed only outside its own feed (tp->in_feed): inside,
 * it is marked dead and freed when the feed returns. */
#ifndef BTT_BT_TORRENT_INT_H
#define BTT_BT_TORRENT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bt/announce.h"
#include "bt/choker.h"
#include "bt/layout.h"
#include "bt/peer.h"
#include "bt/picker.h"
#include "bt/ratelimit.h"
#include "bt/session.h"
#include "bt/storage.h"
#include "bt/torrent.h"
#include "bt/tracker.h"
#include "core/hmap.h"
#include "core/vec.h"
#include "io/addr.h"

struct btt_loop;
struct btt_pool;
struct btt_tcp;
struct btt_timer;
struct btt_signal;
struct btt_tcp_listener;
struct tg_tracker;
struct btt_sban;
struct btt_hashes;

#define TP_PAD_ID (BTT_PICKER_NO_PEER - 1) /* picker id of pad blocks */
#define TP_MAX_READS 16		/* storage reads in flight per peer */
#define TP_CONNECT_MS 10000	/* connect timeout */
#define TP_RETRY_MS 2000	/* first reconnect delay */
#define TP_RETRY_MAX_MS 600000	/* reconnect delay cap */
#define TP_SEED_RETRY_MS 300000 /* after finding two seeds together */
#define TP_RESUME_SAVE_MS 5000	/* save resume this often when changed */
#define TP_NONE UINT32_MAX

/* A peer address we may dial. */
struct tcand {
	struct btt_addr addr;
	uint64_t next_try; /* ms */
	uint32_t fails;
	int score;	/* misbehaviour points over all connections */
	bool connected; /* a connection to it is open */
	bool banned;
	bool self; /* it is us */
};

struct tpeer {
	struct btt_torrent *t; /* NULL while an incoming one is routed */
	struct btt_session *s;
	uint32_t id;	      /* picker and choker id; key of by_id */
	uint32_t slot;	      /* index in t->peers or s->inbound */
	uint32_t cand;	      /* index in t->cands, or TP_NONE */
	struct btt_addr addr; /* remote address */
	struct btt_tcp *tcp;
	struct btt_peer core;
	struct btt_handshake_parser hs; /* routing an incoming one */
	uint64_t born;			/* ms */
	bool outgoing;
	bool core_ready;  /* core initialised */
	bool handshaken;  /* the handshake completed */
	bool in_picker;	  /* its availability is counted */
	bool picker_seed; /* counted as a seed (have all) */
	bool counted;	  /* in the session's peer count */
	bool in_feed, dead;
	int dead_err;
	bool paused; /* we paused reading */
	uint32_t reads;
	uint64_t unchoked_at;
	uint64_t payload; /* payload both ways, to judge the connection */
	size_t wq_last;	  /* smallest write queue while it stays full */
	uint64_t wq_at;	  /* when it last shrank */
};

struct btt_torrent {
	struct btt_session *s;
	const struct btt_metainfo *mi;
	struct btt_torrent_opts o;
	char *dir, *resume_path;
	uint8_t ih[20];	    /* what our handshakes and announces carry */
	uint8_t ih_alt[20]; /* a hybrid's truncated v2 hash, also routed */
	bool has_alt;
	int state;

	struct btt_layout layout;
	bool has_pad;
	struct btt_picker *pk;
	struct btt_bt_storage *st;
	struct btt_choker choker;
	uint64_t last_choke;

	struct btt_vec peers;  /* struct tpeer * */
	struct btt_hmap by_id; /* u32 id -> tpeer */
	uint32_t next_id;
	uint32_t npeers_active;	 /* handshake done */
	struct btt_vec cands;	 /* struct tcand */
	struct btt_hmap cand_by; /* addr -> index in cands */

	struct btt_ratelimit down, up;
	bool up_waiting;      /* a peer waits for upload tokens */
	bool read_starved;    /* the read cache refused: serve again later */
	bool disk_full;	      /* storage refused writes: reading paused */
	struct btt_vec stash; /* struct tstash *: blocks refused by storage */
	struct btt_picker_block *picks; /* scratch for picks */
	size_t picks_cap;

	uint64_t downloaded, uploaded, wasted;
	uint32_t hash_failures;
	uint64_t have_bytes;
	uint8_t *file_prio;    /* per file; NULL: all at the default */
	uint64_t wanted_bytes; /* content of pieces of priority > 0 */
	uint64_t wanted_have;  /* of which the picker has */
	bool checked;	       /* the start-up check finished */
	uint64_t rate_at, rate_down_mark, rate_up_mark;
	uint64_t down_rate, up_rate;
	uint32_t resume_trusted, rechecked, recheck_valid;
	uint32_t check_done, check_total;
	uint32_t passed_since_save;
	uint64_t last_save;
	bool saving;

	int error;
	char errmsg[256];
	bool storage_closed, announce_done;
	uint64_t stop_deadline;

	struct btt_sban *sban; /* torrent_ban.c, after a shared failure */
	/* torrent_peer.c: BEP 52 hashes served to peers, made on the first
	 * hash request, freed with the peers (tp_drop_all) */
	struct btt_hashes *hashes;

	/* trackers (tracker_glue.c) */
	struct btt_announce ann;
	struct tg_tracker *tg; /* ann.n entries */
	bool tg_pumping;
	uint16_t port;
};

struct btt_session {
	struct btt_loop *loop;
	struct btt_pool *pool;
	struct btt_session_opts o;
	uint8_t peer_id[20];
	struct btt_tcp_listener *listener;
	struct btt_addr listen;
	struct btt_hmap torrents; /* 20-byte handshake hash -> torrent */
	struct btt_vec tlist;	  /* struct btt_torrent * */
	struct btt_vec inbound;	  /* struct tpeer *, still routing */
	uint32_t npeers;	  /* connections counted against max */
	struct btt_ratelimit down, up;
	struct btt_timer *tick;
	uint64_t ticks;
	struct btt_signal *sig;
	bool shutting_down, idle_sent, freeing;
	struct btt_timer *idle_timer;
};

/* ---- session.c ---- */
uint64_t ss_now(const struct btt_session *s);
void ss_event(struct btt_session *s, struct btt_torrent *t, int event);
/* A torrent finished stopping: on_idle may be due. */
void ss_torrent_stopped(struct btt_session *s);
/* Routes an incoming connection's first bytes (tp->t is NULL). */
void ss_inbound_read(struct tpeer *tp, const uint8_t *data, size_t len);
void ss_inbound_drop(struct tpeer *tp);
bool ss_can_connect(const struct btt_session *s);

/* ---- torrent.c ---- */
int tt_new(struct btt_session *s, const struct btt_metainfo *mi,
	   const struct btt_torrent_opts *o, struct btt_torrent **out);
void tt_start(struct btt_torrent *t);
void tt_free(struct btt_torrent *t);
/* Stops the torrent with an error (kept in stats). */
void tt_fail(struct btt_torrent *t, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Every wanted piece passed (done): announce `completed` when every
 * piece passed, seed or stop. */
void tt_complete(struct btt_torrent *t);
bool tt_running(const struct btt_torrent *t); /* downloading or seeding */
bool tt_seeding(const struct btt_torrent *t); /* nothing left to get */
void tt_save_resume(struct btt_torrent *t);
/* The storage closed (a storage done callback). */
void tt_close_done(void *arg, int err);
/* Checks whether stopping has finished. */
void tt_stop_progress(struct btt_torrent *t);

/* ---- torrent_peer.c ---- */
extern const struct btt_tcp_ops tp_tcp_ops;
/* A peer accepted by the session: it now belongs to t. */
void tp_adopt(struct btt_torrent *t, struct tpeer *tp, const uint8_t *rest,
	      size_t len);
int tp_connect(struct btt_torrent *t, uint32_t cand);
/* Closes and frees the peer (or marks it dead inside its feed). */
void tp_drop(struct tpeer *tp, int err, const char *why);
/* Drops every peer, and frees what only peers used (the hash cache). */
void tp_drop_all(struct btt_torrent *t);
/* Writes what the core queued. */
void tp_flush(struct tpeer *tp);
/* Pauses or resumes reading as disk, rate and write queue require. */
void tp_update_read(struct tpeer *tp);
struct tpeer *tp_by_id(const struct btt_torrent *t, uint32_t id);
uint32_t tp_cand_add(struct btt_torrent *t, const struct btt_addr *a);
void tp_cand_score(struct btt_torrent *t, struct tpeer *tp, int score);
void tp_dial(struct btt_torrent *t);
/* The picker's view of a peer. */
void tp_picker_peer(const struct tpeer *tp, struct btt_picker_peer *out);

/* ---- torrent_event.c ---- */
int tp_event(void *arg, struct btt_peer *p, const struct btt_peer_ev *ev);
void tp_update_interest(struct tpeer *tp);

/* ---- torrent_xfer.c ---- */
void tx_fill(struct tpeer *tp);
int tx_block(struct tpeer *tp, const struct btt_peer_ev *ev);
void tx_serve(struct tpeer *tp);
void tx_serve_all(struct btt_torrent *t);
void tx_piece_passed(struct btt_torrent *t, uint32_t piece);
void tx_piece_failed(struct btt_torrent *t, uint32_t piece);
/* Storage has room again: writes stashed blocks, resumes reading. */
void tx_writable(struct btt_torrent *t);
void tx_stash_free(struct btt_torrent *t);
uint64_t tx_piece_size(const void *ctx, uint32_t piece);
/* Bytes of the piece peers may request: v2 pieces include the padding
 * to the next piece boundary, which reads as zeros. */
uint64_t tx_piece_span(const void *ctx, uint32_t piece);
/* Bytes of the piece that are file content (pad bytes excluded). */
uint64_t tx_piece_content(const struct btt_torrent *t, uint32_t piece);

/* ---- torrent_ban.c ---- */
/* A fresh block was written (only recorded after a shared failure). */
void sb_block(struct btt_torrent *t, struct tpeer *tp, uint32_t piece,
	      uint32_t begin, const uint8_t *data, uint32_t len);
/* A piece failed; nsenders peers had sent its blocks. */
void sb_failed(struct btt_torrent *t, uint32_t piece, size_t nsenders);
/* A piece passed: blames the senders of blocks that differed. */
void sb_passed(struct btt_torrent *t, uint32_t piece);
void sb_release(struct btt_torrent *t);

/* ---- torrent_prio.c ---- */
/* Checks and copies o->file_prio (before the parts exist). 0,
 * BTT_EINVALID or -ENOMEM. */
int tf_init(struct btt_torrent *t, const struct btt_torrent_opts *o);
/* Gives the picker the piece priorities of t->file_prio and the storage
 * its skip marks, and recounts the wanted bytes. 0 or -ENOMEM (nothing
 * changed). */
int tf_apply(struct btt_torrent *t);
/* A piece became ours: counted in wanted_have when wanted. */
void tf_piece_have(struct btt_torrent *t, uint32_t piece);

/* ---- torrent_tick.c ---- */
void tk_tick(struct btt_torrent *t, uint64_t now, bool second);
void tk_choke(struct btt_torrent *t, uint64_t now);
/* An interested peer may get a free upload slot at once. */
void tk_maybe_unchoke(struct tpeer *tp);

/* ---- tracker_glue.c ---- */
int tg_init(struct btt_torrent *t);
void tg_release(struct btt_torrent *t);
void tg_pump(struct btt_torrent *t);
void tg_completed(struct btt_torrent *t);
void tg_more_peers(struct btt_torrent *t);
void tg_stop(struct btt_torrent *t);

#endif
