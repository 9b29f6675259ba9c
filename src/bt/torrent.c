/* A torrent's lifecycle: creation, opening and checking the storage,
 * completion, stopping, the error path and freeing (see torrent.h).
 *
 * Invariants: state moves CHECKING -> DOWNLOADING/SEEDING -> STOPPING ->
 * STOPPED and never back, except DOWNLOADING -> SEEDING when done and
 * SEEDING -> DOWNLOADING when new file priorities want more
 * (torrent_prio.c).
 * Peers exist only while running. The torrent is freed only after its
 * storage closed (or when the session drains the pool first), because
 * storage callbacks point at it. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bt/handshake.h"
#include "bt/resume.h"
#include "bt/torrent_int.h"
#include "btt/err.h"
#include "core/codec.h"
#include "core/log.h"

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

static char *default_resume_path(const struct btt_torrent *t)
{
	const struct btt_metainfo *mi = t->mi;
	char hex[65];
	size_t n = strlen(t->dir) + 80;
	char *p = malloc(n);

	if (!p)
		abort();
	if (mi->has_v1)
		btt_hex_encode(mi->ih_v1, 20, hex);
	else
		btt_hex_encode(mi->ih_v2, 32, hex);
	snprintf(p, n, "%s/.btt/%s.resume", t->dir, hex);
	return p;
}

/* ---- storage callbacks ---- */

static void on_piece(void *arg, uint32_t piece, int result)
{
	struct btt_torrent *t = arg;

	if (t->s->freeing)
		return;
	if (result == 0 && !btt_picker_have(t->pk, piece))
		tf_piece_have(t, piece);
	if (result == 0)
		tx_piece_passed(t, piece);
	else if (result == BTT_EHASH)
		tx_piece_failed(t, piece);
}

static void on_error(void *arg, int err, const char *msg)
{
	struct btt_torrent *t = arg;

	if (!t->s->freeing)
		tt_fail(t, err, "%s", msg);
}

static void on_writable(void *arg)
{
	struct btt_torrent *t = arg;

	if (!t->s->freeing)
		tx_writable(t);
}

/* ---- creation ---- */

static int make_parts(struct btt_torrent *t)
{
	const struct btt_metainfo *mi = t->mi;
	struct btt_picker_sizes sz = {
		.num_pieces = mi->num_pieces,
		.piece_length = mi->piece_length,
		.total_length = mi->stream_length,
		.piece_size = tx_piece_size,
		.ctx = t,
	};
	struct btt_bt_storage_opts so = {
		.mi = mi,
		.dir = t->dir,
		.pool = t->s->pool,
		.buffer_cap = t->o.write_buffer,
		.on_piece = on_piece,
		.on_error = on_error,
		.on_writable = on_writable,
		.cb_arg = t,
	};
	struct btt_choker_config cc;
	int rc;

	if ((rc = btt_layout_init_metainfo(&t->layout, mi)) != 0 ||
	    (rc = btt_picker_new(&sz, &t->pk)) != 0 ||
	    (rc = btt_bt_storage_new(&so, &t->st)) != 0)
		return rc;
	btt_picker_sequential_set(t->pk, t->o.sequential);
	btt_choker_config_default(&cc);
	/* Upload slots follow the tighter of this torrent's limit and the
	 * session's (which every torrent shares). */
	cc.up_limit = t->o.up_limit;
	if (t->s->o.up_limit &&
	    (!cc.up_limit || t->s->o.up_limit < cc.up_limit))
		cc.up_limit = t->s->o.up_limit;
	if ((rc = btt_choker_init(&t->choker, &cc)) != 0 ||
	    (rc = tf_apply(t)) != 0)
		return rc;
	return tg_init(t);
}

