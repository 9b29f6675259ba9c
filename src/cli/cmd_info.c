/* btt info: what a .torrent file or a magnet link holds, as text or JSON.
 *
 * Everything shown comes from untrusted input: paths are already
 * sanitised by the parser, but free text (comment, created by, URLs, dn)
 * is escaped here: control bytes and invalid UTF-8 become \xNN in text
 * output and valid JSON escapes in --json output. Output is built in a
 * write buffer and flushed in chunks, so a million-file torrent streams. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bt/magnet.h"
#include "bt/metainfo.h"
#include "bt/path.h"
#include "btt/err.h"
#include "cli/cli_int.h"
#include "core/codec.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/wbuf.h"

struct info_opts {
	bool json;
	bool verbose; /* show pad files */
	const char *arg;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: btt info [-v] [--json] FILE.torrent|MAGNET\n"
		   "\n"
		   "Shows what a .torrent file or a magnet link holds: name,\n"
		   "info-hashes, sizes, files, trackers, web seeds and the\n"
		   "magnet link.\n"
		   "\n"
		   "  --json         one JSON object on stdout\n"
		   "  -v, --verbose  also list pad files\n"
		   "  -h, --help     this help\n"
		   "\n"
		   "Exit status: 0 ok, 1 failure, 2 bad usage or bad input.\n");
}

static void put_ctext(struct btt_wbuf *w, const char *s)
{
	btt_cli_put_text(w, s, strlen(s));
}

static void put_jkey(struct btt_wbuf *w, bool *first, const char *key)
{
	btt_wbuf_put_str(w, *first ? "{" : ",");
	*first = false;
	btt_cli_put_json(w, key);
	btt_wbuf_put_u8(w, ':');
}

static void put_jstr(struct btt_wbuf *w, bool *first, const char *key,
		     const char *v)
{
	put_jkey(w, first, key);
	if (v)
		btt_cli_put_json(w, v);
	else
		btt_wbuf_put_str(w, "null");
}

static void put_jhex(struct btt_wbuf *w, bool *first, const char *key, bool has,
		     const uint8_t *h, size_t n)
{
	char hex[65];
	put_jstr(w, first, key, has ? btt_hex_encode(h, n, hex) : NULL);
}

static void put_juint(struct btt_wbuf *w, bool *first, const char *key,
		      uint64_t v)
{
	put_jkey(w, first, key);
	btt_wbuf_printf(w, "%llu", (unsigned long long)v);
}

static void put_jstrs(struct btt_wbuf *w, bool *first, const char *key,
		      char *const *v, uint32_t n)
{
	put_jkey(w, first, key);
	btt_wbuf_put_u8(w, '[');
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			btt_wbuf_put_u8(w, ',');
		btt_cli_put_json(w, v[i]);
	}
	btt_wbuf_put_u8(w, ']');
}

static const char *iso_date(int64_t t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if ((int64_t)tt != t || !gmtime_r(&tt, &tm) ||
	    !strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, n, "%lld", (long long)t);
	return buf;
}

static const char *format_name(int version)
{
	return version == BTT_META_HYBRID ? "hybrid (v1 + v2)"
	       : version == BTT_META_V2	  ? "v2"
					  : "v1";
}

static void put_label(struct btt_wbuf *w, const char *label)
{
	btt_wbuf_printf(w, "%-15s ", label);
}

static void put_line(struct btt_wbuf *w, const char *label, const char *v)
{
	put_label(w, label);
	put_ctext(w, v);
	btt_wbuf_put_u8(w, '\n');
}

static void text_head(struct btt_wbuf *w, const struct btt_metainfo *mi)
{
	char hex[65], h1[32], h2[32];

	put_line(w, "name:", mi->name);
	if (mi->has_v1)
		put_line(w,
			 "info-hash v1:", btt_hex_encode(mi->ih_v1, 20, hex));
	if (mi->has_v2)
		put_line(w,
			 "info-hash v2:", btt_hex_encode(mi->ih_v2, 32, hex));
	put_line(w, "format:", format_name(mi->version));
	put_label(w, "total size:");
	btt_wbuf_printf(w, "%llu bytes (%s)\n",
			(unsigned long long)mi->total_length,
			btt_cli_size(mi->total_length, 2, h1, sizeof(h1)));
	put_label(w, "pieces:");
	btt_wbuf_printf(w, "%u x %llu bytes (%s)\n", mi->num_pieces,
			(unsigned long long)mi->piece_length,
			btt_cli_size(mi->piece_length, 2, h2, sizeof(h2)));
	put_line(w, "private:", mi->is_private ? "yes" : "no");
	if (mi->created_by)
		put_line(w, "created by:", mi->created_by);
	if (mi->creation_date)
		put_line(w, "creation date:",
			 iso_date(mi->creation_date, h1, sizeof(h1)));
	if (mi->comment)
		put_line(w, "comment:", mi->comment);
}

