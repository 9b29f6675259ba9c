/* The BEP 3 handshake: exact bytes, the reserved bits btt sets and reads,
 * incremental parsing (HEAD at 48 bytes, DONE at 68) fed whole, byte by
 * byte and in odd chunks, never consuming past byte 68, and failure on
 * the first wrong prefix byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "bt/handshake.h"
#include "btt/err.h"
#include "core/wbuf.h"

static void sample(struct btt_handshake *h)
{
	btt_handshake_reserved(h->reserved, true, false);
	for (int i = 0; i < 20; i++) {
		h->info_hash[i] = (uint8_t)(0xa0 + i);
		h->peer_id[i] = (uint8_t)('a' + i);
	}
}

static void test_handshake_bytes(void **state)
{
	struct btt_handshake h;
	struct btt_wbuf w;
	(void)state;

	sample(&h);
	btt_wbuf_init(&w, 1024);
	btt_handshake_put(&w, &h);
	assert_int_equal(btt_wbuf_err(&w), 0);
	assert_int_equal(w.len, BTT_HANDSHAKE_LEN);
	assert_int_equal(w.buf[0], 19);
	assert_memory_equal(w.buf + 1, "BitTorrent protocol", 19);
	assert_memory_equal(w.buf + 20, "\0\0\0\0\0\x10\0\x05", 8);
	assert_memory_equal(w.buf + 28, h.info_hash, 20);
	assert_memory_equal(w.buf + 48, h.peer_id, 20);
	/* head and peer id separately give the same bytes */
	btt_handshake_put_head(&w, h.reserved, h.info_hash);
	btt_handshake_put_peer_id(&w, h.peer_id);
	assert_int_equal(w.len, 2 * BTT_HANDSHAKE_LEN);
	assert_memory_equal(w.buf, w.buf + BTT_HANDSHAKE_LEN,
			    BTT_HANDSHAKE_LEN);
	btt_wbuf_release(&w);
}

static void test_handshake_reserved_bits(void **state)
{
	uint8_t r[8];
	(void)state;

	btt_handshake_reserved(r, false, false);
	assert_memory_equal(r, "\0\0\0\0\0\x10\0\x04", 8);
	assert_true(btt_handshake_has(r, BTT_HS_LTEP));
	assert_true(btt_handshake_has(r, BTT_HS_FAST));
	assert_false(btt_handshake_has(r, BTT_HS_DHT));
	assert_false(btt_handshake_has(r, BTT_HS_V2_UPGRADE));
	btt_handshake_reserved(r, true, true);
	assert_memory_equal(r, "\0\0\0\0\0\x10\0\x15", 8);
	assert_true(btt_handshake_has(r, BTT_HS_DHT));
	assert_true(btt_handshake_has(r, BTT_HS_V2_UPGRADE));
	assert_false(btt_handshake_has(r, BTT_HS_NAT));
	/* BitComet-style noise in bytes 0-1 and unknown bits: ignored */
	memset(r, 0xff, 2);
	r[7] |= 0x08;
	assert_true(btt_handshake_has(r, BTT_HS_NAT));
	assert_true(btt_handshake_has(r, BTT_HS_LTEP));
	memset(r, 0xff, 8);
	r[5] = (uint8_t)~0x10;
	r[7] = (uint8_t)~0x04;
	assert_false(btt_handshake_has(r, BTT_HS_LTEP));
	assert_false(btt_handshake_has(r, BTT_HS_FAST));
	assert_true(btt_handshake_has(r, BTT_HS_DHT));
}

static void test_handshake_v2_hash(void **state)
{
	uint8_t sha[32], out[20];
	(void)state;

	for (int i = 0; i < 32; i++)
		sha[i] = (uint8_t)i;
	btt_handshake_v2_hash(sha, out);
	assert_memory_equal(out, sha, 20);
}

/* Feeds a handshake plus 5 trailing bytes in chunks of `step`; checks
 * HEAD comes once at byte 48, DONE at byte 68, and the tail is left. */
static void feed_in_steps(size_t step)
{
	struct btt_handshake h;
	struct btt_handshake_parser p;
	struct btt_wbuf w;
	size_t pos = 0, used;
	int heads = 0, r = BTT_HANDSHAKE_NEED;

	sample(&h);
	btt_wbuf_init(&w, 1024);
	btt_handshake_put(&w, &h);
	btt_wbuf_put(&w, "\0\0\0\1\2", 5);
	memset(&p, 0, sizeof(p));
	while (r != BTT_HANDSHAKE_DONE) {
		size_t n = w.len - pos < step ? w.len - pos : step;

		r = btt_handshake_parse(&p, w.buf + pos, n, &used);
		assert_true(r >= 0);
		pos += used;
		if (r == BTT_HANDSHAKE_HEAD) {
			heads++;
			assert_int_equal(pos, BTT_HANDSHAKE_HEAD_LEN);
			assert_memory_equal(p.hs.info_hash, h.info_hash, 20);
			assert_memory_equal(p.hs.reserved, h.reserved, 8);
		}
	}
	assert_int_equal(heads, 1);
	assert_int_equal(pos, BTT_HANDSHAKE_LEN);
	assert_memory_equal(p.hs.peer_id, h.peer_id, 20);
	/* once done, nothing more is consumed */
	assert_int_equal(btt_handshake_parse(&p, w.buf + pos, 5, &used),
			 BTT_HANDSHAKE_DONE);
	assert_int_equal(used, 0);
	btt_wbuf_release(&w);
}

static void test_handshake_incremental(void **state)
{
	(void)state;

	feed_in_steps(1);
	feed_in_steps(3);
	feed_in_steps(19);
	feed_in_steps(20);
	feed_in_steps(47);
	feed_in_steps(48);
	feed_in_steps(49);
	feed_in_steps(67);
	feed_in_steps(1000);
}

static void test_handshake_bad_prefix(void **state)
{
	struct btt_handshake_parser p;
	uint8_t in[68];
	size_t used;
	(void)state;

	memset(&p, 0, sizeof(p));
	in[0] = 18;
	assert_int_equal(btt_handshake_parse(&p, in, 68, &used),
			 BTT_EMALFORMED);
	assert_int_equal(used, 0);
	assert_int_equal(p.n, 0);
	/* sticky */
	in[0] = 19;
	assert_int_equal(btt_handshake_parse(&p, in, 68, &used),
			 BTT_EMALFORMED);
	/* a wrong letter mid-way: the bytes before it are kept */
	memset(&p, 0, sizeof(p));
	memcpy(in + 1, "BitTorrent Protocol", 19);
	assert_int_equal(btt_handshake_parse(&p, in, 5, &used),
			 BTT_HANDSHAKE_NEED);
	assert_int_equal(used, 5);
	assert_int_equal(btt_handshake_parse(&p, in + 5, 63, &used),
			 BTT_EMALFORMED);
	assert_int_equal(used, 12 - 5);
	assert_int_equal(p.n, 12);
	assert_memory_equal(p.buf, in, 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_bytes),
		cmocka_unit_test(test_handshake_reserved_bits),
		cmocka_unit_test(test_handshake_v2_hash),
		cmocka_unit_test(test_handshake_incremental),
		cmocka_unit_test(test_handshake_bad_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
