/* BEP 52 v2 and hybrid torrents: the file tree, piece layers checked
 * against pieces roots, hybrid consistency, the v2 piece accessors, and
 * the v2 limits. Expected hashes and merkle roots were computed with
 * Python's hashlib on the same structures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "test_metainfo_fix.h"

/* root of the layer {32 x 0x11, 32 x 0x22} (width 2) */
#define ROOT_C \
	"5189c77d29fe5d546a045ec46986852785fea5c13ac7da9c115ff5fb6edf817c"
/* root of {0x31.., 0x32.., 0x33..} padded to 4 with the height-1 pad */
#define ROOT_E \
	"58591f0bad89484de8bf0a0be264fac75158b189fcd8de244fefdfe63e7199ca"

/* "<name>": {"": {length, pieces root}} inside an open dict. */
static void put_leaf(struct btt_wbuf *w, const char *name, int64_t len,
		     const uint8_t *root)
{
	btt_benc_cstr(w, name);
	btt_benc_dict(w);
	btt_benc_cstr(w, "");
	btt_benc_dict(w);
	kv_int(w, "length", len);
	if (root)
		kv_bin(w, "pieces root", root, 32);
	btt_benc_end(w);
	btt_benc_end(w);
}

struct v2s {
	int64_t length;
	int64_t plen;
	uint8_t layer[3][32];
	size_t layer_len; /* 0: no `piece layers` at all */
	bool wrong_key;	  /* layers keyed by another root */
};

static void v2s_default(struct v2s *o)
{
	memset(o, 0, sizeof(*o));
	o->length = 20000;
	o->plen = 16384;
	fill32(o->layer[0], 0x11);
	fill32(o->layer[1], 0x22);
	o->layer_len = 64;
}

/* Fixture C: single file "a.txt" of o->length bytes with ROOT_C. */
static void build_v2(struct btt_wbuf *w, const struct v2s *o)
{
	uint8_t root[32], other[32];

	hex32(ROOT_C, root);
	fill32(other, 0x99);
	fix_init(w);
	btt_benc_dict(w);
	btt_benc_cstr(w, "info");
	btt_benc_dict(w);
	btt_benc_cstr(w, "file tree");
	btt_benc_dict(w);
	put_leaf(w, "a.txt", o->length, root);
	btt_benc_end(w);
	kv_int(w, "meta version", 2);
	kv_str(w, "name", "a.txt");
	kv_int(w, "piece length", o->plen);
	btt_benc_end(w);
	if (o->layer_len) {
		btt_benc_cstr(w, "piece layers");
		btt_benc_dict(w);
		btt_benc_str(w, o->wrong_key ? other : root, 32);
		btt_benc_str(w, o->layer, o->layer_len);
		btt_benc_end(w);
	}
	btt_benc_end(w);
}

static void test_metainfo_v2_single_fields(void **state)
{
	struct btt_metainfo mi;
	struct btt_metainfo_err e;
	struct btt_wbuf w, m;
	struct v2s o;
	uint8_t h[32];
	const uint8_t *layer;
	size_t width, len;
	(void)state;

	v2s_default(&o);
	build_v2(&w, &o);
	assert_int_equal(parse_w(&mi, &w, &e), 0);
	btt_wbuf_release(&w);
	assert_int_equal(mi.version, BTT_META_V2);
	assert_false(mi.has_v1);
	assert_true(mi.has_v2);
	assert_hex(mi.ih_v2, 32,
		   "90d67138ec4081e166d247807346d829dfa633fc10929ccb36a15d09"
		   "901c7043");
	assert_true(mi.is_single_file);
	assert_int_equal(mi.num_files, 1);
	assert_string_equal(mi.files[0].path, "a.txt");
	assert_true(mi.files[0].has_root);
	assert_hex(mi.files[0].pieces_root, 32, ROOT_C);
	assert_int_equal(mi.num_pieces, 2);
	assert_int_equal(mi.total_length, 20000);
	assert_int_equal(mi.stream_length, 20000);
	assert_null(mi.pieces);
	assert_null(btt_metainfo_piece_hash_v1(&mi, 0));
	assert_int_equal(btt_metainfo_piece_size(&mi, 1), 20000 - 16384);
	assert_int_equal(btt_metainfo_piece_size_v2(&mi, 1), 20000 - 16384);
	assert_int_equal(btt_metainfo_piece_hash_v2(&mi, 1, h, &width), 0);
	assert_int_equal(h[0], 0x22);
	assert_int_equal(width, 1);
	assert_int_equal(btt_metainfo_piece_hash_v2(&mi, 2, h, &width),
			 BTT_EINVALID);
	assert_true(btt_metainfo_piece_layer(&mi, 0, &layer, &len));
	assert_int_equal(len, 64);
	assert_true(layer > mi.raw && layer + len <= mi.raw + mi.raw_len);
	assert_false(btt_metainfo_piece_layer(&mi, 1, &layer, &len));
	btt_wbuf_init(&m, 4096);
	btt_metainfo_magnet(&mi, &m);
	btt_wbuf_terminate(&m);
	assert_string_equal((char *)m.buf,
			    "magnet:?xt=urn:btmh:1220"
			    "90d67138ec4081e166d247807346d829dfa633fc10929ccb"
			    "36a15d09901c7043&dn=a.txt");
	btt_wbuf_release(&m);
	btt_metainfo_release(&mi);
}

