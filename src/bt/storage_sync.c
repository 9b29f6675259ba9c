/* Syncing files and saving resume data (see storage.h, "Durability").
 *
 * When a save is asked, the owner takes, at one instant T0: a copy of the
 * complete pieces, the list of files written so far (the dirty list,
 * which it empties), and the set of "unstable" files: those a write job
 * in flight may still be writing, and those touching pieces whose state is
 * unknown (not checked yet). The job then fsyncs and stats the listed
 * files, marks unstable every file written again since T0, and writes the
 * resume record, in which unstable files appear as absent: at the next
 * start they do not match, so their pieces are rechecked rather than
 * trusted or taken for missing. Every other file has had no write since
 * T0 and no write job left over from before it, so the copy of the
 * complete pieces is exact for it, and its data is on disk (fsync) before
 * the record naming it is (atomic rename).
 *
 * A file whose mtime is less than RECENT old is unstable too, except in
 * the final save of close (no write can follow it): on filesystems and
 * kernels with coarse timestamps (a clock tick, up to 2 s on FAT) a write
 * right after our stat may leave the mtime unchanged, and the next start
 * would take the pieces it completed for missing.
 *
 * fsync rather than fdatasync: the mtime recorded must also survive a
 * power cut, or the next start would recheck the file for nothing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bt/storage_int.h"
#include "btt/err.h"
#include "core/log.h"

#define RECENT_NS (3 * (int64_t)1000000000)

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		abort();
	return p;
}

static void mark_piece_files(const struct btt_bt_storage *st, uint32_t p,
			     uint8_t *unstable)
{
	struct btt_layout_iter it;
	struct btt_layout_extent e;

	btt_layout_iter_piece(&st->layout, p, &it);
	while (btt_layout_iter_next(&it, &e))
		if (!e.pad)
			unstable[e.file] = 1;
}

/* Files a write job may still touch, and files of unknown pieces. */
static void find_unstable(const struct btt_bt_storage *st, uint8_t *unstable)
{
	size_t n = btt_bitfield_size(&st->unknown);
	struct btt_hmap_iter it;
	uint64_t v;

	btt_hmap_iter_init(&st->slots, &it);
	while (btt_hmap_iter_next(&st->slots, &it, NULL, &v)) {
		const struct sslot *s = (const struct sslot *)(uintptr_t)v;
		if (s->busy || s->pending)
			mark_piece_files(st, s->piece, unstable);
	}
	for (size_t p = btt_bitfield_find_next_set(&st->unknown, 0); p < n;
	     p = btt_bitfield_find_next_set(&st->unknown, p + 1))
		mark_piece_files(st, (uint32_t)p, unstable);
}

/* ---- the job (worker) ---- */

