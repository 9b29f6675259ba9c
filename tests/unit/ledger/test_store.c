/* The ledger store: transactions commit or abort as a whole and survive a
 * reopen; the head record; iteration; argument checks; a full map gives
 * BTT_ESTOREFULL and leaves the previous state intact; damaged files are
 * refused; and the kill -9 test: a child commits blocks in a loop, the
 * parent kills it at a random moment and finds exactly the state a clean
 * replay of the committed height gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "btt/err.h"
#include "ledger/smt.h"
#include "ledger/store.h"
#include "test_store_util.h"

struct fix {
	char *dir;
	struct btt_ledger_store *s;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->dir = tmp_dir();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	btt_ledger_store_free(f->s);
	tree_remove(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static void put_ok(struct btt_ledger_txn *t, enum btt_ledger_db db,
		   const char *k, const char *v)
{
	assert_int_equal(btt_ledger_txn_put(t, db, k, strlen(k), v, strlen(v)),
			 0);
}

static void expect_val(struct btt_ledger_store *s, enum btt_ledger_db db,
		       const char *k, const char *v)
{
	struct btt_ledger_txn *t;
	struct btt_cur c;
	assert_int_equal(btt_ledger_store_begin(s, false, &t), 0);
	if (!v) {
		assert_int_equal(btt_ledger_txn_get(t, db, k, strlen(k), &c),
				 BTT_ENOTFOUND);
	} else {
		assert_int_equal(btt_ledger_txn_get(t, db, k, strlen(k), &c),
				 0);
		assert_true(btt_cur_eq_str(&c, v));
	}
	btt_ledger_txn_abort(t);
}

static void test_store_commit_abort_reopen(void **state)
{
	struct fix *f = *state;
	struct btt_ledger_txn *t;

	f->s = store_open_ok(f->dir, 0);
	assert_int_equal(btt_ledger_store_begin(f->s, true, &t), 0);
	put_ok(t, BTT_LEDGER_DB_ACCT, "alice", "1");
	put_ok(t, BTT_LEDGER_DB_REC, "alice", "2");
	assert_int_equal(btt_ledger_txn_commit(t), 0);
	assert_int_equal(btt_ledger_store_begin(f->s, true, &t), 0);
	put_ok(t, BTT_LEDGER_DB_ACCT, "bob", "3");
	assert_int_equal(btt_ledger_txn_del(t, BTT_LEDGER_DB_ACCT, "alice", 5),
			 0);
	btt_ledger_txn_abort(t);
	btt_ledger_store_free(f->s);
	f->s = store_open_ok(f->dir, 0);
	expect_val(f->s, BTT_LEDGER_DB_ACCT, "alice", "1");
	expect_val(f->s, BTT_LEDGER_DB_REC, "alice", "2");
	expect_val(f->s, BTT_LEDGER_DB_ACCT, "bob", NULL);
	expect_val(f->s, BTT_LEDGER_DB_SMT, "alice", NULL);
}

static void test_store_head_roundtrip(void **state)
{
	struct fix *f = *state;
	struct btt_ledger_txn *t;
	uint8_t root[32], got[32];
	uint64_t h = 1;

	memset(root, 0xab, 32);
	f->s = store_open_ok(f->dir, 0);
	assert_int_equal(btt_ledger_store_begin(f->s, true, &t), 0);
	assert_int_equal(btt_ledger_txn_head(t, &h, got), BTT_ENOTFOUND);
	assert_int_equal(btt_ledger_txn_set_head(t, UINT64_MAX - 1, root), 0);
	assert_int_equal(btt_ledger_txn_commit(t), 0);
	btt_ledger_store_free(f->s);
	f->s = store_open_ok(f->dir, 0);
	assert_int_equal(btt_ledger_store_begin(f->s, false, &t), 0);
	assert_int_equal(btt_ledger_txn_head(t, &h, got), 0);
	assert_true(h == UINT64_MAX - 1);
	assert_memory_equal(got, root, 32);
	btt_ledger_txn_abort(t);
}

static void write_head_raw(struct btt_ledger_store *s, const void *rec,
			   size_t len)
{
	struct btt_ledger_txn *t;
	assert_int_equal(btt_ledger_store_begin(s, true, &t), 0);
	assert_int_equal(
		btt_ledger_txn_put(t, BTT_LEDGER_DB_META, "head", 4, rec, len),
		0);
	assert_int_equal(btt_ledger_txn_commit(t), 0);
}

static void test_store_bad_head_refused(void **state)
{
	struct fix *f = *state;
	struct btt_ledger_store *s2 = NULL;
	uint8_t rec[44] = {0, 0, 0, 2};

	f->s = store_open_ok(f->dir, 0);
	write_head_raw(f->s, rec, sizeof(rec)); /* format 2 */
	btt_ledger_store_free(f->s);
	f->s = NULL;
	assert_int_equal(btt_ledger_store_open(f->dir, 0, &s2),
			 BTT_EUNSUPPORTED);
	assert_null(s2);
	tree_remove(f->dir);
	f->s = store_open_ok(f->dir, 0);
	rec[3] = 1;
	write_head_raw(f->s, rec, sizeof(rec) - 1); /* short */
	btt_ledger_store_free(f->s);
	f->s = NULL;
	assert_int_equal(btt_ledger_store_open(f->dir, 0, &s2), BTT_ECORRUPT);
}

