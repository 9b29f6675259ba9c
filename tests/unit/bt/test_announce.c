/* Announce scheduling with fake time and seeded randomness: tier order
 * and shuffling, failover, promotion of the tracker that answered,
 * interval and min interval (and their clamps at max-1, max, max+1),
 * early announces bounded by min interval, backoff with jitter, the
 * started/completed/stopped events, tracker ids, status for the UI and
 * misuse of the API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt/announce.h"
#include "btt/err.h"
#include "core/limits.h"
#include "core/rand.h"

#define T0 5000000 /* ms */
#define NUMWANT 50

static int setup_seed(void **state)
{
	(void)state;
	btt_rand_set_seed(42);
	return 0;
}

static int teardown_seed(void **state)
{
	(void)state;
	btt_rand_clear_seed();
	return 0;
}

static void init(struct btt_announce *a, const char *const *urls,
		 const uint32_t *tiers, uint32_t n)
{
	assert_int_equal(btt_announce_init(a, urls, tiers, n, NUMWANT), 0);
}

static struct btt_tracker_result ok(uint32_t interval, uint32_t min)
{
	struct btt_tracker_result r;

	btt_tracker_result_init(&r);
	r.interval = interval;
	r.min_interval = min;
	return r;
}

static struct btt_tracker_result failed(int err, const char *msg)
{
	struct btt_tracker_result r;

	btt_tracker_result_init(&r);
	r.err = err;
	snprintf(r.message, sizeof(r.message), "%s", msg);
	return r;
}

/* Expects a SEND with `event` and returns its tracker. */
static uint32_t expect_send(struct btt_announce *a, int64_t now, int event)
{
	struct btt_announce_action act;

	btt_announce_next(a, now, &act);
	assert_int_equal(act.what, BTT_ANNOUNCE_SEND);
	assert_int_equal(act.event, event);
	assert_ptr_equal(act.url, a->t[act.tracker].url);
	assert_int_equal(act.numwant, event == BTT_EVENT_STOPPED ? 0 : NUMWANT);
	assert_int_equal(act.key, a->key);
	return act.tracker;
}

static void expect_wait(struct btt_announce *a, int64_t now, int64_t at)
{
	struct btt_announce_action act;

	btt_announce_next(a, now, &act);
	assert_int_equal(act.what, BTT_ANNOUNCE_WAIT);
	assert_int_equal(act.at, at);
}

static void answer(struct btt_announce *a, uint32_t t,
		   struct btt_tracker_result r, int64_t now)
{
	assert_int_equal(btt_announce_on_result(a, t, &r, now), 0);
}

static const char *const URLS5[] = {"http://a/announce", "udp://b:1",
				    "http://c/announce", "udp://d:2",
				    "https://e/announce"};
static const uint32_t TIERS5[] = {0, 0, 0, 1, 1};

static void test_announce_tier_order(void **state)
{
	struct btt_announce a;
	bool first[3] = {false, false, false};
	(void)state;

	for (uint64_t seed = 1; seed <= 60; seed++) {
		btt_rand_set_seed(seed);
		init(&a, URLS5, TIERS5, 5);
		uint32_t seen = 0;
		for (int p = 0; p < 5; p++) {
			assert_int_equal(a.t[a.order[p]].tier, p < 3 ? 0 : 1);
			seen |= 1u << a.order[p];
		}
		assert_int_equal(seen, 0x1f);
		first[a.order[0]] = true;
		btt_announce_release(&a);
	}
	/* The shuffle really shuffles: each tier-0 URL came first. */
	assert_true(first[0] && first[1] && first[2]);
	btt_rand_set_seed(42);
}

static void test_announce_first_round(void **state)
{
	struct btt_announce a;
	uint32_t t;
	(void)state;

	init(&a, URLS5, TIERS5, 5);
	t = expect_send(&a, T0, BTT_EVENT_STARTED);
	assert_int_equal(t, a.order[0]);
	assert_true(a.t[t].in_flight);
	assert_int_equal(a.t[t].last_attempt, T0);
	expect_wait(&a, T0, BTT_ANNOUNCE_NEVER); /* one at a time */
	answer(&a, t, ok(1800, 900), T0 + 50);
	expect_wait(&a, T0 + 50, T0 + 50 + 1800000);
	expect_wait(&a, T0 + 50 + 1799999, T0 + 50 + 1800000);
	assert_int_equal(expect_send(&a, T0 + 50 + 1800000, BTT_EVENT_NONE), t);
	btt_announce_release(&a);
	btt_announce_release(&a);
}

