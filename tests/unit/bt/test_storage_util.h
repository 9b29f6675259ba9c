/* Helpers for the storage tests: a temporary directory with a source tree
 * (the content) and a download directory, torrents made from the source
 * by btt's creator or by hand, the whole piece stream in memory to cut
 * blocks from, a worker pool, and a storage whose callbacks are recorded.
 * Included by test_storage*.c, and by test_torrent_select.c for its file
 * helpers (tfx_fill, tfx_put, tfx_slurp, tfx_rm). */
#ifndef BTT_TEST_STORAGE_UTIL_H
#define BTT_TEST_STORAGE_UTIL_H

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
#include "bt/metainfo.h"
#include "bt/resume.h"
#include "bt/storage.h"
#include "btt/err.h"
#include "crypto/hash.h"
#include "io/pool.h"

#define KIB 1024u
#define BLK BTT_BT_STORAGE_BLOCK

struct tfx {
	char root[64];
	char src[128];	/* content the torrents are made from */
	char dl[128];	/* the download directory */
	char path[512]; /* scratch for at() */
	struct btt_metainfo mi;
	uint8_t *stream; /* the piece stream, pad bytes and gaps as zeros */
	struct btt_pool *pool;
	struct btt_bt_storage *st;
	struct btt_bt_storage_opts o; /* template for tfx_start */
	/* recorded callbacks */
	int *verdict;	 /* per piece: 0 none, 1 passed, else the result */
	unsigned passed; /* on_piece with 0 */
	unsigned failed; /* on_piece with an error */
	unsigned errors; /* on_error calls */
	int last_err;
	char errmsg[512];
	unsigned writable;
	unsigned writes_ok, writes_failed;
	int last_write_err;
	bool opened;
	int open_err;
	struct btt_bitfield recheck; /* a copy of what open reported */
	bool done;		     /* check / save / close finished */
	int done_err;
	uint32_t progress_calls, progress_done, progress_total;
};

static inline int tfx_rm(const char *p, const struct stat *st, int flag,
			 struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static inline const char *tfx_at(struct tfx *fx, const char *dir,
				 const char *rel)
{
	snprintf(fx->path, sizeof(fx->path), "%s/%s", dir, rel);
	return fx->path;
}

static inline int tfx_setup(void **state)
{
	struct tfx *fx = calloc(1, sizeof(*fx));
	const char *tmp = getenv("TMPDIR");

	if (!fx)
		return -1;
	snprintf(fx->root, sizeof(fx->root), "%s/btt-storage-XXXXXX",
		 tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	if (!mkdtemp(fx->root))
		return -1;
	snprintf(fx->src, sizeof(fx->src), "%s/src", fx->root);
	snprintf(fx->dl, sizeof(fx->dl), "%s/dl", fx->root);
	if (mkdir(fx->src, 0755) < 0)
		return -1;
	if (btt_pool_new(2, &fx->pool))
		return -1;
	*state = fx;
	return 0;
}

static inline void tfx_drain(struct tfx *fx)
{
	while (btt_pool_pending(fx->pool))
		btt_pool_wait(fx->pool);
}

static inline void tfx_stop(struct tfx *fx)
{
	tfx_drain(fx);
	btt_bt_storage_free(fx->st);
	fx->st = NULL;
}

static inline int tfx_teardown(void **state)
{
	struct tfx *fx = *state;

	tfx_stop(fx);
	btt_pool_free(fx->pool);
	btt_metainfo_release(&fx->mi);
	btt_bitfield_release(&fx->recheck);
	free(fx->stream);
	free(fx->verdict);
	nftw(fx->root, tfx_rm, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

/* Waits (running completions) until cond holds; fails when nothing is
 * left to wait for. */
#define TFX_WAIT(fx, cond)                                         \
	do {                                                       \
		while (!(cond)) {                                  \
			assert_true(btt_pool_pending((fx)->pool)); \
			btt_pool_wait((fx)->pool);                 \
		}                                                  \
	} while (0)

/* A deterministic byte pattern per seed. */
static inline void tfx_fill(uint8_t *p, size_t n, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)(x >> 11);
	}
}

/* Writes dir/rel with n pattern bytes, creating parent directories. */
static inline void tfx_put(struct tfx *fx, const char *dir, const char *rel,
			   size_t n, uint64_t seed)
{
	char path[512];
	uint8_t *buf = malloc(n ? n : 1);
	int fd;

	assert_non_null(buf);
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (char *s = path + strlen(dir) + 1; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(path, 0755);
			*s = '/';
		}
	}
	(void)fx;
	tfx_fill(buf, n, seed);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, n), (ssize_t)n);
	close(fd);
	free(buf);
}

