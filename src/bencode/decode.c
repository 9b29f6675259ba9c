/* bencode decoder: one pass over untrusted bytes into a flat node array.
 *
 * No recursion: open lists and dicts live on a fixed stack bounded by
 * BTT_BENCODE_MAX_DEPTH, and each open dict remembers its previous key so
 * key order is checked as keys arrive. Only canonical input is accepted,
 * which is what makes btt_benc_node() reproduce the input byte for byte.
 *
 * String payloads are never scanned: a 30 MiB `pieces` string costs one
 * length parse and one bounds check. Node storage doubles as values parse
 * (never from a length the input declares) and is capped by max_items
 * before each allocation. Every error frees the nodes and records the
 * error, the offset of the offending byte and a short message in the doc.
 *
 * This is the one reader that indexes untrusted bytes directly instead of
 * going through struct btt_cur: it must report a distinct reason and the
 * exact offset of every failure, and the scan is the hot loop of every
 * .torrent and extension message. Each index is compared to len first. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bencode/bencode_int.h"
#include "btt/err.h"
#include "core/limits.h"

const struct btt_bdec_limits btt_bdec_default_limits = {
	.max_depth = BTT_BENCODE_MAX_DEPTH,
	.max_items = BTT_BENCODE_MAX_ITEMS,
};

/* Largest input whose offsets and spans fit the 32-bit node fields. */
#define MAX_INPUT ((size_t)UINT32_MAX - 1)

struct open_value {
	uint32_t node;	   /* the list or dict */
	uint32_t last_key; /* previous key of a dict, or BTT_BNONE */
	bool dict;
	bool want_value; /* a dict holds a key that still needs its value */
};

struct dec {
	struct btt_bdoc *doc;
	const uint8_t *p;
	size_t len;
	size_t pos;
	unsigned max_depth;
	uint32_t max_items;
	unsigned depth;
	struct open_value stack[BTT_BENCODE_MAX_DEPTH];
};

static inline bool is_digit(uint8_t c)
{
	return (uint8_t)(c - '0') < 10;
}

static int fail(struct dec *d, int err, size_t off, const char *msg)
{
	struct btt_bdoc *doc = d->doc;

	free(doc->nodes);
	doc->nodes = NULL;
	doc->n = doc->cap = 0;
	doc->err = err;
	doc->err_off = off;
	snprintf(doc->msg, sizeof(doc->msg), "%s", msg);
	return err;
}

/* Makes room for one more node; the caller has checked max_items. */
static int grow(struct dec *d)
{
	struct btt_bdoc *doc = d->doc;
	uint32_t cap = doc->cap ? doc->cap * 2 : 64;
	struct btt_bnode *nb;

	if (cap > d->max_items)
		cap = d->max_items;
	nb = realloc(doc->nodes, (size_t)cap * sizeof(*nb));
	if (!nb)
		return fail(d, -ENOMEM, d->pos, "out of memory");
	doc->nodes = nb;
	doc->cap = cap;
	return 0;
}

/* `<len>:<bytes>` at d->pos, whose first byte is a digit. */
static int parse_str(struct dec *d, struct btt_bnode *n)
{
	const uint8_t *p = d->p;
	size_t start = d->pos, i = start;
	uint64_t v = 0;

	while (i < d->len && is_digit(p[i])) {
		if (i - start == BTT_BENCODE_MAX_LEN_DIGITS)
			return fail(d, BTT_ELIMIT, i,
				    "string length has too many digits");
		v = v * 10 + (uint64_t)(p[i] - '0');
		i++;
	}
	if (p[start] == '0' && i - start > 1)
		return fail(d, BTT_ENONCANONICAL, start,
			    "string length has a leading zero");
	if (i == d->len)
		return fail(d, BTT_ETRUNCATED, i,
			    "input ends in string length");
	if (p[i] != ':')
		return fail(d, BTT_EMALFORMED, i,
			    "expected ':' after string length");
	i++;
	if (v > d->len - i)
		return fail(d, BTT_ETRUNCATED, start,
			    "string runs past the end of input");
	n->type = BTT_BSTR;
	n->hdr = (uint8_t)(i - start);
	n->span = (uint32_t)(i - start + v);
	d->pos = i + (size_t)v;
	return 0;
}

