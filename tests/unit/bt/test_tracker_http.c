/* HTTP tracker core: announce and scrape URL building (escaping of every
 * byte value, existing query strings, optional parameters, the URL caps),
 * announce response parsing (compact, dict peers with IPv4 and IPv6
 * text, peers6, failure reason, warning, intervals, tracker id, external
 * ip), hostile bodies, every BTT_TRACKER_* limit at max-1, max and max+1,
 * and scrape responses, including replies captured from opentracker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt/tracker.h"
#include "btt/err.h"
#include "core/limits.h"

/* The BEP 3 example hash and its escaped form. */
static const uint8_t IH[20] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde,
			       0xf1, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd,
			       0xef, 0x12, 0x34, 0x56, 0x78, 0x9a};
#define IH_ESC "%124Vx%9A%BC%DE%F1%23Eg%89%AB%CD%EF%124Vx%9A"
#define REST                                                              \
	"&peer_id=-BT0001-abcdefghijkl&port=6881&uploaded=1&downloaded=2" \
	"&left=3&compact=1&event=started&numwant=50&key=0000BEEF"

/* opentracker 2021 (Debian) replies, captured on 127.0.0.1. */
static const char OT_ANNOUNCE[] =
	"d8:completei1e10:downloadedi0e10:incompletei3e8:intervali1909e"
	"12:min intervali954e5:peers24:"
	"\x7f\x00\x00\x01\x1b\x5a\x7f\x00\x00\x01\x1b\x5b"
	"\x7f\x00\x00\x01\x1b\x61\x7f\x00\x00\x01\x1b\x59"
	"e";
static const char OT_FAIL[] =
	"d14:failure reason63:Requested download is not authorized for use "
	"with this tracker.e";

static void params_fill(struct btt_tracker_params *p)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->info_hash, IH, 20);
	memcpy(p->peer_id, "-BT0001-abcdefghijkl", 20);
	p->port = 6881;
	p->uploaded = 1;
	p->downloaded = 2;
	p->left = 3;
	p->event = BTT_EVENT_STARTED;
	p->numwant = 50;
	p->key = 0xbeef;
}

static char *announce_url(const char *base, const struct btt_tracker_params *p)
{
	char *url = NULL;
	assert_int_equal(btt_tracker_http_announce_url(base, p, &url), 0);
	assert_non_null(url);
	return url;
}

static int parse(const char *body, size_t len, struct btt_tracker_result *r)
{
	return btt_tracker_http_parse(body, len, r);
}

#define PARSE(lit, r) parse(lit, sizeof(lit) - 1, r)

static void test_tracker_http_url_vector(void **state)
{
	struct btt_tracker_params p;
	char *url;
	(void)state;

	params_fill(&p);
	url = announce_url("http://t.example:6969/announce", &p);
	assert_string_equal(
		url, "http://t.example:6969/announce?info_hash=" IH_ESC REST);
	free(url);
}

/* url is http://t/announce with info_hash want[0..n), then REST. */
static void check_hash_param(const char *url, const char *want, size_t n)
{
	static const char pre[] = "http://t/announce?info_hash=";
	size_t k = sizeof(pre) - 1;

	assert_memory_equal(url, pre, k);
	assert_memory_equal(url + k, want, n);
	assert_string_equal(url + k + n, REST);
}

/* Every byte value 0..255 (in 13 hashes) is escaped as RFC 3986 wants:
 * unreserved characters literal, everything else %XX upper case. */
static void test_tracker_http_url_every_byte(void **state)
{
	struct btt_tracker_params p;
	char want[200], *url;
	(void)state;

	params_fill(&p);
	for (int base = 0; base < 256; base += 20) {
		size_t o = 0;
		for (int i = 0; i < 20; i++) {
			int b = (base + i) & 0xff;
			p.info_hash[i] = (uint8_t)b;
			if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') ||
			    (b >= '0' && b <= '9') || b == '-' || b == '.' ||
			    b == '_' || b == '~')
				want[o++] = (char)b;
			else
				o += (size_t)snprintf(want + o, 4, "%%%02X", b);
		}
		url = announce_url("http://t/announce", &p);
		check_hash_param(url, want, o);
		free(url);
	}
	/* Spot checks written out by hand. */
	memset(p.info_hash, 0, 20);
	memcpy(p.info_hash, " ~%\xff+/", 6);
	url = announce_url("http://t/announce", &p);
	check_hash_param(url,
			 "%20~%25%FF%2B%2F%00%00%00%00%00%00%00%00%00%00%00%00"
			 "%00%00",
			 58);
	free(url);
}

