/* Checking data on disk against a torrent (see verify.h).
 *
 * The owner thread stats every file, then cuts the piece stream into jobs
 * of consecutive pieces and keeps at most two per worker in flight. A job
 * walks its byte range with the layout iterator, preads each file extent
 * into its own buffer in chunks and feeds the bytes to the hashers of the
 * piece they belong to (pad files feed zeros from a static buffer). The
 * hashing itself is bt/piecehash.h, shared with the storage's rechecks.
 *
 * File descriptors: a file touched by two jobs must cross a job boundary,
 * so it holds the first or the last byte of each job touching it. The
 * owner opens exactly those files (at most two per job), counts the jobs
 * holding them and closes them when no later job can touch them; a file
 * wholly inside one job is opened and closed by that job. Either way every
 * file is opened once.
 *
 * Workers write only their own pieces' entries of res->piece and their own
 * job record; res->files is read-only to them (present, path) except
 * through the job record, which the owner merges in the done callback. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bt/layout.h"
#include "bt/piecehash.h"
#include "bt/verify.h"
#include "btt/err.h"
#include "io/pool.h"

#define JOB_BYTES (4u << 20) /* stream bytes per job, at least a piece */
#define CHUNK (1u << 20)     /* pread size */
#define MAX_THREADS BTT_POOL_MAX_THREADS

static const uint8_t zeros[64 << 10];

struct vrun;

/* The piece a job is hashing. */
struct phash {
	struct btt_piece_hash h;
	bool missing;
};

struct vjob {
	struct vrun *run;
	bool busy;
	uint32_t first, end; /* pieces [first, end) */
	uint32_t shared[2];  /* owner-opened files, or BTT_LAYOUT_NONE */
	int shared_fd[2];
	uint32_t priv_file; /* the file this job opened itself */
	int priv_fd;
	uint8_t *buf;
	size_t buf_len;
	uint8_t (*leaves)[BTT_MERKLE_HASH];
	size_t max_leaves;
	struct phash ph;
	/* results for the owner */
	uint64_t bytes_read;
	uint32_t err_file;
	int err;
	bool err_open;
};

struct vrun {
	const struct btt_metainfo *mi;
	struct btt_layout layout;
	int dirfd;
	struct btt_verify_result *res;
	const struct btt_verify_opts *opts;
	struct btt_pool *pool;
	int *fd;	/* owner-opened fd per file, or -1 */
	uint32_t *refs; /* in-flight jobs holding fd[f] */
	struct vjob *jobs;
	unsigned num_jobs;
	uint32_t per_job; /* pieces per job */
	uint32_t next;	  /* first piece not yet submitted */
	uint64_t done_bytes;
};

const char *btt_verify_piece_name(enum btt_verify_piece s)
{
	switch (s) {
	case BTT_VERIFY_PIECE_COMPLETE: return "complete";
	case BTT_VERIFY_PIECE_MISSING: return "missing";
	case BTT_VERIFY_PIECE_CORRUPT: return "corrupt";
	default: return "unchecked";
	}
}

const char *btt_verify_file_state_name(enum btt_verify_file_state s)
{
	switch (s) {
	case BTT_VERIFY_FILE_COMPLETE: return "complete";
	case BTT_VERIFY_FILE_OVERSIZE: return "oversize";
	case BTT_VERIFY_FILE_PARTIAL: return "partial";
	case BTT_VERIFY_FILE_MISSING: return "missing";
	case BTT_VERIFY_FILE_CORRUPT: return "corrupt";
	}
	return "unknown";
}

/* ---- hashing one piece (worker) ---- */

static void piece_begin(struct vjob *j, uint32_t p)
{
	btt_piece_hash_begin(&j->ph.h, j->run->mi, p, j->leaves, j->max_leaves);
	j->ph.missing = false;
}

