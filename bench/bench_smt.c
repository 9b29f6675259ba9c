/* State root update cost: builds a state of BENCH_SMT_ACCOUNTS accounts
 * (default 1,000,000) in blocks of 250,000, then applies blocks of
 * BENCH_SMT_TRANSFERS transfers (default 10,000, between distinct
 * accounts: twice as many touched) through the state API and reports,
 * per block, the time to apply the transfers to the overlay, to finish
 * (write the account records and update the sparse Merkle tree: the
 * state root), and to commit (synced); medians over BENCH_SMT_BLOCKS
 * blocks (default 7). The yardstick is raw keccak-256 calls per second on
 * 65-byte inputs (one tree node) measured in the same run.
 *
 *   build/bench/bench_smt [DIR]   DIR: a new or empty directory for the
 *                                 store (default: a temporary one under
 *                                 $TMPDIR, removed at exit)
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/cur.h"
#include "crypto/hash.h"
#include "ledger/state.h"

#define BUILD_CHUNK 250000u
#define MAX_BLOCKS 31

static uint64_t env_u64(const char *name, uint64_t dflt, uint64_t max)
{
	const char *s = getenv(name);
	struct btt_cur c;
	uint64_t v;

	if (!s)
		return dflt;
	btt_cur_init(&c, s, strlen(s));
	if (!btt_cur_get_dec(&c, 10, max, false, &v) || btt_cur_len(&c) ||
	    v == 0) {
		fprintf(stderr, "bench_smt: bad %s, using %llu\n", name,
			(unsigned long long)dflt);
		return dflt;
	}
	return v;
}

/* Account i's address: 20 bytes from a counter-based generator. */
static void addr_of(uint64_t i, uint8_t out[BTT_ADDR_LEN])
{
	for (int w = 0; w < 3; w++) {
		uint64_t z = i * 3 + (uint64_t)w + 0x9e3779b97f4a7c15ull;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		z ^= z >> 31;
		for (int b = 0; b < 8 && w * 8 + b < BTT_ADDR_LEN; b++)
			out[w * 8 + b] = (uint8_t)(z >> (8 * b));
	}
}

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* CPU time of this process: unlike wall time it barely moves when other
 * work shares the machine. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double secs(uint64_t ns)
{
	return (double)ns / 1e9;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

/* The first three fields of /proc/loadavg: the machine is shared, and
 * wall times only mean something next to the load. */
static void print_load(const char *when)
{
	char buf[128] = "";
	FILE *fp = fopen("/proc/loadavg", "r");
	size_t n = fp ? fread(buf, 1, sizeof(buf) - 1, fp) : 0;
	int spaces = 0;

	if (fp)
		fclose(fp);
	for (size_t i = 0; i < n; i++)
		if (buf[i] == ' ' && ++spaces == 3)
			n = i;
	printf("# load average %s: %.*s\n", when, (int)n, buf);
}

/* The store directory this run created, removed at exit. */
static char tmp_store[4096];

static void remove_tmp_store(void)
{
	char path[4200];
	if (!tmp_store[0])
		return;
	snprintf(path, sizeof(path), "%s/data.mdb", tmp_store);
	unlink(path);
	snprintf(path, sizeof(path), "%s/lock.mdb", tmp_store);
	unlink(path);
	rmdir(tmp_store);
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "bench_smt: %s failed (%d)\n", what, rc);
	exit(1);
}

/* The store directory: argv[1] (new or empty), or a fresh one. */
static const char *store_dir(int argc, char **argv)
{
	const char *t = getenv("TMPDIR");

	if (argc > 1)
		return argv[1];
	snprintf(tmp_store, sizeof(tmp_store), "%s/btt-bench-smt.XXXXXX",
		 t ? t : "/tmp");
	if (!mkdtemp(tmp_store)) {
		tmp_store[0] = 0;
		die("mkdtemp", -1);
	}
	atexit(remove_tmp_store);
	return tmp_store;
}

