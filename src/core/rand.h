/* Random numbers: the kernel CSPRNG (getrandom) by default, or a seeded
 * deterministic generator (xoshiro256**) that tests switch on to make
 * random choices repeatable.
 *
 * Every function may be called from any thread. Seeded mode is for tests
 * only: it is never suitable for keys. */
#ifndef BTT_CORE_RAND_H
#define BTT_CORE_RAND_H

#include <stddef.h>
#include <stdint.h>

/* Fills out with n random bytes. Cannot fail (aborts if the kernel
 * generator is unavailable, which no input can cause). */
void btt_rand_bytes(void *out, size_t n);

uint32_t btt_rand_u32(void);
uint64_t btt_rand_u64(void);

/* Uniform in [0, bound) without modulo bias; 0 when bound is 0. */
uint64_t btt_rand_uniform(uint64_t bound);

/* Switches every function above to a deterministic generator seeded from
 * `seed`; the same seed gives the same sequence of outputs. */
void btt_rand_set_seed(uint64_t seed);

/* Switches back to the kernel generator. */
void btt_rand_clear_seed(void);

#endif
