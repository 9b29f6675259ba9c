/* Bencoding of a created torrent.
 *
 * Every dict is written with its keys in sorted order, so the output is
 * canonical and our own decoder accepts it byte for byte. The info dict is
 * encoded on its own first: its SHA-1 / SHA-256 are the info-hashes, and
 * it is copied verbatim into the outer dict. The v2 file tree is written
 * from the sorted file list without recursion, opening and closing
 * directory dicts as consecutive paths diverge. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bencode/bencode_int.h"
#include "btt/err.h"
#include "bt/create_int.h"
#include "core/limits.h"
#include "crypto/hash.h"
#include "crypto/merkle.h"

struct span {
	const char *p;
	size_t n;
};

/* Splits a '/'-joined path into at most max components; returns count. */
static size_t split_path(const char *rel, struct span *out, size_t max)
{
	size_t n = 0;
	const char *s = rel;

	while (n < max) {
		const char *slash = strchr(s, '/');
		out[n].p = s;
		out[n].n = slash ? (size_t)(slash - s) : strlen(s);
		n++;
		if (!slash)
			break;
		s = slash + 1;
	}
	return n;
}

static bool span_eq(struct span a, struct span b)
{
	return a.n == b.n && !memcmp(a.p, b.p, a.n);
}

static void put_path(struct btt_wbuf *w, const char *rel)
{
	struct span comp[BTT_METAINFO_MAX_PATH_DEPTH];
	size_t n = split_path(rel, comp, BTT_METAINFO_MAX_PATH_DEPTH);

	btt_benc_list(w);
	for (size_t i = 0; i < n; i++)
		btt_benc_str(w, comp[i].p, comp[i].n);
	btt_benc_end(w);
}

/* BEP 47 attributes of a real file: only "x" is ever set (hidden and
 * symlink files are not added). */
static void put_exec(struct btt_wbuf *w, const struct create_file *f)
{
	if (!f->exec)
		return;
	btt_benc_cstr(w, "attr");
	btt_benc_cstr(w, "x");
}

/* BEP 47 pad file as libtorrent names it: path [".pad", "<bytes>"]. */
static void put_pad(struct btt_wbuf *w, uint64_t len)
{
	char num[24];
	int k = snprintf(num, sizeof(num), "%llu", (unsigned long long)len);

	btt_benc_dict(w);
	btt_benc_cstr(w, "attr");
	btt_benc_cstr(w, "p");
	btt_benc_cstr(w, "length");
	btt_benc_int(w, (int64_t)len);
	btt_benc_cstr(w, "path");
	btt_benc_list(w);
	btt_benc_cstr(w, ".pad");
	btt_benc_str(w, num, (size_t)k);
	btt_benc_end(w);
	btt_benc_end(w);
}

static void put_files_v1(const struct create_ctx *c, struct btt_wbuf *w)
{
	btt_benc_cstr(w, "files");
	btt_benc_list(w);
	for (uint32_t i = 0; i < c->nfiles; i++) {
		const struct create_file *f = &c->files[i];
		btt_benc_dict(w);
		put_exec(w, f);
		btt_benc_cstr(w, "length");
		btt_benc_int(w, (int64_t)f->size);
		btt_benc_cstr(w, "path");
		put_path(w, f->rel);
		btt_benc_end(w);
		if (c->version == BTT_CREATE_HYBRID && c->nfiles > 1 &&
		    f->size % c->piece_len)
			put_pad(w, c->piece_len - f->size % c->piece_len);
	}
	btt_benc_end(w);
}

/* A file-tree leaf: {"": {"length": n, "pieces root": root}}. */
static void put_leaf(struct btt_wbuf *w, const struct create_file *f)
{
	btt_benc_dict(w);
	btt_benc_str(w, "", 0);
	btt_benc_dict(w);
	put_exec(w, f);
	btt_benc_cstr(w, "length");
	btt_benc_int(w, (int64_t)f->size);
	if (f->size) {
		btt_benc_cstr(w, "pieces root");
		btt_benc_str(w, f->root, sizeof(f->root));
	}
	btt_benc_end(w);
	btt_benc_end(w);
}

static void put_file_tree(const struct create_ctx *c, struct btt_wbuf *w)
{
	struct span prev[BTT_METAINFO_MAX_PATH_DEPTH];
	struct span cur[BTT_METAINFO_MAX_PATH_DEPTH];
	size_t open = 0; /* directory dicts open: prev[0..open) */

	btt_benc_cstr(w, "file tree");
	btt_benc_dict(w);
	for (uint32_t i = 0; i < c->nfiles; i++) {
		size_t n = split_path(c->files[i].rel, cur,
				      BTT_METAINFO_MAX_PATH_DEPTH);
		size_t common = 0;
		while (common < open && common + 1 < n &&
		       span_eq(prev[common], cur[common]))
			common++;
		for (; open > common; open--)
			btt_benc_end(w);
		for (; open + 1 < n; open++) {
			btt_benc_str(w, cur[open].p, cur[open].n);
			btt_benc_dict(w);
		}
		btt_benc_str(w, cur[n - 1].p, cur[n - 1].n);
		put_leaf(w, &c->files[i]);
		memcpy(prev, cur, n * sizeof(*cur));
	}
	for (; open; open--)
		btt_benc_end(w);
	btt_benc_end(w);
}

