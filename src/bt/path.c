/* Path sanitising for torrent names, file paths and symlink targets.
 *
 * Invariant: a btt_path_buf only ever holds components that passed
 * btt_path_component_check, joined by single '/', within the depth and
 * length limits; so its contents are always a safe relative path. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "bt/path.h"

size_t btt_path_utf8_char(const void *p, size_t n)
{
	const uint8_t *s = p;
	size_t k;
	uint32_t cp, min;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		k = 1, cp = s[0] & 0x1f, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		k = 2, cp = s[0] & 0x0f, min = 0x800;
	else if ((s[0] & 0xf8) == 0xf0)
		k = 3, cp = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (n <= k)
		return 0;
	for (size_t j = 1; j <= k; j++) {
		if ((s[j] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[j] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates, beyond Unicode. */
	if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return k + 1;
}

bool btt_path_utf8_valid(const void *p, size_t n)
{
	const uint8_t *s = p;
	size_t i = 0, k;

	while (i < n) {
		if (!(k = btt_path_utf8_char(s + i, n - i)))
			return false;
		i += k;
	}
	return true;
}

static uint8_t upper(uint8_t c)
{
	return c >= 'a' && c <= 'z' ? (uint8_t)(c - 0x20) : c;
}

/* Windows maps these names to devices whatever the extension, and ignores
 * trailing spaces before it: "con.txt" and "Nul .tar" are devices. */
static bool is_device_name(const uint8_t *p, size_t n)
{
	static const char *const three[] = {"CON", "PRN", "AUX", "NUL"};
	const uint8_t *dot = memchr(p, '.', n);
	size_t base = dot ? (size_t)(dot - p) : n;
	uint8_t b[4];

	while (base > 0 && p[base - 1] == ' ')
		base--;
	if (base != 3 && base != 4)
		return false;
	for (size_t i = 0; i < base; i++)
		b[i] = upper(p[i]);
	if (base == 3) {
		for (size_t i = 0; i < sizeof(three) / sizeof(*three); i++)
			if (!memcmp(b, three[i], 3))
				return true;
		return false;
	}
	return (!memcmp(b, "COM", 3) || !memcmp(b, "LPT", 3)) && b[3] >= '1' &&
	       b[3] <= '9';
}

int btt_path_component_check(const void *p, size_t n, const char **out_why)
{
	const uint8_t *s = p;
	const char *why = NULL;

	if (n == 0)
		why = "empty path component";
	else if (n > BTT_METAINFO_MAX_NAME_LEN)
		why = "path component longer than 255 bytes";
	else if ((n == 1 && s[0] == '.') ||
		 (n == 2 && s[0] == '.' && s[1] == '.'))
		why = n == 1 ? "path component is \".\""
			     : "path component is \"..\"";
	for (size_t i = 0; !why && i < n; i++) {
		if (s[i] == '/')
			why = "path component contains '/'";
		else if (s[i] == '\\')
			why = "path component contains '\\'";
		else if (s[i] == 0)
			why = "path component contains a NUL byte";
		else if (s[i] < 0x20 || s[i] == 0x7f)
			why = "path component contains a control character";
	}
	if (!why && n >= 2 && s[1] == ':' && upper(s[0]) >= 'A' &&
	    upper(s[0]) <= 'Z')
		why = "path component starts with a drive letter";
	if (!why && is_device_name(s, n))
		why = "path component is a reserved device name";
	if (!why && !btt_path_utf8_valid(s, n))
		why = "path component is not valid UTF-8";
	if (why) {
		if (out_why)
			*out_why = why;
		return BTT_EPATH;
	}
	return 0;
}

int btt_path_buf_push(struct btt_path_buf *pb, const void *p, size_t n,
		      const char **out_why)
{
	size_t sep = pb->len ? 1 : 0;
	int err = btt_path_component_check(p, n, out_why);

	if (err)
		return err;
	if (pb->depth >= BTT_METAINFO_MAX_PATH_DEPTH) {
		if (out_why)
			*out_why = "path has more than 64 components";
		return BTT_EPATH;
	}
	if (pb->len + sep + n > BTT_METAINFO_MAX_PATH_LEN) {
		if (out_why)
			*out_why = "path longer than 4096 bytes";
		return BTT_EPATH;
	}
	if (sep)
		pb->buf[pb->len] = '/';
	memcpy(pb->buf + pb->len + sep, p, n);
	pb->len += sep + n;
	pb->buf[pb->len] = 0;
	pb->depth++;
	return 0;
}

void btt_path_buf_truncate(struct btt_path_buf *pb, size_t len, unsigned depth)
{
	if (len <= pb->len) {
		pb->len = len;
		pb->buf[len] = 0;
		pb->depth = depth;
	}
}

struct path_ent {
	const char *p;
	size_t idx;
};

/* Orders '/' before every other byte, so that "a" is followed directly
 * by everything under "a/" and a directory clash shows up as neighbours.
 * Ties (equal paths) fall back to the index to keep the sort stable. */
static int path_cmp(const void *va, const void *vb)
{
	const struct path_ent *a = va, *b = vb;
	const uint8_t *x = (const uint8_t *)a->p, *y = (const uint8_t *)b->p;

	for (;; x++, y++) {
		unsigned cx = *x == '/' ? 1 : *x ? (unsigned)*x + 1 : 0;
		unsigned cy = *y == '/' ? 1 : *y ? (unsigned)*y + 1 : 0;
		if (cx != cy)
			return cx < cy ? -1 : 1;
		if (!cx)
			break;
	}
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

int btt_path_dups_check(const char *const *paths, size_t n, size_t *out_a,
			size_t *out_b)
{
	struct path_ent *e;
	size_t m = 0;
	int err = 0;

	if (n > SIZE_MAX / sizeof(*e))
		return -ENOMEM;
	e = malloc(n ? n * sizeof(*e) : 1);
	if (!e)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (paths[i])
			e[m++] = (struct path_ent){paths[i], i};
	qsort(e, m, sizeof(*e), path_cmp);
	for (size_t i = 1; i < m; i++) {
		size_t la = strlen(e[i - 1].p);
		if (!strncmp(e[i - 1].p, e[i].p, la) &&
		    (e[i].p[la] == 0 || e[i].p[la] == '/')) {
			size_t a = e[i - 1].idx, b = e[i].idx;
			*out_a = a < b ? a : b;
			*out_b = a < b ? b : a;
			err = BTT_EPATH;
			break;
		}
	}
	free(e);
	return err;
}
