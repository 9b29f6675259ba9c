/* Piece/file layout over the piece stream (see layout.h).
 *
 * Invariants checked by btt_layout_init and relied on everywhere else:
 * offsets never decrease and files[i].offset + files[i].length <=
 * files[i + 1].offset, so "the last file starting at or before pos" is the
 * only file that can hold pos, and a binary search finds it. */
#include <string.h>

#include "bt/layout.h"
#include "btt/err.h"

int btt_layout_init(struct btt_layout *l, const struct btt_file *files,
		    uint32_t num_files, uint64_t piece_length)
{
	uint64_t stream = 0, prev_end = 0, pieces;

	memset(l, 0, sizeof(*l));
	if (piece_length == 0 || (!files && num_files))
		return BTT_EINVALID;
	for (uint32_t i = 0; i < num_files; i++) {
		const struct btt_file *f = &files[i];
		if (f->length > UINT64_MAX - f->offset)
			return BTT_EOVERFLOW;
		if (f->offset < prev_end)
			return BTT_EINVALID;
		prev_end = f->offset + f->length;
		if (f->length)
			stream = prev_end;
	}
	pieces = stream / piece_length + (stream % piece_length != 0);
	if (pieces > UINT32_MAX - 1)
		return BTT_EOVERFLOW;
	l->files = files;
	l->num_files = num_files;
	l->num_pieces = (uint32_t)pieces;
	l->piece_length = piece_length;
	l->stream_length = stream;
	return 0;
}

int btt_layout_init_metainfo(struct btt_layout *l,
			     const struct btt_metainfo *mi)
{
	return btt_layout_init(l, mi->files, mi->num_files, mi->piece_length);
}

/* The last file whose offset is <= pos (0 when none is). Zero-length files
 * sharing an offset with a non-empty file come before it, so the non-empty
 * one wins. */
static uint32_t last_at_or_before(const struct btt_layout *l, uint64_t pos)
{
	uint32_t lo = 0, hi = l->num_files; /* answer in [lo, hi) */

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (l->files[mid].offset <= pos)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

uint32_t btt_layout_file_at(const struct btt_layout *l, uint64_t pos)
{
	const struct btt_file *f;
	uint32_t i;

	if (pos >= l->stream_length)
		return BTT_LAYOUT_NONE;
	i = last_at_or_before(l, pos);
	f = &l->files[i];
	if (f->offset > pos || pos - f->offset >= f->length)
		return BTT_LAYOUT_NONE;
	return i;
}

uint64_t btt_layout_piece_span(const struct btt_layout *l, uint32_t p)
{
	uint64_t start;

	if (p >= l->num_pieces)
		return 0;
	start = (uint64_t)p * l->piece_length;
	if (l->stream_length - start < l->piece_length)
		return l->stream_length - start;
	return l->piece_length;
}

void btt_layout_file_pieces(const struct btt_layout *l, uint32_t f,
			    uint32_t *out_first, uint32_t *out_end)
{
	const struct btt_file *file;

	*out_first = *out_end = 0;
	if (f >= l->num_files)
		return;
	file = &l->files[f];
	if (!file->length) {
		/* Keep the empty range where the file sits, clipped. */
		uint64_t p = file->offset / l->piece_length;
		*out_first = *out_end =
			p < l->num_pieces ? (uint32_t)p : l->num_pieces;
		return;
	}
	*out_first = (uint32_t)(file->offset / l->piece_length);
	*out_end =
		(uint32_t)((file->offset + file->length - 1) / l->piece_length +
			   1);
}

void btt_layout_piece_prios(const struct btt_layout *l,
			    const uint8_t *file_prio, uint8_t *out)
{
	uint8_t top = 0;

	memset(out, 0xff, l->num_pieces);
	for (uint32_t f = 0; f < l->num_files; f++) {
		uint8_t fp = file_prio[f];
		uint32_t a, b;
		if ((l->files[f].attr & BTT_FILE_PAD) || !l->files[f].length)
			continue;
		top = fp > top ? fp : top;
		btt_layout_file_pieces(l, f, &a, &b);
		for (uint32_t p = a; p < b; p++)
			if (out[p] == 0xff || fp > out[p])
				out[p] = fp;
	}
	for (uint32_t p = 0; p < l->num_pieces; p++)
		if (out[p] == 0xff)
			out[p] = top;
}

void btt_layout_iter_range(const struct btt_layout *l, uint64_t pos,
			   uint64_t len, struct btt_layout_iter *it)
{
	it->l = l;
	it->pos = pos;
	if (pos >= l->stream_length) {
		it->end = pos;
		it->file = l->num_files;
		return;
	}
	it->end = len < l->stream_length - pos ? pos + len : l->stream_length;
	it->file = last_at_or_before(l, pos);
}

void btt_layout_iter_piece(const struct btt_layout *l, uint32_t p,
			   struct btt_layout_iter *it)
{
	uint64_t span = btt_layout_piece_span(l, p);

	if (!span) {
		btt_layout_iter_range(l, l->stream_length, 0, it);
		return;
	}
	btt_layout_iter_range(l, (uint64_t)p * l->piece_length, span, it);
}

bool btt_layout_iter_next(struct btt_layout_iter *it,
			  struct btt_layout_extent *out)
{
	const struct btt_layout *l = it->l;

	while (it->pos < it->end && it->file < l->num_files) {
		const struct btt_file *f = &l->files[it->file];
		uint64_t fend = f->offset + f->length, stop;

		if (fend <= it->pos || !f->length) { /* behind us, or empty */
			it->file++;
			continue;
		}
		if (f->offset >= it->end)
			break;
		if (f->offset > it->pos) /* a gap nobody owns */
			it->pos = f->offset;
		stop = fend < it->end ? fend : it->end;
		out->file = it->file;
		out->pad = (f->attr & BTT_FILE_PAD) != 0;
		out->offset = it->pos - f->offset;
		out->length = stop - it->pos;
		out->pos = it->pos;
		it->pos = stop;
		if (stop == fend)
			it->file++;
		return true;
	}
	it->pos = it->end;
	return false;
}

uint32_t btt_layout_v2_piece(const struct btt_layout *l, uint32_t f, uint32_t k)
{
	const struct btt_file *file;
	uint64_t n;

	if (f >= l->num_files)
		return BTT_LAYOUT_NONE;
	file = &l->files[f];
	if ((file->attr & BTT_FILE_PAD) || file->offset % l->piece_length)
		return BTT_LAYOUT_NONE;
	n = file->length / l->piece_length +
	    (file->length % l->piece_length != 0);
	if (k >= n)
		return BTT_LAYOUT_NONE;
	return (uint32_t)(file->offset / l->piece_length + k);
}

bool btt_layout_v2_locate(const struct btt_layout *l, uint32_t p,
			  uint32_t *out_file, uint32_t *out_k)
{
	uint32_t f;

	if (p >= l->num_pieces)
		return false;
	f = btt_layout_file_at(l, (uint64_t)p * l->piece_length);
	if (f == BTT_LAYOUT_NONE || (l->files[f].attr & BTT_FILE_PAD) ||
	    l->files[f].offset % l->piece_length)
		return false;
	*out_file = f;
	*out_k = (uint32_t)(p - l->files[f].offset / l->piece_length);
	return true;
}
