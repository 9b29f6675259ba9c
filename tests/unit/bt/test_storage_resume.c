/* Fast resume with the storage: a save/load round trip trusts every
 * piece, a modified file gets exactly its pieces rechecked, a crash after
 * a save (the storage dropped without closing) finds the pieces written
 * since by rechecking the files that changed, never downloading a
 * verified piece again, and pieces whose state is unknown or whose writes
 * are in flight at save time are never recorded as missing. Every test
 * works in its own temporary directory and removes it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <sys/time.h>

#include "bt/layout.h"
#include "test_storage_util.h"

static const char *resume_path(struct tfx *fx)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/state.resume", fx->root);
	return path;
}

static void load(struct tfx *fx, struct btt_resume *r)
{
	struct btt_resume_err err;
	int rc = btt_resume_load(r, &fx->mi, resume_path(fx), &err);
	if (rc)
		fail_msg("resume: %s", err.msg);
}

static int age_one(const char *p, const struct stat *sb, int flag,
		   struct FTW *ftw)
{
	struct timeval tv[2] = {{1000000, 0}, {1000000, 0}};
	(void)sb;
	(void)ftw;
	if (flag == FTW_F)
		assert_int_equal(utimes(p, tv), 0);
	return 0;
}

/* Makes every downloaded file look written long ago: a save does not
 * trust files written in the last seconds (coarse timestamps), and the
 * tests do not wait. */
static void age_files(struct tfx *fx)
{
	assert_int_equal(nftw(fx->dl, age_one, 16, FTW_PHYS), 0);
}

static int save(struct tfx *fx)
{
	fx->done = false;
	assert_int_equal(btt_bt_storage_save_resume(fx->st, resume_path(fx),
						    tfx_on_done, fx),
			 0);
	TFX_WAIT(fx, fx->done);
	return fx->done_err;
}

static void write_pieces(struct tfx *fx, uint32_t first, uint32_t end)
{
	unsigned want = fx->passed + (end - first);

	for (uint32_t p = first; p < end; p++)
		tfx_write_piece(fx, p, TFX_FORWARD, false);
	TFX_WAIT(fx, fx->passed == want);
	tfx_drain(fx);
}

/* Pieces touching file f (by path). */
static void file_pieces(struct tfx *fx, const char *path, uint32_t *a,
			uint32_t *b)
{
	struct btt_layout l;

	assert_int_equal(btt_layout_init_metainfo(&l, &fx->mi), 0);
	for (uint32_t f = 0; f < fx->mi.num_files; f++) {
		if (strcmp(fx->mi.files[f].path, path))
			continue;
		btt_layout_file_pieces(&l, f, a, b);
		return;
	}
	fail_msg("no file %s", path);
}

static void test_storage_resume_round_trip(void **state)
{
	struct tfx *fx = *state;
	struct btt_resume r;

	tfx_content(fx);
	tfx_make(fx, "data", 16 * KIB, BTT_CREATE_HYBRID);
	assert_int_equal(tfx_start(fx, NULL), 0);
	write_pieces(fx, 0, fx->mi.num_pieces);
	assert_int_equal(tfx_close(fx, resume_path(fx)), 0);
	load(fx, &r);
	assert_int_equal(btt_bitfield_count(&r.have), fx->mi.num_pieces);
	assert_int_equal(tfx_start(fx, &r), 0);
	btt_resume_release(&r);
	assert_int_equal(btt_bitfield_count(&fx->recheck), 0);
	assert_int_equal(btt_bitfield_count(btt_bt_storage_have(fx->st)),
			 fx->mi.num_pieces);
	assert_int_equal(tfx_close(fx, NULL), 0);
	tfx_assert_files(fx);
}

/* A file whose mtime changed: exactly the pieces touching it are checked,
 * the others are trusted; a file that changed size likewise. */
