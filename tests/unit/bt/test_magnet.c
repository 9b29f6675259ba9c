/* Magnet links: BEP 9 hex and base32 btih, BEP 52 btmh, hybrids, dn/tr/ws,
 * x.pe peers, BEP 53 so= ranges, percent-decoding, every rejection, the
 * BTT_MAGNET_* limits at max-1, max and max+1, and writing links back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt/magnet.h"
#include "btt/err.h"
#include "core/codec.h"
#include "core/limits.h"
#include "core/wbuf.h"

#define IH1 "4612f92bc2c0c106e9d84a0c4c8d8232c3d25c5f"
#define IH1_B32 "IYJPSK6CYDAQN2OYJIGEZDMCGLB5EXC7"
#define IH2 "b90a4b79e526d5b33dc7cf4f32009d66e8614bdde9e60df3c608b3a872dc5e1e"

static int parse(struct btt_magnet *m, const char *s,
		 struct btt_metainfo_err *e)
{
	return btt_magnet_parse(m, s, strlen(s), e);
}

static void assert_hex(const uint8_t *p, size_t n, const char *hex)
{
	char buf[65];
	assert_string_equal(btt_hex_encode(p, n, buf), hex);
}

static void test_magnet_full(void **state)
{
	struct btt_magnet m;
	struct btt_metainfo_err e;
	(void)state;

	assert_int_equal(parse(&m,
			       "magnet:?xt=urn:btih:" IH1
			       "&dn=My+Name%20%C3%A9&tr=http%3A%2F%2Ft%2Fa"
			       "&tr=udp://u:1&tr.1=http%3a%2f%2ft%2fa"
			       "&ws=http://w/&x.pe=1.2.3.4:6881"
			       "&x.pe=%5B2001:db8::1%5D:51413&x.pe=[::1]:1"
			       "&x.pe=peer.example:99&so=0,2,4-6&unknown=1"
			       "&&bare",
			       &e),
			 0);
	assert_true(m.has_v1);
	assert_false(m.has_v2);
	assert_hex(m.ih_v1, 20, IH1);
	assert_string_equal(m.name, "My+Name \xc3\xa9");
	assert_int_equal(m.num_trackers, 2);
	assert_string_equal(m.trackers[0], "http://t/a");
	assert_string_equal(m.trackers[1], "udp://u:1");
	assert_int_equal(m.num_webseeds, 1);
	assert_string_equal(m.webseeds[0], "http://w/");
	assert_int_equal(m.num_peers, 4);
	assert_string_equal(m.peers[0].host, "1.2.3.4");
	assert_int_equal(m.peers[0].port, 6881);
	assert_string_equal(m.peers[1].host, "2001:db8::1");
	assert_int_equal(m.peers[1].port, 51413);
	assert_string_equal(m.peers[2].host, "::1");
	assert_string_equal(m.peers[3].host, "peer.example");
	assert_int_equal(m.num_select, 3);
	assert_int_equal(m.select[2].first, 4);
	assert_int_equal(m.select[2].last, 6);
	assert_true(btt_magnet_selects(&m, 0));
	assert_false(btt_magnet_selects(&m, 1));
	assert_true(btt_magnet_selects(&m, 5));
	assert_false(btt_magnet_selects(&m, 7));
	btt_magnet_release(&m);
	assert_null(m.trackers);
	btt_magnet_release(&m);
}

static void test_magnet_hash_forms(void **state)
{
	struct btt_magnet m;
	(void)state;

	assert_int_equal(parse(&m, "magnet:?xt=urn:btih:" IH1_B32, NULL), 0);
	assert_hex(m.ih_v1, 20, IH1);
	btt_magnet_release(&m);
	/* Case-insensitive scheme, urn and digits. */
	assert_int_equal(parse(&m,
			       "MAGNET:?xt=URN:BTIH:4612F92BC2C0C106E9D84A0C4C8"
			       "D8232C3D25C5F",
			       NULL),
			 0);
	assert_hex(m.ih_v1, 20, IH1);
	assert_true(btt_magnet_selects(&m, 12345));
	btt_magnet_release(&m);
	assert_int_equal(parse(&m, "magnet:?xt=urn:btmh:1220" IH2, NULL), 0);
	assert_false(m.has_v1);
	assert_true(m.has_v2);
	assert_hex(m.ih_v2, 32, IH2);
	btt_magnet_release(&m);
	assert_int_equal(parse(&m,
			       "magnet:?xt.1=urn:btih:" IH1
			       "&xt.2=urn:btmh:1220" IH2 "&xt=urn:btih:" IH1,
			       NULL),
			 0);
	assert_true(m.has_v1 && m.has_v2);
	btt_magnet_release(&m);
	/* Another network's URN alongside is ignored. */
	assert_int_equal(
		parse(&m, "magnet:?xt=urn:sha1:ABC&xt=urn:btih:" IH1_B32, NULL),
		0);
	btt_magnet_release(&m);
}

