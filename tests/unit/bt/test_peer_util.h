/* Shared by the peer state machine tests: a peer with a fake clock, a
 * recorder of its events, input built with the wire builders, and its
 * output parsed back into messages. Included by test_peer*.c only. */
#ifndef BTT_TEST_PEER_UTIL_H
#define BTT_TEST_PEER_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "bt/handshake.h"
#include "bt/peer.h"
#include "bt/wire.h"
#include "btt/err.h"
#include "core/bitfield.h"
#include "core/wbuf.h"

#define PF_NPIECES 20
#define PF_PIECE (64u << 10) /* every piece but the last */
#define PF_LAST 20000u	     /* bytes of the last piece */
#define PF_T0 1000000u	     /* the fake clock starts here (ms) */

struct pev {
	int type;
	uint32_t index, begin, length;
	int score;
	uint8_t first; /* BLOCK: the first data byte */
};

struct pmsg {
	int type;
	uint32_t index, begin, length;
	uint32_t base, proof; /* HASH_*, HASHES */
	uint8_t ext;
	uint32_t nhashes; /* HASHES */
};

struct pfx {
	struct btt_peer p;
	struct btt_peer_cfg cfg;  /* what pf_init passes */
	struct btt_bitfield have; /* ours */
	uint64_t now;
	uint64_t piece_len;
	struct pev ev[4096];
	size_t nev;
	int refuse; /* returned for HANDSHAKE events */
	uint8_t our_id[20], their_id[20], ih[20];
	/* output, parsed */
	bool got_handshake;
	struct btt_handshake out_hs;
	struct pmsg out[4096];
	size_t nout;
	uint8_t out_ext_payload[512];
	size_t out_ext_len;
};

static inline uint64_t pf_piece_size(const void *ctx, uint32_t piece)
{
	const struct pfx *f = ctx;

	if (piece >= PF_NPIECES)
		return 0;
	return piece == PF_NPIECES - 1 ? PF_LAST : f->piece_len;
}

static inline int pf_event(void *arg, struct btt_peer *p,
			   const struct btt_peer_ev *ev)
{
	struct pfx *f = arg;
	struct pev *e = &f->ev[f->nev < 4096 ? f->nev++ : 4095];

	(void)p;
	e->type = ev->type;
	e->index = ev->index;
	e->begin = ev->begin;
	e->length = ev->length;
	e->score = ev->score;
	e->first = ev->data && ev->length ? ev->data[0] : 0;
	if (ev->type == BTT_PEER_EV_HANDSHAKE && f->refuse)
		return f->refuse;
	return 0;
}

static inline size_t pf_count(const struct pfx *f, int type)
{
	size_t n = 0;

	for (size_t i = 0; i < f->nev; i++)
		n += f->ev[i].type == type;
	return n;
}

static inline const struct pev *pf_last(const struct pfx *f, int type)
{
	for (size_t i = f->nev; i-- > 0;)
		if (f->ev[i].type == type)
			return &f->ev[i];
	return NULL;
}

/* Parses what the peer queued into f->out and empties p.out. */
static inline void pf_take(struct pfx *f)
{
	struct btt_wire_parser wp;
	struct btt_wire_msg m;
	const uint8_t *in = f->p.out.buf;
	size_t len = f->p.out.len, used;

	if (!f->got_handshake && len >= BTT_HANDSHAKE_LEN) {
		struct btt_handshake_parser hp;
		memset(&hp, 0, sizeof(hp));
		btt_handshake_parse(&hp, in, len, &used);
		btt_handshake_parse(&hp, in + used, len - used, &used);
		f->out_hs = hp.hs;
		f->got_handshake = true;
		in += BTT_HANDSHAKE_LEN;
		len -= BTT_HANDSHAKE_LEN;
	}
	btt_wire_parser_init(&wp, PF_NPIECES, 0);
	while (len && btt_wire_parse(&wp, in, len, &used, &m) == 1) {
		struct pmsg *o = &f->out[f->nout < 4096 ? f->nout++ : 4095];
		in += used;
		len -= used;
		o->type = m.type;
		o->index = m.index;
		o->begin = m.begin;
		o->length = m.length;
		o->base = m.base;
		o->proof = m.proof;
		o->ext = m.ext;
		if (m.type == BTT_WIRE_HASHES)
			o->nhashes = (uint32_t)(m.data_len / 32);
		if (m.type == BTT_WIRE_EXTENDED && m.data_len <= 512) {
			memcpy(f->out_ext_payload, m.data, m.data_len);
			f->out_ext_len = m.data_len;
		}
	}
	btt_wire_parser_release(&wp);
	btt_peer_out_clear(&f->p);
}

