/* The command line: one binary, git-style subcommands dispatched from the
 * table in main.c, one cmd_<name>.c per subcommand.
 *
 * Exit codes (DESIGN.md): 0 success, 1 runtime failure, 2 bad usage or bad
 * input. Errors go to stderr as one line "btt <cmd>: <what>". */
#ifndef BTT_CLI_INT_H
#define BTT_CLI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/wbuf.h"
#include "io/addr.h"

enum {
	BTT_EXIT_OK = 0,
	BTT_EXIT_FAIL = 1,
	BTT_EXIT_USAGE = 2,
};

struct btt_cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
	const char *summary;
};

int btt_cmd_create(int argc, char **argv);
int btt_cmd_info(int argc, char **argv);
int btt_cmd_verify(int argc, char **argv);
int btt_cmd_wallet(int argc, char **argv);
int btt_cmd_chain(int argc, char **argv);
int btt_cmd_node(int argc, char **argv);
int btt_cmd_get(int argc, char **argv);
int btt_cmd_seed(int argc, char **argv);

/* Torrents one `btt seed` process takes. */
#define BTT_CLI_MAX_SEED_TORRENTS 100000u

/* A --select-file LIST or --file-priority LIST=P argument (fileprio.c). */
struct btt_cli_file_spec {
	const char *text; /* borrowed from argv */
	bool select;
};
#define BTT_CLI_MAX_FILE_SPECS 64

/* What `get` and `seed` run (xfer.c): one session with one torrent
 * (`get`, `seed`) or several (`seed`), every one's data under dir. */
struct btt_cli_xfer {
	const char *cmd, *dir;
	const char **torrents; /* file names, borrowed */
	size_t ntorrents;
	struct btt_addr bind;
	uint16_t port;
	bool port_set, download, seed, sequential, quiet;
	uint32_t seed_ratio_milli, max_peers;
	uint64_t down_limit, up_limit;
	struct btt_addr peers[256];
	size_t npeers;
	struct btt_cli_file_spec file_specs[BTT_CLI_MAX_FILE_SPECS];
	size_t nfile_specs;
};

struct btt_metainfo;

/* Whether a file spec is well formed (its indexes are checked later). */
bool btt_cli_file_spec_ok(const struct btt_cli_file_spec *sp);

/* Per-file priorities for mi from a->file_specs: *out is NULL when there
 * are none, else a malloc'd array of mi->num_files values. Returns 0, or
 * BTT_EINVALID after printing which index does not exist. */
int btt_cli_file_prio(const struct btt_cli_xfer *a,
		      const struct btt_metainfo *mi, uint8_t **out);

/* Runs the transfer to its end. Returns the exit status. */
int btt_cli_transfer(const struct btt_cli_xfer *a);

/* Options both commands take: -p/--port, --bind ('B'), --peer ('P'),
 * -q. Returns 0 when c was one of them, 1 when it was not, -1 (after
 * printing why) for a bad value. */
int btt_cli_xfer_option(struct btt_cli_xfer *a, int c, const char *arg);

/* Prints "btt <cmd>: <message>" to stderr. */
void btt_cli_err(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Parses a whole argument as an unsigned decimal integer <= max, with an
 * optional binary suffix k, m, g, t (KiB...TiB) when `suffix` is true.
 * Returns false on any malformed input or overflow. */
bool btt_cli_parse_u64(const char *s, uint64_t max, bool suffix, uint64_t *out);

/* v bytes for people: "1.5 MiB" with `decimals` digits, "512 B" below
 * 1 KiB. Returns buf. */
const char *btt_cli_size(uint64_t v, unsigned decimals, char *buf, size_t n);

/* True when stdout/stderr is a terminal (progress bars only then). */
bool btt_cli_isatty(int fd);

/* Reads a whole file of at most max bytes. Returns 0 and a malloc'd buffer,
 * or a negative error (BTT_ELIMIT when larger than max). */
int btt_cli_read_file(const char *path, size_t max, uint8_t **out,
		      size_t *out_len);

/* Writes a file atomically: a temporary in the same directory, fsync,
 * rename. Returns 0 or a negative error. */
int btt_cli_write_file(const char *path, const void *p, size_t n);

/* Writes the buffer to stdout once it holds 64 KiB, or always when `all`
 * (then flushes stdout too). Returns the buffer's sticky error, -EIO on a
 * failed write, or 0. */
int btt_cli_out_flush(struct btt_wbuf *w, bool all);

/* Appends text for a terminal: valid UTF-8 without control bytes as it is,
 * every other byte as \xNN. */
void btt_cli_put_text(struct btt_wbuf *w, const char *s, size_t n);

/* Appends a quoted RFC 8259 string; invalid UTF-8 becomes U+FFFD, so the
 * output is always valid JSON. */
void btt_cli_put_json(struct btt_wbuf *w, const char *s);

/* Progress of a long job on stderr: a bar redrawn in place on a terminal,
 * plain lines once a second with `verbose` off a terminal, nothing when
 * `quiet`. */
struct btt_cli_progress {
	const char *label;
	bool tty, on, drawn;
	uint64_t start_ns, last_ns;
};

void btt_cli_progress_init(struct btt_cli_progress *p, const char *label,
			   bool quiet, bool verbose);
/* Starts the rate clock again (after a slow set-up step). */
void btt_cli_progress_restart(struct btt_cli_progress *p);
void btt_cli_progress_update(struct btt_cli_progress *p, uint64_t done,
			     uint64_t total);
/* Ends the bar's line on a terminal. */
void btt_cli_progress_end(struct btt_cli_progress *p);

#endif
