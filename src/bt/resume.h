/* Fast resume: what a torrent's storage knew to be verified and on disk
 * when it last saved, and the rule for trusting it at the next start.
 *
 * The resume file is one bencoded dict (keys in canonical order):
 *   bitfield    string  BEP 3 bitfield of the verified pieces, exactly
 *                       ceil(num_pieces / 8) bytes, spare bits zero
 *   files       string  16 bytes per file of the torrent (pad files
 *                       included, as zeros): size u64 big-endian, then
 *                       mtime in nanoseconds i64 big-endian, both as
 *                       observed when the bitfield was saved;
 *                       BTT_RESUME_ABSENT as mtime: the file did not exist
 *   info-hash   string  20 bytes, the v1 info-hash (torrents with v1)
 *   info-hash2  string  32 bytes, the v2 info-hash (torrents with v2)
 *   version     int     BTT_RESUME_VERSION
 * Unknown keys are ignored. Anything else that is wrong (bad bencode,
 * missing keys, wrong types or lengths, another torrent's info-hash, a
 * spare bit set) rejects the whole file: the caller warns and rechecks.
 *
 * Trust rule (btt_resume_plan). A piece recorded as verified is trusted
 * when every file it touches still has the size and mtime recorded and
 * holds the piece's bytes. Pieces touching a file whose size or mtime
 * changed are rechecked, recorded or not (that is how pieces written after
 * the last save are found again after a crash). Pieces touching only
 * unchanged files that were not recorded are missing: their data was
 * never written.
 *
 * The file is written atomically (temporary file, fsync, rename, fsync of
 * the directory), so after a crash it is either the previous version or
 * the new one. Threads: every function is pure or does blocking I/O on
 * the calling thread; the storage calls them from its workers. */
#ifndef BTT_BT_RESUME_H
#define BTT_BT_RESUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bt/metainfo.h"
#include "core/bitfield.h"
#include "core/wbuf.h"

#define BTT_RESUME_VERSION 1
#define BTT_RESUME_ABSENT INT64_MIN /* mtime of a file that did not exist */

/* A file as seen on disk: its size and modification time. */
struct btt_resume_file {
	uint64_t size;
	int64_t mtime_ns; /* BTT_RESUME_ABSENT: no such file */
};

struct btt_resume {
	struct btt_bitfield have;      /* num_pieces bits */
	struct btt_resume_file *files; /* num_files entries, owned */
	uint32_t num_files;
};

/* Why a resume file was rejected: the error and a short sentence. */
struct btt_resume_err {
	int code;
	char msg[128];
};

/* An empty record for mi: no piece verified, every file absent. Returns 0
 * or -ENOMEM. r need not be initialised. */
int btt_resume_init(struct btt_resume *r, const struct btt_metainfo *mi);

/* Frees what r owns and zeroes it. A zeroed record is a no-op. */
void btt_resume_release(struct btt_resume *r);

/* Appends the bencoded record for mi. r must have been made for mi (same
 * piece and file counts: BTT_EINVALID otherwise). Returns
 * btt_wbuf_err(out) or BTT_EINVALID. */
int btt_resume_encode(const struct btt_resume *r, const struct btt_metainfo *mi,
		      struct btt_wbuf *out);

/* Parses untrusted bytes (at most BTT_RESUME_MAX_SIZE) and checks them
 * against mi. Returns 0 with *r filled in (r need not be initialised), or
 * a negative error with *err filled in (err may be NULL) and r zeroed:
 * BTT_ELIMIT (too large), the bencode decoder's errors, BTT_ETYPE,
 * BTT_EMISSING, BTT_EMALFORMED (a length or spare bit is wrong),
 * BTT_EUNSUPPORTED (another version), BTT_EHASH (another torrent),
 * -ENOMEM. */
int btt_resume_decode(struct btt_resume *r, const struct btt_metainfo *mi,
		      const void *buf, size_t len, struct btt_resume_err *err);

/* Reads path and decodes it. -ENOENT when there is no file (a first
 * start, not an error to warn about); other -errno from reading;
 * otherwise as btt_resume_decode. */
int btt_resume_load(struct btt_resume *r, const struct btt_metainfo *mi,
		    const char *path, struct btt_resume_err *err);

/* Encodes r and writes it to path atomically: path.tmp is written, fsynced
 * and renamed over path, then the directory is fsynced. Returns 0 or the
 * first error (-errno, or an encoding error); on failure path is left as
 * it was and path.tmp is removed. */
int btt_resume_save(const struct btt_resume *r, const struct btt_metainfo *mi,
		    const char *path);

/* The same atomic replacement for any bytes. */
int btt_resume_write_atomic(const char *path, const void *buf, size_t len);

/* Applies the trust rule. now[i] is what file i looks like on disk today
 * (mtime BTT_RESUME_ABSENT when missing; pad files are ignored); r is the
 * loaded record, or NULL when there is none or it was rejected. Fills
 * out_have (trusted pieces) and out_recheck (pieces to hash before use:
 * untrusted pieces whose every byte is present, and pieces made only of
 * pad files), both num_pieces bits and disjoint. They need not be
 * initialised. Returns 0 or -ENOMEM (then both are empty). */
int btt_resume_plan(const struct btt_metainfo *mi, const struct btt_resume *r,
		    const struct btt_resume_file *now,
		    struct btt_bitfield *out_have,
		    struct btt_bitfield *out_recheck);

#endif
