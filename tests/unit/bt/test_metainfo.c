/* v1 .torrent parsing: every field, the info-hash against values computed
 * independently, trackers and web seeds, the piece accessors, loading from
 * disk, and each limit at max-1, max and max+1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bt/metainfo_int.h"
#include "core/limits.h"
#include "test_metainfo_fix.h"

struct v1s {
	const char *name;
	int64_t length;
	int64_t plen;
	size_t pieces_len;
	int priv; /* -1: absent */
};

static const struct v1s v1s_default = {"a.txt", 20000, 16384, 40, 1};

/* Fixture A (single file). With the defaults its info-hash is
 * 2dee8a54f5f21a3621934880cd7f538de66eb3e6. */
static void build_single(struct btt_wbuf *w, const struct v1s *o)
{
	fix_init(w);
	btt_benc_dict(w);
	kv_str(w, "announce", "http://t.example/ann");
	kv_str(w, "comment", "hello");
	kv_str(w, "created by", "test");
	kv_int(w, "creation date", 1700000000);
	btt_benc_cstr(w, "info");
	btt_benc_dict(w);
	kv_int(w, "length", o->length);
	kv_str(w, "name", o->name);
	kv_int(w, "piece length", o->plen);
	kv_count(w, "pieces", 0, o->pieces_len);
	if (o->priv >= 0)
		kv_int(w, "private", o->priv);
	btt_benc_end(w);
	btt_benc_end(w);
}

static void test_metainfo_v1_single_fields(void **state)
{
	struct btt_metainfo mi;
	struct btt_metainfo_err e;
	struct btt_wbuf w, m;
	(void)state;

	build_single(&w, &v1s_default);
	assert_int_equal(parse_w(&mi, &w, &e), 0);
	assert_int_equal(mi.version, BTT_META_V1);
	assert_true(mi.has_v1);
	assert_false(mi.has_v2);
	assert_hex(mi.ih_v1, 20, "2dee8a54f5f21a3621934880cd7f538de66eb3e6");
	assert_string_equal(mi.name, "a.txt");
	assert_true(mi.is_single_file);
	assert_true(mi.is_private);
	assert_int_equal(mi.piece_length, 16384);
	assert_int_equal(mi.num_pieces, 2);
	assert_int_equal(mi.total_length, 20000);
	assert_int_equal(mi.stream_length, 20000);
	assert_int_equal(mi.num_files, 1);
	assert_string_equal(mi.files[0].path, "a.txt");
	assert_int_equal(mi.files[0].length, 20000);
	assert_int_equal(mi.files[0].offset, 0);
	assert_int_equal(mi.files[0].attr, 0);
	assert_false(mi.files[0].has_root);
	assert_null(mi.files[0].symlink);
	assert_int_equal(mi.num_trackers, 1);
	assert_string_equal(mi.trackers[0], "http://t.example/ann");
	assert_int_equal(mi.tracker_tier[0], 0);
	assert_int_equal(mi.num_webseeds, 0);
	assert_string_equal(mi.comment, "hello");
	assert_string_equal(mi.created_by, "test");
	assert_int_equal(mi.creation_date, 1700000000);
	assert_true(mi.info > mi.raw && mi.info[0] == 'd');
	assert_int_equal(mi.info + mi.info_len, mi.raw + mi.raw_len - 1);
	/* The copy is owned: the caller's buffer may go. */
	btt_wbuf_release(&w);
	assert_int_equal(btt_metainfo_piece_size(&mi, 0), 16384);
	assert_int_equal(btt_metainfo_piece_size(&mi, 1), 20000 - 16384);
	assert_int_equal(btt_metainfo_piece_size(&mi, 2), 0);
	assert_int_equal(btt_metainfo_piece_size_v2(&mi, 0), 0); /* no v2 */
	assert_int_equal(btt_metainfo_piece_hash_v1(&mi, 1)[0], 20);
	assert_null(btt_metainfo_piece_hash_v1(&mi, 2));
	assert_int_equal(btt_metainfo_piece_file(&mi, 1), 0);
	assert_int_equal(btt_metainfo_piece_file(&mi, 2), UINT32_MAX);
	btt_wbuf_init(&m, 4096);
	assert_int_equal(btt_metainfo_magnet(&mi, &m), 0);
	btt_wbuf_terminate(&m);
	assert_string_equal((char *)m.buf,
			    "magnet:?xt=urn:btih:"
			    "2dee8a54f5f21a3621934880cd7f538de66eb3e6"
			    "&dn=a.txt&tr=http%3A%2F%2Ft.example%2Fann");
	btt_wbuf_release(&m);
	btt_metainfo_release(&mi);
	assert_null(mi.raw);
	btt_metainfo_release(&mi); /* released twice: a no-op */
}

