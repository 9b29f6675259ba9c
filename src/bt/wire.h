/* The peer wire protocol (BEP 3, 6, 10, 52) as a sans-I/O codec: bytes in,
 * messages out; messages in, bytes out. No sockets, no clock, no policy.
 *
 * Parsing. A struct btt_wire_parser is fed whatever the socket produced,
 * in chunks of any size (one byte at a time works), and yields one message
 * per call. Every length prefix is checked against the caps in
 * core/limits.h as soon as its four bytes (and then the id byte) are in,
 * before any body byte is buffered; every known id has an exact length or
 * a range (the table in wire.c). Unknown ids are skipped without buffering
 * and reported with their id and length. When the piece count is known the
 * parser also checks piece indexes (< npieces), the bitfield's exact
 * length and its spare bits. Everything else ("bitfield only first", "have
 * all needs the fast extension", request bounds) is the peer state
 * machine's job; the parser counts messages so it can tell.
 *
 * Zero copy. A message that arrives whole inside one input chunk is
 * decoded in place: its views (data, root) point into the caller's chunk.
 * A message split across chunks is gathered once into the parser's buffer
 * and its views point there. Either way a view is valid until the next
 * call on the parser or until the caller reuses its chunk, whichever comes
 * first. With BTT_WIRE_PIECE_FRAGMENTS a PIECE is never gathered: its
 * block is handed out as one or more fragments pointing into the caller's
 * chunks, so the block goes from the socket buffer straight to its
 * destination with a single copy, the caller's.
 *
 * Building. btt_wire_put_* append exact BEP bytes to a wbuf (sticky error:
 * check btt_wbuf_err() once at the end).
 *
 * Threads: a parser belongs to one connection, so to one thread. */
#ifndef BTT_BT_WIRE_H
#define BTT_BT_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bitfield.h"
#include "core/wbuf.h"

/* The block size btt requests and sends (BEP 3: "all current
 * implementations use 2^14"). */
#define BTT_WIRE_BLOCK 16384

/* Message ids on the wire, plus two pseudo types the parser reports. */
enum btt_wire_type {
	BTT_WIRE_CHOKE = 0,
	BTT_WIRE_UNCHOKE = 1,
	BTT_WIRE_INTERESTED = 2,
	BTT_WIRE_NOT_INTERESTED = 3,
	BTT_WIRE_HAVE = 4,
	BTT_WIRE_BITFIELD = 5,
	BTT_WIRE_REQUEST = 6,
	BTT_WIRE_PIECE = 7,
	BTT_WIRE_CANCEL = 8,
	BTT_WIRE_PORT = 9,	    /* BEP 5: DHT port */
	BTT_WIRE_SUGGEST = 13,	    /* BEP 6 */
	BTT_WIRE_HAVE_ALL = 14,	    /* BEP 6 */
	BTT_WIRE_HAVE_NONE = 15,    /* BEP 6 */
	BTT_WIRE_REJECT = 16,	    /* BEP 6 */
	BTT_WIRE_ALLOWED_FAST = 17, /* BEP 6 */
	BTT_WIRE_EXTENDED = 20,	    /* BEP 10 */
	BTT_WIRE_HASH_REQUEST = 21, /* BEP 52 */
	BTT_WIRE_HASHES = 22,	    /* BEP 52 */
	BTT_WIRE_HASH_REJECT = 23,  /* BEP 52 */
	BTT_WIRE_KEEPALIVE = 0x100, /* length prefix 0 */
	BTT_WIRE_UNKNOWN = 0x101,   /* an id not listed above, skipped */
};

/* Bytes of a BEP 52 hash request / reject body after the id: pieces root,
 * base layer, index, length, proof layers. */
#define BTT_WIRE_HASH_HDR 48

