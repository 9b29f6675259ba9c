/* BEP 52 hash serving (bt/hashes.h). Every answer is checked against a
 * reference tree built here from scratch (its own pad hashes, its own
 * layers), and for torrents made by btt_bt_create from the files' bytes:
 * the requested run must be the reference layer, and the run folded with
 * its uncle hashes must give the reference node above it, up to the
 * pieces root. Then the rejects and every cap at max-1, max, max+1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bt/create.h"
#include "bt/hashes.h"
#include "bt/metainfo.h"
#include "btt/err.h"
#include "crypto/hash.h"

#define HL 32 /* bytes of a hash */

/* ---- a reference tree, independent of crypto/merkle.c and hashes.c ---- */

struct ref {
	unsigned ph, height;
	uint64_t width;		  /* pieces padded to a power of two */
	uint8_t (*layer[40])[HL]; /* layer[k]: layer ph + k, width >> k */
	uint8_t pad[64][HL];	  /* pad[h]: root of 2^h zero leaves */
};

static void pair_hash(const uint8_t *l, const uint8_t *r, uint8_t out[HL])
{
	uint8_t buf[2 * HL];

	memcpy(buf, l, HL);
	memcpy(buf + HL, r, HL);
	btt_sha256(buf, sizeof(buf), out);
}

static void ref_build(struct ref *t, const uint8_t *pieces, uint32_t n,
		      unsigned ph)
{
	unsigned levels = 0;

	memset(t, 0, sizeof(*t));
	for (unsigned h = 1; h < 64; h++)
		pair_hash(t->pad[h - 1], t->pad[h - 1], t->pad[h]);
	while (((uint64_t)1 << levels) < n)
		levels++;
	t->ph = ph;
	t->height = ph + levels;
	t->width = (uint64_t)1 << levels;
	t->layer[0] = calloc(t->width, HL);
	assert_non_null(t->layer[0]);
	for (uint64_t j = 0; j < t->width; j++)
		memcpy(t->layer[0][j], j < n ? pieces + j * HL : t->pad[ph],
		       HL);
	for (unsigned k = 1; k <= levels; k++) {
		t->layer[k] = calloc(t->width >> k, HL);
		assert_non_null(t->layer[k]);
		for (uint64_t j = 0; j < t->width >> k; j++)
			pair_hash(t->layer[k - 1][2 * j],
				  t->layer[k - 1][2 * j + 1], t->layer[k][j]);
	}
}

static void ref_free(struct ref *t)
{
	for (unsigned k = 0; k < 40; k++)
		free(t->layer[k]);
}

static const uint8_t *ref_node(const struct ref *t, unsigned layer, uint64_t j)
{
	return t->layer[layer - t->ph][j];
}

static const uint8_t *ref_root(const struct ref *t)
{
	return ref_node(t, t->height, 0);
}

/* Checks an answer: the run is the reference layer, the run folds to its
 * reference subtree root, and each uncle hashed in on the side its
 * position says gives the reference node one layer up. Returns the layer
 * the proof reaches. */
static unsigned check_answer(const struct ref *t, uint32_t base, uint32_t index,
			     uint32_t length, uint32_t proof,
			     const uint8_t *hashes, uint32_t n)
{
	uint8_t(*run)[HL] = malloc((size_t)length * HL);
	uint8_t acc[HL];
	unsigned lg = 0, layer;
	uint32_t uncles, w;
	uint64_t pos;

	assert_non_null(run);
	while ((1u << lg) < length)
		lg++;
	uncles = proof + 1 > lg ? proof + 1 - lg : 0;
	assert_int_equal(n, length + uncles);
	for (uint32_t i = 0; i < length; i++)
		assert_memory_equal(hashes + (size_t)i * HL,
				    ref_node(t, base, (uint64_t)index + i), HL);
	memcpy(run, hashes, (size_t)length * HL);
	for (w = length; w > 1; w /= 2)
		for (uint32_t i = 0; i < w / 2; i++)
			pair_hash(run[2 * i], run[2 * i + 1], run[i]);
	memcpy(acc, run[0], HL);
	free(run);
	layer = base + lg;
	pos = index >> lg;
	assert_memory_equal(acc, ref_node(t, layer, pos), HL);
	for (uint32_t u = 0; u < uncles; u++, layer++, pos >>= 1) {
		const uint8_t *h = hashes + ((size_t)length + u) * HL;
		if (pos & 1)
			pair_hash(h, acc, acc);
		else
			pair_hash(acc, h, acc);
		assert_memory_equal(acc, ref_node(t, layer + 1, pos >> 1), HL);
	}
	if (layer == t->height)
		assert_memory_equal(acc, ref_root(t), HL);
	return layer;
}