/* One `files` entry; attr and symlink may be NULL. */
static void put_file(struct btt_wbuf *w, const char *attr, int64_t len,
		     const char *const *path, const char *const *symlink)
{
	btt_benc_dict(w);
	if (attr)
		kv_str(w, "attr", attr);
	kv_int(w, "length", len);
	btt_benc_cstr(w, "path");
	put_strs(w, path);
	if (symlink) {
		btt_benc_cstr(w, "symlink path");
		put_strs(w, symlink);
	}
	btt_benc_end(w);
}

/* Fixture B: multi-file with BEP 47 attributes, a pad file and a
 * symlink; tiers with a duplicate and an empty tier; web seeds. */
static void build_multi(struct btt_wbuf *w)
{
	static const char *const tier0[] = {"http://a/", "http://b/", NULL};
	static const char *const tier2[] = {"http://a/", "http://c/", NULL};
	static const char *const ws[] = {"http://ws1/", "http://ws1/",
					 "http://ws2/", NULL};
	static const char *const p1[] = {"dir", "f1", NULL};
	static const char *const p2[] = {"f2", NULL};
	static const char *const pp[] = {".pad", "16369", NULL};
	static const char *const p3[] = {"f3", NULL};
	static const char *const pl[] = {"link", NULL};

	fix_init(w);
	btt_benc_dict(w);
	kv_str(w, "announce", "http://ignored/");
	btt_benc_cstr(w, "announce-list");
	btt_benc_list(w);
	put_strs(w, tier0);
	btt_benc_list(w);
	btt_benc_end(w);
	put_strs(w, tier2);
	btt_benc_end(w);
	btt_benc_cstr(w, "info");
	btt_benc_dict(w);
	btt_benc_cstr(w, "files");
	btt_benc_list(w);
	put_file(w, NULL, 10, p1, NULL);
	put_file(w, "x", 5, p2, NULL);
	put_file(w, "p", 16369, pp, NULL);
	put_file(w, NULL, 100, p3, NULL);
	put_file(w, "lh", 0, pl, p1);
	btt_benc_end(w);
	kv_str(w, "name", "top");
	kv_int(w, "piece length", 16384);
	kv_count(w, "pieces", 100, 40);
	btt_benc_end(w);
	btt_benc_cstr(w, "url-list");
	put_strs(w, ws);
	btt_benc_end(w);
}

