// modules: bt bencode crypto io core
/* Fuzzes the peer state machine as a torrent drives it: a connection
 * whose remote side sends arbitrary bytes, while the owner requests
 * blocks, serves requests, chokes and ticks the clock.
 *
 * Input: byte 0 flags (bit 0: our side has every piece, bit 1: we have
 * none, bit 2: the remote handshake is supplied by the fuzzer instead of
 * a valid one with the fast and LTEP bits, bit 3: the peer has an IPv4
 * address, so it is granted an allowed-fast set, bit 4: hash requests
 * are answered, with HASHES for an even index and a reject for an odd
 * one), byte 1 the piece count
 * (1..256), bytes 2-3 two chunk sizes; then the stream, fed in chunks of
 * those sizes. Between chunks the owner acts on what the peer allows and
 * the clock moves 7 s.
 *
 * Invariants (abort on violation): requests queued by the peer never
 * exceed BTT_PEER_MAX_IN_REQUESTS, ours never exceed
 * BTT_PEER_MAX_OUT_REQUESTS; every BLOCK event answers a request and
 * carries at most BTT_WIRE_MAX_BLOCK bytes; every queued request is one
 * we may serve (in range, a piece we have, within the size limit); once
 * closed the peer stays closed and queues nothing; p->out stays under
 * its cap. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bt/handshake.h"
#include "bt/peer.h"
#include "bt/wire.h"
#include "core/limits.h"

#define CHECK(x)                 \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)

#define PIECE (32u << 10)

struct fz {
	struct btt_peer p;
	struct btt_bitfield have;
	uint32_t npieces;
	uint64_t now;
};

static uint64_t piece_size(const void *ctx, uint32_t piece)
{
	const struct fz *z = ctx;

	if (piece >= z->npieces)
		return 0;
	return piece == z->npieces - 1 ? PIECE / 2 + 1 : PIECE;
}

static int on_event(void *arg, struct btt_peer *p, const struct btt_peer_ev *ev)
{
	struct fz *z = arg;

	(void)p;
	if (ev->type == BTT_PEER_EV_BLOCK) {
		CHECK(ev->length <= BTT_WIRE_MAX_BLOCK);
		CHECK(ev->index < z->npieces);
	}
	if (ev->type == BTT_PEER_EV_HAVE)
		CHECK(ev->index < z->npieces);
	return 0;
}

static int hashes(void *arg, const struct btt_wire_msg *req,
		  struct btt_wbuf *out)
{
	static const uint8_t zero[BTT_WIRE_MAX_HASHES * 32];
	uint32_t n = req->length < BTT_WIRE_MAX_HASHES ? req->length : 2;

	(void)arg;
	if (req->index & 1)
		return -1;
	btt_wire_put_hashes(out, req->root, req->base, req->index, n,
			    req->proof, zero, n);
	return 0;
}

static void owner_acts(struct fz *z, uint8_t seed)
{
	struct btt_peer *p = &z->p;
	struct btt_peer_req q;
	uint32_t room = btt_peer_request_room(p);

	btt_peer_set_interested(p, seed & 1);
	btt_peer_set_choke(p, seed & 2);
	for (uint32_t i = 0; i < room && i < 64; i++) {
		uint32_t piece = (seed + i) % z->npieces;
		uint32_t len = piece_size(z, piece) < 16384
				       ? (uint32_t)piece_size(z, piece)
				       : 16384;
		btt_peer_request(p, piece, 0, len, z->now);
	}
	if (seed & 4)
		btt_peer_cancel(p, seed % z->npieces, 0, 16384, z->now);
	while (btt_peer_next_request(p, &q)) {
		CHECK(q.index < z->npieces);
		CHECK(btt_bitfield_get(&z->have, q.index));
		CHECK(q.length >= 1 && q.length <= BTT_WIRE_MAX_REQUEST);
		CHECK((uint64_t)q.begin + q.length <= piece_size(z, q.index));
		btt_peer_pop_request(p);
		if (seed & 8)
			btt_peer_reject(p, q.index, q.begin, q.length);
		else
			btt_peer_block_header(p, q.index, q.begin, q.length,
					      z->now);
	}
	if (seed & 16)
		btt_peer_send_have(p, seed % z->npieces);
}

static void check_bounds(const struct fz *z)
{
	const struct btt_peer *p = &z->p;

	CHECK(p->in_req.live <= BTT_PEER_MAX_IN_REQUESTS);
	CHECK(p->out_req.live <= BTT_PEER_MAX_OUT_REQUESTS);
	CHECK(p->n_active <= p->out_req.live);
	CHECK(p->out.len <= BTT_PEER_OUT_MAX);
	if (p->state == BTT_PEER_CLOSED)
		CHECK(p->err != 0);
}

static void remote_handshake(struct fz *z)
{
	struct btt_handshake h;
	struct btt_wbuf w;

	memset(&h, 0, sizeof(h));
	btt_handshake_set(h.reserved, BTT_HS_FAST);
	btt_handshake_set(h.reserved, BTT_HS_LTEP);
	memcpy(h.info_hash, z->p.cfg.info_hash, 20);
	memset(h.peer_id, 'R', 20);
	btt_wbuf_init(&w, 128);
	btt_handshake_put(&w, &h);
	btt_peer_feed(&z->p, w.buf, w.len, z->now);
	btt_wbuf_release(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct btt_peer_cfg cfg;
	struct fz z;
	size_t chunk[2], k = 0;

	if (size < 4)
		return 0;
	memset(&z, 0, sizeof(z));
	z.npieces = 1 + data[1];
	z.now = 1000000;
	chunk[0] = 1 + data[2] * 16u;
	chunk[1] = 1 + data[3];
	btt_bitfield_init(&z.have, z.npieces);
	if (data[0] & 1)
		btt_bitfield_set_all(&z.have);
	else if (!(data[0] & 2))
		for (uint32_t i = 0; i < z.npieces; i += 2)
			btt_bitfield_set(&z.have, i);
	memset(&cfg, 0, sizeof(cfg));
	cfg.npieces = z.npieces;
	cfg.piece_size = piece_size;
	cfg.ctx = &z;
	cfg.have = &z.have;
	memset(cfg.info_hash, 0x5a, 20);
	memset(cfg.peer_id, 'L', 20);
	btt_handshake_reserved(cfg.reserved, false, false);
	cfg.listen_port = 6881;
	cfg.has_ipv4 = data[0] & 8;
	cfg.ipv4 = 0x7f000001u ^ (uint32_t)data[3] << 8;
	if (data[0] & 16)
		cfg.hashes = hashes;
	CHECK(btt_peer_init(&z.p, &cfg, true, on_event, &z, z.now) == 0);
	btt_peer_start(&z.p, NULL, z.now);
	if (!(data[0] & 4))
		remote_handshake(&z);
	data += 4;
	size -= 4;
	while (size) {
		size_t n = chunk[k++ & 1];
		bool was_closed = z.p.state == BTT_PEER_CLOSED;
		n = n < size ? n : size;
		btt_peer_out_clear(&z.p);
		btt_peer_feed(&z.p, data, n, z.now);
		owner_acts(&z, data[0]);
		btt_peer_tick(&z.p, z.now, data[n - 1] & 1);
		check_bounds(&z);
		if (was_closed)
			CHECK(z.p.out.len == 0);
		z.now += 7000;
		data += n;
		size -= n;
	}
	btt_peer_release(&z.p);
	btt_bitfield_release(&z.have);
	return 0;
}
