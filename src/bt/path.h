/* Safe relative paths from untrusted torrents.
 *
 * Every path component and torrent name passes btt_path_component_check
 * before it is joined; the joined path obeys the BTT_METAINFO_MAX_PATH_*
 * limits. The rules (one rejection each, BTT_EPATH): empty, "." or "..",
 * '/', '\\', NUL or any byte < 0x20 or 0x7f, a Windows drive prefix
 * ("C:"), a reserved device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9,
 * any case, with or without an extension), more than
 * BTT_METAINFO_MAX_NAME_LEN bytes, invalid UTF-8 (overlong forms,
 * surrogates and code points above U+10FFFF included). A joined path is
 * therefore relative, cannot climb out of its directory, and means the
 * same thing on POSIX and Windows. */
#ifndef BTT_BT_PATH_H
#define BTT_BT_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"

/* The length (1..4) of the well-formed UTF-8 character at p[0..n), or 0
 * when the bytes there are not one (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF). */
size_t btt_path_utf8_char(const void *p, size_t n);

/* True when p[0..n) is well-formed UTF-8. */
bool btt_path_utf8_valid(const void *p, size_t n);

/* Returns 0 when p[0..n) is a safe single component, else BTT_EPATH with
 * *out_why (if not NULL) set to a static reason ("component is \"..\""). */
int btt_path_component_check(const void *p, size_t n, const char **out_why);

/* A path being built component by component. Zeroed is the empty path. */
struct btt_path_buf {
	char buf[BTT_METAINFO_MAX_PATH_LEN + 1]; /* NUL-terminated */
	size_t len;
	unsigned depth; /* components */
};

/* Checks and appends one component (with a '/' unless first). Returns 0,
 * or BTT_EPATH (unsafe component, too many components, too long) with
 * *out_why set; pb is unchanged on failure. */
int btt_path_buf_push(struct btt_path_buf *pb, const void *p, size_t n,
		      const char **out_why);

/* Cuts pb back to `len` bytes and `depth` components (values saved
 * before pushing). */
void btt_path_buf_truncate(struct btt_path_buf *pb, size_t len, unsigned depth);

/* Checks that no two of the n paths are equal (case-sensitive) and that
 * none is a directory prefix of another ("a" and "a/b" cannot both be
 * files). NULL entries are skipped. Returns 0, or BTT_EPATH with the two
 * clashing indices in *out_a < *out_b. O(n log n), allocates n indices. */
int btt_path_dups_check(const char *const *paths, size_t n, size_t *out_a,
			size_t *out_b);

#endif
