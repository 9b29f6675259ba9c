/* Keystore directory: file names and modes, no overwrite, listing rules,
 * the file size cap at max-1/max/max+1, and the default location. Every
 * test works in its own temporary directory and removes it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btt/err.h"
#include "core/codec.h"
#include "core/limits.h"
#include "core/log.h"
#include "wallet/wallet.h"

static const struct btt_wallet_kdf cheap = {1, 8192};

struct fixture {
	char root[64];
	char ks[128];
};

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->root, sizeof(f->root), "/tmp/btt-ks-XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	snprintf(f->ks, sizeof(f->ks), "%s/a/keystore", f->root);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	nftw(f->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void key_of(uint8_t k[32], uint8_t last)
{
	memset(k, 0, 32);
	k[31] = last;
}

static void path_of(const struct fixture *f, const uint8_t addr[20], char *out,
		    size_t cap)
{
	char hex[41];

	btt_hex_encode(addr, 20, hex);
	snprintf(out, cap, "%s/%s.key", f->ks, hex);
}

static void write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	close(fd);
}

static void test_keystore_store_load_modes(void **state)
{
	struct fixture *f = *state;
	uint8_t key[32], got[32], addr[20], want[20];
	char path[256], parent[160];
	struct stat st;

	key_of(key, 1);
	assert_int_equal(btt_addr_from_key(key, want), 0);
	assert_int_equal(btt_wallet_store(f->ks, key, "pw", 2, &cheap, addr),
			 0);
	assert_memory_equal(addr, want, 20);
	path_of(f, addr, path, sizeof(path));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, BTT_WALLET_FILE_LEN);
	assert_int_equal(stat(f->ks, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(parent, sizeof(parent), "%s/a", f->root);
	assert_int_equal(stat(parent, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(btt_wallet_load(f->ks, addr, "pw", 2, got), 0);
	assert_memory_equal(got, key, 32);
}

static void test_keystore_never_overwrites(void **state)
{
	struct fixture *f = *state;
	uint8_t key[32], got[32], addr[20];

	key_of(key, 2);
	assert_int_equal(btt_wallet_store(f->ks, key, "one", 3, &cheap, addr),
			 0);
	assert_int_equal(btt_wallet_store(f->ks, key, "two", 3, &cheap, addr),
			 -EEXIST);
	assert_int_equal(btt_wallet_load(f->ks, addr, "one", 3, got), 0);
	assert_int_equal(btt_wallet_load(f->ks, addr, "two", 3, got),
			 BTT_EAUTH);
}

static void test_keystore_load_errors(void **state)
{
	struct fixture *f = *state;
	uint8_t key[32], got[32], addr[20], other[20];
	char path[256];

	key_of(key, 3);
	assert_int_equal(btt_wallet_store(f->ks, key, "pw", 2, &cheap, addr),
			 0);
	memset(other, 0x11, sizeof(other));
	assert_int_equal(btt_wallet_load(f->ks, other, "pw", 2, got), -ENOENT);
	/* A directory under a key's name is not a key file. */
	path_of(f, other, path, sizeof(path));
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(btt_wallet_load(f->ks, other, "pw", 2, got),
			 BTT_EINVALID);
}

/* A valid file padded with zeros to n bytes. */
static void padded_file(const char *path, const uint8_t key[32], size_t n)
{
	static uint8_t buf[BTT_KEYSTORE_MAX_FILE + 1];

	memset(buf, 0, sizeof(buf));
	assert_int_equal(btt_wallet_file_seal(key, "pw", 2, &cheap, buf), 0);
	write_file(path, buf, n);
}

static void test_keystore_file_size_cap(void **state)
{
	struct fixture *f = *state;
	uint8_t key[32], got[32], addr[20];
	char path[256];

	key_of(key, 4);
	assert_int_equal(btt_wallet_store(f->ks, key, "pw", 2, &cheap, addr),
			 0);
	path_of(f, addr, path, sizeof(path));
	padded_file(path, key, BTT_KEYSTORE_MAX_FILE - 1);
	assert_int_equal(btt_wallet_load(f->ks, addr, "pw", 2, got),
			 BTT_ETRAILING);
	padded_file(path, key, BTT_KEYSTORE_MAX_FILE);
	assert_int_equal(btt_wallet_load(f->ks, addr, "pw", 2, got),
			 BTT_ETRAILING);
	padded_file(path, key, BTT_KEYSTORE_MAX_FILE + 1);
	assert_int_equal(btt_wallet_load(f->ks, addr, "pw", 2, got),
			 BTT_ELIMIT);
	padded_file(path, key, BTT_WALLET_FILE_LEN);
	assert_int_equal(btt_wallet_load(f->ks, addr, "pw", 2, got), 0);
}

