/* Internals of the torrent storage (storage.h), shared by its files:
 *   storage.c        lifecycle, opening, the error state, closing
 *   storage_file.c   file names, creation, the descriptor cache
 *   storage_write.c  write buffers, pieces in progress, write+hash jobs
 *   storage_read.c   the read cache and read jobs
 *   storage_check.c  rechecks
 *   storage_sync.c   fsync and resume saving
 *
 * Threads. Everything in struct btt_bt_storage belongs to the owner
 * thread except `fc` (the descriptor cache and per-file name state, under
 * fc.mu) and what a job record hands to its job: between submit and the
 * done callback a job owns its record (a piece in progress hands over its
 * batch of blocks, its hasher and hash_off; a save its snapshot and
 * st->fstat). The pool's queue lock orders the hand-over both ways.
 *
 * Every job in flight is counted in `jobs`; the storage cannot be freed
 * while it is non-zero, so jobs may point at it. */
#ifndef BTT_BT_STORAGE_INT_H
#define BTT_BT_STORAGE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bt/layout.h"
#include "bt/piecehash.h"
#include "bt/storage.h"
#include "core/hmap.h"

#define SNONE UINT32_MAX

/* ---- files (storage_file.c) ---- */

/* Per-file name state, under fc.mu. */
#define SF_EXISTS 0x01 /* something is at the current name */
#define SF_PART 0x02   /* the current name is <path>.part */
#define SF_DIRTY 0x04  /* written since the last sync; listed in dirty */
#define SF_NOPART 0x08 /* the name is too long to take ".part" */
#define SF_SKIP 0x10   /* not wanted: an empty one is not created */

struct sfd {
	int fd;
	uint32_t file;
	uint32_t refs;
	bool rw;
	uint32_t prev, next; /* LRU list of entries, most recent first */
};

struct sfcache {
	pthread_mutex_t mu;
	const struct btt_metainfo *mi;
	int dirfd;
	struct sfd *ents;
	uint32_t cap, n;
	uint32_t head, tail;
	uint32_t *ent_of; /* per file: entry or SNONE */
	uint8_t *flags;	  /* per file: SF_* */
	uint32_t *dirty;  /* files with SF_DIRTY */
	size_t ndirty;
};

/* A descriptor in use: release it with sfc_put. */
struct sfref {
	int fd;
	uint32_t ent; /* SNONE: not cached, closed by sfc_put */
};

/* Pad files and symlink entries are never opened (immutable, so any
 * thread may ask without the lock). */
static inline bool sfc_skipped(const struct btt_file *file)
{
	return (file->attr & BTT_FILE_PAD) ||
	       ((file->attr & BTT_FILE_SYMLINK) && !file->length);
}

int sfc_init(struct sfcache *fc, const struct btt_metainfo *mi, unsigned cap);
void sfc_release(struct sfcache *fc);
/* Closes every cached descriptor (none may be in use). */
void sfc_close_all(struct sfcache *fc);
/* File f's path relative to the download directory, with ".part" when
 * part. 0 or -ENAMETOOLONG. */
int sfc_path(const struct sfcache *fc, uint32_t f, bool part, char *buf,
	     size_t size);
/* A descriptor for file f. write: open read-write, creating the file (and
 * its directories) as <path>.part when it does not exist, and mark it
 * dirty. Otherwise read-only, and -ENOENT when the file does not exist. */
int sfc_acquire(struct sfcache *fc, uint32_t f, bool write, struct sfref *out);
void sfc_put(struct sfcache *fc, struct sfref *r);
/* Looks at file f on disk (its name, else .part) for opening: fills *out
 * and the name state. 0, or -errno for anything but absence. */
int sfc_stat(struct sfcache *fc, uint32_t f, struct btt_resume_file *out);
/* Creates the empty file f at its final name, unless it is skipped. */
int sfc_create_empty(struct sfcache *fc, uint32_t f);
/* Sets or clears SF_SKIP. */
void sfc_set_skip(struct sfcache *fc, uint32_t f, bool skip);
/* Neither skipped nor known to exist. */
bool sfc_wanted_absent(struct sfcache *fc, uint32_t f);
/* Renames f from .part to its final name if it is at .part. */
int sfc_finish(struct sfcache *fc, uint32_t f);
/* Moves the dirty list out (the caller frees it) and clears the flags. */
void sfc_take_dirty(struct sfcache *fc, uint32_t **out, size_t *out_n);
void sfc_mark_dirty(struct sfcache *fc, uint32_t f);
/* mkdir -p of the directories leading to rel (every component but the
 * last) under dirfd. */
int sfc_mkdirs(int dirfd, const char *rel);

/* ---- pieces in progress (storage_write.c) ---- */

/* Per 16 KiB unit of a piece in progress. U_PAD: wholly inside pad
 * files, so implied (and read as zeros). */
enum { U_MISSING = 0, U_PENDING = 1, U_WRITTEN = 2, U_PAD = 3 };

struct sblock {
	struct sblock *next;
	uint32_t off, len;
	btt_bt_storage_write_fn cb;
	void *arg;
	int err;
	uint8_t data[];
};

struct sslot {
	struct btt_bt_storage *st;
	uint32_t piece, size, nunits;
	uint8_t *units; /* U_* per 16 KiB of the piece */
	struct sblock *pending, **ptail;
	bool busy;
	/* owned by the job while busy */
	struct sblock *batch; /* sorted by offset */
	uint32_t hash_off;    /* the piece is hashed up to here */
	uint32_t hash_to;     /* written or in the batch up to here */
	struct btt_piece_hash ph;
	uint8_t (*leaves)[BTT_MERKLE_HASH];
	int verdict; /* 0: not finished, 1 passed, -1 failed */
	int err;
	uint32_t err_file;
	uint64_t readback;
};