/* `i<digits>e` at d->pos. */
static int parse_int(struct dec *d, struct btt_bnode *n)
{
	const uint8_t *p = d->p;
	size_t i = d->pos + 1, first;
	bool neg = false;
	uint64_t v = 0;

	if (i < d->len && p[i] == '-') {
		neg = true;
		i++;
	}
	first = i;
	while (i < d->len && is_digit(p[i])) {
		if (i - first == BTT_BENCODE_MAX_INT_DIGITS)
			return fail(d, BTT_ELIMIT, i,
				    "integer has too many digits");
		v = v * 10 + (uint64_t)(p[i] - '0');
		i++;
	}
	if (i == d->len)
		return fail(d, BTT_ETRUNCATED, i, "input ends in integer");
	if (i == first)
		return fail(d, BTT_EMALFORMED, i, "integer has no digits");
	if (p[first] == '0' && i - first > 1)
		return fail(d, BTT_ENONCANONICAL, first,
			    "integer has a leading zero");
	if (p[first] == '0' && neg)
		return fail(d, BTT_ENONCANONICAL, first - 1,
			    "integer is negative zero");
	if (p[i] != 'e')
		return fail(d, BTT_EMALFORMED, i,
			    "expected 'e' after integer digits");
	if (v > (uint64_t)INT64_MAX + neg)
		return fail(d, BTT_ELIMIT, first, "integer out of range");
	n->type = BTT_BINT;
	n->hdr = 0;
	n->span = (uint32_t)(i + 1 - d->pos);
	d->pos = i + 1;
	return 0;
}

static int open_container(struct dec *d, struct btt_bnode *n, uint32_t idx,
			  bool dict)
{
	struct open_value *o;

	if (d->depth == d->max_depth)
		return fail(d, BTT_EDEPTH, d->pos, "nesting too deep");
	o = &d->stack[d->depth++];
	o->node = idx;
	o->last_key = BTT_BNONE;
	o->dict = dict;
	o->want_value = false;
	n->type = dict ? BTT_BDICT : BTT_BLIST;
	n->hdr = 0;
	n->span = 1;
	d->pos++;
	return 0;
}

/* Decodes the value starting at d->pos into a new node. Lists and dicts
 * are only opened here; their children follow in the main loop. */
static int parse_value(struct dec *d)
{
	struct btt_bdoc *doc = d->doc;
	uint8_t c = d->p[d->pos];
	uint32_t idx = doc->n;
	struct btt_bnode *n;
	int rc;

	if (!is_digit(c) && c != 'i' && c != 'l' && c != 'd')
		return fail(d, BTT_EMALFORMED, d->pos,
			    c == 'e' ? "unexpected end marker"
				     : "unexpected byte where a value starts");
	if (idx == d->max_items)
		return fail(d, BTT_ELIMIT, d->pos, "too many values");
	if (idx == doc->cap && (rc = grow(d)) != 0)
		return rc;
	n = &doc->nodes[idx];
	n->off = (uint32_t)d->pos;
	n->next = idx + 1;
	n->pad = 0;
	doc->n = idx + 1;
	if (is_digit(c))
		return parse_str(d, n);
	if (c == 'i')
		return parse_int(d, n);
	return open_container(d, n, idx, c == 'd');
}

