// modules: bt bencode crypto io core
/* Fuzzes the .torrent parser, both as a whole file and as a bare info
 * dict, and everything that reads a parsed metainfo.
 *
 * Invariants checked (abort on violation): an accepted torrent has safe
 * relative paths within the limits; offsets are ordered and inside the
 * piece stream; every piece maps to a file and has a size in
 * (0, piece_length]; its hashes are reachable; the bare info span parses
 * to the same info-hashes; and its magnet link parses back to the same
 * hashes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bt/magnet.h"
#include "bt/metainfo.h"
#include "bt/path.h"
#include "core/limits.h"
#include "core/wbuf.h"

#define CHECK(x)                 \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)

static void check_files(const struct btt_metainfo *mi)
{
	uint64_t prev = 0;

	CHECK(mi->num_files > 0 && mi->name && mi->piece_length > 0);
	for (uint32_t i = 0; i < mi->num_files; i++) {
		const struct btt_file *f = &mi->files[i];
		size_t n = strlen(f->path);
		CHECK(n > 0 && n <= BTT_METAINFO_MAX_PATH_LEN);
		CHECK(f->path[0] != '/' && btt_path_utf8_valid(f->path, n));
		CHECK(!strstr(f->path, "//") && f->path[n - 1] != '/');
		CHECK(f->offset >= prev);
		CHECK(f->offset + f->length <= mi->stream_length ||
		      f->length == 0);
		CHECK(!mi->has_v2 || !f->length || (f->attr & BTT_FILE_PAD) ||
		      f->offset % mi->piece_length == 0);
		CHECK(!(f->attr & BTT_FILE_SYMLINK) || f->symlink);
		prev = f->offset;
	}
}

static void check_pieces(const struct btt_metainfo *mi)
{
	uint8_t h[32];
	size_t width;

	CHECK(mi->num_pieces > 0 && mi->num_pieces <= BTT_METAINFO_MAX_PIECES);
	for (uint32_t p = 0; p < mi->num_pieces; p++) {
		uint64_t sz = btt_metainfo_piece_size(mi, p);
		uint32_t f = btt_metainfo_piece_file(mi, p);
		CHECK(sz > 0 && sz <= mi->piece_length);
		CHECK(f < mi->num_files);
		CHECK(!mi->has_v1 || btt_metainfo_piece_hash_v1(mi, p));
		if (mi->has_v2) {
			uint64_t sz2 = btt_metainfo_piece_size_v2(mi, p);
			int rc = btt_metainfo_piece_hash_v2(mi, p, h, &width);
			CHECK(sz2 > 0 && sz2 <= sz);
			CHECK(rc == 0 && width > 0 &&
			      width <= mi->piece_length / (16u << 10));
		}
		/* Pieces in the middle repeat the same checks. */
		if (p == 64 && mi->num_pieces > 128)
			p = mi->num_pieces - 64;
	}
	CHECK(btt_metainfo_piece_size(mi, mi->num_pieces) == 0);
	CHECK(btt_metainfo_piece_file(mi, mi->num_pieces) == UINT32_MAX);
}

static void check_roundtrips(const struct btt_metainfo *mi)
{
	struct btt_metainfo bare;
	struct btt_magnet m;
	struct btt_wbuf w;

	CHECK(btt_metainfo_parse_info(&bare, mi->info, mi->info_len, NULL) ==
	      0);
	CHECK(bare.has_v1 == mi->has_v1 && bare.has_v2 == mi->has_v2);
	CHECK(!memcmp(bare.ih_v1, mi->ih_v1, 20));
	CHECK(!memcmp(bare.ih_v2, mi->ih_v2, 32));
	btt_metainfo_release(&bare);

	btt_wbuf_init(&w, 64u << 20);
	CHECK(btt_metainfo_magnet(mi, &w) == 0);
	if (w.len <= BTT_MAGNET_MAX_LEN &&
	    mi->num_trackers + mi->num_webseeds + 3 <= BTT_MAGNET_MAX_PARAMS) {
		CHECK(btt_magnet_parse(&m, (char *)w.buf, w.len, NULL) == 0);
		CHECK(m.has_v1 == mi->has_v1 && m.has_v2 == mi->has_v2);
		CHECK(!mi->has_v1 || !memcmp(m.ih_v1, mi->ih_v1, 20));
		CHECK(!mi->has_v2 || !memcmp(m.ih_v2, mi->ih_v2, 32));
		CHECK(m.name && !strcmp(m.name, mi->name));
		CHECK(m.num_trackers == mi->num_trackers);
		btt_magnet_release(&m);
	}
	btt_wbuf_release(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct btt_metainfo mi;
	struct btt_metainfo_err e;

	if (btt_metainfo_parse(&mi, data, size, &e) == 0) {
		check_files(&mi);
		check_pieces(&mi);
		check_roundtrips(&mi);
		btt_metainfo_release(&mi);
	} else {
		CHECK(e.code < 0 && e.msg[0] && !mi.raw && !mi.files);
		CHECK(e.off >= -1 && e.off <= (int64_t)size);
	}
	if (btt_metainfo_parse_info(&mi, data, size, NULL) == 0) {
		check_files(&mi);
		check_pieces(&mi);
		btt_metainfo_release(&mi);
	}
	return 0;
}