static void test_tracker_http_url_query(void **state)
{
	static const struct {
		const char *base, *prefix;
	} cases[] = {
		{"https://t/announce.php?passkey=a%20b",
		 "https://t/announce.php?passkey=a%20b&info_hash="},
		{"http://t/a?", "http://t/a?info_hash="},
		{"http://t/a?x=1&", "http://t/a?x=1&info_hash="},
		{"HTTP://t/a#frag", "HTTP://t/a?info_hash="},
		{"http://t/a?k=v#f?g", "http://t/a?k=v&info_hash="},
	};
	struct btt_tracker_params p;
	(void)state;

	params_fill(&p);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *url = announce_url(cases[i].base, &p);
		size_t n = strlen(cases[i].prefix);
		assert_memory_equal(url, cases[i].prefix, n);
		assert_string_equal(url + n, IH_ESC REST);
		free(url);
	}
}

static void test_tracker_http_url_options(void **state)
{
	struct btt_tracker_params p;
	const uint8_t tid[3] = {'a', 0, 0xfe};
	char *url;
	(void)state;

	params_fill(&p);
	p.event = BTT_EVENT_NONE;
	p.numwant = -1;
	p.no_peer_id = true;
	p.tracker_id = tid;
	p.tracker_id_len = 3;
	p.ipv6 = "2001:db8::1";
	p.left = UINT64_MAX;
	p.key = 0xDEADBEEF;
	url = announce_url("http://t/announce", &p);
	assert_string_equal(url, "http://t/announce?info_hash=" IH_ESC
				 "&peer_id=-BT0001-abcdefghijkl&port=6881"
				 "&uploaded=1&downloaded=2"
				 "&left=18446744073709551615&compact=1"
				 "&no_peer_id=1&key=DEADBEEF&trackerid=a%00%FE"
				 "&ipv6=2001%3Adb8%3A%3A1");
	free(url);
	params_fill(&p);
	p.event = BTT_EVENT_STOPPED;
	p.numwant = 0;
	url = announce_url("http://t/announce", &p);
	assert_non_null(strstr(url, "&compact=1&event=stopped&numwant=0&key="));
	free(url);
	p.event = BTT_EVENT_COMPLETED;
	url = announce_url("http://t/announce", &p);
	assert_non_null(strstr(url, "&compact=1&event=completed&numwant=0&"));
	free(url);
}

static void test_tracker_http_url_invalid(void **state)
{
	static const char *const bad[] = {
		"udp://t:80/announce",
		"ftp://t/announce",
		"http://t/a b",
		"http://t/\x7f",
		"http://t/\xc3\xa9",
		"",
		"http:/t",
	};
	struct btt_tracker_params p;
	char *url = NULL, v6[65];
	(void)state;

	params_fill(&p);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		url = (char *)bad;
		assert_int_equal(
			btt_tracker_http_announce_url(bad[i], &p, &url),
			BTT_EINVALID);
		assert_null(url);
	}
	p.event = 4;
	assert_int_equal(btt_tracker_http_announce_url("http://t/", &p, &url),
			 BTT_EINVALID);
	p.event = -1;
	assert_int_equal(btt_tracker_http_announce_url("http://t/", &p, &url),
			 BTT_EINVALID);
	/* ipv6 values of 63 bytes pass, 64 do not. */
	p.event = BTT_EVENT_NONE;
	memset(v6, 'a', sizeof(v6));
	v6[63] = 0;
	p.ipv6 = v6;
	assert_int_equal(btt_tracker_http_announce_url("http://t/", &p, &url),
			 0);
	free(url);
	v6[63] = 'a';
	v6[64] = 0;
	assert_int_equal(btt_tracker_http_announce_url("http://t/", &p, &url),
			 BTT_EINVALID);
}

/* The tracker URL itself is capped at BTT_METAINFO_MAX_URL_LEN bytes. */
static void test_tracker_http_url_base_limit(void **state)
{
	struct btt_tracker_params p;
	char *base = malloc(BTT_METAINFO_MAX_URL_LEN + 2), *url;
	(void)state;

	params_fill(&p);
	for (size_t len = BTT_METAINFO_MAX_URL_LEN - 1;
	     len <= BTT_METAINFO_MAX_URL_LEN + 1; len++) {
		memcpy(base, "http://t/", 9);
		memset(base + 9, 'a', len - 9);
		base[len] = 0;
		int rc = btt_tracker_http_announce_url(base, &p, &url);
		if (len <= BTT_METAINFO_MAX_URL_LEN) {
			assert_int_equal(rc, 0);
			assert_memory_equal(url, base, len);
			assert_int_equal(url[len], '?');
			free(url);
		} else {
			assert_int_equal(rc, BTT_EINVALID);
		}
	}
	free(base);
}