/* n synthetic piece hashes. */
static uint8_t *fake_layer(uint32_t n)
{
	uint8_t *p = malloc((size_t)n * HL);

	assert_non_null(p);
	for (uint32_t i = 0; i < n; i++)
		btt_sha256(&i, sizeof(i), p + (size_t)i * HL);
	return p;
}

static struct btt_hashes_tree *fake_tree(const uint8_t *layer, uint32_t n,
					 unsigned ph)
{
	struct btt_hashes_tree *t = malloc(sizeof(*t));

	assert_non_null(t);
	assert_int_equal(btt_hashes_tree_init(t, layer, n, ph), 0);
	assert_int_equal(btt_hashes_tree_build(t), 0);
	return t;
}

static uint8_t out[BTT_WIRE_MAX_HASHES][HL];

/* ---- synthetic trees ---- */

/* Every layer from the piece layer up, every length, a spread of indexes
 * and every valid proof depth; the deepest proofs reach the root. */
static void sweep(uint32_t npieces, unsigned ph)
{
	uint8_t *layer = fake_layer(npieces);
	struct btt_hashes_tree *t = fake_tree(layer, npieces, ph);
	struct ref r;
	uint8_t root[HL];
	uint32_t n;

	ref_build(&r, layer, npieces, ph);
	assert_int_equal(btt_hashes_tree_height(t), r.height);
	btt_hashes_tree_root(t, root);
	assert_memory_equal(root, ref_root(&r), HL);
	for (uint32_t base = ph; base < r.height; base++) {
		uint64_t width = r.width >> (base - ph);
		for (uint32_t len = 2; len <= width && len <= 512; len *= 2) {
			uint64_t runs = width / len;
			for (uint64_t i = 0; i < runs; i++) {
				uint32_t idx = (uint32_t)(i * len);
				if (runs > 8 && i == 4)
					i = runs - 5; /* first and last 4 */
				for (uint32_t p = 0; p < r.height - base; p++) {
					assert_int_equal(
						btt_hashes_tree_get(t, base,
								    idx, len, p,
								    out, &n),
						0);
					check_answer(&r, base, idx, len, p,
						     out[0], n);
				}
				assert_int_equal(
					check_answer(&r, base, idx, len,
						     r.height - base - 1,
						     out[0], n),
					r.height);
			}
		}
	}
	ref_free(&r);
	btt_hashes_tree_release(t);
	free(t);
	free(layer);
}

static void test_hashes_every_request(void **state)
{
	(void)state;
	sweep(2, 0);
	sweep(3, 2);
	sweep(5, 1);
	sweep(8, 3);
	sweep(1000, 2);
	sweep(1025, 0);
}

