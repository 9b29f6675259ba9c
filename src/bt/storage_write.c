/* Writing blocks: the capped write buffers, pieces in progress and the
 * write+hash jobs (see storage.h, "Writing").
 *
 * A piece in progress (struct sslot) tracks each 16 KiB unit: missing,
 * pending (buffered, waiting for or inside a job), written, or pad (wholly
 * inside pad files, so never sent and implied). At most one job per piece
 * runs at a time; blocks arriving meanwhile wait in `pending` and go to
 * the next job, so a busy piece naturally batches its writes. The hash
 * covers [0, hash_off); units from hash_off to hash_to (computed at
 * submit) are written or in the batch, so the job hashes the batch from
 * memory and reads back only the units written by earlier jobs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bt/storage_int.h"
#include "btt/err.h"

#define IOV_BATCH 64
#define FREE_BLOCKS 64		  /* recycled 16 KiB buffers kept */
#define READBACK_BUF (256u << 10) /* read-back chunk */

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		abort();
	return p;
}

/* ---- buffers ---- */

static struct sblock *block_get(struct btt_bt_storage *st, uint32_t len)
{
	struct sblock *b = st->free_blocks;

	if (len == BTT_BT_STORAGE_BLOCK && b) {
		st->free_blocks = b->next;
		st->nfree--;
		return b;
	}
	return xmalloc(sizeof(*b) + (len < BTT_BT_STORAGE_BLOCK
					     ? BTT_BT_STORAGE_BLOCK
					     : len));
}

static void block_put(struct btt_bt_storage *st, struct sblock *b)
{
	if (b->len <= BTT_BT_STORAGE_BLOCK && st->nfree < FREE_BLOCKS) {
		b->next = st->free_blocks;
		st->free_blocks = b;
		st->nfree++;
		return;
	}
	free(b);
}

/* ---- pieces in progress (owner) ---- */

static void mark_pad_units(struct btt_bt_storage *st, struct sslot *s)
{
	uint64_t start = (uint64_t)s->piece * st->layout.piece_length;
	struct btt_layout_iter it;
	struct btt_layout_extent e;

	btt_layout_iter_range(&st->layout, start, s->size, &it);
	while (btt_layout_iter_next(&it, &e)) {
		uint64_t a = e.pos - start, b = a + e.length;
		uint64_t u =
			(a + BTT_BT_STORAGE_BLOCK - 1) / BTT_BT_STORAGE_BLOCK;
		if (!e.pad)
			continue;
		for (; u < s->nunits; u++) {
			uint64_t end = (u + 1) * BTT_BT_STORAGE_BLOCK;
			if ((end < s->size ? end : s->size) > b)
				break;
			s->units[u] = U_PAD;
		}
	}
}

static void slot_hash_begin(struct btt_bt_storage *st, struct sslot *s)
{
	btt_piece_hash_begin(&s->ph, st->mi, s->piece, s->leaves,
			     btt_piece_hash_leaves(st->mi));
	s->hash_off = 0;
}