static void test_tracker_http_parse_compact(void **state)
{
	struct btt_tracker_result r;
	(void)state;

	assert_int_equal(PARSE(OT_ANNOUNCE, &r), 0);
	assert_int_equal(r.err, 0);
	assert_string_equal(r.message, "");
	assert_string_equal(r.warning, "");
	assert_int_equal(r.interval, 1909);
	assert_int_equal(r.min_interval, 954);
	assert_int_equal(r.complete, 1);
	assert_int_equal(r.incomplete, 3);
	assert_int_equal(r.downloaded, 0);
	assert_int_equal(r.num_peers, 4);
	assert_int_equal(r.peers[0].ip_len, 4);
	assert_memory_equal(r.peers[0].ip, "\x7f\x00\x00\x01", 4);
	assert_int_equal(r.peers[0].port, 7002);
	assert_int_equal(r.peers[3].port, 7001);
	assert_false(r.peers[0].has_id);
	assert_int_equal(r.dropped, 0);
	assert_false(r.truncated);
	assert_int_equal(r.tracker_id_len, 0);
	assert_int_equal(r.external_ip_len, 0);
	btt_tracker_result_release(&r);
	assert_null(r.peers);
	btt_tracker_result_release(&r);
}

static void test_tracker_http_parse_dict_peers(void **state)
{
	struct btt_tracker_result r;
	static const char body[] =
		"d8:intervali60e5:peersl"
		"d2:ip7:1.2.3.47:peer id20:AAAAAAAAAAAAAAAAAAAA4:porti1ee"
		"d2:ip11:2001:db8::14:porti2ee"
		"d2:ip13:[2001:db8::2]4:porti3ee"
		"d2:ip15:::ffff:10.0.0.14:porti4ee"
		"d2:ip7:1.2.3.44:porti1ee"		 /* duplicate */
		"d2:ip7:1.2.3.44:porti0ee"		 /* port 0 */
		"d2:ip7:1.2.3.44:porti65536ee"		 /* port range */
		"d2:ip8:01.2.3.44:porti5ee"		 /* leading zero */
		"d2:ip9:1.2.3.4.54:porti5ee"		 /* five parts */
		"d2:ip9:256.2.3.44:porti5ee"		 /* octet range */
		"d2:ip13:t.example.com4:porti5ee"	 /* host name */
		"d2:ip14:fe80::1%25eth04:porti5ee"	 /* zone id */
		"d2:ip5:1::1:4:porti5ee"		 /* bad IPv6 */
		"d4:porti5ee"				 /* no ip */
		"d2:ipi1e4:porti5ee"			 /* ip not a string */
		"i7e"					 /* not a dict */
		"d2:ip7:5.6.7.87:peer id3:abc4:porti6ee" /* short id */
		"ee";
	(void)state;

	assert_int_equal(PARSE(body, &r), 0);
	assert_int_equal(r.num_peers, 5);
	assert_int_equal(r.dropped, 12);
	assert_int_equal(r.peers[0].ip_len, 4);
	assert_memory_equal(r.peers[0].ip, "\x01\x02\x03\x04", 4);
	assert_int_equal(r.peers[0].port, 1);
	assert_true(r.peers[0].has_id);
	assert_memory_equal(r.peers[0].id, "AAAAAAAAAAAAAAAAAAAA", 20);
	assert_int_equal(r.peers[1].ip_len, 16);
	assert_memory_equal(r.peers[1].ip,
			    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	assert_int_equal(r.peers[1].port, 2);
	assert_int_equal(r.peers[2].ip_len, 16);
	assert_int_equal(r.peers[2].ip[15], 2);
	assert_int_equal(r.peers[3].ip_len, 4);
	assert_memory_equal(r.peers[3].ip, "\x0a\x00\x00\x01", 4);
	assert_memory_equal(r.peers[4].ip, "\x05\x06\x07\x08", 4);
	assert_false(r.peers[4].has_id);
	btt_tracker_result_release(&r);
}

static void test_tracker_http_parse_peers6(void **state)
{
	struct btt_tracker_result r;
	static const char body[] =
		"d5:peers6:\x0a\x00\x00\x01\x00\x50"
		"6:peers636:"
		"\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01\x1a\xe1"
		"\0\0\0\0\0\0\0\0\0\0\xff\xff\x0a\x00\x00\x01\x00\x50"
		"e";
	(void)state;

	assert_int_equal(PARSE(body, &r), 0);
	/* The mapped address is the IPv4 peer again: one entry. */
	assert_int_equal(r.num_peers, 2);
	assert_int_equal(r.dropped, 1);
	assert_int_equal(r.peers[0].port, 80);
	assert_int_equal(r.peers[1].ip_len, 16);
	assert_int_equal(r.peers[1].port, 6881);
	assert_int_equal(r.interval, 0);
	assert_int_equal(r.complete, -1);
	btt_tracker_result_release(&r);
}

static void test_tracker_http_parse_failure(void **state)
{
	struct btt_tracker_result r;
	(void)state;

	assert_int_equal(PARSE(OT_FAIL, &r), BTT_ETRACKER);
	assert_int_equal(r.err, BTT_ETRACKER);
	assert_string_equal(r.message, "Requested download is not authorized "
				       "for use with this tracker.");
	assert_int_equal(r.num_peers, 0);
	/* Control, non-ASCII and backslash bytes are escaped. */
	assert_int_equal(PARSE("d14:failure reason6:a\nb\xff\\ce", &r),
			 BTT_ETRACKER);
	assert_string_equal(r.message, "a\\x0ab\\xff\\x5cc");
	/* An empty reason still tells the user something. */
	assert_int_equal(PARSE("d14:failure reason0:e", &r), BTT_ETRACKER);
	assert_string_equal(r.message,
			    "tracker refused the request without a reason");
	assert_int_equal(PARSE("d14:failure reasoni1ee", &r), BTT_ETYPE);
	assert_int_equal(r.err, BTT_ETYPE);
	assert_true(strlen(r.message) > 0);
}

static void test_tracker_http_parse_fields(void **state)
{
	struct btt_tracker_result r;
	static const char body[] =
		"d8:completei-5e11:external ip4:\x01\x02\x03\x04"
		"8:intervali99999999999e12:min intervali-3e5:peers0:"
		"10:tracker id3:\x00xy15:warning message4:slow"
		"e";
	(void)state;

	assert_int_equal(PARSE(body, &r), 0);
	assert_int_equal(r.complete, -1);
	assert_int_equal(r.interval, UINT32_MAX);
	assert_int_equal(r.min_interval, 0);
	assert_string_equal(r.warning, "slow");
	assert_int_equal(r.tracker_id_len, 3);
	assert_memory_equal(r.tracker_id, "\0xy", 3);
	assert_int_equal(r.external_ip_len, 4);
	assert_memory_equal(r.external_ip, "\x01\x02\x03\x04", 4);
	btt_tracker_result_release(&r);
	assert_int_equal(PARSE("d11:external ip16:0123456789abcdefe", &r), 0);
	assert_int_equal(r.external_ip_len, 16);
	/* Other lengths are ignored (BEP 24 is advisory). */
	assert_int_equal(PARSE("d11:external ip5:01234e", &r), 0);
	assert_int_equal(r.external_ip_len, 0);
}

static void test_tracker_http_parse_hostile(void **state)
{
	static const struct {
		const char *body;
		size_t len;
		int err;
	} cases[] = {
#define C(lit, e) {lit, sizeof(lit) - 1, e}
		C("d5:peers7:1234567e", BTT_EMALFORMED),
		C("d6:peers617:12345678901234567e", BTT_EMALFORMED),
		C("d5:peersi1ee", BTT_ETYPE),
		C("d5:peersd2:ip7:1.2.3.4ee", BTT_ETYPE),
		C("d6:peers6lee", BTT_ETYPE),
		C("d8:interval4:1800e", BTT_ETYPE),
		C("d12:min intervallee", BTT_ETYPE),
		C("d8:completeli1eee", BTT_ETYPE),
		C("d15:warning messagei1ee", BTT_ETYPE),
		C("d10:tracker idi1ee", BTT_ETYPE),
		C("d11:external ipi1ee", BTT_ETYPE),
		C("le", BTT_ETYPE),
		C("i3e", BTT_ETYPE),
		C("5:peers", BTT_ETYPE),
		C("d8:intervali1e5:peers0:4:abcdi1ee", BTT_ENONCANONICAL),
		C("d5:peers0:8:intervali1ee", BTT_ENONCANONICAL),
		C("d8:intervali01ee", BTT_ENONCANONICAL),
		C("d8:intervali1e", BTT_ETRUNCATED),
		C("d5:peers6:1234", BTT_ETRUNCATED),
		C("", BTT_ETRUNCATED),
		C("dede", BTT_ETRAILING),
		C("<title>Invalid Request</title>\n", BTT_EMALFORMED),
#undef C
	};
	struct btt_tracker_result r;
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = parse(cases[i].body, cases[i].len, &r);
		if (rc != cases[i].err)
			fail_msg("case %zu: got %d want %d (%s)", i, rc,
				 cases[i].err, r.message);
		assert_int_equal(r.err, rc);
		assert_true(r.message[0] != 0);
		assert_null(r.peers);
		assert_int_equal(r.num_peers, 0);
	}
}

