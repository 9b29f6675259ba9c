/* Magnet URIs (BEP 9, 52, 53): parsing untrusted text into a
 * struct btt_magnet and writing one back.
 *
 * Invariants: every value is percent-decoded before use and never holds a
 * NUL byte; a parsed magnet has at least one info-hash, and all its lists
 * are within the BTT_MAGNET_* caps. On failure nothing is kept. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt/magnet.h"
#include "btt/err.h"
#include "core/codec.h"
#include "core/cur.h"
#include "core/limits.h"

struct mparse {
	struct btt_magnet *m;
	struct btt_metainfo_err *err;
	const char *uri;
};

static int fail(struct mparse *p, int code, const void *at, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));

static int fail(struct mparse *p, int code, const void *at, const char *fmt,
		...)
{
	va_list ap;

	if (!p->err)
		return code;
	p->err->code = code;
	p->err->off = at ? (int64_t)((const char *)at - p->uri) : -1;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return code;
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes v into a new NUL-terminated buffer of *out_len bytes. */
static int unescape(struct mparse *p, struct btt_cur v, char **out,
		    size_t *out_len)
{
	const uint8_t *s = btt_cur_data(&v);
	size_t n = btt_cur_len(&v), j = 0;
	char *r = malloc(n + 1);

	if (!r)
		abort(); /* bounded by BTT_MAGNET_MAX_LEN */
	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		if (s[i] != '%') {
			r[j++] = (char)s[i];
			continue;
		}
		if (n - i < 3 || (hi = hexval(s[i + 1])) < 0 ||
		    (lo = hexval(s[i + 2])) < 0) {
			free(r);
			return fail(p, BTT_EMALFORMED, s + i,
				    "bad percent escape");
		}
		if (hi == 0 && lo == 0) {
			free(r);
			return fail(p, BTT_EMALFORMED, s + i,
				    "%%00 in a value");
		}
		r[j++] = (char)(hi << 4 | lo);
		i += 2;
	}
	r[j] = 0;
	*out = r;
	*out_len = j;
	return 0;
}

/* `pre` is lower case; only ASCII letters of s are folded. */
static bool prefix_ci(const char *s, size_t n, const char *pre)
{
	size_t k = strlen(pre);
	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++) {
		char c =
			s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] | 0x20) : s[i];
		if (c != pre[i])
			return false;
	}
	return true;
}

/* xt=urn:btih:<40 hex | 32 base32> or urn:btmh:1220<64 hex>. Other URNs
 * (other networks' hashes) are ignored. */
static int parse_xt(struct mparse *p, const char *v, size_t n, const void *at)
{
	struct btt_magnet *m = p->m;
	uint8_t h[32];
	int rc;

	if (prefix_ci(v, n, "urn:btih:")) {
		v += 9, n -= 9;
		rc = n == 40   ? btt_hex_decode(v, n, h, 20)
		     : n == 32 ? btt_base32_decode(v, n, h, 20)
			       : BTT_EINVALID;
		if (rc)
			return fail(p, BTT_EMALFORMED, at,
				    "btih is not 40 hex or 32 base32 digits");
		if (m->has_v1 && memcmp(m->ih_v1, h, 20))
			return fail(p, BTT_EINVALID, at, "conflicting btih");
		memcpy(m->ih_v1, h, 20);
		m->has_v1 = true;
	} else if (prefix_ci(v, n, "urn:btmh:")) {
		v += 9, n -= 9;
		if (n < 4 || memcmp(v, "1220", 4))
			return fail(p, BTT_EUNSUPPORTED, at,
				    "btmh is not a sha2-256 multihash");
		if (btt_hex_decode(v + 4, n - 4, h, 32))
			return fail(p, BTT_EMALFORMED, at,
				    "btmh digest is not 64 hex digits");
		if (m->has_v2 && memcmp(m->ih_v2, h, 32))
			return fail(p, BTT_EINVALID, at, "conflicting btmh");
		memcpy(m->ih_v2, h, 32);
		m->has_v2 = true;
	}
	return 0;
}

