/* Helpers for the piece picker tests: pickers of a given shape, bitfields
 * from strings, peers. Included by test_picker*.c only. */
#ifndef BTT_TEST_PICKER_UTIL_H
#define BTT_TEST_PICKER_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "bt/picker.h"
#include "btt/err.h"
#include "core/bitfield.h"
#include "core/rand.h"

#define KIB 1024ull

/* n pieces of plen bytes, the last one `last` bytes (plen when 0). */
static inline struct btt_picker *picker_make(uint32_t n, uint64_t plen,
					     uint64_t last)
{
	struct btt_picker_sizes s = {.num_pieces = n, .piece_length = plen};
	struct btt_picker *pk = NULL;

	s.total_length = (uint64_t)(n - 1) * plen + (last ? last : plen);
	assert_int_equal(btt_picker_new(&s, &pk), 0);
	assert_non_null(pk);
	return pk;
}

/* A bitfield of strlen(bits) bits: '1' set, anything else clear. */
static inline void bits_make(struct btt_bitfield *bf, const char *bits)
{
	size_t n = strlen(bits);

	assert_int_equal(btt_bitfield_init(bf, n), 0);
	for (size_t i = 0; i < n; i++) {
		if (bits[i] == '1')
			btt_bitfield_set(bf, i);
	}
}

static inline struct btt_picker_peer peer_of(uint32_t id,
					     const struct btt_bitfield *bf)
{
	struct btt_picker_peer p;

	memset(&p, 0, sizeof(p));
	p.id = id;
	p.have = bf;
	p.has_all = bf == NULL;
	return p;
}

/* Picks and checks the invariants; returns how many blocks. */
static inline size_t pick_n(struct btt_picker *pk,
			    const struct btt_picker_peer *peer, size_t want,
			    struct btt_picker_block *out)
{
	size_t n = 99999;

	assert_int_equal(btt_picker_pick(pk, peer, want, out, &n), 0);
	assert_true(n <= want);
	assert_int_equal(btt_picker_check(pk), 0);
	return n;
}

/* Receives a block and checks it was fresh; returns piece_complete. */
static inline bool recv_ok(struct btt_picker *pk, uint32_t peer, uint32_t piece,
			   uint32_t block)
{
	struct btt_picker_recv r;

	assert_int_equal(btt_picker_block_received(pk, peer, piece, block, &r),
			 0);
	assert_true(r.fresh);
	assert_int_equal(btt_picker_check(pk), 0);
	return r.piece_complete;
}

/* Receives every block of a piece from one peer and passes its hash. */
static inline void piece_done(struct btt_picker *pk, uint32_t peer,
			      uint32_t piece)
{
	uint32_t nb = btt_picker_num_blocks(pk, piece);

	for (uint32_t b = 0; b < nb; b++)
		assert_int_equal(recv_ok(pk, peer, piece, b), b + 1 == nb);
	assert_int_equal(btt_picker_piece_passed(pk, piece), 0);
	assert_int_equal(btt_picker_check(pk), 0);
}

#endif