/* A body of exactly `len` bytes: d3:pad<N>:xxx...e */
static char *body_of_len(size_t len)
{
	char *b = malloc(len + 1);
	size_t n = len;

	while ((size_t)snprintf(b, len + 1, "d3:pad%zu:", n) + n + 1 != len)
		n--;
	memset(b + strlen(b), 'x', n);
	b[len - 1] = 'e';
	return b;
}

static void test_tracker_http_limit_size(void **state)
{
	struct btt_tracker_result r;
	(void)state;

	for (size_t len = BTT_TRACKER_MAX_RESPONSE - 1;
	     len <= BTT_TRACKER_MAX_RESPONSE + 1; len++) {
		char *b = body_of_len(len);
		int rc = btt_tracker_http_parse(b, len, &r);
		assert_int_equal(
			rc, len <= BTT_TRACKER_MAX_RESPONSE ? 0 : BTT_ELIMIT);
		btt_tracker_result_release(&r);
		free(b);
	}
}

/* d1:al i0e... ee: items = root + key + list + count. */
static void test_tracker_http_limit_items(void **state)
{
	struct btt_tracker_result r;
	(void)state;

	for (uint32_t items = BTT_TRACKER_MAX_ITEMS - 1;
	     items <= BTT_TRACKER_MAX_ITEMS + 1; items++) {
		uint32_t count = items - 3;
		size_t len = 5 + 3 * (size_t)count + 2, o = 5;
		char *b = malloc(len);
		memcpy(b, "d1:al", 5);
		for (uint32_t i = 0; i < count; i++, o += 3)
			memcpy(b + o, "i0e", 3);
		memcpy(b + o, "ee", 2);
		assert_int_equal(btt_tracker_http_parse(b, len, &r),
				 items <= BTT_TRACKER_MAX_ITEMS ? 0
								: BTT_ELIMIT);
		btt_tracker_result_release(&r);
		free(b);
	}
}

