/* A growable array of fixed-size elements.
 *
 * Growth is fallible (callers that grow it from parsed input check their
 * limit first, then handle the failure) and overflow-checked. A zeroed
 * struct is an empty vector whose elements have size 0: call
 * btt_vec_init() before pushing. Pointers into the array are invalidated by
 * any call that may grow it. */
#ifndef BTT_CORE_VEC_H
#define BTT_CORE_VEC_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>

struct btt_vec {
	void *data;
	size_t len;	  /* elements in use */
	size_t cap;	  /* elements allocated */
	size_t elem_size; /* bytes per element, > 0 after init */
};

void btt_vec_init(struct btt_vec *v, size_t elem_size);

/* Frees the storage; the vector is then empty (elem_size is kept). */
void btt_vec_release(struct btt_vec *v);

/* Ensures room for `extra` more elements. Returns 0, BTT_EOVERFLOW (the
 * byte size does not fit in size_t) or -ENOMEM. */
int btt_vec_reserve(struct btt_vec *v, size_t extra);

/* Appends a copy of *elem (zero bytes when elem is NULL) and returns a
 * pointer to the new element, or NULL (nothing changed) when the vector
 * cannot grow. */
void *btt_vec_push(struct btt_vec *v, const void *elem);

/* Copies the last element to out (when not NULL) and removes it. Returns
 * false when the vector is empty. */
bool btt_vec_pop(struct btt_vec *v, void *out);

/* Removes element i by moving the last element into its place (order is
 * not kept; O(1)). */
void btt_vec_remove_swap(struct btt_vec *v, size_t i);

/* Removes element i keeping the order of the rest (O(n)). */
void btt_vec_remove(struct btt_vec *v, size_t i);

/* Empties the vector and keeps its storage. */
static inline void btt_vec_clear(struct btt_vec *v)
{
	v->len = 0;
}

static inline size_t btt_vec_len(const struct btt_vec *v)
{
	return v->len;
}

/* Element i (i < len: checked by assert, it is the caller's invariant). */
static inline void *btt_vec_at(const struct btt_vec *v, size_t i)
{
	assert(i < v->len);
	return (char *)v->data + i * v->elem_size;
}

#endif
