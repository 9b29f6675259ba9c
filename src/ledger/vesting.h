/* Vesting schedules: coins that an account holds but may not transfer
 * until they vest, with Cosmos SDK semantics, as pure functions over a
 * plain struct (no storage; the executor loads and stores the record).
 *
 * Three schedule types, all by block height and exact to the base unit:
 *   delayed     everything vests at height `end`;
 *   continuous  linear from `start` to `end`: vested(h) =
 *               floor(original * (h - start) / (end - start));
 *   periodic    tranches (length, amount) from `start`: tranche i vests at
 *               start + length_0 + ... + length_i.
 * locked(h) = original - vested(h) never increases with h.
 *
 * Locked coins may be delegated (staked) but not transferred. As in
 * Cosmos, delegations are tracked in two counters: delegated_vesting (DV,
 * locked coins that were delegated) and delegated_free (DF). The bank
 * balance no longer holds delegated coins, so
 *   spendable(h, balance) = balance - min(balance, max(locked(h) - DV, 0)).
 * Delegating takes locked coins first; undelegating returns free ones
 * first (docs/genesis.md, section 3).
 *
 * Record encoding (big-endian, canonical; decoders reject anything else):
 *   u8 version (1) | u8 type | u128 original | u64 start | u64 end |
 *   u128 delegated_vesting | u128 delegated_free | u8 n_periods |
 *   n_periods * (u64 length | u128 amount)
 * n_periods is 0 unless the type is periodic. */
#ifndef BTT_LEDGER_VESTING_H
#define BTT_LEDGER_VESTING_H

#include <stddef.h>
#include <stdint.h>

#include "core/cur.h"
#include "core/limits.h"
#include "core/wbuf.h"
#include "ledger/u128.h"

#define BTT_VESTING_VERSION 1
/* Fixed part of the encoding: 1+1+16+8+8+16+16+1. */
#define BTT_VESTING_FIXED_LEN 67
#define BTT_VESTING_PERIOD_LEN 24
#define BTT_VESTING_MAX_LEN      \
	(BTT_VESTING_FIXED_LEN + \
	 BTT_VESTING_MAX_PERIODS * BTT_VESTING_PERIOD_LEN)

enum btt_vesting_type {
	BTT_VESTING_DELAYED = 1,
	BTT_VESTING_CONTINUOUS = 2,
	BTT_VESTING_PERIODIC = 3,
};

struct btt_vesting_period {
	uint64_t length; /* blocks, > 0 */
	btt_u128 amount; /* base units, > 0 */
};

struct btt_vesting {
	uint8_t type;	   /* enum btt_vesting_type */
	btt_u128 original; /* coins under the schedule, > 0 */
	uint64_t start;	   /* first height of the schedule */
	uint64_t end;	   /* every coin has vested at this height */
	btt_u128 delegated_vesting;
	btt_u128 delegated_free;
	size_t n_periods;
	struct btt_vesting_period periods[BTT_VESTING_MAX_PERIODS];
};

/* floor(a * num / den) computed exactly for num <= den, den > 0 (the
 * product may exceed 128 bits; the result never does). */
btt_u128 btt_ledger_vesting_fraction(btt_u128 a, uint64_t num, uint64_t den);

/* Checks a schedule: known type, original > 0, start <= end (start < end
 * for continuous), no periods unless periodic; periodic: 1 to
 * BTT_VESTING_MAX_PERIODS tranches, each with length > 0 and amount > 0,
 * lengths summing to end - start and amounts to original; and
 * delegated_vesting <= original. Returns 0, BTT_EINVALID, BTT_ELIMIT
 * (too many periods) or BTT_EOVERFLOW (sums do not fit). */
int btt_ledger_vesting_check(const struct btt_vesting *v);

/* Coins vested at `height` (0 .. original). v must pass _check. */
btt_u128 btt_ledger_vesting_vested(const struct btt_vesting *v,
				   uint64_t height);

/* Coins still locked at `height`: original - vested(height). */
btt_u128 btt_ledger_vesting_locked(const struct btt_vesting *v,
				   uint64_t height);

/* What may leave the account by transfer at `height` when its bank
 * balance (delegated coins excluded) is `balance`; formula above. */
btt_u128 btt_ledger_vesting_spendable(const struct btt_vesting *v,
				      uint64_t height, btt_u128 balance);

/* Records a delegation of `amount` out of `balance` at `height`: locked
 * coins not yet delegated go first (into DV), the rest into DF. Returns
 * 0, BTT_EINVALID (amount 0), BTT_EFUNDS (amount > balance) or
 * BTT_EOVERFLOW; v is unchanged on error. */
int btt_ledger_vesting_delegate(struct btt_vesting *v, uint64_t height,
				btt_u128 balance, btt_u128 amount);

/* Records coins returned from staking: DF is reduced first, then DV, each
 * down to 0 at most (slashing can make returns smaller than what was
 * delegated, never larger; a larger amount only empties both, as in
 * Cosmos). Returns 0 or BTT_EINVALID (amount 0). */
int btt_ledger_vesting_undelegate(struct btt_vesting *v, btt_u128 amount);

/* Fills a periodic schedule of n tranches over `original` from `start`:
 * tranche i lasts lengths[i] blocks and gets floor(original * weights[i] /
 * sum(weights)), the last one also the rounding remainder, so the amounts
 * add up exactly. Returns 0, BTT_EINVALID (n 0, a zero length or weight,
 * or a tranche that rounds to 0), BTT_ELIMIT or BTT_EOVERFLOW. */
int btt_ledger_vesting_periodic_build(struct btt_vesting *v, btt_u128 original,
				      uint64_t start, const uint64_t *lengths,
				      const uint32_t *weights, size_t n);

/* Appends the record. Returns 0, an error from _check, or the wbuf's
 * sticky error. */
int btt_ledger_vesting_encode(const struct btt_vesting *v, struct btt_wbuf *w);

/* Reads one record from the cursor, advancing only on success. Returns 0,
 * BTT_ETRUNCATED, BTT_EUNSUPPORTED (version), BTT_ELIMIT (n_periods) or an
 * error from _check. */
int btt_ledger_vesting_get(struct btt_cur *c, struct btt_vesting *out);

/* Decodes exactly one record filling all of p; as _get, plus
 * BTT_ETRAILING. */
int btt_ledger_vesting_decode(const uint8_t *p, size_t n,
			      struct btt_vesting *out);

#endif
