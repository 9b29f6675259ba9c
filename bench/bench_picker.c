/* Piece picker micro-benchmark: picks and blocks per second for whole
 * simulated downloads, and availability updates per second. Prints
 * figures only (nothing to compare against in-process).
 *
 *   build/bench/bench_picker
 *
 * Scenarios:
 *  - one seed, 16384 pieces of 256 KiB, a 64-block pipeline refilled after
 *    every block (the worst calling pattern: one pick per block);
 *  - 30 peers with random half bitfields, 100000 pieces of 64 KiB, picks
 *    of 32 blocks;
 *  - a peer holding 0.1% of 100000 pieces, picking over and over (the
 *    bitfield search path);
 *  - 100 peers connecting and leaving with random bitfields. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt/picker.h"
#include "core/bitfield.h"
#include "core/clock.h"
#include "core/rand.h"

struct stats {
	uint64_t picks;
	uint64_t blocks;
	uint64_t ns;
};

static struct btt_picker *make(uint32_t n, uint64_t plen)
{
	struct btt_picker_sizes s = {.num_pieces = n,
				     .piece_length = plen,
				     .total_length = (uint64_t)n * plen};
	struct btt_picker *pk;

	if (btt_picker_new(&s, &pk)) {
		fprintf(stderr, "bench_picker: out of memory\n");
		exit(1);
	}
	return pk;
}

static void deliver(struct btt_picker *pk, uint32_t peer,
		    const struct btt_picker_block *b)
{
	struct btt_picker_recv r;

	if (btt_picker_block_received(pk, peer, b->piece, b->block, &r) == 0 &&
	    r.piece_complete)
		btt_picker_piece_passed(pk, b->piece);
}

static void report(const char *name, const struct stats *st)
{
	double s = (double)st->ns / 1e9;

	printf("%-34s %10.0f picks/s %11.0f blocks/s  (%llu picks, %.3f s)\n",
	       name, (double)st->picks / s, (double)st->blocks / s,
	       (unsigned long long)st->picks, s);
}

/* A FIFO pipeline of `depth` blocks, one pick per delivered block. */
static void bench_one_seed(void)
{
	enum { N = 16384, DEPTH = 64 };
	struct btt_picker *pk = make(N, 256 << 10);
	struct btt_picker_peer seed = {.id = 1, .has_all = true};
	static struct btt_picker_block q[DEPTH];
	size_t head = 0, len = 0, n;
	struct stats st = {0};
	uint64_t t0 = btt_clock_now_ns();

	btt_picker_peer_seed_add(pk);
	while (!btt_picker_complete(pk)) {
		struct btt_picker_block got[DEPTH];
		btt_picker_pick(pk, &seed, DEPTH - len, got, &n);
		st.picks++;
		st.blocks += n;
		for (size_t j = 0; j < n; j++)
			q[(head + len++) % DEPTH] = got[j];
		if (len == 0)
			break;
		deliver(pk, 1, &q[head]);
		head = (head + 1) % DEPTH;
		len--;
	}
	st.ns = btt_clock_now_ns() - t0;
	report("one seed, 1 pick per block", &st);
	btt_picker_free(pk);
}

static void random_half(struct btt_bitfield *bf, uint32_t n)
{
	btt_bitfield_init(bf, n);
	for (uint32_t i = 0; i < n; i++) {
		if (btt_rand_uniform(2))
			btt_bitfield_set(bf, i);
	}
}

static void bench_swarm(void)
{
	enum { N = 100000, PEERS = 30, WANT = 32 };
	struct btt_picker *pk = make(N, 64 << 10);
	static struct btt_bitfield bf[PEERS];
	struct btt_picker_block got[WANT];
	struct stats st = {0};
	uint64_t t0;
	size_t n;

	printf("%-34s %10zu bytes for %u pieces\n", "swarm: picker memory",
	       btt_picker_memory(pk), N);
	for (int p = 0; p < PEERS; p++) {
		random_half(&bf[p], N);
		btt_picker_peer_bitfield_add(pk, &bf[p]);
	}
	t0 = btt_clock_now_ns();
	for (uint64_t round = 0; !btt_picker_complete(pk); round++) {
		struct btt_picker_peer peer = {.id = (uint32_t)(round % PEERS),
					       .have = &bf[round % PEERS]};
		btt_picker_pick(pk, &peer, WANT, got, &n);
		st.picks++;
		st.blocks += n;
		for (size_t j = 0; j < n; j++)
			deliver(pk, peer.id, &got[j]);
		if (round > 50u * N)
			break; /* pieces no peer has */
	}
	st.ns = btt_clock_now_ns() - t0;
	report("30 half peers, 32 per pick", &st);
	for (int p = 0; p < PEERS; p++)
		btt_bitfield_release(&bf[p]);
	btt_picker_free(pk);
}

static void bench_sparse_peer(void)
{
	enum { N = 100000, PICKS = 20000 };
	struct btt_picker *pk = make(N, 64 << 10);
	struct btt_bitfield bf;
	struct btt_picker_peer peer = {.id = 9, .have = &bf};
	struct btt_picker_block got[8];
	struct stats st = {0};
	uint64_t t0;
	size_t n;

	btt_bitfield_init(&bf, N);
	for (uint32_t i = 0; i < N; i += 1000)
		btt_bitfield_set(&bf, i);
	btt_picker_peer_bitfield_add(pk, &bf);
	t0 = btt_clock_now_ns();
	for (int k = 0; k < PICKS; k++) {
		btt_picker_pick(pk, &peer, 8, got, &n);
		st.picks++;
		st.blocks += n;
		btt_picker_peer_release(pk, 9); /* start over */
	}
	st.ns = btt_clock_now_ns() - t0;
	report("peer with 0.1% of pieces", &st);
	btt_bitfield_release(&bf);
	btt_picker_free(pk);
}

static void bench_availability(void)
{
	enum { N = 100000, PEERS = 100, ROUNDS = 5 };
	struct btt_picker *pk = make(N, 64 << 10);
	static struct btt_bitfield bf[PEERS];
	uint64_t t0, ns, updates = 0;

	for (int p = 0; p < PEERS; p++)
		random_half(&bf[p], N);
	t0 = btt_clock_now_ns();
	for (int r = 0; r < ROUNDS; r++) {
		for (int p = 0; p < PEERS; p++) {
			btt_picker_peer_bitfield_add(pk, &bf[p]);
			updates += btt_bitfield_count(&bf[p]);
		}
		for (int p = 0; p < PEERS; p++) {
			btt_picker_peer_bitfield_remove(pk, &bf[p]);
			updates += btt_bitfield_count(&bf[p]);
		}
	}
	ns = btt_clock_now_ns() - t0;
	printf("%-34s %10.0f piece updates/s (%llu updates)\n",
	       "availability, 100 peers churning", (double)updates / (ns / 1e9),
	       (unsigned long long)updates);
	for (int p = 0; p < PEERS; p++)
		btt_bitfield_release(&bf[p]);
	btt_picker_free(pk);
}

int main(void)
{
	btt_rand_set_seed(42);
	bench_one_seed();
	bench_swarm();
	bench_sparse_peer();
	bench_availability();
	return 0;
}