static int slot_get(struct btt_bt_storage *st, uint32_t p, struct sslot **out)
{
	struct sslot *s = btt_hmap_get_ptr(&st->slots, &p);
	size_t nleaves = btt_piece_hash_leaves(st->mi);

	if (s) {
		*out = s;
		return 0;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		abort();
	s->st = st;
	s->piece = p;
	s->size = (uint32_t)btt_metainfo_piece_size(st->mi, p);
	s->nunits = (s->size + BTT_BT_STORAGE_BLOCK - 1) / BTT_BT_STORAGE_BLOCK;
	s->units = calloc(s->nunits, 1);
	s->leaves = nleaves ? malloc(nleaves * BTT_MERKLE_HASH) : NULL;
	s->ptail = &s->pending;
	if (!s->units || (nleaves && !s->leaves) ||
	    btt_hmap_put_ptr(&st->slots, &p, s) != 0) {
		free(s->units);
		free(s->leaves);
		free(s);
		return -ENOMEM;
	}
	mark_pad_units(st, s);
	slot_hash_begin(st, s);
	*out = s;
	return 0;
}

static void slot_free(struct btt_bt_storage *st, struct sslot *s)
{
	btt_hmap_remove(&st->slots, &s->piece, NULL);
	btt_piece_hash_cancel(&s->ph);
	free(s->units);
	free(s->leaves);
	free(s);
}

/* Forgets every written unit and restarts the hash (a failed piece). */
static void slot_reset(struct btt_bt_storage *st, struct sslot *s)
{
	for (uint32_t u = 0; u < s->nunits; u++)
		if (s->units[u] == U_WRITTEN)
			s->units[u] = U_MISSING;
	btt_piece_hash_cancel(&s->ph);
	slot_hash_begin(st, s);
}

static void slot_work(void *arg);
static void slot_done(void *arg);

/* Inserts b keeping the list sorted by offset; blocks usually arrive in
 * order, so appending is checked first. */
static void batch_insert(struct sblock **head, struct sblock **tail,
			 struct sblock *b)
{
	struct sblock **pp = head;

	b->next = NULL;
	if (!*head || (*tail)->off < b->off) {
		if (*head)
			(*tail)->next = b;
		else
			*head = b;
		*tail = b;
		return;
	}
	while ((*pp)->off < b->off)
		pp = &(*pp)->next;
	b->next = *pp;
	*pp = b;
}

static void slot_submit(struct btt_bt_storage *st, struct sslot *s)
{
	struct sblock *b = s->pending, *tail = NULL;
	uint32_t u = s->hash_off / BTT_BT_STORAGE_BLOCK;
	uint64_t to;

	s->batch = NULL;
	while (b) {
		struct sblock *next = b->next;
		batch_insert(&s->batch, &tail, b);
		b = next;
	}
	s->pending = NULL;
	s->ptail = &s->pending;
	while (u < s->nunits && s->units[u] != U_MISSING)
		u++;
	to = (uint64_t)u * BTT_BT_STORAGE_BLOCK;
	s->hash_to = to < s->size ? (uint32_t)to : s->size;
	s->verdict = 0;
	s->err = 0;
	s->readback = 0;
	s->busy = true;
	st_submit(st, BTT_POOL_HIGH, slot_work, slot_done, s);
}

static int check_write(const struct btt_bt_storage *st, uint32_t piece,
		       uint32_t offset, size_t len)
{
	uint64_t size;

	if (st->closing)
		return BTT_ECANCELLED;
	if (!st->opened)
		return BTT_EINVALID;
	if (st->err)
		return st->err;
	if (st->check)
		return -EBUSY;
	if (piece >= st->mi->num_pieces || !len ||
	    len > BTT_BT_STORAGE_MAX_WRITE)
		return BTT_EINVALID;
	size = btt_metainfo_piece_size(st->mi, piece);
	if (offset % BTT_BT_STORAGE_BLOCK || offset >= size ||
	    len > size - offset ||
	    (len % BTT_BT_STORAGE_BLOCK && offset + len != size))
		return BTT_EINVALID;
	if (btt_bitfield_get(&st->have, piece))
		return -EEXIST;
	if (len > st->buf_cap - (st->buf_used < st->buf_cap ? st->buf_used
							    : st->buf_cap))
		return -ENOBUFS;
	return 0;
}

int btt_bt_storage_write(struct btt_bt_storage *st, uint32_t piece,
			 uint32_t offset, const void *data, size_t len,
			 btt_bt_storage_write_fn cb, void *arg)
{
	uint32_t u0 = offset / BTT_BT_STORAGE_BLOCK, u1;
	struct sslot *s;
	struct sblock *b;
	int rc = check_write(st, piece, offset, len);

	if (rc == -ENOBUFS)
		st->starved = true;
	if (rc || (rc = slot_get(st, piece, &s)) != 0)
		return rc;
	u1 = (uint32_t)((offset + len + BTT_BT_STORAGE_BLOCK - 1) /
			BTT_BT_STORAGE_BLOCK);
	for (uint32_t u = u0; u < u1; u++)
		if (s->units[u] != U_MISSING)
			return -EEXIST;
	b = block_get(st, (uint32_t)len);
	memcpy(b->data, data, len);
	b->off = offset;
	b->len = (uint32_t)len;
	b->cb = cb;
	b->arg = arg;
	b->err = 0;
	b->next = NULL;
	memset(s->units + u0, U_PENDING, u1 - u0);
	st->buf_used += len;
	*s->ptail = b;
	s->ptail = &b->next;
	if (!s->busy)
		slot_submit(st, s);
	return 0;
}

/* ---- the job (worker) ---- */

static int pwritev_all(int fd, struct iovec *iov, int cnt, uint64_t off)
{
	while (cnt) {
		ssize_t n = pwritev(fd, iov, cnt, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		off += (uint64_t)n;
		while (cnt && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt) {
			iov->iov_base = (uint8_t *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

/* A read position in a run of adjacent blocks. */
struct runcur {
	struct sblock *b;
	uint32_t at; /* bytes of b consumed */
};

static void cur_skip(struct runcur *c, uint64_t n)
{
	while (n) {
		uint32_t left = c->b->len - c->at;
		uint32_t take = n < left ? (uint32_t)n : left;
		c->at += take;
		n -= take;
		if (c->at == c->b->len) {
			c->b = c->b->next;
			c->at = 0;
		}
	}
}

/* Writes n bytes from the run cursor to fd at off, IOV_BATCH buffers per
 * pwritev. */
static int write_extent(int fd, struct runcur *c, uint64_t n, uint64_t off)
{
	while (n) {
		struct iovec iov[IOV_BATCH];
		uint64_t batch = 0;
		int cnt = 0, rc;
		while (cnt < IOV_BATCH && batch < n) {
			uint32_t left = c->b->len - c->at;
			uint64_t take = n - batch < left ? n - batch : left;
			iov[cnt].iov_base = c->b->data + c->at;
			iov[cnt++].iov_len = (size_t)take;
			batch += take;
			cur_skip(c, take);
		}
		if ((rc = pwritev_all(fd, iov, cnt, off)) != 0)
			return rc;
		off += batch;
		n -= batch;
	}
	return 0;
}

/* Writes the run [first, stop), which covers piece bytes [off, end). */
static int write_run(struct sslot *s, struct sblock *first, uint32_t off,
		     uint32_t end)
{
	struct btt_bt_storage *st = s->st;
	uint64_t start = (uint64_t)s->piece * st->layout.piece_length + off;
	struct runcur c = {first, 0};
	struct btt_layout_iter it;
	struct btt_layout_extent e;

	btt_layout_iter_range(&st->layout, start, end - off, &it);
	while (btt_layout_iter_next(&it, &e)) {
		struct sfref ref;
		int rc;
		if (e.pad || sfc_skipped(&st->mi->files[e.file])) {
			cur_skip(&c, e.length);
			continue;
		}
		rc = sfc_acquire(&st->fc, e.file, true, &ref);
		if (!rc) {
			rc = write_extent(ref.fd, &c, e.length, e.offset);
			sfc_put(&st->fc, &ref);
		}
		if (rc) {
			s->err_file = e.file;
			return rc;
		}
	}
	return 0;
}

static void write_batch(struct sslot *s)
{
	struct sblock *b = s->batch;

	while (b) {
		struct sblock *last = b, *x;
		uint32_t end = b->off + b->len;
		int rc;
		while (last->next && last->next->off == end) {
			last = last->next;
			end += last->len;
		}
		rc = write_run(s, b, b->off, end);
		if (rc && !s->err)
			s->err = rc;
		for (x = b; rc && x != last->next; x = x->next)
			x->err = rc;
		b = last->next;
	}
}

/* Feeds piece bytes [off, off + len) held in data, pad bytes as zeros. */
static void hash_mem(struct sslot *s, const uint8_t *data, uint32_t off,
		     uint32_t len)
{
	struct btt_bt_storage *st = s->st;
	uint64_t start = (uint64_t)s->piece * st->layout.piece_length;
	struct btt_layout_iter it;
	struct btt_layout_extent e;

	btt_layout_iter_range(&st->layout, start + off, len, &it);
	while (btt_layout_iter_next(&it, &e)) {
		const uint8_t *p = data + (e.pos - start - off);
		if (!e.pad) {
			btt_piece_hash_update(&s->ph, p, (size_t)e.length,
					      false);
			continue;
		}
		for (uint64_t done = 0; done < e.length;) {
			uint64_t n = e.length - done;
			n = n < sizeof(st_zeros) ? n : sizeof(st_zeros);
			btt_piece_hash_update(&s->ph, st_zeros, (size_t)n,
					      true);
			done += n;
		}
	}
}

/* Hashes piece bytes [off, end) written by earlier jobs, read back. */
static int hash_disk(struct sslot *s, uint32_t off, uint32_t end, uint8_t **buf)
{
	struct btt_bt_storage *st = s->st;
	uint64_t start = (uint64_t)s->piece * st->layout.piece_length;

	if (!*buf)
		*buf = xmalloc(READBACK_BUF);
	return st_hash_range(st, &s->ph, start + off, end - off, *buf,
			     READBACK_BUF, true, &s->err_file, &s->readback);
}

static void hash_batch(struct sslot *s)
{
	struct sblock *b = s->batch;
	uint32_t pos = s->hash_off;
	uint8_t *buf = NULL;

	while (pos < s->hash_to) {
		uint32_t stop;
		int rc;
		while (b && b->off < pos)
			b = b->next;
		if (b && b->off == pos) {
			if (b->err)
				break;
			hash_mem(s, b->data, b->off, b->len);
			pos += b->len;
			b = b->next;
			continue;
		}
		stop = b && b->off < s->hash_to ? b->off : s->hash_to;
		if ((rc = hash_disk(s, pos, stop, &buf)) != 0) {
			s->verdict = rc; /* the hash cannot go on */
			break;
		}
		pos = stop;
	}
	free(buf);
	s->hash_off = pos;
	if (!s->verdict && pos == s->size)
		s->verdict = btt_piece_hash_end(&s->ph) ? 1 : BTT_EHASH;
}

static void slot_work(void *arg)
{
	struct sslot *s = arg;

	write_batch(s);
	hash_batch(s);
}

/* ---- completion (owner) ---- */

static void batch_account(struct btt_bt_storage *st, struct sslot *s)
{
	for (struct sblock *b = s->batch; b; b = b->next) {
		uint32_t u0 = b->off / BTT_BT_STORAGE_BLOCK;
		uint32_t u1 = (b->off + b->len + BTT_BT_STORAGE_BLOCK - 1) /
			      BTT_BT_STORAGE_BLOCK;
		memset(s->units + u0, b->err ? U_MISSING : U_WRITTEN, u1 - u0);
		st->buf_used -= b->len;
		if (!b->err)
			st->stats.bytes_written += b->len;
	}
	st->stats.bytes_readback += s->readback;
}

static void slot_done(void *arg)
{
	struct sslot *s = arg;
	struct btt_bt_storage *st = s->st;
	struct sblock *batch = s->batch;
	uint32_t p = s->piece;
	int verdict = s->verdict;

	st_job_done(st);
	batch_account(st, s);
	s->batch = NULL;
	s->busy = false;
	if (s->err)
		st_fail(st, s->err, s->err_file);
	if (verdict == 1) {
		slot_free(st, s);
		st_piece_complete(st, p);
		st->stats.pieces_passed++;
	} else {
		if (verdict) {
			slot_reset(st, s);
			st->stats.pieces_failed += verdict == BTT_EHASH;
		}
		if (s->pending)
			slot_submit(st, s);
	}
	while (batch) {
		struct sblock *next = batch->next;
		if (batch->cb)
			batch->cb(batch->arg, batch->err);
		block_put(st, batch);
		batch = next;
	}
	if (verdict && st->opts.on_piece)
		st->opts.on_piece(st->opts.cb_arg, p,
				  verdict == 1 ? 0 : verdict);
	if (st->starved && st->buf_used <= st->buf_cap / 2) {
		st->starved = false;
		if (st->opts.on_writable)
			st->opts.on_writable(st->opts.cb_arg);
	}
	st_idle_check(st);
}

/* ---- whole-storage helpers ---- */

bool st_slots_busy(const struct btt_bt_storage *st)
{
	struct btt_hmap_iter it;
	uint64_t v;

	btt_hmap_iter_init(&st->slots, &it);
	while (btt_hmap_iter_next(&st->slots, &it, NULL, &v)) {
		const struct sslot *s = (const struct sslot *)(uintptr_t)v;
		if (s->busy || s->pending)
			return true;
	}
	return false;
}

/* Forgets the (idle) pieces in progress that are in `set`. */
void st_slots_drop(struct btt_bt_storage *st, const struct btt_bitfield *set)
{
	struct btt_hmap_iter it;
	uint64_t v;

	btt_hmap_iter_init(&st->slots, &it);
	while (btt_hmap_iter_next(&st->slots, &it, NULL, &v)) {
		struct sslot *s = (struct sslot *)(uintptr_t)v;
		if (set && !btt_bitfield_get(set, s->piece))
			continue;
		btt_hmap_iter_remove(&st->slots, &it);
		btt_piece_hash_cancel(&s->ph);
		free(s->units);
		free(s->leaves);
		free(s);
	}
}

void st_slots_release(struct btt_bt_storage *st)
{
	st_slots_drop(st, NULL);
	while (st->free_blocks) {
		struct sblock *b = st->free_blocks;
		st->free_blocks = b->next;
		free(b);
	}
	st->nfree = 0;
}
