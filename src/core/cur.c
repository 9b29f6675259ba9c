/* Out-of-line byte cursor helpers (the small getters are inline in cur.h). */
#include "core/cur.h"

bool btt_cur_get_dec(struct btt_cur *c, unsigned max_digits, uint64_t max,
		     bool allow_zeros, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	while (i < c->len && c->p[i] >= '0' && c->p[i] <= '9') {
		unsigned d = (unsigned)(c->p[i] - '0');
		if (i >= max_digits)
			return false;
		if (d > max || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
		i++;
	}
	if (i == 0)
		return false;
	if (!allow_zeros && i > 1 && c->p[0] == '0')
		return false;
	*out = v;
	c->p += i;
	c->len -= i;
	return true;
}
