/* bencode encoder: canonical values appended to a bounded write buffer.
 *
 * The caller is responsible for writing dict keys in sorted order; the
 * decoder rejects anything else, which is how tests check an encoder's
 * output. btt_benc_node() rebuilds a subtree from the decoded values (not
 * by copying its raw span), without recursion: the tree's depth is bounded
 * by the decoder, so a fixed stack of pending 'e' markers suffices. */
#include <assert.h>
#include <string.h>

#include "bencode/bencode_int.h"
#include "core/limits.h"

/* Writes the decimal digits of v ending just before `end`; returns the
 * first digit. */
static uint8_t *put_dec(uint8_t *end, uint64_t v)
{
	do {
		*--end = (uint8_t)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

void btt_benc_int(struct btt_wbuf *w, int64_t v)
{
	uint8_t tmp[24];
	uint8_t *end = tmp + sizeof(tmp), *p;
	uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	*--end = 'e';
	p = put_dec(end, mag);
	if (v < 0)
		*--p = '-';
	*--p = 'i';
	btt_wbuf_put(w, p, (size_t)(tmp + sizeof(tmp) - p));
}

void btt_benc_str(struct btt_wbuf *w, const void *p, size_t n)
{
	uint8_t tmp[24];
	uint8_t *end = tmp + sizeof(tmp), *h;

	*--end = ':';
	h = put_dec(end, n);
	btt_wbuf_put(w, h, (size_t)(tmp + sizeof(tmp) - h));
	btt_wbuf_put(w, p, n);
}

void btt_benc_cstr(struct btt_wbuf *w, const char *s)
{
	btt_benc_str(w, s, strlen(s));
}

void btt_benc_list(struct btt_wbuf *w)
{
	btt_wbuf_put_u8(w, 'l');
}

void btt_benc_dict(struct btt_wbuf *w)
{
	btt_wbuf_put_u8(w, 'd');
}

void btt_benc_end(struct btt_wbuf *w)
{
	btt_wbuf_put_u8(w, 'e');
}

static void put_scalar(struct btt_wbuf *w, const struct btt_bdoc *d, uint32_t j)
{
	struct btt_cur s;
	int64_t v;

	if (btt_bnode_str(d, j, &s))
		btt_benc_str(w, btt_cur_data(&s), btt_cur_len(&s));
	else if (btt_bnode_int(d, j, &v))
		btt_benc_int(w, v);
}

void btt_benc_node(struct btt_wbuf *w, const struct btt_bdoc *d, uint32_t i)
{
	uint32_t ends[BTT_BENCODE_MAX_DEPTH];
	unsigned depth = 0;
	uint32_t end;

	assert(i < d->n);
	end = d->nodes[i].next;
	for (uint32_t j = i; j < end && !btt_wbuf_err(w); j++) {
		const struct btt_bnode *n = &d->nodes[j];

		while (depth && ends[depth - 1] == j) {
			btt_benc_end(w);
			depth--;
		}
		if (n->type == BTT_BLIST || n->type == BTT_BDICT) {
			assert(depth < BTT_BENCODE_MAX_DEPTH);
			btt_wbuf_put_u8(w, n->type == BTT_BLIST ? 'l' : 'd');
			ends[depth++] = n->next;
		} else {
			put_scalar(w, d, j);
		}
	}
	while (depth--)
		btt_benc_end(w);
}
