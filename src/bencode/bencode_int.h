/* bencode: a canonical-only, non-recursive decoder and an encoder.
 *
 * The decoder builds a flat array of nodes over the input (which it borrows:
 * the input must outlive the document). Node 0 is the root. Containers are
 * followed by their children in order; a dict's children alternate key,
 * value. Every node records the raw span of bytes it was decoded from, so
 * the info-hash is the hash of the bytes as received, never a re-encoding.
 *
 * Accepted: only canonical bencode. Dict keys are byte strings in strictly
 * increasing order (raw byte comparison, a shorter prefix first); integers
 * have no leading zeros, no "-0", no empty digits and fit int64; string
 * lengths have no leading zeros and fit the input. Depth and node count
 * are bounded by the caller's limits (see core/limits.h). So for any input
 * accepted, encoding the tree gives back exactly the input. */
#ifndef BTT_BENCODE_INT_H
#define BTT_BENCODE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cur.h"
#include "core/wbuf.h"

enum btt_btype {
	BTT_BSTR = 1,
	BTT_BINT = 2,
	BTT_BLIST = 3,
	BTT_BDICT = 4,
};

/* 16 bytes per decoded value. Offsets are 32-bit: inputs over 4 GiB - 1 are
 * refused. */
struct btt_bnode {
	uint32_t off;  /* first byte of the value in the input */
	uint32_t span; /* bytes the whole value occupies */
	uint32_t next; /* index of the node after this value's subtree */
	uint8_t type;  /* enum btt_btype */
	uint8_t hdr;   /* strings: bytes before the payload ("12:" = 3) */
	uint16_t pad;
};

/* Larger values are clamped to the hard caps. Depth counts open lists and
 * dicts (0 admits only a string or an integer); items counts every node,
 * dict keys included. */
struct btt_bdec_limits {
	unsigned max_depth; /* <= BTT_BENCODE_MAX_DEPTH */
	uint32_t max_items; /* <= BTT_BENCODE_MAX_ITEMS */
};

/* A decoded document. Zeroed is valid and empty. */
struct btt_bdoc {
	const uint8_t *buf;
	size_t len;
	struct btt_bnode *nodes;
	uint32_t n;
	uint32_t cap;
	/* On failure: the error, the byte offset it was found at, and a short
	 * human message ("dict keys out of order"). */
	int err;
	size_t err_off;
	char msg[80];
};

/* No node: index 0 is the root and never anybody's child, so 0 means none
 * wherever a child or sibling is returned. */
#define BTT_BNONE 0u

/* The default limits for untrusted documents (.torrent files). */
extern const struct btt_bdec_limits btt_bdec_default_limits;

/* Decodes exactly one value spanning all of buf[0..len). Trailing bytes are
 * BTT_ETRAILING. Returns 0 or a negative error; on error doc->err,
 * doc->err_off and doc->msg say what and where, and the document holds no
 * nodes. NULL limits means btt_bdec_default_limits. Node storage grows as
 * values parse, never from a length the input declares.
 *
 * `doc` is an output: whatever it held is overwritten, not freed, so
 * release a document before decoding into it again. Errors:
 * BTT_ETRUNCATED (input ends early; err_off is the end of input, or the
 * start of a string whose declared length runs past it), BTT_EMALFORMED,
 * BTT_ENONCANONICAL (leading zeros, "-0", unsorted or duplicate keys),
 * BTT_ELIMIT (items, digits, int64 range, input over UINT32_MAX - 1
 * bytes), BTT_EDEPTH, BTT_ETRAILING, -ENOMEM. */
int btt_bdecode(struct btt_bdoc *doc, const void *buf, size_t len,
		const struct btt_bdec_limits *lim);

/* Like btt_bdecode but stops after the first complete value, accepts any
 * bytes after it and stores how many bytes the value used in *out_used
 * (ut_metadata: a dict followed by raw bytes). */
int btt_bdecode_prefix(struct btt_bdoc *doc, const void *buf, size_t len,
		       const struct btt_bdec_limits *lim, size_t *out_used);

void btt_bdoc_release(struct btt_bdoc *doc);

/* Accessors. `i` must be a valid node index of doc (they assert it). */
static inline int btt_bnode_type(const struct btt_bdoc *d, uint32_t i)
{
	return d->nodes[i].type;
}

/* The raw bytes of a value, exactly as they appeared in the input. */
struct btt_cur btt_bnode_raw(const struct btt_bdoc *d, uint32_t i);

/* String payload; false if not a string. */
bool btt_bnode_str(const struct btt_bdoc *d, uint32_t i, struct btt_cur *out);

/* Integer value; false if not an integer. */
bool btt_bnode_int(const struct btt_bdoc *d, uint32_t i, int64_t *out);

/* First child of a list or dict (for a dict: the first key), or BTT_BNONE
 * (also when `i` is not a container). */
uint32_t btt_bnode_first(const struct btt_bdoc *d, uint32_t i);

/* The sibling after `child` inside `parent`, or BTT_BNONE. In a dict the
 * sibling of a key is its value and the sibling of a value the next key. */
uint32_t btt_bnode_next(const struct btt_bdoc *d, uint32_t parent,
			uint32_t child);

/* Number of elements of a list, or key/value pairs of a dict. O(n). */
uint32_t btt_bnode_count(const struct btt_bdoc *d, uint32_t i);

/* The value under `key` in dict `i`, or BTT_BNONE (also if `i` is not a
 * dict). Keys are sorted, so this stops early; O(keys). */
uint32_t btt_bnode_get(const struct btt_bdoc *d, uint32_t i, const char *key);
uint32_t btt_bnode_get_n(const struct btt_bdoc *d, uint32_t i, const void *key,
			 size_t key_len);

/* Typed lookups: false when absent or of another type. */
bool btt_bnode_get_str(const struct btt_bdoc *d, uint32_t dict, const char *key,
		       struct btt_cur *out);
bool btt_bnode_get_int(const struct btt_bdoc *d, uint32_t dict, const char *key,
		       int64_t *out);

/* Encoder. Appends to a wbuf (sticky error). The caller writes dict keys
 * in sorted order; tests check it by decoding the output with
 * btt_bdecode(), which rejects unsorted keys. */
void btt_benc_int(struct btt_wbuf *w, int64_t v);
void btt_benc_str(struct btt_wbuf *w, const void *p, size_t n);
void btt_benc_cstr(struct btt_wbuf *w, const char *s);
void btt_benc_list(struct btt_wbuf *w); /* 'l' */
void btt_benc_dict(struct btt_wbuf *w); /* 'd' */
void btt_benc_end(struct btt_wbuf *w);	/* 'e' */

/* Re-encodes node `i` (and its subtree) from the decoded tree. For any
 * document btt_bdecode accepted this reproduces the raw span exactly. */
void btt_benc_node(struct btt_wbuf *w, const struct btt_bdoc *d, uint32_t i);

#endif