static void test_announce_failover_promotion(void **state)
{
	struct btt_announce a;
	uint32_t t0, t1, t2, t3;
	(void)state;

	init(&a, URLS5, TIERS5, 5);
	t0 = expect_send(&a, T0, BTT_EVENT_STARTED);
	answer(&a, t0, failed(-ECONNREFUSED, "refused"), T0);
	t1 = expect_send(&a, T0, BTT_EVENT_STARTED);
	assert_int_equal(t1, a.order[1]);
	answer(&a, t1, failed(BTT_ETRACKER, "not authorized"), T0);
	t2 = expect_send(&a, T0, BTT_EVENT_STARTED);
	assert_int_equal(t2, a.order[2]);
	answer(&a, t2, failed(-ETIMEDOUT, "timeout"), T0);
	/* Tier 0 exhausted: tier 1. */
	t3 = expect_send(&a, T0, BTT_EVENT_STARTED);
	assert_int_equal(a.t[t3].tier, 1);
	answer(&a, t3, failed(-ETIMEDOUT, "timeout"), T0);
	assert_int_equal(expect_send(&a, T0, BTT_EVENT_STARTED), a.order[4]);
	answer(&a, a.order[4], ok(1800, 0), T0 + 1);

	/* Next round: tier 0 again, in order; the second one answers and
	 * moves to the front of its tier. */
	int64_t now = T0 + 1 + 1800000;
	assert_int_equal(expect_send(&a, now, BTT_EVENT_STARTED), t0);
	answer(&a, t0, failed(-ETIMEDOUT, "timeout"), now);
	assert_int_equal(expect_send(&a, now, BTT_EVENT_STARTED), t1);
	answer(&a, t1, ok(1800, 0), now);
	assert_int_equal(a.order[0], t1);
	assert_int_equal(a.order[1], t0);
	assert_int_equal(a.order[2], t2);
	assert_int_equal(a.t[a.order[3]].tier, 1);
	now += 1800000;
	assert_int_equal(expect_send(&a, now, BTT_EVENT_NONE), t1);
	btt_announce_release(&a);
}

static void test_announce_all_fail(void **state)
{
	static const char *const urls[] = {"http://a/announce", "udp://b:1"};
	static const uint32_t tiers[] = {0, 1};
	struct btt_announce a;
	int64_t first;
	uint32_t t;
	(void)state;

	init(&a, urls, tiers, 2);
	t = expect_send(&a, T0, BTT_EVENT_STARTED);
	answer(&a, t, failed(-ETIMEDOUT, "timeout"), T0);
	t = expect_send(&a, T0 + 10, BTT_EVENT_STARTED);
	answer(&a, t, failed(-ECONNREFUSED, "refused"), T0 + 10);
	first = a.t[0].retry_at < a.t[1].retry_at ? a.t[0].retry_at
						  : a.t[1].retry_at;
	assert_true(first >= T0 + 15000 && first <= T0 + 18750);
	expect_wait(&a, T0 + 20, first);
	expect_wait(&a, first - 1, first);
	/* Only the tracker whose backoff ended is tried. */
	t = expect_send(&a, first, BTT_EVENT_STARTED);
	assert_int_equal(a.t[t].retry_at, first);
	assert_int_equal(a.t[0].last_err, -ETIMEDOUT);
	assert_int_equal(a.t[1].last_err, -ECONNREFUSED);
	assert_string_equal(a.t[1].message, "refused");
	btt_announce_release(&a);
}