static void piece_end(struct vjob *j)
{
	struct phash *ph = &j->ph;
	uint32_t p = ph->h.piece;
	bool ok = false;

	if (!ph->h.active)
		return;
	if (ph->missing)
		btt_piece_hash_cancel(&ph->h);
	else
		ok = btt_piece_hash_end(&ph->h);
	j->run->res->piece[p] = ph->missing ? BTT_VERIFY_PIECE_MISSING
				: ok	    ? BTT_VERIFY_PIECE_COMPLETE
					    : BTT_VERIFY_PIECE_CORRUPT;
}

/* Makes piece p the active one, finishing every piece before it (a piece
 * that received no bytes is judged on empty input). */
static void piece_goto(struct vjob *j, uint32_t p)
{
	uint32_t q = j->ph.h.active ? j->ph.h.piece : j->first;

	if (j->ph.h.active && q == p)
		return;
	if (j->ph.h.active) {
		piece_end(j);
		q++;
	}
	for (; q < p; q++) {
		piece_begin(j, q);
		piece_end(j);
	}
	piece_begin(j, p);
}

/* Bytes [pos, pos + n) of the stream; data NULL means they are missing. */
static void feed(struct vjob *j, uint64_t pos, const uint8_t *data, uint64_t n,
		 bool pad)
{
	uint64_t plen = j->run->layout.piece_length;

	while (n) {
		uint32_t p = (uint32_t)(pos / plen);
		uint64_t take = (uint64_t)(p + 1) * plen - pos;
		take = take < n ? take : n;
		piece_goto(j, p);
		if (!data)
			j->ph.missing = true;
		else if (!j->ph.missing)
			btt_piece_hash_update(&j->ph.h, data, (size_t)take,
					      pad);
		if (data)
			data += take;
		pos += take;
		n -= take;
	}
}

/* ---- reading (worker) ---- */

static void job_error(struct vjob *j, uint32_t f, int err, bool is_open)
{
	if (!j->err) {
		j->err = err;
		j->err_file = f;
		j->err_open = is_open;
	}
}

static void priv_close(struct vjob *j)
{
	if (j->priv_fd >= 0)
		close(j->priv_fd);
	j->priv_fd = -1;
	j->priv_file = BTT_LAYOUT_NONE;
}

