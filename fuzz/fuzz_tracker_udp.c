// modules: bt bencode crypto io core
/* Fuzzes the UDP tracker state machine with datagrams in every state.
 *
 * Input: one mode byte (bit 0: IPv6, bit 1: scrape, bit 2: answer the
 * first connect before the script runs), then records of
 * [op][v_hi][v_lo] followed, for ops that take bytes, by v bytes.
 * op % 4: 0 feeds the bytes as a datagram with the current transaction
 * id written over bytes 4..7 (so replies get past the id check), 1 feeds
 * them as they are, 2 (no bytes) advances the clock by v seconds and runs
 * the timer, 3 (no bytes) starts a new request, a scrape when op & 4.
 *
 * Invariants checked (abort on violation): the state is valid; a send is
 * a connect (16 bytes), an announce (98) or a scrape (16 + 20n) and
 * starts with the magic or the cached connection id; a timeout is given
 * exactly while a request is in progress and lies in the future; `done`
 * comes with state DONE; results stay within the caps and messages are
 * NUL-terminated. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bt/tracker.h"
#include "core/limits.h"

#define CHECK(x)                 \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void check(const struct btt_tracker_udp *u,
		  const struct btt_tracker_udp_out *out, int64_t now)
{
	bool busy =
		u->state == BTT_UDP_CONNECTING || u->state == BTT_UDP_WAITING;

	CHECK(u->state >= BTT_UDP_IDLE && u->state <= BTT_UDP_DONE);
	CHECK(busy ? out->timeout > now : out->timeout == -1);
	CHECK(!out->done || u->state == BTT_UDP_DONE);
	CHECK(u->n <= BTT_TRACKER_UDP_MAX_N);
	if (out->send) {
		CHECK(busy && out->send_len <= sizeof(u->pkt));
		if (out->send_len == 16 && u->state == BTT_UDP_CONNECTING)
			CHECK(be64(out->send) == BTT_TRACKER_UDP_MAGIC);
		else
			CHECK(u->have_conn && be64(out->send) == u->conn_id);
		CHECK(out->send_len == 16 ||
		      out->send_len == BTT_TRACKER_UDP_ANNOUNCE_LEN ||
		      out->send_len == 16 + 20 * (size_t)u->scrape.n);
	}
	CHECK(memchr(u->result.message, 0, BTT_TRACKER_MSG_SIZE));
	CHECK(memchr(u->scrape.message, 0, BTT_TRACKER_MSG_SIZE));
	CHECK(u->result.num_peers <= BTT_TRACKER_MAX_PEERS);
	for (uint32_t i = 0; i < u->result.num_peers; i++) {
		const struct btt_tracker_peer *pe = &u->result.peers[i];
		/* Over IPv6, mapped IPv4 addresses come back as IPv4. */
		CHECK(pe->port != 0);
		CHECK(pe->ip_len == 4 || (u->v6 && pe->ip_len == 16));
	}
}

/* Returns 0, or BTT_EINVALID while a request is in progress. */
static int start(struct btt_tracker_udp *u, bool scrape, int64_t now,
		 struct btt_tracker_udp_out *out)
{
	struct btt_tracker_params p;
	struct btt_tracker_scrape s;
	uint8_t h[20];

	if (scrape) {
		btt_tracker_scrape_init(&s);
		for (int i = 0; i < 3; i++) {
			memset(h, 0x41 + i, 20);
			btt_tracker_scrape_add(&s, h);
		}
		return btt_tracker_udp_scrape(u, &s, now, out);
	}
	memset(&p, 0, sizeof(p));
	p.event = BTT_EVENT_STARTED;
	p.numwant = -1;
	p.port = 6881;
	return btt_tracker_udp_announce(u, &p, now, out);
}

static void feed(struct btt_tracker_udp *u, const uint8_t *p, size_t n,
		 bool patch, int64_t now, struct btt_tracker_udp_out *out)
{
	uint8_t *d = malloc(n ? n : 1);

	memcpy(d, p, n);
	if (patch && n >= 8) {
		d[4] = (uint8_t)(u->txid >> 24);
		d[5] = (uint8_t)(u->txid >> 16);
		d[6] = (uint8_t)(u->txid >> 8);
		d[7] = (uint8_t)u->txid;
	}
	btt_tracker_udp_feed(u, d, n, now, out);
	free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct btt_tracker_udp u;
	struct btt_tracker_udp_out out;
	int64_t now = 1000000;
	uint8_t mode;
	size_t o = 1;

	if (size < 1)
		return 0;
	mode = data[0];
	btt_tracker_udp_init(&u, mode & 1);
	CHECK(start(&u, mode & 2, now, &out) == 0);
	check(&u, &out, now);
	if (mode & 4) {
		static const uint8_t conn[16] = {0, 0, 0, 0, 0, 0, 0, 0,
						 1, 2, 3, 4, 5, 6, 7, 8};
		feed(&u, conn, 16, true, now, &out);
		check(&u, &out, now);
	}
	while (o + 3 <= size) {
		uint8_t op = data[o];
		size_t v = (size_t)data[o + 1] << 8 | data[o + 2];
		o += 3;
		if (op % 4 == 2) {
			now += (int64_t)v * 1000;
			btt_tracker_udp_timer(&u, now, &out);
		} else if (op % 4 == 3) {
			if (start(&u, op & 4, now, &out) != 0) {
				/* Refused while busy: nothing changed. */
				CHECK(u.state == BTT_UDP_CONNECTING ||
				      u.state == BTT_UDP_WAITING);
				continue;
			}
		} else {
			size_t n = v < size - o ? v : size - o;
			feed(&u, data + o, n, op % 4 == 0, now, &out);
			o += n;
		}
		check(&u, &out, now);
	}
	btt_tracker_udp_release(&u);
	return 0;
}
