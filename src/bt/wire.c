/* The resumable peer wire parser (see wire.h).
 *
 * States: HDR gathers the 4-byte length prefix and the id byte (in hdr[]);
 * BODY gathers a body split across chunks (into small[] or buf); SKIP
 * counts down an unknown message; PHDR gathers the 8-byte index/begin of a
 * fragmented PIECE and PIECE hands its block out as it arrives. A message
 * that is whole in the caller's chunk never leaves HDR: it is decoded in
 * place. Each step consumes a run of bytes, never one byte per call.
 *
 * Invariants: len is checked against the table before the state leaves
 * HDR; got <= len - 1; buf is only ever grown to bytes actually received
 * (never to a declared length) and is at most the cap of its message. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt/wire.h"
#include "btt/err.h"
#include "core/cur.h"
#include "core/limits.h"

enum { ST_HDR, ST_BODY, ST_SKIP, ST_PHDR, ST_PIECE };

#define HASHES_MAX_LEN (1u + BTT_WIRE_HASH_HDR + 32u * BTT_WIRE_MAX_HASHES)
#define PIECE_MAX_LEN (9u + BTT_WIRE_MAX_BLOCK)

_Static_assert(BTT_WIRE_MAX_MSG >= BTT_WIRE_MAX_EXTENDED &&
		       BTT_WIRE_MAX_MSG >= BTT_WIRE_MAX_UNKNOWN &&
		       BTT_WIRE_MAX_MSG >= BTT_WIRE_MAX_BITFIELD &&
		       BTT_WIRE_MAX_MSG >= PIECE_MAX_LEN &&
		       BTT_WIRE_MAX_MSG >= HASHES_MAX_LEN,
	       "BTT_WIRE_MAX_MSG must be the largest message cap");

/* Length prefix bounds per id, the id byte included. min == max means an
 * exact length. A NULL name marks an id btt does not know. */
struct wire_spec {
	uint32_t min, max;
	const char *name;
};

static const struct wire_spec specs[24] = {
	[BTT_WIRE_CHOKE] = {1, 1, "choke"},
	[BTT_WIRE_UNCHOKE] = {1, 1, "unchoke"},
	[BTT_WIRE_INTERESTED] = {1, 1, "interested"},
	[BTT_WIRE_NOT_INTERESTED] = {1, 1, "not interested"},
	[BTT_WIRE_HAVE] = {5, 5, "have"},
	[BTT_WIRE_BITFIELD] = {2, BTT_WIRE_MAX_BITFIELD, "bitfield"},
	[BTT_WIRE_REQUEST] = {13, 13, "request"},
	[BTT_WIRE_PIECE] = {9, PIECE_MAX_LEN, "piece"},
	[BTT_WIRE_CANCEL] = {13, 13, "cancel"},
	[BTT_WIRE_PORT] = {3, 3, "port"},
	[BTT_WIRE_SUGGEST] = {5, 5, "suggest"},
	[BTT_WIRE_HAVE_ALL] = {1, 1, "have all"},
	[BTT_WIRE_HAVE_NONE] = {1, 1, "have none"},
	[BTT_WIRE_REJECT] = {13, 13, "reject"},
	[BTT_WIRE_ALLOWED_FAST] = {5, 5, "allowed fast"},
	[BTT_WIRE_EXTENDED] = {2, BTT_WIRE_MAX_EXTENDED, "extended"},
	[BTT_WIRE_HASH_REQUEST] = {49, 49, "hash request"},
	[BTT_WIRE_HASHES] = {81, HASHES_MAX_LEN, "hashes"},
	[BTT_WIRE_HASH_REJECT] = {49, 49, "hash reject"},
};

static const struct wire_spec unknown_spec = {1, BTT_WIRE_MAX_UNKNOWN, NULL};

static const struct wire_spec *spec_of(uint8_t id)
{
	if (id < sizeof(specs) / sizeof(specs[0]) && specs[id].name)
		return &specs[id];
	return &unknown_spec;
}

const char *btt_wire_type_name(int type)
{
	if (type == BTT_WIRE_KEEPALIVE)
		return "keep-alive";
	if (type == BTT_WIRE_UNKNOWN)
		return "unknown";
	if (type < 0 || type >= (int)(sizeof(specs) / sizeof(specs[0])))
		return NULL;
	return specs[type].name;
}

void btt_wire_parser_init(struct btt_wire_parser *p, uint32_t npieces,
			  unsigned flags)
{
	memset(p, 0, sizeof(*p));
	p->npieces = npieces;
	p->flags = flags;
}

