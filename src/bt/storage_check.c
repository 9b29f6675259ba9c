/* Checking pieces from disk (see storage.h, btt_bt_storage_check).
 *
 * The pieces to check leave the complete set when the check starts and
 * come back one by one as they pass; until checked they are `unknown`,
 * which keeps resume saves from recording them as missing. Jobs take up to
 * about 4 MiB of pieces each from the set in order and run at low priority, at
 * most two per worker in flight, each with its own read buffer and v2 leaf
 * scratch; the hashing is bt/piecehash.h, as in `verify`. A missing or short
 * file makes its pieces fail quietly; any other read error also puts the
 * storage in the error state. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bt/storage_int.h"
#include "btt/err.h"

#define JOB_BYTES (4u << 20)
#define CHECK_BUF (1u << 20)

struct scjob {
	struct btt_bt_storage *st;
	uint32_t *pieces;
	uint8_t *pass;
	uint32_t n;
	uint8_t *buf;
	size_t buf_len;
	uint8_t (*leaves)[BTT_MERKLE_HASH];
	struct btt_piece_hash ph;
	int err;
	uint32_t err_file;
	uint64_t bytes;
};

void st_check_free(struct scheck *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < c->njobs; i++) {
		free(c->jobs[i].pieces);
		free(c->jobs[i].pass);
		free(c->jobs[i].buf);
		free(c->jobs[i].leaves);
	}
	free(c->jobs);
	btt_bitfield_release(&c->set);
	free(c);
}

static void check_work(void *arg)
{
	struct scjob *j = arg;
	struct btt_bt_storage *st = j->st;
	size_t nleaves = btt_piece_hash_leaves(st->mi);

	j->err = 0;
	j->bytes = 0;
	for (uint32_t i = 0; i < j->n; i++) {
		uint32_t p = j->pieces[i], file = SNONE;
		uint64_t pos = (uint64_t)p * st->layout.piece_length;
		int rc;
		btt_piece_hash_begin(&j->ph, st->mi, p, j->leaves, nleaves);
		rc = st_hash_range(st, &j->ph, pos,
				   btt_metainfo_piece_size(st->mi, p), j->buf,
				   j->buf_len, false, &file, &j->bytes);
		if (rc) {
			btt_piece_hash_cancel(&j->ph);
			j->pass[i] = 0;
		} else {
			j->pass[i] = btt_piece_hash_end(&j->ph);
		}
		if (rc && rc != -ENOENT && rc != BTT_EINCOMPLETE && !j->err) {
			j->err = rc;
			j->err_file = file;
		}
	}
}

static void check_done(void *arg);

/* Gives job j the next pieces of the set; false when none are left. */
static bool check_refill(struct btt_bt_storage *st, struct scjob *j)
{
	struct scheck *c = st->check;
	size_t nbits = btt_bitfield_size(&c->set);

	j->n = 0;
	while (j->n < c->per_job && c->next < nbits) {
		size_t p = btt_bitfield_find_next_set(&c->set, c->next);
		if (p >= nbits) {
			c->next = (uint32_t)nbits;
			break;
		}
		j->pieces[j->n++] = (uint32_t)p;
		c->next = (uint32_t)p + 1;
	}
	return j->n > 0;
}

static void check_finish(struct btt_bt_storage *st)
{
	struct scheck *c = st->check;
	btt_bt_storage_done_fn cb = c->cb;
	void *arg = c->arg;
	int err = c->cancelled ? BTT_ECANCELLED : 0;

	st->check = NULL;
	st_check_free(c);
	cb(arg, err);
}

static void check_done(void *arg)
{
	struct scjob *j = arg;
	struct btt_bt_storage *st = j->st;
	struct scheck *c = st->check;

	st_job_done(st);
	c->running--;
	for (uint32_t i = 0; i < j->n; i++) {
		btt_bitfield_clear(&st->unknown, j->pieces[i]);
		if (j->pass[i])
			st_piece_complete(st, j->pieces[i]);
	}
	c->done += j->n;
	st->stats.bytes_read += j->bytes;
	if (j->err)
		st_fail(st, j->err, j->err_file);
	if (c->progress && j->n)
		c->progress(c->arg, c->done, c->total);
	if (!c->cancelled && check_refill(st, j)) {
		c->running++;
		st_submit(st, BTT_POOL_LOW, check_work, check_done, j);
	} else if (!c->running) {
		check_finish(st);
	}
	st_idle_check(st);
}