/* Adds a tracker or web seed URL: non-empty, no control bytes, no
 * duplicates; anything else is skipped. */
static int add_url(struct mparse *p, char ***list, uint32_t *num, char **v,
		   size_t n, const void *at)
{
	if (!n || n > BTT_METAINFO_MAX_URL_LEN)
		return n ? fail(p, BTT_ELIMIT, at, "URL too long") : 0;
	for (size_t i = 0; i < n; i++)
		if ((uint8_t)(*v)[i] < 0x20 || (*v)[i] == 0x7f)
			return 0;
	for (uint32_t i = 0; i < *num; i++)
		if (!strcmp((*list)[i], *v))
			return 0;
	/* The parameter cap bounds the list. */
	*list = realloc(*list, (*num + 1) * sizeof(char *));
	if (!*list)
		abort();
	(*list)[(*num)++] = *v;
	*v = NULL;
	return 0;
}

static bool host_char(uint8_t c, bool v6)
{
	return (c >= '0' && c <= '9') ||
	       ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '-' ||
	       c == '.' || (v6 && c == ':');
}

/* x.pe=host:port or [v6]:port. */
static int parse_peer(struct mparse *p, const char *v, size_t n, const void *at)
{
	struct btt_magnet *m = p->m;
	struct btt_cur c, host = {0};
	bool v6 = n && v[0] == '[';
	uint64_t port;
	const char *colon = NULL;

	btt_cur_init(&c, v, n);
	if (v6) {
		btt_cur_skip(&c, 1);
		if (!btt_cur_get_until(&c, ']', &host) ||
		    !btt_cur_get_prefix(&c, ":"))
			return fail(p, BTT_EMALFORMED, at, "bad x.pe peer");
	} else {
		for (size_t i = 0; i < n; i++)
			if (v[i] == ':')
				colon = v + i;
		if (!colon)
			return fail(p, BTT_EMALFORMED, at, "bad x.pe peer");
		btt_cur_get_sub(&c, (size_t)(colon - v), &host);
		btt_cur_skip(&c, 1);
	}
	if (!btt_cur_get_dec(&c, 5, 65535, false, &port) || !port ||
	    btt_cur_len(&c) || !btt_cur_len(&host) || btt_cur_len(&host) > 255)
		return fail(p, BTT_EMALFORMED, at, "bad x.pe peer");
	for (size_t i = 0; i < btt_cur_len(&host); i++)
		if (!host_char(btt_cur_data(&host)[i], v6))
			return fail(p, BTT_EMALFORMED, at, "bad x.pe host");
	if (m->num_peers >= BTT_MAGNET_MAX_PEERS)
		return fail(p, BTT_ELIMIT, at, "more than %u x.pe peers",
			    BTT_MAGNET_MAX_PEERS);
	m->peers = realloc(m->peers, (m->num_peers + 1) * sizeof(*m->peers));
	if (!m->peers)
		abort();
	m->peers[m->num_peers].host = malloc(btt_cur_len(&host) + 1);
	if (!m->peers[m->num_peers].host)
		abort();
	memcpy(m->peers[m->num_peers].host, btt_cur_data(&host),
	       btt_cur_len(&host));
	m->peers[m->num_peers].host[btt_cur_len(&host)] = 0;
	m->peers[m->num_peers++].port = (uint16_t)port;
	return 0;
}

