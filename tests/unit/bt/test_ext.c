/* BEP 10 extension handshakes: decoding real-world shapes, encode ->
 * decode round trips, the whole EXTENDED message, additive merges, and
 * hostile dictionaries (wrong types, huge m, bad yourip, over-long names,
 * the bencode limits at max-1, max and max+1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt/ext.h"
#include "bt/wire.h"
#include "btt/err.h"
#include "core/limits.h"
#include "core/wbuf.h"

static int dec(struct btt_ext_hs *h, const char *s)
{
	return btt_ext_hs_decode(h, (const uint8_t *)s, strlen(s));
}

static void test_ext_decode_libtorrent_shape(void **state)
{
	/* keys as libtorrent 2.0 sends them (sorted) */
	static const char hs[] =
		"d12:complete_agoi-1e1:md11:lt_donthavei7e10:share_modei8e"
		"11:upload_onlyi3e12:ut_holepunchi4e11:ut_metadatai2e6:ut_pex"
		"i1ee13:metadata_sizei31235e1:pi6881e4:reqqi500e11:upload_only"
		"i1e1:v18:libtorrent 2.0.8.06:yourip4:\x7f\0\0\x01"
		"e";
	struct btt_ext_hs h;
	(void)state;

	assert_int_equal(
		btt_ext_hs_decode(&h, (const uint8_t *)hs, sizeof(hs) - 1), 0);
	assert_int_equal(h.nm, 6);
	assert_int_equal(btt_ext_hs_id(&h, "ut_metadata"), 2);
	assert_int_equal(btt_ext_hs_id(&h, "ut_pex"), 1);
	assert_int_equal(btt_ext_hs_id(&h, "lt_donthave"), 7);
	assert_int_equal(btt_ext_hs_id(&h, "btt_pay"), 0);
	assert_true(h.has & BTT_EXT_HAS_P);
	assert_int_equal(h.p, 6881);
	assert_int_equal(h.reqq, 500);
	assert_int_equal(h.metadata_size, 31235);
	assert_true(h.upload_only);
	assert_int_equal(h.v_len, 18);
	assert_memory_equal(h.v, "libtorrent 2.0.8.0", 18);
	assert_int_equal(h.yourip_len, 4);
	assert_memory_equal(h.yourip, "\x7f\0\0\x01", 4);
	assert_false(h.has & BTT_EXT_HAS_IPV4);
}

static void fill(struct btt_ext_hs *h)
{
	memset(h, 0, sizeof(*h));
	assert_int_equal(btt_ext_hs_set(h, "ut_pex", 1), 0);
	assert_int_equal(btt_ext_hs_set(h, "ut_metadata", 2), 0);
	assert_int_equal(btt_ext_hs_set(h, "btt_pay", 3), 0);
	assert_int_equal(btt_ext_hs_set(h, "lt_donthave", 0), 0);
	h->has = BTT_EXT_HAS_P | BTT_EXT_HAS_V | BTT_EXT_HAS_YOURIP |
		 BTT_EXT_HAS_IPV4 | BTT_EXT_HAS_IPV6 | BTT_EXT_HAS_REQQ |
		 BTT_EXT_HAS_METADATA_SIZE | BTT_EXT_HAS_UPLOAD_ONLY;
	h->p = 51413;
	memcpy(h->v, "btt 0.1.0", 9);
	h->v_len = 9;
	h->yourip_len = 16;
	memset(h->yourip, 0x20, 16);
	memcpy(h->ipv4, "\x0a\0\0\x02", 4);
	memset(h->ipv6, 0xfe, 16);
	h->reqq = 2000;
	h->metadata_size = 12345;
	h->upload_only = false;
}

