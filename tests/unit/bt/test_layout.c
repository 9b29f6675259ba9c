/* Piece/file layout: extents of pieces and ranges at every kind of
 * boundary, v2 grids with gaps, pad files, offsets past 4 GiB, the init
 * checks, and a brute-force cross-check against a byte-by-byte map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "bt/layout.h"
#include "btt/err.h"

#define KIB 1024ull
#define GIB (1024ull * 1024 * 1024)

/* Files laid end to end from 0 (a v1 torrent). */
static void concat(struct btt_file *files, const uint64_t *lens, uint32_t n)
{
	uint64_t off = 0;
	memset(files, 0, n * sizeof(*files));
	for (uint32_t i = 0; i < n; i++) {
		files[i].offset = off;
		files[i].length = lens[i];
		off += lens[i];
	}
}

struct want {
	uint32_t file;
	uint64_t offset;
	uint64_t length;
};

static void expect_extents(struct btt_layout_iter *it, const struct want *w,
			   size_t n)
{
	struct btt_layout_extent e;
	uint64_t pos = it->pos;
	for (size_t i = 0; i < n; i++) {
		assert_true(btt_layout_iter_next(it, &e));
		assert_int_equal(e.file, w[i].file);
		assert_true(e.offset == w[i].offset);
		assert_true(e.length == w[i].length);
		assert_true(e.pos >= pos);
		pos = e.pos + e.length;
	}
	assert_false(btt_layout_iter_next(it, &e));
	assert_false(btt_layout_iter_next(it, &e));
}

static void test_layout_file_ends_on_piece_boundary(void **state)
{
	static const uint64_t lens[] = {32 * KIB, 20 * KIB};
	struct btt_file files[2];
	struct btt_layout l;
	struct btt_layout_iter it;
	uint32_t a, b;
	(void)state;

	concat(files, lens, 2);
	assert_int_equal(btt_layout_init(&l, files, 2, 16 * KIB), 0);
	assert_int_equal(l.num_pieces, 4);
	btt_layout_iter_piece(&l, 1, &it);
	expect_extents(&it, (struct want[]){{0, 16 * KIB, 16 * KIB}}, 1);
	btt_layout_iter_piece(&l, 2, &it);
	expect_extents(&it, (struct want[]){{1, 0, 16 * KIB}}, 1);
	btt_layout_file_pieces(&l, 0, &a, &b);
	assert_int_equal(a, 0);
	assert_int_equal(b, 2);
	btt_layout_file_pieces(&l, 1, &a, &b);
	assert_int_equal(a, 2);
	assert_int_equal(b, 4);
	assert_int_equal(btt_layout_file_at(&l, 32 * KIB - 1), 0);
	assert_int_equal(btt_layout_file_at(&l, 32 * KIB), 1);
}

static void test_layout_zero_length_files_in_middle(void **state)
{
	static const uint64_t lens[] = {10 * KIB, 0, 0, 30 * KIB, 0};
	struct btt_file files[5];
	struct btt_layout l;
	struct btt_layout_iter it;
	uint32_t a, b;
	(void)state;

	concat(files, lens, 5);
	assert_int_equal(btt_layout_init(&l, files, 5, 16 * KIB), 0);
	assert_int_equal(l.num_pieces, 3);
	btt_layout_iter_piece(&l, 0, &it);
	expect_extents(&it, (struct want[]){{0, 0, 10 * KIB}, {3, 0, 6 * KIB}},
		       2);
	assert_int_equal(btt_layout_file_at(&l, 10 * KIB), 3);
	assert_int_equal(btt_layout_file_at(&l, 10 * KIB - 1), 0);
	btt_layout_file_pieces(&l, 1, &a, &b);
	assert_int_equal(a, b);
	btt_layout_file_pieces(&l, 2, &a, &b);
	assert_int_equal(a, b);
	/* An empty file at the end sits in the last piece, touching none. */
	btt_layout_file_pieces(&l, 4, &a, &b);
	assert_int_equal(a, 2);
	assert_int_equal(b, 2);
	btt_layout_file_pieces(&l, 3, &a, &b);
	assert_int_equal(a, 0);
	assert_int_equal(b, 3);
}