static void test_metainfo_v1_multi_fields(void **state)
{
	struct btt_metainfo mi;
	struct btt_metainfo_err e;
	struct btt_wbuf w;
	(void)state;

	build_multi(&w);
	assert_int_equal(parse_w(&mi, &w, &e), 0);
	btt_wbuf_release(&w);
	assert_hex(mi.ih_v1, 20, "03819d0ca59605cf59f9f28d83d87aa679c5e1bd");
	assert_false(mi.is_single_file);
	assert_false(mi.is_private);
	assert_null(mi.comment);
	assert_null(mi.created_by);
	assert_int_equal(mi.creation_date, 0);
	assert_int_equal(mi.num_files, 5);
	assert_int_equal(mi.num_pad_files, 1);
	assert_string_equal(mi.files[0].path, "top/dir/f1");
	assert_string_equal(mi.files[1].path, "top/f2");
	assert_int_equal(mi.files[1].attr, BTT_FILE_EXEC);
	assert_string_equal(mi.files[2].path, "top/.pad/16369");
	assert_int_equal(mi.files[2].attr, BTT_FILE_PAD);
	assert_string_equal(mi.files[3].path, "top/f3");
	assert_string_equal(mi.files[4].path, "top/link");
	assert_int_equal(mi.files[4].attr, BTT_FILE_SYMLINK | BTT_FILE_HIDDEN);
	assert_string_equal(mi.files[4].symlink, "dir/f1");
	assert_int_equal(mi.files[1].offset, 10);
	assert_int_equal(mi.files[2].offset, 15);
	assert_int_equal(mi.files[3].offset, 16384);
	assert_int_equal(mi.files[4].offset, 16484);
	assert_int_equal(mi.total_length, 115);
	assert_int_equal(mi.stream_length, 16484);
	assert_int_equal(mi.num_pieces, 2);
	assert_int_equal(btt_metainfo_piece_file(&mi, 0), 0);
	assert_int_equal(btt_metainfo_piece_file(&mi, 1), 3);
	assert_int_equal(btt_metainfo_piece_size(&mi, 1), 100);
	assert_int_equal(mi.num_trackers, 3);
	assert_string_equal(mi.trackers[0], "http://a/");
	assert_string_equal(mi.trackers[1], "http://b/");
	assert_string_equal(mi.trackers[2], "http://c/");
	assert_int_equal(mi.tracker_tier[0], 0);
	assert_int_equal(mi.tracker_tier[1], 0);
	assert_int_equal(mi.tracker_tier[2], 1);
	assert_int_equal(mi.num_webseeds, 2);
	assert_string_equal(mi.webseeds[0], "http://ws1/");
	assert_string_equal(mi.webseeds[1], "http://ws2/");
	btt_metainfo_release(&mi);
}

static void test_metainfo_private_only_when_one(void **state)
{
	static const int vals[] = {-1, 0, 2};
	struct btt_metainfo mi;
	struct btt_wbuf w;
	(void)state;

	for (size_t i = 0; i < sizeof(vals) / sizeof(*vals); i++) {
		struct v1s o = v1s_default;
		o.priv = vals[i];
		build_single(&w, &o);
		assert_int_equal(parse_w(&mi, &w, NULL), 0);
		assert_false(mi.is_private);
		btt_metainfo_release(&mi);
		btt_wbuf_release(&w);
	}
}

/* A minimal single-file info dict for the outer-field tests. */
static void put_info(struct btt_wbuf *w)
{
	btt_benc_cstr(w, "info");
	btt_benc_dict(w);
	kv_int(w, "length", 5);
	kv_str(w, "name", "x");
	kv_int(w, "piece length", 16384);
	kv_count(w, "pieces", 0, 20);
	btt_benc_end(w);
}