static int text_torrent(struct btt_wbuf *w, const struct btt_metainfo *mi,
			const struct info_opts *o, const char *magnet)
{
	uint32_t shown = 0;
	int rc;

	text_head(w, mi);
	if (mi->num_trackers)
		btt_wbuf_put_str(w, "trackers:\n");
	for (uint32_t i = 0; i < mi->num_trackers; i++) {
		btt_wbuf_printf(w, "  tier %-8u ", mi->tracker_tier[i]);
		put_ctext(w, mi->trackers[i]);
		btt_wbuf_put_u8(w, '\n');
	}
	if (mi->num_webseeds)
		btt_wbuf_put_str(w, "web seeds:\n");
	for (uint32_t i = 0; i < mi->num_webseeds; i++) {
		btt_wbuf_put_str(w, "  ");
		put_ctext(w, mi->webseeds[i]);
		btt_wbuf_put_u8(w, '\n');
	}
	put_label(w, "files:");
	btt_wbuf_printf(w, "%u", mi->num_files - mi->num_pad_files);
	if (mi->num_pad_files)
		btt_wbuf_printf(w, " (and %u pad file%s%s)", mi->num_pad_files,
				mi->num_pad_files == 1 ? "" : "s",
				o->verbose ? "" : ", hidden");
	btt_wbuf_put_u8(w, '\n');
	for (uint32_t i = 0; i < mi->num_files; i++) {
		const struct btt_file *f = &mi->files[i];
		if ((f->attr & BTT_FILE_PAD) && !o->verbose)
			continue;
		btt_wbuf_printf(w, "  %5u %15llu  ", i,
				(unsigned long long)f->length);
		put_ctext(w, f->path);
		if (f->attr & BTT_FILE_PAD)
			btt_wbuf_put_str(w, " [pad]");
		if (f->attr & BTT_FILE_EXEC)
			btt_wbuf_put_str(w, " [executable]");
		if (f->attr & BTT_FILE_HIDDEN)
			btt_wbuf_put_str(w, " [hidden]");
		if (f->symlink) {
			btt_wbuf_put_str(w, " -> ");
			put_ctext(w, f->symlink);
		}
		btt_wbuf_put_u8(w, '\n');
		if ((++shown & 1023) == 0 &&
		    (rc = btt_cli_out_flush(w, false)) != 0)
			return rc;
	}
	put_line(w, "magnet:", magnet);
	return 0;
}

static void json_file(struct btt_wbuf *w, const struct btt_file *f)
{
	bool first = true;

	put_jstr(w, &first, "path", f->path);
	put_juint(w, &first, "size", f->length);
	put_juint(w, &first, "offset", f->offset);
	if (f->attr & BTT_FILE_PAD)
		btt_wbuf_put_str(w, ",\"pad\":true");
	if (f->attr & BTT_FILE_EXEC)
		btt_wbuf_put_str(w, ",\"executable\":true");
	if (f->attr & BTT_FILE_HIDDEN)
		btt_wbuf_put_str(w, ",\"hidden\":true");
	if (f->symlink)
		put_jstr(w, &first, "symlink", f->symlink);
	btt_wbuf_put_u8(w, '}');
}

static void json_trackers(struct btt_wbuf *w, bool *first,
			  const struct btt_metainfo *mi)
{
	put_jkey(w, first, "trackers");
	btt_wbuf_put_u8(w, '[');
	for (uint32_t i = 0; i < mi->num_trackers; i++) {
		bool new_tier = i == 0 ||
				mi->tracker_tier[i] != mi->tracker_tier[i - 1];
		if (new_tier)
			btt_wbuf_put_str(w, i ? "],[" : "[");
		else
			btt_wbuf_put_u8(w, ',');
		btt_cli_put_json(w, mi->trackers[i]);
	}
	btt_wbuf_put_str(w, mi->num_trackers ? "]]" : "]");
}

