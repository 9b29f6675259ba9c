/* BEP 6 allowed-fast sets: the canonical set of pieces a peer may request
 * while choked, computed from its IPv4 address (masked to /24) and the
 * info-hash exactly as BEP 6's algorithm says, so that any two clients
 * offering k pieces to one peer offer the same k.
 *
 * BEP 6 has no provision for IPv6; btt offers no set to IPv6 peers. */
#ifndef BTT_BT_FAST_H
#define BTT_BT_FAST_H

#include <stdint.h>

#define BTT_FAST_DEFAULT_K 10 /* BEP 6: "We currently set k to 10" */

/* Computes the allowed-fast set for the peer at `ipv4` (host order:
 * 127.0.0.1 is 0x7f000001) in a torrent of `npieces` pieces whose
 * swarm uses the 20-byte `info_hash` (the one in the handshake). Writes min(k,
 * npieces) distinct piece indexes to out (room for k), in BEP 6 order, and
 * returns how many. k is capped at BTT_FAST_MAX_K; npieces 0 gives an empty
 * set. */
uint32_t btt_fast_set(const uint8_t info_hash[20], uint32_t ipv4,
		      uint32_t npieces, uint32_t k, uint32_t *out);

#endif
