/* A torrent's timed work: every session tick (100 ms) the rate limits
 * refill and waiting peers resume; every second the peers' timers run,
 * pipelines refill, candidates are dialled, trackers are served, resume
 * data is saved when pieces passed, and the seed ratio is checked; every
 * BTT_CHOKER_INTERVAL_MS the choker decides whom we upload to. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "bt/torrent_int.h"
#include "btt/err.h"
#include "io/tcp.h"

static struct tpeer *peer_at(const struct btt_torrent *t, size_t i)
{
	return *(struct tpeer **)btt_vec_at(&t->peers, i);
}

void tk_choke(struct btt_torrent *t, uint64_t now)
{
	size_t n = btt_vec_len(&t->peers), m = 0, nch = 0;
	struct btt_choker_peer *cp;
	struct btt_choker_change *ch;

	t->last_choke = now;
	if (!n)
		return;
	cp = calloc(n, sizeof(*cp));
	ch = calloc(n, sizeof(*ch));
	if (!cp || !ch)
		abort();
	for (size_t i = 0; i < n; i++) {
		const struct tpeer *tp = peer_at(t, i);
		if (!tp->handshaken || tp->dead)
			continue;
		cp[m++] = (struct btt_choker_peer){
			.id = tp->id,
			.interested = tp->core.peer_interested,
			.is_seed = tp->core.has_all ||
				   btt_bitfield_all(&tp->core.have),
			.snubbed = tp->core.snubbed,
			.unchoked = !tp->core.am_choking,
			.unchoked_at = tp->unchoked_at,
			.connected_at = tp->born,
			.down_rate = tp->core.down_rate,
			.up_rate = tp->core.up_rate,
		};
	}
	if (btt_choker_run(&t->choker, now, tt_seeding(t), cp, m, ch, &nch) ==
	    0) {
		for (size_t i = 0; i < nch; i++) {
			struct tpeer *tp = tp_by_id(t, ch[i].id);
			if (!tp)
				continue;
			btt_peer_set_choke(&tp->core, !ch[i].unchoke);
			if (ch[i].unchoke)
				tp->unchoked_at = now;
			tp_flush(tp);
		}
	}
	free(cp);
	free(ch);
}

void tk_maybe_unchoke(struct tpeer *tp)
{
	struct btt_torrent *t = tp->t;
	uint32_t slots = btt_choker_slots(&t->choker.cfg) +
			 t->choker.cfg.optimistic_slots;
	uint32_t open = 0;

	if (!tp->core.am_choking || !tt_running(t))
		return;
	for (size_t i = 0; i < btt_vec_len(&t->peers); i++)
		open += !peer_at(t, i)->core.am_choking;
	if (open >= slots)
		return;
	btt_peer_set_choke(&tp->core, false);
	tp->unchoked_at = ss_now(t->s);
}

static void update_rates(struct btt_torrent *t, uint64_t now)
{
	uint64_t dt = now - t->rate_at;

	if (dt < 1000)
		return;
	t->down_rate = (t->downloaded - t->rate_down_mark) * 1000 / dt;
	t->up_rate = (t->uploaded - t->rate_up_mark) * 1000 / dt;
	t->rate_down_mark = t->downloaded;
	t->rate_up_mark = t->uploaded;
	t->rate_at = now;
}

/* A peer whose write queue stays full without shrinking is not reading
 * what it asked for. Reading from it is paused meanwhile (so its own
 * silence proves nothing); this is what times it out. */
static bool write_stuck(struct tpeer *tp, uint64_t now)
{
	size_t q;

	if (!tp->tcp || !btt_tcp_write_full(tp->tcp)) {
		tp->wq_at = now;
		tp->wq_last = SIZE_MAX;
		return false;
	}
	q = btt_tcp_write_queued(tp->tcp);
	if (q < tp->wq_last || !tp->wq_at) {
		tp->wq_last = q;
		tp->wq_at = now;
	}
	return now - tp->wq_at >= BTT_PEER_IDLE_MS;
}

static void tick_peers(struct btt_torrent *t, uint64_t now)
{
	for (size_t i = btt_vec_len(&t->peers); i-- > 0;) {
		struct tpeer *tp = peer_at(t, i);
		int rc = btt_peer_tick(&tp->core, now, tp->paused);
		if (rc == 0 && write_stuck(tp, now)) {
			tp_drop(tp, -ETIMEDOUT,
				"not reading what it asked for");
			continue;
		}
		if (rc) {
			tp_drop(tp, rc, tp->core.why);
			continue;
		}
		tp_flush(tp);
	}
	for (size_t i = 0; i < btt_vec_len(&t->peers); i++)
		tx_fill(peer_at(t, i));
}

static void check_ratio(struct btt_torrent *t)
{
	uint64_t goal;

	if (!tt_seeding(t) || !t->o.download || !t->o.seed_ratio_milli)
		return;
	/* of what we chose to download (everything, without a selection) */
	goal = t->wanted_bytes / 1000 * t->o.seed_ratio_milli +
	       t->wanted_bytes % 1000 * t->o.seed_ratio_milli / 1000;
	if (t->uploaded >= goal)
		btt_torrent_stop(t);
}

void tk_tick(struct btt_torrent *t, uint64_t now, bool second)
{
	btt_ratelimit_refill(&t->down, now);
	btt_ratelimit_refill(&t->up, now);
	if (t->state == BTT_TORRENT_STOPPING) {
		tt_stop_progress(t);
		return;
	}
	if (!tt_running(t))
		return;
	for (size_t i = 0; i < btt_vec_len(&t->peers); i++)
		if (peer_at(t, i)->paused)
			tp_update_read(peer_at(t, i));
	if ((t->up_waiting && btt_ratelimit_ok(&t->up) &&
	     btt_ratelimit_ok(&t->s->up)) ||
	    t->read_starved) {
		t->up_waiting = t->read_starved = false;
		tx_serve_all(t);
	}
	if (!second)
		return;
	update_rates(t, now);
	tick_peers(t, now);
	if (now - t->last_choke >= BTT_CHOKER_INTERVAL_MS)
		tk_choke(t, now);
	tp_dial(t);
	/* Downloading with nobody to talk to: ask the trackers again as
	 * soon as their min interval allows. */
	if (t->state == BTT_TORRENT_DOWNLOADING && !btt_vec_len(&t->peers))
		tg_more_peers(t);
	tg_pump(t);
	if (t->passed_since_save && now - t->last_save >= TP_RESUME_SAVE_MS)
		tt_save_resume(t);
	check_ratio(t);
}
