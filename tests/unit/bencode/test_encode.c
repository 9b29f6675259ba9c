/* bencode encoder: scalar forms, the sticky error, and round trips: any
 * document the decoder accepts re-encodes from its tree to the same bytes
 * (fixed documents, every subtree, a few thousand random documents, and
 * random corruptions of them that still decode). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bencode/bencode_int.h"
#include "btt/err.h"
#include "core/limits.h"

#define S(lit) lit, sizeof(lit) - 1

static void expect_bytes(struct btt_wbuf *w, const char *want, size_t n)
{
	assert_int_equal(btt_wbuf_err(w), 0);
	assert_int_equal(w->len, n);
	assert_memory_equal(w->buf, want, n);
	btt_wbuf_reset(w);
}

static void test_encode_scalars(void **state)
{
	struct btt_wbuf w;
	(void)state;

	btt_wbuf_init(&w, 1 << 20);
	btt_benc_int(&w, 0);
	expect_bytes(&w, S("i0e"));
	btt_benc_int(&w, -1);
	expect_bytes(&w, S("i-1e"));
	btt_benc_int(&w, 1234567890);
	expect_bytes(&w, S("i1234567890e"));
	btt_benc_int(&w, INT64_MAX);
	expect_bytes(&w, S("i9223372036854775807e"));
	btt_benc_int(&w, INT64_MIN);
	expect_bytes(&w, S("i-9223372036854775808e"));
	btt_benc_str(&w, "", 0);
	expect_bytes(&w, S("0:"));
	btt_benc_str(&w, "a\0b", 3);
	expect_bytes(&w, S("3:a\0b"));
	btt_benc_cstr(&w, "spam and eggs");
	expect_bytes(&w, S("13:spam and eggs"));
	btt_benc_dict(&w);
	btt_benc_cstr(&w, "a");
	btt_benc_list(&w);
	btt_benc_end(&w);
	btt_benc_end(&w);
	expect_bytes(&w, S("d1:alee"));
	btt_wbuf_release(&w);
}

static void test_encode_sticky_error(void **state)
{
	uint8_t buf[8];
	struct btt_wbuf w;
	(void)state;

	/* max-1 and max fit, max+1 fails and stays failed */
	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	btt_benc_cstr(&w, "abcde"); /* 7 bytes */
	assert_int_equal(btt_wbuf_err(&w), 0);
	btt_benc_end(&w);
	assert_int_equal(btt_wbuf_err(&w), 0);
	assert_int_equal(w.len, 8);
	btt_benc_end(&w);
	assert_int_equal(btt_wbuf_err(&w), BTT_ENOSPACE);
	btt_wbuf_reset(&w);
	btt_benc_int(&w, INT64_MIN);
	assert_int_equal(btt_wbuf_err(&w), BTT_ENOSPACE);
	btt_benc_int(&w, 1);
	assert_int_equal(btt_wbuf_err(&w), BTT_ENOSPACE);
	btt_wbuf_release(&w);
}

/* Decodes `in` and re-encodes the root and every subtree from the tree;
 * each must equal its raw span. */
static void roundtrip(const void *in, size_t n)
{
	uint8_t *b = malloc(n ? n : 1);
	struct btt_bdoc doc;
	struct btt_wbuf w;
	int rc;

	assert_non_null(b);
	memcpy(b, in, n);
	rc = btt_bdecode(&doc, b, n, NULL);
	if (rc != 0)
		print_error("decode '%.*s': %s at %zu (%s)\n", (int)n,
			    (const char *)in, btt_err_name(rc), doc.err_off,
			    doc.msg);
	assert_int_equal(rc, 0);
	btt_wbuf_init(&w, n + 64);
	for (uint32_t i = 0; i < doc.n; i++) {
		struct btt_cur raw = btt_bnode_raw(&doc, i);
		btt_wbuf_reset(&w);
		btt_benc_node(&w, &doc, i);
		assert_int_equal(btt_wbuf_err(&w), 0);
		assert_int_equal(w.len, btt_cur_len(&raw));
		assert_memory_equal(w.buf, btt_cur_data(&raw), w.len);
		/* rebuilt, not copied: the output is separate storage */
		assert_ptr_not_equal(w.buf, btt_cur_data(&raw));
	}
	btt_wbuf_release(&w);
	btt_bdoc_release(&doc);
	free(b);
}

