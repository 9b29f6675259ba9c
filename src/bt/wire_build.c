/* Builders for peer wire messages (see wire.h): exact BEP 3/6/10/52 bytes,
 * length prefix included, appended to a wbuf whose sticky error the caller
 * checks once. The type arguments are our own code's choice, so a wrong one
 * is a bug (assert), never input. */
#include <assert.h>

#include "bt/wire.h"
#include "btt/err.h"

static void put_head(struct btt_wbuf *w, uint32_t len, uint8_t id)
{
	btt_wbuf_put_u32be(w, len);
	btt_wbuf_put_u8(w, id);
}

/* Fails the buffer when a payload cannot be described by a u32 prefix. */
static bool fits(struct btt_wbuf *w, uint64_t len)
{
	if (len <= UINT32_MAX)
		return true;
	if (!w->err)
		w->err = BTT_EOVERFLOW;
	return false;
}

void btt_wire_put_keepalive(struct btt_wbuf *w)
{
	btt_wbuf_put_u32be(w, 0);
}

void btt_wire_put_simple(struct btt_wbuf *w, int type)
{
	assert(type == BTT_WIRE_CHOKE || type == BTT_WIRE_UNCHOKE ||
	       type == BTT_WIRE_INTERESTED || type == BTT_WIRE_NOT_INTERESTED ||
	       type == BTT_WIRE_HAVE_ALL || type == BTT_WIRE_HAVE_NONE);
	put_head(w, 1, (uint8_t)type);
}

void btt_wire_put_index(struct btt_wbuf *w, int type, uint32_t index)
{
	assert(type == BTT_WIRE_HAVE || type == BTT_WIRE_SUGGEST ||
	       type == BTT_WIRE_ALLOWED_FAST);
	put_head(w, 5, (uint8_t)type);
	btt_wbuf_put_u32be(w, index);
}

void btt_wire_put_request(struct btt_wbuf *w, int type, uint32_t index,
			  uint32_t begin, uint32_t length)
{
	assert(type == BTT_WIRE_REQUEST || type == BTT_WIRE_CANCEL ||
	       type == BTT_WIRE_REJECT);
	put_head(w, 13, (uint8_t)type);
	btt_wbuf_put_u32be(w, index);
	btt_wbuf_put_u32be(w, begin);
	btt_wbuf_put_u32be(w, length);
}

void btt_wire_put_piece_header(struct btt_wbuf *w, uint32_t index,
			       uint32_t begin, uint32_t length)
{
	if (!fits(w, 9 + (uint64_t)length))
		return;
	put_head(w, 9 + length, BTT_WIRE_PIECE);
	btt_wbuf_put_u32be(w, index);
	btt_wbuf_put_u32be(w, begin);
}

void btt_wire_put_piece(struct btt_wbuf *w, uint32_t index, uint32_t begin,
			const void *block, uint32_t length)
{
	btt_wire_put_piece_header(w, index, begin, length);
	btt_wbuf_put(w, block, length);
}

void btt_wire_put_bitfield(struct btt_wbuf *w, const struct btt_bitfield *b)
{
	size_t n = btt_bitfield_bytes(b);
	uint8_t *dst;

	if (!fits(w, 1 + (uint64_t)n))
		return;
	put_head(w, (uint32_t)(1 + n), BTT_WIRE_BITFIELD);
	dst = btt_wbuf_reserve(w, n);
	if (!dst)
		return;
	btt_bitfield_export(b, dst);
	btt_wbuf_commit(w, n);
}

void btt_wire_put_port(struct btt_wbuf *w, uint16_t port)
{
	put_head(w, 3, BTT_WIRE_PORT);
	btt_wbuf_put_u16be(w, port);
}

void btt_wire_put_extended(struct btt_wbuf *w, uint8_t ext, const void *p,
			   size_t n)
{
	if (!fits(w, 2 + (uint64_t)n))
		return;
	put_head(w, (uint32_t)(2 + n), BTT_WIRE_EXTENDED);
	btt_wbuf_put_u8(w, ext);
	btt_wbuf_put(w, p, n);
}

static void put_hash_fields(struct btt_wbuf *w, const uint8_t root[32],
			    uint32_t base, uint32_t index, uint32_t length,
			    uint32_t proof)
{
	btt_wbuf_put(w, root, 32);
	btt_wbuf_put_u32be(w, base);
	btt_wbuf_put_u32be(w, index);
	btt_wbuf_put_u32be(w, length);
	btt_wbuf_put_u32be(w, proof);
}

void btt_wire_put_hash_request(struct btt_wbuf *w, int type,
			       const uint8_t root[32], uint32_t base,
			       uint32_t index, uint32_t length, uint32_t proof)
{
	assert(type == BTT_WIRE_HASH_REQUEST || type == BTT_WIRE_HASH_REJECT);
	put_head(w, 1 + BTT_WIRE_HASH_HDR, (uint8_t)type);
	put_hash_fields(w, root, base, index, length, proof);
}

void btt_wire_put_hashes(struct btt_wbuf *w, const uint8_t root[32],
			 uint32_t base, uint32_t index, uint32_t length,
			 uint32_t proof, const uint8_t *hashes,
			 uint32_t nhashes)
{
	uint64_t len = 1 + BTT_WIRE_HASH_HDR + 32 * (uint64_t)nhashes;

	if (!fits(w, len))
		return;
	put_head(w, (uint32_t)len, BTT_WIRE_HASHES);
	put_hash_fields(w, root, base, index, length, proof);
	btt_wbuf_put(w, hashes, 32 * (size_t)nhashes);
}