static void test_tracker_http_limit_depth(void **state)
{
	struct btt_tracker_result r;
	char b[64];
	(void)state;

	for (unsigned depth = BTT_TRACKER_MAX_DEPTH - 1;
	     depth <= BTT_TRACKER_MAX_DEPTH + 1; depth++) {
		unsigned lists = depth - 1; /* the root dict is one level */
		size_t o = 4;
		memcpy(b, "d1:a", 4);
		memset(b + o, 'l', lists);
		o += lists;
		memset(b + o, 'e', lists + 1);
		o += lists + 1;
		assert_int_equal(btt_tracker_http_parse(b, o, &r),
				 depth <= BTT_TRACKER_MAX_DEPTH ? 0
								: BTT_EDEPTH);
	}
}

static char *compact_body(uint32_t npeers, size_t *out_len)
{
	size_t n = (size_t)npeers * 6, o;
	char *b = malloc(n + 32);

	o = (size_t)snprintf(b, 32, "d5:peers%zu:", n);
	for (uint32_t i = 0; i < npeers; i++, o += 6) {
		b[o] = 10;
		b[o + 1] = (char)(i >> 16);
		b[o + 2] = (char)(i >> 8);
		b[o + 3] = (char)i;
		b[o + 4] = 0x1a;
		b[o + 5] = (char)0xe1;
	}
	b[o++] = 'e';
	*out_len = o;
	return b;
}

