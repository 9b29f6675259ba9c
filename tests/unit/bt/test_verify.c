/* Verifying data on disk: v1, v2 and hybrid torrents made by btt's creator
 * and a hand-built v1 torrent with a pad file; flipped bytes, deleted,
 * truncated, longer and replaced files; hashes that fail in one half of a
 * hybrid only; many jobs sharing files; the thread-count limit. Every test
 * works in its own temporary directory and removes it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bencode/bencode_int.h"
#include "bt/create.h"
#include "bt/layout.h"
#include "bt/metainfo.h"
#include "bt/verify.h"
#include "btt/err.h"
#include "crypto/hash.h"

#define KIB 1024u

struct fx {
	char root[64];
	char path[512];
	struct btt_metainfo mi;
	struct btt_verify_result res;
};

static const char *at(struct fx *fx, const char *rel)
{
	snprintf(fx->path, sizeof(fx->path), "%s/%s", fx->root, rel);
	return fx->path;
}

static void mkdirs(struct fx *fx, const char *rel)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s/%s", fx->root, rel);
	for (char *s = buf + strlen(fx->root) + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		mkdir(buf, 0755);
		*s = '/';
	}
}

/* Writes len bytes of a pattern that differs per seed and per offset. */
static void write_file(struct fx *fx, const char *rel, size_t len,
		       uint32_t seed)
{
	FILE *f;
	mkdirs(fx, rel);
	f = fopen(at(fx, rel), "wb");
	assert_non_null(f);
	for (size_t i = 0; i < len; i++) {
		uint32_t x = (uint32_t)i * 2654435761u + seed * 40503u;
		fputc((int)(x >> 13 & 0xff), f);
	}
	assert_int_equal(fclose(f), 0);
}

