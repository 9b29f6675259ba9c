/* Torrent creation: piece hashes (v1 across file boundaries, v2 merkle
 * roots and piece layers, hybrid padding), determinism, progress, files
 * that change under us, and our own parser accepting what we create. */
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
#include "bt/metainfo.h"
#include "test_create_util.h"

#define KIB 1024u

static uint32_t info_key(const struct made *m, const char *key)
{
	return btt_bnode_get(&m->doc, m->info, key);
}

/* Files a..f spanning piece boundaries in every way: inside a piece,
 * across one, across several, empty, exactly one piece. */
static const struct {
	const char *rel;
	size_t len;
} v1_files[] = {
	{"a", 10000}, {"b", 30000}, {"c", 5},
	{"d", 40000}, {"e", 0},	    {"f", 16384},
};

static void test_create_v1_pieces_across_files(void **state)
{
	char *dir = tmp_dir();
	uint8_t *all = NULL, want[20];
	size_t total = 0;
	(void)state;

	for (size_t i = 0; i < 6; i++) {
		uint8_t *b = put_file(dir, v1_files[i].rel, v1_files[i].len,
				      i + 1, true);
		all = realloc(all, total + v1_files[i].len + 1);
		memcpy(all + total, b, v1_files[i].len);
		total += v1_files[i].len;
		free(b);
	}
	for (unsigned threads = 1; threads <= 3; threads += 2) {
		struct btt_create_opts o = {.path = dir,
					    .piece_size = 16 * KIB,
					    .threads = threads};
		struct made m;
		struct btt_cur pieces, raw;
		size_t n = (total + 16383) / 16384;

		assert_int_equal(make_torrent(&o, &m), 0);
		pieces = get_str(&m, m.info, "pieces");
		assert_int_equal(btt_cur_len(&pieces), n * 20);
		assert_int_equal(m.r.num_pieces, n);
		for (size_t p = 0; p < n; p++) {
			size_t len = total - p * 16384 < 16384
					     ? total - p * 16384
					     : 16384;
			btt_sha1(all + p * 16384, len, want);
			assert_memory_equal(btt_cur_data(&pieces) + p * 20,
					    want, 20);
		}
		raw = btt_bnode_raw(&m.doc, m.info);
		btt_sha1(btt_cur_data(&raw), btt_cur_len(&raw), want);
		assert_true(m.r.has_v1 && !m.r.has_v2);
		assert_memory_equal(m.r.ih_v1, want, 20);
		made_release(&m);
	}
	free(all);
	tree_remove(dir);
	free(dir);
}

/* The pieces root and the piece layer of a single file of `len` bytes. */
static void check_v2_file(const char *dir, size_t len, uint32_t pl)
{
	static const char *leaf_keys[] = {"f", "", "pieces root"};
	uint8_t *data = put_file(dir, "f", len, len, true);
	char path[512];
	struct btt_create_opts o = {.piece_size = pl, .version = BTT_CREATE_V2};
	struct made m;
	uint8_t root[32], want[32];
	size_t nblocks = (len + 16383) / 16384;
	uint32_t layers, node;
	struct btt_cur s;
	int64_t v;

	snprintf(path, sizeof(path), "%s/f", dir);
	o.path = path;
	assert_int_equal(make_torrent(&o, &m), 0);
	node = dig(&m, info_key(&m, "file tree"), leaf_keys, 3);
	assert_int_not_equal(node, BTT_BNONE);
	assert_true(btt_bnode_str(&m.doc, node, &s));
	assert_int_equal(btt_cur_len(&s), 32);
	memcpy(root, btt_cur_data(&s), 32);
	ref_root(data, len, pow2_at_least(nblocks), want);
	assert_memory_equal(root, want, 32);
	assert_true(btt_bnode_get_int(&m.doc, m.info, "meta version", &v));
	assert_int_equal(v, 2);
	assert_int_equal(info_key(&m, "pieces"), BTT_BNONE);
	assert_int_equal(info_key(&m, "length"), BTT_BNONE);

	layers = btt_bnode_get(&m.doc, 0, "piece layers");
	assert_int_not_equal(layers, BTT_BNONE);
	if (len <= pl) {
		assert_int_equal(btt_bnode_count(&m.doc, layers), 0);
	} else {
		size_t np = (len + pl - 1) / pl;
		assert_int_equal(btt_bnode_count(&m.doc, layers), 1);
		node = btt_bnode_get_n(&m.doc, layers, root, 32);
		assert_int_not_equal(node, BTT_BNONE);
		assert_true(btt_bnode_str(&m.doc, node, &s));
		assert_int_equal(btt_cur_len(&s), np * 32);
		for (size_t p = 0; p < np; p++) {
			size_t n = len - p * pl < pl ? len - p * pl : pl;
			ref_root(data + p * pl, n, pl / 16384, want);
			assert_memory_equal(btt_cur_data(&s) + p * 32, want,
					    32);
		}
	}
	assert_true(m.r.has_v2 && !m.r.has_v1);
	made_release(&m);
	free(data);
}