/* One parsed message. Fields not listed for a type are zero / NULL. */
struct btt_wire_msg {
	int type;      /* enum btt_wire_type */
	uint8_t id;    /* the id byte as received (UNKNOWN: the unknown id) */
	uint8_t ext;   /* EXTENDED: the extended message id (0 = handshake) */
	uint16_t port; /* PORT */
	uint32_t len;  /* the length prefix (0 for KEEPALIVE) */
	/* Messages before this one, keep-alives not counted: 0 for the first
	 * message after the handshake. Every fragment of a PIECE has its
	 * message's number. */
	uint64_t seq;
	/* HAVE, SUGGEST, ALLOWED_FAST, REQUEST, CANCEL, REJECT, PIECE: the
	 * piece; HASH_*: the index of the first hash in the base layer. */
	uint32_t index;
	uint32_t begin; /* REQUEST, CANCEL, REJECT, PIECE: byte offset */
	/* REQUEST, CANCEL, REJECT: bytes requested; PIECE: bytes in the whole
	 * block (all fragments); HASH_*: number of hashes requested. */
	uint32_t length;
	uint32_t off;	     /* PIECE: offset of `data` inside the block */
	uint32_t base;	     /* HASH_*: base layer */
	uint32_t proof;	     /* HASH_*: proof layers */
	const uint8_t *root; /* HASH_*: the 32-byte pieces root (view) */
	/* Views (see "Zero copy" above): BITFIELD: the bits; PIECE: block
	 * bytes [off, off + data_len); EXTENDED: the payload after the
	 * extended id; HASHES: data_len / 32 hashes. */
	const uint8_t *data;
	size_t data_len;
};

/* Parser flags. */
#define BTT_WIRE_PIECE_FRAGMENTS 0x1u /* hand PIECE blocks out in pieces */

/* What went wrong, in more detail than the returned error code. */
enum btt_wire_fault {
	BTT_WIRE_FAULT_NONE = 0,
	BTT_WIRE_FAULT_OVERSIZE, /* over a cap (BTT_ELIMIT) */
	BTT_WIRE_FAULT_LENGTH,	 /* wrong length for its id (BTT_EMALFORMED) */
	BTT_WIRE_FAULT_SPARE_BITS, /* bitfield spare bits set (BTT_EMALFORMED)
				    */
	BTT_WIRE_FAULT_INDEX,	   /* piece index >= npieces (BTT_EMALFORMED) */
	BTT_WIRE_FAULT_NOMEM,	   /* no memory to gather a message (-ENOMEM) */
};

/* A zeroed parser is a valid parser with an unknown piece count and no
 * flags. Fields marked "read" may be read at any time; the rest are
 * private. */
struct btt_wire_parser {
	uint32_t npieces;    /* read; 0 = not known yet (magnet) */
	unsigned flags;	     /* read */
	uint64_t nmsgs;	     /* read: complete messages, keep-alives excluded */
	uint64_t nkeepalive; /* read */
	uint64_t nunknown;   /* read: messages with unknown ids, skipped */
	/* read: sticky error. err is the code every call returns once set,
	 * fault the kind, fault_id the message id (or -1 before the id was
	 * known), why a short reason: "have: length 6, expected 5". */
	int err;
	int fault;
	int fault_id;
	char why[80];
	/* private */
	uint8_t state;
	uint8_t nhdr;
	uint8_t hdr[5];
	uint8_t id;
	uint32_t len;
	uint32_t got;
	uint32_t pindex, pbegin;
	uint8_t small[64];
	uint8_t *buf;
	size_t cap;
};

/* Sets up p. npieces 0 means not known yet. flags: BTT_WIRE_PIECE_*. */
void btt_wire_parser_init(struct btt_wire_parser *p, uint32_t npieces,
			  unsigned flags);

/* Frees the gather buffer; p is then zeroed. */
void btt_wire_parser_release(struct btt_wire_parser *p);

/* Sets the piece count once the metadata is known (magnet links); later
 * messages are checked against it. */
