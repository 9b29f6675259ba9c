/* Announce scheduling for one torrent: BEP 12 tiers, intervals, backoff
 * and the started/completed/stopped events (rules in announce.h).
 *
 * Invariants: order is a permutation of 0..n-1 that keeps tiers in
 * ascending order; in_flight counts the trackers whose in_flight flag is
 * set; outside shutdown at most one is in flight, and while a round is
 * active it is order[round_pos]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt/announce.h"
#include "btt/err.h"
#include "core/rand.h"

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		abort();
	return p;
}

static void shuffle_tiers(struct btt_announce *a)
{
	uint32_t s = 0;

	while (s < a->n) {
		uint32_t e = s;
		while (e < a->n && a->t[e].tier == a->t[s].tier)
			e++;
		for (uint32_t j = e - 1; j > s; j--) {
			uint32_t k = s + (uint32_t)btt_rand_uniform(j - s + 1);
			uint32_t tmp = a->order[j];
			a->order[j] = a->order[k];
			a->order[k] = tmp;
		}
		s = e;
	}
}

int btt_announce_init(struct btt_announce *a, const char *const *urls,
		      const uint32_t *tiers, uint32_t n, int32_t numwant)
{
	memset(a, 0, sizeof(*a));
	if (n > BTT_METAINFO_MAX_TRACKERS)
		return BTT_ELIMIT;
	for (uint32_t i = 1; i < n; i++)
		if (tiers[i] < tiers[i - 1])
			return BTT_EINVALID;
	if (n) {
		a->t = calloc(n, sizeof(*a->t));
		a->order = calloc(n, sizeof(*a->order));
		if (!a->t || !a->order)
			abort();
	}
	a->n = n;
	for (uint32_t i = 0; i < n; i++) {
		struct btt_announce_tracker *t = &a->t[i];
		t->url = xstrdup(urls[i]);
		t->tier = tiers[i];
		t->kind = btt_tracker_url_kind(t->url);
		t->last_attempt = t->last_success = -1;
		t->next_at = BTT_ANNOUNCE_NEVER;
		t->seeders = t->leechers = t->downloaded = -1;
		if (t->kind == BTT_TRACKER_UNSUPPORTED) {
			t->last_err = BTT_EUNSUPPORTED;
			snprintf(t->message, sizeof(t->message), "%s",
				 "unsupported tracker scheme");
		}
		a->order[i] = i;
	}
	shuffle_tiers(a);
	a->numwant = numwant;
	a->key = btt_rand_u32();
	a->round_due = INT64_MIN;
	a->ok_at = -1;
	return 0;
}

void btt_announce_release(struct btt_announce *a)
{
	for (uint32_t i = 0; i < a->n; i++)
		free(a->t[i].url);
	free(a->t);
	free(a->order);
	memset(a, 0, sizeof(*a));
}

static void dispatch(struct btt_announce *a, uint32_t i, int event, int64_t now,
		     struct btt_announce_action *out)
{
	struct btt_announce_tracker *t = &a->t[i];

	t->in_flight = true;
	t->flight_event = event;
	t->last_attempt = now;
	a->in_flight++;
	out->what = BTT_ANNOUNCE_SEND;
	out->tracker = i;
	out->url = t->url;
	out->kind = t->kind;
	out->event = event;
	out->numwant = event == BTT_EVENT_STOPPED ? 0 : a->numwant;
	out->key = a->key;
	if (t->tracker_id_len) {
		out->tracker_id = t->tracker_id;
		out->tracker_id_len = t->tracker_id_len;
	}
}

static void next_stop(struct btt_announce *a, int64_t now,
		      struct btt_announce_action *out)
{
	for (uint32_t p = 0; p < a->n; p++) {
		uint32_t i = a->order[p];
		struct btt_announce_tracker *t = &a->t[i];
		if (t->started && !t->stop_done && !t->in_flight) {
			t->stop_done = true;
			dispatch(a, i, BTT_EVENT_STOPPED, now, out);
			return;
		}
	}
	if (!a->in_flight)
		out->what = BTT_ANNOUNCE_DONE;
}

/* The earliest time a backing-off tracker may be tried again. */
static int64_t earliest_retry(const struct btt_announce *a)
{
	int64_t at = BTT_ANNOUNCE_NEVER;

	for (uint32_t i = 0; i < a->n; i++)
		if (a->t[i].kind != BTT_TRACKER_UNSUPPORTED &&
		    a->t[i].retry_at < at)
			at = a->t[i].retry_at;
	return at;
}

void btt_announce_next(struct btt_announce *a, int64_t now,
		       struct btt_announce_action *out)
{
	memset(out, 0, sizeof(*out));
	out->what = BTT_ANNOUNCE_WAIT;
	out->at = BTT_ANNOUNCE_NEVER;
	if (a->stopping) {
		next_stop(a, now, out);
		return;
	}
	if (a->in_flight)
		return;
	if (a->round_active && a->round_pos >= a->n) {
		/* The last tracker of the round failed. */
		a->round_active = false;
		a->round_due = earliest_retry(a);
	}
	if (!a->round_active) {
		if (!a->completed_pending && now < a->round_due) {
			out->at = a->round_due;
			return;
		}
		a->round_active = true;
		a->round_pos = 0;
	}
	for (; a->round_pos < a->n; a->round_pos++) {
		uint32_t i = a->order[a->round_pos];
		struct btt_announce_tracker *t = &a->t[i];
		if (t->kind == BTT_TRACKER_UNSUPPORTED || t->retry_at > now)
			continue;
		dispatch(a, i,
			 !t->started		? BTT_EVENT_STARTED
			 : a->completed_pending ? BTT_EVENT_COMPLETED
						: BTT_EVENT_NONE,
			 now, out);
		return;
	}
	/* Every tracker failed in this round or is backing off. */
	a->round_active = false;
	a->round_due = earliest_retry(a);
	out->at = a->round_due;
}

