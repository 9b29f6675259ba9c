/* The ledger's LMDB environment: opening it, transactions, the head
 * record, iteration, and the mapping of LMDB's error codes to btt's.
 *
 * This is the only ledger file that includes <lmdb.h>. Invariants: every
 * named database is opened (created) once, at store open, in a committed
 * write transaction, so transactions never open handles; a write
 * transaction carries a sticky error and is aborted, never committed,
 * once it has one; the store holds at most one write transaction. */
#include <errno.h>
#include <lmdb.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "btt/err.h"
#include "core/log.h"
#include "ledger/store.h"

#define LOG_TAG "store"

/* The head record in the meta database: u32 format || u64 height ||
 * root[32]. */
#define HEAD_KEY "head"
#define HEAD_FORMAT 1u
#define HEAD_LEN (4 + 8 + BTT_LEDGER_ROOT_LEN)

/* Named databases, indexed by enum btt_ledger_db. */
static const char *const db_names[BTT_LEDGER_DB_COUNT] = {
	[BTT_LEDGER_DB_META] = "meta",	 [BTT_LEDGER_DB_ACCT] = "acct",
	[BTT_LEDGER_DB_REC] = "rec",	 [BTT_LEDGER_DB_SMT] = "smt",
	[BTT_LEDGER_DB_BLOCK] = "block", [BTT_LEDGER_DB_BLOCKID] = "blockid",
	[BTT_LEDGER_DB_TXIDX] = "txidx", [BTT_LEDGER_DB_HIST] = "hist",
};

/* Room for the databases the node and consensus add later. */
#define MAX_DBS 32

struct btt_ledger_store {
	MDB_env *env;
	MDB_dbi dbi[BTT_LEDGER_DB_COUNT];
	atomic_bool writing; /* a write transaction is open */
};

struct btt_ledger_txn {
	struct btt_ledger_store *store;
	MDB_txn *txn;
	bool write;
	int err; /* sticky, write transactions only */
	/* One write cursor per database, opened on first use and closed by
	 * LMDB with the transaction. A positioned cursor skips the descent
	 * from the root when the next key is on the same page, which is
	 * what sorted batches (tree nodes, a block's records) give. */
	MDB_cursor *wcur[BTT_LEDGER_DB_COUNT];
};

struct btt_ledger_iter {
	struct btt_ledger_txn *txn;
	MDB_cursor *cur;
	uint8_t prefix[BTT_LEDGER_STORE_MAX_KEY];
	size_t plen;
	bool started;
};

/* Maps an LMDB (or errno) return code to btt's error space. Codes that a
 * caller cannot act on are logged here, once, with LMDB's own text. */
static int map_err(int rc)
{
	switch (rc) {
	case MDB_SUCCESS: return 0;
	case MDB_NOTFOUND: return BTT_ENOTFOUND;
	case MDB_MAP_FULL:
		BTT_LOG(BTT_LOG_ERROR, LOG_TAG,
			"map size reached; reopen with a larger map size");
		return BTT_ESTOREFULL;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
		BTT_LOG(BTT_LOG_ERROR, LOG_TAG, "lmdb: %s", mdb_strerror(rc));
		return BTT_ECORRUPT;
	case MDB_VERSION_MISMATCH:
		BTT_LOG(BTT_LOG_ERROR, LOG_TAG, "lmdb: %s", mdb_strerror(rc));
		return BTT_EUNSUPPORTED;
	default: break;
	}
	if (rc > 0)
		return -rc; /* LMDB passes system errors through as errno */
	BTT_LOG(BTT_LOG_ERROR, LOG_TAG, "lmdb: %s", mdb_strerror(rc));
	return BTT_ESTORE;
}

static int open_dbs(struct btt_ledger_store *s)
{
	MDB_txn *txn;
	int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
	if (rc)
		return map_err(rc);
	for (int i = 0; i < BTT_LEDGER_DB_COUNT; i++) {
		rc = mdb_dbi_open(txn, db_names[i], MDB_CREATE, &s->dbi[i]);
		if (rc) {
			mdb_txn_abort(txn);
			return map_err(rc);
		}
	}
	return map_err(mdb_txn_commit(txn));
}

