// modules: ledger crypto core
/* Transaction decoder: whatever decodes must re-encode to the same bytes,
 * hash, and survive signature recovery (which must reject every
 * non-canonical signature); its payload is checked by type and, when it
 * decodes, re-encoded byte for byte too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "ledger/tx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_payload(const struct btt_tx *tx)
{
	struct btt_tx_transfer t, items[BTT_TX_MAX_TRANSFERS];
	struct btt_tx_multi m;
	uint8_t buf[BTT_TX_MAX_PAYLOAD];
	struct btt_wbuf w;

	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	if (tx->type == BTT_TX_TRANSFER &&
	    btt_ledger_transfer_decode(tx->payload, tx->payload_len, &t) == 0) {
		btt_ledger_transfer_encode(&t, &w);
	} else if (tx->type == BTT_TX_MULTI_TRANSFER &&
		   btt_ledger_multi_decode(tx->payload, tx->payload_len, &m) ==
			   0) {
		if (m.count == 0 || m.count > BTT_TX_MAX_TRANSFERS)
			abort();
		for (size_t i = 0; i < m.count; i++)
			btt_ledger_multi_entry(&m, i, &items[i]);
		if (btt_ledger_multi_encode(items, m.count, &w) != 0)
			abort();
	} else {
		return;
	}
	if (btt_wbuf_err(&w) || w.len != tx->payload_len ||
	    memcmp(buf, tx->payload, w.len) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct btt_tx tx;
	struct btt_wbuf w;
	uint8_t hash[BTT_TX_HASH_LEN];
	int err;

	if (btt_ledger_tx_decode(data, size, &tx) != 0)
		return 0;
	btt_wbuf_init(&w, BTT_TX_MAX_LEN);
	if (btt_ledger_tx_encode(&tx, &w) != 0 || w.len != size ||
	    btt_ledger_tx_len(&tx) != size || memcmp(w.buf, data, size) != 0)
		abort();
	btt_wbuf_release(&w);
	if (btt_ledger_tx_sighash(&tx, hash) != 0 ||
	    btt_ledger_tx_id(&tx, hash) != 0)
		abort();
	err = btt_ledger_tx_verify(&tx);
	if (err != 0 && err != BTT_ESIGNATURE)
		abort();
	if (err == 0 && btt_secp_sig_check(tx.sig) != 0)
		abort();
	check_payload(&tx);
	btt_ledger_tx_payload_check(&tx);
	return 0;
}
