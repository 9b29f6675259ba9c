/* Fast resume records (see resume.h): encoding, strict decoding of
 * untrusted bytes from disk, atomic saving and the trust rule.
 *
 * Decoding never sizes anything from the input: the bitfield and the file
 * table are allocated from the torrent's counts and the input must match
 * them exactly. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bencode/bencode_int.h"
#include "bt/layout.h"
#include "bt/resume.h"
#include "btt/err.h"
#include "core/limits.h"

#define FILE_REC 16 /* bytes per file in `files` */

int btt_resume_init(struct btt_resume *r, const struct btt_metainfo *mi)
{
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = btt_bitfield_init(&r->have, mi->num_pieces)) != 0)
		return rc;
	r->files = calloc(mi->num_files ? mi->num_files : 1, sizeof(*r->files));
	if (!r->files) {
		btt_bitfield_release(&r->have);
		return -ENOMEM;
	}
	r->num_files = mi->num_files;
	for (uint32_t i = 0; i < mi->num_files; i++)
		r->files[i].mtime_ns = BTT_RESUME_ABSENT;
	return 0;
}

void btt_resume_release(struct btt_resume *r)
{
	btt_bitfield_release(&r->have);
	free(r->files);
	memset(r, 0, sizeof(*r));
}

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

int btt_resume_encode(const struct btt_resume *r, const struct btt_metainfo *mi,
		      struct btt_wbuf *out)
{
	size_t nb = btt_bitfield_bytes(&r->have);
	uint8_t *p;

	if (btt_bitfield_size(&r->have) != mi->num_pieces ||
	    r->num_files != mi->num_files)
		return BTT_EINVALID;
	btt_benc_dict(out);
	btt_benc_cstr(out, "bitfield");
	btt_wbuf_printf(out, "%zu:", nb);
	if ((p = btt_wbuf_reserve(out, nb)) != NULL) {
		if (nb)
			btt_bitfield_export(&r->have, p);
		btt_wbuf_commit(out, nb);
	}
	btt_benc_cstr(out, "files");
	btt_wbuf_printf(out, "%zu:", (size_t)r->num_files * FILE_REC);
	for (uint32_t i = 0; i < r->num_files; i++) {
		bool pad = (mi->files[i].attr & BTT_FILE_PAD) != 0;
		uint8_t rec[FILE_REC] = {0};
		if (!pad) {
			put_u64(rec, r->files[i].size);
			put_u64(rec + 8, (uint64_t)r->files[i].mtime_ns);
		}
		btt_wbuf_put(out, rec, sizeof(rec));
	}
	if (mi->has_v1) {
		btt_benc_cstr(out, "info-hash");
		btt_benc_str(out, mi->ih_v1, sizeof(mi->ih_v1));
	}
	if (mi->has_v2) {
		btt_benc_cstr(out, "info-hash2");
		btt_benc_str(out, mi->ih_v2, sizeof(mi->ih_v2));
	}
	btt_benc_cstr(out, "version");
	btt_benc_int(out, BTT_RESUME_VERSION);
	btt_benc_end(out);
	return btt_wbuf_err(out);
}

/* ---- decoding ---- */

static int fail(struct btt_resume_err *err, int code, const char *msg)
{
	if (err) {
		err->code = code;
		snprintf(err->msg, sizeof(err->msg), "%s", msg);
	}
	return code;
}

/* The string under key, which must be present and a string. */
static int get_str(const struct btt_bdoc *d, const char *key,
		   struct btt_cur *out, struct btt_resume_err *err)
{
	uint32_t n = btt_bnode_get(d, 0, key);
	char msg[64];

	if (n == BTT_BNONE) {
		snprintf(msg, sizeof(msg), "no %s", key);
		return fail(err, BTT_EMISSING, msg);
	}
	if (!btt_bnode_str(d, n, out)) {
		snprintf(msg, sizeof(msg), "%s is not a string", key);
		return fail(err, BTT_ETYPE, msg);
	}
	return 0;
}

/* An info-hash key: present exactly when the torrent has that half, and
 * equal to it. */
