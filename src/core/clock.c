/* Clocks: CLOCK_MONOTONIC and CLOCK_REALTIME, or a replacement source.
 *
 * The source is two plain globals written only by btt_clock_set_source,
 * which callers use before threads start, so reads need no lock. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/clock.h"

static btt_clock_source_fn clock_fn;
static void *clock_arg;

static uint64_t system_ns(enum btt_clock_kind kind)
{
	struct timespec ts;

	if (clock_gettime(kind == BTT_CLOCK_MONO ? CLOCK_MONOTONIC
						 : CLOCK_REALTIME,
			  &ts) != 0) {
		/* Only possible with an invalid clock id: a build bug. */
		fprintf(stderr, "btt: fatal: clock_gettime failed\n");
		abort();
	}
	if (ts.tv_sec < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t read_ns(enum btt_clock_kind kind)
{
	if (clock_fn)
		return clock_fn(kind, clock_arg);
	return system_ns(kind);
}

uint64_t btt_clock_now_ns(void)
{
	return read_ns(BTT_CLOCK_MONO);
}

uint64_t btt_clock_now_ms(void)
{
	return read_ns(BTT_CLOCK_MONO) / 1000000u;
}

int64_t btt_clock_wall_s(void)
{
	return (int64_t)(read_ns(BTT_CLOCK_WALL) / 1000000000u);
}

void btt_clock_set_source(btt_clock_source_fn fn, void *arg)
{
	clock_fn = fn;
	clock_arg = fn ? arg : NULL;
}

uint64_t btt_clock_fake_source(enum btt_clock_kind kind, void *arg)
{
	const struct btt_clock_fake *f = arg;
	return kind == BTT_CLOCK_MONO ? f->mono_ns : f->wall_ns;
}