/* BEP 53: so=0,2,4-6. Indices fit the file cap. */
static int parse_select(struct mparse *p, const char *v, size_t n,
			const void *at)
{
	struct btt_magnet *m = p->m;
	struct btt_cur c, item;
	uint64_t a, b;

	btt_cur_init(&c, v, n);
	while (btt_cur_len(&c)) {
		if (!btt_cur_get_until(&c, ',', &item))
			btt_cur_get_sub(&c, btt_cur_len(&c), &item);
		if (!btt_cur_get_dec(&item, 10, BTT_METAINFO_MAX_FILES - 1,
				     false, &a))
			return fail(p, BTT_EMALFORMED, at, "bad so= index");
		b = a;
		if (btt_cur_get_prefix(&item, "-") &&
		    (!btt_cur_get_dec(&item, 10, BTT_METAINFO_MAX_FILES - 1,
				      false, &b) ||
		     b < a))
			return fail(p, BTT_EMALFORMED, at, "bad so= range");
		if (btt_cur_len(&item))
			return fail(p, BTT_EMALFORMED, at, "bad so= item");
		if (m->num_select >= BTT_MAGNET_MAX_SELECT)
			return fail(p, BTT_ELIMIT, at,
				    "more than %u so= ranges",
				    BTT_MAGNET_MAX_SELECT);
		m->select = realloc(m->select,
				    (m->num_select + 1) * sizeof(*m->select));
		if (!m->select)
			abort();
		m->select[m->num_select++] =
			(struct btt_magnet_range){(uint32_t)a, (uint32_t)b};
	}
	return 0;
}

static bool key_is(struct btt_cur k, const char *name)
{
	/* "xt.1", "tr.2": numbered variants from the magnet draft. */
	size_t n = strlen(name);
	return btt_cur_eq_str(&k, name) ||
	       (btt_cur_len(&k) > n + 1 && !memcmp(btt_cur_data(&k), name, n) &&
		btt_cur_data(&k)[n] == '.' && btt_cur_data(&k)[n + 1] >= '0' &&
		btt_cur_data(&k)[n + 1] <= '9');
}

static int parse_param(struct mparse *p, struct btt_cur param)
{
	struct btt_magnet *m = p->m;
	struct btt_cur key;
	const void *at;
	char *v = NULL;
	size_t n = 0;
	int rc;

	if (!btt_cur_get_until(&param, '=', &key))
		return 0; /* a bare word carries nothing we use */
	at = btt_cur_data(&param);
	if ((rc = unescape(p, param, &v, &n)) != 0)
		return rc;
	if (key_is(key, "xt"))
		rc = parse_xt(p, v, n, at);
	else if (btt_cur_eq_str(&key, "dn") && !m->name)
		m->name = v, v = NULL;
	else if (key_is(key, "tr"))
		rc = add_url(p, &m->trackers, &m->num_trackers, &v, n, at);
	else if (key_is(key, "ws"))
		rc = add_url(p, &m->webseeds, &m->num_webseeds, &v, n, at);
	else if (btt_cur_eq_str(&key, "x.pe"))
		rc = parse_peer(p, v, n, at);
	else if (btt_cur_eq_str(&key, "so"))
		rc = parse_select(p, v, n, at);
	free(v);
	return rc;
}

int btt_magnet_parse(struct btt_magnet *m, const char *uri, size_t len,
		     struct btt_metainfo_err *err)
{
	struct mparse p = {m, err, uri};
	struct btt_cur c, param;
	unsigned params = 0;
	int rc = 0;

	memset(m, 0, sizeof(*m));
	if (err)
		memset(err, 0, sizeof(*err));
	if (len > BTT_MAGNET_MAX_LEN)
		return fail(&p, BTT_ELIMIT, NULL,
			    "magnet link longer than %u bytes",
			    BTT_MAGNET_MAX_LEN);
	if (!prefix_ci(uri, len, "magnet:?"))
		return fail(&p, BTT_EUNSUPPORTED, uri, "not a magnet link");
	btt_cur_init(&c, uri + 8, len - 8);
	while (rc == 0 && btt_cur_len(&c)) {
		if (!btt_cur_get_until(&c, '&', &param))
			btt_cur_get_sub(&c, btt_cur_len(&c), &param);
		if (!btt_cur_len(&param))
			continue;
		if (++params > BTT_MAGNET_MAX_PARAMS)
			rc = fail(&p, BTT_ELIMIT, btt_cur_data(&param),
				  "more than %u parameters",
				  BTT_MAGNET_MAX_PARAMS);
		else
			rc = parse_param(&p, param);
	}
	if (rc == 0 && !m->has_v1 && !m->has_v2)
		rc = fail(&p, BTT_EMISSING, NULL,
			  "no xt=urn:btih or xt=urn:btmh info-hash");
	if (rc)
		btt_magnet_release(m);
	return rc;
}