static void flip_byte(struct fx *fx, const char *rel, off_t off)
{
	int fd = open(at(fx, rel), O_RDWR);
	uint8_t b;
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &b, 1, off), 1);
	b ^= 0x20;
	assert_int_equal(pwrite(fd, &b, 1, off), 1);
	close(fd);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	snprintf(fx->root, sizeof(fx->root), "/tmp/btt-verify-XXXXXX");
	if (!fx || !mkdtemp(fx->root))
		return -1;
	*state = fx;
	return 0;
}

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	btt_verify_result_release(&fx->res);
	btt_metainfo_release(&fx->mi);
	nftw(fx->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

/* The standard content: pieces span files, one file is exactly a piece,
 * one is smaller than a block, one is empty, two are nested. */
static void write_content(struct fx *fx)
{
	write_file(fx, "data/a.bin", 100000, 1);
	write_file(fx, "data/empty.txt", 0, 2);
	write_file(fx, "data/sub/b.bin", 16 * KIB, 3);
	write_file(fx, "data/sub/deep/c.bin", 5000, 4);
	write_file(fx, "data/z.bin", 70001, 5);
}

static void parse(struct fx *fx, const uint8_t *buf, size_t len)
{
	struct btt_metainfo_err err;
	btt_metainfo_release(&fx->mi);
	if (btt_metainfo_parse(&fx->mi, buf, len, &err)) {
		print_error("parse: %s\n", err.msg);
		fail();
	}
}

static void make_torrent(struct fx *fx, const char *rel, uint64_t piece,
			 enum btt_create_version v)
{
	struct btt_create_opts o = {
		.piece_size = piece, .version = v, .threads = 2};
	struct btt_create_result r;
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", fx->root, rel);
	o.path = path;
	if (btt_bt_create(&o, &r)) {
		print_error("create: %s\n", r.msg);
		fail();
	}
	parse(fx, r.torrent, r.len);
	btt_bt_create_result_release(&r);
}

static int run(struct fx *fx, unsigned threads)
{
	struct btt_verify_opts o = {.threads = threads};
	btt_verify_result_release(&fx->res);
	return btt_verify_run(&fx->mi, fx->root, &o, &fx->res);
}

static const struct btt_verify_file *vfile(struct fx *fx, const char *path)
{
	for (uint32_t i = 0; i < fx->mi.num_files; i++)
		if (!strcmp(fx->mi.files[i].path, path))
			return &fx->res.files[i];
	fail_msg("no file %s", path);
	return NULL;
}

static void assert_all_complete(struct fx *fx)
{
	assert_int_equal(run(fx, 2), 0);
	assert_true(fx->res.ok);
	assert_int_equal(fx->res.num_pieces, fx->mi.num_pieces);
	assert_int_equal(fx->res.complete, fx->mi.num_pieces);
	assert_int_equal(fx->res.missing, 0);
	assert_int_equal(fx->res.corrupt, 0);
	for (uint32_t i = 0; i < fx->res.num_files; i++)
		assert_int_equal(fx->res.files[i].state,
				 BTT_VERIFY_FILE_COMPLETE);
}

/* The layout and the parser agree on every piece: its file, and its
 * hashed size (v1 and hybrid: pad bytes included; v2: the file's bytes). */
static void assert_layout_agrees(const struct btt_metainfo *mi)
{
	struct btt_layout l;

	assert_int_equal(btt_layout_init_metainfo(&l, mi), 0);
	assert_int_equal(l.num_pieces, mi->num_pieces);
	assert_true(l.stream_length == mi->stream_length);
	for (uint32_t p = 0; p < mi->num_pieces; p++) {
		struct btt_layout_iter it;
		struct btt_layout_extent e;
		uint64_t all = 0, data = 0;
		uint32_t f, k;
		btt_layout_iter_piece(&l, p, &it);
		while (btt_layout_iter_next(&it, &e)) {
			all += e.length;
			data += e.pad ? 0 : e.length;
		}
		assert_true((mi->has_v1 ? all : data) ==
			    btt_metainfo_piece_size(mi, p));
		if (!mi->has_v2)
			continue;
		assert_true(btt_layout_v2_locate(&l, p, &f, &k));
		assert_int_equal(f, btt_metainfo_piece_file(mi, p));
		assert_int_equal(btt_layout_v2_piece(&l, f, k), p);
	}
}

static void test_verify_v1_complete_then_flipped_byte(void **state)
{
	struct fx *fx = *state;

	write_content(fx);
	make_torrent(fx, "data", 16 * KIB, BTT_CREATE_V1);
	assert_layout_agrees(&fx->mi);
	assert_all_complete(fx);
	assert_true(fx->res.bytes_read == fx->mi.total_length);
	/* byte 50000 lies in piece 3, wholly inside a.bin */
	flip_byte(fx, "data/a.bin", 50000);
	assert_int_equal(run(fx, 2), 0);
	assert_false(fx->res.ok);
	assert_int_equal(fx->res.corrupt, 1);
	assert_int_equal(fx->res.missing, 0);
	assert_int_equal(fx->res.piece[3], BTT_VERIFY_PIECE_CORRUPT);
	assert_int_equal(vfile(fx, "data/a.bin")->state,
			 BTT_VERIFY_FILE_CORRUPT);
	assert_int_equal(vfile(fx, "data/a.bin")->corrupt, 1);
	assert_int_equal(vfile(fx, "data/z.bin")->state,
			 BTT_VERIFY_FILE_COMPLETE);
}

static void test_verify_deleted_file_is_missing(void **state)
{
	struct fx *fx = *state;
	const struct btt_verify_file *z;

	write_content(fx);
	make_torrent(fx, "data", 16 * KIB, BTT_CREATE_V1);
	assert_int_equal(unlink(at(fx, "data/z.bin")), 0);
	assert_int_equal(run(fx, 1), 0);
	assert_false(fx->res.ok);
	z = vfile(fx, "data/z.bin");
	assert_int_equal(z->state, BTT_VERIFY_FILE_MISSING);
	assert_false(z->present);
	assert_int_equal(z->err, 0);
	assert_int_equal(z->missing, z->pieces);
	assert_int_equal(fx->res.corrupt, 0);
	assert_int_equal(fx->res.missing, z->pieces);
	/* c.bin shares z.bin's first piece: not verifiable, so partial */
	assert_int_equal(vfile(fx, "data/sub/deep/c.bin")->state,
			 BTT_VERIFY_FILE_PARTIAL);
	assert_int_equal(vfile(fx, "data/a.bin")->state,
			 BTT_VERIFY_FILE_COMPLETE);
}

static void test_verify_truncated_file_is_partial(void **state)
{
	struct fx *fx = *state;
	const struct btt_verify_file *a;

	write_content(fx);
	make_torrent(fx, "data", 16 * KIB, BTT_CREATE_V1);
	assert_int_equal(truncate(at(fx, "data/a.bin"), 40000), 0);
	assert_int_equal(run(fx, 2), 0);
	a = vfile(fx, "data/a.bin");
	assert_int_equal(a->state, BTT_VERIFY_FILE_PARTIAL);
	assert_true(a->present);
	assert_true(a->disk_size == 40000);
	/* pieces 0 and 1 hold bytes < 32768; 2..6 reach past 40000 */
	assert_int_equal(a->missing, 5);
	assert_int_equal(fx->res.piece[1], BTT_VERIFY_PIECE_COMPLETE);
	assert_int_equal(fx->res.piece[2], BTT_VERIFY_PIECE_MISSING);
	assert_int_equal(fx->res.corrupt, 0);
}

static void test_verify_longer_and_empty_files(void **state)
{
	struct fx *fx = *state;
	FILE *f;

	write_content(fx);
	make_torrent(fx, "data", 16 * KIB, BTT_CREATE_V1);
	f = fopen(at(fx, "data/a.bin"), "ab");
	assert_non_null(f);
	fputs("extra", f);
	fclose(f);
	assert_int_equal(run(fx, 2), 0);
	assert_int_equal(fx->res.complete, fx->res.num_pieces);
	assert_false(fx->res.ok);
	assert_int_equal(vfile(fx, "data/a.bin")->state,
			 BTT_VERIFY_FILE_OVERSIZE);
	assert_true(vfile(fx, "data/a.bin")->disk_size == 100005);
	assert_int_equal(truncate(at(fx, "data/a.bin"), 100000), 0);
	assert_int_equal(unlink(at(fx, "data/empty.txt")), 0);
	assert_int_equal(run(fx, 2), 0);
	assert_int_equal(fx->res.complete, fx->res.num_pieces);
	assert_false(fx->res.ok);
	assert_int_equal(vfile(fx, "data/empty.txt")->state,
			 BTT_VERIFY_FILE_MISSING);
	assert_int_equal(vfile(fx, "data/empty.txt")->pieces, 0);
}

static void test_verify_directory_in_place_of_file(void **state)
{
	struct fx *fx = *state;
	const struct btt_verify_file *c;

	write_content(fx);
	make_torrent(fx, "data", 16 * KIB, BTT_CREATE_V1);
	assert_int_equal(unlink(at(fx, "data/sub/deep/c.bin")), 0);
	assert_int_equal(mkdir(at(fx, "data/sub/deep/c.bin"), 0755), 0);
	assert_int_equal(run(fx, 2), 0);
	c = vfile(fx, "data/sub/deep/c.bin");
	assert_int_equal(c->state, BTT_VERIFY_FILE_MISSING);
	assert_int_equal(c->err, -EISDIR);
}

static void test_verify_v2_and_hybrid(void **state)
{
	static const enum btt_create_version vs[] = {BTT_CREATE_V2,
						     BTT_CREATE_HYBRID};
	struct fx *fx = *state;

	write_content(fx);
	for (size_t i = 0; i < 2; i++) {
		make_torrent(fx, "data", 16 * KIB, vs[i]);
		assert_int_equal(fx->mi.version, (int)vs[i]);
		assert_layout_agrees(&fx->mi);
		assert_all_complete(fx);
		/* a file smaller than a piece: its root is checked */
		flip_byte(fx, "data/sub/deep/c.bin", 4999);
		assert_int_equal(run(fx, 2), 0);
		assert_int_equal(fx->res.corrupt, 1);
		assert_int_equal(vfile(fx, "data/sub/deep/c.bin")->state,
				 BTT_VERIFY_FILE_CORRUPT);
		/* files are piece-aligned: no neighbour is affected */
		assert_int_equal(vfile(fx, "data/z.bin")->state,
				 BTT_VERIFY_FILE_COMPLETE);
		assert_int_equal(vfile(fx, "data/sub/b.bin")->state,
				 BTT_VERIFY_FILE_COMPLETE);
		flip_byte(fx, "data/sub/deep/c.bin", 4999);
		/* the last, short piece of a multi-piece file */
		flip_byte(fx, "data/a.bin", 99999);
		assert_int_equal(run(fx, 2), 0);
		assert_int_equal(fx->res.corrupt, 1);
		assert_int_equal(vfile(fx, "data/a.bin")->corrupt, 1);
		flip_byte(fx, "data/a.bin", 99999);
		assert_all_complete(fx);
	}
}

/* Changes the first occurrence of `what` (n bytes) in the torrent. */
static void patch_torrent(struct fx *fx, const uint8_t *what, size_t n)
{
	uint8_t *copy = malloc(fx->mi.raw_len);
	uint8_t *hit;
	size_t len = fx->mi.raw_len;

	assert_non_null(copy);
	memcpy(copy, fx->mi.raw, len);
	hit = memmem(copy, len, what, n);
	assert_non_null(hit);
	hit[n - 1] ^= 1;
	parse(fx, copy, len);
	free(copy);
}

static void test_verify_hybrid_either_half_fails(void **state)
{
	struct fx *fx = *state;
	uint8_t h[32];
	uint32_t c = UINT32_MAX;

	write_content(fx);
	make_torrent(fx, "data", 16 * KIB, BTT_CREATE_HYBRID);
	for (uint32_t i = 0; i < fx->mi.num_files; i++)
		if (!strcmp(fx->mi.files[i].path, "data/sub/deep/c.bin"))
			c = i;
	assert_true(c != UINT32_MAX);
	/* A one-piece file has no piece layer, so a changed pieces root
	 * still parses; the v1 hash of the piece is intact. */
	memcpy(h, fx->mi.files[c].pieces_root, 32);
	patch_torrent(fx, h, 32);
	assert_int_equal(run(fx, 2), 0);
	assert_int_equal(fx->res.corrupt, 1);
	assert_int_equal(vfile(fx, "data/sub/deep/c.bin")->state,
			 BTT_VERIFY_FILE_CORRUPT);
	/* The other way: a wrong v1 hash, right v2 root. */
	make_torrent(fx, "data", 16 * KIB, BTT_CREATE_HYBRID);
	memcpy(h, btt_metainfo_piece_hash_v1(&fx->mi, 0), 20);
	patch_torrent(fx, h, 20);
	assert_int_equal(run(fx, 2), 0);
	assert_int_equal(fx->res.corrupt, 1);
	assert_int_equal(fx->res.piece[0], BTT_VERIFY_PIECE_CORRUPT);
}

static void test_verify_single_file(void **state)
{
	struct fx *fx = *state;

	write_file(fx, "one.bin", 40000, 9);
	make_torrent(fx, "one.bin", 16 * KIB, BTT_CREATE_V1);
	assert_true(fx->mi.is_single_file);
	assert_all_complete(fx);
	assert_int_equal(fx->res.num_pieces, 3);
	assert_int_equal(truncate(at(fx, "one.bin"), 16 * KIB), 0);
	assert_int_equal(run(fx, 2), 0);
	assert_int_equal(fx->res.complete, 1);
	assert_int_equal(fx->res.missing, 2);
	assert_int_equal(vfile(fx, "one.bin")->state, BTT_VERIFY_FILE_PARTIAL);
}

static void file_entry(struct btt_wbuf *w, uint64_t len, const char *dir,
		       const char *name, bool pad)
{
	btt_benc_dict(w);
	if (pad) {
		btt_benc_cstr(w, "attr");
		btt_benc_cstr(w, "p");
	}
	btt_benc_cstr(w, "length");
	btt_benc_int(w, (int64_t)len);
	btt_benc_cstr(w, "path");
	btt_benc_list(w);
	if (dir)
		btt_benc_cstr(w, dir);
	btt_benc_cstr(w, name);
	btt_benc_end(w);
	btt_benc_end(w);
}

/* A v1 torrent with a BEP 47 pad file, built by hand: the pad is never on
 * disk and its bytes hash as zeros. */
static void test_verify_v1_pad_file_reads_as_zeros(void **state)
{
	struct fx *fx = *state;
	uint8_t content[16 * KIB + 3000], hashes[40];
	struct btt_wbuf w;
	FILE *f;

	write_file(fx, "padded/a", 5000, 11);
	write_file(fx, "padded/b", 3000, 12);
	memset(content, 0, sizeof(content));
	f = fopen(at(fx, "padded/a"), "rb");
	assert_int_equal(fread(content, 1, 5000, f), 5000);
	fclose(f);
	f = fopen(at(fx, "padded/b"), "rb");
	assert_int_equal(fread(content + 16 * KIB, 1, 3000, f), 3000);
	fclose(f);
	btt_sha1(content, 16 * KIB, hashes);
	btt_sha1(content + 16 * KIB, 3000, hashes + 20);

	btt_wbuf_init(&w, 1 << 16);
	btt_benc_dict(&w);
	btt_benc_cstr(&w, "info");
	btt_benc_dict(&w);
	btt_benc_cstr(&w, "files");
	btt_benc_list(&w);
	file_entry(&w, 5000, NULL, "a", false);
	file_entry(&w, 16 * KIB - 5000, ".pad", "11384", true);
	file_entry(&w, 3000, NULL, "b", false);
	btt_benc_end(&w);
	btt_benc_cstr(&w, "name");
	btt_benc_cstr(&w, "padded");
	btt_benc_cstr(&w, "piece length");
	btt_benc_int(&w, 16 * KIB);
	btt_benc_cstr(&w, "pieces");
	btt_benc_str(&w, hashes, sizeof(hashes));
	btt_benc_end(&w);
	btt_benc_end(&w);
	assert_int_equal(btt_wbuf_err(&w), 0);
	parse(fx, w.buf, w.len);
	btt_wbuf_release(&w);

	assert_int_equal(fx->mi.num_pad_files, 1);
	assert_all_complete(fx);
	assert_true(fx->res.bytes_read == 8000);
	flip_byte(fx, "padded/b", 0);
	assert_int_equal(run(fx, 1), 0);
	assert_int_equal(fx->res.piece[0], BTT_VERIFY_PIECE_COMPLETE);
	assert_int_equal(fx->res.piece[1], BTT_VERIFY_PIECE_CORRUPT);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* 9 MiB in 16 KiB pieces is several jobs, so big.bin is shared by jobs
 * and the small files around it are opened by one job each. */
static void test_verify_many_jobs_share_files(void **state)
{
	struct fx *fx = *state;
	int fds;

	write_file(fx, "many/0.bin", 777, 20);
	write_file(fx, "many/big.bin", 9 * KIB * KIB + 5, 21);
	for (int i = 0; i < 30; i++) {
		char name[32];
		snprintf(name, sizeof(name), "many/s/%02d", i);
		write_file(fx, name, (size_t)i * 1000, 22 + (uint32_t)i);
	}
	make_torrent(fx, "many", 16 * KIB, BTT_CREATE_V1);
	fds = count_fds();
	assert_all_complete(fx);
	assert_int_equal(count_fds(), fds);
	flip_byte(fx, "many/big.bin", 5 * KIB * KIB);
	assert_int_equal(truncate(at(fx, "many/s/29"), 100), 0);
	for (unsigned threads = 1; threads <= 3; threads++) {
		assert_int_equal(run(fx, threads), 0);
		assert_int_equal(fx->res.corrupt, 1);
		assert_int_equal(vfile(fx, "many/big.bin")->state,
				 BTT_VERIFY_FILE_CORRUPT);
		assert_int_equal(vfile(fx, "many/s/29")->state,
				 BTT_VERIFY_FILE_PARTIAL);
		assert_int_equal(vfile(fx, "many/s/10")->state,
				 BTT_VERIFY_FILE_COMPLETE);
		assert_int_equal(count_fds(), fds);
	}
}

/* Threads: 0 means every core; 64 is the most. */
static void test_verify_thread_limit(void **state)
{
	struct fx *fx = *state;

	write_file(fx, "t.bin", 50000, 30);
	make_torrent(fx, "t.bin", 16 * KIB, BTT_CREATE_V1);
	assert_int_equal(run(fx, 63), 0);
	assert_true(fx->res.ok);
	assert_int_equal(run(fx, 64), 0);
	assert_true(fx->res.ok);
	assert_int_equal(run(fx, 65), BTT_EINVALID);
	assert_null(fx->res.piece);
	assert_int_equal(run(fx, 0), 0);
	assert_true(fx->res.ok);
}

static void test_verify_missing_directory(void **state)
{
	struct fx *fx = *state;
	struct btt_verify_opts o = {.threads = 1};

	write_file(fx, "t.bin", 100, 31);
	make_torrent(fx, "t.bin", 16 * KIB, BTT_CREATE_V1);
	assert_int_equal(btt_verify_run(&fx->mi, at(fx, "nope"), &o, &fx->res),
			 -ENOENT);
	assert_null(fx->res.files);
	/* A directory without the data: everything missing, nothing read. */
	assert_int_equal(mkdir(at(fx, "empty"), 0755), 0);
	assert_int_equal(btt_verify_run(&fx->mi, at(fx, "empty"), &o, &fx->res),
			 0);
	assert_int_equal(fx->res.missing, 1);
	assert_true(fx->res.bytes_read == 0);
	assert_int_equal(fx->res.files[0].state, BTT_VERIFY_FILE_MISSING);
}

static void test_verify_names(void **state)
{
	(void)state;
	assert_string_equal(btt_verify_piece_name(BTT_VERIFY_PIECE_CORRUPT),
			    "corrupt");
	assert_string_equal(btt_verify_file_state_name(BTT_VERIFY_FILE_PARTIAL),
			    "partial");
	assert_string_equal(
		btt_verify_file_state_name(BTT_VERIFY_FILE_OVERSIZE),
		"oversize");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_verify_v1_complete_then_flipped_byte),
		T(test_verify_deleted_file_is_missing),
		T(test_verify_truncated_file_is_partial),
		T(test_verify_longer_and_empty_files),
		T(test_verify_directory_in_place_of_file),
		T(test_verify_v2_and_hybrid),
		T(test_verify_hybrid_either_half_fails),
		T(test_verify_single_file),
		T(test_verify_v1_pad_file_reads_as_zeros),
		T(test_verify_many_jobs_share_files),
		T(test_verify_thread_limit),
		T(test_verify_missing_directory),
		cmocka_unit_test(test_verify_names),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
