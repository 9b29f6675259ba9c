/* Tracker clients as sans-I/O protocol cores: the types every tracker
 * protocol shares (announce parameters, the parsed result, scrape
 * requests and results) and the helpers the HTTP and UDP cores use.
 *
 * Nothing here opens a socket or reads the clock. The HTTP core
 * (tracker_http.c) turns parameters into a URL and a response body into a
 * result; the UDP core (tracker_udp.c) is a state machine fed datagrams
 * and timer ticks; the scheduler (announce.h) decides which tracker to
 * announce to and when. The glue that moves bytes lives in src/io.
 *
 * Every result is bounded: at most BTT_TRACKER_MAX_PEERS distinct peers,
 * messages cut to BTT_TRACKER_MAX_MESSAGE bytes and escaped, so they can
 * be printed as they are. A zeroed result is valid and empty. */
#ifndef BTT_BT_TRACKER_H
#define BTT_BT_TRACKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hmap.h"
#include "core/limits.h"
#include "core/vec.h"

/* Events; the values are BEP 15's wire values. */
enum btt_tracker_event {
	BTT_EVENT_NONE = 0,
	BTT_EVENT_COMPLETED = 1,
	BTT_EVENT_STARTED = 2,
	BTT_EVENT_STOPPED = 3,
};

/* The text of an event ("started"), or "" for BTT_EVENT_NONE. */
const char *btt_tracker_event_name(int event);

enum btt_tracker_kind {
	BTT_TRACKER_UNSUPPORTED = 0,
	BTT_TRACKER_HTTP = 1, /* http:// and https:// */
	BTT_TRACKER_UDP = 2,  /* udp:// */
};

/* Classifies a tracker URL by its scheme (case-insensitive). */
int btt_tracker_url_kind(const char *url);

/* What one announce says about us. The caller fills every field. */
struct btt_tracker_params {
	uint8_t info_hash[20]; /* v2 torrents: the truncated SHA-256 */
	uint8_t peer_id[20];
	uint16_t port; /* our TCP listen port */
	uint64_t uploaded, downloaded;
	uint64_t left;	 /* 0 when seeding */
	int event;	 /* enum btt_tracker_event */
	int32_t numwant; /* < 0: the tracker's default (HTTP omits it) */
	uint32_t key;	 /* per torrent, stable across announces */
	/* HTTP only: the `tracker id` the tracker gave before (borrowed,
	 * may be NULL), the BEP 7 `ipv6=` value (text, may be NULL) and
	 * `no_peer_id=1`. */
	const uint8_t *tracker_id;
	size_t tracker_id_len;
	const char *ipv6;
	bool no_peer_id;
};

/* A peer from a tracker. ip holds ip_len (4 or 16) bytes in network
 * order; IPv4-mapped IPv6 addresses are stored as IPv4. port is never 0. */
struct btt_tracker_peer {
	uint8_t ip[16];
	uint8_t ip_len;
	bool has_id; /* dict-style lists carry a peer id */
	uint16_t port;
	uint8_t id[20];
};

/* Escaped text of up to BTT_TRACKER_MAX_MESSAGE bytes, "..." if cut. */
#define BTT_TRACKER_MSG_SIZE (4 * BTT_TRACKER_MAX_MESSAGE + 4)

/* The outcome of one announce, from either protocol. */
struct btt_tracker_result {
	/* 0, BTT_ETRACKER (the tracker refused: message is its failure
	 * reason or UDP error text), a parse error (BTT_EMALFORMED,
	 * BTT_ETYPE, BTT_ENONCANONICAL, BTT_ETRUNCATED, BTT_ELIMIT, ...),
	 * -ETIMEDOUT (UDP gave up) or -ENOMEM. */
	int err;
	char message[BTT_TRACKER_MSG_SIZE]; /* why err; "" on success */
	char warning[BTT_TRACKER_MSG_SIZE]; /* `warning message`, or "" */
	uint32_t interval;		    /* s; 0 when not given */
	uint32_t min_interval;		    /* s; 0 when not given */
	int64_t complete, incomplete;	    /* seeds, leechers; -1 unknown */
	int64_t downloaded;		    /* snatches; -1 unknown */
	uint8_t tracker_id[BTT_TRACKER_MAX_ID];
	uint32_t tracker_id_len;	/* 0: none (or longer than the cap) */
	uint8_t external_ip[16];	/* BEP 24 */
	uint8_t external_ip_len;	/* 0, 4 or 16 */
	struct btt_tracker_peer *peers; /* owned; distinct by ip and port */
	uint32_t num_peers;
	uint32_t dropped; /* entries skipped: duplicates, port 0, bad or
			   * host-name addresses, a partial UDP entry */
	bool truncated;	  /* more than BTT_TRACKER_MAX_PEERS were offered */
};