static void test_storage_resume_modified_file_rechecked(void **state)
{
	struct tfx *fx = *state;
	struct timeval tv[2] = {{1000000, 0}, {1000000, 0}};
	struct btt_resume r;
	uint32_t a, b;

	tfx_content(fx);
	tfx_make(fx, "data", 16 * KIB, BTT_CREATE_V1);
	assert_int_equal(tfx_start(fx, NULL), 0);
	write_pieces(fx, 0, fx->mi.num_pieces);
	assert_int_equal(tfx_close(fx, resume_path(fx)), 0);

	assert_int_equal(utimes(tfx_at(fx, fx->dl, "data/sub/b.bin"), tv), 0);
	load(fx, &r);
	assert_int_equal(tfx_start(fx, &r), 0);
	file_pieces(fx, "data/sub/b.bin", &a, &b);
	assert_int_equal(btt_bitfield_count(&fx->recheck), b - a);
	for (uint32_t p = 0; p < fx->mi.num_pieces; p++) {
		bool in = p >= a && p < b;
		assert_int_equal(btt_bitfield_get(&fx->recheck, p), in);
		assert_int_equal(
			btt_bitfield_get(btt_bt_storage_have(fx->st), p), !in);
	}
	assert_int_equal(tfx_check(fx, &fx->recheck), 0);
	assert_int_equal(btt_bitfield_count(btt_bt_storage_have(fx->st)),
			 fx->mi.num_pieces);
	assert_int_equal(tfx_close(fx, resume_path(fx)), 0);
	btt_resume_release(&r);
	load(fx, &r);

	/* z.bin shorter than recorded: its pieces are rechecked, except
	 * those past the new end, which are missing. Its first piece (7)
	 * holds its bytes [0, 9688), the next one [9688, 26072). */
	assert_int_equal(truncate(tfx_at(fx, fx->dl, "data/z.bin"), 20000), 0);
	assert_int_equal(tfx_start(fx, &r), 0);
	file_pieces(fx, "data/z.bin", &a, &b);
	assert_int_equal(a, 7);
	assert_true(btt_bitfield_get(&fx->recheck, a));
	for (uint32_t p = a + 1; p < b; p++) {
		assert_false(btt_bitfield_get(&fx->recheck, p));
		assert_false(btt_bitfield_get(btt_bt_storage_have(fx->st), p));
	}
	assert_int_equal(btt_bitfield_count(btt_bt_storage_have(fx->st)), a);
	btt_resume_release(&r);
	assert_int_equal(tfx_close(fx, NULL), 0);
}

/* kill -9 after a save: the storage is dropped without closing, with
 * more pieces written (and in the page cache) since the save. The next
 * start trusts the saved pieces and rechecks the files written since, so
 * every verified piece is found without downloading it again. */
static void test_storage_resume_after_crash(void **state)
{
	struct tfx *fx = *state;
	struct btt_resume r;
	uint32_t half;

	tfx_content(fx);
	tfx_make(fx, "data", 16 * KIB, BTT_CREATE_V2);
	half = fx->mi.num_pieces / 2;
	assert_int_equal(tfx_start(fx, NULL), 0);
	write_pieces(fx, 0, half);
	age_files(fx);
	assert_int_equal(save(fx), 0);
	write_pieces(fx, half, fx->mi.num_pieces);
	tfx_stop(fx); /* no close: no sync, no save */

	load(fx, &r);
	assert_int_equal(btt_bitfield_count(&r.have), half);
	assert_int_equal(tfx_start(fx, &r), 0);
	btt_resume_release(&r);
	/* files finished before the save are trusted, the rest rechecked */
	assert_true(btt_bitfield_count(btt_bt_storage_have(fx->st)) > 0);
	assert_true(btt_bitfield_count(&fx->recheck) >=
		    fx->mi.num_pieces - half);
	for (uint32_t p = 0; p < fx->mi.num_pieces; p++)
		assert_true(btt_bitfield_get(btt_bt_storage_have(fx->st), p) !=
			    btt_bitfield_get(&fx->recheck, p));
	assert_int_equal(tfx_check(fx, &fx->recheck), 0);
	assert_int_equal(btt_bitfield_count(btt_bt_storage_have(fx->st)),
			 fx->mi.num_pieces);
	assert_int_equal(tfx_close(fx, resume_path(fx)), 0);
	tfx_assert_files(fx);
}

/* Open found pieces to check; a save before checking them must not call
 * them missing. */
static void test_storage_resume_unknown_pieces_not_missing(void **state)
{
	struct tfx *fx = *state;
	struct btt_resume r;

	tfx_content(fx);
	tfx_make(fx, "data", 16 * KIB, BTT_CREATE_V1);
	tfx_content_in(fx, fx->dl);
	assert_int_equal(tfx_start(fx, NULL), 0);
	assert_int_equal(btt_bitfield_count(&fx->recheck), fx->mi.num_pieces);
	assert_int_equal(tfx_close(fx, resume_path(fx)), 0);
	load(fx, &r);
	assert_int_equal(btt_bitfield_count(&r.have), 0);
	assert_int_equal(tfx_start(fx, &r), 0);
	btt_resume_release(&r);
	assert_int_equal(btt_bitfield_count(&fx->recheck), fx->mi.num_pieces);
	assert_int_equal(tfx_check(fx, &fx->recheck), 0);
	assert_int_equal(btt_bitfield_count(btt_bt_storage_have(fx->st)),
			 fx->mi.num_pieces);
	assert_int_equal(tfx_close(fx, NULL), 0);
}

/* A save while a piece's write job is still in flight records that
 * piece's file as changed. */