static int check_hash(const struct btt_bdoc *d, const char *key, bool want,
		      const uint8_t *ih, size_t ih_len,
		      struct btt_resume_err *err)
{
	struct btt_cur c;
	int rc;

	if (!want) {
		if (btt_bnode_get(d, 0, key) != BTT_BNONE)
			return fail(err, BTT_EHASH,
				    "info-hash of another torrent");
		return 0;
	}
	if ((rc = get_str(d, key, &c, err)) != 0)
		return rc;
	if (!btt_cur_eq(&c, ih, ih_len))
		return fail(err, BTT_EHASH, "info-hash of another torrent");
	return 0;
}

static int decode_files(struct btt_resume *r, const struct btt_metainfo *mi,
			struct btt_cur c, struct btt_resume_err *err)
{
	if (c.len != (size_t)mi->num_files * FILE_REC)
		return fail(err, BTT_EMALFORMED, "file table has wrong length");
	for (uint32_t i = 0; i < mi->num_files; i++) {
		uint64_t size, mtime;
		if (!btt_cur_get_u64be(&c, &size) ||
		    !btt_cur_get_u64be(&c, &mtime))
			return fail(err, BTT_EMALFORMED,
				    "file table truncated");
		if (mi->files[i].attr & BTT_FILE_PAD)
			continue;
		r->files[i].size = size;
		r->files[i].mtime_ns = (int64_t)mtime;
	}
	return 0;
}

static int decode_doc(struct btt_resume *r, const struct btt_metainfo *mi,
		      const struct btt_bdoc *d, struct btt_resume_err *err)
{
	struct btt_cur c;
	int64_t version;
	int rc;

	if (btt_bnode_type(d, 0) != BTT_BDICT)
		return fail(err, BTT_ETYPE, "not a dictionary");
	if (btt_bnode_get(d, 0, "version") == BTT_BNONE)
		return fail(err, BTT_EMISSING, "no version");
	if (!btt_bnode_get_int(d, 0, "version", &version))
		return fail(err, BTT_ETYPE, "version is not an integer");
	if (version != BTT_RESUME_VERSION)
		return fail(err, BTT_EUNSUPPORTED, "unknown version");
	if ((rc = check_hash(d, "info-hash", mi->has_v1, mi->ih_v1,
			     sizeof(mi->ih_v1), err)) != 0 ||
	    (rc = check_hash(d, "info-hash2", mi->has_v2, mi->ih_v2,
			     sizeof(mi->ih_v2), err)) != 0)
		return rc;
	if ((rc = get_str(d, "bitfield", &c, err)) != 0)
		return rc;
	if (c.len != btt_bitfield_bytes(&r->have) ||
	    (c.len && btt_bitfield_import(&r->have, c.p, c.len) != 0))
		return fail(err, BTT_EMALFORMED, "bad bitfield");
	if ((rc = get_str(d, "files", &c, err)) != 0)
		return rc;
	return decode_files(r, mi, c, err);
}

int btt_resume_decode(struct btt_resume *r, const struct btt_metainfo *mi,
		      const void *buf, size_t len, struct btt_resume_err *err)
{
	static const struct btt_bdec_limits lim = {
		.max_depth = 1, .max_items = BTT_RESUME_MAX_ITEMS};
	struct btt_bdoc doc;
	int rc;

	memset(r, 0, sizeof(*r));
	memset(&doc, 0, sizeof(doc));
	if (len > BTT_RESUME_MAX_SIZE)
		return fail(err, BTT_ELIMIT, "resume file too large");
	if ((rc = btt_bdecode(&doc, buf, len, &lim)) != 0) {
		fail(err, rc, doc.msg[0] ? doc.msg : "bad bencode");
		btt_bdoc_release(&doc);
		return rc;
	}
	rc = btt_resume_init(r, mi);
	if (rc)
		fail(err, rc, "out of memory");
	else
		rc = decode_doc(r, mi, &doc, err);
	btt_bdoc_release(&doc);
	if (rc)
		btt_resume_release(r);
	return rc;
}