static int json_torrent(struct btt_wbuf *w, const struct btt_metainfo *mi,
			const char *magnet)
{
	bool first = true;
	int rc;

	put_jstr(w, &first, "name", mi->name);
	put_jhex(w, &first, "info_hash_v1", mi->has_v1, mi->ih_v1, 20);
	put_jhex(w, &first, "info_hash_v2", mi->has_v2, mi->ih_v2, 32);
	put_jstr(w, &first, "format",
		 mi->version == BTT_META_HYBRID ? "hybrid"
		 : mi->version == BTT_META_V2	? "v2"
						: "v1");
	put_juint(w, &first, "total_size", mi->total_length);
	put_juint(w, &first, "piece_size", mi->piece_length);
	put_juint(w, &first, "num_pieces", mi->num_pieces);
	btt_wbuf_printf(w, ",\"private\":%s,\"single_file\":%s",
			mi->is_private ? "true" : "false",
			mi->is_single_file ? "true" : "false");
	put_jstr(w, &first, "created_by", mi->created_by);
	put_jkey(w, &first, "creation_date");
	if (mi->creation_date)
		btt_wbuf_printf(w, "%lld", (long long)mi->creation_date);
	else
		btt_wbuf_put_str(w, "null");
	put_jstr(w, &first, "comment", mi->comment);
	json_trackers(w, &first, mi);
	put_jstrs(w, &first, "web_seeds", mi->webseeds, mi->num_webseeds);
	put_jkey(w, &first, "files");
	btt_wbuf_put_u8(w, '[');
	for (uint32_t i = 0; i < mi->num_files; i++) {
		if (i)
			btt_wbuf_put_u8(w, ',');
		json_file(w, &mi->files[i]);
		if ((i & 1023) == 1023 &&
		    (rc = btt_cli_out_flush(w, false)) != 0)
			return rc;
	}
	btt_wbuf_put_u8(w, ']');
	put_jstr(w, &first, "magnet", magnet);
	btt_wbuf_put_str(w, "}\n");
	return 0;
}

static void text_magnet(struct btt_wbuf *w, const struct btt_magnet *m,
			const char *link)
{
	char hex[65];

	if (m->name)
		put_line(w, "name:", m->name);
	if (m->has_v1)
		put_line(w, "info-hash v1:", btt_hex_encode(m->ih_v1, 20, hex));
	if (m->has_v2)
		put_line(w, "info-hash v2:", btt_hex_encode(m->ih_v2, 32, hex));
	for (uint32_t i = 0; i < m->num_trackers; i++)
		put_line(w, i ? "" : "trackers:", m->trackers[i]);
	for (uint32_t i = 0; i < m->num_webseeds; i++)
		put_line(w, i ? "" : "web seeds:", m->webseeds[i]);
	for (uint32_t i = 0; i < m->num_peers; i++) {
		put_label(w, i ? "" : "peers:");
		if (strchr(m->peers[i].host, ':'))
			btt_wbuf_printf(w, "[%s]:%u\n", m->peers[i].host,
					m->peers[i].port);
		else
			btt_wbuf_printf(w, "%s:%u\n", m->peers[i].host,
					m->peers[i].port);
	}
	if (m->num_select)
		put_label(w, "select files:");
	for (uint32_t i = 0; i < m->num_select; i++) {
		btt_wbuf_printf(w, "%s%u", i ? "," : "", m->select[i].first);
		if (m->select[i].last != m->select[i].first)
			btt_wbuf_printf(w, "-%u", m->select[i].last);
	}
	if (m->num_select)
		btt_wbuf_put_u8(w, '\n');
	put_line(w, "magnet:", link);
}

static void json_magnet(struct btt_wbuf *w, const struct btt_magnet *m,
			const char *link)
{
	bool first = true;

	put_jstr(w, &first, "name", m->name);
	put_jhex(w, &first, "info_hash_v1", m->has_v1, m->ih_v1, 20);
	put_jhex(w, &first, "info_hash_v2", m->has_v2, m->ih_v2, 32);
	put_jstrs(w, &first, "trackers", m->trackers, m->num_trackers);
	put_jstrs(w, &first, "web_seeds", m->webseeds, m->num_webseeds);
	put_jkey(w, &first, "peers");
	btt_wbuf_put_u8(w, '[');
	for (uint32_t i = 0; i < m->num_peers; i++) {
		btt_wbuf_printf(w, "%s{\"host\":", i ? "," : "");
		btt_cli_put_json(w, m->peers[i].host);
		btt_wbuf_printf(w, ",\"port\":%u}", m->peers[i].port);
	}
	btt_wbuf_put_u8(w, ']');
	put_jkey(w, &first, "select");
	btt_wbuf_put_u8(w, '[');
	for (uint32_t i = 0; i < m->num_select; i++)
		btt_wbuf_printf(w, "%s[%u,%u]", i ? "," : "",
				m->select[i].first, m->select[i].last);
	btt_wbuf_put_u8(w, ']');
	put_jstr(w, &first, "magnet", link);
	btt_wbuf_put_str(w, "}\n");
}

/* One line on stderr: "btt info: ARG: at byte N: what". The argument is
 * escaped (and a long magnet shortened) so the line stays one line. */