static void test_encode_roundtrip_documents(void **state)
{
	static const char *const docs[] = {
		"0:",
		"i0e",
		"i-9223372036854775808e",
		"le",
		"de",
		"lllleeee",
		"ldededelee",
		"d0:0:e",
		"d1:ad1:bd1:cdeee1:dlleee",
		"li1ei-1e1:a2:bcl3:defd1:xi99eeee",
		("d8:announce12:http://x/ann4:infod6:lengthi12345e4:name1:f"
		 "12:piece lengthi16384e6:pieces20:01234567890123456789ee"),
		"d1:ai1e2:aai1e1:bl0:0:0:ee",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		roundtrip(docs[i], strlen(docs[i]));
	roundtrip(S("l3:\0\xff\x80i1ee"));
	roundtrip(S("d1:\0i0e1:\xffi1ee"));
}

/* The deepest document the decoder admits re-encodes too. */
static void test_encode_roundtrip_max_depth(void **state)
{
	const size_t d = BTT_BENCODE_MAX_DEPTH;
	char *s = malloc(4 * d);
	size_t n = 0;
	(void)state;

	assert_non_null(s);
	for (size_t i = 0; i < d; i++) {
		memcpy(s + n, i & 1 ? "l" : "d1:k", i & 1 ? 1 : 4);
		n += i & 1 ? 1 : 4;
	}
	/* d is even: the innermost container is a list */
	for (size_t i = 0; i < d; i++)
		s[n++] = 'e';
	roundtrip(s, n);
	free(s);
}

/* A tiny deterministic generator of canonical documents. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint32_t rnd(uint32_t n)
{
	return (uint32_t)(next_rand() % n);
}

struct key {
	uint8_t b[6];
	size_t n;
};

static int key_cmp(const void *pa, const void *pb)
{
	const struct key *a = pa, *b = pb;
	size_t m = a->n < b->n ? a->n : b->n;
	int c = m ? memcmp(a->b, b->b, m) : 0;

	if (c)
		return c;
	return a->n < b->n ? -1 : a->n > b->n;
}

static void gen_int(struct btt_wbuf *w)
{
	static const int64_t edges[] = {0,
					1,
					-1,
					9,
					10,
					-10,
					INT64_MAX,
					INT64_MIN,
					INT64_MAX - 1,
					INT64_MIN + 1};
	switch (rnd(3)) {
	case 0: btt_benc_int(w, edges[rnd(10)]); break;
	case 1: btt_benc_int(w, (int64_t)rnd(2000) - 1000); break;
	default: btt_benc_int(w, (int64_t)next_rand()); break;
	}
}

static void gen_str(struct btt_wbuf *w)
{
	uint8_t b[300];
	size_t n = rnd(8) == 0 ? rnd(sizeof(b)) : rnd(12);

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)next_rand();
	btt_benc_str(w, b, n);
}

/* Keys over a small alphabet so that prefixes and near-duplicates occur. */
static size_t gen_keys(struct key *keys, size_t want)
{
	size_t n = 0;

	for (size_t i = 0; i < want; i++) {
		keys[i].n = rnd(4);
		for (size_t j = 0; j < keys[i].n; j++)
			keys[i].b[j] = (uint8_t)("ab\0\xff"[rnd(4)]);
	}
	qsort(keys, want, sizeof(keys[0]), key_cmp);
	for (size_t i = 0; i < want; i++)
		if (n == 0 || key_cmp(&keys[n - 1], &keys[i]) != 0)
			keys[n++] = keys[i];
	return n;
}

/* The generator recurses, but on its own bounded depth, not on input. */
static void gen_value(struct btt_wbuf *w, unsigned depth)
{
	struct key keys[6];
	uint32_t kind = depth >= 6 ? rnd(2) : rnd(4);

	if (kind == 0) {
		gen_int(w);
	} else if (kind == 1) {
		gen_str(w);
	} else if (kind == 2) {
		btt_benc_list(w);
		for (uint32_t i = rnd(6); i > 0; i--)
			gen_value(w, depth + 1);
		btt_benc_end(w);
	} else {
		size_t n = gen_keys(keys, rnd(7));
		btt_benc_dict(w);
		for (size_t i = 0; i < n; i++) {
			btt_benc_str(w, keys[i].b, keys[i].n);
			gen_value(w, depth + 1);
		}
		btt_benc_end(w);
	}
}

static void test_encode_roundtrip_random(void **state)
{
	struct btt_wbuf w;
	(void)state;

	btt_wbuf_init(&w, 16 << 20);
	for (int i = 0; i < 4000; i++) {
		btt_wbuf_reset(&w);
		gen_value(&w, 0);
		assert_int_equal(btt_wbuf_err(&w), 0);
		roundtrip(w.buf, w.len);
	}
	btt_wbuf_release(&w);
}

/* Corrupted documents: whatever still decodes must still round-trip, and
 * whatever fails leaves no nodes. */
static void test_encode_corrupted_documents(void **state)
{
	static const uint8_t alphabet[] = "0123456789-:iedlx\xff";
	struct btt_wbuf w;
	struct btt_bdoc doc;
	int accepted = 0, rejected = 0;
	(void)state;

	btt_wbuf_init(&w, 16 << 20);
	for (int i = 0; i < 4000; i++) {
		uint8_t *b;
		btt_wbuf_reset(&w);
		gen_value(&w, 0);
		b = malloc(w.len);
		assert_non_null(b);
		memcpy(b, w.buf, w.len);
		for (uint32_t k = 1 + rnd(3); k > 0; k--)
			b[rnd((uint32_t)w.len)] =
				alphabet[rnd(sizeof(alphabet) - 1)];
		if (btt_bdecode(&doc, b, w.len, NULL) == 0) {
			btt_bdoc_release(&doc);
			roundtrip(b, w.len);
			accepted++;
		} else {
			assert_null(doc.nodes);
			assert_true(doc.err_off <= w.len);
			rejected++;
		}
		free(b);
	}
	/* both outcomes were exercised */
	assert_true(accepted > 100);
	assert_true(rejected > 100);
	btt_wbuf_release(&w);
}

/* A builder using the API produces a document the decoder accepts. */
static void test_encode_builder_output_decodes(void **state)
{
	static const uint8_t pieces[20] = {1, 2, 3};
	struct btt_wbuf w;
	struct btt_bdoc doc;
	struct btt_cur s;
	int64_t v;
	uint32_t info;
	(void)state;

	btt_wbuf_init(&w, 4096);
	btt_benc_dict(&w);
	btt_benc_cstr(&w, "announce");
	btt_benc_cstr(&w, "http://127.0.0.1:1/announce");
	btt_benc_cstr(&w, "info");
	btt_benc_dict(&w);
	btt_benc_cstr(&w, "length");
	btt_benc_int(&w, 5);
	btt_benc_cstr(&w, "name");
	btt_benc_cstr(&w, "f");
	btt_benc_cstr(&w, "piece length");
	btt_benc_int(&w, 16384);
	btt_benc_cstr(&w, "pieces");
	btt_benc_str(&w, pieces, sizeof(pieces));
	btt_benc_end(&w);
	btt_benc_end(&w);
	assert_int_equal(btt_wbuf_err(&w), 0);
	assert_int_equal(btt_bdecode(&doc, w.buf, w.len, NULL), 0);
	info = btt_bnode_get(&doc, 0, "info");
	assert_true(btt_bnode_get_int(&doc, info, "piece length", &v));
	assert_int_equal(v, 16384);
	assert_true(btt_bnode_get_str(&doc, info, "pieces", &s));
	assert_memory_equal(btt_cur_data(&s), pieces, sizeof(pieces));
	btt_bdoc_release(&doc);
	btt_wbuf_release(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_scalars),
		cmocka_unit_test(test_encode_sticky_error),
		cmocka_unit_test(test_encode_roundtrip_documents),
		cmocka_unit_test(test_encode_roundtrip_max_depth),
		cmocka_unit_test(test_encode_roundtrip_random),
		cmocka_unit_test(test_encode_corrupted_documents),
		cmocka_unit_test(test_encode_builder_output_decodes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