static void test_announce_backoff(void **state)
{
	static const char *const urls[] = {"udp://b:1"};
	static const uint32_t tiers[] = {0};
	struct btt_announce a;
	int64_t now = T0, base = 15000;
	(void)state;

	init(&a, urls, tiers, 1);
	for (int i = 0; i < 12; i++) {
		uint32_t t = expect_send(&a, now, BTT_EVENT_STARTED);
		answer(&a, t, failed(-ETIMEDOUT, "timeout"), now);
		assert_int_equal(a.t[0].fails, i + 1);
		int64_t d = a.t[0].retry_at - now;
		assert_true(d >= base && d <= base + base / 4);
		assert_int_equal(a.t[0].next_at, a.t[0].retry_at);
		expect_wait(&a, now, a.t[0].retry_at);
		now = a.t[0].retry_at;
		base = base * 2 > BTT_ANNOUNCE_RETRY_MAX
			       ? BTT_ANNOUNCE_RETRY_MAX
			       : base * 2;
	}
	assert_int_equal(base, BTT_ANNOUNCE_RETRY_MAX);
	/* A success resets the count. */
	answer(&a, expect_send(&a, now, BTT_EVENT_STARTED), ok(600, 0), now);
	assert_int_equal(a.t[0].fails, 0);
	assert_int_equal(a.t[0].retry_at, 0);
	assert_int_equal(a.t[0].last_err, 0);
	btt_announce_release(&a);
}

static void test_announce_min_interval(void **state)
{
	static const char *const urls[] = {"http://a/announce"};
	static const uint32_t tiers[] = {0};
	struct btt_announce a;
	uint32_t t;
	(void)state;

	init(&a, urls, tiers, 1);
	t = expect_send(&a, T0, BTT_EVENT_STARTED);
	answer(&a, t, ok(1800, 900), T0);
	/* More peers wanted 100 s later: not before min interval. */
	btt_announce_more_peers(&a, T0 + 100000);
	expect_wait(&a, T0 + 100000, T0 + 900000);
	expect_wait(&a, T0 + 899999, T0 + 900000);
	expect_send(&a, T0 + 900000, BTT_EVENT_NONE);
	answer(&a, t, ok(600, 1200), T0 + 900000);
	/* min interval above interval wins. */
	expect_wait(&a, T0 + 900000, T0 + 900000 + 1200000);
	/* Nothing earlier than min interval, even when asked. */
	btt_announce_more_peers(&a, T0 + 900001);
	expect_wait(&a, T0 + 900001, T0 + 900000 + 1200000);
	btt_announce_release(&a);

	/* Without min interval: min(300 s, interval). */
	init(&a, urls, tiers, 1);
	answer(&a, expect_send(&a, T0, BTT_EVENT_STARTED), ok(1800, 0), T0);
	assert_int_equal(a.t[0].min_interval, 300);
	btt_announce_more_peers(&a, T0 + 1000);
	expect_wait(&a, T0 + 1000, T0 + 300000);
	btt_announce_release(&a);
}

static uint32_t applied_interval(uint32_t interval)
{
	static const char *const urls[] = {"http://a/announce"};
	static const uint32_t tiers[] = {0};
	struct btt_announce a;
	uint32_t got;

	init(&a, urls, tiers, 1);
	answer(&a, expect_send(&a, T0, BTT_EVENT_STARTED), ok(interval, 0), T0);
	got = a.t[0].interval;
	expect_wait(&a, T0, T0 + (int64_t)got * 1000);
	btt_announce_release(&a);
	return got;
}

static void test_announce_interval_clamp(void **state)
{
	(void)state;
	assert_int_equal(applied_interval(0), BTT_ANNOUNCE_DEFAULT_INTERVAL);
	assert_int_equal(applied_interval(1), BTT_TRACKER_MIN_INTERVAL);
	assert_int_equal(applied_interval(BTT_TRACKER_MIN_INTERVAL - 1),
			 BTT_TRACKER_MIN_INTERVAL);
	assert_int_equal(applied_interval(BTT_TRACKER_MIN_INTERVAL),
			 BTT_TRACKER_MIN_INTERVAL);
	assert_int_equal(applied_interval(BTT_TRACKER_MIN_INTERVAL + 1),
			 BTT_TRACKER_MIN_INTERVAL + 1);
	assert_int_equal(applied_interval(BTT_TRACKER_MAX_INTERVAL - 1),
			 BTT_TRACKER_MAX_INTERVAL - 1);
	assert_int_equal(applied_interval(BTT_TRACKER_MAX_INTERVAL),
			 BTT_TRACKER_MAX_INTERVAL);
	assert_int_equal(applied_interval(BTT_TRACKER_MAX_INTERVAL + 1),
			 BTT_TRACKER_MAX_INTERVAL);
	assert_int_equal(applied_interval(UINT32_MAX),
			 BTT_TRACKER_MAX_INTERVAL);
}

