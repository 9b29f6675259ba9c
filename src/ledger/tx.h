/* Ledger transactions: the one canonical binary encoding, the signing
 * hash, signatures, fees, and the payloads of the bank operations.
 *
 * Encoding (all integers big-endian, no optional fields; docs/ledger.md):
 *   u8 version (= 1) | u64 chain_id | u16 type | from[20] | u64 nonce |
 *   u128 max_fee (16 bytes) | u64 expiry_height | u32 payload_len |
 *   payload[payload_len] | sig[65] = r || s || v
 * payload_len <= BTT_TX_MAX_PAYLOAD. Decoders reject short input, unknown
 * versions, oversized payloads and trailing bytes, so every accepted byte
 * string re-encodes to itself.
 *
 * Signing hash = keccak256("BTT-TX-v1" || u64 chain_id || encoding without
 * sig). txid = keccak256(whole encoding). A decoded struct borrows its
 * payload from the input buffer; it dies with that buffer. */
#ifndef BTT_LEDGER_TX_H
#define BTT_LEDGER_TX_H

#include <stddef.h>
#include <stdint.h>

#include "core/cur.h"
#include "core/limits.h"
#include "core/wbuf.h"
#include "crypto/address.h"
#include "crypto/secp.h"
#include "ledger/u128.h"

#define BTT_TX_VERSION 1
#define BTT_TX_SIGHASH_TAG "BTT-TX-v1" /* 9 bytes, no NUL */
/* Everything before the payload bytes: 1+8+2+20+8+16+8+4. */
#define BTT_TX_HEAD_LEN 67
#define BTT_TX_FIXED_LEN (BTT_TX_HEAD_LEN + BTT_SECP_SIG_LEN) /* 132 */
#define BTT_TX_MAX_LEN (BTT_TX_FIXED_LEN + BTT_TX_MAX_PAYLOAD)
#define BTT_TX_HASH_LEN 32

/* Fee = BTT_TX_FEE_BASE + BTT_TX_FEE_PER_BYTE * encoded length, in base
 * units. A 168-byte transfer costs 0.001168 BTT. Starting values; they
 * become governance parameters with the state module. */
#define BTT_TX_FEE_BASE ((btt_u128)1000000000000000ull)	 /* 0.001 BTT */
#define BTT_TX_FEE_PER_BYTE ((btt_u128)1000000000000ull) /* 1e-6 BTT */

/* Operation codes: high byte = module, low byte = operation. */
enum btt_tx_type {
	BTT_TX_TRANSFER = 0x0101,	/* bank: one recipient */
	BTT_TX_MULTI_TRANSFER = 0x0102, /* bank: 1..BTT_TX_MAX_TRANSFERS */
};

struct btt_tx {
	uint8_t version;
	uint64_t chain_id;
	uint16_t type;
	uint8_t from[BTT_ADDR_LEN];
	uint64_t nonce;
	btt_u128 max_fee;
	uint64_t expiry_height; /* 0 = never expires */
	const uint8_t *payload; /* borrowed; may be NULL when payload_len 0 */
	size_t payload_len;
	uint8_t sig[BTT_SECP_SIG_LEN];
};

/* Encoded size (BTT_TX_FIXED_LEN + payload_len). */
size_t btt_ledger_tx_len(const struct btt_tx *tx);

/* Appends the full encoding to w. Returns 0, BTT_EUNSUPPORTED (version),
 * BTT_ELIMIT (payload too large) or the wbuf's sticky error. */
int btt_ledger_tx_encode(const struct btt_tx *tx, struct btt_wbuf *w);

/* Reads one transaction from the cursor and advances past it, only on
 * success; out borrows from the cursor's buffer. Returns 0,
 * BTT_ETRUNCATED, BTT_EUNSUPPORTED (version) or BTT_ELIMIT (payload). */
int btt_ledger_tx_get(struct btt_cur *c, struct btt_tx *out);

/* Decodes exactly one transaction filling all of p; as _get, plus
 * BTT_ETRAILING when bytes follow it. */
int btt_ledger_tx_decode(const uint8_t *p, size_t n, struct btt_tx *out);

/* The hash that sig signs. Returns 0, BTT_EUNSUPPORTED or BTT_ELIMIT. */
int btt_ledger_tx_sighash(const struct btt_tx *tx,
			  uint8_t out[BTT_TX_HASH_LEN]);

/* The transaction id: keccak256 of the whole encoding, sig included.
 * Returns 0, BTT_EUNSUPPORTED or BTT_ELIMIT. */
int btt_ledger_tx_id(const struct btt_tx *tx, uint8_t out[BTT_TX_HASH_LEN]);

/* Sets tx->from to the key's address and tx->sig to a signature over the
 * signing hash. The key stays the caller's to wipe. Returns 0,
 * BTT_EINVALID (bad key) or an error from _sighash. */
int btt_ledger_tx_sign(struct btt_tx *tx, const uint8_t key[BTT_SECP_PRIV_LEN]);

/* Checks that sig is canonical (low S, v <= 1) and recovers to tx->from.
 * Returns 0, BTT_ESIGNATURE, or an error from _sighash. */
int btt_ledger_tx_verify(const struct btt_tx *tx);

/* The fee this transaction costs (independent of max_fee). */
btt_u128 btt_ledger_tx_fee(const struct btt_tx *tx);

/* Checks the payload against the layout of tx->type. Returns 0,
 * BTT_EUNSUPPORTED (unknown type) or a payload decoder's error. */
int btt_ledger_tx_payload_check(const struct btt_tx *tx);

/* TRANSFER payload: to[20] | u128 amount (exactly 36 bytes). */
#define BTT_TX_TRANSFER_LEN (BTT_ADDR_LEN + BTT_U128_LEN)

struct btt_tx_transfer {
	uint8_t to[BTT_ADDR_LEN];
	btt_u128 amount;
};

/* Returns 0, BTT_ETRUNCATED or BTT_ETRAILING. */
int btt_ledger_transfer_decode(const uint8_t *p, size_t n,
			       struct btt_tx_transfer *out);
void btt_ledger_transfer_encode(const struct btt_tx_transfer *t,
				struct btt_wbuf *w);

/* MULTI_TRANSFER payload: u16 count (1..BTT_TX_MAX_TRANSFERS) followed by
 * count TRANSFER entries. Decoding makes a view, not a copy. */
struct btt_tx_multi {
	const uint8_t *entries; /* borrowed, count * BTT_TX_TRANSFER_LEN */
	size_t count;
};

/* Returns 0, BTT_ETRUNCATED, BTT_ETRAILING, BTT_EMALFORMED (count 0) or
 * BTT_ELIMIT (count above the cap). */
int btt_ledger_multi_decode(const uint8_t *p, size_t n,
			    struct btt_tx_multi *out);

/* Entry i (< m->count) of a decoded multi-transfer. */
void btt_ledger_multi_entry(const struct btt_tx_multi *m, size_t i,
			    struct btt_tx_transfer *out);

/* Appends a multi-transfer payload. Returns 0, BTT_EINVALID (count 0),
 * BTT_ELIMIT (count above the cap) or the wbuf's sticky error. */
int btt_ledger_multi_encode(const struct btt_tx_transfer *items, size_t count,
			    struct btt_wbuf *w);

#endif
