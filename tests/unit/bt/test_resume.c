/* Fast resume records: encoding round trips for v1, v2 and hybrid
 * torrents, strict rejection of corrupt, truncated, hostile and foreign
 * files, the size and item limits at max-1, max and max+1, atomic saving,
 * and the trust rule. Works in a temporary directory it removes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bencode/bencode_int.h"
#include "bt/create.h"
#include "bt/layout.h"
#include "bt/metainfo.h"
#include "bt/resume.h"
#include "btt/err.h"
#include "core/limits.h"

struct fx {
	char dir[64];
	char path[128];
	struct btt_metainfo mi[3]; /* v1, v2, hybrid */
};

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void put(const char *path, size_t n, unsigned seed)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	for (size_t i = 0; i < n; i++)
		fputc((int)((i * 2654435761u + seed) >> 11 & 0xff), f);
	fclose(f);
}

static void make(struct fx *fx, struct btt_metainfo *mi,
		 enum btt_create_version v)
{
	char src[128];
	struct btt_create_opts o = {
		.piece_size = 16384, .version = v, .threads = 1};
	struct btt_create_result r;

	snprintf(src, sizeof(src), "%s/t", fx->dir);
	o.path = src;
	assert_int_equal(btt_bt_create(&o, &r), 0);
	assert_int_equal(btt_metainfo_parse(mi, r.torrent, r.len, NULL), 0);
	btt_bt_create_result_release(&r);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	const char *tmp = getenv("TMPDIR");
	char p[128];

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "%s/btt-resume-XXXXXX",
		 tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->path, sizeof(fx->path), "%s/r.resume", fx->dir);
	snprintf(p, sizeof(p), "%s/t", fx->dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/t/a.bin", fx->dir);
	put(p, 40000, 1);
	snprintf(p, sizeof(p), "%s/t/b.bin", fx->dir);
	put(p, 20000, 2);
	make(fx, &fx->mi[0], BTT_CREATE_V1);
	make(fx, &fx->mi[1], BTT_CREATE_V2);
	make(fx, &fx->mi[2], BTT_CREATE_HYBRID);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	for (int i = 0; i < 3; i++)
		btt_metainfo_release(&fx->mi[i]);
	nftw(fx->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

/* A record with every other piece and made-up file stats. */
static void sample(struct btt_resume *r, const struct btt_metainfo *mi)
{
	assert_int_equal(btt_resume_init(r, mi), 0);
	for (uint32_t p = 0; p < mi->num_pieces; p += 2)
		btt_bitfield_set(&r->have, p);
	for (uint32_t f = 0; f < mi->num_files; f++) {
		if (mi->files[f].attr & BTT_FILE_PAD)
			continue;
		r->files[f].size = mi->files[f].length;
		r->files[f].mtime_ns = 1700000000123456789 + f;
	}
}

static void encode(const struct btt_resume *r, const struct btt_metainfo *mi,
		   struct btt_wbuf *w)
{
	btt_wbuf_init(w, BTT_RESUME_MAX_SIZE);
	assert_int_equal(btt_resume_encode(r, mi, w), 0);
}

static void assert_same(const struct btt_resume *a, const struct btt_resume *b)
{
	assert_int_equal(btt_bitfield_size(&a->have),
			 btt_bitfield_size(&b->have));
	for (size_t p = 0; p < btt_bitfield_size(&a->have); p++)
		assert_int_equal(btt_bitfield_get(&a->have, p),
				 btt_bitfield_get(&b->have, p));
	assert_int_equal(a->num_files, b->num_files);
	for (uint32_t f = 0; f < a->num_files; f++) {
		assert_true(a->files[f].size == b->files[f].size);
		assert_true(a->files[f].mtime_ns == b->files[f].mtime_ns);
	}
}

static void test_resume_round_trip_all_versions(void **state)
{
	struct fx *fx = *state;

	for (int i = 0; i < 3; i++) {
		struct btt_resume a, b;
		struct btt_wbuf w;
		struct btt_resume_err err;
		sample(&a, &fx->mi[i]);
		encode(&a, &fx->mi[i], &w);
		assert_int_equal(
			btt_resume_decode(&b, &fx->mi[i], w.buf, w.len, &err),
			0);
		assert_same(&a, &b);
		/* another torrent's record is refused */
		for (int j = 0; j < 3; j++) {
			struct btt_resume c;
			if (j == i)
				continue;
			assert_int_not_equal(btt_resume_decode(&c, &fx->mi[j],
							       w.buf, w.len,
							       &err),
					     0);
			assert_null(c.files);
		}
		btt_wbuf_release(&w);
		btt_resume_release(&a);
		btt_resume_release(&b);
	}
}

/* Builds a record for mi field by field, leaving out or replacing one
 * key: `skip` names a key to leave out, `bad` a key whose value is the
 * raw bencode `bad_val` instead. */
static void build(struct btt_wbuf *w, const struct btt_metainfo *mi,
		  const char *skip, const char *bad, const char *bad_val)
{
	struct btt_resume r;
	static const char *keys[] = {"bitfield", "files", "info-hash",
				     "info-hash2", "version"};

	sample(&r, mi);
	btt_wbuf_init(w, BTT_RESUME_MAX_SIZE);
	btt_benc_dict(w);
	for (size_t k = 0; k < 5; k++) {
		const char *key = keys[k];
		if ((skip && !strcmp(key, skip)) ||
		    (!strcmp(key, "info-hash") && !mi->has_v1) ||
		    (!strcmp(key, "info-hash2") && !mi->has_v2))
			continue;
		btt_benc_cstr(w, key);
		if (bad && !strcmp(key, bad)) {
			btt_wbuf_put_str(w, bad_val);
		} else if (k == 0) {
			uint8_t bits[64] = {0};
			btt_bitfield_export(&r.have, bits);
			btt_benc_str(w, bits, btt_bitfield_bytes(&r.have));
		} else if (k == 1) {
			btt_wbuf_printf(w, "%u:", mi->num_files * 16);
			for (uint32_t i = 0; i < mi->num_files * 16; i++)
				btt_wbuf_put_u8(w, 0);
		} else if (k == 2) {
			btt_benc_str(w, mi->ih_v1, 20);
		} else if (k == 3) {
			btt_benc_str(w, mi->ih_v2, 32);
		} else {
			btt_benc_int(w, BTT_RESUME_VERSION);
		}
	}
	btt_benc_end(w);
	assert_int_equal(btt_wbuf_err(w), 0);
	btt_resume_release(&r);
}

static int decode_built(struct fx *fx, int which, const char *skip,
			const char *bad, const char *bad_val)
{
	struct btt_wbuf w;
	struct btt_resume r;
	struct btt_resume_err err = {0};
	int rc;

	build(&w, &fx->mi[which], skip, bad, bad_val);
	rc = btt_resume_decode(&r, &fx->mi[which], w.buf, w.len, &err);
	btt_wbuf_release(&w);
	if (rc) {
		assert_int_equal(err.code, rc);
		assert_true(err.msg[0] != '\0');
		assert_null(r.files);
	}
	btt_resume_release(&r);
	return rc;
}

static void test_resume_rejects_bad_fields(void **state)
{
	struct fx *fx = *state;
	/* the hybrid has 5 pieces: one bitfield byte, spare bits 0x07 */
	assert_int_equal(fx->mi[2].num_pieces, 5);

	assert_int_equal(decode_built(fx, 2, NULL, NULL, NULL), 0);
	assert_int_equal(decode_built(fx, 2, "version", NULL, NULL),
			 BTT_EMISSING);
	assert_int_equal(decode_built(fx, 2, "bitfield", NULL, NULL),
			 BTT_EMISSING);
	assert_int_equal(decode_built(fx, 2, "files", NULL, NULL),
			 BTT_EMISSING);
	assert_int_equal(decode_built(fx, 2, "info-hash", NULL, NULL),
			 BTT_EMISSING);
	assert_int_equal(decode_built(fx, 2, "info-hash2", NULL, NULL),
			 BTT_EMISSING);
	assert_int_equal(decode_built(fx, 2, NULL, "version", "i2e"),
			 BTT_EUNSUPPORTED);
	assert_int_equal(decode_built(fx, 2, NULL, "version", "1:1"),
			 BTT_ETYPE);
	assert_int_equal(decode_built(fx, 2, NULL, "bitfield", "i0e"),
			 BTT_ETYPE);
	assert_int_equal(decode_built(fx, 2, NULL, "bitfield", "0:"),
			 BTT_EMALFORMED);
	assert_int_equal(decode_built(fx, 2, NULL, "bitfield", "2:\xf0\xf0"),
			 BTT_EMALFORMED);
	/* a spare bit set */
	assert_int_equal(decode_built(fx, 2, NULL, "bitfield", "1:\x01"),
			 BTT_EMALFORMED);
	assert_int_equal(decode_built(fx, 2, NULL, "bitfield", "1:\xf0"), 0);
	assert_int_equal(decode_built(fx, 2, NULL, "files", "3:abc"),
			 BTT_EMALFORMED);
	assert_int_equal(decode_built(fx, 2, NULL, "files", "i5e"), BTT_ETYPE);
	assert_int_equal(decode_built(fx, 2, NULL, "info-hash", "3:abc"),
			 BTT_EHASH);
	assert_int_equal(decode_built(fx, 2, NULL, "info-hash2",
				      "32:0123456789abcdef0123456789abcdef"),
			 BTT_EHASH);
	/* a list where a string belongs is deeper than records go */
	assert_int_equal(decode_built(fx, 2, NULL, "files", "le"), BTT_EDEPTH);
	/* a v1 record carrying a v2 hash belongs to another torrent */
	{
		struct btt_wbuf w;
		struct btt_resume r;
		uint8_t ih2[32] = {0};
		build(&w, &fx->mi[0], "version", NULL, NULL);
		w.len--; /* reopen the dict */
		btt_benc_cstr(&w, "info-hash2");
		btt_benc_str(&w, ih2, sizeof(ih2));
		btt_benc_cstr(&w, "version");
		btt_benc_int(&w, BTT_RESUME_VERSION);
		btt_benc_end(&w);
		assert_int_equal(
			btt_resume_decode(&r, &fx->mi[0], w.buf, w.len, NULL),
			BTT_EHASH);
		btt_wbuf_release(&w);
	}
}

static void test_resume_rejects_garbage(void **state)
{
	struct fx *fx = *state;
	static const char *bad[] = {
		"",
		"d",
		"de",
		"le",
		"i1e",
		"5:hello",
		"d1:ae",
		"xyz",
		"d7:versioni1ee",
		"d7:versioni1eei0e",
		"d7:version",
		"\xff\xfe",
	};
	static const int want[] = {
		BTT_ETRUNCATED, BTT_ETRUNCATED, BTT_EMISSING,	BTT_ETYPE,
		BTT_ETYPE,	BTT_ETYPE,	BTT_EMALFORMED, BTT_EMALFORMED,
		BTT_EMISSING,	BTT_ETRAILING,	BTT_ETRUNCATED, BTT_EMALFORMED,
	};
	struct btt_resume_err err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct btt_resume r;
		int rc = btt_resume_decode(&r, &fx->mi[0], bad[i],
					   strlen(bad[i]), &err);
		if (rc != want[i])
			fail_msg("input %zu: %s (%d, want %d)", i, err.msg, rc,
				 want[i]);
		assert_null(r.files);
	}
	/* every truncation of a valid record is rejected */
	{
		struct btt_resume a, r;
		struct btt_wbuf w;
		sample(&a, &fx->mi[2]);
		encode(&a, &fx->mi[2], &w);
		for (size_t n = 0; n < w.len; n++)
			assert_int_not_equal(btt_resume_decode(&r, &fx->mi[2],
							       w.buf, n, NULL),
					     0);
		btt_wbuf_release(&w);
		btt_resume_release(&a);
	}
}

/* BTT_RESUME_MAX_SIZE: max-1 and max are read and judged on content,
 * max+1 is refused before decoding. */
static void test_resume_size_limit(void **state)
{
	struct fx *fx = *state;
	size_t sizes[] = {BTT_RESUME_MAX_SIZE - 1, BTT_RESUME_MAX_SIZE,
			  BTT_RESUME_MAX_SIZE + 1};
	uint8_t *buf = malloc(BTT_RESUME_MAX_SIZE + 1);
	struct btt_resume r;

	assert_non_null(buf);
	memset(buf, 'x', BTT_RESUME_MAX_SIZE + 1);
	for (int i = 0; i < 3; i++) {
		int want = i < 2 ? BTT_EMALFORMED : BTT_ELIMIT;
		int fd = open(fx->path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		assert_int_equal(
			btt_resume_decode(&r, &fx->mi[0], buf, sizes[i], NULL),
			want);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, buf, sizes[i]), (ssize_t)sizes[i]);
		close(fd);
		assert_int_equal(
			btt_resume_load(&r, &fx->mi[0], fx->path, NULL), want);
	}
	free(buf);
}

