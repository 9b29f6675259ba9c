/* Torrent storage, writing and reading: v1, v2 and hybrid torrents written
 * block by block in order and out of order, pieces spanning files, pad
 * files (made by the creator for hybrids, and by hand for v1), empty
 * files, corrupt blocks, the write buffer cap, the read cache, .part
 * renames and argument checks. Every test works in its own temporary
 * directory and removes it; no sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_storage_util.h"

static void write_all(struct tfx *fx, enum tfx_order order, bool poll)
{
	for (uint32_t p = 0; p < fx->mi.num_pieces; p++)
		tfx_write_piece(fx, p, order, poll);
	TFX_WAIT(fx, fx->passed + fx->failed == fx->mi.num_pieces);
	tfx_drain(fx);
}

static void assert_all_passed(struct tfx *fx)
{
	const struct btt_bitfield *have = btt_bt_storage_have(fx->st);

	assert_int_equal(fx->failed, 0);
	assert_int_equal(fx->passed, fx->mi.num_pieces);
	assert_int_equal(btt_bitfield_count(have), fx->mi.num_pieces);
	assert_int_equal(fx->errors, 0);
	assert_int_equal(fx->writes_failed, 0);
}

static void download(struct tfx *fx, enum tfx_order order, bool poll,
		     bool expect_readback)
{
	struct btt_bt_storage_stats s;

	assert_int_equal(tfx_start(fx, NULL), 0);
	assert_int_equal(btt_bitfield_count(&fx->recheck), 0);
	write_all(fx, order, poll);
	assert_all_passed(fx);
	btt_bt_storage_stats(fx->st, &s);
	assert_true(s.bytes_written >= fx->mi.total_length);
	if (expect_readback)
		assert_true(s.bytes_readback > 0);
	else
		assert_true(s.bytes_readback == 0);
	assert_int_equal(s.pieces_in_progress, 0);
	assert_int_equal(s.buffer_used, 0);
	assert_int_equal(tfx_close(fx, NULL), 0);
	tfx_assert_files(fx);
}

static void test_storage_v1_in_order_spanning_files(void **state)
{
	struct tfx *fx = *state;

	tfx_content(fx);
	tfx_make(fx, "data", 32 * KIB, BTT_CREATE_V1);
	download(fx, TFX_FORWARD, false, false);
	assert_true(tfx_exists(fx, "data/empty.txt"));
	assert_false(tfx_exists(fx, "data/a.bin.part"));
	assert_false(tfx_exists(fx, "data/z.bin.part"));
}

static void test_storage_v1_out_of_order_reads_back(void **state)
{
	struct tfx *fx = *state;

	tfx_content(fx);
	tfx_make(fx, "data", 64 * KIB, BTT_CREATE_V1);
	download(fx, TFX_REVERSE, true, true);
}

static void test_storage_v2_in_order_and_reverse(void **state)
{
	struct tfx *fx = *state;

	tfx_content(fx);
	tfx_make(fx, "data", 32 * KIB, BTT_CREATE_V2);
	assert_int_equal(fx->mi.version, BTT_META_V2);
	download(fx, TFX_FORWARD, false, false);
	nftw(fx->dl, tfx_rm, 16, FTW_DEPTH | FTW_PHYS);
	memset(fx->verdict, 0, fx->mi.num_pieces * sizeof(int));
	fx->passed = 0;
	download(fx, TFX_REVERSE, true, true);
}

static void test_storage_hybrid_pads_never_created(void **state)
{
	struct tfx *fx = *state;

	tfx_content(fx);
	tfx_make(fx, "data", 32 * KIB, BTT_CREATE_HYBRID);
	assert_int_equal(fx->mi.version, BTT_META_HYBRID);
	assert_true(fx->mi.num_pad_files > 0);
	download(fx, TFX_FORWARD, false, false);
	assert_false(tfx_exists(fx, "data/.pad"));
	nftw(fx->dl, tfx_rm, 16, FTW_DEPTH | FTW_PHYS);
	fx->passed = 0;
	download(fx, TFX_REVERSE, true, true);
}

/* Many blocks of one piece queued before any completion runs: they go to
 * the worker in batches and are written with coalesced pwritev calls. */
