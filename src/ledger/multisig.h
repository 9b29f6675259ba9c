/* Multisig accounts (TRON-style permissions): up to BTT_MULTISIG_MAX_KEYS
 * weighted keys and a threshold, and proposals that collect approvals on
 * chain and execute exactly once. Pure functions over plain structs; the
 * executor loads and stores the records and runs the approved action.
 *
 * An account definition is valid when it has 1..5 keys, no key twice, no
 * zero weight, threshold > 0 and sum(weights) >= threshold. Its canonical
 * order is ascending by address (_sort puts it there).
 *
 * A proposal is identified by keccak256("BTT-MSIG-PROPOSAL-v1" || account
 * || u64 nonce), nonce being the account's proposal counter. It carries
 * an action (a transaction type and payload to run as the account), an
 * expiry height (the last height at which it may gain approvals or
 * execute), the set of members that approved it (the proposer first), and
 * a status. It executes once, when the approving members' weight reaches
 * the threshold; after that every approval or execution is refused.
 * Approvals are counted against the current definition: a signer removed
 * from the account no longer counts.
 *
 * Record encodings (big-endian, canonical; decoders reject anything else,
 * trailing bytes included):
 *   account:  u8 version (1) | u64 threshold | u8 n_keys |
 *             n_keys * (address[20] | u32 weight), addresses ascending
 *   proposal: u8 version (1) | account[20] | u64 nonce |
 *             u64 created_height | u64 expiry_height | u8 status |
 *             u8 n_approvals | n_approvals * address[20] (ascending) |
 *             u16 action_type | u32 action_len | action[action_len] */
#ifndef BTT_LEDGER_MULTISIG_H
#define BTT_LEDGER_MULTISIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cur.h"
#include "core/limits.h"
#include "core/wbuf.h"
#include "crypto/address.h"

#define BTT_MULTISIG_VERSION 1
#define BTT_MULTISIG_KEY_LEN (BTT_ADDR_LEN + 4)
#define BTT_MULTISIG_MAX_LEN (10 + BTT_MULTISIG_MAX_KEYS * BTT_MULTISIG_KEY_LEN)
#define BTT_MULTISIG_ID_LEN 32
#define BTT_MULTISIG_ID_TAG "BTT-MSIG-PROPOSAL-v1" /* 20 bytes, no NUL */
/* Proposal record without approvals and action: 1+20+8+8+8+1+1+2+4. */
#define BTT_MULTISIG_PROPOSAL_FIXED_LEN 53
#define BTT_MULTISIG_PROPOSAL_MAX_LEN      \
	(BTT_MULTISIG_PROPOSAL_FIXED_LEN + \
	 BTT_MULTISIG_MAX_KEYS * BTT_ADDR_LEN + BTT_MULTISIG_MAX_ACTION)

struct btt_multisig_key {
	uint8_t addr[BTT_ADDR_LEN];
	uint32_t weight; /* > 0 */
};

struct btt_multisig {
	uint64_t threshold; /* > 0, <= sum of weights */
	size_t n_keys;	    /* 1 .. BTT_MULTISIG_MAX_KEYS */
	struct btt_multisig_key keys[BTT_MULTISIG_MAX_KEYS];
};

enum btt_multisig_status {
	BTT_MULTISIG_OPEN = 1,
	BTT_MULTISIG_EXECUTED = 2,
};

struct btt_multisig_proposal {
	uint8_t account[BTT_ADDR_LEN];
	uint64_t nonce;
	uint64_t created_height;
	uint64_t expiry_height; /* last height it may be approved/executed */
	uint8_t status;		/* enum btt_multisig_status */
	size_t n_approvals;
	uint8_t approvals[BTT_MULTISIG_MAX_KEYS][BTT_ADDR_LEN]; /* ascending */
	uint16_t action_type;  /* a transaction type (ledger/tx.h) */
	const uint8_t *action; /* borrowed payload; dies with its buffer */
	size_t action_len;     /* <= BTT_MULTISIG_MAX_ACTION */
};

/* The address of a multisig account created from `seed`: the last 20
 * bytes of keccak256("btt/multisig/" || seed). No private key is known
 * for it, so only the multisig rules can move its coins. Genesis uses
 * seed "genesis/<bucket name>". */
void btt_ledger_multisig_address(const void *seed, size_t n,
				 uint8_t out[BTT_ADDR_LEN]);