static void test_metainfo_announce_fallback(void **state)
{
	struct btt_metainfo mi;
	struct btt_wbuf w;
	(void)state;

	/* announce-list with no usable URL: announce is used. */
	fix_init(&w);
	btt_benc_dict(&w);
	kv_str(&w, "announce", "udp://t:1");
	btt_benc_cstr(&w, "announce-list");
	btt_benc_list(&w);
	btt_benc_int(&w, 7); /* not a tier */
	btt_benc_list(&w);   /* a tier of junk */
	btt_benc_int(&w, 1);
	btt_benc_cstr(&w, "");	   /* empty URL */
	btt_benc_cstr(&w, "a\nb"); /* control byte */
	btt_benc_end(&w);
	btt_benc_end(&w);
	kv_int(&w, "comment", 5); /* wrong type: ignored */
	kv_str(&w, "creation date", "yesterday");
	put_info(&w);
	btt_benc_end(&w);
	assert_int_equal(parse_w(&mi, &w, NULL), 0);
	assert_int_equal(mi.num_trackers, 1);
	assert_string_equal(mi.trackers[0], "udp://t:1");
	assert_null(mi.comment);
	assert_int_equal(mi.creation_date, 0);
	btt_metainfo_release(&mi);
	btt_wbuf_release(&w);

	/* url-list as one string; announce-list a dict is ignored. */
	fix_init(&w);
	btt_benc_dict(&w);
	btt_benc_cstr(&w, "announce-list");
	btt_benc_dict(&w);
	kv_str(&w, "http://k/", "http://v/");
	btt_benc_end(&w);
	put_info(&w);
	kv_str(&w, "url-list", "http://ws/");
	btt_benc_end(&w);
	assert_int_equal(parse_w(&mi, &w, NULL), 0);
	assert_int_equal(mi.num_trackers, 0);
	assert_int_equal(mi.num_webseeds, 1);
	assert_string_equal(mi.webseeds[0], "http://ws/");
	btt_metainfo_release(&mi);
	btt_wbuf_release(&w);
}

/* n distinct tracker URLs (plus `dups` repeats of the first), one tier
 * each. */
static void build_trackers(struct btt_wbuf *w, unsigned n, unsigned dups)
{
	char url[32];

	fix_init(w);
	btt_benc_dict(w);
	btt_benc_cstr(w, "announce-list");
	btt_benc_list(w);
	for (unsigned i = 0; i < n + dups; i++) {
		snprintf(url, sizeof(url), "http://t%u/", i < n ? i : 0);
		btt_benc_list(w);
		btt_benc_cstr(w, url);
		btt_benc_end(w);
	}
	btt_benc_end(w);
	put_info(w);
	btt_benc_end(w);
}

static void test_metainfo_tracker_limit(void **state)
{
	struct btt_metainfo mi;
	struct btt_wbuf w;
	(void)state;

	build_trackers(&w, BTT_METAINFO_MAX_TRACKERS - 1, 0);
	expect_ok_w(&w);
	build_trackers(&w, BTT_METAINFO_MAX_TRACKERS, 100);
	assert_int_equal(parse_w(&mi, &w, NULL), 0);
	assert_int_equal(mi.num_trackers, BTT_METAINFO_MAX_TRACKERS);
	assert_int_equal(mi.tracker_tier[BTT_METAINFO_MAX_TRACKERS - 1],
			 BTT_METAINFO_MAX_TRACKERS - 1);
	btt_metainfo_release(&mi);
	btt_wbuf_release(&w);
	build_trackers(&w, BTT_METAINFO_MAX_TRACKERS + 1, 0);
	expect_fail_w(&w, BTT_ELIMIT, "more than 512 trackers");
}

static void build_webseeds(struct btt_wbuf *w, unsigned n)
{
	char url[32];

	fix_init(w);
	btt_benc_dict(w);
	put_info(w);
	btt_benc_cstr(w, "url-list");
	btt_benc_list(w);
	for (unsigned i = 0; i < n; i++) {
		snprintf(url, sizeof(url), "http://w%u/", i);
		btt_benc_cstr(w, url);
	}
	btt_benc_end(w);
	btt_benc_end(w);
}

static void test_metainfo_webseed_limit(void **state)
{
	struct btt_wbuf w;
	(void)state;

	build_webseeds(&w, BTT_METAINFO_MAX_WEBSEEDS - 1);
	expect_ok_w(&w);
	build_webseeds(&w, BTT_METAINFO_MAX_WEBSEEDS);
	expect_ok_w(&w);
	build_webseeds(&w, BTT_METAINFO_MAX_WEBSEEDS + 1);
	expect_fail_w(&w, BTT_ELIMIT, "web seeds");
}

