/* Reads for peers: a read cache of chunks of complete pieces, and read
 * jobs at high priority (see storage.h, btt_bt_storage_read).
 *
 * A chunk is an aligned BTT_BT_STORAGE_CHUNK of a piece (the whole piece
 * when pieces are smaller), keyed (piece << 20 | index). A read inside one
 * chunk loads the whole chunk, so the requests of a peer walking a piece
 * cost one pread per chunk; a read crossing chunks gets a buffer of its
 * own. Buffers are reference counted (owner thread only): the cache holds
 * one reference while a chunk is in the map, each job one, and callers as
 * many as they take. cache_used counts the bytes of chunks in the map and
 * of every read in flight, and never exceeds cache_cap except for a
 * single read when nothing else is held. Only complete pieces are read,
 * and complete pieces are never written, so cached bytes never go stale;
 * a piece that stops being complete (a recheck) is dropped from the
 * cache. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bt/storage_int.h"
#include "btt/err.h"

struct sdeliver {
	struct btt_bt_storage *st;
	struct btt_bt_storage_buf *buf;
	struct swait *w;
};

static uint32_t chunk_len(const struct btt_bt_storage *st)
{
	uint64_t plen = st->layout.piece_length;
	return plen < BTT_BT_STORAGE_CHUNK ? (uint32_t)plen
					   : BTT_BT_STORAGE_CHUNK;
}

static uint64_t chunk_key(uint32_t p, uint32_t c)
{
	return (uint64_t)p << 20 | c;
}

void btt_bt_storage_buf_ref(struct btt_bt_storage_buf *b)
{
	b->refs++;
}

void btt_bt_storage_buf_unref(struct btt_bt_storage_buf *b)
{
	if (b && !--b->refs)
		free(b);
}

/* ---- the cache (owner) ---- */

static void lru_unlink(struct btt_bt_storage *st, struct btt_bt_storage_buf *b)
{
	if (b->prev)
		b->prev->next = b->next;
	else
		st->lru_head = b->next;
	if (b->next)
		b->next->prev = b->prev;
	else
		st->lru_tail = b->prev;
	b->prev = b->next = NULL;
}

static void lru_push(struct btt_bt_storage *st, struct btt_bt_storage_buf *b)
{
	b->prev = NULL;
	b->next = st->lru_head;
	if (st->lru_head)
		st->lru_head->prev = b;
	st->lru_head = b;
	if (!st->lru_tail)
		st->lru_tail = b;
}

/* Takes a keyed buffer out of the map (and the LRU list when loaded). A
 * loading buffer stays charged until its job finishes. */
static void cache_remove(struct btt_bt_storage *st,
			 struct btt_bt_storage_buf *b)
{
	btt_hmap_remove(&st->chunks, &b->key, NULL);
	b->key = UINT64_MAX;
	if (b->cached) {
		lru_unlink(st, b);
		b->cached = false;
		st->cache_used -= b->len;
	}
	btt_bt_storage_buf_unref(b);
}

/* Makes room for `need` bytes by evicting loaded chunks. */
static bool cache_room(struct btt_bt_storage *st, size_t need)
{
	while (st->cache_used + need > st->cache_cap && st->lru_tail)
		cache_remove(st, st->lru_tail);
	return st->cache_used + need <= st->cache_cap || !st->cache_used;
}

void st_cache_drop_piece(struct btt_bt_storage *st, uint32_t p)
{
	uint64_t size = btt_metainfo_piece_size(st->mi, p);
	uint32_t cl = chunk_len(st);

	for (uint32_t c = 0; (uint64_t)c * cl < size; c++) {
		uint64_t key = chunk_key(p, c);
		struct btt_bt_storage_buf *b =
			btt_hmap_get_ptr(&st->chunks, &key);
		if (b)
			cache_remove(st, b);
	}
}

void st_cache_release(struct btt_bt_storage *st)
{
	while (st->lru_tail)
		cache_remove(st, st->lru_tail);
}

/* ---- lookups ---- */

static int check_read(const struct btt_bt_storage *st, uint32_t piece,
		      uint32_t offset, uint32_t len)
{
	uint64_t size;

	if (st->closing)
		return BTT_ECANCELLED;
	if (!st->opened || piece >= st->mi->num_pieces || !len ||
	    len > BTT_BT_STORAGE_MAX_WRITE)
		return BTT_EINVALID;
	size = btt_metainfo_piece_size(st->mi, piece);
	if (offset >= size || len > size - offset)
		return BTT_EINVALID;
	if (!btt_bitfield_get(&st->have, piece))
		return BTT_EINCOMPLETE;
	return 0;
}

struct btt_bt_storage_buf *btt_bt_storage_read_cached(struct btt_bt_storage *st,
						      uint32_t piece,
						      uint32_t offset,
						      uint32_t len,
						      const uint8_t **out_data)
{
	uint32_t cl = chunk_len(st);
	struct btt_bt_storage_buf *b;
	uint64_t key;

	if (check_read(st, piece, offset, len) ||
	    offset / cl != (offset + len - 1) / cl)
		return NULL;
	key = chunk_key(piece, offset / cl);
	b = btt_hmap_get_ptr(&st->chunks, &key);
	if (!b || !b->cached)
		return NULL;
	lru_unlink(st, b);
	lru_push(st, b);
	b->refs++;
	st->stats.cache_hits++;
	*out_data = b->data + (offset - b->off);
	return b;
}

