/* Payload codecs of the vesting, multisig and staking transactions
 * (tx_types.h). Each decoder takes the whole payload, reads it with the
 * cursor and rejects short input and trailing bytes; records embedded in
 * a payload (vesting schedule, multisig definition) go through their own
 * canonical decoders, so a payload has one encoding. */
#include <string.h>

#include "btt/err.h"
#include "core/cur.h"
#include "ledger/tx_types.h"

static int exact_len(size_t have, size_t want)
{
	if (have < want)
		return BTT_ETRUNCATED;
	return have > want ? BTT_ETRAILING : 0;
}

int btt_ledger_vesting_create_decode(const uint8_t *p, size_t n,
				     struct btt_tx_vesting_create *out)
{
	struct btt_cur c;
	int rc;

	btt_cur_init(&c, p, n);
	if (!btt_cur_copy(&c, out->to, BTT_ADDR_LEN))
		return BTT_ETRUNCATED;
	rc = btt_ledger_vesting_decode(btt_cur_data(&c), btt_cur_len(&c),
				       &out->v);
	if (rc)
		return rc;
	if (out->v.delegated_vesting || out->v.delegated_free)
		return BTT_EINVALID;
	return 0;
}

int btt_ledger_vesting_create_encode(const struct btt_tx_vesting_create *t,
				     struct btt_wbuf *w)
{
	btt_wbuf_put(w, t->to, BTT_ADDR_LEN);
	return btt_ledger_vesting_encode(&t->v, w);
}

/* An action a multisig account may run: a bank transfer for now. */
static int action_check(uint16_t type, const uint8_t *p, size_t n)
{
	struct btt_tx_transfer t;
	struct btt_tx_multi m;

	switch (type) {
	case BTT_TX_TRANSFER: return btt_ledger_transfer_decode(p, n, &t);
	case BTT_TX_MULTI_TRANSFER: return btt_ledger_multi_decode(p, n, &m);
	default: return BTT_EUNSUPPORTED;
	}
}

int btt_ledger_msig_propose_decode(const uint8_t *p, size_t n,
				   struct btt_tx_msig_propose *out)
{
	struct btt_tx_msig_propose t;
	struct btt_cur c;
	uint32_t alen;
	int rc;

	btt_cur_init(&c, p, n);
	if (!btt_cur_copy(&c, t.account, BTT_ADDR_LEN) ||
	    !btt_cur_get_u64be(&c, &t.expiry_height) ||
	    !btt_cur_get_u16be(&c, &t.action_type) ||
	    !btt_cur_get_u32be(&c, &alen))
		return BTT_ETRUNCATED;
	if (alen > BTT_MULTISIG_MAX_ACTION)
		return BTT_ELIMIT;
	if ((rc = exact_len(btt_cur_len(&c), alen)) != 0)
		return rc;
	t.action = btt_cur_data(&c);
	t.action_len = alen;
	if ((rc = action_check(t.action_type, t.action, alen)) != 0)
		return rc;
	*out = t;
	return 0;
}

int btt_ledger_msig_propose_encode(const struct btt_tx_msig_propose *t,
				   struct btt_wbuf *w)
{
	if (t->action_len > BTT_MULTISIG_MAX_ACTION)
		return BTT_ELIMIT;
	btt_wbuf_put(w, t->account, BTT_ADDR_LEN);
	btt_wbuf_put_u64be(w, t->expiry_height);
	btt_wbuf_put_u16be(w, t->action_type);
	btt_wbuf_put_u32be(w, (uint32_t)t->action_len);
	btt_wbuf_put(w, t->action, t->action_len);
	return btt_wbuf_err(w);
}

int btt_ledger_msig_id_decode(const uint8_t *p, size_t n,
			      uint8_t out[BTT_MULTISIG_ID_LEN])
{
	int rc = exact_len(n, BTT_MULTISIG_ID_LEN);

	if (rc)
		return rc;
	memcpy(out, p, BTT_MULTISIG_ID_LEN);
	return 0;
}

int btt_ledger_stake_create_decode(const uint8_t *p, size_t n,
				   struct btt_tx_stake_create *out)
{
	struct btt_tx_stake_create t;
	struct btt_cur c;