static void test_metainfo_v2_layer_checks(void **state)
{
	struct btt_wbuf w;
	struct v2s o;
	(void)state;

	v2s_default(&o);
	o.layer[1][31] ^= 1;
	build_v2(&w, &o);
	expect_fail_w(&w, BTT_EHASH, "piece layer does not match pieces root");
	v2s_default(&o);
	o.layer_len = 96;
	build_v2(&w, &o);
	expect_fail_w(&w, BTT_EMALFORMED, "is 96 bytes, expected 64");
	v2s_default(&o);
	o.layer_len = 0;
	build_v2(&w, &o);
	expect_fail_w(&w, BTT_EMISSING, "no piece layers");
	v2s_default(&o);
	o.wrong_key = true;
	build_v2(&w, &o);
	expect_fail_w(&w, BTT_EMISSING, "no piece layer for \"a.txt\"");
	/* A file of exactly one piece needs no layer. */
	v2s_default(&o);
	o.length = 16384;
	o.layer_len = 0;
	build_v2(&w, &o);
	expect_ok_w(&w);
}

/* A small file's expected hash is its root, over as many leaves as the
 * next power of two of its blocks; a bare info dict has no layers. */
static void test_metainfo_v2_small_file_and_bare_info(void **state)
{
	struct btt_metainfo mi, bare;
	struct btt_wbuf w;
	struct v2s o;
	uint8_t h[32];
	size_t width;
	(void)state;

	v2s_default(&o);
	o.length = 40000; /* 3 blocks in one 64 KiB piece */
	o.plen = 65536;
	o.layer_len = 0;
	build_v2(&w, &o);
	assert_int_equal(parse_w(&mi, &w, NULL), 0);
	assert_int_equal(mi.num_pieces, 1);
	assert_int_equal(btt_metainfo_piece_hash_v2(&mi, 0, h, &width), 0);
	assert_hex(h, 32, ROOT_C);
	assert_int_equal(width, 4);
	btt_metainfo_release(&mi);
	btt_wbuf_release(&w);

	v2s_default(&o);
	build_v2(&w, &o);
	assert_int_equal(parse_w(&mi, &w, NULL), 0);
	assert_int_equal(
		btt_metainfo_parse_info(&bare, mi.info, mi.info_len, NULL), 0);
	assert_memory_equal(bare.ih_v2, mi.ih_v2, 32);
	assert_null(bare.files[0].piece_layer);
	assert_int_equal(btt_metainfo_piece_hash_v2(&bare, 0, h, &width),
			 BTT_ENOTFOUND);
	btt_metainfo_release(&bare);
	btt_metainfo_release(&mi);
	btt_wbuf_release(&w);
}

