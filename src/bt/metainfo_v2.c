/* The BEP 52 info dict: the nested `file tree`, the `piece layers` that
 * must hash to each file's pieces root, and the agreement between the v1
 * and v2 halves of a hybrid torrent.
 *
 * The tree is walked with an explicit stack bounded by the path depth
 * limit, never by recursion. Files get offsets on the v2 piece grid: each
 * non-empty file starts on a piece boundary. In a hybrid the v1 list (with
 * its pad files) is kept and must put every non-empty file at exactly that
 * offset, so one piece index means the same bytes in both halves. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bt/metainfo_int.h"
#include "bt/path.h"
#include "btt/err.h"
#include "core/limits.h"
#include "crypto/merkle.h"

/* The files of the tree on the v2 grid. */
struct v2_files {
	struct btt_file *files;
	uint32_t num, cap;
	uint64_t pos;	/* next piece boundary */
	uint64_t end;	/* end of the last non-empty file */
	uint64_t total; /* content bytes */
	uint64_t pieces;
};

/* A file node is a dict whose first (sorted, so smallest) key is "". */
static bool is_file(const struct btt_bdoc *d, uint32_t dict)
{
	uint32_t k = btt_bnode_first(d, dict);
	struct btt_cur s;

	return k != BTT_BNONE && btt_bnode_str(d, k, &s) && !btt_cur_len(&s);
}

static int add_file(struct btt_mi_parse *p, struct v2_files *v, uint32_t node,
		    const struct btt_path_buf *pb)
{
	uint64_t pl = p->mi->piece_length, np;
	uint32_t k = btt_bnode_first(p->d, node);
	uint32_t fd = btt_bnode_next(p->d, node, k);
	uint32_t rn;
	struct btt_file *f;
	struct btt_cur s;
	int rc;

	if (btt_bnode_next(p->d, node, fd) != BTT_BNONE)
		return btt_mi_fail(p, BTT_EMALFORMED, node,
				   "\"%.60s\" is both a file and a directory",
				   pb->buf);
	if (btt_bnode_type(p->d, fd) != BTT_BDICT)
		return btt_mi_fail(p, BTT_ETYPE, fd,
				   "file entry is not a dictionary");
	if (!(f = btt_mi_file_add(&v->files, &v->num, &v->cap)))
		return btt_mi_fail(p, BTT_ELIMIT, fd, "more than %u files",
				   BTT_METAINFO_MAX_FILES);
	f->path = btt_mi_strdup((struct btt_cur){(uint8_t *)pb->buf, pb->len});
	if ((rc = btt_mi_length(p, fd, &f->length)) != 0 ||
	    (rc = btt_mi_file_attrs(p, fd, f)) != 0)
		return rc;
	f->attr &= ~BTT_FILE_PAD; /* v2 has no pad files */
	f->offset = v->pos;
	if (f->length == 0)
		return 0;
	rn = btt_bnode_get(p->d, fd, "pieces root");
	if (rn == BTT_BNONE)
		return btt_mi_fail(p, BTT_EMISSING, fd,
				   "file \"%.60s\" has no pieces root",
				   f->path);
	if (!btt_bnode_str(p->d, rn, &s) || btt_cur_len(&s) != 32)
		return btt_mi_fail(p, BTT_EMALFORMED, rn,
				   "pieces root is not a 32-byte string");
	memcpy(f->pieces_root, btt_cur_data(&s), 32);
	f->has_root = true;
	if (f->length > BTT_METAINFO_MAX_TOTAL - v->total)
		return btt_mi_fail(p, BTT_ELIMIT, fd,
				   "total size is over 1 PiB");
	np = (f->length + pl - 1) / pl;
	v->total += f->length;
	v->pieces += np;
	if (v->pieces > BTT_METAINFO_MAX_PIECES)
		return btt_mi_fail(p, BTT_ELIMIT, fd, "more than %u pieces",
				   (unsigned)BTT_METAINFO_MAX_PIECES);
	v->end = f->offset + f->length;
	v->pos += np * pl;
	return 0;
}

struct frame {
	uint32_t dict; /* a directory */
	uint32_t key;  /* its next key, or BTT_BNONE */
	size_t len;    /* the path of the directory */
	unsigned depth;
};

