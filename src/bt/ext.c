/* The BEP 10 extension handshake (see ext.h). Decoding goes through the
 * canonical bencode decoder with small limits; the m table is a fixed
 * array, so nothing here allocates except the decoder's node index, which
 * the item limit bounds. Invariant: names in m are unique, 1..
 * BTT_EXT_MAX_NAME bytes. */
#include <string.h>

#include "bencode/bencode_int.h"
#include "bt/ext.h"
#include "bt/wire.h"
#include "btt/err.h"

static const struct btt_bdec_limits hs_limits = {
	.max_depth = BTT_EXT_HS_MAX_DEPTH,
	.max_items = BTT_EXT_HS_MAX_ITEMS,
};

/* The index of `name` in h->m, or h->nm when it is not there. */
static uint32_t find(const struct btt_ext_hs *h, const void *name, size_t len)
{
	uint32_t i;

	for (i = 0; i < h->nm; i++)
		if (h->m[i].len == len && !memcmp(h->m[i].name, name, len))
			break;
	return i;
}

static int set_n(struct btt_ext_hs *h, const void *name, size_t len, uint8_t id)
{
	uint32_t i = find(h, name, len);
	struct btt_ext_name *e = i < h->nm ? &h->m[i] : NULL;

	if (len == 0 || len > BTT_EXT_MAX_NAME)
		return BTT_EINVALID;
	if (!e) {
		if (h->nm == BTT_EXT_MAX_M)
			return BTT_ELIMIT;
		e = &h->m[h->nm++];
		memcpy(e->name, name, len);
		e->len = (uint8_t)len;
	}
	e->id = id;
	return 0;
}

int btt_ext_hs_set(struct btt_ext_hs *h, const char *name, uint8_t id)
{
	return set_n(h, name, strlen(name), id);
}

uint8_t btt_ext_hs_id(const struct btt_ext_hs *h, const char *name)
{
	uint32_t i = find(h, name, strlen(name));

	return i < h->nm ? h->m[i].id : 0;
}

static int decode_m(struct btt_ext_hs *h, const struct btt_bdoc *d,
		    uint32_t dict)
{
	uint32_t k, v;
	struct btt_cur name;
	int64_t id;

	if (btt_bnode_count(d, dict) > BTT_EXT_MAX_M)
		return BTT_ELIMIT;
	k = btt_bnode_first(d, dict);
	while (k != BTT_BNONE) {
		v = btt_bnode_next(d, dict, k);
		btt_bnode_str(d, k, &name);
		/* Over-long or empty names are nothing btt knows: skipped by
		 * set_n like values that cannot be a one-byte id. */
		if (btt_bnode_int(d, v, &id) && id >= 0 && id <= 255)
			set_n(h, btt_cur_data(&name), btt_cur_len(&name),
			      (uint8_t)id);
		k = btt_bnode_next(d, dict, v);
	}
	return 0;
}

static bool get_fixed(const struct btt_bdoc *d, uint32_t root, const char *key,
		      uint8_t *out, size_t n)
{
	struct btt_cur s;

	if (!btt_bnode_get_str(d, root, key, &s) || btt_cur_len(&s) != n)
		return false;
	memcpy(out, btt_cur_data(&s), n);
	return true;
}

static void decode_ints(struct btt_ext_hs *h, const struct btt_bdoc *d,
			uint32_t root)
{
	int64_t i;

	if (btt_bnode_get_int(d, root, "p", &i) && i >= 1 && i <= 65535) {
		h->p = (uint16_t)i;
		h->has |= BTT_EXT_HAS_P;
	}
	if (btt_bnode_get_int(d, root, "reqq", &i) && i >= 1) {
		h->reqq = i > BTT_EXT_MAX_REQQ ? BTT_EXT_MAX_REQQ : (uint32_t)i;
		h->has |= BTT_EXT_HAS_REQQ;
	}
	if (btt_bnode_get_int(d, root, "metadata_size", &i) && i >= 1 &&
	    i <= BTT_METAINFO_MAX_SIZE) {
		h->metadata_size = (uint32_t)i;
		h->has |= BTT_EXT_HAS_METADATA_SIZE;
	}
	if (btt_bnode_get_int(d, root, "upload_only", &i)) {
		h->upload_only = i != 0;
		h->has |= BTT_EXT_HAS_UPLOAD_ONLY;
	}
}

static void decode_strs(struct btt_ext_hs *h, const struct btt_bdoc *d,
			uint32_t root)
{
	struct btt_cur s;

	if (btt_bnode_get_str(d, root, "v", &s)) {
		h->v_len = btt_cur_len(&s) > BTT_EXT_MAX_V
				   ? BTT_EXT_MAX_V
				   : (uint32_t)btt_cur_len(&s);
		memcpy(h->v, btt_cur_data(&s), h->v_len);
		h->has |= BTT_EXT_HAS_V;
	}
	if (btt_bnode_get_str(d, root, "yourip", &s) &&
	    (btt_cur_len(&s) == 4 || btt_cur_len(&s) == 16)) {
		h->yourip_len = (uint8_t)btt_cur_len(&s);
		memcpy(h->yourip, btt_cur_data(&s), h->yourip_len);
		h->has |= BTT_EXT_HAS_YOURIP;
	}
	if (get_fixed(d, root, "ipv4", h->ipv4, 4))
		h->has |= BTT_EXT_HAS_IPV4;
	if (get_fixed(d, root, "ipv6", h->ipv6, 16))
		h->has |= BTT_EXT_HAS_IPV6;
}

