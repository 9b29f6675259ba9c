/* Torrent creation internals shared by create.c (driver), create_walk.c
 * (file list), create_hash.c (piece hashing on the pool) and
 * create_encode.c (bencode output).
 *
 * The piece stream. Every mode lays the files out on one stream of
 * piece_len-byte pieces:
 *  - v1: files are concatenated, a piece may span several files;
 *  - v2 and hybrid: when there are two files or more, every file is
 *    padded to a piece boundary (the hybrid's pad files, zeros for SHA-1;
 *    v2 never hashes them), so a piece holds bytes of exactly one file; a
 *    lone file gets no padding, as libtorrent writes it.
 * stream_len is the end of the stream (padding included); num_pieces
 * covers it. */
#ifndef BTT_BT_CREATE_INT_H
#define BTT_BT_CREATE_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "bt/create.h"

struct create_file {
	char *rel;	 /* relative path joined with '/'; single file: name */
	char *open_path; /* what open() gets */
	uint64_t size;
	bool exec;	      /* owner may execute it: BEP 47 attr "x" */
	uint64_t offset;      /* in the piece stream */
	uint32_t first_piece; /* pieces holding its bytes (size > 0) */
	uint32_t last_piece;
	/* Files read by more than one piece are opened once by the owner
	 * thread (fd, refs = jobs in flight reading it) and closed after the
	 * last of them; a file inside one piece is opened by that job. */
	bool shared;
	int fd;
	uint32_t refs;
	uint8_t root[32]; /* v2 pieces root (size > 0) */
};

struct create_ctx {
	const struct btt_create_opts *opts;
	enum btt_create_version version;
	char *name;
	bool single; /* PATH is a file: single-file torrent */
	struct create_file *files;
	uint32_t nfiles;
	uint32_t cap;
	uint64_t total; /* content bytes */
	uint64_t piece_len;
	uint64_t stream_len;
	uint32_t npieces;
	uint8_t *sha1;	 /* v1/hybrid: 20 bytes per piece */
	uint8_t *layers; /* v2/hybrid: 32 bytes per piece, the piece's
			  * subtree root (for a one-piece file: its root) */
	int err;
	bool bad_input;
	char msg[512];
};

/* Records the first failure (later ones are dropped) and returns err. */
int btt_bt_create_fail(struct create_ctx *c, int err, bool bad_input,
		       const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Fills name, single and the sorted file list from opts->path. */
int btt_bt_create_walk(struct create_ctx *c);

/* Chooses offsets and the piece grid (piece_len already set). */
int btt_bt_create_layout(struct create_ctx *c);

/* Hashes every piece on a pool of `threads` workers and computes the v2
 * file roots. */
int btt_bt_create_hash(struct create_ctx *c, unsigned threads);

/* Encodes the torrent into out->torrent and sets the info-hashes. */
int btt_bt_create_encode(struct create_ctx *c, struct btt_create_result *out);

/* Compares two relative paths component by component (raw bytes, a
 * shorter prefix first): '/' sorts below every other byte. */
int btt_bt_create_path_cmp(const char *a, const char *b);

#endif
