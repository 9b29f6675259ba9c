/* base58check on top of core's base58: a 4-byte double-SHA-256 checksum is
 * appended before encoding and verified after decoding. Nothing is written
 * to the caller's buffer unless the checksum matches. */
#include <string.h>

#include "btt/err.h"
#include "core/codec.h"
#include "core/limits.h"
#include "crypto/b58check.h"
#include "crypto/hash.h"

static void checksum(const uint8_t *p, size_t n, uint8_t sum[BTT_SHA256_LEN])
{
	btt_sha256(p, n, sum);
	btt_sha256(sum, BTT_SHA256_LEN, sum);
}

int btt_base58check_encode(const void *p, size_t n, char *out, size_t out_cap)
{
	uint8_t buf[BTT_BASE58_MAX_BYTES];
	uint8_t sum[BTT_SHA256_LEN];

	if (n > BTT_BASE58_MAX_BYTES - BTT_B58CHECK_SUM)
		return BTT_ELIMIT;
	if (n)
		memcpy(buf, p, n);
	checksum(buf, n, sum);
	memcpy(buf + n, sum, BTT_B58CHECK_SUM);
	return btt_base58_encode(buf, n + BTT_B58CHECK_SUM, out, out_cap);
}

int btt_base58check_decode(const char *s, size_t s_len, uint8_t *out,
			   size_t out_cap)
{
	uint8_t buf[BTT_BASE58_MAX_TEXT];
	uint8_t sum[BTT_SHA256_LEN];
	size_t n;
	int r;

	r = btt_base58_decode(s, s_len, buf, sizeof(buf));
	if (r < 0)
		return r;
	if (r < BTT_B58CHECK_SUM)
		return BTT_EMALFORMED;
	n = (size_t)r - BTT_B58CHECK_SUM;
	checksum(buf, n, sum);
	if (memcmp(sum, buf + n, BTT_B58CHECK_SUM) != 0)
		return BTT_ECHECKSUM;
	if (n > out_cap)
		return BTT_ENOSPACE;
	if (n)
		memcpy(out, buf, n);
	return (int)n;
}
