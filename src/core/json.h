/* A pre-scan of untrusted JSON text, run before handing it to a parser
 * that recurses (jansson): the deepest nesting of arrays and objects.
 * Brackets inside strings do not count; escapes are skipped. The text need
 * not be valid JSON; the parser judges that afterwards. */
#ifndef BTT_CORE_JSON_H
#define BTT_CORE_JSON_H

#include <stddef.h>
#include <stdint.h>

/* The maximum nesting depth of p[0..n), or a value above `limit` as soon
 * as the depth exceeds it (the scan stops there). */
size_t btt_json_depth(const uint8_t *p, size_t n, size_t limit);

#endif