static int job_fd(struct vjob *j, uint32_t f)
{
	const struct vrun *r = j->run;

	for (int i = 0; i < 2; i++)
		if (j->shared[i] == f)
			return j->shared_fd[i];
	if (j->priv_file == f)
		return j->priv_fd;
	priv_close(j);
	j->priv_file = f;
	if (!r->res->files[f].present)
		return -1;
	j->priv_fd = openat(r->dirfd, r->mi->files[f].path,
			    O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (j->priv_fd < 0)
		job_error(j, f, -errno, true);
	else
		posix_fadvise(j->priv_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return j->priv_fd;
}

static void read_extent(struct vjob *j, const struct btt_layout_extent *e)
{
	uint64_t pos = e->pos, off = e->offset, left = e->length;
	int fd = job_fd(j, e->file);

	if (fd < 0) {
		feed(j, pos, NULL, left, false);
		return;
	}
	while (left) {
		size_t want = left < j->buf_len ? (size_t)left : j->buf_len;
		ssize_t got = pread(fd, j->buf, want, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) { /* short file, or a read error */
			if (got < 0)
				job_error(j, e->file, -errno, false);
			feed(j, pos, NULL, left, false);
			return;
		}
		j->bytes_read += (uint64_t)got;
		feed(j, pos, j->buf, (uint64_t)got, false);
		pos += (uint64_t)got;
		off += (uint64_t)got;
		left -= (uint64_t)got;
	}
}

static void job_work(void *arg)
{
	struct vjob *j = arg;
	const struct btt_layout *l = &j->run->layout;
	uint64_t start = (uint64_t)j->first * l->piece_length;
	struct btt_layout_iter it;
	struct btt_layout_extent e;

	btt_layout_iter_range(
		l, start, (uint64_t)(j->end - j->first) * l->piece_length, &it);
	while (btt_layout_iter_next(&it, &e)) {
		if (!e.pad) {
			read_extent(j, &e);
			continue;
		}
		for (uint64_t done = 0; done < e.length;) {
			uint64_t n = e.length - done;
			n = n < sizeof(zeros) ? n : sizeof(zeros);
			feed(j, e.pos + done, zeros, n, true);
			done += n;
		}
	}
	priv_close(j);
	piece_goto(j, j->end - 1);
	piece_end(j);
}

/* ---- the owner side ---- */

static void stat_files(struct vrun *r)
{
	for (uint32_t f = 0; f < r->mi->num_files; f++) {
		const struct btt_file *file = &r->mi->files[f];
		struct btt_verify_file *vf = &r->res->files[f];
		bool link = (file->attr & BTT_FILE_SYMLINK) != 0;
		struct stat st;

		if (file->attr & BTT_FILE_PAD)
			continue;
		if (fstatat(r->dirfd, file->path, &st,
			    link ? AT_SYMLINK_NOFOLLOW : 0) < 0) {
			if (errno != ENOENT && errno != ENOTDIR)
				vf->err = -errno;
			continue;
		}
		if (link ? !S_ISLNK(st.st_mode) : !S_ISREG(st.st_mode)) {
			vf->err = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
			continue;
		}
		vf->present = true;
		vf->disk_size = link ? file->length : (uint64_t)st.st_size;
	}
}

/* Opens (once) or takes another reference on a file that crosses a job
 * boundary. Returns the fd or -1 (absent, pad, or the open failed). */
static int shared_get(struct vrun *r, uint32_t f)
{
	struct btt_verify_file *vf = &r->res->files[f];

	if (r->mi->files[f].attr & BTT_FILE_PAD || !vf->present)
		return -1;
	if (r->fd[f] < 0) {
		r->fd[f] = openat(r->dirfd, r->mi->files[f].path,
				  O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (r->fd[f] < 0) {
			/* No job touching f is in flight yet (f starts in
			 * the job about to be submitted), so this is safe. */
			vf->err = -errno;
			vf->present = false;
			return -1;
		}
		posix_fadvise(r->fd[f], 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	r->refs[f]++;
	return r->fd[f];
}

static void shared_put(struct vrun *r, uint32_t f)
{
	const struct btt_file *file = &r->mi->files[f];
	uint64_t next = (uint64_t)r->next * r->layout.piece_length;

	if (r->fd[f] < 0 || --r->refs[f])
		return;
	/* Close unless a job not yet submitted will touch it again. */
	if (r->next >= r->layout.num_pieces ||
	    file->offset + file->length <= next) {
		close(r->fd[f]);
		r->fd[f] = -1;
	}
}

static void job_submit(struct vrun *r, struct vjob *j);

static void job_done(void *arg)
{
	struct vjob *j = arg;
	struct vrun *r = j->run;
	uint64_t plen = r->layout.piece_length;
	uint64_t start = (uint64_t)j->first * plen;
	uint64_t end = (uint64_t)j->end * plen;

	for (int i = 0; i < 2; i++)
		if (j->shared[i] != BTT_LAYOUT_NONE && j->shared_fd[i] >= 0)
			shared_put(r, j->shared[i]);
	if (j->err) {
		struct btt_verify_file *vf = &r->res->files[j->err_file];
		if (!vf->err)
			vf->err = j->err;
		if (j->err_open)
			vf->present = false; /* only this job touched it */
	}
	r->res->bytes_read += j->bytes_read;
	end = end < r->layout.stream_length ? end : r->layout.stream_length;
	r->done_bytes += end - start;
	j->busy = false;
	if (r->opts->progress)
		r->opts->progress(r->opts->progress_arg, r->done_bytes,
				  r->layout.stream_length);
	if (r->next < r->layout.num_pieces)
		job_submit(r, j);
}

static void job_submit(struct vrun *r, struct vjob *j)
{
	const struct btt_layout *l = &r->layout;
	uint32_t left = l->num_pieces - r->next;
	uint64_t start, end;

	j->first = r->next;
	j->end = r->next + (left < r->per_job ? left : r->per_job);
	r->next = j->end;
	start = (uint64_t)j->first * l->piece_length;
	end = (uint64_t)j->end * l->piece_length;
	end = end < l->stream_length ? end : l->stream_length;
	j->shared[0] = btt_layout_file_at(l, start);
	j->shared[1] = btt_layout_file_at(l, end - 1);
	if (j->shared[1] == j->shared[0])
		j->shared[1] = BTT_LAYOUT_NONE;
	for (int i = 0; i < 2; i++)
		j->shared_fd[i] = j->shared[i] == BTT_LAYOUT_NONE
					  ? -1
					  : shared_get(r, j->shared[i]);
	j->priv_file = BTT_LAYOUT_NONE;
	j->priv_fd = -1;
	j->bytes_read = 0;
	j->err = 0;
	j->ph.h.active = false;
	j->busy = true;
	btt_pool_submit(r->pool, BTT_POOL_LOW, job_work, job_done, j);
}

static void jobs_free(struct vrun *r)
{
	for (unsigned i = 0; i < r->num_jobs; i++) {
		free(r->jobs[i].buf);
		free(r->jobs[i].leaves);
	}
	free(r->jobs);
	r->jobs = NULL;
}

/* Buffers are sized from the piece length, which the torrent chose (up to
 * BTT_METAINFO_MAX_PIECE), so they are allocated fallibly. */
static int jobs_alloc(struct vrun *r, unsigned threads)
{
	const struct btt_layout *l = &r->layout;
	uint64_t job_bytes = l->piece_length * r->per_job;
	uint64_t njobs =
		((uint64_t)l->num_pieces + r->per_job - 1) / r->per_job;
	size_t leaves = btt_piece_hash_leaves(r->mi);

	r->num_jobs = 2 * threads < njobs ? 2 * threads : (unsigned)njobs;
	r->jobs = calloc(r->num_jobs ? r->num_jobs : 1, sizeof(*r->jobs));
	if (!r->jobs)
		return -ENOMEM;
	for (unsigned i = 0; i < r->num_jobs; i++) {
		struct vjob *j = &r->jobs[i];
		j->run = r;
		j->buf_len = job_bytes < CHUNK ? (size_t)job_bytes : CHUNK;
		j->buf = malloc(j->buf_len);
		if (r->mi->has_v2) {
			j->max_leaves = leaves;
			j->leaves = malloc(j->max_leaves * BTT_MERKLE_HASH);
		}
		if (!j->buf || (r->mi->has_v2 && !j->leaves))
			return -ENOMEM;
	}
	return 0;
}

static enum btt_verify_file_state file_state(const struct btt_file *file,
					     const struct btt_verify_file *vf)
{
	if (vf->corrupt)
		return BTT_VERIFY_FILE_CORRUPT;
	if (!vf->present)
		return BTT_VERIFY_FILE_MISSING;
	if (vf->missing)
		return BTT_VERIFY_FILE_PARTIAL;
	if (vf->disk_size > file->length)
		return BTT_VERIFY_FILE_OVERSIZE;
	return BTT_VERIFY_FILE_COMPLETE;
}

static void tally(struct vrun *r)
{
	struct btt_verify_result *res = r->res;

	res->ok = true;
	for (uint32_t p = 0; p < res->num_pieces; p++) {
		switch (res->piece[p]) {
		case BTT_VERIFY_PIECE_COMPLETE: res->complete++; break;
		case BTT_VERIFY_PIECE_CORRUPT: res->corrupt++; break;
		default: res->missing++; break;
		}
	}
	for (uint32_t f = 0; f < res->num_files; f++) {
		struct btt_verify_file *vf = &res->files[f];
		uint32_t a, b;
		if (r->mi->files[f].attr & BTT_FILE_PAD) {
			vf->present = true;
			continue;
		}
		btt_layout_file_pieces(&r->layout, f, &a, &b);
		vf->pieces = b - a;
		for (uint32_t p = a; p < b; p++) {
			vf->missing +=
				res->piece[p] != BTT_VERIFY_PIECE_COMPLETE &&
				res->piece[p] != BTT_VERIFY_PIECE_CORRUPT;
			vf->corrupt +=
				res->piece[p] == BTT_VERIFY_PIECE_CORRUPT;
		}
		vf->state = file_state(&r->mi->files[f], vf);
		if (vf->state != BTT_VERIFY_FILE_COMPLETE)
			res->ok = false;
	}
	if (res->complete != res->num_pieces)
		res->ok = false;
}

/* Submits every job and waits for all of them. */
static int hash_all(struct vrun *r, unsigned threads)
{
	unsigned workers = threads < r->num_jobs ? threads : r->num_jobs;
	int rc;

	if (!workers)
		return 0; /* nothing to hash */
	if ((rc = btt_pool_new(workers, &r->pool)) != 0)
		return rc;
	for (unsigned i = 0; i < r->num_jobs && r->next < r->layout.num_pieces;
	     i++)
		job_submit(r, &r->jobs[i]);
	while (btt_pool_pending(r->pool))
		btt_pool_wait(r->pool);
	btt_pool_free(r->pool);
	r->pool = NULL;
	return 0;
}

static int run_setup(struct vrun *r, const struct btt_metainfo *mi,
		     struct btt_verify_result *out)
{
	uint32_t n = mi->num_files;
	int rc = btt_layout_init_metainfo(&r->layout, mi);

	if (rc)
		return rc;
	if (r->layout.num_pieces != mi->num_pieces)
		return BTT_EINVALID; /* the parser's grid and ours disagree */
	r->per_job = r->layout.piece_length >= JOB_BYTES
			     ? 1
			     : (uint32_t)(JOB_BYTES / r->layout.piece_length);
	out->num_pieces = r->layout.num_pieces;
	out->num_files = n;
	out->piece = calloc(out->num_pieces ? out->num_pieces : 1, 1);
	out->files = calloc(n ? n : 1, sizeof(*out->files));
	r->fd = malloc((n ? n : 1) * sizeof(*r->fd));
	r->refs = calloc(n ? n : 1, sizeof(*r->refs));
	if (!out->piece || !out->files || !r->fd || !r->refs)
		return -ENOMEM;
	for (uint32_t f = 0; f < n; f++)
		r->fd[f] = -1;
	return 0;
}

int btt_verify_run(const struct btt_metainfo *mi, const char *dir,
		   const struct btt_verify_opts *opts,
		   struct btt_verify_result *out)
{
	struct vrun r = {.mi = mi, .res = out, .opts = opts, .dirfd = -1};
	unsigned threads = opts->threads;
	int rc;

	memset(out, 0, sizeof(*out));
	if (threads > MAX_THREADS)
		return BTT_EINVALID;
	if (!threads) {
		threads = btt_pool_cpus();
		threads = threads < MAX_THREADS ? threads : MAX_THREADS;
	}
	r.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r.dirfd < 0)
		return -errno;
	rc = run_setup(&r, mi, out);
	if (!rc)
		rc = jobs_alloc(&r, threads);
	if (!rc) {
		stat_files(&r);
		rc = hash_all(&r, threads);
	}
	if (!rc)
		tally(&r);
	for (uint32_t f = 0; r.fd && f < mi->num_files; f++)
		if (r.fd[f] >= 0)
			close(r.fd[f]);
	jobs_free(&r);
	free(r.fd);
	free(r.refs);
	close(r.dirfd);
	if (rc)
		btt_verify_result_release(out);
	return rc;
}

void btt_verify_result_release(struct btt_verify_result *r)
{
	free(r->piece);
	free(r->files);
	memset(r, 0, sizeof(*r));
}