static void test_layout_piece_spans_many_files(void **state)
{
	static const uint64_t lens[] = {5 * KIB, 3 * KIB, 1,
					4 * KIB, 0,	  10 * KIB};
	struct btt_file files[6];
	struct btt_layout l;
	struct btt_layout_iter it;
	uint32_t a, b;
	(void)state;

	concat(files, lens, 6);
	assert_int_equal(btt_layout_init(&l, files, 6, 16 * KIB), 0);
	assert_int_equal(l.num_pieces, 2);
	btt_layout_iter_piece(&l, 0, &it);
	expect_extents(&it,
		       (struct want[]){{0, 0, 5 * KIB},
				       {1, 0, 3 * KIB},
				       {2, 0, 1},
				       {3, 0, 4 * KIB},
				       {5, 0, 4 * KIB - 1}},
		       5);
	btt_layout_iter_piece(&l, 1, &it);
	expect_extents(&it, (struct want[]){{5, 4 * KIB - 1, 6 * KIB + 1}}, 1);
	for (uint32_t f = 0; f < 4; f++) {
		btt_layout_file_pieces(&l, f, &a, &b);
		assert_int_equal(a, 0);
		assert_int_equal(b, 1);
	}
	btt_layout_file_pieces(&l, 5, &a, &b);
	assert_int_equal(a, 0);
	assert_int_equal(b, 2);
}

static void test_layout_last_short_piece(void **state)
{
	static const uint64_t lens[] = {40 * KIB};
	struct btt_file files[1];
	struct btt_layout l;
	struct btt_layout_iter it;
	(void)state;

	concat(files, lens, 1);
	assert_int_equal(btt_layout_init(&l, files, 1, 16 * KIB), 0);
	assert_int_equal(l.num_pieces, 3);
	assert_true(btt_layout_piece_span(&l, 1) == 16 * KIB);
	assert_true(btt_layout_piece_span(&l, 2) == 8 * KIB);
	assert_true(btt_layout_piece_span(&l, 3) == 0);
	btt_layout_iter_piece(&l, 2, &it);
	expect_extents(&it, (struct want[]){{0, 32 * KIB, 8 * KIB}}, 1);
	btt_layout_iter_piece(&l, 3, &it);
	expect_extents(&it, NULL, 0);
	assert_int_equal(btt_layout_file_at(&l, 40 * KIB), BTT_LAYOUT_NONE);
}

static void test_layout_offsets_past_4gib(void **state)
{
	static const uint64_t lens[] = {5 * GIB + 123, 3 * GIB, 7};
	const uint64_t plen = 4 * KIB * KIB;
	struct btt_file files[3];
	struct btt_layout l;
	struct btt_layout_iter it;
	uint32_t a, b;
	(void)state;

	concat(files, lens, 3);
	assert_int_equal(btt_layout_init(&l, files, 3, plen), 0);
	assert_int_equal(l.num_pieces, 2049);
	btt_layout_iter_piece(&l, 1280, &it);
	expect_extents(
		&it, (struct want[]){{0, 5 * GIB, 123}, {1, 0, plen - 123}}, 2);
	btt_layout_iter_piece(&l, 2048, &it);
	expect_extents(&it, (struct want[]){{1, 3 * GIB - 123, 123}, {2, 0, 7}},
		       2);
	assert_true(btt_layout_piece_span(&l, 2048) == 130);
	assert_int_equal(btt_layout_file_at(&l, 6 * GIB), 1);
	btt_layout_file_pieces(&l, 1, &a, &b);
	assert_int_equal(a, 1280);
	assert_int_equal(b, 2049);
	/* A range in the middle of a file far past 4 GiB. */
	btt_layout_iter_range(&l, 7 * GIB, 5, &it);
	expect_extents(&it, (struct want[]){{1, 2 * GIB - 123, 5}}, 1);
}

static void test_layout_pad_files_hybrid(void **state)
{
	static const uint64_t lens[] = {20 * KIB, 12 * KIB, 16 * KIB, 0, 1};
	struct btt_file files[5];
	struct btt_layout l;
	struct btt_layout_iter it;
	struct btt_layout_extent e;
	uint32_t f, k;
	(void)state;

	concat(files, lens, 5);
	files[1].attr = BTT_FILE_PAD;
	assert_int_equal(btt_layout_init(&l, files, 5, 16 * KIB), 0);
	assert_int_equal(l.num_pieces, 4);
	btt_layout_iter_piece(&l, 1, &it);
	assert_true(btt_layout_iter_next(&it, &e));
	assert_int_equal(e.file, 0);
	assert_false(e.pad);
	assert_true(e.length == 4 * KIB);
	assert_true(btt_layout_iter_next(&it, &e));
	assert_int_equal(e.file, 1);
	assert_true(e.pad);
	assert_true(e.offset == 0 && e.length == 12 * KIB);
	assert_false(btt_layout_iter_next(&it, &e));

	assert_true(btt_layout_v2_locate(&l, 1, &f, &k));
	assert_int_equal(f, 0);
	assert_int_equal(k, 1);
	assert_true(btt_layout_v2_locate(&l, 2, &f, &k));
	assert_int_equal(f, 2);
	assert_int_equal(k, 0);
	assert_true(btt_layout_v2_locate(&l, 3, &f, &k));
	assert_int_equal(f, 4);
	assert_false(btt_layout_v2_locate(&l, 4, &f, &k));
	assert_int_equal(btt_layout_v2_piece(&l, 0, 1), 1);
	assert_int_equal(btt_layout_v2_piece(&l, 0, 2), BTT_LAYOUT_NONE);
	assert_int_equal(btt_layout_v2_piece(&l, 1, 0), BTT_LAYOUT_NONE);
	assert_int_equal(btt_layout_v2_piece(&l, 2, 0), 2);
	assert_int_equal(btt_layout_v2_piece(&l, 3, 0), BTT_LAYOUT_NONE);
	assert_int_equal(btt_layout_v2_piece(&l, 9, 0), BTT_LAYOUT_NONE);
}

