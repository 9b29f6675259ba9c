/* Torrent storage: lifecycle, opening, the error state, closing, and the
 * bookkeeping of complete pieces (see storage.h and storage_int.h).
 *
 * Invariants (owner thread): file_left[f] counts the pieces touching file
 * f that are not in `have`; when it drops to zero the file is renamed from
 * .part. `jobs` counts every job submitted and not yet done; closing
 * queues its final job only once it is zero. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bt/storage_int.h"
#include "btt/err.h"
#include "core/limits.h"
#include "core/log.h"

const uint8_t st_zeros[64 << 10];

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		abort();
	return p;
}

int btt_bt_storage_new(const struct btt_bt_storage_opts *opts,
		       struct btt_bt_storage **out)
{
	const struct btt_metainfo *mi = opts->mi;
	struct btt_bt_storage *st;
	int rc;

	*out = NULL;
	if (!mi || !opts->dir || !opts->pool)
		return BTT_EINVALID;
	if (mi->piece_length > UINT32_MAX / 2)
		return BTT_EOVERFLOW;
	st = xcalloc(1, sizeof(*st));
	st->mi = mi;
	st->pool = opts->pool;
	st->opts = *opts;
	st->opts.dir = NULL;
	if ((rc = btt_layout_init_metainfo(&st->layout, mi)) != 0 ||
	    (rc = sfc_init(&st->fc, mi,
			   opts->max_open_files
				   ? opts->max_open_files
				   : BTT_BT_STORAGE_DEFAULT_FILES)) != 0 ||
	    (rc = btt_bitfield_init(&st->have, mi->num_pieces)) != 0) {
		btt_bt_storage_free(st);
		return rc;
	}
	st->dir = strdup(opts->dir);
	if (!st->dir)
		abort();
	/* sized from the torrent: fallible */
	st->file_left = calloc(mi->num_files ? mi->num_files : 1,
			       sizeof(*st->file_left));
	st->fstat =
		calloc(mi->num_files ? mi->num_files : 1, sizeof(*st->fstat));
	if (!st->file_left || !st->fstat) {
		btt_bt_storage_free(st);
		return -ENOMEM;
	}
	for (uint32_t f = 0; f < mi->num_files; f++)
		st->fstat[f].mtime_ns = BTT_RESUME_ABSENT;
	btt_hmap_init(&st->slots, sizeof(uint32_t));
	btt_hmap_init(&st->chunks, sizeof(uint64_t));
	st->buf_cap = opts->buffer_cap ? opts->buffer_cap
				       : BTT_BT_STORAGE_DEFAULT_BUFFERS;
	st->cache_cap = opts->cache_cap ? opts->cache_cap
					: BTT_BT_STORAGE_DEFAULT_CACHE;
	*out = st;
	return 0;
}

void btt_bt_storage_free(struct btt_bt_storage *st)
{
	if (!st)
		return;
	assert(st->jobs == 0);
	st_slots_release(st);
	st_cache_release(st);
	st_check_free(st->check);
	sfc_release(&st->fc);
	btt_hmap_release(&st->slots);
	btt_hmap_release(&st->chunks);
	btt_bitfield_release(&st->have);
	btt_bitfield_release(&st->unknown);
	free(st->file_left);
	free(st->fstat);
	free(st->dir);
	free(st->close_path);
	free(st);
}

/* ---- jobs and errors ---- */

void st_submit(struct btt_bt_storage *st, enum btt_pool_prio prio,
	       btt_pool_work_fn work, btt_pool_done_fn done, void *arg)
{
	st->jobs++;
	btt_pool_submit(st->pool, prio, work, done, arg);
}

void st_job_done(struct btt_bt_storage *st)
{
	assert(st->jobs > 0);
	st->jobs--;
}

void st_fail(struct btt_bt_storage *st, int err, uint32_t file)
{
	if (st->err)
		return;
	st->err = err;
	if (file == SNONE)
		snprintf(st->errmsg, sizeof(st->errmsg), "%s: %s", st->dir,
			 btt_strerror(err));
	else
		snprintf(st->errmsg, sizeof(st->errmsg), "%s/%s: %s", st->dir,
			 st->mi->files[file].path, btt_strerror(err));
	BTT_LOG(BTT_LOG_ERROR, "storage", "%s", st->errmsg);
	if (st->opts.on_error)
		st->opts.on_error(st->opts.cb_arg, err, st->errmsg);
}