static void test_store_not_lmdb_refused(void **state)
{
	struct fix *f = *state;
	struct btt_ledger_store *s = NULL;
	char path[4200], junk[8192];
	int fd;

	snprintf(path, sizeof(path), "%s/data.mdb", f->dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	memset(junk, 'x', sizeof(junk));
	assert_int_equal(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(fd);
	assert_int_equal(btt_ledger_store_open(f->dir, 0, &s), BTT_ECORRUPT);
	assert_null(s);
}

/* A data file cut short must be refused at open, never touched through
 * the map (that would be SIGBUS): at max-1 bytes it is refused, at the
 * exact length of its last page it opens. */
static void test_store_truncated_refused(void **state)
{
	struct fix *f = *state;
	struct btt_ledger_store *s = NULL;
	struct btt_ledger_txn *t;
	char path[4200], key[32], val[512];
	struct stat st;
	off_t full;
	char *copy;
	int fd;

	assert_int_equal(btt_ledger_store_open(f->dir, 0, &f->s), 0);
	assert_int_equal(btt_ledger_store_begin(f->s, true, &t), 0);
	memset(val, 'v', sizeof(val) - 1);
	val[sizeof(val) - 1] = 0;
	for (int i = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "k%06d", i);
		put_ok(t, BTT_LEDGER_DB_META, key, val);
	}
	assert_int_equal(btt_ledger_txn_commit(t), 0);
	btt_ledger_store_free(f->s);
	f->s = NULL;

	snprintf(path, sizeof(path), "%s/data.mdb", f->dir);
	assert_int_equal(stat(path, &st), 0);
	full = st.st_size;
	copy = malloc((size_t)full);
	assert_non_null(copy);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, copy, (size_t)full), (ssize_t)full);
	close(fd);

	assert_int_equal(truncate(path, full - 1), 0);
	assert_int_equal(btt_ledger_store_open(f->dir, 0, &s), BTT_ECORRUPT);
	assert_null(s);
	assert_int_equal(truncate(path, full / 2), 0);
	assert_int_equal(btt_ledger_store_open(f->dir, 0, &s), BTT_ECORRUPT);
	assert_null(s);

	/* the whole file back: it opens and holds what was committed */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, copy, (size_t)full), (ssize_t)full);
	close(fd);
	free(copy);
	assert_int_equal(btt_ledger_store_open(f->dir, 0, &s), 0);
	expect_val(s, BTT_LEDGER_DB_META, "k001999", val);
	btt_ledger_store_free(s);
}