/* ---- reads (storage_read.c) ---- */

struct swait {
	struct swait *next;
	uint32_t off; /* within the buffer */
	btt_bt_storage_read_fn cb;
	void *arg;
};

struct btt_bt_storage_buf {
	uint32_t refs;
	bool cached;  /* in the map and the LRU list (holds a reference) */
	bool loading; /* a job is reading it */
	uint64_t key;
	struct btt_bt_storage *st; /* while loading */
	uint32_t piece, off, len;
	int err;
	uint32_t err_file;
	struct swait *waiters;
	struct btt_bt_storage_buf *prev, *next;
	uint8_t data[];
};

/* ---- checks (storage_check.c) ---- */

struct scjob;

struct scheck {
	struct btt_bitfield set;
	uint32_t next; /* scan position in set */
	uint32_t total, done;
	struct scjob *jobs;
	unsigned njobs, running;
	uint32_t per_job;
	bool cancelled;
	btt_bt_storage_progress_fn progress;
	btt_bt_storage_done_fn cb;
	void *arg;
};

/* ---- saves (storage_sync.c) ---- */

struct ssave {
	struct btt_bt_storage *st;
	char *path;		  /* NULL: sync only */
	struct btt_bitfield have; /* snapshot when the save was asked */
	uint32_t *dirty;	  /* files written before the snapshot */
	size_t ndirty;
	uint8_t *unstable; /* per file: may hold bytes the snapshot misses */
	bool final;	   /* closing: close every descriptor afterwards */
	int err;
	uint32_t err_file; /* SNONE: the resume file itself */
	btt_bt_storage_done_fn cb;
	void *arg;
};

struct btt_bt_storage {
	const struct btt_metainfo *mi;
	struct btt_layout layout;
	struct btt_pool *pool;
	char *dir;
	struct sfcache fc;
	struct btt_bt_storage_opts opts;

	bool opening, opened, closing, close_queued;
	size_t jobs;

	struct btt_bitfield have;
	/* Pieces whose state is not known yet: to be checked. A resume save
	 * records the files they touch as changed, so the next start checks
	 * them instead of taking them for missing. */
	struct btt_bitfield unknown;
	uint32_t *file_left; /* pieces touching the file, not complete */
	struct btt_resume_file *fstat; /* last observed, for resume */

	int err;
	char errmsg[512];

	/* writes */
	struct btt_hmap slots; /* piece -> struct sslot * */
	size_t buf_used, buf_cap;
	bool starved;
	struct sblock *free_blocks;
	unsigned nfree;

	/* reads */
	struct btt_hmap chunks; /* key -> struct btt_bt_storage_buf * */
	struct btt_bt_storage_buf *lru_head, *lru_tail;
	size_t cache_used, cache_cap;

	struct scheck *check;
	struct ssave *save;

	char *close_path;
	btt_bt_storage_done_fn close_cb;
	void *close_arg;

	struct btt_bt_storage_stats stats;
};

/* storage.c */
void st_fail(struct btt_bt_storage *st, int err, uint32_t file);
void st_submit(struct btt_bt_storage *st, enum btt_pool_prio prio,
	       btt_pool_work_fn work, btt_pool_done_fn done, void *arg);
/* Called at the start of every done callback. */
void st_job_done(struct btt_bt_storage *st);
/* Called at the end of every done callback: closing proceeds once the
 * last job finished. */
void st_idle_check(struct btt_bt_storage *st);
/* Marks piece p complete (have, per-file counts, renames). */
void st_piece_complete(struct btt_bt_storage *st, uint32_t p);
/* Marks piece p not complete (checks). */
void st_piece_uncomplete(struct btt_bt_storage *st, uint32_t p);

/* Reads [pos, pos + n) of the piece stream into buf (pad bytes as zeros)
 * on a worker. 0, BTT_EINCOMPLETE (a file is short) or -errno, with
 * *err_file set to the file at fault. write: use read-write descriptors. */
int st_read_stream(struct btt_bt_storage *st, uint64_t pos, uint8_t *buf,
		   uint64_t n, bool write, uint32_t *err_file);
extern const uint8_t st_zeros[64 << 10];
/* Feeds [pos, pos + n) of the piece stream to h, read from disk through
 * buf (buf_len bytes) with pad bytes as zeros, adding the bytes read to
 * *bytes. Errors as st_read_stream; -ENOENT when a file does not exist. */
int st_hash_range(struct btt_bt_storage *st, struct btt_piece_hash *h,
		  uint64_t pos, uint64_t n, uint8_t *buf, size_t buf_len,
		  bool write, uint32_t *err_file, uint64_t *bytes);

/* storage_write.c */
void st_slots_release(struct btt_bt_storage *st);
/* A piece in progress has a job in flight or blocks waiting for one. */
bool st_slots_busy(const struct btt_bt_storage *st);
/* Forgets the idle pieces in progress that are in set (NULL: all). */
void st_slots_drop(struct btt_bt_storage *st, const struct btt_bitfield *set);

/* storage_read.c */
void st_cache_release(struct btt_bt_storage *st);
void st_cache_drop_piece(struct btt_bt_storage *st, uint32_t p);

/* storage_check.c */
void st_check_free(struct scheck *c);

/* storage_sync.c */
int st_save_submit(struct btt_bt_storage *st, const char *path, bool final,
		   btt_bt_storage_done_fn cb, void *arg);

#endif