/* keccak-256 calls per second on 65-byte inputs, for about 0.5 s. */
static double keccak_rate(void)
{
	uint8_t buf[65] = {1}, out[32];
	uint64_t n = 0, t0 = btt_clock_now_ns(), t;

	do {
		for (int i = 0; i < 10000; i++) {
			btt_keccak256(buf, sizeof(buf), out);
			buf[1 + (i & 31)] ^= out[0];
		}
		n += 10000;
		t = btt_clock_now_ns();
	} while (t - t0 < 500000000ull);
	return (double)n / secs(t - t0);
}

static void build_state(struct btt_ledger_store *s, uint64_t accounts,
			uint64_t *height)
{
	uint64_t t0 = btt_clock_now_ns();
	uint8_t addr[BTT_ADDR_LEN], root[32];
	struct btt_ledger_state *st;
	int rc;

	for (uint64_t i = 0; i < accounts; i += BUILD_CHUNK) {
		if ((rc = btt_ledger_state_open(s, true, &st)))
			die("open", rc);
		for (uint64_t j = i; j < accounts && j < i + BUILD_CHUNK; j++) {
			struct btt_ledger_account a = {
				.balance = (btt_u128)1000 * BTT_COIN + j};
			addr_of(j, addr);
			if ((rc = btt_ledger_state_account_put(st, addr, &a)))
				die("account_put", rc);
		}
		if ((rc = btt_ledger_state_finish(st, ++*height, root, NULL)))
			die("finish", rc);
		if ((rc = btt_ledger_state_commit(st)))
			die("commit", rc);
	}
	printf("build: %llu accounts in %llu blocks: %.2f s\n",
	       (unsigned long long)accounts, (unsigned long long)*height,
	       secs(btt_clock_now_ns() - t0));
}

/* Picks 2 * n distinct account indices below accounts. */
static void pick(uint64_t *rng, uint64_t accounts, uint64_t *idx, size_t n2,
		 uint8_t *seen)
{
	for (size_t k = 0; k < n2;) {
		uint64_t i = rng_next(rng) % accounts;
		if (seen[i >> 3] & (1u << (i & 7)))
			continue;
		seen[i >> 3] |= (uint8_t)(1u << (i & 7));
		idx[k++] = i;
	}
	for (size_t k = 0; k < n2; k++)
		seen[idx[k] >> 3] &= (uint8_t) ~(1u << (idx[k] & 7));
}

struct block_times {
	uint64_t apply, finish, commit;	   /* wall */
	uint64_t capply, cfinish, ccommit; /* cpu */
	struct btt_smt_stats stats;
};

static void run_block(struct btt_ledger_store *s, const uint64_t *idx,
		      size_t transfers, uint64_t height,
		      struct block_times *out)
{
	uint8_t from[BTT_ADDR_LEN], to[BTT_ADDR_LEN], root[32];
	struct btt_ledger_state *st;
	uint64_t t0, t1, t2, t3, c0, c1, c2, c3;
	int rc;

	if ((rc = btt_ledger_state_open(s, true, &st)))
		die("open", rc);
	c0 = cpu_ns();
	t0 = btt_clock_now_ns();
	for (size_t k = 0; k < transfers; k++) {
		addr_of(idx[2 * k], from);
		addr_of(idx[2 * k + 1], to);
		if ((rc = btt_ledger_state_transfer(st, from, to, BTT_COIN)))
			die("transfer", rc);
	}
	t1 = btt_clock_now_ns();
	c1 = cpu_ns();
	if ((rc = btt_ledger_state_finish(st, height, root, &out->stats)))
		die("finish", rc);
	t2 = btt_clock_now_ns();
	c2 = cpu_ns();
	if ((rc = btt_ledger_state_commit(st)))
		die("commit", rc);
	t3 = btt_clock_now_ns();
	c3 = cpu_ns();
	out->capply = c1 - c0;
	out->cfinish = c2 - c1;
	out->ccommit = c3 - c2;
	out->apply = t1 - t0;
	out->finish = t2 - t1;
	out->commit = t3 - t2;
}

/* Median over the blocks of the field at offset off (a uint64_t). */
static uint64_t med_of(const struct block_times *bt, size_t nb, size_t off)
{
	uint64_t v[MAX_BLOCKS];
	for (size_t b = 0; b < nb; b++)
		memcpy(&v[b], (const char *)&bt[b] + off, sizeof(v[b]));
	return median(v, nb);
}

