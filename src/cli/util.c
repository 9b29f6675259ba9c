/* Helpers shared by the subcommands: errors, numbers, whole-file I/O. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btt/err.h"
#include "cli/cli_int.h"
#include "core/cur.h"

void btt_cli_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "btt %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool btt_cli_parse_u64(const char *s, uint64_t max, bool suffix, uint64_t *out)
{
	struct btt_cur c;
	uint64_t v, mul = 1;
	uint8_t ch;

	btt_cur_init(&c, s, strlen(s));
	if (!btt_cur_get_dec(&c, 20, UINT64_MAX, true, &v))
		return false;
	if (suffix && btt_cur_get_u8(&c, &ch)) {
		switch (ch | 0x20) {
		case 'k': mul = 1ull << 10; break;
		case 'm': mul = 1ull << 20; break;
		case 'g': mul = 1ull << 30; break;
		case 't': mul = 1ull << 40; break;
		default: return false;
		}
		/* Accept "16k", "16K", "16KiB", "16kb". */
		if (!btt_cur_len(&c) || btt_cur_eq_str(&c, "iB") ||
		    btt_cur_eq_str(&c, "ib") || btt_cur_eq_str(&c, "B") ||
		    btt_cur_eq_str(&c, "b"))
			btt_cur_skip(&c, btt_cur_len(&c));
	}
	if (btt_cur_len(&c) || (v && mul > UINT64_MAX / v) || v * mul > max)
		return false;
	*out = v * mul;
	return true;
}

bool btt_cli_isatty(int fd)
{
	return isatty(fd) == 1;
}

int btt_cli_read_file(const char *path, size_t max, uint8_t **out,
		      size_t *out_len)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t len = 0, cap;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		goto out;
	}
	/* The size is only a hint (the file may change): read until EOF and
	 * never past max + 1 bytes. */
	cap = st.st_size > 0 && (uint64_t)st.st_size <= max
		      ? (size_t)st.st_size + 1
		      : 4096;
	buf = malloc(cap);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t r;
		if (len == cap) {
			uint8_t *nb;
			if (cap > max) {
				err = BTT_ELIMIT;
				goto out;
			}
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			nb = realloc(buf, cap);
			if (!nb) {
				err = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > max)
		err = BTT_ELIMIT;
out:
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	*out = buf;
	*out_len = len;
	return 0;
}

int btt_cli_write_file(const char *path, const void *p, size_t n)
{
	char tmp[PATH_MAX];
	const uint8_t *b = p;
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (n) {
		ssize_t w = write(fd, b, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		b += w;
		n -= (size_t)w;
	}
	if (!err && fsync(fd) < 0)
		err = -errno;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

const char *btt_cli_size(uint64_t v, unsigned decimals, char *buf, size_t n)
{
	static const char *const unit[] = {"B",	  "KiB", "MiB",
					   "GiB", "TiB", "PiB"};
	double d = (double)v;
	unsigned u = 0;

	while (d >= 1024 && u + 1 < sizeof(unit) / sizeof(*unit)) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, n, "%llu B", (unsigned long long)v);
	else
		snprintf(buf, n, "%.*f %s", (int)decimals, d, unit[u]);
	return buf;
}
