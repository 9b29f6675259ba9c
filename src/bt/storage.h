/* Torrent storage: a torrent's pieces on disk, written as blocks arrive,
 * hashed incrementally, served to peers from a small read cache, checked
 * against the torrent, and recorded for fast resume.
 *
 * Sans-loop. Every operation that touches the disk is a job on a worker
 * pool the caller owns (io/pool.h); its callback runs on the pool's owner
 * thread inside btt_pool_poll()/btt_pool_wait(). All functions here are
 * called on that thread, and no callback ever runs before the call that
 * queued it has returned. A call that fails never calls its callback; one
 * that succeeds calls it exactly once.
 *
 * Layout on disk. A single-file torrent is DIR/<name>, a multi-file one
 * DIR/<name>/<path> (bt/metainfo.h: every path starts with the name).
 * Directories are created as needed. A file that is not complete lives at
 * "<path>.part" (created on its first write, then extended with ftruncate
 * to its full size, which allocates nothing: files are sparse) and is
 * renamed to <path> once every piece touching it is verified. A file found
 * at <path> when the storage opens is used in place, complete or not.
 * Empty files are created when the storage opens, unless skipped
 * (btt_bt_storage_file_skip). So a file the caller never asks to write
 * into (a file not selected) is never created. Pad files (BEP 47) are
 * never created: their bytes read as zeros, and the bytes a peer sends for
 * them are ignored. Symlink entries (BEP 47 'l') are not created. A
 * character device in place of a file is written through (tests point a
 * file at /dev/full that way); other non-regular files are errors.
 *
 * Writing. btt_bt_storage_write copies the block into a buffer counted
 * against buffer_cap; when the cap would be exceeded the write is refused
 * with -ENOBUFS (backpressure: stop requesting, wait for on_writable). The
 * blocks of one piece are handled by at most one job at a time: it writes
 * every block it holds with one pwritev per run of adjacent blocks and
 * file, then advances the piece's hash over the contiguous prefix of the
 * piece that is written (SHA-1 for v1 and hybrid, 16 KiB SHA-256 leaves
 * for v2 and hybrid). Blocks that arrive in order are hashed from memory
 * and never read back. A block that arrives beyond a gap is written and
 * its buffer freed; when the gap fills, the job reads the bytes after it
 * back from disk (normally the page cache) to continue the hash. When the
 * whole piece is hashed it is checked and on_piece reports pass or fail.
 * A piece counts as complete only after its hash passed, which happens
 * only after all its bytes were written.
 *
 * Durability. A complete piece's data is in the page cache, not yet on
 * disk. btt_bt_storage_save_resume first fsyncs every file written since
 * the previous save, then stats them and atomically replaces the resume
 * file with the pieces that were complete when it was called. So the
 * resume file never lists a piece whose data was not on disk before the
 * file was written. Files that may hold bytes the record does not
 * describe (a write job was in flight, they were written during the save
 * or in its last seconds, or they hold pieces not checked yet) are
 * recorded as changed, and files written after the save get a newer
 * mtime: either way the next start rechecks them (bt/resume.h) rather
 * than trusting them or taking their pieces for missing. See
 * docs/storage.md for what a crash leaves at each point.
 *
 * Errors. A failed write, read, fsync, create or rename puts the storage
 * in an error state: on_error reports it once with a message naming the
 * file ("data/a.bin: No space left on device"), later writes are refused
 * with the same error until btt_bt_storage_clear_error, and in-flight
 * operations finish (with errors of their own if they fail). Nothing
 * already verified is dropped: the have set and the resume data keep every
 * verified piece. Blocks whose write failed are simply not written; the
 * caller requests them again after clearing the error.
 *
 * Lifetime. The storage borrows the metainfo and the pool, which must
 * outlive it. It may be freed only when no operation is in flight: after
 * btt_bt_storage_close's callback, or before anything was queued. */
#ifndef BTT_BT_STORAGE_H
#define BTT_BT_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bt/metainfo.h"
#include "bt/resume.h"
#include "core/bitfield.h"
#include "io/pool.h"

#define BTT_BT_STORAGE_BLOCK (16u << 10) /* unit of writes */
#define BTT_BT_STORAGE_MAX_WRITE (128u << 10)
#define BTT_BT_STORAGE_DEFAULT_BUFFERS (64u << 20)
#define BTT_BT_STORAGE_DEFAULT_CACHE (32u << 20)
#define BTT_BT_STORAGE_DEFAULT_FILES 16	  /* open descriptors kept */
#define BTT_BT_STORAGE_CHUNK (256u << 10) /* read cache unit */

struct btt_bt_storage;
struct btt_bt_storage_buf;

