/* Payload layouts of the bank operations (TRANSFER, MULTI_TRANSFER) and
 * the per-type dispatch used to validate a transaction's payload.
 *
 * Each layout is fixed-size given its count, so the decoders check the
 * exact length up front and then read with the cursor; a multi-transfer is
 * returned as a view over the input, so its declared count never sizes an
 * allocation. */
#include <string.h>

#include "btt/err.h"
#include "ledger/tx.h"
#include "ledger/tx_types.h"

_Static_assert(2 + BTT_TX_MAX_TRANSFERS * BTT_TX_TRANSFER_LEN <=
		       BTT_TX_MAX_PAYLOAD,
	       "a full multi-transfer must fit in a transaction");

static int exact_len(size_t have, size_t want)
{
	if (have < want)
		return BTT_ETRUNCATED;
	return have > want ? BTT_ETRAILING : 0;
}

int btt_ledger_transfer_decode(const uint8_t *p, size_t n,
			       struct btt_tx_transfer *out)
{
	struct btt_cur c;
	int err = exact_len(n, BTT_TX_TRANSFER_LEN);

	if (err)
		return err;
	btt_cur_init(&c, p, n);
	if (!btt_cur_copy(&c, out->to, BTT_ADDR_LEN) ||
	    !btt_u128_get(&c, &out->amount))
		return BTT_ETRUNCATED;
	return 0;
}

void btt_ledger_transfer_encode(const struct btt_tx_transfer *t,
				struct btt_wbuf *w)
{
	uint8_t amount[BTT_U128_LEN];

	btt_u128_put_be(t->amount, amount);
	btt_wbuf_put(w, t->to, BTT_ADDR_LEN);
	btt_wbuf_put(w, amount, sizeof(amount));
}

int btt_ledger_multi_decode(const uint8_t *p, size_t n,
			    struct btt_tx_multi *out)
{
	struct btt_cur c;
	uint16_t count;
	int err;

	btt_cur_init(&c, p, n);
	if (!btt_cur_get_u16be(&c, &count))
		return BTT_ETRUNCATED;
	if (count == 0)
		return BTT_EMALFORMED;
	if (count > BTT_TX_MAX_TRANSFERS)
		return BTT_ELIMIT;
	err = exact_len(btt_cur_len(&c), (size_t)count * BTT_TX_TRANSFER_LEN);
	if (err)
		return err;
	out->entries = btt_cur_data(&c);
	out->count = count;
	return 0;
}

void btt_ledger_multi_entry(const struct btt_tx_multi *m, size_t i,
			    struct btt_tx_transfer *out)
{
	const uint8_t *e = m->entries + i * BTT_TX_TRANSFER_LEN;

	memcpy(out->to, e, BTT_ADDR_LEN);
	out->amount = btt_u128_get_be(e + BTT_ADDR_LEN);
}

int btt_ledger_multi_encode(const struct btt_tx_transfer *items, size_t count,
			    struct btt_wbuf *w)
{
	if (count == 0)
		return BTT_EINVALID;
	if (count > BTT_TX_MAX_TRANSFERS)
		return BTT_ELIMIT;
	btt_wbuf_put_u16be(w, (uint16_t)count);
	for (size_t i = 0; i < count; i++)
		btt_ledger_transfer_encode(&items[i], w);
	return btt_wbuf_err(w);
}

int btt_ledger_tx_payload_check(const struct btt_tx *tx)
{
	struct btt_tx_transfer t;
	struct btt_tx_multi m;

	switch (tx->type) {
	case BTT_TX_TRANSFER:
		return btt_ledger_transfer_decode(tx->payload, tx->payload_len,
						  &t);
	case BTT_TX_MULTI_TRANSFER:
		return btt_ledger_multi_decode(tx->payload, tx->payload_len,
					       &m);
	case BTT_TX_VESTING_CREATE:
	case BTT_TX_MSIG_CREATE:
	case BTT_TX_MSIG_PROPOSE:
	case BTT_TX_MSIG_APPROVE:
	case BTT_TX_MSIG_EXECUTE:
	case BTT_TX_STAKE_CREATE:
	case BTT_TX_STAKE_BOND:
	case BTT_TX_STAKE_UNBOND: return btt_ledger_txtype_check(tx);
	default: return BTT_EUNSUPPORTED;
	}
}
