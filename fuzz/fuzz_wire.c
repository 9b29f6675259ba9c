// modules: bt bencode crypto io core
/* Fuzzes the peer wire parser (and, when asked, the handshake in front of
 * it, as on a real connection).
 *
 * Input: byte 0 flags (bit 0: PIECE fragments, bit 1: a handshake comes
 * first), bytes 1-2 the piece count (0 = unknown), bytes 3-6 four chunk
 * sizes, then the stream. The stream is parsed twice: whole, and in
 * chunks whose sizes cycle through the four given.
 *
 * Invariants (abort on violation): both runs yield the same messages
 * (fields and bytes, fragments joined) and end the same way; every
 * message respects the caps and the piece count; in the whole run every
 * whole message re-encodes with the builders to exactly the bytes it came
 * from. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bt/handshake.h"
#include "bt/wire.h"
#include "core/limits.h"
#include "core/wbuf.h"

#define CHECK(x)                 \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)

struct digest {
	uint64_t h;
	uint64_t msgs;
};

static void mix(struct digest *d, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		d->h = (d->h ^ b[i]) * 0x100000001b3ull;
}

static void mix_u64(struct digest *d, uint64_t v)
{
	mix(d, &v, sizeof(v));
}

static void check_caps(const struct btt_wire_parser *p,
		       const struct btt_wire_msg *m)
{
	CHECK(m->len <= BTT_WIRE_MAX_MSG);
	CHECK(m->data_len <= m->len);
	switch (m->type) {
	case BTT_WIRE_PIECE:
		CHECK(m->length <= BTT_WIRE_MAX_BLOCK);
		CHECK(m->off + m->data_len <= m->length);
		/* fall through */
	case BTT_WIRE_HAVE:
	case BTT_WIRE_SUGGEST:
	case BTT_WIRE_ALLOWED_FAST:
	case BTT_WIRE_REQUEST:
	case BTT_WIRE_CANCEL:
	case BTT_WIRE_REJECT:
		CHECK(!p->npieces || m->index < p->npieces);
		break;
	case BTT_WIRE_BITFIELD:
		CHECK(!p->npieces || m->data_len == (p->npieces + 7u) / 8u);
		break;
	case BTT_WIRE_EXTENDED: CHECK(m->len <= BTT_WIRE_MAX_EXTENDED); break;
	case BTT_WIRE_HASHES:
		CHECK(m->data_len % 32 == 0 &&
		      m->data_len / 32 <= BTT_WIRE_MAX_HASHES);
		break;
	default: break;
	}
}

/* Fields once per message (at its first fragment), then the bytes. */
static void digest_msg(struct digest *d, const struct btt_wire_msg *m)
{
	if (m->type != BTT_WIRE_PIECE || m->off == 0) {
		uint64_t f[] = {(uint64_t)m->type, m->id,    m->ext,
				m->port,	   m->len,   m->seq,
				m->index,	   m->begin, m->length,
				m->base,	   m->proof};
		mix(d, f, sizeof(f));
		if (m->root)
			mix(d, m->root, 32);
		d->msgs++;
	}
	mix(d, m->data, m->data_len);
}

/* Rebuilds m with the builders and compares with the bytes it came from. */
static void check_reencode(const struct btt_wire_msg *m, const uint8_t *raw,
			   size_t n)
{
	struct btt_wbuf w;

	btt_wbuf_init(&w, BTT_WIRE_MAX_MSG + 8);
	switch (m->type) {
	case BTT_WIRE_KEEPALIVE: btt_wire_put_keepalive(&w); break;
	case BTT_WIRE_CHOKE:
	case BTT_WIRE_UNCHOKE:
	case BTT_WIRE_INTERESTED:
	case BTT_WIRE_NOT_INTERESTED:
	case BTT_WIRE_HAVE_ALL:
	case BTT_WIRE_HAVE_NONE: btt_wire_put_simple(&w, m->type); break;
	case BTT_WIRE_HAVE:
	case BTT_WIRE_SUGGEST:
	case BTT_WIRE_ALLOWED_FAST:
		btt_wire_put_index(&w, m->type, m->index);
		break;
	case BTT_WIRE_REQUEST:
	case BTT_WIRE_CANCEL:
	case BTT_WIRE_REJECT:
		btt_wire_put_request(&w, m->type, m->index, m->begin,
				     m->length);
		break;
	case BTT_WIRE_PIECE:
		btt_wire_put_piece(&w, m->index, m->begin, m->data,
				   (uint32_t)m->data_len);
		break;
	case BTT_WIRE_PORT: btt_wire_put_port(&w, m->port); break;
	case BTT_WIRE_EXTENDED:
		btt_wire_put_extended(&w, m->ext, m->data, m->data_len);
		break;
	case BTT_WIRE_HASH_REQUEST:
	case BTT_WIRE_HASH_REJECT:
		btt_wire_put_hash_request(&w, m->type, m->root, m->base,
					  m->index, m->length, m->proof);
		break;
	case BTT_WIRE_HASHES:
		btt_wire_put_hashes(&w, m->root, m->base, m->index, m->length,
				    m->proof, m->data,
				    (uint32_t)(m->data_len / 32));
		break;
	case BTT_WIRE_BITFIELD:
		btt_wbuf_put_u32be(&w, m->len);
		btt_wbuf_put_u8(&w, BTT_WIRE_BITFIELD);
		btt_wbuf_put(&w, m->data, m->data_len);
		break;
	default: /* unknown ids are skipped: only the length is known */
		CHECK(m->type == BTT_WIRE_UNKNOWN && n == 4 + (size_t)m->len);
		btt_wbuf_release(&w);
		return;
	}
	CHECK(btt_wbuf_err(&w) == 0);
	CHECK(w.len == n && (n == 0 || memcmp(w.buf, raw, n) == 0));
	btt_wbuf_release(&w);
}