static void test_store_argument_checks(void **state)
{
	struct fix *f = *state;
	struct btt_ledger_txn *t, *t2;
	struct btt_ledger_iter *it;
	struct btt_cur c;
	uint8_t key[BTT_LEDGER_STORE_MAX_KEY + 1];

	memset(key, 1, sizeof(key));
	f->s = store_open_ok(f->dir, 0);
	assert_int_equal(btt_ledger_store_begin(f->s, true, &t), 0);
	assert_true(btt_ledger_txn_writable(t));
	/* one writer at a time */
	assert_int_equal(btt_ledger_store_begin(f->s, true, &t2), BTT_EINVALID);
	/* key length 0, max, max + 1 */
	assert_int_equal(
		btt_ledger_txn_put(t, BTT_LEDGER_DB_REC, key, 0, "v", 1),
		BTT_EINVALID);
	assert_int_equal(btt_ledger_txn_put(t, BTT_LEDGER_DB_REC, key,
					    BTT_LEDGER_STORE_MAX_KEY, "v", 1),
			 0);
	assert_int_equal(btt_ledger_txn_put(t, BTT_LEDGER_DB_REC, key,
					    BTT_LEDGER_STORE_MAX_KEY + 1, "v",
					    1),
			 BTT_EINVALID);
	assert_int_equal(btt_ledger_txn_get(t, BTT_LEDGER_DB_REC, key,
					    BTT_LEDGER_STORE_MAX_KEY + 1, &c),
			 BTT_EINVALID);
	assert_int_equal(
		btt_ledger_txn_put(t, BTT_LEDGER_DB_COUNT, key, 1, "v", 1),
		BTT_EINVALID);
	assert_int_equal(btt_ledger_iter_open(t, BTT_LEDGER_DB_REC, key,
					      BTT_LEDGER_STORE_MAX_KEY + 1,
					      &it),
			 BTT_EINVALID);
	/* an absent key: not an error that sticks */
	assert_int_equal(btt_ledger_txn_del(t, BTT_LEDGER_DB_REC, "zz", 2),
			 BTT_ENOTFOUND);
	assert_int_equal(btt_ledger_txn_err(t), 0);
	assert_int_equal(btt_ledger_txn_commit(t), 0);
	/* a reader cannot write */
	assert_int_equal(btt_ledger_store_begin(f->s, false, &t), 0);
	assert_false(btt_ledger_txn_writable(t));
	assert_int_equal(
		btt_ledger_txn_put(t, BTT_LEDGER_DB_REC, "a", 1, "v", 1),
		BTT_EINVALID);
	assert_int_equal(btt_ledger_txn_commit(t), 0);
	expect_val(f->s, BTT_LEDGER_DB_REC, "a", NULL);
}

static void test_store_iter_prefix_in_key_order(void **state)
{
	struct fix *f = *state;
	static const char *const keys[] = {"b2", "a1", "b1", "c", "b", "b10"};
	static const char *const want[] = {"b", "b1", "b10", "b2"};
	struct btt_ledger_txn *t;
	struct btt_ledger_iter *it;
	struct btt_cur k, v;
	size_t n = 0;
	int rc;

	f->s = store_open_ok(f->dir, 0);
	assert_int_equal(btt_ledger_store_begin(f->s, true, &t), 0);
	for (size_t i = 0; i < 6; i++)
		put_ok(t, BTT_LEDGER_DB_REC, keys[i], keys[i]);
	assert_int_equal(
		btt_ledger_iter_open(t, BTT_LEDGER_DB_REC, "b", 1, &it), 0);
	while ((rc = btt_ledger_iter_next(it, &k, &v)) == 0) {
		assert_true(n < 4);
		assert_true(btt_cur_eq_str(&k, want[n]));
		assert_true(btt_cur_eq_str(&v, want[n]));
		n++;
	}
	assert_int_equal(rc, BTT_ENOTFOUND);
	assert_int_equal(btt_ledger_iter_next(it, &k, &v), BTT_ENOTFOUND);
	assert_int_equal(n, 4);
	btt_ledger_iter_free(it);
	/* no prefix: everything */
	assert_int_equal(
		btt_ledger_iter_open(t, BTT_LEDGER_DB_REC, NULL, 0, &it), 0);
	for (n = 0; btt_ledger_iter_next(it, &k, &v) == 0; n++)
		;
	assert_int_equal(n, 6);
	btt_ledger_iter_free(it);
	btt_ledger_iter_free(NULL);
	btt_ledger_txn_abort(t);
	btt_ledger_txn_abort(NULL);
}

static void test_store_default_map_is_sparse(void **state)
{
	struct fix *f = *state;
	struct btt_ledger_txn *t;
	char path[4200];
	struct stat st;

	f->s = store_open_ok(f->dir, 0); /* 64 GiB of address space */
	assert_int_equal(btt_ledger_store_begin(f->s, true, &t), 0);
	put_ok(t, BTT_LEDGER_DB_REC, "k", "v");
	assert_int_equal(btt_ledger_txn_commit(t), 0);
	snprintf(path, sizeof(path), "%s/data.mdb", f->dir);
	assert_int_equal(stat(path, &st), 0);
	assert_true((st.st_mode & 0777) == 0600);
	assert_true(st.st_size < (1 << 20));
	assert_true(st.st_blocks * 512 < (1 << 20));
}

/* Fills the map: the write fails with BTT_ESTOREFULL, the error sticks,
 * the commit writes nothing, and a larger map lets writing go on. */