/* Puts the keys in canonical order (ascending address). */
void btt_ledger_multisig_sort(struct btt_multisig *m);

/* Checks a definition (rules above). Returns 0, BTT_EINVALID (no keys, a
 * zero weight, threshold 0 or above the weight sum), BTT_ELIMIT (more
 * than BTT_MULTISIG_MAX_KEYS), BTT_EDUPLICATE (a key twice) or
 * BTT_ENONCANONICAL (keys not ascending). */
int btt_ledger_multisig_check(const struct btt_multisig *m);

/* The weight of addr in m, 0 when it is not a member. */
uint32_t btt_ledger_multisig_weight(const struct btt_multisig *m,
				    const uint8_t addr[BTT_ADDR_LEN]);

/* Appends a definition. Returns 0, an error from _check, or the wbuf's
 * sticky error. */
int btt_ledger_multisig_encode(const struct btt_multisig *m,
			       struct btt_wbuf *w);

/* Reads one definition from the cursor, advancing only on success.
 * Returns 0, BTT_ETRUNCATED, BTT_EUNSUPPORTED (version), BTT_ELIMIT
 * (n_keys) or an error from _check. */
int btt_ledger_multisig_get(struct btt_cur *c, struct btt_multisig *out);

/* Decodes exactly one definition; as _get, plus BTT_ETRAILING. */
int btt_ledger_multisig_decode(const uint8_t *p, size_t n,
			       struct btt_multisig *out);

/* The id of proposal `nonce` of `account`. */
void btt_ledger_multisig_proposal_id(const uint8_t account[BTT_ADDR_LEN],
				     uint64_t nonce,
				     uint8_t out[BTT_MULTISIG_ID_LEN]);

/* Opens a proposal at `height`. The caller fills account, nonce,
 * expiry_height, action_type, action and action_len; this sets
 * created_height, the status (open) and the approvals (the proposer's).
 * Returns 0, an error from _check on m, BTT_EDENIED (proposer not a
 * member), BTT_EEXPIRED (expiry_height < height) or BTT_ELIMIT (action too
 * long); p's other fields are unchanged on error. */
int btt_ledger_multisig_propose(const struct btt_multisig *m,
				struct btt_multisig_proposal *p,
				const uint8_t proposer[BTT_ADDR_LEN],
				uint64_t height);

/* Adds signer's approval at `height`. Approvals of signers that are no
 * longer members are dropped first. Returns 0, BTT_ESTATE (already
 * executed), BTT_EEXPIRED (height > expiry_height), BTT_EDENIED (signer
 * not a member) or BTT_EDUPLICATE (signer already approved); p is
 * unchanged on error. */
int btt_ledger_multisig_approve(const struct btt_multisig *m,
				struct btt_multisig_proposal *p,
				const uint8_t signer[BTT_ADDR_LEN],
				uint64_t height);

/* The summed weight of the approvals by current members of m. */
uint64_t
btt_ledger_multisig_approved_weight(const struct btt_multisig *m,
				    const struct btt_multisig_proposal *p);

/* True when p is open and its approved weight reaches the threshold. */
bool btt_ledger_multisig_ready(const struct btt_multisig *m,
			       const struct btt_multisig_proposal *p);

/* Marks p executed at `height`; the caller then runs the action, in the
 * same block transaction. Returns 0, BTT_ESTATE (already executed),
 * BTT_EEXPIRED or BTT_EDENIED (approved weight below the threshold). */
int btt_ledger_multisig_execute(const struct btt_multisig *m,
				struct btt_multisig_proposal *p,
				uint64_t height);

/* Appends a proposal record. Returns 0, BTT_EINVALID (bad status,
 * approvals not strictly ascending, created after expiry), BTT_ELIMIT
 * (action or approvals too many) or the wbuf's sticky error. */
int btt_ledger_multisig_proposal_encode(const struct btt_multisig_proposal *p,
					struct btt_wbuf *w);

/* Decodes exactly one proposal record; out->action borrows from p.
 * Returns 0, BTT_ETRUNCATED, BTT_EUNSUPPORTED (version), BTT_ELIMIT,
 * BTT_EINVALID (as for _encode) or BTT_ETRAILING. */
int btt_ledger_multisig_proposal_decode(const uint8_t *p, size_t n,
					struct btt_multisig_proposal *out);

#endif
