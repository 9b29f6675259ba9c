/* File priorities end to end, in one process: two sessions on one loop,
 * both listening on 127.0.0.1 with ports the OS chose. One seeds a torrent
 * made from a temporary source tree, the other downloads it into an
 * empty directory with some files skipped.
 *
 * Checked: the done event fires while the torrent is not complete; the
 * wanted files are byte-exact at their final names; skipped files never
 * appear at their final names, and not at all where no wanted piece
 * touches them; the selection's stats; a restart wanting everything keeps
 * the pieces already verified and completes; a selection widened while
 * seeding downloads again and completes; a selection emptied while
 * downloading makes the torrent done at once; bad selections are refused
 * at add and at set (file index and priority at max-1, max, max+1).
 *
 * A guard timer turns a hang into a failure; nothing depends on time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bt/create.h"
#include "bt/metainfo.h"
#include "bt/session.h"
#include "bt/torrent.h"
#include "btt/err.h"
#include "io/addr.h"
#include "io/loop.h"
#include "io/timer.h"
#include "test_storage_util.h"

#define GUARD_MS 60000 /* far above what a transfer of 400 KB needs */
#define NFILES 6

struct fix;

/* One session with one torrent. */
struct node {
	struct fix *f;
	struct btt_session *s;
	struct btt_torrent *t;
	bool idle;
};

struct fix {
	char root[64], src[128], dl[128];
	struct btt_metainfo mi;
	bool has_mi;
	struct btt_loop *loop;
	struct btt_timer *guard, *later;
	struct node seed, get;
	bool guard_fired;
	/* the scenario */
	bool widen;   /* on the first done, want every file (from a timer) */
	bool empty;   /* once checked, skip every file (in the event) */
	bool no_seed; /* run the downloader alone */
	/* what happened */
	unsigned completed;
	bool done_at[2], complete_at[2];
	struct btt_torrent_stats at_done[2], at_checked, at_stop;
	int widen_rc;
	int state_after_widen;
};

/* The content: v1 with 32 KiB pieces puts a.bin in pieces 0-3, b.bin in
 * 3-5, c.bin in 5-7, d.bin in 7-9, e.txt (empty) at the end of d.bin and
 * f.bin in piece 9 with the end of d.bin. */
static const struct {
	const char *path;
	size_t len;
	bool skip; /* in the standard selection */
} files[NFILES] = {
	{"data/a.bin", 100000, false}, {"data/b.bin", 70000, true},
	{"data/c.bin", 90000, true},   {"data/d.bin", 60000, true},
	{"data/e.txt", 0, true},       {"data/f.bin", 5000, false},
};

/* ---- files ---- */

static const char *at(char *buf, size_t n, const char *dir, const char *rel,
		      const char *suffix)
{
	snprintf(buf, n, "%s/%s%s", dir, rel, suffix);
	return buf;
}

static bool exists(const char *dir, const char *rel, const char *suffix)
{
	char p[256];

	return access(at(p, sizeof(p), dir, rel, suffix), F_OK) == 0;
}

/* The downloaded file equals the source. */
static void assert_same(struct fix *f, const char *rel)
{
	char p[256];
	size_t la = 0, lb = 0;
	uint8_t *a = tfx_slurp(at(p, sizeof(p), f->src, rel, ""), &la);
	uint8_t *b = tfx_slurp(at(p, sizeof(p), f->dl, rel, ""), &lb);

	if (!b)
		fail_msg("missing %s", rel);
	assert_non_null(a);
	assert_true(la == lb);
	assert_memory_equal(a, b, la);
	free(a);
	free(b);
}

/* The metainfo's file index of a path. */
static uint32_t file_index(const struct fix *f, const char *path)
{
	for (uint32_t i = 0; i < f->mi.num_files; i++)
		if (strcmp(f->mi.files[i].path, path) == 0)
			return i;
	fail_msg("no file %s", path);
	return 0;
}

/* The standard selection: skipped files at 0, the others at 1..7. */
static void selection(const struct fix *f, uint8_t *prio)
{
	memset(prio, 4, f->mi.num_files); /* pad files: ignored */
	for (int i = 0; i < NFILES; i++)
		prio[file_index(f, files[i].path)] =
			files[i].skip ? 0 : (uint8_t)(1 + 6 * (i == 0));
}

