/* Shared by the wire tests: feed a byte stream to a parser in a chosen
 * chunking and record every message with deep copies of its views, PIECE
 * fragments reassembled, so runs with different chunkings compare equal. */
#ifndef BTT_TEST_WIRE_UTIL_H
#define BTT_TEST_WIRE_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bt/wire.h"

struct rec {
	int type;
	uint8_t id, ext;
	uint16_t port;
	uint32_t len, index, begin, length, base, proof;
	uint64_t seq;
	bool has_root;
	uint8_t root[32];
	uint8_t *data;
	size_t data_len;
	unsigned fragments;
};

struct recs {
	struct rec r[512];
	size_t n;
};

/* Chunk sizes: 0 = all at once, 1 = one byte at a time, otherwise a
 * deterministic pseudo-random sequence of sizes 1..max seeded by `seed`. */
struct chunker {
	size_t max;
	uint64_t seed;
};

static inline size_t chunk_next(struct chunker *c, size_t left)
{
	size_t n;

	if (c->max == 0)
		return left;
	if (c->max == 1)
		return 1;
	c->seed ^= c->seed << 13;
	c->seed ^= c->seed >> 7;
	c->seed ^= c->seed << 17;
	n = 1 + (size_t)(c->seed % c->max);
	return n < left ? n : left;
}

static inline void recs_free(struct recs *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->r[i].data);
	rs->n = 0;
}

static inline void rec_add(struct recs *rs, const struct btt_wire_msg *m)
{
	struct rec *r;

	if (m->type == BTT_WIRE_PIECE && m->off > 0) {
		r = &rs->r[rs->n - 1];
		if (r->type != BTT_WIRE_PIECE || r->seq != m->seq ||
		    r->data_len != m->off)
			abort();
		r->data = realloc(r->data, r->data_len + m->data_len + 1);
		memcpy(r->data + r->data_len, m->data, m->data_len);
		r->data_len += m->data_len;
		r->fragments++;
		return;
	}
	if (rs->n == sizeof(rs->r) / sizeof(rs->r[0]))
		abort();
	r = &rs->r[rs->n++];
	memset(r, 0, sizeof(*r));
	r->type = m->type;
	r->id = m->id;
	r->ext = m->ext;
	r->port = m->port;
	r->len = m->len;
	r->index = m->index;
	r->begin = m->begin;
	r->length = m->length;
	r->base = m->base;
	r->proof = m->proof;
	r->seq = m->seq;
	r->fragments = 1;
	if (m->root) {
		r->has_root = true;
		memcpy(r->root, m->root, 32);
	}
	r->data = malloc(m->data_len + 1);
	if (m->data_len)
		memcpy(r->data, m->data, m->data_len);
	r->data_len = m->data_len;
}

/* Feeds in[0..len) and records messages. Returns 0 when everything was
 * consumed, or the parser's error. */
static inline int feed(struct btt_wire_parser *p, const uint8_t *in, size_t len,
		       struct chunker c, struct recs *rs)
{
	struct btt_wire_msg m;
	size_t used;
	int r;

	while (len) {
		size_t n = chunk_next(&c, len);
		const uint8_t *q = in;
		size_t left = n;

		while (left) {
			r = btt_wire_parse(p, q, left, &used, &m);
			if (r < 0)
				return r;
			q += used;
			left -= used;
			if (r == 0)
				break;
			rec_add(rs, &m);
		}
		in += n;
		len -= n;
	}
	return 0;
}

static inline bool rec_equal(const struct rec *a, const struct rec *b)
{
	return a->type == b->type && a->id == b->id && a->ext == b->ext &&
	       a->port == b->port && a->len == b->len && a->index == b->index &&
	       a->begin == b->begin && a->length == b->length &&
	       a->base == b->base && a->proof == b->proof && a->seq == b->seq &&
	       a->has_root == b->has_root && !memcmp(a->root, b->root, 32) &&
	       a->data_len == b->data_len &&
	       (a->data_len == 0 || !memcmp(a->data, b->data, a->data_len));
}

#endif