static void test_layout_v2_gaps(void **state)
{
	struct btt_file files[4];
	struct btt_layout l;
	struct btt_layout_iter it;
	uint32_t f, k, a, b;
	(void)state;

	memset(files, 0, sizeof(files));
	files[0].length = 20 * KIB;
	files[1].offset = 32 * KIB; /* empty file between the two */
	files[2].offset = 32 * KIB;
	files[2].length = 5 * KIB;
	files[3].offset = 48 * KIB; /* trailing empty file past the end */
	assert_int_equal(btt_layout_init(&l, files, 4, 16 * KIB), 0);
	assert_true(l.stream_length == 37 * KIB);
	assert_int_equal(l.num_pieces, 3);
	assert_true(btt_layout_piece_span(&l, 1) == 16 * KIB);
	btt_layout_iter_piece(&l, 1, &it);
	expect_extents(&it, (struct want[]){{0, 16 * KIB, 4 * KIB}}, 1);
	btt_layout_iter_piece(&l, 2, &it);
	expect_extents(&it, (struct want[]){{2, 0, 5 * KIB}}, 1);
	assert_int_equal(btt_layout_file_at(&l, 25 * KIB), BTT_LAYOUT_NONE);
	assert_int_equal(btt_layout_file_at(&l, 32 * KIB), 2);
	/* A range starting in a gap skips to the next file. */
	btt_layout_iter_range(&l, 24 * KIB, 10 * KIB, &it);
	expect_extents(&it, (struct want[]){{2, 0, 2 * KIB}}, 1);
	btt_layout_iter_range(&l, 24 * KIB, 8 * KIB, &it);
	expect_extents(&it, NULL, 0);
	assert_true(btt_layout_v2_locate(&l, 2, &f, &k));
	assert_int_equal(f, 2);
	assert_int_equal(k, 0);
	btt_layout_file_pieces(&l, 3, &a, &b);
	assert_int_equal(a, b);
	assert_int_equal(a, 3);
}

static void test_layout_unaligned_file_has_no_v2_grid(void **state)
{
	static const uint64_t lens[] = {10 * KIB, 10 * KIB};
	struct btt_file files[2];
	struct btt_layout l;
	uint32_t f, k;
	(void)state;

	concat(files, lens, 2);
	assert_int_equal(btt_layout_init(&l, files, 2, 16 * KIB), 0);
	assert_int_equal(btt_layout_v2_piece(&l, 1, 0), BTT_LAYOUT_NONE);
	assert_true(btt_layout_v2_locate(&l, 0, &f, &k));
	assert_int_equal(f, 0);
	/* piece 1 starts inside file 1, which is not on a boundary */
	assert_false(btt_layout_v2_locate(&l, 1, &f, &k));
}

static void test_layout_range_clipping(void **state)
{
	static const uint64_t lens[] = {3, 4};
	struct btt_file files[2];
	struct btt_layout l;
	struct btt_layout_iter it;
	(void)state;

	concat(files, lens, 2);
	assert_int_equal(btt_layout_init(&l, files, 2, 16 * KIB), 0);
	assert_int_equal(l.num_pieces, 1);
	btt_layout_iter_range(&l, 2, UINT64_MAX, &it);
	expect_extents(&it, (struct want[]){{0, 2, 1}, {1, 0, 4}}, 2);
	btt_layout_iter_range(&l, 7, 1, &it);
	expect_extents(&it, NULL, 0);
	btt_layout_iter_range(&l, UINT64_MAX, UINT64_MAX, &it);
	expect_extents(&it, NULL, 0);
	btt_layout_iter_range(&l, 1, 0, &it);
	expect_extents(&it, NULL, 0);
	btt_layout_iter_piece(&l, UINT32_MAX, &it);
	expect_extents(&it, NULL, 0);
}

