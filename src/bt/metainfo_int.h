/* Shared state of the .torrent parser, split by format: metainfo.c (the
 * outer dict, trackers, accessors), metainfo_v1.c (BEP 3 info dict) and
 * metainfo_v2.c (BEP 52 file tree, piece layers, hybrid consistency).
 * Nothing here is used outside those files. */
#ifndef BTT_BT_METAINFO_INT_H
#define BTT_BT_METAINFO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bencode/bencode_int.h"
#include "bt/metainfo.h"
#include "core/cur.h"

struct btt_mi_parse {
	struct btt_metainfo *mi;
	struct btt_metainfo_err *err;
	const struct btt_bdoc *d; /* &mi->doc */
	uint32_t root;		  /* the outer dict, or BTT_BNONE (bare info) */
	uint32_t info;		  /* the info dict */
	uint32_t files_cap;	  /* allocated entries of mi->files */
};

/* Fills *err (if any) and returns code. The message is formatted; any
 * untrusted bytes must already be escaped. */
int btt_mi_fail(struct btt_mi_parse *p, int code, uint32_t node,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A NUL-terminated malloc'd copy of s (aborts on OOM: callers have bounded
 * s by a limit first). */
char *btt_mi_strdup(struct btt_cur s);

/* Appends a zeroed file to files/num_files/cap, growing geometrically.
 * Returns it, or NULL when BTT_METAINFO_MAX_FILES is reached. */
struct btt_file *btt_mi_file_add(struct btt_file **files, uint32_t *num,
				 uint32_t *cap);

/* Frees the strings of n files and the array itself. */
void btt_mi_files_free(struct btt_file *files, uint32_t n);

/* Reads a BEP 47 attr string into BTT_FILE_* bits (unknown letters are
 * ignored; a non-string is BTT_ETYPE). Absent means 0. */
int btt_mi_attr(struct btt_mi_parse *p, uint32_t dict, uint32_t *out);

/* Reads BEP 47 attr and, for a symlink, its sanitised `symlink path`
 * into f. */
int btt_mi_file_attrs(struct btt_mi_parse *p, uint32_t dict,
		      struct btt_file *f);

/* Reads a file `length` (0..BTT_METAINFO_MAX_TOTAL) from dict. */
int btt_mi_length(struct btt_mi_parse *p, uint32_t dict, uint64_t *out);

/* The BEP 3 info dict: name, piece length, pieces, length/files. Sets
 * mi->files (with pad files), stream/total length, num_pieces, pieces. */
int btt_mi_v1_parse(struct btt_mi_parse *p);

/* The BEP 52 file tree. For a v2-only torrent sets mi->files and the
 * lengths; for a hybrid (v1 already parsed) checks that both halves agree
 * and attaches the pieces roots to the v1 files. With `layers` (a full
 * .torrent) also checks and attaches the piece layers. */
int btt_mi_v2_parse(struct btt_mi_parse *p, bool layers);

#endif
