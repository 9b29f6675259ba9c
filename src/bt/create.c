/* Torrent creation: checks the options, then walk (create_walk.c), lay
 * out and hash (create_hash.c), encode (create_encode.c).
 *
 * The options are held to the same limits a parsed torrent obeys
 * (core/limits.h), so anything btt creates, btt can also load. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "bt/create_int.h"
#include "core/limits.h"
#include "io/pool.h"

uint64_t btt_bt_create_piece_size(uint64_t total)
{
	uint64_t ps = BTT_CREATE_MIN_PIECE;

	while (ps < BTT_CREATE_MAX_PIECE &&
	       total / ps + (total % ps != 0) > BTT_CREATE_AUTO_MAX_PIECES)
		ps <<= 1;
	return ps;
}

int btt_bt_create_fail(struct create_ctx *c, int err, bool bad_input,
		       const char *fmt, ...)
{
	va_list ap;

	if (c->err)
		return err;
	c->err = err;
	c->bad_input = bad_input;
	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	return err;
}

static int check_urls(struct create_ctx *c, const char *what,
		      const char *const *urls, size_t n, size_t max)
{
	if (n > max)
		return btt_bt_create_fail(c, BTT_ELIMIT, true,
					  "too many %ss (at most %zu)", what,
					  max);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(urls[i]);
		if (!len || len > BTT_METAINFO_MAX_URL_LEN)
			return btt_bt_create_fail(
				c, BTT_EINVALID, true,
				"%s URL must be 1 to %u bytes long", what,
				BTT_METAINFO_MAX_URL_LEN);
	}
	return 0;
}

static int check_opts(struct create_ctx *c)
{
	const struct btt_create_opts *o = c->opts;
	uint64_t ps = o->piece_size;

	c->version = o->version ? o->version : BTT_CREATE_V1;
	if (!o->path || !*o->path)
		return btt_bt_create_fail(c, BTT_EINVALID, true, "no path");
	if (c->version < BTT_CREATE_V1 || c->version > BTT_CREATE_HYBRID)
		return btt_bt_create_fail(c, BTT_EINVALID, true,
					  "unknown torrent version %d",
					  (int)c->version);
	if (ps && (ps < BTT_CREATE_MIN_PIECE || ps > BTT_CREATE_MAX_PIECE ||
		   (ps & (ps - 1))))
		return btt_bt_create_fail(
			c, BTT_EINVALID, true,
			"piece size %llu: must be a power of two from %u to %u",
			(unsigned long long)ps, BTT_CREATE_MIN_PIECE,
			BTT_CREATE_MAX_PIECE);
	if (o->comment && strlen(o->comment) > BTT_METAINFO_MAX_COMMENT)
		return btt_bt_create_fail(c, BTT_ELIMIT, true,
					  "comment longer than %u bytes",
					  BTT_METAINFO_MAX_COMMENT);
	if (o->has_date && o->date < 0)
		return btt_bt_create_fail(c, BTT_EINVALID, true,
					  "negative creation date");
	if (check_urls(c, "tracker", o->trackers, o->num_trackers,
		       BTT_METAINFO_MAX_TRACKERS) ||
	    check_urls(c, "web seed", o->web_seeds, o->num_web_seeds,
		       BTT_METAINFO_MAX_WEBSEEDS))
		return c->err;
	return 0;
}

static void ctx_release(struct create_ctx *c)
{
	for (uint32_t i = 0; i < c->nfiles; i++) {
		free(c->files[i].rel);
		free(c->files[i].open_path);
	}
	free(c->files);
	free(c->name);
	free(c->sha1);
	free(c->layers);
}

static int create(struct create_ctx *c, struct btt_create_result *out)
{
	unsigned threads = c->opts->threads;
	int err;

	if ((err = check_opts(c)) || (err = btt_bt_create_walk(c)))
		return err;
	if (!c->total)
		return btt_bt_create_fail(c, BTT_EINVALID, true,
					  "%s: no data: every file is empty",
					  c->opts->path);
	c->piece_len = c->opts->piece_size ? c->opts->piece_size
					   : btt_bt_create_piece_size(c->total);
	if ((err = btt_bt_create_layout(c)))
		return err;
	if (c->opts->ready &&
	    (err = c->opts->ready(c->opts->cb_arg, c->name, c->total)))
		return btt_bt_create_fail(c, err, true,
					  "stopped before hashing");
	if (!threads)
		threads = btt_pool_cpus();
	if (threads > BTT_POOL_MAX_THREADS)
		threads = BTT_POOL_MAX_THREADS;
	if ((err = btt_bt_create_hash(c, threads)) ||
	    (err = btt_bt_create_encode(c, out)))
		return err;
	return 0;
}

int btt_bt_create(const struct btt_create_opts *opts,
		  struct btt_create_result *out)
{
	struct create_ctx c = {.opts = opts};
	int err;

	memset(out, 0, sizeof(*out));
	err = create(&c, out);
	if (err) {
		btt_bt_create_result_release(out);
		out->bad_input = c.bad_input;
		memcpy(out->msg, c.msg, sizeof(out->msg));
	} else {
		out->name = c.name;
		c.name = NULL;
		out->piece_size = c.piece_len;
		out->total_size = c.total;
		out->num_pieces = c.npieces;
		out->num_files = c.nfiles;
	}
	ctx_release(&c);
	return err;
}

void btt_bt_create_result_release(struct btt_create_result *r)
{
	free(r->torrent);
	free(r->name);
	memset(r, 0, sizeof(*r));
}
