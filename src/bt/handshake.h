/* The BEP 3 handshake: pstrlen 19, "BitTorrent protocol", 8 reserved
 * bytes, the 20-byte info-hash, the 20-byte peer id (68 bytes in all).
 *
 * Parsing is incremental and stops twice: once the first 48 bytes are in
 * (the info-hash is known, so an incoming connection can pick its torrent
 * and answer before the peer id arrives) and once all 68 are. It never
 * consumes a byte past the handshake (what follows is the message stream)
 * and checks pstrlen and pstr byte by byte, so a stream that is not a
 * plain BitTorrent handshake (an MSE/PE key exchange, HTTP) fails on its
 * first wrong byte with every byte accepted so far kept in p->buf.
 *
 * Reserved bits (BEP 4): btt sets LTEP [5]&0x10 (BEP 10), Fast [7]&0x04
 * (BEP 6), DHT [7]&0x01 (BEP 5) and, for hybrid torrents, the v2 upgrade
 * bit [7]&0x10 (BEP 52). Bits btt does not know are ignored, never
 * rejected (BitComet sets whole bytes). */
#ifndef BTT_BT_HANDSHAKE_H
#define BTT_BT_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/wbuf.h"

#define BTT_HANDSHAKE_LEN 68
#define BTT_HANDSHAKE_HEAD_LEN 48 /* through the info-hash */
#define BTT_HANDSHAKE_PSTR "BitTorrent protocol"

/* A reserved bit: (byte index << 8) | mask. */
enum btt_handshake_bit {
	BTT_HS_LTEP = 5 << 8 | 0x10,	   /* BEP 10 extension protocol */
	BTT_HS_V2_UPGRADE = 7 << 8 | 0x10, /* BEP 52 hybrid upgrade */
	BTT_HS_NAT = 7 << 8 | 0x08,	   /* BEP 55 holepunch (not set) */
	BTT_HS_FAST = 7 << 8 | 0x04,	   /* BEP 6 fast extension */
	BTT_HS_DHT = 7 << 8 | 0x01,	   /* BEP 5 DHT (then send PORT) */
};

struct btt_handshake {
	uint8_t reserved[8];
	uint8_t info_hash[20];
	uint8_t peer_id[20];
};

static inline bool btt_handshake_has(const uint8_t reserved[8],
				     enum btt_handshake_bit bit)
{
	return (reserved[(unsigned)bit >> 8] & ((unsigned)bit & 0xff)) != 0;
}

static inline void btt_handshake_set(uint8_t reserved[8],
				     enum btt_handshake_bit bit)
{
	reserved[(unsigned)bit >> 8] |= (uint8_t)((unsigned)bit & 0xff);
}

/* The reserved bytes btt sends: LTEP and Fast always, DHT when `dht`,
 * the v2 upgrade bit when `hybrid`. */
void btt_handshake_reserved(uint8_t out[8], bool dht, bool hybrid);

/* The 20 bytes a v2 torrent puts in the handshake (and tracker
 * requests): its SHA-256 info-hash truncated (BEP 52). */
void btt_handshake_v2_hash(const uint8_t sha256[32], uint8_t out[20]);

/* Appends the 68 bytes of h. */
void btt_handshake_put(struct btt_wbuf *w, const struct btt_handshake *h);

/* Appends only the first 48 bytes (an incoming connection may send them
 * before it has checked the peer id) or only the last 20. */
void btt_handshake_put_head(struct btt_wbuf *w, const uint8_t reserved[8],
			    const uint8_t info_hash[20]);
void btt_handshake_put_peer_id(struct btt_wbuf *w, const uint8_t peer_id[20]);

enum {
	BTT_HANDSHAKE_NEED = 0, /* every byte consumed, more needed */
	BTT_HANDSHAKE_HEAD = 1, /* reserved and info_hash are valid */
	BTT_HANDSHAKE_DONE = 2, /* the peer id is valid too */
};

/* Zeroed is ready to parse. */
struct btt_handshake_parser {
	uint8_t buf[BTT_HANDSHAKE_LEN]; /* bytes accepted so far */
	uint8_t n;			/* how many */
	int err;			/* sticky */
	struct btt_handshake hs;	/* filled as the parts complete */
};

/* Consumes bytes of in[0..len) (never more than the handshake needs) and
 * stores how many in *out_used. Returns BTT_HANDSHAKE_HEAD once, when
 * byte 48 arrives (call again for the rest), BTT_HANDSHAKE_DONE once all
 * 68 are in (and on later calls, consuming nothing), BTT_HANDSHAKE_NEED
 * otherwise, or BTT_EMALFORMED (sticky) when pstrlen or pstr is wrong: the
 * offending byte is not consumed. */
int btt_handshake_parse(struct btt_handshake_parser *p, const uint8_t *in,
			size_t len, size_t *out_used);

#endif
