/* Token buckets for rate limits (global and per torrent, up and down).
 *
 * Sans-I/O: the caller passes `now` in milliseconds. A bucket earns `rate`
 * tokens (bytes) per second up to `burst`, and transfers take tokens
 * after the fact: a read of 256 KiB may drive the bucket into debt, and
 * the caller then waits (pauses reading, holds blocks) until the debt is
 * paid. So the long-run rate is exact whatever the size of each transfer,
 * while bursts stay bounded by `burst` plus one transfer. Rate 0 means no
 * limit: every check passes and nothing is counted.
 *
 * A zeroed bucket is an unlimited one. One thread. */
#ifndef BTT_BT_RATELIMIT_H
#define BTT_BT_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

/* The smallest burst: one block, so a limited peer can always move. */
#define BTT_RATELIMIT_MIN_BURST (16u << 10)
/* Tokens saved at most, as a fraction of the rate: 1/5 s worth. */
#define BTT_RATELIMIT_BURST_DIV 5

struct btt_ratelimit {
	uint64_t rate;	/* bytes per second; 0 = unlimited */
	uint64_t burst; /* cap on saved tokens */
	int64_t tokens; /* may be negative: debt */
	uint64_t last;	/* ms of the last refill */
	uint64_t frac;	/* sub-token remainder of the refill, in 1/1000 */
	uint64_t total; /* bytes counted since init */
};

/* Sets up a bucket with `rate` bytes/s (0: unlimited), full. */
void btt_ratelimit_init(struct btt_ratelimit *rl, uint64_t rate, uint64_t now);

/* Changes the rate; saved tokens are clipped to the new burst. */
void btt_ratelimit_set_rate(struct btt_ratelimit *rl, uint64_t rate,
			    uint64_t now);

/* Adds the tokens earned since the last refill. */
void btt_ratelimit_refill(struct btt_ratelimit *rl, uint64_t now);

/* True when a transfer may start now (unlimited, or tokens left). */
bool btt_ratelimit_ok(const struct btt_ratelimit *rl);

/* Takes n bytes' worth of tokens (possibly into debt). */
void btt_ratelimit_take(struct btt_ratelimit *rl, uint64_t n);

/* Milliseconds until btt_ratelimit_ok turns true (0 when it is). */
uint64_t btt_ratelimit_wait_ms(const struct btt_ratelimit *rl);

#endif