static void test_ext_round_trip(void **state)
{
	struct btt_ext_hs a, b;
	struct btt_wbuf w;
	(void)state;

	fill(&a);
	btt_wbuf_init(&w, 4096);
	assert_int_equal(btt_ext_hs_encode(&a, &w), 0);
	/* the decoder only takes canonical bencode: keys came out sorted */
	assert_int_equal(btt_ext_hs_decode(&b, w.buf, w.len), 0);
	assert_int_equal(b.nm, 4);
	assert_int_equal(btt_ext_hs_id(&b, "ut_pex"), 1);
	assert_int_equal(btt_ext_hs_id(&b, "ut_metadata"), 2);
	assert_int_equal(btt_ext_hs_id(&b, "btt_pay"), 3);
	assert_int_equal(btt_ext_hs_id(&b, "lt_donthave"), 0);
	assert_int_equal(b.has, a.has);
	assert_int_equal(b.p, a.p);
	assert_int_equal(b.v_len, a.v_len);
	assert_memory_equal(b.v, a.v, a.v_len);
	assert_int_equal(b.yourip_len, 16);
	assert_memory_equal(b.yourip, a.yourip, 16);
	assert_memory_equal(b.ipv4, a.ipv4, 4);
	assert_memory_equal(b.ipv6, a.ipv6, 16);
	assert_int_equal(b.reqq, 2000);
	assert_int_equal(b.metadata_size, 12345);
	assert_false(b.upload_only);
	btt_wbuf_release(&w);
	/* an empty handshake is "de" */
	memset(&a, 0, sizeof(a));
	btt_wbuf_init(&w, 64);
	assert_int_equal(btt_ext_hs_encode(&a, &w), 0);
	assert_int_equal(w.len, 2);
	assert_memory_equal(w.buf, "de", 2);
	btt_wbuf_release(&w);
}

static void test_ext_put_msg(void **state)
{
	struct btt_ext_hs a, b;
	struct btt_wire_parser p;
	struct btt_wire_msg m;
	struct btt_wbuf w;
	size_t used;
	(void)state;

	fill(&a);
	btt_wbuf_init(&w, 4096);
	btt_wbuf_put(&w, "xx", 2); /* the message need not start the buffer */
	assert_int_equal(btt_ext_hs_put_msg(&w, &a), 0);
	btt_wire_parser_init(&p, 0, 0);
	assert_int_equal(btt_wire_parse(&p, w.buf + 2, w.len - 2, &used, &m),
			 1);
	assert_int_equal(used, w.len - 2);
	assert_int_equal(m.type, BTT_WIRE_EXTENDED);
	assert_int_equal(m.ext, 0);
	assert_int_equal(btt_ext_hs_decode(&b, m.data, m.data_len), 0);
	assert_int_equal(btt_ext_hs_id(&b, "btt_pay"), 3);
	btt_wire_parser_release(&p);
	btt_wbuf_release(&w);
	/* a full buffer fails cleanly */
	btt_wbuf_init(&w, 20);
	assert_int_equal(btt_ext_hs_put_msg(&w, &a), BTT_ENOSPACE);
	btt_wbuf_release(&w);
}

static void test_ext_merge_additive(void **state)
{
	struct btt_ext_hs acc, upd;
	(void)state;

	assert_int_equal(dec(&acc, "d1:md11:ut_metadatai2e6:ut_pexi1ee1:pi1e"
				   "e"),
			 0);
	/* BEP 10's own example: disable one extension, keep the rest */
	assert_int_equal(dec(&upd, "d1:md6:ut_pexi0eee"), 0);
	assert_int_equal(btt_ext_hs_id(&upd, "ut_pex"), 0);
	assert_int_equal(upd.nm, 1);
	assert_int_equal(btt_ext_hs_merge(&acc, &upd), 0);
	assert_int_equal(btt_ext_hs_id(&acc, "ut_pex"), 0);
	assert_int_equal(btt_ext_hs_id(&acc, "ut_metadata"), 2);
	assert_int_equal(acc.nm, 1);
	assert_int_equal(acc.p, 1);
	/* change an id, add a name, overwrite a field */
	assert_int_equal(dec(&upd, "d1:md7:btt_payi9e11:ut_metadatai5ee1:pi2e"
				   "e"),
			 0);
	assert_int_equal(btt_ext_hs_merge(&acc, &upd), 0);
	assert_int_equal(btt_ext_hs_id(&acc, "ut_metadata"), 5);
	assert_int_equal(btt_ext_hs_id(&acc, "btt_pay"), 9);
	assert_int_equal(acc.p, 2);
	/* fields upd lacks stay */
	assert_int_equal(dec(&upd, "d4:reqqi10ee"), 0);
	assert_int_equal(btt_ext_hs_merge(&acc, &upd), 0);
	assert_int_equal(acc.p, 2);
	assert_int_equal(acc.reqq, 10);
}