static void test_hashes_padding(void **state)
{
	uint8_t *layer = fake_layer(5);
	struct btt_hashes_tree *t = fake_tree(layer, 5, 2);
	struct ref r;
	uint8_t want[HL];
	uint32_t n;

	(void)state;
	ref_build(&r, layer, 5, 2); /* 8 wide, pad hashes of height 2 */
	assert_int_equal(btt_hashes_tree_get(t, 2, 4, 4, 0, out, &n), 0);
	assert_int_equal(n, 4);
	assert_memory_equal(out[0], layer + 4 * HL, HL);
	for (int i = 1; i < 4; i++)
		assert_memory_equal(out[i], r.pad[2], HL);
	/* One layer up: piece 4 with a pad, then a pad of height 3. */
	assert_int_equal(btt_hashes_tree_get(t, 3, 2, 2, 0, out, &n), 0);
	pair_hash(layer + 4 * HL, r.pad[2], want);
	assert_memory_equal(out[0], want, HL);
	assert_memory_equal(out[1], r.pad[3], HL);
	/* A proof from the padded half: its uncle is real. */
	assert_int_equal(btt_hashes_tree_get(t, 2, 4, 4, 2, out, &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(check_answer(&r, 2, 4, 4, 2, out[0], n), r.height);
	ref_free(&r);
	btt_hashes_tree_release(t);
	free(t);
	free(layer);
}

static void expect(const struct btt_hashes_tree *t, uint32_t base,
		   uint32_t index, uint32_t length, uint32_t proof, int want)
{
	uint32_t n = 0xdead;

	memset(out, 0xee, sizeof(out));
	assert_int_equal(
		btt_hashes_tree_get(t, base, index, length, proof, out, &n),
		want);
	if (want == 0)
		return;
	assert_int_equal(n, 0xdead);
	assert_int_equal(out[0][0], 0xee);
}

static void test_hashes_rejects(void **state)
{
	/* 1000 pieces of 64 KiB: piece layer 2, 1024 wide, root at 12. */
	uint8_t *layer = fake_layer(1000);
	struct btt_hashes_tree *t = fake_tree(layer, 1000, 2);

	(void)state;
	/* Below the piece layer: needs the data. */
	expect(t, 0, 0, 2, 0, BTT_EUNSUPPORTED);
	expect(t, 1, 0, 2, 0, BTT_EUNSUPPORTED);
	expect(t, 2, 0, 2, 0, 0);
	/* Lengths: a power of two, at least 2. */
	expect(t, 2, 0, 0, 0, BTT_EINVALID);
	expect(t, 2, 0, 1, 0, BTT_EINVALID);
	expect(t, 2, 0, 3, 0, BTT_EINVALID);
	expect(t, 2, 0, 6, 0, BTT_EINVALID);
	expect(t, 2, 0, UINT32_MAX, 0, BTT_EINVALID);
	/* The index is a multiple of the length. */
	expect(t, 2, 3, 2, 0, BTT_EINVALID);
	expect(t, 2, 2, 4, 0, BTT_EINVALID);
	expect(t, 2, 4, 4, 0, 0);
	/* The run stays inside the padded layer (1024 wide). */
	expect(t, 2, 1020, 2, 0, 0);
	expect(t, 2, 1022, 2, 0, 0);
	expect(t, 2, 1024, 2, 0, BTT_EINVALID);
	expect(t, 2, 0xfffffffeu, 2, 0, BTT_EINVALID);
	expect(t, 2, 0x80000000u, 512, 0, BTT_EINVALID);
	expect(t, 11, 0, 2, 0, 0);
	expect(t, 11, 0, 4, 0, BTT_EINVALID);
	expect(t, 11, 2, 2, 0, BTT_EINVALID);
	/* The root layer holds one node; above it there is nothing. */
	expect(t, 12, 0, 2, 0, BTT_EINVALID);
	expect(t, 13, 0, 2, 0, BTT_EINVALID);
	expect(t, UINT32_MAX, 0, 2, 0, BTT_EINVALID);
	/* Proof layers stop below the root: at most 12 - base - 1. */
	expect(t, 2, 0, 2, 8, 0);
	expect(t, 2, 0, 2, 9, 0);
	expect(t, 2, 0, 2, 10, BTT_EINVALID);
	expect(t, 2, 0, 2, UINT32_MAX, BTT_EINVALID);
	expect(t, 10, 0, 2, 0, 0);
	expect(t, 10, 0, 2, 1, 0);
	expect(t, 10, 0, 2, 2, BTT_EINVALID);
	btt_hashes_tree_release(t);
	free(t);
	free(layer);
}

static void test_hashes_length_cap(void **state)
{
	/* 2048 pieces of 16 KiB: room for runs over the cap. */
	uint8_t *layer = fake_layer(2048);
	struct btt_hashes_tree *t = fake_tree(layer, 2048, 0);
	struct ref r;
	uint32_t n;

	(void)state;
	ref_build(&r, layer, 2048, 0);
	assert_int_equal(BTT_HASHES_MAX_LENGTH, 512);
	expect(t, 0, 0, BTT_HASHES_MAX_LENGTH - 1, 0, BTT_EINVALID);
	expect(t, 0, 0, BTT_HASHES_MAX_LENGTH + 1, 0, BTT_EINVALID);
	expect(t, 0, 0, 2 * BTT_HASHES_MAX_LENGTH, 0, BTT_ELIMIT);
	expect(t, 0, 0, 4 * BTT_HASHES_MAX_LENGTH, 0, BTT_ELIMIT);
	/* The largest answer: 512 hashes and every uncle to the root. */
	assert_int_equal(btt_hashes_tree_get(t, 0, 1536, BTT_HASHES_MAX_LENGTH,
					     10, out, &n),
			 0);
	assert_int_equal(n, BTT_HASHES_MAX_LENGTH + 2);
	assert_int_equal(check_answer(&r, 0, 1536, 512, 10, out[0], n), 11);
	ref_free(&r);
	btt_hashes_tree_release(t);
	free(t);
	free(layer);
}

static void test_hashes_tree_init(void **state)
{
	uint8_t *layer = fake_layer(1);
	struct btt_hashes_tree t;
	uint8_t root[HL];

	(void)state;
	assert_int_equal(btt_hashes_tree_init(&t, layer, 0, 2), BTT_EINVALID);
	assert_int_equal(btt_hashes_tree_init(&t, layer, 1, 63 - 32 + 1),
			 BTT_EINVALID);
	assert_int_equal(btt_hashes_tree_init(&t, layer, 1, 63 - 32), 0);
	btt_hashes_tree_release(&t);
	/* One piece: the piece is the root; no run fits its layer. */
	assert_int_equal(btt_hashes_tree_init(&t, layer, 1, 2), 0);
	assert_int_equal(btt_hashes_tree_cost(&t), 0);
	assert_int_equal(btt_hashes_tree_build(&t), 0);
	btt_hashes_tree_root(&t, root);
	assert_memory_equal(root, layer, HL);
	expect(&t, 2, 0, 2, 0, BTT_EINVALID);
	btt_hashes_tree_release(&t);
	btt_hashes_tree_release(&t); /* a zeroed tree: no-op */
	free(layer);
}

/* ---- torrents made by btt_bt_create ---- */

static int rm_entry(const char *p, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

struct fx {
	char dir[64];
	uint8_t *data[3];
	size_t size[3];
	struct btt_metainfo mi;
};

static const char *const names[3] = {"a.bin", "b.bin", "c.bin"};

#define PIECE (64u << 10) /* piece layer 2 */

static void put(struct fx *f, int i, size_t n)
{
	char path[128];
	uint64_t x = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1);
	int fd;

	f->data[i] = malloc(n);
	assert_non_null(f->data[i]);
	f->size[i] = n;
	for (size_t b = 0; b < n; b++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		f->data[i][b] = (uint8_t)x;
	}
	snprintf(path, sizeof(path), "%s/t/%s", f->dir, names[i]);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, f->data[i], n), (ssize_t)n);
	close(fd);
}