static int jobs_alloc(struct btt_bt_storage *st, struct scheck *c)
{
	uint64_t plen = st->layout.piece_length;
	size_t nleaves = btt_piece_hash_leaves(st->mi);
	unsigned want = 2 * btt_pool_threads(st->pool);
	uint64_t needed = ((uint64_t)c->total + c->per_job - 1) / c->per_job;

	c->njobs = needed < want ? (unsigned)(needed ? needed : 1) : want;
	c->jobs = calloc(c->njobs, sizeof(*c->jobs));
	if (!c->jobs)
		return -ENOMEM;
	for (unsigned i = 0; i < c->njobs; i++) {
		struct scjob *j = &c->jobs[i];
		j->st = st;
		j->buf_len = plen < CHECK_BUF ? (size_t)plen : CHECK_BUF;
		j->buf = malloc(j->buf_len);
		j->pieces = malloc(c->per_job * sizeof(*j->pieces));
		j->pass = malloc(c->per_job);
		if (nleaves)
			j->leaves = malloc(nleaves * BTT_MERKLE_HASH);
		if (!j->buf || !j->pieces || !j->pass ||
		    (nleaves && !j->leaves))
			return -ENOMEM;
	}
	return 0;
}

static int check_state(const struct btt_bt_storage *st,
		       const struct btt_bitfield *pieces,
		       btt_bt_storage_done_fn done)
{
	if (st->closing)
		return BTT_ECANCELLED;
	if (!st->opened || !done ||
	    (pieces && btt_bitfield_size(pieces) != st->mi->num_pieces))
		return BTT_EINVALID;
	if (st->check || st_slots_busy(st))
		return -EBUSY;
	return 0;
}

static int check_set(struct btt_bt_storage *st, struct scheck *c,
		     const struct btt_bitfield *pieces)
{
	size_t n = st->mi->num_pieces;
	int rc = btt_bitfield_init(&c->set, n);

	if (rc)
		return rc;
	if (!pieces) {
		btt_bitfield_set_all(&c->set);
		return 0;
	}
	for (size_t p = btt_bitfield_find_next_set(pieces, 0); p < n;
	     p = btt_bitfield_find_next_set(pieces, p + 1))
		btt_bitfield_set(&c->set, p);
	return 0;
}

int btt_bt_storage_check(struct btt_bt_storage *st,
			 const struct btt_bitfield *pieces,
			 btt_bt_storage_progress_fn progress,
			 btt_bt_storage_done_fn done, void *arg)
{
	uint64_t plen = st->layout.piece_length;
	struct scheck *c;
	int rc = check_state(st, pieces, done);

	if (rc)
		return rc;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->progress = progress;
	c->cb = done;
	c->arg = arg;
	c->per_job = plen >= JOB_BYTES ? 1 : (uint32_t)(JOB_BYTES / plen);
	rc = check_set(st, c, pieces);
	if (!rc) {
		c->total = (uint32_t)btt_bitfield_count(&c->set);
		rc = jobs_alloc(st, c);
	}
	if (rc) {
		st_check_free(c);
		return rc;
	}
	st_slots_drop(st, &c->set);
	for (size_t p = btt_bitfield_find_next_set(&c->set, 0);
	     p < st->mi->num_pieces;
	     p = btt_bitfield_find_next_set(&c->set, p + 1)) {
		st_piece_uncomplete(st, (uint32_t)p);
		btt_bitfield_set(&st->unknown, p);
	}
	st->check = c;
	for (unsigned i = 0; i < c->njobs; i++) {
		if (!check_refill(st, &c->jobs[i]) && i)
			break;
		c->running++;
		st_submit(st, BTT_POOL_LOW, check_work, check_done,
			  &c->jobs[i]);
	}
	return 0;
}
