/* Piece hashing for torrent creation, on the worker pool.
 *
 * The owner thread submits pieces in order, at most two jobs per worker in
 * flight, so memory stays at a few small read buffers whatever the piece
 * length. Each job reads its piece in CHUNK-sized preads and feeds every
 * chunk to SHA-1 (v1, hybrid) and, 16 KiB block by block, to SHA-256
 * (v2, hybrid) while it is still in cache: one read serves both hashes.
 * A job writes only its own piece's slots of c->sha1 and c->layers; the
 * pool's lock orders those writes before the owner reads them.
 *
 * A file that ends up shorter or longer than when it was listed fails the
 * whole creation: its hashes would describe data nobody has. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btt/err.h"
#include "bt/create_int.h"
#include "core/limits.h"
#include "crypto/hash.h"
#include "crypto/merkle.h"
#include "io/pool.h"

/* Read size: a multiple of the 16 KiB block, small enough to stay in L2
 * between the read and the hashes. */
#define CHUNK (128u << 10)

static const char changed_size[] = "file changed size during hashing";

struct hash_job {
	struct create_ctx *c;
	struct hash_run *run;
	struct hash_job *next_free;
	uint32_t piece;
	uint32_t file_lo, file_hi; /* files that may hold bytes of the piece */
	uint64_t data_bytes;	   /* file bytes in the piece */
	uint8_t *buf;		   /* CHUNK bytes */
	uint8_t (*leaves)[BTT_MERKLE_HASH];
	size_t nleaves;
	int err;
	uint32_t err_file;
	const char *err_what; /* NULL: btt_strerror(err) */
};

struct hash_run {
	struct create_ctx *c;
	struct hash_job *free_jobs;
	uint32_t next_piece; /* next to submit */
	uint32_t cur_file;   /* first file with bytes at or after next_piece */
	uint64_t done_bytes;
};

static int job_fail(struct hash_job *j, int err, uint32_t file,
		    const char *what)
{
	if (!j->err) {
		j->err = err;
		j->err_file = file;
		j->err_what = what;
	}
	return err;
}

/* Reads exactly n bytes at off; returns bytes read (< n at end of file)
 * or -errno. */
static int64_t pread_full(int fd, uint8_t *p, size_t n, uint64_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, p + got, n - got, (off_t)(off + got));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (int64_t)got;
}

static void feed(struct hash_job *j, struct btt_sha1 *h1, const uint8_t *p,
		 size_t n)
{
	int version = j->c->version;

	if (version & BTT_CREATE_V1)
		btt_sha1_update(h1, p, n);
	if (!(version & BTT_CREATE_V2))
		return;
	for (size_t i = 0; i < n; i += BTT_MERKLE_BLOCK) {
		size_t b = n - i < BTT_MERKLE_BLOCK ? n - i : BTT_MERKLE_BLOCK;
		btt_sha256(p + i, b, j->leaves[j->nleaves++]);
	}
}

