/* Robin Hood hash map (see hmap.h).
 *
 * Invariants: cap is 0 or a power of two; len * 4 <= cap * 3, so there is
 * always an empty slot and every probe ends; along a probe run, an entry's
 * distance from its home slot never exceeds its predecessor's by more than
 * one, which lets lookups stop early and deletions shift the run back
 * instead of leaving tombstones. The three arrays share one allocation. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "core/hmap.h"
#include "core/rand.h"

#define HASH_USED (1ull << 63)
#define MIN_CAP 8

void btt_hmap_init(struct btt_hmap *m, size_t key_len)
{
	assert(key_len > 0 && key_len <= BTT_HMAP_MAX_KEY);
	memset(m, 0, sizeof(*m));
	m->key_len = key_len;
	btt_rand_bytes(m->seed, sizeof(m->seed));
}

void btt_hmap_release(struct btt_hmap *m)
{
	free(m->hashes);
	m->hashes = m->vals = NULL;
	m->keys = NULL;
	m->cap = m->len = 0;
}

void btt_hmap_clear(struct btt_hmap *m)
{
	if (m->cap)
		memset(m->hashes, 0, m->cap * sizeof(*m->hashes));
	m->len = 0;
}

static uint64_t key_hash(const struct btt_hmap *m, const void *key)
{
	return btt_siphash13(m->seed, key, m->key_len) | HASH_USED;
}

static uint8_t *slot_key(const struct btt_hmap *m, size_t i)
{
	return m->keys + i * m->key_len;
}

/* How far slot i's entry sits from its home slot. */
static size_t slot_dist(const struct btt_hmap *m, size_t i)
{
	return (i - (size_t)m->hashes[i]) & (m->cap - 1);
}

static bool find(const struct btt_hmap *m, const void *key, uint64_t h,
		 size_t *out_i)
{
	size_t mask = m->cap - 1;

	if (m->cap == 0)
		return false;
	for (size_t i = h & mask, d = 0;; i = (i + 1) & mask, d++) {
		if (m->hashes[i] == 0 || slot_dist(m, i) < d)
			return false;
		if (m->hashes[i] == h &&
		    memcmp(slot_key(m, i), key, m->key_len) == 0) {
			*out_i = i;
			return true;
		}
	}
}

/* Places an entry known to be absent, displacing richer entries; returns
 * the slot where the new entry ended up. There must be room. */
static size_t insert_new(struct btt_hmap *m, uint64_t h, const void *key,
			 uint64_t val)
{
	uint8_t carry[BTT_HMAP_MAX_KEY], tmp[BTT_HMAP_MAX_KEY];
	size_t mask = m->cap - 1, placed = SIZE_MAX;

	memcpy(carry, key, m->key_len);
	for (size_t i = h & mask, d = 0;; i = (i + 1) & mask, d++) {
		if (m->hashes[i] == 0) {
			m->hashes[i] = h;
			m->vals[i] = val;
			memcpy(slot_key(m, i), carry, m->key_len);
			m->len++;
			return placed == SIZE_MAX ? i : placed;
		}
		size_t sd = slot_dist(m, i);
		if (sd < d) {
			uint64_t th = m->hashes[i], tv = m->vals[i];
			memcpy(tmp, slot_key(m, i), m->key_len);
			m->hashes[i] = h;
			m->vals[i] = val;
			memcpy(slot_key(m, i), carry, m->key_len);
			h = th;
			val = tv;
			memcpy(carry, tmp, m->key_len);
			d = sd;
			if (placed == SIZE_MAX)
				placed = i;
		}
	}
}

static int rehash(struct btt_hmap *m, size_t new_cap)
{
	struct btt_hmap old = *m;
	size_t per_slot = 2 * sizeof(uint64_t) + m->key_len;
	uint8_t *mem;

	if (new_cap > SIZE_MAX / per_slot)
		return BTT_EOVERFLOW;
	mem = calloc(new_cap, per_slot);
	if (!mem)
		return -ENOMEM;
	m->hashes = (uint64_t *)mem;
	m->vals = m->hashes + new_cap;
	m->keys = (uint8_t *)(m->vals + new_cap);
	m->cap = new_cap;
	m->len = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.hashes[i])
			insert_new(m, old.hashes[i], slot_key(&old, i),
				   old.vals[i]);
	free(old.hashes);
	return 0;
}

