// modules: bt bencode crypto io core
/* Fuzzes the fast resume decoder (resume files are read back from disk,
 * which can be corrupted or planted) against a fixed two-file v1 torrent,
 * and the trust rule on whatever it accepts.
 *
 * Invariants checked (abort on violation): a rejected input leaves
 * nothing allocated and reports the error it returned; an accepted record
 * has exactly the torrent's piece and file counts, encodes back to bytes
 * that decode to the same record, and the trust rule gives disjoint
 * trusted and recheck sets in which every trusted piece was recorded. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bt/metainfo.h"
#include "bt/resume.h"
#include "core/limits.h"
#include "core/wbuf.h"

#define CHECK(x)                 \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)

/* a.bin (40000 bytes) and b.bin (20000) in 16 KiB pieces: 4 pieces,
 * piece 2 spanning both files. The seed corpus is made for this info
 * dict's hash. */
static const char torrent[] =
	"d4:infod5:filesld6:lengthi40000e4:pathl5:a.bineed6:lengthi20000e4:"
	"pathl5:b.bineee4:name4:fuzz12:piece lengthi16384e6:pieces80:"
	"01234567890123456789012345678901234567890123456789012345678901234567"
	"890123456789ee";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct btt_metainfo mi;

static void load_torrent(void)
{
	static int ready;

	if (ready)
		return;
	CHECK(btt_metainfo_parse(&mi, torrent, sizeof(torrent) - 1, NULL) == 0);
	CHECK(mi.num_pieces == 4 && mi.num_files == 2);
	ready = 1;
}

static void check_same(const struct btt_resume *a, const struct btt_resume *b)
{
	CHECK(btt_bitfield_count(&a->have) == btt_bitfield_count(&b->have));
	for (size_t p = 0; p < btt_bitfield_size(&a->have); p++)
		CHECK(btt_bitfield_get(&a->have, p) ==
		      btt_bitfield_get(&b->have, p));
	CHECK(!memcmp(a->files, b->files, a->num_files * sizeof(*a->files)));
}

static void check_plan(const struct btt_resume *r,
		       const struct btt_resume_file *now)
{
	struct btt_bitfield have, recheck;

	CHECK(btt_resume_plan(&mi, r, now, &have, &recheck) == 0);
	CHECK(btt_bitfield_size(&have) == mi.num_pieces);
	CHECK(btt_bitfield_size(&recheck) == mi.num_pieces);
	for (uint32_t p = 0; p < mi.num_pieces; p++) {
		bool h = btt_bitfield_get(&have, p);
		CHECK(!(h && btt_bitfield_get(&recheck, p)));
		CHECK(!h || (r && btt_bitfield_get(&r->have, p)));
	}
	btt_bitfield_release(&have);
	btt_bitfield_release(&recheck);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct btt_resume r, back;
	struct btt_resume_err err = {0};
	struct btt_resume_file now[2];
	struct btt_wbuf w;
	int rc;

	load_torrent();
	rc = btt_resume_decode(&r, &mi, data, size, &err);
	if (rc) {
		CHECK(rc < 0 && err.code == rc && !r.files && err.msg[0]);
		check_plan(NULL, (struct btt_resume_file[2]){{0, 0}, {0, 0}});
		return 0;
	}
	CHECK(btt_bitfield_size(&r.have) == mi.num_pieces);
	CHECK(r.num_files == mi.num_files && r.files);
	btt_wbuf_init(&w, BTT_RESUME_MAX_SIZE);
	CHECK(btt_resume_encode(&r, &mi, &w) == 0);
	CHECK(btt_resume_decode(&back, &mi, w.buf, w.len, NULL) == 0);
	check_same(&r, &back);
	btt_resume_release(&back);
	btt_wbuf_release(&w);
	/* unchanged files; then the second one changed */
	memcpy(now, r.files, sizeof(now));
	check_plan(&r, now);
	now[1].mtime_ns ^= 1;
	check_plan(&r, now);
	btt_resume_release(&r);
	return 0;
}
