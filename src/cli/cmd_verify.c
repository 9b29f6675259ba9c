/* btt verify: checks downloaded data against a .torrent.
 *
 * The hashing is bt/verify.c on every core; this file parses the command
 * line, draws the progress bar (stderr, only on a terminal unless -v) and
 * reports, as text or as one JSON object. Paths and names come from the
 * torrent, which the parser sanitised; they are escaped again on output
 * so a terminal or a JSON reader never sees a raw control byte. Output is
 * built in a write buffer flushed in chunks, so a million-file torrent
 * streams.
 *
 * Exit status: 0 when every piece and every file is complete, 1 when data
 * is missing, corrupt or of the wrong size (or the directory cannot be
 * read), 2 for bad usage or a bad .torrent. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt/metainfo.h"
#include "bt/path.h"
#include "bt/verify.h"
#include "btt/err.h"
#include "cli/cli_int.h"
#include "core/codec.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/wbuf.h"
#include "io/pool.h"

static const char cmd[] = "verify";

struct verify_args {
	const char *torrent;
	const char *dir;
	struct btt_verify_opts o;
	bool json, quiet, verbose;
	struct btt_cli_progress progress;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: btt verify [--json] [--threads N] [-q|-v] "
		"FILE.torrent DIR\n"
		"\n"
		"Hashes the data of FILE.torrent found in the download "
		"directory DIR:\n"
		"a single-file torrent's data is DIR/NAME, a multi-file "
		"torrent's\n"
		"DIR/NAME/PATH. Pad files are never read.\n"
		"\n"
		"      --json         one JSON object on stdout\n"
		"  -t, --threads N    hashing threads, 1 to %u (default: all "
		"cores)\n"
		"  -q, --quiet        print nothing; the exit status tells\n"
		"  -v, --verbose      list every file, and show progress even "
		"when\n"
		"                     stderr is not a terminal\n"
		"  -h, --help         this help\n"
		"\n"
		"Exit status: 0 every piece and file complete, 1 data missing, "
		"corrupt\n"
		"or of the wrong size, 2 bad usage or a bad torrent.\n",
		BTT_POOL_MAX_THREADS);
}

static void put_jkey(struct btt_wbuf *w, const char *key)
{
	btt_wbuf_printf(w, "\"%s\":", key);
}

static const char *version_name(int v)
{
	return v == BTT_META_HYBRID ? "hybrid" : v == BTT_META_V2 ? "v2" : "v1";
}

static void on_progress(void *arg, uint64_t done, uint64_t total)
{
	struct verify_args *a = arg;
	btt_cli_progress_update(&a->progress, done, total);
}

static void json_file(struct btt_wbuf *w, const struct btt_file *f,
		      const struct btt_verify_file *vf)
{
	btt_wbuf_put_str(w, "{");
	put_jkey(w, "path");
	btt_cli_put_json(w, f->path);
	btt_wbuf_printf(w, ",\"length\":%llu,\"size_on_disk\":",
			(unsigned long long)f->length);
	if (vf->present)
		btt_wbuf_printf(w, "%llu", (unsigned long long)vf->disk_size);
	else
		btt_wbuf_put_str(w, "null");
	btt_wbuf_printf(w,
			",\"status\":\"%s\",\"pieces\":%u,\"missing_pieces\":%"
			"u,\"corrupt_pieces\":%u,\"error\":",
			btt_verify_file_state_name(vf->state), vf->pieces,
			vf->missing, vf->corrupt);
	if (vf->err)
		btt_cli_put_json(w, btt_strerror(vf->err));
	else
		btt_wbuf_put_str(w, "null");
	btt_wbuf_put_str(w, "}");
}

static int report_json(struct btt_wbuf *w, const struct verify_args *a,
		       const struct btt_metainfo *mi,
		       const struct btt_verify_result *r)
{
	char hex[65];
	bool first = true;
	int rc = 0;

	btt_wbuf_put_str(w, "{");
	put_jkey(w, "torrent");
	btt_cli_put_json(w, a->torrent);
	btt_wbuf_put_str(w, ",\"dir\":");
	btt_cli_put_json(w, a->dir);
	btt_wbuf_put_str(w, ",\"name\":");
	btt_cli_put_json(w, mi->name);
	btt_wbuf_printf(w, ",\"version\":\"%s\"", version_name(mi->version));
	if (mi->has_v1)
		btt_wbuf_printf(w, ",\"info_hash_v1\":\"%s\"",
				btt_hex_encode(mi->ih_v1, 20, hex));
	if (mi->has_v2)
		btt_wbuf_printf(w, ",\"info_hash_v2\":\"%s\"",
				btt_hex_encode(mi->ih_v2, 32, hex));
	btt_wbuf_printf(
		w,
		",\"piece_length\":%llu,\"total_length\":%llu,\"ok\":%s,"
		"\"pieces\":{\"total\":%u,\"complete\":%u,\"missing\":%u,"
		"\"corrupt\":%u},\"bytes_read\":%llu,\"files\":[",
		(unsigned long long)mi->piece_length,
		(unsigned long long)mi->total_length, r->ok ? "true" : "false",
		r->num_pieces, r->complete, r->missing, r->corrupt,
		(unsigned long long)r->bytes_read);
	for (uint32_t f = 0; f < mi->num_files && !rc; f++) {
		if (mi->files[f].attr & BTT_FILE_PAD)
			continue;
		if (!first)
			btt_wbuf_put_u8(w, ',');
		first = false;
		json_file(w, &mi->files[f], &r->files[f]);
		rc = btt_cli_out_flush(w, false);
	}
	btt_wbuf_put_str(w, "]}\n");
	return rc;
}

static void text_file(struct btt_wbuf *w, const struct btt_file *f,
		      const struct btt_verify_file *vf)
{
	btt_wbuf_printf(w, "  %-9s ", btt_verify_file_state_name(vf->state));
	btt_cli_put_text(w, f->path, strlen(f->path));
	if (vf->corrupt)
		btt_wbuf_printf(w, "  (%u of %u pieces corrupt)", vf->corrupt,
				vf->pieces);
	else if (vf->missing && vf->present)
		btt_wbuf_printf(w, "  (%u of %u pieces missing)", vf->missing,
				vf->pieces);
	if (vf->present && vf->disk_size != f->length)
		btt_wbuf_printf(w, "  (%llu bytes on disk, %llu expected)",
				(unsigned long long)vf->disk_size,
				(unsigned long long)f->length);
	if (vf->err)
		btt_wbuf_printf(w, "  (%s)", btt_strerror(vf->err));
	btt_wbuf_put_u8(w, '\n');
}

static int report_text(struct btt_wbuf *w, const struct verify_args *a,
		       const struct btt_metainfo *mi,
		       const struct btt_verify_result *r)
{
	uint32_t bad = 0, files = mi->num_files - mi->num_pad_files;
	int rc = 0;

	btt_wbuf_put_str(w, "name:    ");
	btt_cli_put_text(w, mi->name, strlen(mi->name));
	btt_wbuf_printf(w, " (%s, %u file%s, %llu bytes)\n",
			version_name(mi->version), files, files == 1 ? "" : "s",
			(unsigned long long)mi->total_length);
	btt_wbuf_printf(w,
			"pieces:  %u complete, %u missing, %u corrupt of %u "
			"(%llu bytes each)\n",
			r->complete, r->missing, r->corrupt, r->num_pieces,
			(unsigned long long)mi->piece_length);
	for (uint32_t f = 0; f < mi->num_files && !rc; f++) {
		const struct btt_verify_file *vf = &r->files[f];
		if (mi->files[f].attr & BTT_FILE_PAD)
			continue;
		bad += vf->state != BTT_VERIFY_FILE_COMPLETE;
		if (vf->state != BTT_VERIFY_FILE_COMPLETE || a->verbose)
			text_file(w, &mi->files[f], vf);
		rc = btt_cli_out_flush(w, false);
	}
	if (r->ok)
		btt_wbuf_printf(w,
				"ok: all %u piece%s and %u file%s complete\n",
				r->num_pieces, r->num_pieces == 1 ? "" : "s",
				files, files == 1 ? "" : "s");
	else
		btt_wbuf_printf(w,
				"FAILED: %u of %u pieces not complete, %u of "
				"%u files not complete\n",
				r->num_pieces - r->complete, r->num_pieces, bad,
				files);
	return rc;
}

enum { OPT_JSON = 256 };

static const struct option long_opts[] = {
	{"json", no_argument, NULL, OPT_JSON},
	{"threads", required_argument, NULL, 't'},
	{"quiet", no_argument, NULL, 'q'},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* Returns 0 to go on, 1 after --help, -1 on bad usage (reported). */