/* Reads a whole file (NULL when absent); *len gets its size. */
static inline uint8_t *tfx_slurp(const char *path, size_t *len)
{
	struct stat sb;
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	assert_int_equal(fstat(fd, &sb), 0);
	buf = malloc(sb.st_size ? (size_t)sb.st_size : 1);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)sb.st_size), sb.st_size);
	close(fd);
	*len = (size_t)sb.st_size;
	return buf;
}

/* Builds fx->stream from the source tree (pad bytes and gaps zero). */
static inline void tfx_stream(struct tfx *fx)
{
	const struct btt_metainfo *mi = &fx->mi;

	free(fx->stream);
	fx->stream = calloc(1, mi->stream_length ? mi->stream_length : 1);
	assert_non_null(fx->stream);
	for (uint32_t f = 0; f < mi->num_files; f++) {
		const struct btt_file *file = &mi->files[f];
		size_t len = 0;
		uint8_t *data;
		if ((file->attr & BTT_FILE_PAD) || !file->length)
			continue;
		data = tfx_slurp(tfx_at(fx, fx->src, file->path), &len);
		assert_non_null(data);
		assert_true(len == file->length);
		memcpy(fx->stream + file->offset, data, len);
		free(data);
	}
	free(fx->verdict);
	fx->verdict = calloc(mi->num_pieces + 1, sizeof(int));
	assert_non_null(fx->verdict);
}

static inline void tfx_parse(struct tfx *fx, const uint8_t *buf, size_t len)
{
	struct btt_metainfo_err err;

	btt_metainfo_release(&fx->mi);
	if (btt_metainfo_parse(&fx->mi, buf, len, &err)) {
		print_error("parse: %s\n", err.msg);
		fail();
	}
	tfx_stream(fx);
}

/* A torrent of src/<rel> made by btt's creator. */
static inline void tfx_make(struct tfx *fx, const char *rel, uint64_t piece,
			    enum btt_create_version v)
{
	struct btt_create_opts o = {
		.piece_size = piece, .version = v, .threads = 2};
	struct btt_create_result r;
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", fx->src, rel);
	o.path = path;
	if (btt_bt_create(&o, &r)) {
		print_error("create: %s\n", r.msg);
		fail();
	}
	tfx_parse(fx, r.torrent, r.len);
	btt_bt_create_result_release(&r);
}

/* The standard multi-file content under dir/data: pieces span files, one
 * file is smaller than a block, two are empty (one alone in its
 * directory), some are nested. */
static inline void tfx_content_in(struct tfx *fx, const char *dir)
{
	mkdir(dir, 0755);
	tfx_put(fx, dir, "data/a.bin", 100000, 1);
	tfx_put(fx, dir, "data/empty.txt", 0, 2);
	tfx_put(fx, dir, "data/emptydir/e.txt", 0, 6);
	tfx_put(fx, dir, "data/sub/b.bin", 16 * KIB, 3);
	tfx_put(fx, dir, "data/sub/deep/c.bin", 5000, 4);
	tfx_put(fx, dir, "data/z.bin", 70001, 5);
}

static inline void tfx_content(struct tfx *fx)
{
	tfx_content_in(fx, fx->src);
}

/* ---- the storage ---- */

static inline void tfx_on_piece(void *arg, uint32_t piece, int result)
{
	struct tfx *fx = arg;
	fx->verdict[piece] = result ? result : 1;
	if (result)
		fx->failed++;
	else
		fx->passed++;
}

static inline void tfx_on_error(void *arg, int err, const char *msg)
{
	struct tfx *fx = arg;
	fx->errors++;
	fx->last_err = err;
	snprintf(fx->errmsg, sizeof(fx->errmsg), "%s", msg);
}

static inline void tfx_on_writable(void *arg)
{
	((struct tfx *)arg)->writable++;
}

static inline void tfx_on_open(void *arg, int err,
			       const struct btt_bitfield *recheck)
{
	struct tfx *fx = arg;
	fx->opened = true;
	fx->open_err = err;
	btt_bitfield_release(&fx->recheck);
	if (!recheck)
		return;
	assert_int_equal(
		btt_bitfield_init(&fx->recheck, btt_bitfield_size(recheck)), 0);
	for (size_t p = 0; p < btt_bitfield_size(recheck); p++)
		if (btt_bitfield_get(recheck, p))
			btt_bitfield_set(&fx->recheck, p);
}