static void build_url_len(struct btt_wbuf *w, size_t n)
{
	char *url = malloc(n + 1);

	memcpy(url, "http://", 7);
	memset(url + 7, 'a', n - 7);
	url[n] = 0;
	fix_init(w);
	btt_benc_dict(w);
	kv_str(w, "announce", url);
	put_info(w);
	btt_benc_end(w);
	free(url);
}

static void test_metainfo_url_length_limit(void **state)
{
	struct btt_wbuf w;
	(void)state;

	build_url_len(&w, BTT_METAINFO_MAX_URL_LEN - 1);
	expect_ok_w(&w);
	build_url_len(&w, BTT_METAINFO_MAX_URL_LEN);
	expect_ok_w(&w);
	build_url_len(&w, BTT_METAINFO_MAX_URL_LEN + 1);
	expect_fail_w(&w, BTT_ELIMIT, "URL longer");
}

static void build_comment(struct btt_wbuf *w, const char *key, size_t n)
{
	char *c = malloc(n + 1);

	memset(c, 'c', n);
	c[n] = 0;
	fix_init(w);
	btt_benc_dict(w);
	kv_str(w, key, c);
	put_info(w);
	btt_benc_end(w);
	free(c);
}

static void test_metainfo_comment_limit(void **state)
{
	struct btt_metainfo mi;
	struct btt_wbuf w;
	(void)state;

	build_comment(&w, "comment", BTT_METAINFO_MAX_COMMENT - 1);
	expect_ok_w(&w);
	build_comment(&w, "comment", BTT_METAINFO_MAX_COMMENT);
	assert_int_equal(parse_w(&mi, &w, NULL), 0);
	assert_int_equal(strlen(mi.comment), BTT_METAINFO_MAX_COMMENT);
	btt_metainfo_release(&mi);
	btt_wbuf_release(&w);
	build_comment(&w, "comment", BTT_METAINFO_MAX_COMMENT + 1);
	expect_fail_w(&w, BTT_ELIMIT, "comment longer");
	build_comment(&w, "created by", BTT_METAINFO_MAX_COMMENT + 1);
	expect_fail_w(&w, BTT_ELIMIT, "created by longer");
}

/* name.utf-8 and path.utf-8 win when they are safe; an unsafe one falls
 * back to the plain key. */
static void test_metainfo_utf8_keys(void **state)
{
	static const char *const good[] = {"\xc3\xa9t\xc3\xa9", NULL};
	static const char *const bad[] = {"..", NULL};
	static const char *const plain[] = {"plain", NULL};
	struct btt_metainfo mi;
	struct btt_wbuf w;
	(void)state;

	fix_init(&w);
	btt_benc_dict(&w);
	btt_benc_cstr(&w, "info");
	btt_benc_dict(&w);
	btt_benc_cstr(&w, "files");
	btt_benc_list(&w);
	for (int i = 0; i < 2; i++) {
		btt_benc_dict(&w);
		kv_int(&w, "length", 3);
		btt_benc_cstr(&w, "path");
		put_strs(&w, plain);
		btt_benc_cstr(&w, "path.utf-8");
		put_strs(&w, i ? bad : good);
		btt_benc_end(&w);
	}
	btt_benc_end(&w);
	kv_str(&w, "name", "n");
	kv_str(&w, "name.utf-8", "N\xc3\xa9");
	kv_int(&w, "piece length", 16384);
	kv_count(&w, "pieces", 0, 20);
	btt_benc_end(&w);
	btt_benc_end(&w);
	assert_int_equal(parse_w(&mi, &w, NULL), 0);
	assert_string_equal(mi.name, "N\xc3\xa9");
	assert_string_equal(mi.files[0].path, "N\xc3\xa9/\xc3\xa9t\xc3\xa9");
	assert_string_equal(mi.files[1].path, "N\xc3\xa9/plain");
	btt_metainfo_release(&mi);
	btt_wbuf_release(&w);
}

