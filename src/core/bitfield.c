/* Bitfield (see bitfield.h). Words hold bits LSB-first so that ctz finds
 * the lowest index; the wire is MSB-first per byte, so import and export
 * reverse the bits of each byte. Spare bits of the last word stay zero,
 * which keeps popcounts and searches free of masking. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "core/bitfield.h"

static size_t word_count(size_t nbits)
{
	return nbits / 64 + (nbits % 64 != 0);
}

/* Mask of the valid bits in the last word (all ones when it is full). */
static uint64_t last_mask(size_t nbits)
{
	return nbits % 64 ? (1ull << (nbits % 64)) - 1 : ~0ull;
}

int btt_bitfield_init(struct btt_bitfield *b, size_t nbits)
{
	memset(b, 0, sizeof(*b));
	if (nbits == 0)
		return 0;
	b->words = calloc(word_count(nbits), sizeof(uint64_t));
	if (!b->words)
		return -ENOMEM;
	b->nbits = nbits;
	return 0;
}

void btt_bitfield_release(struct btt_bitfield *b)
{
	free(b->words);
	memset(b, 0, sizeof(*b));
}

bool btt_bitfield_set(struct btt_bitfield *b, size_t i)
{
	uint64_t bit = 1ull << (i & 63);

	assert(i < b->nbits);
	if (b->words[i >> 6] & bit)
		return false;
	b->words[i >> 6] |= bit;
	b->count++;
	return true;
}

bool btt_bitfield_clear(struct btt_bitfield *b, size_t i)
{
	uint64_t bit = 1ull << (i & 63);

	assert(i < b->nbits);
	if (!(b->words[i >> 6] & bit))
		return false;
	b->words[i >> 6] &= ~bit;
	b->count--;
	return true;
}

void btt_bitfield_set_all(struct btt_bitfield *b)
{
	size_t nw = word_count(b->nbits);

	if (nw == 0)
		return;
	memset(b->words, 0xff, nw * sizeof(uint64_t));
	b->words[nw - 1] = last_mask(b->nbits);
	b->count = b->nbits;
}

void btt_bitfield_clear_all(struct btt_bitfield *b)
{
	if (b->nbits)
		memset(b->words, 0, word_count(b->nbits) * sizeof(uint64_t));
	b->count = 0;
}

/* Shared search: `flip` is 0 to find set bits, ~0 to find clear ones. The
 * spare bits of the last word read as set when flipped, so the result is
 * clamped to nbits. */
static size_t find_next(const struct btt_bitfield *b, size_t from,
			uint64_t flip)
{
	size_t nw = word_count(b->nbits), w;
	uint64_t cur;

	if (from >= b->nbits)
		return b->nbits;
	w = from >> 6;
	cur = (b->words[w] ^ flip) & (~0ull << (from & 63));
	for (;;) {
		if (cur) {
			size_t i = w * 64 + (size_t)__builtin_ctzll(cur);
			return i < b->nbits ? i : b->nbits;
		}
		if (++w == nw)
			return b->nbits;
		cur = b->words[w] ^ flip;
	}
}

size_t btt_bitfield_find_next_set(const struct btt_bitfield *b, size_t from)
{
	return find_next(b, from, 0);
}

size_t btt_bitfield_find_next_clear(const struct btt_bitfield *b, size_t from)
{
	return find_next(b, from, ~0ull);
}

static uint8_t reverse8(uint8_t v)
{
	v = (uint8_t)((v & 0xf0) >> 4 | (v & 0x0f) << 4);
	v = (uint8_t)((v & 0xcc) >> 2 | (v & 0x33) << 2);
	v = (uint8_t)((v & 0xaa) >> 1 | (v & 0x55) << 1);
	return v;
}

int btt_bitfield_import(struct btt_bitfield *b, const uint8_t *p, size_t len)
{
	size_t nbytes = btt_bitfield_bytes(b), count = 0;
	size_t nw = word_count(b->nbits);

	if (len != nbytes)
		return BTT_EMALFORMED;
	/* BEP 3: the spare low bits of the last byte must be clear. */
	if (b->nbits % 8 && (p[nbytes - 1] & (0xffu >> (b->nbits % 8))))
		return BTT_EMALFORMED;
	for (size_t w = 0; w < nw; w++) {
		uint64_t v = 0;
		for (size_t k = 0; k < 8 && w * 8 + k < nbytes; k++)
			v |= (uint64_t)reverse8(p[w * 8 + k]) << (8 * k);
		b->words[w] = v;
		count += (size_t)__builtin_popcountll(v);
	}
	b->count = count;
	return 0;
}

void btt_bitfield_export(const struct btt_bitfield *b, uint8_t *out)
{
	size_t nbytes = btt_bitfield_bytes(b);

	for (size_t i = 0; i < nbytes; i++)
		out[i] = reverse8((uint8_t)(b->words[i / 8] >> (8 * (i % 8))));
}