/* Checks the head record's format, so a store written by a future
 * version is refused instead of misread. */
static int check_format(struct btt_ledger_store *s)
{
	struct btt_ledger_txn *t = NULL;
	uint64_t height;
	uint8_t root[BTT_LEDGER_ROOT_LEN];
	int rc = btt_ledger_store_begin(s, false, &t);
	if (rc)
		return rc;
	rc = btt_ledger_txn_head(t, &height, root);
	btt_ledger_txn_abort(t);
	return rc == BTT_ENOTFOUND ? 0 : rc;
}

/* A data file cut short (a torn copy, a full disk while it grew) would
 * make LMDB touch pages past its end through the map: SIGBUS instead of an
 * error. The meta page, read with pread at open, names the last page in
 * use; refuse a file that does not reach it. */
static int check_length(struct btt_ledger_store *s)
{
	MDB_envinfo info;
	MDB_stat st;
	struct stat fst;
	mdb_filehandle_t fd;
	int rc;

	if ((rc = mdb_env_info(s->env, &info)) ||
	    (rc = mdb_env_stat(s->env, &st)) ||
	    (rc = mdb_env_get_fd(s->env, &fd)))
		return map_err(rc);
	if (fstat(fd, &fst) != 0)
		return -errno;
	if ((uint64_t)fst.st_size <
	    ((uint64_t)info.me_last_pgno + 1) * (uint64_t)st.ms_psize) {
		BTT_LOG(BTT_LOG_ERROR, LOG_TAG,
			"data file is %llu bytes but its last page ends at "
			"%llu",
			(unsigned long long)fst.st_size,
			((unsigned long long)info.me_last_pgno + 1) *
				st.ms_psize);
		return BTT_ECORRUPT;
	}
	return 0;
}

static int env_open(struct btt_ledger_store *s, const char *dir,
		    uint64_t map_size)
{
	int dead = 0;
	int rc = mdb_env_create(&s->env);
	if (rc)
		return map_err(rc);
	if ((rc = mdb_env_set_maxdbs(s->env, MAX_DBS)) ||
	    (rc = mdb_env_set_mapsize(s->env, (size_t)map_size)))
		return map_err(rc);
	/* NOTLS: read transactions may move between threads (RPC workers).
	 * NORDAHEAD: tree nodes are read at random; readahead only wastes
	 * page cache. The default sync mode is what makes commits durable. */
	rc = mdb_env_open(s->env, dir, MDB_NOTLS | MDB_NORDAHEAD, 0600);
	if (rc)
		return map_err(rc);
	if ((rc = check_length(s)))
		return rc;
	/* Reader slots left by a killed process would pin old pages. */
	rc = mdb_reader_check(s->env, &dead);
	if (rc)
		return map_err(rc);
	if (dead)
		BTT_LOG(BTT_LOG_INFO, LOG_TAG, "cleared %d stale readers",
			dead);
	return 0;
}

int btt_ledger_store_open(const char *dir, uint64_t map_size,
			  struct btt_ledger_store **out)
{
	struct btt_ledger_store *s;
	int rc;

