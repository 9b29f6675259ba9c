/* Vesting schedules: the rules and the record codec (vesting.h).
 *
 * Everything is integer math on u128 amounts and u64 heights; a checked
 * schedule guarantees start + sum(lengths) == end fits in u64 and
 * sum(amounts) == original, so the evaluators below never overflow. */
#include <string.h>

#include "btt/err.h"
#include "ledger/vesting.h"

btt_u128 btt_ledger_vesting_fraction(btt_u128 a, uint64_t num, uint64_t den)
{
	/* a = q * den + r with r < den < 2^64, so
	 * a * num / den = q * num + r * num / den, where r * num < 2^128 and
	 * q * num <= a (num <= den): no step overflows. */
	btt_u128 q = a / den, r = a % den;

	return q * num + r * num / den;
}

static int check_periods(const struct btt_vesting *v)
{
	btt_u128 sum = 0;
	uint64_t len = 0;

	if (v->n_periods == 0)
		return BTT_EINVALID;
	if (v->n_periods > BTT_VESTING_MAX_PERIODS)
		return BTT_ELIMIT;
	for (size_t i = 0; i < v->n_periods; i++) {
		const struct btt_vesting_period *p = &v->periods[i];
		if (p->length == 0 || p->amount == 0)
			return BTT_EINVALID;
		if (len > UINT64_MAX - p->length ||
		    !btt_u128_add(sum, p->amount, &sum))
			return BTT_EOVERFLOW;
		len += p->length;
	}
	if (len != v->end - v->start || sum != v->original)
		return BTT_EINVALID;
	return 0;
}

int btt_ledger_vesting_check(const struct btt_vesting *v)
{
	if (v->original == 0 || v->start > v->end ||
	    v->delegated_vesting > v->original)
		return BTT_EINVALID;
	switch (v->type) {
	case BTT_VESTING_DELAYED: return v->n_periods ? BTT_EINVALID : 0;
	case BTT_VESTING_CONTINUOUS:
		return v->n_periods || v->start == v->end ? BTT_EINVALID : 0;
	case BTT_VESTING_PERIODIC: return check_periods(v);
	default: return BTT_EINVALID;
	}
}

static btt_u128 periodic_vested(const struct btt_vesting *v, uint64_t height)
{
	btt_u128 vested = 0;
	uint64_t at = v->start;

	for (size_t i = 0; i < v->n_periods; i++) {
		/* at + length <= end: the schedule was checked */
		at += v->periods[i].length;
		if (height < at)
			break;
		vested += v->periods[i].amount;
	}
	return vested;
}

btt_u128 btt_ledger_vesting_vested(const struct btt_vesting *v, uint64_t height)
{
	if (height >= v->end)
		return v->original;
	switch (v->type) {
	case BTT_VESTING_CONTINUOUS:
		if (height <= v->start)
			return 0;
		return btt_ledger_vesting_fraction(
			v->original, height - v->start, v->end - v->start);
	case BTT_VESTING_PERIODIC:
		if (height < v->start)
			return 0;
		return periodic_vested(v, height);
	default: return 0; /* delayed: nothing before end */
	}
}

btt_u128 btt_ledger_vesting_locked(const struct btt_vesting *v, uint64_t height)
{
	return v->original - btt_ledger_vesting_vested(v, height);
}

/* Locked coins still in the bank balance: the locked amount not covered by
 * delegated vesting coins. */
static btt_u128 locked_in_balance(const struct btt_vesting *v, uint64_t height)
{
	btt_u128 locked = btt_ledger_vesting_locked(v, height);

	return locked > v->delegated_vesting ? locked - v->delegated_vesting
					     : 0;
}

btt_u128 btt_ledger_vesting_spendable(const struct btt_vesting *v,
				      uint64_t height, btt_u128 balance)
{
	btt_u128 locked = locked_in_balance(v, height);

	return balance > locked ? balance - locked : 0;
}

int btt_ledger_vesting_delegate(struct btt_vesting *v, uint64_t height,
				btt_u128 balance, btt_u128 amount)
{
	btt_u128 locked, x, dv, df;

	if (amount == 0)
		return BTT_EINVALID;
	if (amount > balance)
		return BTT_EFUNDS;
	locked = locked_in_balance(v, height);
	x = locked < amount ? locked : amount;
	if (!btt_u128_add(v->delegated_vesting, x, &dv) ||
	    !btt_u128_add(v->delegated_free, amount - x, &df))
		return BTT_EOVERFLOW;
	v->delegated_vesting = dv;
	v->delegated_free = df;
	return 0;
}