/* a.bin: 10 pieces (16 wide), b.bin: 3 pieces, c.bin: less than one
 * piece (no piece layer). */
static struct fx *fx_new(enum btt_create_version v)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct btt_create_opts o = {0};
	struct btt_create_result r;
	char path[128];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/btt-hashes-test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(path, sizeof(path), "%s/t", f->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	put(f, 0, 9 * PIECE + 100);
	put(f, 1, 2 * PIECE + 1);
	put(f, 2, 5000);
	o.path = path;
	o.piece_size = PIECE;
	o.version = v;
	o.threads = 1;
	assert_int_equal(btt_bt_create(&o, &r), 0);
	assert_int_equal(btt_metainfo_parse(&f->mi, r.torrent, r.len, NULL), 0);
	btt_bt_create_result_release(&r);
	return f;
}

static void fx_free(struct fx *f)
{
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	btt_metainfo_release(&f->mi);
	for (int i = 0; i < 3; i++)
		free(f->data[i]);
	free(f);
}

static const struct btt_file *file_named(const struct fx *f, int i)
{
	for (uint32_t j = 0; j < f->mi.num_files; j++) {
		const char *p = f->mi.files[j].path;
		size_t n = strlen(p), m = strlen(names[i]);
		if (n >= m && strcmp(p + n - m, names[i]) == 0)
			return &f->mi.files[j];
	}
	fail();
	return NULL;
}

/* File i's piece layer from its bytes: each piece's 16 KiB blocks hashed
 * and reduced over 4 leaves (zero hashes past the file's end). */
static uint8_t *layer_from_data(const struct fx *f, int i, uint32_t *out_n)
{
	uint32_t n = (uint32_t)((f->size[i] + PIECE - 1) / PIECE);
	uint8_t *layer = calloc(n, HL), leaf[4][HL];

	assert_non_null(layer);
	for (uint32_t p = 0; p < n; p++) {
		memset(leaf, 0, sizeof(leaf));
		for (uint32_t b = 0; b < 4; b++) {
			size_t at = (size_t)p * PIECE + b * 16384u;
			if (at >= f->size[i])
				break;
			btt_sha256(f->data[i] + at,
				   f->size[i] - at < 16384 ? f->size[i] - at
							   : 16384,
				   leaf[b]);
		}
		pair_hash(leaf[0], leaf[1], leaf[0]);
		pair_hash(leaf[2], leaf[3], leaf[2]);
		pair_hash(leaf[0], leaf[2], layer + (size_t)p * HL);
	}
	*out_n = n;
	return layer;
}

