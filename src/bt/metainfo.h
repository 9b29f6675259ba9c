/* .torrent metainfo: BEP 3 (v1), BEP 52 (v2) and hybrid torrents, with
 * BEP 12 tiers, BEP 19 web seeds, BEP 27 private and BEP 47 attributes.
 *
 * A parsed torrent owns a copy of the whole file (raw) and the decoded
 * bencode document over it. Strings the caller sees (name, paths, URLs,
 * comment) are owned NUL-terminated copies; hash arrays (pieces, piece
 * layers) are views into raw and live as long as the metainfo.
 *
 * Everything here has been checked once at parse time: paths are
 * sanitised (bt/path.h), sizes add up, hash arrays have exactly the length
 * the file sizes need, v2 piece layers hash to their pieces roots, and a
 * hybrid's v1 and v2 halves describe the same files on the same piece grid.
 * Consumers never need to re-check any of that.
 *
 * The piece stream. Every torrent is read as one stream of pieces of
 * piece_length bytes, numbered 0..num_pieces-1; each file (pad files
 * included) sits at files[i].offset in that stream.
 *  - v1: the files are concatenated in order (pad files included). Piece p
 *    covers [p * piece_length, p * piece_length + btt_metainfo_piece_size)
 *    and may span several files; its SHA-1 is btt_metainfo_piece_hash_v1.
 *  - v2: every non-empty file starts on a piece boundary (offset is a
 *    multiple of piece_length) and owns ceil(length / piece_length) pieces;
 *    the gap between a file's end and the next boundary belongs to nobody
 *    and is never hashed. btt_metainfo_piece_size gives only the file's
 *    bytes of the piece.
 *  - hybrid (version 3): the v1 file list carries pad files that put every
 *    non-empty file on a piece boundary, so both grids coincide: v1 piece p
 *    and v2 piece p cover the same file bytes. The v1 piece includes the
 *    pad bytes (zeros); the v2 piece does not.
 *
 * How `verify` checks a piece p:
 *  - v1 or hybrid: read the piece_size(p) bytes of the stream at
 *    p * piece_length, reading pad files as zeros and crossing file
 *    boundaries as needed; SHA-1 must equal btt_metainfo_piece_hash_v1(p).
 *  - v2 (or hybrid, optionally): f = btt_metainfo_piece_file(p); read
 *    btt_metainfo_piece_size_v2(p) bytes of file f at p * piece_length -
 *    files[f].offset (in a hybrid this stops at the file's end, before
 *    the pad: piece_size(p) would include the pad bytes);
 *    SHA-256 each 16 KiB block (the last one may be short), then
 *    btt_merkle_root(blocks, nblocks, width, NULL, root) with the width
 *    that btt_metainfo_piece_hash_v2 returns; root must equal its hash.
 *    (For a file larger than a piece the expected hash is its piece-layer
 *    entry and width = piece_length / 16 KiB; for a file of at most one
 *    piece it is the pieces root and width = btt_merkle_width(nblocks).)
 *
 * Threads: parse/release on any thread; a parsed metainfo is immutable
 * and may be read from several threads at once. */
#ifndef BTT_BT_METAINFO_H
#define BTT_BT_METAINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bencode/bencode_int.h"
#include "core/wbuf.h"

/* BEP 47 file attributes (btt_file.attr). */
#define BTT_FILE_PAD 0x1u     /* 'p': zeros, never stored on disk */
#define BTT_FILE_EXEC 0x2u    /* 'x' */
#define BTT_FILE_HIDDEN 0x4u  /* 'h' */
#define BTT_FILE_SYMLINK 0x8u /* 'l': see btt_file.symlink */

/* btt_metainfo.version bits. */
#define BTT_META_V1 1
#define BTT_META_V2 2
#define BTT_META_HYBRID 3 /* BTT_META_V1 | BTT_META_V2 */

struct btt_file {
	/* Relative path joined with '/', sanitised (bt/path.h). For a
	 * single-file torrent it is the name; for a multi-file torrent it
	 * starts with the name as its first component. Pad files keep the
	 * path the torrent gave them (usually ".pad/N"); it is sanitised but
	 * may repeat. */
	char *path;
	uint64_t length;
	uint64_t offset; /* in the piece stream (see above) */
	uint32_t attr;	 /* BTT_FILE_* */
	/* BTT_FILE_SYMLINK only: the target, relative to the torrent's root
	 * directory, sanitised like a path; otherwise NULL. */
	char *symlink;
	/* v2 and hybrid: the merkle root of the file's 16 KiB blocks; absent
	 * (has_root false) for empty files, pad files and v1-only torrents. */
	uint8_t pieces_root[32];
	bool has_root;
	/* v2, files longer than one piece: 32 bytes per piece of the file,
	 * a view into raw. NULL otherwise, and NULL for a metainfo built
	 * with btt_metainfo_parse_info (the layers come from peers then). */
	const uint8_t *piece_layer;
};

/* Where and why parsing failed. off is the byte offset in the input of
 * the offending value, or -1 when there is no single place. msg is a
 * short human sentence without the offset ("files list is empty"); any
 * untrusted text in it is escaped. */
struct btt_metainfo_err {
	int code; /* the negative error returned */
	int64_t off;
	char msg[160];
};

struct btt_metainfo {
	uint8_t *raw; /* owned copy of the whole input */
	size_t raw_len;
	struct btt_bdoc doc; /* decoded over raw */
	const uint8_t *info; /* the raw `info` span, a view into raw */
	size_t info_len;

