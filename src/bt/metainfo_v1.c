/* The BEP 3 info dict: single-file (`length`) or multi-file (`files`),
 * BEP 47 attributes and symlinks, and the SHA-1 `pieces` array.
 *
 * Invariants on success: every path passed bt/path.c, offsets are the
 * running sum of the lengths (pad files included), the sum stays within
 * BTT_METAINFO_MAX_TOTAL, no two non-pad files share a path or clash as
 * file and directory, and `pieces` holds exactly 20 bytes per piece. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt/metainfo_int.h"
#include "bt/path.h"
#include "btt/err.h"
#include "core/limits.h"

/* Appends the components of path list `list` to pb. On failure *out_node
 * is the offending node and *out_why the reason. */
static int push_list(const struct btt_bdoc *d, uint32_t list,
		     struct btt_path_buf *pb, uint32_t *out_node,
		     const char **out_why)
{
	struct btt_cur s;
	uint32_t c;
	int rc;

	*out_node = list;
	if (btt_bnode_type(d, list) != BTT_BLIST) {
		*out_why = "path is not a list";
		return BTT_ETYPE;
	}
	c = btt_bnode_first(d, list);
	if (c == BTT_BNONE) {
		*out_why = "path is empty";
		return BTT_EPATH;
	}
	for (; c != BTT_BNONE; c = btt_bnode_next(d, list, c)) {
		*out_node = c;
		if (!btt_bnode_str(d, c, &s)) {
			*out_why = "path component is not a string";
			return BTT_ETYPE;
		}
		rc = btt_path_buf_push(pb, btt_cur_data(&s), btt_cur_len(&s),
				       out_why);
		if (rc)
			return rc;
	}
	return 0;
}

/* `path.utf-8` wins when it is present and safe; otherwise `path` must be.
 * `prefix` (the torrent name, or NULL) comes first. */
static int file_path(struct btt_mi_parse *p, uint32_t dict, const char *key,
		     const char *prefix, char **out)
{
	char key8[32];
	uint32_t n, bad;
	const char *why;
	int rc = 0;
	struct btt_path_buf pbs, *pb = &pbs;

	pb->len = 0;
	pb->depth = 0;
	pb->buf[0] = 0;
	snprintf(key8, sizeof(key8), "%s.utf-8", key);
	n = btt_bnode_get(p->d, dict, key8);
	for (int pass = 0; pass < 2; pass++) {
		btt_path_buf_truncate(pb, 0, 0);
		if (prefix)
			btt_path_buf_push(pb, prefix, strlen(prefix), NULL);
		if (pass == 1 || n == BTT_BNONE) {
			n = btt_bnode_get(p->d, dict, key);
			if (n == BTT_BNONE) {
				rc = btt_mi_fail(p, BTT_EMISSING, dict,
						 "file has no %s", key);
				break;
			}
			rc = push_list(p->d, n, pb, &bad, &why);
			if (rc)
				rc = btt_mi_fail(p, rc, bad, "%s", why);
			break;
		}
		if (push_list(p->d, n, pb, &bad, &why) == 0)
			break;
	}
	if (!rc)
		*out = btt_mi_strdup(
			(struct btt_cur){(uint8_t *)pb->buf, pb->len});
	return rc;
}

/* BEP 47: attributes, and the target of a symlink (relative to the
 * torrent's root, sanitised like any path). */
int btt_mi_file_attrs(struct btt_mi_parse *p, uint32_t dict, struct btt_file *f)
{
	int rc = btt_mi_attr(p, dict, &f->attr);

	if (rc || !(f->attr & BTT_FILE_SYMLINK))
		return rc;
	if (btt_bnode_get(p->d, dict, "symlink path") == BTT_BNONE)
		return btt_mi_fail(p, BTT_EMISSING, dict,
				   "symlink has no symlink path");
	return file_path(p, dict, "symlink path", NULL, &f->symlink);
}

static int add_length(struct btt_mi_parse *p, uint32_t node, struct btt_file *f)
{
	struct btt_metainfo *mi = p->mi;

	f->offset = mi->stream_length;
	if (f->length > BTT_METAINFO_MAX_TOTAL - mi->stream_length)
		return btt_mi_fail(p, BTT_ELIMIT, node,
				   "total size is over 1 PiB");
	mi->stream_length += f->length;
	if (f->attr & BTT_FILE_PAD)
		mi->num_pad_files++;
	else
		mi->total_length += f->length;
	return 0;
}

static int parse_single(struct btt_mi_parse *p)
{
	struct btt_metainfo *mi = p->mi;
	uint32_t cap = 0;
	struct btt_file *f = btt_mi_file_add(&mi->files, &mi->num_files, &cap);
	int rc;

	mi->is_single_file = true;
	f->path = btt_mi_strdup(
		(struct btt_cur){(uint8_t *)mi->name, strlen(mi->name)});
	if ((rc = btt_mi_length(p, p->info, &f->length)) != 0 ||
	    (rc = btt_mi_file_attrs(p, p->info, f)) != 0)
		return rc;
	return add_length(p, p->info, f);
}

