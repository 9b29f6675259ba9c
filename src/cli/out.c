/* Output helpers shared by the subcommands: buffered stdout, text escaped
 * for a terminal, and RFC 8259 JSON strings. Every string printed may come
 * from a torrent or the command line, so nothing is written raw. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bt/path.h"
#include "cli/cli_int.h"

/* Output is written in chunks of about this size. */
#define FLUSH_AT (64u << 10)

int btt_cli_out_flush(struct btt_wbuf *w, bool all)
{
	if (btt_wbuf_err(w))
		return btt_wbuf_err(w);
	if ((all || w->len >= FLUSH_AT) && w->len) {
		if (fwrite(w->buf, 1, w->len, stdout) != w->len)
			return -EIO;
		btt_wbuf_reset(w);
	}
	if (all && fflush(stdout) != 0)
		return -EIO;
	return 0;
}

void btt_cli_put_text(struct btt_wbuf *w, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint8_t c = (uint8_t)s[i];
		size_t k = btt_path_utf8_char(s + i, n - i);
		if (k > 1 || (k == 1 && c >= 0x20 && c != 0x7f)) {
			btt_wbuf_put(w, s + i, k);
			i += k;
		} else {
			btt_wbuf_printf(w, "\\x%02x", c);
			i++;
		}
	}
}

void btt_cli_put_json(struct btt_wbuf *w, const char *s)
{
	size_t n = strlen(s);

	btt_wbuf_put_u8(w, '"');
	for (size_t i = 0; i < n;) {
		uint8_t c = (uint8_t)s[i];
		size_t k = btt_path_utf8_char(s + i, n - i);
		if (k == 0) {
			btt_wbuf_put_str(w, "\\ufffd");
			i++;
			continue;
		}
		if (c == '"' || c == '\\')
			btt_wbuf_printf(w, "\\%c", c);
		else if (c == '\n')
			btt_wbuf_put_str(w, "\\n");
		else if (c == '\t')
			btt_wbuf_put_str(w, "\\t");
		else if (c == '\r')
			btt_wbuf_put_str(w, "\\r");
		else if (c < 0x20 || c == 0x7f)
			btt_wbuf_printf(w, "\\u%04x", c);
		else
			btt_wbuf_put(w, s + i, k);
		i += k;
	}
	btt_wbuf_put_u8(w, '"');
}