	if (map_size == 0)
		map_size = BTT_LEDGER_STORE_MAP_DEFAULT;
	if (map_size > SIZE_MAX)
		return BTT_EINVALID;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -errno;
	s = calloc(1, sizeof(*s));
	if (!s)
		abort();
	atomic_init(&s->writing, false);
	rc = env_open(s, dir, map_size);
	if (!rc)
		rc = open_dbs(s);
	if (!rc)
		rc = check_format(s);
	if (rc) {
		btt_ledger_store_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void btt_ledger_store_free(struct btt_ledger_store *s)
{
	if (!s)
		return;
	if (s->env)
		mdb_env_close(s->env);
	free(s);
}

int btt_ledger_store_begin(struct btt_ledger_store *s, bool write,
			   struct btt_ledger_txn **out)
{
	struct btt_ledger_txn *t = NULL;
	int rc;

	/* A second writer in the same thread would deadlock on LMDB's
	 * writer mutex; refuse it instead (in any thread). */
	if (write && atomic_exchange(&s->writing, true))
		return BTT_EINVALID;
	t = calloc(1, sizeof(*t));
	if (!t)
		abort();
	rc = mdb_txn_begin(s->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
	if (rc) {
		free(t);
		if (write)
			atomic_store(&s->writing, false);
		return map_err(rc);
	}
	t->store = s;
	t->write = write;
	*out = t;
	return 0;
}

static void txn_end(struct btt_ledger_txn *t)
{
	if (t->write)
		atomic_store(&t->store->writing, false);
	free(t);
}

int btt_ledger_txn_commit(struct btt_ledger_txn *t)
{
	int rc;

	if (t->err) {
		rc = t->err;
		mdb_txn_abort(t->txn);
	} else if (!t->write) {
		rc = 0;
		mdb_txn_abort(t->txn);
	} else {
		/* mdb_txn_commit frees the transaction on failure too. */
		rc = map_err(mdb_txn_commit(t->txn));
	}
	txn_end(t);
	return rc;
}

void btt_ledger_txn_abort(struct btt_ledger_txn *t)
{
	if (!t)
		return;
	mdb_txn_abort(t->txn);
	txn_end(t);
}

bool btt_ledger_txn_writable(const struct btt_ledger_txn *t)
{
	return t->write;
}

int btt_ledger_txn_err(const struct btt_ledger_txn *t)
{
	return t->err;
}

static bool key_ok(size_t klen)
{
	return klen > 0 && klen <= BTT_LEDGER_STORE_MAX_KEY;
}

int btt_ledger_txn_get(struct btt_ledger_txn *t, enum btt_ledger_db db,
		       const void *key, size_t klen, struct btt_cur *out)
{
	MDB_val k = {klen, (void *)key}, v;
	int rc;

	btt_cur_init(out, NULL, 0);
	if (!key_ok(klen) || (unsigned)db >= BTT_LEDGER_DB_COUNT)
		return BTT_EINVALID;
	rc = mdb_get(t->txn, t->store->dbi[db], &k, &v);
	if (rc)
		return map_err(rc);
	btt_cur_init(out, v.mv_data, v.mv_size);
	return 0;
}

/* Records a failure of a write as the transaction's sticky error. */
static int stick(struct btt_ledger_txn *t, int rc)
{
	if (rc && !t->err)
		t->err = rc;
	return rc;
}

static int write_check(const struct btt_ledger_txn *t, enum btt_ledger_db db,
		       size_t klen)
{
	if (!t->write || !key_ok(klen) || (unsigned)db >= BTT_LEDGER_DB_COUNT)
		return BTT_EINVALID;
	return t->err;
}

/* The write cursor of db, opened on first use. */
static int write_cursor(struct btt_ledger_txn *t, enum btt_ledger_db db)
{
	if (t->wcur[db])
		return 0;
	return stick(t, map_err(mdb_cursor_open(t->txn, t->store->dbi[db],
						&t->wcur[db])));
}

int btt_ledger_txn_put(struct btt_ledger_txn *t, enum btt_ledger_db db,
		       const void *key, size_t klen, const void *val,
		       size_t vlen)
{
	MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
	int rc = write_check(t, db, klen);
	if (!rc)
		rc = write_cursor(t, db);
	if (rc)
		return rc;
	return stick(t, map_err(mdb_cursor_put(t->wcur[db], &k, &v, 0)));
}

int btt_ledger_txn_del(struct btt_ledger_txn *t, enum btt_ledger_db db,
		       const void *key, size_t klen)
{
	MDB_val k = {klen, (void *)key}, v;
	int rc = write_check(t, db, klen);
	if (!rc)
		rc = write_cursor(t, db);
	if (rc)
		return rc;
	rc = mdb_cursor_get(t->wcur[db], &k, &v, MDB_SET);
	if (rc == MDB_NOTFOUND)
		return BTT_ENOTFOUND;
	if (!rc)
		rc = mdb_cursor_del(t->wcur[db], 0);
	return stick(t, map_err(rc));
}

int btt_ledger_txn_head(struct btt_ledger_txn *t, uint64_t *out_height,
			uint8_t out_root[BTT_LEDGER_ROOT_LEN])
{
	struct btt_cur c;
	uint32_t format;
	uint64_t height;
	int rc = btt_ledger_txn_get(t, BTT_LEDGER_DB_META, HEAD_KEY,
				    strlen(HEAD_KEY), &c);
	if (rc)
		return rc;
	if (!btt_cur_get_u32be(&c, &format))
		return BTT_ECORRUPT;
	if (format != HEAD_FORMAT)
		return BTT_EUNSUPPORTED;
	if (btt_cur_len(&c) != 8 + BTT_LEDGER_ROOT_LEN ||
	    !btt_cur_get_u64be(&c, &height))
		return BTT_ECORRUPT;
	*out_height = height;
	memcpy(out_root, btt_cur_data(&c), BTT_LEDGER_ROOT_LEN);
	return 0;
}

int btt_ledger_txn_set_head(struct btt_ledger_txn *t, uint64_t height,
			    const uint8_t root[BTT_LEDGER_ROOT_LEN])
{
	uint8_t rec[HEAD_LEN];
	for (int i = 0; i < 4; i++)
		rec[i] = (uint8_t)(HEAD_FORMAT >> (24 - 8 * i));
	for (int i = 0; i < 8; i++)
		rec[4 + i] = (uint8_t)(height >> (56 - 8 * i));
	memcpy(rec + 12, root, BTT_LEDGER_ROOT_LEN);
	return btt_ledger_txn_put(t, BTT_LEDGER_DB_META, HEAD_KEY,
				  strlen(HEAD_KEY), rec, sizeof(rec));
}

int btt_ledger_iter_open(struct btt_ledger_txn *t, enum btt_ledger_db db,
			 const void *prefix, size_t plen,
			 struct btt_ledger_iter **out)
{
	struct btt_ledger_iter *it;
	int rc;

	if (plen > BTT_LEDGER_STORE_MAX_KEY ||
	    (unsigned)db >= BTT_LEDGER_DB_COUNT)
		return BTT_EINVALID;
	it = calloc(1, sizeof(*it));
	if (!it)
		abort();
	rc = mdb_cursor_open(t->txn, t->store->dbi[db], &it->cur);
	if (rc) {
		free(it);
		return map_err(rc);
	}
	it->txn = t;
	if (plen)
		memcpy(it->prefix, prefix, plen);
	it->plen = plen;
	*out = it;
	return 0;
}

int btt_ledger_iter_next(struct btt_ledger_iter *it, struct btt_cur *out_key,
			 struct btt_cur *out_val)
{
	MDB_val k = {it->plen, it->prefix}, v;
	int rc;

	if (!it->started)
		rc = it->plen ? mdb_cursor_get(it->cur, &k, &v, MDB_SET_RANGE)
			      : mdb_cursor_get(it->cur, &k, &v, MDB_FIRST);
	else
		rc = mdb_cursor_get(it->cur, &k, &v, MDB_NEXT);
	it->started = true;
	if (rc)
		return map_err(rc);
	if (k.mv_size < it->plen || memcmp(k.mv_data, it->prefix, it->plen))
		return BTT_ENOTFOUND;
	btt_cur_init(out_key, k.mv_data, k.mv_size);
	btt_cur_init(out_val, v.mv_data, v.mv_size);
	return 0;
}

void btt_ledger_iter_free(struct btt_ledger_iter *it)
{
	if (!it)
		return;
	mdb_cursor_close(it->cur);
	free(it);
}

int btt_ledger_txn_count(struct btt_ledger_txn *t, enum btt_ledger_db db,
			 uint64_t *out)
{
	MDB_stat st;
	int rc;

	if ((unsigned)db >= BTT_LEDGER_DB_COUNT)
		return BTT_EINVALID;
	rc = mdb_stat(t->txn, t->store->dbi[db], &st);
	if (rc)
		return map_err(rc);
	*out = st.ms_entries;
	return 0;
}