static int sync_one(struct btt_bt_storage *st, uint32_t f)
{
	struct btt_resume_file *out = &st->fstat[f];
	struct sfref ref;
	struct stat sb;
	int rc = sfc_acquire(&st->fc, f, false, &ref);

	if (rc == -ENOENT) { /* removed behind our back */
		out->size = 0;
		out->mtime_ns = BTT_RESUME_ABSENT;
		return 0;
	}
	if (rc)
		return rc;
	if (fsync(ref.fd) < 0 && errno != EINVAL)
		rc = -errno; /* EINVAL: a device that cannot sync */
	else if (fstat(ref.fd, &sb) < 0)
		rc = -errno;
	sfc_put(&st->fc, &ref);
	if (rc)
		return rc;
	out->size = S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0;
	out->mtime_ns =
		(int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
	return 0;
}

static int sync_files(struct ssave *sv)
{
	struct btt_bt_storage *st = sv->st;

	for (size_t i = 0; i < sv->ndirty; i++) {
		int rc = sync_one(st, sv->dirty[i]);
		if (!rc)
			continue;
		sv->err_file = sv->dirty[i];
		for (; i < sv->ndirty; i++) /* sync them next time */
			sfc_mark_dirty(&st->fc, sv->dirty[i]);
		return rc;
	}
	return 0;
}

static int write_record(struct ssave *sv)
{
	struct btt_bt_storage *st = sv->st;
	struct sfcache *fc = &st->fc;
	uint32_t nf = st->mi->num_files;
	struct btt_resume r = {.have = sv->have, .num_files = nf};
	struct timespec ts;
	int64_t recent;

	r.files = calloc(nf ? nf : 1, sizeof(*r.files));
	if (!r.files)
		return sv->err = -ENOMEM;
	clock_gettime(CLOCK_REALTIME, &ts);
	recent = sv->final ? INT64_MAX
			   : (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec -
				     RECENT_NS;
	pthread_mutex_lock(&fc->mu);
	for (size_t i = 0; i < fc->ndirty; i++) /* written since T0 */
		sv->unstable[fc->dirty[i]] = 1;
	pthread_mutex_unlock(&fc->mu);
	for (uint32_t f = 0; f < nf; f++) {
		r.files[f] = st->fstat[f];
		if (sv->unstable[f] || r.files[f].mtime_ns > recent)
			r.files[f] =
				(struct btt_resume_file){0, BTT_RESUME_ABSENT};
	}
	sv->err = btt_resume_save(&r, st->mi, sv->path);
	free(r.files);
	return sv->err;
}

static void save_work(void *arg)
{
	struct ssave *sv = arg;

	sv->err_file = SNONE;
	sv->err = sync_files(sv);
	if (!sv->err && sv->path)
		write_record(sv);
	if (sv->final)
		sfc_close_all(&sv->st->fc);
}

static void save_free(struct ssave *sv)
{
	btt_bitfield_release(&sv->have);
	free(sv->dirty);
	free(sv->unstable);
	free(sv->path);
	free(sv);
}

static void save_done(void *arg)
{
	struct ssave *sv = arg;
	struct btt_bt_storage *st = sv->st;
	btt_bt_storage_done_fn cb = sv->cb;
	void *cb_arg = sv->arg;
	int err = sv->err;

	st_job_done(st);
	st->save = NULL;
	if (err && sv->err_file != SNONE)
		st_fail(st, err, sv->err_file);
	else if (err)
		BTT_LOG(BTT_LOG_WARN, "storage", "resume file %s: %s", sv->path,
			btt_strerror(err));
	save_free(sv);
	if (cb)
		cb(cb_arg, err);
	st_idle_check(st);
}

/* ---- submitting (owner) ---- */

/* The state at T0. Sizes come from the torrent (checked against its
 * limits when parsed), so these allocations may fail. */
static int snapshot(struct btt_bt_storage *st, struct ssave *sv)
{
	size_t n = btt_bitfield_size(&st->have);

	if (sv->path) {
		if (btt_bitfield_init(&sv->have, n) != 0)
			return -ENOMEM;
		sv->unstable =
			calloc(st->mi->num_files ? st->mi->num_files : 1, 1);
		if (!sv->unstable)
			return -ENOMEM;
		for (size_t p = btt_bitfield_find_next_set(&st->have, 0); p < n;
		     p = btt_bitfield_find_next_set(&st->have, p + 1))
			btt_bitfield_set(&sv->have, p);
		find_unstable(st, sv->unstable);
	}
	sfc_take_dirty(&st->fc, &sv->dirty, &sv->ndirty);
	return 0;
}

int st_save_submit(struct btt_bt_storage *st, const char *path, bool final,
		   btt_bt_storage_done_fn cb, void *arg)
{
	struct ssave *sv = xcalloc(1, sizeof(*sv));
	int rc;

	sv->st = st;
	sv->final = final;
	sv->cb = cb;
	sv->arg = arg;
	if (path && st->opened && !(sv->path = strdup(path)))
		abort();
	if (st->opened && (rc = snapshot(st, sv)) != 0) {
		save_free(sv);
		return rc;
	}
	st->save = sv;
	st_submit(st, BTT_POOL_HIGH, save_work, save_done, sv);
	return 0;
}

int btt_bt_storage_save_resume(struct btt_bt_storage *st, const char *path,
			       btt_bt_storage_done_fn cb, void *arg)
{
	if (st->closing)
		return BTT_ECANCELLED;
	if (!st->opened || !path)
		return BTT_EINVALID;
	if (st->save)
		return -EBUSY;
	return st_save_submit(st, path, false, cb, arg);
}