struct mreject {
	const char *in;
	int code;
	const char *msg;
	int64_t off;
};

static const struct mreject mrejects[] = {
	{"http://x/?xt=urn:btih:" IH1, BTT_EUNSUPPORTED, "not a magnet", 0},
	{"magnet:", BTT_EUNSUPPORTED, "not a magnet", 0},
	{"magnet:?", BTT_EMISSING, "no xt", -1},
	{"magnet:?dn=x&tr=http://t/", BTT_EMISSING, "no xt", -1},
	{"magnet:?xt=urn:sha1:ABC", BTT_EMISSING, "no xt", -1},
	{"magnet:?xt=urn:btih:" IH1 "&xt=urn:btih:"
	 "0000000000000000000000000000000000000000",
	 BTT_EINVALID, "conflicting btih", 64},
	{"magnet:?xt=urn:btmh:1220" IH2 "&xt=urn:btmh:1220" IH1
	 "000000000000000000000000",
	 BTT_EINVALID, "conflicting btmh", -2},
	{"magnet:?xt=urn:btih:" IH1 "0", BTT_EMALFORMED, "40 hex", 11},
	{"magnet:?xt=urn:btih:zz12f92bc2c0c106e9d84a0c4c8d8232c3d25c5f",
	 BTT_EMALFORMED, "40 hex", 11},
	{"magnet:?xt=urn:btih:IYJPSK6CYDAQN2OYJIGEZDMCGLB5EXC1", BTT_EMALFORMED,
	 "32 base32", 11},
	{"magnet:?xt=urn:btmh:1114" IH2, BTT_EUNSUPPORTED, "sha2-256", 11},
	{"magnet:?xt=urn:btmh:1220" IH1, BTT_EMALFORMED, "64 hex", 11},
	{"magnet:?xt=urn:btih:" IH1 "&dn=a%zzb", BTT_EMALFORMED,
	 "bad percent escape", 65},
	{"magnet:?xt=urn:btih:" IH1 "&dn=ab%2", BTT_EMALFORMED,
	 "bad percent escape", 66},
	{"magnet:?xt=urn:btih:" IH1 "&dn=a%00b", BTT_EMALFORMED, "%00", 65},
	{"magnet:?xt=urn:bt%00ih:" IH1, BTT_EMALFORMED, "%00", 17},
	{"magnet:?xt=urn:btih:" IH1 "&x.pe=1.2.3.4", BTT_EMALFORMED, "x.pe",
	 -2},
	{"magnet:?xt=urn:btih:" IH1 "&x.pe=1.2.3.4:0", BTT_EMALFORMED, "x.pe",
	 -2},
	{"magnet:?xt=urn:btih:" IH1 "&x.pe=1.2.3.4:65536", BTT_EMALFORMED,
	 "x.pe", -2},
	{"magnet:?xt=urn:btih:" IH1 "&x.pe=1.2.3.4:01", BTT_EMALFORMED, "x.pe",
	 -2},
	{"magnet:?xt=urn:btih:" IH1 "&x.pe=:80", BTT_EMALFORMED, "x.pe", -2},
	{"magnet:?xt=urn:btih:" IH1 "&x.pe=[::1]6881", BTT_EMALFORMED, "x.pe",
	 -2},
	{"magnet:?xt=urn:btih:" IH1 "&x.pe=a%20b:1", BTT_EMALFORMED,
	 "x.pe host", -2},
	{"magnet:?xt=urn:btih:" IH1 "&x.pe=a/b:1", BTT_EMALFORMED, "x.pe host",
	 -2},
	{"magnet:?xt=urn:btih:" IH1 "&so=1-", BTT_EMALFORMED, "so=", -2},
	{"magnet:?xt=urn:btih:" IH1 "&so=3-1", BTT_EMALFORMED, "so=", -2},
	{"magnet:?xt=urn:btih:" IH1 "&so=a", BTT_EMALFORMED, "so=", -2},
	{"magnet:?xt=urn:btih:" IH1 "&so=1,,2", BTT_EMALFORMED, "so=", -2},
	{"magnet:?xt=urn:btih:" IH1 "&so=1x", BTT_EMALFORMED, "so=", -2},
	{"magnet:?xt=urn:btih:" IH1 "&so=1000000", BTT_EMALFORMED, "so=", -2},
};