static void test_layout_init_rejects_bad_files(void **state)
{
	struct btt_file files[3];
	struct btt_layout l;
	(void)state;

	memset(files, 0, sizeof(files));
	files[0].length = 10;
	files[1].offset = 10;
	files[1].length = 10;
	files[2].offset = 20;
	assert_int_equal(btt_layout_init(&l, files, 3, 0), BTT_EINVALID);
	assert_int_equal(btt_layout_init(&l, NULL, 3, 16), BTT_EINVALID);
	files[1].offset = 9; /* overlaps file 0 */
	assert_int_equal(btt_layout_init(&l, files, 3, 16), BTT_EINVALID);
	assert_true(l.files == NULL && l.num_pieces == 0);
	files[1].offset = 10;
	files[2].offset = 19; /* decreasing */
	assert_int_equal(btt_layout_init(&l, files, 3, 16), BTT_EINVALID);
	files[2].offset = UINT64_MAX - 3;
	files[2].length = 4;
	assert_int_equal(btt_layout_init(&l, files, 3, 16), BTT_EOVERFLOW);
	files[2].length = 3;
	assert_int_equal(btt_layout_init(&l, files, 3, 1ull << 40), 0);
	assert_int_equal(btt_layout_init(&l, NULL, 0, 16), 0);
	assert_int_equal(l.num_pieces, 0);
	assert_int_equal(btt_layout_file_at(&l, 0), BTT_LAYOUT_NONE);
}

/* The piece count must fit below BTT_LAYOUT_NONE: max-1, max, max+1. */
static void test_layout_piece_count_limit(void **state)
{
	struct btt_file f;
	struct btt_layout l;
	(void)state;

	memset(&f, 0, sizeof(f));
	f.length = UINT32_MAX - 2ull;
	assert_int_equal(btt_layout_init(&l, &f, 1, 1), 0);
	assert_int_equal(l.num_pieces, UINT32_MAX - 2u);
	f.length = UINT32_MAX - 1ull;
	assert_int_equal(btt_layout_init(&l, &f, 1, 1), 0);
	assert_int_equal(l.num_pieces, UINT32_MAX - 1u);
	assert_true(btt_layout_piece_span(&l, UINT32_MAX - 2u) == 1);
	f.length = UINT32_MAX;
	assert_int_equal(btt_layout_init(&l, &f, 1, 1), BTT_EOVERFLOW);
}

/* Deterministic pseudo-random sizes, many of them zero or tiny. */
static uint64_t next_len(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	switch ((*s >> 16) % 5) {
	case 0: return 0;
	case 1: return (*s >> 8) % 7 + 1;
	default: return (*s >> 4) % 200;
	}
}

/* The file holding each byte by a linear scan, or BTT_LAYOUT_NONE. */
static uint32_t owner(const struct btt_file *files, uint32_t n, uint64_t x)
{
	for (uint32_t f = 0; f < n; f++)
		if (files[f].offset <= x &&
		    x - files[f].offset < files[f].length)
			return f;
	return BTT_LAYOUT_NONE;
}

/* Walks piece p and checks every byte of its span against owner(): bytes
 * in extents belong to the extent's file, bytes between extents to no
 * file; and file_pieces covers p for every file named. */
static void check_piece(const struct btt_layout *l, uint32_t p)
{
	struct btt_layout_iter it;
	struct btt_layout_extent e;
	uint64_t x = p * l->piece_length;
	uint64_t end = x + btt_layout_piece_span(l, p);

	btt_layout_iter_piece(l, p, &it);
	while (btt_layout_iter_next(&it, &e)) {
		uint32_t a, b;
		assert_true(e.pos >= x && e.length > 0);
		for (; x < e.pos; x++)
			assert_int_equal(owner(l->files, l->num_files, x),
					 BTT_LAYOUT_NONE);
		for (; x < e.pos + e.length; x++) {
			assert_int_equal(owner(l->files, l->num_files, x),
					 e.file);
			assert_int_equal(btt_layout_file_at(l, x), e.file);
		}
		assert_true(e.offset == e.pos - l->files[e.file].offset);
		btt_layout_file_pieces(l, e.file, &a, &b);
		assert_true(a <= p && p < b);
	}
	for (; x < end; x++)
		assert_int_equal(btt_layout_file_at(l, x), BTT_LAYOUT_NONE);
}

