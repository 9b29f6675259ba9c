/* Hash map from fixed-size byte keys (info-hashes, node ids, packed peer
 * addresses) to 64-bit values or pointers.
 *
 * Open addressing with Robin Hood probing and backward-shift deletion (no
 * tombstones), load factor at most 3/4. Keys are hashed with SipHash-1-3
 * under a random per-map key, so peers that choose keys cannot force
 * collisions. Growth is fallible; a failed insert leaves the map as it
 * was. One thread at a time. A zeroed struct is an empty map that can be
 * released or searched; call btt_hmap_init() before inserting. */
#ifndef BTT_CORE_HMAP_H
#define BTT_CORE_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/siphash.h"

#define BTT_HMAP_MAX_KEY 64 /* bytes; keys are copied through the stack */

struct btt_hmap {
	uint64_t *hashes; /* per slot: 0 empty, else the hash with bit 63 set */
	uint64_t *vals;
	uint8_t *keys; /* cap * key_len bytes */
	size_t key_len;
	size_t cap; /* 0 or a power of two */
	size_t len;
	uint8_t seed[BTT_SIPHASH_KEY];
};

/* An empty map for keys of key_len bytes (1..BTT_HMAP_MAX_KEY) with a
 * fresh random hash key from btt_rand. Allocates nothing. */
void btt_hmap_init(struct btt_hmap *m, size_t key_len);

/* Frees the table; the map is then empty (key_len and seed are kept). */
void btt_hmap_release(struct btt_hmap *m);

/* Removes every entry, keeping the table. */
void btt_hmap_clear(struct btt_hmap *m);

static inline size_t btt_hmap_len(const struct btt_hmap *m)
{
	return m->len;
}

/* Makes room for n entries in total, so that inserts up to n do not
 * allocate. Returns 0, BTT_EOVERFLOW or -ENOMEM. */
int btt_hmap_reserve(struct btt_hmap *m, size_t n);

/* Inserts or replaces. Returns 0, BTT_EOVERFLOW or -ENOMEM. */
int btt_hmap_put(struct btt_hmap *m, const void *key, uint64_t val);

/* Returns the value slot of key, inserting it with value 0 if absent
 * (*out_new tells which, when out_new is not NULL). The pointer is valid
 * until the next insert or remove. NULL when the map cannot grow. */
uint64_t *btt_hmap_upsert(struct btt_hmap *m, const void *key, bool *out_new);

/* True when key is present; its value goes to *out_val (when not NULL). */
bool btt_hmap_get(const struct btt_hmap *m, const void *key, uint64_t *out_val);

/* Removes key. True when it was present; its value goes to *out_val (when
 * not NULL). */
bool btt_hmap_remove(struct btt_hmap *m, const void *key, uint64_t *out_val);

/* Pointer values, stored as uintptr_t. get returns NULL when absent. */
int btt_hmap_put_ptr(struct btt_hmap *m, const void *key, void *ptr);
void *btt_hmap_get_ptr(const struct btt_hmap *m, const void *key);

/* Iteration in table order. No insert may happen while iterating; the
 * entry just returned may be removed with btt_hmap_iter_remove, and every
 * other entry is still visited exactly once. */
struct btt_hmap_iter {
	size_t start; /* an empty slot, so no probe run wraps past it */
	size_t step;  /* slots examined so far */
	size_t last;  /* slot of the entry last returned */
};

void btt_hmap_iter_init(const struct btt_hmap *m, struct btt_hmap_iter *it);

/* Next entry: the key (key_len bytes inside the table) and value. Either
 * output may be NULL. False when done. */
bool btt_hmap_iter_next(const struct btt_hmap *m, struct btt_hmap_iter *it,
			const void **out_key, uint64_t *out_val);

void btt_hmap_iter_remove(struct btt_hmap *m, struct btt_hmap_iter *it);

#endif