int btt_hmap_reserve(struct btt_hmap *m, size_t n)
{
	size_t cap = m->cap ? m->cap : MIN_CAP;

	assert(m->key_len > 0);
	while (cap / 4 * 3 < n) {
		if (cap > SIZE_MAX / 2)
			return BTT_EOVERFLOW;
		cap *= 2;
	}
	return cap == m->cap ? 0 : rehash(m, cap);
}

uint64_t *btt_hmap_upsert(struct btt_hmap *m, const void *key, bool *out_new)
{
	uint64_t h = key_hash(m, key);
	size_t i;

	if (!find(m, key, h, &i)) {
		if (btt_hmap_reserve(m, m->len + 1) != 0)
			return NULL;
		i = insert_new(m, h, key, 0);
		if (out_new)
			*out_new = true;
	} else if (out_new) {
		*out_new = false;
	}
	return &m->vals[i];
}

int btt_hmap_put(struct btt_hmap *m, const void *key, uint64_t val)
{
	uint64_t h = key_hash(m, key);
	size_t i;
	int r;

	if (find(m, key, h, &i)) {
		m->vals[i] = val;
		return 0;
	}
	r = btt_hmap_reserve(m, m->len + 1);
	if (r == 0)
		insert_new(m, h, key, val);
	return r;
}

bool btt_hmap_get(const struct btt_hmap *m, const void *key, uint64_t *out_val)
{
	size_t i;

	if (m->cap == 0 || !find(m, key, key_hash(m, key), &i))
		return false;
	if (out_val)
		*out_val = m->vals[i];
	return true;
}

/* Backward shift: pull the rest of the probe run one slot closer to home
 * until an empty slot or an entry already at home. */
static void remove_at(struct btt_hmap *m, size_t i)
{
	size_t mask = m->cap - 1;
	size_t j = (i + 1) & mask;

	while (m->hashes[j] != 0 && slot_dist(m, j) > 0) {
		m->hashes[i] = m->hashes[j];
		m->vals[i] = m->vals[j];
		memcpy(slot_key(m, i), slot_key(m, j), m->key_len);
		i = j;
		j = (j + 1) & mask;
	}
	m->hashes[i] = 0;
	m->len--;
}

bool btt_hmap_remove(struct btt_hmap *m, const void *key, uint64_t *out_val)
{
	size_t i;

	if (m->cap == 0 || !find(m, key, key_hash(m, key), &i))
		return false;
	if (out_val)
		*out_val = m->vals[i];
	remove_at(m, i);
	return true;
}

int btt_hmap_put_ptr(struct btt_hmap *m, const void *key, void *ptr)
{
	return btt_hmap_put(m, key, (uint64_t)(uintptr_t)ptr);
}

void *btt_hmap_get_ptr(const struct btt_hmap *m, const void *key)
{
	uint64_t v;
	return btt_hmap_get(m, key, &v) ? (void *)(uintptr_t)v : NULL;
}

void btt_hmap_iter_init(const struct btt_hmap *m, struct btt_hmap_iter *it)
{
	memset(it, 0, sizeof(*it));
	while (it->start < m->cap && m->hashes[it->start] != 0)
		it->start++;
}

bool btt_hmap_iter_next(const struct btt_hmap *m, struct btt_hmap_iter *it,
			const void **out_key, uint64_t *out_val)
{
	while (it->step < m->cap) {
		size_t i = (it->start + it->step) & (m->cap - 1);
		it->step++;
		if (m->hashes[i] == 0)
			continue;
		it->last = i;
		if (out_key)
			*out_key = slot_key(m, i);
		if (out_val)
			*out_val = m->vals[i];
		return true;
	}
	return false;
}

void btt_hmap_iter_remove(struct btt_hmap *m, struct btt_hmap_iter *it)
{
	assert(it->step > 0 && m->hashes[it->last] != 0);
	remove_at(m, it->last);
	/* The next entry of the run may have moved into this slot. */
	it->step--;
}
