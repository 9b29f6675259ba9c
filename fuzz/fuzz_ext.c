// modules: bt bencode crypto io core
/* Fuzzes the BEP 10 extension handshake decoder, encoder and merge.
 *
 * Invariants (abort on violation): a decoded handshake respects the caps
 * (names, name lengths, ids, yourip length, reqq, metadata_size); encoding
 * it and decoding the result gives the same handshake; merging it into an
 * accumulator twice is idempotent; a rejected payload leaves nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bt/ext.h"
#include "core/limits.h"
#include "core/wbuf.h"

#define CHECK(x)                 \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)

static void check_caps(const struct btt_ext_hs *h)
{
	CHECK(h->nm <= BTT_EXT_MAX_M);
	for (uint32_t i = 0; i < h->nm; i++) {
		CHECK(h->m[i].len >= 1 && h->m[i].len <= BTT_EXT_MAX_NAME);
		for (uint32_t j = 0; j < i; j++)
			CHECK(h->m[i].len != h->m[j].len ||
			      memcmp(h->m[i].name, h->m[j].name, h->m[i].len) !=
				      0);
	}
	CHECK(h->v_len <= BTT_EXT_MAX_V);
	CHECK(!(h->has & BTT_EXT_HAS_P) || h->p >= 1);
	CHECK(!(h->has & BTT_EXT_HAS_YOURIP) || h->yourip_len == 4 ||
	      h->yourip_len == 16);
	CHECK((h->has & BTT_EXT_HAS_YOURIP) || h->yourip_len == 0);
	CHECK(!(h->has & BTT_EXT_HAS_REQQ) ||
	      (h->reqq >= 1 && h->reqq <= BTT_EXT_MAX_REQQ));
	CHECK(!(h->has & BTT_EXT_HAS_METADATA_SIZE) ||
	      (h->metadata_size >= 1 &&
	       h->metadata_size <= BTT_METAINFO_MAX_SIZE));
}

static void check_same(const struct btt_ext_hs *a, const struct btt_ext_hs *b)
{
	CHECK(a->nm == b->nm && a->has == b->has);
	for (uint32_t i = 0; i < a->nm; i++) {
		uint32_t j = 0;

		while (j < b->nm &&
		       (b->m[j].len != a->m[i].len ||
			memcmp(b->m[j].name, a->m[i].name, a->m[i].len)))
			j++;
		CHECK(j < b->nm && b->m[j].id == a->m[i].id);
	}
	CHECK(a->p == b->p && a->reqq == b->reqq &&
	      a->metadata_size == b->metadata_size &&
	      a->upload_only == b->upload_only);
	CHECK(a->v_len == b->v_len && !memcmp(a->v, b->v, a->v_len));
	CHECK(a->yourip_len == b->yourip_len &&
	      !memcmp(a->yourip, b->yourip, a->yourip_len));
	CHECK(!memcmp(a->ipv4, b->ipv4, 4) && !memcmp(a->ipv6, b->ipv6, 16));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct btt_ext_hs h, h2, acc, acc2;
	struct btt_wbuf w;

	if (btt_ext_hs_decode(&h, data, size) != 0) {
		CHECK(h.nm == 0 && h.has == 0);
		return 0;
	}
	check_caps(&h);
	btt_wbuf_init(&w, 1u << 20);
	CHECK(btt_ext_hs_encode(&h, &w) == 0);
	CHECK(btt_ext_hs_decode(&h2, w.buf, w.len) == 0);
	check_same(&h, &h2);
	btt_wbuf_release(&w);
	/* merging is additive and idempotent */
	memset(&acc, 0, sizeof(acc));
	if (h.nm + 2 <= BTT_EXT_MAX_M) { /* room for both, so no ELIMIT */
		btt_ext_hs_set(&acc, "ut_metadata", 1);
		btt_ext_hs_set(&acc, "ut_pex", 2);
	}
	CHECK(btt_ext_hs_merge(&acc, &h) == 0);
	check_caps(&acc);
	acc2 = acc;
	CHECK(btt_ext_hs_merge(&acc2, &h) == 0);
	check_same(&acc, &acc2);
	for (uint32_t i = 0; i < h.nm; i++) {
		char name[BTT_EXT_MAX_NAME + 1];

		if (memchr(h.m[i].name, 0, h.m[i].len))
			continue;
		memcpy(name, h.m[i].name, h.m[i].len);
		name[h.m[i].len] = '\0';
		CHECK(btt_ext_hs_id(&acc, name) == h.m[i].id);
	}
	return 0;
}