int btt_bt_storage_error(const struct btt_bt_storage *st, const char **out_msg)
{
	if (out_msg)
		*out_msg = st->err ? st->errmsg : "";
	return st->err;
}

void btt_bt_storage_clear_error(struct btt_bt_storage *st)
{
	st->err = 0;
	st->errmsg[0] = '\0';
}

const struct btt_bitfield *btt_bt_storage_have(const struct btt_bt_storage *st)
{
	return &st->have;
}

void btt_bt_storage_stats(const struct btt_bt_storage *st,
			  struct btt_bt_storage_stats *out)
{
	*out = st->stats;
	out->buffer_used = st->buf_used;
	out->buffer_cap = st->buf_cap;
	out->cache_used = st->cache_used;
	out->cache_cap = st->cache_cap;
	out->jobs = st->jobs;
	out->pieces_in_progress = (uint32_t)btt_hmap_len(&st->slots);
}

/* ---- complete pieces and file renames ---- */

struct sfinish {
	struct btt_bt_storage *st;
	uint32_t file;
	int err;
};

static void finish_work(void *arg)
{
	struct sfinish *j = arg;
	j->err = sfc_finish(&j->st->fc, j->file);
}

static void finish_done(void *arg)
{
	struct sfinish *j = arg;
	struct btt_bt_storage *st = j->st;

	st_job_done(st);
	if (j->err)
		st_fail(st, j->err, j->file);
	free(j);
	st_idle_check(st);
}

static void create_work(void *arg)
{
	struct sfinish *j = arg;
	j->err = sfc_create_empty(&j->st->fc, j->file);
}

/* Creates the empty file f on a worker when it is wanted and absent. */
static void create_later(struct btt_bt_storage *st, uint32_t f)
{
	struct sfinish *j;

	if (st->mi->files[f].length || sfc_skipped(&st->mi->files[f]) ||
	    !sfc_wanted_absent(&st->fc, f))
		return;
	j = xcalloc(1, sizeof(*j));
	j->st = st;
	j->file = f;
	st_submit(st, BTT_POOL_HIGH, create_work, finish_done, j);
}

int btt_bt_storage_file_skip(struct btt_bt_storage *st, uint32_t f, bool skip)
{
	if (f >= st->mi->num_files)
		return BTT_EINVALID;
	sfc_set_skip(&st->fc, f, skip);
	if (!skip && st->opened && !st->closing)
		create_later(st, f);
	return 0;
}

static bool file_counted(const struct btt_bt_storage *st, uint32_t f)
{
	return st->mi->files[f].length && !sfc_skipped(&st->mi->files[f]);
}

void st_piece_complete(struct btt_bt_storage *st, uint32_t p)
{
	struct btt_layout_iter it;
	struct btt_layout_extent e;

	if (!btt_bitfield_set(&st->have, p))
		return;
	btt_layout_iter_piece(&st->layout, p, &it);
	while (btt_layout_iter_next(&it, &e)) {
		struct sfinish *j;
		if (e.pad || !file_counted(st, e.file) ||
		    --st->file_left[e.file])
			continue;
		j = xcalloc(1, sizeof(*j));
		j->st = st;
		j->file = e.file;
		st_submit(st, BTT_POOL_HIGH, finish_work, finish_done, j);
	}
}

void st_piece_uncomplete(struct btt_bt_storage *st, uint32_t p)
{
	struct btt_layout_iter it;
	struct btt_layout_extent e;

	if (!btt_bitfield_clear(&st->have, p))
		return;
	btt_layout_iter_piece(&st->layout, p, &it);
	while (btt_layout_iter_next(&it, &e))
		if (!e.pad && file_counted(st, e.file))
			st->file_left[e.file]++;
	st_cache_drop_piece(st, p);
}

static void count_file_left(struct btt_bt_storage *st)
{
	for (uint32_t f = 0; f < st->mi->num_files; f++) {
		uint32_t a, b;
		st->file_left[f] = 0;
		if (!file_counted(st, f))
			continue;
		btt_layout_file_pieces(&st->layout, f, &a, &b);
		for (uint32_t p = a; p < b; p++)
			st->file_left[f] += !btt_bitfield_get(&st->have, p);
	}
}

/* ---- reading the piece stream (workers) ---- */

static int pread_all(int fd, uint8_t *buf, uint64_t n, uint64_t off)
{
	while (n) {
		size_t want = n > (1u << 30) ? (1u << 30) : (size_t)n;
		ssize_t got = pread(fd, buf, want, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)
			return BTT_EINCOMPLETE;
		buf += got;
		off += (uint64_t)got;
		n -= (uint64_t)got;
	}
	return 0;
}