static void test_create_v2_roots(void **state)
{
	char *dir = tmp_dir();
	(void)state;

	check_v2_file(dir, 1, 16 * KIB);
	check_v2_file(dir, 16383, 16 * KIB);
	check_v2_file(dir, 16384, 16 * KIB);
	check_v2_file(dir, 16385, 16 * KIB);
	check_v2_file(dir, 16385, 64 * KIB);	       /* 2 blocks in 1 piece */
	check_v2_file(dir, 3 * 16384 + 7, 64 * KIB);   /* 4 of 4 blocks */
	check_v2_file(dir, 5 * 16384 + 100, 16 * KIB); /* 6 pieces */
	check_v2_file(dir, 5 * 16384 + 100, 32 * KIB); /* last piece short */
	check_v2_file(dir, 64 * KIB, 32 * KIB);	       /* 2 full pieces */
	tree_remove(dir);
	free(dir);
}

static void test_create_v2_file_tree(void **state)
{
	static const char *xy[] = {"x", "y", "", "pieces root"};
	static const char *e[] = {"e", "", "length"};
	static const char *e_root[] = {"e", "", "pieces root"};
	static const char *z[] = {"z", "", "length"};
	char *dir = tmp_dir();
	struct btt_create_opts o = {
		.path = dir, .piece_size = 16 * KIB, .version = BTT_CREATE_V2};
	struct made m;
	uint32_t tree, node;
	int64_t v;
	(void)state;

	put_file(dir, "x/y", 100, 1, false);
	put_file(dir, "z", 70000, 2, false);
	put_file(dir, "e", 0, 3, false);
	put_file(dir, "same", 70000, 2, false); /* same bytes as z */
	assert_int_equal(make_torrent(&o, &m), 0);
	tree = info_key(&m, "file tree");
	assert_int_equal(btt_bnode_count(&m.doc, tree), 4);
	assert_int_not_equal(dig(&m, tree, xy, 4), BTT_BNONE);
	node = dig(&m, tree, e, 3);
	assert_true(btt_bnode_int(&m.doc, node, &v));
	assert_int_equal(v, 0);
	assert_int_equal(dig(&m, tree, e_root, 3), BTT_BNONE);
	assert_true(btt_bnode_int(&m.doc, dig(&m, tree, z, 3), &v));
	assert_int_equal(v, 70000);
	assert_int_equal(info_key(&m, "files"), BTT_BNONE);
	/* identical files share one piece-layers entry */
	assert_int_equal(btt_bnode_count(&m.doc, btt_bnode_get(&m.doc, 0,
							       "piece layers")),
			 1);
	assert_int_equal(m.r.num_pieces, 1 + 5 + 5);
	made_release(&m);
	tree_remove(dir);
	free(dir);
}

/* Hybrid: pad files after every unaligned file (the last one included),
 * v1 pieces hash the pad zeros, and the v2 half equals a v2-only run. */