static void test_storage_large_pieces_single_file(void **state)
{
	struct tfx *fx = *state;

	tfx_put(fx, fx->src, "big.bin", 3 * 1024 * KIB + 777, 9);
	tfx_make(fx, "big.bin", 1024 * KIB, BTT_CREATE_HYBRID);
	assert_true(fx->mi.is_single_file);
	download(fx, TFX_FORWARD, false, false);
	assert_false(tfx_exists(fx, "big.bin.part"));
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

/* A v1 torrent with BEP 47 pad files, built by hand: a.bin (10000 bytes)
 * then a pad filling its 32 KiB piece, so the piece's second block is
 * pad only; b.bin (40000) then a pad in the middle of the last piece;
 * c.bin (3000). */
static void make_padded(struct tfx *fx)
{
	const uint32_t plen = 32 * KIB;
	uint64_t lens[] = {10000, plen - 10000, 40000, 1000, 3000};
	uint8_t hashes[20 * 4];
	struct btt_wbuf w;
	uint8_t *stream = calloc(1, 4 * plen);
	uint64_t off = 0;

	assert_non_null(stream);
	tfx_put(fx, fx->src, "padded/a.bin", 10000, 21);
	tfx_put(fx, fx->src, "padded/b.bin", 40000, 22);
	tfx_put(fx, fx->src, "padded/c.bin", 3000, 23);
	btt_wbuf_init(&w, 1 << 16);
	btt_benc_dict(&w);
	btt_benc_cstr(&w, "info");
	btt_benc_dict(&w);
	btt_benc_cstr(&w, "files");
	btt_benc_list(&w);
	file_entry(&w, lens[0], NULL, "a.bin", false);
	file_entry(&w, lens[1], ".pad", "22768", true);
	file_entry(&w, lens[2], NULL, "b.bin", false);
	file_entry(&w, lens[3], ".pad", "1000", true);
	file_entry(&w, lens[4], NULL, "c.bin", false);
	btt_benc_end(&w);
	btt_benc_cstr(&w, "name");
	btt_benc_cstr(&w, "padded");
	btt_benc_cstr(&w, "piece length");
	btt_benc_int(&w, plen);
	/* hash the stream: files from src, pads as zeros */
	for (int i = 0; i < 5; i++) {
		static const char *names[] = {"a.bin", NULL, "b.bin", NULL,
					      "c.bin"};
		char rel[64];
		size_t len = 0;
		uint8_t *d;
		if (names[i]) {
			snprintf(rel, sizeof(rel), "padded/%s", names[i]);
			d = tfx_slurp(tfx_at(fx, fx->src, rel), &len);
			assert_non_null(d);
			memcpy(stream + off, d, len);
			free(d);
		}
		off += lens[i];
	}
	for (uint32_t p = 0; p * plen < off; p++)
		btt_sha1(stream + p * plen,
			 off - p * plen < plen ? off - p * plen : plen,
			 hashes + 20 * p);
	btt_benc_cstr(&w, "pieces");
	btt_benc_str(&w, hashes, 20 * ((off + plen - 1) / plen));
	btt_benc_end(&w);
	btt_benc_end(&w);
	assert_int_equal(btt_wbuf_err(&w), 0);
	tfx_parse(fx, w.buf, w.len);
	btt_wbuf_release(&w);
	free(stream);
}

static void got_read(void *arg, int err, struct btt_bt_storage_buf *buf,
		     const uint8_t *data);

struct rd {
	struct tfx *fx;
	bool done;
	int err;
	uint8_t copy[BTT_BT_STORAGE_MAX_WRITE];
	uint32_t len;
	struct btt_bt_storage_buf *kept;
};

static void got_read(void *arg, int err, struct btt_bt_storage_buf *buf,
		     const uint8_t *data)
{
	struct rd *r = arg;
	r->done = true;
	r->err = err;
	if (err) {
		assert_null(buf);
		assert_null(data);
		return;
	}
	memcpy(r->copy, data, r->len);
	btt_bt_storage_buf_ref(buf);
	r->kept = buf;
}

/* Reads and checks len bytes at off in piece p against the stream. */
static void read_and_compare(struct tfx *fx, uint32_t p, uint32_t off,
			     uint32_t len)
{
	struct rd r = {.fx = fx, .len = len};

	assert_int_equal(btt_bt_storage_read(fx->st, p, off, len, got_read, &r),
			 0);
	assert_false(r.done); /* never before returning */
	TFX_WAIT(fx, r.done);
	assert_int_equal(r.err, 0);
	assert_memory_equal(
		r.copy, fx->stream + (uint64_t)p * fx->mi.piece_length + off,
		len);
	btt_bt_storage_buf_unref(r.kept);
}

static void test_storage_v1_pad_files(void **state)
{
	struct tfx *fx = *state;

	make_padded(fx);
	assert_int_equal(fx->mi.num_pad_files, 2);
	assert_int_equal(tfx_start(fx, NULL), 0);
	/* piece 0: block 1 lies wholly in the pad, so it is implied */
	assert_int_equal(tfx_write_block(fx, 0, 1), -EEXIST);
	assert_int_equal(tfx_write_piece(fx, 0, TFX_FORWARD, false), 1);
	for (uint32_t p = 1; p < fx->mi.num_pieces; p++)
		tfx_write_piece(fx, p, TFX_REVERSE, true);
	TFX_WAIT(fx, fx->passed + fx->failed == fx->mi.num_pieces);
	assert_all_passed(fx);
	/* the pad reads as zeros, the rest as written */
	read_and_compare(fx, 0, 0, 32 * KIB);
	read_and_compare(fx, 2, 0, tfx_piece_size(fx, 2));
	assert_int_equal(tfx_close(fx, NULL), 0);
	tfx_assert_files(fx);
	assert_false(tfx_exists(fx, "padded/.pad"));
}

static void test_storage_corrupt_block_fails_then_recovers(void **state)
{
	struct tfx *fx = *state;
	uint8_t bad[BLK];

	tfx_content(fx);
	tfx_make(fx, "data", 32 * KIB, BTT_CREATE_HYBRID);
	assert_int_equal(tfx_start(fx, NULL), 0);
	memcpy(bad, fx->stream + 32 * KIB + BLK, BLK);
	bad[100] ^= 1;
	assert_int_equal(tfx_write_block(fx, 1, 0), 0);
	assert_int_equal(btt_bt_storage_write(fx->st, 1, BLK, bad, BLK,
					      tfx_on_write, fx),
			 0);
	TFX_WAIT(fx, fx->verdict[1]);
	assert_int_equal(fx->verdict[1], BTT_EHASH);
	assert_int_equal(fx->failed, 1);
	assert_false(btt_bitfield_get(btt_bt_storage_have(fx->st), 1));
	{
		struct btt_bt_storage_stats s;
		btt_bt_storage_stats(fx->st, &s);
		assert_int_equal(s.pieces_failed, 1);
	}
	/* the failed piece's blocks are forgotten: it can be sent again */
	assert_int_equal(btt_bt_storage_read(fx->st, 1, 0, BLK, got_read, fx),
			 BTT_EINCOMPLETE);
	fx->verdict[1] = 0;
	assert_int_equal(tfx_write_piece(fx, 1, TFX_FORWARD, false), 2);
	TFX_WAIT(fx, fx->verdict[1]);
	assert_int_equal(fx->verdict[1], 1);
	assert_true(btt_bitfield_get(btt_bt_storage_have(fx->st), 1));
	assert_int_equal(tfx_close(fx, NULL), 0);
}

/* The buffer cap at max-1, max and max+1 bytes of three blocks. */
static void test_storage_buffer_cap_backpressure(void **state)
{
	struct tfx *fx = *state;
	static const size_t caps[] = {3 * BLK - 1, 3 * BLK, 3 * BLK + 1};

	tfx_put(fx, fx->src, "one.bin", 8 * BLK, 7);
	tfx_make(fx, "one.bin", 8 * BLK, BTT_CREATE_V1);
	for (size_t i = 0; i < 3; i++) {
		struct btt_bt_storage_stats s;
		nftw(fx->dl, tfx_rm, 16, FTW_DEPTH | FTW_PHYS);
		fx->o.buffer_cap = caps[i];
		fx->writable = 0;
		assert_int_equal(tfx_start(fx, NULL), 0);
		/* no completion runs between these calls */
		assert_int_equal(tfx_write_block(fx, 0, 0), 0);
		assert_int_equal(tfx_write_block(fx, 0, 1), 0);
		assert_int_equal(tfx_write_block(fx, 0, 2),
				 caps[i] < 3 * BLK ? -ENOBUFS : 0);
		assert_int_equal(tfx_write_block(fx, 0, 3), -ENOBUFS);
		btt_bt_storage_stats(fx->st, &s);
		assert_true(s.buffer_used <= caps[i]);
		assert_true(s.buffer_cap == caps[i]);
		tfx_drain(fx);
		assert_int_equal(fx->writable, 1);
		btt_bt_storage_stats(fx->st, &s);
		assert_int_equal(s.buffer_used, 0);
		/* recovered: the rest goes through */
		for (uint32_t b = caps[i] < 3 * BLK ? 2 : 3; b < 8; b++) {
			assert_int_equal(tfx_write_block(fx, 0, b), 0);
			tfx_drain(fx);
		}
		assert_int_equal(fx->verdict[0], 1);
		fx->verdict[0] = 0;
		assert_int_equal(tfx_close(fx, NULL), 0);
	}
}

static void test_storage_read_cache(void **state)
{
	struct tfx *fx = *state;
	struct btt_bt_storage_stats s;
	struct btt_bt_storage_buf *b;
	const uint8_t *data = NULL, *kept;
	struct rd r = {.fx = fx, .len = BLK};

	tfx_put(fx, fx->src, "big.bin", 2 * 1024 * KIB + 5, 31);
	tfx_make(fx, "big.bin", 1024 * KIB, BTT_CREATE_V1);
	fx->o.cache_cap = 2 * BTT_BT_STORAGE_CHUNK;
	assert_int_equal(tfx_start(fx, NULL), 0);
	/* only complete pieces are served */
	assert_int_equal(btt_bt_storage_read(fx->st, 0, 0, BLK, got_read, &r),
			 BTT_EINCOMPLETE);
	assert_null(btt_bt_storage_read_cached(fx->st, 0, 0, BLK, &data));
	tfx_write_piece(fx, 0, TFX_FORWARD, false);
	tfx_write_piece(fx, 2, TFX_FORWARD, false);
	TFX_WAIT(fx, fx->passed == 2);
	assert_int_equal(btt_bt_storage_read(fx->st, 1, 0, BLK, got_read, &r),
			 BTT_EINCOMPLETE);
	/* out of range */
	assert_int_equal(btt_bt_storage_read(fx->st, 2, 0, 6, got_read, &r),
			 BTT_EINVALID);
	assert_int_equal(btt_bt_storage_read(fx->st, 3, 0, 1, got_read, &r),
			 BTT_EINVALID);
	assert_int_equal(btt_bt_storage_read(fx->st, 0, 0, 0, got_read, &r),
			 BTT_EINVALID);
	assert_int_equal(btt_bt_storage_read(fx->st, 0, 0,
					     BTT_BT_STORAGE_MAX_WRITE + 1,
					     got_read, &r),
			 BTT_EINVALID);
	read_and_compare(fx, 0, 0, BLK);
	read_and_compare(fx, 0, 777, 1000);
	/* crossing a chunk boundary, at the maximum length */
	read_and_compare(fx, 0, BTT_BT_STORAGE_CHUNK - 100,
			 BTT_BT_STORAGE_MAX_WRITE);
	read_and_compare(fx, 2, 0, 5);
	/* chunk 0 of piece 0 is cached now */
	b = btt_bt_storage_read_cached(fx->st, 0, BLK, BLK, &kept);
	assert_non_null(b);
	assert_memory_equal(kept, fx->stream + BLK, BLK);
	/* a chunk held by a caller survives eviction */
	read_and_compare(fx, 0, 2 * BTT_BT_STORAGE_CHUNK, BLK);
	read_and_compare(fx, 0, 3 * BTT_BT_STORAGE_CHUNK, BLK);
	assert_null(btt_bt_storage_read_cached(fx->st, 0, BLK, BLK, &data));
	assert_memory_equal(kept, fx->stream + BLK, BLK);
	btt_bt_storage_buf_unref(b);
	btt_bt_storage_stats(fx->st, &s);
	assert_true(s.cache_used <= s.cache_cap);
	assert_true(s.cache_hits >= 1);
	assert_true(s.cache_misses >= 4);
	assert_int_equal(tfx_close(fx, NULL), 0);
}

/* Two reads of the same chunk while it loads share one disk read; a read
 * of a loaded chunk is answered from a job, not before returning. */
static void test_storage_read_waiters_share_a_load(void **state)
{
	struct tfx *fx = *state;
	struct rd r1 = {.fx = fx, .len = BLK}, r2 = {.fx = fx, .len = BLK},
		  r3 = {.fx = fx, .len = 10};
	struct btt_bt_storage_stats s;

	tfx_put(fx, fx->src, "f.bin", 300 * KIB, 41);
	tfx_make(fx, "f.bin", 512 * KIB, BTT_CREATE_V2);
	assert_int_equal(tfx_start(fx, NULL), 0);
	tfx_write_piece(fx, 0, TFX_FORWARD, false);
	TFX_WAIT(fx, fx->passed == 1);
	assert_int_equal(btt_bt_storage_read(fx->st, 0, 0, BLK, got_read, &r1),
			 0);
	assert_int_equal(
		btt_bt_storage_read(fx->st, 0, BLK, BLK, got_read, &r2), 0);
	TFX_WAIT(fx, r1.done && r2.done);
	assert_memory_equal(r2.copy, fx->stream + BLK, BLK);
	assert_int_equal(btt_bt_storage_read(fx->st, 0, 5, 10, got_read, &r3),
			 0);
	assert_false(r3.done);
	TFX_WAIT(fx, r3.done);
	assert_memory_equal(r3.copy, fx->stream + 5, 10);
	btt_bt_storage_stats(fx->st, &s);
	assert_true(s.cache_misses == 1);
	assert_true(s.bytes_read == BTT_BT_STORAGE_CHUNK);
	btt_bt_storage_buf_unref(r1.kept);
	btt_bt_storage_buf_unref(r2.kept);
	btt_bt_storage_buf_unref(r3.kept);
	assert_int_equal(tfx_close(fx, NULL), 0);
}

static void test_storage_part_files_renamed_when_complete(void **state)
{
	struct tfx *fx = *state;

	tfx_content(fx);
	tfx_make(fx, "data", 16 * KIB, BTT_CREATE_V1);
	assert_int_equal(tfx_start(fx, NULL), 0);
	/* empty files exist from the start, under their own names, with
	 * the directories that hold only them */
	assert_true(tfx_exists(fx, "data/empty.txt"));
	assert_true(tfx_exists(fx, "data/emptydir/e.txt"));
	/* a.bin is pieces 0..6 (100000 bytes); piece 6 also holds empty.txt
	 * and the start of sub/b.bin */
	for (uint32_t p = 0; p < 6; p++)
		tfx_write_piece(fx, p, TFX_FORWARD, false);
	TFX_WAIT(fx, fx->passed == 6);
	tfx_drain(fx);
	assert_true(tfx_exists(fx, "data/a.bin.part"));
	assert_false(tfx_exists(fx, "data/a.bin"));
	tfx_write_piece(fx, 6, TFX_FORWARD, false);
	TFX_WAIT(fx, fx->passed == 7);
	tfx_drain(fx);
	assert_true(tfx_exists(fx, "data/a.bin"));
	assert_false(tfx_exists(fx, "data/a.bin.part"));
	assert_true(tfx_exists(fx, "data/sub/b.bin.part"));
	assert_false(tfx_exists(fx, "data/z.bin"));
	assert_false(tfx_exists(fx, "data/z.bin.part"));
	assert_int_equal(tfx_close(fx, NULL), 0);
	assert_true(tfx_exists(fx, "data/sub/b.bin.part"));
}

/* One piece of 12 blocks and 8292 bytes. */
static void one_piece(struct tfx *fx)
{
	tfx_put(fx, fx->src, "f.bin", 200 * KIB + 100, 51);
	tfx_make(fx, "f.bin", 256 * KIB, BTT_CREATE_V1);
}

static void test_storage_write_before_open(void **state)
{
	struct tfx *fx = *state;
	struct btt_bt_storage_opts o = {0};
	struct btt_bt_storage *st;
	uint8_t buf[BLK] = {0};

	one_piece(fx);
	assert_int_equal(btt_bt_storage_new(&o, &st), BTT_EINVALID);
	assert_null(st);
	o.mi = &fx->mi;
	o.dir = fx->dl;
	o.pool = fx->pool;
	assert_int_equal(btt_bt_storage_new(&o, &st), 0);
	assert_int_equal(btt_bt_storage_write(st, 0, 0, buf, BLK, NULL, NULL),
			 BTT_EINVALID);
	assert_int_equal(btt_bt_storage_read(st, 0, 0, BLK, got_read, fx),
			 BTT_EINVALID);
	assert_int_equal(btt_bt_storage_save_resume(st, "x", NULL, NULL),
			 BTT_EINVALID);
	assert_int_equal(btt_bt_storage_check(st, NULL, NULL, tfx_on_done, fx),
			 BTT_EINVALID);
	btt_bt_storage_free(st);
	assert_int_equal(tfx_start(fx, NULL), 0);
	assert_int_equal(btt_bt_storage_open(fx->st, NULL, tfx_on_open, fx),
			 BTT_EINVALID);
	assert_int_equal(tfx_close(fx, NULL), 0);
}

static void test_storage_write_arguments(void **state)
{
	struct tfx *fx = *state;
	uint8_t buf[BTT_BT_STORAGE_MAX_WRITE + BLK] = {0};
	struct btt_bt_storage *st;

	one_piece(fx);
	assert_int_equal(tfx_start(fx, NULL), 0);
	st = fx->st;
	assert_int_equal(btt_bt_storage_write(st, 1, 0, buf, BLK, NULL, NULL),
			 BTT_EINVALID); /* one piece only */
	assert_int_equal(btt_bt_storage_write(st, 0, 1, buf, BLK, NULL, NULL),
			 BTT_EINVALID); /* misaligned */
	assert_int_equal(btt_bt_storage_write(st, 0, 0, buf, 0, NULL, NULL),
			 BTT_EINVALID);
	assert_int_equal(
		btt_bt_storage_write(st, 0, 0, buf, BLK - 1, NULL, NULL),
		BTT_EINVALID); /* short, not the end */
	/* the maximum length, max-1 (short) and max+1 */
	assert_int_equal(btt_bt_storage_write(st, 0, 0, buf,
					      BTT_BT_STORAGE_MAX_WRITE - 1,
					      NULL, NULL),
			 BTT_EINVALID);
	assert_int_equal(btt_bt_storage_write(st, 0, 0, buf,
					      BTT_BT_STORAGE_MAX_WRITE + 1,
					      NULL, NULL),
			 BTT_EINVALID);
	assert_int_equal(btt_bt_storage_write(st, 0, 0, fx->stream,
					      BTT_BT_STORAGE_MAX_WRITE,
					      tfx_on_write, fx),
			 0);
	/* beyond the end of the piece */
	assert_int_equal(
		btt_bt_storage_write(st, 0, 12 * BLK, buf, 2 * BLK, NULL, NULL),
		BTT_EINVALID);
	assert_int_equal(
		btt_bt_storage_write(st, 0, 13 * BLK, buf, BLK, NULL, NULL),
		BTT_EINVALID);
	tfx_drain(fx);
	assert_int_equal(fx->writes_ok, 1);
	assert_int_equal(tfx_close(fx, NULL), 0);
}

static void test_storage_write_duplicates_and_close(void **state)
{
	struct tfx *fx = *state;
	uint8_t buf[BLK] = {0};
	struct btt_bt_storage *st;

	one_piece(fx);
	assert_int_equal(tfx_start(fx, NULL), 0);
	st = fx->st;
	assert_int_equal(tfx_write_block(fx, 0, 0), 0);
	/* a duplicate, while pending and once written */
	assert_int_equal(tfx_write_block(fx, 0, 0), -EEXIST);
	tfx_drain(fx);
	assert_int_equal(btt_bt_storage_write(st, 0, 0, buf, BLK, NULL, NULL),
			 -EEXIST);
	/* several blocks at once, and the short last block */
	assert_int_equal(btt_bt_storage_write(st, 0, BLK, fx->stream + BLK,
					      8 * BLK, tfx_on_write, fx),
			 0);
	assert_int_equal(btt_bt_storage_write(st, 0, 9 * BLK,
					      fx->stream + 9 * BLK,
					      tfx_piece_size(fx, 0) - 9 * BLK,
					      tfx_on_write, fx),
			 0);
	TFX_WAIT(fx, fx->verdict[0]);
	assert_int_equal(fx->verdict[0], 1);
	assert_int_equal(fx->writes_ok, 3);
	/* complete now */
	assert_int_equal(btt_bt_storage_write(st, 0, 0, buf, BLK, NULL, NULL),
			 -EEXIST);
	fx->done = false;
	assert_int_equal(btt_bt_storage_close(st, NULL, tfx_on_done, fx), 0);
	assert_int_equal(btt_bt_storage_close(st, NULL, tfx_on_done, fx),
			 BTT_ECANCELLED);
	assert_int_equal(btt_bt_storage_write(st, 0, 0, buf, BLK, NULL, NULL),
			 BTT_ECANCELLED);
	assert_int_equal(btt_bt_storage_read(st, 0, 0, BLK, got_read, fx),
			 BTT_ECANCELLED);
	assert_int_equal(btt_bt_storage_check(st, NULL, NULL, tfx_on_done, fx),
			 BTT_ECANCELLED);
	TFX_WAIT(fx, fx->done);
	tfx_stop(fx);
	tfx_assert_files(fx);
}

/* Close lets writes in flight finish and renames what they complete. */
static void test_storage_close_waits_for_writes(void **state)
{
	struct tfx *fx = *state;

	tfx_content(fx);
	tfx_make(fx, "data", 32 * KIB, BTT_CREATE_V2);
	assert_int_equal(tfx_start(fx, NULL), 0);
	for (uint32_t p = 0; p < fx->mi.num_pieces; p++)
		tfx_write_piece(fx, p, TFX_FORWARD, false);
	fx->done = false;
	assert_int_equal(btt_bt_storage_close(fx->st, NULL, tfx_on_done, fx),
			 0);
	assert_false(fx->done);
	TFX_WAIT(fx, fx->done);
	assert_int_equal(fx->done_err, 0);
	assert_int_equal(fx->passed, fx->mi.num_pieces);
	tfx_stop(fx);
	tfx_assert_files(fx);
}

/* Data already on disk: a full check finds it, a flipped byte fails only
 * its piece, and progress reaches the total. */
static void test_storage_check_existing_data(void **state)
{
	struct tfx *fx = *state;
	int fd;
	uint8_t b;

	tfx_content(fx);
	tfx_make(fx, "data", 16 * KIB, BTT_CREATE_HYBRID);
	tfx_content_in(fx, fx->dl); /* the same tree, already downloaded */
	fd = open(tfx_at(fx, fx->dl, "data/z.bin"), O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &b, 1, 20000), 1);
	b ^= 0x40;
	assert_int_equal(pwrite(fd, &b, 1, 20000), 1);
	close(fd);
	assert_int_equal(tfx_start(fx, NULL), 0);
	/* without resume data every piece with bytes on disk is checked */
	assert_int_equal(btt_bitfield_count(&fx->recheck), fx->mi.num_pieces);
	assert_int_equal(tfx_check(fx, &fx->recheck), 0);
	assert_int_equal(fx->progress_done, fx->mi.num_pieces);
	assert_int_equal(fx->progress_total, fx->mi.num_pieces);
	assert_int_equal(btt_bitfield_count(btt_bt_storage_have(fx->st)),
			 fx->mi.num_pieces - 1);
	assert_int_equal(fx->passed + fx->failed, 0); /* not for checks */
	assert_int_equal(fx->errors, 0);
	/* the bad piece is downloaded again */
	for (uint32_t p = 0; p < fx->mi.num_pieces; p++)
		if (!btt_bitfield_get(btt_bt_storage_have(fx->st), p))
			tfx_write_piece(fx, p, TFX_FORWARD, false);
	TFX_WAIT(fx, fx->passed == 1);
	assert_int_equal(tfx_close(fx, NULL), 0);
	tfx_assert_files(fx);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, tfx_setup, tfx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_storage_v1_in_order_spanning_files),
		T(test_storage_v1_out_of_order_reads_back),
		T(test_storage_v2_in_order_and_reverse),
		T(test_storage_hybrid_pads_never_created),
		T(test_storage_large_pieces_single_file),
		T(test_storage_v1_pad_files),
		T(test_storage_corrupt_block_fails_then_recovers),
		T(test_storage_buffer_cap_backpressure),
		T(test_storage_read_cache),
		T(test_storage_read_waiters_share_a_load),
		T(test_storage_part_files_renamed_when_complete),
		T(test_storage_write_before_open),
		T(test_storage_write_arguments),
		T(test_storage_write_duplicates_and_close),
		T(test_storage_close_waits_for_writes),
		T(test_storage_check_existing_data),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
