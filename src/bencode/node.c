/* Accessors over a decoded bencode document.
 *
 * They trust the node array: the decoder produced it from validated input,
 * so an integer's bytes are known to be canonical digits that fit int64
 * and every `next` points forward within the parent's subtree. Node
 * indices come from the caller and are asserted, never from the input. */
#include <assert.h>
#include <string.h>

#include "bencode/bencode_int.h"

static const struct btt_bnode *node_at(const struct btt_bdoc *d, uint32_t i)
{
	assert(i < d->n);
	return &d->nodes[i];
}

struct btt_cur btt_bnode_raw(const struct btt_bdoc *d, uint32_t i)
{
	const struct btt_bnode *n = node_at(d, i);
	struct btt_cur c;

	btt_cur_init(&c, d->buf + n->off, n->span);
	return c;
}

bool btt_bnode_str(const struct btt_bdoc *d, uint32_t i, struct btt_cur *out)
{
	const struct btt_bnode *n = node_at(d, i);

	if (n->type != BTT_BSTR)
		return false;
	btt_cur_init(out, d->buf + n->off + n->hdr, n->span - n->hdr);
	return true;
}

bool btt_bnode_int(const struct btt_bdoc *d, uint32_t i, int64_t *out)
{
	const struct btt_bnode *n = node_at(d, i);
	const uint8_t *p = d->buf + n->off + 1;
	const uint8_t *end = d->buf + n->off + n->span - 1;
	bool neg = false;
	uint64_t v = 0;

	if (n->type != BTT_BINT)
		return false;
	if (*p == '-') {
		neg = true;
		p++;
	}
	while (p < end)
		v = v * 10 + (uint64_t)(*p++ - '0');
	if (!neg)
		*out = (int64_t)v;
	else if (v == (uint64_t)INT64_MAX + 1)
		*out = INT64_MIN;
	else
		*out = -(int64_t)v;
	return true;
}

uint32_t btt_bnode_first(const struct btt_bdoc *d, uint32_t i)
{
	const struct btt_bnode *n = node_at(d, i);

	if (n->type != BTT_BLIST && n->type != BTT_BDICT)
		return BTT_BNONE;
	return n->next > i + 1 ? i + 1 : BTT_BNONE;
}

uint32_t btt_bnode_next(const struct btt_bdoc *d, uint32_t parent,
			uint32_t child)
{
	uint32_t s = node_at(d, child)->next;

	return s < node_at(d, parent)->next ? s : BTT_BNONE;
}

uint32_t btt_bnode_count(const struct btt_bdoc *d, uint32_t i)
{
	const struct btt_bnode *n = node_at(d, i);
	uint32_t count = 0;

	if (n->type != BTT_BLIST && n->type != BTT_BDICT)
		return 0;
	for (uint32_t c = i + 1; c < n->next; c = d->nodes[c].next)
		count++;
	return n->type == BTT_BDICT ? count / 2 : count;
}

uint32_t btt_bnode_get_n(const struct btt_bdoc *d, uint32_t i, const void *key,
			 size_t key_len)
{
	const struct btt_bnode *n = node_at(d, i);
	uint32_t k;

	if (n->type != BTT_BDICT)
		return BTT_BNONE;
	/* Keys are strings, so a key's value is the node right after it. */
	for (k = i + 1; k < n->next; k = d->nodes[k + 1].next) {
		const struct btt_bnode *kn = &d->nodes[k];
		size_t klen = kn->span - kn->hdr;
		size_t m = klen < key_len ? klen : key_len;
		int c = m ? memcmp(d->buf + kn->off + kn->hdr, key, m) : 0;

		if (c == 0 && klen == key_len)
			return k + 1;
		if (c > 0 || (c == 0 && klen > key_len))
			break;
	}
	return BTT_BNONE;
}

uint32_t btt_bnode_get(const struct btt_bdoc *d, uint32_t i, const char *key)
{
	return btt_bnode_get_n(d, i, key, strlen(key));
}

bool btt_bnode_get_str(const struct btt_bdoc *d, uint32_t dict, const char *key,
		       struct btt_cur *out)
{
	uint32_t v = btt_bnode_get(d, dict, key);

	return v != BTT_BNONE && btt_bnode_str(d, v, out);
}

bool btt_bnode_get_int(const struct btt_bdoc *d, uint32_t dict, const char *key,
		       int64_t *out)
{
	uint32_t v = btt_bnode_get(d, dict, key);

	return v != BTT_BNONE && btt_bnode_int(d, v, out);
}
