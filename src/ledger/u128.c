/* Decimal text <-> u128 for amounts. Parsing reads untrusted text (RPC
 * parameters, command lines, genesis files) through the byte cursor and
 * accepts exactly one spelling per value. */
#include "btt/err.h"
#include "ledger/u128.h"

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

bool btt_u128_get_dec(struct btt_cur *c, btt_u128 *out)
{
	const uint8_t *p = btt_cur_data(c);
	size_t n = btt_cur_len(c), i = 0;
	btt_u128 v = 0;

	while (i < n && is_digit(p[i])) {
		unsigned d = (unsigned)(p[i] - '0');
		if (v > (BTT_U128_MAX - d) / 10)
			return false;
		v = v * 10 + d;
		i++;
	}
	if (i == 0 || (i > 1 && p[0] == '0'))
		return false;
	*out = v;
	return btt_cur_skip(c, i);
}

int btt_u128_from_dec(const char *s, size_t len, btt_u128 *out)
{
	struct btt_cur c;
	size_t i = 0;

	/* Classify first so callers learn why the text was refused. */
	while (i < len && is_digit((uint8_t)s[i]))
		i++;
	if (len == 0 || i != len)
		return BTT_EMALFORMED;
	if (len > 1 && s[0] == '0')
		return BTT_ENONCANONICAL;
	btt_cur_init(&c, s, len);
	if (!btt_u128_get_dec(&c, out))
		return BTT_EOVERFLOW;
	return 0;
}

size_t btt_u128_to_dec(btt_u128 v, char out[BTT_U128_DEC_MAX + 1])
{
	char tmp[BTT_U128_DEC_MAX];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + (unsigned)(v % 10));
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
	return n;
}
