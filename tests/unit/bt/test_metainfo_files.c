/* The .torrent files in tests/data/torrents were made by libtorrent
 * (tests/data/torrents/make.py, which also wrote expected.txt). They must
 * parse to the info-hashes libtorrent reported, and every piece of the
 * regenerated content must hash, the way metainfo.h tells a verifier to
 * iterate, to the v1 and v2 hashes the parser hands out. Run from the
 * repository root (as `make check-bt` does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "crypto/merkle.h"
#include "test_metainfo_fix.h"

#define DIR "tests/data/torrents/"

static const struct {
	const char *file, *v1, *v2;
	uint32_t files, pads;
} expected[] = {
	/* Copied from tests/data/torrents/expected.txt. */
	{"v1-multi.torrent", "9c5f643a0a52d4b10380cc80899f879047b0bd67", NULL,
	 4, 0},
	{"v2-multi.torrent", NULL,
	 "a65002f33b1438c8c675b0c26ad68effa9a0cad97337d35d00aab19b70459296", 4,
	 0},
	{"hybrid-multi.torrent", "060f6a35cb0970505c953262c51a7ad6ec1f2f45",
	 "2382c02289c114d938a64e74982e59fb169763bb3d4e241ea91ea601a9dbf9ec", 7,
	 3},
	{"v1-single.torrent", "c16c2685b539d9a97957df6e4386a7f522771bd4", NULL,
	 1, 0},
	{"v2-single.torrent", NULL,
	 "943c7e47951c809b03981c2ed07dc979b57756ee87487b6b631567da494f94bb", 1,
	 0},
	{"hybrid-single.torrent", "d662e07134d9315a66965fb83df4f200a7c6b7e7",
	 "04b772e81db51e6409f757e270bc75a8038c00e5d2a645de7a93422bbfa2d548", 1,
	 0},
};

/* make.py's content: SHA-256("<path>-<i>") blocks, cut to n bytes. */
static uint8_t *content(const char *path, uint64_t n)
{
	uint8_t *p = malloc(n + 32);
	char seed[300];

	for (uint64_t i = 0; i * 32 < n; i++) {
		int k = snprintf(seed, sizeof(seed), "%s-%llu", path,
				 (unsigned long long)i);
		btt_sha256(seed, (size_t)k, p + i * 32);
	}
	return p;
}

/* The whole piece stream, pad files and v2 gaps as zeros. */
static uint8_t *stream(const struct btt_metainfo *mi, uint64_t *out_len)
{
	uint64_t len = (uint64_t)mi->num_pieces * mi->piece_length;
	uint8_t *s = calloc(1, len);

	for (uint32_t i = 0; i < mi->num_files; i++) {
		const struct btt_file *f = &mi->files[i];
		uint8_t *c;
		if (f->attr & BTT_FILE_PAD || !f->length)
			continue;
		c = content(f->path, f->length);
		memcpy(s + f->offset, c, f->length);
		free(c);
	}
	*out_len = len;
	return s;
}

static void check_v1(const struct btt_metainfo *mi, const uint8_t *s)
{
	uint8_t h[20];

	for (uint32_t p = 0; p < mi->num_pieces; p++) {
		btt_sha1(s + (uint64_t)p * mi->piece_length,
			 btt_metainfo_piece_size(mi, p), h);
		assert_memory_equal(h, btt_metainfo_piece_hash_v1(mi, p), 20);
	}
}

static void check_v2(const struct btt_metainfo *mi, const uint8_t *s)
{
	size_t max = (size_t)(mi->piece_length / BTT_MERKLE_BLOCK);
	uint8_t(*blocks)[32] = calloc(max, 32);
	uint8_t want[32], got[32];
	size_t width;

	for (uint32_t p = 0; p < mi->num_pieces; p++) {
		uint64_t size = btt_metainfo_piece_size_v2(mi, p);
		const uint8_t *at = s + (uint64_t)p * mi->piece_length;
		size_t n = 0;
		uint32_t f = btt_metainfo_piece_file(mi, p);
		assert_true(f < mi->num_files);
		assert_true(mi->files[f].has_root);
		for (uint64_t o = 0; o < size; o += BTT_MERKLE_BLOCK, n++)
			btt_sha256(at + o,
				   size - o < BTT_MERKLE_BLOCK
					   ? size - o
					   : BTT_MERKLE_BLOCK,
				   blocks[n]);
		assert_int_equal(
			btt_metainfo_piece_hash_v2(mi, p, want, &width), 0);
		assert_int_equal(btt_merkle_root(blocks, n, width, NULL, got),
				 0);
		assert_memory_equal(got, want, 32);
	}
	free(blocks);
}

static void test_metainfo_files_libtorrent(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(expected) / sizeof(*expected); i++) {
		struct btt_metainfo mi;
		struct btt_metainfo_err e;
		char path[128];
		uint64_t len;
		uint8_t *s;
		int rc;

		snprintf(path, sizeof(path), DIR "%s", expected[i].file);
		rc = btt_metainfo_load(&mi, path, &e);
		if (rc)
			print_error("%s: %s\n", expected[i].file, e.msg);
		assert_int_equal(rc, 0);
		assert_int_equal(mi.has_v1, expected[i].v1 != NULL);
		assert_int_equal(mi.has_v2, expected[i].v2 != NULL);
		if (expected[i].v1)
			assert_hex(mi.ih_v1, 20, expected[i].v1);
		if (expected[i].v2)
			assert_hex(mi.ih_v2, 32, expected[i].v2);
		assert_int_equal(mi.num_files, expected[i].files);
		assert_int_equal(mi.num_pad_files, expected[i].pads);
		assert_int_equal(mi.num_trackers, 2);
		assert_int_equal(mi.tracker_tier[1], 1);
		assert_int_equal(mi.num_webseeds, 1);
		assert_int_equal(mi.creation_date, 1700000000);
		s = stream(&mi, &len);
		if (mi.has_v1)
			check_v1(&mi, s);
		if (mi.has_v2)
			check_v2(&mi, s);
		free(s);
		btt_metainfo_release(&mi);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metainfo_files_libtorrent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