/* Visits key `k` of the top frame: a file is added, a directory pushed. */
static int visit(struct btt_mi_parse *p, struct v2_files *v, struct frame *st,
		 unsigned *top, struct btt_path_buf *pb)
{
	struct frame *fr = &st[*top];
	uint32_t k = fr->key, val = btt_bnode_next(p->d, fr->dict, k);
	const char *why;
	struct btt_cur s;
	int rc;

	fr->key = btt_bnode_next(p->d, fr->dict, val);
	btt_path_buf_truncate(pb, fr->len, fr->depth);
	btt_bnode_str(p->d, k, &s);
	rc = btt_path_buf_push(pb, btt_cur_data(&s), btt_cur_len(&s), &why);
	if (rc)
		return btt_mi_fail(p, rc, k, "%s", why);
	if (btt_bnode_type(p->d, val) != BTT_BDICT)
		return btt_mi_fail(p, BTT_ETYPE, val,
				   "file tree entry is not a dictionary");
	if (is_file(p->d, val))
		return add_file(p, v, val, pb);
	if (btt_bnode_first(p->d, val) == BTT_BNONE)
		return btt_mi_fail(p, BTT_EMALFORMED, val,
				   "empty directory in file tree");
	/* The path depth limit stops the walk before the stack is full. */
	if (*top + 1 >= BTT_METAINFO_MAX_PATH_DEPTH + 2)
		return btt_mi_fail(p, BTT_EPATH, val, "path too deep");
	st[++*top] = (struct frame){val, btt_bnode_first(p->d, val), pb->len,
				    pb->depth};
	return 0;
}

static int walk_tree(struct btt_mi_parse *p, uint32_t tree, struct v2_files *v)
{
	struct frame st[BTT_METAINFO_MAX_PATH_DEPTH + 2];
	struct btt_path_buf pb;
	struct btt_cur key;
	unsigned top = 0;
	uint32_t k;
	int rc;

	if (btt_bnode_type(p->d, tree) != BTT_BDICT)
		return btt_mi_fail(p, BTT_ETYPE, tree,
				   "file tree is not a dictionary");
	k = btt_bnode_first(p->d, tree);
	if (k == BTT_BNONE)
		return btt_mi_fail(p, BTT_EMALFORMED, tree,
				   "file tree is empty");
	if (is_file(p->d, tree))
		return btt_mi_fail(p, BTT_EPATH, k,
				   "file tree has a file with an empty name");
	pb.len = 0;
	pb.depth = 0;
	pb.buf[0] = 0;
	/* One file at the top whose key is the torrent's name is a
	 * single-file torrent; anything else, a lone file under another key
	 * included (a directory holding one file), lives in a directory
	 * called `name`. libtorrent reads file trees the same way. */
	p->mi->is_single_file =
		btt_bnode_count(p->d, tree) == 1 &&
		btt_bnode_type(p->d, btt_bnode_next(p->d, tree, k)) ==
			BTT_BDICT &&
		is_file(p->d, btt_bnode_next(p->d, tree, k)) &&
		btt_bnode_str(p->d, k, &key) &&
		btt_cur_eq_str(&key, p->mi->name);
	if (!p->mi->is_single_file)
		btt_path_buf_push(&pb, p->mi->name, strlen(p->mi->name), NULL);
	st[0] = (struct frame){tree, k, pb.len, pb.depth};
	for (;;) {
		if (st[top].key == BTT_BNONE) {
			if (top == 0)
				break;
			top--;
			continue;
		}
		if ((rc = visit(p, v, st, &top, &pb)) != 0)
			return rc;
	}
	if (v->total == 0)
		return btt_mi_fail(p, BTT_EMALFORMED, tree,
				   "torrent has no content (total size 0)");
	return 0;
}

struct root_ref {
	const uint8_t *root;
	uint32_t file;
};

static int root_cmp(const void *a, const void *b)
{
	const struct root_ref *x = a, *y = b;
	int c = memcmp(x->root, y->root, 32);
	return c ? c : (x->file > y->file) - (x->file < y->file);
}

/* Checks the layer of `f` (string node `n`) hashes to its root. */
static int verify_layer(struct btt_mi_parse *p, const struct btt_file *f,
			uint32_t n, struct btt_cur s)
{
	uint64_t pl = p->mi->piece_length;
	size_t np = (size_t)((f->length + pl - 1) / pl);
	uint8_t(*nodes)[BTT_MERKLE_HASH], pad[32], root[32];
	unsigned h = 0;

	if (btt_cur_len(&s) != np * 32)
		return btt_mi_fail(p, BTT_EMALFORMED, n,
				   "piece layer of \"%.60s\" is %zu bytes, "
				   "expected %zu",
				   f->path, btt_cur_len(&s), np * 32);
	while (((uint64_t)BTT_MERKLE_BLOCK << h) < pl)
		h++;
	btt_merkle_pad(h, pad);
	/* Bounded by the input size: the layer is part of it. */
	if (!(nodes = malloc(np * 32)))
		return btt_mi_fail(p, -ENOMEM, n, "out of memory");
	memcpy(nodes, btt_cur_data(&s), np * 32);
	btt_merkle_root(nodes, np, btt_merkle_width(np), pad, root);
	free(nodes);
	if (memcmp(root, f->pieces_root, 32))
		return btt_mi_fail(p, BTT_EHASH, n,
				   "piece layer does not match pieces root "
				   "of \"%.60s\"",
				   f->path);
	return 0;
}

/* Every file longer than a piece needs its layer; identical files share
 * one (same root), which is hashed once however many files use it. */