static void put_info(const struct create_ctx *c, struct btt_wbuf *w)
{
	bool v1 = c->version & BTT_CREATE_V1, v2 = c->version & BTT_CREATE_V2;

	btt_benc_dict(w);
	/* A single file's attributes sit in the info dict itself (v1 view);
	 * "attr" sorts before every other info key. */
	if (v1 && c->single)
		put_exec(w, &c->files[0]);
	if (v2)
		put_file_tree(c, w);
	if (v1 && !c->single)
		put_files_v1(c, w);
	if (v1 && c->single) {
		btt_benc_cstr(w, "length");
		btt_benc_int(w, (int64_t)c->files[0].size);
	}
	if (v2) {
		btt_benc_cstr(w, "meta version");
		btt_benc_int(w, 2);
	}
	btt_benc_cstr(w, "name");
	btt_benc_cstr(w, c->name);
	btt_benc_cstr(w, "piece length");
	btt_benc_int(w, (int64_t)c->piece_len);
	if (v1) {
		btt_benc_cstr(w, "pieces");
		btt_benc_str(w, c->sha1, (size_t)c->npieces * BTT_SHA1_LEN);
	}
	if (c->opts->is_private) {
		btt_benc_cstr(w, "private");
		btt_benc_int(w, 1);
	}
	btt_benc_end(w);
}

static int root_cmp(const void *a, const void *b, void *arg)
{
	const struct create_ctx *c = arg;
	const struct create_file *fa = &c->files[*(const uint32_t *)a];
	const struct create_file *fb = &c->files[*(const uint32_t *)b];
	return memcmp(fa->root, fb->root, sizeof(fa->root));
}

/* "piece layers": one entry per distinct root of a file longer than a
 * piece (identical files share a root and an entry), sorted by root. */
static void put_piece_layers(const struct create_ctx *c, struct btt_wbuf *w)
{
	uint32_t *idx = malloc(((size_t)c->nfiles + 1) * sizeof(*idx));
	uint32_t n = 0;

	if (!idx)
		abort();
	for (uint32_t i = 0; i < c->nfiles; i++)
		if (c->files[i].size > c->piece_len)
			idx[n++] = i;
	qsort_r(idx, n, sizeof(*idx), root_cmp, (void *)c);
	btt_benc_cstr(w, "piece layers");
	btt_benc_dict(w);
	for (uint32_t k = 0; k < n; k++) {
		const struct create_file *f = &c->files[idx[k]];
		if (k && !memcmp(f->root, c->files[idx[k - 1]].root, 32))
			continue;
		btt_benc_str(w, f->root, sizeof(f->root));
		btt_benc_str(w, c->layers + (size_t)f->first_piece * 32,
			     ((size_t)f->last_piece - f->first_piece + 1) * 32);
	}
	btt_benc_end(w);
	free(idx);
}

static void put_urls(struct btt_wbuf *w, const char *const *urls, size_t n)
{
	if (n == 1) {
		btt_benc_cstr(w, urls[0]);
		return;
	}
	btt_benc_list(w);
	for (size_t i = 0; i < n; i++)
		btt_benc_cstr(w, urls[i]);
	btt_benc_end(w);
}

static void put_torrent(const struct create_ctx *c, struct btt_wbuf *w,
			const struct btt_wbuf *info)
{
	const struct btt_create_opts *o = c->opts;

	btt_benc_dict(w);
	if (o->num_trackers) {
		btt_benc_cstr(w, "announce");
		btt_benc_cstr(w, o->trackers[0]);
	}
	if (o->num_trackers > 1) {
		btt_benc_cstr(w, "announce-list");
		btt_benc_list(w);
		for (size_t i = 0; i < o->num_trackers; i++) {
			btt_benc_list(w);
			btt_benc_cstr(w, o->trackers[i]);
			btt_benc_end(w);
		}
		btt_benc_end(w);
	}
	if (o->comment) {
		btt_benc_cstr(w, "comment");
		btt_benc_cstr(w, o->comment);
	}
	btt_benc_cstr(w, "created by");
	btt_benc_cstr(w, "btt/" BTT_VERSION);
	if (o->has_date) {
		btt_benc_cstr(w, "creation date");
		btt_benc_int(w, o->date);
	}
	btt_benc_cstr(w, "info");
	btt_wbuf_put(w, info->buf, info->len);
	if (c->version & BTT_CREATE_V2)
		put_piece_layers(c, w);
	if (o->num_web_seeds) {
		btt_benc_cstr(w, "url-list");
		put_urls(w, o->web_seeds, o->num_web_seeds);
	}
	btt_benc_end(w);
}

int btt_bt_create_encode(struct create_ctx *c, struct btt_create_result *out)
{
	struct btt_wbuf info, w;
	int err;

	btt_wbuf_init(&info, BTT_METAINFO_MAX_SIZE);
	btt_wbuf_init(&w, BTT_METAINFO_MAX_SIZE);
	put_info(c, &info);
	if (!btt_wbuf_err(&info))
		put_torrent(c, &w, &info);
	err = btt_wbuf_err(&info) ? btt_wbuf_err(&info) : btt_wbuf_err(&w);
	if (err) {
		btt_bt_create_fail(c, err, true,
				   "%s: the torrent would exceed %u bytes: "
				   "choose a larger piece size or fewer files",
				   c->opts->path, BTT_METAINFO_MAX_SIZE);
		goto out;
	}
	if (c->version & BTT_CREATE_V1) {
		btt_sha1(info.buf, info.len, out->ih_v1);
		out->has_v1 = true;
	}
	if (c->version & BTT_CREATE_V2) {
		btt_sha256(info.buf, info.len, out->ih_v2);
		out->has_v2 = true;
	}
	out->torrent = btt_wbuf_detach(&w, &out->len);
out:
	btt_wbuf_release(&info);
	btt_wbuf_release(&w);
	return err;
}