static void test_storage_resume_inflight_file_unstable(void **state)
{
	struct tfx *fx = *state;
	struct btt_resume r;
	uint32_t a, b;

	tfx_content(fx);
	tfx_make(fx, "data", 16 * KIB, BTT_CREATE_V1);
	assert_int_equal(tfx_start(fx, NULL), 0);
	write_pieces(fx, 0, 6); /* a.bin, except its last piece */
	age_files(fx);
	file_pieces(fx, "data/z.bin", &a, &b);
	/* z.bin's first block goes to a job whose completion has not run */
	assert_int_equal(tfx_write_block(fx, b - 1, 0), 0);
	fx->done = false;
	assert_int_equal(btt_bt_storage_save_resume(fx->st, resume_path(fx),
						    tfx_on_done, fx),
			 0);
	assert_int_equal(btt_bt_storage_save_resume(fx->st, resume_path(fx),
						    tfx_on_done, fx),
			 -EBUSY);
	TFX_WAIT(fx, fx->done);
	tfx_drain(fx);
	load(fx, &r);
	for (uint32_t f = 0; f < fx->mi.num_files; f++) {
		const char *path = fx->mi.files[f].path;
		bool absent = r.files[f].mtime_ns == BTT_RESUME_ABSENT;
		if (!strcmp(path, "data/z.bin"))
			assert_true(absent);
		else if (!strcmp(path, "data/a.bin"))
			assert_false(absent);
	}
	assert_int_equal(btt_bitfield_count(&r.have), 6);
	btt_resume_release(&r);
	assert_int_equal(tfx_close(fx, NULL), 0);
}

/* A save does not trust a file written in the last seconds: a later
 * write in the same clock tick could leave its mtime unchanged. The
 * final save of close does (nothing can be written after it). */
static void test_storage_resume_recent_file_unstable(void **state)
{
	struct tfx *fx = *state;
	struct btt_resume r;

	tfx_content(fx);
	tfx_make(fx, "data", 16 * KIB, BTT_CREATE_V1);
	assert_int_equal(tfx_start(fx, NULL), 0);
	write_pieces(fx, 0, 6);
	assert_int_equal(save(fx), 0);
	load(fx, &r);
	assert_int_equal(btt_bitfield_count(&r.have), 6);
	for (uint32_t f = 0; f < fx->mi.num_files; f++)
		if (!strcmp(fx->mi.files[f].path, "data/a.bin"))
			assert_true(r.files[f].mtime_ns == BTT_RESUME_ABSENT);
	btt_resume_release(&r);
	assert_int_equal(tfx_close(fx, resume_path(fx)), 0);
	load(fx, &r);
	for (uint32_t f = 0; f < fx->mi.num_files; f++)
		if (!strcmp(fx->mi.files[f].path, "data/a.bin"))
			assert_true(r.files[f].mtime_ns != BTT_RESUME_ABSENT);
	btt_resume_release(&r);
}

/* A corrupt resume file is rejected; the caller then opens without one
 * and every piece with data is checked. */
static void test_storage_resume_corrupt_means_recheck(void **state)
{
	struct tfx *fx = *state;
	struct btt_resume r;
	struct btt_resume_err err;
	uint8_t *buf;
	size_t len = 0;
	int fd;

	tfx_content(fx);
	tfx_make(fx, "data", 16 * KIB, BTT_CREATE_V1);
	assert_int_equal(tfx_start(fx, NULL), 0);
	write_pieces(fx, 0, fx->mi.num_pieces);
	assert_int_equal(tfx_close(fx, resume_path(fx)), 0);
	buf = tfx_slurp(resume_path(fx), &len);
	assert_non_null(buf);
	fd = open(resume_path(fx), O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len / 2), (ssize_t)(len / 2));
	close(fd);
	free(buf);
	assert_int_equal(btt_resume_load(&r, &fx->mi, resume_path(fx), &err),
			 BTT_ETRUNCATED);
	assert_int_equal(tfx_start(fx, NULL), 0);
	assert_int_equal(btt_bitfield_count(&fx->recheck), fx->mi.num_pieces);
	assert_int_equal(tfx_check(fx, NULL), 0);
	assert_int_equal(btt_bitfield_count(btt_bt_storage_have(fx->st)),
			 fx->mi.num_pieces);
	assert_int_equal(tfx_close(fx, NULL), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, tfx_setup, tfx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_storage_resume_round_trip),
		T(test_storage_resume_modified_file_rechecked),
		T(test_storage_resume_after_crash),
		T(test_storage_resume_unknown_pieces_not_missing),
		T(test_storage_resume_inflight_file_unstable),
		T(test_storage_resume_recent_file_unstable),
		T(test_storage_resume_corrupt_means_recheck),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