static void test_tracker_http_limit_peers(void **state)
{
	static const uint32_t counts[] = {BTT_TRACKER_MAX_PEERS - 1,
					  BTT_TRACKER_MAX_PEERS,
					  BTT_TRACKER_MAX_PEERS + 1, 40000};
	struct btt_tracker_result r;
	(void)state;

	for (size_t i = 0; i < 4; i++) {
		size_t len;
		char *b = compact_body(counts[i], &len);
		assert_int_equal(btt_tracker_http_parse(b, len, &r), 0);
		if (counts[i] <= BTT_TRACKER_MAX_PEERS) {
			assert_int_equal(r.num_peers, counts[i]);
			assert_false(r.truncated);
		} else {
			/* Many more peers than the cap cost only the cap. */
			assert_int_equal(r.num_peers, BTT_TRACKER_MAX_PEERS);
			assert_true(r.truncated);
		}
		btt_tracker_result_release(&r);
		free(b);
	}
}

static void test_tracker_http_limit_message(void **state)
{
	struct btt_tracker_result r;
	char b[400];
	(void)state;

	for (size_t n = BTT_TRACKER_MAX_MESSAGE - 1;
	     n <= BTT_TRACKER_MAX_MESSAGE + 1; n++) {
		size_t o = (size_t)snprintf(b, sizeof(b),
					    "d14:failure reason%zu:", n);
		memset(b + o, 'm', n);
		o += n;
		b[o++] = 'e';
		assert_int_equal(btt_tracker_http_parse(b, o, &r),
				 BTT_ETRACKER);
		if (n <= BTT_TRACKER_MAX_MESSAGE) {
			assert_int_equal(strlen(r.message), n);
		} else {
			assert_int_equal(strlen(r.message),
					 BTT_TRACKER_MAX_MESSAGE + 3);
			assert_string_equal(r.message + BTT_TRACKER_MAX_MESSAGE,
					    "...");
		}
	}
	/* Escaping four bytes per input byte still fits the buffer. */
	memcpy(b, "d14:failure reason300:", 22);
	memset(b + 22, 0x01, 300);
	b[322] = 'e';
	assert_int_equal(btt_tracker_http_parse(b, 323, &r), BTT_ETRACKER);
	assert_int_equal(strlen(r.message), 4 * BTT_TRACKER_MAX_MESSAGE + 3);
}

static void test_tracker_http_limit_tracker_id(void **state)
{
	struct btt_tracker_result r;
	char b[BTT_TRACKER_MAX_ID + 64];
	(void)state;

	for (size_t n = BTT_TRACKER_MAX_ID - 1; n <= BTT_TRACKER_MAX_ID + 1;
	     n++) {
		size_t o =
			(size_t)snprintf(b, sizeof(b), "d10:tracker id%zu:", n);
		memset(b + o, 't', n);
		o += n;
		b[o++] = 'e';
		assert_int_equal(btt_tracker_http_parse(b, o, &r), 0);
		assert_int_equal(r.tracker_id_len,
				 n <= BTT_TRACKER_MAX_ID ? n : 0);
	}
}

static void test_tracker_http_scrape_url(void **state)
{
	static const char *const unsupported[] = {
		"http://t/a",	      "http://t/announce/x", "http://announce",
		"http://t/xannounce", "http://t/?announce",  "http://t/",
	};
	struct btt_tracker_scrape s;
	uint8_t a[20], b[20];
	char *url;
	(void)state;

	btt_tracker_scrape_init(&s);
	memset(a, 0xbb, 20);
	memset(b, 'A', 20);
	assert_int_equal(btt_tracker_scrape_add(&s, a), 0);
	assert_int_equal(btt_tracker_scrape_add(&s, b), 0);
	assert_int_equal(btt_tracker_scrape_add(&s, a), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(
		btt_tracker_http_scrape_url("http://t:1/announce", &s, &url),
		0);
	/* Sorted: 0x41... before 0xbb... */
	assert_string_equal(url, "http://t:1/scrape?info_hash="
				 "AAAAAAAAAAAAAAAAAAAA&info_hash="
				 "%BB%BB%BB%BB%BB%BB%BB%BB%BB%BB%BB%BB%BB%BB"
				 "%BB%BB%BB%BB%BB%BB");
	free(url);
	assert_int_equal(btt_tracker_http_scrape_url(
				 "http://t/x/announce.php?pk=1", &s, &url),
			 0);
	assert_memory_equal(url, "http://t/x/scrape.php?pk=1&info_hash=A", 38);
	free(url);
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]);
	     i++)
		assert_int_equal(
			btt_tracker_http_scrape_url(unsupported[i], &s, &url),
			BTT_EUNSUPPORTED);
	assert_int_equal(
		btt_tracker_http_scrape_url("udp://t:1/announce", &s, &url),
		BTT_EINVALID);
	btt_tracker_scrape_init(&s);
	assert_int_equal(
		btt_tracker_http_scrape_url("http://t/announce", &s, &url),
		BTT_EINVALID);
}

