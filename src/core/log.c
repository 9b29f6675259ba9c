/* Logging: level filter, replaceable sink, escaping of untrusted text. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"

int btt_log_level = BTT_LOG_WARN;

static btt_log_sink_fn log_sink;
static void *log_sink_arg;

static const char *const level_names[] = {"error", "warn", "info", "debug",
					  "trace"};

void btt_log_set_sink(btt_log_sink_fn fn, void *arg)
{
	log_sink = fn;
	log_sink_arg = arg;
}

int btt_log_level_parse(const char *s)
{
	for (int i = 0; i < (int)(sizeof(level_names) / sizeof(*level_names));
	     i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

void btt_log_write(int level, const char *tag, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (level < 0)
		level = 0;
	if (level > BTT_LOG_TRACE)
		level = BTT_LOG_TRACE;
	if (log_sink) {
		log_sink(level, tag, msg, log_sink_arg);
		return;
	}
	fprintf(stderr, "btt: %s: %s: %s\n", level_names[level], tag, msg);
}

static bool escape_plain(unsigned char ch)
{
	return ch >= 0x20 && ch < 0x7f && ch != '\\';
}

char *btt_log_escape(const void *p, size_t len, char *out, size_t out_size)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = p;
	size_t need = 0, room, o = 0;

	if (out_size == 0)
		return out;
	for (size_t i = 0; i < len && need < out_size; i++)
		need += escape_plain(s[i]) ? 1 : 4;
	/* When everything fits it is all written; otherwise leave room for
	 * "..." and the NUL, and never split an escape. */
	room = need < out_size ? out_size - 1
			       : (out_size > 4 ? out_size - 4 : 0);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = s[i];
		if (o + (escape_plain(ch) ? 1 : 4) > room) {
			if (out_size >= 4) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (escape_plain(ch)) {
			out[o++] = (char)ch;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		}
	}
	out[o] = 0;
	return out;
}