static void test_create_hybrid_padding(void **state)
{
	static const size_t lens[] = {100, 20000, 0, 5};
	static const char *rels[] = {"a", "b", "c", "d"};
	static const int64_t want_len[] = {100, 16284, 20000, 12768,
					   0,	5,     16379};
	char *dir = tmp_dir();
	uint8_t *stream = calloc(4, 16384), want[20];
	struct btt_create_opts o = {.path = dir,
				    .piece_size = 16 * KIB,
				    .version = BTT_CREATE_HYBRID};
	struct made m, m2;
	struct btt_cur pieces, t1, t2;
	size_t at[] = {0, 16384, 49152, 49152}, i = 0;
	uint32_t files;
	(void)state;

	for (size_t k = 0; k < 4; k++) {
		uint8_t *b = put_file(dir, rels[k], lens[k], k + 9, true);
		memcpy(stream + at[k], b, lens[k]);
		free(b);
	}
	assert_int_equal(make_torrent(&o, &m), 0);
	files = info_key(&m, "files");
	assert_int_equal(btt_bnode_count(&m.doc, files), 7);
	for (uint32_t f = btt_bnode_first(&m.doc, files); f != BTT_BNONE;
	     f = btt_bnode_next(&m.doc, files, f), i++) {
		int64_t len;
		struct btt_cur attr;
		assert_true(btt_bnode_get_int(&m.doc, f, "length", &len));
		assert_int_equal(len, want_len[i]);
		if (i == 1 || i == 3 || i == 6) {
			assert_true(
				btt_bnode_get_str(&m.doc, f, "attr", &attr));
			assert_true(btt_cur_eq_str(&attr, "p"));
		}
	}
	pieces = get_str(&m, m.info, "pieces");
	assert_int_equal(btt_cur_len(&pieces), 4 * 20);
	for (size_t p = 0; p < 4; p++) {
		btt_sha1(stream + p * 16384, 16384, want);
		assert_memory_equal(btt_cur_data(&pieces) + p * 20, want, 20);
	}
	assert_true(m.r.has_v1 && m.r.has_v2);
	o.version = BTT_CREATE_V2;
	assert_int_equal(make_torrent(&o, &m2), 0);
	t1 = btt_bnode_raw(&m.doc, info_key(&m, "file tree"));
	t2 = btt_bnode_raw(&m2.doc, info_key(&m2, "file tree"));
	assert_int_equal(btt_cur_len(&t1), btt_cur_len(&t2));
	assert_memory_equal(btt_cur_data(&t1), btt_cur_data(&t2),
			    btt_cur_len(&t1));
	made_release(&m);
	made_release(&m2);
	free(stream);
	tree_remove(dir);
	free(dir);
}

static void test_create_hybrid_single_file_has_no_pad(void **state)
{
	char *dir = tmp_dir(), path[512];
	uint8_t *data = put_file(dir, "s", 20000, 4, true), want[20];
	struct btt_create_opts o = {.path = path,
				    .piece_size = 16 * KIB,
				    .version = BTT_CREATE_HYBRID};
	struct made m;
	struct btt_cur pieces;
	(void)state;

	snprintf(path, sizeof(path), "%s/s", dir);
	assert_int_equal(make_torrent(&o, &m), 0);
	assert_int_equal(info_key(&m, "files"), BTT_BNONE);
	pieces = get_str(&m, m.info, "pieces");
	assert_int_equal(btt_cur_len(&pieces), 40);
	btt_sha1(data + 16384, 20000 - 16384, want);
	assert_memory_equal(btt_cur_data(&pieces) + 20, want, 20);
	made_release(&m);
	free(data);
	tree_remove(dir);
	free(dir);
}

static void test_create_deterministic(void **state)
{
	char *dir = tmp_dir();
	(void)state;

	put_file(dir, "p/q", 50000, 1, false);
	put_file(dir, "r", 123457, 2, false);
	put_file(dir, "s", 0, 3, false);
	for (int v = BTT_CREATE_V1; v <= BTT_CREATE_HYBRID; v++) {
		struct btt_create_opts o = {
			.path = dir, .version = v, .threads = 1};
		struct btt_create_result a, b;
		assert_int_equal(btt_bt_create(&o, &a), 0);
		o.threads = 4;
		assert_int_equal(btt_bt_create(&o, &b), 0);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.torrent, b.torrent, a.len);
		btt_bt_create_result_release(&b);
		o.threads = 0;
		assert_int_equal(btt_bt_create(&o, &b), 0);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.torrent, b.torrent, a.len);
		btt_bt_create_result_release(&a);
		btt_bt_create_result_release(&b);
	}
	tree_remove(dir);
	free(dir);
}

struct prog {
	uint64_t last, total;
	int calls;
	bool backwards;
};

static void on_progress(void *arg, uint64_t done, uint64_t total)
{
	struct prog *p = arg;
	if (done < p->last)
		p->backwards = true;
	p->last = done;
	p->total = total;
	p->calls++;
}

static void test_create_progress(void **state)
{
	char *dir = tmp_dir();
	struct prog p = {0};
	struct btt_create_opts o = {.path = dir,
				    .piece_size = 16 * KIB,
				    .progress = on_progress,
				    .cb_arg = &p,
				    .version = BTT_CREATE_HYBRID};
	struct btt_create_result r;
	(void)state;

	put_file(dir, "a", 100000, 1, false);
	put_file(dir, "b", 7, 2, false);
	assert_int_equal(btt_bt_create(&o, &r), 0);
	assert_int_equal(p.calls, r.num_pieces);
	assert_int_equal(p.last, 100007);
	assert_int_equal(p.total, 100007);
	assert_false(p.backwards);
	btt_bt_create_result_release(&r);
	tree_remove(dir);
	free(dir);
}

