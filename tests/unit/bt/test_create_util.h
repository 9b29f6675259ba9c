/* Helpers for the torrent creation tests: temporary trees, a reference
 * BEP 52 merkle root written independently of crypto/merkle.c, and
 * lookups into the created torrent. Included by test_create*.c only. */
#ifndef BTT_TEST_CREATE_UTIL_H
#define BTT_TEST_CREATE_UTIL_H

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bencode/bencode_int.h"
#include "bt/create.h"
#include "crypto/hash.h"

static inline int rm_entry(const char *p, const struct stat *st, int flag,
			   struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

/* Removes a directory tree (no symlinks followed). */
static inline void tree_remove(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static inline char *tmp_dir(void)
{
	char tmpl[] = "/tmp/btt-create-test.XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return strdup(d);
}

/* A deterministic pseudo-random byte stream (xorshift), so tests do not
 * depend on /dev/urandom but content still differs block to block. */
static inline void fill_bytes(uint8_t *p, size_t n, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)x;
	}
}

/* Writes dir/rel (creating parent directories) with n bytes from seed;
 * returns the content (malloc'd) when want is true. */
static inline uint8_t *put_file(const char *dir, const char *rel, size_t n,
				uint64_t seed, bool want)
{
	char path[4096];
	uint8_t *buf = malloc(n ? n : 1);
	int fd;

	assert_non_null(buf);
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (char *s = path + strlen(dir) + 1; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(path, 0755);
			*s = '/';
		}
	}
	fill_bytes(buf, n, seed);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, n), (ssize_t)n);
	close(fd);
	if (want)
		return buf;
	free(buf);
	return NULL;
}

/* The BEP 52 root of n bytes: SHA-256 leaves of 16 KiB blocks, zero
 * leaves up to `width` (a power of two), pairs hashed up to one node. */
static inline void ref_root(const uint8_t *p, size_t n, size_t width,
			    uint8_t out[32])
{
	uint8_t(*nodes)[32] = calloc(width, 32);
	size_t nblocks = (n + 16383) / 16384;

	assert_non_null(nodes);
	assert_true(nblocks <= width);
	for (size_t i = 0; i < nblocks; i++) {
		size_t b = n - i * 16384 < 16384 ? n - i * 16384 : 16384;
		btt_sha256(p + i * 16384, b, nodes[i]);
	}
	for (; width > 1; width /= 2)
		for (size_t i = 0; i < width / 2; i++)
			btt_sha256(nodes[2 * i], 64, nodes[i]);
	memcpy(out, nodes[0], 32);
	free(nodes);
}

static inline size_t pow2_at_least(size_t n)
{
	size_t w = 1;
	while (w < n)
		w *= 2;
	return w;
}

/* A created torrent, decoded. */
struct made {
	struct btt_create_result r;
	struct btt_bdoc doc;
	uint32_t info;
};

static inline int make_torrent(const struct btt_create_opts *o, struct made *m)
{
	int err = btt_bt_create(o, &m->r);
	memset(&m->doc, 0, sizeof(m->doc));
	if (err)
		return err;
	assert_int_equal(btt_bdecode(&m->doc, m->r.torrent, m->r.len, NULL), 0);
	m->info = btt_bnode_get(&m->doc, 0, "info");
	assert_int_not_equal(m->info, BTT_BNONE);
	return 0;
}

static inline void made_release(struct made *m)
{
	btt_bdoc_release(&m->doc);
	btt_bt_create_result_release(&m->r);
}

/* The string under key in dict `i` (must exist). */
static inline struct btt_cur get_str(const struct made *m, uint32_t i,
				     const char *key)
{
	struct btt_cur c;
	assert_true(btt_bnode_get_str(&m->doc, i, key, &c));
	return c;
}

/* Follows a path of dict keys from node i; "" is a valid key. */
static inline uint32_t dig(const struct made *m, uint32_t i, const char **keys,
			   size_t n)
{
	for (size_t k = 0; k < n && i != BTT_BNONE; k++)
		i = btt_bnode_get_n(&m->doc, i, keys[k], strlen(keys[k]));
	return i;
}

#endif