/* Random v1 streams, and v2-like ones with gaps between files. */
static void test_layout_matches_brute_force(void **state)
{
	struct btt_file files[64];
	uint32_t seed = 7;
	(void)state;

	for (int round = 0; round < 80; round++) {
		struct btt_layout l;
		uint32_t n = 1 + round % 64;
		uint64_t plen = 1 + (uint64_t)round % 37, off = 0;
		memset(files, 0, sizeof(files));
		for (uint32_t i = 0; i < n; i++) {
			if (round & 1)
				off += next_len(&seed) % 23;
			files[i].offset = off;
			files[i].length = next_len(&seed);
			off += files[i].length;
		}
		assert_int_equal(btt_layout_init(&l, files, n, plen), 0);
		for (uint32_t p = 0; p < l.num_pieces; p++)
			check_piece(&l, p);
	}
}

/* A piece takes the highest priority of the files with data it touches;
 * empty files and pad files count for nothing; a piece of pad bytes only
 * takes the highest priority of all. */
static void test_layout_piece_prios_shared_pieces(void **state)
{
	static const uint64_t lens[] = {20 * KIB, 0,	    20 * KIB,
					24 * KIB, 16 * KIB, 8 * KIB};
	static const uint8_t want[] = {0, 2, 2, 5, 5, 0};
	uint8_t fp[] = {0, 7, 2, 7, 5, 0};
	struct btt_file files[6];
	struct btt_layout l;
	uint8_t out[7];
	(void)state;

	concat(files, lens, 6);
	files[3].attr = BTT_FILE_PAD;
	assert_int_equal(btt_layout_init(&l, files, 6, 16 * KIB), 0);
	assert_int_equal(l.num_pieces, 6);
	out[6] = 0xaa;
	btt_layout_piece_prios(&l, fp, out);
	assert_memory_equal(out, want, 6);
	assert_int_equal(out[6], 0xaa); /* nothing past num_pieces */

	/* Nothing wanted: the pad piece is not wanted either. */
	memset(fp, 0, sizeof(fp));
	fp[1] = fp[3] = 7;
	btt_layout_piece_prios(&l, fp, out);
	for (int p = 0; p < 6; p++)
		assert_int_equal(out[p], 0);
}

/* Random layouts (v1 and with gaps, some pad files) against the
 * definition through the extents of each piece. */
static void test_layout_piece_prios_match_brute_force(void **state)
{
	struct btt_file files[40];
	uint8_t fp[40], out[4096];
	uint32_t seed = 11;
	(void)state;

	for (int round = 0; round < 60; round++) {
		struct btt_layout l;
		uint32_t n = 1 + round % 40;
		uint64_t plen = 1 + (uint64_t)round % 29, off = 0;
		uint8_t top = 0;
		memset(files, 0, sizeof(files));
		for (uint32_t i = 0; i < n; i++) {
			if (round & 1)
				off += next_len(&seed) % 17;
			files[i].offset = off;
			files[i].length = next_len(&seed);
			files[i].attr =
				next_len(&seed) % 5 == 0 ? BTT_FILE_PAD : 0;
			fp[i] = (uint8_t)(next_len(&seed) % 8);
			off += files[i].length;
			if (!files[i].attr && files[i].length && fp[i] > top)
				top = fp[i];
		}
		assert_int_equal(btt_layout_init(&l, files, n, plen), 0);
		assert_true(l.num_pieces <= sizeof(out));
		btt_layout_piece_prios(&l, fp, out);
		for (uint32_t p = 0; p < l.num_pieces; p++) {
			struct btt_layout_iter it;
			struct btt_layout_extent e;
			int best = -1;
			btt_layout_iter_piece(&l, p, &it);
			while (btt_layout_iter_next(&it, &e))
				if (!e.pad && fp[e.file] > best)
					best = fp[e.file];
			assert_int_equal(out[p], best < 0 ? top : best);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_file_ends_on_piece_boundary),
		cmocka_unit_test(test_layout_zero_length_files_in_middle),
		cmocka_unit_test(test_layout_piece_spans_many_files),
		cmocka_unit_test(test_layout_last_short_piece),
		cmocka_unit_test(test_layout_offsets_past_4gib),
		cmocka_unit_test(test_layout_pad_files_hybrid),
		cmocka_unit_test(test_layout_v2_gaps),
		cmocka_unit_test(test_layout_unaligned_file_has_no_v2_grid),
		cmocka_unit_test(test_layout_range_clipping),
		cmocka_unit_test(test_layout_init_rejects_bad_files),
		cmocka_unit_test(test_layout_piece_count_limit),
		cmocka_unit_test(test_layout_matches_brute_force),
		cmocka_unit_test(test_layout_piece_prios_shared_pieces),
		cmocka_unit_test(test_layout_piece_prios_match_brute_force),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
