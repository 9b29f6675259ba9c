/* BEP 6 allowed-fast set generation (see fast.h):
 *
 *	x = (ip & 0xFFFFFF00) || infohash
 *	while |a| < k: x = SHA1(x); each 4-byte word y of x: add y % sz
 *
 * Termination: k is capped at npieces, and SHA-1 output reaches every
 * residue, so the loop ends. */
#include <string.h>

#include "bt/fast.h"
#include "core/cur.h"
#include "core/limits.h"
#include "crypto/hash.h"

static int contains(const uint32_t *a, uint32_t n, uint32_t v)
{
	for (uint32_t i = 0; i < n; i++)
		if (a[i] == v)
			return 1;
	return 0;
}

uint32_t btt_fast_set(const uint8_t info_hash[20], uint32_t ipv4,
		      uint32_t npieces, uint32_t k, uint32_t *out)
{
	uint8_t x[24], h[BTT_SHA1_LEN];
	size_t xlen = sizeof(x);
	uint32_t n = 0, y = 0, masked = ipv4 & 0xffffff00u;
	struct btt_cur c;

	if (k > BTT_FAST_MAX_K)
		k = BTT_FAST_MAX_K;
	if (k > npieces)
		k = npieces;
	x[0] = (uint8_t)(masked >> 24);
	x[1] = (uint8_t)(masked >> 16);
	x[2] = (uint8_t)(masked >> 8);
	x[3] = 0;
	memcpy(x + 4, info_hash, 20);
	while (n < k) {
		btt_sha1(x, xlen, h);
		memcpy(x, h, sizeof(h));
		xlen = sizeof(h);
		btt_cur_init(&c, x, BTT_SHA1_LEN);
		while (n < k && btt_cur_get_u32be(&c, &y)) {
			if (!contains(out, n, y % npieces))
				out[n++] = y % npieces;
		}
	}
	return n;
}
