/* End-to-end load on a running single-validator node (bench_node.sh
 * starts it): transfers pre-signed from many accounts are submitted over
 * JSON-RPC in batches while a second thread watches blocks commit.
 *
 *   bench_node URL FUNDER_KEY_FILE [ACCOUNTS [PER_ACCOUNT [BATCH]]]
 *
 * The funder (a genesis key in hex) first gives every account 1000 BTT
 * with multi-transfers; then ACCOUNTS * PER_ACCOUNT transfers of one base
 * unit, each account's in nonce order, go out as fast as the node
 * accepts them. Prints the accepted and committed rates and the p50/p99
 * latency from sending a transaction to seeing its block (polled every
 * POLL_MS, which bounds the latency resolution). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "core/codec.h"
#include "core/cur.h"
#include "core/hmap.h"
#include "core/wbuf.h"
#include "crypto/hash.h"
#include "ledger/tx.h"

#define POLL_MS 5
#define DEADLINE_S 300

struct bench {
	const char *url;
	uint64_t chain_id;
	size_t n_acct, per, batch, total;
	uint8_t (*keys)[32];
	uint8_t (*addrs)[BTT_ADDR_LEN];
	uint8_t **raw; /* pre-signed transfers, in submission order */
	size_t *len;
	struct btt_hmap ids; /* txid -> index */
	_Atomic uint64_t *sent, *done;
	atomic_size_t committed;
	atomic_size_t target; /* total, less the refused once known */
	size_t rejected, blocks;
	uint64_t t0, t_sent, t_last;
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	btt_wbuf_put(arg, p, size * n);
	return size * n;
}

/* Posts body; returns the parsed response or NULL. */
static json_t *post(CURL *c, const char *url, const char *body)
{
	struct btt_wbuf w;
	json_t *r = NULL;

	btt_wbuf_init(&w, 64u << 20);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &w);
	if (curl_easy_perform(c) == CURLE_OK)
		r = json_loadb((const char *)w.buf, w.len, 0, NULL);
	btt_wbuf_release(&w);
	return r;
}

