/* SipHash keyed hashes (Aumasson and Bernstein): a PRF on short inputs.
 *
 * SipHash-2-4 is the conservative variant, for tokens and anything an
 * attacker sees the output of. SipHash-1-3 is faster and is what hash
 * tables use against collision flooding (outputs stay in the process). */
#ifndef BTT_CORE_SIPHASH_H
#define BTT_CORE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define BTT_SIPHASH_KEY 16

uint64_t btt_siphash24(const uint8_t key[BTT_SIPHASH_KEY], const void *p,
		       size_t n);
uint64_t btt_siphash13(const uint8_t key[BTT_SIPHASH_KEY], const void *p,
		       size_t n);

#endif
