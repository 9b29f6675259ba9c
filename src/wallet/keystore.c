/* The keystore directory: one "<hex address>.key" file per key.
 *
 * New files never replace old ones (a key lost to an overwrite is money
 * lost): the sealed bytes go to a private temporary file, are fsynced, are
 * hard-linked to the final name (which fails if it exists), and the
 * directory is fsynced so the name survives a crash. Files are read with a
 * size cap and parsed as untrusted bytes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "btt/err.h"
#include "core/codec.h"
#include "core/limits.h"
#include "core/log.h"
#include "wallet/wallet.h"

#define SUFFIX ".key"
#define NAME_LEN (2 * BTT_ADDR_LEN + sizeof(SUFFIX) - 1)

int btt_wallet_dir_default(char *out, size_t cap)
{
	const char *home = getenv("HOME");
	int n;

	if (!home || !*home)
		return -ENOENT;
	n = snprintf(out, cap, "%s/.btt/keystore", home);
	if (n < 0 || (size_t)n >= cap)
		return -ENAMETOOLONG;
	return 0;
}

int btt_wallet_dir_create(const char *dir)
{
	char path[PATH_MAX];
	size_t len = strlen(dir);
	struct stat st;

	if (len == 0)
		return -ENOENT;
	if (len >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, len + 1);
	/* Each prefix ending before a '/', then the whole path. */
	for (size_t i = 1; i <= len; i++) {
		if (i < len && path[i] != '/')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			return -errno;
		if (i < len)
			path[i] = '/';
	}
	if (stat(path, &st) != 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

static int key_path(const char *dir, const uint8_t addr[BTT_ADDR_LEN],
		    char *out, size_t cap)
{
	char hex[2 * BTT_ADDR_LEN + 1];
	int n;

	btt_hex_encode(addr, BTT_ADDR_LEN, hex);
	n = snprintf(out, cap, "%s/%s%s", dir, hex, SUFFIX);
	if (n < 0 || (size_t)n >= cap)
		return -ENAMETOOLONG;
	return 0;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) != 0)
		err = -errno;
	close(fd);
	return err;
}

/* Writes bytes to a new file `path` that must not exist yet. */
static int write_new(const char *dir, const char *path, const uint8_t *p,
		     size_t n)
{
	char tmp[PATH_MAX];
	uint32_t r = randombytes_random();
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s/.tmp-%ld-%08x", dir, (long)getpid(),
		     r) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	/* The umask can only remove bits; make the mode exact anyway. */
	if (fchmod(fd, 0600) != 0)
		err = -errno;
	if (!err)
		err = write_all(fd, p, n);
	if (!err && fsync(fd) != 0)
		err = -errno;
	if (close(fd) != 0 && !err)
		err = -errno;
	if (!err && link(tmp, path) != 0)
		err = -errno;
	unlink(tmp);
	if (!err)
		err = fsync_dir(dir);
	return err;
}

int btt_wallet_store(const char *dir, const uint8_t key[BTT_SECP_PRIV_LEN],
		     const char *pass, size_t pass_len,
		     const struct btt_wallet_kdf *kdf,
		     uint8_t out_addr[BTT_ADDR_LEN])
{
	uint8_t file[BTT_WALLET_FILE_LEN], addr[BTT_ADDR_LEN];
	char path[PATH_MAX];
	struct stat st;
	int err;

	if ((err = btt_addr_from_key(key, addr)) != 0)
		return err;
	if ((err = key_path(dir, addr, path, sizeof(path))) != 0)
		return err;
	if ((err = btt_wallet_dir_create(dir)) != 0)
		return err;
	/* Checked before the slow KDF; the link below is the real guard. */
	if (lstat(path, &st) == 0)
		return -EEXIST;
	if ((err = btt_wallet_file_seal(key, pass, pass_len, kdf, file)) != 0)
		return err;
	if ((err = write_new(dir, path, file, sizeof(file))) != 0)
		return err;
	memcpy(out_addr, addr, BTT_ADDR_LEN);
	return 0;
}

/* Reads a whole file of at most BTT_KEYSTORE_MAX_FILE bytes into buf
 * (which has room for one byte more, to detect a larger file). */
