/* Torrent creation: piece size rule, file walk and order, options, limits
 * and errors. Hashing itself is covered by test_create_hash.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btt/err.h"
#include "bt/create.h"
#include "bt/create_int.h"
#include "core/limits.h"
#include "test_create_util.h"

#define KIB 1024ull
#define MIB (1024ull * 1024)

static void test_create_piece_size_boundaries(void **state)
{
	const uint64_t n = BTT_CREATE_AUTO_MAX_PIECES;
	(void)state;

	assert_int_equal(btt_bt_create_piece_size(0), 16 * KIB);
	assert_int_equal(btt_bt_create_piece_size(1), 16 * KIB);
	assert_int_equal(btt_bt_create_piece_size(n * 16 * KIB - 1), 16 * KIB);
	assert_int_equal(btt_bt_create_piece_size(n * 16 * KIB), 16 * KIB);
	assert_int_equal(btt_bt_create_piece_size(n * 16 * KIB + 1), 32 * KIB);
	assert_int_equal(btt_bt_create_piece_size(n * 32 * KIB), 32 * KIB);
	assert_int_equal(btt_bt_create_piece_size(n * 32 * KIB + 1), 64 * KIB);
	/* 2 GiB: 1024 pieces of 2 MiB */
	assert_int_equal(btt_bt_create_piece_size(2048 * MIB), 2 * MIB);
	assert_int_equal(btt_bt_create_piece_size(n * 8 * MIB), 8 * MIB);
	assert_int_equal(btt_bt_create_piece_size(n * 8 * MIB + 1), 16 * MIB);
	assert_int_equal(btt_bt_create_piece_size(n * 16 * MIB), 16 * MIB);
	/* above the cap the piece count grows instead */
	assert_int_equal(btt_bt_create_piece_size(n * 16 * MIB + 1), 16 * MIB);
	assert_int_equal(btt_bt_create_piece_size(BTT_METAINFO_MAX_TOTAL),
			 16 * MIB);
	/* between the boundaries the count stays in (1000, 2000] */
	for (uint64_t t = n * 16 * KIB + 1; t < n * 16 * MIB; t = t * 3 / 2) {
		uint64_t ps = btt_bt_create_piece_size(t);
		uint64_t pieces = (t + ps - 1) / ps;
		assert_true(pieces > 1000 && pieces <= 2000);
	}
}

static void test_create_path_order(void **state)
{
	(void)state;
	assert_true(btt_bt_create_path_cmp("a", "b") < 0);
	assert_true(btt_bt_create_path_cmp("a/b", "a.txt") < 0);
	assert_true(btt_bt_create_path_cmp("a.txt", "a/b") > 0);
	assert_true(btt_bt_create_path_cmp("a/b", "ab") < 0);
	assert_true(btt_bt_create_path_cmp("A", "a") < 0);
	assert_true(btt_bt_create_path_cmp("a/b/c", "a/b") > 0);
	assert_true(btt_bt_create_path_cmp("\xc3\xa9", "z") > 0);
	assert_int_equal(btt_bt_create_path_cmp("x/y", "x/y"), 0);
}

/* The "path" lists of info.files, joined with '/', in order. */
static size_t file_paths(const struct made *m, char out[][64], size_t max)
{
	uint32_t files = btt_bnode_get(&m->doc, m->info, "files");
	size_t n = 0;

	assert_int_not_equal(files, BTT_BNONE);
	for (uint32_t f = btt_bnode_first(&m->doc, files); f != BTT_BNONE;
	     f = btt_bnode_next(&m->doc, files, f)) {
		uint32_t path = btt_bnode_get(&m->doc, f, "path");
		size_t len = 0;
		assert_true(n < max);
		for (uint32_t c = btt_bnode_first(&m->doc, path);
		     c != BTT_BNONE; c = btt_bnode_next(&m->doc, path, c)) {
			struct btt_cur s;
			assert_true(btt_bnode_str(&m->doc, c, &s));
			len += (size_t)snprintf(out[n] + len, 64 - len,
						"%s%.*s", len ? "/" : "",
						(int)btt_cur_len(&s),
						(const char *)btt_cur_data(&s));
		}
		n++;
	}
	return n;
}