static void test_announce_completed(void **state)
{
	static const char *const urls[] = {"http://a/announce"};
	static const uint32_t tiers[] = {0};
	struct btt_announce a;
	uint32_t t;
	(void)state;

	init(&a, urls, tiers, 1);
	t = expect_send(&a, T0, BTT_EVENT_STARTED);
	/* Finishing while an announce is in flight: sent after it. */
	btt_announce_completed(&a);
	expect_wait(&a, T0, BTT_ANNOUNCE_NEVER);
	answer(&a, t, ok(1800, 1800), T0 + 10);
	/* Not bound by min interval. */
	expect_send(&a, T0 + 20, BTT_EVENT_COMPLETED);
	answer(&a, t, ok(1800, 1800), T0 + 30);
	assert_true(a.completed_sent);
	expect_wait(&a, T0 + 40, T0 + 30 + 1800000);
	/* Only once. */
	btt_announce_completed(&a);
	expect_wait(&a, T0 + 40, T0 + 30 + 1800000);
	expect_send(&a, T0 + 30 + 1800000, BTT_EVENT_NONE);
	btt_announce_release(&a);

	/* A failed `completed` is retried as `completed`. */
	init(&a, urls, tiers, 1);
	answer(&a, expect_send(&a, T0, BTT_EVENT_STARTED), ok(1800, 0), T0);
	btt_announce_completed(&a);
	answer(&a, expect_send(&a, T0 + 1, BTT_EVENT_COMPLETED),
	       failed(-ETIMEDOUT, "timeout"), T0 + 1);
	expect_send(&a, a.t[0].retry_at, BTT_EVENT_COMPLETED);
	btt_announce_release(&a);
}

static void test_announce_stop(void **state)
{
	static const char *const urls[] = {"http://a/announce", "udp://b:1",
					   "udp://c:1"};
	static const uint32_t tiers[] = {0, 1, 2};
	struct btt_announce a;
	struct btt_announce_action x, y;
	(void)state;

	init(&a, urls, tiers, 3);
	/* a fails, b starts; the next round a starts too. */
	answer(&a, expect_send(&a, T0, BTT_EVENT_STARTED),
	       failed(-ETIMEDOUT, "timeout"), T0);
	answer(&a, expect_send(&a, T0, BTT_EVENT_STARTED), ok(1800, 0), T0);
	answer(&a, expect_send(&a, T0 + 1800000, BTT_EVENT_STARTED),
	       ok(1800, 0), T0 + 1800000);
	assert_true(a.t[0].started && a.t[1].started && !a.t[2].started);
	btt_announce_stop(&a);
	/* Both at once, numwant 0; c never started and gets nothing. */
	btt_announce_next(&a, T0 + 1800001, &x);
	btt_announce_next(&a, T0 + 1800001, &y);
	assert_int_equal(x.what, BTT_ANNOUNCE_SEND);
	assert_int_equal(y.what, BTT_ANNOUNCE_SEND);
	assert_int_equal(x.event, BTT_EVENT_STOPPED);
	assert_int_equal(y.event, BTT_EVENT_STOPPED);
	assert_int_equal(x.numwant, 0);
	assert_int_equal(x.tracker + y.tracker, 1);
	expect_wait(&a, T0 + 1800001, BTT_ANNOUNCE_NEVER);
	answer(&a, x.tracker, ok(0, 0), T0 + 1800002);
	expect_wait(&a, T0 + 1800002, BTT_ANNOUNCE_NEVER);
	/* A failed `stopped` is not retried. */
	answer(&a, y.tracker, failed(-ETIMEDOUT, "timeout"), T0 + 1800003);
	btt_announce_next(&a, T0 + 1800003, &x);
	assert_int_equal(x.what, BTT_ANNOUNCE_DONE);
	assert_false(a.t[0].started || a.t[1].started);
	/* completed after stop is ignored. */
	btt_announce_completed(&a);
	btt_announce_next(&a, T0 + 1800004, &x);
	assert_int_equal(x.what, BTT_ANNOUNCE_DONE);
	btt_announce_release(&a);
}

