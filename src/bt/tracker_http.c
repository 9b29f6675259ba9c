/* HTTP tracker protocol (BEP 3, 7, 23, 24, 48): announce and scrape URLs
 * out, bencoded response bodies in.
 *
 * Bodies are untrusted: they are decoded with the canonical-only bencode
 * decoder under the BTT_TRACKER_* caps, a key we use with the wrong type
 * rejects the whole body, and peers go through the bounded peer set.
 * Nothing here performs I/O. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bencode/bencode_int.h"
#include "bt/tracker.h"
#include "btt/err.h"
#include "core/cur.h"
#include "core/wbuf.h"

static const struct btt_bdec_limits tracker_limits = {
	.max_depth = BTT_TRACKER_MAX_DEPTH,
	.max_items = BTT_TRACKER_MAX_ITEMS,
};

/* The usable part of a tracker URL: http(s), printable ASCII without
 * spaces, cut before any '#'. */
static int base_url(const char *url, size_t *out_len)
{
	size_t n = 0;

	if (btt_tracker_url_kind(url) != BTT_TRACKER_HTTP)
		return BTT_EINVALID;
	while (url[n] && url[n] != '#') {
		unsigned char ch = (unsigned char)url[n];
		if (ch < 0x21 || ch > 0x7e || n >= BTT_METAINFO_MAX_URL_LEN)
			return BTT_EINVALID;
		n++;
	}
	*out_len = n;
	return 0;
}