/* Fixture E: a directory, an empty file, 32 KiB pieces. */
static void test_metainfo_v2_multi_fields(void **state)
{
	struct btt_metainfo mi;
	struct btt_wbuf w;
	uint8_t root[32], layer[96], h[32];
	size_t width;
	(void)state;

	hex32(ROOT_E, root);
	memset(layer, 0x31, 32);
	memset(layer + 32, 0x32, 32);
	memset(layer + 64, 0x33, 32);
	fix_init(&w);
	btt_benc_dict(&w);
	btt_benc_cstr(&w, "info");
	btt_benc_dict(&w);
	btt_benc_cstr(&w, "file tree");
	btt_benc_dict(&w);
	btt_benc_cstr(&w, "d");
	btt_benc_dict(&w);
	put_leaf(&w, "x", 70000, root);
	btt_benc_end(&w);
	put_leaf(&w, "y", 0, NULL);
	btt_benc_end(&w);
	kv_int(&w, "meta version", 2);
	kv_str(&w, "name", "multi");
	kv_int(&w, "piece length", 32768);
	btt_benc_end(&w);
	btt_benc_cstr(&w, "piece layers");
	btt_benc_dict(&w);
	btt_benc_str(&w, root, 32);
	btt_benc_str(&w, layer, sizeof(layer));
	btt_benc_end(&w);
	btt_benc_end(&w);
	assert_int_equal(parse_w(&mi, &w, NULL), 0);
	btt_wbuf_release(&w);
	assert_hex(mi.ih_v2, 32,
		   "083db94033221c162b2d8a8d4e72f0aa2ebe27c82e74eb60812ff40d"
		   "dd2645b2");
	assert_false(mi.is_single_file);
	assert_int_equal(mi.num_files, 2);
	assert_string_equal(mi.files[0].path, "multi/d/x");
	assert_string_equal(mi.files[1].path, "multi/y");
	assert_int_equal(mi.files[1].length, 0);
	assert_false(mi.files[1].has_root);
	assert_int_equal(mi.files[1].offset, 3 * 32768);
	assert_int_equal(mi.num_pieces, 3);
	assert_int_equal(mi.stream_length, 70000);
	assert_int_equal(btt_metainfo_piece_size(&mi, 2), 70000 - 65536);
	assert_int_equal(btt_metainfo_piece_file(&mi, 2), 0);
	assert_int_equal(btt_metainfo_piece_hash_v2(&mi, 2, h, &width), 0);
	assert_int_equal(h[0], 0x33);
	assert_int_equal(width, 2);
	btt_metainfo_release(&mi);
}

struct hyf {
	const char *path;
	int64_t len;
	bool pad;
};

static const struct hyf hy_good[] = {
	{"a", 20000, false}, {"12768", 12768, true}, {"b", 5, false}};

/* Fixture D: v2 tree {a: 20000 bytes, b: 5 bytes} with 16 KiB pieces and
 * the given v1 file list (or a single-file v1 part when n == 0). */
static void build_hybrid(struct btt_wbuf *w, const struct hyf *f, size_t n,
			 size_t pieces_len)
{
	static const char *const pad_dir = ".pad";
	uint8_t rc[32], r2[32], layer[64];

	hex32(ROOT_C, rc);
	fill32(r2, 0x55);
	fill32(layer, 0x11);
	fill32(layer + 32, 0x22);
	fix_init(w);
	btt_benc_dict(w);
	btt_benc_cstr(w, "info");
	btt_benc_dict(w);
	btt_benc_cstr(w, "file tree");
	btt_benc_dict(w);
	put_leaf(w, "a", 20000, rc);
	put_leaf(w, "b", 5, r2);
	btt_benc_end(w);
	if (n) {
		btt_benc_cstr(w, "files");
		btt_benc_list(w);
		for (size_t i = 0; i < n; i++) {
			const char *p[] = {f[i].pad ? pad_dir : f[i].path,
					   f[i].path, NULL};
			btt_benc_dict(w);
			if (f[i].pad)
				kv_str(w, "attr", "p");
			kv_int(w, "length", f[i].len);
			btt_benc_cstr(w, "path");
			put_strs(w, f[i].pad ? p : p + 1);
			btt_benc_end(w);
		}
		btt_benc_end(w);
	} else {
		kv_int(w, "length", 20005);
	}
	kv_int(w, "meta version", 2);
	kv_str(w, "name", "hy");
	kv_int(w, "piece length", 16384);
	kv_count(w, "pieces", 0, pieces_len);
	btt_benc_end(w);
	btt_benc_cstr(w, "piece layers");
	btt_benc_dict(w);
	btt_benc_str(w, rc, 32);
	btt_benc_str(w, layer, 64);
	btt_benc_end(w);
	btt_benc_end(w);
}