static void test_magnet_rejects(void **state)
{
	unsigned bad = 0;
	(void)state;

	for (size_t i = 0; i < sizeof(mrejects) / sizeof(*mrejects); i++) {
		const struct mreject *r = &mrejects[i];
		struct btt_magnet m;
		struct btt_metainfo_err e;
		int rc = parse(&m, r->in, &e);
		if (rc != r->code || e.code != r->code ||
		    !strstr(e.msg, r->msg) ||
		    (r->off != -2 && e.off != r->off) || m.trackers ||
		    m.has_v1 || m.has_v2 || parse(&m, r->in, NULL) != r->code) {
			print_error("%s: got %s at %lld '%s'\n", r->in,
				    btt_err_name(rc), (long long)e.off, e.msg);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* The same parameters, valid, so the rejections are about what they
 * name. */
static void test_magnet_reject_baselines(void **state)
{
	static const char *const ok[] = {
		"magnet:?xt=urn:btih:" IH1 "&x.pe=1.2.3.4:1",
		"magnet:?xt=urn:btih:" IH1 "&x.pe=1.2.3.4:65535",
		"magnet:?xt=urn:btih:" IH1 "&so=3-3,999999",
		"magnet:?xt=urn:btih:" IH1 "&so=",
		"magnet:?xt=urn:btih:" IH1 "&dn=a%2fb%2F",
		"magnet:?xt=urn:btih:" IH1 "&xt=urn:btih:" IH1_B32,
	};
	struct btt_magnet m;
	(void)state;

	for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
		assert_int_equal(parse(&m, ok[i], NULL), 0);
		btt_magnet_release(&m);
	}
}

/* "magnet:?xt=...&" plus `n` repetitions of `item` joined by `sep`,
 * after the prefix `param`. */
static char *build(const char *param, const char *item, const char *sep,
		   unsigned n)
{
	size_t cap = 64 + strlen(param) + n * (strlen(item) + 16);
	char *s = malloc(cap), *p = s;

	p += snprintf(p, cap, "magnet:?xt=urn:btih:%s&%s", IH1, param);
	for (unsigned i = 0; i < n; i++)
		p += snprintf(p, cap - (size_t)(p - s), "%s%s", i ? sep : "",
			      item);
	return s;
}

static int parse_built(char *s, struct btt_magnet *m)
{
	struct btt_metainfo_err e;
	int rc = parse(m, s, &e);
	free(s);
	return rc;
}

static void test_magnet_limits(void **state)
{
	struct btt_magnet m;
	char *s;
	(void)state;

	/* Whole length: pad an unknown parameter to an exact size. */
	for (int d = -1; d <= 1; d++) {
		size_t want = BTT_MAGNET_MAX_LEN + (size_t)(int64_t)d, n;
		s = build("z=", "", "", 0);
		n = strlen(s);
		s = realloc(s, want + 1);
		memset(s + n, 'a', want - n);
		s[want] = 0;
		assert_int_equal(parse_built(s, &m), d <= 0 ? 0 : BTT_ELIMIT);
		btt_magnet_release(&m);
	}
}

static void test_magnet_count_limits(void **state)
{
	struct btt_magnet m;
	(void)state;

	/* Parameters: xt is one of them. */
	assert_int_equal(
		parse_built(build("", "a=1", "&", BTT_MAGNET_MAX_PARAMS - 2),
			    &m),
		0);
	btt_magnet_release(&m);
	assert_int_equal(
		parse_built(build("", "a=1", "&", BTT_MAGNET_MAX_PARAMS - 1),
			    &m),
		0);
	btt_magnet_release(&m);
	assert_int_equal(
		parse_built(build("", "a=1", "&", BTT_MAGNET_MAX_PARAMS), &m),
		BTT_ELIMIT);
	/* Peers. */
	assert_int_equal(parse_built(build("", "x.pe=h:1", "&",
					   BTT_MAGNET_MAX_PEERS - 1),
				     &m),
			 0);
	btt_magnet_release(&m);
	assert_int_equal(
		parse_built(build("", "x.pe=h:1", "&", BTT_MAGNET_MAX_PEERS),
			    &m),
		0);
	assert_int_equal(m.num_peers, BTT_MAGNET_MAX_PEERS);
	btt_magnet_release(&m);
	assert_int_equal(parse_built(build("", "x.pe=h:1", "&",
					   BTT_MAGNET_MAX_PEERS + 1),
				     &m),
			 BTT_ELIMIT);
	/* so= ranges. */
	assert_int_equal(
		parse_built(build("so=", "1-2", ",", BTT_MAGNET_MAX_SELECT - 1),
			    &m),
		0);
	btt_magnet_release(&m);
	assert_int_equal(
		parse_built(build("so=", "1-2", ",", BTT_MAGNET_MAX_SELECT),
			    &m),
		0);
	assert_int_equal(m.num_select, BTT_MAGNET_MAX_SELECT);
	btt_magnet_release(&m);
	assert_int_equal(
		parse_built(build("so=", "1-2", ",", BTT_MAGNET_MAX_SELECT + 1),
			    &m),
		BTT_ELIMIT);
}

static void test_magnet_write_roundtrip(void **state)
{
	static const char in[] =
		"magnet:?xt=urn:btmh:1220" IH2 "&dn=a%20b%2Bc&xt=urn:btih:" IH1
		"&tr=http://t/a?b=1&ws=http://w/%7E&x.pe=[::1]:5&x.pe=h:6"
		"&so=1,3-4";
	static const char want[] =
		"magnet:?xt=urn:btih:" IH1 "&xt=urn:btmh:1220" IH2
		"&dn=a%20b%2Bc&tr=http%3A%2F%2Ft%2Fa%3Fb%3D1"
		"&ws=http%3A%2F%2Fw%2F~&x.pe=%5B::1%5D:5&x.pe=h:6&so=1,3-4";
	struct btt_magnet m, m2;
	struct btt_wbuf w;
	(void)state;

	assert_int_equal(parse(&m, in, NULL), 0);
	btt_wbuf_init(&w, 4096);
	assert_int_equal(btt_magnet_write(&m, &w), 0);
	btt_wbuf_terminate(&w);
	assert_string_equal((char *)w.buf, want);
	assert_int_equal(parse(&m2, (char *)w.buf, NULL), 0);
	assert_memory_equal(m.ih_v1, m2.ih_v1, 20);
	assert_memory_equal(m.ih_v2, m2.ih_v2, 32);
	assert_string_equal(m.name, m2.name);
	assert_string_equal(m2.trackers[0], "http://t/a?b=1");
	assert_string_equal(m2.peers[0].host, "::1");
	assert_int_equal(m2.num_select, 2);
	btt_magnet_release(&m2);
	btt_magnet_release(&m);
	btt_wbuf_release(&w);

	/* A full wbuf reports the error. */
	assert_int_equal(parse(&m, in, NULL), 0);
	btt_wbuf_init(&w, 16);
	assert_int_equal(btt_magnet_write(&m, &w), BTT_ENOSPACE);
	btt_wbuf_release(&w);
	btt_magnet_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_magnet_full),
		cmocka_unit_test(test_magnet_hash_forms),
		cmocka_unit_test(test_magnet_rejects),
		cmocka_unit_test(test_magnet_reject_baselines),
		cmocka_unit_test(test_magnet_limits),
		cmocka_unit_test(test_magnet_count_limits),
		cmocka_unit_test(test_magnet_write_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
