/* Leveled logging to stderr (or a sink that tests install).
 *
 * BTT_LOG checks the level before formatting anything, so a disabled debug
 * line costs one comparison. Library code never prints to stdout. Untrusted
 * text must go through btt_log_escape() first. */
#ifndef BTT_CORE_LOG_H
#define BTT_CORE_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum btt_log_level {
	BTT_LOG_ERROR = 0,
	BTT_LOG_WARN = 1,
	BTT_LOG_INFO = 2,
	BTT_LOG_DEBUG = 3,
	BTT_LOG_TRACE = 4,
};

extern int btt_log_level;

typedef void (*btt_log_sink_fn)(int level, const char *tag, const char *msg,
				void *arg);

/* Replaces the sink (NULL restores stderr). Not thread-safe against
 * concurrent logging: set it at start-up. */
void btt_log_set_sink(btt_log_sink_fn fn, void *arg);

/* Parses "error", "warn", "info", "debug", "trace"; -1 if unknown. */
int btt_log_level_parse(const char *s);

void btt_log_write(int level, const char *tag, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define BTT_LOG(level, tag, ...)                                    \
	do {                                                        \
		if ((level) <= btt_log_level)                       \
			btt_log_write((level), (tag), __VA_ARGS__); \
	} while (0)

/* Copies up to `len` untrusted bytes into out (size out_size, always
 * NUL-terminated), escaping control and non-ASCII bytes as \xNN and
 * truncating with "..." when it does not fit. Returns out. */
char *btt_log_escape(const void *p, size_t len, char *out, size_t out_size);

#endif