static int warnings;

static void count_sink(int level, const char *tag, const char *msg, void *a)
{
	(void)tag;
	(void)msg;
	(void)a;
	if (level == BTT_LOG_WARN)
		warnings++;
}

static void test_keystore_list_rules(void **state)
{
	struct fixture *f = *state;
	uint8_t key[32], a[3][20], *list;
	char path[256], hex[41];
	size_t n;

	for (int i = 0; i < 3; i++) {
		key_of(key, (uint8_t)(10 + i));
		assert_int_equal(
			btt_wallet_store(f->ks, key, "pw", 2, &cheap, a[i]), 0);
	}
	/* Noise that must be ignored silently. */
	snprintf(path, sizeof(path), "%s/README", f->ks);
	write_file(path, "hi", 2);
	btt_hex_encode(a[0], 20, hex);
	for (int i = 0; i < 40; i++)
		if (hex[i] >= 'a')
			hex[i] = (char)(hex[i] - 'a' + 'A');
	snprintf(path, sizeof(path), "%s/%s.key", f->ks, hex);
	write_file(path, "x", 1);
	/* A key file copied under another address's name is skipped with
	 * a warning, as is a damaged one. */
	{
		uint8_t buf[BTT_WALLET_FILE_LEN], fake[20];
		memset(fake, 0x22, sizeof(fake));
		key_of(key, 10);
		assert_int_equal(
			btt_wallet_file_seal(key, "pw", 2, &cheap, buf), 0);
		path_of(f, fake, path, sizeof(path));
		write_file(path, buf, sizeof(buf));
		memset(fake, 0x33, sizeof(fake));
		path_of(f, fake, path, sizeof(path));
		write_file(path, buf, sizeof(buf) - 1);
	}
	warnings = 0;
	btt_log_set_sink(count_sink, NULL);
	assert_int_equal(btt_wallet_list(f->ks, &list, &n), 0);
	btt_log_set_sink(NULL, NULL);
	assert_int_equal(warnings, 2);
	assert_int_equal(n, 3);
	for (size_t i = 1; i < n; i++)
		assert_true(memcmp(list + (i - 1) * 20, list + i * 20, 20) < 0);
	for (int i = 0; i < 3; i++) {
		bool found = false;
		for (size_t j = 0; j < n; j++)
			found |= memcmp(list + j * 20, a[i], 20) == 0;
		assert_true(found);
	}
	free(list);
}

static void test_keystore_list_missing_dir(void **state)
{
	struct fixture *f = *state;
	uint8_t *list = (uint8_t *)f;
	size_t n = 5;

	assert_int_equal(btt_wallet_list(f->ks, &list, &n), 0);
	assert_int_equal(n, 0);
	assert_null(list);
}

static void test_keystore_dir_create(void **state)
{
	struct fixture *f = *state;
	char path[256];

	assert_int_equal(btt_wallet_dir_create(f->ks), 0);
	assert_int_equal(btt_wallet_dir_create(f->ks), 0);
	snprintf(path, sizeof(path), "%s/file", f->root);
	write_file(path, "x", 1);
	assert_int_equal(btt_wallet_dir_create(path), -ENOTDIR);
	snprintf(path, sizeof(path), "%s/file/sub", f->root);
	assert_int_equal(btt_wallet_dir_create(path), -ENOTDIR);
	assert_int_equal(btt_wallet_dir_create(""), -ENOENT);
}

static void test_keystore_default_dir(void **state)
{
	char out[256], *old = getenv("HOME"), saved[256] = "";
	(void)state;

	if (old)
		snprintf(saved, sizeof(saved), "%s", old);
	setenv("HOME", "/home/someone", 1);
	assert_int_equal(btt_wallet_dir_default(out, sizeof(out)), 0);
	assert_string_equal(out, "/home/someone/.btt/keystore");
	assert_int_equal(btt_wallet_dir_default(out, 10), -ENAMETOOLONG);
	unsetenv("HOME");
	assert_int_equal(btt_wallet_dir_default(out, sizeof(out)), -ENOENT);
	if (old)
		setenv("HOME", saved, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_keystore_store_load_modes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_keystore_never_overwrites,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_keystore_load_errors,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_keystore_file_size_cap,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_keystore_list_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_keystore_list_missing_dir,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_keystore_dir_create, setup,
						teardown),
		cmocka_unit_test(test_keystore_default_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