	int version; /* BTT_META_V1, BTT_META_V2 or BTT_META_HYBRID */
	bool has_v1, has_v2;
	uint8_t ih_v1[20]; /* SHA-1 of the info span (has_v1) */
	uint8_t ih_v2[32]; /* SHA-256 of the info span (has_v2); peers see the
			    * first 20 bytes in the v2 handshake */

	char *name; /* sanitised single component (name.utf-8 preferred) */
	bool is_single_file;
	uint64_t piece_length;
	uint32_t num_pieces;
	const uint8_t *pieces; /* v1: 20 * num_pieces bytes, view into raw */
	/* Content bytes: the sum of the non-pad file lengths. */
	uint64_t total_length;
	/* Length of the piece stream: v1 and hybrid: the sum of all file
	 * lengths including pad files; v2: the end of the last non-empty
	 * file. num_pieces = ceil(stream_length / piece_length). */
	uint64_t stream_length;

	struct btt_file *files; /* in torrent order; pad files included */
	uint32_t num_files;
	uint32_t num_pad_files;

	/* Trackers flattened in tier order (BEP 12; `announce` alone makes
	 * tier 0). Duplicates dropped, first occurrence kept. Tier numbers
	 * are consecutive from 0. */
	char **trackers;
	uint32_t *tracker_tier;
	uint32_t num_trackers;
	char **webseeds; /* BEP 19 url-list */
	uint32_t num_webseeds;

	bool is_private;       /* BEP 27, from the info dict */
	char *comment;	       /* or NULL */
	char *created_by;      /* or NULL */
	int64_t creation_date; /* seconds since the epoch; 0 when absent */
};

/* Parses a whole .torrent from buf (copied; the caller keeps buf).
 * Returns 0, or a negative error (BTT_EMALFORMED, BTT_ENONCANONICAL,
 * BTT_ETRUNCATED, BTT_ETRAILING, BTT_EDEPTH, BTT_ELIMIT, BTT_ETYPE,
 * BTT_EMISSING, BTT_EPATH, BTT_EHASH, BTT_EUNSUPPORTED, -ENOMEM) with
 * *err filled in (err may be NULL). On failure mi is left empty. mi need
 * not be initialised; it is overwritten. */
int btt_metainfo_parse(struct btt_metainfo *mi, const void *buf, size_t len,
		       struct btt_metainfo_err *err);

/* Like btt_metainfo_parse but buf is a bare bencoded info dict (metadata
 * received from peers, BEP 9). Trackers, web seeds and comment are empty;
 * v2 piece layers are absent (piece_layer NULL) and not checked. */
int btt_metainfo_parse_info(struct btt_metainfo *mi, const void *buf,
			    size_t len, struct btt_metainfo_err *err);

/* Reads at most BTT_METAINFO_MAX_SIZE bytes from path and parses them.
 * A read failure returns -errno (or BTT_ELIMIT when too large) with err
 * filled in (off = -1). */
int btt_metainfo_load(struct btt_metainfo *mi, const char *path,
		      struct btt_metainfo_err *err);

/* Frees everything mi owns and zeroes it. A zeroed mi is a no-op. */
void btt_metainfo_release(struct btt_metainfo *mi);

/* Bytes of piece p (p < num_pieces) that are hashed: piece_length except
 * for the last piece of the stream (v1, hybrid) or of a file (v2). */
uint64_t btt_metainfo_piece_size(const struct btt_metainfo *mi, uint32_t p);

/* Bytes of piece p that the v2 hash covers: the file's bytes only, never
 * pad bytes (equal to btt_metainfo_piece_size for a v2-only torrent).
 * 0 when the torrent has no v2 part or p is out of range. */
uint64_t btt_metainfo_piece_size_v2(const struct btt_metainfo *mi, uint32_t p);

/* The 20-byte v1 hash of piece p, or NULL when the torrent has no v1 part
 * or p is out of range. A view into mi->raw. */
const uint8_t *btt_metainfo_piece_hash_v1(const struct btt_metainfo *mi,
					  uint32_t p);

/* The expected v2 hash of piece p into out, and in *out_width the number
 * of 16 KiB leaves the piece's block hashes are padded to (with zero
 * hashes) before reducing them with btt_merkle_root. Returns 0;
 * BTT_EINVALID when there is no v2 part or p is out of range;
 * BTT_ENOTFOUND when the file's piece layer is not known (parse_info). */
int btt_metainfo_piece_hash_v2(const struct btt_metainfo *mi, uint32_t p,
			       uint8_t out[32], size_t *out_width);

/* The index of the file holding the first byte of piece p (for v2 and
 * hybrid: the only non-pad file in it), or UINT32_MAX if p is out of
 * range. O(log files). */
uint32_t btt_metainfo_piece_file(const struct btt_metainfo *mi, uint32_t p);

/* The v2 piece layer of file f: *out points at 32 bytes per piece of the
 * file (a view into raw). Returns false when the file has none (v1, small
 * or empty files, parse_info). */
bool btt_metainfo_piece_layer(const struct btt_metainfo *mi, uint32_t f,
			      const uint8_t **out, size_t *out_len);

/* Appends the magnet link for mi: xt=urn:btih (v1 hex) and/or
 * xt=urn:btmh:1220... (v2), dn, tr in tier order, ws, all percent-encoded.
 * Returns btt_wbuf_err(out). */
int btt_metainfo_magnet(const struct btt_metainfo *mi, struct btt_wbuf *out);

#endif