static inline size_t pf_sent(const struct pfx *f, int type)
{
	size_t n = 0;

	for (size_t i = 0; i < f->nout; i++)
		n += f->out[i].type == type;
	return n;
}

/* A fixture of PF_NPIECES pieces of which we have `have` (the first
 * ones), its configuration in f->cfg, the peer not set up yet. */
static inline struct pfx *pf_prepare(uint32_t have)
{
	struct pfx *f = calloc(1, sizeof(*f));
	struct btt_peer_cfg *cfg = &f->cfg;

	if (!f)
		abort();
	f->now = PF_T0;
	f->piece_len = PF_PIECE;
	memset(f->our_id, 'A', 20);
	memset(f->their_id, 'B', 20);
	memset(f->ih, 0x11, 20);
	btt_bitfield_init(&f->have, PF_NPIECES);
	for (uint32_t i = 0; i < have; i++)
		btt_bitfield_set(&f->have, i);
	cfg->npieces = PF_NPIECES;
	cfg->piece_size = pf_piece_size;
	cfg->ctx = f;
	cfg->have = &f->have;
	memcpy(cfg->info_hash, f->ih, 20);
	memcpy(cfg->peer_id, f->our_id, 20);
	btt_handshake_reserved(cfg->reserved, false, false);
	cfg->listen_port = 6881;
	cfg->client = "btt test";
	return f;
}

static inline void pf_init(struct pfx *f, bool outgoing)
{
	btt_peer_init(&f->p, &f->cfg, outgoing, pf_event, f, f->now);
}

/* A peer of PF_NPIECES pieces of which we have `have` (the first ones). */
static inline struct pfx *pf_new(uint32_t have, bool outgoing)
{
	struct pfx *f = pf_prepare(have);

	pf_init(f, outgoing);
	return f;
}

static inline void pf_free(struct pfx *f)
{
	btt_peer_release(&f->p);
	btt_bitfield_release(&f->have);
	free(f);
}

static inline int pf_feed(struct pfx *f, const struct btt_wbuf *w)
{
	return btt_peer_feed(&f->p, w->buf, w->len, f->now);
}

/* The peer's handshake with or without the fast and LTEP bits. */
static inline int pf_their_handshake(struct pfx *f, bool fast, bool ltep)
{
	struct btt_handshake h;
	struct btt_wbuf w;
	int rc;

	memset(&h, 0, sizeof(h));
	if (fast)
		btt_handshake_set(h.reserved, BTT_HS_FAST);
	if (ltep)
		btt_handshake_set(h.reserved, BTT_HS_LTEP);
	memcpy(h.info_hash, f->ih, 20);
	memcpy(h.peer_id, f->their_id, 20);
	btt_wbuf_init(&w, 1024);
	btt_handshake_put(&w, &h);
	rc = pf_feed(f, &w);
	btt_wbuf_release(&w);
	return rc;
}

/* Sets up a prepared fixture as an outgoing connection and completes
 * both handshakes; what we sent is in f->out. */
static inline struct pfx *pf_handshaken(struct pfx *f, bool fast)
{
	pf_init(f, true);
	btt_peer_start(&f->p, NULL, f->now);
	pf_their_handshake(f, fast, true);
	pf_take(f);
	return f;
}

/* Starts an outgoing connection and completes both handshakes. */
static inline struct pfx *pf_connected(uint32_t have, bool fast)
{
	return pf_handshaken(pf_prepare(have), fast);
}