static void test_metainfo_hybrid_fields(void **state)
{
	struct btt_metainfo mi;
	struct btt_wbuf w, m;
	uint8_t h[32];
	size_t width;
	(void)state;

	build_hybrid(&w, hy_good, 3, 60);
	assert_int_equal(parse_w(&mi, &w, NULL), 0);
	btt_wbuf_release(&w);
	assert_int_equal(mi.version, BTT_META_HYBRID);
	assert_hex(mi.ih_v1, 20, "7247036c501be7f8b4486d5d90533553b0d39d49");
	assert_hex(mi.ih_v2, 32,
		   "de76bde2e54c04f877f061701650bc00be33d440e60d3852e696491e"
		   "328be072");
	assert_int_equal(mi.num_files, 3);
	assert_int_equal(mi.num_pad_files, 1);
	assert_string_equal(mi.files[0].path, "hy/a");
	assert_true(mi.files[0].has_root);
	assert_non_null(mi.files[0].piece_layer);
	assert_false(mi.files[1].has_root);
	assert_int_equal(mi.files[1].attr, BTT_FILE_PAD);
	assert_int_equal(mi.files[2].offset, 32768);
	assert_int_equal(mi.files[2].pieces_root[0], 0x55);
	assert_int_equal(mi.num_pieces, 3);
	assert_int_equal(mi.total_length, 20005);
	assert_int_equal(mi.stream_length, 32773);
	/* v1 piece 1 covers the pad bytes too; the v2 piece does not. */
	assert_int_equal(btt_metainfo_piece_size(&mi, 1), 16384);
	assert_int_equal(btt_metainfo_piece_size_v2(&mi, 1), 20000 - 16384);
	assert_int_equal(btt_metainfo_piece_size(&mi, 2), 5);
	assert_int_equal(btt_metainfo_piece_size_v2(&mi, 2), 5);
	assert_int_equal(btt_metainfo_piece_size_v2(&mi, 3), 0);
	assert_int_equal(btt_metainfo_piece_file(&mi, 2), 2);
	assert_int_equal(btt_metainfo_piece_hash_v2(&mi, 2, h, &width), 0);
	assert_int_equal(h[0], 0x55);
	assert_int_equal(width, 1);
	assert_int_equal(btt_metainfo_piece_hash_v1(&mi, 2)[0], 40);
	btt_wbuf_init(&m, 4096);
	btt_metainfo_magnet(&mi, &m);
	btt_wbuf_terminate(&m);
	assert_string_equal((char *)m.buf,
			    "magnet:?xt=urn:btih:"
			    "7247036c501be7f8b4486d5d90533553b0d39d49"
			    "&xt=urn:btmh:1220"
			    "de76bde2e54c04f877f061701650bc00be33d440e60d3852"
			    "e696491e328be072&dn=hy");
	btt_wbuf_release(&m);
	btt_metainfo_release(&mi);
}

static void test_metainfo_hybrid_inconsistent(void **state)
{
	static const struct hyf no_pad[] = {{"a", 20000, false},
					    {"b", 5, false}};
	static const struct hyf bad_len[] = {
		{"a", 20000, false}, {"12768", 12768, true}, {"b", 6, false}};
	static const struct hyf renamed[] = {
		{"a", 20000, false}, {"12768", 12768, true}, {"c", 5, false}};
	static const struct hyf missing[] = {{"a", 20000, false}};
	static const struct hyf extra_pad[] = {
		{"a", 20000, false},
		{"12768", 12768, true},
		{"b", 5, false},
		{"32763", 32763, true},
	};
	struct btt_wbuf w;
	(void)state;

	build_hybrid(&w, no_pad, 2, 40);
	expect_fail_w(&w, BTT_EMALFORMED, "no pad file aligns \"hy/b\"");
	build_hybrid(&w, bad_len, 3, 60);
	expect_fail_w(&w, BTT_EMALFORMED, "length differs for \"hy/b\"");
	build_hybrid(&w, renamed, 3, 60);
	expect_fail_w(&w, BTT_EMALFORMED, "v1 file list differs at \"hy/c\"");
	build_hybrid(&w, missing, 1, 40);
	expect_fail_w(&w, BTT_EMALFORMED, "extra v2 file \"hy/b\"");
	build_hybrid(&w, extra_pad, 4, 80);
	expect_fail_w(&w, BTT_EMALFORMED, "piece counts differ");
	build_hybrid(&w, NULL, 0, 40);
	expect_fail_w(&w, BTT_EMALFORMED, "single-file in one part only");
	build_hybrid(&w, hy_good, 3, 40);
	expect_fail_w(&w, BTT_EMALFORMED, "pieces is 40 bytes, expected 60");
}

/* Bare info dicts with one file of `len` bytes and piece length `pl`
 * (no layers needed) for the v2 piece and size limits. */
static int parse_v2_info(int64_t len, int64_t pl, struct btt_metainfo_err *e)
{
	struct btt_metainfo mi;
	struct btt_wbuf w;
	uint8_t root[32];
	int rc;

	fill32(root, 0x77);
	fix_init(&w);
	btt_benc_dict(&w);
	btt_benc_cstr(&w, "file tree");
	btt_benc_dict(&w);
	put_leaf(&w, "f", len, root);
	btt_benc_end(&w);
	kv_int(&w, "meta version", 2);
	kv_str(&w, "name", "f");
	kv_int(&w, "piece length", pl);
	btt_benc_end(&w);
	rc = btt_metainfo_parse_info(&mi, w.buf, w.len, e);
	btt_metainfo_release(&mi);
	btt_wbuf_release(&w);
	return rc;
}

