/* .torrent parsing: the outer dict (trackers, web seeds, comment), the
 * fields every info dict shares (name, piece length, private, meta
 * version), the info-hashes, and the piece accessors.
 *
 * Invariants: a metainfo is either fully parsed and checked or zeroed;
 * on any failure everything is released before returning. Info-hashes are
 * computed over the raw `info` bytes as received (the decoder accepts only
 * canonical bencode, so that equals the one valid encoding). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt/magnet.h"
#include "bt/metainfo_int.h"
#include "bt/path.h"
#include "btt/err.h"
#include "core/limits.h"
#include "core/log.h"
#include "crypto/hash.h"
#include "crypto/merkle.h"

int btt_mi_fail(struct btt_mi_parse *p, int code, uint32_t node,
		const char *fmt, ...)
{
	va_list ap;

	if (!p->err)
		return code;
	p->err->code = code;
	p->err->off = node < p->d->n ? (int64_t)p->d->nodes[node].off : -1;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return code;
}

char *btt_mi_strdup(struct btt_cur s)
{
	char *r = malloc(btt_cur_len(&s) + 1);

	if (!r)
		abort();
	if (btt_cur_len(&s))
		memcpy(r, btt_cur_data(&s), btt_cur_len(&s));
	r[btt_cur_len(&s)] = 0;
	return r;
}

struct btt_file *btt_mi_file_add(struct btt_file **files, uint32_t *num,
				 uint32_t *cap)
{
	struct btt_file *f;

	if (*num >= BTT_METAINFO_MAX_FILES)
		return NULL;
	if (*num == *cap) {
		uint32_t nc = *cap ? *cap * 2 : 8;
		if (nc > BTT_METAINFO_MAX_FILES)
			nc = BTT_METAINFO_MAX_FILES;
		f = realloc(*files, (size_t)nc * sizeof(*f));
		if (!f)
			abort(); /* bounded by the file cap */
		*files = f;
		*cap = nc;
	}
	f = &(*files)[(*num)++];
	memset(f, 0, sizeof(*f));
	return f;
}

void btt_mi_files_free(struct btt_file *files, uint32_t n)
{
	for (uint32_t i = 0; files && i < n; i++) {
		free(files[i].path);
		free(files[i].symlink);
	}
	free(files);
}

int btt_mi_attr(struct btt_mi_parse *p, uint32_t dict, uint32_t *out)
{
	uint32_t n = btt_bnode_get(p->d, dict, "attr");
	struct btt_cur s;
	uint8_t c;

	*out = 0;
	if (n == BTT_BNONE)
		return 0;
	if (!btt_bnode_str(p->d, n, &s))
		return btt_mi_fail(p, BTT_ETYPE, n, "attr is not a string");
	while (btt_cur_get_u8(&s, &c)) {
		switch (c) {
		case 'p': *out |= BTT_FILE_PAD; break;
		case 'x': *out |= BTT_FILE_EXEC; break;
		case 'h': *out |= BTT_FILE_HIDDEN; break;
		case 'l': *out |= BTT_FILE_SYMLINK; break;
		default: break;
		}
	}
	return 0;
}

int btt_mi_length(struct btt_mi_parse *p, uint32_t dict, uint64_t *out)
{
	uint32_t n = btt_bnode_get(p->d, dict, "length");
	int64_t v;

	if (n == BTT_BNONE)
		return btt_mi_fail(p, BTT_EMISSING, dict, "file has no length");
	if (!btt_bnode_int(p->d, n, &v))
		return btt_mi_fail(p, BTT_ETYPE, n,
				   "file length is not an integer");
	if (v < 0)
		return btt_mi_fail(p, BTT_EMALFORMED, n,
				   "file length is negative");
	if ((uint64_t)v > BTT_METAINFO_MAX_TOTAL)
		return btt_mi_fail(p, BTT_ELIMIT, n,
				   "file length is over 1 PiB");
	*out = (uint64_t)v;
	return 0;
}

/* name (name.utf-8 preferred when it is a safe component), piece length,
 * private, meta version. Returns the meta version in *out_meta (1 when
 * absent). */
