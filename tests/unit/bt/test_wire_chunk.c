/* The wire parser is resumable: a stream of every message type gives the
 * same messages fed whole, one byte at a time and in many deterministic
 * random chunkings, with and without PIECE fragments; and the zero-copy
 * promise holds (views into the caller's chunk when a message is whole in
 * it, fragments always). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bt/wire.h"
#include "btt/err.h"
#include "core/limits.h"
#include "test_wire_util.h"

#define NPIECES 40

/* One of every message, several sizes of the big ones. */
static void build_stream(struct btt_wbuf *w)
{
	uint8_t root[32], hashes[32 * 5], block[BTT_WIRE_BLOCK], bf[5];
	uint8_t *ext = calloc(1, 70000);

	for (size_t i = 0; i < sizeof(block); i++)
		block[i] = (uint8_t)(i * 7 + 1);
	for (size_t i = 0; i < 70000; i++)
		ext[i] = (uint8_t)(i * 13);
	memset(root, 0x5a, sizeof(root));
	memset(hashes, 0x33, sizeof(hashes));
	memset(bf, 0xff, sizeof(bf));
	btt_wire_put_extended(w, 0, "d1:md6:ut_pexi1eee", 18);
	btt_wire_put_extended(w, 0, ext, 70000);
	btt_wire_put_keepalive(w);
	btt_wire_put_simple(w, BTT_WIRE_HAVE_ALL);
	btt_wire_put_simple(w, BTT_WIRE_HAVE_NONE);
	/* 40 pieces: 5 bytes, no spare bits */
	btt_wbuf_put_u32be(w, 6);
	btt_wbuf_put_u8(w, BTT_WIRE_BITFIELD);
	btt_wbuf_put(w, bf, 5);
	btt_wire_put_simple(w, BTT_WIRE_UNCHOKE);
	btt_wire_put_simple(w, BTT_WIRE_INTERESTED);
	btt_wire_put_index(w, BTT_WIRE_HAVE, 3);
	btt_wire_put_index(w, BTT_WIRE_SUGGEST, 4);
	btt_wire_put_index(w, BTT_WIRE_ALLOWED_FAST, 5);
	btt_wire_put_request(w, BTT_WIRE_REQUEST, 1, 0, BTT_WIRE_BLOCK);
	btt_wire_put_piece(w, 1, 0, block, sizeof(block));
	btt_wire_put_piece(w, 2, 100, block, 1);
	btt_wire_put_piece(w, 3, 0, block, 0);
	btt_wire_put_piece(w, 4, 16384, block, 5000);
	btt_wire_put_request(w, BTT_WIRE_CANCEL, 1, 0, BTT_WIRE_BLOCK);
	btt_wire_put_request(w, BTT_WIRE_REJECT, 1, 0, BTT_WIRE_BLOCK);
	btt_wire_put_port(w, 6881);
	btt_wire_put_keepalive(w);
	btt_wbuf_put_u32be(w, 3); /* unknown id 42 with two bytes */
	btt_wbuf_put_u8(w, 42);
	btt_wbuf_put(w, "zz", 2);
	btt_wire_put_hash_request(w, BTT_WIRE_HASH_REQUEST, root, 0, 0, 4, 2);
	btt_wire_put_hashes(w, root, 0, 0, 4, 2, hashes, 5);
	btt_wire_put_hash_request(w, BTT_WIRE_HASH_REJECT, root, 0, 0, 4, 2);
	btt_wire_put_simple(w, BTT_WIRE_CHOKE);
	btt_wire_put_simple(w, BTT_WIRE_NOT_INTERESTED);
	btt_wire_put_piece(w, 39, 0, block, sizeof(block));
	btt_wire_put_piece(w, 38, 0, block, sizeof(block));
	free(ext);
	assert_int_equal(btt_wbuf_err(w), 0);
}

static void run(const struct btt_wbuf *w, unsigned flags, struct chunker c,
		struct recs *rs)
{
	struct btt_wire_parser p;

	btt_wire_parser_init(&p, NPIECES, flags);
	assert_int_equal(feed(&p, w->buf, w->len, c, rs), 0);
	assert_int_equal(p.state, 0);
	assert_int_equal(p.nmsgs + p.nkeepalive, rs->n);
	btt_wire_parser_release(&p);
}