static void test_ext_merge_full(void **state)
{
	struct btt_ext_hs acc, upd;
	char name[16];
	(void)state;

	memset(&acc, 0, sizeof(acc));
	memset(&upd, 0, sizeof(upd));
	for (int i = 0; i < BTT_EXT_MAX_M; i++) {
		snprintf(name, sizeof(name), "a%d", i);
		assert_int_equal(btt_ext_hs_set(&acc, name, 1), 0);
		snprintf(name, sizeof(name), "b%d", i);
		assert_int_equal(btt_ext_hs_set(&upd, name, 2), 0);
	}
	assert_int_equal(btt_ext_hs_set(&acc, "one-more", 1), BTT_ELIMIT);
	assert_int_equal(btt_ext_hs_set(&acc, "a0", 7), 0); /* replace fits */
	assert_int_equal(btt_ext_hs_merge(&acc, &upd), BTT_ELIMIT);
	assert_int_equal(acc.nm, BTT_EXT_MAX_M);
	assert_int_equal(btt_ext_hs_id(&acc, "a0"), 7);
}

static void test_ext_names(void **state)
{
	struct btt_ext_hs h;
	char name[BTT_EXT_MAX_NAME + 2];
	char doc[256];
	(void)state;

	memset(&h, 0, sizeof(h));
	memset(name, 'a', sizeof(name));
	name[BTT_EXT_MAX_NAME - 1] = '\0';
	assert_int_equal(btt_ext_hs_set(&h, name, 1), 0);
	name[BTT_EXT_MAX_NAME - 1] = 'a';
	name[BTT_EXT_MAX_NAME] = '\0';
	assert_int_equal(btt_ext_hs_set(&h, name, 1), 0);
	name[BTT_EXT_MAX_NAME] = 'a';
	name[BTT_EXT_MAX_NAME + 1] = '\0';
	assert_int_equal(btt_ext_hs_set(&h, name, 1), BTT_EINVALID);
	assert_int_equal(btt_ext_hs_set(&h, "", 1), BTT_EINVALID);
	/* decoding: an over-long name is skipped, the rest kept */
	snprintf(doc, sizeof(doc), "d1:md%d:%si1e6:ut_pexi1eee",
		 BTT_EXT_MAX_NAME + 1, name);
	assert_int_equal(dec(&h, doc), 0);
	assert_int_equal(h.nm, 1);
	assert_int_equal(btt_ext_hs_id(&h, "ut_pex"), 1);
	name[BTT_EXT_MAX_NAME] = '\0';
	snprintf(doc, sizeof(doc), "d1:md%d:%si4eee", BTT_EXT_MAX_NAME, name);
	assert_int_equal(dec(&h, doc), 0);
	assert_int_equal(btt_ext_hs_id(&h, name), 4);
}