/* Moves order entry of tracker i to the front of its tier. */
static void promote(struct btt_announce *a, uint32_t i)
{
	uint32_t p = 0, s;

	while (p < a->n && a->order[p] != i)
		p++;
	s = p;
	while (s > 0 && a->t[a->order[s - 1]].tier == a->t[i].tier)
		s--;
	memmove(&a->order[s + 1], &a->order[s], (p - s) * sizeof(a->order[0]));
	a->order[s] = i;
}

static uint32_t clamp_interval(uint32_t s)
{
	if (s < BTT_TRACKER_MIN_INTERVAL)
		return BTT_TRACKER_MIN_INTERVAL;
	return s > BTT_TRACKER_MAX_INTERVAL ? BTT_TRACKER_MAX_INTERVAL : s;
}

static void on_failure(struct btt_announce *a, struct btt_announce_tracker *t,
		       const struct btt_tracker_result *r, int64_t now)
{
	uint32_t shift = t->fails < 20 ? t->fails : 20;
	int64_t base = (int64_t)BTT_ANNOUNCE_RETRY_BASE << shift;

	if (base > BTT_ANNOUNCE_RETRY_MAX)
		base = BTT_ANNOUNCE_RETRY_MAX;
	t->fails++;
	t->last_err = r->err;
	memcpy(t->message, r->message, sizeof(t->message));
	t->message[sizeof(t->message) - 1] = 0;
	t->retry_at =
		now + base + (int64_t)btt_rand_uniform((uint64_t)base / 4 + 1);
	t->next_at = t->retry_at;
	/* The round goes on with the next tracker. */
	if (a->round_active && a->round_pos < a->n &&
	    &a->t[a->order[a->round_pos]] == t)
		a->round_pos++;
}

static void on_success(struct btt_announce *a, uint32_t i, int event,
		       const struct btt_tracker_result *r, int64_t now)
{
	struct btt_announce_tracker *t = &a->t[i];
	uint32_t iv = clamp_interval(
		r->interval ? r->interval : BTT_ANNOUNCE_DEFAULT_INTERVAL);
	uint32_t mi = r->min_interval ? r->min_interval
		      : iv < BTT_ANNOUNCE_DEFAULT_MIN_INTERVAL
			      ? iv
			      : BTT_ANNOUNCE_DEFAULT_MIN_INTERVAL;

	mi = clamp_interval(mi);
	t->fails = 0;
	t->retry_at = 0;
	t->last_err = 0;
	memcpy(t->message, r->warning, sizeof(t->message));
	t->message[sizeof(t->message) - 1] = 0;
	t->last_success = now;
	t->interval = iv;
	t->min_interval = mi;
	t->seeders = r->complete;
	t->leechers = r->incomplete;
	t->downloaded = r->downloaded;
	t->last_peers = r->num_peers;
	if (r->tracker_id_len && r->tracker_id_len <= BTT_TRACKER_MAX_ID) {
		memcpy(t->tracker_id, r->tracker_id, r->tracker_id_len);
		t->tracker_id_len = r->tracker_id_len;
	}
	if (event == BTT_EVENT_STARTED)
		t->started = true;
	if (event == BTT_EVENT_COMPLETED) {
		a->completed_pending = false;
		a->completed_sent = true;
	}
	if (a->stopping)
		return;
	promote(a, i);
	a->round_active = false;
	a->round_due = now + (int64_t)(iv > mi ? iv : mi) * 1000;
	a->ok_at = now;
	a->ok_min = (int64_t)mi * 1000;
	t->next_at = a->round_due;
}

int btt_announce_on_result(struct btt_announce *a, uint32_t tracker,
			   const struct btt_tracker_result *r, int64_t now)
{
	struct btt_announce_tracker *t;
	int event;

	if (tracker >= a->n || !a->t[tracker].in_flight)
		return BTT_EINVALID;
	t = &a->t[tracker];
	event = t->flight_event;
	t->in_flight = false;
	a->in_flight--;
	if (event == BTT_EVENT_STOPPED) {
		/* Not retried: the tracker forgets us within an interval
		 * anyway, and shutdown must not wait. */
		t->started = false;
		t->last_err = r->err;
		memcpy(t->message, r->err ? r->message : r->warning,
		       sizeof(t->message));
		t->message[sizeof(t->message) - 1] = 0;
		t->next_at = BTT_ANNOUNCE_NEVER;
		if (!r->err)
			t->last_success = now;
		return 0;
	}
	if (r->err)
		on_failure(a, t, r, now);
	else
		on_success(a, tracker, event, r, now);
	return 0;
}

void btt_announce_completed(struct btt_announce *a)
{
	if (!a->completed_sent && !a->stopping)
		a->completed_pending = true;
}

void btt_announce_more_peers(struct btt_announce *a, int64_t now)
{
	int64_t at;

	if (a->stopping || a->round_active)
		return;
	at = a->ok_at >= 0 ? a->ok_at + a->ok_min : now;
	if (at < a->round_due)
		a->round_due = at;
}

void btt_announce_stop(struct btt_announce *a)
{
	a->stopping = true;
	a->round_active = false;
	a->completed_pending = false;
}
