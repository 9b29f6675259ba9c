/* JSON nesting pre-scan (see json.h). One pass, no allocation. */
#include <stdbool.h>

#include "core/json.h"

size_t btt_json_depth(const uint8_t *p, size_t n, size_t limit)
{
	size_t depth = 0, max = 0;
	bool in_str = false, esc = false;

	for (size_t i = 0; i < n && max <= limit; i++) {
		uint8_t c = p[i];
		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (++depth > max)
				max = depth;
		} else if ((c == '}' || c == ']') && depth) {
			depth--;
		}
	}
	return max;
}
