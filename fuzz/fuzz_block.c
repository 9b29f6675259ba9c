// modules: ledger crypto core
/* Block, header and receipt decoders, and the payload decoders of the
 * module transactions a block carries: whatever decodes must re-encode to
 * the same bytes; a decoded block must hash, compute its tx root and
 * survive signature recovery. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "ledger/block.h"
#include "ledger/tx.h"
#include "ledger/tx_types.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_block(const uint8_t *data, size_t size)
{
	struct btt_ledger_block b;
	uint8_t root[32], hash[32];
	struct btt_wbuf w;

	if (btt_ledger_block_decode(data, size, &b) != 0) {
		if (b.txs || b.n_txs)
			abort(); /* a failed decode leaves nothing behind */
		return;
	}
	if (btt_ledger_block_len(&b) != size)
		abort();
	btt_wbuf_init(&w, BTT_BLOCK_MAX_LEN);
	if (btt_ledger_block_encode(&b, &w) != 0 || w.len != size ||
	    memcmp(w.buf, data, size) != 0)
		abort();
	btt_wbuf_release(&w);
	btt_ledger_block_hash(&b, hash);
	if (btt_ledger_block_tx_root(&b, root) != 0)
		abort();
	(void)btt_ledger_block_verify(&b);
	for (size_t i = 0; i < b.n_txs; i++) {
		struct btt_tx tx;

		if (btt_ledger_tx_decode(b.txs[i].p, b.txs[i].len, &tx) != 0)
			abort(); /* the block decoder checked every tx */
		(void)btt_ledger_tx_payload_check(&tx);
	}
	btt_ledger_block_release(&b);
}

static void check_header(const uint8_t *data, size_t size)
{
	uint8_t enc[BTT_BLOCK_HEADER_LEN];
	struct btt_ledger_header h;

	if (btt_ledger_header_decode(data, size, &h) != 0)
		return;
	btt_ledger_header_encode(&h, enc);
	if (size != sizeof(enc) || memcmp(enc, data, size) != 0)
		abort();
}

static void check_receipt(const uint8_t *data, size_t size)
{
	uint8_t buf[BTT_RECEIPT_MAX_LEN];
	struct btt_ledger_receipt r;
	struct btt_wbuf w;

	if (btt_ledger_receipt_decode(data, size, &r) != 0)
		return;
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	if (btt_ledger_receipt_encode(&r, &w) != 0 || w.len != size ||
	    memcmp(buf, data, size) != 0)
		abort();
}

/* Re-encodes a module payload that decoded; it must give the input. */
static int reencode(uint16_t type, const uint8_t *p, size_t n,
		    struct btt_wbuf *w)
{
	union {
		struct btt_tx_vesting_create vc;
		struct btt_tx_msig_propose mp;
		struct btt_tx_stake_create sc;
		struct btt_tx_stake st;
		struct btt_multisig m;
		uint8_t id[BTT_MULTISIG_ID_LEN];
	} u;

	switch (type) {
	case BTT_TX_VESTING_CREATE:
		return btt_ledger_vesting_create_decode(p, n, &u.vc) ||
		       btt_ledger_vesting_create_encode(&u.vc, w);
	case BTT_TX_MSIG_CREATE:
		return btt_ledger_multisig_decode(p, n, &u.m) ||
		       btt_ledger_multisig_encode(&u.m, w);
	case BTT_TX_MSIG_PROPOSE:
		return btt_ledger_msig_propose_decode(p, n, &u.mp) ||
		       btt_ledger_msig_propose_encode(&u.mp, w);
	case BTT_TX_MSIG_APPROVE:
	case BTT_TX_MSIG_EXECUTE:
		if (btt_ledger_msig_id_decode(p, n, u.id))
			return 1;
		btt_wbuf_put(w, u.id, sizeof(u.id));
		return btt_wbuf_err(w);
	case BTT_TX_STAKE_CREATE:
		return btt_ledger_stake_create_decode(p, n, &u.sc) ||
		       btt_ledger_stake_create_encode(&u.sc, w);
	case BTT_TX_STAKE_BOND:
	case BTT_TX_STAKE_UNBOND:
		if (btt_ledger_stake_decode(p, n, &u.st))
			return 1;
		btt_ledger_stake_encode(&u.st, w);
		return btt_wbuf_err(w);
	default: return 1;
	}
}

/* The module payload decoders, type chosen by the first two bytes. */
static void check_payload(const uint8_t *data, size_t size)
{
	static uint8_t buf[BTT_TX_MAX_PAYLOAD];
	struct btt_wbuf w;
	struct btt_tx tx;
	int rc;

	if (size < 2 || size - 2 > BTT_TX_MAX_PAYLOAD)
		return;
	memset(&tx, 0, sizeof(tx));
	tx.type = (uint16_t)(data[0] << 8 | data[1]);
	tx.payload = data + 2;
	tx.payload_len = size - 2;
	rc = btt_ledger_tx_payload_check(&tx);
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	if (reencode(tx.type, tx.payload, tx.payload_len, &w) != 0) {
		if (rc == 0 && tx.type >> 8 != 0x01)
			abort(); /* the check passed, so it decodes */
		return;
	}
	if (rc != 0 || w.len != tx.payload_len ||
	    memcmp(buf, tx.payload, w.len) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_block(data, size);
	check_header(data, size);
	check_receipt(data, size);
	check_payload(data, size);
	return 0;
}