/* Keys strictly increase: memcmp over the common prefix, shorter first. */
static int check_key(struct dec *d, struct open_value *o, uint32_t key)
{
	const struct btt_bnode *nodes = d->doc->nodes;
	const struct btt_bnode *a, *b;
	size_t alen, blen;
	int c;

	if (o->last_key != BTT_BNONE) {
		a = &nodes[o->last_key];
		b = &nodes[key];
		alen = a->span - a->hdr;
		blen = b->span - b->hdr;
		c = memcmp(d->p + a->off + a->hdr, d->p + b->off + b->hdr,
			   alen < blen ? alen : blen);
		if (c == 0 && alen == blen)
			return fail(d, BTT_ENONCANONICAL, b->off,
				    "duplicate dict key");
		if (c > 0 || (c == 0 && alen > blen))
			return fail(d, BTT_ENONCANONICAL, b->off,
				    "dict keys out of order");
	}
	o->last_key = key;
	return 0;
}

/* The 'e' at d->pos closes the innermost open list or dict. */
static int close_container(struct dec *d)
{
	struct open_value *o = &d->stack[d->depth - 1];
	struct btt_bnode *n = &d->doc->nodes[o->node];

	if (o->want_value)
		return fail(d, BTT_EMALFORMED, d->pos,
			    "dict key without value");
	n->span = (uint32_t)(d->pos + 1 - n->off);
	n->next = d->doc->n;
	d->depth--;
	d->pos++;
	return 0;
}

/* Parses one complete value from d->pos. */
static int parse_document(struct dec *d)
{
	struct open_value *top = NULL;
	uint32_t idx;
	int rc;

	for (;;) {
		if (d->pos == d->len)
			return fail(d, BTT_ETRUNCATED, d->pos,
				    d->depth
					    ? "input ends inside a list or dict"
					    : "empty input");
		if (d->depth) {
			top = &d->stack[d->depth - 1];
			if (d->p[d->pos] == 'e') {
				if ((rc = close_container(d)) != 0)
					return rc;
				if (d->depth == 0)
					return 0;
				continue;
			}
			if (top->dict && !top->want_value &&
			    !is_digit(d->p[d->pos]))
				return fail(d, BTT_EMALFORMED, d->pos,
					    "dict key is not a string");
		}
		idx = d->doc->n;
		if ((rc = parse_value(d)) != 0)
			return rc;
		if (top && top->dict) {
			if (!top->want_value && (rc = check_key(d, top, idx)))
				return rc;
			top->want_value = !top->want_value;
		}
		if (d->depth == 0)
			return 0;
	}
}

static int decode(struct btt_bdoc *doc, const void *buf, size_t len,
		  const struct btt_bdec_limits *lim, bool prefix,
		  size_t *out_used)
{
	struct dec d;
	int rc;

	memset(doc, 0, sizeof(*doc));
	doc->buf = buf;
	doc->len = len;
	if (!lim)
		lim = &btt_bdec_default_limits;
	d.doc = doc;
	d.p = buf;
	d.len = len;
	d.pos = 0;
	d.depth = 0;
	d.max_depth = lim->max_depth < BTT_BENCODE_MAX_DEPTH
			      ? lim->max_depth
			      : BTT_BENCODE_MAX_DEPTH;
	d.max_items = lim->max_items < BTT_BENCODE_MAX_ITEMS
			      ? lim->max_items
			      : BTT_BENCODE_MAX_ITEMS;
	if (len > MAX_INPUT)
		return fail(&d, BTT_ELIMIT, 0, "input too large");
	if ((rc = parse_document(&d)) != 0)
		return rc;
	if (prefix)
		*out_used = d.pos;
	else if (d.pos != len)
		return fail(&d, BTT_ETRAILING, d.pos,
			    "trailing bytes after the value");
	return 0;
}

int btt_bdecode(struct btt_bdoc *doc, const void *buf, size_t len,
		const struct btt_bdec_limits *lim)
{
	return decode(doc, buf, len, lim, false, NULL);
}

int btt_bdecode_prefix(struct btt_bdoc *doc, const void *buf, size_t len,
		       const struct btt_bdec_limits *lim, size_t *out_used)
{
	return decode(doc, buf, len, lim, true, out_used);
}

void btt_bdoc_release(struct btt_bdoc *doc)
{
	free(doc->nodes);
	memset(doc, 0, sizeof(*doc));
}
