/* Staking, the skeleton the consensus engine completes: the validator
 * registry record, bonded stake (delegations), unbonding entries, and the
 * pure rules for creating a validator and bonding or unbonding amounts.
 * Rewards, slashing, jailing and validator-set updates come with
 * consensus; the records carry a version byte so they can grow.
 *
 * A validator is named by its operator address (the cold key that owns
 * the self-bond and edits the record) and signs consensus messages with a
 * separate signer key, given as a 33-byte compressed or 65-byte
 * uncompressed secp256k1 public key, or as a 20-byte address (consensus
 * signatures are recoverable, so an address is enough to check them).
 * Only the form is checked here (length and prefix byte 02/03/04).
 *
 * All amounts are u128 base units with checked arithmetic; every rule
 * leaves its outputs unchanged when it fails.
 *
 * Record encodings (big-endian, canonical; decoders reject anything else):
 *   params:     u128 min_self_bond | u64 unbonding_blocks |
 *               u32 max_validators | u128 power_unit
 *   validator:  u8 version (1) | operator[20] | u8 signer_len |
 *               signer[signer_len] | u16 commission_bps | u8 status |
 *               u64 jail_until | u128 self_bond | u128 total_bonded
 *   delegation: u8 version (1) | delegator[20] | validator[20] |
 *               u128 amount
 *   unbonding:  u8 version (1) | delegator[20] | validator[20] |
 *               u128 amount | u64 complete_height */
#ifndef BTT_LEDGER_STAKING_H
#define BTT_LEDGER_STAKING_H

#include <stddef.h>
#include <stdint.h>

#include "core/cur.h"
#include "core/wbuf.h"
#include "crypto/address.h"
#include "ledger/u128.h"

#define BTT_STAKING_VERSION 1
#define BTT_STAKING_MAX_COMMISSION 10000 /* basis points: 100 % */
#define BTT_STAKING_SIGNER_MAX 65
/* Voting power is capped so a sum over 21 .. thousands of validators
 * stays far from overflow (CometBFT uses the same guard). */
#define BTT_STAKING_MAX_POWER ((uint64_t)1 << 60)
#define BTT_STAKING_PARAMS_LEN 44
#define BTT_VALIDATOR_MAX_LEN \
	(1 + 20 + 1 + BTT_STAKING_SIGNER_MAX + 2 + 1 + 8 + 32)
#define BTT_DELEGATION_LEN 57
#define BTT_UNBONDING_LEN 65

/* Starting values (docs/genesis.md); genesis may set others. */
#define BTT_STAKING_DEFAULT_MIN_SELF_BOND ((btt_u128)1000000 * BTT_COIN)
#define BTT_STAKING_DEFAULT_UNBONDING 1814400 /* 21 days of 1 s blocks */
#define BTT_STAKING_DEFAULT_MAX_VALIDATORS 21
#define BTT_STAKING_DEFAULT_POWER_UNIT BTT_COIN /* 1 power per BTT */

enum btt_validator_status {
	BTT_VALIDATOR_UNBONDED = 1,  /* registered, not in the active set */
	BTT_VALIDATOR_BONDED = 2,    /* in the active set */
	BTT_VALIDATOR_UNBONDING = 3, /* leaving the active set */
};

struct btt_staking_params {
	btt_u128 min_self_bond;	   /* > 0 */
	uint64_t unbonding_blocks; /* > 0 */
	uint32_t max_validators;   /* > 0 */
	btt_u128 power_unit;	   /* base units per unit of voting power */
};

struct btt_validator {
	uint8_t operator_addr[BTT_ADDR_LEN];
	uint8_t signer_len; /* 20, 33 or 65 */
	uint8_t signer[BTT_STAKING_SIGNER_MAX];
	uint16_t commission_bps; /* <= BTT_STAKING_MAX_COMMISSION */
	uint8_t status;		 /* enum btt_validator_status */
	uint64_t jail_until;	 /* 0 = not jailed */
	btt_u128 self_bond;	 /* the operator's own delegation */
	btt_u128 total_bonded;	 /* self_bond + every other delegation */
};

struct btt_delegation {
	uint8_t delegator[BTT_ADDR_LEN];
	uint8_t validator[BTT_ADDR_LEN]; /* the operator address */
	btt_u128 amount;
};