static void test_metainfo_size_limit(void **state)
{
	static const size_t sizes[] = {BTT_METAINFO_MAX_SIZE - 1,
				       BTT_METAINFO_MAX_SIZE};
	struct btt_metainfo mi;
	struct btt_metainfo_err e;
	struct btt_wbuf w;
	uint8_t *big;
	(void)state;

	/* A valid torrent padded by an unknown key to an exact size. */
	for (size_t i = 0; i < 2; i++) {
		size_t fill;
		fix_init(&w);
		btt_benc_dict(&w);
		put_info(&w);
		btt_benc_cstr(&w, "zz");
		fill = sizes[i] - w.len - 9 - 1; /* "NNNNNNNN:" and 'e' */
		big = calloc(1, fill);
		btt_benc_str(&w, big, fill);
		free(big);
		btt_benc_end(&w);
		assert_int_equal(w.len, sizes[i]);
		expect_ok_w(&w);
	}
	big = calloc(1, BTT_METAINFO_MAX_SIZE + 1);
	assert_int_equal(
		btt_metainfo_parse(&mi, big, BTT_METAINFO_MAX_SIZE + 1, &e),
		BTT_ELIMIT);
	assert_int_equal(e.off, -1);
	free(big);
}

static void test_metainfo_piece_length_limits(void **state)
{
	static const int64_t ok[] = {1, 16383, BTT_METAINFO_MAX_PIECE - 1,
				     BTT_METAINFO_MAX_PIECE};
	struct btt_wbuf w;
	struct v1s o = v1s_default;
	(void)state;

	o.length = 1;
	o.pieces_len = 20;
	for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
		o.plen = ok[i];
		build_single(&w, &o);
		expect_ok_w(&w);
	}
	o.plen = (int64_t)BTT_METAINFO_MAX_PIECE + 1;
	build_single(&w, &o);
	expect_fail_w(&w, BTT_ELIMIT, "piece length is over");
	o.plen = 0;
	build_single(&w, &o);
	expect_fail_w(&w, BTT_EMALFORMED, "not positive");
	o.plen = -16384;
	build_single(&w, &o);
	expect_fail_w(&w, BTT_EMALFORMED, "not positive");
}

/* With 1-byte pieces the declared length sets the piece count: at the cap
 * the only complaint is the (short) pieces string, one more is a limit. */
static void test_metainfo_piece_count_limit(void **state)
{
	struct btt_wbuf w;
	struct v1s o = v1s_default;
	(void)state;

	o.plen = 1;
	o.length = BTT_METAINFO_MAX_PIECES - 1;
	build_single(&w, &o);
	expect_fail_w(&w, BTT_EMALFORMED, "pieces is 40 bytes, expected");
	o.length = BTT_METAINFO_MAX_PIECES;
	build_single(&w, &o);
	expect_fail_w(&w, BTT_EMALFORMED, "(8388608 pieces");
	o.length = BTT_METAINFO_MAX_PIECES + 1;
	build_single(&w, &o);
	expect_fail_w(&w, BTT_ELIMIT, "more than 8388608 pieces");
}

static void test_metainfo_total_limit(void **state)
{
	struct btt_wbuf w;
	struct v1s o = v1s_default;
	(void)state;

	o.plen = BTT_METAINFO_MAX_PIECE;
	o.length = (int64_t)BTT_METAINFO_MAX_TOTAL - 1;
	build_single(&w, &o);
	expect_fail_w(&w, BTT_EMALFORMED, "expected 83886080");
	o.length = (int64_t)BTT_METAINFO_MAX_TOTAL;
	build_single(&w, &o);
	expect_fail_w(&w, BTT_EMALFORMED, "expected 83886080");
	o.length = (int64_t)BTT_METAINFO_MAX_TOTAL + 1;
	build_single(&w, &o);
	expect_fail_w(&w, BTT_ELIMIT, "over 1 PiB");
	o.length = INT64_MAX;
	build_single(&w, &o);
	expect_fail_w(&w, BTT_ELIMIT, "over 1 PiB");
	o.length = -1;
	build_single(&w, &o);
	expect_fail_w(&w, BTT_EMALFORMED, "negative");
}