static void test_metainfo_v2_limits(void **state)
{
	const int64_t pmax = BTT_METAINFO_MAX_PIECES;
	const int64_t tmax = (int64_t)BTT_METAINFO_MAX_TOTAL;
	struct btt_metainfo_err e;
	(void)state;

	assert_int_equal(parse_v2_info((pmax - 1) * 16384, 16384, &e), 0);
	assert_int_equal(parse_v2_info(pmax * 16384, 16384, &e), 0);
	assert_int_equal(parse_v2_info(pmax * 16384 + 1, 16384, &e),
			 BTT_ELIMIT);
	assert_non_null(strstr(e.msg, "more than 8388608 pieces"));
	assert_int_equal(parse_v2_info(tmax - 1, BTT_METAINFO_MAX_PIECE, &e),
			 0);
	assert_int_equal(parse_v2_info(tmax, BTT_METAINFO_MAX_PIECE, &e), 0);
	assert_int_equal(parse_v2_info(tmax + 1, BTT_METAINFO_MAX_PIECE, &e),
			 BTT_ELIMIT);
	/* The v2 piece length: a power of two from 16 KiB. */
	assert_int_equal(parse_v2_info(5, BTT_METAINFO_MIN_PIECE, &e), 0);
	assert_int_equal(parse_v2_info(5, BTT_METAINFO_MIN_PIECE / 2, &e),
			 BTT_EMALFORMED);
	assert_non_null(strstr(e.msg, "power of two"));
	assert_int_equal(parse_v2_info(5, BTT_METAINFO_MIN_PIECE - 1, &e),
			 BTT_EMALFORMED);
	assert_int_equal(parse_v2_info(5, 3 * 16384, &e), BTT_EMALFORMED);
	assert_int_equal(parse_v2_info(5, BTT_METAINFO_MAX_PIECE, &e), 0);
	assert_int_equal(parse_v2_info(0, 16384, &e), BTT_EMALFORMED);
	assert_non_null(strstr(e.msg, "no content"));
}

/* A chain of `dirs` directories under the name, then one file. */
static int parse_deep(unsigned dirs, struct btt_metainfo_err *e)
{
	struct btt_metainfo mi;
	struct btt_wbuf w;
	uint8_t root[32];
	int rc;

	fill32(root, 0x77);
	fix_init(&w);
	btt_benc_dict(&w);
	btt_benc_cstr(&w, "file tree");
	btt_benc_dict(&w);
	for (unsigned i = 0; i < dirs; i++) {
		btt_benc_cstr(&w, "d");
		btt_benc_dict(&w);
	}
	put_leaf(&w, "f", 5, root);
	put_leaf(&w, "g", 5, root); /* two files: not single-file */
	for (unsigned i = 0; i <= dirs; i++)
		btt_benc_end(&w);
	kv_int(&w, "meta version", 2);
	kv_str(&w, "name", "n");
	kv_int(&w, "piece length", 16384);
	btt_benc_end(&w);
	rc = btt_metainfo_parse_info(&mi, w.buf, w.len, e);
	if (rc == 0)
		assert_int_equal(strlen(mi.files[0].path), 2 * (dirs + 2) - 1);
	btt_metainfo_release(&mi);
	btt_wbuf_release(&w);
	return rc;
}

static void test_metainfo_v2_depth_limit(void **state)
{
	struct btt_metainfo_err e;
	(void)state;

	/* name + dirs + file components */
	assert_int_equal(parse_deep(BTT_METAINFO_MAX_PATH_DEPTH - 3, &e), 0);
	assert_int_equal(parse_deep(BTT_METAINFO_MAX_PATH_DEPTH - 2, &e), 0);
	assert_int_equal(parse_deep(BTT_METAINFO_MAX_PATH_DEPTH - 1, &e),
			 BTT_EPATH);
	assert_non_null(strstr(e.msg, "more than 64 components"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metainfo_v2_single_fields),
		cmocka_unit_test(test_metainfo_v2_layer_checks),
		cmocka_unit_test(test_metainfo_v2_small_file_and_bare_info),
		cmocka_unit_test(test_metainfo_v2_multi_fields),
		cmocka_unit_test(test_metainfo_hybrid_fields),
		cmocka_unit_test(test_metainfo_hybrid_inconsistent),
		cmocka_unit_test(test_metainfo_v2_limits),
		cmocka_unit_test(test_metainfo_v2_depth_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