/* ---- set-up ---- */

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	if (!f)
		return -1;
	snprintf(f->root, sizeof(f->root), "%s/btt-select-XXXXXX",
		 tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	if (!mkdtemp(f->root))
		return -1;
	snprintf(f->src, sizeof(f->src), "%s/src", f->root);
	snprintf(f->dl, sizeof(f->dl), "%s/dl", f->root);
	if (mkdir(f->src, 0755) < 0)
		return -1;
	for (int i = 0; i < NFILES; i++)
		tfx_put(NULL, f->src, files[i].path, files[i].len,
			(uint64_t)i + 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	if (f->has_mi)
		btt_metainfo_release(&f->mi);
	nftw(f->root, tfx_rm, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void make(struct fix *f, enum btt_create_version v)
{
	struct btt_create_opts o = {
		.piece_size = 32 * KIB, .version = v, .threads = 2};
	struct btt_create_result r;
	struct btt_metainfo_err err;
	char path[256];

	o.path = at(path, sizeof(path), f->src, "data", "");
	assert_int_equal(btt_bt_create(&o, &r), 0);
	if (btt_metainfo_parse(&f->mi, r.torrent, r.len, &err))
		fail_msg("parse: %s", err.msg);
	f->has_mi = true;
	btt_bt_create_result_release(&r);
}

/* ---- the loop ---- */

static void shutdown_all(struct fix *f)
{
	btt_session_shutdown(f->get.s);
	if (f->seed.s)
		btt_session_shutdown(f->seed.s);
}

static void on_idle(void *arg)
{
	struct node *n = arg;
	struct fix *f = n->f;

	n->idle = true;
	if (f->get.idle && (!f->seed.s || f->seed.idle))
		btt_loop_stop(f->loop);
}

static void guard_cb(struct btt_timer *tm, void *arg)
{
	struct fix *f = arg;

	(void)tm;
	f->guard_fired = true;
	btt_loop_stop(f->loop);
}

/* Outside any event: every file wanted again. */
static void widen_cb(struct btt_timer *tm, void *arg)
{
	struct fix *f = arg;
	struct btt_torrent_stats st;

	(void)tm;
	for (uint32_t i = 0; i < f->mi.num_files && !f->widen_rc; i++)
		f->widen_rc = btt_torrent_set_file_prio(f->get.t, i, 4);
	btt_torrent_stats(f->get.t, &st);
	f->state_after_widen = st.state;
}

static void seed_event(void *arg, struct btt_torrent *t, int event)
{
	struct node *n = arg;
	struct btt_addr a;

	(void)t;
	if (event != BTT_TORRENT_EV_CHECKED)
		return;
	/* Dialled once it can answer. */
	btt_session_listen_addr(n->s, &a);
	btt_torrent_add_peer(n->f->get.t, &a);
}

static void on_done(struct fix *f, struct btt_torrent *t)
{
	unsigned i = f->completed < 2 ? f->completed : 1;

	f->done_at[i] = btt_torrent_done(t);
	f->complete_at[i] = btt_torrent_complete(t);
	btt_torrent_stats(t, &f->at_done[i]);
	f->completed++;
	if (f->widen && f->completed == 1)
		btt_timer_start(f->later, 0, 0);
	else if (f->widen)
		btt_torrent_stop(t);
}

static void get_event(void *arg, struct btt_torrent *t, int event)
{
	struct node *n = arg;
	struct fix *f = n->f;

	if (event == BTT_TORRENT_EV_CHECKED) {
		btt_torrent_stats(t, &f->at_checked);
		for (uint32_t i = 0; f->empty && i < f->mi.num_files; i++)
			assert_int_equal(btt_torrent_set_file_prio(t, i, 0), 0);
	} else if (event == BTT_TORRENT_EV_COMPLETED) {
		on_done(f, t);
	} else if (event == BTT_TORRENT_EV_STOPPED) {
		btt_torrent_stats(t, &f->at_stop);
		shutdown_all(f);
	}
}

static void node_start(struct fix *f, struct node *n, btt_session_event_fn ev)
{
	struct btt_session_opts so = {
		.threads = 2,
		.on_event = ev,
		.on_idle = on_idle,
		.cb_arg = n,
	};

	memset(n, 0, sizeof(*n));
	n->f = f;
	btt_io_addr_loopback(BTT_AF_INET, 0, &so.listen);
	assert_int_equal(btt_session_new(f->loop, &so, &n->s), 0);
}

/* Seeds from src (unless no_seed) and downloads into dl with the given
 * selection (NULL: everything) until the downloader stops. */
static void run(struct fix *f, const uint8_t *prio, bool keep_seeding)
{
	struct btt_torrent_opts seed = {.dir = f->src, .seed = true};
	struct btt_torrent_opts get = {.dir = f->dl,
				       .download = true,
				       .seed = keep_seeding,
				       .file_prio = prio,
				       .num_file_prio =
					       prio ? f->mi.num_files : 0};

	f->completed = 0;
	f->guard_fired = false;
	assert_int_equal(btt_loop_new(&f->loop), 0);
	assert_int_equal(btt_timer_new(f->loop, guard_cb, f, &f->guard), 0);
	assert_int_equal(btt_timer_new(f->loop, widen_cb, f, &f->later), 0);
	node_start(f, &f->get, get_event);
	assert_int_equal(btt_session_add(f->get.s, &f->mi, &get, &f->get.t), 0);
	if (!f->no_seed) {
		node_start(f, &f->seed, seed_event);
		assert_int_equal(
			btt_session_add(f->seed.s, &f->mi, &seed, &f->seed.t),
			0);
	}
	btt_timer_start(f->guard, GUARD_MS, 0);
	btt_loop_run(f->loop);
	btt_timer_free(f->guard);
	btt_timer_free(f->later);
	btt_session_free(f->get.s);
	btt_session_free(f->seed.s);
	btt_loop_free(f->loop);
	memset(&f->seed, 0, sizeof(f->seed));
	assert_false(f->guard_fired);
	assert_int_equal(f->at_stop.error, 0);
}

/* ---- scenarios ---- */

/* After a run with the standard selection: done but not complete, the
 * wanted files exact, the skipped ones not at their final names. */
static void check_selection_run(struct fix *f, bool shares_pieces)
{
	const struct btt_torrent_stats *d = &f->at_done[0];

	assert_int_equal(f->completed, 1);
	assert_true(f->done_at[0]);
	assert_false(f->complete_at[0]);
	assert_true(d->wanted_have == d->wanted_bytes);
	assert_true(d->wanted_bytes >= files[0].len + files[5].len);
	assert_true(d->wanted_bytes < d->total_bytes);
	assert_true(d->have_pieces < d->num_pieces);
	assert_int_equal(f->at_stop.state, BTT_TORRENT_STOPPED);
	assert_true(f->at_stop.downloaded >= d->wanted_bytes);
	for (int i = 0; i < NFILES; i++) {
		if (!files[i].skip) {
			assert_same(f, files[i].path);
			assert_false(exists(f->dl, files[i].path, ".part"));
			continue;
		}
		assert_false(exists(f->dl, files[i].path, ""));
		/* v1 writes the shared pieces into b.bin and d.bin's .part */
		if (!shares_pieces || i == 2 || i == 4)
			assert_false(exists(f->dl, files[i].path, ".part"));
	}
	if (shares_pieces)
		assert_true(exists(f->dl, files[1].path, ".part"));
}

/* A restart wanting everything trusts what was verified and gets the
 * rest. */
static void check_resume_run(struct fix *f, uint32_t had)
{
	const struct btt_torrent_stats *c = &f->at_checked;

	run(f, NULL, false);
	assert_int_equal(f->completed, 1);
	assert_true(f->complete_at[0]);
	assert_true(f->done_at[0]);
	assert_int_equal(c->resume_trusted + c->recheck_valid, had);
	assert_true(f->at_stop.downloaded < f->at_stop.total_bytes);
	assert_true(f->at_done[0].wanted_bytes == f->at_done[0].total_bytes);
	assert_true(f->at_done[0].have_bytes == f->at_done[0].total_bytes);
	for (int i = 0; i < NFILES; i++) {
		assert_same(f, files[i].path);
		assert_false(exists(f->dl, files[i].path, ".part"));
	}
}

static void select_and_resume(struct fix *f, enum btt_create_version v,
			      bool shares_pieces)
{
	uint8_t prio[64];

	make(f, v);
	assert_true(f->mi.num_files <= sizeof(prio));
	selection(f, prio);
	run(f, prio, false);
	check_selection_run(f, shares_pieces);
	check_resume_run(f, f->at_done[0].have_pieces);
}

static void test_torrent_select_v1(void **state)
{
	select_and_resume(*state, BTT_CREATE_V1, true);
}

static void test_torrent_select_v2(void **state)
{
	select_and_resume(*state, BTT_CREATE_V2, false);
}

static void test_torrent_select_hybrid(void **state)
{
	select_and_resume(*state, BTT_CREATE_HYBRID, false);
}

/* Done with the selection while seeding, then given every file: it
 * downloads again (the seed it dropped is dialled again) and completes. */
static void test_torrent_select_widen_while_seeding(void **state)
{
	struct fix *f = *state;
	uint8_t prio[NFILES];

	make(f, BTT_CREATE_V1);
	assert_int_equal(f->mi.num_files, NFILES);
	selection(f, prio);
	f->widen = true;
	run(f, prio, true);
	assert_int_equal(f->completed, 2);
	assert_true(f->done_at[0]);
	assert_false(f->complete_at[0]);
	assert_int_equal(f->at_done[0].state, BTT_TORRENT_SEEDING);
	assert_int_equal(f->widen_rc, 0);
	assert_int_equal(f->state_after_widen, BTT_TORRENT_DOWNLOADING);
	assert_true(f->done_at[1]);
	assert_true(f->complete_at[1]);
	assert_true(f->at_done[1].wanted_have == f->at_done[1].total_bytes);
	for (int i = 0; i < NFILES; i++)
		assert_same(f, files[i].path);
}

/* Downloading with nobody to download from, then nothing wanted: done at
 * once, and stopped (not seeding), having written nothing (the empty file
 * was created when the storage opened, everything wanted). */
static void test_torrent_select_empty_while_downloading(void **state)
{
	struct fix *f = *state;

	make(f, BTT_CREATE_V1);
	f->empty = true;
	f->no_seed = true;
	run(f, NULL, false);
	assert_int_equal(f->at_checked.state, BTT_TORRENT_DOWNLOADING);
	assert_int_equal(f->completed, 1);
	assert_true(f->done_at[0]);
	assert_false(f->complete_at[0]);
	assert_true(f->at_done[0].wanted_bytes == 0);
	assert_true(f->at_done[0].wanted_have == 0);
	assert_int_equal(f->at_stop.state, BTT_TORRENT_STOPPED);
	for (int i = 0; i < NFILES; i++) {
		assert_int_equal(exists(f->dl, files[i].path, ""),
				 files[i].len == 0);
		assert_false(exists(f->dl, files[i].path, ".part"));
	}
}

/* Selections that do not fit the torrent are refused. */
static void test_torrent_select_bad_selection(void **state)
{
	struct fix *f = *state;
	struct btt_torrent_opts o = {.dir = f->dl, .download = true};
	struct btt_torrent *t = NULL;
	struct node n;
	uint8_t prio[NFILES + 1];

	make(f, BTT_CREATE_V1);
	memset(prio, 7, sizeof(prio));
	assert_int_equal(btt_loop_new(&f->loop), 0);
	node_start(f, &n, NULL);
	o.file_prio = prio;
	o.num_file_prio = NFILES - 1;
	assert_int_equal(btt_session_add(n.s, &f->mi, &o, &t), BTT_EINVALID);
	o.num_file_prio = NFILES + 1;
	assert_int_equal(btt_session_add(n.s, &f->mi, &o, &t), BTT_EINVALID);
	o.num_file_prio = 0;
	assert_int_equal(btt_session_add(n.s, &f->mi, &o, &t), BTT_EINVALID);
	o.file_prio = NULL;
	o.num_file_prio = NFILES;
	assert_int_equal(btt_session_add(n.s, &f->mi, &o, &t), BTT_EINVALID);
	o.file_prio = prio;
	prio[3] = 8;
	assert_int_equal(btt_session_add(n.s, &f->mi, &o, &t), BTT_EINVALID);
	prio[3] = 6;
	assert_int_equal(btt_session_add(n.s, &f->mi, &o, &t), 0);
	prio[3] = 0; /* copied at add */
	assert_int_equal(btt_torrent_file_prio(t, 3), 6);
	assert_int_equal(btt_torrent_file_prio(t, NFILES - 1), 7);
	assert_int_equal(btt_torrent_file_prio(t, NFILES), 0);
	assert_int_equal(btt_torrent_set_file_prio(t, NFILES - 1, 7), 0);
	assert_int_equal(btt_torrent_set_file_prio(t, NFILES, 1), BTT_EINVALID);
	assert_int_equal(btt_torrent_set_file_prio(t, NFILES + 1, 1),
			 BTT_EINVALID);
	assert_int_equal(btt_torrent_set_file_prio(t, 0, 8), BTT_EINVALID);
	assert_int_equal(btt_torrent_file_prio(t, 0), 7);
	assert_int_equal(btt_torrent_set_file_prio(t, 0, 0), 0);
	assert_int_equal(btt_torrent_file_prio(t, 0), 0);
	assert_false(btt_torrent_done(t)); /* not checked yet */
	btt_session_free(n.s);
	btt_loop_free(f->loop);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_torrent_select_v1),
		T(test_torrent_select_v2),
		T(test_torrent_select_hybrid),
		T(test_torrent_select_widen_while_seeding),
		T(test_torrent_select_empty_while_downloading),
		T(test_torrent_select_bad_selection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
