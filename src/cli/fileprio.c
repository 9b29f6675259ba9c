/* `btt get --select-file LIST` and `--file-priority LIST=P`: which files
 * of a torrent to download, and in what order of preference.
 *
 * LIST is comma-separated file indexes and ranges ("0,3,5-9"), the
 * indexes `btt info` prints (the torrent's file list counted from 0, pad
 * files included, as BEP 53's `so` counts them). --select-file skips
 * every file not named; --file-priority sets P (0..7, 0 skips, 4 is the
 * default, 7 first) for the files named, later options winning. The
 * syntax is checked when the option is read; the indexes once the
 * torrent is loaded, against its file count. */
#include <stdlib.h>
#include <string.h>

#include "bt/metainfo.h"
#include "btt/err.h"
#include "cli/cli_int.h"
#include "core/cur.h"
#include "core/limits.h"

#define PRIO_DEFAULT 4
#define PRIO_MAX 7

/* Calls fn(arg, first, last) for each item of LIST; false when LIST is
 * malformed (empty items, a range going down, trailing bytes). */
static bool each_range(const char *list, size_t len,
		       bool (*fn)(void *arg, uint64_t first, uint64_t last),
		       void *arg)
{
	struct btt_cur c;
	uint64_t first, last;

	btt_cur_init(&c, list, len);
	do {
		if (!btt_cur_get_dec(&c, 7, BTT_METAINFO_MAX_FILES, true,
				     &first))
			return false;
		last = first;
		if (btt_cur_get_prefix(&c, "-") &&
		    (!btt_cur_get_dec(&c, 7, BTT_METAINFO_MAX_FILES, true,
				      &last) ||
		     last < first))
			return false;
		if (fn && !fn(arg, first, last))
			return false;
	} while (btt_cur_get_prefix(&c, ","));
	return btt_cur_len(&c) == 0;
}

/* Splits "LIST=P" (P absent for --select-file). */
static bool split(const struct btt_cli_file_spec *sp, size_t *list_len,
		  unsigned *prio)
{
	const char *eq = strchr(sp->text, '=');
	uint64_t v;

	if (sp->select) {
		*list_len = strlen(sp->text);
		*prio = PRIO_DEFAULT;
		return true;
	}
	if (!eq || !btt_cli_parse_u64(eq + 1, PRIO_MAX, false, &v))
		return false;
	*list_len = (size_t)(eq - sp->text);
	*prio = (unsigned)v;
	return true;
}

bool btt_cli_file_spec_ok(const struct btt_cli_file_spec *sp)
{
	size_t len;
	unsigned prio;

	return split(sp, &len, &prio) && each_range(sp->text, len, NULL, NULL);
}

struct apply {
	uint8_t *prio;
	uint32_t nfiles;
	unsigned value;
	uint64_t bad; /* the first index out of range, or UINT64_MAX */
};

static bool apply_range(void *arg, uint64_t first, uint64_t last)
{
	struct apply *ap = arg;

	if (last >= ap->nfiles) {
		ap->bad = last;
		return false;
	}
	for (uint64_t i = first; i <= last; i++)
		ap->prio[i] = (uint8_t)ap->value;
	return true;
}

int btt_cli_file_prio(const struct btt_cli_xfer *a,
		      const struct btt_metainfo *mi, uint8_t **out)
{
	struct apply ap = {.nfiles = mi->num_files, .bad = UINT64_MAX};
	bool selected = false;
	size_t len;

	*out = NULL;
	if (!a->nfile_specs)
		return 0;
	ap.prio = malloc(mi->num_files ? mi->num_files : 1);
	if (!ap.prio)
		abort();
	for (size_t i = 0; i < a->nfile_specs; i++)
		selected |= a->file_specs[i].select;
	memset(ap.prio, selected ? 0 : PRIO_DEFAULT, mi->num_files);
	for (size_t i = 0; i < a->nfile_specs; i++) {
		const struct btt_cli_file_spec *sp = &a->file_specs[i];
		if (!split(sp, &len, &ap.value) ||
		    !each_range(sp->text, len, apply_range, &ap)) {
			if (ap.bad != UINT64_MAX)
				btt_cli_err(a->cmd,
					    "%s: --%s %s: file %llu does not "
					    "exist (the torrent has %u, "
					    "counted from 0)",
					    a->torrents[0],
					    sp->select ? "select-file"
						       : "file-priority",
					    sp->text,
					    (unsigned long long)ap.bad,
					    mi->num_files);
			free(ap.prio);
			return BTT_EINVALID;
		}
	}
	*out = ap.prio;
	return 0;
}
