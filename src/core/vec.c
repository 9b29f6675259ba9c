/* Growable array: capacity doubles, byte sizes are checked against
 * SIZE_MAX before every allocation, and len <= cap always holds. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "core/vec.h"

void btt_vec_init(struct btt_vec *v, size_t elem_size)
{
	assert(elem_size > 0);
	memset(v, 0, sizeof(*v));
	v->elem_size = elem_size;
}

void btt_vec_release(struct btt_vec *v)
{
	free(v->data);
	v->data = NULL;
	v->len = v->cap = 0;
}

int btt_vec_reserve(struct btt_vec *v, size_t extra)
{
	size_t max_elems = SIZE_MAX / v->elem_size;
	size_t want;
	void *nd;

	assert(v->elem_size > 0);
	if (extra <= v->cap - v->len)
		return 0;
	if (extra > max_elems - v->len)
		return BTT_EOVERFLOW;
	want = v->cap < 4 ? 4 : v->cap;
	if (want > max_elems)
		want = max_elems;
	while (want < v->len + extra)
		want = want > max_elems / 2 ? max_elems : want * 2;
	nd = realloc(v->data, want * v->elem_size);
	if (!nd)
		return -ENOMEM;
	v->data = nd;
	v->cap = want;
	return 0;
}

void *btt_vec_push(struct btt_vec *v, const void *elem)
{
	char *slot;

	if (btt_vec_reserve(v, 1) != 0)
		return NULL;
	slot = (char *)v->data + v->len * v->elem_size;
	if (elem)
		memcpy(slot, elem, v->elem_size);
	else
		memset(slot, 0, v->elem_size);
	v->len++;
	return slot;
}

bool btt_vec_pop(struct btt_vec *v, void *out)
{
	if (v->len == 0)
		return false;
	v->len--;
	if (out)
		memcpy(out, (char *)v->data + v->len * v->elem_size,
		       v->elem_size);
	return true;
}

void btt_vec_remove_swap(struct btt_vec *v, size_t i)
{
	assert(i < v->len);
	v->len--;
	if (i != v->len)
		memcpy((char *)v->data + i * v->elem_size,
		       (char *)v->data + v->len * v->elem_size, v->elem_size);
}

void btt_vec_remove(struct btt_vec *v, size_t i)
{
	char *at;

	assert(i < v->len);
	at = (char *)v->data + i * v->elem_size;
	memmove(at, at + v->elem_size, (v->len - i - 1) * v->elem_size);
	v->len--;
}