	memset(&t, 0, sizeof(t));
	btt_cur_init(&c, p, n);
	if (!btt_cur_get_u8(&c, &t.signer_len))
		return BTT_ETRUNCATED;
	if (t.signer_len > BTT_STAKING_SIGNER_MAX ||
	    btt_cur_len(&c) < t.signer_len)
		return t.signer_len > BTT_STAKING_SIGNER_MAX ? BTT_EINVALID
							     : BTT_ETRUNCATED;
	btt_cur_copy(&c, t.signer, t.signer_len);
	if (!btt_cur_get_u16be(&c, &t.commission_bps) ||
	    !btt_u128_get(&c, &t.self_bond))
		return BTT_ETRUNCATED;
	if (btt_cur_len(&c))
		return BTT_ETRAILING;
	if (btt_ledger_staking_signer_check(t.signer, t.signer_len))
		return BTT_EINVALID;
	*out = t;
	return 0;
}

int btt_ledger_stake_create_encode(const struct btt_tx_stake_create *t,
				   struct btt_wbuf *w)
{
	uint8_t bond[BTT_U128_LEN];

	if (btt_ledger_staking_signer_check(t->signer, t->signer_len))
		return BTT_EINVALID;
	btt_u128_put_be(t->self_bond, bond);
	btt_wbuf_put_u8(w, t->signer_len);
	btt_wbuf_put(w, t->signer, t->signer_len);
	btt_wbuf_put_u16be(w, t->commission_bps);
	btt_wbuf_put(w, bond, sizeof(bond));
	return btt_wbuf_err(w);
}

int btt_ledger_stake_decode(const uint8_t *p, size_t n,
			    struct btt_tx_stake *out)
{
	struct btt_cur c;
	int rc = exact_len(n, BTT_TX_STAKE_LEN);

	if (rc)
		return rc;
	btt_cur_init(&c, p, n);
	btt_cur_copy(&c, out->validator, BTT_ADDR_LEN);
	btt_u128_get(&c, &out->amount);
	return 0;
}

void btt_ledger_stake_encode(const struct btt_tx_stake *t, struct btt_wbuf *w)
{
	uint8_t amount[BTT_U128_LEN];

	btt_u128_put_be(t->amount, amount);
	btt_wbuf_put(w, t->validator, BTT_ADDR_LEN);
	btt_wbuf_put(w, amount, sizeof(amount));
}

void btt_ledger_msig_create_address(const uint8_t creator[BTT_ADDR_LEN],
				    uint64_t nonce, uint8_t out[BTT_ADDR_LEN])
{
	uint8_t seed[3 + BTT_ADDR_LEN + 8];

	memcpy(seed, "tx/", 3);
	memcpy(seed + 3, creator, BTT_ADDR_LEN);
	for (int i = 0; i < 8; i++)
		seed[3 + BTT_ADDR_LEN + i] = (uint8_t)(nonce >> (56 - 8 * i));
	btt_ledger_multisig_address(seed, sizeof(seed), out);
}

int btt_ledger_txtype_check(const struct btt_tx *tx)
{
	const uint8_t *p = tx->payload;
	size_t n = tx->payload_len;
	union {
		struct btt_tx_vesting_create vc;
		struct btt_tx_msig_propose mp;
		struct btt_tx_stake_create sc;
		struct btt_tx_stake s;
		struct btt_multisig m;
		uint8_t id[BTT_MULTISIG_ID_LEN];
	} u;

	switch (tx->type) {
	case BTT_TX_VESTING_CREATE:
		return btt_ledger_vesting_create_decode(p, n, &u.vc);
	case BTT_TX_MSIG_CREATE: return btt_ledger_multisig_decode(p, n, &u.m);
	case BTT_TX_MSIG_PROPOSE:
		return btt_ledger_msig_propose_decode(p, n, &u.mp);
	case BTT_TX_MSIG_APPROVE:
	case BTT_TX_MSIG_EXECUTE: return btt_ledger_msig_id_decode(p, n, u.id);
	case BTT_TX_STAKE_CREATE:
		return btt_ledger_stake_create_decode(p, n, &u.sc);
	case BTT_TX_STAKE_BOND:
	case BTT_TX_STAKE_UNBOND: return btt_ledger_stake_decode(p, n, &u.s);
	default: return BTT_EUNSUPPORTED;
	}
}