struct btt_unbonding {
	uint8_t delegator[BTT_ADDR_LEN];
	uint8_t validator[BTT_ADDR_LEN];
	btt_u128 amount;
	uint64_t complete_height; /* the coins return at this height */
};

/* The starting parameters above. */
void btt_ledger_staking_params_default(struct btt_staking_params *out);

/* Returns 0 or BTT_EINVALID (a zero field). */
int btt_ledger_staking_params_check(const struct btt_staking_params *p);

/* Checks the form of a signer key or address. Returns 0 or BTT_EINVALID. */
int btt_ledger_staking_signer_check(const uint8_t *signer, size_t len);

/* Checks a validator record: signer form, commission, status, and
 * self_bond <= total_bonded. Returns 0 or BTT_EINVALID. */
int btt_ledger_staking_validator_check(const struct btt_validator *v);

/* Voting power: floor(total_bonded / power_unit), at most
 * BTT_STAKING_MAX_POWER; 0 when power_unit is 0. */
uint64_t btt_ledger_staking_power(const struct btt_validator *v,
				  btt_u128 power_unit);

/* create_validator. The caller fills v's operator_addr, signer,
 * signer_len, commission_bps and self_bond (the requested bond) from the
 * transaction; `balance` is what the operator can bond (its bank balance,
 * locked vesting coins included). On success v becomes a registered
 * validator (unbonded, not jailed, total_bonded = self_bond) and out_d its
 * self-delegation. Returns 0, BTT_EINVALID (params, signer, commission, or
 * self_bond below params->min_self_bond) or BTT_EFUNDS (self_bond >
 * balance). */
int btt_ledger_staking_create_validator(const struct btt_staking_params *p,
					btt_u128 balance,
					struct btt_validator *v,
					struct btt_delegation *out_d);

/* Bonds `amount` more through delegation d (d->validator names v; a new
 * delegation starts zeroed with its two addresses set). The operator's
 * own delegation also raises self_bond. Returns 0, BTT_EINVALID (amount 0,
 * d not for v), BTT_EFUNDS (amount > balance) or BTT_EOVERFLOW (a total,
 * or the voting power, would exceed its cap). */
int btt_ledger_staking_bond(const struct btt_staking_params *p,
			    struct btt_validator *v, struct btt_delegation *d,
			    btt_u128 amount, btt_u128 balance);

/* Unbonds `amount` of delegation d at `height`: out_u is the entry that
 * returns the coins at height + unbonding_blocks. The operator may
 * withdraw all of its self-bond, or leave at least min_self_bond. Returns
 * 0, BTT_EINVALID (amount 0, d not for v, or a self-bond left between 0
 * and the minimum), BTT_EFUNDS (amount > d->amount) or BTT_EOVERFLOW
 * (completion height). */
int btt_ledger_staking_unbond(const struct btt_staking_params *p,
			      struct btt_validator *v, struct btt_delegation *d,
			      btt_u128 amount, uint64_t height,
			      struct btt_unbonding *out_u);

void btt_ledger_staking_params_encode(const struct btt_staking_params *p,
				      struct btt_wbuf *w);
/* Returns 0, BTT_ETRUNCATED, BTT_EINVALID or BTT_ETRAILING. */
int btt_ledger_staking_params_decode(const uint8_t *p, size_t n,
				     struct btt_staking_params *out);

/* Appends a validator record. Returns 0, BTT_EINVALID or the wbuf's
 * sticky error. */
int btt_ledger_validator_encode(const struct btt_validator *v,
				struct btt_wbuf *w);
/* Returns 0, BTT_ETRUNCATED, BTT_EUNSUPPORTED (version), BTT_EINVALID or
 * BTT_ETRAILING. */
int btt_ledger_validator_decode(const uint8_t *p, size_t n,
				struct btt_validator *out);

void btt_ledger_delegation_encode(const struct btt_delegation *d,
				  struct btt_wbuf *w);
/* Returns 0, BTT_ETRUNCATED, BTT_EUNSUPPORTED or BTT_ETRAILING. */
int btt_ledger_delegation_decode(const uint8_t *p, size_t n,
				 struct btt_delegation *out);

void btt_ledger_unbonding_encode(const struct btt_unbonding *u,
				 struct btt_wbuf *w);
/* Returns 0, BTT_ETRUNCATED, BTT_EUNSUPPORTED or BTT_ETRAILING. */
int btt_ledger_unbonding_decode(const uint8_t *p, size_t n,
				struct btt_unbonding *out);

#endif
