/* Transaction types of the vesting, multisig and staking modules and
 * their payload layouts (the bank's are in tx.h). Operation codes: high
 * byte = module, which is also the module's state namespace (state.h).
 *
 * Payloads (big-endian, exact lengths; decoders reject anything else):
 *   VESTING_CREATE    to[20] | vesting record (vesting.h) with both
 *                     delegated counters 0; `original` moves from the
 *                     sender to `to`, a new account, and vests there
 *   MSIG_CREATE       multisig definition (multisig.h), keys ascending;
 *                     the account is btt_ledger_multisig_address("tx/" ||
 *                     sender || u64 nonce of the creating tx)
 *   MSIG_PROPOSE      account[20] | u64 expiry_height | u16 action_type |
 *                     u32 action_len | action (a TRANSFER or
 *                     MULTI_TRANSFER payload run as the account)
 *   MSIG_APPROVE      proposal id[32]
 *   MSIG_EXECUTE      proposal id[32]
 *   STAKE_CREATE      u8 signer_len (20, 33 or 65) | signer |
 *                     u16 commission_bps | u128 self_bond
 *   STAKE_BOND        validator operator[20] | u128 amount
 *   STAKE_UNBOND      validator operator[20] | u128 amount */
#ifndef BTT_LEDGER_TX_TYPES_H
#define BTT_LEDGER_TX_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "core/wbuf.h"
#include "crypto/address.h"
#include "ledger/multisig.h"
#include "ledger/staking.h"
#include "ledger/tx.h"
#include "ledger/u128.h"
#include "ledger/vesting.h"

/* Modules: the high byte of their operation codes and their state
 * namespace. */
enum btt_ledger_module {
	BTT_MODULE_BANK = 0x01,
	BTT_MODULE_VESTING = 0x02,
	BTT_MODULE_MULTISIG = 0x03,
	BTT_MODULE_STAKING = 0x04,
};

enum btt_tx_type_ext {
	BTT_TX_VESTING_CREATE = 0x0201,
	BTT_TX_MSIG_CREATE = 0x0301,
	BTT_TX_MSIG_PROPOSE = 0x0302,
	BTT_TX_MSIG_APPROVE = 0x0303,
	BTT_TX_MSIG_EXECUTE = 0x0304,
	BTT_TX_STAKE_CREATE = 0x0401,
	BTT_TX_STAKE_BOND = 0x0402,
	BTT_TX_STAKE_UNBOND = 0x0403,
};

#define BTT_TX_MSIG_PROPOSE_FIXED (BTT_ADDR_LEN + 8 + 2 + 4)
#define BTT_TX_STAKE_LEN (BTT_ADDR_LEN + BTT_U128_LEN)

struct btt_tx_vesting_create {
	uint8_t to[BTT_ADDR_LEN];
	struct btt_vesting v;
};

struct btt_tx_msig_propose {
	uint8_t account[BTT_ADDR_LEN];
	uint64_t expiry_height;
	uint16_t action_type;
	const uint8_t *action; /* borrowed from the payload */
	size_t action_len;
};

struct btt_tx_stake_create {
	uint8_t signer_len;
	uint8_t signer[BTT_STAKING_SIGNER_MAX];
	uint16_t commission_bps;
	btt_u128 self_bond;
};

struct btt_tx_stake {
	uint8_t validator[BTT_ADDR_LEN];
	btt_u128 amount;
};

/* Checks the payload of one of the types above (as
 * btt_ledger_tx_payload_check, which calls it for them). Returns 0,
 * BTT_EUNSUPPORTED (not one of them) or the decoder's error. */
int btt_ledger_txtype_check(const struct btt_tx *tx);

/* Decoders: the whole payload p[0..n). They return 0, BTT_ETRUNCATED,
 * BTT_ETRAILING, or the errors named. */
/* + the vesting record's errors; BTT_EINVALID (delegated counters). */
int btt_ledger_vesting_create_decode(const uint8_t *p, size_t n,
				     struct btt_tx_vesting_create *out);
/* + BTT_ELIMIT (action above BTT_MULTISIG_MAX_ACTION), BTT_EUNSUPPORTED
 * (action type not a bank transfer) or the action payload's error. */
int btt_ledger_msig_propose_decode(const uint8_t *p, size_t n,
				   struct btt_tx_msig_propose *out);
int btt_ledger_msig_id_decode(const uint8_t *p, size_t n,
			      uint8_t out[BTT_MULTISIG_ID_LEN]);
/* + BTT_EINVALID (signer form). */
int btt_ledger_stake_create_decode(const uint8_t *p, size_t n,
				   struct btt_tx_stake_create *out);
int btt_ledger_stake_decode(const uint8_t *p, size_t n,
			    struct btt_tx_stake *out);

/* Encoders append the payloads. They return 0, the errors of the record
 * encoders they use, or the wbuf's sticky error. */
int btt_ledger_vesting_create_encode(const struct btt_tx_vesting_create *t,
				     struct btt_wbuf *w);
int btt_ledger_msig_propose_encode(const struct btt_tx_msig_propose *t,
				   struct btt_wbuf *w);
int btt_ledger_stake_create_encode(const struct btt_tx_stake_create *t,
				   struct btt_wbuf *w);
void btt_ledger_stake_encode(const struct btt_tx_stake *t, struct btt_wbuf *w);

/* The address MSIG_CREATE gives the account created by (creator, nonce). */
void btt_ledger_msig_create_address(const uint8_t creator[BTT_ADDR_LEN],
				    uint64_t nonce, uint8_t out[BTT_ADDR_LEN]);

#endif