/* Feeds one message built by a callback-free helper. */
static inline int pf_msg_simple(struct pfx *f, int type)
{
	struct btt_wbuf w;
	int rc;

	btt_wbuf_init(&w, 64);
	btt_wire_put_simple(&w, type);
	rc = pf_feed(f, &w);
	btt_wbuf_release(&w);
	return rc;
}

static inline int pf_msg_index(struct pfx *f, int type, uint32_t index)
{
	struct btt_wbuf w;
	int rc;

	btt_wbuf_init(&w, 64);
	btt_wire_put_index(&w, type, index);
	rc = pf_feed(f, &w);
	btt_wbuf_release(&w);
	return rc;
}

static inline int pf_msg_req(struct pfx *f, int type, uint32_t index,
			     uint32_t begin, uint32_t length)
{
	struct btt_wbuf w;
	int rc;

	btt_wbuf_init(&w, 64);
	btt_wire_put_request(&w, type, index, begin, length);
	rc = pf_feed(f, &w);
	btt_wbuf_release(&w);
	return rc;
}

static inline int pf_msg_piece(struct pfx *f, uint32_t index, uint32_t begin,
			       uint32_t length, uint8_t fill)
{
	struct btt_wbuf w;
	uint8_t *blk = malloc(length ? length : 1);
	int rc;

	if (!blk)
		abort();
	memset(blk, fill, length);
	btt_wbuf_init(&w, length + 64);
	btt_wire_put_piece(&w, index, begin, blk, length);
	rc = pf_feed(f, &w);
	btt_wbuf_release(&w);
	free(blk);
	return rc;
}

/* Answers (blocks sent or rejects) the peer got for a request. */
static inline size_t pf_answers(const struct pfx *f, uint32_t index,
				uint32_t begin, uint32_t length)
{
	size_t n = 0;

	for (size_t i = 0; i < f->nout; i++) {
		const struct pmsg *m = &f->out[i];
		if ((m->type == BTT_WIRE_REJECT || m->type == BTT_WIRE_PIECE) &&
		    m->index == index && m->begin == begin &&
		    m->length == length)
			n++;
	}
	return n;
}

/* A PIECE header is 13 bytes: the test parser wants the block too, so
 * the block's bytes are appended the way the glue would send them. */
static inline void pf_take_with_blocks(struct pfx *f)
{
	struct btt_wbuf w;
	size_t at = 0;

	btt_wbuf_init(&w, 1u << 22);
	while (at + 4 <= f->p.out.len) {
		const uint8_t *m = f->p.out.buf + at;
		uint32_t len = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 |
			       (uint32_t)m[2] << 8 | m[3];
		if (len && m[4] == BTT_WIRE_PIECE) {
			uint8_t *z;
			btt_wbuf_put(&w, m, 13);
			z = btt_wbuf_reserve(&w, len - 9);
			memset(z, 0, len - 9);
			btt_wbuf_commit(&w, len - 9);
			at += 13;
		} else {
			btt_wbuf_put(&w, m, len + 4);
			at += len + 4;
		}
	}
	btt_wbuf_reset(&f->p.out);
	btt_wbuf_put(&f->p.out, w.buf, w.len);
	btt_wbuf_release(&w);
	pf_take(f);
}

/* Gets the peer's availability and interest settled: it has everything
 * (have all with fast, else a full bitfield), unchokes us, and we are
 * interested. */
static inline void pf_ready_to_request(struct pfx *f, bool fast)
{
	if (fast) {
		pf_msg_simple(f, BTT_WIRE_HAVE_ALL);
	} else {
		struct btt_bitfield b;
		struct btt_wbuf w;
		btt_bitfield_init(&b, PF_NPIECES);
		btt_bitfield_set_all(&b);
		btt_wbuf_init(&w, 64);
		btt_wire_put_bitfield(&w, &b);
		pf_feed(f, &w);
		btt_wbuf_release(&w);
		btt_bitfield_release(&b);
	}
	btt_peer_set_interested(&f->p, true);
	pf_msg_simple(f, BTT_WIRE_UNCHOKE);
	pf_take(f);
}

#endif
