/* Helpers shared by the metainfo tests: building torrents with the
 * bencode encoder and checking parse failures. The expected info-hashes
 * in the tests were computed separately with Python's hashlib over the
 * same structures (encoded by a small independent bencoder). */
#ifndef BTT_TEST_METAINFO_FIX_H
#define BTT_TEST_METAINFO_FIX_H

#include <stdlib.h>
#include <string.h>

#include "bencode/bencode_int.h"
#include "bt/metainfo.h"
#include "btt/err.h"
#include "core/codec.h"
#include "core/wbuf.h"

#define LIT(s) s, sizeof(s) - 1

static inline void fix_init(struct btt_wbuf *w)
{
	btt_wbuf_init(w, 64u << 20);
}

static inline void kv_str(struct btt_wbuf *w, const char *k, const char *v)
{
	btt_benc_cstr(w, k);
	btt_benc_cstr(w, v);
}

static inline void kv_int(struct btt_wbuf *w, const char *k, int64_t v)
{
	btt_benc_cstr(w, k);
	btt_benc_int(w, v);
}

static inline void kv_bin(struct btt_wbuf *w, const char *k, const void *p,
			  size_t n)
{
	btt_benc_cstr(w, k);
	btt_benc_str(w, p, n);
}

/* n bytes counting up from `start` (mod 256), as Python's
 * bytes(range(start, start + n)) for small values. */
static inline void kv_count(struct btt_wbuf *w, const char *k, unsigned start,
			    size_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(start + i);
	kv_bin(w, k, p, n);
	free(p);
}

/* A NULL-terminated list of strings. */
static inline void put_strs(struct btt_wbuf *w, const char *const *s)
{
	btt_benc_list(w);
	for (; *s; s++)
		btt_benc_cstr(w, *s);
	btt_benc_end(w);
}

static inline void fill32(uint8_t *out, uint8_t v)
{
	memset(out, v, 32);
}

static inline void hex32(const char *hex, uint8_t *out)
{
	assert_int_equal(btt_hex_decode(hex, strlen(hex), out, 32), 0);
}

static inline void assert_hex(const uint8_t *p, size_t n, const char *hex)
{
	char buf[65];
	assert_string_equal(btt_hex_encode(p, n, buf), hex);
}

static inline int parse_w(struct btt_metainfo *mi, struct btt_wbuf *w,
			  struct btt_metainfo_err *e)
{
	assert_int_equal(btt_wbuf_err(w), 0);
	return btt_metainfo_parse(mi, w->buf, w->len, e);
}

/* Parses and expects failure `code` with `part` in the message; the
 * metainfo must come back empty. Frees w. */
static inline void expect_fail_w(struct btt_wbuf *w, int code, const char *part)
{
	struct btt_metainfo mi;
	struct btt_metainfo_err e;
	int rc = parse_w(&mi, w, &e);

	if (rc != code || !strstr(e.msg, part))
		print_error("got %d (%s) '%s', wanted %d '%s'\n", rc,
			    btt_err_name(rc), e.msg, code, part);
	assert_int_equal(rc, code);
	assert_int_equal(e.code, code);
	assert_non_null(strstr(e.msg, part));
	assert_null(mi.raw);
	assert_null(mi.files);
	assert_int_equal(mi.num_files, 0);
	btt_wbuf_release(w);
}

static inline void expect_ok_w(struct btt_wbuf *w)
{
	struct btt_metainfo mi;
	struct btt_metainfo_err e;
	int rc = parse_w(&mi, w, &e);

	if (rc)
		print_error("unexpected %s: %s\n", btt_err_name(rc), e.msg);
	assert_int_equal(rc, 0);
	btt_metainfo_release(&mi);
	btt_wbuf_release(w);
}

#endif
