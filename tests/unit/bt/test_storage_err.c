/* Storage errors, injected without mounting anything (the tests run as
 * root, where permissions do not deny access):
 *  - file too large: RLIMIT_FSIZE below a file's size, SIGXFSZ ignored,
 *    so extending it fails with EFBIG (what a full quota looks like);
 *  - full disk: a file's .part name is a symlink to /dev/full, whose
 *    writes fail with ENOSPC;
 *  - unwritable path: a regular file where a directory must be (ENOTDIR),
 *    for a file and for the download directory itself;
 *  - data lost under us: a complete file truncated behind the storage's
 *    back, so a read comes up short.
 * Each time the error is reported once with the file's name, the storage
 * refuses writes until the error is cleared, and pieces verified before
 * stay complete and are saved in the resume data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/resource.h>

#include "test_storage_util.h"

static struct rlimit saved_fsize;

static int setup_fsize(void **state)
{
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved_fsize), 0);
	signal(SIGXFSZ, SIG_IGN);
	return tfx_setup(state);
}

static int teardown_fsize(void **state)
{
	setrlimit(RLIMIT_FSIZE, &saved_fsize);
	signal(SIGXFSZ, SIG_DFL);
	return tfx_teardown(state);
}

static const char *resume_path(struct tfx *fx)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/state.resume", fx->root);
	return path;
}

static void write_all(struct tfx *fx)
{
	for (uint32_t p = 0; p < fx->mi.num_pieces; p++)
		tfx_write_piece(fx, p, TFX_FORWARD, false);
	tfx_drain(fx);
}

static void save_and_check(struct tfx *fx, uint32_t want_have)
{
	struct btt_resume r;

	fx->done = false;
	assert_int_equal(btt_bt_storage_save_resume(fx->st, resume_path(fx),
						    tfx_on_done, fx),
			 0);
	TFX_WAIT(fx, fx->done);
	assert_int_equal(fx->done_err, 0);
	assert_int_equal(btt_resume_load(&r, &fx->mi, resume_path(fx), NULL),
			 0);
	assert_int_equal(btt_bitfield_count(&r.have), want_have);
	btt_resume_release(&r);
}

static void assert_error(struct tfx *fx, int err, const char *path)
{
	const char *msg;

	assert_int_equal(fx->errors, 1);
	assert_int_equal(fx->last_err, err);
	assert_non_null(strstr(fx->errmsg, path));
	assert_non_null(strstr(fx->errmsg, btt_strerror(err)));
	assert_int_equal(btt_bt_storage_error(fx->st, &msg), err);
	assert_string_equal(msg, fx->errmsg);
}

/* a_small.bin (40000 bytes) fits under the limit, b_big.bin does not:
 * piece 0 (a_small.bin only) completes, every piece touching b_big.bin
 * fails with EFBIG. With the limit lifted and the error cleared, they complete.
 */
static void test_storage_err_file_too_large(void **state)
{
	struct tfx *fx = *state;
	struct rlimit lim = saved_fsize;

	tfx_put(fx, fx->src, "data/a_small.bin", 40000, 61);
	tfx_put(fx, fx->src, "data/b_big.bin", 300000, 62);
	tfx_make(fx, "data", 32 * KIB, BTT_CREATE_V1);
	assert_int_equal(tfx_start(fx, NULL), 0);
	lim.rlim_cur = 100000;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	write_all(fx);
	assert_int_equal(fx->passed, 1);
	assert_int_equal(fx->verdict[0], 1);
	assert_error(fx, -EFBIG, "data/b_big.bin");
	assert_true(fx->writes_failed > 0);
	assert_int_equal(fx->last_write_err, -EFBIG);
	assert_int_equal(tfx_write_block(fx, 1, 0), -EFBIG);
	assert_int_equal(btt_bitfield_count(btt_bt_storage_have(fx->st)), 1);
	save_and_check(fx, 1);

	assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved_fsize), 0);
	btt_bt_storage_clear_error(fx->st);
	assert_int_equal(btt_bt_storage_error(fx->st, NULL), 0);
	write_all(fx);
	assert_int_equal(btt_bitfield_count(btt_bt_storage_have(fx->st)),
			 fx->mi.num_pieces);
	assert_int_equal(tfx_close(fx, resume_path(fx)), 0);
	tfx_assert_files(fx);
}

/* b_full.bin's .part is /dev/full: its writes fail with ENOSPC; a_ok.bin
 * (exactly piece 0) completes and stays recorded. */