static void check_same(const struct recs *a, const struct recs *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		assert_true(rec_equal(&a->r[i], &b->r[i]));
}

static void test_wire_chunk_all_chunkings(void **state)
{
	struct btt_wbuf w;
	struct recs *ref = calloc(1, sizeof(*ref));
	struct recs *got = calloc(1, sizeof(*got));
	static const size_t sizes[] = {1, 2, 3, 5, 13, 64, 1000, 17000};
	(void)state;

	btt_wbuf_init(&w, 1 << 20);
	build_stream(&w);
	run(&w, 0, (struct chunker){0, 0}, ref);
	assert_int_equal(ref->n, 28);
	assert_int_equal(ref->r[0].type, BTT_WIRE_EXTENDED);
	assert_int_equal(ref->r[1].data_len, 70000);
	for (unsigned flags = 0; flags < 2; flags++) {
		run(&w, flags, (struct chunker){1, 0}, got);
		check_same(ref, got);
		recs_free(got);
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			for (uint64_t seed = 1; seed <= 8; seed++) {
				struct chunker c = {sizes[s], seed * 7919};

				run(&w, flags, c, got);
				check_same(ref, got);
				recs_free(got);
			}
		}
	}
	recs_free(ref);
	free(ref);
	free(got);
	btt_wbuf_release(&w);
}

static void test_wire_chunk_fields(void **state)
{
	struct btt_wbuf w;
	struct recs *rs = calloc(1, sizeof(*rs));
	const struct rec *r;
	(void)state;

	btt_wbuf_init(&w, 1 << 20);
	build_stream(&w);
	run(&w, 0, (struct chunker){3, 5}, rs);
	r = rs->r;
	assert_int_equal(r[0].ext, 0);
	assert_memory_equal(r[0].data, "d1:md6:ut_pexi1eee", 18);
	assert_int_equal(r[0].seq, 0);
	assert_int_equal(r[2].type, BTT_WIRE_KEEPALIVE);
	assert_int_equal(r[3].type, BTT_WIRE_HAVE_ALL);
	assert_int_equal(r[3].seq, 2);
	assert_int_equal(r[5].type, BTT_WIRE_BITFIELD);
	assert_int_equal(r[5].data_len, 5);
	assert_int_equal(r[8].index, 3);
	assert_int_equal(r[11].type, BTT_WIRE_REQUEST);
	assert_int_equal(r[11].length, BTT_WIRE_BLOCK);
	assert_int_equal(r[12].type, BTT_WIRE_PIECE);
	assert_int_equal(r[12].length, BTT_WIRE_BLOCK);
	assert_int_equal(r[13].begin, 100);
	assert_int_equal(r[13].data_len, 1);
	assert_int_equal(r[14].length, 0);
	assert_int_equal(r[14].data_len, 0);
	assert_int_equal(r[15].begin, 16384);
	assert_int_equal(r[15].length, 5000);
	assert_int_equal(r[18].port, 6881);
	assert_int_equal(r[19].type, BTT_WIRE_KEEPALIVE);
	assert_int_equal(r[20].type, BTT_WIRE_UNKNOWN);
	assert_int_equal(r[20].id, 42);
	assert_int_equal(r[20].len, 3);
	assert_int_equal(r[22].type, BTT_WIRE_HASHES);
	assert_int_equal(r[22].data_len, 160);
	assert_int_equal(r[22].length, 4);
	assert_int_equal(r[22].proof, 2);
	assert_int_equal(r[23].type, BTT_WIRE_HASH_REJECT);
	assert_true(r[23].has_root);
	assert_int_equal(r[26].index, 39);
	recs_free(rs);
	free(rs);
	btt_wbuf_release(&w);
}

/* Fragments: how many arrive depends on the chunking; the last one ends
 * the block. */