/* BTT_RESUME_MAX_ITEMS: a record padded with unknown keys to max-1
 * values is accepted (unknown keys are ignored), max+1 refused. A dict
 * always has an odd count, so max itself is a 64-value list. */
static void test_resume_item_limit(void **state)
{
	struct fx *fx = *state;
	const struct btt_metainfo *mi = &fx->mi[0]; /* 9 values */
	int counts[] = {BTT_RESUME_MAX_ITEMS - 1, BTT_RESUME_MAX_ITEMS + 1};

	for (int i = 0; i < 2; i++) {
		struct btt_wbuf w;
		struct btt_resume r;
		int extra = (counts[i] - 9) / 2;
		char val[64];
		snprintf(val, sizeof(val), "i1e");
		build(&w, mi, NULL, NULL, NULL);
		w.len--; /* reopen the dict: unknown keys sort after these */
		for (int k = 0; k < extra; k++) {
			char key[16];
			snprintf(key, sizeof(key), "zz%03d", k);
			btt_benc_cstr(&w, key);
			btt_wbuf_put_str(&w, val);
		}
		btt_benc_end(&w);
		assert_int_equal(btt_resume_decode(&r, mi, w.buf, w.len, NULL),
				 i == 0 ? 0 : BTT_ELIMIT);
		btt_resume_release(&r);
		btt_wbuf_release(&w);
	}
	{
		struct btt_wbuf w;
		struct btt_resume r;
		btt_wbuf_init(&w, 1 << 16);
		btt_benc_list(&w);
		for (unsigned k = 0; k < BTT_RESUME_MAX_ITEMS - 1; k++)
			btt_benc_int(&w, 0);
		btt_benc_end(&w);
		assert_int_equal(btt_resume_decode(&r, mi, w.buf, w.len, NULL),
				 BTT_ETYPE);
		btt_wbuf_release(&w);
	}
}

