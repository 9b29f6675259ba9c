/* Time sources: a monotonic clock for timeouts and rates, and the wall
 * clock for what is shown to people or stored with a date.
 *
 * Protocol cores never read the clock; the glue that drives them does, and
 * passes `now` in. Tests replace the source with btt_clock_set_source()
 * (for example with btt_clock_fake_source) to make time deterministic. */
#ifndef BTT_CORE_CLOCK_H
#define BTT_CORE_CLOCK_H

#include <stdint.h>

enum btt_clock_kind {
	BTT_CLOCK_MONO = 0, /* arbitrary epoch, never goes backwards */
	BTT_CLOCK_WALL = 1, /* since 1970-01-01 UTC; may jump */
};

/* Returns the current time of `kind` in nanoseconds. */
typedef uint64_t (*btt_clock_source_fn)(enum btt_clock_kind kind, void *arg);

/* Monotonic time in nanoseconds / milliseconds. Any thread. */
uint64_t btt_clock_now_ns(void);
uint64_t btt_clock_now_ms(void);

/* Wall-clock seconds since the Unix epoch (0 if the clock is set before
 * it). Any thread. */
int64_t btt_clock_wall_s(void);

/* Replaces the time source; NULL restores the system clocks. Set it before
 * other threads read the clock (tests, start-up). */
void btt_clock_set_source(btt_clock_source_fn fn, void *arg);

/* A settable clock for tests: pass btt_clock_fake_source with a pointer to
 * one of these, then move the fields forward by hand. */
struct btt_clock_fake {
	uint64_t mono_ns;
	uint64_t wall_ns;
};
uint64_t btt_clock_fake_source(enum btt_clock_kind kind, void *arg);

#endif