int btt_ledger_vesting_undelegate(struct btt_vesting *v, btt_u128 amount)
{
	btt_u128 x, y;

	if (amount == 0)
		return BTT_EINVALID;
	x = v->delegated_free < amount ? v->delegated_free : amount;
	amount -= x;
	y = v->delegated_vesting < amount ? v->delegated_vesting : amount;
	v->delegated_free -= x;
	v->delegated_vesting -= y;
	return 0;
}

int btt_ledger_vesting_periodic_build(struct btt_vesting *v, btt_u128 original,
				      uint64_t start, const uint64_t *lengths,
				      const uint32_t *weights, size_t n)
{
	uint64_t wsum = 0, end = start;
	btt_u128 given = 0;

	if (n == 0)
		return BTT_EINVALID;
	if (n > BTT_VESTING_MAX_PERIODS)
		return BTT_ELIMIT;
	for (size_t i = 0; i < n; i++) {
		if (lengths[i] == 0 || weights[i] == 0)
			return BTT_EINVALID;
		if (end > UINT64_MAX - lengths[i])
			return BTT_EOVERFLOW;
		end += lengths[i];
		wsum += weights[i]; /* n * 2^32 cannot overflow */
	}
	memset(v, 0, sizeof(*v));
	v->type = BTT_VESTING_PERIODIC;
	v->original = original;
	v->start = start;
	v->end = end;
	v->n_periods = n;
	for (size_t i = 0; i < n; i++) {
		btt_u128 a = i + 1 < n ? btt_ledger_vesting_fraction(
						 original, weights[i], wsum)
				       : original - given;
		v->periods[i].length = lengths[i];
		v->periods[i].amount = a;
		given += a;
	}
	return btt_ledger_vesting_check(v);
}

int btt_ledger_vesting_encode(const struct btt_vesting *v, struct btt_wbuf *w)
{
	uint8_t b[BTT_U128_LEN];
	int err = btt_ledger_vesting_check(v);

	if (err)
		return err;
	btt_wbuf_put_u8(w, BTT_VESTING_VERSION);
	btt_wbuf_put_u8(w, v->type);
	btt_u128_put_be(v->original, b);
	btt_wbuf_put(w, b, sizeof(b));
	btt_wbuf_put_u64be(w, v->start);
	btt_wbuf_put_u64be(w, v->end);
	btt_u128_put_be(v->delegated_vesting, b);
	btt_wbuf_put(w, b, sizeof(b));
	btt_u128_put_be(v->delegated_free, b);
	btt_wbuf_put(w, b, sizeof(b));
	btt_wbuf_put_u8(w, (uint8_t)v->n_periods);
	for (size_t i = 0; i < v->n_periods; i++) {
		btt_wbuf_put_u64be(w, v->periods[i].length);
		btt_u128_put_be(v->periods[i].amount, b);
		btt_wbuf_put(w, b, sizeof(b));
	}
	return btt_wbuf_err(w);
}

static int get_fields(struct btt_cur *c, struct btt_vesting *v)
{
	uint8_t version, n;

	if (!btt_cur_get_u8(c, &version))
		return BTT_ETRUNCATED;
	if (version != BTT_VESTING_VERSION)
		return BTT_EUNSUPPORTED;
	if (!btt_cur_get_u8(c, &v->type) || !btt_u128_get(c, &v->original) ||
	    !btt_cur_get_u64be(c, &v->start) ||
	    !btt_cur_get_u64be(c, &v->end) ||
	    !btt_u128_get(c, &v->delegated_vesting) ||
	    !btt_u128_get(c, &v->delegated_free) || !btt_cur_get_u8(c, &n))
		return BTT_ETRUNCATED;
	if (n > BTT_VESTING_MAX_PERIODS)
		return BTT_ELIMIT;
	v->n_periods = n;
	for (size_t i = 0; i < n; i++)
		if (!btt_cur_get_u64be(c, &v->periods[i].length) ||
		    !btt_u128_get(c, &v->periods[i].amount))
			return BTT_ETRUNCATED;
	return btt_ledger_vesting_check(v);
}

int btt_ledger_vesting_get(struct btt_cur *c, struct btt_vesting *out)
{
	struct btt_cur save = *c;
	int err;

	memset(out, 0, sizeof(*out));
	err = get_fields(c, out);
	if (err)
		*c = save;
	return err;
}

int btt_ledger_vesting_decode(const uint8_t *p, size_t n,
			      struct btt_vesting *out)
{
	struct btt_cur c;
	int err;

	btt_cur_init(&c, p, n);
	err = btt_ledger_vesting_get(&c, out);
	if (!err && btt_cur_len(&c))
		err = BTT_ETRAILING;
	return err;
}