void btt_wire_parser_release(struct btt_wire_parser *p)
{
	free(p->buf);
	memset(p, 0, sizeof(*p));
}

void btt_wire_parser_set_npieces(struct btt_wire_parser *p, uint32_t npieces)
{
	p->npieces = npieces;
}

static int fail(struct btt_wire_parser *p, int err, int fault, int id,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail(struct btt_wire_parser *p, int err, int fault, int id,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->why, sizeof(p->why), fmt, ap);
	va_end(ap);
	p->err = err;
	p->fault = fault;
	p->fault_id = id;
	return err;
}

static uint32_t bitfield_len(uint32_t npieces)
{
	return 1u + (uint32_t)(((uint64_t)npieces + 7) / 8);
}

/* Checks a length prefix against the table once the id is known. */
static int check_len(struct btt_wire_parser *p, uint32_t len, uint8_t id)
{
	const struct wire_spec *s = spec_of(id);
	const char *name = s->name ? s->name : "unknown id";
	uint32_t min = s->min, max = s->max;

	if (id == BTT_WIRE_BITFIELD && p->npieces)
		min = max = bitfield_len(p->npieces);
	if (len > max && min != max)
		return fail(p, BTT_ELIMIT, BTT_WIRE_FAULT_OVERSIZE, id,
			    "%s %u: length %u over %u", name, id, len, max);
	if (len < min || len > max)
		return fail(p, BTT_EMALFORMED, BTT_WIRE_FAULT_LENGTH, id,
			    "%s: length %u, expected %s%u", name, len,
			    min == max ? "" : "at least ", min);
	if (id == BTT_WIRE_HASHES && (len - 1 - BTT_WIRE_HASH_HDR) % 32 != 0)
		return fail(p, BTT_EMALFORMED, BTT_WIRE_FAULT_LENGTH, id,
			    "hashes: length %u is not 49 + 32n", len);
	return 0;
}

static int check_prefix(struct btt_wire_parser *p, uint32_t len)
{
	if (len > BTT_WIRE_MAX_MSG)
		return fail(p, BTT_ELIMIT, BTT_WIRE_FAULT_OVERSIZE, -1,
			    "length prefix %u over %u", len,
			    (unsigned)BTT_WIRE_MAX_MSG);
	return 0;
}

static int check_index(struct btt_wire_parser *p, uint8_t id, uint32_t index)
{
	if (p->npieces && index >= p->npieces)
		return fail(p, BTT_EMALFORMED, BTT_WIRE_FAULT_INDEX, id,
			    "%s: piece %u out of range (%u pieces)",
			    specs[id].name, index, p->npieces);
	return 0;
}

/* BEP 3: "Spare bits at the end are set to zero." The length is checked
 * again because the piece count may have been set while the bitfield was
 * arriving. */
static int check_bits(struct btt_wire_parser *p, const uint8_t *bits, size_t n)
{
	unsigned spare;

	if (!p->npieces)
		return 0;
	if (n + 1 != bitfield_len(p->npieces))
		return fail(p, BTT_EMALFORMED, BTT_WIRE_FAULT_LENGTH,
			    BTT_WIRE_BITFIELD,
			    "bitfield: length %zu, expected %u", n + 1,
			    bitfield_len(p->npieces));
	spare = (unsigned)(n * 8 - p->npieces);
	if (spare && (bits[n - 1] & ((1u << spare) - 1)))
		return fail(p, BTT_EMALFORMED, BTT_WIRE_FAULT_SPARE_BITS,
			    BTT_WIRE_BITFIELD,
			    "bitfield: spare bits set (%u pieces)", p->npieces);
	return 0;
}

static void msg_start(struct btt_wire_parser *p, struct btt_wire_msg *m,
		      int type, uint32_t len)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->id = p->id;
	m->len = len;
	m->seq = p->nmsgs;
}

static int emit_keepalive(struct btt_wire_parser *p, struct btt_wire_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->type = BTT_WIRE_KEEPALIVE;
	m->seq = p->nmsgs;
	p->nkeepalive++;
	return 1;
}

static void decode_hash(struct btt_cur *c, struct btt_wire_msg *m)
{
	m->root = btt_cur_data(c);
	btt_cur_skip(c, 32);
	btt_cur_get_u32be(c, &m->base);
	btt_cur_get_u32be(c, &m->index);
	btt_cur_get_u32be(c, &m->length);
	btt_cur_get_u32be(c, &m->proof);
	m->data = btt_cur_data(c);
	m->data_len = btt_cur_len(c);
}

/* Decodes a whole body (after the id; its length was checked) into m. */
static int decode(struct btt_wire_parser *p, const uint8_t *body, uint32_t n,
		  struct btt_wire_msg *m)
{
	struct btt_cur c;
	uint8_t id = p->id;