static void test_ext_hostile_types(void **state)
{
	struct btt_ext_hs h;
	(void)state;

	/* not a dictionary */
	assert_int_equal(dec(&h, "le"), BTT_ETYPE);
	assert_int_equal(dec(&h, "i1e"), BTT_ETYPE);
	assert_int_equal(dec(&h, "3:abc"), BTT_ETYPE);
	/* not bencode, truncated, trailing, non-canonical */
	assert_int_equal(dec(&h, ""), BTT_ETRUNCATED);
	assert_int_equal(dec(&h, "d1:m"), BTT_ETRUNCATED);
	assert_int_equal(dec(&h, "dex"), BTT_ETRAILING);
	assert_int_equal(dec(&h, "d1:pi1e1:mdee"), BTT_ENONCANONICAL);
	assert_int_equal(h.nm, 0);
	/* known keys with the wrong type or unusable values read as absent */
	assert_int_equal(dec(&h, "d1:m4:spam1:p4:68814:reqq3:lot1:vi3e"
				 "6:yourip3:abce"),
			 0);
	assert_int_equal(h.nm, 0);
	assert_int_equal(h.has, 0);
	assert_int_equal(dec(&h, "d1:mli1ee13:metadata_sizei0e1:pi0e4:reqq"
				 "i0e6:yourip5:abcdee"),
			 0);
	assert_int_equal(h.has, 0);
	assert_int_equal(dec(&h, "d4:ipv43:abc4:ipv64:abcd13:metadata_size"
				 "i31457281e1:pi65536ee"),
			 0);
	assert_int_equal(h.has, 0);
	assert_int_equal(dec(&h, "d13:metadata_sizei31457280e1:pi65535ee"), 0);
	assert_int_equal(h.p, 65535);
	assert_int_equal(h.metadata_size, BTT_METAINFO_MAX_SIZE);
	/* m values that are not one-byte ids */
	assert_int_equal(dec(&h, "d1:md1:ai-1e1:bi256e1:c1:x1:di255eee"), 0);
	assert_int_equal(h.nm, 1);
	assert_int_equal(btt_ext_hs_id(&h, "d"), 255);
	/* reqq above the cap is clamped */
	assert_int_equal(dec(&h, "d4:reqqi99999999ee"), 0);
	assert_int_equal(h.reqq, BTT_EXT_MAX_REQQ);
	/* a long client name is truncated */
	assert_int_equal(
		dec(&h, "d1:v200:"
			"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			"e"),
		0);
	assert_int_equal(h.v_len, BTT_EXT_MAX_V);
	/* yourip: 4 and 16 bytes only */
	assert_int_equal(dec(&h, "d6:yourip16:0123456789abcdefe"), 0);
	assert_int_equal(h.yourip_len, 16);
	assert_int_equal(dec(&h, "d6:yourip15:0123456789abcdee"), 0);
	assert_false(h.has & BTT_EXT_HAS_YOURIP);
	assert_int_equal(dec(&h, "d6:yourip0:e"), 0);
	assert_int_equal(h.yourip_len, 0);
}

/* An m dict with `n` names "kNNN" -> 1. */
static char *m_doc(int n)
{
	size_t cap = 64 + (size_t)n * 16;
	char *s = malloc(cap);
	size_t at = (size_t)snprintf(s, cap, "d1:md");

	for (int i = 0; i < n; i++)
		at += (size_t)snprintf(s + at, cap - at, "4:k%03di1e", i);
	snprintf(s + at, cap - at, "ee");
	return s;
}

static void test_ext_huge_m(void **state)
{
	struct btt_ext_hs h;
	char *s;
	(void)state;

	s = m_doc(BTT_EXT_MAX_M - 1);
	assert_int_equal(dec(&h, s), 0);
	assert_int_equal(h.nm, BTT_EXT_MAX_M - 1);
	free(s);
	s = m_doc(BTT_EXT_MAX_M);
	assert_int_equal(dec(&h, s), 0);
	assert_int_equal(h.nm, BTT_EXT_MAX_M);
	free(s);
	s = m_doc(BTT_EXT_MAX_M + 1);
	assert_int_equal(dec(&h, s), BTT_ELIMIT);
	assert_int_equal(h.nm, 0);
	free(s);
	/* far beyond: the bencode item limit stops it first */
	s = m_doc(900);
	assert_int_equal(dec(&h, s), BTT_ELIMIT);
	free(s);
}

/* A list of `n` - 2 integers under key "x": root + key + list + ints =
 * n values. */
static char *items_doc(int n)
{
	size_t cap = 64 + (size_t)n * 4;
	char *s = malloc(cap);
	size_t at = (size_t)snprintf(s, cap, "d1:xl");

	for (int i = 0; i < n - 3; i++)
		at += (size_t)snprintf(s + at, cap - at, "i1e");
	snprintf(s + at, cap - at, "ee");
	return s;
}

static void test_ext_bencode_limits(void **state)
{
	struct btt_ext_hs h;
	char deep[64], *s;
	int d;
	(void)state;

	s = items_doc(BTT_EXT_HS_MAX_ITEMS - 1);
	assert_int_equal(dec(&h, s), 0);
	free(s);
	s = items_doc(BTT_EXT_HS_MAX_ITEMS);
	assert_int_equal(dec(&h, s), 0);
	free(s);
	s = items_doc(BTT_EXT_HS_MAX_ITEMS + 1);
	assert_int_equal(dec(&h, s), BTT_ELIMIT);
	free(s);
	/* depth: the root dict is one level, each nested list one more */
	for (int extra = -1; extra <= 1; extra++) {
		size_t at = 0;

		d = BTT_EXT_HS_MAX_DEPTH + extra;
		at += (size_t)snprintf(deep + at, sizeof(deep) - at, "d1:x");
		for (int i = 1; i < d; i++)
			deep[at++] = 'l';
		for (int i = 1; i < d; i++)
			deep[at++] = 'e';
		deep[at++] = 'e';
		deep[at] = '\0';
		assert_int_equal(dec(&h, deep), extra <= 0 ? 0 : BTT_EDEPTH);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ext_decode_libtorrent_shape),
		cmocka_unit_test(test_ext_round_trip),
		cmocka_unit_test(test_ext_put_msg),
		cmocka_unit_test(test_ext_merge_additive),
		cmocka_unit_test(test_ext_merge_full),
		cmocka_unit_test(test_ext_names),
		cmocka_unit_test(test_ext_hostile_types),
		cmocka_unit_test(test_ext_huge_m),
		cmocka_unit_test(test_ext_bencode_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