#define MED(field) med_of(bt, nb, offsetof(struct block_times, field))

static void report(const struct block_times *bt, size_t nb, double krate)
{
	uint64_t mh = MED(stats.hashes), mf = MED(cfinish);

	printf("per block (median of %zu)            wall      cpu\n", nb);
	printf("  apply transfers to the overlay   %7.3f s %7.3f s\n",
	       secs(MED(apply)), secs(MED(capply)));
	printf("  finish: records + state root     %7.3f s %7.3f s\n",
	       secs(MED(finish)), secs(mf));
	printf("  commit (synced)                  %7.3f s %7.3f s\n",
	       secs(MED(commit)), secs(MED(ccommit)));
	printf("  tree work: %llu keccak, %llu node reads, %llu puts, "
	       "%llu deletes\n",
	       (unsigned long long)mh, (unsigned long long)MED(stats.reads),
	       (unsigned long long)MED(stats.puts),
	       (unsigned long long)MED(stats.dels));
	printf("keccak256 (65-byte input): %.2f M calls/s on one core\n",
	       krate / 1e6);
	printf("  the tree's hashes alone: %.3f s = %.0f %% of finish cpu\n",
	       (double)mh / krate, 100.0 * ((double)mh / krate) / secs(mf));
}

/* Prints the VmHWM, RssAnon and RssFile lines of /proc/self/status
 * (mapped store pages are file-backed: the kernel can drop them). */
static void report_memory(const char *dir)
{
	static const char *const want[] = {"VmHWM:", "RssAnon:", "RssFile:"};
	char buf[8192], path[4200];
	struct btt_cur c, line;
	struct stat st;
	FILE *fp = fopen("/proc/self/status", "r");
	size_t n = fp ? fread(buf, 1, sizeof(buf), fp) : 0;

	if (fp)
		fclose(fp);
	btt_cur_init(&c, buf, n);
	while (btt_cur_get_until(&c, '\n', &line))
		for (size_t i = 0; i < 3; i++)
			if (btt_cur_get_prefix(&line, want[i]))
				printf("%-9s%.*s\n", want[i],
				       (int)btt_cur_len(&line),
				       (const char *)btt_cur_data(&line));
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	if (stat(path, &st) == 0)
		printf("store file %.0f MiB\n", (double)st.st_size / (1 << 20));
}

int main(int argc, char **argv)
{
	uint64_t accounts = env_u64("BENCH_SMT_ACCOUNTS", 1000000, 100000000);
	uint64_t transfers = env_u64("BENCH_SMT_TRANSFERS", 10000, 10000000);
	uint64_t blocks = env_u64("BENCH_SMT_BLOCKS", 7, MAX_BLOCKS);
	struct block_times bt[MAX_BLOCKS];
	const char *dir;
	struct btt_ledger_store *s;
	uint64_t height = 0, rng = 1;
	int rc;

	if (2 * transfers > accounts) {
		fprintf(stderr, "bench_smt: need 2 * transfers <= accounts\n");
		return 1;
	}
	dir = store_dir(argc, argv);
	printf("# bench smt: %llu accounts, %llu transfers per block, "
	       "store in %s\n",
	       (unsigned long long)accounts, (unsigned long long)transfers,
	       dir);
	print_load("before");
	if ((rc = btt_ledger_store_open(dir, 0, &s)))
		die("store open", rc);
	build_state(s, accounts, &height);

	uint64_t *idx = malloc(2 * transfers * sizeof(*idx));
	uint8_t *seen = calloc(accounts / 8 + 1, 1);
	if (!idx || !seen)
		die("malloc", -1);
	for (size_t b = 0; b < blocks; b++) {
		pick(&rng, accounts, idx, 2 * transfers, seen);
		run_block(s, idx, transfers, ++height, &bt[b]);
	}
	report(bt, blocks, keccak_rate());
	report_memory(dir);
	print_load("after");
	free(idx);
	free(seen);
	btt_ledger_store_free(s);
	return 0;
}