int st_read_stream(struct btt_bt_storage *st, uint64_t pos, uint8_t *buf,
		   uint64_t n, bool write, uint32_t *err_file)
{
	struct btt_layout_iter it;
	struct btt_layout_extent e;

	btt_layout_iter_range(&st->layout, pos, n, &it);
	while (btt_layout_iter_next(&it, &e)) {
		uint8_t *dst = buf + (e.pos - pos);
		struct sfref ref;
		int rc;
		if (e.pad || sfc_skipped(&st->mi->files[e.file])) {
			memset(dst, 0, (size_t)e.length);
			continue;
		}
		rc = sfc_acquire(&st->fc, e.file, write, &ref);
		if (!rc) {
			rc = pread_all(ref.fd, dst, e.length, e.offset);
			sfc_put(&st->fc, &ref);
		}
		if (rc) {
			*err_file = e.file;
			return rc;
		}
	}
	return 0;
}

static void hash_zeros(struct btt_piece_hash *h, uint64_t n)
{
	while (n) {
		size_t take =
			n < sizeof(st_zeros) ? (size_t)n : sizeof(st_zeros);
		btt_piece_hash_update(h, st_zeros, take, true);
		n -= take;
	}
}

/* Preads e.length bytes of extent e in buf_len chunks into the hasher. */
static int hash_extent(struct btt_piece_hash *h, int fd,
		       const struct btt_layout_extent *e, uint8_t *buf,
		       size_t buf_len, uint64_t *bytes)
{
	for (uint64_t done = 0; done < e->length;) {
		uint64_t want = e->length - done;
		int rc;
		want = want < buf_len ? want : buf_len;
		if ((rc = pread_all(fd, buf, want, e->offset + done)) != 0)
			return rc;
		btt_piece_hash_update(h, buf, (size_t)want, false);
		*bytes += want;
		done += want;
	}
	return 0;
}

int st_hash_range(struct btt_bt_storage *st, struct btt_piece_hash *h,
		  uint64_t pos, uint64_t n, uint8_t *buf, size_t buf_len,
		  bool write, uint32_t *err_file, uint64_t *bytes)
{
	struct btt_layout_iter it;
	struct btt_layout_extent e;

	btt_layout_iter_range(&st->layout, pos, n, &it);
	while (btt_layout_iter_next(&it, &e)) {
		struct sfref ref;
		int rc;
		if (e.pad || sfc_skipped(&st->mi->files[e.file])) {
			hash_zeros(h, e.length);
			continue;
		}
		rc = sfc_acquire(&st->fc, e.file, write, &ref);
		if (!rc) {
			rc = hash_extent(h, ref.fd, &e, buf, buf_len, bytes);
			sfc_put(&st->fc, &ref);
		}
		if (rc) {
			*err_file = e.file;
			return rc;
		}
	}
	return 0;
}

/* ---- opening ---- */

struct sopen {
	struct btt_bt_storage *st;
	struct btt_resume resume;
	bool has_resume;
	struct btt_bitfield have, recheck;
	int err;
	uint32_t err_file;
	btt_bt_storage_open_fn cb;
	void *arg;
};

