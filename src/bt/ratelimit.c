/* Token buckets (see ratelimit.h). Invariant: tokens <= burst, and
 * `last` never moves backwards (a `now` older than it refills nothing). */
#include "bt/ratelimit.h"

/* Rates above 1 TiB/s are unlimited in practice; the cap keeps rate *
 * elapsed-ms products far from overflow. */
#define RATE_MAX ((uint64_t)1 << 40)

static uint64_t clamp_rate(uint64_t rate)
{
	return rate > RATE_MAX ? RATE_MAX : rate;
}

static uint64_t burst_of(uint64_t rate)
{
	uint64_t b = rate / BTT_RATELIMIT_BURST_DIV;

	return b < BTT_RATELIMIT_MIN_BURST ? BTT_RATELIMIT_MIN_BURST : b;
}

void btt_ratelimit_init(struct btt_ratelimit *rl, uint64_t rate, uint64_t now)
{
	rate = clamp_rate(rate);
	rl->rate = rate;
	rl->burst = rate ? burst_of(rate) : 0;
	rl->tokens = (int64_t)rl->burst;
	rl->last = now;
	rl->frac = 0;
	rl->total = 0;
}

void btt_ratelimit_set_rate(struct btt_ratelimit *rl, uint64_t rate,
			    uint64_t now)
{
	btt_ratelimit_refill(rl, now);
	rate = clamp_rate(rate);
	rl->rate = rate;
	rl->burst = rate ? burst_of(rate) : 0;
	if (!rate)
		rl->tokens = 0;
	else if (rl->tokens > (int64_t)rl->burst)
		rl->tokens = (int64_t)rl->burst;
}

void btt_ratelimit_refill(struct btt_ratelimit *rl, uint64_t now)
{
	uint64_t dt, milli, add;

	if (now <= rl->last)
		return;
	dt = now - rl->last;
	rl->last = now;
	if (!rl->rate)
		return;
	/* Cap the interval so rate * dt cannot overflow: a bucket idle for
	 * longer than it takes to fill is simply full. */
	if (dt > 1000u * 1000u)
		dt = 1000u * 1000u;
	milli = rl->rate * dt + rl->frac;
	add = milli / 1000;
	rl->frac = milli % 1000;
	rl->tokens += (int64_t)add;
	if (rl->tokens > (int64_t)rl->burst)
		rl->tokens = (int64_t)rl->burst;
}

bool btt_ratelimit_ok(const struct btt_ratelimit *rl)
{
	return !rl->rate || rl->tokens > 0;
}

void btt_ratelimit_take(struct btt_ratelimit *rl, uint64_t n)
{
	rl->total += n;
	if (!rl->rate)
		return;
	/* Debt is bounded by a minute of tokens plus one transfer (itself
	 * bounded here), so the counter cannot wrap. */
	if (n > RATE_MAX)
		n = RATE_MAX;
	rl->tokens -= (int64_t)n;
	if (rl->tokens < -(int64_t)(rl->rate * 60 + n))
		rl->tokens = -(int64_t)(rl->rate * 60 + n);
}

uint64_t btt_ratelimit_wait_ms(const struct btt_ratelimit *rl)
{
	uint64_t need;

	if (btt_ratelimit_ok(rl))
		return 0;
	need = (uint64_t)(-rl->tokens) + 1;
	return (need * 1000 + rl->rate - 1) / rl->rate;
}