void btt_wire_parser_set_npieces(struct btt_wire_parser *p, uint32_t npieces);

/* Consumes bytes from in[0..len) and stores how many in *out_used.
 * Returns 1 when *out holds a message (bytes after it are left for the
 * next call), 0 when the input was used up without completing one
 * (*out_used == len), or a negative error: BTT_ELIMIT (a length over its
 * cap), BTT_EMALFORMED (wrong length for the id, spare bits, piece index
 * out of range) or -ENOMEM; see p->fault and p->why. Errors are sticky:
 * the connection is beyond repair. Call in a loop until it returns 0:
 *
 *	while (len) {
 *		r = btt_wire_parse(p, in, len, &used, &m);
 *		in += used, len -= used;
 *		if (r <= 0) break;	(r < 0: drop the peer)
 *		handle(&m);
 *	}
 *
 * With BTT_WIRE_PIECE_FRAGMENTS a PIECE comes as one or more messages of
 * type PIECE with the same index, begin, length and seq, and off
 * advancing from 0; the last has off + data_len == length. A PIECE whose
 * block is empty comes as one fragment with data_len 0. */
int btt_wire_parse(struct btt_wire_parser *p, const uint8_t *in, size_t len,
		   size_t *out_used, struct btt_wire_msg *out);

/* "choke", "have all", ...; "keep-alive", "unknown" for the pseudo types;
 * NULL for ids the parser does not know. */
const char *btt_wire_type_name(int type);

/* True when a REQUEST of `length` bytes at `offset` in a piece of
 * `piece_size` bytes is one btt serves: 1 <= length <=
 * BTT_WIRE_MAX_REQUEST and offset + length <= piece_size. Pass
 * piece_size 0 for a piece index out of range (what
 * btt_layout_piece_span returns), which rejects every request. */
bool btt_wire_request_valid(uint32_t offset, uint32_t length,
			    uint64_t piece_size);

/* Builders. Each appends one whole message, length prefix included. */
void btt_wire_put_keepalive(struct btt_wbuf *w);

/* CHOKE, UNCHOKE, INTERESTED, NOT_INTERESTED, HAVE_ALL or HAVE_NONE. */
void btt_wire_put_simple(struct btt_wbuf *w, int type);

/* HAVE, SUGGEST or ALLOWED_FAST. */
void btt_wire_put_index(struct btt_wbuf *w, int type, uint32_t index);

/* REQUEST, CANCEL or REJECT: they share one payload. */
void btt_wire_put_request(struct btt_wbuf *w, int type, uint32_t index,
			  uint32_t begin, uint32_t length);

/* The 13 bytes that precede a PIECE's block, for a gathering write that
 * sends the block from its own buffer. */
void btt_wire_put_piece_header(struct btt_wbuf *w, uint32_t index,
			       uint32_t begin, uint32_t length);

void btt_wire_put_piece(struct btt_wbuf *w, uint32_t index, uint32_t begin,
			const void *block, uint32_t length);

/* BITFIELD of b (spare bits zero). */
void btt_wire_put_bitfield(struct btt_wbuf *w, const struct btt_bitfield *b);

void btt_wire_put_port(struct btt_wbuf *w, uint16_t port);

/* EXTENDED with extended id `ext` and payload p[0..n). */
void btt_wire_put_extended(struct btt_wbuf *w, uint8_t ext, const void *p,
			   size_t n);

/* HASH_REQUEST or HASH_REJECT. */
void btt_wire_put_hash_request(struct btt_wbuf *w, int type,
			       const uint8_t root[32], uint32_t base,
			       uint32_t index, uint32_t length, uint32_t proof);

/* HASHES carrying nhashes 32-byte hashes. */
void btt_wire_put_hashes(struct btt_wbuf *w, const uint8_t root[32],
			 uint32_t base, uint32_t index, uint32_t length,
			 uint32_t proof, const uint8_t *hashes,
			 uint32_t nhashes);

#endif