/* ---- jobs ---- */

static void read_work(void *arg)
{
	struct btt_bt_storage_buf *b = arg;
	struct btt_bt_storage *st = b->st;
	uint64_t pos = (uint64_t)b->piece * st->layout.piece_length + b->off;

	b->err = st_read_stream(st, pos, b->data, b->len, false, &b->err_file);
}

static void deliver(struct btt_bt_storage_buf *b, struct swait *w)
{
	while (w) {
		struct swait *next = w->next;
		if (b->err)
			w->cb(w->arg, b->err, NULL, NULL);
		else
			w->cb(w->arg, 0, b, b->data + w->off);
		free(w);
		w = next;
	}
}

static void read_done(void *arg)
{
	struct btt_bt_storage_buf *b = arg;
	struct btt_bt_storage *st = b->st;
	struct swait *w = b->waiters;

	st_job_done(st);
	b->loading = false;
	b->waiters = NULL;
	if (b->err) {
		st_fail(st, b->err, b->err_file);
		if (b->key != UINT64_MAX)
			cache_remove(st, b);
	} else {
		st->stats.bytes_read += b->len;
	}
	if (b->key != UINT64_MAX && !b->err) {
		b->cached = true;
		lru_push(st, b);
	} else {
		st->cache_used -= b->len;
	}
	deliver(b, w);
	btt_bt_storage_buf_unref(b);
	st_idle_check(st);
}

static void nop_work(void *arg)
{
	(void)arg;
}

static void deliver_done(void *arg)
{
	struct sdeliver *d = arg;
	struct btt_bt_storage *st = d->st;

	st_job_done(st);
	deliver(d->buf, d->w);
	btt_bt_storage_buf_unref(d->buf);
	free(d);
	st_idle_check(st);
}

static struct swait *waiter_new(uint32_t off, btt_bt_storage_read_fn cb,
				void *arg)
{
	struct swait *w = malloc(sizeof(*w));

	if (!w)
		abort();
	*w = (struct swait){.off = off, .cb = cb, .arg = arg};
	return w;
}

/* A new buffer for [off, off + len) of piece p, charged to the cache,
 * with a reference for its job; keyed (key != UINT64_MAX) buffers are put
 * in the map, which holds a second one. NULL when the cache is full. */
static struct btt_bt_storage_buf *buf_new(struct btt_bt_storage *st, uint32_t p,
					  uint32_t off, uint32_t len,
					  uint64_t key)
{
	struct btt_bt_storage_buf *b;

	if (!cache_room(st, len))
		return NULL;
	/* Not zeroed: the read fills all len bytes or fails (b->err), and a
	 * failed buffer is never served. Zeroing 256 KiB per chunk cost a
	 * seed a tenth of its CPU. */
	b = malloc(sizeof(*b) + len);
	if (!b)
		abort();
	memset(b, 0, sizeof(*b));
	b->refs = 1;
	b->key = key;
	b->st = st;
	b->piece = p;
	b->off = off;
	b->len = len;
	b->loading = true;
	if (key != UINT64_MAX) {
		if (btt_hmap_put_ptr(&st->chunks, &key, b) != 0) {
			free(b);
			return NULL;
		}
		b->refs++;
	}
	st->cache_used += len;
	return b;
}

int btt_bt_storage_read(struct btt_bt_storage *st, uint32_t piece,
			uint32_t offset, uint32_t len,
			btt_bt_storage_read_fn cb, void *arg)
{
	uint32_t cl = chunk_len(st), c = offset / cl;
	uint64_t size = btt_metainfo_piece_size(st->mi, piece);
	uint64_t key = chunk_key(piece, c);
	struct btt_bt_storage_buf *b;
	int rc = check_read(st, piece, offset, len);

	if (rc || !cb)
		return rc ? rc : BTT_EINVALID;
	if (c != (offset + len - 1) / cl) { /* crosses chunks */
		if (!(b = buf_new(st, piece, offset, len, UINT64_MAX)))
			return -ENOBUFS;
		b->waiters = waiter_new(0, cb, arg);
		st->stats.cache_misses++;
		st_submit(st, BTT_POOL_HIGH, read_work, read_done, b);
		return 0;
	}
	b = btt_hmap_get_ptr(&st->chunks, &key);
	if (b && b->loading) { /* answered in request order */
		struct swait **pp = &b->waiters;
		while (*pp)
			pp = &(*pp)->next;
		*pp = waiter_new(offset - b->off, cb, arg);
		return 0;
	}
	if (b) { /* loaded: deliver from a job, never before returning */
		struct sdeliver *d = malloc(sizeof(*d));
		if (!d)
			abort();
		d->st = st;
		d->buf = b;
		d->w = waiter_new(offset - b->off, cb, arg);
		b->refs++;
		st->stats.cache_hits++;
		st_submit(st, BTT_POOL_HIGH, nop_work, deliver_done, d);
		return 0;
	}
	size = size - (uint64_t)c * cl < cl ? size - (uint64_t)c * cl : cl;
	if (!(b = buf_new(st, piece, c * cl, (uint32_t)size, key)))
		return -ENOBUFS;
	b->waiters = waiter_new(offset - b->off, cb, arg);
	st->stats.cache_misses++;
	st_submit(st, BTT_POOL_HIGH, read_work, read_done, b);
	return 0;
}
