// modules: ledger crypto core
/* Genesis file parser (jansson underneath): whatever parses must pass the
 * rule check, hash, and survive a round trip through the writer with the
 * same hash and the same text; whatever is refused must say why. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/genesis.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct btt_genesis *g1, *g2;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t h1[BTT_GENESIS_HASH_LEN], h2[BTT_GENESIS_HASH_LEN];
	char why[256], *t1, *t2;
	size_t n1, n2;

	if (!g1) {
		g1 = btt_ledger_genesis_new();
		g2 = btt_ledger_genesis_new();
	}
	if (btt_ledger_genesis_parse(data, size, g1, why, sizeof(why)) != 0) {
		if (!why[0] || !memchr(why, 0, sizeof(why)))
			abort();
		return 0;
	}
	if (btt_ledger_genesis_check(g1, NULL, 0) != 0 ||
	    btt_ledger_genesis_hash(g1, h1) != 0 ||
	    btt_ledger_genesis_to_json(g1, &t1, &n1) != 0)
		abort();
	if (btt_ledger_genesis_parse((const uint8_t *)t1, n1, g2, why,
				     sizeof(why)) != 0 ||
	    btt_ledger_genesis_hash(g2, h2) != 0 ||
	    memcmp(h1, h2, sizeof(h1)) != 0 ||
	    btt_ledger_genesis_to_json(g2, &t2, &n2) != 0 || n1 != n2 ||
	    memcmp(t1, t2, n1) != 0)
		abort();
	free(t1);
	free(t2);
	return 0;
}