	btt_cur_init(&c, body, n);
	msg_start(p, m, spec_of(id)->name ? id : BTT_WIRE_UNKNOWN, p->len);
	p->state = ST_HDR;
	switch (m->type) {
	case BTT_WIRE_HAVE:
	case BTT_WIRE_SUGGEST:
	case BTT_WIRE_ALLOWED_FAST:
		btt_cur_get_u32be(&c, &m->index);
		if (check_index(p, id, m->index))
			return p->err;
		break;
	case BTT_WIRE_REQUEST:
	case BTT_WIRE_CANCEL:
	case BTT_WIRE_REJECT:
	case BTT_WIRE_PIECE:
		btt_cur_get_u32be(&c, &m->index);
		btt_cur_get_u32be(&c, &m->begin);
		if (m->type == BTT_WIRE_PIECE) {
			m->data = btt_cur_data(&c);
			m->data_len = m->length = (uint32_t)btt_cur_len(&c);
		} else {
			btt_cur_get_u32be(&c, &m->length);
		}
		if (check_index(p, id, m->index))
			return p->err;
		break;
	case BTT_WIRE_BITFIELD:
		if (check_bits(p, body, n))
			return p->err;
		m->data = body;
		m->data_len = n;
		break;
	case BTT_WIRE_PORT: btt_cur_get_u16be(&c, &m->port); break;
	case BTT_WIRE_EXTENDED:
		btt_cur_get_u8(&c, &m->ext);
		m->data = btt_cur_data(&c);
		m->data_len = btt_cur_len(&c);
		break;
	case BTT_WIRE_HASH_REQUEST:
	case BTT_WIRE_HASHES:
	case BTT_WIRE_HASH_REJECT: decode_hash(&c, m); break;
	case BTT_WIRE_UNKNOWN: p->nunknown++; break;
	default: /* the bodiless ones */ break;
	}
	p->nmsgs++;
	return 1;
}

/* Sets the state for a body that continues in later chunks. */
static void enter_body(struct btt_wire_parser *p)
{
	p->got = 0;
	if (!spec_of(p->id)->name)
		p->state = ST_SKIP;
	else if (p->id == BTT_WIRE_PIECE &&
		 (p->flags & BTT_WIRE_PIECE_FRAGMENTS))
		p->state = ST_PHDR;
	else
		p->state = ST_BODY;
	/* A big buffer from an earlier message is not kept around: the views
	 * into it died with the call that returned them. */
	if (p->cap > BTT_WIRE_BUF_KEEP) {
		free(p->buf);
		p->buf = NULL;
		p->cap = 0;
	}
}

/* HDR, fast path: nothing gathered yet and the prefix and id are here. */
static int hdr_fast(struct btt_wire_parser *p, const uint8_t *in, size_t avail,
		    size_t *n, struct btt_wire_msg *m)
{
	struct btt_cur c;
	uint32_t len = 0;

	btt_cur_init(&c, in, 4);
	btt_cur_get_u32be(&c, &len);
	if (len == 0) {
		*n = 4;
		return emit_keepalive(p, m);
	}
	if (check_prefix(p, len) || check_len(p, len, in[4]))
		return p->err;
	p->id = in[4];
	p->len = len;
	if (avail - 4 >= len) {
		*n = 4 + (size_t)len;
		return decode(p, in + 5, len - 1, m);
	}
	*n = 5;
	enter_body(p);
	return 0;
}

/* HDR, slow path: the prefix or the id straddles chunks. */
static int hdr_slow(struct btt_wire_parser *p, const uint8_t *in, size_t avail,
		    size_t *n, struct btt_wire_msg *m)
{
	size_t want = (p->nhdr < 4 ? 4u : 5u) - p->nhdr;
	size_t take = avail < want ? avail : want;
	struct btt_cur c;

	memcpy(p->hdr + p->nhdr, in, take);
	p->nhdr = (uint8_t)(p->nhdr + take);
	*n = take;
	if (p->nhdr == 4) {
		btt_cur_init(&c, p->hdr, 4);
		btt_cur_get_u32be(&c, &p->len);
		if (p->len == 0) {
			p->nhdr = 0;
			return emit_keepalive(p, m);
		}
		return check_prefix(p, p->len);
	}
	if (p->nhdr < 5)
		return 0;
	p->nhdr = 0;
	if (check_len(p, p->len, p->hdr[4]))
		return p->err;
	p->id = p->hdr[4];
	if (p->len == 1)
		return decode(p, p->small, 0, m);
	enter_body(p);
	return 0;
}

