/* A fixed-size set of bits, one per piece, in 64-bit words.
 *
 * The number of set bits is kept up to date by every change, so count(),
 * all() and none() are O(1). Bits beyond nbits in the last word are always
 * zero. On the wire (BEP 3) bit 0 is the high bit of byte 0 and the spare
 * bits of the last byte must be zero; import/export convert. A zeroed
 * struct is an empty bitfield of 0 bits. */
#ifndef BTT_CORE_BITFIELD_H
#define BTT_CORE_BITFIELD_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct btt_bitfield {
	uint64_t *words; /* bit i is bit (i % 64) of words[i / 64] */
	size_t nbits;
	size_t count; /* set bits */
};

/* nbits clear bits. Returns 0 or -ENOMEM (nbits may come from a torrent:
 * the caller has checked it against a limit). */
int btt_bitfield_init(struct btt_bitfield *b, size_t nbits);
void btt_bitfield_release(struct btt_bitfield *b);

static inline size_t btt_bitfield_size(const struct btt_bitfield *b)
{
	return b->nbits;
}

static inline size_t btt_bitfield_count(const struct btt_bitfield *b)
{
	return b->count;
}

static inline bool btt_bitfield_all(const struct btt_bitfield *b)
{
	return b->count == b->nbits;
}

static inline bool btt_bitfield_none(const struct btt_bitfield *b)
{
	return b->count == 0;
}

/* i < nbits is the caller's invariant (assert): indexes from the wire are
 * range-checked where they are parsed. */
static inline bool btt_bitfield_get(const struct btt_bitfield *b, size_t i)
{
	assert(i < b->nbits);
	return (b->words[i >> 6] >> (i & 63)) & 1;
}

/* Set or clear one bit; return whether it changed. */
bool btt_bitfield_set(struct btt_bitfield *b, size_t i);
bool btt_bitfield_clear(struct btt_bitfield *b, size_t i);

void btt_bitfield_set_all(struct btt_bitfield *b);
void btt_bitfield_clear_all(struct btt_bitfield *b);

/* The first set (clear) bit at index >= from, or nbits when there is none
 * (also when from >= nbits). */
size_t btt_bitfield_find_next_set(const struct btt_bitfield *b, size_t from);
size_t btt_bitfield_find_next_clear(const struct btt_bitfield *b, size_t from);

/* Wire size: ceil(nbits / 8) bytes. */
static inline size_t btt_bitfield_bytes(const struct btt_bitfield *b)
{
	return (b->nbits + 7) / 8;
}

/* Replaces the contents with a BEP 3 bitfield of exactly
 * btt_bitfield_bytes() bytes. Returns 0, or BTT_EMALFORMED (wrong length,
 * or a spare bit set) leaving the bitfield unchanged. */
int btt_bitfield_import(struct btt_bitfield *b, const uint8_t *p, size_t len);

/* Writes btt_bitfield_bytes() bytes in BEP 3 order. */
void btt_bitfield_export(const struct btt_bitfield *b, uint8_t *out);

#endif