/* Reads at most BTT_RESUME_MAX_SIZE + 1 bytes, so a file that is too
 * large is known without reading it all. */
static int read_capped(int fd, uint8_t **out, size_t *out_len)
{
	size_t cap = 64 << 10, len = 0;
	uint8_t *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;
		if (len == cap) {
			size_t ncap = cap * 2 > BTT_RESUME_MAX_SIZE + 1
					      ? BTT_RESUME_MAX_SIZE + 1
					      : cap * 2;
			uint8_t *nb;
			if (ncap == cap)
				break;
			if (!(nb = realloc(buf, ncap))) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = -errno;
			free(buf);
			return e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out = buf;
	*out_len = len;
	return 0;
}

int btt_resume_load(struct btt_resume *r, const struct btt_metainfo *mi,
		    const char *path, struct btt_resume_err *err)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int fd, rc;

	memset(r, 0, sizeof(*r));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fail(err, -errno, "cannot open the resume file");
	rc = read_capped(fd, &buf, &len);
	close(fd);
	if (rc)
		return fail(err, rc, "cannot read the resume file");
	rc = btt_resume_decode(r, mi, buf, len, err);
	free(buf);
	return rc;
}

/* ---- saving ---- */

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* fsync of the directory holding path, so the rename is durable. */
static int sync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	int fd, rc = 0;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - path) >= sizeof(dir))
		return -ENAMETOOLONG;
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int btt_resume_write_atomic(const char *path, const void *buf, size_t len)
{
	char tmp[4096 + 8];
	int fd, rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY,
		  0644);
	if (fd < 0)
		return -errno;
	rc = write_all(fd, buf, len);
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc) {
		unlink(tmp);
		return rc;
	}
	return sync_parent(path);
}

int btt_resume_save(const struct btt_resume *r, const struct btt_metainfo *mi,
		    const char *path)
{
	struct btt_wbuf w;
	int rc;

	btt_wbuf_init(&w, BTT_RESUME_MAX_SIZE);
	rc = btt_resume_encode(r, mi, &w);
	if (!rc)
		rc = btt_resume_write_atomic(path, w.buf, w.len);
	btt_wbuf_release(&w);
	return rc;
}

/* ---- the trust rule ---- */

static bool file_changed(const struct btt_resume *r, uint32_t f,
			 const struct btt_resume_file *now)
{
	return !r || r->files[f].size != now[f].size ||
	       r->files[f].mtime_ns != now[f].mtime_ns;
}

int btt_resume_plan(const struct btt_metainfo *mi, const struct btt_resume *r,
		    const struct btt_resume_file *now,
		    struct btt_bitfield *out_have,
		    struct btt_bitfield *out_recheck)
{
	struct btt_layout l;
	int rc;

	memset(out_recheck, 0, sizeof(*out_recheck));
	if ((rc = btt_bitfield_init(out_have, mi->num_pieces)) != 0 ||
	    (rc = btt_bitfield_init(out_recheck, mi->num_pieces)) != 0 ||
	    (rc = btt_layout_init_metainfo(&l, mi)) != 0) {
		btt_bitfield_release(out_have);
		btt_bitfield_release(out_recheck);
		return rc;
	}
	if (r && (btt_bitfield_size(&r->have) != mi->num_pieces ||
		  r->num_files != mi->num_files))
		r = NULL;
	for (uint32_t p = 0; p < l.num_pieces; p++) {
		bool any = false, present = true, changed = false;
		struct btt_layout_iter it;
		struct btt_layout_extent e;
		btt_layout_iter_piece(&l, p, &it);
		while (btt_layout_iter_next(&it, &e)) {
			if (e.pad)
				continue;
			any = true;
			present = present &&
				  now[e.file].mtime_ns != BTT_RESUME_ABSENT &&
				  now[e.file].size >= e.offset + e.length;
			changed = changed || file_changed(r, e.file, now);
		}
		if (!any || (present && changed))
			btt_bitfield_set(out_recheck, p);
		else if (r && present && btt_bitfield_get(&r->have, p))
			btt_bitfield_set(out_have, p);
	}
	return 0;
}
