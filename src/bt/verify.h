/* Checking data on disk against a parsed torrent (`btt verify`, and later
 * the engine's recheck).
 *
 * Files live under a download directory: a single-file torrent's data is
 * DIR/<name>, a multi-file torrent's DIR/<name>/<path> (btt_file.path
 * already starts with the name). Pad files are zeros and never opened.
 *
 * Every piece is hashed on a worker pool, several consecutive pieces per
 * job, read with pread straight into a per-job buffer (no other copy).
 * Each file is opened once: files that cross a job boundary are opened by
 * the owner thread and shared by the jobs that touch them, the others by
 * the one job that reads them.
 *
 * A piece is
 *  - complete when all its bytes are on disk and every hash the torrent
 *    has for it matches (v1: SHA-1 of the piece, pad bytes as zeros; v2:
 *    the merkle root of its 16 KiB blocks; hybrid: both);
 *  - missing when any of its bytes is not on disk (file absent or short,
 *    or a read error);
 *  - corrupt when all bytes are there but a hash differs.
 *
 * Threads: btt_verify_run runs on the calling thread, which owns the pool
 * it creates; the progress callback runs on that thread. */
#ifndef BTT_BT_VERIFY_H
#define BTT_BT_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bt/metainfo.h"

enum btt_verify_piece {
	BTT_VERIFY_PIECE_UNCHECKED = 0,
	BTT_VERIFY_PIECE_COMPLETE = 1,
	BTT_VERIFY_PIECE_MISSING = 2,
	BTT_VERIFY_PIECE_CORRUPT = 3,
};

/* A file's verdict, worst first when several apply: corrupt (a piece it
 * touches is corrupt), missing (not on disk), partial (a piece it touches
 * is missing), oversize (all pieces good but the file on disk is longer
 * than the torrent says), complete. Pad files are always complete. */
enum btt_verify_file_state {
	BTT_VERIFY_FILE_COMPLETE = 0,
	BTT_VERIFY_FILE_OVERSIZE = 1,
	BTT_VERIFY_FILE_PARTIAL = 2,
	BTT_VERIFY_FILE_MISSING = 3,
	BTT_VERIFY_FILE_CORRUPT = 4,
};

struct btt_verify_file {
	enum btt_verify_file_state state;
	bool present;	    /* a regular file exists at the path */
	uint64_t disk_size; /* its size when present */
	/* Why the file could not be used: 0, or -errno from stat/open/read
	 * other than "does not exist" (EACCES, EISDIR, EIO...). */
	int err;
	uint32_t pieces;  /* pieces the file touches */
	uint32_t missing; /* of those, missing */
	uint32_t corrupt; /* of those, corrupt */
};

struct btt_verify_result {
	uint8_t *piece; /* enum btt_verify_piece per piece, owned */
	uint32_t num_pieces;
	uint32_t complete, missing, corrupt;
	struct btt_verify_file *files; /* parallel to mi->files, owned */
	uint32_t num_files;
	uint64_t bytes_read; /* bytes read from disk */
	/* True when every piece is complete and every file is complete. */
	bool ok;
};

/* Bytes of the stream checked so far out of `total`. */
typedef void (*btt_verify_progress_fn)(void *arg, uint64_t done,
				       uint64_t total);

struct btt_verify_opts {
	unsigned threads; /* hashing workers, 1..64; 0: every online core */
	btt_verify_progress_fn progress; /* may be NULL */
	void *progress_arg;
};

/* Checks the data of `mi` under `dir`. Returns 0 with *out filled in
 * (whatever the verdict; out->ok says whether it is all there), or a
 * negative error with nothing to release: -errno when dir cannot be
 * opened, BTT_EINVALID for a bad thread count, -ENOMEM when the buffers
 * the piece length needs cannot be had. out need not be initialised. */
int btt_verify_run(const struct btt_metainfo *mi, const char *dir,
		   const struct btt_verify_opts *opts,
		   struct btt_verify_result *out);

/* Frees what the result owns and zeroes it. A zeroed result is a no-op. */
void btt_verify_result_release(struct btt_verify_result *r);

/* Short lower-case names for reports: "complete", "missing", ... */
const char *btt_verify_piece_name(enum btt_verify_piece s);
const char *btt_verify_file_state_name(enum btt_verify_file_state s);

#endif