static int read_capped(const char *path, uint8_t *buf, size_t *out_len)
{
	/* O_NONBLOCK: a FIFO planted under a key's name must not hang us. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	int err = 0;
	size_t len = 0;
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0)
		err = -errno;
	else if (!S_ISREG(st.st_mode))
		err = BTT_EINVALID;
	while (!err && len <= BTT_KEYSTORE_MAX_FILE) {
		ssize_t r =
			read(fd, buf + len, BTT_KEYSTORE_MAX_FILE + 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			err = -errno;
		else if (r == 0)
			break;
		else
			len += (size_t)r;
	}
	close(fd);
	if (!err && len > BTT_KEYSTORE_MAX_FILE)
		err = BTT_ELIMIT;
	*out_len = len;
	return err;
}

int btt_wallet_load(const char *dir, const uint8_t addr[BTT_ADDR_LEN],
		    const char *pass, size_t pass_len,
		    uint8_t out_key[BTT_SECP_PRIV_LEN])
{
	uint8_t buf[BTT_KEYSTORE_MAX_FILE + 1], got[BTT_ADDR_LEN];
	char path[PATH_MAX];
	size_t len;
	int err;

	sodium_memzero(out_key, BTT_SECP_PRIV_LEN);
	if ((err = key_path(dir, addr, path, sizeof(path))) != 0)
		return err;
	if ((err = read_capped(path, buf, &len)) != 0)
		return err;
	if ((err = btt_wallet_file_open(buf, len, pass, pass_len, out_key,
					got)) != 0)
		return err;
	if (memcmp(got, addr, BTT_ADDR_LEN) != 0) {
		sodium_memzero(out_key, BTT_SECP_PRIV_LEN);
		return BTT_EMALFORMED;
	}
	return 0;
}

/* The address a file name stands for, if it has the keystore's form. */
static bool name_addr(const char *name, uint8_t out[BTT_ADDR_LEN])
{
	size_t n = strlen(name);

	if (n != NAME_LEN || strcmp(name + 2 * BTT_ADDR_LEN, SUFFIX) != 0)
		return false;
	for (size_t i = 0; i < 2 * BTT_ADDR_LEN; i++)
		if (name[i] >= 'A' && name[i] <= 'F')
			return false;
	return btt_hex_decode(name, 2 * BTT_ADDR_LEN, out, BTT_ADDR_LEN) == 0;
}

/* Checks one candidate file: it must parse and name its own address. */
static bool file_ok(const char *dir, const char *name,
		    const uint8_t addr[BTT_ADDR_LEN])
{
	uint8_t buf[BTT_KEYSTORE_MAX_FILE + 1];
	struct btt_wallet_file f;
	char path[PATH_MAX];
	size_t len;
	int err;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		err = -ENAMETOOLONG;
	else if ((err = read_capped(path, buf, &len)) == 0 &&
		 (err = btt_wallet_file_parse(buf, len, &f)) == 0 &&
		 memcmp(f.addr, addr, BTT_ADDR_LEN) != 0)
		err = BTT_EMALFORMED;
	if (err)
		BTT_LOG(BTT_LOG_WARN, "wallet", "skipping %s/%s: %s", dir, name,
			btt_strerror(err));
	return err == 0;
}

static int cmp_addr(const void *a, const void *b)
{
	return memcmp(a, b, BTT_ADDR_LEN);
}

int btt_wallet_list(const char *dir, uint8_t **out, size_t *out_n)
{
	uint8_t *list = NULL, addr[BTT_ADDR_LEN];
	size_t n = 0, cap = 0;
	struct dirent *e;
	DIR *d;

	*out = NULL;
	*out_n = 0;
	if (!(d = opendir(dir)))
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)) != NULL) {
		if (!name_addr(e->d_name, addr) ||
		    !file_ok(dir, e->d_name, addr))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			list = realloc(list, cap * BTT_ADDR_LEN);
			if (!list)
				abort();
		}
		memcpy(list + n * BTT_ADDR_LEN, addr, BTT_ADDR_LEN);
		n++;
	}
	closedir(d);
	/* Names are unique addresses, so the order is total. */
	if (n)
		qsort(list, n, BTT_ADDR_LEN, cmp_addr);
	*out = list;
	*out_n = n;
	return 0;
}
