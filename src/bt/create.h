/* Torrent creation: walks a file or directory, hashes its content on a
 * worker pool and encodes a v1 (BEP 3), v2 (BEP 52) or hybrid .torrent.
 *
 * Output is deterministic: the same content and options give the same
 * bytes (no creation date unless asked, files in a fixed order).
 *
 * File order. Files are sorted by their relative path compared component
 * by component, each component by raw bytes (a shorter prefix first).
 * That is the order of keys in a v2 `file tree`, so the v1 file list of a
 * hybrid torrent and its tree agree; libtorrent orders hybrid torrents the
 * same way. (It differs from plain byte order of the joined path only
 * when a name sorts below '/', e.g. "a.txt" against "a/b": component order
 * puts "a/b" first.)
 *
 * Multi-file hybrid torrents carry a BEP 47 pad file after every file
 * that does not end on a piece boundary, the last one included, named
 * [".pad", "<bytes>"] with attr "p": that is what libtorrent 2.0 writes,
 * so for identical content and piece length our info-hashes equal
 * libtorrent's. A single-file hybrid has no file list and no padding.
 *
 * Threads: btt_bt_create runs on the calling thread, which owns the worker
 * pool it creates; callbacks run on the calling thread. */
#ifndef BTT_BT_CREATE_H
#define BTT_BT_CREATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The version in "created by" ("btt/<version>"); src/cli/main.c prints the
 * same macro for --version. */
#include "btt/version.h"

/* Automatic piece length: the smallest power of two in
 * [BTT_CREATE_MIN_PIECE, BTT_CREATE_MAX_PIECE] that gives at most this
 * many pieces, so content above 2000 * 16 KiB lands between 1000 and 2000
 * pieces until the 16 MiB cap (about 31 GiB) is reached. */
#define BTT_CREATE_AUTO_MAX_PIECES 2000u

enum btt_create_version {
	BTT_CREATE_V1 = 1,
	BTT_CREATE_V2 = 2,
	BTT_CREATE_HYBRID = 3,
};

/* Bytes of file content hashed so far out of `total`. */
typedef void (*btt_create_progress_fn)(void *arg, uint64_t done,
				       uint64_t total);
/* A file left out (`path` as it would be opened, `why` a short reason:
 * "symbolic link", "not a regular file"). */
typedef void (*btt_create_warn_fn)(void *arg, const char *path,
				   const char *why);

/* Called once the file list is known, before any hashing, with the
 * torrent name and content size. A non-zero return stops creation, which
 * then fails with that value. */
typedef int (*btt_create_ready_fn)(void *arg, const char *name, uint64_t total);

struct btt_create_opts {
	const char *path; /* a regular file or a directory */
	/* Announce URLs; each one is its own tier, in order. */
	const char *const *trackers;
	size_t num_trackers;
	const char *const *web_seeds; /* BEP 19 url-list */
	size_t num_web_seeds;
	const char *comment;		 /* NULL: none */
	bool is_private;		 /* BEP 27 */
	uint64_t piece_size;		 /* 0: automatic (see above) */
	enum btt_create_version version; /* 0 means BTT_CREATE_V1 */
	bool has_date;			 /* write "creation date" = date */
	int64_t date;
	unsigned threads; /* hashing workers; 0: every online core */
	btt_create_progress_fn progress; /* may be NULL */
	btt_create_warn_fn warn;	 /* may be NULL */
	btt_create_ready_fn ready;	 /* may be NULL */
	void *cb_arg;
};

struct btt_create_result {
	uint8_t *torrent; /* the .torrent bytes, owned (free with release) */
	size_t len;
	char *name; /* torrent name, owned */
	bool has_v1, has_v2;
	uint8_t ih_v1[20];
	uint8_t ih_v2[32];
	uint64_t piece_size;
	uint64_t total_size; /* content bytes */
	uint32_t num_pieces;
	uint32_t num_files; /* content files, pad files excluded */
	/* On failure: true when the input or options were at fault (missing
	 * or unsafe path, bad piece size, too many files...), false for an
	 * I/O failure while reading. msg names the file and the problem. */
	bool bad_input;
	char msg[512];
};

/* The automatic piece length for `total` content bytes. */
uint64_t btt_bt_create_piece_size(uint64_t total);

/* Builds a torrent. Returns 0 and fills `out` (which need not be
 * initialised), or a negative error with out->msg and out->bad_input set
 * and nothing to release (releasing is still safe). */
int btt_bt_create(const struct btt_create_opts *opts,
		  struct btt_create_result *out);

void btt_bt_create_result_release(struct btt_create_result *r);

#endif
