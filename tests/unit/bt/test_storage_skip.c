/* Torrent storage with files not selected (btt_bt_storage_file_skip):
 * skipped empty files are not created and appear once wanted; a skipped
 * file no written piece touches never appears; a piece shared by a
 * skipped and a wanted file leaves the skipped file's .part behind while
 * the wanted files are complete, byte-exact and renamed; the file index
 * is checked. Temporary directories only; no sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bt/layout.h"
#include "test_storage_util.h"

static uint32_t file_index(const struct tfx *fx, const char *path)
{
	for (uint32_t f = 0; f < fx->mi.num_files; f++)
		if (strcmp(fx->mi.files[f].path, path) == 0)
			return f;
	fail_msg("no file %s", path);
	return 0;
}

/* tfx_start with the files named in `skip` (NULL-terminated) skipped
 * before the storage opens. */
static void start_skipping(struct tfx *fx, const char *const *skip)
{
	struct btt_bt_storage_opts o = {
		.mi = &fx->mi,
		.dir = fx->dl,
		.pool = fx->pool,
		.on_piece = tfx_on_piece,
		.on_error = tfx_on_error,
		.on_writable = tfx_on_writable,
		.cb_arg = fx,
	};

	assert_int_equal(btt_bt_storage_new(&o, &fx->st), 0);
	for (; *skip; skip++)
		assert_int_equal(btt_bt_storage_file_skip(
					 fx->st, file_index(fx, *skip), true),
				 0);
	fx->opened = false;
	assert_int_equal(btt_bt_storage_open(fx->st, NULL, tfx_on_open, fx), 0);
	TFX_WAIT(fx, fx->opened);
	assert_int_equal(fx->open_err, 0);
}

/* Writes the pieces a selection wants (skipped files at priority 0, the
 * rest at 4) and waits for their verdicts; returns how many. */
static uint32_t write_wanted(struct tfx *fx, const char *const *skip)
{
	struct btt_layout l;
	uint8_t fp[16], pp[64];
	uint32_t n = 0;

	assert_true(fx->mi.num_files <= sizeof(fp));
	assert_true(fx->mi.num_pieces <= sizeof(pp));
	memset(fp, 4, sizeof(fp));
	for (; *skip; skip++)
		fp[file_index(fx, *skip)] = 0;
	assert_int_equal(btt_layout_init_metainfo(&l, &fx->mi), 0);
	btt_layout_piece_prios(&l, fp, pp);
	for (uint32_t p = 0; p < fx->mi.num_pieces; p++) {
		if (!pp[p])
			continue;
		tfx_write_piece(fx, p, TFX_FORWARD, false);
		n++;
	}
	TFX_WAIT(fx, fx->passed + fx->failed == n);
	tfx_drain(fx);
	assert_int_equal(fx->failed, 0);
	assert_int_equal(fx->errors, 0);
	return n;
}

/* Every file not in skip is complete at its final name. */
static void assert_wanted_files(struct tfx *fx, const char *const *skip)
{
	for (uint32_t f = 0; f < fx->mi.num_files; f++) {
		const struct btt_file *file = &fx->mi.files[f];
		const char *const *s;
		size_t len = 0;
		uint8_t *data;
		for (s = skip; *s && strcmp(*s, file->path) != 0; s++)
			;
		if (*s || (file->attr & BTT_FILE_PAD))
			continue;
		data = tfx_slurp(tfx_at(fx, fx->dl, file->path), &len);
		if (!data)
			fail_msg("missing %s", file->path);
		assert_true(len == file->length);
		assert_memory_equal(data, fx->stream + file->offset, len);
		free(data);
	}
}

static void test_storage_skip_empty_files(void **state)
{
	static const char *const skip[] = {"data/empty.txt",
					   "data/emptydir/e.txt", NULL};
	struct tfx *fx = *state;
	uint32_t e = 0;

	tfx_content(fx);
	tfx_make(fx, "data", 32 * KIB, BTT_CREATE_V1);
	start_skipping(fx, skip);
	assert_false(tfx_exists(fx, "data/empty.txt"));
	assert_false(tfx_exists(fx, "data/emptydir/e.txt"));
	assert_false(tfx_exists(fx, "data/emptydir"));
	/* Wanted once open: created by a job. */
	e = file_index(fx, "data/emptydir/e.txt");
	assert_int_equal(btt_bt_storage_file_skip(fx->st, e, false), 0);
	tfx_drain(fx);
	assert_true(tfx_exists(fx, "data/emptydir/e.txt"));
	assert_false(tfx_exists(fx, "data/empty.txt"));
	/* Skipping again deletes nothing; wanting twice is harmless. */
	assert_int_equal(btt_bt_storage_file_skip(fx->st, e, true), 0);
	assert_int_equal(btt_bt_storage_file_skip(fx->st, e, false), 0);
	assert_int_equal(btt_bt_storage_file_skip(fx->st, e, false), 0);
	tfx_drain(fx);
	assert_true(tfx_exists(fx, "data/emptydir/e.txt"));
	assert_int_equal(fx->errors, 0);
	assert_int_equal(tfx_close(fx, NULL), 0);
	assert_false(tfx_exists(fx, "data/empty.txt"));
}