static void test_tracker_http_limit_scrape(void **state)
{
	struct btt_tracker_scrape s;
	uint8_t h[20] = {0};
	(void)state;

	btt_tracker_scrape_init(&s);
	for (uint32_t i = 0; i < BTT_TRACKER_MAX_SCRAPE + 1; i++) {
		h[0] = (uint8_t)(200 - i); /* descending: inserts at front */
		assert_int_equal(s.n, i < BTT_TRACKER_MAX_SCRAPE
					      ? i
					      : BTT_TRACKER_MAX_SCRAPE);
		assert_int_equal(btt_tracker_scrape_add(&s, h),
				 i < BTT_TRACKER_MAX_SCRAPE ? 0 : BTT_ELIMIT);
	}
	assert_int_equal(s.n, BTT_TRACKER_MAX_SCRAPE);
	for (uint32_t i = 1; i < s.n; i++)
		assert_true(memcmp(s.e[i - 1].info_hash, s.e[i].info_hash, 20) <
			    0);
	/* A hash already present is fine even when full. */
	assert_int_equal(btt_tracker_scrape_add(&s, s.e[3].info_hash), 0);
}

/* The built-URL cap: 74 hashes of escaped bytes and a long base. */
static void test_tracker_http_limit_url(void **state)
{
	struct btt_tracker_scrape s;
	char *base = malloc(BTT_METAINFO_MAX_URL_LEN + 1), *url;
	uint8_t h[20];
	size_t fixed;
	(void)state;

	btt_tracker_scrape_init(&s);
	for (uint32_t i = 0; i < BTT_TRACKER_MAX_SCRAPE; i++) {
		memset(h, 0xff, 20);
		h[19] = (uint8_t)i;
		assert_int_equal(btt_tracker_scrape_add(&s, h), 0);
	}
	assert_int_equal(
		btt_tracker_http_scrape_url("http://t/announce", &s, &url), 0);
	fixed = strlen(url) - 9; /* after "http://t/" */
	free(url);
	for (size_t want = BTT_TRACKER_MAX_URL - 1;
	     want <= BTT_TRACKER_MAX_URL + 1; want++) {
		size_t pad = want - fixed - 9;
		memcpy(base, "http://t/", 9);
		memset(base + 9, 'p', pad - 1);
		base[9 + pad - 1] = '/';
		memcpy(base + 9 + pad, "announce", 9);
		int rc = btt_tracker_http_scrape_url(base, &s, &url);
		if (want <= BTT_TRACKER_MAX_URL) {
			assert_int_equal(rc, 0);
			assert_int_equal(strlen(url), want);
			free(url);
		} else {
			assert_int_equal(rc, BTT_ELIMIT);
			assert_null(url);
		}
	}
	free(base);
}

#define OT_H1 "\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89\xab"

