/* btt's peer id (see peer_id.h). The version characters come from the
 * BTT_VERSION string, read with the cursor like any other text. */
#include <string.h>

#include "bt/peer_id.h"
#include "btt/version.h"
#include "core/cur.h"
#include "core/rand.h"

/* 64 RFC 3986 unreserved characters: a random byte's low 6 bits pick one
 * without bias. */
static const char alphabet[65] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static uint8_t version_char(uint64_t v)
{
	if (v < 10)
		return (uint8_t)('0' + v);
	if (v < 36)
		return (uint8_t)('A' + (v - 10));
	return 'Z';
}

void btt_peer_id_prefix(uint8_t out[BTT_PEER_ID_PREFIX_LEN])
{
	struct btt_cur c;
	uint64_t part = 0;
	int i;

	btt_cur_init(&c, BTT_VERSION, strlen(BTT_VERSION));
	out[0] = '-';
	out[1] = BTT_PEER_ID_CLIENT[0];
	out[2] = BTT_PEER_ID_CLIENT[1];
	/* major, minor, patch; a missing or odd part reads as 0 */
	for (i = 0; i < 3; i++) {
		if (!btt_cur_get_dec(&c, 9, 999999999, true, &part))
			part = 0;
		out[3 + i] = version_char(part);
		btt_cur_get_prefix(&c, ".");
	}
	out[6] = '0';
	out[7] = '-';
}

void btt_peer_id_new(uint8_t out[BTT_PEER_ID_LEN])
{
	uint8_t rnd[BTT_PEER_ID_LEN - BTT_PEER_ID_PREFIX_LEN];
	size_t i;

	btt_peer_id_prefix(out);
	btt_rand_bytes(rnd, sizeof(rnd));
	for (i = 0; i < sizeof(rnd); i++)
		out[BTT_PEER_ID_PREFIX_LEN + i] =
			(uint8_t)alphabet[rnd[i] & 63];
}

bool btt_peer_id_is_btt(const uint8_t id[BTT_PEER_ID_LEN])
{
	return id[0] == '-' && id[1] == BTT_PEER_ID_CLIENT[0] &&
	       id[2] == BTT_PEER_ID_CLIENT[1] && id[7] == '-';
}