static int bad_input(const char *arg, int64_t off, const char *msg)
{
	char shown[1024], clean[192];
	size_t j = 0;

	btt_log_escape(arg, strlen(arg), shown, sizeof(shown));
	for (size_t i = 0; msg[i] && j + 1 < sizeof(clean); i++)
		clean[j++] = (uint8_t)msg[i] < 0x20 ? '?' : msg[i];
	clean[j] = 0;
	if (off >= 0)
		btt_cli_err("info", "%s: at byte %lld: %s", shown,
			    (long long)off, clean);
	else
		btt_cli_err("info", "%s: %s", shown, clean);
	return BTT_EXIT_USAGE;
}

static int show_torrent(const struct info_opts *o, struct btt_wbuf *w)
{
	struct btt_metainfo mi;
	struct btt_metainfo_err err;
	struct btt_wbuf link;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	rc = btt_cli_read_file(o->arg, BTT_METAINFO_MAX_SIZE, &buf, &len);
	if (rc)
		return rc == -ENOMEM ? (btt_cli_err("info", "out of memory"),
					BTT_EXIT_FAIL)
				     : bad_input(o->arg, -1,
						 rc == BTT_ELIMIT
							 ? "larger than 30 MiB"
							 : btt_strerror(rc));
	rc = btt_metainfo_parse(&mi, buf, len, &err);
	free(buf);
	if (rc)
		return bad_input(o->arg, err.off, err.msg);
	/* Every tracker and web seed at its cap, each tripled by escaping. */
	btt_wbuf_init(&link, 32u << 20);
	btt_metainfo_magnet(&mi, &link);
	btt_wbuf_terminate(&link);
	rc = btt_wbuf_err(&link);
	if (!rc)
		rc = o->json ? json_torrent(w, &mi, (const char *)link.buf)
			     : text_torrent(w, &mi, o, (const char *)link.buf);
	btt_wbuf_release(&link);
	btt_metainfo_release(&mi);
	return rc;
}

static int show_magnet(const struct info_opts *o, struct btt_wbuf *w)
{
	struct btt_magnet m;
	struct btt_metainfo_err err;
	struct btt_wbuf link;
	int rc;

	rc = btt_magnet_parse(&m, o->arg, strlen(o->arg), &err);
	if (rc)
		return bad_input(o->arg, err.off, err.msg);
	btt_wbuf_init(&link, 4 * BTT_MAGNET_MAX_LEN);
	btt_magnet_write(&m, &link);
	btt_wbuf_terminate(&link);
	rc = btt_wbuf_err(&link);
	if (!rc && o->json)
		json_magnet(w, &m, (const char *)link.buf);
	else if (!rc)
		text_magnet(w, &m, (const char *)link.buf);
	btt_wbuf_release(&link);
	btt_magnet_release(&m);
	return rc;
}

static int parse_args(int argc, char **argv, struct info_opts *o)
{
	bool opts = true;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (opts && !strcmp(a, "--")) {
			opts = false;
		} else if (opts && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
			usage(stdout);
			return BTT_EXIT_OK;
		} else if (opts && !strcmp(a, "--json")) {
			o->json = true;
		} else if (opts &&
			   (!strcmp(a, "-v") || !strcmp(a, "--verbose"))) {
			o->verbose = true;
		} else if (opts && a[0] == '-' && a[1]) {
			btt_cli_err("info", "unknown option '%s'", a);
			usage(stderr);
			return BTT_EXIT_USAGE;
		} else if (o->arg) {
			btt_cli_err("info", "expected one FILE or MAGNET");
			return BTT_EXIT_USAGE;
		} else {
			o->arg = a;
		}
	}
	if (!o->arg) {
		usage(stderr);
		return BTT_EXIT_USAGE;
	}
	return -1;
}

int btt_cmd_info(int argc, char **argv)
{
	struct info_opts o = {.verbose = btt_log_level >= BTT_LOG_DEBUG};
	struct btt_wbuf w;
	int rc = parse_args(argc, argv, &o);

	if (rc >= 0)
		return rc;
	/* Flushed in 64 KiB chunks; one file line is at most a few
	 * times BTT_METAINFO_MAX_PATH_LEN. */
	btt_wbuf_init(&w, 64u << 20);
	if (!strncasecmp(o.arg, "magnet:", 7))
		rc = show_magnet(&o, &w);
	else
		rc = show_torrent(&o, &w);
	if (rc == 0)
		rc = btt_cli_out_flush(&w, true);
	btt_wbuf_release(&w);
	if (rc == BTT_EXIT_USAGE || rc == BTT_EXIT_FAIL)
		return rc;
	if (rc) {
		btt_cli_err("info", "cannot write output: %s",
			    btt_strerror(rc));
		return BTT_EXIT_FAIL;
	}
	return BTT_EXIT_OK;
}
