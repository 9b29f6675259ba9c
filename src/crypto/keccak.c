/* keccak-256: Keccak[c=512] with the original Keccak padding (0x01 ... 0x80),
 * as used by Ethereum and TRON. FIPS 202 SHA3-256 differs only in the
 * domain byte (0x06) and is not what those chains use.
 *
 * The state is 25 little-endian 64-bit lanes, lane (x, y) at st[x + 5y].
 * Input is absorbed into the first 136 bytes (the rate, 17 lanes); `pos`
 * counts bytes absorbed into the current block and is always < 136
 * between calls. */
#include <string.h>

#include "crypto/hash.h"

#define RATE 136
#define RATE_LANES (RATE / 8)

static const uint64_t round_consts[24] = {
	0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull,
	0x8000000080008000ull, 0x000000000000808bull, 0x0000000080000001ull,
	0x8000000080008081ull, 0x8000000000008009ull, 0x000000000000008aull,
	0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
	0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull,
	0x8000000000008003ull, 0x8000000000008002ull, 0x8000000000000080ull,
	0x000000000000800aull, 0x800000008000000aull, 0x8000000080008081ull,
	0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull,
};

static inline uint64_t rotl(uint64_t v, unsigned n)
{
	return (v << n) | (v >> ((64 - n) & 63));
}

static inline uint64_t load_le64(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	       (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 |
	       (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	       (uint64_t)p[7] << 56;
}

/* Applies X to every lane index, to move the state between the array and
 * 25 locals without 25 lines each way. */
/* clang-format off */
#define LANES(X)                                                              \
	X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12)   \
	X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23)     \
	X(24)
/* clang-format on */

/* chi on one row of five lanes: the only non-linear step. */
#define CHI_ROW(i0, i1, i2, i3, i4)               \
	do {                                      \
		a##i0 = b##i0 ^ (~b##i1 & b##i2); \
		a##i1 = b##i1 ^ (~b##i2 & b##i3); \
		a##i2 = b##i2 ^ (~b##i3 & b##i4); \
		a##i3 = b##i3 ^ (~b##i4 & b##i0); \
		a##i4 = b##i4 ^ (~b##i0 & b##i1); \
	} while (0)

/* One Keccak-f[1600] permutation. The state lives in 25 locals for the
 * whole call so the compiler can keep most of it in registers; each round
 * is the spec's theta, rho, pi, chi and iota steps written out lane by
 * lane (lane (x, y) is a[x + 5y]). */
static void keccak_f1600(uint64_t st[25])
{
#define LOAD_LANE(i) uint64_t a##i = st[i];
	LANES(LOAD_LANE)
#undef LOAD_LANE

	for (int r = 0; r < 24; r++) {
		/* theta */
		uint64_t c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;
		uint64_t c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;
		uint64_t c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
		uint64_t c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;
		uint64_t c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
		uint64_t d0 = c4 ^ rotl(c1, 1);
		uint64_t d1 = c0 ^ rotl(c2, 1);
		uint64_t d2 = c1 ^ rotl(c3, 1);
		uint64_t d3 = c2 ^ rotl(c4, 1);
		uint64_t d4 = c3 ^ rotl(c0, 1);
		/* rho and pi: B[y, 2x + 3y] = rot(A[x, y] ^ D[x], r[x, y]) */
		uint64_t b0 = a0 ^ d0;
		uint64_t b1 = rotl(a6 ^ d1, 44);
		uint64_t b2 = rotl(a12 ^ d2, 43);
		uint64_t b3 = rotl(a18 ^ d3, 21);
		uint64_t b4 = rotl(a24 ^ d4, 14);
		uint64_t b5 = rotl(a3 ^ d3, 28);
		uint64_t b6 = rotl(a9 ^ d4, 20);
		uint64_t b7 = rotl(a10 ^ d0, 3);
		uint64_t b8 = rotl(a16 ^ d1, 45);
		uint64_t b9 = rotl(a22 ^ d2, 61);
		uint64_t b10 = rotl(a1 ^ d1, 1);
		uint64_t b11 = rotl(a7 ^ d2, 6);
		uint64_t b12 = rotl(a13 ^ d3, 25);
		uint64_t b13 = rotl(a19 ^ d4, 8);
		uint64_t b14 = rotl(a20 ^ d0, 18);
		uint64_t b15 = rotl(a4 ^ d4, 27);
		uint64_t b16 = rotl(a5 ^ d0, 36);
		uint64_t b17 = rotl(a11 ^ d1, 10);
		uint64_t b18 = rotl(a17 ^ d2, 15);
		uint64_t b19 = rotl(a23 ^ d3, 56);
		uint64_t b20 = rotl(a2 ^ d2, 62);
		uint64_t b21 = rotl(a8 ^ d3, 55);
		uint64_t b22 = rotl(a14 ^ d4, 39);
		uint64_t b23 = rotl(a15 ^ d0, 41);
		uint64_t b24 = rotl(a21 ^ d1, 2);
		/* chi row by row, then iota on lane 0 */
		CHI_ROW(0, 1, 2, 3, 4);
		CHI_ROW(5, 6, 7, 8, 9);
		CHI_ROW(10, 11, 12, 13, 14);
		CHI_ROW(15, 16, 17, 18, 19);
		CHI_ROW(20, 21, 22, 23, 24);
		a0 ^= round_consts[r];
	}
#define STORE_LANE(i) st[i] = a##i;
	LANES(STORE_LANE)
#undef STORE_LANE
}

void btt_keccak256_init(struct btt_keccak256 *h)
{
	memset(h, 0, sizeof(*h));
}

static void absorb_bytes(struct btt_keccak256 *h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++, h->pos++)
		h->st[h->pos >> 3] ^= (uint64_t)p[i] << (8 * (h->pos & 7));
}

void btt_keccak256_update(struct btt_keccak256 *h, const void *data, size_t n)
{
	const uint8_t *p = data;

	while (n > 0) {
		if (h->pos == 0 && n >= RATE) {
			/* Whole blocks go in lane by lane. */
			for (int i = 0; i < RATE_LANES; i++)
				h->st[i] ^= load_le64(p + 8 * i);
			keccak_f1600(h->st);
			p += RATE;
			n -= RATE;
			continue;
		}
		size_t take = RATE - h->pos < n ? RATE - h->pos : n;
		absorb_bytes(h, p, take);
		p += take;
		n -= take;
		if (h->pos == RATE) {
			keccak_f1600(h->st);
			h->pos = 0;
		}
	}
}

void btt_keccak256_final(struct btt_keccak256 *h,
			 uint8_t out[BTT_KECCAK256_LEN])
{
	/* pad10*1 with the Keccak domain bit: 0x01 after the message, 0x80 in
	 * the last rate byte (both in one byte when pos == RATE - 1). */
	h->st[h->pos >> 3] ^= (uint64_t)0x01 << (8 * (h->pos & 7));
	h->st[(RATE - 1) >> 3] ^= (uint64_t)0x80 << (8 * ((RATE - 1) & 7));
	keccak_f1600(h->st);
	for (int i = 0; i < BTT_KECCAK256_LEN; i++)
		out[i] = (uint8_t)(h->st[i >> 3] >> (8 * (i & 7)));
	memset(h, 0, sizeof(*h));
}

void btt_keccak256(const void *p, size_t n, uint8_t out[BTT_KECCAK256_LEN])
{
	struct btt_keccak256 h;

	btt_keccak256_init(&h);
	btt_keccak256_update(&h, p, n);
	btt_keccak256_final(&h, out);
}
