/* The BEP 3 handshake (see handshake.h). The parser keeps the bytes it
 * accepted in buf[0..n); n only grows; the prefix (20 bytes) is compared
 * as it arrives so the first wrong byte fails the parse. */
#include <string.h>

#include "bt/handshake.h"
#include "btt/err.h"
#include "core/cur.h"

#define PREFIX_LEN 20 /* pstrlen + pstr */

/* Not a string initialiser: the array has no room for a NUL. */
static const uint8_t prefix[PREFIX_LEN] = {
	19,  'B', 'i', 't', 'T', 'o', 'r', 'r', 'e', 'n',
	't', ' ', 'p', 'r', 'o', 't', 'o', 'c', 'o', 'l',
};

void btt_handshake_reserved(uint8_t out[8], bool dht, bool hybrid)
{
	memset(out, 0, 8);
	btt_handshake_set(out, BTT_HS_LTEP);
	btt_handshake_set(out, BTT_HS_FAST);
	if (dht)
		btt_handshake_set(out, BTT_HS_DHT);
	if (hybrid)
		btt_handshake_set(out, BTT_HS_V2_UPGRADE);
}

void btt_handshake_v2_hash(const uint8_t sha256[32], uint8_t out[20])
{
	memcpy(out, sha256, 20);
}

void btt_handshake_put_head(struct btt_wbuf *w, const uint8_t reserved[8],
			    const uint8_t info_hash[20])
{
	btt_wbuf_put(w, prefix, PREFIX_LEN);
	btt_wbuf_put(w, reserved, 8);
	btt_wbuf_put(w, info_hash, 20);
}

void btt_handshake_put_peer_id(struct btt_wbuf *w, const uint8_t peer_id[20])
{
	btt_wbuf_put(w, peer_id, 20);
}

void btt_handshake_put(struct btt_wbuf *w, const struct btt_handshake *h)
{
	btt_handshake_put_head(w, h->reserved, h->info_hash);
	btt_handshake_put_peer_id(w, h->peer_id);
}

/* Accepts the longest run of in[] that matches the fixed prefix. */
static int take_prefix(struct btt_handshake_parser *p, const uint8_t *in,
		       size_t len, size_t *used)
{
	size_t i = 0;

	while (p->n < PREFIX_LEN && i < len) {
		if (in[i] != prefix[p->n]) {
			p->err = BTT_EMALFORMED;
			break;
		}
		p->buf[p->n++] = in[i++];
	}
	*used = i;
	return p->err;
}

int btt_handshake_parse(struct btt_handshake_parser *p, const uint8_t *in,
			size_t len, size_t *out_used)
{
	size_t used = 0, take;
	uint8_t before;
	struct btt_cur c;

	*out_used = 0;
	if (p->err)
		return p->err;
	if (p->n == BTT_HANDSHAKE_LEN)
		return BTT_HANDSHAKE_DONE;
	if (take_prefix(p, in, len, &used)) {
		*out_used = used;
		return p->err;
	}
	before = p->n;
	/* Stop at byte 48 so the caller sees HEAD before the peer id. */
	take = (p->n < BTT_HANDSHAKE_HEAD_LEN ? BTT_HANDSHAKE_HEAD_LEN
					      : BTT_HANDSHAKE_LEN) -
	       p->n;
	if (take > len - used)
		take = len - used;
	memcpy(p->buf + p->n, in + used, take);
	p->n = (uint8_t)(p->n + take);
	*out_used = used + take;
	btt_cur_init(&c, p->buf + PREFIX_LEN, p->n - PREFIX_LEN);
	if (before < BTT_HANDSHAKE_HEAD_LEN && p->n == BTT_HANDSHAKE_HEAD_LEN) {
		btt_cur_copy(&c, p->hs.reserved, 8);
		btt_cur_copy(&c, p->hs.info_hash, 20);
		return BTT_HANDSHAKE_HEAD;
	}
	if (before < BTT_HANDSHAKE_LEN && p->n == BTT_HANDSHAKE_LEN) {
		btt_cur_skip(&c, 28);
		btt_cur_copy(&c, p->hs.peer_id, 20);
		return BTT_HANDSHAKE_DONE;
	}
	return BTT_HANDSHAKE_NEED;
}
