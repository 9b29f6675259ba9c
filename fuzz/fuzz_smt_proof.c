// modules: ledger crypto core
/* State proof verifier (what a light client runs on bytes from an RPC
 * peer). Input: root[32] || key[32] || n (u8) || value[n] || proof, where
 * n = 255 means "claim the key is absent" (no value bytes). Any input
 * must be handled without a crash; a proof the verifier accepts must not
 * also be accepted for the opposite claim, and the account decoder must
 * accept only 28-byte non-zero encodings. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "core/cur.h"
#include "ledger/smt.h"
#include "ledger/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_account(const uint8_t *p, size_t n)
{
	struct btt_ledger_account a;
	uint8_t enc[BTT_ACCT_ENC_LEN];

	if (btt_ledger_account_decode(p, n, &a) != 0)
		return;
	if (n != BTT_ACCT_ENC_LEN)
		abort();
	btt_ledger_account_encode(&a, enc);
	if (memcmp(enc, p, n) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct btt_cur c;
	uint8_t root[32], key[32], n;
	const uint8_t *value = NULL;
	size_t vlen = 0;
	int rc;

	btt_cur_init(&c, data, size);
	if (!btt_cur_copy(&c, root, 32) || !btt_cur_copy(&c, key, 32) ||
	    !btt_cur_get_u8(&c, &n))
		return 0;
	if (n != 255) {
		value = btt_cur_data(&c);
		vlen = n;
		if (!btt_cur_skip(&c, vlen))
			return 0;
		check_account(value, vlen);
	}
	rc = btt_ledger_smt_verify(root, key, value, vlen, btt_cur_data(&c),
				   btt_cur_len(&c));
	if (rc > 0)
		abort(); /* errors are negative */
	if (rc == 0) {
		static const uint8_t other = 0;
		int opp = btt_ledger_smt_verify(
			root, key, value ? NULL : &other, value ? 0 : 1,
			btt_cur_data(&c), btt_cur_len(&c));
		if (opp == 0)
			abort(); /* presence and absence both proven */
	}
	return 0;
}
