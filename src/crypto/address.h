/* Account addresses: 20 bytes, shown two ways.
 *
 * address = last 20 bytes of keccak256(X || Y) of the uncompressed public
 * key, as in Ethereum, BTTC and TRON. Text forms:
 *   - "0x" + 40 hex digits with the EIP-55 mixed-case checksum (42 chars);
 *   - TRON: base58check of 0x41 || address, always 34 chars starting 'T'.
 * Parsers take untrusted text; both forms parse to the same 20 bytes. */
#ifndef BTT_CRYPTO_ADDRESS_H
#define BTT_CRYPTO_ADDRESS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/secp.h"

#define BTT_ADDR_LEN 20
#define BTT_ADDR_HEX_CHARS 42  /* "0x" + 40 */
#define BTT_ADDR_TRON_CHARS 34 /* 'T' + 33 */
#define BTT_ADDR_TRON_PREFIX 0x41

/* The address of an uncompressed public key (0x04 || X || Y). Returns 0
 * or BTT_EINVALID when pub does not start with 0x04. */
int btt_addr_from_pub(const uint8_t pub[BTT_SECP_PUB_LEN],
		      uint8_t out[BTT_ADDR_LEN]);

/* The address of a private key. Returns 0 or BTT_EINVALID (bad key). */
int btt_addr_from_key(const uint8_t key[BTT_SECP_PRIV_LEN],
		      uint8_t out[BTT_ADDR_LEN]);

/* EIP-55 text into out (BTT_ADDR_HEX_CHARS + 1 bytes, NUL-terminated). */
void btt_addr_hex_encode(const uint8_t addr[BTT_ADDR_LEN],
			 char out[BTT_ADDR_HEX_CHARS + 1]);

/* Parses "0x" + 40 hex digits that are all lower case, all upper case, or
 * mixed case with a correct EIP-55 checksum. Returns 0, BTT_EINVALID
 * (wrong length or prefix), BTT_EMALFORMED (not hex) or BTT_ECHECKSUM. */
int btt_addr_hex_decode(const char *s, size_t len, uint8_t out[BTT_ADDR_LEN]);

/* TRON text into out (BTT_ADDR_TRON_CHARS + 1 bytes, NUL-terminated). */
void btt_addr_tron_encode(const uint8_t addr[BTT_ADDR_LEN],
			  char out[BTT_ADDR_TRON_CHARS + 1]);

/* Parses a TRON address. Returns 0, BTT_EINVALID (wrong length, no 'T',
 * wrong version byte), BTT_EMALFORMED (not base58) or BTT_ECHECKSUM. */
int btt_addr_tron_decode(const char *s, size_t len, uint8_t out[BTT_ADDR_LEN]);

/* Parses either form, chosen by the leading "0x" or 'T'. Errors as above. */
int btt_addr_parse(const char *s, size_t len, uint8_t out[BTT_ADDR_LEN]);

#endif