static CURL *client(void)
{
	static struct curl_slist *h;
	CURL *c = curl_easy_init();

	if (!h) {
		h = curl_slist_append(NULL, "Content-Type: application/json");
		h = curl_slist_append(h, "Expect:");
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	return c;
}

/* One call; returns its result (a new reference) or NULL. */
static json_t *call(CURL *c, const char *url, const char *method,
		    json_t *params)
{
	json_t *req = json_pack("{s:s,s:s,s:o,s:i}", "jsonrpc", "2.0", "method",
				method, "params", params, "id", 1);
	char *body = json_dumps(req, JSON_COMPACT);
	json_t *r = post(c, url, body), *res;

	free(body);
	json_decref(req);
	res = json_incref(json_object_get(r, "result"));
	if (!res)
		fprintf(stderr, "bench_node: %s failed\n", method);
	json_decref(r);
	return res;
}

static void sign(const uint8_t key[32], uint64_t chain, uint64_t nonce,
		 uint16_t type, const uint8_t *payload, size_t plen,
		 struct btt_wbuf *out)
{
	struct btt_tx tx = {.version = 1,
			    .chain_id = chain,
			    .type = type,
			    .nonce = nonce,
			    .payload = payload,
			    .payload_len = plen};

	tx.max_fee = btt_ledger_tx_fee(&tx);
	if (btt_ledger_tx_sign(&tx, key) || btt_ledger_tx_encode(&tx, out))
		abort();
}

static char *hex_of(const uint8_t *p, size_t n)
{
	char *s = malloc(2 * n + 1);

	if (!s)
		abort();
	return btt_hex_encode(p, n, s);
}

/* Waits until txid (hex) is committed. */
static int wait_tx(CURL *c, const char *url, const char *id)
{
	for (int i = 0; i < DEADLINE_S * 10; i++) {
		json_t *r = call(c, url, "tx_get", json_pack("[s]", id));
		const char *st =
			json_string_value(json_object_get(r, "status"));
		int done = st && !strcmp(st, "committed");
		json_decref(r);
		if (done)
			return 0;
		nanosleep(&(struct timespec){0, 100000000}, NULL);
	}
	return -1;
}

/* Gives every account 1000 BTT, 256 per multi-transfer. */
static int fund(struct bench *b, CURL *c, const uint8_t key[32])
{
	uint8_t from[BTT_ADDR_LEN];
	struct btt_tx_transfer items[BTT_TX_MAX_TRANSFERS];
	char *last = NULL;
	json_t *acct;
	uint64_t nonce;
	int rc = 0;

	btt_addr_from_key(key, from);
	char a[BTT_ADDR_HEX_CHARS + 1];
	btt_addr_hex_encode(from, a);
	if (!(acct = call(c, b->url, "account_get", json_pack("[s]", a))))
		return -1;
	nonce = (uint64_t)json_integer_value(
		json_object_get(acct, "next_nonce"));
	json_decref(acct);
	for (size_t i = 0; i < b->n_acct; i += BTT_TX_MAX_TRANSFERS) {
		size_t k = b->n_acct - i < BTT_TX_MAX_TRANSFERS
				   ? b->n_acct - i
				   : BTT_TX_MAX_TRANSFERS;
		struct btt_wbuf p, t;
		for (size_t j = 0; j < k; j++) {
			memcpy(items[j].to, b->addrs[i + j], BTT_ADDR_LEN);
			items[j].amount = 1000 * BTT_COIN;
		}
		btt_wbuf_init(&p, BTT_TX_MAX_PAYLOAD);
		btt_wbuf_init(&t, BTT_TX_MAX_LEN);
		btt_ledger_multi_encode(items, k, &p);
		sign(key, b->chain_id, nonce++, BTT_TX_MULTI_TRANSFER, p.buf,
		     p.len, &t);
		char *h = hex_of(t.buf, t.len);
		json_t *r = call(c, b->url, "tx_submit", json_pack("[s]", h));
		free(h);
		free(last);
		last = r ? strdup(json_string_value(json_object_get(r, "txid")))
			 : NULL;
		json_decref(r);
		btt_wbuf_release(&p);
		btt_wbuf_release(&t);
		if (!last)
			return -1;
	}
	rc = last ? wait_tx(c, b->url, last) : 0;
	free(last);
	return rc;
}

static void presign(struct bench *b)
{
	uint8_t payload[BTT_TX_TRANSFER_LEN], id[32];
	size_t x = 0;

	b->raw = calloc(b->total, sizeof(*b->raw));
	b->len = calloc(b->total, sizeof(*b->len));
	btt_hmap_init(&b->ids, 32);
	for (size_t j = 0; j < b->per; j++) {
		for (size_t i = 0; i < b->n_acct; i++, x++) {
			struct btt_tx_transfer t = {.amount = 1};
			struct btt_wbuf w, pw;
			memcpy(t.to, b->addrs[(i + 1) % b->n_acct], 20);
			btt_wbuf_init_fixed(&pw, payload, sizeof(payload));
			btt_ledger_transfer_encode(&t, &pw);
			btt_wbuf_init(&w, BTT_TX_MAX_LEN);
			sign(b->keys[i], b->chain_id, j, BTT_TX_TRANSFER,
			     payload, sizeof(payload), &w);
			b->raw[x] = btt_wbuf_detach(&w, &b->len[x]);
			btt_keccak256(b->raw[x], b->len[x], id);
			btt_hmap_put(&b->ids, id, x);
		}
	}
}

/* Sends every pre-signed transfer in batches. */
static void submit_all(struct bench *b)
{
	CURL *c = client();
	struct btt_wbuf w;

	btt_wbuf_init(&w, 64u << 20);
	for (size_t x = 0; x < b->total; x += b->batch) {
		size_t k = b->total - x < b->batch ? b->total - x : b->batch;
		uint64_t t = now_us();
		btt_wbuf_reset(&w);
		btt_wbuf_put_str(&w, "[");
		for (size_t i = 0; i < k; i++) {
			char *h = hex_of(b->raw[x + i], b->len[x + i]);
			btt_wbuf_printf(&w,
					"%s{\"jsonrpc\":\"2.0\",\"method\":"
					"\"tx_submit\",\"params\":[\"%s\"],"
					"\"id\":%zu}",
					i ? "," : "", h, x + i);
			free(h);
			atomic_store(&b->sent[x + i], t);
		}
		btt_wbuf_put_str(&w, "]");
		btt_wbuf_terminate(&w);
		json_t *r = post(c, b->url, (const char *)w.buf), *it;
		size_t i;
		json_array_foreach(r, i, it) if (json_object_get(it, "error"))
			b->rejected++;
		if (!r)
			b->rejected += k;
		json_decref(r);
	}
	b->t_sent = now_us();
	atomic_store(&b->target, b->total - b->rejected);
	btt_wbuf_release(&w);
	curl_easy_cleanup(c);
}

/* Watches new blocks; marks their transfers committed. */
static void *observe(void *arg)
{
	struct bench *b = arg;
	CURL *c = client();
	uint64_t seen = 0, deadline = now_us() + DEADLINE_S * 1000000ull;
	json_t *st = call(c, b->url, "chain_status", json_array());

	seen = (uint64_t)json_integer_value(json_object_get(st, "height"));
	json_decref(st);
	while (now_us() < deadline &&
	       atomic_load(&b->committed) < atomic_load(&b->target)) {
		st = call(c, b->url, "chain_status", json_array());
		uint64_t h = (uint64_t)json_integer_value(
			json_object_get(st, "height"));
		json_decref(st);
		for (; seen < h; seen++) {
			json_t *blk =
				call(c, b->url, "block_get",
				     json_pack("[I]", (json_int_t)seen + 1));
			json_t *txs = json_object_get(blk, "txs"), *t;
			uint64_t now = now_us(), x;
			uint8_t id[32];
			size_t i, hits = 0;
			json_array_foreach(txs, i, t)
			{
				if (btt_hex_decode(json_string_value(t), 64, id,
						   32) == 0 &&
				    btt_hmap_get(&b->ids, id, &x)) {
					atomic_store(&b->done[x], now);
					hits++;
				}
			}
			if (hits) {
				b->blocks++;
				b->t_last = now;
				atomic_fetch_add(&b->committed, hits);
			}
			json_decref(blk);
		}
		nanosleep(&(struct timespec){0, POLL_MS * 1000000L}, NULL);
	}
	curl_easy_cleanup(c);
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void report(struct bench *b)
{
	uint64_t *lat = malloc(b->total * sizeof(*lat));
	size_t n = 0;

	for (size_t i = 0; i < b->total; i++)
		if (atomic_load(&b->done[i]))
			lat[n++] = atomic_load(&b->done[i]) -
				   atomic_load(&b->sent[i]);
	qsort(lat, n, sizeof(*lat), cmp_u64);
	double sub = (double)(b->t_sent - b->t0) / 1e6,
	       all = (double)(b->t_last - b->t0) / 1e6;
	printf("transfers    %zu from %zu accounts, RPC batches of %zu\n",
	       b->total, b->n_acct, b->batch);
	printf("submitted    %zu accepted, %zu refused, in %.2f s: %.0f tx/s\n",
	       b->total - b->rejected, b->rejected, sub,
	       (double)(b->total - b->rejected) / sub);
	printf("committed    %zu in %.2f s over %zu blocks: %.0f tx/s "
	       "sustained\n",
	       n, all, b->blocks, all > 0 ? (double)n / all : 0.0);
	if (n)
		printf("latency      p50 %.0f ms, p99 %.0f ms, max %.0f ms "
		       "(send to block seen, %d ms polling)\n",
		       (double)lat[n / 2] / 1e3,
		       (double)lat[n * 99 / 100] / 1e3,
		       (double)lat[n - 1] / 1e3, POLL_MS);
	free(lat);
}

static size_t arg_or(int argc, char **argv, int i, size_t def)
{
	struct btt_cur c;
	uint64_t v;

	if (argc <= i)
		return def;
	btt_cur_init(&c, argv[i], strlen(argv[i]));
	if (!btt_cur_get_dec(&c, 9, 100000000, false, &v) || btt_cur_len(&c) ||
	    v == 0) {
		fprintf(stderr, "bench_node: bad number '%s'\n", argv[i]);
		exit(2);
	}
	return (size_t)v;
}

static int setup(struct bench *b, int argc, char **argv, uint8_t funder[32])
{
	char text[80] = {0};
	FILE *f = fopen(argv[2], "r");
	CURL *c;
	json_t *st;

	if (!f || !fgets(text, sizeof(text), f) ||
	    btt_hex_decode(text, 64, funder, 32) != 0) {
		fprintf(stderr, "bench_node: cannot read the key in %s\n",
			argv[2]);
		return -1;
	}
	fclose(f);
	b->url = argv[1];
	b->n_acct = arg_or(argc, argv, 3, 500);
	b->per = arg_or(argc, argv, 4, 40);
	b->batch = arg_or(argc, argv, 5, 200);
	b->total = b->n_acct * b->per;
	atomic_store(&b->target, b->total);
	b->keys = calloc(b->n_acct, 32);
	b->addrs = calloc(b->n_acct, BTT_ADDR_LEN);
	b->sent = calloc(b->total, sizeof(*b->sent));
	b->done = calloc(b->total, sizeof(*b->done));
	for (size_t i = 0; i < b->n_acct; i++) {
		uint32_t seed[2] = {0x62656e63, (uint32_t)i};
		btt_keccak256(seed, sizeof(seed), b->keys[i]);
		btt_addr_from_key(b->keys[i], b->addrs[i]);
	}
	c = client();
	st = call(c, b->url, "chain_status", json_array());
	b->chain_id =
		(uint64_t)json_integer_value(json_object_get(st, "chain_id"));
	json_decref(st);
	curl_easy_cleanup(c);
	return b->chain_id ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct bench b = {0};
	uint8_t funder[32];
	pthread_t th;
	CURL *c;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_node URL FUNDER_KEY_FILE "
				"[ACCOUNTS [PER_ACCOUNT [BATCH]]]\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (setup(&b, argc, argv, funder) != 0)
		return 1;
	c = client();
	if (fund(&b, c, funder) != 0) {
		fprintf(stderr, "bench_node: funding failed\n");
		return 1;
	}
	curl_easy_cleanup(c);
	presign(&b);
	b.t0 = now_us();
	pthread_create(&th, NULL, observe, &b);
	submit_all(&b);
	pthread_join(th, NULL);
	report(&b);
	return atomic_load(&b.committed) == b.total - b.rejected ? 0 : 1;
}