static bool unreserved(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

static void put_escaped(struct btt_wbuf *w, const void *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const uint8_t *s = p;

	for (size_t i = 0; i < n; i++) {
		if (unreserved(s[i])) {
			btt_wbuf_put_u8(w, s[i]);
		} else {
			uint8_t e[3] = {'%', (uint8_t)hex[s[i] >> 4],
					(uint8_t)hex[s[i] & 15]};
			btt_wbuf_put(w, e, 3);
		}
	}
}

/* Appends the base URL and the separator before the first parameter. */
static void put_base(struct btt_wbuf *w, const char *url, size_t len)
{
	const char *q = memchr(url, '?', len);

	btt_wbuf_put(w, url, len);
	if (!q)
		btt_wbuf_put_u8(w, '?');
	else if (url[len - 1] != '?' && url[len - 1] != '&')
		btt_wbuf_put_u8(w, '&');
}

/* Terminates w and hands its bytes over as a C string. */
static int finish_url(struct btt_wbuf *w, char **out_url)
{
	size_t len;
	int rc;

	btt_wbuf_terminate(w);
	rc = btt_wbuf_err(w);
	if (rc) {
		btt_wbuf_release(w);
		return rc == BTT_ENOSPACE ? BTT_ELIMIT : rc;
	}
	*out_url = (char *)btt_wbuf_detach(w, &len);
	return 0;
}

int btt_tracker_http_announce_url(const char *tracker_url,
				  const struct btt_tracker_params *p,
				  char **out_url)
{
	struct btt_wbuf w;
	size_t len;
	int rc;

	*out_url = NULL;
	rc = base_url(tracker_url, &len);
	if (rc)
		return rc;
	/* An IPv6 endpoint is at most "[" 45 "]:" 5 characters. */
	if (p->event < BTT_EVENT_NONE || p->event > BTT_EVENT_STOPPED ||
	    (p->ipv6 && strnlen(p->ipv6, 64) == 64))
		return BTT_EINVALID;
	btt_wbuf_init(&w, BTT_TRACKER_MAX_URL + 1);
	put_base(&w, tracker_url, len);
	btt_wbuf_put_str(&w, "info_hash=");
	put_escaped(&w, p->info_hash, 20);
	btt_wbuf_put_str(&w, "&peer_id=");
	put_escaped(&w, p->peer_id, 20);
	btt_wbuf_printf(&w,
			"&port=%u&uploaded=%" PRIu64 "&downloaded=%" PRIu64
			"&left=%" PRIu64 "&compact=1",
			(unsigned)p->port, p->uploaded, p->downloaded, p->left);
	if (p->no_peer_id)
		btt_wbuf_put_str(&w, "&no_peer_id=1");
	if (p->event != BTT_EVENT_NONE)
		btt_wbuf_printf(&w, "&event=%s",
				btt_tracker_event_name(p->event));
	if (p->numwant >= 0)
		btt_wbuf_printf(&w, "&numwant=%" PRId32, p->numwant);
	btt_wbuf_printf(&w, "&key=%08" PRIX32, p->key);
	if (p->tracker_id && p->tracker_id_len) {
		btt_wbuf_put_str(&w, "&trackerid=");
		put_escaped(&w, p->tracker_id, p->tracker_id_len);
	}
	if (p->ipv6) {
		btt_wbuf_put_str(&w, "&ipv6=");
		put_escaped(&w, p->ipv6, strlen(p->ipv6));
	}
	return finish_url(&w, out_url);
}

int btt_tracker_http_scrape_url(const char *tracker_url,
				const struct btt_tracker_scrape *s,
				char **out_url)
{
	struct btt_wbuf w;
	const char *q, *slash, *end, *path;
	size_t len;
	int rc;

	*out_url = NULL;
	rc = base_url(tracker_url, &len);
	if (rc)
		return rc;
	if (s->n == 0 || s->n > BTT_TRACKER_MAX_SCRAPE)
		return BTT_EINVALID;
	q = memchr(tracker_url, '?', len);
	end = q ? q : tracker_url + len;
	/* The path starts at the first '/' after "scheme://"; its last '/'
	 * begins the last component. */
	path = strstr(tracker_url, "://") + 3;
	while (path < end && *path != '/')
		path++;
	slash = end;
	while (slash > path && slash[-1] != '/')
		slash--;
	if (slash == path || (size_t)(end - slash) < 8 ||
	    memcmp(slash, "announce", 8) != 0)
		return BTT_EUNSUPPORTED;
	btt_wbuf_init(&w, BTT_TRACKER_MAX_URL + 1);
	btt_wbuf_put(&w, tracker_url, (size_t)(slash - tracker_url));
	btt_wbuf_put_str(&w, "scrape");
	btt_wbuf_put(&w, slash + 8, len - (size_t)(slash + 8 - tracker_url));
	if (!q)
		btt_wbuf_put_u8(&w, '?');
	else if (tracker_url[len - 1] != '?' && tracker_url[len - 1] != '&')
		btt_wbuf_put_u8(&w, '&');
	for (uint32_t i = 0; i < s->n; i++) {
		btt_wbuf_put_str(&w, i ? "&info_hash=" : "info_hash=");
		put_escaped(&w, s->e[i].info_hash, 20);
	}
	return finish_url(&w, out_url);
}

/* Looks up an integer: 1 present, 0 absent, BTT_ETYPE wrong type. */
static int get_int(const struct btt_bdoc *d, uint32_t dict, const char *key,
		   int64_t *out)
{
	uint32_t v = btt_bnode_get(d, dict, key);

	if (v == BTT_BNONE)
		return 0;
	return btt_bnode_int(d, v, out) ? 1 : BTT_ETYPE;
}

static int get_str(const struct btt_bdoc *d, uint32_t dict, const char *key,
		   struct btt_cur *out)
{
	uint32_t v = btt_bnode_get(d, dict, key);

	if (v == BTT_BNONE)
		return 0;
	return btt_bnode_str(d, v, out) ? 1 : BTT_ETYPE;
}

static uint32_t clamp_u32(int64_t v)
{
	if (v <= 0)
		return 0;
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* A dotted IPv4 address: four decimal octets, no leading zeros. */
static bool parse_ipv4(struct btt_cur c, uint8_t out[4])
{
	uint64_t v;

	for (int i = 0; i < 4; i++) {
		if (i && !btt_cur_get_prefix(&c, "."))
			return false;
		if (!btt_cur_get_dec(&c, 3, 255, false, &v))
			return false;
		out[i] = (uint8_t)v;
	}
	return btt_cur_len(&c) == 0;
}

/* A textual IPv6 address, optionally in brackets. inet_pton needs a C
 * string, so the bytes are checked and copied into a bounded buffer. */
static bool parse_ipv6(struct btt_cur c, uint8_t out[16])
{
	char buf[64];
	size_t n = btt_cur_len(&c);
	const uint8_t *p = btt_cur_data(&c);

	if (n >= 2 && p[0] == '[' && p[n - 1] == ']') {
		p++;
		n -= 2;
	}
	if (n == 0 || n > 45)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t ch = p[i];
		if (!(ch == ':' || ch == '.' || (ch >= '0' && ch <= '9') ||
		      (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F')))
			return false;
	}
	memcpy(buf, p, n);
	buf[n] = 0;
	return inet_pton(AF_INET6, buf, out) == 1;
}

/* One entry of a dict-style peer list; bad entries are dropped. */
static int add_dict_peer(struct btt_tracker_peerset *set,
			 const struct btt_bdoc *d, uint32_t e)
{
	struct btt_cur ip, id;
	uint8_t addr[16];
	size_t alen;
	int64_t port;
	const uint8_t *idp = NULL;

	if (btt_bnode_type(d, e) != BTT_BDICT ||
	    !btt_bnode_get_str(d, e, "ip", &ip) ||
	    !btt_bnode_get_int(d, e, "port", &port) || port <= 0 ||
	    port > 65535) {
		set->dropped++;
		return 0;
	}
	if (parse_ipv4(ip, addr)) {
		alen = 4;
	} else if (parse_ipv6(ip, addr)) {
		alen = 16;
	} else {
		/* Host names would need a resolver; trackers that send
		 * them are rare and we cannot resolve here. */
		set->dropped++;
		return 0;
	}
	if (btt_bnode_get_str(d, e, "peer id", &id) && btt_cur_len(&id) == 20)
		idp = btt_cur_data(&id);
	return btt_tracker_peerset_add(set, addr, alen, (uint16_t)port, idp);
}

static int parse_peers(struct btt_tracker_result *r, const struct btt_bdoc *d,
		       struct btt_tracker_peerset *set)
{
	uint32_t v = btt_bnode_get(d, 0, "peers");
	struct btt_cur c;
	int rc = 0, has6;

	if (v != BTT_BNONE && btt_bnode_str(d, v, &c)) {
		if (btt_cur_len(&c) % 6)
			return btt_tracker_result_fail(
				r, BTT_EMALFORMED,
				"peers string of %zu bytes is not a multiple "
				"of 6",
				btt_cur_len(&c));
		rc = btt_tracker_peerset_add_compact(set, btt_cur_data(&c),
						     btt_cur_len(&c), 6);
	} else if (v != BTT_BNONE && btt_bnode_type(d, v) == BTT_BLIST) {
		for (uint32_t e = btt_bnode_first(d, v);
		     e != BTT_BNONE && !rc && !set->truncated;
		     e = btt_bnode_next(d, v, e))
			rc = add_dict_peer(set, d, e);
	} else if (v != BTT_BNONE) {
		return btt_tracker_result_fail(r, BTT_ETYPE,
					       "peers is neither a string nor "
					       "a list");
	}
	if (rc)
		return btt_tracker_result_fail(r, rc, "out of memory");
	has6 = get_str(d, 0, "peers6", &c);
	if (has6 < 0)
		return btt_tracker_result_fail(r, BTT_ETYPE,
					       "peers6 is not a string");
	if (has6) {
		if (btt_cur_len(&c) % 18)
			return btt_tracker_result_fail(
				r, BTT_EMALFORMED,
				"peers6 string of %zu bytes is not a multiple "
				"of 18",
				btt_cur_len(&c));
		rc = btt_tracker_peerset_add_compact(set, btt_cur_data(&c),
						     btt_cur_len(&c), 18);
		if (rc)
			return btt_tracker_result_fail(r, rc, "out of memory");
	}
	return 0;
}

struct int_field {
	const char *key;
	bool count; /* int64_t, -1 when negative; else uint32_t seconds */
	size_t off;
};

static const struct int_field int_fields[] = {
	{"complete", true, offsetof(struct btt_tracker_result, complete)},
	{"downloaded", true, offsetof(struct btt_tracker_result, downloaded)},
	{"incomplete", true, offsetof(struct btt_tracker_result, incomplete)},
	{"interval", false, offsetof(struct btt_tracker_result, interval)},
	{"min interval", false,
	 offsetof(struct btt_tracker_result, min_interval)},
};

static int parse_fields(struct btt_tracker_result *r, const struct btt_bdoc *d)
{
	struct btt_cur c;
	int64_t v;
	int rc;

	for (size_t i = 0; i < sizeof(int_fields) / sizeof(int_fields[0]);
	     i++) {
		const struct int_field *f = &int_fields[i];
		char *dst = (char *)r + f->off;
		rc = get_int(d, 0, f->key, &v);
		if (rc < 0)
			return btt_tracker_result_fail(
				r, rc, "'%s' is not an integer", f->key);
		if (rc && f->count)
			*(int64_t *)(void *)dst = v < 0 ? -1 : v;
		else if (rc)
			*(uint32_t *)(void *)dst = clamp_u32(v);
	}
	rc = get_str(d, 0, "warning message", &c);
	if (rc > 0)
		btt_tracker_msg_set(r->warning, btt_cur_data(&c),
				    btt_cur_len(&c));
	if (rc >= 0)
		rc = get_str(d, 0, "tracker id", &c);
	/* A longer id than we are willing to echo is ignored. */
	if (rc > 0 && btt_cur_len(&c) <= BTT_TRACKER_MAX_ID) {
		r->tracker_id_len = (uint32_t)btt_cur_len(&c);
		btt_cur_copy(&c, r->tracker_id, r->tracker_id_len);
	}
	if (rc >= 0)
		rc = get_str(d, 0, "external ip", &c);
	/* BEP 24 is advisory: an address of another length is ignored. */
	if (rc > 0 && (btt_cur_len(&c) == 4 || btt_cur_len(&c) == 16)) {
		r->external_ip_len = (uint8_t)btt_cur_len(&c);
		btt_cur_copy(&c, r->external_ip, r->external_ip_len);
	}
	if (rc < 0)
		return btt_tracker_result_fail(r, rc,
					       "a text field is not a string");
	return 0;
}

/* Decodes a body and checks the root is a dict; on failure writes the
 * reason to msg (BTT_TRACKER_MSG_SIZE bytes). */
static int decode_body(struct btt_bdoc *doc, const void *body, size_t len,
		       char *msg)
{
	int rc;

	memset(doc, 0, sizeof(*doc));
	if (len > BTT_TRACKER_MAX_RESPONSE) {
		snprintf(msg, BTT_TRACKER_MSG_SIZE,
			 "response of %zu bytes is over the %u-byte limit", len,
			 BTT_TRACKER_MAX_RESPONSE);
		return BTT_ELIMIT;
	}
	rc = btt_bdecode(doc, body, len, &tracker_limits);
	if (rc) {
		snprintf(msg, BTT_TRACKER_MSG_SIZE,
			 "bad bencode at byte %zu: %s", doc->err_off, doc->msg);
		return rc;
	}
	if (btt_bnode_type(doc, 0) != BTT_BDICT) {
		snprintf(msg, BTT_TRACKER_MSG_SIZE,
			 "response is not a dictionary");
		btt_bdoc_release(doc);
		return BTT_ETYPE;
	}
	return 0;
}

/* `failure reason`: 1 present (err and message set), 0 absent, < 0. */
static int failure_reason(const struct btt_bdoc *d, int *err, char *msg)
{
	struct btt_cur c;
	int rc = get_str(d, 0, "failure reason", &c);

	if (rc < 0) {
		snprintf(msg, BTT_TRACKER_MSG_SIZE,
			 "'failure reason' is not a string");
		*err = rc;
	} else if (rc) {
		btt_tracker_reason_set(msg, btt_cur_data(&c), btt_cur_len(&c));
		*err = BTT_ETRACKER;
	}
	return rc;
}

int btt_tracker_http_parse(const void *body, size_t len,
			   struct btt_tracker_result *r)
{
	struct btt_tracker_peerset set;
	struct btt_bdoc doc;
	int rc;

	btt_tracker_result_init(r);
	rc = decode_body(&doc, body, len, r->message);
	if (rc)
		return r->err = rc;
	if (failure_reason(&doc, &r->err, r->message)) {
		btt_bdoc_release(&doc);
		return r->err;
	}
	btt_tracker_peerset_init(&set);
	rc = parse_fields(r, &doc);
	if (!rc)
		rc = parse_peers(r, &doc, &set);
	if (!rc)
		btt_tracker_peerset_take(&set, r);
	btt_tracker_peerset_release(&set);
	btt_bdoc_release(&doc);
	return rc;
}

static struct btt_tracker_scrape_entry *find_entry(struct btt_tracker_scrape *s,
						   struct btt_cur key)
{
	uint32_t lo = 0, hi = s->n;

	if (btt_cur_len(&key) != 20)
		return NULL;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = memcmp(s->e[mid].info_hash, btt_cur_data(&key), 20);
		if (c == 0)
			return &s->e[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int scrape_entry(struct btt_tracker_scrape *s, const struct btt_bdoc *d,
			uint32_t k, uint32_t v)
{
	static const char *const keys[3] = {"complete", "downloaded",
					    "incomplete"};
	struct btt_tracker_scrape_entry *e;
	struct btt_cur key;
	int64_t n[3];

	if (btt_bnode_type(d, v) != BTT_BDICT) {
		snprintf(s->message, sizeof(s->message),
			 "a files entry is not a dictionary");
		return BTT_ETYPE;
	}
	for (int i = 0; i < 3; i++) {
		int rc = get_int(d, v, keys[i], &n[i]);
		if (rc < 0) {
			snprintf(s->message, sizeof(s->message),
				 "'%s' is not an integer", keys[i]);
			return rc;
		}
		if (!rc || n[i] < 0)
			n[i] = -1;
	}
	btt_bnode_str(d, k, &key);
	e = find_entry(s, key);
	if (e) {
		e->found = true;
		e->complete = n[0];
		e->downloaded = n[1];
		e->incomplete = n[2];
	}
	return 0;
}

static int scrape_files(struct btt_tracker_scrape *s, const struct btt_bdoc *d)
{
	uint32_t files = btt_bnode_get(d, 0, "files"), flags;
	int64_t v;
	int rc = 0;

	if (files != BTT_BNONE && btt_bnode_type(d, files) != BTT_BDICT) {
		snprintf(s->message, sizeof(s->message),
			 "'files' is not a dictionary");
		return BTT_ETYPE;
	}
	for (uint32_t k = btt_bnode_first(d, files); k != BTT_BNONE && !rc;
	     k = btt_bnode_next(d, files, btt_bnode_next(d, files, k)))
		rc = scrape_entry(s, d, k, btt_bnode_next(d, files, k));
	flags = btt_bnode_get(d, 0, "flags");
	if (!rc && flags != BTT_BNONE &&
	    btt_bnode_get_int(d, flags, "min_request_interval", &v))
		s->min_request_interval = clamp_u32(v);
	return rc;
}

int btt_tracker_http_scrape_parse(const void *body, size_t len,
				  struct btt_tracker_scrape *s)
{
	struct btt_bdoc doc;
	int rc;

	btt_tracker_scrape_reset(s);
	rc = decode_body(&doc, body, len, s->message);
	if (rc)
		return s->err = rc;
	if (!failure_reason(&doc, &s->err, s->message))
		s->err = scrape_files(s, &doc);
	btt_bdoc_release(&doc);
	if (s->err) {
		/* No half-parsed counts: keep only why it failed. */
		int err = s->err;
		char msg[BTT_TRACKER_MSG_SIZE];
		memcpy(msg, s->message, sizeof(msg));
		btt_tracker_scrape_reset(s);
		s->err = err;
		memcpy(s->message, msg, sizeof(msg));
	}
	return s->err;
}