static void test_store_map_full(void **state)
{
	struct fix *f = *state;
	struct btt_ledger_txn *t;
	uint8_t root[32], got[32], big[1024];
	uint64_t h = 0;
	int rc = 0;

	memset(root, 1, 32);
	memset(big, 'z', sizeof(big));
	f->s = store_open_ok(f->dir, 256 << 10);
	assert_int_equal(btt_ledger_store_begin(f->s, true, &t), 0);
	put_ok(t, BTT_LEDGER_DB_REC, "before", "kept");
	assert_int_equal(btt_ledger_txn_set_head(t, 1, root), 0);
	assert_int_equal(btt_ledger_txn_commit(t), 0);

	assert_int_equal(btt_ledger_store_begin(f->s, true, &t), 0);
	for (uint32_t i = 0; i < 100000 && rc == 0; i++) {
		rc = btt_ledger_txn_put(t, BTT_LEDGER_DB_REC, &i, sizeof(i),
					big, sizeof(big));
	}
	assert_int_equal(rc, BTT_ESTOREFULL);
	assert_int_equal(btt_ledger_txn_err(t), BTT_ESTOREFULL);
	assert_int_equal(
		btt_ledger_txn_put(t, BTT_LEDGER_DB_REC, "x", 1, "y", 1),
		BTT_ESTOREFULL);
	assert_int_equal(btt_ledger_txn_set_head(t, 2, root), BTT_ESTOREFULL);
	assert_int_equal(btt_ledger_txn_commit(t), BTT_ESTOREFULL);

	assert_int_equal(db_count(f->s, BTT_LEDGER_DB_REC), 1);
	expect_val(f->s, BTT_LEDGER_DB_REC, "before", "kept");
	btt_ledger_store_free(f->s);
	f->s = store_open_ok(f->dir, 64 << 20);
	assert_int_equal(btt_ledger_store_begin(f->s, true, &t), 0);
	assert_int_equal(btt_ledger_txn_head(t, &h, got), 0);
	assert_true(h == 1);
	for (uint32_t i = 0; i < 2000; i++)
		assert_int_equal(btt_ledger_txn_put(t, BTT_LEDGER_DB_REC, &i,
						    sizeof(i), big,
						    sizeof(big)),
				 0);
	assert_int_equal(btt_ledger_txn_commit(t), 0);
	assert_int_equal(db_count(f->s, BTT_LEDGER_DB_REC), 2001);
}

/* --- kill -9 ----------------------------------------------------------- */

#define CRASH_KEYS 400
#define CRASH_CHANGES 40

static int cmp_change(const void *a, const void *b)
{
	return memcmp(((const struct btt_smt_change *)a)->key,
		      ((const struct btt_smt_change *)b)->key, 32);
}

static void crash_key(uint32_t i, uint8_t key[32])
{
	btt_keccak256(&i, sizeof(i), key);
}

/* Block h: CRASH_CHANGES changes over a fixed key universe, to the tree
 * and to the record database, then the head; one transaction. */
static int crash_block(struct btt_ledger_store *s, uint64_t h)
{
	struct btt_smt_change ch[CRASH_CHANGES];
	uint8_t vals[CRASH_CHANGES][16], root[32] = {0};
	uint32_t ids[CRASH_CHANGES];
	struct btt_ledger_txn *t;
	uint64_t rng = h * 7919, head;
	size_t n = 0;
	int rc = btt_ledger_store_begin(s, true, &t);

	if (rc)
		return rc;
	rc = btt_ledger_txn_head(t, &head, root);
	if (rc == 0 && head != h - 1)
		rc = BTT_EINVALID;
	if (rc == BTT_ENOTFOUND && h == 1)
		rc = 0;
	/* ids ascending and distinct: a sorted pick from the universe */
	for (uint32_t i = 0; i < CRASH_KEYS && n < CRASH_CHANGES; i++)
		if (rng_next(&rng) % (CRASH_KEYS / CRASH_CHANGES) == 0)
			ids[n++] = i;
	for (size_t j = 0; j < n && !rc; j++) {
		memset(&ch[j], 0, sizeof(ch[j]));
		crash_key(ids[j], ch[j].key);
		if (rng_next(&rng) % 4 == 0) {
			rc = btt_ledger_txn_del(t, BTT_LEDGER_DB_REC, &ids[j],
						4);
			rc = rc == BTT_ENOTFOUND ? 0 : rc;
			continue;
		}
		rng_bytes(&rng, vals[j], 16);
		ch[j].value = vals[j];
		ch[j].value_len = 16;
		rc = btt_ledger_txn_put(t, BTT_LEDGER_DB_REC, &ids[j], 4,
					vals[j], 16);
	}
	qsort(ch, n, sizeof(ch[0]), cmp_change);
	if (!rc)
		rc = btt_ledger_smt_update(t, root, ch, n, root, NULL);
	if (!rc)
		rc = btt_ledger_txn_set_head(t, h, root);
	if (rc) {
		btt_ledger_txn_abort(t);
		return rc;
	}
	return btt_ledger_txn_commit(t);
}