static void test_announce_stop_in_flight(void **state)
{
	static const char *const urls[] = {"http://a/announce"};
	static const uint32_t tiers[] = {0};
	struct btt_announce a;
	struct btt_announce_action x;
	uint32_t t;
	(void)state;

	/* Stopped before anything was sent: nothing to do. */
	init(&a, urls, tiers, 1);
	btt_announce_stop(&a);
	btt_announce_next(&a, T0, &x);
	assert_int_equal(x.what, BTT_ANNOUNCE_DONE);
	btt_announce_release(&a);

	/* Stopped while `started` is in flight: once it is accepted,
	 * `stopped` follows. */
	init(&a, urls, tiers, 1);
	t = expect_send(&a, T0, BTT_EVENT_STARTED);
	btt_announce_stop(&a);
	expect_wait(&a, T0, BTT_ANNOUNCE_NEVER);
	answer(&a, t, ok(1800, 0), T0 + 1);
	expect_send(&a, T0 + 1, BTT_EVENT_STOPPED);
	answer(&a, t, ok(0, 0), T0 + 2);
	btt_announce_next(&a, T0 + 2, &x);
	assert_int_equal(x.what, BTT_ANNOUNCE_DONE);
	btt_announce_release(&a);
}

static void test_announce_status(void **state)
{
	static const char *const urls[] = {"http://a/announce"};
	static const uint32_t tiers[] = {0};
	struct btt_announce a;
	struct btt_announce_action x;
	struct btt_tracker_result r;
	int64_t at;
	(void)state;

	init(&a, urls, tiers, 1);
	assert_int_equal(a.t[0].last_success, -1);
	assert_int_equal(a.t[0].seeders, -1);
	answer(&a, expect_send(&a, T0, BTT_EVENT_STARTED),
	       failed(BTT_ETRACKER, "not authorized"), T0);
	assert_int_equal(a.t[0].last_err, BTT_ETRACKER);
	assert_string_equal(a.t[0].message, "not authorized");
	r = ok(1800, 0);
	r.complete = 7;
	r.incomplete = 3;
	r.downloaded = 11;
	r.num_peers = 9;
	snprintf(r.warning, sizeof(r.warning), "slow down");
	memcpy(r.tracker_id, "tid", 3);
	r.tracker_id_len = 3;
	at = a.t[0].retry_at;
	btt_announce_next(&a, at, &x);
	assert_int_equal(x.what, BTT_ANNOUNCE_SEND);
	answer(&a, x.tracker, r, at + 5);
	assert_int_equal(a.t[0].last_err, 0);
	assert_string_equal(a.t[0].message, "slow down");
	assert_int_equal(a.t[0].seeders, 7);
	assert_int_equal(a.t[0].leechers, 3);
	assert_int_equal(a.t[0].downloaded, 11);
	assert_int_equal(a.t[0].last_peers, 9);
	assert_int_equal(a.t[0].last_success, at + 5);
	assert_int_equal(a.t[0].next_at, at + 5 + 1800000);
	/* The tracker id is echoed back. */
	btt_announce_next(&a, a.t[0].next_at, &x);
	assert_int_equal(x.what, BTT_ANNOUNCE_SEND);
	assert_int_equal(x.tracker_id_len, 3);
	assert_memory_equal(x.tracker_id, "tid", 3);
	btt_announce_release(&a);
}

