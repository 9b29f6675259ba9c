/* What the tracker protocols share: results, escaped messages, the peer
 * set that keeps a reply's peers distinct and bounded, scrape requests.
 *
 * Invariants: a result's peers are distinct by (address, port), never
 * have port 0 and number at most BTT_TRACKER_MAX_PEERS; a scrape's
 * entries are sorted by info-hash without duplicates. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bt/tracker.h"
#include "btt/err.h"
#include "core/log.h"

const char *btt_tracker_event_name(int event)
{
	switch (event) {
	case BTT_EVENT_COMPLETED: return "completed";
	case BTT_EVENT_STARTED: return "started";
	case BTT_EVENT_STOPPED: return "stopped";
	default: return "";
	}
}

int btt_tracker_url_kind(const char *url)
{
	if (!strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8))
		return BTT_TRACKER_HTTP;
	if (!strncasecmp(url, "udp://", 6))
		return BTT_TRACKER_UDP;
	return BTT_TRACKER_UNSUPPORTED;
}

void btt_tracker_result_init(struct btt_tracker_result *r)
{
	memset(r, 0, sizeof(*r));
	r->complete = -1;
	r->incomplete = -1;
	r->downloaded = -1;
}

void btt_tracker_result_release(struct btt_tracker_result *r)
{
	free(r->peers);
	btt_tracker_result_init(r);
}

void btt_tracker_result_move(struct btt_tracker_result *dst,
			     struct btt_tracker_result *src)
{
	if (dst == src)
		return;
	free(dst->peers);
	*dst = *src;
	btt_tracker_result_init(src);
}

int btt_tracker_result_fail(struct btt_tracker_result *r, int err,
			    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
	r->err = err;
	return err;
}

void btt_tracker_msg_set(char *dst, const void *p, size_t len)
{
	size_t n =
		len > BTT_TRACKER_MAX_MESSAGE ? BTT_TRACKER_MAX_MESSAGE : len;
	size_t o;

	/* 4 bytes per escaped input byte always fit, so nothing is cut by
	 * the escaper itself; the cut at the cap is marked here. */
	btt_log_escape(p, n, dst, BTT_TRACKER_MSG_SIZE);
	if (n < len) {
		o = strlen(dst);
		memcpy(dst + o, "...", 4);
	}
}

void btt_tracker_reason_set(char *dst, const void *p, size_t len)
{
	if (len)
		btt_tracker_msg_set(dst, p, len);
	else
		snprintf(dst, BTT_TRACKER_MSG_SIZE,
			 "tracker refused the request without a reason");
}

void btt_tracker_peerset_init(struct btt_tracker_peerset *s)
{
	memset(s, 0, sizeof(*s));
	btt_vec_init(&s->peers, sizeof(struct btt_tracker_peer));
	btt_hmap_init(&s->seen, 18);
}

void btt_tracker_peerset_release(struct btt_tracker_peerset *s)
{
	btt_vec_release(&s->peers);
	btt_hmap_release(&s->seen);
	s->dropped = 0;
	s->truncated = false;
}

int btt_tracker_peerset_add(struct btt_tracker_peerset *s, const uint8_t *ip,
			    size_t ip_len, uint16_t port, const uint8_t *id)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
					   0, 0, 0, 0, 0xff, 0xff};
	struct btt_tracker_peer pe;
	uint8_t key[18];
	bool fresh;
	uint64_t *slot;

	memset(&pe, 0, sizeof(pe));
	if (ip_len == 16 && !memcmp(ip, mapped, 12)) {
		ip += 12;
		ip_len = 4;
	}
	if (port == 0 || (ip_len != 4 && ip_len != 16)) {
		s->dropped++;
		return 0;
	}
	memcpy(key, mapped, 12);
	memcpy(key + 16 - ip_len, ip, ip_len);
	key[16] = (uint8_t)(port >> 8);
	key[17] = (uint8_t)port;
	if (btt_hmap_get(&s->seen, key, NULL)) {
		s->dropped++;
		return 0;
	}
	if (btt_vec_len(&s->peers) >= BTT_TRACKER_MAX_PEERS) {
		s->truncated = true;
		return 0;
	}
	slot = btt_hmap_upsert(&s->seen, key, &fresh);
	if (!slot)
		return -ENOMEM;
	memcpy(pe.ip, ip, ip_len);
	pe.ip_len = (uint8_t)ip_len;
	pe.port = port;
	if (id) {
		pe.has_id = true;
		memcpy(pe.id, id, 20);
	}
	if (!btt_vec_push(&s->peers, &pe))
		return -ENOMEM;
	return 0;
}

int btt_tracker_peerset_add_compact(struct btt_tracker_peerset *s,
				    const uint8_t *p, size_t len, size_t stride)
{
	size_t ip_len = stride - 2;
	int rc;

	for (size_t i = 0; i + stride <= len; i += stride) {
		uint16_t port =
			(uint16_t)(p[i + ip_len] << 8 | p[i + ip_len + 1]);
		if (s->truncated)
			return 0;
		rc = btt_tracker_peerset_add(s, p + i, ip_len, port, NULL);
		if (rc)
			return rc;
	}
	if (len % stride)
		s->dropped++;
	return 0;
}

void btt_tracker_peerset_take(struct btt_tracker_peerset *s,
			      struct btt_tracker_result *r)
{
	free(r->peers);
	r->peers = s->peers.data;
	r->num_peers = (uint32_t)s->peers.len;
	r->dropped += s->dropped;
	r->truncated = r->truncated || s->truncated;
	s->peers.data = NULL;
	s->peers.len = 0;
	s->peers.cap = 0;
	btt_tracker_peerset_release(s);
}

void btt_tracker_scrape_init(struct btt_tracker_scrape *s)
{
	memset(s, 0, sizeof(*s));
}

void btt_tracker_scrape_reset(struct btt_tracker_scrape *s)
{
	s->err = 0;
	s->message[0] = 0;
	s->min_request_interval = 0;
	for (uint32_t i = 0; i < s->n; i++) {
		s->e[i].found = false;
		s->e[i].complete = -1;
		s->e[i].downloaded = -1;
		s->e[i].incomplete = -1;
	}
}

int btt_tracker_scrape_add(struct btt_tracker_scrape *s,
			   const uint8_t info_hash[20])
{
	uint32_t i = 0;
	int c = 1;

	while (i < s->n && (c = memcmp(s->e[i].info_hash, info_hash, 20)) < 0)
		i++;
	if (i < s->n && c == 0)
		return 0;
	if (s->n >= BTT_TRACKER_MAX_SCRAPE)
		return BTT_ELIMIT;
	memmove(&s->e[i + 1], &s->e[i], (s->n - i) * sizeof(s->e[0]));
	memset(&s->e[i], 0, sizeof(s->e[i]));
	memcpy(s->e[i].info_hash, info_hash, 20);
	s->e[i].complete = s->e[i].downloaded = s->e[i].incomplete = -1;
	s->n++;
	return 0;
}