static inline void tfx_on_done(void *arg, int err)
{
	struct tfx *fx = arg;
	fx->done = true;
	fx->done_err = err;
}

static inline void tfx_on_progress(void *arg, uint32_t done, uint32_t total)
{
	struct tfx *fx = arg;
	fx->progress_calls++;
	fx->progress_done = done;
	fx->progress_total = total;
}

static inline void tfx_on_write(void *arg, int err)
{
	struct tfx *fx = arg;
	if (err) {
		fx->writes_failed++;
		fx->last_write_err = err;
	} else {
		fx->writes_ok++;
	}
}

/* Creates the storage from fx->o (filled in with defaults) and opens it
 * with resume (may be NULL); returns the open result. */
static inline int tfx_start(struct tfx *fx, const struct btt_resume *resume)
{
	struct btt_bt_storage_opts o = fx->o;

	o.mi = &fx->mi;
	o.dir = fx->dl;
	o.pool = fx->pool;
	o.on_piece = tfx_on_piece;
	o.on_error = tfx_on_error;
	o.on_writable = tfx_on_writable;
	o.cb_arg = fx;
	assert_int_equal(btt_bt_storage_new(&o, &fx->st), 0);
	fx->opened = false;
	assert_int_equal(btt_bt_storage_open(fx->st, resume, tfx_on_open, fx),
			 0);
	TFX_WAIT(fx, fx->opened);
	return fx->open_err;
}

/* Closes the storage (saving resume data to resume_path unless NULL),
 * waits and frees it; returns the close result. */
static inline int tfx_close(struct tfx *fx, const char *resume_path)
{
	int rc;

	fx->done = false;
	assert_int_equal(
		btt_bt_storage_close(fx->st, resume_path, tfx_on_done, fx), 0);
	TFX_WAIT(fx, fx->done);
	rc = fx->done_err;
	tfx_stop(fx);
	return rc;
}

/* Checks `pieces` (NULL: all) and waits; returns the check result. */
static inline int tfx_check(struct tfx *fx, const struct btt_bitfield *pieces)
{
	fx->done = false;
	assert_int_equal(btt_bt_storage_check(fx->st, pieces, tfx_on_progress,
					      tfx_on_done, fx),
			 0);
	TFX_WAIT(fx, fx->done);
	return fx->done_err;
}

static inline uint32_t tfx_piece_size(struct tfx *fx, uint32_t p)
{
	return (uint32_t)btt_metainfo_piece_size(&fx->mi, p);
}

static inline int tfx_write_block(struct tfx *fx, uint32_t p, uint32_t b)
{
	uint32_t size = tfx_piece_size(fx, p), off = b * BLK;
	uint32_t len = size - off < BLK ? size - off : BLK;

	return btt_bt_storage_write(
		fx->st, p, off,
		fx->stream + (uint64_t)p * fx->mi.piece_length + off, len,
		tfx_on_write, fx);
}

enum tfx_order { TFX_FORWARD, TFX_REVERSE };

/* Writes every block of piece p in the given order, polling between
 * blocks when `poll` (so each block gets a job of its own). Blocks inside
 * pad files are refused with -EEXIST and skipped. Returns blocks sent. */
static inline unsigned tfx_write_piece(struct tfx *fx, uint32_t p,
				       enum tfx_order order, bool poll)
{
	uint32_t n = (tfx_piece_size(fx, p) + BLK - 1) / BLK;
	unsigned sent = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t b = order == TFX_FORWARD ? i : n - 1 - i;
		int rc = tfx_write_block(fx, p, b);
		if (rc == -EEXIST)
			continue;
		assert_int_equal(rc, 0);
		sent++;
		if (poll)
			tfx_drain(fx);
	}
	return sent;
}

/* Every content file in the download directory equals its source. */
static inline void tfx_assert_files(struct tfx *fx)
{
	for (uint32_t f = 0; f < fx->mi.num_files; f++) {
		const struct btt_file *file = &fx->mi.files[f];
		size_t len = 0;
		uint8_t *data;
		if (file->attr & BTT_FILE_PAD) {
			assert_int_equal(
				access(tfx_at(fx, fx->dl, file->path), F_OK),
				-1);
			continue;
		}
		data = tfx_slurp(tfx_at(fx, fx->dl, file->path), &len);
		if (!data)
			fail_msg("missing %s", file->path);
		assert_true(len == file->length);
		assert_memory_equal(data, fx->stream + file->offset, len);
		free(data);
	}
}

static inline bool tfx_exists(struct tfx *fx, const char *rel)
{
	return access(tfx_at(fx, fx->dl, rel), F_OK) == 0;
}

#endif
