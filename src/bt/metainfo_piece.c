/* Reading a parsed metainfo: loading from disk, the piece stream (sizes,
 * hashes, piece to file), piece layers and the magnet link.
 *
 * All of it relies on the parse-time checks (metainfo.h): offsets are
 * ordered, hash arrays have exactly the lengths the files need, and in v2
 * every non-empty file starts on a piece boundary. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt/magnet.h"
#include "bt/metainfo.h"
#include "btt/err.h"
#include "core/limits.h"
#include "crypto/merkle.h"

static int load_fail(struct btt_metainfo_err *err, int code)
{
	if (err) {
		err->code = code;
		err->off = -1;
		snprintf(err->msg, sizeof(err->msg), "%s",
			 code == BTT_ELIMIT ? "larger than 30 MiB"
					    : btt_strerror(code));
	}
	return code;
}

/* Reads until EOF but never more than the cap + 1 bytes, so a file that
 * grows while it is read cannot push the buffer past the limit. */
int btt_metainfo_load(struct btt_metainfo *mi, const char *path,
		      struct btt_metainfo_err *err)
{
	const size_t max = BTT_METAINFO_MAX_SIZE;
	size_t len = 0, cap = 64 << 10;
	uint8_t *buf = NULL;
	FILE *f;
	int rc;

	memset(mi, 0, sizeof(*mi));
	if (!(f = fopen(path, "rb")))
		return load_fail(err, -errno);
	for (;;) {
		size_t r;
		if (!buf || len == cap) {
			uint8_t *nb;
			if (buf)
				cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			if (!(nb = realloc(buf, cap))) {
				rc = load_fail(err, -ENOMEM);
				goto out;
			}
			buf = nb;
		}
		r = fread(buf + len, 1, cap - len, f);
		len += r;
		if (len > max) {
			rc = load_fail(err, BTT_ELIMIT);
			goto out;
		}
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		rc = load_fail(err, -EIO);
		goto out;
	}
	rc = btt_metainfo_parse(mi, buf, len, err);
out:
	fclose(f);
	free(buf);
	return rc;
}

uint32_t btt_metainfo_piece_file(const struct btt_metainfo *mi, uint32_t p)
{
	uint64_t start;
	uint32_t lo = 0, hi = mi->num_files;

	if (p >= mi->num_pieces || !mi->num_files)
		return UINT32_MAX;
	start = (uint64_t)p * mi->piece_length;
	/* The last file whose offset is <= start. */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (mi->files[mid].offset <= start)
			lo = mid;
		else
			hi = mid;
	}
	/* An empty file shares its offset with the next file but holds no
	 * byte; step back to the file that really holds `start`. */
	while (lo > 0 && mi->files[lo].length == 0)
		lo--;
	return lo;
}

static uint64_t size_to(const struct btt_metainfo *mi, uint32_t p, uint64_t end)
{
	uint64_t start = (uint64_t)p * mi->piece_length;
	return end - start < mi->piece_length ? end - start : mi->piece_length;
}

uint64_t btt_metainfo_piece_size(const struct btt_metainfo *mi, uint32_t p)
{
	if (p >= mi->num_pieces)
		return 0;
	if (mi->has_v1)
		return size_to(mi, p, mi->stream_length);
	return btt_metainfo_piece_size_v2(mi, p);
}

uint64_t btt_metainfo_piece_size_v2(const struct btt_metainfo *mi, uint32_t p)
{
	const struct btt_file *f;

	if (!mi->has_v2 || p >= mi->num_pieces)
		return 0;
	f = &mi->files[btt_metainfo_piece_file(mi, p)];
	return size_to(mi, p, f->offset + f->length);
}

const uint8_t *btt_metainfo_piece_hash_v1(const struct btt_metainfo *mi,
					  uint32_t p)
{
	if (!mi->has_v1 || p >= mi->num_pieces)
		return NULL;
	return mi->pieces + (size_t)p * 20;
}

int btt_metainfo_piece_hash_v2(const struct btt_metainfo *mi, uint32_t p,
			       uint8_t out[32], size_t *out_width)
{
	const struct btt_file *f;
	uint64_t k, blocks;
	uint32_t fi;

	if (!mi->has_v2 || p >= mi->num_pieces)
		return BTT_EINVALID;
	fi = btt_metainfo_piece_file(mi, p);
	f = &mi->files[fi];
	if (f->length > mi->piece_length) {
		if (!f->piece_layer)
			return BTT_ENOTFOUND;
		k = ((uint64_t)p * mi->piece_length - f->offset) /
		    mi->piece_length;
		memcpy(out, f->piece_layer + k * 32, 32);
		*out_width = (size_t)(mi->piece_length / BTT_MERKLE_BLOCK);
		return 0;
	}
	blocks = (f->length + BTT_MERKLE_BLOCK - 1) / BTT_MERKLE_BLOCK;
	memcpy(out, f->pieces_root, 32);
	*out_width = btt_merkle_width((size_t)blocks);
	return 0;
}

bool btt_metainfo_piece_layer(const struct btt_metainfo *mi, uint32_t f,
			      const uint8_t **out, size_t *out_len)
{
	const struct btt_file *fl;

	if (f >= mi->num_files || !mi->files[f].piece_layer)
		return false;
	fl = &mi->files[f];
	*out = fl->piece_layer;
	*out_len = (size_t)((fl->length + mi->piece_length - 1) /
			    mi->piece_length) *
		   32;
	return true;
}

int btt_metainfo_magnet(const struct btt_metainfo *mi, struct btt_wbuf *out)
{
	struct btt_magnet m = {
		.has_v1 = mi->has_v1,
		.has_v2 = mi->has_v2,
		.name = mi->name,
		.trackers = mi->trackers,
		.num_trackers = mi->num_trackers,
		.webseeds = mi->webseeds,
		.num_webseeds = mi->num_webseeds,
	};

	memcpy(m.ih_v1, mi->ih_v1, sizeof(m.ih_v1));
	memcpy(m.ih_v2, mi->ih_v2, sizeof(m.ih_v2));
	return btt_magnet_write(&m, out);
}