/* v1, 32 KiB pieces: a.bin (pieces 0-3) and f.bin (piece 9) are wanted.
 * Piece 3 is shared with b.bin and piece 9 with d.bin, so their bytes of
 * those skipped files land in b.bin.part and d.bin.part; c.bin (pieces
 * 5-7) only shares pieces with skipped files and never appears. */
static void test_storage_skip_shared_piece_v1(void **state)
{
	static const char *const skip[] = {"data/b.bin", "data/c.bin",
					   "data/d.bin", "data/e.txt", NULL};
	struct tfx *fx = *state;
	struct btt_bitfield all;

	tfx_put(fx, fx->src, "data/a.bin", 100000, 1);
	tfx_put(fx, fx->src, "data/b.bin", 70000, 2);
	tfx_put(fx, fx->src, "data/c.bin", 90000, 3);
	tfx_put(fx, fx->src, "data/d.bin", 60000, 4);
	tfx_put(fx, fx->src, "data/e.txt", 0, 5);
	tfx_put(fx, fx->src, "data/f.bin", 5000, 6);
	tfx_make(fx, "data", 32 * KIB, BTT_CREATE_V1);
	start_skipping(fx, skip);
	/* a: pieces 0-3, f: piece 9 (shared with d) */
	assert_int_equal(write_wanted(fx, skip), 5);
	assert_int_equal(tfx_close(fx, NULL), 0);
	assert_wanted_files(fx, skip);
	assert_false(tfx_exists(fx, "data/a.bin.part"));
	assert_false(tfx_exists(fx, "data/f.bin.part"));
	assert_true(tfx_exists(fx, "data/b.bin.part"));
	assert_true(tfx_exists(fx, "data/d.bin.part"));
	assert_false(tfx_exists(fx, "data/b.bin"));
	assert_false(tfx_exists(fx, "data/c.bin"));
	assert_false(tfx_exists(fx, "data/c.bin.part"));
	assert_false(tfx_exists(fx, "data/d.bin"));
	assert_false(tfx_exists(fx, "data/e.txt"));

	/* The shared pieces verify from the .part files on a recheck. */
	assert_int_equal(tfx_start(fx, NULL), 0);
	assert_int_equal(btt_bitfield_init(&all, fx->mi.num_pieces), 0);
	for (uint32_t p = 0; p < fx->mi.num_pieces; p++)
		btt_bitfield_set(&all, p);
	assert_int_equal(tfx_check(fx, &all), 0);
	assert_int_equal(btt_bitfield_count(btt_bt_storage_have(fx->st)), 5);
	assert_int_equal(fx->errors, 0);
	btt_bitfield_release(&all);
	assert_int_equal(tfx_close(fx, NULL), 0);
}

/* Hybrid: pad files give every file pieces of its own, so no skipped
 * file is touched at all. */
static void test_storage_skip_hybrid_untouched(void **state)
{
	static const char *const skip[] = {"data/a.bin", "data/sub/b.bin",
					   "data/empty.txt", NULL};
	struct tfx *fx = *state;

	tfx_content(fx);
	tfx_make(fx, "data", 32 * KIB, BTT_CREATE_HYBRID);
	assert_int_equal(fx->mi.version, BTT_META_HYBRID);
	start_skipping(fx, skip);
	assert_true(write_wanted(fx, skip) > 0);
	assert_int_equal(tfx_close(fx, NULL), 0);
	assert_wanted_files(fx, skip);
	for (const char *const *s = skip; *s; s++) {
		char part[128];
		snprintf(part, sizeof(part), "%s.part", *s);
		assert_false(tfx_exists(fx, *s));
		assert_false(tfx_exists(fx, part));
	}
	assert_false(tfx_exists(fx, "data/sub/deep/c.bin.part"));
	assert_false(tfx_exists(fx, "data/z.bin.part"));
}

static void test_storage_skip_file_index(void **state)
{
	struct tfx *fx = *state;
	uint32_t n;

	tfx_content(fx);
	tfx_make(fx, "data", 32 * KIB, BTT_CREATE_V1);
	n = fx->mi.num_files;
	assert_int_equal(tfx_start(fx, NULL), 0);
	assert_int_equal(btt_bt_storage_file_skip(fx->st, n - 1, true), 0);
	assert_int_equal(btt_bt_storage_file_skip(fx->st, n, true),
			 BTT_EINVALID);
	assert_int_equal(btt_bt_storage_file_skip(fx->st, n + 1, false),
			 BTT_EINVALID);
	assert_int_equal(btt_bt_storage_file_skip(fx->st, UINT32_MAX, false),
			 BTT_EINVALID);
	assert_int_equal(tfx_close(fx, NULL), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, tfx_setup, tfx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_storage_skip_empty_files),
		T(test_storage_skip_shared_piece_v1),
		T(test_storage_skip_hybrid_untouched),
		T(test_storage_skip_file_index),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