int tt_new(struct btt_session *s, const struct btt_metainfo *mi,
	   const struct btt_torrent_opts *o, struct btt_torrent **out)
{
	struct btt_torrent *t = calloc(1, sizeof(*t));
	uint64_t now = ss_now(s);
	int rc;

	if (!t)
		abort();
	*out = NULL;
	t->s = s;
	t->mi = mi;
	t->o = *o;
	t->dir = xstrdup(o->dir);
	t->o.dir = NULL;
	t->resume_path = o->resume_path ? xstrdup(o->resume_path)
					: default_resume_path(t);
	t->o.resume_path = NULL;
	if (!t->o.max_peers)
		t->o.max_peers = BTT_TORRENT_DEFAULT_PEERS;
	if (mi->has_v1) {
		memcpy(t->ih, mi->ih_v1, 20);
		if (mi->has_v2) {
			btt_handshake_v2_hash(mi->ih_v2, t->ih_alt);
			t->has_alt = true;
		}
	} else {
		btt_handshake_v2_hash(mi->ih_v2, t->ih);
	}
	t->has_pad = mi->num_pad_files > 0;
	t->state = BTT_TORRENT_CHECKING;
	btt_vec_init(&t->peers, sizeof(struct tpeer *));
	btt_vec_init(&t->cands, sizeof(struct tcand));
	btt_vec_init(&t->stash, sizeof(void *));
	btt_hmap_init(&t->by_id, sizeof(uint32_t));
	btt_hmap_init(&t->cand_by, sizeof(struct btt_addr));
	btt_ratelimit_init(&t->down, o->down_limit, now);
	btt_ratelimit_init(&t->up, o->up_limit, now);
	t->rate_at = t->last_save = now;
	t->next_id = 1;
	t->o.file_prio = NULL;
	if ((rc = tf_init(t, o)) != 0 || (rc = make_parts(t)) != 0) {
		tt_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

void tt_free(struct btt_torrent *t)
{
	if (!t)
		return;
	tp_drop_all(t);
	tx_stash_free(t);
	tg_release(t);
	sb_release(t);
	btt_bt_storage_free(t->st);
	btt_picker_free(t->pk);
	btt_choker_release(&t->choker);
	btt_vec_release(&t->peers);
	btt_vec_release(&t->cands);
	btt_vec_release(&t->stash);
	btt_hmap_release(&t->by_id);
	btt_hmap_release(&t->cand_by);
	free(t->picks);
	free(t->file_prio);
	free(t->dir);
	free(t->resume_path);
	free(t);
}

/* ---- opening and checking ---- */

/* The event handlers may stop the torrent or change file priorities
 * (and with them the state): each step looks at the state again. */
static void become_running(struct btt_torrent *t)
{
	bool done = btt_picker_complete(t->pk);

	t->checked = true;
	t->state = done || !t->o.download ? BTT_TORRENT_SEEDING
					  : BTT_TORRENT_DOWNLOADING;
	ss_event(t->s, t, BTT_TORRENT_EV_CHECKED);
	if (!tt_running(t))
		return;
	if (done && t->o.download && tt_seeding(t)) {
		ss_event(t->s, t, BTT_TORRENT_EV_COMPLETED);
		if (!tt_running(t))
			return;
		if (tt_seeding(t) && !t->o.seed) {
			btt_torrent_stop(t);
			return;
		}
	}
	tg_pump(t);
	tp_dial(t);
}

static void check_done(void *arg, int err)
{
	struct btt_torrent *t = arg;
	const struct btt_bitfield *have;

	if (t->state != BTT_TORRENT_CHECKING || t->s->freeing)
		return;
	if (err) {
		tt_fail(t, err, "checking %s: %s", t->dir, btt_strerror(err));
		return;
	}
	have = btt_bt_storage_have(t->st);
	t->recheck_valid =
		(uint32_t)btt_bitfield_count(have) - t->resume_trusted;
	for (size_t i = btt_bitfield_find_next_set(have, 0);
	     i < btt_bitfield_size(have);
	     i = btt_bitfield_find_next_set(have, i + 1)) {
		tf_piece_have(t, (uint32_t)i);
		btt_picker_have_set(t->pk, (uint32_t)i);
		t->have_bytes += tx_piece_content(t, (uint32_t)i);
	}
	become_running(t);
}

static void check_progress(void *arg, uint32_t done, uint32_t total)
{
	struct btt_torrent *t = arg;

	t->check_done = done;
	t->check_total = total;
}

static void open_done(void *arg, int err, const struct btt_bitfield *recheck)
{
	struct btt_torrent *t = arg;
	int rc;

	if (t->state != BTT_TORRENT_CHECKING || t->s->freeing)
		return;
	if (err) {
		tt_fail(t, err, "opening %s: %s", t->dir, btt_strerror(err));
		return;
	}
	t->resume_trusted =
		(uint32_t)btt_bitfield_count(btt_bt_storage_have(t->st));
	t->rechecked = t->check_total = (uint32_t)btt_bitfield_count(recheck);
	if (!t->rechecked) {
		check_done(t, 0);
		return;
	}
	rc = btt_bt_storage_check(t->st, recheck, check_progress, check_done,
				  t);
	if (rc)
		tt_fail(t, rc, "checking %s: %s", t->dir, btt_strerror(rc));
}

/* mkdir -p of the resume file's directory; failure only means no resume
 * data (a read-only seed directory, say). */
static void make_resume_dir(struct btt_torrent *t)
{
	char *d = xstrdup(t->resume_path);

	for (char *p = d + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(d, 0755) && errno != EEXIST)
			BTT_LOG(BTT_LOG_DEBUG, "torrent", "mkdir %s: %s", d,
				strerror(errno));
		*p = '/';
	}
	free(d);
}

void tt_start(struct btt_torrent *t)
{
	struct btt_resume r;
	struct btt_resume_err re = {0};
	int rc;

	make_resume_dir(t);
	rc = btt_resume_load(&r, t->mi, t->resume_path, &re);
	if (rc && rc != -ENOENT && rc != -ENOTDIR)
		BTT_LOG(BTT_LOG_WARN, "torrent", "%s: %s; checking the data",
			t->resume_path, re.msg[0] ? re.msg : btt_strerror(rc));
	rc = btt_bt_storage_open(t->st, rc ? NULL : &r, open_done, t);
	if (rc == 0 || rc != BTT_EINVALID)
		btt_resume_release(&r);
	if (rc)
		tt_fail(t, rc, "opening %s: %s", t->dir, btt_strerror(rc));
}

/* ---- running, completion, errors ---- */

bool tt_running(const struct btt_torrent *t)
{
	return t->state == BTT_TORRENT_DOWNLOADING ||
	       t->state == BTT_TORRENT_SEEDING;
}

bool tt_seeding(const struct btt_torrent *t)
{
	return t->state == BTT_TORRENT_SEEDING;
}

bool btt_torrent_complete(const struct btt_torrent *t)
{
	return btt_bitfield_all(btt_picker_have_bitfield(t->pk));
}

bool btt_torrent_done(const struct btt_torrent *t)
{
	return t->checked && btt_picker_complete(t->pk);
}

void tt_complete(struct btt_torrent *t)
{
	t->state = BTT_TORRENT_SEEDING;
	if (btt_torrent_complete(t))
		tg_completed(t);
	tt_save_resume(t);
	ss_event(t->s, t, BTT_TORRENT_EV_COMPLETED);
	if (t->state != BTT_TORRENT_SEEDING)
		return; /* the event handler stopped us or wants more */
	if (!t->o.seed) {
		btt_torrent_stop(t);
		return;
	}
	/* Nothing more to ask for; seeds have nothing to trade with us. */
	for (size_t i = btt_vec_len(&t->peers); i-- > 0;) {
		struct tpeer *tp = *(struct tpeer **)btt_vec_at(&t->peers, i);
		btt_peer_set_interested(&tp->core, false);
		tp_flush(tp);
		if (tp->core.has_all || btt_bitfield_all(&tp->core.have))
			tp_drop(tp, BTT_ESTATE, "both sides are seeds");
	}
}

void tt_fail(struct btt_torrent *t, int err, const char *fmt, ...)
{
	va_list ap;

	if (!t->error) {
		t->error = err;
		va_start(ap, fmt);
		vsnprintf(t->errmsg, sizeof(t->errmsg), fmt, ap);
		va_end(ap);
		/* The owner reports it (stats.errmsg); this is for logs. */
		BTT_LOG(BTT_LOG_INFO, "torrent", "%s: %s", t->mi->name,
			t->errmsg);
	}
	btt_torrent_stop(t);
}

static void save_done(void *arg, int err)
{
	struct btt_torrent *t = arg;

	t->saving = false;
	if (err)
		BTT_LOG(BTT_LOG_WARN, "torrent", "saving %s: %s",
			t->resume_path, btt_strerror(err));
}

void tt_save_resume(struct btt_torrent *t)
{
	if (t->saving || !tt_running(t))
		return;
	t->last_save = ss_now(t->s);
	t->passed_since_save = 0;
	if (btt_bt_storage_save_resume(t->st, t->resume_path, save_done, t) ==
	    0)
		t->saving = true;
}

/* ---- stopping ---- */

void tt_close_done(void *arg, int err)
{
	struct btt_torrent *t = arg;

	t->storage_closed = true;
	if (err && !t->error) {
		t->error = err;
		snprintf(t->errmsg, sizeof(t->errmsg), "closing %s: %s", t->dir,
			 btt_strerror(err));
	}
	if (!t->s->freeing)
		tt_stop_progress(t);
}

void tt_stop_progress(struct btt_torrent *t)
{
	if (t->state != BTT_TORRENT_STOPPING || !t->storage_closed)
		return;
	if (!t->announce_done && ss_now(t->s) < t->stop_deadline)
		return;
	t->state = BTT_TORRENT_STOPPED;
	tg_release(t);
	ss_event(t->s, t, BTT_TORRENT_EV_STOPPED);
	ss_torrent_stopped(t->s);
}

void btt_torrent_stop(struct btt_torrent *t)
{
	bool opened = t->state != BTT_TORRENT_CHECKING;
	int rc;

	if (t->state >= BTT_TORRENT_STOPPING)
		return;
	t->state = BTT_TORRENT_STOPPING;
	t->stop_deadline = ss_now(t->s) + BTT_TORRENT_STOP_MS;
	tp_drop_all(t);
	tx_stash_free(t);
	tg_stop(t);
	/* Resume data is saved only once the storage knew what was there;
	 * an aborted check would record less than the disk holds. */
	rc = btt_bt_storage_close(t->st, opened ? t->resume_path : NULL,
				  tt_close_done, t);
	if (rc)
		t->storage_closed = true;
	tt_stop_progress(t);
}

/* ---- introspection ---- */

void btt_torrent_stats(const struct btt_torrent *t,
		       struct btt_torrent_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->state = t->state;
	out->num_pieces = t->mi->num_pieces;
	out->have_pieces =
		(uint32_t)btt_bitfield_count(btt_picker_have_bitfield(t->pk));
	out->total_bytes = t->mi->total_length;
	out->have_bytes = t->have_bytes;
	out->wanted_bytes = t->wanted_bytes;
	out->wanted_have = t->wanted_have;
	out->downloaded = t->downloaded;
	out->uploaded = t->uploaded;
	out->wasted = t->wasted;
	out->hash_failures = t->hash_failures;
	out->down_rate = t->down_rate;
	out->up_rate = t->up_rate;
	out->peers = t->npeers_active;
	out->connecting = (uint32_t)btt_vec_len(&t->peers) - t->npeers_active;
	out->candidates = (uint32_t)btt_vec_len(&t->cands);
	out->resume_trusted = t->resume_trusted;
	out->rechecked = t->rechecked;
	out->recheck_valid = t->recheck_valid;
	out->check_done = t->check_done;
	out->check_total = t->check_total;
	out->error = t->error;
	out->errmsg = t->errmsg;
}

const struct btt_metainfo *btt_torrent_metainfo(const struct btt_torrent *t)
{
	return t->mi;
}