static void test_storage_err_disk_full(void **state)
{
	struct tfx *fx = *state;
	struct btt_resume r;

	tfx_put(fx, fx->src, "data/a_ok.bin", 32 * KIB, 71);
	tfx_put(fx, fx->src, "data/b_full.bin", 64 * KIB, 72);
	tfx_make(fx, "data", 32 * KIB, BTT_CREATE_V2);
	assert_int_equal(mkdir(fx->dl, 0755), 0);
	assert_int_equal(mkdir(tfx_at(fx, fx->dl, "data"), 0755), 0);
	assert_int_equal(symlink("/dev/full",
				 tfx_at(fx, fx->dl, "data/b_full.bin.part")),
			 0);
	assert_int_equal(tfx_start(fx, NULL), 0);
	assert_int_equal(btt_bitfield_count(&fx->recheck), 0);
	write_all(fx);
	assert_error(fx, -ENOSPC, "data/b_full.bin");
	assert_int_equal(fx->passed, 1);
	assert_true(btt_bitfield_get(btt_bt_storage_have(fx->st), 0));
	assert_int_equal(tfx_write_block(fx, 1, 0), -ENOSPC);
	save_and_check(fx, 1);
	assert_int_equal(tfx_close(fx, resume_path(fx)), 0);
	/* the next start trusts a_ok.bin's piece */
	assert_int_equal(btt_resume_load(&r, &fx->mi, resume_path(fx), NULL),
			 0);
	assert_int_equal(tfx_start(fx, &r), 0);
	btt_resume_release(&r);
	assert_int_equal(btt_bitfield_count(btt_bt_storage_have(fx->st)), 1);
	assert_true(btt_bitfield_get(btt_bt_storage_have(fx->st), 0));
	assert_int_equal(tfx_close(fx, NULL), 0);
}

/* data/sub is a regular file, so data/sub/b.bin cannot be created. */
static void test_storage_err_not_a_directory(void **state)
{
	struct tfx *fx = *state;

	tfx_put(fx, fx->src, "data/a.bin", 32 * KIB, 81);
	tfx_put(fx, fx->src, "data/sub/b.bin", 32 * KIB, 82);
	tfx_make(fx, "data", 32 * KIB, BTT_CREATE_V1);
	assert_int_equal(mkdir(fx->dl, 0755), 0);
	tfx_put(fx, fx->dl, "data/sub", 10, 83);
	assert_int_equal(tfx_start(fx, NULL), 0);
	tfx_write_piece(fx, 0, TFX_FORWARD, false);
	tfx_drain(fx);
	assert_int_equal(fx->verdict[0], 1);
	assert_int_equal(fx->errors, 0);
	tfx_write_piece(fx, 1, TFX_FORWARD, false);
	tfx_drain(fx);
	assert_error(fx, -ENOTDIR, "data/sub/b.bin");
	assert_int_equal(fx->verdict[1], 0);
	assert_int_equal(fx->writes_failed, 2);
	assert_true(tfx_exists(fx, "data/a.bin")); /* complete: renamed */
	save_and_check(fx, 1);
	assert_int_equal(tfx_close(fx, NULL), 0);
}

/* The download directory itself cannot be made. */
static void test_storage_err_directory_unusable(void **state)
{
	struct tfx *fx = *state;

	tfx_put(fx, fx->src, "one.bin", 1000, 91);
	tfx_make(fx, "one.bin", 16 * KIB, BTT_CREATE_V1);
	tfx_put(fx, fx->root, "dl", 10, 92); /* a file, not a directory */
	assert_int_equal(tfx_start(fx, NULL), -ENOTDIR);
	assert_int_equal(fx->errors, 1);
	assert_non_null(strstr(fx->errmsg, fx->dl));
	assert_int_equal(tfx_write_block(fx, 0, 0), BTT_EINVALID);
	assert_int_equal(tfx_close(fx, resume_path(fx)), 0);
	assert_int_equal(access(resume_path(fx), F_OK), -1);
}

static void got_read(void *arg, int err, struct btt_bt_storage_buf *buf,
		     const uint8_t *data)
{
	struct tfx *fx = arg;
	(void)buf;
	(void)data;
	fx->done = true;
	fx->done_err = err;
}

/* A complete file truncated behind our back: the read fails and the
 * error names the file. */
static void test_storage_err_short_read(void **state)
{
	struct tfx *fx = *state;

	tfx_put(fx, fx->src, "one.bin", 40000, 95);
	tfx_make(fx, "one.bin", 16 * KIB, BTT_CREATE_V1);
	assert_int_equal(tfx_start(fx, NULL), 0);
	write_all(fx);
	assert_int_equal(fx->passed, fx->mi.num_pieces);
	assert_int_equal(truncate(tfx_at(fx, fx->dl, "one.bin"), 100), 0);
	fx->done = false;
	assert_int_equal(btt_bt_storage_read(fx->st, 1, 0, BLK, got_read, fx),
			 0);
	TFX_WAIT(fx, fx->done);
	assert_int_equal(fx->done_err, BTT_EINCOMPLETE);
	assert_error(fx, BTT_EINCOMPLETE, "one.bin");
	/* verified pieces are kept; the caller decides to recheck */
	assert_int_equal(btt_bitfield_count(btt_bt_storage_have(fx->st)),
			 fx->mi.num_pieces);
	assert_int_equal(tfx_close(fx, NULL), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, tfx_setup, tfx_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_storage_err_file_too_large,
						setup_fsize, teardown_fsize),
		T(test_storage_err_disk_full),
		T(test_storage_err_not_a_directory),
		T(test_storage_err_directory_unusable),
		T(test_storage_err_short_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