/* The node of the i-th entry of list `l` (for error offsets only). */
static uint32_t nth(const struct btt_bdoc *d, uint32_t l, size_t i)
{
	uint32_t c = btt_bnode_first(d, l);
	while (i-- && c != BTT_BNONE)
		c = btt_bnode_next(d, l, c);
	return c;
}

static int check_dups(struct btt_mi_parse *p, uint32_t list)
{
	struct btt_metainfo *mi = p->mi;
	const char **paths = malloc((mi->num_files + 1) * sizeof(char *));
	size_t a, b;
	int rc;

	if (!paths)
		abort(); /* bounded by the file cap */
	for (uint32_t i = 0; i < mi->num_files; i++)
		paths[i] = mi->files[i].attr & BTT_FILE_PAD ? NULL
							    : mi->files[i].path;
	rc = btt_path_dups_check(paths, mi->num_files, &a, &b);
	free(paths);
	if (rc == BTT_EPATH)
		rc = strcmp(mi->files[a].path, mi->files[b].path)
			     ? btt_mi_fail(p, rc, nth(p->d, list, b),
					   "file \"%.60s\" is also a directory",
					   mi->files[a].path)
			     : btt_mi_fail(p, rc, nth(p->d, list, b),
					   "two files have the path \"%.60s\"",
					   mi->files[b].path);
	else if (rc)
		rc = btt_mi_fail(p, rc, UINT32_MAX, "out of memory");
	return rc;
}

static int parse_multi(struct btt_mi_parse *p, uint32_t list)
{
	struct btt_metainfo *mi = p->mi;
	uint32_t cap = 0, e;
	struct btt_file *f;
	int rc;

	if (btt_bnode_type(p->d, list) != BTT_BLIST)
		return btt_mi_fail(p, BTT_ETYPE, list, "files is not a list");
	for (e = btt_bnode_first(p->d, list); e != BTT_BNONE;
	     e = btt_bnode_next(p->d, list, e)) {
		if (btt_bnode_type(p->d, e) != BTT_BDICT)
			return btt_mi_fail(p, BTT_ETYPE, e,
					   "file entry is not a dictionary");
		f = btt_mi_file_add(&mi->files, &mi->num_files, &cap);
		if (!f)
			return btt_mi_fail(p, BTT_ELIMIT, e,
					   "more than %u files",
					   BTT_METAINFO_MAX_FILES);
		if ((rc = btt_mi_length(p, e, &f->length)) != 0 ||
		    (rc = btt_mi_file_attrs(p, e, f)) != 0 ||
		    (rc = file_path(p, e, "path", mi->name, &f->path)) != 0 ||
		    (rc = add_length(p, e, f)) != 0)
			return rc;
	}
	if (mi->num_files == 0)
		return btt_mi_fail(p, BTT_EMALFORMED, list,
				   "files list is empty");
	return check_dups(p, list);
}

static int parse_pieces(struct btt_mi_parse *p)
{
	struct btt_metainfo *mi = p->mi;
	uint32_t n = btt_bnode_get(p->d, p->info, "pieces");
	uint64_t np;
	struct btt_cur s;

	if (mi->total_length == 0)
		return btt_mi_fail(p, BTT_EMALFORMED, p->info,
				   "torrent has no content (total size 0)");
	np = (mi->stream_length + mi->piece_length - 1) / mi->piece_length;
	if (np > BTT_METAINFO_MAX_PIECES)
		return btt_mi_fail(p, BTT_ELIMIT, p->info,
				   "more than %u pieces",
				   (unsigned)BTT_METAINFO_MAX_PIECES);
	if (n == BTT_BNONE)
		return btt_mi_fail(p, BTT_EMISSING, p->info,
				   "info dict has no pieces");
	if (!btt_bnode_str(p->d, n, &s))
		return btt_mi_fail(p, BTT_ETYPE, n, "pieces is not a string");
	if (btt_cur_len(&s) != np * 20)
		return btt_mi_fail(p, BTT_EMALFORMED, n,
				   "pieces is %zu bytes, expected %llu "
				   "(%llu pieces of 20 bytes)",
				   btt_cur_len(&s), (unsigned long long)np * 20,
				   (unsigned long long)np);
	mi->num_pieces = (uint32_t)np;
	mi->pieces = btt_cur_data(&s);
	return 0;
}

int btt_mi_v1_parse(struct btt_mi_parse *p)
{
	uint32_t len = btt_bnode_get(p->d, p->info, "length");
	uint32_t files = btt_bnode_get(p->d, p->info, "files");
	int rc;

	if (len != BTT_BNONE && files != BTT_BNONE)
		return btt_mi_fail(p, BTT_EMALFORMED, files,
				   "info dict has both length and files");
	if (files != BTT_BNONE)
		rc = parse_multi(p, files);
	else if (len != BTT_BNONE)
		rc = parse_single(p);
	else
		rc = btt_mi_fail(p, BTT_EMISSING, p->info,
				 "info dict has neither length nor files");
	return rc ? rc : parse_pieces(p);
}
