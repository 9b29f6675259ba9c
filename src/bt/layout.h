/* Piece/file layout: which bytes of which files make up a piece.
 *
 * The layout follows the piece stream of bt/metainfo.h: every file (pad
 * files included) sits at files[i].offset in one stream cut into pieces of
 * piece_length bytes. In a v1 torrent the files are contiguous and a piece
 * may span many of them; in a v2 torrent each non-empty file starts on a
 * piece boundary, so piece p is piece k = p - offset / piece_length of the
 * file's own grid, and the bytes between a file's end and the next boundary
 * belong to nobody. A hybrid is both at once (its pad files fill those
 * gaps).
 *
 * A layout borrows the file array (it lives as long as the metainfo) and
 * allocates nothing, at init or per query. Lookups are binary searches on
 * the file offsets, O(log files); iterating a piece costs O(files it
 * touches). Pad files (BTT_FILE_PAD) come out as extents flagged `pad`:
 * they are never on disk and read as zeros.
 *
 * Threads: a layout is immutable after init; any thread may query it. */
#ifndef BTT_BT_LAYOUT_H
#define BTT_BT_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bt/metainfo.h"

#define BTT_LAYOUT_NONE UINT32_MAX /* "no file" / "no piece" */

struct btt_layout {
	const struct btt_file *files; /* borrowed */
	uint32_t num_files;
	uint32_t num_pieces;
	uint64_t piece_length;
	uint64_t stream_length; /* end of the last non-empty file */
};

/* A run of bytes of one file inside a piece or range. */
struct btt_layout_extent {
	uint32_t file;
	bool pad;	 /* a pad file: zeros, not on disk */
	uint64_t offset; /* in the file */
	uint64_t length; /* > 0 */
	uint64_t pos;	 /* where the run starts in the piece stream */
};

/* Walks the extents of a byte range of the stream in order. Zero-length
 * files and bytes that belong to no file (v2 gaps) yield nothing. */
struct btt_layout_iter {
	const struct btt_layout *l;
	uint32_t file; /* next candidate file */
	uint64_t pos;
	uint64_t end;
};

/* Checks and adopts `files` (borrowed): piece_length > 0, every file ends
 * within 2^64, offsets never decrease and files do not overlap (a file
 * ends at or before the next one starts), the stream has at most
 * UINT32_MAX pieces. Returns 0, BTT_EINVALID (piece_length 0, files NULL
 * with num_files > 0, overlap or decreasing offsets) or BTT_EOVERFLOW.
 * On failure l is zeroed. */
int btt_layout_init(struct btt_layout *l, const struct btt_file *files,
		    uint32_t num_files, uint64_t piece_length);

/* The layout of a parsed torrent (whose invariants the parser checked). */
int btt_layout_init_metainfo(struct btt_layout *l,
			     const struct btt_metainfo *mi);

/* The file holding stream byte `pos`, or BTT_LAYOUT_NONE when pos is past
 * the end or in a gap. Never a zero-length file. */
uint32_t btt_layout_file_at(const struct btt_layout *l, uint64_t pos);

/* Stream bytes of piece p (piece_length except for the last piece), gaps
 * included; 0 when p is out of range. */
uint64_t btt_layout_piece_span(const struct btt_layout *l, uint32_t p);

/* The pieces [*out_first, *out_end) that file f touches. Zero-length files
 * and f out of range give an empty range (*out_first == *out_end). */
void btt_layout_file_pieces(const struct btt_layout *l, uint32_t f,
			    uint32_t *out_first, uint32_t *out_end);

/* Piece priorities from file priorities: out[p] (num_pieces entries) is
 * the highest file_prio[f] (num_files entries) over the non-pad files with
 * data that piece p touches, so a piece shared by a skipped file (0) and a
 * wanted one is wanted. A piece made only of pad bytes or v2 gaps gets the
 * highest priority of any non-pad file, so it is wanted whenever anything
 * is. file_prio values must be below 0xff (the marker of an untouched
 * piece while computing). O(num_pieces + num_files). */
void btt_layout_piece_prios(const struct btt_layout *l,
			    const uint8_t *file_prio, uint8_t *out);

/* Starts an iteration over stream bytes [pos, pos + len), clipped to the
 * stream. */
void btt_layout_iter_range(const struct btt_layout *l, uint64_t pos,
			   uint64_t len, struct btt_layout_iter *it);

/* Starts an iteration over piece p (empty when p is out of range). */
void btt_layout_iter_piece(const struct btt_layout *l, uint32_t p,
			   struct btt_layout_iter *it);

/* The next extent in *out; false when the range is exhausted. */
bool btt_layout_iter_next(struct btt_layout_iter *it,
			  struct btt_layout_extent *out);

/* v2 view: piece k of file f's own grid as a stream piece index, or
 * BTT_LAYOUT_NONE when f is out of range, a pad file, not aligned to a
 * piece boundary, or has fewer than k + 1 pieces. */
uint32_t btt_layout_v2_piece(const struct btt_layout *l, uint32_t f,
			     uint32_t k);

/* v2 view: the file whose grid holds stream piece p (the non-pad file
 * with data at the piece's first byte) and its index k in that grid.
 * Returns false when p is out of range or that file is not aligned. */
bool btt_layout_v2_locate(const struct btt_layout *l, uint32_t p,
			  uint32_t *out_file, uint32_t *out_k);

#endif