/* The file cap is enforced where files are appended; a .torrent cannot
 * reach it through the bencode item cap, so it is tested here directly. */
static void test_metainfo_file_limit(void **state)
{
	struct btt_file *files = NULL;
	uint32_t n = 0, cap = 0;
	(void)state;

	while (n < BTT_METAINFO_MAX_FILES - 1)
		assert_non_null(btt_mi_file_add(&files, &n, &cap));
	assert_int_equal(n, BTT_METAINFO_MAX_FILES - 1);
	assert_non_null(btt_mi_file_add(&files, &n, &cap));
	assert_int_equal(n, BTT_METAINFO_MAX_FILES);
	assert_null(btt_mi_file_add(&files, &n, &cap));
	assert_int_equal(n, BTT_METAINFO_MAX_FILES);
	btt_mi_files_free(files, n);
}

static void test_metainfo_load(void **state)
{
	char path[] = "/tmp/btt-test-metainfo-XXXXXX";
	struct btt_metainfo mi;
	struct btt_metainfo_err e;
	struct btt_wbuf w;
	int fd;
	(void)state;

	build_single(&w, &v1s_default);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, w.buf, w.len), (ssize_t)w.len);
	close(fd);
	btt_wbuf_release(&w);
	assert_int_equal(btt_metainfo_load(&mi, path, &e), 0);
	assert_hex(mi.ih_v1, 20, "2dee8a54f5f21a3621934880cd7f538de66eb3e6");
	btt_metainfo_release(&mi);
	unlink(path);
	assert_int_equal(btt_metainfo_load(&mi, path, &e), -ENOENT);
	assert_int_equal(e.off, -1);
	assert_null(mi.raw);
}

static void test_metainfo_parse_info_bare(void **state)
{
	static const char info[] = "d6:lengthi5e4:name1:x12:piece lengthi16384e"
				   "6:pieces20:AAAAAAAAAAAAAAAAAAAAe";
	struct btt_metainfo mi;
	struct btt_metainfo_err e;
	(void)state;

	assert_int_equal(btt_metainfo_parse_info(&mi, LIT(info), &e), 0);
	assert_string_equal(mi.name, "x");
	assert_int_equal(mi.info_len, sizeof(info) - 1);
	assert_int_equal(mi.num_trackers, 0);
	btt_metainfo_release(&mi);
	/* A whole .torrent is not a bare info dict. */
	assert_int_equal(
		btt_metainfo_parse_info(&mi, LIT("d4:infod6:lengthi5eee"), &e),
		BTT_EMISSING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metainfo_v1_single_fields),
		cmocka_unit_test(test_metainfo_v1_multi_fields),
		cmocka_unit_test(test_metainfo_private_only_when_one),
		cmocka_unit_test(test_metainfo_announce_fallback),
		cmocka_unit_test(test_metainfo_tracker_limit),
		cmocka_unit_test(test_metainfo_webseed_limit),
		cmocka_unit_test(test_metainfo_url_length_limit),
		cmocka_unit_test(test_metainfo_comment_limit),
		cmocka_unit_test(test_metainfo_utf8_keys),
		cmocka_unit_test(test_metainfo_size_limit),
		cmocka_unit_test(test_metainfo_piece_length_limits),
		cmocka_unit_test(test_metainfo_piece_count_limit),
		cmocka_unit_test(test_metainfo_total_limit),
		cmocka_unit_test(test_metainfo_file_limit),
		cmocka_unit_test(test_metainfo_load),
		cmocka_unit_test(test_metainfo_parse_info_bare),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