static void test_announce_unsupported(void **state)
{
	static const char *const urls[] = {"wss://a/announce", "udp://b:1"};
	static const uint32_t tiers[] = {0, 0};
	struct btt_announce a;
	struct btt_announce_action x;
	(void)state;

	init(&a, urls, tiers, 2);
	assert_int_equal(a.t[0].last_err, BTT_EUNSUPPORTED);
	assert_int_equal(a.t[0].kind, BTT_TRACKER_UNSUPPORTED);
	btt_announce_next(&a, T0, &x);
	assert_int_equal(x.what, BTT_ANNOUNCE_SEND);
	assert_int_equal(x.tracker, 1);
	assert_int_equal(x.kind, BTT_TRACKER_UDP);
	btt_announce_release(&a);
	/* Nothing usable: wait for ever (and no busy loop). */
	init(&a, urls, tiers, 1);
	expect_wait(&a, T0, BTT_ANNOUNCE_NEVER);
	btt_announce_release(&a);
}

static void test_announce_init_errors(void **state)
{
	static const uint32_t bad_tiers[] = {0, 1, 0};
	const char **many =
		malloc(sizeof(char *) * (BTT_METAINFO_MAX_TRACKERS + 1));
	uint32_t *tiers =
		calloc(BTT_METAINFO_MAX_TRACKERS + 1, sizeof(uint32_t));
	struct btt_announce a;
	struct btt_announce_action x;
	(void)state;

	assert_int_equal(btt_announce_init(&a, URLS5, bad_tiers, 3, 1),
			 BTT_EINVALID);
	for (uint32_t i = 0; i <= BTT_METAINFO_MAX_TRACKERS; i++)
		many[i] = "udp://t:1";
	for (uint32_t n = BTT_METAINFO_MAX_TRACKERS - 1;
	     n <= BTT_METAINFO_MAX_TRACKERS + 1; n++) {
		int rc = btt_announce_init(&a, many, tiers, n, 1);
		assert_int_equal(
			rc, n <= BTT_METAINFO_MAX_TRACKERS ? 0 : BTT_ELIMIT);
		btt_announce_release(&a);
	}
	free(many);
	free(tiers);
	/* A trackerless torrent. */
	assert_int_equal(btt_announce_init(&a, NULL, NULL, 0, 1), 0);
	expect_wait(&a, T0, BTT_ANNOUNCE_NEVER);
	btt_announce_stop(&a);
	btt_announce_next(&a, T0, &x);
	assert_int_equal(x.what, BTT_ANNOUNCE_DONE);
	btt_announce_release(&a);
}

static void test_announce_result_misuse(void **state)
{
	struct btt_announce a;
	struct btt_tracker_result r = ok(1800, 0);
	uint32_t t;
	(void)state;

	init(&a, URLS5, TIERS5, 5);
	assert_int_equal(btt_announce_on_result(&a, 0, &r, T0), BTT_EINVALID);
	assert_int_equal(btt_announce_on_result(&a, 5, &r, T0), BTT_EINVALID);
	t = expect_send(&a, T0, BTT_EVENT_STARTED);
	assert_int_equal(btt_announce_on_result(&a, t, &r, T0), 0);
	assert_int_equal(btt_announce_on_result(&a, t, &r, T0), BTT_EINVALID);
	assert_int_equal(a.in_flight, 0);
	btt_announce_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_announce_tier_order),
		cmocka_unit_test(test_announce_first_round),
		cmocka_unit_test(test_announce_failover_promotion),
		cmocka_unit_test(test_announce_all_fail),
		cmocka_unit_test(test_announce_backoff),
		cmocka_unit_test(test_announce_min_interval),
		cmocka_unit_test(test_announce_interval_clamp),
		cmocka_unit_test(test_announce_completed),
		cmocka_unit_test(test_announce_stop),
		cmocka_unit_test(test_announce_stop_in_flight),
		cmocka_unit_test(test_announce_status),
		cmocka_unit_test(test_announce_unsupported),
		cmocka_unit_test(test_announce_init_errors),
		cmocka_unit_test(test_announce_result_misuse),
	};
	return cmocka_run_group_tests(tests, setup_seed, teardown_seed);
}