static void check_file(struct btt_hashes *h, const struct fx *f, int i)
{
	const struct btt_file *file = file_named(f, i);
	const uint8_t *ans;
	uint32_t n, npieces;
	uint8_t *layer = layer_from_data(f, i, &npieces);
	struct ref r;

	ref_build(&r, layer, npieces, 2);
	assert_memory_equal(ref_root(&r), file->pieces_root, HL);
	for (uint32_t base = 2; base < r.height; base++) {
		for (uint32_t p = 0; p < r.height - base; p++) {
			assert_int_equal(btt_hashes_get(h, file->pieces_root,
							base, 0, 2, p, &ans,
							&n),
					 0);
			check_answer(&r, base, 0, 2, p, ans, n);
		}
	}
	/* The whole piece layer: it folds to the root without uncles. */
	assert_int_equal(btt_hashes_get(h, file->pieces_root, 2, 0,
					(uint32_t)r.width, r.height - 3, &ans,
					&n),
			 0);
	assert_int_equal(n, r.width);
	assert_int_equal(
		check_answer(&r, 2, 0, (uint32_t)r.width, r.height - 3, ans, n),
		r.height);
	/* Block layers are not known without the data. */
	assert_int_equal(
		btt_hashes_get(h, file->pieces_root, 0, 0, 2, 0, &ans, &n),
		BTT_EUNSUPPORTED);
	assert_int_equal(
		btt_hashes_get(h, file->pieces_root, 1, 0, 2, 0, &ans, &n),
		BTT_EUNSUPPORTED);
	ref_free(&r);
	free(layer);
}

static void test_hashes_torrent(void **state)
{
	static const enum btt_create_version vs[] = {BTT_CREATE_V2,
						     BTT_CREATE_HYBRID};

	(void)state;
	for (size_t v = 0; v < 2; v++) {
		struct fx *f = fx_new(vs[v]);
		struct btt_hashes *h;
		const uint8_t *ans;
		uint8_t other[HL];
		uint32_t n;

		assert_int_equal(
			btt_hashes_new(&f->mi, BTT_HASHES_MAX_CACHE, &h), 0);
		assert_int_equal(h->nslots, 2);
		check_file(h, f, 0);
		check_file(h, f, 1);
		/* A file of one piece has no piece layer; unknown roots. */
		assert_int_equal(btt_hashes_get(h,
						file_named(f, 2)->pieces_root,
						2, 0, 2, 0, &ans, &n),
				 BTT_ENOTFOUND);
		memset(other, 0x5a, sizeof(other));
		assert_int_equal(btt_hashes_get(h, other, 2, 0, 2, 0, &ans, &n),
				 BTT_ENOTFOUND);
		btt_hashes_free(h);
		fx_free(f);
	}
}

static void test_hashes_v1_serves_nothing(void **state)
{
	struct fx *f = fx_new(BTT_CREATE_V1);
	struct btt_hashes *h;
	const uint8_t *ans;
	uint8_t root[HL] = {0};
	uint32_t n;

	(void)state;
	assert_int_equal(btt_hashes_new(&f->mi, BTT_HASHES_MAX_CACHE, &h), 0);
	assert_int_equal(h->nslots, 0);
	assert_int_equal(btt_hashes_get(h, root, 2, 0, 2, 0, &ans, &n),
			 BTT_ENOTFOUND);
	btt_hashes_free(h);
	btt_hashes_free(NULL);
	fx_free(f);
}

/* Bytes of nodes above the piece layer for n pieces. */
static size_t cost_of(uint32_t n)
{
	size_t c = 0;

	for (uint64_t w = 2; w / 2 < n; w *= 2)
		c += (n + w - 1) / w;
	return c * HL;
}

