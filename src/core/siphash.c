/* SipHash-c-d written from the paper: four 64-bit words of state, c rounds
 * per 8-byte little-endian message word, the length in the top byte of the
 * final word, d rounds of finalisation. */
#include "core/siphash.h"

struct sip {
	uint64_t v0, v1, v2, v3;
};

static inline uint64_t rotl64(uint64_t x, unsigned n)
{
	return (x << n) | (x >> (64 - n));
}

static inline uint64_t load_le64(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	       (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 |
	       (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	       (uint64_t)p[7] << 56;
}

static inline void sip_round(struct sip *s)
{
	s->v0 += s->v1;
	s->v1 = rotl64(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotl64(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl64(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rotl64(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rotl64(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotl64(s->v2, 32);
}

static inline void sip_absorb(struct sip *s, uint64_t m, int c)
{
	s->v3 ^= m;
	for (int i = 0; i < c; i++)
		sip_round(s);
	s->v0 ^= m;
}

static inline uint64_t siphash(const uint8_t key[BTT_SIPHASH_KEY],
			       const void *data, size_t n, int c, int d)
{
	const uint8_t *p = data;
	uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
	struct sip s = {k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull,
			k0 ^ 0x6c7967656e657261ull, k1 ^ 0x7465646279746573ull};
	uint64_t last = (uint64_t)(n & 0xff) << 56;
	size_t full = n & ~(size_t)7;

	for (size_t i = 0; i < full; i += 8)
		sip_absorb(&s, load_le64(p + i), c);
	for (size_t i = 0; i < (n & 7); i++)
		last |= (uint64_t)p[full + i] << (8 * i);
	sip_absorb(&s, last, c);
	s.v2 ^= 0xff;
	for (int i = 0; i < d; i++)
		sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint64_t btt_siphash24(const uint8_t key[BTT_SIPHASH_KEY], const void *p,
		       size_t n)
{
	return siphash(key, p, n, 2, 4);
}

uint64_t btt_siphash13(const uint8_t key[BTT_SIPHASH_KEY], const void *p,
		       size_t n)
{
	return siphash(key, p, n, 1, 3);
}