/* Grows buf to hold `need` bytes of a body of `total` bytes. */
static int reserve(struct btt_wire_parser *p, size_t need, size_t total)
{
	size_t ncap;
	uint8_t *nb;

	if (need <= p->cap)
		return 0;
	ncap = p->cap ? p->cap * 2 : 1024;
	if (ncap < need)
		ncap = need;
	if (ncap > total)
		ncap = total;
	nb = realloc(p->buf, ncap);
	if (!nb)
		return fail(p, -ENOMEM, BTT_WIRE_FAULT_NOMEM, p->id,
			    "%s: no memory for %zu bytes", spec_of(p->id)->name,
			    ncap);
	p->buf = nb;
	p->cap = ncap;
	return 0;
}

static int step_body(struct btt_wire_parser *p, const uint8_t *in, size_t avail,
		     size_t *n, struct btt_wire_msg *m)
{
	uint32_t total = p->len - 1;
	size_t take = total - p->got;
	uint8_t *dst = p->small;

	if (take > avail)
		take = avail;
	if (total > sizeof(p->small)) {
		if (reserve(p, p->got + take, total))
			return p->err;
		dst = p->buf;
	}
	memcpy(dst + p->got, in, take);
	p->got += (uint32_t)take;
	*n = take;
	if (p->got < total)
		return 0;
	return decode(p, dst, total, m);
}

static int step_skip(struct btt_wire_parser *p, size_t avail, size_t *n,
		     struct btt_wire_msg *m)
{
	size_t take = p->len - 1 - p->got;

	if (take > avail)
		take = avail;
	p->got += (uint32_t)take;
	*n = take;
	if (p->got < p->len - 1)
		return 0;
	return decode(p, NULL, 0, m);
}

static int emit_fragment(struct btt_wire_parser *p, const uint8_t *in,
			 size_t avail, size_t *n, struct btt_wire_msg *m)
{
	uint32_t total = p->len - 9;
	size_t take = total - p->got;

	if (take > avail)
		take = avail;
	msg_start(p, m, BTT_WIRE_PIECE, p->len);
	m->index = p->pindex;
	m->begin = p->pbegin;
	m->length = total;
	m->off = p->got;
	m->data = in;
	m->data_len = take;
	p->got += (uint32_t)take;
	*n = take;
	if (p->got == total) {
		p->state = ST_HDR;
		p->nmsgs++;
	}
	return 1;
}

static int step_phdr(struct btt_wire_parser *p, const uint8_t *in, size_t avail,
		     size_t *n, struct btt_wire_msg *m)
{
	size_t take = 8 - p->got, none;
	struct btt_cur c;

	if (take > avail)
		take = avail;
	memcpy(p->small + p->got, in, take);
	p->got += (uint32_t)take;
	*n = take;
	if (p->got < 8)
		return 0;
	btt_cur_init(&c, p->small, 8);
	btt_cur_get_u32be(&c, &p->pindex);
	btt_cur_get_u32be(&c, &p->pbegin);
	if (check_index(p, BTT_WIRE_PIECE, p->pindex))
		return p->err;
	p->got = 0;
	p->state = ST_PIECE;
	if (p->len == 9) /* an empty block still makes one fragment */
		return emit_fragment(p, in + take, 0, &none, m);
	return 0;
}

int btt_wire_parse(struct btt_wire_parser *p, const uint8_t *in, size_t len,
		   size_t *out_used, struct btt_wire_msg *out)
{
	size_t pos = 0, n;
	int r = 0;

	if (p->err) {
		*out_used = 0;
		return p->err;
	}
	while (r == 0 && pos < len) {
		n = 0;
		switch (p->state) {
		case ST_HDR:
			if (p->nhdr == 0 && len - pos >= 5)
				r = hdr_fast(p, in + pos, len - pos, &n, out);
			else
				r = hdr_slow(p, in + pos, len - pos, &n, out);
			break;
		case ST_BODY:
			r = step_body(p, in + pos, len - pos, &n, out);
			break;
		case ST_SKIP: r = step_skip(p, len - pos, &n, out); break;
		case ST_PHDR:
			r = step_phdr(p, in + pos, len - pos, &n, out);
			break;
		default:
			r = emit_fragment(p, in + pos, len - pos, &n, out);
			break;
		}
		pos += n;
	}
	*out_used = pos;
	return r;
}

bool btt_wire_request_valid(uint32_t offset, uint32_t length,
			    uint64_t piece_size)
{
	return length >= 1 && length <= BTT_WIRE_MAX_REQUEST &&
	       (uint64_t)offset + length <= piece_size;
}
