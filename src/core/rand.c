/* Random numbers from getrandom(2), or from xoshiro256** when seeded.
 *
 * The kernel path keeps no state in the process, so nothing can leak into
 * a forked child or repeat. The seeded path is one global generator behind
 * a mutex; `seeded` is read without the lock first so the normal path never
 * touches the mutex. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/rand.h"

static atomic_bool seeded;
static pthread_mutex_t seed_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t xs[4]; /* xoshiro256** state, under seed_lock */

static inline uint64_t rotl64(uint64_t v, unsigned n)
{
	return (v << n) | (v >> (64 - n));
}

/* splitmix64 expands the one seed word into a full, non-zero state. */
static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t xoshiro_next(void)
{
	uint64_t r = rotl64(xs[1] * 5, 7) * 9;
	uint64_t t = xs[1] << 17;

	xs[2] ^= xs[0];
	xs[3] ^= xs[1];
	xs[1] ^= xs[2];
	xs[0] ^= xs[3];
	xs[2] ^= t;
	xs[3] = rotl64(xs[3], 45);
	return r;
}

static void kernel_bytes(uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t r = getrandom(p, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "btt: fatal: getrandom: %s\n",
				strerror(errno));
			abort();
		}
		p += r;
		n -= (size_t)r;
	}
}

/* Returns false (and does nothing) when not seeded. */
static bool seeded_bytes(uint8_t *p, size_t n)
{
	if (!atomic_load_explicit(&seeded, memory_order_acquire))
		return false;
	pthread_mutex_lock(&seed_lock);
	while (n > 0) {
		uint64_t v = xoshiro_next();
		size_t take = n < 8 ? n : 8;
		for (size_t i = 0; i < take; i++)
			p[i] = (uint8_t)(v >> (8 * i));
		p += take;
		n -= take;
	}
	pthread_mutex_unlock(&seed_lock);
	return true;
}

void btt_rand_bytes(void *out, size_t n)
{
	if (!seeded_bytes(out, n))
		kernel_bytes(out, n);
}

uint32_t btt_rand_u32(void)
{
	uint8_t b[4];
	btt_rand_bytes(b, sizeof(b));
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

uint64_t btt_rand_u64(void)
{
	uint8_t b[8];
	uint64_t v = 0;
	btt_rand_bytes(b, sizeof(b));
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

uint64_t btt_rand_uniform(uint64_t bound)
{
	uint64_t r, min;

	if (bound == 0)
		return 0;
	/* Values below 2^64 mod bound would make the low residues more
	 * likely; drawing again when one comes up removes the bias. */
	min = (0 - bound) % bound;
	do
		r = btt_rand_u64();
	while (r < min);
	return r % bound;
}

void btt_rand_set_seed(uint64_t seed)
{
	pthread_mutex_lock(&seed_lock);
	for (int i = 0; i < 4; i++)
		xs[i] = splitmix64(&seed);
	pthread_mutex_unlock(&seed_lock);
	atomic_store_explicit(&seeded, true, memory_order_release);
}

void btt_rand_clear_seed(void)
{
	atomic_store_explicit(&seeded, false, memory_order_release);
}