static void test_hashes_cache_cap(void **state)
{
	struct fx *f = fx_new(BTT_CREATE_V2);
	const uint8_t *ra = file_named(f, 0)->pieces_root;
	const uint8_t *rb = file_named(f, 1)->pieces_root;
	size_t ca = cost_of(10), cb = cost_of(3);
	const uint8_t *ans;
	struct btt_hashes *h;
	uint32_t n;

	(void)state;
	assert_int_equal(ca, (5 + 3 + 2 + 1) * HL);
	assert_int_equal(cb, (2 + 1) * HL);
	btt_hashes_new(&f->mi, ca - 1, &h);
	assert_int_equal(btt_hashes_get(h, ra, 2, 0, 2, 0, &ans, &n),
			 BTT_ELIMIT);
	assert_int_equal(h->cached, 0);
	btt_hashes_free(h);
	btt_hashes_new(&f->mi, ca, &h);
	assert_int_equal(btt_hashes_get(h, ra, 2, 0, 2, 0, &ans, &n), 0);
	assert_int_equal(h->cached, ca);
	btt_hashes_free(h);
	btt_hashes_new(&f->mi, ca + 1, &h);
	assert_int_equal(btt_hashes_get(h, ra, 2, 0, 2, 0, &ans, &n), 0);
	btt_hashes_free(h);
	/* Two files within max - 1: the second does not fit, the first
	 * (built) still answers. */
	btt_hashes_new(&f->mi, ca + cb - 1, &h);
	assert_int_equal(btt_hashes_get(h, ra, 2, 0, 2, 0, &ans, &n), 0);
	assert_int_equal(btt_hashes_get(h, rb, 2, 0, 2, 0, &ans, &n),
			 BTT_ELIMIT);
	assert_int_equal(btt_hashes_get(h, ra, 2, 2, 2, 1, &ans, &n), 0);
	btt_hashes_free(h);
	btt_hashes_new(&f->mi, ca + cb, &h);
	assert_int_equal(btt_hashes_get(h, ra, 2, 0, 2, 0, &ans, &n), 0);
	assert_int_equal(btt_hashes_get(h, rb, 2, 0, 2, 0, &ans, &n), 0);
	assert_int_equal(h->cached, ca + cb);
	btt_hashes_free(h);
	fx_free(f);
}

/* btt_hashes_put appends one HASHES message the wire parser reads back;
 * a reject appends nothing. */
static void test_hashes_put_message(void **state)
{
	struct fx *f = fx_new(BTT_CREATE_V2);
	const uint8_t *ra = file_named(f, 0)->pieces_root;
	struct btt_wire_msg req = {0}, m;
	struct btt_wire_parser wp;
	struct btt_hashes *h;
	struct btt_wbuf w;
	const uint8_t *ans;
	uint32_t n;
	size_t used;

	(void)state;
	btt_hashes_new(&f->mi, BTT_HASHES_MAX_CACHE, &h);
	btt_wbuf_init(&w, 1u << 16);
	req.type = BTT_WIRE_HASH_REQUEST;
	req.root = ra;
	req.base = 2;
	req.index = 8;
	req.length = 8;
	req.proof = 3;
	assert_int_equal(btt_hashes_put(h, &req, &w), 0);
	btt_wire_parser_init(&wp, 0, 0);
	assert_int_equal(btt_wire_parse(&wp, w.buf, w.len, &used, &m), 1);
	assert_int_equal(used, w.len);
	assert_int_equal(m.type, BTT_WIRE_HASHES);
	assert_memory_equal(m.root, ra, HL);
	assert_int_equal(m.base, 2);
	assert_int_equal(m.index, 8);
	assert_int_equal(m.length, 8);
	assert_int_equal(m.proof, 3);
	assert_int_equal(btt_hashes_get(h, ra, 2, 8, 8, 3, &ans, &n), 0);
	assert_int_equal(n, 9);
	assert_int_equal(m.data_len, (size_t)n * HL);
	assert_memory_equal(m.data, ans, m.data_len);
	btt_wire_parser_release(&wp);
	btt_wbuf_reset(&w);
	req.base = 0;
	assert_int_equal(btt_hashes_put(h, &req, &w), BTT_EUNSUPPORTED);
	assert_int_equal(w.len, 0);
	btt_wbuf_release(&w);
	btt_hashes_free(h);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hashes_every_request),
		cmocka_unit_test(test_hashes_padding),
		cmocka_unit_test(test_hashes_rejects),
		cmocka_unit_test(test_hashes_length_cap),
		cmocka_unit_test(test_hashes_tree_init),
		cmocka_unit_test(test_hashes_torrent),
		cmocka_unit_test(test_hashes_v1_serves_nothing),
		cmocka_unit_test(test_hashes_cache_cap),
		cmocka_unit_test(test_hashes_put_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
