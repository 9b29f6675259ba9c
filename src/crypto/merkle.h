/* Binary SHA-256 Merkle trees in the BEP 52 layout.
 *
 * Leaves are SHA-256 hashes of 16 KiB blocks (the last block of a file is
 * hashed as-is, shorter). A layer is padded to a power of two: at the leaf
 * layer with all-zero hashes, at higher layers with the root of a subtree
 * of zero leaves of the same height (btt_merkle_pad). An inner node is
 * SHA-256(left || right). */
#ifndef BTT_CRYPTO_MERKLE_H
#define BTT_CRYPTO_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define BTT_MERKLE_BLOCK (16u << 10)
#define BTT_MERKLE_HASH 32

/* The root of a perfect subtree of 2^height zero leaves. height <= 63. */
void btt_merkle_pad(unsigned height, uint8_t out[BTT_MERKLE_HASH]);

/* Reduces `n` node hashes (n >= 1) padded with `pad` up to `width` (a
 * power of two >= n) to their root. `nodes` is used as scratch and is
 * overwritten. `pad` NULL means all-zero. Returns 0, or BTT_EINVALID when
 * width is not a power of two >= n. */
int btt_merkle_root(uint8_t (*nodes)[BTT_MERKLE_HASH], size_t n, size_t width,
		    const uint8_t *pad, uint8_t out[BTT_MERKLE_HASH]);

/* Smallest power of two >= n (1 for n = 0; 0 when it does not fit in
 * size_t). */
size_t btt_merkle_width(size_t n);

#endif