/* Changes file `rel` of the tree after it was listed, before hashing. */
struct mutate {
	const char *dir;
	const char *rel;
	off_t new_size; /* -1: replace the file with a directory */
};

static int mutate_ready(void *arg, const char *name, uint64_t total)
{
	struct mutate *mu = arg;
	char path[512];
	(void)name;
	(void)total;

	snprintf(path, sizeof(path), "%s/%s", mu->dir, mu->rel);
	if (mu->new_size >= 0)
		return truncate(path, mu->new_size) == 0 ? 0 : -1;
	return unlink(path) == 0 && mkdir(path, 0755) == 0 ? 0 : -1;
}

static int try_mutate(const char *rel, off_t new_size, char *msg)
{
	char *dir = tmp_dir();
	struct mutate mu = {dir, rel, new_size};
	struct btt_create_opts o = {.path = dir,
				    .piece_size = 16 * KIB,
				    .ready = mutate_ready,
				    .cb_arg = &mu};
	struct btt_create_result r;
	int err;

	put_file(dir, "big", 100000, 1, false); /* read by several pieces */
	put_file(dir, "small", 100, 2, false);	/* read by one piece */
	err = btt_bt_create(&o, &r);
	assert_false(r.bad_input);
	snprintf(msg, 512, "%s", r.msg);
	btt_bt_create_result_release(&r);
	tree_remove(dir);
	free(dir);
	return err;
}

static void test_create_file_changed_during_hashing(void **state)
{
	char msg[512];
	(void)state;

	assert_int_equal(try_mutate("big", 50000, msg), BTT_EINCOMPLETE);
	assert_non_null(strstr(msg, "/big: file changed size"));
	assert_int_equal(try_mutate("big", 100001, msg), BTT_EINCOMPLETE);
	assert_non_null(strstr(msg, "/big: file changed size"));
	assert_int_equal(try_mutate("small", 99, msg), BTT_EINCOMPLETE);
	assert_non_null(strstr(msg, "/small: file changed size"));
	assert_int_equal(try_mutate("small", 101, msg), BTT_EINCOMPLETE);
	assert_non_null(strstr(msg, "/small: file changed size"));
	/* unreadable as a file: named, with the system's reason */
	assert_int_equal(try_mutate("small", -1, msg), -EISDIR);
	assert_non_null(strstr(msg, "/small: "));
	assert_int_equal(try_mutate("big", -1, msg), -EISDIR);
	assert_non_null(strstr(msg, "/big: "));
}

/* What we create, our parser accepts, with the same hashes. */
static void test_create_output_parses(void **state)
{
	char *dir = tmp_dir();
	static const char *tr[] = {"http://127.0.0.1/a", "http://127.0.0.1/b"};
	(void)state;

	put_file(dir, "x/y", 40000, 1, false);
	put_file(dir, "z", 5, 2, false);
	put_file(dir, "w", 0, 3, false);
	for (int v = BTT_CREATE_V1; v <= BTT_CREATE_HYBRID; v++) {
		struct btt_create_opts o = {
			.path = dir,
			.version = v,
			.piece_size = 16 * KIB,
			.trackers = tr,
			.num_trackers = 2,
			.comment = "c",
		};
		struct btt_create_result r;
		struct btt_metainfo mi;
		struct btt_metainfo_err e;

		assert_int_equal(btt_bt_create(&o, &r), 0);
		assert_int_equal(btt_metainfo_parse(&mi, r.torrent, r.len, &e),
				 0);
		assert_int_equal(mi.num_pieces, r.num_pieces);
		assert_int_equal(mi.total_length, 40005);
		assert_int_equal(mi.has_v1, r.has_v1);
		assert_int_equal(mi.has_v2, r.has_v2);
		if (r.has_v1)
			assert_memory_equal(mi.ih_v1, r.ih_v1, 20);
		if (r.has_v2)
			assert_memory_equal(mi.ih_v2, r.ih_v2, 32);
		assert_int_equal(mi.num_trackers, 2);
		btt_metainfo_release(&mi);
		btt_bt_create_result_release(&r);
	}
	tree_remove(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_v1_pieces_across_files),
		cmocka_unit_test(test_create_v2_roots),
		cmocka_unit_test(test_create_v2_file_tree),
		cmocka_unit_test(test_create_hybrid_padding),
		cmocka_unit_test(test_create_hybrid_single_file_has_no_pad),
		cmocka_unit_test(test_create_deterministic),
		cmocka_unit_test(test_create_progress),
		cmocka_unit_test(test_create_file_changed_during_hashing),
		cmocka_unit_test(test_create_output_parses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
