// modules: bt bencode crypto io core
/* Fuzzes the magnet parser and writer.
 *
 * Invariants checked (abort on violation): an accepted link has an
 * info-hash and lists within the caps; writing it and parsing the result
 * gives back the same hashes, name, trackers, web seeds, peers and
 * selection; a rejected link leaves nothing behind. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bt/magnet.h"
#include "core/limits.h"
#include "core/wbuf.h"

#define CHECK(x)                 \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)

static bool same_strs(char **a, uint32_t na, char **b, uint32_t nb)
{
	if (na != nb)
		return false;
	for (uint32_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]))
			return false;
	return true;
}

static void check_same(const struct btt_magnet *a, const struct btt_magnet *b)
{
	CHECK(a->has_v1 == b->has_v1 && a->has_v2 == b->has_v2);
	CHECK(!memcmp(a->ih_v1, b->ih_v1, 20) &&
	      !memcmp(a->ih_v2, b->ih_v2, 32));
	CHECK((!a->name && !b->name) ||
	      (a->name && b->name && !strcmp(a->name, b->name)));
	CHECK(same_strs(a->trackers, a->num_trackers, b->trackers,
			b->num_trackers));
	CHECK(same_strs(a->webseeds, a->num_webseeds, b->webseeds,
			b->num_webseeds));
	CHECK(a->num_peers == b->num_peers && a->num_select == b->num_select);
	for (uint32_t i = 0; i < a->num_peers; i++)
		CHECK(!strcmp(a->peers[i].host, b->peers[i].host) &&
		      a->peers[i].port == b->peers[i].port);
	for (uint32_t i = 0; i < a->num_select; i++)
		CHECK(a->select[i].first == b->select[i].first &&
		      a->select[i].last == b->select[i].last);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct btt_magnet m, m2;
	struct btt_metainfo_err e;
	struct btt_wbuf w;

	if (btt_magnet_parse(&m, (const char *)data, size, &e) != 0) {
		CHECK(e.code < 0 && !m.has_v1 && !m.has_v2 && !m.trackers);
		CHECK(e.off >= -1 && e.off <= (int64_t)size);
		return 0;
	}
	CHECK(m.has_v1 || m.has_v2);
	CHECK(m.num_peers <= BTT_MAGNET_MAX_PEERS);
	CHECK(m.num_select <= BTT_MAGNET_MAX_SELECT);
	for (uint32_t i = 0; i < m.num_select; i++)
		CHECK(m.select[i].first <= m.select[i].last);
	btt_wbuf_init(&w, 16u << 20);
	CHECK(btt_magnet_write(&m, &w) == 0);
	if (w.len <= BTT_MAGNET_MAX_LEN) {
		CHECK(btt_magnet_parse(&m2, (char *)w.buf, w.len, NULL) == 0);
		check_same(&m, &m2);
		btt_magnet_release(&m2);
	}
	btt_wbuf_release(&w);
	btt_magnet_release(&m);
	return 0;
}