static int check_layers(struct btt_mi_parse *p, struct v2_files *v)
{
	uint32_t layers = btt_bnode_get(p->d, p->root, "piece layers");
	struct root_ref *refs;
	uint32_t nr = 0, n = BTT_BNONE;
	struct btt_cur s = {0};
	int rc = 0;

	if (!(refs = malloc(((size_t)v->num + 1) * sizeof(*refs))))
		abort(); /* bounded by the file cap */
	for (uint32_t i = 0; i < v->num; i++)
		if (v->files[i].length > p->mi->piece_length)
			refs[nr++] =
				(struct root_ref){v->files[i].pieces_root, i};
	if (nr && layers == BTT_BNONE)
		rc = btt_mi_fail(p, BTT_EMISSING, p->root,
				 "no piece layers for files over one piece");
	else if (nr && btt_bnode_type(p->d, layers) != BTT_BDICT)
		rc = btt_mi_fail(p, BTT_ETYPE, layers,
				 "piece layers is not a dictionary");
	if (rc == 0)
		qsort(refs, nr, sizeof(*refs), root_cmp);
	for (uint32_t i = 0; rc == 0 && i < nr; i++) {
		struct btt_file *f = &v->files[refs[i].file];
		bool same =
			i > 0 && !memcmp(refs[i - 1].root, refs[i].root, 32);
		if (!same) {
			n = btt_bnode_get_n(p->d, layers, refs[i].root, 32);
			if (n == BTT_BNONE || !btt_bnode_str(p->d, n, &s)) {
				rc = btt_mi_fail(p, BTT_EMISSING, layers,
						 "no piece layer for \"%.60s\"",
						 f->path);
				break;
			}
		}
		if (!same || f->length != v->files[refs[i - 1].file].length)
			rc = verify_layer(p, f, n, s);
		f->piece_layer = btt_cur_data(&s);
	}
	free(refs);
	return rc;
}

static int inconsistent(struct btt_mi_parse *p, const char *what,
			const char *path)
{
	return btt_mi_fail(p, BTT_EMALFORMED, p->info,
			   "hybrid v1 and v2 parts disagree: %s%s%.60s%s", what,
			   path ? " \"" : "", path ? path : "",
			   path ? "\"" : "");
}

/* The v1 list without its pad files must be the v2 list: same paths,
 * lengths and order, each non-empty file at its v2 offset, and the same
 * number of pieces. The v2 roots and layers move onto the v1 files. */
static int check_hybrid(struct btt_mi_parse *p, struct v2_files *v)
{
	struct btt_metainfo *mi = p->mi;
	uint32_t j = 0;

	for (uint32_t i = 0; i < mi->num_files; i++) {
		struct btt_file *f = &mi->files[i], *g;
		if (f->attr & BTT_FILE_PAD)
			continue;
		if (j == v->num)
			return inconsistent(p, "extra v1 file", f->path);
		g = &v->files[j++];
		if (strcmp(f->path, g->path))
			return inconsistent(p, "v1 file list differs at",
					    f->path);
		if (f->length != g->length)
			return inconsistent(p, "length differs for", f->path);
		if (f->length && f->offset != g->offset)
			return inconsistent(p, "no pad file aligns", f->path);
		memcpy(f->pieces_root, g->pieces_root, 32);
		f->has_root = g->has_root;
		f->piece_layer = g->piece_layer;
	}
	if (j != v->num)
		return inconsistent(p, "extra v2 file", v->files[j].path);
	if (mi->num_pieces != v->pieces)
		return inconsistent(p, "piece counts differ", NULL);
	return 0;
}

int btt_mi_v2_parse(struct btt_mi_parse *p, bool layers)
{
	struct btt_metainfo *mi = p->mi;
	uint32_t tree = btt_bnode_get(p->d, p->info, "file tree");
	uint32_t pl = btt_bnode_get(p->d, p->info, "piece length");
	bool single_v1 = mi->is_single_file;
	struct v2_files v = {0};
	int rc;

	if (mi->piece_length < BTT_METAINFO_MIN_PIECE ||
	    (mi->piece_length & (mi->piece_length - 1)))
		return btt_mi_fail(p, BTT_EMALFORMED, pl,
				   "v2 piece length is not a power of two "
				   ">= 16 KiB");
	if (tree == BTT_BNONE)
		return btt_mi_fail(p, BTT_EMISSING, p->info,
				   "v2 info dict has no file tree");
	if ((rc = walk_tree(p, tree, &v)) != 0 ||
	    (layers && (rc = check_layers(p, &v)) != 0))
		goto out;
	if (mi->has_v1) {
		if (single_v1 != mi->is_single_file)
			rc = inconsistent(p, "single-file in one part only",
					  NULL);
		else
			rc = check_hybrid(p, &v);
		goto out;
	}
	mi->files = v.files;
	mi->num_files = v.num;
	v.files = NULL;
	mi->stream_length = v.end;
	mi->total_length = v.total;
	mi->num_pieces = (uint32_t)v.pieces;
out:
	btt_mi_files_free(v.files, v.num);
	return rc;
}