static int parse_args(struct verify_args *a, int argc, char **argv)
{
	uint64_t v;
	int c;

	optind = 0; /* glibc: start over, whatever parsed argv before */
	opterr = 1;
	while ((c = getopt_long(argc, argv, "t:qvh", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: a->json = true; break;
		case 'q': a->quiet = true; break;
		case 'v': a->verbose = true; break;
		case 'h': return 1;
		case 't':
			if (!btt_cli_parse_u64(optarg, BTT_POOL_MAX_THREADS,
					       false, &v) ||
			    !v) {
				btt_cli_err(cmd,
					    "bad thread count '%s': 1 to %u",
					    optarg, BTT_POOL_MAX_THREADS);
				return -1;
			}
			a->o.threads = (unsigned)v;
			break;
		default: return -1;
		}
	}
	if (argc - optind != 2) {
		btt_cli_err(cmd, argc - optind < 2
					 ? "expected FILE.torrent and DIR"
					 : "too many arguments");
		return -1;
	}
	a->torrent = argv[optind];
	a->dir = argv[optind + 1];
	return 0;
}

/* One line on stderr naming the torrent and what is wrong with it. */
static int bad_torrent(const char *path, int64_t off, const char *msg)
{
	char shown[256], clean[192];
	size_t j = 0;

	btt_log_escape(path, strlen(path), shown, sizeof(shown));
	for (size_t i = 0; msg[i] && j + 1 < sizeof(clean); i++)
		clean[j++] = (uint8_t)msg[i] < 0x20 ? '?' : msg[i];
	clean[j] = 0;
	if (off >= 0)
		btt_cli_err(cmd, "%s: at byte %lld: %s", shown, (long long)off,
			    clean);
	else
		btt_cli_err(cmd, "%s: %s", shown, clean);
	return BTT_EXIT_USAGE;
}

static int load(const char *path, struct btt_metainfo *mi)
{
	struct btt_metainfo_err err;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = btt_cli_read_file(path, BTT_METAINFO_MAX_SIZE, &buf, &len);

	if (rc == -ENOMEM) {
		btt_cli_err(cmd, "out of memory");
		return BTT_EXIT_FAIL;
	}
	if (rc)
		return bad_torrent(path, -1,
				   rc == BTT_ELIMIT ? "larger than 30 MiB"
						    : btt_strerror(rc));
	rc = btt_metainfo_parse(mi, buf, len, &err);
	free(buf);
	if (rc)
		return bad_torrent(path, err.off, err.msg);
	return 0;
}

static int report(const struct verify_args *a, const struct btt_metainfo *mi,
		  const struct btt_verify_result *r)
{
	struct btt_wbuf w;
	int rc;

	if (a->quiet)
		return 0;
	/* Flushed in 64 KiB chunks; one file entry is at most a few
	 * times BTT_METAINFO_MAX_PATH_LEN. */
	btt_wbuf_init(&w, 16u << 20);
	rc = a->json ? report_json(&w, a, mi, r) : report_text(&w, a, mi, r);
	if (!rc)
		rc = btt_cli_out_flush(&w, true);
	btt_wbuf_release(&w);
	if (rc)
		btt_cli_err(cmd, "cannot write output: %s", btt_strerror(rc));
	return rc;
}

int btt_cmd_verify(int argc, char **argv)
{
	struct verify_args a = {.verbose = btt_log_level >= BTT_LOG_DEBUG};
	struct btt_metainfo mi = {0};
	struct btt_verify_result res = {0};
	int rc = parse_args(&a, argc, argv);

	if (rc) {
		if (rc > 0)
			usage(stdout);
		else
			fprintf(stderr, "(see 'btt verify --help')\n");
		return rc > 0 ? BTT_EXIT_OK : BTT_EXIT_USAGE;
	}
	if ((rc = load(a.torrent, &mi)) != 0)
		return rc;
	a.o.progress = on_progress;
	a.o.progress_arg = &a;
	btt_cli_progress_init(&a.progress, "verifying", a.quiet, a.verbose);
	rc = btt_verify_run(&mi, a.dir, &a.o, &res);
	btt_cli_progress_end(&a.progress);
	if (rc) {
		char shown[256];
		btt_log_escape(a.dir, strlen(a.dir), shown, sizeof(shown));
		btt_cli_err(cmd, "%s: %s", shown, btt_strerror(rc));
		rc = BTT_EXIT_FAIL;
	} else {
		rc = report(&a, &mi, &res) ? BTT_EXIT_FAIL
		     : res.ok		   ? BTT_EXIT_OK
					   : BTT_EXIT_FAIL;
	}
	btt_verify_result_release(&res);
	btt_metainfo_release(&mi);
	return rc;
}