void btt_magnet_release(struct btt_magnet *m)
{
	free(m->name);
	for (uint32_t i = 0; i < m->num_trackers; i++)
		free(m->trackers[i]);
	free(m->trackers);
	for (uint32_t i = 0; i < m->num_webseeds; i++)
		free(m->webseeds[i]);
	free(m->webseeds);
	for (uint32_t i = 0; i < m->num_peers; i++)
		free(m->peers[i].host);
	free(m->peers);
	free(m->select);
	memset(m, 0, sizeof(*m));
}

bool btt_magnet_selects(const struct btt_magnet *m, uint32_t i)
{
	if (!m->num_select)
		return true;
	for (uint32_t k = 0; k < m->num_select; k++)
		if (i >= m->select[k].first && i <= m->select[k].last)
			return true;
	return false;
}

void btt_magnet_put_escaped(struct btt_wbuf *out, const void *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const uint8_t *s = p;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];
		if ((c >= '0' && c <= '9') ||
		    ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '-' ||
		    c == '.' || c == '_' || c == '~') {
			btt_wbuf_put_u8(out, c);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			btt_wbuf_put(out, e, 3);
		}
	}
}

static void put_param(struct btt_wbuf *out, bool *first, const char *key)
{
	btt_wbuf_put_str(out, *first ? "magnet:?" : "&");
	btt_wbuf_put_str(out, key);
	btt_wbuf_put_u8(out, '=');
	*first = false;
}

int btt_magnet_write(const struct btt_magnet *m, struct btt_wbuf *out)
{
	char hex[65];
	bool first = true;

	if (m->has_v1) {
		put_param(out, &first, "xt");
		btt_wbuf_printf(out, "urn:btih:%s",
				btt_hex_encode(m->ih_v1, 20, hex));
	}
	if (m->has_v2) {
		put_param(out, &first, "xt");
		btt_wbuf_printf(out, "urn:btmh:1220%s",
				btt_hex_encode(m->ih_v2, 32, hex));
	}
	if (m->name) {
		put_param(out, &first, "dn");
		btt_magnet_put_escaped(out, m->name, strlen(m->name));
	}
	for (uint32_t i = 0; i < m->num_trackers; i++) {
		put_param(out, &first, "tr");
		btt_magnet_put_escaped(out, m->trackers[i],
				       strlen(m->trackers[i]));
	}
	for (uint32_t i = 0; i < m->num_webseeds; i++) {
		put_param(out, &first, "ws");
		btt_magnet_put_escaped(out, m->webseeds[i],
				       strlen(m->webseeds[i]));
	}
	for (uint32_t i = 0; i < m->num_peers; i++) {
		bool v6 = strchr(m->peers[i].host, ':') != NULL;
		put_param(out, &first, "x.pe");
		if (v6)
			btt_wbuf_printf(out, "%%5B%s%%5D:%u", m->peers[i].host,
					m->peers[i].port);
		else
			btt_wbuf_printf(out, "%s:%u", m->peers[i].host,
					m->peers[i].port);
	}
	for (uint32_t i = 0; i < m->num_select; i++) {
		const struct btt_magnet_range *r = &m->select[i];
		if (i == 0)
			put_param(out, &first, "so");
		btt_wbuf_printf(out, "%s%u", i ? "," : "", r->first);
		if (r->last != r->first)
			btt_wbuf_printf(out, "-%u", r->last);
	}
	return btt_wbuf_err(out);
}
