/* Address derivation and the EIP-55 and TRON text forms.
 *
 * Parsing is strict: exact lengths, one prefix spelling ("0x", 'T'), and a
 * mixed-case hex address must carry a correct EIP-55 checksum, so a typo in
 * a pasted address fails instead of sending funds to a stranger. */
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "core/codec.h"
#include "crypto/address.h"
#include "crypto/b58check.h"
#include "crypto/hash.h"

int btt_addr_from_pub(const uint8_t pub[BTT_SECP_PUB_LEN],
		      uint8_t out[BTT_ADDR_LEN])
{
	uint8_t h[BTT_KECCAK256_LEN];

	if (pub[0] != 0x04)
		return BTT_EINVALID;
	btt_keccak256(pub + 1, BTT_SECP_PUB_LEN - 1, h);
	memcpy(out, h + sizeof(h) - BTT_ADDR_LEN, BTT_ADDR_LEN);
	return 0;
}

int btt_addr_from_key(const uint8_t key[BTT_SECP_PRIV_LEN],
		      uint8_t out[BTT_ADDR_LEN])
{
	uint8_t pub[BTT_SECP_PUB_LEN];
	int err = btt_secp_pub_derive(key, pub);
	if (err)
		return err;
	return btt_addr_from_pub(pub, out);
}

/* Applies the EIP-55 case rule to 40 lower-case hex digits in place: a
 * letter becomes upper case when the matching nibble of keccak256 of the
 * lower-case text is 8 or more. */
static void eip55_apply(char hex[40])
{
	uint8_t h[BTT_KECCAK256_LEN];

	btt_keccak256(hex, 40, h);
	for (int i = 0; i < 40; i++) {
		unsigned nib = i % 2 ? h[i / 2] & 0x0f : h[i / 2] >> 4;
		if (hex[i] >= 'a' && hex[i] <= 'f' && nib >= 8)
			hex[i] = (char)(hex[i] - 'a' + 'A');
	}
}

void btt_addr_hex_encode(const uint8_t addr[BTT_ADDR_LEN],
			 char out[BTT_ADDR_HEX_CHARS + 1])
{
	out[0] = '0';
	out[1] = 'x';
	btt_hex_encode(addr, BTT_ADDR_LEN, out + 2);
	eip55_apply(out + 2);
}

int btt_addr_hex_decode(const char *s, size_t len, uint8_t out[BTT_ADDR_LEN])
{
	char want[BTT_ADDR_HEX_CHARS + 1];
	bool lower = false, upper = false;
	uint8_t a[BTT_ADDR_LEN];

	if (len != BTT_ADDR_HEX_CHARS || s[0] != '0' || s[1] != 'x')
		return BTT_EINVALID;
	if (btt_hex_decode(s + 2, 40, a, sizeof(a)) != 0)
		return BTT_EMALFORMED;
	for (size_t i = 2; i < len; i++) {
		lower |= s[i] >= 'a' && s[i] <= 'f';
		upper |= s[i] >= 'A' && s[i] <= 'F';
	}
	if (lower && upper) {
		btt_addr_hex_encode(a, want);
		if (memcmp(want, s, BTT_ADDR_HEX_CHARS) != 0)
			return BTT_ECHECKSUM;
	}
	memcpy(out, a, BTT_ADDR_LEN);
	return 0;
}

void btt_addr_tron_encode(const uint8_t addr[BTT_ADDR_LEN],
			  char out[BTT_ADDR_TRON_CHARS + 1])
{
	uint8_t raw[1 + BTT_ADDR_LEN];
	int n;

	raw[0] = BTT_ADDR_TRON_PREFIX;
	memcpy(raw + 1, addr, BTT_ADDR_LEN);
	/* 25 bytes whose first is 0x41 always give 34 characters. */
	n = btt_base58check_encode(raw, sizeof(raw), out,
				   BTT_ADDR_TRON_CHARS + 1);
	if (n != BTT_ADDR_TRON_CHARS)
		abort();
}

int btt_addr_tron_decode(const char *s, size_t len, uint8_t out[BTT_ADDR_LEN])
{
	/* Room for more than one address, so that a longer payload is
	 * reported as the wrong length rather than overflowing. */
	uint8_t raw[32];
	int n;

	if (len != BTT_ADDR_TRON_CHARS || s[0] != 'T')
		return BTT_EINVALID;
	n = btt_base58check_decode(s, len, raw, sizeof(raw));
	if (n < 0)
		return n == BTT_ENOSPACE ? BTT_EINVALID : n;
	if (n != 1 + BTT_ADDR_LEN || raw[0] != BTT_ADDR_TRON_PREFIX)
		return BTT_EINVALID;
	memcpy(out, raw + 1, BTT_ADDR_LEN);
	return 0;
}

int btt_addr_parse(const char *s, size_t len, uint8_t out[BTT_ADDR_LEN])
{
	if (len >= 2 && s[0] == '0' && s[1] == 'x')
		return btt_addr_hex_decode(s, len, out);
	if (len >= 1 && s[0] == 'T')
		return btt_addr_tron_decode(s, len, out);
	return BTT_EINVALID;
}