/* Hashes bytes [off, off + n) of file `fi`. */
static int read_segment(struct hash_job *j, struct btt_sha1 *h1, uint32_t fi,
			uint64_t off, uint64_t n)
{
	struct create_file *f = &j->c->files[fi];
	int fd = f->fd, err = 0;
	struct stat st;

	if (!f->shared) {
		fd = open(f->open_path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return job_fail(j, -errno, fi, NULL);
	}
	while (n) {
		size_t want = n < CHUNK ? (size_t)n : CHUNK;
		int64_t r = pread_full(fd, j->buf, want, off);
		if (r < 0 || (size_t)r < want) {
			err = job_fail(j, r < 0 ? (int)r : BTT_EINCOMPLETE, fi,
				       r < 0 ? NULL : changed_size);
			break;
		}
		feed(j, h1, j->buf, want);
		off += want;
		n -= want;
	}
	if (!f->shared) {
		if (!err && fstat(fd, &st) == 0 &&
		    (uint64_t)st.st_size != f->size)
			err = job_fail(j, BTT_EINCOMPLETE, fi, changed_size);
		close(fd);
	}
	return err;
}

static void zeros(struct hash_job *j, struct btt_sha1 *h1, uint64_t n)
{
	memset(j->buf, 0, n < CHUNK ? (size_t)n : CHUNK);
	while (n) {
		size_t k = n < CHUNK ? (size_t)n : CHUNK;
		btt_sha1_update(h1, j->buf, k);
		n -= k;
	}
}

static void piece_roots(struct hash_job *j)
{
	struct create_ctx *c = j->c;
	const struct create_file *f = &c->files[j->file_lo];
	size_t width = (size_t)(c->piece_len / BTT_MERKLE_BLOCK);

	/* Here a piece holds bytes of one file, the first of its range. */
	if (f->first_piece == f->last_piece)
		width = btt_merkle_width(j->nleaves);
	btt_merkle_root(j->leaves, j->nleaves, width, NULL,
			c->layers + (size_t)j->piece * BTT_MERKLE_HASH);
}

static void job_work(void *arg)
{
	struct hash_job *j = arg;
	struct create_ctx *c = j->c;
	uint64_t start = (uint64_t)j->piece * c->piece_len;
	uint64_t end = start + c->piece_len, pos = start;
	struct btt_sha1 h1 = {0};

	if (end > c->stream_len)
		end = c->stream_len;
	j->nleaves = 0;
	if (c->version & BTT_CREATE_V1)
		btt_sha1_init(&h1);
	for (uint32_t i = j->file_lo; i <= j->file_hi && !j->err; i++) {
		const struct create_file *f = &c->files[i];
		uint64_t s = f->offset > start ? f->offset : start;
		uint64_t e =
			f->offset + f->size < end ? f->offset + f->size : end;
		if (!f->size || s >= e)
			continue;
		if (s > pos && (c->version & BTT_CREATE_V1))
			zeros(j, &h1, s - pos);
		read_segment(j, &h1, i, s - f->offset, e - s);
		pos = e;
	}
	if (c->version & BTT_CREATE_V1) {
		if (j->err) {
			btt_sha1_release(&h1);
			return;
		}
		if (pos < end)
			zeros(j, &h1, end - pos); /* hybrid pad bytes */
		btt_sha1_final(&h1, c->sha1 + (size_t)j->piece * BTT_SHA1_LEN);
	}
	if (!j->err && (c->version & BTT_CREATE_V2))
		piece_roots(j);
}

static int open_shared(struct create_ctx *c, struct create_file *f)
{
	int err;

	if (f->fd >= 0)
		return 0;
	f->fd = open(f->open_path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0) {
		err = -errno;
		return btt_bt_create_fail(c, err, false, "%s: %s", f->open_path,
					  btt_strerror(err));
	}
	(void)posix_fadvise(f->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return 0;
}

/* Closes a shared file after its last piece, checking its size held. */
static void close_shared(struct create_ctx *c, struct create_file *f,
			 bool check)
{
	struct stat st;

	if (check && fstat(f->fd, &st) == 0 && (uint64_t)st.st_size != f->size)
		btt_bt_create_fail(c, BTT_EINCOMPLETE, false, "%s: %s",
				   f->open_path, changed_size);
	close(f->fd);
	f->fd = -1;
}

/* Sets up job j for piece p: its file range and the shared fds it needs. */
static int job_prepare(struct hash_run *run, struct hash_job *j, uint32_t p)
{
	struct create_ctx *c = run->c;
	uint64_t start = (uint64_t)p * c->piece_len;
	uint64_t end = start + c->piece_len;
	uint32_t i = run->cur_file, hi;

	if (end > c->stream_len)
		end = c->stream_len;
	while (i < c->nfiles &&
	       (!c->files[i].size ||
		c->files[i].offset + c->files[i].size <= start))
		i++;
	/* every piece below num_pieces holds some file's bytes */
	assert(i < c->nfiles);
	run->cur_file = i;
	hi = i;
	while (hi + 1 < c->nfiles && c->files[hi + 1].offset < end)
		hi++;
	j->piece = p;
	j->file_lo = i;
	j->file_hi = hi;
	j->data_bytes = 0;
	j->err = 0;
	for (i = j->file_lo; i <= hi; i++) {
		struct create_file *f = &c->files[i];
		uint64_t s = f->offset > start ? f->offset : start;
		uint64_t e =
			f->offset + f->size < end ? f->offset + f->size : end;
		if (f->size && s < e)
			j->data_bytes += e - s;
		if (f->size && f->shared && open_shared(c, f))
			return c->err;
	}
	for (i = j->file_lo; i <= hi; i++)
		c->files[i].refs += c->files[i].shared && c->files[i].size;
	return 0;
}

static void job_done(void *arg)
{
	struct hash_job *j = arg;
	struct create_ctx *c = j->c;
	struct hash_run *run = j->run;

	for (uint32_t i = j->file_lo; i <= j->file_hi; i++) {
		struct create_file *f = &c->files[i];
		if (!f->shared || !f->size)
			continue;
		if (--f->refs == 0 && f->last_piece < run->next_piece)
			close_shared(c, f, !j->err);
	}
	if (j->err) {
		const struct create_file *f = &c->files[j->err_file];
		btt_bt_create_fail(c, j->err, false, "%s: %s", f->open_path,
				   j->err_what ? j->err_what
					       : btt_strerror(j->err));
	}
	run->done_bytes += j->data_bytes;
	if (c->opts->progress)
		c->opts->progress(c->opts->cb_arg, run->done_bytes, c->total);
	j->next_free = run->free_jobs;
	run->free_jobs = j;
}

int btt_bt_create_layout(struct create_ctx *c)
{
	uint64_t pos = 0, pl = c->piece_len, pieces;
	uint32_t pads = 0;
	/* v2 and hybrid align every file to a piece, but a lone file (single
	 * or alone in its directory) gets no tail padding: libtorrent 2.0.8
	 * writes none, and the info-hashes must agree. */
	bool aligned = c->version != BTT_CREATE_V1 && c->nfiles > 1;

	for (uint32_t i = 0; i < c->nfiles; i++) {
		struct create_file *f = &c->files[i];
		f->offset = pos;
		pos += f->size;
		if (aligned && pos % pl) {
			pos += pl - pos % pl;
			pads++;
		}
		if (f->size) {
			f->first_piece = (uint32_t)(f->offset / pl);
			f->last_piece =
				(uint32_t)((f->offset + f->size - 1) / pl);
			f->shared = f->first_piece != f->last_piece;
		}
	}
	c->stream_len = pos;
	pieces = pos / pl + (pos % pl != 0);
	if (pieces > BTT_METAINFO_MAX_PIECES)
		return btt_bt_create_fail(
			c, BTT_ELIMIT, true,
			"%s: %llu pieces of %llu bytes, more than %u: choose a "
			"larger piece size",
			c->opts->path, (unsigned long long)pieces,
			(unsigned long long)pl, BTT_METAINFO_MAX_PIECES);
	if ((c->version & BTT_CREATE_V1) && aligned &&
	    (uint64_t)c->nfiles + pads > BTT_METAINFO_MAX_FILES)
		return btt_bt_create_fail(c, BTT_ELIMIT, true,
					  "%s: too many files with pad files "
					  "(at most %u)",
					  c->opts->path,
					  BTT_METAINFO_MAX_FILES);
	c->npieces = (uint32_t)pieces;
	return 0;
}

/* The pieces root of every non-empty file from its piece hashes. */
static void file_roots(struct create_ctx *c)
{
	uint8_t pad[BTT_MERKLE_HASH];
	uint8_t(*tmp)[BTT_MERKLE_HASH] = NULL;
	unsigned height = 0;

	while ((BTT_MERKLE_BLOCK << height) < c->piece_len)
		height++;
	btt_merkle_pad(height, pad);
	for (uint32_t i = 0; i < c->nfiles; i++) {
		struct create_file *f = &c->files[i];
		size_t n = (size_t)f->last_piece - f->first_piece + 1;
		const uint8_t *layer =
			c->layers + (size_t)f->first_piece * BTT_MERKLE_HASH;
		if (!f->size)
			continue;
		if (n == 1) {
			memcpy(f->root, layer, BTT_MERKLE_HASH);
			continue;
		}
		tmp = realloc(tmp, n * BTT_MERKLE_HASH);
		if (!tmp)
			abort();
		memcpy(tmp, layer, n * BTT_MERKLE_HASH);
		btt_merkle_root(tmp, n, btt_merkle_width(n), pad, f->root);
	}
	free(tmp);
}

static struct hash_job *jobs_new(struct hash_run *run, unsigned n)
{
	struct create_ctx *c = run->c;
	size_t leaves = (size_t)(c->piece_len / BTT_MERKLE_BLOCK);
	size_t chunk = c->piece_len < CHUNK ? (size_t)c->piece_len : CHUNK;
	struct hash_job *jobs = calloc(n, sizeof(*jobs));

	if (!jobs)
		abort();
	for (unsigned i = 0; i < n; i++) {
		jobs[i].c = c;
		jobs[i].run = run;
		jobs[i].buf = malloc(chunk);
		jobs[i].leaves = malloc(leaves * BTT_MERKLE_HASH);
		if (!jobs[i].buf || !jobs[i].leaves)
			abort();
		jobs[i].next_free = run->free_jobs;
		run->free_jobs = &jobs[i];
	}
	return jobs;
}

static void jobs_free(struct hash_job *jobs, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		free(jobs[i].buf);
		free(jobs[i].leaves);
	}
	free(jobs);
}

/* Keeps up to every job in flight until all pieces are hashed or one
 * fails; then waits for the jobs still running. */
static void run_pieces(struct hash_run *run, struct btt_pool *pool)
{
	struct create_ctx *c = run->c;

	for (;;) {
		while (!c->err && run->next_piece < c->npieces &&
		       run->free_jobs) {
			struct hash_job *j = run->free_jobs;
			if (job_prepare(run, j, run->next_piece))
				break;
			run->free_jobs = j->next_free;
			run->next_piece++;
			btt_pool_submit(pool, BTT_POOL_LOW, job_work, job_done,
					j);
		}
		if (!btt_pool_pending(pool))
			break;
		btt_pool_wait(pool);
	}
}

int btt_bt_create_hash(struct create_ctx *c, unsigned threads)
{
	struct hash_run run = {.c = c};
	struct btt_pool *pool;
	struct hash_job *jobs;
	int err;

	if (threads > c->npieces)
		threads = c->npieces;
	if (threads < 1)
		threads = 1;
	if (c->version & BTT_CREATE_V1)
		c->sha1 = malloc((size_t)c->npieces * BTT_SHA1_LEN);
	if (c->version & BTT_CREATE_V2)
		c->layers = malloc((size_t)c->npieces * BTT_MERKLE_HASH);
	if (((c->version & BTT_CREATE_V1) && !c->sha1) ||
	    ((c->version & BTT_CREATE_V2) && !c->layers))
		abort();
	if ((err = btt_pool_new(threads, &pool)))
		return btt_bt_create_fail(c, err, false,
					  "cannot start hashing threads: %s",
					  btt_strerror(err));
	jobs = jobs_new(&run, threads * 2);
	run_pieces(&run, pool);
	btt_pool_free(pool);
	jobs_free(jobs, threads * 2);
	for (uint32_t i = 0; i < c->nfiles; i++)
		if (c->files[i].fd >= 0)
			close_shared(c, &c->files[i], false);
	if (!c->err && (c->version & BTT_CREATE_V2))
		file_roots(c);
	return c->err;
}