static void test_tracker_http_scrape_parse(void **state)
{
	/* Shaped like opentracker's reply, plus keys nobody asked for. */
	static const char body[] =
		"d5:filesd"
		"20:" OT_H1 "\xcd\xef\x01\x23\x45\x67"
		"d8:completei1e10:downloadedi0e10:incompletei2ee"
		"20:" OT_H1 "\xcd\xef\x01\x23\x45\x68"
		"d8:completei4e10:downloadedi7e10:incompletei9ee"
		"3:xyzd8:completei1ee"
		"20:\xff\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89\xab"
		"\xcd\xef\x01\x23\x45\x67"
		"d8:completei1ee"
		"e5:flagsd20:min_request_intervali900eee";
	struct btt_tracker_scrape s;
	uint8_t ha[20], hb[20], hc[20];
	(void)state;

	memcpy(ha, OT_H1 "\xcd\xef\x01\x23\x45\x67", 20);
	memcpy(hb, ha, 20);
	hb[19] = 0x68;
	memcpy(hc, ha, 20);
	hc[0] = 0x00;
	btt_tracker_scrape_init(&s);
	btt_tracker_scrape_add(&s, hb);
	btt_tracker_scrape_add(&s, ha);
	btt_tracker_scrape_add(&s, hc);
	assert_int_equal(
		btt_tracker_http_scrape_parse(body, sizeof(body) - 1, &s), 0);
	assert_int_equal(s.err, 0);
	assert_int_equal(s.min_request_interval, 900);
	/* order: hc, ha, hb */
	assert_false(s.e[0].found);
	assert_int_equal(s.e[0].complete, -1);
	assert_true(s.e[1].found);
	assert_int_equal(s.e[1].complete, 1);
	assert_int_equal(s.e[1].downloaded, 0);
	assert_int_equal(s.e[1].incomplete, 2);
	assert_true(s.e[2].found);
	assert_int_equal(s.e[2].complete, 4);
	assert_int_equal(s.e[2].downloaded, 7);
	assert_int_equal(s.e[2].incomplete, 9);

	assert_int_equal(
		btt_tracker_http_scrape_parse(OT_FAIL, sizeof(OT_FAIL) - 1, &s),
		BTT_ETRACKER);
	assert_false(s.e[1].found);
	assert_non_null(strstr(s.message, "not authorized"));
	assert_int_equal(btt_tracker_http_scrape_parse("d5:fileslee", 11, &s),
			 BTT_ETYPE);
	assert_int_equal(
		btt_tracker_http_scrape_parse("d5:filesd3:abci1eee", 19, &s),
		BTT_ETYPE);
	assert_int_equal(btt_tracker_http_scrape_parse(
				 "d5:filesd3:abcd8:complete1:xeee", 31, &s),
			 BTT_ETYPE);
	assert_int_equal(btt_tracker_http_scrape_parse("de", 2, &s), 0);
	assert_false(s.e[0].found);
	assert_int_equal(btt_tracker_http_scrape_parse("d5:files", 8, &s),
			 BTT_ETRUNCATED);
	assert_int_equal(s.err, BTT_ETRUNCATED);
}

static void test_tracker_http_url_kind(void **state)
{
	(void)state;
	assert_int_equal(btt_tracker_url_kind("http://a/"), BTT_TRACKER_HTTP);
	assert_int_equal(btt_tracker_url_kind("HTTPS://a/"), BTT_TRACKER_HTTP);
	assert_int_equal(btt_tracker_url_kind("udp://a:1"), BTT_TRACKER_UDP);
	assert_int_equal(btt_tracker_url_kind("wss://a/"),
			 BTT_TRACKER_UNSUPPORTED);
	assert_int_equal(btt_tracker_url_kind("http:/a"),
			 BTT_TRACKER_UNSUPPORTED);
	assert_string_equal(btt_tracker_event_name(BTT_EVENT_NONE), "");
	assert_string_equal(btt_tracker_event_name(BTT_EVENT_STOPPED),
			    "stopped");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tracker_http_url_vector),
		cmocka_unit_test(test_tracker_http_url_every_byte),
		cmocka_unit_test(test_tracker_http_url_query),
		cmocka_unit_test(test_tracker_http_url_options),
		cmocka_unit_test(test_tracker_http_url_invalid),
		cmocka_unit_test(test_tracker_http_url_base_limit),
		cmocka_unit_test(test_tracker_http_parse_compact),
		cmocka_unit_test(test_tracker_http_parse_dict_peers),
		cmocka_unit_test(test_tracker_http_parse_peers6),
		cmocka_unit_test(test_tracker_http_parse_failure),
		cmocka_unit_test(test_tracker_http_parse_fields),
		cmocka_unit_test(test_tracker_http_parse_hostile),
		cmocka_unit_test(test_tracker_http_limit_size),
		cmocka_unit_test(test_tracker_http_limit_items),
		cmocka_unit_test(test_tracker_http_limit_depth),
		cmocka_unit_test(test_tracker_http_limit_peers),
		cmocka_unit_test(test_tracker_http_limit_message),
		cmocka_unit_test(test_tracker_http_limit_tracker_id),
		cmocka_unit_test(test_tracker_http_scrape_url),
		cmocka_unit_test(test_tracker_http_limit_scrape),
		cmocka_unit_test(test_tracker_http_limit_url),
		cmocka_unit_test(test_tracker_http_scrape_parse),
		cmocka_unit_test(test_tracker_http_url_kind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