/* Makes r empty with the "unknown" defaults. r is overwritten, not freed:
 * release a result that holds peers first. */
void btt_tracker_result_init(struct btt_tracker_result *r);

/* Frees the peers; r is then empty (as after _init). */
void btt_tracker_result_release(struct btt_tracker_result *r);

/* Moves src into dst (dst is released first); src is left empty. */
void btt_tracker_result_move(struct btt_tracker_result *dst,
			     struct btt_tracker_result *src);

/* Sets r->err and r->message from a printf format (our own text; escape
 * untrusted parts first). Returns err. */
int btt_tracker_result_fail(struct btt_tracker_result *r, int err,
			    const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Copies untrusted text into a BTT_TRACKER_MSG_SIZE buffer: the first
 * BTT_TRACKER_MAX_MESSAGE bytes, escaped, then "..." if it was longer. */
void btt_tracker_msg_set(char *dst, const void *p, size_t len);

/* Like btt_tracker_msg_set for a tracker's failure reason, which is never
 * left empty: an empty reason becomes a sentence saying so. */
void btt_tracker_reason_set(char *dst, const void *p, size_t len);

/* Collects peers while a response is parsed: distinct by address and
 * port, port 0 dropped, at most BTT_TRACKER_MAX_PEERS. */
struct btt_tracker_peerset {
	struct btt_vec peers; /* struct btt_tracker_peer */
	struct btt_hmap seen; /* 18-byte key: IPv6 (or mapped) + port */
	uint32_t dropped;
	bool truncated;
};

void btt_tracker_peerset_init(struct btt_tracker_peerset *s);
void btt_tracker_peerset_release(struct btt_tracker_peerset *s);

/* Adds one peer (ip_len 4 or 16; id may be NULL). Returns 0 (also when
 * the peer was dropped or the set is full) or -ENOMEM. */
int btt_tracker_peerset_add(struct btt_tracker_peerset *s, const uint8_t *ip,
			    size_t ip_len, uint16_t port, const uint8_t *id);

/* Adds every entry of a compact string with `stride` bytes per entry (6
 * or 18); a partial last entry counts as dropped. */
int btt_tracker_peerset_add_compact(struct btt_tracker_peerset *s,
				    const uint8_t *p, size_t len,
				    size_t stride);

/* Hands the peers to r (r->peers, num_peers, dropped, truncated) and
 * empties the set. */
void btt_tracker_peerset_take(struct btt_tracker_peerset *s,
			      struct btt_tracker_result *r);

/* Scrape (BEP 48 over HTTP, BEP 15 over UDP): the request and the result
 * in one bounded struct. Fill it with _init and _add, build the request,
 * then parse the reply into it. */
struct btt_tracker_scrape_entry {
	uint8_t info_hash[20];
	bool found;	    /* the tracker reported this torrent */
	int64_t complete;   /* seeds; -1 unknown */
	int64_t downloaded; /* completed downloads; -1 unknown */
	int64_t incomplete; /* leechers; -1 unknown */
};

struct btt_tracker_scrape {
	int err; /* as in btt_tracker_result */
	char message[BTT_TRACKER_MSG_SIZE];
	uint32_t min_request_interval; /* s, BEP 48 `flags`; 0 if absent */
	uint32_t n;
	struct btt_tracker_scrape_entry e[BTT_TRACKER_MAX_SCRAPE];
};

void btt_tracker_scrape_init(struct btt_tracker_scrape *s);

/* Adds an info-hash, keeping the entries sorted by hash (trackers such as
 * opentracker answer in request order, and a sorted request makes the
 * reply's `files` dict canonical). A hash already present is not added
 * again. Returns 0 or BTT_ELIMIT (BTT_TRACKER_MAX_SCRAPE reached). */
int btt_tracker_scrape_add(struct btt_tracker_scrape *s,
			   const uint8_t info_hash[20]);

/* Forgets any previous outcome (err, message, found and counts) and
 * keeps the hashes, so the same request can be parsed again. */
void btt_tracker_scrape_reset(struct btt_tracker_scrape *s);

/* HTTP (tracker_http.c) */

/* Builds the announce URL: tracker_url (http or https; any query string
 * is kept and the parameters are appended with '&'; a #fragment is
 * dropped) followed by info_hash, peer_id, port, uploaded, downloaded,
 * left, compact=1, no_peer_id=1 when asked, event (omitted for
 * BTT_EVENT_NONE), numwant (when >= 0), key (8 hex digits), trackerid
 * and ipv6 when given. Binary values are percent-encoded byte by byte;
 * only RFC 3986 unreserved characters stay as they are.
 * On success *out_url is a NUL-terminated string the caller free()s.
 * Returns 0, BTT_EINVALID (not an http(s) URL, or bytes outside
 * 0x21..0x7e; a bad event; an ipv6 value of 64 bytes or more),
 * BTT_ELIMIT (longer than BTT_TRACKER_MAX_URL). */
int btt_tracker_http_announce_url(const char *tracker_url,
				  const struct btt_tracker_params *p,
				  char **out_url);

/* Parses an announce response body. r is an output: whatever it held is
 * overwritten, not freed (release it first). It is always filled: r->err
 * is the return value and r->message says why.
 * Returns 0, BTT_ETRACKER (`failure reason`), BTT_ELIMIT (over
 * BTT_TRACKER_MAX_RESPONSE, or bencode caps), bencode errors (the decoder
 * accepts canonical bencode only), BTT_ETYPE (a key we use has the wrong
 * type, the root is not a dict), BTT_EMALFORMED (`peers` not a multiple
 * of 6 bytes, `peers6` not a multiple of 18), -ENOMEM. */
int btt_tracker_http_parse(const void *body, size_t len,
			   struct btt_tracker_result *r);

/* Derives the scrape URL (BEP 48): the last path component of the
 * announce URL must start with "announce", which becomes "scrape"; the
 * sorted info-hashes of s follow as info_hash parameters. Returns 0,
 * BTT_EUNSUPPORTED (no "announce" component: the tracker has no scrape),
 * BTT_EINVALID (bad URL, s->n == 0), BTT_ELIMIT (URL too long). */
int btt_tracker_http_scrape_url(const char *tracker_url,
				const struct btt_tracker_scrape *s,
				char **out_url);

/* Parses a scrape response into s (entries matched by info-hash; hashes
 * not asked for are ignored). Returns 0 or an error as for
 * btt_tracker_http_parse; s->err and s->message are set too, and after a
 * failure no entry is marked found. */
int btt_tracker_http_scrape_parse(const void *body, size_t len,
				  struct btt_tracker_scrape *s);

/* UDP (tracker_udp.c, BEP 15): one state machine per tracker, one request
 * at a time. The caller sends what `send` holds, feeds every datagram
 * that arrives from the tracker's address, and calls _timer at `timeout`.
 *
 *   IDLE --announce/scrape--> CONNECTING (no fresh connection id)
 *                          or WAITING    (id younger than 60 s)
 *   CONNECTING --connect reply--> WAITING --reply--> DONE
 *   any waiting state --error reply / 9th timeout--> DONE (err set)
 *
 * A request is retransmitted after 15 * 2^n s, n = 0..8 counted over the
 * whole request (a connect reply does not reset it), so a tracker that
 * never answers costs 9 sends and fails after 7665 s. A retransmission
 * keeps its transaction id; a retransmitted request whose connection id
 * has expired goes back to CONNECTING. Datagrams with another transaction
 * id or an unexpected action are ignored and counted; a reply with the
 * right ones that is too short ends the request with BTT_ETRUNCATED
 * (opentracker answers an unauthorised announce with 8 bytes). */
#define BTT_TRACKER_UDP_MAGIC 0x41727101980ULL
#define BTT_TRACKER_UDP_CONN_TTL 60000	/* ms a connection id is reused */
#define BTT_TRACKER_UDP_TIMEOUT 15000	/* ms before the first resend */
#define BTT_TRACKER_UDP_MAX_N 8		/* last exponent: 3840 s */
#define BTT_TRACKER_UDP_ANNOUNCE_LEN 98 /* request bytes */

enum btt_tracker_udp_state {
	BTT_UDP_IDLE = 0,
	BTT_UDP_CONNECTING = 1,
	BTT_UDP_WAITING = 2,
	BTT_UDP_DONE = 3,
};

struct btt_tracker_udp {
	bool v6; /* the tracker is reached over IPv6: 18-byte peers */
	int state;
	bool is_scrape;
	bool have_conn;
	uint64_t conn_id;
	int64_t conn_at; /* ms the connection id arrived */
	uint32_t txid;
	unsigned n; /* retransmit exponent */
	int64_t deadline;
	struct btt_tracker_params params;
	uint8_t pkt[16 + 20 * BTT_TRACKER_MAX_SCRAPE]; /* last datagram */
	size_t pkt_len;
	uint32_t ignored; /* datagrams dropped: transaction id, action */
	/* The outcome once DONE: result for an announce, scrape for a
	 * scrape (which also holds the hashes asked for). */
	struct btt_tracker_result result;
	struct btt_tracker_scrape scrape;
};

/* What the caller must do after a call. */
struct btt_tracker_udp_out {
	const uint8_t *send; /* send these bytes now (valid until the next
			      * call on the tracker), or NULL */
	size_t send_len;
	bool done;	 /* the request just finished: see result/scrape */
	int64_t timeout; /* ms when _timer must run; -1: no timer needed */
};

void btt_tracker_udp_init(struct btt_tracker_udp *u, bool v6);

/* Frees the result; u is then as after _init with the same v6. */
void btt_tracker_udp_release(struct btt_tracker_udp *u);

/* Starts an announce (p is copied; its tracker_id, ipv6 and no_peer_id
 * do not exist in BEP 15 and are ignored). The previous outcome is
 * released. Returns 0, or BTT_EINVALID when a request is in progress or
 * the event is unknown. */
int btt_tracker_udp_announce(struct btt_tracker_udp *u,
			     const struct btt_tracker_params *p, int64_t now,
			     struct btt_tracker_udp_out *out);

/* Starts a scrape of req's hashes (1..BTT_TRACKER_MAX_SCRAPE); the
 * outcome goes to u->scrape. Returns 0 or BTT_EINVALID. */
int btt_tracker_udp_scrape(struct btt_tracker_udp *u,
			   const struct btt_tracker_scrape *req, int64_t now,
			   struct btt_tracker_udp_out *out);

/* A datagram from the tracker (any bytes). */
void btt_tracker_udp_feed(struct btt_tracker_udp *u, const void *dgram,
			  size_t len, int64_t now,
			  struct btt_tracker_udp_out *out);

/* Time passes: retransmits or gives up when the deadline is reached. */
void btt_tracker_udp_timer(struct btt_tracker_udp *u, int64_t now,
			   struct btt_tracker_udp_out *out);

/* Abandons the request in progress (the connection id stays cached). */
void btt_tracker_udp_cancel(struct btt_tracker_udp *u);

/* Splits "udp://host:port[/path][?query]" (the BEP 41 URL data after the
 * port is ignored). host is a name or an IPv4 literal, or an IPv6 literal
 * in brackets (copied without them); the port is 1..65535. Returns 0 or
 * BTT_EINVALID (also when host does not fit host_cap with its NUL). */
int btt_tracker_udp_url_parse(const char *url, char *host, size_t host_cap,
			      uint16_t *out_port);

#endif