static void test_create_file_order_and_empty_files(void **state)
{
	static const char *want[] = {"A", "a/b/c",	  "a/z",       "a.txt",
				     "b", "e/only_empty", "e2/x/empty"};
	char got[16][64], p[512];
	char *dir = tmp_dir();
	struct btt_create_opts o = {.path = dir};
	struct made m;
	(void)state;

	put_file(dir, "b", 5, 1, false);
	put_file(dir, "a.txt", 7, 2, false);
	put_file(dir, "a/z", 1, 3, false);
	put_file(dir, "a/b/c", 20000, 4, false);
	put_file(dir, "A", 3, 5, false);
	put_file(dir, "e/only_empty", 0, 6, false);
	put_file(dir, "e2/x/empty", 0, 7, false);
	snprintf(p, sizeof(p), "%s/void", dir); /* an empty directory */
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(make_torrent(&o, &m), 0);
	assert_int_equal(file_paths(&m, got, 16), 7);
	for (size_t i = 0; i < 7; i++)
		assert_string_equal(got[i], want[i]);
	assert_int_equal(m.r.num_files, 7);
	assert_int_equal(m.r.total_size, 5 + 7 + 1 + 20000 + 3);
	assert_string_equal(m.r.name, strrchr(dir, '/') + 1);
	made_release(&m);
	tree_remove(dir);
	free(dir);
}

struct warns {
	int n;
	char why[4][32];
};

static void on_warn(void *arg, const char *path, const char *why)
{
	struct warns *w = arg;
	(void)path;
	if (w->n < 4)
		snprintf(w->why[w->n], sizeof(w->why[0]), "%s", why);
	w->n++;
}

static void test_create_skips_symlinks_and_specials(void **state)
{
	char *dir = tmp_dir(), p[512], q[512];
	struct warns w = {0};
	struct btt_create_opts o = {.path = dir, .warn = on_warn, .cb_arg = &w};
	char got[4][64];
	struct made m;
	(void)state;

	put_file(dir, "real", 100, 1, false);
	put_file(dir, "sub/inner", 10, 2, false);
	snprintf(p, sizeof(p), "%s/link", dir);
	assert_int_equal(symlink("real", p), 0);
	/* a link to a directory must not be followed either */
	snprintf(p, sizeof(p), "%s/dirlink", dir);
	assert_int_equal(symlink("sub", p), 0);
	snprintf(q, sizeof(q), "%s/fifo", dir);
	assert_int_equal(mkfifo(q, 0644), 0);
	assert_int_equal(make_torrent(&o, &m), 0);
	assert_int_equal(file_paths(&m, got, 4), 2);
	assert_string_equal(got[0], "real");
	assert_string_equal(got[1], "sub/inner");
	assert_int_equal(w.n, 3);
	made_release(&m);
	tree_remove(dir);
	free(dir);
}

static void test_create_single_file_and_names(void **state)
{
	char *dir = tmp_dir(), p[512];
	struct btt_create_opts o = {0};
	struct btt_cur name;
	struct made m;
	int64_t len;
	(void)state;

	put_file(dir, "one.bin", 1, 1, false);
	snprintf(p, sizeof(p), "%s/one.bin", dir);
	o.path = p;
	assert_int_equal(make_torrent(&o, &m), 0);
	assert_true(btt_bnode_get_int(&m.doc, m.info, "length", &len));
	assert_int_equal(len, 1);
	assert_int_equal(btt_bnode_get(&m.doc, m.info, "files"), BTT_BNONE);
	name = get_str(&m, m.info, "name");
	assert_true(btt_cur_eq_str(&name, "one.bin"));
	assert_int_equal(m.r.num_pieces, 1);
	made_release(&m);

	/* a trailing slash and "." name the directory itself */
	snprintf(p, sizeof(p), "%s/", dir);
	assert_int_equal(make_torrent(&o, &m), 0);
	assert_string_equal(m.r.name, strrchr(dir, '/') + 1);
	made_release(&m);
	assert_int_equal(chdir(dir), 0);
	o.path = ".";
	assert_int_equal(make_torrent(&o, &m), 0);
	assert_string_equal(m.r.name, strrchr(dir, '/') + 1);
	made_release(&m);
	assert_int_equal(chdir("/"), 0);
	tree_remove(dir);
	free(dir);
}

static void test_create_rejects_unsafe_names(void **state)
{
	static const char *bad[] = {"ctl\x01name", "CON", "aux.txt",
				    "bad\xff"
				    "utf8"};
	char *dir;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct btt_create_opts o = {0};
		struct btt_create_result r;
		char rel[64];
		dir = tmp_dir();
		o.path = dir;
		put_file(dir, "fine", 10, 1, false);
		snprintf(rel, sizeof(rel), "sub/%s", bad[i]);
		put_file(dir, rel, 10, 2, false);
		assert_int_equal(btt_bt_create(&o, &r), BTT_EPATH);
		assert_true(r.bad_input);
		assert_non_null(strstr(r.msg, "unsafe name"));
		assert_null(r.torrent);
		btt_bt_create_result_release(&r);
		tree_remove(dir);
		free(dir);
	}
}

