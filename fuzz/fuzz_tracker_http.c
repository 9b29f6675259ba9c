// modules: bt bencode crypto io core
/* Fuzzes the HTTP tracker response parsers: the input is one body, parsed
 * as an announce response and as a scrape response.
 *
 * Invariants checked (abort on violation): the return value equals
 * r.err; messages are NUL-terminated within their buffers and non-empty
 * on failure; a failed parse holds no peers; an accepted one holds at
 * most BTT_TRACKER_MAX_PEERS distinct peers with port != 0 and an
 * address of 4 or 16 bytes; a tracker id it returns can be echoed in an
 * announce URL within BTT_TRACKER_MAX_URL; scrape entries are reported
 * only for requested hashes and keep their order. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bt/tracker.h"
#include "core/limits.h"

#define CHECK(x)                 \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)

static void check_msg(const char *m)
{
	CHECK(memchr(m, 0, BTT_TRACKER_MSG_SIZE) != NULL);
}

static void check_peers(const struct btt_tracker_result *r)
{
	CHECK(r->num_peers <= BTT_TRACKER_MAX_PEERS);
	CHECK(!r->truncated || r->num_peers == BTT_TRACKER_MAX_PEERS);
	for (uint32_t i = 0; i < r->num_peers; i++) {
		const struct btt_tracker_peer *p = &r->peers[i];
		CHECK(p->port != 0);
		CHECK(p->ip_len == 4 || p->ip_len == 16);
		/* Distinctness: quadratic, so only on small sets. */
		for (uint32_t j = 0; r->num_peers <= 256 && j < i; j++)
			CHECK(r->peers[j].ip_len != p->ip_len ||
			      r->peers[j].port != p->port ||
			      memcmp(r->peers[j].ip, p->ip, p->ip_len) != 0);
	}
}

static void check_echo(const struct btt_tracker_result *r)
{
	struct btt_tracker_params p;
	char *url = NULL;

	memset(&p, 0, sizeof(p));
	p.tracker_id = r->tracker_id;
	p.tracker_id_len = r->tracker_id_len;
	CHECK(btt_tracker_http_announce_url("http://t/announce", &p, &url) ==
	      0);
	CHECK(strlen(url) <= BTT_TRACKER_MAX_URL);
	free(url);
}

static void fuzz_announce(const uint8_t *data, size_t size)
{
	struct btt_tracker_result r;
	int rc = btt_tracker_http_parse(data, size, &r);

	CHECK(rc == r.err);
	check_msg(r.message);
	check_msg(r.warning);
	if (rc) {
		CHECK(rc < 0 && r.message[0]);
		CHECK(!r.peers && r.num_peers == 0);
	} else {
		check_peers(&r);
		CHECK(r.tracker_id_len <= BTT_TRACKER_MAX_ID);
		CHECK(r.external_ip_len == 0 || r.external_ip_len == 4 ||
		      r.external_ip_len == 16);
		check_echo(&r);
	}
	btt_tracker_result_release(&r);
}

static void fuzz_scrape(const uint8_t *data, size_t size)
{
	static const uint8_t ot[20] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd,
				       0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
				       0xcd, 0xef, 0x01, 0x23, 0x45, 0x67};
	struct btt_tracker_scrape s;
	uint8_t h[20];
	int rc;

	btt_tracker_scrape_init(&s);
	btt_tracker_scrape_add(&s, ot);
	memset(h, 'a', 20);
	btt_tracker_scrape_add(&s, h);
	memset(h, 0xff, 20);
	btt_tracker_scrape_add(&s, h);
	rc = btt_tracker_http_scrape_parse(data, size, &s);
	CHECK(rc == s.err && rc <= 0);
	check_msg(s.message);
	CHECK(s.n == 3);
	CHECK(!memcmp(s.e[0].info_hash, ot, 20));
	for (uint32_t i = 0; i < s.n; i++) {
		if (rc || !s.e[i].found)
			CHECK(s.e[i].complete == -1 &&
			      s.e[i].downloaded == -1 &&
			      s.e[i].incomplete == -1);
		CHECK(s.e[i].complete >= -1 && s.e[i].incomplete >= -1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_announce(data, size);
	fuzz_scrape(data, size);
	return 0;
}