static int parse_common(struct btt_mi_parse *p, int64_t *out_meta)
{
	const struct btt_bdoc *d = p->d;
	uint32_t n = btt_bnode_get(d, p->info, "name.utf-8");
	const char *why = NULL;
	struct btt_cur s;
	int64_t v;

	if (n == BTT_BNONE || !btt_bnode_str(d, n, &s) ||
	    btt_path_component_check(btt_cur_data(&s), btt_cur_len(&s), NULL))
		n = btt_bnode_get(d, p->info, "name");
	if (n == BTT_BNONE)
		return btt_mi_fail(p, BTT_EMISSING, p->info,
				   "info dict has no name");
	if (!btt_bnode_str(d, n, &s))
		return btt_mi_fail(p, BTT_ETYPE, n, "name is not a string");
	if (btt_path_component_check(btt_cur_data(&s), btt_cur_len(&s), &why))
		return btt_mi_fail(p, BTT_EPATH, n, "unsafe name: %s", why);
	p->mi->name = btt_mi_strdup(s);

	n = btt_bnode_get(d, p->info, "piece length");
	if (n == BTT_BNONE)
		return btt_mi_fail(p, BTT_EMISSING, p->info,
				   "info dict has no piece length");
	if (!btt_bnode_int(d, n, &v))
		return btt_mi_fail(p, BTT_ETYPE, n,
				   "piece length is not an integer");
	if (v <= 0)
		return btt_mi_fail(p, BTT_EMALFORMED, n,
				   "piece length is not positive");
	if (v > (int64_t)BTT_METAINFO_MAX_PIECE)
		return btt_mi_fail(p, BTT_ELIMIT, n,
				   "piece length is over 256 MiB");
	p->mi->piece_length = (uint64_t)v;

	p->mi->is_private =
		btt_bnode_get_int(d, p->info, "private", &v) && v == 1;

	*out_meta = 1;
	n = btt_bnode_get(d, p->info, "meta version");
	if (n != BTT_BNONE) {
		if (!btt_bnode_int(d, n, out_meta))
			return btt_mi_fail(p, BTT_ETYPE, n,
					   "meta version is not an integer");
		if (*out_meta != 2)
			return btt_mi_fail(p, BTT_EUNSUPPORTED, n,
					   "meta version %lld is not supported",
					   (long long)*out_meta);
	}
	return 0;
}

static int parse_info(struct btt_mi_parse *p, bool layers)
{
	struct btt_metainfo *mi = p->mi;
	struct btt_cur raw = btt_bnode_raw(p->d, p->info);
	int64_t meta;
	int rc;

	if ((rc = parse_common(p, &meta)) != 0)
		return rc;
	mi->has_v2 = meta == 2;
	mi->has_v1 = !mi->has_v2 ||
		     btt_bnode_get(p->d, p->info, "pieces") != BTT_BNONE;
	if (mi->has_v1 && (rc = btt_mi_v1_parse(p)) != 0)
		return rc;
	if (mi->has_v2 && (rc = btt_mi_v2_parse(p, layers)) != 0)
		return rc;
	mi->version =
		(mi->has_v1 ? BTT_META_V1 : 0) | (mi->has_v2 ? BTT_META_V2 : 0);
	mi->info = btt_cur_data(&raw);
	mi->info_len = btt_cur_len(&raw);
	if (mi->has_v1)
		btt_sha1(mi->info, mi->info_len, mi->ih_v1);
	if (mi->has_v2)
		btt_sha256(mi->info, mi->info_len, mi->ih_v2);
	return 0;
}

/* A URL is kept when it is a non-empty string without control bytes;
 * anything else in a tracker or web seed list is skipped, as other
 * clients do. Returns 1 to keep, 0 to skip, or a negative error. */
static int url_ok(struct btt_mi_parse *p, uint32_t n, struct btt_cur *s)
{
	if (!btt_bnode_str(p->d, n, s) || !btt_cur_len(s))
		return 0;
	if (btt_cur_len(s) > BTT_METAINFO_MAX_URL_LEN)
		return btt_mi_fail(p, BTT_ELIMIT, n,
				   "URL longer than 4096 bytes");
	for (size_t i = 0; i < btt_cur_len(s); i++)
		if (btt_cur_data(s)[i] < 0x20 || btt_cur_data(s)[i] == 0x7f)
			return 0;
	return 1;
}