/* Parses in[0..len) in chunks of sizes[i % 4] (whole when sizes is NULL).
 * Returns the final status: 0 or the parser's error. */
static int run(const uint8_t *in, size_t len, uint32_t npieces, unsigned flags,
	       const uint8_t *sizes, struct digest *d)
{
	struct btt_wire_parser p;
	struct btt_wire_msg m;
	size_t used, k = 0;
	int r = 0;

	btt_wire_parser_init(&p, npieces, flags);
	while (len && r >= 0) {
		size_t n = sizes ? 1u + (size_t)sizes[k++ % 4] : len;
		const uint8_t *q = in;
		size_t left;

		n = n < len ? n : len;
		left = n;
		while (left) {
			r = btt_wire_parse(&p, q, left, &used, &m);
			CHECK(used <= left);
			if (r < 0)
				break;
			if (r == 1) {
				check_caps(&p, &m);
				digest_msg(d, &m);
				/* a fragment of a block cut short by the end
				 * of the input is not a whole message */
				if (!sizes && used == 4 + (size_t)m.len)
					check_reencode(&m, q, used);
			}
			q += used;
			left -= used;
			if (r == 0)
				break;
		}
		in += n;
		len -= n;
	}
	if (r < 0) {
		CHECK(p.err == r && p.fault != BTT_WIRE_FAULT_NONE);
		CHECK(memchr(p.why, 0, sizeof(p.why)) != NULL);
	}
	mix_u64(d, p.nmsgs);
	mix_u64(d, p.nkeepalive);
	mix_u64(d, p.nunknown);
	btt_wire_parser_release(&p);
	return r < 0 ? r : 0;
}

/* Strips a handshake off the front, checking the parser's contract. */
static size_t handshake(const uint8_t *in, size_t len)
{
	struct btt_handshake_parser hp;
	size_t pos = 0, used;
	int r;

	memset(&hp, 0, sizeof(hp));
	do {
		r = btt_handshake_parse(&hp, in + pos, len - pos, &used);
		CHECK(used <= len - pos);
		pos += used;
	} while (r == BTT_HANDSHAKE_HEAD);
	CHECK(hp.n == pos);
	if (r == BTT_HANDSHAKE_DONE)
		CHECK(pos == BTT_HANDSHAKE_LEN);
	return r == BTT_HANDSHAKE_DONE ? pos : len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest a = {0xcbf29ce484222325ull, 0}, b = a;
	unsigned flags;
	uint32_t npieces;
	const uint8_t *sizes;
	size_t skip = 0;
	int ra, rb;

	if (size < 7)
		return 0;
	flags = data[0] & 1 ? BTT_WIRE_PIECE_FRAGMENTS : 0;
	npieces = (uint32_t)data[1] << 8 | data[2];
	sizes = data + 3;
	data += 7;
	size -= 7;
	if (data[-7] & 2)
		skip = handshake(data, size);
	ra = run(data + skip, size - skip, npieces, flags, NULL, &a);
	rb = run(data + skip, size - skip, npieces, flags, sizes, &b);
	/* an error is found in the same message whatever the chunking, and
	 * every message before it is the same */
	CHECK(ra == rb);
	CHECK(a.h == b.h && a.msgs == b.msgs);
	return 0;
}