static void test_create_rejects_bad_input(void **state)
{
	char *dir = tmp_dir(), p[512];
	struct btt_create_opts o = {0};
	struct btt_create_result r;
	(void)state;

	snprintf(p, sizeof(p), "%s/missing", dir);
	o.path = p;
	assert_int_equal(btt_bt_create(&o, &r), -ENOENT);
	assert_true(r.bad_input);
	assert_non_null(strstr(r.msg, "missing"));

	/* only empty files: nothing to hash */
	put_file(dir, "empty", 0, 1, false);
	o.path = dir;
	assert_int_equal(btt_bt_create(&o, &r), BTT_EINVALID);
	assert_true(r.bad_input);

	/* an empty directory */
	snprintf(p, sizeof(p), "%s/void", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	o.path = p;
	assert_int_equal(btt_bt_create(&o, &r), BTT_EINVALID);
	assert_non_null(strstr(r.msg, "no files"));

	/* a special file as PATH */
	o.path = "/dev/null";
	assert_int_equal(btt_bt_create(&o, &r), BTT_EINVALID);
	o.path = NULL;
	assert_int_equal(btt_bt_create(&o, &r), BTT_EINVALID);
	o.path = dir;
	o.version = 4;
	assert_int_equal(btt_bt_create(&o, &r), BTT_EINVALID);
	o.version = BTT_CREATE_V1;
	o.has_date = true;
	o.date = -1;
	assert_int_equal(btt_bt_create(&o, &r), BTT_EINVALID);
	btt_bt_create_result_release(&r);
	tree_remove(dir);
	free(dir);
}

static int try_piece(const char *dir, uint64_t ps)
{
	struct btt_create_opts o = {.path = dir, .piece_size = ps};
	struct btt_create_result r;
	int err = btt_bt_create(&o, &r);
	if (!err)
		assert_int_equal(r.piece_size, ps);
	btt_bt_create_result_release(&r);
	return err;
}

static void test_create_piece_size_limits(void **state)
{
	char *dir = tmp_dir();
	(void)state;

	put_file(dir, "f", 70000, 1, false);
	assert_int_equal(try_piece(dir, BTT_CREATE_MIN_PIECE - 1),
			 BTT_EINVALID);
	assert_int_equal(try_piece(dir, BTT_CREATE_MIN_PIECE), 0);
	assert_int_equal(try_piece(dir, BTT_CREATE_MIN_PIECE + 1),
			 BTT_EINVALID);
	assert_int_equal(try_piece(dir, BTT_CREATE_MIN_PIECE / 2),
			 BTT_EINVALID);
	assert_int_equal(try_piece(dir, 3 * BTT_CREATE_MIN_PIECE),
			 BTT_EINVALID);
	assert_int_equal(try_piece(dir, BTT_CREATE_MAX_PIECE - 1),
			 BTT_EINVALID);
	assert_int_equal(try_piece(dir, BTT_CREATE_MAX_PIECE), 0);
	assert_int_equal(try_piece(dir, BTT_CREATE_MAX_PIECE + 1),
			 BTT_EINVALID);
	assert_int_equal(try_piece(dir, 2ull * BTT_CREATE_MAX_PIECE),
			 BTT_EINVALID);
	tree_remove(dir);
	free(dir);
}

/* n copies of a URL, for the tracker and web seed limits. */
static int try_urls(const char *dir, size_t ntr, size_t nws, size_t url_len)
{
	static const char *urls[BTT_METAINFO_MAX_TRACKERS + 1];
	char *url = malloc(url_len + 1);
	struct btt_create_opts o = {.path = dir};
	struct btt_create_result r;
	int err;

	memset(url, 'u', url_len);
	url[url_len] = '\0';
	for (size_t i = 0; i <= BTT_METAINFO_MAX_TRACKERS; i++)
		urls[i] = url;
	o.trackers = urls;
	o.num_trackers = ntr;
	o.web_seeds = urls;
	o.num_web_seeds = nws;
	err = btt_bt_create(&o, &r);
	btt_bt_create_result_release(&r);
	free(url);
	return err;
}

static void test_create_url_limits(void **state)
{
	const size_t tr = BTT_METAINFO_MAX_TRACKERS;
	const size_t ws = BTT_METAINFO_MAX_WEBSEEDS;
	const size_t ul = BTT_METAINFO_MAX_URL_LEN;
	char *dir = tmp_dir();
	(void)state;

	put_file(dir, "f", 100, 1, false);
	assert_int_equal(try_urls(dir, tr - 1, 0, 10), 0);
	assert_int_equal(try_urls(dir, tr, 0, 10), 0);
	assert_int_equal(try_urls(dir, tr + 1, 0, 10), BTT_ELIMIT);
	assert_int_equal(try_urls(dir, 0, ws - 1, 10), 0);
	assert_int_equal(try_urls(dir, 0, ws, 10), 0);
	assert_int_equal(try_urls(dir, 0, ws + 1, 10), BTT_ELIMIT);
	assert_int_equal(try_urls(dir, 1, 1, ul - 1), 0);
	assert_int_equal(try_urls(dir, 1, 1, ul), 0);
	assert_int_equal(try_urls(dir, 1, 0, ul + 1), BTT_EINVALID);
	assert_int_equal(try_urls(dir, 0, 1, ul + 1), BTT_EINVALID);
	assert_int_equal(try_urls(dir, 1, 0, 0), BTT_EINVALID);
	tree_remove(dir);
	free(dir);
}

static int try_comment(const char *dir, size_t len)
{
	char *text = malloc(len + 1);
	struct btt_create_opts o = {.path = dir, .comment = text};
	struct btt_create_result r;
	int err;

	memset(text, 'c', len);
	text[len] = '\0';
	err = btt_bt_create(&o, &r);
	btt_bt_create_result_release(&r);
	free(text);
	return err;
}

static void test_create_comment_limit(void **state)
{
	char *dir = tmp_dir();
	(void)state;

	put_file(dir, "f", 100, 1, false);
	assert_int_equal(try_comment(dir, BTT_METAINFO_MAX_COMMENT - 1), 0);
	assert_int_equal(try_comment(dir, BTT_METAINFO_MAX_COMMENT), 0);
	assert_int_equal(try_comment(dir, BTT_METAINFO_MAX_COMMENT + 1),
			 BTT_ELIMIT);
	tree_remove(dir);
	free(dir);
}

static void test_create_outer_keys(void **state)
{
	static const char *tr[] = {"http://t1/announce", "udp://t2:80"};
	static const char *ws[] = {"http://ws/"};
	char *dir = tmp_dir();
	struct btt_create_opts o = {
		.trackers = tr,
		.num_trackers = 2,
		.web_seeds = ws,
		.num_web_seeds = 1,
		.comment = "hello",
		.is_private = true,
		.has_date = true,
		.date = 1700000000,
	};
	struct made m;
	int64_t v;
	uint32_t al;
	(void)state;

	put_file(dir, "f", 100, 1, false);
	o.path = dir;
	assert_int_equal(make_torrent(&o, &m), 0);
	struct btt_cur s = get_str(&m, 0, "announce");
	assert_true(btt_cur_eq_str(&s, tr[0]));
	al = btt_bnode_get(&m.doc, 0, "announce-list");
	assert_int_equal(btt_bnode_count(&m.doc, al), 2); /* a tier each */
	for (uint32_t t = btt_bnode_first(&m.doc, al); t != BTT_BNONE;
	     t = btt_bnode_next(&m.doc, al, t))
		assert_int_equal(btt_bnode_count(&m.doc, t), 1);
	s = get_str(&m, 0, "comment");
	assert_true(btt_cur_eq_str(&s, "hello"));
	s = get_str(&m, 0, "created by");
	assert_true(btt_cur_eq_str(&s, "btt/" BTT_VERSION));
	assert_true(btt_bnode_get_int(&m.doc, 0, "creation date", &v));
	assert_int_equal(v, 1700000000);
	assert_true(btt_bnode_get_int(&m.doc, m.info, "private", &v));
	assert_int_equal(v, 1);
	s = get_str(&m, 0, "url-list");
	assert_true(btt_cur_eq_str(&s, ws[0]));
	made_release(&m);

	/* by default: no date, no comment, not private, no trackers */
	memset(&o, 0, sizeof(o));
	o.path = dir;
	assert_int_equal(make_torrent(&o, &m), 0);
	assert_int_equal(btt_bnode_get(&m.doc, 0, "creation date"), BTT_BNONE);
	assert_int_equal(btt_bnode_get(&m.doc, 0, "comment"), BTT_BNONE);
	assert_int_equal(btt_bnode_get(&m.doc, 0, "announce"), BTT_BNONE);
	assert_int_equal(btt_bnode_get(&m.doc, m.info, "private"), BTT_BNONE);
	made_release(&m);
	tree_remove(dir);
	free(dir);
}

static int cancel_ready(void *arg, const char *name, uint64_t total)
{
	(void)arg;
	(void)name;
	(void)total;
	return BTT_ECANCELLED;
}

static void test_create_ready_can_cancel(void **state)
{
	char *dir = tmp_dir();
	struct btt_create_opts o = {.ready = cancel_ready};
	struct btt_create_result r;
	(void)state;

	put_file(dir, "f", 100, 1, false);
	o.path = dir;
	assert_int_equal(btt_bt_create(&o, &r), BTT_ECANCELLED);
	assert_null(r.torrent);
	btt_bt_create_result_release(&r);
	tree_remove(dir);
	free(dir);
}

/* Builds name/d/d/.../f with `dirs` directories below the root and makes
 * a torrent of it. */
static int try_depth(unsigned dirs)
{
	char *dir = tmp_dir();
	struct btt_create_opts o = {0};
	struct btt_create_result r;
	int err;

	assert_int_equal(chdir(dir), 0);
	for (unsigned i = 0; i < dirs; i++) {
		assert_int_equal(mkdir("d", 0755), 0);
		assert_int_equal(chdir("d"), 0);
	}
	put_file(".", "f", 10, 1, false);
	o.path = dir;
	err = btt_bt_create(&o, &r);
	btt_bt_create_result_release(&r);
	assert_int_equal(chdir("/"), 0);
	tree_remove(dir);
	free(dir);
	return err;
}

static void test_create_path_depth_limit(void **state)
{
	const unsigned max = BTT_METAINFO_MAX_PATH_DEPTH;
	(void)state;

	/* the torrent name and the file count as components */
	assert_int_equal(try_depth(max - 3), 0);
	assert_int_equal(try_depth(max - 2), 0);
	assert_int_equal(try_depth(max - 1), BTT_ELIMIT);
}

/* A joined path name/ddd.../fff of exactly `len` bytes, made through
 * relative paths so no system call sees more than PATH_MAX. */
static int try_path_len(size_t len)
{
	char *dir = tmp_dir(), comp[256];
	size_t name_len = strlen(strrchr(dir, '/') + 1), used = name_len;
	struct btt_create_opts o = {.path = "."};
	struct btt_create_result r;
	int err;

	assert_int_equal(chdir(dir), 0);
	memset(comp, 'd', 250);
	comp[250] = '\0';
	while (len - used > 1 + 255) {
		assert_int_equal(mkdir(comp, 0755), 0);
		assert_int_equal(chdir(comp), 0);
		used += 251;
	}
	memset(comp, 'f', len - used - 1);
	comp[len - used - 1] = '\0';
	put_file(".", comp, 10, 1, false);
	assert_int_equal(chdir(dir), 0);
	err = btt_bt_create(&o, &r);
	btt_bt_create_result_release(&r);
	assert_int_equal(chdir("/"), 0);
	tree_remove(dir);
	free(dir);
	return err;
}

static void test_create_path_length_limit(void **state)
{
	const size_t max = BTT_METAINFO_MAX_PATH_LEN;
	(void)state;

	assert_int_equal(try_path_len(max - 1), 0);
	assert_int_equal(try_path_len(max), 0);
	assert_int_equal(try_path_len(max + 1), BTT_ELIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_piece_size_boundaries),
		cmocka_unit_test(test_create_path_order),
		cmocka_unit_test(test_create_file_order_and_empty_files),
		cmocka_unit_test(test_create_skips_symlinks_and_specials),
		cmocka_unit_test(test_create_single_file_and_names),
		cmocka_unit_test(test_create_rejects_unsafe_names),
		cmocka_unit_test(test_create_rejects_bad_input),
		cmocka_unit_test(test_create_piece_size_limits),
		cmocka_unit_test(test_create_url_limits),
		cmocka_unit_test(test_create_comment_limit),
		cmocka_unit_test(test_create_outer_keys),
		cmocka_unit_test(test_create_ready_can_cancel),
		cmocka_unit_test(test_create_path_depth_limit),
		cmocka_unit_test(test_create_path_length_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