struct url_list {
	char ***urls;
	uint32_t **tiers; /* NULL for web seeds */
	uint32_t *num;
	uint32_t max;
	const char *what;
};

/* Appends a URL unless it is already there (the lists are capped at a
 * few hundred, so a linear scan is cheap). */
static int url_add(struct btt_mi_parse *p, struct url_list *l, uint32_t n,
		   uint32_t tier)
{
	struct btt_cur s;
	int rc = url_ok(p, n, &s);
	uint32_t i = *l->num;

	if (rc <= 0)
		return rc;
	for (uint32_t j = 0; j < i; j++)
		if (btt_cur_eq_str(&s, (*l->urls)[j]))
			return 0;
	if (i >= l->max)
		return btt_mi_fail(p, BTT_ELIMIT, n, "more than %u %s",
				   (unsigned)l->max, l->what);
	*l->urls = realloc(*l->urls, (i + 1) * sizeof(char *));
	if (!*l->urls)
		abort();
	(*l->urls)[i] = btt_mi_strdup(s);
	if (l->tiers) {
		*l->tiers = realloc(*l->tiers, (i + 1) * sizeof(uint32_t));
		if (!*l->tiers)
			abort();
		(*l->tiers)[i] = tier;
	}
	(*l->num)++;
	return 1;
}

/* BEP 12: announce-list replaces announce when it holds any URL. Empty
 * tiers vanish and the rest are renumbered from 0. */
static int parse_trackers(struct btt_mi_parse *p)
{
	struct btt_metainfo *mi = p->mi;
	struct url_list l = {&mi->trackers, &mi->tracker_tier,
			     &mi->num_trackers, BTT_METAINFO_MAX_TRACKERS,
			     "trackers"};
	uint32_t al = btt_bnode_get(p->d, p->root, "announce-list");
	uint32_t tier = 0, t, u;
	int rc;

	/* BTT_BNONE is also the root's index: never walk it. */
	if (al != BTT_BNONE && btt_bnode_type(p->d, al) != BTT_BLIST)
		al = BTT_BNONE;
	for (t = al ? btt_bnode_first(p->d, al) : BTT_BNONE; t != BTT_BNONE;
	     t = btt_bnode_next(p->d, al, t)) {
		bool added = false;
		if (btt_bnode_type(p->d, t) != BTT_BLIST)
			continue;
		for (u = btt_bnode_first(p->d, t); u != BTT_BNONE;
		     u = btt_bnode_next(p->d, t, u)) {
			if ((rc = url_add(p, &l, u, tier)) < 0)
				return rc;
			added |= rc > 0;
		}
		tier += added;
	}
	if (mi->num_trackers == 0) {
		u = btt_bnode_get(p->d, p->root, "announce");
		if (u != BTT_BNONE && (rc = url_add(p, &l, u, 0)) < 0)
			return rc;
	}
	return 0;
}

/* BEP 19: url-list is one URL or a list of them. */
static int parse_webseeds(struct btt_mi_parse *p)
{
	struct btt_metainfo *mi = p->mi;
	struct url_list l = {&mi->webseeds, NULL, &mi->num_webseeds,
			     BTT_METAINFO_MAX_WEBSEEDS, "web seeds"};
	uint32_t ul = btt_bnode_get(p->d, p->root, "url-list"), u;
	int rc;

	if (ul == BTT_BNONE)
		return 0;
	if (btt_bnode_type(p->d, ul) == BTT_BSTR)
		return (rc = url_add(p, &l, ul, 0)) < 0 ? rc : 0;
	if (btt_bnode_type(p->d, ul) != BTT_BLIST)
		return 0;
	for (u = btt_bnode_first(p->d, ul); u != BTT_BNONE;
	     u = btt_bnode_next(p->d, ul, u))
		if ((rc = url_add(p, &l, u, 0)) < 0)
			return rc;
	return 0;
}

/* Optional free text: wrong types are ignored, oversized text is refused.
 * The copy ends at the first NUL byte, if any. */