static void test_wire_chunk_fragments(void **state)
{
	struct btt_wbuf w;
	struct btt_wire_parser p;
	struct btt_wire_msg m;
	uint8_t block[BTT_WIRE_BLOCK];
	size_t used, total = 0;
	unsigned n = 0;
	(void)state;

	memset(block, 9, sizeof(block));
	btt_wbuf_init(&w, 1 << 20);
	btt_wire_put_piece(&w, 1, 0, block, sizeof(block));
	btt_wire_parser_init(&p, NPIECES, BTT_WIRE_PIECE_FRAGMENTS);
	for (size_t at = 0; at < w.len; at += 1000) {
		size_t len = w.len - at < 1000 ? w.len - at : 1000;
		const uint8_t *in = w.buf + at;
		int r;

		while ((r = btt_wire_parse(&p, in, len, &used, &m)) == 1) {
			assert_int_equal(m.type, BTT_WIRE_PIECE);
			assert_int_equal(m.off, total);
			assert_int_equal(m.length, BTT_WIRE_BLOCK);
			assert_int_equal(m.seq, 0);
			/* a fragment points into the caller's chunk */
			assert_true(m.data >= in &&
				    m.data + m.data_len <= in + len);
			total += m.data_len;
			n++;
			in += used;
			len -= used;
		}
		assert_int_equal(r, 0);
	}
	assert_int_equal(total, BTT_WIRE_BLOCK);
	assert_int_equal(n, 17);
	assert_int_equal(p.nmsgs, 1);
	assert_null(p.buf);
	btt_wire_parser_release(&p);
	btt_wbuf_release(&w);
}

static void test_wire_chunk_views(void **state)
{
	struct btt_wbuf w;
	struct btt_wire_parser p;
	struct btt_wire_msg m;
	uint8_t block[100];
	size_t used;
	(void)state;

	memset(block, 4, sizeof(block));
	btt_wbuf_init(&w, 1 << 20);
	btt_wire_put_piece(&w, 1, 0, block, sizeof(block));
	btt_wire_parser_init(&p, NPIECES, 0);
	/* whole in the chunk: decoded in place */
	assert_int_equal(btt_wire_parse(&p, w.buf, w.len, &used, &m), 1);
	assert_int_equal(used, w.len);
	assert_ptr_equal(m.data, w.buf + 13);
	/* split: gathered once, the view points at the parser's copy */
	assert_int_equal(btt_wire_parse(&p, w.buf, 50, &used, &m), 0);
	assert_int_equal(btt_wire_parse(&p, w.buf + 50, w.len - 50, &used, &m),
			 1);
	assert_true(m.data < w.buf || m.data >= w.buf + w.len);
	assert_memory_equal(m.data, block, sizeof(block));
	/* bytes after a message stay for the next call */
	btt_wire_put_simple(&w, BTT_WIRE_CHOKE);
	assert_int_equal(btt_wire_parse(&p, w.buf, w.len, &used, &m), 1);
	assert_int_equal(used, w.len - 5);
	assert_int_equal(btt_wire_parse(&p, w.buf + used, 5, &used, &m), 1);
	assert_int_equal(m.type, BTT_WIRE_CHOKE);
	btt_wire_parser_release(&p);
	btt_wbuf_release(&w);
}

/* A big gathered message does not pin its buffer for the connection's
 * life: the next split message starts afresh. */
static void test_wire_chunk_buffer_shrinks(void **state)
{
	struct btt_wbuf w;
	struct btt_wire_parser p;
	struct btt_wire_msg m;
	uint8_t *big = calloc(1, 100000);
	size_t used;
	(void)state;

	btt_wbuf_init(&w, 1 << 20);
	btt_wire_put_extended(&w, 1, big, 100000);
	btt_wire_parser_init(&p, 0, 0);
	assert_int_equal(btt_wire_parse(&p, w.buf, 10, &used, &m), 0);
	assert_int_equal(btt_wire_parse(&p, w.buf + 10, w.len - 10, &used, &m),
			 1);
	assert_true(p.cap > BTT_WIRE_BUF_KEEP);
	btt_wbuf_reset(&w);
	btt_wire_put_extended(&w, 1, big, 100);
	assert_int_equal(btt_wire_parse(&p, w.buf, 10, &used, &m), 0);
	assert_true(p.cap <= BTT_WIRE_BUF_KEEP);
	assert_int_equal(btt_wire_parse(&p, w.buf + 10, w.len - 10, &used, &m),
			 1);
	assert_int_equal(m.data_len, 100);
	btt_wire_parser_release(&p);
	btt_wbuf_release(&w);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_chunk_all_chunkings),
		cmocka_unit_test(test_wire_chunk_fields),
		cmocka_unit_test(test_wire_chunk_fragments),
		cmocka_unit_test(test_wire_chunk_views),
		cmocka_unit_test(test_wire_chunk_buffer_shrinks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