/* A piece was hashed: result 0 when it passed (it is now complete),
 * BTT_EHASH when it failed (its blocks are forgotten and must be
 * downloaded again), or a negative error when it could not be finished
 * (reading it back failed; the storage is in the error state). */
typedef void (*btt_bt_storage_piece_fn)(void *arg, uint32_t piece, int result);
/* The storage entered the error state. msg names the file and the error;
 * it is valid during the call (btt_bt_storage_error returns it later). */
typedef void (*btt_bt_storage_error_fn)(void *arg, int err, const char *msg);
/* Buffers were released after a write was refused with -ENOBUFS: at most
 * half of buffer_cap is in use now. */
typedef void (*btt_bt_storage_writable_fn)(void *arg);

struct btt_bt_storage_opts {
	const struct btt_metainfo *mi; /* borrowed */
	const char *dir;	       /* the download directory (copied) */
	struct btt_pool *pool;	       /* borrowed */
	/* Bytes of write buffers (blocks received, not yet written); 0:
	 * BTT_BT_STORAGE_DEFAULT_BUFFERS. */
	size_t buffer_cap;
	/* Bytes of read cache and reads in flight; 0:
	 * BTT_BT_STORAGE_DEFAULT_CACHE. At least one chunk is always
	 * allowed. */
	size_t cache_cap;
	unsigned max_open_files;	  /* 0: BTT_BT_STORAGE_DEFAULT_FILES */
	btt_bt_storage_piece_fn on_piece; /* may be NULL */
	btt_bt_storage_error_fn on_error; /* may be NULL */
	btt_bt_storage_writable_fn on_writable; /* may be NULL */
	void *cb_arg;
};

/* Creates a storage (no I/O). Returns 0, BTT_EINVALID (missing mi, dir or
 * pool), BTT_EOVERFLOW (a piece larger than 4 GiB) or -ENOMEM. */
int btt_bt_storage_new(const struct btt_bt_storage_opts *opts,
		       struct btt_bt_storage **out);

/* Frees the storage. NULL is a no-op. Nothing may be in flight (it is an
 * assertion). Closes the descriptors without syncing. */
void btt_bt_storage_free(struct btt_bt_storage *st);

/* Opening: creates the download directory and the empty files, looks at
 * every file (at <path>, else <path>.part), and applies the resume rule of
 * bt/resume.h with `resume` (NULL: no usable resume data; not kept after
 * the call). Trusted pieces become complete at once, files they complete
 * are renamed from .part, and `recheck` lists the pieces that must be
 * checked before they can be used (pass it to btt_bt_storage_check); it
 * is owned by the storage and valid until the next call into it. On
 * error (err < 0, recheck NULL) the storage is in the error state. Must
 * be the first operation; BTT_EINVALID when called twice. */
typedef void (*btt_bt_storage_open_fn)(void *arg, int err,
				       const struct btt_bitfield *recheck);
int btt_bt_storage_open(struct btt_bt_storage *st,
			const struct btt_resume *resume,
			btt_bt_storage_open_fn cb, void *arg);

/* Checking: hashes the pieces in `pieces` (NULL: every piece) from disk at
 * low priority. Each piece is complete afterwards exactly when it passed;
 * on_piece is not called for them. progress reports pieces checked so far
 * out of the total; done ends the check with 0 or BTT_ECANCELLED (closed
 * meanwhile). Read errors other than a missing file put the storage in
 * the error state and leave the piece incomplete. Returns 0, -EBUSY (a
 * check is running, or blocks are being written: no piece may be in
 * progress), BTT_EINVALID (wrong bitfield size, not opened) or
 * BTT_ECANCELLED (closing). Writes are refused with -EBUSY while a check
 * runs; reads of complete pieces go on. */
typedef void (*btt_bt_storage_progress_fn)(void *arg, uint32_t done,
					   uint32_t total);
typedef void (*btt_bt_storage_done_fn)(void *arg, int err);
int btt_bt_storage_check(struct btt_bt_storage *st,
			 const struct btt_bitfield *pieces,
			 btt_bt_storage_progress_fn progress,
			 btt_bt_storage_done_fn done, void *arg);

/* Writing a block: len bytes at `offset` in `piece`, copied before this
 * returns. offset must be a multiple of BTT_BT_STORAGE_BLOCK and len (1..
 * BTT_BT_STORAGE_MAX_WRITE) a multiple of it too, except for a block that
 * ends the piece. cb (may be NULL) reports when the data was written (0)
 * or could not be (an error); the piece's verdict comes through on_piece.
 * Returns 0, or without calling cb: BTT_EINVALID (out of range or
 * misaligned), -EEXIST (the piece is complete or these bytes are already
 * held: a duplicate to drop; blocks wholly inside pad files count as
 * held), -ENOBUFS (buffers full: backpressure), -EBUSY (a check is
 * running), BTT_ECANCELLED (closing) or the error that put the storage in
 * the error state. */
