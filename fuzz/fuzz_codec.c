// modules: crypto core
/* Fuzzes the text decoders (hex, base32, base58, base58check) and the BEP 3
 * bitfield import with the same bytes.
 *
 * Invariants checked (abort on violation): whatever a decoder accepts
 * re-encodes to the input (case-folded for hex and base32, exactly for
 * base58, which is canonical); an accepted bitfield exports back to the
 * input and its running count equals a recount. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/bitfield.h"
#include "core/codec.h"
#include "core/limits.h"
#include "crypto/b58check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_IN 4096

static void check(bool ok)
{
	if (!ok)
		abort();
}

static bool same_folded(const char *a, const char *b, size_t n, bool upper)
{
	for (size_t i = 0; i < n; i++) {
		char x = a[i], y = b[i];
		if (upper && x >= 'a' && x <= 'z')
			x = (char)(x - 'a' + 'A');
		if (!upper && x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

static void fuzz_hex(const char *s, size_t n, uint8_t *bin, char *txt)
{
	if (btt_hex_decode(s, n, bin, n / 2) != 0)
		return;
	check(n % 2 == 0);
	btt_hex_encode(bin, n / 2, txt);
	check(same_folded(s, txt, n, false));
}

static void fuzz_base32(const char *s, size_t n, uint8_t *bin, char *txt)
{
	size_t out_len = n * 5 / 8;
	if (btt_base32_decode(s, n, bin, out_len) != 0)
		return;
	btt_base32_encode(bin, out_len, txt);
	check(strlen(txt) == n && same_folded(s, txt, n, true));
}

static void fuzz_base58(const char *s, size_t n, uint8_t *bin, char *txt)
{
	int r = btt_base58_decode(s, n, bin, MAX_IN);
	if (r >= 0 && r <= BTT_BASE58_MAX_BYTES) {
		int e = btt_base58_encode(bin, (size_t)r, txt, MAX_IN);
		check(e >= 0 && (size_t)e == n && memcmp(s, txt, n) == 0);
	}
	r = btt_base58check_decode(s, n, bin, MAX_IN);
	if (r >= 0 && r <= BTT_BASE58_MAX_BYTES - BTT_B58CHECK_SUM) {
		int e = btt_base58check_encode(bin, (size_t)r, txt, MAX_IN);
		check(e >= 0 && (size_t)e == n && memcmp(s, txt, n) == 0);
	}
}

/* The first byte picks how many spare bits the last byte has. */
static void fuzz_bitfield(const uint8_t *data, size_t size, uint8_t *bin)
{
	struct btt_bitfield b;
	size_t nbits, count = 0;

	if (size < 2)
		return;
	nbits = (size - 1) * 8 - data[0] % 8;
	if (btt_bitfield_init(&b, nbits) != 0)
		abort();
	if (btt_bitfield_import(&b, data + 1, size - 1) == 0) {
		btt_bitfield_export(&b, bin);
		check(memcmp(bin, data + 1, size - 1) == 0);
		for (size_t i = btt_bitfield_find_next_set(&b, 0); i < nbits;
		     i = btt_bitfield_find_next_set(&b, i + 1))
			count++;
		check(count == btt_bitfield_count(&b));
	}
	btt_bitfield_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *bin;
	char *txt;

	if (size > MAX_IN)
		return 0;
	bin = malloc(MAX_IN);
	txt = malloc(2 * MAX_IN + 1);
	if (!bin || !txt)
		abort();
	fuzz_hex((const char *)data, size, bin, txt);
	fuzz_base32((const char *)data, size, bin, txt);
	fuzz_base58((const char *)data, size, bin, txt);
	fuzz_bitfield(data, size, bin);
	free(bin);
	free(txt);
	return 0;
}