static void test_resume_save_is_atomic(void **state)
{
	struct fx *fx = *state;
	struct btt_resume a, b;
	char tmp[160], bad[160];

	unlink(fx->path);
	assert_int_equal(btt_resume_load(&b, &fx->mi[1], fx->path, NULL),
			 -ENOENT);
	sample(&a, &fx->mi[1]);
	assert_int_equal(btt_resume_save(&a, &fx->mi[1], fx->path), 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp", fx->path);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(btt_resume_load(&b, &fx->mi[1], fx->path, NULL), 0);
	assert_same(&a, &b);
	btt_resume_release(&b);
	/* a save that cannot happen leaves the previous file alone */
	snprintf(bad, sizeof(bad), "%s/no/such/dir/r.resume", fx->dir);
	assert_int_equal(btt_resume_save(&a, &fx->mi[1], bad), -ENOENT);
	/* the temporary name is taken by a directory: rename never runs */
	assert_int_equal(mkdir(tmp, 0755), 0);
	btt_bitfield_clear_all(&a.have);
	assert_int_equal(btt_resume_save(&a, &fx->mi[1], fx->path), -EISDIR);
	assert_int_equal(btt_resume_load(&b, &fx->mi[1], fx->path, NULL), 0);
	assert_true(btt_bitfield_get(&b.have, 0));
	btt_resume_release(&b);
	rmdir(tmp);
	/* a record made for another torrent is not encoded */
	assert_int_not_equal(fx->mi[0].num_pieces, fx->mi[1].num_pieces);
	assert_int_equal(btt_resume_save(&a, &fx->mi[0], fx->path),
			 BTT_EINVALID);
	btt_resume_release(&a);
}

static void test_resume_plan_trust_rule(void **state)
{
	struct fx *fx = *state;
	const struct btt_metainfo *mi = &fx->mi[0]; /* a.bin 40000, b.bin */
	struct btt_bitfield have, recheck;
	struct btt_resume r;
	struct btt_resume_file now[2];

	/* pieces: 0, 1 in a.bin; 2 spans a.bin and b.bin; 3 in b.bin */
	assert_int_equal(mi->num_pieces, 4);
	assert_int_equal(mi->num_files, 2);
	sample(&r, mi);
	btt_bitfield_set_all(&r.have);
	memcpy(now, r.files, sizeof(now));

	/* nothing changed: all trusted */
	assert_int_equal(btt_resume_plan(mi, &r, now, &have, &recheck), 0);
	assert_int_equal(btt_bitfield_count(&have), 4);
	assert_int_equal(btt_bitfield_count(&recheck), 0);
	btt_bitfield_release(&have);
	btt_bitfield_release(&recheck);

	/* b.bin changed: pieces 2 and 3 are rechecked */
	now[1].mtime_ns++;
	assert_int_equal(btt_resume_plan(mi, &r, now, &have, &recheck), 0);
	assert_true(btt_bitfield_get(&have, 0) && btt_bitfield_get(&have, 1));
	assert_true(btt_bitfield_get(&recheck, 2) &&
		    btt_bitfield_get(&recheck, 3));
	assert_int_equal(btt_bitfield_count(&have), 2);
	btt_bitfield_release(&have);
	btt_bitfield_release(&recheck);

	/* b.bin gone: its pieces are neither trusted nor checked */
	now[1].mtime_ns = BTT_RESUME_ABSENT;
	now[1].size = 0;
	btt_bitfield_clear(&r.have, 1); /* piece 1 was never verified */
	assert_int_equal(btt_resume_plan(mi, &r, now, &have, &recheck), 0);
	assert_int_equal(btt_bitfield_count(&have), 1);
	assert_true(btt_bitfield_get(&have, 0));
	assert_int_equal(btt_bitfield_count(&recheck), 0);
	btt_bitfield_release(&have);
	btt_bitfield_release(&recheck);

	/* no record: every piece whose bytes are all there is checked */
	now[1] = r.files[1];
	now[0].size = 20000; /* a.bin short: only piece 0 is whole */
	assert_int_equal(btt_resume_plan(mi, NULL, now, &have, &recheck), 0);
	assert_int_equal(btt_bitfield_count(&have), 0);
	assert_int_equal(btt_bitfield_count(&recheck), 2);
	assert_true(btt_bitfield_get(&recheck, 0));
	assert_true(btt_bitfield_get(&recheck, 3));
	btt_bitfield_release(&have);
	btt_bitfield_release(&recheck);
	btt_resume_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resume_round_trip_all_versions),
		cmocka_unit_test(test_resume_rejects_bad_fields),
		cmocka_unit_test(test_resume_rejects_garbage),
		cmocka_unit_test(test_resume_size_limit),
		cmocka_unit_test(test_resume_item_limit),
		cmocka_unit_test(test_resume_save_is_atomic),
		cmocka_unit_test(test_resume_plan_trust_rule),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