int btt_ext_hs_decode(struct btt_ext_hs *out, const uint8_t *p, size_t n)
{
	struct btt_bdoc d;
	uint32_t m;
	int r;

	memset(out, 0, sizeof(*out));
	r = btt_bdecode(&d, p, n, &hs_limits);
	if (r)
		return r;
	if (btt_bnode_type(&d, 0) != BTT_BDICT) {
		r = BTT_ETYPE;
		goto out;
	}
	m = btt_bnode_get(&d, 0, "m");
	if (m != BTT_BNONE && btt_bnode_type(&d, m) == BTT_BDICT) {
		r = decode_m(out, &d, m);
		if (r)
			goto out;
	}
	decode_ints(out, &d, 0);
	decode_strs(out, &d, 0);
out:
	btt_bdoc_release(&d);
	if (r)
		memset(out, 0, sizeof(*out));
	return r;
}

/* Raw byte order, a prefix first: the order bencode wants for keys. */
static int name_cmp(const struct btt_ext_name *a, const struct btt_ext_name *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->name, b->name, n);

	return c ? c : (int)a->len - (int)b->len;
}

static void encode_m(const struct btt_ext_hs *h, struct btt_wbuf *w)
{
	const struct btt_ext_name *sorted[BTT_EXT_MAX_M];
	uint32_t i, j;

	for (i = 0; i < h->nm; i++) {
		for (j = i; j > 0 && name_cmp(sorted[j - 1], &h->m[i]) > 0; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = &h->m[i];
	}
	btt_benc_cstr(w, "m");
	btt_benc_dict(w);
	for (i = 0; i < h->nm; i++) {
		btt_benc_str(w, sorted[i]->name, sorted[i]->len);
		btt_benc_int(w, sorted[i]->id);
	}
	btt_benc_end(w);
}

static void put_str(struct btt_wbuf *w, const char *key, const void *p,
		    size_t n)
{
	btt_benc_cstr(w, key);
	btt_benc_str(w, p, n);
}

static void put_int(struct btt_wbuf *w, const char *key, int64_t v)
{
	btt_benc_cstr(w, key);
	btt_benc_int(w, v);
}

int btt_ext_hs_encode(const struct btt_ext_hs *h, struct btt_wbuf *w)
{
	btt_benc_dict(w);
	if (h->has & BTT_EXT_HAS_IPV4)
		put_str(w, "ipv4", h->ipv4, 4);
	if (h->has & BTT_EXT_HAS_IPV6)
		put_str(w, "ipv6", h->ipv6, 16);
	if (h->nm)
		encode_m(h, w);
	if (h->has & BTT_EXT_HAS_METADATA_SIZE)
		put_int(w, "metadata_size", h->metadata_size);
	if (h->has & BTT_EXT_HAS_P)
		put_int(w, "p", h->p);
	if (h->has & BTT_EXT_HAS_REQQ)
		put_int(w, "reqq", h->reqq);
	if (h->has & BTT_EXT_HAS_UPLOAD_ONLY)
		put_int(w, "upload_only", h->upload_only);
	if (h->has & BTT_EXT_HAS_V)
		put_str(w, "v", h->v, h->v_len);
	if ((h->has & BTT_EXT_HAS_YOURIP) &&
	    (h->yourip_len == 4 || h->yourip_len == 16))
		put_str(w, "yourip", h->yourip, h->yourip_len);
	btt_benc_end(w);
	return btt_wbuf_err(w);
}

int btt_ext_hs_put_msg(struct btt_wbuf *w, const struct btt_ext_hs *h)
{
	size_t at = w->len;
	uint32_t len;

	btt_wbuf_put_u32be(w, 0); /* patched below once the size is known */
	btt_wbuf_put_u8(w, BTT_WIRE_EXTENDED);
	btt_wbuf_put_u8(w, 0);
	if (btt_ext_hs_encode(h, w))
		return btt_wbuf_err(w);
	len = (uint32_t)(w->len - at - 4);
	w->buf[at] = (uint8_t)(len >> 24);
	w->buf[at + 1] = (uint8_t)(len >> 16);
	w->buf[at + 2] = (uint8_t)(len >> 8);
	w->buf[at + 3] = (uint8_t)len;
	return 0;
}

int btt_ext_hs_merge(struct btt_ext_hs *acc, const struct btt_ext_hs *upd)
{
	int r = 0;
	unsigned has = upd->has;

	for (uint32_t i = 0; i < upd->nm; i++) {
		const struct btt_ext_name *u = &upd->m[i];
		uint32_t at = find(acc, u->name, u->len);

		if (u->id == 0) {
			if (at < acc->nm)
				acc->m[at] = acc->m[--acc->nm];
		} else if (set_n(acc, u->name, u->len, u->id)) {
			r = BTT_ELIMIT;
		}
	}
	acc->has |= has;
	if (has & BTT_EXT_HAS_P)
		acc->p = upd->p;
	if (has & BTT_EXT_HAS_V) {
		memcpy(acc->v, upd->v, upd->v_len);
		acc->v_len = upd->v_len;
	}
	if (has & BTT_EXT_HAS_YOURIP) {
		memcpy(acc->yourip, upd->yourip, sizeof(acc->yourip));
		acc->yourip_len = upd->yourip_len;
	}
	if (has & BTT_EXT_HAS_IPV4)
		memcpy(acc->ipv4, upd->ipv4, 4);
	if (has & BTT_EXT_HAS_IPV6)
		memcpy(acc->ipv6, upd->ipv6, 16);
	if (has & BTT_EXT_HAS_REQQ)
		acc->reqq = upd->reqq;
	if (has & BTT_EXT_HAS_METADATA_SIZE)
		acc->metadata_size = upd->metadata_size;
	if (has & BTT_EXT_HAS_UPLOAD_ONLY)
		acc->upload_only = upd->upload_only;
	return r;
}