static int open_dir(struct btt_bt_storage *st)
{
	char buf[4096 + 2];
	int fd, rc;

	if (snprintf(buf, sizeof(buf), "%s/", st->dir) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	if ((rc = sfc_mkdirs(AT_FDCWD, buf)) != 0)
		return rc;
	fd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	st->fc.dirfd = fd;
	return 0;
}

/* Renames the .part files that trusted pieces made complete. */
static int open_finish_files(struct sopen *o)
{
	struct btt_bt_storage *st = o->st;

	for (uint32_t f = 0; f < st->mi->num_files; f++) {
		uint32_t a, b, p;
		int rc;
		if (!file_counted(st, f))
			continue;
		btt_layout_file_pieces(&st->layout, f, &a, &b);
		for (p = a; p < b && btt_bitfield_get(&o->have, p); p++)
			;
		if (p == b && (rc = sfc_finish(&st->fc, f)) != 0) {
			o->err_file = f;
			return rc;
		}
	}
	return 0;
}

static int open_files(struct sopen *o)
{
	struct btt_bt_storage *st = o->st;
	const struct btt_metainfo *mi = st->mi;
	int rc;

	for (uint32_t f = 0; f < mi->num_files; f++) {
		if (sfc_skipped(&mi->files[f]))
			continue;
		o->err_file = f;
		if ((rc = sfc_stat(&st->fc, f, &st->fstat[f])) != 0)
			return rc;
		if (mi->files[f].length ||
		    st->fstat[f].mtime_ns != BTT_RESUME_ABSENT)
			continue;
		if ((rc = sfc_create_empty(&st->fc, f)) != 0 ||
		    (rc = sfc_stat(&st->fc, f, &st->fstat[f])) != 0)
			return rc;
	}
	o->err_file = SNONE;
	return 0;
}

static void open_work(void *arg)
{
	struct sopen *o = arg;
	struct btt_bt_storage *st = o->st;

	o->err_file = SNONE;
	if ((o->err = open_dir(st)) != 0 || (o->err = open_files(o)) != 0)
		return;
	o->err = btt_resume_plan(st->mi, o->has_resume ? &o->resume : NULL,
				 st->fstat, &o->have, &o->recheck);
	if (!o->err)
		o->err = open_finish_files(o);
}

static void open_done(void *arg)
{
	struct sopen *o = arg;
	struct btt_bt_storage *st = o->st;

	st_job_done(st);
	st->opening = false;
	if (o->err) {
		st_fail(st, o->err, o->err_file);
		o->cb(o->arg, o->err, NULL);
	} else {
		btt_bitfield_release(&st->have);
		btt_bitfield_release(&st->unknown);
		st->have = o->have;
		st->unknown = o->recheck;
		memset(&o->have, 0, sizeof(o->have));
		memset(&o->recheck, 0, sizeof(o->recheck));
		count_file_left(st);
		st->opened = true;
		/* An empty file no longer skipped while the open ran. */
		for (uint32_t f = 0; f < st->mi->num_files; f++)
			create_later(st, f);
		o->cb(o->arg, 0, &st->unknown);
	}
	btt_bitfield_release(&o->have);
	btt_bitfield_release(&o->recheck);
	btt_resume_release(&o->resume);
	free(o);
	st_idle_check(st);
}

static int resume_copy(struct sopen *o, const struct btt_resume *r)
{
	const struct btt_metainfo *mi = o->st->mi;
	size_t n = btt_bitfield_size(&r->have);
	int rc;

	if (n != mi->num_pieces || r->num_files != mi->num_files)
		return 0; /* another torrent's record: not usable */
	if ((rc = btt_resume_init(&o->resume, mi)) != 0)
		return rc;
	for (size_t p = btt_bitfield_find_next_set(&r->have, 0); p < n;
	     p = btt_bitfield_find_next_set(&r->have, p + 1))
		btt_bitfield_set(&o->resume.have, p);
	memcpy(o->resume.files, r->files, mi->num_files * sizeof(*r->files));
	o->has_resume = true;
	return 0;
}

int btt_bt_storage_open(struct btt_bt_storage *st,
			const struct btt_resume *resume,
			btt_bt_storage_open_fn cb, void *arg)
{
	struct sopen *o;
	int rc;

	if (st->closing)
		return BTT_ECANCELLED;
	if (st->opening || st->opened || !cb)
		return BTT_EINVALID;
	o = xcalloc(1, sizeof(*o));
	o->st = st;
	o->cb = cb;
	o->arg = arg;
	if (resume && (rc = resume_copy(o, resume)) != 0) {
		free(o);
		return rc;
	}
	st->opening = true;
	st_submit(st, BTT_POOL_LOW, open_work, open_done, o);
	return 0;
}

/* ---- closing ---- */

int btt_bt_storage_close(struct btt_bt_storage *st, const char *resume_path,
			 btt_bt_storage_done_fn cb, void *arg)
{
	if (st->closing)
		return BTT_ECANCELLED;
	if (resume_path) {
		st->close_path = strdup(resume_path);
		if (!st->close_path)
			abort();
	}
	st->closing = true;
	st->close_cb = cb;
	st->close_arg = arg;
	if (st->check)
		st->check->cancelled = true;
	st_idle_check(st);
	return 0;
}

void st_idle_check(struct btt_bt_storage *st)
{
	if (!st->closing || st->close_queued || st->jobs)
		return;
	st->close_queued = true;
	if (st_save_submit(st, st->close_path, true, st->close_cb,
			   st->close_arg) != 0)
		st_save_submit(st, NULL, true, st->close_cb, st->close_arg);
}
