/* Magnet links: BEP 9 (xt=urn:btih), BEP 52 (xt=urn:btmh, v2 and hybrid)
 * and BEP 53 (so= file selection); also dn, tr, ws and x.pe.
 *
 * Parsing takes the whole URI as untrusted bytes. Values are
 * percent-decoded ('+' is kept as is: BEP 9 values are URIs, not form
 * data); %00 and malformed escapes are rejected, unknown parameters are
 * ignored, and every count is capped (BTT_MAGNET_* in core/limits.h).
 * Decoded strings are owned NUL-terminated copies. */
#ifndef BTT_BT_MAGNET_H
#define BTT_BT_MAGNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bt/metainfo.h"
#include "core/wbuf.h"

/* A peer from x.pe: host is an IPv4 literal, an IPv6 literal without
 * brackets, or a host name; port is never 0. */
struct btt_magnet_peer {
	char *host;
	uint16_t port;
};

/* A BEP 53 range of file indices, first <= last. */
struct btt_magnet_range {
	uint32_t first, last;
};

struct btt_magnet {
	bool has_v1, has_v2; /* at least one is true after a parse */
	uint8_t ih_v1[20];
	uint8_t ih_v2[32];
	char *name; /* dn, or NULL; untrusted text (escape before printing) */
	char **trackers; /* tr, in order, duplicates dropped */
	uint32_t num_trackers;
	char **webseeds; /* ws */
	uint32_t num_webseeds;
	struct btt_magnet_peer *peers; /* x.pe */
	uint32_t num_peers;
	struct btt_magnet_range *select; /* so, in the order given */
	uint32_t num_select;
};

/* Parses uri[0..len). Returns 0, or a negative error (BTT_EMALFORMED,
 * BTT_EMISSING: no xt, BTT_EINVALID: conflicting xt, BTT_ELIMIT,
 * BTT_EUNSUPPORTED: not a magnet or an unknown hash type) with *err filled
 * in (off = offset in uri, or -1); err may be NULL. On failure m is left
 * empty. m need not be initialised. */
int btt_magnet_parse(struct btt_magnet *m, const char *uri, size_t len,
		     struct btt_metainfo_err *err);

/* Frees everything m owns and zeroes it; a zeroed m is a no-op. */
void btt_magnet_release(struct btt_magnet *m);

/* True when file index i is selected by m's so= ranges (or there are
 * none). */
bool btt_magnet_selects(const struct btt_magnet *m, uint32_t i);

/* Appends m as a magnet URI: xt (btih hex, then btmh), dn, tr, ws, x.pe,
 * so, values percent-encoded. Returns btt_wbuf_err(out). */
int btt_magnet_write(const struct btt_magnet *m, struct btt_wbuf *out);

/* Percent-encodes p[0..n) for a URI query value: unreserved characters
 * (RFC 3986) stay, everything else becomes %XX. */
void btt_magnet_put_escaped(struct btt_wbuf *out, const void *p, size_t n);

#endif