static int parse_text(struct btt_mi_parse *p, const char *key, char **out)
{
	uint32_t n = btt_bnode_get(p->d, p->root, key);
	struct btt_cur s;

	if (n == BTT_BNONE || !btt_bnode_str(p->d, n, &s))
		return 0;
	if (btt_cur_len(&s) > BTT_METAINFO_MAX_COMMENT)
		return btt_mi_fail(p, BTT_ELIMIT, n, "%s longer than 64 KiB",
				   key);
	*out = btt_mi_strdup(s);
	return 0;
}

static int parse_outer(struct btt_mi_parse *p)
{
	int64_t v;
	int rc;

	if ((rc = parse_trackers(p)) != 0 || (rc = parse_webseeds(p)) != 0 ||
	    (rc = parse_text(p, "comment", &p->mi->comment)) != 0 ||
	    (rc = parse_text(p, "created by", &p->mi->created_by)) != 0)
		return rc;
	if (btt_bnode_get_int(p->d, p->root, "creation date", &v) && v > 0)
		p->mi->creation_date = v;
	return 0;
}

static int parse(struct btt_metainfo *mi, const void *buf, size_t len,
		 struct btt_metainfo_err *err, bool bare)
{
	struct btt_mi_parse p = {.mi = mi, .err = err, .d = &mi->doc};
	int rc;

	memset(mi, 0, sizeof(*mi));
	if (err)
		memset(err, 0, sizeof(*err));
	if (len > BTT_METAINFO_MAX_SIZE) {
		rc = btt_mi_fail(&p, BTT_ELIMIT, UINT32_MAX,
				 "larger than 30 MiB");
		goto out;
	}
	mi->raw = malloc(len ? len : 1);
	if (!mi->raw) {
		rc = btt_mi_fail(&p, -ENOMEM, UINT32_MAX, "out of memory");
		goto out;
	}
	if (len)
		memcpy(mi->raw, buf, len);
	mi->raw_len = len;
	rc = btt_bdecode(&mi->doc, mi->raw, len, NULL);
	if (rc) {
		if (err) {
			err->code = rc;
			err->off = (int64_t)mi->doc.err_off;
			snprintf(err->msg, sizeof(err->msg), "%s",
				 len ? mi->doc.msg : "empty file");
		}
		goto out;
	}
	if (btt_bnode_type(&mi->doc, 0) != BTT_BDICT) {
		rc = btt_mi_fail(&p, BTT_ETYPE, 0, "not a dictionary");
		goto out;
	}
	p.root = bare ? UINT32_MAX : 0;
	p.info = bare ? 0 : btt_bnode_get(&mi->doc, 0, "info");
	if (p.info == BTT_BNONE && !bare) {
		rc = btt_mi_fail(&p, BTT_EMISSING, 0, "no info dict");
		goto out;
	}
	if (btt_bnode_type(&mi->doc, p.info) != BTT_BDICT) {
		rc = btt_mi_fail(&p, BTT_ETYPE, p.info,
				 "info is not a dictionary");
		goto out;
	}
	if ((rc = parse_info(&p, !bare)) == 0 && !bare)
		rc = parse_outer(&p);
out:
	if (rc)
		btt_metainfo_release(mi);
	return rc;
}

int btt_metainfo_parse(struct btt_metainfo *mi, const void *buf, size_t len,
		       struct btt_metainfo_err *err)
{
	return parse(mi, buf, len, err, false);
}

int btt_metainfo_parse_info(struct btt_metainfo *mi, const void *buf,
			    size_t len, struct btt_metainfo_err *err)
{
	return parse(mi, buf, len, err, true);
}

void btt_metainfo_release(struct btt_metainfo *mi)
{
	btt_mi_files_free(mi->files, mi->num_files);
	for (uint32_t i = 0; i < mi->num_trackers; i++)
		free(mi->trackers[i]);
	free(mi->trackers);
	free(mi->tracker_tier);
	for (uint32_t i = 0; i < mi->num_webseeds; i++)
		free(mi->webseeds[i]);
	free(mi->webseeds);
	free(mi->name);
	free(mi->comment);
	free(mi->created_by);
	btt_bdoc_release(&mi->doc);
	free(mi->raw);
	memset(mi, 0, sizeof(*mi));
}