typedef void (*btt_bt_storage_write_fn)(void *arg, int err);
int btt_bt_storage_write(struct btt_bt_storage *st, uint32_t piece,
			 uint32_t offset, const void *data, size_t len,
			 btt_bt_storage_write_fn cb, void *arg);

/* Reading for peers: len bytes (1..BTT_BT_STORAGE_MAX_WRITE) at offset in
 * a complete piece, read at high priority through the read cache. cb gets
 * the bytes as `data` inside `buf`, valid during the call; take a
 * reference with btt_bt_storage_buf_ref to keep them longer (e.g. until a
 * socket write finishes). On error buf and data are NULL. Returns 0, or
 * without calling cb: BTT_EINVALID (out of range), BTT_EINCOMPLETE (the
 * piece is not complete), -ENOBUFS (too many reads in flight for the cache
 * cap) or BTT_ECANCELLED. */
typedef void (*btt_bt_storage_read_fn)(void *arg, int err,
				       struct btt_bt_storage_buf *buf,
				       const uint8_t *data);
int btt_bt_storage_read(struct btt_bt_storage *st, uint32_t piece,
			uint32_t offset, uint32_t len,
			btt_bt_storage_read_fn cb, void *arg);

/* The fast path of a read: when the bytes are in the read cache, returns
 * a new reference to the buffer holding them with *out_data pointing at
 * them (release it with btt_bt_storage_buf_unref); otherwise NULL. */
struct btt_bt_storage_buf *btt_bt_storage_read_cached(struct btt_bt_storage *st,
						      uint32_t piece,
						      uint32_t offset,
						      uint32_t len,
						      const uint8_t **out_data);

/* Read buffers are reference counted on the owner thread. A buffer may
 * outlive the storage. */
void btt_bt_storage_buf_ref(struct btt_bt_storage_buf *b);
void btt_bt_storage_buf_unref(struct btt_bt_storage_buf *b);

/* Saves fast resume data to `path` (see Durability above) on a worker.
 * cb gets 0 or the error (a failed fsync also puts the storage in the
 * error state; the previous resume file is then left in place). Returns
 * 0, -EBUSY (a save is in flight), BTT_EINVALID (not opened) or
 * BTT_ECANCELLED. */
int btt_bt_storage_save_resume(struct btt_bt_storage *st, const char *path,
			       btt_bt_storage_done_fn cb, void *arg);

/* Closing: refuses new operations, lets those in flight finish (their
 * callbacks still run; a running check ends with BTT_ECANCELLED), then
 * syncs the files written since the last save, saves resume data to
 * resume_path (NULL: none) and closes every descriptor. Completed files
 * have been renamed by then. cb gets 0 or the first error. Returns 0 or
 * BTT_ECANCELLED (already closing). */
int btt_bt_storage_close(struct btt_bt_storage *st, const char *resume_path,
			 btt_bt_storage_done_fn cb, void *arg);

/* Selection: whether file f is skipped (not wanted). Only empty files
 * depend on it: a skipped empty file is not created when the storage
 * opens, and one that stops being skipped once the storage is open is
 * created by a job (a failure puts the storage in the error state). A
 * file with data is created by its first write either way (a piece shared
 * with a wanted file writes its bytes of a skipped file into that file's
 * .part, which then stays a .part), and nothing is ever deleted. Any time
 * before closing, before opening too. Returns 0 or BTT_EINVALID (f out of
 * range). */
int btt_bt_storage_file_skip(struct btt_bt_storage *st, uint32_t f, bool skip);

/* The complete pieces (verified, and never written again). */
const struct btt_bitfield *btt_bt_storage_have(const struct btt_bt_storage *st);

/* The error state: 0 or the error; *out_msg (when not NULL) gets the
 * message, "" when there is none. */
int btt_bt_storage_error(const struct btt_bt_storage *st, const char **out_msg);

/* Leaves the error state (after the user freed space, say). */
void btt_bt_storage_clear_error(struct btt_bt_storage *st);

struct btt_bt_storage_stats {
	size_t buffer_used, buffer_cap; /* write buffers */
	size_t cache_used, cache_cap;	/* read cache incl. reads in flight */
	size_t jobs;			/* jobs in flight */
	uint32_t pieces_in_progress;	/* pieces with blocks, not complete */
	uint64_t bytes_written;
	uint64_t bytes_read;	 /* from disk, for peers and checks */
	uint64_t bytes_readback; /* read back to finish out-of-order hashes */
	uint64_t cache_hits, cache_misses;
	uint32_t pieces_passed, pieces_failed;
};

void btt_bt_storage_stats(const struct btt_bt_storage *st,
			  struct btt_bt_storage_stats *out);

#endif