static uint64_t head_of(struct btt_ledger_store *s, uint8_t root[32])
{
	struct btt_ledger_txn *t;
	uint64_t h = 0;
	memset(root, 0, 32);
	assert_int_equal(btt_ledger_store_begin(s, false, &t), 0);
	int rc = btt_ledger_txn_head(t, &h, root);
	assert_true(rc == 0 || rc == BTT_ENOTFOUND);
	btt_ledger_txn_abort(t);
	return h;
}

static _Noreturn void crash_child(const char *dir)
{
	struct btt_ledger_store *s;
	uint8_t root[32];

	if (btt_ledger_store_open(dir, 0, &s))
		_exit(2);
	for (uint64_t h = head_of(s, root) + 1;; h++)
		if (crash_block(s, h))
			_exit(3);
}

/* Every record and the tree of the two stores are identical. */
static void same_state(struct btt_ledger_store *a, struct btt_ledger_store *b)
{
	enum btt_ledger_db dbs[] = {BTT_LEDGER_DB_REC, BTT_LEDGER_DB_SMT,
				    BTT_LEDGER_DB_META};
	for (size_t d = 0; d < 3; d++) {
		struct btt_ledger_txn *ta, *tb;
		struct btt_ledger_iter *ia, *ib;
		struct btt_cur ka, va, kb, vb;
		int ra, rb;
		assert_int_equal(btt_ledger_store_begin(a, false, &ta), 0);
		assert_int_equal(btt_ledger_store_begin(b, false, &tb), 0);
		assert_int_equal(btt_ledger_iter_open(ta, dbs[d], NULL, 0, &ia),
				 0);
		assert_int_equal(btt_ledger_iter_open(tb, dbs[d], NULL, 0, &ib),
				 0);
		do {
			ra = btt_ledger_iter_next(ia, &ka, &va);
			rb = btt_ledger_iter_next(ib, &kb, &vb);
			assert_int_equal(ra, rb);
			if (ra == 0) {
				assert_true(btt_cur_eq(&ka, kb.p, kb.len));
				assert_true(btt_cur_eq(&va, vb.p, vb.len));
			}
		} while (ra == 0);
		btt_ledger_iter_free(ia);
		btt_ledger_iter_free(ib);
		btt_ledger_txn_abort(ta);
		btt_ledger_txn_abort(tb);
	}
}

static void test_store_kill9_leaves_whole_blocks(void **state)
{
	struct fix *f = *state;
	char *replay_dir = tmp_dir();
	uint64_t rng = (uint64_t)time(NULL), replayed = 0, last = 0;
	uint8_t root[32], want[32];

	print_message("kill -9 seed %llu\n", (unsigned long long)rng);
	for (int round = 0; round < 5; round++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			crash_child(f->dir);
		struct timespec ts = {0, (long)(20 + rng_next(&rng) % 200) *
						 1000000L};
		nanosleep(&ts, NULL);
		assert_int_equal(kill(pid, SIGKILL), 0);
		int status = 0;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status)); /* not an early exit */

		f->s = store_open_ok(f->dir, 0);
		uint64_t h = head_of(f->s, root);
		assert_true(h >= last);
		last = h;
		struct btt_ledger_store *r = store_open_ok(replay_dir, 0);
		while (replayed < h)
			assert_int_equal(crash_block(r, ++replayed), 0);
		assert_int_equal(head_of(r, want), h);
		assert_memory_equal(root, want, 32);
		same_state(f->s, r);
		btt_ledger_store_free(r);
		btt_ledger_store_free(f->s);
		f->s = NULL;
	}
	print_message("kill -9: %llu blocks survived\n",
		      (unsigned long long)last);
	assert_true(last > 0);
	tree_remove(replay_dir);
	free(replay_dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_store_commit_abort_reopen),
		T(test_store_head_roundtrip),
		T(test_store_bad_head_refused),
		T(test_store_not_lmdb_refused),
		T(test_store_truncated_refused),
		T(test_store_argument_checks),
		T(test_store_iter_prefix_in_key_order),
		T(test_store_default_map_is_sparse),
		T(test_store_map_full),
		T(test_store_kill9_leaves_whole_blocks),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
